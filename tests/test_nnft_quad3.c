/* test_nnft_quad3: single-neuron moments over a pre-activation Gaussian of rank 3 (and erf's
 * reducible rank 4), src/nnft/quad3.c and the grid of src/nnft/quad2.c.
 *
 * Second routes: a trapezoid product rule in doubles over the parameters (w1, w2, b) of d = 2
 * networks themselves (spectrally accurate for these analytic integrands, to 1e-11); the
 * two-dimensional routes on degenerate inputs (three collinear points: rank 2, and a rank-2
 * representation rotated into three dimensions through fy_nnft_gauss3_expect); for erf, the
 * closed form E_w erf(alpha + beta w) = erf(alpha / sqrt(1 + 2 beta^2)) over the one direction
 * only one point depends on, which leaves the nested two-dimensional quadrature of
 * fy_nnft_gauss2_expect; the Monte Carlo ensemble of fy_nnft_sample (fixed seed, 4 standard
 * errors) on the [HMS] d = 2 and d = 3 sets; symmetries of the square (rotations) and of
 * permutations; the shared grids of fy_nnft_corr_compute against tuple-by-tuple moments.
 * The rigorous integrators of quad2.c (nested rule, cubature) against closed forms, a
 * polynomial's exact value, kinks at cut points and conical kinks at cell corners; relu at
 * rank 3 against 1/(12 pi), the rank-2 route and Monte Carlo (the [HMS] d = 2 ReLU set
 * too).  Sizes are small (a grid accuracy of 2^-30, few three-dimensional grids per check)
 * to keep the test short. */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/rng.h"
#include "feynn/util.h"
#include "num/arb_all.h"
#include "testutil.h"

#define PREC 64
/* three-dimensional grids at a low accuracy goal (2^-30), to keep the test in seconds */
#define PREC3 24

static void spec_pts(fy_nnft_spec_t s, fy_nnft_act_t act, const char *pts, const char *sw,
                     const char *sb)
{
    fy_error_t err;
    fy_error_init(err);
    s->act = act;
    assert_int_equal(fy_fmpq_parse(s->sigma_W, sw, err), FY_OK);
    fmpq_set(s->sigma_a, s->sigma_W);
    assert_int_equal(fy_fmpq_parse(s->sigma_b, sb, err), FY_OK);
    if (fy_nnft_points_parse(s, pts, "pts", err) != FY_OK)
        fail_msg("%s", err->msg);
}

/* E prod_k phi(sw (w1 x_k1 + w2 x_k2) / sqrt 2 + sb b) over (w1, w2, b) ~ N(0, I): the
 * trapezoid rule on [-10, 10]^3, step 0.2. */
static double trap3(double (*phi)(double), const double (*x)[2], int m, double sw, double sb)
{
    const int n = 100;
    const double h = 20.0 / n, c = sw / M_SQRT2;
    double s = 0, g[101];
    int i, j, l, k;
    for (i = 0; i <= n; i++)
        g[i] = exp(-0.5 * (-10 + i * h) * (-10 + i * h));
    for (i = 0; i <= n; i++)
        for (j = 0; j <= n; j++)
            for (l = 0; l <= n; l++)
            {
                double w1 = -10 + i * h, w2 = -10 + j * h, b = -10 + l * h;
                double p = g[i] * g[j] * g[l];
                for (k = 0; k < m; k++)
                    p *= phi(c * (w1 * x[k][0] + w2 * x[k][1]) + sb * b);
                s += p;
            }
    return s * h * h * h / pow(2 * M_PI, 1.5);
}

static double mid(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

/* the ball x contains the double d up to its own rounding (rel 1e-13) */
static int contains_d(const arb_t x, double d)
{
    return fabs(mid(x) - d) <= mag_get_d(arb_radref(x)) + 1e-13 * fabs(d);
}

/* fy_nnft_moment at rank 3 (erf, tanh; d = 2 with biases) against the trapezoid rule. */
/* mu against a reference e from another route: printed, overlapping, mu to bits. */
static void check_ref(const arb_t mu, const arb_t e, const char *what, const char *ref,
                      slong bits)
{
    printf("# %s: ", what);
    arb_printd(mu, 17);
    printf(" (%s ", ref);
    arb_printd(e, 17);
    printf(")\n");
    assert_true(arb_overlaps(mu, e));
    assert_true(arb_rel_accuracy_bits(mu) >= bits);
}

/* A block-diagonal covariance, (1, 1/2, 0), (-1/3, 1, 0) against (0, 0, 1): the rank-3 moment
 * mu(0, 1, 2, 2) against the rank-2 moment mu(0, 1) times the rank-1 mu(2, 2), times 3 (the
 * output weights' fourth moment); the rank-3 moment at prec3, to bits. */
static void check_block_diagonal(fy_nnft_spec_t s, fy_nnft_act_t act, slong prec3, slong bits)
{
    static const slong t4[4] = {0, 1, 2, 2}, t2[2] = {0, 1}, t22[2] = {2, 2};
    char what[64];
    fy_error_t err;
    arb_t mu, m2, e;
    fy_error_init(err);
    arb_init(mu);
    arb_init(m2);
    arb_init(e);
    spec_pts(s, act, "1 1/2 0\n-1/3 1 0\n0 0 1\n", "1", "0");
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, prec3, err), FY_OK);
    assert_int_equal(fy_nnft_moment(m2, s, t2, 2, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_moment(e, s, t22, 2, PREC, err), FY_OK);
    arb_mul(e, e, m2, PREC);
    arb_mul_ui(e, e, 3, PREC);
    snprintf(what, sizeof what, "%s rank 3, block-diagonal", fy_nnft_act_name(act));
    check_ref(mu, e, what, "rank-2 route", bits);
    arb_clear(mu);
    arb_clear(m2);
    arb_clear(e);
}

