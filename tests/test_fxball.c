/* Tests of the block floating-point ball rows (src/num/fxball.c): rows from balls and from
 * doubles, the two layouts of a weight matrix, the exact sliced product fy_fx_gemm and the sums
 * of elementwise products fy_fx_mulsum.
 *
 * Every ball the module returns is checked for containment of exact values computed by Arb
 * from the original inputs (dyadic numbers: at REF_PREC bits their products and sums are exact,
 * which each reference asserts with arb_is_exact): the product of the midpoints and that of a
 * random exact point of every input ball.  Radii are checked against bounds derived here from
 * the inputs alone (the precision of a row is 126 bits relative to its largest element), so a
 * kernel that answers with a needlessly wide ball fails as well as one that misses. */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "num/fxball.h"
#include "testutil.h"

#ifdef FY_HAVE_FX

#define REF_PREC 4000 /* exact for every reference below (asserted) */
#define OUT_PREC 128  /* 126-bit mantissas: fy_fxtab_get_arb is exact in the midpoint */

/* ------------------------------------------------------------------ random inputs */

/* Uniform in [0, n), n >= 1. */
static slong urand(uint64_t *st, slong n)
{
    return (slong) (fy_test_rand(st) % (uint64_t) n);
}

/* Uniform in [lo, hi]. */
static slong irand(uint64_t *st, slong lo, slong hi)
{
    return lo + urand(st, hi - lo + 1);
}

/* x <- +-(an integer of exactly `bits` bits) 2^(top - bits), so 2^(top-1) <= |x| < 2^top;
 * one in six with only its top bit and some of its last two set (whole zero limbs between). */
static void rand_arf(arf_t x, uint64_t *st, slong bits, slong top)
{
    fmpz_t m;
    slong i;
    fmpz_init(m);
    if (urand(st, 6) == 0)
        fmpz_set_ui(m, (ulong) urand(st, 4));
    else
    {
        for (i = 0; i < bits; i += 64)
        {
            fmpz_mul_2exp(m, m, 64);
            fmpz_add_ui(m, m, (ulong) fy_test_rand(st));
        }
        fmpz_fdiv_q_2exp(m, m, (ulong) ((bits + 63) / 64 * 64 - bits));
    }
    fmpz_setbit(m, (ulong) (bits - 1));
    if (fy_test_rand(st) & 1)
        fmpz_neg(m, m);
    arf_set_fmpz(x, m);
    arf_mul_2exp_si(x, x, top - bits);
    fmpz_clear(m);
}

/* r <- a 30-bit radius (exact in a mag_t) with 2^(top-1) <= r < 2^top. */
static void rand_mag(mag_t r, uint64_t *st, slong top)
{
    mag_set_ui(r, (UWORD(1) << 29) | (ulong) urand(st, WORD(1) << 29));
    mag_mul_2exp_si(r, r, top - 30);
}

/* How a random row is made. */
typedef struct
{
    slong top;    /* every element (midpoint and radius) below 2^(top + 3) */
    slong spread; /* midpoints of exponents top - spread .. top */
    slong bits;   /* midpoints of 1 .. bits bits */
    int radius;   /* some balls get radii (of every size, a few larger than the midpoints) */
    int zeros;    /* some midpoints are zero */
} rowgen;

/* Exact when every midpoint fits 126 bits below the row's top and no ball has a radius. */
static int rowgen_exact(const rowgen *g)
{
    return !g->radius && g->spread + g->bits <= 126;
}

static void rand_ball(arb_t x, uint64_t *st, const rowgen *g)
{
    slong ex = g->top - urand(st, g->spread + 1);
    if (g->zeros && urand(st, 6) == 0)
        arf_zero(arb_midref(x));
    else
        rand_arf(arb_midref(x), st, irand(st, 1, g->bits), ex);
    mag_zero(arb_radref(x));
    if (g->radius && urand(st, 3) == 0)
    {
        switch (urand(st, 5))
        {
        case 0:
        case 1: /* relative to the element */
            rand_mag(arb_radref(x), st, ex - irand(st, 1, 140));
            break;
        case 2: /* relative to the row */
            rand_mag(arb_radref(x), st, g->top - irand(st, 0, g->spread + 130));
            break;
        case 3: /* about the row's scale */
            rand_mag(arb_radref(x), st, g->top - irand(st, 0, 2));
            break;
        default: /* above every midpoint: the radius sets the row's exponent */
            if (urand(st, 4) == 0)
                rand_mag(arb_radref(x), st, g->top + irand(st, 1, 3));
            break;
        }
    }
}

static void rand_row(arb_ptr v, slong stride, slong w, uint64_t *st, const rowgen *g)
{
    slong a;
    for (a = 0; a < w; a++)
        rand_ball(v + a * stride, st, g);
}

/* A random general row: exponents of the rows anywhere in [-emax, emax]. */
static void rand_rowgen(rowgen *g, uint64_t *st, slong emax, int exact)
{
    static const slong spreads[] = {0, 3, 20, 60, 126, 200, 300};
    g->top = irand(st, -emax, emax);
    if (exact)
    {
        g->spread = spreads[urand(st, 4)];
        g->bits = irand(st, 1, 126 - g->spread > 64 ? 64 : 126 - g->spread);
        g->radius = 0;
    }
    else
    {
        g->spread = spreads[urand(st, 7)];
        g->bits = irand(st, 1, 200);
        g->radius = 1;
    }
    g->zeros = (int) urand(st, 2);
}

