# born: step potentials, exact Born terms and tensors, a_0 in ball arithmetic, data sets (layer 4)
pkginclude_HEADERS += include/feynn/born.h
noinst_HEADERS += src/born/born_internal.h
libfeynn_la_SOURCES += src/born/potential.c src/born/terms.c src/born/a0.c src/born/data.c
EXTRA_DIST += doc/potential-format.md doc/schema/born-terms.schema.json \
	doc/schema/born-a0.schema.json
libfeynn_la_SOURCES += src/born/sign.c
