/* NumPy .npy arrays: read (f8/f4/f2, either byte order, C or Fortran order, versions 1-3) and
 * write (little-endian, C order).  Format: "\x93NUMPY", major, minor, header length (2 bytes
 * little-endian in version 1, 4 bytes in versions 2 and 3), a Python dict literal
 * {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and ended by
 * '\n', then the raw data. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/util.h"
#include "io/io_internal.h"

void fy_npy_init(fy_npy_t a)
{
    memset(a, 0, sizeof *a);
    a->dtype = FY_DTYPE_F64;
    a->version = 1;
}

void fy_npy_clear(fy_npy_t a)
{
    free(a->data);
    fy_npy_init(a);
}

int fy_npy_set_shape(fy_npy_t a, int ndim, const size_t *shape, fy_error_t err)
{
    size_t numel;
    double *data;
    if (ndim < 0 || ndim > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EINPUT, "npy: %d dimensions (at most %d)", ndim,
                            FY_IO_MAX_DIMS);
    if (fy_io_numel(&numel, ndim, shape, FY_IO_MAX_FILE_BYTES / 8) != 0)
        return fy_error_set(err, FY_ENOMEM, "npy: array too large");
    data = fy_calloc(numel ? numel : 1, sizeof(double), err);
    if (data == NULL)
        return FY_ENOMEM;
    free(a->data);
    a->data = data;
    a->ndim = ndim;
    memcpy(a->shape, shape, (size_t) ndim * sizeof(size_t));
    a->numel = numel;
    a->dtype = FY_DTYPE_F64;
    a->fortran_order = 0;
    return FY_OK;
}

/* ------------------------------------------------------------------ header parsing */

typedef struct
{
    const char *s; /* header text */
    size_t n, i;
    size_t base;   /* file offset of s[0] */
    const char *name;
    fy_error_struct *err;
} hdr_t;

static void skip_ws(hdr_t *h)
{
    while (h->i < h->n && (h->s[h->i] == ' ' || h->s[h->i] == '\t' || h->s[h->i] == '\n' ||
                           h->s[h->i] == '\r'))
        h->i++;
}

static int hdr_fail(hdr_t *h, const char *what)
{
    if (h->i < h->n && isprint((unsigned char) h->s[h->i]))
        return fy_error_set(h->err, FY_EINPUT,
                            "%s: offset %zu: npy header: expected %s, found '%c'", h->name, h->base + h->i, what, h->s[h->i]);
    return fy_error_set(h->err, FY_EINPUT, "%s: offset %zu: npy header: expected %s%s",
                        h->name, h->base + h->i, what, h->i < h->n ? "" : " before its end");
}

static int expect_char(hdr_t *h, char c, const char *what)
{
    skip_ws(h);
    if (h->i < h->n && h->s[h->i] == c)
    {
        h->i++;
        return FY_OK;
    }
    return hdr_fail(h, what);
}

/* A Python string literal in ' or " without escapes; copies at most cap-1 chars. */
static int parse_str(hdr_t *h, char *out, size_t cap, const char *what)
{
    char q;
    size_t j = 0;
    skip_ws(h);
    if (h->i >= h->n || (h->s[h->i] != '\'' && h->s[h->i] != '"'))
        return hdr_fail(h, what);
    q = h->s[h->i++];
    while (h->i < h->n && h->s[h->i] != q)
    {
        if (h->s[h->i] == '\\' || h->s[h->i] == '\n')
            return hdr_fail(h, "a plain string");
        if (j + 1 >= cap)
            return hdr_fail(h, "a short string");
        out[j++] = h->s[h->i++];
    }
    if (h->i >= h->n)
        return hdr_fail(h, "the closing quote");
    h->i++;
    out[j] = '\0';
    return FY_OK;
}

