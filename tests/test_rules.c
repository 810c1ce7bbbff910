/* Tests of the rules module: the installed rule files, vertex polynomials of activations against
 * independent routes (FLINT power series of the closed forms, Arb series, Hermite polynomials),
 * a new activation from a temporary rules file, and malformed files refused with
 * FILE:LINE:COLUMN. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flint/fmpq_poly.h>
#include <flint/fmpz_poly.h>

#include "feynn/enumerate.h"
#include "feynn/feynman.h"
#include "feynn/rules.h"
#include "num/arb_all.h" /* arb_hypgeom.h from FLINT 3 or 2.9 + Arb (feynn/num.h decides) */
#include "testutil.h"

#define KMAX 20
#define PREC 256

/* ------------------------------------------------------------------------ helpers */

static void load_installed(fy_rules_t r)
{
    char dir[4096];
    fy_error_t e;
    fy_error_init(e);
    fy_test_srcpath(dir, sizeof dir, "rules");
    fy_rules_init(r);
    if (fy_rules_load_dir(r, dir, e) != FY_OK)
        fail_msg("loading %s: %s", dir, e->msg);
}

static const fy_activation_struct *act(const fy_rules_t r, const char *name)
{
    const fy_activation_struct *a = fy_rules_activation(r, name);
    if (a == NULL)
        fail_msg("activation %s not found", name);
    return a;
}

/* k! [t^k] of an exact series, for k = 0..n-1 */
static void series_derivs(fmpq *d, const fmpq_poly_t s, slong n)
{
    fmpz_t f;
    slong k;
    fmpz_init(f);
    fmpz_one(f);
    for (k = 0; k < n; k++)
    {
        if (k > 0)
            fmpz_mul_ui(f, f, (ulong) k);
        fmpq_poly_get_coeff_fmpq(d + k, s, k);
        fmpq_mul_fmpz(d + k, d + k, f);
    }
    fmpz_clear(f);
}

/* k! c_k of an arb series, in place */
static void arb_series_derivs(arb_poly_t s, slong n)
{
    arb_t f;
    slong k;
    arb_init(f);
    arb_one(f);
    for (k = 1; k < n; k++)
    {
        arb_mul_ui(f, f, (ulong) k, PREC);
        arb_mul(s->coeffs + k, s->coeffs + k, f, PREC);
    }
    arb_clear(f);
}

/* Checks sigma^(k)(z0) by fy_activation_eval_arb against the balls want[k], k = kmin..n-1,
 * requiring overlap and a tight result. */
static void check_ball(const fy_activation_struct *a, const arb_t z0, const arb_poly_t want,
                       slong kmin, slong n)
{
    arb_t got;
    fy_error_t e;
    slong k;
    arb_init(got);
    fy_error_init(e);
    for (k = kmin; k < n; k++)
    {
        assert_int_equal(fy_activation_eval_arb(got, a, (ulong) k, z0, PREC, e), FY_OK);
        if (!arb_overlaps(got, want->coeffs + k) || arb_rel_accuracy_bits(got) < 100)
        {
            char *s1 = arb_get_str(got, 30, 0), *s2 = arb_get_str(want->coeffs + k, 30, 0);
            fail_msg("%s^(%ld): got %s, want %s", a->name, (long) k, s1, s2);
        }
    }
    arb_clear(got);
}

/* ------------------------------------------------------------------------- loading */

static void test_installed_files_load(void **state)
{
    static const char *const files[] = {"mlp.rules", "inn.rules", "born.rules", "nnft.rules",
                                        "activations.rules"};
    char path[4096];
    fy_error_t e;
    size_t i;
    fy_rules_t r;
    (void) state;

    fy_error_init(e);
    for (i = 0; i < sizeof files / sizeof files[0]; i++)
    {
        char rel[64];
        fy_rules_t one;
        snprintf(rel, sizeof rel, "rules/%s", files[i]);
        fy_rules_init(one);
        if (fy_rules_load_file(one, fy_test_srcpath(path, sizeof path, rel), e) != FY_OK)
            fail_msg("%s", e->msg);
        assert_true(one->ntheories + one->nacts > 0);
        fy_rules_clear(one);
    }
    load_installed(r);
    assert_int_equal(r->ntheories, 4);
    /* the names the generators use (their family tables) are declared */
    assert_int_equal(fy_rules_check_family(r, &fy_family_mlp, e), FY_OK);
    assert_int_equal(fy_rules_check_family(r, &fy_family_inn, e), FY_OK);
    assert_int_equal(fy_rules_check_family(r, &fy_family_born, e), FY_OK);
    if (fy_rules_check_family(r, &fy_feynman_family, e) != FY_OK)
        fail_msg("%s", e->msg);
    {
        const fy_theory_struct *mlp = fy_rules_theory(r, "mlp");
        const fy_kind_struct *v, *prop;
        const char *names[] = {"H", "L"};
        long vals[] = {3, 4};
        assert_non_null(mlp);
        assert_string_equal(mlp->generator, "layered-trees");
        assert_int_equal(mlp->rooted, 1);
        assert_int_equal(mlp->factorial, 0);
        v = fy_theory_kind(mlp, FY_KIND_VERTEX, "vertex");
        assert_non_null(v);
        assert_int_equal(fy_kind_level_ok(v, 0, names, vals, 2), 0);
        assert_int_equal(fy_kind_level_ok(v, 1, names, vals, 2), 1);
        assert_int_equal(fy_kind_level_ok(v, 3, names, vals, 2), 1);
        assert_int_equal(fy_kind_level_ok(v, 4, names, vals, 2), 0);
        assert_int_equal(fy_kind_level_ok(v, 1, names + 1, vals + 1, 1), -1); /* L given, not H */
        assert_true(fy_kind_children_ok(v, 2));
        assert_false(fy_kind_children_ok(v, 1));
        assert_true(fy_kind_valence_ok(v, 7));
        assert_int_equal(fy_kind_level_ok(fy_theory_kind(mlp, FY_KIND_VERTEX, "output"), 4,
                                          names, vals, 2), 1);
        prop = fy_rules_kind(r, "mlp", FY_KIND_LINE, "propagator");
        assert_non_null(prop);
        assert_int_equal(prop->arrows, FY_ARROWS_PER_DERIVATIVE);
        assert_null(fy_rules_kind(r, "mlp", FY_KIND_LINE, "vertex"));
        assert_ptr_equal(fy_rules_family_kind(r, &fy_family_mlp, FY_KIND_VERTEX, FY_MLP_VERTEX),
                         v);
        assert_int_equal(fy_rules_theory(r, "nnft")->sign, -1);
    }
    fy_rules_clear(r);
}

