# start-up (issue 16): the optional back ends (PLplot, Graphviz, MPI) opened on first use, not
# at load: what a process maps (the library's test) and what the command opens (LD_DEBUG)
check_PROGRAMS += tests/test_startup
tests_test_startup_SOURCES = tests/test_startup.c tests/testutil.h
tests_test_startup_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_startup_LDADD = $(TEST_LDADD)
TESTS += tests/test_startup tests/test_startup.sh
EXTRA_DIST += tests/test_startup.sh
CLEANFILES += test_startup_fig.pdf test_startup_fig.png
clean-local: clean-startup-tests
clean-startup-tests:
	rm -rf test_startup.tmp
.PHONY: clean-startup-tests
