/* test_nnft_checks: reflection positivity, symmetries, the Osterwalder-Schrader report and
 * independence breaking (src/nnft/rp.c, symmetry.c, os.c, ib.c).
 *
 * Independent routes: the built-in propagators against their elementary forms (d = 1:
 * e^(-m r) / (2m), d = 3: e^(-m r) / (4 pi r)); the Gaussian kernel's negative direction
 * re-evaluated here from exp(-(t_i + t_j)^2 / 2) at 512 bits; the 2 x 2 determinant of the
 * Gaussian reflection matrix, e^(-(t1 + t2)^2) (e^(-(t1 - t2)^2) - 1) < 0 by hand; a rank
 * count for one and for three exponentials; the Cos-net cluster limit from the sign-vector
 * formula by hand; I_N + I_IB against fy_nnft_connected at eps = 0 and against a Monte Carlo
 * of the correlated ensemble written here (network m from stream m of the generator of rng.h,
 * purpose TEST) at eps > 0. */
#include <math.h>
#include <string.h>

#include "feynn/nnft.h"
#include "nnftutil.h"
#include "testutil.h"

#define PREC 128

static void times_d1(fmpq *t, const slong *num, const slong *den, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_set_si(t + i, num[i], (ulong) den[i]);
}

/* --------------------------------------------------------------- built-in propagators */
static void test_free_propagator(void **state)
{
    fy_nnft_g2_model_t g;
    fy_error_t err;
    fmpq *x = _fmpq_vec_init(3), *y = _fmpq_vec_init(3);
    arb_t G, ref, t;
    double r;
    (void) state;
    fy_error_init(err);
    fy_nnft_g2_model_init(g);
    arb_init(G);
    arb_init(ref);
    arb_init(t);
    fmpq_set_si(g->m, 3, 2);
    /* d = 1, r = 2/3: e^(-1) / 3 */
    fmpq_set_si(x, 1, 3);
    fmpq_set_si(y, -1, 3);
    assert_int_equal(fy_nnft_g2_model(G, x, y, 1, g, PREC, err), FY_OK);
    arb_set_si(ref, -1);
    arb_exp(ref, ref, PREC);
    arb_div_si(ref, ref, 3, PREC);
    assert_true(arb_overlaps(G, ref));
    assert_true(arb_rel_accuracy_bits(G) > 100);
    /* d = 3, x - y = (1, 2, 2), r = 3: e^(-9/2) / (12 pi) */
    fmpq_set_si(x, 1, 1);
    fmpq_set_si(x + 1, 2, 1);
    fmpq_set_si(x + 2, 2, 1);
    fmpq_zero(y);
    fmpq_zero(y + 1);
    fmpq_zero(y + 2);
    assert_int_equal(fy_nnft_g2_model(G, x, y, 3, g, PREC, err), FY_OK);
    arb_set_si(ref, -9);
    arb_mul_2exp_si(ref, ref, -1);
    arb_exp(ref, ref, PREC);
    arb_const_pi(t, PREC);
    arb_mul_si(t, t, 12, PREC);
    arb_div(ref, ref, t, PREC);
    assert_true(arb_overlaps(G, ref));
    assert_true(arb_rel_accuracy_bits(G) > 90);
    /* coincident points in d = 3 are an error, not a number */
    assert_int_equal(fy_nnft_g2_model(G, y, y, 3, g, PREC, err), FY_EINPUT);
    /* the Gaussian kind: exp(-m^2 r^2 / 2) at r = 3: exp(-81/8) */
    g->kind = FY_NNFT_G2_GAUSS;
    assert_int_equal(fy_nnft_g2_model(G, x, y, 3, g, PREC, err), FY_OK);
    r = exp(-81.0 / 8);
    assert_true(fabs(arf_get_d(arb_midref(G), ARF_RND_NEAR) - r) < 1e-15 * r);
    fy_nnft_g2_model_clear(g);
    arb_clear(G);
    arb_clear(ref);
    arb_clear(t);
    _fmpq_vec_clear(x, 3);
    _fmpq_vec_clear(y, 3);
}

/* --------------------------------------------------------------- reflection positivity */
/* sum_k e^(-k |x - y|) for k = 1..3 in d = 1: a reflection matrix of rank 3 */
static int three_exp(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                     fy_error_t err)
{
    fmpq_t r;
    arb_t t, e;
    int k;
    (void) ctx;
    (void) err;
    (void) d;
    fmpq_init(r);
    arb_init(t);
    arb_init(e);
    fmpq_sub(r, x, y);
    fmpq_abs(r, r);
    arb_zero(G);
    for (k = 1; k <= 3; k++)
    {
        arb_set_fmpq(t, r, prec);
        arb_mul_si(t, t, -k, prec);
        arb_exp(e, t, prec);
        arb_add(G, G, e, prec);
    }
    fmpq_clear(r);
    arb_clear(t);
    arb_clear(e);
    return FY_OK;
}

