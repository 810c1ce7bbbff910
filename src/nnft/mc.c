/* mc.c - Monte Carlo ensembles: M networks, never stored; products over every sorted 2-, 4-,
 * 6-tuple accumulated in fixed blocks and reduced in block order, so that the result is the
 * same for any number of OpenMP threads and MPI ranks (feynn/nnft.h, feynn/par.h); resumable
 * from checkpoints; scans over widths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "feynn/par.h"
#include "feynn/rng.h"
#include "feynn/util.h"
#include "nnft/nnft_internal.h"

#define BLOCK 256             /* networks per block (fixed: the reduction order) */
#define BATCH 64               /* networks evaluated and accumulated together */
#define ROUND_BYTES (64 << 20) /* partial sums held at once, at most */
#define MAX_TUPLES (1 << 22)
#define EVAL_NEURONS 1024      /* pre-activations of a batch evaluated together (8 KB) */

/* On x86-64 the accumulation and the per-neuron loops (mc13) are also compiled for AVX-512 and
 * AVX2 and chosen at load time; none uses FMA (-ffp-contract=off) and none reorders a sum, so
 * every version computes the same doubles. */
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define FY_ACC_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define FY_ACC_CLONES
#endif
/* Elementwise loops vectorised whatever the optimisation level's cost model (-O2 of GCC 12
 * vectorises no loop of unknown length; issue 13: the pre-activations ran one by one): each
 * element is its own IEEE operations, so the doubles are those of the plain loop. */
#ifdef _OPENMP
#define FY_SIMD _Pragma("omp simd")
#else
#define FY_SIMD
#endif
/* The per-neuron loops, inlined into the clones of net_eval and net_eval_batch. */
#if defined(__GNUC__)
#define FY_EVAL_INLINE static inline __attribute__((always_inline))
#else
#define FY_EVAL_INLINE static inline
#endif

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
    const fy_nnft_spec_struct *es; /* qft14: a Euclidean input layer (euclid_mc.c), or NULL */
} net_t;

static void net_clear(net_t *n)
{
    free(n->x);
    free(n->norm);
}

/* Every field of s read here must also name the checkpoints (run_text below). */
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
    if (fy_nnft_is_euclid(s)) /* qft14: its networks are drawn by euclid_mc.c */
        n->es = s;
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

/* sum_i a_i h_i in fixed lanes, added by a fixed tree, the same order on every processor:
 * below DOT_WIDE neurons four lanes (i mod 4), added as (s0 + s1) + (s2 + s3); from DOT_WIDE
 * on 32 lanes (i mod 32) held as four vectors s_g of eight (lane 8 g + j), added as
 * (s_0 + s_2) + (s_1 + s_3) and then the eight lanes t_j of that as ((t0 + t4) + (t2 + t6))
 * + ((t1 + t5) + (t3 + t7)): independent chains that keep a vector unit busy (issue 13: the
 * single chain of four lanes left the sum latency bound at N = 1000). */
