/* Benchmark of the MLP Taylor tensors (fused recursion and diagram factorisation, mlp module).
 *
 * The reference network of the issue: tanh MLP 64-64-64-64-1, weights N(0, 1/fan_in), biases
 * 0.1 N(0, 1), fixed seed, expansion at 0.  Times the full order-3 and order-4 derivative
 * tensors in double next to the equivalent dense products done by CBLAS in the same run (the
 * per-layer products (entries x 64) x (64 x 64) and the final row), the order-3 tensor in ball
 * arithmetic at 128 bits (time ratio, largest relative radius), and the memory estimate.
 * After a warm-up, rounds interleave each computation with its baseline (the double tensor
 * with the CBLAS products, the ball tensor with the double one), so that a slow spell of a
 * shared machine hits both: times are the minima over the rounds, ratios the medians of the
 * per-round ratios.  Wall clock, and under "cpu" the CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID, all threads).  The baseline is one dgemm per layer over all rows
 * on buffers allocated and touched before any timing; glibc's mmap threshold is fixed at its
 * default, so that neither side's frees change the other's page faults (the former baseline
 * freed a 23 MB block each round, which raised the threshold and spared the tensors their
 * page faults).  One thread: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1.
 * "diagram_route": orders 2, 3, 4 by fy_mlp_tensor_diagrams against the fused recursion, both
 * from a workspace, interleaved (ratio = fused / diagrams).  bench_taylor --save FILE writes
 * the network (safetensors) for bench/bench_taylor_torch.py, the PyTorch peer;
 * bench_taylor --diagrams runs and prints the diagram rows alone.
 * "spine_route" (bench_taylor --spine, issue 16): the spine route (fy_mlp_tensor_spine, any
 * order and arithmetic) against the fused recursion in the same arithmetic: double orders 2-4
 * on the reference network and 5-6 on narrower ones, 128-bit balls (radius ratio) and exact
 * rationals (zero biases), interleaved rounds.
 * Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#define HAVE_MALLOPT 1
#endif
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#define BENCH_SEED 0x5eed2024u /* bench_adolc draws the same network */
#include "bench_rng.h"
#include "bench_stats.h"

#ifdef FY_HAVE_CBLAS
#include <cblas.h>
#endif

/* best CPU time of the last timed call (time_tensors, baseline) */
static double last_cpu;

#define ROUNDS 7
#define ROUNDS4 3

/* The reference network; written to `save` as well when it is not NULL (bench_taylor --save
 * FILE: the same network for `feynn taylor` on the command line). */
static int make_net_w(fy_net_t net, const int *w, int zero_bias, const char *save,
                      fy_error_t err);
static int make_net(fy_net_t net, const char *save, fy_error_t err)
{
    static const int w[5] = {64, 64, 64, 64, 1};
    return make_net_w(net, w, 0, save, err);
}

/* A tanh network of widths w[0..4] (three hidden layers), biases 0.1 N(0, 1) or zero. */
static int make_net_w(fy_net_t net, const int *w, int zero_bias, const char *save,
                      fy_error_t err)
{
    fy_safetensors_t st;
    fy_net_opts_t o;
    int l, status = FY_OK;
    char name[32];

    fy_safetensors_init(st);
    for (l = 1; l <= 4 && status == FY_OK; l++)
    {
        size_t shape[2] = {(size_t) w[l], (size_t) w[l - 1]}, i;
        double *W = malloc(sizeof(double) * shape[0] * shape[1]);
        double *b = malloc(sizeof(double) * shape[0]);
        for (i = 0; i < shape[0] * shape[1]; i++)
            W[i] = bench_normal() / sqrt((double) w[l - 1]);
        for (i = 0; i < shape[0]; i++)
            b[i] = zero_bias ? 0.0 : 0.1 * bench_normal();
        snprintf(name, sizeof name, "%d.weight", 2 * (l - 1));
        status = fy_safetensors_add(st, name, FY_DTYPE_F64, 2, shape, W, err);
        snprintf(name, sizeof name, "%d.bias", 2 * (l - 1));
        if (status == FY_OK)
            status = fy_safetensors_add(st, name, FY_DTYPE_F64, 1, shape, b, err);
        free(W);
        free(b);
    }
    if (status == FY_OK)
        status = fy_safetensors_set_meta(st, "activation", "tanh", err);
    if (status == FY_OK && save != NULL)
        status = fy_safetensors_write(save, st, err);
    fy_net_opts_init(o);
    o->activation = "tanh";
    fy_net_init(net);
    if (status == FY_OK)
        status = fy_net_from_tensors(net, st, "reference", o, err);
    fy_safetensors_clear(st);
    return status;
}

