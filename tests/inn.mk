# tests of module inn (INN actions against the jet route, closed forms, brute force)
check_PROGRAMS += tests/test_inn
TESTS += tests/test_inn
tests_test_inn_SOURCES = tests/test_inn.c tests/testutil.h
tests_test_inn_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_LDADD = $(TEST_LDADD)
# feynn inn (the command): exit codes, closed forms, JSON against doc/schema, --check
TESTS += tests/test_inn_cli.sh
EXTRA_DIST += tests/test_inn_cli.sh
# the printers of inn.h's output section: the polynomial against -|f(v)|^2/2 from the forward map
check_PROGRAMS += tests/test_inn_print
TESTS += tests/test_inn_print
tests_test_inn_print_SOURCES = tests/test_inn_print.c tests/testutil.h
tests_test_inn_print_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_print_LDADD = $(TEST_LDADD)
# the INN trainer (issue 12): gradients against finite differences and the jet module,
# whitening, a known Gaussian's precision, thread-count independence
check_PROGRAMS += tests/test_inn_train
TESTS += tests/test_inn_train
tests_test_inn_train_SOURCES = tests/test_inn_train.c tests/testutil.h
tests_test_inn_train_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_train_LDADD = $(TEST_LDADD)
# learned against true (issue 12): inverse round trip, KL = 0 for the truth, couplings and
# cumulants against closed forms
check_PROGRAMS += tests/test_inn_compare
TESTS += tests/test_inn_compare
tests_test_inn_compare_SOURCES = tests/test_inn_compare.c tests/testutil.h
tests_test_inn_compare_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_compare_LDADD = $(TEST_LDADD)
# feynn inn train (the command): refusals of bad data files, a run on sampler output
TESTS += tests/test_inn_train_cli.sh
EXTRA_DIST += tests/test_inn_train_cli.sh
# feynn demo inn --quick, inn compare, inn scan (report.json keys, the truth's KL = 0)
TESTS += tests/test_demo_inn.sh
EXTRA_DIST += tests/test_demo_inn.sh
EXTRA_DIST += doc/schema/inn-train.schema.json
# api (issue 9): the one loader of samples (fy_inn_samples_read) for inn train and compare
check_PROGRAMS += tests/test_inn_samples
TESTS += tests/test_inn_samples
tests_test_inn_samples_SOURCES = tests/test_inn_samples.c tests/testutil.h
tests_test_inn_samples_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_samples_LDADD = $(TEST_LDADD)
# inn12 (issue 12): the true family's maximum-likelihood fit on a ring (ln Z against closed
# forms and quadrature, its gradient against finite differences, HMC draws of a known theory)
check_PROGRAMS += tests/test_inn_ringfit
TESTS += tests/test_inn_ringfit
tests_test_inn_ringfit_SOURCES = tests/test_inn_ringfit.c tests/testutil.h
tests_test_inn_ringfit_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_ringfit_LDADD = $(TEST_LDADD)
