/* Exact decoding of binary16, bfloat16, binary32 and binary64 bit patterns. */
#include <math.h>
#include <string.h>

#include "feynn/num.h"

const char *fy_arith_name(fy_arith_t a)
{
    switch (a)
    {
    case FY_ARITH_DOUBLE: return "double";
    case FY_ARITH_BALL: return "ball";
    case FY_ARITH_EXACT: return "exact";
    }
    return "?";
}

double fy_f16_to_double(uint16_t bits)
{
    int sign = bits >> 15, e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
    double v;

    if (e == 0)
        v = ldexp((double) m, -24); /* subnormal: m * 2^-24 */
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp((double) (m | 0x400), e - 25);
    return sign ? -v : v;
}

double fy_bf16_to_double(uint16_t bits)
{
    return fy_f32_to_double((uint32_t) bits << 16);
}

double fy_f32_to_double(uint32_t bits)
{
    float f;
    memcpy(&f, &bits, sizeof f);
    return (double) f;
}

double fy_f64_from_bits(uint64_t bits)
{
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}
