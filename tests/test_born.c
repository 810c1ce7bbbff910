/* Tests of the born module: exact Born terms against the square-well series 1 - tan(x)/x and
 * the ladder integrals of the enumerate module, coefficient tensors against the explicit
 * kernels of MATH.md 2.3 and against the univariate route (polarization), a_0 in ball
 * arithmetic against arb_tan/arb_tanh closed forms and against partial sums of the Born series,
 * the bound-state test, the potential parser's messages, and the data generator. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <flint/fmpq_poly.h>

#include "feynn/born.h"
#include "feynn/enumerate.h"
#include "feynn/io.h"
#include "feynn/util.h"
#include "testutil.h"

static void pot_const(fy_born_potential_t pot, slong d, slong num, slong den)
{
    fmpq_t R, u;
    slong j;
    fmpq_init(R);
    fmpq_init(u);
    fmpq_one(R);
    fmpq_set_si(u, num, (ulong) den);
    assert_int_equal(fy_born_potential_set_steps(pot, d, R, NULL, NULL), FY_OK);
    for (j = 0; j < d; j++)
        fmpq_set(pot->U + j, u);
    fmpq_clear(R);
    fmpq_clear(u);
}

static int parse_str(fy_born_potential_t pot, const char *s, fy_error_t err)
{
    return fy_born_potential_parse(pot, s, strlen(s), "pot.txt", NULL, err);
}

/* [lambda^n] (1 - tan(x)/x), x^2 = lambda, n = 1..N, by FLINT's tan series (independent of
 * the transfer matrices). */
static void tan_oracle(fmpq *out, int N)
{
    fmpq_poly_t x, t;
    int n;
    fmpq_poly_init(x);
    fmpq_poly_init(t);
    fmpq_poly_set_coeff_si(x, 1, 1);
    fmpq_poly_tan_series(t, x, 2 * N + 2);
    for (n = 1; n <= N; n++)
    {
        fmpq_poly_get_coeff_fmpq(out + n - 1, t, 2 * n + 1);
        fmpq_neg(out + n - 1, out + n - 1);
    }
    fmpq_poly_clear(x);
    fmpq_poly_clear(t);
}

static void test_square_well_terms(void **state)
{
    const int N = 12;
    const slong ds[3] = {1, 2, 5};
    fmpq *terms = _fmpq_vec_init(N), *want = _fmpq_vec_init(N);
    fmpq_t q;
    fy_born_potential_t pot;
    fy_error_t err;
    int i, n;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fmpq_init(q);
    tan_oracle(want, N);
    /* the values quoted in MATH.md 2.3 */
    fmpq_set_si(q, -1, 3);
    assert_true(fmpq_equal(want + 0, q));
    fmpq_set_si(q, -2, 15);
    assert_true(fmpq_equal(want + 1, q));
    fmpq_set_si(q, -17, 315);
    assert_true(fmpq_equal(want + 2, q));
    fmpq_set_si(q, -62, 2835);
    assert_true(fmpq_equal(want + 3, q));
    for (i = 0; i < 3; i++)
    {
        pot_const(pot, ds[i], -1, 1);
        assert_int_equal(fy_born_terms(terms, pot, N, err), FY_OK);
        for (n = 0; n < N; n++)
            assert_true(fmpq_equal(terms + n, want + n));
    }
    /* the same well read from text, with breakpoints that are not equal widths */
    assert_int_equal(parse_str(pot, "breakpoints 0.1 1/3 0.9 1\n-1 -1 -1 -1\n", err), FY_OK);
    assert_int_equal(fy_born_terms(terms, pot, N, err), FY_OK);
    for (n = 0; n < N; n++)
        assert_true(fmpq_equal(terms + n, want + n));
    fmpq_clear(q);
    _fmpq_vec_clear(terms, N);
    _fmpq_vec_clear(want, N);
    fy_born_potential_clear(pot);
}

/* Born terms for U = +1 on (0,1] against the ladder integrals of the enumerate module
 * (MATH.md 2.2: a_0^(n) = (-1)^(n-1) * integral), an independent route. */
static void test_ladders(void **state)
{
    const int N = 6;
    fmpq *terms = _fmpq_vec_init(N);
    fmpq_t v;
    fy_born_potential_t pot;
    fy_error_t err;
    int n;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fmpq_init(v);
    pot_const(pot, 3, 1, 1);
    assert_int_equal(fy_born_terms(terms, pot, N, err), FY_OK);
    for (n = 1; n <= N; n++)
    {
        fy_diagram_list_t list;
        fy_diagram_list_init(list);
        assert_int_equal(fy_enum_born_ladder(list, n, err), FY_OK);
        assert_int_equal(list->n, 1);
        assert_int_equal(fy_enum_born_unit_value(v, list->d + 0, err), FY_OK);
        if (n % 2 == 0)
            fmpq_neg(v, v);
        assert_true(fmpq_equal(v, terms + n - 1));
        fy_diagram_list_clear(list);
    }
    fmpq_clear(v);
    _fmpq_vec_clear(terms, N);
    fy_born_potential_clear(pot);
}

