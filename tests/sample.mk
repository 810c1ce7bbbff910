# tests of module sample (theory files, exact tensors, HMC against quadrature and the Gaussian
# closed form, thread independence, cumulants)
check_PROGRAMS += tests/test_sample
TESTS += tests/test_sample
tests_test_sample_SOURCES = tests/test_sample.c tests/testutil.h
tests_test_sample_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_sample_LDADD = $(TEST_LDADD)
# feynn inn sample (the command): refusals, cumulants of a Gaussian, JSON, safetensors, threads
TESTS += tests/test_inn_sample_cli.sh
EXTRA_DIST += tests/test_inn_sample_cli.sh
CLEANFILES += test_sample_draws.safetensors inn_sample.out inn_sample.err inn_sample_1.json \
	inn_sample_g.theory inn_sample_r.theory inn_sample_bad.theory inn_sample_1.safetensors \
	inn_sample_2.safetensors
