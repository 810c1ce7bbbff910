/* test_nnft_euclid_user: user-given P(|b|) and F, and the deeper g of the fields from
 * neurons (qft3, issue 14; src/nnft/euclid_user.c, euclid.c, euclid_mc.c, spec.c).
 *
 * Every number against a second route: a user density written to equal the uniform ball
 * (one piece, and split in two at a knot) against the built-in ball (its closed form
 * 0F1(; d/2 + 1; -Lambda^2 r^2/4) for F = 1, its own normalisation for F = prop) in
 * d = 1, 2, 3, radial functions, spectra and connected 4-point functions; the density k on
 * [0, 1] in d = 1 against the elementary 2 (cos r + r sin r - 1) / r^2, F user = k on the
 * ball against ((r^2 - 2) sin r + 2 r cos r) / r^3, the power spectra against
 * (sigma_a^2 / 2) (2 pi)^d P F^2 by hand; the exact sign decisions against polynomials whose
 * sign is known by construction; the radial CDF against (k / Lambda)^d and the triangle's
 * CDF by hand; Monte Carlo against exact within 4 standard errors (fixed seeds, printed).
 * Deeper g: E[S^k] against the chi-square moments sigma^(2k) (N)(N+2)..(N+2k-2) / N^k; the
 * linear g on an input layer of width 1 against the single layer with the output kurtosis
 * 3 (1 + 2/N) (the same second and fourth moments of v = sum_i a_i W_i); translation
 * invariance of the exact G4_c (the same ball) and of the Monte Carlo G2 of a tanh g; Monte
 * Carlo against exact; bad input refused with file:line and the fix. */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/util.h"
#include "nnftutil.h"
#include "testutil.h"

#define PREC 96

static void parse_fails(const char *text, const char *where, const char *what)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    assert_int_equal(fy_nnft_spec_parse(s, text, "spec", err), FY_EINPUT);
    if (strstr(err->msg, where) == NULL || strstr(err->msg, what) == NULL)
        fail_msg("expected '%s' and '%s' in: %s", where, what, err->msg);
    fy_nnft_spec_clear(s);
}

/* x holds ref up to rel and is tight. */
static void near_d(const arb_t x, double ref, double rel, const char *what)
{
    double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    if (!(fabs(mid - ref) <= rel * fabs(ref) + 1e-15) || mag_cmp_2exp_si(arb_radref(x), -40) > 0)
        fail_msg("%s: %.17g (radius %.3g) against %.17g", what, mid,
                 mag_get_d(arb_radref(x)), ref);
}

/* Overlapping tight balls. */
static void overlaps(const arb_t x, const arb_t y, const char *what)
{
    if (!arb_overlaps(x, y) || mag_cmp_2exp_si(arb_radref(x), -50) > 0
        || mag_cmp_2exp_si(arb_radref(y), -50) > 0)
    {
        char *a = arb_get_str(x, 25, 0), *b = arb_get_str(y, 25, 0);
        fail_msg("%s: %s against %s", what, a, b);
    }
}

