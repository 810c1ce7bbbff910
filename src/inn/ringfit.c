/* ringfit.c - inn12 (issue 12): the statistical floor of the learned couplings.  The
 * maximum-likelihood fit of the TRUE family of a ring theory (inn.h, fy_inn_ring_fit): the
 * polynomial action with free m2, hopping, g3, lam (and optionally a field h) is an
 * exponential family, so the mean NLL theta . tbar + ln Z(theta) is convex; ln Z and its
 * gradient <t> come from the transfer matrix of the ring on a trapezoid grid. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "inn/compare_internal.h"

#define NP FY_INN_RING_NPARAMS

/* The site potential v(x) = m2/2 x^2 + g3/6 x^3 + lam/24 x^4 + h x. */
static double site_v(const double *th, double x)
{
    return x * (th[4] + x * (0.5 * th[0] + x * (th[2] / 6.0 + x * th[3] / 24.0)));
}

/* C = A B (N x N, row-major), scaled so that its largest entry is 1; returns ln of the scale. */
static double mat_mul_scaled(double *C, const double *A, const double *B, int N)
{
    int i, j, k;
    double mx = 0.0;
    memset(C, 0, (size_t) N * N * sizeof(double));
    for (i = 0; i < N; i++)
        for (k = 0; k < N; k++)
        {
            double a = A[(size_t) i * N + k];
            const double *b = B + (size_t) k * N;
            double *c = C + (size_t) i * N;
            if (a == 0.0)
                continue;
            for (j = 0; j < N; j++)
                c[j] += a * b[j];
        }
    for (i = 0; i < N * N; i++)
        mx = C[i] > mx ? C[i] : mx;
    if (!(mx > 0.0) || !isfinite(mx))
        return NAN;
    for (i = 0; i < N * N; i++)
        C[i] /= mx;
    return log(mx);
}

/* 1 when exp(-E) is normalisable on R^d: lam > 0, or a Gaussian (g3 = 0) with a positive
 * definite quadratic form (m2 > 0, m2 + 4 K > 0: the ring Laplacian's spectrum is in [0, 4]). */
static int normalisable(const double *th)
{
    if (th[3] > 0.0)
        return 1;
    return th[3] == 0.0 && th[2] == 0.0 && th[0] > 0.0 && th[0] + 4.0 * th[1] > 0.0;
}

