/* mc.c - Monte Carlo ensembles: M networks, never stored; products over every sorted 2-, 4-,
 * 6-tuple accumulated in fixed blocks and reduced in block order, so that the result is the
 * same for any number of OpenMP threads (feynn/nnft.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "feynn/rng.h"
#include "feynn/util.h"
#include "nnft/nnft_internal.h"

#define BLOCK 256             /* networks per block (fixed: the reduction order) */
#define ROUND_BYTES (64 << 20) /* partial sums held at once, at most */
#define MAX_TUPLES (1 << 22)

/* The ensemble in doubles. */
typedef struct
{
    fy_nnft_act_t act;
    slong d, N, P;
    double sw, sb, sa;  /* scales of W0 entries, biases, output weights (sigma_a / sqrt N) */
    double mix_p, mix_s; /* output-weight mixture: nonzero with probability mix_p, scale mix_s */
    double *x;          /* P x d points */
    double *norm;       /* Gauss-net: Sigma(x, x) per point */
    fy_rng_t gn, gu;    /* normals and uniforms */
} net_t;

static void net_clear(net_t *n)
{
    free(n->x);
    free(n->norm);
}

static int net_init(net_t *n, const fy_nnft_spec_t s, uint64_t seed, fy_error_t err)
{
    slong p, k;
    double K;
    memset(n, 0, sizeof *n);
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "no input points (give 'inputs' or 'point' lines "
                            "in the spec, or a points file)");
    if (s->d_out != 1)
        return fy_error_set(err, FY_EUNSUPPORTED, "only d_out = 1 is sampled (the outputs "
                            "of a wider network are independent copies)");
    n->act = s->act;
    n->d = s->d;
    n->N = s->width;
    n->P = s->npoints;
    n->sw = fy_fmpq_get_d(s->sigma_W) / sqrt((double) s->d);
    n->sb = fy_fmpq_get_d(s->sigma_b);
    n->sa = fy_fmpq_get_d(s->sigma_a) / sqrt((double) s->width);
    K = fy_fmpq_get_d(s->kurtosis);
    n->mix_p = 3.0 / K;
    n->mix_s = sqrt(K / 3.0);
    n->x = fy_malloc((size_t) (n->P * n->d), sizeof(double), err);
    n->norm = fy_calloc((size_t) n->P, sizeof(double), err);
    if (n->x == NULL || n->norm == NULL)
    {
        net_clear(n);
        return FY_ENOMEM;
    }
    for (p = 0; p < n->P; p++)
    {
        double r2 = 0;
        for (k = 0; k < n->d; k++)
        {
            n->x[p * n->d + k] = fy_fmpq_get_d(s->points + p * s->d + k);
            r2 += n->x[p * n->d + k] * n->x[p * n->d + k];
        }
        n->norm[p] = n->sb * n->sb + n->sw * n->sw * r2;
    }
    fy_rng_init(n->gn, seed, FY_RNG_PURPOSE_NNFT_PARAMS);
    fy_rng_init(n->gu, seed, FY_RNG_PURPOSE_NNFT_UNIFORM);
    return FY_OK;
}

/* Scratch of one evaluation: N (d + 2) + 1 normals, 2N uniforms, N pre-activations. */
static size_t net_scratch(const net_t *n)
{
    return (size_t) (n->N * (n->d + 2) + 1 + 3 * n->N);
}

/* Outputs f(x_p) of network k.  Normals of stream k: W0 (row-major N x d), b0, a, b1;
 * uniforms: Cos-net phases c_i, then the mixture draws of a_i. */
