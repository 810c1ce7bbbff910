/* euclid_dual.c - the large-N duality of Cos-net and Gauss-net ([H], extra slides;
 * feynn/nnft.h, fy_nnft_duality): one Gaussian power spectrum at N = infinity, two different
 * exact connected 4-point functions at finite N, one translation invariant and one not. */
#include <stdlib.h>
#include <string.h>

#include "feynn/util.h"
#include "nnft/nnft_internal.h"

void fy_nnft_duality_init(fy_nnft_duality_t t)
{
    memset(t, 0, sizeof *t);
    arb_init(t->spread_cos);
    arb_init(t->spread_gauss);
}

void fy_nnft_duality_clear(fy_nnft_duality_t t)
{
    slong k;
    if (t->g2_cos != NULL)
        _arb_vec_clear(t->g2_cos, 4 * t->nshift);
    if (t->shift != NULL)
        for (k = 0; k < t->nshift * t->d; k++)
            fmpq_clear(t->shift + k);
    free(t->shift);
    arb_clear(t->spread_cos);
    arb_clear(t->spread_gauss);
    fy_nnft_duality_init(t);
}

/* z = the spec x with activation act, no biases, points x_0..x_3 of base translated by sh. */
static void shifted(fy_nnft_spec_t z, const fy_nnft_spec_t base, fy_nnft_act_t act,
                    const fmpq *sh)
{
    slong k, c;
    z->act = act;
    z->b_dist = FY_NNFT_B_GAUSS;
    z->F = FY_NNFT_F_ONE;
    fmpq_zero(z->sigma_b);
    for (k = 0; k < 4; k++)
        for (c = 0; c < base->d; c++)
            fmpq_add(z->points + k * base->d + c, base->points + k * base->d + c, sh + c);
}

/* spread = max - min over the balls v[0..n) */
static void spread(arb_t r, arb_srcptr v, slong n, slong prec)
{
    arb_t hi, lo;
    slong k;
    arb_init(hi);
    arb_init(lo);
    arb_set(hi, v);
    arb_set(lo, v);
    for (k = 1; k < n; k++)
    {
        arb_max(hi, hi, v + k, prec);
        arb_min(lo, lo, v + k, prec);
    }
    arb_sub(r, hi, lo, prec);
    arb_clear(hi);
    arb_clear(lo);
}

/* G2(x_0, x_1) / G2(x_0, x_0) and G4_c(x_0..x_3) / G2(x_0, x_0)^2 of z. */
static int one_row(arb_t g2, arb_t g4, const fy_nnft_spec_t z, slong prec, fy_error_t err)
{
    static const slong id4[4] = {0, 1, 2, 3};
    arb_t n;
    int rc;
    arb_init(n);
    if ((rc = fy_nnft_kernel(n, z, 0, 0, prec, err)) == FY_OK
        && (rc = fy_nnft_kernel(g2, z, 0, 1, prec, err)) == FY_OK
        && (rc = fy_nnft_connected(g4, z, id4, 4, prec, err)) == FY_OK)
    {
        arb_div(g2, g2, n, prec);
        arb_sqr(n, n, prec);
        arb_div(g4, g4, n, prec);
    }
    arb_clear(n);
    return rc;
}

int fy_nnft_duality(fy_nnft_duality_t t, const fy_nnft_spec_t s, const fmpq *shift,
                    slong nshift, slong prec, fy_error_t err)
{
    fy_nnft_spec_t zc, zg;
    slong k;
    int rc = FY_OK;
    fy_nnft_duality_clear(t);
    if (s->npoints < 4)
        return fy_error_set(err, FY_EINPUT, "the duality table needs a configuration of four "
                            "points x_0..x_3 (the spec has %ld): add 'point' lines",
                            (long) s->npoints);
    if (nshift < 1 || nshift > 10000)
        return fy_error_set(err, FY_EINPUT, "1..10000 translations, not %ld", (long) nshift);
    t->nshift = nshift;
    t->d = s->d;
    t->width = s->width;
    if ((t->shift = fy_malloc((size_t) (nshift * s->d), sizeof(fmpq), err)) == NULL)
    {
        t->nshift = 0;
        return FY_ENOMEM;
    }
    for (k = 0; k < nshift * s->d; k++)
    {
        fmpq_init(t->shift + k);
        fmpq_set(t->shift + k, shift + k);
    }
    t->g2_cos = _arb_vec_init(4 * nshift);
    t->g2_gauss = t->g2_cos + nshift;
    t->g4_cos = t->g2_gauss + nshift;
    t->g4_gauss = t->g4_cos + nshift;
    fy_nnft_spec_init(zc);
    fy_nnft_spec_init(zg);
    if ((rc = fy_nnft_spec_set(zc, s, err)) == FY_OK)
        rc = fy_nnft_spec_set(zg, s, err);
    for (k = 0; k < nshift && rc == FY_OK; k++)
    {
        shifted(zc, s, FY_NNFT_COS, shift + k * s->d);
        shifted(zg, s, FY_NNFT_GAUSS, shift + k * s->d);
        if ((rc = one_row(t->g2_cos + k, t->g4_cos + k, zc, prec, err)) == FY_OK)
            rc = one_row(t->g2_gauss + k, t->g4_gauss + k, zg, prec, err);
    }
    if (rc == FY_OK)
    {
        spread(t->spread_cos, t->g4_cos, nshift, prec);
        spread(t->spread_gauss, t->g4_gauss, nshift, prec);
    }
    fy_nnft_spec_clear(zc);
    fy_nnft_spec_clear(zg);
    if (rc != FY_OK)
        fy_nnft_duality_clear(t);
    return rc;
}
