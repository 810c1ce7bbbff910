/* Tests of the num module: exact float conversions (every binary16/bfloat16 pattern, random
 * binary32/binary64 against GMP's exact mpq_set_d and MPFR), correct rounding of rationals to
 * double (against MPFR emulating IEEE double), the exact parser, printing, containment,
 * precision raising and number vectors.  Expected values come from other routes: the
 * compiler's _Float16, GMP/MPFR, integer arithmetic on the bit fields, hand-written rationals. */
#include <math.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include <flint/fmpq_vec.h>

#include "feynn/num.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

/* 1 if the rational q equals the double x exactly (GMP's mpq_set_d is exact). */
static int fmpq_equals_double(const fmpq_t q, double x)
{
    mpq_t a, b;
    int eq;
    mpq_init(a);
    mpq_init(b);
    mpq_set_d(a, x);
    fmpq_get_mpq(b, q);
    eq = mpq_equal(a, b);
    mpq_clear(a);
    mpq_clear(b);
    return eq;
}

/* Value of a binary float from its fields by plain integer arithmetic (a route that does not
 * share code with the library): (-1)^s (2^mbits [e>0] + m) 2^(max(e,1) - bias - mbits). */
static void fields_to_fmpq(fmpq_t q, uint64_t bits, int ebits, int mbits)
{
    uint64_t m = bits & (((uint64_t) 1 << mbits) - 1);
    int e = (int) ((bits >> mbits) & ((1u << ebits) - 1));
    int s = (int) ((bits >> (ebits + mbits)) & 1);
    int bias = (1 << (ebits - 1)) - 1, p;
    fmpz_t num, den;

    fmpz_init_set_ui(num, e ? m + ((uint64_t) 1 << mbits) : m);
    fmpz_init_set_ui(den, 1);
    p = (e ? e : 1) - bias - mbits;
    if (p >= 0)
        fmpz_mul_2exp(num, num, (ulong) p);
    else
        fmpz_mul_2exp(den, den, (ulong) -p);
    if (s)
        fmpz_neg(num, num);
    fmpq_set_fmpz_frac(q, num, den);
    fmpz_clear(num);
    fmpz_clear(den);
}

static double bits_to_f32d(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return (double) f;
}

static double bits_to_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* Random rational with numerator in [-lim, lim] and denominator in [1, dlim]. */
static void rand_fmpq(fmpq_t q, uint64_t *st, slong lim, ulong dlim)
{
    slong p = (slong) (fy_test_rand(st) % (uint64_t) (2 * lim + 1)) - lim;
    ulong d = 1 + fy_test_rand(st) % dlim;
    fmpq_set_si(q, p, d);
}

/* ------------------------------------------------------------------ float conversions */

static void test_f16_all_patterns(void **state)
{
    fmpq_t q, r;
    fy_error_t e;
    uint32_t b;
    int refused = 0;
    (void) state;

    fmpq_init(q);
    fmpq_init(r);
    fy_error_init(e);
    for (b = 0; b < 65536; b++)
    {
        int rc = fy_fmpq_set_f16_bits(q, (uint16_t) b, e);
        if (((b >> 10) & 0x1f) == 0x1f)
        {
            assert_int_equal(rc, FY_EINPUT);
            assert_true(fmpq_is_zero(q));
            refused++;
            continue;
        }
        assert_int_equal(rc, FY_OK);
        fields_to_fmpq(r, b, 5, 10);
        assert_true(fmpq_equal(q, r));
        /* the skeleton's float decoder agrees */
        assert_true(fmpq_equals_double(q, fy_f16_to_double((uint16_t) b)));
#if defined(__FLT16_MAX__)
        {
            _Float16 h;
            uint16_t hb = (uint16_t) b;
            memcpy(&h, &hb, sizeof h);
            assert_true(fmpq_equals_double(q, (double) h));
        }
#endif
    }
    assert_int_equal(refused, 2 * 1024); /* +-inf and 2 * 1023 NaNs */
    assert_int_equal(fy_fmpq_set_f16_bits(q, 0x7c00, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "infinity"));
    assert_int_equal(fy_fmpq_set_f16_bits(q, 0x7e00, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "NaN"));
    /* spot values by hand: smallest subnormal 2^-24, largest finite 65504, -1.5 */
    fy_fmpq_set_f16_bits(q, 0x0001, e);
    fmpq_set_si(r, 1, 1 << 24);
    assert_true(fmpq_equal(q, r));
    fy_fmpq_set_f16_bits(q, 0x7bff, e);
    fmpq_set_si(r, 65504, 1);
    assert_true(fmpq_equal(q, r));
    fy_fmpq_set_f16_bits(q, 0xbe00, e);
    fmpq_set_si(r, -3, 2);
    assert_true(fmpq_equal(q, r));
    fmpq_clear(q);
    fmpq_clear(r);
}

static void test_bf16_all_patterns(void **state)
{
    fmpq_t q, r;
    fy_error_t e;
    uint32_t b;
    (void) state;

    fmpq_init(q);
    fmpq_init(r);
    fy_error_init(e);
    for (b = 0; b < 65536; b++)
    {
        int rc = fy_fmpq_set_bf16_bits(q, (uint16_t) b, e);
        if (((b >> 7) & 0xff) == 0xff)
        {
            assert_int_equal(rc, FY_EINPUT);
            continue;
        }
        assert_int_equal(rc, FY_OK);
        assert_true(fmpq_equals_double(q, bits_to_f32d(b << 16))); /* bf16 = top of a float */
        fields_to_fmpq(r, b, 8, 7);
        assert_true(fmpq_equal(q, r));
    }
    fmpq_clear(q);
    fmpq_clear(r);
}

