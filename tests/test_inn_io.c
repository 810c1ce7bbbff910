/* Tests of the INN type of module io: layers checked on entry, the exact forward map, parameter
 * counts, condition numbers, the text and safetensors formats (round trips, refusals), the
 * example files.
 *
 * Oracles: forward values computed by hand (in the comments); singular values of small
 * matrices in closed form; safetensors images built here byte by byte from known IEEE bit
 * patterns (not by the writer under test); exact rationals of dyadic values. */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <flint/fmpq_vec.h>

#include "feynn/io.h"
#include "feynn/num.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

/* fmpq vector from strings (exact parse). */
static fmpq *qvec(int n, const char *const *s)
{
    fmpq *v = _fmpq_vec_init(n);
    int i;
    for (i = 0; i < n; i++)
        assert_int_equal(fy_fmpq_parse(v + i, s[i], NULL), FY_OK);
    return v;
}

static void assert_q(const fmpq_t x, const char *want)
{
    fmpq_t w;
    fmpq_init(w);
    assert_int_equal(fy_fmpq_parse(w, want, NULL), FY_OK);
    if (!fmpq_equal(x, w))
    {
        char *s = fy_fmpq_get_str(x);
        print_error("got %s, want %s\n", s, want);
        free(s);
        fail();
    }
    fmpq_clear(w);
}

static void assert_msg(const fy_error_t err, int code, const char *part)
{
    if (err->code != code || strstr(err->msg, part) == NULL)
    {
        print_error("code %d (want %d), message '%s' lacks '%s'\n", err->code, code, err->msg,
                    part);
        fail();
    }
}

/* The d = 3 network of the forward test:
 *   affine  W = [[1, 2, 0], [0, 1, 0], [1/2, 0, 1]], b = (1, -1/2, 0)
 *   coupling A = {0, 1}, B = {2}: G_{2,0,0} = 1, G_{2,0,1} = G_{2,1,0} = 1/2, G_{2,1,1} = 0
 *   elementwise gamma = (1, 0, -1/2) */
static void build_net3(fy_inn_t net)
{
    static const char *const W[] = {"1", "2", "0", "0", "1", "0", "1/2", "0", "1"};
    static const char *const b[] = {"1", "-1/2", "0"};
    static const char *const G[] = {"1", "1/2", "1/2", "0"};
    static const char *const gam[] = {"1", "0", "-0.5"};
    static const int A[] = {0, 1}, B[] = {2};
    fmpq *w = qvec(9, W), *bb = qvec(3, b), *g = qvec(4, G), *ga = qvec(3, gam);
    fy_error_t err;
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(fy_inn_set_dim(net, 3, err), FY_OK);
    assert_int_equal(fy_inn_push_affine(net, "aff", w, bb, err), FY_OK);
    assert_int_equal(fy_inn_push_coupling(net, NULL, A, 2, B, 1, g, err), FY_OK);
    assert_int_equal(fy_inn_push_elementwise(net, "elem", ga, err), FY_OK);
    _fmpq_vec_clear(w, 9);
    _fmpq_vec_clear(bb, 3);
    _fmpq_vec_clear(g, 4);
    _fmpq_vec_clear(ga, 3);
}

/* ------------------------------------------------------------------ type and forward map */

static void test_kind_names(void **state)
{
    (void) state;
    assert_string_equal(fy_inn_layer_kind_name(FY_INN_LAYER_AFFINE), "affine");
    assert_string_equal(fy_inn_layer_kind_name(FY_INN_LAYER_COUPLING), "coupling");
    assert_string_equal(fy_inn_layer_kind_name(FY_INN_LAYER_ELEMENTWISE), "elementwise");
    assert_int_equal(fy_inn_layer_kind_from_name("affine"), FY_INN_LAYER_AFFINE);
    assert_int_equal(fy_inn_layer_kind_from_name("coupling"), FY_INN_LAYER_COUPLING);
    assert_int_equal(fy_inn_layer_kind_from_name("elementwise"), FY_INN_LAYER_ELEMENTWISE);
    assert_int_equal(fy_inn_layer_kind_from_name("Affine"), -1);
    assert_int_equal(fy_inn_layer_kind_from_name(""), -1);
    assert_int_equal(fy_inn_layer_kind_from_name(NULL), -1);
}

