/* test_nnft_mc: Monte Carlo ensembles of src/nnft/mc.c and the [HMS] demo of src/nnft/demo.c.
 *
 * Checks: the batched generator fills (fy_rng_normals, fy_rng_uniforms and their *_streams
 * forms, vectorised) give exactly the numbers of the one-at-a-time fy_rng_normal and
 * fy_rng_uniform; the result is bit-identical for 1, 2 and 3 OpenMP threads (and for a
 * different partition into rounds), at small widths (parameters drawn many networks side by
 * side) and large ones (one network at a time), with and without uniforms; the accumulated
 * products equal those of the networks' outputs
 * recomputed one by one; exact correlators (the independent route of src/nnft/exact.c) lie
 * within 4 standard errors of the Monte Carlo means for every sorted 2-, 4-, 6-tuple, for
 * ReLU (sigma_b = 0), Cos-net with Gaussian and with non-Gaussian output weights, Gauss-net at
 * small scales (light tails), Erf and sin at n = 2 against their closed-form kernels, and Erf,
 * tanh and ReLU with biases at one point (moments by rank-one quadrature) up to n = 6.
 * Fixed seeds (the numbers are deterministic). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "feynn/nnft.h"
#include "feynn/par.h"
#include "feynn/rng.h"
#include "feynn/util.h"
#include "num/arb_all.h"
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

/* The fills against the scalar generator: every length 1..70 at every offset 0..19 (the lane
 * boundaries of the batched Philox), long runs, and many streams side by side. */
static void test_fill(void **state)
{
    static double z[1400], u[1400];
    fy_rng_t r;
    uint64_t n, k0, k, st;
    long bad = 0;
    (void) state;
    fy_rng_init(r, UINT64_C(0x9e3779b97f4a7c15), FY_RNG_PURPOSE_NNFT_PARAMS);
    for (n = 1; n <= 70; n++)
        for (k0 = 0; k0 < 20; k0++)
        {
            fy_rng_normals(z, n, r, 5 + n, k0);
            fy_rng_uniforms(u, n, r, 5 + n, k0);
            for (k = 0; k < n; k++)
            {
                bad += z[k] != fy_rng_normal(r, 5 + n, k0 + k);
                bad += u[k] != fy_rng_uniform(r, 5 + n, k0 + k);
            }
        }
    fy_rng_normals(z, 1111, r, UINT64_C(1) << 40, 3);
    for (k = 0; k < 1111; k++)
        bad += z[k] != fy_rng_normal(r, UINT64_C(1) << 40, 3 + k);
    /* streams around 2^32 (the carry into the counter's high stream word) */
    for (n = 1; n <= 70; n += 3)
        for (st = 1; st <= 19; st += 6)
        {
            uint64_t s0 = (UINT64_C(1) << 32) - 7;
            fy_rng_normals_streams(z, n, n + 2, r, s0, st);
            fy_rng_uniforms_streams(u, n, n, r, s0, st);
            for (k0 = 0; k0 < st; k0++)
                for (k = 0; k < n; k++)
                {
                    bad += z[k0 * (n + 2) + k] != fy_rng_normal(r, s0 + k0, k);
                    bad += u[k0 * n + k] != fy_rng_uniform(r, s0 + k0, k);
                }
        }
    assert_int_equal(bad, 0);
}

static void check_threads(fy_nnft_act_t act, const char *pts, slong width, uint64_t M)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t m1, m2;
    fy_error_t err;
    int a, th;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(m1);
    fy_nnft_mc_init(m2);
    fy_error_init(err);
    spec_simple(s, act, pts, "1", act == FY_NNFT_COS ? "0" : "1", width);
    assert_int_equal(fy_nnft_sample(m1, s, M, 42, 1, err), FY_OK);
    for (th = 2; th <= 3; th++)
    {
        assert_int_equal(fy_nnft_sample(m2, s, M, 42, th, err), FY_OK);
        for (a = 0; a < 3; a++)
        {
            size_t nb = (size_t) m1->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double);
            assert_int_equal(m1->count[a], m2->count[a]);
            assert_memory_equal(m1->mean[a], m2->mean[a], nb);
        }
    }
    fy_nnft_mc_clear(m1);
    fy_nnft_mc_clear(m2);
    fy_nnft_spec_clear(s);
}

