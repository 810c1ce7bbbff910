/* The diagram type: storage, adders, connectivity; see feynn/graph.h. */
#include <stdlib.h>
#include <string.h>

#include "feynn/graph.h"
#include "graph/canon.h"

void fy_diagram_init(fy_diagram_t d, const fy_family_struct *family)
{
    memset(d, 0, sizeof *d);
    d->family = family;
    d->root = -1;
    fmpz_init(d->aut);
    fmpq_init(d->mult);
    fmpq_init(d->sym);
}

void fy_diagram_clear(fy_diagram_t d)
{
    free(d->v);
    free(d->l);
    free(d->leg);
    free(d->canon);
    fmpz_clear(d->aut);
    fmpq_clear(d->mult);
    fmpq_clear(d->sym);
}

static void drop_canon(fy_diagram_t d)
{
    free(d->canon);
    d->canon = NULL;
    fmpz_zero(d->aut);
}

void fy_diagram_reset(fy_diagram_t d)
{
    d->nv = d->nl = d->nlegs = 0;
    d->root = -1;
    drop_canon(d);
    fmpq_zero(d->mult);
    fmpq_zero(d->sym);
}

/* Grows *arr (of elements of size sz) to hold at least need elements. */
static int grow(void **arr, int *alloc, int need, size_t sz, fy_error_t err)
{
    if (need <= *alloc)
        return FY_OK;
    {
        int cap = *alloc ? 2 * *alloc : 8;
        void *p;
        while (cap < need)
            cap *= 2;
        p = fy_realloc(*arr, (size_t) cap, sz, err);
        if (p == NULL)
            return FY_ENOMEM;
        *arr = p;
        *alloc = cap;
    }
    return FY_OK;
}

void fy_diagram_set(fy_diagram_t dst, const fy_diagram_t src)
{
    if (dst == src)
        return;
    fy_diagram_reset(dst);
    dst->family = src->family;
    /* Allocation failure here leaves dst empty; copies are small and callers that need to
     * detect it use fy_diagram_list_push, which checks. */
    if (grow((void **) &dst->v, &dst->alloc_v, src->nv, sizeof *src->v, NULL) != FY_OK ||
        grow((void **) &dst->l, &dst->alloc_l, src->nl, sizeof *src->l, NULL) != FY_OK ||
        grow((void **) &dst->leg, &dst->alloc_legs, src->nlegs, sizeof *src->leg, NULL) != FY_OK)
        return;
    if (src->nv)
        memcpy(dst->v, src->v, (size_t) src->nv * sizeof *src->v);
    if (src->nl)
        memcpy(dst->l, src->l, (size_t) src->nl * sizeof *src->l);
    if (src->nlegs)
        memcpy(dst->leg, src->leg, (size_t) src->nlegs * sizeof *src->leg);
    dst->nv = src->nv;
    dst->nl = src->nl;
    dst->nlegs = src->nlegs;
    dst->root = src->root;
    if (src->canon != NULL)
    {
        size_t n = strlen(src->canon) + 1;
        dst->canon = malloc(n);
        if (dst->canon != NULL)
            memcpy(dst->canon, src->canon, n);
    }
    fmpz_set(dst->aut, src->aut);
    fmpq_set(dst->mult, src->mult);
    fmpq_set(dst->sym, src->sym);
}

int fy_diagram_add_vertex(fy_diagram_t d, int kind, int level, fy_error_t err)
{
    if (grow((void **) &d->v, &d->alloc_v, d->nv + 1, sizeof *d->v, err) != FY_OK)
        return -1;
    drop_canon(d);
    d->v[d->nv].kind = kind;
    d->v[d->nv].level = level;
    d->v[d->nv].valence = 0;
    return d->nv++;
}

int fy_diagram_add_line(fy_diagram_t d, int u, int v, int kind, fy_error_t err)
{
    if (u < 0 || v < 0 || u >= d->nv || v >= d->nv)
    {
        fy_error_set(err, FY_EINTERNAL, "line (%d,%d) names a vertex outside 0..%d", u, v,
                     d->nv - 1);
        return -1;
    }
    if (grow((void **) &d->l, &d->alloc_l, d->nl + 1, sizeof *d->l, err) != FY_OK)
        return -1;
    drop_canon(d);
    d->l[d->nl].u = u;
    d->l[d->nl].v = v;
    d->l[d->nl].kind = kind;
    d->v[u].valence++;
    d->v[v].valence++;
    return d->nl++;
}

int fy_diagram_add_leg(fy_diagram_t d, int vertex, int label, int kind, fy_error_t err)
{
    if (vertex < 0 || vertex >= d->nv)
    {
        fy_error_set(err, FY_EINTERNAL, "leg names vertex %d outside 0..%d", vertex, d->nv - 1);
        return -1;
    }
    if (grow((void **) &d->leg, &d->alloc_legs, d->nlegs + 1, sizeof *d->leg, err) != FY_OK)
        return -1;
    drop_canon(d);
    d->leg[d->nlegs].vertex = vertex;
    d->leg[d->nlegs].label = label;
    d->leg[d->nlegs].kind = kind;
    d->v[vertex].valence++;
    return d->nlegs++;
}

