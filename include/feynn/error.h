/* feynn/error.h - errors as values.
 *
 * Every library function that can fail on its input returns an int status (FY_OK on success)
 * and, when given a non-NULL fy_error_t, fills it with a message that says what went wrong,
 * where (file, offset, line:column, tensor name) and what to do.  The library never exits or
 * aborts on bad input; the `feynn` command prints the message and maps the status to its exit
 * code with fy_exit_status().  This module is layer 0: it includes nothing from feynn. */
#ifndef FEYNN_ERROR_H
#define FEYNN_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum
{
    FY_OK = 0,           /* success */
    FY_ECHECK = 1,       /* a check or verification disagreed (exit 1) */
    FY_EINPUT = 2,       /* malformed or invalid input: files, shapes, values (exit 2) */
    FY_EUSAGE = 3,       /* bad command-line usage (exit 2) */
    FY_ENOMEM = 4,       /* out of memory, or a request that would not fit (exit 2) */
    FY_EIO = 5,          /* a file could not be read or written (exit 2) */
    FY_EUNSUPPORTED = 6, /* valid request this arithmetic or build cannot serve (exit 2) */
    FY_EINTERNAL = 7     /* a bug in feynn (exit 2) */
};

#define FY_ERROR_MSG_LEN 1024

typedef struct
{
    int code;
    char msg[FY_ERROR_MSG_LEN];
} fy_error_struct;

typedef fy_error_struct fy_error_t[1];

void fy_error_init(fy_error_t err);
/* Clears the error back to FY_OK with an empty message. */
void fy_error_clear(fy_error_t err);

/* Sets code and message (printf-style) and returns code, so that `return fy_error_set(...)`
 * reads naturally.  err may be NULL. */
int fy_error_set(fy_error_t err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends context ("model.safetensors: ") to the current message; returns err->code. */
int fy_error_prefix(fy_error_t err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Short name of a status ("bad input", ...). */
const char *fy_error_name(int code);

/* Exit status of the feynn command for a status: 0 ok, 1 check failed, 2 otherwise. */
int fy_exit_status(int code);

/* Allocation helpers that report failure as FY_ENOMEM instead of aborting.  They return NULL
 * with err set when the request cannot be served (including size overflow of n * size). */
void *fy_malloc(size_t n, size_t size, fy_error_t err);
void *fy_calloc(size_t n, size_t size, fy_error_t err);
void *fy_realloc(void *p, size_t n, size_t size, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
