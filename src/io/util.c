/* Helpers of the io module: dtypes, exact encodings, names, shapes, exact numbers. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmp.h>
#include <mpfr.h>
#include <flint/fmpz.h>

#include "feynn/num.h"
#include "io/io_internal.h"

const char *fy_dtype_name(fy_dtype_t t)
{
    switch (t)
    {
    case FY_DTYPE_F64: return "F64";
    case FY_DTYPE_F32: return "F32";
    case FY_DTYPE_F16: return "F16";
    case FY_DTYPE_BF16: return "BF16";
    case FY_DTYPE_TEXT: return "text";
    case FY_DTYPE_OTHER: return "other";
    }
    return "?";
}

size_t fy_dtype_size(fy_dtype_t t)
{
    switch (t)
    {
    case FY_DTYPE_F64: return 8;
    case FY_DTYPE_F32: return 4;
    case FY_DTYPE_F16: return 2;
    case FY_DTYPE_BF16: return 2;
    default: return 0;
    }
}

int fy_dtype_from_name(const char *name)
{
    static const struct { const char *s; fy_dtype_t t; } names[] = {
        {"F64", FY_DTYPE_F64}, {"f8", FY_DTYPE_F64}, {"float64", FY_DTYPE_F64},
        {"double", FY_DTYPE_F64}, {"F32", FY_DTYPE_F32}, {"f4", FY_DTYPE_F32},
        {"float32", FY_DTYPE_F32}, {"float", FY_DTYPE_F32}, {"F16", FY_DTYPE_F16},
        {"f2", FY_DTYPE_F16}, {"float16", FY_DTYPE_F16}, {"half", FY_DTYPE_F16},
        {"BF16", FY_DTYPE_BF16}, {"bfloat16", FY_DTYPE_BF16}};
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].s) == 0)
            return (int) names[i].t;
    return -1;
}

char *fy_io_strndup(const char *s, size_t n, fy_error_t err)
{
    char *p = fy_malloc(n + 1, 1, err);
    if (p != NULL)
    {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *fy_io_strdup(const char *s, fy_error_t err)
{
    return fy_io_strndup(s, strlen(s), err);
}

int fy_io_natcmp(const char *a, const char *b)
{
    while (*a && *b)
    {
        if (isdigit((unsigned char) *a) && isdigit((unsigned char) *b))
        {
            const char *ea, *eb;
            size_t la, lb;
            int c;
            while (*a == '0' && isdigit((unsigned char) a[1]))
                a++;
            while (*b == '0' && isdigit((unsigned char) b[1]))
                b++;
            for (ea = a; isdigit((unsigned char) *ea); ea++)
                ;
            for (eb = b; isdigit((unsigned char) *eb); eb++)
                ;
            la = (size_t) (ea - a);
            lb = (size_t) (eb - b);
            if (la != lb)
                return la < lb ? -1 : 1;
            c = strncmp(a, b, la);
            if (c != 0)
                return c;
            a = ea;
            b = eb;
        }
        else
        {
            if (*a != *b)
                return (unsigned char) *a < (unsigned char) *b ? -1 : 1;
            a++;
            b++;
        }
    }
    return (unsigned char) *a - (unsigned char) *b;
}

char *fy_io_shape_str(char *buf, size_t n, int ndim, const size_t *shape)
{
    size_t used = 0;
    int i;
    used += (size_t) snprintf(buf, n, "(");
    for (i = 0; i < ndim && used < n; i++)
        used += (size_t) snprintf(buf + used, n - used, "%s%zu", i ? ", " : "", shape[i]);
    if (used < n)
        snprintf(buf + used, n - used, ")");
    return buf;
}

char *fy_io_index_str(char *buf, size_t n, int ndim, const size_t *shape, size_t k)
{
    size_t idx[FY_IO_MAX_DIMS], used = 0;
    int i;
    for (i = ndim - 1; i >= 0; i--)
    {
        idx[i] = shape[i] ? k % shape[i] : 0;
        k = shape[i] ? k / shape[i] : 0;
    }
    used += (size_t) snprintf(buf, n, "[");
    for (i = 0; i < ndim && used < n; i++)
        used += (size_t) snprintf(buf + used, n - used, "%s%zu", i ? ", " : "", idx[i]);
    if (used < n)
        snprintf(buf + used, n - used, "]");
    return buf;
}

int fy_io_numel(size_t *numel, int ndim, const size_t *shape, size_t limit)
{
    size_t p = 1;
    int i, zero = 0;
    for (i = 0; i < ndim; i++)
        if (shape[i] == 0)
            zero = 1;
    if (zero)
    {
        *numel = 0;
        return 0;
    }
    for (i = 0; i < ndim; i++)
    {
        if (p > limit / shape[i])
            return -1;
        p *= shape[i];
    }
    *numel = p;
    return 0;
}

double fy_io_decode(fy_dtype_t t, const uint8_t *p, int big_endian)
{
    size_t k = fy_dtype_size(t), i;
    uint64_t u = 0;
    for (i = 0; i < k; i++)
        u |= (uint64_t) p[big_endian ? k - 1 - i : i] << (8 * i);
    switch (t)
    {
    case FY_DTYPE_F64: return fy_f64_from_bits(u);
    case FY_DTYPE_F32: return fy_f32_to_double((uint32_t) u);
    case FY_DTYPE_F16: return fy_f16_to_double((uint16_t) u);
    case FY_DTYPE_BF16: return fy_bf16_to_double((uint16_t) u);
    default: return NAN;
    }
}

static void put_le(uint8_t *p, uint64_t u, size_t k)
{
    size_t i;
    for (i = 0; i < k; i++)
        p[i] = (uint8_t) (u >> (8 * i));
}

/* The binary16 bit pattern of v when v is exactly a binary16 value; -1 otherwise. */
static long f16_bits(double v)
{
    uint16_t sign = signbit(v) ? 0x8000 : 0;
    double a = fabs(v);
    long bits;
    int e;

    if (isnan(v))
        return sign | 0x7e00;
    if (isinf(v))
        return sign | 0x7c00;
    if (a == 0)
        return sign;
    if (a < ldexp(1, -14))
    {
        double m = ldexp(a, 24); /* subnormal: a = m * 2^-24, m < 1024 */
        if (m != floor(m))
            return -1;
        bits = (long) m;
    }
    else
    {
        double m = frexp(a, &e); /* a = m 2^e, m in [0.5, 1) */
        double frac = ldexp(m, 11) - 1024; /* 10 fraction bits */
        if (e - 1 > 15 || frac != floor(frac))
            return -1;
        bits = ((long) (e - 1 + 15) << 10) | (long) frac;
    }
    bits |= sign;
    return fy_f16_to_double((uint16_t) bits) == v ? bits : -1;
}

