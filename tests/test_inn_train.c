/* Tests of the INN trainer (inn.h, section "training").
 *
 * References: central finite differences of the NLL (the analytic gradient), the jet module's
 * Taylor-mode ln p at random points (fy_jet_inn_dir_d, order 0: an independent forward route
 * through the saved fy_inn_t), the sample covariance computed here (whitening), the precision
 * matrix of a known Gaussian (the order-2 action of fy_inn_action, within statistical error),
 * and bit-identical results for 1 and 2 threads. */
#include <math.h>
#include <string.h>

#include "feynn/feynn.h"
#include "testutil.h"

/* Gaussian rows N(mu, S S^T) from the Philox generator (S lower triangular, d x d). */
static double *gauss_rows(long n, int d, const double *S, const double *mu, uint64_t seed)
{
    double *X = malloc((size_t) n * d * sizeof(double)), *z = malloc((size_t) d * sizeof(double));
    fy_rng_t r;
    long i;
    int a, b;
    fy_rng_init(r, seed, FY_RNG_PURPOSE_TEST);
    for (i = 0; i < n; i++)
    {
        fy_rng_normals(z, (uint64_t) d, r, (uint64_t) i, 0);
        for (a = 0; a < d; a++)
        {
            double t = mu ? mu[a] : 0.0;
            for (b = 0; b <= a; b++)
                t += S[a * d + b] * z[b];
            X[(size_t) i * d + a] = t;
        }
    }
    free(z);
    return X;
}

/* A non-Gaussian data set: Gaussian rows pushed through x_i += 0.3 x_{i+1}^2. */
static double *skewed_rows(long n, int d, uint64_t seed)
{
    double *S = calloc((size_t) d * d, sizeof(double)), *X;
    long i;
    int a;
    for (a = 0; a < d; a++)
        S[a * d + a] = 0.5 + 0.1 * a;
    X = gauss_rows(n, d, S, NULL, seed);
    for (i = 0; i < n; i++)
        for (a = 0; a + 1 < d; a++)
            X[(size_t) i * d + a] += 0.3 * X[(size_t) i * d + a + 1] * X[(size_t) i * d + a + 1];
    free(S);
    return X;
}

/* Uniform in scale * [-1/2, 1/2), elementwise gammas in scale * [-1/20, 1/20) (so that the
 * Jacobians 1 + 2 gamma u stay well inside (0, 2) on the test data). */
static void rand_params(double *P, const fy_inn_flow_t F, uint64_t *st, double scale)
{
    size_t j;
    int l;
    for (j = 0; j < F->np; j++)
        P[j] = scale * ((double) (fy_test_rand(st) >> 11) * 0x1p-53 - 0.5);
    for (l = 0; l < F->nlayers; l++)
        if (F->kind[l] == FY_INN_LAYER_ELEMENTWISE || F->kind[l] == FY_INN_LAYER_CUBIC)
            for (j = F->off[l]; j < F->off[l + 1]; j++)
                P[j] *= 0.1;
}

/* ------------------------------------------------------------------ gradient */

static void test_gradient_fd(void **state)
{
    static const char *plans[] = {"acaeca", "eiac", "acacaca", "aiaia", "akcakca", "kaek"};
    static const int dims[] = {5, 3, 4, 5, 4, 3};
    uint64_t st = fy_test_seed("test_gradient_fd");
    int t;
    (void) state;
    for (t = 0; t < 6; t++)
    {
        int d = dims[t];
        long n = 23;
        fy_inn_flow_t F;
        fy_error_t err;
        double *X, *P, *g, f, worst = 0.0;
        size_t j;
        fy_error_init(err);
        fy_inn_flow_init(F);
        assert_int_equal(fy_inn_flow_setup(F, d, plans[t], 0, err), FY_OK);
        X = skewed_rows(n, d, st + t);
        P = malloc(F->np * sizeof(double));
        g = malloc(F->np * sizeof(double));
        rand_params(P, F, &st, 0.4);
        assert_int_equal(fy_inn_flow_nll(&f, g, F, P, X, NULL, n, 5, 2, err), FY_OK);
        assert_true(isfinite(f));
        for (j = 0; j < F->np; j++)
        {
            /* the five-point central difference (error O(h^4); the cubic layers' log-dets
             * ln(1 + 3 gamma u^2) have large higher derivatives in gamma: a smaller step) */
            double h = t >= 4 ? 2e-4 : 1e-3, f1, f2, f3, f4, p0 = P[j], fd;
            P[j] = p0 + h;
            assert_int_equal(fy_inn_flow_nll(&f1, NULL, F, P, X, NULL, n, 5, 1, err), FY_OK);
            P[j] = p0 - h;
            assert_int_equal(fy_inn_flow_nll(&f2, NULL, F, P, X, NULL, n, 5, 1, err), FY_OK);
            P[j] = p0 + 2 * h;
            assert_int_equal(fy_inn_flow_nll(&f3, NULL, F, P, X, NULL, n, 5, 1, err), FY_OK);
            P[j] = p0 - 2 * h;
            assert_int_equal(fy_inn_flow_nll(&f4, NULL, F, P, X, NULL, n, 5, 1, err), FY_OK);
            P[j] = p0;
            fd = (8.0 * (f1 - f2) - (f3 - f4)) / (12.0 * h);
            worst = fmax(worst, fabs(fd - g[j]) / fmax(1.0, fabs(g[j])));
            if (fabs(fd - g[j]) > 1e-6 * fmax(1.0, fabs(g[j])))
                fail_msg("plan %s d %d: parameter %zu: analytic %.12g, central difference %.12g",
                         plans[t], d, j, g[j], fd);
        }
        printf("# plan %s, d = %d, %zu parameters: worst relative gradient error %.2e\n",
               plans[t], d, F->np, worst);
        free(X);
        free(P);
        free(g);
        fy_inn_flow_clear(F);
    }
}

