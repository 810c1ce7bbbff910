/* Tests of the util module: errors as values, atomic files, allocation guards. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/error.h"
#include "feynn/num.h"
#include "feynn/rng.h"
#include "feynn/util.h"
#include "testutil.h"

static void test_error_set_prefix(void **state)
{
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    assert_int_equal(e->code, FY_OK);
    assert_int_equal(fy_error_set(e, FY_EINPUT, "tensor %s has %d dims", "w", 3), FY_EINPUT);
    assert_string_equal(e->msg, "tensor w has 3 dims");
    assert_int_equal(fy_error_prefix(e, "%s: ", "m.safetensors"), FY_EINPUT);
    assert_string_equal(e->msg, "m.safetensors: tensor w has 3 dims");
    assert_int_equal(fy_exit_status(FY_OK), 0);
    assert_int_equal(fy_exit_status(FY_ECHECK), 1);
    assert_int_equal(fy_exit_status(FY_EINPUT), 2);
    assert_int_equal(fy_exit_status(FY_EIO), 2);
    /* NULL error objects are allowed. */
    assert_int_equal(fy_error_set(NULL, FY_EIO, "x"), FY_EIO);
}

static void test_alloc_overflow(void **state)
{
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    assert_null(fy_malloc(SIZE_MAX / 2, 4, e));
    assert_int_equal(e->code, FY_ENOMEM);
    assert_non_null(strstr(e->msg, "overflows"));
}

static void test_atomic_write_and_read(void **state)
{
    char path[] = "test_util_atomic.out";
    char *data;
    size_t len;
    fy_error_t e;
    fy_ofile_t of;
    (void) state;

    fy_error_init(e);
    unlink(path);
    assert_int_equal(fy_file_write_atomic(path, "hello", 5, e), FY_OK);
    assert_int_equal(fy_file_read(&data, &len, path, 100, e), FY_OK);
    assert_int_equal(len, 5);
    assert_string_equal(data, "hello");
    free(data);

    /* An aborted write leaves the old file untouched and no temporary behind. */
    assert_int_equal(fy_ofile_open(of, path, e), FY_OK);
    fputs("half-written", of->fp);
    fy_ofile_abort(of);
    assert_int_equal(fy_file_read(&data, &len, path, 100, e), FY_OK);
    assert_string_equal(data, "hello");
    free(data);

    /* The size limit is enforced before reading. */
    assert_int_equal(fy_file_read(&data, &len, path, 3, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, path));

    /* A text file is read whole; a NUL byte inside is refused with its offset. */
    assert_int_equal(fy_file_read_text(&data, &len, path, 100, e), FY_OK);
    assert_string_equal(data, "hello");
    free(data);
    assert_int_equal(fy_file_write_atomic(path, "he\0lo", 5, e), FY_OK);
    assert_int_equal(fy_file_read_text(&data, &len, path, 100, e), FY_EINPUT);
    assert_null(data);
    assert_non_null(strstr(e->msg, "NUL byte"));
    assert_non_null(strstr(e->msg, "byte 2"));
    unlink(path);

    assert_int_equal(fy_file_read(&data, &len, "no/such/file", 100, e), FY_EIO);
    assert_non_null(strstr(e->msg, "no/such/file"));
}

