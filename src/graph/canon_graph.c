/* Canonical form and |Aut| of graphs with loops, parallel lines and self-loops: the view shared
 * by the back ends (see canon_graph.h) and the choice between them.  The back ends are in
 * canon_graph_nauty.c (nauty) and canon_graph_exact.c (a small exact search). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph/canon.h"
#include "graph/canon_graph.h"

/* With nauty, small graphs still go to the exact search: measured on the Feynman generator's
 * graphs it is about twice as fast there (no pair nodes, no set-word graph), and with at
 * most FY_CANON_EXACT_PREFERRED vertices it cannot exceed its node budget (e * 10! < 2e7).
 * The choice depends only on the number of vertices, an isomorphism invariant, so isomorphic
 * graphs always get their strings from the same back end and the strings stay comparable. */
int _fy_canon_graph(fy_diagram_t d, fy_error_t err)
{
#ifdef FY_HAVE_NAUTY
    if (d->nv > FY_CANON_EXACT_PREFERRED)
        return _fy_canon_graph_nauty(d, err);
#endif
    return _fy_canon_graph_exact(d, err);
}

/* ---------------------------------------------------------------- signatures */

typedef struct
{
    const int *pool;
    const int *off, *len;
} sigctx;

static inline int cmp_ints(const int *a, int la, const int *b, int lb)
{
    int i, n = la < lb ? la : lb;
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return (la > lb) - (la < lb);
}

static inline int cmp_sig(const sigctx *c, int x, int y)
{
    return cmp_ints(c->pool + c->off[x], c->len[x], c->pool + c->off[y], c->len[y]);
}

/* Stable merge sort of idx[0..n) by signature (tmp has room for n). */
static void sort_by_sig(int *idx, int *tmp, int n, const sigctx *c)
{
    int w, i;
    for (w = 1; w < n; w *= 2)
    {
        for (i = 0; i < n; i += 2 * w)
        {
            int lo = i, mid = i + w < n ? i + w : n, hi = i + 2 * w < n ? i + 2 * w : n;
            int a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = cmp_sig(c, idx[b], idx[a]) < 0 ? idx[b++] : idx[a++];
            while (a < mid)
                tmp[k++] = idx[a++];
            while (b < hi)
                tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, (size_t) n * sizeof *idx);
    }
}

/* Ranks n signatures: rank[x] in 0..*nranks-1, rep[r] = an element of rank r, cnt[r] = size. */
static void rank_sigs(int *rank, int *rep, int *cnt, int *nranks, int n, const sigctx *c,
                      int *idx, int *tmp)
{
    int i, r = -1;
    for (i = 0; i < n; i++)
        idx[i] = i;
    if (n <= 24)
        for (i = 1; i < n; i++) /* stable insertion sort: few elements, often in order */
        {
            int x = idx[i], j;
            for (j = i; j > 0 && cmp_sig(c, idx[j - 1], x) > 0; j--)
                idx[j] = idx[j - 1];
            idx[j] = x;
        }
    else
        sort_by_sig(idx, tmp, n, c);
    for (i = 0; i < n; i++)
    {
        if (i == 0 || cmp_sig(c, idx[i - 1], idx[i]) != 0)
        {
            r++;
            rep[r] = idx[i];
            cnt[r] = 0;
        }
        rank[idx[i]] = r;
        cnt[r]++;
    }
    *nranks = r + 1;
}