/* Widths on both sides of the batched parameter draw, uniforms (Cos-net), and a network count
 * that is not a multiple of the batch. */
static void test_threads_paths(void **state)
{
    (void) state;
    check_threads(FY_NNFT_ERF, "-1\n0.5\n1\n", 2, 2345);
    check_threads(FY_NNFT_RELU, "-1\n0.5\n1\n", 150, 1001);
    check_threads(FY_NNFT_RELU, "-1\n0.5\n1\n", 400, 301);
    check_threads(FY_NNFT_COS, "-1\n0.5\n", 3, 777);
    check_threads(FY_NNFT_COS, "-1\n0.5\n", 130, 333);
    check_threads(FY_NNFT_COS, "-1\n0.5\n", 400, 133);
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

/* The summation order of the sampler, spelled out (src/nnft/mc.c): with M = 640 networks each
 * [HMS] chunk is one batch of 64 networks, whose products are summed in 8 lanes (network l in
 * lane l mod 8, in network order) and the lanes in the tree ((0 + 1) + (2 + 3)) + ((4 + 5) +
 * (6 + 7)); a product is built as the sampler builds it: f_i f_j for a pair, (f_i f_j)(f_k f_l)
 * for a 4-tuple, that times f_m f_n for a 6-tuple.  From the outputs of each network recomputed
 * one by one (fy_nnft_network_outputs), every chunk mean of every sorted 2-, 4- and 6-tuple of
 * six points must be the same double: the vectorised accumulation (tuples side by side) and the
 * batched evaluation (many networks' erf at once) change no bit. */
static void check_order(fy_nnft_act_t act, slong width, const char *kurt)
{
    const uint64_t M = 640, seed = 12;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_error_t err;
    static double f[640][6];
    uint64_t k;
    long bad = 0;
    slong t;
    int a, c;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_error_init(err);
    spec_simple(s, act, "-1\n-0.4\n-0.05\n0.3\n0.8\n1.5\n", "1.2",
                act == FY_NNFT_COS ? "0" : "0.7", width);
    assert_int_equal(fy_fmpq_parse(s->kurtosis, kurt, err), FY_OK);
    if (fy_nnft_sample(mc, s, M, seed, 2, err) != FY_OK)
        fail_msg("%s", err->msg);
    for (k = 0; k < M; k++)
        assert_int_equal(fy_nnft_network_outputs(f[k], s, seed, k, err), FY_OK);
    assert_int_equal(mc->count[0] + mc->count[1] + mc->count[2], 21 + 126 + 462);
    for (a = 0; a < 3; a++)
        for (t = 0; t < mc->count[a]; t++)
        {
            const slong *ix = mc->idx[a] + t * (2 * a + 2);
            for (c = 0; c < 10; c++)
            {
                double lane[8] = {0}, tot;
                int l;
                for (l = 0; l < 64; l++)
                {
                    const double *y = f[64 * c + l];
                    double v = y[ix[0]] * y[ix[1]];
                    if (a >= 1)
                        v = v * (y[ix[2]] * y[ix[3]]);
                    if (a == 2)
                        v = v * (y[ix[4]] * y[ix[5]]);
                    lane[l % 8] += v;
                }
                tot = ((lane[0] + lane[1]) + (lane[2] + lane[3]))
                      + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
                bad += mc->chunk[a][t * 10 + c] != tot / 64;
            }
        }
    if (bad)
        fail_msg("%s N = %ld: %ld chunk means differ from the summation order",
                 fy_nnft_act_name(act), (long) width, bad);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
}

static void test_sum_order(void **state)
{
    (void) state;
    check_order(FY_NNFT_ERF, 3, "3");   /* batched: erf of 64 networks at once */
    check_order(FY_NNFT_ERF, 90, "3");  /* one network at a time (271 normals each) */
    check_order(FY_NNFT_RELU, 5, "3");
    check_order(FY_NNFT_COS, 4, "6");   /* uniforms: phases and the output-weight mixture */
    check_order(FY_NNFT_GAUSS, 2, "3");
}

/* The store of a width scan: its name (dir/RUN) says what it holds, not which command asked
 * (no "--widths"); a store written under the older name (its first line named `nnft sample
 * --widths`) is resumed as it is, and keeps its name; a store under any other name is
 * another run's: recomputed. */
static void store_dir(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "nnft_mc_test_%s.%ld", what, (long) getpid());
}

