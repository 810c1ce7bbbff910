/* Template (included by mseries_{d,arb,fmpq}.c): truncated power series kernels.
 *
 * A series is handled degree by degree: the homogeneous part of degree k is the block of
 * coefficients at [offset(k), offset(k+1)).  Products of homogeneous parts are exact (no
 * truncation inside a degree), so every recurrence below is the univariate one with "multiply
 * two coefficients" read as "multiply two homogeneous parts"; with ix == NULL (univariate)
 * each block is one coefficient.  The elementary functions use the Euler operator E (E x^a =
 * |a| x^a), a derivation: E exp(f) = exp(f) E f, (1 + f) E log(1 + f) = E f,
 * E sin f = cos f E f, E cos f = -sin f E f, E tanh f = (1 - tanh^2 f) E f. */
#include "series/internal.h"

#define IDX_STACK 64

static slong FY_FN(block_off)(const fy_mindex_struct *ix, int k)
{
    return ix == NULL ? k : fy_mindex_offset(ix, k);
}

static slong FY_FN(block_len)(const fy_mindex_struct *ix, int k)
{
    return ix == NULL ? 1 : fy_mindex_count(ix, ix->dim, k);
}

/* z_(j+l) += c * x_j * y_l on homogeneous parts (z's block must not overlap x_j or y_l). */
static void FY_FN(hom_addmul)(fy_el_ptr z, fy_el_srcptr x, int j, fy_el_srcptr y, int l,
                              slong c, const fy_mindex_struct *ix, fy_el_ptr tmp, slong prec)
{
    int stack[3 * IDX_STACK], *A, *B, *M, *heap = NULL, d;
    slong ia, ib, oj, ol, ok, r;

    if (ix == NULL)
    {
        if (c == 1)
            FY_EL_ADDMUL(z + j + l, x + j, y + l);
        else if (c == -1)
            FY_EL_SUBMUL(z + j + l, x + j, y + l);
        else
        {
            FY_EL_MUL(tmp, x + j, y + l);
            FY_EL_ADDMUL_SI(z + j + l, tmp, c);
        }
        return;
    }
    d = ix->dim;
    if (j + l > IDX_STACK)
        heap = flint_malloc(3 * sizeof(int) * (size_t) (j + l));
    A = heap ? heap : stack;
    B = A + (j + l);
    M = B + (j + l);
    for (r = 0; r < j; r++)
        A[r] = 0;
    oj = fy_mindex_offset(ix, j);
    ol = fy_mindex_offset(ix, l);
    ok = fy_mindex_offset(ix, j + l);
    ia = 0;
    do
    {
        if (!FY_EL_IS_ZERO(x + oj + ia))
        {
            for (r = 0; r < l; r++)
                B[r] = 0;
            ib = 0;
            do
            {
                _fy_merge_idx(M, A, j, B, l);
                r = ok + fy_mindex_rank(ix, M, j + l);
                if (c == 1)
                    FY_EL_ADDMUL(z + r, x + oj + ia, y + ol + ib);
                else if (c == -1)
                    FY_EL_SUBMUL(z + r, x + oj + ia, y + ol + ib);
                else
                {
                    FY_EL_MUL(tmp, x + oj + ia, y + ol + ib);
                    FY_EL_ADDMUL_SI(z + r, tmp, c);
                }
                ib++;
            } while (fy_multiindex_next(B, d, l));
        }
        ia++;
    } while (fy_multiindex_next(A, d, j));
    flint_free(heap);
}

void FY_FN(_fy_mseries_mul)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y,
                            const fy_mindex_struct *ix, int deg, slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1);
    int k, j;
    fy_el_t tmp;

    FY_EL_INIT(tmp);
    for (i = 0; i < n; i++)
        FY_EL_ZERO(z + i);
    for (k = 0; k <= deg; k++)
        for (j = 0; j <= k; j++)
            FY_FN(hom_addmul)(z, x, j, y, k - j, 1, ix, tmp, prec);
    FY_EL_CLEAR(tmp);
}

/* Block k of z times / divided by a scalar, or by a small integer. */
static void FY_FN(block_mul)(fy_el_ptr z, int k, fy_el_srcptr c, int divide,
                             const fy_mindex_struct *ix, slong prec)
{
    slong i, o = FY_FN(block_off)(ix, k), n = FY_FN(block_len)(ix, k);
    for (i = 0; i < n; i++)
    {
        if (divide)
            FY_EL_DIV(z + o + i, z + o + i, c);
        else
            FY_EL_MUL(z + o + i, z + o + i, c);
    }
}

static void FY_FN(block_div_si)(fy_el_ptr z, int k, slong c, const fy_mindex_struct *ix,
                                slong prec)
{
    slong i, o = FY_FN(block_off)(ix, k), n = FY_FN(block_len)(ix, k);
    for (i = 0; i < n; i++)
        FY_EL_DIV_SI(z + o + i, z + o + i, c);
}

int FY_FN(_fy_mseries_div)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y,
                           const fy_mindex_struct *ix, int deg, slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1);
    int k, j;
    fy_el_t tmp;

    if (FY_EL_IS_ZERO(y))
        return FY_EINPUT;
    FY_EL_INIT(tmp);
    for (i = 0; i < n; i++)
        FY_EL_SET(z + i, x + i);
    /* q_k = (x_k - sum_{j=1..k} y_j q_(k-j)) / y_0 */
    for (k = 0; k <= deg; k++)
    {
        for (j = 1; j <= k; j++)
            FY_FN(hom_addmul)(z, y, j, z, k - j, -1, ix, tmp, prec);
        FY_FN(block_mul)(z, k, y, 1, ix, prec);
    }
    FY_EL_CLEAR(tmp);
    return FY_OK;
}