static void test_draw_style_and_labels(void **state)
{
    fy_rules_t r;
    fy_draw_style_struct st = {NULL, NULL, NULL, FY_DRAW_ARROWS_DEFAULT};
    fy_label_vars_struct v = {3, 2, -1, -1};
    char buf[64];
    fy_error_t e;
    (void) state;

    fy_error_init(e);
    load_installed(r);
    assert_int_equal(fy_rules_draw_style(&st, r, &fy_family_mlp, FY_DRAW_VERTEX, FY_MLP_VERTEX,
                                         e), FY_OK);
    assert_non_null(st.latex);
    assert_int_equal(fy_rules_format_label(buf, sizeof buf, st.latex, &v), 16);
    assert_string_equal(buf, "\\sigma^{(3)}_{2}");
    assert_int_equal(fy_rules_draw_style(&st, r, &fy_family_mlp, FY_DRAW_LINE,
                                         FY_MLP_PROPAGATOR, e), FY_OK);
    assert_int_equal(st.arrows, FY_DRAW_ARROWS_PER_DERIVATIVE);
    /* unset placeholders print their letter; truncation keeps the needed length */
    assert_int_equal(fy_rules_format_label(buf, sizeof buf, "D^{(%l,%m)} 50%%", NULL), 13);
    assert_string_equal(buf, "D^{(l,m)} 50%");
    assert_int_equal(fy_rules_format_label(buf, 5, "abcdefgh", NULL), 8);
    assert_string_equal(buf, "abcd");
    fy_rules_clear(r);
}

/* -------------------------------------------------------------------------- tanh */

static void test_tanh_exact(void **state)
{
    fy_rules_t r;
    const fy_activation_struct *a;
    fmpq_poly_t x, e2, num, den, t, P;
    fmpq d[KMAX + 1];
    fmpq_t v, zero, pv;
    fy_error_t e;
    slong k;
    (void) state;

    load_installed(r);
    a = act(r, "tanh");
    fy_error_init(e);
    /* tanh = (e^{2z} - 1)/(e^{2z} + 1) as an exact power series */
    fmpq_poly_init(x);
    fmpq_poly_init(e2);
    fmpq_poly_init(num);
    fmpq_poly_init(den);
    fmpq_poly_init(t);
    fmpq_poly_init(P);
    fmpq_poly_set_coeff_si(x, 1, 2);
    fmpq_poly_exp_series(e2, x, KMAX + 1);
    fmpq_poly_sub_si(num, e2, 1);
    fmpq_poly_add_si(den, e2, 1);
    fmpq_poly_div_series(t, num, den, KMAX + 1);
    for (k = 0; k <= KMAX; k++)
        fmpq_init(d + k);
    series_derivs(d, t, KMAX + 1);
    fmpq_init(v);
    fmpq_init(zero);
    fmpq_init(pv);
    for (k = 1; k <= KMAX; k++)
    {
        assert_int_equal(fy_activation_poly(P, a, (ulong) k, e), FY_OK);
        fmpq_poly_evaluate_fmpq(pv, P, zero); /* s = tanh(0) = 0 */
        assert_true(fmpq_equal(pv, d + k));
        assert_int_equal(fy_activation_eval_fmpq(v, a, (ulong) k, zero, e), FY_OK);
        assert_true(fmpq_equal(v, d + k));
        /* degree k + 1 with integer coefficients */
        assert_int_equal(fmpq_poly_degree(P), k + 1);
        assert_true(fmpz_is_one(fmpq_poly_denref(P)));
    }
    /* tanh'''(0) = -2 by hand */
    fmpq_set_si(pv, -2, 1);
    assert_true(fmpq_equal(d + 3, pv));
    {
        fmpq_t z;
        fmpq_init(z);
        fmpq_set_si(z, 1, 3);
        assert_int_equal(fy_activation_eval_fmpq(v, a, 1, z, e), FY_EUNSUPPORTED);
        fmpq_clear(z);
    }
    for (k = 0; k <= KMAX; k++)
        fmpq_clear(d + k);
    fmpq_clear(v);
    fmpq_clear(zero);
    fmpq_clear(pv);
    fmpq_poly_clear(x);
    fmpq_poly_clear(e2);
    fmpq_poly_clear(num);
    fmpq_poly_clear(den);
    fmpq_poly_clear(t);
    fmpq_poly_clear(P);
    fy_rules_clear(r);
}

