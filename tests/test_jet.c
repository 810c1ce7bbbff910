/* Tests of the jet module: Taylor-mode AD of MLPs and the exact interpolation of derivative
 * tensors from directional jets.
 *
 * Oracles (none of them is the code under test):
 *   - interpolation: applied to the homogeneous polynomials f(s) = s^j' the weights must give
 *     d^j s^j' = j'! [j = j'] exactly (calculus of monomials);
 *   - one hidden layer: d^n F(0)[i1..in] = sum_a W2_a sigma^(n)(b1_a) W1_{a,i1} .. W1_{a,in},
 *     with sigma^(n)(z0) from Arb's own series functions (arb_poly exp/log1p/sin_cos/inv/div,
 *     arb_hypgeom_erf_series), and at zero biases exactly: tanh^(n)(0) from the tangent
 *     numbers 2^2k (2^2k - 1) B_2k / 2k (FLINT's Bernoulli numbers), sigmoid through
 *     (1 + tanh(z/2))/2, sin by its cycle;
 *   - polynomial activations with rational weights: the network output is a polynomial in x,
 *     built here by composition with fmpq_mpoly; tensor entries are its coefficients times
 *     the multiplicity factorials, directional coefficients its homogeneous parts at v;
 *   - consistency of two code paths: the order-n coefficient along an arbitrary rational v
 *     against T[v,..,v]/n! of the interpolated tensor (integer directions);
 *   - random networks: the double tensor within tolerance of the ball tensor;
 *   - ReLU away from 0: the network is affine there, gradient W2 diag(z > 0) W1;
 *   - ball inputs at random precisions and radii (fy_*_randtest): the results contain the
 *     exact values (or high-precision balls) at exact points drawn inside the input balls.
 * Ball results are checked by containment or overlap, and also for being narrow (a test that
 * accepted the whole real line could not fail). */
#include <math.h>
#include <string.h>

#include <flint/arith.h>
#include <flint/fmpq_mpoly.h>

#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/util.h"
#include "num/arb_all.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

/* Model texts are built with the library's string builder (feynn/util.h); a failed append
 * fails the test. */
typedef fy_strbuf_struct sbuf_t;
#define sb_printf(b, ...) assert_int_equal(fy_strbuf_printf((b), __VA_ARGS__), FY_OK)

static void load_text(fy_net_t net, const char *text)
{
    fy_net_opts_t o;
    fy_error_t e;
    fy_error_init(e);
    fy_net_opts_init(o);
    fy_net_init(net);
    if (fy_net_read_text_buffer(net, text, strlen(text), "test.txt", o, e) != FY_OK)
        fail_msg("loading the test network failed: %s\n%s", e->msg, text);
}

/* Multiplicity vector of a sorted multi-index. */
static void multiplicities(int *e, const int *idx, int n, int d)
{
    int k;
    for (k = 0; k < d; k++)
        e[k] = 0;
    for (k = 0; k < n; k++)
        e[idx[k]]++;
}

static int arb_narrow(const arb_t x, slong bits)
{
    return arb_is_zero(x) || arb_rel_accuracy_bits(x) >= bits ||
           mag_cmp_2exp_si(arb_radref(x), -bits) < 0;
}

/* ------------------------------------------------------------------ interpolation */

static void test_interp_monomials(void **state)
{
    fy_error_t e;
    int d, n, *dir, *jidx, *jm, m;
    slong C, r, rp;
    (void) state;
    fy_error_init(e);
    dir = malloc(8 * sizeof(int));
    jidx = malloc(8 * sizeof(int));
    jm = malloc(8 * sizeof(int));
    for (d = 1; d <= 4; d++)
        for (n = 0; n <= 5; n++)
        {
            fy_jet_interp_t I;
            fy_numvec_t F;
            fy_symtensor_t T;
            assert_int_equal(fy_jet_interp_init(I, d, n, e), FY_OK);
            C = I->ndirs;
            assert_int_equal(fy_numvec_init(F, FY_ARITH_EXACT, C, 0, e), FY_OK);
            fy_symtensor_init_empty(T);
            /* for each monomial s^j' (j' of rank rp) */
            for (rp = 0; rp < C; rp++)
            {
                for (m = 0; m < n; m++)
                    jidx[m] = 0;
                for (r = 0; r < rp; r++)
                    fy_multiindex_next(jidx, d, n);
                multiplicities(jm, jidx, n, d);
                for (r = 0; r < C; r++)
                {
                    fmpz_t p, t;
                    fmpz_init(p);
                    fmpz_init(t);
                    fmpz_one(p);
                    fy_jet_interp_direction(dir, I, r);
                    for (m = 0; m < d; m++)
                    {
                        fmpz_set_si(t, dir[m]);
                        fmpz_pow_ui(t, t, (ulong) jm[m]);
                        fmpz_mul(p, p, t);
                    }
                    fmpz_set(fmpq_numref(fy_numvec_fmpq(F) + r), p);
                    fmpz_one(fmpq_denref(fy_numvec_fmpq(F) + r));
                    fmpz_clear(p);
                    fmpz_clear(t);
                }
                assert_int_equal(fy_jet_interpolate(T, F, d, n, e), FY_OK);
                for (r = 0; r < C; r++)
                {
                    fmpq *got = fy_numvec_fmpq(&T->e) + r;
                    if (r == rp)
                    {
                        fmpz_t fac, t;
                        fmpz_init_set_ui(fac, 1);
                        fmpz_init(t);
                        for (m = 0; m < d; m++)
                        {
                            fmpz_fac_ui(t, (ulong) jm[m]);
                            fmpz_mul(fac, fac, t);
                        }
                        assert_true(fmpz_is_one(fmpq_denref(got)));
                        assert_true(fmpz_equal(fmpq_numref(got), fac));
                        fmpz_clear(fac);
                        fmpz_clear(t);
                    }
                    else if (!fmpq_is_zero(got))
                        fail_msg("d=%d n=%d: monomial %ld gives entry %ld nonzero", d, n,
                                 (long) rp, (long) r);
                }
            }
            fy_symtensor_clear(T);
            fy_numvec_clear(F);
            fy_jet_interp_clear(I);
        }
    /* a row is short: it depends on the pattern of the index, not on d */
    {
        fy_jet_interp_t I;
        assert_int_equal(fy_jet_interp_init(I, 60, 3, e), FY_OK);
        assert_int_equal(fy_jet_interp_row(I, I->ndirs - 1, e), FY_OK);
        assert_true(I->len >= 1 && I->len <= 10);
        assert_int_equal(fy_jet_interp_row(I, I->ndirs, e), FY_EINPUT);
        fy_jet_interp_clear(I);
    }
    free(dir);
    free(jidx);
    free(jm);
}

