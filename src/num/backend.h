/* backend.h - the number backend as macros, so an algorithm is written once (internal).
 *
 * GMP's habit (mpz/aors.h): an algorithm lives in a template file, FOO_tpl.c, written with the
 * macros below; three tiny files instantiate it:
 *
 *     // src/series/foo_arb.c
 *     #define FY_BACKEND_ARB
 *     #include "num/backend.h"
 *     #include "series/foo_tpl.c"
 *
 * Backends: FY_BACKEND_D (double), FY_BACKEND_ARB (arb_struct balls), FY_BACKEND_FMPQ (exact
 * fmpq).  Exactly one must be defined before this header is included.
 *
 * Elements are handled through pointers (fy_el_ptr / fy_el_srcptr), as FLINT does, so one
 * macro works for scalars (`fy_el_t x; FY_EL_ADD(x, x, y);`) and for vector entries
 * (`FY_EL_ADD(v + i, v + i, w + j)`).  Every arithmetic macro allows its output to alias its
 * inputs.  Arb operations round at the precision in the variable named by FY_PREC, `prec`;
 * every template function therefore takes a `slong prec` argument (ignored by the other two
 * backends), so all three instantiations share one signature.
 *
 * FY_FN(name) suffixes a function name: FY_FN(_fy_useries_mul) is _fy_useries_mul_d,
 * _fy_useries_mul_arb or _fy_useries_mul_fmpq.  FY_ARITH is the fy_arith_t of the backend.
 *
 * The set, kept small on purpose (all arguments are element pointers unless said otherwise):
 *   FY_EL_INIT(x) FY_EL_CLEAR(x)          init to zero / free
 *   FY_EL_SET(z, x) FY_EL_SWAP(x, y)      copy (rounded for arb: never, arb_set is exact)
 *   FY_EL_ZERO(z) FY_EL_ONE(z)            0, 1
 *   FY_EL_SET_SI(z, c)                    integer c (slong)
 *   FY_EL_SET_FMPQ(z, q)                  rational q (rounded to prec / nearest double)
 *   FY_EL_ADD SUB MUL DIV (z, x, y)       z = x op y
 *   FY_EL_ADDMUL SUBMUL (z, x, y)         z += x*y, z -= x*y
 *   FY_EL_NEG(z, x)                       z = -x
 *   FY_EL_MUL_SI DIV_SI (z, x, c)         z = x*c, x/c for a nonzero slong c
 *   FY_EL_ADDMUL_SI(z, x, c)              z += x*c
 *   FY_EL_MUL_FMPZ(z, x, c)               z = x*c for an fmpz c (multinomial weights)
 *   FY_EL_AGREES(x, y, rtol)              equal as far as the backend can tell: exact
 *                                         equality, overlapping balls, or for doubles
 *                                         |x - y| <= rtol max(|x|, |y|)
 *   FY_EL_IS_ZERO(x)                      exactly zero (arb: midpoint and radius zero)
 *   FY_EL_MAYBE_ZERO(x)                   could be zero: a divisor that cannot be used
 *   FY_EL_GET_D(x)                        nearest double (arb: of the midpoint)
 *   FY_EL_EXP LOG1P SIN COS TANH (z, x)   elementary functions of a constant term; these
 *                                         evaluate to 0 on success and nonzero when the
 *                                         value is not representable (exact backend: the
 *                                         argument must be 0, where the values are rational)
 * Vectors: FY_VEC_INIT(n) returns n zero elements (flint_malloc'd; n == 0 still gives a valid
 * block), FY_VEC_CLEAR(v, n) frees them.  Sizes that come from input are checked by the caller
 * (fy_numvec_init, fy_symtensor_init) before anything is allocated. */
#ifndef FEYNN_NUM_BACKEND_H
#define FEYNN_NUM_BACKEND_H

#include <math.h>

#include "feynn/num.h"

/* Shared by all backends. */
#define FY_PREC prec
#define FY_CAT_(a, b) a##_##b
#define FY_CAT(a, b) FY_CAT_(a, b)
#define FY_FN(name) FY_CAT(name, FY_SUFFIX)

/* Exact division of a rational by a nonzero integer (FLINT 2.9 has no fmpq_div_si). */
static inline void _fy_fmpq_div_si(fmpq_t z, const fmpq_t x, slong c)
{
    fmpz_t t;
    fmpz_init_set_si(t, c);
    fmpq_div_fmpz(z, x, t);
    fmpz_clear(t);
}

#endif /* FEYNN_NUM_BACKEND_H (shared part) */

/* The per-backend part may be included once per translation unit. */
#if defined(FY_BACKEND_D) + defined(FY_BACKEND_ARB) + defined(FY_BACKEND_FMPQ) != 1
#error "define exactly one of FY_BACKEND_D, FY_BACKEND_ARB, FY_BACKEND_FMPQ"
#endif

