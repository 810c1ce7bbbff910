/* Template (included by pull_{d,arb,fmpq}.c): the pull-back of an action through one layer.
 *
 * The action after the layer, S(dy) = sum_k A^(k)[dy^k], is pulled back through
 * dy = L (du + Q(du, du)) in two steps (inn.h):
 *   1. B = S o L: every slot of every A^(k) transformed by L (k mode products on the dense
 *      tensor, each a rotation "first mode -> last mode", so k of them restore the order; in
 *      double one dgemm each);
 *   2. the leg-splitting rule: S'^(m) = sum_n C(m - n, n) Sym[B^(m-n) with n slots contracted
 *      with Q], the n-split diagrams (MATH.md 3.3).  A contraction takes the first mode b of a
 *      dense tensor and appends the two legs (a, a') of Q_{b a a'} at the end.
 * Sym is the average over the distinct permutations of each sorted multi-index, read from the
 * dense array.  The log-det series adds diagonal vertices (-1)^(m+1) c_i^m / m. */
#include <string.h>

#include "config.h"
#include "inn/inn_internal.h"
#include "series/internal.h"
#include "num/blas.h"

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#endif
/* Threads for double and balls; exact arithmetic stays serial (FLINT's fmpz allocator keeps
 * per-thread caches, and entries made by one thread would be freed by another). */
#if defined(_OPENMP) && !defined(FY_BACKEND_FMPQ)
#include <omp.h>
#define INN_USE_OMP 1
#else
#define INN_USE_OMP 0
#endif

static slong FY_FN(ipow)(int d, int k)
{
    slong n = 1;
    while (k-- > 0)
        n *= d;
    return n;
}

/* Next distinct permutation of P[0..m-1] in lexicographic order; 0 after the last. */
static int FY_FN(next_perm)(int *P, int m)
{
    int i = m - 2, j, t;
    while (i >= 0 && P[i] >= P[i + 1])
        i--;
    if (i < 0)
        return 0;
    j = m - 1;
    while (P[j] <= P[i])
        j--;
    t = P[i], P[i] = P[j], P[j] = t;
    for (i++, j = m - 1; i < j; i++, j--)
        t = P[i], P[i] = P[j], P[j] = t;
    return 1;
}

/* Position in a contraction result of the legs P[0..m-1]: the m - 2n singles in base d, then
 * the n pairs, each a column of the compact quadratic part (colidx[a d + a'], -1 when Q has no
 * such pair: the entry is zero).  Returns -1 for a zero entry. */
static slong FY_FN(pos_of)(const int *P, int m, int n, int d, const int *colidx, slong ncol)
{
    int p, ns = m - 2 * n;
    slong pos = 0;
    for (p = 0; p < ns; p++)
        pos = pos * d + P[p];
    for (p = 0; p < n; p++)
    {
        int c = colidx[P[ns + 2 * p] * d + P[ns + 2 * p + 1]];
        if (c < 0)
            return -1;
        pos = pos * ncol + c;
    }
    return pos;
}

/* out[r] += mult * Sym(D)[J_r] over the sorted multi-indices J_r of order m: the mean over the
 * distinct orderings of J_r of the entries of the n-split contraction result D. */
static void FY_FN(sym_add)(fy_el_ptr out, fy_el_srcptr D, const fy_mindex_t ix, int m, int n,
                           const int *colidx, slong ncol, slong mult, slong prec)
{
    int d = ix->dim, J[FY_INN_MAX_ORDER + 1], P[FY_INN_MAX_ORDER + 1];
    slong r = 0, pos, cnt;
    fy_el_t s;

    FY_EL_INIT(s);
    for (pos = 0; pos < m; pos++)
        J[pos] = 0;
    do
    {
        memcpy(P, J, sizeof(int) * (size_t) m);
        FY_EL_ZERO(s);
        cnt = 0;
        do
        {
            pos = FY_FN(pos_of)(P, m, n, d, colidx, ncol);
            if (pos >= 0)
                FY_EL_ADD(s, s, D + pos);
            cnt++;
        } while (FY_FN(next_perm)(P, m));
        if (cnt > 1)
            FY_EL_DIV_SI(s, s, cnt);
        if (mult != 1)
            FY_EL_MUL_SI(s, s, mult);
        FY_EL_ADD(out + r, out + r, s);
        r++;
    } while (m > 0 && fy_multiindex_next(J, d, m));
    FY_EL_CLEAR(s);
}

/* D (dense, order k) from the sorted entries T: each entry written to all its orderings. */
static void FY_FN(dense_from_sorted)(fy_el_ptr D, fy_el_srcptr T, const fy_mindex_t ix, int k,
                                     slong prec)
{
    int d = ix->dim, J[FY_INN_MAX_ORDER + 1], P[FY_INN_MAX_ORDER + 1], p;
    slong r = 0, pos;
    (void) prec;
    for (p = 0; p < k; p++)
        J[p] = 0;
    do
    {
        memcpy(P, J, sizeof(int) * (size_t) k);
        do
        {
            for (pos = 0, p = 0; p < k; p++)
                pos = pos * d + P[p];
            FY_EL_SET(D + pos, T + r);
        } while (FY_FN(next_perm)(P, k));
        r++;
    } while (k > 0 && fy_multiindex_next(J, d, k));
}

/* The position patterns of an n-split term of order m: the m - 2n single legs (ascending
 * positions) then n unordered pairs.  The dense intermediate is symmetric among the singles,
 * within each pair and among the pairs, so Sym over all m! orderings is the mean over these
 * C(m, 2n) (2n - 1)!! patterns.  match() appends the perfect matchings of rest[0..nr-1] to the
 * prefix cur[0..len-1]; the count stops growing (and nothing more is written) at maxpat. */