int FY_FN(_fy_mseries_exp)(fy_el_ptr z, fy_el_srcptr x, const fy_mindex_struct *ix, int deg,
                           slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1);
    int k, j;
    fy_el_t tmp;

    for (i = 0; i < n; i++)
        FY_EL_ZERO(z + i);
    if (FY_EL_EXP(z, x))
        return FY_EUNSUPPORTED;
    FY_EL_INIT(tmp);
    /* k g_k = sum_{j=1..k} j f_j g_(k-j) */
    for (k = 1; k <= deg; k++)
    {
        for (j = 1; j <= k; j++)
            FY_FN(hom_addmul)(z, x, j, z, k - j, j, ix, tmp, prec);
        FY_FN(block_div_si)(z, k, k, ix, prec);
    }
    FY_EL_CLEAR(tmp);
    return FY_OK;
}

int FY_FN(_fy_mseries_log1p)(fy_el_ptr z, fy_el_srcptr x, const fy_mindex_struct *ix, int deg,
                             slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1), o, len;
    int k, j, rc = FY_OK;
    fy_el_t tmp, u0;

    for (i = 0; i < n; i++)
        FY_EL_ZERO(z + i);
    FY_EL_INIT(tmp);
    FY_EL_INIT(u0);
    FY_EL_ONE(u0);
    FY_EL_ADD(u0, u0, x); /* 1 + f_0 */
    if (FY_EL_IS_ZERO(u0))
        rc = FY_EINPUT;
    else if (FY_EL_LOG1P(z, x))
        rc = FY_EUNSUPPORTED;
    /* k (1 + f_0) g_k = k f_k - sum_{j=1..k-1} j g_j f_(k-j) */
    for (k = 1; rc == FY_OK && k <= deg; k++)
    {
        o = FY_FN(block_off)(ix, k);
        len = FY_FN(block_len)(ix, k);
        for (i = 0; i < len; i++)
            FY_EL_MUL_SI(z + o + i, x + o + i, k);
        for (j = 1; j < k; j++)
            FY_FN(hom_addmul)(z, z, j, x, k - j, -j, ix, tmp, prec);
        FY_FN(block_div_si)(z, k, k, ix, prec);
        FY_FN(block_mul)(z, k, u0, 1, ix, prec);
    }
    FY_EL_CLEAR(tmp);
    FY_EL_CLEAR(u0);
    return rc;
}

int FY_FN(_fy_mseries_sin_cos)(fy_el_ptr s, fy_el_ptr c, fy_el_srcptr x,
                               const fy_mindex_struct *ix, int deg, slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1);
    int k, j;
    fy_el_t tmp;

    for (i = 0; i < n; i++)
    {
        FY_EL_ZERO(s + i);
        FY_EL_ZERO(c + i);
    }
    if (FY_EL_SIN(s, x) || FY_EL_COS(c, x))
        return FY_EUNSUPPORTED;
    FY_EL_INIT(tmp);
    /* k s_k = sum j f_j c_(k-j),  k c_k = -sum j f_j s_(k-j) */
    for (k = 1; k <= deg; k++)
    {
        for (j = 1; j <= k; j++)
        {
            FY_FN(hom_addmul)(s, x, j, c, k - j, j, ix, tmp, prec);
            FY_FN(hom_addmul)(c, x, j, s, k - j, -j, ix, tmp, prec);
        }
        FY_FN(block_div_si)(s, k, k, ix, prec);
        FY_FN(block_div_si)(c, k, k, ix, prec);
    }
    FY_EL_CLEAR(tmp);
    return FY_OK;
}

int FY_FN(_fy_mseries_tanh)(fy_el_ptr z, fy_el_srcptr x, const fy_mindex_struct *ix, int deg,
                            slong prec)
{
    slong i, n = FY_FN(block_off)(ix, deg + 1);
    int k, j;
    fy_el_t tmp;
    fy_el_ptr w;

    for (i = 0; i < n; i++)
        FY_EL_ZERO(z + i);
    if (FY_EL_TANH(z, x))
        return FY_EUNSUPPORTED;
    FY_EL_INIT(tmp);
    w = FY_VEC_INIT(n); /* w = 1 - t^2, built one degree behind t */
    FY_EL_ONE(w);
    FY_EL_SUBMUL(w, z, z);
    /* k t_k = sum_{j=1..k} j f_j w_(k-j);  w_k = -sum_{i=0..k} t_i t_(k-i) */
    for (k = 1; k <= deg; k++)
    {
        for (j = 1; j <= k; j++)
            FY_FN(hom_addmul)(z, x, j, w, k - j, j, ix, tmp, prec);
        FY_FN(block_div_si)(z, k, k, ix, prec);
        for (j = 0; j <= k; j++)
            FY_FN(hom_addmul)(w, z, j, z, k - j, -1, ix, tmp, prec);
    }
    FY_VEC_CLEAR(w, n);
    FY_EL_CLEAR(tmp);
    return FY_OK;
}