static char *read_run(const char *dir)
{
    char path[600], *text = NULL;
    size_t len;
    fy_error_t err;
    fy_error_init(err);
    snprintf(path, sizeof path, "%s/RUN", dir);
    if (fy_file_read_text(&text, &len, path, 1 << 20, err) != FY_OK)
        fail_msg("%s", err->msg);
    return text;
}

/* A copy of the store in from (its name: run) in to, under the name head + run's lines after
 * the first. */
static void copy_store(const char *to, const char *from, const char *run, const char *head,
                       uint64_t nchunks)
{
    fy_par_store_t a, b;
    fy_error_t err;
    char *name = malloc(strlen(run) + strlen(head) + 1);
    uint64_t k;
    fy_error_init(err);
    sprintf(name, "%s%s", head, strchr(run, '\n') + 1);
    fy_par_store_init(a);
    fy_par_store_init(b);
    assert_int_equal(fy_par_store_open(a, from, run, err), FY_OK);
    assert_int_equal(fy_par_store_open(b, to, name, err), FY_OK);
    for (k = 0; k < nchunks; k++)
    {
        void *d;
        size_t len;
        int state;
        assert_int_equal(fy_par_store_get(&d, &len, &state, a, k, NULL, 0, err), FY_OK);
        assert_int_equal(state, FY_PAR_CHUNK_OK);
        assert_int_equal(fy_par_store_put(b, k, d, len, err), FY_OK);
        free(d);
    }
    fy_par_store_clear(a);
    fy_par_store_clear(b);
    free(name);
}

static void scan_into(fy_nnft_mc_struct *mcs, const fy_nnft_spec_t s, const slong *widths,
                      const char *dir, uint64_t *resumed)
{
    fy_nnft_run_t run;
    fy_error_t err;
    fy_error_init(err);
    fy_nnft_run_init(run);
    run->checkpoint = dir;
    if (fy_nnft_sample_scan(mcs, s, widths, 2, 300, 4, 1, run, err) != FY_OK)
        fail_msg("%s", err->msg);
    *resumed = run->resumed;
}

static void same_sums(const fy_nnft_mc_struct *x, const fy_nnft_mc_struct *y)
{
    int a;
    for (a = 0; a < 3; a++)
    {
        assert_int_equal(x->count[a], y->count[a]);
        assert_memory_equal(x->mean[a], y->mean[a],
                            (size_t) x->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double));
    }
}