static void FY_FN(match)(int *pat, slong *count, slong maxpat, int m, int *cur, int len,
                         const int *rest, int nr)
{
    int i, j, k, sub[FY_INN_MAX_ORDER + 1];
    if (nr == 0)
    {
        if (*count < maxpat)
            memcpy(pat + *count * m, cur, sizeof(int) * (size_t) m);
        (*count)++;
        return;
    }
    for (i = 1; i < nr && *count <= maxpat; i++)
    {
        cur[len] = rest[0];
        cur[len + 1] = rest[i];
        for (k = 0, j = 1; j < nr; j++)
            if (j != i)
                sub[k++] = rest[j];
        FY_FN(match)(pat, count, maxpat, m, cur, len + 2, sub, nr - 2);
    }
}

/* Returns the number of patterns, or -1 when there are more than maxpat. */
static slong FY_FN(patterns)(int *pat, slong maxpat, int m, int n)
{
    int sel[FY_INN_MAX_ORDER + 1], rest[FY_INN_MAX_ORDER + 1], cur[FY_INN_MAX_ORDER + 1];
    int ns = m - 2 * n, i, j, nr;
    slong count = 0;
    for (i = 0; i < ns; i++)
        sel[i] = i;
    for (;;)
    {
        int used[FY_INN_MAX_ORDER + 1] = {0};
        for (i = 0; i < ns; i++)
            used[sel[i]] = 1, cur[i] = sel[i];
        for (nr = 0, i = 0; i < m; i++)
            if (!used[i])
                rest[nr++] = i;
        FY_FN(match)(pat, &count, maxpat, m, cur, ns, rest, nr);
        if (count > maxpat)
            return -1;
        for (i = ns - 1; i >= 0 && sel[i] == m - ns + i; i--)
            ;
        if (i < 0)
            break;
        sel[i]++;
        for (j = i + 1; j < ns; j++)
            sel[j] = sel[j - 1] + 1;
    }
    return count;
}

/* out[r] += mult * mean over the patterns of D at J_r permuted by the pattern. */
static void FY_FN(sym_add_pat)(fy_el_ptr out, fy_el_srcptr D, const fy_mindex_t ix, int m, int n,
                               const int *colidx, slong ncol, const int *pat, slong npat,
                               slong mult, slong prec)
{
    int d = ix->dim, J[FY_INN_MAX_ORDER + 1], P[FY_INN_MAX_ORDER + 1], p;
    slong r = 0, pos, t;
    fy_el_t s;
    FY_EL_INIT(s);
    for (p = 0; p < m; p++)
        J[p] = 0;
    do
    {
        FY_EL_ZERO(s);
        for (t = 0; t < npat; t++)
        {
            const int *q = pat + t * m;
            for (p = 0; p < m; p++)
                P[p] = J[q[p]];
            pos = FY_FN(pos_of)(P, m, n, d, colidx, ncol);
            if (pos >= 0)
                FY_EL_ADD(s, s, D + pos);
        }
        if (npat > 1)
            FY_EL_DIV_SI(s, s, npat);
        if (mult != 1)
            FY_EL_MUL_SI(s, s, mult);
        FY_EL_ADD(out + r, out + r, s);
        r++;
    } while (m > 0 && fy_multiindex_next(J, d, m));
    FY_EL_CLEAR(s);
}

/* The rows j >= jmin of L^T X: Y[(j - jmin) n + c] = sum_i L[i, j] X[i, c], X (d x n). */
static void FY_FN(mul_lt)(fy_el_ptr Y, fy_el_srcptr L, fy_el_srcptr X, int d, int jmin, slong n,
                          slong prec)
{
#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
    (void) prec;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, d - jmin, (int) n, d, 1.0, L + jmin, d,
                X, (int) n, 0.0, Y, (int) n);
#else
    int i, j;
    slong c;
    for (c = 0; c < (slong) (d - jmin) * n; c++)
        FY_EL_ZERO(Y + c);
    for (i = 0; i < d; i++)
        for (j = jmin; j < d; j++)
        {
            fy_el_srcptr l = L + (slong) i * d + j;
            if (FY_EL_IS_ZERO(l))
                continue;
            for (c = 0; c < n; c++)
                FY_EL_ADDMUL(Y + (slong) (j - jmin) * n + c, X + (slong) i * n + c, l);
        }
#endif
}

/* Columns of the gathered matrices X, Y of sym_transform per block. */
#define INN_COLS 1024

/* Scratch of sym_transform, sized for every order up to K (kept in the workspace). */
typedef struct
{
    fy_el_ptr T, Tn, X, Y;
    slong nT, nX;
    int K;
    slong **G; /* G[q]: the rank table of order q, made on first use */
} FY_FN(sym_scratch_struct);

/* out = in o L for a symmetric tensor of order k in sorted storage: the slots are transformed
 * one at a time, keeping the transformed slots (J, order p) and the others (order k - p) each
 * in sorted storage, T_p[rank J, rank I].  A step gathers, for each J, the matrix
 * X[i, I'] = T_p[J; i u I'], multiplies by L^T and scatters Y[j, I'] to T_(p+1)[J u j; I'].
 * Its cost is about sum_p C(d+p-1, p) C(d+k-p-2, k-p-1) d^2 operations, roughly a third of
 * the k d^(k+1) of dense mode products at order 4. */
/* The rank table of order q: G[i * C(d+q-1, q) + c] = rank of sorted(i u I_c) among the
 * sorted tuples of order q + 1, I_c the c-th sorted tuple of order q; made on first use. */
