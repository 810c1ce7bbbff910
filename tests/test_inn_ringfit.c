/* Tests of the true family's maximum-likelihood fit on a ring (inn.h, fy_inn_ring_log_z,
 * fy_inn_ring_fit; inn12, issue 12: the statistical floor of the learned couplings).
 *
 * References: the Gaussian ring's ln Z in closed form (the circulant's eigenvalues m2 +
 * K (2 - 2 cos(2 pi k / d))), the rigorous one-site quadrature of sample.h
 * (fy_ltheory_log_z_1d, Arb), central finite differences of ln Z for its gradient, and the
 * known couplings of a theory whose HMC draws (sample.h) are fitted: every coupling within 4
 * of the fit's standard errors, and the fit's NLL not above the truth's. */
#include <math.h>
#include <string.h>

#include "feynn/feynn.h"
#include "testutil.h"

/* ln Z of the Gaussian ring of d sites: sum over links K (phi_i - phi_i+1)^2 / 2 + m2/2 phi^2
 * (a ring of 2 has two links between its sites). */
static double gauss_ring_lnz(double m2, double K, int d)
{
    double s = 0.0;
    int k;
    for (k = 0; k < d; k++)
        s += log(m2 + K * (2.0 - 2.0 * cos(2.0 * M_PI * k / d)));
    return 0.5 * d * log(2.0 * M_PI) - 0.5 * s;
}

static void test_log_z_gauss(void **state)
{
    double th[FY_INN_RING_NPARAMS] = {1.5, 0.7, 0.0, 0.0, 0.0}, lnz, g[FY_INN_RING_NPARAMS];
    int d;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    for (d = 2; d <= 5; d++)
    {
        assert_int_equal(fy_inn_ring_log_z(&lnz, g, th, d, 9.0, 0.05, err), FY_OK);
        assert_true(fabs(lnz - gauss_ring_lnz(1.5, 0.7, d)) < 1e-10);
        /* <sum phi^2/2> = d/2 <phi^2>, <phi^2> = mean of 1 / eigenvalue; <phi> = 0 */
        {
            double v = 0.0;
            int k;
            for (k = 0; k < d; k++)
                v += 1.0 / (1.5 + 0.7 * (2.0 - 2.0 * cos(2.0 * M_PI * k / d))) / d;
            assert_true(fabs(g[0] - 0.5 * d * v) < 1e-10);
            assert_true(fabs(g[4]) < 1e-10);
        }
    }
}

static void test_log_z_quadrature(void **state)
{
    /* one site (no link): an asymmetric double well against the rigorous quadrature */
    double th[FY_INN_RING_NPARAMS] = {-1.0, 0.0, 0.5, 1.0, 0.25}, lnz;
    fy_ltheory_t T;
    arb_t ref;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    arb_init(ref);
    assert_int_equal(fy_ltheory_parse(T, "lattice ring 1\nm2 -1\ng3 1/2\nlam 1\nterm 1/4 0\n",
                                      "t", err), FY_OK);
    assert_int_equal(fy_ltheory_log_z_1d(ref, T, 128, err), FY_OK);
    assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, th, 1, 10.0, 0.05, err), FY_OK);
    assert_true(fabs(lnz - arf_get_d(arb_midref(ref), ARF_RND_NEAR)) < 1e-10);
    arb_clear(ref);
    fy_ltheory_clear(T);
}

static void test_log_z_gradient(void **state)
{
    /* the gradient is -d ln Z / d theta (the means of the statistics): central differences */
    double th[FY_INN_RING_NPARAMS] = {1.0, 1.0, 0.5, 1.0, 0.1}, g[FY_INN_RING_NPARAMS], gg[5];
    double lp, lm, t[FY_INN_RING_NPARAMS];
    int k;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_inn_ring_log_z(&lp, g, th, 4, 8.0, 0.05, err), FY_OK);
    for (k = 0; k < FY_INN_RING_NPARAMS; k++)
    {
        memcpy(t, th, sizeof t);
        t[k] += 1e-5;
        assert_int_equal(fy_inn_ring_log_z(&lp, gg, t, 4, 8.0, 0.05, err), FY_OK);
        t[k] -= 2e-5;
        assert_int_equal(fy_inn_ring_log_z(&lm, gg, t, 4, 8.0, 0.05, err), FY_OK);
        assert_true(fabs(g[k] + (lp - lm) / 2e-5) < 1e-7 * fmax(1.0, fabs(g[k])));
    }
}