/* K of MATH.md 2.3 for breakpoints r, computed directly. */
static void kernel_K(fmpq *K, const fmpq *r, slong d)
{
    fmpq_t a, b, t;
    slong j, k;
    fmpq_init(a);
    fmpq_init(b);
    fmpq_init(t);
    for (j = 1; j <= d; j++)
        for (k = 1; k <= d; k++)
        {
            fmpq *e = K + (j - 1) * d + (k - 1);
            if (j == k)
            {
                /* (2/3)[(r_j^5 - r_{j-1}^5)/5 - r_{j-1}^3 (r_j^2 - r_{j-1}^2)/2] */
                fmpq_pow_si(a, r + j, 5);
                fmpq_pow_si(t, r + j - 1, 5);
                fmpq_sub(a, a, t);
                fmpq_div_fmpz(a, a, (fmpz_set_ui(fmpq_numref(t), 5), fmpq_numref(t)));
                fmpq_pow_si(b, r + j, 2);
                fmpq_pow_si(t, r + j - 1, 2);
                fmpq_sub(b, b, t);
                fmpq_pow_si(t, r + j - 1, 3);
                fmpq_mul(b, b, t);
                fmpq_div_2exp(b, b, 1);
                fmpq_sub(a, a, b);
                fmpq_mul_2exp(a, a, 1);
                fmpq_set_si(t, 1, 3);
                fmpq_mul(e, a, t);
            }
            else
            {
                slong hi = j > k ? j : k, lo = j > k ? k : j;
                fmpq_pow_si(a, r + hi, 2);
                fmpq_pow_si(t, r + hi - 1, 2);
                fmpq_sub(a, a, t);
                fmpq_div_2exp(a, a, 1); /* c2_max */
                fmpq_pow_si(b, r + lo, 3);
                fmpq_pow_si(t, r + lo - 1, 3);
                fmpq_sub(b, b, t);
                fmpq_set_si(t, 1, 3);
                fmpq_mul(b, b, t); /* c3_min */
                fmpq_mul(e, a, b);
            }
        }
    fmpq_clear(a);
    fmpq_clear(b);
    fmpq_clear(t);
}

static void check_grad_hess(const fy_born_potential_t pot)
{
    slong d = pot->d, j, k;
    fy_symtensor_struct T[2];
    fmpq *K = _fmpq_vec_init(d * d);
    fmpq_t c3, t, v2, sum;
    fmpq terms[2];
    fy_error_t err;
    int idx[2];

    fy_error_init(err);
    fmpq_init(c3);
    fmpq_init(t);
    fmpq_init(v2);
    fmpq_init(sum);
    fmpq_init(terms + 0);
    fmpq_init(terms + 1);
    fy_symtensor_init_empty(T + 0);
    fy_symtensor_init_empty(T + 1);
    assert_int_equal(fy_born_tensors(T, pot, 2, err), FY_OK);
    assert_int_equal(T[0].dim, d);
    assert_int_equal(T[1].order, 2);
    for (j = 1; j <= d; j++)
    {
        fmpq_pow_si(c3, pot->r + j, 3);
        fmpq_pow_si(t, pot->r + j - 1, 3);
        fmpq_sub(c3, c3, t);
        fmpq_set_si(t, 1, 3);
        fmpq_mul(c3, c3, t);
        idx[0] = (int) (j - 1);
        assert_true(fmpq_equal(fy_symtensor_entry_fmpq(T + 0, idx), c3));
    }
    kernel_K(K, pot->r, d);
    for (j = 0; j < d; j++)
        for (k = 0; k < d; k++)
        {
            idx[0] = (int) j;
            idx[1] = (int) k;
            fmpq_mul_si(t, K + j * d + k, -2);
            assert_true(fmpq_equal(fy_symtensor_entry_fmpq(T + 1, idx), t));
            /* -sum U_j U_k K_jk */
            fmpq_mul(v2, pot->U + j, pot->U + k);
            fmpq_submul(sum, v2, K + j * d + k);
        }
    assert_int_equal(fy_born_terms(terms, pot, 2, err), FY_OK);
    assert_true(fmpq_equal(terms + 1, sum));
    fmpq_clear(c3);
    fmpq_clear(t);
    fmpq_clear(v2);
    fmpq_clear(sum);
    fmpq_clear(terms + 0);
    fmpq_clear(terms + 1);
    fy_symtensor_clear(T + 0);
    fy_symtensor_clear(T + 1);
    _fmpq_vec_clear(K, d * d);
}

static void test_gradient_hessian(void **state)
{
    fy_born_potential_t pot;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    pot_const(pot, 4, -1, 1);
    check_grad_hess(pot);
    assert_int_equal(parse_str(pot, "breakpoints 1/2 1 7/4 2.5\nheights -1 2/3 -0.25 3\n", err),
                     FY_OK);
    check_grad_hess(pot);
    assert_int_equal(parse_str(pot, "range 3\n-1 -2 -3 0 5 -1/7 1\n", err), FY_OK);
    check_grad_hess(pot);
    fy_born_potential_clear(pot);
}

/* T_n[U, ..., U] = n! a_0^(n)(U) for random rational U: the multivariate route agrees with the
 * univariate one; and the dense tensor is symmetric under index permutations. */
