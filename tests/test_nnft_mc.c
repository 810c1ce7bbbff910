/* test_nnft_mc: Monte Carlo ensembles of src/nnft/mc.c.
 *
 * Checks: the result is bit-identical for 1 and 2 OpenMP threads (and for a different
 * partition into rounds); the accumulated products equal those of the networks' outputs
 * recomputed one by one; exact correlators (the independent route of src/nnft/exact.c) lie
 * within 4 standard errors of the Monte Carlo means for every sorted 2-, 4-, 6-tuple, for
 * ReLU (sigma_b = 0), Cos-net with Gaussian and with non-Gaussian output weights, Gauss-net at
 * small scales (light tails), Erf and sin at n = 2 against their closed-form kernels, and Erf,
 * tanh and ReLU with biases at one point (moments by rank-one quadrature) up to n = 6.
 * Fixed seeds (the numbers are deterministic). */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "testutil.h"

#define PREC 96

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

static void test_threads(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t m1, m2;
    fy_error_t err;
    int a;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(m1);
    fy_nnft_mc_init(m2);
    fy_error_init(err);
    spec_simple(s, FY_NNFT_ERF, "-1\n-0.3\n0.2\n1\n", "1", "1", 7);
    assert_int_equal(fy_nnft_sample(m1, s, 3001, 42, 1, err), FY_OK);
    assert_int_equal(fy_nnft_sample(m2, s, 3001, 42, 2, err), FY_OK);
    for (a = 0; a < 3; a++)
    {
        size_t nb = (size_t) m1->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double);
        assert_int_equal(m1->count[a], m2->count[a]);
        assert_memory_equal(m1->mean[a], m2->mean[a], nb);
    }
    /* another seed gives other numbers */
    assert_int_equal(fy_nnft_sample(m2, s, 3001, 43, 2, err), FY_OK);
    assert_true(m1->mean[0][0] != m2->mean[0][0]);
    fy_nnft_mc_clear(m1);
    fy_nnft_mc_clear(m2);
    fy_nnft_spec_clear(s);
}

/* The sums are those of the outputs of each network, recomputed by fy_nnft_network_outputs;
 * with M a multiple of 10, the mean of the chunk means is the mean. */
static void test_products(void **state)
{
    const uint64_t M = 500;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_error_t err;
    double f[3], sum2[6] = {0}, sum6 = 0, cm[10] = {0}, cmean = 0, cvar = 0, sq = 0;
    uint64_t k;
    slong t;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_error_init(err);
    spec_simple(s, FY_NNFT_TANH, "-1\n0.5\n2\n", "1.3", "0.4", 5);
    assert_int_equal(fy_nnft_sample(mc, s, M, 7, 0, err), FY_OK);
    for (k = 0; k < M; k++)
    {
        int i, j, n = 0;
        assert_int_equal(fy_nnft_network_outputs(f, s, 7, k, err), FY_OK);
        for (i = 0; i < 3; i++)
            for (j = i; j < 3; j++)
                sum2[n++] += f[i] * f[j];
        sum6 += f[0] * f[1] * f[1] * f[2] * f[2] * f[2];
        cm[k / 50] += f[0] * f[0] / 50; /* chunks of M / 10 = 50 networks */
        sq += f[0] * f[0] * f[0] * f[0];
    }
    /* the [HMS] estimator of the tuple (0, 0): mean and numpy-style std of the chunk means;
     * the standard error sqrt(sample variance / M) */
    for (t = 0; t < 10; t++)
        cmean += cm[t] / 10;
    for (t = 0; t < 10; t++)
        cvar += (cm[t] - cmean) * (cm[t] - cmean) / 10;
    assert_true(fabs(mc->hms_mean[0][0] - cmean) <= 1e-12 * (1 + fabs(cmean)));
    assert_true(fabs(mc->hms_std[0][0] - sqrt(cvar)) <= 1e-10 * (1 + sqrt(cvar)));
    assert_true(fabs(mc->chunk[0][3] - cm[3]) <= 1e-12 * (1 + fabs(cm[3])));
    {
        double mean = sum2[0] / M, var = (sq - M * mean * mean) / (M - 1);
        assert_true(fabs(mc->se[0][0] - sqrt(var / M)) <= 1e-9 * sqrt(var / M));
    }
    assert_int_equal(mc->count[0], 6);
    for (t = 0; t < 6; t++)
    {
        assert_true(fabs(mc->mean[0][t] - sum2[t] / M) <= 1e-12 * (1 + fabs(sum2[t] / M)));
        assert_true(fabs(mc->hms_mean[0][t] - mc->mean[0][t]) <= 1e-12 * (1 + fabs(sum2[t])));
    }
    /* the 6-tuple (0, 1, 1, 2, 2, 2) */
    for (t = 0; t < mc->count[2]; t++)
    {
        const slong *ix = mc->idx[2] + t * 6;
        if (ix[0] == 0 && ix[1] == 1 && ix[2] == 1 && ix[3] == 2 && ix[5] == 2)
            assert_true(fabs(mc->mean[2][t] - sum6 / M) <= 1e-12 * (1 + fabs(sum6 / M)));
    }
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
}