int fy_inn_ring_log_z(double *lnz, double grad[FY_INN_RING_NPARAMS],
                      const double theta[FY_INN_RING_NPARAMS], int d, double R, double h,
                      fy_error_t err)
{
    int N, i, j, p;
    double hs, *T = NULL, *P = NULL, *Q = NULL, *x = NULL, *v = NULL, vmin, lp = 0.0, z = 0.0;
    double edge = 0.0, dmax = 0.0, g[NP] = {0};
    if (d < 1 || d > 1000)
        return fy_error_set(err, FY_EUSAGE, "ring of %d sites: need 1 to 1000", d);
    if (!(R > 0) || !(h > 0) || R / h > 4000.0)
        return fy_error_set(err, FY_EUSAGE, "grid [-%g, %g] with step %g: need R, h > 0 and "
                            "at most 8001 points", R, R, h);
    for (i = 0; i < NP; i++)
        if (!isfinite(theta[i]))
            return fy_error_set(err, FY_EUSAGE, "coupling %d is %g; need finite values", i,
                                theta[i]);
    if (!normalisable(theta))
    {
        *lnz = INFINITY;
        return FY_OK; /* exp(-E) has infinite mass */
    }
    N = 2 * (int) ceil(R / h) + 1;
    T = fy_malloc((size_t) N * N, sizeof(double), err);
    P = fy_malloc((size_t) N * N, sizeof(double), err);
    Q = fy_malloc((size_t) N * N, sizeof(double), err);
    x = fy_malloc((size_t) N, sizeof(double), err);
    v = fy_malloc((size_t) N, sizeof(double), err);
    if (!T || !P || !Q || !x || !v)
    {
        free(T), free(P), free(Q), free(x), free(v);
        return FY_ENOMEM;
    }
    vmin = INFINITY;
    hs = 2.0 * R / (double) (N - 1); /* h, rounded so that the grid ends at +-R */
    for (i = 0; i < N; i++)
    {
        x[i] = -R + hs * (double) i;
        v[i] = site_v(theta, x[i]);
        vmin = v[i] < vmin ? v[i] : vmin;
    }
    /* T(x, y) = exp(-v(x)/2 - v(y)/2 - K (x - y)^2 / 2 + vmin) on the grid (a ring of one
     * site has no link: T is diagonal) */
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
        {
            double dx = x[i] - x[j], k = d == 1 ? (i == j ? 0.0 : INFINITY) : theta[1];
            T[(size_t) i * N + j] = exp(-0.5 * (v[i] + v[j]) - 0.5 * k * dx * dx + vmin);
        }
    /* P = T^(d-1) (scaled; lp its log scale) */
    memcpy(P, T, (size_t) N * N * sizeof(double));
    for (p = 1; p < d - 1; p++)
    {
        lp += mat_mul_scaled(Q, P, T, N);
        memcpy(P, Q, (size_t) N * N * sizeof(double));
    }
    if (d == 1)
        for (i = 0; i < N * N; i++)
            P[i] = (i % (N + 1)) == 0 ? 1.0 : 0.0;
    /* the diagonal of T^d = P T, the link statistic from T and P */
    for (i = 0; i < N; i++)
    {
        double di = 0.0, li = 0.0;
        for (j = 0; j < N; j++)
        {
            double t = P[(size_t) i * N + j] * T[(size_t) j * N + i], dx = x[i] - x[j];
            di += t;
            li += t * 0.5 * dx * dx;
        }
        z += di;
        g[0] += di * 0.5 * x[i] * x[i];
        g[1] += li;
        g[2] += di * x[i] * x[i] * x[i] / 6.0;
        g[3] += di * x[i] * x[i] * x[i] * x[i] / 24.0;
        g[4] += di * x[i];
        dmax = di > dmax ? di : dmax;
        if (i == 0 || i == N - 1)
            edge = di > edge ? di : edge;
    }
    free(T), free(P), free(Q), free(x), free(v);
    if (!(z > 0.0) || !isfinite(z))
    {
        *lnz = INFINITY;
        return FY_OK;
    }
    if (edge > 1e-13 * dmax)
        return fy_error_set(err, FY_EINPUT, "the density of a site at the grid's edge +-%g is "
                            "%.2g of its peak; widen the grid", R, edge / dmax);
    /* ln Z = d (ln h - vmin) + lp + ln z; <t_k> = d g_k / z (the ring is translation
     * invariant: every site and every link alike) */
    *lnz = (double) d * (log(hs) - vmin) + lp + log(z);
    if (grad)
        for (i = 0; i < NP; i++)
            grad[i] = (i == 1 && d == 1) ? 0.0 : (double) d * g[i] / z;
    return FY_OK;
}

/* ------------------------------------------------------------------ the fit */

typedef struct
{
    double tbar[NP];
    int d, np;
    double R, h;
    int failed;
    fy_error_struct *err;
} fitctx;

/* Mean NLL theta . tbar + ln Z(theta) and its gradient tbar - <t>; a non-normalisable theta
 * or one whose mass reaches the grid's edge is a rejected step (c->failed: the last
 * evaluation failed, its error in c->err). */
static double fit_fg(void *ctx, const double *P, double *g)
{
    fitctx *c = ctx;
    double th[NP] = {0}, gz[NP], lnz, f;
    int k, rc;
    memcpy(th, P, (size_t) c->np * sizeof(double));
    c->failed = 0;
    if ((rc = fy_inn_ring_log_z(&lnz, gz, th, c->d, c->R, c->h, c->err)) != FY_OK)
    {
        c->failed = rc;
        return INFINITY;
    }
    if (!isfinite(lnz))
        return INFINITY;
    f = lnz;
    for (k = 0; k < c->np; k++)
    {
        f += th[k] * c->tbar[k];
        if (g)
            g[k] = c->tbar[k] - gz[k];
    }
    return f;
}

/* The statistics of one row: phi^2/2, (phi_i - phi_i+1)^2/2 over the ring's links, phi^3/6,
 * phi^4/24, phi, summed over the sites. */
static void row_stats(double *t, const double *r, int d)
{
    int i;
    memset(t, 0, NP * sizeof(double));
    for (i = 0; i < d; i++)
    {
        double p = r[i], q = r[(i + 1) % d], p2 = p * p;
        t[0] += 0.5 * p2;
        if (d > 1)
            t[1] += 0.5 * (p - q) * (p - q);
        t[2] += p2 * p / 6.0;
        t[3] += p2 * p2 / 24.0;
        t[4] += p;
    }
}

