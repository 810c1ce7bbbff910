/* tanh_fast.c - the hyperbolic tangent of the trainer, many values at a time (fy_train_tanh,
 * feynn/train.h).
 *
 * tanh(x) = sign(x) E / (E + 2), E = expm1(2a), a = min(|x|, 20) (tanh rounds to 1 from
 * |x| = 19.06 on).  With y = 2a (exact), n = rint(64 y / ln 2) = 64 m + j (0 <= j < 64) and
 * r = y - n ln2/64 (Cody-Waite: ln2/64 = L1 + L2, L1 with 40 significant bits so that n L1 is
 * exact for n < 2^12, and y - n L1 exact by Sterbenz), |r| <= ln2/128:
 *   exp(y) = 2^m T_j (1 + p),  T_j = 2^(j/64),  p = expm1(r) = r + r^2 (1/2! + ... + r^5/7!),
 *   E = (2^m - 1) + 2^m (D_j + T_j p),  D_j = T_j - 1.
 * The truncated series is below r^8/8! < 5e-23 (2e-20 of |r|).  T_j and D_j are rounded once
 * from long double (expl-accurate) values at first use.
 * Error (in units of 2^-53 relative): u = D_j + T_j p carries at most 5 (D_j, T_j, the
 * product and the sum, against u >= D_j / 2 for j >= 1: |T_j p| <= D_j / 2; for n = 0,
 * u = p with r = y exactly, at most 1.5), the scaling by 2^m is exact, 2^m - 1 is exact for
 * m <= 53 and the sum adds 1; E's relative error reaches tanh damped by 2/(E + 2) <= 1, and
 * E + 2 and the division add 2: within 8 units (8 ulp) of tanh(x) for every double x.
 * tests/test_train.c checks < 3 ulp against tanhl and < 4 ulp from libm's tanh on grids and
 * random points (measured: 2.7 ulp at most, near |x| = 2^-8, where libm's tanh reaches 2.1).
 *
 * The AVX2 path (chosen at run time) performs the same IEEE operations in the same order as
 * the C path (separate multiplies and adds, no contraction): a value does not depend on the
 * processor, the vector width or where it sits in the array; the test checks bit-identity of
 * the two paths. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "feynn/train.h"
#include "train/train_internal.h"

#define TN 64 /* table rows: 2^(j/64) */

static double tab[2 * TN] __attribute__((aligned(64))); /* T_j, D_j */
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

/* constants of the reduction (see the top of the file) */
#define C64 0x1.71547652b82fep+6    /* 64 / ln 2 */
#define SHIFT 0x1.8p52              /* adding it rounds to an integer held in the low bits */
#define L1 0x1.62e42fefa4000p-7     /* ln2/64, high 40 bits */
#define L2 (-0x1.8432a1b0e2634p-49) /* ln2/64 - L1 */
#define AMAX 20.0
#define P2 (1.0 / 2.0)
#define P3 (1.0 / 6.0)
#define P4 (1.0 / 24.0)
#define P5 (1.0 / 120.0)
#define P6 (1.0 / 720.0)
#define P7 (1.0 / 5040.0)

static void tab_fill(void)
{
    int j;
    for (j = 0; j < TN; j++)
    {
        long double e = (long double) j / TN * 0.693147180559945309417232121458176568L;
        tab[2 * j] = (double) expl(e);
        tab[2 * j + 1] = (double) expm1l(e);
    }
}

