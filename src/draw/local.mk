# draw (layer 2): DOT through cgraph, TikZ through the Graphviz layout, symbolic expressions
pkginclude_HEADERS += include/feynn/draw.h
noinst_HEADERS += src/draw/draw_impl.h
libfeynn_la_SOURCES += src/draw/ag.c src/draw/view.c src/draw/build.c src/draw/tikz.c \
	src/draw/expr.c
# plots: line plots with error bars and heatmaps as PDF through PLplot (draw.h, "plots")
libfeynn_la_SOURCES += src/draw/plot.c
# the plots drawn through PLplot (plot_render.c), laid out without it (plot.c)
libfeynn_la_SOURCES += src/draw/plot_render.c
# a diagram as a figure file: captioned DOT and its PDF through Graphviz's dot program
libfeynn_la_SOURCES += src/draw/dotfile.c
noinst_HEADERS += src/draw/plot_impl.h
