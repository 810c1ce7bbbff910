/* Tests of modules mlp and eval, against independent oracles:
 *   - one hidden layer: the n-th derivative is one diagram, sum_a W2_a sigma^(n)(z_a) prod W1,
 *     with tanh^(n) from the series (e^{2z} - 1)/(e^{2z} + 1) (FLINT fmpq_poly / arb_poly);
 *   - polynomial activations: the network output composed exactly with fmpq_mpoly, its
 *     coefficients times the multinomial factorials;
 *   - high-order directional coefficients of tanh(x), tanh(tanh(x)), sin(x) from FLINT series;
 *   - the sum over diagrams (eval) against the fused recursion (mlp) on random networks in
 *     three arithmetics (exact equality, ball overlap and containment, double tolerance);
 *   - symbolic tensors evaluated at the vertex values against the exact fused tensors;
 *   - a PyTorch-exported network (examples/tiny_mlp.safetensors) against the derivatives that
 *     torch.autograd computed for it (examples/tiny_mlp_derivs.json);
 *   - ball tensors on block floating-point rows against exact tensors (rational vertex
 *     values), against ordinary balls at high precision, and their refusal of weights that are
 *     not exact doubles; the top order in many chunks in all three arithmetics;
 *   - ball inputs (point and direction) at random precisions and radii (fy_*_randtest): the
 *     results contain the exact values (high-precision balls) at points inside the balls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_mpoly.h>
#include <flint/fmpq_poly.h>
#include <jansson.h>

#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "mlp/mlp_internal.h"
#include "mlputil.h"
#include "testutil.h"

/* A text model: widths w[0..L], weights and biases as strings of rationals. */
typedef struct
{
    int L, w[8];
    fmpq *W[8], *b[8]; /* W[l]: w[l] x w[l-1] */
    const char *act[8]; /* act[l] for hidden l */
} tnet;

static void tnet_init(tnet *t, int L, const int *w)
{
    int l;
    memset(t, 0, sizeof *t);
    t->L = L;
    for (l = 0; l <= L; l++)
        t->w[l] = w[l];
    for (l = 1; l <= L; l++)
    {
        t->W[l] = _fmpq_vec_init(w[l] * w[l - 1]);
        t->b[l] = _fmpq_vec_init(w[l]);
        t->act[l] = "tanh";
    }
}

static void tnet_clear(tnet *t)
{
    int l;
    for (l = 1; l <= t->L; l++)
    {
        _fmpq_vec_clear(t->W[l], t->w[l] * t->w[l - 1]);
        _fmpq_vec_clear(t->b[l], t->w[l]);
    }
}

/* Random dyadic value k/8 with |k| <= 12 (exact in binary), or 0 with zero_prob. */
static void rand_dyadic(fmpq_t q, uint64_t *st, int allow_zero)
{
    long k = (long) (fy_test_rand(st) % 25) - 12;
    if (k == 0 && !allow_zero)
        k = 3;
    fmpq_set_si(q, k, 8);
}

static void tnet_random(tnet *t, uint64_t *st, int biases)
{
    int l, i;
    for (l = 1; l <= t->L; l++)
    {
        for (i = 0; i < t->w[l] * t->w[l - 1]; i++)
            rand_dyadic(t->W[l] + i, st, 0);
        for (i = 0; i < t->w[l]; i++)
            if (biases)
                rand_dyadic(t->b[l] + i, st, 1);
            else
                fmpq_zero(t->b[l] + i);
    }
}

static void tnet_load(fy_net_t net, const tnet *t)
{
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    int l, a, i;
    fy_error_t err;
    fy_net_opts_t o;

    fy_error_init(err);
    fy_net_opts_init(o);
    len += (size_t) snprintf(s + len, cap - len, "feynn-model 1\ninput %d\n", t->w[0]);
    for (l = 1; l <= t->L; l++)
    {
        if (l < t->L)
            len += (size_t) snprintf(s + len, cap - len, "layer %d activation %s\n", t->w[l],
                                     t->act[l]);
        else
            len += (size_t) snprintf(s + len, cap - len, "layer %d\n", t->w[l]);
        for (a = 0; a < t->w[l]; a++)
        {
            for (i = 0; i < t->w[l - 1]; i++)
            {
                char *q = fmpq_get_str(NULL, 10, t->W[l] + a * t->w[l - 1] + i);
                len += (size_t) snprintf(s + len, cap - len, " %s", q);
                flint_free(q);
            }
            len += (size_t) snprintf(s + len, cap - len, "\n");
        }
        len += (size_t) snprintf(s + len, cap - len, "bias");
        for (a = 0; a < t->w[l]; a++)
        {
            char *q = fmpq_get_str(NULL, 10, t->b[l] + a);
            len += (size_t) snprintf(s + len, cap - len, " %s", q);
            flint_free(q);
        }
        len += (size_t) snprintf(s + len, cap - len, "\n");
    }
    fy_net_init(net);
    if (fy_net_read_text_buffer(net, s, len, "<test>", o, err) != FY_OK)
        fail_msg("model text: %s\n%s", err->msg, s);
    free(s);
}

static void make_mlp(fy_mlp_t m, const tnet *t, fy_arith_t arith, slong prec, int order)
{
    fy_net_t net;
    fy_error_t err;
    fy_error_init(err);
    tnet_load(net, t);
    fy_mlp_init(m);
    if (fy_mlp_set_net(m, net, fy_test_rules(), arith, prec, err) != FY_OK)
        fail_msg("set_net: %s", err->msg);
    fy_net_clear(net);
    if (fy_mlp_set_point(m, NULL, order, err) != FY_OK)
        fail_msg("set_point: %s", err->msg);
}

/* The network t in arith at prec, with its tensors of orders 0..n (T[0..n] initialised here). */
static void mlp_tensors(fy_symtensor_struct *T, fy_mlp_t m, const tnet *t, fy_arith_t arith,
                        slong prec, int n)
{
    fy_error_t err;
    int k;
    fy_error_init(err);
    make_mlp(m, t, arith, prec, n);
    for (k = 0; k <= n; k++)
        fy_symtensor_init_empty(T + k);
    if (fy_mlp_derivatives(T, m, 0, n, err) != FY_OK)
        fail_msg("derivatives: %s", err->msg);
}

/* tanh^(k)(0), k = 0..n, from (e^{2z} - 1)/(e^{2z} + 1). */
static void tanh_derivs_at0(fmpq *d, int n)
{
    fmpq_poly_t x, e, num, den, q;
    fmpz_t f;
    int k;
    fmpq_poly_init(x);
    fmpq_poly_init(e);
    fmpq_poly_init(num);
    fmpq_poly_init(den);
    fmpq_poly_init(q);
    fmpz_init(f);
    fmpq_poly_set_coeff_si(x, 1, 2);
    fmpq_poly_exp_series(e, x, n + 1);
    fmpq_poly_set(num, e);
    fmpq_poly_set(den, e);
    fmpq_poly_set_coeff_si(num, 0, 0);
    fmpq_poly_set_coeff_si(den, 0, 2);
    fmpq_poly_div_series(q, num, den, n + 1);
    for (k = 0; k <= n; k++)
    {
        fmpq_poly_get_coeff_fmpq(d + k, q, k);
        fmpz_fac_ui(f, (ulong) k);
        fmpq_mul_fmpz(d + k, d + k, f);
    }
    fmpq_poly_clear(x);
    fmpq_poly_clear(e);
    fmpq_poly_clear(num);
    fmpq_poly_clear(den);
    fmpq_poly_clear(q);
    fmpz_clear(f);
}