/* The baseline's buffers, allocated and touched once before any timing (a reference of the
 * products alone: no allocation, no page faults, no copies). */
static double *bX, *bY, *bW, *bout;

static void baseline_alloc(slong E)
{
    slong i;
    bX = malloc(sizeof(double) * (size_t) E * 64);
    bY = malloc(sizeof(double) * (size_t) E * 64);
    bW = malloc(sizeof(double) * 64 * 64);
    bout = malloc(sizeof(double) * (size_t) E);
    for (i = 0; i < E * 64; i++)
        bX[i] = bY[i] = bench_uniform();
    for (i = 0; i < 64 * 64; i++)
        bW[i] = bench_uniform() / 64;
    for (i = 0; i < E; i++)
        bout[i] = 0;
}

/* Time of the dense products the fused recursion does for order n (E rows): one dgemm per
 * hidden layer after the first over all E rows (E x 64 times 64 x 64), buffers in place, then
 * the output row (dgemv). */
static double baseline(slong E, int reps)
{
#ifdef FY_HAVE_CBLAS
    double t0, c0, best = 1e300, bestc = 1e300;
    int rep;
    for (rep = 0; rep < reps; rep++)
    {
        t0 = fy_wall_time();
        c0 = bench_cpu_time();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) E, 64, 64, 1.0, bX, 64, bW,
                    64, 0.0, bY, 64);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) E, 64, 64, 1.0, bY, 64, bW,
                    64, 0.0, bX, 64);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int) E, 64, 1.0, bX, 64, bW, 1, 0.0, bout, 1);
        t0 = fy_wall_time() - t0;
        c0 = bench_cpu_time() - c0;
        if (t0 < best)
            best = t0;
        if (c0 < bestc)
            bestc = c0;
    }
    last_cpu = bestc;
    return best;
#else
    (void) E;
    (void) reps;
    return NAN;
#endif
}

static double time_tensors(fy_symtensor_struct *T, const fy_mlp_t m, int n, int reps,
                           fy_error_t err)
{
    double best = 1e300, bestc = 1e300, t0, c0;
    int rep;
    for (rep = 0; rep < reps; rep++)
    {
        t0 = fy_wall_time();
        c0 = bench_cpu_time();
        if (fy_mlp_derivatives(T, m, 0, n, err) != FY_OK)
            return NAN;
        t0 = fy_wall_time() - t0;
        c0 = bench_cpu_time() - c0;
        if (t0 < best)
            best = t0;
        if (c0 < bestc)
            bestc = c0;
    }
    last_cpu = bestc;
    return best;
}

/* The same through a reusable workspace (no tables allocated per call after the first). */
static double time_tensors_work(fy_symtensor_struct *T, const fy_mlp_t m, int n, int reps,
                                fy_mlp_work_t ws, fy_error_t err)
{
    double best = 1e300, bestc = 1e300, t0, c0;
    int rep;
    for (rep = 0; rep < reps; rep++)
    {
        t0 = fy_wall_time();
        c0 = bench_cpu_time();
        if (fy_mlp_derivatives_work(T, m, 0, n, ws, err) != FY_OK)
            return NAN;
        t0 = fy_wall_time() - t0;
        c0 = bench_cpu_time() - c0;
        if (t0 < best)
            best = t0;
        if (c0 < bestc)
            bestc = c0;
    }
    last_cpu = bestc;
    return best;
}

/* The diagram factorisation (fy_mlp_tensor_diagrams) against the fused recursion, orders 2, 3
 * and 4, both from one workspace, interleaved rounds in this run: times are minima, ratios
 * (fused / diagrams) medians of the per-round ratios; max_abs_diff between the two tensors. */