static void sort_ints(int *a, int n)
{
    int i, j;
    for (i = 1; i < n; i++)
    {
        int x = a[i];
        for (j = i; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Sorts n (kind, label) pairs stored consecutively. */
static void sort_int_pairs(int *a, int n)
{
    int i, j;
    for (i = 1; i < n; i++)
    {
        int x = a[2 * i], y = a[2 * i + 1];
        for (j = i; j > 0 && (a[2 * j - 2] > x || (a[2 * j - 2] == x && a[2 * j - 1] > y)); j--)
        {
            a[2 * j] = a[2 * j - 2];
            a[2 * j + 1] = a[2 * j - 1];
        }
        a[2 * j] = x;
        a[2 * j + 1] = y;
    }
}

/* kernel *= prod over runs of equal values in sorted a[0..n) (stride s) of f(run length). */
static void mul_runs(fmpz_t kernel, const int *a, int n, int stride, int loops)
{
    int i = 0;
    fmpz_t t;
    fmpz_init(t);
    while (i < n)
    {
        int j = i + 1;
        while (j < n && memcmp(a + (size_t) i * stride, a + (size_t) j * stride,
                               (size_t) stride * sizeof *a) == 0)
            j++;
        fmpz_fac_ui(t, (ulong) (j - i));
        fmpz_mul(kernel, kernel, t);
        if (loops)
            fmpz_mul_2exp(kernel, kernel, (ulong) (j - i));
        i = j;
    }
    fmpz_clear(t);
}

typedef struct
{
    int u, v, kind;
} pline;

static int cmp_pline(const void *a, const void *b)
{
    const pline *x = a, *y = b;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->kind > y->kind) - (x->kind < y->kind);
}

int _fy_canon_view_init(fy_canon_view_t g, const fy_diagram_t d, fy_error_t err)
{
    int nv = d->nv, i, j, np, nsig, status = FY_ENOMEM;
    int *nloop = NULL, *nleg = NULL, *off = NULL, *len = NULL, *idx = NULL, *tmp = NULL;
    int *rep = NULL, *cnt = NULL;
    pline *pl = NULL;
    size_t pool;
    sigctx c;

    memset(g, 0, sizeof *g);
    fmpz_init_set_ui(g->kernel, 1);
    g->nv = nv;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u < 0 || d->l[i].u >= nv || d->l[i].v < 0 || d->l[i].v >= nv)
            return fy_error_set(err, FY_EINTERNAL, "line %d names a vertex outside 0..%d", i,
                                nv - 1);
    for (i = 0; i < d->nlegs; i++)
        if (d->leg[i].vertex < 0 || d->leg[i].vertex >= nv)
            return fy_error_set(err, FY_EINTERNAL, "leg %d names a vertex outside 0..%d", i,
                                nv - 1);

    pool = 4 * (size_t) nv + 2 * (size_t) d->nl + 2 * (size_t) d->nlegs + 8;
    g->sig = fy_malloc(pool, sizeof *g->sig, err);
    g->vcol = fy_malloc((size_t) nv + 1, sizeof *g->vcol, err);
    /* the scratch arrays in one block: this runs for every graph a generator keeps */
    {
        size_t nvl = (size_t) (nv + d->nl) + 1;
        size_t ints = 2 * ((size_t) nv + 1) + 6 * nvl;
        size_t pls = (size_t) d->nl + 1;
        pl = fy_malloc(pls * sizeof *pl + ints * sizeof(int), 1, err);
        if (pl != NULL)
        {
            nloop = (int *) (pl + pls);
            nleg = nloop + nv + 1;
            off = nleg + nv + 1;
            len = off + nvl;
            idx = len + nvl;
            tmp = idx + nvl;
            rep = tmp + nvl;
            cnt = rep + nvl;
            memset(nloop, 0, 2 * ((size_t) nv + 1) * sizeof *nloop);
        }
    }
    if (!pl || !g->sig || !g->vcol)
        goto done;

    /* Vertex signatures: kind, level, #loops, loop kinds, #legs, (leg kind, label)... */
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u == d->l[i].v)
            nloop[d->l[i].u]++;
    for (i = 0; i < d->nlegs; i++)
        nleg[d->leg[i].vertex]++;
    nsig = 0;
    for (i = 0; i < nv; i++)
    {
        off[i] = nsig;
        len[i] = 4 + nloop[i] + 2 * nleg[i];
        g->sig[nsig] = d->v[i].kind;
        g->sig[nsig + 1] = d->v[i].level;
        g->sig[nsig + 2] = nloop[i];
        g->sig[nsig + 3 + nloop[i]] = nleg[i];
        nloop[i] = nleg[i] = 0; /* reused as fill counters */
        nsig += len[i];
    }
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u == d->l[i].v)
        {
            int v = d->l[i].u;
            g->sig[off[v] + 3 + nloop[v]++] = d->l[i].kind;
        }
    for (i = 0; i < d->nlegs; i++)
    {
        int v = d->leg[i].vertex, base = off[v] + 4 + nloop[v];
        g->sig[base + 2 * nleg[v]] = d->leg[i].kind;
        g->sig[base + 2 * nleg[v] + 1] = d->leg[i].label;
        nleg[v]++;
    }
    for (i = 0; i < nv; i++)
    {
        sort_ints(g->sig + off[i] + 3, nloop[i]);
        sort_int_pairs(g->sig + off[i] + 4 + nloop[i], nleg[i]);
        mul_runs(g->kernel, g->sig + off[i] + 3, nloop[i], 1, 1);
        mul_runs(g->kernel, g->sig + off[i] + 4 + nloop[i], nleg[i], 2, 0);
    }

    /* Pairs: lines u != v grouped by endpoints; signature: multiplicity, sorted kinds. */
    np = 0;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u != d->l[i].v)
        {
            int u = d->l[i].u, v = d->l[i].v;
            pl[np].u = u < v ? u : v;
            pl[np].v = u < v ? v : u;
            pl[np].kind = d->l[i].kind;
            np++;
        }
    if (np > 32)
        qsort(pl, (size_t) np, sizeof *pl, cmp_pline);
    else
        for (i = 1; i < np; i++) /* insertion sort: few lines, mostly in order already */
        {
            pline x = pl[i];
            for (j = i; j > 0 && cmp_pline(pl + j - 1, &x) > 0; j--)
                pl[j] = pl[j - 1];
            pl[j] = x;
        }
    g->npair = 0;
    for (i = 0; i < np; i = j)
    {
        for (j = i + 1; j < np && pl[j].u == pl[i].u && pl[j].v == pl[i].v; j++)
            ;
        g->npair++;
    }
    g->pu = fy_malloc((size_t) g->npair + 1, sizeof *g->pu, err);
    g->pv = fy_malloc((size_t) g->npair + 1, sizeof *g->pv, err);
    g->pcol = fy_malloc((size_t) g->npair + 1, sizeof *g->pcol, err);
    if (!g->pu || !g->pv || !g->pcol)
        goto done;
    {
        int p = 0;
        for (i = 0; i < np; i = j)
        {
            int k, o = nsig;
            for (j = i + 1; j < np && pl[j].u == pl[i].u && pl[j].v == pl[i].v; j++)
                ;
            g->pu[p] = pl[i].u;
            g->pv[p] = pl[i].v;
            g->sig[nsig++] = j - i;
            for (k = i; k < j; k++)
                g->sig[nsig++] = pl[k].kind; /* sorted by cmp_pline */
            mul_runs(g->kernel, g->sig + o + 1, j - i, 1, 0);
            off[nv + p] = o;
            len[nv + p] = j - i + 1;
            p++;
        }
    }

    /* Rank vertex colours and pair colours separately. */
    c.pool = g->sig;
    c.off = off;
    c.len = len;
    rank_sigs(g->vcol, rep, cnt, &g->nvcol, nv, &c, idx, tmp);
    g->vcount = fy_malloc((size_t) g->nvcol + 1, sizeof *g->vcount, err);
    g->vsig = fy_malloc((size_t) g->nvcol + 1, sizeof *g->vsig, err);
    if (!g->vcount || !g->vsig)
        goto done;
    for (i = 0; i < g->nvcol; i++)
    {
        g->vcount[i] = cnt[i];
        g->vsig[i] = off[rep[i]];
    }
    c.off = off + nv;
    c.len = len + nv;
    rank_sigs(g->pcol, rep, cnt, &g->npcol, g->npair, &c, idx, tmp);
    g->pcount = fy_malloc((size_t) g->npcol + 1, sizeof *g->pcount, err);
    g->psig = fy_malloc((size_t) g->npcol + 1, sizeof *g->psig, err);
    if (!g->pcount || !g->psig)
        goto done;
    for (i = 0; i < g->npcol; i++)
    {
        g->pcount[i] = cnt[i];
        g->psig[i] = off[nv + rep[i]];
    }
    status = FY_OK;