static void test_polarization(void **state)
{
    const int N = 4;
    uint64_t rs = fy_test_seed("born polarization");
    fy_born_potential_t pot;
    fy_symtensor_struct T[4];
    fy_symtensor_t full;
    fy_numvec_t h, D;
    fmpq *terms = _fmpq_vec_init(N);
    fmpq_t f;
    fy_error_t err;
    slong d = 5, j, a, b, c;
    int n, trial;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fmpq_init(f);
    for (n = 0; n < N; n++)
        fy_symtensor_init_empty(T + n);
    fy_symtensor_init_empty(full);
    for (trial = 0; trial < 3; trial++)
    {
        fmpq *r = _fmpq_vec_init(d + 1);
        for (j = 1; j <= d; j++)
        {
            fmpq_set_si(f, (slong) (fy_test_rand(&rs) % 7) + 1, 4);
            fmpq_add(r + j, r + j - 1, f);
        }
        assert_int_equal(fy_born_potential_set_breakpoints(pot, d, r, NULL, err), FY_OK);
        _fmpq_vec_clear(r, d + 1);
        assert_int_equal(fy_numvec_init(h, FY_ARITH_EXACT, d, 0, err), FY_OK);
        for (j = 0; j < d; j++)
        {
            fmpq_set_si(pot->U + j, (slong) (fy_test_rand(&rs) % 21) - 10,
                        (ulong) (fy_test_rand(&rs) % 5) + 1);
            fmpq_set(fy_numvec_fmpq(h) + j, pot->U + j);
        }
        assert_int_equal(fy_born_tensors(T, pot, N, err), FY_OK);
        assert_int_equal(fy_born_terms(terms, pot, N, err), FY_OK);
        for (n = 1; n <= N; n++)
        {
            assert_int_equal(fy_symtensor_contract(full, T + n - 1, h, 0, err), FY_OK);
            fmpz_fac_ui(fmpq_numref(f), (ulong) n);
            fmpz_one(fmpq_denref(f));
            fmpq_mul(f, f, terms + n - 1);
            assert_true(fmpq_equal(fy_numvec_fmpq(&full->e), f));
        }
        /* symmetry of the dense third-order tensor */
        assert_int_equal(fy_numvec_init(D, FY_ARITH_EXACT, 0, 0, err), FY_OK);
        assert_int_equal(fy_symtensor_to_dense(D, T + 2, err), FY_OK);
        for (a = 0; a < d; a++)
            for (b = 0; b < d; b++)
                for (c = 0; c < d; c++)
                {
                    const fmpq *e = fy_numvec_fmpq(D);
                    assert_true(fmpq_equal(e + (a * d + b) * d + c, e + (b * d + c) * d + a));
                    assert_true(fmpq_equal(e + (a * d + b) * d + c, e + (a * d + c) * d + b));
                }
        fy_numvec_clear(D);
        fy_numvec_clear(h);
    }
    /* a single order through fy_born_tensor agrees */
    assert_int_equal(fy_born_tensor(full, pot, 3, err), FY_OK);
    assert_true(fy_symtensor_max_abs_diff(full, T + 2) == 0.0);
    for (n = 0; n < N; n++)
        fy_symtensor_clear(T + n);
    fy_symtensor_clear(full);
    fmpq_clear(f);
    _fmpq_vec_clear(terms, N);
    fy_born_potential_clear(pot);
}

static void test_a0_square_well(void **state)
{
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fy_error_t err;
    arb_t want, one;
    char *s;
    slong d;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    arb_init(want);
    arb_init(one);
    for (d = 1; d <= 5; d += 2)
    {
        pot_const(pot, d, -1, 1);
        assert_int_equal(fy_born_a0(res, pot, 16, err), FY_OK);
        arb_one(one);
        arb_tan(want, one, 200);
        arb_sub(want, one, want, 200); /* 1 - tan 1 */
        assert_true(arb_overlaps(&res->a0, want));
        assert_true(arb_rel_accuracy_bits(&res->a0) >= 53);
        s = fy_arb_get_str_certified(&res->a0, 16);
        assert_string_equal(s, "-0.5574077246549022");
        free(s);
        assert_int_equal(res->bound_states, 0);
        assert_int_equal(res->nodes, 0);
        assert_true(res->shallow);
        assert_int_equal(res->digits, 16);
        /* 60 digits */
        assert_int_equal(fy_born_a0(res, pot, 60, err), FY_OK);
        assert_true(arb_overlaps(&res->a0, want) || arb_contains(want, &res->a0) ||
                    arb_contains(&res->a0, want));
        assert_true(arb_rel_accuracy_bits(&res->a0) >= 199);
    }
    /* repulsive U = +1: a_0 = 1 - tanh 1 > 0 */
    pot_const(pot, 2, 1, 1);
    assert_int_equal(fy_born_a0(res, pot, 30, err), FY_OK);
    arb_one(one);
    arb_tanh(want, one, 200);
    arb_sub(want, one, want, 200);
    assert_true(arb_overlaps(&res->a0, want));
    assert_true(arb_is_positive(&res->a0));
    assert_int_equal(res->bound_states, 0);
    /* U = 0: a_0 = 0 exactly */
    pot_const(pot, 3, 0, 1);
    assert_int_equal(fy_born_a0(res, pot, 10, err), FY_OK);
    assert_true(arb_is_zero(&res->a0));
    arb_clear(want);
    arb_clear(one);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
}

/* For a shallow potential the partial sums of the exact Born series approach the ball a_0. */
static void test_series_sums_to_a0(void **state)
{
    const int N = 60;
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fmpq *terms = _fmpq_vec_init(N);
    fmpq_t s;
    arb_t sum;
    fy_error_t err;
    int n;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    fmpq_init(s);
    arb_init(sum);
    assert_int_equal(parse_str(pot, "breakpoints 0.3 0.7 1.2\n-1 -1/2 1/4\n", err), FY_OK);
    assert_int_equal(fy_born_check_convergence(pot, err), FY_OK);
    assert_int_equal(fy_born_terms(terms, pot, N, err), FY_OK);
    for (n = 0; n < N; n++)
        fmpq_add(s, s, terms + n);
    assert_int_equal(fy_born_a0(res, pot, 20, err), FY_OK);
    arb_set_fmpq(sum, s, 128);
    arb_sub(sum, sum, &res->a0, 128);
    arb_abs(sum, sum);
    assert_true(arf_cmpabs_2exp_si(arb_midref(sum), -30) < 0);
    fmpq_clear(s);
    arb_clear(sum);
    _fmpq_vec_clear(terms, N);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
}

