/* invert.c - an invertible network in double: the forward map with its log-det, ln p, the
 * exact inverse layer by layer, and draws from the network (inn.h, "learned against true").
 *
 * The exact parameters of the fy_inn_t are rounded to double once per call (dnet below);
 * every point is then independent, so the batch loops run under OpenMP and the results do not
 * depend on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "feynn/inn.h"
#include "feynn/rng.h"

#define LN_2PI 1.8378770664093454835606594728112

typedef struct
{
    fy_inn_layer_kind_t kind;
    double *W, *b;  /* affine: W (d x d), b (d, zero when absent) */
    double *LU;     /* affine: LU factors of W with partial pivoting */
    int *piv;
    double logdet;  /* affine: ln|det W| */
    int nA, nB;
    const int *A, *B;
    double *G;      /* coupling: nB x nA x nA */
    double *gamma;  /* elementwise and cubic */
} dlayer_t;

typedef struct
{
    int d, nl;
    dlayer_t *L;
} dnet_t;

static void dnet_clear(dnet_t *N)
{
    int l;
    if (N->L != NULL)
        for (l = 0; l < N->nl; l++)
        {
            free(N->L[l].W);
            free(N->L[l].b);
            free(N->L[l].LU);
            free(N->L[l].piv);
            free(N->L[l].G);
            free(N->L[l].gamma);
        }
    free(N->L);
    N->L = NULL;
}

static double *vec_d(const fmpq *v, slong n)
{
    double *x = malloc((size_t) (n > 0 ? n : 1) * sizeof(double));
    slong i;
    if (x != NULL)
        for (i = 0; i < n; i++)
            x[i] = v == NULL ? 0.0 : fy_fmpq_get_d(v + i);
    return x;
}

/* LU with partial pivoting in place; returns 0 when a pivot is exactly 0. */
static int lu_factor(double *a, int *piv, int d, double *logdet)
{
    int i, j, k;
    *logdet = 0.0;
    for (k = 0; k < d; k++)
    {
        int p = k;
        for (i = k + 1; i < d; i++)
            if (fabs(a[i * d + k]) > fabs(a[p * d + k]))
                p = i;
        piv[k] = p;
        if (a[p * d + k] == 0.0)
            return 0;
        if (p != k)
            for (j = 0; j < d; j++)
            {
                double t = a[k * d + j];
                a[k * d + j] = a[p * d + j];
                a[p * d + j] = t;
            }
        *logdet += log(fabs(a[k * d + k]));
        for (i = k + 1; i < d; i++)
        {
            double f = a[i * d + k] /= a[k * d + k];
            for (j = k + 1; j < d; j++)
                a[i * d + j] -= f * a[k * d + j];
        }
    }
    return 1;
}

/* Solves (LU) u = y in place (y has d entries). */
static void lu_solve(const double *a, const int *piv, int d, double *y)
{
    int i, j;
    for (i = 0; i < d; i++)
        if (piv[i] != i)
        {
            double t = y[i];
            y[i] = y[piv[i]];
            y[piv[i]] = t;
        }
    for (i = 0; i < d; i++)
        for (j = 0; j < i; j++)
            y[i] -= a[i * d + j] * y[j];
    for (i = d - 1; i >= 0; i--)
    {
        for (j = i + 1; j < d; j++)
            y[i] -= a[i * d + j] * y[j];
        y[i] /= a[i * d + i];
    }
}

