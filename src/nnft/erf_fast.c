/* erf_fast.c - the error function of the Monte Carlo sampler, many values at a time
 * (fy_nnft_erf_batch, feynn/nnft.h).
 *
 * erf(x) = sign(x) r(|x|), |x| clamped to 6 (erfc(6) < 2^-54: erf rounds to 1 from about 5.87
 * on), from a table of 762 rows of 8 doubles (one 64-byte line a row) computed once in Arb:
 *   - |x| < 7.5/128 (row 0): r = a + a R(a^2), a = |x|, R(y) = (erf(sqrt y)/sqrt y) - 1 by its
 *     Taylor polynomial of degree 5 (the fdlibm form: the small part a R, |R| < 0.13, carries
 *     all the rounding error of the polynomial);
 *   - else x0 = k/128 with k = floor(128 a + 1/2) in 8..768 (row k - 7): r = hi + (lo + t Q(t)),
 *     t = a - x0 (exact, Sterbenz), |t| <= 1/256, hi + lo = erf(x0) to 106 bits, Q the Taylor
 *     polynomial of degree 5 of (erf(x0 + t) - erf(x0)) / t.
 * The polynomials are evaluated by Horner's rule with fused multiply-adds (q = fma(q, u, c),
 * one rounding a step), and lo + t Q as fma(t, Q, lo).
 * Error (erf13), in ulps of r (a rounding of v errs by at most |v| 2^-53 <= (|v| / r) ulp(r)):
 * truncation: the first dropped term, |erf^(7)(x0)| / 7! 2^-56 < 5.7e-18 r over all rows
 * (|H_6(x0)| e^(-x0^2), x0 >= 1/16), 0.05 ulp; in row 0 y^6 / (6! 13) < 1.8e-19 relative,
 * 0.002 ulp.  Row 0: |a R| < 0.116 r and a R carries 3 roundings (q0 stored, the last Horner
 * step, the product) and those of the earlier steps damped by y < 0.0035: at most 0.35 ulp.
 * Other rows: |t Q| < 1.13/256 against r > 0.066 (ratio < 0.067): the stored q0, the last
 * Horner step and the fma(t, Q, lo) at most 0.2 ulp.  With the final rounding (0.5 ulp) the
 * result is within 0.86 ulp of erf(x) for every double x; tests/test_nnft_mc.c checks < 1 ulp
 * against Arb at 200,000 points (worst 0.74).  (Before erf13: degree 9 on a 1/64 grid, rows of
 * 12 doubles, separate multiplies and adds; the 1/128 grid of degree 5 is 1.5 ns a value
 * against 2.5 on AVX-512: one 8 x 8 transpose a vector instead of an 8 x 8 and a 4 x 8, and 6
 * Horner steps instead of 10; its table, 49 KB, about fits a level-1 cache.)
 *
 * The AVX2 and AVX-512 paths (chosen at run time, fy_rng_isa, which takes them only where the
 * processor has FMA3) perform the same IEEE operations in the same order as the C path
 * (fma() of math.h, correctly rounded everywhere; no other contraction): the numbers do not
 * depend on the processor, the vector width or where a value sits in the array
 * (tests/test_nnft_mc.c test_isa_paths compares the paths bit for bit). */
#include <math.h>
#include <pthread.h>

#include "feynn/nnft.h"
#include "feynn/rng.h"
#include "num/arb_all.h"

#define ROWS 762  /* row 0: |x| < 7.5/128; rows 1..761: x0 = 8/128 .. 768/128 */
#define NC 8      /* hi, lo, q0 .. q5 */
#define KSMALL 8  /* k = floor(128 |x| + 1/2) below this: row 0 */

/* one 64-byte line a row: no load straddles two lines */
static double tab[ROWS * NC] __attribute__((aligned(64)));
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;