/* ln p of the flow against the jet module's ln p of the same network as an fy_inn_t, and the
 * NLL against the mean of -ln p. */
static void logp_jet(const char *plan, uint64_t st)
{
    const int d = 4;
    const long n = 16;
    fy_inn_flow_t F;
    fy_inn_t net;
    fy_error_t err;
    double *X, *P, *lp, v[4] = {1, 0, 0, 0}, c[1], nll, mean = 0.0;
    long i;
    fy_error_init(err);
    fy_inn_flow_init(F);
    fy_inn_init(net);
    assert_int_equal(fy_inn_flow_setup(F, d, plan, 0, err), FY_OK);
    X = skewed_rows(n, d, st);
    P = malloc(F->np * sizeof(double));
    lp = malloc((size_t) n * sizeof(double));
    rand_params(P, F, &st, 0.3);
    assert_int_equal(fy_inn_flow_logp(lp, F, P, X, n, err), FY_OK);
    assert_int_equal(fy_inn_flow_to_inn(net, F, P, err), FY_OK);
    assert_int_equal(net->nlayers, 6);
    assert_int_equal(fy_inn_num_params(net), F->np); /* the same parameter count */
    for (i = 0; i < n; i++)
    {
        int rc = fy_jet_inn_dir_d(c, net, X + i * d, v, 0, err);
        assert_int_equal(rc, FY_OK);
        if (fabs(c[0] - lp[i]) > 1e-11 * fmax(1.0, fabs(c[0])))
            fail_msg("row %ld: flow ln p %.17g, jet ln p %.17g", i, lp[i], c[0]);
        mean -= lp[i] / (double) n;
    }
    assert_int_equal(fy_inn_flow_nll(&nll, NULL, F, P, X, NULL, n, 3, 2, err), FY_OK);
    assert_true(fabs(nll - mean) < 1e-12 * fmax(1.0, fabs(mean)));
    free(X);
    free(P);
    free(lp);
    fy_inn_clear(net);
    fy_inn_flow_clear(F);
}

/* the quadratic elementwise layer, and the cubic one of issue 12 */
static void test_logp_jet(void **state)
{
    uint64_t st = fy_test_seed("test_logp_jet");
    (void) state;
    logp_jet("aecaca", st);
    logp_jet("akcaka", st + 1);
}

/* ------------------------------------------------------------------ whitening */

