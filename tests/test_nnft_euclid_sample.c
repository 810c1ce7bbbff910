/* test_nnft_euclid_sample.c - fields from neurons, qft14 (issue 14): the ensemble sampler
 * (fy_nnft_sample, fy_nnft_network_outputs, fy_nnft_symmetry_mc) on user-given and deeper
 * layers, F user with Gaussian and Lorentzian b, rho(p, tau) of user layers (src/nnft/mc.c,
 * euclid.c, euclid_mc.c, euclid_kl.c).
 *
 * Checked against: the exact 4-point functions of the single layer and of the linear g
 * (fy_nnft_correlator, 4 standard errors at fixed seeds); the two-point Monte Carlo of
 * euclid_mc.c on the same networks; zero for the invariant ensembles' symmetry measurement
 * (and a clear violation for a broken one); closed forms (erf, atan, exp) and composite
 * Simpson written here for F user on Gaussian and Lorentzian b; the built-in ball's rho in
 * closed form (and its rigorous quadrature) through a user density equal to it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnftutil.h"

#define SEED 20261206u

static double mid(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

/* ------------------------------------------------------------------ the sampler */

/* The sampler's G2 (n = 2 tuples) against fy_nnft_euclid_mc_g2 on the same networks (the
 * same draws, summed in another order), and its G4 against the exact 4-point function
 * within 4 standard errors (exact: 1 when fy_nnft_correlator gives it). */
static void sample_check(const char *text, uint64_t M, int exact)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_error_t err;
    double mean[64], se[64];
    arb_t G;
    slong t;
    double worst = 0;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_error_init(err);
    arb_init(G);
    parse_ok(s, text);
    printf("# sampler: seed %u, %llu networks\n", SEED, (unsigned long long) M);
    if (fy_nnft_sample(mc, s, M, SEED, 1, err) != FY_OK)
        fail_msg("sample: %s", err->msg);
    if (fy_nnft_euclid_mc_g2(mean, se, s, M, SEED, err) != FY_OK)
        fail_msg("mc_g2: %s", err->msg);
    assert_int_equal(mc->count[0], s->npoints * (s->npoints + 1) / 2);
    for (t = 0; t < mc->count[0]; t++) /* the pairs in the same order */
    {
        assert_true(fabs(mc->mean[0][t] - mean[t]) <= 1e-12 * (fabs(mean[t]) + se[t]));
        assert_true(fabs(mc->se[0][t] - se[t]) <= 1e-9 * se[t]);
    }
    for (t = 0; exact && t < mc->count[1]; t++)
    {
        const slong *ix = mc->idx[1] + 4 * t;
        double z;
        if (fy_nnft_correlator(G, s, ix, 4, 64, err) != FY_OK)
            fail_msg("correlator: %s", err->msg);
        assert_true(mc->se[1][t] > 0);
        z = (mc->mean[1][t] - mid(G)) / mc->se[1][t];
        if (fabs(z) > worst)
            worst = fabs(z);
        if (fabs(z) > 4)
            fail_msg("G4(%ld %ld %ld %ld): Monte Carlo %.6g +- %.2g, exact %.6g (z %.2f)",
                     (long) ix[0], (long) ix[1], (long) ix[2], (long) ix[3], mc->mean[1][t],
                     mc->se[1][t], mid(G), z);
    }
    if (exact)
        printf("#   G4 over %ld tuples: largest |z| %.2f\n", (long) mc->count[1], worst);
    arb_clear(G);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
}

static void test_sample_user(void **state)
{
    (void) state;
    /* a user density and F in d = 1 (the moments mu_4 by quadrature), and in d = 2 */
    sample_check("activation cos\nsigma_b 0\nwidth 2\nb_dist user\nb_density 0 1 0 1\n"
                 "b_density 1 2 2 -1\nF user\nF_piece 0 2 1 1/2\n"
                 "point 0\npoint 1/2\npoint 3/2\n", 40000, 1);
    sample_check("activation cos\nsigma_b 0\nwidth 3\nd 2\nkurtosis 6\nb_dist user\n"
                 "b_density 0 2 1 1\npoint 0 0\npoint 1/2 0\npoint 0 1\n", 40000, 1);
    /* the built-in laws go through the same sampler too: the ball with F prop, Lorentzian */
    sample_check("activation cos\nsigma_b 0\nwidth 3\nd 1\nb_dist ball\nLambda 2\nF prop\n"
                 "mass 1\npoint 0\npoint 1\npoint 2\n", 40000, 1);
    sample_check("activation cos\nsigma_b 0\nwidth 2\nb_dist lorentz\nmass 1\n"
                 "point 0\npoint 1/2\npoint 1\n", 40000, 1);
}

