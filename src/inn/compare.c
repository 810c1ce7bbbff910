/* compare.c - a trained invertible network against the lattice theory it learnt (inn.h,
 * "learned against true"): tensors, named couplings, the likelihood gap with ln Z, cumulants
 * of the network's draws against the data and the truth, tree-level cumulants of the learned
 * action, normalisability. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "feynn/rng.h"
#include "inn/compare_internal.h"

#define LN_2PI 1.8378770664093454835606594728112
#define CMP_MAX_ORDER 8
#define TREE_MAX_DIM 32

static const char *const coupling_names[FY_INN_NCOUPLINGS] = {"m2", "hopping", "g3", "lam"};

const char *fy_inn_coupling_name(int k)
{
    return k >= 0 && k < FY_INN_NCOUPLINGS ? coupling_names[k] : "?";
}

/* ------------------------------------------------------------------ linear algebra */

/* Cholesky a = L L^T in place (lower part, the upper set to 0); 0 when a is not positive
 * definite (compare_internal.h; also ringfit.c). */
int _fy_inn_cholesky(double *a, int d)
{
    int i, j, k;
    for (j = 0; j < d; j++)
    {
        double s = a[j * d + j];
        for (k = 0; k < j; k++)
            s -= a[j * d + k] * a[j * d + k];
        if (!(s > 0.0) || !isfinite(s))
            return 0;
        a[j * d + j] = sqrt(s);
        for (i = j + 1; i < d; i++)
        {
            double t = a[i * d + j];
            for (k = 0; k < j; k++)
                t -= a[i * d + k] * a[j * d + k];
            a[i * d + j] = t / a[j * d + j];
        }
    }
    for (i = 0; i < d; i++)
        for (j = i + 1; j < d; j++)
            a[i * d + j] = 0.0;
    return 1;
}

/* inv = (L L^T)^-1 from the Cholesky factor L. */
static void chol_inverse(double *inv, const double *L, int d, double *col)
{
    int i, j, k;
    for (j = 0; j < d; j++)
    {
        for (i = 0; i < d; i++)
            col[i] = i == j;
        for (i = 0; i < d; i++)
        {
            for (k = 0; k < i; k++)
                col[i] -= L[i * d + k] * col[k];
            col[i] /= L[i * d + i];
        }
        for (i = d - 1; i >= 0; i--)
        {
            for (k = i + 1; k < d; k++)
                col[i] -= L[k * d + i] * col[k];
            col[i] /= L[i * d + i];
        }
        for (i = 0; i < d; i++)
            inv[i * d + j] = col[i];
    }
}

/* ------------------------------------------------------------------ ln Z */

