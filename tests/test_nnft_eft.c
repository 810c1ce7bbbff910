/* test_nnft_eft: the effective action of NN field theory (src/nnft/eft.c, MATH.md 4.3).
 *
 * Second routes: K_EFT + sigma_b^2 against the closed-form kernels of kernel.c at the spec
 * points; ReLU (sigma_b = 0, d = 1) vertex integrals against prod x_k Lambda^5 / 80 by hand;
 * Gauss-net integrals against sqrt(pi / 2), pi and erf by hand; the rigorous d = 1 integrals
 * of erf and of relu with a bias (kinks at the points) and the nested d = 2 integral against
 * composite Simpson rules written here over fy_nnft_eft_kernel, and the d = 3 one against
 * homogeneity (relu, sigma_b = 0: V(2) = 2^7 V(1)); the engine's 6-point graphs
 * against the count 15 x 24 = 360 and their values by hand, the 10 exchange graphs (1152
 * contractions each, weight 576) against 1.8 prod y Lambda^10 by hand; the ReLU couplings
 * against -12.5 / (N Lambda^5) and the
 * [HMS] ratios against 50/93 and 175/186 (from G4/G4_GP = 1 + 5/N, G6/G6_GP = 1 + 15/N +
 * 44/N^2, worked by hand in nnft.h); the cut-off slope against -(d + 4) by homogeneity; the
 * least-squares property (more templates never fit the training set worse). */
#include <math.h>
#include <string.h>

#include "feynn/feynman.h"
#include "feynn/nnft.h"
#include "feynn/util.h"
#include "nnftutil.h"
#include "num/arb_all.h"
#include "testutil.h"

#define PREC 128

static void check_contains_d(const arb_t x, double v, double rel, const char *what)
{
    double m = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    if (!(fabs(m - v) <= rel * fabs(v) + 1e-300))
        fail_msg("%s: %.17g, expected %.17g (rel %.3g)", what, m, v, rel);
}

static void check_contains_q(const arb_t x, slong p, ulong q, const char *what)
{
    fmpq_t r;
    fmpq_init(r);
    fmpq_set_si(r, p, q);
    if (!arb_contains_fmpq(x, r))
    {
        char *s = arb_get_str(x, 20, 0);
        fail_msg("%s: %s does not contain %ld/%lu", what, s, (long) p, (unsigned long) q);
    }
    fmpq_clear(r);
}

static void test_templates_names(void **state)
{
    fy_nnft_tpl_t t;
    int k;
    (void) state;
    for (k = 0; k < FY_NNFT_NTPL; k++)
    {
        assert_int_equal(fy_nnft_tpl_parse(&t, fy_nnft_tpl_name((fy_nnft_tpl_t) k)), 0);
        assert_int_equal(t, k);
    }
    assert_int_equal(fy_nnft_tpl_parse(&t, "quartic"), -1);
}

/* K_EFT(x_i, x_j) + sigma_b^2 = K(x_i, x_j) of kernel.c */
static void test_eft_kernel(void **state)
{
    static const char *specs[] = {
        "activation erf\nsigma_b 1\npoint -1\npoint 0.3\npoint 1\n",
        "activation relu\nsigma_b 1/2\npoint -1\npoint 0.3\npoint 1\n",
        "activation relu\nsigma_b 0\npoint -1\npoint 0.3\npoint 1\n",
        "activation gauss\nsigma_W 3/2\npoint -1\npoint 0.3\npoint 1\n",
        "activation cos\nsigma_b 0\npoint -1\npoint 0.3\npoint 1\n",
        "activation sin\nsigma_b 1/3\npoint -1\npoint 0.3\npoint 1\n",
        "activation relu\nd 2\nsigma_b 1/2\npoint -1 0.5\npoint 0.3 0.2\npoint 1 -2\n",
        "activation erf\nd 3\npoint -1 0.5 1\npoint 0.3 0.2 0\npoint 1 -2 0.5\n",
    };
    size_t k;
    (void) state;
    for (k = 0; k < sizeof specs / sizeof specs[0]; k++)
    {
        fy_nnft_spec_t s;
        fy_error_t err;
        arb_t K, E, b;
        arb_ptr y;
        slong i, j, c;
        fy_nnft_spec_init(s);
        fy_error_init(err);
        arb_init(K);
        arb_init(E);
        arb_init(b);
        parse_ok(s, specs[k]);
        y = _arb_vec_init(s->d);
        for (i = 0; i < s->npoints; i++)
            for (j = 0; j < s->npoints; j++)
            {
                for (c = 0; c < s->d; c++)
                    arb_set_fmpq(y + c, s->points + j * s->d + c, PREC);
                assert_int_equal(fy_nnft_kernel(K, s, i, j, PREC, err), FY_OK);
                if (fy_nnft_eft_kernel(E, s, i, y, PREC, err) != FY_OK)
                    fail_msg("%s", err->msg);
                if (s->act != FY_NNFT_COS)
                {
                    arb_set_fmpq(b, s->sigma_b, PREC);
                    arb_sqr(b, b, PREC);
                    arb_add(E, E, b, PREC);
                }
                if (!arb_overlaps(E, K))
                    fail_msg("spec %zu, points %ld %ld: K_EFT + sigma_b^2 misses K", k,
                             (long) i, (long) j);
            }
        _arb_vec_clear(y, s->d);
        arb_clear(K);
        arb_clear(E);
        arb_clear(b);
        fy_nnft_spec_clear(s);
    }
}

/* relu, sigma_b = 0, d = 1: K_EFT(y, x) = x y / 2 where x y > 0, so V = prod |y| L^5 / 80 */
static void test_vertex_relu_exact(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V, W;
    int rig;
    slong a[4] = {0, 1, 2, 3}, neg[4] = {4, 4, 5, 5}, mix[4] = {0, 1, 4, 5};
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    arb_init(W);
    parse_ok(s, "activation relu\nsigma_b 0\npoint 1/5\npoint 2/5\npoint 3/5\npoint 1\n"
                "point -1/2\npoint -1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, a, 4, 0, 10, PREC, err), FY_OK);
    assert_true(rig);
    /* (1/5)(2/5)(3/5)(1) 10^5 / 80 = 6/125 * 1250 = 60 */
    check_contains_q(V, 60, 1, "relu V at Lambda = 10");
    assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, a, 4, 0, 1, PREC, err), FY_OK);
    arb_mul_ui(W, W, 100000, PREC);
    assert_true(arb_overlaps(V, W)); /* homogeneity: Lambda^5 */
    /* |x|^2 weight: prod y / 16 * L^7 / 7 at L = 1: 6/125 / 112 */
    assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, a, 4, 2, 1, PREC, err), FY_OK);
    check_contains_q(W, 6, 125 * 112, "relu V_x2 at Lambda = 1");
    /* negative points: (1/2)^2 (1)^2 / 16 L^5 / 5 at L = 2: 1/4 / 16 * 32 / 5 = 1/10 */
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, neg, 4, 0, 2, PREC, err), FY_OK);
    check_contains_q(V, 1, 10, "relu V at negative points");
    /* points of both signs: no x sees all four legs */
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, mix, 4, 0, 3, PREC, err), FY_OK);
    assert_true(arb_is_zero(V) || arb_contains_zero(V));
    assert_true(mag_cmp_2exp_si(arb_radref(V), -100) < 0);
    /* two legs (the nonlocal template's factors): y1 y2 / 4 L^3 / 3 */
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, a, 2, 0, 3, PREC, err), FY_OK);
    check_contains_q(V, 2 * 27, 25 * 12, "relu V(2 legs)");
    /* the nonlocal template: 8 * 3 pairings * prod y / 16 (L^3/3)^2 */
    assert_int_equal(fy_nnft_template(V, &rig, FY_NNFT_TPL_NONLOCAL, s, a, 3, PREC, err),
                     FY_OK);
    check_contains_q(V, 24 * 6 * 81, 125 * 16, "nonlocal template");
    arb_clear(V);
    arb_clear(W);
    fy_nnft_spec_clear(s);
}

