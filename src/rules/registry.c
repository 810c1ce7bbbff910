/* The registry of rule files: loading files and directories, the search path
 * ($FEYNN_RULES_PATH; then the source tree for a program run from the build tree, the
 * installed rules for an installed one), and lookups. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "feynn/util.h"
#include "rules/rules_impl.h"

void fy_rules_init(fy_rules_t r)
{
    memset(r, 0, sizeof *r);
}

void fy_rules_clear(fy_rules_t r)
{
    int i;
    for (i = 0; i < r->ntheories; i++)
        fy_theory_clear(r->theories + i);
    free(r->theories);
    for (i = 0; i < r->nacts; i++)
        fy_activation_clear(r->acts + i);
    free(r->acts);
    for (i = 0; i < r->nfiles; i++)
        free(r->files[i]);
    free(r->files);
    memset(r, 0, sizeof *r);
}

int fy_rules_push_theory(fy_rules_t r, fy_theory_struct *th, fy_error_t err)
{
    if (r->ntheories == r->alloc_theories)
    {
        int na = r->alloc_theories ? 2 * r->alloc_theories : 8;
        fy_theory_struct *n = fy_realloc(r->theories, (size_t) na, sizeof *n, err);
        if (n == NULL)
            return FY_ENOMEM;
        r->theories = n;
        r->alloc_theories = na;
    }
    r->theories[r->ntheories++] = *th;
    return FY_OK;
}

int fy_rules_push_activation(fy_rules_t r, fy_activation_struct *a, fy_error_t err)
{
    if (r->nacts == r->alloc_acts)
    {
        int na = r->alloc_acts ? 2 * r->alloc_acts : 16;
        fy_activation_struct *n = fy_realloc(r->acts, (size_t) na, sizeof *n, err);
        if (n == NULL)
            return FY_ENOMEM;
        r->acts = n;
        r->alloc_acts = na;
    }
    r->acts[r->nacts++] = *a;
    return FY_OK;
}

static int push_file(fy_rules_t r, const char *path, fy_error_t err)
{
    char *d;
    if (r->nfiles == r->alloc_files)
    {
        int na = r->alloc_files ? 2 * r->alloc_files : 8;
        char **n = fy_realloc(r->files, (size_t) na, sizeof *n, err);
        if (n == NULL)
            return FY_ENOMEM;
        r->files = n;
        r->alloc_files = na;
    }
    if ((d = fy_strdup_err(path, err)) == NULL)
        return FY_ENOMEM;
    r->files[r->nfiles++] = d;
    return FY_OK;
}

int fy_rules_load_file(fy_rules_t r, const char *path, fy_error_t err)
{
    char *text;
    size_t len;
    int rc = fy_file_read(&text, &len, path, FY_RULES_MAX_FILE, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_rules_parse(r, text, len, path, err);
    free(text);
    if (rc == FY_OK)
        rc = push_file(r, path, err);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int fy_rules_load_dir(fy_rules_t r, const char *dir, fy_error_t err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    int n = 0, alloc = 0, i, rc = FY_OK;
    fy_rules_t local;

    if (d == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot open the rules directory: %s", dir,
                            strerror(errno));
    while ((e = readdir(d)) != NULL)
    {
        size_t l = strlen(e->d_name);
        if (l <= 6 || strcmp(e->d_name + l - 6, ".rules") != 0 || e->d_name[0] == '.')
            continue;
        if (n == alloc)
        {
            int na = alloc ? 2 * alloc : 16;
            char **nn = fy_realloc(names, (size_t) na, sizeof *nn, err);
            if (nn == NULL)
            {
                rc = FY_ENOMEM;
                break;
            }
            names = nn;
            alloc = na;
        }
        if ((names[n] = fy_malloc(strlen(dir) + l + 2, 1, err)) == NULL)
        {
            rc = FY_ENOMEM;
            break;
        }
        strcpy(names[n], dir);
        strcat(names[n], "/");
        strcat(names[n], e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, (size_t) n, sizeof *names, cmp_str);
    /* One directory's files together: a name twice in one directory is an error. */
    fy_rules_init(local);
    for (i = 0; rc == FY_OK && i < n; i++)
        rc = fy_rules_load_file(local, names[i], err);
    for (i = 0; rc == FY_OK && i < local->ntheories; i++)
    {
        if (fy_rules_theory(r, local->theories[i].name) != NULL)
        {
            r->nshadowed++;
            continue;
        }
        if ((rc = fy_rules_push_theory(r, local->theories + i, err)) == FY_OK)
            fy_theory_init(local->theories + i);
    }
    for (i = 0; rc == FY_OK && i < local->nacts; i++)
    {
        if (fy_rules_activation(r, local->acts[i].name) != NULL)
        {
            r->nshadowed++;
            continue;
        }
        if ((rc = fy_rules_push_activation(r, local->acts + i, err)) == FY_OK)
            fy_activation_init(local->acts + i);
    }
    for (i = 0; rc == FY_OK && i < local->nfiles; i++)
        rc = push_file(r, local->files[i], err);
    fy_rules_clear(local);
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int add_dir(char ***dirs, int *n, const char *p, size_t len, fy_error_t err)
{
    char *d, *real, **nd;
    int i;
    if (len == 0)
        return FY_OK;
    if ((d = fy_strndup_err(p, len, err)) == NULL)
        return FY_ENOMEM;
    if (!is_dir(d))
    {
        free(d);
        return FY_OK;
    }
    /* leave out a directory already listed under another spelling */
    real = realpath(d, NULL);
    for (i = 0; real != NULL && i < *n; i++)
    {
        char *o = realpath((*dirs)[i], NULL);
        int same = o != NULL && strcmp(o, real) == 0;
        free(o);
        if (same)
        {
            free(real);
            free(d);
            return FY_OK;
        }
    }
    if (real != NULL)
    {
        /* show the canonical spelling (no "build/../rules") */
        free(d);
        d = real;
    }
    nd = fy_realloc(*dirs, (size_t) *n + 1, sizeof *nd, err);
    if (nd == NULL)
    {
        free(d);
        return FY_ENOMEM;
    }
    *dirs = nd;
    nd[(*n)++] = d;
    return FY_OK;
}

