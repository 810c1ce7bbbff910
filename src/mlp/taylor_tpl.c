/* Template (included by taylor_{d,arb,fmpq}.c): forward pass, propagators, the fused layer
 * recursion for whole symmetric tensors (MATH.md 1.6) and directional Taylor coefficients.
 *
 * Tensor layout: one buffer X of E x ld elements, E = the number of sorted multi-indices of
 * orders 1..n (order by order, each by rank), ld = the widest hidden layer; row r holds the
 * entry r of every neuron of a layer.  Layer 1 is linear, so Q^(1)_{a;I} = sigma^(k)(z_a)
 * prod_p W1_{a,I_p} (one product per entry).  Then for each further layer, in place:
 *   P^(l) = Q^(l-1) W^(l)^T  (a dense product over the neuron index, by row blocks), and
 *   Q^(l)_I = sum over set partitions pi of the slots of I of sigma^(|pi|) prod_B P^(l)_B,
 * evaluated by the last-slot recursion of fdb_layer (2^(k-1) products per entry of order k
 * instead of Bell(k) partitions), orders from n down to 1 so that the lower orders it reads
 * are still P^(l).  In double the vertex values of layer 1 go into the weights of layer 2 (one
 * product per order); in ball arithmetic the dense products are done exactly in double by
 * slices (ball_block_sliced) when the weights are doubles.  The output row is a product with
 * one row of W^(L). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#define FY_MLP_USE_CBLAS 1
#endif
#if defined(FY_BACKEND_ARB) && defined(FY_HAVE_CBLAS) && defined(__SIZEOF_INT128__) &&         \
    FLINT_BITS == 64
#include <stdint.h>
#include <cblas.h>
#define FY_MLP_BALL_SLICED 1
#endif
/* Threads for double and balls; exact arithmetic stays serial (FLINT's fmpz allocator keeps
 * per-thread caches, and entries made by one thread are freed by another). */
#if defined(_OPENMP) && !defined(FY_BACKEND_FMPQ)
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

/* ------------------------------------------------------------------ whole tensors
 *
 * Faa di Bruno by the last slot.  With G^(m)_I = d_I [sigma^(m)(z)] (so G^(0)_I = Q_I and
 * G^(m)_{} = sigma^(m)), one more derivative in slot x and Leibniz's rule give
 *     G^(m)_{J+x} = sum over sub-multisets K of J of  c_K G^(m+1)_{J\K} P_{K+x},
 * c_K = prod_v C(mult_J(v), mult_K(v)) counting the slot subsets that give the multiset K.
 * With I = J + x sorted (x >= max J) every K + x is sorted too, and for a fixed J the rows of
 * K + x for x = max J .. d-1 are consecutive: each term streams one row of G^(m+1) (scaled by
 * c_K, the same for the whole block) against a block of rows of P.  An entry of order k costs
 * at most 2^(k-1) products per neuron (the set-partition sum had Bell(k) terms of up to k
 * factors).  The tables G^(m), m >= 1, hold the orders 0..n-m (a few percent of the rows);
 * G^(0) = Q overwrites P in place, orders n down to 1, since an entry of order k reads P of
 * lower orders and its own row only. */

#define FY_MLP_MAXK (1 << (FY_MLP_MAX_TENSOR_ORDER - 1))

/* fy_mindex_rank with the binomial table read inline. */
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

/* The sub-multisets K of J (sorted, length nj; x0 >= max J): for each, the first P row of
 * K + x0, the G row of J \ K and the weight c_K.  Returns their number (<= 2^nj). */
