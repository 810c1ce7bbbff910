/* Tests of the INN log-density jets of module jet (fy_jet_inn_dir_*, fy_jet_inn_tensor).
 *
 * Oracles (none of them is the code under test):
 *   - affine-only networks: ln p(x) = -|M x + c|^2 / 2 + ln|det M| - (d/2) ln 2 pi with
 *     M = W_L .. W_1 (fmpq_mat products here), so the gradient is -M^T (M x0 + c), the
 *     Hessian -M^T M and every higher tensor 0; the constant with Arb's own arb_mat_det;
 *   - brute force: the network composed here as FLINT multivariate polynomials in h around x0
 *     (u = x0 + h), truncated at the degree asked for (the maps are polynomial, so dropped
 *     terms only feed higher degrees), the elementwise log-det by the log1p power series of
 *     q = 2 gamma (u - u(x0)) / s_0; tensor entries are its coefficients times the factorials
 *     of the exponents, directional coefficients its homogeneous parts at v;
 *   - one-dimensional elementwise layer: ln p(x) = -z^2/2 + ln(1 + 2 g x) - ln(2 pi)/2 with
 *     z = x + g x^2, whose Taylor coefficients at x0 are written out by hand below;
 *   - ball results contain the exact ones (and are narrow); double results agree with the
 *     exact ones to 1e-12 relative (to the largest entry of the result);
 *   - random networks (seeded, printed): depth up to 6, d up to 5, all three layer kinds,
 *     with and without biases, random nonzero rational x0. */
#include <math.h>
#include <string.h>

#include <flint/fmpq_mat.h>
#include <flint/fmpq_mpoly.h>

#include "feynn/io.h"
#include "feynn/jet.h"
#include "num/arb_all.h"
#include "testutil.h"

#define TOL 1e-12

/* ------------------------------------------------------------------ helpers */

static void expect_ok(int rc, fy_error_t e, const char *what)
{
    if (rc != FY_OK)
        fail_msg("%s failed (code %d): %s", what, rc, e->msg);
}

/* random rational num/den with |num| <= maxnum, den in 1..maxden; nonzero if asked */
static void rand_q(fmpq_t q, uint64_t *st, int maxnum, int maxden, int nonzero)
{
    slong num, den;
    do
        num = (slong) (fy_test_rand(st) % (uint64_t) (2 * maxnum + 1)) - maxnum;
    while (nonzero && num == 0);
    den = 1 + (slong) (fy_test_rand(st) % (uint64_t) maxden);
    fmpq_set_si(q, num, (ulong) den);
}

static void set_q(fmpq_t q, slong p, ulong r)
{
    fmpq_set_si(q, p, r);
}

/* the affine map of layer l as a matrix */
static void layer_mat(fmpq_mat_t A, const fy_inn_layer_struct *ly, int d)
{
    int i, j;
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            fmpq_set(fmpq_mat_entry(A, i, j), ly->W + i * d + j);
}

/* ln|det W| by Arb's own determinant of the rounded matrix */
static void arb_logabsdet(arb_t r, const fmpq *W, int d, slong prec)
{
    arb_mat_t A;
    int i, j;
    arb_mat_init(A, d, d);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            arb_set_fmpq(arb_mat_entry(A, i, j), W + i * d + j, prec);
    arb_mat_det(r, A, prec);
    arb_abs(r, r);
    arb_log(r, r, prec);
    arb_mat_clear(A);
}