static void test_sample_deep(void **state)
{
    (void) state;
    /* the linear g: exact G4 = E[S^2] G4 of the single layer of width g_width.  f is a sum
     * of products of Gaussians, f^4 heavy-tailed (its standard error converges slowly): 2e5
     * networks */
    sample_check("activation cos\nsigma_b 0\nwidth 3\nsigma_a 1\ng dense\ng_width 2\n"
                 "g_act linear\nsigma_g 3/2\npoint 0\npoint 1/2\npoint 1\n", 200000, 1);
    sample_check("activation cos\nsigma_b 0\nwidth 2\nd 2\nb_dist ball\nLambda 2\ng dense\n"
                 "g_width 3\ng_act linear\npoint 0 0\npoint 1 0\npoint 0 1\n", 200000, 1);
    /* tanh: no exact value; the sampler's G2 is the two-point Monte Carlo's */
    sample_check("activation cos\nsigma_b 0\nwidth 3\ng dense\ng_width 4\ng_act tanh\n"
                 "sigma_g 2\nsigma_gb 1/2\npoint 0\npoint 1\n", 4000, 0);
}

/* The sampler refuses nothing it used to accept and gives the same numbers for any number of
 * threads; fy_nnft_network_outputs is network k of the sampler. */
static void test_sample_threads(void **state)
{
    static const char *text = "activation cos\nsigma_b 0\nwidth 3\ng dense\ng_width 2\n"
                              "g_act erf\nb_dist user\nb_density 0 1 1\n"
                              "point 0\npoint 1\npoint 2\n";
    fy_nnft_spec_t s;
    fy_nnft_mc_t a, b;
    fy_error_t err;
    double out[3], sum = 0;
    slong t;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(a);
    fy_nnft_mc_init(b);
    fy_error_init(err);
    parse_ok(s, text);
    assert_int_equal(fy_nnft_sample(a, s, 700, SEED, 1, err), FY_OK);
    assert_int_equal(fy_nnft_sample(b, s, 700, SEED, 3, err), FY_OK);
    for (k = 0; k < 3; k++)
        for (t = 0; t < a->count[k]; t++)
            assert_true(a->mean[k][t] == b->mean[k][t] && a->se[k][t] == b->se[k][t]);
    /* the mean of f(x_0)^2 over the first 700 networks, network by network */
    for (k = 0; k < 700; k++)
    {
        assert_int_equal(fy_nnft_network_outputs(out, s, SEED, (uint64_t) k, err), FY_OK);
        sum += out[0] * out[0];
    }
    assert_true(fabs(sum / 700 - a->mean[0][0]) <= 1e-12 * fabs(a->mean[0][0]));
    fy_nnft_mc_clear(a);
    fy_nnft_mc_clear(b);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ symmetry --mc */
static void sym_mc(const char *text, fy_nnft_sym_t g, int n, uint64_t M, int invariant)
{
    fy_nnft_spec_t s;
    fy_nnft_sym_res_t r;
    fy_error_t err;
    fy_nnft_spec_init(s);
    fy_nnft_sym_init(r);
    fy_error_init(err);
    parse_ok(s, text);
    if (fy_nnft_symmetry_mc(r, s, g, n, 4, M, SEED, err) != FY_OK)
        fail_msg("symmetry_mc: %s", err->msg);
    printf("# symmetry --mc %s n = %d, seed %u, %llu networks: zmax %.2f (%s expected)\n",
           fy_nnft_sym_name(g), n, SEED, (unsigned long long) M, r->zmax,
           invariant ? "invariant" : "broken");
    assert_true(r->se > 0);
    if (invariant)
    {
        assert_true(r->zmax < 5);
        assert_int_equal(r->verdict, 1);
    }
    else
    {
        assert_true(r->zmax > 5);
        assert_int_equal(r->verdict, 0);
    }
    fy_nnft_sym_clear(r);
    fy_nnft_spec_clear(s);
}

static void test_symmetry_mc(void **state)
{
    static const char *user2 = "activation cos\nsigma_b 0\nwidth 3\nd 2\nb_dist user\n"
                               "b_density 0 1 0 1\nb_density 1 2 2 -1\nF user\n"
                               "F_piece 0 2 1 1/2\npoint 0 0\npoint 1/2 0\npoint 0 1\n";
    static const char *deep2 = "activation cos\nsigma_b 0\nwidth 3\nd 2\ng dense\ng_width 3\n"
                               "g_act tanh\nsigma_g 2\nsigma_gb 1/2\nb_dist ball\nLambda 2\n"
                               "point 0 0\npoint 1/2 0\npoint 0 1\n";
    (void) state;
    sym_mc(user2, FY_NNFT_SYM_TRANSLATION, 2, 4000, 1);
    sym_mc(user2, FY_NNFT_SYM_ROTATION, 4, 4000, 1);
    sym_mc(deep2, FY_NNFT_SYM_TRANSLATION, 4, 4000, 1);
    sym_mc(deep2, FY_NNFT_SYM_ROTATION, 2, 4000, 1);
    sym_mc(deep2, FY_NNFT_SYM_Z2, 3, 4000, 1);
    /* the control: phase 1/4 with a_mean breaks translations (G2 depends on x + y) */
    sym_mc("activation cos\nsigma_b 0\nwidth 3\nb_dist user\nb_density 0 2 1\n"
           "a_mean 3\nphase 1/4\npoint 0\npoint 1/2\npoint 1\n",
           FY_NNFT_SYM_TRANSLATION, 2, 4000, 0);
}

/* ------------------------------------------------------------------ F user, open laws */

/* R_2 at |y|^2 = r2 of the spec text. */
static void radial(arb_t R, const char *text, const fmpq_t r2)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    parse_ok(s, text);
    if (fy_nnft_euclid_radial(R, s, 2, r2, 128, err) != FY_OK)
        fail_msg("radial: %s", err->msg);
    fy_nnft_spec_clear(s);
}