/* tanh(z0 + t) by Arb series of exp: (e^{2(z0+t)} - 1) / (e^{2(z0+t)} + 1). */
static void tanh_series_arb(arb_poly_t res, const arb_t z0, slong n)
{
    arb_poly_t x, ex, num, den;
    arb_poly_init(x);
    arb_poly_init(ex);
    arb_poly_init(num);
    arb_poly_init(den);
    arb_poly_set_coeff_arb(x, 0, z0);
    arb_poly_set_coeff_si(x, 1, 1);
    arb_poly_scalar_mul_2exp_si(x, x, 1);
    arb_poly_exp_series(ex, x, n, PREC);
    arb_poly_add_si(den, ex, 1, PREC);
    arb_poly_add_si(num, ex, -1, PREC);
    arb_poly_div_series(res, num, den, n, PREC);
    arb_series_derivs(res, n);
    arb_poly_clear(x);
    arb_poly_clear(ex);
    arb_poly_clear(num);
    arb_poly_clear(den);
}

static void test_tanh_ball(void **state)
{
    static const char *const zs[] = {"0.7", "-1.3", "3.25"};
    fy_rules_t r;
    const fy_activation_struct *a;
    arb_poly_t want;
    arb_t z0;
    size_t i;
    (void) state;

    load_installed(r);
    a = act(r, "tanh");
    arb_poly_init(want);
    arb_init(z0);
    for (i = 0; i < sizeof zs / sizeof zs[0]; i++)
    {
        arb_set_str(z0, zs[i], PREC);
        tanh_series_arb(want, z0, KMAX + 1);
        check_ball(a, z0, want, 0, KMAX + 1);
    }
    /* double agrees with the ball to a relative 1e-12 at low order */
    {
        double dv;
        fy_error_t e;
        slong k;
        fy_error_init(e);
        arb_set_str(z0, "0.7", PREC);
        tanh_series_arb(want, z0, 6);
        for (k = 0; k < 6; k++)
        {
            double w = arf_get_d(arb_midref(want->coeffs + k), ARF_RND_NEAR);
            assert_int_equal(fy_activation_eval_d(&dv, a, (ulong) k, 0.7, e), FY_OK);
            assert_true(fabs(dv - w) <= 1e-12 * (fabs(w) + 1));
        }
    }
    arb_poly_clear(want);
    arb_clear(z0);
    fy_rules_clear(r);
}

/* Wide balls (Arb's arb_tanh of [3 +/- 50] is [nan +/- inf]): sigma^(k) of a finite wide
 * ball is finite and contains sigma^(k) at 41 exact points of the ball (ends included), for
 * tanh (reference: tanh_series_arb at the point) and sin (sin(x + k pi / 2)).  The
 * enclosures are valid, not tight: tanh on [3 +/- 50] is [+/- 806]. */
static void test_wide_balls(void **state)
{
    static const char *const zs[] = {"[3 +/- 50]", "[0 +/- 100]", "[-2 +/- 7.5]", "[1e3 +/- 2e3]"};
    fy_rules_t r;
    const fy_activation_struct *th, *sn;
    arb_poly_t want;
    arb_t z, got, gs, x, ref;
    fy_error_t e;
    size_t i;
    int j;
    slong k;
    (void) state;

    fy_error_init(e);
    load_installed(r);
    th = act(r, "tanh");
    sn = act(r, "sin");
    arb_poly_init(want);
    arb_init(z);
    arb_init(got);
    arb_init(gs);
    arb_init(x);
    arb_init(ref);
    for (i = 0; i < sizeof zs / sizeof zs[0]; i++)
    {
        arb_set_str(z, zs[i], PREC);
        for (k = 0; k < 4; k++)
        {
            assert_int_equal(fy_activation_eval_arb(got, th, (ulong) k, z, PREC, e), FY_OK);
            assert_true(arb_is_finite(got));
            for (j = 0; j <= 40; j++)
            {
                /* x = lower end + (j / 40) (upper - lower), exact */
                arf_t lo, hi, t;
                arf_init(lo);
                arf_init(hi);
                arf_init(t);
                arb_get_lbound_arf(lo, z, 2 * PREC);
                arb_get_ubound_arf(hi, z, 2 * PREC);
                arf_sub(t, hi, lo, 4 * PREC, ARF_RND_DOWN);
                arf_mul_si(t, t, j, 4 * PREC, ARF_RND_DOWN);
                arf_div_ui(t, t, 40, 4 * PREC, ARF_RND_DOWN);
                arf_add(t, t, lo, 4 * PREC, ARF_RND_DOWN);
                if (arf_cmp(t, hi) > 0)
                    arf_set(t, hi);
                arb_set_arf(x, t);
                tanh_series_arb(want, x, k + 1);
                arb_poly_get_coeff_arb(ref, want, k); /* derivatives (arb_series_derivs) */
                if (!arb_overlaps(got, ref))
                    fail_msg("tanh^(%ld) on %s misses the point %d", (long) k, zs[i], j);
                arb_set_arf(x, t);
                arb_const_pi(ref, PREC);
                arb_mul_si(ref, ref, k, PREC);
                arb_mul_2exp_si(ref, ref, -1);
                arb_add(ref, ref, x, PREC);
                arb_sin(ref, ref, PREC);
                assert_int_equal(fy_activation_eval_arb(gs, sn, (ulong) k, z, PREC, e), FY_OK);
                assert_true(arb_is_finite(gs));
                if (!arb_overlaps(gs, ref))
                    fail_msg("sin^(%ld) on %s misses the point %d", (long) k, zs[i], j);
                arf_clear(lo);
                arf_clear(hi);
                arf_clear(t);
            }
        }
    }
    arb_poly_clear(want);
    arb_clear(z);
    arb_clear(got);
    arb_clear(gs);
    arb_clear(x);
    arb_clear(ref);
    fy_rules_clear(r);
}

/* ---------------------------------------------------------------- sigmoid, softplus */

