/* test_nnft_euclid: fields from neurons (src/nnft/euclid*.c; issue 14, first half).
 *
 * Every number against a second route: the power spectra of the talk's two examples against
 * their closed forms (computed here from vol(ball) = 2 Lambda, 4 pi Lambda^3 / 3), the
 * position space of example 2 against (sigma_a^2/2) e^(-m|x|) and of its F = prop variant
 * against (sigma_a^2 / (4 m^2)) (1 + m|x|) e^(-m|x|), example 1 against a direct
 * composite-Simpson quadrature in double (d = 1: cos(kr); d = 3: sin(kr)/(kr)) and at r = 0
 * against (3 / Lambda^3) (Lambda - m atan(Lambda / m)), the ball with F = 1 against its
 * elementary Fourier transforms, the Lorentzian fourth moment against a Simpson quadrature,
 * the connected 4-point function at coincident points against (3K/8 - 3/4) sigma_a^4 / N
 * (by hand from the sign-vector average), the plain Cos-net through the new route against
 * the existing one (exact.c), exact against Monte Carlo (fixed seeds, 4 standard errors),
 * Cos-net's G4_c translation invariant to the last bit and Gauss-net's not, and the common
 * shape exp(-sigma_W^2 r^2 / (2d)) of both G2. */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/util.h"
#include "nnftutil.h"
#include "testutil.h"

#define PREC 128

static void parse_fails(const char *text, const char *where)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    assert_int_equal(fy_nnft_spec_parse(s, text, "spec", err), FY_EINPUT);
    if (strstr(err->msg, where) == NULL)
        fail_msg("expected '%s' in: %s", where, err->msg);
    fy_nnft_spec_clear(s);
}

/* x (a ball) holds the double ref up to rel (relative), and is tight. */
static void near_d(const arb_t x, double ref, double rel, const char *what)
{
    double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    if (!(fabs(mid - ref) <= rel * fabs(ref) + 1e-300) || mag_cmp_2exp_si(arb_radref(x), -40) > 0)
        fail_msg("%s: %.17g (radius %.3g) against %.17g", what, mid,
                 mag_get_d(arb_radref(x)), ref);
}

static void overlaps(const arb_t x, const arb_t y, const char *what)
{
    if (!arb_overlaps(x, y) || mag_cmp_2exp_si(arb_radref(x), -60) > 0)
    {
        char *a = arb_get_str(x, 25, 0), *b = arb_get_str(y, 25, 0);
        fail_msg("%s: %s against %s", what, a, b);
    }
}

static void test_spec_keys(void **state)
{
    fy_nnft_spec_t s, t;
    fy_error_t err;
    fmpq_t q;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    fmpq_init(q);
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist ball\nF prop\nmass 1/2\nLambda 3\nd 3\n"
                "point 0 0 0\npoint 1 0 0\n");
    assert_int_equal(s->b_dist, FY_NNFT_B_BALL);
    assert_int_equal(s->F, FY_NNFT_F_PROP);
    fmpq_set_si(q, 1, 2);
    assert_true(fmpq_equal(s->mass, q));
    fmpq_set_si(q, 3, 1);
    assert_true(fmpq_equal(s->Lambda, q));
    assert_true(fy_nnft_is_euclid(s));
    assert_int_equal(fy_nnft_spec_set(t, s, err), FY_OK);
    assert_int_equal(t->b_dist, FY_NNFT_B_BALL);
    assert_true(fmpq_equal(t->Lambda, q));
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\npoint 0\n");
    assert_false(fy_nnft_is_euclid(s)); /* the Cos-net itself */
    parse_fails("activation erf\nb_dist ball\nLambda 1\n", "activation cos");
    parse_fails("activation cos\nsigma_b 0\nb_dist ball\n", "Lambda");
    parse_fails("activation cos\nsigma_b 0\nb_dist lorentz\nmass 1\nd 2\n", "d 1");
    parse_fails("activation cos\nsigma_b 0\nF prop\n", "mass");
    parse_fails("activation cos\nsigma_b 0\nb_dist cube\n", "spec:3:8: unknown b_dist");
    parse_fails("activation cos\nsigma_b 0\nmass -1\n", "mass must be positive");
    fmpq_clear(q);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

