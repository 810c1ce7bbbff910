/* mlp_internal.h - private kernels of the mlp module shared by its instantiations. */
#ifndef FEYNN_MLP_INTERNAL_H
#define FEYNN_MLP_INTERNAL_H

#include "feynn/mlp.h"

/* Set partitions of {0..k-1}: count parts, each as nblocks and block bit masks. */
typedef struct
{
    int k;
    long count;
    int *nb;       /* nb[p] blocks in partition p */
    unsigned *mask; /* mask[p * k + j], j < nb[p] */
} fy_setpart_struct;

int _fy_setpart_init(fy_setpart_struct *sp, int k, fy_error_t err);
void _fy_setpart_clear(fy_setpart_struct *sp);

#define FY_MLP_DECLARE_INTERNAL(SUF, EL)                                                        \
    int _fy_mlp_forward_##SUF(fy_mlp_struct *m, int order, slong prec, fy_error_t err);         \
    void _fy_mlp_propagator_##SUF(EL *D, const fy_mlp_struct *m, int l, int k, slong prec);
FY_MLP_DECLARE_INTERNAL(d, double)
FY_MLP_DECLARE_INTERNAL(arb, arb_struct)
FY_MLP_DECLARE_INTERNAL(fmpq, fmpq)

#endif
