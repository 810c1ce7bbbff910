# eval: tree diagrams evaluated as tensor contractions (layer 2)
pkginclude_HEADERS += include/feynn/eval.h
noinst_HEADERS += src/eval/eval_internal.h src/eval/eval_tpl.c
libfeynn_la_SOURCES += src/eval/eval.c src/eval/eval_d.c src/eval/eval_arb.c src/eval/eval_fmpq.c