static int FY_FN(submultisets)(slong *rP, slong *rG, slong *cK, const int *J, int nj, int x0,
                               const fy_mindex_t ix, const slong *Poff, const slong *Goff)
{
    static const slong binom[FY_MLP_MAX_TENSOR_ORDER + 1][FY_MLP_MAX_TENSOR_ORDER + 1] = {
        {1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}, {1, 5, 10, 10, 5, 1},
        {1, 6, 15, 20, 15, 6, 1}, {1, 7, 21, 35, 35, 21, 7, 1}, {1, 8, 28, 56, 70, 56, 28, 8, 1},
        {1, 9, 36, 84, 126, 126, 84, 36, 9, 1}, {1, 10, 45, 120, 210, 252, 210, 120, 45, 10, 1}};
    int val[FY_MLP_MAX_TENSOR_ORDER], mul[FY_MLP_MAX_TENSOR_ORDER], e[FY_MLP_MAX_TENSOR_ORDER];
    int K[FY_MLP_MAX_TENSOR_ORDER + 1], R[FY_MLP_MAX_TENSOR_ORDER];
    int t = 0, i, p, nK = 0;

    for (p = 0; p < nj; p++)
        if (t > 0 && val[t - 1] == J[p])
            mul[t - 1]++;
        else
        {
            val[t] = J[p];
            mul[t++] = 1;
        }
    for (i = 0; i < t; i++)
        e[i] = 0;
    for (;;)
    {
        int nk = 0, nr = 0;
        slong c = 1;
        for (i = 0; i < t; i++)
        {
            for (p = 0; p < e[i]; p++)
                K[nk++] = val[i];
            for (p = e[i]; p < mul[i]; p++)
                R[nr++] = val[i];
            c *= binom[mul[i]][e[i]];
        }
        K[nk] = x0;
        rP[nK] = Poff[nk + 1] + FY_FN(rank)(ix, K, nk + 1);
        rG[nK] = Goff[nr] + FY_FN(rank)(ix, R, nr);
        cK[nK] = c;
        nK++;
        for (i = 0; i < t && e[i] == mul[i]; i++)
            e[i] = 0;
        if (i == t)
            break;
        e[i]++;
    }
    return nK;
}

/* Rows out + xi*ld (xi < nx) <- sum_q gc_q * P rows rP[q] + xi.  out may be one of those P
 * rows (the result goes through t).  gc: nK rows of w (double, fmpq) or w x nK (arb). */
static void FY_FN(fdb_block)(fy_el_ptr out, fy_el_srcptr X, slong ld, slong w, slong nx, int nK,
                             const slong *rP, fy_el_srcptr gc, fy_el_ptr t, fy_el_ptr gat,
                             slong prec)
{
    slong xi, a;
#if defined(FY_BACKEND_D)
    (void) gat;
    (void) prec;
    for (xi = 0; xi < nx; xi++)
    {
        double *restrict T = t;
        const double *restrict p0 = X + (rP[0] + xi) * ld, *restrict g0 = gc;
        int q;
        for (a = 0; a < w; a++)
            T[a] = g0[a] * p0[a];
        for (q = 1; q + 2 < nK; q += 3)
        {
            const double *restrict p1 = X + (rP[q] + xi) * ld, *restrict g1 = gc + q * w;
            const double *restrict p2 = X + (rP[q + 1] + xi) * ld, *restrict g2 = g1 + w;
            const double *restrict p3 = X + (rP[q + 2] + xi) * ld, *restrict g3 = g2 + w;
            for (a = 0; a < w; a++)
                T[a] += g1[a] * p1[a] + g2[a] * p2[a] + g3[a] * p3[a];
        }
        for (; q < nK; q++)
        {
            const double *restrict p1 = X + (rP[q] + xi) * ld, *restrict g1 = gc + q * w;
            for (a = 0; a < w; a++)
                T[a] += g1[a] * p1[a];
        }
        memcpy(out + xi * ld, T, sizeof(double) * (size_t) w);
    }
#elif defined(FY_BACKEND_ARB)
    int q;
    for (xi = 0; xi < nx; xi++)
    {
        for (a = 0; a < w; a++)
        {
            /* shallow copies, read only by arb_dot and never cleared */
            for (q = 0; q < nK; q++)
                gat[q] = X[(rP[q] + xi) * ld + a];
            arb_dot(t + a, NULL, 0, gc + a * nK, 1, gat, 1, nK, prec);
        }
        for (a = 0; a < w; a++)
            arb_swap(out + xi * ld + a, t + a);
    }
#else
    int q;
    (void) gat;
    (void) prec;
    for (xi = 0; xi < nx; xi++)
    {
        for (a = 0; a < w; a++)
        {
            FY_EL_MUL(t + a, gc + a, X + (rP[0] + xi) * ld + a);
            for (q = 1; q < nK; q++)
                FY_EL_ADDMUL(t + a, gc + q * w + a, X + (rP[q] + xi) * ld + a);
        }
        for (a = 0; a < w; a++)
            FY_EL_SWAP(out + xi * ld + a, t + a);
    }
#endif
}

