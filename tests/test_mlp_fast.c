/* Tests of the mlp module's activation series (issue 16 / issue 10 item 17): the vertex values
 * sigma^(k)(z) by the activation's Taylor recurrence in the working arithmetic, and the
 * directional coefficients built on them, against independent routes:
 *   - the exact vertex polynomials P_k (rules module), evaluated in 1024-bit balls at the
 *     value sigma(z): ball vertex values overlap them and are about as tight as the polynomial
 *     route at the same precision, double ones agree to rounding;
 *   - the Taylor-mode AD of the jet module (its own recurrences, written per activation by
 *     name), on random networks of every activation the rules define, in double (within a
 *     rounding scale: the same computation on absolute values), 256-bit balls (overlap, radii
 *     no wider than the jet's by more than a small factor) and exact rationals (equality);
 *   - one tanh neuron to order 1000: double against 256-bit balls;
 *   - fy_activation_poly_next against fy_activation_poly, and fy_activation_eval_poly_fmpq
 *     against fy_activation_eval_fmpq (exact equality);
 *   - the reusable workspace: fy_mlp_derivatives_work against fy_mlp_derivatives. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_poly.h>

#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "mlputil.h"
#include "testutil.h"

static const char *const acts[] = {"tanh", "sigmoid", "softplus", "exp", "sin",
                                   "cos",  "erf",     "relu",     "identity", "quadratic"};
#define NACTS ((int) (sizeof acts / sizeof acts[0]))

/* ------------------------------------------------------------------ vertex values */

/* sigma^(k)(z) by the exact polynomial route at 1024 bits: P_k(u) with u = sigma(z) (closure),
 * base(z) = sigma'(z) (antiderivative), z (polynomial; hermite times A exp(-z^2)); cycles and
 * piecewise linear by the activation's own evaluation. */
static void vertex_ref(arb_t res, double *absscale, const fy_activation_struct *a, int k,
                       const arb_t z)
{
    const slong hp = 1024;
    fmpq_poly_t P;
    arb_poly_t Q;
    arb_t u, t;
    fy_error_t err;

    fy_error_init(err);
    if (k == 0 || a->def == FY_ACT_CYCLE || a->def == FY_ACT_PIECEWISE_LINEAR)
    {
        if (fy_activation_eval_arb(res, a, (ulong) k, z, hp, err) != FY_OK)
            fail_msg("%s: %s", a->name, err->msg);
        *absscale = fabs(arf_get_d(arb_midref(res), ARF_RND_NEAR));
        return;
    }
    fmpq_poly_init(P);
    arb_poly_init(Q);
    arb_init(u);
    arb_init(t);
    assert_int_equal(fy_activation_poly(P, a, (ulong) k, err), FY_OK);
    if (a->def == FY_ACT_CLOSURE)
        assert_int_equal(fy_activation_eval_arb(u, a, 0, z, hp, err), FY_OK);
    else if (a->def == FY_ACT_ANTIDERIVATIVE)
        assert_int_equal(fy_activation_eval_arb(u, a, 1, z, hp, err), FY_OK);
    else
        arb_set(u, z);
    /* the sum of |terms| of P_k(u), the scale of rounding errors in any route */
    {
        fmpq_poly_t Pa;
        arb_t ua;
        fmpq_poly_init(Pa);
        arb_init(ua);
        fmpq_poly_set(Pa, P);
        {
            slong i;
            for (i = 0; i < Pa->length; i++)
                fmpz_abs(Pa->coeffs + i, Pa->coeffs + i);
        }
        arb_abs(ua, u);
        arb_poly_set_fmpq_poly(Q, Pa, hp);
        arb_poly_evaluate(t, Q, ua, hp);
        *absscale = arf_get_d(arb_midref(t), ARF_RND_NEAR);
        fmpq_poly_clear(Pa);
        arb_clear(ua);
    }
    arb_poly_set_fmpq_poly(Q, P, hp);
    arb_poly_evaluate(res, Q, u, hp);
    if (a->def == FY_ACT_HERMITE)
    {
        arb_sqr(t, z, hp);
        arb_neg(t, t);
        arb_exp(t, t, hp);
        arb_mul(res, res, t, hp);
        *absscale *= fabs(arf_get_d(arb_midref(t), ARF_RND_NEAR));
        assert_int_equal(fy_rules_expr_eval_arb(t, a->prefactor, z, hp, err), FY_OK);
        arb_mul(res, res, t, hp);
        *absscale *= fabs(arf_get_d(arb_midref(t), ARF_RND_NEAR));
    }
    fmpq_poly_clear(P);
    arb_poly_clear(Q);
    arb_clear(u);
    arb_clear(t);
}

/* One neuron 1-1-1 with W1 = 1 and bias b: z^(1) = b.  Vertex values up to order 30 in balls
 * (128 bits) and double against the polynomial route; radii within 2^20 of the radius the
 * polynomial route itself gets at 128 bits (fy_activation_eval_arb). */
