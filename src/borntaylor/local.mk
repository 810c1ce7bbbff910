# borntaylor: the Born-Taylor verification of trained networks and its experiment (layer 4)
pkginclude_HEADERS += include/feynn/borntaylor.h
noinst_HEADERS += src/borntaylor/borntaylor_internal.h
libfeynn_la_SOURCES += src/borntaylor/verify.c src/borntaylor/net.c src/borntaylor/kept.c \
	src/borntaylor/box.c \
	src/borntaylor/demo.c src/borntaylor/demo_files.c src/borntaylor/demo_plot.c \
	src/borntaylor/demo_report.c
libfeynn_la_SOURCES += src/borntaylor/seeds.c
