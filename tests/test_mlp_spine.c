/* Tests of the spine route (fy_mlp_tensor_spine, src/mlp/spine_tpl.c; issue 16): whole
 * derivative tensors of any order, in double, balls and exact rationals, from the diagrams
 * grouped along their spine.  Checked against independent routes:
 *   - a closed form: F = c exp(w.x) and c tanh(w.x) (one neuron, no bias), d^n F_I = c
 *     sigma^(n)(0) prod_p w_{I_p} exactly (exp^(n)(0) = 1; tanh^(n)(0) = 1, -2, 16, -272 at
 *     n = 1, 3, 5, 7 and 0 at even n), every order 1..7;
 *   - the fused layer recursion (fy_mlp_tensor) and the Taylor-mode AD (jet.h) on random
 *     networks (seeds printed) of every depth 1..3, orders 1..6: double within 1e-12 (fused)
 *     and 1e-9 (jet) of the sum of |terms|; exact rationals equal to both; 128-bit balls
 *     overlapping the fused balls and containing the exact tensor, the radius ratio against
 *     the fused route's printed and bounded;
 *   - refusals (memory limit, order above the point's, output out of range) and the route
 *     that fy_mlp_job_compute takes and names, with a wrong result caught by the check;
 *   - the dense expansion fy_mlp_dense_d against sorting and ranking every position. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "mlputil.h"
#include "testutil.h"

/* Random widths: w[0] in 1..maxd, L - 1 = 1..3 hidden layers of 1..maxw, 1..2 outputs. */
static int random_widths(int *w, uint64_t *st, int maxd, int maxw)
{
    int L = 2 + (int) (fy_test_rand(st) % 3), l;
    w[0] = 1 + (int) (fy_test_rand(st) % (uint64_t) maxd);
    for (l = 1; l < L; l++)
        w[l] = 1 + (int) (fy_test_rand(st) % (uint64_t) maxw);
    w[L] = 1 + (int) (fy_test_rand(st) % 2);
    return L;
}

/* ------------------------------------------------------------------ closed form */

/* F = c sigma(w.x) for sigma = exp and tanh, no bias, exact: d^n F_I = c sigma^(n)(0) prod w_I */
static void test_spine_closed_form(void **state)
{
    static const long wn[3] = {3, -5, 7}, tanh_d[8] = {0, 1, 0, -2, 0, 16, 0, -272};
    const char *acts[2] = {"exp", "tanh"};
    fy_error_t err;
    int ia, n;
    (void) state;
    fy_error_init(err);
    for (ia = 0; ia < 2; ia++)
        for (n = 1; n <= 7; n++)
        {
            char text[512];
            fy_net_t net;
            fy_net_opts_t o;
            fy_mlp_t m;
            fy_symtensor_t T;
            int I[8], p, nonzero = 0;
            slong r;
            snprintf(text, sizeof text, "feynn-model 1\ninput 3\nlayer 1 activation %s\n"
                     " 3/4 -5/4 7/4\nbias 0\nlayer 1\n 2/3\nbias 1/5\n", acts[ia]);
            fy_net_opts_init(o);
            fy_net_init(net);
            assert_int_equal(fy_net_read_text_buffer(net, text, strlen(text), "<t>", o, err),
                             FY_OK);
            fy_test_make_mlp(m, net, FY_ARITH_EXACT, 64, n);
            fy_symtensor_init_empty(T);
            assert_int_equal(fy_mlp_tensor_spine(T, m, 0, n, NULL, err), FY_OK);
            assert_int_equal(T->order, n);
            assert_int_equal(T->dim, 3);
            for (p = 0; p < n; p++)
                I[p] = 0;
            for (r = 0; r < T->e.len; r++, fy_multiindex_next(I, 3, n))
            {
                fmpq_t want, f;
                fmpq_init(want);
                fmpq_init(f);
                /* c sigma^(n)(0) prod (w_i / 4) with c = 2/3 */
                fmpq_set_si(want, 2 * (ia == 0 ? 1 : tanh_d[n]), 3);
                for (p = 0; p < n; p++)
                {
                    fmpq_set_si(f, wn[I[p]], 4);
                    fmpq_mul(want, want, f);
                }
                if (!fmpq_equal(want, fy_numvec_fmpq(&T->e) + r))
                    fail_msg("%s order %d entry %ld: spine %s, closed form %s", acts[ia], n,
                             (long) r, fmpq_get_str(NULL, 10, fy_numvec_fmpq(&T->e) + r),
                             fmpq_get_str(NULL, 10, want));
                nonzero += !fmpq_is_zero(want);
                fmpq_clear(want);
                fmpq_clear(f);
            }
            assert_true(nonzero == (ia == 0 || n % 2 == 1 ? T->e.len : 0));
            fy_symtensor_clear(T);
            fy_mlp_clear(m);
            fy_net_clear(net);
        }
}