int fy_inn_log_z(double *lnz, double *se, int *method, const fy_ltheory_t T, const double *X,
                 slong n, slong nis, double widen, uint64_t seed, fy_error_t err)
{
    int d = T->nsites, i, j, rc = FY_OK;
    double *mu = NULL, *C = NULL, *lw = NULL, ldet = 0.0, mx = -INFINITY, s1 = 0.0, s2 = 0.0;
    fy_rng_t r;
    slong p;
    if (d == 1 && T->max_degree >= 2 && T->max_degree % 2 == 0)
    {
        arb_t z;
        arb_init(z);
        rc = fy_ltheory_log_z_1d(z, T, 128, err);
        if (rc == FY_OK)
        {
            *lnz = arf_get_d(arb_midref(z), ARF_RND_NEAR);
            *se = 0.0;
            *method = 1;
        }
        arb_clear(z);
        return rc;
    }
    *method = 0;
    if (d > 4096)
        return fy_error_set(err, FY_EUNSUPPORTED, "ln Z by importance sampling: at most 4096 "
                            "sites (the networks' limit), not %d", d);
    if (X == NULL || n < d + 1)
        return fy_error_set(err, FY_EUSAGE, "ln Z by importance sampling needs at least d + 1 "
                            "= %d samples to fit its Gaussian proposal", d + 1);
    if (nis < 2)
        return fy_error_set(err, FY_EUSAGE, "ln Z: at least 2 importance-sampling draws");
    if (widen <= 0.0)
        widen = 1.2;
    if (widen < 1.0)
        return fy_error_set(err, FY_EUSAGE, "ln Z: the proposal may only be widened (factor "
                            ">= 1, not %g)", widen);
    mu = calloc((size_t) d, sizeof(double));
    C = calloc((size_t) d * d, sizeof(double));
    lw = malloc((size_t) nis * sizeof(double));
    if (mu == NULL || C == NULL || lw == NULL)
    {
        rc = fy_error_set(err, FY_ENOMEM, "ln Z: out of memory");
        goto done;
    }
    for (p = 0; p < n; p++)
        for (i = 0; i < d; i++)
            mu[i] += X[p * d + i] / (double) n;
    for (p = 0; p < n; p++)
        for (i = 0; i < d; i++)
            for (j = 0; j <= i; j++)
                C[i * d + j] += (X[p * d + i] - mu[i]) * (X[p * d + j] - mu[j]);
    for (i = 0; i < d; i++)
        for (j = 0; j <= i; j++)
            C[i * d + j] = C[j * d + i] = C[i * d + j] / (double) (n - 1) * widen;
    if (!_fy_inn_cholesky(C, d))
    {
        rc = fy_error_set(err, FY_EINPUT, "ln Z: the covariance of the %ld samples is not "
                          "positive definite (constant or collinear coordinates); give more "
                          "or other samples", (long) n);
        goto done;
    }
    for (i = 0; i < d; i++)
        ldet += log(C[i * d + i]);
    fy_rng_init(r, seed, FY_RNG_PURPOSE_INN_IS);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (p = 0; p < nis; p++)
    {
        double e[4096], y[4096], q = 0.0;
        int a, b;
        fy_rng_normals(e, (uint64_t) d, r, (uint64_t) p, 0);
        for (a = 0; a < d; a++)
        {
            double t = mu[a];
            for (b = 0; b <= a; b++)
                t += C[a * d + b] * e[b];
            y[a] = t;
            q += e[a] * e[a];
        }
        /* ln w = -E(y) - ln q(y), ln q = -|e|^2/2 - (d/2) ln 2 pi - ln det L */
        lw[p] = -fy_ltheory_energy(T, y) + 0.5 * q + 0.5 * d * LN_2PI + ldet;
    }
    for (p = 0; p < nis; p++)
        mx = lw[p] > mx ? lw[p] : mx;
    if (!isfinite(mx))
    {
        rc = fy_error_set(err, FY_ECHECK, "ln Z: the importance weights are not finite (is "
                          "exp(-E) normalisable?)");
        goto done;
    }
    for (p = 0; p < nis; p++)
    {
        double w = exp(lw[p] - mx);
        s1 += w;
        s2 += w * w;
    }
    {
        double m = s1 / (double) nis, v = s2 / (double) nis - m * m;
        *lnz = mx + log(m);
        *se = sqrt(fmax(v, 0.0) * (double) nis / (double) (nis - 1)) / (m * sqrt((double) nis));
    }
done:
    free(mu);
    free(C);
    free(lw);
    return rc;
}

/* ------------------------------------------------------------------ couplings */

typedef struct
{
    int i, j;
    double w; /* summed weight */
    fmpq_t wq;
} pair_t;

static int pair_cmp(const void *a, const void *b)
{
    const pair_t *x = a, *y = b;
    return x->i != y->i ? (x->i > y->i) - (x->i < y->i) : (x->j > y->j) - (x->j < y->j);
}

/* The distinct linked pairs (i < j) with their summed link weights; *np pairs. */
static int linked_pairs(pair_t **out, slong *np, const fy_ltheory_t T, fy_error_t err)
{
    pair_t *P;
    slong l, n = 0, m = 0;
    *out = NULL;
    *np = 0;
    P = calloc((size_t) (T->nlinks > 0 ? T->nlinks : 1), sizeof(pair_t));
    if (P == NULL)
        return fy_error_set(err, FY_ENOMEM, "couplings: out of memory");
    for (l = 0; l < T->nlinks; l++)
    {
        int a = T->link_i[l], b = T->link_j[l];
        if (a == b)
            continue;
        P[n].i = a < b ? a : b;
        P[n].j = a < b ? b : a;
        fmpq_init(P[n].wq);
        fmpq_set(P[n].wq, T->link_w + l);
        n++;
    }
    qsort(P, (size_t) n, sizeof(pair_t), pair_cmp);
    for (l = 0; l < n; l++)
    {
        if (m > 0 && P[m - 1].i == P[l].i && P[m - 1].j == P[l].j)
        {
            fmpq_add(P[m - 1].wq, P[m - 1].wq, P[l].wq);
            fmpq_clear(P[l].wq);
            continue;
        }
        if (m != l)
        {
            P[m] = P[l];
        }
        m++;
    }
    *out = P;
    *np = m;
    return FY_OK;
}

