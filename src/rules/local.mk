# rules (layer 2): rule files, theories and activation functions
pkginclude_HEADERS += include/feynn/rules.h
noinst_HEADERS += src/rules/rules_impl.h
libfeynn_la_SOURCES += src/rules/lexer.c src/rules/expr.c src/rules/parse.c \
	src/rules/theory.c src/rules/activation.c src/rules/registry.c src/rules/draw_style.c
dist_rules_DATA += rules/mlp.rules rules/inn.rules rules/born.rules rules/nnft.rules \
	rules/activations.rules
EXTRA_DIST += doc/rules-format.md
