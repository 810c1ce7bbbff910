/* bench_jet: Taylor-mode AD through the reference network tanh 64-64-64-64-1 (weights
 * N(0, 1/fan_in), biases 0.1 N(0, 1), fixed seed), expanded at 0: directional Taylor
 * coefficients to order 30 in double (target: under 5 ms) and in balls at 128 bits, and the
 * 64 x 64 Hessian by interpolation, against a baseline measured in the same process: one plain
 * forward pass in double.  Each figure is the best of several runs.  Prints one JSON object. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "feynn/io.h"
#include "feynn/jet.h"

#define BENCH_SEED 20240601u
#include "bench_rng.h"

#define WIDTH 64
#define NLAYERS 4 /* affine layers: 64-64-64-64-1 */
#define ORDER 30

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}


/* Plain forward pass (the baseline), y = F(x). */
static double forward(const fy_net_t net, const double *x)
{
    double a[WIDTH], b[WIDTH];
    int l;
    size_t i, j;
    for (i = 0; i < net->widths[0]; i++)
        a[i] = x[i];
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = net->layers + l;
        for (i = 0; i < ly->n_out; i++)
        {
            double s = ly->b[i];
            for (j = 0; j < ly->n_in; j++)
                s += ly->W[i * ly->n_in + j] * a[j];
            b[i] = l + 1 < net->L ? tanh(s) : s;
        }
        for (i = 0; i < ly->n_out; i++)
            a[i] = b[i];
    }
    return a[0];
}

int main(void)
{
    fy_error_t e;
    fy_safetensors_t st;
    fy_net_opts_t o;
    fy_net_t net;
    fy_jet_net_t J;
    double x[WIDTH] = {0}, v[WIDTH], c[ORDER + 1], *H;
    double t0, t_fwd = 1e300, t_dir = 1e300, t_arb = 1e300, t_hess = 1e300, sink = 0;
    arb_ptr cb, vb;
    char name[32];
    int l, r, k, widths[NLAYERS + 1] = {WIDTH, WIDTH, WIDTH, WIDTH, 1};
    size_t i;

    fy_error_init(e);
    fy_safetensors_init(st);
    for (l = 0; l < NLAYERS; l++)
    {
        size_t shape[2] = {(size_t) widths[l + 1], (size_t) widths[l]};
        size_t nw = shape[0] * shape[1];
        double *W = malloc(nw * sizeof(double)), *b = malloc(shape[0] * sizeof(double));
        for (i = 0; i < nw; i++)
            W[i] = bench_normal() / sqrt((double) widths[l]);
        for (i = 0; i < shape[0]; i++)
            b[i] = 0.1 * bench_normal();
        snprintf(name, sizeof name, "%d.weight", 2 * l);
        fy_safetensors_add(st, name, FY_DTYPE_F64, 2, shape, W, e);
        snprintf(name, sizeof name, "%d.bias", 2 * l);
        fy_safetensors_add(st, name, FY_DTYPE_F64, 1, shape, b, e);
        free(W);
        free(b);
    }
    fy_net_opts_init(o);
    o->activation = "tanh";
    fy_net_init(net);
    fy_jet_net_init(J);
    if (fy_net_from_tensors(net, st, "reference", o, e) != FY_OK ||
        fy_jet_net_set(J, net, e) != FY_OK)
    {
        fprintf(stderr, "bench_jet: %s\n", e->msg);
        return 1;
    }
    for (i = 0; i < WIDTH; i++)
        v[i] = bench_normal() / sqrt((double) WIDTH);

    for (r = 0; r < 2000; r++)
    {
        t0 = now_s();
        x[r % WIDTH] += 1e-300; /* keep the compiler from hoisting the pass */
        sink += forward(net, x);
        t0 = now_s() - t0;
        if (t0 < t_fwd)
            t_fwd = t0;
    }
    for (r = 0; r < 50; r++)
    {
        t0 = now_s();
        if (fy_jet_dir_d(c, J, NULL, v, ORDER, e) != FY_OK)
        {
            fprintf(stderr, "bench_jet: %s\n", e->msg);
            return 1;
        }
        t0 = now_s() - t0;
        if (t0 < t_dir)
            t_dir = t0;
        sink += c[ORDER];
    }
    cb = _arb_vec_init(ORDER + 1);
    vb = _arb_vec_init(WIDTH);
    for (i = 0; i < WIDTH; i++)
        arb_set_d(vb + i, v[i]);
    for (r = 0; r < 5; r++)
    {
        t0 = now_s();
        if (fy_jet_dir_arb(cb, J, NULL, vb, ORDER, 128, e) != FY_OK)
        {
            fprintf(stderr, "bench_jet: %s\n", e->msg);
            return 1;
        }
        t0 = now_s() - t0;
        if (t0 < t_arb)
            t_arb = t0;
    }
    /* the double jet must lie near the ball's enclosure */
    for (k = 0; k <= ORDER; k++)
        if (!fy_d_near_arb(c[k], cb + k, 1e-8, 1e-12))
        {
            fprintf(stderr, "bench_jet: double and ball disagree at order %d\n", k);
            return 1;
        }
    H = malloc(WIDTH * WIDTH * sizeof(double));
    for (r = 0; r < 3; r++)
    {
        t0 = now_s();
        if (fy_jet_hessian_d(H, J, 0, NULL, e) != FY_OK)
        {
            fprintf(stderr, "bench_jet: %s\n", e->msg);
            return 1;
        }
        t0 = now_s() - t0;
        if (t0 < t_hess)
            t_hess = t0;
    }
    sink += H[1];

    printf("{\"bench\": \"jet\", \"network\": \"tanh 64-64-64-64-1\", \"expansion_point\": 0, "
           "\"order\": %d,\n", ORDER);
    printf(" \"forward_pass_s\": %.3e,\n", t_fwd);
    printf(" \"dir_double_s\": %.3e, \"dir_double_over_forward\": %.1f, "
           "\"target_s\": 5e-3, \"meets_target\": %s,\n", t_dir, t_dir / t_fwd,
           t_dir < 5e-3 ? "true" : "false");
    printf(" \"dir_ball128_s\": %.3e, \"dir_ball128_over_forward\": %.1f, "
           "\"ball_rel_accuracy_bits_order30\": %ld,\n", t_arb, t_arb / t_fwd,
           (long) arb_rel_accuracy_bits(cb + ORDER));
    printf(" \"hessian_double_s\": %.3e, \"hessian_directions\": %d, "
           "\"hessian_over_forward\": %.1f,\n", t_hess, WIDTH * (WIDTH + 1) / 2,
           t_hess / t_fwd);
    printf(" \"checksum\": %.6g}\n", sink);

    free(H);
    _arb_vec_clear(cb, ORDER + 1);
    _arb_vec_clear(vb, WIDTH);
    fy_jet_net_clear(J);
    fy_net_clear(net);
    fy_safetensors_clear(st);
    return 0;
}