/* R within tol of the double v, and a narrow ball. */
static void near(const arb_t R, double v, double tol, const char *what)
{
    printf("#   %s: %.15g (expected %.15g)\n", what, mid(R), v);
    assert_true(mag_cmp_2exp_si(arb_radref(R), -60) < 0);
    if (!(fabs(mid(R) - v) <= tol))
        fail_msg("%s: %.17g, expected %.17g", what, mid(R), v);
}

/* composite Simpson of f on [0, K] with n (even) intervals */
static double simpson(double (*f)(double, const double *), const double *par, double K, int n)
{
    double h = K / n, s = f(0, par) + f(K, par);
    int i;
    for (i = 1; i < n; i++)
        s += (i & 1 ? 4 : 2) * f(i * h, par);
    return s * h / 3;
}

/* d = 2 Gaussian (s2 = par[0]), F = 1 + k, at r = par[1]: k e^(-k^2/(2 s2)) F^2 J0(k r) */
static double f_gauss2(double k, const double *par)
{
    return k * exp(-k * k / (2 * par[0])) * (1 + k) * (1 + k) * j0(k * par[1]);
}

/* d = 1 Lorentzian (m = par[0]), F = 1 + k^2/2, at r = par[1] */
static double f_lorentz(double k, const double *par)
{
    double F = 1 + k * k / 2;
    return cos(k * par[1]) * F * F / (k * k + par[0] * par[0]);
}

