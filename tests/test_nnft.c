/* test_nnft: ensemble specs, kernels and exact finite-N correlators (src/nnft).
 *
 * Every number is checked against a second route: the kernel test values of MATH.md 4.1,
 * closed-form kernels against quadrature over the pre-activation Gaussian, the ReLU rationals
 * G4/G4_GP = 1 + 5/N and G6/G6_GP = 1 + 15/N + 44/N^2 (computed by hand from the ReLU
 * moments E relu(w)^m = (m-1)!!/2 and E a^m = (m-1)!!), the Gauss-net coupling
 * N m4 -> (e^4 - 1)/4 at x = 0, counting identities (pairings (2k-1)!!, 15 (4|2) and 10 (3|3)
 * splits), the moment-cumulant relation with its 15 + 15 terms, the exact width scaling of
 * connected parts, Cos-net translation invariance and permutation symmetry. */
#include <math.h>
#include <string.h>
#include <unistd.h>

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

static void test_spec(void **state)
{
    fy_nnft_spec_t s;
    fmpq_t q;
    (void) state;
    fy_nnft_spec_init(s);
    fmpq_init(q);
    parse_ok(s, "# a Gauss-net\nactivation gauss\nwidth 20  # N\nd 1\nsigma_W 1.5\n"
                "sigma_b 0.5\nsigma_a 2\nkurtosis 4\ninputs hms-d1\n");
    assert_int_equal(s->act, FY_NNFT_GAUSS);
    assert_int_equal(s->width, 20);
    assert_int_equal(s->npoints, 6);
    assert_int_equal(s->d, 1);
    fmpq_set_si(q, 3, 2);
    assert_true(fmpq_equal(s->sigma_W, q));
    fmpq_set_si(q, 2, 1);
    assert_true(fmpq_equal(s->sigma_a, q));
    fmpq_set_si(q, -1, 100);
    assert_true(fmpq_equal(s->points + 0, q));
    fmpq_set_si(q, 1, 500);
    assert_true(fmpq_equal(s->points + 3, q));
    assert_string_equal(s->inputs, "hms-d1");
    fy_nnft_spec_clear(s);

    /* sigma_a follows sigma_W unless given; inline points fix d */
    fy_nnft_spec_init(s);
    parse_ok(s, "activation relu\nsigma_W 2\nsigma_b 0\npoint 1, 2\npoint -1 0.5\n"
                "point 3/2 1e-1\n");
    assert_int_equal(s->d, 2);
    assert_int_equal(s->npoints, 3);
    fmpq_set_si(q, 2, 1);
    assert_true(fmpq_equal(s->sigma_a, q));
    fmpq_set_si(q, 1, 10);
    assert_true(fmpq_equal(s->points + 5, q));
    fy_nnft_spec_clear(s);
    fmpq_clear(q);

    parse_fails("activation erf\n\nfoo 3\n", "spec:3:1: unknown key 'foo'");
    parse_fails("activation erf\nsigma_W  1x\n", "spec:2:10:");
    parse_fails("activation softmax\n", "spec:1:12: unknown activation");
    parse_fails("width 3\nwidth 4\n", "spec:2:1: 'width' given twice");
    parse_fails("width 0\n", "spec:1:7: width needs an integer");
    parse_fails("width\n", "spec:1:6: 'width' needs a value");
    parse_fails("point 1 2\npoint 1\n", "spec:2:1: this point has 1 coordinates");
    parse_fails("d 2\npoint 1\n", "spec:1: d = 2 but the points have 1");
    parse_fails("activation cos\nsigma_b 1\n", "Cos-net has no Gaussian biases");
    parse_fails("kurtosis 2\n", "spec:1:10: kurtosis must be >= 3");
    parse_fails("inputs hms-d9\n", "spec:1:8: unknown input set");
    parse_fails("sigma_b 1 2\n", "spec:1:11: unexpected text");
}