static double mid_d(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

/* The coefficients, from Arb's Taylor series of erf at 128 bits (radii far below 2^-100). */
static void tab_fill(void)
{
    arb_poly_t z, e;
    arb_t c, h;
    slong r, j, prec = 128;
    arb_poly_init(z);
    arb_poly_init(e);
    arb_init(c);
    arb_init(h);
    /* row 0: erf(x) = sum_j e_{2j+1} x^(2j+1), R(y) = (e_1 - 1) + sum_{j>=1} e_{2j+1} y^j */
    arb_poly_zero(z);
    arb_poly_set_coeff_si(z, 1, 1);
    arb_hypgeom_erf_series(e, z, 2 * (NC - 2), prec);
    tab[0] = tab[1] = 0.0;
    for (j = 0; j < NC - 2; j++)
    {
        arb_poly_get_coeff_arb(c, e, 2 * j + 1);
        if (j == 0)
            arb_sub_ui(c, c, 1, prec);
        tab[2 + j] = mid_d(c);
    }
    for (r = 1; r < ROWS; r++)
    {
        double *row = tab + r * NC;
        arb_set_si(c, r + KSMALL - 1);
        arb_mul_2exp_si(c, c, -7);
        arb_poly_zero(z);
        arb_poly_set_coeff_arb(z, 0, c);
        arb_poly_set_coeff_si(z, 1, 1);
        arb_hypgeom_erf_series(e, z, NC - 1, prec);
        arb_poly_get_coeff_arb(c, e, 0);
        row[0] = mid_d(c);
        arb_set_d(h, row[0]);
        arb_sub(c, c, h, prec);
        row[1] = mid_d(c);
        for (j = 0; j < NC - 2; j++)
        {
            arb_poly_get_coeff_arb(c, e, j + 1);
            row[2 + j] = mid_d(c);
        }
    }
    arb_poly_clear(z);
    arb_poly_clear(e);
    arb_clear(c);
    arb_clear(h);
}

static inline double erf_one(double x)
{
    double a = fabs(x), m, u, q, h;
    const double *c;
    int k, j;
    a = a < 6.0 ? a : 6.0; /* NaN -> 6: the NaN is given back at the end */
    k = (int) (a * 128.0 + 0.5);
    if (k < KSMALL)
    {
        c = tab;
        h = m = a;
        u = a * a;
    }
    else
    {
        c = tab + (k - KSMALL + 1) * NC;
        h = c[0];
        m = u = a - (double) k * 0.0078125;
    }
    q = c[NC - 1];
    for (j = NC - 2; j >= 2; j--)
        q = fma(q, u, c[j]);
    q = h + fma(m, q, c[1]);
    q = copysign(q, x);
    return x != x ? x : q;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FY_ERF_AVX2 1
#include <immintrin.h>

#include "util/transpose512.h"

__attribute__((target("avx2,fma"))) static inline void tr4(__m256d c[4], const double *r0,
                                                        const double *r1, const double *r2,
                                                        const double *r3)
{
    __m256d a = _mm256_loadu_pd(r0), b = _mm256_loadu_pd(r1), e = _mm256_loadu_pd(r2);
    __m256d f = _mm256_loadu_pd(r3);
    __m256d t0 = _mm256_unpacklo_pd(a, b), t1 = _mm256_unpackhi_pd(a, b);
    __m256d t2 = _mm256_unpacklo_pd(e, f), t3 = _mm256_unpackhi_pd(e, f);
    c[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    c[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    c[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    c[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* Four values at a time: the rows of the four lanes loaded and transposed (no gathers). */
__attribute__((target("avx2,fma"))) static slong erf_avx2(double *y, const double *x, slong n)
{
    const __m256d sgn = _mm256_set1_pd(-0.0), six = _mm256_set1_pd(6.0);
    const __m256d s128 = _mm256_set1_pd(128.0), half = _mm256_set1_pd(0.5);
    const __m256d step = _mm256_set1_pd(0.0078125);
    const __m128i ks = _mm_set1_epi32(KSMALL), kr = _mm_set1_epi32(KSMALL - 1);
    const __m128i nc = _mm_set1_epi32(NC);
    slong i;
    for (i = 0; i + 4 <= n; i += 4)
    {
        __m256d xv = _mm256_loadu_pd(x + i), a = _mm256_min_pd(_mm256_andnot_pd(sgn, xv), six);
        __m256d c[NC], t, small, u, m, h, q;
        __m128i k, sm, base;
        int b[4], j;
        k = _mm256_cvttpd_epi32(_mm256_add_pd(_mm256_mul_pd(a, s128), half));
        sm = _mm_cmplt_epi32(k, ks);
        base = _mm_mullo_epi32(_mm_andnot_si128(sm, _mm_sub_epi32(k, kr)), nc);
        _mm_storeu_si128((__m128i *) b, base);
        for (j = 0; j < NC; j += 4)
            tr4(c + j, tab + b[0] + j, tab + b[1] + j, tab + b[2] + j, tab + b[3] + j);
        small = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(sm));
        t = _mm256_sub_pd(a, _mm256_mul_pd(_mm256_cvtepi32_pd(k), step));
        u = _mm256_blendv_pd(t, _mm256_mul_pd(a, a), small);
        m = _mm256_blendv_pd(t, a, small);
        h = _mm256_blendv_pd(c[0], a, small);
        q = c[NC - 1];
        for (j = NC - 2; j >= 2; j--)
            q = _mm256_fmadd_pd(q, u, c[j]);
        q = _mm256_add_pd(h, _mm256_fmadd_pd(m, q, c[1]));
        q = _mm256_or_pd(q, _mm256_and_pd(xv, sgn));
        q = _mm256_blendv_pd(q, xv, _mm256_cmp_pd(xv, xv, _CMP_UNORD_Q));
        _mm256_storeu_pd(y + i, q);
    }
    return i;
}

/* mc13: eight values at a time with AVX-512 (F and DQ): the rows of the eight lanes loaded
 * and transposed (an 8 x 8 transpose; gathers are slower: 6.6 ns a value against 2.3 on the
 * development machine's Zen 5 with the former rows of 12), then the same operations as erf_one
 * and erf_avx2.  Tried and dropped (mc13): eight Horner chains side by side with the columns in
 * memory (3.0 ns: the stores and reloads of the columns cost more than the latency they hide). */
#define FY_T512 __attribute__((target("avx2,fma,avx512f,avx512dq")))

/* Always inlined, with the first stage unrolled (issue 13): otherwise GCC called erf16_512 for
 * every 16 values and passed the unpacked pairs through the stack, 1.5 ns a value against 1.06
 * so.  The transpose is util/transpose512.h's, shared with the generator's fills. */
#define FY_INLINE512 FY_T512 static inline __attribute__((always_inline))

/* c[0..8) = the columns of the rows tab + NC b[0..8). */
FY_INLINE512 void tr8(__m512d c[NC], const int b[8])
{
    __m512d r[8];
    int j;
#pragma GCC unroll 8
    for (j = 0; j < 8; j++)
        r[j] = _mm512_load_pd(tab + NC * b[j]);
    fy_transpose8_pd(c, r);
}

/* Two vectors of eight side by side (x[0..16) into y): the Horner chains are latency bound. */
FY_INLINE512 void erf16_512(double *y, const double *x)
{
    const __m512d six = _mm512_set1_pd(6.0), s128 = _mm512_set1_pd(128.0);
    const __m512d half = _mm512_set1_pd(0.5), step = _mm512_set1_pd(0.0078125);
    const __m512i sgn = _mm512_set1_epi64((long long) 0x8000000000000000u);
    const __m256i ks = _mm256_set1_epi32(KSMALL), kr = _mm256_set1_epi32(KSMALL - 1);
    __m512d c[2][NC], xv[2], u[2], m[2], h[2], q[2];
    int v, j;
#pragma GCC unroll 2
    for (v = 0; v < 2; v++)
    {
        __m512d a, t;
        __m256i k, sm;
        __mmask8 small;
        int b[8];
        xv[v] = _mm512_loadu_pd(x + 8 * v);
        a = _mm512_min_pd(_mm512_abs_pd(xv[v]), six);
        k = _mm512_cvttpd_epi32(_mm512_add_pd(_mm512_mul_pd(a, s128), half));
        sm = _mm256_cmpgt_epi32(ks, k);
        small = (__mmask8) _mm256_movemask_ps(_mm256_castsi256_ps(sm));
        _mm256_storeu_si256((__m256i *) b, _mm256_andnot_si256(sm, _mm256_sub_epi32(k, kr)));
        tr8(c[v], b);
        t = _mm512_sub_pd(a, _mm512_mul_pd(_mm512_cvtepi32_pd(k), step));
        u[v] = _mm512_mask_blend_pd(small, t, _mm512_mul_pd(a, a));
        m[v] = _mm512_mask_blend_pd(small, t, a);
        h[v] = _mm512_mask_blend_pd(small, c[v][0], a);
        q[v] = c[v][NC - 1];
    }
#pragma GCC unroll 8
    for (j = NC - 2; j >= 2; j--)
#pragma GCC unroll 2
        for (v = 0; v < 2; v++)
            q[v] = _mm512_fmadd_pd(q[v], u[v], c[v][j]);
#pragma GCC unroll 2
    for (v = 0; v < 2; v++)
    {
        __m512d r = _mm512_add_pd(h[v], _mm512_fmadd_pd(m[v], q[v], c[v][1]));
        r = _mm512_castsi512_pd(_mm512_or_si512(
            _mm512_castpd_si512(r), _mm512_and_si512(_mm512_castpd_si512(xv[v]), sgn)));
        _mm512_storeu_pd(y + 8 * v,
                         _mm512_mask_blend_pd(_mm512_cmp_pd_mask(xv[v], xv[v], _CMP_UNORD_Q), r,
                                              xv[v]));
    }
}

FY_T512 static slong erf_avx512(double *y, const double *x, slong n)
{
    double xt[16], yt[16];
    slong i, j;
    for (i = 0; i + 16 <= n; i += 16)
        erf16_512(y + i, x + i);
    if (i == n)
        return n;
    /* the last few values padded to 16 (each lane is computed on its own: the same numbers) */
    for (j = 0; j < 16; j++)
        xt[j] = i + j < n ? x[i + j] : 0.0;
    erf16_512(yt, xt);
    for (j = 0; i + j < n; j++)
        y[i + j] = yt[j];
    return n;
}
#else
#define FY_ERF_AVX2 0
#endif

void fy_nnft_erf_batch(double *y, const double *x, slong n)
{
    slong i = 0;
    pthread_once(&tab_once, tab_fill);
#if FY_ERF_AVX2
    const int level = fy_rng_isa();
    if (level >= FY_RNG_ISA_AVX512)
        i = erf_avx512(y, x, n);
    else if (level >= FY_RNG_ISA_AVX2)
        i = erf_avx2(y, x, n);
#endif
    for (; i < n; i++)
        y[i] = erf_one(x[i]);
}
