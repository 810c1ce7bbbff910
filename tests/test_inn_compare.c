/* test_inn_compare: a network against its theory (inn.h, "learned against true").
 *
 * Checks: the double forward map against the exact rational one (fy_inn_forward_fmpq) and
 * inverse(forward(x)) = x, forward(inverse(z)) = z for random networks with every layer kind;
 * ln p of an affine network against the Gaussian density written out; KL = 0 when the model is
 * the truth (a Gaussian theory represented exactly by a hand-built affine network): d = 1 with
 * ln Z by quadrature against the closed form, d = 3 with ln Z by importance sampling within 4
 * standard errors of the closed form; the couplings read back from hand-built models (a ring
 * whose affine map gives m2 = 9/4, hopping -1/2; a one-site elementwise + affine network whose
 * g3 and lam follow from ln(1 + 2 gamma x) by hand) equal the hand-set values exactly; the
 * cumulants of draws from a Gaussian network within 4 batch-means standard errors of the
 * closed form (mean -W^-1 b, covariance (W^T W)^-1 by Gauss-Jordan here), and the tree-level
 * cumulants of its action equal to it; tree-level kappa_3, kappa_4 of a one-site action
 * against g Delta^3 and lam Delta^4 + 3 g^2 Delta^5.  Seeds printed. */
#include <math.h>
#include <string.h>

#include "feynn/inn.h"
#include "feynn/io.h"
#include "feynn/rng.h"
#include "feynn/sample.h"
#include "testutil.h"

#define LN_2PI 1.8378770664093454835606594728112

static void ok(int rc, fy_error_t err)
{
    if (rc != FY_OK)
        fail_msg("%s", err->msg);
}

static void parse_theory(fy_ltheory_t T, const char *text)
{
    fy_error_t err;
    fy_error_init(err);
    ok(fy_ltheory_parse(T, text, "t.theory", err), err);
    fy_error_clear(err);
}

/* Affine layer from doubles given as p/q pairs (exact). */
static void push_affine_q(fy_inn_t net, int d, const slong *num, slong den, const slong *bnum,
                          slong bden)
{
    fmpq *W = _fmpq_vec_init(d * d), *b = _fmpq_vec_init(d);
    fy_error_t err;
    int i;
    fy_error_init(err);
    if (net->d == 0)
        ok(fy_inn_set_dim(net, d, err), err);
    for (i = 0; i < d * d; i++)
        fmpq_set_si(W + i, num[i], (ulong) den);
    for (i = 0; i < d && bnum; i++)
        fmpq_set_si(b + i, bnum[i], (ulong) bden);
    ok(fy_inn_push_affine(net, NULL, W, bnum ? b : NULL, err), err);
    _fmpq_vec_clear(W, d * d);
    _fmpq_vec_clear(b, d);
    fy_error_clear(err);
}

/* A random network of d = 4: affine, coupling (A = {0, 1}), elementwise, affine, coupling
 * (A = {2, 3}) with small random rationals. */
static void random_net(fy_inn_t net, uint64_t *st)
{
    const int d = 4, A1[2] = {0, 1}, B1[2] = {2, 3};
    fmpq *W = _fmpq_vec_init(16), *b = _fmpq_vec_init(4), *G = _fmpq_vec_init(8);
    fmpq *gam = _fmpq_vec_init(4);
    fy_error_t err;
    int l, i, t, r, s;
    fy_error_init(err);
    ok(fy_inn_set_dim(net, d, err), err);
    for (l = 0; l < 2; l++)
    {
        for (i = 0; i < 16; i++)
            fmpq_set_si(W + i, (slong) (fy_test_rand(st) % 65) - 32 + (i % 5 == 0 ? 128 : 0),
                        128);
        for (i = 0; i < 4; i++)
            fmpq_set_si(b + i, (slong) (fy_test_rand(st) % 33) - 16, 64);
        ok(fy_inn_push_affine(net, NULL, W, b, err), err);
        for (t = 0; t < 2; t++)
            for (r = 0; r < 2; r++)
                for (s = r; s < 2; s++)
                {
                    slong v = (slong) (fy_test_rand(st) % 33) - 16;
                    fmpq_set_si(G + (t * 2 + r) * 2 + s, v, 128);
                    fmpq_set_si(G + (t * 2 + s) * 2 + r, v, 128);
                }
        ok(l == 0 ? fy_inn_push_coupling(net, NULL, A1, 2, B1, 2, G, err)
                  : fy_inn_push_coupling(net, NULL, B1, 2, A1, 2, G, err),
           err);
        if (l == 0)
        {
            for (i = 0; i < 4; i++)
                fmpq_set_si(gam + i, (slong) (fy_test_rand(st) % 17) - 8, 256);
            ok(fy_inn_push_elementwise(net, NULL, gam, err), err);
        }
    }
    _fmpq_vec_clear(W, 16);
    _fmpq_vec_clear(b, 4);
    _fmpq_vec_clear(G, 8);
    _fmpq_vec_clear(gam, 4);
    fy_error_clear(err);
}

