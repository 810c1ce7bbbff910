/* Evaluation of tree diagrams: the plan of a tree, the provider cache, dispatch per arithmetic
 * and ranking.  The contraction itself is src/eval/eval_tpl.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"

typedef struct fy_eval_cached_struct
{
    int is_line, kind, a, b; /* line: (l, m); vertex: (level, children) */
    fy_numvec_struct v;
} fy_eval_cached_struct;

void fy_eval_init(fy_eval_t ev, const fy_eval_model_t model)
{
    ev->model = *model;
    ev->cache = NULL;
    ev->ncache = ev->alloc = 0;
}

void fy_eval_clear(fy_eval_t ev)
{
    long i;
    for (i = 0; i < ev->ncache; i++)
    {
        fy_numvec_clear(&ev->cache[i]->v);
        free(ev->cache[i]);
    }
    free(ev->cache);
    ev->cache = NULL;
    ev->ncache = ev->alloc = 0;
}

static const fy_numvec_struct *cached(fy_eval_t ev, int is_line, int kind, int a, int b,
                                      fy_error_t err)
{
    long i;
    int status;
    fy_eval_cached_struct *c;
    const fy_eval_model_struct *M = &ev->model;

    for (i = 0; i < ev->ncache; i++)
    {
        c = ev->cache[i];
        if (c->is_line == is_line && c->kind == kind && c->a == a && c->b == b)
            return &c->v;
    }
    if (a < 0 || a > M->levels || b < 0 || (is_line && b > M->levels))
    {
        fy_error_set(err, FY_EINPUT, "eval: %s at level %d/%d outside the model's 0..%d",
                     is_line ? "line" : "vertex", a, b, M->levels);
        return NULL;
    }
    if (ev->ncache == ev->alloc)
    {
        long na = ev->alloc ? 2 * ev->alloc : 16;
        fy_eval_cached_struct **p = fy_realloc(ev->cache, (size_t) na, sizeof *p, err);
        if (p == NULL)
            return NULL;
        ev->cache = p;
        ev->alloc = na;
    }
    c = fy_malloc(1, sizeof *c, err);
    if (c == NULL)
        return NULL;
    c->is_line = is_line;
    c->kind = kind;
    c->a = a;
    c->b = b;
    fy_numvec_init_empty(&c->v);
    status = is_line ? M->line(&c->v, M->ctx, kind, a, b, err)
                     : M->vertex(&c->v, M->ctx, kind, a, b, err);
    if (status == FY_OK && c->v.arith != M->arith)
        status = fy_error_set(err, FY_EINTERNAL, "eval: the provider answered in %s, not %s",
                              fy_arith_name(c->v.arith), fy_arith_name(M->arith));
    if (status == FY_OK)
    {
        slong want = is_line ? (slong) M->width[a] * M->width[b] : (slong) M->width[a];
        if (c->v.len != want)
            status = fy_error_set(err, FY_EINTERNAL,
                                  "eval: the provider's %s (%d, %d) has %ld entries, not %ld",
                                  is_line ? "line" : "vertex", a, b, (long) c->v.len,
                                  (long) want);
    }
    if (status != FY_OK)
    {
        fy_numvec_clear(&c->v);
        free(c);
        return NULL;
    }
    ev->cache[ev->ncache++] = c;
    return &c->v;
}

const fy_numvec_struct *_fy_eval_line(fy_eval_t ev, int kind, int l, int m, fy_error_t err)
{
    return cached(ev, 1, kind, l, m, err);
}

const fy_numvec_struct *_fy_eval_vertex(fy_eval_t ev, int kind, int level, int children,
                                        fy_error_t err)
{
    return cached(ev, 0, kind, level, children, err);
}

void _fy_eval_plan_clear(fy_eval_plan_struct *p)
{
    free(p->post);
    memset(p, 0, sizeof *p);
}