static void pairs_free(pair_t *P, slong n)
{
    slong l;
    if (P == NULL)
        return;
    for (l = 0; l < n; l++)
        fmpq_clear(P[l].wq);
    free(P);
}

static void entry_arb(arb_t x, const fy_symtensor_struct *G, const int *idx, slong prec)
{
    slong pos = fy_symtensor_index(G, idx);
    fy_numvec_get_arb(x, &G->e, pos, prec);
}

int fy_inn_read_couplings(double c[FY_INN_NCOUPLINGS], const fy_symtensor_struct *G, int K,
                          const fy_ltheory_t T, fy_error_t err)
{
    const slong prec = 256;
    pair_t *P = NULL;
    slong np = 0, l, q;
    int d = T->nsites, i, k, rc, idx[4];
    arb_t s, x, hop, deg;
    for (k = 0; k < FY_INN_NCOUPLINGS; k++)
        c[k] = NAN;
    if (K < 2 || G == NULL)
        return fy_error_set(err, FY_EUSAGE, "couplings: tensors up to order 2 at least");
    for (k = 1; k <= K && k <= 4; k++)
        if (G[k].dim != d || G[k].order != k)
            return fy_error_set(err, FY_EINPUT, "couplings: the order-%d tensor is over %d "
                                "variables, the theory has %d sites", k, G[k].dim, d);
    if ((rc = linked_pairs(&P, &np, T, err)) != FY_OK)
        return rc;
    arb_init(s);
    arb_init(x);
    arb_init(hop);
    arb_init(deg);
    /* hopping: mean over pairs of Gamma_ij / w_ij */
    if (np > 0)
    {
        arb_zero(s);
        for (q = 0; q < np; q++)
        {
            idx[0] = P[q].i;
            idx[1] = P[q].j;
            entry_arb(x, G + 2, idx, prec);
            arb_div_fmpz(x, x, fmpq_numref(P[q].wq), prec);
            arb_mul_fmpz(x, x, fmpq_denref(P[q].wq), prec);
            arb_add(s, s, x, prec);
        }
        arb_div_si(hop, s, np, prec);
        c[1] = arf_get_d(arb_midref(hop), ARF_RND_NEAR);
    }
    else
        arb_zero(hop);
    /* m2: mean over sites of -Gamma_ii - K * (summed weight of the links at i) */
    arb_zero(s);
    for (i = 0; i < d; i++)
    {
        idx[0] = idx[1] = i;
        entry_arb(x, G + 2, idx, prec);
        arb_sub(s, s, x, prec);
    }
    for (l = 0; l < T->nlinks; l++)
    {
        if (T->link_i[l] == T->link_j[l])
            continue;
        /* each link adds its weight to the degree of both ends */
        arb_set_fmpq(deg, T->link_w + l, prec);
        arb_mul_2exp_si(deg, deg, 1);
        arb_mul(deg, deg, hop, prec);
        arb_sub(s, s, deg, prec);
    }
    arb_div_si(s, s, d, prec);
    c[0] = arf_get_d(arb_midref(s), ARF_RND_NEAR);
    for (k = 3; k <= 4 && k <= K; k++)
    {
        arb_zero(s);
        for (i = 0; i < d; i++)
        {
            idx[0] = idx[1] = idx[2] = idx[3] = i;
            entry_arb(x, G + k, idx, prec);
            arb_sub(s, s, x, prec);
        }
        arb_div_si(s, s, d, prec);
        c[k - 1] = arf_get_d(arb_midref(s), ARF_RND_NEAR);
    }
    (void) l;
    arb_clear(s);
    arb_clear(x);
    arb_clear(hop);
    arb_clear(deg);
    pairs_free(P, np);
    return FY_OK;
}

