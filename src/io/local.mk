# io: model and data files, JSON (layer 1)
pkginclude_HEADERS += include/feynn/io.h
noinst_HEADERS += src/io/io_internal.h src/io/net_internal.h src/io/inn_internal.h src/io/json_num.h
libfeynn_la_SOURCES += src/io/util.c src/io/npy.c src/io/safetensors.c src/io/model_text.c \
	src/io/net.c src/io/inn_net.c src/io/inn_text.c
EXTRA_DIST += doc/model-format.md doc/schema/model-info.schema.json
EXTRA_DIST += doc/inn-format.md examples/tiny_inn.feynn-inn examples/tiny_inn.safetensors \
	examples/make_tiny_inn.py examples/inn_pytorch.py
libfeynn_la_SOURCES += src/io/json_ball.c
