/* MLP layered trees (MATH.md 1.3-1.5): the unlabelled generator, its counts and its oracle.
 *
 * The generator works layer by layer.  A record is one isomorphism class of subtrees (its
 * number of leaves, top layer, children, canonical code and |Aut|).  Layer 0 holds the single
 * leaf; the records of layer l are the multisets of at least two records of layers < l, taken
 * as non-decreasing sequences in a pool ordered by number of leaves (so each multiset is made
 * once and the leaf budget prunes the search).  Distinct records are distinct classes, so
 * equal children are equal records, and |Aut| = prod (|Aut| of each child) * prod over
 * distinct children (multiplicity)!.  The code of a record is built from its children's codes
 * sorted by strcmp, which is the format of graph/canon.h, so the diagrams come out
 * canonicalised without running the general algorithm on each.
 *
 * The counts are independent of the generator: the unlabelled count by the Euler (multiset)
 * transform of the layer series, the labelled count N(n,H) from c_{l+1} = exp(c_l) - 1. */
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_poly.h>

#include "enumerate/enum_internal.h"
#include "graph/canon.h"

/* Generator caps checked before counting (the guard refuses far below them in practice). */
#define MLP_MAX_N 256
#define MLP_MAX_H 1024

static int check_nH(int n, int H, fy_error_t err)
{
    if (n < 1 || n > MLP_MAX_N)
        return fy_error_set(err, FY_EINPUT, "mlp trees: order %d outside 1..%d", n, MLP_MAX_N);
    if (H < 1 || H > MLP_MAX_H)
        return fy_error_set(err, FY_EINPUT, "mlp trees: %d hidden layers outside 1..%d", H,
                            MLP_MAX_H);
    return FY_OK;
}

int fy_enum_mlp_oracle(fmpq_t expected, int n, int H, fy_error_t err)
{
    fmpq_poly_t c, e;
    fmpz_t f;
    int l, status = check_nH(n, H, err);
    if (status != FY_OK)
        return status;
    fmpq_poly_init(c);
    fmpq_poly_init(e);
    fmpz_init(f);
    fmpq_poly_set_coeff_si(c, 1, 1); /* c_1 = t */
    for (l = 1; l <= H; l++)
    {
        fmpq_poly_exp_series(e, c, n + 1); /* exp(c_l) */
        fmpq_poly_set_coeff_si(e, 0, 0);   /* - 1 */
        fmpq_poly_swap(c, e);
    }
    fmpq_poly_get_coeff_fmpq(expected, c, n);
    fmpz_fac_ui(f, (ulong) n);
    fmpq_mul_fmpz(expected, expected, f);
    fmpq_poly_clear(c);
    fmpq_poly_clear(e);
    fmpz_clear(f);
    return FY_OK;
}

int fy_enum_mlp_count(fmpz_t unlabelled, fmpz_t labelled, int n, int H, fy_error_t err)
{
    int status = check_nH(n, H, err);
    if (status != FY_OK)
        return status;
    if (labelled != NULL)
    {
        fmpq_t q;
        fmpq_init(q);
        fy_enum_mlp_oracle(q, n, H, err);
        fmpz_set(labelled, fmpq_numref(q));
        fmpq_clear(q);
    }
    if (unlabelled != NULL)
    {
        /* u_0 = x; A_l = sum_{l' < l} u_l'; u_l = MSET(A_l) - 1 - A_l with
         * MSET(A) = exp(sum_k A(x^k)/k): the multisets of at least two classes. */
        fmpq_poly_t A, S, M, tot;
        fmpq_t q, r;
        int l, k, j;
        fmpq_poly_init(A);
        fmpq_poly_init(S);
        fmpq_poly_init(M);
        fmpq_poly_init(tot);
        fmpq_init(q);
        fmpq_init(r);
        fmpq_poly_set_coeff_si(A, 1, 1);
        if (n == 1)
            fmpq_poly_set_coeff_si(tot, 1, 1);
        for (l = 1; l <= H; l++)
        {
            fmpq_poly_zero(S);
            for (k = 1; k <= n; k++)
                for (j = 1; j * k <= n; j++)
                {
                    fmpq_poly_get_coeff_fmpq(q, A, j);
                    if (fmpq_is_zero(q))
                        continue;
                    fmpz_mul_ui(fmpq_denref(q), fmpq_denref(q), (ulong) k);
                    fmpq_canonicalise(q);
                    fmpq_poly_get_coeff_fmpq(r, S, j * k);
                    fmpq_add(r, r, q);
                    fmpq_poly_set_coeff_fmpq(S, j * k, r);
                }
            fmpq_poly_exp_series(M, S, n + 1);
            fmpq_poly_sub(M, M, A);
            fmpq_poly_set_coeff_si(M, 0, 0);
            fmpq_poly_add(tot, tot, M); /* u_l */
            fmpq_poly_add(A, A, M);
        }
        fmpq_poly_get_coeff_fmpq(q, tot, n);
        fmpz_set(unlabelled, fmpq_numref(q));
        fmpq_clear(q);
        fmpq_clear(r);
        fmpq_poly_clear(A);
        fmpq_poly_clear(S);
        fmpq_poly_clear(M);
        fmpq_poly_clear(tot);
    }
    return FY_OK;
}

