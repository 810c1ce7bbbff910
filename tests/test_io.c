/* Tests of the io module: safetensors, npy and text readers and writers, layer discovery,
 * activations, refusal of malformed input, the example model exported by PyTorch.
 *
 * Oracles: byte images built here by hand from known IEEE bit patterns (not by the code under
 * test); glibc's correctly rounded strtod for the exact-number parser; exact rationals of
 * dyadic values; the weights printed by examples/export_pytorch.py with repr(); files written
 * by numpy.save itself (examples/tiny_mlp_npy). */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "feynn/io.h"
#include "io/io_internal.h"
#include "testutil.h"

/* ------------------------------------------------------------------ helpers */

static void put_le(uint8_t *p, uint64_t v, int k)
{
    int i;
    for (i = 0; i < k; i++)
        p[i] = (uint8_t) (v >> (8 * i));
}

/* A safetensors image: the header text verbatim, then the data bytes. */
static uint8_t *st_image(size_t *len, const char *header, const uint8_t *data, size_t nd)
{
    size_t h = strlen(header);
    uint8_t *b = malloc(8 + h + nd + 1);
    put_le(b, h, 8);
    memcpy(b + 8, header, h);
    if (nd)
        memcpy(b + 8 + h, data, nd);
    *len = 8 + h + nd;
    return b;
}

/* An npy image: magic, version, header length (2 or 4 bytes), dict verbatim, data. */
static uint8_t *npy_image(size_t *len, int major, const char *dict, const uint8_t *data,
                          size_t nd)
{
    size_t h = strlen(dict), pre = major == 1 ? 10 : 12;
    uint8_t *b = malloc(pre + h + nd + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t) major;
    b[7] = 0;
    put_le(b + 8, h, major == 1 ? 2 : 4);
    memcpy(b + pre, dict, h);
    if (nd)
        memcpy(b + pre + h, data, nd);
    *len = pre + h + nd;
    return b;
}

static void expect_msg(int rc, const fy_error_t e, int code, const char *a, const char *b)
{
    if (rc != code || strstr(e->msg, a) == NULL || (b && strstr(e->msg, b) == NULL))
    {
        print_message("status %d (want %d), message: %s\n  want '%s'%s%s%s\n", rc, code,
                      e->msg, a, b ? " and '" : "", b ? b : "", b ? "'" : "");
        fail();
    }
}

static char *test_file(char *buf, size_t n, const char *rel)
{
    return (char *) fy_test_srcpath(buf, n, rel);
}

/* ------------------------------------------------------------------ dtypes and numbers */

static void test_natcmp_and_dtypes(void **state)
{
    (void) state;
    assert_true(fy_io_natcmp("fc2", "fc10") < 0);
    assert_true(fy_io_natcmp("layers.9.weight", "layers.10.weight") < 0);
    assert_true(fy_io_natcmp("0", "2") < 0);
    assert_true(fy_io_natcmp("a", "b") < 0);
    assert_true(fy_io_natcmp("x10y", "x9y") > 0);
    assert_int_equal(fy_io_natcmp("abc", "abc"), 0);
    assert_int_equal(fy_dtype_from_name("f4"), FY_DTYPE_F32);
    assert_int_equal(fy_dtype_from_name("BF16"), FY_DTYPE_BF16);
    assert_int_equal(fy_dtype_from_name("I64"), -1);
    assert_int_equal(fy_dtype_size(FY_DTYPE_F16), 2);
    assert_string_equal(fy_dtype_name(FY_DTYPE_BF16), "BF16");
}

static void check_number(const char *s, long num, long den)
{
    fmpq_t q, want;
    double d;
    const char *why;
    long used;
    fmpq_init(q);
    fmpq_init(want);
    used = fy_io_parse_number(q, &d, s, strlen(s), &why);
    assert_int_equal(used, (long) strlen(s));
    fmpq_set_si(want, num, (ulong) den);
    if (!fmpq_equal(q, want))
    {
        print_message("%s parsed as ", s);
        fmpq_print(q);
        print_message("\n");
        fail();
    }
    assert_true(d == strtod(s, NULL) || strchr(s, '/') != NULL);
    fmpq_clear(q);
    fmpq_clear(want);
}

static void test_exact_numbers(void **state)
{
    fmpq_t q;
    double d;
    const char *why;
    (void) state;
    check_number("0.1", 1, 10);
    check_number("-3/4", -3, 4);
    check_number("6/8", 3, 4);
    check_number("2.5e-3", 1, 400);
    check_number(".5", 1, 2);
    check_number("5.", 5, 1);
    check_number("+12", 12, 1);
    check_number("1E2", 100, 1);
    check_number("-0", 0, 1);
    fmpq_init(q);
    /* Not numbers, or out of range. */
    assert_int_equal(fy_io_parse_number(q, &d, "nan", 3, &why), 0);
    assert_int_equal(fy_io_parse_number(q, &d, "inf", 3, &why), 0);
    assert_int_equal(fy_io_parse_number(q, &d, ".", 1, &why), 0);
    assert_int_equal(fy_io_parse_number(q, &d, "1/0", 3, &why), -1);
    assert_non_null(strstr(why, "zero"));
    assert_int_equal(fy_io_parse_number(q, &d, "1e400", 5, &why), -1);
    assert_int_equal(fy_io_parse_number(q, &d, "1e5000", 6, &why), -1);
    /* "1e" stops before the e. */
    assert_int_equal(fy_io_parse_number(q, &d, "1e", 2, &why), 1);
    /* 1/3 rounds to the nearest double. */
    assert_int_equal(fy_io_parse_number(q, &d, "1/3", 3, &why), 3);
    assert_true(d == 1.0 / 3.0);
    /* Subnormals: the smallest one and half of it (a tie, to even: 0). */
    assert_int_equal(fy_io_parse_number(q, &d, "4.9406564584124654e-324", 23, &why), 23);
    assert_true(d == ldexp(1, -1074));
    fmpq_set_si(q, 1, 1);
    fmpq_div_2exp(q, q, 1075);
    assert_int_equal(fy_io_fmpq_get_d(&d, q), 0);
    assert_true(d == 0.0 && !signbit(d));
    fmpq_set_si(q, 3, 1);
    fmpq_div_2exp(q, q, 1075); /* 1.5 ulp: ties to the even 2 ulp */
    assert_int_equal(fy_io_fmpq_get_d(&d, q), 0);
    assert_true(d == ldexp(2, -1074));
    fmpq_set_si(q, -5, 1);
    fmpq_div_2exp(q, q, 1075); /* -2.5 ulp: -2 ulp */
    assert_int_equal(fy_io_fmpq_get_d(&d, q), 0);
    assert_true(d == -ldexp(2, -1074));
    /* The largest double and the first value that rounds past it. */
    assert_int_equal(fy_io_parse_number(q, &d, "1.7976931348623157e308", 22, &why), 22);
    assert_true(d == 0x1.fffffffffffffp+1023);
    assert_int_equal(fy_io_parse_number(q, &d, "1.7976931348623159e308", 22, &why), -1);
    fmpq_clear(q);
}

