/* rng.c - Philox 4x32-10 through Random123's header, uniforms and normals (feynn/rng.h). */
#include <math.h>
#include <string.h>

#include <Random123/philox.h>

#include "feynn/rng.h"

void fy_rng_init(fy_rng_t r, uint64_t seed, uint32_t purpose)
{
    r->key[0] = (uint32_t) seed;
    r->key[1] = (uint32_t) (seed >> 32);
    r->purpose = purpose;
}

void fy_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t o = philox4x32_R(10, c, k);
    out[0] = o.v[0];
    out[1] = o.v[1];
    out[2] = o.v[2];
    out[3] = o.v[3];
}

void fy_rng_block(uint32_t out[4], const fy_rng_t r, uint64_t stream, uint32_t index)
{
    uint32_t ctr[4];
    ctr[0] = index;
    ctr[1] = (uint32_t) stream;
    ctr[2] = (uint32_t) (stream >> 32);
    ctr[3] = r->purpose;
    fy_philox4x32_10(out, ctr, r->key);
}

double fy_rng_u53(uint64_t u)
{
    /* (u + 1/2) 2^-53 is not a double for u >= 2^52 (it would round up to 1): the grid
     * u 2^-53 itself, with 0 moved to 2^-54. */
    u &= (UINT64_C(1) << 53) - 1;
    return u ? (double) u * 0x1p-53 : 0x1p-54;
}

static inline double word_pair(uint32_t hi, uint32_t lo)
{
    return fy_rng_u53((((uint64_t) hi << 32) | lo) >> 11);
}

double fy_rng_uniform(const fy_rng_t r, uint64_t stream, uint64_t k)
{
    uint32_t b[4];
    fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
    return (k & 1) ? word_pair(b[3], b[2]) : word_pair(b[1], b[0]);
}

/* The standard normal quantile, Wichura's algorithm AS 241 (PPND16, Applied Statistics 37
 * (1988) 477-484): rational approximations accurate to about 1e-16, no transcendental
 * function in the central region |u - 1/2| <= 0.425 (85% of the draws). */
/* The coefficients of AS 241: central region, tails r <= 5, far tails. */
static const double central_a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                                    1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                    4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                    3.3430575583588128105e+4, 2.5090809287301226727e+3};
static const double central_b[8] = {1.0,                      4.2313330701600911252e+1,
                                    6.8718700749205790830e+2, 5.3941960214247511077e+3,
                                    2.1213794301586595867e+4, 3.9307895800092710610e+4,
                                    2.8729085735721942674e+4, 5.2264952788528545610e+3};
static const double tail_c[8] = {1.42343711074968357734e0, 4.63033784615654529590e0,
                                 5.76949722146069140550e0, 3.64784832476320460504e0,
                                 1.27045825245236838258e0, 2.41780725177450611770e-1,
                                 2.27238449892691845833e-2, 7.74545014278341407640e-4};
static const double tail_d[8] = {1.0,                      2.05319162663775882187e0,
                                 1.67638483018380384940e0, 6.89767334985100004550e-1,
                                 1.48103976427480074590e-1, 1.51986665636164571966e-2,
                                 5.47593808499534494600e-4, 1.05075007164441684324e-9};
