/* feynn/util.h - files and progress, shared by every layer (layer 0).
 *
 * Reading: whole files with a size limit checked before allocation.  Writing: every output
 * file is written to a temporary file in the same directory and renamed into place on
 * success, so a failed or interrupted run never leaves a half-written result.  Progress: a
 * bar on stderr for long work, drawn only when stderr is a terminal. */
#ifndef FEYNN_UTIL_H
#define FEYNN_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "feynn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the whole file (or standard input for "-") into a NUL-terminated buffer owned by the
 * caller (free()).  Refuses files larger than max_bytes with FY_EINPUT. */
int fy_file_read(char **data, size_t *len, const char *path, size_t max_bytes, fy_error_t err);
/* The same for a text file: a NUL byte inside is refused (FY_EINPUT naming the file and the
 * byte offset), so parsers may treat the buffer as a C string. */
int fy_file_read_text(char **data, size_t *len, const char *path, size_t max_bytes,
                      fy_error_t err);

/* Atomic output file.  fy_ofile_open creates PATH.tmp.XXXXXX beside path (or uses stdout for
 * "-"); write with the FILE* in of->fp; fy_ofile_commit flushes, fsyncs and renames it into
 * place; fy_ofile_abort removes the temporary file.  Exactly one of commit/abort must follow a
 * successful open. */
typedef struct
{
    FILE *fp;
    char *path;
    char *tmp;
    int is_stdout;
} fy_ofile_struct;
typedef fy_ofile_struct fy_ofile_t[1];

int fy_ofile_open(fy_ofile_t of, const char *path, fy_error_t err);
int fy_ofile_commit(fy_ofile_t of, fy_error_t err);
void fy_ofile_abort(fy_ofile_t of);

/* Writes len bytes to path atomically. */
int fy_file_write_atomic(const char *path, const void *data, size_t len, fy_error_t err);

/* Creates a directory and its parents (like mkdir -p). */
int fy_mkdir_p(const char *path, fy_error_t err);

/* Progress reporting.  A long computation calls fy_progress_update(p, done) as it goes; the
 * bar redraws at most a few times a second and only when enabled (a terminal, or forced). */
typedef struct
{
    const char *label;
    double total;
    double last_draw;
    double start;
    int enabled;
    int drawn;
} fy_progress_struct;
typedef fy_progress_struct fy_progress_t[1];

/* enable: 1 on, 0 off, -1 on when stderr is a terminal. */
void fy_progress_init(fy_progress_t p, const char *label, double total, int enable);
void fy_progress_update(fy_progress_t p, double done);
void fy_progress_clear(fy_progress_t p);

/* Monotonic wall clock in seconds. */
double fy_wall_time(void);

#ifdef __cplusplus
}
#endif
#endif
