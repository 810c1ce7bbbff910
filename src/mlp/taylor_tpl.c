/* Template (included by taylor_{d,arb,fmpq}.c): forward pass, propagators, the fused layer
 * recursion for whole symmetric tensors (MATH.md 1.6) and directional Taylor coefficients.
 *
 * Tensor layout: one buffer X of E x ld elements, E = the number of sorted multi-indices of
 * orders 1..n (order by order, each by rank), ld = the widest hidden layer; row r holds the
 * entry r of every neuron of a layer.  Layer 1 is linear, so Q^(1)_{a;I} = sigma^(k)(z_a)
 * prod_p W1_{a,I_p} (one product per entry).  Then for each further layer, in place:
 *   P^(l) = Q^(l-1) W^(l)^T  (a dense product over the neuron index, by row blocks), and
 *   Q^(l)_I = sum over set partitions pi of the slots of I of sigma^(|pi|) prod_B P^(l)_B,
 * orders from n down to 1 so that the lower orders a partition reads are still P^(l).
 * The output row is a product with one row of W^(L). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#define FY_MLP_USE_CBLAS 1
#endif
#if defined(FY_BACKEND_D) && defined(_OPENMP)
#include <omp.h>
#define FY_MLP_USE_OMP 1
#endif

#if defined(FY_BACKEND_D)
#define ACT_EVAL(res, act, k, z) fy_activation_eval_d(res, act, k, *(z), err)
#elif defined(FY_BACKEND_ARB)
#define ACT_EVAL(res, act, k, z) fy_activation_eval_arb(res, act, k, z, prec, err)
#else
#define ACT_EVAL(res, act, k, z) fy_activation_eval_fmpq(res, act, k, z, err)
#endif

/* z = sum_b x[b] y[b] (n terms). */
static void FY_FN(dot)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y, slong n, slong prec)
{
#if defined(FY_BACKEND_ARB)
    arb_dot(z, NULL, 0, x, 1, y, 1, n, prec);
#else
    slong b;
    FY_EL_ZERO(z);
    for (b = 0; b < n; b++)
        FY_EL_ADDMUL(z, x + b, y + b);
#endif
}

int FY_FN(_fy_mlp_forward)(fy_mlp_struct *m, int order, slong prec, fy_error_t err)
{
    int l, k, status;
    slong a;

    for (l = 1; l <= m->L; l++)
    {
        slong w = m->width[l], wp = m->width[l - 1];
        fy_el_srcptr W = (fy_el_srcptr) m->W[l].v, B = (fy_el_srcptr) m->b[l].v;
        fy_el_srcptr y = l == 1 ? (fy_el_srcptr) m->xbar.v : (fy_el_srcptr) m->s[l - 1].v;
        fy_el_ptr z;

        fy_numvec_clear(m->z + l);
        status = fy_numvec_init(m->z + l, FY_ARITH, w, prec, err);
        if (status != FY_OK)
            return status;
        z = (fy_el_ptr) m->z[l].v;
        for (a = 0; a < w; a++)
        {
            FY_FN(dot)(z + a, W + a * wp, y, wp, prec);
            FY_EL_ADD(z + a, z + a, B + a);
        }
        if (l == m->L)
            break;
        fy_numvec_clear(m->s + l);
        status = fy_numvec_init(m->s + l, FY_ARITH, (slong) (order + 1) * w, prec, err);
        if (status != FY_OK)
            return status;
        for (a = 0; a < w; a++)
            for (k = 0; k <= order; k++)
            {
                fy_el_ptr s = (fy_el_ptr) m->s[l].v + (slong) k * w + a;
                status = ACT_EVAL(s, m->act + l, (ulong) k, z + a);
                if (status != FY_OK)
                {
#if defined(FY_BACKEND_FMPQ)
                    char *zs = fy_fmpq_get_str(z + a);
                    fy_error_prefix(err, "exact arithmetic needs rational vertex values; layer "
                                    "%d, neuron %ld, %s at z = %s: ", l, (long) a,
                                    m->act[l].name, zs ? zs : "?");
                    free(zs);
#else
                    fy_error_prefix(err, "layer %d, neuron %ld, %s: ", l, (long) a,
                                    m->act[l].name);
#endif
                    return status;
                }
            }
    }
    return FY_OK;
}

