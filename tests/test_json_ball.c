/* test_json_ball.c - the one JSON encoding of a ball (io/json_num.h: fy_json_ball): the
 * object {"mid", "rad"} of decimal strings, read back exactly, contains the ball (checked in
 * exact rationals against the ball's own midpoint and radius, not through the printer), for
 * closed forms and for random balls at random precisions and radii; exact balls have rad "0";
 * the one rule for non-finite balls; and the finite-or-null number beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "feynn/num.h"
#include "io/json_num.h"
#include "testutil.h"

/* The two members of a JSON ball, checked to be its only members and strings, in that order. */
static void members(const json_t *j, const char **mid, const char **rad)
{
    char *s;
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 2);
    assert_true(json_is_string(json_object_get(j, "mid")));
    assert_true(json_is_string(json_object_get(j, "rad")));
    *mid = json_string_value(json_object_get(j, "mid"));
    *rad = json_string_value(json_object_get(j, "rad"));
    s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    assert_memory_equal(s, "{\"mid\":\"", 8);
    free(s);
}

/* [mid - rad, mid + rad], read as exact decimals, contains [m - r, m + r] of the ball x (exact
 * rationals from x's own midpoint and radius); and rad is not wider than x's radius plus one
 * unit in the last printed digit of mid, with 1% for rounding rad up to 3 digits. */
static void check_contains(const arb_t x, slong digits)
{
    const char *ms, *rs;
    json_t *j = fy_json_ball(x, digits);
    fmpq_t m, r, xm, xr, t, u;
    arf_t a;
    fy_error_t e;
    slong nd = 0;
    const char *p;

    members(j, &ms, &rs);
    /* significant digits of mid: after the sign and the leading zeros, up to the exponent */
    for (p = ms + (ms[0] == '-'); *p == '0' || *p == '.'; p++)
        ;
    for (; *p && *p != 'e'; p++)
        nd += *p >= '0' && *p <= '9';
    if (nd > (digits > 0 ? digits : 1))
        fail_msg("mid %s has %ld significant digits, %ld asked", ms, (long) nd, (long) digits);
    fmpq_init(m), fmpq_init(r), fmpq_init(xm), fmpq_init(xr), fmpq_init(t), fmpq_init(u);
    arf_init(a);
    assert_int_equal(fy_fmpq_parse(m, ms[0] == '-' ? ms + 1 : ms, e), FY_OK);
    if (ms[0] == '-')
        fmpq_neg(m, m);
    assert_int_equal(fy_fmpq_parse(r, rs, e), FY_OK);
    arf_get_fmpq(xm, arb_midref(x));
    arf_set_mag(a, arb_radref(x));
    arf_get_fmpq(xr, a);
    /* |m - xm| + xr <= r */
    fmpq_sub(t, m, xm);
    fmpq_abs(t, t);
    fmpq_add(t, t, xr);
    assert_true(fmpq_cmp(t, r) <= 0);
    assert_true(strcmp(rs, "0") != 0 || fmpq_is_zero(t));
    /* r <= 1.01 (xr + 10^(E - digits + 1)), 10^(E-1) <= |xm| < 10^E: mid's rounding is at most
     * half a unit of 10^(E - digits), rad is rounded up to 3 digits */
    if (!fmpq_is_zero(xm))
    {
        slong E = (slong) floor(log10(fabs(arf_get_d(arb_midref(x), ARF_RND_NEAR)))) + 1;
        slong k = E - (digits > 0 ? digits : 1) + 1;
        fmpz_set_ui(fmpq_numref(u), 10);
        fmpz_pow_ui(fmpq_numref(u), fmpq_numref(u), (ulong) (k < 0 ? -k : k));
        fmpz_one(fmpq_denref(u));
        if (k < 0)
            fmpq_inv(u, u);
        fmpq_add(u, u, xr);
        fmpq_mul_si(u, u, 101);
        fmpq_mul_si(t, r, 100);
        assert_true(fmpq_cmp(t, u) <= 0);
    }
    arf_clear(a);
    fmpq_clear(m), fmpq_clear(r), fmpq_clear(xm), fmpq_clear(xr), fmpq_clear(t), fmpq_clear(u);
    json_decref(j);
}

