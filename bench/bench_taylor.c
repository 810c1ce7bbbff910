/* Benchmark of the MLP Taylor tensors (fused recursion, mlp module).
 *
 * The reference network of the issue: tanh MLP 64-64-64-64-1, weights N(0, 1/fan_in), biases
 * 0.1 N(0, 1), fixed seed, expansion at 0.  Times the full order-3 and order-4 derivative
 * tensors in double next to the equivalent dense products done by CBLAS in the same run (the
 * per-layer products (entries x 64) x (64 x 64) and the final row), the order-3 tensor in ball
 * arithmetic at 128 bits (time ratio, largest relative radius), and the memory estimate.
 * Wall-clock figures (best of a few runs) and, under "cpu", the CPU time of the process
 * (CLOCK_PROCESS_CPUTIME_ID, all threads), which a loaded shared machine disturbs less.
 * Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#ifdef FY_HAVE_CBLAS
#include <cblas.h>
#endif

static uint64_t rng = 0x5eed2024u;

static double urand(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double) (z >> 11) + 0.5) / 9007199254740992.0;
}

/* CPU time of the process (all threads), immune to the load of a shared machine. */
static double cpu_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* best CPU time of the last timed call (time_tensors, baseline) */
static double last_cpu;

static double gauss(void)
{
    return sqrt(-2.0 * log(urand())) * cos(6.283185307179586 * urand());
}

static int make_net(fy_net_t net, fy_error_t err)
{
    static const int w[5] = {64, 64, 64, 64, 1};
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
            W[i] = gauss() / sqrt((double) w[l - 1]);
        for (i = 0; i < shape[0]; i++)
            b[i] = 0.1 * gauss();
        snprintf(name, sizeof name, "%d.weight", 2 * (l - 1));
        status = fy_safetensors_add(st, name, FY_DTYPE_F64, 2, shape, W, err);
        snprintf(name, sizeof name, "%d.bias", 2 * (l - 1));
        if (status == FY_OK)
            status = fy_safetensors_add(st, name, FY_DTYPE_F64, 1, shape, b, err);
        free(W);
        free(b);
    }
    fy_net_opts_init(o);
    o->activation = "tanh";
    fy_net_init(net);
    if (status == FY_OK)
        status = fy_net_from_tensors(net, st, "reference", o, err);
    fy_safetensors_clear(st);
    return status;
}

/* Time of the dense products the fused recursion does for order n (E rows). */
static double baseline(slong E, int reps)
{
#ifdef FY_HAVE_CBLAS
    double *X = malloc(sizeof(double) * (size_t) E * 64), *T = malloc(sizeof(double) * 2048 * 64);
    double *W = malloc(sizeof(double) * 64 * 64), *out = malloc(sizeof(double) * (size_t) E);
    double t0, c0, best = 1e300, bestc = 1e300;
    slong i, r0;
    int rep, l;
    for (i = 0; i < E * 64; i++)
        X[i] = urand();
    for (i = 0; i < 64 * 64; i++)
        W[i] = urand();
    for (rep = 0; rep < reps; rep++)
    {
        t0 = fy_wall_time();
        c0 = cpu_time();
        for (l = 0; l < 2; l++) /* layers 2 and 3: full products */
            for (r0 = 0; r0 < E; r0 += 2048)
            {
                int nr = (int) (E - r0 < 2048 ? E - r0 : 2048);
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nr, 64, 64, 1.0,
                            X + r0 * 64, 64, W, 64, 0.0, T, 64);
                memcpy(X + r0 * 64, T, sizeof(double) * (size_t) nr * 64);
            }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int) E, 64, 1.0, X, 64, W, 1, 0.0, out, 1);
        t0 = fy_wall_time() - t0;
        c0 = cpu_time() - c0;
        if (t0 < best)
            best = t0;
        if (c0 < bestc)
            bestc = c0;
    }
    free(X);
    free(T);
    free(W);
    free(out);
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
        c0 = cpu_time();
        if (fy_mlp_derivatives(T, m, 0, n, err) != FY_OK)
            return NAN;
        t0 = fy_wall_time() - t0;
        c0 = cpu_time() - c0;
        if (t0 < best)
            best = t0;
        if (c0 < bestc)
            bestc = c0;
    }
    last_cpu = bestc;
    return best;
}

