/* Benchmark of high-order directional Taylor coefficients and vertex values (issue 10 item
 * 17, issue 16): the vertex values sigma^(k)(z) by the activation's Taylor recurrence in the
 * working arithmetic and the directional route built on it.
 *
 * Rows (times are the minima over rounds of the CPU time of the process, which a loaded
 * shared machine disturbs less than the wall clock; the wall-clock minimum is given too):
 *   - one tanh neuron, bias 1/2, v = 1 (`feynn taylor one.feynn --order N --direction v.txt`),
 *     orders 100, 200, 400, 1000: fy_mlp_set_net + fy_mlp_set_point(N) + fy_mlp_directional in
 *     double and in 256-bit balls, next to the jet route (fy_jet_dir_d / fy_jet_dir_arb) on the
 *     same network; the largest relative difference double-ball and the largest relative
 *     radius of the ball coefficients;
 *   - tanh 64-64-64-64-1 (bench_taylor's network), orders 30, 100, 1000: the same, set-up
 *     included and directional alone;
 *   - the exact vertex polynomials of tanh up to order N one step each (fy_activation_poly_next,
 *     what `feynn rules show tanh --order N` needs) against building each P_k from scratch
 *     (fy_activation_poly per k, the former way), N = 100, 200 (and 1000 for the new way).
 * Prints one JSON object.  `bench_vertex --quick` runs fewer rounds. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#define BENCH_SEED 0x5eed2024u
#include "bench_rng.h"
#include "bench_stats.h"

/* tanh MLP with widths w[0..L] (weights N(0, 1/fan_in), biases 0.1 N(0, 1)), or, with one1,
 * the one-neuron network 1-1-1 with W = 1, bias 1/2 then 0. */
