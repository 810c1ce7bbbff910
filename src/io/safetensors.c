/* safetensors: read and write.  Format (https://github.com/huggingface/safetensors): 8 bytes
 * little-endian unsigned header size N; N bytes of UTF-8 JSON, an object mapping tensor names to
 * {"dtype": "F32", "shape": [8, 3], "data_offsets": [BEGIN, END]} plus an optional
 * "__metadata__" object of strings; then the byte buffer.  Offsets are relative to the buffer;
 * the tensors must cover it exactly, without holes or overlaps, each END - BEGIN equal to the
 * element count times the dtype size.  The header is parsed with jansson. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feynn/util.h"
#include "io/io_internal.h"

void fy_safetensors_init(fy_safetensors_t st)
{
    memset(st, 0, sizeof *st);
}

void fy_safetensors_clear(fy_safetensors_t st)
{
    size_t i;
    for (i = 0; i < st->n; i++)
    {
        free(st->tensors[i].name);
        free(st->tensors[i].data);
    }
    free(st->tensors);
    for (i = 0; i < st->n_meta; i++)
    {
        free(st->meta_keys[i]);
        free(st->meta_values[i]);
    }
    free(st->meta_keys);
    free(st->meta_values);
    fy_safetensors_init(st);
}

const fy_tensor_struct *fy_safetensors_find(const fy_safetensors_t st, const char *name)
{
    size_t i;
    for (i = 0; i < st->n; i++)
        if (strcmp(st->tensors[i].name, name) == 0)
            return &st->tensors[i];
    return NULL;
}

const char *fy_safetensors_meta(const fy_safetensors_t st, const char *key)
{
    size_t i;
    for (i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta_keys[i], key) == 0)
            return st->meta_values[i];
    return NULL;
}

int fy_safetensors_set_meta(fy_safetensors_t st, const char *key, const char *value,
                            fy_error_t err)
{
    size_t i;
    char *v = fy_io_strdup(value, err), *k;
    char **nk, **nv;
    if (v == NULL)
        return FY_ENOMEM;
    for (i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta_keys[i], key) == 0)
        {
            free(st->meta_values[i]);
            st->meta_values[i] = v;
            return FY_OK;
        }
    k = fy_io_strdup(key, err);
    nk = k ? fy_realloc(st->meta_keys, st->n_meta + 1, sizeof(char *), err) : NULL;
    if (nk)
        st->meta_keys = nk;
    nv = nk ? fy_realloc(st->meta_values, st->n_meta + 1, sizeof(char *), err) : NULL;
    if (nv == NULL)
    {
        free(k);
        free(v);
        return FY_ENOMEM;
    }
    st->meta_values = nv;
    st->meta_keys[st->n_meta] = k;
    st->meta_values[st->n_meta] = v;
    st->n_meta++;
    return FY_OK;
}

/* Appends an empty slot. */
static fy_tensor_struct *push_tensor(fy_safetensors_t st, fy_error_t err)
{
    fy_tensor_struct *t;
    if (st->n == st->alloc)
    {
        size_t na = st->alloc ? 2 * st->alloc : 8;
        t = fy_realloc(st->tensors, na, sizeof *t, err);
        if (t == NULL)
            return NULL;
        st->tensors = t;
        st->alloc = na;
    }
    t = &st->tensors[st->n++];
    memset(t, 0, sizeof *t);
    return t;
}

int fy_safetensors_add(fy_safetensors_t st, const char *name, fy_dtype_t dtype, int ndim,
                       const size_t *shape, const double *data, fy_error_t err)
{
    fy_tensor_struct *t;
    size_t numel;
    if (fy_dtype_size(dtype) == 0)
        return fy_error_set(err, FY_EUNSUPPORTED, "safetensors: cannot write dtype %s",
                            fy_dtype_name(dtype));
    if (ndim < 0 || ndim > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EINPUT, "safetensors: tensor '%s' has %d dimensions", name,
                            ndim);
    if (fy_safetensors_find(st, name) != NULL)
        return fy_error_set(err, FY_EINPUT, "safetensors: tensor '%s' added twice", name);
    if (fy_io_numel(&numel, ndim, shape, FY_IO_MAX_FILE_BYTES / 8) != 0)
        return fy_error_set(err, FY_ENOMEM, "safetensors: tensor '%s' is too large", name);
    t = push_tensor(st, err);
    if (t == NULL)
        return FY_ENOMEM;
    t->name = fy_io_strdup(name, err);
    t->data = fy_calloc(numel ? numel : 1, sizeof(double), err);
    if (t->name == NULL || t->data == NULL)
    {
        free(t->name);
        free(t->data);
        st->n--;
        return FY_ENOMEM;
    }
    if (data != NULL && numel > 0)
        memcpy(t->data, data, numel * sizeof(double));
    t->dtype = dtype;
    snprintf(t->dtype_name, sizeof t->dtype_name, "%s", fy_dtype_name(dtype));
    t->ndim = ndim;
    memcpy(t->shape, shape, (size_t) ndim * sizeof(size_t));
    t->numel = numel;
    return FY_OK;
}