static void test_sigmoid_softplus(void **state)
{
    fy_rules_t r;
    const fy_activation_struct *sg, *sp;
    fmpq_poly_t x, ex, den, s, l, P;
    fmpq d[KMAX + 1], ds[KMAX + 1];
    fmpq_t v, zero;
    fy_error_t e;
    slong k;
    (void) state;

    load_installed(r);
    sg = act(r, "sigmoid");
    sp = act(r, "softplus");
    fy_error_init(e);
    fmpq_poly_init(x);
    fmpq_poly_init(ex);
    fmpq_poly_init(den);
    fmpq_poly_init(s);
    fmpq_poly_init(l);
    fmpq_poly_init(P);
    fmpq_init(v);
    fmpq_init(zero);
    for (k = 0; k <= KMAX; k++)
    {
        fmpq_init(d + k);
        fmpq_init(ds + k);
    }
    /* sigmoid = 1/(1 + e^{-z}) */
    fmpq_poly_set_coeff_si(x, 1, -1);
    fmpq_poly_exp_series(ex, x, KMAX + 1);
    fmpq_poly_add_si(den, ex, 1);
    fmpq_poly_inv_series(s, den, KMAX + 1);
    series_derivs(d, s, KMAX + 1);
    /* softplus - log 2 = log((1 + e^z)/2) */
    fmpq_poly_neg(x, x);
    fmpq_poly_exp_series(ex, x, KMAX + 1);
    fmpq_poly_add_si(den, ex, 1);
    fmpq_poly_scalar_div_si(den, den, 2);
    fmpq_poly_log_series(l, den, KMAX + 1);
    series_derivs(ds, l, KMAX + 1);
    for (k = 1; k <= KMAX; k++)
    {
        assert_int_equal(fy_activation_eval_fmpq(v, sg, (ulong) k, zero, e), FY_OK);
        assert_true(fmpq_equal(v, d + k));
        assert_int_equal(fy_activation_eval_fmpq(v, sp, (ulong) k, zero, e), FY_OK);
        assert_true(fmpq_equal(v, ds + k));
        /* softplus^(k) = sigmoid^(k-1) */
        assert_true(fmpq_equal(ds + k, d + k - 1));
    }
    assert_int_equal(fy_activation_eval_fmpq(v, sg, 0, zero, e), FY_OK);
    assert_true(fmpq_equal(v, d + 0));
    /* softplus(0) = log 2 is not rational */
    assert_int_equal(fy_activation_eval_fmpq(v, sp, 0, zero, e), FY_EUNSUPPORTED);
    assert_int_equal(fy_activation_poly(P, sp, 0, e), FY_EUNSUPPORTED);

    /* balls at z0 != 0 by Arb series of the closed forms */
    {
        arb_poly_t ax, aex, aden, want;
        arb_t z0;
        arb_poly_init(ax);
        arb_poly_init(aex);
        arb_poly_init(aden);
        arb_poly_init(want);
        arb_init(z0);
        arb_set_str(z0, "-0.45", PREC);
        arb_poly_set_coeff_arb(ax, 0, z0);
        arb_poly_set_coeff_si(ax, 1, 1);
        arb_poly_neg(ax, ax);
        arb_poly_exp_series(aex, ax, KMAX + 1, PREC);
        arb_poly_add_si(aden, aex, 1, PREC);
        arb_poly_inv_series(want, aden, KMAX + 1, PREC);
        arb_series_derivs(want, KMAX + 1);
        check_ball(sg, z0, want, 0, KMAX + 1);
        /* softplus = log1p(e^z) */
        arb_poly_neg(ax, ax);
        arb_poly_exp_series(aex, ax, KMAX + 1, PREC);
        arb_poly_log1p_series(want, aex, KMAX + 1, PREC);
        arb_series_derivs(want, KMAX + 1);
        check_ball(sp, z0, want, 0, KMAX + 1);
        arb_poly_clear(ax);
        arb_poly_clear(aex);
        arb_poly_clear(aden);
        arb_poly_clear(want);
        arb_clear(z0);
    }
    for (k = 0; k <= KMAX; k++)
    {
        fmpq_clear(d + k);
        fmpq_clear(ds + k);
    }
    fmpq_clear(v);
    fmpq_clear(zero);
    fmpq_poly_clear(x);
    fmpq_poly_clear(ex);
    fmpq_poly_clear(den);
    fmpq_poly_clear(s);
    fmpq_poly_clear(l);
    fmpq_poly_clear(P);
    fy_rules_clear(r);
}

/* -------------------------------------------------------------- sin, cos, exp, erf */