/* The entries of order j of one table: rows Toff + rank(I) of T, I = J + x for every J of order
 * j - 1, from P (X, order q at row Poff[q]) and the next table G (order q at row Goff[q]). */
static void FY_FN(fdb_order)(fy_el_ptr T, slong Toff, fy_el_srcptr X, const slong *Poff,
                             fy_el_srcptr G, const slong *Goff, int j, const fy_mindex_t ix,
                             int dim, slong ld, slong w, slong prec)
{
    const slong chunk = 64;
    slong nJ = fy_mindex_count(ix, dim, j - 1), nchunk = (nJ + chunk - 1) / chunk;
#if defined(FY_MLP_USE_OMP)
#pragma omp parallel if (nJ * (dim + 1) * w > 200000)
#endif
    {
        slong rP[FY_MLP_MAXK], rG[FY_MLP_MAXK], cK[FY_MLP_MAXK], ci, r, a;
        int J[FY_MLP_MAX_TENSOR_ORDER + 1], nK, q;
        int maxK = 1 << (j - 1);
        fy_el_ptr gc = FY_VEC_INIT((slong) maxK * w), t = FY_VEC_INIT(w);
#if defined(FY_BACKEND_ARB)
        arb_ptr gat = (arb_ptr) flint_malloc(sizeof(arb_struct) * (size_t) maxK);
#else
        fy_el_ptr gat = NULL;
#endif
#if defined(FY_MLP_USE_OMP)
#pragma omp for schedule(dynamic, 1)
#endif
        for (ci = 0; ci < nchunk; ci++)
        {
            slong r1 = (ci + 1) * chunk < nJ ? (ci + 1) * chunk : nJ;
            r = ci * chunk;
            if (j > 1)
                fy_mindex_unrank(ix, J, r, j - 1);
            for (; r < r1; r++)
            {
                int x0 = j > 1 ? J[j - 2] : 0;
                slong row;
                nK = FY_FN(submultisets)(rP, rG, cK, J, j - 1, x0, ix, Poff, Goff);
                for (q = 0; q < nK; q++)
                    for (a = 0; a < w; a++)
                    {
#if defined(FY_BACKEND_ARB)
                        fy_el_ptr g = gc + a * nK + q;
#else
                        fy_el_ptr g = gc + q * w + a;
#endif
                        if (cK[q] == 1)
                            FY_EL_SET(g, G + rG[q] * ld + a);
                        else
                            FY_EL_MUL_SI(g, G + rG[q] * ld + a, cK[q]);
                    }
                J[j - 1] = x0;
                row = Toff + FY_FN(rank)(ix, J, j);
                FY_FN(fdb_block)(T + row * ld, X, ld, w, dim - x0, nK, rP, gc, t, gat, prec);
                if (j > 1)
                    fy_multiindex_next(J, dim, j - 1);
            }
        }
        FY_VEC_CLEAR(gc, (slong) maxK * w);
        FY_VEC_CLEAR(t, w);
#if defined(FY_BACKEND_ARB)
        flint_free(gat);
#endif
    }
}

/* One layer of Faa di Bruno: X (P of orders 1..n at rows off[k]) becomes Q, using the tables
 * G^(m) (m = 1..n, orders 0..n-m) in the buffer G. */
static void FY_FN(fdb_layer)(fy_el_ptr X, const slong *off, fy_el_ptr G, fy_el_srcptr s,
                             const fy_mindex_t ix, int dim, int n, slong ld, slong w, slong prec)
{
    slong goff[FY_MLP_MAX_TENSOR_ORDER + 2][FY_MLP_MAX_TENSOR_ORDER + 2], base = 0, a;
    int mm, q, j;

    for (mm = 1; mm <= n; mm++)
    {
        for (q = 0; q <= n - mm + 1; q++)
            goff[mm][q] = base + fy_mindex_offset(ix, q);
        base = goff[mm][n - mm + 1];
        for (a = 0; a < w; a++)
            FY_EL_SET(G + goff[mm][0] * ld + a, s + (slong) mm * w + a);
    }
    for (mm = n - 1; mm >= 1; mm--)
        for (j = 1; j <= n - mm; j++)
            FY_FN(fdb_order)(G, goff[mm][j], X, off, G, goff[mm + 1], j, ix, dim, ld, w, prec);
    for (j = n; j >= 1; j--)
        FY_FN(fdb_order)(X, off[j], X, off, G, goff[1], j, ix, dim, ld, w, prec);
}