static void test_rp_exponential(void **state)
{
    static const slong num[4] = {1, 1, 3, 2}, den[4] = {2, 1, 2, 1};
    fy_nnft_g2_model_t g;
    fy_nnft_rp_t r;
    fy_error_t err;
    fmpq *t = _fmpq_vec_init(4), *x;
    fmpq_t tmax;
    (void) state;
    fy_error_init(err);
    fy_nnft_g2_model_init(g);
    fy_nnft_rp_init(r);
    fmpq_init(tmax);
    times_d1(t, num, den, 4);
    /* e^(-m |t|) / (2m), d = 1: M_ij = e^(-m (t_i + t_j)) / (2m) has rank 1 exactly: no
     * negative direction, one certified pivot, not provable as definite */
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 1, t, 4, PREC, err), FY_OK);
    assert_int_equal(r->positive, 1);
    assert_int_equal(r->certified, 0);
    assert_int_equal(r->rank, 1);
    /* one point: certified */
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 1, t, 1, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->definite == 1);
    /* three masses at three times: rank 3, certified positive definite */
    assert_int_equal(fy_nnft_rp_check(r, three_exp, NULL, 1, t, 3, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->definite == 1);
    assert_true(arb_is_nonnegative(r->lambda_lower));
    /* four points, three masses: rank 3, not definite */
    assert_int_equal(fy_nnft_rp_check(r, three_exp, NULL, 1, t, 4, PREC, err), FY_OK);
    assert_int_equal(r->positive, 1);
    assert_int_equal(r->certified, 0);
    assert_int_equal(r->rank, 3);
    /* the free propagator in d = 3 and d = 2 (a continuum of spatial momenta): certified
     * positive definite with a positive eigenvalue bound, at generated points */
    x = _fmpq_vec_init(8 * 3);
    fmpq_set_si(tmax, 2, 1);
    fy_nnft_rp_points(x, 8, 3, tmax, 7);
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 3, x, 8, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->definite == 1);
    assert_true(arb_is_positive(r->lambda_lower));
    assert_true(r->lambda_min > 0);
    fy_nnft_rp_points(x, 6, 2, tmax, 7);
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 2, x, 6, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1);
    /* a time <= 0 is refused */
    fmpq_zero(t);
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 1, t, 2, PREC, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "positive time"));
    _fmpq_vec_clear(x, 8 * 3);
    _fmpq_vec_clear(t, 4);
    fmpq_clear(tmax);
    fy_nnft_rp_clear(r);
    fy_nnft_g2_model_clear(g);
}

/* v^T M v for M_ij = exp(-(t_i + t_j)^2 / 2) at 512 bits, written here */
static void gauss_form(arb_t q, const fmpq *t, const double *v, slong n)
{
    arb_t e, a;
    fmpq_t s;
    slong i, j;
    arb_init(e);
    arb_init(a);
    fmpq_init(s);
    arb_zero(q);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
        {
            fmpq_add(s, t + i, t + j);
            fmpq_mul(s, s, s);
            arb_set_fmpq(e, s, 512);
            arb_mul_2exp_si(e, e, -1);
            arb_neg(e, e);
            arb_exp(e, e, 512);
            arb_set_d(a, v[i]);
            arb_mul(e, e, a, 512);
            arb_set_d(a, v[j]);
            arb_addmul(q, e, a, 512);
        }
    arb_clear(e);
    arb_clear(a);
    fmpq_clear(s);
}