/* ------------------------------------------------------------------ tree-level cumulants */

int fy_inn_tree_cumulants(double site[4], double nn[4], const fy_symtensor_struct *G, int K,
                          const fy_ltheory_t T, fy_error_t err)
{
    int d = T->nsites, i, j, a, b, e, rc = FY_OK, k;
    double *M = NULL, *D = NULL, *col = NULL, *g1 = NULL, *g3 = NULL, *g4 = NULL, *U = NULL;
    double *T3 = NULL, *k1 = NULL;
    slong l, nl = 0;
    fy_numvec_t dense;
    for (k = 0; k < 4; k++)
        site[k] = nn[k] = NAN;
    if (K < 2 || G == NULL)
        return fy_error_set(err, FY_EUSAGE, "tree cumulants need Gamma up to order 2");
    if (d > TREE_MAX_DIM)
        return fy_error_set(err, FY_EUNSUPPORTED, "tree cumulants: d = %d is above %d (the "
                            "dense order-4 work grows like d^5)", d, TREE_MAX_DIM);
    M = calloc((size_t) d * d, sizeof(double));
    D = calloc((size_t) d * d, sizeof(double));
    col = calloc((size_t) d, sizeof(double));
    g1 = calloc((size_t) d, sizeof(double));
    k1 = calloc((size_t) d, sizeof(double));
    g3 = calloc((size_t) d * d * d, sizeof(double));
    g4 = calloc((size_t) d * d * d * d, sizeof(double));
    U = calloc((size_t) d * d * d, sizeof(double));
    T3 = calloc((size_t) d * d * d, sizeof(double));
    fy_numvec_init_empty(dense);
    if (!M || !D || !col || !g1 || !k1 || !g3 || !g4 || !U || !T3)
    {
        rc = fy_error_set(err, FY_ENOMEM, "tree cumulants: out of memory");
        goto done;
    }
    /* dense copies in double */
    for (k = 1; k <= 4 && k <= K; k++)
    {
        fy_symtensor_t t;
        double *dst = k == 1 ? g1 : k == 2 ? M : k == 3 ? g3 : g4;
        slong n = 1, q;
        fy_symtensor_init_empty(t);
        rc = fy_symtensor_convert(t, FY_ARITH_DOUBLE, 0, G + k, err);
        if (rc == FY_OK)
            rc = fy_symtensor_to_dense(dense, t, err);
        fy_symtensor_clear(t);
        if (rc != FY_OK)
            goto done;
        for (q = 0; q < k; q++)
            n *= d;
        for (q = 0; q < n; q++)
            dst[q] = fy_numvec_d(dense)[q];
    }
    for (i = 0; i < d * d; i++)
        M[i] = -M[i];
    if (!_fy_inn_cholesky(M, d))
    {
        rc = fy_error_set(err, FY_EINPUT, "tree cumulants: -Gamma^(2) is not positive "
                          "definite, so the propagator (-Gamma^(2))^-1 does not exist");
        goto done;
    }
    chol_inverse(D, M, d, col);
    for (i = 0; i < d; i++)
        for (a = 0; a < d; a++)
            k1[i] += D[i * d + a] * g1[a];
    /* U_{i j e} = sum_{a b} D_ia D_jb G3_abe (two legs dressed), T3_{ijk} = sum_e U_ije D_ek
     * (all three: the tree kappa_3); T3 first holds the one-leg partial sum */
    for (i = 0; i < d; i++)
        for (b = 0; b < d; b++)
            for (e = 0; e < d; e++)
            {
                double s = 0.0;
                for (a = 0; a < d; a++)
                    s += D[i * d + a] * g3[(a * d + b) * d + e];
                T3[(i * d + b) * d + e] = s;
            }
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            for (e = 0; e < d; e++)
            {
                double s = 0.0;
                for (b = 0; b < d; b++)
                    s += D[j * d + b] * T3[(i * d + b) * d + e];
                U[(i * d + j) * d + e] = s;
            }
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            for (k = 0; k < d; k++)
            {
                double s = 0.0;
                for (e = 0; e < d; e++)
                    s += U[(i * d + j) * d + e] * D[e * d + k];
                T3[(i * d + j) * d + k] = s;
            }
    {
        /* kappa_4 at (p, q, r, t): the contact tree Delta^4 Gamma^(4) and the three
         * exchanges sum_e U_pqe T3_rte + (pr|qt) + (pt|qr) */
#define K3(p, q, r) T3[((p) * d + (q)) * d + (r)]
        double s_site[4] = {0, 0, 0, 0}, s_nn[4] = {0, 0, 0, 0};
        for (i = 0; i < d; i++)
        {
            double c4 = 0.0;
            int q0, r0, u0;
            for (a = 0; a < d; a++)
                for (q0 = 0; q0 < d; q0++)
                    for (r0 = 0; r0 < d; r0++)
                        for (u0 = 0; u0 < d; u0++)
                            c4 += D[i * d + a] * D[i * d + q0] * D[i * d + r0] * D[i * d + u0] *
                                  g4[((a * d + q0) * d + r0) * d + u0];
            for (e = 0; e < d; e++)
                c4 += 3.0 * U[(i * d + i) * d + e] * K3(i, i, e);
            s_site[0] += k1[i];
            s_site[1] += D[i * d + i];
            s_site[2] += K3(i, i, i);
            s_site[3] += c4;
        }
        for (k = 0; k < 4; k++)
            site[k] = s_site[k] / d;
        for (l = 0; l < T->nlinks; l++)
        {
            int p = T->link_i[l], q = T->link_j[l], o;
            if (p == q)
                continue;
            nl++;
            for (o = 0; o < 2; o++)
            {
                int x = o ? q : p, y = o ? p : q, q0, r0, u0;
                double c22 = 0.0, c31 = 0.0;
                /* (x, x, y, y) and (x, x, x, y) */
                for (a = 0; a < d; a++)
                    for (q0 = 0; q0 < d; q0++)
                        for (r0 = 0; r0 < d; r0++)
                            for (u0 = 0; u0 < d; u0++)
                            {
                                double g = g4[((a * d + q0) * d + r0) * d + u0];
                                double ax = D[x * d + a] * D[x * d + q0] * D[x * d + r0];
                                c22 += D[x * d + a] * D[x * d + q0] * D[y * d + r0] *
                                       D[y * d + u0] * g;
                                c31 += ax * D[y * d + u0] * g;
                            }
                for (e = 0; e < d; e++)
                {
                    c22 += U[(x * d + x) * d + e] * K3(y, y, e) +
                           2.0 * U[(x * d + y) * d + e] * K3(x, y, e);
                    c31 += 3.0 * U[(x * d + x) * d + e] * K3(x, y, e);
                }
                s_nn[0] += 0.5 * D[x * d + y];
                s_nn[1] += 0.5 * K3(x, x, y);
                s_nn[2] += 0.5 * c22;
                s_nn[3] += 0.5 * c31;
            }
        }
        if (nl > 0)
            for (k = 0; k < 4; k++)
                nn[k] = s_nn[k] / (double) nl;
#undef K3
    }
done:
    fy_numvec_clear(dense);
    free(M);
    free(D);
    free(col);
    free(g1);
    free(k1);
    free(g3);
    free(g4);
    free(U);
    free(T3);
    return rc;
}

