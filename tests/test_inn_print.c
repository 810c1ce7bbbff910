/* Tests of the inn module's output (inn.h, section "output"; src/inn/print.c).
 *
 * The printed polynomial is checked against something the printer does not compute: for a
 * network of affine layers and couplings the whole action is the polynomial
 * S(x) = -|f(x)|^2 / 2 + ln r - (d/2) ln 2 pi, so the monomials of fy_inn_action_poly
 * evaluated at a rational point must equal -|f(v)|^2 / 2 from the exact forward map
 * (fy_inn_forward_fmpq), exactly.  Also: the sign and convention changes leave the monomials'
 * coefficients as they must (negated; unchanged), threshold and limit keep the largest
 * monomials in order, the text of monomials and of the constant (against log(2 pi) in
 * double), and the JSON documents parse and hold every monomial. */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "feynn/inn.h"
#include "testutil.h"

/* A random network of affine layers (unit upper triangular plus small entries, biases) and
 * couplings (random splits), entries k/8, dimension d, `ncoup` couplings. */
static void random_net(fy_inn_t net, int d, int ncoup, uint64_t *st)
{
    fy_error_t err;
    fmpq *W = _fmpq_vec_init(d * d), *b = _fmpq_vec_init(d), *G = _fmpq_vec_init(d * d * d);
    int A[8], B[8], l, i, j, k, nA;
    fy_error_init(err);
    assert_int_equal(fy_inn_set_dim(net, d, err), FY_OK);
    for (l = 0; l <= ncoup; l++)
    {
        for (i = 0; i < d; i++)
        {
            for (j = 0; j < d; j++)
                fmpq_set_si(W + i * d + j, i == j ? 1 + (slong) (fy_test_rand(st) % 2)
                                                  : j > i ? (slong) (fy_test_rand(st) % 5) - 2
                                                          : 0,
                            i == j ? 1 : 8);
            fmpq_set_si(b + i, (slong) (fy_test_rand(st) % 5) - 2, 8);
        }
        assert_int_equal(fy_inn_push_affine(net, "a", W, b, err), FY_OK);
        if (l == ncoup)
            break;
        nA = 1 + (int) (fy_test_rand(st) % (uint64_t) (d - 1));
        for (i = 0; i < d; i++)
            if (i < nA)
                A[i] = i;
            else
                B[i - nA] = i;
        for (k = 0; k < d - nA; k++)
            for (i = 0; i < nA; i++)
                for (j = i; j < nA; j++)
                {
                    slong v = (slong) (fy_test_rand(st) % 5) - 2;
                    fmpq_set_si(G + (k * nA + i) * nA + j, v, 8);
                    fmpq_set_si(G + (k * nA + j) * nA + i, v, 8);
                }
        assert_int_equal(fy_inn_push_coupling(net, "c", A, nA, B, d - nA, G, err), FY_OK);
    }
    _fmpq_vec_clear(W, d * d);
    _fmpq_vec_clear(b, d);
    _fmpq_vec_clear(G, d * d * d);
}

/* sum_i c_i v^{J_i} over the monomials of P (exact). */
static void poly_eval(fmpq_t s, const fy_inn_poly_t P, const fmpq *v)
{
    fmpq_t t;
    slong i;
    int k;
    fmpq_init(t);
    fmpq_zero(s);
    for (i = 0; i < P->len; i++)
    {
        fmpq_set(t, fy_numvec_fmpq(&P->c) + i);
        for (k = 0; k < P->order[i]; k++)
            fmpq_mul(t, t, v + P->idx[P->off[i] + k]);
        fmpq_add(s, s, t);
    }
    fmpq_clear(t);
}

