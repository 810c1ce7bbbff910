/* mlp_internal.h - private kernels of the mlp module shared by its instantiations. */
#ifndef FEYNN_MLP_INTERNAL_H
#define FEYNN_MLP_INTERNAL_H

#include "feynn/mlp.h"
#include "feynn/series.h"

/* ------------------------------------------------------------------ tensor recursion indices
 *
 * The fused recursion (tensors_tpl.c) keeps the entries of orders 1..n by sorted multi-index:
 * order k at rows off[k] + rank.  Faa di Bruno by the last slot: with G^(m)_I = d_I
 * [sigma^(m)(z)] (G^(0) = Q, G^(m)_{} = sigma^(m)), one more derivative in slot x gives
 *     G^(m)_{J+x} = sum over sub-multisets K of J of  c_K G^(m+1)_{J\K} P_{K+x},
 * c_K = prod_v C(mult_J(v), mult_K(v)).  For sorted I = J + x (x >= max J) every K + x is
 * sorted, and the rows of K + x for x = max J .. d-1 are consecutive. */

#define FY_MLP_MAXK (1 << (FY_MLP_MAX_TENSOR_ORDER - 1))

/* fy_mindex_rank with the binomial table read inline. */
static inline slong _fy_mlp_rank(const fy_mindex_t ix, const int *idx, int k)
{
    slong r = 0;
    int p, a = 0, d = ix->dim, st = d + 2;
    const slong *tab = ix->tab;
    if (tab == NULL)
        return fy_mindex_rank(ix, idx, k);
    for (p = 0; p < k; p++)
    {
        r += tab[(slong) (k - p) * st + d - a] - tab[(slong) (k - p) * st + d - idx[p]];
        a = idx[p];
    }
    return r;
}

/* The sub-multisets K of J (sorted, length nj; x0 >= max J): for each, the order of K + x0
 * (kord), the rank of K + x0 among the multi-indices of that order (rK), the rank of J \ K
 * among those of its order nj + 1 - kord (rR) and the weight c_K.  Returns their number
 * (<= 2^nj). */
int _fy_mlp_submultisets(int *kord, slong *rK, slong *rR, slong *cK, const int *J, int nj,
                         int x0, const fy_mindex_t ix);

/* Leibniz's rule d_I (f g) = sum over sub-multisets K of I of c_K f_{I\K} g_K: for each K (of
 * the sorted I of order ni), its order kord, its rank rK among that order, the rank rR of
 * I \ K among order ni - kord and the weight c_K.  Returns their number (<= 2^ni). */
int _fy_mlp_leibniz(int *kord, slong *rK, slong *rR, slong *cK, const int *I, int ni,
                    const fy_mindex_t ix);

/* Chunks of the multi-indices J of order j (in rank order) such that the rows J + x, x from
 * max J (0 when j = 0) to dim - 1, of one chunk are at most `rows` (or one J).  jstart and
 * rstart (nchunks + 1 entries each, malloc'd) give the first J rank and the first row (rank
 * of J + max J among order j + 1) of each chunk.  FY_OK or FY_ENOMEM. */
int _fy_mlp_chunks(slong **jstart, slong **rstart, slong *nchunks, const fy_mindex_t ix,
                   int dim, int j, slong rows, fy_error_t err);

#define FY_MLP_DECLARE_INTERNAL(SUF, EL)                                                        \
    int _fy_mlp_forward_##SUF(fy_mlp_struct *m, int order, slong prec, fy_error_t err);         \
    void _fy_mlp_propagator_##SUF(EL *D, const fy_mlp_struct *m, int l, int k, slong prec);
FY_MLP_DECLARE_INTERNAL(d, double)
FY_MLP_DECLARE_INTERNAL(arb, arb_struct)
FY_MLP_DECLARE_INTERNAL(fmpq, fmpq)

/* The whole-tensor kernels (tensors_tpl.c); see _fy_mlp_tensors_* in mlp.h.  The fx variant
 * (ball arithmetic on block floating-point rows, num/fxball.h) returns FY_MLP_DECLINE, with
 * nothing reported in err, when the network does not suit it (weights that are not exact
 * doubles, a layer wider than it handles, a value out of its range): the caller then uses
 * the arb kernel. */
#define FY_MLP_DECLINE (-1)

/* The double kernel with its tables from a workspace (fy_mlp_work_t): blocks kept between
 * calls, handed out zeroed (_fy_mlp_pool_get; thread-safe) and given back (_fy_mlp_pool_put),
 * so that repeated calls neither allocate nor touch fresh pages. */
int _fy_mlp_tensors_pool_d(double *out, const fy_mlp_struct *m, const double *W1, int dim,
                           int output, int n, slong prec, fy_mlp_work_struct *pool,
                           fy_error_t err);
void *_fy_mlp_pool_get(fy_mlp_work_struct *pool, size_t bytes);
void _fy_mlp_pool_put(fy_mlp_work_struct *pool, void *p);
/* The order-n tensor by the diagrams grouped along their spine (spine_tpl.c): out gets the
 * C(dim + n - 1, n) entries by sorted multi-index; 1 <= n <= FY_MLP_MAX_TENSOR_ORDER.  pool:
 * a workspace for the double tables, or NULL (ignored by balls and rationals). */
#define FY_MLP_DECLARE_SPINE(SUF, EL)                                                           \
    int _fy_mlp_spine_##SUF(EL *out, const fy_mlp_struct *m, int output, int n, slong prec,     \
                            fy_mlp_work_struct *pool, fy_error_t err);
FY_MLP_DECLARE_SPINE(d, double)
FY_MLP_DECLARE_SPINE(arb, arb_struct)
FY_MLP_DECLARE_SPINE(fmpq, fmpq)
int _fy_mlp_tensors_fx(arb_struct *out, const fy_mlp_struct *m, const arb_struct *W1, int dim,
                       int output, int n, slong prec, fy_error_t err);

#endif