/* ------------------------------------------------------------------ double */

static void test_spine_double(void **state)
{
    static const char *const a5[] = {"tanh", "sigmoid", "erf", "softplus", "sin"};
    unsigned long seed = fy_test_seed("spine_double");
    uint64_t st = seed;
    fy_error_t err;
    int trial, n, nonzero = 0, count = 0;
    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 24; trial++)
    {
        int w[6], L = random_widths(w, &st, 4, 5), ia = trial % 5;
        for (n = 1; n <= 6; n++)
        {
            fy_net_t net;
            fy_mlp_t m;
            fy_symtensor_t A, B, C;
            fy_jet_net_t J;
            double sc, mx = 0;
            slong i;
            fy_test_random_net(net, w, L, a5[ia], &st, trial % 3 != 0);
            fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, n);
            fy_symtensor_init_empty(A);
            fy_symtensor_init_empty(B);
            fy_symtensor_init_empty(C);
            assert_int_equal(fy_mlp_tensor(A, m, 0, n, err), FY_OK);
            if (fy_mlp_tensor_spine(B, m, 0, n, NULL, err) != FY_OK)
                fail_msg("seed %lu: %s", seed, err->msg);
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
                    fail_msg("seed %lu trial %d order %d %s entry %ld: fused %.17g, spine "
                             "%.17g (scale %.3g)", seed, trial, n, a5[ia], (long) i, a, b, sc);
                if (!(fabs(c - b) <= 1e-9 * sc))
                    fail_msg("seed %lu trial %d order %d %s entry %ld: jet %.17g, spine "
                             "%.17g (scale %.3g)", seed, trial, n, a5[ia], (long) i, c, b, sc);
            }
            nonzero += mx > 0;
            count++;
            fy_jet_net_clear(J);
            fy_symtensor_clear(A);
            fy_symtensor_clear(B);
            fy_symtensor_clear(C);
            fy_mlp_clear(m);
            fy_net_clear(net);
        }
    }
    /* zero tensors would pass (odd activations at 0 without biases): most are not zero */
    printf("# %d of %d tensors nonzero\n", nonzero, count);
    assert_true(nonzero >= count * 2 / 3);
}

/* ------------------------------------------------------------------ exact and balls */

/* The exact tensor by the spine equals the fused recursion's and the jet's; the 128-bit ball
 * tensor by the spine overlaps the fused one, contains the exact one, and its radii are
 * compared with the fused route's (printed; the largest ratio bounded). */
