# enumerate (layer 2)
pkginclude_HEADERS += include/feynn/enumerate.h
noinst_HEADERS += src/enumerate/enum_internal.h
libfeynn_la_SOURCES += src/enumerate/common.c src/enumerate/treepool.c src/enumerate/mlp_trees.c \
	src/enumerate/mlp_labelled.c src/enumerate/inn.c src/enumerate/born.c
# Feynman graphs from a vertex multiset, with the zero-dimensional oracle
pkginclude_HEADERS += include/feynn/feynman.h
libfeynn_la_SOURCES += src/enumerate/feynman.c src/enumerate/feynman_oracle.c