#ifndef FEYNN_NUM_BACKEND_EL
#define FEYNN_NUM_BACKEND_EL

#if defined(FY_BACKEND_D)

#define FY_SUFFIX d
#define FY_ARITH FY_ARITH_DOUBLE
typedef double fy_el_struct;
#define FY_EL_INIT(x) (*(x) = 0.0)
#define FY_EL_CLEAR(x) ((void) (x))
#define FY_EL_SET(z, x) (*(z) = *(x))
#define FY_EL_SWAP(x, y) do { double fy_t_ = *(x); *(x) = *(y); *(y) = fy_t_; } while (0)
#define FY_EL_ZERO(z) (*(z) = 0.0)
#define FY_EL_ONE(z) (*(z) = 1.0)
#define FY_EL_SET_SI(z, c) (*(z) = (double) (c))
#define FY_EL_SET_FMPQ(z, q) (*(z) = fy_fmpq_get_d(q))
#define FY_EL_ADD(z, x, y) (*(z) = *(x) + *(y))
#define FY_EL_SUB(z, x, y) (*(z) = *(x) - *(y))
#define FY_EL_MUL(z, x, y) (*(z) = *(x) * *(y))
#define FY_EL_DIV(z, x, y) (*(z) = *(x) / *(y))
#define FY_EL_ADDMUL(z, x, y) (*(z) += *(x) * *(y))
#define FY_EL_SUBMUL(z, x, y) (*(z) -= *(x) * *(y))
#define FY_EL_NEG(z, x) (*(z) = -*(x))
#define FY_EL_MUL_SI(z, x, c) (*(z) = *(x) * (double) (c))
#define FY_EL_DIV_SI(z, x, c) (*(z) = *(x) / (double) (c))
#define FY_EL_ADDMUL_SI(z, x, c) (*(z) += *(x) * (double) (c))
#define FY_EL_MUL_FMPZ(z, x, c) (*(z) = *(x) * fmpz_get_d(c))
#define FY_EL_AGREES(x, y, rtol) (fabs(*(x) - *(y)) <= (rtol) * fmax(fabs(*(x)), fabs(*(y))))
#define FY_EL_IS_ZERO(x) (*(x) == 0.0)
#define FY_EL_MAYBE_ZERO(x) (*(x) == 0.0)
#define FY_EL_GET_D(x) (*(x))
#define FY_EL_EXP(z, x) (*(z) = exp(*(x)), 0)
#define FY_EL_LOG1P(z, x) (*(z) = log1p(*(x)), 0)
#define FY_EL_SIN(z, x) (*(z) = sin(*(x)), 0)
#define FY_EL_COS(z, x) (*(z) = cos(*(x)), 0)
#define FY_EL_TANH(z, x) (*(z) = tanh(*(x)), 0)

#elif defined(FY_BACKEND_ARB)

#define FY_SUFFIX arb
#define FY_ARITH FY_ARITH_BALL
typedef arb_struct fy_el_struct;
#define FY_EL_INIT(x) arb_init(x)
#define FY_EL_CLEAR(x) arb_clear(x)
#define FY_EL_SET(z, x) arb_set(z, x)
#define FY_EL_SWAP(x, y) arb_swap(x, y)
#define FY_EL_ZERO(z) arb_zero(z)
#define FY_EL_ONE(z) arb_one(z)
#define FY_EL_SET_SI(z, c) arb_set_si(z, c)
#define FY_EL_SET_FMPQ(z, q) arb_set_fmpq(z, q, FY_PREC)
#define FY_EL_ADD(z, x, y) arb_add(z, x, y, FY_PREC)
#define FY_EL_SUB(z, x, y) arb_sub(z, x, y, FY_PREC)
#define FY_EL_MUL(z, x, y) arb_mul(z, x, y, FY_PREC)
#define FY_EL_DIV(z, x, y) arb_div(z, x, y, FY_PREC)
#define FY_EL_ADDMUL(z, x, y) arb_addmul(z, x, y, FY_PREC)
#define FY_EL_SUBMUL(z, x, y) arb_submul(z, x, y, FY_PREC)
#define FY_EL_NEG(z, x) arb_neg(z, x)
#define FY_EL_MUL_SI(z, x, c) arb_mul_si(z, x, c, FY_PREC)
#define FY_EL_DIV_SI(z, x, c) arb_div_si(z, x, c, FY_PREC)
#define FY_EL_ADDMUL_SI(z, x, c) arb_addmul_si(z, x, c, FY_PREC)
#define FY_EL_MUL_FMPZ(z, x, c) arb_mul_fmpz(z, x, c, FY_PREC)
#define FY_EL_AGREES(x, y, rtol) ((void) (rtol), arb_overlaps(x, y))
#define FY_EL_IS_ZERO(x) arb_is_zero(x)
#define FY_EL_MAYBE_ZERO(x) arb_contains_zero(x)
#define FY_EL_GET_D(x) arf_get_d(arb_midref(x), ARF_RND_NEAR)
#define FY_EL_EXP(z, x) (arb_exp(z, x, FY_PREC), 0)
#define FY_EL_LOG1P(z, x) (arb_log1p(z, x, FY_PREC), 0)
#define FY_EL_SIN(z, x) (arb_sin(z, x, FY_PREC), 0)
#define FY_EL_COS(z, x) (arb_cos(z, x, FY_PREC), 0)
#define FY_EL_TANH(z, x) (arb_tanh(z, x, FY_PREC), 0)

