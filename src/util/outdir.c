/* Output folders written as a whole: see feynn/util.h (fy_outdir_*).
 *
 * A command that writes several files into a folder DIR writes them into a fresh temporary
 * folder DIR.tmp.XXXXXX beside it; on success the files are listed in DIR.tmp/.feynn-manifest
 * and the temporary folder replaces DIR.  So DIR never mixes files of two runs, an interrupted
 * run leaves DIR as it was, and feynn removes only what it wrote itself: a previous DIR written
 * by feynn (it has a manifest) loses exactly the files its manifest lists (anything a user put
 * there beside them is kept, in DIR.old.XXXXXX, and said); a non-empty DIR that feynn did not
 * write is refused unless the caller forces, and then it is moved aside, never deleted. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/util.h"

#define MANIFEST ".feynn-manifest"
#define MANIFEST_HEAD "# feynn output folder: the files feynn wrote here, one a line\n"

void fy_outdir_init(fy_outdir_t od)
{
    memset(od, 0, sizeof *od);
}

static char *dup_printf2(const char *a, const char *b, fy_error_t err)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = fy_malloc(n, 1, err);
    if (s != NULL)
        snprintf(s, n, "%s/%s", a, b);
    return s;
}

/* 1 if dir exists and has entries other than . and .., 0 if empty, -1 if it cannot be read. */
static int dir_nonempty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
        {
            found = 1;
            break;
        }
    closedir(d);
    return found;
}