int _fy_eval_plan_init(fy_eval_plan_struct *p, const fy_diagram_t G, const fy_eval_t ev,
                       fy_error_t err)
{
    int nv = G->nv, i, v, top, nleaf = 0, *stack, *parent;
    const fy_eval_model_struct *M = &ev->model;

    memset(p, 0, sizeof *p);
    if (nv < 1 || G->root < 0 || G->root >= nv || G->nl != nv - 1)
        return fy_error_set(err, FY_EINPUT, "eval: the diagram is not a rooted tree (%d vertices, "
                            "%d lines, root %d)", nv, G->nl, G->root);
    /* one block: post, nch, choff, ch, lkind, leaves, leafno, level, kind, stack, parent */
    p->post = fy_calloc((size_t) nv * 11 + 1, sizeof(int), err);
    if (p->post == NULL)
        return FY_ENOMEM;
    p->nch = p->post + nv;
    p->choff = p->nch + nv;
    p->ch = p->choff + nv;
    p->lkind = p->ch + nv;
    p->leaves = p->lkind + nv;
    p->leafno = p->leaves + nv;
    p->level = p->leafno + nv;
    p->kind = p->level + nv;
    stack = p->kind + nv;
    parent = stack + nv;
    p->nv = nv;
    p->root = G->root;
    for (v = 0; v < nv; v++)
    {
        parent[v] = -1;
        p->lkind[v] = -1;
        p->level[v] = G->v[v].level;
        p->kind[v] = G->v[v].kind;
        if (G->v[v].level < 0 || G->v[v].level > M->levels)
        {
            _fy_eval_plan_clear(p);
            return fy_error_set(err, FY_EINPUT, "eval: vertex %d at level %d, the model has "
                                "levels 0..%d", v, G->v[v].level, M->levels);
        }
    }
    for (i = 0; i < G->nl; i++)
    {
        int u = G->l[i].u, w = G->l[i].v;
        if (u < 0 || u >= nv || w < 0 || w >= nv || u == w || parent[u] >= 0 || u == G->root)
        {
            _fy_eval_plan_clear(p);
            return fy_error_set(err, FY_EINPUT, "eval: line %d (%d -> %d) does not make a "
                                "rooted tree", i, u, w);
        }
        parent[u] = w;
        p->lkind[u] = G->l[i].kind;
        p->nch[w]++;
    }
    for (v = 0, i = 0; v < nv; v++)
    {
        p->choff[v] = i;
        i += p->nch[v];
        p->nch[v] = 0;
    }
    for (v = 0; v < nv; v++)
        if (parent[v] >= 0)
            p->ch[p->choff[parent[v]] + p->nch[parent[v]]++] = v;
    /* leaves: no children, exactly one leg; numbered in vertex order */
    for (v = 0; v < nv; v++)
    {
        int legs = 0;
        for (i = 0; i < G->nlegs; i++)
            legs += G->leg[i].vertex == v;
        p->leafno[v] = -1;
        if (p->nch[v] == 0)
        {
            if (legs != 1)
            {
                _fy_eval_plan_clear(p);
                return fy_error_set(err, FY_EINPUT, "eval: leaf %d has %d legs, not 1", v, legs);
            }
            p->leafno[v] = nleaf++;
        }
        else if (legs != 0)
        {
            _fy_eval_plan_clear(p);
            return fy_error_set(err, FY_EINPUT, "eval: inner vertex %d carries a leg", v);
        }
    }
    p->n = nleaf;
    /* post-order by an explicit stack (reverse pre-order of reversed children works too:
     * emit a vertex after all its children by processing a pre-order list backwards) */
    top = 0;
    i = 0;
    stack[top++] = G->root;
    while (top > 0)
    {
        v = stack[--top];
        p->post[i++] = v;
        for (int j = 0; j < p->nch[v]; j++)
            stack[top++] = p->ch[p->choff[v] + j];
    }
    if (i != nv)
    {
        _fy_eval_plan_clear(p);
        return fy_error_set(err, FY_EINPUT, "eval: the diagram is not connected");
    }
    /* reverse: parents after children */
    for (int a = 0, b = nv - 1; a < b; a++, b--)
    {
        int t = p->post[a];
        p->post[a] = p->post[b];
        p->post[b] = t;
    }
    for (i = 0; i < nv; i++)
    {
        v = p->post[i];
        p->leaves[v] = p->nch[v] == 0 ? 1 : 0;
        for (int j = 0; j < p->nch[v]; j++)
            p->leaves[v] += p->leaves[p->ch[p->choff[v] + j]];
    }
    return FY_OK;
}

/* Dispatch of one run to the arithmetic's kernel; res is a vector of length 1. */
static int run(fy_numvec_t res, fy_eval_t ev, const fy_diagram_t G, const void *legvec,
               const int *idx, int mode, int output, fy_error_t err)
{
    fy_eval_plan_struct p;
    const fy_eval_model_struct *M = &ev->model;
    int status;

    if (output < 0 || output >= M->width[M->levels])
        return fy_error_set(err, FY_EINPUT, "eval: output %d outside 0..%d", output,
                            M->width[M->levels] - 1);
    status = _fy_eval_plan_init(&p, G, ev, err);
    if (status != FY_OK)
        return status;
    if (mode == FY_EVAL_ENTRY && p.n > FY_EVAL_MAX_LEAVES)
    {
        _fy_eval_plan_clear(&p);
        return fy_error_set(err, FY_EUNSUPPORTED, "eval: %d leaves, at most %d for tensor "
                            "entries", p.n, FY_EVAL_MAX_LEAVES);
    }
    if (mode != FY_EVAL_LABELLED && fmpz_sgn(G->aut) <= 0)
    {
        _fy_eval_plan_clear(&p);
        return fy_error_set(err, FY_EINPUT, "eval: the diagram has no |Aut| (canonicalise it)");
    }
    if (idx != NULL)
        for (int j = 0; j < p.n; j++)
            if (idx[j] < 0 || idx[j] >= M->width[0])
            {
                _fy_eval_plan_clear(&p);
                return fy_error_set(err, FY_EINPUT, "eval: input index %d outside 0..%d",
                                    idx[j], M->width[0] - 1);
            }
    fy_numvec_clear(res);
    status = fy_numvec_init(res, M->arith, 1, M->prec, err);
    if (status == FY_OK)
    {
        switch (M->arith)
        {
        case FY_ARITH_DOUBLE:
            status = _fy_eval_run_d(fy_numvec_d(res), &p, ev, legvec, idx, mode, output,
                                    M->prec, err);
            break;
        case FY_ARITH_BALL:
            status = _fy_eval_run_arb(fy_numvec_arb(res), &p, ev, legvec, idx, mode, output,
                                      M->prec, err);
            break;
        default:
            status = _fy_eval_run_fmpq(fy_numvec_fmpq(res), &p, ev, legvec, idx, mode, output,
                                       M->prec, err);
            break;
        }
    }
    if (status == FY_OK && mode != FY_EVAL_LABELLED)
    {
        fmpq_t inv;
        fmpq_init(inv);
        fmpz_one(fmpq_numref(inv));
        fmpz_set(fmpq_denref(inv), G->aut);
        status = fy_numvec_scale_fmpq(res, res, inv, err);
        fmpq_clear(inv);
    }
    _fy_eval_plan_clear(&p);
    return status;
}

