/* born_internal.h - pieces shared by the files of the born module (internal). */
#ifndef FEYNN_BORN_INTERNAL_H
#define FEYNN_BORN_INTERNAL_H

#include "feynn/born.h"

/* z = x / c for a nonzero slong c, exactly (FLINT 2.9 has no fmpq_div_si). */
static inline void _fy_fmpq_div_si_born(fmpq_t z, const fmpq_t x, slong c)
{
    fmpz_t t;
    fmpz_init_set_si(t, c);
    fmpq_div_fmpz(z, x, t);
    fmpz_clear(t);
}

/* One pass of the ball transfer-matrix product at precision prec for lambda U (lambda NULL:
 * 1): u(R), u'(R), a_0 and the nodes of u on (0, R] (*nodes = -1 when this precision cannot
 * decide them). */
void _fy_born_ball_pass(arb_t a0, arb_t u, arb_t up, slong *nodes,
                        const fy_born_potential_t pot, const fmpq_t lambda, slong prec);

/* Bits of the largest numerator or denominator among the heights and breakpoints. */
slong _fy_born_potential_bits(const fy_born_potential_t pot);

#endif