static void test_f32_f64_random(void **state)
{
    uint64_t st = fy_test_seed("f32_f64_random");
    fmpq_t q;
    fy_error_t e;
    mpfr_t m;
    mpq_t mq;
    int i;
    static const uint64_t edges64[] = {
        0, 0x8000000000000000ULL, 1, 0x000fffffffffffffULL, 0x0010000000000000ULL,
        0x7fefffffffffffffULL, 0xffefffffffffffffULL, 0x3ff0000000000000ULL,
        0x3fb999999999999aULL /* 0.1 */};
    (void) state;

    fmpq_init(q);
    fy_error_init(e);
    mpfr_init2(m, 53);
    mpq_init(mq);
    for (i = 0; i < 200000; i++)
    {
        uint32_t b = (uint32_t) fy_test_rand(&st);
        int rc = fy_fmpq_set_f32_bits(q, b, e);
        if (((b >> 23) & 0xff) == 0xff)
            assert_int_equal(rc, FY_EINPUT);
        else
        {
            assert_int_equal(rc, FY_OK);
            assert_true(fmpq_equals_double(q, bits_to_f32d(b)));
        }
    }
    for (i = 0; i < 200000 + (int) (sizeof edges64 / sizeof *edges64); i++)
    {
        uint64_t b = i < 200000 ? fy_test_rand(&st) : edges64[i - 200000];
        double x;
        int rc;
        if (i % 4 == 1)
            b &= 0x800fffffffffffffULL; /* force subnormals */
        x = bits_to_f64(b);
        rc = fy_fmpq_set_f64_bits(q, b, e);
        if (!isfinite(x))
        {
            assert_int_equal(rc, FY_EINPUT);
            continue;
        }
        assert_int_equal(rc, FY_OK);
        assert_true(fmpq_equals_double(q, x));
        /* MPFR route: the double is exact in 53 bits and compares equal to the rational */
        mpfr_set_d(m, x, MPFR_RNDN);
        fmpq_get_mpq(mq, q);
        assert_int_equal(mpfr_cmp_q(m, mq), 0);
        assert_true((slong) fmpz_val2(fmpq_denref(q)) + 1 == (slong) fmpz_bits(fmpq_denref(q)));
        /* and back, exactly */
        assert_true(fy_fmpq_get_d(q) == x);
        rc = fy_fmpq_set_d(q, x, e);
        assert_int_equal(rc, FY_OK);
        assert_true(fmpq_equals_double(q, x));
    }
    assert_int_equal(fy_fmpq_set_d(q, NAN, e), FY_EINPUT);
    assert_int_equal(fy_fmpq_set_d(q, -INFINITY, e), FY_EINPUT);
    {
        arb_t a;
        arb_init(a);
        assert_int_equal(fy_arb_set_d_exact(a, 0.1, e), FY_OK);
        assert_true(mag_is_zero(arb_radref(a)));
        fy_fmpq_set_d(q, 0.1, e);
        assert_true(arb_contains_fmpq(a, q));
        assert_int_equal(fy_arb_set_d_exact(a, INFINITY, e), FY_EINPUT);
        arb_clear(a);
    }
    mpq_clear(mq);
    mpfr_clear(m);
    fmpq_clear(q);
}

/* MPFR emulating IEEE double (exponent range and subnormals), the documented way. */
static double mpfr_round_double(const fmpq_t q)
{
    mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    mpfr_t r;
    mpq_t mq;
    double d;
    int t;
    mpfr_set_emin(-1073);
    mpfr_set_emax(1024);
    mpfr_init2(r, 53);
    mpq_init(mq);
    fmpq_get_mpq(mq, q);
    t = mpfr_set_q(r, mq, MPFR_RNDN);
    t = mpfr_check_range(r, t, MPFR_RNDN);
    mpfr_subnormalize(r, t, MPFR_RNDN);
    d = mpfr_get_d(r, MPFR_RNDN);
    mpfr_clear(r);
    mpq_clear(mq);
    mpfr_set_emin(emin);
    mpfr_set_emax(emax);
    return d;
}

static void test_fmpq_get_d_rounding(void **state)
{
    uint64_t st = fy_test_seed("fmpq_get_d_rounding");
    fmpq_t q, a, b;
    fy_error_t e;
    int i;
    (void) state;

    fmpq_init(q);
    fmpq_init(a);
    fmpq_init(b);
    fy_error_init(e);
    for (i = 0; i < 20000; i++)
    {
        int kind = i % 4;
        if (kind == 0) /* small-ish random rationals, scaled across the whole range */
        {
            rand_fmpq(q, &st, 1000000007, 1000000009);
            slong s = (slong) (fy_test_rand(&st) % 2300) - 1150;
            if (s >= 0)
                fmpq_mul_2exp(q, q, (ulong) s);
            else
                fmpq_div_2exp(q, q, (ulong) -s);
        }
        else /* exact midpoints between neighbouring doubles (ties), and points near them */
        {
            uint64_t bits = fy_test_rand(&st) & 0x7fefffffffffffffULL;
            double x = bits_to_f64(bits), y = nextafter(x, INFINITY);
            if (kind == 3)
                bits &= 0x000fffffffffffffULL, x = bits_to_f64(bits), y = nextafter(x, 1.0);
            fy_fmpq_set_d(a, x, e);
            fy_fmpq_set_d(b, y, e);
            fmpq_add(q, a, b);
            fmpq_div_2exp(q, q, 1);
            if (kind == 2) /* nudge off the tie by a tiny rational */
            {
                fmpq_set_si(a, (fy_test_rand(&st) & 1) ? 1 : -1, 3);
                fmpq_sub(b, b, q);
                fmpq_mul(a, a, b);
                fmpq_div_2exp(a, a, 20);
                fmpq_add(q, q, a);
            }
            if (fy_test_rand(&st) & 1)
                fmpq_neg(q, q);
        }
        {
            double got = fy_fmpq_get_d(q), want = mpfr_round_double(q);
            if (!(got == want || (isnan(got) && isnan(want))))
            {
                char *s = fy_fmpq_get_str(q);
                fail_msg("fy_fmpq_get_d(%s) = %a, MPFR says %a", s, got, want);
            }
        }
    }
    /* ties to even by hand: 1 + 2^-53 -> 1, 1 + 3 2^-53 -> 1 + 2^-51 */
    fmpq_set_si(q, 1, 1);
    fmpq_set_si(a, 1, 1);
    fmpq_div_2exp(a, a, 53);
    fmpq_add(q, q, a);
    assert_true(fy_fmpq_get_d(q) == 1.0);
    fmpq_mul_si(a, a, 2);
    fmpq_add(q, q, a);
    assert_true(fy_fmpq_get_d(q) == 1.0 + ldexp(1.0, -51));
    /* overflow and underflow */
    fmpq_set_si(q, 1, 1);
    fmpq_mul_2exp(q, q, 1024);
    assert_true(isinf(fy_fmpq_get_d(q)));
    fmpq_set_si(q, -1, 1);
    fmpq_div_2exp(q, q, 1076);
    assert_true(fy_fmpq_get_d(q) == 0.0);
    fmpq_set_si(q, 3, 1);
    fmpq_div_2exp(q, q, 1076); /* 0.75 * 2^-1074 rounds up to the smallest subnormal */
    assert_true(fy_fmpq_get_d(q) == ldexp(1.0, -1074));
    fmpq_set_si(q, 1, 10);
    assert_true(fy_fmpq_get_d(q) == 0.1);
    fmpq_clear(q);
    fmpq_clear(a);
    fmpq_clear(b);
}

/* ------------------------------------------------------------------ text */

static void check_parse(const char *s, slong p, ulong q)
{
    fmpq_t got, want;
    fy_error_t e;
    fmpq_init(got);
    fmpq_init(want);
    fy_error_init(e);
    fmpq_set_si(want, p, q);
    if (fy_fmpq_parse(got, s, e) != FY_OK)
        fail_msg("parse \"%s\": %s", s, e->msg);
    if (!fmpq_equal(got, want))
        fail_msg("parse \"%s\" gave the wrong value", s);
    fmpq_clear(got);
    fmpq_clear(want);
}

static void check_parse_bad(const char *s, int col, const char *word)
{
    fmpq_t got;
    fy_error_t e;
    char want[64];
    fmpq_init(got);
    fy_error_init(e);
    assert_int_equal(fy_fmpq_parse(got, s, e), FY_EINPUT);
    if (col > 0)
    {
        snprintf(want, sizeof want, "column %d", col);
        if (strstr(e->msg, want) == NULL)
            fail_msg("parse \"%s\": message \"%s\" lacks \"%s\"", s, e->msg, want);
    }
    if (word != NULL && strstr(e->msg, word) == NULL)
        fail_msg("parse \"%s\": message \"%s\" lacks \"%s\"", s, e->msg, word);
    assert_true(fmpq_is_zero(got));
    fmpq_clear(got);
}