/* ------------------------------------------------------------------ the comparison */

void fy_inn_compare_opts_init(fy_inn_compare_opts_t o)
{
    memset(o, 0, sizeof(fy_inn_compare_opts_struct));
    o->order = 4;
    o->seed = 1;
}

void fy_inn_compare_init(fy_inn_compare_t C)
{
    memset(C, 0, sizeof(fy_inn_compare_struct));
    C->K = -1;
}

void fy_inn_compare_clear(fy_inn_compare_t C)
{
    int k;
    for (k = 0; k <= C->K; k++)
    {
        if (C->G_learned != NULL)
            fy_symtensor_clear(C->G_learned + k);
        if (C->G_true != NULL)
            fy_symtensor_clear(C->G_true + k);
    }
    free(C->G_learned);
    free(C->G_true);
    fy_inn_compare_init(C);
}

/* Frobenius norms of the dense tensors (sorted entries weighted by their multinomials): of
 * x - y (y may be NULL: of x), and of x over the entries where `zero_of` is exactly 0. */
static void frob(double *diff, double *off, const fy_symtensor_struct *x,
                 const fy_symtensor_struct *y, const fy_symtensor_struct *zero_of)
{
    int idx[CMP_MAX_ORDER + 1], k = x->order, p;
    slong r = 0;
    double s = 0.0, so = 0.0;
    fmpz_t w;
    fmpz_init(w);
    for (p = 0; p < k; p++)
        idx[p] = 0;
    do
    {
        double a = fy_numvec_d(&x->e)[r], b = y ? fy_numvec_d(&y->e)[r] : 0.0, m;
        fy_multiindex_multinomial(w, idx, k);
        m = fmpz_get_d(w);
        s += m * (a - b) * (a - b);
        if (zero_of != NULL && fy_numvec_d(&zero_of->e)[r] == 0.0)
            so += m * a * a;
        r++;
    } while (k > 0 && fy_multiindex_next(idx, x->dim, k));
    fmpz_clear(w);
    *diff = sqrt(s);
    if (off != NULL)
        *off = sqrt(so);
}