/* Rows of the tables G^(1..n) of fdb_layer. */
static slong FY_FN(fdb_rows)(const fy_mindex_t ix, int n)
{
    slong rows = 0;
    int mm;
    for (mm = 1; mm <= n; mm++)
        rows += fy_mindex_offset(ix, n - mm + 1);
    return rows;
}


#if defined(FY_MLP_BALL_SLICED)
/* ------------------------------------------------------------------ ball products by slices
 *
 * The dense product of a layer in ball arithmetic, X W^T with W exact doubles (weights read
 * from a binary file), done exactly in double precision (Ozaki's error-free splitting):
 *   - each row r of midpoints of X becomes a fixed-point integer F_rb = trunc(|x_rb| 2^(126 -
 *     gX_r)) (gX_r: the largest exponent of the row, so F < 2^126), with the sign apart, cut
 *     into NSX = 6 digits of 21 bits;
 *   - each row a of W becomes FW_ab = trunc(|w_ab| 2^(105 - gW_a)) < 2^105, NSW = 5 digits;
 *   - the digit matrices are multiplied by dgemm.  A digit is below 2^21, a product below
 *     2^42; the pairs (s, t) with equal s + t have equal weight 2^(21 (9 - s - t)) and up to
 *     five of them are added into one level (beta = 1): at most 5 wp <= 5 * 2^8 products, so
 *     every partial sum is an integer below 2^53 and each level is exact whatever the order of
 *     summation (FMA or not);
 *   - the ten levels are added exactly in a 256-bit two's complement integer, which gives the
 *     exact sum_b F_rb FW_ab (signs included), rounded once to prec bits by arb_set_round.
 * The radius bounds sum_b |w_ab| (rad x_rb + e_rb) + sum_b |F_rb| eW_ab, with e and eW the
 * truncation errors (zero where the conversion was exact): computed by a dgemm of nonnegative
 * doubles (each an upper bound), whose rounding error is at most gamma_wp < 2^-40 relative,
 * plus 2^-1000 for underflow.  Returns 0 (nothing done) when a value does not fit: W not exact
 * doubles, mantissas above 128 bits, huge exponents or radii, wp > 256. */
#define NSX 6
#define NSW 5
#define NLEV (NSX + NSW - 1)
#define DIG ((1u << 21) - 1u)
/* Levels above LCUT weigh at most 2^(-21 (LCUT + 1)) of the top one and are left out, their
 * sum bounded in the radius: |C_st| < wp 2^42, so the pairs with s + t > LCUT add at most
 * wp 2^42 sum_{lam > LCUT} npairs(lam) 2^(21 (9 - lam)) units = wp DROP 2^(gX + gW - 231).
 * LCUT = 5 keeps the pairs (s, t) with s + t <= 5 (20 dgemms instead of 24): npairs(6..9) =
 * 4, 3, 2, 1, so the dropped part is below 2^-114 wp max|x| max|w| per entry (LCUT = 4 would
 * leave 2^-94 of it, which cancellation in the sums turns into relative radii near 1e-22).
 * DROP is rounded up: 2 2^21 + 1 < 2^22, and the sum below is exact in double. */
#define LCUT 5
#define DROP (4.0 * 0x1p63 + 3.0 * 0x1p42 + 0x1p22) * 0x1p42

typedef struct
{
    slong wn, wp;
    double *Ws;   /* NSW x wn x wp digits (signed) */
    double *Wabs; /* wn x wp |w| */
    slong *gW;    /* wn row exponents */
    double *eW;   /* wn: bound of the truncation error of a W entry in units of 2^gW_a */
    char *Wrow;   /* wn: 1 when row a of W has a nonzero entry */
} fy_wslices_t;

static void wslices_clear(fy_wslices_t *S)
{
    flint_free(S->Ws);
    flint_free(S->Wabs);
    flint_free(S->gW);
    flint_free(S->eW);
    flint_free(S->Wrow);
}