static void test_vertex_gauss(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V;
    int rig;
    slong o[4] = {0, 0, 0, 0};
    double r;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    /* legs at 0, d = 1: prod K_EFT = exp(-2 x^2) */
    parse_ok(s, "activation gauss\npoint 0\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 0, INFINITY, PREC, err), FY_OK);
    assert_true(rig);
    check_contains_d(V, sqrt(M_PI / 2), 1e-15, "gauss V, Lambda = inf");
    assert_true(mag_cmp_2exp_si(arb_radref(V), -100) < 0);
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 2, INFINITY, PREC, err), FY_OK);
    check_contains_d(V, sqrt(M_PI / 2) / 4, 1e-15, "gauss V_x2, Lambda = inf");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 0, 1, PREC, err), FY_OK);
    check_contains_d(V, sqrt(M_PI / 2) * erf(sqrt(2.0)), 1e-15, "gauss, L = 1");
    /* d = 2, legs at 0: exp(-|x|^2), integral pi; with |x|^2: pi */
    parse_ok(s, "activation gauss\nd 2\npoint 0 0\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 0, INFINITY, PREC, err), FY_OK);
    check_contains_d(V, M_PI, 1e-15, "gauss d = 2");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 2, INFINITY, PREC, err), FY_OK);
    check_contains_d(V, M_PI, 1e-15, "gauss d = 2, |x|^2");
    /* d = 3 legs at 0: exp(-2|x|^2/3): (3 pi / 2)^(3/2) */
    parse_ok(s, "activation gauss\nd 3\npoint 0 0 0\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 4, 0, INFINITY, PREC, err), FY_OK);
    r = pow(1.5 * M_PI, 1.5);
    check_contains_d(V, r, 1e-15, "gauss d = 3");
    arb_clear(V);
    fy_nnft_spec_clear(s);
}

/* Composite Simpson over [-L, L] split at the breaks, of prod K_EFT (fy_nnft_eft_kernel). */
static double simpson_1d(const fy_nnft_spec_t s, const slong *idx, int m, double L,
                         const double *br, int nbr, int n)
{
    fy_error_t err;
    arb_t K;
    arb_ptr y = _arb_vec_init(1);
    double total = 0, lo = -L;
    int p, i, j;
    arb_init(K);
    fy_error_init(err);
    for (p = 0; p <= nbr; p++)
    {
        double hi = p < nbr ? br[p] : L, h = (hi - lo) / n, sum = 0;
        for (i = 0; i <= n; i++)
        {
            double x = lo + i * h, f = 1;
            arb_set_d(y, x);
            for (j = 0; j < m; j++)
            {
                assert_int_equal(fy_nnft_eft_kernel(K, s, idx[j], y, 64, err), FY_OK);
                f *= arf_get_d(arb_midref(K), ARF_RND_NEAR);
            }
            sum += f * (i == 0 || i == n ? 1 : (i & 1) ? 4 : 2);
        }
        total += sum * h / 3;
        lo = hi;
    }
    arb_clear(K);
    _arb_vec_clear(y, 1);
    return total;
}

