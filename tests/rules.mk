# tests of module rules
check_PROGRAMS += tests/test_rules
tests_test_rules_SOURCES = tests/test_rules.c tests/testutil.h
tests_test_rules_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_rules_LDADD = $(TEST_LDADD)
TESTS += tests/test_rules tests/test_rules_cli.sh
EXTRA_DIST += tests/test_rules_cli.sh
CLEANFILES += rules-sh.out rules-sh.err

FUZZ_TARGETS += rules
check_PROGRAMS += fuzz/replay_rules
fuzz_replay_rules_SOURCES = fuzz/fuzz_rules.c fuzz/replay.c
fuzz_replay_rules_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += fuzz/corpus/rules