/* -(d/2) ln 2 pi */
static void arb_gauss_const(arb_t r, int d, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_const_pi(t, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_log(t, t, prec);
    arb_mul_si(r, t, -d, prec);
    arb_mul_2exp_si(r, r, -1);
    arb_clear(t);
}

/* the ball must contain q and be narrow: radius <= 1e-20 max(|q|, scale) */
static void check_ball_fmpq(const arb_t b, const fmpq_t q, double scale, const char *what,
                            slong k)
{
    if (!arb_contains_fmpq(b, q))
    {
        char *s = arb_get_str(b, 30, 0), *t = fmpq_get_str(NULL, 10, q);
        fail_msg("%s %ld: the ball %s does not contain the exact value %s", what, (long) k, s,
                 t);
    }
    if (!(mag_get_d(arb_radref(b)) <= 1e-20 * fmax(fabs(fmpq_get_d(q)), scale)))
    {
        char *s = arb_get_str(b, 30, 0);
        fail_msg("%s %ld: the ball %s is too wide", what, (long) k, s);
    }
}

static void check_double_fmpq(double x, const fmpq_t q, double scale, const char *what,
                              slong k)
{
    double e = fmpq_get_d(q);
    if (!(fabs(x - e) <= TOL * fmax(fabs(e), scale)))
        fail_msg("%s %ld: double %.17g vs exact %.17g (scale %g)", what, (long) k, x, e, scale);
}

/* exact tensor against a ball tensor (containment) and a double tensor (relative to the
 * largest entry) */
static void check_tensors(const fy_symtensor_t Te, const fy_symtensor_t Tb,
                          const fy_symtensor_t Td, const char *what)
{
    slong i, n = fy_symtensor_len(Te);
    double scale = 0;
    assert_int_equal(fy_symtensor_len(Tb), n);
    assert_int_equal(fy_symtensor_len(Td), n);
    for (i = 0; i < n; i++)
        scale = fmax(scale, fabs(fmpq_get_d(fy_numvec_fmpq(&Te->e) + i)));
    if (scale == 0)
        scale = 1; /* an all-zero tensor: absolute tolerances */
    for (i = 0; i < n; i++)
    {
        check_ball_fmpq(fy_numvec_arb(&Tb->e) + i, fy_numvec_fmpq(&Te->e) + i, scale, what,
                        i);
        check_double_fmpq(fy_numvec_d(&Td->e)[i], fy_numvec_fmpq(&Te->e) + i, scale, what, i);
    }
}

/* the three tensors of order n at x0 */
static void tensors3(fy_symtensor_t Te, fy_symtensor_t Tb, fy_symtensor_t Td,
                     const fy_inn_t net, const fmpq *x0, int n)
{
    fy_error_t e;
    fy_error_init(e);
    fy_symtensor_init_empty(Te);
    fy_symtensor_init_empty(Tb);
    fy_symtensor_init_empty(Td);
    expect_ok(fy_jet_inn_tensor(Te, FY_ARITH_EXACT, 0, net, x0, n, e), e, "exact tensor");
    expect_ok(fy_jet_inn_tensor(Tb, FY_ARITH_BALL, 128, net, x0, n, e), e, "ball tensor");
    expect_ok(fy_jet_inn_tensor(Td, FY_ARITH_DOUBLE, 0, net, x0, n, e), e, "double tensor");
    assert_int_equal(Te->dim, net->d);
    assert_int_equal(Te->order, n);
}

static void clear3(fy_symtensor_t Te, fy_symtensor_t Tb, fy_symtensor_t Td)
{
    fy_symtensor_clear(Te);
    fy_symtensor_clear(Tb);
    fy_symtensor_clear(Td);
}

/* the three directional jets of order N (c arrays of N + 1 entries, initialised) */
static void dirs3(fmpq *ce, arb_ptr cb, double *cd, const fy_inn_t net, const fmpq *x0,
                  const fmpq *v, int N)
{
    fy_error_t e;
    int d = net->d, i;
    arb_ptr xb = _arb_vec_init(d), vb = _arb_vec_init(d);
    double *xd = malloc(sizeof(double) * (size_t) d), *vd = malloc(sizeof(double) * (size_t) d);
    fy_error_init(e);
    for (i = 0; i < d; i++)
    {
        if (x0)
            arb_set_fmpq(xb + i, x0 + i, 128);
        arb_set_fmpq(vb + i, v + i, 128);
        xd[i] = x0 ? fmpq_get_d(x0 + i) : 0;
        vd[i] = fmpq_get_d(v + i);
    }
    expect_ok(fy_jet_inn_dir_fmpq(ce, net, x0, v, N, e), e, "exact jet");
    expect_ok(fy_jet_inn_dir_arb(cb, net, x0 ? xb : NULL, vb, N, 128, e), e, "ball jet");
    expect_ok(fy_jet_inn_dir_d(cd, net, x0 ? xd : NULL, vd, N, e), e, "double jet");
    _arb_vec_clear(xb, d);
    _arb_vec_clear(vb, d);
    free(xd);
    free(vd);
}

/* ------------------------------------------------------------------ brute-force reference */

typedef struct
{
    int d, n;              /* dimension, truncation degree */
    fmpq_mpoly_ctx_t ctx;
    fmpq_mpoly_struct *u;  /* d polynomials in h */
    fmpq_mpoly_t S;        /* ln p minus its logarithms, truncated at degree n */
    arb_t logs;            /* sum ln|det W| + sum ln s_0 - (d/2) ln 2 pi */
    int bad_layer, bad_neuron; /* s_0 <= 0 there (-1: none) */
} ref_t;

/* drops the terms of total degree > n */
static void trunc_poly(fmpq_mpoly_t P, int n, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t Q;
    fmpq_t c;
    slong i, len = fmpq_mpoly_length(P, ctx);
    int nv = (int) fmpq_mpoly_ctx_nvars(ctx), m;
    ulong *ex = malloc(sizeof(ulong) * (size_t) nv), deg;
    fmpq_mpoly_init(Q, ctx);
    fmpq_init(c);
    for (i = 0; i < len; i++)
    {
        fmpq_mpoly_get_term_exp_ui(ex, P, i, ctx);
        for (m = 0, deg = 0; m < nv; m++)
            deg += ex[m];
        if (deg > (ulong) n)
            continue;
        fmpq_mpoly_get_term_coeff_fmpq(c, P, i, ctx);
        fmpq_mpoly_push_term_fmpq_ui(Q, c, ex, ctx);
    }
    fmpq_mpoly_sort_terms(Q, ctx);
    fmpq_mpoly_combine_like_terms(Q, ctx);
    fmpq_mpoly_swap(P, Q, ctx);
    fmpq_mpoly_clear(Q, ctx);
    fmpq_clear(c);
    free(ex);
}

static void mul_trunc(fmpq_mpoly_t z, const fmpq_mpoly_t a, const fmpq_mpoly_t b, int n,
                      const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_mul(z, a, b, ctx);
    trunc_poly(z, n, ctx);
}

static void const_term(fmpq_t c, const fmpq_mpoly_t P, const fmpq_mpoly_ctx_t ctx, int nv)
{
    ulong zero[8] = {0};
    (void) nv;
    fmpq_mpoly_get_coeff_fmpq_ui(c, P, zero, ctx);
}

static void ref_clear(ref_t *R)
{
    int i;
    for (i = 0; i < R->d; i++)
        fmpq_mpoly_clear(R->u + i, R->ctx);
    free(R->u);
    fmpq_mpoly_clear(R->S, R->ctx);
    fmpq_mpoly_ctx_clear(R->ctx);
    arb_clear(R->logs);
}

/* composes the network around x0 (NULL: origin), truncated at degree n */
static void ref_build(ref_t *R, const fy_inn_t net, const fmpq *x0, int n)
{
    int d = net->d, i, j, l, r, s, t, k;
    slong prec = 200;
    fmpq_mpoly_t y, p, q, pw;
    fmpq_t c, s0;
    arb_t a;

    assert_true(d <= 8);
    R->d = d;
    R->n = n;
    R->bad_layer = R->bad_neuron = -1;
    fmpq_mpoly_ctx_init(R->ctx, d, ORD_LEX);
    R->u = malloc(sizeof(fmpq_mpoly_struct) * (size_t) d);
    fmpq_mpoly_init(R->S, R->ctx);
    arb_init(R->logs);
    arb_gauss_const(R->logs, d, prec);
    fmpq_mpoly_init(y, R->ctx);
    fmpq_mpoly_init(p, R->ctx);
    fmpq_mpoly_init(q, R->ctx);
    fmpq_mpoly_init(pw, R->ctx);
    fmpq_init(c);
    fmpq_init(s0);
    arb_init(a);
    for (i = 0; i < d; i++)
    {
        fmpq_mpoly_init(R->u + i, R->ctx);
        fmpq_mpoly_gen(R->u + i, i, R->ctx);
        if (x0)
            fmpq_mpoly_add_fmpq(R->u + i, R->u + i, x0 + i, R->ctx);
    }
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        if (ly->kind == FY_INN_LAYER_AFFINE)
        {
            fmpq_mpoly_struct *nu = malloc(sizeof(fmpq_mpoly_struct) * (size_t) d);
            for (i = 0; i < d; i++)
            {
                fmpq_mpoly_init(nu + i, R->ctx);
                for (j = 0; j < d; j++)
                {
                    fmpq_mpoly_scalar_mul_fmpq(p, R->u + j, ly->W + i * d + j, R->ctx);
                    fmpq_mpoly_add(nu + i, nu + i, p, R->ctx);
                }
                if (ly->b)
                    fmpq_mpoly_add_fmpq(nu + i, nu + i, ly->b + i, R->ctx);
            }
            for (i = 0; i < d; i++)
            {
                fmpq_mpoly_swap(R->u + i, nu + i, R->ctx);
                fmpq_mpoly_clear(nu + i, R->ctx);
            }
            free(nu);
            arb_logabsdet(a, ly->W, d, prec);
            arb_add(R->logs, R->logs, a, prec);
        }
        else if (ly->kind == FY_INN_LAYER_COUPLING)
        {
            for (t = 0; t < ly->nB; t++)
            {
                fmpq_mpoly_zero(y, R->ctx);
                for (r = 0; r < ly->nA; r++)
                    for (s = 0; s < ly->nA; s++)
                    {
                        mul_trunc(p, R->u + ly->A[r], R->u + ly->A[s], n, R->ctx);
                        fmpq_mpoly_scalar_mul_fmpq(p, p, ly->G + (t * ly->nA + r) * ly->nA + s,
                                                   R->ctx);
                        fmpq_mpoly_add(y, y, p, R->ctx);
                    }
                /* u_B depends on u_A only, and A, B are disjoint: in place */
                fmpq_mpoly_add(R->u + ly->B[t], R->u + ly->B[t], y, R->ctx);
            }
        }
        else
        {
            for (i = 0; i < d; i++)
            {
                const fmpq *g = ly->gamma + i;
                if (fmpq_is_zero(g))
                    continue;
                const_term(c, R->u + i, R->ctx, d);
                fmpq_mul(s0, g, c);
                fmpq_mul_2exp(s0, s0, 1);
                fmpq_add_si(s0, s0, 1);
                if (fmpq_sgn(s0) <= 0)
                {
                    if (R->bad_layer < 0)
                    {
                        R->bad_layer = l;
                        R->bad_neuron = i;
                    }
                    continue;
                }
                arb_set_fmpq(a, s0, prec);
                arb_log(a, a, prec);
                arb_add(R->logs, R->logs, a, prec);
                /* q = 2 g (u - u0) / s0; log1p(q) = sum_k (-1)^(k+1) q^k / k */
                fmpq_mpoly_sub_fmpq(q, R->u + i, c, R->ctx);
                fmpq_div(c, g, s0);
                fmpq_mul_2exp(c, c, 1);
                fmpq_mpoly_scalar_mul_fmpq(q, q, c, R->ctx);
                fmpq_mpoly_one(pw, R->ctx);
                for (k = 1; k <= n; k++)
                {
                    mul_trunc(p, pw, q, n, R->ctx);
                    fmpq_mpoly_swap(pw, p, R->ctx);
                    fmpq_set_si(c, k % 2 ? 1 : -1, (ulong) k);
                    fmpq_mpoly_scalar_mul_fmpq(p, pw, c, R->ctx);
                    fmpq_mpoly_add(R->S, R->S, p, R->ctx);
                }
                /* u += g u^2 */
                mul_trunc(p, R->u + i, R->u + i, n, R->ctx);
                fmpq_mpoly_scalar_mul_fmpq(p, p, g, R->ctx);
                fmpq_mpoly_add(R->u + i, R->u + i, p, R->ctx);
            }
        }
        for (i = 0; i < d; i++)
            trunc_poly(R->u + i, n, R->ctx);
    }
    /* S += -|z|^2 / 2 */
    set_q(c, -1, 2);
    for (i = 0; i < d; i++)
    {
        mul_trunc(p, R->u + i, R->u + i, n, R->ctx);
        fmpq_mpoly_scalar_mul_fmpq(p, p, c, R->ctx);
        fmpq_mpoly_add(R->S, R->S, p, R->ctx);
    }
    fmpq_mpoly_clear(y, R->ctx);
    fmpq_mpoly_clear(p, R->ctx);
    fmpq_mpoly_clear(q, R->ctx);
    fmpq_mpoly_clear(pw, R->ctx);
    fmpq_clear(c);
    fmpq_clear(s0);
    arb_clear(a);
}