static void test_scan_store_name(void **state)
{
    static const char *old_head = "feynn nnft sample --widths: one packed ensemble per width "
                                  "(mc 2)\n";
    const slong widths[2] = {2, 6};
    char d1[128], d2[128], d3[128], *run, *run2;
    fy_nnft_mc_struct m1[2], m2[2], m3[2];
    fy_nnft_spec_t s;
    uint64_t resumed;
    int j;
    (void) state;
    store_dir(d1, sizeof d1, "new");
    store_dir(d2, sizeof d2, "old");
    store_dir(d3, sizeof d3, "other");
    fy_nnft_spec_init(s);
    spec_simple(s, FY_NNFT_RELU, "0.5\n1\n2\n", "1", "0", 2);
    for (j = 0; j < 2; j++)
    {
        fy_nnft_mc_init(m1 + j);
        fy_nnft_mc_init(m2 + j);
        fy_nnft_mc_init(m3 + j);
    }
    scan_into(m1, s, widths, d1, &resumed);
    assert_int_equal(resumed, 0);
    run = read_run(d1);
    assert_null(strstr(run, "--"));
    assert_true(strncmp(run, "feynn ensemble sums, one packed ensemble per width", 50) == 0);
    /* the same run again: everything read back */
    scan_into(m2, s, widths, d1, &resumed);
    assert_int_equal(resumed, 2);
    for (j = 0; j < 2; j++)
        same_sums(m1 + j, m2 + j);
    /* a store of the older name: resumed, still of that name */
    copy_store(d2, d1, run, old_head, 2);
    scan_into(m2, s, widths, d2, &resumed);
    assert_int_equal(resumed, 2);
    run2 = read_run(d2);
    assert_true(strncmp(run2, old_head, strlen(old_head)) == 0);
    assert_string_equal(strchr(run2, '\n'), strchr(run, '\n'));
    for (j = 0; j < 2; j++)
        same_sums(m1 + j, m2 + j);
    /* any other first line: another run's store, recomputed (the same numbers) */
    copy_store(d3, d1, run, "feynn nnft sample --widths: another ensemble (mc 1)\n", 2);
    scan_into(m3, s, widths, d3, &resumed);
    assert_int_equal(resumed, 0);
    for (j = 0; j < 2; j++)
    {
        same_sums(m1 + j, m3 + j);
        fy_nnft_mc_clear(m1 + j);
        fy_nnft_mc_clear(m2 + j);
        fy_nnft_mc_clear(m3 + j);
    }
    free(run);
    free(run2);
    fy_test_rmdir_flat(d1);
    fy_test_rmdir_flat(d2);
    fy_test_rmdir_flat(d3);
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

/* The demo at a tiny scale: the exact curves it builds from N = 1 and 2 against
 * fy_nnft_corr_compute at another width directly; the Monte Carlo against them; the reports. */
static void test_demo_small(void **state)
{
    fy_nnft_demo_opts_t o;
    fy_nnft_demo_t d;
    fy_error_t err;
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    json_t *root;
    json_error_t jerr;
    char *text = NULL, *js = NULL;
    int i, a;
    (void) state;
    fy_nnft_demo_opts_init(o);
    fy_nnft_demo_init(d);
    fy_error_init(err);
    o->nwidths = 2;
    o->widths[0] = 3;
    o->widths[1] = 7;
    o->networks = 4000;
    o->seed = 5;
    o->prec = 24; /* erf quadrature: 24 bits are plenty here and fast */
    if (fy_nnft_demo_run(d, o, err) != FY_OK)
        fail_msg("%s", err->msg);
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    for (i = 0; i < FY_NNFT_DEMO_NACT; i++)
    {
        const fy_nnft_demo_act_struct *A = d->a + i;
        assert_int_equal(A->nwidths, 2);
        assert_true(A->exact_n[0] && A->exact_n[1]);
        /* m4 = C4 / N exactly */
        assert_true(fabs(3 * A->m_exact[0][0] - 7 * A->m_exact[0][1])
                    <= 1e-12 * fabs(A->C4_exact));
        assert_true(fabs(A->C4_exact - 7 * A->m_exact[0][1]) <= 1e-12 * fabs(A->C4_exact));
        for (a = 0; a < 2; a++)
            assert_true(A->m_mc[a][0] >= 0 && A->m_bg[a][0] > 0 && isfinite(A->kurtosis[a][1]));
        assert_true(isfinite(A->zmax[0]) && isfinite(A->zmax[1]));
        if (A->act == FY_NNFT_ERF)
            continue;
        /* the direct route at N = 7 (relu: sigma_b = 0, inputs hms-d1-relu; gauss: sigma_b =
         * 1, inputs hms-d1: the sets [HMS] used) */
        s->act = A->act;
        s->width = 7;
        fmpq_set_si(s->sigma_b, A->act == FY_NNFT_RELU ? 0 : 1, 1);
        assert_int_equal(fy_nnft_spec_set_inputs(s, A->act == FY_NNFT_RELU ? "hms-d1-relu"
                                                                            : "hms-d1", err),
                         FY_OK);
        /* relu, sigma_b = 0, inputs all positive: f(x) = x f(1), so G4 / G4_GP = 1 + 5 / N at
         * every tuple and C4 = 5 */
        if (A->act == FY_NNFT_RELU)
            assert_true(fabs(A->C4_exact - 5) < 5e-5); /* 24-bit demo balls */
        for (a = 0; a < 2; a++)
        {
            double m;
            if (fy_nnft_corr_compute(c, s, 2 * a + 4, 64, err) != FY_OK)
                fail_msg("%s", err->msg);
            m = arf_get_d(arb_midref(c->m), ARF_RND_NEAR);
            if (!(fabs(m - A->m_exact[a][1]) <= 1e-5 * fabs(m))) /* 24-bit demo balls */
                fail_msg("%s m%d(7): direct %.15g, demo %.15g", fy_nnft_act_name(A->act),
                         2 * a + 4, m, A->m_exact[a][1]);
        }
        if (A->act == FY_NNFT_RELU)
            assert_true(A->agree);
    }
    /* the ReLU 6-point numbers of the eft module: 50/93, 175/186, -5 */
    if (d->have_eft)
    {
        assert_true(fabs(d->gp_ratio - 50.0 / 93) < 1e-9);
        assert_true(fabs(d->lambda_ratio - 175.0 / 186) < 1e-9);
        assert_true(fabs(d->rg_slope + 5) < 1e-6);
    }
    assert_int_equal(d->time_target, -1); /* not the default scale */
    assert_int_equal(fy_nnft_demo_text(&text, d, err), FY_OK);
    assert_non_null(strstr(text, "targets met"));
    assert_int_equal(fy_nnft_demo_json(&js, d, err), FY_OK);
    root = json_loads(js, 0, &jerr);
    assert_non_null(root);
    assert_true(json_is_boolean(json_object_get(root, "targets_met")));
    assert_true(json_is_number(json_object_get(root, "time_s")));
    assert_true(json_is_number(json_object_get(json_object_get(root, "relu"), "C4_exact")));
    assert_int_equal(json_integer_value(json_array_get(
                         json_object_get(json_object_get(root, "erf"), "networks"), 1)),
                     4000);
    json_decref(root);
    free(text);
    free(js);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
    fy_nnft_demo_clear(d);
}

static void test_demo_errors(void **state)
{
    fy_nnft_demo_opts_t o;
    fy_nnft_demo_t d;
    fy_error_t err;
    (void) state;
    fy_nnft_demo_opts_init(o);
    fy_nnft_demo_init(d);
    fy_error_init(err);
    o->nwidths = 1;
    o->widths[0] = 0;
    assert_int_equal(fy_nnft_demo_run(d, o, err), FY_EINPUT);
    o->widths[0] = 2;
    o->networks = 9;
    assert_int_equal(fy_nnft_demo_run(d, o, err), FY_EINPUT);
    fy_nnft_demo_clear(d);
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

/* ------------------------------------------------------------------ the sampler's erf
 * fy_nnft_erf_batch against Arb (erf at 128 bits, the error measured in ulps of the true
 * value inside Arb): random points of every magnitude (seed printed), every table boundary
 * k/128 +- 1/256 and its neighbours, the switch to the small-|x| polynomial, the clamp at 6;
 * the error bound of src/nnft/erf_fast.c is 0.86 ulp, the test asks < 1 ulp.  Against libm's
 * erf (itself within 1 ulp) at 10^6 points: within 2 ulp.  Then special values, odd symmetry
 * bit for bit, and the same bits wherever a value sits in the array (vector and scalar
 * paths) and in place. */
static double ulp_of(double v)
{
    int e;
    v = fabs(v);
    if (v < 0x1p-1022)
        return 0x1p-1074;
    frexp(v, &e);
    return ldexp(1.0, e - 53);
}

/* |y - erf(x)| in ulps of erf(x), computed in Arb (an upper bound of the ball). */
static double arb_ulps(double y, double x)
{
    arb_t a, b;
    double u;
    arb_init(a);
    arb_init(b);
    arb_set_d(a, x);
    arb_hypgeom_erf(b, a, 160);
    u = ulp_of(arf_get_d(arb_midref(b), ARF_RND_NEAR));
    arb_set_d(a, y);
    arb_sub(a, a, b, 160);
    arb_abs(a, a);
    arb_mul_2exp_si(a, a, -ilogb(u)); /* u is a power of two: exact */
    u = arf_get_d(arb_midref(a), ARF_RND_UP) + mag_get_d(arb_radref(a));
    arb_clear(a);
    arb_clear(b);
    return u;
}

static void test_erf_batch(void **state)
{
    enum { NR = 200000, NL = 1000000 };
    static double x[NL], y[NL];
    unsigned long seed = fy_test_seed("test_erf_batch");
    double worst = 0, wx = 0, worst_libm = 0, one;
    fy_rng_t r;
    slong i, n = 0, k;
    int j;
    (void) state;
    fy_rng_init(r, seed, FY_RNG_PURPOSE_TEST);
    /* the boundaries of the table rows and of the small-|x| region, with neighbours */
    for (k = 0; k <= 6 * 128 + 1; k++)
    {
        double b[3] = {(double) k / 128, (k + 0.5) / 128, 7.5 / 128};
        for (j = 0; j < 3; j++)
        {
            x[n++] = b[j];
            x[n++] = nextafter(b[j], 0);
            x[n++] = -nextafter(b[j], 10);
        }
    }
    x[n++] = 5.8636;
    x[n++] = 6.0;
    x[n++] = 1e-300;
    x[n++] = 0x1p-1074;
    x[n++] = -0x1.8p-1040;
    fy_rng_uniforms(y, NR, r, 1, 0);
    for (i = n; i < NR; i++)
    {
        /* a third uniform in [-7, 7], a third normal, a third of every magnitude 2^-60..2^3 */
        double u = y[i];
        if (i % 3 == 0)
            x[i] = 14 * u - 7;
        else if (i % 3 == 1)
            x[i] = fy_rng_normal_quantile(u);
        else
            x[i] = (u < 0.5 ? -1 : 1) * ldexp(1 + fmod(1e6 * u, 1.0), (int) (63 * u) - 60);
    }
    fy_nnft_erf_batch(y, x, NR);
    for (i = 0; i < NR; i++)
    {
        double e = arb_ulps(y[i], x[i]);
        if (e > worst)
        {
            worst = e;
            wx = x[i];
        }
    }
    printf("# erf_batch: worst %.3f ulp against Arb at x = %.17g (%d points)\n", worst, wx, NR);
    assert_true(worst < 1.0);
    /* against libm at 10^6 points of [-8, 8] */
    fy_rng_uniforms(x, NL, r, 2, 0);
    for (i = 0; i < NL; i++)
        x[i] = 16 * x[i] - 8;
    fy_nnft_erf_batch(y, x, NL);
    for (i = 0; i < NL; i++)
    {
        double e = fabs(y[i] - erf(x[i])) / ulp_of(erf(x[i]));
        worst_libm = e > worst_libm ? e : worst_libm;
    }
    printf("# erf_batch: worst %.3f ulp against libm (%d points)\n", worst_libm, NL);
    assert_true(worst_libm <= 2.0);
    /* the same bits one at a time (scalar path), in place, and for -x */
    for (i = 0; i < 1003; i++)
    {
        double v;
        fy_nnft_erf_batch(&v, x + i, 1);
        assert_true(memcmp(&v, y + i, sizeof v) == 0);
        v = -x[i];
        fy_nnft_erf_batch(&v, &v, 1);
        assert_true(v == -y[i]);
    }
    memcpy(y + NL / 2, x, 1003 * sizeof(double));
    fy_nnft_erf_batch(y + NL / 2, y + NL / 2, 1003);
    fy_nnft_erf_batch(y, x, 1003);
    assert_memory_equal(y, y + NL / 2, 1003 * sizeof(double));
    /* special values */
    x[0] = 0.0;
    x[1] = -0.0;
    x[2] = INFINITY;
    x[3] = -INFINITY;
    x[4] = NAN;
    x[5] = 40.0;
    x[6] = -6.0;
    x[7] = 1.0;
    fy_nnft_erf_batch(y, x, 8);
    assert_true(y[0] == 0.0 && !signbit(y[0]));
    assert_true(y[1] == 0.0 && signbit(y[1]));
    assert_true(y[2] == 1.0 && y[3] == -1.0 && isnan(y[4]) && y[5] == 1.0 && y[6] == -1.0);
    one = 0.8427007929497148693; /* erf(1) = 0.842700792949714869341... */
    assert_true(fabs(y[7] - one) <= ulp_of(one));
}

/* mc13: fy_nnft_sample_shared: each ensemble equals, bit for bit, its own fy_nnft_sample at the
 * same seed (ReLU and Cos-net without biases, the Cos-net with non-Gaussian output weights and
 * uniforms, Erf with biases, on different input sets), at a small width (parameters drawn many
 * networks side by side) and a large one (one network at a time), on 2 threads; mismatched
 * specs refused. */
static void test_sample_shared(void **state)
{
    static const fy_nnft_act_t acts[3] = {FY_NNFT_RELU, FY_NNFT_ERF, FY_NNFT_COS};
    static const char *pts[3] = {"-1\n0.5\n1\n", "0.1\n0.2\n-0.3\n", "-1\n0\n2\n"};
    static const slong widths[2] = {3, 400};
    fy_nnft_spec_t s[3];
    const fy_nnft_spec_struct *sp[3];
    fy_nnft_mc_struct shared[3];
    fy_nnft_mc_t one;
    fy_error_t err;
    int w, k, a;
    (void) state;
    fy_error_init(err);
    fy_nnft_mc_init(one);
    for (k = 0; k < 3; k++)
    {
        fy_nnft_spec_init(s[k]);
        fy_nnft_mc_init(shared + k);
        sp[k] = s[k];
    }
    for (w = 0; w < 2; w++)
    {
        for (k = 0; k < 3; k++)
            spec_simple(s[k], acts[k], pts[k], "1", k == 1 ? "1" : "0", widths[w]);
        fmpq_set_si(s[2]->kurtosis, 6, 1);
        if (fy_nnft_sample_shared(shared, sp, 3, 1234, 17, 2, err) != FY_OK)
            fail_msg("%s", err->msg);
        for (k = 0; k < 3; k++)
        {
            assert_int_equal(fy_nnft_sample(one, s[k], 1234, 17, 1, err), FY_OK);
            for (a = 0; a < 3; a++)
            {
                assert_int_equal(one->count[a], shared[k].count[a]);
                assert_memory_equal(one->mean[a], shared[k].mean[a],
                                    (size_t) one->count[a] * (4 + FY_NNFT_CHUNKS)
                                        * sizeof(double));
            }
            assert_true(shared[k].networks == 1234 && shared[k].seed == 17);
        }
    }
    s[1]->width = 4;
    assert_int_equal(fy_nnft_sample_shared(shared, sp, 3, 1234, 17, 1, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "same width"));
    assert_int_equal(fy_nnft_sample_shared(shared, sp, 0, 1234, 17, 1, err), FY_EINPUT);
    for (k = 0; k < 3; k++)
    {
        assert_null(shared[k].mean[0]);
        fy_nnft_mc_clear(shared + k);
        fy_nnft_spec_clear(s[k]);
    }
    fy_nnft_mc_clear(one);
}

/* mc13: the instruction-set paths (fy_rng_set_isa: portable C, AVX2, AVX-512, those this
 * processor has) give the same bits: the fills (runs at every offset and length 1..70, long
 * runs, streams around 2^32), the sampler's erf at every length 1..40 (the vector tails) and on
 * 20011 values with specials, and whole ensembles (Erf at widths 3 and 400). */
static double isa_fills(double *out, int level)
{
    static double z[1400]; /* 19 streams of 70 with ldz 71 */
    fy_rng_t r;
    uint64_t n, k0, st;
    size_t o = 0;
    fy_rng_set_isa(level);
    fy_rng_init(r, UINT64_C(0x1234567890abcdef), FY_RNG_PURPOSE_NNFT_PARAMS);
    for (n = 1; n <= 70; n += 3)
        for (k0 = 0; k0 < 20; k0 += 3)
        {
            fy_rng_normals(out + o, n, r, 9 + n, k0);
            fy_rng_uniforms(out + o + n, n, r, 9 + n, k0);
            o += 2 * n;
        }
    fy_rng_normals(out + o, 1111, r, UINT64_C(1) << 40, 3);
    o += 1111;
    for (n = 1; n <= 70; n += 3)
        for (st = 1; st <= 19; st += 6)
        {
            memset(z, 0, sizeof z); /* the gaps of ldz = n + 1 are not written */
            fy_rng_normals_streams(z, n, n + 1, r, (UINT64_C(1) << 32) - 7, st);
            memcpy(out + o, z, sizeof(double) * (size_t) (st * (n + 1)));
            o += (size_t) (st * (n + 1));
            fy_rng_uniforms_streams(z, n, n, r, (UINT64_C(1) << 32) - 5, st);
            memcpy(out + o, z, sizeof(double) * (size_t) (st * n));
            o += (size_t) (st * n);
        }
    return (double) o;
}

static void isa_erf(double *y, const double *x, int level)
{
    slong n, o = 0;
    fy_rng_set_isa(level);
    for (n = 1; n <= 40; n++)
    {
        fy_nnft_erf_batch(y + o, x + o, n);
        o += n;
    }
    fy_nnft_erf_batch(y + o, x + o, 20011);
}

static void isa_sample(fy_nnft_mc_t mc, slong width, int level)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    fy_rng_set_isa(level);
    spec_simple(s, FY_NNFT_ERF, "-1\n0.5\n1\n", "1", "1", width);
    assert_int_equal(fy_nnft_sample(mc, s, 777, 5, 1, err), FY_OK);
    fy_nnft_spec_clear(s);
}

static void test_isa_paths(void **state)
{
    enum { NF = 100000, NE = 20011 + 820 }; /* isa_fills writes 82,159 values */
    static double f0[NF], f1[NF], x[NE], e0[NE], e1[NE];
    static const int levels[3] = {FY_RNG_ISA_C, FY_RNG_ISA_AVX2, FY_RNG_ISA_AVX512};
    static const char *names[3] = {"C", "AVX2", "AVX-512"};
    fy_rng_t r;
    double n0;
    slong i;
    int l, a, w;
    (void) state;
    fy_rng_init(r, 7, FY_RNG_PURPOSE_TEST);
    fy_rng_normals(x, NE, r, 0, 0);
    for (i = 0; i < NE; i++)
        x[i] *= i % 5 == 0 ? 4.0 : 1.0;
    x[3] = 0.0;
    x[4] = -0.0;
    x[5] = INFINITY;
    x[6] = -INFINITY;
    x[7] = NAN;
    x[8] = 0x1p-1074;
    x[NE - 1] = NAN; /* in the last, padded vector */
    n0 = isa_fills(f0, FY_RNG_ISA_C);
    assert_true(n0 <= NF);
    isa_erf(e0, x, FY_RNG_ISA_C);
    for (l = 1; l < 3; l++)
    {
        int got = fy_rng_set_isa(levels[l]);
        if (got != levels[l])
        {
            printf("# isa paths: %s not available here (skipped)\n", names[l]);
            continue;
        }
        assert_true(isa_fills(f1, levels[l]) == n0);
        assert_memory_equal(f0, f1, sizeof(double) * (size_t) n0);
        isa_erf(e1, x, levels[l]);
        assert_memory_equal(e0, e1, sizeof e0);
        for (w = 0; w < 2; w++)
        {
            fy_nnft_mc_t m0, m1;
            fy_nnft_mc_init(m0);
            fy_nnft_mc_init(m1);
            isa_sample(m0, w ? 400 : 3, FY_RNG_ISA_C);
            isa_sample(m1, w ? 400 : 3, levels[l]);
            for (a = 0; a < 3; a++)
                assert_memory_equal(m0->mean[a], m1->mean[a],
                                    (size_t) m0->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double));
            fy_nnft_mc_clear(m0);
            fy_nnft_mc_clear(m1);
        }
        printf("# isa paths: %s equals C bit for bit (fills, erf, ensembles)\n", names[l]);
    }
    fy_rng_set_isa(FY_RNG_ISA_AUTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_erf_batch),
        cmocka_unit_test(test_isa_paths),
        cmocka_unit_test(test_sample_shared),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_threads_paths),
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_sum_order),
        cmocka_unit_test(test_scan_store_name),
        cmocka_unit_test(test_exact_vs_mc),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_demo_small),
        cmocka_unit_test(test_demo_errors),
    };
    return cmocka_run_group_tests_name("nnft_mc", tests, NULL, NULL) ? 1 : 0;
}
