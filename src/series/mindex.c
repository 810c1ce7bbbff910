/* Sorted multi-indices: counting, ranking in lexicographic order, successors. */
#include <math.h>
#include <stdlib.h>

#include "feynn/series.h"

/* Binomial tables above this many entries are not built; counts are then computed on the fly. */
#define TAB_MAX 65536

int fy_multiindex_count(slong *count, int dim, int order, fy_error_t err)
{
    fmpz_t c;
    int rc = FY_OK;

    *count = 0;
    if (dim < 1 || order < 0)
        return fy_error_set(err, FY_EINPUT, "multi-indices need dim >= 1 and order >= 0 (got "
                            "dim %d, order %d)", dim, order);
    fmpz_init(c);
    fmpz_bin_uiui(c, (ulong) dim + (ulong) order - 1, (ulong) order);
    if (fmpz_fits_si(c))
        *count = fmpz_get_si(c);
    else
        rc = fy_error_set(err, FY_ENOMEM, "a symmetric tensor of order %d in %d dimensions has "
                          "C(%d+%d-1, %d), about 10^%.0f, entries: far too many", order, dim,
                          dim, order, order, (double) fmpz_sizeinbase(c, 10) - 1);
    fmpz_clear(c);
    return rc;
}

int fy_multiindex_next(int *idx, int dim, int order)
{
    int p, v;
    for (p = order - 1; p >= 0; p--)
        if (idx[p] < dim - 1)
            break;
    if (p < 0)
    {
        for (p = 0; p < order; p++)
            idx[p] = 0;
        return 0;
    }
    v = idx[p] + 1;
    for (; p < order; p++)
        idx[p] = v;
    return 1;
}

void fy_multiindex_multinomial(fmpz_t z, const int *idx, int order)
{
    fmpz_t f;
    int p, run = 1;

    fmpz_init(f);
    fmpz_fac_ui(z, (ulong) order);
    for (p = 1; p <= order; p++)
    {
        if (p < order && idx[p] == idx[p - 1])
            run++;
        else
        {
            if (run > 1)
            {
                fmpz_fac_ui(f, (ulong) run);
                fmpz_divexact(z, z, f);
            }
            run = 1;
        }
    }
    fmpz_clear(f);
}

/* C(e + m - 1, m) without the table.  Callers stay within counts validated at init, so the
 * result fits a slong; the running product C(e-1+i, i) * (e-1+i+1) fits 128 bits. */
static slong count_raw(slong e, slong m)
{
    unsigned __int128 r = 1;
    slong i;
    if (m == 0)
        return 1;
    if (e <= 0)
        return 0;
    if (e - 1 < m) /* C(n, m) = C(n, n - m) with n = e + m - 1: use the smaller side */
    {
        slong t = e - 1;
        e = m + 1;
        m = t;
    }
    for (i = 1; i <= m; i++)
        r = r * (unsigned __int128) (e - 1 + i) / (unsigned __int128) i;
    return (slong) r;
}

int fy_mindex_init(fy_mindex_t ix, int dim, int max_order, fy_error_t err)
{
    fmpz_t c;
    slong w, m, e;
    int rc = FY_OK;

    ix->dim = dim;
    ix->max_order = max_order;
    ix->tab = NULL;
    if (dim < 1 || max_order < 0)
        return fy_error_set(err, FY_EINPUT, "multi-indices need dim >= 1 and order >= 0 (got "
                            "dim %d, order %d)", dim, max_order);
    /* The largest count used: monomials of degree <= max_order, C(dim + max_order, dim). */
    fmpz_init(c);
    fmpz_bin_uiui(c, (ulong) dim + (ulong) max_order, (ulong) max_order);
    if (!fmpz_fits_si(c))
        rc = fy_error_set(err, FY_ENOMEM, "%d variables up to degree %d give about 10^%.0f "
                          "monomials: far too many", dim, max_order,
                          (double) fmpz_sizeinbase(c, 10) - 1);
    fmpz_clear(c);
    if (rc != FY_OK)
        return rc;
    w = (slong) dim + 2;
    if ((double) w * (double) (max_order + 1) <= TAB_MAX)
    {
        ix->tab = fy_malloc((size_t) (w * (max_order + 1)), sizeof(slong), err);
        if (ix->tab == NULL)
            return FY_ENOMEM;
        for (m = 0; m <= max_order; m++)
            for (e = 0; e < w; e++)
                ix->tab[m * w + e] = m == 0 ? 1 : (e == 0 ? 0
                                     : ix->tab[m * w + e - 1] + ix->tab[(m - 1) * w + e]);
    }
    return FY_OK;
}

void fy_mindex_clear(fy_mindex_t ix)
{
    free(ix->tab);
    ix->tab = NULL;
}

slong fy_mindex_count(const fy_mindex_t ix, int e, int k)
{
    if (ix->tab != NULL)
        return ix->tab[(slong) k * (ix->dim + 2) + e];
    return count_raw(e, k);
}

slong fy_mindex_rank(const fy_mindex_t ix, const int *idx, int k)
{
    slong r = 0;
    int p, a = 0, d = ix->dim;
    /* Tuples that agree before position p and have a value in [a, idx[p]) there:
     * sum_v C(d - v + m - 2, m - 1) = N(d - a, m) - N(d - idx[p], m), m = k - p. */
    for (p = 0; p < k; p++)
    {
        r += fy_mindex_count(ix, d - a, k - p) - fy_mindex_count(ix, d - idx[p], k - p);
        a = idx[p];
    }
    return r;
}

void fy_mindex_unrank(const fy_mindex_t ix, int *idx, slong r, int k)
{
    int p, v = 0, d = ix->dim;
    for (p = 0; p < k; p++)
    {
        for (;; v++)
        {
            slong c = fy_mindex_count(ix, d - v, k - p - 1);
            if (r < c)
                break;
            r -= c;
        }
        idx[p] = v;
    }
}

slong fy_mindex_offset(const fy_mindex_t ix, int k)
{
    return k <= 0 ? 0 : fy_mindex_count(ix, ix->dim + 1, k - 1);
}
