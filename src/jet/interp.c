/* Exact interpolation weights of Griewank, Utke and Walther: derivative tensor entries from
 * the n-th Taylor coefficients along integer directions (the formula is in jet.h).
 *
 * Derivation, for the record.  Let T be the symmetric n-linear form d^n F(xbar) and
 * f_s = T[s,..,s]/n! the n-th Taylor coefficient along s, a homogeneous polynomial of degree n
 * in s.  Polarization: T[v_1,..,v_n] = (1/n!) sum over nonempty subsets E of {1..n} of
 * (-1)^(n-|E|) T[s_E,..,s_E], s_E = sum_{m in E} v_m.  With v_m = e_{i_m} (multiplicity vector
 * j), s_E is an integer vector k with 0 < k <= j, reached by C(j, k) subsets, so
 *     T_j = sum_{0<k<=j} (-1)^(n-|k|) C(j,k) f_k.
 * Homogeneity gives f_k = (|k|/n)^n f_{n k/|k|}, a point of the hyperplane |s| = n, on which
 * f is a polynomial of degree n determined by its values at the lattice points i >= 0,
 * |i| = n; the Lagrange basis of that simplex lattice is L_i(s) = prod_m binom(s_m, i_m)
 * (it is 1 at s = i and 0 at the other lattice points, since binom(s_m, i_m) = 0 for integer
 * 0 <= s_m < i_m).  L_i(nk/|k|) vanishes unless supp(i) lies in supp(k), which keeps each row
 * short: its length depends on n and the pattern of j, not on the dimension d. */
#include <stdlib.h>
#include <string.h>

#include "jet/jet_internal.h"

static void interp_zero_state(fy_jet_interp_t I)
{
    memset(I, 0, sizeof *I);
}

#define BIDX(I, a, K, r) ((((slong) (a) * ((I)->n + 1)) + (K)) * ((I)->n + 1) + (r))

int fy_jet_interp_init(fy_jet_interp_t I, int d, int n, fy_error_t err)
{
    slong nb, a, K, r;
    int rc;
    fmpq_t x, t;

    interp_zero_state(I);
    if (d < 1 || n < 0)
        return fy_error_set(err, FY_EINPUT, "jet: interpolation needs d >= 1 and n >= 0 "
                            "(got d = %d, n = %d)", d, n);
    if (n > FY_JET_MAX_ORDER)
        return fy_error_set(err, FY_EUNSUPPORTED, "jet: interpolation order %d exceeds the "
                            "limit %d", n, FY_JET_MAX_ORDER);
    if ((rc = fy_multiindex_count(&I->ndirs, d, n, err)) != FY_OK)
        return rc;
    if ((rc = fy_mindex_init(I->ix, d, n, err)) != FY_OK)
    {
        interp_zero_state(I);
        return rc;
    }
    I->d = d;
    I->n = n;
    nb = (slong) (n + 1) * (n + 1) * (n + 1);
    I->B = _fmpq_vec_init(nb);
    I->scale = _fmpq_vec_init(n + 1);
    I->work = flint_malloc(sizeof(int) * (size_t) (8 * (n + 1)));
    fmpq_init(x);
    fmpq_init(t);
    /* B[a][K][r] = binom(n a / K, r) for 0 <= a <= K, 1 <= K <= n */
    for (K = 1; K <= n; K++)
        for (a = 0; a <= K; a++)
        {
            fmpq_set_si(x, (slong) n * a, K);
            fmpq_one(I->B + BIDX(I, a, K, 0));
            for (r = 1; r <= n; r++)
            {
                /* binom(x, r) = binom(x, r-1) (x - r + 1) / r */
                fmpq_set_si(t, r - 1, 1);
                fmpq_sub(t, x, t);
                fmpq_mul(I->B + BIDX(I, a, K, r), I->B + BIDX(I, a, K, r - 1), t);
                _fy_fmpq_div_si_(I->B + BIDX(I, a, K, r), I->B + BIDX(I, a, K, r), r);
            }
        }
    /* scale[K] = (-1)^(n-K) (K/n)^n */
    for (K = 1; K <= n; K++)
    {
        fmpq_set_si(x, K, n);
        fmpz_pow_ui(fmpq_numref(I->scale + K), fmpq_numref(x), (ulong) n);
        fmpz_pow_ui(fmpq_denref(I->scale + K), fmpq_denref(x), (ulong) n);
        if ((n - K) % 2)
            fmpq_neg(I->scale + K, I->scale + K);
    }
    fmpq_clear(x);
    fmpq_clear(t);
    return FY_OK;
}