static void test_rank3_vs_trapezoid(void **state)
{
    static const double X[3][2] = {{1, 0}, {0, 1}, {-1, 0.5}};
    static const struct
    {
        int m;
        slong t[6];
    } cases[] = {{4, {0, 1, 2, 2}}, {6, {0, 0, 1, 1, 2, 2}}, {6, {0, 1, 1, 1, 2, 2}}};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu;
    size_t c;
    int act, k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    for (act = 0; act < 2; act++)
    {
        spec_pts(s, act ? FY_NNFT_TANH : FY_NNFT_ERF, "1 0\n0 1\n-1 0.5\n", "1", "3/5");
        for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
        {
            double xs[6][2], ref;
            int m = cases[c].m;
            for (k = 0; k < m; k++)
            {
                xs[k][0] = X[cases[c].t[k]][0];
                xs[k][1] = X[cases[c].t[k]][1];
            }
            /* the output weights: E (sqrt(N) a)^m = (m - 1)!! for sigma_a = 1 */
            ref = (m == 4 ? 3 : 15) * trap3(act ? tanh : erf, (const double (*)[2]) xs, m, 1,
                                            0.6);
            if (fy_nnft_moment(mu, s, cases[c].t, m, PREC3, err) != FY_OK)
                fail_msg("%s", err->msg);
            printf("# %s rank 3, m = %d case %zu: ", fy_nnft_act_name(s->act), m, c);
            arb_printd(mu, 17);
            printf(" (trapezoid %.16g)\n", ref);
            if (!contains_d(mu, ref) || arb_rel_accuracy_bits(mu) < 20)
                fail_msg("rank 3 against the trapezoid rule");
        }
    }
    arb_clear(mu);
    fy_nnft_spec_clear(s);
}

/* Degenerate inputs: three collinear points in d = 2 (rank 2, the two-dimensional route of
 * fy_nnft_moment) against the three-dimensional grid on a rotated copy of their rank-2
 * representation; and gauss3 with c = 0 against gauss2. */