void FY_FN(_fy_mlp_propagator)(fy_el_ptr D, const fy_mlp_struct *m, int l, int k, slong prec)
{
    slong wk = m->width[k], rows = m->width[k + 1], a, b, c;
    fy_el_ptr cur = FY_VEC_INIT(rows * wk), nxt;
    int j;

    for (a = 0; a < rows * wk; a++)
        FY_EL_SET(cur + a, (fy_el_srcptr) m->W[k + 1].v + a);
    for (j = k + 1; j < l; j++)
    {
        /* cur (width[j] x wk) <- W[j+1] S^(j) cur */
        slong wj = m->width[j], wn = m->width[j + 1];
        fy_el_srcptr W = (fy_el_srcptr) m->W[j + 1].v, s1 = (fy_el_srcptr) m->s[j].v + wj;
        fy_el_ptr col = FY_VEC_INIT(wj);
        nxt = FY_VEC_INIT(wn * wk);
        for (c = 0; c < wk; c++)
        {
            for (b = 0; b < wj; b++)
                FY_EL_MUL(col + b, s1 + b, cur + b * wk + c);
            for (a = 0; a < wn; a++)
                FY_FN(dot)(nxt + a * wk + c, W + a * wj, col, wj, prec);
        }
        FY_VEC_CLEAR(col, wj);
        FY_VEC_CLEAR(cur, rows * wk);
        cur = nxt;
        rows = wn;
    }
    for (a = 0; a < rows * wk; a++)
        FY_EL_SWAP(D + a, cur + a);
    FY_VEC_CLEAR(cur, rows * wk);
}

/* ------------------------------------------------------------------ whole tensors */

typedef struct
{
    int k;           /* order of the entries handled */
    long nterm;
    int *nb;         /* per term: blocks */
    slong *rk;       /* per term: k global ranks (sorted), first nb used */
    slong *cnt;      /* per term: multiplicity */
    slong *sub;      /* rank of each sub-mask of slots */
    long *perm;
} FY_FN(terms_t);

static int FY_FN(cmp_terms)(const FY_FN(terms_t) *t, long a, long b)
{
    int j;
    if (t->nb[a] != t->nb[b])
        return t->nb[a] - t->nb[b];
    for (j = 0; j < t->nb[a]; j++)
        if (t->rk[a * t->k + j] != t->rk[b * t->k + j])
            return t->rk[a * t->k + j] < t->rk[b * t->k + j] ? -1 : 1;
    return 0;
}

/* Merge sort of perm[0..n-1] by cmp_terms (re-entrant, unlike qsort with a global). */
static void FY_FN(sort_terms)(long *perm, long *buf, long n, const FY_FN(terms_t) *t)
{
    long h = n / 2, i = 0, j = h, o = 0;
    if (n < 2)
        return;
    FY_FN(sort_terms)(perm, buf, h, t);
    FY_FN(sort_terms)(perm + h, buf, n - h, t);
    while (i < h && j < n)
        buf[o++] = FY_FN(cmp_terms)(t, perm[j], perm[i]) < 0 ? perm[j++] : perm[i++];
    while (i < h)
        buf[o++] = perm[i++];
    while (j < n)
        buf[o++] = perm[j++];
    memcpy(perm, buf, sizeof(long) * (size_t) n);
}

static void FY_FN(sort_slong)(slong *x, int n)
{
    int i, j;
    for (i = 1; i < n; i++)
    {
        slong v = x[i];
        for (j = i; j > 0 && x[j - 1] > v; j--)
            x[j] = x[j - 1];
        x[j] = v;
    }
}

/* fy_mindex_rank with the binomial table read inline (the hot path of make_terms). */
static inline slong FY_FN(rank)(const fy_mindex_t ix, const int *idx, int k)
{
    slong r = 0;
    int p, a = 0, d = ix->dim, st = d + 2;
    const slong *tab = ix->tab;
    if (tab == NULL)
        return fy_mindex_rank(ix, idx, k);
    for (p = 0; p < k; p++)
    {
        r += tab[(slong) (k - p) * st + d - a] - tab[(slong) (k - p) * st + d - idx[p]];
        a = idx[p];
    }
    return r;
}

/* Terms of the Faa di Bruno sum of entry I (order k): for each set partition, the global
 * ranks of its blocks; merged when I repeats a value (equal terms, added counts). */