static void diagram_rows(char *json, size_t len, const fy_mlp_t md, fy_error_t err)
{
    fy_mlp_work_t ws;
    fy_symtensor_struct Tf[5];
    fy_symtensor_t D;
    size_t pos = 0;
    int n, k, r;
    fy_mlp_work_init(ws);
    for (k = 0; k <= 4; k++)
        fy_symtensor_init_empty(Tf + k);
    fy_symtensor_init_empty(D);
    pos += (size_t) snprintf(json + pos, len - pos, "{");
    for (n = 2; n <= 4 && err->code == FY_OK; n++)
    {
        int rounds = n == 4 ? ROUNDS4 : ROUNDS, reps = n == 4 ? 1 : 3, rep;
        double tf = 0, td = 0, cf = 0, cd = 0, rat[ROUNDS], crat[ROUNDS], diff = 0;
        slong i;
        /* warm-up: the workspace grows to both routes' tables */
        time_tensors_work(Tf, md, n, 1, ws, err);
        fy_mlp_tensor_diagrams(D, md, 0, n, ws, err);
        for (r = 0; r < rounds && err->code == FY_OK; r++)
        {
            double t = time_tensors_work(Tf, md, n, reps, ws, err), c = last_cpu, t1, c1;
            double bt = 1e300, bc = 1e300;
            for (rep = 0; rep < reps; rep++)
            {
                t1 = fy_wall_time();
                c1 = bench_cpu_time();
                if (fy_mlp_tensor_diagrams(D, md, 0, n, ws, err) != FY_OK)
                    break;
                bt = fmin(bt, fy_wall_time() - t1);
                bc = fmin(bc, bench_cpu_time() - c1);
            }
            rat[r] = t / bt;
            crat[r] = c / bc;
            tf = r == 0 || t < tf ? t : tf;
            cf = r == 0 || c < cf ? c : cf;
            td = r == 0 || bt < td ? bt : td;
            cd = r == 0 || bc < cd ? bc : cd;
        }
        for (i = 0; err->code == FY_OK && i < D->e.len; i++)
            diff = fmax(diff, fabs(fy_numvec_d(&D->e)[i] - fy_numvec_d(&Tf[n].e)[i]));
        pos += (size_t) snprintf(json + pos, len - pos,
                                 "%s\n  \"order%d\": {\"entries\": %ld, \"diagrams_s\": %.5f, "
                                 "\"fused_s\": %.5f, \"ratio\": %.2f, \"cpu\": [%.5f, %.5f], "
                                 "\"cpu_ratio\": %.2f, \"max_abs_diff\": %.3g}",
                                 n > 2 ? "," : "", n, (long) D->e.len, td, tf,
                                 bench_median(rat, rounds), cd, cf, bench_median(crat, rounds), diff);
    }
    snprintf(json + pos, len - pos, "}");
    for (k = 0; k <= 4; k++)
        fy_symtensor_clear(Tf + k);
    fy_symtensor_clear(D);
    fy_mlp_work_clear(ws);
}

/* ------------------------------------------------------------------ the spine route rows
 * (issue 16): fy_mlp_tensor_spine against the fused recursion (fy_mlp_tensor) in the same
 * arithmetic on the same network, interleaved rounds; times are minima (wall and CPU), ratio
 * the median of fused / spine per round; double: the largest |difference| relative to the
 * largest entry; balls: the radius ratio spine / fused (median and largest over the entries);
 * exact: equality.  Networks: tanh d-W-W-W-1 (biases 0.1 N(0,1), or zero for exact rows). */