done:
    free(pl);
    if (status != FY_OK)
    {
        _fy_canon_view_clear(g);
        if (err == NULL || err->code == FY_OK)
            fy_error_set(err, FY_ENOMEM, "out of memory building the graph view");
    }
    return status;
}

void _fy_canon_view_clear(fy_canon_view_t g)
{
    free(g->vcol);
    free(g->vcount);
    free(g->pu);
    free(g->pv);
    free(g->pcol);
    free(g->pcount);
    free(g->sig);
    free(g->vsig);
    free(g->psig);
    g->vcol = g->vcount = g->pu = g->pv = g->pcol = g->pcount = g->sig = g->vsig = g->psig =
        NULL;
    fmpz_clear(g->kernel);
}

/* ---------------------------------------------------------------- strings */

void _fy_canon_buf_int(fy_canon_buf_t b, long x, char sep)
{
    /* by hand rather than snprintf: this runs for every graph a generator keeps */
    char t[32];
    int k = 0, i;
    unsigned long u = x < 0 ? 0UL - (unsigned long) x : (unsigned long) x;
    if (u < 10 && x >= 0 && b->n + 3 <= b->cap && !b->oom) /* most entries: one digit */
    {
        b->s[b->n++] = (char) ('0' + u);
        if (sep)
            b->s[b->n++] = sep;
        b->s[b->n] = 0;
        return;
    }
    do
    {
        t[k++] = (char) ('0' + u % 10);
        u /= 10;
    } while (u);
    if (x < 0)
        t[k++] = '-';
    fy_strbuf_reserve(b, (size_t) k + 1);
    if (b->oom)
        return;
    for (i = k - 1; i >= 0; i--)
        b->s[b->n++] = t[i];
    if (sep)
        b->s[b->n++] = sep;
    b->s[b->n] = 0;
}