static void FY_FN(make_terms)(FY_FN(terms_t) *t, const int *Ix, int k, const fy_setpart_struct *sp,
                              const fy_mindex_t ix, const slong *off, int dedupe)
{
    unsigned S, nS = 1u << k;
    int sub[FY_MLP_MAX_TENSOR_ORDER], p, j, q;
    long i, out;

    t->k = k;
    for (S = 1; S < nS; S++)
    {
        for (p = 0, q = 0; p < k; p++)
            if (S >> p & 1u)
                sub[q++] = Ix[p];
        t->sub[S] = off[q] + FY_FN(rank)(ix, sub, q);
    }
    t->nterm = sp->count;
    for (i = 0; i < sp->count; i++)
    {
        t->nb[i] = sp->nb[i];
        t->cnt[i] = 1;
        for (j = 0; j < sp->nb[i]; j++)
            t->rk[i * k + j] = t->sub[sp->mask[i * k + j]];
        FY_FN(sort_slong)(t->rk + i * k, sp->nb[i]);
    }
    if (!dedupe)
        return;
    for (i = 0; i < t->nterm; i++)
        t->perm[i] = i;
    FY_FN(sort_terms)(t->perm, t->perm + t->nterm, t->nterm, t);
    /* compact in sorted order */
    {
        long n = t->nterm;
        int *nb = t->nb;
        slong *rk = t->rk, *cnt = t->cnt;
        /* copy into the tail-free front using a temporary order: gather first */
        int *nb2 = (int *) flint_malloc(sizeof(int) * (size_t) n);
        slong *rk2 = (slong *) flint_malloc(sizeof(slong) * (size_t) (n * k));
        for (i = 0; i < n; i++)
        {
            nb2[i] = nb[t->perm[i]];
            memcpy(rk2 + i * k, rk + t->perm[i] * k, sizeof(slong) * (size_t) k);
        }
        out = -1;
        for (i = 0; i < n; i++)
        {
            if (out >= 0 && nb2[i] == nb[out] &&
                memcmp(rk2 + i * k, rk + out * k, sizeof(slong) * (size_t) nb2[i]) == 0)
            {
                cnt[out]++;
                continue;
            }
            out++;
            nb[out] = nb2[i];
            cnt[out] = 1;
            memcpy(rk + out * k, rk2 + i * k, sizeof(slong) * (size_t) k);
        }
        t->nterm = out + 1;
        flint_free(nb2);
        flint_free(rk2);
    }
}

/* Q_I for one entry: acc (k+1 vectors of ld) and the result into X row `row`. */
static void FY_FN(fdb_entry)(fy_el_ptr X, slong ld, slong w, slong row, const FY_FN(terms_t) *t,
                             fy_el_srcptr s, fy_el_ptr acc, fy_el_ptr tmp, slong prec)
{
    int k = t->k, m;
    long i;
    slong a;

    for (m = 1; m <= k; m++)
        for (a = 0; a < w; a++)
            FY_EL_ZERO(acc + m * ld + a);
    for (i = 0; i < t->nterm; i++)
    {
        int nb = t->nb[i];
        const slong *rk = t->rk + i * k;
        fy_el_ptr ac = acc + nb * ld;
#if defined(FY_BACKEND_D)
        double *restrict A = ac, *restrict T = tmp;
        const double *restrict p0 = X + rk[0] * ld;
        double c = (double) t->cnt[i];
        (void) T;
        if (nb == 1)
            for (a = 0; a < w; a++)
                A[a] += c * p0[a];
        else if (nb == 2)
        {
            const double *restrict p1 = X + rk[1] * ld;
            for (a = 0; a < w; a++)
                A[a] += c * p0[a] * p1[a];
        }
        else if (nb == 3)
        {
            const double *restrict p1 = X + rk[1] * ld, *restrict p2 = X + rk[2] * ld;
            for (a = 0; a < w; a++)
                A[a] += c * p0[a] * p1[a] * p2[a];
        }
        else
        {
            int j;
            for (a = 0; a < w; a++)
                T[a] = c * p0[a];
            for (j = 1; j < nb; j++)
            {
                const double *restrict pj = X + rk[j] * ld;
                for (a = 0; a < w; a++)
                    T[a] *= pj[a];
            }
            for (a = 0; a < w; a++)
                A[a] += T[a];
        }
#else
        {
            int j;
            if (nb == 1)
                for (a = 0; a < w; a++)
                    FY_EL_ADDMUL_SI(ac + a, X + rk[0] * ld + a, t->cnt[i]);
            else
            {
                for (a = 0; a < w; a++)
                {
                    FY_EL_MUL(tmp + a, X + rk[0] * ld + a, X + rk[1] * ld + a);
                    for (j = 2; j < nb; j++)
                        FY_EL_MUL(tmp + a, tmp + a, X + rk[j] * ld + a);
                    FY_EL_ADDMUL_SI(ac + a, tmp + a, t->cnt[i]);
                }
            }
        }
#endif
    }
    /* result: sum_m sigma^(m) acc_m */
    for (a = 0; a < w; a++)
    {
        FY_EL_MUL(X + row * ld + a, s + 1 * w + a, acc + 1 * ld + a);
        for (m = 2; m <= k; m++)
            FY_EL_ADDMUL(X + row * ld + a, s + (slong) m * w + a, acc + m * ld + a);
    }
}

