/* feynn/num.h - the three arithmetics behind one interface (layer 1).
 *
 * feynn computes with exact rationals (FLINT fmpq), Arb balls (rigorous enclosures at a
 * precision in bits) or double.  This header names the arithmetic (fy_arith_t), includes the
 * right Arb header for FLINT 2.9 + Arb or FLINT 3, converts binary floating-point numbers
 * exactly to dyadic rationals, parses and prints exact rationals and balls, re-runs ball
 * computations at rising precision until they are accurate enough (fy_ball_refine), and
 * defines the number vector (fy_numvec_t) that carries results in any of the three
 * arithmetics.  Algorithms are written once over the backend macros of src/num/backend.h and
 * instantiated per arithmetic (GMP's habit), not copied three times. */
#ifndef FEYNN_NUM_H
#define FEYNN_NUM_H

#include <stdint.h>

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpz.h>
/* Arb is inside FLINT from version 3 (flint/arb.h), a library of its own before (arb.h, FLINT
 * 2.9 + Arb as in Debian bookworm).  The choice is made here once: FY_ARB_IN_FLINT is 1 with
 * FLINT 3; the library's sources include the other Arb headers through src/num/arb_all.h. */
#if defined(__has_include)
#if __has_include(<flint/arb.h>)
#define FY_ARB_IN_FLINT 1
#endif
#endif
#ifndef FY_ARB_IN_FLINT
#define FY_ARB_IN_FLINT 0
#endif
#if FY_ARB_IN_FLINT
#include <flint/arb.h>
#include <flint/arb_poly.h>
#else
#include <arb.h>
#include <arb_poly.h>
#endif

#include "feynn/error.h"
#include "feynn/util.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
    FY_ARITH_DOUBLE = 0, /* IEEE double: fast, no error bound */
    FY_ARITH_BALL = 1,   /* Arb ball: midpoint-radius enclosure at prec bits */
    FY_ARITH_EXACT = 2   /* FLINT fmpq: exact rationals */
} fy_arith_t;

/* Name of an arithmetic: "double", "ball", "exact". */
const char *fy_arith_name(fy_arith_t a);

/* Exact decoding of IEEE binary16 and bfloat16 bit patterns (every such value is a double). */
double fy_f16_to_double(uint16_t bits);
double fy_bf16_to_double(uint16_t bits);
double fy_f32_to_double(uint32_t bits);
double fy_f64_from_bits(uint64_t bits);

/* ------------------------------------------------------------------ exact conversions
 * Every finite binary float is a dyadic rational m * 2^e; these set z to it exactly.  NaN and
 * infinities are refused with FY_EINPUT (z is then left 0).  Return FY_OK or the error. */
int fy_fmpq_set_f64_bits(fmpq_t z, uint64_t bits, fy_error_t err);
int fy_fmpq_set_f32_bits(fmpq_t z, uint32_t bits, fy_error_t err);
int fy_fmpq_set_f16_bits(fmpq_t z, uint16_t bits, fy_error_t err);  /* IEEE binary16 */
int fy_fmpq_set_bf16_bits(fmpq_t z, uint16_t bits, fy_error_t err); /* bfloat16 */
int fy_fmpq_set_d(fmpq_t z, double x, fy_error_t err);
/* z = x exactly, radius 0 (Arb's arb_set_d is exact; this adds the NaN/Inf refusal). */
int fy_arb_set_d_exact(arb_t z, double x, fy_error_t err);
/* The double nearest to x (ties to even), overflowing to +-inf; correctly rounded. */
double fy_fmpq_get_d(const fmpq_t x);

/* ------------------------------------------------------------------ text
 * Exact parse of a rational: optional blanks, [+-] decimal [(e|E)[+-]digits], optionally
 * followed by '/' and an unsigned decimal of the same form, optional blanks.  Examples: "0.1"
 * is 1/10, "-3/2", "2.5e-3" is 1/400, ".5", "1/3e2" is 1/300.  Anything else is refused with
 * FY_EINPUT and a message naming the 1-based column of the first bad character and what was
 * expected; so is a zero denominator and an exponent beyond +-FY_PARSE_MAX_EXP (which would
 * otherwise make a huge integer). */
#define FY_PARSE_MAX_EXP 100000
int fy_fmpq_parse(fmpq_t z, const char *s, fy_error_t err);

/* Strings below are malloc'd; the caller frees them with free(); NULL only when out of memory.
 * fy_fmpq_get_str: "p/q" in lowest terms, or "p" when q = 1. */