/* Exact against Monte Carlo: every tuple at n = 2, 4, 6 within 4 standard errors. */
static void check_exact(const fy_nnft_spec_t s, uint64_t M, uint64_t seed, int nmax)
{
    fy_nnft_mc_t mc;
    fy_nnft_corr_t c;
    fy_error_t err;
    int a;
    slong t;
    double worst = 0;
    fy_nnft_mc_init(mc);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    if (fy_nnft_sample(mc, s, M, seed, 0, err) != FY_OK)
        fail_msg("%s", err->msg);
    for (a = 0; 2 * a + 2 <= nmax; a++)
    {
        if (fy_nnft_corr_compute(c, s, 2 * a + 2, PREC, err) != FY_OK)
            fail_msg("%s", err->msg);
        assert_int_equal(c->count, mc->count[a]);
        for (t = 0; t < c->count; t++)
        {
            double ex = arf_get_d(arb_midref(c->G + t), ARF_RND_NEAR);
            double z = fabs(mc->mean[a][t] - ex) / mc->se[a][t];
            assert_memory_equal(c->idx + t * c->n, mc->idx[a] + t * c->n,
                                (size_t) c->n * sizeof(slong));
            if (z > worst)
                worst = z;
            if (!(z < 4))
                fail_msg("%s N=%ld n=%d tuple %ld: exact %.6g, MC %.6g +- %.2g (%.1f se)",
                         fy_nnft_act_name(s->act), (long) s->width, c->n, (long) t, ex,
                         mc->mean[a][t], mc->se[a][t], z);
        }
    }
    for (a = 0; a < 3; a++)
    {
        double k = fy_nnft_mc_chunk_kurtosis(mc, a);
        assert_true(k >= 1.0 && k <= 8.12); /* the range for 10 values */
    }
    printf("# %s N=%ld M=%llu: worst deviation %.2f standard errors\n",
           fy_nnft_act_name(s->act), (long) s->width, (unsigned long long) M, worst);
    fy_nnft_corr_clear(c);
    fy_nnft_mc_clear(mc);
}

static void test_exact_vs_mc(void **state)
{
    fy_nnft_spec_t s;
    (void) state;
    fy_nnft_spec_init(s);
    spec_simple(s, FY_NNFT_RELU, "0.5\n1\n2\n", "1", "0", 2);
    check_exact(s, 40000, 1, 6);
    spec_simple(s, FY_NNFT_COS, "-0.7\n0\n0.5\n1\n", "1.5", "0", 3);
    check_exact(s, 40000, 2, 6);
    fmpq_set_si(s->kurtosis, 6, 1);
    check_exact(s, 40000, 3, 6);
    fmpq_set_si(s->kurtosis, 3, 1);
    spec_simple(s, FY_NNFT_ERF, "-1\n0.2\n1\n", "1", "1", 4);
    check_exact(s, 40000, 4, 2);
    spec_simple(s, FY_NNFT_SIN, "-1\n0.2\n1.5\n", "1.2", "0.7", 4);
    check_exact(s, 40000, 6, 2);
    /* one point: the rank-one quadrature moments of erf, tanh and relu with biases */
    spec_simple(s, FY_NNFT_ERF, "1\n", "1", "1", 2);
    check_exact(s, 40000, 7, 6);
    spec_simple(s, FY_NNFT_TANH, "0.7\n", "1.3", "0.6", 3);
    check_exact(s, 40000, 8, 6);
    spec_simple(s, FY_NNFT_RELU, "-0.5\n", "1", "1", 3);
    check_exact(s, 40000, 9, 6);
    spec_simple(s, FY_NNFT_GAUSS, "-0.1\n0.1\n", "0.5", "0.5", 10);
    check_exact(s, 40000, 5, 6);
    fy_nnft_spec_clear(s);
}

static void test_errors(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_error_t err;
    (void) state;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_error_init(err);
    assert_int_equal(fy_nnft_sample(mc, s, 100, 1, 1, err), FY_EINPUT); /* no points */
    spec_simple(s, FY_NNFT_ERF, "1\n", "1", "1", 2);
    assert_int_equal(fy_nnft_sample(mc, s, 9, 1, 1, err), FY_EINPUT); /* < 10 networks */
    s->d_out = 2;
    assert_int_equal(fy_nnft_sample(mc, s, 100, 1, 1, err), FY_EUNSUPPORTED);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_exact_vs_mc),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("nnft_mc", tests, NULL, NULL) ? 1 : 0;
}
