/* Exact decimal/fraction parsing of rationals and printing of rationals and balls. */
#include <ctype.h>
#include <stdio.h>
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

/* Largest binary exponent (in absolute value) for which the printed radius is computed exactly
 * with rationals; beyond it (|x| outside about 10^+-300000) the radius prints as "inf". */
#define BALL_STR_MAX_EXP 1000000

static char *dup_str(const char *s)
{
    char *r = malloc(strlen(s) + 1);
    if (r != NULL)
        strcpy(r, s);
    return r;
}

static int exp_in_range(const arf_t a)
{
    return arf_is_zero(a) || (fmpz_cmp_si(ARF_EXPREF(a), BALL_STR_MAX_EXP) <= 0
                              && fmpz_cmp_si(ARF_EXPREF(a), -BALL_STR_MAX_EXP) >= 0);
}

static int mag_in_range(const mag_t r)
{
    return mag_is_zero(r) || (fmpz_cmp_si(MAG_EXPREF(r), BALL_STR_MAX_EXP) <= 0
                              && fmpz_cmp_si(MAG_EXPREF(r), -BALL_STR_MAX_EXP) >= 0);
}

/* A decimal string s >= r > 0 with 3 significant digits ("d.dde-N"), r a positive rational. */
static char *decimal_up(const fmpq_t r)
{
    fmpz_t p10, n;
    fmpq_t t;
    slong e;
    char *digs, *out;
    size_t len;

    fmpz_init(p10);
    fmpz_init(n);
    fmpq_init(t);
    /* e = floor(log10 r), from the decimal sizes (off by at most 1 either way), then fixed */
    e = (slong) fmpz_sizeinbase(fmpq_numref(r), 10) - (slong) fmpz_sizeinbase(fmpq_denref(r), 10);
    for (;;)
    {
        /* t = r / 10^e; want 1 <= t < 10 */
        fmpz_set_ui(p10, 10);
        fmpz_pow_ui(p10, p10, (ulong) (e >= 0 ? e : -e));
        if (e >= 0)
            fmpq_div_fmpz(t, r, p10);
        else
            fmpq_mul_fmpz(t, r, p10);
        if (fmpz_cmp(fmpq_numref(t), fmpq_denref(t)) < 0)
            e--;
        else if (fmpq_cmp_ui(t, 10) >= 0)
            e++;
        else
            break;
    }
    /* n = ceil(t * 100), 100 <= n <= 1000 */
    fmpq_mul_ui(t, t, 100);
    fmpz_cdiv_q(n, fmpq_numref(t), fmpq_denref(t));
    if (fmpz_cmp_ui(n, 1000) >= 0) /* 9.995 <= t < 10 rounds up to 10.0 = 1.00e(e+1) */
    {
        fmpz_set_ui(n, 100);
        e++;
    }
    digs = fmpz_get_str(NULL, 10, n);
    len = strlen(digs);
    out = digs ? malloc(len + 32) : NULL;
    if (out != NULL)
        sprintf(out, "%c.%se%ld", digs[0], digs + 1, (long) e);
    flint_free(digs);
    fmpz_clear(p10);
    fmpz_clear(n);
    fmpq_clear(t);
    return out;
}