/* L = the Cholesky factor of H (np x np, symmetric); 0 when H is not positive definite. */
static int chol(double *L, const double *H, int np)
{
    double a[NP * NP];
    int i, j;
    memcpy(a, H, (size_t) (np * np) * sizeof(double));
    if (!_fy_inn_cholesky(a, np))
        return 0;
    memset(L, 0, NP * NP * sizeof(double));
    for (i = 0; i < np; i++)
        for (j = 0; j <= i; j++)
            L[i * NP + j] = a[i * np + j];
    return 1;
}

/* x = (L L^T)^-1 b. */
static void chol_solve(double *x, const double *L, const double *b, int np)
{
    double y[NP];
    int i, j;
    for (i = 0; i < np; i++)
    {
        double t = b[i];
        for (j = 0; j < i; j++)
            t -= L[i * NP + j] * y[j];
        y[i] = t / L[i * NP + i];
    }
    for (i = np - 1; i >= 0; i--)
    {
        double t = y[i];
        for (j = i + 1; j < np; j++)
            t -= L[j * NP + i] * x[j];
        x[i] = t / L[i * NP + i];
    }
}

/* The Hessian of the mean NLL at theta, Cov(t) per row (the Fisher information), by central
 * differences of the exact gradient; FY_OK, or the error of a failed evaluation (FY_ECHECK
 * when a neighbour is not normalisable). */
static int fit_hessian(double *H, fitctx *c, const double *theta, fy_error_t err)
{
    double gp[NP], gm[NP], th[NP];
    int k, j, np = c->np;
    for (k = 0; k < np; k++)
    {
        double dk = 1e-4 * fmax(1.0, fabs(theta[k]));
        memcpy(th, theta, sizeof th);
        th[k] += dk;
        if (isfinite(fit_fg(c, th, gp)))
        {
            th[k] -= 2.0 * dk;
            if (isfinite(fit_fg(c, th, gm)))
            {
                for (j = 0; j < np; j++)
                    H[k * np + j] = (gp[j] - gm[j]) / (2.0 * dk);
                continue;
            }
        }
        return c->failed ? c->failed : fy_error_set(err, FY_ECHECK, "the fit came to the "
                                                    "edge of the normalisable actions");
    }
    for (k = 0; k < np; k++)
        for (j = 0; j < k; j++)
            H[k * np + j] = H[j * np + k] = 0.5 * (H[k * np + j] + H[j * np + k]);
    return FY_OK;
}

/* Newton's method on the convex mean NLL from P (updated): steps -H^-1 g halved until the
 * NLL does not increase, to max |g| <= 1e-10 or no further decrease. */
static int fit_newton(fy_inn_ring_fit_struct *F, fitctx *c, double *P, fy_error_t err)
{
    double g[NP], H[NP * NP], L[NP * NP], s[NP], Pn[NP], gn[NP], f, fn = INFINITY;
    int it, k, rc, np = c->np;
    memset(Pn, 0, sizeof Pn);
    f = fit_fg(c, P, g);
    if (!isfinite(f))
        return c->failed ? c->failed : fy_error_set(err, FY_ECHECK, "the fit's start is not "
                                                    "normalisable");
    for (it = 0; it < 200; it++)
    {
        double gmax = 0.0, t;
        for (k = 0; k < np; k++)
            gmax = fmax(gmax, fabs(g[k]));
        if (gmax <= 1e-10)
            break;
        if ((rc = fit_hessian(H, c, P, err)))
            return rc;
        if (chol(L, H, np))
            chol_solve(s, L, g, np);
        else
            memcpy(s, g, sizeof s); /* not convex here (rounding): a gradient step */
        for (t = 1.0; t > 1e-12; t *= 0.5)
        {
            for (k = 0; k < np; k++)
                Pn[k] = P[k] - t * s[k];
            fn = fit_fg(c, Pn, gn);
            if (fn <= f)
                break;
        }
        if (!(fn <= f))
            break; /* no decrease: the minimum to rounding */
        memcpy(P, Pn, (size_t) np * sizeof(double));
        memcpy(g, gn, sizeof g);
        if (fn == f)
            break;
        f = fn;
    }
    F->iters = it;
    return FY_OK;
}

void fy_inn_ring_fit_init(fy_inn_ring_fit_t F)
{
    memset(F, 0, sizeof(fy_inn_ring_fit_struct));
}

