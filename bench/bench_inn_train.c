/* bench_inn_train: the moment trick of the INN trainer (inn.h, issue 12) against the
 * per-sample route, in the same run.  Data: HMC draws of the demo's unimodal ring theory
 * (d = 4, m2 = 1, g3 = 1/2, lam = 1; sample.h), n = 10^5 (--quick: 2 x 10^4).  For the plans
 * "aca" (one coupling: moments of order <= 4, 70 monomials, 140 points) and "acaca" (two:
 * order <= 8, 495 monomials, 990 points): the CPU time of one loss-and-gradient evaluation
 * over the rows (one thread) and over the moment points, their ratio, the one-off cost of
 * fitting the points, and the largest differences of loss and gradient; then a whole
 * training (L-BFGS only, 150 iterations) each way, one thread: times, ratio and final NLLs.
 * Prints one JSON object. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feynn/inn.h"
#include "feynn/rng.h"
#include "feynn/sample.h"

#include "bench_stats.h"

static int fail(const fy_error_t err)
{
    fprintf(stderr, "bench_inn_train: %s\n", err->msg);
    return 1;
}

/* Loss and gradient: best CPU time of reps evaluations each way. */
static int eval_pair(FILE *out, const char *plan, const double *X, long n, int d, int reps,
                     fy_error_t err)
{
    fy_inn_flow_t F;
    fy_inn_moments_t M;
    double *P, *g1, *g2, f1 = 0, f2 = 0, t, best_rows = 1e300, best_mom = 1e300, fit, gd = 0;
    fy_rng_t r;
    size_t j;
    int k, rc;
    fy_inn_flow_init(F);
    fy_inn_moments_init(M);
    if ((rc = fy_inn_flow_setup(F, d, plan, 0, err)))
        return rc;
    P = calloc(F->np, sizeof(double));
    g1 = calloc(F->np, sizeof(double));
    g2 = calloc(F->np, sizeof(double));
    fy_rng_init(r, 7, FY_RNG_PURPOSE_TEST);
    fy_rng_normals(P, (uint64_t) F->np, r, 0, 0);
    for (j = 0; j < F->np; j++)
        P[j] *= 0.05;
    t = bench_cpu_time();
    rc = fy_inn_moments_fit(M, X, NULL, n, d, fy_inn_flow_moment_degree(F), err);
    fit = bench_cpu_time() - t;
    for (k = 0; k < reps && rc == FY_OK; k++)
    {
        t = bench_cpu_time();
        rc = fy_inn_flow_nll(&f1, g1, F, P, X, NULL, n, 256, 1, err);
        best_rows = fmin(best_rows, bench_cpu_time() - t);
        t = bench_cpu_time();
        if (rc == FY_OK)
            rc = fy_inn_flow_nll_moments(&f2, g2, F, P, M, err);
        best_mom = fmin(best_mom, bench_cpu_time() - t);
    }
    for (j = 0; j < F->np; j++)
        gd = fmax(gd, fabs(g1[j] - g2[j]));
    if (rc == FY_OK)
        fprintf(out, "  \"%s\": {\"monomials\": %ld, \"points\": %ld, \"residual\": %.3g, "
                "\"fit_s\": %.4g, \"rows_eval_s\": %.4g, \"moments_eval_s\": %.4g, "
                "\"eval_ratio\": %.4g, \"nll_rows\": %.15g, \"nll_moments\": %.15g, "
                "\"max_grad_diff\": %.3g},\n", plan, M->nmono, M->npts, M->resid, fit,
                best_rows, best_mom, best_rows / best_mom, f1, f2, gd);
    free(P);
    free(g1);
    free(g2);
    fy_inn_moments_clear(M);
    fy_inn_flow_clear(F);
    return rc;
}

/* A whole training each way (L-BFGS only, one thread). */
static int train_pair(FILE *out, const char *plan, const double *X, long n, int d,
                      fy_error_t err)
{
    double t, cpu[2], nll[2], val[2];
    int m, rc = FY_OK, used = 0;
    for (m = 0; m < 2 && rc == FY_OK; m++)
    {
        fy_inn_train_opts_t o;
        fy_inn_train_report_t R;
        fy_inn_t net;
        fy_inn_train_opts_init(o);
        o->plan = plan;
        o->epochs = 0;
        o->lbfgs_iters = 150;
        o->threads = 1;
        o->moments = m;
        fy_inn_init(net);
        t = bench_cpu_time();
        rc = fy_inn_train(net, X, n, d, o, R, err);
        cpu[m] = bench_cpu_time() - t;
        nll[m] = R->final_train_nll;
        val[m] = R->best_val_nll;
        used |= m == 1 && R->moments_used;
        fy_inn_train_report_clear(R);
        fy_inn_clear(net);
    }
    if (rc == FY_OK)
        fprintf(out, "  \"train_%s\": {\"rows_s\": %.4g, \"moments_s\": %.4g, \"ratio\": %.4g, "
                "\"moments_used\": %s, \"final_nll_rows\": %.10g, \"final_nll_moments\": %.10g, "
                "\"best_val_rows\": %.10g, \"best_val_moments\": %.10g},\n", plan, cpu[0],
                cpu[1], cpu[0] / cpu[1], used ? "true" : "false", nll[0], nll[1], val[0],
                val[1]);
    return rc;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick"), d;
    fy_ltheory_t T;
    fy_hmc_result_t H;
    fy_hmc_opts_struct ho;
    fy_error_t err;
    long n;
    fy_error_init(err);
    fy_ltheory_init(T);
    fy_hmc_result_init(H);
    if (fy_ltheory_parse(T, fy_inn_demo_unimodal_theory, "unimodal", err))
        return fail(err);
    fy_hmc_opts_default(&ho);
    ho.chains = 8;
    ho.samples = quick ? 2500 : 12500;
    ho.seed = 11;
    if (fy_hmc_run(H, T, &ho, err))
        return fail(err);
    n = H->chains * H->samples;
    d = T->nsites;
    printf("{\n  \"bench\": \"inn_train\",\n  \"n\": %ld,\n  \"d\": %d,\n", n, d);
    if (eval_pair(stdout, "aca", H->draws, n, d, 5, err) ||
        eval_pair(stdout, "acaca", H->draws, n, d, 3, err) ||
        train_pair(stdout, "aca", H->draws, n, d, err) ||
        train_pair(stdout, "acaca", H->draws, n, d, err))
        return fail(err);
    printf("  \"note\": \"CPU seconds, one thread; ratios are rows over moments in this run\"\n}\n");
    fy_hmc_result_clear(H);
    fy_ltheory_clear(T);
    return 0;
}