/* One hidden tanh layer, zero biases, xbar = 0: every entry of every order <= 5 is
 * sum_a W2_a tanh^(n)(0) prod_p W1_{a,I_p}. */
static void test_one_hidden_closed_form(void **state)
{
    int w[3] = {3, 4, 1}, n = 5, k, p, a;
    uint64_t st = fy_test_seed("one_hidden_closed_form");
    tnet t;
    fy_mlp_t me, mb, md;
    fy_symtensor_struct Te[6], Tb[6], Td[6];
    fmpq d[8];
    fmpq_t expect, term;
    fy_error_t err;
    int idx[8];

    (void) state;
    fy_error_init(err);
    tnet_init(&t, 2, w);
    tnet_random(&t, &st, 0);
    for (k = 0; k < 8; k++)
        fmpq_init(d + k);
    tanh_derivs_at0(d, n);
    make_mlp(me, &t, FY_ARITH_EXACT, 128, n);
    make_mlp(mb, &t, FY_ARITH_BALL, 128, n);
    make_mlp(md, &t, FY_ARITH_DOUBLE, 53, n);
    for (k = 0; k <= n; k++)
    {
        fy_symtensor_init_empty(Te + k);
        fy_symtensor_init_empty(Tb + k);
        fy_symtensor_init_empty(Td + k);
    }
    assert_int_equal(fy_mlp_derivatives(Te, me, 0, n, err), FY_OK);
    assert_int_equal(fy_mlp_derivatives(Tb, mb, 0, n, err), FY_OK);
    assert_int_equal(fy_mlp_derivatives(Td, md, 0, n, err), FY_OK);
    fmpq_init(expect);
    fmpq_init(term);
    for (k = 1; k <= n; k++)
    {
        slong r = 0;
        for (p = 0; p < k; p++)
            idx[p] = 0;
        do
        {
            fmpq_zero(expect);
            for (a = 0; a < w[1]; a++)
            {
                fmpq_mul(term, t.W[2] + a, d + k);
                for (p = 0; p < k; p++)
                    fmpq_mul(term, term, t.W[1] + a * w[0] + idx[p]);
                fmpq_add(expect, expect, term);
            }
            assert_true(fmpq_equal(fy_numvec_fmpq(&Te[k].e) + r, expect));
            assert_true(fy_arb_contains_fmpq(fy_numvec_arb(&Tb[k].e) + r, expect));
            assert_true(fabs(fy_numvec_d(&Td[k].e)[r] - fmpq_get_d(expect)) <=
                        1e-12 * (1 + fabs(fmpq_get_d(expect))));
            r++;
        } while (fy_multiindex_next(idx, w[0], k));
        assert_int_equal(r, Te[k].e.len);
    }
    for (k = 0; k <= n; k++)
    {
        fy_symtensor_clear(Te + k);
        fy_symtensor_clear(Tb + k);
        fy_symtensor_clear(Td + k);
    }
    for (k = 0; k < 8; k++)
        fmpq_clear(d + k);
    fmpq_clear(expect);
    fmpq_clear(term);
    fy_mlp_clear(me);
    fy_mlp_clear(mb);
    fy_mlp_clear(md);
    tnet_clear(&t);
}

/* One hidden tanh layer with biases, in ball arithmetic: tanh^(n)(z_a) from the arb series of
 * (e^{2(z+t)} - 1)/(e^{2(z+t)} + 1). */
static void test_one_hidden_ball_biases(void **state)
{
    int w[3] = {2, 3, 1}, n = 4, k, p, a;
    uint64_t st = fy_test_seed("one_hidden_ball_biases");
    tnet t;
    fy_mlp_t mb;
    fy_symtensor_struct Tb[5];
    fy_error_t err;
    slong prec = 200;
    arb_poly_t x, e, num, den, q;
    arb_t z, expect, term, c;
    int idx[8];

    (void) state;
    fy_error_init(err);
    tnet_init(&t, 2, w);
    tnet_random(&t, &st, 1);
    make_mlp(mb, &t, FY_ARITH_BALL, prec, n);
    for (k = 0; k <= n; k++)
        fy_symtensor_init_empty(Tb + k);
    assert_int_equal(fy_mlp_derivatives(Tb, mb, 0, n, err), FY_OK);
    arb_poly_init(x);
    arb_poly_init(e);
    arb_poly_init(num);
    arb_poly_init(den);
    arb_poly_init(q);
    arb_init(z);
    arb_init(expect);
    arb_init(term);
    arb_init(c);
    for (k = 1; k <= n; k++)
    {
        slong r = 0;
        for (p = 0; p < k; p++)
            idx[p] = 0;
        do
        {
            arb_zero(expect);
            for (a = 0; a < w[1]; a++)
            {
                arb_set_fmpq(z, t.b[1] + a, prec);
                for (p = 0; p < w[0]; p++)
                    ; /* xbar = 0: z_a = b1_a */
                arb_poly_zero(x);
                arb_mul_2exp_si(c, z, 1);
                arb_poly_set_coeff_arb(x, 0, c);
                arb_set_si(c, 2);
                arb_poly_set_coeff_arb(x, 1, c);
                arb_poly_exp_series(e, x, n + 1, prec);
                arb_poly_set(num, e);
                arb_poly_set(den, e);
                arb_poly_get_coeff_arb(c, e, 0);
                arb_sub_ui(c, c, 1, prec);
                arb_poly_set_coeff_arb(num, 0, c);
                arb_add_ui(c, c, 2, prec);
                arb_poly_set_coeff_arb(den, 0, c);
                arb_poly_div_series(q, num, den, n + 1, prec);
                arb_poly_get_coeff_arb(term, q, k);
                arb_fac_ui(c, (ulong) k, prec);
                arb_mul(term, term, c, prec);
                arb_mul_fmpz(term, term, fmpq_numref(t.W[2] + a), prec);
                arb_div_fmpz(term, term, fmpq_denref(t.W[2] + a), prec);
                for (p = 0; p < k; p++)
                {
                    arb_mul_fmpz(term, term, fmpq_numref(t.W[1] + a * w[0] + idx[p]), prec);
                    arb_div_fmpz(term, term, fmpq_denref(t.W[1] + a * w[0] + idx[p]), prec);
                }
                arb_add(expect, expect, term, prec);
            }
            assert_true(arb_overlaps(fy_numvec_arb(&Tb[k].e) + r, expect));
            assert_true(arb_rel_accuracy_bits(fy_numvec_arb(&Tb[k].e) + r) > 150 ||
                        arb_contains_zero(expect));
            r++;
        } while (fy_multiindex_next(idx, w[0], k));
    }
    for (k = 0; k <= n; k++)
        fy_symtensor_clear(Tb + k);
    arb_poly_clear(x);
    arb_poly_clear(e);
    arb_poly_clear(num);
    arb_poly_clear(den);
    arb_poly_clear(q);
    arb_clear(z);
    arb_clear(expect);
    arb_clear(term);
    arb_clear(c);
    fy_mlp_clear(mb);
    tnet_clear(&t);
}

/* Polynomial activation z + z^2/2 ("quadratic"), rational weights and biases, nonzero xbar:
 * the exact output polynomial in h (x = xbar + h) by fmpq_mpoly composition. */
