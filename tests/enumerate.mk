# tests of module enumerate
check_PROGRAMS += tests/test_enumerate
tests_test_enumerate_SOURCES = tests/test_enumerate.c tests/testutil.h
tests_test_enumerate_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_enumerate_LDADD = $(TEST_LDADD)
TESTS += tests/test_enumerate
# Feynman graphs from a vertex multiset, against the zero-dimensional oracle
check_PROGRAMS += tests/test_feynman
tests_test_feynman_SOURCES = tests/test_feynman.c tests/testutil.h
tests_test_feynman_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_feynman_LDADD = $(TEST_LDADD)
TESTS += tests/test_feynman
