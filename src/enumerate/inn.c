/* INN diagrams (MATH.md 3.2-3.3): pull-back of action vertices through chains of quadratic
 * couplings, and the diagonal log-det vertices of the elementwise reading.
 *
 * Chain diagrams are trees rooted at an action vertex A^(k) (level 0).  Pulling back through
 * the j-th quadratic layer (counted from the action side) a leg either passes or is replaced by
 * g, a "split" vertex G at level j with two children that are pulled back through the layers
 * after j.  The items below level j are therefore the bare leg and the split vertices at levels
 * > j; the generator builds them from level c down to 1 as unordered pairs, then the root's
 * k-multisets with m leaves.  As for the MLP trees, records are isomorphism classes, children
 * are taken in a pool order (by leaves), |Aut| = prod |Aut(child)| * prod (multiplicity)!, and
 * the A-convention coefficient is the number of leg-position-labelled (plane) realisations,
 * ord = (children)! / prod (multiplicity)! * prod ord(child).  Codes follow graph/canon.h. */
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_poly.h>
#include <flint/fmpz_poly.h>

#include "enumerate/enum_internal.h"
#include "graph/canon.h"

#define INN_MAX_M 256
#define INN_MAX_C 64
#define LOGDET_MAX_K 4096

static int check_chain(int m, int c, int kmin, int kmax, fy_error_t err)
{
    if (m < 1 || m > INN_MAX_M)
        return fy_error_set(err, FY_EINPUT, "inn chain: order %d outside 1..%d", m, INN_MAX_M);
    if (c < 1 || c > INN_MAX_C)
        return fy_error_set(err, FY_EINPUT, "inn chain: %d quadratic layers outside 1..%d", c,
                            INN_MAX_C);
    if (kmin < 1 || kmax < kmin)
        return fy_error_set(err, FY_EINPUT,
                            "inn chain: source orders %d..%d; need 1 <= kmin <= kmax", kmin,
                            kmax);
    return FY_OK;
}

/* sum_{k=kmin..kmax} [t^m] B^k, B = t then B <- B + scale * B^2 c times; egf: divide by k!
 * and multiply by m!. */
static void chain_series(fmpq_t res, int m, int c, int kmin, int kmax, int egf)
{
    fmpq_poly_t B, B2, P;
    fmpq_t q, half;
    fmpz_t f;
    int j, k;
    fmpq_poly_init(B);
    fmpq_poly_init(B2);
    fmpq_poly_init(P);
    fmpq_init(q);
    fmpq_init(half);
    fmpz_init(f);
    fmpq_set_si(half, 1, 2);
    fmpq_poly_set_coeff_si(B, 1, 1);
    for (j = c; j >= 1; j--)
    {
        fmpq_poly_mullow(B2, B, B, m + 1);
        if (egf)
            fmpq_poly_scalar_mul_fmpq(B2, B2, half);
        fmpq_poly_add(B, B, B2);
    }
    fmpq_zero(res);
    if (kmax > m)
        kmax = m;
    for (k = kmin; k <= kmax; k++)
    {
        fmpq_poly_pow_trunc(P, B, (ulong) k, m + 1);
        fmpq_poly_get_coeff_fmpq(q, P, m);
        if (egf)
        {
            fmpz_fac_ui(f, (ulong) k);
            fmpq_div_fmpz(q, q, f);
        }
        fmpq_add(res, res, q);
    }
    if (egf)
    {
        fmpz_fac_ui(f, (ulong) m);
        fmpq_mul_fmpz(res, res, f);
    }
    fmpq_poly_clear(B);
    fmpq_poly_clear(B2);
    fmpq_poly_clear(P);
    fmpq_clear(q);
    fmpq_clear(half);
    fmpz_clear(f);
}

int fy_enum_inn_chain_oracle(fmpq_t expected, int m, int c, int kmin, int kmax, fy_error_t err)
{
    int status = check_chain(m, c, kmin, kmax, err);
    if (status == FY_OK)
        chain_series(expected, m, c, kmin, kmax, 0);
    return status;
}

int fy_enum_inn_chain_labelled_oracle(fmpq_t expected, int m, int c, int kmin, int kmax,
                                      fy_error_t err)
{
    int status = check_chain(m, c, kmin, kmax, err);
    if (status == FY_OK)
        chain_series(expected, m, c, kmin, kmax, 1);
    return status;
}

