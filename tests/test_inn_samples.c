/* The one loader of samples (fy_inn_samples_read, fy_inn_samples_load; issue 9): files written
 * here with the io module's writers (npy, safetensors), read back through the public API and
 * compared with the values written; npy told from safetensors by content, not by name; the
 * tensor chosen by name; refusals (shape, missing tensor, non-finite values named by row and
 * column, dimension mismatch, a missing file, too few draws). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "feynn/io.h"
#include "testutil.h"

static void write_npy(const char *path, int ndim, const size_t *shape, const double *v)
{
    fy_npy_t a;
    fy_error_t e;
    size_t i;
    fy_error_init(e);
    fy_npy_init(a);
    assert_int_equal(fy_npy_set_shape(a, ndim, shape, e), FY_OK);
    for (i = 0; i < a->numel; i++)
        a->data[i] = v[i];
    assert_int_equal(fy_npy_write(path, a, e), FY_OK);
    fy_npy_clear(a);
}

/* A safetensors file with the tensors "samples" (2 x 3 x 2, values 1..12) and "other"
 * (4 x 1, values -1..-4), or, with named = 0, "a" and "b" of those shapes. */
static void write_st(const char *path, int named)
{
    static const size_t s1[3] = {2, 3, 2}, s2[2] = {4, 1};
    double v1[12], v2[4];
    fy_safetensors_t st;
    fy_error_t e;
    int i;
    fy_error_init(e);
    for (i = 0; i < 12; i++)
        v1[i] = i + 1;
    for (i = 0; i < 4; i++)
        v2[i] = -(i + 1);
    fy_safetensors_init(st);
    assert_int_equal(fy_safetensors_add(st, named ? "samples" : "a", FY_DTYPE_F64, 3, s1, v1, e),
                     FY_OK);
    assert_int_equal(fy_safetensors_add(st, named ? "other" : "b", FY_DTYPE_F32, 2, s2, v2, e),
                     FY_OK);
    assert_int_equal(fy_safetensors_write(path, st, e), FY_OK);
    fy_safetensors_clear(st);
}

static void test_samples_read(void **state)
{
    static const size_t s2[2] = {4, 2}, s1[1] = {3}, s4[4] = {1, 1, 1, 2};
    const double rows[8] = {1, 2, -1, 0.5, 2, NAN, 0.5, 1};
    double *x = NULL;
    slong c, n;
    int d, i;
    fy_error_t e;
    (void) state;
    fy_error_init(e);

    /* (n, d) rows in npy: one chain; the NaN at row 2, column 1 is named */
    write_npy("test_inn_samples_nan.npy", 2, s2, rows);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_nan.npy", NULL, 0,
                                         e), FY_EINPUT);
    assert_null(x);
    assert_non_null(strstr(e->msg, "test_inn_samples_nan.npy: the data hold nan at row 2, "
                                    "column 1"));
    {
        double ok[8];
        memcpy(ok, rows, sizeof ok);
        ok[5] = 3.25;
        write_npy("test_inn_samples_ok.npy", 2, s2, ok);
        assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_ok.npy", NULL, 2,
                                             e), FY_OK);
        assert_int_equal(c, 1);
        assert_int_equal(n, 4);
        assert_int_equal(d, 2);
        for (i = 0; i < 8; i++)
            assert_true(x[i] == ok[i]);
        free(x);
        /* the model's dimension must match */
        assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_ok.npy", NULL, 3,
                                             e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "2 sites but the model and theory have 3"));
        assert_null(x);
    }
    /* 1-D and 4-D arrays: refused with the number of dimensions */
    write_npy("test_inn_samples_1d.npy", 1, s1, rows);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_1d.npy", NULL, 0, e),
                     FY_EINPUT);
    assert_non_null(strstr(e->msg, "test_inn_samples_1d.npy: the data array has 1 dimension "));
    write_npy("test_inn_samples_4d.npy", 4, s4, rows);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_4d.npy", NULL, 0, e),
                     FY_EINPUT);
    assert_non_null(strstr(e->msg, "4 dimensions"));

    /* safetensors, even under an .npy name (told by content): "samples" by default, shape
     * [chains, draws, d] */
    write_st("test_inn_samples_st.npy", 1);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_st.npy", NULL, 0, e),
                     FY_OK);
    assert_int_equal(c, 2);
    assert_int_equal(n, 3);
    assert_int_equal(d, 2);
    for (i = 0; i < 12; i++)
        assert_true(x[i] == i + 1);
    free(x);
    assert_int_equal(fy_inn_samples_load(&x, &c, &n, &d, "test_inn_samples_st.npy", 2, e), FY_OK);
    assert_int_equal(c * n * d, 12);
    free(x);
    /* another tensor by name (F32 in the file): one chain of 4 draws of 1 site */
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_st.npy", "other", 0,
                                         e), FY_OK);
    assert_int_equal(c, 1);
    assert_int_equal(n, 4);
    assert_int_equal(d, 1);
    for (i = 0; i < 4; i++)
        assert_true(x[i] == -(i + 1));
    free(x);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_st.npy", "nosuch", 0,
                                         e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "no tensor 'nosuch' among its 2 tensors"));
    /* no "samples" and two tensors: refused unless one is named */
    write_st("test_inn_samples_ab.safetensors", 0);
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_ab.safetensors",
                                         NULL, 0, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "no tensor named 'samples'"));
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_ab.safetensors", "a",
                                         0, e), FY_OK);
    assert_int_equal(c * n * d, 12);
    free(x);
    /* fy_inn_samples_load needs 2 draws per chain: 4 chains of 1 draw are refused */
    {
        static const size_t s3[3] = {4, 1, 2};
        write_npy("test_inn_samples_short.npy", 3, s3, (const double[8]){1, 2, 3, 4, 5, 6, 7, 8});
        assert_int_equal(fy_inn_samples_load(&x, &c, &n, &d, "test_inn_samples_short.npy", 0, e),
                         FY_EINPUT);
        assert_non_null(strstr(e->msg, "at least 2 draws"));
        assert_null(x);
    }
    /* a missing file and a file of neither format */
    assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_none.npy", NULL, 0,
                                         e), FY_EIO);
    assert_non_null(strstr(e->msg, "test_inn_samples_none.npy"));
    {
        FILE *fp = fopen("test_inn_samples_junk.dat", "w");
        assert_non_null(fp);
        fputs("not a data file\n", fp);
        fclose(fp);
        assert_int_equal(fy_inn_samples_read(&x, &c, &n, &d, "test_inn_samples_junk.dat", NULL,
                                             0, e), FY_EINPUT);
        assert_non_null(strstr(e->msg, "test_inn_samples_junk.dat"));
    }
    remove("test_inn_samples_nan.npy");
    remove("test_inn_samples_ok.npy");
    remove("test_inn_samples_1d.npy");
    remove("test_inn_samples_4d.npy");
    remove("test_inn_samples_st.npy");
    remove("test_inn_samples_ab.safetensors");
    remove("test_inn_samples_short.npy");
    remove("test_inn_samples_junk.dat");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