/* Random decimals against glibc's correctly rounded strtod. */
static void test_numbers_vs_strtod(void **state)
{
    uint64_t s = fy_test_seed("numbers_vs_strtod");
    fmpq_t q;
    int i;
    (void) state;
    fmpq_init(q);
    for (i = 0; i < 3000; i++)
    {
        char buf[64];
        double d;
        const char *why;
        int nd = 1 + (int) (fy_test_rand(&s) % 20), k, e = (int) (fy_test_rand(&s) % 640) - 330;
        size_t n = 0;
        if (fy_test_rand(&s) & 1)
            buf[n++] = '-';
        for (k = 0; k < nd; k++)
        {
            buf[n++] = (char) ('0' + fy_test_rand(&s) % 10);
            if (k == 0)
                buf[n++] = '.';
        }
        n += (size_t) snprintf(buf + n, sizeof buf - n, "e%d", e);
        if (fy_io_parse_number(q, &d, buf, n, &why) != (long) n)
        {
            assert_true(fabs(strtod(buf, NULL)) > 1.7e308); /* overflow refused */
            continue;
        }
        if (d != strtod(buf, NULL))
        {
            print_message("%s: %.17g vs strtod %.17g\n", buf, d, strtod(buf, NULL));
            fail();
        }
    }
    fmpq_clear(q);
}

/* ------------------------------------------------------------------ safetensors */

static void test_safetensors_every_dtype(void **state)
{
    const char *hdr =
        "{\"__metadata__\":{\"activation\":\"tanh\"},"
        "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
        "\"b\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24]},"
        "\"c\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]},"
        "\"d\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[32,36]},"
        "\"e\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[36,44]},"
        "\"z\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[44,44]}}  ";
    uint8_t data[44];
    uint8_t *img;
    size_t len;
    fy_safetensors_t st;
    fy_error_t e;
    const fy_tensor_struct *t;
    (void) state;

    put_le(data + 0, 0x3FF8000000000000ULL, 8);  /* 1.5 */
    put_le(data + 8, 0xC00921FB54442D18ULL, 8);  /* -pi */
    put_le(data + 16, 0xC0200000u, 4);           /* -2.5f */
    put_le(data + 20, 0x33800000u, 4);           /* 2^-24 */
    put_le(data + 24, 0x3C00, 2);                /* 1 */
    put_le(data + 26, 0x0001, 2);                /* 2^-24, subnormal */
    put_le(data + 28, 0x7BFF, 2);                /* 65504 */
    put_le(data + 30, 0xB555, 2);                /* -(1 + 341/1024) 2^-2 */
    put_le(data + 32, 0x3F80, 2);                /* 1 */
    put_le(data + 34, 0xC040, 2);                /* -3 */
    put_le(data + 36, 7, 8);
    img = st_image(&len, hdr, data, sizeof data);
    fy_error_init(e);
    fy_safetensors_init(st);
    assert_int_equal(fy_safetensors_read_buffer(st, img, len, "t.safetensors", e), FY_OK);
    assert_int_equal(st->n, 6);
    assert_string_equal(fy_safetensors_meta(st, "activation"), "tanh");
    t = fy_safetensors_find(st, "a");
    assert_true(t->data[0] == 1.5 && t->data[1] == -3.141592653589793);
    t = fy_safetensors_find(st, "b");
    assert_int_equal(t->ndim, 2);
    assert_true(t->data[0] == -2.5 && t->data[1] == ldexp(1, -24));
    t = fy_safetensors_find(st, "c");
    assert_true(t->data[0] == 1 && t->data[1] == ldexp(1, -24) && t->data[2] == 65504);
    assert_true(t->data[3] == -(1 + 341.0 / 1024) / 4);
    t = fy_safetensors_find(st, "d");
    assert_true(t->data[0] == 1 && t->data[1] == -3);
    t = fy_safetensors_find(st, "e");
    assert_int_equal(t->dtype, FY_DTYPE_OTHER);
    assert_string_equal(t->dtype_name, "I64");
    assert_null(t->data);
    assert_int_equal(t->ndim, 0);
    assert_int_equal(t->numel, 1);
    t = fy_safetensors_find(st, "z");
    assert_int_equal(t->numel, 0);
    fy_safetensors_clear(st);
    free(img);
}