/* the exact tensor of order n against the reference's coefficients of degree n */
static void ref_check_tensor(const ref_t *R, const fy_symtensor_t Te, int n)
{
    int idx[64], m, d = R->d;
    ulong ex[8];
    fmpq_t c;
    fmpz_t f;
    assert_true(n <= 64);
    fmpq_init(c);
    fmpz_init(f);
    for (m = 0; m < n; m++)
        idx[m] = 0;
    do
    {
        const fmpq *got;
        for (m = 0; m < d; m++)
            ex[m] = 0;
        for (m = 0; m < n; m++)
            ex[idx[m]]++;
        fmpq_mpoly_get_coeff_fmpq_ui(c, R->S, ex, R->ctx);
        for (m = 0; m < d; m++)
        {
            fmpz_fac_ui(f, ex[m]);
            fmpq_mul_fmpz(c, c, f);
        }
        got = fy_symtensor_entry_fmpq(Te, idx);
        assert_non_null(got);
        if (!fmpq_equal(got, c))
        {
            char *a = fmpq_get_str(NULL, 10, got), *b = fmpq_get_str(NULL, 10, c);
            fail_msg("tensor of order %d, entry at exponents (%lu,%lu,..): %s, brute force %s",
                     n, ex[0], d > 1 ? ex[1] : 0UL, a, b);
        }
    } while (fy_multiindex_next(idx, d, n));
    fmpq_clear(c);
    fmpz_clear(f);
}

/* ref coefficients c_k (k = 0..N <= R->n) of ln p(x0 + t v) minus the logarithms */
static void ref_dir(fmpq *ck, const ref_t *R, const fmpq *v, int N)
{
    slong i, len = fmpq_mpoly_length(R->S, R->ctx);
    ulong ex[8], deg;
    int m;
    fmpq_t c, p;
    fmpq_init(c);
    fmpq_init(p);
    for (m = 0; m <= N; m++)
        fmpq_zero(ck + m);
    for (i = 0; i < len; i++)
    {
        fmpq_mpoly_get_term_exp_ui(ex, R->S, i, R->ctx);
        fmpq_mpoly_get_term_coeff_fmpq(c, R->S, i, R->ctx);
        for (m = 0, deg = 0; m < R->d; m++)
        {
            deg += ex[m];
            fmpq_pow_si(p, v + m, (slong) ex[m]);
            fmpq_mul(c, c, p);
        }
        if (deg <= (ulong) N)
            fmpq_add(ck + deg, ck + deg, c);
    }
    fmpq_clear(c);
    fmpq_clear(p);
}

/* compares all routes on one network and point: exact, ball and double jets along v and
 * tensors of orders 1..n against the reference; returns 1 when the point was refused (and
 * checks that the reference agrees) */