static int make_net(fy_net_t net, const int *w, int L, int one1, fy_error_t err)
{
    fy_safetensors_t st;
    fy_net_opts_t o;
    int l, status = FY_OK;
    char name[32];

    fy_safetensors_init(st);
    for (l = 1; l <= L && status == FY_OK; l++)
    {
        size_t shape[2] = {(size_t) w[l], (size_t) w[l - 1]}, i;
        double *W = malloc(sizeof(double) * shape[0] * shape[1]);
        double *b = malloc(sizeof(double) * shape[0]);
        for (i = 0; i < shape[0] * shape[1]; i++)
            W[i] = one1 ? 1.0 : bench_normal() / sqrt((double) w[l - 1]);
        for (i = 0; i < shape[0]; i++)
            b[i] = one1 ? (l == 1 ? 0.5 : 0.0) : 0.1 * bench_normal();
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

typedef struct
{
    double cpu, wall;
} tm_t;

static void tm_min(tm_t *t, double c, double w)
{
    if (t->cpu == 0 || c < t->cpu)
        t->cpu = c;
    if (t->wall == 0 || w < t->wall)
        t->wall = w;
}

/* set_net + set_point + directional in arith (whole), and directional alone (dir). */
static int run_feynn(tm_t *whole, tm_t *dir, fy_numvec_t c, const fy_net_t net,
                     const fy_rules_t rules, fy_arith_t arith, slong prec, const fy_numvec_t v,
                     int n, fy_error_t err)
{
    fy_mlp_t m;
    double c0 = bench_cpu_time(), w0 = fy_wall_time(), c1, w1;
    int status;
    fy_mlp_init(m);
    status = fy_mlp_set_net(m, net, rules, arith, prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, NULL, n, err);
    c1 = bench_cpu_time();
    w1 = fy_wall_time();
    if (status == FY_OK)
        status = fy_mlp_directional(c, m, 0, v, n, err);
    tm_min(whole, bench_cpu_time() - c0, fy_wall_time() - w0);
    tm_min(dir, bench_cpu_time() - c1, fy_wall_time() - w1);
    fy_mlp_clear(m);
    return status;
}

static int run_jet(tm_t *t, double *cd, arb_ptr cb, const fy_net_t net, const double *vd,
                   arb_srcptr vb, int n, slong prec, fy_error_t err)
{
    fy_jet_net_t J;
    double c0 = bench_cpu_time(), w0 = fy_wall_time();
    int status;
    fy_jet_net_init(J);
    status = fy_jet_net_set(J, net, err);
    if (status == FY_OK)
        status = cd != NULL ? fy_jet_dir_d(cd, J, NULL, vd, n, err)
                            : fy_jet_dir_arb(cb, J, NULL, vb, n, prec, err);
    tm_min(t, bench_cpu_time() - c0, fy_wall_time() - w0);
    fy_jet_net_clear(J);
    return status;
}

static void row(const char *name, const fy_net_t net, const fy_rules_t rules, int n, int rounds,
                int last, fy_error_t err)
{
    slong d = (slong) net->widths[0], i, prec = 256;
    fy_numvec_t vd, vb, cd, cb;
    tm_t fd = {0, 0}, fdd = {0, 0}, fb = {0, 0}, fbd = {0, 0}, jd = {0, 0}, jb = {0, 0};
    double *jcd = malloc(sizeof(double) * (size_t) (n + 1)), *vv = malloc(sizeof(double) * d);
    arb_ptr jcb = _arb_vec_init(n + 1);
    double maxdiff = 0, maxrad = 0, jetdiff = 0, jetrad = 0;
    int r, st = FY_OK;

    fy_numvec_init(vd, FY_ARITH_DOUBLE, d, 53, NULL);
    fy_numvec_init(vb, FY_ARITH_BALL, d, prec, NULL);
    fy_numvec_init_empty(cd);
    fy_numvec_init_empty(cb);
    for (i = 0; i < d; i++)
    {
        /* unit-size directions (entries N(0, 1/d)): the coefficients of the 64-wide network
         * then stay within double's range to order 1000 */
        vv[i] = d == 1 ? 1.0 : ldexp(floor(ldexp(bench_normal() / sqrt((double) d), 20)), -20);
        fy_numvec_d(vd)[i] = vv[i];
        arb_set_d(fy_numvec_arb(vb) + i, vv[i]);
    }
    for (r = 0; r < rounds && st == FY_OK; r++)
    {
        st = run_feynn(&fd, &fdd, cd, net, rules, FY_ARITH_DOUBLE, 53, vd, n, err);
        if (st == FY_OK)
            st = run_jet(&jd, jcd, NULL, net, vv, NULL, n, prec, err);
        if (st == FY_OK && (r < 2 || n <= 400))
        {
            st = run_feynn(&fb, &fbd, cb, net, rules, FY_ARITH_BALL, prec, vb, n, err);
            if (st == FY_OK && r == 0)
                st = run_jet(&jb, NULL, jcb, net, NULL, fy_numvec_arb(vb), n, prec, err);
        }
    }
    for (i = 0; st == FY_OK && i <= n; i++)
    {
        arb_srcptr x = fy_numvec_arb(cb) + i;
        double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR), rad = mag_get_d(arb_radref(x));
        double dd = fy_numvec_d(cd)[i], jj = jcd[i];
        if (mid == 0)
            continue;
        maxdiff = fmax(maxdiff, fabs(dd - mid) / fabs(mid));
        jetdiff = fmax(jetdiff, fabs(jj - dd) / fabs(mid));
        maxrad = fmax(maxrad, rad / fabs(mid));
        jetrad = fmax(jetrad, mag_get_d(arb_radref(jcb + i)) / fabs(mid));
    }
    printf("  {\"network\": \"%s\", \"order\": %d, \"double_s\": %.3e, \"double_dir_s\": %.3e, "
           "\"double_wall_s\": %.3e, \"jet_double_s\": %.3e, \"ball256_s\": %.3e, "
           "\"ball256_dir_s\": %.3e, \"ball256_wall_s\": %.3e, \"jet_ball256_s\": %.3e, "
           "\"max_rel_diff_double_ball\": %.3g, \"max_rel_diff_jet_double\": %.3g, "
           "\"max_rel_radius_ball256\": %.3g, \"max_rel_radius_jet_ball256\": %.3g, "
           "\"status\": \"%s\"}%s\n",
           name, n, fd.cpu, fdd.cpu, fd.wall, jd.cpu, fb.cpu, fbd.cpu, fb.wall, jb.cpu, maxdiff,
           jetdiff, maxrad, jetrad, st == FY_OK ? "ok" : err->msg, last ? "" : ",");
    fy_numvec_clear(vd);
    fy_numvec_clear(vb);
    fy_numvec_clear(cd);
    fy_numvec_clear(cb);
    free(jcd);
    free(vv);
    _arb_vec_clear(jcb, n + 1);
}

/* Exact vertex polynomials of tanh up to order n: one step each, or each from scratch. */
static void polys_row(const fy_rules_t rules, int n, int scratch, int last)
{
    const fy_activation_struct *a = fy_rules_activation(rules, "tanh");
    fmpq_poly_t P;
    double c0 = bench_cpu_time(), w0 = fy_wall_time(), bits = 0;
    int k;
    fmpq_poly_init(P);
    for (k = 1; k <= n; k++)
        if (scratch)
            fy_activation_poly(P, a, (ulong) k, NULL);
        else
            fy_activation_poly_next(P, a, (ulong) k, NULL);
    bits = (double) fmpz_bits(fmpq_poly_numref(P) + (P->length > 0 ? P->length - 1 : 0));
    printf("  {\"polynomials\": \"tanh P_1..P_%d\", \"route\": \"%s\", \"cpu_s\": %.3e, "
           "\"wall_s\": %.3e, \"bits_of_a_top_coefficient\": %.0f}%s\n",
           n, scratch ? "each from scratch (before)" : "one step each (fy_activation_poly_next)",
           bench_cpu_time() - c0, fy_wall_time() - w0, bits, last ? "" : ",");
    fmpq_poly_clear(P);
}

int main(int argc, char **argv)
{
    static const int wide[5] = {64, 64, 64, 64, 1}, one[3] = {1, 1, 1};
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t n1, n64;
    int quick = argc > 1 && !strcmp(argv[1], "--quick"), rounds = quick ? 2 : 5;

    fy_error_init(err);
    fy_rules_init(rules);
    if (fy_rules_load_default(rules, err) != FY_OK || make_net(n1, one, 2, 1, err) != FY_OK ||
        make_net(n64, wide, 4, 0, err) != FY_OK)
    {
        fprintf(stderr, "bench_vertex: %s\n", err->msg);
        return 1;
    }
    printf("{\"bench\": \"vertex\", \"timing\": \"minimum CPU time over %d rounds\",\n"
           " \"rows\": [\n", rounds);
    row("tanh 1-1-1, bias 1/2", n1, rules, 100, rounds, 0, err);
    row("tanh 1-1-1, bias 1/2", n1, rules, 200, rounds, 0, err);
    row("tanh 1-1-1, bias 1/2", n1, rules, 400, rounds, 0, err);
    row("tanh 1-1-1, bias 1/2", n1, rules, 1000, rounds, 0, err);
    row("tanh 64-64-64-64-1", n64, rules, 30, rounds, 0, err);
    row("tanh 64-64-64-64-1", n64, rules, 100, rounds, 0, err);
    row("tanh 64-64-64-64-1", n64, rules, 1000, quick ? 1 : 2, 0, err);
    polys_row(rules, 100, 1, 0);
    polys_row(rules, 100, 0, 0);
    polys_row(rules, 200, 1, 0);
    polys_row(rules, 200, 0, 0);
    polys_row(rules, 1000, 0, 1);
    printf(" ]}\n");
    fy_net_clear(n1);
    fy_net_clear(n64);
    fy_rules_clear(rules);
    return 0;
}