static void test_whitening(void **state)
{
    const int d = 3;
    const long n = 500;
    double S[9] = {2, 0, 0, 0.7, 0.5, 0, -1.1, 0.3, 0.8}, mu[3] = {1, -2, 0.5};
    double *X = gauss_rows(n, d, S, mu, 7), m[3] = {0}, C[9] = {0};
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R;
    fy_inn_t net;
    fy_error_t err;
    long i;
    int a, b, k;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    fy_inn_train_opts_init(o);
    o->epochs = 0;
    o->lbfgs_iters = 0;
    o->val_fraction = 0;
    o->couplings = 1;
    assert_int_equal(fy_inn_train(net, X, n, d, o, R, err), FY_OK);
    assert_int_equal(net->nlayers, 3);
    /* y = W x + b of the first layer, its mean and covariance computed here */
    for (i = 0; i < n; i++)
    {
        double y[3];
        for (a = 0; a < d; a++)
        {
            y[a] = fmpq_get_d(net->layers[0].b + a);
            for (k = 0; k < d; k++)
                y[a] += fmpq_get_d(net->layers[0].W + a * d + k) * X[i * d + k];
            m[a] += y[a] / n;
        }
        for (a = 0; a < d; a++)
            for (b = 0; b < d; b++)
                C[a * d + b] += y[a] * y[b] / (n - 1);
    }
    for (a = 0; a < d; a++)
        for (b = 0; b < d; b++)
            C[a * d + b] -= m[a] * m[b] * n / (n - 1);
    for (a = 0; a < d; a++)
    {
        assert_true(fabs(m[a]) < 1e-12);
        for (b = 0; b < d; b++)
            assert_true(fabs(C[a * d + b] - (a == b)) < 1e-11);
    }
    /* the initial NLL of a whitened Gaussian: d/2 (1 + ln 2 pi) + ln det(C) / 2 ~ that of
     * the data's own Gaussian MLE */
    assert_true(isfinite(R->initial_train_nll));
    fy_inn_train_report_clear(R);
    fy_inn_clear(net);
    free(X);
}

/* ------------------------------------------------------------------ a known Gaussian */

static void test_gaussian_precision(void **state)
{
    const int d = 3;
    const long n = 20000;
    /* Sigma = S S^T; its precision computed here by inverting S */
    double S[9] = {1.0, 0, 0, 0.5, 0.8, 0, -0.3, 0.4, 0.6}, Si[9] = {0}, Q[9];
    double *X = gauss_rows(n, d, S, NULL, 11), worst = 0.0, qn = 0.0;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R;
    fy_inn_opts_t ao;
    fy_inn_result_t A;
    fy_inn_t net;
    fy_error_t err;
    int a, b, k, cpl;
    (void) state;
    for (a = 0; a < d; a++)
        for (b = 0; b <= a; b++)
        {
            double t = (a == b);
            for (k = b; k < a; k++)
                t -= S[a * d + k] * Si[k * d + b];
            Si[a * d + b] = t / S[a * d + a];
        }
    for (a = 0; a < d; a++)
        for (b = 0; b < d; b++)
        {
            double t = 0;
            for (k = 0; k < d; k++)
                t += Si[k * d + a] * Si[k * d + b];
            Q[a * d + b] = t;
            qn += t * t;
        }
    qn = sqrt(qn);
    fy_error_init(err);
    for (cpl = 0; cpl <= 1; cpl++)
    {
        fy_inn_init(net);
        fy_inn_train_opts_init(o);
        o->couplings = cpl;
        o->epochs = 3;
        o->lbfgs_iters = 100;
        o->seed = 3;
        assert_int_equal(fy_inn_train(net, X, n, d, o, R, err), FY_OK);
        /* the whitened start is the Gaussian MLE on the training rows: nothing better for
         * an affine map, and a coupling only improves on it */
        assert_true(R->final_train_nll <= R->initial_train_nll + 1e-3);
        fy_inn_opts_init(ao);
        ao->arith = FY_ARITH_DOUBLE;
        ao->order = 2;
        fy_inn_result_init(A);
        assert_int_equal(fy_inn_action(A, net, ao, err), FY_OK);
        worst = 0.0;
        for (a = 0; a < d; a++)
            for (b = 0; b < d; b++)
            {
                int idx[2];
                idx[0] = a < b ? a : b;
                idx[1] = a < b ? b : a;
                /* A convention: S = ... + A2[x, x], A2 = -Q / 2 */
                worst = fmax(worst, fabs(-2.0 * *fy_symtensor_entry_d(A->S->A + 2, idx) -
                                         Q[a * d + b]));
            }
        /* the MLE of a precision matrix has relative error ~ sqrt(2 / n) ~ 1 %: allow 5 x */
        printf("# %d couplings: |Q_learned - Q|_max / |Q| = %.4f (bound %.4f), NLL %.4f, "
               "%d epochs, %d L-BFGS iterations\n", cpl, worst / qn, 5 * sqrt(2.0 / n),
               R->final_train_nll, R->epochs_run, R->lbfgs_iters_run);
        assert_true(worst / qn < 5 * sqrt(2.0 / n));
        fy_inn_result_clear(A);
        fy_inn_train_report_clear(R);
        fy_inn_clear(net);
    }
    free(X);
}

/* ------------------------------------------------------------------ determinism */

