/* The lexer of rule files: words, exact numbers, raw strings, punctuation and newlines, with
 * line:column positions (1-based, in bytes).  '#' starts a comment to the end of the line; a
 * backslash at the end of a line (outside strings) continues the statement on the next. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules_impl.h"

int fy_rules_error_at(fy_error_t err, const char *file, int line, int col, const char *fmt, ...)
{
    char msg[FY_ERROR_MSG_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fy_error_set(err, FY_EINPUT, "%s:%d:%d: %s", file, line, col, msg);
}

void fy_lex_init(fy_lexer *lx, const char *text, size_t len, const char *file)
{
    lx->text = text;
    lx->len = len;
    lx->pos = 0;
    lx->line = 1;
    lx->col = 1;
    lx->file = file;
}

static int peekc(const fy_lexer *lx, size_t off)
{
    return lx->pos + off < lx->len ? (unsigned char) lx->text[lx->pos + off] : -1;
}

static void advance(fy_lexer *lx)
{
    if (lx->text[lx->pos] == '\n')
    {
        lx->line++;
        lx->col = 1;
    }
    else
        lx->col++;
    lx->pos++;
}

static int is_word_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int is_word_char(int c)
{
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '!';
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Numbers are limited in length so that no token can make a huge integer. */
#define FY_MAX_NUMBER_CHARS 64

int fy_lex_next(fy_lexer *lx, fy_tok *t, fy_error_t err)
{
    int c;

    for (;;)
    {
        c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r')
            advance(lx);
        else if (c == '#')
        {
            while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
                advance(lx);
        }
        else if (c == '\\')
        {
            /* continuation: backslash, optional spaces or a comment, newline */
            size_t k = 1;
            int d;
            while ((d = peekc(lx, k)) == ' ' || d == '\t' || d == '\r')
                k++;
            if (d == '\n')
            {
                while (k-- > 0)
                    advance(lx);
                advance(lx);
            }
            else
                return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                                         "expected a newline after the continuation '\\' "
                                         "(backslashes belong inside quoted strings)");
        }
        else
            break;
    }
    t->s = lx->text + lx->pos;
    t->len = 0;
    t->line = lx->line;
    t->col = lx->col;
    if (c == -1)
    {
        t->type = FY_TK_EOF;
        return FY_OK;
    }
    if (c == '\n')
    {
        t->type = FY_TK_NL;
        t->len = 1;
        advance(lx);
        return FY_OK;
    }
    if (c == '\0')
        return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                                 "unexpected NUL byte (rule files are text)");
    if (c == '"')
    {
        advance(lx);
        t->s = lx->text + lx->pos;
        for (;;)
        {
            int d = peekc(lx, 0);
            if (d == -1 || d == '\n')
                return fy_rules_error_at(err, lx->file, t->line, t->col,
                                         "unterminated string: expected a closing '\"' on the "
                                         "same line");
            if (d == '\0')
                return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                                         "unexpected NUL byte in a string");
            if (d == '"')
                break;
            advance(lx);
        }
        t->len = (size_t) (lx->text + lx->pos - t->s);
        advance(lx);
        t->type = FY_TK_STRING;
        return FY_OK;
    }
    if (is_digit(c) || ((c == '-' || c == '+') && is_digit(peekc(lx, 1))))
    {
        if (c == '-' || c == '+')
            advance(lx);
        while (is_digit(peekc(lx, 0)))
            advance(lx);
        if (peekc(lx, 0) == '.' && is_digit(peekc(lx, 1)))
        {
            advance(lx);
            while (is_digit(peekc(lx, 0)))
                advance(lx);
        }
        if (peekc(lx, 0) == '/' && is_digit(peekc(lx, 1)))
        {
            advance(lx);
            while (is_digit(peekc(lx, 0)))
                advance(lx);
        }
        t->len = (size_t) (lx->text + lx->pos - t->s);
        t->type = FY_TK_NUMBER;
        if (is_word_char(peekc(lx, 0)) || (peekc(lx, 0) == '.' && peekc(lx, 1) != '.'))
            return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                                     "expected a space after the number '%.*s'", (int) t->len,
                                     t->s);
        if (t->len > FY_MAX_NUMBER_CHARS)
            return fy_rules_error_at(err, lx->file, t->line, t->col,
                                     "number longer than %d characters", FY_MAX_NUMBER_CHARS);
        return FY_OK;
    }
    if (is_word_start(c))
    {
        while (is_word_char(peekc(lx, 0)) || (peekc(lx, 0) == '-' && is_word_start(peekc(lx, 1))))
        {
            if (peekc(lx, 0) == '-')
                advance(lx);
            advance(lx);
        }
        t->len = (size_t) (lx->text + lx->pos - t->s);
        t->type = FY_TK_WORD;
        return FY_OK;
    }
    if (c == '.' && peekc(lx, 1) == '.')
    {
        advance(lx);
        advance(lx);
        t->len = 2;
        t->type = FY_TK_PUNCT;
        return FY_OK;
    }
    if (c == '=' || c == '+' || c == '-' || c == ',')
    {
        advance(lx);
        t->len = 1;
        t->type = FY_TK_PUNCT;
        return FY_OK;
    }
    if (c >= 0x21 && c < 0x7f)
        return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                                 "unexpected character '%c' (expressions and labels go inside "
                                 "double quotes)", c);
    return fy_rules_error_at(err, lx->file, lx->line, lx->col,
                             "unexpected byte 0x%02x outside a string", c);
}