static void test_log_z_refusals(void **state)
{
    double th[FY_INN_RING_NPARAMS] = {1.0, 1.0, 0.5, -0.1, 0.0}, lnz = 0.0;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    /* lam < 0, and lam = 0 with a cubic: not normalisable */
    assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, th, 4, 8.0, 0.05, err), FY_OK);
    assert_true(isinf(lnz) && lnz > 0);
    th[3] = 0.0;
    assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, th, 4, 8.0, 0.05, err), FY_OK);
    assert_true(isinf(lnz));
    /* a grid that cuts the density off */
    th[2] = 0.0;
    th[3] = 1.0;
    th[0] = 0.01;
    assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, th, 4, 1.0, 0.05, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "widen the grid"));
    assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, th, 0, 8.0, 0.05, err), FY_EUSAGE);
}

static void test_fit_recovers(void **state)
{
    /* HMC draws of a ring of 3 with known couplings; the fit (4 and 5 parameters) within 4 of
     * its standard errors of each, its gradient at rounding, its NLL not above the truth's */
    const double truth[FY_INN_RING_NPARAMS] = {0.5, 1.0, 0.5, 1.0, 0.0};
    const uint64_t seed = 12;
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t R;
    fy_inn_ring_fit_t F;
    fy_error_t err;
    long n;
    int field, k;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    fy_hmc_result_init(R);
    assert_int_equal(fy_ltheory_parse(T, "lattice ring 3\nkinetic 1\nm2 1/2\ng3 1/2\nlam 1\n",
                                      "t", err), FY_OK);
    fy_hmc_opts_default(&o);
    o.chains = 4;
    o.samples = 5000;
    o.seed = seed;
    o.threads = 1;
    print_message("# HMC seed %llu\n", (unsigned long long) seed);
    assert_int_equal(fy_hmc_run(R, T, &o, err), FY_OK);
    n = (long) (R->chains * R->samples);
    for (field = 0; field <= 1; field++)
    {
        double lnz, f, fl;
        double tb[FY_INN_RING_NPARAMS] = {0};
        long r;
        assert_int_equal(fy_inn_ring_fit(F, R->draws, n, 3, field, err), FY_OK);
        assert_int_equal(F->nparams, 4 + field);
        assert_true(F->grad_max <= 1e-9);
        for (k = 0; k < F->nparams; k++)
        {
            print_message("# field %d: theta[%d] %.4f +- %.4f (true %g)\n", field, k,
                          F->theta[k], F->se[k], truth[k]);
            assert_true(F->se[k] > 0 && F->se[k] < 0.2);
            assert_true(fabs(F->theta[k] - truth[k]) <= 4.0 * F->se[k]);
        }
        /* the statistics' means, computed here */
        for (r = 0; r < n; r++)
            for (k = 0; k < 3; k++)
            {
                double p = R->draws[r * 3 + k], q = R->draws[r * 3 + (k + 1) % 3];
                tb[0] += 0.5 * p * p / n;
                tb[1] += 0.5 * (p - q) * (p - q) / n;
                tb[2] += p * p * p / 6.0 / n;
                tb[3] += p * p * p * p / 24.0 / n;
                tb[4] += p / n;
            }
        assert_int_equal(fy_inn_ring_log_z(&lnz, NULL, truth, 3, F->R, F->h, err), FY_OK);
        f = lnz;
        fl = F->lnz;
        for (k = 0; k < FY_INN_RING_NPARAMS; k++)
        {
            f += truth[k] * tb[k];
            fl += F->theta[k] * tb[k];
        }
        assert_true(fabs(fl - F->nll) < 1e-9);
        assert_true(F->nll <= f + 1e-12);
    }
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
}

static void test_fit_refusals(void **state)
{
    double X[40 * 2];
    fy_inn_ring_fit_t F;
    fy_error_t err;
    int i;
    (void) state;
    fy_error_init(err);
    for (i = 0; i < 80; i++)
        X[i] = 0.1 * ((i * 7) % 11) - 0.5;
    assert_int_equal(fy_inn_ring_fit(F, X, 80, 1, 0, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "one site"));
    assert_int_equal(fy_inn_ring_fit(F, X, 10, 2, 0, err), FY_EINPUT);
    X[13] = NAN;
    assert_int_equal(fy_inn_ring_fit(F, X, 40, 2, 0, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "row 6, column 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_z_gauss),
        cmocka_unit_test(test_log_z_quadrature),
        cmocka_unit_test(test_log_z_gradient),
        cmocka_unit_test(test_log_z_refusals),
        cmocka_unit_test(test_fit_recovers),
        cmocka_unit_test(test_fit_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