static void test_parse(void **state)
{
    uint64_t st = fy_test_seed("parse");
    int i;
    (void) state;

    check_parse("0.1", 1, 10);
    check_parse("-3/2", -3, 2);
    check_parse("2.5e-3", 1, 400);
    check_parse("+7", 7, 1);
    check_parse("1e3", 1000, 1);
    check_parse("1E+2", 100, 1);
    check_parse("  5 \n", 5, 1);
    check_parse(".5", 1, 2);
    check_parse("5.", 5, 1);
    check_parse("1/3e2", 1, 300);
    check_parse("-0", 0, 1);
    check_parse("1.5/2.5", 3, 5);
    check_parse("007", 7, 1);
    check_parse("-12.50e1", -125, 1);
    check_parse("6/4", 3, 2);

    check_parse_bad("", 1, "digit");
    check_parse_bad("abc", 1, "digit");
    check_parse_bad("1.2.3", 4, "'.'");
    check_parse_bad("1e", 3, "exponent");
    check_parse_bad("1e+", 4, "exponent");
    check_parse_bad("1/0", 3, "division by zero");
    check_parse_bad("1/0.0e5", 3, "division by zero");
    check_parse_bad("1/-2", 3, "denominator");
    check_parse_bad("--1", 2, NULL);
    check_parse_bad("1 2", 3, NULL);
    check_parse_bad("0x10", 2, "'x'");
    check_parse_bad(".", 1, NULL);
    check_parse_bad("1e9999999999", 0, "exponent beyond");
    check_parse_bad("nan", 1, NULL);
    check_parse_bad("inf", 1, NULL);

    /* random p/q, and random decimals M * 10^-k written with a point */
    for (i = 0; i < 2000; i++)
    {
        char buf[128];
        slong p = (slong) (fy_test_rand(&st) >> 2) - (slong) (UINT64_C(1) << 61);
        ulong q = 1 + (fy_test_rand(&st) >> 1);
        slong m = (slong) (fy_test_rand(&st) % 2000000001) - 1000000000;
        int k = (int) (fy_test_rand(&st) % 9), len;
        fmpq_t want, got;
        fy_error_t e;

        fmpq_init(want);
        fmpq_init(got);
        fy_error_init(e);
        snprintf(buf, sizeof buf, "%ld/%lu", (long) p, (unsigned long) q);
        fmpq_set_si(want, p, q);
        assert_int_equal(fy_fmpq_parse(got, buf, e), FY_OK);
        assert_true(fmpq_equal(got, want));
        {
            char *s = fy_fmpq_get_str(want); /* printed "p/q" parses back */
            assert_int_equal(fy_fmpq_parse(got, s, e), FY_OK);
            assert_true(fmpq_equal(got, want));
            free(s);
        }
        /* decimal: |m| with k digits after the point */
        len = snprintf(buf, sizeof buf, "%s%0*ld", m < 0 ? "-" : "", k + 1, (long) labs(m));
        memmove(buf + len - k + 1, buf + len - k, (size_t) k + 1);
        buf[len - k] = '.';
        {
            fmpz_t t;
            fmpz_init(t);
            fmpz_set_ui(t, 10);
            fmpz_pow_ui(t, t, (ulong) k);
            fmpq_set_si(want, m, 1);
            fmpq_div_fmpz(want, want, t);
            fmpz_clear(t);
        }
        if (fy_fmpq_parse(got, buf, e) != FY_OK || !fmpq_equal(got, want))
            fail_msg("decimal \"%s\" misread (%s)", buf, e->msg);
        fmpq_clear(want);
        fmpq_clear(got);
    }
}

static void test_print(void **state)
{
    fmpq_t q, r;
    arb_t x;
    fy_error_t e;
    char *s;
    (void) state;

    fmpq_init(q);
    fmpq_init(r);
    arb_init(x);
    fy_error_init(e);
    fmpq_set_si(q, -6, 4);
    s = fy_fmpq_get_str(q);
    assert_string_equal(s, "-3/2");
    free(s);
    fmpq_set_si(q, 5, 1);
    s = fy_fmpq_get_str(q);
    assert_string_equal(s, "5");
    free(s);

    /* x = 1/3 +- 1e-10: the certified string has about 10 digits, each one right */
    fmpq_set_si(q, 1, 3);
    arb_set_fmpq(x, q, 200);
    mag_set_d(arb_radref(x), 1e-10);
    s = fy_arb_get_str_radius(x, 20);
    assert_non_null(strstr(s, "+/-"));
    free(s);
    s = fy_arb_get_str_certified(x, 30);
    assert_null(strstr(s, "+/-"));
    assert_true(strncmp(s, "0.33333333", 10) == 0);
    assert_true(strlen(s) <= 14); /* not 30 digits: only what the radius allows */
    {
        /* parsed back, it is within one unit of its last place of 1/3 (+ the radius) */
        size_t ndec = strlen(strchr(s, '.') + 1);
        fmpq_t ulp;
        fmpq_init(ulp);
        assert_int_equal(fy_fmpq_parse(r, s, e), FY_OK);
        fmpq_sub(r, r, q);
        fmpq_abs(r, r);
        fmpq_set_si(ulp, 1, 1);
        {
            fmpz_t t;
            fmpz_init_set_ui(t, 10);
            fmpz_pow_ui(t, t, ndec);
            fmpq_div_fmpz(ulp, ulp, t);
            fmpz_clear(t);
        }
        fmpq_mul_si(ulp, ulp, 2);
        assert_true(fmpq_cmp(r, ulp) <= 0);
        fmpq_clear(ulp);
    }
    free(s);
    /* an exact ball prints all asked digits; a wide one fewer */
    fmpq_set_si(q, 1, 4);
    arb_set_fmpq(x, q, 64);
    s = fy_arb_get_str_certified(x, 10);
    assert_string_equal(s, "0.2500000000"); /* all 10 digits are certified */
    free(s);
    fmpq_set_si(q, 1, 3);
    arb_set_fmpq(x, q, 200);
    mag_set_d(arb_radref(x), 1e-3);
    s = fy_arb_get_str_certified(x, 30);
    assert_true(strlen(s) <= 6);
    free(s);
    fmpq_clear(q);
    fmpq_clear(r);
    arb_clear(x);
}

/* 1 when the exact value enclosed by the tight ball ref (radius ~2^-1000) certainly lies in
 * [mid - rad, mid + rad], mid and rad read back from their printed decimals as rationals. */