static const double far_e[8] = {6.65790464350110377720e0, 5.46378491116411436990e0,
                                1.78482653991729133580e0, 2.96560571828504891230e-1,
                                2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
static const double far_f[8] = {1.0,                      5.99832206555887937690e-1,
                                1.36929880922735805310e-1, 1.48753612908506148525e-2,
                                7.86869131145613259100e-4, 1.84631831751005468180e-5,
                                1.42151175831644588870e-7, 2.04426310338993978564e-15};
/* ------------------------------------------------------------------ the tails' logarithm
 * log14: AS 241 takes the log of x = min(u, 1 - u) in its tails, x < 0.075 (the draws give x
 * in [2^-54, 0.075] on the grid k 2^-53).  feynn's own, from the series of atanh (written
 * here from the mathematics): x = 2^k m with m in (1/sqrt 2, sqrt 2) read off the bits (k the
 * exponent, m the significand with exponent 0, or -1 when its fraction bits reach those of
 * the double above sqrt 2, which then adds 1 to k; integer operations, exact); f = m - 1
 * (exact, Sterbenz), s = f / (2 + f), z = s^2 and
 *   log m = 2 atanh(s) = 2 s + s z P(z),  P(z) = sum_{j = 1..10} (2 / (2j + 1)) z^(j - 1),
 * |s| < s* = 3 - 2 sqrt 2 = 0.17157, z < 0.029438;
 *   log x = k LN2_HI + (k LN2_LO + log m),
 * LN2_HI ln 2 cut to 41 bits (k LN2_HI exact for |k| < 2^12), LN2_LO = ln 2 - LN2_HI rounded
 * (|LN2_HI + LN2_LO - ln 2| < 2^-101).  The coefficients log_p[i] are 2.0 / (2i + 3), IEEE
 * divisions of the compiler (correctly rounded); P = E + z O with E and O the polynomials of
 * the even and the odd coefficients in z^2, each by Horner's rule (two short chains side by
 * side rather than one long one), in separate multiplies and adds.
 * Error, u = 2^-53, for normal x < 1/8 (so k <= -3 and |log x| > log 8 > 2: ulp(log x) >=
 * 4u), absolute:
 *   - truncation: the first dropped term over log m, z^11 / 23 / (1 - z) < 2^-60.4, of
 *     |log m| < 0.35: < 0.002u (nine terms would leave 0.074u, eight 2.8u);
 *   - s: 2 + f and the quotient rounded, s(1 + d) with |d| <= 2u / (1 - u), so 2s (doubling
 *     is exact) errs by at most 2 s* 2.0000001u < 0.687u;
 *   - s z P: at most |s|^3 P(s*^2) < 0.0034279 (P < 0.67870); its relative error at most
 *     6u from s^3 (3d), u from z, u each from the two products, and P's: 2/3 stored, E's
 *     last add and E + z O each half an ulp of P (in [2/3, 0.68]: 2^-54 each), the rest
 *     (z O < 0.0118 with O's roundings, z's 5u and the product's; E - 2/3 < 0.00025) under
 *     0.09u: under 1.59u / (2/3) < 2.4u relative; in all (second order included) under 12u
 *     relative, < 0.042u;
 *   - the sum 2s + s z P, |.| < 0.35: half an ulp, <= 2^-55 = 0.25u;
 *   - k LN2_LO (|.| < 2^-30 for |k| <= 1022): its rounding and LN2_LO's error < 2^-80;
 *   - (k LN2_LO + log m), |.| < 0.35 + 2^-30: half an ulp, <= 0.25u.
 * The exact sum k LN2_HI + t is then within 1.231u < 0.31 ulp(log x) of log x, and its
 * rounding adds at most half an ulp of log x (should a power of two lie between the two, the
 * sum rounds to it if it is on the far side, or errs by a quarter of an ulp of log x if on the
 * near side): within 0.81 ulp of log x for every normal x < 1/8.  tests/test_rng.c checks
 * < 1 ulp against Arb's log at 363,615 points (log-uniform over [2^-1022, 0.075), the draws'
 * grid near the ends, around the powers of two and the split at sqrt 2): worst 0.70 ulp.
 * DEFINE_LOG_OWN writes the function once for a type D, double or a GCC vector of doubles (U
 * the unsigned 64-bit integers of the same shape, AS_D and AS_U the bit reinterpretations): the
 * scalar path (log_tail, so ppnd16, fy_rng_normal and fy_rng_normal_quantile) and the AVX2 and
 * AVX-512 fills (log_own4, log_own8 below) perform the same IEEE operations in the same order,
 * with no contraction (-ffp-contract=off; the AVX2 target has no FMA): the same doubles. */
static const double log_p[10] = {2.0 / 3,  2.0 / 5,  2.0 / 7,  2.0 / 9,  2.0 / 11,
                                 2.0 / 13, 2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21};
#define LOG_LN2_HI 0x1.62e42fefa3p-1        /* ln 2 = 0x1.62e42fefa39ef357...p-1 cut */
#define LOG_LN2_LO 0x1.3de6af278ece6p-42    /* ln 2 - LOG_LN2_HI, rounded */
#define LOG_SPLIT UINT64_C(0x6a09e667f3bcd) /* the fraction of 0x1.6a09e667f3bcdp0 > sqrt 2 */

#define DEFINE_LOG_OWN(name, attr, D, U, AS_D, AS_U)                                            \
    attr static inline D name(D x)                                                              \
    {                                                                                           \
        const U b = AS_U(x), fr = b & UINT64_C(0xfffffffffffff);                               \
        /* 1 where the fraction reaches LOG_SPLIT's (m is then the significand / 2), else 0 */ \
        const U big = (fr + (UINT64_C(1) << 52) - LOG_SPLIT) >> 52;                             \
        const D m = AS_D(fr | (UINT64_C(0x3ff0000000000000) - (big << 52)));                   \
        /* k + 2^52 + 1023 from its bits, minus 2^52 + 1023: exact */                          \
        const D k = AS_D(((b >> 52) + big) | UINT64_C(0x4330000000000000)) - (0x1p52 + 1023.0); \
        const D f = m - 1.0, s = f / (f + 2.0), z = s * s, z2 = z * z;                          \
        /* P = E(z^2) + z O(z^2), the even and odd coefficients side by side */                \
        D e = z2 * log_p[8] + log_p[6], o = z2 * log_p[9] + log_p[7];                           \
        int j;                                                                                  \
        for (j = 4; j >= 0; j -= 2)                                                             \
        {                                                                                       \
            e = e * z2 + log_p[j];                                                              \
            o = o * z2 + log_p[j + 1];                                                          \
        }                                                                                       \
        return k * LOG_LN2_HI + (k * LOG_LN2_LO + (2.0 * s + s * z * (e + z * o)));             \
    }

static inline double as_double(uint64_t v)
{
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static inline uint64_t as_u64(double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    return v;
}

DEFINE_LOG_OWN(log_own, , double, uint64_t, as_double, as_u64)

/* The logarithm of ppnd16's tails: log_own on its domain (every draw), libm's log elsewhere
 * (x subnormal, 0, negative, NaN, infinite, x >= 1/8: only fy_rng_normal_quantile of a user's
 * u gets there). */
static double log_tail(double x)
{
    return x >= 0x1p-1022 && x < 0.125 ? log_own(x) : log(x);
}

double fy_rng_tail_log(double x)
{
    return log_tail(x);
}

static double ppnd16(double u)
{
    const double *p, *q;
    double x = u - 0.5, r, num, den;
    int k;
    if (fabs(x) <= 0.425)
    {
        r = 0.180625 - x * x;
        p = central_a;
        q = central_b;
    }
    else
    {
        r = sqrt(-log_tail(x < 0 ? u : 1.0 - u));
        if (r <= 5.0)
        {
            r -= 1.6;
            p = tail_c;
            q = tail_d;
        }
        else
        {
            r -= 5.0;
            p = far_e;
            q = far_f;
        }
    }
    num = p[7];
    den = q[7];
    for (k = 6; k >= 0; k--)
    {
        num = num * r + p[k];
        den = den * r + q[k];
    }
    r = num / den;
    if (p == central_a)
        return x * r;
    return x < 0 ? -r : r;
}

double fy_rng_normal_quantile(double u)
{
    return ppnd16(u);
}

static inline void normal_pair(double z[2], const uint32_t b[4])
{
    z[0] = ppnd16(word_pair(b[1], b[0]));
    z[1] = ppnd16(word_pair(b[3], b[2]));
}

double fy_rng_normal(const fy_rng_t r, uint64_t stream, uint64_t k)
{
    uint32_t b[4];
    double z[2];
    fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
    normal_pair(z, b);
    return z[k & 1];
}

/* ------------------------------------------------------------------ batched fills
 * The fill routines compute LANES Philox blocks side by side (each lane its own counter: a
 * run of blocks of one stream, or the same block of consecutive streams) in
 * structure-of-arrays form, with AVX2 intrinsics where the processor has them, else in plain C
 * that the compiler vectorises; then the 53-bit uniforms of all lanes by an exact conversion;
 * then the central branch of AS 241 for every value (the same operations in the same order as
 * ppnd16, so the same doubles), and the tails (with AVX2 normal_lanes_avx2 and tails_avx2, or
 * ppnd16 itself in plain C) of up to NL values at once, so that the tails' long chains
 * overlap (AVX2: 9.2 ns a normal in log14, 5.2 with blocks_avx2 and normal_lanes_avx2, issue
 * 13).  The numbers are exactly those of fy_rng_uniform and fy_rng_normal (tests/test_nnft_mc.c compares them):
 * integer arithmetic, exact conversions, and no multiply-add contraction (AVX2 has no FMA);
 * the tails' logarithm is log_own on every path (log14: written once, DEFINE_LOG_OWN).
 * Where the processor has AVX-512 (F, DQ) the fills take batch_512 below instead (mc13: 8
 * blocks per vector, the three passes over up to 512 values); fy_rng_set_isa picks a path. */
#define LANES 8
#define NG 16               /* groups of LANES blocks per pass of normal_lanes in fill */
#define NL (2 * LANES * NG) /* values per pass, at most */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FY_RNG_AVX2 1
#include <immintrin.h>
/* log_own on four and eight lanes (GCC vectors: the same operators as on a double). */
typedef double v4df __attribute__((vector_size(32)));
typedef uint64_t v4du __attribute__((vector_size(32)));
typedef double v8df __attribute__((vector_size(64)));
typedef uint64_t v8du __attribute__((vector_size(64)));
#define AS_V4DF(v) ((v4df) (v))
#define AS_V4DU(v) ((v4du) (v))
#define AS_V8DF(v) ((v8df) (v))
#define AS_V8DU(v) ((v8du) (v))
DEFINE_LOG_OWN(log_own4, __attribute__((target("avx2"))), v4df, v4du, AS_V4DF, AS_V4DU)

/* The central branch of AS 241 at four vectors of uniforms w[0 .. 4) (D: __m256d or __m512d,
 * GCC vectors): x = w - 1/2 into x, the normals into c; ppnd16's operations in its order, four
 * independent chains side by side.  Written once for the AVX2 and AVX-512 fills. */
#define DEFINE_CENTRAL4(name, attr, D)                                                          \
    attr static inline void name(D c[4], D x[4], const D w[4])                                  \
    {                                                                                           \
        const D zero = {0};                                                                     \
        D r[4], num[4], den[4];                                                                 \
        int k, i;                                                                               \
        _Pragma("GCC unroll 4") for (i = 0; i < 4; i++)                                         \
        {                                                                                       \
            x[i] = w[i] - 0.5;                                                                  \
            r[i] = 0.180625 - x[i] * x[i];                                                      \
            num[i] = zero + central_a[7];                                                       \
            den[i] = zero + central_b[7];                                                       \
        }                                                                                       \
        _Pragma("GCC unroll 7") for (k = 6; k >= 0; k--)                                        \
            _Pragma("GCC unroll 4") for (i = 0; i < 4; i++)                                     \
        {                                                                                       \
            num[i] = num[i] * r[i] + central_a[k];                                              \
            den[i] = den[i] * r[i] + central_b[k];                                              \
        }                                                                                       \
        _Pragma("GCC unroll 4") for (i = 0; i < 4; i++) c[i] = x[i] * (num[i] / den[i]);        \
    }
DEFINE_CENTRAL4(central4_avx2, __attribute__((target("avx2"))), __m256d)
#else
#define FY_RNG_AVX2 0
#endif

/* The instruction set of the fills (fy_rng_set_isa): -1 until first asked. */
static int isa_level = -1;
static int have_avx512(void);

static int isa_best(void)
{
#if FY_RNG_AVX2
    /* erf13: the sampler's erf (src/nnft/erf_fast.c) evaluates its polynomials with FMA3 on
     * both vector paths, so neither is chosen without it */
    if (!__builtin_cpu_supports("fma"))
        return FY_RNG_ISA_C;
    if (have_avx512())
        return FY_RNG_ISA_AVX512;
    if (__builtin_cpu_supports("avx2"))
        return FY_RNG_ISA_AVX2;
#endif
    return FY_RNG_ISA_C;
}

static int isa(void)
{
    int l = __atomic_load_n(&isa_level, __ATOMIC_RELAXED);
    if (l < 0)
    {
        l = isa_best();
        __atomic_store_n(&isa_level, l, __ATOMIC_RELAXED);
    }
    return l;
}

int fy_rng_isa(void)
{
    return isa();
}

int fy_rng_set_isa(int level)
{
    int best = isa_best();
    level = level < 0 || level > best ? best : level;
    __atomic_store_n(&isa_level, level, __ATOMIC_RELAXED);
    return level;
}

/* The counters of the lanes: {index[j], stream[j] lo, stream[j] hi, purpose}. */
typedef struct
{
    uint64_t stream[LANES];
    uint32_t index[LANES];
} lanes_t;

/* ((hi << 32 | lo) >> 11) 2^-53 = (hi 2^21 + (lo >> 11)) 2^-53, exact in a double; each part
 * (below 2^32) converted as the bits of 2^52 + v minus 2^52. */
static inline double u53_words(uint64_t hi, uint64_t lo)
{
    double h = (as_double(hi | 0x4330000000000000u) - 0x1p52) * 0x1p21;
    return (h + (as_double((lo >> 11) | 0x4330000000000000u) - 0x1p52)) * 0x1p-53;
}

/* a[j] from words 0-1 and b[j] from words 2-3 of lane j, before the 0 -> 2^-54 rule. */
static void uniform_split(double a[LANES], double b[LANES], const fy_rng_t r, const lanes_t *L)
{
    /* 32-bit words held in 64-bit lanes: the products need no packing */
    uint64_t c0[LANES], c1[LANES], c2[LANES], c3[LANES];
    uint64_t k0 = r->key[0], k1 = r->key[1];
    const uint64_t m32 = 0xffffffffu;
    int j, round;
    for (j = 0; j < LANES; j++)
    {
        c0[j] = L->index[j];
        c1[j] = (uint32_t) L->stream[j];
        c2[j] = (uint32_t) (L->stream[j] >> 32);
        c3[j] = r->purpose;
    }
    for (round = 0; round < 10; round++)
    {
        for (j = 0; j < LANES; j++)
        {
            uint64_t p0 = 0xD2511F53u * (c0[j] & m32), p1 = 0xCD9E8D57u * (c2[j] & m32);
            c0[j] = (p1 >> 32) ^ c1[j] ^ k0;
            c1[j] = p1 & m32;
            c2[j] = (p0 >> 32) ^ c3[j] ^ k1;
            c3[j] = p0 & m32;
        }
        k0 = (k0 + 0x9E3779B9u) & m32;
        k1 = (k1 + 0xBB67AE85u) & m32;
    }
    for (j = 0; j < LANES; j++)
    {
        a[j] = u53_words(c1[j], c0[j]);
        b[j] = u53_words(c3[j], c2[j]);
    }
}

#if FY_RNG_AVX2
/* The same numbers with AVX2 intrinsics: _mm256_mul_epu32 is Philox's 32 x 32 -> 64 multiply
 * on four lanes at once. */
__attribute__((target("avx2"))) static void uniform_split_avx2(double a[LANES],
                                                               double b[LANES],
                                                               const fy_rng_t r,
                                                               const lanes_t *L)
{
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
    const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000);
    const __m256d two52 = _mm256_set1_pd(0x1p52), s21 = _mm256_set1_pd(0x1p21);
    const __m256d s53 = _mm256_set1_pd(0x1p-53);
    int h, round;
    for (h = 0; h < LANES; h += 4)
    {
        const uint64_t *st = L->stream + h;
        const uint32_t *ix = L->index + h;
        __m256i c0 = _mm256_set_epi64x(ix[3], ix[2], ix[1], ix[0]);
        __m256i c1 = _mm256_set_epi64x((uint32_t) st[3], (uint32_t) st[2], (uint32_t) st[1],
                                       (uint32_t) st[0]);
        __m256i c2 = _mm256_set_epi64x(st[3] >> 32, st[2] >> 32, st[1] >> 32, st[0] >> 32);
        __m256i c3 = _mm256_set1_epi64x(r->purpose);
        uint32_t k0 = r->key[0], k1 = r->key[1];
        __m256d x, y;
        for (round = 0; round < 10; round++)
        {
            __m256i p0 = _mm256_mul_epu32(c0, m0), p1 = _mm256_mul_epu32(c2, m1);
            __m256i kk0 = _mm256_set1_epi64x(k0), kk1 = _mm256_set1_epi64x(k1);
            c0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), c1), kk0);
            c1 = _mm256_and_si256(p1, lo32);
            c2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), c3), kk1);
            c3 = _mm256_and_si256(p0, lo32);
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        x = _mm256_mul_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(c1, magic)), two52),
                          s21);
        y = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(c0, 11), magic)),
                          two52);
        _mm256_storeu_pd(a + h, _mm256_mul_pd(_mm256_add_pd(x, y), s53));
        x = _mm256_mul_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(c3, magic)), two52),
                          s21);
        y = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64(c2, 11), magic)),
                          two52);
        _mm256_storeu_pd(b + h, _mm256_mul_pd(_mm256_add_pd(x, y), s53));
    }
}
#endif