static void test_safetensors_malformed(void **state)
{
    static const struct
    {
        const char *hdr;
        size_t ndata;
        const char *want1, *want2;
    } cases[] = {
        {"[1,2]", 0, "offset 8", "'{'"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "offset", "JSON"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "offset",
         "duplicate"},
        {"{\"w\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w'",
         "unknown dtype"},
        {"{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w'", "dtype"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "tensor 'w'",
         "shape entry 0"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, "tensor 'w'",
         "shape entry 0"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
         "tensor 'w'", "at most 8"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "tensor 'w'",
         "expected F32 x 4 bytes for shape (3)"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8, "tensor 'w'",
         "data_offsets"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "tensor 'w'",
         "reversed: BEGIN must not exceed END"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8, "tensor 'w'",
         "within the byte buffer of 8 bytes"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "tensor 'w'",
         "hole"},
        {"{\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap",
         "'v'"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 12, "offset 70",
         "trailing"},
        {"{\"__metadata__\":{\"activation\":3}}", 0, "__metadata__", "activation"},
        {"{\"__metadata__\":[1]}", 0, "__metadata__", "object"},
        {"{\"w\":[0,8]}", 8, "tensor 'w'", "object"},
        {"{\"w\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}",
         8, "tensor 'w'", "below 2^31"},
        {"{\"w\":{\"dtype\":\"F64\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}",
         8, "tensor 'w'", "expected F64"},
        {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}",
         8, "offset", "JSON"},
    };
    uint8_t data[16] = {0}, *img;
    size_t len, i;
    fy_safetensors_t st;
    fy_error_t e;
    (void) state;

    fy_error_init(e);
    fy_safetensors_init(st);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        int rc;
        img = st_image(&len, cases[i].hdr, data, cases[i].ndata);
        rc = fy_safetensors_read_buffer(st, img, len, "bad.safetensors", e);
        print_message("case %zu: %s\n", i, e->msg);
        expect_msg(rc, e, FY_EINPUT, "bad.safetensors: ", cases[i].want1);
        expect_msg(rc, e, FY_EINPUT, cases[i].want2, NULL);
        free(img);
    }
    /* Size field problems. */
    {
        uint8_t small[5] = {1, 2, 3, 4, 5}, big[16];
        assert_int_equal(fy_safetensors_read_buffer(st, small, 5, "s.st", e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "s.st: offset 0", "8-byte");
        memset(big, ' ', sizeof big);
        put_le(big, 9, 8);
        big[8] = '{';
        assert_int_equal(fy_safetensors_read_buffer(st, big, sizeof big, "s.st", e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "offset 0", "runs past the end");
        put_le(big, 0xFFFFFFFFFFFFFFF0ULL, 8);
        assert_int_equal(fy_safetensors_read_buffer(st, big, sizeof big, "s.st", e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "offset 0", "exceeds the limit");
    }
    assert_int_equal(st->n, 0);
    fy_safetensors_clear(st);
}

static void test_safetensors_roundtrip(void **state)
{
    static const double v64[3] = {0.1, -1e300, 5e-324};
    static const double v32[4] = {1.5, -0.25, 0x1.fffffep+127, 0x1.fffffep-1};
    static const double v16[3] = {65504, -0x1p-24, 0.333251953125};
    static const double vbf[2] = {1.0, -0x1.fep+100};
    size_t s3[1] = {3}, s22[2] = {2, 2}, s12[2] = {1, 2}, len, hl, i;
    fy_safetensors_t st, back;
    fy_error_t e;
    uint8_t *buf;
    (void) state;

    fy_error_init(e);
    fy_safetensors_init(st);
    fy_safetensors_init(back);
    assert_int_equal(fy_safetensors_add(st, "x.f64", FY_DTYPE_F64, 1, s3, v64, e), FY_OK);
    assert_int_equal(fy_safetensors_add(st, "x.f32", FY_DTYPE_F32, 2, s22, v32, e), FY_OK);
    assert_int_equal(fy_safetensors_add(st, "x.f16", FY_DTYPE_F16, 1, s3, v16, e), FY_OK);
    assert_int_equal(fy_safetensors_add(st, "x.bf16", FY_DTYPE_BF16, 2, s12, vbf, e), FY_OK);
    assert_int_equal(fy_safetensors_add(st, "x.f64", FY_DTYPE_F64, 1, s3, v64, e), FY_EINPUT);
    assert_int_equal(fy_safetensors_set_meta(st, "activation", "tanh", e), FY_OK);
    assert_int_equal(fy_safetensors_write_buffer(&buf, &len, st, e), FY_OK);
    /* Layout by hand: header size LE, a multiple of 8, JSON starting '{', data after it. */
    for (hl = 0, i = 0; i < 8; i++)
        hl |= (size_t) buf[i] << (8 * i);
    assert_int_equal(hl % 8, 0);
    assert_int_equal(buf[8], '{');
    assert_int_equal(len, 8 + hl + 3 * 8 + 4 * 4 + 3 * 2 + 2 * 2);
    /* The first tensor's data is 0.1 as F64 bits. */
    {
        uint64_t u = 0;
        for (i = 0; i < 8; i++)
            u |= (uint64_t) buf[8 + hl + i] << (8 * i);
        assert_true(u == 0x3FB999999999999AULL);
    }
    assert_int_equal(fy_safetensors_read_buffer(back, buf, len, "rt", e), FY_OK);
    assert_string_equal(fy_safetensors_meta(back, "activation"), "tanh");
    assert_memory_equal(fy_safetensors_find(back, "x.f64")->data, v64, sizeof v64);
    assert_memory_equal(fy_safetensors_find(back, "x.f32")->data, v32, sizeof v32);
    assert_memory_equal(fy_safetensors_find(back, "x.f16")->data, v16, sizeof v16);
    assert_memory_equal(fy_safetensors_find(back, "x.bf16")->data, vbf, sizeof vbf);
    free(buf);
    fy_safetensors_clear(st);
    /* Values a narrow dtype cannot hold are refused, naming the tensor and element. */
    {
        double bad[4] = {1, 2, 3, 0.1};
        assert_int_equal(fy_safetensors_add(st, "w", FY_DTYPE_F16, 2, s22, bad, e), FY_OK);
        assert_int_equal(fy_safetensors_write_buffer(&buf, &len, st, e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor 'w' element [1, 1]", "F16");
        fy_safetensors_clear(st);
        bad[3] = 1 + ldexp(1, -9);
        assert_int_equal(fy_safetensors_add(st, "w", FY_DTYPE_BF16, 2, s22, bad, e), FY_OK);
        assert_int_equal(fy_safetensors_write_buffer(&buf, &len, st, e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor 'w'", "BF16");
    }
    fy_safetensors_clear(st);
    fy_safetensors_clear(back);
}

/* ------------------------------------------------------------------ npy */

static void test_npy_read(void **state)
{
    uint8_t data[48], *img;
    size_t len, i, j;
    fy_npy_t a;
    fy_error_t e;
    (void) state;

    fy_error_init(e);
    fy_npy_init(a);
    /* v1, '<f8', C order, shape (3, 2): values 10 i + j. */
    for (i = 0; i < 3; i++)
        for (j = 0; j < 2; j++)
        {
            double v = (double) (10 * i + j);
            uint64_t u;
            memcpy(&u, &v, 8);
            put_le(data + 8 * (2 * i + j), u, 8);
        }
    img = npy_image(&len, 1,
                    "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }          \n",
                    data, 48);
    assert_int_equal(fy_npy_read_buffer(a, img, len, "a.npy", e), FY_OK);
    assert_int_equal(a->ndim, 2);
    assert_int_equal(a->shape[0], 3);
    for (i = 0; i < 6; i++)
        assert_true(a->data[i] == (double) (10 * (i / 2) + i % 2));
    free(img);
    /* '>f4', Fortran order, shape (2, 3): the file lists a00 a10 a01 a11 a02 a12. */
    for (j = 0; j < 3; j++)
        for (i = 0; i < 2; i++)
        {
            float f = (float) (10 * i + j);
            uint32_t u;
            size_t k = 2 * j + i, b;
            memcpy(&u, &f, 4);
            for (b = 0; b < 4; b++)
                data[4 * k + b] = (uint8_t) (u >> (8 * (3 - b)));
        }
    img = npy_image(&len, 2, "{\"descr\": \">f4\", \"fortran_order\": True, \"shape\": (2,3)}\n",
                    data, 24);
    assert_int_equal(fy_npy_read_buffer(a, img, len, "b.npy", e), FY_OK);
    assert_int_equal(a->version, 2);
    assert_int_equal(a->fortran_order, 1);
    for (i = 0; i < 6; i++)
        assert_true(a->data[i] == (double) (10 * (i / 3) + i % 3));
    free(img);
    /* v3, '<f2', 1-D (4,), and a scalar (). */
    put_le(data, 0x3C00, 2);
    put_le(data + 2, 0xC000, 2);
    put_le(data + 4, 0x0001, 2);
    put_le(data + 6, 0x7BFF, 2);
    img = npy_image(&len, 3, "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }\n",
                    data, 8);
    assert_int_equal(fy_npy_read_buffer(a, img, len, "c.npy", e), FY_OK);
    assert_true(a->data[0] == 1 && a->data[1] == -2 && a->data[2] == ldexp(1, -24) &&
                a->data[3] == 65504);
    free(img);
    img = npy_image(&len, 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (), }\n", data,
                    2);
    assert_int_equal(fy_npy_read_buffer(a, img, len, "d.npy", e), FY_OK);
    assert_int_equal(a->ndim, 0);
    assert_int_equal(a->numel, 1);
    free(img);
    fy_npy_clear(a);
}

static void test_npy_malformed(void **state)
{
    static const struct
    {
        int major;
        const char *dict;
        size_t ndata;
        const char *want1, *want2;
    } cases[] = {
        {4, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", 8, "offset 6",
         "version 4"},
        {1, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }\n", 8, "offset 20",
         "'<i8'"},
        {1, "{'descr': '|f8', 'fortran_order': False, 'shape': (1,), }\n", 8, "offset", "float"},
        {1, "{'descr': '<f8', 'shape': (1,), }\n", 8, "lacks the key", "fortran_order"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}\n", 8,
         "unexpected key 'x'", NULL},
        {1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}\n", 8,
         "repeated key 'descr'", NULL},
        {1, "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }\n", 8, "offset 44",
         "True or False"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, -1), }\n", 8, "offset 64",
         "dimension"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", 8, "offset",
         "needs 16 bytes, the file has 8"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", 12, "needs 8 bytes",
         "has 12"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999,), }\n", 8,
         "offset", "below 2^31"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536, 65536), }\n", 8,
         "offset", "needs 2251799813685248 bytes"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), } x\n", 8, "offset",
         "only spaces"},
        {1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), \xc3\xa9}\n", 8, "ASCII",
         NULL},
        {1, "{'descr: '<f8'}", 8, "offset", "npy header"},
        {1, "", 0, "offset 10", "'{'"},
    };
    uint8_t data[16] = {0}, *img;
    size_t len, i;
    fy_npy_t a;
    fy_error_t e;
    (void) state;

    fy_error_init(e);
    fy_npy_init(a);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        int rc;
        img = npy_image(&len, cases[i].major, cases[i].dict, data, cases[i].ndata);
        rc = fy_npy_read_buffer(a, img, len, "bad.npy", e);
        print_message("case %zu: %s\n", i, e->msg);
        expect_msg(rc, e, FY_EINPUT, "bad.npy: ", cases[i].want1);
        if (cases[i].want2)
            expect_msg(rc, e, FY_EINPUT, cases[i].want2, NULL);
        free(img);
    }
    assert_int_equal(fy_npy_read_buffer(a, (const uint8_t *) "NUMPY\x01\x00xx", 9, "m.npy", e),
                     FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "m.npy: offset 0", "magic");
    img = npy_image(&len, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", data,
                    8);
    img[8] = 0xff; /* header length past the end */
    assert_int_equal(fy_npy_read_buffer(a, img, len, "l.npy", e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "l.npy: offset 8", "runs past the end");
    free(img);
    fy_npy_clear(a);
}