static void test_fuser_open(void **state)
{
    arb_t R, B;
    fmpq_t r2;
    fy_nnft_spec_t s;
    fy_error_t err;
    double K = 3.0 / 2, m = 0.5, par[2], v;
    (void) state;
    arb_init(R);
    arb_init(B);
    fmpq_init(r2);
    fy_nnft_spec_init(s);
    fy_error_init(err);
    /* Gaussian b, d = 1, sigma_W = 1: F = 1 on [0, 3/2]: R_2(0) = erf(K / sqrt 2); F = k:
     * R_2(0) = E[b^2; |b| < K] = erf(K / sqrt 2) - sqrt(2 / pi) K e^(-K^2/2) */
    radial(R, "activation cos\nsigma_b 0\nF user\nF_piece 0 3/2 1\n", r2);
    near(R, erf(K / sqrt(2.0)), 1e-15, "gauss d=1 F=1 cut at 3/2, R_2(0)");
    radial(R, "activation cos\nsigma_b 0\nF user\nF_piece 0 1 0 1\nF_piece 1 3/2 0 1\n", r2);
    near(R, erf(K / sqrt(2.0)) - sqrt(2 / M_PI) * K * exp(-K * K / 2), 1e-15,
         "gauss d=1 F=k (two pieces), R_2(0)");
    /* far cut-offs give the built-in F one: d = 3, sigma_W 2, F = 1 on [0, 30] */
    fmpq_set_si(r2, 5, 4);
    radial(R, "activation cos\nsigma_b 0\nd 3\nsigma_W 2\nF user\nF_piece 0 30 1\n", r2);
    radial(B, "activation cos\nsigma_b 0\nd 3\nsigma_W 2\n", r2);
    assert_true(arb_overlaps(R, B));
    near(R, exp(-4.0 * 1.25 / 6), 1e-15, "gauss d=3 F=1 on [0,30], R_2 at r^2 = 5/4");
    /* polynomial F = 1 + k on [0, 2], d = 2 (s2 = 1/2), r = 1: Simpson with J0 */
    fmpq_set_si(r2, 1, 1);
    radial(R, "activation cos\nsigma_b 0\nd 2\nF user\nF_piece 0 2 1 1\n", r2);
    par[0] = 0.5;
    par[1] = 1;
    v = simpson(f_gauss2, par, 2, 2000) / 0.5; /* int_0^inf k e^(-k^2/(2 s2)) dk = s2 */
    near(R, v, 1e-11, "gauss d=2 F=1+k on [0,2], R_2(1) against Simpson");
    /* Lorentzian, m = 1/2: F = 1 on [0, 3/2]: R_2(0) = (2/pi) atan(K/m); F = k:
     * (2m/pi)(K - m atan(K/m)) */
    fmpq_zero(r2);
    radial(R, "activation cos\nsigma_b 0\nb_dist lorentz\nmass 1/2\nF user\nF_piece 0 3/2 1\n",
           r2);
    near(R, 2 / M_PI * atan(K / m), 1e-15, "lorentz F=1 cut at 3/2, R_2(0)");
    radial(R, "activation cos\nsigma_b 0\nb_dist lorentz\nmass 1/2\nF user\n"
              "F_piece 0 3/2 0 1\n", r2);
    near(R, 2 * m / M_PI * (K - m * atan(K / m)), 1e-15, "lorentz F=k, R_2(0)");
    /* F = 1 + k^2/2 on [0, 2] at r = 3/2: Simpson */
    fmpq_set_si(r2, 9, 4);
    radial(R, "activation cos\nsigma_b 0\nb_dist lorentz\nmass 1/2\nF user\n"
              "F_piece 0 1 1 0 1/2\nF_piece 1 2 1 0 1/2\n", r2);
    par[0] = m;
    par[1] = 1.5;
    v = simpson(f_lorentz, par, 2, 2000) * 2 * m / M_PI;
    near(R, v, 1e-11, "lorentz F=1+k^2/2 on [0,2], R_2(3/2) against Simpson");
    /* the power spectrum: (sigma_a^2/2)(2 pi) m / (pi (p^2 + m^2)) F(p)^2, p = 1 */
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 2\nb_dist lorentz\nmass 1/2\nF user\n"
                "F_piece 0 1 1 0 1/2\nF_piece 1 2 1 0 1/2\n");
    arb_one(B);
    assert_int_equal(fy_nnft_power_spectrum(R, s, B, 128, err), FY_OK);
    near(R, 2.0 * 2 * m / (1 + m * m) * 1.5 * 1.5, 1e-14, "lorentz F user, G(1)");
    /* Monte Carlo G2 of both against the exact kernels */
    mc_check("activation cos\nsigma_b 0\nwidth 2\nd 2\nF user\nF_piece 0 2 1 1\n"
             "point 0 0\npoint 1/2 0\npoint 1 1\n", 20000, SEED);
    mc_check("activation cos\nsigma_b 0\nwidth 2\nb_dist lorentz\nmass 1/2\nF user\n"
             "F_piece 0 1 1 0 1/2\nF_piece 1 2 1 0 1/2\npoint 0\npoint 1/2\npoint 3/2\n",
             20000, SEED);
    arb_clear(R);
    arb_clear(B);
    fmpq_clear(r2);
    fy_nnft_spec_clear(s);
}

