/* Truncated multivariate power series: memory, monomial indexing, and the public entry points
 * that dispatch to the per-arithmetic kernels of mseries_tpl.c. */
#include <stdlib.h>

#include "series/internal.h"

void fy_mseries_init_empty(fy_mseries_t s)
{
    fy_numvec_init_empty(&s->c);
    s->nvars = 0;
    s->deg = 0;
    s->ix->dim = 0;
    s->ix->max_order = 0;
    s->ix->tab = NULL;
}

int fy_mseries_set_shape(fy_mseries_t s, fy_arith_t arith, int nvars, int deg, slong prec,
                         fy_error_t err)
{
    int rc;
    if (s->c.v != NULL && s->c.arith == arith && s->nvars == nvars && s->deg == deg)
        return fy_numvec_set_shape(&s->c, arith, s->c.len, prec, err); /* reused, zeroed */
    fy_mseries_clear(s);
    fy_mseries_init_empty(s);
    rc = fy_mindex_init(s->ix, nvars, deg, err);
    if (rc == FY_OK)
        rc = fy_numvec_set_shape(&s->c, arith, fy_mindex_offset(s->ix, deg + 1), prec, err);
    if (rc != FY_OK)
    {
        fy_error_prefix(err, "power series in %d variables to degree %d: ", nvars, deg);
        fy_mseries_clear(s);
        fy_mseries_init_empty(s);
        return rc;
    }
    s->nvars = nvars;
    s->deg = deg;
    return FY_OK;
}

int fy_mseries_init(fy_mseries_t s, fy_arith_t arith, int nvars, int deg, slong prec,
                    fy_error_t err)
{
    fy_mseries_init_empty(s);
    return fy_mseries_set_shape(s, arith, nvars, deg, prec, err);
}

void fy_mseries_clear(fy_mseries_t s)
{
    fy_numvec_clear(&s->c);
    fy_mindex_clear(s->ix);
}

void fy_mseries_swap(fy_mseries_t a, fy_mseries_t b)
{
    fy_mseries_struct t = *a;
    *a = *b;
    *b = t;
}

slong fy_mseries_index(const fy_mseries_t s, const int *exps)
{
    int stack[64] = {0}, *idx = stack, v, e, k = 0;
    slong r;
    if (s->c.len == 0)
        return -1; /* an empty series has no coefficients */
    for (v = 0; v < s->nvars; v++)
    {
        if (exps[v] < 0 || exps[v] > s->deg - k)
            return -1;
        k += exps[v];
    }
    if (k > 64)
        idx = flint_malloc(sizeof(int) * (size_t) k);
    for (v = 0, k = 0; v < s->nvars; v++)
        for (e = 0; e < exps[v]; e++)
            idx[k++] = v;
    r = fy_mindex_offset(s->ix, k) + fy_mindex_rank(s->ix, idx, k);
    if (idx != stack)
        flint_free(idx);
    return r;
}

void fy_mseries_monomial(int *exps, const fy_mseries_t s, slong i)
{
    int stack[64] = {0}, *idx = stack, v, k;
    for (v = 0; v < s->nvars; v++)
        exps[v] = 0;
    for (k = 0; k < s->deg && fy_mindex_offset(s->ix, k + 1) <= i; k++)
        ;
    if (k > 64)
        idx = flint_malloc(sizeof(int) * (size_t) k);
    fy_mindex_unrank(s->ix, idx, i - fy_mindex_offset(s->ix, k), k);
    for (v = 0; v < k; v++)
        exps[idx[v]]++;
    if (idx != stack)
        flint_free(idx);
}

static int bad_monomial(const fy_mseries_t s, fy_error_t err)
{
    return fy_error_set(err, FY_EINPUT, "monomial outside a series in %d variables truncated "
                        "at degree %d", s->nvars, s->deg);
}

int fy_mseries_set_fmpq(fy_mseries_t s, const int *exps, const fmpq_t v, fy_error_t err)
{
    slong r = fy_mseries_index(s, exps);
    return r < 0 ? bad_monomial(s, err) : fy_numvec_set_fmpq(&s->c, r, v, err);
}