static void test_poly_value(void **state)
{
    uint64_t st = fy_test_seed("poly_value");
    int trial;
    (void) state;
    for (trial = 0; trial < 12; trial++)
    {
        int d = 2 + trial % 3, ncoup = 1 + trial % 2, l, i;
        fy_inn_t net;
        fy_inn_opts_t o;
        fy_inn_result_t R;
        fy_inn_poly_t P;
        fy_inn_print_opts_t po;
        fy_error_t err;
        fmpq **y, *v, *one;
        fmpq_t s, want;
        fy_inn_init(net);
        fy_inn_opts_init(o);
        fy_inn_result_init(R);
        fy_inn_poly_init(P);
        fy_inn_print_opts_init(po);
        fy_error_init(err);
        random_net(net, d, ncoup, &st);
        o->arith = FY_ARITH_EXACT;
        o->order = FY_INN_ALL_ORDERS;
        assert_int_equal(fy_inn_action(R, net, o, err), FY_OK);
        assert_int_equal(fy_inn_action_poly(P, R->S, po, err), FY_OK);
        /* largest first, and every kept one nonzero */
        for (i = 1; i < P->len; i++)
            assert_true(P->mag[i - 1] >= P->mag[i]);
        assert_int_equal(P->len, P->total);
        y = malloc(sizeof(fmpq *) * (size_t) (net->nlayers + 1));
        for (l = 0; l <= net->nlayers; l++)
            y[l] = _fmpq_vec_init(d);
        v = _fmpq_vec_init(d);
        for (i = 0; i < d; i++)
            fmpq_set_si(v + i, (slong) (fy_test_rand(&st) % 9) - 4, 3);
        assert_int_equal(fy_inn_forward_fmpq(y, net, v, err), FY_OK);
        fmpq_init(s);
        fmpq_init(want);
        for (i = 0; i < d; i++)
            fmpq_addmul(want, y[net->nlayers] + i, y[net->nlayers] + i);
        fmpq_div_2exp(want, want, 1);
        fmpq_neg(want, want);
        poly_eval(s, P, v);
        if (!fmpq_equal(s, want))
        {
            char *a = fy_fmpq_get_str(s), *b = fy_fmpq_get_str(want);
            printf("# trial %d: polynomial %s, -|f(v)|^2/2 %s\n", trial, a, b);
            free(a);
            free(b);
        }
        assert_true(fmpq_equal(s, want));
        /* the same through -ln p and the Gamma convention: coefficients -c, and then -c */
        one = _fmpq_vec_init(1);
        assert_int_equal(fy_inn_action_neg(R->S, err), FY_OK);
        {
            fy_inn_poly_t Q;
            fy_inn_poly_init(Q);
            assert_int_equal(fy_inn_action_poly(Q, R->S, po, err), FY_OK);
            poly_eval(s, Q, v);
            fmpq_neg(s, s);
            assert_true(fmpq_equal(s, want));
            assert_int_equal(fy_inn_action_to_gamma(R->S, err), FY_OK);
            fy_inn_poly_clear(Q);
            fy_inn_poly_init(Q);
            assert_int_equal(fy_inn_action_poly(Q, R->S, po, err), FY_OK);
            poly_eval(s, Q, v);
            fmpq_neg(s, s);
            assert_true(fmpq_equal(s, want));
            fy_inn_poly_clear(Q);
        }
        _fmpq_vec_clear(one, 1);
        fmpq_clear(s);
        fmpq_clear(want);
        _fmpq_vec_clear(v, d);
        for (l = 0; l <= net->nlayers; l++)
            _fmpq_vec_clear(y[l], d);
        free(y);
        fy_inn_poly_clear(P);
        fy_inn_result_clear(R);
        fy_inn_clear(net);
    }
}

/* One coupling from the Gaussian root, d = 2, A = {0}, B = {1}, G_100 = 3/4:
 * S = -x0^2/2 - x1^2/2 - (3/4) x0^2 x1 - (9/32) x0^4 - ln 2 pi. */
