/* MLP layered trees with labelled leaves: every leaf-labelled tree of MATH.md 1.3, legs
 * labelled by the derivative slots 1..n.  Built directly (not by labelling the unlabelled
 * shapes): the subtrees with leaf set S and top layer l are, for every set partition of S into
 * at least two blocks, the products of subtrees of the blocks with top layers below l.  Sets
 * are bit masks, handled in increasing order, so every block is done before its supersets.
 * All leaves are distinct, so every automorphism is trivial: |Aut| = 1, mult = 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enumerate/enum_internal.h"
#include "graph/canon.h"

#define LAB_MAX_N 20

typedef struct
{
    int layer, nch, ch_off, leaf; /* leaf: slot label (1..n) of a leaf record, else 0 */
    size_t code_off, code_len;
} lrec_t;

typedef struct
{
    lrec_t *r;
    long n, alloc;
    int *ch;
    long nch, ch_alloc;
    _fy_strbuf text;
    long *start, *count; /* per (mask, layer): [mask * (H+1) + layer] */
    int n_target, H;
    unsigned full;
    unsigned blocks[LAB_MAX_N];
    int pick[LAB_MAX_N];
    fy_error_struct *err;
} lgen_t;

static _Thread_local const lgen_t *lsort_ctx; /* context of the qsort comparison */

static int cmp_lcode(const void *a, const void *b)
{
    const lrec_t *x = lsort_ctx->r + *(const int *) a, *y = lsort_ctx->r + *(const int *) b;
    size_t n = x->code_len < y->code_len ? x->code_len : y->code_len;
    int c = memcmp(lsort_ctx->text.s + x->code_off, lsort_ctx->text.s + y->code_off, n);
    if (c != 0)
        return c;
    return (x->code_len > y->code_len) - (x->code_len < y->code_len);
}

static int put_self(_fy_strbuf *b, size_t off, size_t len)
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

static int lnew(lgen_t *g, int layer, const int *ch, int nch, int leaf)
{
    lrec_t *r;
    char piece[FY_CANON_PIECE_MAX];
    int i, m, sorted[LAB_MAX_N];
    if (g->n == g->alloc)
    {
        long cap = g->alloc ? 2 * g->alloc : 256;
        lrec_t *p = fy_realloc(g->r, (size_t) cap, sizeof *p, g->err);
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
    r->layer = layer;
    r->nch = nch;
    r->leaf = leaf;
    r->ch_off = (int) g->nch;
    r->code_off = g->text.n;
    for (i = 0; i < nch; i++)
        sorted[i] = ch[i];
    lsort_ctx = g;
    qsort(sorted, (size_t) nch, sizeof *sorted, cmp_lcode);
    lsort_ctx = NULL;
    if (nch > 0)
        memcpy(g->ch + g->nch, sorted, (size_t) nch * sizeof *sorted);
    g->nch += nch;
    if (nch == 0)
    {
        m = _fy_canon_tree_head(piece, FY_MLP_INPUT, 0);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
        m = _fy_canon_tree_leg(piece, FY_MLP_SLOT, leaf);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
    }
    else
    {
        m = _fy_canon_tree_head(piece, FY_MLP_VERTEX, layer);
        if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK)
            goto nomem;
        for (i = 0; i < nch; i++)
        {
            const lrec_t *c = g->r + sorted[i];
            m = _fy_canon_tree_line(piece, FY_MLP_PROPAGATOR);
            if (_fy_strbuf_put(&g->text, piece, (size_t) m) != FY_OK ||
                put_self(&g->text, c->code_off, c->code_len) != FY_OK)
                goto nomem;
        }
    }
    if (_fy_strbuf_put(&g->text, ")", 1) != FY_OK)
        goto nomem;
    r->code_len = g->text.n - r->code_off;
    g->n++;
    return FY_OK;
nomem:
    return fy_error_set(g->err, FY_ENOMEM, "out of memory generating labelled mlp trees");
}

/* Products: one subtree (top layer < layer) per block. */
static int product(lgen_t *g, int layer, int nblocks, int i)
{
    int lp, status;
    if (i == nblocks)
        return lnew(g, layer, g->pick, nblocks, 0);
    for (lp = 0; lp < layer; lp++)
    {
        long at = (long) g->blocks[i] * (g->H + 1) + lp, k;
        for (k = 0; k < g->count[at]; k++)
        {
            g->pick[i] = (int) (g->start[at] + k);
            status = product(g, layer, nblocks, i + 1);
            if (status != FY_OK)
                return status;
        }
    }
    return FY_OK;
}

/* Whether some subtree with leaf set block has its top below layer. */
static int has_subtree(const lgen_t *g, unsigned block, int layer)
{
    int lp;
    for (lp = 0; lp < layer; lp++)
        if (g->count[(long) block * (g->H + 1) + lp] > 0)
            return 1;
    return 0;
}

/* Set partitions of rem (the block holding the lowest element first). */
static int partitions(lgen_t *g, int layer, unsigned whole, unsigned rem, int nblocks)
{
    unsigned low, rest, sub;
    int status;
    if (rem == 0)
        return nblocks >= 2 ? product(g, layer, nblocks, 0) : FY_OK;
    low = rem & (~rem + 1u);
    rest = rem ^ low;
    sub = rest;
    for (;;)
    {
        unsigned block = low | sub;
        if (block != whole && has_subtree(g, block, layer))
        {
            g->blocks[nblocks] = block;
            status = partitions(g, layer, whole, rem ^ block, nblocks + 1);
            if (status != FY_OK)
                return status;
        }
        if (sub == 0)
            break;
        sub = (sub - 1) & rest;
    }
    return FY_OK;
}