/* The directory of the running program (resolved, no trailing slash), or NULL. */
static char *exe_dir(void)
{
    char *exe = realpath("/proc/self/exe", NULL), *slash;
    if (exe == NULL)
        return NULL;
    slash = strrchr(exe, '/');
    if (slash == NULL || slash == exe)
    {
        free(exe);
        return NULL;
    }
    *slash = '\0';
    return exe;
}

/* 1 if the running program lives inside the build tree (the feynn of `make`, the tests). */
static int running_in_build_tree(const char *dir)
{
#ifdef FY_BUILDDIR
    char *b = realpath(FY_BUILDDIR, NULL);
    size_t n;
    int in;
    if (b == NULL || dir == NULL)
    {
        free(b);
        return 0;
    }
    n = strlen(b);
    in = strncmp(dir, b, n) == 0 && (dir[n] == '/' || dir[n] == '\0');
    free(b);
    return in;
#else
    (void) dir;
    return 0;
#endif
}

int fy_rules_search_path(char ***dirs, int *n, fy_error_t err)
{
    const char *env = getenv("FEYNN_RULES_PATH");
    char *exe = exe_dir();
    int rc = FY_OK, in_build = running_in_build_tree(exe);

    *dirs = NULL;
    *n = 0;
    if (env != NULL)
    {
        const char *p = env;
        while (rc == FY_OK)
        {
            const char *c = strchr(p, ':');
            size_t l = c ? (size_t) (c - p) : strlen(p);
            rc = add_dir(dirs, n, p, l, err);
            if (c == NULL)
                break;
            p = c + 1;
        }
    }
    /* A feynn run from its build tree reads the rules of its source tree; an installed one
     * reads the installed rules: beside the program (PREFIX/bin/../share/feynn/rules, which
     * also finds a tree installed with `make install prefix=...` or moved elsewhere), then
     * the data directory configure chose; the source tree only as the last resort. */
#ifdef FY_SRCDIR
    if (rc == FY_OK && in_build)
        rc = add_dir(dirs, n, FY_SRCDIR "/rules", strlen(FY_SRCDIR "/rules"), err);
#endif
    if (rc == FY_OK && exe != NULL && !in_build)
    {
        size_t len = strlen(exe) + 32;
        char *p = fy_malloc(len, 1, err);
        if (p == NULL)
            rc = FY_ENOMEM;
        else
        {
            snprintf(p, len, "%s/../share/feynn/rules", exe);
            rc = add_dir(dirs, n, p, strlen(p), err);
            free(p);
        }
    }
#ifdef FY_DATADIR
    if (rc == FY_OK)
        rc = add_dir(dirs, n, FY_DATADIR "/rules", strlen(FY_DATADIR "/rules"), err);
#endif
#ifdef FY_SRCDIR
    if (rc == FY_OK && !in_build)
        rc = add_dir(dirs, n, FY_SRCDIR "/rules", strlen(FY_SRCDIR "/rules"), err);
#endif
    free(exe);
    if (rc != FY_OK)
    {
        int i;
        for (i = 0; i < *n; i++)
            free((*dirs)[i]);
        free(*dirs);
        *dirs = NULL;
        *n = 0;
    }
    return rc;
}