static void test_forward(void **state)
{
    static const char *const X[] = {"1", "1/3", "-2"};
    fy_inn_t net;
    fy_error_t err;
    fmpq *x = qvec(3, X), *y[4];
    int l;
    (void) state;
    fy_error_init(err);
    build_net3(net);
    assert_int_equal(net->d, 3);
    assert_int_equal(net->nlayers, 3);
    assert_string_equal(net->layers[0].name, "aff");
    assert_string_equal(net->layers[1].name, "layers.1");
    for (l = 0; l < 4; l++)
        y[l] = _fmpq_vec_init(3);
    assert_int_equal(fy_inn_forward_fmpq(y, net, x, err), FY_OK);
    assert_q(y[0] + 0, "1");
    assert_q(y[0] + 1, "1/3");
    assert_q(y[0] + 2, "-2");
    /* affine: (1 + 2/3 + 1, 1/3 - 1/2, 1/2 - 2) */
    assert_q(y[1] + 0, "8/3");
    assert_q(y[1] + 1, "-1/6");
    assert_q(y[1] + 2, "-3/2");
    /* coupling: y_2 = -3/2 + (8/3)^2 + 2 (1/2)(8/3)(-1/6) = -3/2 + 64/9 - 4/9 = 31/6 */
    assert_q(y[2] + 0, "8/3");
    assert_q(y[2] + 1, "-1/6");
    assert_q(y[2] + 2, "31/6");
    /* elementwise: 8/3 + 64/9 = 88/9; -1/6; 31/6 - (1/2)(961/36) = -589/72 */
    assert_q(y[3] + 0, "88/9");
    assert_q(y[3] + 1, "-1/6");
    assert_q(y[3] + 2, "-589/72");
    /* at the origin: b, then 0 + 1 - 1/4... : (1, -1/2, 0) -> (1, -1/2, 0 + 1 - 1/2 + 0)
     * = (1, -1/2, 1/2) -> (1 + 1, -1/2, 1/2 - 1/8) = (2, -1/2, 3/8) */
    assert_int_equal(fy_inn_forward_fmpq(y, net, NULL, err), FY_OK);
    assert_q(y[2] + 2, "1/2");
    assert_q(y[3] + 0, "2");
    assert_q(y[3] + 1, "-1/2");
    assert_q(y[3] + 2, "3/8");
    /* parameters: 9 + 3, G's symmetric half 1 * 3, gamma 3 */
    assert_int_equal(fy_inn_num_params(net), 18);
    for (l = 0; l < 4; l++)
        _fmpq_vec_clear(y[l], 3);
    _fmpq_vec_clear(x, 3);
    fy_inn_clear(net);
    assert_int_equal(net->nlayers, 0);
    assert_int_equal(fy_inn_forward_fmpq(y, net, NULL, err), FY_EINPUT);
}

