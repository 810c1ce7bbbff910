/* Number vectors in one of the three arithmetics; conversions and comparisons across them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/num.h"

/* Guard bits for comparisons done in ball arithmetic. */
#define CMP_PREC 256

static size_t el_size(fy_arith_t a)
{
    switch (a)
    {
    case FY_ARITH_DOUBLE: return sizeof(double);
    case FY_ARITH_BALL: return sizeof(arb_struct);
    case FY_ARITH_EXACT: return sizeof(fmpq);
    }
    return 0;
}

size_t fy_numvec_bytes(fy_arith_t arith, slong len)
{
    size_t s = el_size(arith);
    if (len < 0 || s == 0 || (size_t) len > SIZE_MAX / s)
        return SIZE_MAX;
    return (size_t) len * s;
}

void fy_numvec_init_empty(fy_numvec_t v)
{
    v->arith = FY_ARITH_DOUBLE;
    v->len = 0;
    v->prec = 53;
    v->v = NULL;
}

/* Sets the len entries of v (allocated, in v's arithmetic) to zero. */
static void numvec_zero(fy_numvec_t v)
{
    slong i;
    switch (v->arith)
    {
    case FY_ARITH_DOUBLE:
        for (i = 0; i < v->len; i++)
            ((double *) v->v)[i] = 0.0;
        break;
    case FY_ARITH_BALL:
        for (i = 0; i < v->len; i++)
            arb_zero((arb_ptr) v->v + i);
        break;
    case FY_ARITH_EXACT:
        for (i = 0; i < v->len; i++)
            fmpq_zero((fmpq *) v->v + i);
        break;
    }
}

