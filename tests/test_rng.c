/* test_rng: the counter-based generator of src/util/rng.c (feynn/rng.h).
 *
 * Known answers: the three philox4x32 10-round vectors of Random123's tests/kat_vectors
 * (github.com/DEShawResearch/random123, release 1.14.0):
 *   ctr 00000000 x4, key 00000000 x2 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8
 *   ctr ffffffff x4, key ffffffff x2 -> 408f276d 41c83b0e a20bc7c6 6d5451fd
 *   ctr 243f6a88 85a308d3 13198a2e 03707344, key a4093822 299f31d0
 *     -> d16cfe09 94fdcceb 5001e420 24126ea1
 * Then the layout (counter words, seed as key), the uniform map, agreement of random access
 * with the fill routines, the normal quantile against erfc, and the first moments of the
 * distributions against their exact values within 5 standard errors (fixed seeds); the
 * normals against Arb's inverse error function (test_normal_accuracy); log14: the tails'
 * logarithm against Arb's log (test_tail_log) and the same normals on every path of the fills
 * (test_tail_paths). */
#include <math.h>
#include <string.h>

#include "testutil.h"

#include "feynn/rng.h"
#include "num/arb_all.h"

static void test_kat(void **state)
{
    static const uint32_t v[3][10] = {
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x408f276d,
         0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, 0xd16cfe09,
         0x94fdcceb, 0x5001e420, 0x24126ea1}};
    int i, j;
    (void) state;
    for (i = 0; i < 3; i++)
    {
        uint32_t out[4];
        fy_philox4x32_10(out, v[i], v[i] + 4);
        for (j = 0; j < 4; j++)
            assert_int_equal(out[j], v[i][6 + j]);
    }
}

/* The block at (stream, index) is philox of counter {index, stream lo, stream hi, purpose}
 * under the key {seed lo, seed hi}: the third vector read back through the generator. */
static void test_layout(void **state)
{
    fy_rng_t r;
    uint32_t out[4];
    (void) state;
    fy_rng_init(r, ((uint64_t) 0x299f31d0 << 32) | 0xa4093822, 0x03707344);
    fy_rng_block(out, r, ((uint64_t) 0x13198a2e << 32) | 0x85a308d3, 0x243f6a88);
    assert_int_equal(out[0], 0xd16cfe09);
    assert_int_equal(out[3], 0x24126ea1);
}

static void test_u53(void **state)
{
    (void) state;
    assert_true(fy_rng_u53(0) == 0x1p-54);
    assert_true(fy_rng_u53(0) > 0.0);
    assert_true(fy_rng_u53(1) == 0x1p-53);
    assert_true(fy_rng_u53((UINT64_C(1) << 53) - 1) == 1.0 - 0x1p-53);
    assert_true(fy_rng_u53((UINT64_C(1) << 53) - 1) < 1.0);
    assert_true(fy_rng_u53(UINT64_C(1) << 52) == 0.5);
    assert_true(fy_rng_u53(UINT64_MAX) == 1.0 - 0x1p-53); /* only the low 53 bits count */
}

/* Random access, fill routines and block words agree, at odd and even starting points. */
static void test_access(void **state)
{
    fy_rng_t r;
    double z[37], u[37];
    uint64_t k0, k;
    (void) state;
    fy_rng_init(r, 12345, FY_RNG_PURPOSE_TEST);
    for (k0 = 0; k0 < 4; k0++)
    {
        fy_rng_normals(z, 37 - k0, r, 7, k0);
        fy_rng_uniforms(u, 37 - k0, r, 7, k0);
        for (k = 0; k < 37 - k0; k++)
        {
            assert_true(z[k] == fy_rng_normal(r, 7, k0 + k));
            assert_true(u[k] == fy_rng_uniform(r, 7, k0 + k));
        }
    }
    {
        uint32_t b[4];
        fy_rng_block(b, r, 7, 1);
        assert_true(fy_rng_uniform(r, 7, 3)
                    == fy_rng_u53(((((uint64_t) b[3]) << 32) | b[2]) >> 11));
    }
    /* other stream, purpose or seed: other numbers */
    assert_true(fy_rng_normal(r, 7, 0) != fy_rng_normal(r, 8, 0));
    {
        fy_rng_t r2, r3;
        fy_rng_init(r2, 12345, FY_RNG_PURPOSE_NNFT_PARAMS);
        fy_rng_init(r3, 12346, FY_RNG_PURPOSE_TEST);
        assert_true(fy_rng_normal(r, 7, 0) != fy_rng_normal(r2, 7, 0));
        assert_true(fy_rng_normal(r, 7, 0) != fy_rng_normal(r3, 7, 0));
    }
}