/* Far from the origin the radial quadrature oscillates: R_2(r) of the ball written as a user
 * density (d = 1, p = 1 on [0, 2]) is sin(2 r) / (2 r); at r = 64 and 128 the ball must be
 * narrow and hold it (at 64 bits it was 1e19 wide; nnft os then saw G4_c grow to 1e37). */
static void test_radial_far(void **state)
{
    arb_t R, E;
    fmpq_t r2;
    int r;
    (void) state;
    arb_init(R);
    arb_init(E);
    fmpq_init(r2);
    for (r = 32; r <= 128; r *= 2)
    {
        fy_nnft_spec_t s;
        fy_error_t err;
        fy_nnft_spec_init(s);
        fy_error_init(err);
        parse_ok(s, "activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 1\n"
                    "b_density 1 2 1\n");
        fmpq_set_si(r2, r * r, 1);
        if (fy_nnft_euclid_radial(R, s, 2, r2, 64, err) != FY_OK)
            fail_msg("radial: %s", err->msg);
        arb_set_si(E, 2 * r);
        arb_sin(E, E, 128);
        arb_div_si(E, E, 2 * r, 128);
        printf("#   R_2(%d) = %.15g, sin(2r)/(2r) = %.15g\n", r, mid(R), mid(E));
        assert_true(arb_overlaps(R, E));
        assert_true(mag_cmp_2exp_si(arb_radref(R), -30) < 0);
        fy_nnft_spec_clear(s);
    }
    arb_clear(R);
    arb_clear(E);
    fmpq_clear(r2);
}

/* F user on a Lorentzian b has no closed-form spectral measure (the cut-off is no finite sum
 * of atoms): fy_nnft_kl_spec refuses it (it used to take it for the F prop dipole), and the
 * reflection check runs on the matrix of G2 alone. */
static void test_fuser_open_rp(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_kl_t kl;
    fy_nnft_rp_t r;
    fy_error_t err;
    fmpq *t = _fmpq_vec_init(4);
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_kl_init(kl);
    fy_nnft_rp_init(r);
    fy_error_init(err);
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist lorentz\nmass 1/2\nF user\n"
                "F_piece 0 2 1 0 1/2\n");
    assert_int_equal(fy_nnft_kl_spec(kl, s, 64, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "F user"));
    for (k = 0; k < 4; k++)
        fmpq_set_si(t + k, k + 1, 2);
    if (fy_nnft_rp_spec(r, s, t, 4, 96, err) != FY_OK)
        fail_msg("rp: %s", err->msg);
    printf("# F user, Lorentzian b: %s\n", fy_nnft_rp_verdict(r));
    assert_int_equal(r->spectral, 0);
    _fmpq_vec_clear(t, 4);
    fy_nnft_rp_clear(r);
    fy_nnft_kl_clear(kl);
    fy_nnft_spec_clear(s);
}

/* The exact 4-point function of F user on an open law against Monte Carlo (the moments R_4
 * through the same quadrature, with F^4). */