static void test_push_refusals(void **state)
{
    static const char *const sing[] = {"1", "2", "2", "4"};
    static const char *const id2[] = {"1", "0", "0", "1"};
    /* det = p (the prime of the modular test) is not 0: the exact rank must decide */
    static const char *const modp[] = {"4611686018427388039", "0", "0", "1"};
    static const char *const asym[] = {"1", "2", "3", "4"};
    static const char *const gam[] = {"1", "2"};
    fy_inn_t net;
    fy_error_t err;
    fmpq *s = qvec(4, sing), *id = qvec(4, id2), *mp = qvec(4, modp), *as = qvec(4, asym),
         *ga = qvec(2, gam);
    int A01[] = {0, 1}, A0[] = {0}, A1[] = {1}, A2[] = {2}, A10[] = {1, 0}, Am[] = {-1};
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    /* no dimension yet */
    assert_int_equal(fy_inn_push_affine(net, "x", id, NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "dimension is not set");
    assert_int_equal(fy_inn_set_dim(net, 0, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "dimension 0 out of range");
    assert_int_equal(fy_inn_set_dim(net, 2, err), FY_OK);
    assert_int_equal(fy_inn_push_affine(net, "sing", s, NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 0 ('sing', affine): the 2 x 2 weight matrix is exactly "
                               "singular");
    assert_int_equal(net->nlayers, 0);
    assert_int_equal(fy_inn_push_affine(net, "modp", mp, NULL, err), FY_OK);
    assert_null(net->layers[0].b);
    assert_int_equal(fy_inn_set_dim(net, 3, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "differs from the dimension 2");
    /* couplings: A and B must be a partition of 0..d-1, ascending; G symmetric */
    assert_int_equal(fy_inn_push_coupling(net, "c", A0, 1, A0, 1, id, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 1 ('c', coupling): index 0 is in both A and B");
    assert_int_equal(fy_inn_push_coupling(net, "c", A0, 1, NULL, 0, id, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "the split has 1 + 0 indices but the dimension is 2");
    assert_int_equal(fy_inn_push_coupling(net, "c", A10, 2, NULL, 0, NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "the set A must be strictly ascending");
    assert_int_equal(fy_inn_push_coupling(net, "c", A0, 1, A2, 1, id, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "index 2 of the set B is out of range 0..1");
    assert_int_equal(fy_inn_push_coupling(net, "c", Am, 1, A1, 1, id, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "index -1 of the set A is out of range");
    assert_int_equal(fy_inn_push_coupling(net, "c", A0, 1, A1, 1, NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "no coefficient tensor G");
    {
        /* d = 3 for an asymmetric G: A = {0, 1}, B = {2} */
        fy_inn_t n3;
        fy_inn_init(n3);
        assert_int_equal(fy_inn_set_dim(n3, 3, err), FY_OK);
        assert_int_equal(fy_inn_push_coupling(n3, "g", A01, 2, A2, 1, as, err), FY_EINPUT);
        assert_msg(err, FY_EINPUT, "layer 0 ('g', coupling): G is not symmetric in its last two "
                                   "indices: G[0][0][1] (b=2, a=0, a'=1)");
        fy_inn_clear(n3);
    }
    /* the identity split (B empty) is allowed and has no G */
    assert_int_equal(fy_inn_push_coupling(net, "id", A01, 2, NULL, 0, NULL, err), FY_OK);
    assert_null(net->layers[1].G);
    assert_int_equal(fy_inn_push_elementwise(net, "e", NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 2 ('e', elementwise): no coefficients gamma");
    assert_int_equal(fy_inn_push_elementwise(net, "e", ga, err), FY_OK);
    assert_int_equal(net->nlayers, 3);
    assert_int_equal(fy_inn_num_params(net), 6 + 0 + 2);
    fy_inn_clear(net);
    _fmpq_vec_clear(s, 4);
    _fmpq_vec_clear(id, 4);
    _fmpq_vec_clear(mp, 4);
    _fmpq_vec_clear(as, 4);
    _fmpq_vec_clear(ga, 2);
}

static void test_validate(void **state)
{
    /* [[1, 1], [0, 1]]: W^T W = [[1, 1], [1, 2]], eigenvalues (3 +- sqrt 5)/2, so the
     * condition number is (3 + sqrt 5)/2 (the square of the golden ratio). */
    static const char *const shear[] = {"1", "1", "0", "1"};
    static const char *const tiny[] = {"1", "0", "0", "1e-13"};
    static const char *const huge[] = {"1e400", "0", "0", "1e399"};
    static const char *const gam[] = {"1", "2"};
    fy_inn_t net;
    fy_error_t err;
    fmpq *sh = qvec(4, shear), *ti = qvec(4, tiny), *hu = qvec(4, huge), *ga = qvec(2, gam);
    double cond[4];
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(fy_inn_validate(cond, net, 0, err), FY_EINPUT);
    assert_int_equal(fy_inn_set_dim(net, 2, err), FY_OK);
    assert_int_equal(fy_inn_push_affine(net, NULL, sh, NULL, err), FY_OK);
    assert_int_equal(fy_inn_push_elementwise(net, NULL, ga, err), FY_OK);
    assert_int_equal(fy_inn_push_affine(net, NULL, hu, NULL, err), FY_OK);
    assert_int_equal(fy_inn_validate(cond, net, 0, err), FY_OK);
    assert_true(fabs(cond[0] - (3 + sqrt(5)) / 2) < 1e-14);
    assert_true(cond[1] == 1);
    /* entries beyond the double range: scaled first, cond 10 */
    assert_true(fabs(cond[2] - 10) < 1e-13);
    assert_int_equal(fy_inn_push_affine(net, "thin", ti, NULL, err), FY_OK);
    assert_int_equal(fy_inn_validate(cond, net, 0, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 3 ('thin', affine): the weight matrix has condition "
                               "number 1e+13");
    assert_int_equal(fy_inn_validate(NULL, net, 1e14, err), FY_OK);
    assert_int_equal(fy_inn_validate(cond, net, 1e14, err), FY_OK);
    assert_true(fabs(cond[3] / 1e13 - 1) < 1e-12);
    assert_int_equal(fy_inn_validate(NULL, net, 2, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 0 ('layers.0', affine)");
    fy_inn_clear(net);
    _fmpq_vec_clear(sh, 4);
    _fmpq_vec_clear(ti, 4);
    _fmpq_vec_clear(hu, 4);
    _fmpq_vec_clear(ga, 2);
}

/* A random orthogonal-times-diagonal matrix: the condition number is the ratio of the diagonal
 * extremes.  Q is a product of Givens rotations with rational (Pythagorean) cosines and sines,
 * so W = Q diag(s) is exact and its singular values are exactly |s_i|. */
static void test_cond_random(void **state)
{
    uint64_t seed = fy_test_seed("test_cond_random");
    static const int pyth[][3] = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25},
                                  {20, 21, 29}};
    int d = 7, trial;
    (void) state;
    for (trial = 0; trial < 5; trial++)
    {
        fmpq *W = _fmpq_vec_init(d * d);
        fmpq_t c, s, x, y, t;
        fy_inn_t net;
        fy_error_t err;
        double cond, smax = 0, smin = INFINITY;
        int i, j, k;
        fmpq_init(c);
        fmpq_init(s);
        fmpq_init(x);
        fmpq_init(y);
        fmpq_init(t);
        fy_error_init(err);
        for (i = 0; i < d; i++)
        {
            /* s_i = (1 + r) 2^e with r in [0, 1), e in -6..6 */
            int e = (int) (fy_test_rand(&seed) % 13) - 6;
            double v = ldexp(1 + (double) (fy_test_rand(&seed) % 1000) / 1000, e);
            fy_fmpq_set_d(W + i * d + i, v, NULL);
            if (v > smax)
                smax = v;
            if (v < smin)
                smin = v;
        }
        for (k = 0; k < 30; k++)
        {
            int p = (int) (fy_test_rand(&seed) % d), q = (int) (fy_test_rand(&seed) % d);
            const int *py = pyth[fy_test_rand(&seed) % 5];
            if (p == q)
                continue;
            fmpq_set_si(c, py[0], py[2]);
            fmpq_set_si(s, py[1], py[2]);
            for (j = 0; j < d; j++)
            {
                /* rows p, q <- (c x - s y, s x + c y) */
                fmpq_set(x, W + p * d + j);
                fmpq_set(y, W + q * d + j);
                fmpq_mul(W + p * d + j, c, x);
                fmpq_submul(W + p * d + j, s, y);
                fmpq_mul(W + q * d + j, s, x);
                fmpq_addmul(W + q * d + j, c, y);
            }
        }
        fy_inn_init(net);
        assert_int_equal(fy_inn_set_dim(net, d, err), FY_OK);
        assert_int_equal(fy_inn_push_affine(net, NULL, W, NULL, err), FY_OK);
        assert_int_equal(fy_inn_validate(&cond, net, 0, err), FY_OK);
        assert_true(fabs(cond / (smax / smin) - 1) < 1e-12);
        fy_inn_clear(net);
        _fmpq_vec_clear(W, d * d);
        fmpq_clear(c);
        fmpq_clear(s);
        fmpq_clear(x);
        fmpq_clear(y);
        fmpq_clear(t);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kind_names),
    cmocka_unit_test(test_forward),
    cmocka_unit_test(test_push_refusals),
    cmocka_unit_test(test_validate),
    cmocka_unit_test(test_cond_random),
};

FY_TEST_MAIN("inn_io", tests)