/* ------------------------------------------------------------------ one hidden layer */

/* Taylor coefficients of sigma(z0 + t), t^0..t^n, by Arb's series functions. */
static void sigma_series_oracle(arb_poly_t s, const char *act, const fmpq_t z0, slong n,
                                slong prec)
{
    arb_poly_t x, a, b;
    arb_t c;
    slong len = n + 1;
    arb_poly_init(x);
    arb_poly_init(a);
    arb_poly_init(b);
    arb_init(c);
    arb_set_fmpq(c, z0, prec);
    arb_poly_set_coeff_arb(x, 0, c);
    arb_poly_set_coeff_si(x, 1, 1);
    if (strcmp(act, "tanh") == 0)
    {
        /* (e^{2x} - 1) / (e^{2x} + 1) */
        arb_poly_scalar_mul_2exp_si(a, x, 1);
        arb_poly_exp_series(a, a, len, prec);
        arb_poly_add_si(b, a, 1, prec);
        arb_poly_add_si(a, a, -1, prec);
        arb_poly_div_series(s, a, b, len, prec);
    }
    else if (strcmp(act, "sigmoid") == 0)
    {
        arb_poly_neg(a, x);
        arb_poly_exp_series(a, a, len, prec);
        arb_poly_add_si(a, a, 1, prec);
        arb_poly_inv_series(s, a, len, prec);
    }
    else if (strcmp(act, "softplus") == 0)
    {
        arb_poly_exp_series(a, x, len, prec);
        arb_poly_log1p_series(s, a, len, prec);
    }
    else if (strcmp(act, "exp") == 0)
        arb_poly_exp_series(s, x, len, prec);
    else if (strcmp(act, "sin") == 0)
        arb_poly_sin_cos_series(s, a, x, len, prec);
    else if (strcmp(act, "cos") == 0)
        arb_poly_sin_cos_series(a, s, x, len, prec);
    else if (strcmp(act, "erf") == 0)
        arb_hypgeom_erf_series(s, x, len, prec);
    else if (strcmp(act, "relu") == 0)
    {
        if (fmpq_sgn(z0) > 0)
        {
            arb_poly_set(s, x);
            arb_poly_truncate(s, len);
        }
        else
            arb_poly_zero(s);
    }
    else
        fail_msg("no oracle for %s", act);
    arb_poly_clear(x);
    arb_poly_clear(a);
    arb_poly_clear(b);
    arb_clear(c);
}

static const char *one_layer_W1[3][2] = {{"1/2", "-3/4"}, {"1/3", "5/4"}, {"-1", "1/8"}};
static const char *one_layer_b1[3] = {"1/5", "-1/2", "3/4"};
static const char *one_layer_W2[3] = {"2/3", "-1/2", "5/7"};

static void one_layer_text(sbuf_t *b, const char *act)
{
    int a;
    sb_printf(b, "feynn-model 1\ninput 2\nlayer 3 activation %s\n", act);
    for (a = 0; a < 3; a++)
        sb_printf(b, "  %s %s\n", one_layer_W1[a][0], one_layer_W1[a][1]);
    sb_printf(b, "bias %s %s %s\nlayer 1\n  %s %s %s\nbias 1/9\n", one_layer_b1[0],
              one_layer_b1[1], one_layer_b1[2], one_layer_W2[0], one_layer_W2[1],
              one_layer_W2[2]);
}

static void test_one_layer_closed_form(void **state)
{
    static const char *acts[] = {"tanh", "sigmoid", "softplus", "exp", "sin",
                                 "cos",  "erf",     "relu"};
    const slong prec = 256;
    const int nmax = 6;
    fy_error_t e;
    size_t ai;
    (void) state;
    fy_error_init(e);
    for (ai = 0; ai < sizeof acts / sizeof acts[0]; ai++)
    {
        sbuf_t b = {0};
        fy_net_t net;
        fy_jet_net_t J;
        fmpq_t W1[3][2], W2[3], b1[3], q;
        arb_poly_t s[3];
        arb_t want, t, u;
        int a, i, n, idx[8];

        one_layer_text(&b, acts[ai]);
        load_text(net, b.s);
        fy_jet_net_init(J);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
        arb_init(want);
        arb_init(t);
        arb_init(u);
        fmpq_init(q);
        for (a = 0; a < 3; a++)
        {
            for (i = 0; i < 2; i++)
            {
                fmpq_init(W1[a][i]);
                assert_int_equal(fy_fmpq_parse(W1[a][i], one_layer_W1[a][i], e), FY_OK);
            }
            fmpq_init(W2[a]);
            fmpq_init(b1[a]);
            assert_int_equal(fy_fmpq_parse(W2[a], one_layer_W2[a], e), FY_OK);
            assert_int_equal(fy_fmpq_parse(b1[a], one_layer_b1[a], e), FY_OK);
            arb_poly_init(s[a]);
            sigma_series_oracle(s[a], acts[ai], b1[a], nmax, prec + 64);
        }
        for (n = 1; n <= nmax; n++)
        {
            fy_symtensor_t Tb, Td;
            slong r, C;
            fy_symtensor_init_empty(Tb);
            fy_symtensor_init_empty(Td);
            assert_int_equal(fy_jet_tensor_arb(Tb, J, 0, NULL, n, prec, e), FY_OK);
            assert_int_equal(fy_jet_tensor_d(Td, J, 0, NULL, n, e), FY_OK);
            C = fy_symtensor_len(Tb);
            for (i = 0; i < n; i++)
                idx[i] = 0;
            for (r = 0; r < C; r++)
            {
                /* want = sum_a W2_a sigma^(n)(b1_a) prod_k W1[a][idx_k] */
                arb_zero(want);
                for (a = 0; a < 3; a++)
                {
                    arb_poly_get_coeff_arb(t, s[a], n);
                    arb_fac_ui(u, (ulong) n, prec + 64);
                    arb_mul(t, t, u, prec + 64);
                    fmpq_set(q, W2[a]);
                    for (i = 0; i < n; i++)
                        fmpq_mul(q, q, W1[a][idx[i]]);
                    arb_set_fmpq(u, q, prec + 64);
                    arb_addmul(want, t, u, prec + 64);
                }
                if (!arb_overlaps(want, fy_numvec_arb(&Tb->e) + r) ||
                    !arb_narrow(fy_numvec_arb(&Tb->e) + r, 150))
                {
                    char *g = fy_arb_get_str_radius(fy_numvec_arb(&Tb->e) + r, 30);
                    char *w = fy_arb_get_str_radius(want, 30);
                    fail_msg("%s order %d entry %ld: jet %s, closed form %s", acts[ai], n,
                             (long) r, g, w);
                }
                if (!fy_d_near_arb(fy_numvec_d(&Td->e)[r], want, 1e-12, 1e-13))
                    fail_msg("%s order %d entry %ld: double %.17g", acts[ai], n, (long) r,
                             fy_numvec_d(&Td->e)[r]);
                fy_multiindex_next(idx, 2, n);
            }
            fy_symtensor_clear(Tb);
            fy_symtensor_clear(Td);
        }
        for (a = 0; a < 3; a++)
        {
            for (i = 0; i < 2; i++)
                fmpq_clear(W1[a][i]);
            fmpq_clear(W2[a]);
            fmpq_clear(b1[a]);
            arb_poly_clear(s[a]);
        }
        fmpq_clear(q);
        arb_clear(want);
        arb_clear(t);
        arb_clear(u);
        fy_jet_net_clear(J);
        fy_net_clear(net);
        free(b.s);
    }
}