static inline double tanh_one(double x)
{
    double a = fabs(x), y, kd, nd, r, q, p, u, s, e, t;
    uint64_t bits;
    int j;
    a = a < AMAX ? a : AMAX; /* NaN -> AMAX: the NaN is given back at the end */
    y = a + a;
    kd = y * C64;
    kd = kd + SHIFT;
    nd = kd - SHIFT;
    r = (y - nd * L1) - nd * L2;
    memcpy(&bits, &kd, sizeof bits);
    j = (int) (bits & (TN - 1));
    bits = (((bits & 0xffff) >> 6) + 1023) << 52; /* 2^m */
    memcpy(&s, &bits, sizeof s);
    q = P7 * r + P6;
    q = q * r + P5;
    q = q * r + P4;
    q = q * r + P3;
    q = q * r + P2;
    p = r + (r * r) * q;
    u = tab[2 * j + 1] + tab[2 * j] * p;
    e = (s - 1.0) + s * u;
    t = e / (e + 2.0);
    t = copysign(t, x);
    return x != x ? x : t;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FY_TANH_AVX2 1
#include <immintrin.h>

/* Four values at a time: the (T_j, D_j) pairs of the four lanes loaded and transposed. */
__attribute__((target("avx2"))) static size_t tanh_avx2(double *out, const double *x, size_t n)
{
    const __m256d sgn = _mm256_set1_pd(-0.0), amax = _mm256_set1_pd(AMAX);
    const __m256d c64 = _mm256_set1_pd(C64), sh = _mm256_set1_pd(SHIFT);
    const __m256d l1 = _mm256_set1_pd(L1), l2 = _mm256_set1_pd(L2);
    const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
    const __m256i jm = _mm256_set1_epi64x(TN - 1), lo = _mm256_set1_epi64x(0xffff);
    const __m256i bias = _mm256_set1_epi64x(1023);
    size_t i;
    for (i = 0; i + 4 <= n; i += 4)
    {
        __m256d xv = _mm256_loadu_pd(x + i), a = _mm256_min_pd(_mm256_andnot_pd(sgn, xv), amax);
        __m256d y = _mm256_add_pd(a, a), kd, nd, r, q, p, u, s, e, t, tl, th, T, D;
        __m256i ki, si;
        int64_t jj[4];
        kd = _mm256_add_pd(_mm256_mul_pd(y, c64), sh);
        nd = _mm256_sub_pd(kd, sh);
        r = _mm256_sub_pd(_mm256_sub_pd(y, _mm256_mul_pd(nd, l1)), _mm256_mul_pd(nd, l2));
        ki = _mm256_castpd_si256(kd);
        _mm256_storeu_si256((__m256i *) jj, _mm256_and_si256(ki, jm));
        si = _mm256_slli_epi64(
            _mm256_add_epi64(_mm256_srli_epi64(_mm256_and_si256(ki, lo), 6), bias), 52);
        s = _mm256_castsi256_pd(si);
        tl = _mm256_set_m128d(_mm_load_pd(tab + 2 * jj[2]), _mm_load_pd(tab + 2 * jj[0]));
        th = _mm256_set_m128d(_mm_load_pd(tab + 2 * jj[3]), _mm_load_pd(tab + 2 * jj[1]));
        T = _mm256_unpacklo_pd(tl, th);
        D = _mm256_unpackhi_pd(tl, th);
        q = _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(P7), r), _mm256_set1_pd(P6));
        q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(P5));
        q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(P4));
        q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(P3));
        q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(P2));
        p = _mm256_add_pd(r, _mm256_mul_pd(_mm256_mul_pd(r, r), q));
        u = _mm256_add_pd(D, _mm256_mul_pd(T, p));
        e = _mm256_add_pd(_mm256_sub_pd(s, one), _mm256_mul_pd(s, u));
        t = _mm256_div_pd(e, _mm256_add_pd(e, two));
        t = _mm256_or_pd(t, _mm256_and_pd(xv, sgn));
        t = _mm256_blendv_pd(t, xv, _mm256_cmp_pd(xv, xv, _CMP_UNORD_Q));
        _mm256_storeu_pd(out + i, t);
    }
    return i;
}
#else
#define FY_TANH_AVX2 0
#endif

void _fy_train_tanh_path(double *out, const double *x, size_t n, int vector)
{
    size_t i = 0;
    pthread_once(&tab_once, tab_fill);
#if FY_TANH_AVX2
    if (vector && __builtin_cpu_supports("avx2"))
        i = tanh_avx2(out, x, n);
#else
    (void) vector;
#endif
    for (; i < n; i++)
        out[i] = tanh_one(x[i]);
}

void fy_train_tanh(double *out, const double *x, size_t n)
{
    _fy_train_tanh_path(out, x, n, 1);
}
