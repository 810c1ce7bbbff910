/* fxball.h - rows of balls in block floating point, for certified dense products (internal).
 *
 * Arb balls carry one exponent, one mantissa of a few limbs and one radius each, and every
 * operation pays for normalising them.  Where many balls are handled alike - the rows of the
 * Taylor-tensor buffer of an MLP, multiplied by the same weight matrix and by the same vertex
 * values - a row of balls can share its exponent and its radius instead:
 *
 *     element (r, a) of a table is the ball  m[r, a] 2^(e[r] - FY_FX_BITS)  +-  R[r] 2^e[r]
 *
 * with |m| < 2^FY_FX_BITS (126 bits, a signed 128-bit integer) and R >= 0 a double (the radius
 * relative to the row's scale; it bounds the error of every element of the row).  A row whose
 * exponent is FY_FX_EZERO is exactly zero.  Two kernels work on such tables:
 *
 *   - fy_fx_gemm: rows times W^T for a matrix W of exact doubles, with the product done exactly
 *     by ordinary dgemm calls on 21-bit digits (Ozaki's error-free splitting: every partial sum
 *     of a digit product is an integer below 2^53), the digit pairs of small weight left out and
 *     bounded in the radius;
 *   - fy_fx_mulsum: sums of elementwise products of rows, sum_q c_q A_q .* B_q, the
 *     Faa di Bruno step of the MLP recursion, in 128-bit integer arithmetic.
 *
 * Every result is an enclosure: truncations, left-out digit pairs and the radii of the inputs
 * are bounded in R, rounded upwards.  The precision is that of the rows (126 bits relative to
 * the largest element of a row), so a small element of a row is known to fewer bits relative
 * to itself; the radius says so.  A kernel that meets a value it cannot represent (an
 * exponent out of range, a radius above 2^400 times the row scale) returns nonzero and leaves
 * its output undefined: the caller then uses ordinary Arb arithmetic.
 *
 * Available when the compiler has a 128-bit integer type and FLINT uses 64-bit limbs
 * (FY_HAVE_FX).  The dgemm calls go through CBLAS when feynn was built with it, else through a
 * plain loop (exact as well: the sums are integers below 2^53 in any order). */
#ifndef FEYNN_NUM_FXBALL_H
#define FEYNN_NUM_FXBALL_H

#include <stdint.h>

#include "feynn/num.h"

#if defined(__SIZEOF_INT128__) && FLINT_BITS == 64
#define FY_HAVE_FX 1

#define FY_FX_BITS 126
#define FY_FX_EZERO (WORD_MIN / 4)
/* Widest inner dimension of a product. */
#define FY_FX_MAXK 65536
/* Largest integer factor c_q of fy_fx_mulsum and largest sum of them. */
#define FY_FX_MAXC 1024

typedef __int128 fy_fx_m;

typedef struct
{
    slong rows, ld;
    fy_fx_m *m; /* rows x ld mantissas, |m| < 2^FY_FX_BITS */
    slong *e;   /* row exponents (FY_FX_EZERO: the row is exactly zero) */
    double *R;  /* row radii relative to 2^e */
} fy_fxtab_struct;
typedef fy_fxtab_struct fy_fxtab_t[1];

/* An entry of W kept apart from the digits: |w| = m53 2^(gW - d - 53), d > 10. */
typedef struct
{
    int32_t a, b, d, neg;
    uint64_t m53;
} fy_fxsparse_struct;

/* A weight matrix W (wn x wp, exact doubles) cut into digits for fy_fx_gemm.  Scaled to
 * 2^(gW - 105), an entry within 2^10 of the largest has 53 bits in the top three 21-bit
 * digits; when the smaller entries are few they are kept apart (exactly, in a sparse list)
 * and the dense part has three digits, else it has five. */