int fy_arb_get_str_ball(char **text, char **mid, char **rad, const arb_t x, slong digits)
{
    char *m = NULL, *r = NULL;
    int ok = 1;

    if (text != NULL)
        *text = NULL;
    if (mid != NULL)
        *mid = NULL;
    if (rad != NULL)
        *rad = NULL;
    if (!arf_is_finite(arb_midref(x)))
    {
        m = dup_str(arf_is_nan(arb_midref(x)) ? "nan"
                    : arf_sgn(arb_midref(x)) > 0 ? "inf" : "-inf");
        r = dup_str("inf");
    }
    else
    {
        char *fs = arf_get_str(arb_midref(x), digits > 0 ? digits : 1);
        m = fs ? dup_str(fs) : NULL;
        flint_free(fs);
        if (m != NULL && (!mag_is_finite(arb_radref(x)) || !exp_in_range(arb_midref(x))
                          || !mag_in_range(arb_radref(x))))
            r = dup_str("inf");
        else if (m != NULL)
        {
            /* rad' = rad + |mid_printed - mid|, exactly, printed rounded up */
            fmpq_t d, q;
            arf_t a;
            fy_error_t e;
            fmpq_init(d);
            fmpq_init(q);
            arf_init(a);
            if (fy_fmpq_parse(d, m, e) != FY_OK)
                r = dup_str("inf"); /* cannot happen: arf_get_str prints d.ddde[+-]N */
            else
            {
                arf_get_fmpq(q, arb_midref(x));
                fmpq_sub(d, d, q);
                fmpq_abs(d, d);
                arf_set_mag(a, arb_radref(x));
                arf_get_fmpq(q, a);
                fmpq_add(d, d, q);
                r = fmpq_is_zero(d) ? dup_str("0") : decimal_up(d);
            }
            fmpq_clear(d);
            fmpq_clear(q);
            arf_clear(a);
        }
    }
    if (m == NULL || r == NULL)
        ok = 0;
    if (ok && text != NULL)
    {
        if (strcmp(r, "0") == 0)
            *text = dup_str(m);
        else if ((*text = malloc(strlen(m) + strlen(r) + 10)) != NULL)
            sprintf(*text, "[%s +/- %s]", m, r);
        ok = *text != NULL;
    }
    if (ok && mid != NULL)
    {
        *mid = m;
        m = NULL;
    }
    if (ok && rad != NULL)
    {
        *rad = r;
        r = NULL;
    }
    free(m);
    free(r);
    return ok ? FY_OK : FY_ENOMEM;
}

char *fy_arb_get_str_radius(const arb_t x, slong digits)
{
    char *s;
    return fy_arb_get_str_ball(&s, NULL, NULL, x, digits) == FY_OK ? s : NULL;
}

char *fy_arb_get_str_certified(const arb_t x, slong digits)
{
    char *s = dup_flint_str(arb_get_str(x, digits > 0 ? digits : 1, ARB_STR_NO_RADIUS));
    if (s != NULL && strstr(s, "+/-") != NULL)
    {
        /* not one digit certified: the printed ball of every command instead of Arb's
         * "[+/- 1.5]" (a few digits of mid; rad covers the radius and mid's rounding) */
        free(s);
        s = fy_arb_get_str_radius(x, digits > 5 || digits < 1 ? 5 : digits);
    }
    return s;
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

static int parse_rational(fmpq_t z, const char *s, fy_error_t err);

int fy_fmpq_parse(fmpq_t z, const char *s, fy_error_t err)
{
    int rc = parse_rational(z, s, err);
    size_t i;
    if (rc != FY_EINPUT || err == NULL)
        return rc;
    /* a character that is not printable ASCII: name it and say what to type instead, in
     * place of the raw bytes the message quoted (issue 10 item 8: no raw non-ASCII shown) */
    for (i = 0; s[i] != '\0'; i++)
        if ((unsigned char) s[i] >= 0x7F || (unsigned char) s[i] < 0x20)
        {
            char shown[256], msg[sizeof err->msg], *q;
            size_t l = strlen(err->msg), k = strlen(s);
            fy_text_show(shown, sizeof shown, s, k);
            for (q = strchr(err->msg, '"'); q != NULL; q = strchr(q + 1, '"'))
                if (!strncmp(q + 1, s, k) && q[k + 1] == '"')
                    break;
            if (q != NULL) /* "raw" -> 'escaped' (named; what to type) */
            {
                snprintf(msg, sizeof msg, "%.*s%s%s", (int) (q - err->msg), err->msg, shown,
                         q + k + 2);
                memcpy(err->msg, msg, sizeof msg);
            }
            else
                snprintf(err->msg + l, sizeof err->msg - l, "; the number reads %s", shown);
            break;
        }
    return rc;
}

static int parse_rational(fmpq_t z, const char *s, fy_error_t err)
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

/* ------------------------------------------------------------------ showing input bytes */

/* Decodes one UTF-8 character at s (len > 0 bytes): its code point and length, or -1 when the
 * bytes are not UTF-8 (then one byte is consumed). */
static long utf8_decode(const unsigned char *s, size_t len, size_t *used)
{
    long cp;
    size_t k, need;
    *used = 1;
    if (s[0] < 0x80)
        return s[0];
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 1, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 2, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 3, cp = s[0] & 0x07;
    else
        return -1;
    if (len < need + 1)
        return -1;
    for (k = 1; k <= need; k++)
    {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))
        || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *used = need + 1;
    return cp;
}

