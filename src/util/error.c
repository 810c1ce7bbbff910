/* Errors as values; see feynn/error.h. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/error.h"

void fy_error_init(fy_error_t err)
{
    err->code = FY_OK;
    err->msg[0] = '\0';
}

void fy_error_clear(fy_error_t err)
{
    fy_error_init(err);
}

int fy_error_set(fy_error_t err, int code, const char *fmt, ...)
{
    if (err != NULL)
    {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int fy_error_prefix(fy_error_t err, const char *fmt, ...)
{
    char head[FY_ERROR_MSG_LEN], old[FY_ERROR_MSG_LEN];
    va_list ap;

    if (err == NULL)
        return FY_OK;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    {
        /* Keep as much of both as fits; truncation of an over-long message is intended. */
        size_t h = strlen(head);
        if (h >= sizeof err->msg)
            h = sizeof err->msg - 1;
        memcpy(err->msg, head, h);
        snprintf(err->msg + h, sizeof err->msg - h, "%.*s", (int) (sizeof err->msg - 1), old);
    }
    return err->code;
}

const char *fy_error_name(int code)
{
    switch (code)
    {
    case FY_OK: return "ok";
    case FY_ECHECK: return "check failed";
    case FY_EINPUT: return "bad input";
    case FY_EUSAGE: return "bad usage";
    case FY_ENOMEM: return "out of memory";
    case FY_EIO: return "i/o error";
    case FY_EUNSUPPORTED: return "unsupported";
    case FY_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int fy_exit_status(int code)
{
    if (code == FY_OK)
        return 0;
    if (code == FY_ECHECK)
        return 1;
    return 2;
}

static int size_overflows(size_t n, size_t size)
{
    return size != 0 && n > SIZE_MAX / size;
}

void *fy_malloc(size_t n, size_t size, fy_error_t err)
{
    void *p;
    if (size_overflows(n, size))
    {
        fy_error_set(err, FY_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    p = malloc(n * size != 0 ? n * size : 1);
    if (p == NULL)
        fy_error_set(err, FY_ENOMEM, "out of memory allocating %zu bytes", n * size);
    return p;
}

void *fy_calloc(size_t n, size_t size, fy_error_t err)
{
    void *p;
    if (size_overflows(n, size))
    {
        fy_error_set(err, FY_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        fy_error_set(err, FY_ENOMEM, "out of memory allocating %zu bytes", n * size);
    return p;
}

void *fy_realloc(void *p, size_t n, size_t size, fy_error_t err)
{
    void *q;
    if (size_overflows(n, size))
    {
        fy_error_set(err, FY_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
        return NULL;
    }
    q = realloc(p, n * size != 0 ? n * size : 1);
    if (q == NULL)
        fy_error_set(err, FY_ENOMEM, "out of memory allocating %zu bytes", n * size);
    return q;
}