static int printed_contains(const char *mid, const char *rad, const arb_t ref)
{
    fmpq_t m, r, lo, hi;
    arb_t t, b;
    fy_error_t e;
    int ok;
    fmpq_init(m);
    fmpq_init(r);
    fmpq_init(lo);
    fmpq_init(hi);
    arb_init(t);
    arb_init(b);
    fy_error_init(e);
    ok = fy_fmpq_parse(m, mid, e) == FY_OK && fy_fmpq_parse(r, rad, e) == FY_OK
         && fmpq_sgn(r) >= 0;
    if (ok)
    {
        fmpq_sub(lo, m, r);
        fmpq_add(hi, m, r);
        arb_set_fmpq(b, lo, 4000);
        arb_sub(t, ref, b, 4000);
        ok = arb_is_nonnegative(t);
        arb_set_fmpq(b, hi, 4000);
        arb_sub(t, b, ref, 4000);
        ok = ok && arb_is_nonnegative(t);
    }
    if (!ok)
        fprintf(stderr, "# [%s +/- %s] misses %s\n", mid, rad, arb_get_str(ref, 40, 0));
    fmpq_clear(m);
    fmpq_clear(r);
    fmpq_clear(lo);
    fmpq_clear(hi);
    arb_clear(t);
    arb_clear(b);
    return ok;
}

/* f_which(c) * scale at prec bits: transcendental values of several kinds. */
static void transcendental(arb_t z, int which, const fmpq_t c, const arb_t scale, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(t, c, prec);
    switch (which)
    {
    case 0: /* sech^2(c) = d/dx tanh at c */
        arb_sech(z, t, prec);
        arb_sqr(z, z, prec);
        break;
    case 1:
        arb_exp(z, t, prec);
        break;
    case 2:
        arb_sin(z, t, prec);
        break;
    case 3:
        arb_const_pi(z, prec);
        arb_mul(z, z, t, prec);
        break;
    default:
        arb_abs(t, t);
        arb_add_ui(t, t, 1, prec);
        arb_log(z, t, prec);
        arb_neg(z, z);
    }
    arb_mul(z, z, scale, prec);
    arb_clear(t);
}

/* Issue 10, item 1: a printed ball [mid +/- rad] (fy_arb_get_str_ball, text and parts) contains
 * the exact value, checked against that value computed at 1000+ bits (not against the
 * internal ball), for random values, working precisions, digit counts and exponents. */
static void test_print_balls_contain(void **state)
{
    uint64_t st = fy_test_seed("print_balls_contain");
    arb_t x, ref, scale;
    fmpq_t c;
    char *text, *mid, *rad;
    int trial;
    (void) state;

    arb_init(x);
    arb_init(ref);
    arb_init(scale);
    fmpq_init(c);

    /* the example: d/dx tanh at 1/2 = sech^2(1/2) = 0.786447732965927410149698..., a
     * 128-bit ball printed to 20 digits (mid 0.78644773296592741015): the printed interval must
     * contain it, and be no wider than one unit of the 20th digit */
    fmpq_set_si(c, 1, 2);
    arb_one(scale);
    transcendental(x, 0, c, scale, 128);
    transcendental(ref, 0, c, scale, 1000);
    assert_int_equal(fy_arb_get_str_ball(&text, &mid, &rad, x, 20), FY_OK);
    assert_string_equal(mid, "0.78644773296592741015");
    assert_true(printed_contains(mid, rad, ref));
    {
        fmpq_t r, ulp;
        fy_error_t e;
        fmpq_init(r);
        fmpq_init(ulp);
        assert_int_equal(fy_fmpq_parse(r, rad, e), FY_OK);
        assert_int_equal(fy_fmpq_parse(ulp, "1e-20", e), FY_OK);
        assert_true(fmpq_cmp(r, ulp) <= 0);
        fmpq_clear(r);
        fmpq_clear(ulp);
    }
    assert_non_null(strstr(text, mid));
    assert_non_null(strstr(text, rad));
    free(text);
    free(mid);
    free(rad);

    for (trial = 0; trial < 3000; trial++)
    {
        int which = (int) (fy_test_rand(&st) % 5);
        slong prec = 10 + (slong) (fy_test_rand(&st) % 250);
        slong digits = 1 + (slong) (fy_test_rand(&st) % 45);
        slong e2 = (slong) (fy_test_rand(&st) % 401) - 200;
        slong p = (slong) (fy_test_rand(&st) % 2001) - 1000;
        ulong q = 1 + fy_test_rand(&st) % 999;
        fmpq_set_si(c, p, q);
        arb_one(scale);
        arb_mul_2exp_si(scale, scale, e2);
        if (fy_test_rand(&st) % 3 == 0)
        {
            /* a power of ten too, so that decimal boundaries are met */
            arb_set_ui(ref, 10);
            arb_pow_ui(ref, ref, fy_test_rand(&st) % 30, 4000);
            arb_mul(scale, scale, ref, 4000);
        }
        transcendental(x, which, c, scale, prec);
        if (fy_test_rand(&st) % 4 == 0) /* a wider ball, still containing the value */
        {
            mag_t extra;
            mag_init(extra);
            mag_set_ui_2exp_si(extra, 1, -(slong) (fy_test_rand(&st) % 80) + e2);
            mag_add(arb_radref(x), arb_radref(x), extra);
            mag_clear(extra);
        }
        transcendental(ref, which, c, scale, 1200);
        assert_int_equal(fy_arb_get_str_ball(&text, &mid, &rad, x, digits), FY_OK);
        if (!printed_contains(mid, rad, ref))
            fail_msg("trial %d: f%d(%ld/%lu) * 2^%ld at %ld bits, %ld digits: %s", trial,
                     which, (long) p, (unsigned long) q, (long) e2, (long) prec,
                     (long) digits, text);
        /* the text form is "[mid +/- rad]", or mid for an exact one (sin 0) */
        if (strcmp(rad, "0") == 0)
            assert_string_equal(text, mid);
        else
        {
            size_t lm = strlen(mid);
            assert_true(text[0] == '[' && strncmp(text + 1, mid, lm) == 0
                        && strncmp(text + 1 + lm, " +/- ", 5) == 0
                        && strncmp(text + 6 + lm, rad, strlen(rad)) == 0);
        }
        free(text);
        free(mid);
        free(rad);
    }

    /* exact dyadic balls: rad 0 exactly when the printed mid is the value, otherwise the
     * rounding error; text is then just the number */
    arb_set_d(x, 0.375);
    assert_int_equal(fy_arb_get_str_ball(&text, &mid, &rad, x, 5), FY_OK);
    assert_string_equal(rad, "0");
    assert_string_equal(text, mid);
    assert_true(printed_contains(mid, rad, x));
    free(text);
    free(mid);
    free(rad);
    arb_set_d(x, 1.0 / 3.0); /* a dyadic with 53 bits: 2 digits leave an error */
    assert_int_equal(fy_arb_get_str_ball(NULL, &mid, &rad, x, 2), FY_OK);
    assert_string_not_equal(rad, "0");
    assert_true(printed_contains(mid, rad, x));
    free(mid);
    free(rad);
    /* a non-finite ball */
    arb_zero_pm_inf(x);
    assert_int_equal(fy_arb_get_str_ball(NULL, NULL, &rad, x, 5), FY_OK);
    assert_string_equal(rad, "inf");
    free(rad);
    /* fy_arb_get_str_radius is the text form */
    fmpq_set_si(c, 1, 3);
    arb_set_fmpq(x, c, 100);
    text = fy_arb_get_str_radius(x, 10);
    assert_int_equal(fy_arb_get_str_ball(&mid, NULL, NULL, x, 10), FY_OK);
    assert_string_equal(text, mid);
    free(text);
    free(mid);

    arb_clear(x);
    arb_clear(ref);
    arb_clear(scale);
    fmpq_clear(c);
}