static void net_eval(double *out, const net_t *n, uint64_t k, double *scr)
{
    const slong N = n->N, d = n->d;
    double *z = scr, *u = scr + N * (d + 2) + 1, *h = u + 2 * N;
    double *W = z, *b0 = z + N * d, *a = b0 + N, b1;
    slong i, p, c;
    fy_rng_normals(z, (uint64_t) (N * (d + 2) + 1), n->gn, k, 0);
    b1 = n->sb * z[N * (d + 2)];
    if (n->act == FY_NNFT_COS || n->mix_p < 1.0)
        fy_rng_uniforms(u, (uint64_t) (2 * N), n->gu, k, 0);
    for (i = 0; i < N; i++)
    {
        double ai = n->sa * a[i];
        if (n->mix_p < 1.0)
            ai = u[N + i] < n->mix_p ? ai * n->mix_s : 0.0;
        a[i] = ai;
        b0[i] = n->act == FY_NNFT_COS ? M_PI * (2.0 * u[i] - 1.0) : n->sb * b0[i];
    }
    if (n->act == FY_NNFT_COS)
        b1 = 0.0;
    for (p = 0; p < n->P; p++)
    {
        const double *x = n->x + p * d;
        double f = b1;
        /* pre-activations of every neuron at x_p, then the activation in a loop of its own */
        if (d == 1)
        {
            const double sx = n->sw * x[0];
            for (i = 0; i < N; i++)
                h[i] = b0[i] + sx * W[i];
        }
        else
            for (i = 0; i < N; i++)
            {
                double zz = b0[i];
                for (c = 0; c < d; c++)
                    zz += n->sw * W[i * d + c] * x[c];
                h[i] = zz;
            }
        switch (n->act)
        {
        case FY_NNFT_ERF:
            for (i = 0; i < N; i++)
                f += a[i] * erf(h[i]);
            break;
        case FY_NNFT_RELU:
            for (i = 0; i < N; i++)
                f += h[i] > 0 ? a[i] * h[i] : 0.0;
            break;
        case FY_NNFT_GAUSS:
            for (i = 0; i < N; i++)
                f += a[i] * exp(h[i] - n->norm[p]);
            break;
        case FY_NNFT_COS:
            for (i = 0; i < N; i++)
                f += a[i] * cos(h[i]);
            break;
        case FY_NNFT_TANH:
            for (i = 0; i < N; i++)
                f += a[i] * tanh(h[i]);
            break;
        case FY_NNFT_SIN:
            for (i = 0; i < N; i++)
                f += a[i] * sin(h[i]);
            break;
        default:
            break;
        }
        out[p] = f;
    }
}

int fy_nnft_network_outputs(double *out, const fy_nnft_spec_t s, uint64_t seed, uint64_t k,
                            fy_error_t err)
{
    net_t n;
    double *scr;
    int rc = net_init(&n, s, seed, err);
    if (rc != FY_OK)
        return rc;
    if ((scr = fy_malloc(net_scratch(&n), sizeof(double), err)) == NULL)
    {
        net_clear(&n);
        return FY_ENOMEM;
    }
    net_eval(out, &n, k, scr);
    free(scr);
    net_clear(&n);
    return FY_OK;
}

/* ------------------------------------------------------------------ accumulation
 * One depth-first walk over the non-decreasing index sequences of length <= 6 visits the
 * sequences of each length in lexicographic order (the order of fy_nnft_tuples), carrying
 * prefix products; lengths 2, 4, 6 add f_i1..f_in and its square to their sums. */
static void accumulate(double *sum, double *sq, const slong off[3], const double *f, slong P)
{
    slong pos[3] = {off[0], off[1], off[2]};
    slong stack[7];
    double prod[7];
    int depth = 1;
    prod[0] = 1.0;
    stack[1] = 0;
    while (depth > 0)
    {
        if (stack[depth] >= P)
        {
            depth--;
            if (depth > 0)
                stack[depth]++;
            continue;
        }
        prod[depth] = prod[depth - 1] * f[stack[depth]];
        if ((depth & 1) == 0)
        {
            slong t = pos[depth / 2 - 1]++;
            sum[t] += prod[depth];
            sq[t] += prod[depth] * prod[depth];
        }
        if (depth < 6)
        {
            stack[depth + 1] = stack[depth];
            depth++;
        }
        else
            stack[depth]++;
    }
}

void fy_nnft_mc_init(fy_nnft_mc_t mc)
{
    memset(mc, 0, sizeof *mc);
}

void fy_nnft_mc_clear(fy_nnft_mc_t mc)
{
    int a;
    for (a = 0; a < 3; a++)
    {
        free(mc->idx[a]);
        free(mc->mean[a]);
    }
    memset(mc, 0, sizeof *mc);
}