/* Faa di Bruno for all entries of order k, rows off[k] .. off[k+1]-1. */
static int FY_FN(fdb_order)(fy_el_ptr X, slong ld, slong w, int k, fy_el_srcptr s,
                            const fy_mindex_t ix, const slong *off, slong prec, fy_error_t err)
{
    fy_setpart_struct sp;
    slong cnt = off[k + 1] - off[k];
    int status = _fy_setpart_init(&sp, k, err);
    int dedupe_ok = 1;
    if (status != FY_OK)
        return status;
#if defined(FY_MLP_USE_OMP)
#pragma omp parallel
#endif
    {
        FY_FN(terms_t) t;
        int Ix[FY_MLP_MAX_TENSOR_ORDER + 1];
        slong r, r0, r1;
        fy_el_ptr acc = FY_VEC_INIT((slong) (k + 1) * ld), tmp = FY_VEC_INIT(ld);
        int nth = 1, me = 0, p;
#if defined(FY_MLP_USE_OMP)
        nth = omp_get_num_threads();
        me = omp_get_thread_num();
#endif
        t.nb = (int *) flint_malloc(sizeof(int) * (size_t) sp.count);
        t.rk = (slong *) flint_malloc(sizeof(slong) * (size_t) (sp.count * k));
        t.cnt = (slong *) flint_malloc(sizeof(slong) * (size_t) sp.count);
        t.perm = (long *) flint_malloc(2 * sizeof(long) * (size_t) sp.count);
        t.sub = (slong *) flint_malloc(sizeof(slong) * ((size_t) 1 << k));
        r0 = cnt * me / nth;
        r1 = cnt * (me + 1) / nth;
        if (r0 < r1)
            fy_mindex_unrank(ix, Ix, r0, k);
        for (r = r0; r < r1; r++)
        {
            int rep = 0;
            for (p = 1; p < k; p++)
                rep |= Ix[p] == Ix[p - 1];
            FY_FN(make_terms)(&t, Ix, k, &sp, ix, off, rep && dedupe_ok);
            FY_FN(fdb_entry)(X, ld, w, off[k] + r, &t, s, acc, tmp, prec);
            fy_multiindex_next(Ix, ix->dim, k);
        }
        flint_free(t.nb);
        flint_free(t.rk);
        flint_free(t.cnt);
        flint_free(t.perm);
        flint_free(t.sub);
        FY_VEC_CLEAR(acc, (slong) (k + 1) * ld);
        FY_VEC_CLEAR(tmp, ld);
    }
    _fy_setpart_clear(&sp);
    return FY_OK;
}