static void test_spine_exact_ball(void **state)
{
    static const char *const a4[] = {"tanh", "sin", "quadratic", "tanh"};
    unsigned long seed = fy_test_seed("spine_exact_ball");
    uint64_t st = seed;
    fy_error_t err;
    int trial, n;
    double worst_ratio = 0, sum_log = 0;
    long nratio = 0, nonzero = 0, count = 0;
    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 10; trial++)
    {
        int w[6], L = random_widths(w, &st, 3, 4), ia = trial % 4;
        for (n = 2; n <= 5; n++)
        {
            fy_net_t net;
            fy_mlp_t me, mb;
            fy_symtensor_t E1, E2, E3, B1, B2;
            fy_jet_net_t J;
            slong i;
            fy_test_random_net(net, w, L, a4[ia], &st, 0); /* no biases: rational vertex values */
            fy_test_make_mlp(me, net, FY_ARITH_EXACT, 64, n);
            fy_test_make_mlp(mb, net, FY_ARITH_BALL, 128, n);
            fy_symtensor_init_empty(E1);
            fy_symtensor_init_empty(E2);
            fy_symtensor_init_empty(E3);
            fy_symtensor_init_empty(B1);
            fy_symtensor_init_empty(B2);
            assert_int_equal(fy_mlp_tensor_spine(E1, me, 0, n, NULL, err), FY_OK);
            assert_int_equal(fy_mlp_tensor(E2, me, 0, n, err), FY_OK);
            fy_jet_net_init(J);
            assert_int_equal(fy_jet_net_set(J, net, err), FY_OK);
            assert_int_equal(fy_jet_tensor_fmpq(E3, J, 0, NULL, n, err), FY_OK);
            assert_int_equal(fy_mlp_tensor_spine(B1, mb, 0, n, NULL, err), FY_OK);
            assert_int_equal(fy_mlp_tensor(B2, mb, 0, n, err), FY_OK);
            for (i = 0; i < E1->e.len; i++)
            {
                fmpq *x = fy_numvec_fmpq(&E1->e) + i;
                arb_srcptr b1 = fy_numvec_arb(&B1->e) + i, b2 = fy_numvec_arb(&B2->e) + i;
                double r1 = mag_get_d(arb_radref(b1)), r2 = mag_get_d(arb_radref(b2));
                arb_t xe;
                if (!fmpq_equal(x, fy_numvec_fmpq(&E2->e) + i) ||
                    !fmpq_equal(x, fy_numvec_fmpq(&E3->e) + i))
                    fail_msg("seed %lu trial %d order %d %s entry %ld: exact spine, fused, jet "
                             "differ", seed, trial, n, a4[ia], (long) i);
                arb_init(xe);
                arb_set_fmpq(xe, x, 256);
                if (!arb_contains(b1, xe) || !arb_overlaps(b1, b2))
                    fail_msg("seed %lu trial %d order %d %s entry %ld: the spine ball does not "
                             "contain the exact value or overlap the fused ball", seed, trial,
                             n, a4[ia], (long) i);
                arb_clear(xe);
                nonzero += !fmpq_is_zero(x);
                count++;
                if (r2 > 0 && r1 > 0)
                {
                    worst_ratio = fmax(worst_ratio, r1 / r2);
                    sum_log += log(r1 / r2);
                    nratio++;
                }
            }
            fy_jet_net_clear(J);
            fy_symtensor_clear(E1);
            fy_symtensor_clear(E2);
            fy_symtensor_clear(E3);
            fy_symtensor_clear(B1);
            fy_symtensor_clear(B2);
            fy_mlp_clear(me);
            fy_mlp_clear(mb);
            fy_net_clear(net);
        }
    }
    printf("# seed %lu: %ld of %ld exact entries nonzero; ball radius spine/fused: geometric "
           "mean %.3g, largest %.3g over %ld entries\n", seed, nonzero, count,
           nratio ? exp(sum_log / (double) nratio) : 0.0, worst_ratio, nratio);
    assert_true(nonzero >= count / 4);
    assert_true(worst_ratio <= 64);
}

/* Balls with biases (irrational vertex values): the spine against the fused recursion in
 * balls (overlap) and against the fused recursion at 512 bits (containment of a much tighter
 * ball), orders 2..6. */
static void test_spine_ball_biases(void **state)
{
    unsigned long seed = fy_test_seed("spine_ball_biases");
    uint64_t st = seed;
    fy_error_t err;
    int trial, n;
    double worst_ratio = 0;
    (void) state;
    fy_error_init(err);
    for (trial = 0; trial < 6; trial++)
    {
        int w[6], L = random_widths(w, &st, 3, 4);
        for (n = 2; n <= 6; n++)
        {
            fy_net_t net;
            fy_mlp_t mb, mh;
            fy_symtensor_t B1, B2, H;
            slong i;
            fy_test_random_net(net, w, L, trial % 2 ? "tanh" : "softplus", &st, 1);
            fy_test_make_mlp(mb, net, FY_ARITH_BALL, 128, n);
            fy_test_make_mlp(mh, net, FY_ARITH_BALL, 512, n);
            fy_symtensor_init_empty(B1);
            fy_symtensor_init_empty(B2);
            fy_symtensor_init_empty(H);
            assert_int_equal(fy_mlp_tensor_spine(B1, mb, 0, n, NULL, err), FY_OK);
            assert_int_equal(fy_mlp_tensor(B2, mb, 0, n, err), FY_OK);
            assert_int_equal(fy_mlp_tensor(H, mh, 0, n, err), FY_OK);
            for (i = 0; i < B1->e.len; i++)
            {
                arb_srcptr b1 = fy_numvec_arb(&B1->e) + i, b2 = fy_numvec_arb(&B2->e) + i;
                double r1 = mag_get_d(arb_radref(b1)), r2 = mag_get_d(arb_radref(b2));
                if (!arb_overlaps(b1, b2) || !arb_contains(b1, fy_numvec_arb(&H->e) + i))
                    fail_msg("seed %lu trial %d order %d entry %ld: the spine ball misses",
                             seed, trial, n, (long) i);
                if (r2 > 0)
                    worst_ratio = fmax(worst_ratio, r1 / r2);
            }
            fy_symtensor_clear(B1);
            fy_symtensor_clear(B2);
            fy_symtensor_clear(H);
            fy_mlp_clear(mb);
            fy_mlp_clear(mh);
            fy_net_clear(net);
        }
    }
    printf("# seed %lu: largest radius ratio spine/fused with biases %.3g\n", seed,
           worst_ratio);
    assert_true(worst_ratio <= 64);
}