static int check_net(const fy_inn_t net, const fmpq *x0, const fmpq *v, int n)
{
    ref_t R;
    int d = net->d, N = n, k, rc, refused;
    fmpq *ce = _fmpq_vec_init(N + 1), *re = _fmpq_vec_init(N + 1);
    arb_ptr cb = _arb_vec_init(N + 1);
    double *cd = malloc(sizeof(double) * (size_t) (N + 1)), scale = 0;
    fy_error_t e;

    fy_error_init(e);
    ref_build(&R, net, x0, n);
    rc = fy_jet_inn_dir_fmpq(ce, net, x0, v, N, e);
    refused = R.bad_layer >= 0;
    if (refused)
    {
        char want[64];
        assert_int_equal(rc, FY_EINPUT);
        snprintf(want, sizeof want, "neuron %d", R.bad_neuron);
        if (strstr(e->msg, want) == NULL)
            fail_msg("refusal does not name %s: %s", want, e->msg);
    }
    else
    {
        expect_ok(rc, e, "exact jet");
        dirs3(ce, cb, cd, net, x0, v, N);
        ref_dir(re, &R, v, N);
        for (k = 0; k <= N; k++)
            scale = fmax(scale, fabs(fmpq_get_d(re + k)));
        if (scale == 0)
            scale = 1;
        for (k = 0; k <= N; k++)
        {
            if (!fmpq_equal(ce + k, re + k))
            {
                char *a = fmpq_get_str(NULL, 10, ce + k), *b = fmpq_get_str(NULL, 10, re + k);
                fail_msg("exact jet coefficient %d: %s, brute force %s", k, a, b);
            }
            if (k >= 1)
            {
                check_ball_fmpq(cb + k, re + k, scale, "ball jet coefficient", k);
                check_double_fmpq(cd[k], re + k, scale, "double jet coefficient", k);
            }
        }
        /* c_0 with its logarithms */
        {
            arb_t w;
            arb_init(w);
            arb_set_fmpq(w, re, 200);
            arb_add(w, w, R.logs, 200);
            if (!arb_overlaps(w, cb) || arb_rel_accuracy_bits(cb) < 60)
                fail_msg("ball c_0 %s vs reference %s", arb_get_str(cb, 30, 0),
                         arb_get_str(w, 30, 0));
            if (!(fabs(cd[0] - arf_get_d(arb_midref(w), ARF_RND_NEAR)) <=
                  TOL * fmax(1, fabs(cd[0]))))
                fail_msg("double c_0 %.17g vs reference %s", cd[0], arb_get_str(w, 30, 0));
            arb_clear(w);
        }
        for (k = 1; k <= n; k++)
        {
            fy_symtensor_t Te, Tb, Td;
            ref_t Rk;
            tensors3(Te, Tb, Td, net, x0, k);
            if (k == n)
                ref_check_tensor(&R, Te, k);
            else
            {
                ref_build(&Rk, net, x0, k);
                ref_check_tensor(&Rk, Te, k);
                ref_clear(&Rk);
            }
            check_tensors(Te, Tb, Td, "tensor");
            clear3(Te, Tb, Td);
        }
    }
    (void) d;
    ref_clear(&R);
    _fmpq_vec_clear(ce, N + 1);
    _fmpq_vec_clear(re, N + 1);
    _arb_vec_clear(cb, N + 1);
    free(cd);
    return refused;
}

/* ------------------------------------------------------------------ network builders */

static void push_affine_q(fy_inn_t net, const fmpq *W, const fmpq *b)
{
    fy_error_t e;
    fy_error_init(e);
    expect_ok(fy_inn_push_affine(net, "affine", W, b, e), e, "push_affine");
}

/* random invertible W (d x d) and optional bias */
static void push_random_affine(fy_inn_t net, uint64_t *st, int with_bias)
{
    int d = net->d, i;
    fmpq *W = _fmpq_vec_init(d * d), *b = _fmpq_vec_init(d);
    fmpq_mat_t A;
    fmpq_t det;
    fmpq_mat_init(A, d, d);
    fmpq_init(det);
    do
    {
        for (i = 0; i < d * d; i++)
            rand_q(W + i, st, 2, 3, 0);
        for (i = 0; i < d; i++)
            fmpq_add_si(W + i * d + i, W + i * d + i, 1);
        for (i = 0; i < d * d; i++)
            fmpq_set(fmpq_mat_entry(A, i / d, i % d), W + i);
        fmpq_mat_det(det, A);
    } while (fmpq_is_zero(det));
    for (i = 0; i < d; i++)
        rand_q(b + i, st, 2, 4, 0);
    push_affine_q(net, W, with_bias ? b : NULL);
    fmpq_mat_clear(A);
    fmpq_clear(det);
    _fmpq_vec_clear(W, d * d);
    _fmpq_vec_clear(b, d);
}

static void push_random_coupling(fy_inn_t net, uint64_t *st)
{
    int d = net->d, A[8], B[8], nA = 0, nB = 0, i, t, r, s;
    fmpq *G;
    fy_error_t e;
    fy_error_init(e);
    for (i = 0; i < d; i++)
    {
        if (fy_test_rand(st) % 2)
            A[nA++] = i;
        else
            B[nB++] = i;
    }
    G = _fmpq_vec_init(nB * nA * nA + 1);
    for (t = 0; t < nB; t++)
        for (r = 0; r < nA; r++)
            for (s = r; s < nA; s++)
            {
                rand_q(G + (t * nA + r) * nA + s, st, 2, 4, 0);
                fmpq_set(G + (t * nA + s) * nA + r, G + (t * nA + r) * nA + s);
            }
    expect_ok(fy_inn_push_coupling(net, "coupling", A, nA, B, nB, G, e), e, "push_coupling");
    _fmpq_vec_clear(G, nB * nA * nA + 1);
}

static void push_random_elementwise(fy_inn_t net, uint64_t *st)
{
    int d = net->d, i;
    fmpq *g = _fmpq_vec_init(d);
    fy_error_t e;
    fy_error_init(e);
    for (i = 0; i < d; i++)
        rand_q(g + i, st, 1, 6, 0);
    expect_ok(fy_inn_push_elementwise(net, "elementwise", g, e), e, "push_elementwise");
    _fmpq_vec_clear(g, d);
}

static void new_net(fy_inn_t net, int d)
{
    fy_error_t e;
    fy_error_init(e);
    fy_inn_init(net);
    expect_ok(fy_inn_set_dim(net, d, e), e, "set_dim");
}

/* ------------------------------------------------------------------ tests */

