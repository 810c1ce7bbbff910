/* Template (included by symtensor_{d,arb,fmpq}.c): symmetric tensor kernels. */
#include <stdlib.h>

#include "series/internal.h"

/* Work arrays for up to two multi-indices and their merge, on the stack for usual orders. */
#define IDX_STACK 64

void FY_FN(_fy_symtensor_contract)(fy_el_ptr out, fy_el_srcptr T, fy_el_srcptr h,
                                   const fy_mindex_t ix, int order, int keep, slong prec)
{
    int d = ix->dim, m = order - keep;
    int stack[3 * IDX_STACK], *I, *J, *M, *heap = NULL;
    slong nJ = fy_mindex_count(ix, d, keep), j, r;
    fmpz_t w;
    fy_el_t hp;
    int p;

    if (order > IDX_STACK)
        heap = flint_malloc(3 * sizeof(int) * (size_t) order);
    I = heap ? heap : stack;
    J = I + order;
    M = J + order;
    for (p = 0; p < order; p++)
        I[p] = J[p] = 0;
    for (j = 0; j < nJ; j++)
        FY_EL_ZERO(out + j);
    fmpz_init(w);
    FY_EL_INIT(hp);
    do
    {
        /* hp = multinomial(I) * prod_p h[I_p]: the ordered tuples that sort to I. */
        fy_multiindex_multinomial(w, I, m);
        FY_EL_ONE(hp);
        for (p = 0; p < m; p++)
            FY_EL_MUL(hp, hp, h + I[p]);
        FY_EL_MUL_FMPZ(hp, hp, w);
        if (FY_EL_IS_ZERO(hp))
            continue;
        j = 0;
        do
        {
            _fy_merge_idx(M, I, m, J, keep);
            r = fy_mindex_rank(ix, M, order);
            FY_EL_ADDMUL(out + j, T + r, hp);
            j++;
        } while (fy_multiindex_next(J, d, keep));
    } while (fy_multiindex_next(I, d, m));
    FY_EL_CLEAR(hp);
    fmpz_clear(w);
    flint_free(heap);
}

/* Visits every dense position L = sum_k t_k d^(order-1-k) with its tuple t. */
static slong FY_FN(dense_len)(int d, int order)
{
    slong n = 1;
    int k;
    for (k = 0; k < order; k++)
        n *= d;
    return n;
}

static slong FY_FN(dense_pos)(const int *t, int d, int order)
{
    slong L = 0;
    int k;
    for (k = 0; k < order; k++)
        L = L * d + t[k];
    return L;
}

void FY_FN(_fy_symtensor_to_dense)(fy_el_ptr D, fy_el_srcptr T, const fy_mindex_t ix,
                                   int order, slong prec)
{
    int d = ix->dim, k;
    int *t = flint_malloc(2 * sizeof(int) * (size_t) (order + 1)), *s = t + order + 1;
    slong L, n = FY_FN(dense_len)(d, order);

    (void) prec;
    for (k = 0; k < order; k++)
        t[k] = 0;
    for (L = 0; L < n; L++)
    {
        _fy_sort_idx(s, t, order);
        FY_EL_SET(D + L, T + fy_mindex_rank(ix, s, order));
        /* odometer increment of t */
        for (k = order - 1; k >= 0 && ++t[k] == d; k--)
            t[k] = 0;
    }
    flint_free(t);
}

int FY_FN(_fy_symtensor_from_dense)(fy_el_ptr T, fy_el_srcptr D, const fy_mindex_t ix,
                                    int order, double rtol, slong *bad_a, slong *bad_b,
                                    slong prec)
{
    int d = ix->dim, k, ok = 1;
    int *t = flint_malloc(2 * sizeof(int) * (size_t) (order + 1)), *s = t + order + 1;
    slong L, L0, n = FY_FN(dense_len)(d, order);

    (void) prec;
    for (k = 0; k < order; k++)
        t[k] = 0;
    for (L = 0; L < n && ok; L++)
    {
        _fy_sort_idx(s, t, order);
        L0 = FY_FN(dense_pos)(s, d, order);
        if (L0 == L)
            FY_EL_SET(T + fy_mindex_rank(ix, s, order), D + L);
        else if (!FY_EL_AGREES(D + L, D + L0, rtol))
        {
            *bad_a = L0;
            *bad_b = L;
            ok = 0;
        }
        for (k = order - 1; k >= 0 && ++t[k] == d; k--)
            t[k] = 0;
    }
    flint_free(t);
    return ok;
}
