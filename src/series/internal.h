/* internal.h - private kernels of the series module shared by its instantiations. */
#ifndef FEYNN_SERIES_INTERNAL_H
#define FEYNN_SERIES_INTERNAL_H

#include "feynn/series.h"

/* Sorts idx[0..n-1] into out (insertion sort: n is a tensor order, small). */
static inline void _fy_sort_idx(int *out, const int *idx, int n)
{
    int i, j, v;
    for (i = 0; i < n; i++)
    {
        v = idx[i];
        for (j = i; j > 0 && out[j - 1] > v; j--)
            out[j] = out[j - 1];
        out[j] = v;
    }
}

/* Merges sorted a[0..na-1] and b[0..nb-1] into sorted out. */
static inline void _fy_merge_idx(int *out, const int *a, int na, const int *b, int nb)
{
    int i = 0, j = 0, k = 0;
    while (i < na && j < nb)
        out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
    while (i < na)
        out[k++] = a[i++];
    while (j < nb)
        out[k++] = b[j++];
}

/* Dense <-> sorted storage.  from_dense returns 0 and the dense positions of the first
 * disagreeing pair in *bad_a, *bad_b, or 1 when D is symmetric (then T is filled). */
#define FY_SERIES_DECLARE_INTERNAL(SUF, EL)                                                     \
    void _fy_symtensor_to_dense_##SUF(EL *D, const EL *T, const fy_mindex_t ix, int order,      \
                                      slong prec);                                              \
    int _fy_symtensor_from_dense_##SUF(EL *T, const EL *D, const fy_mindex_t ix, int order,     \
                                       double rtol, slong *bad_a, slong *bad_b, slong prec);
FY_SERIES_DECLARE_INTERNAL(d, double)
FY_SERIES_DECLARE_INTERNAL(arb, arb_struct)
FY_SERIES_DECLARE_INTERNAL(fmpq, fmpq)

#endif