static void test_points_file(void **state)
{
    char path[] = "/tmp/test_nnft_pointsXXXXXX";
    const char *text = "# two points in d = 3\n0.5, 1, -2\n\n1 2 3 # last\n";
    fy_nnft_spec_t s;
    fy_error_t err;
    fmpq_t q;
    int fd = mkstemp(path);
    (void) state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    fy_nnft_spec_init(s);
    fy_error_init(err);
    fmpq_init(q);
    assert_int_equal(fy_nnft_points_read(s, path, err), FY_OK);
    assert_int_equal(s->d, 3);
    assert_int_equal(s->npoints, 2);
    fmpq_set_si(q, -2, 1);
    assert_true(fmpq_equal(s->points + 2, q));
    unlink(path);
    assert_int_equal(fy_nnft_points_parse(s, "1 2\n3 x\n", "pts", err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "pts:2:3:"));
    fmpq_clear(q);
    fy_nnft_spec_clear(s);
}

/* C(P + n - 1, n) sorted tuples, in strictly increasing lexicographic order. */
static void test_tuples(void **state)
{
    static const int ns[3] = {2, 4, 6};
    static const slong want[3] = {21, 126, 462};
    int a, j;
    (void) state;
    for (a = 0; a < 3; a++)
    {
        slong *idx, count, t;
        fy_error_t err;
        fy_error_init(err);
        assert_int_equal(fy_nnft_tuple_count(6, ns[a]), want[a]);
        assert_int_equal(fy_nnft_tuples(&idx, &count, 6, ns[a], err), FY_OK);
        assert_int_equal(count, want[a]);
        for (t = 0; t < count; t++)
        {
            for (j = 1; j < ns[a]; j++)
                assert_true(idx[t * ns[a] + j - 1] <= idx[t * ns[a] + j]);
            if (t > 0)
            {
                for (j = 0; j < ns[a] && idx[(t - 1) * ns[a] + j] == idx[t * ns[a] + j]; j++)
                    ;
                assert_true(j < ns[a] && idx[(t - 1) * ns[a] + j] < idx[t * ns[a] + j]);
            }
        }
        free(idx);
    }
}

static void test_partition_counts(void **state)
{
    static const int s42[] = {4, 2}, s33[] = {3, 3}, s222[] = {2, 2, 2}, s2222[] = {2, 2, 2, 2},
                     s22[] = {2, 2}, s6[] = {6}, s3111[] = {3, 1, 1, 1};
    (void) state;
    assert_int_equal(fy_nnft_partition_count(6, s42, 2), 15);
    assert_int_equal(fy_nnft_partition_count(6, s33, 2), 10);
    assert_int_equal(fy_nnft_partition_count(6, s222, 3), 15);  /* 5!! */
    assert_int_equal(fy_nnft_partition_count(8, s2222, 4), 105); /* 7!! */
    assert_int_equal(fy_nnft_partition_count(4, s22, 2), 3);     /* 3!! */
    assert_int_equal(fy_nnft_partition_count(6, s6, 1), 1);
    assert_int_equal(fy_nnft_partition_count(6, s3111, 4), 20); /* C(6, 3) */
}

/* ------------------------------------------------------------------ kernels */
static void spec_simple(fy_nnft_spec_t s, fy_nnft_act_t act, const char *pts, const char *sw,
                        const char *sb, slong width)
{
    fy_error_t err;
    fy_error_init(err);
    s->act = act;
    s->width = width;
    assert_int_equal(fy_fmpq_parse(s->sigma_W, sw, err), FY_OK);
    fmpq_set(s->sigma_a, s->sigma_W);
    assert_int_equal(fy_fmpq_parse(s->sigma_b, sb, err), FY_OK);
    if (fy_nnft_points_parse(s, pts, "pts", err) != FY_OK)
        fail_msg("%s", err->msg);
}

