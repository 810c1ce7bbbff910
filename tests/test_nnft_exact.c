/* test_nnft_exact: single-neuron moments at distinct points (src/nnft/quad2.c) and the
 * [HMS] input sets (src/nnft/spec.c).
 *
 * Second routes: erf and tanh moments against a trapezoid product rule (to 1e-12) and a
 * Gauss-Hermite product rule (to 1e-9 and 1e-6: it converges slowly for these integrands) in
 * doubles, both over the parameters (w, b) themselves, not over the reduced coordinates the
 * library uses; the two-dimensional quadrature at
 * m = 2 against the closed-form Erf kernel; coincident and collinear points against the
 * one-dimensional quadrature fy_nnft_moment_quad; ReLU with biases against the arc-cosine
 * kernel of degree 2 (Cho and Saul) and a double-precision angular quadrature; sin against
 * Gauss-Hermite in two and three dimensions; permutation symmetry; the shared-grid batch and
 * moment cache of fy_nnft_corr_compute against tuple-by-tuple fy_nnft_correlator and against
 * a Monte Carlo ensemble; the exact width scaling of connected parts. */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/util.h"
#include "testutil.h"

#define PREC 64

/* ------------------------------------------------------------------ double references */
/* Gauss-Hermite nodes and weights for int e^(-x^2) f(x) dx (Numerical Recipes' gauher). */
#define GH_N 90
static double gh_x[GH_N], gh_w[GH_N];

static void gh_init(void)
{
    int i, its, j, m = (GH_N + 1) / 2;
    double p1, p2, p3, pp = 0, z = 0, z1;
    const double pim4 = 0.7511255444649425;
    for (i = 0; i < m; i++)
    {
        if (i == 0)
            z = sqrt(2.0 * GH_N + 1) - 1.85575 * pow(2.0 * GH_N + 1, -0.16667);
        else if (i == 1)
            z -= 1.14 * pow((double) GH_N, 0.426) / z;
        else if (i == 2)
            z = 1.86 * z - 0.86 * gh_x[0];
        else if (i == 3)
            z = 1.91 * z - 0.91 * gh_x[1];
        else
            z = 2.0 * z - gh_x[i - 2];
        for (its = 0; its < 100; its++)
        {
            p1 = pim4;
            p2 = 0.0;
            for (j = 0; j < GH_N; j++)
            {
                p3 = p2;
                p2 = p1;
                p1 = z * sqrt(2.0 / (j + 1)) * p2 - sqrt((double) j / (j + 1)) * p3;
            }
            pp = sqrt(2.0 * GH_N) * p2;
            z1 = z;
            z = z1 - p1 / pp;
            if (fabs(z - z1) <= 1e-15)
                break;
        }
        gh_x[i] = z;
        gh_x[GH_N - 1 - i] = -z;
        gh_w[i] = 2.0 / (pp * pp);
        gh_w[GH_N - 1 - i] = gh_w[i];
    }
}

/* E prod_k phi(sw x_k w + sb b), w, b ~ N(0, 1), d = 1: Gauss-Hermite product rule. */
static double gh_moment(double (*phi)(double), const double *x, int m, double sw, double sb)
{
    double s = 0;
    int i, j, k;
    for (i = 0; i < GH_N; i++)
        for (j = 0; j < GH_N; j++)
        {
            double w = M_SQRT2 * gh_x[i], b = M_SQRT2 * gh_x[j], p = gh_w[i] * gh_w[j];
            for (k = 0; k < m; k++)
                p *= phi(sw * x[k] * w + sb * b);
            s += p;
        }
    return s / M_PI;
}

/* The same by the trapezoid rule on [-12, 12]^2, step 0.04 (spectrally accurate for the
 * analytic integrands; tanh's poles limit Gauss-Hermite, not this). */
