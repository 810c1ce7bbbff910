/* The independent check of an INN action: the Taylor-mode jets of ln p (jet module). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_vec.h>

#include "feynn/jet.h"
#include "feynn/rng.h"
#include "inn/inn_internal.h"

/* k! * sign (A convention) or sign (Gamma convention): the factor from S->A[k] to d^k ln p. */
static void deriv_factor(fmpq_t f, const fy_inn_action_t S, int k)
{
    fmpq_one(f);
    if (!S->gamma)
        fmpz_fac_ui(fmpq_numref(f), (ulong) k);
    if (S->sign < 0)
        fmpq_neg(f, f);
}

/* Compares x (the action's values, in its arithmetic) with y (the jet's, same arithmetic and
 * length): updates the worst differences; returns 1 when they agree. */
static int compare(const fy_numvec_t x, const fy_numvec_t y, double rtol, double *worst_abs,
                   double *worst_rel)
{
    slong i;
    int ok = 1;
    double scale = 0.0, diff = fy_numvec_max_abs_diff(x, y);
    arb_t a, b;
    arb_init(a);
    arb_init(b);
    for (i = 0; i < y->len; i++)
    {
        fy_numvec_get_arb(b, y, i, 128);
        scale = fmax(scale, fabs(arf_get_d(arb_midref(b), ARF_RND_NEAR)));
    }
    if (x->arith == FY_ARITH_EXACT)
        ok = diff == 0.0;
    else if (x->arith == FY_ARITH_BALL)
        for (i = 0; i < x->len && ok; i++)
        {
            fy_numvec_get_arb(a, x, i, x->prec);
            fy_numvec_get_arb(b, y, i, y->prec);
            ok = arb_overlaps(a, b);
        }
    else
        ok = diff <= rtol * (scale > 0 ? scale : 1.0) || diff == 0.0;
    if (diff > *worst_abs)
        *worst_abs = diff;
    if (scale > 0 && diff / scale > *worst_rel)
        *worst_rel = diff / scale;
    else if (scale == 0 && diff > *worst_rel)
        *worst_rel = diff;
    arb_clear(a);
    arb_clear(b);
    return ok;
}

/* A rational direction (entries in {-3..3}/4, not all zero) from the one generator: entry i of
 * direction j is floor(7 u) - 3 for the uniform u at (seed, FY_RNG_PURPOSE_INN_CHECK, stream j,
 * index i). */
static void direction(fmpq *v, int d, uint64_t seed, int j)
{
    fy_rng_t r;
    int i, any = 0;
    fy_rng_init(r, seed, FY_RNG_PURPOSE_INN_CHECK);
    for (i = 0; i < d; i++)
    {
        double u = fy_rng_uniform(r, (uint64_t) j, (uint64_t) i);
        fmpq_set_si(v + i, (slong) (7.0 * u) - 3, 4);
        any |= !fmpq_is_zero(v + i);
    }
    if (!any)
        fmpq_one(v + (j % d));
}

/* Along direction j: c_k of the jets against the action contracted with v^k, k = 0..kmax
 * (order 0: the rational part in exact arithmetic, the whole value otherwise). */
static int check_dir(fy_inn_check_t C, int *ok, double *wabs, double *wrel,
                     const fy_inn_action_t S, const fy_inn_t net, fy_numvec_t c, fy_numvec_t v,
                     fy_numvec_t a, fy_symtensor_t D, const arb_t cst, uint64_t seed, int j,
                     int kmax, double rtol, fy_error_t err)
{
    int d = S->d, k, status = FY_OK;
    fmpq *vq = _fmpq_vec_init(d);
    fmpq_t f;

    fmpq_init(f);
    direction(vq, d, seed, j);
    for (k = 0; k < d && !status; k++)
        status = fy_numvec_set_fmpq(v, k, vq + k, err);
    if (!status && S->arith == FY_ARITH_EXACT)
        status = fy_jet_inn_dir_fmpq(fy_numvec_fmpq(c), net, S->x0, vq, kmax, err);
    else if (!status && S->arith == FY_ARITH_BALL)
    {
        arb_ptr x0 = _arb_vec_init(d);
        for (k = 0; k < d; k++)
            arb_set_fmpq(x0 + k, S->x0 + k, S->prec);
        status = fy_jet_inn_dir_arb(fy_numvec_arb(c), net, x0, fy_numvec_arb(v), kmax, S->prec,
                                    err);
        _arb_vec_clear(x0, d);
    }
    else if (!status)
    {
        double *x0 = flint_malloc(sizeof(double) * (size_t) d);
        for (k = 0; k < d; k++)
            x0[k] = fy_fmpq_get_d(S->x0 + k);
        status = fy_jet_inn_dir_d(fy_numvec_d(c), net, x0, fy_numvec_d(v), kmax, err);
        flint_free(x0);
    }
    for (k = 0; k <= kmax && !status; k++)
    {
        /* the coefficient of t^k of S: A^(k)[v^k], or Gamma^(k)[v^k] / k! */
        status = fy_symtensor_contract(D, S->A + k, v, 0, err);
        fmpq_one(f);
        if (S->gamma)
            fmpz_fac_ui(fmpq_denref(f), (ulong) k);
        if (S->sign < 0)
            fmpq_neg(f, f);
        if (!status)
            status = fy_numvec_scale_fmpq(&D->e, &D->e, f, err);
        if (!status && k == 0 && S->arith == FY_ARITH_BALL)
        {
            /* cst carries the sign of S; ln p needs the unsigned constant */
            if (S->sign < 0)
                arb_sub(fy_numvec_arb(&D->e), fy_numvec_arb(&D->e), cst, S->prec);
            else
                arb_add(fy_numvec_arb(&D->e), fy_numvec_arb(&D->e), cst, S->prec);
        }
        else if (!status && k == 0 && S->arith == FY_ARITH_DOUBLE)
            fy_numvec_d(&D->e)[0] += arf_get_d(arb_midref(cst), ARF_RND_NEAR) * S->sign;
        if (status)
            break;
        if (S->arith == FY_ARITH_EXACT)
            fmpq_set(fy_numvec_fmpq(a), fy_numvec_fmpq(c) + k);
        else if (S->arith == FY_ARITH_BALL)
            arb_set(fy_numvec_arb(a), fy_numvec_arb(c) + k);
        else
            fy_numvec_d(a)[0] = fy_numvec_d(c)[k];
        if (!compare(&D->e, a, rtol, wabs, wrel) && *ok)
        {
            *ok = 0;
            fy_error_set(err, FY_ECHECK,
                         "order %d along direction %d: the diagram route and the Taylor-mode "
                         "route differ by %.3g",
                         k, j, fy_numvec_max_abs_diff(&D->e, a));
        }
    }
    fmpq_clear(f);
    _fmpq_vec_clear(vq, d);
    return status;
}