/* (1) affine layers only: Gaussian, closed forms through the product matrix */
static void test_affine_closed_form(void **state)
{
    uint64_t st = fy_test_seed("affine_closed_form");
    int d, rep;
    (void) state;
    for (rep = 0; rep < 8; rep++)
    {
        fy_inn_t net;
        fmpq_mat_t M, A, T, c, x, z, g, H;
        fmpq *x0, *v;
        fmpq_t q;
        int nl, l, i, j, k;
        d = 1 + (int) (fy_test_rand(&st) % 4);
        nl = 1 + (int) (fy_test_rand(&st) % 3);
        new_net(net, d);
        for (l = 0; l < nl; l++)
            push_random_affine(net, &st, (int) (fy_test_rand(&st) % 2));
        x0 = _fmpq_vec_init(d);
        v = _fmpq_vec_init(d);
        for (i = 0; i < d; i++)
        {
            rand_q(x0 + i, &st, 3, 5, 1);
            rand_q(v + i, &st, 3, 2, 0);
        }
        /* M = W_L .. W_1, c = affine image of 0 */
        fmpq_mat_init(M, d, d);
        fmpq_mat_init(A, d, d);
        fmpq_mat_init(T, d, d);
        fmpq_mat_init(c, d, 1);
        fmpq_mat_init(x, d, 1);
        fmpq_mat_init(z, d, 1);
        fmpq_mat_init(g, d, 1);
        fmpq_mat_init(H, d, d);
        fmpq_init(q);
        fmpq_mat_one(M);
        for (l = 0; l < nl; l++)
        {
            const fy_inn_layer_struct *ly = net->layers + l;
            layer_mat(A, ly, d);
            fmpq_mat_mul(T, A, M);
            fmpq_mat_swap(T, M);
            fmpq_mat_mul(z, A, c);
            fmpq_mat_swap(z, c);
            if (ly->b)
                for (i = 0; i < d; i++)
                    fmpq_add(fmpq_mat_entry(c, i, 0), fmpq_mat_entry(c, i, 0), ly->b + i);
        }
        for (i = 0; i < d; i++)
            fmpq_set(fmpq_mat_entry(x, i, 0), x0 + i);
        fmpq_mat_mul(z, M, x);
        fmpq_mat_add(z, z, c);
        fmpq_mat_transpose(T, M);
        fmpq_mat_mul(g, T, z);
        fmpq_mat_neg(g, g);            /* -M^T (M x0 + c) */
        fmpq_mat_mul(H, T, M);
        fmpq_mat_neg(H, H);            /* -M^T M */
        {
            fy_symtensor_t Te, Tb, Td;
            int idx[3];
            tensors3(Te, Tb, Td, net, x0, 1);
            for (i = 0; i < d; i++)
            {
                idx[0] = i;
                assert_true(fmpq_equal(fy_symtensor_entry_fmpq(Te, idx),
                                       fmpq_mat_entry(g, i, 0)));
            }
            check_tensors(Te, Tb, Td, "gradient");
            clear3(Te, Tb, Td);
            tensors3(Te, Tb, Td, net, x0, 2);
            for (i = 0; i < d; i++)
                for (j = 0; j < d; j++)
                {
                    idx[0] = i;
                    idx[1] = j;
                    assert_true(fmpq_equal(fy_symtensor_entry_fmpq(Te, idx),
                                           fmpq_mat_entry(H, i, j)));
                }
            check_tensors(Te, Tb, Td, "Hessian");
            clear3(Te, Tb, Td);
            tensors3(Te, Tb, Td, net, x0, 3);
            for (k = 0; k < fy_symtensor_len(Te); k++)
            {
                assert_true(fmpq_is_zero(fy_numvec_fmpq(&Te->e) + k));
                assert_true(arb_contains_zero(fy_numvec_arb(&Tb->e) + k));
                assert_true(fabs(fy_numvec_d(&Td->e)[k]) < 1e-10);
            }
            clear3(Te, Tb, Td);
        }
        /* directional: c_0 = -|z|^2/2 + ln|det M| - (d/2) ln 2 pi, c_1 = g.v,
         * c_2 = -|M v|^2 / 2, c_3 = c_4 = 0 */
        {
            fmpq ce[5], want[5];
            arb_struct cb[5];
            double cd[5];
            arb_t w, t;
            fmpq_mat_t Mv;
            for (k = 0; k < 5; k++)
            {
                fmpq_init(ce + k);
                fmpq_init(want + k);
                arb_init(cb + k);
            }
            arb_init(w);
            arb_init(t);
            fmpq_mat_init(Mv, d, 1);
            dirs3(ce, cb, cd, net, x0, v, 4);
            for (i = 0; i < d; i++)
            {
                fmpq_submul(want + 0, fmpq_mat_entry(z, i, 0), fmpq_mat_entry(z, i, 0));
                fmpq_addmul(want + 1, fmpq_mat_entry(g, i, 0), v + i);
                fmpq_set(fmpq_mat_entry(x, i, 0), v + i);
            }
            fmpq_div_2exp(want + 0, want + 0, 1);
            fmpq_mat_mul(Mv, M, x);
            for (i = 0; i < d; i++)
                fmpq_submul(want + 2, fmpq_mat_entry(Mv, i, 0), fmpq_mat_entry(Mv, i, 0));
            fmpq_div_2exp(want + 2, want + 2, 1);
            for (k = 0; k < 5; k++)
                assert_true(fmpq_equal(ce + k, want + k));
            for (k = 1; k < 5; k++)
            {
                check_ball_fmpq(cb + k, want + k, fabs(fmpq_get_d(want + 2)) + 1, "affine jet",
                                k);
                check_double_fmpq(cd[k], want + k, fabs(fmpq_get_d(want + 2)) + 1, "affine jet",
                                  k);
            }
            /* the constant: det of the product by Arb, independently of fmpq_mat_det */
            {
                fmpq *Mflat = _fmpq_vec_init(d * d);
                for (i = 0; i < d * d; i++)
                    fmpq_set(Mflat + i, fmpq_mat_entry(M, i / d, i % d));
                arb_logabsdet(w, Mflat, d, 200);
                _fmpq_vec_clear(Mflat, d * d);
            }
            arb_gauss_const(t, d, 200);
            arb_add(w, w, t, 200);
            arb_set_fmpq(t, want + 0, 200);
            arb_add(w, w, t, 200);
            assert_true(arb_overlaps(w, cb + 0));
            assert_true(arb_rel_accuracy_bits(cb + 0) > 100);
            assert_true(fabs(cd[0] - arf_get_d(arb_midref(w), ARF_RND_NEAR)) <=
                        TOL * fmax(1, fabs(cd[0])));
            for (k = 0; k < 5; k++)
            {
                fmpq_clear(ce + k);
                fmpq_clear(want + k);
                arb_clear(cb + k);
            }
            arb_clear(w);
            arb_clear(t);
            fmpq_mat_clear(Mv);
        }
        fmpq_mat_clear(M);
        fmpq_mat_clear(A);
        fmpq_mat_clear(T);
        fmpq_mat_clear(c);
        fmpq_mat_clear(x);
        fmpq_mat_clear(z);
        fmpq_mat_clear(g);
        fmpq_mat_clear(H);
        fmpq_clear(q);
        _fmpq_vec_clear(x0, d);
        _fmpq_vec_clear(v, d);
        fy_inn_clear(net);
    }
}

/* (3) one dimension, one elementwise layer: coefficients by hand.  With x = x0 + t,
 * s0 = 1 + 2 g x0, z0 = x0 + g x0^2:  z = z0 + s0 t + g t^2, so
 * z^2 = z0^2 + 2 z0 s0 t + (s0^2 + 2 g z0) t^2 + 2 g s0 t^3 + g^2 t^4, and
 * ln(1 + 2 g x) = ln s0 + sum_k (-1)^(k+1) (2g/s0)^k t^k / k. */
