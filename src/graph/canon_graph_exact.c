/* The exact back end of the graph canonical form: a small search, no external library.
 *
 * Works on the view of canon_graph.h (vertex colours, pair colours), one connected component
 * at a time.  In a component the vertex colours are refined to a stable partition (colour
 * plus the multiset of (neighbour colour, pair colour)), whose cells, ordered by their
 * invariant signatures, fix which cell each position 0..n-1 draws from.  The search tries
 * every placement of the vertices on the positions that respects the cells and keeps the
 * lexicographically greatest code, the code being, position by position, the vertex colour
 * followed by the pair colours (0 for none) to the earlier positions.  Prefixes below the best
 * are cut; preferring adjacency (greatest code) makes the search walk along lines, which cuts
 * early.  Placements reaching the greatest code form one coset of the automorphism group, so
 * their number is the group order (the search is _fy_canon_search of canon_search.c, shared
 * with the Feynman-graph generator).  Components are then sorted by (size, code); k identical
 * components contribute k! more.  A component above FY_CANON_EXACT_MAX_VERTICES vertices, or a
 * search above FY_CANON_EXACT_MAX_NODES nodes, is refused with FY_EUNSUPPORTED. */
#include <stdlib.h>
#include <string.h>

#include "graph/canon.h"
#include "graph/canon_graph.h"

/* Offset of position p's segment in a code: positions 0..p-1 take p(p+1)/2 entries. */
#define SEG(p) FY_CANON_SEG(p, 1)