static void test_vertex_values(void **state)
{
    static const char *const bs[] = {"1/2", "-3/4", "0", "5/4"};
    const int n = 30;
    int ia, ib, k;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (ia = 0; ia < NACTS; ia++)
        for (ib = 0; ib < 4; ib++)
        {
            char text[256];
            fy_net_t net;
            fy_net_opts_t o;
            fy_mlp_t mb, md;
            fy_numvec_t vb, vd;
            const fy_activation_struct *a = fy_rules_activation(fy_test_rules(), acts[ia]);
            arb_t ref, z, old;

            assert_non_null(a);
            snprintf(text, sizeof text, "feynn-model 1\ninput 1\nlayer 1 activation %s\n1\n"
                     "bias %s\nlayer 1\n1\nbias 0\n", acts[ia], bs[ib]);
            fy_net_opts_init(o);
            fy_net_init(net);
            assert_int_equal(fy_net_read_text_buffer(net, text, strlen(text), "<t>", o, err),
                             FY_OK);
            fy_test_make_mlp(mb, net, FY_ARITH_BALL, 128, n);
            fy_test_make_mlp(md, net, FY_ARITH_DOUBLE, 53, n);
            fy_numvec_init_empty(vb);
            fy_numvec_init_empty(vd);
            arb_init(ref);
            arb_init(z);
            arb_init(old);
            arb_set(z, fy_numvec_arb(mb->z + 1));
            for (k = 0; k <= n; k++)
            {
                arb_srcptr got;
                double dref, dgot, scale;
                assert_int_equal(fy_mlp_vertex(vb, mb, 1, k, err), FY_OK);
                assert_int_equal(fy_mlp_vertex(vd, md, 1, k, err), FY_OK);
                got = fy_numvec_arb(vb);
                vertex_ref(ref, &scale, a, k, z);
                if (!arb_overlaps(got, ref))
                    fail_msg("%s at %s, k = %d: %s misses %s", acts[ia], bs[ib], k,
                             arb_get_str(got, 30, 0), arb_get_str(ref, 30, 0));
                /* as tight as the polynomial route at the same precision (within 2^20), or
                 * within a few units of the last of 128 bits (the polynomial route is
                 * exact at exact rational sigma(z), e.g. tanh at 0; the series rounds), relative
                 * to the sum of |terms| of P_k (a value may vanish by cancellation) */
                assert_int_equal(fy_activation_eval_arb(old, a, (ulong) k, z, 128, err), FY_OK);
                if (mag_get_d(arb_radref(got)) > ldexp(scale, -118) &&
                    mag_cmp(arb_radref(got), arb_radref(old)) > 0)
                {
                    mag_t lim;
                    mag_init(lim);
                    mag_mul_2exp_si(lim, arb_radref(old), 20);
                    if (mag_cmp(arb_radref(got), lim) > 0)
                        fail_msg("%s at %s, k = %d: radius %g, the polynomial route's %g",
                                 acts[ia], bs[ib], k, mag_get_d(arb_radref(got)),
                                 mag_get_d(arb_radref(old)));
                    mag_clear(lim);
                }
                dref = arf_get_d(arb_midref(ref), ARF_RND_NEAR);
                dgot = fy_numvec_d(vd)[0];
                if (!(fabs(dgot - dref) <= 1e-13 * scale + 1e-300))
                    fail_msg("%s at %s, k = %d: double %.17g, reference %.17g", acts[ia],
                             bs[ib], k, dgot, dref);
            }
            arb_clear(ref);
            arb_clear(z);
            arb_clear(old);
            fy_numvec_clear(vb);
            fy_numvec_clear(vd);
            fy_mlp_clear(mb);
            fy_mlp_clear(md);
            fy_net_clear(net);
        }
}

/* tanh at z = 1/2 to order 300 in 256-bit balls against P_300(tanh(1/2)) at 1024 bits (the
 * polynomial route in double would overflow past order ~164; the series does not). */