static void test_bound_states(void **state)
{
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fy_error_t err;
    arb_t l1, want;
    fmpq_t lo;
    slong k;
    int sh;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    arb_init(l1);
    arb_init(want);
    fmpq_init(lo);
    /* sqrt 3 > pi/2: one bound state, refused */
    pot_const(pot, 1, -3, 1);
    assert_int_equal(fy_born_bound_states(&k, &sh, pot, NULL, err), FY_OK);
    assert_int_equal(k, 1);
    assert_false(sh);
    assert_int_equal(fy_born_check_convergence(pot, err), FY_ECHECK);
    assert_non_null(strstr(err->msg, "bound state(s): 1"));
    assert_int_equal(fy_born_a0(res, pot, 16, err), FY_OK);
    assert_int_equal(res->bound_states, 1);
    assert_false(res->shallow);
    assert_true(arb_is_positive(&res->a0)); /* a bound state makes a_0 large and positive */
    /* -2: sqrt 2 < pi/2, fine */
    pot_const(pot, 4, -2, 1);
    assert_int_equal(fy_born_bound_states(&k, &sh, pot, NULL, err), FY_OK);
    assert_int_equal(k, 0);
    assert_true(sh);
    assert_int_equal(fy_born_check_convergence(pot, err), FY_OK);
    /* deep well U = -100: sqrt(100) = 10 lies between 5.5 pi/... : bound states = number of
     * n with (n - 1/2) pi < 10, i.e. 3 */
    pot_const(pot, 3, -100, 1);
    assert_int_equal(fy_born_bound_states(&k, &sh, pot, NULL, err), FY_OK);
    assert_int_equal(k, 3);
    /* lambda_1 of U = -1 on (0,1] is (pi/2)^2 */
    pot_const(pot, 5, -1, 1);
    assert_int_equal(fy_born_lambda1(l1, lo, pot, 1, 1e-10, err), FY_OK);
    arb_const_pi(want, 128);
    arb_mul(want, want, want, 128);
    arb_mul_2exp_si(want, want, -2);
    assert_true(arb_overlaps(l1, want));
    assert_true(mag_cmp_2exp_si(arb_radref(l1), -20) < 0);
    assert_int_equal(fy_born_lambda1(l1, lo, pot, -1, 1e-10, err), FY_OK);
    assert_true(arb_is_finite(l1) == 0); /* -lambda U is repulsive: never binds */
    /* repulsive +1: converges (radius (pi/2)^2); +3: no bound state, yet radius < 1 */
    pot_const(pot, 1, 1, 1);
    assert_int_equal(fy_born_check_convergence(pot, err), FY_OK);
    pot_const(pot, 1, 3, 1);
    assert_int_equal(fy_born_bound_states(&k, &sh, pot, NULL, err), FY_OK);
    assert_int_equal(k, 0);
    assert_int_equal(fy_born_check_convergence(pot, err), FY_ECHECK);
    assert_non_null(strstr(err->msg, "radius"));
    arb_clear(l1);
    arb_clear(want);
    fmpq_clear(lo);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
}

static void expect_error(const char *text, const char *where, const char *what)
{
    fy_born_potential_t pot;
    fy_error_t err;
    fy_error_init(err);
    fy_born_potential_init(pot);
    assert_int_equal(parse_str(pot, text, err), FY_EINPUT);
    if (strstr(err->msg, where) == NULL || (what && strstr(err->msg, what) == NULL))
        fail_msg("for %s got: %s", text, err->msg);
    fy_born_potential_clear(pot);
}

static void test_parser(void **state)
{
    fy_born_potential_t pot;
    fy_error_t err;
    fmpq_t q;
    char *text;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fmpq_init(q);
    /* exact decimals: 0.1 is 1/10 */
    assert_int_equal(parse_str(pot, "# comment\n  0.1\t-3/2  # more\n2.5e-3\n", err), FY_OK);
    assert_int_equal(pot->d, 3);
    fmpq_set_si(q, 1, 10);
    assert_true(fmpq_equal(pot->U + 0, q));
    fmpq_set_si(q, -3, 2);
    assert_true(fmpq_equal(pot->U + 1, q));
    fmpq_set_si(q, 1, 400);
    assert_true(fmpq_equal(pot->U + 2, q));
    fmpq_set_si(q, 2, 3);
    assert_true(fmpq_equal(pot->r + 2, q));
    /* step pairs */
    assert_int_equal(parse_str(pot, "step 0.5 -1\nstep 2 -2\n", err), FY_OK);
    assert_int_equal(pot->d, 2);
    fmpq_set_si(q, 2, 1);
    assert_true(fmpq_equal(pot->r + 2, q));
    /* write and read back */
    assert_int_equal(fy_born_potential_write(&text, pot, err), FY_OK);
    assert_int_equal(parse_str(pot, text, err), FY_OK);
    assert_true(fmpq_equal(pot->r + 2, q));
    free(text);
    /* physical units: U = 2 mu V / (hbar c)^2 */
    assert_int_equal(parse_str(pot, "mu 469.4591\n-10\n", err), FY_OK);
    assert_true(pot->physical);
    fmpq_set_si(q, -2 * 4694591 * 10, 10000);
    {
        fmpq_t h;
        fmpq_init(h);
        fy_born_hbarc(h);
        fmpq_mul(h, h, h);
        fmpq_div(q, q, h);
        fmpq_clear(h);
    }
    assert_true(fmpq_equal(pot->U, q));
    /* malformed files name line and column */
    expect_error("-1 x\n", "pot.txt:1:4:", "found \"x\"");
    expect_error("-1\nwidth 2\n", "pot.txt:2:1:", "expected a number or a keyword");
    expect_error("-1\n-1 2/0\n", "pot.txt:2:6:", "division by zero");
    expect_error("-1\n  1.2.3\n", "pot.txt:2:6:", "found \"1.2.3\"");
    expect_error("breakpoints 1 0.5\n-1 -1\n", "pot.txt:1:15:", "above the previous");
    expect_error("breakpoints 1 2\n-1\n", "pot.txt:1:13:", "expected 1 breakpoints");
    expect_error("step 1 -1\n-2\n", "pot.txt:2:1:", "step");
    expect_error("range\n1\n", "pot.txt:1:6:", "expected a number after");
    expect_error("range 1\nrange 2\n-1\n", "pot.txt:2:1:", "given twice");
    expect_error("range -1\n-1\n", "pot.txt:1:7:", "positive");
    expect_error("# nothing\n", "pot.txt:2:1:", "heights");
    expect_error("", "pot.txt:1:1:", "heights");
    expect_error("step 1\n", "pot.txt:1:7:", "height U");
    expect_error("-1, -2\n", "pot.txt:1:3:", "found \"-1,\"");
    fmpq_clear(q);
    fy_born_potential_clear(pot);
}