static void test_kernel_values(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t K, want, t;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    arb_init(want);
    arb_init(t);
    spec_simple(s, FY_NNFT_ERF, "1\n-1\n", "1", "1", 1);
    /* K_Erf(1, 1) = 1 + (2/pi) asin(4/5) = 1.5903344706017331... */
    assert_int_equal(fy_nnft_kernel(K, s, 0, 0, PREC, err), FY_OK);
    arb_set_str(want, "1.5903344706017331 +/- 1e-16", PREC);
    assert_true(arb_overlaps(K, want));
    arb_set_si(t, 4);
    arb_div_si(t, t, 5, PREC);
    arb_asin(t, t, PREC);
    arb_const_pi(want, PREC);
    arb_div(t, t, want, PREC);
    arb_mul_2exp_si(t, t, 1);
    arb_add_ui(want, t, 1, PREC);
    assert_true(arb_overlaps(K, want));
    assert_true(arb_rel_accuracy_bits(K) > PREC - 10);
    /* K_Erf(-1, 1) = 1 */
    assert_int_equal(fy_nnft_kernel(K, s, 1, 0, PREC, err), FY_OK);
    assert_true(arb_contains_si(K, 1));
    /* K_Gauss(x, x) = sigma_b^2 + sigma_W^2 = 2 */
    s->act = FY_NNFT_GAUSS;
    assert_int_equal(fy_nnft_kernel(K, s, 0, 0, PREC, err), FY_OK);
    assert_true(arb_contains_si(K, 2));
    /* ReLU, sigma_b = 0, d = 1: K(x, y) = x y / 2 for one sign, 0 across */
    spec_simple(s, FY_NNFT_RELU, "1/2\n3\n-2\n", "1", "0", 1);
    assert_int_equal(fy_nnft_kernel(K, s, 0, 1, PREC, err), FY_OK);
    arb_set_si(want, 3);
    arb_mul_2exp_si(want, want, -2);
    assert_true(arb_overlaps(K, want));
    assert_int_equal(fy_nnft_kernel(K, s, 0, 2, PREC, err), FY_OK);
    assert_true(arb_contains_zero(K));
    /* tanh has no closed form: the kernel comes from the rigorous quadrature; here (d = 1,
     * sigma_b = 0) against the one-dimensional route, E a^2 E tanh(z) tanh(z') */
    s->act = FY_NNFT_TANH;
    assert_int_equal(fy_nnft_kernel(K, s, 0, 1, PREC, err), FY_OK);
    {
        static const slong pair[2] = {0, 1};
        assert_int_equal(fy_nnft_moment_quad(want, s, pair, 2, PREC, err), FY_OK);
        assert_true(arb_overlaps(K, want));
        assert_true(arb_rel_accuracy_bits(K) > PREC - 16);
    }
    arb_clear(K);
    arb_clear(want);
    arb_clear(t);
    fy_nnft_spec_clear(s);
}

/* Closed forms against quadrature, over activations, scales and point pairs (d = 1, 2). */
static void test_kernel_quad(void **state)
{
    static const fy_nnft_act_t acts[5] = {FY_NNFT_ERF, FY_NNFT_RELU, FY_NNFT_GAUSS,
                                          FY_NNFT_COS, FY_NNFT_SIN};
    static const char *const scales[3][2] = {{"1", "1"}, {"1.5", "0.5"}, {"0.7", "0"}};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t K, Q;
    int a, sc, dd;
    slong i, j;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    arb_init(Q);
    for (dd = 1; dd <= 2; dd++)
        for (a = 0; a < 5; a++)
            for (sc = 0; sc < 3; sc++)
            {
                const char *sb = acts[a] == FY_NNFT_COS ? "0" : scales[sc][1];
                spec_simple(s, acts[a], dd == 1 ? "-1\n0.3\n1\n0\n" : "1 0\n0.5 -0.25\n-1 2\n",
                            scales[sc][0], sb, 3);
                for (i = 0; i < s->npoints; i++)
                    for (j = 0; j < s->npoints; j++)
                    {
                        assert_int_equal(fy_nnft_kernel(K, s, i, j, PREC, err), FY_OK);
                        if (fy_nnft_kernel_quad(Q, s, i, j, PREC, err) != FY_OK)
                            fail_msg("%s", err->msg);
                        if (!arb_overlaps(K, Q) || arb_rel_accuracy_bits(Q) < 60)
                        {
                            arb_printd(K, 20);
                            printf(" vs ");
                            arb_printd(Q, 20);
                            printf("\n");
                            fail_msg("%s d=%d scales %d points %ld %ld",
                                     fy_nnft_act_name(acts[a]), dd, sc, (long) i, (long) j);
                        }
                    }
            }
    arb_clear(K);
    arb_clear(Q);
    fy_nnft_spec_clear(s);
}