static void test_inverse_roundtrip(void **state)
{
    uint64_t st = fy_test_seed("inverse round trip");
    int rep;
    (void) state;
    for (rep = 0; rep < 20; rep++)
    {
        fy_inn_t net;
        fy_error_t err;
        double x[40], z[40], back[40], ld[10], zz[40];
        fmpq *y[6];
        fmpq_t q;
        slong nbad, p;
        int i, l;
        fy_inn_init(net);
        fy_error_init(err);
        fmpq_init(q);
        random_net(net, &st);
        for (i = 0; i < 40; i++)
            x[i] = (double) ((slong) (fy_test_rand(&st) % 257) - 128) / 256.0;
        ok(fy_inn_forward_d(z, ld, net, x, 10, err), err);
        ok(fy_inn_inverse_d(back, net, z, 10, &nbad, err), err);
        assert_int_equal(nbad, 0);
        for (i = 0; i < 40; i++)
            assert_true(fabs(back[i] - x[i]) <= 1e-12 * (1.0 + fabs(x[i])));
        /* forward(inverse(z)) = z for latents near the data's images */
        ok(fy_inn_forward_d(zz, NULL, net, back, 10, err), err);
        for (i = 0; i < 40; i++)
            assert_true(fabs(zz[i] - z[i]) <= 1e-12 * (1.0 + fabs(z[i])));
        /* the double forward map against the exact one at the (dyadic) points */
        for (l = 0; l <= net->nlayers; l++)
            y[l] = _fmpq_vec_init(4);
        for (p = 0; p < 10; p++)
        {
            fmpq *xq = _fmpq_vec_init(4);
            for (i = 0; i < 4; i++)
                ok(fy_fmpq_set_d(xq + i, x[p * 4 + i], err), err);
            ok(fy_inn_forward_fmpq(y, net, xq, err), err);
            for (i = 0; i < 4; i++)
            {
                double e = fy_fmpq_get_d(y[net->nlayers] + i);
                assert_true(fabs(z[p * 4 + i] - e) <= 1e-13 * (1.0 + fabs(e)));
            }
            _fmpq_vec_clear(xq, 4);
        }
        for (l = 0; l <= net->nlayers; l++)
            _fmpq_vec_clear(y[l], 4);
        fmpq_clear(q);
        fy_inn_clear(net);
        fy_error_clear(err);
    }
}

/* ln p of z = W x + b against the Gaussian written out; draws outside an elementwise image */
static void test_log_prob_affine(void **state)
{
    const slong Wn[4] = {2, 1, 0, 3}, bn[2] = {1, -2};
    fy_inn_t net;
    fy_error_t err;
    double x[4] = {0.5, -1.0, 2.0, 0.25}, lp[2];
    int p;
    (void) state;
    fy_inn_init(net);
    fy_error_init(err);
    push_affine_q(net, 2, Wn, 1, bn, 2);
    ok(fy_inn_log_prob_d(lp, net, x, 2, err), err);
    for (p = 0; p < 2; p++)
    {
        double z0 = 2 * x[2 * p] + x[2 * p + 1] + 0.5, z1 = 3 * x[2 * p + 1] - 1.0;
        double e = -0.5 * (z0 * z0 + z1 * z1) - LN_2PI + log(6.0);
        assert_true(fabs(lp[p] - e) <= 1e-14 * (1.0 + fabs(e)));
    }
    fy_inn_clear(net);
    fy_error_clear(err);
}

