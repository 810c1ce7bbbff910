# tests of module nnft (kernels, exact correlators, Monte Carlo)
check_PROGRAMS += tests/test_nnft
tests_test_nnft_SOURCES = tests/test_nnft.c tests/testutil.h
tests_test_nnft_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft
check_PROGRAMS += tests/test_nnft_mc
tests_test_nnft_mc_SOURCES = tests/test_nnft_mc.c tests/testutil.h
tests_test_nnft_mc_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_mc_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_mc