/* The normal quantile against libm's erfc: Phi(z) = erfc(-z / sqrt 2) / 2 reproduces u (and
 * the upper tail 1 - u) to 1e-13 relative, over the three branches of AS 241; the generator's
 * normals are the quantiles of its uniforms. */
static void test_quantile(void **state)
{
    static const double us[] = {0x1p-54, 1e-300, 1e-16, 1e-10, 1e-5, 0.02, 0.075, 0.0751, 0.3,
                                 0.5, 0.6, 0.924, 0.93, 0.999, 1 - 1e-10, 1 - 0x1p-53};
    fy_rng_t r;
    size_t i;
    uint64_t k;
    (void) state;
    for (i = 0; i < sizeof us / sizeof us[0]; i++)
    {
        double u = us[i], z = fy_rng_normal_quantile(u);
        double lo = 0.5 * erfc(-z / sqrt(2.0)), hi = 0.5 * erfc(z / sqrt(2.0));
        if (u <= 0.5)
            assert_true(fabs(lo - u) <= 1e-13 * u);
        else
            assert_true(fabs(hi - (1 - u)) <= 1e-13 * (1 - u));
    }
    assert_true(fy_rng_normal_quantile(0.5) == 0.0);
    fy_rng_init(r, 99, FY_RNG_PURPOSE_TEST);
    for (k = 0; k < 100; k++)
        assert_true(fy_rng_normal(r, 3, k) == fy_rng_normal_quantile(fy_rng_uniform(r, 3, k)));
}

/* |y - t| in ulps of the true value t (a ball of 128 bits; the ulp of the binade of its
 * midpoint, an upper bound of the distance). */
static double ulps_of(const arb_t t, double y)
{
    arb_t a;
    double e;
    const slong ex = arf_abs_bound_lt_2exp_si(arb_midref(t)); /* |t| in [2^(ex-1), 2^ex) */
    arb_init(a);
    arb_set_d(a, y);
    arb_sub(a, t, a, 128);
    arb_abs(a, a);
    arb_mul_2exp_si(a, a, 53 - ex); /* in ulps of the true value */
    e = arf_get_d(arb_midref(a), ARF_RND_UP) + mag_get_d(arb_radref(a));
    arb_clear(a);
    return e;
}

/* |z - Phi^(-1)(u)| in ulps of the true quantile, Phi^(-1)(u) = -sqrt(2) erfcinv(2u) in Arb at
 * 128 bits; u = 1/2: 0 exactly or infinity. */
static double quantile_ulps(double z, double u)
{
    arb_t a, b;
    double e;
    if (u == 0.5)
        return z == 0.0 ? 0.0 : INFINITY;
    arb_init(a);
    arb_init(b);
    arb_set_d(a, u);
    arb_mul_2exp_si(a, a, 1);
    arb_hypgeom_erfcinv(a, a, 128);
    arb_sqrt_ui(b, 2, 128);
    arb_mul(a, a, b, 128);
    arb_neg(a, a);
    e = ulps_of(a, z);
    arb_clear(a);
    arb_clear(b);
    return e;
}

/* Worst error so far in region 0 (central, |u - 1/2| <= 0.425) or 1 (the tails). */
static void note_ulps(double worst[2], double wu[2], double z, double u)
{
    const int t = fabs(u - 0.5) > 0.425;
    const double e = quantile_ulps(z, u);
    if (e > worst[t])
    {
        worst[t] = e;
        wu[t] = u;
    }
}