static void one_coupling(fy_inn_t net, fy_inn_result_t R, fy_arith_t arith)
{
    fy_error_t err;
    fy_inn_opts_t o;
    fmpq_t g;
    int A[1] = {0}, B[1] = {1};
    fy_error_init(err);
    fmpq_init(g);
    fmpq_set_si(g, 3, 4);
    assert_int_equal(fy_inn_set_dim(net, 2, err), FY_OK);
    assert_int_equal(fy_inn_push_coupling(net, "quad", A, 1, B, 1, g, err), FY_OK);
    fy_inn_opts_init(o);
    o->arith = arith;
    o->order = FY_INN_ALL_ORDERS;
    assert_int_equal(fy_inn_action(R, net, o, err), FY_OK);
    fmpq_clear(g);
}

static void test_text(void **state)
{
    fy_inn_t net;
    fy_inn_result_t R;
    fy_inn_poly_t P;
    fy_inn_print_opts_t po;
    fy_error_t err;
    char *s, *m, *eq;
    int i;
    static const char *mono[4] = {"x0^2 x1", "x0^2", "x1^2", "x0^4"};
    static const char *coef[4] = {"-3/4", "-1/2", "-1/2", "-9/32"};
    (void) state;
    fy_inn_init(net);
    fy_inn_result_init(R);
    fy_inn_poly_init(P);
    fy_inn_print_opts_init(po);
    fy_error_init(err);
    one_coupling(net, R, FY_ARITH_EXACT);
    assert_int_equal(fy_inn_action_poly(P, R->S, po, err), FY_OK);
    assert_int_equal(P->len, 4);
    for (i = 0; i < 4; i++)
    {
        s = fy_inn_poly_coeff_str(P, i, po);
        m = fy_inn_poly_monomial_str(P, i, "x", 0);
        assert_string_equal(s, coef[i]);
        assert_string_equal(m, mono[i]);
        free(s);
        free(m);
    }
    m = fy_inn_poly_monomial_str(P, 0, "x", 1);
    assert_string_equal(m, "x_{0}^{2} x_{1}");
    free(m);
    /* threshold 0.4 keeps 3/4 and the two 1/2; limit 2 keeps the first two */
    po->threshold = 0.4;
    assert_int_equal(fy_inn_action_poly(P, R->S, po, err), FY_OK);
    assert_int_equal(P->len, 3);
    assert_int_equal(P->total, 4);
    po->threshold = 0;
    po->limit = 2;
    assert_int_equal(fy_inn_action_poly(P, R->S, po, err), FY_OK);
    assert_int_equal(P->len, 2);
    m = fy_inn_poly_monomial_str(P, 1, "x", 0);
    assert_string_equal(m, "x0^2");
    free(m);
    /* the constant: r = 1, d = 2: -ln(2 pi), its value against the C library's log */
    s = fy_inn_action_constant_str(R->S, po, 0);
    assert_non_null(s);
    assert_true(strncmp(s, "-ln(2 pi) = ", 12) == 0);
    eq = strchr(s, '=');
    assert_true(fabs(strtod(eq + 1, NULL) + log(2 * M_PI)) < 1e-15);
    free(s);
    assert_int_equal(fy_inn_action_neg(R->S, err), FY_OK);
    s = fy_inn_action_constant_str(R->S, po, 0);
    assert_true(strncmp(s, "ln(2 pi) = ", 11) == 0);
    assert_true(fabs(strtod(strchr(s, '=') + 1, NULL) - log(2 * M_PI)) < 1e-15);
    free(s);
    fy_inn_poly_clear(P);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
}

