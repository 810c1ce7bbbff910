# tests of modules eval and mlp (closed forms, exact polynomial composition, diagrams vs fused)
check_PROGRAMS += tests/test_mlp
TESTS += tests/test_mlp
tests_test_mlp_SOURCES = tests/test_mlp.c tests/testutil.h tests/mlputil.h
tests_test_mlp_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_mlp_LDADD = $(TEST_LDADD)
# shell tests of `feynn taylor` (exit codes, json, npy, --check on random networks)
TESTS += tests/test_taylor_cli.sh
EXTRA_DIST += tests/test_taylor_cli.sh tests/golden/taylor_v3.txt
# the multi-route check engine (mlp.h, "the multi-route check"; src/mlp/check.c)
check_PROGRAMS += tests/test_mlp_check
TESTS += tests/test_mlp_check
tests_test_mlp_check_SOURCES = tests/test_mlp_check.c tests/testutil.h tests/mlputil.h
tests_test_mlp_check_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_mlp_check_LDADD = $(TEST_LDADD)
# the activation series (vertex values, high-order directions) against the exact polynomials
# and the jet route, in double, balls and exact rationals
check_PROGRAMS += tests/test_mlp_fast
TESTS += tests/test_mlp_fast
tests_test_mlp_fast_SOURCES = tests/test_mlp_fast.c tests/testutil.h tests/mlputil.h
tests_test_mlp_fast_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_mlp_fast_LDADD = $(TEST_LDADD)
# the spine route (any order, every arithmetic) against closed forms, the fused recursion and
# the jet route
check_PROGRAMS += tests/test_mlp_spine
TESTS += tests/test_mlp_spine
tests_test_mlp_spine_SOURCES = tests/test_mlp_spine.c tests/testutil.h tests/mlputil.h
tests_test_mlp_spine_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_mlp_spine_LDADD = $(TEST_LDADD)