static double trap_moment(double (*phi)(double), const double *x, int m, double sw, double sb)
{
    const int n = 600;
    const double h = 24.0 / n;
    double s = 0;
    int i, j, k;
    for (i = 0; i <= n; i++)
        for (j = 0; j <= n; j++)
        {
            double w = -12 + i * h, b = -12 + j * h, p = exp(-0.5 * (w * w + b * b));
            for (k = 0; k < m; k++)
                p *= phi(sw * x[k] * w + sb * b);
            s += p;
        }
    return s * h * h / (2 * M_PI);
}

static double dfact(int m)
{
    double r = 1;
    int k;
    for (k = m - 1; k > 1; k -= 2)
        r *= k;
    return r;
}

static void spec_d1(fy_nnft_spec_t s, fy_nnft_act_t act, const char *pts, const char *sw,
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

static double rel(const arb_t x, double d)
{
    return fabs(arf_get_d(arb_midref(x), ARF_RND_NEAR) - d) / fabs(d);
}

/* ------------------------------------------------------------------ input sets */
static void test_input_sets(void **state)
{
    static const struct
    {
        const char *name;
        int d, n;
        slong num, den; /* point 1, coordinate d - 1 */
    } want[] = {
        {"hms-d1-erf", 1, 6, -3, 5},   {"hms-xset1", 1, 6, -3, 5},
        {"hms-d1-gauss", 1, 6, -3, 500}, {"hms-d1", 1, 6, -3, 500},
        {"hms-xset2", 1, 6, -3, 500},  {"hms-d1-relu", 1, 6, 2, 5},
        {"hms-xset1A", 1, 6, 2, 5},    {"hms-d2-erf", 2, 4, 1, 1},
        {"hms-xset3", 2, 4, 1, 1},     {"hms-d2-gauss", 2, 4, 1, 100},
        {"hms-d2-relu", 2, 4, 1, 1},   {"hms-xset3A", 2, 4, 1, 1},
        {"hms-d3-erf", 3, 4, -1, 1},   {"hms-xset5", 3, 4, -1, 1},
        {"hms-d3-gauss", 3, 4, -1, 100}, {"hms-d3-relu", 3, 4, 1, 5},
        {"hms-xset5A", 3, 4, 1, 5},    {"hms-xsetE", 1, 6, 1, 250},
        {"hms-xsetG", 1, 6, 1, 250},   {"hms-xsetR", 1, 6, 2, 5},
        {"unit-d1", 1, 6, -3, 5},
    };
    fy_nnft_spec_t s, t;
    fy_error_t err;
    fmpq_t q;
    size_t k;
    slong i;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(t);
    fy_error_init(err);
    fmpq_init(q);
    for (k = 0; k < sizeof want / sizeof want[0]; k++)
    {
        if (fy_nnft_spec_set_inputs(s, want[k].name, err) != FY_OK)
            fail_msg("%s: %s", want[k].name, err->msg);
        assert_int_equal(s->d, want[k].d);
        assert_int_equal(s->npoints, want[k].n);
        fmpq_set_si(q, want[k].num, (ulong) want[k].den);
        if (!fmpq_equal(s->points + 1 * s->d + s->d - 1, q))
            fail_msg("%s: point 1", want[k].name);
        assert_string_equal(s->inputs, want[k].name);
    }
    /* torch.cartesian_prod([-1, 1], [-1, 1]): (-1,-1), (-1,1), (1,-1), (1,1) */
    assert_int_equal(fy_nnft_spec_set_inputs(s, "hms-d2-erf", err), FY_OK);
    for (i = 0; i < 4; i++)
    {
        assert_int_equal(fmpq_sgn(s->points + 2 * i), i < 2 ? -1 : 1);
        assert_int_equal(fmpq_sgn(s->points + 2 * i + 1), (i & 1) ? 1 : -1);
    }
    /* the Gauss-net sets are 0.01 times the Erf sets, in every d */
    for (k = 0; k < 3; k++)
    {
        static const char *const e[3] = {"hms-d1-erf", "hms-d2-erf", "hms-d3-erf"};
        static const char *const g[3] = {"hms-d1-gauss", "hms-d2-gauss", "hms-d3-gauss"};
        assert_int_equal(fy_nnft_spec_set_inputs(s, e[k], err), FY_OK);
        assert_int_equal(fy_nnft_spec_set_inputs(t, g[k], err), FY_OK);
        for (i = 0; i < s->npoints * s->d; i++)
        {
            fmpq_div_fmpz(q, s->points + i, (fmpz_set_ui(fmpq_numref(q), 100), fmpq_numref(q)));
            assert_true(fmpq_equal(q, t->points + i));
        }
    }
    /* the d = 3 Erf set: four corners of the cube, pairwise at distance 2 sqrt 2 */
    assert_int_equal(fy_nnft_spec_set_inputs(s, "hms-d3-erf", err), FY_OK);
    for (i = 0; i < 4; i++)
    {
        slong j, c;
        for (j = i + 1; j < 4; j++)
        {
            slong d2 = 0;
            for (c = 0; c < 3; c++)
            {
                slong dx = fmpz_get_si(fmpq_numref(s->points + 3 * i + c))
                           - fmpz_get_si(fmpq_numref(s->points + 3 * j + c));
                d2 += dx * dx;
            }
            assert_int_equal(d2, 8);
        }
    }
    assert_int_equal(fy_nnft_spec_set_inputs(s, "hms-d4", err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "hms-d3-relu"));
    fmpq_clear(q);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(t);
}

/* ------------------------------------------------------------------ erf and tanh */
/* The two-dimensional quadrature at m = 2 against the closed-form Erf kernel, with the
 * Cholesky factor written here (first point first, whatever its variance). */
static void test_gauss2_kernel(void **state)
{
    static const char *const pts[3] = {"-1\n0.3\n1\n2\n", "0.5\n-0.25\n1.5\n", "0\n1\n"};
    static const char *const sc[3][2] = {{"1", "1"}, {"1.5", "0.5"}, {"0.8", "2"}};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_ptr a, b;
    arb_t K, Q, s11, s22, s12, t;
    int c, pw[2] = {1, 1};
    slong i, j;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    a = _arb_vec_init(2);
    b = _arb_vec_init(2);
    arb_init(K);
    arb_init(Q);
    arb_init(s11);
    arb_init(s22);
    arb_init(s12);
    arb_init(t);
    for (c = 0; c < 3; c++)
    {
        spec_d1(s, FY_NNFT_ERF, pts[c], sc[c][0], sc[c][1]);
        for (i = 0; i < s->npoints; i++)
            for (j = 0; j < s->npoints; j++)
            {
                /* Sigma = sb^2 + sw^2 x x' */
                arb_set_fmpq(t, s->sigma_W, PREC);
                arb_set_fmpq(K, s->sigma_b, PREC);
                arb_sqr(K, K, PREC);
                arb_set_fmpq(s11, s->points + i, PREC);
                arb_set_fmpq(s22, s->points + j, PREC);
                arb_mul(s12, s11, s22, PREC);
                arb_sqr(s11, s11, PREC);
                arb_sqr(s22, s22, PREC);
                arb_sqr(t, t, PREC);
                arb_mul(s11, s11, t, PREC);
                arb_mul(s22, s22, t, PREC);
                arb_mul(s12, s12, t, PREC);
                arb_add(s11, s11, K, PREC);
                arb_add(s22, s22, K, PREC);
                arb_add(s12, s12, K, PREC);
                /* z1 = sqrt(S11) u, z2 = S12 / sqrt(S11) u + sqrt(S22 - S12^2 / S11) v */
                arb_sqrt(a + 0, s11, PREC);
                arb_zero(b + 0);
                arb_div(a + 1, s12, a + 0, PREC);
                arb_sqr(t, a + 1, PREC);
                arb_sub(t, s22, t, PREC);
                arb_sqrtpos(b + 1, t, PREC);
                if (i == j)
                    arb_zero(b + 1);
                assert_int_equal(fy_nnft_gauss2_expect(Q, FY_NNFT_ERF, a, b, pw, 2, PREC, err),
                                 FY_OK);
                assert_int_equal(fy_nnft_kernel(K, s, i, j, PREC, err), FY_OK);
                arb_set_fmpq(t, s->sigma_b, PREC);
                arb_submul(K, t, t, PREC);
                arb_set_fmpq(t, s->sigma_a, PREC);
                arb_sqr(t, t, PREC);
                arb_div(K, K, t, PREC);
                if (!arb_overlaps(K, Q)
                    || (arb_contains_zero(K) ? mag_cmp_2exp_si(arb_radref(Q), -PREC + 12) > 0
                                             : arb_rel_accuracy_bits(Q) < PREC - 12))
                {
                    arb_printd(K, 20);
                    printf(" vs ");
                    arb_printd(Q, 20);
                    printf("\n");
                    fail_msg("erf kernel set %d points %ld %ld", c, (long) i, (long) j);
                }
            }
    }
    /* other activations are refused */
    assert_int_equal(fy_nnft_gauss2_expect(Q, FY_NNFT_RELU, a, b, pw, 2, PREC, err),
                     FY_EUNSUPPORTED);
    _arb_vec_clear(a, 2);
    _arb_vec_clear(b, 2);
    arb_clear(K);
    arb_clear(Q);
    arb_clear(s11);
    arb_clear(s22);
    arb_clear(s12);
    arb_clear(t);
    fy_nnft_spec_clear(s);
}

/* Erf and tanh moments at distinct points (d = 1, biases) against product rules in doubles
 * over (w, b); the weight moment E (sqrt(N) a)^m = (m - 1)!! sigma_a^m. */
static void test_moment_vs_double(void **state)
{
    static const char *const pts = "-1\n-0.6\n-0.2\n0.2\n0.6\n1\n0.35\n";
    static const double x[7] = {-1, -0.6, -0.2, 0.2, 0.6, 1, 0.35};
    static const slong tups[5][6] = {{0, 5, 0, 0, 0, 0}, {0, 2, 3, 5, 0, 0},
                                     {1, 1, 4, 6, 0, 0}, {0, 1, 2, 3, 4, 5},
                                     {2, 2, 2, 6, 6, 4}};
    static const int ms[5] = {2, 4, 4, 6, 6};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu;
    int act, k, c;
    (void) state;
    gh_init();
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    for (act = 0; act < 2; act++)
        for (c = 0; c < 2; c++)
        {
            const char *sw = c ? "1.3" : "1", *sb = c ? "0.7" : "1";
            double dsw = c ? 1.3 : 1, dsb = c ? 0.7 : 1;
            spec_d1(s, act ? FY_NNFT_TANH : FY_NNFT_ERF, pts, sw, sb);
            for (k = 0; k < 5; k++)
            {
                double xs[6], ref;
                int j, m = ms[k];
                if (act == 0 && k == 0)
                    continue; /* erf at m = 2 is the closed-form kernel */
                for (j = 0; j < m; j++)
                    xs[j] = x[tups[k][j]];
                ref = trap_moment(act ? tanh : erf, xs, m, dsw, dsb) * dfact(m) * pow(dsw, m);
                if (fy_nnft_moment(mu, s, tups[k], m, PREC, err) != FY_OK)
                    fail_msg("%s", err->msg);
                if (!fy_d_near_arb(ref, mu, 1e-12, 1e-13)
                    || mag_cmp_2exp_si(arb_radref(mu), -PREC + 12) > 0)
                {
                    arb_printd(mu, 20);
                    fail_msg("%s scales %d tuple %d: double %.17g", act ? "tanh" : "erf", c, k,
                             ref);
                }
                /* Gauss-Hermite converges slowly here (erf grows like exp(z^2) off the real
                 * axis, tanh has poles): 90 x 90 nodes agree to about 1e-9 and 1e-5 */
                ref = gh_moment(act ? tanh : erf, xs, m, dsw, dsb) * dfact(m) * pow(dsw, m);
                if (!fy_d_near_arb(ref, mu, act ? 1e-4 : 1e-8, 1e-12))
                    fail_msg("%s scales %d tuple %d: Gauss-Hermite %.17g, relative %.3g",
                             act ? "tanh" : "erf", c, k, ref, rel(mu, ref));
            }
        }
    arb_clear(mu);
    fy_nnft_spec_clear(s);
}

/* Coincident points (a repeated point under another index) and collinear points (d = 1
 * without biases: rank one) against the one-dimensional quadrature; a pair 1e-30 apart
 * (rank two, the nested quadrature) against the coincident value. */
static void test_coincident(void **state)
{
    static const slong same[4] = {0, 0, 0, 0}, dup[4] = {0, 2, 2, 0}, near[4] = {0, 3, 0, 3},
                       col[4] = {0, 1, 1, 2};
    static const fy_nnft_act_t acts[3] = {FY_NNFT_ERF, FY_NNFT_TANH, FY_NNFT_SIN};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t a, b;
    int k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    for (k = 0; k < 3; k++)
    {
        spec_d1(s, acts[k], "0.7\n-0.4\n0.7\n0.7000000000000000000000000000001\n", "1.2", "0.9");
        assert_int_equal(fy_nnft_moment_quad(a, s, same, 4, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_moment(b, s, dup, 4, PREC, err), FY_OK);
        assert_true(arb_overlaps(a, b));
        assert_int_equal(fy_nnft_moment(b, s, near, 4, PREC, err), FY_OK);
        if (!arb_overlaps(a, b) || arb_rel_accuracy_bits(b) < PREC - 16)
            fail_msg("%s near-coincident", fy_nnft_act_name(acts[k]));
        spec_d1(s, acts[k], "0.7\n-0.4\n1.5\n", "1.2", "0");
        assert_int_equal(fy_nnft_moment_quad(a, s, col, 4, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_moment(b, s, col, 4, PREC, err), FY_OK);
        assert_true(arb_overlaps(a, b));
        assert_true(arb_rel_accuracy_bits(b) > PREC - 16);
    }
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
}

/* Moments do not depend on the order of their points (the reduction pivots on the largest
 * variance, so a permutation changes the coordinates of the integral). */
static void test_permutations(void **state)
{
    uint64_t rs = fy_test_seed("nnft exact permutations");
    static const slong tup[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t a, b;
    int act, rep, k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    for (act = 0; act < 3; act++)
    {
        fy_nnft_act_t A = act == 0 ? FY_NNFT_ERF : act == 1 ? FY_NNFT_TANH : FY_NNFT_RELU;
        spec_d1(s, A, "-0.8\n0.1\n0.5\n1.2\n", "1", "1");
        assert_int_equal(fy_nnft_moment(a, s, tup, 4, PREC, err), FY_OK);
        for (rep = 0; rep < 2; rep++)
        {
            slong p[4];
            memcpy(p, tup, sizeof p);
            for (k = 3; k > 0; k--)
            {
                int r = (int) (fy_test_rand(&rs) % (uint64_t) (k + 1));
                slong x = p[k];
                p[k] = p[r];
                p[r] = x;
            }
            assert_int_equal(fy_nnft_moment(b, s, p, 4, PREC, err), FY_OK);
            assert_true(arb_overlaps(a, b));
        }
    }
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ relu with biases */
/* E relu(z1)^2 relu(z2)^2 = S11 S22 J_2(t) / (2 pi), J_2 = 3 sin t cos t + (pi - t)(1 +
 * 2 cos^2 t) (the arc-cosine kernel of degree 2, Cho and Saul 2009); a double-precision
 * angular quadrature of the polar form for three and four distinct points; the coincident
 * closed form (m - 1)!! S^(m/2) / 2. */
static double polar_relu(const double *x, int m, double sw, double sb)
{
    /* z_k = r (sw x_k cos t + sb sin t); int_0^inf r^(m+1) e^(-r^2/2) dr = 2^(m/2) (m/2)! */
    const int n = 2000000;
    double s = 0, rad = pow(2.0, m / 2) * tgamma(m / 2 + 1) / (2 * M_PI);
    int i, k;
    for (i = 0; i < n; i++)
    {
        double t = 2 * M_PI * (i + 0.5) / n, p = 1;
        for (k = 0; k < m && p != 0; k++)
        {
            double z = sw * x[k] * cos(t) + sb * sin(t);
            p *= z > 0 ? z : 0;
        }
        s += p;
    }
    return s * 2 * M_PI / n * rad;
}

static void test_relu_bias(void **state)
{
    static const double x[5] = {-0.8, 0.1, 0.5, 1.2, -0.3};
    static const slong pair[4] = {0, 0, 3, 3}, three[4] = {1, 2, 2, 3}, four[4] = {0, 1, 2, 4},
                       six[6] = {1, 2, 3, 3, 4, 0}, one[4] = {2, 2, 2, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu;
    double S11, S22, S12, th, J2, want;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    spec_d1(s, FY_NNFT_RELU, "-0.8\n0.1\n0.5\n1.2\n-0.3\n", "1", "1");
    S11 = 1 + x[0] * x[0];
    S22 = 1 + x[3] * x[3];
    S12 = 1 + x[0] * x[3];
    th = acos(S12 / sqrt(S11 * S22));
    J2 = 3 * sin(th) * cos(th) + (M_PI - th) * (1 + 2 * cos(th) * cos(th));
    want = S11 * S22 * J2 / (2 * M_PI) * 3; /* E a^4 = 3 */
    assert_int_equal(fy_nnft_moment(mu, s, pair, 4, PREC, err), FY_OK);
    assert_true(rel(mu, want) < 1e-13);
    assert_true(arb_rel_accuracy_bits(mu) > PREC - 16);
    {
        double xs[6];
        int k;
        for (k = 0; k < 4; k++)
            xs[k] = x[three[k]];
        assert_int_equal(fy_nnft_moment(mu, s, three, 4, PREC, err), FY_OK);
        assert_true(rel(mu, 3 * polar_relu(xs, 4, 1, 1)) < 1e-9);
        for (k = 0; k < 4; k++)
            xs[k] = x[four[k]];
        assert_int_equal(fy_nnft_moment(mu, s, four, 4, PREC, err), FY_OK);
        assert_true(rel(mu, 3 * polar_relu(xs, 4, 1, 1)) < 1e-9);
        for (k = 0; k < 6; k++)
            xs[k] = x[six[k]];
        assert_int_equal(fy_nnft_moment(mu, s, six, 6, PREC, err), FY_OK);
        assert_true(rel(mu, 15 * polar_relu(xs, 6, 1, 1)) < 1e-9);
    }
    /* one point: (m - 1)!! S^2 / 2 times E a^4 = 3, S = 1 + 0.25 */
    assert_int_equal(fy_nnft_moment(mu, s, one, 4, PREC, err), FY_OK);
    {
        fmpq_t q;
        fmpq_init(q);
        fmpq_set_si(q, 3 * 3 * 25, 2 * 16);
        assert_true(fy_arb_contains_fmpq(mu, q));
        fmpq_clear(q);
    }
    arb_clear(mu);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ sin, rank 3 */
/* sin: the closed form against Gauss-Hermite in two (d = 1) and three (d = 2) dimensions;
 * erf, tanh and relu at three affinely independent points in d = 2 are computed. */
static void test_sin_and_rank3(void **state)
{
    static const slong t4[4] = {0, 1, 2, 2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu;
    double ref = 0;
    int i, j, k, act;
    (void) state;
    gh_init();
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    spec_d1(s, FY_NNFT_SIN, "0.3\n-1\n0.8\n", "1", "0.6");
    {
        double xs[4] = {0.3, -1, 0.8, 0.8};
        ref = 3 * gh_moment(sin, xs, 4, 1, 0.6);
    }
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC, err), FY_OK);
    assert_true(rel(mu, ref) < 1e-12);
    /* d = 2: z = (w1 x1 + w2 x2) / sqrt 2 + 0.6 b */
    spec_d1(s, FY_NNFT_SIN, "1 0\n0 1\n-1 0.5\n", "1", "0.6");
    assert_int_equal(s->d, 2);
    {
        /* the Gauss-Hermite product rule in three dimensions (w1, w2, b) */
        static const double X[4][2] = {{1, 0}, {0, 1}, {-1, 0.5}, {-1, 0.5}};
        double s3 = 0;
        for (i = 0; i < GH_N; i++)
            for (j = 0; j < GH_N; j++)
                for (k = 0; k < GH_N; k++)
                {
                    double w1 = M_SQRT2 * gh_x[i], w2 = M_SQRT2 * gh_x[j], b = M_SQRT2 * gh_x[k];
                    double p = gh_w[i] * gh_w[j] * gh_w[k];
                    int q;
                    for (q = 0; q < 4; q++)
                        p *= sin((w1 * X[q][0] + w2 * X[q][1]) / M_SQRT2 + 0.6 * b);
                    s3 += p;
                }
        ref = 3 * s3 / pow(M_PI, 1.5);
    }
    assert_int_equal(fy_nnft_moment(mu, s, t4, 4, PREC, err), FY_OK);
    if (rel(mu, ref) > 1e-11)
    {
        arb_printd(mu, 20);
        fail_msg("sin rank 3: double %.17g", ref);
    }
    /* rank 3: erf, relu and tanh are computed (values checked in test_nnft_quad3 against
     * closed forms, the rank-2 route, a trapezoid rule and Monte Carlo; tanh here at a low
     * accuracy goal, its three-dimensional grid being the slow one) */
    s->act = FY_NNFT_TANH;
    if (fy_nnft_moment(mu, s, t4, 4, 24, err) != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(arb_is_finite(mu) && arb_rel_accuracy_bits(mu) >= 20);
    for (act = 0; act < 2; act++)
    {
        s->act = act == 0 ? FY_NNFT_RELU : FY_NNFT_ERF;
        if (fy_nnft_moment(mu, s, t4, 4, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_true(arb_is_finite(mu));
    }
    /* two distinct points in d = 2 span rank two: fine */
    {
        static const slong t2[4] = {0, 0, 2, 2};
        s->act = FY_NNFT_ERF;
        assert_int_equal(fy_nnft_moment(mu, s, t2, 4, PREC, err), FY_OK);
    }
    arb_clear(mu);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ correlators */
/* fy_nnft_corr_compute (one shared grid for every moment, a cache keyed by multisets and
 * mirror images) against fy_nnft_correlator tuple by tuple (nested quadrature, no cache);
 * N G4_c and N^2 G6_c do not depend on N. */
static void test_corr_batch(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_corr_t c, c2;
    fy_error_t err;
    arb_t G, r3, r7;
    slong t;
    int act;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_nnft_corr_init(c2);
    fy_error_init(err);
    arb_init(G);
    arb_init(r3);
    arb_init(r7);
    for (act = 0; act < 2; act++)
    {
        spec_d1(s, act ? FY_NNFT_TANH : FY_NNFT_ERF, "-0.5\n0.5\n1\n", "1", "1");
        s->width = 3;
        if (fy_nnft_corr_compute(c, s, 4, 53, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_int_equal(c->count, 15);
        /* the mirror images (-0.5, -0.5, 0.5, 0.5) ~ itself, (-0.5,..) <-> (0.5, ..) */
        assert_true(c->moments_reused > 0);
        for (t = 0; t < c->count; t += 4)
        {
            assert_int_equal(fy_nnft_correlator(G, s, c->idx + 4 * t, 4, 53, err), FY_OK);
            if (!arb_overlaps(G, c->G + t) || arb_rel_accuracy_bits(c->G + t) < 40)
                fail_msg("%s tuple %ld", fy_nnft_act_name(s->act), (long) t);
        }
        /* and against a Monte Carlo ensemble (fixed seed, within 4.5 standard errors) */
        {
            fy_nnft_mc_t mc;
            fy_nnft_mc_init(mc);
            if (fy_nnft_sample(mc, s, 200000, 11, 1, err) != FY_OK)
                fail_msg("%s", err->msg);
            assert_int_equal(mc->count[1], c->count);
            for (t = 0; t < c->count; t++)
            {
                double g = arf_get_d(arb_midref(c->G + t), ARF_RND_NEAR);
                if (fabs(mc->mean[1][t] - g) > 4.5 * mc->se[1][t])
                    fail_msg("%s tuple %ld: exact %.10g, Monte Carlo %.10g +- %.3g",
                             fy_nnft_act_name(s->act), (long) t, g, mc->mean[1][t],
                             mc->se[1][t]);
            }
            fy_nnft_mc_clear(mc);
        }
        /* N^2 G6_c: the same at N = 3 and 7 */
        assert_int_equal(fy_nnft_corr_compute(c, s, 6, 53, err), FY_OK);
        s->width = 7;
        assert_int_equal(fy_nnft_corr_compute(c2, s, 6, 53, err), FY_OK);
        for (t = 0; t < c->count; t++)
        {
            arb_mul_si(r3, c->conn + t, 9, 53);
            arb_mul_si(r7, c2->conn + t, 49, 53);
            assert_true(arb_overlaps(r3, r7));
        }
        assert_false(arb_contains_zero(r3));
    }
    arb_clear(G);
    arb_clear(r3);
    arb_clear(r7);
    fy_nnft_corr_clear(c);
    fy_nnft_corr_clear(c2);
    fy_nnft_spec_clear(s);
}

/* Erf kappa4 at distinct points in balls: N G4_c against the cumulant of the moments by the
 * trapezoid rule in doubles. */
static void test_erf_kappa4(void **state)
{
    static const slong tup[4] = {0, 1, 2, 3};
    static const double x[4] = {1, -1, 0.5, 0.2};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t k4;
    double m4, m2[4][4], kappa;
    int i, j;
    (void) state;
    gh_init();
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(k4);
    spec_d1(s, FY_NNFT_ERF, "1\n-1\n0.5\n0.2\n", "1", "1");
    s->width = 5;
    assert_int_equal(fy_nnft_connected(k4, s, tup, 4, PREC, err), FY_OK);
    arb_mul_si(k4, k4, 5, PREC);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
        {
            double xs[2] = {x[i], x[j]};
            m2[i][j] = trap_moment(erf, xs, 2, 1, 1);
        }
    m4 = 3 * trap_moment(erf, x, 4, 1, 1);
    kappa = m4 - m2[0][1] * m2[2][3] - m2[0][2] * m2[1][3] - m2[0][3] * m2[1][2];
    printf("# Erf kappa4(1, -1, 0.5, 0.2) = ");
    arb_printd(k4, 20);
    printf(" (trapezoid in doubles: %.17g)\n", kappa);
    assert_true(fy_d_near_arb(kappa, k4, 1e-12, 1e-14));
    assert_true(arb_rel_accuracy_bits(k4) > PREC - 20);
    arb_clear(k4);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_sets),
        cmocka_unit_test(test_gauss2_kernel),
        cmocka_unit_test(test_moment_vs_double),
        cmocka_unit_test(test_coincident),
        cmocka_unit_test(test_permutations),
        cmocka_unit_test(test_relu_bias),
        cmocka_unit_test(test_sin_and_rank3),
        cmocka_unit_test(test_erf_kappa4),
        cmocka_unit_test(test_corr_batch),
    };
    return cmocka_run_group_tests_name("nnft_exact", tests, NULL, NULL) ? 1 : 0;
}