static int cmp_row(const int *a, const int *b, int len)
{
    int k;
    for (k = 0; k < len; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* Refines colours col[0..n) of a component (adjacency adj) to a stable partition; writes
 * canonical ranks into rc and returns the number of classes. */
static int refine(int *rc, const int *col, const int *adj, int n, int *work)
{
    int i, j, k, classes = -1, len = n + 1;
    int *sig = work, *idx = work + (size_t) n * len, *prev = idx + n;
    long K = 1;
    for (i = 0; i < n; i++)
        rc[i] = col[i];
    for (i = 0; i < n * n; i++)
        if (adj[i] + 1 > K)
            K = adj[i] + 1;
    for (;;)
    {
        int r, newclasses;
        /* signature: [rc, sorted neighbour keys (rc * K + adj)...], padded with -1 */
        for (i = 0; i < n; i++)
        {
            int *s = sig + (size_t) i * len, m = 1;
            s[0] = rc[i];
            for (j = 0; j < n; j++)
                if (adj[i * n + j])
                    s[m++] = (int) (rc[j] * K + adj[i * n + j]);
            for (j = 2; j < m; j++) /* insertion sort of the keys */
            {
                int x = s[j];
                for (k = j; k > 1 && s[k - 1] > x; k--)
                    s[k] = s[k - 1];
                s[k] = x;
            }
            for (; m < len; m++)
                s[m] = -1;
            idx[i] = i;
        }
        for (i = 1; i < n; i++) /* insertion sort of vertices by signature */
        {
            int x = idx[i];
            for (j = i; j > 0 && cmp_row(sig + (size_t) idx[j - 1] * len,
                                         sig + (size_t) x * len, len) > 0;
                 j--)
                idx[j] = idx[j - 1];
            idx[j] = x;
        }
        r = -1;
        for (i = 0; i < n; i++)
        {
            if (i == 0 || memcmp(sig + (size_t) idx[i - 1] * len, sig + (size_t) idx[i] * len,
                                 (size_t) len * sizeof *sig) != 0)
                r++;
            prev[idx[i]] = r;
        }
        newclasses = r + 1;
        for (i = 0; i < n; i++)
            rc[i] = prev[i];
        if (newclasses == classes || newclasses == n)
            return newclasses;
        classes = newclasses;
    }
}

typedef struct
{
    int n;
    int *code; /* SEG(n) entries */
    int len;
} comp_t;

static int cmp_comp(const void *a, const void *b)
{
    const comp_t *x = a, *y = b;
    int i;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    for (i = 0; i < x->len; i++)
        if (x->code[i] != y->code[i])
            return x->code[i] < y->code[i] ? -1 : 1;
    return 0;
}

static int find(int *p, int x)
{
    while (p[x] != x)
    {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

int _fy_canon_graph_exact(fy_diagram_t d, fy_error_t err)
{
    fy_canon_view_t g;
    fy_canon_buf_t b;
    fmpz_t group, t;
    int status, nv, i, j, ncomp = 0;
    int *uf = NULL, *compof = NULL, *local = NULL, *members = NULL, *cstart = NULL;
    comp_t *comps = NULL;

    status = _fy_canon_view_init(g, d, err);
    if (status != FY_OK)
        return status;
    fy_strbuf_init(b);
    fmpz_init_set_ui(group, 1);
    fmpz_init(t);
    fy_strbuf_puts(b, "X");
    _fy_canon_buf_header(b, g);
    nv = g->nv;

    status = FY_ENOMEM;
    /* uf, compof, local, members and cstart in one block */
    uf = fy_malloc(5 * (size_t) nv + 6, sizeof *uf, err);
    comps = fy_calloc((size_t) nv + 1, sizeof *comps, err);
    if (!uf || !comps)
        goto done;
    compof = uf + nv + 1;
    local = compof + nv + 1;
    members = local + nv + 1;
    cstart = members + nv + 1;
    memset(cstart, 0, ((size_t) nv + 2) * sizeof *cstart);

    /* Connected components; members listed by component, in vertex order. */
    for (i = 0; i < nv; i++)
        uf[i] = i;
    for (i = 0; i < g->npair; i++)
    {
        int a = find(uf, g->pu[i]), c = find(uf, g->pv[i]);
        if (a != c)
            uf[a < c ? c : a] = a < c ? a : c;
    }
    for (i = 0; i < nv; i++)
        compof[i] = -1;
    for (i = 0; i < nv; i++)
    {
        int r = find(uf, i);
        if (compof[r] < 0)
            compof[r] = ncomp++;
        compof[i] = compof[r];
    }
    for (i = 0; i < nv; i++)
        cstart[compof[i] + 1]++;
    for (i = 0; i < ncomp; i++)
        cstart[i + 1] += cstart[i];
    {
        int *fill = uf; /* union-find no longer needed */
        for (i = 0; i < ncomp; i++)
            fill[i] = cstart[i];
        for (i = 0; i < nv; i++)
        {
            local[i] = fill[compof[i]] - cstart[compof[i]];
            members[fill[compof[i]]++] = i;
        }
    }

    status = FY_OK;
    for (i = 0; i < ncomp && status == FY_OK; i++)
    {
        int n = cstart[i + 1] - cstart[i], p, q;
        int *adj = NULL, *col = NULL, *rc = NULL, *cell = NULL, *work = NULL;
        int *perm = NULL, *used = NULL, *cur = NULL;
        fy_canon_search_t s;
        fmpz_t count;
        if (n > FY_CANON_EXACT_MAX_VERTICES)
        {
            status = fy_error_set(err, FY_EUNSUPPORTED, "a connected component with %d "
                                  "vertices is beyond the exact canonical search (at most %d); "
                                  "build feynn with nauty", n, FY_CANON_EXACT_MAX_VERTICES);
            break;
        }
        comps[i].n = n;
        comps[i].len = SEG(n);
        comps[i].code = fy_malloc((size_t) SEG(n) + 1, sizeof(int), err);
        /* one block: adj n*n, col, rc, cell, perm, used n each, work n(n+1)+2n, cur SEG(n) */
        adj = fy_calloc((size_t) n * (size_t) n + 5 * (size_t) n +
                            (size_t) n * (size_t) (n + 1) + 2 * (size_t) n + (size_t) SEG(n) + 1,
                        sizeof *adj, err);
        if (adj != NULL)
        {
            col = adj + (size_t) n * (size_t) n;
            rc = col + n;
            cell = rc + n;
            perm = cell + n;
            used = perm + n;
            work = used + n;
            cur = work + (size_t) n * (size_t) (n + 1) + 2 * (size_t) n;
        }
        if (comps[i].code && adj)
        {
            int *cnt;
            for (p = 0; p < n; p++)
                col[p] = g->vcol[members[cstart[i] + p]];
            for (q = 0; q < g->npair; q++)
                if (compof[g->pu[q]] == i)
                {
                    int a = local[g->pu[q]], c = local[g->pv[q]];
                    adj[a * n + c] = adj[c * n + a] = g->pcol[q] + 1;
                }
            refine(rc, col, adj, n, work);
            /* cells in rank order fill the positions */
            cnt = work;
            memset(cnt, 0, (size_t) (n + 1) * sizeof *cnt);
            for (p = 0; p < n; p++)
                cnt[rc[p]]++;
            for (p = 0, q = 0; q < n; q++)
            {
                int k;
                for (k = 0; k < cnt[q]; k++)
                    cell[p++] = q;
            }
            memset(&s, 0, sizeof s);
            s.n = n;
            s.head = 1;
            s.vhead = col;
            s.adj = adj;
            s.cell = cell;
            s.rc = rc;
            s.perm = perm;
            s.used = used;
            s.cur = cur;
            s.best = comps[i].code;
            s.max_nodes = FY_CANON_EXACT_MAX_NODES;
            fmpz_init(count);
            s.count = count;
            _fy_canon_search(&s);
            if (s.over)
                status = fy_error_set(err, FY_EUNSUPPORTED, "the exact canonical search "
                                      "exceeded %ld nodes on a component of %d vertices; build "
                                      "feynn with nauty", FY_CANON_EXACT_MAX_NODES, n);
            else
                fmpz_mul(group, group, count);
            fmpz_clear(count);
        }
        else
            status = fy_error_set(err, FY_ENOMEM, "out of memory in the exact canonical search");
        free(adj);
    }
    if (status != FY_OK)
        goto done;

    /* Sort components; identical ones permute among themselves. */
    if (ncomp > 1)
        qsort(comps, (size_t) ncomp, sizeof *comps, cmp_comp);
    for (i = 0; i < ncomp; i = j)
    {
        for (j = i + 1; j < ncomp && cmp_comp(comps + i, comps + j) == 0; j++)
            ;
        fmpz_fac_ui(t, (ulong) (j - i));
        fmpz_mul(group, group, t);
    }
    for (i = 0; i < ncomp; i++)
    {
        int k;
        _fy_canon_buf_int(b, comps[i].n, ':');
        for (k = 0; k < comps[i].len; k++)
            _fy_canon_buf_int(b, comps[i].code[k], k + 1 < comps[i].len ? ',' : ';');
    }
    status = _fy_canon_finish(d, b, g, group, err);
done:
    if (comps != NULL)
        for (i = 0; i < nv; i++)
            free(comps[i].code);
    free(comps);
    free(uf);
    fy_strbuf_clear(b);
    fmpz_clear(group);
    fmpz_clear(t);
    _fy_canon_view_clear(g);
    return status;
}