static void test_cycles_and_exp(void **state)
{
    fy_rules_t r;
    const fy_activation_struct *sn, *cs, *ex;
    arb_t z0, got, want, t;
    fmpq_t v, zero;
    fmpq_poly_t P;
    fy_error_t e;
    slong k;
    (void) state;

    load_installed(r);
    sn = act(r, "sin");
    cs = act(r, "cos");
    ex = act(r, "exp");
    fy_error_init(e);
    arb_init(z0);
    arb_init(got);
    arb_init(want);
    arb_init(t);
    fmpq_init(v);
    fmpq_init(zero);
    fmpq_poly_init(P);
    arb_set_str(z0, "1.1", PREC);
    for (k = 0; k <= KMAX; k++)
    {
        /* sin^(k)(z) = sin(z + k pi/2), cos^(k)(z) = cos(z + k pi/2) */
        arb_const_pi(t, PREC);
        arb_mul_si(t, t, k, PREC);
        arb_mul_2exp_si(t, t, -1);
        arb_add(t, t, z0, PREC);
        arb_sin(want, t, PREC);
        assert_int_equal(fy_activation_eval_arb(got, sn, (ulong) k, z0, PREC, e), FY_OK);
        assert_true(arb_overlaps(got, want));
        arb_cos(want, t, PREC);
        assert_int_equal(fy_activation_eval_arb(got, cs, (ulong) k, z0, PREC, e), FY_OK);
        assert_true(arb_overlaps(got, want));
        /* exact at 0: sin^(k)(0) = 0, 1, 0, -1 */
        assert_int_equal(fy_activation_eval_fmpq(v, sn, (ulong) k, zero, e), FY_OK);
        assert_int_equal(fmpq_cmp_si(v, k % 2 == 0 ? 0 : (k % 4 == 1 ? 1 : -1)), 0);
        assert_int_equal(fy_activation_eval_fmpq(v, cs, (ulong) k, zero, e), FY_OK);
        assert_int_equal(fmpq_cmp_si(v, k % 2 == 1 ? 0 : (k % 4 == 0 ? 1 : -1)), 0);
        /* exp: P_k = s, exp^(k)(0) = 1, exp^(k)(z0) = e^z0 */
        if (k > 0)
        {
            assert_int_equal(fy_activation_poly(P, ex, (ulong) k, e), FY_OK);
            assert_int_equal(fmpq_poly_degree(P), 1);
            assert_true(fmpq_poly_is_gen(P));
        }
        assert_int_equal(fy_activation_eval_fmpq(v, ex, (ulong) k, zero, e), FY_OK);
        assert_true(fmpq_is_one(v));
        arb_exp(want, z0, PREC);
        assert_int_equal(fy_activation_eval_arb(got, ex, (ulong) k, z0, PREC, e), FY_OK);
        assert_true(arb_overlaps(got, want));
    }
    assert_int_equal(fy_activation_poly(P, sn, 2, e), FY_EUNSUPPORTED);
    arb_clear(z0);
    arb_clear(got);
    arb_clear(want);
    arb_clear(t);
    fmpq_clear(v);
    fmpq_clear(zero);
    fmpq_poly_clear(P);
    fy_rules_clear(r);
}

static void test_erf(void **state)
{
    static const char *const zs[] = {"0", "0.3", "-2.2"};
    fy_rules_t r;
    const fy_activation_struct *a;
    arb_poly_t x, want;
    arb_t z0;
    fmpq_poly_t Q;
    fmpz_poly_t H;
    fmpq_t v, zero;
    fy_error_t e;
    slong k;
    size_t i;
    (void) state;

    load_installed(r);
    a = act(r, "erf");
    fy_error_init(e);
    arb_poly_init(x);
    arb_poly_init(want);
    arb_init(z0);
    fmpq_poly_init(Q);
    fmpz_poly_init(H);
    fmpq_init(v);
    fmpq_init(zero);
    /* Q_k = (-1)^(k-1) H_(k-1), H from FLINT */
    for (k = 1; k <= KMAX; k++)
    {
        fmpq_poly_t Hq;
        fmpq_poly_init(Hq);
        /* a fresh H each time: FLINT 2.9's hermite_h leaves stale odd coefficients of a
         * reused polynomial */
        fmpz_poly_clear(H);
        fmpz_poly_init(H);
        fmpz_poly_hermite_h(H, (ulong) (k - 1));
        fmpq_poly_set_fmpz_poly(Hq, H);
        if ((k - 1) % 2)
            fmpq_poly_neg(Hq, Hq);
        assert_int_equal(fy_activation_poly(Q, a, (ulong) k, e), FY_OK);
        if (!fmpq_poly_equal(Q, Hq))
        {
            char *s1 = fmpq_poly_get_str_pretty(Q, "z"), *s2 = fmpq_poly_get_str_pretty(Hq, "z");
            fail_msg("Q_%ld = %s, want %s", (long) k, s1, s2);
        }
        fmpq_poly_clear(Hq);
    }
    /* erf^(k)(z0) by Arb's erf series */
    for (i = 0; i < sizeof zs / sizeof zs[0]; i++)
    {
        arb_set_str(z0, zs[i], PREC);
        arb_poly_zero(x);
        arb_poly_set_coeff_arb(x, 0, z0);
        arb_poly_set_coeff_si(x, 1, 1);
        arb_hypgeom_erf_series(want, x, KMAX + 1, PREC);
        arb_series_derivs(want, KMAX + 1);
        /* erf^(k)(0) vanishes for even k: compare with exact zero balls too */
        check_ball(a, z0, want, i == 0 ? 1 : 0, KMAX + 1);
    }
    /* ball-only: no exact values, even at 0 */
    assert_int_equal(fy_activation_eval_fmpq(v, a, 1, zero, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "ball-only"));
    arb_poly_clear(x);
    arb_poly_clear(want);
    arb_clear(z0);
    fmpq_poly_clear(Q);
    fmpz_poly_clear(H);
    fmpq_clear(v);
    fmpq_clear(zero);
    fy_rules_clear(r);
}

/* ---------------------------------------------------------- polynomials and relu */