/* ------------------------------------------------------------------ reading */

static const struct
{
    const char *name;
    size_t size;
    fy_dtype_t t;
} dtypes[] = {
    {"F64", 8, FY_DTYPE_F64},   {"F32", 4, FY_DTYPE_F32},      {"F16", 2, FY_DTYPE_F16},
    {"BF16", 2, FY_DTYPE_BF16}, {"BOOL", 1, FY_DTYPE_OTHER},   {"U8", 1, FY_DTYPE_OTHER},
    {"I8", 1, FY_DTYPE_OTHER},  {"F8_E5M2", 1, FY_DTYPE_OTHER}, {"F8_E4M3", 1, FY_DTYPE_OTHER},
    {"I16", 2, FY_DTYPE_OTHER}, {"U16", 2, FY_DTYPE_OTHER},    {"I32", 4, FY_DTYPE_OTHER},
    {"U32", 4, FY_DTYPE_OTHER}, {"I64", 8, FY_DTYPE_OTHER},    {"U64", 8, FY_DTYPE_OTHER},
};

typedef struct
{
    uint64_t begin, end;
    size_t idx; /* index into st->tensors */
} span_t;

static int span_cmp(const void *a, const void *b)
{
    const span_t *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* Reads a non-negative JSON integer. */
static int get_u64(uint64_t *v, json_t *j)
{
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return -1;
    *v = (uint64_t) json_integer_value(j);
    return 0;
}

static int parse_entry(fy_tensor_struct *t, size_t *dsize, uint64_t *begin, uint64_t *end,
                       const char *key, json_t *v, uint64_t bufsize, const char *name,
                       fy_error_t err)
{
    json_t *jd = json_object_get(v, "dtype"), *js = json_object_get(v, "shape"),
           *jo = json_object_get(v, "data_offsets");
    size_t i, n, k;
    const char *dn;

    if (!json_is_object(v))
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': expected an object with dtype, shape and "
                            "data_offsets in the header", name, key);
    if (!json_is_string(jd))
        return fy_error_set(err, FY_EINPUT, "%s: tensor '%s': expected a string \"dtype\"",
                            name, key);
    dn = json_string_value(jd);
    for (k = 0; k < sizeof dtypes / sizeof dtypes[0]; k++)
        if (strcmp(dn, dtypes[k].name) == 0)
            break;
    if (k == sizeof dtypes / sizeof dtypes[0])
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': unknown dtype \"%.20s\" (expected F64, F32, F16, "
                            "BF16 or another safetensors dtype)", name, key, dn);
    t->dtype = dtypes[k].t;
    snprintf(t->dtype_name, sizeof t->dtype_name, "%s", dtypes[k].name);
    *dsize = dtypes[k].size;
    if (!json_is_array(js) || json_array_size(js) > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': expected \"shape\" as an array of at most %d "
                            "non-negative integers", name, key, FY_IO_MAX_DIMS);
    n = json_array_size(js);
    for (i = 0; i < n; i++)
    {
        uint64_t d;
        if (get_u64(&d, json_array_get(js, i)) != 0 || d > FY_IO_MAX_FILE_BYTES)
            return fy_error_set(err, FY_EINPUT,
                                "%s: tensor '%s': shape entry %zu is not a non-negative integer "
                                "below 2^31", name, key, i);
        t->shape[i] = (size_t) d;
    }
    t->ndim = (int) n;
    if (!json_is_array(jo) || json_array_size(jo) != 2 ||
        get_u64(begin, json_array_get(jo, 0)) != 0 || get_u64(end, json_array_get(jo, 1)) != 0)
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': expected \"data_offsets\" as [BEGIN, END] with "
                            "non-negative integers", name, key);
    if (*begin > *end)
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': data_offsets [%llu, %llu) are reversed: BEGIN "
                            "must not exceed END", name, key, (unsigned long long) *begin,
                            (unsigned long long) *end);
    if (*end > bufsize)
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s': data_offsets [%llu, %llu) do not lie within the "
                            "byte buffer of %llu bytes",
                            name, key, (unsigned long long) *begin, (unsigned long long) *end,
                            (unsigned long long) bufsize);
    {
        size_t numel;
        char sh[160];
        if (fy_io_numel(&numel, t->ndim, t->shape, (size_t) (*end - *begin) / *dsize + 1) != 0 ||
            (uint64_t) numel * *dsize != *end - *begin)
            return fy_error_set(err, FY_EINPUT,
                                "%s: tensor '%s': data_offsets [%llu, %llu) hold %llu bytes, "
                                "expected %s x %zu bytes for shape %s",
                                name, key, (unsigned long long) *begin, (unsigned long long) *end,
                                (unsigned long long) (*end - *begin), dtypes[k].name, *dsize,
                                fy_io_shape_str(sh, sizeof sh, t->ndim, t->shape));
        t->numel = numel;
    }
    t->offset = *begin;
    return FY_OK;
}