/* out = P(t^r) truncated to degree m. */
static void spread(fmpz_poly_t out, const fmpz_poly_t P, int r, int m)
{
    slong i;
    fmpz_poly_zero(out);
    for (i = 0; i < fmpz_poly_length(P) && i * r <= m; i++)
    {
        fmpz_t c;
        fmpz_init(c);
        fmpz_poly_get_coeff_fmpz(c, P, i);
        fmpz_poly_set_coeff_fmpz(out, i * r, c);
        fmpz_clear(c);
    }
}

/* The number of chain diagrams (isomorphism classes) without listing them, by Polya counting
 * of the generator's items: below level j the pool is the bare leg and the split vertices of
 * levels > j, P_j = t + sum_{i > j} S_i; a split vertex of level j is an unordered pair from
 * P_j, S_j = (P_j(t)^2 + P_j(t^2)) / 2; the root A^(k) a k-multiset from P_0, counted by the
 * cycle-index recurrence M_k = (1/k) sum_{r=1..k} P_0(t^r) M_{k-r}, M_0 = 1. */
int fy_enum_inn_chain_count(fmpz_t count, int m, int c, int kmin, int kmax, fy_error_t err)
{
    fmpz_poly_t acc, P, S, T, *M;
    fmpz_t x;
    int j, k, r, status = check_chain(m, c, kmin, kmax, err);
    if (status != FY_OK)
        return status;
    kmax = kmax < m ? kmax : m; /* every item carries a leaf */
    M = fy_calloc((size_t) kmax + 1, sizeof *M, err);
    if (M == NULL)
        return FY_ENOMEM;
    fmpz_poly_init(acc);
    fmpz_poly_init(P);
    fmpz_poly_init(S);
    fmpz_poly_init(T);
    fmpz_init(x);
    for (j = c; j >= 1; j--)
    {
        fmpz_poly_set(P, acc);
        fmpz_poly_zero(T);
        fmpz_poly_set_coeff_si(T, 1, 1);
        fmpz_poly_add(P, P, T);                /* P_j = t + sum_{i > j} S_i */
        fmpz_poly_mullow(S, P, P, m + 1);      /* ordered pairs */
        spread(T, P, 2, m);                    /* pairs of one item twice */
        fmpz_poly_add(S, S, T);
        fmpz_poly_scalar_divexact_ui(S, S, 2); /* S_j */
        fmpz_poly_add(acc, acc, S);
    }
    fmpz_poly_zero(T);
    fmpz_poly_set_coeff_si(T, 1, 1);
    fmpz_poly_add(P, acc, T); /* P_0 */
    fmpz_zero(count);
    for (k = 0; k <= kmax; k++)
    {
        fmpz_poly_init(M[k]);
        if (k == 0)
        {
            fmpz_poly_one(M[0]);
            continue;
        }
        for (r = 1; r <= k; r++)
        {
            spread(T, P, r, m);
            fmpz_poly_mullow(S, T, M[k - r], m + 1);
            fmpz_poly_add(M[k], M[k], S);
        }
        fmpz_poly_scalar_divexact_ui(M[k], M[k], (ulong) k);
        if (k >= kmin)
        {
            fmpz_poly_get_coeff_fmpz(x, M[k], m);
            fmpz_add(count, count, x);
        }
    }
    for (k = 0; k <= kmax; k++)
        fmpz_poly_clear(M[k]);
    free(M);
    fmpz_clear(x);
    fmpz_poly_clear(acc);
    fmpz_poly_clear(P);
    fmpz_poly_clear(S);
    fmpz_poly_clear(T);
    return FY_OK;
}

/* ---- chain generator ---- */

/* A record is an item below some level: the bare leg (no children, its code "<0>") or a split
 * vertex (two children, its code "-0(1.j" + the children's codes + ")"), with |Aut| and ord. */
typedef struct
{
    _fy_tree_rec h;
    int level; /* -1: the bare leg */
    fmpz aut, ord;
} irec_t;

typedef struct
{
    _fy_treepool pool;
    int *order; /* record indices ordered by leaves */
    long norder;
    int stack[INN_MAX_M + 1];
    int m, kcur, max_leaves;
    fy_diagram_list_struct *out;
    fy_diagram_struct *d;
    fy_error_struct *err;
} igen_t;

static irec_t *irec(const igen_t *g, int i)
{
    return (irec_t *) _fy_treepool_rec(&g->pool, i);
}

/* Writes head + the child items (sorted by code) + ")" to the text; sets aut, ord from the
 * children. */