/* Balls: the certified digits of -9/32 and a ball that contains the exact coefficient. */
static void test_ball(void **state)
{
    fy_inn_t net;
    fy_inn_result_t R;
    fy_inn_poly_t P;
    fy_inn_print_opts_t po;
    fy_error_t err;
    fmpq_t q;
    char *s;
    (void) state;
    fy_inn_init(net);
    fy_inn_result_init(R);
    fy_inn_poly_init(P);
    fy_inn_print_opts_init(po);
    fy_error_init(err);
    fmpq_init(q);
    one_coupling(net, R, FY_ARITH_BALL);
    po->digits = 12;
    assert_int_equal(fy_inn_action_poly(P, R->S, po, err), FY_OK);
    assert_int_equal(P->len, 4);
    fmpq_set_si(q, -9, 32);
    assert_true(fy_arb_contains_fmpq(fy_numvec_arb(&P->c) + 3, q));
    s = fy_inn_poly_coeff_str(P, 3, po);
    assert_string_equal(s, "-0.281250000000");
    free(s);
    fmpq_clear(q);
    fy_inn_poly_clear(P);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
}

/* The JSON documents parse and hold what the polynomial holds. */
static void test_json(void **state)
{
    fy_inn_t net;
    fy_inn_result_t R;
    fy_inn_report_t rep;
    fy_inn_print_opts_t po;
    fy_inn_terms_t D;
    fy_inn_opts_t o;
    fy_error_t err;
    json_t *j, *m;
    json_error_t jerr;
    char *s;
    (void) state;
    fy_inn_init(net);
    fy_inn_result_init(R);
    fy_inn_report_init(rep);
    fy_inn_print_opts_init(po);
    fy_inn_terms_init(D);
    fy_error_init(err);
    one_coupling(net, R, FY_ARITH_EXACT);
    rep->R = R;
    rep->net = net;
    rep->model = "test";
    assert_int_equal(fy_inn_report_json(&s, rep, po, err), FY_OK);
    j = json_loads(s, 0, &jerr);
    assert_non_null(j);
    m = json_object_get(json_object_get(j, "result"), "monomials");
    assert_int_equal(json_array_size(m), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 3), "coefficient")),
                        "-9/32");
    /* entry A_0000 = coefficient / multinomial 1; A_001 = (-3/4) / 3 */
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "entry")),
                        "-1/4");
    assert_int_equal(json_integer_value(json_object_get(j, "degree")), 4);
    assert_true(json_is_true(json_object_get(j, "complete")));
    json_decref(j);
    free(s);
    assert_int_equal(fy_inn_info_json(&s, net, err), FY_OK);
    j = json_loads(s, 0, &jerr);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "action_degree")), 4);
    json_decref(j);
    free(s);
    /* the diagrams of the coupling: the order-4 term is -9/32 u0^4 with two split legs */
    fy_inn_result_clear(R);
    fy_inn_result_init(R);
    fy_inn_opts_init(o);
    o->order = 4;
    o->keep_layers = 1;
    assert_int_equal(fy_inn_action(R, net, o, err), FY_OK);
    assert_int_equal(fy_inn_layer_terms(D, R, net, 0, o, err), FY_OK);
    assert_int_equal(fy_inn_terms_json(&s, D, net, "test", R, -1, po, err), FY_OK);
    j = json_loads(s, 0, &jerr);
    assert_non_null(j);
    {
        json_t *t = json_object_get(j, "terms");
        size_t i;
        int found = 0;
        for (i = 0; i < json_array_size(t); i++)
        {
            json_t *e = json_array_get(t, i);
            if (json_integer_value(json_object_get(e, "order")) == 4 &&
                json_integer_value(json_object_get(e, "n")) == 2)
            {
                json_t *mm = json_array_get(json_object_get(e, "monomials"), 0);
                assert_string_equal(json_string_value(json_object_get(mm, "coefficient")),
                                    "-9/32");
                assert_true(json_is_string(json_object_get(e, "shape")));
                found = 1;
            }
        }
        assert_true(found);
        assert_true(json_is_true(json_object_get(json_object_get(j, "sum_check"), "agrees")));
    }
    json_decref(j);
    free(s);
    fy_inn_terms_clear(D);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poly_value),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_ball),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests_name("inn_print", tests, NULL, NULL) ? 1 : 0;
}
