/* store.c - the chunk store of resumable runs (feynn/par.h).
 *
 * A chunk file dir/chunk-NNNNNNNN.fyc is
 *   "FYCHUNK1"  8 bytes
 *   u64 0x0102030405060708 (byte order of the machine that wrote it)
 *   u64 k, u64 run_len, u64 data_len
 *   run_len bytes: the text naming the run
 *   data_len bytes: the chunk
 *   u64 FNV-1a of every byte before it
 * written to a temporary file beside it, fsync'ed and renamed into place (fy_file_write_atomic),
 * so a reader sees a whole chunk or none; a chunk is used only if every field checks. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/par.h"
#include "feynn/util.h"

#define MAGIC "FYCHUNK1"
#define ORDER UINT64_C(0x0102030405060708)
#define HEAD (8 + 4 * 8)
#define MAX_RUN (1 << 20)

uint64_t fy_par_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *c = data;
    size_t i;
    for (i = 0; i < len; i++)
    {
        h ^= c[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void fy_par_store_init(fy_par_store_t st)
{
    memset(st, 0, sizeof *st);
}

void fy_par_store_clear(fy_par_store_t st)
{
    free(st->dir);
    free(st->run);
    memset(st, 0, sizeof *st);
}

static char *join(const char *dir, const char *name, fy_error_t err)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *s = fy_malloc(n, 1, err);
    if (s != NULL)
        snprintf(s, n, "%s/%s", dir, name);
    return s;
}

/* Temporary files of writes that were killed half-way (chunk-*.tmp.*, RUN.tmp.*). */
static void remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if ((strncmp(e->d_name, "chunk-", 6) == 0 || strncmp(e->d_name, "RUN.", 4) == 0)
            && strstr(e->d_name, ".tmp.") != NULL)
        {
            char *p = join(dir, e->d_name, NULL);
            if (p != NULL)
                unlink(p);
            free(p);
        }
    closedir(d);
}

int fy_par_store_open(fy_par_store_t st, const char *dir, const char *run, fy_error_t err)
{
    struct stat sb;
    size_t n = strlen(run);
    char *path;
    int rc;
    fy_par_store_clear(st);
    if (n > MAX_RUN)
        return fy_error_set(err, FY_EINPUT, "the run's name is longer than %d bytes", MAX_RUN);
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
        return fy_error_set(err, FY_EINPUT, "%s: not a folder (give a folder for the "
                            "checkpoints, new or of an earlier run)", dir);
    if ((rc = fy_mkdir_p(dir, err)) != FY_OK)
        return rc;
    st->dir = fy_malloc(strlen(dir) + 1, 1, err);
    st->run = fy_malloc(n + 1, 1, err);
    if (st->dir == NULL || st->run == NULL)
    {
        fy_par_store_clear(st);
        return FY_ENOMEM;
    }
    memcpy(st->dir, dir, strlen(dir) + 1);
    memcpy(st->run, run, n + 1);
    remove_stale(dir);
    if ((path = join(dir, "RUN", err)) == NULL)
    {
        fy_par_store_clear(st);
        return FY_ENOMEM;
    }
    rc = fy_file_write_atomic(path, run, n, err);
    free(path);
    if (rc != FY_OK)
        fy_par_store_clear(st);
    return rc;
}

char *fy_par_store_path(const fy_par_store_t st, uint64_t k, fy_error_t err)
{
    char name[48];
    snprintf(name, sizeof name, "chunk-%08llu.fyc", (unsigned long long) k);
    return join(st->dir, name, err);
}

static void put_u64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

