# tests of the INN log-density jets of module jet (closed forms, brute-force polynomials)
check_PROGRAMS += tests/test_jet_inn
TESTS += tests/test_jet_inn
tests_test_jet_inn_SOURCES = tests/test_jet_inn.c tests/testutil.h
tests_test_jet_inn_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_jet_inn_LDADD = $(TEST_LDADD)