static void test_npy_roundtrip(void **state)
{
    size_t shape[3] = {2, 3, 2}, s1[1] = {5}, len, i, hl;
    fy_npy_t a, b;
    fy_error_t e;
    uint8_t *buf;
    int t;
    (void) state;

    fy_error_init(e);
    fy_npy_init(a);
    fy_npy_init(b);
    for (t = 0; t < 3; t++)
    {
        fy_dtype_t dt = t == 0 ? FY_DTYPE_F64 : t == 1 ? FY_DTYPE_F32 : FY_DTYPE_F16;
        assert_int_equal(fy_npy_set_shape(a, 3, shape, e), FY_OK);
        for (i = 0; i < a->numel; i++)
            a->data[i] = (double) i / 4 - 1;
        a->dtype = dt;
        assert_int_equal(fy_npy_write_buffer(&buf, &len, a, e), FY_OK);
        assert_memory_equal(buf, "\x93NUMPY\x01\x00", 8);
        hl = (size_t) buf[8] | (size_t) buf[9] << 8;
        assert_int_equal((10 + hl) % 64, 0);
        assert_int_equal(buf[10 + hl - 1], '\n');
        assert_non_null(strstr((char *) buf + 10, "'shape': (2, 3, 2)"));
        assert_int_equal(len, 10 + hl + 12 * fy_dtype_size(dt));
        assert_int_equal(fy_npy_read_buffer(b, buf, len, "rt", e), FY_OK);
        assert_int_equal(b->dtype, dt);
        assert_memory_equal(a->data, b->data, 12 * sizeof(double));
        free(buf);
    }
    assert_int_equal(fy_npy_set_shape(a, 1, s1, e), FY_OK);
    a->data[4] = 0.1;
    assert_int_equal(fy_npy_write_buffer(&buf, &len, a, e), FY_OK);
    assert_non_null(strstr((char *) buf + 10, "'shape': (5,)"));
    free(buf);
    a->dtype = FY_DTYPE_F32;
    assert_int_equal(fy_npy_write_buffer(&buf, &len, a, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "element [4]", "F32");
    /* Atomic file write and read. */
    a->dtype = FY_DTYPE_F64;
    assert_int_equal(fy_npy_write("test_io_rt.npy.out", a, e), FY_OK);
    assert_int_equal(fy_npy_read(b, "test_io_rt.npy.out", e), FY_OK);
    assert_true(b->data[4] == 0.1);
    unlink("test_io_rt.npy.out");
    fy_npy_clear(a);
    fy_npy_clear(b);
}

/* ------------------------------------------------------------------ layer discovery */

/* Adds PREFIX.weight (out x in, values base + k) and PREFIX.bias unless nobias. */
static void add_layer(fy_safetensors_t st, const char *prefix, size_t out, size_t in,
                      double base, int nobias)
{
    char name[128];
    size_t shape[2] = {out, in}, k;
    double *w = malloc(out * in * sizeof(double)), *b = malloc(out * sizeof(double));
    fy_error_t e;
    fy_error_init(e);
    for (k = 0; k < out * in; k++)
        w[k] = base + (double) k;
    for (k = 0; k < out; k++)
        b[k] = -base - (double) k;
    snprintf(name, sizeof name, "%s%sweight", prefix, prefix[0] ? "." : "");
    assert_int_equal(fy_safetensors_add(st, name, FY_DTYPE_F32, 2, shape, w, e), FY_OK);
    if (!nobias)
    {
        snprintf(name, sizeof name, "%s%sbias", prefix, prefix[0] ? "." : "");
        assert_int_equal(fy_safetensors_add(st, name, FY_DTYPE_F32, 1, shape, b, e), FY_OK);
    }
    free(w);
    free(b);
}

static void check_widths(const fy_net_t net, const char *want)
{
    char buf[256];
    assert_string_equal(fy_net_widths_str(buf, sizeof buf, net), want);
}

static void test_discovery_schemes(void **state)
{
    static const struct
    {
        const char *p[4];
    } schemes[] = {
        {{"0", "2", "4", NULL}},
        {{"fc1", "fc2", "fc10", NULL}},            /* natural, not lexical, order */
        {{"layers.0", "layers.1", "layers.10", NULL}},
        {{"net.0", "net.2", "net.4", NULL}},
        {{"model.layers.3", "model.layers.7", "model.layers.12", NULL}},
        {{"linear1", "linear2", "linear3", NULL}},
    };
    size_t s, l;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    for (s = 0; s < sizeof schemes / sizeof schemes[0]; s++)
    {
        fy_safetensors_t st;
        fy_net_t net;
        fy_net_opts_t o;
        static const size_t w[4] = {3, 5, 4, 2};
        fy_safetensors_init(st);
        fy_net_init(net);
        fy_net_opts_init(o);
        o->activation = "tanh";
        /* Added last layer first: the order must come from the names. */
        for (l = 3; l-- > 0;)
            add_layer(st, schemes[s].p[l], w[l + 1], w[l], 100.0 * (double) l, 0);
        assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_OK);
        check_widths(net, "3-5-4-2");
        assert_int_equal(net->L, 3);
        for (l = 0; l < 3; l++)
        {
            assert_string_equal(net->layers[l].name, schemes[s].p[l]);
            assert_true(net->layers[l].W[1] == 100.0 * (double) l + 1);
            assert_true(net->layers[l].b[1] == -100.0 * (double) l - 1);
            assert_int_equal(net->layers[l].w_dtype, FY_DTYPE_F32);
        }
        assert_string_equal(net->layers[0].activation, "tanh");
        assert_string_equal(net->layers[1].activation, "tanh");
        assert_null(net->layers[2].activation);
        assert_int_equal(fy_net_num_params(net), 5 * 4 + 4 * 6 + 2 * 5);
        assert_string_equal(net->activation_source, "option");
        fy_net_clear(net);
        fy_safetensors_clear(st);
    }
}