void fy_jet_interp_clear(fy_jet_interp_t I)
{
    if (I->B)
        _fmpq_vec_clear(I->B, (slong) (I->n + 1) * (I->n + 1) * (I->n + 1));
    if (I->scale)
        _fmpq_vec_clear(I->scale, I->n + 1);
    if (I->w)
        _fmpq_vec_clear(I->w, I->alloc);
    flint_free(I->rank);
    flint_free(I->work);
    if (I->ix->dim > 0)
        fy_mindex_clear(I->ix);
    interp_zero_state(I);
}

typedef struct
{
    slong rank;
    fmpq w[1];
} entry_struct;

static int push(fy_jet_interp_t I, slong rank, const fmpq_t w, fy_error_t err)
{
    if (I->len == I->alloc)
    {
        slong na = I->alloc ? 2 * I->alloc : 64, i;
        slong *nr;
        fmpq *nw;
        if ((size_t) na > FY_NUMVEC_MAX_BYTES / (sizeof(fmpq) + sizeof(slong)))
            return fy_error_set(err, FY_ENOMEM, "jet: an interpolation row would need more "
                                "than %zu bytes", (size_t) FY_NUMVEC_MAX_BYTES);
        nr = flint_realloc(I->rank, sizeof(slong) * (size_t) na);
        I->rank = nr;
        nw = flint_realloc(I->w, sizeof(fmpq) * (size_t) na);
        for (i = I->alloc; i < na; i++)
            fmpq_init(nw + i);
        I->w = nw;
        I->alloc = na;
    }
    I->rank[I->len] = rank;
    fmpq_set(I->w + I->len, w);
    I->len++;
    return FY_OK;
}

/* Emits the compositions of `rem` into the q parts comp[u..q-1] (u < q), the weight being the
 * product of B[k_u][K][comp_u] over the parts, times c. */
static int emit(fy_jet_interp_t I, int u, int q, int rem, const int *kq, const int *pos, int K,
                int *comp, const fmpq_t c, int *midx, fmpq *tmp, fy_error_t err)
{
    int r, t, m, rc;
    /* the last part takes what remains */
    for (r = (u == q - 1) ? rem : 0; r <= rem; r++)
    {
        const fmpq *b = I->B + BIDX(I, kq[u], K, r);
        if (fmpq_is_zero(b))
            continue;
        fmpq_mul(tmp + u, u == 0 ? c : tmp + (u - 1), b);
        comp[u] = r;
        if (u == q - 1)
        {
            /* the sorted multi-index of the direction: pos[t] repeated comp[t] times */
            for (t = 0, m = 0; t < q; t++)
            {
                int e;
                for (e = 0; e < comp[t]; e++)
                    midx[m++] = pos[t];
            }
            if ((rc = push(I, fy_mindex_rank(I->ix, midx, I->n), tmp + u, err)) != FY_OK)
                return rc;
        }
        else if ((rc = emit(I, u + 1, q, rem - r, kq, pos, K, comp, c, midx, tmp, err)) !=
                 FY_OK)
            return rc;
    }
    return FY_OK;
}

static int cmp_entry(const void *a, const void *b)
{
    slong x = ((const entry_struct *) a)->rank, y = ((const entry_struct *) b)->rank;
    return (x > y) - (x < y);
}