/* X rows (E of them, first wp used) <- X W^T, W wn x wp, by row blocks through tmp. */
static void FY_FN(apply_layer)(fy_el_ptr X, slong ld, slong E, fy_el_srcptr W, slong wn,
                               slong wp, slong prec)
{
    const slong BR = 2048;
    fy_el_ptr tmp = FY_VEC_INIT(BR * ld);
    slong r0, r, a, nr;

    for (r0 = 0; r0 < E; r0 += BR)
    {
        nr = E - r0 < BR ? E - r0 : BR;
#if defined(FY_MLP_USE_CBLAS)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) nr, (int) wn, (int) wp, 1.0,
                    X + r0 * ld, (int) ld, W, (int) wp, 0.0, tmp, (int) ld);
#else
        for (r = 0; r < nr; r++)
            for (a = 0; a < wn; a++)
                FY_FN(dot)(tmp + r * ld + a, W + a * wp, X + (r0 + r) * ld, wp, prec);
#endif
        for (r = 0; r < nr; r++)
            for (a = 0; a < wn; a++)
                FY_EL_SWAP(X + (r0 + r) * ld + a, tmp + r * ld + a);
    }
    FY_VEC_CLEAR(tmp, BR * ld);
}

int FY_FN(_fy_mlp_tensors)(fy_el_ptr out, const fy_mlp_struct *m, fy_el_srcptr W1, int dim,
                           int output, int n, slong prec, fy_error_t err)
{
    fy_mindex_t ix;
    slong off[FY_MLP_MAX_TENSOR_ORDER + 2], E, ld = 1, r, a;
    int k, l, status, L = m->L, Ix[FY_MLP_MAX_TENSOR_ORDER + 1];
    fy_el_ptr X;

    status = fy_mindex_init(ix, dim, n, err);
    if (status != FY_OK)
        return status;
    off[1] = 0;
    for (k = 1; k <= n; k++)
        off[k + 1] = off[k] + fy_mindex_count(ix, dim, k);
    E = off[n + 1];
    for (r = 0; r < E; r++)
        FY_EL_ZERO(out + r);
    if (L == 1)
    {
        for (a = 0; a < dim; a++)
            FY_EL_SET(out + a, W1 + (slong) output * dim + a);
        fy_mindex_clear(ix);
        return FY_OK;
    }
    for (l = 1; l < L; l++)
        if (m->width[l] > ld)
            ld = m->width[l];
    X = FY_VEC_INIT(E * ld);

    /* layer 1: products of W1 columns, then the vertex values */
    {
        slong w = m->width[1];
        fy_el_srcptr s = (fy_el_srcptr) m->s[1].v;
        for (r = 0; r < dim; r++)
            for (a = 0; a < w; a++)
                FY_EL_SET(X + r * ld + a, W1 + a * dim + r);
        for (k = 2; k <= n; k++)
        {
            for (l = 0; l < k; l++)
                Ix[l] = 0;
            r = 0;
            do
            {
                slong rJ = off[k - 1] + fy_mindex_rank(ix, Ix, k - 1);
                int i = Ix[k - 1];
                for (a = 0; a < w; a++)
                    FY_EL_MUL(X + (off[k] + r) * ld + a, X + rJ * ld + a, W1 + a * dim + i);
                r++;
            } while (fy_multiindex_next(Ix, dim, k));
        }
        for (k = 1; k <= n; k++)
            for (r = off[k]; r < off[k + 1]; r++)
                for (a = 0; a < w; a++)
                    FY_EL_MUL(X + r * ld + a, X + r * ld + a, s + (slong) k * w + a);
    }
    for (l = 2; l < L && status == FY_OK; l++)
    {
        slong w = m->width[l];
        FY_FN(apply_layer)(X, ld, E, (fy_el_srcptr) m->W[l].v, w, m->width[l - 1], prec);
        for (k = n; k >= 1 && status == FY_OK; k--)
            status = FY_FN(fdb_order)(X, ld, w, k, (fy_el_srcptr) m->s[l].v, ix, off, prec, err);
    }
    if (status == FY_OK)
    {
        fy_el_srcptr wo = (fy_el_srcptr) m->W[L].v + (slong) output * m->width[L - 1];
#if defined(FY_MLP_USE_CBLAS)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int) E, (int) m->width[L - 1], 1.0, X, (int) ld,
                    wo, 1, 0.0, out, 1);
#else
        for (r = 0; r < E; r++)
            FY_FN(dot)(out + r, wo, X + r * ld, m->width[L - 1], prec);
#endif
    }
    FY_VEC_CLEAR(X, E * ld);
    fy_mindex_clear(ix);
    return status;
}

/* ------------------------------------------------------------------ directions */