static void test_rp_gaussian_fails(void **state)
{
    static const slong num[6] = {1, 1, 3, 2, 5, 3}, den[6] = {2, 1, 2, 1, 2, 1};
    fy_nnft_g2_model_t g;
    fy_nnft_rp_t r;
    fy_nnft_spec_t s;
    fy_error_t err;
    fmpq *t = _fmpq_vec_init(6);
    arb_t q;
    slong n;
    double det;
    (void) state;
    fy_error_init(err);
    fy_nnft_g2_model_init(g);
    fy_nnft_rp_init(r);
    fy_nnft_spec_init(s);
    arb_init(q);
    g->kind = FY_NNFT_G2_GAUSS;
    times_d1(t, num, den, 6);
    /* 2 x 2 by hand at t = 1/2, 1: det = e^(-2 t1^2 - 2 t2^2) - e^(-(t1 + t2)^2) < 0 */
    det = exp(-0.5 - 2.0) - exp(-2.25);
    assert_true(det < -0.02);
    for (n = 2; n <= 6; n++)
    {
        assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 1, t, n, PREC, err), FY_OK);
        assert_int_equal(r->positive, 0);
        assert_int_equal(r->certified, 1);
        assert_non_null(r->direction);
        assert_true(arb_is_negative(r->vMv));
        /* the direction checked again, from the formula, at 512 bits */
        gauss_form(q, t, r->direction, n);
        assert_true(arb_is_negative(q));
        assert_true(arb_overlaps(q, r->vMv));
    }
    /* the same through a Cos-net spec (G2 = (1/2) exp(-|x - y|^2 / 2)) and a Gauss-net */
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\npoint 0.5\npoint 1\npoint 1.5\n");
    assert_int_equal(fy_nnft_rp_spec(r, s, NULL, 0, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1);
    gauss_form(q, s->points, r->direction, 3);
    assert_true(arb_is_negative(q));
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation gauss\nsigma_b 0\nwidth 3\npoint 0.5\npoint 1\npoint 1.5\n");
    assert_int_equal(fy_nnft_rp_spec(r, s, NULL, 0, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1);
    _fmpq_vec_clear(t, 6);
    arb_clear(q);
    fy_nnft_spec_clear(s);
    fy_nnft_rp_clear(r);
    fy_nnft_g2_model_clear(g);
}

/* --------------------------------------------------------------- symmetries */
static void test_symmetry_exact(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_sym_res_t r;
    fy_error_t err;
    fy_nnft_g2_model_t g;
    fy_nnft_npt_ctx_struct c;
    int n;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_sym_init(r);
    /* Cos-net: translation invariant at finite N, G2, G4 and G4_c: every difference ball
     * contains 0 */
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\ninputs unit-d1\n");
    for (n = 2; n <= 4; n += 2)
    {
        assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, n, n == 4, 3, 1, PREC,
                                          err), FY_OK);
        assert_int_equal(r->verdict, 1);
        assert_true(arb_contains_zero(r->violation));
        assert_true(r->tuples == fy_nnft_tuple_count(6, n));
    }
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_ROTATION, 4, 0, 1, 1, PREC, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_Z2, 3, 0, 1, 1, PREC, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_OUTPUT, 2, 0, 1, 1, PREC, err), FY_OK);
    assert_int_equal(r->verdict, -1);
    assert_non_null(strstr(r->note, "SO(1)"));
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 3, 0, 1, 1, PREC, err),
                     FY_EINPUT);
    /* Gauss-net at finite N: G2 invariant (the kernel depends on x - x'), G4 clearly not */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation gauss\nwidth 3\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 2, 0, 3, 1, PREC, err),
                     FY_OK);
    assert_int_equal(r->verdict, 1);
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 4, 1, 3, 1, PREC, err),
                     FY_OK);
    assert_int_equal(r->verdict, 0);
    assert_true(r->violation_d > 0.1 * r->scale);
    assert_non_null(strstr(r->duality, "not invariant"));
    /* both rotation invariant in d = 2 (exact rational rotations) */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation gauss\nwidth 2\ninputs hms-d2-erf\n");
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_ROTATION, 4, 1, 3, 5, PREC, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 2\ninputs hms-d2-erf\n");
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_ROTATION, 4, 1, 3, 5, PREC, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    /* Erf and ReLU with biases: not translation invariant, already G2 */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation erf\nwidth 2\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 2, 0, 2, 1, PREC, err),
                     FY_OK);
    assert_int_equal(r->verdict, 0);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation relu\nwidth 2\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_symmetry(r, s, FY_NNFT_SYM_TRANSLATION, 2, 0, 2, 1, PREC, err),
                     FY_OK);
    assert_int_equal(r->verdict, 0);
    /* a plain kernel callback: the free propagator is invariant, in d = 2 */
    fy_nnft_g2_model_init(g);
    memset(&c, 0, sizeof c);
    c.g2 = fy_nnft_g2_model;
    c.g2_ctx = g;
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "d 2\npoint 1 0\npoint 0 1\npoint 1/2 1/3\n");
    /* the diagonal r = 0 is infinite in d = 2: refused with the reason */
    assert_int_equal(fy_nnft_symmetry_fn(r, fy_nnft_npt_g2, &c, 2, s->points, 3,
                                         FY_NNFT_SYM_TRANSLATION, 2, 4, 3, PREC, err),
                     FY_EINPUT);
    assert_non_null(strstr(err->msg, "coincident"));
    fy_error_init(err);
    g->kind = FY_NNFT_G2_EXP;
    assert_int_equal(fy_nnft_symmetry_fn(r, fy_nnft_npt_g2, &c, 2, s->points, 3,
                                         FY_NNFT_SYM_ROTATION, 2, 4, 3, PREC, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    fy_nnft_g2_model_clear(g);
    fy_nnft_sym_clear(r);
    fy_nnft_spec_clear(s);
}

static void test_symmetry_mc(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_sym_res_t r;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_sym_init(r);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 2\npoint 0\npoint 0.5\npoint 1\n");
    assert_int_equal(fy_nnft_symmetry_mc(r, s, FY_NNFT_SYM_Z2, 3, 1, 4000, 11, err), FY_OK);
    assert_int_equal(r->verdict, 1);
    assert_true(r->zmax < 5 && r->se > 0);
    assert_int_equal(fy_nnft_symmetry_mc(r, s, FY_NNFT_SYM_TRANSLATION, 2, 2, 4000, 11, err),
                     FY_OK);
    assert_int_equal(r->verdict, 1);
    /* erf with biases: the Monte Carlo sees the broken translation of G2 */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation erf\nsigma_b 1\nwidth 2\npoint 0\npoint 0.5\npoint 1\n");
    assert_int_equal(fy_nnft_symmetry_mc(r, s, FY_NNFT_SYM_TRANSLATION, 2, 2, 4000, 11, err),
                     FY_OK);
    assert_int_equal(r->verdict, 0);
    assert_true(r->zmax > 10);
    fy_nnft_sym_clear(r);
    fy_nnft_spec_clear(s);
}

/* --------------------------------------------------------------- Osterwalder-Schrader */
static void test_os_cos(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_os_t o;
    fy_error_t err;
    double y[4] = {-1, -0.6, -0.2, 0.2}, a, b, c, lim;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_os_init(o);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_os_report(o, s, 1, PREC, err), FY_OK);
    assert_int_equal(o->verdict[0], 1);  /* bounded */
    assert_true(fabs(o->growth[0]) < 1e-9 && fabs(o->growth[1]) < 1e-9);
    assert_int_equal(o->verdict[1], 1);  /* Euclidean invariant */
    assert_int_equal(o->verdict[2], 0);  /* Gaussian spectrum: not reflection positive */
    assert_int_equal(o->verdict[3], 1);  /* permutation symmetric, exactly */
    assert_int_equal(o->verdict[4], 0);  /* does not cluster */
    /* the limit by hand: kappa_4 / N with mu4 -> (3/8)(e^(-A/2) + e^(-B/2)),
     * A = (y1 - y2 + y3 - y4)^2, B = (y1 - y2 - y3 + y4)^2, minus mu2(12) mu2(34) */
    a = pow(y[0] - y[1] + y[2] - y[3], 2);
    b = pow(y[0] - y[1] - y[2] + y[3], 2);
    c = pow(y[0] - y[1], 2) + pow(y[2] - y[3], 2);
    lim = (3.0 / 8 * (exp(-a / 2) + exp(-b / 2)) - exp(-c / 2) / 4) / 4;
    assert_true(fabs(o->cluster_limit - lim) < 1e-12 * fabs(lim));
    assert_true(fabs(lim) > 1e-3);
    fy_nnft_os_clear(o);
    fy_nnft_spec_clear(s);
}