static int write_vertex(igen_t *g, const int *sorted, int nch, int kind, int level, fmpz_t aut,
                        fmpz_t ord)
{
    char piece[FY_CANON_PIECE_MAX];
    int i, m, run = 1;
    m = _fy_canon_tree_head(piece, kind, level);
    if (_fy_treepool_put(&g->pool, piece, (size_t) m) != FY_OK)
        return FY_ENOMEM;
    fmpz_one(aut);
    fmpz_fac_ui(ord, (ulong) nch);
    for (i = 0; i < nch; i++)
    {
        const irec_t *c = irec(g, sorted[i]);
        if (_fy_treepool_put_code(&g->pool, sorted[i]) != FY_OK)
            return FY_ENOMEM;
        fmpz_mul(aut, aut, &c->aut);
        fmpz_mul(ord, ord, &c->ord);
        if (i > 0 && sorted[i] == sorted[i - 1])
        {
            run++;
            fmpz_mul_ui(aut, aut, (ulong) run);
            fmpz_divexact_ui(ord, ord, (ulong) run);
        }
        else
            run = 1;
    }
    return _fy_treepool_put(&g->pool, ")", 1);
}

static int inew(igen_t *g, int level, const int *ch, int nch)
{
    irec_t *r = _fy_treepool_open(&g->pool, ch, nch, g->err);
    char piece[FY_CANON_PIECE_MAX];
    int m;
    if (r == NULL)
        return FY_ENOMEM;
    r->level = level;
    fmpz_init(&r->aut);
    fmpz_init(&r->ord);
    if (nch == 0)
    {
        m = _fy_canon_tree_leg(piece, FY_INN_INDEX, FY_LEG_UNLABELLED);
        fmpz_one(&r->aut);
        fmpz_one(&r->ord);
        if (_fy_treepool_put(&g->pool, piece, (size_t) m) != FY_OK)
            goto nomem;
    }
    else
    {
        m = _fy_canon_tree_line(piece, FY_INN_CONTRACTION);
        if (_fy_treepool_put(&g->pool, piece, (size_t) m) != FY_OK ||
            write_vertex(g, g->pool.ch + r->h.ch_off, nch, FY_INN_SPLIT, level, &r->aut,
                         &r->ord) != FY_OK)
            goto nomem;
    }
    _fy_treepool_commit(&g->pool);
    return FY_OK;
nomem:
    fmpz_clear(&r->aut);
    fmpz_clear(&r->ord);
    return fy_error_set(g->err, FY_ENOMEM, "out of memory generating inn diagrams");
}

