/* Tests of the multi-route check of the mlp module (mlp.h, "the multi-route check") through the
 * public API:
 * - F(x) = tanh(x) along v = 1 at 0, exactly: the coefficients are those of the tanh series
 *   (FLINT's fmpq_poly_tanh_series, an independent route), every route runs and agrees;
 * - the same at x = 1/2 in ball arithmetic: c_1 contains sech^2(1/2) and c_2 contains
 *   -sech^2(1/2) tanh(1/2) (Arb's closed forms);
 * - a random 2-3-1 tanh network (seeded): the whole order-3 tensor in ball arithmetic and one
 *   entry in double, the jet route against the fused result through the jet module directly;
 * - a wrong result (one entry moved) is caught; double overflow is refused with the reason. */
#include <math.h>
#include <string.h>

#include <flint/fmpq_poly.h>

#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "mlputil.h"
#include "testutil.h"

static const fy_rules_struct *rules;
FY_TEST_RULES_FIXTURES(rules)

static void job_set(fy_mlp_job_struct *job, const fy_net_t net, const fy_numvec_t xbar,
                    const fy_numvec_t v, const int *idx, int mode, int order)
{
    memset(job, 0, sizeof *job);
    job->net = net;
    job->rules = rules;
    job->xbar = xbar;
    job->v = v;
    job->idx = idx;
    job->mode = mode;
    job->order = order;
    job->progress = 0;
}

