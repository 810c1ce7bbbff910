/* bench_train: one Adam epoch of a tanh 16-64-64-1 network on 100k samples (batch 256, chunks
 * of 64 rows, no validation split), with the products by plain loops or cblas_dgemm and with
 * one or all OpenMP threads, against the plain-loop single-thread baseline run in the same
 * process; also one full-batch loss-and-gradient pass (what each L-BFGS step costs).  Each
 * figure is the best of several runs.
 * "dgemm_bound" (issue 16): the same products an epoch needs (forward Z_l = A_{l-1} W_l^T,
 * backward dW_l = dZ^T A_{l-1} and dA_{l-1} = dZ W_l, 16-64-64-1, one product set per batch of
 * 256 rows, 391 batches) timed through cblas_dgemm alone on buffers allocated before the
 * clock starts, one thread, in the same run, CPU time; "epoch_over_bound" is the CPU time of
 * the CBLAS one-thread training call (one epoch with its set-up) over it (1 = the trainer
 * costs only its products).  The bound runs with OpenBLAS pinned to one thread, as the
 * trainer's products are (before, OpenBLAS's own pool split the 256-row products and its
 * waiting thread's spinning was counted in the bound's CPU time: 0.09 to 0.5 s for 0.085).
 * "tanh": nanoseconds per value of the trainer's fy_train_tanh against libm's tanh, 2^20
 * values in [-4, 4], CPU time, best of several.  Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "feynn/train.h"

#define BENCH_SEED 20240601u
#include "bench_rng.h"
#include "bench_stats.h"

#ifdef _OPENMP
#include <omp.h>
#endif
#include <time.h>
#ifdef FY_HAVE_CBLAS
#include <cblas.h>
/* OpenBLAS's thread pool (weak: another CBLAS links too) */
extern int openblas_get_num_threads(void) __attribute__((weak));
extern void openblas_set_num_threads(int) __attribute__((weak));
#endif

#define NS 100000
#define DIM 16

/* best CPU time of the whole fy_train_mlp call in the last run() */
static double last_cpu;

/* Best wall time of reps runs of one configuration (epochs Adam epochs, lbfgs iterations). */
static double run(const double *X, const double *y, int blas, int threads, int epochs,
                  int lbfgs, int reps, double *loss)
{
    double best = 1e300;
    last_cpu = 1e300;
    int r;
    for (r = 0; r < reps; r++)
    {
        fy_train_opts_t o;
        fy_train_report_t rep;
        fy_net_t net;
        fy_error_t e;
        fy_error_init(e);
        fy_train_opts_init(o);
        o->hidden[0] = o->hidden[1] = 64;
        o->epochs = epochs;
        o->batch_size = 256;
        o->val_fraction = 0.0;
        o->patience = 0;
        o->use_blas = blas;
        o->threads = threads;
        o->lbfgs_iters = lbfgs;
        o->lbfgs_gtol = 0.0;
        fy_net_init(net);
        fy_train_report_init(rep);
        {
            double c0 = bench_cpu_time();
            if (fy_train_mlp(net, X, y, NS, DIM, o, rep, e) != FY_OK)
            {
                fprintf(stderr, "bench_train: %s\n", e->msg);
                exit(1);
            }
            if (bench_cpu_time() - c0 < last_cpu)
                last_cpu = bench_cpu_time() - c0;
        }
        {
            double t = epochs > 0 ? rep->adam_time_s : rep->lbfgs_time_s;
            if (t < best)
                best = t;
        }
        *loss = rep->final_train_loss;
        fy_train_report_clear(rep);
        fy_net_clear(net);
    }
    return best;
}

#ifdef FY_HAVE_CBLAS
/* Best CPU time of reps epochs of the trainer's products alone (see the top of the file). */
static double dgemm_bound(int reps)
{
    const int B = 256, H = 64, steps = (NS + B - 1) / B;
    double *X = calloc((size_t) B * DIM, sizeof(double)), *A1 = calloc((size_t) B * H, 8);
    double *A2 = calloc((size_t) B * H, 8), *Z3 = calloc((size_t) B, 8);
    double *W1 = calloc((size_t) H * DIM, 8), *W2 = calloc((size_t) H * H, 8);
    double *W3 = calloc((size_t) H, 8), *G1 = calloc((size_t) H * DIM, 8);
    double *G2 = calloc((size_t) H * H, 8), *G3 = calloc((size_t) H, 8);
    double *D1 = calloc((size_t) B * H, 8), *D2 = calloc((size_t) B * H, 8), best = 1e300;
    int r, s, i, saved = -1;
    if (!X || !A1 || !A2 || !Z3 || !W1 || !W2 || !W3 || !G1 || !G2 || !G3 || !D1 || !D2)
        exit(1);
    if (openblas_get_num_threads && openblas_set_num_threads)
    {
        saved = openblas_get_num_threads();
        openblas_set_num_threads(1);
    }
    for (i = 0; i < B * DIM; i++)
        X[i] = bench_uniform();
    for (i = 0; i < H * H; i++)
        W2[i] = bench_uniform() - 0.5;
    for (r = 0; r < reps; r++)
    {
        struct timespec t0, t1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
        for (s = 0; s < steps; s++)
        {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, DIM, 1.0, X, DIM, W1,
                        DIM, 0.0, A1, H);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, H, 1.0, A1, H, W2, H,
                        0.0, A2, H);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, 1, H, 1.0, A2, H, W3, H,
                        0.0, Z3, 1);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 1, H, B, 1.0, Z3, 1, A2, H,
                        0.0, G3, H);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, 1, 1.0, Z3, 1, W3, H,
                        0.0, D2, H);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, B, 1.0, D2, H, A1, H,
                        0.0, G2, H);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H, 1.0, D2, H, W2, H,
                        0.0, D1, H);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, DIM, B, 1.0, D1, H, X, DIM,
                        0.0, G1, DIM);
        }
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        if ((double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec) < best)
            best = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
    }
    if (saved > 0)
        openblas_set_num_threads(saved);
    free(X), free(A1), free(A2), free(Z3), free(W1), free(W2), free(W3);
    free(G1), free(G2), free(G3), free(D1), free(D2);
    return best;
}
#endif

