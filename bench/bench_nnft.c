/* Benchmark of the nnft Monte Carlo sampler (fy_nnft_sample) against its arithmetic floor and
 * a vectorised NumPy implementation of the same ensemble and accumulation (issue 13).
 *
 * The ensemble: Erf networks of width N (2, 3, 5, 10, 20, 100, 1000), d = 1, sigma_W =
 * sigma_b = sigma_a = 1, the six inputs "hms-d1"; every network's outputs accumulated into
 * the products of all sorted 2-, 4- and 6-tuples (21 + 126 + 462) and their squares.
 * For each width:
 *   - feynn: fy_nnft_sample on 1 thread (networks per CPU second and per wall second) and on
 *     2 threads (per wall second);
 *   - floor: a loop that only draws the parameters (the same generator, fy_rng_normals, as
 *     fast as the public API allows) and evaluates the network at the six inputs (the
 *     sampler's erf, fy_nnft_erf_batch, on many networks' neurons at once, and the weighted
 *     sum), with no tuple products: what any sampler of this ensemble must pay;
 *   - numpy: bench/bench_nnft_numpy.py (float64, vectorised, the same accumulation), run in
 *     the same bench run on one core (OPENBLAS_NUM_THREADS=1), networks per CPU second, with
 *     glibc's malloc told to keep its memory (GLIBC_TUNABLES mmap_threshold 32 MB,
 *     trim_threshold 4 GB): by default every chunk's temporaries were mapped afresh and their
 *     page faults, dear on this virtual machine, took a third of NumPy's time and made its
 *     figure wander by a factor of three between runs; kept, NumPy runs 1.5 to 3 times faster
 *     and steadily (its best: the comparison does not profit from the machine's faults).
 * Ratios: feynn / numpy (target >= 10) and floor / feynn (target <= 3), both per CPU second
 * on one thread, so that a loaded machine hurts both sides alike.  Each measurement runs for
 * about --seconds S of CPU time (default 0.5) after a pilot, --repeats R times (default 3),
 * and the median is reported (every repeat beside it): single runs of the NumPy side moved by
 * a third between bench runs, and the host's speed drifts by a quarter within minutes.  So
 * each repeat is a pair, NumPy (its own process: a warm-up run, then a timed one) and just
 * after it feynn and the floor, and feynn / numpy is the median of the pairs' ratios.
 * Where the time goes (issue 13: is 10x NumPy within reach?): floor_over_numpy, the same
 * median for the floor, is the most any sampler built on feynn's generator and erf could
 * reach; floor_draws_fraction, the part of the floor spent drawing the parameters (a run of
 * the floor that only draws); numpy_draws_fraction and numpy_activation_fraction, the parts
 * of NumPy's time spent drawing (with the pre-activations) and in erf.
 *
 *   bench_nnft [--seconds S] [--repeats R] [--widths 2,3,...] [--numpy-erf auto|scipy|nr]
 *              [--no-numpy] [--demo]
 *
 * --numpy-erf: the erf of the NumPy side (bench_nnft_numpy.py --erf): auto (the default)
 * takes SciPy's where SciPy is installed, else a Numerical Recipes fit; "numpy" "erf" in the
 * output names the one used.
 *
 * --demo instead estimates the Monte Carlo time of `feynn demo nnft` at the paper's scale
 * (demo_estimate below).
 *
 * The interpreter for NumPy: $FEYNN_PYTHON, else the first of python3 and /usr/bin/python3
 * that imports numpy.  Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "feynn/nnft.h"
#include "feynn/rng.h"
#include "feynn/util.h"

#include "bench_stats.h"

#ifndef FY_SRCDIR
#define FY_SRCDIR "."
#endif

#define MAXW 16

static volatile double sink;

/* The floor: M networks drawn and evaluated at the points, nothing accumulated.  As the sampler
 * does, the draws come many networks side by side (fy_rng_normals_streams) and erf is applied
 * to the pre-activations of a group of networks at once (groups of up to 4096 neurons), so that
 * small widths do not pay a call per network and point; the draws of a batch are kept within
 * a first-level cache. */
