/* bench_adolc: ADOL-C (2.7) beside feynn on the reference network of issue 16, in one process.
 *
 * The network is bench_taylor's: tanh 64-64-64-64-1, weights N(0, 1/fan_in), biases
 * 0.1 N(0, 1), drawn by the same generator in the same order, so both benches time the same
 * weights; the point is x = 0.  Rows (CPU time of the process, minimum over rounds, rounds
 * interleaved so that a slow spell of a shared machine hits both sides):
 *   - full tensors of orders 2 and 3: ADOL-C tensor_eval on the taped network (all C(64+d, d)
 *     derivatives up to order d through the identity seed) against fy_mlp_tensor_diagrams
 *     (the default route of `feynn taylor`, workspace kept, the point set beforehand); the
 *     largest difference over all order-d entries relative to the largest entry;
 *   - directional Taylor coefficients to order 100 along a fixed v: ADOL-C hos_forward on the
 *     tape, and taping + hos_forward, against feynn's fy_mlp_set_net + fy_mlp_set_point +
 *     fy_mlp_directional (set-up included) and fy_mlp_directional alone, and the jet route
 *     (fy_jet_dir_d, set-up included); the largest relative difference of the coefficients.
 * Ratios are ADOL-C time / feynn time (above 1: feynn is faster).  One thread: run with
 * OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (make bench does not set them; "threads" says what
 * the run had).  `bench_adolc --quick` skips the order-3 tensor (ADOL-C takes tens of
 * seconds there) and runs one round.  Prints one JSON object; exits 0.  Built only when
 * configure finds ADOL-C (libadolc-dev); never needed by make check. */
#include <adolc/adolc.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#define BENCH_SEED 0x5eed2024u /* bench_taylor's seed: the same draws, the same network */
#include "bench_rng.h"
#include "bench_stats.h"

static const int W_[5] = {64, 64, 64, 64, 1};
static std::vector<double> Wt[5], Bt[5]; /* layer l: W (w[l] x w[l-1]) and b */

static int make_net(fy_net_t net, fy_error_t err)
{
    fy_safetensors_t st;
    fy_net_opts_t o;
    int l, status = FY_OK;
    char name[32];
    fy_safetensors_init(st);
    for (l = 1; l <= 4 && status == FY_OK; l++)
    {
        size_t shape[2] = {(size_t) W_[l], (size_t) W_[l - 1]}, i;
        Wt[l].resize(shape[0] * shape[1]);
        Bt[l].resize(shape[0]);
        for (i = 0; i < shape[0] * shape[1]; i++)
            Wt[l][i] = bench_normal() / std::sqrt((double) W_[l - 1]);
        for (i = 0; i < shape[0]; i++)
            Bt[l][i] = 0.1 * bench_normal();
        snprintf(name, sizeof name, "%d.weight", 2 * (l - 1));
        status = fy_safetensors_add(st, name, FY_DTYPE_F64, 2, shape, Wt[l].data(), err);
        snprintf(name, sizeof name, "%d.bias", 2 * (l - 1));
        if (status == FY_OK)
            status = fy_safetensors_add(st, name, FY_DTYPE_F64, 1, shape, Bt[l].data(), err);
    }
    fy_net_opts_init(o);
    o->activation = "tanh";
    fy_net_init(net);
    if (status == FY_OK)
        status = fy_net_from_tensors(net, st, "reference", o, err);
    fy_safetensors_clear(st);
    return status;
}

/* Tapes the network at x (tag). */
static void tape(short tag, const double *x)
{
    std::vector<adouble> a(64), z;
    double y;
    int l, i, j;
    trace_on(tag);
    for (i = 0; i < 64; i++)
        a[i] <<= x[i];
    for (l = 1; l <= 4; l++)
    {
        z.assign(W_[l], adouble(0.0));
        for (j = 0; j < W_[l]; j++)
        {
            adouble s = Bt[l][j];
            for (i = 0; i < W_[l - 1]; i++)
                s += Wt[l][(size_t) j * W_[l - 1] + i] * a[i];
            z[j] = s;
        }
        if (l < 4)
            for (j = 0; j < W_[l]; j++)
                z[j] = tanh(z[j]);
        a = z;
    }
    a[0] >>= y;
    trace_off();
}

