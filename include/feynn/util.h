/* feynn/util.h - files and progress, shared by every layer (layer 0).
 *
 * Reading: whole files with a size limit checked before allocation.  Writing: every output
 * file is written to a temporary file in the same directory and renamed into place on
 * success, so a failed or interrupted run never leaves a half-written result.  Progress: a
 * bar on stderr for long work, drawn only when stderr is a terminal. */
#ifndef FEYNN_UTIL_H
#define FEYNN_UTIL_H

#include <stdarg.h>
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

/* Output folders written as a whole.  A command writing several files into DIR opens it with
 * fy_outdir_open, writes every file under fy_outdir_tmp(od) (fy_outdir_file gives the path of
 * one name), and ends with fy_outdir_commit (the folder replaces DIR) or fy_outdir_abort (DIR
 * is left as it was).  DIR then holds only this run's files and a manifest .feynn-manifest of
 * them.  A previous DIR that feynn wrote loses exactly the files its manifest lists; a
 * non-empty DIR that feynn did not write is refused (FY_EINPUT, saying what to do) unless
 * force, and is then moved aside to DIR.old.XXXXXX, never deleted.  Files a user added to a
 * feynn folder are kept there too; fy_outdir_commit says where in note (may be NULL). */
typedef struct
{
    char *path; /* DIR */
    char *tmp;  /* DIR.tmp.XXXXXX while open */
    int existed;
    int open;
} fy_outdir_struct;
typedef fy_outdir_struct fy_outdir_t[1];

void fy_outdir_init(fy_outdir_t od);
int fy_outdir_open(fy_outdir_t od, const char *path, int force, fy_error_t err);
const char *fy_outdir_tmp(const fy_outdir_t od);
/* malloc'ed path of name (relative, no "..") inside the temporary folder. */
char *fy_outdir_file(const fy_outdir_t od, const char *name, fy_error_t err);
int fy_outdir_commit(fy_outdir_t od, char *note, size_t note_len, fy_error_t err);
void fy_outdir_abort(fy_outdir_t od);
void fy_outdir_clear(fy_outdir_t od);

/* The memory limit.  Every computation that would need more working memory than
 * fy_memory_limit() bytes is refused before it allocates, with its estimate (tensors, diagram
 * lists, jets, actions; FY_ENOMEM).  The limit is, in this order: the value given to
 * fy_memory_limit_set (the command's global option --memory-limit SIZE), the environment
 * variable FEYNN_MEMORY_LIMIT, or three quarters of the physical memory.  Sizes are written
 * 8G, 512M, 1.5GiB, 64K or a number of bytes (K, M, G, T are powers of 1024).
 * FY_MEMORY_LIMIT_HINT is the sentence refusals end with. */
#define FY_MEMORY_LIMIT_HINT "raise the limit with fy_memory_limit_set or FEYNN_MEMORY_LIMIT"
size_t fy_memory_limit(void);
size_t fy_memory_limit_default(void);
void fy_memory_limit_set(size_t bytes); /* 0: back to the environment or the default */
int fy_memory_limit_parse(size_t *bytes, const char *text, fy_error_t err);
/* Reads FEYNN_MEMORY_LIMIT again; a value that does not parse is an error (FY_EUSAGE) that the
 * command reports, instead of being ignored as fy_memory_limit does. */
int fy_memory_limit_from_env(fy_error_t err);

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

/* A growing string, the one of the library.  Appends return FY_OK or FY_ENOMEM; after a failed
 * allocation the builder is marked (oom) and later appends do nothing, so a long run of appends
 * may be checked once at the end (fy_strbuf_take).  s is NUL-terminated once anything was
 * appended; fy_strbuf_str gives "" before that. */
typedef struct
{
    char *s;
    size_t n, cap;
    int oom;
} fy_strbuf_struct;
typedef fy_strbuf_struct fy_strbuf_t[1];

void fy_strbuf_init(fy_strbuf_t b);
void fy_strbuf_clear(fy_strbuf_t b);
/* Empties the text, keeps the memory, forgets an earlier failure. */
void fy_strbuf_reset(fy_strbuf_t b);
/* Room for extra more bytes and the NUL. */
int fy_strbuf_reserve(fy_strbuf_t b, size_t extra);
int fy_strbuf_putn(fy_strbuf_t b, const char *s, size_t len); /* s may point into b */
int fy_strbuf_puts(fy_strbuf_t b, const char *s);
int fy_strbuf_putc(fy_strbuf_t b, char c);
/* Appends the builder's own bytes [off, off + len) (FY_EUSAGE if outside the text). */
int fy_strbuf_put_self(fy_strbuf_t b, size_t off, size_t len);
int fy_strbuf_printf(fy_strbuf_t b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fy_strbuf_vprintf(fy_strbuf_t b, const char *fmt, va_list ap);
const char *fy_strbuf_str(const fy_strbuf_t b);
/* Hands the text (malloc'ed, never NULL on success) to *out and empties b; FY_ENOMEM with a
 * message if any append failed (b is cleared then too). */
int fy_strbuf_take(char **out, fy_strbuf_t b, fy_error_t err);

/* Monotonic wall clock in seconds. */
double fy_wall_time(void);

/* ---- inn-diag (issue 12): helper programs (Graphviz's dot for the demos' diagram PDFs).
 * fy_program_available: 1 when an executable of that name is on PATH.  fy_program_run: runs
 * argv (argv[0] looked up on PATH, NULL-terminated) and waits: its exit status, -1 when it
 * could not be started or did not exit normally. */
int fy_program_available(const char *prog);
int fy_program_run(char *const argv[]);

#ifdef __cplusplus
}
#endif
#endif