char *fy_fmpq_get_str(const fmpq_t x);
/* The printed form of a ball, for every command and format.  mid is the ball's midpoint to
 * `digits` significant digits (Arb's arf_get_str: "0.78644773296592741015", "1.2346e-38");
 * rad, with 3 significant digits rounded up ("2.89e-21"), bounds the ball's radius PLUS the
 * rounding error of the printed mid, computed exactly; so the interval [mid - rad, mid + rad],
 * mid and rad read as exact decimals, contains every point of the ball, hence the exact value
 * the ball encloses.  rad is "0" only when the ball is exactly the printed mid.  text is
 * "[mid +/- rad]", or just mid when rad is "0".  A non-finite ball prints mid "nan", "inf" or
 * "-inf" and rad "inf"; so does (rad "inf") a ball beyond about 10^+-300000.  Any of text, mid,
 * rad may be NULL (not wanted); the others are malloc'd strings to free().  Returns FY_OK, or
 * FY_ENOMEM with every output NULL. */
int fy_arb_get_str_ball(char **text, char **mid, char **rad, const arb_t x, slong digits);
/* The text of fy_arb_get_str_ball ("[0.333333 +/- 3.34e-7]"); NULL if out of memory. */
char *fy_arb_get_str_radius(const arb_t x, slong digits);
/* Only digits certified by the ball (at most `digits`): the printed decimal differs from every
 * point of the ball by at most one unit in its last place.  A ball too wide to certify even
 * one digit prints in the radius form of fy_arb_get_str_ball (at most 5 digits of mid). */
char *fy_arb_get_str_certified(const arb_t x, slong digits);

/* Input bytes s[0..len) shown in a message: quoted, printable ASCII as itself, any other
 * character as <U+XXXX> (UTF-8) or <0xNN> (a byte that is not UTF-8), at most 24 characters
 * then "...".  The first such character is then named, with what to type instead where it is
 * a look-alike: "'<U+2212>1' (U+2212, MINUS SIGN; type '-' instead)", "'<U+FEFF>feynn-model'
 * (U+FEFF, a UTF-8 byte-order mark; save the file ... without it)".  buf (size n) is always
 * NUL-terminated (the text is cut when it does not fit). */
void fy_text_show(char *buf, size_t n, const char *s, size_t len);

/* ------------------------------------------------------------------ containment
 * fy_arb_contains_fmpq: 1 if the exact q lies in the ball x.
 * fy_d_near_arb: 1 if |d - mid(x)| <= atol + rtol * |mid(x)| + rad(x) (a double result
 * against a certified one; NaN is never near). */
int fy_arb_contains_fmpq(const arb_t x, const fmpq_t q);
int fy_d_near_arb(double d, const arb_t x, double rtol, double atol);

/* ------------------------------------------------------------------ precision raising
 * A ball computation: fills out[0..nout-1] at working precision prec; returns FY_OK or an
 * error (then err is set). */
typedef int (*fy_ball_eval_fn)(arb_ptr out, slong nout, slong prec, void *data, fy_error_t err);

/* Runs f at prec0, 2 prec0, 4 prec0, ... (the last run at max_prec exactly) until every output
 * has arb_rel_accuracy_bits >= want_rel_bits (an exact zero counts as accurate).  Reports the
 * precision of the last run in *prec_used and the smallest relative accuracy reached over the
 * outputs in *rel_bits_reached (either pointer may be NULL); out holds that run's enclosures.
 * Returns FY_OK when the target was met; FY_ECHECK with a message saying what was reached when
 * max_prec did not suffice (out still holds valid, wider enclosures); f's status if f fails;
 * FY_EINPUT for nonsensical arguments (prec0 < 2, max_prec < prec0, nout < 0). */
int fy_ball_refine(arb_ptr out, slong nout, fy_ball_eval_fn f, void *data, slong prec0,
                   slong max_prec, slong want_rel_bits, slong *prec_used,
                   slong *rel_bits_reached, fy_error_t err);

/* ------------------------------------------------------------------ number vectors
 * A vector of numbers in one arithmetic: the storage under symmetric tensors, series and the
 * results higher layers hand around.  v points to len doubles, arb_structs (working precision
 * prec) or fmpqs; use the typed accessors.  Entries start at zero. */
typedef struct
{
    fy_arith_t arith;
    slong len;
    slong prec; /* working precision of ball operations, bits; kept in every arithmetic */
    void *v;
} fy_numvec_struct;
typedef fy_numvec_struct fy_numvec_t[1];

/* Upper limit on the memory one vector may take (estimated from len and the element size,
 * before allocating); requests above it are refused with FY_ENOMEM and the estimate.  It is
 * the process-wide memory limit of feynn/util.h (--memory-limit, FEYNN_MEMORY_LIMIT). */