static int parse_shape(hdr_t *h, int *ndim, size_t *shape)
{
    int rc = expect_char(h, '(', "'(' opening the shape tuple");
    int k = 0;
    if (rc)
        return rc;
    for (;;)
    {
        size_t v = 0;
        skip_ws(h);
        if (h->i < h->n && h->s[h->i] == ')')
        {
            h->i++;
            break;
        }
        if (h->i >= h->n || !isdigit((unsigned char) h->s[h->i]))
            return hdr_fail(h, "a dimension (a non-negative integer) or ')'");
        if (k == FY_IO_MAX_DIMS)
            return hdr_fail(h, "at most 8 dimensions");
        while (h->i < h->n && isdigit((unsigned char) h->s[h->i]))
        {
            if (v > (FY_IO_MAX_FILE_BYTES - 9) / 10)
                return hdr_fail(h, "a dimension below 2^31");
            v = 10 * v + (size_t) (h->s[h->i++] - '0');
        }
        /* Python writes 3L for longs in old files. */
        if (h->i < h->n && h->s[h->i] == 'L')
            h->i++;
        shape[k++] = v;
        skip_ws(h);
        if (h->i < h->n && h->s[h->i] == ',')
        {
            h->i++;
            continue;
        }
        if (h->i < h->n && h->s[h->i] == ')')
        {
            if (k == 1 && h->s[h->i - 1] != ',')
            {
                /* (3) is not a tuple in Python, but numpy never writes it; accept. */
            }
            h->i++;
            break;
        }
        return hdr_fail(h, "',' or ')' in the shape tuple");
    }
    *ndim = k;
    return FY_OK;
}

static int parse_header(hdr_t *h, fy_npy_t a, int *big_endian)
{
    int seen_descr = 0, seen_fortran = 0, seen_shape = 0, rc;
    char key[32], descr[32];

    if ((rc = expect_char(h, '{', "'{' opening the header dict")))
        return rc;
    for (;;)
    {
        skip_ws(h);
        if (h->i < h->n && h->s[h->i] == '}')
        {
            h->i++;
            break;
        }
        if ((rc = parse_str(h, key, sizeof key, "a key ('descr', 'fortran_order', 'shape')")))
            return rc;
        if ((rc = expect_char(h, ':', "':' after a key")))
            return rc;
        skip_ws(h);
        if (strcmp(key, "descr") == 0 && !seen_descr)
        {
            size_t at = h->i;
            seen_descr = 1;
            if ((rc = parse_str(h, descr, sizeof descr, "a dtype string such as '<f8'")))
                return rc;
            if (strlen(descr) == 3 && strchr("<>=|", descr[0]) && descr[1] == 'f' &&
                strchr("248", descr[2]) && descr[0] != '|')
            {
                a->dtype = descr[2] == '8' ? FY_DTYPE_F64
                           : descr[2] == '4' ? FY_DTYPE_F32 : FY_DTYPE_F16;
                if (descr[0] == '=')
                {
                    uint16_t one = 1;
                    *big_endian = *(uint8_t *) &one == 0;
                }
                else
                    *big_endian = descr[0] == '>';
            }
            else
            {
                h->i = at;
                return fy_error_set(h->err, FY_EINPUT,
                                    "%s: offset %zu: npy dtype '%s' is not supported: expected a "
                                    "float array ('<f8', '<f4', '<f2' or big-endian '>')",
                                    h->name, h->base + at, descr);
            }
        }
        else if (strcmp(key, "fortran_order") == 0 && !seen_fortran)
        {
            seen_fortran = 1;
            if (h->n - h->i >= 4 && memcmp(h->s + h->i, "True", 4) == 0)
            {
                a->fortran_order = 1;
                h->i += 4;
            }
            else if (h->n - h->i >= 5 && memcmp(h->s + h->i, "False", 5) == 0)
            {
                a->fortran_order = 0;
                h->i += 5;
            }
            else
                return hdr_fail(h, "True or False for 'fortran_order'");
        }
        else if (strcmp(key, "shape") == 0 && !seen_shape)
        {
            seen_shape = 1;
            if ((rc = parse_shape(h, &a->ndim, a->shape)))
                return rc;
        }
        else
            return fy_error_set(h->err, FY_EINPUT,
                                "%s: npy header: %s key '%s' (expected 'descr', 'fortran_order' "
                                "and 'shape' once each)",
                                h->name, (strcmp(key, "descr") == 0 || strcmp(key, "shape") == 0 ||
                                          strcmp(key, "fortran_order") == 0)
                                             ? "repeated" : "unexpected",
                                key);
        skip_ws(h);
        if (h->i < h->n && h->s[h->i] == ',')
        {
            h->i++;
            continue;
        }
        if (h->i < h->n && h->s[h->i] == '}')
        {
            h->i++;
            break;
        }
        return hdr_fail(h, "',' or '}' in the header dict");
    }
    if (!seen_descr || !seen_fortran || !seen_shape)
        return fy_error_set(h->err, FY_EINPUT, "%s: npy header lacks the key '%s'", h->name,
                            !seen_descr ? "descr" : !seen_fortran ? "fortran_order" : "shape");
    skip_ws(h);
    if (h->i != h->n)
        return hdr_fail(h, "only spaces after the header dict");
    return FY_OK;
}