/* The sign convention: opposite negates the terms, the tensors (exact and double) and the
 * enclosure of a_0 exactly, standard leaves them; the convention lines say which. */
static void test_sign(void **state)
{
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fy_symtensor_struct T[2], D[1];
    fmpq s1[3], s2[3];
    fy_error_t err;
    arb_t a;
    int n;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    arb_init(a);
    pot_const(pot, 3, -1, 2);
    for (n = 0; n < 3; n++)
    {
        fmpq_init(s1 + n);
        fmpq_init(s2 + n);
    }
    for (n = 0; n < 2; n++)
        fy_symtensor_init_empty(T + n);
    fy_symtensor_init_empty(D);
    assert_int_equal(fy_born_terms(s1, pot, 3, err), FY_OK);
    assert_int_equal(fy_born_terms(s2, pot, 3, err), FY_OK);
    assert_int_equal(fy_born_tensors(T, pot, 2, err), FY_OK);
    assert_int_equal(fy_symtensor_convert(D, FY_ARITH_DOUBLE, 53, T + 1, err), FY_OK);
    assert_int_equal(fy_born_a0(res, pot, 20, err), FY_OK);
    arb_set(a, &res->a0);
    fy_born_apply_sign(s2, 3, NULL, 0, NULL, FY_BORN_SIGN_STANDARD);
    for (n = 0; n < 3; n++)
        assert_true(fmpq_equal(s1 + n, s2 + n));
    fy_born_apply_sign(s2, 3, T, 2, &res->a0, FY_BORN_SIGN_OPPOSITE);
    fy_born_apply_sign(NULL, 0, D, 1, NULL, FY_BORN_SIGN_OPPOSITE);
    for (n = 0; n < 3; n++)
    {
        fmpq_neg(s2 + n, s2 + n);
        assert_true(fmpq_equal(s1 + n, s2 + n));
    }
    /* weak attraction: a_0^(1) < 0 in the standard sign, > 0 opposite */
    assert_true(fmpq_sgn(s1) < 0);
    arb_neg(a, a);
    assert_true(arb_equal(a, &res->a0));
    assert_true(arb_is_positive(&res->a0));
    /* the gradient entries c_j > 0 become negative; the Hessian in double likewise */
    for (n = 0; n < 3; n++)
        assert_true(fmpq_sgn(fy_numvec_fmpq(&T[0].e) + n) < 0);
    assert_true(fy_numvec_d(&D->e)[0] > 0); /* -(d^2 a_0)_11 = 2 K_11 > 0 */
    assert_string_equal(fy_born_convention(FY_BORN_SIGN_STANDARD), FY_BORN_CONVENTION);
    assert_non_null(strstr(fy_born_convention(FY_BORN_SIGN_OPPOSITE), "a_0 = -(R - u(R)/u'(R))"));
    assert_string_equal(fy_born_sign_name(FY_BORN_SIGN_OPPOSITE), "opposite");
    assert_string_equal(fy_born_sign_name(FY_BORN_SIGN_STANDARD), "standard");
    for (n = 0; n < 3; n++)
    {
        fmpq_clear(s1 + n);
        fmpq_clear(s2 + n);
    }
    for (n = 0; n < 2; n++)
        fy_symtensor_clear(T + n);
    fy_symtensor_clear(D);
    arb_clear(a);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
}