#if FY_RNG_AVX2
/* The uniforms of the blocks index0 .. index0 + 8 ng - 1 of one stream into v (v[2 j] words 0-1,
 * v[2 j + 1] words 2-3 of block j, the 0 -> 2^-54 rule applied): uniform_split_avx2's numbers,
 * for the long runs of fill, with two chains of four blocks side by side, the round keys
 * computed once and the high halves that the rounds leave in c1, c3 (they never reach a
 * multiply) cut only at the end, as batch_512 does. */
__attribute__((target("avx2"))) static void blocks_avx2(double *v, int ng, const fy_rng_t r,
                                                        uint64_t stream, uint32_t index0)
{
    const __m256i m0 = _mm256_set1_epi64x(0xD2511F53), m1 = _mm256_set1_epi64x(0xCD9E8D57);
    const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
    const __m256i magic = _mm256_set1_epi64x(0x4330000000000000);
    const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
    const __m256d two52 = _mm256_set1_pd(0x1p52), s21 = _mm256_set1_pd(0x1p21);
    const __m256d s53 = _mm256_set1_pd(0x1p-53), tiny = _mm256_set1_pd(0x1p-54);
    const __m256i c1s = _mm256_set1_epi64x((uint32_t) stream);
    const __m256i c2s = _mm256_set1_epi64x((long long) (stream >> 32));
    const __m256i c3s = _mm256_set1_epi64x(r->purpose);
    uint64_t ks[20];
    int g, i, e, round;
    for (i = 0; i < 10; i++)
    {
        ks[2 * i] = (uint32_t) (r->key[0] + (uint32_t) i * 0x9E3779B9u);
        ks[2 * i + 1] = (uint32_t) (r->key[1] + (uint32_t) i * 0xBB67AE85u);
    }
    for (g = 0; g < ng; g++)
    {
        __m256i x0[2], x1[2], x2[2], x3[2];
#pragma GCC unroll 2
        for (e = 0; e < 2; e++)
        {
            x0[e] = _mm256_and_si256(
                _mm256_add_epi64(_mm256_set1_epi64x(index0 + 8 * (uint32_t) g + 4 * (uint32_t) e),
                                 lane),
                lo32);
            x1[e] = c1s;
            x2[e] = c2s;
            x3[e] = c3s;
        }
#pragma GCC unroll 10
        for (round = 0; round < 10; round++)
        {
            const __m256i k0 = _mm256_set1_epi64x((long long) ks[2 * round]);
            const __m256i k1 = _mm256_set1_epi64x((long long) ks[2 * round + 1]);
#pragma GCC unroll 2
            for (e = 0; e < 2; e++)
            {
                __m256i p0 = _mm256_mul_epu32(x0[e], m0), p1 = _mm256_mul_epu32(x2[e], m1);
                x0[e] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1[e]), k0);
                x1[e] = p1;
                x2[e] = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3[e]), k1);
                x3[e] = p0;
            }
        }
