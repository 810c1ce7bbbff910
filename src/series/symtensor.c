/* Symmetric tensors: memory, indexing, conversions and the public entry points that dispatch
 * to the per-arithmetic kernels of symtensor_tpl.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <flint/fmpz_vec.h>

#include "series/internal.h"

void fy_symtensor_init_empty(fy_symtensor_t T)
{
    fy_numvec_init_empty(&T->e);
    T->dim = 0;
    T->order = 0;
    T->ix->dim = 0;
    T->ix->max_order = 0;
    T->ix->tab = NULL;
}

int fy_symtensor_set_shape(fy_symtensor_t T, fy_arith_t arith, int dim, int order, slong prec,
                           fy_error_t err)
{
    slong n;
    int rc;

    if (T->e.v != NULL && T->e.arith == arith && T->dim == dim && T->order == order)
        return fy_numvec_set_shape(&T->e, arith, T->e.len, prec, err); /* reused, zeroed */
    fy_symtensor_clear(T);
    fy_symtensor_init_empty(T);
    rc = fy_multiindex_count(&n, dim, order, err);
    if (rc == FY_OK)
        rc = fy_mindex_init(T->ix, dim, order, err);
    if (rc == FY_OK)
        rc = fy_numvec_set_shape(&T->e, arith, n, prec, err);
    if (rc != FY_OK)
    {
        fy_error_prefix(err, "symmetric tensor of order %d in %d dimensions: ", order, dim);
        fy_symtensor_clear(T);
        fy_symtensor_init_empty(T);
        return rc;
    }
    T->dim = dim;
    T->order = order;
    return FY_OK;
}

int fy_symtensor_init(fy_symtensor_t T, fy_arith_t arith, int dim, int order, slong prec,
                      fy_error_t err)
{
    fy_symtensor_init_empty(T);
    return fy_symtensor_set_shape(T, arith, dim, order, prec, err);
}

void fy_symtensor_clear(fy_symtensor_t T)
{
    fy_numvec_clear(&T->e);
    fy_mindex_clear(T->ix);
}

void fy_symtensor_swap(fy_symtensor_t a, fy_symtensor_t b)
{
    fy_symtensor_struct t = *a;
    *a = *b;
    *b = t;
}

/* Re-makes z with the given shape unless it already has it (entries are then kept). */
static int symtensor_remake(fy_symtensor_t z, fy_arith_t arith, int dim, int order, slong prec,
                            fy_error_t err)
{
    if (z->e.arith == arith && z->dim == dim && z->order == order && z->e.v != NULL)
    {
        z->e.prec = prec;
        return FY_OK;
    }
    fy_symtensor_clear(z);
    return fy_symtensor_init(z, arith, dim, order, prec, err);
}

slong fy_symtensor_index(const fy_symtensor_t T, const int *idx)
{
    int stack[64] = {0}, *s = stack, k;
    slong r;
    if (T->e.len == 0)
        return -1; /* an empty tensor has no entries */
    for (k = 0; k < T->order; k++)
        if (idx[k] < 0 || idx[k] >= T->dim)
            return -1;
    if (T->order > 64)
        s = flint_malloc(sizeof(int) * (size_t) T->order);
    _fy_sort_idx(s, idx, T->order);
    r = fy_mindex_rank(T->ix, s, T->order);
    if (s != stack)
        flint_free(s);
    return r;
}

static int bad_index(const fy_symtensor_t T, fy_error_t err)
{
    return fy_error_set(err, FY_EINPUT, "index out of range for a tensor in %d dimensions",
                        T->dim);
}

int fy_symtensor_set_fmpq(fy_symtensor_t T, const int *idx, const fmpq_t v, fy_error_t err)
{
    slong r = fy_symtensor_index(T, idx);
    return r < 0 ? bad_index(T, err) : fy_numvec_set_fmpq(&T->e, r, v, err);
}

int fy_symtensor_set_si(fy_symtensor_t T, const int *idx, slong v, fy_error_t err)
{
    slong r = fy_symtensor_index(T, idx);
    return r < 0 ? bad_index(T, err) : fy_numvec_set_si(&T->e, r, v, err);
}