/* ------------------------------------------------------------------ spec and input */
static void test_spec_user(void **state)
{
    fy_nnft_spec_t s, t;
    fy_error_t err;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 0 1\n"
                "b_density 1 2 2 -1\nF user\nF_piece 0 2 1 1/2\npoint 0\n");
    assert_int_equal(s->b_dist, FY_NNFT_B_USER);
    assert_int_equal(s->F, FY_NNFT_F_USER);
    assert_int_equal(s->b_density->n, 2);
    assert_int_equal(s->b_density->line[1], 5);
    assert_true(fmpz_equal_si(fmpq_numref(s->Lambda), 2)); /* the last HI */
    assert_true(fy_nnft_is_euclid(s));
    assert_int_equal(fy_nnft_spec_set(t, s, err), FY_OK);
    assert_int_equal(t->b_density->n, 2);
    assert_true(fmpq_poly_equal(t->F_user->p, s->F_user->p));
    parse_ok(s, "activation cos\nsigma_b 0\ng dense\ng_width 3\ng_act tanh\nsigma_g 2\n"
                "sigma_gb 1/2\npoint 0\n");
    assert_int_equal(s->g, FY_NNFT_G_DENSE);
    assert_int_equal(s->g_act, FY_NNFT_GACT_TANH);
    assert_int_equal(s->g_width, 3);
    assert_true(fy_nnft_euclid_deep(s));
    parse_ok(s, "activation cos\nsigma_b 0\ng identity\npoint 0\n");
    assert_false(fy_nnft_is_euclid(s)); /* the plain Cos-net */
    /* bad input: file:line and the fix */
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 2 1 -1\n", "spec:4:",
                "negative at |b| = ");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 1\n"
                "b_density 1 3 -1 1 -1/4\n", "spec:5:", "negative");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 0\n", "spec:4:",
                "not normalisable");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 inf 1\n", "spec:4:",
                "not normalisable");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 1 x2\n", "spec:4:",
                "x2");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 1\n", "spec:4:",
                "at least one coefficient");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\nb_density 0 2 1\nb_density 1 3 1\n",
                "spec:5:", "increasing order");
    parse_fails("activation cos\nsigma_b 0\nb_dist user\n", "spec", "add lines 'b_density");
    parse_fails("activation cos\nsigma_b 0\nb_density 0 1 1\n", "spec:3:", "b_dist user");
    /* qft14: F user with a law on [0, inf) is a cut-off (F = 0 off its pieces), accepted */
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist lorentz\nmass 1\nF user\nF_piece 0 1 1\n");
    assert_int_equal(s->F, FY_NNFT_F_USER);
    assert_int_equal(s->b_dist, FY_NNFT_B_LORENTZ);
    parse_fails("activation cos\nsigma_b 0\ng dense\n", "g_width", "g_width N1");
    parse_fails("activation cos\nsigma_b 0\ng_act tanh\n", "spec", "g dense");
    parse_fails("activation cos\nsigma_b 0\ng deep\n", "spec:3:", "identity, dense");
    parse_fails("activation erf\ng dense\ng_width 2\n", "g dense", "activation cos");
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

/* Polynomials whose sign on the interval is known by construction. */
static void test_poly_sign(void **state)
{
    static const struct
    {
        const char *poly, *lo, *hi;
        int nonneg;
    } cs[] = {
        {"3  1 -2 1", "0", "2", 1},        /* (k - 1)^2 */
        {"2  -1 1", "0", "2", 0},          /* k - 1 */
        {"2  -1 1", "1", "2", 1},          /* k - 1 on [1, 2]: a root at the end */
        {"3  0 2 -1", "0", "2", 1},        /* k (2 - k) */
        {"3  0 -2 1", "0", "2", 0},        /* k (k - 2) */
        {"3  1 -6 9", "0", "1", 1},        /* (3k - 1)^2 */
        {"4  -3 7 -5 1", "0", "2", 0},     /* (k - 1)^2 (k - 3) */
        {"4  -3 7 -5 1", "3", "4", 1},     /* the same on [3, 4] */
        {"5  1 -4 6 -4 1", "0", "3", 1},   /* (k - 1)^4 */
        {"3  1 0 -100000", "0", "1/100", 0}, /* 1 - 10^5 k^2: negative from 1/316.2.. */
        {"1  0", "0", "1", 1},             /* zero */
    };
    fmpq_poly_t p;
    fmpq_t lo, hi, w, v;
    size_t i;
    (void) state;
    fmpq_poly_init(p);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(w);
    fmpq_init(v);
    for (i = 0; i < sizeof cs / sizeof cs[0]; i++)
    {
        assert_int_equal(fmpq_poly_set_str(p, cs[i].poly), 0);
        assert_int_equal(fmpq_set_str(lo, cs[i].lo, 10), 0);
        assert_int_equal(fmpq_set_str(hi, cs[i].hi, 10), 0);
        fmpq_canonicalise(lo);
        fmpq_canonicalise(hi);
        if (fy_nnft_poly_nonneg(w, p, lo, hi) != cs[i].nonneg)
            fail_msg("case %zu (%s on [%s, %s]): expected %d", i, cs[i].poly, cs[i].lo,
                     cs[i].hi, cs[i].nonneg);
        if (!cs[i].nonneg)
        {
            /* the witness lies in the interval and p < 0 there */
            fmpq_poly_evaluate_fmpq(v, p, w);
            assert_true(fmpq_sgn(v) < 0);
            assert_true(fmpq_cmp(w, lo) >= 0 && fmpq_cmp(w, hi) <= 0);
        }
    }
    fmpq_poly_clear(p);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(w);
    fmpq_clear(v);
}