void fy_tok_describe(char *buf, size_t n, const fy_tok *t)
{
    switch (t->type)
    {
    case FY_TK_EOF:
        snprintf(buf, n, "end of file");
        break;
    case FY_TK_NL:
        snprintf(buf, n, "end of line");
        break;
    case FY_TK_STRING:
        snprintf(buf, n, "string \"%.*s\"", t->len > 40 ? 40 : (int) t->len, t->s);
        break;
    case FY_TK_NUMBER:
        snprintf(buf, n, "number %.*s", (int) t->len, t->s);
        break;
    default:
        snprintf(buf, n, "'%.*s'", t->len > 40 ? 40 : (int) t->len, t->s);
        break;
    }
}

int fy_parse_rational(fmpq_t q, const char *s, size_t len)
{
    char buf[FY_MAX_NUMBER_CHARS + 2];
    char *slash, *dot;
    fmpz_t num, den, pow;
    int neg = 0, bad = 0;
    size_t i = 0;

    if (len == 0 || len > FY_MAX_NUMBER_CHARS)
        return 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] == '-' || buf[0] == '+')
    {
        neg = buf[0] == '-';
        i = 1;
    }
    slash = strchr(buf + i, '/');
    if (slash)
        *slash = '\0';
    dot = strchr(buf + i, '.');
    fmpz_init(num);
    fmpz_init(den);
    fmpz_init(pow);
    fmpz_one(den);
    if (dot)
    {
        /* 1.25 = 125 / 10^2 */
        size_t frac = strlen(dot + 1);
        memmove(dot, dot + 1, frac + 1);
        fmpz_set_ui(pow, 10);
        fmpz_pow_ui(den, pow, frac);
    }
    if (buf[i] == '\0' || fmpz_set_str(num, buf + i, 10) != 0)
        bad = 1;
    if (!bad && slash)
    {
        fmpz_t d2;
        fmpz_init(d2);
        if (slash[1] == '\0' || fmpz_set_str(d2, slash + 1, 10) != 0 || fmpz_is_zero(d2))
            bad = 1;
        else
            fmpz_mul(den, den, d2);
        fmpz_clear(d2);
    }
    if (!bad)
    {
        if (neg)
            fmpz_neg(num, num);
        fmpq_set_fmpz_frac(q, num, den);
    }
    fmpz_clear(num);
    fmpz_clear(den);
    fmpz_clear(pow);
    return bad;
}