/* Issue 10, item 8: non-ASCII input is shown by code point or byte, with what to type. */
static void test_text_show(void **state)
{
    char buf[256];
    fmpq_t q;
    fy_error_t e;
    (void) state;
    fy_text_show(buf, sizeof buf, "\xe2\x88\x92" "1", 4); /* U+2212 MINUS SIGN */
    assert_string_equal(buf, "'<U+2212>1' (U+2212, MINUS SIGN; type '-' instead)");
    fy_text_show(buf, sizeof buf, "\xef\xbb\xbf" "feynn", 8); /* a byte-order mark */
    assert_non_null(strstr(buf, "'<U+FEFF>feynn' (U+FEFF, a UTF-8 byte-order mark"));
    fy_text_show(buf, sizeof buf, "\xff" "1", 2); /* not UTF-8 */
    assert_string_equal(buf, "'<0xFF>1' (byte 0xFF is not UTF-8; feynn reads ASCII text)");
    fy_text_show(buf, sizeof buf, "\xc3\xa9", 2); /* e acute: named, no look-alike */
    assert_string_equal(buf, "'<U+00E9>' (U+00E9 is not ASCII; feynn reads ASCII text)");
    fy_text_show(buf, sizeof buf, "\xe2\x88", 2); /* a cut sequence is bytes */
    assert_true(strncmp(buf, "'<0xE2><0x88>'", 14) == 0);
    fy_text_show(buf, sizeof buf, "1/2", 3); /* plain ASCII: just quoted */
    assert_string_equal(buf, "'1/2'");
    fy_text_show(buf, 8, "\xe2\x88\x92" "1", 4); /* cut to the buffer, terminated */
    assert_int_equal(strlen(buf), 7);
    /* the parser's refusal names the character */
    fmpq_init(q);
    assert_int_equal(fy_fmpq_parse(q, "\xe2\x88\x92" "3/4", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "U+2212, MINUS SIGN; type '-' instead"));
    assert_int_equal(fy_fmpq_parse(q, "3\xc2\xa0/4", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "U+00A0, a non-ASCII space"));
    { /* and shows no raw byte: every byte of the message is printable ASCII */
        const char *bad[3] = {"\xe2\x88\x92" "3/4", "\xef\xbb\xbf" "0.5", "1e\xff"};
        int j;
        size_t k;
        for (j = 0; j < 3; j++)
        {
            assert_int_equal(fy_fmpq_parse(q, bad[j], e), FY_EINPUT);
            for (k = 0; e->msg[k] != '\0'; k++)
                assert_true((unsigned char) e->msg[k] >= 0x20 &&
                            (unsigned char) e->msg[k] < 0x7F);
            assert_true(strstr(e->msg, "<U+") != NULL || strstr(e->msg, "<0x") != NULL);
        }
    }
    fmpq_clear(q);
}

static void test_containment_helpers(void **state)
{
    fmpq_t q;
    arb_t x;
    (void) state;
    fmpq_init(q);
    arb_init(x);
    fmpq_set_si(q, 1, 3);
    arb_set_fmpq(x, q, 53);
    assert_true(fy_arb_contains_fmpq(x, q));
    assert_false(arb_is_exact(x)); /* 1/3 is not dyadic: the ball has a radius */
    arb_set_d(x, 1.0 / 3.0);     /* exact ball at the double nearest 1/3 */
    assert_false(fy_arb_contains_fmpq(x, q));
    assert_true(fy_d_near_arb(1.0 / 3.0, x, 0, 0));
    assert_true(fy_d_near_arb(0.3333333333333, x, 1e-12, 0));
    assert_false(fy_d_near_arb(0.3333333333333, x, 1e-15, 0));
    assert_false(fy_d_near_arb(0.34, x, 0, 1e-3));
    assert_false(fy_d_near_arb(NAN, x, 1, 1));
    fmpq_clear(q);
    arb_clear(x);
}

/* ------------------------------------------------------------------ precision raising */

struct cancel_data
{
    int calls;
    int fail_at; /* return an error when prec reaches this (0: never) */
};

/* out0 = (pi + 2^-300) - pi = 2^-300: catastrophic cancellation below ~300 bits;
 * out1 = 3 (exact), out2 = 0 (exact). */
static int cancel_eval(arb_ptr out, slong nout, slong prec, void *data, fy_error_t err)
{
    struct cancel_data *cd = data;
    arb_t pi, t;
    cd->calls++;
    if (cd->fail_at && prec >= cd->fail_at)
        return fy_error_set(err, FY_EINTERNAL, "evaluation failed on purpose");
    arb_init(pi);
    arb_init(t);
    arb_const_pi(pi, prec);
    arb_one(t);
    arb_mul_2exp_si(t, t, -300);
    arb_add(t, pi, t, prec);
    arb_sub(out, t, pi, prec);
    if (nout > 1)
        arb_set_si(out + 1, 3);
    if (nout > 2)
        arb_zero(out + 2);
    arb_clear(pi);
    arb_clear(t);
    return FY_OK;
}

static void test_refine(void **state)
{
    arb_ptr out = _arb_vec_init(3);
    struct cancel_data cd = {0, 0};
    slong used, reached;
    fy_error_t e;
    fmpq_t want;
    (void) state;

    fy_error_init(e);
    fmpq_init(want);
    fmpq_one(want);
    fmpq_div_2exp(want, want, 300);

    /* needs more than the start precision: 64, 128, 256 cannot see 2^-300, 512 can */
    assert_int_equal(fy_ball_refine(out, 3, cancel_eval, &cd, 64, 4096, 50, &used, &reached, e),
                     FY_OK);
    assert_int_equal(used, 512);
    assert_int_equal(cd.calls, 4);
    assert_true(reached >= 50);
    assert_true(arb_rel_accuracy_bits(out) >= 50);
    assert_true(arb_contains_fmpq(out, want));

    /* a maximum too low: reported, with valid enclosures */
    cd.calls = 0;
    assert_int_equal(fy_ball_refine(out, 3, cancel_eval, &cd, 64, 200, 50, &used, &reached, e),
                     FY_ECHECK);
    assert_int_equal(used, 200); /* 64, 128, then exactly the maximum */
    assert_int_equal(cd.calls, 3);
    assert_true(reached < 50);
    assert_non_null(strstr(e->msg, "reached"));
    assert_true(arb_contains_fmpq(out, want));

    /* the evaluator's error is passed on */
    cd.calls = 0;
    cd.fail_at = 256;
    assert_int_equal(fy_ball_refine(out, 1, cancel_eval, &cd, 64, 4096, 50, &used, NULL, e),
                     FY_EINTERNAL);
    assert_int_equal(used, 256);
    assert_non_null(strstr(e->msg, "on purpose"));

    /* nonsense arguments */
    assert_int_equal(fy_ball_refine(out, 1, cancel_eval, &cd, 64, 32, 50, NULL, NULL, e),
                     FY_EINPUT);
    assert_int_equal(fy_ball_refine(out, 1, NULL, &cd, 64, 128, 50, NULL, NULL, e), FY_EINPUT);
    _arb_vec_clear(out, 3);
    fmpq_clear(want);
}

/* ------------------------------------------------------------------ number vectors */

