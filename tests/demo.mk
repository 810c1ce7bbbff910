# tests of `feynn born train/verify` and `feynn demo` (cli): closed-form linear models for the
# verification metrics, and the quick demo end to end (report keys, CSV files, figures).
TESTS += tests/test_demo.sh
EXTRA_DIST += tests/test_demo.sh
CLEANFILES += demo_t.out demo_t.err demo_t_v.json demo_t_lin.txt demo_t_off.txt
# `feynn demo nnft --quick` end to end: report keys, exact against Monte Carlo, CSV files
TESTS += tests/test_demo_nnft.sh
EXTRA_DIST += tests/test_demo_nnft.sh
