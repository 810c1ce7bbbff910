# util: errors as values, files, progress (layer 0)
pkginclude_HEADERS += include/feynn/error.h include/feynn/util.h include/feynn/feynn.h
libfeynn_la_SOURCES += src/util/error.c src/util/file.c src/util/progress.c
