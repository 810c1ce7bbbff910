# tests: one cmocka program per module (TAP output), shell tests for the command.
check_PROGRAMS += tests/test_util
tests_test_util_SOURCES = tests/test_util.c tests/testutil.h
tests_test_util_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_util_LDADD = $(TEST_LDADD)

TESTS += tests/test_util tests/test_cli.sh tests/fuzz-smoke.sh tests/test_schemas.sh tests/test_install.sh tests/test_readme.sh
EXTRA_DIST += tests/test_cli.sh tests/fuzz-smoke.sh tests/test_schemas.sh tests/schema_check.py tests/test_install.sh tests/test_readme.sh tests/readme_check.py tests/png_cells.py
CLEANFILES += cli.out cli.err

# every README example, the minutes-long ones included, against real runs
readme-check: all
	$(PYTHON3) $(top_srcdir)/tests/readme_check.py --all $(top_srcdir)/README.md $(top_builddir) $(top_srcdir)
.PHONY: readme-check
PYTHON3 = python3

# the layering of doc/design.md, checked on every source file's includes
TESTS += tests/test_layers.sh
EXTRA_DIST += tests/test_layers.sh doc/design.md

# doc/math.md: every "doc/math.md N.M" citation names a section that exists; no MATH.md left
TESTS += tests/test_docs.sh
EXTRA_DIST += tests/test_docs.sh
# the command's one option parser (src/cli/opt.c, compiled in): kinds, ranges, messages,
# --help and the man-page block from a table; and every converted command's --help and
# doc/feynn.1 against its table
check_PROGRAMS += tests/test_cli_opt
TESTS += tests/test_cli_opt tests/test_cli_opt.sh
tests_test_cli_opt_SOURCES = tests/test_cli_opt.c tests/testutil.h src/cli/opt.c src/cli/common.c
tests_test_cli_opt_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_cli_opt_LDADD = $(TEST_LDADD)
EXTRA_DIST += tests/test_cli_opt.sh doc/man-options.sh
# api (issue 9): the command's flags for the library's fixes (fy_cli_flags, compiled in)
check_PROGRAMS += tests/test_cli_flags
TESTS += tests/test_cli_flags
tests_test_cli_flags_SOURCES = tests/test_cli_flags.c tests/testutil.h src/cli/opt.c \
	src/cli/common.c
tests_test_cli_flags_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_cli_flags_LDADD = $(TEST_LDADD)
# golden outputs (issue 9): every command family's output against tests/golden/cmd/out, byte for
# byte (doubles within a stated tolerance); tests/golden/regen.sh when a change is intended
TESTS += tests/test_golden.sh
EXTRA_DIST += tests/test_golden.sh tests/golden/regen.sh tests/golden/cmd
clean-local: clean-golden-tests
clean-golden-tests:
	rm -rf golden_t.dir
.PHONY: clean-golden-tests