static int dnet_set(dnet_t *N, const fy_inn_t net, int need_lu, fy_error_t err)
{
    int l, d = net->d;
    N->d = d;
    N->nl = net->nlayers;
    N->L = calloc((size_t) (net->nlayers > 0 ? net->nlayers : 1), sizeof(dlayer_t));
    if (N->L == NULL)
        return fy_error_set(err, FY_ENOMEM, "inn in double: out of memory");
    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "inn in double: the network has no dimension");
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *s = net->layers + l;
        dlayer_t *t = N->L + l;
        t->kind = s->kind;
        if (s->kind == FY_INN_LAYER_AFFINE)
        {
            t->W = vec_d(s->W, (slong) d * d);
            t->b = vec_d(s->b, d);
            t->LU = vec_d(s->W, (slong) d * d);
            t->piv = malloc((size_t) d * sizeof(int));
            if (t->W == NULL || t->b == NULL || t->LU == NULL || t->piv == NULL)
                return fy_error_set(err, FY_ENOMEM, "inn in double: out of memory");
            if (!lu_factor(t->LU, t->piv, d, &t->logdet) && need_lu)
                return fy_error_set(err, FY_EINPUT, "layer %d ('%s'): W is singular in double "
                                    "precision; the inverse needs it regular", l,
                                    s->name ? s->name : "");
        }
        else if (s->kind == FY_INN_LAYER_COUPLING)
        {
            t->nA = s->nA;
            t->nB = s->nB;
            t->A = s->A;
            t->B = s->B;
            t->G = vec_d(s->G, (slong) s->nB * s->nA * s->nA);
            if (t->G == NULL)
                return fy_error_set(err, FY_ENOMEM, "inn in double: out of memory");
        }
        else
        {
            t->gamma = vec_d(s->gamma, d);
            if (t->gamma == NULL)
                return fy_error_set(err, FY_ENOMEM, "inn in double: out of memory");
        }
    }
    return FY_OK;
}

/* g_t(u_A) = sum_{r,s} G[t][r][s] u_A[r] u_A[s] for the coupling t of layer L. */
static double coupling_g(const dlayer_t *L, const double *u, int t)
{
    const double *G = L->G + (slong) t * L->nA * L->nA;
    double s = 0.0;
    int r, q;
    for (r = 0; r < L->nA; r++)
    {
        double a = 0.0, ur = u[L->A[r]];
        for (q = 0; q < L->nA; q++)
            a += G[r * L->nA + q] * u[L->A[q]];
        s += ur * a;
    }
    return s;
}

/* One point forward: u (d, overwritten with z), returns ln|det J| (-inf outside). */
static double forward_point(const dnet_t *N, double *u, double *tmp)
{
    int l, i, j, d = N->d;
    double ld = 0.0;
    for (l = 0; l < N->nl; l++)
    {
        const dlayer_t *L = N->L + l;
        if (L->kind == FY_INN_LAYER_AFFINE)
        {
            for (i = 0; i < d; i++)
            {
                double s = L->b[i];
                for (j = 0; j < d; j++)
                    s += L->W[i * d + j] * u[j];
                tmp[i] = s;
            }
            memcpy(u, tmp, (size_t) d * sizeof(double));
            ld += L->logdet;
        }
        else if (L->kind == FY_INN_LAYER_COUPLING)
        {
            for (i = 0; i < L->nB; i++)
                tmp[i] = coupling_g(L, u, i);
            for (i = 0; i < L->nB; i++)
                u[L->B[i]] += tmp[i];
        }
        else if (L->kind == FY_INN_LAYER_CUBIC)
            for (i = 0; i < d; i++)
            {
                double j1 = 1.0 + 3.0 * L->gamma[i] * u[i] * u[i];
                ld += j1 > 0.0 ? log(j1) : -INFINITY;
                u[i] += L->gamma[i] * u[i] * u[i] * u[i];
            }
        else
            for (i = 0; i < d; i++)
            {
                double j1 = 1.0 + 2.0 * L->gamma[i] * u[i];
                ld += j1 > 0.0 ? log(j1) : -INFINITY;
                u[i] += L->gamma[i] * u[i] * u[i];
            }
    }
    return ld;
}

