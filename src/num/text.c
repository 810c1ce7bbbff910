/* Exact decimal/fraction parsing of rationals and printing of rationals and balls. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/num.h"

/* A copy in malloc'd memory of a string FLINT/Arb allocated, so callers use free(). */
static char *dup_flint_str(char *s)
{
    char *r;
    if (s == NULL)
        return NULL;
    r = malloc(strlen(s) + 1);
    if (r != NULL)
        strcpy(r, s);
    flint_free(s);
    return r;
}

char *fy_fmpq_get_str(const fmpq_t x)
{
    return dup_flint_str(fmpq_get_str(NULL, 10, x));
}

char *fy_arb_get_str_radius(const arb_t x, slong digits)
{
    return dup_flint_str(arb_get_str(x, digits > 0 ? digits : 1, 0));
}

char *fy_arb_get_str_certified(const arb_t x, slong digits)
{
    return dup_flint_str(arb_get_str(x, digits > 0 ? digits : 1, ARB_STR_NO_RADIUS));
}

/* Parses an unsigned decimal [digits][.digits][(e|E)[+-]digits] at s + *pos into z.  Returns
 * FY_OK or FY_EINPUT with the column (1-based) of the offending character in the message. */
static int parse_decimal(fmpq_t z, const char *s, size_t *pos, const char *what, fy_error_t err)
{
    size_t i = *pos, start, ndig = 0, nfrac = 0;
    char *digits;
    slong ex = 0, scale;
    int exsign = 1;
    fmpz_t p10;

    start = i;
    digits = malloc(strlen(s + i) + 1);
    if (digits == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory parsing a number");
    while (isdigit((unsigned char) s[i]))
        digits[ndig++] = s[i++];
    if (s[i] == '.')
    {
        i++;
        while (isdigit((unsigned char) s[i]))
        {
            digits[ndig++] = s[i++];
            nfrac++;
        }
    }
    if (ndig == 0)
    {
        free(digits);
        return fy_error_set(err, FY_EINPUT, "bad number \"%s\" at column %zu: expected a digit "
                            "in the %s", s, start + 1, what);
    }
    digits[ndig] = '\0';
    if (s[i] == 'e' || s[i] == 'E')
    {
        i++;
        if (s[i] == '+' || s[i] == '-')
            exsign = s[i++] == '-' ? -1 : 1;
        if (!isdigit((unsigned char) s[i]))
        {
            free(digits);
            return fy_error_set(err, FY_EINPUT, "bad number \"%s\" at column %zu: expected the "
                                "digits of an exponent", s, i + 1);
        }
        while (isdigit((unsigned char) s[i]))
        {
            ex = 10 * ex + (s[i] - '0');
            if (ex > FY_PARSE_MAX_EXP)
            {
                free(digits);
                return fy_error_set(err, FY_EINPUT, "bad number \"%s\" at column %zu: exponent "
                                    "beyond +-%d", s, i + 1, FY_PARSE_MAX_EXP);
            }
            i++;
        }
    }
    if (fmpz_set_str(fmpq_numref(z), digits, 10) != 0)
    {
        free(digits);
        return fy_error_set(err, FY_EINTERNAL, "could not read digits of \"%s\"", s);
    }
    free(digits);
    fmpz_one(fmpq_denref(z));
    scale = exsign * ex - (slong) nfrac;
    fmpz_init(p10);
    fmpz_set_ui(p10, 10);
    fmpz_pow_ui(p10, p10, (ulong) (scale < 0 ? -scale : scale));
    if (scale >= 0)
        fmpz_mul(fmpq_numref(z), fmpq_numref(z), p10);
    else
        fmpz_swap(fmpq_denref(z), p10);
    fmpz_clear(p10);
    fmpq_canonicalise(z);
    *pos = i;
    return FY_OK;
}

int fy_fmpq_parse(fmpq_t z, const char *s, fy_error_t err)
{
    size_t i = 0;
    int neg = 0, rc;
    fmpq_t den;

    fmpq_zero(z);
    if (s == NULL)
        return fy_error_set(err, FY_EINPUT, "no number given");
    while (isspace((unsigned char) s[i]))
        i++;
    if (s[i] == '+' || s[i] == '-')
        neg = s[i++] == '-';
    rc = parse_decimal(z, s, &i, "numerator", err);
    if (rc != FY_OK)
    {
        fmpq_zero(z);
        return rc;
    }
    if (s[i] == '/')
    {
        size_t slash = i;
        i++;
        fmpq_init(den);
        rc = parse_decimal(den, s, &i, "denominator", err);
        if (rc == FY_OK && fmpq_is_zero(den))
            rc = fy_error_set(err, FY_EINPUT, "bad number \"%s\" at column %zu: division by "
                              "zero", s, slash + 2);
        if (rc == FY_OK)
            fmpq_div(z, z, den);
        fmpq_clear(den);
        if (rc != FY_OK)
        {
            fmpq_zero(z);
            return rc;
        }
    }
    while (isspace((unsigned char) s[i]))
        i++;
    if (s[i] != '\0')
    {
        fmpq_zero(z);
        return fy_error_set(err, FY_EINPUT, "bad number \"%s\" at column %zu: unexpected '%c' "
                            "(expected digits, '.', an exponent, '/' or the end)", s, i + 1,
                            isprint((unsigned char) s[i]) ? s[i] : '?');
    }
    if (neg)
        fmpq_neg(z, z);
    return FY_OK;
}