/* sigma^(n)(0) exactly: tanh from the tangent numbers, tanh^(2k-1)(0) = 2^2k (2^2k - 1) B_2k / 2k;
 * sigmoid(z) = 1/2 + tanh(z/2)/2, so sigmoid^(n)(0) = tanh^(n)(0) / 2^(n+1) for n >= 1; sin by
 * its cycle 0, 1, 0, -1. */
static void sigma_at0_exact(fmpq_t res, const char *act, int n)
{
    if (strcmp(act, "sin") == 0)
    {
        fmpq_set_si(res, n % 2 == 0 ? 0 : (n % 4 == 1 ? 1 : -1), 1);
        return;
    }
    if (n % 2 == 0)
        fmpq_zero(res);
    else
    {
        fmpz_t p;
        ulong k = (ulong) (n + 1) / 2;
        fmpz_init(p);
        arith_bernoulli_number(res, 2 * k);
        fmpz_one(p);
        fmpz_mul_2exp(p, p, 2 * k);
        fmpq_mul_fmpz(res, res, p);
        fmpz_sub_ui(p, p, 1);
        fmpq_mul_fmpz(res, res, p);
        fmpz_set_ui(p, 2 * k);
        fmpq_div_fmpz(res, res, p);
        fmpz_clear(p);
    }
    if (strcmp(act, "sigmoid") == 0)
    {
        if (n == 0)
            fmpq_set_si(res, 1, 2);
        else
            fmpq_div_2exp(res, res, (ulong) n + 1);
    }
}

/* Zero biases: every value is rational, and the exact tensors must equal the closed form. */
static void test_exact_at_zero(void **state)
{
    static const char *acts[] = {"tanh", "sigmoid", "sin"};
    fy_error_t e;
    fmpq_t W1[3][2], W2[3], want, q, tn;
    const char *w1[3][2] = {{"1/2", "-3/4"}, {"1/3", "5/4"}, {"-1", "1/8"}};
    const char *w2[3] = {"2/3", "-1/2", "5/7"};
    int a, i, n, idx[10];
    size_t ai;
    (void) state;
    fy_error_init(e);
    for (a = 0; a < 3; a++)
    {
        for (i = 0; i < 2; i++)
        {
            fmpq_init(W1[a][i]);
            fy_fmpq_parse(W1[a][i], w1[a][i], e);
        }
        fmpq_init(W2[a]);
        fy_fmpq_parse(W2[a], w2[a], e);
    }
    fmpq_init(want);
    fmpq_init(q);
    fmpq_init(tn);
    for (ai = 0; ai < sizeof acts / sizeof acts[0]; ai++)
    {
        fy_net_t net;
        fy_jet_net_t J;
        sbuf_t b = {0};
        sb_printf(&b, "feynn-model 1\ninput 2\nlayer 3 activation %s\n 1/2 -3/4\n 1/3 5/4\n"
                      " -1 1/8\nlayer 1\n 2/3 -1/2 5/7\n", acts[ai]);
        load_text(net, b.s);
        free(b.s);
        fy_jet_net_init(J);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
        for (n = 0; n <= 9; n++)
        {
            fy_symtensor_t T;
            slong r;
            sigma_at0_exact(tn, acts[ai], n);
            fy_symtensor_init_empty(T);
            assert_int_equal(fy_jet_tensor_fmpq(T, J, 0, NULL, n, e), FY_OK);
            for (i = 0; i < n; i++)
                idx[i] = 0;
            for (r = 0; r < fy_symtensor_len(T); r++)
            {
                fmpq_zero(want);
                for (a = 0; a < 3; a++)
                {
                    fmpq_mul(q, W2[a], tn);
                    for (i = 0; i < n; i++)
                        fmpq_mul(q, q, W1[a][idx[i]]);
                    fmpq_add(want, want, q);
                }
                if (!fmpq_equal(want, fy_numvec_fmpq(&T->e) + r))
                    fail_msg("%s order %d entry %ld differs from the closed form", acts[ai], n,
                             (long) r);
                fy_multiindex_next(idx, 2, n);
            }
            fy_symtensor_clear(T);
        }
        fy_jet_net_clear(J);
        fy_net_clear(net);
    }
    for (a = 0; a < 3; a++)
    {
        for (i = 0; i < 2; i++)
            fmpq_clear(W1[a][i]);
        fmpq_clear(W2[a]);
    }
    fmpq_clear(want);
    fmpq_clear(q);
    fmpq_clear(tn);
}

/* ------------------------------------------------------------------ polynomial activations */

#define PD 2 /* inputs */

/* The network below as an fmpq_mpoly in h, x = xbar + h. */
static const char *poly_text =
    "feynn-model 1\ninput 2\n"
    "layer 3 activation quadratic\n 1/2 -1/3\n 2/5 1\n -3/4 1/7\nbias 1/3 -1/2 1/4\n"
    "layer 2 activation cubic\n 1 -2/3 1/2\n 3/5 1/4 -1\nbias -1/6 1/5\n"
    "layer 2\n 1 1/2\n -2/3 3/4\nbias 1/11 0\n";

static void apply_poly_mpoly(fmpq_mpoly_t z, const fmpq_poly_t qp, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_t r;
    fmpq_t c;
    slong m;
    fmpq_mpoly_init(r, ctx);
    fmpq_init(c);
    fmpq_mpoly_zero(r, ctx);
    for (m = fmpq_poly_degree(qp); m >= 0; m--)
    {
        fmpq_mpoly_mul(r, r, z, ctx);
        fmpq_poly_get_coeff_fmpq(c, qp, m);
        fmpq_mpoly_add_fmpq(r, r, c, ctx);
    }
    fmpq_mpoly_swap(z, r, ctx);
    fmpq_mpoly_clear(r, ctx);
    fmpq_clear(c);
}