#define FY_NUMVEC_MAX_BYTES (fy_memory_limit())

/* Bytes a vector of len entries takes at least (the fixed part of each element), or SIZE_MAX
 * on overflow; used for the up-front refusal. */
size_t fy_numvec_bytes(fy_arith_t arith, slong len);

/* Allocates len zero entries; v is valid (empty) after a failure, so clearing is safe.  The
 * same as fy_numvec_init_empty followed by fy_numvec_set_shape. */
int fy_numvec_init(fy_numvec_t v, fy_arith_t arith, slong len, slong prec, fy_error_t err);
/* --- api (issue 9): an init that cannot fail and takes no shape (FLINT's init + fit_length).
 * fy_numvec_init_empty: v is empty (double, length 0, prec 53, no storage); clearing it, or
 * passing it as an output (outputs are re-made), is safe.
 * fy_numvec_set_shape: v (initialised, any shape) becomes len zero entries of `arith` at
 * precision prec; what v held is released, or its storage reused when arith and len are
 * already those (the entries are then set to zero).  Refuses a negative length or an unknown
 * arithmetic (FY_EINPUT) and, before allocating, a vector over the memory limit (FY_ENOMEM,
 * see FY_NUMVEC_MAX_BYTES); v is then empty (length 0, clearing is safe). */
void fy_numvec_init_empty(fy_numvec_t v);
int fy_numvec_set_shape(fy_numvec_t v, fy_arith_t arith, slong len, slong prec, fy_error_t err);
void fy_numvec_clear(fy_numvec_t v);
void fy_numvec_swap(fy_numvec_t a, fy_numvec_t b);
/* z = x, z re-made in x's arithmetic and length (z == x allowed). */
int fy_numvec_set(fy_numvec_t z, const fy_numvec_t x, fy_error_t err);
/* Converts x to arithmetic `arith` (at precision prec for balls) into z; z == x allowed.
 * exact -> ball -> double is always possible (ball -> double takes the midpoint; exact ->
 * double rounds to nearest; double -> exact and double -> ball are exact).  ball -> exact is
 * possible only when every radius is zero (FY_EUNSUPPORTED otherwise). */
int fy_numvec_convert(fy_numvec_t z, fy_arith_t arith, slong prec, const fy_numvec_t x,
                      fy_error_t err);

static inline double *fy_numvec_d(const fy_numvec_t v)
{
    return v->arith == FY_ARITH_DOUBLE ? (double *) v->v : NULL;
}
static inline arb_ptr fy_numvec_arb(const fy_numvec_t v)
{
    return v->arith == FY_ARITH_BALL ? (arb_ptr) v->v : NULL;
}
static inline fmpq *fy_numvec_fmpq(const fy_numvec_t v)
{
    return v->arith == FY_ARITH_EXACT ? (fmpq *) v->v : NULL;
}

/* Entry i set from an integer or a rational (rounded to the vector's arithmetic), and read as
 * a ball (exact for exact and double vectors; prec is used for rationals).  i must be in
 * range (FY_EINPUT otherwise). */
int fy_numvec_set_si(fy_numvec_t v, slong i, slong c, fy_error_t err);
int fy_numvec_set_fmpq(fy_numvec_t v, slong i, const fmpq_t q, fy_error_t err);
void fy_numvec_get_arb(arb_t z, const fy_numvec_t v, slong i, slong prec);
/* Entry i as text: "p/q" (exact), certified decimal digits (ball, at most `digits`), "%.17g"
 * (double).  malloc'd; NULL if out of memory or i out of range. */
char *fy_numvec_get_str(const fy_numvec_t v, slong i, slong digits);

/* Comparisons across any two arithmetics, for reports and tests: the largest |x_i - y_i| and
 * the weighted relative Frobenius distance sqrt(sum w_i (x_i-y_i)^2 / sum w_i y_i^2) (w NULL
 * means all ones; y == 0 gives the absolute distance).  Computed in ball arithmetic from the
 * midpoints; the result is the nearest double of an upper bound for max_abs_diff and the
 * midpoint for rel_frobenius.  x and y must have equal length (else NaN). */
double fy_numvec_max_abs_diff(const fy_numvec_t x, const fy_numvec_t y);
double fy_numvec_rel_frobenius(const fy_numvec_t x, const fy_numvec_t y, const fmpz *w);
/* 1 if every exact entry of `exact` lies in the matching ball of `ball` (arithmetics EXACT and
 * BALL, equal lengths), else 0. */
int fy_numvec_contains(const fy_numvec_t ball, const fy_numvec_t exact);

