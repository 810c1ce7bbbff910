/* exact.c - exact finite-N correlators by the even-set-partition formula of MATH.md 4.2:
 * single-neuron moments, G^(n), Wick values, connected parts, m_n (feynn/nnft.h). */
#include <stdlib.h>
#include <string.h>

#include "nnft/nnft_internal.h"

#define NNFT_MAX_N 8

/* ------------------------------------------------------------------ set partitions
 * Every set partition of mask (blocks as bit masks) once: the block holding the lowest
 * element is chosen first, among all subsets of the rest; even_only keeps blocks of even
 * size. */
typedef int (*part_cb)(const unsigned *blocks, int nb, void *data);

static int partitions(unsigned mask, unsigned *blocks, int nb, int even_only, part_cb cb,
                      void *data)
{
    unsigned low, rest, sub;
    int rc;
    if (mask == 0)
        return cb(blocks, nb, data);
    low = mask & (0u - mask);
    rest = mask ^ low;
    sub = rest;
    for (;;)
    {
        unsigned B = sub | low;
        if (!even_only || (__builtin_popcount(B) & 1) == 0)
        {
            blocks[nb] = B;
            if ((rc = partitions(mask ^ B, blocks, nb + 1, even_only, cb, data)) != 0)
                return rc;
        }
        if (sub == 0)
            break;
        sub = (sub - 1) & rest;
    }
    return 0;
}

typedef struct
{
    int sizes[NNFT_MAX_N + 1]; /* wanted count of blocks of each size */
    slong count;
} count_data;

static int count_cb(const unsigned *blocks, int nb, void *data)
{
    count_data *c = data;
    int have[NNFT_MAX_N + 1] = {0}, i;
    for (i = 0; i < nb; i++)
        have[__builtin_popcount(blocks[i])]++;
    for (i = 0; i <= NNFT_MAX_N; i++)
        if (have[i] != c->sizes[i])
            return 0;
    c->count++;
    return 0;
}

slong fy_nnft_partition_count(int n, const int *sizes, int nsizes)
{
    count_data c;
    unsigned blocks[NNFT_MAX_N];
    int i, total = 0;
    if (n < 0 || n > NNFT_MAX_N)
        return -1;
    memset(&c, 0, sizeof c);
    for (i = 0; i < nsizes; i++)
    {
        if (sizes[i] < 1 || sizes[i] > NNFT_MAX_N)
            return -1;
        c.sizes[sizes[i]]++;
        total += sizes[i];
    }
    if (total != n)
        return 0;
    partitions(n ? (1u << n) - 1 : 0, blocks, 0, 0, count_cb, &c);
    return c.count;
}

/* ------------------------------------------------------------------ moments */
static slong dfact(int m) /* (m - 1)!! for even m */
{
    slong r = 1;
    int k;
    for (k = m - 1; k > 1; k -= 2)
        r *= k;
    return r;
}

/* E[(sqrt(N) a)^m] = sigma_a^m (m - 1)!! (K / 3)^(m/2 - 1), m even. */
static void weight_moment(fmpq_t r, const fy_nnft_spec_t s, int m)
{
    fmpq_t t;
    int k;
    fmpq_init(t);
    fmpq_set_si(r, dfact(m), 1);
    for (k = 0; k < m; k++)
        fmpq_mul(r, r, s->sigma_a);
    fmpq_set_si(t, 1, 3);
    fmpq_mul(t, t, s->kurtosis);
    for (k = 0; k < m / 2 - 1; k++)
        fmpq_mul(r, r, t);
    fmpq_clear(t);
}

