/* Tests of the util module: errors as values, atomic files, allocation guards. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/error.h"
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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_error_set_prefix),
    cmocka_unit_test(test_alloc_overflow),
    cmocka_unit_test(test_atomic_write_and_read),
    cmocka_unit_test(test_mkdir_p),
};

FY_TEST_MAIN("util", tests)
