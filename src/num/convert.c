/* Exact conversion of binary floats to dyadic rationals, and correctly rounded rational ->
 * double.  Done on the integers (fmpz), not through the FPU, so that subnormals and the
 * rounding boundary are exact by construction. */
#include <math.h>
#include <string.h>

#include "feynn/num.h"

/* A binary interchange format with ebits exponent and mbits stored mantissa bits. */
static int set_float_bits(fmpq_t z, uint64_t bits, int ebits, int mbits, const char *name,
                          fy_error_t err)
{
    uint64_t mmask = ((uint64_t) 1 << mbits) - 1, emax = ((uint64_t) 1 << ebits) - 1;
    uint64_t m = bits & mmask, e = (bits >> mbits) & emax;
    int sign = (int) ((bits >> (mbits + ebits)) & 1);
    slong bias = ((slong) 1 << (ebits - 1)) - 1, shift;

    fmpq_zero(z);
    if (e == emax)
        return fy_error_set(err, FY_EINPUT, "%s bit pattern 0x%0*llx is %s%s: only finite "
                            "numbers have an exact rational value", name, (1 + ebits + mbits) / 4,
                            (unsigned long long) bits, m ? "NaN" : (sign ? "-" : "+"),
                            m ? "" : "infinity");
    if (e == 0)
        shift = 1 - bias - mbits; /* subnormal (or zero): m * 2^(emin - mbits) */
    else
    {
        m |= (uint64_t) 1 << mbits;
        shift = (slong) e - bias - mbits;
    }
    fmpz_set_ui(fmpq_numref(z), (ulong) m); /* z was set to 0/1 above */
    if (sign)
        fmpz_neg(fmpq_numref(z), fmpq_numref(z));
    if (shift > 0)
        fmpq_mul_2exp(z, z, (flint_bitcnt_t) shift);
    else if (shift < 0)
        fmpq_div_2exp(z, z, (flint_bitcnt_t) -shift);
    return FY_OK;
}

int fy_fmpq_set_f64_bits(fmpq_t z, uint64_t bits, fy_error_t err)
{
    return set_float_bits(z, bits, 11, 52, "binary64", err);
}

int fy_fmpq_set_f32_bits(fmpq_t z, uint32_t bits, fy_error_t err)
{
    return set_float_bits(z, bits, 8, 23, "binary32", err);
}

int fy_fmpq_set_f16_bits(fmpq_t z, uint16_t bits, fy_error_t err)
{
    return set_float_bits(z, bits, 5, 10, "binary16", err);
}

int fy_fmpq_set_bf16_bits(fmpq_t z, uint16_t bits, fy_error_t err)
{
    return set_float_bits(z, bits, 8, 7, "bfloat16", err);
}

int fy_fmpq_set_d(fmpq_t z, double x, fy_error_t err)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return fy_fmpq_set_f64_bits(z, b, err);
}

int fy_arb_set_d_exact(arb_t z, double x, fy_error_t err)
{
    if (!isfinite(x))
    {
        arb_zero(z);
        return fy_error_set(err, FY_EINPUT, "%s has no ball enclosure: only finite numbers are "
                            "accepted", isnan(x) ? "NaN" : (x > 0 ? "+infinity" : "-infinity"));
    }
    arb_set_d(z, x); /* exact: a double is an arf midpoint, radius 0 */
    return FY_OK;
}

double fy_fmpq_get_d(const fmpq_t x)
{
    const fmpz *p = fmpq_numref(x), *q = fmpq_denref(x);
    fmpz_t a, b, m, r;
    slong e;
    double d;
    int cmp, neg = fmpz_sgn(p) < 0;

    if (fmpz_is_zero(p))
        return 0.0;
    fmpz_init(a);
    fmpz_init(b);
    fmpz_init(m);
    fmpz_init(r);
    /* |x| lies in [2^(bp-bq-1), 2^(bp-bq+1)); pick e so that the integer part m of |x| 2^-e
     * has 53 bits, then clamp e to the subnormal exponent. */
    e = (slong) fmpz_bits(p) - (slong) fmpz_bits(q) - 53;
    for (;;)
    {
        slong ee = e < -1074 ? -1074 : e;
        fmpz_abs(a, p);
        fmpz_set(b, q);
        if (ee < 0)
            fmpz_mul_2exp(a, a, (ulong) -ee);
        else
            fmpz_mul_2exp(b, b, (ulong) ee);
        fmpz_fdiv_qr(m, r, a, b);
        if (ee == e && fmpz_bits(m) > 53)
        {
            e++;
            continue;
        }
        e = ee;
        break;
    }
    /* Round half to even on the remainder. */
    fmpz_mul_2exp(r, r, 1);
    cmp = fmpz_cmp(r, b);
    if (cmp > 0 || (cmp == 0 && fmpz_is_odd(m)))
        fmpz_add_ui(m, m, 1);
    if (e > 1024)
        d = INFINITY;
    else
        d = ldexp((double) fmpz_get_ui(m), (int) e); /* m <= 2^53: exact; overflow -> inf */
    fmpz_clear(a);
    fmpz_clear(b);
    fmpz_clear(m);
    fmpz_clear(r);
    return neg ? -d : d;
}
