# tests of module jet
check_PROGRAMS += tests/test_jet
TESTS += tests/test_jet
tests_test_jet_SOURCES = tests/test_jet.c tests/testutil.h
tests_test_jet_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_jet_LDADD = $(TEST_LDADD)