/* ------------------------------------------------------------------ refusals and routes */

static void test_spine_refusals(void **state)
{
    static const int w[4] = {4, 3, 3, 2};
    uint64_t st = 7;
    fy_error_t err;
    fy_net_t net;
    fy_mlp_t m;
    fy_symtensor_t T;
    (void) state;
    fy_error_init(err);
    fy_test_random_net(net, w, 3, "tanh", &st, 1);
    fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, 5);
    fy_symtensor_init_empty(T);
    assert_true(fy_mlp_tensor_diagrams_applies(m, 5));
    assert_false(fy_mlp_tensor_diagrams_applies(m, 6)); /* vertex values to order 5 only */
    assert_int_equal(fy_mlp_tensor_spine(T, m, 0, 6, NULL, err), FY_EINPUT);
    assert_int_equal(fy_mlp_tensor_spine(T, m, 2, 5, NULL, err), FY_EINPUT);
    assert_int_equal(fy_mlp_tensor_spine(T, m, 0, 0, NULL, err), FY_EINPUT);
    m->max_bytes = fy_mlp_tensor_spine_bytes(m, 5) - 1;
    assert_false(fy_mlp_tensor_diagrams_applies(m, 5));
    assert_int_equal(fy_mlp_tensor_spine(T, m, 0, 5, NULL, err), FY_ENOMEM);
    assert_non_null(strstr(err->msg, "fy_memory_limit_set")); /* the command: --memory-limit */
    assert_true(fy_mlp_tensor_spine_bytes(m, 4) < fy_mlp_tensor_spine_bytes(m, 5));
    m->max_bytes = fy_mlp_tensor_spine_bytes(m, 5);
    assert_int_equal(fy_mlp_tensor_spine(T, m, 1, 5, NULL, err), FY_OK);
    fy_symtensor_clear(T);
    fy_mlp_clear(m);
    fy_net_clear(net);
}

/* fy_mlp_job_compute takes the spine at order 5 in double, order 2 in balls and order 3 in
 * exact rationals (zero biases), names it, and the check adds the fused recursion in the same
 * arithmetic and agrees; a result with one entry moved is a disagreement. */