int fy_par_store_put(fy_par_store_t st, uint64_t k, const void *data, size_t len,
                     fy_error_t err)
{
    size_t rl = strlen(st->run), total = HEAD + rl + len + 8;
    unsigned char *buf;
    char *path;
    int rc;
    if (total < len || (buf = fy_malloc(total, 1, err)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory for a chunk of %zu bytes", len);
    memcpy(buf, MAGIC, 8);
    put_u64(buf + 8, ORDER);
    put_u64(buf + 16, k);
    put_u64(buf + 24, rl);
    put_u64(buf + 32, len);
    memcpy(buf + HEAD, st->run, rl);
    if (len)
        memcpy(buf + HEAD + rl, data, len);
    put_u64(buf + HEAD + rl + len, fy_par_fnv1a(FY_PAR_FNV_INIT, buf, HEAD + rl + len));
    if ((path = fy_par_store_path(st, k, err)) == NULL)
        rc = FY_ENOMEM;
    else
        rc = fy_file_write_atomic(path, buf, total, err);
    free(path);
    free(buf);
    return rc;
}

static void say(char *why, size_t why_len, const char *fmt, const char *path)
{
    if (why != NULL && why_len > 0)
        snprintf(why, why_len, fmt, path);
}

/* Checks the bytes of a chunk file; returns the state. */
static int check(const unsigned char *b, size_t n, const fy_par_store_t st, uint64_t k,
                 const char *path, char *why, size_t why_len)
{
    size_t rl = strlen(st->run);
    uint64_t frl, fdl;
    if (n < HEAD + 8 || memcmp(b, MAGIC, 8) != 0)
    {
        say(why, why_len, n < HEAD + 8 && memcmp(b, MAGIC, n < 8 ? n : 8) == 0
                              ? "%s: truncated (shorter than a chunk header)"
                              : "%s: not a feynn chunk file", path);
        return FY_PAR_CHUNK_BAD;
    }
    frl = get_u64(b + 24);
    fdl = get_u64(b + 32);
    if (get_u64(b + 8) != ORDER)
    {
        say(why, why_len, "%s: written on a machine of another byte order", path);
        return FY_PAR_CHUNK_BAD;
    }
    if (frl > n || fdl > n || HEAD + frl + fdl + 8 != n)
    {
        say(why, why_len, "%s: truncated or extended (its length does not match its header)",
            path);
        return FY_PAR_CHUNK_BAD;
    }
    if (get_u64(b + n - 8) != fy_par_fnv1a(FY_PAR_FNV_INIT, b, n - 8))
    {
        say(why, why_len, "%s: damaged (checksum mismatch)", path);
        return FY_PAR_CHUNK_BAD;
    }
    if (frl != rl || memcmp(b + HEAD, st->run, rl) != 0)
    {
        say(why, why_len, "%s: belongs to another run (other parameters)", path);
        return FY_PAR_CHUNK_BAD;
    }
    if (get_u64(b + 16) != k)
    {
        say(why, why_len, "%s: holds another chunk of the run (renamed?)", path);
        return FY_PAR_CHUNK_BAD;
    }
    return FY_PAR_CHUNK_OK;
}

int fy_par_store_get(void **data, size_t *len, int *state, const fy_par_store_t st, uint64_t k,
                     char *why, size_t why_len, fy_error_t err)
{
    char *path, *buf = NULL;
    size_t n = 0;
    struct stat sb;
    int rc;
    *data = NULL;
    *len = 0;
    *state = FY_PAR_CHUNK_ABSENT;
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if ((path = fy_par_store_path(st, k, err)) == NULL)
        return FY_ENOMEM;
    if (stat(path, &sb) != 0)
    {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return FY_OK;
        return fy_error_set(err, FY_EIO, "%s: cannot read the chunk: %s", st->dir,
                            strerror(e));
    }
    rc = fy_file_read(&buf, &n, path, (size_t) sb.st_size + 1, err);
    if (rc == FY_OK)
    {
        *state = check((const unsigned char *) buf, n, st, k, path, why, why_len);
        if (*state == FY_PAR_CHUNK_OK)
        {
            size_t rl = strlen(st->run), dl = n - HEAD - rl - 8;
            /* the data moved to the front of the buffer, which the caller frees */
            memmove(buf, buf + HEAD + rl, dl);
            *data = buf;
            *len = dl;
            buf = NULL;
        }
    }
    else if (rc == FY_EIO)
    {
        /* unreadable file: not used, recomputed */
        say(why, why_len, "%s: cannot be read", path);
        *state = FY_PAR_CHUNK_BAD;
        fy_error_clear(err);
        rc = FY_OK;
    }
    free(buf);
    free(path);
    return rc;
}

void fy_par_store_remove(fy_par_store_t st, uint64_t k)
{
    char *path = fy_par_store_path(st, k, NULL);
    if (path != NULL)
        unlink(path);
    free(path);
}

/* ---- resume (issue 15): stores handed to library scans */
int fy_par_store_is_open(const fy_par_store_struct *st)
{
    return st != NULL && st->dir != NULL && st->run != NULL;
}

int fy_par_store_extend(fy_par_store_t st, const char *text, fy_error_t err)
{
    size_t a, b;
    char *run, *path;
    int rc;
    if (!fy_par_store_is_open(st))
        return fy_error_set(err, FY_EUSAGE, "the chunk store is not open (fy_par_store_open "
                            "first)");
    a = strlen(st->run);
    b = strlen(text);
    if (a + b > MAX_RUN)
        return fy_error_set(err, FY_EINPUT, "the run's name is longer than %d bytes", MAX_RUN);
    if ((run = fy_malloc(a + b + 1, 1, err)) == NULL)
        return FY_ENOMEM;
    memcpy(run, st->run, a);
    memcpy(run + a, text, b + 1);
    if ((path = join(st->dir, "RUN", err)) == NULL)
    {
        free(run);
        return FY_ENOMEM;
    }
    rc = fy_file_write_atomic(path, run, a + b, err);
    free(path);
    if (rc != FY_OK)
    {
        free(run);
        return rc;
    }
    free(st->run);
    st->run = run;
    return FY_OK;
}