static void test_vertex_high_order(void **state)
{
    const char *text = "feynn-model 1\ninput 1\nlayer 1 activation tanh\n1\nbias 1/2\n"
                       "layer 1\n1\nbias 0\n";
    const int n = 300;
    fy_net_t net;
    fy_net_opts_t o;
    fy_mlp_t m;
    fy_numvec_t v;
    fy_error_t err;
    arb_t ref, z;
    double scale;
    int k;

    (void) state;
    fy_error_init(err);
    fy_net_opts_init(o);
    fy_net_init(net);
    assert_int_equal(fy_net_read_text_buffer(net, text, strlen(text), "<t>", o, err), FY_OK);
    fy_test_make_mlp(m, net, FY_ARITH_BALL, 256, n);
    fy_numvec_init_empty(v);
    arb_init(ref);
    arb_init(z);
    arb_set_d(z, 0.5);
    for (k = 100; k <= n; k += 100)
    {
        arb_srcptr got;
        assert_int_equal(fy_mlp_vertex(v, m, 1, k, err), FY_OK);
        got = fy_numvec_arb(v);
        vertex_ref(ref, &scale, fy_rules_activation(fy_test_rules(), "tanh"), k, z);
        assert_true(arb_overlaps(got, ref));
        assert_true(arb_rel_accuracy_bits(got) > 200);
    }
    arb_clear(ref);
    arb_clear(z);
    fy_numvec_clear(v);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

/* ------------------------------------------------------------------ directions */

/* The absolute-value computation (cmd_taylor's error scale): W, s, direction made absolute,
 * abs_terms set; c_k bounds |c_k| term by term. */
static void abs_coeffs(fy_numvec_t scale, const fy_net_t net, const double *v, int n)
{
    fy_mlp_t m;
    fy_numvec_t va;
    fy_error_t err;
    slong i, d = (slong) net->widths[0];
    int l;

    fy_error_init(err);
    fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, n);
    m->abs_terms = 1;
    for (l = 1; l <= m->L; l++)
    {
        for (i = 0; i < m->W[l].len; i++)
            fy_numvec_d(m->W + l)[i] = fabs(fy_numvec_d(m->W + l)[i]);
        if (l < m->L)
            for (i = 0; i < m->s[l].len; i++)
                fy_numvec_d(m->s + l)[i] = fabs(fy_numvec_d(m->s + l)[i]);
    }
    fy_numvec_init(va, FY_ARITH_DOUBLE, d, 53, NULL);
    for (i = 0; i < d; i++)
        fy_numvec_d(va)[i] = fabs(v[i]);
    if (fy_mlp_directional(scale, m, 0, va, n, err) != FY_OK)
        fail_msg("abs directional: %s", err->msg);
    fy_numvec_clear(va);
    fy_mlp_clear(m);
}

/* Random networks (2 or 3 hidden layers, biases) of every activation, order 40, direction
 * k/8: double against the jet within 1e-11 of the absolute scale (which also bounds |c_k|),
 * 256-bit balls overlapping the jet's with radii within 2^10 of them (or below 2^-200 of the
 * scale). */
static void test_directional_vs_jet(void **state)
{
    static const int w3[4] = {3, 4, 3, 1}, w4[5] = {3, 3, 4, 2, 1};
    const int n = 40;
    const slong prec = 256;
    unsigned long seed = fy_test_seed("directional_vs_jet");
    uint64_t st = seed;
    int ia, rep;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (ia = 0; ia < NACTS; ia++)
        for (rep = 0; rep < 2; rep++)
        {
            const int *w = rep == 0 ? w3 : w4, L = rep == 0 ? 3 : 4;
            fy_net_t net;
            fy_mlp_t md, mb;
            fy_jet_net_t J;
            fy_numvec_t vd, vb, cd, cb, sc;
            double v[3], *jd = malloc(sizeof(double) * (n + 1));
            arb_ptr jb = _arb_vec_init(n + 1);
            int i, k, jet_ok;

            fy_test_random_net(net, w, L, acts[ia], &st, 1);
            for (i = 0; i < 3; i++)
                v[i] = (double) ((long) (fy_test_rand(&st) % 17) - 8) / 8.0;
            fy_numvec_init(vd, FY_ARITH_DOUBLE, 3, 53, NULL);
            fy_numvec_init(vb, FY_ARITH_BALL, 3, prec, NULL);
            fy_numvec_init_empty(cd);
            fy_numvec_init_empty(cb);
            fy_numvec_init_empty(sc);
            for (i = 0; i < 3; i++)
            {
                fy_numvec_d(vd)[i] = v[i];
                arb_set_d(fy_numvec_arb(vb) + i, v[i]);
            }
            fy_test_make_mlp(md, net, FY_ARITH_DOUBLE, 53, n);
            fy_test_make_mlp(mb, net, FY_ARITH_BALL, prec, n);
            assert_int_equal(fy_mlp_directional(cd, md, 0, vd, n, err), FY_OK);
            assert_int_equal(fy_mlp_directional(cb, mb, 0, vb, n, err), FY_OK);
            abs_coeffs(sc, net, v, n);
            fy_jet_net_init(J);
            jet_ok = fy_jet_net_set(J, net, err) == FY_OK;
            if (!jet_ok && strcmp(acts[ia], "quadratic") != 0)
                fail_msg("jet refuses %s: %s", acts[ia], err->msg);
            if (jet_ok)
            {
                /* relu at a pre-activation exactly 0: the jet refuses (no expansion), the
                 * mlp module takes the left slope; nothing to compare */
                if (fy_jet_dir_d(jd, J, NULL, v, n, err) != FY_OK ||
                    fy_jet_dir_arb(jb, J, NULL, fy_numvec_arb(vb), n, prec, err) != FY_OK)
                {
                    if (strcmp(acts[ia], "relu") != 0 || !strstr(err->msg, "exactly 0"))
                        fail_msg("%s rep %d: jet: %s", acts[ia], rep, err->msg);
                    jet_ok = 0;
                }
            }
            for (k = 0; k <= n; k++)
            {
                double s = fabs(fy_numvec_d(sc)[k]), c = fy_numvec_d(cd)[k];
                arb_srcptr x = fy_numvec_arb(cb) + k;
                double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
                /* the absolute computation bounds the coefficient (c_0 = F(xbar) is
                 * not made absolute) */
                if (!(fabs(mid) <= s * (1 + 1e-12) + 1e-300))
                    fail_msg("%s rep %d: |c_%d| = %g above its absolute scale %g", acts[ia],
                             rep, k, mid, s);
                if (!(fabs(c - mid) <= 1e-11 * s + 1e-300))
                    fail_msg("%s rep %d: c_%d double %.17g, ball %.17g (scale %g)", acts[ia],
                             rep, k, c, mid, s);
                if (!jet_ok)
                    continue;
                if (!(fabs(c - jd[k]) <= 1e-11 * s + 1e-300))
                    fail_msg("%s rep %d: c_%d double %.17g, jet %.17g (scale %g)", acts[ia],
                             rep, k, c, jd[k], s);
                if (!arb_overlaps(x, jb + k))
                    fail_msg("%s rep %d: c_%d ball %s misses the jet's %s", acts[ia], rep, k,
                             arb_get_str(x, 20, 0), arb_get_str(jb + k, 20, 0));
                if (mag_cmp_2exp_si(arb_radref(x), -200) > 0 &&
                    mag_get_d(arb_radref(x)) > 1024 * mag_get_d(arb_radref(jb + k)) &&
                    mag_get_d(arb_radref(x)) > ldexp(s, -200))
                    fail_msg("%s rep %d: c_%d radius %g, the jet's %g", acts[ia], rep, k,
                             mag_get_d(arb_radref(x)), mag_get_d(arb_radref(jb + k)));
            }
            fy_jet_net_clear(J);
            fy_mlp_clear(md);
            fy_mlp_clear(mb);
            fy_numvec_clear(vd);
            fy_numvec_clear(vb);
            fy_numvec_clear(cd);
            fy_numvec_clear(cb);
            fy_numvec_clear(sc);
            free(jd);
            _arb_vec_clear(jb, n + 1);
            fy_net_clear(net);
        }
}