/* Length of the self-delimiting signatures. */
static int vsig_len(const int *s)
{
    return 4 + s[2] + 2 * s[3 + s[2]];
}

void _fy_canon_buf_header(fy_canon_buf_t b, const fy_canon_view_t g)
{
    int r, k;
    fy_strbuf_puts(b, "V");
    for (r = 0; r < g->nvcol; r++)
    {
        const int *s = g->sig + g->vsig[r];
        int n = vsig_len(s);
        _fy_canon_buf_int(b, g->vcount[r], 'x');
        for (k = 0; k < n; k++)
            _fy_canon_buf_int(b, s[k], k + 1 < n ? ',' : ';');
    }
    fy_strbuf_puts(b, "P");
    for (r = 0; r < g->npcol; r++)
    {
        const int *s = g->sig + g->psig[r];
        int n = s[0] + 1;
        _fy_canon_buf_int(b, g->pcount[r], 'x');
        for (k = 0; k < n; k++)
            _fy_canon_buf_int(b, s[k], k + 1 < n ? ',' : ';');
    }
    fy_strbuf_puts(b, "|");
}

int _fy_canon_finish(fy_diagram_t d, fy_canon_buf_t b, const fy_canon_view_t g,
                     const fmpz_t group, fy_error_t err)
{
    if (b->oom || b->s == NULL)
    {
        fy_strbuf_clear(b);
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a canonical form");
    }
    free(d->canon);
    d->canon = b->s;
    b->s = NULL;
    fy_strbuf_clear(b);
    fmpz_mul(d->aut, group, g->kernel);
    return FY_OK;
}
