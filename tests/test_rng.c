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
 * distributions against their exact values within 5 standard errors (fixed seeds). */
#include <math.h>
#include <string.h>

#include "testutil.h"

#include "feynn/rng.h"

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
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL) ? 1 : 0;
}