/* p <- an exact point of the ball x: mid + (k / 2^20) rad, |k| <= 2^20. */
static void rand_point(arb_t p, const arb_t x, uint64_t *st)
{
    arf_t t;
    slong k = irand(st, -(WORD(1) << 20), WORD(1) << 20);
    if (urand(st, 8) == 0)
        k = urand(st, 2) ? (WORD(1) << 20) : -(WORD(1) << 20); /* the boundary */
    arf_init(t);
    arf_set_mag(t, arb_radref(x));
    arf_mul_si(t, t, k, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_mul_2exp_si(t, t, -20);
    arf_add(arb_midref(p), arb_midref(x), t, ARF_PREC_EXACT, ARF_RND_DOWN);
    mag_zero(arb_radref(p));
    arf_clear(t);
}

/* A random double of nbits bits (<= 53) with 2^(ex-1) <= |x| < 2^ex (ex normal). */
static double rand_double(uint64_t *st, int nbits, int ex, int odd)
{
    uint64_t m = (fy_test_rand(st) >> (64 - nbits)) | (UINT64_C(1) << (nbits - 1));
    double x;
    if (odd)
        m |= 1;
    x = ldexp((double) m, ex - nbits);
    return fy_test_rand(st) & 1 ? -x : x;
}

/* ------------------------------------------------------------------ checks */

static void print_ball(const char *name, const arb_t x)
{
    printf("#   %s = ", name);
    fflush(stdout);
    arb_printn(x, 40, 0);
    fflush(stdout);
    printf("\n");
}

static void print_mag(const char *name, const mag_t x)
{
    printf("#   %s = ", name);
    fflush(stdout);
    mag_printd(x, 10);
    fflush(stdout);
    printf("\n");
}

/* out must contain the exact value x. */
static void check_contains(const arb_t out, const arb_t x, const char *what, slong i, slong a)
{
    if (!arb_contains(out, x))
    {
        printf("# %s: element (%ld, %ld) does not contain the exact value\n", what, (long) i,
               (long) a);
        print_ball("out", out);
        print_ball("exact", x);
        fail();
    }
}

/* The radius of out must be at most bound. */
static void check_radius(const arb_t out, const mag_t bound, const char *what, slong i,
                         slong a)
{
    if (mag_cmp(arb_radref(out), bound) > 0)
    {
        printf("# %s: element (%ld, %ld) has a radius above its bound\n", what, (long) i,
               (long) a);
        print_ball("out", out);
        print_mag("bound", bound);
        fail();
    }
}

static void ref_exact(const arb_t ref)
{
    /* the references are exact by the choice of REF_PREC; if not, the test is wrong */
    assert_true(arb_is_exact(ref));
}

/* Row maxima of the inputs: rmax = max rad, X = max (|mid| + rad) (upper bounds). */
static void row_max(mag_t rmax, mag_t X, arb_srcptr v, slong stride, slong w)
{
    mag_t t;
    slong a;
    mag_init(t);
    mag_zero(rmax);
    mag_zero(X);
    for (a = 0; a < w; a++)
    {
        mag_max(rmax, rmax, arb_radref(v + a * stride));
        arb_get_mag(t, v + a * stride);
        mag_max(X, X, t);
    }
    mag_clear(t);
}

/* z <- x (1 + 2^-20) */
static void mag_widen(mag_t z, const mag_t x)
{
    mag_t t;
    mag_init(t);
    mag_mul_2exp_si(t, x, -20);
    mag_add(z, x, t);
    mag_clear(t);
}

/* ------------------------------------------------------------------ tables */

static void test_tab_init(void **state)
{
    fy_fxtab_t t;
    fy_error_t err;
    arb_t z;
    slong r;
    (void) state;
    fy_error_init(err);
    arb_init(z);
    assert_int_equal(fy_fxtab_init(t, 5, 3, err), FY_OK);
    assert_int_equal(t->rows, 5);
    assert_true(t->ld >= 3);
    for (r = 0; r < 5; r++)
    {
        /* every row starts exactly zero */
        assert_true(t->e[r] == FY_FX_EZERO);
        fy_fxtab_get_arb(z, t, r, 2, OUT_PREC);
        assert_true(arb_is_zero(z));
    }
    fy_fxtab_clear(t);
    fy_fxtab_clear(t); /* cleared twice: safe */
    assert_int_equal(fy_fxtab_init(t, 0, 4, err), FY_OK);
    fy_fxtab_clear(t);
    assert_int_not_equal(fy_fxtab_init(t, -1, 4, err), FY_OK);
    assert_int_not_equal(err->code, FY_OK);
    fy_fxtab_clear(t);
    fy_error_clear(err);
    assert_int_not_equal(fy_fxtab_init(t, 3, 0, err), FY_OK);
    assert_int_not_equal(err->code, FY_OK);
    fy_fxtab_clear(t);
    arb_clear(z);
}

/* (a) rows from balls: the table's balls contain the inputs, exact rows are exact, the radius
 * is the inputs' plus 2^-120 of the row's scale at most; zero rows are zero; values that do not
 * fit are refused. */
static void test_set_row_arb(void **state)
{
    uint64_t st = fy_test_seed("fxball set_row_arb");
    enum { W = 48, ROWS = 5 };
    fy_fxtab_t t;
    fy_error_t err;
    arb_ptr v;
    arb_t out;
    mag_t rmax, X, bound, tmp;
    slong it, a;
    static const slong precs[] = {OUT_PREC, 300, 53};
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_fxtab_init(t, ROWS, W + 2, err), FY_OK);
    v = _arb_vec_init(3 * W);
    arb_init(out);
    mag_init(rmax);
    mag_init(X);
    mag_init(bound);
    mag_init(tmp);
    for (it = 0; it < 2000; it++)
    {
        rowgen g;
        const slong w = irand(&st, 1, W), r = urand(&st, ROWS), stride = irand(&st, 1, 3);
        const int exact = urand(&st, 3) == 0;
        slong p;
        rand_rowgen(&g, &st, urand(&st, 10) == 0 ? (WORD(1) << 40) - 400 : 2000, exact);
        /* the balls between the strided ones are not finite: reading one fails */
        for (a = 0; a < 3 * W; a++)
            arb_indeterminate(v + a);
        rand_row(v, stride, w, &st, &g);
        if (urand(&st, 12) == 0) /* all midpoints zero */
            for (a = 0; a < w; a++)
                arf_zero(arb_midref(v + a * stride));
        assert_int_equal(fy_fxtab_set_row_arb(t, r, v, stride, w), 0);
        row_max(rmax, X, v, stride, w);
        /* bound: the largest input radius (the row shares one) and 2^-120 of its scale */
        mag_widen(bound, rmax);
        mag_mul_2exp_si(tmp, X, -120);
        mag_add(bound, bound, tmp);
        for (a = 0; a < w; a++)
        {
            const arb_struct *x = v + a * stride;
            for (p = 0; p < 3; p++)
            {
                fy_fxtab_get_arb(out, t, r, a, precs[p]);
                check_contains(out, x, "set_row_arb", it, a);
                if (precs[p] >= OUT_PREC)
                    check_radius(out, bound, "set_row_arb", it, a);
            }
            fy_fxtab_get_arb(out, t, r, a, OUT_PREC);
            if (rowgen_exact(&g))
            {
                /* 126 bits below the top of the row hold every midpoint: nothing lost */
                if (!arb_equal(out, x))
                {
                    printf("# set_row_arb: exact row (top %ld, spread %ld, bits %ld) not kept"
                           " exactly, iteration %ld element %ld\n",
                           (long) g.top, (long) g.spread, (long) g.bits, (long) it, (long) a);
                    print_ball("out", out);
                    print_ball("in", x);
                    fail();
                }
            }
        }
    }

    /* an all-zero row is exactly zero (even in a row that held values) */
    for (a = 0; a < W; a++)
        arb_zero(v + a);
    arb_set_si(v + 3, 5);
    assert_int_equal(fy_fxtab_set_row_arb(t, 1, v, 1, W), 0);
    arb_zero(v + 3);
    assert_int_equal(fy_fxtab_set_row_arb(t, 1, v, 1, W), 0);
    assert_true(t->e[1] == FY_FX_EZERO);
    for (a = 0; a < W; a++)
    {
        fy_fxtab_get_arb(out, t, 1, a, OUT_PREC);
        assert_true(arb_is_zero(out));
    }
    /* zero midpoints with radii: a ball about zero */
    mag_set_ui(arb_radref(v + 7), 3);
    assert_int_equal(fy_fxtab_set_row_arb(t, 1, v, 1, W), 0);
    fy_fxtab_get_arb(out, t, 1, 7, OUT_PREC);
    check_contains(out, v + 7, "set_row_arb zero mid", 1, 7);
    fy_fxtab_get_arb(out, t, 1, 0, OUT_PREC);
    check_contains(out, v + 7, "set_row_arb zero mid", 1, 0); /* the radius is the row's */

    /* values that cannot be represented are refused, wherever they stand in the row */
    for (it = 0; it < 7; it++)
    {
        const slong pos = urand(&st, W);
        for (a = 0; a < W; a++)
            arb_set_si(v + a, (slong) a - 20);
        switch (it)
        {
        case 0:
            arf_pos_inf(arb_midref(v + pos));
            break;
        case 1:
            arf_nan(arb_midref(v + pos));
            break;
        case 2:
            mag_inf(arb_radref(v + pos));
            break;
        case 3: /* exponent beyond 2^40 */
            arb_one(v + pos);
            arb_mul_2exp_si(v + pos, v + pos, (WORD(1) << 40) + 8);
            break;
        case 4: /* an exponent that is a big fmpz */
            arb_one(v + pos);
            fmpz_set_ui(ARF_EXPREF(arb_midref(v + pos)), UWORD(1) << 62);
            fmpz_mul_2exp(ARF_EXPREF(arb_midref(v + pos)), ARF_EXPREF(arb_midref(v + pos)), 8);
            break;
        case 5: /* a radius beyond 2^(2^40) */
            mag_one(arb_radref(v + pos));
            mag_mul_2exp_si(arb_radref(v + pos), arb_radref(v + pos), (WORD(1) << 40) + 8);
            break;
        default: /* a row whose largest element is below 2^-(2^40) */
            for (a = 0; a < W; a++)
                arb_zero(v + a);
            arb_one(v + pos);
            arb_mul_2exp_si(v + pos, v + pos, -(WORD(1) << 40) - 8);
            break;
        }
        if (fy_fxtab_set_row_arb(t, 2, v, 1, W) == 0)
        {
            printf("# set_row_arb accepted a value it cannot hold (case %ld)\n", (long) it);
            fail();
        }
    }
    /* within the range: 2^(+-(2^40 - 8)) are accepted and kept */
    for (it = 0; it < 2; it++)
    {
        for (a = 0; a < W; a++)
            arb_zero(v + a);
        arb_set_si(v + 4, -3);
        arb_mul_2exp_si(v + 4, v + 4, it ? (WORD(1) << 40) - 8 : -(WORD(1) << 40) + 8);
        assert_int_equal(fy_fxtab_set_row_arb(t, 2, v, 1, W), 0);
        fy_fxtab_get_arb(out, t, 2, 4, OUT_PREC);
        assert_true(arb_equal(out, v + 4));
    }
    /* the bits lost in a low limb only: 2^191 + 1 (the top two limbs keep 2^191 exactly) */
    for (a = 0; a < W; a++)
        arb_zero(v + a);
    arb_one(v + 2);
    arb_mul_2exp_si(v + 2, v + 2, 191);
    arb_add_ui(v + 2, v + 2, 1, ARF_PREC_EXACT);
    arb_one(v + 0);
    arb_mul_2exp_si(v + 0, v + 0, 100); /* held exactly */
    assert_int_equal(fy_fxtab_set_row_arb(t, 3, v, 1, 3), 0);
    for (a = 0; a < 3; a++)
    {
        fy_fxtab_get_arb(out, t, 3, a, OUT_PREC);
        check_contains(out, v + a, "set_row_arb low limb", 3, a);
    }

    /* a tiny element next to a normal one: lost into the radius, still contained */
    for (a = 0; a < W; a++)
        arb_zero(v + a);
    arb_one(v + 0);
    arb_one(v + 1);
    arb_mul_2exp_si(v + 1, v + 1, -(WORD(1) << 41));
    assert_int_equal(fy_fxtab_set_row_arb(t, 3, v, 1, 2), 0);
    fy_fxtab_get_arb(out, t, 3, 1, OUT_PREC);
    check_contains(out, v + 1, "set_row_arb tiny", 3, 1);
    fy_fxtab_get_arb(out, t, 3, 0, OUT_PREC);
    check_contains(out, v + 0, "set_row_arb tiny", 3, 0);
    mag_one(bound);
    mag_mul_2exp_si(bound, bound, -120);
    check_radius(out, bound, "set_row_arb tiny", 3, 0);

    mag_clear(rmax);
    mag_clear(X);
    mag_clear(bound);
    mag_clear(tmp);
    arb_clear(out);
    _arb_vec_clear(v, 3 * W);
    fy_fxtab_clear(t);
}