static void cumulants_exact_1d(fy_cumulants_struct *K, const fy_ltheory_t T, int *ok)
{
    arb_struct m[5];
    double v[5], q;
    int k;
    fy_error_t e;
    fy_error_init(e);
    for (k = 0; k < 5; k++)
        arb_init(m + k);
    *ok = fy_ltheory_moments_1d(m, 4, T, 128, e) == FY_OK;
    for (k = 0; k < 5; k++)
    {
        v[k] = arf_get_d(arb_midref(m + k), ARF_RND_NEAR);
        arb_clear(m + k);
    }
    fy_error_clear(e);
    q = v[1] * v[1];
    K->site[0] = v[1];
    K->site[1] = v[2] - q;
    K->site[2] = v[3] - 3.0 * v[2] * v[1] + 2.0 * q * v[1];
    K->site[3] = v[4] - 4.0 * v[3] * v[1] - 3.0 * v[2] * v[2] + 12.0 * v[2] * q - 6.0 * q * q;
    for (k = 0; k < 4; k++)
    {
        K->site_se[k] = 0.0;
        K->nn[k] = K->nn_se[k] = NAN;
    }
    K->batches = 0;
}

int fy_inn_compare(fy_inn_compare_t C, const fy_inn_t net, const fy_ltheory_t T,
                   const fy_inn_compare_opts_t o, fy_error_t err)
{
    fy_inn_opts_t io;
    fy_inn_result_t R;
    fy_symtensor_struct *exact = NULL;
    int d = net->d, K = o->order, k, rc = FY_OK;
    double *x = NULL, *lp = NULL;
    const double *test;
    slong ntest, p;

    fy_inn_compare_clear(C);
    if (K < 2 || K > CMP_MAX_ORDER)
        return fy_error_set(err, FY_EUSAGE, "compare: order %d outside 2..%d", K,
                            CMP_MAX_ORDER);
    if (T->nsites != d)
        return fy_error_set(err, FY_EINPUT, "the model has dimension %d but the theory %d "
                            "sites; compare a model trained on this theory's samples", d,
                            T->nsites);
    C->d = d;
    C->G_learned = calloc((size_t) K + 1, sizeof(fy_symtensor_struct));
    C->G_true = calloc((size_t) K + 1, sizeof(fy_symtensor_struct));
    exact = calloc((size_t) K + 1, sizeof(fy_symtensor_struct));
    if (C->G_learned == NULL || C->G_true == NULL || exact == NULL)
    {
        free(exact);
        return fy_error_set(err, FY_ENOMEM, "compare: out of memory");
    }
    C->K = K;
    for (k = 0; k <= K; k++)
    {
        fy_symtensor_init_empty(C->G_learned + k);
        fy_symtensor_init_empty(C->G_true + k);
        fy_symtensor_init_empty(exact + k);
    }

    /* the learned action (double, about 0) in the Gamma convention */
    fy_inn_opts_init(io);
    io->arith = FY_ARITH_DOUBLE;
    io->order = K;
    fy_inn_result_init(R);
    rc = fy_inn_action(R, net, io, err);
    if (rc == FY_OK)
        rc = fy_inn_action_normalizable(&C->norm, NULL, &C->norm_eps, R->S, err);
    if (rc == FY_OK)
        rc = fy_inn_action_to_gamma(R->S, err);
    for (k = 0; k <= K && rc == FY_OK; k++)
        rc = fy_symtensor_convert(C->G_learned + k, FY_ARITH_DOUBLE, 0, R->S->A + k, err);
    if (rc == FY_OK)
    {
        arb_t c;
        arb_init(c);
        fy_inn_action_constant_arb(c, R->S, 64);
        fy_numvec_d(&C->G_learned[0].e)[0] += arf_get_d(arb_midref(c), ARF_RND_NEAR);
        arb_clear(c);
    }
    fy_inn_result_clear(R);
    /* the truth, exact then rounded */
    for (k = 0; k <= K && rc == FY_OK; k++)
    {
        if (k <= FY_LTHEORY_MAX_DEGREE)
            rc = fy_ltheory_log_density_tensor(exact + k, T, k, err);
        if (rc == FY_OK)
            rc = fy_symtensor_convert(C->G_true + k, FY_ARITH_DOUBLE, 0, exact + k, err);
    }
    if (rc == FY_OK)
        rc = fy_inn_read_couplings(C->coupling_true, exact, K, T, err);
    if (rc == FY_OK)
        rc = fy_inn_read_couplings(C->coupling_learned, C->G_learned, K, T, err);
    for (k = 0; k <= K; k++)
        fy_symtensor_clear(exact + k);
    free(exact);
    if (rc != FY_OK)
        return rc;

    /* tensor errors */
    {
        double tot = 0.0;
        for (k = 1; k <= K; k++)
        {
            double off;
            frob(&C->abs_err[k], &off, C->G_learned + k, C->G_true + k, C->G_true + k);
            frob(&C->true_norm[k], NULL, C->G_true + k, NULL, NULL);
            frob(&C->learned_norm[k], NULL, C->G_learned + k, NULL, NULL);
            C->offsite[k] = off;
            tot += off * off;
            C->rel_err[k] = C->true_norm[k] > 0.0 ? C->abs_err[k] / C->true_norm[k] : NAN;
        }
        C->offsite_total = sqrt(tot);
    }

    /* tree-level cumulants of the learned action */
    {
        fy_error_t e2;
        fy_error_init(e2);
        C->tree_ok = fy_inn_tree_cumulants(C->tree_site, C->tree_nn, C->G_learned, K, T, e2) ==
                     FY_OK;
        fy_error_clear(e2);
    }

    /* the likelihood gap */
    test = o->test;
    ntest = o->test_n;
    if (test == NULL && o->data != NULL)
    {
        test = o->data; /* chains of rows are rows */
        ntest = o->data_chains * o->data_n;
    }
    C->kl = C->kl_se = C->nll_model = C->nll_true = C->lnz = C->lnz_se = NAN;
    if (test != NULL && ntest > 0)
    {
        double s = 0.0, s2 = 0.0, se = 0.0, sE = 0.0;
        C->test_n = ntest;
        lp = malloc((size_t) ntest * sizeof(double));
        if (lp == NULL)
            return fy_error_set(err, FY_ENOMEM, "compare: out of memory");
        rc = fy_inn_log_prob_d(lp, net, test, ntest, err);
        if (rc == FY_OK)
            rc = fy_inn_log_z(&C->lnz, &C->lnz_se, &C->lnz_method, T, test, ntest,
                              o->is_samples > 0 ? o->is_samples : 200000, 0.0, o->seed, err);
        if (rc != FY_OK)
        {
            free(lp);
            return rc;
        }
        C->test_outside = 0;
        for (p = 0; p < ntest; p++)
        {
            double E = fy_ltheory_energy(T, test + p * d), g;
            if (lp[p] == -INFINITY)
            {
                C->test_outside++;
                continue;
            }
            g = -lp[p] - E; /* NLL_model - NLL_true + ln Z, per sample */
            s += g;
            s2 += g * g;
            sE += E;
        }
        free(lp);
        if (C->test_outside > 0)
        {
            C->kl = INFINITY;
            C->nll_model = INFINITY;
        }
        else
        {
            double n = (double) ntest, m = s / n, mE = sE / n;
            se = n > 1 ? sqrt(fmax(s2 / n - m * m, 0.0) / (n - 1)) : NAN;
            C->nll_true = mE + C->lnz;
            C->nll_model = m + mE;
            C->kl = m - C->lnz;
            C->kl_se = sqrt(se * se + C->lnz_se * C->lnz_se);
        }
    }

    /* cumulants: data, truth, the network's draws */
    for (k = 0; k < 8; k++)
        C->z_data[k] = C->z_truth[k] = NAN;
    for (k = 0; k < 4; k++)
        C->cumulant_z[k] = NAN;
    if (o->data != NULL)
    {
        slong nd = o->data_chains * o->data_n;
        rc = fy_sample_cumulants(&C->data, o->data, o->data_chains, o->data_n, T, err);
        if (rc != FY_OK)
            return rc;
        C->have_data = 1;
        C->model_n = o->model_samples > 0 ? o->model_samples : 10 * nd;
        if (o->model_samples <= 0 && C->model_n < 100000)
            C->model_n = 100000;
        if (o->model_samples <= 0 && C->model_n > 1000000)
            C->model_n = 1000000;
        /* at most about 400 MB of draws by default */
        if (o->model_samples <= 0 && C->model_n > 50000000 / d)
            C->model_n = 50000000 / d > 1000 ? 50000000 / d : 1000;
        x = malloc((size_t) C->model_n * (size_t) d * sizeof(double));
        if (x == NULL)
            return fy_error_set(err, FY_ENOMEM, "compare: out of memory for %ld draws of the "
                                "network", (long) C->model_n);
        rc = fy_inn_sample_d(x, net, C->model_n, o->seed, &C->model_rejected, err);
        if (rc == FY_OK)
            rc = fy_sample_cumulants(&C->model, x, 1, C->model_n, T, err);
        free(x);
        if (rc != FY_OK)
            return rc;
        if (o->truth != NULL)
        {
            rc = fy_sample_cumulants(&C->truth, o->truth, o->truth_chains, o->truth_n, T, err);
            if (rc != FY_OK)
                return rc;
            C->truth_source = FY_INN_TRUTH_RUN;
        }
        else
        {
            int ok = 0;
            if (d == 1 && T->max_degree >= 2 && T->max_degree % 2 == 0)
                cumulants_exact_1d(&C->truth, T, &ok);
            if (ok)
                C->truth_source = FY_INN_TRUTH_QUADRATURE;
            else
            {
                C->truth = C->data;
                C->truth_source = FY_INN_TRUTH_DATA;
            }
        }
        for (k = 0; k < 4; k++)
        {
            C->z_data[k] = (C->model.site[k] - C->data.site[k]) / C->data.site_se[k];
            C->z_data[4 + k] = (C->model.nn[k] - C->data.nn[k]) / C->data.nn_se[k];
            C->z_truth[k] = (C->model.site[k] - C->truth.site[k]) / C->data.site_se[k];
            C->z_truth[4 + k] = (C->model.nn[k] - C->truth.nn[k]) / C->data.nn_se[k];
        }
        /* largest |z| per order: site kappa_k, and the neighbour cumulants of that order
         * (nn[0] is of order 2, nn[1] of order 3, nn[2] and nn[3] of order 4) */
        for (k = 0; k < 4; k++)
        {
            static const int nn_order[4] = {2, 3, 4, 4};
            double zt = fabs(C->z_truth[k]);
            int j;
            for (j = 0; j < 4; j++)
                if (nn_order[j] == k + 1 && isfinite(C->z_truth[4 + j]) &&
                    fabs(C->z_truth[4 + j]) > zt)
                    zt = fabs(C->z_truth[4 + j]);
            C->cumulant_z[k] = zt;
        }
    }
    return FY_OK;
}