static void test_discovery_kernel_and_bare(void **state)
{
    fy_safetensors_t st;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    size_t sk[2] = {2, 3}, sb[1] = {3};
    double k[6] = {1, 2, 3, 4, 5, 6}, b[3] = {7, 8, 9};
    (void) state;
    fy_error_init(e);
    fy_safetensors_init(st);
    fy_net_init(net);
    fy_net_opts_init(o);
    /* Flax naming: kernel of shape (in, out) = (2, 3); W = kernel^T. */
    assert_int_equal(fy_safetensors_add(st, "params.Dense_0.kernel", FY_DTYPE_F64, 2, sk, k, e),
                     FY_OK);
    assert_int_equal(fy_safetensors_add(st, "params.Dense_0.bias", FY_DTYPE_F64, 1, sb, b, e),
                     FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_OK);
    check_widths(net, "2-3");
    assert_true(net->layers[0].transposed);
    assert_true(net->layers[0].W[0] == 1 && net->layers[0].W[1] == 4 && net->layers[0].W[2] == 2);
    assert_true(net->layers[0].W[5] == 6);
    fy_net_clear(net);
    fy_safetensors_clear(st);
    /* A bare nn.Linear: "weight" and "bias". */
    add_layer(st, "", 4, 2, 1, 0);
    assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_OK);
    check_widths(net, "2-4");
    assert_string_equal(net->layers[0].name, "weight");
    fy_net_clear(net);
    fy_safetensors_clear(st);
}

static void test_discovery_mapping(void **state)
{
    fy_safetensors_t st;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_safetensors_init(st);
    fy_net_init(net);
    fy_net_opts_init(o);
    o->activation = "tanh";
    add_layer(st, "fc_in", 6, 3, 0, 0);
    add_layer(st, "hidden.0", 5, 6, 0, 0);
    add_layer(st, "fc_out", 1, 5, 0, 0);
    /* Name order is fc_in, fc_out, hidden.0: the chain breaks, the message says so. */
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "m.st: tensor 'fc_out.weight' has shape (1, 5)",
               "give the order with fy_net_opts.layers P1,P2,...");
    o->layers = "fc_in,hidden.0,fc_out";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    check_widths(net, "3-6-5-1");
    assert_string_equal(net->layers[1].name, "hidden.0");
    fy_net_clear(net);
    o->layers = "fc_in,hidden.1,fc_out";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "'hidden.1.weight'", "'fc_in', 'fc_out', 'hidden.0'");
    o->layers = "fc_in,fc_in";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "twice", NULL);
    /* A subset leaves the other layers as extra tensors. */
    o->layers = "fc_in";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "'hidden.0.weight'", "fy_net_opts.ignore_extra");
    o->ignore_extra = 1;
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    check_widths(net, "3-6");
    assert_int_equal(net->n_ignored, 4);
    fy_net_clear(net);
    fy_safetensors_clear(st);
}