static void floor_run(const double *x, int P, long N, uint64_t M, int draws_only)
{
    /* the draws of a batch within about 32 KB (a first-level cache), at most 64 networks */
    const long nz = 3 * N + 1, batch = 4096 / nz < 1 ? 1 : 4096 / nz > 64 ? 64 : 4096 / nz;
    const long grp = N >= 4096 ? 1 : 4096 / N < batch ? 4096 / N : batch;
    const double sa = 1.0 / sqrt((double) N);
    double *Z = malloc(sizeof(double) * (size_t) (batch * nz)), acc = 0;
    double *h = malloc(sizeof(double) * (size_t) (grp * N));
    fy_rng_t r;
    uint64_t k, l0, l;
    fy_rng_init(r, 1, FY_RNG_PURPOSE_NNFT_PARAMS);
    for (k = 0; k < M; k += (uint64_t) batch)
    {
        uint64_t nb = M - k < (uint64_t) batch ? M - k : (uint64_t) batch;
        fy_rng_normals_streams(Z, (uint64_t) nz, (uint64_t) nz, r, k, nb);
        if (draws_only)
        {
            acc += Z[nz - 1];
            continue;
        }
        for (l0 = 0; l0 < nb; l0 += (uint64_t) grp)
        {
            uint64_t ng = nb - l0 < (uint64_t) grp ? nb - l0 : (uint64_t) grp;
            int p;
            for (p = 0; p < P; p++)
            {
                long i;
                for (l = 0; l < ng; l++)
                {
                    const double *W = Z + (l0 + l) * (uint64_t) nz, *b0 = W + N;
                    double *hl = h + l * (uint64_t) N;
#ifdef _OPENMP
#pragma omp simd
#endif
                    for (i = 0; i < N; i++)
                        hl[i] = b0[i] + x[p] * W[i];
                }
                fy_nnft_erf_batch(h, h, (long) ng * N);
                for (l = 0; l < ng; l++)
                {
                    const double *W = Z + (l0 + l) * (uint64_t) nz, *a = W + 2 * N;
                    const double *hl = h + l * (uint64_t) N;
                    double f = 0;
                    /* the floor may sum in any order: vectorised whatever the cost model */
#ifdef _OPENMP
#pragma omp simd reduction(+ : f)
#endif
                    for (i = 0; i < N; i++)
                        f += a[i] * hl[i];
                    acc += W[3 * N] + sa * f;
                }
            }
        }
    }
    sink = acc;
    free(Z);
    free(h);
}

typedef struct
{
    double cpu, wall;
} tm_t;

static int sample_run(tm_t *t, fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, int threads,
                      fy_error_t err)
{
    double c0 = bench_cpu_time(), w0 = fy_wall_time();
    int rc = fy_nnft_sample(mc, s, M, 1, threads, err);
    t->cpu = bench_cpu_time() - c0;
    t->wall = fy_wall_time() - w0;
    return rc;
}

static void floor_timed(tm_t *t, const double *x, int P, long N, uint64_t M, int draws_only)
{
    double c0 = bench_cpu_time(), w0 = fy_wall_time();
    floor_run(x, P, N, M, draws_only);
    t->cpu = bench_cpu_time() - c0;
    t->wall = fy_wall_time() - w0;
}

/* M for about `seconds` of CPU time at width N: pilots of growing size, after an untimed run
 * on 2 threads (erf's table, OpenMP's team: one-time costs that would otherwise count in the
 * first pilot and make a short --seconds pick far too few networks). */
static uint64_t calibrate(const fy_nnft_spec_t s, double seconds, fy_error_t err)
{
    fy_nnft_mc_t mc;
    uint64_t M = 1000;
    tm_t t = {0, 0};
    fy_nnft_mc_init(mc);
    if (sample_run(&t, mc, s, M, 2, err) != FY_OK)
    {
        fy_nnft_mc_clear(mc);
        return M;
    }
    for (;;)
    {
        if (sample_run(&t, mc, s, M, 1, err) != FY_OK)
            break;
        if (t.cpu > 0.1 * seconds || M > (UINT64_C(1) << 30))
            break;
        M *= 4;
    }
    fy_nnft_mc_clear(mc);
    M = (uint64_t) ((double) M * seconds / (t.cpu > 1e-6 ? t.cpu : 1e-6));
    return M < 1000 ? 1000 : M;
}

