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

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
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

/* out[r] += mult * Sym(D)[J_r] over the sorted multi-indices J_r of order m (symmetric = 1:
 * D is symmetric already, read one position). */
static void FY_FN(sym_add)(fy_el_ptr out, fy_el_srcptr D, const fy_mindex_t ix, int m,
                           slong mult, int symmetric, slong prec)
{
    int d = ix->dim, J[FY_INN_MAX_ORDER + 1], P[FY_INN_MAX_ORDER + 1], p;
    slong r = 0, pos, cnt;
    fy_el_t s;

    FY_EL_INIT(s);
    for (p = 0; p < m; p++)
        J[p] = 0;
    do
    {
        memcpy(P, J, sizeof(int) * (size_t) m);
        FY_EL_ZERO(s);
        cnt = 0;
        do
        {
            for (pos = 0, p = 0; p < m; p++)
                pos = pos * d + P[p];
            FY_EL_ADD(s, s, D + pos);
            cnt++;
        } while (!symmetric && FY_FN(next_perm)(P, m));
        if (cnt > 1)
            FY_EL_DIV_SI(s, s, cnt);
        if (mult != 1)
            FY_EL_MUL_SI(s, s, mult);
        FY_EL_ADD(out + r, out + r, s);
        r++;
    } while (m > 0 && fy_multiindex_next(J, d, m));
    FY_EL_CLEAR(s);
}

/* One rotation: N[rest, j] = sum_i T[i, rest] L[i, j], T of R * d entries (R = d^(k-1)). */
static void FY_FN(rotate)(fy_el_ptr N, fy_el_srcptr T, fy_el_srcptr L, int d, slong R,
                          slong prec)
{
#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
    (void) prec;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int) R, d, d, 1.0, T, (int) R, L, d,
                0.0, N, d);
#else
    slong r;
    int i, j;
    for (r = 0; r < R * d; r++)
        FY_EL_ZERO(N + r);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
        {
            fy_el_srcptr l = L + (slong) i * d + j;
            if (FY_EL_IS_ZERO(l))
                continue;
            for (r = 0; r < R; r++)
                FY_EL_ADDMUL(N + r * d + j, T + (slong) i * R + r, l);
        }
#endif
}

/* N[rest, a, a'] = sum over entries (b, a, a', q) of T[b, rest] q; T has d * R entries. */
static void FY_FN(contract)(fy_el_ptr N, fy_el_srcptr T, const int *qb, const int *qa,
                            const int *qc, fy_el_srcptr q, slong nq, int d, slong R, slong prec)
{
    slong r, e, dd = (slong) d * d;
    for (r = 0; r < R * dd; r++)
        FY_EL_ZERO(N + r);
    for (e = 0; e < nq; e++)
    {
        fy_el_srcptr src = T + (slong) qb[e] * R;
        fy_el_ptr dst = N + (slong) qa[e] * d + qc[e];
        for (r = 0; r < R; r++)
            FY_EL_ADDMUL(dst + r * dd, src + r, q + e);
    }
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

int FY_FN(_fy_inn_pull)(fy_el_ptr *out, fy_el_ptr *terms, fy_el_ptr *logdet, fy_el_ptr const *in,
                        const fy_inn_lmap_t M, const fy_mindex_t ix, int K, slong prec,
                        fy_error_t err)
{
    int d = M->d, k, m, n, i, p, J[FY_INN_MAX_ORDER + 1];
    slong big = FY_FN(ipow)(d, K), e, nh = K / 2 + 1;
    fy_el_ptr L = NULL, q = NULL, *B = NULL, T1 = NULL, T2 = NULL, c = NULL;
    fy_el_t v, w;
    int status = FY_OK;

    (void) err;
    FY_EL_INIT(v);
    FY_EL_INIT(w);
    if (M->L)
    {
        L = FY_VEC_INIT((slong) d * d);
        for (e = 0; e < (slong) d * d; e++)
            FY_EL_SET_FMPQ(L + e, M->L + e);
    }
    q = FY_VEC_INIT(M->nq);
    for (e = 0; e < M->nq; e++)
        FY_EL_SET_FMPQ(q + e, M->q + e);
    B = flint_calloc((size_t) K + 1, sizeof(fy_el_ptr));
    T1 = FY_VEC_INIT(big);
    T2 = FY_VEC_INIT(big);

    /* 1. B^(k) = A^(k) o L, dense; NULL when A^(k) is zero. */
    for (k = 0; k <= K; k++)
    {
        slong len = fy_mindex_count(ix, d, k), R = FY_FN(ipow)(d, k - 1);
        if (FY_FN(all_zero)(in[k], len))
            continue;
        B[k] = FY_VEC_INIT(FY_FN(ipow)(d, k));
        FY_FN(_fy_symtensor_to_dense)(B[k], in[k], ix, k, prec);
        if (L)
            for (p = 0; p < k; p++)
            {
                FY_FN(rotate)(T1, B[k], L, d, R, prec);
                for (e = 0; e < R * d; e++)
                    FY_EL_SWAP(B[k] + e, T1 + e);
            }
    }

    /* 2. the n-split terms of every order m. */
    for (m = 0; m <= K; m++)
    {
        slong len = fy_mindex_count(ix, d, m);
        for (e = 0; e < len; e++)
            FY_EL_ZERO(out[m] + e);
        for (n = 0; 2 * n <= m; n++)
        {
            slong mult = 1, R;
            fy_el_srcptr src;
            k = m - n;
            if (B[k] == NULL || (n > 0 && M->nq == 0))
                continue;
            /* C(m - n, n) */
            for (i = 0; i < n; i++)
                mult = mult * (k - i) / (i + 1);
            src = B[k];
            for (p = 0; p < n; p++)
            {
                /* after p contractions the tensor has k - p + 2p modes; contract the first */
                R = FY_FN(ipow)(d, k + p - 1);
                FY_FN(contract)(p % 2 == 0 ? T1 : T2, src, M->qb, M->qa, M->qc, q, M->nq, d, R,
                                prec);
                src = p % 2 == 0 ? T1 : T2;
            }
            FY_FN(sym_add)(out[m], src, ix, m, mult, n == 0, prec);
            if (terms)
                FY_FN(sym_add)(terms[m * nh + n], src, ix, m, mult, n == 0, prec);
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

    for (k = 0; k <= K; k++)
        if (B[k])
            FY_VEC_CLEAR(B[k], FY_FN(ipow)(d, k));
    flint_free(B);
    FY_VEC_CLEAR(T1, big);
    FY_VEC_CLEAR(T2, big);
    if (L)
        FY_VEC_CLEAR(L, (slong) d * d);
    FY_VEC_CLEAR(q, M->nq);
    FY_EL_CLEAR(v);
    FY_EL_CLEAR(w);
    return status;
}