static const slong *FY_FN(rank_table)(FY_FN(sym_scratch_struct) *S, const fy_mindex_t ix, int q)
{
    int d = ix->dim, i, Iq[FY_INN_MAX_ORDER + 1], U[FY_INN_MAX_ORDER + 1];
    slong nq = fy_mindex_count(ix, d, q), c;
    if (S->G[q])
        return S->G[q];
    S->G[q] = flint_malloc(sizeof(slong) * (size_t) (d * nq));
    for (c = 0; c < q; c++)
        Iq[c] = 0;
    c = 0;
    do
    {
        for (i = 0; i < d; i++)
        {
            int a = 0, b = 0, t = 0;
            while (a < q || b < 1)
                U[t++] = (b >= 1 || (a < q && Iq[a] <= i)) ? Iq[a++] : (b++, i);
            S->G[q][(slong) i * nq + c] = fy_mindex_rank(ix, U, q + 1);
        }
        c++;
    } while (q > 0 && fy_multiindex_next(Iq, d, q));
    return S->G[q];
}

static void FY_FN(sym_transform)(fy_el_ptr out, fy_el_srcptr in, fy_el_srcptr L,
                                 const fy_mindex_t ix, int k, FY_FN(sym_scratch_struct) *S,
                                 slong prec)
{
    int d = ix->dim, p, q, J[FY_INN_MAX_ORDER + 1];
    fy_el_ptr T = S->T, Tn = S->Tn, tmp;
    slong nk = fy_mindex_count(ix, d, k), e;
    const slong *G, *H;

    if (k == 0)
    {
        FY_EL_SET(out, in);
        return;
    }
    for (e = 0; e < nk; e++)
        FY_EL_SET(T + e, in + e);
    for (p = 0; p < k; p++)
    {
        slong nI = fy_mindex_count(ix, d, k - p), nJ = fy_mindex_count(ix, d, p), nq, rJ, c;
        q = k - p - 1;
        nq = fy_mindex_count(ix, d, q);
        G = FY_FN(rank_table)(S, ix, q);
        H = FY_FN(rank_table)(S, ix, p);
        /* each sorted J u j is made once, from J and its largest element j >= max J; the
         * rows J are independent (threads where the backend allows, the BLAS on one thread
         * meanwhile: its own threads would compete with these for the cores) */
        int blas = fy_blas_set_threads(1);
        if (nq < 64)
        {
            /* few columns per J (the last steps): many J side by side in one product, every
             * row j computed, each J scattering its rows j >= max J */
            slong cap = S->nX / d, bt = FLINT_MAX(1, cap / nq), nb = (nJ + bt - 1) / bt, b0;
#if INN_USE_OMP
#pragma omp parallel if (nJ * nq * d > 100000)
#endif
            {
                fy_el_ptr X = S->X, Y = S->Y;
                int Jl[FY_INN_MAX_ORDER + 1], threaded = 0;
#if INN_USE_OMP
                threaded = omp_in_parallel() && omp_get_num_threads() > 1;
                if (threaded)
                {
                    X = FY_VEC_INIT(S->nX);
                    Y = FY_VEC_INIT(S->nX);
                }
#pragma omp for schedule(dynamic, 4)
#endif
                for (b0 = 0; b0 < nb; b0++)
                {
                    slong ra = b0 * bt, rb = FLINT_MIN(nJ, ra + bt), w = (rb - ra) * nq, r, cc;
                    int i, jj, jmin;
                    for (i = 0; i < d; i++)
                        for (r = ra; r < rb; r++)
                            for (cc = 0; cc < nq; cc++)
                                FY_EL_SET(X + i * w + (r - ra) * nq + cc,
                                          T + r * nI + G[(slong) i * nq + cc]);
                    FY_FN(mul_lt)(Y, L, X, d, 0, w, prec);
                    for (r = ra; r < rb; r++)
                    {
                        jmin = 0;
                        if (p > 0)
                        {
                            fy_mindex_unrank(ix, Jl, r, p);
                            jmin = Jl[p - 1];
                        }
                        for (jj = jmin; jj < d; jj++)
                        {
                            slong rn = H[(slong) jj * nJ + r];
                            for (cc = 0; cc < nq; cc++)
                                FY_EL_SET(Tn + rn * nq + cc,
                                          Y + (slong) jj * w + (r - ra) * nq + cc);
                        }
                    }
                }
                if (threaded)
                {
                    FY_VEC_CLEAR(X, S->nX);
                    FY_VEC_CLEAR(Y, S->nX);
                }
            }
        }
        else
        {
#if INN_USE_OMP
#pragma omp parallel if (nJ * nq * d > 100000)
#endif
        {
            fy_el_ptr X = S->X, Y = S->Y;
            int Jl[FY_INN_MAX_ORDER + 1], threaded = 0;
            slong r0;
#if INN_USE_OMP
            threaded = omp_in_parallel() && omp_get_num_threads() > 1;
            if (threaded)
            {
                X = FY_VEC_INIT((slong) d * FLINT_MIN(nq, INN_COLS));
                Y = FY_VEC_INIT((slong) d * FLINT_MIN(nq, INN_COLS));
            }
#pragma omp for schedule(dynamic, 16)
#endif
            for (r0 = 0; r0 < nJ; r0++)
            {
                fy_el_srcptr row = T + r0 * nI;
                int jmin = 0, jj;
                slong cc, c0;
                if (p > 0)
                {
                    fy_mindex_unrank(ix, Jl, r0, p);
                    jmin = Jl[p - 1];
                }
                /* by blocks of columns, so that X and Y stay small and in cache */
                for (c0 = 0; c0 < nq; c0 += INN_COLS)
                {
                    slong w = FLINT_MIN(INN_COLS, nq - c0);
                    int i;
                    for (i = 0; i < d; i++)
                        for (cc = 0; cc < w; cc++)
                            FY_EL_SET(X + i * w + cc, row + G[(slong) i * nq + c0 + cc]);
                    FY_FN(mul_lt)(Y, L, X, d, jmin, w, prec);
                    for (jj = jmin; jj < d; jj++)
                    {
                        slong rn = H[(slong) jj * nJ + r0];
                        for (cc = 0; cc < w; cc++)
                            FY_EL_SET(Tn + rn * nq + c0 + cc, Y + (slong) (jj - jmin) * w + cc);
                    }
                }
            }
            if (threaded)
            {
                FY_VEC_CLEAR(X, (slong) d * FLINT_MIN(nq, INN_COLS));
                FY_VEC_CLEAR(Y, (slong) d * FLINT_MIN(nq, INN_COLS));
            }
        }
        }
        if (blas > 0)
            fy_blas_set_threads(blas);
        (void) rJ;
        (void) c;
        (void) J;
        tmp = T, T = Tn, Tn = tmp;
    }
    for (e = 0; e < nk; e++)
        FY_EL_SET(out + e, T + e);
}

