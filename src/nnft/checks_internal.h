/* checks_internal.h - pieces shared by the checks of src/nnft (rp.c, symmetry.c, os.c, ib.c). */
#ifndef FEYNN_NNFT_CHECKS_INTERNAL_H
#define FEYNN_NNFT_CHECKS_INTERNAL_H

#include "feynn/nnft.h"

/* A read-only view of s with other points: a shallow copy of the struct (every other field
 * shared with s, never cleared) whose points are pts (n x s->d).  Use it only while s and pts
 * live, and never pass it to fy_nnft_spec_clear. */
static inline void fy_nnft_spec_view(fy_nnft_spec_struct *v, const fy_nnft_spec_t s,
                                     fmpq *pts, slong n)
{
    *v = *s;
    v->points = pts;
    v->npoints = n;
}

/* The smallest eigenvalue of the symmetric n x n matrix A (row-major, destroyed) and a unit
 * eigenvector for it (cyclic Jacobi). */
double fy_nnft_sym_eig_min(double *vec, double *A, slong n);

/* The spectral certificate of fy_nnft_rp_spec (euclid_kl.c): fy_nnft_rp_spectral with the
 * spec's closed-form measure where d = 1 and one is known, nothing otherwise. */
int fy_nnft_rp_spec_spectral(fy_nnft_rp_t r, const fy_nnft_spec_t s, slong prec,
                             fy_error_t err);

#endif