static int lmaterialise(fy_diagram_t d, const lgen_t *g, int rec, int parent, fy_error_t err)
{
    const lrec_t *r = g->r + rec;
    int v, i;
    if (r->nch == 0)
    {
        v = fy_diagram_add_vertex(d, FY_MLP_INPUT, 0, err);
        if (v < 0 || fy_diagram_add_leg(d, v, r->leaf, FY_MLP_SLOT, err) < 0)
            return FY_ENOMEM;
    }
    else if ((v = fy_diagram_add_vertex(d, FY_MLP_VERTEX, r->layer, err)) < 0)
        return FY_ENOMEM;
    if (fy_diagram_add_line(d, v, parent, FY_MLP_PROPAGATOR, err) < 0)
        return FY_ENOMEM;
    for (i = 0; i < r->nch; i++)
    {
        int status = lmaterialise(d, g, g->ch[r->ch_off + i], v, err);
        if (status != FY_OK)
            return status;
    }
    return FY_OK;
}

int _fy_enum_mlp_labelled(fy_diagram_list_t out, int n, int H, size_t max_bytes,
                          fy_error_t err)
{
    lgen_t g;
    fmpz_t one;
    fmpq_t mult;
    fy_diagram_t d;
    unsigned mask;
    int status, l, *finals = NULL;
    long i, nfinal = 0, nmask;
    char head[FY_CANON_PIECE_MAX], line[FY_CANON_PIECE_MAX];
    int head_len, line_len;

    status = fy_enum_mlp_count(NULL, NULL, n, H, err); /* validates n, H */
    if (status != FY_OK)
        return status;
    if (n > LAB_MAX_N)
        return fy_error_set(err, FY_ENOMEM,
                            "labelled mlp trees: order %d above %d (the tables of leaf sets "
                            "would need 2^%d entries per layer)", n, LAB_MAX_N, n);
    {
        size_t lim = max_bytes ? max_bytes : FY_ENUM_DEFAULT_MAX_BYTES;
        double each = 2 * _fy_enum_diagram_bytes(2 * n, 2 * n, n, 28 * (size_t) n);
        double est = _fy_enum_mlp_estimate(n, H, 1, (double) lim / each + 1);
        /* the tables of leaf sets: two longs per (set, layer) */
        double tables = ldexp(1.0, n) * (H + 1) * 2 * sizeof(long);
        status = _fy_enum_guard(est, each, tables, max_bytes, "labelled mlp trees", err);
        if (status != FY_OK)
            return status;
    }

    memset(&g, 0, sizeof g);
    g.n_target = n;
    g.H = H;
    g.err = err;
    g.full = (1u << n) - 1u;
    nmask = 1L << n;
    g.start = fy_calloc((size_t) nmask * (size_t) (H + 1), sizeof *g.start, err);
    g.count = fy_calloc((size_t) nmask * (size_t) (H + 1), sizeof *g.count, err);
    if (g.start == NULL || g.count == NULL)
        status = FY_ENOMEM;
    for (l = 0; l < n && status == FY_OK; l++)
    {
        long at = (1L << l) * (H + 1);
        g.start[at] = g.n;
        status = lnew(&g, 0, NULL, 0, l + 1);
        g.count[at] = 1;
    }
    for (mask = 1; mask <= g.full && status == FY_OK; mask++)
    {
        int top = (mask == g.full) ? H : H - 1;
        if ((mask & (mask - 1)) == 0)
            continue;
        for (l = 1; l <= top && status == FY_OK; l++)
        {
            long at = (long) mask * (H + 1) + l;
            g.start[at] = g.n;
            status = partitions(&g, l, mask, mask, 0);
            g.count[at] = g.n - g.start[at];
        }
        if (mask == g.full)
            break;
    }

    if (status == FY_OK)
    {
        long at = (long) g.full * (H + 1);
        finals = fy_malloc((size_t) g.n + 1, sizeof *finals, err);
        if (finals == NULL)
            status = FY_ENOMEM;
        for (l = (n == 1 ? 0 : 1); l <= H && status == FY_OK; l++)
            for (i = 0; i < g.count[at + l]; i++)
                finals[nfinal++] = (int) (g.start[at + l] + i);
        if (status == FY_OK)
        {
            lsort_ctx = &g;
            qsort(finals, (size_t) nfinal, sizeof *finals, cmp_lcode);
            lsort_ctx = NULL;
        }
    }

    fmpz_init(one);
    fmpz_one(one);
    fmpq_init(mult);
    fmpq_one(mult);
    fy_diagram_init(d, &fy_family_mlp);
    head_len = _fy_canon_tree_head(head, FY_MLP_OUTPUT, H + 1);
    line_len = _fy_canon_tree_line(line, FY_MLP_PROPAGATOR);
    for (i = 0; i < nfinal && status == FY_OK; i++)
    {
        const lrec_t *r = g.r + finals[i];
        size_t len = 1 + (size_t) head_len + (size_t) line_len + r->code_len + 1;
        char *s;
        int root = fy_diagram_add_vertex(d, FY_MLP_OUTPUT, H + 1, err);
        if (root < 0)
        {
            status = FY_ENOMEM;
            break;
        }
        d->root = root;
        status = lmaterialise(d, &g, finals[i], root, err);
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
        memcpy(s + 1 + head_len + line_len, g.text.s + r->code_off, r->code_len);
        s[len - 1] = ')';
        s[len] = '\0';
        _fy_enum_finish(d, s, one, mult);
        status = _fy_enum_list_take(out, d, err);
    }
    fy_diagram_clear(d);
    fmpq_clear(mult);
    fmpz_clear(one);
    free(g.r);
    free(g.ch);
    free(g.text.s);
    free(g.start);
    free(g.count);
    free(finals);
    return status;
}