static int wslices_init(fy_wslices_t *S, arb_srcptr W, slong wn, slong wp)
{
    slong a, b;
    int t;
    memset(S, 0, sizeof *S);
    if (wp > 256 || wn < 1 || wp < 1)
        return 0;
    S->wn = wn;
    S->wp = wp;
    S->Ws = flint_calloc((size_t) (NSW * wn * wp), sizeof(double));
    S->Wabs = flint_malloc(sizeof(double) * (size_t) (wn * wp));
    S->gW = flint_malloc(sizeof(slong) * (size_t) wn);
    S->eW = flint_calloc((size_t) wn, sizeof(double));
    S->Wrow = flint_calloc((size_t) wn, 1);
    for (a = 0; a < wn * wp; a++)
    {
        arb_srcptr x = W + a;
        double w;
        if (!mag_is_zero(arb_radref(x)) ||
            (!arf_is_zero(arb_midref(x)) &&
             (!arf_is_finite(arb_midref(x)) || arf_bits(arb_midref(x)) > 53 ||
              COEFF_IS_MPZ(*ARF_EXPREF(arb_midref(x))) || *ARF_EXPREF(arb_midref(x)) < -900 ||
              *ARF_EXPREF(arb_midref(x)) > 900)))
        {
            wslices_clear(S);
            return 0;
        }
        w = arf_get_d(arb_midref(x), ARF_RND_DOWN); /* exact: <= 53 bits, in range */
        S->Wabs[a] = fabs(w);
    }
    for (a = 0; a < wn; a++)
    {
        slong g = WORD_MIN;
        for (b = 0; b < wp; b++)
        {
            int e;
            if (S->Wabs[a * wp + b] != 0)
            {
                frexp(S->Wabs[a * wp + b], &e); /* |w| < 2^e */
                if (e > g)
                    g = e;
            }
        }
        S->gW[a] = g == WORD_MIN ? 0 : g;
        S->Wrow[a] = g != WORD_MIN;
        for (b = 0; b < wp; b++)
        {
            double w = S->Wabs[a * wp + b];
            int e, sh, neg = arf_sgn(arb_midref(W + a * wp + b)) < 0;
            uint64_t m53;
            unsigned __int128 F;
            if (w == 0)
                continue;
            m53 = (uint64_t) ldexp(frexp(w, &e), 53); /* w = m53 2^(e - 53), exact */
            sh = e - 53 + 105 - (int) S->gW[a];
            if (sh >= 0)
                F = (unsigned __int128) m53 << sh; /* sh <= 52: F < 2^105 */
            else
            {
                F = sh <= -64 ? 0 : (unsigned __int128) (m53 >> -sh);
                if (sh <= -64 || (m53 & ((UINT64_C(1) << -sh) - 1)) != 0)
                    S->eW[a] = ldexp(1.0, -105); /* in units of 2^gW_a */
            }
            for (t = 0; t < NSW; t++)
            {
                double d = (double) (uint32_t) ((F >> (21 * (NSW - 1 - t))) & DIG);
                S->Ws[((slong) t * wn + a) * wp + b] = neg ? -d : d;
            }
        }
    }
    return 1;
}


/* acc (4 limbs, two's complement) += v 2^k, |v| < 2^53, 0 <= k <= 189 */
static inline void acc_add(uint64_t *acc, int64_t v, int k)
{
    int q = k >> 6, r = k & 63, j;
    unsigned __int128 u = (unsigned __int128) (__int128) v << r, s;
    uint64_t ext = v < 0 ? ~UINT64_C(0) : 0, c;
    s = (unsigned __int128) acc[q] + (uint64_t) u;
    acc[q] = (uint64_t) s;
    c = (uint64_t) (s >> 64);
    if (q + 1 < 4)
    {
        s = (unsigned __int128) acc[q + 1] + (uint64_t) (u >> 64) + c;
        acc[q + 1] = (uint64_t) s;
        c = (uint64_t) (s >> 64);
        for (j = q + 2; j < 4; j++)
        {
            s = (unsigned __int128) acc[j] + ext + c;
            acc[j] = (uint64_t) s;
            c = (uint64_t) (s >> 64);
        }
    }
}

/* tmp rows 0..nr-1 (stride ld) <- X rows (stride ld) times W^T, W sliced in S; 0 when a value
 * does not fit (then nothing useful is in tmp). */