static void test_polynomial_exact(void **state)
{
    int w[4] = {2, 3, 2, 1}, L = 3, l, a, i, k, p, n = 5;
    uint64_t st = fy_test_seed("polynomial_exact");
    tnet t;
    fy_net_t net;
    fy_mlp_t m;
    fy_error_t err;
    fmpq_mpoly_ctx_t ctx;
    fmpq_mpoly_struct *y, *z;
    fmpq_mpoly_t g, sq;
    fmpq_t half, c, fac;
    fmpz_t f;
    fy_numvec_t xbar, val, hv;
    fy_symtensor_struct T[6];
    ulong ex[2];
    int idx[8];

    (void) state;
    fy_error_init(err);
    tnet_init(&t, L, w);
    tnet_random(&t, &st, 1);
    t.act[1] = t.act[2] = "quadratic";
    tnet_load(net, &t);
    fy_mlp_init(m);
    assert_int_equal(fy_mlp_set_net(m, net, fy_test_rules(), FY_ARITH_EXACT, 128, err), FY_OK);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 2, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(xbar), 1, 3);
    fmpq_set_si(fy_numvec_fmpq(xbar) + 1, -2, 5);
    assert_int_equal(fy_mlp_set_point(m, xbar, n, err), FY_OK);
    for (k = 0; k <= n; k++)
        fy_symtensor_init_empty(T + k);
    assert_int_equal(fy_mlp_derivatives(T, m, 0, n, err), FY_OK);

    /* oracle: compose the polynomials */
    fmpq_mpoly_ctx_init(ctx, 2, ORD_LEX);
    fmpq_init(half);
    fmpq_init(c);
    fmpq_init(fac);
    fmpz_init(f);
    fmpq_set_si(half, 1, 2);
    fmpq_mpoly_init(g, ctx);
    fmpq_mpoly_init(sq, ctx);
    y = malloc(sizeof(fmpq_mpoly_struct) * 8);
    z = malloc(sizeof(fmpq_mpoly_struct) * 8);
    for (i = 0; i < 2; i++)
    {
        fmpq_mpoly_init(y + i, ctx);
        fmpq_mpoly_gen(y + i, i, ctx);
        fmpq_mpoly_add_fmpq(y + i, y + i, fy_numvec_fmpq(xbar) + i, ctx);
    }
    for (l = 1; l <= L; l++)
    {
        for (a = 0; a < w[l]; a++)
        {
            fmpq_mpoly_init(z + a, ctx);
            fmpq_mpoly_set_fmpq(z + a, t.b[l] + a, ctx);
            for (i = 0; i < w[l - 1]; i++)
            {
                fmpq_mpoly_scalar_mul_fmpq(g, y + i, t.W[l] + a * w[l - 1] + i, ctx);
                fmpq_mpoly_add(z + a, z + a, g, ctx);
            }
        }
        for (i = 0; i < w[l - 1]; i++)
            fmpq_mpoly_clear(y + i, ctx);
        for (a = 0; a < w[l]; a++)
        {
            fmpq_mpoly_init(y + a, ctx);
            if (l < L)
            {
                fmpq_mpoly_mul(sq, z + a, z + a, ctx);
                fmpq_mpoly_scalar_mul_fmpq(sq, sq, half, ctx);
                fmpq_mpoly_add(y + a, z + a, sq, ctx);
            }
            else
                fmpq_mpoly_set(y + a, z + a, ctx);
            fmpq_mpoly_clear(z + a, ctx);
        }
    }
    /* y[0] = F(xbar + h); d^I F = coeff(h^alpha) * alpha! */
    for (k = 0; k <= n; k++)
    {
        slong r = 0;
        for (p = 0; p < k; p++)
            idx[p] = 0;
        do
        {
            ex[0] = ex[1] = 0;
            for (p = 0; p < k; p++)
                ex[idx[p]]++;
            fmpq_mpoly_get_coeff_fmpq_ui(c, y, ex, ctx);
            fmpz_fac_ui(f, ex[0]);
            fmpq_mul_fmpz(c, c, f);
            fmpz_fac_ui(f, ex[1]);
            fmpq_mul_fmpz(c, c, f);
            assert_true(fmpq_equal(fy_numvec_fmpq(&T[k].e) + r, c));
            r++;
        } while (k > 0 && fy_multiindex_next(idx, 2, k));
    }
    /* the Taylor polynomial of order 4 (the degree) is F(xbar + h) exactly */
    fy_numvec_init(hv, FY_ARITH_EXACT, 2, 128, NULL);
    fy_numvec_init_empty(val);
    fmpq_set_si(fy_numvec_fmpq(hv), 3, 7);
    fmpq_set_si(fy_numvec_fmpq(hv) + 1, -5, 4);
    assert_int_equal(fy_mlp_taylor_value(val, m, 0, hv, 4, err), FY_OK);
    {
        fmpq *pts[2];
        fmpq_t x0, x1;
        fmpq_init(x0);
        fmpq_init(x1);
        /* F(xbar + h) is y at h */
        fmpq_set(x0, fy_numvec_fmpq(hv));
        fmpq_set(x1, fy_numvec_fmpq(hv) + 1);
        pts[0] = x0;
        pts[1] = x1;
        fmpq_mpoly_evaluate_all_fmpq(c, y, pts, ctx);
        fmpq_clear(x0);
        fmpq_clear(x1);
    }
    assert_true(fmpq_equal(fy_numvec_fmpq(val), c));
    /* single entries through the restricted recursion */
    {
        int e3[3] = {1, 0, 1};
        int s3[3] = {0, 1, 1};
        int pos = (int) fy_symtensor_index(T + 3, s3);
        assert_int_equal(fy_mlp_entry(val, m, 0, e3, 3, err), FY_OK);
        assert_true(fmpq_equal(fy_numvec_fmpq(val), fy_numvec_fmpq(&T[3].e) + pos));
    }

    fmpq_mpoly_clear(y, ctx);
    free(y);
    free(z);
    fmpq_mpoly_clear(g, ctx);
    fmpq_mpoly_clear(sq, ctx);
    fmpq_mpoly_ctx_clear(ctx);
    fmpq_clear(half);
    fmpq_clear(c);
    fmpq_clear(fac);
    fmpz_clear(f);
    fy_numvec_clear(xbar);
    fy_numvec_clear(val);
    fy_numvec_clear(hv);
    for (k = 0; k <= n; k++)
        fy_symtensor_clear(T + k);
    fy_mlp_clear(m);
    fy_net_clear(net);
    tnet_clear(&t);
}