#pragma GCC unroll 2
        for (e = 0; e < 2; e++)
        {
            __m256d a, b, x, y, lo, hi;
            x = _mm256_mul_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(
                                                _mm256_and_si256(x1[e], lo32), magic)),
                                            two52),
                              s21);
            y = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(
                                  _mm256_srli_epi64(_mm256_and_si256(x0[e], lo32), 11), magic)),
                              two52);
            a = _mm256_mul_pd(_mm256_add_pd(x, y), s53);
            x = _mm256_mul_pd(_mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(
                                                _mm256_and_si256(x3[e], lo32), magic)),
                                            two52),
                              s21);
            y = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(
                                  _mm256_srli_epi64(_mm256_and_si256(x2[e], lo32), 11), magic)),
                              two52);
            b = _mm256_mul_pd(_mm256_add_pd(x, y), s53);
            a = _mm256_blendv_pd(a, tiny, _mm256_cmp_pd(a, _mm256_setzero_pd(), _CMP_EQ_OQ));
            b = _mm256_blendv_pd(b, tiny, _mm256_cmp_pd(b, _mm256_setzero_pd(), _CMP_EQ_OQ));
            /* (a0 b0 a1 b1) (a2 b2 a3 b3): block by block */
            lo = _mm256_unpacklo_pd(a, b);
            hi = _mm256_unpackhi_pd(a, b);
            _mm256_storeu_pd(v + 16 * g + 8 * e, _mm256_permute2f128_pd(lo, hi, 0x20));
            _mm256_storeu_pd(v + 16 * g + 8 * e + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
        }
    }
}
#endif

static void uniform_ab(double a[LANES], double b[LANES], const fy_rng_t r, const lanes_t *L)
{
    int j;
#if FY_RNG_AVX2
    if (isa() >= FY_RNG_ISA_AVX2)
        uniform_split_avx2(a, b, r, L);
    else
#endif
        uniform_split(a, b, r, L);
    for (j = 0; j < LANES; j++)
    {
        a[j] = a[j] == 0.0 ? 0x1p-54 : a[j];
        b[j] = b[j] == 0.0 ? 0x1p-54 : b[j];
    }
}

/* c[j] = the central branch at w[j], for 2 LANES values: ppnd16's operations in its order. */
static void central(double c[2 * LANES], const double w[2 * LANES])
{
    const double *a = central_a, *b = central_b;
    int j, k;
    for (j = 0; j < 2 * LANES; j++)
    {
        double x = w[j] - 0.5, r = 0.180625 - x * x, num = a[7], den = b[7];
        for (k = 6; k >= 0; k--)
        {
            num = num * r + a[k];
            den = den * r + b[k];
        }
        c[j] = x * (num / den);
    }
}