static void poly_net_mpoly(fmpq_mpoly_struct *F, const fy_net_t net, const fmpq_poly_t *acts,
                           const fmpq *xbar, const fmpq_mpoly_ctx_t ctx)
{
    fmpq_mpoly_struct y[8], z[8];
    fmpq_mpoly_t t;
    int l;
    size_t a, i, nin = net->widths[0];
    fmpq_mpoly_init(t, ctx);
    for (i = 0; i < nin; i++)
    {
        fmpq_mpoly_init(y + i, ctx);
        fmpq_mpoly_gen(y + i, (slong) i, ctx);
        fmpq_mpoly_add_fmpq(y + i, y + i, xbar + i, ctx);
    }
    for (l = 1; l <= net->L; l++)
    {
        const fy_layer_struct *ly = net->layers + (l - 1);
        for (a = 0; a < ly->n_out; a++)
        {
            fmpq_mpoly_init(z + a, ctx);
            for (i = 0; i < ly->n_in; i++)
            {
                fmpq_mpoly_scalar_mul_fmpq(t, y + i, ly->W_exact + a * ly->n_in + i, ctx);
                fmpq_mpoly_add(z + a, z + a, t, ctx);
            }
            fmpq_mpoly_add_fmpq(z + a, z + a, ly->b_exact + a, ctx);
            if (l < net->L)
                apply_poly_mpoly(z + a, acts[l - 1], ctx);
        }
        for (i = 0; i < ly->n_in; i++)
            fmpq_mpoly_clear(y + i, ctx);
        for (a = 0; a < ly->n_out; a++)
        {
            fmpq_mpoly_init(y + a, ctx);
            fmpq_mpoly_swap(y + a, z + a, ctx);
            fmpq_mpoly_clear(z + a, ctx);
        }
        nin = ly->n_out;
    }
    for (a = 0; a < nin; a++)
    {
        fmpq_mpoly_swap(F + a, y + a, ctx);
        fmpq_mpoly_clear(y + a, ctx);
    }
    fmpq_mpoly_clear(t, ctx);
}

static void test_poly_network_exact(void **state)
{
    fy_net_t net;
    fy_jet_net_t J;
    fy_error_t e;
    fmpq_poly_t acts[2];
    fmpq_mpoly_ctx_t ctx;
    fmpq_mpoly_struct F[2];
    fmpq xbar[PD], v[PD];
    fmpq_t c, want, t;
    int o, n, k, idx[10], ex[PD];
    ulong uex[PD];
    const int nmax = 7; /* the output has degree 2 * 3 = 6 */
    (void) state;

    fy_error_init(e);
    load_text(net, poly_text);
    assert_int_equal(net->exact, 1);
    fmpq_init(c);
    fmpq_init(want);
    fmpq_init(t);
    /* quadratic: z + z^2/2; cubic (defined here): 1/2 + z - z^3/3 */
    fmpq_poly_init(acts[0]);
    fmpq_poly_init(acts[1]);
    fmpq_poly_set_coeff_si(acts[0], 1, 1);
    fmpq_set_si(c, 1, 2);
    fmpq_poly_set_coeff_fmpq(acts[0], 2, c);
    fmpq_poly_set_coeff_fmpq(acts[1], 0, c);
    fmpq_poly_set_coeff_si(acts[1], 1, 1);
    fmpq_set_si(c, -1, 3);
    fmpq_poly_set_coeff_fmpq(acts[1], 3, c);

    fy_jet_net_init(J);
    /* "cubic" is not known until defined */
    assert_int_equal(fy_jet_net_set(J, net, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "cubic"));
    assert_int_equal(fy_jet_net_define_poly(J, "cubic", acts[1], e), FY_OK);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);

    for (k = 0; k < PD; k++)
    {
        fmpq_init(xbar + k);
        fmpq_init(v + k);
    }
    fmpq_set_si(xbar + 0, 1, 2);
    fmpq_set_si(xbar + 1, -1, 3);
    fmpq_set_si(v + 0, 2, 3);
    fmpq_set_si(v + 1, -5, 4);

    fmpq_mpoly_ctx_init(ctx, PD, ORD_LEX);
    fmpq_mpoly_init(F + 0, ctx);
    fmpq_mpoly_init(F + 1, ctx);
    poly_net_mpoly(F, net, acts, xbar, ctx);
    assert_int_equal(fmpq_mpoly_total_degree_si(F + 0, ctx), 6);

    /* tensors: d^n F(xbar)[j] = j! [h^j] F */
    for (o = 0; o < 2; o++)
        for (n = 0; n <= nmax; n++)
        {
            fy_symtensor_t Te, Tb, Td;
            arb_ptr xb = _arb_vec_init(PD);
            double xd[PD];
            slong r;
            for (k = 0; k < PD; k++)
            {
                arb_set_fmpq(xb + k, xbar + k, 200);
                xd[k] = fy_fmpq_get_d(xbar + k);
            }
            fy_symtensor_init_empty(Te);
            fy_symtensor_init_empty(Tb);
            fy_symtensor_init_empty(Td);
            assert_int_equal(fy_jet_tensor_fmpq(Te, J, o, xbar, n, e), FY_OK);
            assert_int_equal(fy_jet_tensor_arb(Tb, J, o, xb, n, 200, e), FY_OK);
            assert_int_equal(fy_jet_tensor_d(Td, J, o, xd, n, e), FY_OK);
            for (k = 0; k < n; k++)
                idx[k] = 0;
            for (r = 0; r < fy_symtensor_len(Te); r++)
            {
                fmpz_t f, g;
                fmpz_init_set_ui(f, 1);
                fmpz_init(g);
                multiplicities(ex, idx, n, PD);
                for (k = 0; k < PD; k++)
                {
                    uex[k] = (ulong) ex[k];
                    fmpz_fac_ui(g, uex[k]);
                    fmpz_mul(f, f, g);
                }
                fmpq_mpoly_get_coeff_fmpq_ui(want, F + o, uex, ctx);
                fmpq_mul_fmpz(want, want, f);
                if (!fmpq_equal(want, fy_numvec_fmpq(&Te->e) + r))
                    fail_msg("poly output %d order %d entry %ld: exact tensor differs", o, n,
                             (long) r);
                if (!fy_arb_contains_fmpq(fy_numvec_arb(&Tb->e) + r, want) ||
                    !arb_narrow(fy_numvec_arb(&Tb->e) + r, 120))
                    fail_msg("poly output %d order %d entry %ld: ball misses", o, n, (long) r);
                {
                    arb_t wb;
                    arb_init(wb);
                    arb_set_fmpq(wb, want, 200);
                    if (!fy_d_near_arb(fy_numvec_d(&Td->e)[r], wb, 1e-12, 1e-12))
                        fail_msg("poly output %d order %d entry %ld: double %.17g", o, n,
                                 (long) r, fy_numvec_d(&Td->e)[r]);
                    arb_clear(wb);
                }
                fmpz_clear(f);
                fmpz_clear(g);
                fy_multiindex_next(idx, PD, n);
            }
            fy_symtensor_clear(Te);
            fy_symtensor_clear(Tb);
            fy_symtensor_clear(Td);
            _arb_vec_clear(xb, PD);
        }

    /* directional coefficients: c_k = sum_{|j| = k} [h^j] F v^j */
    {
        fmpq *ce = _fmpq_vec_init(2 * (nmax + 1));
        arb_ptr cb = _arb_vec_init(2 * (nmax + 1));
        double cd[2 * 8], xd[PD], vd[PD];
        slong i, len;
        for (k = 0; k < PD; k++)
        {
            xd[k] = fy_fmpq_get_d(xbar + k);
            vd[k] = fy_fmpq_get_d(v + k);
        }
        assert_int_equal(fy_jet_dir_fmpq(ce, J, xbar, v, nmax, e), FY_OK);
        assert_int_equal(fy_jet_dir_arb_fmpq(cb, J, xbar, v, nmax, 128, e), FY_OK);
        assert_int_equal(fy_jet_dir_d(cd, J, xd, vd, nmax, e), FY_OK);
        for (o = 0; o < 2; o++)
            for (n = 0; n <= nmax; n++)
            {
                arb_t wb;
                fmpq_zero(want);
                len = fmpq_mpoly_length(F + o, ctx);
                for (i = 0; i < len; i++)
                {
                    fmpq_mpoly_get_term_exp_ui(uex, F + o, i, ctx);
                    if ((int) (uex[0] + uex[1]) != n)
                        continue;
                    fmpq_mpoly_get_term_coeff_fmpq(c, F + o, i, ctx);
                    for (k = 0; k < PD; k++)
                    {
                        fmpq_t p;
                        fmpq_init(p);
                        fmpz_pow_ui(fmpq_numref(p), fmpq_numref(v + k), uex[k]);
                        fmpz_pow_ui(fmpq_denref(p), fmpq_denref(v + k), uex[k]);
                        fmpq_mul(c, c, p);
                        fmpq_clear(p);
                    }
                    fmpq_add(want, want, c);
                }
                if (!fmpq_equal(want, ce + o * (nmax + 1) + n))
                    fail_msg("poly dir output %d coefficient %d: exact differs", o, n);
                if (!fy_arb_contains_fmpq(cb + o * (nmax + 1) + n, want))
                    fail_msg("poly dir output %d coefficient %d: ball misses", o, n);
                arb_init(wb);
                arb_set_fmpq(wb, want, 200);
                if (!fy_d_near_arb(cd[o * (nmax + 1) + n], wb, 1e-12, 1e-12))
                    fail_msg("poly dir output %d coefficient %d: double %.17g", o, n,
                             cd[o * (nmax + 1) + n]);
                arb_clear(wb);
            }
        _fmpq_vec_clear(ce, 2 * (nmax + 1));
        _arb_vec_clear(cb, 2 * (nmax + 1));
    }

    fmpq_mpoly_clear(F + 0, ctx);
    fmpq_mpoly_clear(F + 1, ctx);
    fmpq_mpoly_ctx_clear(ctx);
    for (k = 0; k < PD; k++)
    {
        fmpq_clear(xbar + k);
        fmpq_clear(v + k);
    }
    fmpq_poly_clear(acts[0]);
    fmpq_poly_clear(acts[1]);
    fmpq_clear(c);
    fmpq_clear(want);
    fmpq_clear(t);
    fy_jet_net_clear(J);
    fy_net_clear(net);
}

