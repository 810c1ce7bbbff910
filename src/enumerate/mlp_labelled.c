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

/* The records are _fy_mlp_node (mlp_trees.c): layer, and the slot label of a leaf. */
typedef struct
{
    _fy_treepool pool;
    long *start, *count; /* per (mask, layer): [mask * (H+1) + layer] */
    int n_target, H;
    unsigned full;
    unsigned blocks[LAB_MAX_N];
    int pick[LAB_MAX_N];
    fy_error_struct *err;
} lgen_t;

static int lnew(lgen_t *g, int layer, const int *ch, int nch, int leaf)
{
    int label = nch == 0 ? leaf : FY_LEG_UNLABELLED;
    return _fy_enum_mlp_node_add(&g->pool, layer, label, ch, nch, g->err) < 0 ? FY_ENOMEM
                                                                              : FY_OK;
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
    char prefix[FY_ENUM_MLP_PREFIX_MAX];
    int prefix_len = _fy_enum_mlp_prefix(prefix, H);

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
    _fy_treepool_init(&g.pool, sizeof(_fy_mlp_node));
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
        g.start[at] = g.pool.n;
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
            g.start[at] = g.pool.n;
            status = partitions(&g, l, mask, mask, 0);
            g.count[at] = g.pool.n - g.start[at];
        }
        if (mask == g.full)
            break;
    }

    if (status == FY_OK)
    {
        long at = (long) g.full * (H + 1);
        finals = fy_malloc(2 * (size_t) g.pool.n + 1, sizeof *finals, err);
        if (finals == NULL)
            status = FY_ENOMEM;
        for (l = (n == 1 ? 0 : 1); l <= H && status == FY_OK; l++)
            for (i = 0; i < g.count[at + l]; i++)
                finals[nfinal++] = (int) (g.start[at + l] + i);
        if (status == FY_OK)
            _fy_treepool_sort(&g.pool, finals, nfinal, finals + nfinal);
    }

    fmpz_init(one);
    fmpz_one(one);
    fmpq_init(mult);
    fmpq_one(mult);
    fy_diagram_init(d, &fy_family_mlp);
    for (i = 0; i < nfinal && status == FY_OK; i++)
        status = _fy_enum_mlp_take(out, d, &g.pool, finals[i], H, prefix, prefix_len, one, mult,
                                   err);
    fy_diagram_clear(d);
    fmpq_clear(mult);
    fmpz_clear(one);
    _fy_treepool_clear(&g.pool);
    free(g.start);
    free(g.count);
    free(finals);
    return status;
}
