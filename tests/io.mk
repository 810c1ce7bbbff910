# tests of module io: the cmocka program, the shell tests of `feynn model`, and the fuzz targets
# of the three parsers (replayed over their committed corpora by tests/fuzz-smoke.sh).
check_PROGRAMS += tests/test_io tests/json_check
tests_test_io_SOURCES = tests/test_io.c tests/testutil.h
tests_test_io_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_io_LDADD = $(TEST_LDADD)
tests_json_check_SOURCES = tests/json_check.c
tests_json_check_CPPFLAGS = $(AM_CPPFLAGS)
tests_json_check_LDADD = $(JANSSON_LIBS)
TESTS += tests/test_io tests/test_model_cli.sh
EXTRA_DIST += tests/test_model_cli.sh examples/README.md \
	examples/export_pytorch.py examples/tiny_mlp.safetensors examples/tiny_mlp_weights.txt \
	examples/tiny_mlp.feynn examples/tiny_mlp_derivs.json examples/tiny_mlp_npy
CLEANFILES += test_io_rt.npy.out test_io_net.safetensors.out test_io_net.txt.out \
	test_io_net16.out model_cli.out model_cli.err model_cli.json model_cli_noact.txt \
	model_cli_bad.txt model_cli_cut.safetensors

FUZZ_TARGETS += safetensors npy model_text
check_PROGRAMS += fuzz/replay_safetensors fuzz/replay_npy fuzz/replay_model_text
fuzz_replay_safetensors_SOURCES = fuzz/fuzz_safetensors.c fuzz/replay.c
fuzz_replay_safetensors_LDADD = libfeynn.la $(FY_DEPLIBS)
fuzz_replay_npy_SOURCES = fuzz/fuzz_npy.c fuzz/replay.c
fuzz_replay_npy_LDADD = libfeynn.la $(FY_DEPLIBS)
fuzz_replay_model_text_SOURCES = fuzz/fuzz_model_text.c fuzz/replay.c
fuzz_replay_model_text_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += fuzz/corpus/safetensors fuzz/corpus/npy fuzz/corpus/model_text
# the one JSON encoding of a ball and the finite-or-null number (io/json_num.h; issue 9)
check_PROGRAMS += tests/test_json_ball
tests_test_json_ball_SOURCES = tests/test_json_ball.c tests/testutil.h
tests_test_json_ball_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_json_ball_LDADD = $(TEST_LDADD)
TESTS += tests/test_json_ball