static int has_manifest(const char *dir)
{
    char buf[96];
    size_t n;
    FILE *fp;
    char *p = dup_printf2(dir, MANIFEST, NULL);
    if (p == NULL)
        return 0;
    fp = fopen(p, "r");
    free(p);
    if (fp == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return strncmp(buf, MANIFEST_HEAD, strlen(MANIFEST_HEAD)) == 0;
}

int fy_outdir_open(fy_outdir_t od, const char *path, int force, fy_error_t err)
{
    struct stat st;
    size_t n;
    int rc;

    fy_outdir_init(od);
    if (path == NULL || path[0] == '\0')
        return fy_error_set(err, FY_EUSAGE, "output folder: empty name");
    if (stat(path, &st) == 0)
    {
        if (!S_ISDIR(st.st_mode))
            return fy_error_set(err, FY_EINPUT,
                                "%s: exists and is not a folder; choose another output folder",
                                path);
        rc = dir_nonempty(path);
        if (rc < 0)
            return fy_error_set(err, FY_EIO, "%s: cannot read the output folder: %s", path,
                                strerror(errno));
        if (rc == 1 && !has_manifest(path) && !force)
            return fy_error_set(err, FY_EINPUT,
                                "%s: the output folder is not empty and was not written by "
                                "feynn; choose another folder, empty it, or pass force = 1 to "
                                "fy_outdir_open (its "
                                "contents are then moved to %s.old.XXXXXX, not deleted)",
                                path, path);
        od->existed = 1;
    }
    else if (errno != ENOENT)
        return fy_error_set(err, FY_EIO, "%s: %s", path, strerror(errno));
    else
    {
        /* the parent must exist for the rename; create it */
        char *parent = fy_malloc(strlen(path) + 1, 1, err);
        char *slash;
        if (parent == NULL)
            return FY_ENOMEM;
        strcpy(parent, path);
        slash = strrchr(parent, '/');
        while (slash != NULL && slash > parent && slash[1] == '\0')
        {
            *slash = '\0';
            slash = strrchr(parent, '/');
        }
        if (slash != NULL && slash != parent)
        {
            *slash = '\0';
            if ((rc = fy_mkdir_p(parent, err)) != FY_OK)
            {
                free(parent);
                return rc;
            }
        }
        free(parent);
    }
    n = strlen(path);
    od->path = fy_malloc(n + 1, 1, err);
    od->tmp = fy_malloc(n + 16, 1, err);
    if (od->path == NULL || od->tmp == NULL)
    {
        fy_outdir_abort(od);
        return FY_ENOMEM;
    }
    strcpy(od->path, path);
    while (n > 1 && od->path[n - 1] == '/')
        od->path[--n] = '\0';
    snprintf(od->tmp, n + 16, "%s.tmp.XXXXXX", od->path);
    if (mkdtemp(od->tmp) == NULL)
    {
        int e = errno;
        free(od->tmp);
        od->tmp = NULL;
        fy_outdir_abort(od);
        return fy_error_set(err, FY_EIO, "%s: cannot create a temporary output folder beside "
                            "it: %s", path, strerror(e));
    }
    { /* mkdtemp makes 0700; give the folder the mode mkdir would have given it */
        mode_t um = umask(0);
        umask(um);
        chmod(od->tmp, 0777 & ~um);
    }
    od->open = 1;
    return FY_OK;
}

const char *fy_outdir_tmp(const fy_outdir_t od)
{
    return od->tmp;
}

char *fy_outdir_file(const fy_outdir_t od, const char *name, fy_error_t err)
{
    if (!od->open)
    {
        fy_error_set(err, FY_EUSAGE, "output folder: not open");
        return NULL;
    }
    if (name[0] == '/' || strstr(name, "..") != NULL)
    {
        fy_error_set(err, FY_EUSAGE, "output folder: '%s' is not a name inside the folder",
                     name);
        return NULL;
    }
    return dup_printf2(od->tmp, name, err);
}

/* ---- the manifest: every regular file under the temporary folder, relative paths */
static FILE *walk_fp;
static size_t walk_skip;
static int walk_list(const char *fpath, const struct stat *sb, int type, struct FTW *ftwbuf)
{
    (void)sb;
    (void)ftwbuf;
    if (type == FTW_F && strlen(fpath) > walk_skip && strcmp(fpath + walk_skip, MANIFEST) != 0)
        fprintf(walk_fp, "%s\n", fpath + walk_skip);
    return 0;
}

static int walk_remove(const char *fpath, const struct stat *sb, int type, struct FTW *ftwbuf)
{
    (void)sb;
    (void)ftwbuf;
    if (type == FTW_DP || type == FTW_D)
        rmdir(fpath);
    else
        unlink(fpath);
    return 0;
}

/* Removes exactly the files a manifest lists (then the manifest and the empty folders);
 * returns 1 if the folder is gone, 0 if something else remains in it. */
static int remove_listed(const char *dir)
{
    char *mp = dup_printf2(dir, MANIFEST, NULL);
    char line[4096];
    FILE *fp;
    if (mp == NULL)
        return 0;
    fp = fopen(mp, "r");
    if (fp != NULL)
    {
        while (fgets(line, sizeof line, fp) != NULL)
        {
            size_t n = strlen(line);
            char *f;
            if (line[0] == '#')
                continue;
            if (n > 0 && line[n - 1] == '\n')
                line[--n] = '\0';
            if (n == 0 || line[0] == '/' || strstr(line, "..") != NULL)
                continue;
            f = dup_printf2(dir, line, NULL);
            if (f != NULL)
            {
                char *slash;
                unlink(f);
                /* the emptied parent folders inside dir */
                while ((slash = strrchr(f, '/')) != NULL && (size_t)(slash - f) > strlen(dir))
                {
                    *slash = '\0';
                    if (rmdir(f) != 0)
                        break;
                }
                free(f);
            }
        }
        fclose(fp);
        unlink(mp);
    }
    free(mp);
    return rmdir(dir) == 0;
}

int fy_outdir_commit(fy_outdir_t od, char *note, size_t note_len, fy_error_t err)
{
    char *mp, *old = NULL;
    FILE *fp;
    int rc = FY_OK;

    if (note != NULL && note_len > 0)
        note[0] = '\0';
    if (!od->open)
        return fy_error_set(err, FY_EUSAGE, "output folder: not open");
    mp = dup_printf2(od->tmp, MANIFEST, err);
    if (mp == NULL)
        return FY_ENOMEM;
    fp = fopen(mp, "w");
    free(mp);
    if (fp == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot write the manifest: %s", od->tmp,
                            strerror(errno));
    fputs(MANIFEST_HEAD, fp);
    walk_fp = fp;
    walk_skip = strlen(od->tmp) + 1;
    nftw(od->tmp, walk_list, 16, FTW_PHYS);
    if (fclose(fp) != 0)
        return fy_error_set(err, FY_EIO, "%s: cannot write the manifest", od->tmp);
    if (od->existed)
    {
        size_t n = strlen(od->path) + 16;
        int was_feynn = has_manifest(od->path);
        old = fy_malloc(n, 1, err);
        if (old == NULL)
            return FY_ENOMEM;
        /* a unique name beside it: mkdtemp, then rename over the empty folder it made */
        snprintf(old, n, "%s.old.XXXXXX", od->path);
        if (mkdtemp(old) == NULL || rename(od->path, old) != 0)
        {
            int e = errno;
            if (old[0] != '\0')
                rmdir(old);
            free(old);
            return fy_error_set(err, FY_EIO, "%s: cannot move the previous folder aside: %s",
                                od->path, strerror(e));
        }
        if (rename(od->tmp, od->path) != 0)
        {
            int e = errno;
            rename(old, od->path); /* put the old one back */
            free(old);
            return fy_error_set(err, FY_EIO, "%s: cannot rename the new folder into place: %s",
                                od->path, strerror(e));
        }
        if (was_feynn && remove_listed(old))
            ; /* gone */
        else if (dir_nonempty(old) == 0)
            rmdir(old);
        else if (note != NULL && note_len > 0)
            snprintf(note, note_len, "%s: the files feynn did not write there were kept in %s",
                     od->path, old);
        free(old);
    }
    else if (rename(od->tmp, od->path) != 0)
        rc = fy_error_set(err, FY_EIO, "%s: cannot rename the new folder into place: %s",
                          od->path, strerror(errno));
    if (rc == FY_OK)
    {
        free(od->tmp);
        od->tmp = NULL;
        od->open = 0;
    }
    return rc;
}

void fy_outdir_abort(fy_outdir_t od)
{
    if (od->tmp != NULL && od->open)
        nftw(od->tmp, walk_remove, 16, FTW_DEPTH | FTW_PHYS);
    free(od->tmp);
    free(od->path);
    fy_outdir_init(od);
}

void fy_outdir_clear(fy_outdir_t od)
{
    if (od->open)
        fy_outdir_abort(od);
    free(od->tmp);
    free(od->path);
    fy_outdir_init(od);
}