/* Entrywise arithmetic in one arithmetic (x and y must agree in arithmetic and length, else
 * FY_EINPUT).  z is re-made to x's arithmetic, length and precision unless it is x or y;
 * z == x and z == y are allowed.  Scaling by a rational rounds it for ball and double. */
int fy_numvec_add(fy_numvec_t z, const fy_numvec_t x, const fy_numvec_t y, fy_error_t err);
int fy_numvec_sub(fy_numvec_t z, const fy_numvec_t x, const fy_numvec_t y, fy_error_t err);
int fy_numvec_neg(fy_numvec_t z, const fy_numvec_t x, fy_error_t err);
int fy_numvec_scale_fmpq(fy_numvec_t z, const fy_numvec_t x, const fmpq_t c, fy_error_t err);

/* Raw vector kernels, one per arithmetic (suffix _d, _arb, _fmpq; see src/num/backend.h), for
 * algorithms that are themselves templates.  They assume allocated outputs; z may alias x or y.
 * prec is used by the _arb variants only. */
#define FY_NUM_DECLARE_RAW(SUF, EL)                                                          \
    void _fy_vec_add_##SUF(EL *z, const EL *x, const EL *y, slong n, slong prec);           \
    void _fy_vec_sub_##SUF(EL *z, const EL *x, const EL *y, slong n, slong prec);           \
    void _fy_vec_neg_##SUF(EL *z, const EL *x, slong n, slong prec);                        \
    void _fy_vec_scale_fmpq_##SUF(EL *z, const EL *x, const fmpq_t c, slong n, slong prec);
FY_NUM_DECLARE_RAW(d, double)
FY_NUM_DECLARE_RAW(arb, arb_struct)
FY_NUM_DECLARE_RAW(fmpq, fmpq)

/* ------------------------------------------------------------------ randtest (issue 9)
 * Random test operands in the manner of FLINT's *_randtest, so that tests exercise random
 * sizes, precisions and radii rather than fixed ones.  *state is a counter: every draw advances
 * it and takes a block of the one generator (feynn/rng.h, Philox keyed by the purpose
 * FY_RNG_PURPOSE_RANDTEST), so the numbers are a function of the starting value (a test's
 * printed seed) and of the draws before, on every FLINT version.
 * fy_randtest_u64: 64 random bits.  fy_randtest_range: uniform in [lo, hi] (lo when hi <= lo).
 * fy_fmpq_randtest: a canonical rational, zero 1 in 16, an integer 1 in 4 (some 2^b - 1),
 *   else numerator and denominator of random bit lengths 1..bits, random sign.
 * fy_d_randtest: a double, zero 1 in 8, a small integer 1 in 8, else random sign and 53-bit
 *   mantissa at magnitude 2^-mag_bits .. 2^mag_bits.
 * fy_arb_randtest: a ball whose midpoint is zero (1 in 8) or has 1..prec random bits at
 *   magnitude 2^-mag_bits .. 2^mag_bits, and whose radius is zero (1 in 4), rounding-sized (about
 *   2^-prec |mid|), medium (2^-1 .. 2^-(prec/2) |mid|) or wide (mostly 1/8 .. 16 |mid|: such balls
 *   may contain zero), like Arb's arb_randtest.
 * fy_numvec_randtest: v re-made as len such entries of `arith` (exact: bits FY_RANDTEST_MAG_BITS,
 *   double and ball: mag_bits FY_RANDTEST_MAG_BITS) at precision prec; errors of
 *   fy_numvec_set_shape.
 * fy_numvec_randtest_point: q (exact, x's length) = a point of each ball of x: the lower end,
 *   the midpoint, the upper end or mid + t rad with t = k/2^16 random in [-1, 1], so that an
 *   operation's ball result must contain the exact result on q.  An exact or double x is copied
 *   exactly.  FY_EINPUT for a non-finite ball or q == x (ball). */
#define FY_RNG_PURPOSE_RANDTEST 80
#define FY_RANDTEST_MAG_BITS 40
uint64_t fy_randtest_u64(uint64_t *state);
slong fy_randtest_range(uint64_t *state, slong lo, slong hi);
void fy_fmpq_randtest(fmpq_t q, uint64_t *state, slong bits);
double fy_d_randtest(uint64_t *state, slong mag_bits);
void fy_arb_randtest(arb_t x, uint64_t *state, slong prec, slong mag_bits);
int fy_numvec_randtest(fy_numvec_t v, uint64_t *state, fy_arith_t arith, slong len, slong prec,
                       fy_error_t err);
int fy_numvec_randtest_point(fy_numvec_t q, uint64_t *state, const fy_numvec_t x,
                             fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
