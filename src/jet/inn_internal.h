/* inn_internal.h - the INN log-density jets of module jet (internal; see jet.h, "INN
 * log-densities", and inn_tpl.c). */
#ifndef FEYNN_JET_INN_INTERNAL_H
#define FEYNN_JET_INN_INTERNAL_H

#include "jet/jet_internal.h"

/* Checks the shapes of an fy_inn_t that this module relies on (dimension, arrays present,
 * index ranges of the couplings), so that a hand-made struct cannot make it read out of
 * bounds.  FY_EINPUT naming the layer. */
int _fy_jet_inn_check(const fy_inn_t net, fy_error_t err);

/* c = sum over affine layers of ln|det W| - (d/2) ln(2 pi), the constant part of ln p, as a
 * ball at prec bits (det W computed exactly; FY_EINPUT if it is 0). */
int _fy_jet_inn_const_arb(arb_t c, const fy_inn_t net, slong prec, fy_error_t err);

/* Raw kernels per arithmetic (inn_tpl.c), after the checks of inn.c:
 * _fy_jet_inn_dir: c (N + 1 entries, initialised) of t -> ln p(x0 + t v), x0 and v with d
 *   entries (NULL: zero); c may alias x0 or v;
 * _fy_jet_inn_tensor: T (C(d+n-1, n) entries, initialised) = d^n ln p(x0), n >= 1, x0 exact
 *   (NULL: the origin), rounded to the arithmetic. */
#define FY_JET_INN_DECLARE_RAW(SUF, EL)                                                        \
    int _fy_jet_inn_dir_##SUF(EL *c, const fy_inn_t net, const EL *x0, const EL *v, int N,     \
                              slong prec, fy_error_t err);                                     \
    int _fy_jet_inn_tensor_##SUF(EL *T, const fy_inn_t net, const fmpq *x0, int n, slong prec, \
                                 fy_error_t err);
FY_JET_INN_DECLARE_RAW(d, double)
FY_JET_INN_DECLARE_RAW(arb, arb_struct)
FY_JET_INN_DECLARE_RAW(fmpq, fmpq)

#endif
