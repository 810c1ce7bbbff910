# train: MLP regression training (Adam, early stopping, L-BFGS), ensembles, data tools (layer 3)
pkginclude_HEADERS += include/feynn/train.h
noinst_HEADERS += src/train/train_internal.h
libfeynn_la_SOURCES += src/train/kernel.c src/train/train.c src/train/net_tools.c
