/* jet_internal.h - shared pieces of the jet module (internal). */
#ifndef FEYNN_JET_INTERNAL_H
#define FEYNN_JET_INTERNAL_H

#include <flint/fmpq_vec.h>
#include <flint/fmpz.h>

#include "feynn/jet.h"

/* z = x / c for a nonzero slong c (FLINT 2.9 has no fmpq_div_si). */
static inline void _fy_fmpq_div_si_(fmpq_t z, const fmpq_t x, slong c)
{
    fmpz_t t;
    fmpz_init_set_si(t, c);
    fmpq_div_fmpz(z, x, t);
    fmpz_clear(t);
}

/* Checks a tensor request against memory before anything large is allocated: fills the count
 * of directions and refuses with FY_ENOMEM and the estimate when it would not fit. */
int _fy_jet_tensor_check(slong *ndirs, const fy_jet_net_t J, slong out, int n, fy_arith_t arith,
                         fy_error_t err);

/* The same for one directional jet of order N (the workspace grows like the width times N). */
int _fy_jet_dir_check(const fy_jet_net_t J, int N, fy_arith_t arith, fy_error_t err);

#endif