/* The root u of u + g u^3 = y on the branch 1 + 3 g u^2 > 0 (all of R when g >= 0; |u| <
 * 1/sqrt(-3 g) when g < 0, whose image is |y| < 2/(3 sqrt(-3 g))); returns 0 outside the
 * image.  Newton's method from an upper bound of |u| (|y| and, for g > 0, cbrt(|y| / g)): on
 * the side of the root away from 0 the map is convex (g > 0), so the iterates decrease to
 * the root monotonically; for g < 0 Newton kept inside a bisection bracket. */
static int cubic_root(double g, double y, double *u)
{
    double a = fabs(y), lo = 0.0, hi, x;
    int it;
    if (g == 0.0 || y == 0.0)
    {
        *u = y;
        return 1;
    }
    if (g > 0.0)
        hi = fmin(a, cbrt(a / g));
    else
    {
        double um = 1.0 / sqrt(-3.0 * g);
        if (!(a < um + g * um * um * um))
            return 0;
        hi = um;
    }
    x = hi;
    for (it = 0; it < 200; it++)
    {
        double f = x + g * x * x * x - a, fp = 1.0 + 3.0 * g * x * x, xn;
        if (f == 0.0)
            break;
        if (f > 0.0)
            hi = x;
        else
            lo = x;
        xn = fp > 0.0 ? x - f / fp : 0.5 * (lo + hi);
        if (!(xn >= lo && xn <= hi))
            xn = 0.5 * (lo + hi);
        if (fabs(xn - x) <= 2e-16 * fabs(x) || hi - lo <= 2e-16 * hi)
        {
            x = xn;
            break;
        }
        x = xn;
    }
    *u = y < 0.0 ? -x : x;
    return 1;
}

/* One point backward: y (d, overwritten with x); returns 0 outside the image. */
static int inverse_point(const dnet_t *N, double *y, double *tmp)
{
    int l, i, d = N->d;
    for (l = N->nl - 1; l >= 0; l--)
    {
        const dlayer_t *L = N->L + l;
        if (L->kind == FY_INN_LAYER_AFFINE)
        {
            for (i = 0; i < d; i++)
                y[i] -= L->b[i];
            lu_solve(L->LU, L->piv, d, y);
        }
        else if (L->kind == FY_INN_LAYER_COUPLING)
        {
            /* u_A = y_A, so g(u_A) = g(y_A) */
            for (i = 0; i < L->nB; i++)
                tmp[i] = coupling_g(L, y, i);
            for (i = 0; i < L->nB; i++)
                y[L->B[i]] -= tmp[i];
        }
        else if (L->kind == FY_INN_LAYER_CUBIC)
        {
            for (i = 0; i < d; i++)
                if (!cubic_root(L->gamma[i], y[i], y + i))
                    return 0;
        }
        else
            for (i = 0; i < d; i++)
            {
                double g = L->gamma[i], disc = 1.0 + 4.0 * g * y[i];
                if (g == 0.0)
                    continue;
                if (!(disc > 0.0))
                    return 0;
                y[i] = 2.0 * y[i] / (1.0 + sqrt(disc));
            }
    }
    return 1;
}

static int check_net(const fy_inn_t net, const void *p, slong n, fy_error_t err)
{
    if (net->d < 1)
        return fy_error_set(err, FY_EINPUT, "the network is empty (d = 0)");
    if (n < 0 || (n > 0 && p == NULL))
        return fy_error_set(err, FY_EUSAGE, "inn in double: no points given");
    return FY_OK;
}