/* Directional coefficients to order 60: tanh(x), tanh(tanh(x)) and sin(x) against FLINT. */
static void test_high_order_directional(void **state)
{
    int w2[3] = {1, 1, 1}, w3[4] = {1, 1, 1, 1}, n = 60, k;
    tnet t;
    fy_mlp_t m;
    fy_numvec_t v, c;
    fy_error_t err;
    fmpq_poly_t x, th, tt, sn;
    fmpq_t q;

    (void) state;
    fy_error_init(err);
    fmpq_poly_init(x);
    fmpq_poly_init(th);
    fmpq_poly_init(tt);
    fmpq_poly_init(sn);
    fmpq_init(q);
    fmpq_poly_set_coeff_si(x, 1, 1);
    fmpq_poly_tanh_series(th, x, n + 1);
    fmpq_poly_compose_series(tt, th, th, n + 1);
    fmpq_poly_sin_series(sn, x, n + 1);
    fy_numvec_init(v, FY_ARITH_EXACT, 1, 128, NULL);
    fy_numvec_init_empty(c);
    fmpq_one(fy_numvec_fmpq(v));

    tnet_init(&t, 2, w2);
    fmpq_one(t.W[1]);
    fmpq_one(t.W[2]);
    make_mlp(m, &t, FY_ARITH_EXACT, 128, n);
    assert_int_equal(fy_mlp_directional(c, m, 0, v, n, err), FY_OK);
    for (k = 0; k <= n; k++)
    {
        fmpq_poly_get_coeff_fmpq(q, th, k);
        assert_true(fmpq_equal(fy_numvec_fmpq(c) + k, q));
    }
    fy_mlp_clear(m);
    t.act[1] = "sin";
    make_mlp(m, &t, FY_ARITH_EXACT, 128, n);
    assert_int_equal(fy_mlp_directional(c, m, 0, v, n, err), FY_OK);
    for (k = 0; k <= n; k++)
    {
        fmpq_poly_get_coeff_fmpq(q, sn, k);
        assert_true(fmpq_equal(fy_numvec_fmpq(c) + k, q));
    }
    fy_mlp_clear(m);
    tnet_clear(&t);

    tnet_init(&t, 3, w3);
    fmpq_one(t.W[1]);
    fmpq_one(t.W[2]);
    fmpq_one(t.W[3]);
    make_mlp(m, &t, FY_ARITH_EXACT, 128, n);
    assert_int_equal(fy_mlp_directional(c, m, 0, v, n, err), FY_OK);
    for (k = 0; k <= n; k++)
    {
        fmpq_poly_get_coeff_fmpq(q, tt, k);
        assert_true(fmpq_equal(fy_numvec_fmpq(c) + k, q));
    }
    fy_mlp_clear(m);
    /* the same in balls contains the exact coefficients */
    make_mlp(m, &t, FY_ARITH_BALL, 256, n);
    fy_numvec_clear(v);
    fy_numvec_init(v, FY_ARITH_BALL, 1, 256, NULL);
    arb_one(fy_numvec_arb(v));
    assert_int_equal(fy_mlp_directional(c, m, 0, v, n, err), FY_OK);
    for (k = 0; k <= n; k++)
    {
        fmpq_poly_get_coeff_fmpq(q, tt, k);
        assert_true(fy_arb_contains_fmpq(fy_numvec_arb(c) + k, q));
    }
    fy_mlp_clear(m);
    tnet_clear(&t);
    fy_numvec_clear(v);
    fy_numvec_clear(c);
    fmpq_poly_clear(x);
    fmpq_poly_clear(th);
    fmpq_poly_clear(tt);
    fmpq_poly_clear(sn);
    fmpq_clear(q);
}

/* Sum over the diagrams of fy_enum_mlp_trees of each diagram's contribution. */
static void diagram_sum(fy_symtensor_t S, fy_numvec_t dir, const fy_mlp_t m, int n,
                        const fy_numvec_t v)
{
    fy_diagram_list_t list;
    fy_eval_model_t model;
    fy_eval_t ev;
    fy_symtensor_t G;
    fy_numvec_t c;
    fy_error_t err;
    long i;
    slong r;

    fy_error_init(err);
    fy_diagram_list_init(list);
    if (fy_enum_mlp_trees(list, n, m->L - 1, err) != FY_OK)
        fail_msg("trees: %s", err->msg);
    fy_mlp_eval_model(model, m);
    fy_eval_init(ev, model);
    fy_symtensor_clear(S);
    fy_symtensor_init(S, m->arith, m->width[0], n, m->prec, NULL);
    fy_symtensor_init_empty(G);
    fy_numvec_clear(dir);
    fy_numvec_init(dir, m->arith, 1, m->prec, NULL);
    fy_numvec_init_empty(c);
    for (i = 0; i < list->n; i++)
    {
        if (fy_eval_tree_tensor(G, ev, list->d + i, 0, err) != FY_OK)
            fail_msg("eval tensor: %s", err->msg);
        assert_int_equal(fy_symtensor_add(S, S, G, err), FY_OK);
        if (fy_eval_tree_directional(c, ev, list->d + i, 0, v, err) != FY_OK)
            fail_msg("eval direction: %s", err->msg);
        assert_int_equal(fy_numvec_add(dir, dir, c, err), FY_OK);
    }
    (void) r;
    fy_numvec_clear(c);
    fy_symtensor_clear(G);
    fy_eval_clear(ev);
    fy_diagram_list_clear(list);
}

/* Random networks of depth 1..4 hidden layers: diagrams against the fused recursion. */
static void test_diagrams_vs_fused(void **state)
{
    static const char *acts_any[] = {"tanh", "sigmoid", "sin", "softplus"};
    static const char *acts_exact[] = {"tanh", "sin"};
    uint64_t st = fy_test_seed("diagrams_vs_fused");
    int trial;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 8; trial++)
    {
        int H = 1 + trial % 4, L = H + 1, w[8], l, n = H >= 3 ? 4 : 5, exact_ok;
        tnet t;
        fy_mlp_t mx;
        fy_symtensor_t F, S, Fb, Sb;
        fy_numvec_t v, dir, c, vb, dirb, cb;
        int ar;

        w[0] = 2 + (int) (fy_test_rand(&st) % 2);
        for (l = 1; l < L; l++)
            w[l] = 2 + (int) (fy_test_rand(&st) % 2);
        w[L] = 1;
        tnet_init(&t, L, w);
        exact_ok = trial % 2 == 0; /* every other trial: zero biases and exact-friendly */
        tnet_random(&t, &st, !exact_ok);
        for (l = 1; l < L; l++)
            t.act[l] = exact_ok ? acts_exact[fy_test_rand(&st) % 2]
                                : acts_any[fy_test_rand(&st) % 4];
        if (exact_ok && H >= 1 && fy_test_rand(&st) % 2)
            t.act[L - 1] = "sigmoid"; /* rational at 0 on the last hidden layer */
        for (ar = 0; ar < 3; ar++)
        {
            fy_arith_t arith = ar == 0 ? FY_ARITH_DOUBLE : ar == 1 ? FY_ARITH_BALL
                                                                   : FY_ARITH_EXACT;
            slong prec = 128;
            slong i;
            if (arith == FY_ARITH_EXACT && !exact_ok)
                continue;
            make_mlp(mx, &t, arith, prec, n);
            fy_symtensor_init_empty(F);
            fy_symtensor_init_empty(S);
            fy_numvec_init(v, arith, w[0], prec, NULL);
            fy_numvec_init_empty(dir);
            fy_numvec_init_empty(c);
            for (i = 0; i < w[0]; i++)
            {
                fmpq_t q;
                fmpq_init(q);
                fmpq_set_si(q, (slong) (fy_test_rand(&st) % 7) - 3, 4);
                fy_numvec_set_fmpq(v, i, q, err);
                fmpq_clear(q);
            }
            assert_int_equal(fy_mlp_tensor(F, mx, 0, n, err), FY_OK);
            diagram_sum(S, dir, mx, n, v);
            assert_int_equal(fy_mlp_directional(c, mx, 0, v, n, err), FY_OK);
            if (arith == FY_ARITH_DOUBLE)
            {
                double scale = 0, diff = fy_symtensor_max_abs_diff(F, S);
                for (i = 0; i < F->e.len; i++)
                    scale = fmax(scale, fabs(fy_numvec_d(&F->e)[i]));
                assert_true(diff <= 1e-11 * (1 + scale));
                assert_true(fabs(fy_numvec_d(c)[n] - fy_numvec_d(dir)[0]) <=
                            1e-11 * (1 + fabs(fy_numvec_d(dir)[0])));
            }
            else if (arith == FY_ARITH_BALL)
            {
                for (i = 0; i < F->e.len; i++)
                    assert_true(arb_overlaps(fy_numvec_arb(&F->e) + i, fy_numvec_arb(&S->e) + i));
                assert_true(arb_overlaps(fy_numvec_arb(c) + n, fy_numvec_arb(dir)));
                if (exact_ok)
                {
                    fy_symtensor_init_empty(Fb);
                    fy_symtensor_swap(Fb, F);
                    fy_symtensor_init_empty(Sb);
                    fy_symtensor_swap(Sb, S);
                    fy_numvec_init_empty(vb);
                    fy_numvec_init_empty(dirb);
                    fy_numvec_init_empty(cb);
                    fy_numvec_swap(cb, c);
                    fy_mlp_clear(mx);
                    fy_symtensor_clear(F);
                    fy_symtensor_clear(S);
                    fy_numvec_clear(v);
                    fy_numvec_clear(dir);
                    fy_numvec_clear(c);
                    /* exact on the same network: the balls must contain it */
                    make_mlp(mx, &t, FY_ARITH_EXACT, prec, n);
                    fy_symtensor_init_empty(F);
                    assert_int_equal(fy_mlp_tensor(F, mx, 0, n, err), FY_OK);
                    assert_true(fy_symtensor_contains(Fb, F));
                    assert_true(fy_symtensor_contains(Sb, F));
                    fy_symtensor_clear(Fb);
                    fy_symtensor_clear(Sb);
                    fy_numvec_clear(vb);
                    fy_numvec_clear(dirb);
                    fy_numvec_clear(cb);
                    fy_symtensor_clear(F);
                    fy_mlp_clear(mx);
                    continue;
                }
            }
            else
            {
                for (i = 0; i < F->e.len; i++)
                    assert_true(fmpq_equal(fy_numvec_fmpq(&F->e) + i,
                                           fy_numvec_fmpq(&S->e) + i));
                assert_true(fmpq_equal(fy_numvec_fmpq(c) + n, fy_numvec_fmpq(dir)));
            }
            fy_symtensor_clear(F);
            fy_symtensor_clear(S);
            fy_numvec_clear(v);
            fy_numvec_clear(dir);
            fy_numvec_clear(c);
            fy_mlp_clear(mx);
        }
        tnet_clear(&t);
    }
}