double *fy_symtensor_entry_d(const fy_symtensor_t T, const int *idx)
{
    slong r = fy_symtensor_index(T, idx);
    return (r < 0 || T->e.arith != FY_ARITH_DOUBLE) ? NULL : (double *) T->e.v + r;
}

arb_ptr fy_symtensor_entry_arb(const fy_symtensor_t T, const int *idx)
{
    slong r = fy_symtensor_index(T, idx);
    return (r < 0 || T->e.arith != FY_ARITH_BALL) ? NULL : (arb_ptr) T->e.v + r;
}

fmpq *fy_symtensor_entry_fmpq(const fy_symtensor_t T, const int *idx)
{
    slong r = fy_symtensor_index(T, idx);
    return (r < 0 || T->e.arith != FY_ARITH_EXACT) ? NULL : (fmpq *) T->e.v + r;
}

int fy_symtensor_convert(fy_symtensor_t z, fy_arith_t arith, slong prec,
                         const fy_symtensor_t x, fy_error_t err)
{
    int rc;
    fy_symtensor_t t;
    if (z == x)
        return fy_numvec_convert(&z->e, arith, prec, &x->e, err);
    rc = fy_symtensor_init(t, arith, x->dim, x->order, prec, err);
    if (rc == FY_OK)
        rc = fy_numvec_convert(&t->e, arith, prec, &x->e, err);
    if (rc == FY_OK)
        fy_symtensor_swap(z, t);
    fy_symtensor_clear(t);
    return rc;
}

/* d^n as a slong, or -1 when it overflows. */
static slong dense_len(int dim, int order)
{
    slong n = 1;
    int k;
    for (k = 0; k < order; k++)
    {
        if (n > WORD_MAX / dim)
            return -1;
        n *= dim;
    }
    return n;
}

static int dense_refuse(int dim, int order, fy_arith_t arith, fy_error_t err)
{
    return fy_error_set(err, FY_ENOMEM, "the dense form of a tensor of order %d in %d "
                        "dimensions has %d^%d, about 10^%.1f, %s entries: too many; keep the "
                        "symmetric storage", order, dim, dim, order, order * log10((double) dim),
                        fy_arith_name(arith));
}

int fy_symtensor_to_dense(fy_numvec_t D, const fy_symtensor_t T, fy_error_t err)
{
    slong n = dense_len(T->dim, T->order);
    size_t bytes = fy_numvec_bytes(T->e.arith, n);
    fy_numvec_t t;
    int rc;

    if (n < 0 || bytes == SIZE_MAX || bytes > FY_NUMVEC_MAX_BYTES)
        return dense_refuse(T->dim, T->order, T->e.arith, err);
    rc = fy_numvec_init(t, T->e.arith, n, T->e.prec, err);
    if (rc != FY_OK)
        return rc;
    switch (T->e.arith)
    {
    case FY_ARITH_DOUBLE: _fy_symtensor_to_dense_d(t->v, T->e.v, T->ix, T->order, 0); break;
    case FY_ARITH_BALL: _fy_symtensor_to_dense_arb(t->v, T->e.v, T->ix, T->order, 0); break;
    case FY_ARITH_EXACT: _fy_symtensor_to_dense_fmpq(t->v, T->e.v, T->ix, T->order, 0); break;
    }
    fy_numvec_swap(D, t);
    fy_numvec_clear(t);
    return FY_OK;
}

/* "(i1,i2,...)" of a dense position, for messages. */
static void dense_tuple_str(char *buf, size_t size, slong L, int dim, int order)
{
    int k, *t = flint_malloc(sizeof(int) * (size_t) (order + 1));
    size_t used = 0;
    for (k = order - 1; k >= 0; k--)
    {
        t[k] = (int) (L % dim);
        L /= dim;
    }
    used += (size_t) snprintf(buf, size, "(");
    for (k = 0; k < order && used < size; k++)
        used += (size_t) snprintf(buf + used, size - used, "%s%d", k ? "," : "", t[k]);
    if (used < size)
        snprintf(buf + used, size - used, ")");
    flint_free(t);
}

