# tests of module series
check_PROGRAMS += tests/test_series
TESTS += tests/test_series
tests_test_series_SOURCES = tests/test_series.c tests/testutil.h
tests_test_series_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_series_LDADD = $(TEST_LDADD)