int main(void)
{
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_mlp_t md, mb;
    fy_symtensor_struct Td[5], Tb[4];
    double t3, t4, b3, b4, tb3, maxrad = 0, maxdiff = 0, c3, c4, cb3, cb4, ctb3;
    size_t mem4;
    slong i, E3, E4;
    int k;

    fy_error_init(err);
    fy_rules_init(rules);
    if (fy_rules_load_default(rules, err) != FY_OK || make_net(net, err) != FY_OK)
    {
        fprintf(stderr, "bench_taylor: %s\n", err->msg);
        return 1;
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
    for (k = 0; k <= 4; k++)
        fy_symtensor_init(Td + k, FY_ARITH_DOUBLE, 1, 0, 53, NULL);
    for (k = 0; k <= 3; k++)
        fy_symtensor_init(Tb + k, FY_ARITH_BALL, 1, 0, 128, NULL);
    mem4 = fy_mlp_tensor_bytes(md, 64, 4);
    t3 = time_tensors(Td, md, 3, 3, err);
    c3 = last_cpu;
    E3 = 64 + 2080 + 45760;
    E4 = E3 + 766480;
    b3 = baseline(E3, 3);
    cb3 = last_cpu;
    t4 = time_tensors(Td, md, 4, 2, err);
    c4 = last_cpu;
    b4 = baseline(E4, 2);
    cb4 = last_cpu;
    tb3 = time_tensors(Tb, mb, 3, 1, err);
    ctb3 = last_cpu;
    /* compare order 3 (double, recomputed) with the balls */
    time_tensors(Td, md, 3, 1, err);
    for (i = 0; i < Tb[3].e.len; i++)
    {
        arb_srcptr x = fy_numvec_arb(&Tb[3].e) + i;
        double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
        double rad = mag_get_d(arb_radref(x));
        if (mid != 0 && rad / fabs(mid) > maxrad)
            maxrad = rad / fabs(mid);
        if (fabs(fy_numvec_d(&Td[3].e)[i] - mid) > maxdiff)
            maxdiff = fabs(fy_numvec_d(&Td[3].e)[i] - mid);
    }
    printf("{\"bench\": \"taylor\", \"network\": \"tanh 64-64-64-64-1\", \"seed\": \"0x5eed2024\",\n"
           " \"order3\": {\"entries\": %ld, \"double_s\": %.4f, \"cblas_baseline_s\": %.4f, "
           "\"ratio\": %.2f},\n"
           " \"order4\": {\"entries\": %ld, \"double_s\": %.4f, \"cblas_baseline_s\": %.4f, "
           "\"ratio\": %.2f, \"memory_estimate_bytes\": %zu},\n"
           " \"ball128_order3\": {\"ball_s\": %.4f, \"ratio_to_double\": %.1f, "
           "\"max_rel_radius\": %.3g, \"max_abs_diff_to_double\": %.3g},\n"
           " \"cpu\": {\"order3_s\": %.4f, \"order3_cblas_s\": %.4f, \"order4_s\": %.4f, "
           "\"order4_cblas_s\": %.4f, \"order4_ratio\": %.2f, \"ball128_order3_s\": %.4f, "
           "\"ball_ratio\": %.1f},\n"
           " \"cblas\": %s, \"status\": \"%s\"}\n",
           (long) Td[3].e.len, t3, b3, t3 / b3, (long) 766480, t4, b4, t4 / b4, mem4, tb3,
           tb3 / t3, maxrad, maxdiff, c3, cb3, c4, cb4, c4 / cb4, ctb3, ctb3 / c3,
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
    fy_mlp_clear(md);
    fy_mlp_clear(mb);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return 0;
}