/* ------------------------------------------------------------------ random networks */

static const char *rand_acts[] = {"tanh", "sigmoid", "sin", "softplus"};

/* A random network: depth hidden layers of width <= 6, n0 inputs, one output, activations
 * drawn from acts[0..nacts-1]; weights r/16 scaled by about 1/sqrt(fan_in) (dyadic, so double
 * and ball see the same numbers). */
static void random_net_acts(fy_net_t net, uint64_t *st, int depth, int n0, const char **acts,
                            int nacts)
{
    sbuf_t b = {0};
    int l, a, i, nin = n0, w;
    sb_printf(&b, "feynn-model 1\ninput %d\n", n0);
    for (l = 0; l <= depth; l++)
    {
        int scale = nin <= 1 ? 16 : (nin <= 4 ? 32 : 48);
        w = l == depth ? 1 : 1 + (int) (fy_test_rand(st) % 6);
        if (l < depth)
            sb_printf(&b, "layer %d activation %s\n", w,
                      acts[fy_test_rand(st) % (uint64_t) nacts]);
        else
            sb_printf(&b, "layer 1\n");
        for (a = 0; a < w; a++)
        {
            for (i = 0; i < nin; i++)
                sb_printf(&b, " %d/%d", (int) (fy_test_rand(st) % 41) - 20, scale);
            sb_printf(&b, "\n");
        }
        sb_printf(&b, "bias");
        for (a = 0; a < w; a++)
            sb_printf(&b, " %d/64", (int) (fy_test_rand(st) % 41) - 20);
        sb_printf(&b, "\n");
        nin = w;
    }
    load_text(net, b.s);
    free(b.s);
}

static void random_net(fy_net_t net, uint64_t *st, int depth, int n0)
{
    random_net_acts(net, st, depth, n0, rand_acts, 4);
}

static void test_random_networks(void **state)
{
    uint64_t st = fy_test_seed("jet random networks");
    fy_error_t e;
    int trial;
    (void) state;
    fy_error_init(e);
    for (trial = 0; trial < 40; trial++)
    {
        fy_net_t net;
        fy_jet_net_t J;
        fy_symtensor_t Tb, Td;
        int depth = 1 + (int) (fy_test_rand(&st) % 5), n0 = 1 + (int) (fy_test_rand(&st) % 4);
        int n = (int) (fy_test_rand(&st) % 6), k;
        arb_ptr xb = _arb_vec_init(n0);
        double xd[4], maxabs = 0;
        slong r;
        random_net(net, &st, depth, n0);
        for (k = 0; k < n0; k++)
        {
            xd[k] = ((int) (fy_test_rand(&st) % 33) - 16) / 32.0;
            arb_set_d(xb + k, xd[k]);
        }
        fy_jet_net_init(J);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
        fy_symtensor_init_empty(Tb);
        fy_symtensor_init_empty(Td);
        assert_int_equal(fy_jet_tensor_arb(Tb, J, 0, xb, n, 128, e), FY_OK);
        assert_int_equal(fy_jet_tensor_d(Td, J, 0, xd, n, e), FY_OK);
        for (r = 0; r < fy_symtensor_len(Td); r++)
            maxabs = fmax(maxabs, fabs(fy_numvec_d(&Td->e)[r]));
        for (r = 0; r < fy_symtensor_len(Td); r++)
        {
            arb_srcptr x = fy_numvec_arb(&Tb->e) + r;
            if (!arb_narrow(x, 80) ||
                !fy_d_near_arb(fy_numvec_d(&Td->e)[r], x, 1e-10, 1e-11 * (1 + maxabs)))
            {
                char *s = fy_arb_get_str_radius(x, 25);
                fail_msg("trial %d (depth %d, n0 %d, order %d) entry %ld: double %.17g, "
                         "ball %s", trial, depth, n0, n, (long) r, fy_numvec_d(&Td->e)[r], s);
            }
        }
        fy_symtensor_clear(Tb);
        fy_symtensor_clear(Td);
        fy_jet_net_clear(J);
        fy_net_clear(net);
        _arb_vec_clear(xb, n0);
    }
}