#define DOT_LANES 32
#define DOT_WIDE 128
FY_EVAL_INLINE double dot4(const double *a, const double *h, slong N)
{
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    slong i;
    for (i = 0; i + 4 <= N; i += 4)
    {
        s[0] += a[i] * h[i];
        s[1] += a[i + 1] * h[i + 1];
        s[2] += a[i + 2] * h[i + 2];
        s[3] += a[i + 3] * h[i + 3];
    }
    for (; i < N; i++)
        s[i & 3] += a[i] * h[i];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

/* Eight doubles as one vector (GCC/Clang vector extensions: elementwise IEEE operations,
 * never contracted, any alignment): the same doubles in every clone. */
typedef double v8d_t __attribute__((vector_size(8 * sizeof(double)), aligned(8), may_alias));

FY_EVAL_INLINE double dot_wide(const double *a, const double *h, slong N)
{
    v8d_t s[DOT_LANES / 8] = {{0}};
    double t[8];
    slong i, j;
    int g;
    for (i = 0; i + DOT_LANES <= N; i += DOT_LANES)
#pragma GCC unroll 4
        for (g = 0; g < DOT_LANES / 8; g++)
            s[g] += *(const v8d_t *) (a + i + 8 * g) * *(const v8d_t *) (h + i + 8 * g);
    for (j = 0; i + j < N; j++)
        s[j / 8][j % 8] += a[i + j] * h[i + j];
    /* lanes j and j + 16, then j and j + 8, then within the vector */
    s[0] = (s[0] + s[2]) + (s[1] + s[3]);
    for (g = 0; g < 8; g++)
        t[g] = s[0][g];
    return ((t[0] + t[4]) + (t[2] + t[6])) + ((t[1] + t[5]) + (t[3] + t[7]));
}

FY_EVAL_INLINE double dot(const double *a, const double *h, slong N)
{
    return N < DOT_WIDE ? dot4(a, h, N) : dot_wide(a, h, N);
}

/* The scaled parameters of the network whose normals are z (W0 row-major N x d, b0, a, b1) and
 * uniforms u (Cos-net phases c_i, then the mixture draws of a_i), in place: a_i and b0_i as
 * the network uses them; returns b1. */
FY_EVAL_INLINE double net_prep(const net_t *n, double *z, const double *u)
{
    const slong N = n->N, d = n->d;
    const double sa = n->sa, sb = n->sb;
    double *b0 = z + N * d, *a = b0 + N;
    slong i;
    /* the cases in their own loops (mc13: the common one vectorises) */
    if (n->mix_p < 1.0)
        for (i = 0; i < N; i++)
            a[i] = u[N + i] < n->mix_p ? (sa * a[i]) * n->mix_s : 0.0;
    else
    {
        FY_SIMD
        for (i = 0; i < N; i++)
            a[i] = sa * a[i];
    }
    if (n->act == FY_NNFT_COS)
        for (i = 0; i < N; i++)
            b0[i] = M_PI * (2.0 * u[i] - 1.0);
    else
    {
        FY_SIMD
        for (i = 0; i < N; i++)
            b0[i] = sb * b0[i];
    }
    return n->act == FY_NNFT_COS ? 0.0 : n->sb * z[N * (d + 2)];
}

/* h[i]: the pre-activations at x_p of the network prepared by net_prep. */
FY_EVAL_INLINE void net_pre(double *h, const net_t *n, const double *z, slong p)
{
    const slong N = n->N, d = n->d;
    const double *W = z, *b0 = z + N * d, *x = n->x + p * d;
    slong i, c;
    if (d == 1)
    {
        const double sx = n->sw * x[0];
        FY_SIMD
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
}

/* sum_i a_i phi(h_i) at x_p (h overwritten); for Erf, h already holds erf of the
 * pre-activations (fy_nnft_erf_batch, many neurons at a time). */
FY_EVAL_INLINE double net_sum(const net_t *n, const double *a, double *h, slong p)
{
    const slong N = n->N;
    double f = 0.0;
    slong i;
    switch (n->act)
    {
    case FY_NNFT_ERF:
        f = dot(a, h, N);
        break;
    case FY_NNFT_RELU:
        if (N < DOT_WIDE)
            for (i = 0; i < N; i++)
                f += h[i] > 0 ? a[i] * h[i] : 0.0;
        else
        {
            /* wide: max(h, 0) in place, then the lanes of dot (a zero adds nothing) */
            FY_SIMD
            for (i = 0; i < N; i++)
                h[i] = h[i] > 0 ? h[i] : 0.0;
            f = dot_wide(a, h, N);
        }
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
    return f;
}

/* Outputs f(x_p) (out[p * ld]) of the network whose normals are z and uniforms u (net_prep;
 * both overwritten); h is scratch of N doubles. */
FY_ACC_CLONES static void net_eval(double *out, slong ld, const net_t *n, double *z,
                                   const double *u, double *h)
{
    const slong N = n->N, d = n->d;
    const double b1 = net_prep(n, z, u), *a = z + N * (d + 1);
    slong p;
    for (p = 0; p < n->P; p++)
    {
        net_pre(h, n, z, p);
        if (n->act == FY_NNFT_ERF)
            fy_nnft_erf_batch(h, h, N);
        out[p * ld] = b1 + net_sum(n, a, h, p);
    }
}

/* The same for nb networks side by side (normals z + l nz, uniforms u + 2 N l of network l;
 * outputs F[p BATCH + l]), the same operations network by network, but the pre-activations of
 * a group of networks at a point first and then one call of the vectorised erf for them all
 * (small widths: a call per network and point would mostly cost its overhead).  h: scratch
 * of nb N doubles. */
FY_ACC_CLONES static void net_eval_batch(double *F, const net_t *n, double *z, size_t nz,
                                         const double *u, slong nb, double *h)
{
    const slong N = n->N, d = n->d;
    /* mc13: the networks of the batch in groups of about EVAL_NEURONS pre-activations, so that
     * h stays in the first-level cache between the three passes */
    const slong g = N >= EVAL_NEURONS ? 1 : EVAL_NEURONS / N;
    double b1[BATCH];
    slong l, l0, p;
    for (l = 0; l < nb; l++)
        b1[l] = net_prep(n, z + (size_t) l * nz, u + (size_t) (2 * N * l));
    for (p = 0; p < n->P; p++)
        for (l0 = 0; l0 < nb; l0 += g)
        {
            const slong l1 = nb - l0 < g ? nb : l0 + g;
            for (l = l0; l < l1; l++)
                net_pre(h + (l - l0) * N, n, z + (size_t) l * nz, p);
            if (n->act == FY_NNFT_ERF)
                fy_nnft_erf_batch(h, h, (l1 - l0) * N);
            for (l = l0; l < l1; l++)
                F[p * BATCH + l] = b1[l] + net_sum(n, z + (size_t) l * nz + N * (d + 1),
                                                   h + (l - l0) * N, p);
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
    if (n.es != NULL) /* qft14: the Euclidean input layers */
    {
        fy_nnft_enet_t *e;
        if ((rc = fy_nnft_enet_new(&e, s, seed, err)) == FY_OK)
            fy_nnft_enet_outputs(out, 1, e, k);
        fy_nnft_enet_free(e);
        net_clear(&n);
        return rc;
    }
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
#define SUMLANES 8
#define NV (BATCH / SUMLANES) /* vectors of SUMLANES doubles in a batch */
#define GROUP 4               /* 6-tuples summed side by side */

/* SUMLANES doubles as one vector (GCC/Clang vector extensions: elementwise IEEE multiplies and
 * adds, never contracted; any alignment).  Lane j of a vector is network b + j of the batch, so
 * a vector accumulator is the SUMLANES lanes of the fixed summation order. */
#if defined(__GNUC__)
#define FY_ACC_INLINE static inline __attribute__((always_inline))
#else
#define FY_ACC_INLINE static inline
#endif
typedef double vlane_t __attribute__((vector_size(SUMLANES * sizeof(double)), aligned(8),
                                      may_alias));

static inline double lane_total(vlane_t s)
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* sum += sum_l x_l y_l, sq += sum_l (x_l y_l)^2; out_l = x_l y_l. */
static inline void prod_store(double *restrict out, double *sum, double *sq,
                              const double *restrict x, const double *restrict y)
{
    const vlane_t *X = (const vlane_t *) x, *Y = (const vlane_t *) y;
    vlane_t *O = (vlane_t *) out, s = {0}, t = {0};
    int b;
    for (b = 0; b < NV; b++)
    {
        vlane_t v = X[b] * Y[b];
        O[b] = v;
        s += v;
        t += v * v;
    }
    *sum += lane_total(s);
    *sq += lane_total(t);
}

/* The same without out, for GROUP consecutive rows y, y + BATCH, ... into sum[0 .. GROUP),
 * sq[0 .. GROUP) (independent chains side by side: the adds' latency hidden). */
FY_ACC_INLINE void prod_acc_group(double *sum, double *sq, const double *restrict x,
                                  const double *restrict y)
{
    const vlane_t *X = (const vlane_t *) x, *Y = (const vlane_t *) y;
    vlane_t s[GROUP] = {{0}}, t[GROUP] = {{0}};
    int b, g;
    for (b = 0; b < NV; b++)
    {
        const vlane_t xb = X[b];
#pragma GCC unroll 8
        for (g = 0; g < GROUP; g++)
        {
            vlane_t v = xb * Y[g * NV + b];
            s[g] += v;
            t[g] += v * v;
        }
    }
#pragma GCC unroll 8
    for (g = 0; g < GROUP; g++)
    {
        sum[g] += lane_total(s[g]);
        sq[g] += lane_total(t[g]);
    }
}

static inline void prod_acc(double *sum, double *sq, const double *restrict x,
                            const double *restrict y)
{
    const vlane_t *X = (const vlane_t *) x, *Y = (const vlane_t *) y;
    vlane_t s = {0}, t = {0};
    int b;
    for (b = 0; b < NV; b++)
    {
        vlane_t v = X[b] * Y[b];
        s += v;
        t += v * v;
    }
    *sum += lane_total(s);
    *sq += lane_total(t);
}


/* Adds the products of one batch F to sum, sq (tuples of n = 2, 4, 6 from off[0], off[1],
 * off[2]).  pp: P (P + 1) / 2 x BATCH scratch, q: BATCH scratch, pstart[i]: the index of the
 * pair (i, i). */
FY_ACC_CLONES static void accumulate(double *sum, double *sq, const slong off[3],
                                     const double *F, slong P, const slong *pstart, double *pp,
                                     double *q)
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
                    for (u = pstart[l]; u + GROUP <= npair; u += GROUP, t6 += GROUP)
                        prod_acc_group(sum + t6, sq + t6, q, pp + (size_t) u * BATCH);
                    for (; u < npair; u++, t6++)
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

/* ------------------------------------------------------------------ the ensemble
 * The sums are defined over fixed blocks of BLOCK networks of each [HMS] chunk (block j of
 * chunk c: networks lo_c + j BLOCK .. , lo_c = M c / 10), added in block order: chunk_sum[c]
 * is the sum of the block sums of chunk c, tot_sq the sum of the block sums of squares of all
 * blocks.  Who computes a block (thread, rank) and which blocks are computed together (a
 * round) changes nothing. */
typedef struct
{
    net_t n;
    slong off[3], T, npair, *pstart;
    /* mc13: nx further ensembles drawing the same parameters (fy_nnft_sample_shared): xn[k] is
     * ensemble k + 1, whose sums follow those of ensemble k at (k + 1) T1; T = (nx + 1) T1 */
    int nx;
    slong T1;
    net_t xn[FY_NNFT_SHARED_MAX - 1];
    int uses_u, zbatch, threads;
    size_t nz, zlen, ulen;
    double **scr;
    fy_nnft_enet_t **eu; /* qft14: per thread, for a Euclidean input layer */
} ens_t;

static void ens_clear(ens_t *e)
{
    int a;
    for (a = 0; e->scr != NULL && a < e->threads; a++)
        free(e->scr[a]);
    free(e->scr);
    for (a = 0; e->eu != NULL && a < e->threads; a++)
        fy_nnft_enet_free(e->eu[a]);
    free(e->eu);
    free(e->pstart);
    net_clear(&e->n);
    for (a = 0; a < e->nx; a++)
        net_clear(&e->xn[a]);
}

/* The tuples and the result arrays of mc. */
static int mc_alloc(fy_nnft_mc_t mc, slong P, fy_error_t err)
{
    int a, rc = FY_OK;
    for (a = 0; a < 3 && rc == FY_OK; a++)
    {
        slong cnt;
        rc = fy_nnft_tuples(&mc->idx[a], &cnt, P, 2 * a + 2, err);
        mc->count[a] = cnt;
        if (rc == FY_OK)
        {
            /* one allocation per n: mean, se, chunk means, hms mean, hms std */
            mc->mean[a] = fy_malloc((size_t) cnt * (4 + FY_NNFT_CHUNKS), sizeof(double), err);
            if (mc->mean[a] == NULL)
                return FY_ENOMEM;
            mc->se[a] = mc->mean[a] + cnt;
            mc->hms_mean[a] = mc->se[a] + cnt;
            mc->hms_std[a] = mc->hms_mean[a] + cnt;
            mc->chunk[a] = mc->hms_std[a] + cnt;
        }
    }
    return rc;
}

/* mc13: the further ensembles of fy_nnft_sample_shared (specs[1 .. K)), which must draw the
 * same parameters as the first: the same width, input dimension and number of points, no
 * Euclidean input layer. */
static int ens_init_shared(ens_t *e, fy_nnft_mc_struct *mcs,
                           const fy_nnft_spec_struct *const *specs, int K, uint64_t seed,
                           fy_error_t err)
{
    int k, rc;
    for (k = 1; k < K; k++)
    {
        net_t *x = &e->xn[k - 1];
        if ((rc = fy_nnft_spec_check(specs[k], err)) != FY_OK)
            return rc;
        if ((rc = net_init(x, specs[k], seed, err)) != FY_OK)
            return rc;
        e->nx = k;
        if (x->N != e->n.N || x->d != e->n.d || x->P != e->n.P || x->es != NULL
            || e->n.es != NULL)
            return fy_error_set(err, FY_EINPUT, "ensembles sharing their parameters need the "
                                "same width, input dimension and number of points (spec %d: "
                                "width %ld, d %ld, %ld points; spec 1: %ld, %ld, %ld) and no "
                                "Euclidean input layer: sample them one by one",
                                k + 1, (long) x->N, (long) x->d, (long) x->P, (long) e->n.N,
                                (long) e->n.d, (long) e->n.P);
        if ((rc = mc_alloc(mcs + k, x->P, err)) != FY_OK)
            return rc;
    }
    e->T = (slong) K * e->T1;
    return FY_OK;
}

/* The tuples and the result arrays of mcs[0 .. K), the scratch of each thread. */
static int ens_init(ens_t *e, fy_nnft_mc_struct *mcs, const fy_nnft_spec_struct *const *specs,
                    int K, uint64_t seed, int threads, fy_error_t err)
{
    const fy_nnft_spec_struct *s = specs[0];
    int a, rc;
    memset(e, 0, sizeof *e);
    if ((rc = fy_nnft_spec_check(s, err)) != FY_OK)
        return rc;
    if ((rc = net_init(&e->n, s, seed, err)) != FY_OK)
        return rc;
    for (a = 0; a < 3; a++)
    {
        e->off[a] = e->T;
        e->T += fy_nnft_tuple_count(e->n.P, 2 * a + 2);
    }
    e->T1 = e->T;
    if (e->T > MAX_TUPLES)
        return fy_error_set(err, FY_ENOMEM, "%ld points give %ld sorted tuples up to n = 6; "
                            "at most %d: use fewer points", (long) e->n.P, (long) e->T,
                            MAX_TUPLES);
    if ((rc = mc_alloc(mcs, e->n.P, err)) != FY_OK)
        return rc;
    if ((rc = ens_init_shared(e, mcs, specs, K, seed, err)) != FY_OK)
        return rc;
#ifdef _OPENMP
    e->threads = threads > 0 ? threads : omp_get_max_threads();
#else
    (void) threads;
    e->threads = 1;
#endif
    /* per-thread scratch: F, pair products, q, the parameters of a batch (short runs) or of
     * one network, and the pre-activations */
    e->npair = e->n.P * (e->n.P + 1) / 2;
    e->nz = net_nz(&e->n);
    e->uses_u = net_uses_uniforms(&e->n);
    for (a = 0; a < e->nx; a++)
        e->uses_u |= net_uses_uniforms(&e->xn[a]);
    /* a batch's parameters side by side up to 1024 per network (N = 341 at d = 1; 512 KB):
     * one erf call for the whole batch at each point (mc13: N = 100 1.5 times faster) */
    e->zbatch = e->nz < 16 * BATCH;
    e->zlen = e->zbatch ? BATCH * e->nz : e->nz;
    e->ulen = (e->zbatch ? BATCH : 1) * 2 * (size_t) e->n.N;
    e->pstart = fy_malloc((size_t) e->n.P, sizeof(slong), err);
    e->scr = fy_calloc((size_t) e->threads, sizeof(double *), err);
    if (e->pstart == NULL || e->scr == NULL)
        return FY_ENOMEM;
    for (a = 0; a < e->n.P; a++)
        e->pstart[a] = a == 0 ? 0 : e->pstart[a - 1] + (e->n.P - a + 1);
    for (a = 0; a < e->threads; a++)
        if ((e->scr[a] = fy_malloc((size_t) (((e->nx + 1) * e->n.P + e->npair + 1) * BATCH)
                                       + (e->nx ? 2 : 1) * e->zlen + e->ulen
                                       + (size_t) e->n.N * (e->zbatch ? BATCH : 1),
                                   sizeof(double), err)) == NULL)
            return FY_ENOMEM;
    if (e->n.es != NULL) /* qft14: the Euclidean networks, one object per thread */
    {
        if ((e->eu = fy_calloc((size_t) e->threads, sizeof *e->eu, err)) == NULL)
            return FY_ENOMEM;
        e->zbatch = 0;
        for (a = 0; a < e->threads; a++)
            if ((rc = fy_nnft_enet_new(&e->eu[a], s, seed, err)) != FY_OK)
                return rc;
    }
    return FY_OK;
}

/* Ensemble x of e (0: e->n). */
static const net_t *ens_net(const ens_t *e, int x)
{
    return x == 0 ? &e->n : &e->xn[x - 1];
}

/* The sums and sums of squares of blocks b0 .. b0 + nb - 1 of the chunk [lo, hi) into part
 * (nb x 2T: sums, then squares), on the threads. */
static void ens_blocks(ens_t *e, double *part, uint64_t lo, uint64_t hi, uint64_t b0,
                       uint64_t nb)
{
    const net_t *n = &e->n;
    const slong T = e->T;
    long long rb;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(e->threads)
#endif
    for (rb = 0; rb < (long long) nb; rb++)
    {
        double *sum = part + (size_t) rb * 2 * (size_t) T, *sq = sum + T;
        uint64_t k0 = lo + (b0 + (uint64_t) rb) * BLOCK;
        uint64_t k1 = k0 + BLOCK < hi ? k0 + BLOCK : hi, kb;
#ifdef _OPENMP
        const int tid = omp_get_thread_num();
#else
        const int tid = 0;
#endif
        /* F: the outputs of ensemble x at F + x P BATCH; Z: the parameters as net_prep scales
         * them in place, Z0 (shared draws only) the draws kept for the next ensemble */
        const int K = e->nx + 1;
        const size_t fl = (size_t) (n->P * BATCH);
        double *F = e->scr[tid];
        double *PP = F + (size_t) K * fl, *Q = PP + e->npair * BATCH, *Z = Q + BATCH;
        double *Z0 = Z + e->zlen, *U = Z0 + (e->nx ? e->zlen : 0), *H = U + e->ulen;
        double *Zd = e->nx ? Z0 : Z;
        int x;
        memset(sum, 0, 2 * (size_t) T * sizeof(double));
        for (kb = k0; kb < k1; kb += BATCH)
        {
            slong nb_l = (slong) (k1 - kb < BATCH ? k1 - kb : BATCH), l, p;
            if (e->zbatch)
            {
                /* short parameter runs: many networks side by side */
                fy_rng_normals_streams(Zd, e->nz, e->nz, n->gn, kb, (uint64_t) nb_l);
                if (e->uses_u)
                    fy_rng_uniforms_streams(U, (uint64_t) (2 * n->N), (uint64_t) (2 * n->N),
                                            n->gu, kb, (uint64_t) nb_l);
                for (x = 0; x < K; x++)
                {
                    if (e->nx)
                        memcpy(Z, Z0, (size_t) nb_l * e->nz * sizeof(double));
                    net_eval_batch(F + (size_t) x * fl, ens_net(e, x), Z, e->nz, U, nb_l, H);
                }
            }
            else
                for (l = 0; l < nb_l; l++)
                {
                    if (e->eu != NULL) /* qft14: a Euclidean input layer */
                    {
                        fy_nnft_enet_outputs(F + l, BATCH, e->eu[tid], kb + (uint64_t) l);
                        continue;
                    }
                    fy_rng_normals(Zd, e->nz, n->gn, kb + (uint64_t) l, 0);
                    if (e->uses_u)
                        fy_rng_uniforms(U, (uint64_t) (2 * n->N), n->gu, kb + (uint64_t) l, 0);
                    for (x = 0; x < K; x++)
                    {
                        if (e->nx)
                            memcpy(Z, Z0, e->nz * sizeof(double));
                        net_eval(F + (size_t) x * fl + l, BATCH, ens_net(e, x), Z, U, H);
                    }
                }
            for (p = 0; p < K * n->P; p++)
                for (l = nb_l; l < BATCH; l++)
                    F[p * BATCH + l] = 0.0;
            for (x = 0; x < K; x++)
                accumulate(sum + x * e->T1, sq + x * e->T1, e->off, F + (size_t) x * fl, n->P,
                           e->pstart, PP, Q);
        }
    }
}

/* Means, standard errors and the [HMS] numbers from the sums. */
static void ens_finish(fy_nnft_mc_t mc, const ens_t *e, int x, const double *chunk_sum,
                       const double *tot_sq, uint64_t M)
{
    const uint64_t T = (uint64_t) e->T;
    slong t;
    uint64_t c;
    int a;
    for (a = 0; a < 3; a++)
        for (t = 0; t < mc->count[a]; t++)
        {
            slong g = x * e->T1 + e->off[a] + t;
            double tot = 0, cm = 0, var = 0, mean, v;
            for (c = 0; c < FY_NNFT_CHUNKS; c++)
            {
                uint64_t lo = M * c / FY_NNFT_CHUNKS, hi = M * (c + 1) / FY_NNFT_CHUNKS;
                double m = chunk_sum[c * T + (uint64_t) g] / (double) (hi - lo);
                mc->chunk[a][t * FY_NNFT_CHUNKS + (slong) c] = m;
                tot += chunk_sum[c * T + (uint64_t) g];
                cm += m;
            }
            cm /= FY_NNFT_CHUNKS;
            for (c = 0; c < FY_NNFT_CHUNKS; c++)
            {
                double d = mc->chunk[a][t * FY_NNFT_CHUNKS + (slong) c] - cm;
                var += d * d;
            }
            mean = tot / (double) M;
            v = (tot_sq[g] - tot * mean) / (double) (M - 1);
            mc->mean[a][t] = mean;
            mc->se[a][t] = sqrt((v > 0 ? v : 0) / (double) M);
            mc->hms_mean[a][t] = cm;
            mc->hms_std[a][t] = sqrt(var / FY_NNFT_CHUNKS);
        }
}

/* ------------------------------------------------------------------ checkpoint segments
 * Segment j of chunk c: blocks [j S, min((j + 1) S, nblocks_c)) of the chunk, S =
 * seg_blocks; its record (chunk store index base_c + j) holds the running sums after it:
 * the chunk's sums so far (T) and the sums of squares of everything so far (T). */
typedef struct
{
    uint64_t M, S, nb[FY_NNFT_CHUNKS], nseg[FY_NNFT_CHUNKS], base[FY_NNFT_CHUNKS + 1];
} segs_t;

static void segs_init(segs_t *g, uint64_t M, uint64_t chunk_networks)
{
    uint64_t c;
    g->M = M;
    g->S = fy_par_nblocks(chunk_networks ? chunk_networks : FY_NNFT_SEGMENT, BLOCK);
    g->base[0] = 0;
    for (c = 0; c < FY_NNFT_CHUNKS; c++)
    {
        uint64_t lo = M * c / FY_NNFT_CHUNKS, hi = M * (c + 1) / FY_NNFT_CHUNKS;
        g->nb[c] = fy_par_nblocks(hi - lo, BLOCK);
        g->nseg[c] = fy_par_nblocks(g->nb[c], g->S);
        g->base[c + 1] = g->base[c] + g->nseg[c];
    }
}

/* The text that names an ensemble's checkpoints: every parameter that the numbers depend on
 * (the fields net_init reads, M, seed, the blocking).  Points enter through a hash.  "mc N"
 * changes with the arithmetic (mc 2: erf by fy_nnft_erf_batch), so that older checkpoints
 * are recomputed, not mixed in. */
static int run_text(char **out, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                    const segs_t *g, slong T, fy_error_t err)
{
    char *q[4];
    uint64_t h = FY_PAR_FNV_INIT;
    slong i;
    size_t n;
    q[0] = fmpq_get_str(NULL, 10, s->sigma_W);
    q[1] = fmpq_get_str(NULL, 10, s->sigma_b);
    q[2] = fmpq_get_str(NULL, 10, s->sigma_a);
    q[3] = fmpq_get_str(NULL, 10, s->kurtosis);
    for (i = 0; i < s->npoints * s->d; i++)
    {
        char *p = fmpq_get_str(NULL, 10, s->points + i);
        h = fy_par_fnv1a(h, p, strlen(p) + 1);
        flint_free(p);
    }
    if (fy_nnft_is_euclid(s)) /* qft14: the Euclidean layer's keys enter the hash */
    {
        char *key = NULL;
        if (fy_nnft_enet_key(&key, s, err) != FY_OK)
        {
            for (i = 0; i < 4; i++)
                flint_free(q[i]);
            return FY_ENOMEM;
        }
        h = fy_par_fnv1a(h, key, strlen(key) + 1);
        free(key);
    }
    n = strlen(q[0]) + strlen(q[1]) + strlen(q[2]) + strlen(q[3]) + 512;
    if ((*out = fy_malloc(n, 1, err)) != NULL)
        snprintf(*out, n,
                 "feynn nnft sample: checkpoints of one ensemble (mc 2)\n"
                 "activation %s d %ld width %ld d_out %ld\n"
                 "sigma_W %s sigma_b %s sigma_a %s kurtosis %s\n"
                 "points %ld fnv1a %016llx\n"
                 "networks %llu seed %llu\n"
                 "block %d chunks %d segment_blocks %llu segments %llu tuples %ld\n",
                 fy_nnft_act_name(s->act), (long) s->d, (long) s->width, (long) s->d_out, q[0],
                 q[1], q[2], q[3], (long) s->npoints, (unsigned long long) h,
                 (unsigned long long) M, (unsigned long long) seed, BLOCK, FY_NNFT_CHUNKS,
                 (unsigned long long) g->S, (unsigned long long) g->base[FY_NNFT_CHUNKS],
                 (long) T);
    for (i = 0; i < 4; i++)
        flint_free(q[i]);
    return *out ? FY_OK : FY_ENOMEM;
}

/* One record: 1 if read and usable (copied to rec, 2T doubles). */
static int seg_read(double *rec, fy_par_store_t st, uint64_t k, slong T, uint64_t *refused,
                    fy_error_t err, int *rc)
{
    void *d;
    size_t len;
    int state;
    *rc = fy_par_store_get(&d, &len, &state, st, k, NULL, 0, err);
    if (*rc != FY_OK || state == FY_PAR_CHUNK_ABSENT)
        return 0;
    if (state == FY_PAR_CHUNK_OK && len == 2 * (size_t) T * sizeof(double))
    {
        memcpy(rec, d, len);
        free(d);
        return 1;
    }
    free(d);
    ++*refused;
    return 0;
}

/* Rank 0: the completed segments of the store.  On return chunk_sum[0 .. *c0) and acc (the
 * running sums) hold the state after the last usable segment, and the run goes on at segment
 * *j0 of chunk *c0. */
static int seg_resume(uint64_t *c0, uint64_t *j0, double *chunk_sum, double *acc,
                      fy_par_store_t st, const segs_t *g, slong T, fy_nnft_run_t run,
                      fy_error_t err)
{
    uint64_t c, j;
    int rc = FY_OK;
    *c0 = *j0 = 0;
    for (c = 0; c < FY_NNFT_CHUNKS; c++)
    {
        uint64_t last = g->base[c] + g->nseg[c] - 1;
        if (seg_read(acc, st, last, T, &run->refused, err, &rc))
        {
            memcpy(chunk_sum + c * (uint64_t) T, acc, (size_t) T * sizeof(double));
            memset(acc, 0, (size_t) T * sizeof(double));
            *c0 = c + 1;
            continue;
        }
        for (j = g->nseg[c] - 1; rc == FY_OK && j-- > 0;)
            if (seg_read(acc, st, g->base[c] + j, T, &run->refused, err, &rc))
            {
                *j0 = j + 1;
                break;
            }
        break;
    }
    run->resumed = g->base[*c0] + *j0;
    return rc;
}

/* The segments from (c0, j0) on: each rank computes its share of each round of blocks, rank 0
 * adds them in block order into acc and writes each finished segment to the store. */
static int seg_run(double *chunk_sum, double *acc, double *part, ens_t *e, const segs_t *g,
                   uint64_t c0, uint64_t j0, uint64_t round, const fy_par_t par,
                   fy_par_store_t st, fy_progress_struct *bar, fy_error_t err)
{
    const size_t T = (size_t) e->T;
    uint64_t c, j;
    int rc = FY_OK;
    for (c = c0; c < FY_NNFT_CHUNKS && rc == FY_OK; c++)
    {
        uint64_t lo = g->M * c / FY_NNFT_CHUNKS, hi = g->M * (c + 1) / FY_NNFT_CHUNKS;
        for (j = c == c0 ? j0 : 0; j < g->nseg[c] && rc == FY_OK; j++)
        {
            uint64_t b = j * g->S, end = b + g->S < g->nb[c] ? b + g->S : g->nb[c];
            for (; b < end && rc == FY_OK; b += round)
            {
                uint64_t nbr = end - b < round ? end - b : round, l, h;
                fy_par_split(&l, &h, nbr, par->size, par->rank);
                ens_blocks(e, part, lo, hi, b + l, h - l);
                rc = fy_par_agree(fy_par_reduce_ordered(acc, part, 2 * T, nbr, par, err), par,
                                  err);
                if (bar != NULL && par->rank == 0) /* in chunks */
                    fy_progress_update(bar, (double) c + (double) (b + nbr) / (double) g->nb[c]);
            }
            if (rc == FY_OK && par->rank == 0 && st != NULL)
            {
                rc = fy_par_store_put(st, g->base[c] + j, acc, 2 * T * sizeof(double), err);
                if (rc == FY_OK && j > 0)
                    fy_par_store_remove(st, g->base[c] + j - 1);
            }
            rc = fy_par_agree(rc, par, err);
            if (rc == FY_OK && j + 1 == g->nseg[c] && par->rank == 0)
            {
                memcpy(chunk_sum + c * T, acc, T * sizeof(double));
                memset(acc, 0, T * sizeof(double));
            }
        }
    }
    return rc;
}

void fy_nnft_run_init(fy_nnft_run_t run)
{
    memset(run, 0, sizeof *run);
}

/* Rank 0 opens the store and reads it back; every rank learns where to start. */
static int sample_resume(uint64_t start[2], fy_par_store_t st, double *chunk_sum, double *acc,
                         const fy_nnft_spec_t s, uint64_t M, uint64_t seed, const segs_t *g,
                         slong T, fy_nnft_run_t run, const fy_par_t par, fy_error_t err)
{
    int rc = FY_OK;
    start[0] = start[1] = 0;
    if (run->checkpoint != NULL && par->rank == 0)
    {
        char *text = NULL;
        rc = run_text(&text, s, M, seed, g, T, err);
        if (rc == FY_OK)
            rc = fy_par_store_open(st, run->checkpoint, text, err);
        if (rc == FY_OK)
            rc = seg_resume(&start[0], &start[1], chunk_sum, acc, st, g, T, run, err);
        free(text);
    }
    rc = fy_par_agree(rc, par, err);
    if (rc == FY_OK)
        rc = fy_par_agree(fy_par_bcast(start, 2 * sizeof(uint64_t), par, err), par, err);
    return rc;
}

/* The K ensembles specs[0 .. K) on the same draws into mcs[0 .. K) (K = 1: one ensemble). */
static int sample_core(fy_nnft_mc_struct *mcs, const fy_nnft_spec_struct *const *specs, int K,
                       uint64_t M, uint64_t seed, int threads, fy_nnft_run_t run,
                       fy_error_t err)
{
    const fy_nnft_spec_struct *s = specs[0];
    ens_t e;
    segs_t g;
    fy_par_t par;
    fy_par_store_t st;
    fy_nnft_run_t alone;
    double *chunk_sum = NULL, *acc = NULL, *part = NULL, t0 = fy_wall_time();
    uint64_t round, start[2];
    size_t T;
    int rc, x;
    for (x = 0; x < K; x++)
        fy_nnft_mc_clear(mcs + x);
    if (run == NULL)
    {
        fy_nnft_run_init(alone);
        run = alone;
    }
    run->resumed = run->refused = 0;
    if (run->par != NULL)
        *par = *run->par;
    else
        fy_par_self(par);
    fy_par_store_init(st);
    if (M < FY_NNFT_CHUNKS)
        return fy_error_set(err, FY_EINPUT, "at least %d networks (one per chunk), not %llu",
                            FY_NNFT_CHUNKS, (unsigned long long) M);
    rc = ens_init(&e, mcs, specs, K, seed, threads, err);
    T = (size_t) e.T;
    segs_init(&g, M, run->chunk_networks);
    run->segments = g.base[FY_NNFT_CHUNKS];
    /* a round: at most ROUND_BYTES of partial sums on each rank, at most 64 blocks */
    round = (uint64_t) (ROUND_BYTES / (2 * sizeof(double) * (T ? T : 1)));
    round = round < 1 ? 1 : round > 64 ? 64 : round;
    if (rc == FY_OK)
    {
        chunk_sum = fy_calloc(T * FY_NNFT_CHUNKS, sizeof(double), err);
        acc = fy_calloc(2 * T, sizeof(double), err);
        part = fy_malloc(T * 2 * round, sizeof(double), err);
        if (chunk_sum == NULL || acc == NULL || part == NULL)
            rc = FY_ENOMEM;
    }
    rc = fy_par_agree(rc, par, err);
    if (rc == FY_OK)
        rc = sample_resume(start, st, chunk_sum, acc, s, M, seed, &g, e.T, run, par, err);
    if (rc == FY_OK)
        rc = seg_run(chunk_sum, acc, part, &e, &g, start[0], start[1],
                     round * (uint64_t) par->size, par, run->checkpoint != NULL ? st : NULL,
                     run->progress, err);
    /* every rank gets the sums of rank 0 */
    if (rc == FY_OK)
        rc = fy_par_agree(fy_par_bcast(chunk_sum, T * FY_NNFT_CHUNKS * sizeof(double), par, err),
                          par, err);
    if (rc == FY_OK)
        rc = fy_par_agree(fy_par_bcast(acc + T, T * sizeof(double), par, err), par, err);
    for (x = 0; x < K && rc == FY_OK; x++)
    {
        fy_nnft_mc_struct *mc = mcs + x;
        ens_finish(mc, &e, x, chunk_sum, acc + T, M);
        mc->networks = M;
        mc->seed = seed;
        mc->threads = e.threads;
        mc->ranks = par->size;
        mc->seconds = fy_wall_time() - t0;
    }
    free(chunk_sum);
    free(acc);
    free(part);
    fy_par_store_clear(st);
    ens_clear(&e);
    for (x = 0; x < K && rc != FY_OK; x++)
        fy_nnft_mc_clear(mcs + x);
    return rc;
}

int fy_nnft_sample_run(fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                       int threads, fy_nnft_run_t run, fy_error_t err)
{
    const fy_nnft_spec_struct *specs[1];
    specs[0] = s;
    return sample_core(mc, specs, 1, M, seed, threads, run, err);
}

int fy_nnft_sample_shared(fy_nnft_mc_struct *mcs, const fy_nnft_spec_struct *const *specs,
                          int K, uint64_t M, uint64_t seed, int threads, fy_error_t err)
{
    if (K < 1 || K > FY_NNFT_SHARED_MAX)
        return fy_error_set(err, FY_EINPUT, "1 to %d ensembles share their parameters, not %d",
                            FY_NNFT_SHARED_MAX, K);
    return sample_core(mcs, specs, K, M, seed, threads, NULL, err);
}

int fy_nnft_sample(fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                   int threads, fy_error_t err)
{
    return fy_nnft_sample_run(mc, s, M, seed, threads, NULL, err);
}

/* ------------------------------------------------------------------ pack, scan */
#define PACK_MAGIC UINT64_C(0x31434d4e4e465946) /* "FYNNFMC1" */
#define PACK_HEAD 8

int fy_nnft_mc_pack(void **buf, size_t *len, const fy_nnft_mc_t mc, fy_error_t err)
{
    size_t n = PACK_HEAD * sizeof(uint64_t) + sizeof(double), off;
    uint64_t h[PACK_HEAD];
    unsigned char *b;
    int a;
    for (a = 0; a < 3; a++)
        n += (size_t) mc->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double);
    if ((b = fy_malloc(n, 1, err)) == NULL)
        return FY_ENOMEM;
    h[0] = PACK_MAGIC;
    h[1] = mc->networks;
    h[2] = mc->seed;
    h[3] = (uint64_t) mc->threads;
    h[4] = (uint64_t) mc->ranks;
    for (a = 0; a < 3; a++)
        h[5 + a] = (uint64_t) mc->count[a];
    memcpy(b, h, sizeof h);
    memcpy(b + sizeof h, &mc->seconds, sizeof(double));
    off = sizeof h + sizeof(double);
    for (a = 0; a < 3; a++)
    {
        size_t m = (size_t) mc->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double);
        if (m)
            memcpy(b + off, mc->mean[a], m);
        off += m;
    }
    *buf = b;
    *len = n;
    return FY_OK;
}

int fy_nnft_mc_unpack(fy_nnft_mc_t mc, const void *buf, size_t len, const fy_nnft_spec_t s,
                      fy_error_t err)
{
    const unsigned char *b = buf;
    uint64_t h[PACK_HEAD];
    size_t off = sizeof h + sizeof(double);
    int a, rc = FY_OK;
    fy_nnft_mc_clear(mc);
    if (len < off)
        return fy_error_set(err, FY_EINPUT, "not a packed ensemble (%zu bytes)", len);
    memcpy(h, b, sizeof h);
    if (h[0] != PACK_MAGIC)
        return fy_error_set(err, FY_EINPUT, "not a packed ensemble (no magic number)");
    for (a = 0; a < 3; a++)
        if (h[5 + a] != (uint64_t) fy_nnft_tuple_count(s->npoints, 2 * a + 2))
            return fy_error_set(err, FY_EINPUT, "the packed ensemble has %llu tuples at n = %d, "
                                "the spec's %ld points give %ld", (unsigned long long) h[5 + a],
                                2 * a + 2, (long) s->npoints,
                                (long) fy_nnft_tuple_count(s->npoints, 2 * a + 2));
    for (a = 0; a < 3; a++)
        off += (size_t) h[5 + a] * (4 + FY_NNFT_CHUNKS) * sizeof(double);
    if (off != len)
        return fy_error_set(err, FY_EINPUT, "a packed ensemble of %zu bytes, %zu expected",
                            len, off);
    off = sizeof h + sizeof(double);
    for (a = 0; a < 3 && rc == FY_OK; a++)
    {
        slong cnt = (slong) h[5 + a];
        size_t m = (size_t) cnt * (4 + FY_NNFT_CHUNKS) * sizeof(double);
        rc = fy_nnft_tuples(&mc->idx[a], &cnt, s->npoints, 2 * a + 2, err);
        mc->count[a] = cnt;
        if (rc == FY_OK && (mc->mean[a] = fy_malloc(m ? m : 1, 1, err)) == NULL)
            rc = FY_ENOMEM;
        if (rc != FY_OK)
            break;
        if (m)
            memcpy(mc->mean[a], b + off, m);
        off += m;
        mc->se[a] = mc->mean[a] + cnt;
        mc->hms_mean[a] = mc->se[a] + cnt;
        mc->hms_std[a] = mc->hms_mean[a] + cnt;
        mc->chunk[a] = mc->hms_std[a] + cnt;
    }
    if (rc != FY_OK)
    {
        fy_nnft_mc_clear(mc);
        return rc;
    }
    mc->networks = h[1];
    mc->seed = h[2];
    mc->threads = (int) h[3];
    mc->ranks = (int) h[4];
    memcpy(&mc->seconds, b + sizeof h, sizeof(double));
    return FY_OK;
}

typedef struct
{
    const fy_nnft_spec_struct *s;
    const slong *widths;
    uint64_t M, seed;
    int threads;
    fy_progress_struct *bar; /* one process: advanced per width done */
    uint64_t done;
} scan_t;

static int scan_job(void **out, size_t *len, uint64_t j, void *vctx, fy_error_t err)
{
    scan_t *c = vctx;
    fy_nnft_spec_t sw;
    fy_nnft_mc_t mc;
    int rc;
    fy_nnft_spec_init(sw);
    fy_nnft_mc_init(mc);
    rc = fy_nnft_spec_set(sw, c->s, err);
    sw->width = c->widths[j];
    if (rc == FY_OK)
        rc = fy_nnft_sample(mc, sw, c->M, c->seed, c->threads, err);
    if (rc == FY_OK)
        rc = fy_nnft_mc_pack(out, len, mc, err);
    if (rc == FY_OK && c->bar != NULL)
        fy_progress_update(c->bar, (double) ++c->done);
    if (rc != FY_OK)
        fy_error_prefix(err, "width %ld: ", (long) c->widths[j]);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(sw);
    return rc;
}

/* The first line of a width scan's store name.  The library names what the store holds, not
 * the command that asked for it; stores written before under the older first line (which
 * named `nnft sample --widths`) are still read and resumed under that name. */
#define SCAN_HEAD "feynn ensemble sums, one packed ensemble per width (mc 2)\n"
#define SCAN_HEAD_OLD "feynn nnft sample --widths: one packed ensemble per width (mc 2)\n"

static int scan_text(char **out, const fy_nnft_spec_t s, const slong *widths, slong nw,
                     uint64_t M, uint64_t seed, const char *head, fy_error_t err)
{
    segs_t g;
    char *one = NULL, *t;
    size_t n;
    slong j;
    int rc;
    segs_init(&g, M, 0);
    if ((rc = run_text(&one, s, M, seed, &g, 0, err)) != FY_OK)
        return rc;
    n = strlen(one) + strlen(head) + 16 + 24 * (size_t) nw;
    if ((t = fy_malloc(n, 1, err)) == NULL)
    {
        free(one);
        return FY_ENOMEM;
    }
    /* the spec's own width is replaced by each of the list */
    snprintf(t, n, "%s%swidths", head, one);
    for (j = 0; j < nw; j++)
        snprintf(t + strlen(t), n - strlen(t), "%s%ld", j ? "," : " ", (long) widths[j]);
    snprintf(t + strlen(t), n - strlen(t), "\n");
    free(one);
    *out = t;
    return FY_OK;
}

/* The name of the scan's store in dir: the older one when dir/RUN holds exactly that (a store
 * written before the change of the first line), else the current one. */
static int scan_open_text(char **out, const char *dir, const fy_nnft_spec_t s,
                          const slong *widths, slong nw, uint64_t M, uint64_t seed,
                          fy_error_t err)
{
    char *old = NULL, *have = NULL, *path;
    size_t len, n = strlen(dir) + 8;
    int rc = scan_text(out, s, widths, nw, M, seed, SCAN_HEAD, err);
    if (rc != FY_OK || (path = fy_malloc(n, 1, err)) == NULL)
        return rc != FY_OK ? rc : FY_ENOMEM;
    snprintf(path, n, "%s/RUN", dir);
    /* no RUN file, or an unreadable one: a new store (the store itself says why it fails) */
    if (fy_file_read_text(&have, &len, path, 1 << 20, NULL) == FY_OK
        && scan_text(&old, s, widths, nw, M, seed, SCAN_HEAD_OLD, NULL) == FY_OK
        && strcmp(have, old) == 0)
    {
        free(*out);
        *out = old;
        old = NULL;
    }
    free(old);
    free(have);
    free(path);
    return FY_OK;
}

int fy_nnft_sample_scan(fy_nnft_mc_struct *mcs, const fy_nnft_spec_t s, const slong *widths,
                        slong nw, uint64_t M, uint64_t seed, int threads, fy_nnft_run_t run,
                        fy_error_t err)
{
    scan_t ctx = {s, widths, M, seed, threads, NULL, 0};
    fy_par_t par;
    fy_par_store_t st;
    void **res;
    size_t *len;
    char *text = NULL;
    slong j;
    int rc = FY_OK, have_store = 0;
    if (run->par != NULL)
        *par = *run->par;
    else
        fy_par_self(par);
    run->resumed = run->refused = 0;
    run->segments = (uint64_t) nw;
    ctx.bar = par->size == 1 ? run->progress : NULL;
    fy_par_store_init(st);
    for (j = 0; j < nw; j++)
        fy_nnft_mc_clear(mcs + j);
    if (nw < 1)
        return fy_error_set(err, FY_EINPUT, "no widths to scan");
    res = fy_calloc((size_t) nw, sizeof(void *), err);
    len = fy_calloc((size_t) nw, sizeof(size_t), err);
    if (res == NULL || len == NULL)
        rc = FY_ENOMEM;
    if (rc == FY_OK && run->checkpoint != NULL && par->rank == 0)
    {
        rc = scan_open_text(&text, run->checkpoint, s, widths, nw, M, seed, err);
        if (rc == FY_OK)
            rc = fy_par_store_open(st, run->checkpoint, text, err);
        have_store = rc == FY_OK;
    }
    rc = fy_par_agree(rc, par, err);
    if (rc == FY_OK)
        rc = fy_par_scan(res, len, (uint64_t) nw, scan_job, &ctx, have_store ? st : NULL,
                         &run->resumed, &run->refused, par, err);
    for (j = 0; rc == FY_OK && par->rank == 0 && j < nw; j++)
    {
        fy_nnft_spec_t sw;
        fy_nnft_spec_init(sw);
        rc = fy_nnft_spec_set(sw, s, err);
        sw->width = widths[j];
        if (rc == FY_OK)
            rc = fy_nnft_mc_unpack(mcs + j, res[j], len[j], sw, err);
        fy_nnft_spec_clear(sw);
    }
    for (j = 0; res != NULL && j < nw; j++)
        free(res[j]);
    free(res);
    free(len);
    free(text);
    fy_par_store_clear(st);
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
