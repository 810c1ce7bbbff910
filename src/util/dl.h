/* dl.h - the one loader of feynn's optional back ends (internal; issue 16).
 *
 * PLplot, Graphviz (cgraph, gvc) and MPI are not linked into libfeynn: a run that draws no
 * figure and starts no ranks never maps them.  The module that needs one describes it once
 * (a fy_dl_lib_struct: the name, the soname configure found, the package to install, the
 * symbols with the addresses of the pointers they fill) and calls fy_dl_load before its first
 * call into it; the first call opens the library and resolves every symbol, later calls only
 * report the outcome of the first.  The pointers keep the library's own prototypes
 * (FY_DL_PTR: __typeof__ of the header's declaration), so the headers still give the types.
 * Thread-safe (one mutex over all loads). */
#ifndef FEYNN_UTIL_DL_H
#define FEYNN_UTIL_DL_H

#include "feynn/error.h"

/* The member p_name of a table of pointers, with the prototype of the library's own name
 * (expand it before the macros that redirect name to the member).  The entries of a symbol
 * list are {#name, (void **) &api.p_##name}: with name next to # and ## only, so that a
 * redirecting macro does not replace it. */
#define FY_DL_PTR(name) __typeof__(name) *p_##name;

typedef struct
{
    const char *name; /* NULL ends the list */
    void **addr;
} fy_dl_sym_struct;

typedef struct
{
    const char *what;    /* "PLplot", "Graphviz cgraph", "MPI" */
    const char *soname;  /* "libplplot.so.17" (FY_SONAME_* from configure) */
    const char *path;    /* the same library's full path found by configure, or "" */
    const char *package; /* what to install: "libplplot-dev" */
    int global;          /* 1: RTLD_GLOBAL (MPI's plug-ins resolve symbols against it) */
    const fy_dl_sym_struct *syms;
    /* state, zero-initialised: 0 not tried, 1 loaded, -1 failed (msg says why) */
    int state;
    void *handle;
    char msg[480];
} fy_dl_lib_struct;

/* Opens lib (once) and fills every pointer of lib->syms.  FY_OK, or FY_EUNSUPPORTED with a
 * message naming the library, the soname, the loader's reason and the package to install. */
int fy_dl_load(fy_dl_lib_struct *lib, fy_error_t err);

/* 1 when lib was loaded (without trying to load it). */
int fy_dl_loaded(const fy_dl_lib_struct *lib);

#endif