/* Exact arithmetic where the vertex values are rational (zero biases at 0; two hidden layers
 * only for activations with sigma(0) = 0, else the second layer's z is not 0): the exact
 * directional coefficients equal the jet's, order 24. */
static void test_directional_exact(void **state)
{
    static const char *const ex[] = {"tanh", "sin", "identity", "quadratic", "sigmoid", "exp",
                                     "cos", "softplus"};
    static const int w2[3] = {2, 3, 1}, w3[4] = {2, 3, 2, 1};
    const int n = 24;
    unsigned long seed = fy_test_seed("directional_exact");
    uint64_t st = seed;
    size_t ia;
    fy_error_t err;

    (void) state;
    fy_error_init(err);
    for (ia = 0; ia < sizeof ex / sizeof ex[0]; ia++)
    {
        int deep = ia < 4, k, i, L = deep ? 3 : 2;
        fy_net_t net;
        fy_mlp_t m;
        fy_jet_net_t J;
        fy_numvec_t v, c;
        fmpq *jc = _fmpq_vec_init(n + 1), *vq = _fmpq_vec_init(2);

        fy_test_random_net(net, deep ? w3 : w2, L, ex[ia], &st, 0);
        fy_numvec_init(v, FY_ARITH_EXACT, 2, 128, NULL);
        fy_numvec_init_empty(c);
        for (i = 0; i < 2; i++)
        {
            fmpq_set_si(vq + i, (long) (fy_test_rand(&st) % 9) - 4, 4);
            fmpq_set(fy_numvec_fmpq(v) + i, vq + i);
        }
        fy_mlp_init(m);
        assert_int_equal(fy_mlp_set_net(m, net, fy_test_rules(), FY_ARITH_EXACT, 128, err), FY_OK);
        if (fy_mlp_set_point(m, NULL, n, err) != FY_OK)
        {
            /* softplus(0) = log 2 is irrational: refused, naming ball arithmetic */
            assert_string_equal(ex[ia], "softplus");
            assert_non_null(strstr(err->msg, "ball"));
        }
        else
        {
            assert_int_equal(fy_mlp_directional(c, m, 0, v, n, err), FY_OK);
            fy_jet_net_init(J);
            if (fy_jet_net_set(J, net, err) == FY_OK)
            {
                assert_int_equal(fy_jet_dir_fmpq(jc, J, NULL, vq, n, err), FY_OK);
                for (k = 0; k <= n; k++)
                    if (!fmpq_equal(fy_numvec_fmpq(c) + k, jc + k))
                        fail_msg("%s: c_%d differs from the jet's", ex[ia], k);
            }
            else
                assert_string_equal(ex[ia], "quadratic");
            fy_jet_net_clear(J);
        }
        fy_mlp_clear(m);
        fy_numvec_clear(v);
        fy_numvec_clear(c);
        _fmpq_vec_clear(jc, n + 1);
        _fmpq_vec_clear(vq, 2);
        fy_net_clear(net);
    }
}