typedef struct
{
    slong wn, wp, gW; /* max |w| < 2^gW */
    int nd;           /* digits of the dense part: 3 or 5 */
    double *Wd;       /* nd blocks of wn x wp signed 21-bit digits, most significant first */
    slong ns, smax;   /* entries apart, and the most of them in one row of W */
    fy_fxsparse_struct *sp;
    double Winf;      /* bound of max_a sum_b |w_ab| / 2^gW */
    double Wtr;       /* bound of max_a sum_b |w_ab - digits| / 2^gW (bits below 2^(gW - 105)) */
} fy_fxmat_struct;
typedef fy_fxmat_struct fy_fxmat_t[1];

/* Scratch of one thread (grown on demand; zero-initialise with fy_fxwork_init). */
typedef struct
{
    size_t nXd, nL, nacc, nA, nneg, neq, nsum;
    double *Xd, *L;
    fy_fx_m *acc, *A, *sum;
    unsigned char *neg;
    slong *eq;
} fy_fxwork_struct;

/* Tables: every row zero.  FY_OK or FY_ENOMEM (err set). */
int fy_fxtab_init(fy_fxtab_struct *t, slong rows, slong ld, fy_error_t err);
void fy_fxtab_clear(fy_fxtab_struct *t);
static inline void fy_fxtab_zero_row(fy_fxtab_struct *t, slong r)
{
    t->e[r] = FY_FX_EZERO;
    t->R[r] = 0;
}
/* Rows rs.. of src (the first w elements) to rows rd.. of dst. */
void fy_fxtab_copy_rows(fy_fxtab_struct *dst, slong rd, const fy_fxtab_struct *src, slong rs,
                        slong nrows, slong w);
/* Row r from w balls / w doubles (stride between them).  Nonzero when a value does not fit
 * (not finite, or an exponent beyond +-2^40). */
int fy_fxtab_set_row_arb(fy_fxtab_struct *t, slong r, arb_srcptr v, slong stride, slong w);
int fy_fxtab_set_row_d(fy_fxtab_struct *t, slong r, const double *v, slong stride, slong w);
/* Element (r, a) as a ball, rounded to prec bits. */
void fy_fxtab_get_arb(arb_t z, const fy_fxtab_struct *t, slong r, slong a, slong prec);

/* W from wn x wp balls that are exact doubles.  Returns 0 with M usable, nonzero when an entry
 * is not an exact double or wp > FY_FX_MAXK (M is then empty and clearing it is safe). */
int fy_fxmat_init_arb(fy_fxmat_struct *M, arb_srcptr W, slong wn, slong wp);
void fy_fxmat_clear(fy_fxmat_struct *M);

void fy_fxwork_init(fy_fxwork_struct *w);
void fy_fxwork_clear(fy_fxwork_struct *w);

/* Rows rd + i of dst <- rows rs + i of src (their first wp elements) times W^T, i < nr; dst
 * gets M->wn elements per row.  dst may be src with rd == rs (in place); otherwise the rows
 * must not overlap.  Returns 0, or nonzero when a radius overflows (see above). */
int fy_fx_gemm(fy_fxtab_struct *dst, slong rd, const fy_fxtab_struct *src, slong rs, slong nr,
               const fy_fxmat_struct *M, fy_fxwork_struct *wk);

/* Rows rd + xi of dst, xi < nx (w elements each) <- sum_{q < nK} c[q] A_q[ra[q]] .* B_q[rb[q] + xi]
 * where A_q = A[q], B_q = B[q] are tables, 1 <= c[q] and the sum of the c[q] is at most
 * FY_FX_MAXC.  A row of dst may be one of the B rows it is computed from (the same xi), not an
 * A row.  Returns 0 or nonzero as fy_fx_gemm. */
int fy_fx_mulsum(fy_fxtab_struct *dst, slong rd, slong nx, int nK,
                 const fy_fxtab_struct *const *A, const slong *ra,
                 const fy_fxtab_struct *const *B, const slong *rb, const slong *c, slong w,
                 fy_fxwork_struct *wk);

#endif /* FY_HAVE_FX */
#endif