static void test_fuser_open_g4(void **state)
{
    (void) state;
    sample_check("activation cos\nsigma_b 0\nwidth 2\nF user\nF_piece 0 2 1 1/2\n"
                 "point 0\npoint 1/2\npoint 1\n", 40000, 1);
    sample_check("activation cos\nsigma_b 0\nwidth 2\nb_dist lorentz\nmass 1\nF user\n"
                 "F_piece 0 3 1\npoint 0\npoint 1\npoint 2\n", 40000, 1);
}

/* ------------------------------------------------------------------ rho(p, tau) */

/* rho of two spec texts overlap at (p, tau) and are narrow; returns the midpoint. */
static double rho_same(const char *a, const char *b, long pn, long pd, long tn, long td)
{
    fy_nnft_spec_t s, t;
    fy_error_t err;
    arb_t x, y;
    fmpq_t p, tau;
    double v;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    arb_init(x);
    arb_init(y);
    fmpq_init(p);
    fmpq_init(tau);
    parse_ok(s, a);
    parse_ok(t, b);
    fmpq_set_si(p, pn, (ulong) pd);
    fmpq_set_si(tau, tn, (ulong) td);
    if (fy_nnft_rho(x, s, p, tau, 96, err) != FY_OK || fy_nnft_rho(y, t, p, tau, 96, err) != FY_OK)
        fail_msg("rho: %s", err->msg);
    printf("#   rho(%ld/%ld, %ld/%ld) = %.15g, built-in %.15g\n", pn, pd, tn, td, mid(x),
           mid(y));
    if (!arb_overlaps(x, y))
        fail_msg("rho(%ld/%ld, %ld/%ld): %.17g against %.17g", pn, pd, tn, td, mid(x), mid(y));
    assert_true(mag_cmp_2exp_si(arb_radref(x), -40) < 0);
    assert_true(fabs(mid(x) - mid(y)) <= 1e-12 * (fabs(mid(y)) + 1e-3));
    v = mid(x);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
    arb_clear(x);
    arb_clear(y);
    fmpq_clear(p);
    fmpq_clear(tau);
    return v;
}

static void test_rho_user(void **state)
{
    static const char *ball3 = "activation cos\nsigma_b 0\nsigma_a 3/2\nd 3\nb_dist ball\n"
                               "Lambda 2\n";
    static const char *user3 = "activation cos\nsigma_b 0\nsigma_a 3/2\nd 3\nb_dist user\n"
                               "b_density 0 1 3\nb_density 1 2 3\n";
    static const char *ballp = "activation cos\nsigma_b 0\nd 3\nb_dist ball\nLambda 2\n"
                               "F prop\nmass 1/2\n";
    static const char *userp = "activation cos\nsigma_b 0\nd 3\nb_dist user\nb_density 0 2 1\n"
                               "F prop\nmass 1/2\n";
    static const long pt[6][4] = {{0, 1, 0, 1}, {0, 1, 1, 3}, {1, 2, 1, 1},
                                  {3, 2, 2, 1}, {5, 2, 1, 2}, {1, 1, 5, 1}};
    int k;
    (void) state;
    /* the ball as a user density against the closed form G(0) sin(a tau) / (pi tau), the
     * prop amplitude against the built-in rigorous quadrature; beyond Lambda 0 */
    for (k = 0; k < 6; k++)
    {
        rho_same(user3, ball3, pt[k][0], pt[k][1], pt[k][2], pt[k][3]);
        rho_same(userp, ballp, pt[k][0], pt[k][1], pt[k][2], pt[k][3]);
    }
    /* F user = 1 on the ball (d = 2) is F one; d = 2 Gaussian with F = 1 on [0, 30] is the
     * Gaussian closed form */
    rho_same("activation cos\nsigma_b 0\nd 2\nb_dist ball\nLambda 3/2\nF user\n"
             "F_piece 0 1 1\nF_piece 1 3/2 1\n",
             "activation cos\nsigma_b 0\nd 2\nb_dist ball\nLambda 3/2\n", 1, 2, 2, 3);
    rho_same("activation cos\nsigma_b 0\nd 2\nsigma_W 3/2\nF user\nF_piece 0 30 1\n",
             "activation cos\nsigma_b 0\nd 2\nsigma_W 3/2\n", 1, 3, 1, 2);
    /* d = 1: rho(0, tau) = G2(tau) (the user density equal to the ball, F prop: built-in) */
    rho_same("activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 1\nb_density 1 3 1\n"
             "F prop\nmass 1\n",
             "activation cos\nsigma_b 0\nb_dist ball\nLambda 3\nF prop\nmass 1\n", 0, 1, 3, 4);
}

