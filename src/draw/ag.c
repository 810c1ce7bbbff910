/* The one place where feynn talks to cgraph's char * interface (cgraph 2.42/2.43 takes
 * non-const names and attribute strings; it copies them into its own string pool, so a
 * temporary copy of a const string is all it needs). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "draw/draw_impl.h"

/* ------------------------------------------------------------------ loading cgraph */

fy_cgraph_api fy_cgraph;

/* name next to # and ## only: not replaced by the pointer macros of draw_impl.h */
#define CG_SYM(name) {#name, (void **) &fy_cgraph.p_##name},
static const fy_dl_sym_struct cgraph_syms[] = {FY_CGRAPH_SYMS(CG_SYM){NULL, NULL}};

static fy_dl_lib_struct cgraph_lib = {
    "Graphviz cgraph", FY_SONAME_CGRAPH, FY_PATH_CGRAPH, "libgraphviz-dev", 0, cgraph_syms,
    0, NULL, ""};

int fy_draw_cgraph_load(fy_error_t err)
{
    return fy_dl_load(&cgraph_lib, err);
}

/* ------------------------------------------------------------------ cgraph wrapper */

/* A writable copy of s: in buf when it fits, else malloc'd (*heap set, caller frees). */
static char *copy(char *buf, size_t n, const char *s, char **heap)
{
    size_t len = strlen(s) + 1;
    *heap = NULL;
    if (len <= n)
    {
        memcpy(buf, s, len);
        return buf;
    }
    *heap = malloc(len);
    if (*heap != NULL)
        memcpy(*heap, s, len);
    return *heap;
}

Agraph_t *fy_ag_open(const char *name, int directed)
{
    char b[128], *h, *p = copy(b, sizeof b, name, &h);
    Agraph_t *g = p ? agopen(p, directed ? Agdirected : Agundirected, NULL) : NULL;
    free(h);
    return g;
}

Agraph_t *fy_ag_subg(Agraph_t *g)
{
    /* Anonymous: cgraph numbers anonymous subgraphs in creation order, whereas named ones are
     * ordered by the address of their interned name, which would make the DOT text depend on
     * the allocator. */
    return agsubg(g, NULL, 1);
}

Agnode_t *fy_ag_node(Agraph_t *g, const char *name)
{
    char b[128], *h, *p = copy(b, sizeof b, name, &h);
    Agnode_t *n = p ? agnode(g, p, 1) : NULL;
    free(h);
    return n;
}

Agnode_t *fy_ag_find_node(Agraph_t *g, const char *name)
{
    char b[128], *h, *p = copy(b, sizeof b, name, &h);
    Agnode_t *n = p ? agnode(g, p, 0) : NULL;
    free(h);
    return n;
}

Agedge_t *fy_ag_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h)
{
    /* Anonymous edges: a multigraph keeps parallel lines apart. */
    return agedge(g, t, h, NULL, 1);
}

int fy_ag_default(Agraph_t *g, int kind, const char *name, const char *value)
{
    char b1[64], b2[256], *h1, *h2;
    char *n = copy(b1, sizeof b1, name, &h1), *v = copy(b2, sizeof b2, value, &h2);
    int rc = (n && v && agattr(g, kind, n, v) != NULL) ? 0 : -1;
    free(h1);
    free(h2);
    return rc;
}

int fy_ag_set(void *obj, const char *name, const char *value)
{
    char b1[64], b2[256], e[1] = "", *h1, *h2;
    char *n = copy(b1, sizeof b1, name, &h1), *v = copy(b2, sizeof b2, value, &h2);
    int rc = (n && v) ? agsafeset(obj, n, v, e) : -1;
    free(h1);
    free(h2);
    return rc == 0 ? 0 : -1;
}

const char *fy_ag_get(void *obj, const char *name)
{
    char b[64], *h, *n = copy(b, sizeof b, name, &h);
    const char *v = n ? agget(obj, n) : NULL;
    free(h);
    return v;
}

int fy_ag_set_list(void *obj, const char *list, fy_error_t err)
{
    const char *p = list;
    char name[64], value[256];
    while (*p)
    {
        size_t nn = 0, nv = 0;
        while (*p == ',' || *p == ';' || isspace((unsigned char) *p))
            p++;
        if (!*p)
            break;
        while (*p && (isalnum((unsigned char) *p) || *p == '_'))
        {
            if (nn + 1 >= sizeof name)
                return fy_error_set(err, FY_EINPUT, "DOT attribute name too long in '%s'", list);
            name[nn++] = *p++;
        }
        name[nn] = '\0';
        while (isspace((unsigned char) *p))
            p++;
        if (nn == 0 || *p != '=')
            return fy_error_set(err, FY_EINPUT,
                                "malformed DOT attributes '%s' at offset %d: expected name=value",
                                list, (int) (p - list));
        p++;
        while (isspace((unsigned char) *p))
            p++;
        if (*p == '"')
        {
            p++;
            while (*p && *p != '"')
            {
                if (*p == '\\' && p[1])
                    p++;
                if (nv + 1 >= sizeof value)
                    return fy_error_set(err, FY_EINPUT, "DOT attribute value too long in '%s'",
                                        list);
                value[nv++] = *p++;
            }
            if (*p != '"')
                return fy_error_set(err, FY_EINPUT, "unterminated quote in DOT attributes '%s'",
                                    list);
            p++;
        }
        else
            while (*p && *p != ',' && *p != ';' && !isspace((unsigned char) *p))
            {
                if (nv + 1 >= sizeof value)
                    return fy_error_set(err, FY_EINPUT, "DOT attribute value too long in '%s'",
                                        list);
                value[nv++] = *p++;
            }
        value[nv] = '\0';
        if (fy_ag_set(obj, name, value) != 0)
            return fy_error_set(err, FY_ENOMEM, "cannot set DOT attribute %s", name);
    }
    return FY_OK;
}
