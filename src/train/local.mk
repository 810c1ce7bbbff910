# train: MLP regression training (Adam, early stopping, L-BFGS), ensembles, data tools (layer 3)
pkginclude_HEADERS += include/feynn/train.h
noinst_HEADERS += src/train/train_internal.h src/train/optim.h
libfeynn_la_SOURCES += src/train/kernel.c src/train/train.c src/train/net_tools.c
# the vectorised tanh of the trainer (issue 16)
libfeynn_la_SOURCES += src/train/tanh_fast.c
# optimiser pieces shared with the INN trainer (src/inn/train.c)
libfeynn_la_SOURCES += src/train/optim.c
