# inn: actions of invertible networks, layer by layer, as diagrams (layer 4)
pkginclude_HEADERS += include/feynn/inn.h
noinst_HEADERS += src/inn/inn_internal.h src/inn/pull_tpl.c
libfeynn_la_SOURCES += src/inn/action.c src/inn/check.c src/inn/norm.c src/inn/pull_d.c src/inn/pull_arb.c src/inn/pull_fmpq.c
# output: the action as a polynomial (text, LaTeX, JSON, npy), layer diagrams, model info
libfeynn_la_SOURCES += src/inn/print.c
EXTRA_DIST += doc/schema/inn-action.schema.json doc/schema/inn-diagrams.schema.json \
	doc/schema/inn-info.schema.json
# training: maximum likelihood on samples (Adam, L-BFGS; issue 12)
libfeynn_la_SOURCES += src/inn/train.c
# learned against true (issue 12): the network in double with its exact inverse, the
# comparison with a lattice theory (tensors, couplings, KL, cumulants) and its report
noinst_HEADERS += src/inn/compare_internal.h
libfeynn_la_SOURCES += src/inn/invert.c src/inn/compare.c src/inn/compare_print.c
# the [M] experiment: the demo and the depth x data scan, with their report
libfeynn_la_SOURCES += src/inn/demo.c src/inn/demo_report.c
EXTRA_DIST += doc/schema/inn-compare.schema.json
# inn-diag (issue 12): the diagrams of cubic layers, of the learned quartic, its truncations
libfeynn_la_SOURCES += src/inn/diagrams.c src/inn/demo_quartic.c
# api (issue 9): one loader of samples (npy or safetensors, a named tensor) for train and compare
libfeynn_la_SOURCES += src/inn/samples.c
# inn12 (issue 12): the true family's maximum-likelihood fit on a ring (the statistical floor)
libfeynn_la_SOURCES += src/inn/ringfit.c