int fy_io_encode(uint8_t *p, fy_dtype_t t, double v)
{
    uint64_t u;
    switch (t)
    {
    case FY_DTYPE_F64:
        memcpy(&u, &v, sizeof u);
        put_le(p, u, 8);
        return 0;
    case FY_DTYPE_F32:
    case FY_DTYPE_BF16:
    {
        float f = (float) v;
        uint32_t b;
        if (!isnan(v) && (double) f != v)
            return -1;
        memcpy(&b, &f, sizeof b);
        if (t == FY_DTYPE_F32)
        {
            put_le(p, b, 4);
            return 0;
        }
        if (isnan(v))
            b = (b & 0xffff0000u) | 0x00400000u; /* keep sign and high payload, stay quiet */
        if (b & 0xffffu)
            return -1;
        put_le(p, b >> 16, 2);
        return 0;
    }
    case FY_DTYPE_F16:
    {
        long bits = f16_bits(v);
        if (bits < 0)
            return -1;
        put_le(p, (uint64_t) bits, 2);
        return 0;
    }
    default:
        return -1;
    }
}

/* ------------------------------------------------------------------ exact numbers */

void fy_io_fmpq_set_d(fmpq_t q, double d)
{
    int e;
    double m = frexp(d, &e); /* d = m 2^e, |m| in [0.5, 1) */
    fmpz_set_d(fmpq_numref(q), ldexp(m, 53));
    fmpz_one(fmpq_denref(q));
    e -= 53;
    if (e >= 0)
        fmpq_mul_2exp(q, q, (ulong) e);
    else
        fmpq_div_2exp(q, q, (ulong) -e);
}

/* round(a / b) with ties to even, b > 0. */
static void fdiv_round_even(fmpz_t r, const fmpz_t a, const fmpz_t b)
{
    fmpz_t rem, twice;
    int c;
    fmpz_init(rem);
    fmpz_init(twice);
    fmpz_fdiv_qr(r, rem, a, b);
    fmpz_mul_2exp(twice, rem, 1);
    c = fmpz_cmp(twice, b);
    if (c > 0 || (c == 0 && fmpz_is_odd(r)))
        fmpz_add_ui(r, r, 1);
    fmpz_clear(rem);
    fmpz_clear(twice);
}

