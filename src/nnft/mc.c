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

/* Parameters of one network: N (d + 2) + 1 normals, and 2N uniforms when used. */
static size_t net_nz(const net_t *n)
{
    return (size_t) (n->N * (n->d + 2) + 1);
}

static int net_uses_uniforms(const net_t *n)
{
    return n->act == FY_NNFT_COS || n->mix_p < 1.0;
}

/* Outputs f(x_p) (out[p * ld]) of the network whose normals are z (W0 row-major N x d, b0, a,
 * b1; overwritten) and uniforms u (Cos-net phases c_i, then the mixture draws of a_i); h is
 * scratch of N doubles. */
static void net_eval(double *out, slong ld, const net_t *n, double *z, const double *u,
                     double *h)
{
    const slong N = n->N, d = n->d;
    double *W = z, *b0 = z + N * d, *a = b0 + N, b1;
    slong i, p, c;
    b1 = n->sb * z[N * (d + 2)];
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
        double f = 0.0;
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
        out[p * ld] = b1 + f;
    }
}

int fy_nnft_network_outputs(double *out, const fy_nnft_spec_t s, uint64_t seed, uint64_t k,
                            fy_error_t err)
{
    net_t n;
    double *z, *u, *h;
    int rc = net_init(&n, s, seed, err);
    if (rc != FY_OK)
        return rc;
    if ((z = fy_malloc(net_nz(&n) + (size_t) (3 * n.N), sizeof(double), err)) == NULL)
    {
        net_clear(&n);
        return FY_ENOMEM;
    }
    u = z + net_nz(&n);
    h = u + 2 * n.N;
    fy_rng_normals(z, net_nz(&n), n.gn, k, 0);
    if (net_uses_uniforms(&n))
        fy_rng_uniforms(u, (uint64_t) (2 * n.N), n.gu, k, 0);
    net_eval(out, 1, &n, z, u, h);
    free(z);
    net_clear(&n);
    return FY_OK;
}

/* ------------------------------------------------------------------ accumulation
 * Networks are evaluated BATCH at a time into F (P x BATCH, structure of arrays: F[p BATCH + l]
 * is f(x_p) of network l of the batch).  The products of the sorted tuples are built from the
 * pair products pp_ij = f_i f_j: a 4-tuple (i, j, k, l) is pp_ij pp_kl, a 6-tuple
 * (i, j, k, l, m, n) its 4-tuple prefix times pp_mn.  Walking the 4-tuples in lexicographic
 * order and, for each, the pairs (m, n) with m >= l in lexicographic order visits the
 * 6-tuples in lexicographic order (the order of fy_nnft_tuples).  Each product is summed with
 * its square over the batch in 8 fixed lanes, then the lanes in a fixed tree: the same
 * operations whatever the thread or the vector width. */
#define BATCH 64
#define SUMLANES 8

static inline double lane_total(const double s[SUMLANES])
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* sum += sum_l x_l y_l, sq += sum_l (x_l y_l)^2; out_l = x_l y_l. */
static inline void prod_store(double *restrict out, double *sum, double *sq,
                              const double *restrict x, const double *restrict y)
{
    double s[SUMLANES] = {0}, t[SUMLANES] = {0};
    int b, j;
    for (b = 0; b < BATCH; b += SUMLANES)
        for (j = 0; j < SUMLANES; j++)
        {
            double v = x[b + j] * y[b + j];
            out[b + j] = v;
            s[j] += v;
            t[j] += v * v;
        }
    *sum += lane_total(s);
    *sq += lane_total(t);
}

static inline void prod_acc(double *sum, double *sq, const double *restrict x,
                            const double *restrict y)
{
    double s[SUMLANES] = {0}, t[SUMLANES] = {0};
    int b, j;
    for (b = 0; b < BATCH; b += SUMLANES)
        for (j = 0; j < SUMLANES; j++)
        {
            double v = x[b + j] * y[b + j];
            s[j] += v;
            t[j] += v * v;
        }
    *sum += lane_total(s);
    *sq += lane_total(t);
}

/* On x86-64 the accumulation is also compiled for AVX2 and chosen at load time; AVX2 has no
 * FMA, so both versions compute the same doubles. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define FY_ACC_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FY_ACC_CLONES
#endif

/* Adds the products of one batch F to sum, sq (tuples of n = 2, 4, 6 from off[0], off[1],
 * off[2]).  pp: P (P + 1) / 2 x BATCH scratch, q: BATCH scratch, pstart[i]: the index of the
 * pair (i, i). */