typedef struct
{
    fy_arith_t arith;
    slong prec;
    int d, W, n, rounds;
} spine_case_t;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* One row as JSON at json + *pos; FY_OK or the first error. */
static int spine_row(char *json, size_t len, size_t *pos, const spine_case_t *k,
                     const fy_rules_t rules, fy_error_t err)
{
    const int w[5] = {k->d, k->W, k->W, k->W, 1};
    fy_net_t net;
    fy_mlp_t m;
    fy_symtensor_t A, B;
    fy_symtensor_struct Tf[FY_MLP_MAX_TENSOR_ORDER + 1];
    fy_mlp_work_t ws;
    double ts = 1e300, tf = 1e300, cs = 1e300, cf = 1e300, rat[16], quality = 0, qmed = 0;
    const char *an = k->arith == FY_ARITH_DOUBLE ? "double"
                     : k->arith == FY_ARITH_BALL ? "ball" : "exact";
    int r, status;
    slong i;
    status = make_net_w(net, w, k->arith == FY_ARITH_EXACT, NULL, err);
    if (status != FY_OK)
        return status;
    fy_mlp_init(m);
    fy_symtensor_init_empty(A);
    fy_symtensor_init_empty(B);
    status = fy_mlp_set_net(m, net, rules, k->arith, k->prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, NULL, k->n, err);
    fy_mlp_work_init(ws);
    for (r = 0; r <= FY_MLP_MAX_TENSOR_ORDER; r++)
        fy_symtensor_init_empty(Tf + r);
    /* double: both routes from one workspace, after a warm-up call of each */
    if (status == FY_OK && k->arith == FY_ARITH_DOUBLE)
        status = fy_mlp_tensor_spine(A, m, 0, k->n, ws, err);
    if (status == FY_OK && k->arith == FY_ARITH_DOUBLE)
        status = fy_mlp_derivatives_work(Tf, m, 0, k->n, ws, err);
    for (r = 0; r < k->rounds && status == FY_OK; r++)
    {
        double t0 = fy_wall_time(), c0 = bench_cpu_time(), t1, c1;
        status = fy_mlp_tensor_spine(A, m, 0, k->n, k->arith == FY_ARITH_DOUBLE ? ws : NULL,
                                     err);
        t1 = fy_wall_time() - t0;
        c1 = bench_cpu_time() - c0;
        ts = fmin(ts, t1);
        cs = fmin(cs, c1);
        t0 = fy_wall_time();
        c0 = bench_cpu_time();
        if (status == FY_OK && k->arith == FY_ARITH_DOUBLE)
            status = fy_mlp_derivatives_work(Tf, m, 0, k->n, ws, err);
        else if (status == FY_OK)
            status = fy_mlp_tensor(B, m, 0, k->n, err);
        tf = fmin(tf, fy_wall_time() - t0);
        cf = fmin(cf, bench_cpu_time() - c0);
        rat[r] = (fy_wall_time() - t0) / t1;
    }
    if (status == FY_OK && k->arith == FY_ARITH_DOUBLE)
        fy_symtensor_swap(B, Tf + k->n);
    for (r = 0; r <= FY_MLP_MAX_TENSOR_ORDER; r++)
        fy_symtensor_clear(Tf + r);
    fy_mlp_work_clear(ws);
    if (status == FY_OK && k->arith == FY_ARITH_DOUBLE)
    {
        double mx = 0, df = 0;
        for (i = 0; i < A->e.len; i++)
        {
            mx = fmax(mx, fabs(fy_numvec_d(&B->e)[i]));
            df = fmax(df, fabs(fy_numvec_d(&A->e)[i] - fy_numvec_d(&B->e)[i]));
        }
        quality = mx > 0 ? df / mx : df;
    }
    else if (status == FY_OK && k->arith == FY_ARITH_BALL)
    {
        double *q = malloc(sizeof(double) * (size_t) (A->e.len + 1));
        slong nq = 0;
        for (i = 0; q != NULL && i < A->e.len; i++)
        {
            double r1 = mag_get_d(arb_radref(fy_numvec_arb(&A->e) + i)),
                   r2 = mag_get_d(arb_radref(fy_numvec_arb(&B->e) + i));
            if (r1 > 0 && r2 > 0)
                q[nq++] = r1 / r2;
            if (!arb_overlaps(fy_numvec_arb(&A->e) + i, fy_numvec_arb(&B->e) + i))
                quality = 1e300;
        }
        if (q != NULL && nq > 0)
        {
            qsort(q, (size_t) nq, sizeof(double), cmp_d);
            qmed = q[nq / 2];
            quality = fmax(quality, q[nq - 1]);
        }
        free(q);
    }
    else if (status == FY_OK)
        for (i = 0; i < A->e.len; i++)
            if (!fmpq_equal(fy_numvec_fmpq(&A->e) + i, fy_numvec_fmpq(&B->e) + i))
                quality = 1;
    if (status == FY_OK)
        *pos += (size_t) snprintf(
            json + *pos, len - *pos,
            "%s\n  {\"arith\": \"%s\", \"prec\": %ld, \"network\": \"tanh %d-%d-%d-%d-1\", "
            "\"order\": %d, \"entries\": %ld, \"spine_s\": %.5f, \"fused_s\": %.5f, "
            "\"ratio\": %.2f, \"cpu\": [%.5f, %.5f], \"%s\": %.3g%s%.3g}",
            *pos > 1 ? "," : "", an, (long) k->prec, k->d, k->W, k->W, k->W, k->n,
            (long) A->e.len, ts, tf, bench_median(rat, k->rounds), cs, cf,
            k->arith == FY_ARITH_DOUBLE ? "max_rel_diff"
            : k->arith == FY_ARITH_BALL ? "radius_ratio_max" : "differ",
            quality, k->arith == FY_ARITH_BALL ? ", \"radius_ratio_median\": " : ", \"_\": ",
            qmed);
    fy_symtensor_clear(A);
    fy_symtensor_clear(B);
    fy_mlp_clear(m);
    fy_net_clear(net);
    return status;
}