static void test_kl_zero_1d(void **state)
{
    const slong Wn[1] = {3};
    fy_inn_t net;
    fy_ltheory_t T;
    fy_error_t err;
    fy_inn_compare_t C;
    fy_inn_compare_opts_t o;
    double lnz, se, x[4000];
    int method;
    (void) state;
    fy_inn_init(net);
    fy_ltheory_init(T);
    fy_error_init(err);
    fy_inn_compare_init(C);
    parse_theory(T, "lattice ring 1\nm2 9/4\n");
    push_affine_q(net, 1, Wn, 2, NULL, 1); /* z = 3/2 x: exactly N(0, 4/9) */
    ok(fy_inn_log_z(&lnz, &se, &method, T, NULL, 0, 0, 0.0, 1, err), err);
    assert_int_equal(method, 1);
    assert_true(fabs(lnz - 0.5 * (LN_2PI - log(2.25))) < 1e-14);
    ok(fy_inn_sample_d(x, net, 4000, 7, NULL, err), err);
    fy_inn_compare_opts_init(o);
    o->data = x;
    o->data_chains = 1;
    o->data_n = 4000;
    o->model_samples = 20000;
    ok(fy_inn_compare(C, net, T, o, err), err);
    printf("# d = 1 Gaussian: KL %.3g (quadrature)\n", C->kl);
    assert_true(fabs(C->kl) < 1e-12);
    assert_int_equal(C->lnz_method, 1);
    assert_true(C->truth_source == FY_INN_TRUTH_QUADRATURE);
    assert_true(fabs(C->truth.site[1] - 4.0 / 9.0) < 1e-14);
    assert_true(C->rel_err[2] < 1e-14);
    assert_true(C->norm == FY_INN_NORM_NO || C->norm == FY_INN_NORM_UNDECIDED ||
                C->norm == FY_INN_NORM_YES);
    fy_inn_compare_clear(C);
    fy_inn_clear(net);
    fy_ltheory_clear(T);
    fy_error_clear(err);
}

/* E = x^T M x / 2 with M = W^T W for an upper triangular W: the affine network z = W x is the
 * truth; ln Z = (d/2) ln 2 pi - ln det W. */
static void test_kl_zero_is(void **state)
{
    const slong Wn[9] = {4, 1, -2, 0, 3, 1, 0, 0, 2};
    const slong den = 2;
    fy_inn_t net;
    fy_ltheory_t T;
    fy_error_t err;
    fy_inn_compare_t C;
    fy_inn_compare_opts_t o;
    char text[1024];
    size_t len;
    double *x = malloc(3 * 20000 * sizeof(double)), exact;
    slong M[9];
    int i, j, k;
    (void) state;
    fy_inn_init(net);
    fy_ltheory_init(T);
    fy_error_init(err);
    fy_inn_compare_init(C);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
        {
            M[i * 3 + j] = 0;
            for (k = 0; k < 3; k++)
                M[i * 3 + j] += Wn[k * 3 + i] * Wn[k * 3 + j];
        }
    /* M / den^2 / 2 on the diagonal, M / den^2 off it */
    len = (size_t) snprintf(text, sizeof text, "lattice graph 3\n");
    for (i = 0; i < 3; i++)
        for (j = i; j < 3; j++)
            len += (size_t) snprintf(text + len, sizeof text - len, "term %ld/%ld %d %d\n",
                                     (long) M[i * 3 + j], (long) (i == j ? 2 * den * den
                                                                         : den * den), i, j);
    parse_theory(T, text);
    push_affine_q(net, 3, Wn, den, NULL, 1);
    ok(fy_inn_sample_d(x, net, 20000, 11, NULL, err), err);
    fy_inn_compare_opts_init(o);
    o->data = x;
    o->data_chains = 4;
    o->data_n = 5000;
    o->is_samples = 100000;
    o->model_samples = 20000;
    ok(fy_inn_compare(C, net, T, o, err), err);
    exact = 1.5 * LN_2PI - log(2.0 * 1.5 * 1.0); /* det W = 4/2 * 3/2 * 2/2 */
    printf("# d = 3 Gaussian: KL %.3g +- %.2g, ln Z %.8f +- %.2g (exact %.8f)\n", C->kl,
           C->kl_se, C->lnz, C->lnz_se, exact);
    assert_int_equal(C->lnz_method, 0);
    assert_true(fabs(C->lnz - exact) <= 4.0 * C->lnz_se);
    assert_true(fabs(C->kl) <= 4.0 * C->kl_se + 1e-12);
    assert_true(C->kl_se < 1e-2);
    for (k = 1; k <= 4; k++)
        assert_true(C->abs_err[k] <= 1e-12 * (1.0 + C->true_norm[k]));
    fy_inn_compare_clear(C);
    fy_inn_clear(net);
    fy_ltheory_clear(T);
    fy_error_clear(err);
    free(x);
}