static void test_degenerate(void **state)
{
    /* points (0, 0), (1/2, 1/2), (1, 1), sigma_W = 1, sigma_b = 1: Sigma = 1 + x.y / 2, i.e.
     * z_k = b + t_k w with t = 0, 1/2, 1 (w ~ N(0, 1)): a_k = 1, b_k = t_k (small
     * coefficients: a grid of low degree, seconds) */
    static const slong t4[4] = {0, 1, 2, 2};
    static const int pw[3] = {1, 1, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu, r3, r2, cs, sn;
    arb_ptr a = _arb_vec_init(3), b = _arb_vec_init(3), c = _arb_vec_init(3);
    arb_ptr a2 = _arb_vec_init(3), b2 = _arb_vec_init(3), c2 = _arb_vec_init(3);
    int k, act;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    arb_init(r3);
    arb_init(r2);
    arb_init(cs);
    arb_init(sn);
    for (act = 0; act < 2; act++)
    {
        fy_nnft_act_t A = act ? FY_NNFT_TANH : FY_NNFT_ERF;
        spec_pts(s, A, "0 0\n1/2 1/2\n1 1\n", "1", "1");
        if (fy_nnft_moment(mu, s, t4, 4, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        /* rotate (u, v, 0) by angles 0.3 about w and 0.7 about u: a unit-norm frame */
        for (k = 0; k < 3; k++)
        {
            arb_set_si(a + k, 1);
            arb_set_si(b + k, k);
            arb_mul_2exp_si(b + k, b + k, -1);
            arb_zero(c + k);
        }
        arb_set_d(cs, 0.3);
        arb_sin_cos(sn, cs, cs, 128);
        for (k = 0; k < 3; k++)
        {
            /* (a, b, 0) -> (a cos - b sin, a sin + b cos, 0) */
            arb_mul(a2 + k, a + k, cs, 128);
            arb_submul(a2 + k, b + k, sn, 128);
            arb_mul(b2 + k, a + k, sn, 128);
            arb_addmul(b2 + k, b + k, cs, 128);
        }
        arb_set_d(cs, 0.7);
        arb_sin_cos(sn, cs, cs, 128);
        for (k = 0; k < 3; k++)
        {
            /* (x, y, 0) -> (x, y cos, y sin) */
            arb_mul(c2 + k, b2 + k, sn, 128);
            arb_mul(b2 + k, b2 + k, cs, 128);
        }
        if (fy_nnft_gauss3_expect(r3, A, a2, b2, c2, pw, 3, PREC3, err) != FY_OK)
            fail_msg("%s", err->msg);
        arb_mul_si(r3, r3, 3, PREC); /* E (sqrt(N) a)^4 = 3 */
        printf("# %s collinear: ", fy_nnft_act_name(A));
        arb_printd(mu, 17);
        printf(" (rank-2 route), ");
        arb_printd(r3, 17);
        printf(" (rotated into 3 dimensions)\n");
        assert_true(arb_overlaps(mu, r3));
        assert_true(arb_rel_accuracy_bits(r3) > 20);
        /* c = 0: the grid in three dimensions against the nested quadrature in two */
        assert_int_equal(fy_nnft_gauss3_expect(r3, A, a, b, c, pw, 3, PREC3, err), FY_OK);
        assert_int_equal(fy_nnft_gauss2_expect(r2, A, a, b, pw, 3, PREC, err), FY_OK);
        assert_true(arb_overlaps(r2, r3));
        arb_mul_si(r2, r2, 3, PREC);
        assert_true(arb_overlaps(r2, mu));
    }
    _arb_vec_clear(a, 3);
    _arb_vec_clear(b, 3);
    _arb_vec_clear(c, 3);
    _arb_vec_clear(a2, 3);
    _arb_vec_clear(b2, 3);
    _arb_vec_clear(c2, 3);
    arb_clear(mu);
    arb_clear(r3);
    arb_clear(r2);
    arb_clear(cs);
    arb_clear(sn);
    fy_nnft_spec_clear(s);
}

/* erf: a point of power 1 that alone depends on the third direction w: E over w in closed
 * form leaves a two-dimensional integral with its row scaled by 1 / sqrt(1 + 2 c^2), computed
 * by the nested quadrature of fy_nnft_gauss2_expect. */
static void test_erf_nesting(void **state)
{
    static const double A[3] = {0.8, -0.4, 0.3}, B[3] = {0.2, 0.9, -0.6}, C3 = 0.7;
    static const int pws[1][3] = {{2, 1, 1}}; /* (3, 2, 1) too took 8 s */
    arb_ptr a = _arb_vec_init(3), b = _arb_vec_init(3), c = _arb_vec_init(3);
    fy_error_t err;
    arb_t r3, r2, sc;
    int k, q;
    (void) state;
    fy_error_init(err);
    arb_init(r3);
    arb_init(r2);
    arb_init(sc);
    for (q = 0; q < 1; q++)
    {
        for (k = 0; k < 3; k++)
        {
            arb_set_d(a + k, A[k]);
            arb_set_d(b + k, B[k]);
            arb_zero(c + k);
        }
        arb_set_d(c + 2, C3);
        if (fy_nnft_gauss3_expect(r3, FY_NNFT_ERF, a, b, c, pws[q], 3, PREC3, err) != FY_OK)
            fail_msg("%s", err->msg);
        arb_set_d(sc, C3);
        arb_sqr(sc, sc, 128);
        arb_mul_2exp_si(sc, sc, 1);
        arb_add_ui(sc, sc, 1, 128);
        arb_rsqrt(sc, sc, 128);
        arb_mul(a + 2, a + 2, sc, 128);
        arb_mul(b + 2, b + 2, sc, 128);
        if (fy_nnft_gauss2_expect(r2, FY_NNFT_ERF, a, b, pws[q], 3, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        printf("# erf powers (%d, %d, %d): grid ", pws[q][0], pws[q][1], pws[q][2]);
        arb_printd(r3, 17);
        printf(", one direction in closed form ");
        arb_printd(r2, 17);
        printf("\n");
        assert_true(arb_overlaps(r2, r3));
        assert_true(arb_rel_accuracy_bits(r3) > 20);
        assert_true(arb_rel_accuracy_bits(r2) > 40);
    }
    _arb_vec_clear(a, 3);
    _arb_vec_clear(b, 3);
    _arb_vec_clear(c, 3);
    arb_clear(r3);
    arb_clear(r2);
    arb_clear(sc);
}

/* The [HMS] d = 2 and d = 3 sets: fy_nnft_corr_compute (shared rank-3 grids, erf's rank 4
 * reduced) against tuple-by-tuple moments and a Monte Carlo ensemble (fixed seed, 4 standard
 * errors); the rotations of the square map tuples to tuples with the same value. */
static void test_hms_sets(void **state)
{
    static const char *sets[] = {"hms-d2-erf", "hms-d3-erf"};
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    arb_t G;
    slong t;
    int q;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    arb_init(G);
    for (q = 0; q < 2; q++)
    {
        fy_nnft_mc_t mc;
        double worst = 0;
        spec_pts(s, q == 2 ? FY_NNFT_TANH : FY_NNFT_ERF, "0\n", "1", "1");
        if (fy_nnft_spec_set_inputs(s, sets[q], err) != FY_OK)
            fail_msg("%s", err->msg);
        s->width = 3;
        if (fy_nnft_corr_compute(c, s, 4, PREC3, err) != FY_OK)
            fail_msg("%s %s: %s", sets[q], fy_nnft_act_name(s->act), err->msg);
        assert_int_equal(c->count, 35); /* C(4 + 3, 4) sorted 4-tuples */
        for (t = 0; t < c->count && q < 2; t += 5)
        {
            assert_int_equal(fy_nnft_correlator(G, s, c->idx + 4 * t, 4, PREC3, err), FY_OK);
            if (!arb_overlaps(G, c->G + t) || arb_rel_accuracy_bits(c->G + t) < 20)
                fail_msg("%s tuple %ld", sets[q], (long) t);
        }
        fy_nnft_mc_init(mc);
        printf("# %s %s: Monte Carlo seed 7\n", sets[q], fy_nnft_act_name(s->act));
        if (fy_nnft_sample(mc, s, 200000, 7, 1, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_int_equal(mc->count[1], c->count);
        for (t = 0; t < c->count; t++)
        {
            double g = mid(c->G + t), z = fabs(mc->mean[1][t] - g) / mc->se[1][t];
            if (z > worst)
                worst = z;
            if (z > 4)
                fail_msg("%s tuple %ld: exact %.10g, Monte Carlo %.10g +- %.3g", sets[q],
                         (long) t, g, mc->mean[1][t], mc->se[1][t]);
        }
        printf("# %s %s: exact against Monte Carlo, largest deviation %.2f standard errors\n",
               sets[q], fy_nnft_act_name(s->act), worst);
        fy_nnft_mc_clear(mc);
    }
    arb_clear(G);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

/* The square (-1, -1), (-1, 1), (1, -1), (1, 1): the rotation (x, y) -> (-y, x) maps the points
 * 0 1 2 3 to 2 0 3 1 and preserves Sigma, so moments at mapped tuples agree; they are
 * computed from different rank-3 representations.  And permutations of one tuple. */
static void test_symmetry(void **state)
{
    static const slong rot[4] = {2, 0, 3, 1};
    /* a tuple with points of power 1 (reduced to two dimensions) and one with every point
     * repeated (the three-dimensional grid) */
    static const slong tups[2][6] = {{0, 0, 1, 2}, {0, 0, 1, 1, 3, 3}};
    static const int ms[2] = {4, 6};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t m1, m2;
    slong u[6], p[6];
    int q, k, act;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(m1);
    arb_init(m2);
    for (act = 0; act < 2; act++)
    {
        spec_pts(s, act ? FY_NNFT_TANH : FY_NNFT_ERF, "-1 -1\n-1 1\n1 -1\n1 1\n", "1", "1");
        for (q = 0; q < 2; q++)
        {
            for (k = 0; k < ms[q]; k++)
            {
                u[k] = rot[tups[q][k]];
                p[k] = tups[q][ms[q] - 1 - k]; /* reversed */
            }
            if (act == 1 && q > 0)
                break; /* tanh: every moment is a three-dimensional grid, one will do */
            assert_int_equal(fy_nnft_moment(m1, s, tups[q], ms[q], PREC3, err), FY_OK);
            assert_int_equal(fy_nnft_moment(m2, s, u, ms[q], PREC3, err), FY_OK);
            assert_true(arb_overlaps(m1, m2));
            assert_false(arb_contains_zero(m1));
            if (q > 0)
                continue; /* (the grid: the rotation will do) */
            assert_int_equal(fy_nnft_moment(m2, s, p, ms[q], PREC3, err), FY_OK);
            assert_true(arb_overlaps(m1, m2));
        }
    }
    arb_clear(m1);
    arb_clear(m2);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ eft13: the nested rule
 * fy_nnft_nest_integrate and the cubature fy_nnft_cube_integrate (quad2.c), each against
 * closed forms: a product integrand (the product
 * of its 1-d integrals, erf and sin by Arb), a polynomial in three coordinates (exact
 * rational value 8), a kink function cut at its kinks (10/9 exactly); refusals. */
static int nest_prod(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    acb_t t;
    (void) analytic; /* entire */
    (void) param;
    acb_init(t);
    acb_sqr(t, x, prec);
    acb_neg(t, t);
    acb_exp(t, t, prec);
    acb_cos(res, x + 1, prec);
    acb_mul(res, res, t, prec);
    acb_clear(t);
    return 0;
}

static int nest_poly(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    acb_t t;
    (void) analytic;
    (void) param;
    acb_init(t);
    acb_sqr(res, x, prec);
    acb_mul(res, res, x + 1, prec); /* x^2 y */
    acb_sqr(t, x + 1, prec);
    acb_mul(t, t, x, prec);
    acb_mul(t, t, x + 2, prec);
    acb_mul_ui(t, t, 3, prec); /* 3 x y^2 z */
    acb_add(res, res, t, prec);
    acb_add_ui(res, res, 1, prec);
    acb_clear(t);
    return 0;
}

/* +-(x - c) on the piece of x (as eft.c's pieces: the sign of the real part, or of the
 * midpoint on the integrator's balls) */
static void piece_abs(acb_t r, const acb_t x, const arb_t c, int analytic, slong prec)
{
    int sg;
    acb_sub_arb(r, x, c, prec);
    sg = arb_is_positive(acb_realref(r)) ? 1 : arb_is_negative(acb_realref(r)) ? -1
         : analytic ? arf_sgn(arb_midref(acb_realref(r))) : 0;
    if (sg < 0)
        acb_neg(r, r);
    else if (sg == 0)
    {
        if (analytic || !arb_is_zero(acb_imagref(r)))
            acb_indeterminate(r);
        else
            arb_abs(acb_realref(r), acb_realref(r));
    }
}

static int nest_kink(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    acb_t t;
    arb_t c;
    (void) param;
    acb_init(t);
    arb_init(c);
    arb_set_si(c, 1);
    arb_div_ui(c, c, 3, prec);
    piece_abs(res, x, c, analytic, prec);
    arb_zero(c);
    piece_abs(t, x + 1, c, analytic, prec);
    acb_mul(res, res, t, prec);
    acb_clear(t);
    arb_clear(c);
    return 0;
}

typedef int (*integrate_fn)(arb_t, fy_nnft_nest_fn, void *, int, arb_srcptr const *,
                            const slong *, slong, slong, fy_error_t);

/* The cases of the nested rule and of the cubature, through integrate (name: printed). */
static void integrate_cases(integrate_fn integrate, const char *name)
{
    arb_struct p[12];
    arb_srcptr pts[3];
    slong np[3], i;
    fy_error_t err;
    arb_t r, e, t;
    fy_error_init(err);
    arb_init(r);
    arb_init(e);
    arb_init(t);
    for (i = 0; i < 12; i++)
        arb_init(p + i);
    /* exp(-x^2) cos y on [-1, 2] x [0, 1], x cut at 1/2: sqrt(pi) / 2 (erf 2 + erf 1) sin 1 */
    arb_set_si(p, -1);
    arb_set_d(p + 1, 0.5);
    arb_set_si(p + 2, 2);
    arb_zero(p + 3);
    arb_one(p + 4);
    pts[0] = p;
    pts[1] = p + 3;
    np[0] = 3;
    np[1] = 2;
    if (integrate(r, nest_prod, NULL, 2, pts, np, 40, 80, err) != FY_OK)
        fail_msg("%s", err->msg);
    arb_set_si(t, 2);
    arb_hypgeom_erf(e, t, 128);
    arb_one(t);
    arb_hypgeom_erf(t, t, 128);
    arb_add(e, e, t, 128);
    arb_const_sqrt_pi(t, 128);
    arb_mul(e, e, t, 128);
    arb_mul_2exp_si(e, e, -1);
    arb_one(t);
    arb_sin(t, t, 128);
    arb_mul(e, e, t, 128);
    printf("# %s: product ", name);
    arb_printd(r, 17);
    printf(", closed form ");
    arb_printd(e, 17);
    printf("\n");
    assert_true(arb_overlaps(r, e));
    assert_true(arb_rel_accuracy_bits(r) >= 34);
    /* x^2 y + 3 x y^2 z + 1 on [0, 1] x [-1, 2] x [1/2, 3/2], cuts at 1/3, 0, 1: 8 */
    arb_zero(p);
    arb_set_si(p + 1, 1);
    arb_div_ui(p + 1, p + 1, 3, 128);
    arb_one(p + 2);
    arb_set_si(p + 3, -1);
    arb_zero(p + 4);
    arb_one(p + 5);
    arb_set_si(p + 6, 2);
    arb_set_d(p + 7, 0.5);
    arb_set_d(p + 8, 1.5);
    pts[0] = p;
    pts[1] = p + 3;
    pts[2] = p + 7;
    np[0] = 3;
    np[1] = 4;
    np[2] = 2;
    if (integrate(r, nest_poly, NULL, 3, pts, np, 40, 80, err) != FY_OK)
        fail_msg("%s", err->msg);
    printf("# %s: polynomial ", name);
    arb_printd(r, 17);
    printf(" (8)\n");
    assert_true(arb_contains_si(r, 8));
    assert_true(arb_rel_accuracy_bits(r) >= 34);
    /* |x - 1/3| |y| on [-1, 1]^2 cut at 1/3 and 0: 10/9 */
    arb_set_si(p, -1);
    arb_set_si(p + 1, 1);
    arb_div_ui(p + 1, p + 1, 3, 128);
    arb_one(p + 2);
    arb_set_si(p + 3, -1);
    arb_zero(p + 4);
    arb_one(p + 5);
    pts[0] = p;
    pts[1] = p + 3;
    np[0] = 3;
    np[1] = 3;
    if (integrate(r, nest_kink, NULL, 2, pts, np, 40, 80, err) != FY_OK)
        fail_msg("%s", err->msg);
    arb_set_si(e, 10);
    arb_div_ui(e, e, 9, 128);
    assert_true(arb_overlaps(r, e));
    assert_true(arb_rel_accuracy_bits(r) >= 34);
    /* refusals: 4 coordinates, points not increasing, one point only */
    np[0] = np[1] = np[2] = 2;
    assert_int_equal(integrate(r, nest_poly, NULL, 4, pts, np, 40, 80, err),
                     FY_EINPUT);
    arb_set(p + 1, p);
    np[0] = 3;
    assert_int_equal(integrate(r, nest_kink, NULL, 2, pts, np, 40, 80, err),
                     FY_EINPUT);
    np[0] = 1;
    assert_int_equal(integrate(r, nest_kink, NULL, 2, pts, np, 40, 80, err),
                     FY_EINPUT);
    for (i = 0; i < 12; i++)
        arb_clear(p + i);
    arb_clear(r);
    arb_clear(e);
    arb_clear(t);
}

static void test_nest(void **state)
{
    (void) state;
    integrate_cases(fy_nnft_nest_integrate, "nest");
    integrate_cases(fy_nnft_cube_integrate, "cube");
}

/* sqrt(x^2 + y^2) (a conical kink at the origin, as relu's K_EFT at x = x_k for sigma_b > 0,
 * holomorphic off it: the square root of a sum of squares off the negative axis), or with
 * param != NULL sqrt(x^2 + y^2 + z^2) */
static int cube_cone(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    acb_t t;
    int k, dim = param != NULL ? 3 : 2;
    acb_init(t);
    acb_zero(res);
    for (k = 0; k < dim; k++)
    {
        acb_sqr(t, x + k, prec);
        acb_add(res, res, t, prec);
    }
    if (analytic && !arb_is_positive(acb_realref(res)))
        acb_indeterminate(res);
    else
        acb_sqrt_analytic(res, res, analytic, prec);
    acb_clear(t);
    return 0;
}

/* eft13: the cubature at a point kink on a cell corner: int over [-1, 1]^2 of |(x, y)| cut
 * at 0 is 4 (sqrt 2 + asinh 1) / 3; over [0, 1]^3 of |(x, y, z)| (Monte Carlo in doubles
 * would be too loose) against the 2-d integral over the faces by homogeneity, 3 int over
 * [0, 1]^2 of (1 + x^2 + y^2)^(1/2) / 4, by a Simpson rule in doubles here. */
static void test_cube_kinks(void **state)
{
    arb_struct p[6];
    arb_srcptr pts[3];
    slong np[3] = {3, 3, 2};
    fy_error_t err;
    arb_t r, e, t;
    int k;
    (void) state;
    fy_error_init(err);
    arb_init(r);
    arb_init(e);
    arb_init(t);
    for (k = 0; k < 6; k++)
        arb_init(p + k);
    arb_set_si(p, -1);
    arb_one(p + 2);
    pts[0] = pts[1] = p;
    if (fy_nnft_cube_integrate(r, cube_cone, NULL, 2, pts, np, 40, 80, err) != FY_OK)
        fail_msg("%s", err->msg);
    arb_one(t);
    arb_asinh(e, t, 128);
    arb_set_ui(t, 2);
    arb_sqrt(t, t, 128);
    arb_add(e, e, t, 128);
    arb_mul_2exp_si(e, e, 2);
    arb_div_ui(e, e, 3, 128);
    printf("# cube: cone ");
    arb_printd(r, 17);
    printf(", closed form ");
    arb_printd(e, 17);
    printf("\n");
    assert_true(arb_overlaps(r, e));
    assert_true(arb_rel_accuracy_bits(r) >= 34);
    /* three dimensions over [0, 1]^3 against the faces: 3 / 4 int (1 + x^2 + y^2)^(1/2) */
    {
        double sum = 0, h = 1.0 / 200;
        int i, j;
        arb_zero(p);
        arb_one(p + 1);
        pts[0] = pts[1] = pts[2] = p;
        np[0] = np[1] = np[2] = 2;
        if (fy_nnft_cube_integrate(r, cube_cone, p, 3, pts, np, 30, 60, err) != FY_OK)
            fail_msg("%s", err->msg);
        for (i = 0; i <= 200; i++)
            for (j = 0; j <= 200; j++)
            {
                double wi = (i == 0 || i == 200) ? 1 : (i & 1) ? 4 : 2;
                double wj = (j == 0 || j == 200) ? 1 : (j & 1) ? 4 : 2;
                sum += wi * wj * sqrt(1 + i * h * i * h + j * h * j * h);
            }
        sum *= h * h / 9 * 0.75;
        printf("# cube: 3-d cone ");
        arb_printd(r, 17);
        printf(", faces by Simpson %.15g\n", sum);
        assert_true(fabs(mid(r) - sum) < 1e-10 + mag_get_d(arb_radref(r)));
        assert_true(arb_rel_accuracy_bits(r) >= 26);
    }
    for (k = 0; k < 6; k++)
        arb_clear(p + k);
    arb_clear(r);
    arb_clear(e);
    arb_clear(t);
}

/* ------------------------------------------------------------------ eft13: relu at rank 3
 * Against closed forms (independent coordinates: products of the 1-d moments), the rank-2
 * route (a block-diagonal covariance: the closed form of quad2.c times a 1-d moment), a Monte
 * Carlo average over the neuron's parameters (fixed seed, 4 standard errors), permutations
 * of the tuple (other pivots, other polygons). */
static void test_relu_rank3(void **state)
{
    static const slong t4[4] = {0, 1, 2, 2}, t6[6] = {0, 0, 1, 1, 2, 2};
    static const slong p4[4] = {2, 1, 2, 0}, p6[6] = {2, 1, 0, 2, 1, 0};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu, m2, e;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    arb_init(m2);
    arb_init(e);
    /* e_1, e_2, e_3 in d = 3, sigma_W = 1, sigma_b = 0: z independent N(0, 1/3);
     * E relu z1 relu z2 relu(z3)^2 = (1/3)/(2 pi) (1/3)/2, times 3 (output weights) */
    spec_pts(s, FY_NNFT_RELU, "1 0 0\n0 1 0\n0 0 1\n", "1", "0");
    if (fy_nnft_moment(mu, s, t4, 4, PREC, err) != FY_OK)
        fail_msg("%s", err->msg);
    arb_const_pi(e, PREC);
    arb_mul_ui(e, e, 12, PREC);
    arb_inv(e, e, PREC);
    check_ref(mu, e, "relu rank 3, independent", "1 / (12 pi) =", 40);
    check_block_diagonal(s, FY_NNFT_RELU, PREC, 40);
    /* d = 2 with biases (rank 3): Monte Carlo over (w1, w2, b), and permutations */
    spec_pts(s, FY_NNFT_RELU, "1 0\n0 1\n-1 0.5\n", "1", "3/5");
    {
        const uint64_t seed = 13, M = 400000;
        static const double X[3][2] = {{1, 0}, {0, 1}, {-1, 0.5}};
        fy_rng_t g;
        double s1[2] = {0, 0}, s2[2] = {0, 0};
        uint64_t k;
        int q;
        fy_rng_init(g, seed, FY_RNG_PURPOSE_TEST);
        printf("# relu rank 3 Monte Carlo: seed %llu, %llu draws\n",
               (unsigned long long) seed, (unsigned long long) M);
        for (k = 0; k < M; k++)
        {
            double w[3], z[3], v4, v6;
            int j;
            fy_rng_normals(w, 3, g, 0, 3 * k);
            for (j = 0; j < 3; j++)
            {
                z[j] = (w[0] * X[j][0] + w[1] * X[j][1]) / M_SQRT2 + 0.6 * w[2];
                z[j] = z[j] > 0 ? z[j] : 0;
            }
            v4 = z[0] * z[1] * z[2] * z[2];
            v6 = z[0] * z[0] * z[1] * z[1] * z[2] * z[2];
            s1[0] += v4;
            s2[0] += v4 * v4;
            s1[1] += v6;
            s2[1] += v6 * v6;
        }
        for (q = 0; q < 2; q++)
        {
            double mean = s1[q] / M, se = sqrt((s2[q] / M - mean * mean) / (M - 1));
            double f = q ? 15 : 3, z;
            if (fy_nnft_moment(mu, s, q ? t6 : t4, q ? 6 : 4, PREC, err) != FY_OK)
                fail_msg("%s", err->msg);
            z = fabs(mid(mu) - f * mean) / (f * se);
            printf("# m = %d: ", q ? 6 : 4);
            arb_printd(mu, 17);
            printf(", Monte Carlo %.8g +- %.2g (%.2f se)\n", f * mean, f * se, z);
            assert_true(z < 4);
            assert_true(arb_rel_accuracy_bits(mu) >= 40);
            assert_int_equal(fy_nnft_moment(m2, s, q ? p6 : p4, q ? 6 : 4, PREC, err), FY_OK);
            assert_true(arb_overlaps(mu, m2));
        }
    }
    /* the [HMS] d = 2 ReLU set (the square (1/2, 1/2) .. (1, 1), sigma_b = 1: nearly
     * collinear pre-activations, where the nested rule gave up) at the tuple of its four
     * points against Monte Carlo, and a permutation */
    spec_pts(s, FY_NNFT_RELU, "0\n", "1", "1");
    if (fy_nnft_spec_set_inputs(s, "hms-d2-relu", err) != FY_OK)
        fail_msg("%s", err->msg);
    {
        static const slong h4[4] = {0, 1, 2, 3}, h4p[4] = {3, 1, 0, 2};
        static const double X[4][2] = {{0.5, 0.5}, {0.5, 1}, {1, 0.5}, {1, 1}};
        const uint64_t seed = 17, M = 400000;
        fy_rng_t g;
        double s1 = 0, s2 = 0, mean, se, z;
        uint64_t k;
        fy_rng_init(g, seed, FY_RNG_PURPOSE_TEST);
        if (fy_nnft_moment(mu, s, h4, 4, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        for (k = 0; k < M; k++)
        {
            double w[3], v = 1;
            int j;
            fy_rng_normals(w, 3, g, 0, 3 * k);
            for (j = 0; j < 4; j++)
            {
                double zj = (w[0] * X[j][0] + w[1] * X[j][1]) / M_SQRT2 + w[2];
                v *= zj > 0 ? zj : 0;
            }
            s1 += v;
            s2 += v * v;
        }
        mean = 3 * s1 / M;
        se = 3 * sqrt((s2 / M - s1 / M * (s1 / M)) / (M - 1));
        z = fabs(mid(mu) - mean) / se;
        printf("# hms-d2-relu (0, 1, 2, 3): ");
        arb_printd(mu, 17);
        printf(", Monte Carlo seed %llu, %llu draws: %.8g +- %.2g (%.2f se)\n",
               (unsigned long long) seed, (unsigned long long) M, mean, se, z);
        assert_true(z < 4);
        assert_true(arb_rel_accuracy_bits(mu) >= 40);
        assert_int_equal(fy_nnft_moment(m2, s, h4p, 4, PREC, err), FY_OK);
        assert_true(arb_overlaps(mu, m2));
    }
    arb_clear(mu);
    arb_clear(m2);
    arb_clear(e);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ tanh13: tanh at rank 3
 * The three-dimensional grid (quad2.c, the tanh bound max(1, tan |Im z|) on the ellipses)
 * against: (a) the Monte Carlo ensemble of fy_nnft_sample on the [HMS] d = 2 set (fixed seed,
 * 4 standard errors; the correlator tables from one grid for every monomial, and one tuple by
 * its own grid); (b) the same grid for sin (fy_nnft_gauss3_expect) against sin's closed form
 * (for erf against erf's own rank-3 route, the direction of a point of power 1 in closed form:
 * test_erf_nesting); (c) integrands that factorise: independent directions
 * against the cube of a rank-1 moment, a block-diagonal covariance against a rank-2 moment
 * (nested quadrature) times a rank-1 one.  (d) Permutations of a tuple and rotations of the
 * square (other Cholesky factors: other grids): test_symmetry.  The trapezoid rule over the
 * parameters: test_rank3_vs_trapezoid; a rank-2 set rotated into three dimensions:
 * test_degenerate. */
static void test_tanh_rank3(void **state)
{
    static const slong t6[6] = {0, 0, 1, 1, 2, 2}, t4[4] = {0, 1, 2, 2};
    static const slong t00[2] = {0, 0};
    static const slong h4[4] = {0, 1, 2, 3};
    static const double X[3][2] = {{1, 0}, {0, 1}, {-1, 0.5}};
    static const int pw[3] = {1, 1, 2};
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_nnft_mc_t mc;
    fy_error_t err;
    arb_t mu, m2, e;
    arb_ptr a = _arb_vec_init(3), b = _arb_vec_init(3), w = _arb_vec_init(3);
    double worst = 0;
    slong t;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    arb_init(mu);
    arb_init(m2);
    arb_init(e);
    /* (a) hms-d2 (the square (+-1, +-1), sigma_b = 1: rank 3) against Monte Carlo */
    spec_pts(s, FY_NNFT_TANH, "0\n", "1", "1");
    if (fy_nnft_spec_set_inputs(s, "hms-d2-erf", err) != FY_OK)
        fail_msg("%s", err->msg);
    s->width = 3;
    if (fy_nnft_corr_compute(c, s, 4, PREC3, err) != FY_OK)
        fail_msg("hms-d2 tanh: %s", err->msg);
    assert_int_equal(c->count, 35);
    fy_nnft_mc_init(mc);
    if (fy_nnft_sample(mc, s, 200000, 11, 1, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_int_equal(mc->count[1], c->count);
    for (t = 0; t < c->count; t++)
    {
        double g = mid(c->G + t), z = fabs(mc->mean[1][t] - g) / mc->se[1][t];
        worst = z > worst ? z : worst;
        if (z > 4 || arb_rel_accuracy_bits(c->G + t) < 16)
            fail_msg("hms-d2 tanh tuple %ld: exact %.10g, Monte Carlo %.10g +- %.3g", (long) t,
                     g, mc->mean[1][t], mc->se[1][t]);
        if (memcmp(c->idx + 4 * t, h4, sizeof h4) == 0)
        {
            /* the tuple of the four points by its own grid (one monomial's degrees) */
            assert_int_equal(fy_nnft_correlator(mu, s, h4, 4, PREC3, err), FY_OK);
            printf("# hms-d2 tanh G4(0, 1, 2, 3) at N = 3: table ");
            arb_printd(c->G + t, 12);
            printf(", own grid ");
            arb_printd(mu, 12);
            printf(", Monte Carlo %.6g +- %.2g\n", mc->mean[1][t], mc->se[1][t]);
            assert_true(arb_overlaps(mu, c->G + t));
        }
    }
    printf("# hms-d2 tanh: exact against Monte Carlo (seed 11, 200000 networks), largest "
           "deviation %.2f standard errors\n", worst);
    fy_nnft_mc_clear(mc);
    /* (b) the grid for sin against its closed form: z_j = (w1 x_j1 + w2 x_j2) / sqrt 2 + 0.6 b,
     * E (sqrt(N) a)^4 = 3 */
    for (k = 0; k < 3; k++)
    {
        arb_set_d(a + k, X[k][0]);
        arb_set_d(b + k, X[k][1]);
        arb_sqrt_ui(e, 2, 128);
        arb_div(a + k, a + k, e, 128);
        arb_div(b + k, b + k, e, 128);
        arb_set_si(w + k, 3);
        arb_div_ui(w + k, w + k, 5, 128);
    }
    spec_pts(s, FY_NNFT_SIN, "1 0\n0 1\n-1 0.5\n", "1", "3/5");
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC, err), FY_OK);
    if (fy_nnft_gauss3_expect(m2, FY_NNFT_SIN, a, b, w, pw, 3, PREC3, err) != FY_OK)
        fail_msg("%s", err->msg);
    arb_mul_si(m2, m2, 3, PREC);
    printf("# sin (0, 1, 2, 2): the grid ");
    arb_printd(m2, 17);
    printf(", closed form ");
    arb_printd(mu, 17);
    printf("\n");
    assert_true(arb_overlaps(mu, m2));
    assert_true(arb_rel_accuracy_bits(m2) >= 25 && arb_rel_accuracy_bits(mu) >= 50);
    /* (c) 2 e_1, 2 e_2, 2 e_3 in d = 3, sigma_W = 2, sigma_b = 0: z_j = (4 / sqrt 3) w_j
     * independent, mu_6(0, 0, 1, 1, 2, 2) = 15 (E tanh(z)^2)^3.  Coefficients this large put
     * tanh's poles within reach of the panels' ellipses (a bound of 1 there, blind to the
     * poles, gave a ball 2.5 radii off) */
    spec_pts(s, FY_NNFT_TANH, "2 0 0\n0 2 0\n0 0 2\n", "2", "0");
    if (fy_nnft_moment(mu, s, t6, 6, PREC3, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_int_equal(fy_nnft_moment(e, s, t00, 2, PREC, err), FY_OK);
    arb_pow_ui(e, e, 3, PREC);
    arb_mul_ui(e, e, 15, PREC);
    check_ref(mu, e, "tanh rank 3, independent", "15 mu_2^3 =", 20);
    check_block_diagonal(s, FY_NNFT_TANH, PREC3, 20);
    _arb_vec_clear(a, 3);
    _arb_vec_clear(b, 3);
    _arb_vec_clear(w, 3);
    arb_clear(mu);
    arb_clear(m2);
    arb_clear(e);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

/* What stays refused, with the reason: relu at rank 4, tanh at rank 4 (one moment, and the
 * correlator tables of a set of rank 4 at once), erf at rank 4 with no point of power 1. */
static void test_refused(void **state)
{
    static const slong t4[4] = {0, 1, 2, 3}, t8[8] = {0, 0, 1, 1, 2, 2, 3, 3};
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    arb_t mu;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    arb_init(mu);
    spec_pts(s, FY_NNFT_RELU, "-1 -1 -1\n1 1 -1\n-1 1 1\n1 -1 1\n", "1", "1");
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "rank 4"));
    spec_pts(s, FY_NNFT_TANH, "-1 -1 -1\n1 1 -1\n-1 1 1\n1 -1 1\n", "1", "1");
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "rank 4"));
    assert_non_null(strstr(err->msg, "nnft sample"));
    s->width = 5; /* the tables: refused before any grid */
    assert_int_equal(fy_nnft_corr_compute(c, s, 4, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "rank 4 or more"));
    assert_non_null(strstr(err->msg, "G^(4) needs four-dimensional integrals"));
    assert_non_null(strstr(err->msg, "nnft sample"));
    assert_int_equal(fy_nnft_corr_compute(c, s, 2, PREC, err), FY_OK);
    s->act = FY_NNFT_ERF;
    assert_int_equal(fy_nnft_moment(mu, s, t8, 8, PREC, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "occurs once"));
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC3, err), FY_OK);
    arb_clear(mu);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

/* fy_nnft_corr_compute_widths: the same tables as fy_nnft_corr_compute width by width, with
 * the moments computed for the first width only (the cache then answers every request). */
static void test_widths(void **state)
{
    static const slong widths[3] = {3, 7, 100};
    fy_nnft_spec_t s;
    fy_nnft_corr_struct cw[3];
    fy_nnft_corr_t c;
    fy_error_t err;
    slong t;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    for (k = 0; k < 3; k++)
        fy_nnft_corr_init(cw + k);
    /* relu with biases: closed-form moments, each computed on a miss of the cache */
    spec_pts(s, FY_NNFT_RELU, "-0.5\n0.5\n1\n", "1", "1");
    if (fy_nnft_corr_compute_widths(cw, s, 4, widths, 3, 53, err) != FY_OK)
        fail_msg("%s", err->msg);
    for (k = 0; k < 3; k++)
    {
        s->width = widths[k];
        assert_int_equal(fy_nnft_corr_compute(c, s, 4, 53, err), FY_OK);
        assert_int_equal(cw[k].count, c->count);
        assert_true(c->moments_computed > 0);
        assert_int_equal(cw[k].moments_computed, k == 0 ? c->moments_computed : 0);
        for (t = 0; t < c->count; t++)
            assert_true(arb_overlaps(cw[k].G + t, c->G + t)
                        && arb_overlaps(cw[k].conn + t, c->conn + t));
        assert_true(arb_overlaps(cw[k].m, c->m));
    }
    assert_int_equal(fy_nnft_corr_compute_widths(cw, s, 4, widths, 0, 53, err), FY_OK);
    {
        static const slong bad[1] = {0};
        assert_int_equal(fy_nnft_corr_compute_widths(cw, s, 4, bad, 1, 53, err), FY_EINPUT);
    }
    for (k = 0; k < 3; k++)
        fy_nnft_corr_clear(cw + k);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rank3_vs_trapezoid),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_erf_nesting),
        cmocka_unit_test(test_symmetry),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_hms_sets),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_nest),
        cmocka_unit_test(test_cube_kinks),
        cmocka_unit_test(test_relu_rank3),
        cmocka_unit_test(test_tanh_rank3),
    };
    return cmocka_run_group_tests_name("nnft_quad3", tests, NULL, NULL) ? 1 : 0;
}