static void test_vertex_quadrature(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V;
    int rig;
    slong idx[4] = {0, 1, 2, 2};
    double br[4] = {-0.5, 0, 0.25, 1}, v;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    /* erf with bias, d = 1 */
    parse_ok(s, "activation erf\nsigma_b 1\npoint -1/2\npoint 1/4\npoint 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, 3, PREC, err), FY_OK);
    assert_true(rig);
    assert_true(mag_cmp_2exp_si(arb_radref(V), -90) < 0);
    v = simpson_1d(s, idx, 4, 3, br, 4, 2000);
    check_contains_d(V, v, 1e-10, "erf V against Simpson");
    /* relu with bias: kinks at the points */
    parse_ok(s, "activation relu\nsigma_b 1/2\npoint -1/2\npoint 1/4\npoint 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, 3, PREC, err), FY_OK);
    assert_true(rig);
    v = simpson_1d(s, idx, 4, 3, br, 4, 2000);
    check_contains_d(V, v, 1e-10, "relu V against Simpson");
    arb_clear(V);
    fy_nnft_spec_clear(s);
}

/* The composite Simpson rule on an n x n grid of [-L, L]^2 (n even) of the product of the
 * EFT kernels of the four legs idx, in doubles: an independent route for d = 2 vertices. */
static double simpson_vertex2(const fy_nnft_spec_t s, const slong *idx, double L, int n)
{
    fy_error_t err;
    arb_t K;
    arb_ptr y;
    double h = 2 * L / n, sum = 0;
    int i, j, k;
    fy_error_init(err);
    arb_init(K);
    y = _arb_vec_init(2);
    for (i = 0; i <= n; i++)
        for (j = 0; j <= n; j++)
        {
            double f = 1, wi = (i == 0 || i == n) ? 1 : (i & 1) ? 4 : 2;
            double wj = (j == 0 || j == n) ? 1 : (j & 1) ? 4 : 2;
            arb_set_d(y, -L + i * h);
            arb_set_d(y + 1, -L + j * h);
            for (k = 0; k < 4; k++)
            {
                assert_int_equal(fy_nnft_eft_kernel(K, s, idx[k], y, 64, err), FY_OK);
                f *= arf_get_d(arb_midref(K), ARF_RND_NEAR);
            }
            sum += wi * wj * f;
        }
    arb_clear(K);
    _arb_vec_clear(y, 2);
    return sum * h * h / 9;
}

/* d = 2 cubature (erf) against a 2-d Simpson rule written here */
static void test_vertex_nested(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V;
    int rig, n = 200;
    slong idx[4] = {0, 0, 1, 1};
    double L = 1, sum = 0;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    parse_ok(s, "activation erf\nd 2\nsigma_b 1\npoint 1/2 -1/4\npoint -1 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, L, PREC, err), FY_OK);
    assert_true(rig); /* erf in d = 2: the rigorous cubature (eft13) */
    assert_true(arb_rel_accuracy_bits(V) >= 34);
    sum = simpson_vertex2(s, idx, L, n);
    check_contains_d(V, sum, 1e-9, "erf d = 2 nested against Simpson");
    /* the error estimate is honest at this scale: the ball holds the Simpson value */
    {
        arb_t S;
        arb_init(S);
        arb_set_d(S, sum);
        arb_add_error_2exp_si(S, -30);
        assert_true(arb_overlaps(V, S));
        arb_clear(S);
    }
    /* d = 3, relu with sigma_b = 0: homogeneous of degree 4 + 3, V(2) = 2^7 V(1) */
    parse_ok(s, "activation relu\nd 3\nsigma_b 0\npoint 1/5 1/5 1/5\npoint 1 1 1/5\n");
    {
        arb_t W;
        arb_init(W);
        assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, 1, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, idx, 4, 0, 2, PREC, err), FY_OK);
        arb_div(W, W, V, PREC);
        check_contains_d(W, 128, 1e-8, "relu d = 3: V(2) / V(1) = 2^7");
        assert_true(arb_contains_si(W, 128));
        arb_clear(W);
    }
    arb_clear(V);
    fy_nnft_spec_clear(s);
}

/* eft13: d = 2, 3 vertex integrals of sin and relu by the rigorous cubature.  sin,
 * sigma_b = 0, two legs at (y, 0..): K_EFT^2 = exp(-c |x|^2 - c y^2) sinh^2(c y x_1), a
 * product over coordinates: exp(-c y^2) I0^(d - 1) (Ic - I0) / 2 with I0 = int e^(-c u^2)
 * = sqrt(pi / c) erf(sqrt(c) L) and Ic = int e^(-c u^2) cosh(2 c y u) = e^(c y^2)
 * sqrt(pi / c) / 2 (erf(sqrt(c) (L - y)) + erf(sqrt(c) (L + y))), by Arb.  relu in d = 2
 * with sigma_b = 0 (the edges of the square) against the former nested Gauss-Kronrod values
 * (relative tolerance 1e-10 asked; 1e-9 here); d = 3 (the cubature too) against the closed
 * form; refusals. */
static void test_vertex_rigorous(void **state)
{
    static const double relu_old[5] = {4.98412317476332, 3.6152483739605605, 2.983346513297401,
                                       2.7947051626988344, 3.1388137089291703};
    static const slong tup[5][4] = {{0, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 1, 1}, {0, 1, 1, 1},
                                    {1, 1, 1, 1}};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V, e, I0, Ic, t, c;
    slong o[2] = {0, 0};
    int rig, d, k;
    double L = 2;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    arb_init(e);
    arb_init(I0);
    arb_init(Ic);
    arb_init(t);
    arb_init(c);
    for (d = 2; d <= 3; d++)
    {
        parse_ok(s, d == 2 ? "activation sin\nd 2\nsigma_b 0\npoint 1/2 0\n"
                           : "activation sin\nd 3\nsigma_b 0\npoint 1/2 0 0\n");
        if (fy_nnft_vertex_integral(V, &rig, s, o, 2, 0, L, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_true(rig); /* d = 3 too: the cubature (eft13) */
        arb_one(c);
        arb_div_ui(c, c, (ulong) d, PREC); /* c = sigma_W^2 / d */
        arb_sqrt(t, c, PREC);
        arb_mul_si(e, t, (slong) L, PREC);
        arb_hypgeom_erf(I0, e, PREC);
        arb_const_pi(e, PREC);
        arb_div(e, e, c, PREC);
        arb_sqrt(e, e, PREC);
        arb_mul(I0, I0, e, PREC); /* I0 */
        arb_set_d(e, L - 0.5);
        arb_mul(e, e, t, PREC);
        arb_hypgeom_erf(Ic, e, PREC);
        arb_set_d(e, L + 0.5);
        arb_mul(e, e, t, PREC);
        arb_hypgeom_erf(e, e, PREC);
        arb_add(Ic, Ic, e, PREC);
        arb_const_pi(e, PREC);
        arb_div(e, e, c, PREC);
        arb_sqrt(e, e, PREC);
        arb_mul(Ic, Ic, e, PREC);
        arb_mul_2exp_si(Ic, Ic, -1);
        arb_mul_2exp_si(t, c, -2);
        arb_exp(t, t, PREC); /* e^(c y^2), y = 1/2 */
        arb_mul(Ic, Ic, t, PREC);
        arb_sub(e, Ic, I0, PREC);
        arb_mul_2exp_si(e, e, -1);
        arb_div(e, e, t, PREC);
        arb_pow_ui(t, I0, (ulong) (d - 1), PREC);
        arb_mul(e, e, t, PREC);
        printf("# sin d = %d: ", d);
        arb_printd(V, 17);
        printf(", closed form ");
        arb_printd(e, 17);
        printf("\n");
        assert_true(arb_overlaps(V, e));
        assert_true(arb_rel_accuracy_bits(V) >= 34);
    }
    /* relu (sigma_b = 0: the edges of the square) in d = 2 at the points of the former run,
     * Lambda = 2 */
    {
        parse_ok(s, "activation relu\nd 2\nsigma_b 0\npoint 1/2 1\npoint 1 1/5\n");
        for (k = 0; k < 5; k++)
        {
            double old = relu_old[k];
            if (fy_nnft_vertex_integral(V, &rig, s, tup[k], 4, 0, L, PREC, err) != FY_OK)
                fail_msg("%s", err->msg);
            assert_true(rig);
            arb_mul_ui(V, V, 24, PREC);
            check_contains_d(V, old, 1e-9, "d = 2 against the former value");
            assert_true(arb_rel_accuracy_bits(V) >= 34);
        }
    }
    /* refusals: an infinite cut-off diverges for erf and relu in d = 2 too */
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, tup[0], 4, 0, INFINITY, PREC, err),
                     FY_EINPUT);
    assert_non_null(strstr(err->msg, "diverges"));
    parse_ok(s, "activation erf\nd 3\npoint 1 0 0\n");
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, o, 2, 0, INFINITY, PREC, err),
                     FY_EINPUT);
    arb_clear(V);
    arb_clear(e);
    arb_clear(I0);
    arb_clear(Ic);
    arb_clear(t);
    arb_clear(c);
    fy_nnft_spec_clear(s);
}