static void tmin(double *best, double t)
{
    if (*best <= 0 || t < *best)
        *best = t;
}

/* ADOL-C tensor_eval of order d against fy_mlp_tensor_diagrams; prints one JSON row. */
static int tensor_row(int d, int rounds, const fy_mlp_t m, fy_mlp_work_struct *ws, int first,
                      fy_error_t err)
{
    const int n = 64;
    long dim = binomi(n + d, d);
    double x[64] = {0}, **S = myalloc2(n, n), **T = myalloc2(1, (int) dim);
    double ta = 0, tf = 0, worst = 0, big = 0;
    fy_symtensor_t F;
    int r, i, status = FY_OK;
    for (i = 0; i < n; i++)
    {
        int j;
        for (j = 0; j < n; j++)
            S[i][j] = i == j;
    }
    tape(1, x);
    fy_symtensor_init(F, FY_ARITH_DOUBLE, n, d, 53, err);
    for (r = 0; r < rounds && status == FY_OK; r++)
    {
        double t0 = bench_cpu_time();
        tensor_eval(1, 1, n, d, n, x, T, S);
        tmin(&ta, bench_cpu_time() - t0);
        t0 = bench_cpu_time();
        status = fy_mlp_tensor_diagrams(F, m, 0, d, ws, err);
        tmin(&tf, bench_cpu_time() - t0);
    }
    if (status == FY_OK)
    {
        /* every order-d entry: feynn's sorted index i1 <= ... <= id is ADOL-C's non-increasing
         * multi-index of 1-based directions */
        std::vector<int> idx(d, 0), im(d);
        const double *fe = fy_numvec_d(&F->e);
        for (;;)
        {
            int k;
            double a, b;
            for (k = 0; k < d; k++)
                im[k] = idx[d - 1 - k] + 1;
            a = T[0][tensor_address(d, im.data())];
            b = fe[fy_symtensor_index(F, idx.data())];
            if (std::fabs(b) > big)
                big = std::fabs(b);
            if (std::fabs(a - b) > worst)
                worst = std::fabs(a - b);
            for (k = d - 1; k >= 0 && idx[k] == n - 1; k--)
                ;
            if (k < 0)
                break;
            idx[k]++;
            for (k = k + 1; k < d; k++)
                idx[k] = idx[k - 1];
        }
    }
    printf("%s\n  {\"row\": \"tensor\", \"order\": %d, \"entries\": %ld, "
           "\"adolc_tensor_eval_s\": %.6f, \"feynn_diagrams_s\": %.6f, "
           "\"ratio_adolc_over_feynn\": %.1f, \"max_abs_diff_over_max_entry\": %.2e}",
           first ? "" : ",", d, binomi(n + d - 1, d), ta, tf,
           tf > 0 ? ta / tf : 0.0, big > 0 ? worst / big : worst);
    fy_symtensor_clear(F);
    myfree2(S);
    myfree2(T);
    return status;
}

/* Directional coefficients of order N along v: ADOL-C hos_forward (with and without taping)
 * against feynn (set-up included, and directional alone) and the jet route. */