/* rows may be copied between tables: the same balls */
static void test_copy_rows(void **state)
{
    uint64_t st = fy_test_seed("fxball copy_rows");
    enum { W = 9, ROWS = 12 };
    fy_fxtab_t s, d;
    fy_error_t err;
    arb_ptr v;
    arb_t x, y;
    slong r, a;
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_fxtab_init(s, ROWS, W, err), FY_OK);
    assert_int_equal(fy_fxtab_init(d, ROWS + 3, W + 4, err), FY_OK);
    v = _arb_vec_init(ROWS * W);
    arb_init(x);
    arb_init(y);
    for (r = 0; r < ROWS; r++)
    {
        rowgen g;
        rand_rowgen(&g, &st, 500, 0);
        if (r % 4 == 3)
            _arb_vec_zero(v + r * W, W);
        else
            rand_row(v + r * W, 1, W, &st, &g);
        assert_int_equal(fy_fxtab_set_row_arb(s, r, v + r * W, 1, W), 0);
    }
    fy_fxtab_copy_rows(d, 2, s, 1, ROWS - 1, W);
    for (r = 1; r < ROWS; r++)
        for (a = 0; a < W; a++)
        {
            fy_fxtab_get_arb(x, s, r, a, OUT_PREC);
            fy_fxtab_get_arb(y, d, r + 1, a, OUT_PREC);
            assert_true(arb_equal(x, y));
            check_contains(y, v + r * W + a, "copy_rows", r, a);
        }
    for (a = 0; a < W; a++) /* rows not copied to are untouched (zero) */
    {
        fy_fxtab_get_arb(y, d, 0, a, OUT_PREC);
        assert_true(arb_is_zero(y));
        fy_fxtab_get_arb(y, d, ROWS + 1, a, OUT_PREC);
        assert_true(arb_is_zero(y));
    }
    arb_clear(x);
    arb_clear(y);
    _arb_vec_clear(v, ROWS * W);
    fy_fxtab_clear(s);
    fy_fxtab_clear(d);
}

/* (b) rows from doubles, with a stride (NaN between the values read) */
static void test_set_row_d(void **state)
{
    uint64_t st = fy_test_seed("fxball set_row_d");
    enum { W = 40, ROWS = 3 };
    fy_fxtab_t t;
    fy_error_t err;
    double v[3 * W];
    arb_t out, x;
    mag_t bound;
    slong it, a;
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_fxtab_init(t, ROWS, W, err), FY_OK);
    arb_init(out);
    arb_init(x);
    mag_init(bound);
    for (it = 0; it < 2000; it++)
    {
        const slong w = irand(&st, 1, W), stride = irand(&st, 1, 3), r = urand(&st, ROWS);
        const int mode = (int) urand(&st, 3);
        const int top = (int) irand(&st, -1000, 1024);
        double xmax = 0;
        for (a = 0; a < 3 * W; a++)
            v[a] = NAN;
        for (a = 0; a < w; a++)
        {
            double y;
            if (urand(&st, 6) == 0)
                y = urand(&st, 2) ? 0.0 : -0.0;
            else if (mode == 0) /* within 2^60 of each other: exact */
                y = rand_double(&st, (int) irand(&st, 1, 53), (int) (top - urand(&st, 61)), 0);
            else if (mode == 1) /* the whole range of doubles, subnormal ones too */
            {
                switch (urand(&st, 6))
                {
                case 0:
                    y = ldexp((double) urand(&st, WORD(1) << 52), -1074);
                    break;
                case 1:
                    y = urand(&st, 2) ? DBL_MAX : DBL_MIN;
                    break;
                default:
                    y = rand_double(&st, (int) irand(&st, 1, 53), (int) irand(&st, -1021, 1024),
                                    0);
                    break;
                }
                if (urand(&st, 2))
                    y = -y;
            }
            else /* up to 2^200 apart */
                y = rand_double(&st, (int) irand(&st, 1, 53),
                                (int) (top - urand(&st, 201) < -1021 ? -1021
                                                                     : top - urand(&st, 201)),
                                0);
            v[a * stride] = y;
            if (fabs(y) > xmax)
                xmax = fabs(y);
        }
        assert_int_equal(fy_fxtab_set_row_d(t, r, v, stride, w), 0);
        if (xmax == 0)
            assert_true(t->e[r] == FY_FX_EZERO);
        mag_set_d(bound, xmax);
        mag_mul_2exp_si(bound, bound, -120);
        for (a = 0; a < w; a++)
        {
            arb_set_d(x, v[a * stride]); /* exact */
            fy_fxtab_get_arb(out, t, r, a, OUT_PREC);
            check_contains(out, x, "set_row_d", it, a);
            check_radius(out, bound, "set_row_d", it, a);
            if (mode == 0 && !arb_equal(out, x))
            {
                printf("# set_row_d: exact row not kept exactly (iteration %ld)\n", (long) it);
                print_ball("out", out);
                print_ball("in", x);
                fail();
            }
        }
    }
    /* a value that is not finite is refused */
    for (it = 0; it < 3; it++)
    {
        const slong pos = urand(&st, W);
        for (a = 0; a < 2 * W; a++)
            v[a] = 1.5 * (double) a;
        v[2 * pos] = it == 0 ? INFINITY : it == 1 ? -INFINITY : NAN;
        assert_int_not_equal(fy_fxtab_set_row_d(t, 0, v, 2, W), 0);
    }
    arb_clear(out);
    arb_clear(x);
    mag_clear(bound);
    fy_fxtab_clear(t);
}

/* ------------------------------------------------------------------ weights */

/* A distance in [lo, hi] below the largest weight, often at the limits of the layouts: 10 the
 * last dense entry of three digits, 52 the last kept whole in five, 116 the last with any
 * digit; about 125 .. 140 the sparse entries whose products fall below one unit. */
static slong rand_d(uint64_t *st, slong lo, slong hi)
{
    static const slong edges[] = {10, 11, 12, 13, 51, 52, 53, 54, 63, 64, 65, 115, 116, 117, 128,
                                  138};
    if (urand(st, 2))
    {
        const slong d = edges[urand(st, 16)];
        if (d >= lo && d <= hi)
            return d;
    }
    return irand(st, lo, hi);
}

/* Random exact doubles, wn x wp, largest exponent about g:
 *   mode 0: every entry within 2^(spread + 1) of the largest;
 *   mode 1: a few (about 1/40) 2^11 .. 2^200 below it, apart from the dense part;
 *   mode 2: a third 2^11 .. 2^52 below it (five digits, nothing truncated);
 *   mode 3: a third 2^11 .. 2^300 below it, odd mantissas (five digits, bits truncated).
 * the others like mode 0; none more than 2^dmax below.  With zeros, about a tenth of the
 * entries are zero. */
static void rand_W(double *Wv, slong n, uint64_t *st, int mode, int g, slong spread, int zeros,
                   slong dmax)
{
    slong k;
    for (k = 0; k < n; k++)
    {
        slong d = urand(st, spread + 1);
        /* half of the entries with all 53 bits down to an odd last one */
        int odd = (int) urand(st, 2), nbits = odd ? 53 : (int) irand(st, 1, 53);
        if (zeros && urand(st, 10) == 0)
        {
            Wv[k] = 0;
            continue;
        }
        if (mode == 1 && urand(st, 40) == 0)
            d = rand_d(st, 11, dmax < 200 ? dmax : 200);
        else if (mode == 2 && urand(st, 3) == 0)
            d = rand_d(st, 11, dmax < 52 ? dmax : 52);
        else if (mode == 3 && urand(st, 3) == 0)
            d = rand_d(st, 11, dmax < 300 ? dmax : 300);
        Wv[k] = rand_double(st, nbits, (int) (g - d), odd);
    }
}

static void W_to_arb(arb_ptr W, const double *Wv, slong n)
{
    slong k;
    for (k = 0; k < n; k++)
        arb_set_d(W + k, Wv[k]);
}

/* The documented fields of M against W: 2^(gW-1) <= max |w| < 2^gW and Winf 2^gW bounds
 * max_a sum_b |w_ab| tightly. */
static void check_mat_fields(const fy_fxmat_struct *M, const double *Wv, slong wn, slong wp)
{
    arb_t s, smax, t;
    double wmax = 0;
    slong a, b;
    arb_init(s);
    arb_init(smax);
    arb_init(t);
    assert_int_equal(M->wn, wn);
    assert_int_equal(M->wp, wp);
    assert_true(M->nd == 3 || M->nd == 5);
    for (a = 0; a < wn; a++)
    {
        arb_zero(s);
        for (b = 0; b < wp; b++)
        {
            arb_set_d(t, fabs(Wv[a * wp + b]));
            arb_add(s, s, t, REF_PREC);
            if (fabs(Wv[a * wp + b]) > wmax)
                wmax = fabs(Wv[a * wp + b]);
        }
        ref_exact(s);
        if (arb_gt(s, smax))
            arb_set(smax, s);
    }
    if (wmax > 0)
    {
        assert_true(wmax < ldexp(1.0, (int) M->gW));
        assert_true(wmax >= ldexp(1.0, (int) M->gW - 1));
    }
    arb_set_d(t, M->Winf);
    arb_mul_2exp_si(t, t, M->gW);
    assert_true(arb_ge(t, smax));               /* a bound */
    arb_mul_2exp_si(s, smax, -30);              /* and a tight one */
    arb_add(s, s, smax, REF_PREC);
    arb_set_d(t, M->Winf - 0x1p-1000);
    arb_mul_2exp_si(t, t, M->gW);
    assert_true(arb_le(t, s));
    assert_true(M->Wtr >= 0);
    arb_clear(s);
    arb_clear(smax);
    arb_clear(t);
}