/* The tails of ppnd16 at the uniforms u[0..nt) (|u - 1/2| > 0.425) into z[t[j]]: the
 * logarithms (log_own4), the square roots and the rational function of the region r <= 5
 * four at a time with AVX2 (ppnd16's operations in its order: the same doubles); the rare
 * far tails (r > 5, u < 1.4e-11) by ppnd16 itself. */
#if FY_RNG_AVX2
__attribute__((target("avx2"))) static void tails_avx2(double *out, const double *u, int nt)
{
    const __m256d sgn = _mm256_set1_pd(-0.0), c16 = _mm256_set1_pd(1.6);
    double x[NL + 3], v[NL + 3], rr[NL + 3];
    int j, k;
    for (j = 0; j < nt; j++)
        x[j] = u[j] - 0.5 < 0 ? u[j] : 1.0 - u[j];
    for (; j % 4; j++)
        x[j] = 0.0625; /* padding, in log_own's domain */
    /* two passes of independent iterations (the processor overlaps their long chains) */
    for (j = 0; j < nt; j += 4)
    {
        __m256d r = (__m256d) log_own4(AS_V4DF(_mm256_loadu_pd(x + j)));
        _mm256_storeu_pd(rr + j, _mm256_sqrt_pd(_mm256_xor_pd(r, sgn)));
    }
    for (j = 0; j < nt; j += 4)
    {
        __m256d r = _mm256_sub_pd(_mm256_loadu_pd(rr + j), c16), num, den;
        num = _mm256_set1_pd(tail_c[7]);
        den = _mm256_set1_pd(tail_d[7]);
        for (k = 6; k >= 0; k--)
        {
            num = _mm256_add_pd(_mm256_mul_pd(num, r), _mm256_set1_pd(tail_c[k]));
            den = _mm256_add_pd(_mm256_mul_pd(den, r), _mm256_set1_pd(tail_d[k]));
        }
        _mm256_storeu_pd(v + j, _mm256_div_pd(num, den));
    }
    for (j = 0; j < nt; j++)
        out[j] = rr[j] > 5.0 ? ppnd16(u[j]) : u[j] - 0.5 < 0 ? -v[j] : v[j];
}

/* The lanes of a 4-bit mask m as permutations of _mm256_permutevar8x32_ps (a double is two
 * 32-bit lanes): pack_lut[m] moves the doubles of the lanes set in m to the front, in order;
 * spread_lut[m] moves the first popcount(m) doubles to the lanes set in m, in order. */
static const int32_t pack_lut[16][8] = {
    {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {2, 3, 0, 1, 0, 1, 0, 1},
    {0, 1, 2, 3, 0, 1, 0, 1}, {4, 5, 0, 1, 0, 1, 0, 1}, {0, 1, 4, 5, 0, 1, 0, 1},
    {2, 3, 4, 5, 0, 1, 0, 1}, {0, 1, 2, 3, 4, 5, 0, 1}, {6, 7, 0, 1, 0, 1, 0, 1},
    {0, 1, 6, 7, 0, 1, 0, 1}, {2, 3, 6, 7, 0, 1, 0, 1}, {0, 1, 2, 3, 6, 7, 0, 1},
    {4, 5, 6, 7, 0, 1, 0, 1}, {0, 1, 4, 5, 6, 7, 0, 1}, {2, 3, 4, 5, 6, 7, 0, 1},
    {0, 1, 2, 3, 4, 5, 6, 7}};
static const int32_t spread_lut[16][8] = {
    {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1},
    {0, 1, 2, 3, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 2, 3, 0, 1},
    {0, 1, 0, 1, 2, 3, 0, 1}, {0, 1, 2, 3, 4, 5, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1},
    {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 2, 3, 0, 1, 4, 5},
    {0, 1, 0, 1, 0, 1, 2, 3}, {0, 1, 0, 1, 2, 3, 4, 5}, {0, 1, 0, 1, 2, 3, 4, 5},
    {0, 1, 2, 3, 4, 5, 6, 7}};

/* normal_lanes with AVX2 (n <= NL values in place): the central branch four vectors at a time
 * (central's operations in its order), the tails' uniforms packed aside without branches (pack_lut),
 * their normals computed together (tails_avx2) and spread back into their places (spread_lut):
 * the same doubles as ppnd16. */
__attribute__((target("avx2"))) static void normal_lanes_avx2(double *z, int n)
{
    const __m256d half = _mm256_set1_pd(0.5), lim = _mm256_set1_pd(0.425);
    const __m256d abs = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
    const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
    const int nv = (n + 3) / 4;
    double u[NL + 4];
    unsigned char tm[NL / 4];
    int g, i, nt = 0;
    for (g = 0; g < nv; g += 4)
    {
        __m256d w[4], x[4], c[4];
        __m256i live[4];
#pragma GCC unroll 4
        for (i = 0; i < 4; i++)
        {
            /* the lanes of z[0 .. n) (the others hold 1/2 and are neither stored nor tails) */
            live[i] = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n - 4 * (g + i)), lane);
            w[i] = _mm256_blendv_pd(half, _mm256_maskload_pd(z + 4 * (g + i), live[i]),
                                    _mm256_castsi256_pd(live[i]));
        }
        central4_avx2(c, x, w);
        for (i = 0; i < 4 && g + i < nv; i++)
        {
            const int m = _mm256_movemask_pd(_mm256_cmp_pd(_mm256_and_pd(x[i], abs), lim,
                                                           _CMP_GT_OQ));
            _mm256_maskstore_pd(z + 4 * (g + i), live[i], c[i]);
            _mm256_storeu_pd(u + nt, _mm256_castps_pd(_mm256_permutevar8x32_ps(
                                         _mm256_castpd_ps(w[i]),
                                         _mm256_loadu_si256((const __m256i *) pack_lut[m]))));
            tm[g + i] = (unsigned char) m;
            nt += __builtin_popcount((unsigned) m);
        }
    }
    if (nt == 0)
        return;
    tails_avx2(u, u, nt);
    for (g = 0, nt = 0; g < nv; g++)
    {
        const int m = tm[g];
        const __m256i live = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n - 4 * g), lane);
        const __m256d q = _mm256_castps_pd(_mm256_permutevar8x32_ps(
            _mm256_castpd_ps(_mm256_loadu_pd(u + nt)),
            _mm256_loadu_si256((const __m256i *) spread_lut[m])));
        const __m256i set = _mm256_cmpeq_epi64(
            _mm256_and_si256(_mm256_set1_epi64x(m), _mm256_set_epi64x(8, 4, 2, 1)),
            _mm256_set_epi64x(8, 4, 2, 1));
        _mm256_maskstore_pd(z + 4 * g, live,
                            _mm256_blendv_pd(_mm256_maskload_pd(z + 4 * g, live), q,
                                             _mm256_castsi256_pd(set)));
        nt += __builtin_popcount((unsigned) m);
    }
}
#endif