static void test_spine_route(void **state)
{
    static const int w[4] = {3, 4, 3, 1};
    unsigned long seed = fy_test_seed("spine_route");
    uint64_t st = seed;
    fy_error_t err;
    fy_net_t net;
    int k;
    (void) state;
    fy_error_init(err);
    fy_test_random_net(net, w, 3, "tanh", &st, 0);
    for (k = 0; k < 3; k++)
    {
        fy_arith_t arith = k == 0 ? FY_ARITH_DOUBLE : k == 1 ? FY_ARITH_BALL : FY_ARITH_EXACT;
        slong prec = k == 0 ? 53 : 128;
        fy_mlp_job_struct job;
        fy_mlp_t m;
        fy_numvec_t res;
        fy_mlp_check_t c;
        const char *route = NULL;
        double worst;
        int i, has_fused = 0;
        memset(&job, 0, sizeof job);
        job.net = net;
        job.rules = fy_test_rules();
        job.mode = FY_MLP_JOB_TENSOR;
        job.order = k == 0 ? 5 : k == 1 ? 2 : 3;
        fy_mlp_init(m);
        fy_numvec_init_empty(res);
        assert_int_equal(fy_mlp_job_compute(res, &route, &job, arith, prec, m, err), FY_OK);
        assert_string_equal(route, "diagrams-spine");
        fy_mlp_check_init(c, 1e-9);
        assert_int_equal(fy_mlp_check_run_route(c, res, route, &job, arith, prec, err), FY_OK);
        assert_string_equal(c->name[0], "diagrams-spine");
        for (i = 0; i < c->n; i++)
            has_fused |= strcmp(c->name[i], "fused") == 0 && c->val[i]->arith == arith;
        assert_true(has_fused);
        if (!fy_mlp_check_agree(c, &worst))
            fail_msg("seed %lu order %d: the check disagrees (%.3g)", seed, job.order, worst);
        printf("# %s order %d: %d routes, worst %.3g\n", k == 0 ? "double" : k == 1 ? "ball"
               : "exact", job.order, c->n, worst);
        fy_mlp_check_clear(c);
        /* a wrong result is caught */
        if (k == 0)
            fy_numvec_d(res)[res->len / 2] += 1e-3 * (1 + fabs(fy_numvec_d(res)[res->len / 2]));
        else if (k == 1)
            arb_add_si(fy_numvec_arb(res) + res->len / 2, fy_numvec_arb(res) + res->len / 2, 1,
                       prec);
        else
            fmpq_add_si(fy_numvec_fmpq(res) + res->len / 2, fy_numvec_fmpq(res) + res->len / 2,
                        1);
        fy_mlp_check_init(c, 1e-9);
        assert_int_equal(fy_mlp_check_run_route(c, res, route, &job, arith, prec, err), FY_OK);
        assert_false(fy_mlp_check_agree(c, &worst));
        fy_mlp_check_clear(c);
        fy_numvec_clear(res);
        fy_mlp_clear(m);
    }
    fy_net_clear(net);
}

/* ------------------------------------------------------------------ dense expansion */

/* fy_mlp_dense_d against the direct definition (each dense position sorted and ranked here),
 * orders 0..6 over 1..5 inputs, entries distinct (their rank + 1), and refusals. */
static void test_dense(void **state)
{
    fy_error_t err;
    int d, n;
    (void) state;
    fy_error_init(err);
    for (d = 1; d <= 5; d++)
        for (n = 0; n <= 6; n++)
        {
            fy_mindex_t ix;
            slong E, N = 1, i, r;
            double *sym, *out;
            int idx[8], srt[8], p, q;
            assert_int_equal(fy_mindex_init(ix, d, n > 0 ? n : 1, err), FY_OK);
            E = n > 0 ? fy_mindex_count(ix, d, n) : 1;
            for (p = 0; p < n; p++)
                N *= d;
            sym = malloc(sizeof(double) * (size_t) E);
            out = malloc(sizeof(double) * (size_t) N);
            for (r = 0; r < E; r++)
                sym[r] = (double) r + 1;
            assert_int_equal(fy_mlp_dense_d(out, sym, d, n, err), FY_OK);
            for (p = 0; p < n; p++)
                idx[p] = 0;
            for (i = 0; i < N; i++)
            {
                for (p = 0; p < n; p++)
                {
                    for (q = p; q > 0 && srt[q - 1] > idx[p]; q--)
                        srt[q] = srt[q - 1];
                    srt[q] = idx[p];
                }
                r = n > 0 ? fy_mindex_rank(ix, srt, n) : 0;
                if (out[i] != sym[r])
                    fail_msg("dense d = %d order %d position %ld: %g, want %g", d, n, (long) i,
                             out[i], sym[r]);
                for (p = n - 1; p >= 0 && ++idx[p] == d; p--)
                    idx[p] = 0;
            }
            free(sym);
            free(out);
            fy_mindex_clear(ix);
        }
    assert_int_equal(fy_mlp_dense_d(NULL, NULL, 3, FY_MLP_MAX_TENSOR_ORDER + 1, err), FY_EINPUT);
    assert_int_equal(fy_mlp_dense_d(NULL, NULL, 0, 2, err), FY_EINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spine_closed_form), cmocka_unit_test(test_spine_double),
        cmocka_unit_test(test_spine_exact_ball),  cmocka_unit_test(test_spine_ball_biases),
        cmocka_unit_test(test_spine_refusals),    cmocka_unit_test(test_spine_route),
        cmocka_unit_test(test_dense),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fy_test_rules_clear();
    return rc;
}