int fy_mseries_set_si(fy_mseries_t s, const int *exps, slong v, fy_error_t err)
{
    slong r = fy_mseries_index(s, exps);
    return r < 0 ? bad_monomial(s, err) : fy_numvec_set_si(&s->c, r, v, err);
}

/* A fresh zero series shaped like x, into t (cleared by the caller). */
static int mseries_like(fy_mseries_t t, const fy_mseries_t x, fy_error_t err)
{
    return fy_mseries_init(t, x->c.arith, x->nvars, x->deg, x->c.prec, err);
}

int fy_mseries_convert(fy_mseries_t z, fy_arith_t arith, slong prec, const fy_mseries_t x,
                       fy_error_t err)
{
    fy_mseries_t t;
    int rc;
    if (z == x)
        return fy_numvec_convert(&z->c, arith, prec, &x->c, err);
    rc = fy_mseries_init(t, arith, x->nvars, x->deg, prec, err);
    if (rc == FY_OK)
        rc = fy_numvec_convert(&t->c, arith, prec, &x->c, err);
    if (rc == FY_OK)
        fy_mseries_swap(z, t);
    fy_mseries_clear(t);
    return rc;
}

static int same_shape(const fy_mseries_t x, const fy_mseries_t y, fy_error_t err)
{
    if (x->nvars != y->nvars || x->deg != y->deg || x->c.arith != y->c.arith)
        return fy_error_set(err, FY_EINPUT, "series differ: %s in %d variables to degree %d and "
                            "%s in %d variables to degree %d", fy_arith_name(x->c.arith),
                            x->nvars, x->deg, fy_arith_name(y->c.arith), y->nvars, y->deg);
    return FY_OK;
}

/* Entrywise operations work in place on z's vector once z has x's shape. */
static int remake_like(fy_mseries_t z, const fy_mseries_t x, fy_error_t err)
{
    if (z->nvars == x->nvars && z->deg == x->deg && z->c.arith == x->c.arith && z->c.v != NULL)
    {
        z->c.prec = x->c.prec;
        return FY_OK;
    }
    fy_mseries_clear(z);
    return mseries_like(z, x, err);
}

int fy_mseries_add(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err)
{
    int rc = same_shape(x, y, err);
    if (rc == FY_OK && z != x && z != y)
        rc = remake_like(z, x, err);
    return rc != FY_OK ? rc : fy_numvec_add(&z->c, &x->c, &y->c, err);
}

int fy_mseries_sub(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err)
{
    int rc = same_shape(x, y, err);
    if (rc == FY_OK && z != x && z != y)
        rc = remake_like(z, x, err);
    return rc != FY_OK ? rc : fy_numvec_sub(&z->c, &x->c, &y->c, err);
}

int fy_mseries_scale_fmpq(fy_mseries_t z, const fy_mseries_t x, const fmpq_t c, fy_error_t err)
{
    int rc = z != x ? remake_like(z, x, err) : FY_OK;
    return rc != FY_OK ? rc : fy_numvec_scale_fmpq(&z->c, &x->c, c, err);
}

/* The kernels index blocks through ix, or directly when univariate. */
static const fy_mindex_struct *kernel_ix(const fy_mseries_t x)
{
    return x->nvars == 1 ? NULL : x->ix;
}

#define DISPATCH(rc, arith, CALL)                                                             \
    switch (arith)                                                                            \
    {                                                                                         \
    case FY_ARITH_DOUBLE: rc = CALL(d); break;                                                \
    case FY_ARITH_BALL: rc = CALL(arb); break;                                                \
    case FY_ARITH_EXACT: rc = CALL(fmpq); break;                                              \
    }