int fy_eval_tree_labelled(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                          const int *slots, fy_error_t err)
{
    return run(val, ev, G, NULL, slots, FY_EVAL_LABELLED, output, err);
}

int fy_eval_tree_entry(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                       const int *idx, fy_error_t err)
{
    return run(val, ev, G, NULL, idx, FY_EVAL_ENTRY, output, err);
}

int fy_eval_tree_directional(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                             const fy_numvec_t v, fy_error_t err)
{
    if (v->arith != ev->model.arith || v->len != ev->model.width[0])
        return fy_error_set(err, FY_EINPUT, "eval: the direction must have %d entries in %s "
                            "arithmetic", ev->model.width[0], fy_arith_name(ev->model.arith));
    return run(val, ev, G, v->v, NULL, FY_EVAL_DIRECTION, output, err);
}

int fy_eval_tree_tensor(fy_symtensor_t T, fy_eval_t ev, const fy_diagram_t G, int output,
                        fy_error_t err)
{
    int n = 0, v, status, *idx;
    fy_numvec_t one;
    slong r;

    for (v = 0; v < G->nv; v++)
        n += G->v[v].level == 0;
    fy_symtensor_clear(T);
    status = fy_symtensor_init(T, ev->model.arith, ev->model.width[0], n, ev->model.prec, err);
    if (status != FY_OK)
        return status;
    idx = fy_calloc((size_t) n + 1, sizeof(int), err);
    if (idx == NULL)
        return FY_ENOMEM;
    fy_numvec_init_empty(one);
    r = 0;
    do
    {
        status = fy_eval_tree_entry(one, ev, G, output, idx, err);
        if (status != FY_OK)
            break;
        switch (ev->model.arith)
        {
        case FY_ARITH_DOUBLE:
            fy_numvec_d(&T->e)[r] = fy_numvec_d(one)[0];
            break;
        case FY_ARITH_BALL:
            arb_set(fy_numvec_arb(&T->e) + r, fy_numvec_arb(one));
            break;
        default:
            fmpq_set(fy_numvec_fmpq(&T->e) + r, fy_numvec_fmpq(one));
        }
        r++;
    } while (fy_multiindex_next(idx, ev->model.width[0], n));
    fy_numvec_clear(one);
    free(idx);
    return status;
}

/* ---------------------------------------------------------------- ranking */

typedef struct
{
    long i;
    double mag;
    const fmpq *q; /* exact magnitude for rationals */
} rank_item;

static int cmp_rank(const void *pa, const void *pb)
{
    const rank_item *a = pa, *b = pb;
    if (a->q != NULL && b->q != NULL)
    {
        fmpq_t x, y;
        int c;
        fmpq_init(x);
        fmpq_init(y);
        fmpq_abs(x, a->q);
        fmpq_abs(y, b->q);
        c = fmpq_cmp(y, x);
        fmpq_clear(x);
        fmpq_clear(y);
        if (c != 0)
            return c;
    }
    else if (a->mag != b->mag)
        return a->mag < b->mag ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

int fy_eval_rank(long *perm, const fy_numvec_t values, fy_error_t err)
{
    long i, n = values->len;
    rank_item *it = fy_malloc((size_t) n + 1, sizeof *it, err);
    if (it == NULL)
        return FY_ENOMEM;
    for (i = 0; i < n; i++)
    {
        it[i].i = i;
        it[i].q = NULL;
        switch (values->arith)
        {
        case FY_ARITH_DOUBLE:
            it[i].mag = fabs(fy_numvec_d(values)[i]);
            break;
        case FY_ARITH_BALL:
            it[i].mag = fabs(arf_get_d(arb_midref(fy_numvec_arb(values) + i), ARF_RND_NEAR));
            break;
        default:
            it[i].q = fy_numvec_fmpq(values) + i;
            it[i].mag = fabs(fy_fmpq_get_d(it[i].q));
        }
        if (isnan(it[i].mag))
            it[i].mag = -1.0;
    }
    qsort(it, (size_t) n, sizeof *it, cmp_rank);
    for (i = 0; i < n; i++)
        perm[i] = it[i].i;
    free(it);
    return FY_OK;
}