int fy_numvec_set_shape(fy_numvec_t v, fy_arith_t arith, slong len, slong prec, fy_error_t err)
{
    size_t bytes = fy_numvec_bytes(arith, len);
    slong i;

    if (v->v != NULL && v->arith == arith && v->len == len)
    {
        /* the same shape: the storage is reused */
        v->prec = prec;
        numvec_zero(v);
        return FY_OK;
    }
    fy_numvec_clear(v);
    v->arith = arith;
    v->prec = prec;
    if (el_size(arith) == 0)
    {
        v->arith = FY_ARITH_DOUBLE;
        return fy_error_set(err, FY_EINPUT, "unknown arithmetic %d", (int) arith);
    }
    if (len < 0)
        return fy_error_set(err, FY_EINPUT, "negative vector length %ld", (long) len);
    if (bytes == SIZE_MAX || bytes > FY_NUMVEC_MAX_BYTES)
        return fy_error_set(err, FY_ENOMEM, "%ld %s numbers would take at least %.3g GiB "
                            "(the limit is %.3g GiB); use a smaller order or dimension, or "
                            FY_MEMORY_LIMIT_HINT,
                            (long) len, fy_arith_name(arith),
                            (double) len * (double) el_size(arith) / 1073741824.0,
                            (double) FY_NUMVEC_MAX_BYTES / 1073741824.0);
    v->v = malloc(bytes ? bytes : 1);
    if (v->v == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory allocating %zu bytes", bytes);
    switch (arith)
    {
    case FY_ARITH_DOUBLE:
        for (i = 0; i < len; i++)
            ((double *) v->v)[i] = 0.0;
        break;
    case FY_ARITH_BALL:
        for (i = 0; i < len; i++)
            arb_init((arb_ptr) v->v + i);
        break;
    case FY_ARITH_EXACT:
        for (i = 0; i < len; i++)
            fmpq_init((fmpq *) v->v + i);
        break;
    }
    v->len = len;
    return FY_OK;
}

int fy_numvec_init(fy_numvec_t v, fy_arith_t arith, slong len, slong prec, fy_error_t err)
{
    fy_numvec_init_empty(v);
    return fy_numvec_set_shape(v, arith, len, prec, err);
}

void fy_numvec_clear(fy_numvec_t v)
{
    slong i;
    if (v->v != NULL)
    {
        if (v->arith == FY_ARITH_BALL)
            for (i = 0; i < v->len; i++)
                arb_clear((arb_ptr) v->v + i);
        else if (v->arith == FY_ARITH_EXACT)
            for (i = 0; i < v->len; i++)
                fmpq_clear((fmpq *) v->v + i);
        free(v->v);
    }
    v->v = NULL;
    v->len = 0;
}

void fy_numvec_swap(fy_numvec_t a, fy_numvec_t b)
{
    fy_numvec_struct t = *a;
    *a = *b;
    *b = t;
}

/* Entry i of x into entry j of z (z in its own arithmetic). */
static int convert_entry(fy_numvec_t z, slong j, const fy_numvec_t x, slong i, fy_error_t err)
{
    int rc = FY_OK;
    switch (z->arith)
    {
    case FY_ARITH_DOUBLE:
    {
        double *d = (double *) z->v + j;
        if (x->arith == FY_ARITH_DOUBLE)
            *d = ((double *) x->v)[i];
        else if (x->arith == FY_ARITH_BALL)
            *d = arf_get_d(arb_midref((arb_ptr) x->v + i), ARF_RND_NEAR);
        else
            *d = fy_fmpq_get_d((fmpq *) x->v + i);
        break;
    }
    case FY_ARITH_BALL:
    {
        arb_ptr b = (arb_ptr) z->v + j;
        if (x->arith == FY_ARITH_DOUBLE)
            rc = fy_arb_set_d_exact(b, ((double *) x->v)[i], err);
        else if (x->arith == FY_ARITH_BALL)
            arb_set_round(b, (arb_ptr) x->v + i, z->prec);
        else
            arb_set_fmpq(b, (fmpq *) x->v + i, z->prec);
        break;
    }
    case FY_ARITH_EXACT:
    {
        fmpq *q = (fmpq *) z->v + j;
        if (x->arith == FY_ARITH_DOUBLE)
            rc = fy_fmpq_set_d(q, ((double *) x->v)[i], err);
        else if (x->arith == FY_ARITH_BALL)
        {
            arb_srcptr b = (arb_srcptr) x->v + i;
            if (!mag_is_zero(arb_radref(b)) || !arf_is_finite(arb_midref(b)))
                rc = fy_error_set(err, FY_EUNSUPPORTED, "entry %ld is a ball of nonzero radius "
                                  "(or not finite): it has no exact value; use ball or double",
                                  (long) i);
            else if (arf_cmpabs_2exp_si(arb_midref(b), 1000000) > 0 ||
                     (!arf_is_zero(arb_midref(b)) &&
                      arf_cmpabs_2exp_si(arb_midref(b), -1000000) < 0))
                rc = fy_error_set(err, FY_EUNSUPPORTED, "entry %ld has an exponent beyond "
                                  "2^+-1000000; refusing to build the rational", (long) i);
            else
                arf_get_fmpq(q, arb_midref(b));
        }
        else
            fmpq_set(q, (fmpq *) x->v + i);
        break;
    }
    }
    if (rc != FY_OK)
        fy_error_prefix(err, "entry %ld: ", (long) i);
    return rc;
}

int fy_numvec_convert(fy_numvec_t z, fy_arith_t arith, slong prec, const fy_numvec_t x,
                      fy_error_t err)
{
    fy_numvec_t t;
    slong i;
    int rc = fy_numvec_init(t, arith, x->len, prec, err);
    for (i = 0; rc == FY_OK && i < x->len; i++)
        rc = convert_entry(t, i, x, i, err);
    if (rc != FY_OK)
    {
        fy_numvec_clear(t);
        return rc;
    }
    fy_numvec_swap(z, t); /* z may be x: the old storage goes away only now */
    fy_numvec_clear(t);
    return FY_OK;
}

int fy_numvec_set(fy_numvec_t z, const fy_numvec_t x, fy_error_t err)
{
    if (z == x)
        return FY_OK;
    return fy_numvec_convert(z, x->arith, x->prec, x, err);
}

static int check_index(const fy_numvec_t v, slong i, fy_error_t err)
{
    if (i < 0 || i >= v->len)
        return fy_error_set(err, FY_EINPUT, "index %ld out of range for a vector of length %ld",
                            (long) i, (long) v->len);
    return FY_OK;
}

int fy_numvec_set_si(fy_numvec_t v, slong i, slong c, fy_error_t err)
{
    int rc = check_index(v, i, err);
    if (rc != FY_OK)
        return rc;
    if (v->arith == FY_ARITH_DOUBLE)
        ((double *) v->v)[i] = (double) c;
    else if (v->arith == FY_ARITH_BALL)
        arb_set_si((arb_ptr) v->v + i, c); /* exact: an slong fits an arf */
    else
        fmpq_set_si((fmpq *) v->v + i, c, 1);
    return FY_OK;
}

int fy_numvec_set_fmpq(fy_numvec_t v, slong i, const fmpq_t q, fy_error_t err)
{
    int rc = check_index(v, i, err);
    if (rc != FY_OK)
        return rc;
    if (v->arith == FY_ARITH_DOUBLE)
        ((double *) v->v)[i] = fy_fmpq_get_d(q);
    else if (v->arith == FY_ARITH_BALL)
        arb_set_fmpq((arb_ptr) v->v + i, q, v->prec);
    else
        fmpq_set((fmpq *) v->v + i, q);
    return FY_OK;
}

void fy_numvec_get_arb(arb_t z, const fy_numvec_t v, slong i, slong prec)
{
    if (v->arith == FY_ARITH_DOUBLE)
        arb_set_d(z, ((double *) v->v)[i]);
    else if (v->arith == FY_ARITH_BALL)
        arb_set(z, (arb_ptr) v->v + i);
    else
        arb_set_fmpq(z, (fmpq *) v->v + i, prec);
}

char *fy_numvec_get_str(const fy_numvec_t v, slong i, slong digits)
{
    if (i < 0 || i >= v->len)
        return NULL;
    if (v->arith == FY_ARITH_EXACT)
        return fy_fmpq_get_str((fmpq *) v->v + i);
    if (v->arith == FY_ARITH_BALL)
        return fy_arb_get_str_certified((arb_ptr) v->v + i, digits);
    {
        char buf[64], *s;
        snprintf(buf, sizeof buf, "%.17g", ((double *) v->v)[i]);
        s = malloc(strlen(buf) + 1);
        if (s != NULL)
            strcpy(s, buf);
        return s;
    }
}

double fy_numvec_max_abs_diff(const fy_numvec_t x, const fy_numvec_t y)
{
    slong i;
    double best = 0.0;

    if (x->len != y->len)
        return NAN;
    if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
    {
        fmpq_t d, m;
        fmpq_init(d);
        fmpq_init(m);
        for (i = 0; i < x->len; i++)
        {
            fmpq_sub(d, (fmpq *) x->v + i, (fmpq *) y->v + i);
            fmpq_abs(d, d);
            if (fmpq_cmp(d, m) > 0)
                fmpq_set(m, d);
        }
        best = fy_fmpq_get_d(m);
        fmpq_clear(d);
        fmpq_clear(m);
        return best;
    }
    {
        arb_t a, b;
        arf_t u, m;
        arb_init(a);
        arb_init(b);
        arf_init(u);
        arf_init(m);
        for (i = 0; i < x->len; i++)
        {
            fy_numvec_get_arb(a, x, i, CMP_PREC);
            fy_numvec_get_arb(b, y, i, CMP_PREC);
            arb_sub(a, a, b, CMP_PREC);
            arb_get_abs_ubound_arf(u, a, CMP_PREC);
            if (arf_is_nan(u))
            {
                arf_nan(m);
                break;
            }
            if (arf_cmp(u, m) > 0)
                arf_set(m, u);
        }
        best = arf_is_nan(m) ? NAN : arf_get_d(m, ARF_RND_UP);
        arb_clear(a);
        arb_clear(b);
        arf_clear(u);
        arf_clear(m);
    }
    return best;
}

double fy_numvec_rel_frobenius(const fy_numvec_t x, const fy_numvec_t y, const fmpz *w)
{
    slong i;
    double r;
    arb_t a, b, num, den;

    if (x->len != y->len)
        return NAN;
    arb_init(a);
    arb_init(b);
    arb_init(num);
    arb_init(den);
    if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
    {
        /* Exactly, so that equal tensors give exactly 0. */
        fmpq_t d, sn, sd;
        fmpq_init(d);
        fmpq_init(sn);
        fmpq_init(sd);
        for (i = 0; i < x->len; i++)
        {
            const fmpq *yi = (fmpq *) y->v + i;
            fmpq_sub(d, (fmpq *) x->v + i, yi);
            fmpq_mul(d, d, d);
            if (w != NULL)
                fmpq_mul_fmpz(d, d, w + i);
            fmpq_add(sn, sn, d);
            fmpq_mul(d, yi, yi);
            if (w != NULL)
                fmpq_mul_fmpz(d, d, w + i);
            fmpq_add(sd, sd, d);
        }
        if (!fmpq_is_zero(sd))
            fmpq_div(sn, sn, sd);
        arb_set_fmpq(num, sn, CMP_PREC);
        arb_one(den);
        fmpq_clear(d);
        fmpq_clear(sn);
        fmpq_clear(sd);
    }
    else
    {
        for (i = 0; i < x->len; i++)
        {
            fy_numvec_get_arb(a, x, i, CMP_PREC);
            fy_numvec_get_arb(b, y, i, CMP_PREC);
            arb_sub(a, a, b, CMP_PREC);
            arb_sqr(a, a, CMP_PREC);
            arb_sqr(b, b, CMP_PREC);
            if (w != NULL)
            {
                arb_mul_fmpz(a, a, w + i, CMP_PREC);
                arb_mul_fmpz(b, b, w + i, CMP_PREC);
            }
            arb_add(num, num, a, CMP_PREC);
            arb_add(den, den, b, CMP_PREC);
        }
    }
    if (!arb_is_zero(den))
        arb_div(num, num, den, CMP_PREC);
    arb_sqrtpos(num, num, CMP_PREC);
    r = arf_get_d(arb_midref(num), ARF_RND_NEAR);
    if (arf_is_nan(arb_midref(num)))
        r = NAN;
    arb_clear(a);
    arb_clear(b);
    arb_clear(num);
    arb_clear(den);
    return r;
}

int fy_numvec_contains(const fy_numvec_t ball, const fy_numvec_t exact)
{
    slong i;
    if (ball->arith != FY_ARITH_BALL || exact->arith != FY_ARITH_EXACT || ball->len != exact->len)
        return 0;
    for (i = 0; i < ball->len; i++)
        if (!arb_contains_fmpq((arb_ptr) ball->v + i, (fmpq *) exact->v + i))
            return 0;
    return 1;
}

int fy_arb_contains_fmpq(const arb_t x, const fmpq_t q)
{
    return arb_contains_fmpq(x, q);
}

int fy_d_near_arb(double d, const arb_t x, double rtol, double atol)
{
    arf_t u;
    double mid, rad, diff;

    if (isnan(d) || !arb_is_finite(x))
        return 0;
    arf_init(u);
    arf_set_d(u, d);
    arf_sub(u, u, arb_midref(x), ARF_PREC_EXACT, ARF_RND_DOWN); /* exact */
    diff = arf_get_d(u, ARF_RND_UP);
    arf_clear(u);
    mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    rad = mag_get_d(arb_radref(x)); /* rounds up */
    return fabs(diff) <= atol + rtol * fabs(mid) + rad;
}

/* Makes z ready to receive an entrywise result shaped like x (unless it is one of the inputs). */
static int prepare_out(fy_numvec_t z, const fy_numvec_t x, const fy_numvec_t y, fy_error_t err)
{
    if (y != NULL && (x->arith != y->arith || x->len != y->len))
        return fy_error_set(err, FY_EINPUT, "vectors differ: %s of length %ld and %s of length "
                            "%ld; convert to one arithmetic first", fy_arith_name(x->arith),
                            (long) x->len, fy_arith_name(y->arith), (long) y->len);
    if (z == x || z == y)
        return FY_OK;
    if (z->arith == x->arith && z->len == x->len)
    {
        z->prec = x->prec;
        return FY_OK;
    }
    fy_numvec_clear(z);
    return fy_numvec_init(z, x->arith, x->len, x->prec, err);
}

#define NUMVEC_DISPATCH(z, x, CALL_D, CALL_ARB, CALL_FMPQ)                                    \
    switch ((x)->arith)                                                                       \
    {                                                                                         \
    case FY_ARITH_DOUBLE: CALL_D; break;                                                      \
    case FY_ARITH_BALL: CALL_ARB; break;                                                      \
    case FY_ARITH_EXACT: CALL_FMPQ; break;                                                    \
    }

int fy_numvec_add(fy_numvec_t z, const fy_numvec_t x, const fy_numvec_t y, fy_error_t err)
{
    slong prec = x->prec;
    int rc = prepare_out(z, x, y, err);
    if (rc != FY_OK)
        return rc;
    NUMVEC_DISPATCH(z, x, _fy_vec_add_d(z->v, x->v, y->v, x->len, prec),
                    _fy_vec_add_arb(z->v, x->v, y->v, x->len, prec),
                    _fy_vec_add_fmpq(z->v, x->v, y->v, x->len, prec))
    return FY_OK;
}

int fy_numvec_sub(fy_numvec_t z, const fy_numvec_t x, const fy_numvec_t y, fy_error_t err)
{
    slong prec = x->prec;
    int rc = prepare_out(z, x, y, err);
    if (rc != FY_OK)
        return rc;
    NUMVEC_DISPATCH(z, x, _fy_vec_sub_d(z->v, x->v, y->v, x->len, prec),
                    _fy_vec_sub_arb(z->v, x->v, y->v, x->len, prec),
                    _fy_vec_sub_fmpq(z->v, x->v, y->v, x->len, prec))
    return FY_OK;
}

int fy_numvec_neg(fy_numvec_t z, const fy_numvec_t x, fy_error_t err)
{
    slong prec = x->prec;
    int rc = prepare_out(z, x, NULL, err);
    if (rc != FY_OK)
        return rc;
    NUMVEC_DISPATCH(z, x, _fy_vec_neg_d(z->v, x->v, x->len, prec),
                    _fy_vec_neg_arb(z->v, x->v, x->len, prec),
                    _fy_vec_neg_fmpq(z->v, x->v, x->len, prec))
    return FY_OK;
}

int fy_numvec_scale_fmpq(fy_numvec_t z, const fy_numvec_t x, const fmpq_t c, fy_error_t err)
{
    slong prec = x->prec;
    int rc = prepare_out(z, x, NULL, err);
    if (rc != FY_OK)
        return rc;
    NUMVEC_DISPATCH(z, x, _fy_vec_scale_fmpq_d(z->v, x->v, c, x->len, prec),
                    _fy_vec_scale_fmpq_arb(z->v, x->v, c, x->len, prec),
                    _fy_vec_scale_fmpq_fmpq(z->v, x->v, c, x->len, prec))
    return FY_OK;
}