/* The n-th coefficient along an arbitrary rational v (one jet) against T[v,..,v] / n! of the
 * tensor interpolated from the integer directions. */
static void test_dir_vs_tensor(void **state)
{
    uint64_t st = fy_test_seed("jet dir vs tensor");
    fy_error_t e;
    int trial;
    const slong prec = 160;
    (void) state;
    fy_error_init(e);
    for (trial = 0; trial < 12; trial++)
    {
        fy_net_t net;
        fy_jet_net_t J;
        int depth = 1 + trial % 3, n0 = 2 + trial % 3, n = 1 + trial % 5, k;
        arb_ptr xb = _arb_vec_init(n0), c = _arb_vec_init(n + 1);
        fmpq *xq = _fmpq_vec_init(n0), *vq = _fmpq_vec_init(n0);
        fy_symtensor_t T, S;
        fy_numvec_t h;
        arb_t f;
        random_net(net, &st, depth, n0);
        fy_jet_net_init(J);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
        fy_numvec_init(h, FY_ARITH_BALL, n0, prec, e);
        for (k = 0; k < n0; k++)
        {
            fmpq_set_si(xq + k, (slong) (fy_test_rand(&st) % 21) - 10, 17);
            fmpq_set_si(vq + k, (slong) (fy_test_rand(&st) % 21) - 10, 7);
            arb_set_fmpq(xb + k, xq + k, prec);
            arb_set_fmpq(fy_numvec_arb(h) + k, vq + k, prec);
        }
        fy_symtensor_init_empty(T);
        fy_symtensor_init_empty(S);
        assert_int_equal(fy_jet_tensor_arb(T, J, 0, xb, n, prec, e), FY_OK);
        assert_int_equal(fy_symtensor_contract(S, T, h, 0, e), FY_OK);
        assert_int_equal(fy_jet_dir_arb_fmpq(c, J, xq, vq, n, prec, e), FY_OK);
        arb_init(f);
        arb_fac_ui(f, (ulong) n, prec);
        arb_div(f, fy_numvec_arb(&S->e), f, prec);
        if (!arb_overlaps(f, c + n) || !arb_narrow(c + n, 100) || !arb_narrow(f, 90))
        {
            char *a = fy_arb_get_str_radius(f, 25), *b = fy_arb_get_str_radius(c + n, 25);
            fail_msg("trial %d order %d: T[v..v]/n! = %s, jet %s", trial, n, a, b);
        }
        arb_clear(f);
        fy_symtensor_clear(T);
        fy_symtensor_clear(S);
        fy_numvec_clear(h);
        _arb_vec_clear(xb, n0);
        _arb_vec_clear(c, n + 1);
        _fmpq_vec_clear(xq, n0);
        _fmpq_vec_clear(vq, n0);
        fy_jet_net_clear(J);
        fy_net_clear(net);
    }
}

/* ------------------------------------------------------------------ relu, refusals */

static void test_relu(void **state)
{
    /* pre-activations at x = 0: 1/2, -1/4 (nonzero), so F is affine near 0 */
    const char *text = "feynn-model 1\ninput 2\n"
                       "layer 2 activation relu\n 1 -2\n 3 1/2\nbias 1/2 -1/4\n"
                       "layer 1\n 3/2 -5\n";
    const char *text0 = "feynn-model 1\ninput 2\n"
                        "layer 2 activation relu\n 1 -2\n 3 1/2\nbias 0 -1/4\n"
                        "layer 1\n 3/2 -5\n";
    fy_net_t net;
    fy_jet_net_t J;
    fy_error_t e;
    fy_symtensor_t T;
    double g[2], c[4], v[2] = {1, 0};
    int n;
    (void) state;
    fy_error_init(e);
    load_text(net, text);
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
    /* gradient W2 diag(1, 0) W1 = 3/2 * (1, -2) */
    assert_int_equal(fy_jet_gradient_d(g, J, 0, NULL, e), FY_OK);
    assert_true(g[0] == 1.5 && g[1] == -3.0);
    fy_symtensor_init_empty(T);
    for (n = 2; n <= 4; n++)
    {
        slong r;
        assert_int_equal(fy_jet_tensor_fmpq(T, J, 0, NULL, n, e), FY_OK);
        for (r = 0; r < fy_symtensor_len(T); r++)
            assert_true(fmpq_is_zero(fy_numvec_fmpq(&T->e) + r));
    }
    fy_symtensor_clear(T);
    fy_jet_net_clear(J);
    fy_net_clear(net);

    /* at a zero pre-activation that moves with t: refused, with the reason */
    load_text(net, text0);
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
    assert_int_equal(fy_jet_dir_d(c, J, NULL, v, 1, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "relu"));
    assert_non_null(strstr(e->msg, "layer 1, neuron 0"));
    /* along a direction that leaves it at 0, the jet exists: v = (2, 1) gives z_0 = 0 */
    v[0] = 2;
    v[1] = 1;
    assert_int_equal(fy_jet_dir_d(c, J, NULL, v, 1, e), FY_OK);
    assert_true(c[0] == 0.0 && c[1] == 0.0); /* neuron 1: z = -1/4 + 6.5 t, relu = 0 near 0 */
    fy_jet_net_clear(J);
    fy_net_clear(net);
}