/* The grid point of the draws nearest x (k 2^-53, 0 -> 2^-54). */
static double on_grid(double x)
{
    x = ldexp(nearbyint(ldexp(x, 53)), -53);
    return x == 0.0 ? 0x1p-54 : x;
}

/* mc13: the normals against Arb.  The tails of AS 241 take their logarithm from rng.c's
 * log_tail (fy_rng_tail_log; log14: feynn's own, the same doubles on every path): the quantile
 * at 20,000 uniforms of the generator's grid (the fills, so the processor's fastest path, and
 * fy_rng_normal, the scalar path), 7,000 more pushed into the tails u < 1/16 and a few of them
 * into the far tails u < 1.4e-11 (r > 5), at the region boundaries and at the extremes 2^-54,
 * 1 - 2^-53; log14: the tails densely, NT uniforms of the grid log-uniform over [2^-54, 0.075)
 * (every other one mirrored, 1 - u, exact) and 1,000 grid points either side of 0.075, 0.925
 * and exp(-25) (r = 5, the far tails' boundary).  AS 241 itself is accurate to about 1e-16
 * relative; over 400,000 uniforms the worst seen was 5.8 ulp of the true quantile in the
 * central region (near u = 0.33, where x (num/den) loses a few bits) and 4.5 ulp in the tails,
 * over 100,000 more of the tails 5.3 ulp (near u = 1 - 5.7e-11; the same with libm's log: AS
 * 241's error, not the log's), here 5.07: the test asks 8 and 6. */
static void test_normal_accuracy(void **state)
{
    enum { NS = 20, NK = 1000, NT = 40000 };
    static double u[NK], z[NK];
    const double ends[3] = {0.075, 0.925, 1.3887943864964021e-11}; /* exp(-25) */
    static const double us[] = {0x1p-54, 0x1p-53, 1e-300, 1.4e-11, 1.3e-11, 1e-11, 0.075,
                                0.0749, 0.0751, 0.925, 0.9249, 0.9251, 0.5, 0.5 + 0x1p-53,
                                1 - 1e-10, 1 - 0x1p-53};
    fy_rng_t r;
    double worst[2] = {0, 0}, wu[2] = {0.5, 0.5};
    uint64_t s, k;
    size_t i;
    (void) state;
    fy_rng_init(r, 31337, FY_RNG_PURPOSE_TEST);
    for (s = 0; s < NS; s++)
    {
        fy_rng_uniforms(u, NK, r, s, 0);
        fy_rng_normals(z, NK, r, s, 0);
        for (k = 0; k < NK; k++)
        {
            note_ulps(worst, wu, z[k], u[k]);
            /* u scaled into the tails (exact: by a power of two), every 100th far out */
            if (k % 3 == 0)
            {
                double t = k % 100 == 0 ? u[k] * 0x1p-40 : u[k] * 0x1p-4;
                t = k % 2 ? t : 1.0 - t;
                note_ulps(worst, wu, fy_rng_normal_quantile(t), t);
            }
        }
        for (k = 0; k < 50; k++)
            note_ulps(worst, wu, fy_rng_normal(r, s, k), fy_rng_uniform(r, s, k));
    }
    for (i = 0; i < sizeof us / sizeof us[0]; i++)
        note_ulps(worst, wu, fy_rng_normal_quantile(us[i]), us[i]);
    for (k = 0; k < NT; k++)
    {
        double t = on_grid(0.075 * exp2(-(log2(0.075) + 54) * fy_rng_uniform(r, NS, k)));
        t = k % 2 && t >= 0x1p-53 ? 1.0 - t : t;
        note_ulps(worst, wu, fy_rng_normal_quantile(t), t);
    }
    for (i = 0; i < 3; i++)
        for (k = 0; k < 2000; k++)
        {
            double t = on_grid(ends[i]) + ((double) k - 1000.0) * 0x1p-53;
            note_ulps(worst, wu, fy_rng_normal_quantile(t), t);
        }
    printf("# normals against Arb: worst %.3f ulp in the central region (u = %.17g), %.3f ulp "
           "in the tails (u = %.17g)\n", worst[0], wu[0], worst[1], wu[1]);
    assert_true(worst[0] <= 8.0);
    assert_true(worst[1] <= 6.0);
}