/* N[rest, c] = sum_t T[rb[t], rest] Qc[t, c]: the first mode of T (d x R entries) contracted
 * with the compact quadratic part (nrb rows b, ncol pair columns); in double one dgemm on the
 * gathered rows (Tg, nrb x R scratch). */
static void FY_FN(contract)(fy_el_ptr N, fy_el_srcptr T, const int *rb, slong nrb,
                            fy_el_srcptr Qc, slong ncol, fy_el_ptr Tg, slong R, slong prec)
{
    slong r, t, c;
#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
    (void) prec;
    for (t = 0; t < nrb; t++)
        memcpy(Tg + t * R, T + (slong) rb[t] * R, sizeof(double) * (size_t) R);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int) R, (int) ncol, (int) nrb, 1.0,
                Tg, (int) R, Qc, (int) ncol, 0.0, N, (int) ncol);
    (void) r;
    (void) c;
#else
    (void) Tg;
    for (r = 0; r < R * ncol; r++)
        FY_EL_ZERO(N + r);
    for (t = 0; t < nrb; t++)
        for (c = 0; c < ncol; c++)
        {
            fy_el_srcptr q = Qc + t * ncol + c;
            fy_el_srcptr src = T + (slong) rb[t] * R;
            if (FY_EL_IS_ZERO(q))
                continue;
            for (r = 0; r < R; r++)
                FY_EL_ADDMUL(N + r * ncol + c, src + r, q);
        }
#endif
}

static int FY_FN(all_zero)(fy_el_srcptr v, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        if (!FY_EL_IS_ZERO(v + i))
            return 0;
    return 1;
}

void FY_FN(_fy_inn_root)(fy_el_ptr *out, const fmpq *z0, const fy_mindex_t ix, int K, slong prec)
{
    int d = ix->dim, k, i, J[2];
    fmpq_t s, t;
    (void) prec;
    for (k = 0; k <= K; k++)
    {
        slong n = fy_mindex_count(ix, d, k), r;
        for (r = 0; r < n; r++)
            FY_EL_ZERO(out[k] + r);
    }
    fmpq_init(s);
    fmpq_init(t);
    for (i = 0; i < d; i++)
        fmpq_addmul(s, z0 + i, z0 + i);
    fmpq_div_2exp(s, s, 1);
    fmpq_neg(s, s);
    FY_EL_SET_FMPQ(out[0], s);
    if (K >= 1)
        for (i = 0; i < d; i++)
        {
            fmpq_neg(t, z0 + i);
            FY_EL_SET_FMPQ(out[1] + i, t);
        }
    if (K >= 2)
        for (i = 0; i < d; i++)
        {
            J[0] = J[1] = i;
            FY_EL_SET_SI(out[2] + fy_mindex_rank(ix, J, 2), -1);
            FY_EL_DIV_SI(out[2] + fy_mindex_rank(ix, J, 2), out[2] + fy_mindex_rank(ix, J, 2), 2);
        }
    fmpq_clear(s);
    fmpq_clear(t);
}

/* The work arrays of one action computation, kept across its layers: two of d^K entries and
 * one of d^k per order k. */
typedef struct
{
    int d, K;
    slong big;
    fy_el_ptr T1, T2, *B, *Bs;
    FY_FN(sym_scratch_struct) S;
} FY_FN(inn_ws_struct);

void *FY_FN(_fy_inn_ws_init)(int d, int K)
{
    FY_FN(inn_ws_struct) *W = flint_malloc(sizeof(*W));
    int k;
    W->d = d;
    W->K = K;
    W->big = FY_FN(ipow)(d, K);
    W->T1 = FY_VEC_INIT(W->big);
    W->T2 = FY_VEC_INIT(W->big);
    W->B = flint_malloc(sizeof(fy_el_ptr) * ((size_t) K + 1));
    W->Bs = flint_malloc(sizeof(fy_el_ptr) * ((size_t) K + 1));
    for (k = 0; k <= K; k++)
    {
        slong n;
        fy_multiindex_count(&n, d, k, NULL);
        /* dense copies serve as contraction sources, which have orders below K */
        W->B[k] = FY_VEC_INIT(k < K ? FY_FN(ipow)(d, k) : 0);
        W->Bs[k] = FY_VEC_INIT(n);
    }
    /* sym_transform: T_p of C(d+p-1, p) x C(d+k-p-1, k-p) entries; X, Y and G of d
     * C(d+k-2, k-1) */
    W->S.nT = 1;
    W->S.nX = 1;
    for (k = 1; k <= K; k++)
    {
        slong a, b, p;
        for (p = 0; p <= k; p++)
        {
            fy_multiindex_count(&a, d, p, NULL);
            fy_multiindex_count(&b, d, k - p, NULL);
            W->S.nT = FLINT_MAX(W->S.nT, a * b);
        }
        fy_multiindex_count(&a, d, k - 1, NULL);
        W->S.nX = FLINT_MAX(W->S.nX, FLINT_MIN(a, INN_COLS) * d);
    }
    W->S.T = FY_VEC_INIT(W->S.nT);
    W->S.Tn = FY_VEC_INIT(W->S.nT);
    W->S.X = FY_VEC_INIT(W->S.nX);
    W->S.Y = FY_VEC_INIT(W->S.nX);
    W->S.K = K;
    W->S.G = flint_calloc((size_t) K + 1, sizeof(slong *));
    return W;
}