static void test_elementwise_1d(void **state)
{
    static const slong gq[][2] = {{1, 3}, {-1, 5}, {3, 2}, {-2, 7}};
    static const slong xq[][2] = {{1, 2}, {-2, 3}, {1, 7}, {5, 4}};
    int cse, k, N = 7;
    (void) state;
    for (cse = 0; cse < 4; cse++)
    {
        fy_inn_t net;
        fmpq_t g, x0, s0, z0, r, v;
        fmpq want[8], ce[8], z2[5];
        arb_struct cb[8];
        double cd[8];
        fy_error_t e;
        fy_error_init(e);
        fmpq_init(g);
        fmpq_init(x0);
        fmpq_init(s0);
        fmpq_init(z0);
        fmpq_init(r);
        fmpq_init(v);
        set_q(g, gq[cse][0], (ulong) gq[cse][1]);
        set_q(x0, xq[cse][0], (ulong) xq[cse][1]);
        new_net(net, 1);
        expect_ok(fy_inn_push_elementwise(net, "phi", g, e), e, "push_elementwise");
        fmpq_mul(s0, g, x0);
        fmpq_mul_2exp(s0, s0, 1);
        fmpq_add_si(s0, s0, 1);
        assert_true(fmpq_sgn(s0) > 0);
        fmpq_mul(z0, x0, x0);
        fmpq_mul(z0, z0, g);
        fmpq_add(z0, z0, x0);
        for (k = 0; k < 5; k++)
            fmpq_init(z2 + k);
        fmpq_mul(z2 + 0, z0, z0);
        fmpq_mul(z2 + 1, z0, s0);
        fmpq_mul_2exp(z2 + 1, z2 + 1, 1);
        fmpq_mul(z2 + 2, s0, s0);
        fmpq_mul(r, g, z0);
        fmpq_mul_2exp(r, r, 1);
        fmpq_add(z2 + 2, z2 + 2, r);
        fmpq_mul(z2 + 3, g, s0);
        fmpq_mul_2exp(z2 + 3, z2 + 3, 1);
        fmpq_mul(z2 + 4, g, g);
        /* c_k = -(z^2)_k / 2 + (-1)^(k+1) (2 g / s0)^k / k */
        for (k = 0; k <= N; k++)
        {
            fmpq_init(want + k);
            fmpq_init(ce + k);
            arb_init(cb + k);
            if (k < 5)
            {
                fmpq_div_2exp(want + k, z2 + k, 1);
                fmpq_neg(want + k, want + k);
            }
            if (k >= 1)
            {
                fmpq_t lk;
                fmpq_init(lk);
                fmpq_div(lk, g, s0);
                fmpq_mul_2exp(lk, lk, 1);
                fmpq_pow_si(lk, lk, k);
                set_q(r, k % 2 ? 1 : -1, (ulong) k);
                fmpq_mul(lk, lk, r);
                fmpq_add(want + k, want + k, lk);
                fmpq_clear(lk);
            }
        }
        /* along v = 1 */
        fmpq_one(v);
        dirs3(ce, cb, cd, net, x0, v, N);
        for (k = 0; k <= N; k++)
        {
            if (!fmpq_equal(ce + k, want + k))
                fail_msg("case %d, c_%d: %s, by hand %s", cse, k, fmpq_get_str(NULL, 10, ce + k),
                         fmpq_get_str(NULL, 10, want + k));
            if (k >= 1)
            {
                check_ball_fmpq(cb + k, want + k, 0, "elementwise ball", k);
                check_double_fmpq(cd[k], want + k, 0, "elementwise double", k);
            }
        }
        {
            arb_t w, t;
            arb_init(w);
            arb_init(t);
            arb_set_fmpq(w, want + 0, 200);
            arb_set_fmpq(t, s0, 200);
            arb_log(t, t, 200);
            arb_add(w, w, t, 200);
            arb_gauss_const(t, 1, 200);
            arb_add(w, w, t, 200);
            assert_true(arb_overlaps(w, cb + 0));
            assert_true(arb_rel_accuracy_bits(cb + 0) > 100);
            assert_true(fabs(cd[0] - arf_get_d(arb_midref(w), ARF_RND_NEAR)) <=
                        TOL * fmax(1, fabs(cd[0])));
            arb_clear(w);
            arb_clear(t);
        }
        /* along v = -3/2: c_k scales by v^k */
        set_q(v, -3, 2);
        dirs3(ce, cb, cd, net, x0, v, N);
        for (k = 0; k <= N; k++)
        {
            fmpq_pow_si(r, v, k);
            fmpq_mul(r, r, want + k);
            assert_true(fmpq_equal(ce + k, r));
        }
        /* tensors in d = 1: n! c_n */
        for (k = 1; k <= 5; k++)
        {
            fy_symtensor_t Te, Tb, Td;
            fmpz_t f;
            fmpz_init(f);
            tensors3(Te, Tb, Td, net, x0, k);
            fmpz_fac_ui(f, (ulong) k);
            fmpq_mul_fmpz(r, want + k, f);
            assert_int_equal(fy_symtensor_len(Te), 1);
            assert_true(fmpq_equal(fy_numvec_fmpq(&Te->e), r));
            check_tensors(Te, Tb, Td, "elementwise tensor");
            clear3(Te, Tb, Td);
            fmpz_clear(f);
        }
        for (k = 0; k < 5; k++)
            fmpq_clear(z2 + k);
        for (k = 0; k <= N; k++)
        {
            fmpq_clear(want + k);
            fmpq_clear(ce + k);
            arb_clear(cb + k);
        }
        fmpq_clear(g);
        fmpq_clear(x0);
        fmpq_clear(s0);
        fmpq_clear(z0);
        fmpq_clear(r);
        fmpq_clear(v);
        fy_inn_clear(net);
    }
}

/* an elementwise Jacobian that vanishes or is negative at the point is refused, naming the
 * layer and the neuron, in every arithmetic */