int fy_inn_forward_d(double *z, double *logdet, const fy_inn_t net, const double *x, slong n,
                     fy_error_t err)
{
    dnet_t N = {0, 0, NULL};
    int rc, d = net->d;
    slong p;
    if ((rc = check_net(net, x, n, err)) != FY_OK)
        return rc;
    if ((rc = dnet_set(&N, net, 0, err)) != FY_OK)
    {
        dnet_clear(&N);
        return rc;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (p = 0; p < n; p++)
    {
        double u[2 * 4096];
        double ld;
        memcpy(u, x + p * d, (size_t) d * sizeof(double));
        ld = forward_point(&N, u, u + d);
        if (z != NULL)
            memcpy(z + p * d, u, (size_t) d * sizeof(double));
        if (logdet != NULL)
            logdet[p] = ld;
    }
    dnet_clear(&N);
    return FY_OK;
}

int fy_inn_log_prob_d(double *lp, const fy_inn_t net, const double *x, slong n,
                      fy_error_t err)
{
    dnet_t N = {0, 0, NULL};
    int rc, d = net->d;
    slong p;
    if ((rc = check_net(net, x, n, err)) != FY_OK)
        return rc;
    if ((rc = dnet_set(&N, net, 0, err)) != FY_OK)
    {
        dnet_clear(&N);
        return rc;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (p = 0; p < n; p++)
    {
        double u[2 * 4096], ld, q = 0.0;
        int i;
        memcpy(u, x + p * d, (size_t) d * sizeof(double));
        ld = forward_point(&N, u, u + d);
        for (i = 0; i < d; i++)
            q += u[i] * u[i];
        lp[p] = ld == -INFINITY ? -INFINITY : -0.5 * q - 0.5 * d * LN_2PI + ld;
    }
    dnet_clear(&N);
    return FY_OK;
}

int fy_inn_inverse_d(double *x, const fy_inn_t net, const double *z, slong n, slong *nbad,
                     fy_error_t err)
{
    dnet_t N = {0, 0, NULL};
    int rc, d = net->d;
    slong p, bad = 0;
    if ((rc = check_net(net, z, n, err)) != FY_OK)
        return rc;
    if ((rc = dnet_set(&N, net, 1, err)) != FY_OK)
    {
        dnet_clear(&N);
        return rc;
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : bad)
#endif
    for (p = 0; p < n; p++)
    {
        double tmp[4096];
        int i;
        if (x != z)
            memcpy(x + p * d, z + p * d, (size_t) d * sizeof(double));
        if (!inverse_point(&N, x + p * d, tmp))
        {
            bad++;
            for (i = 0; i < d; i++)
                x[p * d + i] = NAN;
        }
    }
    if (nbad != NULL)
        *nbad = bad;
    dnet_clear(&N);
    return FY_OK;
}

int fy_inn_sample_d(double *x, const fy_inn_t net, slong n, uint64_t seed, slong *rejected,
                    fy_error_t err)
{
    dnet_t N = {0, 0, NULL};
    fy_rng_t r;
    int rc, d = net->d;
    slong p, rej = 0, failed = 0;
    if ((rc = check_net(net, x, n, err)) != FY_OK)
        return rc;
    if ((rc = dnet_set(&N, net, 1, err)) != FY_OK)
    {
        dnet_clear(&N);
        return rc;
    }
    fy_rng_init(r, seed, FY_RNG_PURPOSE_INN_SAMPLE);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : rej, failed)
#endif
    for (p = 0; p < n; p++)
    {
        double tmp[4096];
        uint64_t k0 = 0;
        for (;;)
        {
            fy_rng_normals(x + p * d, (uint64_t) d, r, (uint64_t) p, k0);
            if (inverse_point(&N, x + p * d, tmp))
                break;
            rej++;
            k0 += (uint64_t) d + ((uint64_t) d & 1); /* the next whole blocks */
            if (k0 > 1000u * (uint64_t) (d + 1))
            {
                failed++;
                break;
            }
        }
    }
    if (rejected != NULL)
        *rejected = rej;
    dnet_clear(&N);
    if (failed > 0 || rej > 10 * n)
        return fy_error_set(err, FY_ECHECK, "sampling the network: %ld of the latent draws "
                            "fell outside the image of an elementwise layer (more than 10 per "
                            "draw); the network is far from invertible on the data's range",
                            (long) rej);
    return FY_OK;
}
