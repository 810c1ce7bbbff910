/* The dense expansion of a symmetric tensor (issue 16: the command's own costs).
 *
 * The dense array D[i_1, ..., i_n] (row-major, dim^n entries) reads the entry of the sorted
 * multi-index sort(i_1..i_n).  Instead of sorting and ranking every dense position, the walk
 * goes depth first over the positions, carrying the rank of the sorted prefix: with the table
 *     up_k[r][i] = rank of sort(J + i) among order k,  J the multi-index of rank r of order k-1,
 * the prefix (i_1..i_k) has rank up_k[rank(i_1..i_{k-1})][i_k], and the last axis is one
 * gather of dim entries through up_n.  The tables cost about n C(dim + n - 1, n) ranks, the
 * walk copies whole blocks: the block of an unsorted prefix is that of its sorted prefix,
 * written earlier, so only the C(dim + n - 2, n - 1) rows of sorted prefixes are gathered
 * (one lookup per entry) and the rest of the array is block copies. */
#include <stdlib.h>
#include <string.h>

#include "mlp/mlp_internal.h"

typedef struct
{
    int d, n;
    slong *up[FY_MLP_MAX_TENSOR_ORDER + 1];
    slong stride[FY_MLP_MAX_TENSOR_ORDER + 1]; /* d^(n-1-j): the block of a prefix of j+1 */
    const double *sym;
    double *out;
    slong pos;
} dense_t;

/* Positions with the prefix pre[0..k-1] (sorted, of rank r among order k): the block of each
 * next index i below pre[k-1] equals the block of the sorted prefix, written earlier (a
 * sorted prefix comes first in row-major order), and is copied whole; the others recurse,
 * and the last axis gathers through up_n. */
static void walk(dense_t *w, int k, slong r, int *pre)
{
    const slong *u = w->up[k + 1] + r * w->d;
    int i, j, q;
    if (k == w->n - 1)
    {
        double *o = w->out + w->pos;
        for (i = 0; i < w->d; i++)
            o[i] = w->sym[u[i]];
        w->pos += w->d;
        return;
    }
    for (i = 0; i < w->d; i++)
    {
        if (k > 0 && i < pre[k - 1])
        {
            slong src = 0;
            int placed = 0;
            for (j = 0, q = 0; j < k; j++) /* the digits of sort(pre + i), q of them so far */
            {
                if (!placed && i < pre[j])
                {
                    src += i * w->stride[q++];
                    placed = 1;
                }
                src += pre[j] * w->stride[q++];
            }
            memcpy(w->out + w->pos, w->out + src, sizeof(double) * (size_t) w->stride[k]);
            w->pos += w->stride[k];
            continue;
        }
        pre[k] = i;
        walk(w, k + 1, u[i], pre);
    }
}

int fy_mlp_dense_d(double *out, const double *sym, int dim, int order, fy_error_t err)
{
    dense_t w;
    fy_mindex_t ix;
    int k, status, J[FY_MLP_MAX_TENSOR_ORDER + 1], S[FY_MLP_MAX_TENSOR_ORDER + 1];
    if (order < 0 || order > FY_MLP_MAX_TENSOR_ORDER || dim < 1)
        return fy_error_set(err, FY_EINPUT, "mlp: dense expansion of order %d over %d inputs "
                            "(orders 0..%d, at least one input)", order, dim,
                            FY_MLP_MAX_TENSOR_ORDER);
    if (order == 0)
    {
        out[0] = sym[0];
        return FY_OK;
    }
    status = fy_mindex_init(ix, dim, order, err);
    if (status != FY_OK)
        return status;
    memset(&w, 0, sizeof w);
    w.d = dim;
    w.n = order;
    w.sym = sym;
    w.out = out;
    for (k = 1; k <= order && status == FY_OK; k++)
    {
        slong nJ = fy_mindex_count(ix, dim, k - 1), r;
        int i, p, q;
        w.up[k] = fy_malloc((size_t) (nJ * dim), sizeof(slong), err);
        if (w.up[k] == NULL)
        {
            status = FY_ENOMEM;
            break;
        }
        for (p = 0; p < k; p++)
            J[p] = 0;
        for (r = 0; r < nJ; r++, fy_multiindex_next(J, dim, k - 1))
            for (i = 0; i < dim; i++)
            {
                /* sort(J + i): insert i into the sorted J */
                for (p = 0, q = 0; p < k - 1 && J[p] <= i; p++)
                    S[q++] = J[p];
                S[q++] = i;
                for (; p < k - 1; p++)
                    S[q++] = J[p];
                w.up[k][r * dim + i] = _fy_mlp_rank(ix, S, k);
            }
    }
    w.stride[order - 1] = 1;
    for (k = order - 2; k >= 0; k--)
        w.stride[k] = w.stride[k + 1] * dim;
    if (status == FY_OK)
        walk(&w, 0, 0, J);
    for (k = 1; k <= order; k++)
        free(w.up[k]);
    fy_mindex_clear(ix);
    return status;
}