/* ---- the generator ---- */

/* Shared with mlp_labelled.c: the record of an MLP subtree, its code and its diagram. */

int _fy_enum_mlp_node_add(_fy_treepool *p, int layer, int label, const int *ch, int nch,
                          fy_error_t err)
{
    _fy_mlp_node *r = _fy_treepool_open(p, ch, nch, err);
    const int *sorted;
    char piece[FY_CANON_PIECE_MAX];
    int i, m;
    if (r == NULL)
        return -1;
    r->layer = layer;
    r->label = label;
    sorted = p->ch + r->h.ch_off;
    if (nch == 0)
    {
        m = _fy_canon_tree_head(piece, FY_MLP_INPUT, 0);
        if (_fy_treepool_put(p, piece, (size_t) m) != FY_OK)
            goto nomem;
        m = _fy_canon_tree_leg(piece, FY_MLP_SLOT, label);
        if (_fy_treepool_put(p, piece, (size_t) m) != FY_OK)
            goto nomem;
    }
    else
    {
        m = _fy_canon_tree_head(piece, FY_MLP_VERTEX, layer);
        if (_fy_treepool_put(p, piece, (size_t) m) != FY_OK)
            goto nomem;
        m = _fy_canon_tree_line(piece, FY_MLP_PROPAGATOR);
        for (i = 0; i < nch; i++)
            if (_fy_treepool_put(p, piece, (size_t) m) != FY_OK ||
                _fy_treepool_put_code(p, sorted[i]) != FY_OK)
                goto nomem;
    }
    if (_fy_treepool_put(p, ")", 1) != FY_OK)
        goto nomem;
    return _fy_treepool_commit(p);
nomem:
    fy_error_set(err, FY_ENOMEM, "out of memory generating mlp trees");
    return -1;
}

