/* Benchmark of the INN action (inn module).
 *
 * The networks of issue 11:
 *   big:   d = 64 (an 8 x 8 lattice), layers affine, coupling, affine, coupling, affine,
 *          coupling, affine (4 affine, 3 quadratic couplings whose splits alternate between the
 *          halves 0..31 and 32..63), W = 1 + (k/2048 off the diagonal), biases k/64, G entries
 *          k/512 (dyadic, so the same network is exact in every arithmetic); the order-4
 *          action in double (target: at most 1 s).
 *   small: d = 8, affine, coupling, affine, coupling, affine (halves 0..3 / 4..7); the exact
 *          action at all orders (degree 2^3 = 8).
 * After a warm-up, rounds interleave the two computations, so that a slow spell of a shared
 * machine hits both; times are minima and medians over the rounds (wall clock, and the CPU
 * time of the process).  With --torch the same big network is written to a temporary
 * safetensors file and bench/bench_inn_torch.py computes the derivatives of ln p at 0 by
 * nested torch.autograd.functional.jacobian (the way a user would do it today) in the same
 * run; its time, the ratio and a comparison of a few coefficients are reported (skipped with
 * the script's reason when PyTorch is not installed).
 *
 *   bench_inn [--torch] [--save FILE] [--save-small FILE]
 *
 * --save FILE writes the big network as safetensors (fy_inn_save_safetensors) and exits, so
 * that the PyTorch script (or `feynn inn action`) can be run by hand on the same weights;
 * --save-small FILE does the same for the d = 8 network.  Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "feynn/inn.h"
#include "feynn/io.h"
#include "feynn/rng.h"
#include "feynn/util.h"

#include "bench_stats.h"

#define ROUNDS 3
#define SEED 11u

#ifndef FY_SRCDIR
#define FY_SRCDIR "."
#endif

static double minimum(const double *v, int n)
{
    double m = v[0];
    int i;
    for (i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* An integer in -k..k from the generator (stream s, index i). */
static long rint_k(const fy_rng_t r, uint64_t s, uint64_t i, long k)
{
    long v = (long) floor(fy_rng_uniform(r, s, i) * (double) (2 * k + 1)) - k;
    return v > k ? k : v;
}

/* The benchmark network of dimension d with `ncoup` couplings between ncoup + 1 affine layers
 * (the splits alternate between the halves). */
static int make_net(fy_inn_t net, int d, int ncoup, fy_error_t err)
{
    fy_rng_t r;
    fmpq *W = _fmpq_vec_init((slong) d * d), *b = _fmpq_vec_init(d), *G;
    int *A = malloc(sizeof(int) * (size_t) d), *B = malloc(sizeof(int) * (size_t) d);
    int h = d / 2, l, i, j, k, status = fy_inn_set_dim(net, d, err);
    uint64_t stream = 0;
    char name[32];
    G = _fmpq_vec_init((slong) (d - h) * h * h + 1);
    fy_rng_init(r, SEED, FY_RNG_PURPOSE_TEST);
    for (l = 0; l <= ncoup && status == FY_OK; l++)
    {
        stream++;
        for (i = 0; i < d; i++)
        {
            /* off-diagonal row sums below 1/4: diagonally dominant, well conditioned */
            for (j = 0; j < d; j++)
                if (i == j)
                    fmpq_one(W + (slong) i * d + j);
                else
                    fmpq_set_si(W + (slong) i * d + j,
                                rint_k(r, stream, (uint64_t) (i * d + j), 8), 2048);
            fmpq_set_si(b + i, rint_k(r, stream, (uint64_t) (d * d + i), 4), 64);
        }
        snprintf(name, sizeof name, "affine%d", l);
        status = fy_inn_push_affine(net, name, W, b, err);
        if (status != FY_OK || l == ncoup)
            break;
        /* coupling l: A the first half for even l, the second for odd l */
        for (i = 0; i < h; i++)
        {
            A[i] = l % 2 == 0 ? i : h + i;
            B[i] = l % 2 == 0 ? h + i : i;
        }
        stream++;
        for (k = 0; k < d - h; k++)
            for (i = 0; i < h; i++)
                for (j = i; j < h; j++)
                {
                    long v = rint_k(r, stream, (uint64_t) ((k * h + i) * h + j), 8);
                    fmpq_set_si(G + ((slong) k * h + i) * h + j, v, 512);
                    fmpq_set_si(G + ((slong) k * h + j) * h + i, v, 512);
                }
        snprintf(name, sizeof name, "coupling%d", l);
        status = fy_inn_push_coupling(net, name, A, h, B, d - h, G, err);
    }
    _fmpq_vec_clear(W, (slong) d * d);
    _fmpq_vec_clear(b, d);
    _fmpq_vec_clear(G, (slong) (d - h) * h * h + 1);
    free(A);
    free(B);
    return status;
}