static void test_data(void **state)
{
    fy_born_data_t a, b;
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fy_safetensors_t st;
    fy_error_t err;
    fmpq_t R, onem;
    const fy_tensor_struct *t;
    slong i, j, k, n = 25, d = 4;
    int sh;
    (void) state;
    fy_error_init(err);
    fy_born_data_init(a);
    fy_born_data_init(b);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    fmpq_init(R);
    fmpq_init(onem);
    assert_int_equal(fy_born_data_generate(a, n, d, 1.5, 0.25, 42, 0, err), FY_OK);
    assert_int_equal(fy_born_data_generate(b, n, d, 1.5, 0.25, 42, 0, err), FY_OK);
    assert_memory_equal(a->U, b->U, (size_t) (n * d) * sizeof(double));
    assert_memory_equal(a->a0, b->a0, (size_t) n * sizeof(double));
    assert_int_equal(fy_born_data_generate(b, n, d, 1.5, 0.25, 43, 0, err), FY_OK);
    assert_true(memcmp(a->U, b->U, (size_t) (n * d) * sizeof(double)) != 0);
    fmpq_set_si(R, 3, 2);
    fmpq_set_si(onem, 5, 4);
    fy_born_potential_set_steps(pot, d, R, NULL, err);
    for (i = 0; i < n; i++)
    {
        for (j = 0; j < d; j++)
        {
            assert_true(a->U[i * d + j] <= 0);
            fy_fmpq_set_d(pot->U + j, a->U[i * d + j], err);
        }
        /* shallow with margin: no bound state even at coupling 1 + margin */
        assert_int_equal(fy_born_bound_states(&k, &sh, pot, onem, err), FY_OK);
        assert_int_equal(k, 0);
        assert_true(sh);
        assert_int_equal(fy_born_a0(res, pot, 20, err), FY_OK);
        assert_true(fy_d_near_arb(a->a0[i], &res->a0, 1e-15, 0));
        assert_true(a->a0[i] < 0);
    }
    assert_int_equal(fy_born_data_write_safetensors("test_born_data.safetensors", a, err), FY_OK);
    fy_safetensors_init(st);
    assert_int_equal(fy_safetensors_read(st, "test_born_data.safetensors", err), FY_OK);
    t = fy_safetensors_find(st, "U");
    assert_non_null(t);
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->shape[0], n);
    assert_int_equal(t->shape[1], d);
    assert_memory_equal(t->data, a->U, (size_t) (n * d) * sizeof(double));
    t = fy_safetensors_find(st, "a0");
    assert_non_null(t);
    assert_memory_equal(t->data, a->a0, (size_t) n * sizeof(double));
    assert_string_equal(fy_safetensors_meta(st, "seed"), "42");
    assert_non_null(strstr(fy_safetensors_meta(st, "description"), "Uniform"));
    assert_non_null(strstr(fy_safetensors_meta(st, "convention"), "a_0 = R - u(R)/u'(R)"));
    fy_safetensors_clear(st);
    /* the reader gives back what the writer wrote (bytes, shape, range, margin, seed) */
    assert_int_equal(fy_born_data_read_safetensors(b, "test_born_data.safetensors", err), FY_OK);
    assert_int_equal(b->n, n);
    assert_int_equal(b->d, d);
    assert_true(b->R == 1.5 && b->margin == 0.25 && b->seed == 42);
    assert_memory_equal(b->U, a->U, (size_t) (n * d) * sizeof(double));
    assert_memory_equal(b->a0, a->a0, (size_t) n * sizeof(double));
    assert_string_equal(b->description, a->description);
    unlink("test_born_data.safetensors");
    /* a file without the tensors is refused, naming the file */
    assert_int_equal(fy_born_data_read_safetensors(b, "test_born_data.safetensors", err) != FY_OK,
                     1);
    assert_null(b->U);
    /* bad arguments are refused */
    assert_int_equal(fy_born_data_generate(b, 0, d, 1, 0.5, 1, 0, err), FY_EINPUT);
    assert_int_equal(fy_born_data_generate(b, 3, d, -1, 0.5, 1, 0, err), FY_EINPUT);
    fmpq_clear(R);
    fmpq_clear(onem);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
    fy_born_data_clear(a);
    fy_born_data_clear(b);
}

/* A data set by hand: values whose decimal forms need all 17 digits, a subnormal, -0. */
static void data_by_hand(fy_born_data_t a, slong n, slong d)
{
    slong i;
    fy_born_data_clear(a);
    a->n = n;
    a->d = d;
    a->R = 1.25;
    a->margin = 0.5;
    a->seed = 18446744073709551615ULL;
    a->U = malloc(sizeof(double) * (size_t) (n * d));
    a->a0 = malloc(sizeof(double) * (size_t) n);
    a->description = strdup("by hand: line one\nline two");
    assert_non_null(a->U);
    assert_non_null(a->a0);
    for (i = 0; i < n * d; i++)
        a->U[i] = -(double) (i + 1) / 3.0;
    a->U[1] = -0.0;
    a->U[2] = -4.9406564584124654e-324; /* the smallest subnormal */
    for (i = 0; i < n; i++)
        a->a0[i] = -0.1 * (double) (i + 1) - 1e-17 * (double) i;
}

