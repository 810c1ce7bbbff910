# tests of module draw, and of the feynn diagrams command
check_PROGRAMS += tests/test_draw
tests_test_draw_SOURCES = tests/test_draw.c tests/testutil.h
tests_test_draw_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_draw_LDADD = $(TEST_LDADD)
# the test reads the DOT back with cgraph itself (the library opens it on first use)
tests_test_draw_LDADD += $(CGRAPH_LIBS)

TESTS += tests/test_draw tests/test_diagrams.sh
EXTRA_DIST += tests/test_diagrams.sh tests/lsan.supp tests/golden/draw/mlp_chain3.dot \
	tests/golden/draw/mlp_star5.dot tests/golden/draw/nnft_tadpole.dot \
	tests/golden/draw/born_ladder2.dot
clean-local: clean-draw-tests
clean-draw-tests:
	rm -rf test_draw.tmp test_diagrams.tmp
.PHONY: clean-draw-tests
# the plot writers (draw.h, "plots")
check_PROGRAMS += tests/test_plot
tests_test_plot_SOURCES = tests/test_plot.c tests/testutil.h
tests_test_plot_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_plot_LDADD = $(TEST_LDADD)
TESTS += tests/test_plot
CLEANFILES += test_plot_lines.pdf test_plot_heat.pdf
