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
 * normals against Arb's inverse error function (test_normal_accuracy). */
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

/* |z - Phi^(-1)(u)| in ulps of the true quantile, Phi^(-1)(u) = -sqrt(2) erfcinv(2u) in Arb at
 * 128 bits (an upper bound of the ball); u = 1/2: 0 exactly or infinity. */
static double quantile_ulps(double z, double u)
{
    arb_t a, b;
    double e;
    int ex;
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
    frexp(arf_get_d(arb_midref(a), ARF_RND_NEAR), &ex);
    arb_set_d(b, z);
    arb_sub(a, a, b, 128);
    arb_abs(a, a);
    arb_mul_2exp_si(a, a, 53 - ex); /* in ulps of the true value */
    e = arf_get_d(arb_midref(a), ARF_RND_UP) + mag_get_d(arb_radref(a));
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

/* mc13: the normals against Arb.  The tails of AS 241 take their logarithm from rng.c's
 * log_tail (libm's log, lane by lane in the AVX-512 fills): the quantile at 20,000 uniforms of
 * the generator's grid (the fills, so the processor's fastest path, and fy_rng_normal, the
 * scalar path), 7,000 more pushed into the tails u < 1/16 and a few of them into the far tails
 * u < 1.4e-11 (r > 5), at the region boundaries and at the extremes 2^-54, 1 - 2^-53.  AS 241
 * itself is accurate to about 1e-16 relative; over 400,000 uniforms the worst seen was 5.8 ulp
 * of the true quantile in the central region (near u = 0.33, where x (num/den) loses a few
 * bits) and 4.5 ulp in the tails: the test asks 8 and 6. */
static void test_normal_accuracy(void **state)
{
    enum { NS = 20, NK = 1000 };
    static double u[NK], z[NK];
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
    printf("# normals against Arb: worst %.3f ulp in the central region (u = %.17g), %.3f ulp "
           "in the tails (u = %.17g)\n", worst[0], wu[0], worst[1], wu[1]);
    assert_true(worst[0] <= 8.0);
    assert_true(worst[1] <= 6.0);
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
        cmocka_unit_test(test_normal_accuracy),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL) ? 1 : 0;
}