int fy_npy_read_buffer(fy_npy_t a, const uint8_t *buf, size_t len, const char *name,
                       fy_error_t err)
{
    size_t hlen, hstart, need, numel, k, isz;
    int major, big = 0, rc;
    hdr_t h;
    fy_npy_t tmp;

    fy_npy_init(tmp);
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: not an npy file (expected the magic \\x93NUMPY)", name);
    major = buf[6];
    if (major < 1 || major > 3)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 6: npy format version %d.%d (expected 1.0, 2.0 or 3.0)",
                            name, buf[6], buf[7]);
    if (major == 1)
    {
        hlen = (size_t) buf[8] | (size_t) buf[9] << 8;
        hstart = 10;
    }
    else
    {
        if (len < 12)
            return fy_error_set(err, FY_EINPUT, "%s: offset 8: npy header length cut short",
                                name);
        hlen = (size_t) buf[8] | (size_t) buf[9] << 8 | (size_t) buf[10] << 16 |
               (size_t) buf[11] << 24;
        hstart = 12;
    }
    if (hlen > len - hstart)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 8: npy header length %zu runs past the end of the file "
                            "(%zu bytes)", name, hlen, len);
    if (major < 3)
        for (k = 0; k < hlen; k++)
            if (buf[hstart + k] >= 0x80 || buf[hstart + k] == 0)
                return fy_error_set(err, FY_EINPUT,
                                    "%s: offset %zu: npy header of version %d must be ASCII",
                                    name, hstart + k, major);
    h.s = (const char *) buf + hstart;
    h.n = hlen;
    h.i = 0;
    h.base = hstart;
    h.name = name;
    h.err = err;
    if ((rc = parse_header(&h, tmp, &big)) != FY_OK)
        return rc;
    tmp->version = major;
    isz = fy_dtype_size(tmp->dtype);
    if (fy_io_numel(&numel, tmp->ndim, tmp->shape, (len - hstart - hlen) / isz + 1) != 0 ||
        numel * isz != len - hstart - hlen)
    {
        char sh[160], nb[40] = "too many";
        fy_io_shape_str(sh, sizeof sh, tmp->ndim, tmp->shape);
        if (fy_io_numel(&need, tmp->ndim, tmp->shape, SIZE_MAX / isz) == 0)
            snprintf(nb, sizeof nb, "%zu", need * isz);
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset %zu: npy data of shape %s in %s needs %s bytes, the file "
                            "has %zu after the header",
                            name, hstart + hlen, sh, fy_dtype_name(tmp->dtype), nb,
                            len - hstart - hlen);
    }
    tmp->numel = numel;
    tmp->data = fy_malloc(numel ? numel : 1, sizeof(double), err);
    if (tmp->data == NULL)
        return FY_ENOMEM;
    {
        const uint8_t *p = buf + hstart + hlen;
        if (!tmp->fortran_order || tmp->ndim < 2)
            for (k = 0; k < numel; k++)
                tmp->data[k] = fy_io_decode(tmp->dtype, p + k * isz, big);
        else
        {
            /* Fortran order: the first index runs fastest.  Walk the file in its order and
             * place each element at its C-order position. */
            size_t idx[FY_IO_MAX_DIMS] = {0}, stride[FY_IO_MAX_DIMS], c = 0;
            int d;
            stride[tmp->ndim - 1] = 1;
            for (d = tmp->ndim - 2; d >= 0; d--)
                stride[d] = stride[d + 1] * tmp->shape[d + 1];
            for (k = 0; k < numel; k++)
            {
                tmp->data[c] = fy_io_decode(tmp->dtype, p + k * isz, big);
                for (d = 0; d < tmp->ndim; d++)
                {
                    c += stride[d];
                    if (++idx[d] < tmp->shape[d])
                        break;
                    c -= stride[d] * tmp->shape[d];
                    idx[d] = 0;
                }
            }
        }
    }
    fy_npy_clear(a);
    *a = *tmp;
    return FY_OK;
}

