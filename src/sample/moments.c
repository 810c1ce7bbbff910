/* moments.c - rigorous moments <phi^k> of a one-site theory: Arb's acb_calc_integrate of
 * x^k exp(-E(x)) over [-R, R] plus a proven bound on the tails (sample.h). */
#include "num/arb_all.h"
#include <math.h>
#include <stdlib.h>

#include "feynn/sample.h"

typedef struct
{
    arb_ptr c; /* coefficients of E, degree 0..D */
    int D, k;
} integrand_t;

/* z^k exp(-E(z)): entire, so no holomorphy check is needed for order 1. */
static int integrand(acb_ptr res, const acb_t z, void *param, slong order, slong prec)
{
    const integrand_t *q = param;
    acb_t e;
    int j;
    (void) order;
    acb_init(e);
    acb_zero(e);
    for (j = q->D; j >= 0; j--)
    {
        acb_mul(e, e, z, prec);
        arb_add(acb_realref(e), acb_realref(e), q->c + j, prec);
    }
    acb_neg(e, e);
    acb_exp(e, e, prec);
    acb_pow_ui(res, z, (ulong) q->k, prec);
    acb_mul(res, res, e, prec);
    acb_clear(e);
    return 0;
}

/* Checks that for |x| >= R: sum_{j<D} |c_j| |x|^j <= (c_D/2) |x|^D (so E >= a |x|^D with
 * a = c_D / 2), a R^D / 2 >= kmax ln R and a D R^D / 2 >= kmax (so |x|^k exp(-a|x|^D / 2) <= 1
 * for k <= kmax); then the two tails of x^k exp(-E) together are at most
 * 4 / (a R^(D-1)) exp(-a R^D / 2), written to tail.  Returns 0 when R is not proven large
 * enough. */
static int tail_bound(mag_t tail, const integrand_t *q, int kmax, slong R, slong prec)
{
    arb_t s, t, u, a, r;
    int j, ok;
    arb_init(s);
    arb_init(t);
    arb_init(u);
    arb_init(a);
    arb_init(r);
    arb_set_si(r, R);
    arb_mul_2exp_si(a, q->c + q->D, -1);
    /* sum_{j<D} |c_j| R^(j-D) <= a: the left side decreases in R */
    arb_zero(s);
    for (j = 0; j < q->D; j++)
    {
        arb_abs(t, q->c + j);
        arb_pow_ui(u, r, (ulong) (q->D - j), prec);
        arb_div(t, t, u, prec);
        arb_add(s, s, t, prec);
    }
    ok = arb_le(s, a);
    arb_pow_ui(u, r, (ulong) q->D, prec);
    arb_mul(u, u, a, prec);
    arb_mul_2exp_si(u, u, -1); /* a R^D / 2 */
    arb_log(t, r, prec);
    arb_mul_si(t, t, kmax, prec);
    ok = ok && arb_le(t, u);
    arb_mul_si(t, u, q->D, prec);
    arb_set_si(s, kmax);
    ok = ok && arb_le(s, t);
    if (ok)
    {
        arb_neg(t, u);
        arb_exp(t, t, prec);
        arb_pow_ui(s, r, (ulong) (q->D - 1), prec);
        arb_mul(s, s, a, prec);
        arb_div(t, t, s, prec);
        arb_mul_2exp_si(t, t, 2);
        arb_get_mag(tail, t);
    }
    arb_clear(s);
    arb_clear(t);
    arb_clear(u);
    arb_clear(a);
    arb_clear(r);
    return ok;
}

/* m[k] = int x^k exp(-E) for k = 0..kmax, divided by m[0] when normalise is 1. */
static int moments_1d(arb_ptr m, int kmax, const fy_ltheory_t T, slong prec, int normalise,
                      fy_error_t err)
{
    integrand_t q;
    slong i, R;
    int k, rc = FY_OK, D = T->max_degree;
    acb_t res, lo, hi;
    mag_t tol, tail;
    arb_t z;
    if (T->nsites != 1)
        return fy_error_set(err, FY_EUSAGE, "moments by quadrature need a one-site theory, "
                            "not %d sites", T->nsites);
    if (kmax < 0 || kmax > 64 || prec < 16)
        return fy_error_set(err, FY_EUSAGE, "moments: order 0..64 and at least 16 bits");
    q.D = D;
    q.c = _arb_vec_init(D + 1);
    for (i = 0; i < T->nmono; i++)
        arb_set_fmpq(q.c + T->mono[i].deg, T->mono[i].c, prec);
    if (D < 2 || D % 2 || !arb_is_positive(q.c + D))
    {
        _arb_vec_clear(q.c, D + 1);
        return fy_error_set(err, FY_EINPUT, "exp(-E) is not normalisable: the highest power "
                            "of E (degree %d) must be even with a positive coefficient", D);
    }
    acb_init(res);
    acb_init(lo);
    acb_init(hi);
    mag_init(tol);
    mag_init(tail);
    arb_init(z);
    for (R = 1; R < 100000; R = R < 8 ? R + 1 : R + R / 4)
    {
        mag_t small;
        int done;
        if (!tail_bound(tail, &q, kmax, R, prec))
            continue;
        mag_init(small);
        mag_set_ui_2exp_si(small, 1, -prec - 10);
        done = mag_cmp(tail, small) <= 0;
        mag_clear(small);
        if (done)
            break;
    }
    if (R >= 100000)
        rc = fy_error_set(err, FY_EUNSUPPORTED, "moments: no cut-off R below 100000 bounds "
                          "the tails of exp(-E)");
    mag_set_ui_2exp_si(tol, 1, -prec);
    acb_set_si(lo, -R);
    acb_set_si(hi, R);
    for (k = 0; k <= kmax && rc == FY_OK; k++)
    {
        q.k = k;
        acb_calc_integrate(res, integrand, &q, lo, hi, prec, tol, NULL, prec);
        arb_set(m + k, acb_realref(res));
        arb_add_error_mag(m + k, tail);
        if (!arb_is_finite(m + k))
            rc = fy_error_set(err, FY_ECHECK, "moments: the quadrature did not converge");
    }
    if (rc == FY_OK && normalise)
    {
        arb_set(z, m + 0);
        for (k = 0; k <= kmax; k++)
            arb_div(m + k, m + k, z, prec);
        /* m_0 = 1 exactly */
        arb_one(m + 0);
    }
    _arb_vec_clear(q.c, D + 1);
    acb_clear(res);
    acb_clear(lo);
    acb_clear(hi);
    mag_clear(tol);
    mag_clear(tail);
    arb_clear(z);
    return rc;
}

int fy_ltheory_moments_1d(arb_ptr m, int kmax, const fy_ltheory_t T, slong prec,
                          fy_error_t err)
{
    return moments_1d(m, kmax, T, prec, 1, err);
}

int fy_ltheory_log_z_1d(arb_t lnz, const fy_ltheory_t T, slong prec, fy_error_t err)
{
    arb_struct m[1];
    int rc;
    arb_init(m);
    rc = moments_1d(m, 0, T, prec, 0, err);
    if (rc == FY_OK && !arb_is_positive(m))
        rc = fy_error_set(err, FY_ECHECK, "ln Z: the quadrature did not separate Z from 0");
    if (rc == FY_OK)
        arb_log(lnz, m, prec);
    arb_clear(m);
    return rc;
}