/* ppnd16 of n <= NL uniforms in place (normal_lanes_avx2 where the processor has AVX2): the
 * central branch for all, 2 LANES at a time, then the tails of all. */
static void normal_lanes(double *z, int n)
{
    double c[2 * LANES], w[2 * LANES], u[NL];
    int h, j, t[NL], nt = 0;
#if FY_RNG_AVX2
    if (isa() >= FY_RNG_ISA_AVX2)
    {
        normal_lanes_avx2(z, n);
        return;
    }
#endif
    for (h = 0; h < n; h += 2 * LANES)
    {
        const int m = n - h < 2 * LANES ? n - h : 2 * LANES;
        for (j = 0; j < 2 * LANES; j++)
            w[j] = j < m ? z[h + j] : 0.5;
        central(c, w);
        /* without branches (a tail is one draw in seven, at random): every value takes the
         * central branch, the tails' places and uniforms are collected and overwritten below */
        for (j = 0; j < m; j++)
        {
            z[h + j] = c[j];
            t[nt] = h + j;
            u[nt] = w[j];
            nt += fabs(w[j] - 0.5) > 0.425;
        }
    }
    if (nt == 0)
        return;
    for (j = 0; j < nt; j++)
        z[t[j]] = ppnd16(u[j]);
}

/* ------------------------------------------------------------------ AVX-512 fills (mc13)
 * The same numbers again, 8 Philox blocks per 512-bit vector (each 32-bit word in a 64-bit
 * lane: _mm512_mul_epu32 is the 32 x 32 -> 64 multiply; the high halves the rounds leave in
 * c1, c3 never reach a multiply and are cut at the end), the 53-bit integers converted
 * exactly by _mm512_cvtepu64_pd, then in three passes over up to CHUNK values: the central
 * branch of AS 241 for every value (ppnd16's operations in its order) with the tails' uniforms
 * packed aside; the tails eight at a time, log (log_own8) and square root in one pass, the
 * rational function in another (the far tails, r > 5, by ppnd16 itself); the tails' normals
 * expanded back into their places, with no branch on where the tails fall. */
#define GROUPS 32                /* groups of 16 values (8 blocks) per pass, at most */
#define CHUNK (16 * GROUPS)

#if FY_RNG_AVX2
#define FY_T512 __attribute__((target("avx512f,avx512dq")))
#include "util/transpose512.h"

/* Words 0-1 (hi c1, lo c0) or 2-3 of 8 blocks as 53-bit uniforms (the 0 -> 2^-54 rule). */
FY_T512 static inline __m512d u53_512(__m512i hi, __m512i lo)
{
    const __m512i x = _mm512_srli_epi64(
        _mm512_or_si512(_mm512_slli_epi64(hi, 32), _mm512_and_si512(lo, _mm512_set1_epi64(
                                                                           0xffffffff))),
        11);
    return _mm512_mask_blend_pd(_mm512_cmpeq_epi64_mask(x, _mm512_setzero_si512()),
                                _mm512_mul_pd(_mm512_cvtepu64_pd(x), _mm512_set1_pd(0x1p-53)),
                                _mm512_set1_pd(0x1p-54));
}

/* The uniforms of two groups of 8 blocks, counters {c0[e], c1, c2, purpose} (e = 0, 1), side
 * by side (issue 13: two independent chains of rounds, and the round keys ks[2 round + w]
 * read from memory rather than broadcast from a register each round: 0.77 ns a uniform
 * against 0.96): words 0-1 of group e into a[e], 2-3 into b[e]. */
FY_T512 static inline void philox2_512(__m512d a[2], __m512d b[2], const __m512i c0[2],
                                       __m512i c1, __m512i c2, const fy_rng_t r,
                                       const uint64_t ks[20])
{
    const __m512i m0 = _mm512_set1_epi64(0xD2511F53), m1 = _mm512_set1_epi64(0xCD9E8D57);
    __m512i x0[2], x1[2], x2[2], x3[2];
    int round, e;
    for (e = 0; e < 2; e++)
    {
        x0[e] = c0[e];
        x1[e] = c1;
        x2[e] = c2;
        x3[e] = _mm512_set1_epi64(r->purpose);
    }
#pragma GCC unroll 10
    for (round = 0; round < 10; round++)
    {
        const __m512i k0 = _mm512_set1_epi64((long long) ks[2 * round]);
        const __m512i k1 = _mm512_set1_epi64((long long) ks[2 * round + 1]);
#pragma GCC unroll 2
        for (e = 0; e < 2; e++)
        {
            __m512i p0 = _mm512_mul_epu32(x0[e], m0), p1 = _mm512_mul_epu32(x2[e], m1);
            /* a ^ b ^ c: truth table 0x96 */
            x0[e] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), x1[e], k0, 0x96);
            x1[e] = p1;
            x2[e] = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), x3[e], k1, 0x96);
            x3[e] = p0;
        }
    }
    for (e = 0; e < 2; e++)
    {
        a[e] = u53_512(x1[e], x0[e]);
        b[e] = u53_512(x3[e], x2[e]);
    }
}

/* The central branch of four vectors (DEFINE_CENTRAL4 above, as the AVX2 fill's). */
DEFINE_CENTRAL4(central4_512, FY_T512, __m512d)

DEFINE_LOG_OWN(log_own8, FY_T512, v8df, v8du, AS_V8DF, AS_V8DU)

/* The tails in place: the uniforms u[0..nt) (|u - 1/2| > 0.425; u[nt .. nt + 8) readable)
 * become their normals (ppnd16's operations in its order), eight at a time; the rare far
 * tails (r > 5, u < 1.4e-11) by ppnd16 itself. */