void FY_FN(_fy_inn_ws_clear)(void *ws)
{
    FY_FN(inn_ws_struct) *W = ws;
    int k;
    if (!W)
        return;
    FY_VEC_CLEAR(W->T1, W->big);
    FY_VEC_CLEAR(W->T2, W->big);
    for (k = 0; k <= W->K; k++)
    {
        slong n;
        fy_multiindex_count(&n, W->d, k, NULL);
        FY_VEC_CLEAR(W->B[k], k < W->K ? FY_FN(ipow)(W->d, k) : 0);
        FY_VEC_CLEAR(W->Bs[k], n);
    }
    flint_free(W->B);
    flint_free(W->Bs);
    FY_VEC_CLEAR(W->S.T, W->S.nT);
    FY_VEC_CLEAR(W->S.Tn, W->S.nT);
    FY_VEC_CLEAR(W->S.X, W->S.nX);
    FY_VEC_CLEAR(W->S.Y, W->S.nX);
    for (k = 0; k <= W->K; k++)
        flint_free(W->S.G[k]);
    flint_free(W->S.G);
    flint_free(W);
}

/* The pull-back through a diagonal map du_i -> du_i (1 + q_i du_i + r_i du_i^2) (a cubic
 * layer after its linear part; issue 12): the monomial prod_i du_i^a_i of B becomes
 * prod_i du_i^a_i (1 + q_i du_i + r_i du_i^2)^a_i, truncated at K.  pw[(i (K + 1) + a) (K + 1)
 * + e] is the coefficient of t^e in (1 + q_i t + r_i t^2)^a.  In the A convention the monomial
 * of a sorted index J of order k has the coefficient mult(J) A_J, so the entry of J' (order m)
 * receives A_J prod_i pw[i][a_i][e_i] mult(J) / mult(J'), where mult(J) / mult(J') =
 * prod_i (a_i + 1) ... (a_i + e_i) / ((k + 1) ... m).  out must be zeroed. */
static void FY_FN(diag_subst)(fy_el_ptr *out, fy_el_ptr const *Bs, const int *nonzero,
                              fy_el_srcptr pw, const fy_mindex_t ix, int d, int K, slong prec)
{
    int k, J[FY_INN_MAX_ORDER + 1], Jn[FY_INN_MAX_ORDER + 1];
    int var[FY_INN_MAX_ORDER + 1], al[FY_INN_MAX_ORDER + 1], ex[FY_INN_MAX_ORDER + 1];
    slong K1 = K + 1;
    fy_el_t v;
    (void) prec;
    (void) d;
    FY_EL_INIT(v);
    for (k = 0; k <= K; k++)
    {
        slong len = fy_mindex_count(ix, d, k), e;
        if (!nonzero[k])
            continue;
        for (e = 0; e < len; e++)
        {
            int nv = 0, j, t, tot;
            if (FY_EL_IS_ZERO(Bs[k] + e))
                continue;
            fy_mindex_unrank(ix, J, e, k);
            for (j = 0; j < k; j++)
            {
                if (nv > 0 && var[nv - 1] == J[j])
                    al[nv - 1]++;
                else
                    var[nv] = J[j], al[nv++] = 1;
            }
            for (j = 0; j < nv; j++)
                ex[j] = 0;
            /* every distribution ex of at most K - k extra degrees over the variables */
            for (;;)
            {
                int m = k, p = 0;
                for (j = 0; j < nv; j++)
                    m += ex[j];
                FY_EL_SET(v, Bs[k] + e);
                for (j = 0; j < nv; j++)
                {
                    FY_EL_MUL(v, v, pw + ((slong) var[j] * K1 + al[j]) * K1 + ex[j]);
                    for (t = 1; t <= ex[j]; t++)
                        FY_EL_MUL_SI(v, v, al[j] + t);
                    for (t = 0; t < al[j] + ex[j]; t++)
                        Jn[p++] = var[j];
                }
                for (t = k + 1; t <= m; t++)
                    FY_EL_DIV_SI(v, v, t);
                FY_EL_ADD(out[m] + fy_mindex_rank(ix, Jn, m), out[m] + fy_mindex_rank(ix, Jn, m),
                          v);
                /* next distribution: odometer with the total kept <= K - k */
                for (j = 0, tot = m - k; j < nv; j++)
                {
                    if (tot < K - k)
                    {
                        ex[j]++;
                        break;
                    }
                    tot -= ex[j];
                    ex[j] = 0;
                }
                if (j == nv)
                    break;
            }
        }
    }
    FY_EL_CLEAR(v);
}