/* --demo: the CPU seconds of the Monte Carlo of `feynn demo nnft` at the paper's scale (10^6
 * networks at each of its widths for relu, gauss and erf, the specs and input sets of
 * src/nnft/demo.c), estimated from one-thread runs of about `seconds` each: CPU seconds per
 * network times 10^6, summed.  On an idle 2-core machine the demo's two threads share the
 * blocks of each ensemble, so its Monte Carlo wall time is about half the CPU total.  The
 * activations one by one (mc_cpu_s, as the demo sampled them before) and the three on one
 * draw (mc_cpu_s_shared, fy_nnft_sample_shared, as the demo samples them now). */
/* The three activations on one draw at each width (fy_nnft_sample_shared, one thread): CPU
 * seconds per network into root's shared_cpu_s_per_network and mc_cpu_s_shared. */
static int demo_shared(json_t *root, const long *w, int nw, const fy_nnft_act_t *acts,
                       const char **inputs, double seconds, fy_error_t err)
{
    fy_nnft_spec_t s[3];
    const fy_nnft_spec_struct *sp[3];
    fy_nnft_mc_struct mcs[3];
    json_t *per = json_array();
    double total = 0;
    int a, i, rc = 0;
    for (a = 0; a < 3; a++)
    {
        fy_nnft_spec_init(s[a]);
        fy_nnft_mc_init(mcs + a);
        sp[a] = s[a];
        s[a]->act = acts[a];
        fmpq_one(s[a]->sigma_W);
        fmpq_one(s[a]->sigma_a);
        fmpq_set_si(s[a]->sigma_b, acts[a] == FY_NNFT_RELU ? 0 : 1, 1);
        fmpq_set_si(s[a]->kurtosis, 3, 1);
        if (fy_nnft_spec_set_inputs(s[a], inputs[a], err) != FY_OK)
            rc = 1;
    }
    for (i = 0; i < nw && rc == 0; i++)
    {
        uint64_t M;
        double c0;
        for (a = 0; a < 3; a++)
            s[a]->width = w[i];
        M = calibrate(s[2], seconds / 3, err);
        c0 = bench_cpu_time();
        if (fy_nnft_sample_shared(mcs, sp, 3, M, 1, 1, err) != FY_OK)
        {
            rc = 1;
            break;
        }
        c0 = bench_cpu_time() - c0;
        json_array_append_new(per, json_real(c0 / (double) M));
        total += 1e6 * c0 / (double) M;
        fprintf(stderr, "bench_nnft --demo: all three on one draw, N = %4ld  %.3g CPU s per 10^6 "
                "networks\n", w[i], 1e6 * c0 / (double) M);
    }
    json_object_set_new(root, "shared_cpu_s_per_network", per);
    json_object_set_new(root, "mc_cpu_s_shared", json_real(total));
    for (a = 0; a < 3; a++)
    {
        fy_nnft_mc_clear(mcs + a);
        fy_nnft_spec_clear(s[a]);
    }
    return rc;
}