int FY_FN(_fy_mlp_directional)(fy_el_ptr c, const fy_mlp_struct *m, fy_el_srcptr v, int output,
                               int n, slong prec, fy_error_t err)
{
    int L = m->L, l, k, j;
    slong a, w, wp, d = m->width[0];
    fy_el_ptr Y, Z, q, t, u1;

    (void) err;
    FY_EL_SET(c, (fy_el_srcptr) m->z[L].v + output);
    for (k = 1; k <= n; k++)
        FY_EL_ZERO(c + k);
    if (n == 0)
        return FY_OK;
    /* u1 = W1 v */
    w = m->width[1];
    u1 = FY_VEC_INIT(w);
    for (a = 0; a < w; a++)
        FY_FN(dot)(u1 + a, (fy_el_srcptr) m->W[1].v + a * d, v, d, prec);
    if (L == 1)
    {
        FY_EL_SET(c + 1, u1 + output);
        FY_VEC_CLEAR(u1, w);
        return FY_OK;
    }
    /* Y[a*(n+1)+k]: Taylor coefficients of y^(l)_a(t), k = 1..n.  Layer 1: s_k u^k / k!. */
    Y = FY_VEC_INIT(w * (n + 1));
    for (a = 0; a < w; a++)
    {
        fy_el_t pw;
        FY_EL_INIT(pw);
        FY_EL_ONE(pw);
        for (k = 1; k <= n; k++)
        {
            FY_EL_MUL(pw, pw, u1 + a);
            FY_EL_DIV_SI(pw, pw, k);
            FY_EL_MUL(Y + a * (n + 1) + k, pw, (fy_el_srcptr) m->s[1].v + (slong) k * w + a);
        }
        FY_EL_CLEAR(pw);
    }
    FY_VEC_CLEAR(u1, w);
    q = FY_VEC_INIT(n + 1);
    t = FY_VEC_INIT(n + 1);
    for (l = 2; l <= L; l++)
    {
        fy_el_srcptr W = (fy_el_srcptr) m->W[l].v;
        slong arows;
        wp = m->width[l - 1];
        w = m->width[l];
        arows = l == L ? 1 : w;
        Z = FY_VEC_INIT(arows * (n + 1));
        {
            fy_el_ptr col = FY_VEC_INIT(wp);
            for (k = 1; k <= n; k++)
            {
                for (a = 0; a < wp; a++)
                    FY_EL_SET(col + a, Y + a * (n + 1) + k);
                for (a = 0; a < arows; a++)
                {
                    slong row = l == L ? output : a;
                    FY_FN(dot)(Z + a * (n + 1) + k, W + row * wp, col, wp, prec);
                }
            }
            FY_VEC_CLEAR(col, wp);
        }
        FY_VEC_CLEAR(Y, wp * (n + 1));
        if (l == L)
        {
            for (k = 1; k <= n; k++)
                FY_EL_SET(c + k, Z + k);
            FY_VEC_CLEAR(Z, arows * (n + 1));
            break;
        }
        /* y = sigma(z0 + u): q_n = s_n; q_k = s_k + u q_{k+1} / (k+1), degree n - k */
        Y = FY_VEC_INIT(w * (n + 1));
        for (a = 0; a < w; a++)
        {
            fy_el_srcptr s = (fy_el_srcptr) m->s[l].v;
            fy_el_srcptr u = Z + a * (n + 1); /* u[0] unused (zero) */
            int deg;
            FY_EL_SET(q, s + (slong) n * w + a);
            for (k = n - 1; k >= 0; k--)
            {
                deg = n - k;
                /* t = u q (q of degree deg - 1), t_0 = 0 */
                FY_EL_ZERO(t);
                for (j = 1; j <= deg; j++)
                {
                    int i;
                    FY_EL_ZERO(t + j);
                    for (i = 1; i <= j; i++)
                        FY_EL_ADDMUL(t + j, u + i, q + (j - i));
                }
                FY_EL_SET(q, s + (slong) k * w + a);
                for (j = 1; j <= deg; j++)
                    FY_EL_DIV_SI(q + j, t + j, k + 1);
            }
            for (k = 1; k <= n; k++)
                FY_EL_SET(Y + a * (n + 1) + k, q + k);
        }
        FY_VEC_CLEAR(Z, arows * (n + 1));
    }
    FY_VEC_CLEAR(q, n + 1);
    FY_VEC_CLEAR(t, n + 1);
    return FY_OK;
}