/* Exact action of net, Gamma convention, orders 0..4. */
static void exact_gamma(fy_inn_result_t R, const fy_inn_t net)
{
    fy_inn_opts_t io;
    fy_error_t err;
    fy_error_init(err);
    fy_inn_opts_init(io);
    io->arith = FY_ARITH_EXACT;
    io->order = 4;
    ok(fy_inn_action(R, net, io, err), err);
    ok(fy_inn_action_to_gamma(R->S, err), err);
    fy_error_clear(err);
}

static void test_couplings_handset(void **state)
{
    /* ring of 4, W = I + P/2 (P the cyclic shift): -Gamma2 = W^T W = 5/4 I + (P + P^T)/2 */
    const slong Wn[16] = {2, 1, 0, 0, 0, 2, 1, 0, 0, 0, 2, 1, 1, 0, 0, 2};
    fy_inn_t net, net1;
    fy_ltheory_t T, T1;
    fy_inn_result_t R;
    fy_error_t err;
    fmpq_t g;
    double c[FY_INN_NCOUPLINGS];
    (void) state;
    fy_inn_init(net);
    fy_inn_init(net1);
    fy_ltheory_init(T);
    fy_ltheory_init(T1);
    fy_error_init(err);
    fmpq_init(g);
    parse_theory(T, "lattice ring 4\n");
    push_affine_q(net, 4, Wn, 2, NULL, 1);
    fy_inn_result_init(R);
    exact_gamma(R, net);
    ok(fy_inn_read_couplings(c, R->S->A, 4, T, err), err);
    assert_true(c[0] == 2.25); /* m2 = 5/4 - 2 K */
    assert_true(c[1] == -0.5); /* hopping K = Gamma_ij = -1/2 */
    assert_true(c[2] == 0.0 && c[3] == 0.0);
    fy_inn_result_clear(R);
    /* one site: x -> u = x + gamma x^2 -> z = a u, gamma = 1/4, a = 2:
     * S = -a^2 (x + gamma x^2)^2 / 2 + ln(1 + 2 gamma x) + const, so
     * m2 = a^2 + 4 gamma^2 = 17/4, g3 = 6 a^2 gamma - 16 gamma^3 = 23/4,
     * lam = 12 a^2 gamma^2 + 96 gamma^4 = 27/8 */
    parse_theory(T1, "lattice ring 1\n");
    fmpq_set_si(g, 1, 4);
    ok(fy_inn_set_dim(net1, 1, err), err);
    ok(fy_inn_push_elementwise(net1, NULL, g, err), err);
    {
        const slong a[1] = {2};
        push_affine_q(net1, 1, a, 1, NULL, 1);
    }
    fy_inn_result_init(R);
    exact_gamma(R, net1);
    ok(fy_inn_read_couplings(c, R->S->A, 4, T1, err), err);
    assert_true(c[0] == 4.25);
    assert_true(isnan(c[1]));
    assert_true(c[2] == 5.75);
    assert_true(c[3] == 3.375);
    fy_inn_result_clear(R);
    fmpq_clear(g);
    fy_inn_clear(net);
    fy_inn_clear(net1);
    fy_ltheory_clear(T);
    fy_ltheory_clear(T1);
    fy_error_clear(err);
}

/* Gauss-Jordan inverse of a (d x d), for the closed forms. */
static void gj_inverse(double *inv, const double *a0, int d)
{
    double a[64];
    int i, j, k;
    memcpy(a, a0, (size_t) d * d * sizeof(double));
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            inv[i * d + j] = i == j;
    for (k = 0; k < d; k++)
    {
        int p = k;
        double f;
        for (i = k + 1; i < d; i++)
            if (fabs(a[i * d + k]) > fabs(a[p * d + k]))
                p = i;
        for (j = 0; j < d; j++)
        {
            double t = a[k * d + j];
            a[k * d + j] = a[p * d + j];
            a[p * d + j] = t;
            t = inv[k * d + j];
            inv[k * d + j] = inv[p * d + j];
            inv[p * d + j] = t;
        }
        f = a[k * d + k];
        for (j = 0; j < d; j++)
        {
            a[k * d + j] /= f;
            inv[k * d + j] /= f;
        }
        for (i = 0; i < d; i++)
            if (i != k)
            {
                f = a[i * d + k];
                for (j = 0; j < d; j++)
                {
                    a[i * d + j] -= f * a[k * d + j];
                    inv[i * d + j] -= f * inv[k * d + j];
                }
            }
    }
}