/* Exact arithmetic refuses irrational vertex values with a reason; ReLU vertices vanish. */
static void test_refusals_and_relu(void **state)
{
    int w[3] = {2, 3, 1}, k;
    uint64_t st = fy_test_seed("refusals_and_relu");
    tnet t;
    fy_net_t net;
    fy_mlp_t m;
    fy_error_t err;
    fy_numvec_t xbar;
    fy_symtensor_struct T[4];

    (void) state;
    fy_error_init(err);
    tnet_init(&t, 2, w);
    tnet_random(&t, &st, 0);
    fmpq_set_si(t.b[1], 1, 4);
    tnet_load(net, &t);
    fy_mlp_init(m);
    assert_int_equal(fy_mlp_set_net(m, net, fy_test_rules(), FY_ARITH_EXACT, 128, err), FY_OK);
    assert_int_equal(fy_mlp_set_point(m, NULL, 3, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "ball"));
    assert_non_null(strstr(err->msg, "tanh"));
    fy_mlp_clear(m);
    fy_net_clear(net);

    /* relu at a generic point: exact, orders >= 2 vanish, and a note says why */
    t.act[1] = "relu";
    tnet_random(&t, &st, 1);
    tnet_load(net, &t);
    fy_mlp_init(m);
    assert_int_equal(fy_mlp_set_net(m, net, fy_test_rules(), FY_ARITH_EXACT, 128, err), FY_OK);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 2, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(xbar), 1, 3);
    fmpq_set_si(fy_numvec_fmpq(xbar) + 1, 2, 7);
    assert_int_equal(fy_mlp_set_point(m, xbar, 3, err), FY_OK);
    assert_non_null(strstr(m->notes, "vanish"));
    for (k = 0; k <= 3; k++)
        fy_symtensor_init_empty(T + k);
    assert_int_equal(fy_mlp_derivatives(T, m, 0, 3, err), FY_OK);
    for (k = 2; k <= 3; k++)
        for (slong i = 0; i < T[k].e.len; i++)
            assert_true(fmpq_is_zero(fy_numvec_fmpq(&T[k].e) + i));
    /* order 1 is the propagator D^(2,0) */
    {
        fy_numvec_t D;
        fy_numvec_init_empty(D);
        assert_int_equal(fy_mlp_propagator(D, m, 2, 0, err), FY_OK);
        for (slong i = 0; i < 2; i++)
            assert_true(fmpq_equal(fy_numvec_fmpq(D) + i, fy_numvec_fmpq(&T[1].e) + i));
        fy_numvec_clear(D);
    }
    /* a memory limit refuses up front with the estimate */
    m->max_bytes = 100;
    assert_int_equal(fy_mlp_derivatives(T, m, 0, 3, err), FY_ENOMEM);
    assert_non_null(strstr(err->msg, "GiB"));
    for (k = 0; k <= 3; k++)
        fy_symtensor_clear(T + k);
    fy_numvec_clear(xbar);
    fy_mlp_clear(m);
    fy_net_clear(net);
    tnet_clear(&t);
}

/* The network PyTorch exported (examples/tiny_mlp.safetensors, F32 weights, tanh) against
 * torch.autograd's value, gradient, Hessian and third derivatives at 0, computed in float64
 * from the same weights (examples/tiny_mlp_derivs.json, written by export_pytorch.py): the
 * double tensors agree to rounding, and the ball tensors (certified) lie within 1e-14 of
 * torch's values (which carry float64 rounding of their own). */
static void test_pytorch_reference(void **state)
{
    char path[4096];
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t err;
    json_error_t jerr;
    json_t *root;
    int ar, k, i, j, l;

    (void) state;
    fy_error_init(err);
    root = json_load_file(fy_test_srcpath(path, sizeof path, "examples/tiny_mlp_derivs.json"), 0,
                          &jerr);
    if (root == NULL)
        fail_msg("%s: %s", path, jerr.text);
    fy_net_opts_init(o);
    fy_net_init(net);
    assert_int_equal(fy_net_load(net, fy_test_srcpath(path, sizeof path,
                                                      "examples/tiny_mlp.safetensors"), o, err),
                     FY_OK);
    for (ar = 0; ar < 2; ar++)
    {
        fy_arith_t arith = ar == 0 ? FY_ARITH_DOUBLE : FY_ARITH_BALL;
        fy_mlp_t m;
        fy_symtensor_struct T[4];
        fy_mlp_init(m);
        assert_int_equal(fy_mlp_set_net(m, net, fy_test_rules(), arith, 128, err), FY_OK);
        assert_int_equal(fy_mlp_set_point(m, NULL, 3, err), FY_OK);
        for (k = 0; k <= 3; k++)
            fy_symtensor_init_empty(T + k);
        assert_int_equal(fy_mlp_derivatives(T, m, 0, 3, err), FY_OK);
        for (k = 0; k <= 3; k++)
            for (i = 0; i < 3; i++)
                for (j = 0; j < 3; j++)
                    for (l = 0; l < 3; l++)
                    {
                        static const char *keys[4] = {"value", "gradient", "hessian", "third"};
                        int idx[3] = {i, j, l};
                        json_t *v = json_object_get(root, keys[k]);
                        double ref, got;
                        slong pos;
                        if ((k < 1 && i > 0) || (k < 2 && j > 0) || (k < 3 && l > 0))
                            continue;
                        if (k >= 1)
                            v = json_array_get(v, (size_t) i);
                        if (k >= 2)
                            v = json_array_get(v, (size_t) j);
                        if (k >= 3)
                            v = json_array_get(v, (size_t) l);
                        assert_non_null(v);
                        ref = json_number_value(v);
                        pos = fy_symtensor_index(T + k, idx);
                        got = arith == FY_ARITH_DOUBLE
                                  ? fy_numvec_d(&T[k].e)[pos]
                                  : arf_get_d(arb_midref(fy_numvec_arb(&T[k].e) + pos),
                                              ARF_RND_NEAR);
                        if (fabs(got - ref) > 1e-14 * (1 + fabs(ref)))
                            fail_msg("order %d entry %d,%d,%d: feynn %.17g, torch %.17g", k, i,
                                     j, l, got, ref);
                    }
        for (k = 0; k <= 3; k++)
            fy_symtensor_clear(T + k);
        fy_mlp_clear(m);
    }
    fy_net_clear(net);
    json_decref(root);
}