static void test_mkdir_p(void **state)
{
    fy_error_t e;
    struct stat st;
    (void) state;
    fy_error_init(e);
    assert_int_equal(fy_mkdir_p("test_util_dir/a/b", e), FY_OK);
    assert_int_equal(stat("test_util_dir/a/b", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fy_mkdir_p("test_util_dir/a/b", e), FY_OK);
    rmdir("test_util_dir/a/b");
    rmdir("test_util_dir/a");
    rmdir("test_util_dir");
}


/* ---- output folders: only this run's files, nothing foreign deleted */
static void put(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void write_run(fy_error_t e, const char *dir, const char *const *names, int n, int force,
                      int expect)
{
    fy_outdir_t od;
    int i;
    assert_int_equal(fy_outdir_open(od, dir, force, e), expect);
    if (expect != FY_OK)
        return;
    for (i = 0; i < n; i++)
    {
        char *f = fy_outdir_file(od, names[i], e);
        assert_non_null(f);
        put(f, names[i]);
        free(f);
    }
    assert_int_equal(fy_outdir_commit(od, NULL, 0, e), FY_OK);
    fy_outdir_clear(od);
}

static void test_outdir(void **state)
{
    const char *run1[] = {"a.txt", "b.txt"};
    const char *run2[] = {"b.txt"};
    fy_error_t e;
    fy_outdir_t od;
    char *f;
    (void)state;
    fy_error_init(e);
    system("rm -rf test_outdir_x test_outdir_x.old.* test_outdir_x.tmp.*");

    /* a new folder (parents created) */
    write_run(e, "test_outdir_x/out", run1, 2, 0, FY_OK);
    assert_true(exists("test_outdir_x/out/a.txt"));
    assert_true(exists("test_outdir_x/out/.feynn-manifest"));
    /* a second run replaces it: the stale a.txt of the first run is gone */
    write_run(e, "test_outdir_x/out", run2, 1, 0, FY_OK);
    assert_false(exists("test_outdir_x/out/a.txt"));
    assert_true(exists("test_outdir_x/out/b.txt"));
    assert_int_not_equal(system("ls -d test_outdir_x/out.old.* >/dev/null 2>&1"), 0);

    /* an aborted run leaves the folder as it was and no temporary folder behind */
    assert_int_equal(fy_outdir_open(od, "test_outdir_x/out", 0, e), FY_OK);
    f = fy_outdir_file(od, "c.txt", e);
    put(f, "c");
    free(f);
    assert_null(fy_outdir_file(od, "../escape", e));
    assert_false(exists("test_outdir_x/out/c.txt")); /* nothing visible before the commit */
    fy_outdir_abort(od);
    assert_false(exists("test_outdir_x/out/c.txt"));
    assert_true(exists("test_outdir_x/out/b.txt"));
    assert_int_not_equal(system("ls -d test_outdir_x/out.tmp.* >/dev/null 2>&1"), 0);

    /* a file the user put into a feynn folder is kept (moved aside with the old folder) */
    put("test_outdir_x/out/mine.txt", "user");
    write_run(e, "test_outdir_x/out", run1, 2, 0, FY_OK);
    assert_false(exists("test_outdir_x/out/mine.txt"));
    assert_int_equal(system("test -f test_outdir_x/out.old.*/mine.txt"), 0);
    assert_int_not_equal(system("test -f test_outdir_x/out.old.*/b.txt"), 0);

    /* a foreign non-empty folder is refused, then moved aside (not deleted) with force */
    fy_mkdir_p("test_outdir_x/foreign", e);
    put("test_outdir_x/foreign/data.csv", "1,2");
    write_run(e, "test_outdir_x/foreign", run1, 2, 0, FY_EINPUT);
    /* the fix in library terms (the command names its --force: test_born_cli.sh) */
    assert_non_null(strstr(e->msg, "force = 1 to fy_outdir_open"));
    assert_null(strstr(e->msg, "--"));
    assert_true(exists("test_outdir_x/foreign/data.csv"));
    write_run(e, "test_outdir_x/foreign", run1, 2, 1, FY_OK);
    assert_true(exists("test_outdir_x/foreign/a.txt"));
    assert_int_equal(system("test -f test_outdir_x/foreign.old.*/data.csv"), 0);

    /* an empty existing folder, and a file where the folder should be */
    fy_mkdir_p("test_outdir_x/empty", e);
    write_run(e, "test_outdir_x/empty", run2, 1, 0, FY_OK);
    assert_true(exists("test_outdir_x/empty/b.txt"));
    put("test_outdir_x/plain", "x");
    write_run(e, "test_outdir_x/plain", run2, 1, 0, FY_EINPUT);
    assert_non_null(strstr(e->msg, "not a folder"));
    system("rm -rf test_outdir_x");
}

/* ---- the memory limit: sizes parsed, precedence option > environment > default */
static void test_memory_limit(void **state)
{
    fy_error_t e;
    size_t b;
    (void)state;
    fy_error_init(e);
    assert_int_equal(fy_memory_limit_parse(&b, "8G", e), FY_OK);
    assert_true(b == (size_t)8 << 30);
    assert_int_equal(fy_memory_limit_parse(&b, "512M", e), FY_OK);
    assert_true(b == (size_t)512 << 20);
    assert_int_equal(fy_memory_limit_parse(&b, "1.5GiB", e), FY_OK);
    assert_true(b == (size_t)3 << 29);
    assert_int_equal(fy_memory_limit_parse(&b, "64k", e), FY_OK);
    assert_true(b == 65536);
    assert_int_equal(fy_memory_limit_parse(&b, "1000", e), FY_OK);
    assert_true(b == 1000);
    assert_int_equal(fy_memory_limit_parse(&b, "10X", e), FY_EUSAGE);
    assert_non_null(strstr(e->msg, "unknown unit"));
    assert_int_equal(fy_memory_limit_parse(&b, "-1G", e), FY_EUSAGE);
    assert_int_equal(fy_memory_limit_parse(&b, "0", e), FY_EUSAGE);
    assert_int_equal(fy_memory_limit_parse(&b, "8Gx", e), FY_EUSAGE);
    assert_int_equal(fy_memory_limit_parse(&b, "", e), FY_EUSAGE);

    /* the default is a fraction of the physical memory: positive, not above it */
    assert_true(fy_memory_limit_default() > ((size_t)1 << 20));
    setenv("FEYNN_MEMORY_LIMIT", "3M", 1);
    assert_int_equal(fy_memory_limit_from_env(e), FY_OK);
    assert_true(fy_memory_limit() == (size_t)3 << 20);
    fy_memory_limit_set(5000);
    assert_true(fy_memory_limit() == 5000); /* the option wins */
    /* and the limit is what the library refuses against: a 1000-double vector fits in 8000
     * bytes but not in 5000 */
    {
        fy_numvec_t v;
        assert_int_equal(fy_numvec_init(v, FY_ARITH_DOUBLE, 1000, 53, e), FY_ENOMEM);
        /* library terms; the command says --memory-limit (test_cli.sh) */
        assert_non_null(strstr(e->msg, "fy_memory_limit_set"));
        assert_non_null(strstr(e->msg, "FEYNN_MEMORY_LIMIT"));
        assert_null(strstr(e->msg, "--"));
        fy_memory_limit_set(8000 + 64);
        assert_int_equal(fy_numvec_init(v, FY_ARITH_DOUBLE, 1000, 53, e), FY_OK);
        fy_numvec_clear(v);
    }
    fy_memory_limit_set(0);
    assert_true(fy_memory_limit() == (size_t)3 << 20);
    setenv("FEYNN_MEMORY_LIMIT", "lots", 1);
    assert_int_equal(fy_memory_limit_from_env(e), FY_EUSAGE);
    assert_non_null(strstr(e->msg, "FEYNN_MEMORY_LIMIT"));
    unsetenv("FEYNN_MEMORY_LIMIT");
    assert_int_equal(fy_memory_limit_from_env(e), FY_OK);
    assert_true(fy_memory_limit() == fy_memory_limit_default());
}

/* The string builder against a reference text built by plain snprintf into a large array:
 * random appends of every kind (puts, putn with embedded bytes, putc, printf, appends of the
 * builder's own text, which move when it grows), then take. */
static void test_strbuf(void **state)
{
    static char ref[1 << 16];
    size_t rn = 0;
    fy_strbuf_t b;
    fy_error_t e;
    fy_rng_t r;
    char *out;
    int k;
    (void) state;
    fy_error_init(e);
    fy_rng_init(r, fy_test_seed("strbuf"), FY_RNG_PURPOSE_TEST);
    fy_strbuf_init(b);
    assert_string_equal(fy_strbuf_str(b), "");
    for (k = 0; k < 2000 && rn < sizeof ref - 200; k++)
    {
        uint32_t w[4];
        fy_rng_block(w, r, 0, (uint32_t) k);
        switch (w[0] % 5)
        {
        case 0:
            assert_int_equal(fy_strbuf_puts(b, "ab"), FY_OK);
            memcpy(ref + rn, "ab", 2), rn += 2;
            break;
        case 1:
            assert_int_equal(fy_strbuf_putn(b, "x\0y", 3), FY_OK); /* 'x' '\\' '0' */
            memcpy(ref + rn, "x\0y", 3), rn += 3;
            break;
        case 2:
            assert_int_equal(fy_strbuf_putc(b, (char) ('a' + w[1] % 26)), FY_OK);
            ref[rn++] = (char) ('a' + w[1] % 26);
            break;
        case 3:
            assert_int_equal(fy_strbuf_printf(b, "%u:%.3f;", w[1], w[2] / 7.0), FY_OK);
            rn += (size_t) snprintf(ref + rn, sizeof ref - rn, "%u:%.3f;", w[1], w[2] / 7.0);
            break;
        default:
            if (rn > 0)
            {
                size_t off = w[1] % rn, len = w[2] % (rn - off + 1);
                if (len > 64)
                    len = 64;
                assert_int_equal(fy_strbuf_put_self(b, off, len), FY_OK);
                memmove(ref + rn, ref + off, len), rn += len;
            }
        }
        assert_int_equal(b->n, rn);
    }
    assert_memory_equal(fy_strbuf_str(b), ref, rn);
    assert_int_equal(fy_strbuf_str(b)[rn], '\0');
    assert_int_equal(fy_strbuf_put_self(b, rn, 1), FY_EUSAGE);
    /* a text that points into the builder itself */
    fy_strbuf_reset(b);
    assert_int_equal(fy_strbuf_puts(b, "abc"), FY_OK);
    assert_int_equal(fy_strbuf_puts(b, b->s), FY_OK);
    assert_string_equal(fy_strbuf_str(b), "abcabc");
    assert_int_equal(fy_strbuf_take(&out, b, e), FY_OK);
    assert_string_equal(out, "abcabc");
    assert_null(b->s);
    free(out);
    /* an empty builder gives an empty string; a failed one refuses */
    assert_int_equal(fy_strbuf_take(&out, b, e), FY_OK);
    assert_string_equal(out, "");
    free(out);
    b->oom = 1;
    assert_int_equal(fy_strbuf_puts(b, "z"), FY_ENOMEM);
    assert_int_equal(fy_strbuf_take(&out, b, e), FY_ENOMEM);
    assert_null(out);
    fy_strbuf_clear(b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_error_set_prefix),
    cmocka_unit_test(test_alloc_overflow),
    cmocka_unit_test(test_atomic_write_and_read),
    cmocka_unit_test(test_mkdir_p),
    cmocka_unit_test(test_outdir),
    cmocka_unit_test(test_memory_limit),
    cmocka_unit_test(test_strbuf),
};

FY_TEST_MAIN("util", tests)