/* Closed forms: 1/3 and -2/7 in balls contain the exact value; an exact ball prints rad "0"
 * (mid as Arb's arf_get_str writes it, to the digits asked: "-3.0000"). */
static void test_closed_forms(void **state)
{
    arb_t x;
    fmpq_t q, m, r;
    const char *ms, *rs;
    json_t *j;
    fy_error_t e;
    (void) state;
    arb_init(x);
    fmpq_init(q), fmpq_init(m), fmpq_init(r);
    fmpq_set_si(q, 1, 3);
    arb_set_fmpq(x, q, 128);
    check_contains(x, 10);
    j = fy_json_ball(x, 10);
    members(j, &ms, &rs);
    assert_string_equal(ms, "0.3333333333");
    /* the exact 1/3 lies in [mid - rad, mid + rad]: |1/3 - mid| <= rad */
    assert_int_equal(fy_fmpq_parse(m, ms, e), FY_OK);
    assert_int_equal(fy_fmpq_parse(r, rs, e), FY_OK);
    fmpq_sub(m, m, q);
    fmpq_abs(m, m);
    assert_true(fmpq_cmp(m, r) <= 0);
    json_decref(j);
    fmpq_set_si(q, -2, 7);
    arb_set_fmpq(x, q, 64);
    check_contains(x, 20);
    /* exactly representable: rad "0", mid the exact decimal */
    arb_set_si(x, -3);
    j = fy_json_ball(x, 5);
    members(j, &ms, &rs);
    assert_string_equal(ms, "-3.0000");
    assert_string_equal(rs, "0");
    json_decref(j);
    arb_set_d(x, 0.25);
    j = fy_json_ball(x, 5);
    members(j, &ms, &rs);
    assert_string_equal(ms, "0.25000");
    assert_string_equal(rs, "0");
    json_decref(j);
    fmpq_clear(q), fmpq_clear(m), fmpq_clear(r);
    arb_clear(x);
}

/* Random balls (fy_arb_randtest: random precisions 32..512, zero, rounding-sized, medium and
 * wide radii) at random digits 1..40: the JSON ball contains the ball and is not much wider. */
static void test_random_balls(void **state)
{
    uint64_t st = fy_test_seed("json_ball_random");
    arb_t x;
    int i;
    (void) state;
    arb_init(x);
    for (i = 0; i < 2000; i++)
    {
        slong prec = fy_randtest_range(&st, 32, 512);
        fy_arb_randtest(x, &st, prec, 40);
        check_contains(x, fy_randtest_range(&st, 1, 40));
    }
    arb_clear(x);
}

/* The one rule for non-finite balls: rad "inf"; mid "inf", "-inf", "nan" when the midpoint is
 * not finite, the printed midpoint when only the radius is. */
static void test_non_finite(void **state)
{
    arb_t x;
    const char *ms, *rs;
    json_t *j;
    static const char *want[4][2] = {{"inf", "inf"}, {"-inf", "inf"}, {"nan", "inf"},
                                     {"1.500000000", "inf"}};
    int k;
    (void) state;
    arb_init(x);
    for (k = 0; k < 4; k++)
    {
        if (k == 0)
            arb_pos_inf(x);
        else if (k == 1)
            arb_neg_inf(x);
        else if (k == 2)
            arb_indeterminate(x);
        else
        {
            arb_set_d(x, 1.5);
            mag_inf(arb_radref(x));
        }
        j = fy_json_ball(x, 10);
        members(j, &ms, &rs);
        assert_string_equal(ms, want[k][0]);
        assert_string_equal(rs, want[k][1]);
        json_decref(j);
    }
    arb_clear(x);
}

/* fy_json_number: a finite double as a real, nan and the infinities as null. */
static void test_number(void **state)
{
    json_t *j;
    (void) state;
    j = fy_json_number(0.1);
    assert_true(json_is_real(j));
    assert_true(json_real_value(j) == 0.1);
    json_decref(j);
    assert_true(json_is_null(fy_json_number(NAN)));
    assert_true(json_is_null(fy_json_number(INFINITY)));
    assert_true(json_is_null(fy_json_number(-INFINITY)));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_closed_forms),
    cmocka_unit_test(test_random_balls),
    cmocka_unit_test(test_non_finite),
    cmocka_unit_test(test_number),
};

FY_TEST_MAIN("json_ball", tests)