/* rho of a d = 1 user layer is G2 (position-space route, fy_nnft_euclid_g2); the
 * momentum-space check of the user ball gives the built-in ball's verdicts. */
static void test_rho_user_rp(void **state)
{
    fy_nnft_spec_t s, t;
    fy_nnft_rp_t a, b;
    fy_error_t err;
    arb_t x, y;
    fmpq_t p, tau, r2;
    fmpq *times = _fmpq_vec_init(4);
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_nnft_rp_init(a);
    fy_nnft_rp_init(b);
    fy_error_init(err);
    arb_init(x);
    arb_init(y);
    fmpq_init(p);
    fmpq_init(tau);
    fmpq_init(r2);
    for (k = 0; k < 4; k++)
        fmpq_set_si(times + k, k + 1, 3);
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 0 1\n"
                "b_density 1 2 2 -1\nF user\nF_piece 0 2 1 1/2\n");
    fmpq_set_si(tau, 5, 4);
    fmpq_mul(r2, tau, tau);
    assert_int_equal(fy_nnft_rho(x, s, p, tau, 96, err), FY_OK);
    assert_int_equal(fy_nnft_euclid_g2(y, s, r2, 96, err), FY_OK);
    printf("#   d = 1 user: rho(5/4) %.15g, G2(5/4) %.15g\n", mid(x), mid(y));
    assert_true(arb_overlaps(x, y));
    parse_ok(s, "activation cos\nsigma_b 0\nd 3\nb_dist user\nb_density 0 2 1\nF prop\n"
                "mass 1\n");
    parse_ok(t, "activation cos\nsigma_b 0\nd 3\nb_dist ball\nLambda 2\nF prop\nmass 1\n");
    for (k = 0; k < 2; k++)
    {
        fmpq_set_si(p, k, 1);
        assert_int_equal(fy_nnft_rp_rho(a, s, p, times, 4, 96, err), FY_OK);
        assert_int_equal(fy_nnft_rp_rho(b, t, p, times, 4, 96, err), FY_OK);
        printf("#   d = 3 user ball, p = %d: positive %d certified %d (built-in %d %d)\n", k,
               a->positive, a->certified, b->positive, b->certified);
        assert_int_equal(a->positive, b->positive);
        assert_int_equal(a->certified, b->certified);
    }
    _fmpq_vec_clear(times, 4);
    fy_nnft_rp_clear(a);
    fy_nnft_rp_clear(b);
    arb_clear(x);
    arb_clear(y);
    fmpq_clear(p);
    fmpq_clear(tau);
    fmpq_clear(r2);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

/* ------------------------------------------------------------------ I_N + I_IB */

/* The correlated Cos-net of fy_nnft_ib (w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0, d = 1):
 * given u_0 the neurons are i.i.d. with w ~ N(sqrt(eps) u_0, (1 - eps) s2), so
 * G4 = E_(u_0)[mu4(u_0) / N + (1 - 1/N) sum_p mu2(u_0) mu2(u_0)], the conditional moments
 * from E cos(w D) = cos(sqrt(eps) u_0 D) e^(-(1 - eps) s2 D^2 / 2); the average over u_0 by
 * composite Simpson here.  par: s2, eps, sigma_a, K, N, u_0, x_0..x_3. */
static double cond_cos(double D, const double *par)
{
    return cos(sqrt(par[1]) * par[5] * D) * exp(-(1 - par[1]) * par[0] * D * D / 2);
}