static void test_polynomial_and_relu(void **state)
{
    fy_rules_t r;
    fy_activation_t q;
    const fy_activation_struct *relu, *id;
    fmpq_t z, v, w;
    fmpq_poly_t P;
    arb_t az, got;
    fy_error_t e;
    slong k;
    (void) state;

    load_installed(r);
    fy_error_init(e);
    fy_activation_init(q);
    fmpq_init(z);
    fmpq_init(v);
    fmpq_init(w);
    fmpq_poly_init(P);
    arb_init(az);
    arb_init(got);
    /* quadratic z + a z^2 with a = 1/3 instead of the file's 1/2; the copy is independent */
    assert_int_equal(fy_activation_set(q, act(r, "quadratic"), e), FY_OK);
    assert_int_equal(fy_activation_set(q, q, e), FY_OK); /* aliasing */
    assert_int_equal(fy_activation_set_params(q, "a=1/3", e), FY_OK);
    fmpq_set_si(z, 3, 7);
    assert_int_equal(fy_activation_eval_fmpq(v, q, 0, z, e), FY_OK);
    fmpq_set_si(w, 24, 49); /* 3/7 + (1/3)(9/49) */
    assert_true(fmpq_equal(v, w));
    assert_int_equal(fy_activation_eval_fmpq(v, q, 1, z, e), FY_OK);
    fmpq_set_si(w, 9, 7); /* 1 + 2 a z */
    assert_true(fmpq_equal(v, w));
    assert_int_equal(fy_activation_eval_fmpq(v, q, 2, z, e), FY_OK);
    fmpq_set_si(w, 2, 3);
    assert_true(fmpq_equal(v, w));
    for (k = 3; k <= KMAX; k++)
    {
        assert_int_equal(fy_activation_poly(P, q, (ulong) k, e), FY_OK);
        assert_true(fmpq_poly_is_zero(P));
        assert_int_equal(fy_activation_eval_fmpq(v, q, (ulong) k, z, e), FY_OK);
        assert_true(fmpq_is_zero(v));
    }
    assert_int_equal(fy_activation_last_nonzero(q), 2);
    /* the registry's copy still has a = 1/2 */
    fmpq_set_si(w, 1, 2);
    assert_true(fmpq_equal(act(r, "quadratic")->param_values + 0, w));
    assert_int_equal(fy_activation_set_params(q, "b=1", e), FY_EINPUT);
    assert_int_equal(fy_activation_set_params(q, "a=x", e), FY_EINPUT);
    arb_set_str(az, "0.25", PREC);
    assert_int_equal(fy_activation_eval_arb(got, q, 1, az, PREC, e), FY_OK);
    arb_set_str(az, "7/6", PREC); /* 1 + 2/3 * 1/4 */
    assert_true(arb_overlaps(got, az));

    id = act(r, "identity");
    assert_int_equal(fy_activation_last_nonzero(id), 1);

    /* relu: all derivatives >= 2 vanish; relu'(0) = 0 by convention; balls straddling 0 */
    relu = act(r, "relu");
    assert_int_equal(fy_activation_last_nonzero(relu), 1);
    fmpq_set_si(z, -5, 2);
    assert_int_equal(fy_activation_eval_fmpq(v, relu, 0, z, e), FY_OK);
    assert_true(fmpq_is_zero(v));
    fmpq_set_si(z, 5, 2);
    assert_int_equal(fy_activation_eval_fmpq(v, relu, 0, z, e), FY_OK);
    assert_true(fmpq_equal(v, z));
    assert_int_equal(fy_activation_eval_fmpq(v, relu, 1, z, e), FY_OK);
    assert_true(fmpq_is_one(v));
    fmpq_zero(z);
    assert_int_equal(fy_activation_eval_fmpq(v, relu, 1, z, e), FY_OK);
    assert_true(fmpq_is_zero(v));
    for (k = 2; k <= 5; k++)
    {
        assert_int_equal(fy_activation_poly(P, relu, (ulong) k, e), FY_OK);
        assert_true(fmpq_poly_is_zero(P));
    }
    assert_int_equal(fy_activation_poly(P, relu, 1, e), FY_EUNSUPPORTED);
    arb_set_str(az, "0 +/- 0.1", PREC);
    assert_int_equal(fy_activation_eval_arb(got, relu, 1, az, PREC, e), FY_OK);
    assert_true(arb_contains_si(got, 0) && arb_contains_si(got, 1));

    fy_activation_clear(q);
    fmpq_clear(z);
    fmpq_clear(v);
    fmpq_clear(w);
    fmpq_poly_clear(P);
    arb_clear(az);
    arb_clear(got);
    fy_rules_clear(r);
}

