# tests of module borntaylor: the verification, its report writers, networks with the Born
# metadata (the command-level tests are tests/test_demo.sh)
check_PROGRAMS += tests/test_borntaylor
tests_test_borntaylor_SOURCES = tests/test_borntaylor.c tests/testutil.h tests/mlputil.h
tests_test_borntaylor_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_borntaylor_LDADD = $(TEST_LDADD)
TESTS += tests/test_borntaylor
CLEANFILES += test_borntaylor.safetensors test_bt_F1.safetensors test_bt_F2.safetensors
# the Born demo over seeds (seeds, issue 15)
check_PROGRAMS += tests/test_borntaylor_seeds
tests_test_borntaylor_seeds_SOURCES = tests/test_borntaylor_seeds.c tests/testutil.h \
	tests/mlputil.h
tests_test_borntaylor_seeds_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_borntaylor_seeds_LDADD = $(TEST_LDADD)
TESTS += tests/test_borntaylor_seeds