/* Best CPU nanoseconds per value of fy_train_tanh (fast != 0) or of libm's tanh. */
static double tanh_ns(int fast)
{
    const size_t n = (size_t) 1 << 20;
    double *x = malloc(n * sizeof(double)), *t = malloc(n * sizeof(double)), best = 1e300;
    size_t i;
    int r;
    if (!x || !t)
        exit(1);
    for (i = 0; i < n; i++)
        x[i] = 8.0 * bench_uniform() - 4.0;
    for (r = 0; r < 5; r++)
    {
        double c0 = bench_cpu_time(), c;
        if (fast)
            fy_train_tanh(t, x, n);
        else
            for (i = 0; i < n; i++)
                t[i] = tanh(x[i]);
        c = bench_cpu_time() - c0;
        if (c < best)
            best = c;
    }
    free(x);
    free(t);
    return 1e9 * best / (double) n;
}

int main(void)
{
    double *X = malloc((size_t) NS * DIM * sizeof(double)), *y = malloc(NS * sizeof(double));
    double t_base, t_blas1, t_loopT, t_blasT, t_lb_base, t_lb_blasT, l0, l1, l2, l3, lx;
    double t_bound = 0.0, c_blas1, ns_fast, ns_libm;
    int T = 1, have_blas = 0, i, j;
    if (!X || !y)
        return 1;
#ifdef _OPENMP
    T = omp_get_max_threads();
#endif
#ifdef FY_HAVE_CBLAS
    have_blas = 1;
#endif
    for (i = 0; i < NS; i++)
    {
        double s = 0.0;
        for (j = 0; j < DIM; j++)
        {
            X[i * DIM + j] = 2.0 * bench_uniform() - 1.0;
            s += (j + 1) * X[i * DIM + j];
        }
        y[i] = tanh(0.1 * s) + 0.1 * X[i * DIM] * X[i * DIM + 1];
    }
    t_base = run(X, y, 0, 1, 1, 0, 2, &l0);
    t_blas1 = run(X, y, 1, 1, 1, 0, 2, &l1);
    c_blas1 = last_cpu;
    t_loopT = run(X, y, 0, T, 1, 0, 2, &l2);
    t_blasT = run(X, y, 1, T, 1, 0, 2, &l3);
    /* full-batch passes: 3 L-BFGS iterations (a few loss+gradient passes each) */
    t_lb_base = run(X, y, 0, 1, 0, 3, 1, &lx);
    t_lb_blasT = run(X, y, 1, T, 0, 3, 1, &lx);
#ifdef FY_HAVE_CBLAS
    t_bound = dgemm_bound(3);
#endif
    ns_fast = tanh_ns(1);
    ns_libm = tanh_ns(0);
    printf("{\n  \"bench\": \"train\",\n  \"network\": \"tanh 16-64-64-1\",\n"
           "  \"samples\": %d,\n  \"batch\": 256,\n  \"threads\": %d,\n  \"cblas\": %s,\n"
           "  \"baseline\": \"plain loops, 1 thread, one Adam epoch\",\n"
           "  \"epoch_s\": {\"loops_1\": %.4f, \"cblas_1\": %.4f, \"loops_T\": %.4f, "
           "\"cblas_T\": %.4f},\n"
           "  \"speedup_vs_baseline\": {\"cblas_1\": %.3f, \"loops_T\": %.3f, \"cblas_T\": %.3f},\n"
           "  \"lbfgs3_s\": {\"loops_1\": %.4f, \"cblas_T\": %.4f, \"speedup\": %.3f},\n"
           "  \"dgemm_bound\": {\"epoch_products_cpu_s\": %.4f, \"epoch_cblas_1_cpu_s\": %.4f, "
           "\"epoch_over_bound\": %.2f},\n"
           "  \"tanh_ns\": {\"fy_train_tanh\": %.3f, \"libm\": %.3f, \"speedup\": %.2f},\n"
           "  \"same_loss_across_thread_counts\": %s,\n"
           "  \"loss_after_epoch\": %.6e\n}\n",
           NS, T, have_blas ? "true" : "false", t_base, t_blas1, t_loopT, t_blasT,
           t_base / t_blas1, t_base / t_loopT, t_base / t_blasT, t_lb_base, t_lb_blasT,
           t_lb_base / t_lb_blasT, t_bound, c_blas1,
           t_bound > 0 ? c_blas1 / t_bound : 0.0, ns_fast, ns_libm, ns_libm / ns_fast,
           (l1 == l3 && l0 == l2) ? "true" : "false", l0);
    free(X);
    free(y);
    return 0;
}