/* eft13: the d = 2 vertex integrals of erf and of relu with sigma_b > 0 (conical kinks at
 * the points) and the d = 3 one of sin, now rigorous balls, against the values of the former
 * error-controlled nested Gauss-Kronrod in doubles (feynn at 1752460, the ball printed to
 * 20 digits: its midpoint with its stated radius): the two must overlap, and the new ball
 * is at least 100 times narrower.  relu with sigma_b = 1/2 in d = 2 against a composite
 * Simpson rule (kinks at the points: O(h^2) there, 1e-6 here) too. */
static void test_vertex_former(void **state)
{
    static const struct
    {
        const char *spec;
        slong idx[4];
        double L, mid, rad;
    } cases[] = {
        {"activation erf\nd 2\nsigma_b 1\npoint 1/2 -1/4\npoint -1 1\n", {0, 0, 1, 1}, 10,
         0.95343923916844086630, 8.9232e-10},
        {"activation erf\nd 2\nsigma_b 1\npoint 1/2 -1/4\npoint -1 1\n", {0, 0, 1, 1}, 1,
         0.060431340623604827555, 6.1036e-11},
        {"activation relu\nd 2\nsigma_b 1/2\npoint 1/2 -1/4\npoint -1 1\n", {0, 0, 1, 1},
         3, 0.30086585264761311898, 9.9861e-10},
        {"activation sin\nd 3\nsigma_b 0\npoint 1/2 -1/4 0\npoint -1 1 1/2\n",
         {0, 0, 1, 1}, 3, 0.075885151935846953397, 1.3904e-10},
    };
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V, W;
    int rig, c;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    arb_init(W);
    for (c = 0; c < (int) (sizeof cases / sizeof cases[0]); c++)
    {
        parse_ok(s, cases[c].spec);
        if (fy_nnft_vertex_integral(V, &rig, s, cases[c].idx, 4, 0, cases[c].L, PREC, err)
            != FY_OK)
            fail_msg("%s", err->msg);
        arb_set_d(W, cases[c].mid);
        arb_add_error_2exp_si(W, -60);
        {
            arb_t r;
            arb_init(r);
            arb_set_d(r, cases[c].rad);
            arb_add_error(W, r);
            arb_clear(r);
        }
        printf("# former %d: ", c);
        arb_printd(V, 17);
        printf(" against ");
        arb_printd(W, 17);
        printf("\n");
        assert_true(rig);
        assert_true(arb_overlaps(V, W));
        assert_true(mag_get_d(arb_radref(V)) * 100 < cases[c].rad);
    }
    /* relu, sigma_b = 1/2, d = 2, Lambda = 1 against Simpson */
    {
        static const slong idx[4] = {0, 0, 1, 1};
        double L = 1, sum = 0;
        int n = 400;
        parse_ok(s, cases[2].spec);
        assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, L, PREC, err), FY_OK);
        sum = simpson_vertex2(s, idx, L, n);
        printf("# relu d = 2, sigma_b = 1/2: ");
        arb_printd(V, 17);
        printf(", Simpson %.12g\n", sum);
        assert_true(rig);
        check_contains_d(V, sum, 1e-6, "relu d = 2 with a bias against Simpson");
    }
    /* an infinite cut-off diverges for erf in d = 2 too */
    parse_ok(s, cases[0].spec);
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, cases[0].idx, 4, 0, INFINITY, PREC,
                                             err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "diverges"));
    arb_clear(V);
    arb_clear(W);
    fy_nnft_spec_clear(s);
}

static void test_refusals(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V;
    slong o[4] = {0, 0, 0, 0};
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    parse_ok(s, "activation relu\npoint 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, NULL, s, o, 4, 0, INFINITY, PREC, err),
                     FY_EINPUT);
    assert_non_null(strstr(err->msg, "diverges"));
    fy_error_clear(err);
    parse_ok(s, "activation erf\npoint 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, NULL, s, o, 4, 0, INFINITY, PREC, err),
                     FY_EINPUT);
    assert_non_null(strstr(err->msg, "diverges"));
    fy_error_clear(err);
    assert_int_equal(fy_nnft_vertex_integral(V, NULL, s, o, 4, 0, -1, PREC, err), FY_EINPUT);
    fy_error_clear(err);
    assert_int_equal(fy_nnft_vertex_integral(V, NULL, s, o, 4, 1, 1, PREC, err), FY_EINPUT);
    fy_error_clear(err);
    parse_ok(s, "activation tanh\npoint 1\n");
    assert_int_equal(fy_nnft_vertex_integral(V, NULL, s, o, 4, 0, 1, PREC, err),
                     FY_EUNSUPPORTED);
    arb_clear(V);
    fy_nnft_spec_clear(s);
}

/* The engine's graphs: 15 six-point graphs with 24 contractions each; the contact graph's
 * value is 24 V. */