static void spine_rows(char *json, size_t len, const fy_rules_t rules, fy_error_t err)
{
    static const spine_case_t cases[] = {
        {FY_ARITH_DOUBLE, 53, 64, 64, 2, 5},  {FY_ARITH_DOUBLE, 53, 64, 64, 3, 3},
        {FY_ARITH_DOUBLE, 53, 64, 64, 4, 1},  {FY_ARITH_DOUBLE, 53, 16, 16, 5, 3},
        {FY_ARITH_DOUBLE, 53, 16, 16, 6, 3},  {FY_ARITH_DOUBLE, 53, 24, 24, 5, 1},
        {FY_ARITH_BALL, 128, 16, 16, 2, 3},   {FY_ARITH_BALL, 128, 16, 16, 3, 3},
        {FY_ARITH_BALL, 128, 16, 16, 4, 1},   {FY_ARITH_BALL, 128, 8, 8, 5, 1},
        {FY_ARITH_BALL, 128, 8, 8, 6, 1},     {FY_ARITH_EXACT, 0, 8, 8, 2, 3},
        {FY_ARITH_EXACT, 0, 8, 8, 3, 1},      {FY_ARITH_EXACT, 0, 6, 6, 4, 1},
        {FY_ARITH_EXACT, 0, 4, 4, 5, 1},
    };
    size_t pos = 0;
    int c;
    pos += (size_t) snprintf(json, len, "[");
    for (c = 0; c < (int) (sizeof cases / sizeof cases[0]) && err->code == FY_OK; c++)
    {
        spine_case_t k = cases[c];
        if (k.prec == 0)
            k.prec = 64;
        spine_row(json, len, &pos, &k, rules, err);
        fprintf(stderr, "bench_taylor: spine row %d of %d\n", c + 1,
                (int) (sizeof cases / sizeof cases[0]));
    }
    snprintf(json + pos, len - pos, "]");
}

/* Order 3 by the diagram factorisation (fy_mlp_tensor3_diagrams) through the workspace ws:
 * its best wall and CPU times and its largest difference to the fused tensor F3, as JSON. */
static void order3_diagrams_row(char *d3json, size_t n, const fy_mlp_t md, fy_mlp_work_t ws,
                                const fy_symtensor_struct *F3, fy_error_t err)
{
    slong i;
    int r;
    fy_symtensor_t D3;
    double dmin = 0, dcpu = 0, diff = 0;
    fy_symtensor_init_empty(D3);
    for (r = 0; r < ROUNDS; r++)
    {
        double t0 = fy_wall_time(), c0 = bench_cpu_time();
        if (fy_mlp_tensor3_diagrams(D3, md, 0, ws, err) != FY_OK)
            break;
        t0 = fy_wall_time() - t0;
        c0 = bench_cpu_time() - c0;
        dmin = r == 0 || t0 < dmin ? t0 : dmin;
        dcpu = r == 0 || c0 < dcpu ? c0 : dcpu;
    }
    for (i = 0; err->code == FY_OK && i < D3->e.len; i++)
        diff = fmax(diff, fabs(fy_numvec_d(&D3->e)[i] - fy_numvec_d(&F3->e)[i]));
    snprintf(d3json, n, "{\"wall_s\": %.5f, \"cpu_s\": %.5f, "
             "\"max_abs_diff_to_fused\": %.3g}", dmin, dcpu, diff);
    fy_symtensor_clear(D3);
}