static int has_route(const fy_mlp_check_t c, const char *name)
{
    int i;
    for (i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return 1;
    return 0;
}

static void test_tanh_exact(void **state)
{
    fy_net_t net;
    fy_mlp_t m;
    fy_numvec_t v, res;
    fy_mlp_job_struct job;
    fy_mlp_check_t c;
    fy_error_t err;
    fmpq_poly_t x, t;
    fmpq_t q;
    double worst;
    int k, N = 7;
    (void) state;
    fy_error_init(err);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_test_model_text(net, "feynn-model 1\ninput 1\nactivation tanh\nlayer 1\n 1\nlayer 1\n 1\n");
    fy_numvec_init(v, FY_ARITH_EXACT, 1, 128, NULL);
    fmpq_one(fy_numvec_fmpq(v));
    fy_numvec_init_empty(res);
    job_set(&job, net, NULL, v, NULL, FY_MLP_JOB_DIRECTION, N);
    assert_int_equal(fy_mlp_job_fused(res, &job, FY_ARITH_EXACT, 128, m, err), FY_OK);
    assert_int_equal(res->len, N + 1);
    /* tanh(x) = sum c_k x^k by FLINT */
    fmpq_poly_init(x);
    fmpq_poly_init(t);
    fmpq_init(q);
    fmpq_poly_set_coeff_si(x, 1, 1);
    fmpq_poly_tanh_series(t, x, N + 1);
    for (k = 0; k <= N; k++)
    {
        fmpq_poly_get_coeff_fmpq(q, t, k);
        assert_true(fmpq_equal(q, fy_numvec_fmpq(res) + k));
    }
    fy_mlp_check_init(c, 1e-9);
    assert_int_equal(fy_mlp_check_run(c, res, &job, FY_ARITH_EXACT, 128, err), FY_OK);
    assert_true(fy_mlp_check_agree(c, &worst));
    assert_true(worst == 0 || c->ncmp > 0);
    assert_true(has_route(c, "fused") && has_route(c, "jet") && has_route(c, "diagrams"));
    assert_true(has_route(c, "fused/ball") && has_route(c, "fused/double"));
    assert_int_equal(c->nskip, 0);
    for (k = 0; k < c->ncmp; k++)
        if (c->val[c->cmp[k].a]->arith == FY_ARITH_EXACT &&
            c->val[c->cmp[k].b]->arith == FY_ARITH_EXACT)
            assert_string_equal(c->cmp[k].how, "equal");
    fy_mlp_check_clear(c);
    fmpq_clear(q);
    fmpq_poly_clear(x);
    fmpq_poly_clear(t);
    fy_numvec_clear(res);
    fy_numvec_clear(v);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

static void test_tanh_ball(void **state)
{
    fy_net_t net;
    fy_mlp_t m;
    fy_numvec_t xbar, v, res;
    fy_mlp_job_struct job;
    fy_mlp_check_t c;
    fy_error_t err;
    arb_t h, s2, e;
    double worst;
    (void) state;
    fy_error_init(err);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_test_model_text(net, "feynn-model 1\ninput 1\nactivation tanh\nlayer 1\n 1\nlayer 1\n 1\n");
    fy_numvec_init(xbar, FY_ARITH_EXACT, 1, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(xbar), 1, 2);
    fy_numvec_init(v, FY_ARITH_EXACT, 1, 128, NULL);
    fmpq_one(fy_numvec_fmpq(v));
    fy_numvec_init_empty(res);
    job_set(&job, net, xbar, v, NULL, FY_MLP_JOB_DIRECTION, 2);
    assert_int_equal(fy_mlp_job_fused(res, &job, FY_ARITH_BALL, 200, m, err), FY_OK);
    /* c_1 = sech^2(1/2), c_2 = -sech^2(1/2) tanh(1/2) */
    arb_init(h);
    arb_init(s2);
    arb_init(e);
    arb_set_d(h, 0.5);
    arb_sech(s2, h, 300);
    arb_sqr(s2, s2, 300);
    assert_true(arb_overlaps(fy_numvec_arb(res) + 1, s2));
    arb_tanh(e, h, 300);
    arb_mul(e, e, s2, 300);
    arb_neg(e, e);
    assert_true(arb_overlaps(fy_numvec_arb(res) + 2, e));
    assert_true(arb_rel_accuracy_bits(fy_numvec_arb(res) + 2) > 150);
    fy_mlp_check_init(c, 1e-9);
    assert_int_equal(fy_mlp_check_run(c, res, &job, FY_ARITH_BALL, 200, err), FY_OK);
    assert_true(fy_mlp_check_agree(c, &worst));
    assert_true(has_route(c, "jet") && has_route(c, "diagrams"));
    assert_false(has_route(c, "fused/exact")); /* tanh(1/2) is irrational: skipped */
    assert_true(c->nskip >= 1 && strstr(c->skipped[0], "fused/exact") != NULL);
    fy_mlp_check_clear(c);
    arb_clear(h);
    arb_clear(s2);
    arb_clear(e);
    fy_numvec_clear(res);
    fy_numvec_clear(v);
    fy_numvec_clear(xbar);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

/* A 2-3-1 tanh network with random small rational weights. */
static void random_net(fy_net_t net, uint64_t *st)
{
    char text[1024];
    int pos = 0, i, j;
    pos += sprintf(text + pos, "feynn-model 1\ninput 2\nactivation tanh\nlayer 3\n");
    for (i = 0; i < 3; i++)
    {
        for (j = 0; j < 2; j++)
            pos += sprintf(text + pos, " %d/%d", (int) (fy_test_rand(st) % 9) - 4,
                           1 + (int) (fy_test_rand(st) % 4));
        pos += sprintf(text + pos, "\n");
    }
    pos += sprintf(text + pos, "bias %d/4 %d/4 %d/4\nlayer 1\n", (int) (fy_test_rand(st) % 5) - 2,
                   (int) (fy_test_rand(st) % 5) - 2, (int) (fy_test_rand(st) % 5) - 2);
    for (i = 0; i < 3; i++)
        pos += sprintf(text + pos, " %d/3", (int) (fy_test_rand(st) % 7) - 3);
    sprintf(text + pos, "\n");
    fy_test_model_text(net, text);
}

static void test_random_network(void **state)
{
    fy_net_t net;
    fy_mlp_t m;
    fy_numvec_t xbar, res, jres, dres;
    fy_symtensor_t T;
    fy_jet_net_t J;
    fy_mlp_job_struct job;
    fy_mlp_check_t c;
    fy_error_t err;
    uint64_t st = fy_test_seed("check: random 2-3-1 network");
    int idx[3] = {0, 1, 1};
    char why[256] = "";
    double worst;
    slong i;
    (void) state;
    fy_error_init(err);
    fy_net_init(net);
    fy_mlp_init(m);
    random_net(net, &st);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 2, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(xbar), 1, 2);
    fmpq_set_si(fy_numvec_fmpq(xbar) + 1, -1, 3);
    fy_numvec_init_empty(res);
    fy_numvec_init_empty(jres);
    fy_numvec_init_empty(dres);
    /* the whole order-3 tensor in ball arithmetic */
    job_set(&job, net, xbar, NULL, NULL, FY_MLP_JOB_TENSOR, 3);
    assert_int_equal(fy_mlp_job_fused(res, &job, FY_ARITH_BALL, 128, m, err), FY_OK);
    assert_int_equal(res->len, 4); /* C(2 + 3 - 1, 3) sorted entries */
    assert_int_equal(fy_mlp_job_jet(jres, &job, FY_ARITH_BALL, 128, why, sizeof why, err),
                     FY_OK);
    assert_string_equal(why, "");
    /* the jet module directly: the same tensor */
    fy_jet_net_init(J);
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_jet_net_set(J, net, err), FY_OK);
    {
        arb_ptr xb = _arb_vec_init(2);
        arb_set_fmpq(xb, fy_numvec_fmpq(xbar), 128);
        arb_set_fmpq(xb + 1, fy_numvec_fmpq(xbar) + 1, 128);
        assert_int_equal(fy_jet_tensor_arb(T, J, 0, xb, 3, 128, err), FY_OK);
        _arb_vec_clear(xb, 2);
    }
    for (i = 0; i < res->len; i++)
    {
        assert_true(arb_overlaps(fy_numvec_arb(res) + i, fy_numvec_arb(&T->e) + i));
        assert_true(arb_overlaps(fy_numvec_arb(res) + i, fy_numvec_arb(jres) + i));
    }
    fy_mlp_check_init(c, 1e-9);
    assert_int_equal(fy_mlp_check_run(c, res, &job, FY_ARITH_BALL, 128, err), FY_OK);
    assert_true(fy_mlp_check_agree(c, &worst));
    assert_true(has_route(c, "jet") && has_route(c, "diagrams") && has_route(c, "fused/double"));
    fy_mlp_check_clear(c);
    /* a wrong result is caught: one entry moved by far more than its radius */
    arb_add_si(fy_numvec_arb(res) + 2, fy_numvec_arb(res) + 2, 1, 128);
    fy_mlp_check_init(c, 1e-9);
    assert_int_equal(fy_mlp_check_run(c, res, &job, FY_ARITH_BALL, 128, err), FY_OK);
    assert_false(fy_mlp_check_agree(c, &worst));
    assert_true(worst >= 0.99);
    fy_mlp_check_clear(c);
    /* one entry in double */
    job_set(&job, net, xbar, NULL, idx, FY_MLP_JOB_ENTRY, 3);
    assert_int_equal(fy_mlp_job_fused(dres, &job, FY_ARITH_DOUBLE, 53, m, err), FY_OK);
    assert_int_equal(dres->len, 1);
    assert_true(fy_d_near_arb(fy_numvec_d(dres)[0],
                              fy_numvec_arb(&T->e) + fy_symtensor_index(T, idx), 1e-12, 1e-14));
    fy_mlp_check_init(c, 1e-9);
    assert_int_equal(fy_mlp_check_run(c, dres, &job, FY_ARITH_DOUBLE, 53, err), FY_OK);
    assert_true(fy_mlp_check_agree(c, &worst));
    assert_true(has_route(c, "fused/ball"));
    fy_mlp_check_clear(c);
    fy_symtensor_clear(T);
    fy_jet_net_clear(J);
    fy_numvec_clear(dres);
    fy_numvec_clear(jres);
    fy_numvec_clear(res);
    fy_numvec_clear(xbar);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

static void test_double_finite(void **state)
{
    fy_numvec_t x;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_numvec_init(x, FY_ARITH_DOUBLE, 3, 53, NULL);
    fy_numvec_d(x)[0] = 1;
    fy_numvec_d(x)[1] = -2;
    fy_numvec_d(x)[2] = 3;
    assert_int_equal(fy_mlp_double_finite(x, "jet", 5, err), FY_OK);
    fy_numvec_d(x)[1] = INFINITY;
    assert_int_equal(fy_mlp_double_finite(x, "jet", 5, err), FY_EUNSUPPORTED);
    assert_non_null(strstr(err->msg, "jet: double arithmetic overflowed at order 5"));
    assert_non_null(strstr(err->msg, "value 1 is infinite"));
    fy_numvec_clear(x);
}

/* Regression (issue 16): the error scale of c_0 = F(xbar) was z^(L) itself, a signed value,
 * so that a network whose output is negative at the point had a negative stated error and
 * `taylor --direction --check` (and order 0) disagreed on any rounding difference (a trained
 * Born network, --order 4 --direction v, exit 1).  Here a tanh network with non-dyadic
 * weights (rounded in double, exact in the ball route) and output about -2.6: along a
 * direction to orders 0..4 and as an order-0 and order-2 tensor, the double check agrees, and
 * every stated scale is at least the value's size (a sum of |terms| bounds the sum). */
static void test_negative_output_scale(void **state)
{
    static const char *text = "feynn-model 1\ninput 3\nactivation tanh\nlayer 3\n"
                              "1/3 -2/7 1/5\n-1/3 1/7 2/9\n3/11 1/13 -1/3\nbias 1/7 -1/9 1/11\n"
                              "layer 2\n2/3 -1/7 1/3\n-3/5 1/3 1/7\nbias -1/3 1/5\n"
                              "layer 1\n1/3 -5/7\nbias -8/3\n";
    fy_net_t net;
    fy_mlp_t m;
    fy_numvec_t xbar, v, res;
    fy_mlp_job_struct job;
    fy_mlp_check_t c;
    fy_error_t err;
    double worst;
    int n, mode;
    slong k;
    (void) state;
    fy_error_init(err);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_test_model_text(net, text);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 3, 128, NULL);
    fy_numvec_init(v, FY_ARITH_EXACT, 3, 128, NULL);
    fmpq_set_si(fy_numvec_fmpq(xbar), 1, 3);
    fmpq_set_si(fy_numvec_fmpq(xbar) + 1, -1, 5);
    fmpq_set_si(fy_numvec_fmpq(xbar) + 2, 2, 7);
    fmpq_set_si(fy_numvec_fmpq(v), 1, 1);
    fmpq_set_si(fy_numvec_fmpq(v) + 1, -1, 2);
    fmpq_set_si(fy_numvec_fmpq(v) + 2, 1, 3);
    fy_numvec_init_empty(res);
    for (mode = 0; mode < 2; mode++)
        for (n = 0; n <= 4; n++)
        {
            if (mode == 0 && n != 0 && n != 2)
                continue;
            job_set(&job, net, xbar, v, NULL, mode == 0 ? FY_MLP_JOB_TENSOR
                                                        : FY_MLP_JOB_DIRECTION, n);
            assert_int_equal(fy_mlp_job_fused(res, &job, FY_ARITH_DOUBLE, 53, m, err), FY_OK);
            if (mode == 1 || n == 0)
                assert_true(fy_numvec_d(res)[0] < -1); /* the output is negative here */
            fy_mlp_check_init(c, 1e-9);
            assert_int_equal(fy_mlp_check_run(c, res, &job, FY_ARITH_DOUBLE, 53, err), FY_OK);
            assert_true(has_route(c, "fused/ball"));
            if (!fy_mlp_check_agree(c, &worst))
                fail_msg("%s order %d: the check disagrees (%.3g)",
                         mode ? "direction" : "tensor", n, worst);
            assert_non_null(c->scale);
            assert_int_equal(c->scale->len, res->len);
            for (k = 0; k < res->len; k++)
                if (!(fy_numvec_d(c->scale)[k] >= fabs(fy_numvec_d(res)[k]) * (1 - 1e-12)))
                    fail_msg("%s order %d: scale %ld is %.17g, below |value| %.17g",
                             mode ? "direction" : "tensor", n, (long) k,
                             fy_numvec_d(c->scale)[k], fabs(fy_numvec_d(res)[k]));
            fy_mlp_check_clear(c);
        }
    fy_numvec_clear(res);
    fy_numvec_clear(v);
    fy_numvec_clear(xbar);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_exact),
        cmocka_unit_test(test_tanh_ball),
        cmocka_unit_test(test_random_network),
        cmocka_unit_test(test_double_finite),
        cmocka_unit_test(test_negative_output_scale),
    };
    return cmocka_run_group_tests_name("mlp_check", tests, setup, teardown) ? 1 : 0;
}