/* ------------------------------------------------------------------ exact correlators */
static void fmpq_prod_points(fmpq_t P, const fy_nnft_spec_t s, const slong *idx, int n)
{
    int k;
    fmpq_one(P);
    for (k = 0; k < n; k++)
        fmpq_mul(P, P, s->points + idx[k]);
}

/* ReLU, sigma_b = 0, d = 1, positive points: G4 = (3/4)(1 + 5/N) P, G6 = (15/8)(1 + 15/N +
 * 44/N^2) P with P the product of the points; Wick (3/4) P, (15/8) P; G4_c = (15/4) P / N. */
static void test_relu_rationals(void **state)
{
    static const slong widths[5] = {1, 2, 3, 10, 20};
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    fmpq_t P, want, t;
    int w, n;
    slong k;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    fmpq_init(P);
    fmpq_init(want);
    fmpq_init(t);
    spec_simple(s, FY_NNFT_RELU, "1/2\n1\n2\n3\n", "1", "0", 1);
    for (w = 0; w < 5; w++)
    {
        slong N = widths[w];
        s->width = N;
        for (n = 4; n <= 6; n += 2)
        {
            if (fy_nnft_corr_compute(c, s, n, PREC, err) != FY_OK)
                fail_msg("%s", err->msg);
            for (k = 0; k < c->count; k++)
            {
                fmpq_prod_points(P, s, c->idx + k * n, n);
                /* Wick */
                fmpq_set_si(want, n == 4 ? 3 : 15, n == 4 ? 4 : 8);
                fmpq_mul(want, want, P);
                assert_true(fy_arb_contains_fmpq(c->gp + k, want));
                /* full */
                if (n == 4)
                    fmpq_set_si(t, N + 5, N);
                else
                    fmpq_set_si(t, N * N + 15 * N + 44, N * N);
                fmpq_mul(want, want, t);
                assert_true(fy_arb_contains_fmpq(c->G + k, want));
                if (n == 4)
                {
                    fmpq_set_si(want, 15, 4 * N);
                    fmpq_mul(want, want, P);
                    assert_true(fy_arb_contains_fmpq(c->conn + k, want));
                }
            }
            /* m4 = 5/N, m6 = 15/N + 44/N^2 */
            if (n == 4)
                fmpq_set_si(want, 5, N);
            else
                fmpq_set_si(want, 15 * N + 44, N * N);
            assert_true(fy_arb_contains_fmpq(c->m, want));
            assert_int_equal(c->m_used, c->count);
        }
    }
    fmpq_clear(P);
    fmpq_clear(want);
    fmpq_clear(t);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

/* Gauss-net, sigma_W = sigma_b = 1, d = 1: N m4 = kappa4 / G4_GP = (e^4 - 1)/4 at x = 0
 * exactly (mu2 = 1, mu4 = 3 e^4, K = 2), and close to it as x -> 0. */
static void test_gauss_c4(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    arb_t want, t;
    slong N;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    arb_init(want);
    arb_init(t);
    arb_set_si(want, 4);
    arb_exp(want, want, PREC);
    arb_sub_ui(want, want, 1, PREC);
    arb_mul_2exp_si(want, want, -2);
    for (N = 1; N <= 1000; N *= 10)
    {
        spec_simple(s, FY_NNFT_GAUSS, "0\n", "1", "1", N);
        assert_int_equal(fy_nnft_corr_compute(c, s, 4, PREC, err), FY_OK);
        arb_mul_si(t, c->m, N, PREC);
        assert_true(arb_overlaps(t, want));
        assert_true(arb_rel_accuracy_bits(t) > 100);
        spec_simple(s, FY_NNFT_GAUSS, "-0.001\n0.001\n", "1", "1", N);
        assert_int_equal(fy_nnft_corr_compute(c, s, 4, PREC, err), FY_OK);
        arb_mul_si(t, c->m, N, PREC);
        arb_sub(t, t, want, PREC);
        assert_true(arb_lt(t, (arb_set_d(c->m, 1e-4), c->m)));
        arb_neg(t, t);
        arb_set_d(c->m, 1e-4);
        assert_true(arb_lt(t, c->m));
    }
    arb_clear(want);
    arb_clear(t);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
}

/* Count identities through the numbers: Gauss-net at one point has K = 2, so the Wick value
 * is (n-1)!! 2^(n/2); single-neuron moments at x = 0: Gauss-net mu4 = 3 e^4, Cos-net
 * mu4 = E a^4 E cos^4 = 3 * 3/8. */
static void test_counts_and_moments(void **state)
{
    static const slong zeros[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t G, want;
    int n;
    fmpq_t q;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(G);
    arb_init(want);
    fmpq_init(q);
    spec_simple(s, FY_NNFT_GAUSS, "0\n", "1", "1", 5);
    for (n = 2; n <= 8; n += 2)
    {
        assert_int_equal(fy_nnft_wick(G, s, zeros, n, PREC, err), FY_OK);
        fmpq_set_si(q, (n == 2 ? 1 : n == 4 ? 3 : n == 6 ? 15 : 105) << (n / 2), 1);
        assert_true(fy_arb_contains_fmpq(G, q));
    }
    assert_int_equal(fy_nnft_moment(G, s, zeros, 4, PREC, err), FY_OK);
    arb_set_si(want, 4);
    arb_exp(want, want, PREC);
    arb_mul_si(want, want, 3, PREC);
    assert_true(arb_overlaps(G, want));
    spec_simple(s, FY_NNFT_COS, "0\n", "1", "0", 5);
    assert_int_equal(fy_nnft_moment(G, s, zeros, 4, PREC, err), FY_OK);
    fmpq_set_si(q, 9, 8);
    assert_true(fy_arb_contains_fmpq(G, q));
    /* non-Gaussian output weights: E a^4 = K sigma^4, E a^6 = 15 (K/3)^2 sigma^6 */
    fmpq_set_si(s->kurtosis, 6, 1);
    assert_int_equal(fy_nnft_moment(G, s, zeros, 4, PREC, err), FY_OK);
    fmpq_set_si(q, 18, 8);
    assert_true(fy_arb_contains_fmpq(G, q));
    assert_int_equal(fy_nnft_moment(G, s, zeros, 6, PREC, err), FY_OK);
    /* E cos^6 = 5/16 (2^-5 * C(5, 3) = 10/32) */
    fmpq_set_si(q, 15 * 4 * 5, 16);
    assert_true(fy_arb_contains_fmpq(G, q));
    /* Erf at distinct points: exact by the two-dimensional quadrature in d = 1 (checked in
     * test_nnft_exact); three affinely independent points in d = 2 (rank 3): erf and tanh
     * are computed (test_nnft_quad3); four in d = 3 (rank 4): tanh refused */
    spec_simple(s, FY_NNFT_ERF, "0\n1\n", "1", "1", 5);
    {
        static const slong mixed[4] = {0, 0, 1, 1}, four[4] = {0, 1, 2, 3};
        assert_int_equal(fy_nnft_correlator(G, s, mixed, 4, PREC, err), FY_OK);
        spec_simple(s, FY_NNFT_TANH, "0 0 0\n1 0 0\n0 1 0\n0 0 1\n", "1", "1", 5);
        assert_int_equal(fy_nnft_correlator(G, s, four, 4, PREC, err), FY_EUNSUPPORTED);
        assert_non_null(strstr(err->msg, "rank 4"));
        spec_simple(s, FY_NNFT_ERF, "0\n1\n", "1", "1", 5);
    }
    assert_int_equal(fy_nnft_correlator(G, s, zeros, 2, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_kernel(want, s, 0, 0, PREC, err), FY_OK);
    assert_true(arb_overlaps(G, want));
    fmpq_clear(q);
    arb_clear(G);
    arb_clear(want);
    fy_nnft_spec_clear(s);
}

/* Trapezoid rule in doubles for E g(sqrt(S) u)^m, u standard normal, over [-12, 12]: an
 * independent route (spectrally accurate for smooth integrands decaying like exp(-u^2/2)). */
static double trapezoid_power(double (*g)(double), double S, int m)
{
    const int n = 24000;
    const double h = 24.0 / n;
    double sum = 0;
    int i;
    for (i = 0; i <= n; i++)
    {
        double u = -12 + i * h, v = pow(g(sqrt(S) * u), m) * exp(-0.5 * u * u);
        sum += (i == 0 || i == n) ? 0.5 * v : v;
    }
    return sum * h / sqrt(2 * M_PI);
}

/* Moments by rank-one quadrature: Erf kappa4(1,1,1,1) in balls (sigma_W = sigma_b = 1, d = 1,
 * z ~ N(0, 2)) against a trapezoid rule in doubles; E erf(z)^2 against the closed-form
 * kernel; ReLU at coincident points with biases, E relu(z)^m = (m-1)!! S^(m/2) / 2, and
 * without biases at distinct points against the rational closed form (1/2)(m-1)!! prod x_k. */
static void test_moment_quad(void **state)
{
    static const slong one4[4] = {0, 0, 0, 0}, pos4[4] = {0, 1, 1, 2}, mix4[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t mu, mu2, k4, t;
    fmpq_t q;
    double e2, e4;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(mu);
    arb_init(mu2);
    arb_init(k4);
    arb_init(t);
    fmpq_init(q);
    spec_simple(s, FY_NNFT_ERF, "1\n", "1", "1", 3);
    assert_int_equal(fy_nnft_moment_quad(mu2, s, one4, 2, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_kernel(t, s, 0, 0, PREC, err), FY_OK);
    arb_sub_ui(t, t, 1, PREC);
    assert_true(arb_overlaps(mu2, t));
    assert_int_equal(fy_nnft_moment(mu, s, one4, 4, PREC, err), FY_OK);
    assert_true(arb_rel_accuracy_bits(mu) > 100);
    /* kappa4 = mu4 - 3 mu2^2; mu4 = 3 E erf^4, mu2 = E erf^2 */
    arb_sqr(k4, mu2, PREC);
    arb_mul_si(k4, k4, 3, PREC);
    arb_sub(k4, mu, k4, PREC);
    e2 = trapezoid_power(erf, 2.0, 2);
    e4 = trapezoid_power(erf, 2.0, 4);
    printf("# Erf kappa4(1,1,1,1) = ");
    arb_printd(k4, 25);
    printf(" (trapezoid: %.17g)\n", 3 * e4 - 3 * e2 * e2);
    assert_true(fy_d_near_arb(3 * e4 - 3 * e2 * e2, k4, 1e-13, 1e-15));
    /* the connected 4-point function at one point is kappa4 / N */
    assert_int_equal(fy_nnft_connected(t, s, one4, 4, PREC, err), FY_OK);
    arb_mul_si(t, t, 3, PREC);
    assert_true(arb_overlaps(t, k4));
    /* ReLU with biases at one point: Sigma = 1 + 1 = 2 (x = 1); mu4 = 3 * 3 * 2^2 / 2 = 18 */
    spec_simple(s, FY_NNFT_RELU, "1\n", "1", "1", 3);
    assert_int_equal(fy_nnft_moment(mu, s, one4, 4, PREC, err), FY_OK);
    assert_true(arb_contains_si(mu, 18));
    /* ReLU without biases, d = 1: (1/2) 3 prod x_k times E a^4 = 3; mixed signs give 0 */
    spec_simple(s, FY_NNFT_RELU, "1/2\n2\n3\n-1\n", "1", "0", 3);
    assert_int_equal(fy_nnft_moment_quad(mu, s, pos4, 4, PREC, err), FY_OK);
    fmpq_set_si(q, 9 * 6, 2);
    assert_true(fy_arb_contains_fmpq(mu, q));
    assert_int_equal(fy_nnft_moment_quad(mu, s, mix4, 4, PREC, err), FY_OK);
    assert_true(arb_contains_zero(mu));
    assert_true(mag_cmp_2exp_si(arb_radref(mu), -100) < 0);
    fmpq_clear(q);
    arb_clear(mu);
    arb_clear(mu2);
    arb_clear(k4);
    arb_clear(t);
    fy_nnft_spec_clear(s);
}

/* G6 = G6_c + sum over the 15 (4|2) splits of G4_c G2 + sum over the 15 pairings of G2 G2 G2,
 * written out here by explicit loops (not by the library's recursion), and the exact width
 * scaling G^(n)_c = N^(1 - n/2) kappa_n. Cos-net (translation invariant) and Gauss-net. */
static void test_connected(void **state)
{
    static const slong tup[6] = {0, 1, 1, 2, 3, 4};
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t G6, c6, sum, t, u, v, r3, r7;
    int a, i, j, k, l, act;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(G6);
    arb_init(c6);
    arb_init(sum);
    arb_init(t);
    arb_init(u);
    arb_init(v);
    arb_init(r3);
    arb_init(r7);
    for (act = 0; act < 2; act++)
    {
        spec_simple(s, act ? FY_NNFT_GAUSS : FY_NNFT_COS, "0.1\n-0.4\n0.7\n1.3\n0\n", "1.2",
                    act ? "0.5" : "0", 3);
        assert_int_equal(fy_nnft_correlator(G6, s, tup, 6, PREC, err), FY_OK);
        assert_int_equal(fy_nnft_connected(c6, s, tup, 6, PREC, err), FY_OK);
        arb_set(sum, c6);
        /* (4|2) splits: the pair {i, j}, the rest a 4-block */
        for (i = 0; i < 6; i++)
            for (j = i + 1; j < 6; j++)
            {
                slong four[4], two[2] = {tup[i], tup[j]};
                for (a = 0, k = 0; k < 6; k++)
                    if (k != i && k != j)
                        four[a++] = tup[k];
                assert_int_equal(fy_nnft_connected(t, s, four, 4, PREC, err), FY_OK);
                assert_int_equal(fy_nnft_correlator(u, s, two, 2, PREC, err), FY_OK);
                arb_addmul(sum, t, u, PREC);
            }
        /* 15 pairings: 0 with i, then the lowest remaining with j, the last two */
        for (i = 1; i < 6; i++)
        {
            int rest[4], r = 0;
            for (k = 1; k < 6; k++)
                if (k != i)
                    rest[r++] = k;
            for (j = 1; j < 4; j++)
            {
                int o[2], q = 0;
                slong p0[2] = {tup[0], tup[i]}, p1[2] = {tup[rest[0]], tup[rest[j]]}, p2[2];
                for (l = 1; l < 4; l++)
                    if (l != j)
                        o[q++] = rest[l];
                p2[0] = tup[o[0]];
                p2[1] = tup[o[1]];
                assert_int_equal(fy_nnft_correlator(t, s, p0, 2, PREC, err), FY_OK);
                assert_int_equal(fy_nnft_correlator(u, s, p1, 2, PREC, err), FY_OK);
                assert_int_equal(fy_nnft_correlator(v, s, p2, 2, PREC, err), FY_OK);
                arb_mul(t, t, u, PREC);
                arb_addmul(sum, t, v, PREC);
            }
        }
        assert_true(arb_overlaps(sum, G6));
        /* N^2 G6_c and N G4_c do not depend on N */
        s->width = 3;
        assert_int_equal(fy_nnft_connected(r3, s, tup, 6, PREC, err), FY_OK);
        s->width = 7;
        assert_int_equal(fy_nnft_connected(r7, s, tup, 6, PREC, err), FY_OK);
        arb_mul_si(r3, r3, 9, PREC);
        arb_mul_si(r7, r7, 49, PREC);
        assert_true(arb_overlaps(r3, r7));
        assert_false(arb_contains_zero(r3));
        s->width = 3;
        assert_int_equal(fy_nnft_connected(r3, s, tup + 2, 4, PREC, err), FY_OK);
        s->width = 7;
        assert_int_equal(fy_nnft_connected(r7, s, tup + 2, 4, PREC, err), FY_OK);
        arb_mul_si(r3, r3, 3, PREC);
        arb_mul_si(r7, r7, 7, PREC);
        assert_true(arb_overlaps(r3, r7));
    }
    arb_clear(G6);
    arb_clear(c6);
    arb_clear(sum);
    arb_clear(t);
    arb_clear(u);
    arb_clear(v);
    arb_clear(r3);
    arb_clear(r7);
    fy_nnft_spec_clear(s);
}

/* Permutations of the points leave G6 unchanged (random permutations, seed printed);
 * Cos-net is translation invariant at every N, Gauss-net is not. */
static void test_symmetry(void **state)
{
    uint64_t rs = fy_test_seed("nnft symmetry");
    static const slong tup[6] = {0, 1, 2, 2, 3, 4};
    fy_nnft_spec_t s, sh;
    fy_error_t err;
    arb_t a, b;
    int rep, k, act;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(sh);
    fy_error_init(err);
    arb_init(a);
    arb_init(b);
    for (act = 0; act < 3; act++)
    {
        fy_nnft_act_t A = act == 0 ? FY_NNFT_COS : act == 1 ? FY_NNFT_GAUSS : FY_NNFT_RELU;
        spec_simple(s, A, act == 2 ? "0.1\n0.4\n0.7\n1.3\n2\n" : "0.1\n-0.4\n0.7\n1.3\n0\n",
                    "1", act ? "0" : "0", 4);
        if (act == 1)
            fmpq_set_si(s->sigma_b, 1, 2);
        assert_int_equal(fy_nnft_correlator(a, s, tup, 6, PREC, err), FY_OK);
        for (rep = 0; rep < 5; rep++)
        {
            slong p[6];
            memcpy(p, tup, sizeof p);
            for (k = 5; k > 0; k--)
            {
                int r = (int) (fy_test_rand(&rs) % (uint64_t) (k + 1));
                slong x = p[k];
                p[k] = p[r];
                p[r] = x;
            }
            assert_int_equal(fy_nnft_correlator(b, s, p, 6, PREC, err), FY_OK);
            assert_true(arb_overlaps(a, b));
        }
        if (act < 2)
        {
            spec_simple(sh, A, "0.4\n-0.1\n1\n1.6\n0.3\n", "1", "0", 4);
            if (act == 1)
                fmpq_set_si(sh->sigma_b, 1, 2);
            assert_int_equal(fy_nnft_correlator(b, sh, tup, 6, PREC, err), FY_OK);
            if (act == 0)
                assert_true(arb_overlaps(a, b));
            else
                assert_false(arb_overlaps(a, b));
        }
    }
    arb_clear(a);
    arb_clear(b);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_clear(sh);
}

/* ReLU without biases in d = 1: K(x, x') = sigma_W^2 x x' / 2 for points of one sign and 0 for
 * opposite signs (cos th = +-1 exactly, where the closed form must not go through acos of a
 * ball touching +-1: it printed nan) */
static void test_relu_kernel_collinear(void **state)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t K;
    fmpq_t q;
    (void) state;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    fmpq_init(q);
    spec_simple(s, FY_NNFT_RELU, "-0.01\n-0.006\n0.002\n", "1", "0", 20);
    assert_int_equal(fy_nnft_kernel(K, s, 0, 1, PREC, err), FY_OK);
    fmpq_set_si(q, 3, 100000);
    assert_true(fy_arb_contains_fmpq(K, q));
    /* sqrt(Sxx Syy - Sxy^2) at a zero keeps about half the bits */
    assert_true(arb_rel_accuracy_bits(K) > PREC / 2 - 16);
    assert_int_equal(fy_nnft_kernel(K, s, 0, 2, PREC, err), FY_OK);
    assert_true(arb_is_finite(K));
    fmpq_zero(q);
    assert_true(fy_arb_contains_fmpq(K, q));
    assert_true(mag_cmp_2exp_si(arb_radref(K), -PREC / 2 + 16) < 0);
    arb_clear(K);
    fmpq_clear(q);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec),
        cmocka_unit_test(test_points_file),
        cmocka_unit_test(test_tuples),
        cmocka_unit_test(test_partition_counts),
        cmocka_unit_test(test_kernel_values),
        cmocka_unit_test(test_kernel_quad),
        cmocka_unit_test(test_relu_rationals),
        cmocka_unit_test(test_gauss_c4),
        cmocka_unit_test(test_counts_and_moments),
        cmocka_unit_test(test_relu_kernel_collinear),
        cmocka_unit_test(test_moment_quad),
        cmocka_unit_test(test_connected),
        cmocka_unit_test(test_symmetry),
    };
    return cmocka_run_group_tests_name("nnft", tests, NULL, NULL) ? 1 : 0;
}