static int materialise(fy_diagram_t d, const _fy_treepool *p, int rec, int parent,
                       fy_error_t err)
{
    const _fy_mlp_node *r = (const _fy_mlp_node *) _fy_treepool_rec(p, rec);
    int v, i;
    if (r->h.nch == 0)
    {
        v = fy_diagram_add_vertex(d, FY_MLP_INPUT, 0, err);
        if (v < 0 || fy_diagram_add_leg(d, v, r->label, FY_MLP_SLOT, err) < 0)
            return FY_ENOMEM;
    }
    else if ((v = fy_diagram_add_vertex(d, FY_MLP_VERTEX, r->layer, err)) < 0)
        return FY_ENOMEM;
    if (fy_diagram_add_line(d, v, parent, FY_MLP_PROPAGATOR, err) < 0)
        return FY_ENOMEM;
    for (i = 0; i < r->h.nch; i++)
    {
        int status = materialise(d, p, p->ch[r->h.ch_off + i], v, err);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

int _fy_enum_mlp_prefix(char *buf, int H)
{
    /* "R" + the output's head + the line to its one child */
    int m = _fy_canon_tree_head(buf + 1, FY_MLP_OUTPUT, H + 1);
    buf[0] = 'R';
    return 1 + m + _fy_canon_tree_line(buf + 1 + m, FY_MLP_PROPAGATOR);
}

int _fy_enum_mlp_take(fy_diagram_list_t out, fy_diagram_t d, const _fy_treepool *p, int rec,
                      int H, const char *prefix, int prefix_len, const fmpz_t aut,
                      const fmpq_t mult, fy_error_t err)
{
    const _fy_tree_rec *r = _fy_treepool_rec(p, rec);
    size_t len = (size_t) prefix_len + r->code_len + 1;
    char *s;
    int status, root = fy_diagram_add_vertex(d, FY_MLP_OUTPUT, H + 1, err);
    if (root < 0)
        return FY_ENOMEM;
    d->root = root;
    status = materialise(d, p, rec, root, err);
    if (status != FY_OK)
        return status;
    s = malloc(len + 1);
    if (s == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory generating mlp trees");
    memcpy(s, prefix, (size_t) prefix_len);
    memcpy(s + prefix_len, p->text.s + r->code_off, r->code_len);
    s[len - 1] = ')';
    s[len] = '\0';
    _fy_enum_finish(d, s, aut, mult);
    return _fy_enum_list_take(out, d, err);
}

/* A record of the unlabelled generator: a class of subtrees and its |Aut|. */
typedef struct
{
    _fy_mlp_node node;
    fmpz aut;
} rec_t;

typedef struct
{
    _fy_treepool pool;
    int *order; /* record indices ordered by leaves */
    long norder;
    int *stack;
    int n_target, H;
    fy_error_struct *err;
} gen_t;

static rec_t *rec_of(const gen_t *g, int i)
{
    return (rec_t *) _fy_treepool_rec(&g->pool, i);
}

static int new_rec(gen_t *g, int layer, const int *ch, int nch)
{
    rec_t *r;
    const int *sorted;
    int i, run = 1, k;
    k = _fy_enum_mlp_node_add(&g->pool, layer, FY_LEG_UNLABELLED, ch, nch, g->err);
    if (k < 0)
        return FY_ENOMEM;
    r = rec_of(g, k);
    sorted = g->pool.ch + r->node.h.ch_off;
    fmpz_init(&r->aut);
    fmpz_one(&r->aut);
    for (i = 0; i < nch; i++)
    {
        fmpz_mul(&r->aut, &r->aut, &rec_of(g, sorted[i])->aut);
        if (i > 0 && sorted[i] == sorted[i - 1])
        {
            run++;
            fmpz_mul_ui(&r->aut, &r->aut, (ulong) run);
        }
        else
            run = 1;
    }
    return FY_OK;
}

/* Multisets of order entries from position pos on, non-decreasing, leaves within budget. */
static int gen_layer(gen_t *g, int layer, long pos, int leaves, int depth)
{
    long p;
    int status;
    if (depth >= 2 && (layer < g->H || leaves == g->n_target))
    {
        status = new_rec(g, layer, g->stack, depth);
        if (status != FY_OK)
            return status;
    }
    for (p = pos; p < g->norder; p++)
    {
        int lv = rec_of(g, g->order[p])->node.h.leaves;
        if (leaves + lv > g->n_target)
            break;
        /* A lone child must leave room for a sibling. */
        if (depth == 0 && leaves + lv + 1 > g->n_target)
            break;
        g->stack[depth] = g->order[p];
        status = gen_layer(g, layer, p, leaves + lv, depth + 1);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

int _fy_enum_mlp_trees(fy_diagram_list_t out, int n, int H, size_t max_bytes, fy_error_t err)
{
    gen_t g;
    fmpz_t nfac;
    fmpq_t mult;
    fy_diagram_t d;
    int status, l, *finals = NULL;
    long i, nfinal = 0;
    char prefix[FY_ENUM_MLP_PREFIX_MAX];
    int prefix_len = _fy_enum_mlp_prefix(prefix, H);

    status = check_nH(n, H, err);
    if (status != FY_OK)
        return status;
    {
        size_t lim = max_bytes ? max_bytes : FY_ENUM_DEFAULT_MAX_BYTES;
        double each = 2 * _fy_enum_diagram_bytes(2 * n, 2 * n, n, 24 * (size_t) n);
        double est = _fy_enum_mlp_estimate(n, H, 0, (double) lim / each + 1);
        status = _fy_enum_guard(est, each, 0, max_bytes, "mlp trees", err);
        if (status != FY_OK)
            return status;
    }

    memset(&g, 0, sizeof g);
    _fy_treepool_init(&g.pool, sizeof(rec_t));
    g.n_target = n;
    g.H = H;
    g.err = err;
    g.stack = fy_malloc((size_t) n + 1, sizeof *g.stack, err);
    if (g.stack == NULL)
        return FY_ENOMEM;
    status = new_rec(&g, 0, NULL, 0); /* the leaf */
    for (l = 1; l <= H && status == FY_OK && n >= 2; l++)
    {
        /* every record so far; a child has fewer leaves than the whole */
        status = _fy_treepool_by_leaves(&g.order, &g.norder, &g.pool, n - 1, err);
        if (status == FY_OK)
            status = gen_layer(&g, l, 0, 0, 0);
    }

    /* The diagrams: records with n leaves, in code order. */
    if (status == FY_OK)
    {
        finals = fy_malloc(2 * (size_t) g.pool.n, sizeof *finals, err);
        if (finals == NULL)
            status = FY_ENOMEM;
    }
    if (status == FY_OK)
    {
        for (i = 0; i < g.pool.n; i++)
            if (rec_of(&g, (int) i)->node.h.leaves == n)
                finals[nfinal++] = (int) i;
        _fy_treepool_sort(&g.pool, finals, nfinal, finals + nfinal);
    }

    fmpz_init(nfac);
    fmpq_init(mult);
    fy_diagram_init(d, &fy_family_mlp);
    fmpz_fac_ui(nfac, (ulong) n);
    for (i = 0; i < nfinal && status == FY_OK; i++)
    {
        const rec_t *r = rec_of(&g, finals[i]);
        fmpq_set_fmpz_frac(mult, nfac, &r->aut);
        status = _fy_enum_mlp_take(out, d, &g.pool, finals[i], H, prefix, prefix_len, &r->aut,
                                   mult, err);
    }
    fy_diagram_clear(d);
    fmpq_clear(mult);
    fmpz_clear(nfac);

    for (i = 0; i < g.pool.n; i++)
        fmpz_clear(&rec_of(&g, (int) i)->aut);
    _fy_treepool_clear(&g.pool);
    free(g.order);
    free(g.stack);
    free(finals);
    return status;
}