int fy_symtensor_from_dense(fy_symtensor_t T, const fy_numvec_t D, int dim, int order,
                            double rtol, fy_error_t err)
{
    slong n = dense_len(dim, order), a = 0, b = 0;
    fy_symtensor_t t;
    int rc, ok = 0;

    if (dim < 1 || order < 0)
        return fy_error_set(err, FY_EINPUT, "tensor needs dim >= 1 and order >= 0");
    if (n < 0 || D->len != n)
        return fy_error_set(err, FY_EINPUT, "a dense tensor of order %d in %d dimensions has "
                            "%d^%d entries, not %ld", order, dim, dim, order, (long) D->len);
    rc = fy_symtensor_init(t, D->arith, dim, order, D->prec, err);
    if (rc != FY_OK)
        return rc;
    switch (D->arith)
    {
    case FY_ARITH_DOUBLE:
        ok = _fy_symtensor_from_dense_d(t->e.v, D->v, t->ix, order, rtol, &a, &b, 0);
        break;
    case FY_ARITH_BALL:
        ok = _fy_symtensor_from_dense_arb(t->e.v, D->v, t->ix, order, rtol, &a, &b, 0);
        break;
    case FY_ARITH_EXACT:
        ok = _fy_symtensor_from_dense_fmpq(t->e.v, D->v, t->ix, order, rtol, &a, &b, 0);
        break;
    }
    if (!ok)
    {
        char sa[128], sb[128];
        dense_tuple_str(sa, sizeof sa, a, dim, order);
        dense_tuple_str(sb, sizeof sb, b, dim, order);
        fy_symtensor_clear(t);
        return fy_error_set(err, FY_EINPUT, "dense tensor is not symmetric: entries %s and %s "
                            "differ%s", sa, sb,
                            D->arith == FY_ARITH_DOUBLE ? " beyond the tolerance" : "");
    }
    fy_symtensor_swap(T, t);
    fy_symtensor_clear(t);
    return FY_OK;
}

int fy_symtensor_contract(fy_symtensor_t out, const fy_symtensor_t T, const fy_numvec_t h,
                          int keep, fy_error_t err)
{
    fy_symtensor_t t;
    int rc;

    if (keep < 0 || keep > T->order)
        return fy_error_set(err, FY_EINPUT, "cannot keep %d slots of a tensor of order %d",
                            keep, T->order);
    if (h->arith != T->e.arith || h->len != T->dim)
        return fy_error_set(err, FY_EINPUT, "contraction vector is %s of length %ld; the "
                            "tensor is %s in %d dimensions", fy_arith_name(h->arith),
                            (long) h->len, fy_arith_name(T->e.arith), T->dim);
    rc = fy_symtensor_init(t, T->e.arith, T->dim, keep, T->e.prec, err);
    if (rc != FY_OK)
        return rc;
    switch (T->e.arith)
    {
    case FY_ARITH_DOUBLE:
        _fy_symtensor_contract_d(t->e.v, T->e.v, h->v, T->ix, T->order, keep, T->e.prec);
        break;
    case FY_ARITH_BALL:
        _fy_symtensor_contract_arb(t->e.v, T->e.v, h->v, T->ix, T->order, keep, T->e.prec);
        break;
    case FY_ARITH_EXACT:
        _fy_symtensor_contract_fmpq(t->e.v, T->e.v, h->v, T->ix, T->order, keep, T->e.prec);
        break;
    }
    fy_symtensor_swap(out, t); /* out may be T: it is replaced only now */
    fy_symtensor_clear(t);
    return FY_OK;
}

static int same_shape(const fy_symtensor_t x, const fy_symtensor_t y, fy_error_t err)
{
    if (x->dim != y->dim || x->order != y->order)
        return fy_error_set(err, FY_EINPUT, "tensor shapes differ: order %d in %d dimensions "
                            "and order %d in %d dimensions", x->order, x->dim, y->order, y->dim);
    return FY_OK;
}