int fy_nnft_sample(fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                   int threads, fy_error_t err)
{
    net_t n;
    slong off[3], T = 0, t;
    int a, rc, failed = 0;
    double *chunk_sum = NULL, *tot_sq = NULL, *part = NULL, t0 = fy_wall_time();
    uint64_t c, round_blocks;
    fy_nnft_mc_clear(mc);
    if (M < FY_NNFT_CHUNKS)
        return fy_error_set(err, FY_EINPUT, "at least %d networks (one per chunk), not %llu",
                            FY_NNFT_CHUNKS, (unsigned long long) M);
    if ((rc = fy_nnft_spec_check(s, err)) != FY_OK || (rc = net_init(&n, s, seed, err)) != FY_OK)
        return rc;
    for (a = 0; a < 3; a++)
    {
        off[a] = T;
        T += fy_nnft_tuple_count(n.P, 2 * a + 2);
    }
    if (T > MAX_TUPLES)
    {
        net_clear(&n);
        return fy_error_set(err, FY_ENOMEM, "%ld points give %ld sorted tuples up to n = 6; "
                            "at most %d: use fewer points", (long) n.P, (long) T, MAX_TUPLES);
    }
    for (a = 0; a < 3 && rc == FY_OK; a++)
    {
        slong cnt;
        rc = fy_nnft_tuples(&mc->idx[a], &cnt, n.P, 2 * a + 2, err);
        mc->count[a] = cnt;
        if (rc == FY_OK)
        {
            /* one allocation per n: mean, se, chunk means, hms mean, hms std */
            mc->mean[a] = fy_malloc((size_t) cnt * (4 + FY_NNFT_CHUNKS), sizeof(double), err);
            if (mc->mean[a] == NULL)
                rc = FY_ENOMEM;
            else
            {
                mc->se[a] = mc->mean[a] + cnt;
                mc->hms_mean[a] = mc->se[a] + cnt;
                mc->hms_std[a] = mc->hms_mean[a] + cnt;
                mc->chunk[a] = mc->hms_std[a] + cnt;
            }
        }
    }
    round_blocks = (uint64_t) (ROUND_BYTES / (2 * sizeof(double) * (size_t) T));
    if (round_blocks < 1)
        round_blocks = 1;
    if (round_blocks > 64)
        round_blocks = 64;
    if (rc == FY_OK)
    {
        chunk_sum = fy_calloc((size_t) T * FY_NNFT_CHUNKS, sizeof(double), err);
        tot_sq = fy_calloc((size_t) T, sizeof(double), err);
        part = fy_malloc((size_t) T * 2 * round_blocks, sizeof(double), err);
        if (chunk_sum == NULL || tot_sq == NULL || part == NULL)
            rc = FY_ENOMEM;
    }
#ifdef _OPENMP
    mc->threads = threads > 0 ? threads : omp_get_max_threads();
#else
    mc->threads = 1;
#endif
    for (c = 0; c < FY_NNFT_CHUNKS && rc == FY_OK; c++)
    {
        uint64_t lo = M * c / FY_NNFT_CHUNKS, hi = M * (c + 1) / FY_NNFT_CHUNKS;
        uint64_t nblocks = (hi - lo + BLOCK - 1) / BLOCK, b0;
        for (b0 = 0; b0 < nblocks && !failed; b0 += round_blocks)
        {
            uint64_t nb = nblocks - b0 < round_blocks ? nblocks - b0 : round_blocks, r;
            long long rb;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(mc->threads)
#endif
            for (rb = 0; rb < (long long) nb; rb++)
            {
                double *sum = part + (size_t) rb * 2 * (size_t) T, *sq = sum + T, *scr, *f;
                uint64_t k, k0 = lo + (b0 + (uint64_t) rb) * BLOCK;
                uint64_t k1 = k0 + BLOCK < hi ? k0 + BLOCK : hi;
                memset(sum, 0, 2 * (size_t) T * sizeof(double));
                scr = malloc((net_scratch(&n) + (size_t) n.P) * sizeof(double));
                if (scr == NULL)
                {
#ifdef _OPENMP
#pragma omp atomic write
#endif
                    failed = 1;
                    continue;
                }
                f = scr + net_scratch(&n);
                for (k = k0; k < k1; k++)
                {
                    net_eval(f, &n, k, scr);
                    accumulate(sum, sq, off, f, n.P);
                }
                free(scr);
            }
            /* reduce in block order */
            for (r = 0; r < nb; r++)
            {
                const double *sum = part + (size_t) r * 2 * (size_t) T, *sq = sum + T;
                double *cs = chunk_sum + (size_t) c * (size_t) T;
                for (t = 0; t < T; t++)
                {
                    cs[t] += sum[t];
                    tot_sq[t] += sq[t];
                }
            }
        }
    }
    if (failed && rc == FY_OK)
        rc = fy_error_set(err, FY_ENOMEM, "out of memory in a sampling thread");
    if (rc == FY_OK)
    {
        for (a = 0; a < 3; a++)
            for (t = 0; t < mc->count[a]; t++)
            {
                slong g = off[a] + t;
                double tot = 0, cm = 0, var = 0, mean, v;
                for (c = 0; c < FY_NNFT_CHUNKS; c++)
                {
                    uint64_t lo = M * c / FY_NNFT_CHUNKS, hi = M * (c + 1) / FY_NNFT_CHUNKS;
                    double m = chunk_sum[c * (uint64_t) T + (uint64_t) g] / (double) (hi - lo);
                    mc->chunk[a][t * FY_NNFT_CHUNKS + (slong) c] = m;
                    tot += chunk_sum[c * (uint64_t) T + (uint64_t) g];
                    cm += m;
                }
                cm /= FY_NNFT_CHUNKS;
                for (c = 0; c < FY_NNFT_CHUNKS; c++)
                {
                    double e = mc->chunk[a][t * FY_NNFT_CHUNKS + (slong) c] - cm;
                    var += e * e;
                }
                mean = tot / (double) M;
                v = (tot_sq[g] - tot * mean) / (double) (M - 1);
                mc->mean[a][t] = mean;
                mc->se[a][t] = sqrt((v > 0 ? v : 0) / (double) M);
                mc->hms_mean[a][t] = cm;
                mc->hms_std[a][t] = sqrt(var / FY_NNFT_CHUNKS);
            }
        mc->networks = M;
        mc->seed = seed;
        mc->seconds = fy_wall_time() - t0;
    }
    free(chunk_sum);
    free(tot_sq);
    free(part);
    net_clear(&n);
    if (rc != FY_OK)
        fy_nnft_mc_clear(mc);
    return rc;
}

