/* Tests of the INN type of module io: layers checked on entry, the exact forward map, parameter
 * counts, condition numbers, the text and safetensors formats (round trips, refusals), the
 * example files.
 *
 * Oracles: forward values computed by hand (in the comments); singular values of small
 * matrices in closed form; safetensors images built here byte by byte from known IEEE bit
 * patterns (not by the writer under test); exact rationals of dyadic values. */
#include <dirent.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <flint/fmpq_vec.h>

#include "feynn/io.h"
#include "feynn/num.h"
#include "io/inn_internal.h"
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
    assert_string_equal(fy_inn_layer_kind_name(FY_INN_LAYER_CUBIC), "cubic");
    assert_int_equal(fy_inn_layer_kind_from_name("cubic"), FY_INN_LAYER_CUBIC);
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
    assert_int_equal(fy_inn_push_affine(net, NULL, s, NULL, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 0 ('layers.0', affine): the 2 x 2 weight matrix");
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

/* ------------------------------------------------------------------ text format */

static int read_text(fy_inn_t net, const char *text, fy_error_t err)
{
    return fy_inn_load_buffer(net, (const uint8_t *) text, strlen(text), "t.inn",
                              FY_MODEL_AUTO, err);
}

/* Exact equality of two networks (every rational, every index, the names). */
static void assert_same_net(const fy_inn_t a, const fy_inn_t b)
{
    int l;
    size_t k, dd = (size_t) a->d * (size_t) a->d;
    assert_int_equal(a->d, b->d);
    assert_int_equal(a->nlayers, b->nlayers);
    for (l = 0; l < a->nlayers; l++)
    {
        const fy_inn_layer_struct *x = &a->layers[l], *y = &b->layers[l];
        assert_int_equal(x->kind, y->kind);
        switch (x->kind)
        {
        case FY_INN_LAYER_AFFINE:
            for (k = 0; k < dd; k++)
                assert_true(fmpq_equal(x->W + k, y->W + k));
            assert_true((x->b == NULL) == (y->b == NULL));
            for (k = 0; x->b && k < (size_t) a->d; k++)
                assert_true(fmpq_equal(x->b + k, y->b + k));
            break;
        case FY_INN_LAYER_COUPLING:
            assert_int_equal(x->nA, y->nA);
            assert_int_equal(x->nB, y->nB);
            assert_memory_equal(x->A, y->A, (size_t) x->nA * sizeof(int));
            assert_memory_equal(x->B, y->B, (size_t) x->nB * sizeof(int));
            for (k = 0; k < (size_t) x->nB * x->nA * x->nA; k++)
                assert_true(fmpq_equal(x->G + k, y->G + k));
            break;
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            for (k = 0; k < (size_t) a->d; k++)
                assert_true(fmpq_equal(x->gamma + k, y->gamma + k));
            break;
        }
    }
}

static const char net3_text[] =
    "# the network of test_forward\n"
    "feynn-inn 1\n"
    "dim 3\n"
    "layer affine aff\n"
    "W\n"
    "  1 2 0   # row 0\n"
    "  0 1 0\n"
    "  0.5 0 1\n"
    "b 1 -3/6 0e5\n"
    "\n"
    "layer coupling\n"
    "A 0 1\n"
    "G 2 0 0 1\n"
    "G 2 1 0 0.5\n"
    "G 2 0 1 1/2   # the same entry again, same value\n"
    "layer elementwise elem\r\n"
    "gamma 1 0 -5e-1\n";

static void test_text_read(void **state)
{
    fy_inn_t net, ref;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(read_text(net, net3_text, err), FY_OK);
    build_net3(ref);
    assert_same_net(net, ref);
    assert_string_equal(net->layers[0].name, "aff");
    assert_string_equal(net->layers[1].name, "layers.1");
    assert_string_equal(net->layers[2].name, "elem");
    assert_int_equal(net->layers[1].nB, 1);
    assert_int_equal(net->layers[1].B[0], 2);
    assert_int_equal(net->format, FY_MODEL_TEXT);
    assert_string_equal(net->source, "t.inn");
    fy_inn_clear(net);
    fy_inn_clear(ref);
}

static void test_text_roundtrip(void **state)
{
    fy_inn_t net, back;
    fy_error_t err;
    char *t1, *t2;
    size_t n1, n2;
    char path[4096];
    (void) state;
    fy_error_init(err);
    build_net3(net);
    assert_int_equal(fy_inn_write_text_buffer(&t1, &n1, net, err), FY_OK);
    assert_int_equal(strlen(t1), n1);
    /* the writer's spelling: exact p/q, both sets, G's upper half */
    assert_non_null(strstr(t1, "feynn-inn 1\ndim 3\nlayer affine aff\nW\n1 2 0\n0 1 0\n"
                               "1/2 0 1\nb 1 -1/2 0\nlayer coupling layers.1\nA 0 1\nB 2\n"
                               "G 2 0 0 1\nG 2 0 1 1/2\nlayer elementwise elem\n"
                               "gamma 1 0 -1/2\n"));
    fy_inn_init(back);
    assert_int_equal(fy_inn_load_buffer(back, (const uint8_t *) t1, n1, "rt", FY_MODEL_TEXT,
                                        err), FY_OK);
    assert_same_net(net, back);
    assert_int_equal(fy_inn_write_text_buffer(&t2, &n2, back, err), FY_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(t1, t2, n1);
    free(t2);
    /* through a file */
    assert_int_equal(fy_inn_save_text("test_inn_io_rt.feynn-inn.out", net, err), FY_OK);
    fy_inn_clear(back);
    assert_int_equal(fy_inn_load(back, "test_inn_io_rt.feynn-inn.out", err), FY_OK);
    assert_same_net(net, back);
    assert_int_equal(fy_inn_load_buffer(back, (const uint8_t *) "hello", 5, "x.bin",
                                        FY_MODEL_AUTO, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "x.bin: offset 0: unknown INN format");
    assert_same_net(net, back); /* unchanged on failure */
    /* detection by the header despite the extension, from a file */
    {
        FILE *fp = fopen("test_inn_io_rt.out", "w");
        fputs(t1, fp);
        fclose(fp);
    }
    assert_int_equal(fy_inn_load(back, "test_inn_io_rt.out", err), FY_OK);
    assert_same_net(net, back);
    unlink("test_inn_io_rt.out");
    unlink("test_inn_io_rt.feynn-inn.out");
    free(t1);
    fy_inn_clear(back);
    fy_inn_clear(net);
    /* the example file */
    fy_inn_init(net);
    fy_test_srcpath(path, sizeof path, "examples/tiny_inn.feynn-inn");
    assert_int_equal(fy_inn_load(net, path, err), FY_OK);
    assert_int_equal(net->d, 3);
    assert_int_equal(net->nlayers, 3);
    assert_null(net->layers[2].b);
    assert_q(net->layers[0].b + 0, "1/10");
    assert_q(net->layers[1].G + 1, "-1/4");
    assert_q(net->layers[1].G + 2, "-1/4");
    assert_q(net->layers[1].G + 3, "1/10");
    {
        /* at x = 0: b = (1/10, -1/2, 0); coupling: g = 1/2 (1/100) + 2 (-1/4)(1/10)(-1/2)
         * + (1/10)(1/4) = 11/200; last affine: (1/10, -1/2 + 11/400, (3/2)(11/200)) */
        fmpq *y[4];
        int l;
        for (l = 0; l < 4; l++)
            y[l] = _fmpq_vec_init(3);
        assert_int_equal(fy_inn_forward_fmpq(y, net, NULL, err), FY_OK);
        assert_q(y[2] + 2, "11/200");
        assert_q(y[3] + 0, "1/10");
        assert_q(y[3] + 1, "-189/400");
        assert_q(y[3] + 2, "33/400");
        for (l = 0; l < 4; l++)
            _fmpq_vec_clear(y[l], 3);
    }
    assert_int_equal(fy_inn_write_text_buffer(&t1, &n1, net, err), FY_OK);
    fy_inn_init(back);
    assert_int_equal(fy_inn_load_buffer(back, (const uint8_t *) t1, n1, "rt", FY_MODEL_AUTO,
                                        err), FY_OK);
    assert_same_net(net, back);
    free(t1);
    fy_inn_clear(back);
    fy_inn_clear(net);
}

/* Each malformed text with the place and words its message must name. */
static void test_text_errors(void **state)
{
    static const struct
    {
        const char *text, *msg;
    } cases[] = {
        {"", "t.inn: empty file, expected 'feynn-inn 1'"},
        {"feynn-inn 2\n", "t.inn:1:11: expected format version 1, found '2'"},
        {"feynn-inn 1\nlayer affine\n", "t.inn:2:1: expected 'dim D' before the first layer"},
        {"feynn-inn 1\ndim 0\n", "t.inn:2:"},
        {"feynn-inn 1\ndim 70000\n", "t.inn:2:5: expected the dimension (1 to 4096)"},
        {"feynn-inn 1\ndim 2\n", "t.inn:3: expected at least one 'layer KIND'"},
        {"feynn-inn 1\ndim 2\nlayer dense\n", "t.inn:3:7: expected a layer kind: 'affine', "
                                              "'coupling', 'elementwise' or 'cubic', found "
                                              "'dense'"},
        {"feynn-inn 1\ndim 2\nlayer affine a b\n", "t.inn:3:16: expected the end of the line"},
        {"feynn-inn 1\ndim 2\nlayer affine\nb 1 2\n",
         "t.inn:3: layer 0 ('layers.0', affine): no 'W' line"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n", "t.inn:6: expected row 1 of W of layer 0 "
                                                       "('layers.0') (2 numbers), found the end"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0 1 2\n",
         "t.inn:6:5: expected 2 numbers for row 1 of W of layer 0 ('layers.0'), found more: '2'"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0\n",
         "t.inn:6:2: expected 2 numbers for row 1 of W of layer 0 ('layers.0'), found 1"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 x\n0 1\n",
         "t.inn:5:3: bad number \"x\""},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 1/0\n0 1\n",
         "t.inn:5:3: bad number \"1/0\""},
        {"feynn-inn 1\ndim 2\nlayer affine sing\nW\n1 2\n1/2 1\n",
         "t.inn:3: layer 0 ('sing', affine): the 2 x 2 weight matrix is exactly singular"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0 1\nb 1\n",
         "t.inn:7:4: expected 2 numbers for the bias b of layer 0 ('layers.0'), found 1"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0 1\nb 1 1\nb 1 1\n",
         "t.inn:8:1: expected 'W' (then the rows), 'b NUMBERS' (once each)"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0 1\ngamma 1 1\n", "t.inn:7:1: expected 'W'"},
        {"feynn-inn 1\ndim 2\nlayer elementwise\n",
         "t.inn:3: layer 0 ('layers.0', elementwise): no 'gamma' line of 2 numbers"},
        {"feynn-inn 1\ndim 2\nlayer elementwise\ngamma 1 2 3\n",
         "t.inn:4:11: expected 2 numbers for gamma of layer 0 ('layers.0'), found more"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nB 2\n",
         "t.inn:3: layer 0 ('c', coupling): expected the line 'A i j ...'"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 3\n",
         "t.inn:4:5: expected an index 0..2 in the set A of layer 0 ('c'), found '3'"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 1 0\n",
         "t.inn:4:5: expected the indices of the set A of layer 0 ('c') in ascending order"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nB 1 2\n",
         "t.inn:3: layer 0 ('c', coupling): index 1 is in both A and B"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0\nB 2\n",
         "t.inn:3: layer 0 ('c', coupling): A and B have 1 + 1 indices but dim is 3"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nA 0 1\n",
         "t.inn:5:1: expected one line of each set: a second one"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 2 0 0 1\nB 2\n",
         "t.inn:6:1: expected the lines A and B before the G lines"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 1 0 0 1\n",
         "t.inn:5:3: expected the index b of an output coordinate in B, found '1': 1 is not in "
         "B of layer 0 ('c')"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 2 0 2 1\n",
         "t.inn:5:7: expected the index a' of a passive coordinate in A, found '2'"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 2 0 1 1\nG 2 1 0 2\n",
         "t.inn:6:9: expected no contradicting repeat, found '2': G 2 1 0 (= G 2 0 1) was "
         "already given as 1 in layer 0 ('c')"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 2 0 1\n",
         "t.inn:5:8: expected a number for the value of G 2 0 1 of layer 0 ('c')"},
        {"feynn-inn 1\ndim 3\nlayer coupling c\nA 0 1\nG 2 0 1 1 1\n",
         "t.inn:5:11: expected the end of the line after 'G b a a' value'"},
        {"feynn-inn 1\ndim 2\nlayer affine\nW\n1 0\n0 1\nlayer affine\nW\n1 0\n0 1e-13\n",
         "t.inn: layer 1 ('layers.1', affine): the weight matrix has condition number 1e+13"},
        {"feynn-inn 1\ndim 2\nbias 1\n", "t.inn:3:1: expected 'layer KIND [NAME]', found 'bias'"},
        {"feynn-inn 1\nfoo\n", "t.inn:2:1: expected 'dim D' or 'layer KIND [NAME]', found 'foo'"},
    };
    size_t i;
    (void) state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        fy_inn_t net;
        fy_error_t err;
        fy_error_init(err);
        fy_inn_init(net);
        if (read_text(net, cases[i].text, err) != FY_EINPUT ||
            strstr(err->msg, cases[i].msg) == NULL)
        {
            print_error("case %zu: code %d, message '%s', want '%s'\n", i, err->code, err->msg,
                        cases[i].msg);
            fail();
        }
        assert_int_equal(net->nlayers, 0);
        fy_inn_clear(net);
    }
    {
        /* a NUL byte, and the FY_MODEL_NPY format */
        fy_inn_t net;
        fy_error_t err;
        fy_error_init(err);
        fy_inn_init(net);
        assert_int_equal(fy_inn_load_buffer(net, (const uint8_t *) "feynn-inn 1\0", 12, "z",
                                            FY_MODEL_TEXT, err), FY_EINPUT);
        assert_msg(err, FY_EINPUT, "z: offset 11: NUL byte");
        assert_int_equal(fy_inn_load_buffer(net, (const uint8_t *) "x", 1, "z", FY_MODEL_NPY,
                                            err), FY_EINPUT);
        assert_msg(err, FY_EINPUT, "z: an INN is read from safetensors or the text format");
        assert_int_equal(fy_inn_load(net, "/nonexistent/inn.safetensors", err), FY_EIO);
        fy_inn_clear(net);
    }
    {
        /* couplings with an implicit B each hold d indices: 2^23 / 4096 = 2048 of them at most
         * in a text file (the file itself does not bound them) */
        fy_inn_t net;
        fy_error_t err;
        size_t n = 0;
        int l;
        char *t = malloc(64 + 2100 * 20);
        n += (size_t) sprintf(t, "feynn-inn 1\ndim 4096\n");
        for (l = 0; l < 2100; l++)
            n += (size_t) sprintf(t + n, "layer coupling\nA\n");
        fy_error_init(err);
        fy_inn_init(net);
        assert_int_equal(read_text(net, t, err), FY_EINPUT);
        assert_msg(err, FY_EINPUT, "t.inn:4097: layer 2047 ('layers.2047', coupling): the "
                                   "couplings so far hold more than 8388608 indices");
        fy_inn_clear(net);
        free(t);
    }
}

/* ------------------------------------------------------------------ safetensors */

static void put_le(uint8_t *p, uint64_t v, int k)
{
    int i;
    for (i = 0; i < k; i++)
        p[i] = (uint8_t) (v >> (8 * i));
}

/* A safetensors image built by hand: tensors of F64 values given as doubles (their bit
 * patterns stored little-endian), shapes as JSON text, and a JSON metadata object text. */
typedef struct
{
    const char *name, *shape;
    int n;
    double v[16];
} tens_t;

static uint8_t *st_build(size_t *len, const tens_t *t, int nt, const char *meta)
{
    char header[4096];
    size_t h = 0, off = 0, nd = 0;
    uint8_t *buf;
    int i, j;
    h += (size_t) snprintf(header + h, sizeof header - h, "{");
    for (i = 0; i < nt; i++)
    {
        h += (size_t) snprintf(header + h, sizeof header - h,
                               "\"%s\":{\"dtype\":\"F64\",\"shape\":%s,\"data_offsets\":[%zu,"
                               "%zu]},", t[i].name, t[i].shape, off, off + 8 * (size_t) t[i].n);
        off += 8 * (size_t) t[i].n;
    }
    h += (size_t) snprintf(header + h, sizeof header - h, "\"__metadata__\":%s}", meta);
    buf = malloc(8 + h + off + 1);
    put_le(buf, h, 8);
    memcpy(buf + 8, header, h);
    for (i = 0; i < nt; i++)
        for (j = 0; j < t[i].n; j++)
        {
            uint64_t u;
            memcpy(&u, &t[i].v[j], 8);
            put_le(buf + 8 + h + nd, u, 8);
            nd += 8;
        }
    *len = 8 + h + off;
    return buf;
}

static int load_st(fy_inn_t net, const tens_t *t, int nt, const char *meta, fy_error_t err)
{
    size_t len;
    uint8_t *buf = st_build(&len, t, nt, meta);
    int rc = fy_inn_load_buffer(net, buf, len, "m.safetensors", FY_MODEL_AUTO, err);
    free(buf);
    return rc;
}

static void test_safetensors_read(void **state)
{
    /* d = 2: affine (W, b), coupling A = {1}, B = {0} with G_{0,1,1} = -0.75, elementwise */
    static const tens_t t[] = {
        {"layers.0.weight", "[2,2]", 4, {1, 0.5, 0, 2}},
        {"layers.0.bias", "[2]", 2, {0.25, -1}},
        {"layers.1.G", "[1,1,1]", 1, {-0.75}},
        {"layers.2.gamma", "[2]", 2, {0.125, 0}},
    };
    static const char meta[] = "{\"format\":\"pt\",\"feynn.inn.kinds\":\"affine,coupling,"
                               "elementwise\",\"feynn.inn.split.1\":\"A=1;B=0\"}";
    fy_inn_t net;
    fy_error_t err;
    fmpq *y[4];
    int l;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(load_st(net, t, 4, meta, err), FY_OK);
    assert_int_equal(net->d, 2);
    assert_int_equal(net->nlayers, 3);
    assert_int_equal(net->format, FY_MODEL_SAFETENSORS);
    assert_string_equal(net->layers[1].name, "layers.1");
    assert_int_equal(net->layers[1].A[0], 1);
    assert_int_equal(net->layers[1].B[0], 0);
    assert_q(net->layers[0].W + 1, "1/2");
    assert_q(net->layers[1].G, "-3/4");
    /* forward at 0: (1/4, -1) -> (1/4 - (3/4)(1), -1) = (-1/2, -1)
     * -> (-1/2 + (1/8)(1/4), -1) = (-15/32, -1) */
    for (l = 0; l < 4; l++)
        y[l] = _fmpq_vec_init(2);
    assert_int_equal(fy_inn_forward_fmpq(y, net, NULL, err), FY_OK);
    assert_q(y[3] + 0, "-15/32");
    assert_q(y[3] + 1, "-1");
    for (l = 0; l < 4; l++)
        _fmpq_vec_clear(y[l], 2);
    /* kinds inferred from the tensor names when the metadata lacks them (d from W) */
    assert_int_equal(load_st(net, t, 4, "{\"feynn.inn.split.1\":\"A=1;B=0\"}", err), FY_OK);
    assert_int_equal(net->nlayers, 3);
    assert_int_equal(net->layers[2].kind, FY_INN_LAYER_ELEMENTWISE);
    fy_inn_clear(net);
}

static void test_safetensors_errors(void **state)
{
    static const char km[] = "\"feynn.inn.kinds\":\"affine,coupling\",\"feynn.inn.split.1\":"
                             "\"A=1;B=0\"";
    static const struct
    {
        tens_t t[3];
        int nt;
        const char *meta, *msg;
    } cases[] = {
        {{{"layers.0.weight", "[2,3]", 6, {1, 0, 0, 0, 1, 0}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, km, "m.safetensors: layer 0 ('layers.0', affine): tensor 'layers.0.weight' has "
                "shape (2, 3), expected (2, 2)"},
        {{{"layers.0.bias", "[2]", 2, {0, 0}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, km, "m.safetensors: layer 0 ('layers.0', affine): tensor 'layers.0.weight' is "
                "missing"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}},
         1, km, "layer 1 ('layers.1', coupling): tensor 'layers.1.G' is missing"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine,coupling\"",
         "layer 1 ('layers.1', coupling): the metadata feynn.inn.split.1 is missing"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine,coupling\",\"feynn.inn.split.1\":\"A=1;B=1\"",
         "layer 1 ('layers.1', coupling): index 1 is in both A and B"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine,coupling\",\"feynn.inn.split.1\":\"A=0,1;B=\"",
         "tensor 'layers.1.G' has shape (1, 1, 1), expected (0, 2, 2)"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine,coupling\",\"feynn.inn.split.1\":\"0,1|2\"",
         "metadata feynn.inn.split.1 = \"0,1|2\" is not a split of 0..1"},
        {{{"layers.0.weight", "[2,2]", 4, {1, NAN, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, km, "tensor 'layers.0.weight' element [0, 1] is NaN"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1,
                                                          {-INFINITY}}},
         2, km, "tensor 'layers.1.G' element [0, 0, 0] is infinite"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 2, 0.5, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, km, "m.safetensors: layer 0 ('layers.0', affine): the 2 x 2 weight matrix is "
                "exactly singular"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine,dense\"",
         "metadata feynn.inn.kinds = \"affine,dense\": entry 1 'dense' is not a layer kind"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.1.gamma", "[3]", 3, {1, 1, 1}}},
         2, "\"feynn.inn.kinds\":\"affine,elementwise\"",
         "layer 1 ('layers.1', elementwise): tensor 'layers.1.gamma' has shape (3), expected (2)"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}},
         1, "\"feynn.inn.kinds\":\"affine\",\"feynn.inn.dim\":\"3\"",
         "tensor 'layers.0.weight' has shape (2, 2), expected (3, 3)"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"running_mean", "[2]", 2, {0, 0}}},
         2, "\"feynn.inn.kinds\":\"affine\"",
         "m.safetensors: tensor 'running_mean' is not part of the INN"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.0.G", "[1,1,1]", 1, {1}}},
         2, "\"feynn.inn.kinds\":\"affine\"",
         "tensor 'layers.0.G' is not part of the INN: this name does not fit the layer's kind"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.3.gamma", "[2]", 2, {1, 1}}},
         2, "\"feynn.inn.kinds\":\"affine\"",
         "tensor 'layers.3.gamma' is not part of the INN: its layer index is beyond"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}, {"layers.0.gamma", "[2]", 2, {1, 1}}},
         2, "\"format\":\"pt\"", "m.safetensors: layer 0 has tensors of two kinds"},
        {{{"weight", "[2,2]", 4, {1, 0, 0, 1}}}, 1, "\"format\":\"pt\"",
         "m.safetensors: no INN layers"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1}}}, 1,
         "\"feynn.inn.kinds\":\"affine\",\"feynn.inn.dim\":\"two\"",
         "metadata feynn.inn.dim = \"two\" is not a dimension"},
        {{{"layers.0.weight", "[2,2]", 4, {1, 0, 0, 1e-13}}}, 1, "\"feynn.inn.kinds\":\"affine\"",
         "m.safetensors: layer 0 ('layers.0', affine): the weight matrix has condition number "
         "1e+13 (2-norm), above the limit 1e+12"},
    };
    size_t i;
    (void) state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        fy_inn_t net;
        fy_error_t err;
        char meta[512];
        fy_error_init(err);
        fy_inn_init(net);
        snprintf(meta, sizeof meta, "{%s}", cases[i].meta);
        if (load_st(net, cases[i].t, cases[i].nt, meta, err) != FY_EINPUT ||
            strstr(err->msg, cases[i].msg) == NULL)
        {
            print_error("case %zu: code %d, message '%s', want '%s'\n", i, err->code, err->msg,
                        cases[i].msg);
            fail();
        }
        assert_int_equal(net->nlayers, 0);
        fy_inn_clear(net);
    }
}