/* Example 1 (ball, F prop) and example 2 (Lorentzian, F one): G(p) against the talk. */
static void test_power_spectra(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t p, G, ref, t;
    int d, k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(p);
    arb_init(G);
    arb_init(ref);
    arb_init(t);
    for (d = 1; d <= 3; d += 2)
    {
        char text[256];
        snprintf(text, sizeof text, "activation cos\nsigma_b 0\nsigma_a 3/2\nb_dist ball\n"
                 "F prop\nmass 1/2\nLambda 2\nd %d\n", d);
        parse_ok(s, text);
        for (k = 0; k < 5; k++)
        {
            /* sigma_a^2 (2 pi)^d / (2 vol) / (p^2 + m^2), vol = 2 Lambda or 4 pi Lambda^3/3 */
            arb_set_si(p, 2 * k + 1);
            arb_div_si(p, p, 5, PREC); /* 0.2, 0.6, 1.0, 1.4, 1.8 < Lambda */
            assert_int_equal(fy_nnft_power_spectrum(G, s, p, PREC, err), FY_OK);
            arb_const_pi(t, PREC);
            arb_mul_2exp_si(t, t, 1);
            arb_pow_ui(ref, t, (ulong) d, PREC);
            arb_mul_ui(ref, ref, 9, PREC);
            arb_div_ui(ref, ref, 8, PREC); /* sigma_a^2 / 2 */
            if (d == 1)
                arb_div_ui(ref, ref, 4, PREC);
            else
            {
                arb_const_pi(t, PREC);
                arb_mul_ui(t, t, 32, PREC);
                arb_div_ui(t, t, 3, PREC);
                arb_div(ref, ref, t, PREC);
            }
            arb_sqr(t, p, PREC);
            arb_mul_2exp_si(t, t, 2);
            arb_add_ui(t, t, 1, PREC);
            arb_mul_2exp_si(t, t, -2); /* p^2 + 1/4 */
            arb_div(ref, ref, t, PREC);
            overlaps(G, ref, "example 1 power spectrum");
        }
        arb_set_si(p, 3); /* beyond the ball */
        assert_int_equal(fy_nnft_power_spectrum(G, s, p, PREC, err), FY_OK);
        assert_true(arb_is_zero(G));
    }
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 2\nb_dist lorentz\nmass 3/2\n");
    for (k = 0; k < 4; k++)
    {
        /* sigma_a^2 m / (p^2 + m^2) */
        arb_set_si(p, k);
        assert_int_equal(fy_nnft_power_spectrum(G, s, p, PREC, err), FY_OK);
        arb_set_si(ref, 6);
        arb_set_si(t, 4 * k * k + 9);
        arb_div_ui(t, t, 4, PREC);
        arb_div(ref, ref, t, PREC);
        overlaps(G, ref, "example 2 power spectrum");
    }
    arb_clear(p);
    arb_clear(G);
    arb_clear(ref);
    arb_clear(t);
    fy_nnft_spec_clear(s);
}

/* Example 2 in position space through fy_nnft_kernel: (sigma_a^2 / 2) e^(-m |x - y|); and
 * with F = prop, (sigma_a^2 / (4 m^2)) (1 + m r) e^(-m r). */