/* (c) the layouts of W and the refusals */
static void test_fxmat(void **state)
{
    uint64_t st = fy_test_seed("fxball fxmat");
    enum { N = 64, P = 64 };
    fy_fxmat_t M;
    arb_ptr W, Wbig;
    double Wv[N * P];
    slong k, it;
    (void) state;
    W = _arb_vec_init(N * P);

    /* exact doubles are accepted; entries similar: three digits, nothing apart */
    rand_W(Wv, N * P, &st, 0, 7, 10, 1, 300);
    W_to_arb(W, Wv, N * P);
    assert_int_equal(fy_fxmat_init_arb(M, W, N, P), 0);
    check_mat_fields(M, Wv, N, P);
    assert_int_equal(M->nd, 3);
    assert_int_equal(M->ns, 0);
    assert_true(M->Wtr == 0);
    fy_fxmat_clear(M);

    /* a few much smaller entries (fewer than 1/16): three digits and a sparse list */
    for (it = 0; it < 3; it++)
    {
        rand_W(Wv, N * P, &st, 0, 12, 10, 1, 300);
        Wv[0] = ldexp(1.5, 11); /* the largest: 2^11 <= |w| < 2^12 */
        for (k = 0; k < 40; k++)
            Wv[1 + urand(&st, N * P - 1)] =
                rand_double(&st, (int) irand(&st, 1, 53), (int) (12 - irand(&st, 12, 300)), 0);
        W_to_arb(W, Wv, N * P);
        assert_int_equal(fy_fxmat_init_arb(M, W, N, P), 0);
        check_mat_fields(M, Wv, N, P);
        assert_int_equal(M->nd, 3);
        assert_true(M->ns > 0);
        assert_true(M->smax >= 1 && M->smax <= M->ns);
        assert_true(M->Wtr == 0); /* the small ones are kept exactly */
        fy_fxmat_clear(M);
    }

    /* many (more than 1/16) small entries, at most 2^52 below the largest: five digits, exact */
    rand_W(Wv, N * P, &st, 0, -3, 8, 1, 300);
    Wv[5] = -ldexp(1.5, -4); /* the largest: 2^-4 <= |w| < 2^-3 */
    for (k = 0; k < N * P / 8; k++)
        Wv[urand(&st, N * P)] = rand_double(&st, 53, (int) (-3 - irand(&st, 11, 52)), 1);
    W_to_arb(W, Wv, N * P);
    assert_int_equal(fy_fxmat_init_arb(M, W, N, P), 0);
    check_mat_fields(M, Wv, N, P);
    assert_int_equal(M->nd, 5);
    assert_true(M->Wtr == 0);
    fy_fxmat_clear(M);

    /* many small entries, some more than 2^60 below the largest: bits truncated, bounded */
    rand_W(Wv, N * P, &st, 0, 20, 8, 1, 300);
    Wv[9] = ldexp(1.5, 19); /* the largest: 2^19 <= |w| < 2^20 */
    for (k = 0; k < N * P / 8; k++)
        Wv[urand(&st, N * P)] = rand_double(&st, 53, (int) (20 - irand(&st, 61, 120)), 1);
    W_to_arb(W, Wv, N * P);
    assert_int_equal(fy_fxmat_init_arb(M, W, N, P), 0);
    check_mat_fields(M, Wv, N, P);
    assert_int_equal(M->nd, 5);
    assert_true(M->Wtr > 0);
    fy_fxmat_clear(M);

    /* the extremes of the double range, and an all-zero W */
    arb_set_d(W + 0, DBL_MAX);
    arb_set_d(W + 1, -DBL_MIN);
    assert_int_equal(fy_fxmat_init_arb(M, W, 1, 2), 0);
    fy_fxmat_clear(M);
    _arb_vec_zero(W, 6);
    assert_int_equal(fy_fxmat_init_arb(M, W, 2, 3), 0);
    fy_fxmat_clear(M);

    /* refused: a radius, a midpoint of more than 53 bits, beyond the double range, not
     * finite, an empty or too wide shape; M is then empty and may be cleared */
    for (it = 0; it < 8; it++)
    {
        const slong pos = urand(&st, 12);
        for (k = 0; k < 12; k++)
            arb_set_si(W + k, (slong) k - 3);
        switch (it)
        {
        case 0:
            mag_set_ui_2exp_si(arb_radref(W + pos), 1, -200);
            break;
        case 1:
            arb_set_ui(W + pos, 1);
            arb_div_ui(W + pos, W + pos, 3, 128);
            mag_zero(arb_radref(W + pos)); /* an exact 128-bit number */
            break;
        case 2:
            arb_set_ui(W + pos, 1);
            arb_mul_2exp_si(W + pos, W + pos, 54);
            arb_add_ui(W + pos, W + pos, 1, ARF_PREC_EXACT); /* 55 bits */
            break;
        case 3:
            arb_one(W + pos);
            arb_mul_2exp_si(W + pos, W + pos, 2000);
            break;
        case 4:
            arf_nan(arb_midref(W + pos));
            break;
        case 5:
            arf_neg_inf(arb_midref(W + pos));
            break;
        case 6:
            arb_one(W + pos);
            arb_mul_2exp_si(W + pos, W + pos, -2000);
            break;
        default:
            assert_int_not_equal(fy_fxmat_init_arb(M, W, 0, 12), 0);
            fy_fxmat_clear(M);
            assert_int_not_equal(fy_fxmat_init_arb(M, W, 12, 0), 0);
            fy_fxmat_clear(M);
            continue;
        }
        if (fy_fxmat_init_arb(M, W, 3, 4) == 0)
        {
            printf("# fxmat_init_arb accepted an entry that is not an exact double (case %ld)\n",
                   (long) it);
            fail();
        }
        fy_fxmat_clear(M);
    }
    Wbig = _arb_vec_init(FY_FX_MAXK + 1);
    assert_int_not_equal(fy_fxmat_init_arb(M, Wbig, 1, FY_FX_MAXK + 1), 0);
    fy_fxmat_clear(M);
    _arb_vec_clear(Wbig, FY_FX_MAXK + 1);
    _arb_vec_clear(W, N * P);
}

/* ------------------------------------------------------------------ the sliced product */

/* One random product: nr rows (wp wide) times W^T (wn x wp, drawn by rand_W in wmode), out of
 * place and in place.  exact: the inputs are exact and of similar sizes (tightness checked
 * against sum_b |x_b| |w_ab|). */