static void test_refusals(void **state)
{
    fy_net_t net;
    fy_jet_net_t J;
    fy_error_t e;
    fy_symtensor_t T;
    fmpq *c;
    fmpq v[2];
    sbuf_t b = {0};
    int i;
    (void) state;
    fy_error_init(e);

    /* unknown activation: named */
    load_text(net, "feynn-model 1\ninput 1\nlayer 1 activation gelu_tanh\n 1\nlayer 1\n 1\n");
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "gelu_tanh"));
    assert_non_null(strstr(e->msg, "layer 1"));
    /* nothing set: computations refuse */
    {
        double cc[2], vv[1] = {1};
        assert_int_equal(fy_jet_dir_d(cc, J, NULL, vv, 1, e), FY_EINPUT);
    }
    fy_jet_net_clear(J);
    fy_net_clear(net);

    /* exact arithmetic at a nonzero tanh pre-activation: irrational, refused */
    load_text(net, "feynn-model 1\ninput 2\nlayer 1 activation tanh\n 1 1\nbias 1/2\n"
                   "layer 1\n 1\n");
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
    c = _fmpq_vec_init(4);
    fmpq_init(v + 0);
    fmpq_init(v + 1);
    fmpq_one(v + 0);
    assert_int_equal(fy_jet_dir_fmpq(c, J, NULL, v, 3, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "tanh"));
    assert_non_null(strstr(e->msg, "ball"));
    /* ... but ball arithmetic serves it, and the output index is checked */
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_jet_tensor_arb(T, J, 0, NULL, 3, 64, e), FY_OK);
    assert_int_equal(fy_jet_tensor_arb(T, J, 1, NULL, 3, 64, e), FY_EINPUT);
    assert_int_equal(fy_jet_dir_arb(NULL, J, NULL, NULL, -1, 64, e), FY_EINPUT);
    fy_symtensor_clear(T);
    _fmpq_vec_clear(c, 4);
    fmpq_clear(v + 0);
    fmpq_clear(v + 1);
    fy_jet_net_clear(J);
    fy_net_clear(net);

    /* a request that would not fit: refused up front with the estimate */
    sb_printf(&b, "feynn-model 1\ninput 300\nlayer 1 activation tanh\n");
    for (i = 0; i < 300; i++)
        sb_printf(&b, " 1");
    sb_printf(&b, "\nlayer 1\n 1\n");
    load_text(net, b.s);
    free(b.s);
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
    {
        slong C;
        double ops, bytes;
        assert_int_equal(fy_jet_tensor_cost(&C, &ops, &bytes, J, 2, FY_ARITH_DOUBLE, e), FY_OK);
        assert_int_equal(C, 300 * 301 / 2);
        assert_true(bytes > 2.0 * 8 * C && ops > (double) C * 300);
    }
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_jet_tensor_d(T, J, 0, NULL, 10, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "directional jets"));
    assert_int_equal(fy_jet_tensor_d(T, J, 0, NULL, 40, e), FY_ENOMEM);
    /* a directional jet whose workspace would not fit */
    assert_int_equal(fy_jet_dir_d(NULL, J, NULL, NULL, 2000000000, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "bytes"));
    fy_symtensor_clear(T);
    fy_jet_net_clear(J);
    fy_net_clear(net);

    /* hidden layer without an activation */
    {
        fy_net_opts_t o;
        const char *t = "feynn-model 1\ninput 1\nlayer 1\n 1\nlayer 1\n 1\n";
        fy_net_opts_init(o);
        o->allow_no_activation = 1;
        fy_net_init(net);
        assert_int_equal(fy_net_read_text_buffer(net, t, strlen(t), "t", o, e), FY_OK);
        fy_jet_net_init(J);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "no activation"));
        fy_jet_net_clear(J);
        fy_net_clear(net);
    }
}

/* Gradient and Hessian conveniences against the tensors, and the Hessian's symmetry. */
static void test_gradient_hessian(void **state)
{
    uint64_t st = 12345;
    fy_net_t net;
    fy_jet_net_t J;
    fy_error_t e;
    fy_symtensor_t T1, T2;
    double g[3], H[9], x[3] = {0.25, -0.5, 0.125};
    arb_ptr gb = _arb_vec_init(3), Hb = _arb_vec_init(9), xb = _arb_vec_init(3);
    int i, j, idx[2];
    (void) state;
    fy_error_init(e);
    random_net(net, &st, 2, 3);
    fy_jet_net_init(J);
    assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
    for (i = 0; i < 3; i++)
        arb_set_d(xb + i, x[i]);
    assert_int_equal(fy_jet_gradient_d(g, J, 0, x, e), FY_OK);
    assert_int_equal(fy_jet_hessian_d(H, J, 0, x, e), FY_OK);
    assert_int_equal(fy_jet_gradient_arb(gb, J, 0, xb, 128, e), FY_OK);
    assert_int_equal(fy_jet_hessian_arb(Hb, J, 0, xb, 128, e), FY_OK);
    fy_symtensor_init_empty(T1);
    fy_symtensor_init_empty(T2);
    assert_int_equal(fy_jet_tensor_d(T1, J, 0, x, 1, e), FY_OK);
    assert_int_equal(fy_jet_tensor_d(T2, J, 0, x, 2, e), FY_OK);
    for (i = 0; i < 3; i++)
    {
        assert_true(g[i] == *fy_symtensor_entry_d(T1, &i));
        assert_true(fy_d_near_arb(g[i], gb + i, 1e-13, 1e-14));
        for (j = 0; j < 3; j++)
        {
            idx[0] = i;
            idx[1] = j;
            assert_true(H[3 * i + j] == *fy_symtensor_entry_d(T2, idx));
            assert_true(H[3 * i + j] == H[3 * j + i]);
            assert_true(fy_d_near_arb(H[3 * i + j], Hb + 3 * i + j, 1e-12, 1e-13));
        }
    }
    /* the ball gradient against central differences of F in arb (step 2^-30): the difference
     * quotient differs from F' by O(h^2 F''') */
    {
        arb_ptr c0 = _arb_vec_init(1), c1 = _arb_vec_init(1), xp = _arb_vec_init(3);
        arb_t q, h;
        arb_init(q);
        arb_init(h);
        arb_one(h);
        arb_mul_2exp_si(h, h, -30);
        for (i = 0; i < 3; i++)
        {
            _arb_vec_set(xp, xb, 3);
            arb_add(xp + i, xp + i, h, 256);
            assert_int_equal(fy_jet_dir_arb(c0, J, xp, xb, 0, 256, e), FY_OK);
            arb_sub(xp + i, xp + i, h, 256);
            arb_sub(xp + i, xp + i, h, 256);
            assert_int_equal(fy_jet_dir_arb(c1, J, xp, xb, 0, 256, e), FY_OK);
            arb_sub(q, c0, c1, 256);
            arb_div(q, q, h, 256);
            arb_mul_2exp_si(q, q, -1);
            arb_sub(q, q, gb + i, 256);
            assert_true(arf_cmpabs_2exp_si(arb_midref(q), -50) < 0);
        }
        arb_clear(q);
        arb_clear(h);
        _arb_vec_clear(c0, 1);
        _arb_vec_clear(c1, 1);
        _arb_vec_clear(xp, 3);
    }
    fy_symtensor_clear(T1);
    fy_symtensor_clear(T2);
    _arb_vec_clear(gb, 3);
    _arb_vec_clear(Hb, 9);
    _arb_vec_clear(xb, 3);
    fy_jet_net_clear(J);
    fy_net_clear(net);
}