static void test_example2_position(void **state)
{
    static const double x[4] = {0, 0.5, -1.25, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t K;
    int i, j, f;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    for (f = 0; f < 2; f++)
    {
        parse_ok(s, f ? "activation cos\nsigma_b 0\nsigma_a 2\nb_dist lorentz\nF prop\n"
                        "mass 3/2\npoint 0\npoint 1/2\npoint -5/4\npoint 2\n"
                      : "activation cos\nsigma_b 0\nsigma_a 2\nb_dist lorentz\nmass 3/2\n"
                        "point 0\npoint 1/2\npoint -5/4\npoint 2\n");
        for (i = 0; i < 4; i++)
            for (j = 0; j < 4; j++)
            {
                double r = fabs(x[i] - x[j]), m = 1.5;
                double ref = f ? 4.0 / (4 * m * m) * (1 + m * r) * exp(-m * r)
                               : 2.0 * exp(-m * r);
                assert_int_equal(fy_nnft_kernel(K, s, i, j, PREC, err), FY_OK);
                near_d(K, ref, 1e-14, f ? "Lorentzian, F prop" : "example 2 position space");
            }
    }
    arb_clear(K);
    fy_nnft_spec_clear(s);
}

/* (d / L^d) int_0^L k^(d-1) omega_d(k r) / (k^2 + m^2)^n dk by composite Simpson in double. */
static double simpson_ball(int d, double L, double m, int n, double r)
{
    const int steps = 20000;
    double h = L / steps, acc = 0;
    int i;
    for (i = 0; i <= steps; i++)
    {
        double k = i * h, t = k * r, om, v;
        om = d == 1 ? cos(t) : (t == 0 ? 1.0 : sin(t) / t);
        v = pow(k, d - 1) * om / pow(k * k + m * m, n);
        acc += v * (i == 0 || i == steps ? 1 : (i & 1) ? 4 : 2);
    }
    return acc * h / 3 * d / pow(L, d);
}

/* Example 1 in position space: the exact radial integral against Simpson; r = 0 in d = 3
 * against its closed form; the ball with F = 1 against sin(t)/t and 3 (sin t - t cos t)/t^3. */
static void test_example1_position(void **state)
{
    static const char *const r2s[4] = {"0", "1/4", "9/4", "49/4"};
    static const double rs[4] = {0, 0.5, 1.5, 3.5};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t R, ref, t;
    fmpq_t r2;
    int d, k, n;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(R);
    arb_init(ref);
    arb_init(t);
    fmpq_init(r2);
    for (d = 1; d <= 3; d += 2)
    {
        char text[256];
        snprintf(text, sizeof text, "activation cos\nsigma_b 0\nb_dist ball\nF prop\n"
                 "mass 1/2\nLambda 2\nd %d\n", d);
        parse_ok(s, text);
        for (k = 0; k < 4; k++)
            for (n = 1; n <= 2; n++)
            {
                fy_fmpq_parse(r2, r2s[k], NULL);
                assert_int_equal(fy_nnft_euclid_radial(R, s, 2 * n, r2, 64, err), FY_OK);
                near_d(R, simpson_ball(d, 2.0, 0.5, n, rs[k]), 1e-9, "ball radial integral");
            }
    }
    /* d = 3, r = 0, M = 2: (3 / L^3) (L - m atan(L / m)) with L = 2, m = 1/2 */
    fmpq_zero(r2);
    assert_int_equal(fy_nnft_euclid_radial(R, s, 2, r2, PREC, err), FY_OK);
    arb_set_ui(t, 4);
    arb_atan(t, t, PREC);
    arb_mul_2exp_si(t, t, -1);
    arb_set_ui(ref, 2);
    arb_sub(ref, ref, t, PREC);
    arb_mul_ui(ref, ref, 3, PREC);
    arb_div_ui(ref, ref, 8, PREC);
    overlaps(R, ref, "ball d = 3 at r = 0");
    /* F = 1: the ball's Fourier transforms */
    for (d = 1; d <= 3; d += 2)
    {
        char text[256];
        snprintf(text, sizeof text, "activation cos\nsigma_b 0\nb_dist ball\nLambda 2\nd %d\n",
                 d);
        parse_ok(s, text);
        for (k = 1; k < 4; k++)
        {
            double tt = 2.0 * rs[k];
            double ref_d = d == 1 ? sin(tt) / tt
                                  : 3 * (sin(tt) - tt * cos(tt)) / (tt * tt * tt);
            fy_fmpq_parse(r2, r2s[k], NULL);
            assert_int_equal(fy_nnft_euclid_radial(R, s, 2, r2, PREC, err), FY_OK);
            near_d(R, ref_d, 1e-13, "ball, F = 1");
        }
    }
    arb_clear(R);
    arb_clear(ref);
    arb_clear(t);
    fmpq_clear(r2);
    fy_nnft_spec_clear(s);
}

/* The Lorentzian fourth moment with F prop: (m / pi) int cos(b r) / (b^2 + m^2)^3 db, with
 * b = m tan(u): (1 / (pi m^4)) int_(-pi/2)^(pi/2) cos(m r tan u) cos^4 u du by Simpson. */
static void test_lorentz_moment(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t R;
    fmpq_t r2;
    const double m = 1.5, r = 0.75;
    const int steps = 400000;
    double h = M_PI / steps, acc = 0;
    int i;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(R);
    fmpq_init(r2);
    for (i = 1; i < steps; i++)
    {
        double u = -M_PI / 2 + i * h, c = cos(u);
        acc += cos(m * r * tan(u)) * c * c * c * c * ((i & 1) ? 4 : 2);
    }
    acc *= h / 3 / (M_PI * m * m * m * m);
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist lorentz\nF prop\nmass 3/2\n");
    fmpq_set_si(r2, 9, 16);
    assert_int_equal(fy_nnft_euclid_radial(R, s, 4, r2, PREC, err), FY_OK);
    near_d(R, acc, 1e-9, "Lorentzian fourth moment");
    arb_clear(R);
    fmpq_clear(r2);
    fy_nnft_spec_clear(s);
}

/* G4_c at four coincident points = kappa_4 / N = (3K/8 - 3/4) sigma_a^4 / N for F = 1 (every
 * R = 1 at r = 0): mu_4 = sigma_a^4 K 2^-3 3, mu_2 = sigma_a^2 / 2. */
static void test_g4_coincident(void **state)
{
    static const slong id[4] = {0, 0, 0, 0};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t G;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(G);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 2\nkurtosis 5\nwidth 7\nb_dist lorentz\n"
                "mass 1\npoint 1/3\n");
    assert_int_equal(fy_nnft_connected(G, s, id, 4, PREC, err), FY_OK);
    near_d(G, (15.0 / 8 - 3.0 / 4) * 16 / 7, 1e-15, "G4_c at coincident points");
    arb_clear(G);
    fy_nnft_spec_clear(s);
}