int fy_symtensor_add(fy_symtensor_t z, const fy_symtensor_t x, const fy_symtensor_t y,
                     fy_error_t err)
{
    int rc = same_shape(x, y, err);
    if (rc == FY_OK && z != x && z != y)
        rc = symtensor_remake(z, x->e.arith, x->dim, x->order, x->e.prec, err);
    return rc != FY_OK ? rc : fy_numvec_add(&z->e, &x->e, &y->e, err);
}

int fy_symtensor_sub(fy_symtensor_t z, const fy_symtensor_t x, const fy_symtensor_t y,
                     fy_error_t err)
{
    int rc = same_shape(x, y, err);
    if (rc == FY_OK && z != x && z != y)
        rc = symtensor_remake(z, x->e.arith, x->dim, x->order, x->e.prec, err);
    return rc != FY_OK ? rc : fy_numvec_sub(&z->e, &x->e, &y->e, err);
}

int fy_symtensor_scale_fmpq(fy_symtensor_t z, const fy_symtensor_t x, const fmpq_t c,
                            fy_error_t err)
{
    int rc = FY_OK;
    if (z != x)
        rc = symtensor_remake(z, x->e.arith, x->dim, x->order, x->e.prec, err);
    return rc != FY_OK ? rc : fy_numvec_scale_fmpq(&z->e, &x->e, c, err);
}

double fy_symtensor_max_abs_diff(const fy_symtensor_t x, const fy_symtensor_t y)
{
    if (x->dim != y->dim || x->order != y->order)
        return NAN;
    return fy_numvec_max_abs_diff(&x->e, &y->e);
}

double fy_symtensor_rel_frobenius(const fy_symtensor_t x, const fy_symtensor_t y)
{
    slong i, n = x->e.len;
    int *idx;
    fmpz *w;
    double r;

    if (x->dim != y->dim || x->order != y->order)
        return NAN;
    w = _fmpz_vec_init(n);
    idx = flint_calloc((size_t) x->order + 1, sizeof(int));
    for (i = 0; i < n; i++)
    {
        fy_multiindex_multinomial(w + i, idx, x->order);
        fy_multiindex_next(idx, x->dim, x->order);
    }
    r = fy_numvec_rel_frobenius(&x->e, &y->e, w);
    flint_free(idx);
    _fmpz_vec_clear(w, n);
    return r;
}

/* Entry i as a double: the value (double), the nearest double (exact), the midpoint (ball). */
static double entry_d(const fy_symtensor_t x, slong i)
{
    if (x->e.arith == FY_ARITH_DOUBLE)
        return fy_numvec_d(&x->e)[i];
    if (x->e.arith == FY_ARITH_EXACT)
        return fy_fmpq_get_d(fy_numvec_fmpq(&x->e) + i);
    return arf_get_d(arb_midref(fy_numvec_arb(&x->e) + i), ARF_RND_NEAR);
}

double fy_symtensor_dot(const fy_symtensor_t x, const fy_symtensor_t y)
{
    slong i, n = x->e.len;
    int *idx;
    fmpz_t w;
    double s = 0;
    if (x->dim != y->dim || x->order != y->order || x->e.len != y->e.len)
        return NAN;
    idx = flint_calloc((size_t) x->order + 1, sizeof(int));
    fmpz_init(w);
    for (i = 0; i < n; i++)
    {
        fy_multiindex_multinomial(w, idx, x->order);
        s += fmpz_get_d(w) * entry_d(x, i) * entry_d(y, i);
        fy_multiindex_next(idx, x->dim, x->order);
    }
    fmpz_clear(w);
    flint_free(idx);
    return s;
}

int fy_symtensor_contains(const fy_symtensor_t ball, const fy_symtensor_t exact)
{
    if (ball->dim != exact->dim || ball->order != exact->order)
        return 0;
    return fy_numvec_contains(&ball->e, &exact->e);
}