static void gemm_case(uint64_t *st, fy_fxwork_struct *wk, slong wn, slong wp, slong nr,
                      int wmode, int exact, slong iter)
{
    const slong rs = urand(st, 3), rd = urand(st, 3), ld = (wp > wn ? wp : wn) + urand(st, 3);
    const int g = (int) irand(st, -60, 60);
    fy_fxtab_t S, S2, D;
    fy_fxmat_t M;
    fy_error_t err;
    double *Wv = malloc(sizeof(double) * (size_t) (wn * wp));
    arb_ptr W = _arb_vec_init(wn * wp), Wabs = _arb_vec_init(wn * wp);
    arb_ptr xv = _arb_vec_init(nr * wp), xm = _arb_vec_init(nr * wp), xp = _arb_vec_init(nr * wp);
    arb_ptr xa = _arb_vec_init(wp);
    unsigned char *zero = calloc((size_t) nr, 1);
    arb_t ref, out, out2;
    mag_t rmax, X, Wsum, Wmax, t, bound;
    slong i, a, b;
    char what[96];

    assert_non_null(Wv);
    assert_non_null(zero);
    snprintf(what, sizeof what, "gemm %ldx%ld nr %ld W mode %d%s (case %ld)", (long) wn,
             (long) wp, (long) nr, wmode, exact ? " exact" : "", (long) iter);
    fy_error_init(err);
    arb_init(ref);
    arb_init(out);
    arb_init(out2);
    mag_init(rmax);
    mag_init(X);
    mag_init(Wsum);
    mag_init(Wmax);
    mag_init(t);
    mag_init(bound);

    /* exact: the dense entries of similar sizes and none zero, so that sum_b |x_b| |w_ab| is
     * near its largest, and none truncated (at most 2^52 below the largest) */
    rand_W(Wv, wn * wp, st, wmode, g, exact ? 3 : 10, !exact, exact ? 52 : 300);
    W_to_arb(W, Wv, wn * wp);
    for (b = 0; b < wn * wp; b++)
        arb_abs(Wabs + b, W + b);
    assert_int_equal(fy_fxmat_init_arb(M, W, wn, wp), 0);
    /* max_a sum_b |w_ab| and max |w_ab| */
    mag_zero(Wsum);
    mag_zero(Wmax);
    for (a = 0; a < wn; a++)
    {
        mag_t s;
        mag_init(s);
        for (b = 0; b < wp; b++)
        {
            mag_set_d(t, fabs(Wv[a * wp + b]));
            mag_add(s, s, t);
            mag_max(Wmax, Wmax, t);
        }
        mag_max(Wsum, Wsum, s);
        mag_clear(s);
    }
    if (mag_is_zero(Wmax))
        mag_one(Wmax); /* W = 0: the products are balls about zero on the scale of x 2^0 */

    assert_int_equal(fy_fxtab_init(S, rs + nr, ld, err), FY_OK);
    assert_int_equal(fy_fxtab_init(S2, rs + nr, ld, err), FY_OK);
    assert_int_equal(fy_fxtab_init(D, rd + nr + 1, ld, err), FY_OK);
    for (i = 0; i < nr; i++)
    {
        rowgen gen;
        rand_rowgen(&gen, st, 300, exact);
        if (exact)
        {
            gen.spread = urand(st, 4);
            gen.bits = irand(st, 1, 60);
            gen.zeros = 0;
        }
        if (urand(st, 10) == 0)
        {
            _arb_vec_zero(xv + i * wp, wp);
            zero[i] = 1;
        }
        else
            rand_row(xv + i * wp, 1, wp, st, &gen);
        for (b = 0; b < wp; b++)
        {
            arb_set_arf(xm + i * wp + b, arb_midref(xv + i * wp + b));
            rand_point(xp + i * wp + b, xv + i * wp + b, st);
        }
        assert_int_equal(fy_fxtab_set_row_arb(S, rs + i, xv + i * wp, 1, wp), 0);
        assert_int_equal(fy_fxtab_set_row_arb(S2, rs + i, xv + i * wp, 1, wp), 0);
    }
    /* D holds values before: every row must be overwritten */
    for (i = 0; i < rd + nr + 1; i++)
        assert_int_equal(fy_fxtab_set_row_arb(D, i, W, 1, wn < wp ? wn : wp), 0);

    assert_int_equal(fy_fx_gemm(D, rd, S, rs, nr, M, wk), 0);

    for (i = 0; i < nr; i++)
    {
        mag_t sxw;
        mag_init(sxw);
        if (zero[i])
        {
            /* (f) a zero row times W is a zero row */
            assert_true(D->e[rd + i] == FY_FX_EZERO);
            for (a = 0; a < wn; a++)
            {
                fy_fxtab_get_arb(out, D, rd + i, a, OUT_PREC);
                assert_true(arb_is_zero(out));
            }
            mag_clear(sxw);
            continue;
        }
        row_max(rmax, X, xv + i * wp, 1, wp);
        /* radius: (1 + 2^-20) max_a sum_b |w_ab| max_b rad_b + 2^-90 wp max|w| max(|x|+r) */
        mag_mul(bound, Wsum, rmax);
        mag_widen(bound, bound);
        mag_mul(t, Wmax, X);
        mag_mul_ui(t, t, (ulong) wp);
        mag_mul_2exp_si(t, t, -90);
        mag_add(bound, bound, t);
        if (exact)
        {
            /* with exact inputs, 2^-110 max_a sum_b |x_b| |w_ab| */
            for (b = 0; b < wp; b++)
                arb_abs(xa + b, xm + i * wp + b);
            mag_zero(sxw);
            for (a = 0; a < wn; a++)
            {
                arb_dot(ref, NULL, 0, xa, 1, Wabs + a * wp, 1, wp, REF_PREC);
                ref_exact(ref);
                arb_get_mag_lower(t, ref);
                mag_max(sxw, sxw, t);
            }
            mag_mul_2exp_si(sxw, sxw, -110);
        }
        for (a = 0; a < wn; a++)
        {
            fy_fxtab_get_arb(out, D, rd + i, a, OUT_PREC);
            arb_dot(ref, NULL, 0, xm + i * wp, 1, W + a * wp, 1, wp, REF_PREC);
            ref_exact(ref);
            check_contains(out, ref, what, i, a);
            arb_dot(ref, NULL, 0, xp + i * wp, 1, W + a * wp, 1, wp, REF_PREC);
            ref_exact(ref);
            check_contains(out, ref, what, i, a);
            check_radius(out, bound, what, i, a);
            if (exact)
                check_radius(out, sxw, what, i, a);
        }
        mag_clear(sxw);
    }
    /* rows outside the range are left alone */
    for (a = 0; a < (wn < wp ? wn : wp); a++)
    {
        fy_fxtab_get_arb(out, D, rd + nr, a, OUT_PREC);
        assert_true(arb_contains(out, W + a));
    }

    /* in place: the same balls */
    assert_int_equal(fy_fx_gemm(S2, rs, S2, rs, nr, M, wk), 0);
    for (i = 0; i < nr; i++)
        for (a = 0; a < wn; a++)
        {
            fy_fxtab_get_arb(out, D, rd + i, a, OUT_PREC);
            fy_fxtab_get_arb(out2, S2, rs + i, a, OUT_PREC);
            if (!arb_equal(out, out2))
            {
                printf("# %s: in place differs from out of place\n", what);
                print_ball("out of place", out);
                print_ball("in place", out2);
                fail();
            }
        }

    fy_fxtab_clear(S);
    fy_fxtab_clear(S2);
    fy_fxtab_clear(D);
    fy_fxmat_clear(M);
    arb_clear(ref);
    arb_clear(out);
    arb_clear(out2);
    mag_clear(rmax);
    mag_clear(X);
    mag_clear(Wsum);
    mag_clear(Wmax);
    mag_clear(t);
    mag_clear(bound);
    _arb_vec_clear(W, wn * wp);
    _arb_vec_clear(Wabs, wn * wp);
    _arb_vec_clear(xv, nr * wp);
    _arb_vec_clear(xm, nr * wp);
    _arb_vec_clear(xp, nr * wp);
    _arb_vec_clear(xa, wp);
    free(Wv);
    free(zero);
}

/* (d) containment and tightness of fy_fx_gemm over shapes, W layouts and row blocks */
static void test_gemm(void **state)
{
    uint64_t st = fy_test_seed("fxball gemm");
    static const slong shapes[][2] = {{1, 1}, {3, 7}, {64, 64}, {5, 300}, {70, 3}};
    fy_fxwork_struct wk[1];
    slong s, iter = 0;
    int mode;
    (void) state;
    fy_fxwork_init(wk);
    for (s = 0; s < 10; s++)
    {
        const slong wn = shapes[s % 5][0], wp = shapes[s % 5][1];
        /* more rows than the 256-row block for the smaller shapes, fewer for the largest */
        const slong nrmax = wn * wp >= 1000 ? 80 : 300;
        for (mode = 0; mode < 4; mode++)
            gemm_case(&st, wk, wn, wp, irand(&st, mode == 0 && nrmax > 257 ? 257 : 1, nrmax), mode,
                      0, iter++);
        gemm_case(&st, wk, wn, wp, irand(&st, 1, nrmax), (int) urand(&st, 3), 1, iter++);
        gemm_case(&st, wk, wn, wp, irand(&st, 1, 8), (int) urand(&st, 4), 0, iter++);
    }
    /* the exact-input tightness for both dense layouts at wp = 64 */
    for (mode = 0; mode < 3; mode++)
        gemm_case(&st, wk, 16, 64, irand(&st, 1, 100), mode, 1, iter++);
    fy_fxwork_clear(wk);
}

/* ------------------------------------------------------------------ sums of products */

enum { NT = 3 };

typedef struct
{
    fy_fxtab_t tab;
    slong rows, w;
    arb_ptr val, pt; /* the input balls and a point of each (rows x w) */
    unsigned char *zero;
    mag_ptr rmax, X; /* row maxima of the radii and of |mid| + rad */
} srctab;

static void srctab_make(srctab *T, uint64_t *st, slong rows, slong w, int exact)
{
    fy_error_t err;
    slong r, a;
    fy_error_init(err);
    T->rows = rows;
    T->w = w;
    assert_int_equal(fy_fxtab_init(T->tab, rows, w + urand(st, 3), err), FY_OK);
    T->val = _arb_vec_init(rows * w);
    T->pt = _arb_vec_init(rows * w);
    T->zero = calloc((size_t) rows, 1);
    T->rmax = _mag_vec_init(rows);
    T->X = _mag_vec_init(rows);
    assert_non_null(T->zero);
    for (r = 0; r < rows; r++)
    {
        rowgen g;
        rand_rowgen(&g, st, 250, exact);
        if (g.spread > 64)
            g.spread = 64;
        if (g.bits > 150)
            g.bits = 150;
        if (urand(st, 7) == 0)
        {
            T->zero[r] = 1;
            _arb_vec_zero(T->val + r * w, w);
        }
        else
            rand_row(T->val + r * w, 1, w, st, &g);
        for (a = 0; a < w; a++)
            rand_point(T->pt + r * w + a, T->val + r * w + a, st);
        row_max(T->rmax + r, T->X + r, T->val + r * w, 1, w);
        assert_int_equal(fy_fxtab_set_row_arb(T->tab, r, T->val + r * w, 1, w), 0);
    }
}

static void srctab_clear(srctab *T)
{
    fy_fxtab_clear(T->tab);
    _arb_vec_clear(T->val, T->rows * T->w);
    _arb_vec_clear(T->pt, T->rows * T->w);
    _mag_vec_clear(T->rmax, T->rows);
    _mag_vec_clear(T->X, T->rows);
    free(T->zero);
}

/* One random sum of products.  inplace: the output rows are those of one B_q (other B_q on the
 * same table read the same rows, A rows lie elsewhere), checked against an out-of-place call. */