FY_T512 static void tails_512(double *u, int nt)
{
    const __m512d half = _mm512_set1_pd(0.5), one = _mm512_set1_pd(1.0);
    const __m512d c16 = _mm512_set1_pd(1.6), five = _mm512_set1_pd(5.0);
    const __m512d sgn = _mm512_set1_pd(-0.0);
    double rv[CHUNK + 8];
    int j, k;
    /* two passes of independent iterations (the processor overlaps their long chains): the
     * square roots of -log, then the rational functions */
    for (j = 0; j < nt; j += 8)
    {
        /* lanes past nt hold 1/16 (any value of the tails' domain) */
        const __m512d w = _mm512_mask_loadu_pd(_mm512_set1_pd(0.0625),
                                               (__mmask8) (nt - j >= 8 ? 0xff
                                                                       : (1u << (nt - j)) - 1),
                                               u + j);
        const __mmask8 lower = _mm512_cmp_pd_mask(_mm512_sub_pd(w, half),
                                                  _mm512_setzero_pd(), _CMP_LT_OQ);
        __m512d r = _mm512_mask_blend_pd(lower, _mm512_sub_pd(one, w), w);
        r = _mm512_sqrt_pd(_mm512_xor_pd((__m512d) log_own8(AS_V8DF(r)), sgn));
        _mm512_storeu_pd(rv + j, r);
    }
    for (j = 0; j < nt; j += 8)
    {
        const __mmask8 live = (__mmask8) (nt - j >= 8 ? 0xff : (1u << (nt - j)) - 1);
        const __m512d w = _mm512_mask_loadu_pd(_mm512_set1_pd(0.0625), live, u + j);
        const __mmask8 lower = _mm512_cmp_pd_mask(_mm512_sub_pd(w, half),
                                                  _mm512_setzero_pd(), _CMP_LT_OQ);
        __m512d r = _mm512_loadu_pd(rv + j), num, den;
        __mmask8 far = _mm512_cmp_pd_mask(r, five, _CMP_GT_OQ) & live;
        r = _mm512_sub_pd(r, c16);
        num = _mm512_set1_pd(tail_c[7]);
        den = _mm512_set1_pd(tail_d[7]);
        for (k = 6; k >= 0; k--)
        {
            num = _mm512_add_pd(_mm512_mul_pd(num, r), _mm512_set1_pd(tail_c[k]));
            den = _mm512_add_pd(_mm512_mul_pd(den, r), _mm512_set1_pd(tail_d[k]));
        }
        r = _mm512_div_pd(num, den);
        r = _mm512_mask_xor_pd(r, lower, r, sgn);
        _mm512_mask_storeu_pd(u + j, live, r);
        while (far)
        {
            k = __builtin_ctz(far);
            u[j + k] = ppnd16(w[k]);
            far &= (__mmask8) (far - 1);
        }
    }
}

/* ng <= GROUPS groups of 8 blocks into v[0 .. 16 ng).  streams = 0: one stream, blocks
 * index0 + 8 g + j, v[16 g + 2 j] words 0-1 and v[16 g + 2 j + 1] words 2-3 of block 8 g + j;
 * streams = 1: block index0 + g of the streams stream + j, v[16 g + j] words 0-1 and
 * v[16 g + 8 + j] words 2-3.  Normals when normal, else uniforms. */
FY_T512 static void batch_512(double *v, int ng, const fy_rng_t r, uint64_t stream,
                              uint32_t index0, int streams, int normal)
{
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i lo32 = _mm512_set1_epi64(0xffffffff);
    const __m512i ilo = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i ihi = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    const __m512d half = _mm512_set1_pd(0.5), lim = _mm512_set1_pd(0.425);
    const __m512d abs = _mm512_castsi512_pd(_mm512_set1_epi64(0x7fffffffffffffff));
    __m512i s = _mm512_set1_epi64((long long) stream), c1, c2;
    double u[CHUNK + 8];
    uint64_t ks[20];
    __mmask8 tm[2 * GROUPS];
    int nt = 0, g, h, i;
    if (streams)
        s = _mm512_add_epi64(s, lane);
    c1 = _mm512_and_si512(s, lo32);
    c2 = _mm512_srli_epi64(s, 32);
    /* the round keys, the same for every block */
    for (i = 0; i < 10; i++)
    {
        ks[2 * i] = (uint32_t) (r->key[0] + (uint32_t) i * 0x9E3779B9u);
        ks[2 * i + 1] = (uint32_t) (r->key[1] + (uint32_t) i * 0xBB67AE85u);
    }
    /* the uniforms, two groups at a time (a last odd group computes one more, unstored) */
    for (g = 0; g < ng; g += 2)
    {
        __m512i c0[2];
        __m512d a[2], b[2];
        int e;
        for (e = 0; e < 2; e++)
            c0[e] = _mm512_and_si512(
                streams ? _mm512_set1_epi64(index0 + (uint32_t) (g + e))
                        : _mm512_add_epi64(_mm512_set1_epi64(index0 + 8 * (uint32_t) (g + e)),
                                           lane),
                lo32);
        philox2_512(a, b, c0, c1, c2, r, ks);
        for (e = 0; e < 2 && g + e < ng; e++)
        {
            if (!streams)
            {
                __m512d t = _mm512_permutex2var_pd(a[e], ilo, b[e]);
                b[e] = _mm512_permutex2var_pd(a[e], ihi, b[e]);
                a[e] = t;
            }
            _mm512_storeu_pd(v + 16 * (g + e), a[e]);
            _mm512_storeu_pd(v + 16 * (g + e) + 8, b[e]);
        }
    }
    if (!normal)
        return;
    /* the central branch for all, four vectors at a time (2 ng is even); the tails' uniforms
     * packed into u (register compresses: the memory form is slow on some processors) */
    for (g = 0; g < 2 * ng; g += 4)
    {
        __m512d w[4], x[4], c[4];
        int nv = 2 * ng - g < 4 ? 2 * ng - g : 4;
        for (i = 0; i < 4; i++)
            w[i] = i < nv ? _mm512_loadu_pd(v + 8 * (g + i)) : half;
        central4_512(c, x, w);
        for (h = 0; h < nv; h++)
        {
            __mmask8 m = _mm512_cmp_pd_mask(_mm512_and_pd(x[h], abs), lim, _CMP_GT_OQ);
            _mm512_storeu_pd(v + 8 * (g + h), c[h]);
            _mm512_storeu_pd(u + nt, _mm512_maskz_compress_pd(m, w[h]));
            tm[g + h] = m;
            nt += __builtin_popcount(m);
        }
    }
    if (nt == 0)
        return;
    tails_512(u, nt);
    /* the tails' normals back in their places (register expands, without branches) */
    for (g = 0, nt = 0; g < 2 * ng; g++)
    {
        const int c = __builtin_popcount(tm[g]);
        const __m512d q = _mm512_maskz_loadu_pd((__mmask8) ((1u << c) - 1), u + nt);
        _mm512_storeu_pd(v + 8 * g, _mm512_mask_expand_pd(_mm512_loadu_pd(v + 8 * g), tm[g], q));
        nt += c;
    }
}

static int have_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

/* fill below with batch_512. */
static void fill_512(double *z, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0,
                     int normal)
{
    double v[CHUNK];
    uint64_t k = k0, end = k0 + n;
    while (k < end)
    {
        uint64_t first = k & ~(uint64_t) 1, lo = k - first, span = end - first, hi;
        int ng = span >= CHUNK ? GROUPS : (int) ((span + 15) / 16);
        hi = span < (uint64_t) (16 * ng) ? span : (uint64_t) (16 * ng);
        batch_512(v, ng, r, stream, (uint32_t) (first >> 1), 0, normal);
        memcpy(z, v + lo, (size_t) (hi - lo) * sizeof(double));
        z += hi - lo;
        k = first + hi;
    }
}