/* Orders 2 and 3: the call as it is (tables allocated, zero pages touched per call) and
 * through a reusable workspace, interleaved with the dgemm baseline, into wsjson; then the
 * order-3 diagram row into d3json. */
static void workspace_rows(char *wsjson, size_t n, char *d3json, size_t n3, const fy_mlp_t md,
                           fy_symtensor_struct *Td, slong E3, fy_error_t err)
{
    int k, r;
    fy_mlp_work_t ws;
    fy_symtensor_struct Tw[4];
    const slong Eo[2] = {64 + 2080, E3};
    double pw[2] = {0, 0}, pc[2] = {0, 0}, ww[2] = {0, 0}, wc[2] = {0, 0}, bw[2] = {0, 0},
           bc[2] = {0, 0};
    int o;
    fy_mlp_work_init(ws);
    for (k = 0; k <= 3; k++)
        fy_symtensor_init_empty(Tw + k);
    for (o = 0; o < 2; o++)
    {
        time_tensors_work(Tw, md, o + 2, 1, ws, err);
        for (r = 0; r < ROUNDS; r++)
        {
            double t = time_tensors(Td, md, o + 2, 3, err), c = last_cpu;
            pw[o] = r == 0 || t < pw[o] ? t : pw[o];
            pc[o] = r == 0 || c < pc[o] ? c : pc[o];
            t = time_tensors_work(Tw, md, o + 2, 3, ws, err);
            c = last_cpu;
            ww[o] = r == 0 || t < ww[o] ? t : ww[o];
            wc[o] = r == 0 || c < wc[o] ? c : wc[o];
            t = baseline(Eo[o], 3);
            bw[o] = r == 0 || t < bw[o] ? t : bw[o];
            bc[o] = r == 0 || last_cpu < bc[o] ? last_cpu : bc[o];
        }
    }
    snprintf(wsjson, n, "{\"OMP_NUM_THREADS\": \"%s\", "
           "\"OPENBLAS_NUM_THREADS\": \"%s\",\n"
           " \"order2\": {\"per_call_tables_s\": %.5f, \"workspace_s\": %.5f, "
           "\"dgemm_baseline_s\": %.5f, \"cpu\": [%.5f, %.5f, %.5f]},\n"
           " \"order3\": {\"per_call_tables_s\": %.5f, \"workspace_s\": %.5f, "
           "\"dgemm_baseline_s\": %.5f, \"cpu\": [%.5f, %.5f, %.5f]},\n"
           " \"workspace_bytes\": %zu}",
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "",
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "", pw[0],
           ww[0], bw[0], pc[0], wc[0], bc[0], pw[1], ww[1], bw[1], pc[1], wc[1], bc[1],
           fy_mlp_work_bytes(ws));
    order3_diagrams_row(d3json, n3, md, ws, Tw + 3, err);
    for (k = 0; k <= 3; k++)
        fy_symtensor_clear(Tw + k);
    fy_mlp_work_clear(ws);
}

/* bench_taylor --spine (the spine route against the fused recursion in every arithmetic, issue
 * 16) or --diagrams (the diagram rows): that route's rows alone, a quick run, as one JSON
 * object. */
static void quick_run(int spine, char *json, size_t n, const fy_rules_t rules, const fy_mlp_t md,
                      fy_error_t err)
{
    if (spine)
        spine_rows(json, n, rules, err);
    else
        diagram_rows(json, n, md, err);
    printf("{\"bench\": \"taylor\", %s\"seed\": \"0x5eed2024\",\n \"OMP_NUM_THREADS\": "
           "\"%s\", \"OPENBLAS_NUM_THREADS\": \"%s\",\n \"%s\": %s,\n \"status\": \"%s\"}\n",
           spine ? "" : "\"network\": \"tanh 64-64-64-64-1\", ",
           getenv("OMP_NUM_THREADS") ? getenv("OMP_NUM_THREADS") : "",
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "",
           spine ? "spine_route" : "diagram_route", json, err->code == FY_OK ? "ok" : err->msg);
}

/* The largest relative radius of the order-3 balls Tb3 and their largest distance to the
 * double tensor Td3. */