/* BF16 and F32 tensors read exactly: bit patterns written here by hand. */
static void test_safetensors_dtypes(void **state)
{
    /* BF16 of 1, 0.5, -1.25, 3: 0x3F80, 0x3F00, 0xBFA0, 0x4040; F32 of 0.1f: 0x3DCCCCCD
     * (13421773 / 2^27) and of -2: 0xC0000000 */
    static const char header[] =
        "{\"layers.0.weight\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
        "\"__metadata__\":{\"feynn.inn.kinds\":\"affine\"}}";
    static const uint16_t w[] = {0x3F80, 0x3F00, 0xBFA0, 0x4040};
    static const uint32_t b[] = {0x3DCCCCCD, 0xC0000000};
    size_t h = strlen(header), len = 8 + h + 16, i;
    uint8_t *buf = malloc(len);
    fy_inn_t net;
    fy_error_t err;
    (void) state;
    put_le(buf, h, 8);
    memcpy(buf + 8, header, h);
    for (i = 0; i < 4; i++)
        put_le(buf + 8 + h + 2 * i, w[i], 2);
    for (i = 0; i < 2; i++)
        put_le(buf + 8 + h + 8 + 4 * i, b[i], 4);
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(fy_inn_load_buffer(net, buf, len, "bf.safetensors", FY_MODEL_AUTO, err),
                     FY_OK);
    assert_q(net->layers[0].W + 0, "1");
    assert_q(net->layers[0].W + 1, "1/2");
    assert_q(net->layers[0].W + 2, "-5/4");
    assert_q(net->layers[0].W + 3, "3");
    assert_q(net->layers[0].b + 0, "13421773/134217728");
    assert_q(net->layers[0].b + 1, "-2");
    fy_inn_clear(net);
    free(buf);
}

