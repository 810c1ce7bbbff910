/* Index bookkeeping of the fused tensor recursion, shared by every arithmetic: the
 * sub-multisets of Faa di Bruno's last-slot rule and the chunks of the top order (see
 * mlp_internal.h). */
#include <stdlib.h>

#include "mlp/mlp_internal.h"

/* The sub-multisets K of J with, when x0 >= 0, the slot x0 appended to each K. */
static int submultisets(int *kord, slong *rK, slong *rR, slong *cK, const int *J, int nj,
                        int x0, const fy_mindex_t ix)
{
    static const slong binom[FY_MLP_MAX_TENSOR_ORDER + 1][FY_MLP_MAX_TENSOR_ORDER + 1] = {
        {1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}, {1, 5, 10, 10, 5, 1},
        {1, 6, 15, 20, 15, 6, 1}, {1, 7, 21, 35, 35, 21, 7, 1}, {1, 8, 28, 56, 70, 56, 28, 8, 1},
        {1, 9, 36, 84, 126, 126, 84, 36, 9, 1}, {1, 10, 45, 120, 210, 252, 210, 120, 45, 10, 1}};
    int val[FY_MLP_MAX_TENSOR_ORDER], mul[FY_MLP_MAX_TENSOR_ORDER], e[FY_MLP_MAX_TENSOR_ORDER];
    int K[FY_MLP_MAX_TENSOR_ORDER + 1], R[FY_MLP_MAX_TENSOR_ORDER];
    int t = 0, i, p, nK = 0;

    for (p = 0; p < nj; p++)
        if (t > 0 && val[t - 1] == J[p])
            mul[t - 1]++;
        else
        {
            val[t] = J[p];
            mul[t++] = 1;
        }
    for (i = 0; i < t; i++)
        e[i] = 0;
    for (;;)
    {
        int nk = 0, nr = 0;
        slong c = 1;
        for (i = 0; i < t; i++)
        {
            for (p = 0; p < e[i]; p++)
                K[nk++] = val[i];
            for (p = e[i]; p < mul[i]; p++)
                R[nr++] = val[i];
            c *= binom[mul[i]][e[i]];
        }
        K[nk] = x0;
        kord[nK] = x0 >= 0 ? nk + 1 : nk;
        rK[nK] = _fy_mlp_rank(ix, K, kord[nK]);
        rR[nK] = _fy_mlp_rank(ix, R, nr);
        cK[nK] = c;
        nK++;
        for (i = 0; i < t && e[i] == mul[i]; i++)
            e[i] = 0;
        if (i == t)
            break;
        e[i]++;
    }
    return nK;
}

int _fy_mlp_submultisets(int *kord, slong *rK, slong *rR, slong *cK, const int *J, int nj,
                         int x0, const fy_mindex_t ix)
{
    return submultisets(kord, rK, rR, cK, J, nj, x0, ix);
}

int _fy_mlp_leibniz(int *kord, slong *rK, slong *rR, slong *cK, const int *I, int ni,
                    const fy_mindex_t ix)
{
    return submultisets(kord, rK, rR, cK, I, ni, -1, ix);
}

int _fy_mlp_chunks(slong **jstart, slong **rstart, slong *nchunks, const fy_mindex_t ix,
                   int dim, int j, slong rows, fy_error_t err)
{
    slong nJ = fy_mindex_count(ix, dim, j), r, acc = 0, row = 0, nc = 0, cap;
    int J[FY_MLP_MAX_TENSOR_ORDER + 1];

    cap = nJ + 2; /* at most one chunk per J */
    *jstart = fy_malloc((size_t) cap, sizeof(slong), err);
    *rstart = fy_malloc((size_t) cap, sizeof(slong), err);
    if (*jstart == NULL || *rstart == NULL)
    {
        free(*jstart);
        free(*rstart);
        *jstart = *rstart = NULL;
        return FY_ENOMEM;
    }
    for (r = 0; r < j; r++)
        J[r] = 0;
    for (r = 0; r < nJ; r++)
    {
        slong nr = dim - (j > 0 ? J[j - 1] : 0);
        if (r == 0 || acc + nr > rows)
        {
            (*jstart)[nc] = r;
            (*rstart)[nc] = row;
            nc++;
            acc = 0;
        }
        acc += nr;
        row += nr;
        if (j > 0)
            fy_multiindex_next(J, dim, j);
    }
    (*jstart)[nc] = nJ;
    (*rstart)[nc] = row;
    *nchunks = nc;
    return FY_OK;
}