static double g4_given_u0(double u0, const double *par)
{
    static const int pr[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
    static const int sg[3][4] = {{1, 1, -1, -1}, {1, -1, 1, -1}, {1, -1, -1, 1}};
    double q[10], mu4 = 0, pp = 0, a2 = par[2] * par[2], N = par[4]; /* par has 10 */
    const double *x = par + 6;
    int p, k;
    memcpy(q, par, sizeof q);
    q[5] = u0;
    for (p = 0; p < 3; p++)
    {
        double S = 0;
        for (k = 0; k < 4; k++)
            S += sg[p][k] * x[k];
        mu4 += cond_cos(S, q) / 8;
        pp += a2 / 2 * cond_cos(x[pr[p][0]] - x[pr[p][1]], q) * a2 / 2
              * cond_cos(x[pr[p][2]] - x[pr[p][3]], q);
    }
    mu4 *= par[3] * a2 * a2;
    /* times the density of u_0 ~ N(0, s2) */
    return (mu4 / N + (1 - 1 / N) * pp) * exp(-u0 * u0 / (2 * par[0]))
           / sqrt(2 * M_PI * par[0]);
}

static double g4_shifted(double t, const double *par)
{
    return g4_given_u0(t - 12 * sqrt(par[0]), par);
}

static void test_ib_sum(void **state)
{
    static const slong idx[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fy_error_t err;
    fmpq_t eps;
    arb_t t;
    double par[10] = {9.0 / 4, 1.0 / 3, 0.5, 4, 5, 0, 0, 1.0 / 3, 1, 2}, G4, G4c, pp = 0;
    static const int pr[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
    int p;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_ib_init(b);
    fy_error_init(err);
    fmpq_init(eps);
    arb_init(t);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 5\nsigma_W 3/2\nsigma_a 1/2\nkurtosis 4\n"
                "point 0\npoint 1/3\npoint 1\npoint 2\n");
    fmpq_set_si(eps, 1, 3);
    assert_int_equal(fy_nnft_ib(b, s, idx, eps, 128, err), FY_OK);
    /* G4 by conditioning on the shared weight, G2 = mu2 (unchanged by eps) */
    G4 = simpson(g4_shifted, par, 24 * sqrt(par[0]), 6000);
    for (p = 0; p < 3; p++)
    {
        const double *x = par + 6, a2 = par[2] * par[2];
        double D1 = x[pr[p][0]] - x[pr[p][1]], D2 = x[pr[p][2]] - x[pr[p][3]];
        pp += a2 / 2 * exp(-par[0] * D1 * D1 / 2) * a2 / 2 * exp(-par[0] * D2 * D2 / 2);
    }
    G4c = G4 - pp;
    arb_add(t, b->I_N, b->I_IB, 128);
    printf("# I_N + I_IB at eps = 1/3, N = 5: %.15g (I_N %.6g, I_IB %.6g); conditional route "
           "%.15g\n", mid(t), mid(b->I_N), mid(b->I_IB), G4c);
    assert_true(fabs(mid(t) - G4c) <= 1e-11 * fabs(G4c));
    arb_add(t, b->I_N_alt, b->I_IB_alt, 128);
    assert_true(fabs(mid(t) - G4c) <= 1e-11 * fabs(G4c));
    assert_true(fabs(mid(b->G4c) - G4c) <= 1e-11 * fabs(G4c));
    /* both terms matter here: neither grouping has a vanishing part */
    assert_true(fabs(mid(b->I_IB)) > 1e-3 * fabs(G4c) && fabs(mid(b->I_N)) > 1e-3 * fabs(G4c));
    fmpq_clear(eps);
    arb_clear(t);
    fy_nnft_ib_clear(b);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_user),   cmocka_unit_test(test_sample_deep),
        cmocka_unit_test(test_sample_threads), cmocka_unit_test(test_symmetry_mc),
        cmocka_unit_test(test_fuser_open),    cmocka_unit_test(test_fuser_open_g4),
        cmocka_unit_test(test_rho_user),      cmocka_unit_test(test_rho_user_rp),
        cmocka_unit_test(test_ib_sum),        cmocka_unit_test(test_fuser_open_rp),
        cmocka_unit_test(test_radial_far),
    };
    return cmocka_run_group_tests_name("nnft_euclid_sample", tests, NULL, NULL) ? 1 : 0;
}