static int finish(fy_mseries_t z, fy_mseries_t t, int rc, const char *what, const char *zero,
                  fy_error_t err)
{
    if (rc == FY_OK)
        fy_mseries_swap(z, t); /* z may be an input: replaced only now */
    else if (rc == FY_EUNSUPPORTED)
        fy_error_set(err, rc, "%s of a series with a nonzero constant term is irrational in "
                     "exact arithmetic; use ball or double", what);
    else if (rc == FY_EINPUT)
        fy_error_set(err, rc, "%s: %s is exactly zero", what, zero);
    fy_mseries_clear(t);
    return rc;
}

#define MUL_CALL(S) (_fy_mseries_mul_##S(t->c.v, x->c.v, y->c.v, kernel_ix(x), x->deg, prec), 0)
int fy_mseries_mul(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err)
{
    fy_mseries_t t;
    slong prec = x->c.prec;
    int rc = same_shape(x, y, err);
    if (rc != FY_OK || (rc = mseries_like(t, x, err)) != FY_OK)
        return rc;
    DISPATCH(rc, x->c.arith, MUL_CALL)
    return finish(z, t, rc, "product", "", err);
}

#define DIV_CALL(S) _fy_mseries_div_##S(t->c.v, x->c.v, y->c.v, kernel_ix(x), x->deg, prec)
int fy_mseries_div(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err)
{
    fy_mseries_t t;
    slong prec = x->c.prec;
    int rc = same_shape(x, y, err);
    if (rc != FY_OK || (rc = mseries_like(t, x, err)) != FY_OK)
        return rc;
    DISPATCH(rc, x->c.arith, DIV_CALL)
    return finish(z, t, rc, "division by a series", "its constant term", err);
}

int fy_mseries_inv(fy_mseries_t z, const fy_mseries_t x, fy_error_t err)
{
    fy_mseries_t one;
    int rc = mseries_like(one, x, err);
    if (rc == FY_OK)
        rc = fy_numvec_set_si(&one->c, 0, 1, err);
    if (rc == FY_OK)
        rc = fy_mseries_div(z, one, x, err);
    fy_mseries_clear(one);
    return rc;
}

#define UNARY(NAME, WHAT, ZERO)                                                                   \
    int fy_mseries_##NAME(fy_mseries_t z, const fy_mseries_t x, fy_error_t err)              \
    {                                                                                         \
        fy_mseries_t t;                                                                       \
        slong prec = x->c.prec;                                                               \
        int rc = mseries_like(t, x, err);                                                     \
        if (rc != FY_OK)                                                                      \
            return rc;                                                                        \
        DISPATCH(rc, x->c.arith, NAME##_CALL)                                                 \
        return finish(z, t, rc, WHAT, ZERO, err);                                             \
    }
#define exp_CALL(S) _fy_mseries_exp_##S(t->c.v, x->c.v, kernel_ix(x), x->deg, prec)
#define log1p_CALL(S) _fy_mseries_log1p_##S(t->c.v, x->c.v, kernel_ix(x), x->deg, prec)
#define tanh_CALL(S) _fy_mseries_tanh_##S(t->c.v, x->c.v, kernel_ix(x), x->deg, prec)
UNARY(exp, "exp", "")
UNARY(log1p, "log1p", "1 + the constant term")
UNARY(tanh, "tanh", "")

#define SINCOS_CALL(S) _fy_mseries_sin_cos_##S(ts->c.v, tc->c.v, x->c.v, kernel_ix(x), x->deg, prec)
int fy_mseries_sin_cos(fy_mseries_t s, fy_mseries_t c, const fy_mseries_t x, fy_error_t err)
{
    fy_mseries_t ts, tc;
    slong prec = x->c.prec;
    int rc = mseries_like(ts, x, err);
    if (rc != FY_OK)
        return rc;
    if ((rc = mseries_like(tc, x, err)) != FY_OK)
    {
        fy_mseries_clear(ts);
        return rc;
    }
    DISPATCH(rc, x->c.arith, SINCOS_CALL)
    if (rc == FY_OK)
        fy_mseries_swap(c, tc);
    fy_mseries_clear(tc);
    return finish(s, ts, rc, "sin and cos", "", err);
}