static void mulsum_case(uint64_t *st, fy_fxwork_struct *wk, int nK, slong nx, slong w, int exact,
                        int inplace, slong iter)
{
    const slong rows = nx + 12, rdo = urand(st, 13);
    srctab T[NT];
    fy_fxtab_t D;
    fy_error_t err;
    const fy_fxtab_struct *A[16], *B[16];
    int ta[16] = {0}, tb[16] = {0}, q, q0 = 0, tdst = 0;
    slong ra[16], rb[16], c[16], sumc = 0, budget = FY_FX_MAXC, xi, a, rd = 0;
    arb_ptr refm = _arb_vec_init(nx * w), refp = _arb_vec_init(nx * w);
    unsigned char *allzero = calloc((size_t) nx, 1);
    mag_ptr bound = _mag_vec_init(nx);
    arb_t t, out, out2;
    mag_t m, P;
    char what[96];

    assert_non_null(allzero);
    snprintf(what, sizeof what, "mulsum nK %d nx %ld w %ld%s%s (case %ld)", nK, (long) nx,
             (long) w, exact ? " exact" : "", inplace ? " in place" : "", (long) iter);
    fy_error_init(err);
    arb_init(t);
    arb_init(out);
    arb_init(out2);
    mag_init(m);
    mag_init(P);
    for (q = 0; q < NT; q++)
        srctab_make(T + q, st, rows, w, exact);
    assert_int_equal(fy_fxtab_init(D, rdo + nx + 1, w, err), FY_OK);

    for (q = 0; q < nK; q++)
    {
        const slong cmax = budget - (nK - 1 - q) < 126 ? budget - (nK - 1 - q) : 126;
        ta[q] = (int) urand(st, NT);
        tb[q] = (int) urand(st, NT);
        ra[q] = urand(st, rows);
        rb[q] = urand(st, rows - nx + 1);
        c[q] = urand(st, 3) == 0 ? cmax : irand(st, 1, cmax);
        budget -= c[q];
        sumc += c[q];
    }
    if (inplace)
    {
        q0 = (int) urand(st, nK);
        tdst = tb[q0];
        rd = rb[q0];
        for (q = 0; q < nK; q++)
        {
            /* B rows on the output table: the same rows (same xi) or another table */
            if (tb[q] == tdst && rb[q] != rd)
            {
                if (urand(st, 2))
                    rb[q] = rd;
                else
                    tb[q] = (tdst + 1) % NT;
            }
            /* A rows never among the output rows */
            if (ta[q] == tdst && ra[q] >= rd && ra[q] < rd + nx)
                ra[q] = (rd + nx + urand(st, rows - nx)) % rows;
        }
    }
    for (q = 0; q < nK; q++)
    {
        A[q] = T[ta[q]].tab;
        B[q] = T[tb[q]].tab;
    }

    /* references, before any call (the in-place call overwrites inputs) */
    for (xi = 0; xi < nx; xi++)
    {
        mag_t tm;
        mag_init(tm);
        allzero[xi] = 1;
        mag_zero(bound + xi);
        mag_zero(P);
        for (a = 0; a < w; a++)
        {
            arb_zero(refm + xi * w + a);
            arb_zero(refp + xi * w + a);
        }
        for (q = 0; q < nK; q++)
        {
            const srctab *TA = T + ta[q], *TB = T + tb[q];
            const slong rA = ra[q], rB = rb[q] + xi;
            if (!TA->zero[rA] && !TB->zero[rB])
                allzero[xi] = 0;
            for (a = 0; a < w; a++)
            {
                arb_set_arf(t, arb_midref(TA->val + rA * w + a));
                arb_mul_arf(t, t, arb_midref(TB->val + rB * w + a), REF_PREC);
                arb_addmul_si(refm + xi * w + a, t, c[q], REF_PREC);
                arb_mul(t, TA->pt + rA * w + a, TB->pt + rB * w + a, REF_PREC);
                arb_addmul_si(refp + xi * w + a, t, c[q], REF_PREC);
            }
            /* c_q (2 rA XB + 2 rB XA + rA rB), and P = max_q XA XB */
            mag_mul(m, TA->rmax + rA, TB->X + rB);
            mag_mul(tm, TB->rmax + rB, TA->X + rA);
            mag_add(m, m, tm);
            mag_mul_2exp_si(m, m, 1);
            mag_mul(tm, TA->rmax + rA, TB->rmax + rB);
            mag_add(m, m, tm);
            mag_mul_ui(m, m, (ulong) c[q]);
            mag_add(bound + xi, bound + xi, m);
            mag_mul(tm, TA->X + rA, TB->X + rB);
            mag_max(P, P, tm);
        }
        for (a = 0; a < w; a++)
        {
            ref_exact(refm + xi * w + a);
            ref_exact(refp + xi * w + a);
        }
        /* the radius: (1 + 2^-20) of the above + 2^-100 sumc^2 P; exact inputs 2^-116 sumc^2 P
         * (the rows' 126 bits below 2^(eA + eB) plus log2 sumc carry bits) */
        mag_widen(bound + xi, bound + xi);
        mag_mul_ui(P, P, (ulong) (sumc * sumc));
        mag_mul_2exp_si(P, P, exact ? -116 : -100);
        if (exact)
            mag_set(bound + xi, P);
        else
            mag_add(bound + xi, bound + xi, P);
        mag_clear(tm);
    }

    /* out of place, into D (rows rdo..; rows around it hold values and keep them) */
    for (xi = 0; xi < rdo + nx + 1; xi++)
        assert_int_equal(fy_fxtab_set_row_arb(D, xi, T[0].val, 1, w), 0);
    assert_int_equal(fy_fx_mulsum(D, rdo, nx, nK, A, ra, B, rb, c, w, wk), 0);
    for (xi = 0; xi < nx; xi++)
    {
        if (allzero[xi])
            assert_true(D->e[rdo + xi] == FY_FX_EZERO); /* (f) */
        for (a = 0; a < w; a++)
        {
            fy_fxtab_get_arb(out, D, rdo + xi, a, OUT_PREC);
            check_contains(out, refm + xi * w + a, what, xi, a);
            check_contains(out, refp + xi * w + a, what, xi, a);
            check_radius(out, bound + xi, what, xi, a);
        }
    }
    for (a = 0; a < w; a++)
    {
        fy_fxtab_get_arb(out, D, rdo + nx, a, OUT_PREC);
        assert_true(arb_contains(out, T[0].val + a));
    }

    if (inplace)
    {
        assert_int_equal(fy_fx_mulsum(T[tdst].tab, rd, nx, nK, A, ra, B, rb, c, w, wk), 0);
        for (xi = 0; xi < nx; xi++)
            for (a = 0; a < w; a++)
            {
                fy_fxtab_get_arb(out, D, rdo + xi, a, OUT_PREC);
                fy_fxtab_get_arb(out2, T[tdst].tab, rd + xi, a, OUT_PREC);
                check_contains(out2, refm + xi * w + a, what, xi, a);
                check_contains(out2, refp + xi * w + a, what, xi, a);
                if (!arb_equal(out, out2))
                {
                    printf("# %s: in place differs from out of place at (%ld, %ld)\n", what,
                           (long) xi, (long) a);
                    print_ball("out of place", out);
                    print_ball("in place", out2);
                    fail();
                }
            }
    }

    for (q = 0; q < NT; q++)
        srctab_clear(T + q);
    fy_fxtab_clear(D);
    _arb_vec_clear(refm, nx * w);
    _arb_vec_clear(refp, nx * w);
    _mag_vec_clear(bound, nx);
    free(allzero);
    arb_clear(t);
    arb_clear(out);
    arb_clear(out2);
    mag_clear(m);
    mag_clear(P);
}

/* (e) containment and tightness of fy_fx_mulsum */
static void test_mulsum(void **state)
{
    uint64_t st = fy_test_seed("fxball mulsum");
    static const int nKs[] = {1, 2, 4, 8, 16};
    static const slong nxs[] = {1, 5, 40}, ws[] = {1, 7, 64};
    fy_fxwork_struct wk[1];
    slong iter = 0;
    int i, j, k;
    (void) state;
    fy_fxwork_init(wk);
    for (i = 0; i < 5; i++)
        for (j = 0; j < 3; j++)
            for (k = 0; k < 3; k++)
            {
                mulsum_case(&st, wk, nKs[i], nxs[j], ws[k], 0, 0, iter++);
                mulsum_case(&st, wk, nKs[i], nxs[j], ws[k], 0, 1, iter++);
                mulsum_case(&st, wk, nKs[i], nxs[j], ws[k], 1, (int) urand(&st, 2), iter++);
            }
    fy_fxwork_clear(wk);
}

/* ------------------------------------------------------------------ worst cases */

/* x <- s (2^bits - 1) 2^(e - bits): every bit of the mantissa set */
static void set_ones(arb_t x, slong bits, slong e, int s)
{
    fmpz_t m;
    fmpz_init(m);
    fmpz_one(m);
    fmpz_mul_2exp(m, m, (ulong) bits);
    fmpz_sub_ui(m, m, 1);
    if (s < 0)
        fmpz_neg(m, m);
    arb_set_fmpz(x, m);
    arb_mul_2exp_si(x, x, e - bits);
    fmpz_clear(m);
}

/* The accumulators at their limits: every digit of every mantissa at its largest and the
 * terms of one sign, so that the sums of digit products, the dropped digit pairs, the floors
 * and the carries are as large as they get; checked against exact products. */
