# tests of module graph
check_PROGRAMS += tests/test_graph
tests_test_graph_SOURCES = tests/test_graph.c tests/testutil.h
tests_test_graph_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_graph_LDADD = $(TEST_LDADD)
TESTS += tests/test_graph
# graph canonical form with loops (canon_graph*.c): textbook |Aut|, nauty vs exact vs brute force
check_PROGRAMS += tests/test_canon_graph
tests_test_canon_graph_SOURCES = tests/test_canon_graph.c tests/testutil.h
tests_test_canon_graph_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_canon_graph_LDADD = $(TEST_LDADD)
TESTS += tests/test_canon_graph
