# cli: the feynn command (layer 5), one file per subcommand
noinst_HEADERS += src/cli/cli.h
feynn_SOURCES += src/cli/main.c src/cli/common.c src/cli/cmd_version.c src/cli/cmd_model.c
feynn_SOURCES += src/cli/cmd_diagrams.c
feynn_SOURCES += src/cli/cmd_rules.c
EXTRA_DIST += doc/schema/diagrams.schema.json
feynn_SOURCES += src/cli/cmd_taylor.c
feynn_SOURCES += src/cli/cmd_born.c
noinst_HEADERS += src/cli/born_nn.h
feynn_SOURCES += src/cli/cmd_born_nn.c src/cli/cmd_demo.c
feynn_SOURCES += src/cli/cmd_demo_main.c src/cli/cmd_demo_nnft.c src/cli/cmd_demo_inn.c
EXTRA_DIST += doc/schema/born-verify.schema.json doc/schema/demo.schema.json
feynn_SOURCES += src/cli/cmd_inn.c src/cli/cmd_inn_sample.c
feynn_SOURCES += src/cli/cmd_nnft.c
feynn_SOURCES += src/cli/cmd_inn_train.c
feynn_SOURCES += src/cli/cmd_inn_compare.c
EXTRA_DIST += doc/schema/demo-inn.schema.json
feynn_SOURCES += src/cli/opt.c
noinst_HEADERS += src/cli/opt.h src/cli/nnft_cli.h
feynn_SOURCES += src/cli/cmd_nnft_qft.c
# make man: doc/feynn.1's OPTIONS blocks regenerated from the option tables (src/cli/opt.h);
# tests/test_cli_opt.sh fails when they are out of date
man: feynn$(EXEEXT)
	$(SHELL) $(top_srcdir)/doc/man-options.sh --update ./feynn$(EXEEXT) $(top_srcdir)/doc/feynn.1
.PHONY: man
feynn_SOURCES += src/cli/cmd_nnft_checks.c
EXTRA_DIST += doc/schema/nnft-rp.schema.json doc/schema/nnft-symmetry.schema.json \
	doc/schema/nnft-os.schema.json doc/schema/nnft-ib.schema.json
feynn_SOURCES += src/cli/checkpoint.c