static void test_gemm_worst(void **state)
{
    static const slong wps[] = {64, 256, 257, 300};
    enum { WN = 3, NR = 3 };
    fy_fxtab_t S, D;
    fy_fxmat_t M;
    fy_fxwork_struct wk[1];
    fy_error_t err;
    arb_ptr W, Wabs, x, xa;
    arb_t ref, out;
    mag_t bound, t;
    int layout, iw;
    slong a, b, i;
    char what[64];
    (void) state;
    fy_error_init(err);
    fy_fxwork_init(wk);
    arb_init(ref);
    arb_init(out);
    mag_init(bound);
    mag_init(t);
    for (layout = 0; layout < 4; layout++)
        for (iw = 0; iw < 4; iw++)
        {
            const slong wp = wps[iw];
            snprintf(what, sizeof what, "gemm worst case, layout %d, wp %ld", layout, (long) wp);
            W = _arb_vec_init(WN * wp);
            Wabs = _arb_vec_init(WN * wp);
            x = _arb_vec_init(NR * wp);
            xa = _arb_vec_init(wp);
            for (a = 0; a < WN; a++)
                for (b = 0; b < wp; b++)
                {
                    /* 53 ones at 2^5 (rows 0, 1 positive, row 2 alternating); layout 1: a few
                     * 2^-11 .. 2^-140 smaller (kept apart), 2: a third 2^-11 .. 2^-52 smaller
                     * (five digits), 3: a third 2^-53 .. 2^-140 smaller (truncated) */
                    slong d = 0;
                    if (layout == 1 && b % 20 == 7)
                        d = 11 + (b * 7 + a) % 130;
                    else if (layout == 2 && b % 3 == 1)
                        d = 11 + (b + a) % 42;
                    else if (layout == 3 && b % 3 == 1)
                        d = 53 + (b + a) % 88;
                    set_ones(W + a * wp + b, 53, 5 - d, a == 2 && b % 2 ? -1 : 1);
                    arb_abs(Wabs + a * wp + b, W + a * wp + b);
                }
            assert_int_equal(fy_fxmat_init_arb(M, W, WN, wp), 0);
            assert_int_equal(M->nd, layout >= 2 ? 5 : 3);
            if (layout == 1)
                assert_true(M->ns > 0);
            assert_int_equal(fy_fxtab_init(S, NR, wp, err), FY_OK);
            assert_int_equal(fy_fxtab_init(D, NR, WN, err), FY_OK);
            for (i = 0; i < NR; i++)
            {
                /* 126 ones: row 0 positive, row 1 negative, row 2 alternating */
                for (b = 0; b < wp; b++)
                    set_ones(x + i * wp + b, 126, -3 * i, i == 1 || (i == 2 && b % 2) ? -1 : 1);
                assert_int_equal(fy_fxtab_set_row_arb(S, i, x + i * wp, 1, wp), 0);
            }
            assert_int_equal(fy_fx_gemm(D, 0, S, 0, NR, M, wk), 0);
            for (i = 0; i < NR; i++)
            {
                /* the radius: 2^-110 max_a sum_b |x_b| |w_ab|, or with truncated weights
                 * (bits below 2^-105 of the largest) 2^-100 of it */
                for (b = 0; b < wp; b++)
                    arb_abs(xa + b, x + i * wp + b);
                mag_zero(bound);
                for (a = 0; a < WN; a++)
                {
                    arb_dot(ref, NULL, 0, xa, 1, Wabs + a * wp, 1, wp, REF_PREC);
                    arb_get_mag_lower(t, ref);
                    mag_max(bound, bound, t);
                }
                mag_mul_2exp_si(bound, bound, layout == 3 ? -100 : -110);
                for (a = 0; a < WN; a++)
                {
                    arb_dot(ref, NULL, 0, x + i * wp, 1, W + a * wp, 1, wp, REF_PREC);
                    ref_exact(ref);
                    fy_fxtab_get_arb(out, D, i, a, OUT_PREC);
                    check_contains(out, ref, what, i, a);
                    check_radius(out, bound, what, i, a);
                }
            }
            fy_fxtab_clear(S);
            fy_fxtab_clear(D);
            fy_fxmat_clear(M);
            _arb_vec_clear(W, WN * wp);
            _arb_vec_clear(Wabs, WN * wp);
            _arb_vec_clear(x, NR * wp);
            _arb_vec_clear(xa, wp);
        }
    fy_fxwork_clear(wk);
    arb_clear(ref);
    arb_clear(out);
    mag_clear(bound);
    mag_clear(t);
}

static void test_mulsum_worst(void **state)
{
    /* the exponent of B_q below A_q's: equal (carries), by a few bits (floors), across a
     * word and up to the 128-bit edge of the shift */
    static const slong shifts[] = {0, 1, 2, 3, 63, 64, 65, 125, 126, 127, 128, 129, 200};
    enum { NK = 8, WD = 16 };
    fy_fxtab_t TA, TB, D;
    fy_fxwork_struct wk[1];
    fy_error_t err;
    const fy_fxtab_struct *A[NK], *B[NK];
    slong ra[NK], rb[NK], c[NK], q, a, sumc, trial;
    arb_ptr va, vb;
    arb_t ref, t, out;
    mag_t bound;
    char what[64];
    (void) state;
    fy_error_init(err);
    fy_fxwork_init(wk);
    va = _arb_vec_init(NK * WD);
    vb = _arb_vec_init(NK * WD);
    arb_init(ref);
    arb_init(t);
    arb_init(out);
    mag_init(bound);
    assert_int_equal(fy_fxtab_init(TA, NK, WD, err), FY_OK);
    assert_int_equal(fy_fxtab_init(TB, NK, WD, err), FY_OK);
    assert_int_equal(fy_fxtab_init(D, 1, WD, err), FY_OK);
    for (trial = 0; trial < 3 * 13; trial++)
    {
        const int mode = (int) (trial / 13); /* 0: one sign; 1: one sign, c = 1; 2: signs vary */
        snprintf(what, sizeof what, "mulsum worst case %ld", (long) trial);
        sumc = 0;
        for (q = 0; q < NK; q++)
        {
            /* term q: exponent shifted by shifts[(trial + q) % 13] for q odd */
            const slong sh = q % 2 ? shifts[(trial + q) % 13] : 0;
            for (a = 0; a < WD; a++)
            {
                set_ones(va + q * WD + a, 126, 0, mode == 2 && (a + q) % 3 == 0 ? -1 : 1);
                set_ones(vb + q * WD + a, 126, -sh, 1);
            }
            assert_int_equal(fy_fxtab_set_row_arb(TA, q, va + q * WD, 1, WD), 0);
            assert_int_equal(fy_fxtab_set_row_arb(TB, q, vb + q * WD, 1, WD), 0);
            A[q] = TA;
            B[q] = TB;
            ra[q] = q;
            rb[q] = q;
            c[q] = mode == 1 ? 1 : FY_FX_MAXC / NK;
            sumc += c[q];
        }
        assert_int_equal(fy_fx_mulsum(D, 0, 1, NK, A, ra, B, rb, c, WD, wk), 0);
        /* exact inputs: 2^-116 sumc^2 max_q |a_q| |b_q| (here below 1) */
        mag_one(bound);
        mag_mul_ui(bound, bound, (ulong) (sumc * sumc));
        mag_mul_2exp_si(bound, bound, -116);
        for (a = 0; a < WD; a++)
        {
            arb_zero(ref);
            for (q = 0; q < NK; q++)
            {
                arb_mul(t, va + q * WD + a, vb + q * WD + a, REF_PREC);
                arb_addmul_si(ref, t, c[q], REF_PREC);
            }
            ref_exact(ref);
            fy_fxtab_get_arb(out, D, 0, a, OUT_PREC);
            check_contains(out, ref, what, 0, a);
            check_radius(out, bound, what, 0, a);
        }
    }
    fy_fxtab_clear(TA);
    fy_fxtab_clear(TB);
    fy_fxtab_clear(D);
    fy_fxwork_clear(wk);
    _arb_vec_clear(va, NK * WD);
    _arb_vec_clear(vb, NK * WD);
    arb_clear(ref);
    arb_clear(t);
    arb_clear(out);
    mag_clear(bound);
}

/* Balls whose radii are as large as their midpoints, at the edge of the row's scale:
 * (1 - 2^-100) +- 1/2 squared reaches (3/2 - 2^-100)^2, where the product of the radii counts. */
static void test_wide_balls(void **state)
{
    fy_fxtab_t T, D;
    fy_fxmat_t M;
    fy_fxwork_struct wk[1];
    fy_error_t err;
    const fy_fxtab_struct *A[1], *B[1];
    slong ra[1] = {0}, rb[1] = {0}, c[1] = {1}, a, k;
    arb_ptr v, W;
    arb_t p, ref, out;
    (void) state;
    fy_error_init(err);
    fy_fxwork_init(wk);
    v = _arb_vec_init(4);
    W = _arb_vec_init(4);
    arb_init(p);
    arb_init(ref);
    arb_init(out);
    assert_int_equal(fy_fxtab_init(T, 1, 4, err), FY_OK);
    assert_int_equal(fy_fxtab_init(D, 1, 4, err), FY_OK);
    for (a = 0; a < 4; a++)
    {
        set_ones(v + a, 100, 0, a == 3 ? -1 : 1); /* 1 - 2^-100 */
        mag_one(arb_radref(v + a));
        mag_mul_2exp_si(arb_radref(v + a), arb_radref(v + a), -1);
    }
    assert_int_equal(fy_fxtab_set_row_arb(T, 0, v, 1, 4), 0);
    A[0] = T;
    B[0] = T;
    assert_int_equal(fy_fx_mulsum(D, 0, 1, 1, A, ra, B, rb, c, 4, wk), 0);
    for (a = 0; a < 4; a++)
        for (k = -1; k <= 1; k++)
        {
            /* the point mid + k rad, squared */
            arb_set_arf(p, arb_midref(v + a));
            arb_set_si(ref, k);
            arb_mul_2exp_si(ref, ref, -1);
            arb_add(p, p, ref, REF_PREC);
            arb_mul(ref, p, p, REF_PREC);
            ref_exact(ref);
            fy_fxtab_get_arb(out, D, 0, a, OUT_PREC);
            check_contains(out, ref, "mulsum wide balls", k, a);
        }
    /* and through W = [1, 1, -1, 0]: the point mid + (1, 1, -1, 0) rad of the row gives
     * (1 - 2^-100) + 3/2 */
    arb_one(W + 0);
    arb_one(W + 1);
    arb_set_si(W + 2, -1);
    arb_zero(W + 3);
    assert_int_equal(fy_fxmat_init_arb(M, W, 1, 4), 0);
    assert_int_equal(fy_fx_gemm(D, 0, T, 0, 1, M, wk), 0);
    set_ones(ref, 100, 0, 1);
    arb_set_ui(p, 3);
    arb_mul_2exp_si(p, p, -1);
    arb_add(ref, ref, p, REF_PREC);
    ref_exact(ref);
    fy_fxtab_get_arb(out, D, 0, 0, OUT_PREC);
    check_contains(out, ref, "gemm wide balls", 0, 0);
    fy_fxmat_clear(M);
    fy_fxtab_clear(T);
    fy_fxtab_clear(D);
    fy_fxwork_clear(wk);
    _arb_vec_clear(v, 4);
    _arb_vec_clear(W, 4);
    arb_clear(p);
    arb_clear(ref);
    arb_clear(out);
}