static void test_cumulants_gaussian(void **state)
{
    /* W = I + P/2 on a ring of 4, b = 1/4 on every site: translation invariant */
    const slong Wn[16] = {2, 1, 0, 0, 0, 2, 1, 0, 0, 0, 2, 1, 1, 0, 0, 2};
    const slong bn[4] = {1, 1, 1, 1};
    const slong n = 40000;
    fy_inn_t net;
    fy_ltheory_t T;
    fy_error_t err;
    fy_cumulants_struct K;
    fy_inn_compare_t C;
    fy_inn_compare_opts_t o;
    double W[16], Wi[16], MtM[16], Sig[16], mu = 0.0, site[4], nn[4], *x;
    int i, j, k;
    (void) state;
    fy_inn_init(net);
    fy_ltheory_init(T);
    fy_error_init(err);
    fy_inn_compare_init(C);
    parse_theory(T, "lattice ring 4\nm2 1\n");
    push_affine_q(net, 4, Wn, 2, bn, 4);
    for (i = 0; i < 16; i++)
        W[i] = Wn[i] / 2.0;
    gj_inverse(Wi, W, 4);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
        {
            MtM[i * 4 + j] = 0.0;
            for (k = 0; k < 4; k++)
                MtM[i * 4 + j] += W[k * 4 + i] * W[k * 4 + j];
        }
    gj_inverse(Sig, MtM, 4);
    for (j = 0; j < 4; j++)
        mu -= Wi[0 * 4 + j] * 0.25; /* mean of site 0: -(W^-1 b)_0 */
    x = malloc((size_t) n * 4 * sizeof(double));
    ok(fy_inn_sample_d(x, net, n, 3, NULL, err), err);
    ok(fy_sample_cumulants(&K, x, 1, n, T, err), err);
    printf("# Gaussian network: kappa_1 %.5f (exact %.5f), kappa_2 %.5f (exact %.5f), "
           "nn %.5f (exact %.5f)\n", K.site[0], mu, K.site[1], Sig[0], K.nn[0], Sig[1]);
    assert_true(fabs(K.site[0] - mu) <= 4 * K.site_se[0]);
    assert_true(fabs(K.site[1] - Sig[0]) <= 4 * K.site_se[1]);
    assert_true(fabs(K.site[2]) <= 4 * K.site_se[2]);
    assert_true(fabs(K.site[3]) <= 4 * K.site_se[3]);
    assert_true(fabs(K.nn[0] - Sig[1]) <= 4 * K.nn_se[0]);
    for (k = 1; k < 4; k++)
        assert_true(fabs(K.nn[k]) <= 4 * K.nn_se[k]);
    /* the tree level of a Gaussian action is exact */
    fy_inn_compare_opts_init(o);
    o->data = x;
    o->data_chains = 1;
    o->data_n = n;
    o->model_samples = 1000;
    ok(fy_inn_compare(C, net, T, o, err), err);
    ok(fy_inn_tree_cumulants(site, nn, C->G_learned, C->K, T, err), err);
    assert_true(fabs(site[0] - mu) < 1e-12);
    assert_true(fabs(site[1] - Sig[0]) < 1e-12);
    assert_true(fabs(nn[0] - Sig[1]) < 1e-12);
    assert_true(fabs(site[2]) < 1e-12 && fabs(site[3]) < 1e-12);
    assert_true(fabs(nn[2]) < 1e-12 && fabs(nn[3]) < 1e-12);
    fy_inn_compare_clear(C);
    free(x);
    fy_inn_clear(net);
    fy_ltheory_clear(T);
    fy_error_clear(err);
}

/* One site, Gamma2 = -2, Gamma3 = g, Gamma4 = l: kappa_3 = g / 8, kappa_4 = l / 16 + 3 g^2 / 32
 * (Delta = 1/2). */
