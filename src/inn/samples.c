/* Samples from a file: the one loader behind `feynn inn train` (the training rows) and
 * `feynn inn compare` (data, test and truth draws).  npy and safetensors are told apart by the
 * file's first bytes, not its name (`feynn inn sample -o` writes safetensors whatever the
 * extension). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "feynn/io.h"

/* The array of a file: its shape and data (owned by a or st). */
typedef struct
{
    int ndim;
    const size_t *shape;
    size_t numel;
    const double *data;
} samples_view_t;

/* 1 when path starts with the npy magic, 0 when not; FY_EIO (negated) when it cannot be
 * opened. */
static int is_npy_file(const char *path, fy_error_t err)
{
    unsigned char magic[6] = {0};
    int npy;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -fy_error_set(err, FY_EIO, "%s: cannot open the data file", path);
    npy = fread(magic, 1, 6, fp) == 6 && memcmp(magic, "\x93NUMPY", 6) == 0;
    fclose(fp);
    return npy;
}

/* The tensor `tensor` of a safetensors file (NULL: "samples", else the only tensor). */
static int pick_tensor(samples_view_t *v, const fy_safetensors_t st, const char *path,
                       const char *tensor, fy_error_t err)
{
    const fy_tensor_struct *t = fy_safetensors_find(st, tensor ? tensor : "samples");
    if (t == NULL && tensor == NULL && st->n == 1)
        t = &st->tensors[0];
    if (t == NULL && tensor != NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no tensor '%s' among its %zu tensors (the "
                            "first is '%s'); name one of them (fy_inn_samples_read's tensor)",
                            path, tensor, st->n,
                            st->n > 0 ? st->tensors[0].name : "-");
    if (t == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no tensor named 'samples' among its %zu "
                            "tensors (the first is '%s'); write the draws as 'samples' "
                            "[chains, draws, sites] or [draws, sites], or name the tensor to "
                            "read", path, st->n, st->n > 0 ? st->tensors[0].name : "-");
    if (t->data == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: tensor '%s' has dtype %s; the data must be "
                            "floating point", path, t->name, t->dtype_name);
    v->ndim = t->ndim;
    v->shape = t->shape;
    v->numel = t->numel;
    v->data = t->data;
    return FY_OK;
}

/* Shape: (n, d) or (chains, draws, d) with 1 <= d <= 4096 and some rows; d = want_d when
 * want_d > 0. */
static int check_shape(const samples_view_t *v, const char *path, int want_d, fy_error_t err)
{
    int ndim = v->ndim;
    const size_t *shape = v->shape;
    if (ndim < 2 || ndim > 3 || shape[ndim - 1] < 1 || v->numel == 0)
        return fy_error_set(err, FY_EINPUT,
                            "%s: the data array has %d dimension%s (shape %s%zu%s); expected "
                            "(n, d) rows or (chains, samples, d) as 'feynn inn sample' writes "
                            "them (a single column of n values: reshape it to (n, 1))",
                            path, ndim, ndim == 1 ? "" : "s", ndim > 0 ? "(" : "()",
                            ndim > 0 ? shape[0] : (size_t) 0, ndim > 1 ? ", ...)" : ")");
    if (shape[ndim - 1] > 4096 || v->numel / shape[ndim - 1] > (size_t) 1 << 40)
        return fy_error_set(err, FY_EINPUT, "%s: %zu columns; at most 4096 are supported", path,
                            shape[ndim - 1]);
    if (want_d > 0 && shape[ndim - 1] != (size_t) want_d)
        return fy_error_set(err, FY_EINPUT, "%s: the samples have %zu sites but the model "
                            "and theory have %d", path, shape[ndim - 1], want_d);
    return FY_OK;
}

/* *x = a copy of the values, refusing the first that is not finite (by row and column). */
static int copy_finite(double **x, const samples_view_t *v, const char *path, fy_error_t err)
{
    size_t i, d = v->shape[v->ndim - 1];
    for (i = 0; i < v->numel; i++)
        if (!isfinite(v->data[i]))
            return fy_error_set(err, FY_EINPUT, "%s: the data hold %g at row %zu, column %zu; "
                                "remove the non-finite rows", path, v->data[i], i / d, i % d);
    *x = malloc(v->numel * sizeof(double));
    if (*x == NULL)
        return fy_error_set(err, FY_ENOMEM, "%s: out of memory for %zu values", path,
                            v->numel);
    memcpy(*x, v->data, v->numel * sizeof(double));
    return FY_OK;
}

int fy_inn_samples_read(double **x, slong *chains, slong *n, int *d, const char *path,
                        const char *tensor, int want_d, fy_error_t err)
{
    fy_safetensors_t st;
    fy_npy_t a;
    samples_view_t v = {0, NULL, 0, NULL};
    int rc, npy;

    *x = NULL;
    npy = is_npy_file(path, err);
    if (npy < 0)
        return -npy;
    fy_safetensors_init(st);
    fy_npy_init(a);
    if (npy)
    {
        rc = fy_npy_read(a, path, err);
        if (rc == FY_OK)
        {
            v.ndim = a->ndim;
            v.shape = a->shape;
            v.numel = a->numel;
            v.data = a->data;
        }
    }
    else
    {
        rc = fy_safetensors_read(st, path, err);
        if (rc == FY_OK)
            rc = pick_tensor(&v, st, path, tensor, err);
    }
    if (rc == FY_OK)
        rc = check_shape(&v, path, want_d, err);
    if (rc == FY_OK)
        rc = copy_finite(x, &v, path, err);
    if (rc == FY_OK)
    {
        *d = (int) v.shape[v.ndim - 1];
        *chains = v.ndim == 3 ? (slong) v.shape[0] : 1;
        *n = (slong) (v.numel / v.shape[v.ndim - 1]) / *chains;
    }
    fy_safetensors_clear(st);
    fy_npy_clear(a);
    return rc;
}

int fy_inn_samples_load(double **x, slong *chains, slong *n, int *d, const char *path,
                        int want_d, fy_error_t err)
{
    int rc = fy_inn_samples_read(x, chains, n, d, path, NULL, want_d, err);
    if (rc == FY_OK && *n < 2)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s: %ld chains of %ld draws; need at least 2 draws "
                          "per chain", path, (long) *chains, (long) *n);
        free(*x);
        *x = NULL;
    }
    return rc;
}