int fy_io_fmpq_get_d(double *d, const fmpq_t q)
{
    mpfr_t x;
    int rc = 0;

    if (fmpq_is_zero(q))
    {
        *d = 0.0;
        return 0;
    }
    mpfr_init2(x, 53);
    fmpq_get_mpfr(x, q, MPFR_RNDN); /* correctly rounded to 53 bits, unbounded exponent */
    if (mpfr_get_exp(x) - 1 < -1022)
    {
        /* Subnormal range: round q 2^1074 to an integer once, so there is no double rounding. */
        fmpz_t num, r;
        fmpz_init(num);
        fmpz_init(r);
        fmpz_mul_2exp(num, fmpq_numref(q), 1074);
        fmpz_abs(num, num);
        fdiv_round_even(r, num, fmpq_denref(q));
        *d = ldexp(fmpz_get_d(r), -1074);
        if (fmpq_sgn(q) < 0)
            *d = -*d;
        fmpz_clear(num);
        fmpz_clear(r);
    }
    else
    {
        *d = mpfr_get_d(x, MPFR_RNDN);
        if (isinf(*d))
            rc = -1;
    }
    mpfr_clear(x);
    return rc;
}

#define MAX_DIGITS 1000
#define MAX_EXPONENT 1000

long fy_io_parse_number(fmpq_t q, double *d, const char *s, size_t n, const char **why)
{
    size_t i = 0, int0, int1, frac0 = 0, frac1 = 0, den0, den1;
    int neg = 0, has_frac = 0;
    long exp10 = 0;
    char digits[2 * MAX_DIGITS + 2];
    size_t nd = 0;
    fmpz_t t;

    *why = NULL;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    int0 = i;
    while (i < n && isdigit((unsigned char) s[i]))
        i++;
    int1 = i;
    if (i < n && s[i] == '/' && int1 > int0)
    {
        /* p/q */
        den0 = ++i;
        while (i < n && isdigit((unsigned char) s[i]))
            i++;
        den1 = i;
        if (den1 == den0)
            return 0;
        if (int1 - int0 > MAX_DIGITS || den1 - den0 > MAX_DIGITS)
        {
            *why = "more than 1000 digits";
            return -1;
        }
        memcpy(digits, s + den0, den1 - den0);
        digits[den1 - den0] = '\0';
        fmpz_init(t);
        fmpz_set_str(t, digits, 10);
        if (fmpz_is_zero(t))
        {
            fmpz_clear(t);
            *why = "zero denominator";
            return -1;
        }
        memcpy(digits, s + int0, int1 - int0);
        digits[int1 - int0] = '\0';
        fmpz_set_str(fmpq_numref(q), digits, 10);
        fmpz_swap(fmpq_denref(q), t);
        fmpz_clear(t);
        fmpq_canonicalise(q);
        if (neg)
            fmpq_neg(q, q);
        goto to_double;
    }
    if (i < n && s[i] == '.')
    {
        has_frac = 1;
        frac0 = ++i;
        while (i < n && isdigit((unsigned char) s[i]))
            i++;
        frac1 = i;
    }
    if (int1 == int0 && (!has_frac || frac1 == frac0))
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E'))
    {
        size_t j = i + 1, e0;
        int eneg = 0;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            eneg = s[j++] == '-';
        e0 = j;
        while (j < n && isdigit((unsigned char) s[j]))
        {
            if (exp10 < 100000)
                exp10 = 10 * exp10 + (s[j] - '0');
            j++;
        }
        if (j > e0)
        {
            i = j;
            if (eneg)
                exp10 = -exp10;
        }
        else
            exp10 = 0; /* "1e" : the number ends before the e; the caller sees the 'e' */
    }
    if (int1 - int0 + frac1 - frac0 > MAX_DIGITS)
    {
        *why = "more than 1000 digits";
        return -1;
    }
    if (exp10 > MAX_EXPONENT || exp10 < -MAX_EXPONENT)
    {
        *why = "exponent beyond +-1000";
        return -1;
    }
    memcpy(digits, s + int0, int1 - int0);
    nd = int1 - int0;
    if (has_frac)
    {
        memcpy(digits + nd, s + frac0, frac1 - frac0);
        nd += frac1 - frac0;
    }
    digits[nd] = '\0';
    exp10 -= (long) (frac1 - frac0);
    fmpz_set_str(fmpq_numref(q), digits, 10);
    fmpz_one(fmpq_denref(q));
    fmpz_init(t);
    fmpz_ui_pow_ui(t, 10, (ulong) (exp10 < 0 ? -exp10 : exp10));
    if (exp10 >= 0)
        fmpz_mul(fmpq_numref(q), fmpq_numref(q), t);
    else
        fmpz_swap(fmpq_denref(q), t);
    fmpz_clear(t);
    fmpq_canonicalise(q);
    if (neg)
        fmpq_neg(q, q);
to_double:
    if (fy_io_fmpq_get_d(d, q) != 0)
    {
        *why = "out of the range of double";
        return -1;
    }
    return (long) i;
}

int fy_io_activation_ok(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 63 || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
        return 0;
    for (i = 1; i < n; i++)
        if (!(isalnum((unsigned char) s[i]) || strchr("_.+-", s[i]) != NULL) || s[i] == '\0')
            return 0;
    return 1;
}
