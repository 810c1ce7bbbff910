/* stats.c - Markov chain statistics: integrated autocorrelation time (Sokal's window), split
 * R-hat, and moments and cumulants with batch-means standard errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/sample.h"

#define SOKAL_C 5.0

double fy_sample_tau_int(const double *x, slong chains, slong n)
{
    double *mean, g0 = 0.0, tau = 1.0;
    slong c, t, s;
    if (n < 2 || chains < 1)
        return NAN;
    mean = malloc((size_t) chains * sizeof(double));
    if (mean == NULL)
        return NAN;
    for (c = 0; c < chains; c++)
    {
        double m = 0.0;
        for (s = 0; s < n; s++)
            m += x[c * n + s];
        mean[c] = m / (double) n;
        for (s = 0; s < n; s++)
        {
            double y = x[c * n + s] - mean[c];
            g0 += y * y;
        }
    }
    if (!(g0 > 0.0))
    {
        free(mean);
        return NAN;
    }
    for (t = 1; t < n; t++)
    {
        double g = 0.0;
        for (c = 0; c < chains; c++)
        {
            const double *y = x + c * n;
            for (s = 0; s + t < n; s++)
                g += (y[s] - mean[c]) * (y[s + t] - mean[c]);
        }
        tau += 2.0 * g / g0;
        if ((double) t >= SOKAL_C * tau)
            break;
    }
    free(mean);
    return tau;
}

double fy_sample_split_rhat(const double *x, slong chains, slong n)
{
    slong h = n / 2, m = 2 * chains, j, s;
    double W = 0.0, B, mm = 0.0, *mu;
    if (n < 4 || chains < 1)
        return NAN;
    mu = malloc((size_t) m * sizeof(double));
    if (mu == NULL)
        return NAN;
    for (j = 0; j < m; j++)
    {
        /* half-chain j: chain j / 2, first or second half (the middle draw of odd n dropped) */
        const double *y = x + (j / 2) * n + (j % 2 ? n - h : 0);
        double a = 0.0, v = 0.0;
        for (s = 0; s < h; s++)
            a += y[s];
        a /= (double) h;
        for (s = 0; s < h; s++)
            v += (y[s] - a) * (y[s] - a);
        W += v / (double) (h - 1);
        mu[j] = a;
        mm += a;
    }
    W /= (double) m;
    mm /= (double) m;
    B = 0.0;
    for (j = 0; j < m; j++)
        B += (mu[j] - mm) * (mu[j] - mm);
    B = B * (double) h / (double) (m - 1);
    free(mu);
    if (!(W > 0.0))
        return NAN;
    return sqrt((((double) h - 1.0) / (double) h * W + B / (double) h) / W);
}

slong fy_sample_batches(slong chains, slong n)
{
    slong b = (32 + chains - 1) / chains;
    if (b > n / 2)
        b = n / 2;
    return b < 1 ? 1 : b;
}

/* Per-draw statistics: site moments phi^1..4, then symmetrised link moments
 * M11, M21, M22, M31 (see sample.h). */
#define NSTAT 8

static void draw_stats(double *st, const double *phi, const fy_ltheory_t T, slong nlinks)
{
    int i, d = T->nsites;
    slong l;
    memset(st, 0, NSTAT * sizeof(double));
    for (i = 0; i < d; i++)
    {
        double p = phi[i], p2 = p * p;
        st[0] += p;
        st[1] += p2;
        st[2] += p2 * p;
        st[3] += p2 * p2;
    }
    for (i = 0; i < 4; i++)
        st[i] /= d;
    if (nlinks == 0)
        return;
    for (l = 0; l < T->nlinks; l++)
    {
        double a = phi[T->link_i[l]], b = phi[T->link_j[l]];
        if (T->link_i[l] == T->link_j[l])
            continue;
        st[4] += a * b;
        st[5] += 0.5 * (a * a * b + a * b * b);
        st[6] += a * a * b * b;
        st[7] += 0.5 * (a * a * a * b + a * b * b * b);
    }
    for (i = 4; i < NSTAT; i++)
        st[i] /= (double) nlinks;
}

/* Cumulants from averaged statistics: out[0..3] on-site, out[4..7] nearest neighbour. */
static void cumulants_of(double *out, const double *st, int links)
{
    double m1 = st[0], m2 = st[1], m3 = st[2], m4 = st[3];
    double M11 = st[4], M21 = st[5], M22 = st[6], M31 = st[7], q = m1 * m1;
    out[0] = m1;
    out[1] = m2 - q;
    out[2] = m3 - 3.0 * m2 * m1 + 2.0 * q * m1;
    out[3] = m4 - 4.0 * m3 * m1 - 3.0 * m2 * m2 + 12.0 * m2 * q - 6.0 * q * q;
    if (!links)
    {
        out[4] = out[5] = out[6] = out[7] = NAN;
        return;
    }
    out[4] = M11 - q;
    out[5] = M21 - m2 * m1 - 2.0 * M11 * m1 + 2.0 * q * m1;
    out[6] = M22 - m2 * m2 - 2.0 * M11 * M11 - 4.0 * m1 * M21 + 4.0 * q * m2 + 8.0 * q * M11 -
             6.0 * q * q;
    out[7] = M31 - 3.0 * m1 * M21 - m1 * m3 - 3.0 * m2 * M11 + 6.0 * m2 * q + 6.0 * M11 * q -
             6.0 * q * q;
}