static int demo_estimate(double seconds, fy_error_t err)
{
    static const long w[] = {2, 3, 4, 5, 10, 20, 50, 100, 500, 1000};
    static const fy_nnft_act_t acts[] = {FY_NNFT_RELU, FY_NNFT_GAUSS, FY_NNFT_ERF};
    static const char *inputs[] = {"hms-d1-relu", "hms-d1", "hms-d1-erf"};
    const int nw = (int) (sizeof w / sizeof *w);
    const double paper = 1e6;
    json_t *root = json_object(), *ja = json_object();
    double total = 0;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    int a, i;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    if (demo_shared(root, w, nw, acts, inputs, seconds, err) != 0)
        return 1;
    for (a = 0; a < 3; a++)
    {
        json_t *o = json_object(), *per = json_array();
        double act_s = 0;
        s->act = acts[a];
        fmpq_one(s->sigma_W);
        fmpq_one(s->sigma_a);
        fmpq_set_si(s->sigma_b, acts[a] == FY_NNFT_RELU ? 0 : 1, 1);
        fmpq_set_si(s->kurtosis, 3, 1);
        if (fy_nnft_spec_set_inputs(s, inputs[a], err) != FY_OK)
            return 1;
        for (i = 0; i < nw; i++)
        {
            uint64_t M;
            tm_t t;
            s->width = w[i];
            M = calibrate(s, seconds, err);
            if (sample_run(&t, mc, s, M, 1, err) != FY_OK)
                return 1;
            json_array_append_new(per, json_real(t.cpu / (double) M));
            act_s += paper * t.cpu / (double) M;
            fprintf(stderr, "bench_nnft --demo: %-5s N = %4ld  %.3g CPU s per 10^6 networks\n",
                    fy_nnft_act_name(acts[a]), w[i], paper * t.cpu / (double) M);
        }
        json_object_set_new(o, "inputs", json_string(inputs[a]));
        json_object_set_new(o, "cpu_s_per_network", per);
        json_object_set_new(o, "mc_cpu_s", json_real(act_s));
        json_object_set_new(ja, fy_nnft_act_name(acts[a]), o);
        total += act_s;
    }
    json_object_set_new(root, "bench", json_string("nnft --demo"));
    json_object_set_new(root, "networks_per_width", json_real(paper));
    json_object_set_new(root, "widths", json_string("2,3,4,5,10,20,50,100,500,1000"));
    json_object_set_new(root, "activations", ja);
    json_object_set_new(root, "mc_cpu_s", json_real(total));
    json_object_set_new(root, "mc_wall_s_2threads", json_real(total / 2));
    json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
    putchar('\n');
    json_decref(root);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
    return 0;
}

static const char *find_python(void)
{
    static const char *cand[] = {"python3", "/usr/bin/python3"};
    char cmd[512];
    size_t i;
    if (getenv("FEYNN_PYTHON"))
        return getenv("FEYNN_PYTHON");
    for (i = 0; i < sizeof cand / sizeof *cand; i++)
    {
        snprintf(cmd, sizeof cmd, "%s -c 'import numpy' >/dev/null 2>&1", cand[i]);
        if (system(cmd) == 0)
            return cand[i];
    }
    return "python3";
}

/* One timed NumPy run (after its warm-up) at the widths, in its own process. */
static json_t *run_numpy(const char *widths, double seconds, const char *erf, char *why,
                         size_t whylen)
{
    char cmd[2048], *out = NULL;
    size_t len = 0, cap = 0;
    int c;
    FILE *p;
    json_t *j;
    json_error_t jerr;
    const char *py = find_python();
    snprintf(cmd, sizeof cmd,
             "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 GLIBC_TUNABLES="
             "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 %s "
             "'%s/bench/bench_nnft_numpy.py' --widths %s --seconds %g --repeats 1 --erf %s",
             py, FY_SRCDIR, widths, seconds, erf);
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
    j = out ? json_loads(out, 0, &jerr) : NULL;
    if (j == NULL)
        snprintf(why, whylen, "%s %s/bench/bench_nnft_numpy.py gave no JSON", py, FY_SRCDIR);
    free(out);
    return j;
}

