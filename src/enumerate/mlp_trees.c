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

typedef struct
{
    int leaves, layer, nch, ch_off, nv;
    size_t code_off, code_len;
    fmpz aut;
} rec_t;

typedef struct
{
    rec_t *r;
    long n, alloc;
    int *ch;
    long nch, ch_alloc;
    _fy_strbuf text;
    int *pool;     /* record indices ordered by leaves */
    long npool;
    int *stack;
    int n_target, H;
    fmpz_t f;
    fy_error_struct *err;
} gen_t;

static const char *code_of(const gen_t *g, int i)
{
    return g->text.s + g->r[i].code_off;
}

static _Thread_local const gen_t *sort_ctx; /* qsort has no context argument in C11 */

static int cmp_code(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;
    const rec_t *rx = sort_ctx->r + x, *ry = sort_ctx->r + y;
    size_t n = rx->code_len < ry->code_len ? rx->code_len : ry->code_len;
    int c = memcmp(sort_ctx->text.s + rx->code_off, sort_ctx->text.s + ry->code_off, n);
    if (c != 0)
        return c;
    /* A code is never a proper prefix of another (balanced brackets), but stay total. */
    return (rx->code_len > ry->code_len) - (rx->code_len < ry->code_len);
}

static void sort_by_code(const gen_t *g, int *idx, long n)
{
    sort_ctx = g;
    qsort(idx, (size_t) n, sizeof *idx, cmp_code);
    sort_ctx = NULL;
}

/* Appends b->s[off .. off+len) to b itself (put would read freed memory if s moved). */
static int strbuf_copy_self(_fy_strbuf *b, size_t off, size_t len)
{
    if (b->n + len + 1 > b->alloc)
    {
        size_t cap = b->alloc ? 2 * b->alloc : 64;
        char *p;
        while (cap < b->n + len + 1)
            cap *= 2;
        p = realloc(b->s, cap);
        if (p == NULL)
            return FY_ENOMEM;
        b->s = p;
        b->alloc = cap;
    }
    memmove(b->s + b->n, b->s + off, len);
    b->n += len;
    b->s[b->n] = '\0';
    return FY_OK;
}

static int new_rec(gen_t *g, int leaves, int layer, const int *ch, int nch)
{
    rec_t *r;
    char piece[FY_CANON_PIECE_MAX];
    int i, m, sorted[MLP_MAX_N];
    if (g->n == g->alloc)
    {
        long cap = g->alloc ? 2 * g->alloc : 256;
        rec_t *p = fy_realloc(g->r, (size_t) cap, sizeof *p, g->err);
        if (p == NULL)
            return FY_ENOMEM;
        g->r = p;
        g->alloc = cap;
    }
    if (g->nch + nch > g->ch_alloc)
    {
        long cap = g->ch_alloc ? 2 * g->ch_alloc : 1024;
        int *p;
        while (cap < g->nch + nch)
            cap *= 2;
        p = fy_realloc(g->ch, (size_t) cap, sizeof *p, g->err);
        if (p == NULL)
            return FY_ENOMEM;
        g->ch = p;
        g->ch_alloc = cap;
    }
    r = g->r + g->n;
    r->leaves = leaves;
    r->layer = layer;
    r->nch = nch;
    r->ch_off = (int) g->nch;
    r->nv = 1;
    fmpz_init(&r->aut);
    fmpz_one(&r->aut);
    r->code_off = g->text.n;
    for (i = 0; i < nch; i++)
        sorted[i] = ch[i];
    sort_by_code(g, sorted, nch);
    if (nch > 0)
        memcpy(g->ch + g->nch, sorted, (size_t) nch * sizeof *sorted);
    g->nch += nch;
    if (nch == 0)
    {
        m = _fy_canon_tree_head(piece, FY_MLP_INPUT, 0);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
        m = _fy_canon_tree_leg(piece, FY_MLP_SLOT, FY_LEG_UNLABELLED);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
    }
    else
    {
        int run = 1;
        m = _fy_canon_tree_head(piece, FY_MLP_VERTEX, layer);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
        for (i = 0; i < nch; i++)
        {
            const rec_t *c = g->r + sorted[i];
            m = _fy_canon_tree_line(piece, FY_MLP_PROPAGATOR);
            if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
                goto nomem;
            if (strbuf_copy_self(&g->text, c->code_off, c->code_len) != FY_OK)
                goto nomem;
            r->nv += c->nv;
            fmpz_mul(&r->aut, &r->aut, &c->aut);
            if (i > 0 && sorted[i] == sorted[i - 1])
            {
                run++;
                fmpz_mul_ui(&r->aut, &r->aut, (ulong) run);
            }
            else
                run = 1;
        }
    }
    if (_fy_strbuf_put(&g->text, ")", 1) != FY_OK)
        goto nomem;
    r->code_len = g->text.n - r->code_off;
    g->n++;
    return FY_OK;
nomem:
    fmpz_clear(&r->aut);
    return fy_error_set(g->err, FY_ENOMEM, "out of memory generating mlp trees");
}

