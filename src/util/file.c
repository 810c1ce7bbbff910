/* Whole-file reads with a size limit, and atomic writes; see feynn/util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/util.h"

static int read_stream(char **data, size_t *len, FILE *fp, const char *path, size_t max_bytes,
                       fy_error_t err)
{
    size_t cap = 4096, n = 0;
    char *buf = fy_malloc(cap + 1, 1, err);

    if (buf == NULL)
        return FY_ENOMEM;
    for (;;)
    {
        size_t got;
        if (n == cap)
        {
            char *nb;
            if (cap > max_bytes)
                break;
            cap *= 2;
            nb = fy_realloc(buf, cap + 1, 1, err);
            if (nb == NULL)
            {
                free(buf);
                return FY_ENOMEM;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp))
    {
        free(buf);
        return fy_error_set(err, FY_EIO, "%s: read error: %s", path, strerror(errno));
    }
    if (n > max_bytes)
    {
        free(buf);
        return fy_error_set(err, FY_EINPUT,
                            "%s: file is larger than the limit of %zu bytes for this kind of "
                            "input", path, max_bytes);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return FY_OK;
}

int fy_file_read(char **data, size_t *len, const char *path, size_t max_bytes, fy_error_t err)
{
    FILE *fp;
    int rc;
    struct stat st;

    *data = NULL;
    *len = 0;
    if (strcmp(path, "-") == 0)
        return read_stream(data, len, stdin, "<stdin>", max_bytes, err);
    fp = fopen(path, "rb");
    if (fp == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fileno(fp), &st) == 0)
    {
        if (S_ISDIR(st.st_mode))
        {
            fclose(fp);
            return fy_error_set(err, FY_EINPUT, "%s: is a directory, expected a file", path);
        }
        if (S_ISREG(st.st_mode) && (unsigned long long) st.st_size > max_bytes)
        {
            fclose(fp);
            return fy_error_set(err, FY_EINPUT,
                                "%s: file of %lld bytes is larger than the limit of %zu bytes",
                                path, (long long) st.st_size, max_bytes);
        }
    }
    rc = read_stream(data, len, fp, path, max_bytes, err);
    fclose(fp);
    return rc;
}

int fy_file_read_text(char **data, size_t *len, const char *path, size_t max_bytes,
                      fy_error_t err)
{
    int rc = fy_file_read(data, len, path, max_bytes, err);
    size_t nul;
    if (rc != FY_OK)
        return rc;
    nul = strlen(*data);
    if (nul != *len)
    {
        free(*data);
        *data = NULL;
        *len = 0;
        return fy_error_set(err, FY_EINPUT, "%s: a NUL byte in a text file (byte %zu)", path,
                            nul);
    }
    return FY_OK;
}

int fy_ofile_open(fy_ofile_t of, const char *path, fy_error_t err)
{
    size_t n;
    int fd;

    memset(of, 0, sizeof *of);
    if (strcmp(path, "-") == 0)
    {
        of->fp = stdout;
        of->is_stdout = 1;
        return FY_OK;
    }
    n = strlen(path);
    of->path = fy_malloc(n + 1, 1, err);
    of->tmp = fy_malloc(n + 16, 1, err);
    if (of->path == NULL || of->tmp == NULL)
    {
        free(of->path);
        free(of->tmp);
        return FY_ENOMEM;
    }
    memcpy(of->path, path, n + 1);
    snprintf(of->tmp, n + 16, "%s.tmp.XXXXXX", path);
    fd = mkstemp(of->tmp);
    if (fd < 0)
    {
        int e = errno;
        free(of->path);
        free(of->tmp);
        of->path = of->tmp = NULL;
        return fy_error_set(err, FY_EIO, "%s: cannot create output file: %s", path, strerror(e));
    }
    /* mkstemp makes 0600; outputs are ordinary files. */
    fchmod(fd, 0644);
    of->fp = fdopen(fd, "wb");
    if (of->fp == NULL)
    {
        close(fd);
        unlink(of->tmp);
        free(of->path);
        free(of->tmp);
        of->path = of->tmp = NULL;
        return fy_error_set(err, FY_EIO, "%s: cannot open output stream", path);
    }
    return FY_OK;
}

int fy_ofile_commit(fy_ofile_t of, fy_error_t err)
{
    int bad;

    if (of->is_stdout)
    {
        bad = fflush(stdout) != 0 || ferror(stdout);
        of->fp = NULL;
        return bad ? fy_error_set(err, FY_EIO, "<stdout>: write error") : FY_OK;
    }
    bad = fflush(of->fp) != 0 || ferror(of->fp);
    if (!bad)
        bad = fsync(fileno(of->fp)) != 0 && errno != EINVAL;
    bad |= fclose(of->fp) != 0;
    of->fp = NULL;
    if (!bad && rename(of->tmp, of->path) != 0)
        bad = 1;
    if (bad)
    {
        int e = errno;
        unlink(of->tmp);
        fy_error_set(err, FY_EIO, "%s: write failed: %s", of->path, strerror(e));
    }
    free(of->path);
    free(of->tmp);
    of->path = of->tmp = NULL;
    return bad ? FY_EIO : FY_OK;
}

void fy_ofile_abort(fy_ofile_t of)
{
    if (of->is_stdout || of->fp == NULL)
    {
        of->fp = NULL;
        return;
    }
    fclose(of->fp);
    of->fp = NULL;
    unlink(of->tmp);
    free(of->path);
    free(of->tmp);
    of->path = of->tmp = NULL;
}

int fy_file_write_atomic(const char *path, const void *data, size_t len, fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, path, err);

    if (rc != FY_OK)
        return rc;
    if (len > 0 && fwrite(data, 1, len, of->fp) != len)
    {
        fy_ofile_abort(of);
        return fy_error_set(err, FY_EIO, "%s: write failed", path);
    }
    return fy_ofile_commit(of, err);
}

int fy_mkdir_p(const char *path, fy_error_t err)
{
    size_t n = strlen(path);
    char *buf = fy_malloc(n + 1, 1, err);
    size_t i;

    if (buf == NULL)
        return FY_ENOMEM;
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++)
    {
        if (buf[i] == '/' || buf[i] == '\0')
        {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            {
                int e = errno;
                fy_error_set(err, FY_EIO, "%s: cannot create directory: %s", buf, strerror(e));
                free(buf);
                return FY_EIO;
            }
            buf[i] = c;
        }
    }
    free(buf);
    return FY_OK;
}