/* ------------------------------------------------------------------ user = built-in */
static void compare_specs(const char *user, const char *ball, const char *what)
{
    static const char *const r2s[] = {"0", "1/4", "2", "9"};
    static const char *const ps[] = {"0", "1/2", "3/2", "7/4", "3"};
    static const slong id[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s, t;
    fy_error_t err;
    fmpq_t r2;
    arb_t a, b, p;
    char msg[160];
    int M;
    size_t i;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    fmpq_init(r2);
    arb_init(a);
    arb_init(b);
    arb_init(p);
    parse_ok(s, user);
    parse_ok(t, ball);
    for (M = 0; M <= 4; M += 2)
        for (i = 0; i < sizeof r2s / sizeof r2s[0]; i++)
        {
            assert_int_equal(fmpq_set_str(r2, r2s[i], 10), 0);
            fmpq_canonicalise(r2);
            if (fy_nnft_euclid_radial(a, s, M, r2, PREC, err) != FY_OK
                || fy_nnft_euclid_radial(b, t, M, r2, PREC, err) != FY_OK)
                fail_msg("%s: %s", what, err->msg);
            snprintf(msg, sizeof msg, "%s: R_%d(r^2 = %s)", what, M, r2s[i]);
            overlaps(a, b, msg);
        }
    for (i = 0; i < sizeof ps / sizeof ps[0]; i++)
    {
        fmpq_t q;
        fmpq_init(q);
        assert_int_equal(fmpq_set_str(q, ps[i], 10), 0);
        fmpq_canonicalise(q);
        arb_set_fmpq(p, q, PREC);
        fmpq_clear(q);
        assert_int_equal(fy_nnft_power_spectrum(a, s, p, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_power_spectrum(b, t, p, PREC, err), FY_OK);
        snprintf(msg, sizeof msg, "%s: G(p = %s)", what, ps[i]);
        if (arb_is_zero(b))
            assert_true(arb_is_zero(a));
        else
            overlaps(a, b, msg);
    }
    /* the connected 4-point function through the public entry point */
    assert_int_equal(fy_nnft_connected(a, s, id, 4, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_connected(b, t, id, 4, PREC, err), FY_OK);
    snprintf(msg, sizeof msg, "%s: G4_c", what);
    overlaps(a, b, msg);
    assert_false(arb_contains_zero(a));
    fmpq_clear(r2);
    arb_clear(a);
    arb_clear(b);
    arb_clear(p);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

static void test_user_equals_ball(void **state)
{
    (void) state;
    compare_specs("activation cos\nsigma_b 0\nwidth 3\nb_dist user\nb_density 0 2 5\n"
                  "point 0\npoint 1/2\npoint 1\npoint 2\n",
                  "activation cos\nsigma_b 0\nwidth 3\nb_dist ball\nLambda 2\n"
                  "point 0\npoint 1/2\npoint 1\npoint 2\n", "d = 1, F one");
    compare_specs("activation cos\nsigma_b 0\nwidth 3\nb_dist user\nb_density 0 3/4 1\n"
                  "b_density 3/4 2 1\nF prop\nmass 1/2\n"
                  "point 0\npoint 1/2\npoint 1\npoint 2\n",
                  "activation cos\nsigma_b 0\nwidth 3\nb_dist ball\nLambda 2\nF prop\n"
                  "mass 1/2\npoint 0\npoint 1/2\npoint 1\npoint 2\n", "d = 1, F prop, 2 pieces");
    compare_specs("activation cos\nsigma_b 0\nwidth 2\nd 2\nb_dist user\nb_density 0 2 1/3\n"
                  "point 0 0\npoint 1/2 0\npoint 0 1\npoint 1 1\n",
                  "activation cos\nsigma_b 0\nwidth 2\nd 2\nb_dist ball\nLambda 2\n"
                  "point 0 0\npoint 1/2 0\npoint 0 1\npoint 1 1\n", "d = 2, F one");
    compare_specs("activation cos\nsigma_b 0\nwidth 2\nd 3\nb_dist user\nb_density 0 1 2\n"
                  "b_density 1 3/2 2\nF prop\nmass 1\n"
                  "point 0 0 0\npoint 1/2 0 0\npoint 0 1 1\npoint 1 0 1\n",
                  "activation cos\nsigma_b 0\nwidth 2\nd 3\nb_dist ball\nLambda 3/2\nF prop\n"
                  "mass 1\npoint 0 0 0\npoint 1/2 0 0\npoint 0 1 1\npoint 1 0 1\n",
                  "d = 3, F prop, 2 pieces");
    /* F user = 1 on the ball is F one */
    compare_specs("activation cos\nsigma_b 0\nwidth 3\nd 3\nb_dist ball\nLambda 2\nF user\n"
                  "F_piece 0 1 1\nF_piece 1 2 1\n"
                  "point 0 0 0\npoint 1/2 0 0\npoint 0 1 1\npoint 1 0 1\n",
                  "activation cos\nsigma_b 0\nwidth 3\nd 3\nb_dist ball\nLambda 2\n"
                  "point 0 0 0\npoint 1/2 0 0\npoint 0 1 1\npoint 1 0 1\n", "d = 3, F user 1");
}

/* Elementary closed forms (d = 1). */
static void test_user_closed_forms(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fmpq_t r2;
    arb_t R, p;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    fmpq_init(r2);
    arb_init(R);
    arb_init(p);
    /* P(b) proportional to |b| on |b| <= 1: R(r) = 2 (cos r + r sin r - 1) / r^2 */
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 1\nb_dist user\nb_density 0 1 0 1\n"
                "F user\nF_piece 0 1 1\npoint 0\n");
    for (k = 1; k <= 3; k++)
    {
        double r = k;
        fmpq_set_si(r2, k * k, 1);
        assert_int_equal(fy_nnft_euclid_radial(R, s, 2, r2, PREC, err), FY_OK);
        near_d(R, 2 * (cos(r) + r * sin(r) - 1) / (r * r), 1e-14, "R_2 of the density k");
    }
    fmpq_zero(r2);
    assert_int_equal(fy_nnft_euclid_radial(R, s, 2, r2, PREC, err), FY_OK);
    assert_true(arb_contains_si(R, 1) && mag_cmp_2exp_si(arb_radref(R), -60) < 0);
    /* G(p) = (1/2) (2 pi) P(p), P(p) = p / (2 * 1/2) = p on [0, 1], 0 beyond */
    arb_set_d(p, 0.5);
    assert_int_equal(fy_nnft_power_spectrum(R, s, p, PREC, err), FY_OK);
    near_d(R, M_PI * 0.5, 1e-15, "G(1/2) of the density k");
    arb_set_d(p, 1.5);
    assert_int_equal(fy_nnft_power_spectrum(R, s, p, PREC, err), FY_OK);
    assert_true(arb_is_zero(R));
    /* F = k on the ball |b| <= 1: R_2 = int_0^1 k^2 cos(k r) dk = ((r^2-2) sin r + 2r cos r)/r^3;
     * R_4 at r = 0: int_0^1 k^4 dk = 1/5 */
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist ball\nLambda 1\nF user\nF_piece 0 1 0 1\n"
                "point 0\n");
    for (k = 1; k <= 3; k++)
    {
        double r = k;
        fmpq_set_si(r2, k * k, 1);
        assert_int_equal(fy_nnft_euclid_radial(R, s, 2, r2, PREC, err), FY_OK);
        near_d(R, ((r * r - 2) * sin(r) + 2 * r * cos(r)) / (r * r * r), 1e-14, "R_2 of F = k");
    }
    fmpq_zero(r2);
    assert_int_equal(fy_nnft_euclid_radial(R, s, 4, r2, PREC, err), FY_OK);
    near_d(R, 0.2, 1e-15, "R_4(0) of F = k");
    /* G(p) of F = k on the ball (d = 1, sigma_a 1): (1/2) 2 pi (1/2) p^2 */
    arb_set_d(p, 0.75);
    assert_int_equal(fy_nnft_power_spectrum(R, s, p, PREC, err), FY_OK);
    near_d(R, M_PI * 0.5 * 0.5625, 1e-15, "G(3/4) of F = k");
    fmpq_clear(r2);
    arb_clear(R);
    arb_clear(p);
    fy_nnft_spec_clear(s);
}

static void test_radial_cdf(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fmpq_t k, C, e;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    fmpq_init(k);
    fmpq_init(C);
    fmpq_init(e);
    /* the ball in d = 3: (k / Lambda)^3 */
    parse_ok(s, "activation cos\nsigma_b 0\nd 3\nb_dist ball\nLambda 2\npoint 0 0 0\n");
    fmpq_set_si(k, 1, 2);
    assert_int_equal(fy_nnft_euclid_radial_cdf(C, s, k, err), FY_OK);
    fmpq_set_si(e, 1, 64);
    assert_true(fmpq_equal(C, e));
    /* the triangle k on [0, 1], 2 - k on [1, 2] in d = 1: C(1/2) = 1/8, C(3/2) = 7/8 */
    parse_ok(s, "activation cos\nsigma_b 0\nb_dist user\nb_density 0 1 0 1\n"
                "b_density 1 2 2 -1\npoint 0\n");
    assert_int_equal(fy_nnft_euclid_radial_cdf(C, s, k, err), FY_OK);
    fmpq_set_si(e, 1, 8);
    assert_true(fmpq_equal(C, e));
    fmpq_set_si(k, 3, 2);
    assert_int_equal(fy_nnft_euclid_radial_cdf(C, s, k, err), FY_OK);
    fmpq_set_si(e, 7, 8);
    assert_true(fmpq_equal(C, e));
    fmpq_set_si(k, 5, 1);
    assert_int_equal(fy_nnft_euclid_radial_cdf(C, s, k, err), FY_OK);
    assert_true(fmpq_is_one(C));
    fmpq_clear(k);
    fmpq_clear(C);
    fmpq_clear(e);
    fy_nnft_spec_clear(s);
}

static void test_user_mc(void **state)
{
    (void) state;
    /* the triangle with F = 1 + k/2 (d = 1) */
    mc_check("activation cos\nsigma_b 0\nwidth 2\nb_dist user\nb_density 0 1 0 1\n"
             "b_density 1 2 2 -1\nF user\nF_piece 0 2 1 1/2\n"
             "point 0\npoint 1/2\npoint 1\npoint 5/2\n", 20000, 21);
    /* d = 3, a density k^2 (1 - k) with a gap, F prop */
    mc_check("activation cos\nsigma_b 0\nwidth 3\nd 3\nb_dist user\nb_density 0 1 0 0 1 -1\n"
             "b_density 2 3 1\nF prop\nmass 1\n"
             "point 0 0 0\npoint 1/2 0 0\npoint 0 1 1\n", 10000, 22);
}

/* ------------------------------------------------------------------ deeper g */
static void test_deep_smoment(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t ES;
    int k, N;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(ES);
    /* Gaussian a ~ N(0, sigma^2 / N): S = (sigma^2 / N) chi^2_N, E chi^(2k) = N (N+2)..(N+2k-2) */
    for (N = 1; N <= 5; N += 2)
    {
        char text[200];
        snprintf(text, sizeof text, "activation cos\nsigma_b 0\nsigma_a 3/2\nwidth %d\n"
                 "g dense\ng_width 2\npoint 0\n", N);
        parse_ok(s, text);
        for (k = 0; k <= 4; k++)
        {
            double e = 1;
            int j;
            for (j = 0; j < k; j++)
                e *= 2.25 * (N + 2 * j) / N;
            assert_int_equal(fy_nnft_euclid_deep_smoment(ES, s, k, PREC, err), FY_OK);
            near_d(ES, e, 1e-15, "E[S^k]");
        }
    }
    fy_nnft_spec_clear(s);
    arb_clear(ES);
}

/* g dense, linear, g_width 1: phi = v l(x), v = sum_i a_i W_i1, E v^2 = sigma_g^2 sigma_a^2,
 * E v^4 = 3 sigma_g^4 E[S^2] = 3 (1 + 2/N) (E v^2)^2: the single layer of width 1 with
 * kurtosis 3 (1 + 2/N), at n = 2 and 4 (which see only these two moments). */
static void test_deep_reduces(void **state)
{
    static const slong id4[4] = {0, 1, 2, 3}, id2[2] = {0, 2}, idc[4] = {1, 1, 2, 2};
    fy_nnft_spec_t s, t;
    fy_error_t err;
    arb_t a, b;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    /* N = 4: kurtosis 3 (1 + 1/2) = 9/2; sigma_a sigma_g = 1/2 * 3 = 3/2 */
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\nsigma_a 1/2\nb_dist ball\nLambda 2\n"
                "F prop\nmass 1\ng dense\ng_width 1\nsigma_g 3\n"
                "point 0\npoint 1/3\npoint 1\npoint 2\n");
    parse_ok(t, "activation cos\nsigma_b 0\nwidth 1\nsigma_a 3/2\nkurtosis 9/2\nb_dist ball\n"
                "Lambda 2\nF prop\nmass 1\npoint 0\npoint 1/3\npoint 1\npoint 2\n");
    assert_int_equal(fy_nnft_correlator(a, s, id2, 2, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_correlator(b, t, id2, 2, PREC, err), FY_OK);
    overlaps(a, b, "deep G2");
    assert_int_equal(fy_nnft_kernel(a, s, 0, 2, PREC, err), FY_OK);
    overlaps(a, b, "deep kernel");
    assert_int_equal(fy_nnft_connected(a, s, id4, 4, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_connected(b, t, id4, 4, PREC, err), FY_OK);
    overlaps(a, b, "deep G4_c");
    assert_int_equal(fy_nnft_correlator(a, s, idc, 4, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_correlator(b, t, idc, 4, PREC, err), FY_OK);
    overlaps(a, b, "deep G4");
    /* odd correlators vanish, and a single-neuron moment is refused with the reason */
    assert_int_equal(fy_nnft_correlator(a, s, id4, 3, PREC, err), FY_OK);
    assert_true(arb_is_zero(a));
    assert_int_equal(fy_nnft_moment(a, s, id4, 2, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "share"));
    /* a tanh g: no exact correlators, the reason names the Monte Carlo */
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\ng dense\ng_width 3\ng_act tanh\n"
                "point 0\npoint 1\n");
    assert_int_equal(fy_nnft_kernel(a, s, 0, 1, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "Monte Carlo"));
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

/* The deeper g keeps translation invariance: the exact G4_c of shifted points is the same
 * ball; the symmetry check of the library agrees; the Monte Carlo G2 of a tanh g at two
 * pairs of one separation agrees within 4 standard errors. */
static void test_deep_translation(void **state)
{
    static const slong id[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s, u;
    fy_nnft_sym_res_t r;
    fy_error_t err;
    arb_t a, b;
    double mean[10], se[10];
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(u);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\nb_dist user\nb_density 0 1 1 1\n"
                "g dense\ng_width 2\nsigma_g 2\npoint 0\npoint 1/2\npoint 1\npoint 2\n");
    parse_ok(u, "activation cos\nsigma_b 0\nwidth 3\nb_dist user\nb_density 0 1 1 1\n"
                "g dense\ng_width 2\nsigma_g 2\npoint 7/3\npoint 17/6\npoint 10/3\n"
                "point 13/3\n");
    assert_int_equal(fy_nnft_connected(a, s, id, 4, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_connected(b, u, id, 4, PREC, err), FY_OK);
    assert_false(arb_contains_zero(a));
    assert_true(arb_equal(a, b));
    fy_nnft_sym_init(r);
    if (fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 4, 1, 3, 5, 64, err) != FY_OK)
        fail_msg("symmetry: %s", err->msg);
    assert_int_equal(r->verdict, 1);
    fy_nnft_sym_clear(r);
    /* Monte Carlo: G2(0, 1/2) and G2(1, 3/2) of a tanh g */
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\nb_dist ball\nLambda 2\ng dense\n"
                "g_width 4\ng_act tanh\nsigma_g 2\nsigma_gb 1/2\n"
                "point 0\npoint 1/2\npoint 1\npoint 3/2\n");
    printf("# Monte Carlo translation (tanh g): seed 31, 20000 networks\n");
    assert_int_equal(fy_nnft_euclid_mc_g2(mean, se, s, 20000, 31, err), FY_OK);
    /* pairs: (0,0) (0,1) (0,2) (0,3) (1,1) (1,2) (1,3) (2,2) (2,3) (3,3) */
    if (fabs(mean[1] - mean[8]) > 4 * sqrt(se[1] * se[1] + se[8] * se[8]))
        fail_msg("G2(0, 1/2) = %.6g +- %.2g, G2(1, 3/2) = %.6g +- %.2g", mean[1], se[1],
                 mean[8], se[8]);
    if (fabs(mean[0] - mean[9]) > 4 * sqrt(se[0] * se[0] + se[9] * se[9]))
        fail_msg("G2(0, 0) = %.6g, G2(3/2, 3/2) = %.6g", mean[0], mean[9]);
    assert_true(mean[1] > 10 * se[1]); /* a signal, not noise */
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(u);
}

static void test_deep_mc(void **state)
{
    (void) state;
    /* linear g on the Lorentzian layer (exact: E[S] sigma_g^2 / 2 e^(-m r)) */
    mc_check("activation cos\nsigma_b 0\nwidth 3\nsigma_a 1\nb_dist lorentz\nmass 1\n"
             "g dense\ng_width 4\nsigma_g 3/2\npoint 0\npoint 1/2\npoint 2\n", 20000, 41);
    /* linear g on a user layer with a user F, kurtosis 6 output weights */
    mc_check("activation cos\nsigma_b 0\nwidth 2\nkurtosis 6\nd 2\nb_dist user\n"
             "b_density 0 1 1\nb_density 1 2 2 -1\nF user\nF_piece 0 2 1 -1/4\ng dense\n"
             "g_width 3\npoint 0 0\npoint 1/2 0\npoint 1 1\n", 20000, 42);
}

/* The linear deeper g on the Lorentzian layer: G2 = sigma_g^2 E[S] / 2 e^(-m|t|), E[S] =
 * sigma_a^2 (Gaussian a), so the spectral measure is the single layer's times sigma_g^2: the
 * closed form by hand, the Kallen-Lehmann route against the power spectrum and G2, and the
 * reflection matrix certified positive through it. */
static void test_deep_rp(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_kl_t kl;
    fy_nnft_rp_t r;
    fy_error_t err;
    fmpq_t tmax, r2;
    fmpq *x;
    arb_t p, A, B;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_kl_init(kl);
    fy_nnft_rp_init(r);
    fy_error_init(err);
    fmpq_init(tmax);
    fmpq_init(r2);
    arb_init(p);
    arb_init(A);
    arb_init(B);
    x = _fmpq_vec_init(5);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 3/2\nwidth 6\nb_dist lorentz\nmass 2\n"
                "g dense\ng_width 3\nsigma_g 1/3\n");
    assert_int_equal(fy_nnft_kl_spec(kl, s, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_kl_positive(kl), 1);
    for (k = 0; k < 3; k++)
    {
        /* G(p) = sigma_g^2 sigma_a^2 m / (p^2 + m^2),
         * G2(t) = (sigma_g^2 sigma_a^2 / 2) e^(-m t) */
        double pp = 0.75 * k, c = 2.25 / 9;
        arb_set_d(p, pp);
        fy_nnft_kl_spectrum(A, kl, p, PREC);
        assert_int_equal(fy_nnft_power_spectrum(B, s, p, PREC, err), FY_OK);
        overlaps(A, B, "deep G(p): spectral measure against the power spectrum");
        near_d(A, c * 2 / (pp * pp + 4), 1e-14, "deep G(p)");
        fy_nnft_kl_g2(A, kl, p, PREC);
        fmpq_set_si(r2, 9 * k * k, 16);
        assert_int_equal(fy_nnft_euclid_g2(B, s, r2, PREC, err), FY_OK);
        overlaps(A, B, "deep G2(t)");
        near_d(A, c / 2 * exp(-2 * pp), 1e-14, "deep G2(t)");
    }
    fmpq_set_si(tmax, 3, 1);
    fy_nnft_rp_points(x, 5, 1, tmax, 3);
    assert_int_equal(fy_nnft_rp_spec(r, s, x, 5, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1);
    _fmpq_vec_clear(x, 5);
    fmpq_clear(tmax);
    fmpq_clear(r2);
    arb_clear(p);
    arb_clear(A);
    arb_clear(B);
    fy_nnft_rp_clear(r);
    fy_nnft_kl_clear(kl);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_user),
        cmocka_unit_test(test_poly_sign),
        cmocka_unit_test(test_user_equals_ball),
        cmocka_unit_test(test_user_closed_forms),
        cmocka_unit_test(test_radial_cdf),
        cmocka_unit_test(test_user_mc),
        cmocka_unit_test(test_deep_smoment),
        cmocka_unit_test(test_deep_reduces),
        cmocka_unit_test(test_deep_translation),
        cmocka_unit_test(test_deep_mc),
        cmocka_unit_test(test_deep_rp),
    };
    return cmocka_run_group_tests_name("nnft_euclid_user", tests, NULL, NULL) ? 1 : 0;
}
