# num: the three arithmetics behind one interface (layer 1)
pkginclude_HEADERS += include/feynn/num.h
noinst_HEADERS += src/num/backend.h src/num/numvec_tpl.c src/num/fxball.h src/num/blas.h
libfeynn_la_SOURCES += src/num/float.c src/num/convert.c src/num/text.c src/num/refine.c \
	src/num/numvec.c src/num/numvec_d.c src/num/numvec_arb.c src/num/numvec_fmpq.c \
	src/num/fxball.c src/num/blas.c
libfeynn_la_SOURCES += src/num/randtest.c