/* One tanh neuron (bias 1/2) to order 1000 along v = 1: double agrees with 256-bit balls
 * entry by entry (the coefficients fall to about 1e-217; nothing overflows), the balls are
 * tight, and c_k is tanh's Taylor coefficient at 1/2, checked at k = 1..3 by closed forms. */
static void test_order_1000(void **state)
{
    const char *text = "feynn-model 1\ninput 1\nlayer 1 activation tanh\n1\nbias 1/2\n"
                       "layer 1\n1\nbias 0\n";
    const int n = 1000;
    fy_net_t net;
    fy_net_opts_t o;
    fy_mlp_t md, mb;
    fy_numvec_t vd, vb, cd, cb;
    fy_error_t err;
    double t = tanh(0.5), closed[4];
    int k;

    (void) state;
    fy_error_init(err);
    fy_net_opts_init(o);
    fy_net_init(net);
    assert_int_equal(fy_net_read_text_buffer(net, text, strlen(text), "<t>", o, err), FY_OK);
    fy_test_make_mlp(md, net, FY_ARITH_DOUBLE, 53, n);
    fy_test_make_mlp(mb, net, FY_ARITH_BALL, 256, n);
    fy_numvec_init(vd, FY_ARITH_DOUBLE, 1, 53, NULL);
    fy_numvec_init(vb, FY_ARITH_BALL, 1, 256, NULL);
    fy_numvec_init_empty(cd);
    fy_numvec_init_empty(cb);
    fy_numvec_d(vd)[0] = 1;
    arb_one(fy_numvec_arb(vb));
    assert_int_equal(fy_mlp_directional(cd, md, 0, vd, n, err), FY_OK);
    assert_int_equal(fy_mlp_directional(cb, mb, 0, vb, n, err), FY_OK);
    closed[0] = t;
    closed[1] = 1 - t * t;
    closed[2] = -t * (1 - t * t);
    closed[3] = (1 - t * t) * (3 * t * t - 1) / 3;
    for (k = 0; k <= n; k++)
    {
        arb_srcptr x = fy_numvec_arb(cb) + k;
        double mid = arf_get_d(arb_midref(x), ARF_RND_NEAR), c = fy_numvec_d(cd)[k];
        assert_true(isfinite(c));
        if (k <= 3)
            assert_true(fabs(mid - closed[k]) <= 1e-15);
        assert_true(arb_rel_accuracy_bits(x) > 200);
        if (!(fabs(c - mid) <= 1e-9 * fabs(mid)))
            fail_msg("c_%d: double %.17g, ball %.17g", k, c, mid);
    }
    fy_numvec_clear(vd);
    fy_numvec_clear(vb);
    fy_numvec_clear(cd);
    fy_numvec_clear(cb);
    fy_mlp_clear(md);
    fy_mlp_clear(mb);
    fy_net_clear(net);
}

/* ------------------------------------------------------------------ exact polynomials */

static void test_poly_next(void **state)
{
    int ia, k;
    fy_error_t err;
    fmpq_t zero, v1, v2;

    (void) state;
    fy_error_init(err);
    fmpq_init(zero);
    fmpq_init(v1);
    fmpq_init(v2);
    for (ia = 0; ia < NACTS; ia++)
    {
        const fy_activation_struct *a = fy_rules_activation(fy_test_rules(), acts[ia]);
        fmpq_poly_t P, Q;
        fmpq_poly_init(P);
        fmpq_poly_init(Q);
        for (k = 1; k <= 25; k++)
        {
            int s1 = fy_activation_poly_next(P, a, (ulong) k, NULL);
            int s2 = fy_activation_poly(Q, a, (ulong) k, NULL);
            assert_int_equal(s1, s2);
            if (s1 != FY_OK)
                continue;
            if (!fmpq_poly_equal(P, Q))
                fail_msg("%s: P_%d one step differs from P_%d from scratch", acts[ia], k, k);
            s1 = fy_activation_eval_poly_fmpq(v1, a, (ulong) k, P, zero, NULL);
            s2 = fy_activation_eval_fmpq(v2, a, (ulong) k, zero, NULL);
            assert_int_equal(s1, s2);
            if (s1 == FY_OK)
                assert_true(fmpq_equal(v1, v2));
        }
        fmpq_poly_clear(P);
        fmpq_poly_clear(Q);
    }
    fmpq_clear(zero);
    fmpq_clear(v1);
    fmpq_clear(v2);
}