static void test_elementwise_refused(void **state)
{
    fy_inn_t net;
    fmpq g[2], x0[2], v[2], c[3];
    arb_struct xb[2], cb[3];
    double xd[2], cd[3];
    fy_symtensor_t T;
    fy_error_t e;
    int i, pass;
    (void) state;
    fy_error_init(e);
    for (i = 0; i < 2; i++)
    {
        fmpq_init(g + i);
        fmpq_init(x0 + i);
        fmpq_init(v + i);
        arb_init(xb + i);
    }
    for (i = 0; i < 3; i++)
    {
        fmpq_init(c + i);
        arb_init(cb + i);
    }
    new_net(net, 2);
    set_q(g + 0, 1, 4);
    set_q(g + 1, 1, 2);
    expect_ok(fy_inn_push_elementwise(net, "phi", g, e), e, "push_elementwise");
    for (pass = 0; pass < 2; pass++)
    {
        /* neuron 1: 1 + 2 (1/2) x = 0 at x = -1, negative at x = -2 */
        set_q(x0 + 0, 1, 3);
        set_q(x0 + 1, pass ? -2 : -1, 1);
        set_q(v + 0, 1, 1);
        set_q(v + 1, 1, 1);
        for (i = 0; i < 2; i++)
        {
            arb_set_fmpq(xb + i, x0 + i, 64);
            xd[i] = fmpq_get_d(x0 + i);
        }
        assert_int_equal(fy_jet_inn_dir_fmpq(c, net, x0, v, 2, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "neuron 1"));
        assert_non_null(strstr(e->msg, "layer 0"));
        assert_int_equal(fy_jet_inn_dir_arb(cb, net, xb, NULL, 2, 64, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "neuron 1"));
        assert_int_equal(fy_jet_inn_dir_d(cd, net, xd, NULL, 2, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "neuron 1"));
        fy_symtensor_init_empty(T);
        assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_EXACT, 0, net, x0, 2, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "neuron 1"));
        assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_BALL, 64, net, x0, 1, e), FY_EINPUT);
        assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_DOUBLE, 0, net, x0, 1, e), FY_EINPUT);
        fy_symtensor_clear(T);
    }
    /* a ball that straddles the boundary is refused too */
    set_q(x0 + 1, -1, 1);
    arb_set_fmpq(xb + 1, x0 + 1, 64);
    mag_set_d(arb_radref(xb + 1), 1e-3);
    arb_add_si(xb + 1, xb + 1, 0, 64);
    assert_int_equal(fy_jet_inn_dir_arb(cb, net, xb, NULL, 2, 64, e), FY_EINPUT);
    fy_inn_clear(net);
    for (i = 0; i < 2; i++)
    {
        fmpq_clear(g + i);
        fmpq_clear(x0 + i);
        fmpq_clear(v + i);
        arb_clear(xb + i);
    }
    for (i = 0; i < 3; i++)
    {
        fmpq_clear(c + i);
        arb_clear(cb + i);
    }
}

/* (2) brute force on fixed small networks without elementwise layers, (5) random networks
 * of all kinds */
static void test_bruteforce_fixed(void **state)
{
    fy_inn_t net;
    fmpq W[9], b[3], G[4], x0[3], v[3];
    int A[2] = {0, 2}, B[1] = {1}, i;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    for (i = 0; i < 9; i++)
        fmpq_init(W + i);
    for (i = 0; i < 3; i++)
    {
        fmpq_init(b + i);
        fmpq_init(x0 + i);
        fmpq_init(v + i);
    }
    for (i = 0; i < 4; i++)
        fmpq_init(G + i);
    /* W = [[2,1,0],[0,1,-1],[1,0,1]] (det 3), b = (1/2, -1, 1/3) */
    set_q(W + 0, 2, 1);
    set_q(W + 1, 1, 1);
    set_q(W + 4, 1, 1);
    set_q(W + 5, -1, 1);
    set_q(W + 6, 1, 1);
    set_q(W + 8, 1, 1);
    set_q(b + 0, 1, 2);
    set_q(b + 1, -1, 1);
    set_q(b + 2, 1, 3);
    /* y_1 = u_1 + u_0^2 - u_0 u_2 / 2 + 3 u_2^2 */
    set_q(G + 0, 1, 1);
    set_q(G + 1, -1, 4);
    set_q(G + 2, -1, 4);
    set_q(G + 3, 3, 1);
    set_q(x0 + 0, 1, 2);
    set_q(x0 + 1, -2, 3);
    set_q(x0 + 2, 1, 5);
    set_q(v + 0, 1, 1);
    set_q(v + 1, -1, 2);
    set_q(v + 2, 2, 1);
    new_net(net, 3);
    expect_ok(fy_inn_push_affine(net, "a1", W, b, e), e, "affine");
    expect_ok(fy_inn_push_coupling(net, "c1", A, 2, B, 1, G, e), e, "coupling");
    expect_ok(fy_inn_push_affine(net, "a2", W, NULL, e), e, "affine");
    expect_ok(fy_inn_push_coupling(net, "c2", A, 2, B, 1, G, e), e, "coupling");
    assert_int_equal(check_net(net, x0, v, 4), 0);
    assert_int_equal(check_net(net, NULL, v, 3), 0);
    fy_inn_clear(net);
    for (i = 0; i < 9; i++)
        fmpq_clear(W + i);
    for (i = 0; i < 3; i++)
    {
        fmpq_clear(b + i);
        fmpq_clear(x0 + i);
        fmpq_clear(v + i);
    }
    for (i = 0; i < 4; i++)
        fmpq_clear(G + i);
}

static void test_random_inns(void **state)
{
    uint64_t st = fy_test_seed("random_inns");
    int rep, refused = 0, total = 0, with_elem = 0;
    (void) state;
    for (rep = 0; rep < 60; rep++)
    {
        fy_inn_t net;
        int d = 1 + (int) (fy_test_rand(&st) % 5), depth = 1 + (int) (fy_test_rand(&st) % 6);
        int allow_elem = (int) (fy_test_rand(&st) % 2), l, i, n, has_elem = 0;
        int with_bias = (int) (fy_test_rand(&st) % 2);
        fmpq *x0 = _fmpq_vec_init(d), *v = _fmpq_vec_init(d);
        new_net(net, d);
        for (l = 0; l < depth; l++)
        {
            int kind = (int) (fy_test_rand(&st) % (allow_elem ? 3 : 2));
            if (kind == 0)
                push_random_affine(net, &st, with_bias);
            else if (kind == 1)
                push_random_coupling(net, &st);
            else
            {
                push_random_elementwise(net, &st);
                has_elem = 1;
            }
        }
        for (i = 0; i < d; i++)
        {
            rand_q(x0 + i, &st, 2, 7, 1);
            rand_q(v + i, &st, 2, 3, 0);
        }
        /* orders: up to 4 when small, else 3 (kept fast) */
        n = (d <= 3 && depth <= 4) ? 4 : 3;
        refused += check_net(net, x0, v, n);
        total++;
        with_elem += has_elem;
        _fmpq_vec_clear(x0, d);
        _fmpq_vec_clear(v, d);
        fy_inn_clear(net);
    }
    printf("# random INNs: %d networks, %d with elementwise layers, %d refused (s_0 <= 0)\n",
           total, with_elem, refused);
    assert_true(refused < total);
}