/* Batch means of a function f (raw moments or cumulants) of the averaged statistics:
 * est[k] from all draws, se[k] from the spread over chains * batches batch values. */
static int batch_means(double *est, double *se, int nout, int cumulants, const double *draws,
                       slong chains, slong n, const fy_ltheory_t T, slong *nbatches,
                       fy_error_t err)
{
    slong b = fy_sample_batches(chains, n), B = chains * b, c, j, t, nl = 0, l;
    double *acc, *vals, tot[NSTAT] = {0}, st[NSTAT], out[NSTAT];
    int k;
    for (l = 0; l < T->nlinks; l++)
        nl += T->link_i[l] != T->link_j[l];
    acc = calloc((size_t) B * NSTAT, sizeof(double));
    vals = calloc((size_t) B * NSTAT, sizeof(double));
    if (acc == NULL || vals == NULL)
    {
        free(acc);
        free(vals);
        return fy_error_set(err, FY_ENOMEM, "batch means: out of memory");
    }
    for (c = 0; c < chains; c++)
        for (j = 0; j < b; j++)
        {
            slong t0 = j * n / b, t1 = (j + 1) * n / b;
            double *a = acc + (c * b + j) * NSTAT;
            for (t = t0; t < t1; t++)
            {
                draw_stats(st, draws + (size_t) (c * n + t) * (size_t) T->nsites, T, nl);
                for (k = 0; k < NSTAT; k++)
                    a[k] += st[k];
            }
            for (k = 0; k < NSTAT; k++)
            {
                tot[k] += a[k];
                a[k] /= (double) (t1 - t0);
            }
        }
    for (k = 0; k < NSTAT; k++)
        tot[k] /= (double) (chains * n);
    if (cumulants)
        cumulants_of(est, tot, nl > 0);
    else
        memcpy(est, tot, (size_t) nout * sizeof(double));
    for (j = 0; j < B; j++)
    {
        if (cumulants)
            cumulants_of(vals + j * NSTAT, acc + j * NSTAT, nl > 0);
        else
            memcpy(vals + j * NSTAT, acc + j * NSTAT, NSTAT * sizeof(double));
    }
    for (k = 0; k < nout; k++)
    {
        double m = 0.0, v = 0.0;
        for (j = 0; j < B; j++)
            m += vals[j * NSTAT + k];
        m /= (double) B;
        for (j = 0; j < B; j++)
            v += (vals[j * NSTAT + k] - m) * (vals[j * NSTAT + k] - m);
        se[k] = B > 1 ? sqrt(v / (double) (B - 1) / (double) B) : NAN;
    }
    (void) out;
    *nbatches = B;
    free(acc);
    free(vals);
    return FY_OK;
}

static int check_args(const double *draws, slong chains, slong n, fy_error_t err)
{
    if (draws == NULL || chains < 1 || n < 2)
        return fy_error_set(err, FY_EUSAGE, "statistics need at least one chain of 2 draws");
    return FY_OK;
}

int fy_sample_moments(double m[4], double se[4], const double *draws, slong chains, slong n,
                      int nsites, fy_error_t err)
{
    fy_ltheory_t T;
    double e[NSTAT], s[NSTAT];
    slong B;
    int rc;
    if ((rc = check_args(draws, chains, n, err)) != FY_OK)
        return rc;
    fy_ltheory_init(T);
    T->nsites = nsites; /* no links: only the site statistics */
    rc = batch_means(e, s, 4, 0, draws, chains, n, T, &B, err);
    fy_ltheory_clear(T);
    memcpy(m, e, 4 * sizeof(double));
    memcpy(se, s, 4 * sizeof(double));
    return rc;
}

int fy_sample_cumulants(fy_cumulants_struct *K, const double *draws, slong chains, slong n,
                        const fy_ltheory_t T, fy_error_t err)
{
    double e[NSTAT], s[NSTAT];
    int rc;
    if ((rc = check_args(draws, chains, n, err)) != FY_OK)
        return rc;
    if ((rc = batch_means(e, s, NSTAT, 1, draws, chains, n, T, &K->batches, err)) != FY_OK)
        return rc;
    memcpy(K->site, e, 4 * sizeof(double));
    memcpy(K->site_se, s, 4 * sizeof(double));
    memcpy(K->nn, e + 4, 4 * sizeof(double));
    memcpy(K->nn_se, s + 4, 4 * sizeof(double));
    return FY_OK;
}