/* Symbolic tensors (polynomials in s_{l,a,k} = sigma_l^(k)(z^(l)_a)) evaluated at the network's
 * own vertex values equal the exact tensors of the fused recursion: quadratic activations with
 * biases (no vanishing vertex: every term of the rule counts), or zero-bias tanh/sin at 0,
 * whose vertex values are rational; depth 2..4, orders 2..4.  The variables
 * are matched by their printed names. */
static void test_symbolic_vs_exact(void **state)
{
    static const char *acts[] = {"tanh", "sin"};
    uint64_t st = fy_test_seed("symbolic_vs_exact");
    int trial;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 6; trial++)
    {
        int H = 1 + trial % 3, L = H + 1, w[6], l, n = 2 + trial % 3, k;
        tnet t;
        fy_mlp_t m;
        fy_symtensor_struct T[5];
        fmpq_mpoly_ctx_t ctx;
        fmpq_mpoly_struct *P;
        char **names;
        slong nv, v, i, len;
        fmpq *vals, **pv;
        fmpq_t y;

        w[0] = 2;
        for (l = 1; l < L; l++)
            w[l] = 2 + (int) (fy_test_rand(&st) % 2);
        w[L] = 1;
        tnet_init(&t, L, w);
        tnet_random(&t, &st, trial % 2 == 0);
        for (l = 1; l < L; l++)
            t.act[l] = trial % 2 == 0 ? "quadratic" : acts[fy_test_rand(&st) % 2];
        mlp_tensors(T, m, &t, FY_ARITH_EXACT, 128, n);
        assert_int_equal(fy_mlp_symbolic_vars(&names, &nv, m, n, err), FY_OK);
        fmpq_mpoly_ctx_init(ctx, nv, ORD_LEX);
        len = T[n].e.len;
        P = malloc(sizeof(fmpq_mpoly_struct) * (size_t) len);
        for (i = 0; i < len; i++)
            fmpq_mpoly_init(P + i, ctx);
        assert_int_equal(fy_mlp_symbolic_tensor(P, m, 0, n, ctx, err), FY_OK);
        /* the value of every variable, from its name, through fy_mlp_vertex */
        vals = _fmpq_vec_init(nv);
        pv = malloc(sizeof(fmpq *) * (size_t) (nv > 0 ? nv : 1));
        for (v = 0; v < nv; v++)
        {
            int vl, vk;
            long va;
            fy_numvec_t s;
            assert_int_equal(sscanf(names[v], "s_{%d,%ld,%d}", &vl, &va, &vk), 3);
            fy_numvec_init_empty(s);
            assert_int_equal(fy_mlp_vertex(s, m, vl, vk, err), FY_OK);
            fmpq_set(vals + v, fy_numvec_fmpq(s) + va);
            fy_numvec_clear(s);
            pv[v] = vals + v;
            free(names[v]);
        }
        free(names);
        fmpq_init(y);
        for (i = 0; i < len; i++)
        {
            assert_int_equal(fmpq_mpoly_evaluate_all_fmpq(y, P + i, pv, ctx), 1);
            assert_true(fmpq_equal(y, fy_numvec_fmpq(&T[n].e) + i));
        }
        fmpq_clear(y);
        for (i = 0; i < len; i++)
            fmpq_mpoly_clear(P + i, ctx);
        free(P);
        free(pv);
        _fmpq_vec_clear(vals, nv);
        fmpq_mpoly_ctx_clear(ctx);
        for (k = 0; k <= n; k++)
            fy_symtensor_clear(T + k);
        fy_mlp_clear(m);
        tnet_clear(&t);
    }
}

/* The entries of orders 1..n of T (T[k] for k = 1..n), concatenated as the raw kernels do. */
static slong tensors_len(const fy_symtensor_struct *T, int n)
{
    slong len = 0;
    int k;
    for (k = 1; k <= n; k++)
        len += T[k].e.len;
    return len;
}

/* Largest |entry| and largest radius of a ball tensor. */
static void ball_scale(double *maxabs, double *maxrad, const fy_symtensor_t T)
{
    slong i;
    *maxabs = *maxrad = 0;
    for (i = 0; i < T->e.len; i++)
    {
        arb_srcptr x = fy_numvec_arb(&T->e) + i;
        *maxabs = fmax(*maxabs, fabs(arf_get_d(arb_midref(x), ARF_RND_NEAR)));
        *maxrad = fmax(*maxrad, mag_get_d(arb_radref(x)));
    }
}

/* Ball tensors on block floating-point rows (num/fxball.h; the ball path for weights that are
 * exact doubles, up to 128 bits) against exact tensors: quadratic activations with biases
 * make every vertex value rational.  Depth 2..5, one hidden layer wider than the 256-term
 * blocks of the sliced product in some trials, weights far below the largest in others,
 * orders 1..5; every ball contains the exact value and is tight.  The raw kernel is called as
 * well, to see that it served these networks itself rather than handing them to Arb. */
static void test_ball_rows_contain_exact(void **state)
{
    uint64_t st = fy_test_seed("ball_rows_contain_exact");
    int trial;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 10; trial++)
    {
        int H = 1 + trial % 4, L = H + 1, w[8], l, k, n = trial % 5 + 1;
        tnet t;
        fy_mlp_t mb, mx;
        fy_symtensor_struct Tb[6], Tx[6];
        fy_numvec_t raw;
        slong i, off = 0;

        w[0] = 2 + (int) (fy_test_rand(&st) % 2);
        for (l = 1; l < L; l++)
            w[l] = 2 + (int) (fy_test_rand(&st) % 4);
        if (trial % 3 == 1)
            w[1 + (int) (fy_test_rand(&st) % (unsigned) H)] = 300;
        if (w[0] == 3 && n == 5)
            n = 4;
        w[L] = 1;
        tnet_init(&t, L, w);
        tnet_random(&t, &st, 1);
        for (l = 1; l < L; l++)
            t.act[l] = "quadratic";
        /* weights far below the largest: a few (kept apart from the digits by the product),
         * or many, some beyond 2^-60 of the largest (then cut, the cut bounded) */
        for (l = 2; l <= L && trial % 2 == 0; l++)
        {
            slong nw = (slong) w[l] * w[l - 1], many = trial % 4 == 2, j;
            for (j = 0; j < (many ? nw / 3 + 1 : 1); j++)
            {
                fmpq *q = t.W[l] + (slong) (fy_test_rand(&st) % (uint64_t) nw);
                fmpq_set_si(q, 2 * (slong) (fy_test_rand(&st) % 1000) + 1, 1);
                fmpq_div_2exp(q, q, 12 + (flint_bitcnt_t) (fy_test_rand(&st) % 110));
            }
        }
        mlp_tensors(Tb, mb, &t, FY_ARITH_BALL, 128, n);
        mlp_tensors(Tx, mx, &t, FY_ARITH_EXACT, 128, n);
        fy_numvec_init(raw, FY_ARITH_BALL, tensors_len(Tb, n), 128, NULL);
        assert_int_equal(_fy_mlp_tensors_fx(fy_numvec_arb(raw), mb, fy_numvec_arb(mb->W + 1),
                                            w[0], 0, n, 128, err),
                         FY_OK);
        for (k = 1; k <= n; k++)
        {
            double maxabs, maxrad;
            assert_true(fy_symtensor_contains(Tb + k, Tx + k));
            for (i = 0; i < Tx[k].e.len; i++)
                assert_true(arb_contains_fmpq(fy_numvec_arb(raw) + off + i,
                                              fy_numvec_fmpq(&Tx[k].e) + i));
            off += Tx[k].e.len;
            ball_scale(&maxabs, &maxrad, Tb + k);
            /* the rows carry 126 bits relative to their largest element; an entry can cancel
             * below that scale (here of order 1), so the bound is taken against it */
            if (maxrad > 0x1p-90 * fmax(maxabs, 1))
                fail_msg("trial %d order %d: radius %g against largest entry %g", trial, k,
                         maxrad, maxabs);
        }
        fy_numvec_clear(raw);
        for (k = 0; k <= n; k++)
        {
            fy_symtensor_clear(Tb + k);
            fy_symtensor_clear(Tx + k);
        }
        fy_mlp_clear(mb);
        fy_mlp_clear(mx);
        tnet_clear(&t);
    }
}

