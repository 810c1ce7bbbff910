# tests of module born: the cmocka program, the shell tests of `feynn born`, and the fuzz
# target of the potential parser (replayed over its corpus by tests/fuzz-smoke.sh).
check_PROGRAMS += tests/test_born
tests_test_born_SOURCES = tests/test_born.c tests/testutil.h
tests_test_born_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_born_LDADD = $(TEST_LDADD)
TESTS += tests/test_born tests/test_born_cli.sh
EXTRA_DIST += tests/test_born_cli.sh
CLEANFILES += born_cli.out born_cli.err born_cli.json born_cli_pot.txt born_cli_bad.txt \
	born_cli_data.safetensors born_cli_data2.safetensors test_born_data.safetensors

FUZZ_TARGETS += potential
check_PROGRAMS += fuzz/replay_potential
fuzz_replay_potential_SOURCES = fuzz/fuzz_potential.c fuzz/replay.c
fuzz_replay_potential_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += fuzz/corpus/potential
