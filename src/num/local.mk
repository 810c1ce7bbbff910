# num: the three arithmetics behind one interface (layer 1)
pkginclude_HEADERS += include/feynn/num.h
libfeynn_la_SOURCES += src/num/float.c