/* One action: wall time, CPU time in *cpu. */
static double time_action(fy_inn_result_t R, const fy_inn_t net, fy_arith_t arith, int order,
                          double *cpu, fy_error_t err)
{
    fy_inn_opts_t o;
    double t0 = fy_wall_time(), c0 = bench_cpu_time();
    fy_inn_opts_init(o);
    o->arith = arith;
    o->order = order;
    fy_inn_result_clear(R);
    fy_inn_result_init(R);
    if (fy_inn_action(R, net, o, err) != FY_OK)
    {
        fprintf(stderr, "bench_inn: %s\n", err->msg);
        exit(1);
    }
    *cpu = bench_cpu_time() - c0;
    return fy_wall_time() - t0;
}

/* The entry of A^(k) at idx of a double action. */
static double entry_d(const fy_inn_result_t R, const int *idx, int k)
{
    double *p = fy_symtensor_entry_d(R->S->A + k, idx);
    return p ? *p : NAN;
}

/* The PyTorch reference on the same weights: the script's JSON object, or NULL with why. */
static json_t *run_torch(const fy_inn_t net, char *why, size_t whylen)
{
    char path[] = "/tmp/bench_inn_XXXXXX", cmd[4096], *out = NULL;
    size_t len = 0, cap = 0;
    int fd = mkstemp(path), c;
    FILE *p;
    json_t *j;
    json_error_t jerr;
    fy_error_t err;
    fy_error_init(err);
    if (fd < 0)
    {
        snprintf(why, whylen, "no temporary file");
        return NULL;
    }
    close(fd);
    if (fy_inn_save_safetensors(path, net, err) != FY_OK)
    {
        snprintf(why, whylen, "saving the network: %.400s", err->msg);
        unlink(path);
        return NULL;
    }
    /* FEYNN_PYTHON: the interpreter that has torch (Debian's python3-torch is /usr/bin/python3) */
    snprintf(cmd, sizeof cmd, "%s '%s/bench/bench_inn_torch.py' '%s' 4",
             getenv("FEYNN_PYTHON") ? getenv("FEYNN_PYTHON") : "python3", FY_SRCDIR, path);
    p = popen(cmd, "r");
    while (p != NULL && (c = fgetc(p)) != EOF)
    {
        if (len + 2 > cap)
        {
            char *t = realloc(out, cap = 2 * cap + 4096);
            if (t == NULL)
                break;
            out = t;
        }
        out[len++] = (char) c;
    }
    if (out)
        out[len] = '\0';
    if (p != NULL)
        pclose(p);
    unlink(path);
    j = out ? json_loads(out, 0, &jerr) : NULL;
    if (j == NULL)
        snprintf(why, whylen, "python3 %s/bench/bench_inn_torch.py gave no JSON", FY_SRCDIR);
    free(out);
    return j;
}