static int ball_block_sliced(arb_ptr tmp, arb_srcptr X, slong ld, slong nr,
                             const fy_wslices_t *S, slong prec)
{
    slong wn = S->wn, wp = S->wp, r, a, b;
    double *Xs = flint_calloc((size_t) (NSX * nr * wp), sizeof(double));
    double *R = flint_malloc(sizeof(double) * (size_t) (nr * wp));
    double *Lev = flint_calloc((size_t) (NLEV * nr * wn), sizeof(double));
    double *Rad = flint_malloc(sizeof(double) * (size_t) (nr * wn));
    double *xmax = flint_malloc(sizeof(double) * (size_t) nr); /* sum_b |F_rb| / 2^126 bound */
    slong *gX = flint_malloc(sizeof(slong) * (size_t) nr);
    double *dropr = flint_malloc(sizeof(double) * (size_t) nr);
    double *pw = flint_malloc(sizeof(double) * (size_t) wn);
    int ok = 1, s, t;
    const double tiny = ldexp(1.0, -1000);

    for (r = 0; r < nr && ok; r++)
    {
        arb_srcptr row = X + r * ld;
        slong g = WORD_MIN;
        for (b = 0; b < wp && ok; b++)
        {
            const arf_struct *m = arb_midref(row + b);
            if (arf_is_zero(m))
                continue;
            if (!arf_is_finite(m) || COEFF_IS_MPZ(*ARF_EXPREF(m)) || *ARF_EXPREF(m) < -900 ||
                *ARF_EXPREF(m) > 900 || ARF_SIZE(m) > 2)
                ok = 0;
            else if (*ARF_EXPREF(m) > g)
                g = *ARF_EXPREF(m);
        }
        gX[r] = g == WORD_MIN ? 0 : g;
        xmax[r] = 0;
        for (b = 0; b < wp && ok; b++)
        {
            const arf_struct *m = arb_midref(row + b);
            const mag_struct *rad = arb_radref(row + b);
            double rd = 0, err = 0;
            if (!mag_is_zero(rad))
            {
                if (mag_is_inf(rad) || MAG_EXP(rad) > 900 || COEFF_IS_MPZ(MAG_EXP(rad)))
                {
                    ok = 0;
                    break;
                }
                rd = MAG_EXP(rad) < -900 ? tiny : mag_get_d(rad);
                if (rd < tiny)
                    rd = tiny;
            }
            if (!arf_is_zero(m))
            {
                mp_srcptr xp;
                mp_size_t xn;
                unsigned __int128 M, F;
                slong sh;
                int neg = ARF_SGNBIT(m);
                ARF_GET_MPN_READONLY(xp, xn, m);
                M = xn == 2 ? ((unsigned __int128) xp[1] << 64 | xp[0]) : (unsigned __int128) xp[0];
                /* |x| = M 2^(exp - 64 xn); F = trunc(|x| 2^(126 - gX)) */
                sh = *ARF_EXPREF(m) - 64 * (slong) xn + 126 - gX[r];
                if (sh >= 0)
                    F = M << sh; /* only for xn = 1, sh <= 62 */
                else if (sh <= -128)
                {
                    F = 0;
                    err = ldexp(1.0, (int) (gX[r] - 126));
                }
                else
                {
                    F = M >> -sh;
                    if ((F << -sh) != M)
                        err = ldexp(1.0, (int) (gX[r] - 126));
                }
                xmax[r] += (double) F * 0x1p-126 * (1 + 0x1p-50); /* F < 2^126: no underflow */
                for (s = 0; s < NSX; s++)
                {
                    double d = (double) (uint32_t) ((F >> (21 * (NSX - 1 - s))) & DIG);
                    Xs[((slong) s * nr + r) * wp + b] = neg ? -d : d;
                }
            }
            /* upper bound of rad + truncation error (rounded up by the factor) */
            R[r * wp + b] = (rd + err) * (1 + ldexp(1.0, -50));
        }
    }
    if (ok)
    {
        for (s = 0; s < NSX; s++)
            for (t = 0; t < NSW && s + t <= LCUT; t++)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) nr, (int) wn,
                            (int) wp, 1.0, Xs + (slong) s * nr * wp, (int) wp,
                            S->Ws + (slong) t * wn * wp, (int) wp, 1.0,
                            Lev + (slong) (s + t) * nr * wn, (int) wn);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) nr, (int) wn, (int) wp, 1.0,
                    R, (int) wp, S->Wabs, (int) wp, 0.0, Rad, (int) wn);
    }
    /* the per-entry dropped-level bound wp DROP 2^(gX_r + gW_a - 231) as a product of a row
     * and a column factor instead of one ldexp per entry.  For gX > -800, dropr is an exact
     * normal double (>= 2^-924) and pw an exact power of two (|gW| <= 900), so the product is
     * exact unless it underflows below 2^-1022, which the term tiny added to every radius
     * covers, or overflows to inf (an infinite radius, as with ldexp); lower rows (dropr = -1)
     * keep the ldexp per entry. */
    for (r = 0; r < nr && ok; r++)
        dropr[r] = gX[r] > -800 ? ldexp((double) wp * DROP * (1 + 0x1p-40), (int) (gX[r] - 231))
                                : -1;
    for (a = 0; a < wn && ok; a++)
        pw[a] = ldexp(1.0, (int) S->gW[a]);
    for (r = 0; r < nr && ok; r++)
        for (a = 0; a < wn; a++)
        {
            uint64_t acc[4] = {0, 0, 0, 0};
            int lam, neg, n;
            arb_ptr z = tmp + r * ld + a;
            double rb;
            mag_t e;
            for (lam = 0; lam < NLEV; lam++)
            {
                double v = Lev[((slong) lam * nr + r) * wn + a];
                if (v != 0)
                    acc_add(acc, (int64_t) v, 21 * (NLEV - 1 - lam));
            }
            neg = (int) (acc[3] >> 63);
            if (neg)
            {
                int j, c = 1;
                for (j = 0; j < 4; j++)
                {
                    acc[j] = ~acc[j] + (uint64_t) c;
                    c = c && acc[j] == 0;
                }
            }
            for (n = 4; n > 0 && acc[n - 1] == 0; n--)
                ;
            if (n == 0)
                arb_zero(z);
            else
            {
                arf_set_mpn(arb_midref(z), (mp_srcptr) acc, n, neg);
                arf_mul_2exp_si(arb_midref(z), arb_midref(z), gX[r] + S->gW[a] - 126 - 105);
                mag_zero(arb_radref(z));
                arb_set_round(z, z, prec);
            }
            /* radius: the dgemm of bounds, its rounding, W truncation times sum |x| */
            rb = Rad[r * wn + a];
            if (xmax[r] != 0 && S->Wrow[a])
                rb += dropr[r] > 0 ? dropr[r] * pw[a] /* wp DROP 2^(gX + gW - 231) */
                                   : ldexp((double) wp * DROP * (1 + 0x1p-40),
                                           (int) (gX[r] + S->gW[a] - 231));
            if (rb != 0 || S->eW[a] != 0)
            {
                rb = rb * (1 + ldexp(1.0, -40)) + tiny;
                if (S->eW[a] != 0 && xmax[r] != 0)
                    rb += ldexp(xmax[r] * (double) wp * S->eW[a] * (1 + ldexp(1.0, -40)),
                                (int) (gX[r] + S->gW[a]));
                mag_init(e);
                mag_set_d(e, rb);
                arb_add_error_mag(z, e);
                mag_clear(e);
            }
        }
    flint_free(Xs);
    flint_free(R);
    flint_free(Lev);
    flint_free(Rad);
    flint_free(xmax);
    flint_free(gX);
    flint_free(dropr);
    flint_free(pw);
    return ok;
}
#endif

