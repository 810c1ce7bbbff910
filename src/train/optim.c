/* Optimiser pieces shared by the trainers: L-BFGS and the Adam update (optim.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/error.h"
#include "train/optim.h"

static double dotv(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    size_t i;
    for (i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int _fy_lbfgs_minimize(double *P, size_t np, int iters, int mem, double gtol, fy_optim_fg_fn fg,
                       void *fctx, fy_optim_hook_fn hook, void *hctx, fy_error_t err, int *rc)
{
    double *S = fy_malloc((size_t) mem * np, sizeof(double), err);
    double *Y = fy_malloc((size_t) mem * np, sizeof(double), err);
    double *rho = fy_malloc((size_t) mem, sizeof(double), err);
    double *al = fy_malloc((size_t) mem, sizeof(double), err);
    double *g = fy_malloc(np, sizeof(double), err), *gn = fy_malloc(np, sizeof(double), err);
    double *dir = fy_malloc(np, sizeof(double), err), *Pn = fy_malloc(np, sizeof(double), err);
    double f, fn = 0, gamma = 1.0;
    int it, head = 0, cnt = 0, done = 0;
    size_t j;

    *rc = FY_OK;
    if (!S || !Y || !rho || !al || !g || !gn || !dir || !Pn)
    {
        *rc = FY_ENOMEM;
        goto out;
    }
    f = fg(fctx, P, g);
    for (it = 0; it < iters; it++)
    {
        double gmax = 0.0, gd, t;
        int q, ls;
        for (j = 0; j < np; j++)
            gmax = fmax(gmax, fabs(g[j]));
        if (!(gmax > gtol))
            break;
        /* two-loop recursion: dir = -H g */
        for (j = 0; j < np; j++)
            dir[j] = -g[j];
        for (q = 0; q < cnt; q++)
        {
            int s = (head - 1 - q + mem) % mem;
            al[s] = rho[s] * dotv(S + (size_t) s * np, dir, np);
            for (j = 0; j < np; j++)
                dir[j] -= al[s] * Y[(size_t) s * np + j];
        }
        for (j = 0; j < np; j++)
            dir[j] *= gamma;
        for (q = cnt - 1; q >= 0; q--)
        {
            int s = (head - 1 - q + mem) % mem;
            double be = rho[s] * dotv(Y + (size_t) s * np, dir, np);
            for (j = 0; j < np; j++)
                dir[j] += (al[s] - be) * S[(size_t) s * np + j];
        }
        gd = dotv(g, dir, np);
        if (!(gd < 0))
        {
            /* not a descent direction: restart from steepest descent */
            cnt = 0;
            gamma = 1.0;
            for (j = 0; j < np; j++)
                dir[j] = -g[j];
            gd = dotv(g, dir, np);
        }
        t = cnt == 0 ? fmin(1.0, 1.0 / sqrt(-gd)) : 1.0;
        /* backtracking line search with the Armijo condition */
        for (ls = 0; ls < 40; ls++)
        {
            for (j = 0; j < np; j++)
                Pn[j] = P[j] + t * dir[j];
            fn = fg(fctx, Pn, gn);
            if (isfinite(fn) && fn <= f + 1e-4 * t * gd)
                break;
            t *= 0.5;
        }
        if (ls == 40)
            break; /* no decrease found: at the floor of double precision */
        /* history update when the curvature is positive */
        {
            double *s = S + (size_t) head * np, *y = Y + (size_t) head * np, sy, yy;
            for (j = 0; j < np; j++)
            {
                s[j] = Pn[j] - P[j];
                y[j] = gn[j] - g[j];
            }
            sy = dotv(s, y, np);
            yy = dotv(y, y, np);
            if (sy > 1e-300 && yy > 0)
            {
                rho[head] = 1.0 / sy;
                gamma = sy / yy;
                head = (head + 1) % mem;
                if (cnt < mem)
                    cnt++;
            }
        }
        memcpy(P, Pn, np * sizeof(double));
        memcpy(g, gn, np * sizeof(double));
        f = fn;
        done = it + 1;
        if (hook && hook(hctx, done, P, f, t))
            break;
    }
out:
    free(S);
    free(Y);
    free(rho);
    free(al);
    free(g);
    free(gn);
    free(dir);
    free(Pn);
    return done;
}

void _fy_adam_update(double *P, const double *G, double *M1, double *M2, size_t n, double lr,
                     double beta1, double beta2, double eps, double c1, double c2, double wd)
{
    size_t j;
    for (j = 0; j < n; j++)
    {
        double g = G[j];
        M1[j] = beta1 * M1[j] + (1.0 - beta1) * g;
        M2[j] = beta2 * M2[j] + (1.0 - beta2) * g * g;
        P[j] -= lr * (M1[j] * c1 / (sqrt(M2[j] * c2) + eps) + wd * P[j]);
    }
}
