# tests of modules eval and mlp (closed forms, exact polynomial composition, diagrams vs fused)
check_PROGRAMS += tests/test_mlp
TESTS += tests/test_mlp
tests_test_mlp_SOURCES = tests/test_mlp.c tests/testutil.h
tests_test_mlp_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_mlp_LDADD = $(TEST_LDADD)
# shell tests of `feynn taylor` (exit codes, json, npy, --check on random networks)
TESTS += tests/test_taylor_cli.sh
EXTRA_DIST += tests/test_taylor_cli.sh tests/golden/taylor_v3.txt
