# util: errors as values, files, progress, the random generator (layer 0)
pkginclude_HEADERS += include/feynn/error.h include/feynn/util.h include/feynn/feynn.h \
	include/feynn/rng.h
libfeynn_la_SOURCES += src/util/error.c src/util/file.c src/util/progress.c src/util/rng.c src/util/outdir.c src/util/memlimit.c src/util/strbuf.c
# helper programs (dot for the demos' diagram PDFs; inn-diag, issue 12)
libfeynn_la_SOURCES += src/util/program.c
# the optional back ends (PLplot, Graphviz, MPI) opened on first use (issue 16)
libfeynn_la_SOURCES += src/util/dl.c
noinst_HEADERS += src/util/dl.h src/util/transpose512.h
