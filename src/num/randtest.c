/* Random test operands in the manner of FLINT's *_randtest (issue 9): doubles of random sign and
 * magnitude with exact zeros, rationals of random size, balls with random midpoints of up to
 * prec bits AND random radii (exact, rounding-sized, medium, wider than the midpoint), and exact
 * points inside given balls (endpoints, midpoint, a random interior point) for checking that a
 * ball result contains the exact result.  Every draw comes from the one generator (feynn/rng.h,
 * Philox keyed by FY_RNG_PURPOSE_RANDTEST) through a counter, so it is a function of the seed
 * and of the number of draws before it, on every FLINT version. */
#include <math.h>

#include "feynn/num.h"
#include "feynn/rng.h"

uint64_t fy_randtest_u64(uint64_t *state)
{
    fy_rng_t r;
    uint32_t w[4];
    fy_rng_init(r, 0, FY_RNG_PURPOSE_RANDTEST);
    fy_rng_block(w, r, *state += 0x9e3779b97f4a7c15ULL, 0);
    return (uint64_t) w[0] | (uint64_t) w[1] << 32;
}

slong fy_randtest_range(uint64_t *state, slong lo, slong hi)
{
    if (hi <= lo)
        return lo;
    return lo + (slong) (fy_randtest_u64(state) % (uint64_t) (hi - lo + 1));
}

/* z = a random integer of exactly b bits (top bit set; 0 when b = 0), nonnegative. */
static void fmpz_randbits_exact(fmpz_t z, uint64_t *state, slong b)
{
    slong have = 0;
    fmpz_zero(z);
    if (b <= 0)
        return;
    while (have < b)
    {
        fmpz_mul_2exp(z, z, 64);
        fmpz_add_ui(z, z, (ulong) fy_randtest_u64(state));
        have += 64;
    }
    fmpz_fdiv_r_2exp(z, z, (ulong) b);
    fmpz_setbit(z, (ulong) (b - 1));
}

void fy_fmpq_randtest(fmpq_t q, uint64_t *state, slong bits)
{
    uint64_t kind = fy_randtest_u64(state) % 16;
    fmpz_t n, d;
    if (bits < 1)
        bits = 1;
    if (kind == 0)
    {
        fmpq_zero(q);
        return;
    }
    fmpz_init(n);
    fmpz_init(d);
    fmpz_randbits_exact(n, state, fy_randtest_range(state, 1, bits));
    if (kind == 1) /* an all-ones numerator, 2^b - 1, like FLINT's extremal operands */
    {
        fmpz_one(n);
        fmpz_mul_2exp(n, n, (ulong) fy_randtest_range(state, 1, bits));
        fmpz_sub_ui(n, n, 1);
    }
    if (kind < 5) /* an integer */
        fmpz_one(d);
    else
        fmpz_randbits_exact(d, state, fy_randtest_range(state, 1, bits));
    if (fy_randtest_u64(state) & 1)
        fmpz_neg(n, n);
    fmpq_set_fmpz_frac(q, n, d); /* canonical */
    fmpz_clear(n);
    fmpz_clear(d);
}

double fy_d_randtest(uint64_t *state, slong mag_bits)
{
    uint64_t kind = fy_randtest_u64(state) % 8;
    double x;
    if (kind == 0)
        return 0.0;
    if (kind == 1) /* a small integer */
        x = (double) fy_randtest_range(state, 1, 100);
    else
        x = ldexp(fy_rng_u53(fy_randtest_u64(state) >> 11),
                  (int) fy_randtest_range(state, -mag_bits, mag_bits));
    return (fy_randtest_u64(state) & 1) ? -x : x;
}