/* The plain Cos-net through fy_nnft_euclid_moment against the Cos-net of exact.c. */
static void test_cosnet_two_routes(void **state)
{
    static const slong idx[6] = {0, 1, 2, 3, 1, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t a, b;
    int m;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_W 3/2\nsigma_a 1/2\nkurtosis 4\nd 2\n"
                "point 0 1\npoint 1/2 -1\npoint 2 1/3\npoint -1 0\n");
    for (m = 2; m <= 6; m += 2)
    {
        assert_int_equal(fy_nnft_euclid_moment(a, s, idx, m, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_moment(b, s, idx, m, PREC, err), FY_OK);
        overlaps(a, b, "Cos-net moment, two routes");
    }
    assert_int_equal(fy_nnft_euclid_moment(a, s, idx, 3, PREC, err), FY_OK);
    assert_true(arb_is_zero(a));
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
}

static void test_exact_vs_mc(void **state)
{
    (void) state;
    mc_check("activation cos\nsigma_b 0\nwidth 3\nb_dist ball\nF prop\nmass 1/2\nLambda 2\n"
             "point 0\npoint 1/2\npoint 1\npoint 5/2\n", 20000, 11);
    mc_check("activation cos\nsigma_b 0\nwidth 2\nsigma_a 2\nkurtosis 6\nb_dist lorentz\n"
             "mass 3/2\npoint 0\npoint 1/2\npoint -1\n", 20000, 12);
    mc_check("activation cos\nsigma_b 0\nwidth 4\nb_dist ball\nF prop\nmass 1\nLambda 3\nd 3\n"
             "point 0 0 0\npoint 1/2 0 0\npoint 0 1 1\n", 10000, 13);
    /* the Z2 switch: a_mean and a phase window (G2 from the all-partition sum) */
    mc_check("activation cos\nsigma_b 0\nwidth 2\nsigma_W 2\na_mean 3/2\nphase 1/3\n"
             "point 0\npoint 1/2\npoint 1\n", 20000, 14);
}

/* G4_c of the ball ensemble is translation invariant at finite N: the same ball to the bit. */
static void test_ball_translation(void **state)
{
    static const slong id[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s, u;
    fy_error_t err;
    arb_t a, b;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(u);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 5\nb_dist ball\nF prop\nmass 1\nLambda 2\n"
                "point 0\npoint 1/2\npoint 1\npoint 2\n");
    parse_ok(u, "activation cos\nsigma_b 0\nwidth 5\nb_dist ball\nF prop\nmass 1\nLambda 2\n"
                "point 7/3\npoint 17/6\npoint 10/3\npoint 13/3\n");
    assert_int_equal(fy_nnft_connected(a, s, id, 4, 64, err), FY_OK);
    assert_int_equal(fy_nnft_connected(b, u, id, 4, 64, err), FY_OK);
    assert_false(arb_contains_zero(a));
    assert_true(arb_equal(a, b));
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(u);
}

/* The duality table: same G2 shape, Cos-net G4_c invariant, Gauss-net's not. */
static void test_duality(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_duality_t t;
    fy_error_t err;
    fmpq sh[4];
    arb_t ref;
    slong k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_duality_init(t);
    fy_error_init(err);
    arb_init(ref);
    for (k = 0; k < 4; k++)
    {
        fmpq_init(sh + k);
        fmpq_set_si(sh + k, k, 2); /* 0, 1/2, 1, 3/2 */
    }
    parse_ok(s, "activation gauss\nsigma_b 0\nsigma_W 1\nwidth 10\n"
                "point 0\npoint 1/5\npoint -1/5\npoint 1/2\n");
    assert_int_equal(fy_nnft_duality(t, s, sh, 4, PREC, err), FY_OK);
    /* exp(-sigma_W^2 (1/5)^2 / 2) */
    arb_set_si(ref, -1);
    arb_div_ui(ref, ref, 50, PREC);
    arb_exp(ref, ref, PREC);
    for (k = 0; k < 4; k++)
    {
        overlaps(t->g2_cos + k, ref, "Cos-net G2 shape");
        overlaps(t->g2_gauss + k, ref, "Gauss-net G2 shape");
        assert_false(arb_contains_zero(t->g4_cos + k));
    }
    assert_true(arb_contains_zero(t->spread_cos));
    assert_true(mag_cmp_2exp_si(arb_radref(t->spread_cos), -100) < 0);
    assert_true(arb_is_positive(t->spread_gauss));
    assert_true(arf_cmpabs_2exp_si(arb_midref(t->spread_gauss), -4) > 0); /* > 1/16 */
    assert_int_equal(fy_nnft_duality(t, s, sh, 0, PREC, err), FY_EINPUT);
    for (k = 0; k < 4; k++)
        fmpq_clear(sh + k);
    arb_clear(ref);
    fy_nnft_duality_clear(t);
    fy_nnft_spec_clear(s);
}

/* The spectrum table: grids, exact values, Monte Carlo column. */
static void test_spectrum(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_spectrum_t sp;
    fy_error_t err;
    fmpq_t pmax, xmax;
    slong j;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spectrum_init(sp);
    fy_error_init(err);
    fmpq_init(pmax);
    fmpq_init(xmax);
    fmpq_set_si(pmax, 4, 1);
    fmpq_set_si(xmax, 2, 1);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 1\nwidth 2\nb_dist lorentz\nmass 1\n");
    assert_int_equal(fy_nnft_spectrum(sp, s, pmax, 5, xmax, 5, 20000, 3, 64, err), FY_OK);
    assert_int_equal(sp->np, 5);
    near_d(sp->Gp + 4, 1.0 / 17, 1e-14, "G(4)");
    for (j = 0; j < 5; j++)
    {
        double x = 0.5 * (double) j, ex = 0.5 * exp(-x);
        near_d(sp->G2 + j, ex, 1e-14, "G2(x)");
        if (fabs(sp->mc_mean[j] - ex) > 4 * sp->mc_se[j])
            fail_msg("spectrum Monte Carlo at x = %g: %g +- %g, exact %g", x, sp->mc_mean[j],
                     sp->mc_se[j], ex);
    }
    parse_ok(s, "activation erf\nsigma_b 1\n");
    assert_int_equal(fy_nnft_spectrum(sp, s, pmax, 5, xmax, 5, 0, 0, 64, err), FY_EINPUT);
    fmpq_clear(pmax);
    fmpq_clear(xmax);
    fy_nnft_spectrum_clear(sp);
    fy_nnft_spec_clear(s);
}

/* The Z2 switch: phi -> -phi survives a_mean alone (c -> c + pi) and phase alone (a -> -a);
 * with both, E phi(x) = a_mean sinc(phase) exp(-sigma_W^2 x^2 / 2) (d = 1, F = 1), odd
 * correlators appear, and translation invariance goes with the phase window. */
/* qft14: the sampler draws the Euclidean layers too (their numbers are checked against the
 * exact G4 in test_nnft_euclid_sample.c); the Cos-net keeps its own draws. */
static void test_sampler_takes_euclid(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_error_t err;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_error_init(err);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\nd 1\nb_dist lorentz\nmass 1\npoint 0\n"
                "point 1\n");
    assert_int_equal(fy_nnft_sample(mc, s, 20, 1, 1, err), FY_OK);
    assert_int_equal(mc->count[1], 5);
    fy_nnft_mc_clear(mc);
    fy_nnft_mc_init(mc);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\npoint 0\npoint 1\n");
    assert_int_equal(fy_nnft_sample(mc, s, 20, 1, 1, err), FY_OK);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
}