static void test_safetensors_roundtrip(void **state)
{
    fy_inn_t net, back, txt;
    fy_error_t err;
    fy_safetensors_t st, st2;
    uint8_t *b1, *b2;
    size_t n1, n2;
    char path[4096], *text;
    size_t tl;
    fmpq *y[6];
    int l;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    fy_test_srcpath(path, sizeof path, "examples/tiny_inn.safetensors");
    assert_int_equal(fy_inn_load(net, path, err), FY_OK);
    assert_int_equal(net->d, 4);
    assert_int_equal(net->nlayers, 5);
    assert_null(net->layers[2].b);
    assert_non_null(net->layers[4].b);
    assert_q(net->layers[4].b + 3, "3/8");       /* F16 */
    assert_q(net->layers[3].G + 0, "1/16");      /* F64 */
    assert_q(net->layers[0].W + 3 * 4, "1/8");   /* F32 */
    assert_int_equal(net->layers[3].A[0], 2);
    assert_int_equal(net->layers[3].B[1], 1);
    /* forward at 0, computed by hand (see examples/make_tiny_inn.py for the weights):
     * y1 = b0 = (1/2, -1/4, 0, 1); y2 = (1/2, -1/4, 1/16, 35/32);
     * y3 = (1 + (3/4)(35/32), -1/8, 1/16, 35/32) = (233/128, -1/8, 1/16, 35/32);
     * y4 = (233/128 + 1/4096, -1/8 + 35/512 - 1225/4096, ...) = (7457/4096, -1457/4096, ...);
     * z = (7457/4096, 4543/8192, -945/8192, 3/2) */
    for (l = 0; l < 6; l++)
        y[l] = _fmpq_vec_init(4);
    assert_int_equal(fy_inn_forward_fmpq(y, net, NULL, err), FY_OK);
    assert_q(y[3] + 0, "233/128");
    assert_q(y[4] + 1, "-1457/4096");
    assert_q(y[5] + 0, "7457/4096");
    assert_q(y[5] + 1, "4543/8192");
    assert_q(y[5] + 2, "-945/8192");
    assert_q(y[5] + 3, "3/2");
    for (l = 0; l < 6; l++)
        _fmpq_vec_clear(y[l], 4);
    /* safetensors -> net -> safetensors -> net: every rational equal; the second image equals
     * the first byte for byte */
    fy_safetensors_init(st);
    assert_int_equal(fy_inn_to_safetensors(st, net, err), FY_OK);
    assert_int_equal(fy_safetensors_write_buffer(&b1, &n1, st, err), FY_OK);
    assert_string_equal(fy_safetensors_meta(st, "feynn.inn.kinds"),
                        "affine,coupling,affine,coupling,affine");
    assert_string_equal(fy_safetensors_meta(st, "feynn.inn.split.3"), "A=2,3;B=0,1");
    assert_string_equal(fy_safetensors_meta(st, "format"), "pt");
    assert_null(fy_safetensors_find(st, "layers.2.bias"));
    fy_inn_init(back);
    assert_int_equal(fy_inn_load_buffer(back, b1, n1, "rt.safetensors", FY_MODEL_AUTO, err),
                     FY_OK);
    assert_same_net(net, back);
    fy_safetensors_init(st2);
    assert_int_equal(fy_inn_to_safetensors(st2, back, err), FY_OK);
    assert_int_equal(fy_safetensors_write_buffer(&b2, &n2, st2, err), FY_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    /* and through the text format */
    assert_int_equal(fy_inn_write_text_buffer(&text, &tl, net, err), FY_OK);
    fy_inn_init(txt);
    assert_int_equal(fy_inn_load_buffer(txt, (const uint8_t *) text, tl, "x", FY_MODEL_TEXT,
                                        err), FY_OK);
    assert_same_net(net, txt);
    /* through a file */
    assert_int_equal(fy_inn_save_safetensors("test_inn_io_rt.safetensors.out", txt, err),
                     FY_OK);
    fy_inn_clear(back);
    assert_int_equal(fy_inn_load(back, "test_inn_io_rt.safetensors.out", err), FY_OK);
    assert_same_net(net, back);
    unlink("test_inn_io_rt.safetensors.out");
    free(text);
    free(b1);
    free(b2);
    fy_safetensors_clear(st);
    fy_safetensors_clear(st2);
    fy_inn_clear(txt);
    fy_inn_clear(back);
    fy_inn_clear(net);
}

/* A cubic layer (issue 12) through the text format and safetensors (a file) and back, kind
 * and values exact; the metadata names the kind (a gamma tensor alone reads as elementwise). */
static void test_cubic_roundtrip(void **state)
{
    static const char text[] = "feynn-inn 1\ndim 2\nlayer affine\nW\n1 1/2\n0 2\n"
                               "layer cubic\ngamma 1/8 -3/4\n";
    fy_inn_t net, back;
    fy_error_t err;
    char *t2 = NULL;
    size_t tl = 0;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    fy_inn_init(back);
    assert_int_equal(read_text(net, text, err), FY_OK);
    assert_int_equal(net->layers[1].kind, FY_INN_LAYER_CUBIC);
    assert_int_equal(fy_inn_num_params(net), 6 + 2);
    assert_int_equal(fy_inn_write_text_buffer(&t2, &tl, net, err), FY_OK);
    assert_non_null(strstr(t2, "layer cubic"));
    assert_int_equal(fy_inn_load_buffer(back, (const uint8_t *) t2, tl, "x", FY_MODEL_TEXT,
                                        err), FY_OK);
    assert_same_net(net, back);
    assert_int_equal(fy_inn_save_safetensors("test_inn_io_cubic.safetensors.out", net, err),
                     FY_OK);
    fy_inn_clear(back);
    assert_int_equal(fy_inn_load(back, "test_inn_io_cubic.safetensors.out", err), FY_OK);
    assert_same_net(net, back);
    unlink("test_inn_io_cubic.safetensors.out");
    free(t2);
    fy_inn_clear(back);
    fy_inn_clear(net);
}

/* Rationals that are not doubles are written rounded to nearest; beyond the range refused. */
static void test_safetensors_rounding(void **state)
{
    static const char text[] = "feynn-inn 1\ndim 1\nlayer affine\nW\n1/3\nb 0.1\n"
                               "layer elementwise\ngamma 1e400\n";
    fy_inn_t net, back;
    fy_error_t err;
    fy_safetensors_t st;
    (void) state;
    fy_error_init(err);
    fy_inn_init(net);
    assert_int_equal(read_text(net, text, err), FY_OK);
    fy_safetensors_init(st);
    assert_int_equal(fy_inn_to_safetensors(st, net, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "layer 1 ('layers.1'): a value of gamma is beyond the double "
                               "range");
    fy_safetensors_clear(st);
    assert_int_equal(fy_inn_save_safetensors("test_inn_io_never.out", net, err), FY_EINPUT);
    assert_msg(err, FY_EINPUT, "test_inn_io_never.out: layer 1");
    assert_int_equal(access("test_inn_io_never.out", F_OK), -1);
    net->nlayers = 1; /* drop the elementwise layer (cleared below with its memory) */
    fy_safetensors_init(st);
    assert_int_equal(fy_inn_to_safetensors(st, net, err), FY_OK);
    assert_true(fy_safetensors_find(st, "layers.0.weight")->data[0] == 1.0 / 3);
    assert_true(fy_safetensors_find(st, "layers.0.bias")->data[0] == 0.1);
    fy_inn_init(back);
    assert_int_equal(fy_inn_from_tensors(back, st, "r", err), FY_OK);
    {
        fmpq_t q;
        fmpq_init(q);
        fy_fmpq_set_d(q, 1.0 / 3, NULL);
        assert_true(fmpq_equal(back->layers[0].W, q));
        fmpq_clear(q);
    }
    net->nlayers = 2;
    fy_safetensors_clear(st);
    fy_inn_clear(back);
    fy_inn_clear(net);
}

/* The committed fuzz corpus: files named valid_* load, bad_* are refused with a message. */
static void test_fuzz_corpus(void **state)
{
    char dir[4096], path[8192];
    DIR *d;
    struct dirent *e;
    int nvalid = 0, nbad = 0;
    (void) state;
    fy_test_srcpath(dir, sizeof dir, "fuzz/corpus/inn_text");
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
    {
        fy_inn_t net;
        fy_error_t err;
        int rc, valid = strncmp(e->d_name, "valid_", 6) == 0;
        if (!valid && strncmp(e->d_name, "bad_", 4) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fy_error_init(err);
        fy_inn_init(net);
        rc = fy_inn_load(net, path, err);
        if (valid ? rc != FY_OK : (rc != FY_EINPUT || strstr(err->msg, path) == NULL))
        {
            print_error("%s: code %d, message '%s'\n", e->d_name, rc, err->msg);
            fail();
        }
        nvalid += valid;
        nbad += !valid;
        fy_inn_clear(net);
    }
    closedir(d);
    assert_true(nvalid >= 3 && nbad >= 5);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_kind_names),
    cmocka_unit_test(test_forward),
    cmocka_unit_test(test_push_refusals),
    cmocka_unit_test(test_validate),
    cmocka_unit_test(test_cond_random),
    cmocka_unit_test(test_text_read),
    cmocka_unit_test(test_text_roundtrip),
    cmocka_unit_test(test_text_errors),
    cmocka_unit_test(test_safetensors_read),
    cmocka_unit_test(test_safetensors_errors),
    cmocka_unit_test(test_safetensors_dtypes),
    cmocka_unit_test(test_safetensors_roundtrip),
    cmocka_unit_test(test_safetensors_rounding),
    cmocka_unit_test(test_cubic_roundtrip),
    cmocka_unit_test(test_fuzz_corpus),
};

FY_TEST_MAIN("inn_io", tests)