/* Union-find over vertices, optionally ignoring one line. */
static int find(int *p, int x)
{
    while (p[x] != x)
    {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

static int components_without(const fy_diagram_t d, int skip_line)
{
    int *p, i, c;
    if (d->nv == 0)
        return 0;
    p = malloc((size_t) d->nv * sizeof *p);
    if (p == NULL)
        return -1;
    for (i = 0; i < d->nv; i++)
        p[i] = i;
    c = d->nv;
    for (i = 0; i < d->nl; i++)
    {
        int a, b;
        if (i == skip_line)
            continue;
        a = find(p, d->l[i].u);
        b = find(p, d->l[i].v);
        if (a != b)
        {
            p[a] = b;
            c--;
        }
    }
    free(p);
    return c;
}

int fy_diagram_components(const fy_diagram_t d)
{
    return components_without(d, -1);
}

int fy_diagram_loops(const fy_diagram_t d)
{
    return d->nl - d->nv + fy_diagram_components(d);
}

int fy_diagram_is_tree(const fy_diagram_t d)
{
    return d->nv > 0 && fy_diagram_components(d) == 1 && d->nl == d->nv - 1;
}

int fy_diagram_is_1pi(const fy_diagram_t d)
{
    int i;
    if (fy_diagram_components(d) != 1)
        return 0;
    for (i = 0; i < d->nl; i++)
        if (components_without(d, i) != 1)
            return 0;
    return 1;
}

int fy_diagram_canonicalise(fy_diagram_t d, fy_error_t err)
{
    drop_canon(d);
    if (fy_diagram_is_tree(d))
        return _fy_canon_tree(d, err);
    return _fy_canon_graph(d, err);
}

char *fy_diagram_shape_string(const fy_diagram_t d)
{
    /* "V[kind@level/val ...] L[u-v:kind ...] E[vertex:label ...]" */
    size_t cap = 64 + 24 * (size_t) (d->nv + d->nl + d->nlegs), n = 0;
    char *s = malloc(cap);
    int i;
    if (s == NULL)
        return NULL;
    n += (size_t) snprintf(s + n, cap - n, "V[");
    for (i = 0; i < d->nv; i++)
        n += (size_t) snprintf(s + n, cap - n, "%s%d@%d/%d", i ? " " : "", d->v[i].kind,
                               d->v[i].level, d->v[i].valence);
    n += (size_t) snprintf(s + n, cap - n, "] L[");
    for (i = 0; i < d->nl; i++)
        n += (size_t) snprintf(s + n, cap - n, "%s%d-%d:%d", i ? " " : "", d->l[i].u, d->l[i].v,
                               d->l[i].kind);
    n += (size_t) snprintf(s + n, cap - n, "] E[");
    for (i = 0; i < d->nlegs; i++)
        n += (size_t) snprintf(s + n, cap - n, "%s%d:%d", i ? " " : "", d->leg[i].vertex,
                               d->leg[i].label);
    snprintf(s + n, cap - n, "]");
    return s;
}

void fy_diagram_list_init(fy_diagram_list_t list)
{
    list->d = NULL;
    list->n = list->alloc = 0;
}

void fy_diagram_list_clear(fy_diagram_list_t list)
{
    long i;
    for (i = 0; i < list->n; i++)
        fy_diagram_clear(list->d + i);
    free(list->d);
    fy_diagram_list_init(list);
}

int fy_diagram_list_push(fy_diagram_list_t list, const fy_diagram_t d, fy_error_t err)
{
    fy_diagram_struct *e;
    if (list->n == list->alloc)
    {
        long cap = list->alloc ? 2 * list->alloc : 16;
        fy_diagram_struct *p = fy_realloc(list->d, (size_t) cap, sizeof *p, err);
        if (p == NULL)
            return FY_ENOMEM;
        list->d = p;
        list->alloc = cap;
    }
    e = list->d + list->n;
    fy_diagram_init(e, d->family);
    fy_diagram_set(e, d);
    if (e->nv != d->nv || (d->canon != NULL && e->canon == NULL))
    {
        fy_diagram_clear(e);
        return fy_error_set(err, FY_ENOMEM, "out of memory copying a diagram");
    }
    list->n++;
    return FY_OK;
}

static int cmp_canon(const void *a, const void *b)
{
    const fy_diagram_struct *x = a, *y = b;
    if (x->canon == NULL || y->canon == NULL)
        return (x->canon == NULL) - (y->canon == NULL);
    return strcmp(x->canon, y->canon);
}

void fy_diagram_list_sort(fy_diagram_list_t list)
{
    if (list->n > 1)
        qsort(list->d, (size_t) list->n, sizeof *list->d, cmp_canon);
}