/* ------------------------------------------------------------------ workspace */

/* fy_mlp_derivatives_work equals fy_mlp_derivatives entry for entry (the same kernel, its
 * tables from the workspace), over repeated calls, orders going up and down and two
 * networks sharing one workspace; once a call has been made twice the workspace stops
 * growing (no allocation per call in a loop). */
static void test_workspace(void **state)
{
    static const int w1[5] = {5, 6, 5, 4, 1}, w2[4] = {4, 7, 3, 1};
    static const int orders[7] = {3, 4, 2, 4, 4, 1, 3};
    unsigned long seed = fy_test_seed("workspace");
    uint64_t st = seed;
    fy_mlp_work_t ws;
    fy_error_t err;
    size_t bytes = 0;
    int net_i, r, k, i;

    (void) state;
    fy_error_init(err);
    fy_mlp_work_init(ws);
    for (net_i = 0; net_i < 2; net_i++)
    {
        fy_net_t net;
        fy_mlp_t m;
        fy_symtensor_struct A[5], B[5];
        fy_test_random_net(net, net_i == 0 ? w1 : w2, net_i == 0 ? 4 : 3, "tanh", &st, 1);
        fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, 4);
        for (k = 0; k <= 4; k++)
        {
            fy_symtensor_init_empty(A + k);
            fy_symtensor_init_empty(B + k);
        }
        for (r = 0; r < 7; r++)
        {
            int n = orders[r];
            assert_int_equal(fy_mlp_derivatives(A, m, 0, n, err), FY_OK);
            assert_int_equal(fy_mlp_derivatives_work(B, m, 0, n, ws, err), FY_OK);
            for (k = 0; k <= n; k++)
            {
                assert_int_equal(A[k].e.len, B[k].e.len);
                for (i = 0; i < A[k].e.len; i++)
                    if (fy_numvec_d(&A[k].e)[i] != fy_numvec_d(&B[k].e)[i])
                        fail_msg("net %d order %d entry %d of order %d: %.17g, workspace "
                                 "%.17g", net_i, n, i, k, fy_numvec_d(&A[k].e)[i],
                                 fy_numvec_d(&B[k].e)[i]);
            }
            printf("# net %d order %d: workspace %zu bytes in %d blocks\n", net_i, n,
                   fy_mlp_work_bytes(ws), ws->n);
            /* the same call again: nothing more */
            if (net_i == 0 && r == 3)
                bytes = fy_mlp_work_bytes(ws);
            if (net_i == 0 && r > 3)
                assert_true(fy_mlp_work_bytes(ws) == bytes);
        }
        for (k = 0; k <= 4; k++)
        {
            fy_symtensor_clear(A + k);
            fy_symtensor_clear(B + k);
        }
        fy_mlp_clear(m);
        fy_net_clear(net);
    }
    fy_mlp_work_clear(ws);
}

/* ------------------------------------------------------------------ order-3 diagrams */

/* The order-3 tensor by the diagram factorisation against the fused recursion, random
 * networks of depth 1..4 hidden layers (and an output activation), several activations. */
static void test_tensor3_diagrams(void **state)
{
    static const int ws[4][6] = {{4, 5, 1}, {5, 4, 6, 2}, {3, 6, 5, 4, 1}, {6, 3, 4, 5, 3, 1}};
    static const char *const a3[] = {"tanh", "sigmoid", "sin", "softplus", "erf"};
    unsigned long seed = fy_test_seed("tensor3_diagrams");
    uint64_t st = seed;
    fy_error_t err;
    fy_mlp_work_t wk;
    int depth, ia, i;

    (void) state;
    fy_error_init(err);
    fy_mlp_work_init(wk);
    for (depth = 0; depth < 4; depth++)
        for (ia = 0; ia < 5; ia++)
        {
            fy_net_t net;
            fy_mlp_t m;
            fy_symtensor_t A, B;
            double mx = 0;
            fy_test_random_net(net, ws[depth], depth + 2, a3[ia], &st, 1);
            fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, 3);
            fy_symtensor_init_empty(A);
            fy_symtensor_init_empty(B);
            assert_int_equal(fy_mlp_tensor(A, m, 0, 3, err), FY_OK);
            if (fy_mlp_tensor3_diagrams(B, m, 0, (depth + ia) % 2 ? wk : NULL, err) != FY_OK)
            {
                assert_int_equal(err->code, FY_EUNSUPPORTED); /* no CBLAS */
                fy_symtensor_clear(A);
                fy_symtensor_clear(B);
                fy_mlp_clear(m);
                fy_net_clear(net);
                fy_mlp_work_clear(wk);
                return;
            }
            assert_int_equal(A->e.len, B->e.len);
            for (i = 0; i < A->e.len; i++)
                mx = fmax(mx, fabs(fy_numvec_d(&A->e)[i]));
            for (i = 0; i < A->e.len; i++)
                if (!(fabs(fy_numvec_d(&A->e)[i] - fy_numvec_d(&B->e)[i]) <= 1e-13 * mx + 1e-300))
                    fail_msg("depth %d %s entry %d: fused %.17g, diagrams %.17g", depth + 1,
                             a3[ia], i, fy_numvec_d(&A->e)[i], fy_numvec_d(&B->e)[i]);
            fy_symtensor_clear(A);
            fy_symtensor_clear(B);
            fy_mlp_clear(m);
            fy_net_clear(net);
        }
    fy_mlp_work_clear(wk);
}