static void assert_same_data(const fy_born_data_t b, const fy_born_data_t a)
{
    assert_int_equal(b->n, a->n);
    assert_int_equal(b->d, a->d);
    assert_true(b->R == a->R);
    assert_true(b->margin == a->margin);
    assert_true(b->seed == a->seed);
    assert_memory_equal(b->U, a->U, sizeof(double) * (size_t) (a->n * a->d));
    assert_memory_equal(b->a0, a->a0, sizeof(double) * (size_t) a->n);
    assert_non_null(b->description);
    assert_non_null(strstr(b->description, "line one"));
    assert_non_null(strstr(b->description, "line two"));
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void rm_npy_dir(const char *dir)
{
    char p[256];
    const char *names[] = {"U.npy", "a0.npy", "metadata.json", ".feynn-manifest"};
    int k;
    for (k = 0; k < 4; k++)
    {
        snprintf(p, sizeof p, "%s/%s", dir, names[k]);
        unlink(p);
    }
    rmdir(dir);
}

/* Issue 10, item 4: the npy folder is written as a whole.  A rewrite leaves no file of the
 * earlier run that this run does not write; a non-empty folder feynn did not write is refused,
 * and with force moved aside (its file kept), not mixed with the new arrays. */
static void test_data_npy_folder(void **state)
{
    const char *dir = "test_born_npy_folder";
    char p[256];
    fy_born_data_t a, b;
    fy_error_t err;
    FILE *fp;
    (void) state;
    fy_error_init(err);
    fy_born_data_init(a);
    fy_born_data_init(b);
    data_by_hand(a, 4, 2);
    rm_npy_dir(dir);
    mkdir(dir, 0755);
    snprintf(p, sizeof p, "%s/mine.txt", dir);
    fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("a user's file\n", fp);
    fclose(fp);
    assert_int_equal(fy_born_data_write_npy(dir, a, 0, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, dir));
    assert_int_equal(access(p, F_OK), 0); /* untouched */
    assert_int_equal(fy_born_data_write_npy(dir, a, 1, err), FY_OK);
    assert_int_not_equal(access(p, F_OK), 0); /* moved aside with its folder */
    assert_int_equal(fy_born_data_read(b, dir, err), FY_OK);
    assert_same_data(b, a);
    /* feynn's own folder is replaced: a smaller data set reads back alone */
    data_by_hand(a, 2, 3);
    assert_int_equal(fy_born_data_write_npy(dir, a, 0, err), FY_OK);
    assert_int_equal(fy_born_data_read(b, dir, err), FY_OK);
    assert_same_data(b, a);
    rm_npy_dir(dir);
    /* the folder moved aside: DIR.old.XXXXXX with the user's file in it */
    {
        char cmd[320];
        snprintf(cmd, sizeof cmd, "ls -d %s.old.* >/dev/null 2>&1 && rm -rf %s.old.*", dir, dir);
        assert_int_equal(system(cmd), 0);
    }
    fy_born_data_clear(a);
    fy_born_data_clear(b);
}

/* Issue 10, item 5: everything fy_born_data_write writes, fy_born_data_read reads back, bit
 * for bit, with the format found from the path. */
static void test_data_formats(void **state)
{
    const char *paths[3] = {"test_born_fmt.safetensors", "test_born_fmt_npy",
                            "test_born_fmt.txt"};
    fy_born_data_t a, b;
    fy_error_t err;
    int f, got;
    (void) state;
    fy_error_init(err);
    fy_born_data_init(a);
    fy_born_data_init(b);
    data_by_hand(a, 5, 3);
    for (f = 0; f < 3; f++)
    {
        assert_string_equal(fy_born_data_format_name(f),
                             f == 0 ? "safetensors" : f == 1 ? "npy" : "text");
        assert_int_equal(fy_born_data_write(paths[f], a, f, err), FY_OK);
        assert_int_equal(fy_born_data_detect(&got, paths[f], err), FY_OK);
        assert_int_equal(got, f);
        assert_int_equal(fy_born_data_read(b, paths[f], err), FY_OK);
        assert_same_data(b, a);
    }
    assert_null(fy_born_data_format_name(3));
    /* a generated data set through every format: the same bytes */
    assert_int_equal(fy_born_data_generate(a, 6, 2, 1.0, 0.5, 5, 0, err), FY_OK);
    for (f = 0; f < 3; f++)
    {
        assert_int_equal(fy_born_data_write(paths[f], a, f, err), FY_OK);
        assert_int_equal(fy_born_data_read(b, paths[f], err), FY_OK);
        assert_memory_equal(b->U, a->U, sizeof(double) * 12);
        assert_memory_equal(b->a0, a->a0, sizeof(double) * 6);
        assert_string_equal(b->description, a->description);
    }
    unlink(paths[0]);
    unlink(paths[2]);
    rm_npy_dir(paths[1]);
    fy_born_data_clear(a);
    fy_born_data_clear(b);
}

static void expect_refused(const char *path, const char *msg)
{
    fy_born_data_t b;
    fy_error_t err;
    fy_error_init(err);
    fy_born_data_init(b);
    assert_int_equal(fy_born_data_read(b, path, err), FY_EINPUT);
    if (strstr(err->msg, msg) == NULL)
        fail_msg("message '%s' lacks '%s'", err->msg, msg);
    assert_null(b->U);
    fy_born_data_clear(b);
}

/* A text file written by hand (comments, tabs, blank lines, exponents) and malformed ones. */
static void test_data_text(void **state)
{
    fy_born_data_t b;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_born_data_init(b);
    write_file("test_born_hand.txt", "# a comment line\n# R: 2\n\n-1 -0.5\t 0.25\n"
                                     "  -2e-1 3E0 -1.5  \r\n# trailing comment\n");
    assert_int_equal(fy_born_data_read(b, "test_born_hand.txt", err), FY_OK);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->d, 2);
    assert_true(b->R == 2 && isnan(b->margin) && b->seed == 0 && b->description == NULL);
    assert_true(b->U[0] == -1 && b->U[1] == -0.5 && b->a0[0] == 0.25);
    assert_true(b->U[2] == -0.2 && b->U[3] == 3 && b->a0[1] == -1.5);
    write_file("test_born_hand.txt", "# d: 2\n-1 -0.5 0.25\n-1 -0.5x 0.25\n");
    expect_refused("test_born_hand.txt", "test_born_hand.txt:3:4: expected a finite number, "
                                         "found '-0.5x'");
    write_file("test_born_hand.txt", "-1 -0.5 0.25\n-1 0.25\n");
    expect_refused("test_born_hand.txt", "test_born_hand.txt:2:8: expected 3 numbers per row");
    write_file("test_born_hand.txt", "-1 nan 0.25\n");
    expect_refused("test_born_hand.txt", "test_born_hand.txt:1:4:");
    write_file("test_born_hand.txt", "# d: 3\n-1 -0.5 0.25\n");
    expect_refused("test_born_hand.txt", "the metadata give d = '3' but the arrays hold 2 steps");
    write_file("test_born_hand.txt", "# only comments\n");
    expect_refused("test_born_hand.txt", "no samples");
    unlink("test_born_hand.txt");
    fy_born_data_clear(b);
}