void fy_arb_randtest(arb_t x, uint64_t *state, slong prec, slong mag_bits)
{
    uint64_t kind = fy_randtest_u64(state);
    slong mb, top;
    fmpz_t m, e;

    if (prec < 2)
        prec = 2;
    if (mag_bits < 0)
        mag_bits = 0;
    arb_zero(x);
    /* the midpoint: zero (1 in 8), else mb <= prec random bits at a random exponent */
    top = fy_randtest_range(state, -mag_bits, mag_bits); /* |mid| in [2^(top-1), 2^top) */
    if (kind % 8 != 0)
    {
        fmpz_init(m);
        fmpz_init(e);
        mb = fy_randtest_range(state, 1, prec);
        fmpz_randbits_exact(m, state, mb);
        if (fy_randtest_u64(state) & 1)
            fmpz_neg(m, m);
        fmpz_set_si(e, top - mb);
        arf_set_fmpz_2exp(arb_midref(x), m, e);
        fmpz_clear(m);
        fmpz_clear(e);
    }
    /* the radius: exact (1 in 4), rounding-sized, medium, or about |mid| and wider */
    switch ((kind >> 8) % 4)
    {
    case 0: break;
    case 1:
        mag_set_ui_2exp_si(arb_radref(x), 1 + fy_randtest_u64(state) % 0x3fffffff,
                           top - prec - 30 - fy_randtest_range(state, 0, 16));
        break;
    case 2:
        mag_set_ui_2exp_si(arb_radref(x), 1 + fy_randtest_u64(state) % 0x3fffffff,
                           top - 30 - fy_randtest_range(state, 1, prec / 2));
        break;
    default:
        mag_set_ui_2exp_si(arb_radref(x), 1 + fy_randtest_u64(state) % 0x3fffffff,
                           top - 30 + fy_randtest_range(state, -2, 4));
        break;
    }
}

/* q = a point of the finite ball x: lower end, midpoint, upper end or mid + (k/2^16) rad. */
static void arb_point(fmpq_t q, uint64_t *state, const arb_t x)
{
    fmpq_t r;
    arf_t t;
    slong k = 0;
    fmpq_init(r);
    arf_init(t);
    arf_get_fmpq(q, arb_midref(x));
    arf_set_mag(t, arb_radref(x));
    arf_get_fmpq(r, t);
    switch (fy_randtest_u64(state) % 4)
    {
    case 0: k = -65536; break;
    case 1: k = 0; break;
    case 2: k = 65536; break;
    default: k = fy_randtest_range(state, -65536, 65536); break;
    }
    fmpq_mul_si(r, r, k);
    fmpq_div_2exp(r, r, 16);
    fmpq_add(q, q, r);
    arf_clear(t);
    fmpq_clear(r);
}

int fy_numvec_randtest(fy_numvec_t v, uint64_t *state, fy_arith_t arith, slong len, slong prec,
                       fy_error_t err)
{
    slong i;
    int rc = fy_numvec_set_shape(v, arith, len, prec, err);
    if (rc != FY_OK)
        return rc;
    for (i = 0; i < len; i++)
    {
        if (arith == FY_ARITH_DOUBLE)
            fy_numvec_d(v)[i] = fy_d_randtest(state, FY_RANDTEST_MAG_BITS);
        else if (arith == FY_ARITH_BALL)
            fy_arb_randtest(fy_numvec_arb(v) + i, state, prec, FY_RANDTEST_MAG_BITS);
        else
            fy_fmpq_randtest(fy_numvec_fmpq(v) + i, state, FY_RANDTEST_MAG_BITS);
    }
    return FY_OK;
}

int fy_numvec_randtest_point(fy_numvec_t q, uint64_t *state, const fy_numvec_t x,
                             fy_error_t err)
{
    slong i;
    int rc;
    if (x->arith != FY_ARITH_BALL)
        return fy_numvec_convert(q, FY_ARITH_EXACT, 0, x, err);
    for (i = 0; i < x->len; i++)
        if (!arb_is_finite(fy_numvec_arb(x) + i))
            return fy_error_set(err, FY_EINPUT, "entry %ld of the ball vector is not finite: it "
                                "has no exact point; pass finite balls", (long) i);
    if (q == x)
        return fy_error_set(err, FY_EINPUT, "fy_numvec_randtest_point: the output must not "
                            "be the input ball vector; pass another vector");
    rc = fy_numvec_set_shape(q, FY_ARITH_EXACT, x->len, 0, err);
    if (rc != FY_OK)
        return rc;
    for (i = 0; i < x->len; i++)
        arb_point(fy_numvec_fmpq(q) + i, state, fy_numvec_arb(x) + i);
    return FY_OK;
}