/* edge cases: N = 0, d = 1, no layers, aliasing, argument refusals */
static void test_edges(void **state)
{
    fy_inn_t net;
    fy_error_t e;
    fmpq W[1], x0[3], c[4];
    arb_struct xb[3], cb[4];
    double xd[3], cd[4], ref[4];
    fy_symtensor_t T;
    int i;
    (void) state;
    fy_error_init(e);
    for (i = 0; i < 4; i++)
    {
        fmpq_init(c + i);
        arb_init(cb + i);
    }
    for (i = 0; i < 3; i++)
    {
        fmpq_init(x0 + i);
        arb_init(xb + i);
    }
    fmpq_init(W);
    /* no layers: the standard normal; N = 0 gives c_0 only */
    new_net(net, 3);
    set_q(x0 + 0, 1, 2);
    set_q(x0 + 1, -1, 1);
    set_q(x0 + 2, 3, 1);
    expect_ok(fy_jet_inn_dir_fmpq(c, net, x0, NULL, 0, e), e, "N = 0");
    {
        fmpq_t w;
        fmpq_init(w);
        set_q(w, -41, 8); /* -(1/4 + 1 + 9)/2 */
        assert_true(fmpq_equal(c, w));
        fmpq_clear(w);
    }
    for (i = 0; i < 3; i++)
        xd[i] = fmpq_get_d(x0 + i);
    expect_ok(fy_jet_inn_dir_d(cd, net, xd, NULL, 0, e), e, "N = 0 double");
    assert_true(fabs(cd[0] - (-41.0 / 8 - 1.5 * log(2 * M_PI))) < 1e-13);
    /* aliasing: c is the x0 array (c written last) */
    for (i = 0; i < 3; i++)
    {
        arb_set_fmpq(xb + i, x0 + i, 128);
        arb_set(cb + i, xb + i);
        cd[i] = xd[i];
        fmpq_set(c + i, x0 + i);
    }
    expect_ok(fy_jet_inn_dir_d(ref, net, xd, xd, 2, e), e, "double");
    expect_ok(fy_jet_inn_dir_d(cd, net, cd, cd, 2, e), e, "double aliased");
    for (i = 0; i <= 2; i++)
        assert_true(cd[i] == ref[i]);
    expect_ok(fy_jet_inn_dir_fmpq(c, net, c, c, 2, e), e, "exact aliased");
    {
        fmpq_t w;
        fmpq_init(w);
        set_q(w, -41, 4); /* c_1 = -x0 . x0 for v = x0 */
        assert_true(fmpq_equal(c + 1, w));
        set_q(w, -41, 8);
        assert_true(fmpq_equal(c + 2, w));
        fmpq_clear(w);
    }
    {
        arb_struct cr[3];
        for (i = 0; i < 3; i++)
            arb_init(cr + i);
        expect_ok(fy_jet_inn_dir_arb(cr, net, xb, xb, 2, 128, e), e, "ball");
        expect_ok(fy_jet_inn_dir_arb(cb, net, cb, cb, 2, 128, e), e, "ball aliased");
        for (i = 0; i <= 2; i++)
        {
            assert_true(arb_equal(cb + i, cr + i));
            arb_clear(cr + i);
        }
        assert_true(arb_contains_fmpq(cb + 1, c + 1));
        assert_true(arb_contains_fmpq(cb + 2, c + 2));
    }
    /* refusals */
    assert_int_equal(fy_jet_inn_dir_fmpq(c, net, x0, NULL, -1, e), FY_EINPUT);
    assert_int_equal(fy_jet_inn_dir_d(cd, net, xd, NULL, INT32_MAX - 1, e), FY_ENOMEM);
    assert_int_equal(fy_jet_inn_dir_arb(cb, net, xb, NULL, 2, 1, e), FY_EINPUT);
    xd[1] = NAN;
    assert_int_equal(fy_jet_inn_dir_d(cd, net, xd, NULL, 2, e), FY_EINPUT);
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_EXACT, 0, net, x0, 0, e), FY_EINPUT);
    assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_EXACT, 0, net, x0, FY_JET_MAX_ORDER + 1, e),
                     FY_EUNSUPPORTED);
    /* origin, no layers: Hessian -1, others 0 */
    expect_ok(fy_jet_inn_tensor(T, FY_ARITH_EXACT, 0, net, NULL, 2, e), e, "Hessian at 0");
    {
        int idx[2] = {1, 1};
        assert_true(fmpq_equal_si(fy_symtensor_entry_fmpq(T, idx), -1));
        idx[0] = 0;
        assert_true(fmpq_is_zero(fy_symtensor_entry_fmpq(T, idx)));
    }
    fy_symtensor_clear(T);
    fy_inn_clear(net);
    /* a tensor that does not fit is refused up front */
    {
        int d = 30;
        fmpq *I = _fmpq_vec_init(d * d);
        for (i = 0; i < d; i++)
            fmpq_one(I + i * d + i);
        new_net(net, d);
        expect_ok(fy_inn_push_affine(net, "id", I, NULL, e), e, "identity");
        fy_symtensor_init_empty(T);
        assert_int_equal(fy_jet_inn_tensor(T, FY_ARITH_BALL, 64, net, NULL, 12, e), FY_ENOMEM);
        assert_non_null(strstr(e->msg, "bytes"));
        fy_symtensor_clear(T);
        fy_inn_clear(net);
        _fmpq_vec_clear(I, d * d);
    }
    /* d = 1, affine x -> 2x: ln p = -2 x^2 + ln 2 - ln(2 pi)/2 */
    new_net(net, 1);
    set_q(W, 2, 1);
    expect_ok(fy_inn_push_affine(net, "two", W, NULL, e), e, "affine");
    expect_ok(fy_jet_inn_dir_arb(cb, net, NULL, NULL, 3, 128, e), e, "d = 1");
    {
        arb_t w, t;
        arb_init(w);
        arb_init(t);
        arb_const_pi(w, 128);
        arb_log(w, w, 128);
        arb_const_log2(t, 128);
        arb_sub(w, t, w, 128);
        arb_mul_2exp_si(w, w, -1); /* ln 2 - ln(2 pi)/2 = (ln 2 - ln pi)/2 */
        assert_true(arb_overlaps(w, cb + 0));
        assert_true(arb_is_zero(cb + 1));
        assert_true(arb_is_zero(cb + 3));
        arb_clear(w);
        arb_clear(t);
    }
    fy_inn_clear(net);
    fmpq_clear(W);
    for (i = 0; i < 4; i++)
    {
        fmpq_clear(c + i);
        arb_clear(cb + i);
    }
    for (i = 0; i < 3; i++)
    {
        fmpq_clear(x0 + i);
        arb_clear(xb + i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_affine_closed_form),
        cmocka_unit_test(test_elementwise_1d),
        cmocka_unit_test(test_elementwise_refused),
        cmocka_unit_test(test_bruteforce_fixed),
        cmocka_unit_test(test_random_inns),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests_name("jet_inn", tests, NULL, NULL) ? 1 : 0;
}
