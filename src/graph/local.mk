# graph: diagrams, canonical forms, symmetry factors (layer 2)
pkginclude_HEADERS += include/feynn/graph.h
noinst_HEADERS += src/graph/canon.h
libfeynn_la_SOURCES += src/graph/diagram.c
libfeynn_la_SOURCES += src/graph/canon_tree.c src/graph/canon_graph.c
noinst_HEADERS += src/graph/canon_graph.h
libfeynn_la_SOURCES += src/graph/canon_graph_exact.c src/graph/canon_graph_nauty.c src/graph/canon_search.c
