# jet: Taylor-mode automatic differentiation of MLPs, the independent check (layer 2)
pkginclude_HEADERS += include/feynn/jet.h
noinst_HEADERS += src/jet/jet_internal.h src/jet/jet_tpl.c src/jet/inn_internal.h \
	src/jet/inn_tpl.c
libfeynn_la_SOURCES += src/jet/net.c src/jet/interp.c src/jet/jet.c \
	src/jet/jet_d.c src/jet/jet_arb.c src/jet/jet_fmpq.c \
	src/jet/inn.c src/jet/inn_d.c src/jet/inn_arb.c src/jet/inn_fmpq.c