#else /* FY_BACKEND_FMPQ */

#define FY_SUFFIX fmpq
#define FY_ARITH FY_ARITH_EXACT
typedef fmpq fy_el_struct;
#define FY_EL_INIT(x) fmpq_init(x)
#define FY_EL_CLEAR(x) fmpq_clear(x)
#define FY_EL_SET(z, x) fmpq_set(z, x)
#define FY_EL_SWAP(x, y) fmpq_swap(x, y)
#define FY_EL_ZERO(z) fmpq_zero(z)
#define FY_EL_ONE(z) fmpq_one(z)
#define FY_EL_SET_SI(z, c) fmpq_set_si(z, c, 1)
#define FY_EL_SET_FMPQ(z, q) fmpq_set(z, q)
#define FY_EL_ADD(z, x, y) fmpq_add(z, x, y)
#define FY_EL_SUB(z, x, y) fmpq_sub(z, x, y)
#define FY_EL_MUL(z, x, y) fmpq_mul(z, x, y)
#define FY_EL_DIV(z, x, y) fmpq_div(z, x, y)
#define FY_EL_ADDMUL(z, x, y) fmpq_addmul(z, x, y)
#define FY_EL_SUBMUL(z, x, y) fmpq_submul(z, x, y)
#define FY_EL_NEG(z, x) fmpq_neg(z, x)
#define FY_EL_MUL_SI(z, x, c) fmpq_mul_si(z, x, c)
#define FY_EL_DIV_SI(z, x, c) _fy_fmpq_div_si(z, x, c)
#define FY_EL_ADDMUL_SI(z, x, c) _fy_fmpq_addmul_si(z, x, c)
#define FY_EL_MUL_FMPZ(z, x, c) fmpq_mul_fmpz(z, x, c)
#define FY_EL_AGREES(x, y, rtol) ((void) (rtol), fmpq_equal(x, y))
#define FY_EL_IS_ZERO(x) fmpq_is_zero(x)
#define FY_EL_MAYBE_ZERO(x) fmpq_is_zero(x)
#define FY_EL_GET_D(x) fy_fmpq_get_d(x)
/* At a nonzero rational these functions are irrational (Lindemann); at 0 they are 0 or 1. */
#define FY_EL_EXP(z, x) (fmpq_is_zero(x) ? (fmpq_one(z), 0) : 1)
#define FY_EL_LOG1P(z, x) (fmpq_is_zero(x) ? (fmpq_zero(z), 0) : 1)
#define FY_EL_SIN(z, x) (fmpq_is_zero(x) ? (fmpq_zero(z), 0) : 1)
#define FY_EL_COS(z, x) (fmpq_is_zero(x) ? (fmpq_one(z), 0) : 1)
#define FY_EL_TANH(z, x) (fmpq_is_zero(x) ? (fmpq_zero(z), 0) : 1)

static inline void _fy_fmpq_addmul_si(fmpq_t z, const fmpq_t x, slong c)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_mul_si(t, x, c);
    fmpq_add(z, z, t);
    fmpq_clear(t);
}

#endif

typedef fy_el_struct fy_el_t[1];
typedef fy_el_struct *fy_el_ptr;
typedef const fy_el_struct *fy_el_srcptr;

/* Zeroed vector of n elements (at least one element is allocated, so the result is never a
 * NULL that callers must special-case); aborts only the way flint_malloc does. */
static inline fy_el_ptr FY_FN(_fy_vec_init)(slong n)
{
#if defined(FY_BACKEND_D)
    /* calloc: large blocks come as fresh zero pages, with no pass over them */
    return (fy_el_ptr) flint_calloc((size_t) (n > 0 ? n : 1), sizeof(fy_el_struct));
#else
    slong i;
    fy_el_ptr v = (fy_el_ptr) flint_malloc(sizeof(fy_el_struct) * (size_t) (n > 0 ? n : 1));
    for (i = 0; i < n; i++)
        FY_EL_INIT(v + i);
    return v;
#endif
}

static inline void FY_FN(_fy_vec_clear)(fy_el_ptr v, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        FY_EL_CLEAR(v + i);
    flint_free(v);
}

#define FY_VEC_INIT(n) FY_FN(_fy_vec_init)(n)
#define FY_VEC_CLEAR(v, n) FY_FN(_fy_vec_clear)(v, n)

#endif /* FEYNN_NUM_BACKEND_EL */
