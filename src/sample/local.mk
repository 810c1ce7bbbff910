# sample: lattice theories with polynomial actions, Hamiltonian Monte Carlo, cumulants (layer 3)
pkginclude_HEADERS += include/feynn/sample.h
libfeynn_la_SOURCES += src/sample/theory.c src/sample/hmc.c src/sample/stats.c \
	src/sample/moments.c
EXTRA_DIST += doc/theory-format.md
