/* strbuf.c - the one growing string of the library (feynn/util.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/util.h"

void fy_strbuf_init(fy_strbuf_t b)
{
    b->s = NULL;
    b->n = b->cap = 0;
    b->oom = 0;
}

void fy_strbuf_clear(fy_strbuf_t b)
{
    free(b->s);
    fy_strbuf_init(b);
}

void fy_strbuf_reset(fy_strbuf_t b)
{
    b->n = 0;
    b->oom = 0;
    if (b->s != NULL)
        b->s[0] = '\0';
}

int fy_strbuf_reserve(fy_strbuf_t b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (b->oom)
        return FY_ENOMEM;
    if (extra > (size_t) -1 / 2 - b->n - 1)
    {
        b->oom = 1;
        return FY_ENOMEM;
    }
    need = b->n + extra + 1;
    if (need <= b->cap)
        return FY_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    p = realloc(b->s, cap);
    if (p == NULL)
    {
        b->oom = 1;
        return FY_ENOMEM;
    }
    b->s = p;
    b->cap = cap;
    b->s[b->n] = '\0';
    return FY_OK;
}

int fy_strbuf_putn(fy_strbuf_t b, const char *s, size_t len)
{
    if (fy_strbuf_reserve(b, len) != FY_OK)
        return FY_ENOMEM;
    memmove(b->s + b->n, s, len); /* s may lie inside b */
    b->n += len;
    b->s[b->n] = '\0';
    return FY_OK;
}

int fy_strbuf_puts(fy_strbuf_t b, const char *s)
{
    return fy_strbuf_putn(b, s, strlen(s));
}

int fy_strbuf_putc(fy_strbuf_t b, char c)
{
    return fy_strbuf_putn(b, &c, 1);
}

int fy_strbuf_put_self(fy_strbuf_t b, size_t off, size_t len)
{
    if (off > b->n || len > b->n - off)
        return FY_EUSAGE;
    if (fy_strbuf_reserve(b, len) != FY_OK)
        return FY_ENOMEM;
    memcpy(b->s + b->n, b->s + off, len); /* the ranges cannot overlap: off + len <= n */
    b->n += len;
    b->s[b->n] = '\0';
    return FY_OK;
}

int fy_strbuf_vprintf(fy_strbuf_t b, const char *fmt, va_list ap)
{
    va_list aq;
    int len;
    if (b->oom)
        return FY_ENOMEM;
    va_copy(aq, ap);
    len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (len < 0)
    {
        b->oom = 1;
        return FY_ENOMEM;
    }
    if (fy_strbuf_reserve(b, (size_t) len) != FY_OK)
        return FY_ENOMEM;
    vsnprintf(b->s + b->n, (size_t) len + 1, fmt, ap);
    b->n += (size_t) len;
    return FY_OK;
}

int fy_strbuf_printf(fy_strbuf_t b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = fy_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *fy_strbuf_str(const fy_strbuf_t b)
{
    return b->s != NULL ? b->s : "";
}

int fy_strbuf_take(char **out, fy_strbuf_t b, fy_error_t err)
{
    *out = NULL;
    if (b->oom || fy_strbuf_reserve(b, 0) != FY_OK)
    {
        fy_strbuf_clear(b);
        fy_error_set(err, FY_ENOMEM, "out of memory while building a text");
        return FY_ENOMEM;
    }
    *out = b->s;
    fy_strbuf_init(b);
    return FY_OK;
}