/* ------------------------------------------------------------------ random ball inputs */

/* x re-made as n balls at prec bits from fy_arb_randtest (magnitudes 2^-2 .. 2^2; radii exact,
 * rounding-sized, medium or wide). */
static void random_ball_vec(fy_numvec_t x, uint64_t *st, slong n, slong prec)
{
    fy_error_t e;
    slong i;
    fy_error_init(e);
    assert_int_equal(fy_numvec_set_shape(x, FY_ARITH_BALL, n, prec, e), FY_OK);
    for (i = 0; i < n; i++)
        fy_arb_randtest(fy_numvec_arb(x) + i, st, prec, 2);
}

/* Ball point xbar and direction v at random precisions (32..512 bits) with random radii: the
 * directional coefficients (fy_jet_dir_arb) and the tensor (fy_jet_tensor_arb) contain the
 * values at exact points q of xbar and qv of v inside the balls (fy_numvec_randtest_point):
 * exact (fy_jet_dir_fmpq, fy_jet_tensor_fmpq) for networks of the polynomial activation
 * quadratic, balls at 2 prec + 64 bits at the exact points (fy_jet_dir_arb_fmpq) for random
 * tanh/sigmoid/sin/softplus networks. */
static void test_random_ball_inputs(void **state)
{
    static const char *poly_acts[] = {"quadratic"};
    uint64_t st = fy_test_seed("jet random ball inputs");
    fy_numvec_t x, v, q, qv;
    fy_error_t e;
    int trial, j;
    (void) state;

    fy_error_init(e);
    fy_numvec_init_empty(x);
    fy_numvec_init_empty(v);
    fy_numvec_init_empty(q);
    fy_numvec_init_empty(qv);
    for (trial = 0; trial < 30; trial++)
    {
        int exact = trial % 3 == 0, depth = 1 + (int) (fy_test_rand(&st) % 2);
        int n0 = 1 + (int) (fy_test_rand(&st) % 3), N = (int) (fy_test_rand(&st) % 4);
        slong prec = fy_randtest_range(&st, 32, 512), hi = 2 * prec + 64, nT, r;
        fy_net_t net;
        fy_jet_net_t J;
        fy_symtensor_t Tb, Tr;
        arb_ptr cb = _arb_vec_init(N + 1), cr = _arb_vec_init(N + 1), qb = _arb_vec_init(n0);
        fmpq *ce = _fmpq_vec_init(N + 1);
        if (exact)
            random_net_acts(net, &st, depth, n0, poly_acts, 1);
        else
            random_net(net, &st, depth, n0);
        random_ball_vec(x, &st, n0, prec);
        random_ball_vec(v, &st, n0, prec);
        fy_jet_net_init(J);
        fy_symtensor_init_empty(Tb);
        fy_symtensor_init_empty(Tr);
        assert_int_equal(fy_jet_net_set(J, net, e), FY_OK);
        if (fy_jet_dir_arb(cb, J, fy_numvec_arb(x), fy_numvec_arb(v), N, prec, e) != FY_OK ||
            fy_jet_tensor_arb(Tb, J, 0, fy_numvec_arb(x), N, prec, e) != FY_OK)
            fail_msg("trial %d at %ld bits: %s", trial, (long) prec, e->msg);
        nT = fy_symtensor_len(Tb);
        for (j = 0; j < 3; j++)
        {
            assert_int_equal(fy_numvec_randtest_point(q, &st, x, e), FY_OK);
            assert_int_equal(fy_numvec_randtest_point(qv, &st, v, e), FY_OK);
            if (exact)
            {
                assert_int_equal(fy_jet_dir_fmpq(ce, J, fy_numvec_fmpq(q), fy_numvec_fmpq(qv),
                                                 N, e), FY_OK);
                assert_int_equal(fy_jet_tensor_fmpq(Tr, J, 0, fy_numvec_fmpq(q), N, e), FY_OK);
            }
            else
            {
                for (r = 0; r < n0; r++)
                    arb_set_fmpq(qb + r, fy_numvec_fmpq(q) + r, hi); /* dyadic: exact */
                assert_int_equal(fy_jet_dir_arb_fmpq(cr, J, fy_numvec_fmpq(q),
                                                     fy_numvec_fmpq(qv), N, hi, e), FY_OK);
                assert_int_equal(fy_jet_tensor_arb(Tr, J, 0, qb, N, hi, e), FY_OK);
            }
            for (r = 0; r <= N; r++)
                if (exact ? !arb_contains_fmpq(cb + r, ce + r) : !arb_contains(cb + r, cr + r))
                    fail_msg("trial %d (%s, %ld bits): coefficient %ld misses the value at a "
                             "point of the input balls", trial, exact ? "exact" : "balls",
                             (long) prec, (long) r);
            assert_int_equal(fy_symtensor_len(Tr), nT);
            for (r = 0; r < nT; r++)
            {
                arb_srcptr b = fy_numvec_arb(&Tb->e) + r;
                if (exact ? !arb_contains_fmpq(b, fy_numvec_fmpq(&Tr->e) + r)
                          : !arb_contains(b, fy_numvec_arb(&Tr->e) + r))
                    fail_msg("trial %d (%s, %ld bits): tensor entry %ld misses the value at a "
                             "point of the input balls", trial, exact ? "exact" : "balls",
                             (long) prec, (long) r);
            }
        }
        fy_symtensor_clear(Tb);
        fy_symtensor_clear(Tr);
        fy_jet_net_clear(J);
        fy_net_clear(net);
        _arb_vec_clear(cb, N + 1);
        _arb_vec_clear(cr, N + 1);
        _arb_vec_clear(qb, n0);
        _fmpq_vec_clear(ce, N + 1);
    }
    fy_numvec_clear(x);
    fy_numvec_clear(v);
    fy_numvec_clear(q);
    fy_numvec_clear(qv);
    fy_error_clear(e);
}

static const struct CMUnitTest jet_tests[] = {
    cmocka_unit_test(test_interp_monomials),
    cmocka_unit_test(test_one_layer_closed_form),
    cmocka_unit_test(test_exact_at_zero),
    cmocka_unit_test(test_poly_network_exact),
    cmocka_unit_test(test_random_networks),
    cmocka_unit_test(test_dir_vs_tensor),
    cmocka_unit_test(test_relu),
    cmocka_unit_test(test_refusals),
    cmocka_unit_test(test_gradient_hessian),
    cmocka_unit_test(test_random_ball_inputs),
};

FY_TEST_MAIN("jet", jet_tests)