static void test_graphs(void **state)
{
    fy_feynman_spec_t fs;
    fy_diagram_list_t list;
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t v, V, K, sum;
    slong pts[6] = {0, 1, 2, 3, 4, 5}, g;
    int rig;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    arb_init(v);
    arb_init(V);
    arb_init(K);
    arb_init(sum);
    assert_int_equal(fy_nnft_eft_hms_relu(s, err), FY_OK);
    fy_feynman_spec_init(fs);
    fs->n_points = 4;
    fs->labelled = 1;
    fs->filters = FY_FEYNMAN_NO_VACUUM | FY_FEYNMAN_NO_SELF_LOOPS;
    assert_int_equal(fy_feynman_spec_add_vertices(fs, 4, 1, err), FY_OK);
    fy_diagram_list_init(list);
    assert_int_equal(fy_feynman_generate(list, fs, err), FY_OK);
    assert_int_equal(list->n, 1);
    assert_int_equal(fy_nnft_graph_value(v, &rig, list->d, s, pts, 2, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, pts, 4, 0, 2, PREC, err), FY_OK);
    arb_mul_ui(V, V, 24, PREC);
    assert_true(arb_overlaps(v, V));
    fy_diagram_list_clear(list);
    /* 6 points: 15 graphs x 24; sum of values = 24 sum_pairs K(a,b) V(rest) */
    fs->n_points = 6;
    fy_diagram_list_init(list);
    assert_int_equal(fy_feynman_generate(list, fs, err), FY_OK);
    assert_int_equal(list->n, 15);
    arb_zero(sum);
    for (g = 0; g < list->n; g++)
    {
        assert_true(fmpz_equal_si(fmpq_numref(list->d[g].mult), 24));
        assert_int_equal(fy_nnft_graph_value(v, &rig, list->d + g, s, pts, 2, PREC, err),
                         FY_OK);
        arb_add(sum, sum, v, PREC);
    }
    /* by hand at positive points: each graph 24 K(a,b) prod_rest y / 16 L^5 / 5 with
     * K(a,b) = y_a y_b / 2: 15 * 24 * prod y / 160 * L^5; prod y = 0.2*0.4*...*1.2 =
     * 2*4*6*8*10*12 / 10^6 = 46080 / 10^6 */
    {
        fmpq_t q;
        fmpq_init(q);
        fmpq_set_si(q, 15 * 24 * 46080 * 32, 160);
        fmpz_mul_ui(fmpq_denref(q), fmpq_denref(q), 1000000);
        fmpq_canonicalise(q);
        assert_true(arb_contains_fmpq(sum, q));
        fmpq_clear(q);
    }
    fy_diagram_list_clear(list);
    /* G6_c at O(lambda^2): the 10 tree exchanges (3|3), 1152 contractions each; by hand at
     * positive points each is 1152 / 2! prod y / 128 (L^5 / 5)^2: in all 1.8 prod y L^10 */
    fs->filters = FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS;
    fs->loops = 0;
    assert_int_equal(fy_feynman_spec_add_vertices(fs, 4, 1, err), FY_OK); /* now 4:2 */
    fy_diagram_list_init(list);
    assert_int_equal(fy_feynman_generate(list, fs, err), FY_OK);
    assert_int_equal(list->n, 10);
    arb_zero(sum);
    for (g = 0; g < list->n; g++)
    {
        assert_true(fmpz_equal_si(fmpq_numref(list->d[g].mult), 1152));
        if (fy_nnft_graph_value(v, &rig, list->d + g, s, pts, 1, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_true(rig); /* eft13: the nested rigorous rule */
        arb_add(sum, sum, v, PREC);
    }
    check_contains_d(sum, 1.8 * 0.04608, 1e-9, "exchange graphs");
    check_contains_q(sum, 10368, 125000, "exchange graphs: 1.8 prod y = 10368 / 125000");
    fy_diagram_list_clear(list);
    fy_feynman_spec_clear(fs);
    arb_clear(v);
    arb_clear(V);
    arb_clear(K);
    arb_clear(sum);
    fy_nnft_spec_clear(s);
}

/* [HMS] ReLU at N = 20: lambda = -12.5 / (N Lambda^5) at every tuple, gp_ratio = 50/93,
 * lambda_ratio = 175/186. */
static void test_hms_relu(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_couplings_t c;
    fy_nnft_predict_t p;
    fy_error_t err;
    slong t;
    double g, l, sl;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_couplings_init(c);
    fy_nnft_predict_init(p);
    assert_int_equal(fy_nnft_eft_hms_relu(s, err), FY_OK);
    assert_int_equal(s->width, 20);
    if (fy_nnft_couplings(c, s, NULL, 10, FY_NNFT_NOFACT, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_int_equal(c->count, 126);
    assert_int_equal(c->used, 126);
    for (t = 0; t < c->count; t++)
        check_contains_q(c->lambda + t, -125, 10 * 20 * 100000, "lambda per tuple");
    check_contains_q(c->lambda_mean, -125, 10 * 20 * 100000, "lambda mean");
    if (fy_nnft_predict(p, s, NULL, c->lambda_mean, FY_NNFT_NOFACT, 10, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_int_equal(p->count, 462);
    check_contains_q(p->gp_ratio, 50, 93, "G6_GP / G6");
    check_contains_q(p->lambda_ratio, 175, 186, "(G6_GP + lambda) / G6");
    assert_true(mag_cmp_2exp_si(arb_radref(p->lambda_ratio), -50) < 0);
    /* the factorial convention: lambda 24 times larger, the same prediction */
    if (fy_nnft_couplings(c, s, NULL, 10, FY_NNFT_FACT, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    check_contains_q(c->lambda_mean, -125 * 24, 10 * 20 * 100000, "lambda (fact)");
    if (fy_nnft_predict(p, s, NULL, c->lambda_mean, FY_NNFT_FACT, 10, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    check_contains_q(p->lambda_ratio, 175, 186, "lambda_ratio (fact)");
    /* the summary for the demo */
    if (fy_nnft_eft_summary(&g, &l, &sl, s, 20, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(fabs(g - 50.0 / 93) < 1e-14);
    assert_true(fabs(l - 175.0 / 186) < 1e-14);
    assert_true(fabs(sl + 5) < 1e-12);
    printf("# [HMS] ReLU N = 20: G6_GP/G6 = %.4f, with lambda %.4f, slope %.6f\n", g, l, sl);
    fy_nnft_predict_clear(p);
    fy_nnft_couplings_clear(c);
    fy_nnft_spec_clear(s);
}

/* least squares: all three templates proportional for relu at positive points (dropped);
 * the fitted local coupling is the per-tuple one; more templates never fit worse */
static void test_fit(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_couplings_t c;
    fy_nnft_fit_t f1, f3;
    fy_error_t err;
    fy_nnft_tpl_t all[3] = {FY_NNFT_TPL_LOCAL, FY_NNFT_TPL_X2, FY_NNFT_TPL_NONLOCAL};
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_couplings_init(c);
    assert_int_equal(fy_nnft_eft_hms_relu(s, err), FY_OK);
    assert_int_equal(fy_nnft_couplings(c, s, NULL, 10, FY_NNFT_NOFACT, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_couplings_fit(f3, c, NULL, s, NULL, all, 3, PREC, err), FY_OK);
    assert_false(f3->dropped[0]);
    assert_true(f3->dropped[1]);
    assert_true(f3->dropped[2]);
    assert_true(fabs(f3->coef[0] / (-12.5 / (20 * 1e5)) - 1) < 1e-12);
    assert_true(f3->train_err < 1e-12 && f3->test_err < 1e-12);
    assert_int_equal(f3->ntrain + f3->ntest, 126);
    /* gauss (sigma_b = 1) at the unit points, N = 10: local alone vs all three */
    fy_nnft_couplings_clear(c);
    fy_nnft_couplings_init(c);
    parse_ok(s, "activation gauss\nwidth 10\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_couplings(c, s, NULL, INFINITY, FY_NNFT_NOFACT, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_couplings_fit(f1, c, NULL, s, NULL, all, 1, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_couplings_fit(f3, c, NULL, s, NULL, all, 3, PREC, err), FY_OK);
    assert_true(f3->train_err <= f1->train_err * (1 + 1e-12));
    printf("# gauss N = 10 fit: local train %.3g test %.3g; all three train %.3g test %.3g\n",
           f1->train_err, f1->test_err, f3->train_err, f3->test_err);
    printf("# gauss couplings: local %g, x2-local %g, nonlocal %g\n", f3->coef[0], f3->coef[1],
           f3->coef[2]);
    /* the fitted local coupling lies among the per-tuple ones */
    {
        double lo = INFINITY, hi = -INFINITY;
        slong t;
        for (t = 0; t < c->count; t++)
        {
            double x = arf_get_d(arb_midref(c->lambda + t), ARF_RND_NEAR);
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        assert_true(f1->coef[0] >= lo && f1->coef[0] <= hi);
    }
    fy_nnft_couplings_clear(c);
    fy_nnft_spec_clear(s);
}

/* the cut-off scan: slope -(d + 4) for relu with sigma_b = 0, exact and Monte Carlo G4 */
static void test_rg(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_rg_t r;
    fy_nnft_mc_t mc;
    fy_error_t err;
    double cuts[3] = {1, 10, 100};
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_rg_init(r);
    fy_nnft_mc_init(mc);
    assert_int_equal(fy_nnft_eft_hms_relu(s, err), FY_OK);
    assert_int_equal(fy_nnft_rg_scan(r, s, NULL, cuts, 3, PREC, err), FY_OK);
    printf("# relu d = 1 slope %.17g r2 %.17g\n", r->slope, r->r2);
    assert_true(fabs(r->slope + 5) < 1e-12);
    assert_true(fabs(r->r2 - 1) < 1e-9);
    /* d = 2 from a small ensemble (the slope does not depend on G4) */
    parse_ok(s, "activation relu\nd 2\nsigma_b 0\nwidth 5\npoint 1/2 1\npoint 1 1/5\n");
    assert_int_equal(fy_nnft_sample(mc, s, 2000, 7, 1, err), FY_OK);
    if (fy_nnft_rg_scan(r, s, mc, cuts, 2, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    printf("# relu d = 2 slope %.9f\n", r->slope);
    assert_true(fabs(r->slope + 6) < 1e-6);
    fy_nnft_mc_clear(mc);
    fy_nnft_rg_clear(r);
    fy_nnft_spec_clear(s);
}


/* ------------------------------------------------------------------ vert13 (issue 13)
 * The erf kernel on complex regions (the cubature's ellipse boxes, a second-order form about
 * the midpoint) against the kernel's formula written here in acb at points of each region
 * (principal branches: the continuation wherever the region's ball is finite, |beta| < 1
 * there); the region's ball must be finite on boxes far out where the plain ball of the
 * formula was not (the capability that makes the d = 2 vertices 5 to 10 times faster). */
static void erf_kernel_at(acb_t K, const fmpq *yq, acb_srcptr z, slong d, slong prec)
{
    /* sigma_W = sigma_b = sigma_a = 1: c = 1 / d, K_EFT = (2/pi) asin(2 Sxy / sqrt((1 + 2 Sxx)
     * (1 + 2 Syy))) */
    acb_t sxx, sxy, t;
    arb_t syy, y, pi;
    slong c;
    acb_init(sxx);
    acb_init(sxy);
    acb_init(t);
    arb_init(syy);
    arb_init(y);
    arb_init(pi);
    for (c = 0; c < d; c++)
    {
        arb_set_fmpq(y, yq + c, prec);
        acb_addmul(sxx, z + c, z + c, prec);
        acb_addmul_arb(sxy, z + c, y, prec);
        arb_addmul(syy, y, y, prec);
    }
    acb_div_si(sxx, sxx, d, prec);
    acb_add_ui(sxx, sxx, 1, prec);
    acb_div_si(sxy, sxy, d, prec);
    acb_add_ui(sxy, sxy, 1, prec);
    arb_div_si(syy, syy, d, prec);
    arb_add_ui(syy, syy, 1, prec);
    acb_mul_2exp_si(sxx, sxx, 1);
    acb_add_ui(sxx, sxx, 1, prec);
    arb_mul_2exp_si(syy, syy, 1);
    arb_add_ui(syy, syy, 1, prec);
    acb_mul_arb(t, sxx, syy, prec);
    acb_sqrt(t, t, prec);
    acb_div(t, sxy, t, prec);
    acb_mul_2exp_si(t, t, 1);
    acb_asin(t, t, prec);
    arb_const_pi(pi, prec);
    acb_div_arb(K, t, pi, prec);
    acb_mul_2exp_si(K, K, 1);
    acb_clear(sxx);
    acb_clear(sxy);
    acb_clear(t);
    arb_clear(syy);
    arb_clear(y);
    arb_clear(pi);
}

static void test_vert13_region(void **state)
{
    static const double mids[][3] = {{0, 0, 0},    {0.5, -1, 0.25}, {-1.5, 1.5, 1},
                                     {3, -2, 0.5}, {8, 8, 8},       {-9, 2.5, -6}};
    static const double rads[][2] = {{0.1, 0.05}, {0.5, 0.4}, {1, 1}, {2, 2}};
    fy_nnft_spec_t s;
    fy_error_t err;
    acb_ptr X, z;
    acb_t K, v;
    int d, mi, ri, ax, leg, p, thin, finite = 0, total = 0, far_ok = 1;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    X = _acb_vec_init(3);
    z = _acb_vec_init(3);
    acb_init(K);
    acb_init(v);
    for (d = 2; d <= 3; d++)
    {
        /* leg 2 at (0, 3/4, ..): at the origin its first-order term in coordinate 0 is 0, so
         * the thin regions (the other coordinates nearly fixed) test the second-order ones */
        parse_ok(s, d == 2 ? "activation erf\nd 2\nsigma_b 1\npoint 1 1\npoint -1/2 3/4\n"
                             "point 0 3/4\n"
                           : "activation erf\nd 3\nsigma_b 1\npoint 1 1 -1\npoint -1/2 3/4 0\n"
                             "point 0 3/4 1/2\n");
        for (mi = 0; mi < 6; mi++)
            for (ri = 0; ri < 4; ri++)
                for (ax = 0; ax < d; ax++)
                    for (leg = 0; leg < 3; leg++)
                        for (thin = 0; thin < 2; thin++)
                    {
                        /* coordinate ax complex (an ellipse's box), the others real */
                        int c;
                        double r = rads[ri][0], im = rads[ri][1];
                        for (c = 0; c < d; c++)
                        {
                            acb_set_d(X + c, mids[mi][c]);
                            mag_set_d(arb_radref(acb_realref(X + c)),
                                      thin && c != ax ? 1e-3 : r);
                            if (c == ax)
                                mag_set_d(arb_radref(acb_imagref(X + c)), im);
                        }
                        assert_int_equal(fy_nnft_eft_kernel_region(K, s, leg, X, 64, err),
                                         FY_OK);
                        total++;
                        if (mi >= 4 && ri <= 2 && !acb_is_finite(K))
                            far_ok = 0;
                        if (!acb_is_finite(K))
                            continue;
                        finite++;
                        /* 5^(d + 1) points of the region: each coordinate at m + {-1, -1/2,
                         * 0, 1/2, 1} r, and coordinate ax at i {-1, -1/2, 0, 1/2, 1} im too */
                        for (p = 0; p < (d == 2 ? 125 : 625); p++)
                        {
                            int q = p;
                            for (c = 0; c < d; c++, q /= 5)
                                acb_set_d(z + c, mids[mi][c] + (q % 5 - 2) / 2.0
                                                                  * (thin && c != ax ? 1e-3 : r));
                            arb_set_d(acb_imagref(z + ax), (q % 5 - 2) / 2.0 * im);
                            erf_kernel_at(v, s->points + leg * d, z, d, 128);
                            if (!acb_overlaps(K, v))
                            {
                                printf("# d = %d region %d/%d ax %d leg %d point %d: ", d, mi,
                                       ri, ax, leg, p);
                                acb_printd(K, 10);
                                printf(" misses ");
                                acb_printd(v, 10);
                                printf("\n");
                                fail_msg("K_EFT on a region misses a point's value");
                            }
                        }
                    }
    }
    printf("# erf K_EFT on regions: %d of %d finite, every point's value inside\n", finite,
           total);
    assert_true(far_ok); /* boxes far out (the plain ball was not finite there) */
    assert_true(finite >= total / 2);
    /* refused: d = 1, other activations */
    parse_ok(s, "activation erf\npoint 1\n");
    assert_int_equal(fy_nnft_eft_kernel_region(K, s, 0, X, 64, err), FY_EUNSUPPORTED);
    parse_ok(s, "activation relu\nd 2\npoint 1 1\n");
    assert_int_equal(fy_nnft_eft_kernel_region(K, s, 0, X, 64, err), FY_EUNSUPPORTED);
    _acb_vec_clear(X, 3);
    _acb_vec_clear(z, 3);
    acb_clear(K);
    acb_clear(v);
    fy_nnft_spec_clear(s);
}

/* The cubature with FY_NNFT_CUBE_ENTIRE (bound regions halved freely) on a product with
 * poles near the box, against the product of its 1-d integrals: int_{-1}^{1} dx / (1 + x^2)
 * = pi / 2, int_{-1}^{1} dy / (2 + y) = log 3, int_{-1}^{1} e^z dz = e - 1/e; the result must
 * contain the closed form to 30 bits, in 2 and 3 coordinates. */
static int cube_product(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    acb_t t;
    int dim = *(const int *) param;
    (void) analytic; /* holomorphic wherever finite: the ball of 1/0 is not */
    acb_init(t);
    acb_sqr(t, x, prec);
    acb_add_ui(t, t, 1, prec);
    acb_inv(res, t, prec);
    acb_add_ui(t, x + 1, 2, prec);
    acb_div(res, res, t, prec);
    if (dim == 3)
    {
        acb_exp(t, x + 2, prec);
        acb_mul(res, res, t, prec);
    }
    acb_clear(t);
    return 0;
}

static void test_vert13_cube_entire(void **state)
{
    arb_ptr p = _arb_vec_init(2);
    arb_srcptr pts[3];
    slong np[3] = {2, 2, 2};
    arb_t r, e, t;
    fy_error_t err;
    int dim;
    (void) state;
    fy_error_init(err);
    arb_init(r);
    arb_init(e);
    arb_init(t);
    arb_set_si(p, -1);
    arb_one(p + 1);
    pts[0] = pts[1] = pts[2] = p;
    for (dim = 2; dim <= 3; dim++)
    {
        if (fy_nnft_cube_integrate_opt(r, cube_product, &dim, dim, pts, np, 40, 80,
                                       FY_NNFT_CUBE_ENTIRE, err) != FY_OK)
            fail_msg("%s", err->msg);
        arb_const_pi(e, 128);
        arb_mul_2exp_si(e, e, -1);
        arb_set_ui(t, 3);
        arb_log(t, t, 128);
        arb_mul(e, e, t, 128);
        if (dim == 3)
        {
            arb_const_e(t, 128);
            arb_inv(t, t, 128);
            arb_neg(t, t);
            {
                arb_t u;
                arb_init(u);
                arb_const_e(u, 128);
                arb_add(t, t, u, 128);
                arb_clear(u);
            }
            arb_mul(e, e, t, 128);
        }
        printf("# cube entire dim %d: ", dim);
        arb_printd(r, 17);
        printf(", closed form ");
        arb_printd(e, 17);
        printf("\n");
        assert_true(arb_overlaps(r, e));
        assert_true(arb_rel_accuracy_bits(r) >= 30);
        /* the same integral without the option: the same value, both balls overlap */
        arb_set(t, r);
        if (fy_nnft_cube_integrate(r, cube_product, &dim, dim, pts, np, 40, 80, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_true(arb_overlaps(r, t));
    }
    _arb_vec_clear(p, 2);
    arb_clear(r);
    arb_clear(e);
    arb_clear(t);
}

/* The d = 2 erf vertex of the hms-d2-erf couplings (the four corners, Lambda = 10) against a
 * composite tensor Gauss-Legendre rule in doubles written here (the integrand is analytic:
 * 24 x 24 panels of 16 nodes against 32 x 32 panels, their difference the error estimate,
 * both near 1e-15 relative): the ball must hold the finer value within 1e-12 relative plus
 * the estimate.  (The closed forms of sin in d = 2, 3 of test_vertex_rigorous go through the
 * cubature with FY_NNFT_CUBE_ENTIRE now.) */
static const double gl16_x[8] = {
    0.0950125098376374401853193, 0.2816035507792589132304605, 0.4580167776572273863424194,
    0.6178762444026437484466718, 0.7554044083550030338951012, 0.8656312023878317438804679,
    0.9445750230732325760779884, 0.9894009349916499325961542};
static const double gl16_w[8] = {
    0.1894506104550684962853967, 0.1826034150449235888667637, 0.1691565193950025381893121,
    0.1495959888165767320815017, 0.1246289712555338720524763, 0.0951585116824927848099251,
    0.0622535239386478928628438, 0.0271524594117540948517806};

static double erf_kef_d(const double *x, const double *y)
{
    /* d = 2, sigma_W = sigma_b = sigma_a = 1 */
    double sxx = 1 + (x[0] * x[0] + x[1] * x[1]) / 2, syy = 1 + (y[0] * y[0] + y[1] * y[1]) / 2;
    double sxy = 1 + (x[0] * y[0] + x[1] * y[1]) / 2;
    return 2 / M_PI * asin(2 * sxy / sqrt((1 + 2 * sxx) * (1 + 2 * syy)));
}

static double erf_vertex_gl(const double *ys, double L, int panels)
{
    double h = 2 * L / panels, sum = 0;
    int a, b, i, j, k;
    for (a = 0; a < panels; a++)
        for (b = 0; b < panels; b++)
            for (i = 0; i < 16; i++)
                for (j = 0; j < 16; j++)
                {
                    double x[2], w, f = 1;
                    x[0] = -L + (a + 0.5) * h + (i < 8 ? -1 : 1) * gl16_x[i % 8] * h / 2;
                    x[1] = -L + (b + 0.5) * h + (j < 8 ? -1 : 1) * gl16_x[j % 8] * h / 2;
                    w = gl16_w[i % 8] * gl16_w[j % 8] * h * h / 4;
                    for (k = 0; k < 4; k++)
                        f *= erf_kef_d(x, ys + 2 * k);
                    sum += w * f;
                }
    return sum;
}

static void test_vert13_vertex(void **state)
{
    static const double ys[8] = {-1, -1, -1, 1, 1, -1, 1, 1};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t V, W;
    slong idx[4] = {0, 1, 2, 3};
    double g1, g2;
    int rig;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(V);
    arb_init(W);
    parse_ok(s, "activation erf\nd 2\nsigma_b 1\ninputs hms-d2-erf\n");
    if (fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, 10, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(rig);
    g1 = erf_vertex_gl(ys, 10, 24);
    g2 = erf_vertex_gl(ys, 10, 32);
    printf("# hms-d2-erf vertex (0 1 2 3), Lambda = 10: ");
    arb_printd(V, 17);
    printf(", Gauss-Legendre %.17g (estimate %.2g)\n", g2, fabs(g1 - g2));
    arb_set_d(W, g2);
    {
        arb_t r;
        arb_init(r);
        arb_set_d(r, 1e-12 * fabs(g2) + fabs(g1 - g2));
        arb_add_error(W, r);
        arb_clear(r);
    }
    assert_true(arb_overlaps(V, W));
    assert_true(arb_rel_accuracy_bits(V) >= 34);
    arb_clear(V);
    arb_clear(W);
    fy_nnft_spec_clear(s);
}

/* The vertex cache of a couplings run and the legs mapped to their least image under the
 * signed permutations of the coordinates: the couplings' templates (cached, sin on the
 * hms-d2-erf square, whose 35 tuples have 8 distinct vertices, some 0 by symmetry) bit for
 * bit those of
 * fy_nnft_template one at a time (no cache); a vertex bit for bit that of its images under
 * the square's symmetries (the points permuted: x -> -x swaps points 0 <-> 2 and 1 <-> 3,
 * x <-> y swaps 1 <-> 2), and both against the closed form where one is known. */
static void test_vert13_cache(void **state)
{
    static const slong img[4][4] = {{0, 1, 2, 3}, {2, 3, 0, 1}, {0, 2, 1, 3}, {3, 1, 2, 0}};
    fy_nnft_spec_t s;
    fy_nnft_couplings_t c;
    fy_error_t err;
    arb_t T, V, W;
    slong t, idx[4];
    int rig, g, j;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_couplings_init(c);
    fy_error_init(err);
    arb_init(T);
    arb_init(V);
    arb_init(W);
    parse_ok(s, "activation sin\nd 2\nsigma_b 0\nwidth 10\ninputs hms-d2-erf\n");
    if (fy_nnft_couplings(c, s, NULL, 2, FY_NNFT_NOFACT, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_int_equal(c->count, 35);
    assert_true(c->rigorous);
    for (t = 0; t < c->count; t++)
    {
        if (fy_nnft_template(T, &rig, FY_NNFT_TPL_LOCAL, s, c->idx + 4 * t, 2, PREC, err)
            != FY_OK)
            fail_msg("%s", err->msg);
        if (!arb_equal(T, c->T + t))
        {
            printf("# tuple %ld: ", (long) t);
            arb_printd(T, 20);
            printf(" uncached, ");
            arb_printd(c->T + t, 20);
            printf(" cached\n");
            fail_msg("the cached template is not bit for bit the uncached one");
        }
    }
    /* (0 0 0 1) vanishes ((x1, x2) -> (-x2, -x1) takes y0 to -y0, fixes y1 and K_EFT is odd
     * in y for sin with sigma_b = 0: the integrand to minus itself): the cubature's
     * tolerance is relative to int |f| (it gave up after 6e6 evaluations before vert13) */
    idx[0] = idx[1] = idx[2] = 0;
    idx[3] = 1;
    if (fy_nnft_vertex_integral(V, &rig, s, idx, 4, 0, 2, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(arb_contains_zero(V));
    assert_true(mag_cmp_2exp_si(arb_radref(V), -40) < 0);
    /* images under the square's symmetries (img[g][i]: the point that point i goes to) */
    for (t = 0; t < c->count; t++)
    {
        assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, c->idx + 4 * t, 4, 0, 2, PREC,
                                                 err), FY_OK);
        for (g = 1; g < 4; g++)
        {
            for (j = 0; j < 4; j++)
                idx[j] = img[g][c->idx[4 * t + 3 - j]];
            assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, idx, 4, 0, 2, PREC, err),
                             FY_OK);
            if (!arb_equal(V, W))
                fail_msg("tuple %ld, symmetry %d: the image's vertex differs", (long) t, g);
        }
    }
    /* erf (no exact G4 needed): the weight-2 vertex and the nonlocal template's 2-leg ones
     * through the same route; a leg order reversed gives the same bits */
    parse_ok(s, "activation erf\nd 2\nsigma_b 1\ninputs hms-d2-erf\n");
    idx[0] = 0;
    idx[1] = 0;
    idx[2] = 1;
    idx[3] = 3;
    assert_int_equal(fy_nnft_vertex_integral(V, &rig, s, idx, 4, 2, 1, PREC, err), FY_OK);
    idx[0] = 3;
    idx[1] = 1;
    idx[2] = 0;
    idx[3] = 0;
    assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, idx, 4, 2, 1, PREC, err), FY_OK);
    assert_true(arb_equal(V, W));
    idx[0] = 2; /* the image under x -> -x: 0 -> 2, 1 -> 3, 3 -> 1 */
    idx[1] = 2;
    idx[2] = 3;
    idx[3] = 1;
    assert_int_equal(fy_nnft_vertex_integral(W, &rig, s, idx, 4, 2, 1, PREC, err), FY_OK);
    assert_true(arb_equal(V, W));
    arb_clear(T);
    arb_clear(V);
    arb_clear(W);
    fy_nnft_couplings_clear(c);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_names),
        cmocka_unit_test(test_eft_kernel),
        cmocka_unit_test(test_vertex_relu_exact),
        cmocka_unit_test(test_vertex_gauss),
        cmocka_unit_test(test_vertex_quadrature),
        cmocka_unit_test(test_vertex_nested),
        cmocka_unit_test(test_vertex_rigorous),
        cmocka_unit_test(test_vertex_former),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_graphs),
        cmocka_unit_test(test_hms_relu),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_rg),
        cmocka_unit_test(test_vert13_region),
        cmocka_unit_test(test_vert13_cube_entire),
        cmocka_unit_test(test_vert13_vertex),
        cmocka_unit_test(test_vert13_cache),
    };
    return cmocka_run_group_tests_name("nnft_eft", tests, NULL, NULL) ? 1 : 0;
}