static void ball_vs_double(double *maxrad, double *maxdiff, const fy_symtensor_struct *Td3,
                           const fy_symtensor_struct *Tb3)
{
    slong i;
    for (i = 0; i < Tb3->e.len; i++)
    {
        arb_srcptr x = fy_numvec_arb(&Tb3->e) + i;
        double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
        double rad = mag_get_d(arb_radref(x));
        if (mid != 0 && rad / fabs(mid) > *maxrad)
            *maxrad = rad / fabs(mid);
        if (fabs(fy_numvec_d(&Td3->e)[i] - mid) > *maxdiff)
            *maxdiff = fabs(fy_numvec_d(&Td3->e)[i] - mid);
    }
}

int main(int argc, char **argv)
{
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_mlp_t md, mb;
    fy_symtensor_struct Td[5], Tb[4];
    double t3 = 0, t4 = 0, b3 = 0, b4 = 0, tb3 = 0, maxrad = 0, maxdiff = 0, c3 = 0, c4 = 0,
           cb3 = 0, cb4 = 0, ctb3 = 0;
    double rd3[ROUNDS], cd3[ROUNDS], rb3[ROUNDS], crb3[ROUNDS], rbb[ROUNDS], crbb[ROUNDS];
    double r4[ROUNDS4], cr4[ROUNDS4];
    size_t mem4;
    static char wsjson[1024], d3json[256] = "null", dgjson[1024] = "null";
    static char spjson[8192] = "null";
    slong E3, E4;
    int k, r;

#ifdef HAVE_MALLOPT
    /* the same allocator state for both sides and every round: glibc raises its mmap
     * threshold after the first free of a large mapped block (up to 32 MB), after which
     * large tables come from the heap without page faults; fixing the threshold at its
     * default keeps the behaviour of a fresh process (a command run once) throughout */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
    fy_error_init(err);
    fy_rules_init(rules);
    if (fy_rules_load_default(rules, err) != FY_OK ||
        make_net(net, argc == 3 && !strcmp(argv[1], "--save") ? argv[2] : NULL, err) != FY_OK)
    {
        fprintf(stderr, "bench_taylor: %s\n", err->msg);
        return 1;
    }
    if (argc == 3 && !strcmp(argv[1], "--save"))
    {
        fy_net_clear(net);
        fy_rules_clear(rules);
        return 0;
    }
    fy_mlp_init(md);
    fy_mlp_init(mb);
    if (fy_mlp_set_net(md, net, rules, FY_ARITH_DOUBLE, 53, err) != FY_OK ||
        fy_mlp_set_point(md, NULL, 4, err) != FY_OK ||
        fy_mlp_set_net(mb, net, rules, FY_ARITH_BALL, 128, err) != FY_OK ||
        fy_mlp_set_point(mb, NULL, 3, err) != FY_OK)
    {
        fprintf(stderr, "bench_taylor: %s\n", err->msg);
        return 1;
    }
    if (argc == 2 && (!strcmp(argv[1], "--spine") || !strcmp(argv[1], "--diagrams")))
    {
        int spine = !strcmp(argv[1], "--spine");
        quick_run(spine, spine ? spjson : dgjson, spine ? sizeof spjson : sizeof dgjson, rules,
                  md, err);
        fy_mlp_clear(md);
        fy_mlp_clear(mb);
        fy_net_clear(net);
        fy_rules_clear(rules);
        return err->code == FY_OK ? 0 : 1;
    }
    for (k = 0; k <= 4; k++)
        fy_symtensor_init_empty(Td + k);
    for (k = 0; k <= 3; k++)
        fy_symtensor_init_empty(Tb + k);
    mem4 = fy_mlp_tensor_bytes(md, 64, 4);
    E3 = 64 + 2080 + 45760;
    E4 = E3 + 766480;
    baseline_alloc(E4);
    /* warm-up (thread pools) */
    time_tensors(Td, md, 3, 2, err);
    baseline(E3, 2);
    /* rounds that interleave each computation with its baseline, so that a slow spell of a
     * shared machine hits both; the ratios are medians over the rounds, the times minima */
    for (r = 0; r < ROUNDS; r++)
    {
        double t;
        t = time_tensors(Td, md, 3, 3, err);
        rd3[r] = t;
        cd3[r] = last_cpu;
        t = baseline(E3, 3);
        rb3[r] = rd3[r] / t;
        crb3[r] = cd3[r] / last_cpu;
        t3 = r == 0 || rd3[r] < t3 ? rd3[r] : t3;
        c3 = r == 0 || cd3[r] < c3 ? cd3[r] : c3;
        b3 = r == 0 || t < b3 ? t : b3;
        cb3 = r == 0 || last_cpu < cb3 ? last_cpu : cb3;
        t = time_tensors(Tb, mb, 3, 1, err);
        rbb[r] = t / rd3[r];
        crbb[r] = last_cpu / cd3[r];
        tb3 = r == 0 || t < tb3 ? t : tb3;
        ctb3 = r == 0 || last_cpu < ctb3 ? last_cpu : ctb3;
    }
    for (r = 0; r < ROUNDS4; r++)
    {
        double t = time_tensors(Td, md, 4, 1, err), c = last_cpu, tb = baseline(E4, 1);
        r4[r] = t / tb;
        cr4[r] = c / last_cpu;
        t4 = r == 0 || t < t4 ? t : t4;
        c4 = r == 0 || c < c4 ? c : c4;
        b4 = r == 0 || tb < b4 ? tb : b4;
        cb4 = r == 0 || last_cpu < cb4 ? last_cpu : cb4;
    }
    workspace_rows(wsjson, sizeof wsjson, d3json, sizeof d3json, md, Td, E3, err);
    /* orders 2, 3, 4: the diagram factorisation against the fused recursion */
    diagram_rows(dgjson, sizeof dgjson, md, err);
    /* every order and arithmetic: the spine route against the fused recursion */
    if (err->code == FY_OK)
        spine_rows(spjson, sizeof spjson, rules, err);
    /* compare order 3 (double, recomputed) with the balls */
    time_tensors(Td, md, 3, 1, err);
    ball_vs_double(&maxrad, &maxdiff, Td + 3, Tb + 3);
    printf("{\"bench\": \"taylor\", \"network\": \"tanh 64-64-64-64-1\", \"seed\": \"0x5eed2024\",\n"
           " \"workspace\": %s,\n"
           " \"order3_diagrams\": %s,\n"
           " \"diagram_route\": %s,\n"
           " \"spine_route\": %s,\n"
           " \"order3\": {\"entries\": %ld, \"double_s\": %.4f, \"cblas_baseline_s\": %.4f, "
           "\"ratio\": %.2f},\n"
           " \"order4\": {\"entries\": %ld, \"double_s\": %.4f, \"cblas_baseline_s\": %.4f, "
           "\"ratio\": %.2f, \"memory_estimate_bytes\": %zu},\n"
           " \"ball128_order3\": {\"ball_s\": %.4f, \"ratio_to_double\": %.1f, "
           "\"max_rel_radius\": %.3g, \"max_abs_diff_to_double\": %.3g},\n"
           " \"cpu\": {\"order3_s\": %.4f, \"order3_cblas_s\": %.4f, \"order4_s\": %.4f, "
           "\"order4_cblas_s\": %.4f, \"order4_ratio\": %.2f, \"ball128_order3_s\": %.4f, "
           "\"ball_ratio\": %.1f, \"order3_ratio\": %.2f},\n"
           " \"rounds\": %d, \"cblas\": %s, \"status\": \"%s\"}\n",
           wsjson, d3json, dgjson, spjson, (long) Td[3].e.len, t3, b3, bench_median(rb3, ROUNDS),
           (long) 766480, t4, b4,
           bench_median(r4, ROUNDS4), mem4, tb3, bench_median(rbb, ROUNDS), maxrad, maxdiff, c3, cb3, c4, cb4,
           bench_median(cr4, ROUNDS4), ctb3, bench_median(crbb, ROUNDS), bench_median(crb3, ROUNDS), ROUNDS,
#ifdef FY_HAVE_CBLAS
           "true",
#else
           "false",
#endif
           err->code == FY_OK ? "ok" : err->msg);
    for (k = 0; k <= 4; k++)
        fy_symtensor_clear(Td + k);
    for (k = 0; k <= 3; k++)
        fy_symtensor_clear(Tb + k);
    free(bX);
    free(bY);
    free(bW);
    free(bout);
    fy_mlp_clear(md);
    fy_mlp_clear(mb);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return 0;
}