static int imaterialise(fy_diagram_t d, const igen_t *g, int rec, int parent, fy_error_t err)
{
    const irec_t *r = irec(g, rec);
    int v, i;
    if (r->h.nch == 0)
        return fy_diagram_add_leg(d, parent, FY_LEG_UNLABELLED, FY_INN_INDEX, err) < 0
                   ? FY_ENOMEM
                   : FY_OK;
    v = fy_diagram_add_vertex(d, FY_INN_SPLIT, r->level, err);
    if (v < 0 || fy_diagram_add_line(d, v, parent, FY_INN_CONTRACTION, err) < 0)
        return FY_ENOMEM;
    for (i = 0; i < r->h.nch; i++)
    {
        int status = imaterialise(d, g, g->pool.ch[r->h.ch_off + i], v, err);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

/* One diagram per k-multiset of pool items with m leaves. */
static int emit_root(igen_t *g, fy_diagram_list_t tmp)
{
    int k = g->kcur, i, status, sorted[INN_MAX_M + 1], scratch[INN_MAX_M + 1];
    fmpz_t aut, ord;
    fmpq_t mult;
    size_t start = g->pool.text.n;
    char *s;
    fy_diagram_struct *d = g->d;

    fmpz_init(aut);
    fmpz_init(ord);
    fmpq_init(mult);
    for (i = 0; i < k; i++)
        sorted[i] = g->stack[i];
    _fy_treepool_sort(&g->pool, sorted, k, scratch);
    status = _fy_treepool_put(&g->pool, "R", 1);
    if (status == FY_OK)
        status = write_vertex(g, sorted, k, FY_INN_ACTION, 0, aut, ord);
    if (status != FY_OK)
        status = fy_error_set(g->err, FY_ENOMEM, "out of memory generating inn diagrams");
    s = NULL;
    if (status == FY_OK)
    {
        size_t len = g->pool.text.n - start;
        s = malloc(len + 1);
        if (s == NULL)
            status = fy_error_set(g->err, FY_ENOMEM, "out of memory generating inn diagrams");
        else
        {
            memcpy(s, g->pool.text.s + start, len);
            s[len] = '\0';
        }
    }
    g->pool.text.n = start; /* the root's code is not kept in the pool */
    if (g->pool.text.s != NULL)
        g->pool.text.s[start] = '\0';
    if (status == FY_OK)
    {
        int root = fy_diagram_add_vertex(d, FY_INN_ACTION, 0, g->err);
        if (root < 0)
            status = FY_ENOMEM;
        d->root = root;
        for (i = 0; i < k && status == FY_OK; i++)
            status = imaterialise(d, g, sorted[i], root, g->err);
    }
    if (status == FY_OK)
    {
        fmpq_set_fmpz(mult, ord);
        _fy_enum_finish(d, s, aut, mult);
        s = NULL;
        status = _fy_enum_list_take(tmp, d, g->err);
    }
    else
        fy_diagram_reset(d);
    free(s);
    fmpz_clear(aut);
    fmpz_clear(ord);
    fmpq_clear(mult);
    return status;
}

static int gen_root(igen_t *g, fy_diagram_list_t tmp, long pos, int leaves, int depth)
{
    long p;
    int status;
    if (depth == g->kcur)
        return leaves == g->m ? emit_root(g, tmp) : FY_OK;
    for (p = pos; p < g->norder; p++)
    {
        int lv = irec(g, g->order[p])->h.leaves;
        if (leaves + lv + (g->kcur - depth - 1) > g->m)
            break;
        g->stack[depth] = g->order[p];
        status = gen_root(g, tmp, p, leaves + lv, depth + 1);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

static int cmp_diagram_canon(const void *a, const void *b)
{
    return strcmp(((const fy_diagram_struct *) a)->canon, ((const fy_diagram_struct *) b)->canon);
}

int _fy_enum_inn_chain(fy_diagram_list_t out, int m, int c, int kmin, int kmax,
                       size_t max_bytes, fy_error_t err)
{
    igen_t g;
    fy_diagram_t d;
    fy_diagram_list_t tmp;
    int status, j, k;
    long i, a, b, top;

    status = check_chain(m, c, kmin, kmax, err);
    if (status != FY_OK)
        return status;
    if (kmax > m)
        kmax = m;
    {
        size_t lim = max_bytes ? max_bytes : FY_ENUM_DEFAULT_MAX_BYTES;
        double each = 2 * _fy_enum_diagram_bytes(m, m, m, 16 * (size_t) m);
        double est = _fy_enum_inn_estimate(m, c, kmin, kmax, (double) lim / each + 1);
        status = _fy_enum_guard(est, each, 0, max_bytes, "inn chain diagrams", err);
        if (status != FY_OK || kmin > kmax)
            return status;
    }

    memset(&g, 0, sizeof g);
    _fy_treepool_init(&g.pool, sizeof(irec_t));
    g.m = m;
    g.max_leaves = m - kmin + 1;
    g.err = err;
    fy_diagram_init(d, &fy_family_inn);
    fy_diagram_list_init(tmp);
    g.d = d;
    status = inew(&g, -1, NULL, 0); /* the bare leg */
    /* Split vertices from the last layer (c) to the first: children from the items so far. */
    for (j = c; j >= 1 && status == FY_OK; j--)
    {
        status = _fy_treepool_by_leaves(&g.order, &g.norder, &g.pool, g.max_leaves, err);
        top = status == FY_OK ? g.norder : 0;
        for (a = 0; a < top && status == FY_OK; a++)
            for (b = a; b < top && status == FY_OK; b++)
            {
                int pair[2];
                pair[0] = g.order[a];
                pair[1] = g.order[b];
                if (irec(&g, pair[0])->h.leaves + irec(&g, pair[1])->h.leaves > g.max_leaves)
                    break; /* ordered by leaves */
                status = inew(&g, j, pair, 2);
            }
    }
    if (status == FY_OK)
        status = _fy_treepool_by_leaves(&g.order, &g.norder, &g.pool, g.max_leaves, err);
    for (k = kmin; k <= kmax && status == FY_OK; k++)
    {
        g.kcur = k;
        status = gen_root(&g, tmp, 0, 0, 0);
    }
    if (status == FY_OK && tmp->n > 1)
        qsort(tmp->d, (size_t) tmp->n, sizeof *tmp->d, cmp_diagram_canon);
    for (i = 0; i < tmp->n && status == FY_OK; i++)
        status = _fy_enum_list_take(out, tmp->d + i, err);
    fy_diagram_list_clear(tmp);
    fy_diagram_clear(d);
    for (i = 0; i < g.pool.n; i++)
    {
        fmpz_clear(&irec(&g, (int) i)->aut);
        fmpz_clear(&irec(&g, (int) i)->ord);
    }
    _fy_treepool_clear(&g.pool);
    free(g.order);
    return status;
}

/* ---- log-det vertices ---- */

int fy_enum_inn_logdet_oracle(fmpq_t expected, int K, fy_error_t err)
{
    fmpq_poly_t p, lg;
    fmpq_t q;
    int n;
    if (K < 1 || K > LOGDET_MAX_K)
        return fy_error_set(err, FY_EINPUT, "inn logdet: order %d outside 1..%d", K,
                            LOGDET_MAX_K);
    fmpq_poly_init(p);
    fmpq_poly_init(lg);
    fmpq_init(q);
    fmpq_poly_set_coeff_si(p, 0, 1);
    fmpq_poly_set_coeff_si(p, 1, 2); /* 1 + 2t */
    fmpq_poly_log_series(lg, p, K + 1);
    fmpq_zero(expected);
    for (n = 1; n <= K; n++)
    {
        fmpq_poly_get_coeff_fmpq(q, lg, n);
        fmpq_add(expected, expected, q);
    }
    fmpq_poly_clear(p);
    fmpq_poly_clear(lg);
    fmpq_clear(q);
    return FY_OK;
}

int _fy_enum_inn_logdet(fy_diagram_list_t out, int K, size_t max_bytes, fy_error_t err)
{
    fy_diagram_t d;
    fmpz_t aut;
    fmpq_t mult;
    char piece[FY_CANON_PIECE_MAX];
    int n, i, status;
    if (K < 1 || K > LOGDET_MAX_K)
        return fy_error_set(err, FY_EINPUT, "inn logdet: order %d outside 1..%d", K,
                            LOGDET_MAX_K);
    status = _fy_enum_guard(K, _fy_enum_diagram_bytes(1, 0, K, 4 * (size_t) K + 16), 0,
                            max_bytes, "inn logdet diagrams", err);
    if (status != FY_OK)
        return status;
    fy_diagram_init(d, &fy_family_inn);
    fmpz_init(aut);
    fmpq_init(mult);
    for (n = 1; n <= K && status == FY_OK; n++)
    {
        fy_strbuf_t b;
        int m, v;
        fy_strbuf_init(b);
        v = fy_diagram_add_vertex(d, FY_INN_LOGDET, 0, err);
        status = v < 0 ? FY_ENOMEM : FY_OK;
        d->root = v;
        m = _fy_canon_tree_head(piece, FY_INN_LOGDET, 0);
        if (status == FY_OK && (fy_strbuf_putn(b, "R", 1) != FY_OK ||
                                fy_strbuf_putn(b, piece, (size_t) m) != FY_OK))
            status = fy_error_set(err, FY_ENOMEM, "out of memory generating logdet vertices");
        m = _fy_canon_tree_leg(piece, FY_INN_INDEX, FY_LEG_UNLABELLED);
        for (i = 0; i < n && status == FY_OK; i++)
        {
            if (fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, FY_INN_INDEX, err) < 0)
                status = FY_ENOMEM;
            else if (fy_strbuf_putn(b, piece, (size_t) m) != FY_OK)
                status = fy_error_set(err, FY_ENOMEM, "out of memory generating logdet vertices");
        }
        if (status == FY_OK && fy_strbuf_putn(b, ")", 1) != FY_OK)
            status = fy_error_set(err, FY_ENOMEM, "out of memory generating logdet vertices");
        if (status != FY_OK)
        {
            fy_strbuf_clear(b);
            break;
        }
        /* (-1)^(n+1) 2^n / n */
        fmpz_fac_ui(aut, (ulong) n);
        fmpz_one(fmpq_numref(mult));
        fmpz_mul_2exp(fmpq_numref(mult), fmpq_numref(mult), (ulong) n);
        if (n % 2 == 0)
            fmpz_neg(fmpq_numref(mult), fmpq_numref(mult));
        fmpz_set_ui(fmpq_denref(mult), (ulong) n);
        fmpq_canonicalise(mult);
        _fy_enum_finish(d, b->s, aut, mult);
        status = _fy_enum_list_take(out, d, err);
    }
    fy_diagram_clear(d);
    fmpz_clear(aut);
    fmpq_clear(mult);
    return status;
}
