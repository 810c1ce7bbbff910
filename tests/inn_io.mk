# tests of the INN type of module io: the cmocka program (layers, forward map, condition
# numbers, text and safetensors formats, the example files).
check_PROGRAMS += tests/test_inn_io
tests_test_inn_io_SOURCES = tests/test_inn_io.c tests/testutil.h
tests_test_inn_io_CPPFLAGS = $(TEST_CPPFLAGS)
tests_test_inn_io_LDADD = $(TEST_LDADD)
TESTS += tests/test_inn_io
CLEANFILES += test_inn_io_rt.out test_inn_io_rt.feynn-inn.out test_inn_io_rt.safetensors.out

# the fuzz target of the text INN format, replayed over its corpus by tests/fuzz-smoke.sh
FUZZ_TARGETS += inn_text
check_PROGRAMS += fuzz/replay_inn_text
fuzz_replay_inn_text_SOURCES = fuzz/fuzz_inn_text.c fuzz/replay.c
fuzz_replay_inn_text_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += fuzz/corpus/inn_text
