/* dl.c - the optional back ends opened on first use (see dl.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/dl.h"

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

/* FEYNN_DL_HIDE=libplplot,libmpi (for tests): libraries whose soname contains one of the
 * comma-separated words are treated as not installed. */
static int hidden(const char *soname)
{
    const char *h = getenv("FEYNN_DL_HIDE"), *p;
    char word[128];
    size_t n;
    if (h == NULL)
        return 0;
    for (p = h; *p; p += n + (p[n] == ','))
    {
        n = strcspn(p, ",");
        if (n == 0 || n >= sizeof word)
            continue;
        memcpy(word, p, n);
        word[n] = '\0';
        if (strstr(soname, word) != NULL)
            return 1;
    }
    return 0;
}

/* dlopen by soname (the loader's search path), then by configure's full path. */
static void *open_lib(fy_dl_lib_struct *lib, char *why, size_t n)
{
    int flags = RTLD_NOW | (lib->global ? RTLD_GLOBAL : RTLD_LOCAL);
    const char *e;
    void *h;
    if (hidden(lib->soname))
    {
        snprintf(why, n, "hidden by FEYNN_DL_HIDE");
        return NULL;
    }
    h = dlopen(lib->soname, flags);
    if (h != NULL)
        return h;
    e = dlerror();
    snprintf(why, n, "%s", e ? e : "not found");
    if (lib->path != NULL && lib->path[0] && strcmp(lib->path, lib->soname) != 0)
        h = dlopen(lib->path, flags);
    return h;
}

static void load_locked(fy_dl_lib_struct *lib)
{
    const fy_dl_sym_struct *s;
    char why[320];
    why[0] = '\0';
    lib->handle = open_lib(lib, why, sizeof why);
    if (lib->handle == NULL)
    {
        snprintf(lib->msg, sizeof lib->msg, "%s (%s) cannot be loaded: %s. Install it "
                 "(Debian/Ubuntu: apt-get install %s)", lib->what, lib->soname, why,
                 lib->package);
        lib->state = -1;
        return;
    }
    for (s = lib->syms; s != NULL && s->name != NULL; s++)
    {
        void *a;
        dlerror();
        a = dlsym(lib->handle, s->name);
        if (a == NULL)
        {
            snprintf(lib->msg, sizeof lib->msg, "%s (%s) has no symbol %s: the installed "
                     "version is not the one feynn was built with (reinstall %s, or reconfigure "
                     "and rebuild feynn)", lib->what, lib->soname, s->name, lib->package);
            dlclose(lib->handle);
            lib->handle = NULL;
            lib->state = -1;
            return;
        }
        *s->addr = a;
    }
    lib->state = 1;
}

int fy_dl_load(fy_dl_lib_struct *lib, fy_error_t err)
{
    int state;
    pthread_mutex_lock(&dl_lock);
    if (lib->state == 0)
        load_locked(lib);
    state = lib->state;
    pthread_mutex_unlock(&dl_lock);
    if (state == 1)
        return FY_OK;
    return fy_error_set(err, FY_EUNSUPPORTED, "%s", lib->msg);
}

int fy_dl_loaded(const fy_dl_lib_struct *lib)
{
    int state;
    pthread_mutex_lock(&dl_lock);
    state = lib->state;
    pthread_mutex_unlock(&dl_lock);
    return state == 1;
}