/* ------------------------------------------------------------------ orders 2..4 by diagrams */

/* The whole tensors of orders 2, 3, 4 by the diagram factorisation against the fused
 * recursion (within 1e-12 of the sum of |terms|) and the Taylor-mode AD of the jet module
 * (within 1e-9 of it: the jet interpolates over directions), on random networks: input
 * dimension 1..6, 1..4 hidden layers of widths 1..7, 1..2 outputs, five activations, with and
 * without biases, half of them through one shared workspace. */
static void test_tensor_diagrams(void **state)
{
    static const char *const a5[] = {"tanh", "sigmoid", "erf", "softplus", "sin"};
    unsigned long seed = fy_test_seed("tensor_diagrams");
    uint64_t st = seed;
    fy_error_t err;
    fy_mlp_work_t wk;
    int trial, n, i, nonzero = 0;

    (void) state;
    fy_error_init(err);
    fy_mlp_work_init(wk);
    for (trial = 0; trial < 30; trial++)
    {
        int w[7], L = 2 + (int) (fy_test_rand(&st) % 4), l, ia = trial % 5;
        w[0] = 1 + (int) (fy_test_rand(&st) % 6);
        for (l = 1; l < L; l++)
            w[l] = 1 + (int) (fy_test_rand(&st) % 7);
        w[L] = 1 + (int) (fy_test_rand(&st) % 2);
        for (n = 2; n <= 4; n++)
        {
            fy_net_t net;
            fy_mlp_t m;
            fy_symtensor_t A, B, C;
            fy_jet_net_t J;
            double sc, mx = 0;
            fy_test_random_net(net, w, L, a5[ia], &st, trial % 3 != 0);
            fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, n);
            fy_symtensor_init_empty(A);
            fy_symtensor_init_empty(B);
            fy_symtensor_init_empty(C);
            assert_true(fy_mlp_tensor_diagrams_applies(m, n));
            assert_int_equal(fy_mlp_tensor(A, m, 0, n, err), FY_OK);
            assert_int_equal(fy_mlp_tensor_diagrams(B, m, 0, n, trial % 2 ? wk : NULL, err),
                             FY_OK);
            fy_jet_net_init(J);
            assert_int_equal(fy_jet_net_set(J, net, err), FY_OK);
            assert_int_equal(fy_jet_tensor_d(C, J, 0, NULL, n, err), FY_OK);
            sc = fy_test_abs_terms_scale(net, n);
            assert_int_equal(A->e.len, B->e.len);
            assert_int_equal(C->e.len, B->e.len);
            for (i = 0; i < A->e.len; i++)
            {
                double a = fy_numvec_d(&A->e)[i], b = fy_numvec_d(&B->e)[i],
                       c = fy_numvec_d(&C->e)[i];
                mx = fmax(mx, fabs(a));
                if (!(fabs(a - b) <= 1e-12 * sc))
                    fail_msg("seed %lu trial %d order %d %s entry %d: fused %.17g, diagrams "
                             "%.17g (scale %.3g)", seed, trial, n, a5[ia], i, a, b, sc);
                if (!(fabs(c - b) <= 1e-9 * sc))
                    fail_msg("seed %lu trial %d order %d %s entry %d: jet %.17g, diagrams "
                             "%.17g (scale %.3g)", seed, trial, n, a5[ia], i, c, b, sc);
            }
            nonzero += mx > 0;
            fy_jet_net_clear(J);
            fy_symtensor_clear(A);
            fy_symtensor_clear(B);
            fy_symtensor_clear(C);
            fy_mlp_clear(m);
            fy_net_clear(net);
        }
    }
    /* tensors of zeros would pass the comparisons (odd activations at 0 without biases have
     * vanishing even orders): most of the 90 are not */
    printf("# %d of 90 tensors nonzero\n", nonzero);
    assert_true(nonzero >= 60);
    fy_mlp_work_clear(wk);
    /* above the memory limit the route is refused and does not apply */
    {
        static const int w3[4] = {6, 5, 4, 1};
        fy_net_t net;
        fy_mlp_t m;
        fy_symtensor_t B;
        fy_test_random_net(net, w3, 3, "tanh", &st, 1);
        fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, 4);
        fy_symtensor_init_empty(B);
        assert_true(fy_mlp_tensor_diagrams_applies(m, 4));
        m->max_bytes = fy_mlp_tensor_diagrams_bytes(m, 4) - 1;
        assert_false(fy_mlp_tensor_diagrams_applies(m, 4));
        assert_int_equal(fy_mlp_tensor_diagrams(B, m, 0, 4, NULL, err), FY_ENOMEM);
        assert_true(fy_mlp_tensor_diagrams_applies(m, 3)); /* smaller tables */
        fy_symtensor_clear(B);
        fy_mlp_clear(m);
        fy_net_clear(net);
    }
}

