/* box.c - the training data of the demo: potentials uniform in a symmetric box, each with a
 * convergent Born series, and their exact a_0 (see borntaylor.h, "data for the demo"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/num.h"
#include "feynn/rng.h"

int fy_borntaylor_a0_batch(double *out, const double *X, long n, int d, void *ctx,
                           fy_error_t err)
{
    const double *R = ctx;
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fmpq *U = _fmpq_vec_init(d);
    fmpq_t Rq;
    long i;
    int j, status;
    fmpq_init(Rq);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    status = fy_fmpq_set_d(Rq, *R, err);
    for (i = 0; i < n && status == FY_OK; i++)
    {
        for (j = 0; j < d && status == FY_OK; j++)
            status = fy_fmpq_set_d(U + j, X[i * d + j], err);
        if (status == FY_OK)
            status = fy_born_potential_set_steps(pot, d, Rq, U, err);
        if (status == FY_OK)
            status = fy_born_a0(res, pot, 17, err);
        if (status == FY_OK)
            out[i] = arf_get_d(arb_midref(&res->a0), ARF_RND_NEAR);
    }
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
    fmpq_clear(Rq);
    _fmpq_vec_clear(U, d);
    return status;
}

/* The certified lower bound of a radius of convergence (+inf when no coupling binds). */
static double radius_lower(const arb_t rho)
{
    double lo = INFINITY;
    if (arb_is_finite(rho))
    {
        arf_t lb;
        arf_init(lb);
        arb_get_lbound_arf(lb, rho, 53);
        lo = arf_get_d(lb, ARF_RND_DOWN);
        arf_clear(lb);
    }
    return lo;
}

/* Draws sample i (row u) until its Born series converges at 1 + margin. */
static int box_sample(double *u, double *lo, long *redraws, long max_redraws, long i,
                      const fy_rng_t rng, int d, const fmpq_t Rq, double A, const arb_t lim,
                      fy_error_t err)
{
    fy_born_potential_t pot;
    fmpq *U = _fmpq_vec_init(d);
    arb_t rho;
    uint64_t t;
    int j, ok = 0, status = FY_OK;
    fy_born_potential_init(pot);
    arb_init(rho);
    for (t = 0; status == FY_OK && !ok; t++)
    {
        for (j = 0; j < d && status == FY_OK; j++)
        {
            double x = fy_rng_uniform(rng, (uint64_t) i, t * (uint64_t) d + (uint64_t) j);
            u[j] = A * (2 * x - 1);
            status = fy_fmpq_set_d(U + j, u[j], err);
        }
        if (status == FY_OK)
            status = fy_born_potential_set_steps(pot, d, Rq, U, err);
        if (status == FY_OK)
            status = fy_born_radius(rho, pot, 1e-3, err);
        ok = status == FY_OK && arb_gt(rho, lim);
        if (status == FY_OK && !ok && ++*redraws > max_redraws)
            status = fy_error_set(err, FY_ECHECK, "box half width %g: too many draws without a "
                                  "convergent Born series (radius > %g)", A,
                                  arf_get_d(arb_midref(lim), ARF_RND_NEAR));
    }
    if (status == FY_OK)
        *lo = radius_lower(rho);
    arb_clear(rho);
    fy_born_potential_clear(pot);
    _fmpq_vec_clear(U, d);
    return status;
}

int fy_borntaylor_box_generate(fy_born_data_t data, double *min_radius, long n, int d, double R,
                               double A, double margin, uint64_t seed, fy_error_t err)
{
    fy_rng_t rng;
    fmpq_t Rq;
    arb_t lim;
    long i, redraws = 0;
    int status = FY_OK;
    char buf[512];

    if (n < 1 || d < 1 || d > 64 || !(R > 0) || !isfinite(R) || !(A > 0) || !isfinite(A) ||
        !(margin >= 0) || !isfinite(margin))
        return fy_error_set(err, FY_EUSAGE, "box data: n = %ld (>= 1), d = %d (1..64), R = %g "
                            "(> 0), A = %g (> 0), margin = %g (>= 0)", n, d, R, A, margin);
    fy_born_data_clear(data);
    data->n = n;
    data->d = d;
    data->R = R;
    data->margin = margin;
    data->seed = seed;
    data->U = malloc(sizeof(double) * (size_t) n * (size_t) d);
    data->a0 = malloc(sizeof(double) * (size_t) n);
    *min_radius = INFINITY;
    fy_rng_init(rng, seed, FY_RNG_PURPOSE_BORN_BOX);
    fmpq_init(Rq);
    arb_init(lim);
    arb_set_d(lim, 1.0 + margin);
    if (data->U == NULL || data->a0 == NULL)
        status = fy_error_set(err, FY_ENOMEM, "out of memory (training data)");
    if (status == FY_OK)
        status = fy_fmpq_set_d(Rq, R, err);
    for (i = 0; i < n && status == FY_OK; i++)
    {
        double lo = INFINITY;
        status = box_sample(data->U + (size_t) i * (size_t) d, &lo, &redraws, 100 * n + 1000,
                            i, rng, d, Rq, A, lim, err);
        if (status == FY_OK && lo < *min_radius)
            *min_radius = lo;
    }
    if (status == FY_OK)
        status = fy_borntaylor_a0_batch(data->a0, data->U, n, d, &R, err);
    if (status == FY_OK)
    {
        snprintf(buf, sizeof buf, "symmetric box: U_j ~ U(-%g, %g) independently on %d equal "
                 "steps of (0, %g], each sample with a Born series of radius of convergence "
                 "> 1 + margin = %g (checked, %ld redrawn); a_0 exact (ball arithmetic), %s",
                 A, A, d, R, 1 + margin, redraws, FY_BORN_CONVENTION);
        data->description = strdup(buf);
        if (data->description == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    arb_clear(lim);
    fmpq_clear(Rq);
    if (status != FY_OK)
        fy_born_data_clear(data);
    return status;
}