/* The per-diagram terms of a cubic layer (issue 12): the same substitution as diag_subst,
 * with every leg of the source vertex B^(k) on variable i either passing, split in two (q_i)
 * or split in three (r_i).  A monomial with a_i legs on variable i and s2_i, s3_i of them
 * split gets a_i! / ((a_i - s2_i - s3_i)! s2_i! s3_i!) q_i^s2_i r_i^s3_i; the term of
 * (n2, n3) = the totals over the variables collects them in terms[m nt + n2 (K / 3 + 1) + n3]
 * (m = k + n2 + 2 n3, nt = FY_INN_CUBIC_NT(K); n2 = n3 = 0 is the pass term).  Written apart
 * from diag_subst (powers of the whole polynomial) so that their sum is a check of it. */
static void FY_FN(cubic_terms)(fy_el_ptr *terms, fy_el_ptr const *Bs, const int *nonzero,
                               const fy_inn_lmap_t M, const fy_mindex_t ix, int d, int K,
                               slong prec)
{
    int k, J[FY_INN_MAX_ORDER + 1], Jn[FY_INN_MAX_ORDER + 1];
    int var[FY_INN_MAX_ORDER + 1], al[FY_INN_MAX_ORDER + 1];
    int s2[FY_INN_MAX_ORDER + 1], s3[FY_INN_MAX_ORDER + 1];
    slong nt = FY_INN_CUBIC_NT(K), n3w = K / 3 + 1;
    fy_el_t v, q, r;
    fmpz_t b;
    (void) prec;
    FY_EL_INIT(v);
    FY_EL_INIT(q);
    FY_EL_INIT(r);
    fmpz_init(b);
    for (k = 0; k <= K; k++)
    {
        slong len = fy_mindex_count(ix, d, k), e;
        if (!nonzero[k])
            continue;
        for (e = 0; e < len; e++)
        {
            int nv = 0, j, t;
            if (FY_EL_IS_ZERO(Bs[k] + e))
                continue;
            fy_mindex_unrank(ix, J, e, k);
            for (j = 0; j < k; j++)
            {
                if (nv > 0 && var[nv - 1] == J[j])
                    al[nv - 1]++;
                else
                    var[nv] = J[j], al[nv++] = 1;
            }
            for (j = 0; j < nv; j++)
                s2[j] = s3[j] = 0;
            for (;;)
            {
                int m = k, n2 = 0, n3 = 0, p = 0;
                for (j = 0; j < nv; j++)
                    n2 += s2[j], n3 += s3[j];
                m += n2 + 2 * n3;
                if (m <= K)
                {
                    FY_EL_SET(v, Bs[k] + e);
                    for (j = 0; j < nv; j++)
                    {
                        int ex = s2[j] + 2 * s3[j];
                        FY_EL_SET_FMPQ(q, M->qd + var[j]);
                        FY_EL_SET_FMPQ(r, M->r3 + var[j]);
                        for (t = 0; t < s2[j]; t++)
                            FY_EL_MUL(v, v, q);
                        for (t = 0; t < s3[j]; t++)
                            FY_EL_MUL(v, v, r);
                        /* the multinomial, then mult(J) / mult(J') as in diag_subst */
                        fmpz_bin_uiui(b, (ulong) al[j], (ulong) s2[j]);
                        FY_EL_MUL_SI(v, v, fmpz_get_si(b));
                        fmpz_bin_uiui(b, (ulong) (al[j] - s2[j]), (ulong) s3[j]);
                        FY_EL_MUL_SI(v, v, fmpz_get_si(b));
                        for (t = 1; t <= ex; t++)
                            FY_EL_MUL_SI(v, v, al[j] + t);
                        for (t = 0; t < al[j] + ex; t++)
                            Jn[p++] = var[j];
                    }
                    for (t = k + 1; t <= m; t++)
                        FY_EL_DIV_SI(v, v, t);
                    {
                        fy_el_ptr o = terms[m * nt + n2 * n3w + n3] + fy_mindex_rank(ix, Jn, m);
                        FY_EL_ADD(o, o, v);
                    }
                }
                /* next (s2, s3) per variable with s2 + s3 <= a: an odometer */
                for (j = 0; j < nv; j++)
                {
                    if (s2[j] + s3[j] < al[j])
                    {
                        s2[j]++;
                        break;
                    }
                    s2[j] = 0;
                    if (s3[j] < al[j])
                    {
                        s3[j]++;
                        break;
                    }
                    s3[j] = 0;
                }
                if (j == nv)
                    break;
            }
        }
    }
    FY_EL_CLEAR(v);
    FY_EL_CLEAR(q);
    FY_EL_CLEAR(r);
    fmpz_clear(b);
}

/* pw (d (K + 1)^2 entries, zeroed) := the coefficients of (1 + q_i t + r_i t^2)^a. */
static void FY_FN(diag_powers)(fy_el_ptr pw, const fy_inn_lmap_t M, int K, slong prec)
{
    int i, a, e;
    slong K1 = K + 1;
    fy_el_t q, r, t;
    (void) prec;
    FY_EL_INIT(q);
    FY_EL_INIT(r);
    FY_EL_INIT(t);
    for (i = 0; i < M->d; i++)
    {
        fy_el_ptr P = pw + (slong) i * K1 * K1;
        FY_EL_SET_FMPQ(q, M->qd + i);
        FY_EL_SET_FMPQ(r, M->r3 + i);
        FY_EL_ONE(P);
        for (a = 1; a <= K; a++)
            for (e = 0; e <= K; e++)
            {
                fy_el_ptr o = P + a * K1 + e;
                FY_EL_SET(o, P + (a - 1) * K1 + e);
                if (e >= 1)
                {
                    FY_EL_MUL(t, q, P + (a - 1) * K1 + e - 1);
                    FY_EL_ADD(o, o, t);
                }
                if (e >= 2)
                {
                    FY_EL_MUL(t, r, P + (a - 1) * K1 + e - 2);
                    FY_EL_ADD(o, o, t);
                }
            }
    }
    FY_EL_CLEAR(q);
    FY_EL_CLEAR(r);
    FY_EL_CLEAR(t);
}