/* The route that fy_mlp_job_compute takes and names, and the check of its result: a double
 * tensor of order 2..4 comes from the factorisation ("diagramsN"), of order 5 from the spine
 * ("diagrams-spine"), and the check compares it with the fused recursion (route "fused") and
 * the jet; ball tensors of order 2 come from the spine, of orders 3 and 4 from the fused
 * recursion; a result with one entry moved by 1e-6 of the scale is a disagreement. */
static void test_job_compute_route(void **state)
{
    static const int w[4] = {3, 4, 5, 1};
    unsigned long seed = fy_test_seed("job_compute_route");
    uint64_t st = seed;
    fy_error_t err;
    fy_net_t net;
    int n;

    (void) state;
    fy_error_init(err);
    fy_test_random_net(net, w, 3, "tanh", &st, 1);
    for (n = 1; n <= 5; n++)
    {
        fy_mlp_job_struct job;
        fy_mlp_t m;
        fy_numvec_t res;
        fy_mlp_check_t c;
        const char *route = NULL;
        double worst;
        int i, has_fused = 0, has_jet = 0;
        char want[16];
        memset(&job, 0, sizeof job);
        job.net = net;
        job.rules = fy_test_rules();
        job.mode = FY_MLP_JOB_TENSOR;
        job.order = n;
        fy_mlp_init(m);
        fy_numvec_init_empty(res);
        assert_int_equal(fy_mlp_job_compute(res, &route, &job, FY_ARITH_DOUBLE, 53, m, err),
                         FY_OK);
        snprintf(want, sizeof want, "diagrams%d", n);
        assert_string_equal(route, n >= 2 && n <= 4 ? want : n >= 5 ? "diagrams-spine"
                                                                     : "fused");
        fy_mlp_check_init(c, 1e-9);
        assert_int_equal(fy_mlp_check_run_route(c, res, route, &job, FY_ARITH_DOUBLE, 53, err),
                         FY_OK);
        assert_string_equal(c->name[0], route);
        for (i = 0; i < c->n; i++)
        {
            has_fused |= strcmp(c->name[i], "fused") == 0;
            has_jet |= strcmp(c->name[i], "jet") == 0;
        }
        assert_true(has_fused && has_jet);
        if (!fy_mlp_check_agree(c, &worst))
            fail_msg("seed %lu order %d: the check disagrees (%.3g)", seed, n, worst);
        printf("# order %d: route %s, %d routes, worst %.3g\n", n, route, c->n, worst);
        fy_mlp_check_clear(c);
        if (n >= 2 && n <= 4)
        {
            /* the check catches a wrong factorised result */
            double *x = fy_numvec_d(res);
            double mx = 0;
            for (i = 0; i < res->len; i++)
                mx = fmax(mx, fabs(x[i]));
            x[res->len / 2] += 1e-6 * mx;
            fy_mlp_check_init(c, 1e-9);
            assert_int_equal(fy_mlp_check_run_route(c, res, route, &job, FY_ARITH_DOUBLE, 53,
                                                    err), FY_OK);
            assert_false(fy_mlp_check_agree(c, &worst));
            fy_mlp_check_clear(c);
            /* balls: the spine at order 2, the fused recursion above (the faster there) */
            assert_int_equal(fy_mlp_job_compute(res, &route, &job, FY_ARITH_BALL, 128, m, err),
                             FY_OK);
            assert_string_equal(route, n == 2 ? "diagrams-spine" : "fused");
        }
        fy_numvec_clear(res);
        fy_mlp_clear(m);
    }
    fy_net_clear(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vertex_values),
        cmocka_unit_test(test_vertex_high_order),
        cmocka_unit_test(test_directional_vs_jet),
        cmocka_unit_test(test_directional_exact),
        cmocka_unit_test(test_order_1000),
        cmocka_unit_test(test_poly_next),
        cmocka_unit_test(test_workspace),
        cmocka_unit_test(test_tensor3_diagrams),
        cmocka_unit_test(test_tensor_diagrams),
        cmocka_unit_test(test_job_compute_route),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fy_test_rules_clear();
    return rc;
}