static void test_z2_switch(void **state)
{
    static const slong one[1] = {1}, three[3] = {0, 1, 2};
    static const char *const base = "activation cos\nsigma_b 0\nwidth 3\npoint 0\npoint 1/2\n"
                                    "point 1\n";
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t G, H, ref;
    char text[256];
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(G);
    arb_init(H);
    arb_init(ref);
    snprintf(text, sizeof text, "%sa_mean 1/2\n", base);
    parse_ok(s, text);
    assert_false(fy_nnft_has_odd(s));
    assert_int_equal(fy_nnft_correlator(G, s, one, 1, PREC, err), FY_OK);
    assert_true(arb_is_zero(G));
    assert_int_equal(fy_nnft_euclid_correlator(G, s, three, 3, PREC, err), FY_OK);
    assert_true(arb_is_zero(G));
    snprintf(text, sizeof text, "%sphase 1/2\n", base);
    parse_ok(s, text);
    assert_false(fy_nnft_has_odd(s));
    assert_int_equal(fy_nnft_euclid_correlator(G, s, three, 3, PREC, err), FY_OK);
    assert_true(arb_is_zero(G));
    snprintf(text, sizeof text, "%sa_mean 1/2\nphase 1/2\n", base);
    parse_ok(s, text);
    assert_true(fy_nnft_has_odd(s));
    assert_int_equal(fy_nnft_correlator(G, s, one, 1, PREC, err), FY_OK);
    /* (1/2) (2/pi) exp(-1/8) */
    arb_set_si(ref, -1);
    arb_div_ui(ref, ref, 8, PREC);
    arb_exp(ref, ref, PREC);
    arb_const_pi(H, PREC);
    arb_div(ref, ref, H, PREC);
    overlaps(G, ref, "one-point function with Z2 broken");
    assert_int_equal(fy_nnft_correlator(G, s, three, 3, PREC, err), FY_OK);
    assert_false(arb_contains_zero(G));
    {
        /* G2(0, 1/2) against G2(1/2, 1): the phase window breaks translations */
        slong p01[2] = {0, 1}, p12[2] = {1, 2};
        assert_int_equal(fy_nnft_correlator(G, s, p01, 2, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_correlator(H, s, p12, 2, PREC, err), FY_OK);
        assert_false(arb_overlaps(G, H));
    }
    parse_fails("activation cos\nsigma_b 0\nphase 3/2\n", "phase");
    parse_fails("activation cos\nsigma_b 0\na_mean 1\nkurtosis 4\n", "kurtosis 3");
    parse_fails("activation erf\na_mean 1\n", "activation cos");
    arb_clear(G);
    arb_clear(H);
    arb_clear(ref);
    fy_nnft_spec_clear(s);
}

/* The all-partition sums against exact.c's even-partition tables where both apply. */
static void test_partition_routes(void **state)
{
    static const slong idx[6] = {0, 1, 2, 3, 0, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t a, b;
    int n;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\nkurtosis 4\nb_dist ball\nLambda 2\nd 2\n"
                "point 0 0\npoint 1/2 0\npoint 0 1\npoint 1 1\n");
    for (n = 2; n <= 6; n += 2)
    {
        assert_int_equal(fy_nnft_euclid_correlator(a, s, idx, n, 96, err), FY_OK);
        assert_int_equal(fy_nnft_correlator(b, s, idx, n, 96, err), FY_OK);
        overlaps(a, b, "G(n), two partition sums");
        assert_int_equal(fy_nnft_euclid_connected(a, s, idx, n, 96, err), FY_OK);
        assert_int_equal(fy_nnft_connected(b, s, idx, n, 96, err), FY_OK);
        overlaps(a, b, "G(n)_c, two partition sums");
    }
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_keys),
        cmocka_unit_test(test_power_spectra),
        cmocka_unit_test(test_example2_position),
        cmocka_unit_test(test_example1_position),
        cmocka_unit_test(test_lorentz_moment),
        cmocka_unit_test(test_g4_coincident),
        cmocka_unit_test(test_cosnet_two_routes),
        cmocka_unit_test(test_exact_vs_mc),
        cmocka_unit_test(test_ball_translation),
        cmocka_unit_test(test_duality),
        cmocka_unit_test(test_spectrum),
        cmocka_unit_test(test_z2_switch),
        cmocka_unit_test(test_partition_routes),
        cmocka_unit_test(test_sampler_takes_euclid),
    };
    return cmocka_run_group_tests_name("nnft_euclid", tests, NULL, NULL) ? 1 : 0;
}