int fy_inn_action_check(fy_inn_check_t C, const fy_inn_action_t S, const fy_inn_t net,
                        slong max_dirs, int ndirs, double rtol, uint64_t seed, fy_error_t err)
{
    int d = S->d, K = S->K, k, j, status = FY_OK, ok = 1;
    slong count = 0;
    double wabs = 0.0, wrel = 0.0;
    fmpq_t f;
    fy_symtensor_t T, D, E;
    fy_numvec_t c, v, a;
    arb_t cst;

    memset(C, 0, sizeof(*C));
    C->contained = -1;
    if (d != net->d)
        return fy_error_set(err, FY_EINPUT, "action of dimension %d, network of %d", d, net->d);
    if (max_dirs <= 0)
        max_dirs = 20000;
    if (ndirs <= 0)
        ndirs = 8;
    if (rtol <= 0)
        rtol = 1e-9;
    if (K >= 1 && fy_multiindex_count(&count, d, K, NULL) == FY_OK && count <= max_dirs)
        C->full_tensors = 1;
    fmpq_init(f);
    arb_init(cst);
    fy_symtensor_init_empty(T);
    fy_symtensor_init_empty(D);
    fy_symtensor_init_empty(E);
    fy_numvec_init_empty(c);
    fy_numvec_init_empty(v);
    fy_numvec_init_empty(a);
    status = fy_numvec_set_shape(c, S->arith, K + 1, S->prec, err);
    if (!status)
        status = fy_numvec_set_shape(v, S->arith, d, S->prec, err);
    if (!status)
        status = fy_numvec_set_shape(a, S->arith, 1, S->prec, err);
    fy_inn_action_constant_arb(cst, S, S->prec > 0 ? S->prec : 128);

    if (C->full_tensors)
    {
        int contained = S->arith == FY_ARITH_BALL;
        for (k = 1; k <= K && !status; k++)
        {
            status = fy_jet_inn_tensor(T, S->arith, S->prec, net, S->x0, k, err);
            deriv_factor(f, S, k);
            if (!status)
                status = fy_symtensor_scale_fmpq(D, S->A + k, f, err);
            if (!status && !compare(&D->e, &T->e, rtol, &wabs, &wrel) && ok)
            {
                ok = 0;
                fy_error_set(err, FY_ECHECK, "order %d: the diagram route and the Taylor-mode "
                             "route differ by %.3g", k, fy_symtensor_max_abs_diff(D, T));
            }
            if (!status && contained)
            {
                status = fy_jet_inn_tensor(E, FY_ARITH_EXACT, 0, net, S->x0, k, err);
                if (!status)
                    contained = fy_symtensor_contains(D, E);
            }
        }
        if (S->arith == FY_ARITH_BALL && !status)
            C->contained = contained;
        C->orders_checked = K;
    }
    if (!status)
    {
        /* directions: every order when the tensors are too large, else order 0 alone */
        int kmax = C->full_tensors ? 0 : K, nd = C->full_tensors ? 1 : ndirs;
        if (!C->full_tensors)
            C->ndirections = ndirs;
        for (j = 0; j < nd && !status; j++)
            status = check_dir(C, &ok, &wabs, &wrel, S, net, c, v, a, D, cst, seed, j, kmax,
                               rtol, err);
        C->orders_checked = K;
    }
    fy_numvec_clear(c);
    fy_numvec_clear(v);
    fy_numvec_clear(a);
    fy_symtensor_clear(T);
    fy_symtensor_clear(D);
    fy_symtensor_clear(E);
    arb_clear(cst);
    fmpq_clear(f);
    C->agrees = ok && !status;
    C->max_abs_diff = wabs;
    C->max_rel_diff = wrel;
    if (status)
        return status;
    return ok ? FY_OK : FY_ECHECK;
}
