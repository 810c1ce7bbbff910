# tests of the random generator (src/util/rng.c): Random123 known answers, distributions
check_PROGRAMS += tests/test_rng
tests_test_rng_SOURCES = tests/test_rng.c tests/testutil.h
tests_test_rng_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_rng_LDADD = $(TEST_LDADD)
TESTS += tests/test_rng