static void test_numvec_convert(void **state)
{
    uint64_t st = fy_test_seed("numvec_convert");
    fy_numvec_t x, b, d, z;
    fy_error_t e;
    fmpq_t q;
    slong i, n = 200;
    (void) state;

    fy_error_init(e);
    fmpq_init(q);
    assert_int_equal(fy_numvec_init(x, FY_ARITH_EXACT, n, 0, e), FY_OK);
    for (i = 0; i < n; i++)
    {
        rand_fmpq(q, &st, 1000000, 999);
        assert_int_equal(fy_numvec_set_fmpq(x, i, q, e), FY_OK);
    }
    fy_numvec_init_empty(b);
    fy_numvec_init_empty(d);
    fy_numvec_init_empty(z);
    assert_int_equal(fy_numvec_convert(b, FY_ARITH_BALL, 80, x, e), FY_OK);
    assert_true(fy_numvec_contains(b, x));
    assert_int_equal(fy_numvec_convert(d, FY_ARITH_DOUBLE, 0, b, e), FY_OK);
    for (i = 0; i < n; i++)
    {
        assert_true(fy_d_near_arb(fy_numvec_d(d)[i], fy_numvec_arb(b) + i, 1e-15, 0));
        /* exact -> double rounds to nearest; ball(80 bits) -> double agrees here */
        assert_true(fy_numvec_d(d)[i] == fy_fmpq_get_d(fy_numvec_fmpq(x) + i));
    }
    /* double -> exact is exact, double -> ball has radius 0 */
    assert_int_equal(fy_numvec_convert(z, FY_ARITH_EXACT, 0, d, e), FY_OK);
    for (i = 0; i < n; i++)
        assert_true(fmpq_equals_double(fy_numvec_fmpq(z) + i, fy_numvec_d(d)[i]));
    assert_int_equal(fy_numvec_convert(z, FY_ARITH_BALL, 30, d, e), FY_OK);
    for (i = 0; i < n; i++)
        assert_true(arb_is_exact(fy_numvec_arb(z) + i));
    /* ... so ball -> exact works for it, but not for the rounded balls of b */
    assert_int_equal(fy_numvec_convert(z, FY_ARITH_EXACT, 0, z, e), FY_OK); /* aliased */
    for (i = 0; i < n; i++)
        assert_true(fmpq_equals_double(fy_numvec_fmpq(z) + i, fy_numvec_d(d)[i]));
    assert_int_equal(fy_numvec_convert(z, FY_ARITH_EXACT, 0, b, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "radius"));
    /* comparisons */
    assert_true(fy_numvec_max_abs_diff(x, x) == 0.0);
    assert_true(fy_numvec_max_abs_diff(b, x) < 1e-15);
    assert_true(fy_numvec_max_abs_diff(d, x) > 0.0);
    assert_true(fy_numvec_max_abs_diff(d, x) < 1e-9);
    assert_true(fy_numvec_rel_frobenius(x, x, NULL) == 0.0);
    assert_true(isnan(fy_numvec_max_abs_diff(x, (fy_numvec_struct[]){{FY_ARITH_EXACT, 3, 0,
                                                                        NULL}})));
    /* strings */
    {
        char *s = fy_numvec_get_str(x, 0, 10);
        assert_int_equal(fy_fmpq_parse(q, s, e), FY_OK);
        assert_true(fmpq_equal(q, fy_numvec_fmpq(x)));
        free(s);
        s = fy_numvec_get_str(d, 1, 10);
        assert_true(strtod(s, NULL) == fy_numvec_d(d)[1]);
        free(s);
        s = fy_numvec_get_str(b, 2, 10);
        assert_non_null(s);
        free(s);
        assert_null(fy_numvec_get_str(b, n, 10));
    }
    fy_numvec_clear(x);
    fy_numvec_clear(b);
    fy_numvec_clear(d);
    fy_numvec_clear(z);
    fmpq_clear(q);
}

/* api (issue 9): the init that cannot fail (fy_numvec_init_empty) and the shape set afterwards
 * (fy_numvec_set_shape): to each arithmetic and back, storage reused for the same shape and
 * released otherwise, zero entries every time, refusals leaving an empty vector. */
static void test_numvec_init_empty_set_shape(void **state)
{
    fy_error_t e;
    fy_numvec_t v, w;
    void *p;
    slong i;
    (void) state;
    fy_error_init(e);
    fy_numvec_init_empty(v);
    assert_int_equal(v->len, 0);
    assert_null(v->v);
    fy_numvec_clear(v); /* clearing an empty vector, twice, is safe */
    fy_numvec_clear(v);
    fy_numvec_init_empty(v);
    /* an empty vector is a valid output: it is re-made */
    assert_int_equal(fy_numvec_init(w, FY_ARITH_EXACT, 3, 0, e), FY_OK);
    assert_int_equal(fy_numvec_set_si(w, 1, -5, e), FY_OK);
    assert_int_equal(fy_numvec_convert(v, FY_ARITH_BALL, 64, w, e), FY_OK);
    assert_int_equal(v->arith, FY_ARITH_BALL);
    assert_int_equal(v->len, 3);
    assert_true(arb_equal_si(fy_numvec_arb(v) + 1, -5));
    fy_numvec_clear(w);
    /* to each arithmetic: the requested length of zeros, the other accessors NULL */
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_EXACT, 5, 0, e), FY_OK);
    assert_int_equal(v->len, 5);
    assert_null(fy_numvec_arb(v));
    for (i = 0; i < 5; i++)
        assert_true(fmpq_is_zero(fy_numvec_fmpq(v) + i));
    assert_int_equal(fy_numvec_set_si(v, 4, 7, e), FY_OK);
    /* the same shape: the storage is reused and the entries are zero again */
    p = v->v;
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_EXACT, 5, 0, e), FY_OK);
    assert_ptr_equal(v->v, p);
    assert_true(fmpq_is_zero(fy_numvec_fmpq(v) + 4));
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_BALL, 2, 200, e), FY_OK);
    assert_int_equal(v->len, 2);
    assert_int_equal(v->prec, 200);
    assert_null(fy_numvec_fmpq(v));
    assert_true(arb_is_zero(fy_numvec_arb(v)) && arb_is_zero(fy_numvec_arb(v) + 1));
    assert_int_equal(fy_numvec_set_si(v, 0, 3, e), FY_OK);
    p = v->v;
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_BALL, 2, 100, e), FY_OK);
    assert_ptr_equal(v->v, p);
    assert_int_equal(v->prec, 100);
    assert_true(arb_is_zero(fy_numvec_arb(v)));
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_DOUBLE, 4, 53, e), FY_OK);
    assert_int_equal(v->len, 4);
    assert_null(fy_numvec_arb(v));
    for (i = 0; i < 4; i++)
        assert_true(fy_numvec_d(v)[i] == 0.0);
    fy_numvec_d(v)[3] = 2.5;
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_DOUBLE, 4, 53, e), FY_OK);
    assert_true(fy_numvec_d(v)[3] == 0.0);
    /* and back to exact, of length 0 (a valid, allocated empty vector) */
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_EXACT, 0, 0, e), FY_OK);
    assert_int_equal(v->len, 0);
    assert_int_equal(v->arith, FY_ARITH_EXACT);
    /* refusals: the vector is left empty (what it held released), clearing is safe */
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_BALL, 3, 64, e), FY_OK);
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_BALL, -1, 64, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "negative"));
    assert_int_equal(v->len, 0);
    assert_null(v->v);
    assert_int_equal(fy_numvec_set_shape(v, (fy_arith_t) 7, 3, 64, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "unknown arithmetic"));
    assert_int_equal(v->len, 0);
    fy_memory_limit_set(4096); /* 1000 doubles take 8000 bytes, 500 take 4000 */
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_DOUBLE, 500, 53, e), FY_OK);
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_DOUBLE, 1000, 53, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "GiB"));
    assert_int_equal(v->len, 0);
    assert_null(v->v);
    fy_memory_limit_set(0);
    assert_int_equal(fy_numvec_set_shape(v, FY_ARITH_DOUBLE, 1000, 53, e), FY_OK);
    assert_int_equal(v->len, 1000);
    fy_numvec_clear(v);
    fy_numvec_clear(v);
    fy_error_clear(e);
}