static void test_os_gauss_relu(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_os_t o;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_os_init(o);
    /* Gauss-net: G4(x,x,x,x) = 3 e^(4 |x|^2) / N + .. grows faster than any power */
    parse_ok(s, "activation gauss\nwidth 4\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_os_report(o, s, 1, PREC, err), FY_OK);
    assert_int_equal(o->verdict[0], 0);
    assert_true(o->growth[1] > 100);
    assert_true(fabs(o->growth[0]) < 1e-9); /* G2(x, x) = sigma_b^2 + sigma_W^2 */
    assert_int_equal(o->verdict[1], 0);     /* G4 not translation invariant */
    assert_int_equal(o->verdict[3], 1);
    fy_nnft_os_clear(o);
    fy_nnft_spec_clear(s);
    /* ReLU without biases in d = 1 (rational moments): G2 ~ R^2, G4 ~ R^4 */
    fy_nnft_spec_init(s);
    fy_nnft_os_init(o);
    parse_ok(s, "activation relu\nsigma_b 0\nwidth 4\ninputs hms-d1-relu\n");
    assert_int_equal(fy_nnft_os_report(o, s, 1, PREC, err), FY_OK);
    assert_int_equal(o->verdict[0], 1);
    assert_true(fabs(o->growth[0] - 2) < 1e-9 && fabs(o->growth[1] - 4) < 1e-9);
    assert_int_equal(o->verdict[3], 1);
    fy_nnft_os_clear(o);
    fy_nnft_spec_clear(s);
}

/* --------------------------------------------------------------- independence breaking */
static void test_ib_eps0(void **state)
{
    static const char *specs[2] = {"activation cos\nsigma_b 0\nwidth 5\nsigma_W 3/2\n"
                                   "sigma_a 1/2\nkurtosis 4\ninputs unit-d1\n",
                                   "activation gauss\nwidth 5\nsigma_b 1/2\ninputs hms-d1\n"};
    static const slong tuples[3][4] = {{0, 1, 2, 3}, {0, 0, 4, 5}, {1, 1, 1, 1}};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b, b2;
    fy_error_t err;
    fmpq_t eps;
    arb_t G, t;
    int k, u;
    (void) state;
    fy_error_init(err);
    fy_nnft_ib_init(b);
    fy_nnft_ib_init(b2);
    fmpq_init(eps);
    arb_init(G);
    arb_init(t);
    for (k = 0; k < 2; k++)
    {
        fy_nnft_spec_init(s);
        parse_ok(s, specs[k]);
        for (u = 0; u < 3; u++)
        {
            fmpq_zero(eps);
            assert_int_equal(fy_nnft_ib(b, s, tuples[u], eps, PREC, err), FY_OK);
            /* eps = 0: nothing breaks independence, I_IB = 0 and I_N + I_IB = G4_c */
            assert_true(arb_contains_zero(b->I_IB));
            assert_true(mag_cmp_2exp_si(arb_radref(b->I_IB), -90) < 0);
            assert_int_equal(fy_nnft_connected(G, s, tuples[u], 4, PREC, err), FY_OK);
            assert_true(arb_overlaps(G, b->G4c));
            /* eps > 0: I_N * N and I_IB do not depend on N */
            fmpq_set_si(eps, 1, 3);
            assert_int_equal(fy_nnft_ib(b, s, tuples[u], eps, PREC, err), FY_OK);
            s->width = 50;
            assert_int_equal(fy_nnft_ib(b2, s, tuples[u], eps, PREC, err), FY_OK);
            s->width = 5;
            assert_true(arb_overlaps(b->I_IB, b2->I_IB));
            arb_mul_si(t, b2->I_N, 10, PREC);
            assert_true(arb_overlaps(t, b->I_N));
            arb_add(t, b->I_N, b->I_IB, PREC);
            assert_true(arb_overlaps(t, b->G4c));
        }
        fy_nnft_spec_clear(s);
    }
    /* other activations: not exact here */
    fy_nnft_spec_init(s);
    parse_ok(s, "activation erf\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_ib(b, s, tuples[0], eps, PREC, err), FY_EUNSUPPORTED);
    fmpq_set_si(eps, 3, 2);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_ib(b, s, tuples[0], eps, PREC, err), FY_EINPUT);
    fy_nnft_spec_clear(s);
    fmpq_clear(eps);
    arb_clear(G);
    arb_clear(t);
    fy_nnft_ib_clear(b);
    fy_nnft_ib_clear(b2);
}

/* Cos-net, d = 1, N = 2, eps = 4/5: the correlated ensemble sampled here; its G4 against
 * I_N + I_IB + the three G2 G2 (G2 = mu2 = (1/2) e^(-(x - y)^2 / 2)). */
static void test_ib_mc(void **state)
{
    static const slong tup[4] = {0, 1, 2, 3};
    const double x[4] = {0, 2, 1, 3};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fy_error_t err;
    fmpq_t eps;
    uint64_t M = 400000, m;
    fy_rng_t g;
    double sum = 0, sq = 0, mean, se, exact, g2[4][4];
    int i, j, k;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_ib_init(b);
    fmpq_init(eps);
    fmpq_set_si(eps, 4, 5);
    fy_rng_init(g, fy_test_seed("test_ib_mc"), FY_RNG_PURPOSE_TEST);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 2\npoint 0\npoint 2\npoint 1\npoint 3\n");
    assert_int_equal(fy_nnft_ib(b, s, tup, eps, PREC, err), FY_OK);
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++)
            g2[i][j] = 0.5 * exp(-(x[i] - x[j]) * (x[i] - x[j]) / 2);
    exact = arf_get_d(arb_midref(b->G4c), ARF_RND_NEAR) + g2[0][1] * g2[2][3] +
            g2[0][2] * g2[1][3] + g2[0][3] * g2[1][2];
    for (m = 0; m < M; m++)
    {
        /* network m, stream m: normal 0 shared, normals 1 + 2k and 2 + 2k and the uniform
         * 5 + k for neuron k (normal j is the quantile of uniform j, so the indices differ) */
        double u0 = fy_rng_normal(g, m, 0), f[4] = {0, 0, 0, 0}, p = 1;
        for (k = 0; k < 2; k++)
        {
            double w = sqrt(0.2) * fy_rng_normal(g, m, 1 + 2 * k) + sqrt(0.8) * u0;
            double a = fy_rng_normal(g, m, 2 + 2 * k) / sqrt(2.0);
            double c = M_PI * (2 * fy_rng_uniform(g, m, 5 + k) - 1);
            for (i = 0; i < 4; i++)
                f[i] += a * cos(w * x[i] + c);
        }
        for (i = 0; i < 4; i++)
            p *= f[i];
        sum += p;
        sq += p * p;
    }
    mean = sum / M;
    se = sqrt((sq / M - mean * mean) / M);
    printf("# ib mc: G4 %.6f +- %.6f, exact %.6f (I_IB %.6f)\n", mean, se, exact,
           arf_get_d(arb_midref(b->I_IB), ARF_RND_NEAR));
    assert_true(fabs(mean - exact) < 5 * se);
    /* and the effect is visible: I_IB is many standard errors from 0 */
    assert_true(fabs(arf_get_d(arb_midref(b->I_IB), ARF_RND_NEAR)) > 10 * se);
    fmpq_clear(eps);
    fy_nnft_ib_clear(b);
    fy_nnft_spec_clear(s);
}