static void npy_file(const char *path, int ndim, size_t s0, size_t s1, double fill)
{
    fy_npy_t a;
    fy_error_t err;
    size_t shape[2] = {s0, s1}, i;
    fy_error_init(err);
    fy_npy_init(a);
    assert_int_equal(fy_npy_set_shape(a, ndim, shape, err), FY_OK);
    for (i = 0; i < a->numel; i++)
        a->data[i] = fill;
    assert_int_equal(fy_npy_write(path, a, err), FY_OK);
    fy_npy_clear(a);
}

/* npy folders made by hand (as NumPy would), stale and broken ones. */
static void test_data_npy(void **state)
{
    const char *dir = "test_born_npyh";
    fy_born_data_t b;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_born_data_init(b);
    rm_npy_dir(dir);
    assert_int_equal(fy_mkdir_p(dir, err), FY_OK);
    npy_file("test_born_npyh/U.npy", 2, 4, 3, -0.5);
    expect_refused(dir, "no a0.npy");
    npy_file("test_born_npyh/a0.npy", 1, 4, 0, -0.125);
    /* no metadata.json: the range taken as 1, margin unknown */
    assert_int_equal(fy_born_data_read(b, dir, err), FY_OK);
    assert_true(b->n == 4 && b->d == 3 && b->R == 1 && isnan(b->margin));
    assert_true(b->U[11] == -0.5 && b->a0[3] == -0.125);
    write_file("test_born_npyh/metadata.json", "{\"R\": \"0.5\", \"n\": 4, \"d\": \"3\"}\n");
    assert_int_equal(fy_born_data_read(b, dir, err), FY_OK);
    assert_true(b->R == 0.5);
    /* a0 of another run (5 samples) beside U (4) */
    npy_file("test_born_npyh/a0.npy", 1, 5, 0, -0.125);
    expect_refused(dir, "U.npy has shape (4, 3) and a0.npy (5,)");
    npy_file("test_born_npyh/a0.npy", 1, 4, 0, -0.125);
    write_file("test_born_npyh/metadata.json", "{\"n\": \"40\"}\n");
    expect_refused(dir, "the metadata give n = '40' but the arrays hold 4 samples");
    write_file("test_born_npyh/metadata.json", "{\"R\": \"0.5\",}\n");
    expect_refused(dir, "metadata.json:1:");
    unlink("test_born_npyh/metadata.json");
    npy_file("test_born_npyh/a0.npy", 1, 4, 0, NAN);
    expect_refused(dir, "a0[0] is nan");
    /* one array is not a data set */
    expect_refused("test_born_npyh/U.npy", "give the folder");
    /* a safetensors file cut short is neither safetensors nor text */
    {
        FILE *fp = fopen("test_born_npyh/cut.safetensors", "wb");
        assert_non_null(fp);
        fwrite("\x40\0\0\0\0\0\0\0{\"U\":", 1, 13, fp);
        fclose(fp);
        expect_refused("test_born_npyh/cut.safetensors", "binary, but not safetensors");
        unlink("test_born_npyh/cut.safetensors");
    }
    rm_npy_dir(dir);
    fy_born_data_clear(b);
}

static void test_tensor_size(void **state)
{
    fy_born_potential_t pot;
    fy_symtensor_struct T[4];
    fy_error_t err;
    double t0;
    int n;
    (void) state;
    fy_error_init(err);
    fy_born_potential_init(pot);
    pot_const(pot, 16, -1, 1);
    for (n = 0; n < 4; n++)
        fy_symtensor_init_empty(T + n);
    t0 = fy_wall_time();
    assert_int_equal(fy_born_tensors(T, pot, 4, err), FY_OK);
    printf("# d = 16, orders 1..4: %.3f s\n", fy_wall_time() - t0);
    assert_int_equal(fy_symtensor_len(T + 3), 3876);
    for (n = 0; n < 4; n++)
        fy_symtensor_clear(T + n);
    fy_born_potential_clear(pot);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_square_well_terms),
    cmocka_unit_test(test_ladders),
    cmocka_unit_test(test_gradient_hessian),
    cmocka_unit_test(test_polarization),
    cmocka_unit_test(test_a0_square_well),
    cmocka_unit_test(test_series_sums_to_a0),
    cmocka_unit_test(test_bound_states),
    cmocka_unit_test(test_parser),
    cmocka_unit_test(test_sign),
    cmocka_unit_test(test_data),
    cmocka_unit_test(test_data_formats),
    cmocka_unit_test(test_data_npy_folder),
    cmocka_unit_test(test_data_text),
    cmocka_unit_test(test_data_npy),
    cmocka_unit_test(test_tensor_size),
};

FY_TEST_MAIN("born", tests)