/* The worst error of fy_rng_tail_log so far, where, and the number of points. */
typedef struct
{
    double ulps, x;
    long n;
} worst_t;

static void note_log(worst_t *w, double x)
{
    arb_t t;
    double e;
    if (x < 0x1p-1022)
        return; /* not in the domain: libm's log, checked in test_tail_log */
    arb_init(t);
    arb_set_d(t, x);
    arb_log(t, t, 128);
    e = ulps_of(t, fy_rng_tail_log(x));
    arb_clear(t);
    w->n++;
    if (e > w->ulps)
    {
        w->ulps = e;
        w->x = x;
    }
}

/* log14: the tails' logarithm against Arb's log at 128 bits: log-uniform over [2^-54, 0.075)
 * (every other point on the draws' grid) and over [2^-1022, 2^-54) (fy_rng_normal_quantile of
 * a user's u), the grid at the ends (2^-54, j 2^-53, the 2,000 points below 0.075), and 20
 * doubles either side of every power of two 2^-4 .. 2^-1022 and of the split at sqrt 2 (where
 * the reduction jumps from m near sqrt 2 to m near 1/sqrt 2), with 300 grid points either side
 * of them for the draws' exponents (2^-4 .. 2^-50).  Within 0.81 ulp by the analysis in
 * src/util/rng.c: the test asks < 1.  Outside the domain (x subnormal, 0, negative, NaN,
 * infinite, x >= 1/8) it must be libm's log, bit for bit. */
static void test_tail_log(void **state)
{
    enum { NA = 200000, NB = 20000, NE = 20, NG = 300 };
    static const double outside[] = {0.0, -0.0, -1.0, -0x1p-60, 0x1p-1074, 0x1p-1023,
                                     0x1.fffffffffffffp-1023, 0.125, 0.3, 0.5, 1.0, 2.0, 1e300,
                                     INFINITY, -INFINITY, NAN};
    const double split = 0x1.6a09e667f3bcdp0; /* the double above sqrt 2 */
    fy_rng_t r;
    worst_t w = {0.0, 0.0, 0};
    uint64_t k;
    size_t i;
    int e, j, h;
    (void) state;
    fy_rng_init(r, 1414, FY_RNG_PURPOSE_TEST);
    for (k = 0; k < NA; k++)
    {
        double x = 0.075 * exp2(-(log2(0.075) + 54) * fy_rng_uniform(r, 0, k));
        note_log(&w, k % 2 ? on_grid(x) : x);
    }
    for (k = 0; k < NB; k++)
        note_log(&w, exp2(-54.0 - 968.0 * fy_rng_uniform(r, 1, k)));
    note_log(&w, 0x1p-54);
    for (k = 1; k <= 2000; k++)
    {
        note_log(&w, (double) k * 0x1p-53);
        note_log(&w, on_grid(0.075) - (double) k * 0x1p-53);
    }
    for (e = 4; e <= 1022; e++)
        for (h = 0; h < 2; h++)
        {
            const double c = ldexp(h ? split : 1.0, -e);
            double lo = c, hi = c;
            for (j = 0; j <= NE; j++)
            {
                note_log(&w, lo);
                note_log(&w, hi);
                lo = nextafter(lo, 0.0);
                hi = nextafter(hi, 1.0);
            }
            if (e <= 50)
                for (j = -NG; j <= NG; j++)
                    if (on_grid(c) + j * 0x1p-53 > 0.0)
                        note_log(&w, on_grid(c) + j * 0x1p-53);
        }
    printf("# tails' log against Arb: worst %.3f ulp at x = %a (%ld points)\n", w.ulps, w.x, w.n);
    assert_true(w.n > 300000);
    assert_true(w.ulps < 1.0);
    for (i = 0; i < sizeof outside / sizeof outside[0]; i++)
    {
        const double y = fy_rng_tail_log(outside[i]), l = log(outside[i]);
        assert_true(isnan(l) ? isnan(y) : memcmp(&y, &l, sizeof y) == 0);
    }
}

