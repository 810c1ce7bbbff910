# series: symmetric tensors and truncated multivariate series (layer 1)
pkginclude_HEADERS += include/feynn/series.h
noinst_HEADERS += src/series/internal.h src/series/symtensor_tpl.c src/series/mseries_tpl.c
libfeynn_la_SOURCES += src/series/mindex.c src/series/symtensor.c src/series/mseries.c \
	src/series/symtensor_d.c src/series/symtensor_arb.c src/series/symtensor_fmpq.c \
	src/series/mseries_d.c src/series/mseries_arb.c src/series/mseries_fmpq.c
libfeynn_la_SOURCES += src/series/symtensor_randtest.c