/* ------------------------------------------------------------------ edge cases */

/* (f) zero rows, cancellation to zero, exponents out of range */
static void test_edges(void **state)
{
    fy_fxtab_t S, D;
    fy_fxmat_t M;
    fy_fxwork_struct wk[1];
    fy_error_t err;
    arb_ptr v, W;
    arb_t out, x;
    mag_t bound;
    const fy_fxtab_struct *A[3], *B[3];
    slong ra[3], rb[3], c[3], a;
    (void) state;
    fy_error_init(err);
    fy_fxwork_init(wk);
    v = _arb_vec_init(8);
    W = _arb_vec_init(8);
    arb_init(out);
    arb_init(x);
    mag_init(bound);
    assert_int_equal(fy_fxtab_init(S, 6, 8, err), FY_OK);
    assert_int_equal(fy_fxtab_init(D, 6, 8, err), FY_OK);

    /* gemm: rows [1, 1] and [3, -5] times W = [[1, -1], [2^-70, 1]]: the first output of the
     * first row cancels exactly */
    arb_set_si(v + 0, 1);
    arb_set_si(v + 1, 1);
    arb_set_si(v + 2, 3);
    arb_set_si(v + 3, -5);
    assert_int_equal(fy_fxtab_set_row_arb(S, 0, v, 1, 2), 0);
    assert_int_equal(fy_fxtab_set_row_arb(S, 1, v + 2, 1, 2), 0);
    /* row 2 stays zero */
    arb_set_si(W + 0, 1);
    arb_set_si(W + 1, -1);
    arb_one(W + 2);
    arb_mul_2exp_si(W + 2, W + 2, -70);
    arb_set_si(W + 3, 1);
    assert_int_equal(fy_fxmat_init_arb(M, W, 2, 2), 0);
    for (a = 0; a < 3; a++) /* D's rows hold values before */
        assert_int_equal(fy_fxtab_set_row_arb(D, a, v, 1, 2), 0);
    assert_int_equal(fy_fx_gemm(D, 0, S, 0, 3, M, wk), 0);
    {
        /* [[0, 1 + 2^-70], [8, 3 2^-70 - 5]] */
        slong i;
        mag_one(bound);
        mag_mul_2exp_si(bound, bound, -100);
        for (i = 0; i < 2; i++)
            for (a = 0; a < 2; a++)
            {
                arb_one(x);
                arb_mul_2exp_si(x, x, -70);
                arb_mul_si(x, x, a == 0 ? 0 : i == 0 ? 1 : 3, REF_PREC);
                arb_add_si(x, x, a == 0 ? (i == 0 ? 0 : 8) : (i == 0 ? 1 : -5), REF_PREC);
                fy_fxtab_get_arb(out, D, i, a, OUT_PREC);
                check_contains(out, x, "gemm 2x2", i, a);
                check_radius(out, bound, "gemm 2x2", i, a);
            }
    }
    assert_true(D->e[2] == FY_FX_EZERO);
    fy_fxmat_clear(M);

    /* W = 0: products are zero (a ball about zero, small) */
    _arb_vec_zero(W, 4);
    assert_int_equal(fy_fxmat_init_arb(M, W, 2, 2), 0);
    assert_int_equal(fy_fx_gemm(D, 0, S, 0, 2, M, wk), 0);
    for (a = 0; a < 2; a++)
    {
        arb_zero(x);
        fy_fxtab_get_arb(out, D, 1, a, OUT_PREC);
        check_contains(out, x, "gemm W = 0", 1, a);
        mag_set_ui(bound, 5);
        mag_mul_2exp_si(bound, bound, -100);
        check_radius(out, bound, "gemm W = 0", 1, a);
    }
    fy_fxmat_clear(M);

    /* an output exponent beyond 2^40 is refused */
    arb_one(v + 0);
    arb_mul_2exp_si(v + 0, v + 0, (WORD(1) << 40) - 20);
    assert_int_equal(fy_fxtab_set_row_arb(S, 3, v, 1, 1), 0);
    arb_one(W + 0);
    arb_mul_2exp_si(W + 0, W + 0, 200);
    assert_int_equal(fy_fxmat_init_arb(M, W, 1, 1), 0);
    assert_int_not_equal(fy_fx_gemm(D, 3, S, 3, 1, M, wk), 0);
    fy_fxmat_clear(M);
    arb_one(v + 0);
    arb_mul_2exp_si(v + 0, v + 0, -(WORD(1) << 40) + 20);
    assert_int_equal(fy_fxtab_set_row_arb(S, 3, v, 1, 1), 0);
    arb_one(W + 0);
    arb_mul_2exp_si(W + 0, W + 0, -200);
    assert_int_equal(fy_fxmat_init_arb(M, W, 1, 1), 0);
    assert_int_not_equal(fy_fx_gemm(D, 3, S, 3, 1, M, wk), 0);
    fy_fxmat_clear(M);

    /* mulsum: all terms on zero rows give a zero row (over a row that held values) */
    arb_set_si(v + 0, 7);
    arb_set_si(v + 1, -2);
    assert_int_equal(fy_fxtab_set_row_arb(S, 0, v, 1, 2), 0);
    fy_fxtab_zero_row(S, 2);
    A[0] = S;
    ra[0] = 2; /* zero */
    B[0] = S;
    rb[0] = 0;
    c[0] = 3;
    A[1] = S;
    ra[1] = 0;
    B[1] = S;
    rb[1] = 2; /* zero */
    c[1] = 1;
    assert_int_equal(fy_fxtab_set_row_arb(D, 4, v, 1, 2), 0);
    assert_int_equal(fy_fx_mulsum(D, 4, 1, 2, A, ra, B, rb, c, 2, wk), 0);
    assert_true(D->e[4] == FY_FX_EZERO);
    fy_fxtab_get_arb(out, D, 4, 1, OUT_PREC);
    assert_true(arb_is_zero(out));

    /* mulsum cancelling exactly: 3 [7, -2] .* [1, 1] + 1 [1, 3] .* [-21, 2] = [0, 0] */
    arb_set_si(v + 0, 1);
    arb_set_si(v + 1, 1);
    assert_int_equal(fy_fxtab_set_row_arb(S, 1, v, 1, 2), 0);
    arb_set_si(v + 0, 1);
    arb_set_si(v + 1, 3);
    assert_int_equal(fy_fxtab_set_row_arb(S, 4, v, 1, 2), 0);
    arb_set_si(v + 0, -21);
    arb_set_si(v + 1, 2);
    assert_int_equal(fy_fxtab_set_row_arb(S, 5, v, 1, 2), 0);
    ra[0] = 0;
    rb[0] = 1;
    ra[1] = 4;
    rb[1] = 5;
    assert_int_equal(fy_fx_mulsum(D, 4, 1, 2, A, ra, B, rb, c, 2, wk), 0);
    mag_one(bound);
    mag_mul_2exp_si(bound, bound, -100);
    arb_zero(x);
    for (a = 0; a < 2; a++)
    {
        fy_fxtab_get_arb(out, D, 4, a, OUT_PREC);
        check_contains(out, x, "mulsum cancelling", 4, a);
        check_radius(out, bound, "mulsum cancelling", 4, a);
    }

    /* mulsum: a product exponent beyond 2^40 is refused */
    arb_one(v + 0);
    arb_mul_2exp_si(v + 0, v + 0, (WORD(1) << 39) + 5);
    assert_int_equal(fy_fxtab_set_row_arb(S, 3, v, 1, 1), 0);
    A[0] = S;
    ra[0] = 3;
    B[0] = S;
    rb[0] = 3;
    c[0] = 1;
    assert_int_not_equal(fy_fx_mulsum(D, 5, 1, 1, A, ra, B, rb, c, 1, wk), 0);
    arb_one(v + 0);
    arb_mul_2exp_si(v + 0, v + 0, -(WORD(1) << 39) - 5);
    assert_int_equal(fy_fxtab_set_row_arb(S, 3, v, 1, 1), 0);
    assert_int_not_equal(fy_fx_mulsum(D, 5, 1, 1, A, ra, B, rb, c, 1, wk), 0);

    fy_fxtab_clear(S);
    fy_fxtab_clear(D);
    fy_fxwork_clear(wk);
    _arb_vec_clear(v, 8);
    _arb_vec_clear(W, 8);
    arb_clear(out);
    arb_clear(x);
    mag_clear(bound);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tab_init),   cmocka_unit_test(test_set_row_arb),
    cmocka_unit_test(test_copy_rows),  cmocka_unit_test(test_set_row_d),
    cmocka_unit_test(test_fxmat),      cmocka_unit_test(test_gemm),
    cmocka_unit_test(test_mulsum),     cmocka_unit_test(test_gemm_worst),
    cmocka_unit_test(test_mulsum_worst), cmocka_unit_test(test_wide_balls),
    cmocka_unit_test(test_edges),
};

#else /* FY_HAVE_FX */

static void test_no_fx(void **state)
{
    (void) state;
    printf("# no 128-bit integers or no 64-bit FLINT limbs: fxball not built\n");
    skip();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_no_fx),
};

#endif /* FY_HAVE_FX */

FY_TEST_MAIN("fxball", tests)