static void free_dirs(char **dirs, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
}

int fy_rules_load_default(fy_rules_t r, fy_error_t err)
{
    char **dirs;
    int n, i, rc = fy_rules_search_path(&dirs, &n, err);
    if (rc != FY_OK)
        return rc;
    if (n == 0)
        return fy_error_set(err, FY_EIO, "no rules directory found: set FEYNN_RULES_PATH to a "
                            "directory of *.rules files, or install feynn");
    for (i = 0; rc == FY_OK && i < n; i++)
        rc = fy_rules_load_dir(r, dirs[i], err);
    free_dirs(dirs, n);
    return rc;
}

int fy_rules_find_file(char **path, const char *name, fy_error_t err)
{
    char **dirs;
    int n, i, rc = fy_rules_search_path(&dirs, &n, err);
    *path = NULL;
    if (rc != FY_OK)
        return rc;
    for (i = 0; i < n && *path == NULL; i++)
    {
        char *p = fy_malloc(strlen(dirs[i]) + strlen(name) + 2, 1, err);
        struct stat st;
        if (p == NULL)
        {
            rc = FY_ENOMEM;
            break;
        }
        strcpy(p, dirs[i]);
        strcat(p, "/");
        strcat(p, name);
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            *path = p;
        else
            free(p);
    }
    free_dirs(dirs, n);
    if (rc == FY_OK && *path == NULL)
        rc = fy_error_set(err, FY_EIO, "rules file %s not found on the search path "
                          "(FEYNN_RULES_PATH, the source tree, the installed data directory)",
                          name);
    return rc;
}

const fy_theory_struct *fy_rules_theory(const fy_rules_t r, const char *name)
{
    int i;
    for (i = 0; name != NULL && i < r->ntheories; i++)
        if (strcmp(r->theories[i].name, name) == 0)
            return r->theories + i;
    return NULL;
}

const fy_activation_struct *fy_rules_activation(const fy_rules_t r, const char *name)
{
    int i;
    for (i = 0; name != NULL && i < r->nacts; i++)
        if (strcmp(r->acts[i].name, name) == 0)
            return r->acts + i;
    return NULL;
}

const fy_kind_struct *fy_rules_kind(const fy_rules_t r, const char *theory, fy_kind_class_t cls,
                                    const char *kind)
{
    const fy_theory_struct *th = fy_rules_theory(r, theory);
    return th == NULL ? NULL : fy_theory_kind(th, cls, kind);
}

static const char *family_name(const fy_family_struct *fam, fy_kind_class_t cls, int kind)
{
    const char *const *names = NULL;
    int n = 0;
    switch (cls)
    {
    case FY_KIND_VERTEX:
        names = fam->vertex_kind_names;
        n = fam->n_vertex_kinds;
        break;
    case FY_KIND_LINE:
        names = fam->line_kind_names;
        n = fam->n_line_kinds;
        break;
    case FY_KIND_LEG:
        names = fam->leg_kind_names;
        n = fam->n_leg_kinds;
        break;
    }
    if (names == NULL || kind < 0 || kind >= n)
        return NULL;
    return names[kind];
}

const fy_kind_struct *fy_rules_family_kind(const fy_rules_t r, const fy_family_struct *fam,
                                           fy_kind_class_t cls, int kind)
{
    if (fam == NULL)
        return NULL;
    return fy_rules_kind(r, fam->theory, cls, family_name(fam, cls, kind));
}

int fy_rules_check_family(const fy_rules_t r, const fy_family_struct *fam, fy_error_t err)
{
    const fy_theory_struct *th;
    int c;
    if (fam == NULL || fam->theory == NULL)
        return fy_error_set(err, FY_EINPUT, "diagram family without a theory name");
    th = fy_rules_theory(r, fam->theory);
    if (th == NULL)
        return fy_error_set(err, FY_EINPUT, "no rule file defines theory '%s'", fam->theory);
    for (c = FY_KIND_VERTEX; c <= FY_KIND_LEG; c++)
    {
        int n = c == FY_KIND_VERTEX ? fam->n_vertex_kinds
              : c == FY_KIND_LINE ? fam->n_line_kinds : fam->n_leg_kinds;
        int k;
        for (k = 0; k < n; k++)
        {
            const char *name = family_name(fam, (fy_kind_class_t) c, k);
            if (name == NULL || fy_theory_kind(th, (fy_kind_class_t) c, name) == NULL)
                return fy_error_set(err, FY_EINPUT, "theory '%s' (%s) declares no %s kind '%s'",
                                    fam->theory, th->file ? th->file : "?",
                                    fy_kind_class_name((fy_kind_class_t) c),
                                    name ? name : "(null)");
        }
    }
    return FY_OK;
}