int main(int argc, char **argv)
{
    fy_error_t err;
    fy_inn_t big, small;
    fy_inn_result_t R4, Rx;
    double t4[ROUNDS], c4[ROUNDS], t3[ROUNDS], c3[ROUNDS], tx[ROUNDS], cx[ROUNDS], cpu;
    int r, torch = 0, i;
    const char *save = NULL, *save_small = NULL;
    json_t *root, *o, *tj = NULL;
    char why[512] = "";
    static const int i00[2] = {0, 0}, i0000[4] = {0, 0, 0, 0}, i0123[4] = {0, 1, 32, 33};

    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--torch"))
            torch = 1;
        else if (!strcmp(argv[i], "--save") && i + 1 < argc)
            save = argv[++i];
        else if (!strcmp(argv[i], "--save-small") && i + 1 < argc)
            save_small = argv[++i];
        else
        {
            fprintf(stderr, "usage: bench_inn [--torch] [--save FILE] [--save-small FILE]\n");
            return 2;
        }
    fy_error_init(err);
    fy_inn_init(big);
    fy_inn_init(small);
    if (make_net(big, 64, 3, err) != FY_OK || make_net(small, 8, 2, err) != FY_OK)
    {
        fprintf(stderr, "bench_inn: %s\n", err->msg);
        return 1;
    }
    if (save != NULL || save_small != NULL)
    {
        int st = save ? fy_inn_save_safetensors(save, big, err) : FY_OK;
        if (st == FY_OK && save_small)
            st = fy_inn_save_safetensors(save_small, small, err);
        if (st != FY_OK)
            fprintf(stderr, "bench_inn: %s\n", err->msg);
        fy_inn_clear(big);
        fy_inn_clear(small);
        return st == FY_OK ? 0 : 1;
    }
    fy_inn_result_init(R4);
    fy_inn_result_init(Rx);
    /* warm-up */
    time_action(R4, big, FY_ARITH_DOUBLE, 2, &cpu, err);
    time_action(Rx, small, FY_ARITH_EXACT, 4, &cpu, err);
    for (r = 0; r < ROUNDS; r++)
    {
        t3[r] = time_action(R4, big, FY_ARITH_DOUBLE, 3, c3 + r, err);
        t4[r] = time_action(R4, big, FY_ARITH_DOUBLE, 4, c4 + r, err);
        tx[r] = time_action(Rx, small, FY_ARITH_EXACT, FY_INN_ALL_ORDERS, cx + r, err);
    }
    if (torch)
        tj = run_torch(big, why, sizeof why);

    root = json_object();
    json_object_set_new(root, "bench", json_string("inn"));
    o = json_object();
    json_object_set_new(o, "network", json_string("d = 64: 4 affine + 3 quadratic couplings "
                                                  "(alternating halves), dyadic weights"));
    json_object_set_new(o, "parameters", json_integer((json_int_t) fy_inn_num_params(big)));
    json_object_set_new(o, "order", json_integer(4));
    json_object_set_new(o, "arith", json_string("double"));
    json_object_set_new(o, "seconds_min", json_real(minimum(t4, ROUNDS)));
    json_object_set_new(o, "cpu_seconds_min", json_real(minimum(c4, ROUNDS)));
    json_object_set_new(o, "seconds_median", json_real(bench_median(t4, ROUNDS)));
    json_object_set_new(o, "target_seconds", json_real(1.0));
    json_object_set_new(o, "meets_target", json_boolean(minimum(t4, ROUNDS) <= 1.0));
    json_object_set_new(o, "A2_00", json_real(entry_d(R4, i00, 2)));
    json_object_set_new(o, "A4_0000", json_real(entry_d(R4, i0000, 4)));
    json_object_set_new(o, "A4_0_1_32_33", json_real(entry_d(R4, i0123, 4)));
    json_object_set_new(root, "order4_d64_double", o);
    o = json_object();
    json_object_set_new(o, "seconds_min", json_real(minimum(t3, ROUNDS)));
    json_object_set_new(o, "cpu_seconds_min", json_real(minimum(c3, ROUNDS)));
    json_object_set_new(o, "seconds_median", json_real(bench_median(t3, ROUNDS)));
    json_object_set_new(root, "order3_d64_double", o);
    o = json_object();
    json_object_set_new(o, "network", json_string("d = 8: 3 affine + 2 quadratic couplings"));
    json_object_set_new(o, "degree", json_integer(fy_inn_action_degree(small)));
    json_object_set_new(o, "arith", json_string("exact"));
    json_object_set_new(o, "seconds_min", json_real(minimum(tx, ROUNDS)));
    json_object_set_new(o, "cpu_seconds_min", json_real(minimum(cx, ROUNDS)));
    json_object_set_new(o, "seconds_median", json_real(bench_median(tx, ROUNDS)));
    json_object_set_new(root, "all_orders_d8_exact", o);
    json_object_set_new(root, "rounds", json_integer(ROUNDS));
    if (!torch)
        json_object_set_new(root, "torch", json_string("not run (bench_inn --torch)"));
    else if (tj == NULL)
        json_object_set_new(root, "torch", json_string(why));
    else
    {
        json_t *s = json_object_get(tj, "seconds"), *po = json_object_get(tj, "seconds_per_order");
        if (json_is_number(s) && json_number_value(s) > 0)
        {
            double ts = json_number_value(s);
            json_object_set_new(tj, "ratio_torch_over_feynn", json_real(ts / minimum(t4, ROUNDS)));
        }
        /* torch's order 3 (nested jacobians recompute the lower orders, as feynn's order 3
         * computes orders 0..3) against feynn's order-3 action */
        if (json_is_array(po) && json_array_size(po) >= 3
            && json_is_number(json_array_get(po, 2)))
            json_object_set_new(tj, "ratio_torch_over_feynn_order3",
                                json_real(json_number_value(json_array_get(po, 2)) /
                                          minimum(t3, ROUNDS)));
        /* the same coefficients from both routes */
        {
            json_t *a = json_object_get(tj, "A4_0000");
            if (json_is_number(a))
                json_object_set_new(tj, "A4_0000_rel_diff",
                                    json_real(fabs(json_number_value(a) - entry_d(R4, i0000, 4)) /
                                              fmax(fabs(entry_d(R4, i0000, 4)), 1e-300)));
        }
        json_object_set(root, "torch", tj);
        json_decref(tj);
    }
    {
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(6));
        if (s != NULL)
            puts(s);
        free(s);
    }
    json_decref(root);
    fy_inn_result_clear(R4);
    fy_inn_result_clear(Rx);
    fy_inn_clear(big);
    fy_inn_clear(small);
    return 0;
}