/* Weights that are not exact doubles (thirds) are declined by the block floating-point rows
 * and served by ordinary balls, which still contain the exact tensor; above 128 bits the
 * ordinary balls serve every network.  tanh with biases: the rows at 128 bits overlap
 * ordinary balls at 320 bits and stay within 1e-24 of the largest entry. */
static void test_ball_rows_decline_and_agree(void **state)
{
    int w[4] = {3, 4, 3, 1}, k, n = 4, i;
    uint64_t st = fy_test_seed("ball_rows_decline_and_agree");
    tnet t;
    fy_mlp_t mb, mh, mx;
    fy_symtensor_struct Tb[5], Th[5], Tx[5];
    fy_numvec_t raw;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    tnet_init(&t, 3, w);
    tnet_random(&t, &st, 0);
    for (i = 0; i < w[1] * w[0]; i++)
        fmpq_set_si(t.W[1] + i, (slong) (fy_test_rand(&st) % 7) - 3, 3);
    for (i = 0; i < w[2] * w[1]; i++)
        fmpq_set_si(t.W[2] + i, (slong) (fy_test_rand(&st) % 7) - 3, 3);
    make_mlp(mb, &t, FY_ARITH_BALL, 128, n);
    make_mlp(mx, &t, FY_ARITH_EXACT, 128, n);
    for (k = 0; k <= n; k++)
    {
        fy_symtensor_init_empty(Tb + k);
        fy_symtensor_init_empty(Th + k);
        fy_symtensor_init_empty(Tx + k);
    }
    fy_numvec_init(raw, FY_ARITH_BALL, 3 + 6 + 10 + 15, 128, NULL);
    assert_int_equal(_fy_mlp_tensors_fx(fy_numvec_arb(raw), mb, fy_numvec_arb(mb->W + 1), 3, 0,
                                        n, 128, err),
                     FY_MLP_DECLINE);
    assert_int_equal(err->code, FY_OK);
    assert_int_equal(fy_mlp_derivatives(Tb, mb, 0, n, err), FY_OK);
    assert_int_equal(fy_mlp_derivatives(Tx, mx, 0, n, err), FY_OK);
    for (k = 1; k <= n; k++)
        assert_true(fy_symtensor_contains(Tb + k, Tx + k));
    fy_mlp_clear(mb);
    fy_mlp_clear(mx);
    tnet_clear(&t);

    /* tanh with biases, dyadic weights: rows at 128 bits against Arb at 320 */
    tnet_init(&t, 3, w);
    tnet_random(&t, &st, 1);
    make_mlp(mb, &t, FY_ARITH_BALL, 128, n);
    make_mlp(mh, &t, FY_ARITH_BALL, 320, n);
    assert_int_equal(_fy_mlp_tensors_fx(fy_numvec_arb(raw), mb, fy_numvec_arb(mb->W + 1), 3, 0,
                                        n, 128, err),
                     FY_OK);
    assert_int_equal(fy_mlp_derivatives(Tb, mb, 0, n, err), FY_OK);
    assert_int_equal(fy_mlp_derivatives(Th, mh, 0, n, err), FY_OK);
    for (k = 1; k <= n; k++)
    {
        double maxabs, maxrad, habs, hrad;
        for (i = 0; i < Tb[k].e.len; i++)
            assert_true(arb_overlaps(fy_numvec_arb(&Tb[k].e) + i, fy_numvec_arb(&Th[k].e) + i));
        ball_scale(&maxabs, &maxrad, Tb + k);
        ball_scale(&habs, &hrad, Th + k);
        assert_true(maxrad <= 1e-24 * maxabs);
        assert_true(hrad <= 1e-70 * habs); /* the 320-bit balls came from Arb itself */
    }
    fy_numvec_clear(raw);
    for (k = 0; k <= n; k++)
    {
        fy_symtensor_clear(Tb + k);
        fy_symtensor_clear(Th + k);
        fy_symtensor_clear(Tx + k);
    }
    fy_mlp_clear(mb);
    fy_mlp_clear(mh);
    tnet_clear(&t);
}

/* The top order in many chunks (12 inputs, order 3: 364 rows of order 3, chunks of 256 or 512
 * rows; 24 inputs in double and balls, 2600 rows): exact tensors (zero biases, tanh) inside
 * the balls, doubles within 1e-12 of the ball midpoints. */
static void test_many_chunks(void **state)
{
    int w12[4] = {12, 6, 5, 1}, w24[4] = {24, 8, 6, 1}, k, n = 3, rep;
    uint64_t st = fy_test_seed("many_chunks");
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (rep = 0; rep < 2; rep++)
    {
        tnet t;
        fy_mlp_t mb, md, mx;
        fy_symtensor_struct Tb[4], Td[4], Tx[4];
        slong i;
        tnet_init(&t, 3, rep == 0 ? w12 : w24);
        tnet_random(&t, &st, rep == 1);
        mlp_tensors(Tb, mb, &t, FY_ARITH_BALL, 128, n);
        mlp_tensors(Td, md, &t, FY_ARITH_DOUBLE, 53, n);
        if (rep == 0)
        {
            mlp_tensors(Tx, mx, &t, FY_ARITH_EXACT, 128, n);
            for (k = 1; k <= n; k++)
                assert_true(fy_symtensor_contains(Tb + k, Tx + k));
            fy_mlp_clear(mx);
        }
        else
            for (k = 0; k <= n; k++)
                fy_symtensor_init_empty(Tx + k);
        for (k = 1; k <= n; k++)
        {
            double maxabs, maxrad;
            ball_scale(&maxabs, &maxrad, Tb + k);
            for (i = 0; i < Td[k].e.len; i++)
                assert_true(fabs(fy_numvec_d(&Td[k].e)[i] -
                                 arf_get_d(arb_midref(fy_numvec_arb(&Tb[k].e) + i),
                                           ARF_RND_NEAR)) <= 1e-12 * maxabs);
        }
        for (k = 0; k <= n; k++)
        {
            fy_symtensor_clear(Tb + k);
            fy_symtensor_clear(Td + k);
            fy_symtensor_clear(Tx + k);
        }
        fy_mlp_clear(mb);
        fy_mlp_clear(md);
        tnet_clear(&t);
    }
}

/* Ranking puts the largest contribution first. */
static void test_rank(void **state)
{
    fy_numvec_t v;
    long perm[4];
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_numvec_init(v, FY_ARITH_EXACT, 4, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(v), 1, 3);
    fmpq_set_si(fy_numvec_fmpq(v) + 1, -1, 2);
    fmpq_set_si(fy_numvec_fmpq(v) + 2, 1, 100);
    fmpq_set_si(fy_numvec_fmpq(v) + 3, 2, 5);
    assert_int_equal(fy_eval_rank(perm, v, err), FY_OK);
    assert_int_equal(perm[0], 1);
    assert_int_equal(perm[1], 3);
    assert_int_equal(perm[2], 0);
    assert_int_equal(perm[3], 2);
    fy_numvec_clear(v);
}

