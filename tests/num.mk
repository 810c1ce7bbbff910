# tests of module num
check_PROGRAMS += tests/test_num
TESTS += tests/test_num
tests_test_num_SOURCES = tests/test_num.c tests/testutil.h
tests_test_num_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_num_LDADD = $(TEST_LDADD)