/* X rows (E of them, first wp used) <- X W^T, W wn x wp, by row blocks through tmp. */
static void FY_FN(apply_layer)(fy_el_ptr X, slong ld, slong E, fy_el_srcptr W, slong wn,
                               slong wp, slong prec)
{
    const slong BR = 2048;
    fy_el_ptr tmp = FY_VEC_INIT(BR * ld);
    slong r0, r, nr;
#if !defined(FY_MLP_USE_CBLAS)
    slong a;
#endif
#if defined(FY_MLP_BALL_SLICED)
    fy_wslices_t S = {0, 0, NULL, NULL, NULL, NULL, NULL};
    int sliced = prec <= 128 && wslices_init(&S, W, wn, wp);
#endif

    for (r0 = 0; r0 < E; r0 += BR)
    {
        nr = E - r0 < BR ? E - r0 : BR;
#if defined(FY_MLP_BALL_SLICED)
        if (sliced && ball_block_sliced(tmp, X + r0 * ld, ld, nr, &S, prec))
            goto swap;
#endif
#if defined(FY_MLP_USE_CBLAS)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) nr, (int) wn, (int) wp, 1.0,
                    X + r0 * ld, (int) ld, W, (int) wp, 0.0, tmp, (int) ld);
#else
#if defined(FY_MLP_USE_OMP)
#pragma omp parallel for private(a) schedule(static) if (nr * wn * wp > 100000)
#endif
        for (r = 0; r < nr; r++)
            for (a = 0; a < wn; a++)
                FY_FN(dot)(tmp + r * ld + a, W + a * wp, X + (r0 + r) * ld, wp, prec);
#endif
#if defined(FY_MLP_BALL_SLICED)
    swap:
#endif
        for (r = 0; r < nr; r++)
#if defined(FY_BACKEND_D)
            memcpy(X + (r0 + r) * ld, tmp + r * ld, sizeof(double) * (size_t) wn);
#else
            for (a = 0; a < wn; a++)
                FY_EL_SWAP(X + (r0 + r) * ld + a, tmp + r * ld + a);
#endif
    }
