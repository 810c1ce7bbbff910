# mlp: propagators, vertices and Taylor tensors of multilayer perceptrons (layer 3)
pkginclude_HEADERS += include/feynn/mlp.h
noinst_HEADERS += src/mlp/mlp_internal.h src/mlp/taylor_tpl.c src/mlp/tensors_tpl.c
libfeynn_la_SOURCES += src/mlp/mlp.c src/mlp/taylor_d.c src/mlp/taylor_arb.c src/mlp/taylor_fmpq.c \
	src/mlp/tensors_d.c src/mlp/tensors_arb.c src/mlp/tensors_fmpq.c src/mlp/tensors_fx.c \
	src/mlp/fdb_index.c src/mlp/symbolic.c
EXTRA_DIST += doc/schema/taylor.schema.json examples/compare_pytorch.py
libfeynn_la_SOURCES += src/mlp/check.c
libfeynn_la_SOURCES += src/mlp/diagram3.c
noinst_HEADERS += src/mlp/spine_tpl.c src/mlp/vec_tpl.h
libfeynn_la_SOURCES += src/mlp/spine_d.c src/mlp/spine_arb.c src/mlp/spine_fmpq.c
libfeynn_la_SOURCES += src/mlp/dense.c