/* What a look-alike character should be typed as. */
static const char *char_hint(long cp)
{
    switch (cp)
    {
    case 0xFEFF:
        return "a UTF-8 byte-order mark; save the file as plain ASCII/UTF-8 without it";
    case 0x2212:
        return "MINUS SIGN; type '-' instead";
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0xFE63: case 0xFF0D:
        return "a dash; type '-' instead";
    case 0x00A0: case 0x2002: case 0x2003: case 0x2007: case 0x2009: case 0x200A: case 0x202F:
        return "a non-ASCII space; type a plain space instead";
    case 0x200B:
        return "ZERO WIDTH SPACE; delete it";
    case 0x2044: case 0x2215: case 0x00F7:
        return "a slash or division sign; type '/' instead";
    case 0x00D7: case 0x00B7: case 0x22C5: case 0x2217:
        return "a multiplication sign; type '*' instead";
    case 0x2018: case 0x2019: case 0x2032:
        return "a typographic quote; type ' instead";
    case 0x201C: case 0x201D:
        return "a typographic double quote; type \" instead";
    case 0xFF0E: case 0x2024:
        return "a dot look-alike; type '.' instead";
    case 0x00B9: case 0x00B2: case 0x00B3:
        return "a superscript digit; write the exponent with e or ^ as the format says";
    default:
        return NULL;
    }
}

void fy_text_show(char *buf, size_t n, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *) s;
    size_t i = 0, k = 0, used, shown = 0;
    long first = -2, cp;
    int first_bad = -1;
    char piece[24];

    if (n == 0)
        return;
#define PUT(str)                                                                              \
    do {                                                                                      \
        const char *p_ = (str);                                                               \
        while (*p_ && k + 1 < n)                                                              \
            buf[k++] = *p_++;                                                                 \
    } while (0)
    PUT("'");
    while (i < len)
    {
        cp = utf8_decode(u + i, len - i, &used);
        if (shown >= 24)
        {
            PUT("...");
            break;
        }
        if (cp >= 0x20 && cp < 0x7F)
        {
            piece[0] = (char) cp;
            piece[1] = '\0';
        }
        else if (cp < 0)
            snprintf(piece, sizeof piece, "<0x%02X>", u[i]);
        else
            snprintf(piece, sizeof piece, "<U+%04lX>", (unsigned long) cp);
        if (first == -2 && !(cp >= 0x20 && cp < 0x7F))
        {
            first = cp;
            first_bad = cp < 0 ? u[i] : -1;
        }
        PUT(piece);
        shown++;
        i += used;
    }
    PUT("'");
    if (first != -2)
    {
        char tail[160];
        const char *h = first >= 0 ? char_hint(first) : NULL;
        if (first < 0)
            snprintf(tail, sizeof tail, " (byte 0x%02X is not UTF-8; feynn reads ASCII text)",
                     (unsigned) first_bad);
        else if (h != NULL)
            snprintf(tail, sizeof tail, " (U+%04lX, %s)", (unsigned long) first, h);
        else if (first < 0x20 || first == 0x7F)
            snprintf(tail, sizeof tail, " (U+%04lX is a control character; delete it)",
                     (unsigned long) first);
        else
            snprintf(tail, sizeof tail, " (U+%04lX is not ASCII; feynn reads ASCII text)",
                     (unsigned long) first);
        PUT(tail);
    }
#undef PUT
    buf[k] = '\0';
}