static int directional_row(int N, int rounds, const fy_net_t net, const fy_rules_t rules,
                           fy_error_t err)
{
    const int n = 64;
    double x[64] = {0}, y, **X = myalloc2(n, N), **Y = myalloc2(1, N);
    double ta = 0, tat = 0, tf = 0, tfd = 0, tj = 0, worst = 0;
    std::vector<double> v(n), cj(N + 1);
    fy_numvec_t vv, c;
    int r, i, k, status = FY_OK;
    for (i = 0; i < n; i++)
        v[i] = std::cos(1.0 + i); /* a fixed direction */
    for (i = 0; i < n; i++)
        for (k = 0; k < N; k++)
            X[i][k] = k == 0 ? v[i] : 0.0;
    fy_numvec_init(vv, FY_ARITH_DOUBLE, n, 53, err);
    fy_numvec_init(c, FY_ARITH_DOUBLE, N + 1, 53, err);
    for (i = 0; i < n; i++)
        fy_numvec_d(vv)[i] = v[i];
    for (r = 0; r < rounds && status == FY_OK; r++)
    {
        fy_mlp_t m;
        fy_jet_net_t J;
        double t0 = bench_cpu_time(), t1;
        tape(2, x);
        t1 = bench_cpu_time();
        hos_forward(2, 1, n, N, 0, x, X, &y, Y);
        tmin(&ta, bench_cpu_time() - t1);
        tmin(&tat, bench_cpu_time() - t0);

        t0 = bench_cpu_time();
        fy_mlp_init(m);
        status = fy_mlp_set_net(m, net, rules, FY_ARITH_DOUBLE, 53, err);
        if (status == FY_OK)
            status = fy_mlp_set_point(m, NULL, N, err);
        t1 = bench_cpu_time();
        if (status == FY_OK)
            status = fy_mlp_directional(c, m, 0, vv, N, err);
        tmin(&tf, bench_cpu_time() - t0);
        tmin(&tfd, bench_cpu_time() - t1);
        fy_mlp_clear(m);

        t0 = bench_cpu_time();
        fy_jet_net_init(J);
        if (status == FY_OK)
            status = fy_jet_net_set(J, net, err);
        if (status == FY_OK)
            status = fy_jet_dir_d(cj.data(), J, NULL, v.data(), N, err);
        tmin(&tj, bench_cpu_time() - t0);
        fy_jet_net_clear(J);
    }
    if (status == FY_OK)
        for (k = 1; k <= N; k++)
        {
            /* Y[0][k-1] is the Taylor coefficient of t^k, as c[k] */
            double a = Y[0][k - 1], b = fy_numvec_d(c)[k];
            double s = std::fabs(b) > 1e-300 ? std::fabs(b) : 1e-300;
            if (std::fabs(a - b) / s > worst)
                worst = std::fabs(a - b) / s;
        }
    printf(",\n  {\"row\": \"directional\", \"order\": %d, \"adolc_hos_forward_s\": %.6f, "
           "\"adolc_tape_and_hos_forward_s\": %.6f, \"feynn_setup_and_directional_s\": %.6f, "
           "\"feynn_directional_s\": %.6f, \"feynn_jet_s\": %.6f, "
           "\"ratio_hos_forward_over_feynn_with_setup\": %.2f, "
           "\"ratio_tape_and_hos_forward_over_feynn_with_setup\": %.2f, "
           "\"max_rel_diff\": %.2e}",
           N, ta, tat, tf, tfd, tj, tf > 0 ? ta / tf : 0.0, tf > 0 ? tat / tf : 0.0, worst);
    fy_numvec_clear(vv);
    fy_numvec_clear(c);
    myfree2(X);
    myfree2(Y);
    return status;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && !strcmp(argv[1], "--quick"), status;
    const char *omp = getenv("OMP_NUM_THREADS"), *ob = getenv("OPENBLAS_NUM_THREADS");
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_mlp_t m;
    fy_mlp_work_t ws;

    fy_error_init(err);
    fy_rules_init(rules);
    fy_mlp_init(m);
    fy_mlp_work_init(ws);
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = make_net(net, err);
    if (status == FY_OK)
        status = fy_mlp_set_net(m, net, rules, FY_ARITH_DOUBLE, 53, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, NULL, 3, err);
    if (status != FY_OK)
    {
        fprintf(stderr, "bench_adolc: %s\n", err->msg);
        return 1;
    }
    printf("{\"bench\": \"adolc\", \"network\": \"tanh 64-64-64-64-1 at 0\", "
           "\"peer\": \"ADOL-C 2.7 (tensor_eval, hos_forward)\", "
           "\"timing\": \"minimum CPU time over rounds, interleaved\", "
           "\"OMP_NUM_THREADS\": \"%s\", \"OPENBLAS_NUM_THREADS\": \"%s\", \"rows\": [",
           omp ? omp : "unset", ob ? ob : "unset");
    status = tensor_row(2, quick ? 1 : 3, m, ws, 1, err);
    if (status == FY_OK && !quick)
        status = tensor_row(3, 1, m, ws, 0, err);
    if (status == FY_OK)
        status = directional_row(100, quick ? 1 : 5, net, rules, err);
    printf("\n]}\n");
    if (status != FY_OK)
        fprintf(stderr, "bench_adolc: %s\n", err->msg);
    fy_mlp_work_clear(ws);
    fy_mlp_clear(m);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return 0;
}