/* ------------------------------------------------------ a new activation from a file */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_new_activation_from_file(void **state)
{
    char dir[] = "test_rules_tmp_XXXXXX", path[256];
    fy_rules_t r;
    const fy_activation_struct *a, *t;
    fmpq_poly_t P, want;
    fmpq_t v, zero;
    arb_t z0, got, w;
    fy_error_t e;
    const char *old = getenv("FEYNN_RULES_PATH");
    char *saved = old ? strdup(old) : NULL;
    slong k;
    (void) state;

    fy_error_init(e);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/mine.rules", dir);
    /* s' = 1 - s, s(0) = 0: s = 1 - e^{-z}; and a tanh without a function that shadows the
     * installed one */
    write_file(path, "feynn-rules 1\n"
                     "# a test activation\n"
                     "activation one_minus_exp closure \"1 - s\" at0 0 function \"1 - exp(-z)\"\n"
                     "activation tanh closure \"1 - s^2\" at0 0\n");
    setenv("FEYNN_RULES_PATH", dir, 1);
    fy_rules_init(r);
    if (fy_rules_load_default(r, e) != FY_OK)
        fail_msg("%s", e->msg);
    a = act(r, "one_minus_exp");
    t = act(r, "tanh");
    assert_null(t->func); /* the temporary file's tanh comes first */
    assert_true(r->nshadowed >= 1);
    assert_non_null(fy_rules_theory(r, "mlp")); /* installed files still found */
    fmpq_poly_init(P);
    fmpq_poly_init(want);
    fmpq_init(v);
    fmpq_init(zero);
    arb_init(z0);
    arb_init(got);
    arb_init(w);
    arb_set_str(z0, "0.8", PREC);
    for (k = 1; k <= KMAX; k++)
    {
        /* P_k = (-1)^(k+1) (1 - s); sigma^(k)(z) = (-1)^(k+1) e^{-z} */
        fmpq_poly_set_coeff_si(want, 0, k % 2 ? 1 : -1);
        fmpq_poly_set_coeff_si(want, 1, k % 2 ? -1 : 1);
        assert_int_equal(fy_activation_poly(P, a, (ulong) k, e), FY_OK);
        assert_true(fmpq_poly_equal(P, want));
        assert_int_equal(fy_activation_eval_fmpq(v, a, (ulong) k, zero, e), FY_OK);
        assert_int_equal(fmpq_cmp_si(v, k % 2 ? 1 : -1), 0);
        arb_neg(w, z0);
        arb_exp(w, w, PREC);
        if (k % 2 == 0)
            arb_neg(w, w);
        assert_int_equal(fy_activation_eval_arb(got, a, (ulong) k, z0, PREC, e), FY_OK);
        assert_true(arb_overlaps(got, w));
    }
    /* without a function, values away from 0 are refused; at 0 they are exact */
    assert_int_equal(fy_activation_eval_arb(got, t, 1, z0, PREC, e), FY_EUNSUPPORTED);
    arb_zero(z0);
    assert_int_equal(fy_activation_eval_arb(got, t, 1, z0, PREC, e), FY_OK);
    assert_true(arb_is_one(got));
    fy_rules_clear(r);

    /* the same name twice in one directory is an error */
    snprintf(path, sizeof path, "%s/other.rules", dir);
    write_file(path, "feynn-rules 1\nactivation tanh closure \"1 - s^2\"\n");
    fy_rules_init(r);
    assert_int_equal(fy_rules_load_default(r, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "already defined"));
    fy_rules_clear(r);
    unlink(path);
    snprintf(path, sizeof path, "%s/mine.rules", dir);
    unlink(path);
    rmdir(dir);
    if (saved)
    {
        setenv("FEYNN_RULES_PATH", saved, 1);
        free(saved);
    }
    else
        unsetenv("FEYNN_RULES_PATH");
    fmpq_poly_clear(P);
    fmpq_poly_clear(want);
    fmpq_clear(v);
    fmpq_clear(zero);
    arb_clear(z0);
    arb_clear(got);
    arb_clear(w);
}

/* ------------------------------------------------------------------- malformed input */

typedef struct
{
    const char *text;
    const char *where;  /* exact "f.rules:LINE:COL: " prefix */
    const char *substr; /* part of the message */
} bad_case;

static void test_malformed(void **state)
{
    static const bad_case cases[] = {
        {"", "f.rules:1:1: ", "expected 'feynn-rules 1'"},
        {"theory mlp\n", "f.rules:1:1: ", "expected 'feynn-rules 1'"},
        {"feynn-rules 2\n", "f.rules:1:13: ", "expected format version 1"},
        {"feynn-rules 1 x\n", "f.rules:1:15: ", "expected the end of the line, found 'x'"},
        {"feynn-rules 1\nvertex v\n", "f.rules:2:1: ", "expected 'theory NAME' before 'vertex'"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v level 1..H\nend\n",
         "f.rules:4:21: ", "expected a level symbol"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v\n", "f.rules:5:1: ",
         "expected 'end' to close theory t"},
        {"feynn-rules 1\ntheory t\n  vertex v\nend\n", "f.rules:4:1: ",
         "no 'generator'"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v colour red\nend\n",
         "f.rules:4:12: ", "expected an attribute of a vertex kind"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v valence 3..2\nend\n",
         "f.rules:4:23: ", "expected an upper bound >= 3"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v label \"\\sigma^{(%q)}\"\nend\n",
         "f.rules:4:28: ", "expected a placeholder"},
        {"feynn-rules 1\ntheory t\n  generator g\n  vertex v dot \"shape circle\"\nend\n",
         "f.rules:4:23: ", "expected '=' after the attribute name"},
        {"feynn-rules 1\ntheory t\n  generator g\n  sign *\nend\n", "f.rules:4:8: ",
         "unexpected character '*'"},
        {"feynn-rules 1\ntheory t\n  generator g\n  sign 1\nend\n", "f.rules:4:8: ",
         "expected '+' or '-', found number 1"},
        {"feynn-rules 1\nactivation t closure \"1 - s^^2\"\n", "f.rules:2:29: ",
         "expected an integer exponent"},
        {"feynn-rules 1\nactivation t closure \"1 - x^2\"\n", "f.rules:2:27: ",
         "expected the variable 's'"},
        {"feynn-rules 1\nactivation t closure \"1 - s^2\n", "f.rules:2:22: ",
         "unterminated string"},
        {"feynn-rules 1\nactivation t closure \"(1 - s\"\n", "f.rules:2:29: ",
         "expected ')' to close the '(' at column 23"},
        {"feynn-rules 1\nactivation t closure \"1 - s/s\"\n", "f.rules:2:29: ",
         "expected a constant divisor"},
        {"feynn-rules 1\nactivation t closure \"1 - s^2\" function \"sin(z)\"\n",
         "f.rules:2:14: ", "the closure does not match the function"},
        {"feynn-rules 1\nactivation t closure \"1 - s^2\" at0 1/2 function \"tanh(z)\"\n",
         "f.rules:2:14: ", "at0 1/2 does not match the function"},
        {"feynn-rules 1\nactivation t polynomial \"z + a*z^2\" params a=1/2 b=3\n",
         "f.rules:2:50: ", "parameter 'b' is not used"},
        {"feynn-rules 1\nactivation t polynomial \"z\"\nactivation t polynomial \"z\"\n",
         "f.rules:3:12: ", "activation 't' is already defined at line 2"},
        {"feynn-rules 1\nactivation t antiderivative nope\n", "f.rules:2:29: ",
         "expected the name of a closure activation defined above"},
        {"feynn-rules 1\nactivation t cycle \"sin(z)\" \"cos(z)\" at0 0\n", "f.rules:2:38: ",
         "expected 2 values after at0"},
        {"feynn-rules 1\nactivation t cycle \"sin(z)\" \"-cos(z)\" at0 0 -1\n",
         "f.rules:2:14: ", "the cycle does not match the function"},
        {"feynn-rules 1\nactivation t frobnicate\n", "f.rules:2:14: ",
         "expected a definition (closure, polynomial"},
        {"feynn-rules 1\nactivation t polynomial \"z\" \\ x\n", "f.rules:2:29: ",
         "expected a newline after the continuation"},
        {"feynn-rules 1\nactivation t polynomial \"2z\"\n", "f.rules:2:27: ",
         "expected an operator after the number"},
        {"feynn-rules 1\nactivation t polynomial \"z^65\"\n", "f.rules:2:28: ",
         "exponent larger than 64"},
    };
    size_t i;
    (void) state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        fy_rules_t r;
        fy_error_t e;
        int rc;
        fy_rules_init(r);
        fy_error_init(e);
        rc = fy_rules_parse(r, cases[i].text, strlen(cases[i].text), "f.rules", e);
        if (rc != FY_EINPUT || strncmp(e->msg, cases[i].where, strlen(cases[i].where)) != 0 ||
            strstr(e->msg, cases[i].substr) == NULL)
            fail_msg("case %zu: rc %d, message '%s'; want '%s...%s...'", i, rc, e->msg,
                     cases[i].where, cases[i].substr);
        /* nothing is added on error */
        assert_int_equal(r->ntheories + r->nacts, 0);
        fy_rules_clear(r);
    }
}