FY_ACC_CLONES static void accumulate(double *sum, double *sq, const slong off[3], const double *F, slong P,
                       const slong *pstart, double *pp, double *q)
{
    const slong npair = P * (P + 1) / 2;
    slong i, j, k, l, u, t2 = off[0], t4 = off[1], t6 = off[2];
    for (i = 0, u = 0; i < P; i++)
        for (j = i; j < P; j++, t2++, u++)
            prod_store(pp + (size_t) u * BATCH, sum + t2, sq + t2, F + i * BATCH, F + j * BATCH);
    for (i = 0; i < P; i++)
        for (j = i; j < P; j++)
        {
            const double *pij = pp + (size_t) (pstart[i] + j - i) * BATCH;
            for (k = j; k < P; k++)
                for (l = k; l < P; l++, t4++)
                {
                    prod_store(q, sum + t4, sq + t4, pij,
                               pp + (size_t) (pstart[k] + l - k) * BATCH);
                    for (u = pstart[l]; u < npair; u++, t6++)
                        prod_acc(sum + t6, sq + t6, q, pp + (size_t) u * BATCH);
                }
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
    slong off[3], T = 0, t, npair, *pstart = NULL;
    int a, rc, uses_u, zbatch;
    double *chunk_sum = NULL, *tot_sq = NULL, *part = NULL, t0 = fy_wall_time(), **scr = NULL;
    uint64_t c, round_blocks;
    size_t nz, zlen, ulen;
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
    /* per-thread scratch: F, pair products, q, the parameters of a batch (short runs) or of
     * one network, and the pre-activations */
    npair = n.P * (n.P + 1) / 2;
    nz = net_nz(&n);
    uses_u = net_uses_uniforms(&n);
    zbatch = nz < 4 * BATCH;
    zlen = zbatch ? BATCH * nz : nz;
    ulen = (zbatch ? BATCH : 1) * 2 * (size_t) n.N;
    if (rc == FY_OK)
    {
        pstart = fy_malloc((size_t) n.P, sizeof(slong), err);
        scr = fy_calloc((size_t) mc->threads, sizeof(double *), err);
        if (pstart == NULL || scr == NULL)
            rc = FY_ENOMEM;
        for (a = 0; rc == FY_OK && a < n.P; a++)
            pstart[a] = a == 0 ? 0 : pstart[a - 1] + (n.P - a + 1);
        for (a = 0; rc == FY_OK && a < mc->threads; a++)
            if ((scr[a] = fy_malloc((size_t) ((n.P + npair + 1) * BATCH) + zlen + ulen
                                           + (size_t) n.N, sizeof(double), err)) == NULL)
                rc = FY_ENOMEM;
    }
    for (c = 0; c < FY_NNFT_CHUNKS && rc == FY_OK; c++)
    {
        uint64_t lo = M * c / FY_NNFT_CHUNKS, hi = M * (c + 1) / FY_NNFT_CHUNKS;
        uint64_t nblocks = (hi - lo + BLOCK - 1) / BLOCK, b0;
        for (b0 = 0; b0 < nblocks; b0 += round_blocks)
        {
            uint64_t nb = nblocks - b0 < round_blocks ? nblocks - b0 : round_blocks, r;
            long long rb;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(mc->threads)
#endif
            for (rb = 0; rb < (long long) nb; rb++)
            {
                double *sum = part + (size_t) rb * 2 * (size_t) T, *sq = sum + T;
                uint64_t k0 = lo + (b0 + (uint64_t) rb) * BLOCK;
                uint64_t k1 = k0 + BLOCK < hi ? k0 + BLOCK : hi, kb;
#ifdef _OPENMP
                double *F = scr[omp_get_thread_num()];
#else
                double *F = scr[0];
#endif
                double *PP = F + n.P * BATCH, *Q = PP + npair * BATCH, *Z = Q + BATCH;
                double *U = Z + zlen, *H = U + ulen;
                memset(sum, 0, 2 * (size_t) T * sizeof(double));
                for (kb = k0; kb < k1; kb += BATCH)
                {
                    slong nb_l = (slong) (k1 - kb < BATCH ? k1 - kb : BATCH), l, p;
                    if (zbatch)
                    {
                        /* short parameter runs: many networks side by side */
                        fy_rng_normals_streams(Z, nz, nz, n.gn, kb, (uint64_t) nb_l);
                        if (uses_u)
                            fy_rng_uniforms_streams(U, (uint64_t) (2 * n.N), (uint64_t) (2 * n.N),
                                                    n.gu, kb, (uint64_t) nb_l);
                    }
                    for (l = 0; l < nb_l; l++)
                    {
                        double *zl = zbatch ? Z + (size_t) l * nz : Z;
                        double *ul = zbatch ? U + (size_t) l * 2 * (size_t) n.N : U;
                        if (!zbatch)
                        {
                            fy_rng_normals(zl, nz, n.gn, kb + (uint64_t) l, 0);
                            if (uses_u)
                                fy_rng_uniforms(ul, (uint64_t) (2 * n.N), n.gu,
                                                kb + (uint64_t) l, 0);
                        }
                        net_eval(F + l, BATCH, &n, zl, ul, H);
                    }
                    for (p = 0; p < n.P; p++)
                        for (l = nb_l; l < BATCH; l++)
                            F[p * BATCH + l] = 0.0;
                    accumulate(sum, sq, off, F, n.P, pstart, PP, Q);
                }
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
    for (a = 0; scr != NULL && a < mc->threads; a++)
        free(scr[a]);
    free(scr);
    free(pstart);
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