static void test_discovery_extra_and_bias(void **state)
{
    fy_safetensors_t st;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    size_t s1[1] = {1};
    double one = 1;
    (void) state;
    fy_error_init(e);
    fy_safetensors_init(st);
    fy_net_init(net);
    fy_net_opts_init(o);
    o->activation = "sigmoid";
    add_layer(st, "0", 4, 2, 1, 1);
    add_layer(st, "2", 1, 4, 1, 0);
    assert_int_equal(fy_safetensors_add(st, "1.num_batches_tracked", FY_DTYPE_F32, 1, s1, &one,
                                        e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "m.st: 1 tensor that is not part of a linear layer",
               "'1.num_batches_tracked'");
    o->ignore_extra = 1;
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_int_equal(net->n_ignored, 1);
    assert_string_equal(net->ignored[0], "1.num_batches_tracked");
    /* The missing bias of layer 0 is zero, and said so. */
    assert_null(net->layers[0].b_tensor);
    assert_true(net->layers[0].b[0] == 0 && net->layers[0].b[3] == 0);
    assert_int_equal(net->n_notes, 2);
    assert_non_null(strstr(net->notes[0], "ignored 1 tensor"));
    assert_non_null(strstr(net->notes[1], "layer 1 ('0') has no bias"));
    assert_int_equal(fy_net_num_params(net), 4 * 3 + 5);
    fy_net_clear(net);
    fy_safetensors_clear(st);
    /* No layers at all. */
    assert_int_equal(fy_safetensors_add(st, "alpha", FY_DTYPE_F32, 1, s1, &one, e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "no layers found", "'alpha'");
    fy_safetensors_clear(st);
}

static void test_shape_errors(void **state)
{
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    size_t s3[3] = {2, 2, 2}, s1[1] = {5}, s2[2] = {4, 2};
    double z[8] = {0};
    fy_safetensors_t st;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    o->activation = "tanh";

    fy_safetensors_init(st);
    add_layer(st, "0", 4, 2, 1, 1);
    assert_int_equal(fy_safetensors_add(st, "0.bias", FY_DTYPE_F32, 1, s1, z, e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor '0.bias' has shape (5)",
               "expected (4) to match '0.weight' of shape (4, 2)");
    fy_safetensors_clear(st);

    assert_int_equal(fy_safetensors_add(st, "0.weight", FY_DTYPE_F32, 3, s3, z, e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor '0.weight' has shape (2, 2, 2)", "2-D");
    fy_safetensors_clear(st);

    add_layer(st, "a", 4, 2, 1, 0);
    add_layer(st, "b", 3, 5, 1, 0);
    assert_int_equal(fy_net_from_tensors(net, st, "m", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor 'b.weight' has shape (3, 5)",
               "layer 1 ('a.weight') has 4 outputs; expected a weight of shape (3, 4)");
    fy_safetensors_clear(st);

    /* An integer weight, read from a file. */
    {
        const char *hdr = "{\"0.weight\":{\"dtype\":\"I32\",\"shape\":[4,2],"
                          "\"data_offsets\":[0,32]}}";
        uint8_t data[32] = {0}, *img;
        size_t len;
        img = st_image(&len, hdr, data, 32);
        assert_int_equal(fy_safetensors_read_buffer(st, img, len, "i.st", e), FY_OK);
        assert_int_equal(fy_net_from_tensors(net, st, "i.st", o, e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor '0.weight' has dtype I32", "F64, F32");
        free(img);
        fy_safetensors_clear(st);
    }
    (void) s2;
}

static void test_nan_refused(void **state)
{
    fy_safetensors_t st;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    size_t s[2] = {3, 4};
    double w[12] = {0}, b[3] = {0};
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    fy_safetensors_init(st);
    w[1 * 4 + 2] = NAN;
    assert_int_equal(fy_safetensors_add(st, "2.weight", FY_DTYPE_F64, 2, s, w, e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "nan.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "nan.st: tensor '2.weight' element [1, 2] is NaN", NULL);
    fy_safetensors_clear(st);
    w[1 * 4 + 2] = 0;
    b[2] = -INFINITY;
    assert_int_equal(fy_safetensors_add(st, "2.weight", FY_DTYPE_F64, 2, s, w, e), FY_OK);
    assert_int_equal(fy_safetensors_add(st, "2.bias", FY_DTYPE_F64, 1, s, b, e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "nan.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "tensor '2.bias' element [2] is infinite", NULL);
    fy_safetensors_clear(st);
    /* And from a real F16 image: 0x7E00 is NaN. */
    {
        const char *hdr = "{\"w.weight\":{\"dtype\":\"F16\",\"shape\":[1,2],"
                          "\"data_offsets\":[0,4]}}";
        uint8_t data[4] = {0x00, 0x3C, 0x00, 0x7E}, *img;
        size_t len;
        img = st_image(&len, hdr, data, 4);
        assert_int_equal(fy_net_load_buffer(net, img, len, "h.safetensors", o, e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "h.safetensors: tensor 'w.weight' element [0, 1] is "
                   "NaN", NULL);
        free(img);
    }
}

static void test_activations(void **state)
{
    fy_safetensors_t st;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    fy_safetensors_init(st);
    add_layer(st, "0", 4, 2, 1, 0);
    add_layer(st, "2", 4, 4, 1, 0);
    add_layer(st, "4", 1, 4, 1, 0);
    /* None anywhere: a clear error asking for the activation option, by its field for a C
     * caller, by the name a program passes (the feynn command: its flag) otherwise. */
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "m.st: the network has 2 hidden layers",
               "give the activation with fy_net_opts.activation (one name");
    assert_null(strstr(e->msg, "--"));
    {
        static const char *const names[FY_NET_OPT_COUNT] = {"-f", "-a", "-A", "-l", "-x"};
        o->names = names;
        assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
        expect_msg(FY_EINPUT, e, FY_EINPUT, "give the activation with -a (one name", NULL);
        assert_null(strstr(e->msg, "fy_net_opts"));
        o->names = NULL;
    }
    o->allow_no_activation = 1;
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_null(net->layers[0].activation);
    assert_string_equal(net->activation_source, "none");
    o->allow_no_activation = 0;
    /* Metadata. */
    assert_int_equal(fy_safetensors_set_meta(st, "activation", "tanh", e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_string_equal(net->layers[1].activation, "tanh");
    assert_string_equal(net->activation_source, "metadata");
    assert_int_equal(fy_safetensors_set_meta(st, "feynn.activations", "sin, sigmoid", e), FY_OK);
    assert_int_equal(fy_safetensors_set_meta(st, "feynn.output_activation", "sigmoid", e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_string_equal(net->layers[0].activation, "sin");
    assert_string_equal(net->layers[1].activation, "sigmoid");
    assert_string_equal(net->layers[2].activation, "sigmoid");
    /* The option overrides the metadata, one name or one per hidden layer. */
    o->activation = "erf";
    o->output_activation = "none";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_string_equal(net->layers[0].activation, "erf");
    assert_string_equal(net->layers[1].activation, "erf");
    assert_null(net->layers[2].activation);
    assert_string_equal(net->activation_source, "option");
    o->activation = "tanh,relu";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_OK);
    assert_string_equal(net->layers[1].activation, "relu");
    o->activation = "tanh,relu,sin";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT,
               "fy_net_opts.activation lists 3 activations for 2 hidden layers",
               NULL);
    o->activation = "ta nh";
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "'ta nh' is not an activation name", NULL);
    o->activation = NULL;
    assert_int_equal(fy_safetensors_set_meta(st, "feynn.activations", "a,b,c,d", e), FY_OK);
    assert_int_equal(fy_net_from_tensors(net, st, "m.st", o, e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "metadata activation list lists 4", NULL);
    fy_net_clear(net);
    fy_safetensors_clear(st);
}

/* ------------------------------------------------------------------ text format */

static const char sample_text[] =
    "# a model\n"
    "feynn-model 1\n"
    "input 2   # two inputs\n"
    "activation tanh\n"
    "\n"
    "layer 3 name first\n"
    "  0.1 -3/4\n"
    "  2.5e-3 1e2\n"
    "  -0 7\n"
    "bias 1 2 3\n"
    "layer 2 activation sigmoid\n"
    "  1 1 1\n"
    "  1/3 0 .5\n"
    "layer 1 activation sin\n"
    "  1 -1\n"
    "bias -1/7\n";

static void test_text_format(void **state)
{
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    fmpq_t q;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    fmpq_init(q);
    assert_int_equal(fy_net_read_text_buffer(net, sample_text, strlen(sample_text), "s.txt", o,
                                             e), FY_OK);
    check_widths(net, "2-3-2-1");
    assert_true(net->exact);
    assert_int_equal(net->format, FY_MODEL_TEXT);
    assert_string_equal(net->layers[0].name, "first");
    assert_string_equal(net->layers[1].name, "layer2");
    assert_string_equal(net->layers[0].activation, "tanh");
    assert_string_equal(net->layers[1].activation, "sigmoid");
    assert_string_equal(net->layers[2].activation, "sin"); /* output activation */
    assert_string_equal(net->activation_source, "file");
    /* Exact values: 0.1 is 1/10, not the double. */
    fmpq_set_si(q, 1, 10);
    assert_true(fmpq_equal(net->layers[0].W_exact + 0, q));
    assert_true(net->layers[0].W[0] == 0.1);
    fmpq_set_si(q, -3, 4);
    assert_true(fmpq_equal(net->layers[0].W_exact + 1, q));
    fmpq_set_si(q, 1, 400);
    assert_true(fmpq_equal(net->layers[0].W_exact + 2, q));
    assert_true(net->layers[0].W[2] == 2.5e-3);
    assert_true(net->layers[0].W[3] == 100);
    assert_true(net->layers[0].b[2] == 3);
    fmpq_set_si(q, 1, 3);
    assert_true(fmpq_equal(net->layers[1].W_exact + 3, q));
    assert_true(net->layers[1].W[3] == 1.0 / 3.0);
    /* Layer 2 had no bias: zeros and a note. */
    assert_null(net->layers[1].b_tensor);
    assert_true(net->layers[1].b[1] == 0 && fmpq_is_zero(net->layers[1].b_exact + 1));
    assert_int_equal(net->n_notes, 1);
    fmpq_set_si(q, -1, 7);
    assert_true(fmpq_equal(net->layers[2].b_exact, q));
    /* Options override the file. */
    o->activation = "erf";
    o->output_activation = "none";
    assert_int_equal(fy_net_read_text_buffer(net, sample_text, strlen(sample_text), "s.txt", o,
                                             e), FY_OK);
    assert_string_equal(net->layers[1].activation, "erf");
    assert_null(net->layers[2].activation);
    fmpq_clear(q);
    fy_net_clear(net);
}

static void test_text_errors(void **state)
{
    static const struct
    {
        const char *text, *want1, *want2;
    } cases[] = {
        {"", "t.txt: empty file", "feynn-model 1"},
        {"# only a comment\n", "empty file", NULL},
        {"feynn-model 2\n", "t.txt:1:13:", "format version 1"},
        {"model 1\n", "t.txt:1:1:", "'feynn-model 1'"},
        {"feynn-model 1\ninput 0\n", "t.txt:2:7:", "input width"},
        {"feynn-model 1\ninput 2x\n", "t.txt:2:7:", "input width"},
        {"feynn-model 1\nlayer 2\n", "t.txt:2:1:", "'input N'"},
        {"feynn-model 1\ninput 2\n", "t.txt:3:", "at least one 'layer N'"},
        {"feynn-model 1\ninput 2\nlayer 1\n1\n", "t.txt:4:2:", "expected 2 numbers for row 1"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 2 3\n", "t.txt:4:5:", "found more: '3'"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 nan\n", "t.txt:4:3:", "found 'nan'"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 1.2.3\n", "t.txt:4:3:", "found '1.2.3'"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 1/0\n", "t.txt:4:3:", "zero denominator"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 1e400\n", "t.txt:4:3:", "range of double"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 1e99999\n", "t.txt:4:3:", "exponent"},
        {"feynn-model 1\ninput 2\nlayer 2\n1 2\n", "t.txt:5:", "row 2 of layer 1"},
        {"feynn-model 1\ninput 2\nlayer 2\n1 2\nbias 1 2\n", "t.txt:5:1:", "row 2 of layer 1"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 2\nbias 1 2\n", "t.txt:5:8:", "bias of layer 1"},
        {"feynn-model 1\ninput 2\nlayer 1 colour red\n", "t.txt:3:9:", "'activation NAME'"},
        {"feynn-model 1\ninput 2\nlayer 1 activation 9x\n", "t.txt:3:20:", "activation name"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 2\nfoo\n", "t.txt:5:1:", "'layer N'"},
        {"feynn-model 1\ninput 2\nlayer 1\n1 2\ninput 3\n", "t.txt:5:1:", "'layer N'"},
        {"feynn-model 1\ninput 1000000\nlayer 1000000\n1\n", "t.txt:3:1:",
         "fit in the rest of the file"},
        {"feynn-model 1\ninput 2\nlayer 2\n1 2\n3 4\nlayer 1\n1 2\n", "t.txt",
         "fy_net_opts.activation"},
        {"feynn-model 1\ninput 99999999999\n", "t.txt:2:7:", "too large"},
        {"feynn-model 1\x00\n", "offset 13", "NUL"},
    };
    size_t i;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
        size_t len = strlen(cases[i].text);
        int rc;
        if (i == sizeof cases / sizeof cases[0] - 1)
            len = 15;
        rc = fy_net_read_text_buffer(net, cases[i].text, len, "t.txt", o, e);
        print_message("case %zu: %s\n", i, e->msg);
        expect_msg(rc, e, FY_EINPUT, cases[i].want1, cases[i].want2);
    }
    assert_int_equal(net->L, 0);
}

static void nets_equal_exact(const fy_net_t a, const fy_net_t b)
{
    int l;
    assert_int_equal(a->L, b->L);
    for (l = 0; l < a->L; l++)
    {
        const fy_layer_struct *x = &a->layers[l], *y = &b->layers[l];
        size_t k, nw = x->n_out * x->n_in;
        assert_int_equal(x->n_out, y->n_out);
        assert_int_equal(x->n_in, y->n_in);
        assert_memory_equal(x->W, y->W, nw * sizeof(double));
        assert_memory_equal(x->b, y->b, x->n_out * sizeof(double));
        assert_true((x->activation == NULL) == (y->activation == NULL));
        if (x->activation)
            assert_string_equal(x->activation, y->activation);
        if (x->W_exact && y->W_exact)
        {
            for (k = 0; k < nw; k++)
                assert_true(fmpq_equal(x->W_exact + k, y->W_exact + k));
            for (k = 0; k < x->n_out; k++)
                assert_true(fmpq_equal(x->b_exact + k, y->b_exact + k));
        }
    }
}

static void test_text_and_safetensors_roundtrip(void **state)
{
    fy_net_t net, back;
    fy_net_opts_t o;
    fy_error_t e;
    char *text;
    size_t len;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_init(back);
    fy_net_opts_init(o);
    assert_int_equal(fy_net_read_text_buffer(net, sample_text, strlen(sample_text), "s.txt", o,
                                             e), FY_OK);
    assert_int_equal(fy_net_write_text_buffer(&text, &len, net, e), FY_OK);
    assert_non_null(strstr(text, "1/10 -3/4"));
    assert_int_equal(fy_net_read_text_buffer(back, text, len, "back.txt", o, e), FY_OK);
    nets_equal_exact(net, back);
    free(text);
    /* Saved as safetensors F64 and loaded: the same doubles and activations. */
    assert_int_equal(fy_net_save_safetensors("test_io_net.safetensors.out", net, FY_DTYPE_F64, e),
                     FY_OK);
    assert_int_equal(fy_net_load(back, "test_io_net.safetensors.out", o, e), FY_OK);
    assert_int_equal(back->format, FY_MODEL_SAFETENSORS);
    nets_equal_exact(net, back);
    assert_string_equal(back->layers[0].w_tensor, "0.weight");
    assert_string_equal(back->layers[1].w_tensor, "2.weight");
    assert_string_equal(back->activation_source, "metadata");
    {
        fy_safetensors_t st;
        fy_safetensors_init(st);
        assert_int_equal(fy_safetensors_read(st, "test_io_net.safetensors.out", e), FY_OK);
        assert_string_equal(fy_safetensors_meta(st, "feynn.activations"), "tanh,sigmoid");
        assert_null(fy_safetensors_meta(st, "activation"));
        assert_string_equal(fy_safetensors_meta(st, "feynn.output_activation"), "sin");
        assert_string_equal(fy_safetensors_meta(st, "feynn.widths"), "2-3-2-1");
        assert_string_equal(fy_safetensors_meta(st, "format"), "pt");
        fy_safetensors_clear(st);
    }
    unlink("test_io_net.safetensors.out");
    /* F16 cannot hold 0.1. */
    assert_int_equal(fy_net_save_safetensors("test_io_net16.out", net, FY_DTYPE_F16, e),
                     FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "test_io_net16.out: safetensors: tensor '0.weight'",
               "F16");
    assert_int_equal(access("test_io_net16.out", F_OK), -1);
    /* Text saved from binary weights is exact: dyadic fractions. */
    assert_int_equal(fy_net_save_text("test_io_net.txt.out", back, e), FY_OK);
    fy_net_clear(net);
    assert_int_equal(fy_net_load(net, "test_io_net.txt.out", o, e), FY_OK);
    nets_equal_exact(net, back);
    unlink("test_io_net.txt.out");
    fy_net_clear(net);
    fy_net_clear(back);
}

/* ------------------------------------------------------------------ the PyTorch example */

/* Reads examples/tiny_mlp_weights.txt ("tensor NAME DIMS", then values) with strtod and
 * compares every value with the loaded network. */
static void compare_weights_txt(const fy_net_t net)
{
    char path[4096], line[8192], name[64];
    FILE *fp = fopen(test_file(path, sizeof path, "examples/tiny_mlp_weights.txt"), "r");
    int checked = 0;
    const fy_layer_struct *ly = NULL;
    int is_bias = 0;
    size_t k = 0;
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp))
    {
        char *p = line, *q;
        if (line[0] == '#')
            continue;
        if (strncmp(line, "tensor ", 7) == 0)
        {
            int l;
            assert_int_equal(sscanf(line + 7, "%63s", name), 1);
            ly = NULL;
            for (l = 0; l < net->L; l++)
            {
                if (strcmp(net->layers[l].w_tensor, name) == 0)
                    ly = &net->layers[l], is_bias = 0;
                if (net->layers[l].b_tensor && strcmp(net->layers[l].b_tensor, name) == 0)
                    ly = &net->layers[l], is_bias = 1;
            }
            assert_non_null(ly);
            k = 0;
            continue;
        }
        for (;;)
        {
            double v = strtod(p, &q);
            if (q == p)
                break;
            p = q;
            assert_true((is_bias ? ly->b[k] : ly->W[k]) == v);
            k++;
            checked++;
        }
    }
    fclose(fp);
    assert_int_equal(checked, 113);
}

static void test_example_model(void **state)
{
    char path[4096];
    fy_net_t net, text, npy;
    fy_net_opts_t o;
    fy_error_t e;
    int l;
    size_t k;
    fmpq_t q;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_init(text);
    fy_net_init(npy);
    fy_net_opts_init(o);
    fmpq_init(q);
    assert_int_equal(fy_net_load(net, test_file(path, sizeof path,
                                                "examples/tiny_mlp.safetensors"), o, e), FY_OK);
    check_widths(net, "3-8-8-1");
    assert_int_equal(net->L, 3);
    assert_int_equal(fy_net_num_params(net), 113);
    assert_int_equal(net->format, FY_MODEL_SAFETENSORS);
    assert_string_equal(net->activation_source, "metadata");
    for (l = 0; l < 3; l++)
    {
        assert_int_equal(net->layers[l].w_dtype, FY_DTYPE_F32);
        assert_non_null(net->layers[l].b_tensor);
    }
    assert_string_equal(net->layers[0].w_tensor, "0.weight");
    assert_string_equal(net->layers[2].b_tensor, "4.bias");
    assert_string_equal(net->layers[1].activation, "tanh");
    assert_null(net->layers[2].activation);
    compare_weights_txt(net);
    /* The exact text export: its rationals are the dyadic values of the F32 weights. */
    assert_int_equal(fy_net_load(text, test_file(path, sizeof path, "examples/tiny_mlp.feynn"),
                                 o, e), FY_OK);
    assert_int_equal(text->L, 3);
    for (l = 0; l < 3; l++)
    {
        const fy_layer_struct *x = &net->layers[l], *y = &text->layers[l];
        for (k = 0; k < x->n_out * x->n_in; k++)
        {
            fy_io_fmpq_set_d(q, x->W[k]);
            assert_true(fmpq_equal(q, y->W_exact + k));
        }
    }
    nets_equal_exact(net, text);
    /* numpy.save's files in a directory, with metadata.json. */
    assert_int_equal(fy_net_load(npy, test_file(path, sizeof path, "examples/tiny_mlp_npy"), o,
                                 e), FY_OK);
    assert_int_equal(npy->format, FY_MODEL_NPY);
    assert_string_equal(npy->activation_source, "metadata");
    nets_equal_exact(net, npy);
    fmpq_clear(q);
    fy_net_clear(net);
    fy_net_clear(text);
    fy_net_clear(npy);
}

static void test_info_json(void **state)
{
    char path[4096], *s;
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    json_t *root, *ly;
    json_error_t jerr;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    assert_int_equal(fy_net_load(net, test_file(path, sizeof path,
                                                "examples/tiny_mlp.safetensors"), o, e), FY_OK);
    assert_int_equal(fy_net_info_json(&s, net, 2, e), FY_OK);
    root = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "format")), "safetensors");
    assert_int_equal(json_integer_value(json_object_get(root, "parameters")), 113);
    assert_int_equal(json_array_size(json_object_get(root, "widths")), 4);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(root, "widths"), 1)), 8);
    assert_string_equal(json_string_value(json_object_get(root, "architecture")), "3-8-8-1");
    assert_int_equal(json_integer_value(json_object_get(root, "hidden_layers")), 2);
    assert_true(json_is_null(json_object_get(root, "output_activation")));
    assert_true(json_is_false(json_object_get(root, "exact")));
    ly = json_array_get(json_object_get(root, "layers"), 0);
    assert_string_equal(json_string_value(json_object_get(ly, "name")), "0");
    assert_string_equal(json_string_value(json_object_get(ly, "activation")), "tanh");
    {
        json_t *shape = json_object_get(json_object_get(ly, "weight"), "shape");
        assert_int_equal(json_integer_value(json_array_get(shape, 0)), 8);
        assert_int_equal(json_integer_value(json_array_get(shape, 1)), 3);
    }
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ly, "bias"), "dtype")), "F32");
    json_decref(root);
    free(s);
    fy_net_clear(net);
}

static void test_load_errors(void **state)
{
    fy_net_t net;
    fy_net_opts_t o;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_net_init(net);
    fy_net_opts_init(o);
    assert_int_equal(fy_net_load(net, "no/such/model.safetensors", o, e), FY_EIO);
    expect_msg(FY_EIO, e, FY_EIO, "no/such/model.safetensors", NULL);
    assert_int_equal(fy_net_load_buffer(net, (const uint8_t *) "hello world", 11, "x.bin", o, e),
                     FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "x.bin: offset 0: unknown model format", NULL);
    assert_int_equal(fy_net_load_buffer(net, (const uint8_t *) "PK\x03\x04zzzz", 8, "m.npz", o,
                                        e), FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "m.npz", ".npz");
    /* A forced format wins over the magic. */
    o->format = FY_MODEL_TEXT;
    assert_int_equal(fy_net_load_buffer(net, (const uint8_t *) "\x93NUMPYxx", 8, "f", o, e),
                     FY_EINPUT);
    expect_msg(FY_EINPUT, e, FY_EINPUT, "f:1:1:", "feynn-model");
    assert_int_equal(fy_model_format_from_name("npy"), FY_MODEL_NPY);
    assert_int_equal(fy_model_format_from_name("zip"), -1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_natcmp_and_dtypes),
    cmocka_unit_test(test_exact_numbers),
    cmocka_unit_test(test_numbers_vs_strtod),
    cmocka_unit_test(test_safetensors_every_dtype),
    cmocka_unit_test(test_safetensors_malformed),
    cmocka_unit_test(test_safetensors_roundtrip),
    cmocka_unit_test(test_npy_read),
    cmocka_unit_test(test_npy_malformed),
    cmocka_unit_test(test_npy_roundtrip),
    cmocka_unit_test(test_discovery_schemes),
    cmocka_unit_test(test_discovery_kernel_and_bare),
    cmocka_unit_test(test_discovery_mapping),
    cmocka_unit_test(test_discovery_extra_and_bias),
    cmocka_unit_test(test_shape_errors),
    cmocka_unit_test(test_nan_refused),
    cmocka_unit_test(test_activations),
    cmocka_unit_test(test_text_format),
    cmocka_unit_test(test_text_errors),
    cmocka_unit_test(test_text_and_safetensors_roundtrip),
    cmocka_unit_test(test_example_model),
    cmocka_unit_test(test_info_json),
    cmocka_unit_test(test_load_errors),
};

FY_TEST_MAIN("io", tests)