void fy_nnft_mc_deviation(double *m, double *background, slong *used, const fy_nnft_mc_t mc,
                          int a, const double *gp)
{
    slong t, u = 0;
    double sm = 0, sb = 0;
    for (t = 0; t < mc->count[a]; t++)
    {
        if (gp[t] == 0.0)
            continue;
        sm += fabs(mc->hms_mean[a][t] - gp[t]) / fabs(gp[t]);
        sb += mc->hms_std[a][t] / fabs(gp[t]);
        u++;
    }
    *m = u ? sm / (double) u : 0.0;
    *background = u ? sb / (double) u : 0.0;
    *used = u;
}

int fy_nnft_mc_wick(double *gp, const fy_nnft_mc_t mc, int a, const fy_nnft_spec_t s,
                    fy_error_t err)
{
    slong t;
    int rc = FY_OK;
    arb_t g;
    arb_init(g);
    for (t = 0; t < mc->count[a] && rc == FY_OK; t++)
    {
        rc = fy_nnft_wick(g, s, mc->idx[a] + t * (2 * a + 2), 2 * a + 2, 64, err);
        gp[t] = arb_contains_zero(g) ? 0.0 : arf_get_d(arb_midref(g), ARF_RND_NEAR);
    }
    arb_clear(g);
    return rc;
}

double fy_nnft_mc_chunk_kurtosis(const fy_nnft_mc_t mc, int a)
{
    slong t, used = 0;
    double acc = 0;
    for (t = 0; t < mc->count[a]; t++)
    {
        const double *c = mc->chunk[a] + t * FY_NNFT_CHUNKS;
        double m = 0, m2 = 0, m4 = 0;
        int k;
        for (k = 0; k < FY_NNFT_CHUNKS; k++)
            m += c[k];
        m /= FY_NNFT_CHUNKS;
        for (k = 0; k < FY_NNFT_CHUNKS; k++)
        {
            double e = (c[k] - m) * (c[k] - m);
            m2 += e;
            m4 += e * e;
        }
        if (m2 > 0)
        {
            m2 /= FY_NNFT_CHUNKS;
            m4 /= FY_NNFT_CHUNKS;
            acc += m4 / (m2 * m2);
            used++;
        }
    }
    return used ? acc / (double) used : 0.0;
}