static void test_numvec_arith_aliasing(void **state)
{
    uint64_t st = fy_test_seed("numvec_arith_aliasing");
    fy_numvec_t x, y, z, xb, yb;
    fy_error_t e;
    fmpq_t c, t;
    slong i, n = 50;
    fmpq *want;
    (void) state;

    fy_error_init(e);
    fmpq_init(c);
    fmpq_init(t);
    want = _fmpq_vec_init(n);
    fy_numvec_init(x, FY_ARITH_EXACT, n, 0, e);
    fy_numvec_init(y, FY_ARITH_EXACT, n, 0, e);
    fy_numvec_init(z, FY_ARITH_BALL, 3, 64, e); /* wrong shape: re-made */
    fy_numvec_init_empty(xb);
    fy_numvec_init_empty(yb);
    for (i = 0; i < n; i++)
    {
        rand_fmpq(fy_numvec_fmpq(x) + i, &st, 100, 30);
        rand_fmpq(fy_numvec_fmpq(y) + i, &st, 100, 30);
    }
    rand_fmpq(c, &st, 50, 7);
    /* random working precisions (issue 9) instead of a fixed 64 bits */
    fy_numvec_convert(xb, FY_ARITH_BALL, fy_randtest_range(&st, 32, 512), x, e);
    fy_numvec_convert(yb, FY_ARITH_BALL, fy_randtest_range(&st, 32, 512), y, e);

    /* z = x + y into a separate object; then x = x - y (aliased); then y = c y (aliased) */
    assert_int_equal(fy_numvec_add(z, x, y, e), FY_OK);
    for (i = 0; i < n; i++)
    {
        fmpq_add(t, fy_numvec_fmpq(x) + i, fy_numvec_fmpq(y) + i);
        assert_true(fmpq_equal(t, fy_numvec_fmpq(z) + i));
        fmpq_sub(want + i, fy_numvec_fmpq(x) + i, fy_numvec_fmpq(y) + i);
    }
    assert_int_equal(fy_numvec_sub(x, x, y, e), FY_OK);
    assert_int_equal(fy_numvec_sub(xb, xb, yb, e), FY_OK);
    for (i = 0; i < n; i++)
        assert_true(fmpq_equal(want + i, fy_numvec_fmpq(x) + i));
    assert_true(fy_numvec_contains(xb, x));
    for (i = 0; i < n; i++)
        fmpq_mul(want + i, c, fy_numvec_fmpq(y) + i);
    assert_int_equal(fy_numvec_scale_fmpq(y, y, c, e), FY_OK);
    assert_int_equal(fy_numvec_scale_fmpq(yb, yb, c, e), FY_OK);
    for (i = 0; i < n; i++)
        assert_true(fmpq_equal(want + i, fy_numvec_fmpq(y) + i));
    assert_true(fy_numvec_contains(yb, y));
    assert_int_equal(fy_numvec_add(y, y, y, e), FY_OK); /* both inputs aliased */
    assert_int_equal(fy_numvec_neg(y, y, e), FY_OK);
    for (i = 0; i < n; i++)
    {
        fmpq_mul_si(t, want + i, -2);
        assert_true(fmpq_equal(t, fy_numvec_fmpq(y) + i));
    }
    /* mixing arithmetics is refused */
    assert_int_equal(fy_numvec_add(z, x, yb, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "ball"));
    /* sizes refused before allocating */
    {
        fy_numvec_t big;
        assert_int_equal(fy_numvec_init(big, FY_ARITH_BALL, (slong) 1 << 40, 64, e), FY_ENOMEM);
        assert_non_null(strstr(e->msg, "GiB"));
        fy_numvec_clear(big);
        assert_int_equal(fy_numvec_init(big, FY_ARITH_BALL, -1, 64, e), FY_EINPUT);
        fy_numvec_clear(big);
    }
    _fmpq_vec_clear(want, n);
    fy_numvec_clear(x);
    fy_numvec_clear(y);
    fy_numvec_clear(z);
    fy_numvec_clear(xb);
    fy_numvec_clear(yb);
    fmpq_clear(c);
    fmpq_clear(t);
}

/* ------------------------------------------------------------------ randtest (issue 9) */

/* The generators: a function of the seed; balls within their precision and magnitude, with
 * every kind of radius present (exact, positive, wider than the midpoint, containing zero
 * around a nonzero midpoint); canonical rationals of every kind; doubles of both signs with
 * zeros; points inside their balls (checked by Arb's arb_contains_fmpq), the ends and interior
 * points among them.  Counted over many draws, so a generator that lost a kind fails. */