int fy_npy_read(fy_npy_t a, const char *path, fy_error_t err)
{
    char *data;
    size_t len;
    int rc = fy_file_read(&data, &len, path, FY_IO_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_npy_read_buffer(a, (const uint8_t *) data, len, path, err);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------ writing */

int fy_npy_write_buffer(uint8_t **buf, size_t *len, const fy_npy_t a, fy_error_t err)
{
    char dict[600];
    size_t dl, pre, hlen, total, isz, k;
    int d;
    uint8_t *out;
    const char *descr;

    *buf = NULL;
    *len = 0;
    switch (a->dtype)
    {
    case FY_DTYPE_F64: descr = "<f8"; break;
    case FY_DTYPE_F32: descr = "<f4"; break;
    case FY_DTYPE_F16: descr = "<f2"; break;
    default:
        return fy_error_set(err, FY_EUNSUPPORTED, "npy: cannot write dtype %s (F64, F32, F16)",
                            fy_dtype_name(a->dtype));
    }
    if (a->ndim < 0 || a->ndim > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EINTERNAL, "npy: bad number of dimensions %d", a->ndim);
    dl = (size_t) snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (",
                           descr);
    for (d = 0; d < a->ndim; d++)
        dl += (size_t) snprintf(dict + dl, sizeof dict - dl, "%zu%s", a->shape[d],
                                (a->ndim == 1 || d + 1 < a->ndim) ? ", " : "");
    if (a->ndim == 1)
        dl -= 1; /* "(3,)" */
    dl += (size_t) snprintf(dict + dl, sizeof dict - dl, "), }");
    /* Version 1 unless the header does not fit 65535 bytes (it always does here). */
    pre = 10;
    hlen = ((pre + dl + 1 + 63) / 64) * 64 - pre;
    isz = fy_dtype_size(a->dtype);
    if (a->numel > (SIZE_MAX - pre - hlen) / isz)
        return fy_error_set(err, FY_ENOMEM, "npy: array too large to write");
    total = pre + hlen + a->numel * isz;
    out = fy_malloc(total, 1, err);
    if (out == NULL)
        return FY_ENOMEM;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (uint8_t) (hlen & 0xff);
    out[9] = (uint8_t) (hlen >> 8);
    memcpy(out + pre, dict, dl);
    memset(out + pre + dl, ' ', hlen - dl - 1);
    out[pre + hlen - 1] = '\n';
    for (k = 0; k < a->numel; k++)
        if (fy_io_encode(out + pre + hlen + k * isz, a->dtype, a->data[k]) != 0)
        {
            char ix[160];
            fy_io_index_str(ix, sizeof ix, a->ndim, a->shape, k);
            free(out);
            return fy_error_set(err, FY_EINPUT,
                                "npy: element %s = %.17g is not exactly representable in %s",
                                ix, a->data[k], fy_dtype_name(a->dtype));
        }
    *buf = out;
    *len = total;
    return FY_OK;
}

int fy_npy_write(const char *path, const fy_npy_t a, fy_error_t err)
{
    uint8_t *buf;
    size_t len;
    int rc = fy_npy_write_buffer(&buf, &len, a, err);
    if (rc != FY_OK)
        return fy_error_prefix(err, "%s: ", path);
    rc = fy_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}