/* The log-det vertices of ln(1 + c_i t + c2_i t^2) = sum_m l_m t^m:
 * m l_m = [m = 1] c + [m = 2] 2 c2 - (m - 1) c l_(m-1) - (m - 2) c2 l_(m-2). */
static void FY_FN(logdet2)(fy_el_ptr *out, fy_el_ptr *logdet, const fy_inn_lmap_t M,
                           const fy_mindex_t ix, int K, slong prec)
{
    int i, m, p, J[FY_INN_MAX_ORDER + 1];
    fy_el_ptr l = FY_VEC_INIT(K + 1);
    fy_el_t c, c2, t;
    (void) prec;
    FY_EL_INIT(c);
    FY_EL_INIT(c2);
    FY_EL_INIT(t);
    for (i = 0; i < M->d; i++)
    {
        slong e;
        FY_EL_SET_FMPQ(c, M->c + i);
        FY_EL_SET_FMPQ(c2, M->c2 + i);
        for (m = 1; m <= K; m++)
        {
            FY_EL_ZERO(l + m);
            if (m == 1)
                FY_EL_SET(l + m, c);
            if (m == 2)
                FY_EL_MUL_SI(l + m, c2, 2);
            if (m >= 2)
            {
                FY_EL_MUL(t, c, l + m - 1);
                FY_EL_MUL_SI(t, t, m - 1);
                FY_EL_SUB(l + m, l + m, t);
            }
            if (m >= 3)
            {
                FY_EL_MUL(t, c2, l + m - 2);
                FY_EL_MUL_SI(t, t, m - 2);
                FY_EL_SUB(l + m, l + m, t);
            }
            FY_EL_DIV_SI(l + m, l + m, m);
            for (p = 0; p < m; p++)
                J[p] = i;
            e = fy_mindex_rank(ix, J, m);
            FY_EL_ADD(out[m] + e, out[m] + e, l + m);
            if (logdet)
                FY_EL_ADD(logdet[m] + e, logdet[m] + e, l + m);
        }
    }
    FY_VEC_CLEAR(l, K + 1);
    FY_EL_CLEAR(c);
    FY_EL_CLEAR(c2);
    FY_EL_CLEAR(t);
}

/* Most patterns a term is symmetrised over; beyond, the distinct orderings are used. */
#define INN_MAX_PATTERNS 4096