/* log14: the tails' logarithm is the same on every path of the fills (the AVX2 and AVX-512
 * ones vectorise it): 300,000 normals of each path (about 45,000 in the tails), bit for bit
 * equal to fy_rng_normal_quantile of the uniforms (the scalar log). */
static void test_tail_paths(void **state)
{
    enum { NS = 100, NK = 3001 };
    static const int levels[3] = {FY_RNG_ISA_C, FY_RNG_ISA_AVX2, FY_RNG_ISA_AVX512};
    static double u[NK], z[NK];
    fy_rng_t r;
    uint64_t s, k;
    long bad, tails;
    int l;
    (void) state;
    fy_rng_init(r, 2718, FY_RNG_PURPOSE_TEST);
    for (l = 0; l < 3; l++)
    {
        if (fy_rng_set_isa(levels[l]) != levels[l])
        {
            printf("# tails' paths: level %d not available here (skipped)\n", levels[l]);
            continue;
        }
        bad = tails = 0;
        for (s = 0; s < NS; s++)
        {
            fy_rng_uniforms(u, NK, r, s, 0);
            fy_rng_normals(z, NK, r, s, 0);
            for (k = 0; k < NK; k++)
            {
                const double q = fy_rng_normal_quantile(u[k]);
                bad += memcmp(&q, z + k, sizeof q) != 0;
                tails += fabs(u[k] - 0.5) > 0.425;
            }
        }
        printf("# tails' paths: level %d, %ld of %ld normals in the tails, %ld differ\n",
               levels[l], tails, (long) (NS * NK), bad);
        assert_true(tails > 40000);
        assert_int_equal(bad, 0);
    }
    fy_rng_set_isa(FY_RNG_ISA_AUTO);
}

/* Moments: uniform mean 1/2, variance 1/12; normal mean 0, variance 1, E z^4 = 3, and the
 * pair (z_2k, z_2k+1) uncorrelated.  n = 200000 draws over many streams, 5 standard errors. */
static void test_moments(void **state)
{
    const uint64_t n = 200000;
    fy_rng_t r;
    double su = 0, su2 = 0, s1 = 0, s2 = 0, s4 = 0, sp = 0, z[2], se;
    uint64_t i;
    (void) state;
    fy_rng_init(r, 2026, FY_RNG_PURPOSE_TEST);
    for (i = 0; i < n; i++)
    {
        double u = fy_rng_uniform(r, i % 1000, i / 1000);
        assert_true(u > 0.0 && u < 1.0);
        su += u;
        su2 += (u - 0.5) * (u - 0.5);
        fy_rng_normals(z, 2, r, i, 2 * (i % 5));
        s1 += z[0];
        s2 += z[0] * z[0];
        s4 += z[0] * z[0] * z[0] * z[0];
        sp += z[0] * z[1];
    }
    se = sqrt(1.0 / 12 / n);
    assert_true(fabs(su / n - 0.5) < 5 * se);
    assert_true(fabs(su2 / n - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / n));
    assert_true(fabs(s1 / n) < 5 / sqrt(n));
    assert_true(fabs(s2 / n - 1) < 5 * sqrt(2.0 / n));
    assert_true(fabs(s4 / n - 3) < 5 * sqrt(96.0 / n));
    assert_true(fabs(sp / n) < 5 / sqrt(n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat),     cmocka_unit_test(test_layout),
        cmocka_unit_test(test_u53),     cmocka_unit_test(test_access),
        cmocka_unit_test(test_quantile), cmocka_unit_test(test_moments),
        cmocka_unit_test(test_normal_accuracy), cmocka_unit_test(test_tail_log),
        cmocka_unit_test(test_tail_paths),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL) ? 1 : 0;
}