static void test_parse_details(void **state)
{
    const char *text =
        "feynn-rules 1   # header\n"
        "theory t\n"
        "  generator g\n"
        "  symbol H \"hidden\"\n"
        "  vertex v level 1..H-1 valence 3.. children 2 \\\n"
        "         label \"V^{%k}\" tikz \"draw,{a}\"\n"
        "  vertex w level H+2\n"
        "  line p arrows per-level\n"
        "end\n"
        "activation c closure \"-1/2 + 0.25*s - (s - 1)^2/3\" params\n";
    const char *text_ok =
        "feynn-rules 1\n"
        "activation c closure \"-1/2 + 0.25*s - (s - 1)^2/3\"\n";
    fy_rules_t r;
    fy_error_t e;
    const fy_kind_struct *v, *w;
    const char *names[] = {"H"};
    long vals[] = {4};
    fmpq_poly_t want;
    (void) state;

    fy_rules_init(r);
    fy_error_init(e);
    /* 'params' with nothing after it */
    assert_int_equal(fy_rules_parse(r, text, strlen(text), "d.rules", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "d.rules:10:58: expected NAME=VALUE"));
    assert_int_equal(fy_rules_parse(r, text, strlen(text) - 8, "d.rules", e), FY_OK);
    v = fy_rules_kind(r, "t", FY_KIND_VERTEX, "v");
    w = fy_rules_kind(r, "t", FY_KIND_VERTEX, "w");
    assert_non_null(v);
    assert_int_equal(v->line, 5);
    assert_int_equal(fy_kind_level_ok(v, 3, names, vals, 1), 1);
    assert_int_equal(fy_kind_level_ok(v, 4, names, vals, 1), 0);
    assert_int_equal(fy_kind_level_ok(w, 6, names, vals, 1), 1);
    assert_int_equal(v->children_min, 2);
    assert_int_equal(v->children_max, 2);
    assert_int_equal(v->valence_max, FY_RULES_UNBOUNDED);
    assert_string_equal(v->label, "V^{%k}");
    assert_string_equal(v->tikz, "draw,{a}");
    assert_int_equal(fy_rules_kind(r, "t", FY_KIND_LINE, "p")->arrows, FY_ARROWS_PER_LEVEL);
    fmpq_poly_init(want);
    /* -1/2 + s/4 - (s^2 - 2s + 1)/3 = -5/6 + 11/12 s - 1/3 s^2 */
    fmpq_poly_set_str(want, "3  -5/6 11/12 -1/3");
    assert_true(fmpq_poly_equal(fy_rules_activation(r, "c")->p, want));
    /* the same file again: names are taken */
    assert_int_equal(fy_rules_parse(r, text_ok, strlen(text_ok), "e.rules", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "e.rules:2:1: activation 'c' is already defined in d.rules"));
    /* a NUL byte */
    assert_int_equal(fy_rules_parse(r, "feynn-rules 1\n\0x", 16, "n.rules", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "n.rules:2:1: unexpected NUL"));
    fmpq_poly_clear(want);
    fy_rules_clear(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_installed_files_load),
    cmocka_unit_test(test_draw_style_and_labels),
    cmocka_unit_test(test_tanh_exact),
    cmocka_unit_test(test_tanh_ball),
    cmocka_unit_test(test_wide_balls),
    cmocka_unit_test(test_sigmoid_softplus),
    cmocka_unit_test(test_cycles_and_exp),
    cmocka_unit_test(test_erf),
    cmocka_unit_test(test_polynomial_and_relu),
    cmocka_unit_test(test_new_activation_from_file),
    cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_parse_details),
};

FY_TEST_MAIN("rules", tests)
