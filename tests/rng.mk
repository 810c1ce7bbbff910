# tests of the random generator (src/util/rng.c): Random123 known answers, distributions
check_PROGRAMS += tests/test_rng
tests_test_rng_SOURCES = tests/test_rng.c tests/testutil.h
tests_test_rng_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_rng_LDADD = $(TEST_LDADD)
TESTS += tests/test_rng
# the generator for the shell tests' random inputs (par2, issue 15)
check_PROGRAMS += tests/rng_uniforms
tests_rng_uniforms_SOURCES = tests/rng_uniforms.c
tests_rng_uniforms_CPPFLAGS = $(AM_CPPFLAGS)
tests_rng_uniforms_LDADD = libfeynn.la $(FY_DEPLIBS)
