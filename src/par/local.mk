# par: MPI ranks, block decomposition, ordered reductions, job scans, chunk stores (layer 0;
# MPI optional: without it one rank, the same numbers)
pkginclude_HEADERS += include/feynn/par.h
libfeynn_la_SOURCES += src/par/par.c src/par/store.c
EXTRA_DIST += examples/slurm_nnft.sh