/* Multisets of pool entries from position pos on, non-decreasing, leaves within budget. */
static int gen_layer(gen_t *g, int layer, long pos, int leaves, int depth)
{
    long p;
    int status;
    if (depth >= 2 && (layer < g->H || leaves == g->n_target))
    {
        status = new_rec(g, leaves, layer, g->stack, depth);
        if (status != FY_OK)
            return status;
    }
    for (p = pos; p < g->npool; p++)
    {
        int lv = g->r[g->pool[p]].leaves;
        if (leaves + lv > g->n_target)
            break;
        /* A lone child must leave room for a sibling. */
        if (depth == 0 && leaves + lv + 1 > g->n_target)
            break;
        g->stack[depth] = g->pool[p];
        status = gen_layer(g, layer, p, leaves + lv, depth + 1);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

/* Rebuilds the pool: every record, ordered by leaves (then by index, stable). */
static int rebuild_pool(gen_t *g)
{
    long i, at = 0;
    int lv;
    int *p = fy_realloc(g->pool, (size_t) g->n, sizeof *p, g->err);
    if (p == NULL)
        return FY_ENOMEM;
    g->pool = p;
    for (lv = 1; lv < g->n_target; lv++) /* a child has fewer leaves than the whole */
        for (i = 0; i < g->n; i++)
            if (g->r[i].leaves == lv)
                g->pool[at++] = (int) i;
    g->npool = at;
    return FY_OK;
}

static int materialise(fy_diagram_t d, const gen_t *g, int rec, int parent, fy_error_t err)
{
    const rec_t *r = g->r + rec;
    int v, i;
    if (r->nch == 0)
    {
        v = fy_diagram_add_vertex(d, FY_MLP_INPUT, 0, err);
        if (v < 0 || fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, FY_MLP_SLOT, err) < 0)
            return FY_ENOMEM;
    }
    else
    {
        v = fy_diagram_add_vertex(d, FY_MLP_VERTEX, r->layer, err);
        if (v < 0)
            return FY_ENOMEM;
    }
    if (fy_diagram_add_line(d, v, parent, FY_MLP_PROPAGATOR, err) < 0)
        return FY_ENOMEM;
    for (i = 0; i < r->nch; i++)
    {
        int status = materialise(d, g, g->ch[r->ch_off + i], v, err);
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
    char head[FY_CANON_PIECE_MAX], line[FY_CANON_PIECE_MAX];
    int head_len, line_len;

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
    g.n_target = n;
    g.H = H;
    g.err = err;
    g.stack = fy_malloc((size_t) n + 1, sizeof *g.stack, err);
    if (g.stack == NULL)
        return FY_ENOMEM;
    status = new_rec(&g, 1, 0, NULL, 0); /* the leaf */
    for (l = 1; l <= H && status == FY_OK && n >= 2; l++)
    {
        status = rebuild_pool(&g);
        if (status == FY_OK)
            status = gen_layer(&g, l, 0, 0, 0);
    }

    /* The diagrams: records with n leaves, in code order. */
    if (status == FY_OK)
    {
        finals = fy_malloc((size_t) g.n, sizeof *finals, err);
        if (finals == NULL)
            status = FY_ENOMEM;
    }
    if (status == FY_OK)
    {
        for (i = 0; i < g.n; i++)
            if (g.r[i].leaves == n)
                finals[nfinal++] = (int) i;
        sort_by_code(&g, finals, nfinal);
    }

    fmpz_init(nfac);
    fmpq_init(mult);
    fy_diagram_init(d, &fy_family_mlp);
    fmpz_fac_ui(nfac, (ulong) n);
    head_len = _fy_canon_tree_head(head, FY_MLP_OUTPUT, H + 1);
    line_len = _fy_canon_tree_line(line, FY_MLP_PROPAGATOR);
    for (i = 0; i < nfinal && status == FY_OK; i++)
    {
        const rec_t *r = g.r + finals[i];
        size_t len = 1 + (size_t) head_len + (size_t) line_len + r->code_len + 1;
        char *s;
        int root = fy_diagram_add_vertex(d, FY_MLP_OUTPUT, H + 1, err);
        if (root < 0)
        {
            status = FY_ENOMEM;
            break;
        }
        d->root = root;
        status = materialise(d, &g, finals[i], root, err);
        if (status != FY_OK)
            break;
        s = malloc(len + 1);
        if (s == NULL)
        {
            status = fy_error_set(err, FY_ENOMEM, "out of memory generating mlp trees");
            break;
        }
        s[0] = 'R';
        memcpy(s + 1, head, (size_t) head_len);
        memcpy(s + 1 + head_len, line, (size_t) line_len);
        memcpy(s + 1 + head_len + line_len, code_of(&g, finals[i]), r->code_len);
        s[len - 1] = ')';
        s[len] = '\0';
        fmpq_set_fmpz_frac(mult, nfac, &r->aut);
        _fy_enum_finish(d, s, &r->aut, mult);
        status = _fy_enum_list_take(out, d, err);
    }
    fy_diagram_clear(d);
    fmpq_clear(mult);
    fmpz_clear(nfac);

    for (i = 0; i < g.n; i++)
        fmpz_clear(&g.r[i].aut);
    free(g.r);
    free(g.ch);
    free(g.text.s);
    free(g.pool);
    free(g.stack);
    free(finals);
    return status;
}