/* fill_streams below with batch_512 (n <= 2 GROUPS: at most GROUPS groups).  batch_512 leaves
 * value k of stream s0 + j at v[8 k + j]: eight values of the eight streams at a time are
 * transposed into the streams' runs (issue 13: element by element the copy cost more than the
 * draws it saved). */
FY_T512 static void fill_streams_512(double *z, uint64_t n, uint64_t ldz, const fy_rng_t r,
                                     uint64_t stream0, uint64_t nstreams, int normal)
{
    double v[CHUNK];
    const int ng = (int) ((n + 1) / 2);
    uint64_t s0, k0;
    int i, j;
    for (s0 = 0; s0 < nstreams; s0 += 8)
    {
        int ns = nstreams - s0 < 8 ? (int) (nstreams - s0) : 8;
        batch_512(v, ng, r, stream0 + s0, 0, 1, normal);
        for (k0 = 0; k0 < n; k0 += 8)
        {
            const __mmask8 m = n - k0 >= 8 ? 0xff : (__mmask8) ((1u << (n - k0)) - 1);
            __m512d rw[8], c[8];
            for (i = 0; i < 8; i++) /* rows past the 2 ng drawn: zeros, never stored */
                rw[i] = k0 + (uint64_t) i < (uint64_t) (2 * ng)
                            ? _mm512_loadu_pd(v + 8 * (k0 + (uint64_t) i))
                            : _mm512_setzero_pd();
            fy_transpose8_pd(c, rw);
            for (j = 0; j < ns; j++)
                _mm512_mask_storeu_pd(z + (s0 + (uint64_t) j) * ldz + k0, m, c[j]);
        }
    }
}
#else
static int have_avx512(void)
{
    return 0;
}
#endif

/* The values k0 .. k0 + n - 1 of one stream (normals when normal, else uniforms). */
static void fill(double *z, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0,
                 int normal)
{
    uint64_t k = k0, end = k0 + n;
    double a[LANES], b[LANES], v[NL];
    lanes_t L;
    int j, g;
#if FY_RNG_AVX2
    if (isa() >= FY_RNG_ISA_AVX512)
    {
        fill_512(z, n, r, stream, k0, normal);
        return;
    }
#endif
    for (j = 0; j < LANES; j++)
        L.stream[j] = stream;
    while (k < end)
    {
        uint64_t first = k & ~(uint64_t) 1; /* the block holding k; NG LANES blocks from there */
        uint64_t i, lo = k - first, hi = end - first < NL ? end - first : NL;
#if FY_RNG_AVX2
        if (isa() >= FY_RNG_ISA_AVX2)
            blocks_avx2(v, (int) ((hi + 2 * LANES - 1) / (2 * LANES)), r, stream,
                        (uint32_t) (first >> 1));
        else
#endif
        for (g = 0; (uint64_t) (2 * LANES * g) < hi; g++)
        {
            for (j = 0; j < LANES; j++)
                L.index[j] = (uint32_t) (first >> 1) + (uint32_t) (LANES * g + j);
            uniform_ab(a, b, r, &L);
            for (j = 0; j < LANES; j++)
            {
                v[2 * LANES * g + 2 * j] = a[j];
                v[2 * LANES * g + 2 * j + 1] = b[j];
            }
        }
        if (normal)
            normal_lanes(v + lo, (int) (hi - lo));
        for (i = lo; i < hi; i++)
            *z++ = v[i];
        k = first + hi;
    }
}

void fy_rng_normals(double *z, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0)
{
    fill(z, n, r, stream, k0, 1);
}

void fy_rng_uniforms(double *u, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0)
{
    fill(u, n, r, stream, k0, 0);
}

/* Lanes over streams: LANES consecutive streams, one block each, for short runs. */
static void fill_streams(double *z, uint64_t n, uint64_t ldz, const fy_rng_t r,
                         uint64_t stream0, uint64_t nstreams, int normal)
{
    double a[LANES], b[LANES], v[2 * LANES];
    uint64_t s0, k;
    lanes_t L;
    int j;
#if FY_RNG_AVX2
    if (isa() >= FY_RNG_ISA_AVX512)
    {
        fill_streams_512(z, n, ldz, r, stream0, nstreams, normal);
        return;
    }
#endif
    for (s0 = 0; s0 < nstreams; s0 += LANES)
    {
        int ns = nstreams - s0 < LANES ? (int) (nstreams - s0) : LANES;
        for (k = 0; k < n; k += 2)
        {
            for (j = 0; j < LANES; j++)
            {
                L.stream[j] = stream0 + s0 + (uint64_t) (j < ns ? j : 0);
                L.index[j] = (uint32_t) (k >> 1);
            }
            uniform_ab(a, b, r, &L);
            for (j = 0; j < LANES; j++)
            {
                v[j] = a[j];
                v[LANES + j] = b[j];
            }
            if (normal)
                normal_lanes(v, 2 * LANES);
            for (j = 0; j < ns; j++)
            {
                z[(s0 + (uint64_t) j) * ldz + k] = v[j];
                if (k + 1 < n)
                    z[(s0 + (uint64_t) j) * ldz + k + 1] = v[LANES + j];
            }
        }
    }
}

/* Runs shorter than this go side by side over the streams (fill_streams), longer ones stream by
 * stream (fill).  With AVX-512 up to 2 GROUPS values a stream (issue 13: a run of 31 normals,
 * a network of width 10, cost 4 ns a normal alone, the passes of batch_512 paid for two
 * groups; eight streams together share them); otherwise below 2 LANES. */
static int streams_below(void)
{
#if FY_RNG_AVX2
    if (isa() >= FY_RNG_ISA_AVX512)
        return 2 * GROUPS + 1;
#endif
    return 2 * LANES;
}

void fy_rng_normals_streams(double *z, uint64_t n, uint64_t ldz, const fy_rng_t r,
                            uint64_t stream0, uint64_t nstreams)
{
    uint64_t s;
    if (n >= (uint64_t) streams_below())
        for (s = 0; s < nstreams; s++)
            fill(z + s * ldz, n, r, stream0 + s, 0, 1);
    else
        fill_streams(z, n, ldz, r, stream0, nstreams, 1);
}

void fy_rng_uniforms_streams(double *u, uint64_t n, uint64_t ldu, const fy_rng_t r,
                             uint64_t stream0, uint64_t nstreams)
{
    uint64_t s;
    if (n >= (uint64_t) streams_below())
        for (s = 0; s < nstreams; s++)
            fill(u + s * ldu, n, r, stream0 + s, 0, 0);
    else
        fill_streams(u, n, ldu, r, stream0, nstreams, 0);
}