int FY_FN(_fy_inn_pull)(fy_el_ptr *out, fy_el_ptr *terms, fy_el_ptr *logdet, fy_el_ptr const *in,
                        const fy_inn_lmap_t M, const fy_mindex_t ix, int K, void *ws, slong prec,
                        fy_error_t err)
{
    FY_FN(inn_ws_struct) *W = ws;
    int d = M->d, k, m, n, i, p, J[FY_INN_MAX_ORDER + 1], *nonzero, *pat;
    slong e, nh = K / 2 + 1, dd = (slong) d * d;
    fy_el_ptr L = NULL, c = NULL, Qc = NULL, Tg = NULL;
    int *rowidx, *colidx, *rb;
    slong nrb = 0, ncol = 0, tgmax = 0;
    fy_el_t v, w;

    (void) err;
    if (W->d != d || W->K < K)
        return fy_error_set(err, FY_EINTERNAL, "inn: workspace of the wrong shape");
    FY_EL_INIT(v);
    FY_EL_INIT(w);
    nonzero = flint_calloc((size_t) K + 1, sizeof(int));
    pat = flint_malloc(sizeof(int) * (size_t) (INN_MAX_PATTERNS * (K > 0 ? K : 1)));
    if (M->L)
    {
        L = FY_VEC_INIT(dd);
        for (e = 0; e < dd; e++)
            FY_EL_SET_FMPQ(L + e, M->L + e);
    }
    /* the quadratic part, compact: rows b that occur (rb, rowidx) x pair columns (colidx) */
    rowidx = flint_malloc(sizeof(int) * (size_t) d);
    rb = flint_malloc(sizeof(int) * (size_t) d);
    colidx = flint_malloc(sizeof(int) * (size_t) dd);
    for (i = 0; i < d; i++)
        rowidx[i] = -1;
    for (e = 0; e < dd; e++)
        colidx[e] = -1;
    for (e = 0; e < M->nq; e++)
    {
        if (rowidx[M->qb[e]] < 0)
            rowidx[M->qb[e]] = 1;
        if (colidx[M->qa[e] * d + M->qc[e]] < 0)
            colidx[M->qa[e] * d + M->qc[e]] = 1;
    }
    for (i = 0; i < d; i++)
        if (rowidx[i] > 0)
            rb[nrb] = i, rowidx[i] = (int) nrb++;
    for (e = 0; e < dd; e++)
        if (colidx[e] > 0)
            colidx[e] = (int) ncol++;
    Qc = FY_VEC_INIT(nrb * ncol);
    {
        fy_el_t qe;
        FY_EL_INIT(qe);
        for (e = 0; e < M->nq; e++)
        {
            FY_EL_SET_FMPQ(qe, M->q + e);
            FY_EL_ADD(Qc + (slong) rowidx[M->qb[e]] * ncol + colidx[M->qa[e] * d + M->qc[e]],
                      Qc + (slong) rowidx[M->qb[e]] * ncol + colidx[M->qa[e] * d + M->qc[e]], qe);
        }
        FY_EL_CLEAR(qe);
    }
    /* gather scratch: the largest contraction source has R = d^(k-p-1) ncol^p */
    for (m = 2; m <= K; m++)
        for (n = 1; 2 * n <= m; n++)
            for (p = 0; p < n; p++)
            {
                slong R = FY_FN(ipow)(d, m - n - p - 1);
                for (i = 0; i < p; i++)
                    R *= ncol;
                tgmax = FLINT_MAX(tgmax, R);
            }
#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
    Tg = FY_VEC_INIT(nrb * tgmax);
#endif

    /* 1. B^(k) = A^(k) o L in sorted storage, and dense where it is a contraction source. */
    for (k = 0; k <= K; k++)
    {
        slong len = fy_mindex_count(ix, d, k);
        if (FY_FN(all_zero)(in[k], len))
            continue;
        nonzero[k] = 1;
        if (L)
            FY_FN(sym_transform)(W->Bs[k], in[k], L, ix, k, &W->S, prec);
        else
            for (e = 0; e < len; e++)
                FY_EL_SET(W->Bs[k] + e, in[k] + e);
        if (M->nq > 0 && k < K)
            FY_FN(dense_from_sorted)(W->B[k], W->Bs[k], ix, k, prec);
    }

    /* 2'. a cubic layer: the diagonal substitution (the per-diagram terms apart) */
    if (M->r3)
    {
        slong K1 = K + 1;
        fy_el_ptr pw = FY_VEC_INIT((slong) d * K1 * K1);
        for (m = 0; m <= K; m++)
        {
            slong len = fy_mindex_count(ix, d, m);
            for (e = 0; e < len; e++)
                FY_EL_ZERO(out[m] + e);
        }
        FY_FN(diag_powers)(pw, M, K, prec);
        FY_FN(diag_subst)(out, W->Bs, nonzero, pw, ix, d, K, prec);
        FY_VEC_CLEAR(pw, (slong) d * K1 * K1);
        if (terms)
            FY_FN(cubic_terms)(terms, W->Bs, nonzero, M, ix, d, K, prec);
        FY_FN(logdet2)(out, logdet, M, ix, K, prec);
        goto done;
    }

    /* 2. the n-split terms of every order m. */
    for (m = 0; m <= K; m++)
    {
        slong len = fy_mindex_count(ix, d, m);
        for (e = 0; e < len; e++)
            FY_EL_ZERO(out[m] + e);
        for (n = 0; 2 * n <= m; n++)
        {
            slong mult = 1, R, npat;
            fy_el_srcptr src;
            k = m - n;
            if (!nonzero[k] || (n > 0 && M->nq == 0))
                continue;
            for (i = 0; i < n; i++)
                mult = mult * (k - i) / (i + 1); /* C(m - n, n) */
            src = W->B[k];
            for (p = 0; p < n; p++)
            {
                /* after p contractions: k - p original modes (d each), then p pairs (ncol
                 * each); contract the first original mode */
                fy_el_ptr dst = p % 2 == 0 ? W->T1 : W->T2;
                R = FY_FN(ipow)(d, k - p - 1);
                for (i = 0; i < p; i++)
                    R *= ncol;
                FY_FN(contract)(dst, src, rb, nrb, Qc, ncol, Tg, R, prec);
                src = dst;
            }
            if (n == 0)
            {
                /* the pass term: B^(m) itself */
                for (e = 0; e < len; e++)
                {
                    FY_EL_ADD(out[m] + e, out[m] + e, W->Bs[m] + e);
                    if (terms)
                        FY_EL_ADD(terms[m * nh] + e, terms[m * nh] + e, W->Bs[m] + e);
                }
                continue;
            }
            npat = FY_FN(patterns)(pat, INN_MAX_PATTERNS, m, n);
            if (npat > 0)
                FY_FN(sym_add_pat)(out[m], src, ix, m, n, colidx, ncol, pat, npat, mult, prec);
            else
                FY_FN(sym_add)(out[m], src, ix, m, n, colidx, ncol, mult, prec);
            if (terms && npat > 0)
                FY_FN(sym_add_pat)(terms[m * nh + n], src, ix, m, n, colidx, ncol, pat, npat,
                                   mult, prec);
            else if (terms)
                FY_FN(sym_add)(terms[m * nh + n], src, ix, m, n, colidx, ncol, mult, prec);
        }
    }

    /* 3. the log-det vertices: (-1)^(m+1) c_i^m / m on the diagonal, m >= 1. */
    if (M->c)
    {
        c = FY_VEC_INIT(d);
        for (i = 0; i < d; i++)
            FY_EL_SET_FMPQ(c + i, M->c + i);
        for (i = 0; i < d; i++)
        {
            FY_EL_ONE(v);
            for (m = 1; m <= K; m++)
            {
                FY_EL_MUL(v, v, c + i);
                FY_EL_DIV_SI(w, v, m);
                if (m % 2 == 0)
                    FY_EL_NEG(w, w);
                for (p = 0; p < m; p++)
                    J[p] = i;
                e = fy_mindex_rank(ix, J, m);
                FY_EL_ADD(out[m] + e, out[m] + e, w);
                if (logdet)
                    FY_EL_ADD(logdet[m] + e, logdet[m] + e, w);
            }
        }
        FY_VEC_CLEAR(c, d);
    }

done:
    if (L)
        FY_VEC_CLEAR(L, dd);
    FY_VEC_CLEAR(Qc, nrb * ncol);
    if (Tg)
        FY_VEC_CLEAR(Tg, nrb * tgmax);
    flint_free(rowidx);
    flint_free(colidx);
    flint_free(rb);
    flint_free(nonzero);
    flint_free(pat);
    FY_EL_CLEAR(v);
    FY_EL_CLEAR(w);
    return FY_OK;
}
