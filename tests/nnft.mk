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
# feynn nnft (the command): values, JSON, thread independence, exit codes
TESTS += tests/test_nnft_cli.sh
EXTRA_DIST += tests/test_nnft_cli.sh
CLEANFILES += nnft_cli.out nnft_cli.err nnft_cli.json nnft_cli.t1 nnft_cli.t2 nnft_cli.a \
	nnft_cli.b nnft_cli_erf.spec nnft_cli_relu.spec nnft_cli_nopts.spec nnft_cli_bad.spec
# effective action and couplings (src/nnft/eft.c)
check_PROGRAMS += tests/test_nnft_eft
tests_test_nnft_eft_SOURCES = tests/test_nnft_eft.c tests/testutil.h
tests_test_nnft_eft_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_eft_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_eft
# exact moments at distinct points (two-dimensional Gaussian integrals) and the [HMS] input sets
check_PROGRAMS += tests/test_nnft_exact
tests_test_nnft_exact_SOURCES = tests/test_nnft_exact.c tests/testutil.h
tests_test_nnft_exact_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_exact_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_exact
# fields from neurons: Euclidean input layers, power spectra, the Cos/Gauss duality (euclid*.c)
check_PROGRAMS += tests/test_nnft_euclid
tests_test_nnft_euclid_SOURCES = tests/test_nnft_euclid.c tests/testutil.h tests/nnftutil.h
tests_test_nnft_euclid_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_euclid_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_euclid
# checks on any ensemble (qft-checks): reflection positivity, symmetries, OS, independence
check_PROGRAMS += tests/test_nnft_checks
tests_test_nnft_checks_SOURCES = tests/test_nnft_checks.c tests/testutil.h
tests_test_nnft_checks_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_checks_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_checks
TESTS += tests/test_nnft_euclid_cli.sh
EXTRA_DIST += tests/test_nnft_euclid_cli.sh
# the progress bar of the ensembles (fy_nnft_run_t.progress; nnft-cli, issue 10 item 18)
check_PROGRAMS += tests/test_nnft_progress
tests_test_nnft_progress_SOURCES = tests/test_nnft_progress.c tests/testutil.h
tests_test_nnft_progress_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_progress_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_progress
# rank3 (issue 13): moments over a rank-3 pre-activation Gaussian (src/nnft/quad3.c)
check_PROGRAMS += tests/test_nnft_quad3
tests_test_nnft_quad3_SOURCES = tests/test_nnft_quad3.c tests/testutil.h
tests_test_nnft_quad3_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_quad3_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_quad3
# qft3 (issue 14): user-given P(|b|) and F, the deeper g (euclid_user.c, euclid*.c)
check_PROGRAMS += tests/test_nnft_euclid_user
tests_test_nnft_euclid_user_SOURCES = tests/test_nnft_euclid_user.c tests/testutil.h \
	tests/nnftutil.h
tests_test_nnft_euclid_user_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_euclid_user_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_euclid_user
# qft14 (issue 14): the sampler and symmetry --mc on user and deeper layers, F user with
# Gaussian and Lorentzian b, rho(p, tau) of user layers (mc.c, euclid*.c)
check_PROGRAMS += tests/test_nnft_euclid_sample
tests_test_nnft_euclid_sample_SOURCES = tests/test_nnft_euclid_sample.c tests/testutil.h \
	tests/nnftutil.h
tests_test_nnft_euclid_sample_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_nnft_euclid_sample_LDADD = $(TEST_LDADD)
TESTS += tests/test_nnft_euclid_sample