int fy_jet_interp_row(fy_jet_interp_t I, slong jr, fy_error_t err)
{
    int n = I->n, s, t, q, K, rc = FY_OK;
    int *idx = I->work, *P = idx + (n + 1), *jm = P + (n + 1), *k = jm + (n + 1),
        *kq = k + (n + 1), *pos = kq + (n + 1), *comp = pos + (n + 1), *midx = comp + (n + 1);
    fmpq_t c;
    fmpq *tmp;
    entry_struct *e;
    slong i, out;

    I->len = 0;
    if (jr < 0 || jr >= I->ndirs)
        return fy_error_set(err, FY_EINPUT, "jet: interpolation row %ld out of range",
                            (long) jr);
    if (n == 0)
    {
        fmpq_t one;
        fmpq_init(one);
        fmpq_one(one);
        rc = push(I, 0, one, err);
        fmpq_clear(one);
        return rc;
    }
    fy_mindex_unrank(I->ix, idx, jr, n);
    for (t = 0, s = 0; t < n; t++)
    {
        if (t == 0 || idx[t] != idx[t - 1])
        {
            P[s] = idx[t];
            jm[s++] = 1;
        }
        else
            jm[s - 1]++;
    }
    fmpq_init(c);
    tmp = _fmpq_vec_init(n);
    for (t = 0; t < s; t++)
        k[t] = 0;
    for (;;)
    {
        /* next k in the box 0 <= k <= jm (odometer), stopping after the last */
        for (t = 0; t < s && k[t] == jm[t]; t++)
            k[t] = 0;
        if (t == s)
            break;
        k[t]++;
        for (t = 0, K = 0, q = 0; t < s; t++)
        {
            K += k[t];
            if (k[t] > 0)
            {
                kq[q] = k[t];
                pos[q++] = P[t];
            }
        }
        fmpq_set(c, I->scale + K);
        for (t = 0; t < s; t++)
        {
            fmpz_t bin;
            fmpz_init(bin);
            fmpz_bin_uiui(bin, (ulong) jm[t], (ulong) k[t]);
            fmpq_mul_fmpz(c, c, bin);
            fmpz_clear(bin);
        }
        if ((rc = emit(I, 0, q, n, kq, pos, K, comp, c, midx, tmp, err)) != FY_OK)
            break;
    }
    _fmpq_vec_clear(tmp, n);
    fmpq_clear(c);
    if (rc != FY_OK)
        return rc;
    /* sort by direction and merge equal ranks, dropping zeros */
    e = flint_malloc(sizeof(entry_struct) * (size_t) (I->len ? I->len : 1));
    for (i = 0; i < I->len; i++)
    {
        e[i].rank = I->rank[i];
        *e[i].w = I->w[i]; /* moves the fmpq; I->w[i] is re-initialised below */
        fmpq_init(I->w + i);
    }
    qsort(e, (size_t) I->len, sizeof *e, cmp_entry);
    for (i = 0, out = -1; i < I->len; i++)
    {
        if (out >= 0 && I->rank[out] == e[i].rank)
            fmpq_add(I->w + out, I->w + out, e[i].w);
        else
        {
            if (out >= 0 && fmpq_is_zero(I->w + out))
                out--;
            out++;
            I->rank[out] = e[i].rank;
            fmpq_set(I->w + out, e[i].w);
        }
        fmpq_clear(e[i].w);
    }
    if (out >= 0 && fmpq_is_zero(I->w + out))
        out--;
    I->len = out + 1;
    flint_free(e);
    return FY_OK;
}

void fy_jet_interp_direction(int *dir, const fy_jet_interp_t I, slong r)
{
    int t, *idx = I->work;
    for (t = 0; t < I->d; t++)
        dir[t] = 0;
    if (I->n == 0)
        return;
    fy_mindex_unrank(I->ix, idx, r, I->n);
    for (t = 0; t < I->n; t++)
        dir[idx[t]]++;
}

int fy_jet_interpolate(fy_symtensor_t T, const fy_numvec_t F, int d, int n, fy_error_t err)
{
    fy_jet_interp_t I;
    int rc;

    if ((rc = fy_jet_interp_init(I, d, n, err)) != FY_OK)
        return rc;
    if (F->len != I->ndirs)
    {
        fy_jet_interp_clear(I);
        return fy_error_set(err, FY_EINPUT, "jet: interpolation of order %d in %d dimensions "
                            "needs %ld directional coefficients, got %ld", n, d,
                            (long) I->ndirs, (long) F->len);
    }
    fy_symtensor_clear(T);
    if ((rc = fy_symtensor_init(T, F->arith, d, n, F->prec, err)) != FY_OK)
    {
        fy_jet_interp_clear(I);
        return rc;
    }
    switch (F->arith)
    {
    case FY_ARITH_DOUBLE:
        rc = _fy_jet_interp_apply_d(fy_numvec_d(&T->e), fy_numvec_d(F), I, F->prec, err);
        break;
    case FY_ARITH_BALL:
        rc = _fy_jet_interp_apply_arb(fy_numvec_arb(&T->e), fy_numvec_arb(F), I, F->prec, err);
        break;
    default:
        rc = _fy_jet_interp_apply_fmpq(fy_numvec_fmpq(&T->e), fy_numvec_fmpq(F), I, F->prec,
                                       err);
        break;
    }
    fy_jet_interp_clear(I);
    return rc;
}