int fy_nnft_moment(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int m, slong prec,
                   fy_error_t err)
{
    fmpq_t w, e, t;
    slong k, c;
    int rc = FY_OK;
    if (m < 1 || m > NNFT_MAX_N)
        return fy_error_set(err, FY_EINPUT, "moment order %d: 1..%d", m, NNFT_MAX_N);
    for (k = 0; k < m; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index out of range");
    if (fy_nnft_is_euclid(s)) /* the Euclidean input layers (euclid.c) */
        return fy_nnft_euclid_moment(mu, s, idx, m, prec, err);
    if (m & 1)
    {
        arb_zero(mu);
        return FY_OK;
    }
    if (m == 2 && s->act != FY_NNFT_GAUSS && s->act != FY_NNFT_COS && s->act != FY_NNFT_TANH)
    {
        /* the closed-form kernel without the output bias: sigma_a^2 E phi phi */
        arb_t b;
        if ((rc = fy_nnft_kernel(mu, s, idx[0], idx[1], prec, err)) != FY_OK)
            return rc;
        arb_init(b);
        fy_nnft_bias_var(b, s, prec);
        arb_sub(mu, mu, b, prec);
        arb_clear(b);
        return FY_OK;
    }
    fmpq_init(w);
    fmpq_init(e);
    fmpq_init(t);
    weight_moment(w, s, m);
    switch (s->act)
    {
    case FY_NNFT_GAUSS:
    {
        /* exp(m(m-2) sigma_b^2 / 2 + sigma_W^2 (|sum y|^2 - 2 sum |y|^2) / (2d)) */
        fmpq_t sy, sq;
        fmpq_init(sy);
        fmpq_init(sq);
        for (c = 0; c < s->d; c++)
        {
            fmpq_zero(sy);
            for (k = 0; k < m; k++)
            {
                const fmpq *y = s->points + idx[k] * s->d + c;
                fmpq_add(sy, sy, y);
                fmpq_mul(t, y, y);
                fmpq_add(sq, sq, t);
            }
            fmpq_mul(sy, sy, sy);
            fmpq_add(e, e, sy);
        }
        fmpq_mul_2exp(sq, sq, 1);
        fmpq_sub(e, e, sq);
        fmpq_mul(e, e, s->sigma_W);
        fmpq_mul(e, e, s->sigma_W);
        fmpz_set_si(fmpq_numref(t), 2 * s->d);
        fmpq_div_fmpz(e, e, fmpq_numref(t));
        fmpq_mul(t, s->sigma_b, s->sigma_b);
        fmpq_mul_si(t, t, (slong) m * (m - 2));
        fmpq_div_2exp(t, t, 1);
        fmpq_add(e, e, t);
        arb_set_fmpq(mu, e, prec);
        arb_exp(mu, mu, prec);
        fmpq_clear(sy);
        fmpq_clear(sq);
        break;
    }
    case FY_NNFT_COS:
    {
        /* 2^(1-m) sum over sign vectors with s_1 = +1, sum s = 0, of
         * exp(-sigma_W^2 |sum s_k y_k|^2 / (2d)) */
        unsigned sg;
        arb_t term;
        arb_init(term);
        arb_zero(mu);
        for (sg = 0; sg < (1u << (m - 1)); sg++)
        {
            /* bit k-1 of sg set: s_k = -1 for k >= 1; s_0 = +1 */
            if (__builtin_popcount(sg) != m / 2) /* as many minus as plus signs */
                continue;
            fmpq_zero(e);
            for (c = 0; c < s->d; c++)
            {
                fmpq_zero(t);
                for (k = 0; k < m; k++)
                {
                    const fmpq *y = s->points + idx[k] * s->d + c;
                    if (k > 0 && (sg >> (k - 1)) & 1)
                        fmpq_sub(t, t, y);
                    else
                        fmpq_add(t, t, y);
                }
                fmpq_mul(t, t, t);
                fmpq_add(e, e, t);
            }
            fmpq_mul(e, e, s->sigma_W);
            fmpq_mul(e, e, s->sigma_W);
            fmpz_set_si(fmpq_numref(t), -2 * s->d);
            fmpz_one(fmpq_denref(t));
            fmpq_div(e, e, t);
            arb_set_fmpq(term, e, prec);
            arb_exp(term, term, prec);
            arb_add(mu, mu, term, prec);
        }
        arb_mul_2exp_si(mu, mu, 1 - m);
        arb_clear(term);
        break;
    }
    case FY_NNFT_RELU:
    {
        /* sigma_b = 0, d = 1: relu(w y_1)..relu(w y_m) vanishes unless all y_k have one
         * sign; then it is prod |y_k| relu(+-w)^m, E relu(w)^m = sigma_W^m (m - 1)!! / 2. */
        int pos = 0, neg = 0;
        if (!fmpq_is_zero(s->sigma_b) || s->d != 1)
        {
            /* the angular closed form over the rank <= 2 Gaussian (quad2.c) */
            rc = fy_nnft_moment_rank2(mu, s, idx, m, prec, err);
            break;
        }
        fmpq_set_si(e, dfact(m), 2);
        for (k = 0; k < m; k++)
        {
            const fmpq *y = s->points + idx[k];
            pos += fmpq_sgn(y) > 0;
            neg += fmpq_sgn(y) < 0;
            fmpq_abs(t, y);
            fmpq_mul(e, e, t);
            fmpq_mul(e, e, s->sigma_W);
        }
        if (pos != m && neg != m)
            fmpq_zero(e);
        arb_set_fmpq(mu, e, prec);
        break;
    }
    default:
        /* erf, tanh: rigorous quadrature over the rank <= 2 Gaussian; sin: closed form
         * (quad2.c) */
        rc = fy_nnft_moment_rank2(mu, s, idx, m, prec, err);
        break;
    }
    if (rc == FY_OK)
    {
        arb_t aw;
        arb_init(aw);
        arb_set_fmpq(aw, w, prec);
        arb_mul(mu, mu, aw, prec);
        arb_clear(aw);
    }
    fmpq_clear(w);
    fmpq_clear(e);
    fmpq_clear(t);
    return rc;
}

/* ------------------------------------------------------------------ moment cache
 * Moments of the sub-multisets of one tuple are shared with other tuples (at n = 6 on six
 * points: 462 + 126 + 21 distinct moments behind 462 tuples), so fy_nnft_corr_compute keeps
 * them in a table keyed by the sorted multiset of canonical point indices: points with equal
 * coordinates share an index, and for odd activations (erf, tanh, sin) a multiset and its
 * mirror image (every x_k -> -x_k, when the set holds the mirrored points) have one moment,
 * as (W, b) -> (-W, -b) preserves the measure and flips every pre-activation. */
typedef struct
{
    slong cap, used, P;
    slong *keys;   /* cap x (NNFT_MAX_N + 1): m, then the m sorted indices */
    arb_ptr val;
    char *full;
    slong *canon;  /* P: smallest index with the same coordinates */
    slong *mirror; /* P: canonical index of -x_i, or -1 */
    int odd;
    slong hits, misses;
} mcache_t;

static int same_coords(const fy_nnft_spec_t s, slong i, slong j, int neg)
{
    slong c;
    fmpq_t t;
    int eq = 1;
    fmpq_init(t);
    for (c = 0; c < s->d && eq; c++)
    {
        fmpq_set(t, s->points + j * s->d + c);
        if (neg)
            fmpq_neg(t, t);
        eq = fmpq_equal(s->points + i * s->d + c, t);
    }
    fmpq_clear(t);
    return eq;
}

static int mcache_init(mcache_t *mc, const fy_nnft_spec_t s, slong expect, fy_error_t err)
{
    slong i, j;
    memset(mc, 0, sizeof *mc);
    mc->P = s->npoints;
    for (mc->cap = 64; mc->cap < 2 * expect; mc->cap *= 2)
        ;
    mc->keys = fy_malloc((size_t) mc->cap * (NNFT_MAX_N + 1), sizeof(slong), err);
    mc->full = calloc((size_t) mc->cap, 1);
    mc->canon = fy_malloc((size_t) mc->P, sizeof(slong), err);
    mc->mirror = fy_malloc((size_t) mc->P, sizeof(slong), err);
    if (mc->keys == NULL || mc->full == NULL || mc->canon == NULL || mc->mirror == NULL)
    {
        free(mc->keys);
        free(mc->full);
        free(mc->canon);
        free(mc->mirror);
        memset(mc, 0, sizeof *mc);
        return fy_error_set(err, FY_ENOMEM, "out of memory for the moment cache");
    }
    mc->val = _arb_vec_init(mc->cap);
    mc->odd = s->act == FY_NNFT_ERF || s->act == FY_NNFT_TANH || s->act == FY_NNFT_SIN;
    for (i = 0; i < mc->P; i++)
    {
        for (j = 0; j < i && !same_coords(s, i, j, 0); j++)
            ;
        mc->canon[i] = j;
    }
    for (i = 0; i < mc->P; i++)
    {
        for (j = 0; j < mc->P && !same_coords(s, i, j, 1); j++)
            ;
        mc->mirror[i] = j < mc->P ? mc->canon[j] : -1;
    }
    return FY_OK;
}

static void mcache_clear(mcache_t *mc)
{
    if (mc->val != NULL)
        _arb_vec_clear(mc->val, mc->cap);
    free(mc->keys);
    free(mc->full);
    free(mc->canon);
    free(mc->mirror);
    memset(mc, 0, sizeof *mc);
}

static int cmp_slong(const void *a, const void *b)
{
    slong x = *(const slong *) a, y = *(const slong *) b;
    return (x > y) - (x < y);
}

/* The canonical key of the multiset pts[0..m) into key[0..m] (key[0] = m). */
static void mcache_key(slong *key, const mcache_t *mc, const slong *pts, int m)
{
    slong a[NNFT_MAX_N], b[NNFT_MAX_N];
    int k, mirror = mc->odd;
    for (k = 0; k < m; k++)
    {
        a[k] = mc->canon[pts[k]];
        b[k] = mc->mirror[pts[k]];
        if (b[k] < 0)
            mirror = 0;
    }
    qsort(a, (size_t) m, sizeof(slong), cmp_slong);
    if (mirror)
    {
        qsort(b, (size_t) m, sizeof(slong), cmp_slong);
        if (memcmp(b, a, (size_t) m * sizeof(slong)) < 0) /* any fixed choice will do */
            memcpy(a, b, (size_t) m * sizeof(slong));
    }
    key[0] = m;
    for (k = 0; k < m; k++)
        key[k + 1] = a[k];
}

/* Slot of key: the one holding it, or the empty one where it goes. */
static slong mcache_slot(const mcache_t *mc, const slong *key)
{
    ulong h = 1469598103934665603UL;
    slong k, pos;
    for (k = 0; k <= key[0]; k++)
        h = (h ^ (ulong) key[k]) * 1099511628211UL;
    pos = (slong) (h & (ulong) (mc->cap - 1));
    while (mc->full[pos]
           && memcmp(mc->keys + pos * (NNFT_MAX_N + 1), key,
                     (size_t) (key[0] + 1) * sizeof(slong)) != 0)
        pos = (pos + 1) & (mc->cap - 1);
    return pos;
}

/* mu = the moment at pts[0..m) from the cache, computed and stored on a miss. */
static int mcache_moment(arb_t mu, mcache_t *mc, const fy_nnft_spec_t s, const slong *pts,
                         int m, slong prec, fy_error_t err)
{
    slong key[NNFT_MAX_N + 1], pos;
    int rc;
    mcache_key(key, mc, pts, m);
    pos = mcache_slot(mc, key);
    if (mc->full[pos])
    {
        mc->hits++;
        arb_set(mu, mc->val + pos);
        return FY_OK;
    }
    if ((rc = fy_nnft_moment(mu, s, key + 1, m, prec, err)) != FY_OK)
        return rc;
    mc->misses++;
    if (2 * (mc->used + 1) > mc->cap)
        return FY_OK; /* full enough: compute without storing */
    memcpy(mc->keys + pos * (NNFT_MAX_N + 1), key, (size_t) (m + 1) * sizeof(slong));
    arb_set(mc->val + pos, mu);
    mc->full[pos] = 1;
    mc->used++;
    return FY_OK;
}

/* Stores mu at the multiset pts[0..m) unless present. */
static void mcache_put(mcache_t *mc, const slong *pts, int m, const arb_t mu)
{
    slong key[NNFT_MAX_N + 1], pos;
    mcache_key(key, mc, pts, m);
    pos = mcache_slot(mc, key);
    if (mc->full[pos] || 2 * (mc->used + 1) > mc->cap)
        return;
    memcpy(mc->keys + pos * (NNFT_MAX_N + 1), key, (size_t) (m + 1) * sizeof(slong));
    arb_set(mc->val + pos, mu);
    mc->full[pos] = 1;
    mc->used++;
}

#define NNFT_BATCH_MAX 20000 /* monomials of one shared quadrature grid */

/* Stores the batch results res (monomials of degree 1..n over the points pts[0..P)) in the
 * cache, times the output-weight moments. */
static int mcache_store_batch(mcache_t *mc, const fy_nnft_spec_t s, const slong *pts, slong P,
                              int n, arb_ptr res, slong prec, fy_error_t err)
{
    slong off = 0, id, *tup, count, sub[NNFT_MAX_N];
    fmpq_t w;
    arb_t aw;
    int d, k, rc = FY_OK;
    fmpq_init(w);
    arb_init(aw);
    for (d = 1; d <= n && rc == FY_OK; d++)
    {
        if ((rc = fy_nnft_tuples(&tup, &count, P, d, err)) != FY_OK)
            break;
        if ((d & 1) == 0)
        {
            weight_moment(w, s, d);
            arb_set_fmpq(aw, w, prec);
            for (id = 0; id < count; id++)
            {
                for (k = 0; k < d; k++)
                    sub[k] = pts[tup[id * d + k]];
                arb_mul(res + off + id, res + off + id, aw, prec);
                mcache_put(mc, sub, d, res + off + id);
            }
        }
        off += count;
        free(tup);
    }
    fmpq_clear(w);
    arb_clear(aw);
    return rc;
}

/* The shared grid over the points pts[0..P) if their Gaussian has rank 2 or 3 (dim = rank):
 * every moment of order <= n among them into the cache; nothing where it does not apply. */
static int mcache_grid(mcache_t *mc, const fy_nnft_spec_t s, const slong *pts, slong P, int n,
                       slong prec, fy_error_t err)
{
    fy_nnft_red_t z;
    arb_ptr res, coef, co;
    fmpq_t lv;
    slong cnt = fy_nnft_gauss2_batch_count(P, n), rank = 0, j;
    int t, rc = FY_OK;
    if (P < 2 || cnt > NNFT_BATCH_MAX)
        return FY_OK;
    fy_nnft_red_init(z);
    if (fy_nnft_reduce(z, s, pts, (int) P, prec + 30, NULL) != FY_OK || z->rank < 2)
    {
        fy_nnft_red_clear(z);
        return FY_OK;
    }
    co = _arb_vec_init(P * FY_NNFT_CHOL_K);
    coef = _arb_vec_init(P * 3);
    fmpq_init(lv);
    fy_nnft_chol(co, &rank, lv, z->S, P, -1, prec + 30);
    if (rank == 2 || rank == 3) /* (rank 3: tanh; erf's pairs are of rank 2) */
    {
        for (j = 0; j < P; j++)
            for (t = 0; t < rank; t++)
                arb_set(coef + j * rank + t, co + j * FY_NNFT_CHOL_K + t);
        res = _arb_vec_init(cnt);
        rc = fy_nnft_gauss_batch(res, s->act, coef, (int) rank, P, n, NULL,
                                 rank == 3 ? FLINT_MIN(prec, FY_NNFT_QG3_PREC) : prec, err);
        if (rc == FY_OK)
            rc = mcache_store_batch(mc, s, pts, P, n, res, prec, err);
        _arb_vec_clear(res, cnt);
    }
    _arb_vec_clear(co, P * FY_NNFT_CHOL_K);
    _arb_vec_clear(coef, P * 3);
    fmpq_clear(lv);
    fy_nnft_red_clear(z);
    return rc;
}

/* erf and tanh: every moment of order <= n in one pass over a shared grid (quad2.c) when all
 * the distinct points lie in one Gaussian of rank 2, or for tanh of rank 3 (one
 * three-dimensional grid for every monomial, the [HMS] d = 2 set in seconds, where moment by
 * moment took a grid each); else a grid for each pair of them, the rest left to
 * fy_nnft_moment (erf at rank 3 and 4: most reduce to two dimensions, quad3.c).  tanh at rank
 * 4 or more with n >= 4 is refused at once: four of the points span rank 4, and their moment
 * is a four-dimensional integral (not implemented). */
static int mcache_fill_batch(mcache_t *mc, const fy_nnft_spec_t s, int n, slong prec,
                             fy_error_t err)
{
    fy_nnft_red_t z;
    slong *pts, Pc = 0, i, j, k, tri[3];
    int rc = FY_OK, high, rank3;
    if (s->act != FY_NNFT_ERF && s->act != FY_NNFT_TANH)
        return FY_OK;
    if ((pts = fy_malloc((size_t) mc->P, sizeof(slong), err)) == NULL)
        return FY_ENOMEM;
    for (i = 0; i < mc->P; i++)
        if (mc->canon[i] == i)
            pts[Pc++] = i;
    fy_nnft_red_init(z);
    high = Pc > 2 && fy_nnft_reduce(z, s, pts, (int) Pc, prec + 30, NULL) == FY_OK
           && z->rank > 2;
    rank3 = high;
    if (high)
    {
        fmpq_t lv;
        arb_ptr co = _arb_vec_init(Pc * FY_NNFT_CHOL_K);
        slong rank;
        fmpq_init(lv);
        fy_nnft_chol(co, &rank, lv, z->S, Pc, -1, 64);
        high = rank > 3;
        rank3 = rank == 3;
        fmpq_clear(lv);
        _arb_vec_clear(co, Pc * FY_NNFT_CHOL_K);
    }
    fy_nnft_red_clear(z);
    if (high && s->act != FY_NNFT_ERF && n >= 4)
        rc = fy_error_set(err, FY_EUNSUPPORTED, "single-neuron moments of %s: the "
                          "pre-activations at the %ld distinct input points have a Gaussian of "
                          "rank 4 or more (e.g. d = 3 with biases), so G^(%d) needs "
                          "four-dimensional integrals, which are not implemented (rank 3 is); "
                          "use feynn nnft sample", fy_nnft_act_name(s->act), (long) Pc, n);
    else if (!high && (!rank3 || s->act != FY_NNFT_ERF))
        rc = mcache_grid(mc, s, pts, Pc, n, prec, err);
    else if (Pc <= 8)
    {
        /* a two-dimensional grid for each pair, the moments over three or more points one by
         * one (erf: most reduce to two dimensions, quad3.c) */
        int sz = 2;
        for (i = 0; i < Pc && rc == FY_OK; i++)
            for (j = i + 1; j < Pc && rc == FY_OK; j++)
                for (k = sz == 2 ? Pc - 1 : j + 1; k < Pc && rc == FY_OK; k++)
                {
                    tri[0] = pts[i];
                    tri[1] = pts[j];
                    tri[2] = pts[k];
                    rc = mcache_grid(mc, s, tri, sz, n, prec, err);
                }
    }
    free(pts);
    return rc;
}

/* ------------------------------------------------------------------ correlators
 * Context over the positions 0..n-1 of one tuple; memo tables indexed by position masks. */
typedef struct
{
    mcache_t *cache; /* shared moments across tuples, or NULL */
    const fy_nnft_spec_struct *s;
    const slong *idx;
    int n;
    slong prec;
    arb_ptr mu, gg, gf, kc; /* moments, G of the neuron sum g, G of f, cumulants of f */
    char have_mu[1 << NNFT_MAX_N], have_gg[1 << NNFT_MAX_N], have_gf[1 << NNFT_MAX_N];
    char have_kc[1 << NNFT_MAX_N];
    arb_t acc[NNFT_MAX_N + 1]; /* per number of blocks */
    arb_t tmp;
    fy_error_struct *err;
} corr_ctx;

static int ctx_init(corr_ctx *c, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                    fy_error_t err)
{
    int k;
    memset(c, 0, sizeof *c);
    if (n < 0 || n > NNFT_MAX_N)
        return fy_error_set(err, FY_EINPUT, "correlators of order 0..%d, not %d", NNFT_MAX_N,
                            n);
    for (k = 0; k < n; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range (%ld points)",
                                (long) idx[k], (long) s->npoints);
    c->s = s;
    c->idx = idx;
    c->n = n;
    c->prec = prec;
    c->err = err;
    c->mu = _arb_vec_init(4 << n);
    c->gg = c->mu + (1 << n);
    c->gf = c->gg + (1 << n);
    c->kc = c->gf + (1 << n);
    for (k = 0; k <= NNFT_MAX_N; k++)
        arb_init(c->acc[k]);
    arb_init(c->tmp);
    return FY_OK;
}

static void ctx_clear(corr_ctx *c)
{
    int k;
    if (c->mu == NULL)
        return;
    _arb_vec_clear(c->mu, 4 << c->n);
    for (k = 0; k <= NNFT_MAX_N; k++)
        arb_clear(c->acc[k]);
    arb_clear(c->tmp);
}

static int ctx_mu(corr_ctx *c, unsigned B)
{
    if (!c->have_mu[B])
    {
        slong sub[NNFT_MAX_N];
        int m = 0, k, rc;
        for (k = 0; k < c->n; k++)
            if (B >> k & 1)
                sub[m++] = c->idx[k];
        if (c->cache != NULL)
            rc = mcache_moment(c->mu + B, c->cache, c->s, sub, m, c->prec, c->err);
        else
            rc = fy_nnft_moment(c->mu + B, c->s, sub, m, c->prec, c->err);
        if (rc != FY_OK)
            return rc;
        c->have_mu[B] = 1;
    }
    return FY_OK;
}

static int gg_cb(const unsigned *blocks, int nb, void *data)
{
    corr_ctx *c = data;
    int i, rc;
    arb_one(c->tmp);
    for (i = 0; i < nb; i++)
    {
        if ((rc = ctx_mu(c, blocks[i])) != FY_OK)
            return rc;
        arb_mul(c->tmp, c->tmp, c->mu + blocks[i], c->prec);
    }
    arb_add(c->acc[nb], c->acc[nb], c->tmp, c->prec);
    return 0;
}

/* E of the product of g = N^(-1/2) sum_i h_i over the positions of mask. */
static int ctx_gg(corr_ctx *c, unsigned mask)
{
    unsigned blocks[NNFT_MAX_N];
    int k, rc, size = __builtin_popcount(mask);
    arb_ptr z = c->gg + mask;
    arb_t ff, t;
    if (c->have_gg[mask])
        return FY_OK;
    if (size & 1)
    {
        arb_zero(z);
        c->have_gg[mask] = 1;
        return FY_OK;
    }
    for (k = 0; k <= NNFT_MAX_N; k++)
        arb_zero(c->acc[k]);
    if ((rc = partitions(mask, blocks, 0, 1, gg_cb, c)) != 0)
        return rc;
    /* N^(-size/2) sum_k (N)_k acc[k] */
    arb_init(ff);
    arb_init(t);
    arb_one(ff);
    arb_zero(z);
    for (k = 1; k <= size / 2; k++)
    {
        arb_set_si(t, c->s->width - (k - 1));
        arb_mul(ff, ff, t, c->prec);
        arb_addmul(z, ff, c->acc[k], c->prec);
    }
    if (size == 0)
        arb_one(z);
    arb_set_si(t, c->s->width);
    arb_pow_ui(t, t, (ulong) size / 2, c->prec);
    arb_div(z, z, t, c->prec);
    arb_clear(ff);
    arb_clear(t);
    c->have_gg[mask] = 1;
    return FY_OK;
}

/* E of the product of f = b1 + g over the positions of mask: the output bias pairs up. */
static int ctx_gf(corr_ctx *c, unsigned mask)
{
    unsigned sub;
    int rc;
    arb_ptr z = c->gf + mask;
    arb_t bv, t;
    if (c->have_gf[mask])
        return FY_OK;
    arb_init(bv);
    arb_init(t);
    fy_nnft_bias_var(bv, c->s, c->prec);
    arb_zero(z);
    sub = mask;
    for (;;)
    {
        /* sub: positions carried by the bias */
        int k = __builtin_popcount(sub);
        if ((k & 1) == 0 && (k == 0 || !arb_is_zero(bv)))
        {
            if ((rc = ctx_gg(c, mask ^ sub)) != FY_OK)
            {
                arb_clear(bv);
                arb_clear(t);
                return rc;
            }
            arb_pow_ui(t, bv, (ulong) k / 2, c->prec);
            arb_mul_si(t, t, dfact(k), c->prec);
            arb_addmul(z, t, c->gg + (mask ^ sub), c->prec);
        }
        if (sub == 0)
            break;
        sub = (sub - 1) & mask;
    }
    arb_clear(bv);
    arb_clear(t);
    c->have_gf[mask] = 1;
    return FY_OK;
}

/* Cumulant of f over mask: G(mask) - sum over blocks B holding the lowest position,
 * B != mask, of kappa(B) G(mask \ B). */
static int ctx_kc(corr_ctx *c, unsigned mask)
{
    unsigned low, rest, sub;
    int rc;
    arb_ptr z = c->kc + mask;
    if (c->have_kc[mask])
        return FY_OK;
    if ((rc = ctx_gf(c, mask)) != FY_OK)
        return rc;
    arb_set(z, c->gf + mask);
    low = mask & (0u - mask);
    rest = mask ^ low;
    for (sub = rest;; sub = (sub - 1) & rest)
    {
        unsigned B = sub | low;
        if (B != mask && (__builtin_popcount(B) & 1) == 0
            && (__builtin_popcount(mask ^ B) & 1) == 0)
        {
            if ((rc = ctx_kc(c, B)) != FY_OK || (rc = ctx_gf(c, mask ^ B)) != FY_OK)
                return rc;
            arb_submul(z, c->kc + B, c->gf + (mask ^ B), c->prec);
        }
        if (sub == 0)
            break;
    }
    c->have_kc[mask] = 1;
    return FY_OK;
}

int fy_nnft_correlator(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                       fy_error_t err)
{
    corr_ctx c;
    int rc;
    if (fy_nnft_has_odd(s)) /* the Z2 switch: odd blocks too (euclid.c) */
        return fy_nnft_euclid_correlator(G, s, idx, n, prec, err);
    rc = ctx_init(&c, s, idx, n, prec, err);
    if (rc == FY_OK && (rc = ctx_gf(&c, n ? (1u << n) - 1 : 0)) == FY_OK)
        arb_set(G, c.gf + ((1u << n) - 1));
    ctx_clear(&c);
    return rc;
}

int fy_nnft_connected(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                      fy_error_t err)
{
    corr_ctx c;
    int rc;
    if (n < 1)
        return fy_error_set(err, FY_EINPUT, "connected correlators need n >= 1");
    if (fy_nnft_has_odd(s)) /* the Z2 switch: odd blocks too (euclid.c) */
        return fy_nnft_euclid_connected(G, s, idx, n, prec, err);
    rc = ctx_init(&c, s, idx, n, prec, err);
    if (rc == FY_OK && (n & 1))
        arb_zero(G);
    else if (rc == FY_OK && (rc = ctx_kc(&c, (1u << n) - 1)) == FY_OK)
        arb_set(G, c.kc + ((1u << n) - 1));
    ctx_clear(&c);
    return rc;
}

/* Wick: sum over pairings of prod K; K at point pairs from a small memo. */
typedef struct
{
    const fy_nnft_spec_struct *s;
    const slong *idx;
    slong prec;
    arb_ptr K; /* n x n over positions */
    char have[NNFT_MAX_N * NNFT_MAX_N];
    arb_ptr Kp; /* P x P over points, shared across tuples, or NULL */
    char *haveKp;
    mcache_t *cache; /* shared moments, or NULL */
    int n;
    arb_t sum, tmp, bias;
    fy_error_struct *err;
} wick_ctx;

static int wick_cb(const unsigned *blocks, int nb, void *data)
{
    wick_ctx *w = data;
    int b, rc;
    arb_one(w->tmp);
    for (b = 0; b < nb; b++)
    {
        int i = __builtin_ctz(blocks[b]), j = 31 - __builtin_clz(blocks[b]);
        if (__builtin_popcount(blocks[b]) != 2)
            return 0; /* pairings only */
        slong P = w->s->npoints, pi = w->idx[i], pj = w->idx[j];
        arb_ptr K = w->Kp ? w->Kp + pi * P + pj : w->K + i * w->n + j;
        char *have = w->Kp ? w->haveKp + pi * P + pj : w->have + i * w->n + j;
        if (!*have)
        {
            /* the kernel (closed form, or for tanh the second moment plus the bias, from
             * the shared moments when there are) */
            if (w->cache != NULL && w->s->act == FY_NNFT_TANH)
            {
                slong pair[2] = {pi, pj};
                if ((rc = mcache_moment(K, w->cache, w->s, pair, 2, w->prec, w->err)) != FY_OK)
                    return rc;
                fy_nnft_bias_var(w->bias, w->s, w->prec);
                arb_add(K, K, w->bias, w->prec);
            }
            else if ((rc = fy_nnft_kernel(K, w->s, pi, pj, w->prec, w->err)) != FY_OK)
                return rc;
            *have = 1;
            if (w->Kp)
            {
                arb_set(w->Kp + pj * P + pi, K);
                w->haveKp[pj * P + pi] = 1;
            }
        }
        arb_mul(w->tmp, w->tmp, K, w->prec);
    }
    arb_add(w->sum, w->sum, w->tmp, w->prec);
    return 0;
}

static int wick_run(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                    arb_ptr Kp, char *haveKp, mcache_t *cache, fy_error_t err);

int fy_nnft_wick(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                 fy_error_t err)
{
    return wick_run(G, s, idx, n, prec, NULL, NULL, NULL, err);
}

static int wick_run(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                    arb_ptr Kp, char *haveKp, mcache_t *cache, fy_error_t err)
{
    wick_ctx w;
    unsigned blocks[NNFT_MAX_N];
    int k, rc;
    if (n < 0 || n > NNFT_MAX_N)
        return fy_error_set(err, FY_EINPUT, "Wick values of order 0..%d", NNFT_MAX_N);
    for (k = 0; k < n; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index out of range");
    if (n & 1)
    {
        arb_zero(G);
        return FY_OK;
    }
    memset(&w, 0, sizeof w);
    w.s = s;
    w.idx = idx;
    w.prec = prec;
    w.n = n;
    w.err = err;
    w.Kp = Kp;
    w.haveKp = haveKp;
    w.cache = cache;
    w.K = _arb_vec_init(n * n > 0 ? n * n : 1);
    arb_init(w.sum);
    arb_init(w.tmp);
    arb_init(w.bias);
    rc = partitions(n ? (1u << n) - 1 : 0, blocks, 0, 1, wick_cb, &w);
    if (rc == FY_OK)
        arb_set(G, w.sum);
    _arb_vec_clear(w.K, n * n > 0 ? n * n : 1);
    arb_clear(w.sum);
    arb_clear(w.tmp);
    arb_clear(w.bias);
    return rc;
}

/* ------------------------------------------------------------------ all tuples */
void fy_nnft_corr_init(fy_nnft_corr_t c)
{
    memset(c, 0, sizeof *c);
    arb_init(c->m);
}

void fy_nnft_corr_clear(fy_nnft_corr_t c)
{
    if (c->G != NULL)
        _arb_vec_clear(c->G, 3 * c->count);
    free(c->idx);
    arb_clear(c->m);
    memset(c, 0, sizeof *c);
}

/* The checks of fy_nnft_corr_compute, then the moment cache with the shared grids. */
static int corr_cache(mcache_t *cache, const fy_nnft_spec_t s, int n, slong prec,
                      fy_error_t err)
{
    slong expect = 0;
    int k, rc;
    memset(cache, 0, sizeof *cache);
    if (n < 2 || n > NNFT_MAX_N || (n & 1))
        return fy_error_set(err, FY_EINPUT, "correlators at n = 2, 4, 6, 8, not %d", n);
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "no input points (give 'inputs' or 'point' lines "
                            "in the spec, or a points file)");
    if (fy_nnft_has_odd(s) && fy_nnft_euclid_deep(s))
        return fy_error_set(err, FY_EUNSUPPORTED, "the neurons of a deeper g share the input "
                            "layer, so the tables of independent neurons do not apply: use "
                            "fy_nnft_correlator and fy_nnft_connected, which sum over every "
                            "set partition");
    if (fy_nnft_has_odd(s))
        return fy_error_set(err, FY_EUNSUPPORTED, "with a_mean and phase < 1 (Z2 broken) the "
                            "tables of even correlators do not apply: use fy_nnft_correlator "
                            "and fy_nnft_connected, which sum over every set partition");
    /* distinct moments: the sorted multisets of sizes 2, 4, .., n */
    for (k = 2; k <= n; k += 2)
        expect += fy_nnft_tuple_count(s->npoints, k);
    if ((rc = mcache_init(cache, s, expect, err)) != FY_OK)
        return rc;
    if ((rc = mcache_fill_batch(cache, s, n, prec, err)) != FY_OK)
        mcache_clear(cache);
    return rc;
}

/* Every sorted tuple at width s->width from the moments of the cache. */
static int corr_run(fy_nnft_corr_t c, const fy_nnft_spec_t s, int n, slong prec,
                    mcache_t *cache, fy_error_t err)
{
    slong t, P = s->npoints, hits0 = cache->hits, miss0 = cache->misses;
    int rc;
    arb_t d;
    arb_ptr Kp;
    char *haveKp;
    fy_nnft_corr_clear(c);
    arb_init(c->m);
    if ((rc = fy_nnft_tuples(&c->idx, &c->count, s->npoints, n, err)) != FY_OK)
        return rc;
    c->n = n;
    c->G = _arb_vec_init(3 * c->count);
    c->gp = c->G + c->count;
    c->conn = c->gp + c->count;
    Kp = _arb_vec_init(P * P);
    haveKp = calloc((size_t) (P * P), 1);
    if (haveKp == NULL)
        rc = fy_error_set(err, FY_ENOMEM, "out of memory");
    arb_init(d);
    arb_zero(c->m);
    for (t = 0; t < c->count && rc == FY_OK; t++)
    {
        corr_ctx x;
        const slong *ix = c->idx + t * n;
        if ((rc = ctx_init(&x, s, ix, n, prec, err)) != FY_OK)
            break;
        x.cache = cache;
        if ((rc = ctx_kc(&x, (1u << n) - 1)) == FY_OK)
        {
            arb_set(c->G + t, x.gf + ((1u << n) - 1));
            arb_set(c->conn + t, x.kc + ((1u << n) - 1));
        }
        ctx_clear(&x);
        if (rc == FY_OK)
            rc = wick_run(c->gp + t, s, ix, n, prec, Kp, haveKp, cache, err);
        if (rc == FY_OK)
            fy_nnft_corr_add_deviation(c, t, d, prec);
    }
    if (rc == FY_OK && c->m_used > 0)
        arb_div_si(c->m, c->m, c->m_used, prec);
    c->moments_computed = cache->misses - miss0;
    c->moments_reused = cache->hits - hits0;
    _arb_vec_clear(Kp, P * P);
    free(haveKp);
    arb_clear(d);
    return rc;
}

void fy_nnft_corr_add_deviation(fy_nnft_corr_t c, slong t, arb_t d, slong prec)
{
    if (arb_contains_zero(c->gp + t))
        return;
    arb_sub(d, c->G + t, c->gp + t, prec);
    arb_div(d, d, c->gp + t, prec);
    arb_abs(d, d);
    arb_add(c->m, c->m, d, prec);
    c->m_used++;
}

int fy_nnft_corr_compute(fy_nnft_corr_t c, const fy_nnft_spec_t s, int n, slong prec,
                         fy_error_t err)
{
    mcache_t cache;
    int rc;
    fy_nnft_corr_clear(c);
    arb_init(c->m);
    if ((rc = corr_cache(&cache, s, n, prec, err)) != FY_OK)
        return rc;
    rc = corr_run(c, s, n, prec, &cache, err);
    mcache_clear(&cache);
    return rc;
}

int fy_nnft_corr_compute_widths(fy_nnft_corr_struct *c, const fy_nnft_spec_t s, int n,
                                const slong *widths, slong nw, slong prec, fy_error_t err)
{
    mcache_t cache;
    fy_nnft_spec_t t;
    slong k;
    int rc;
    for (k = 0; k < nw; k++)
    {
        fy_nnft_corr_clear(c + k);
        arb_init(c[k].m);
        if (widths[k] < 1)
            return fy_error_set(err, FY_EINPUT, "width %ld: at least 1", (long) widths[k]);
    }
    if ((rc = corr_cache(&cache, s, n, prec, err)) != FY_OK)
        return rc;
    fy_nnft_spec_init(t);
    rc = fy_nnft_spec_set(t, s, err);
    for (k = 0; k < nw && rc == FY_OK; k++)
    {
        t->width = widths[k];
        rc = corr_run(c + k, t, n, prec, &cache, err);
    }
    fy_nnft_spec_clear(t);
    mcache_clear(&cache);
    return rc;
}