static json_t *json_reals(const double *v, int n)
{
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

int main(int argc, char **argv)
{
    long widths[MAXW] = {2, 3, 5, 10, 20, 100, 1000};
    int nw = 7, i, numpy = 1, all10 = 1, all3 = 1, demo = 0, repeats = 3, r, have_np = 0;
    double seconds = 0.5, x[6];
    char why[512] = "", npver[64] = "", nperf[64] = "";
    const char *erf = "auto";
    fy_error_t err;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    json_t *root, *rows;

    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeats") && i + 1 < argc)
            repeats = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--numpy-erf") && i + 1 < argc
                 && (!strcmp(argv[i + 1], "auto") || !strcmp(argv[i + 1], "scipy")
                     || !strcmp(argv[i + 1], "nr")))
            erf = argv[++i];
        else if (!strcmp(argv[i], "--no-numpy"))
            numpy = 0;
        else if (!strcmp(argv[i], "--demo"))
            demo = 1;
        else if (!strcmp(argv[i], "--widths") && i + 1 < argc)
        {
            char *e = argv[++i];
            for (nw = 0; nw < MAXW && *e;)
            {
                widths[nw++] = strtol(e, &e, 10);
                if (*e == ',')
                    e++;
                else
                    break;
            }
        }
        else
        {
            fprintf(stderr, "usage: bench_nnft [--seconds S] [--repeats R] [--widths 2,3,...] "
                            "[--numpy-erf auto|scipy|nr] [--no-numpy] [--demo]\n");
            return 2;
        }
    if (!(seconds > 0) || nw < 1 || repeats < 1 || repeats > 99)
    {
        fprintf(stderr, "bench_nnft: --seconds must be positive, --repeats 1 to 99 and "
                        "--widths non-empty\n");
        return 2;
    }
    fy_error_init(err);
    if (demo)
    {
        if (demo_estimate(seconds, err) == 0)
            return 0;
        fprintf(stderr, "bench_nnft: %s\n", err->msg);
        return 1;
    }
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    if (fy_nnft_spec_set_inputs(s, "hms-d1", err) != FY_OK)
    {
        fprintf(stderr, "bench_nnft: %s\n", err->msg);
        return 1;
    }
    for (i = 0; i < 6; i++)
        x[i] = fy_fmpq_get_d(s->points + i);
    root = json_object();
    json_object_set_new(root, "bench", json_string("nnft"));
    json_object_set_new(root, "ensemble", json_string("erf, d = 1, sigma_W = sigma_b = sigma_a "
                                                      "= 1, inputs hms-d1 (6 points), all "
                                                      "sorted 2-, 4-, 6-tuples (609)"));
    json_object_set_new(root, "units", json_string("networks per CPU second of one thread "
                                                   "(per wall second where named wall); "
                                                   "medians of the repeats"));
    json_object_set_new(root, "repeats", json_integer(repeats));
    rows = json_array();
    for (i = 0; i < nw; i++)
    {
        long N = widths[i];
        uint64_t M;
        tm_t t1, t2, tf, td;
        double r1[99], r1w[99], rf[99], rn[99], q[99], qf[99], fd[99], nd[99], na[99], r2w;
        double rnp = NAN, mq = NAN, m1, mf;
        int nn = 0;
        json_t *o = json_object();
        s->width = N;
        M = calibrate(s, seconds, err);
        /* repeat r: NumPy once (its own process, a warm-up run then a timed one), then feynn
         * and the floor; the ratio of each pair, so that the machine's drift between repeats
         * falls on both sides of it */
        for (r = 0; r < repeats; r++)
        {
            if (numpy)
            {
                char w[32];
                json_t *np, *rate;
                snprintf(w, sizeof w, "%ld", N);
                np = run_numpy(w, seconds, erf, why, sizeof why);
                rate = np ? json_array_get(json_object_get(np, "networks_per_s"), 0) : NULL;
                if (json_is_number(rate))
                {
                    nd[nn] = json_number_value(
                        json_array_get(json_object_get(np, "draws_fraction"), 0));
                    na[nn] = json_number_value(
                        json_array_get(json_object_get(np, "activation_fraction"), 0));
                    rn[nn++] = json_number_value(rate);
                    if (json_is_string(json_object_get(np, "numpy")))
                        snprintf(npver, sizeof npver, "%s",
                                 json_string_value(json_object_get(np, "numpy")));
                    if (json_is_string(json_object_get(np, "erf")))
                        snprintf(nperf, sizeof nperf, "%s",
                                 json_string_value(json_object_get(np, "erf")));
                    have_np = 1;
                }
                else if (np && json_is_string(json_object_get(np, "skipped")))
                    snprintf(why, sizeof why, "%s",
                             json_string_value(json_object_get(np, "skipped")));
                json_decref(np);
            }
            if (sample_run(&t1, mc, s, M, 1, err) != FY_OK)
            {
                fprintf(stderr, "bench_nnft: %s\n", err->msg);
                return 1;
            }
            floor_timed(&tf, x, 6, N, M, 0);
            floor_timed(&td, x, 6, N, M, 1);
            r1[r] = (double) M / t1.cpu;
            r1w[r] = (double) M / t1.wall;
            rf[r] = (double) M / tf.cpu;
            fd[r] = td.cpu / tf.cpu;
            if (nn == r + 1)
            {
                q[r] = r1[r] / rn[r];
                qf[r] = rf[r] / rn[r];
            }
        }
        if (sample_run(&t2, mc, s, M, 2, err) != FY_OK)
        {
            fprintf(stderr, "bench_nnft: %s\n", err->msg);
            return 1;
        }
        r2w = (double) M / t2.wall;
        json_object_set_new(o, "width", json_integer(N));
        json_object_set_new(o, "networks", json_integer((json_int_t) M));
        json_object_set_new(o, "feynn_1thread_runs", json_reals(r1, repeats));
        json_object_set_new(o, "floor_runs", json_reals(rf, repeats));
        if (nn == repeats)
        {
            json_object_set_new(o, "numpy_runs", json_reals(rn, repeats));
            json_object_set_new(o, "feynn_over_numpy_runs", json_reals(q, repeats));
        }
        m1 = bench_median(r1, repeats);
        mf = bench_median(rf, repeats);
        json_object_set_new(o, "feynn_1thread", json_real(m1));
        json_object_set_new(o, "feynn_1thread_wall", json_real(bench_median(r1w, repeats)));
        json_object_set_new(o, "feynn_2threads_wall", json_real(r2w));
        json_object_set_new(o, "floor", json_real(mf));
        json_object_set_new(o, "floor_over_feynn", json_real(mf / m1));
        json_object_set_new(o, "floor_draws_fraction", json_real(bench_median(fd, repeats)));
        if (nn == repeats)
        {
            rnp = bench_median(rn, repeats);
            json_object_set_new(o, "numpy", json_real(rnp));
            /* the median of the pairs' ratios */
            mq = bench_median(q, repeats);
            json_object_set_new(o, "feynn_over_numpy", json_real(mq));
            json_object_set_new(o, "floor_over_numpy", json_real(bench_median(qf, repeats)));
            json_object_set_new(o, "numpy_draws_fraction", json_real(bench_median(nd, repeats)));
            json_object_set_new(o, "numpy_activation_fraction",
                                json_real(bench_median(na, repeats)));
            all10 &= mq >= 10;
        }
        all3 &= mf / m1 <= 3;
        json_object_set_new(o, "G4_0000", json_real(mc->mean[1][0]));
        json_array_append_new(rows, o);
        fprintf(stderr, "bench_nnft: N = %4ld  feynn %.3g/s (2 threads %.3g/s wall)  floor %.3g/s"
                "  numpy %.3g/s  feynn/numpy %.1f (median of the pairs)\n", N, m1, r2w, mf, rnp,
                mq);
    }
    json_object_set_new(root, "widths", rows);
    json_object_set_new(root, "target_numpy_ratio", json_real(10));
    json_object_set_new(root, "target_floor_ratio", json_real(3));
    json_object_set_new(root, "meets_floor_target", json_boolean(all3));
    if (have_np)
    {
        json_t *o = json_object();
        json_object_set_new(root, "meets_numpy_target", json_boolean(all10));
        json_object_set_new(o, "version", json_string(npver));
        json_object_set_new(o, "erf", json_string(nperf));
        json_object_set_new(o, "script", json_string("bench/bench_nnft_numpy.py, a process "
                                                     "per repeat, each just before feynn's"));
        json_object_set_new(root, "numpy", o);
    }
    else if (!numpy)
        json_object_set_new(root, "numpy", json_string("not run (bench_nnft --no-numpy)"));
    else
        json_object_set_new(root, "numpy", json_string(why));
    json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
    putchar('\n');
    json_decref(root);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
    return 0;
}