#if defined(FY_MLP_BALL_SLICED)
    if (sliced)
        wslices_clear(&S);
#endif
    FY_VEC_CLEAR(tmp, BR * ld);
}

int FY_FN(_fy_mlp_tensors)(fy_el_ptr out, const fy_mlp_struct *m, fy_el_srcptr W1, int dim,
                           int output, int n, slong prec, fy_error_t err)
{
    fy_mindex_t ix;
    slong off[FY_MLP_MAX_TENSOR_ORDER + 2], E, ld = 1, r, a;
    int k, l, status, L = m->L, Ix[FY_MLP_MAX_TENSOR_ORDER + 1];
    fy_el_ptr X, G;

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
#if defined(FY_BACKEND_D)
    /* every row is written by layer 1 before it is read: no need to zero the buffer */
    X = flint_malloc(sizeof(double) * (size_t) (E * ld > 0 ? E * ld : 1));
    for (r = 0; r < E; r++)
        for (a = m->width[1]; a < ld; a++)
            X[r * ld + a] = 0.0;
#else
    X = FY_VEC_INIT(E * ld);
#endif
    G = L > 2 ? FY_VEC_INIT(FY_FN(fdb_rows)(ix, n) * ld) : NULL;

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
#if defined(FY_BACKEND_D)
        if (L == 2) /* else the vertex values go into the weights of layer 2, below */
#endif
            for (k = 1; k <= n; k++)
                for (r = off[k]; r < off[k + 1]; r++)
                    for (a = 0; a < w; a++)
                        FY_EL_MUL(X + r * ld + a, X + r * ld + a, s + (slong) k * w + a);
    }
    if (m->progress != NULL)
    {
        m->progress->total = 2.0 * (L - 1);
        fy_progress_update(m->progress, 0.0);
    }
    for (l = 2; l < L && status == FY_OK; l++)
    {
        slong w = m->width[l];
#if defined(FY_BACKEND_D)
        if (l == 2)
        {
            /* Q^(1) = diag(sigma_1^(k)) times the products of W1 columns, order k: one product
             * per order with W2 diag(sigma_1^(k)) saves a pass over the buffer */
            slong wp = m->width[1], b;
            const double *s1 = (const double *) m->s[1].v;
            double *Wk = flint_malloc(sizeof(double) * (size_t) (w * wp));
            for (k = 1; k <= n; k++)
            {
                for (a = 0; a < w; a++)
                    for (b = 0; b < wp; b++)
                        Wk[a * wp + b] = ((const double *) m->W[2].v)[a * wp + b] *
                                         s1[(slong) k * wp + b];
                FY_FN(apply_layer)(X + off[k] * ld, ld, off[k + 1] - off[k], Wk, w, wp, prec);
            }
            flint_free(Wk);
        }
        else
#endif
            FY_FN(apply_layer)(X, ld, E, (fy_el_srcptr) m->W[l].v, w, m->width[l - 1], prec);
        if (m->progress != NULL)
            fy_progress_update(m->progress, 2.0 * (l - 1) - 1);
        FY_FN(fdb_layer)(X, off, G, (fy_el_srcptr) m->s[l].v, ix, dim, n, ld, w, prec);
        if (m->progress != NULL)
            fy_progress_update(m->progress, 2.0 * (l - 1));
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
    if (G != NULL)
        FY_VEC_CLEAR(G, FY_FN(fdb_rows)(ix, n) * ld);
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