static void test_threads(void **state)
{
    const int d = 4;
    const long n = 3000;
    double *X = skewed_rows(n, d, 5);
    char *txt[2];
    size_t len[2];
    int t;
    (void) state;
    for (t = 0; t < 2; t++)
    {
        fy_inn_train_opts_t o;
        fy_inn_train_report_t R;
        fy_inn_t net;
        fy_error_t err;
        fy_error_init(err);
        fy_inn_init(net);
        fy_inn_train_opts_init(o);
        o->threads = t + 1;
        o->epochs = 3;
        o->batch = 700;
        o->chunk = 50;
        o->lbfgs_iters = 30;
        o->couplings = 2;
        o->seed = 99;
        assert_int_equal(fy_inn_train(net, X, n, d, o, R, err), FY_OK);
        assert_int_equal(R->threads, t + 1);
        assert_true(R->best_val_nll < R->initial_val_nll);
        assert_int_equal(fy_inn_write_text_buffer(&txt[t], &len[t], net, err), FY_OK);
        fy_inn_train_report_clear(R);
        fy_inn_clear(net);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(txt[0], txt[1], len[0]);
    free(txt[0]);
    free(txt[1]);
    free(X);
}

/* Training lowers the NLL of non-Gaussian data below the whitened Gaussian's, and the network
 * written and read back gives the same ln p (the jet route on the loaded file). */
static void test_learns_and_roundtrip(void **state)
{
    const int d = 2;
    const long n = 4000;
    double *X = skewed_rows(n, d, 21), c[1], v[2] = {0.3, -0.2}, lp;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R;
    fy_inn_t net, back;
    fy_error_t err;
    char *txt;
    size_t len;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    fy_inn_init(back);
    fy_inn_train_opts_init(o);
    o->couplings = 2;
    o->epochs = 5;
    o->lbfgs_iters = 200;
    assert_int_equal(fy_inn_train(net, X, n, d, o, R, err), FY_OK);
    printf("# skewed d = 2: NLL %.5f -> %.5f (validation %.5f -> %.5f)\n",
           R->initial_train_nll, R->final_train_nll, R->initial_val_nll, R->best_val_nll);
    assert_true(R->best_val_nll < R->initial_val_nll - 0.02);
    assert_true(R->ncurve == R->epochs_run + R->lbfgs_iters_run);
    assert_int_equal(fy_inn_write_text_buffer(&txt, &len, net, err), FY_OK);
    assert_int_equal(fy_inn_load_buffer(back, (const uint8_t *) txt, len, "<trained>",
                                        FY_MODEL_TEXT, err), FY_OK);
    assert_int_equal(fy_jet_inn_dir_d(c, back, X, v, 0, err), FY_OK);
    assert_int_equal(fy_jet_inn_dir_d(&lp, net, X, v, 0, err), FY_OK);
    assert_true(c[0] == lp);
    free(txt);
    fy_inn_train_report_clear(R);
    fy_inn_clear(net);
    fy_inn_clear(back);
    free(X);
}

/* ------------------------------------------------------------------ the moment trick */

/* The loss and gradient from the moment points against the sums over the rows (inn-diag,
 * issue 12): one coupling (degree 4), two (degree 8) and only affine layers (degree 2), on
 * skewed data; equal to rounding.  A plan with an elementwise layer has no moments. */
static void test_moments(void **state)
{
    static const char *plans[] = {"aca", "acaca", "aa", "aia"};
    static const int dims[] = {4, 3, 3, 4};
    uint64_t st = fy_test_seed("test_moments");
    int t;
    (void) state;
    for (t = 0; t < 4; t++)
    {
        int d = dims[t];
        long n = 20000;
        fy_inn_flow_t F;
        fy_inn_moments_t M;
        fy_error_t err;
        double *X = skewed_rows(n, d, st + (uint64_t) t), *P, *g1, *g2, f1, f2, gs = 0, gd = 0;
        size_t j;
        fy_error_init(err);
        fy_inn_flow_init(F);
        fy_inn_moments_init(M);
        assert_int_equal(fy_inn_flow_setup(F, d, plans[t], 0, err), FY_OK);
        assert_int_equal(fy_inn_flow_moment_degree(F), t == 1 ? 8 : t == 2 ? 2 : 4);
        P = malloc(F->np * sizeof(double));
        g1 = malloc(F->np * sizeof(double));
        g2 = malloc(F->np * sizeof(double));
        rand_params(P, F, &st, 0.6);
        assert_int_equal(fy_inn_moments_fit(M, X, NULL, n, d, fy_inn_flow_moment_degree(F),
                                            err), FY_OK);
        assert_int_equal(fy_inn_flow_nll(&f1, g1, F, P, X, NULL, n, 256, 1, err), FY_OK);
        assert_int_equal(fy_inn_flow_nll_moments(&f2, g2, F, P, M, err), FY_OK);
        for (j = 0; j < F->np; j++)
        {
            gs = fmax(gs, fabs(g1[j]));
            gd = fmax(gd, fabs(g1[j] - g2[j]));
        }
        printf("# plan %s, d = %d: %ld rows -> %ld points (%ld monomials, residual %.1e); "
               "NLL %.15g vs %.15g, gradient max diff %.1e of %.2g\n", plans[t], d, n, M->npts,
               M->nmono, M->resid, f1, f2, gd, gs);
        assert_true(M->npts < n);
        assert_true(fabs(f1 - f2) <= 1e-9 * fmax(1.0, fabs(f1)));
        assert_true(gd <= 1e-8 * fmax(1.0, gs));
        free(X);
        free(P);
        free(g1);
        free(g2);
        fy_inn_moments_clear(M);
        fy_inn_flow_clear(F);
    }
    /* an elementwise or cubic layer: no polynomial, refused */
    {
        fy_inn_flow_t F;
        fy_inn_moments_t M;
        fy_error_t err;
        double f, P[64] = {0};
        fy_error_init(err);
        fy_inn_flow_init(F);
        fy_inn_moments_init(M);
        assert_int_equal(fy_inn_flow_setup(F, 2, "aeca", 0, err), FY_OK);
        assert_int_equal(fy_inn_flow_moment_degree(F), -1);
        assert_true(F->np <= 64);
        assert_int_equal(fy_inn_flow_nll_moments(&f, NULL, F, P, M, err), FY_EUSAGE);
        fy_inn_flow_clear(F);
    }
}

/* The trainer with the moment trick: L-BFGS on the points follows the rows' path (the same
 * losses and gradients up to rounding, so the first iterations agree closely; later ones drift
 * apart as rounding differences grow along the path). */
static void test_train_moments(void **state)
{
    const int d = 3;
    const long n = 6000;
    double *X = skewed_rows(n, d, 33);
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R1, R2;
    fy_inn_t a, b;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_inn_init(a);
    fy_inn_init(b);
    fy_inn_train_opts_init(o);
    o->couplings = 1;
    o->epochs = 0;
    o->lbfgs_iters = 60;
    assert_int_equal(fy_inn_train(a, X, n, d, o, R1, err), FY_OK);
    o->moments = 1;
    assert_int_equal(fy_inn_train(b, X, n, d, o, R2, err), FY_OK);
    printf("# moments: rows NLL %.10f (val %.10f, %d its), points %.10f (val %.10f, %d its)\n",
           R1->final_train_nll, R1->best_val_nll, R1->lbfgs_iters_run, R2->final_train_nll,
           R2->best_val_nll, R2->lbfgs_iters_run);
    assert_int_equal(R1->moments_used, 0);
    assert_int_equal(R2->moments_used, 1);
    {
        int k;
        for (k = 0; k < 10; k++)
        {
            if (fabs(R1->curve_train[k] - R2->curve_train[k]) > 1e-9 ||
                fabs(R1->curve_val[k] - R2->curve_val[k]) > 1e-9)
                fail_msg("L-BFGS iteration %d: rows %.15g (val %.15g), points %.15g (val "
                         "%.15g)", k + 1, R1->curve_train[k], R1->curve_val[k],
                         R2->curve_train[k], R2->curve_val[k]);
        }
    }
    assert_true(fabs(R1->final_train_nll - R2->final_train_nll) < 1e-4);
    fy_inn_train_report_clear(R1);
    fy_inn_train_report_clear(R2);
    fy_inn_clear(a);
    fy_inn_clear(b);
    free(X);
}

/* ------------------------------------------------------------------ restarts (inn12) */

/* Restarts (issue 12): round 0 is the plain training (the same score to the bit); the rounds
 * do not depend on how many follow (the first two scores of 2 and of 3 restarts agree); they
 * start from different states (different scores after a short L-BFGS); the kept round is the
 * lowest score; and the report describes the kept network: its NLL over all rows, computed
 * here from the network's forward map (fy_inn_forward_d, not the trainer's flow), equals the
 * report's training and validation NLLs weighted by their rows. */
static void test_restarts(void **state)
{
    const int d = 3;
    const long n = 3000;
    double *X = skewed_rows(n, d, 41), *z, *ld, s = 0.0, want;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R1, R2, R3;
    fy_inn_t a, b, c;
    fy_error_t err;
    long i;
    int k, j, best = 0;
    (void) state;
    fy_error_init(err);
    fy_inn_init(a);
    fy_inn_init(b);
    fy_inn_init(c);
    fy_inn_train_opts_init(o);
    o->plan = "kaca";
    o->epochs = 0;
    o->lbfgs_iters = 12;
    o->init_scale = 0.2;
    assert_int_equal(fy_inn_train(a, X, n, d, o, R1, err), FY_OK);
    assert_int_equal(R1->restarts_run, 1);
    assert_int_equal(R1->best_restart, 0);
    o->restarts = 2;
    assert_int_equal(fy_inn_train(b, X, n, d, o, R2, err), FY_OK);
    o->restarts = 3;
    assert_int_equal(fy_inn_train(c, X, n, d, o, R3, err), FY_OK);
    printf("# restarts: scores %.10f %.10f %.10f, kept %d\n", R3->restart_score[0],
           R3->restart_score[1], R3->restart_score[2], R3->best_restart);
    assert_int_equal(R2->restarts_run, 2);
    assert_int_equal(R3->restarts_run, 3);
    assert_true(R3->restart_score[0] == R1->best_val_nll);
    assert_true(R2->restart_score[0] == R3->restart_score[0]);
    assert_true(R2->restart_score[1] == R3->restart_score[1]);
    assert_true(R3->restart_score[1] != R3->restart_score[0]);
    assert_true(R3->restart_score[2] != R3->restart_score[0]);
    for (k = 1; k < 3; k++)
        if (R3->restart_score[k] < R3->restart_score[best])
            best = k;
    assert_int_equal(R3->best_restart, best);
    assert_true(R3->best_val_nll == R3->restart_score[best]);
    /* the kept network against its report, through the forward map */
    z = malloc((size_t) n * d * sizeof(double));
    ld = malloc((size_t) n * sizeof(double));
    assert_int_equal(fy_inn_forward_d(z, ld, c, X, n, err), FY_OK);
    for (i = 0; i < n; i++)
    {
        double q = ld[i] - 0.5 * d * log(2.0 * M_PI);
        for (j = 0; j < d; j++)
            q -= 0.5 * z[i * d + j] * z[i * d + j];
        s -= q;
    }
    want = ((double) R3->n_train * R3->final_train_nll + (double) R3->n_val * R3->best_val_nll) /
           (double) n;
    printf("# kept network: NLL over the rows %.12f, report %.12f\n", s / (double) n, want);
    assert_true(fabs(s / (double) n - want) < 1e-9);
    /* out of range */
    o->restarts = -1;
    assert_int_equal(fy_inn_train(a, X, n, d, o, NULL, err), FY_EUSAGE);
    assert_non_null(strstr(err->msg, "restarts"));
    free(z);
    free(ld);
    fy_inn_train_report_clear(R1);
    fy_inn_train_report_clear(R2);
    fy_inn_train_report_clear(R3);
    fy_inn_clear(a);
    fy_inn_clear(b);
    fy_inn_clear(c);
    free(X);
}

/* ------------------------------------------------------------------ augmentation (innseed) */

/* Training on the images of the rows under site permutations.  References: the plain training
 * (one identity image: the same network, bit for bit; the identity twice: the same losses to
 * rounding, which a split that separated a row's images would break), and the NLL of the
 * images made here, through the kept network's forward map, against the report's training and
 * validation NLLs weighted by their rows. */
static void test_augment(void **state)
{
    const int d = 3;
    const long n = 2000;
    static const int id[3] = {0, 1, 2}, idid[6] = {0, 1, 2, 0, 1, 2},
                     rev[6] = {0, 1, 2, 2, 1, 0}, dup[3] = {0, 0, 2}, out[3] = {0, 1, 3};
    double *X = skewed_rows(n, d, 43), *Y, *z, *ld, *z2, *ld2, s = 0.0, want;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R0, R1, R2, R3;
    fy_inn_t a, b, c, e;
    fy_error_t err;
    long i;
    int g, j;
    (void) state;
    fy_error_init(err);
    fy_inn_init(a);
    fy_inn_init(b);
    fy_inn_init(c);
    fy_inn_init(e);
    fy_inn_train_opts_init(o);
    o->plan = "kaca";
    o->epochs = 0;
    o->lbfgs_iters = 12;
    o->init_scale = 0.2;
    assert_int_equal(fy_inn_train(a, X, n, d, o, R0, err), FY_OK);
    o->augment = id;
    o->naugment = 1;
    assert_int_equal(fy_inn_train(b, X, n, d, o, R1, err), FY_OK);
    z = malloc((size_t) 2 * n * d * sizeof(double));
    ld = malloc((size_t) 2 * n * sizeof(double));
    z2 = malloc((size_t) 2 * n * d * sizeof(double));
    ld2 = malloc((size_t) 2 * n * sizeof(double));
    assert_int_equal(fy_inn_forward_d(z, ld, a, X, n, err), FY_OK);
    assert_int_equal(fy_inn_forward_d(z2, ld2, b, X, n, err), FY_OK);
    assert_true(memcmp(z, z2, (size_t) n * d * sizeof(double)) == 0);
    assert_true(memcmp(ld, ld2, (size_t) n * sizeof(double)) == 0);
    assert_true(R1->best_val_nll == R0->best_val_nll && R1->n_train == R0->n_train);
    /* every row twice: the images stay on their row's side, the means are the plain ones */
    o->augment = idid;
    o->naugment = 2;
    assert_int_equal(fy_inn_train(e, X, n, d, o, R3, err), FY_OK);
    printf("# the identity twice: validation NLL %.15f, plain %.15f; %ld + %ld rows\n",
           R3->best_val_nll, R0->best_val_nll, R3->n_train, R3->n_val);
    assert_int_equal(R3->n_train, 2 * R0->n_train);
    assert_int_equal(R3->n_val, 2 * R0->n_val);
    assert_true(fabs(R3->best_val_nll - R0->best_val_nll) < 1e-10);
    assert_true(fabs(R3->final_train_nll - R0->final_train_nll) < 1e-10);
    /* the rows and their reversals */
    o->augment = rev;
    o->naugment = 2;
    assert_int_equal(fy_inn_train(c, X, n, d, o, R2, err), FY_OK);
    assert_int_equal(R2->n_train + R2->n_val, 2 * n);
    Y = malloc((size_t) 2 * n * d * sizeof(double));
    for (i = 0; i < n; i++)
        for (g = 0; g < 2; g++)
            for (j = 0; j < d; j++)
                Y[((size_t) g * n + i) * d + j] = X[(size_t) i * d + (g ? d - 1 - j : j)];
    assert_int_equal(fy_inn_forward_d(z, ld, c, Y, 2 * n, err), FY_OK);
    for (i = 0; i < 2 * n; i++)
    {
        double q = ld[i] - 0.5 * d * log(2.0 * M_PI);
        for (j = 0; j < d; j++)
            q -= 0.5 * z[i * d + j] * z[i * d + j];
        s -= q;
    }
    want = ((double) R2->n_train * R2->final_train_nll + (double) R2->n_val * R2->best_val_nll) /
           (double) (2 * n);
    printf("# reversal images: NLL over the images %.12f, report %.12f (plain %.12f)\n",
           s / (double) (2 * n), want, R0->final_train_nll);
    assert_true(fabs(s / (double) (2 * n) - want) < 1e-9);
    /* refusals */
    o->augment = dup;
    o->naugment = 1;
    assert_int_equal(fy_inn_train(c, X, n, d, o, NULL, err), FY_EUSAGE);
    assert_non_null(strstr(err->msg, "no permutation"));
    o->augment = out;
    assert_int_equal(fy_inn_train(c, X, n, d, o, NULL, err), FY_EUSAGE);
    o->augment = NULL;
    assert_int_equal(fy_inn_train(c, X, n, d, o, NULL, err), FY_EUSAGE);
    free(X);
    free(Y);
    free(z);
    free(ld);
    free(z2);
    free(ld2);
    fy_inn_train_report_clear(R0);
    fy_inn_train_report_clear(R1);
    fy_inn_train_report_clear(R2);
    fy_inn_train_report_clear(R3);
    fy_inn_clear(a);
    fy_inn_clear(b);
    fy_inn_clear(c);
    fy_inn_clear(e);
}

/* next permutation in lexicographic order; 0 after the last */
static int next_perm(int *p, int d)
{
    int i = d - 2, j, t;
    while (i >= 0 && p[i] >= p[i + 1])
        i--;
    if (i < 0)
        return 0;
    for (j = d - 1; p[j] <= p[i]; j--)
        ;
    t = p[i], p[i] = p[j], p[j] = t;
    for (i++, j = d - 1; i < j; i++, j--)
        t = p[i], p[i] = p[j], p[j] = t;
    return 1;
}

/* fy_inn_lattice_symmetries against every permutation of the sites tried here (the ones that
 * keep each pair's adjacency, in lexicographic order; with shifts those of them that add a
 * constant mod d), and the group orders: a ring of d >= 3 sites 2d (d shifts), the 3 x 3
 * torus (the rook's graph) 2 (3!)^2 = 72 (3 shifts: by rows), a path of three sites 2 (1). */
static void test_lattice_symmetries(void **state)
{
    static const char *const th[] = {"lattice ring 4\nm2 1\n", "lattice ring 5\nm2 1\n",
                                     "lattice torus 3\nm2 1\n",
                                     "lattice graph 3\nedge 0 1\nedge 1 2\nm2 1\n",
                                     "lattice ring 1\nm2 1\n"};
    static const char *const name[] = {"ring 4", "ring 5", "torus 3", "path of 3", "ring 1"};
    static const int order[2][5] = {{8, 10, 72, 2, 1}, {4, 5, 3, 1, 1}};
    int t, sh;
    (void) state;
    for (t = 0; t < 10; t++)
    {
        fy_ltheory_t T;
        fy_error_t err;
        int *perm = NULL, count = 0, d, i, j, k = 0, p[16], *adj;
        long l;
        sh = t / 5;
        fy_error_init(err);
        fy_ltheory_init(T);
        assert_int_equal(fy_ltheory_parse(T, th[t % 5], "sym", err), FY_OK);
        d = T->nsites;
        assert_int_equal(fy_inn_lattice_symmetries(&perm, &count, T, sh, err), FY_OK);
        printf("# %s: %d sites, %d %s\n", name[t % 5], d, count, sh ? "shifts" : "symmetries");
        assert_int_equal(count, order[sh][t % 5]);
        adj = calloc((size_t) d * d, sizeof(int));
        for (l = 0; l < T->nlinks; l++)
            adj[T->link_i[l] * d + T->link_j[l]] = adj[T->link_j[l] * d + T->link_i[l]] = 1;
        for (i = 0; i < d; i++)
            p[i] = i;
        do
        {
            int keeps = 1;
            for (i = 0; i < d && keeps; i++)
                for (j = 0; j < d && keeps; j++)
                    keeps = adj[i * d + j] == adj[p[i] * d + p[j]];
            for (i = 1; i < d && keeps && sh; i++)
                keeps = (p[i] - p[i - 1] + d) % d == 1 % d;
            if (keeps)
            {
                assert_true(k < count);
                assert_true(memcmp(perm + (size_t) k * d, p, (size_t) d * sizeof(int)) == 0);
                k++;
            }
        } while (next_perm(p, d));
        assert_int_equal(k, count);
        free(adj);
        free(perm);
        fy_ltheory_clear(T);
    }
}

/* ------------------------------------------------------------------ refusals */

static void test_refusals(void **state)
{
    const int d = 3;
    const long n = 50;
    double *X = skewed_rows(n, d, 1);
    fy_inn_train_opts_t o;
    fy_inn_t net;
    fy_inn_flow_t F;
    fy_error_t err;
    long i;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    fy_inn_flow_init(F);
    fy_inn_train_opts_init(o);
    o->epochs = 1;
    o->lbfgs_iters = 1;
    X[7 * d + 2] = NAN;
    assert_int_equal(fy_inn_train(net, X, n, d, o, NULL, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "row 7, column 2"));
    X[7 * d + 2] = 0.5;
    assert_int_equal(fy_inn_train(net, X, 3, d, o, NULL, err), FY_EINPUT);
    for (i = 0; i < n; i++)
        X[i * d + 1] = 2.0 * X[i * d + 0];
    assert_int_equal(fy_inn_train(net, X, n, d, o, NULL, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "singular"));
    o->plan = "acx";
    assert_int_equal(fy_inn_train(net, X, n, d, o, NULL, err), FY_EUSAGE);
    o->plan = NULL;
    o->lr = -1;
    assert_int_equal(fy_inn_train(net, X, n, d, o, NULL, err), FY_EUSAGE);
    assert_int_equal(fy_inn_flow_setup(F, 0, NULL, 1, err), FY_EUSAGE);
    assert_int_equal(net->nlayers, 0);
    fy_inn_clear(net);
    free(X);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradient_fd),
        cmocka_unit_test(test_logp_jet),
        cmocka_unit_test(test_whitening),
        cmocka_unit_test(test_gaussian_precision),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_learns_and_roundtrip),
        cmocka_unit_test(test_moments),
        cmocka_unit_test(test_train_moments),
        cmocka_unit_test(test_restarts),
        cmocka_unit_test(test_augment),
        cmocka_unit_test(test_lattice_symmetries),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("inn_train", tests, NULL, NULL) ? 1 : 0;
}