static void test_tree_one_site(void **state)
{
    fy_symtensor_struct G[5];
    fy_ltheory_t T;
    fy_error_t err;
    double site[4], nn[4];
    const double g = 0.75, l = -1.5;
    int k, idx[4] = {0, 0, 0, 0};
    (void) state;
    fy_ltheory_init(T);
    fy_error_init(err);
    parse_theory(T, "lattice ring 1\n");
    for (k = 0; k <= 4; k++)
        ok(fy_symtensor_init(G + k, FY_ARITH_DOUBLE, 1, k, 0, err), err);
    *fy_symtensor_entry_d(G + 1, idx) = 0.5;
    *fy_symtensor_entry_d(G + 2, idx) = -2.0;
    *fy_symtensor_entry_d(G + 3, idx) = g;
    *fy_symtensor_entry_d(G + 4, idx) = l;
    ok(fy_inn_tree_cumulants(site, nn, G, 4, T, err), err);
    assert_true(fabs(site[0] - 0.25) < 1e-15);
    assert_true(fabs(site[1] - 0.5) < 1e-15);
    assert_true(fabs(site[2] - g / 8) < 1e-15);
    assert_true(fabs(site[3] - (l / 16 + 3 * g * g / 32)) < 1e-15);
    assert_true(isnan(nn[0]));
    /* not positive definite: refused */
    *fy_symtensor_entry_d(G + 2, idx) = 1.0;
    assert_int_equal(fy_inn_tree_cumulants(site, nn, G, 4, T, err), FY_EINPUT);
    for (k = 0; k <= 4; k++)
        fy_symtensor_clear(G + k);
    fy_ltheory_clear(T);
    fy_error_clear(err);
}

/* Elementwise layers: latents outside the image are redrawn; inverse marks them NaN. */
static void test_elementwise_domain(void **state)
{
    fy_inn_t net;
    fy_error_t err;
    fmpq_t g;
    double z[2] = {-2.0, 0.5}, x[2], y[2], xs[1000];
    slong bad, rej, i;
    (void) state;
    fy_inn_init(net);
    fy_error_init(err);
    fmpq_init(g);
    fmpq_set_si(g, 1, 2); /* y = u + u^2/2 >= -1/2 */
    ok(fy_inn_set_dim(net, 1, err), err);
    ok(fy_inn_push_elementwise(net, NULL, g, err), err);
    ok(fy_inn_inverse_d(x, net, z, 2, &bad, err), err);
    assert_int_equal(bad, 1);
    assert_true(isnan(x[0]));
    ok(fy_inn_forward_d(y, NULL, net, x + 1, 1, err), err);
    assert_true(fabs(y[0] - 0.5) < 1e-15);
    ok(fy_inn_sample_d(xs, net, 1000, 5, &rej, err), err);
    for (i = 0; i < 1000; i++)
        assert_true(isfinite(xs[i]) && 1.0 + xs[i] > 0.0);
    /* P(z < -1/2) = 0.3085: 0.3085 / 0.6915 redraws per draw, about 446 */
    assert_true(rej > 330 && rej < 570);
    fmpq_clear(g);
    fy_inn_clear(net);
    fy_error_clear(err);
}

/* Cubic layers y = u + g u^3 (issue 12): the inverse (Newton in a bracket) is exact to
 * rounding for g > 0 over 20 orders of magnitude of y (forward(inverse(y)) within 1e-15
 * relative: a few ulps, from the rounding of u and of the forward map), g = 0 is the identity, g < 0 inverts on
 * its branch |u| < 1/sqrt(-3 g) and marks y beyond 2/(3 sqrt(-3 g)) as outside; ln p of one
 * cubic layer in d = 1 against -(x + g x^3)^2 / 2 + ln(1 + 3 g x^2) - ln(2 pi) / 2 written
 * out; the draws of that layer have the moments of its density by a plain quadrature here. */