int fy_safetensors_read_buffer(fy_safetensors_t st, const uint8_t *buf, size_t len,
                               const char *name, fy_error_t err)
{
    uint64_t hsize = 0, bufsize, pos;
    json_t *root, *v;
    json_error_t jerr;
    const char *key;
    fy_safetensors_t out;
    span_t *spans = NULL;
    size_t *dsizes = NULL, ntensors, i;
    const uint8_t *data;
    int rc = FY_OK;

    if (len < 8)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: %zu bytes are too few for safetensors (expected an "
                            "8-byte header size)", name, len);
    for (i = 0; i < 8; i++)
        hsize |= (uint64_t) buf[i] << (8 * i);
    if (hsize > FY_IO_MAX_HEADER_BYTES)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: safetensors header size %llu exceeds the limit of "
                            "%zu bytes", name, (unsigned long long) hsize, FY_IO_MAX_HEADER_BYTES);
    if (hsize > len - 8)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: safetensors header size %llu runs past the end of "
                            "the file (%zu bytes)", name, (unsigned long long) hsize, len);
    if (hsize < 2 || buf[8] != '{')
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 8: expected the JSON header to start with '{'", name);
    root = json_loadb((const char *) buf + 8, (size_t) hsize, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: offset %llu: safetensors JSON header: %s",
                            name, (unsigned long long) (8 + (uint64_t) (jerr.position > 0
                                                             ? jerr.position : 0)), jerr.text);
    if (!json_is_object(root))
    {
        json_decref(root);
        return fy_error_set(err, FY_EINPUT, "%s: offset 8: expected a JSON object header",
                            name);
    }
    bufsize = len - 8 - hsize;
    data = buf + 8 + hsize;
    fy_safetensors_init(out);
    ntensors = json_object_size(root);
    if (ntensors > FY_IO_MAX_TENSORS)
    {
        json_decref(root);
        return fy_error_set(err, FY_EINPUT, "%s: %zu header entries exceed the limit of %d",
                            name, ntensors, FY_IO_MAX_TENSORS);
    }
    spans = fy_malloc(ntensors ? ntensors : 1, sizeof *spans, err);
    dsizes = fy_malloc(ntensors ? ntensors : 1, sizeof *dsizes, err);
    if (spans == NULL || dsizes == NULL)
    {
        rc = FY_ENOMEM;
        goto done;
    }
    json_object_foreach(root, key, v)
    {
        fy_tensor_struct *t;
        uint64_t b, e;
        if (strcmp(key, "__metadata__") == 0)
        {
            const char *mk;
            json_t *mv;
            if (!json_is_object(v))
            {
                rc = fy_error_set(err, FY_EINPUT,
                                  "%s: \"__metadata__\" must be an object of strings", name);
                goto done;
            }
            json_object_foreach(v, mk, mv)
            {
                if (!json_is_string(mv))
                {
                    rc = fy_error_set(err, FY_EINPUT,
                                      "%s: \"__metadata__\" entry \"%s\" must be a string",
                                      name, mk);
                    goto done;
                }
                if ((rc = fy_safetensors_set_meta(out, mk, json_string_value(mv), err)))
                    goto done;
            }
            continue;
        }
        t = push_tensor(out, err);
        if (t == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        t->name = fy_io_strdup(key, err);
        if (t->name == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        rc = parse_entry(t, &dsizes[out->n - 1], &b, &e, key, v, bufsize, name, err);
        if (rc)
            goto done;
        spans[out->n - 1].begin = b;
        spans[out->n - 1].end = e;
        spans[out->n - 1].idx = out->n - 1;
    }
    /* The tensors must tile the buffer: sorted by offset, each begins where the last ended. */
    qsort(spans, out->n, sizeof *spans, span_cmp);
    pos = 0;
    for (i = 0; i < out->n; i++)
    {
        if (spans[i].begin != pos)
        {
            const char *tn = out->tensors[spans[i].idx].name;
            if (spans[i].begin > pos)
                rc = fy_error_set(err, FY_EINPUT,
                                  "%s: tensor '%s': data_offsets begin at %llu, leaving a hole "
                                  "after byte %llu of the buffer (expected %llu)",
                                  name, tn, (unsigned long long) spans[i].begin,
                                  (unsigned long long) pos, (unsigned long long) pos);
            else
                rc = fy_error_set(err, FY_EINPUT,
                                  "%s: tensor '%s': data_offsets [%llu, %llu) overlap tensor "
                                  "'%s' (expected to begin at %llu)",
                                  name, tn, (unsigned long long) spans[i].begin,
                                  (unsigned long long) spans[i].end,
                                  out->tensors[spans[i - 1].idx].name, (unsigned long long) pos);
            goto done;
        }
        pos = spans[i].end;
    }
    if (pos != bufsize)
    {
        rc = fy_error_set(err, FY_EINPUT,
                          "%s: offset %llu: the tensors cover %llu bytes of the buffer, which "
                          "has %llu (expected no trailing bytes)",
                          name, (unsigned long long) (8 + hsize + pos), (unsigned long long) pos,
                          (unsigned long long) bufsize);
        goto done;
    }
    /* Sizes are consistent with the file; decode the floating-point tensors in offset order. */
    {
        fy_tensor_struct *sorted = fy_malloc(out->n ? out->n : 1, sizeof *sorted, err);
        if (sorted == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        for (i = 0; i < out->n; i++)
            sorted[i] = out->tensors[spans[i].idx];
        free(out->tensors);
        out->tensors = sorted;
        out->alloc = out->n;
    }
    for (i = 0; i < out->n; i++)
    {
        fy_tensor_struct *t = &out->tensors[i];
        size_t k, sz = fy_dtype_size(t->dtype);
        if (t->dtype == FY_DTYPE_OTHER)
            continue;
        t->data = fy_malloc(t->numel ? t->numel : 1, sizeof(double), err);
        if (t->data == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        for (k = 0; k < t->numel; k++)
            t->data[k] = fy_io_decode(t->dtype, data + t->offset + k * sz, 0);
    }
done:
    json_decref(root);
    free(spans);
    free(dsizes);
    if (rc == FY_OK)
    {
        fy_safetensors_clear(st);
        *st = *out;
    }
    else
        fy_safetensors_clear(out);
    return rc;
}

int fy_safetensors_read(fy_safetensors_t st, const char *path, fy_error_t err)
{
    char *data;
    size_t len;
    int rc = fy_file_read(&data, &len, path, FY_IO_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_safetensors_read_buffer(st, (const uint8_t *) data, len, path, err);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------ writing */

int fy_safetensors_write_buffer(uint8_t **buf, size_t *len, const fy_safetensors_t st,
                                fy_error_t err)
{
    json_t *root = json_object(), *meta = NULL;
    char *hdr = NULL;
    size_t hlen, padded, total, i, off = 0;
    uint8_t *out = NULL;
    int rc = FY_OK;

    *buf = NULL;
    *len = 0;
    if (root == NULL)
        return fy_error_set(err, FY_ENOMEM, "safetensors: out of memory");
    if (st->n_meta > 0)
    {
        meta = json_object();
        if (meta == NULL || json_object_set_new(root, "__metadata__", meta) != 0)
            goto nomem;
        for (i = 0; i < st->n_meta; i++)
        {
            json_t *s = json_string(st->meta_values[i]);
            if (s == NULL)
            {
                rc = fy_error_set(err, FY_EINPUT,
                                  "safetensors: metadata \"%s\" is not valid UTF-8",
                                  st->meta_keys[i]);
                goto fail;
            }
            if (json_object_set_new(meta, st->meta_keys[i], s) != 0)
                goto nomem;
        }
    }
    for (i = 0; i < st->n; i++)
    {
        const fy_tensor_struct *t = &st->tensors[i];
        size_t bytes = t->numel * fy_dtype_size(t->dtype);
        json_t *e = json_object(), *sh = json_array(), *of = json_array();
        int d, bad = e == NULL || sh == NULL || of == NULL;
        if (t->dtype == FY_DTYPE_OTHER || t->dtype == FY_DTYPE_TEXT)
        {
            json_decref(e);
            json_decref(sh);
            json_decref(of);
            rc = fy_error_set(err, FY_EUNSUPPORTED, "safetensors: cannot write tensor '%s' of "
                              "dtype %s", t->name, t->dtype_name);
            goto fail;
        }
        for (d = 0; d < t->ndim && !bad; d++)
            bad |= json_array_append_new(sh, json_integer((json_int_t) t->shape[d])) != 0;
        bad = bad || json_array_append_new(of, json_integer((json_int_t) off)) != 0 ||
              json_array_append_new(of, json_integer((json_int_t) (off + bytes))) != 0;
        if (bad)
        {
            json_decref(e);
            json_decref(sh);
            json_decref(of);
            goto nomem;
        }
        json_object_set_new(e, "dtype", json_string(fy_dtype_name(t->dtype)));
        json_object_set_new(e, "shape", sh);
        json_object_set_new(e, "data_offsets", of);
        if (json_object_set_new(root, t->name, e) != 0)
        {
            rc = fy_error_set(err, FY_EINPUT, "safetensors: tensor name '%s' is not valid "
                              "UTF-8", t->name);
            goto fail;
        }
        off += bytes;
    }
    hdr = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (hdr == NULL)
        goto nomem;
    hlen = strlen(hdr);
    padded = (hlen + 7) / 8 * 8;
    total = 8 + padded + off;
    out = fy_malloc(total, 1, err);
    if (out == NULL)
    {
        rc = FY_ENOMEM;
        goto fail;
    }
    for (i = 0; i < 8; i++)
        out[i] = (uint8_t) ((uint64_t) padded >> (8 * i));
    memcpy(out + 8, hdr, hlen);
    memset(out + 8 + hlen, ' ', padded - hlen);
    off = 8 + padded;
    for (i = 0; i < st->n; i++)
    {
        const fy_tensor_struct *t = &st->tensors[i];
        size_t k, sz = fy_dtype_size(t->dtype);
        for (k = 0; k < t->numel; k++, off += sz)
            if (fy_io_encode(out + off, t->dtype, t->data[k]) != 0)
            {
                char ix[160];
                rc = fy_error_set(err, FY_EINPUT,
                                  "safetensors: tensor '%s' element %s = %.17g is not exactly "
                                  "representable in %s", t->name,
                                  fy_io_index_str(ix, sizeof ix, t->ndim, t->shape, k),
                                  t->data[k], fy_dtype_name(t->dtype));
                goto fail;
            }
    }
    json_decref(root);
    free(hdr);
    *buf = out;
    *len = total;
    return FY_OK;
nomem:
    rc = fy_error_set(err, FY_ENOMEM, "safetensors: out of memory");
fail:
    json_decref(root);
    free(hdr);
    free(out);
    return rc;
}

int fy_safetensors_write(const char *path, const fy_safetensors_t st, fy_error_t err)
{
    uint8_t *buf;
    size_t len;
    int rc = fy_safetensors_write_buffer(&buf, &len, st, err);
    if (rc != FY_OK)
        return fy_error_prefix(err, "%s: ", path);
    rc = fy_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}