/* The Monte Carlo split against the exact one (Cos-net, eps = 4/5) and, for erf where only
 * the Monte Carlo exists at eps > 0, against the exact connected function at eps = 0. */
static void test_ib_mc_split(void **state)
{
    static const slong tup[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fy_nnft_ib_mc_t r;
    fy_error_t err;
    fmpq_t eps;
    arb_t G;
    uint64_t seed = fy_test_seed("test_ib_mc_split");
    double IN, IB, g;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_ib_init(b);
    fy_nnft_ib_mc_init(r);
    fmpq_init(eps);
    arb_init(G);
    fmpq_set_si(eps, 4, 5);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 3\npoint 0\npoint 2\npoint 1\npoint 3\n");
    assert_int_equal(fy_nnft_ib(b, s, tup, eps, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_ib_mc(r, s, tup, eps, 40000, seed, err), FY_OK);
    IN = arf_get_d(arb_midref(b->I_N), ARF_RND_NEAR);
    IB = arf_get_d(arb_midref(b->I_IB), ARF_RND_NEAR);
    printf("# cos: I_N %.5f (mc %.5f +- %.5f), I_IB %.5f (mc %.5f +- %.5f)\n", IN, r->I_N,
           r->I_N_se, IB, r->I_IB, r->I_IB_se);
    assert_true(fabs(r->I_N - IN) < 5 * r->I_N_se && fabs(r->I_IB - IB) < 5 * r->I_IB_se);
    assert_true(fabs(IB) > 10 * r->I_IB_se);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    fmpq_zero(eps);
    parse_ok(s, "activation erf\nsigma_b 1/2\nwidth 3\npoint -1\npoint -1/2\npoint 1/2\n"
                "point 1\n");
    assert_int_equal(fy_nnft_connected(G, s, tup, 4, 64, err), FY_OK);
    assert_int_equal(fy_nnft_ib_mc(r, s, tup, eps, 40000, seed, err), FY_OK);
    g = arf_get_d(arb_midref(G), ARF_RND_NEAR);
    printf("# erf eps 0: G4c %.5f (mc %.5f +- %.5f), I_IB mc %.5f +- %.5f\n", g, r->G4c,
           r->G4c_se, r->I_IB, r->I_IB_se);
    assert_true(fabs(r->G4c - g) < 5 * r->G4c_se);
    assert_true(fabs(r->I_IB) < 5 * r->I_IB_se);
    /* width 1 has no pairs of neurons */
    s->width = 1;
    assert_int_equal(fy_nnft_ib_mc(r, s, tup, eps, 40000, seed, err), FY_EINPUT);
    fmpq_clear(eps);
    arb_clear(G);
    fy_nnft_ib_clear(b);
    fy_nnft_spec_clear(s);
}

/* The ensembles of the first half of issue 14 (src/nnft/euclid*.c) through the same entry
 * points: the Lorentzian input layer in d = 1 (G2 = (sigma_a^2 / 2) e^(-m |x - y|), a free
 * scalar: reflection matrix of rank 1, positive, proved by its spectral measure), the ball
 * with a sharp cut-off in d = 3 (not reflection positive, certified), the Z2 switch (odd
 * correlators and the phase window's broken translations measured). */
static void test_euclid_ensembles(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_rp_t r;
    fy_nnft_sym_res_t y;
    fy_error_t err;
    fmpq_t tmax;
    fmpq *x = _fmpq_vec_init(6 * 3);
    arb_t q, G;
    slong i, j;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_rp_init(r);
    fy_nnft_sym_init(y);
    fmpq_init(tmax);
    arb_init(q);
    arb_init(G);
    fmpq_set_si(tmax, 2, 1);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 10\nd 1\nb_dist lorentz\nmass 1\n"
                "point 0\npoint 1/2\npoint 1\npoint 2\n");
    fy_nnft_rp_points(x, 4, 1, tmax, 1);
    assert_int_equal(fy_nnft_rp_spec(r, s, x, 4, PREC, err), FY_OK);
    /* rank 1: the ball Cholesky cannot prove it, the spectral measure (one atom) does */
    assert_true(r->positive == 1 && r->certified == 1 && r->rank == 1);
    assert_true(r->spectral == 1 && r->definite == 0);
    for (i = 0; i < 4; i++) /* M_ij = (1/2) e^(-(t_i + t_j)), t = 1/2, 1, 3/2, 2 */
        for (j = 0; j < 4; j++)
            assert_true(fabs(r->M[i * 4 + j] - 0.5 * exp(-0.5 * (i + j + 2))) < 1e-15);
    assert_int_equal(fy_nnft_symmetry(y, s, FY_NNFT_SYM_TRANSLATION, 4, 1, 2, 3, PREC, err),
                     FY_OK);
    assert_int_equal(y->verdict, 1);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\nd 3\nb_dist ball\nLambda 4\nF prop\n"
                "mass 1\npoint 0 0 0\npoint 1/2 0 0\npoint 1 1/2 0\n");
    fy_nnft_rp_points(x, 6, 3, tmax, 1);
    assert_int_equal(fy_nnft_rp_spec(r, s, x, 6, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1);
    /* the direction again at 256 bits, entry by entry */
    arb_zero(q);
    for (i = 0; i < 6; i++)
        for (j = 0; j < 6; j++)
        {
            fmpq *th = _fmpq_vec_init(3);
            fmpq_neg(th, x + 3 * i);
            fmpq_set(th + 1, x + 3 * i + 1);
            fmpq_set(th + 2, x + 3 * i + 2);
            assert_int_equal(fy_nnft_g2_spec(G, th, x + 3 * j, 3, s, 256, err), FY_OK);
            {
                arb_t a;
                arb_init(a);
                arb_set_d(a, r->direction[i]);
                arb_mul(G, G, a, 256);
                arb_set_d(a, r->direction[j]);
                arb_addmul(q, G, a, 256);
                arb_clear(a);
            }
            _fmpq_vec_clear(th, 3);
        }
    assert_true(arb_is_negative(q));
    assert_int_equal(fy_nnft_symmetry(y, s, FY_NNFT_SYM_ROTATION, 2, 0, 2, 3, PREC, err), FY_OK);
    assert_int_equal(y->verdict, 1);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nwidth 4\na_mean 1\nphase 1/2\ninputs unit-d1\n");
    assert_int_equal(fy_nnft_symmetry(y, s, FY_NNFT_SYM_Z2, 1, 0, 1, 3, PREC, err), FY_OK);
    assert_int_equal(y->verdict, 0);
    assert_non_null(strstr(y->duality, "odd correlators appear"));
    assert_int_equal(fy_nnft_symmetry(y, s, FY_NNFT_SYM_TRANSLATION, 2, 0, 2, 3, PREC, err),
                     FY_OK);
    assert_int_equal(y->verdict, 0);
    fmpq_set_si(s->phase, 1, 1); /* a whole period again: c -> c + pi restores Z2 */
    assert_int_equal(fy_nnft_symmetry(y, s, FY_NNFT_SYM_Z2, 3, 0, 1, 3, PREC, err), FY_OK);
    assert_int_equal(y->verdict, 1);
    _fmpq_vec_clear(x, 6 * 3);
    fmpq_clear(tmax);
    arb_clear(q);
    arb_clear(G);
    fy_nnft_sym_clear(y);
    fy_nnft_rp_clear(r);
    fy_nnft_spec_clear(s);
}

/* --------------------------------------------------------------- the spectral measure
 * Gaussian NN-QFT 2 (d = 1, Lorentzian b, F one), sigma_a = 3/2, m = 2: the measure's G(p)
 * against the power spectrum computed from P(b) F(b)^2 (fy_nnft_power_spectrum) and against
 * sigma_a^2 m / (p^2 + m^2) typed here; its G2(t) against the residue route
 * (fy_nnft_euclid_g2) and (sigma_a^2 / 2) e^(-m t); the rank-1 reflection matrix certified.
 * F prop: the signed measure (a dipole), G(p) = sigma_a^2 m / (p^2 + m^2)^2 by hand, and the
 * ball check's certified negative direction.  A measure of the wrong mass is refused. */
static void test_rp_spectral(void **state)
{
    static const slong pn[4] = {0, 1, 1, 5}, pd[4] = {1, 3, 1, 1};
    fy_nnft_spec_t s;
    fy_nnft_kl_t kl;
    fy_nnft_rp_t r;
    fy_nnft_g2_model_t g, g2;
    fy_error_t err;
    fmpq *x = _fmpq_vec_init(5);
    fmpq_t tmax, r2;
    arb_t p, A, B, t;
    slong k;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_kl_init(kl);
    fy_nnft_rp_init(r);
    fy_nnft_g2_model_init(g);
    fy_nnft_g2_model_init(g2);
    fmpq_init(tmax);
    fmpq_init(r2);
    arb_init(p);
    arb_init(A);
    arb_init(B);
    arb_init(t);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 3/2\nwidth 10\nd 1\nb_dist lorentz\n"
                "mass 2\n");
    assert_int_equal(fy_nnft_kl_spec(kl, s, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_kl_positive(kl), 1);
    for (k = 0; k < 4; k++)
    {
        double pp = (double) pn[k] / pd[k];
        arb_set_si(p, pn[k]);
        arb_div_si(p, p, pd[k], PREC);
        fy_nnft_kl_spectrum(A, kl, p, PREC);
        assert_int_equal(fy_nnft_power_spectrum(B, s, p, PREC, err), FY_OK);
        assert_true(arb_overlaps(A, B));
        assert_true(fabs(arf_get_d(arb_midref(A), ARF_RND_NEAR) - 2.25 * 2 / (pp * pp + 4))
                    < 1e-14);
        /* G2 at t = p */
        fy_nnft_kl_g2(A, kl, p, PREC);
        fmpq_set_si(r2, pn[k] * pn[k], (ulong) (pd[k] * pd[k]));
        assert_int_equal(fy_nnft_euclid_g2(B, s, r2, PREC, err), FY_OK);
        assert_true(arb_overlaps(A, B));
        assert_true(fabs(arf_get_d(arb_midref(A), ARF_RND_NEAR) - 1.125 * exp(-2 * pp))
                    < 1e-14);
    }
    fmpq_set_si(tmax, 3, 1);
    fy_nnft_rp_points(x, 5, 1, tmax, 3);
    assert_int_equal(fy_nnft_rp_spec(r, s, x, 5, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->spectral == 1);
    assert_true(r->definite == 0 && r->rank == 1 && r->direction == NULL);
    assert_non_null(strstr(fy_nnft_rp_verdict(r), "spectral measure"));
    /* F prop: a dipole; G(p) = sigma_a^2 m / (p^2 + m^2)^2 */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nsigma_a 3/2\nwidth 10\nd 1\nb_dist lorentz\n"
                "F prop\nmass 2\n");
    assert_int_equal(fy_nnft_kl_spec(kl, s, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_kl_positive(kl), 0);
    for (k = 0; k < 4; k++)
    {
        double pp = (double) pn[k] / pd[k];
        arb_set_si(p, pn[k]);
        arb_div_si(p, p, pd[k], PREC);
        fy_nnft_kl_spectrum(A, kl, p, PREC);
        assert_int_equal(fy_nnft_power_spectrum(B, s, p, PREC, err), FY_OK);
        assert_true(arb_overlaps(A, B));
        assert_true(fabs(arf_get_d(arb_midref(A), ARF_RND_NEAR) -
                         2.25 * 2 / ((pp * pp + 4) * (pp * pp + 4))) < 1e-14);
        fy_nnft_kl_g2(A, kl, p, PREC); /* sigma_a^2 (1 + m t) e^(-m t) / (4 m^2) */
        assert_true(fabs(arf_get_d(arb_midref(A), ARF_RND_NEAR) -
                         2.25 * (1 + 2 * pp) * exp(-2 * pp) / 16) < 1e-14);
        fmpq_set_si(r2, pn[k] * pn[k], (ulong) (pd[k] * pd[k]));
        assert_int_equal(fy_nnft_euclid_g2(B, s, r2, PREC, err), FY_OK);
        assert_true(arb_overlaps(A, B));
    }
    assert_int_equal(fy_nnft_rp_spec(r, s, x, 5, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1 && r->spectral == -1);
    /* the built-in free propagator in d = 1: rank 1, certified through its atom */
    assert_int_equal(fy_nnft_rp_model(r, g, 1, x, 5, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->spectral == 1 && r->rank == 1);
    /* the Gaussian kernel has no measure: the ball verdict (not positive) stays */
    g2->kind = FY_NNFT_G2_GAUSS;
    assert_int_equal(fy_nnft_rp_model(r, g2, 1, x, 5, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1 && r->spectral == 0);
    /* a measure of mass 2 for the propagator of mass 1 is refused */
    fmpq_set_si(g2->m, 2, 1);
    g2->kind = FY_NNFT_G2_FREE;
    assert_int_equal(fy_nnft_kl_model(kl, g2, 1, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_rp_check(r, fy_nnft_g2_model, g, 1, x, 5, PREC, err), FY_OK);
    assert_int_equal(fy_nnft_rp_spectral(r, kl, fy_nnft_g2_model, g, PREC, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "not that of this 2-point function"));
    assert_int_equal(fy_nnft_kl_model(kl, g2, 3, PREC, err), FY_EUNSUPPORTED);
    _fmpq_vec_clear(x, 5);
    fmpq_clear(tmax);
    fmpq_clear(r2);
    arb_clear(p);
    arb_clear(A);
    arb_clear(B);
    arb_clear(t);
    fy_nnft_g2_model_clear(g);
    fy_nnft_g2_model_clear(g2);
    fy_nnft_rp_clear(r);
    fy_nnft_kl_clear(kl);
    fy_nnft_spec_clear(s);
}

/* rho(p, tau) against independent routes: d = 1 (p = 0) it is G2(tau): Lorentz against
 * (sigma_a^2 / 2) e^(-m tau), Gauss against (sigma_a^2 / 2) e^(-sigma_W^2 tau^2 / 2) and the
 * radial route, the ball (F one) against (sigma_a^2 / 2) sin(Lambda tau) / (Lambda tau), the
 * ball with F prop (quadrature in p_0) against the radial quadrature of fy_nnft_euclid_g2;
 * d = 3, ball, F prop at tau = 0: (C / pi) arctan(a / omega) / omega with
 * C = sigma_a^2 (2 pi)^3 / (2 vol(ball)) by hand (a = sqrt(Lambda^2 - p^2), omega =
 * sqrt(p^2 + m^2));
 * p >= Lambda gives 0. */
static void check_rho(const char *text, slong pn, slong pd, slong tn, slong td, double want)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    fmpq_t p, tau, r2;
    arb_t R, G;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fmpq_init(p);
    fmpq_init(tau);
    fmpq_init(r2);
    arb_init(R);
    arb_init(G);
    parse_ok(s, text);
    fmpq_set_si(p, pn, (ulong) pd);
    fmpq_set_si(tau, tn, (ulong) td);
    if (fy_nnft_rho(R, s, p, tau, PREC, err) != FY_OK)
        fail_msg("rho: %s", err->msg);
    if (!isnan(want) &&
        fabs(arf_get_d(arb_midref(R), ARF_RND_NEAR) - want) > 1e-13 * (1 + fabs(want)))
        fail_msg("rho(%s) = %.17g, want %.17g", text, arf_get_d(arb_midref(R), ARF_RND_NEAR),
                 want);
    assert_true(mag_cmp_2exp_si(arb_radref(R), -60) < 0);
    if (s->d == 1) /* the position-space route */
    {
        fmpq_mul(r2, tau, tau);
        assert_int_equal(fy_nnft_euclid_g2(G, s, r2, PREC, err), FY_OK);
        assert_true(arb_overlaps(R, G));
    }
    arb_clear(R);
    arb_clear(G);
    fmpq_clear(p);
    fmpq_clear(tau);
    fmpq_clear(r2);
    fy_nnft_spec_clear(s);
}

static void test_rho(void **state)
{
    const double pi = 3.14159265358979323846;
    double C, w, a;
    fy_nnft_spec_t s;
    fy_nnft_rp_t r;
    fy_error_t err;
    fmpq_t p, tau, tmax;
    fmpq *t = _fmpq_vec_init(4);
    arb_t R;
    slong i;
    (void) state;
    check_rho("activation cos\nsigma_b 0\nsigma_a 3/2\nd 1\nb_dist lorentz\nmass 2\n", 0, 1, 3,
              4, 1.125 * exp(-1.5));
    check_rho("activation cos\nsigma_b 0\nsigma_a 3/2\nd 1\nsigma_W 2\n", 0, 1, 3, 4,
              1.125 * exp(-4 * 0.5625 / 2));
    check_rho("activation cos\nsigma_b 0\nsigma_a 3/2\nd 1\nb_dist ball\nLambda 3\n", 0, 1, 3,
              4, 1.125 * sin(2.25) / 2.25);
    check_rho("activation cos\nsigma_b 0\nsigma_a 3/2\nd 1\nb_dist ball\nLambda 3\nF prop\n"
              "mass 1\n", 0, 1, 5, 4, /* the radial route is the check */ NAN);
    /* d = 3: G(p) = C / (p^2 + m^2), C = sigma_a^2 (2 pi)^3 / (2 (4/3) pi Lambda^3) */
    C = 1.0 * 8 * pi * pi * pi / (2 * 4.0 / 3 * pi * 64);
    w = sqrt(1.0 + 1);
    a = sqrt(16.0 - 1);
    check_rho("activation cos\nsigma_b 0\nsigma_a 1\nd 3\nb_dist ball\nLambda 4\nF prop\n"
              "mass 1\n", 1, 1, 0, 1, C / pi * atan(a / w) / w);
    check_rho("activation cos\nsigma_b 0\nsigma_a 1\nd 3\nb_dist ball\nLambda 4\nF prop\n"
              "mass 1\n", 5, 1, 1, 2, 0);
    /* d = 2 Gauss: G(p) = (sigma_a^2/2) (2 pi)^2 (2 pi s2)^-1 e^(-p^2/(2 s2)), s2 = 1/2 */
    check_rho("activation cos\nsigma_b 0\nsigma_a 1\nd 2\n", 1, 1, 1, 1,
              0.5 * 4 * pi * pi / pi * exp(-1.0) * sqrt(0.5 / (2 * pi)) * exp(-0.25));
    /* refusals: p != 0 in d = 1, gauss with F prop */
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_rp_init(r);
    fmpq_init(p);
    fmpq_init(tau);
    fmpq_init(tmax);
    arb_init(R);
    parse_ok(s, "activation cos\nsigma_b 0\nd 1\nb_dist lorentz\nmass 1\n");
    fmpq_one(p);
    assert_int_equal(fy_nnft_rho(R, s, p, tau, PREC, err), FY_EINPUT);
    /* the momentum-space check: d = 1 Lorentz certified through its measure, like rp_spec */
    fmpq_set_si(tmax, 2, 1);
    fy_nnft_rp_points(t, 4, 1, tmax, 1);
    fmpq_zero(p);
    assert_int_equal(fy_nnft_rp_rho(r, s, p, t, 4, PREC, err), FY_OK);
    assert_true(r->positive == 1 && r->certified == 1 && r->spectral == 1);
    for (i = 0; i < 16; i++) /* M_ij = (1/2) e^(-(t_i + t_j)), t = 1/2, 1, 3/2, 2 */
        assert_true(fabs(r->M[i] - 0.5 * exp(-0.5 * (i / 4 + i % 4 + 2))) < 1e-15);
    /* d = 2 Gauss: rho(1, tau) is a Gaussian in tau, not completely monotone, certified */
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nd 2\n");
    fmpq_one(p);
    assert_int_equal(fy_nnft_rp_rho(r, s, p, t, 4, PREC, err), FY_OK);
    assert_true(r->positive == 0 && r->certified == 1 && r->spectral == 0);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    parse_ok(s, "activation cos\nsigma_b 0\nd 2\nF prop\nmass 1\n");
    assert_int_equal(fy_nnft_rho(R, s, p, tau, PREC, err), FY_EUNSUPPORTED);
    fy_nnft_rp_clear(r);
    fmpq_clear(tmax);
    _fmpq_vec_clear(t, 4);
    arb_clear(R);
    fmpq_clear(p);
    fmpq_clear(tau);
    fy_nnft_spec_clear(s);
}

/* The other grouping of G4_c (doc/math.md 4.6): I_N_alt = kappa_4 / N is the connected
 * 4-point function of the i.i.d. ensemble at every eps (fy_nnft_connected, an independent
 * route: the set-partition formula of 4.2), I_IB_alt = (1 - 1/N) I_IB, and both pairs sum to
 * the same G4_c; Cos-net and Gauss-net at eps = 1/2, N = 7. */
static void test_ib_grouping(void **state)
{
    static const char *specs[2] = {"activation cos\nsigma_b 0\nwidth 7\ninputs unit-d1\n",
                                   "activation gauss\nsigma_b 0\nwidth 7\npoint 0\n"
                                   "point 1/5\npoint -1/5\npoint 1/2\n"};
    static const slong idx[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fy_error_t err;
    fmpq_t eps;
    arb_t G, t;
    int k;
    (void) state;
    fy_error_init(err);
    fy_nnft_ib_init(b);
    fmpq_init(eps);
    arb_init(G);
    arb_init(t);
    for (k = 0; k < 2; k++)
    {
        fy_nnft_spec_init(s);
        parse_ok(s, specs[k]);
        assert_int_equal(fy_nnft_connected(G, s, idx, 4, PREC, err), FY_OK);
        fmpq_set_si(eps, 1, 2);
        assert_int_equal(fy_nnft_ib(b, s, idx, eps, PREC, err), FY_OK);
        assert_true(arb_overlaps(b->I_N_alt, G));
        assert_true(arb_rel_accuracy_bits(b->I_N_alt) > 60);
        arb_mul_si(t, b->I_IB_alt, 7, PREC); /* 7 I_IB_alt = 6 I_IB */
        arb_submul_si(t, b->I_IB, 6, PREC);
        assert_true(arb_contains_zero(t));
        arb_add(t, b->I_N_alt, b->I_IB_alt, PREC);
        assert_true(arb_overlaps(t, b->G4c));
        /* at eps = 1/2 the shared weights matter: I_IB_alt is not 0, I_N_alt is not I_N */
        assert_false(arb_contains_zero(b->I_IB_alt));
        assert_false(arb_overlaps(b->I_N_alt, b->I_N));
        fy_nnft_spec_clear(s);
    }
    arb_clear(G);
    arb_clear(t);
    fmpq_clear(eps);
    fy_nnft_ib_clear(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_propagator),  cmocka_unit_test(test_rp_exponential),
        cmocka_unit_test(test_rp_gaussian_fails), cmocka_unit_test(test_symmetry_exact),
        cmocka_unit_test(test_symmetry_mc),      cmocka_unit_test(test_os_cos),
        cmocka_unit_test(test_os_gauss_relu),    cmocka_unit_test(test_ib_eps0),
        cmocka_unit_test(test_ib_mc),            cmocka_unit_test(test_ib_mc_split),
        cmocka_unit_test(test_euclid_ensembles), cmocka_unit_test(test_rp_spectral),
        cmocka_unit_test(test_rho),              cmocka_unit_test(test_ib_grouping),
    };
    return cmocka_run_group_tests_name("nnft_checks", tests, NULL, NULL) ? 1 : 0;
}