static void test_cubic_layer(void **state)
{
    fy_inn_t net, one;
    fy_error_t err;
    fmpq *g = _fmpq_vec_init(3);
    double y[3 * 41], x[3 * 41], yy[3 * 41], lp[41];
    slong bad, i;
    (void) state;
    fy_inn_init(net);
    fy_inn_init(one);
    fy_error_init(err);
    fmpq_set_si(g + 0, 1, 4);
    fmpq_set_si(g + 2, -1, 12); /* branch |u| < 2, image |y| < 4/3 */
    ok(fy_inn_set_dim(net, 3, err), err);
    ok(fy_inn_push_cubic(net, NULL, g, err), err);
    for (i = 0; i < 41; i++)
    {
        y[3 * i] = (i % 2 ? -1.0 : 1.0) * pow(10.0, (double) (i - 20) / 2.0);
        y[3 * i + 1] = (double) (i - 20) / 3.0;
        y[3 * i + 2] = (double) (i - 20) / 16.0; /* |y| <= 1.25 < 4/3 */
    }
    ok(fy_inn_inverse_d(x, net, y, 41, &bad, err), err);
    assert_int_equal(bad, 0);
    ok(fy_inn_forward_d(yy, NULL, net, x, 41, err), err);
    for (i = 0; i < 3 * 41; i++)
        if (!(fabs(yy[i] - y[i]) <= 1e-15 * fabs(y[i]) + 1e-300))
            fail_msg("cubic inverse: y %.17g -> u %.17g -> %.17g", y[i], x[i], yy[i]);
    for (i = 0; i < 41; i++)
    {
        assert_true(x[3 * i + 1] == y[3 * i + 1]);     /* g = 0 */
        assert_true(fabs(x[3 * i + 2]) < 2.0);         /* the monotone branch */
    }
    y[2] = 1.34;
    ok(fy_inn_inverse_d(x, net, y, 1, &bad, err), err);
    assert_int_equal(bad, 1);
    /* ln p of one cubic layer, d = 1, g = 1/4 */
    ok(fy_inn_set_dim(one, 1, err), err);
    ok(fy_inn_push_cubic(one, NULL, g, err), err);
    for (i = 0; i < 41; i++)
        x[i] = (double) (i - 20) / 5.0;
    ok(fy_inn_log_prob_d(lp, one, x, 41, err), err);
    for (i = 0; i < 41; i++)
    {
        double u = x[i], z = u + 0.25 * u * u * u;
        double want = -0.5 * z * z + log(1.0 + 0.75 * u * u) - 0.5 * LN_2PI;
        assert_true(fabs(lp[i] - want) <= 1e-14 * (1.0 + fabs(want)));
    }
    /* draws: E x^2 and E x^4 against a trapezoid quadrature of the density on [-8, 8] */
    {
        const slong n = 200000;
        double *xs = malloc((size_t) n * sizeof(double)), m2 = 0, m4 = 0, q0 = 0, q2 = 0, q4 = 0;
        double s2 = 0, s4 = 0, h = 1e-3;
        slong rej;
        uint64_t seed = fy_test_seed("cubic draws");
        ok(fy_inn_sample_d(xs, one, n, seed, &rej, err), err);
        assert_int_equal(rej, 0);
        for (i = 0; i < n; i++)
        {
            double a = xs[i] * xs[i];
            m2 += a / (double) n;
            m4 += a * a / (double) n;
            s2 += a * a / (double) n;
            s4 += a * a * a * a / (double) n;
        }
        for (i = -8000; i <= 8000; i++)
        {
            double u = (double) i * h, z = u + 0.25 * u * u * u;
            double p = exp(-0.5 * z * z) * (1.0 + 0.75 * u * u) * h;
            q0 += p;
            q2 += p * u * u;
            q4 += p * u * u * u * u;
        }
        q2 /= q0;
        q4 /= q0;
        s2 = sqrt((s2 - m2 * m2) / (double) n);
        s4 = sqrt((s4 - m4 * m4) / (double) n);
        printf("# cubic draws: E x^2 %.5f (quadrature %.5f, se %.1e), E x^4 %.5f (%.5f, %.1e)\n",
               m2, q2, s2, m4, q4, s4);
        /* the change of variables z = u + u^3 / 4: the integral is sqrt(2 pi) */
        assert_true(fabs(q0 - exp(0.5 * LN_2PI)) < 1e-6);
        assert_true(fabs(m2 - q2) < 4 * s2);
        assert_true(fabs(m4 - q4) < 4 * s4);
        /* negative excess kurtosis: lighter tails than the Gaussian */
        assert_true(q4 < 3.0 * q2 * q2);
        free(xs);
    }
    _fmpq_vec_clear(g, 3);
    fy_inn_clear(net);
    fy_inn_clear(one);
    fy_error_clear(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inverse_roundtrip),
        cmocka_unit_test(test_log_prob_affine),
        cmocka_unit_test(test_kl_zero_1d),
        cmocka_unit_test(test_kl_zero_is),
        cmocka_unit_test(test_couplings_handset),
        cmocka_unit_test(test_cumulants_gaussian),
        cmocka_unit_test(test_tree_one_site),
        cmocka_unit_test(test_elementwise_domain),
        cmocka_unit_test(test_cubic_layer),
    };
    return cmocka_run_group_tests_name("inn_compare", tests, NULL, NULL) ? 1 : 0;
}