static void test_randtest_operands(void **state)
{
    uint64_t st = fy_test_seed("randtest_operands"), st2;
    slong i, nzero = 0, nexact = 0, nwide = 0, nzin = 0, nint = 0, nfrac = 0, nqz = 0;
    slong ndz = 0, ndneg = 0, nend = 0, nin = 0, nmid = 0;
    fy_numvec_t v, p;
    fy_error_t e;
    arb_t x, y;
    fmpq_t q, m, r;
    arf_t a;
    (void) state;

    fy_error_init(e);
    arb_init(x);
    arb_init(y);
    fmpq_init(q);
    fmpq_init(m);
    fmpq_init(r);
    arf_init(a);
    for (i = 0; i < 2000; i++)
    {
        slong prec = fy_randtest_range(&st, 32, 512);
        double d;
        assert_true(prec >= 32 && prec <= 512);
        st2 = st;
        fy_arb_randtest(x, &st, prec, 40);
        fy_arb_randtest(y, &st2, prec, 40); /* the same counter gives the same ball */
        assert_true(arb_equal(x, y));
        assert_true(arb_is_finite(x));
        assert_true(arb_bits(x) <= prec);
        assert_true(arf_cmpabs_2exp_si(arb_midref(x), 40) < 0);
        nzero += arf_is_zero(arb_midref(x));
        nexact += arb_is_exact(x);
        arf_set_mag(a, arb_radref(x));
        nwide += !arf_is_zero(arb_midref(x)) && arf_cmpabs(a, arb_midref(x)) > 0;
        nzin += !arf_is_zero(arb_midref(x)) && arb_contains_zero(x);
        /* rationals: canonical, at most 30 bits each side */
        fy_fmpq_randtest(q, &st, 30);
        assert_true(fmpq_is_canonical(q));
        assert_true(fmpz_bits(fmpq_numref(q)) <= 30 && fmpz_bits(fmpq_denref(q)) <= 30);
        nqz += fmpq_is_zero(q);
        nint += !fmpq_is_zero(q) && fmpz_is_one(fmpq_denref(q));
        nfrac += !fmpz_is_one(fmpq_denref(q));
        d = fy_d_randtest(&st, 40);
        assert_true(isfinite(d) && fabs(d) < ldexp(1.0, 41));
        ndz += d == 0.0;
        ndneg += d < 0.0;
    }
    assert_true(nzero > 100 && nzero < 500);   /* 1 in 8 */
    assert_true(nexact > 300 && nexact < 1000); /* 1 in 4 plus the zeros */
    assert_true(nwide > 50 && nzin > 50);
    assert_true(nqz > 20 && nint > 200 && nfrac > 500);
    assert_true(ndz > 100 && ndneg > 500);

    /* points of a random ball vector */
    fy_numvec_init_empty(v);
    fy_numvec_init_empty(p);
    assert_int_equal(fy_numvec_randtest(v, &st, FY_ARITH_BALL, 500, 100, e), FY_OK);
    assert_int_equal(v->len, 500);
    assert_int_equal(v->prec, 100);
    assert_int_equal(fy_numvec_randtest_point(p, &st, v, e), FY_OK);
    assert_int_equal(p->arith, FY_ARITH_EXACT);
    for (i = 0; i < 500; i++)
    {
        arb_srcptr b = fy_numvec_arb(v) + i;
        assert_true(arb_contains_fmpq(b, fy_numvec_fmpq(p) + i));
        if (arb_is_exact(b))
            continue;
        arf_get_fmpq(m, arb_midref(b));
        arf_set_mag(a, arb_radref(b));
        arf_get_fmpq(r, a);
        fmpq_sub(q, fy_numvec_fmpq(p) + i, m);
        fmpq_abs(q, q);
        nend += fmpq_equal(q, r);
        nmid += fmpq_is_zero(q);
        nin += !fmpq_is_zero(q) && fmpq_cmp(q, r) < 0;
    }
    assert_true(nend > 50 && nmid > 20 && nin > 20);
    assert_int_equal(fy_numvec_randtest_point(v, &st, v, e), FY_EINPUT);
    /* exact and double vectors: points are the values themselves */
    assert_int_equal(fy_numvec_randtest(v, &st, FY_ARITH_DOUBLE, 50, 53, e), FY_OK);
    assert_int_equal(fy_numvec_randtest_point(p, &st, v, e), FY_OK);
    for (i = 0; i < 50; i++)
        assert_true(fmpq_equals_double(fy_numvec_fmpq(p) + i, fy_numvec_d(v)[i]));
    arb_zero_pm_inf(x);
    assert_int_equal(fy_numvec_randtest(v, &st, FY_ARITH_BALL, 3, 64, e), FY_OK);
    arb_set(fy_numvec_arb(v) + 1, x);
    assert_int_equal(fy_numvec_randtest_point(p, &st, v, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "entry 1"));
    fy_numvec_clear(v);
    fy_numvec_clear(p);
    fy_error_clear(e);
    arb_clear(x);
    arb_clear(y);
    fmpq_clear(q);
    fmpq_clear(m);
    fmpq_clear(r);
    arf_clear(a);
}

/* Ball add, sub, neg and scale on random balls at random precisions (32..512 bits, x and y
 * each their own) with random radii: the result contains the exact result, computed here with
 * fmpq, on points of the input balls (ends, midpoints, interior points). */
static void test_numvec_ball_random(void **state)
{
    uint64_t st = fy_test_seed("numvec_ball_random");
    fy_numvec_t x, y, z, px, py;
    fy_error_t e;
    fmpq_t c;
    fmpq *w;
    slong it, i, k, n = 6;
    (void) state;

    fy_error_init(e);
    fmpq_init(c);
    w = _fmpq_vec_init(n);
    fy_numvec_init_empty(x);
    fy_numvec_init_empty(y);
    fy_numvec_init_empty(z);
    fy_numvec_init_empty(px);
    fy_numvec_init_empty(py);
    for (it = 0; it < 150; it++)
    {
        slong len = fy_randtest_range(&st, 1, n), op = it % 4;
        assert_int_equal(fy_numvec_randtest(x, &st, FY_ARITH_BALL, len,
                                            fy_randtest_range(&st, 32, 512), e), FY_OK);
        assert_int_equal(fy_numvec_randtest(y, &st, FY_ARITH_BALL, len,
                                            fy_randtest_range(&st, 32, 512), e), FY_OK);
        fy_fmpq_randtest(c, &st, 40);
        if (op == 0)
            assert_int_equal(fy_numvec_add(z, x, y, e), FY_OK);
        else if (op == 1)
            assert_int_equal(fy_numvec_sub(z, x, y, e), FY_OK);
        else if (op == 2)
            assert_int_equal(fy_numvec_neg(z, x, e), FY_OK);
        else
            assert_int_equal(fy_numvec_scale_fmpq(z, x, c, e), FY_OK);
        assert_int_equal(z->prec, x->prec);
        for (k = 0; k < 4; k++)
        {
            assert_int_equal(fy_numvec_randtest_point(px, &st, x, e), FY_OK);
            assert_int_equal(fy_numvec_randtest_point(py, &st, y, e), FY_OK);
            for (i = 0; i < len; i++)
            {
                fmpq *a = fy_numvec_fmpq(px) + i, *b = fy_numvec_fmpq(py) + i;
                if (op == 0)
                    fmpq_add(w + i, a, b);
                else if (op == 1)
                    fmpq_sub(w + i, a, b);
                else if (op == 2)
                    fmpq_neg(w + i, a);
                else
                    fmpq_mul(w + i, a, c);
                if (!arb_contains_fmpq(fy_numvec_arb(z) + i, w + i))
                    fail_msg("op %ld at %ld bits: entry %ld misses the exact result", (long) op,
                             (long) x->prec, (long) i);
            }
        }
    }
    fy_numvec_clear(x);
    fy_numvec_clear(y);
    fy_numvec_clear(z);
    fy_numvec_clear(px);
    fy_numvec_clear(py);
    _fmpq_vec_clear(w, n);
    fmpq_clear(c);
    fy_error_clear(e);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_f16_all_patterns),
    cmocka_unit_test(test_bf16_all_patterns),
    cmocka_unit_test(test_f32_f64_random),
    cmocka_unit_test(test_fmpq_get_d_rounding),
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_print),
    cmocka_unit_test(test_print_balls_contain),
    cmocka_unit_test(test_text_show),
    cmocka_unit_test(test_containment_helpers),
    cmocka_unit_test(test_refine),
    cmocka_unit_test(test_numvec_convert),
    cmocka_unit_test(test_numvec_arith_aliasing),
    cmocka_unit_test(test_numvec_init_empty_set_shape),
    cmocka_unit_test(test_randtest_operands),
    cmocka_unit_test(test_numvec_ball_random),
};

FY_TEST_MAIN("num", tests)
