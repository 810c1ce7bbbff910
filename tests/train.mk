# tests of module train (finite-difference gradients, exact linear fits, determinism, folding,
# ensembles, early stopping, refusals)
check_PROGRAMS += tests/test_train
TESTS += tests/test_train
tests_test_train_SOURCES = tests/test_train.c tests/testutil.h
tests_test_train_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_train_LDADD = $(TEST_LDADD)