/* ------------------------------------------------------------------ random ball inputs */

/* x re-made as len balls at prec bits from fy_arb_randtest (magnitudes 2^-2 .. 2^2 so that the
 * network stays in range; radii exact, rounding-sized, medium or wide). */
static void random_ball_vec(fy_numvec_t x, uint64_t *st, slong len, slong prec)
{
    fy_error_t err;
    slong i;
    fy_error_init(err);
    assert_int_equal(fy_numvec_set_shape(x, FY_ARITH_BALL, len, prec, err), FY_OK);
    for (i = 0; i < len; i++)
        fy_arb_randtest(fy_numvec_arb(x) + i, st, prec, 2);
}

/* The reference at an exact point q (direction qv): exact tensors and coefficients for a
 * polynomial activation, balls at hi bits otherwise (q and qv are dyadic, so exact there). */
static void mlp_at_point(fy_symtensor_struct *T, fy_numvec_t c, const fy_net_t net,
                         fy_arith_t arith, slong hi, const fy_numvec_t q, const fy_numvec_t qv,
                         int n)
{
    fy_mlp_t m;
    fy_error_t err;
    fy_error_init(err);
    fy_mlp_init(m);
    if (fy_mlp_set_net(m, net, fy_test_rules(), arith, hi, err) != FY_OK ||
        fy_mlp_set_point(m, q, n, err) != FY_OK || fy_mlp_derivatives(T, m, 0, n, err) != FY_OK)
        fail_msg("reference: %s", err->msg);
    if (arith == FY_ARITH_BALL)
    {
        fy_numvec_t vb;
        fy_numvec_init_empty(vb);
        assert_int_equal(fy_numvec_convert(vb, FY_ARITH_BALL, hi, qv, err), FY_OK);
        assert_int_equal(fy_mlp_directional(c, m, 0, vb, n, err), FY_OK);
        fy_numvec_clear(vb);
    }
    else
        assert_int_equal(fy_mlp_directional(c, m, 0, qv, n, err), FY_OK);
    fy_mlp_clear(m);
}

/* Entry r of the ball result x contains the reference entry r of y: y exact (fmpq) or a ball
 * at higher precision (then contained whole). */
static int ball_contains_ref(const fy_numvec_t x, const fy_numvec_t y, slong r)
{
    if (y->arith == FY_ARITH_EXACT)
        return arb_contains_fmpq(fy_numvec_arb(x) + r, fy_numvec_fmpq(y) + r);
    return arb_contains(fy_numvec_arb(x) + r, fy_numvec_arb(y) + r);
}

/* Ball inputs at random precisions (32..512 bits) with random radii (fy_arb_randtest): the
 * derivative tensors of orders 0..n at a ball point xbar and the Taylor coefficients along a
 * ball direction v contain the values at exact points q of xbar and qv of v drawn inside the
 * balls (fy_numvec_randtest_point: ends, midpoints, interior points) - computed exactly for
 * the polynomial activation "quadratic", as balls at 2 prec + 64 bits at the exact points for
 * tanh and sin.  Random networks (widths 1..3, one or two hidden layers, weights k/16). */
static void test_random_ball_inputs(void **state)
{
    static const char *acts[] = {"quadratic", "tanh", "sin"};
    uint64_t st = fy_test_seed("mlp_random_ball_inputs");
    fy_error_t err;
    fy_numvec_t x, v, q, qv, cb, cr;
    fy_symtensor_struct Tb[4], Tr[4];
    int it, k, j;
    (void) state;

    fy_error_init(err);
    fy_numvec_init_empty(x);
    fy_numvec_init_empty(v);
    fy_numvec_init_empty(q);
    fy_numvec_init_empty(qv);
    fy_numvec_init_empty(cb);
    fy_numvec_init_empty(cr);
    for (k = 0; k < 4; k++)
    {
        fy_symtensor_init_empty(Tb + k);
        fy_symtensor_init_empty(Tr + k);
    }
    for (it = 0; it < 30; it++)
    {
        const char *act = acts[it % 3];
        int L = (int) fy_randtest_range(&st, 2, 3), w[4], n = (int) fy_randtest_range(&st, 0, 3);
        slong prec = fy_randtest_range(&st, 32, 512), r;
        fy_arith_t ref = it % 3 == 0 ? FY_ARITH_EXACT : FY_ARITH_BALL;
        fy_net_t net;
        fy_mlp_t mb;
        for (k = 0; k <= L; k++)
            w[k] = k == L ? 1 : (int) fy_randtest_range(&st, 1, 3);
        fy_test_random_net(net, w, L, act, &st, 1);
        random_ball_vec(x, &st, w[0], prec);
        random_ball_vec(v, &st, w[0], prec);
        fy_mlp_init(mb);
        if (fy_mlp_set_net(mb, net, fy_test_rules(), FY_ARITH_BALL, prec, err) != FY_OK ||
            fy_mlp_set_point(mb, x, n, err) != FY_OK ||
            fy_mlp_derivatives(Tb, mb, 0, n, err) != FY_OK ||
            fy_mlp_directional(cb, mb, 0, v, n, err) != FY_OK)
            fail_msg("%s at %ld bits: %s", act, (long) prec, err->msg);
        for (j = 0; j < 3; j++)
        {
            assert_int_equal(fy_numvec_randtest_point(q, &st, x, err), FY_OK);
            assert_int_equal(fy_numvec_randtest_point(qv, &st, v, err), FY_OK);
            mlp_at_point(Tr, cr, net, ref, 2 * prec + 64, q, qv, n);
            for (k = 0; k <= n; k++)
                for (r = 0; r < fy_symtensor_len(Tb + k); r++)
                    if (!ball_contains_ref(&Tb[k].e, &Tr[k].e, r))
                        fail_msg("%s at %ld bits, order %d entry %ld: the ball misses the value "
                                 "at a point of the input balls", act, (long) prec, k, (long) r);
            for (r = 0; r <= n; r++)
                if (!ball_contains_ref(cb, cr, r))
                    fail_msg("%s at %ld bits: directional coefficient %ld misses the value at "
                             "a point of the input balls", act, (long) prec, (long) r);
        }
        fy_mlp_clear(mb);
        fy_net_clear(net);
    }
    for (k = 0; k < 4; k++)
    {
        fy_symtensor_clear(Tb + k);
        fy_symtensor_clear(Tr + k);
    }
    fy_numvec_clear(x);
    fy_numvec_clear(v);
    fy_numvec_clear(q);
    fy_numvec_clear(qv);
    fy_numvec_clear(cb);
    fy_numvec_clear(cr);
    fy_error_clear(err);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_one_hidden_closed_form),
    cmocka_unit_test(test_one_hidden_ball_biases),
    cmocka_unit_test(test_polynomial_exact),
    cmocka_unit_test(test_high_order_directional),
    cmocka_unit_test(test_diagrams_vs_fused),
    cmocka_unit_test(test_refusals_and_relu),
    cmocka_unit_test(test_rank),
    cmocka_unit_test(test_pytorch_reference),
    cmocka_unit_test(test_symbolic_vs_exact),
    cmocka_unit_test(test_ball_rows_contain_exact),
    cmocka_unit_test(test_ball_rows_decline_and_agree),
    cmocka_unit_test(test_many_chunks),
    cmocka_unit_test(test_random_ball_inputs),
};

FY_TEST_MAIN("mlp", tests)
