# tests of the block floating-point ball rows (src/num/fxball.c)
check_PROGRAMS += tests/test_fxball
TESTS += tests/test_fxball
tests_test_fxball_SOURCES = tests/test_fxball.c tests/testutil.h
tests_test_fxball_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_fxball_LDADD = $(TEST_LDADD)