/* The grid from the data: [-R, R] with R = 1.25 max |x| + 2 and a step of a 12th of the
 * pooled standard deviation (at most 0.05, at most 1601 points). */
static void data_grid(double *R, double *h, const double *X, long n, int d)
{
    double mx = 0.0, s1 = 0.0, s2 = 0.0, sd;
    size_t i, m = (size_t) n * (size_t) d;
    for (i = 0; i < m; i++)
    {
        mx = fabs(X[i]) > mx ? fabs(X[i]) : mx;
        s1 += X[i];
        s2 += X[i] * X[i];
    }
    sd = sqrt(fmax(s2 / (double) m - (s1 / (double) m) * (s1 / (double) m), 1e-300));
    *R = 1.25 * mx + 2.0;
    *h = fmin(0.05, sd / 12.0);
    if (*R / *h > 800.0)
        *h = *R / 800.0;
}

/* The fit on the grid of c from the start (a free field of the data's site variance, a small
 * positive quartic), then the standard errors. */
static int fit_on_grid(fy_inn_ring_fit_struct *F, fitctx *c, long n, fy_error_t err)
{
    double P[NP] = {0}, var;
    int k, rc;
    var = 2.0 * c->tbar[0] / (double) c->d;
    P[0] = 1.0 / fmax(var, 1e-12);
    P[3] = 0.1;
    if ((rc = fit_newton(F, c, P, err)))
        return rc;
    memcpy(F->theta, P, (size_t) c->np * sizeof(double));
    F->nparams = c->np;
    F->d = c->d;
    F->n = n;
    F->R = c->R;
    F->h = c->h;
    {
        double g[NP];
        F->nll = fit_fg(c, P, g);
        if (c->failed)
            return c->failed;
        F->grad_max = 0.0;
        for (k = 0; k < c->np; k++)
            F->grad_max = fmax(F->grad_max, fabs(g[k]));
        F->lnz = F->nll;
        for (k = 0; k < c->np; k++)
            F->lnz -= P[k] * c->tbar[k];
    }
    if (!isfinite(F->nll))
        return fy_error_set(err, FY_ECHECK, "the ring fit ended at a non-normalisable action");
    /* the standard errors from the Fisher information at the optimum */
    {
        double H[NP * NP], L[NP * NP], e[NP], x[NP];
        if ((rc = fit_hessian(H, c, F->theta, err)))
            return rc;
        if (!chol(L, H, c->np))
            return fy_error_set(err, FY_ECHECK, "the Fisher information of the fit is not "
                                "positive definite (a degenerate family on these data)");
        for (k = 0; k < c->np; k++)
        {
            memset(e, 0, sizeof e);
            e[k] = 1.0;
            chol_solve(x, L, e, c->np);
            F->se[k] = sqrt(x[k] / (double) n);
        }
    }
    return FY_OK;
}

int fy_inn_ring_fit(fy_inn_ring_fit_t F, const double *X, long n, int d, int field,
                    fy_error_t err)
{
    fitctx c;
    double t[NP];
    long r;
    int k, rc, w;
    fy_inn_ring_fit_init(F);
    if (d < 2 || d > 1000)
        return fy_error_set(err, FY_EINPUT, "the data have %d columns; the ring fit needs 2 "
                            "to 1000 sites (a ring of one site has no hopping)", d);
    if (n < 20)
        return fy_error_set(err, FY_EINPUT, "%ld rows; the ring fit needs at least 20", n);
    memset(&c, 0, sizeof c);
    c.d = d;
    c.np = field ? 5 : 4;
    c.err = err;
    for (r = 0; r < n; r++)
    {
        for (k = 0; k < d; k++)
            if (!isfinite(X[(size_t) r * d + k]))
                return fy_error_set(err, FY_EINPUT, "the data hold %g at row %ld, column %d; "
                                    "remove the non-finite rows", X[(size_t) r * d + k], r, k);
        row_stats(t, X + (size_t) r * d, d);
        for (k = 0; k < NP; k++)
            c.tbar[k] += t[k] / (double) n;
    }
    data_grid(&c.R, &c.h, X, n, d);
    /* the density reached the grid's edge: a wider grid (at most 800 steps each side) */
    for (w = 0;; w++)
    {
        rc = fit_on_grid(F, &c, n, err);
        if (rc != FY_EINPUT || w == 3)
            return rc;
        c.R *= 1.5;
        if (c.R / c.h > 800.0)
            c.h = c.R / 800.0;
    }
}
