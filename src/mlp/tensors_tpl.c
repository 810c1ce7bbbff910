/* Template (included by tensors_{d,arb,fmpq,fx}.c): the symmetric derivative tensors of
 * orders 1..n of one MLP output at xbar by the fused layer recursion (MATH.md 1.6).
 *
 * The entries of order k are kept by sorted multi-index, at rows off[k] + rank of a table
 * whose row holds that entry for every neuron of a layer.  Layer 1 is linear: the rows are
 * products of columns of W1, times sigma_1^(k).  Each further layer l is a dense product
 * P^(l) = Q^(l-1) W^(l)^T and Faa di Bruno's rule by the last slot (mlp_internal.h),
 *     Q_{J+x} = sum over sub-multisets K of J of c_K G^(1)_{J\K} P_{K+x},
 * with the tables G^(m) of the derivatives of sigma^(m)(z) built from P the same way.  The
 * output is one row of W^(L).
 *
 * Two passes, so that the largest order never sits in memory whole:
 *   - the low pass computes orders 1..n-1 layer by layer in one table X, and keeps, for each
 *     layer, P of orders < n and the tables G (both small next to order n);
 *   - the top pass computes order n by chunks of rows (the rows J + x of a few hundred J of
 *     order n - 1), each carried through every layer while it is in cache: a dense product
 *     over the chunk, then the rule, whose terms other than K = J read the kept rows.
 * The chunks are independent, so they are shared among OpenMP threads; the low pass uses
 * threads over row blocks of its products and over the J of its rules.  BLAS is held to one
 * thread meanwhile (its own threads would compete with these for the cores).
 *
 * Backends: double (dgemm; the layer-1 vertex values go into W^(2), one product per order),
 * arb balls and exact rationals (loops), and fx: arb balls on block floating-point rows
 * (num/fxball.h: exact sliced dgemm, 128-bit integer rules), which declines networks it does
 * not suit (FY_MLP_DECLINE). */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"
#include "num/blas.h"

#if defined(FY_MLP_FX)
#include "num/fxball.h"
#define TS fx
#else
#define TS FY_SUFFIX
#endif
#define TN(name) FY_CAT(name, TS)

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#define USE_CBLAS 1
#endif
/* Threads for double and balls; exact arithmetic stays serial (FLINT's fmpz allocator keeps
 * per-thread caches, and entries made by one thread are freed by another). */
#if defined(_OPENMP) && !defined(FY_BACKEND_FMPQ)
#include <omp.h>
#define USE_OMP 1
#endif

#define MAXN FY_MLP_MAX_TENSOR_ORDER
/* Rows of a top-pass chunk, and of a block of the dense products of the low pass. */
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
#define CHUNK_ROWS 512
#else
#define CHUNK_ROWS 256
#endif
#define BLOCK_ROWS 2048

/* ------------------------------------------------------------------ tables and kernels */

#if defined(FY_MLP_FX)

typedef fy_fxtab_struct tab_t;
typedef fy_fxmat_struct wmat_t;
typedef struct
{
    fy_fxwork_struct fx;
    fy_fxtab_struct dot; /* rows of a product with the output row */
    fy_mlp_work_struct *pool; /* always NULL: the fx tables are not pooled */
} work_t;

static int tab_init(tab_t *t, slong rows, slong ld, fy_mlp_work_struct *pool, fy_error_t err)
{
    (void) pool;
    return fy_fxtab_init(t, rows, ld, err);
}
static void tab_clear(tab_t *t)
{
    fy_fxtab_clear(t);
}
static void tab_copy(tab_t *dst, slong rd, const tab_t *src, slong rs, slong nr, slong w)
{
    fy_fxtab_copy_rows(dst, rd, src, rs, nr, w);
}
/* row r <- v[a * stride], a < w; nonzero: not representable */
static int tab_set(tab_t *t, slong r, fy_el_srcptr v, slong stride, slong w)
{
    return fy_fxtab_set_row_arb(t, r, v, stride, w);
}
static int work_init(work_t *wk, slong ld, int maxK, fy_mlp_work_struct *pool, fy_error_t err)
{
    (void) ld;
    (void) maxK;
    (void) pool;
    wk->pool = NULL;
    fy_fxwork_init(&wk->fx);
    return fy_fxtab_init(&wk->dot, BLOCK_ROWS, 1, err);
}
static void work_clear(work_t *wk)
{
    fy_fxwork_clear(&wk->fx);
    fy_fxtab_clear(&wk->dot);
}
/* rows r + i of t <- row ra of A .* row rb + i of B, i < nr (B's rows may be t's) */
static int tab_mul_rows(tab_t *t, slong r, slong nr, const tab_t *A, slong ra, const tab_t *B,
                        slong rb, slong w, work_t *wk, slong prec)
{
    static const slong one = 1;
    (void) prec;
    return fy_fx_mulsum(t, r, nr, 1, &A, &ra, &B, &rb, &one, w, &wk->fx) ? FY_MLP_DECLINE
                                                                         : FY_OK;
}
static int tab_mul(tab_t *t, slong r, const tab_t *A, slong ra, const tab_t *B, slong rb,
                   slong w, work_t *wk, slong prec)
{
    return tab_mul_rows(t, r, 1, A, ra, B, rb, w, wk, prec);
}
static int wmat_init(wmat_t *M, fy_el_srcptr W, slong wn, slong wp, fy_error_t err)
{
    (void) err;
    return fy_fxmat_init_arb(M, W, wn, wp) ? FY_MLP_DECLINE : FY_OK;
}
static void wmat_clear(wmat_t *M)
{
    fy_fxmat_clear(M);
}
/* rows rd.. of dst <- rows rs.. of src times W^T (nr rows; in place when the same); with par,
 * blocks of rows on the threads, each with scratch of its own, else in one call with wk's */
static int tab_gemm(tab_t *dst, slong rd, tab_t *src, slong rs, slong nr, const wmat_t *M,
                    work_t *wk, int par, slong prec)
{
    const slong B = 256, nb = (nr + B - 1) / B;
    int fail = 0;
    slong bi;
    (void) prec;
    if (!par || nb < 2)
        return fy_fx_gemm(dst, rd, src, rs, nr, M, &wk->fx) ? FY_MLP_DECLINE : FY_OK;
#if defined(USE_OMP)
#pragma omp parallel reduction(| : fail)
#endif
    {
        fy_fxwork_struct w;
        fy_fxwork_init(&w);
#if defined(USE_OMP)
#pragma omp for schedule(dynamic, 1)
#endif
        for (bi = 0; bi < nb; bi++)
        {
            slong r0 = bi * B, k = nr - r0 < B ? nr - r0 : B;
            if (!fail)
                fail |= fy_fx_gemm(dst, rd + r0, src, rs + r0, k, M, &w);
        }
        fy_fxwork_clear(&w);
    }
    return fail ? FY_MLP_DECLINE : FY_OK;
}
/* out[i] <- row r0 + i of t . the output row, i < nr */
static int tab_dot(fy_el_ptr out, tab_t *t, slong r0, slong nr, const wmat_t *M, work_t *wk,
                   slong prec)
{
    slong b, i;
    for (b = 0; b < nr; b += BLOCK_ROWS)
    {
        slong k = nr - b < BLOCK_ROWS ? nr - b : BLOCK_ROWS;
        if (fy_fx_gemm(&wk->dot, 0, t, r0 + b, k, M, &wk->fx))
            return FY_MLP_DECLINE;
        for (i = 0; i < k; i++)
            fy_fxtab_get_arb(out + b + i, &wk->dot, i, 0, prec);
    }
    return FY_OK;
}

#else /* d, arb, fmpq */

typedef struct
{
    fy_el_ptr v;
    slong rows, ld;
    fy_mlp_work_struct *pool; /* where v came from (double only), or NULL */
} tab_t;
typedef struct
{
    fy_el_srcptr W;
    slong wn, wp;
} wmat_t;
typedef struct
{
    fy_el_ptr gc, t, tmp; /* maxK x ld, ld, BLOCK_ROWS x ld */
    slong ngc, ntmp;
    fy_mlp_work_struct *pool;
#if defined(FY_BACKEND_ARB)
    arb_ptr gat;
#endif
} work_t;

#define ROW(T, r) ((T)->v + (r) * (T)->ld)

#include "mlp/vec_tpl.h"

static int tab_init(tab_t *t, slong rows, slong ld, fy_mlp_work_struct *pool, fy_error_t err)
{
    t->rows = rows;
    t->ld = ld;
    t->pool = pool;
    t->v = vec_new(pool, rows * ld, err);
    return t->v == NULL ? FY_ENOMEM : FY_OK;
}
static void tab_clear(tab_t *t)
{
    vec_free(t->pool, t->v, t->rows * t->ld);
    t->v = NULL;
}
static void tab_copy(tab_t *dst, slong rd, const tab_t *src, slong rs, slong nr, slong w)
{
    slong i, a;
    for (i = 0; i < nr; i++)
        for (a = 0; a < w; a++)
            FY_EL_SET(ROW(dst, rd + i) + a, ROW(src, rs + i) + a);
}
static int tab_set(tab_t *t, slong r, fy_el_srcptr v, slong stride, slong w)
{
    slong a;
    for (a = 0; a < w; a++)
        FY_EL_SET(ROW(t, r) + a, v + a * stride);
    return 0;
}
static int work_init(work_t *wk, slong ld, int maxK, fy_mlp_work_struct *pool, fy_error_t err)
{
    memset(wk, 0, sizeof *wk);
    wk->pool = pool;
    wk->ngc = (slong) maxK * ld;
    wk->ntmp = BLOCK_ROWS * ld;
    wk->gc = vec_new(pool, wk->ngc, err);
    wk->t = vec_new(pool, ld, err);
    wk->tmp = vec_new(pool, wk->ntmp, err);
#if defined(FY_BACKEND_ARB)
    wk->gat = fy_malloc((size_t) maxK, sizeof(arb_struct), err);
#endif
    if (wk->gc == NULL || wk->t == NULL || wk->tmp == NULL
#if defined(FY_BACKEND_ARB)
        || wk->gat == NULL
#endif
    )
        return FY_ENOMEM;
    return FY_OK;
}
static void work_clear(work_t *wk)
{
    slong ld = wk->ntmp / BLOCK_ROWS;
    vec_free(wk->pool, wk->gc, wk->ngc);
    vec_free(wk->pool, wk->t, ld);
    vec_free(wk->pool, wk->tmp, wk->ntmp);
#if defined(FY_BACKEND_ARB)
    free(wk->gat); /* shallow copies only */
#endif
    memset(wk, 0, sizeof *wk);
}
static int tab_mul(tab_t *t, slong r, const tab_t *A, slong ra, const tab_t *B, slong rb,
                   slong w, work_t *wk, slong prec)
{
    slong a;
    (void) wk;
    (void) prec;
    for (a = 0; a < w; a++)
        FY_EL_MUL(ROW(t, r) + a, ROW(A, ra) + a, ROW(B, rb) + a);
    return 0;
}
static int tab_mul_rows(tab_t *t, slong r, slong nr, const tab_t *A, slong ra, const tab_t *B,
                        slong rb, slong w, work_t *wk, slong prec)
{
    slong i;
    for (i = 0; i < nr; i++)
        tab_mul(t, r + i, A, ra, B, rb + i, w, wk, prec);
    return 0;
}
static int wmat_init(wmat_t *M, fy_el_srcptr W, slong wn, slong wp, fy_error_t err)
{
    (void) err;
    M->W = W;
    M->wn = wn;
    M->wp = wp;
    return FY_OK;
}
static void wmat_clear(wmat_t *M)
{
    (void) M;
}

#if !defined(USE_CBLAS)
/* z = sum_b x[b] y[b] (n terms). */
static void TN(dot)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y, slong n, slong prec)
{
#if defined(FY_BACKEND_ARB)
    arb_dot(z, NULL, 0, x, 1, y, 1, n, prec);
#else
    slong b;
    (void) prec;
    FY_EL_ZERO(z);
    for (b = 0; b < n; b++)
        FY_EL_ADDMUL(z, x + b, y + b);
#endif
}
#endif

/* rows r0..r0+k-1: out <- in W^T (row stride ld) */
static void TN(gemm_block)(fy_el_ptr out, fy_el_srcptr in, slong k, slong ld, const wmat_t *M,
                           slong prec)
{
#if defined(USE_CBLAS)
    (void) prec;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) k, (int) M->wn, (int) M->wp, 1.0,
                in, (int) ld, M->W, (int) M->wp, 0.0, out, (int) ld);
#else
    slong r, a;
    for (r = 0; r < k; r++)
        for (a = 0; a < M->wn; a++)
            TN(dot)(out + r * ld + a, M->W + a * M->wp, in + r * ld, M->wp, prec);
#endif
}

/* rows rd.. of dst <- rows rs.. of src times W^T (nr rows); in place (dst == src, rd == rs)
 * through a buffer of row blocks (the work's, or with par one per thread) */
static int tab_gemm(tab_t *dst, slong rd, tab_t *src, slong rs, slong nr, const wmat_t *M,
                    work_t *wk, int par, slong prec)
{
    const slong wn = M->wn, ld = src->ld, BR = par ? 256 : BLOCK_ROWS,
                nb = (nr + BR - 1) / BR;
    const int inplace = dst == src;
    int status = FY_OK;
    slong bi;
#if defined(USE_OMP)
#pragma omp parallel if (par && nb > 1 && nr * wn * M->wp > 1000000)
#endif
    {
        fy_el_ptr tmp = wk->tmp;
        slong r, a;
#if defined(USE_OMP)
        if (omp_get_num_threads() > 1 && inplace)
            tmp = vec_new(wk->pool, BR * ld, NULL);
#endif
        (void) a;
#if defined(USE_OMP)
#pragma omp for schedule(dynamic, 1)
#endif
        for (bi = 0; bi < nb; bi++)
        {
            slong r0 = bi * BR, k = nr - r0 < BR ? nr - r0 : BR;
            fy_el_ptr out = inplace ? tmp : ROW(dst, rd + r0);
            if (out == NULL)
            {
                status = FY_ENOMEM;
                continue;
            }
            TN(gemm_block)(out, ROW(src, rs + r0), k, ld, M, prec);
            if (inplace)
                for (r = 0; r < k; r++)
#if defined(FY_BACKEND_D)
                    memcpy(ROW(dst, rd + r0 + r), out + r * ld, sizeof(double) * (size_t) wn);
#else
                    for (a = 0; a < wn; a++)
                        FY_EL_SWAP(ROW(dst, rd + r0 + r) + a, out + r * ld + a);
#endif
        }
        if (tmp != wk->tmp)
            vec_free(wk->pool, tmp, BR * ld);
    }
    return status;
}
static int tab_dot(fy_el_ptr out, tab_t *t, slong r0, slong nr, const wmat_t *M, work_t *wk,
                   slong prec)
{
    (void) wk;
#if defined(USE_CBLAS)
    (void) prec;
    if (nr > 0)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int) nr, (int) M->wp, 1.0, ROW(t, r0),
                    (int) t->ld, M->W, 1, 0.0, out, 1);
#else
    slong i;
    for (i = 0; i < nr; i++)
        TN(dot)(out + i, M->W, ROW(t, r0 + i), M->wp, prec);
#endif
    return FY_OK;
}

/* Rows out + xi ld (xi < nx) <- sum_q gc_q .* rows Pq[q] + xi ld.  An output row may be one of
 * the P rows of the same xi (the result goes through t). */
static void TN(fdb_block)(fy_el_ptr out, slong ld, slong w, slong nx, int nK, fy_el_srcptr *Pq,
                          fy_el_srcptr gc, work_t *wk, slong prec)
{
    slong xi, a;
    int q;
#if defined(FY_BACKEND_D)
    (void) prec;
    for (xi = 0; xi < nx; xi++)
    {
        double *restrict T = wk->t;
        const double *restrict p0 = Pq[0] + xi * ld, *restrict g0 = gc;
        for (a = 0; a < w; a++)
            T[a] = g0[a] * p0[a];
        for (q = 1; q + 2 < nK; q += 3)
        {
            const double *restrict p1 = Pq[q] + xi * ld, *restrict g1 = gc + q * w;
            const double *restrict p2 = Pq[q + 1] + xi * ld, *restrict g2 = g1 + w;
            const double *restrict p3 = Pq[q + 2] + xi * ld, *restrict g3 = g2 + w;
            for (a = 0; a < w; a++)
                T[a] += g1[a] * p1[a] + g2[a] * p2[a] + g3[a] * p3[a];
        }
        for (; q < nK; q++)
        {
            const double *restrict p1 = Pq[q] + xi * ld, *restrict g1 = gc + q * w;
            for (a = 0; a < w; a++)
                T[a] += g1[a] * p1[a];
        }
        memcpy(out + xi * ld, T, sizeof(double) * (size_t) w);
    }
#elif defined(FY_BACKEND_ARB)
    for (xi = 0; xi < nx; xi++)
    {
        for (a = 0; a < w; a++)
        {
            /* shallow copies, read only by arb_dot and never cleared */
            for (q = 0; q < nK; q++)
                wk->gat[q] = Pq[q][xi * ld + a];
            arb_dot(wk->t + a, NULL, 0, gc + a * nK, 1, wk->gat, 1, nK, prec);
        }
        for (a = 0; a < w; a++)
            arb_swap(out + xi * ld + a, wk->t + a);
    }
#else
    (void) prec;
    for (xi = 0; xi < nx; xi++)
    {
        for (a = 0; a < w; a++)
        {
            FY_EL_MUL(wk->t + a, gc + a, Pq[0] + xi * ld + a);
            for (q = 1; q < nK; q++)
                FY_EL_ADDMUL(wk->t + a, gc + q * w + a, Pq[q] + xi * ld + a);
        }
        for (a = 0; a < w; a++)
            FY_EL_SWAP(out + xi * ld + a, wk->t + a);
    }
#endif
}

#endif /* FY_MLP_FX */

/* ------------------------------------------------------------------ the rule over a range
 *
 * Rows Toff + rank(J + x) of T for the J of order j - 1 with ranks in [J0, J1) and every
 * x >= max J:  sum over K of c_K G_{J\K} P_{K+x}, P of order q in table PT[q] at rows
 * Poff[q] + rank, G of order q at rows Goff[q] of G.  par: share the J among threads. */
typedef struct
{
    tab_t *T;
    slong Toff;
    tab_t *PT[MAXN + 2];
    slong Poff[MAXN + 2];
    const tab_t *G;
    const slong *Goff;
} rule_t;

static int TN(rule_J)(const rule_t *ru, const int *J, int j, const fy_mindex_t ix, int dim,
                      slong w, work_t *wk, slong prec)
{
    int kord[FY_MLP_MAXK], nK, q, Jx[MAXN + 1];
    slong rK[FY_MLP_MAXK], rR[FY_MLP_MAXK], cK[FY_MLP_MAXK], row;
    int x0 = j > 1 ? J[j - 2] : 0, p;

    nK = _fy_mlp_submultisets(kord, rK, rR, cK, J, j - 1, x0, ix);
    for (p = 0; p < j - 1; p++)
        Jx[p] = J[p];
    Jx[j - 1] = x0;
    row = ru->Toff + _fy_mlp_rank(ix, Jx, j);
#if defined(FY_MLP_FX)
    {
        const tab_t *A[FY_MLP_MAXK], *B[FY_MLP_MAXK];
        slong ra[FY_MLP_MAXK], rb[FY_MLP_MAXK];
        (void) prec;
        for (q = 0; q < nK; q++)
        {
            A[q] = ru->G;
            ra[q] = ru->Goff[j - kord[q]] + rR[q];
            B[q] = ru->PT[kord[q]];
            rb[q] = ru->Poff[kord[q]] + rK[q];
        }
        return fy_fx_mulsum(ru->T, row, dim - x0, nK, A, ra, B, rb, cK, w, &wk->fx)
                   ? FY_MLP_DECLINE
                   : FY_OK;
    }
#else
    {
        fy_el_srcptr Pq[FY_MLP_MAXK];
        slong a, ld = ru->T->ld;
        for (q = 0; q < nK; q++)
        {
            fy_el_srcptr g = ROW(ru->G, ru->Goff[j - kord[q]] + rR[q]);
            Pq[q] = ROW(ru->PT[kord[q]], ru->Poff[kord[q]] + rK[q]);
            for (a = 0; a < w; a++)
            {
#if defined(FY_BACKEND_ARB)
                fy_el_ptr gq = wk->gc + a * nK + q;
#else
                fy_el_ptr gq = wk->gc + q * w + a;
#endif
                if (cK[q] == 1)
                    FY_EL_SET(gq, g + a);
                else
                    FY_EL_MUL_SI(gq, g + a, cK[q]);
            }
        }
        TN(fdb_block)(ROW(ru->T, row), ld, w, dim - x0, nK, Pq, wk->gc, wk, prec);
        return FY_OK;
    }
#endif
}

static int TN(rule_range)(const rule_t *ru, int j, slong J0, slong J1, const fy_mindex_t ix,
                          int dim, slong w, slong ld, int par, work_t *wk1, slong prec,
                          fy_error_t err)
{
    const slong chunk = 64, nJ = J1 - J0, nchunk = (nJ + chunk - 1) / chunk;
    int status = FY_OK;
    slong ci;

    if (!par || nJ * (dim + 1) * w <= 2000000)
    {
        int J[MAXN + 1];
        slong r;
        if (j > 1)
            fy_mindex_unrank(ix, J, J0, j - 1);
        for (r = J0; r < J1 && status == FY_OK; r++)
        {
            status = TN(rule_J)(ru, J, j, ix, dim, w, wk1, prec);
            if (j > 1)
                fy_multiindex_next(J, dim, j - 1);
        }
        return status;
    }
#if defined(USE_OMP)
#pragma omp parallel
#endif
    {
        work_t wk;
        /* err is not the threads' */
        int st = work_init(&wk, ld, 1 << (j - 1), wk1->pool, NULL);
#if defined(USE_OMP)
#pragma omp for schedule(dynamic, 1)
#endif
        for (ci = 0; ci < nchunk; ci++)
        {
            int J[MAXN + 1];
            slong r = J0 + ci * chunk, r1 = r + chunk < J1 ? r + chunk : J1;
            if (st != FY_OK || status != FY_OK)
                continue;
            if (j > 1)
                fy_mindex_unrank(ix, J, r, j - 1);
            for (; r < r1 && st == FY_OK; r++)
            {
                st = TN(rule_J)(ru, J, j, ix, dim, w, &wk, prec);
                if (j > 1)
                    fy_multiindex_next(J, dim, j - 1);
            }
        }
        if (st != FY_OK)
#if defined(USE_OMP)
#pragma omp critical(fy_mlp_rule_status)
#endif
            status = st;
        work_clear(&wk);
    }
    if (status == FY_ENOMEM)
        fy_error_set(err, FY_ENOMEM, "mlp: out of memory for the scratch rows of a thread");
    return status;
}

/* ------------------------------------------------------------------ the driver */

typedef struct
{
    const fy_mlp_struct *m;
    int dim, n, L, fold;
    slong prec, ld, Elow;
    fy_mindex_struct *ix;
    slong off[MAXN + 2];
    slong goff[MAXN + 2][MAXN + 2];
    slong grows;
    tab_t K;     /* rows 0..dim-1: columns of W1; dim + k - 1: sigma_1^(k), k = 1..n */
    tab_t X;     /* low pass: orders 1..n-1 */
    tab_t *P;    /* P[l], l = 2..L-1: P^(l) of orders 1..n-1 */
    tab_t *G;    /* G[l]: the tables G^(m), m = 1..n, orders 0..n-m */
    wmat_t *W;   /* W[l], l = 2..L (W[L]: the output row) */
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    double *Wk;  /* fold: W^(2) diag(sigma_1^(k)), k = 1..n */
    wmat_t *Mk;
#endif
    double done, total; /* progress */
    fy_mlp_work_struct *pool; /* double: the caller's workspace for the tables, or NULL */
} ctx_t;

static const wmat_t *TN(layer_w)(const ctx_t *c, int l, int k)
{
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    if (c->fold && l == 2)
        return c->Mk + k;
#else
    (void) k;
#endif
    return c->W + l;
}

static void TN(progress)(ctx_t *c, double add)
{
    if (c->m->progress == NULL)
        return;
#if defined(USE_OMP)
#pragma omp atomic
#endif
    c->done += add;
#if defined(USE_OMP)
    if (omp_get_thread_num() == 0)
#endif
        fy_progress_update(c->m->progress, c->done);
}

/* Orders 1..n-1 through every layer in X, keeping P^(l) and the tables G^(m) per layer;
 * their output entries go to out[0 .. Elow). */
static int TN(low_pass)(fy_el_ptr out, ctx_t *c, work_t *wk, fy_error_t err)
{
    const fy_mlp_struct *m = c->m;
    const int n = c->n, dim = c->dim;
    int k, l, mm, j, Ix[MAXN + 1];
    slong r, w1 = m->width[1];
    int status = FY_OK;

    /* layer 1: products of W1 columns, then the vertex values (unless folded into W^(2)) */
    if (n >= 2)
    {
        tab_copy(&c->X, c->off[1], &c->K, 0, dim, w1);
        for (k = 2; k <= n - 1 && status == FY_OK; k++)
        {
            for (l = 0; l < k; l++)
                Ix[l] = 0;
            r = 0;
            do
            {
                slong rJ = c->off[k - 1] + _fy_mlp_rank(c->ix, Ix, k - 1);
                status = tab_mul(&c->X, c->off[k] + r, &c->X, rJ, &c->K, Ix[k - 1], w1, wk,
                                 c->prec);
                r++;
            } while (status == FY_OK && fy_multiindex_next(Ix, dim, k));
        }
        if (!c->fold)
            for (k = 1; k <= n - 1 && status == FY_OK; k++)
                for (r = c->off[k]; r < c->off[k + 1] && status == FY_OK; r++)
                    status = tab_mul(&c->X, r, &c->K, dim + k - 1, &c->X, r, w1, wk, c->prec);
    }
    for (l = 2; l < c->L && status == FY_OK; l++)
    {
        const slong w = m->width[l];
        fy_el_srcptr s = (fy_el_srcptr) m->s[l].v;
        rule_t ru;
        if (c->fold && l == 2)
        {
            for (k = 1; k <= n - 1 && status == FY_OK; k++)
                status = tab_gemm(&c->X, c->off[k], &c->X, c->off[k], c->off[k + 1] - c->off[k],
                                  TN(layer_w)(c, l, k), wk, 1, c->prec);
        }
        else if (c->Elow > 0)
            status = tab_gemm(&c->X, 0, &c->X, 0, c->Elow, TN(layer_w)(c, l, 0), wk, 1, c->prec);
        if (status != FY_OK)
            break;
        tab_copy(c->P + l, 0, &c->X, 0, c->Elow, w);
        /* the tables G^(m): order 0 is sigma^(m), then orders 1..n-m by the rule */
        for (mm = 1; mm <= n && status == FY_OK; mm++)
            if (tab_set(c->G + l, c->goff[mm][0], s + (slong) mm * w, 1, w))
                status = FY_MLP_DECLINE;
        memset(&ru, 0, sizeof ru);
        for (k = 1; k <= n; k++)
        {
            ru.PT[k] = &c->X;
            ru.Poff[k] = c->off[k];
        }
        ru.G = c->G + l;
        for (mm = n - 1; mm >= 1 && status == FY_OK; mm--)
        {
            ru.T = c->G + l;
            ru.Goff = c->goff[mm + 1];
            for (j = 1; j <= n - mm && status == FY_OK; j++)
            {
                ru.Toff = c->goff[mm][j];
                status = TN(rule_range)(&ru, j, 0, fy_mindex_count(c->ix, dim, j - 1), c->ix,
                                        dim, w, c->ld, 1, wk, c->prec, err);
            }
        }
        /* X <- Q in place, orders n-1 down to 1 (an entry reads lower orders, still P) */
        ru.T = &c->X;
        ru.Goff = c->goff[1];
        for (j = n - 1; j >= 1 && status == FY_OK; j--)
        {
            ru.Toff = c->off[j];
            status = TN(rule_range)(&ru, j, 0, fy_mindex_count(c->ix, dim, j - 1), c->ix, dim, w,
                                    c->ld, 1, wk, c->prec, err);
        }
        TN(progress)(c, (double) c->Elow);
    }
    if (status == FY_OK && c->Elow > 0)
        status = tab_dot(out, &c->X, 0, c->Elow, c->W + c->L, wk, c->prec);
    return status;
}

/* Order n, rows [r0, r1) (the J of order n - 1 with ranks [j0, j1)), in C[0..1] (ping-pong
 * buffers of the dense products; row cap of C[0] is scratch); output to out[r0..r1). */
static int TN(top_chunk)(fy_el_ptr out, ctx_t *c, tab_t *C, slong j0, slong j1, slong r0,
                         slong r1, work_t *wk)
{
    const fy_mlp_struct *m = c->m;
    const int n = c->n, dim = c->dim;
    const slong w1 = m->width[1], U = C[0].rows - 1;
    int J[MAXN + 1], l, k, p, cur = 0, status = FY_OK;
    slong jr, row = 0;

    /* layer 1: row J + x = U_J .* (column x of W1), U_J = sigma_1^(n) .* prod_p (column J_p)
     * (without sigma_1^(n) when it is folded into W^(2)) */
    if (n >= 2)
        fy_mindex_unrank(c->ix, J, j0, n - 1);
    for (jr = j0; jr < j1 && status == FY_OK; jr++)
    {
        const int x0 = n >= 2 ? J[n - 2] : 0;
        const tab_t *Ut = &c->K;
        slong Ur = dim + n - 1;
        p = 0;
        if (c->fold && n == 1)
            tab_copy(&C[0], row, &c->K, 0, dim, w1);
        else if (c->fold)
        {
            Ur = J[0];
            p = 1;
        }
        for (; p < n - 1 && status == FY_OK; p++)
        {
            status = tab_mul(&C[0], U, &c->K, J[p], Ut, Ur, w1, wk, c->prec);
            Ut = &C[0];
            Ur = U;
        }
        if (status == FY_OK && !(c->fold && n == 1))
            status = tab_mul_rows(&C[0], row, dim - x0, Ut, Ur, &c->K, x0, w1, wk, c->prec);
        row += dim - x0;
        if (n >= 2)
            fy_multiindex_next(J, dim, n - 1);
    }
    for (l = 2; l < c->L && status == FY_OK; l++)
    {
        rule_t ru;
        status = tab_gemm(&C[1 - cur], 0, &C[cur], 0, r1 - r0, TN(layer_w)(c, l, n), wk, 0,
                          c->prec);
        cur = 1 - cur;
        memset(&ru, 0, sizeof ru);
        for (k = 1; k < n; k++)
        {
            ru.PT[k] = c->P + l;
            ru.Poff[k] = c->off[k];
        }
        ru.PT[n] = &C[cur];
        ru.Poff[n] = -r0;
        ru.T = &C[cur];
        ru.Toff = -r0;
        ru.G = c->G + l;
        ru.Goff = c->goff[1];
        if (status == FY_OK)
            status = TN(rule_range)(&ru, n, j0, j1, c->ix, dim, m->width[l], c->ld, 0, wk,
                                    c->prec, NULL);
    }
    if (status == FY_OK)
        status = tab_dot(out + r0, &C[cur], 0, r1 - r0, c->W + c->L, wk, c->prec);
    return status;
}

static int TN(top_pass)(fy_el_ptr out, ctx_t *c, fy_error_t err)
{
    slong *js = NULL, *rs = NULL, nch = 0, ci, cap = CHUNK_ROWS + c->dim;
    int status;
#if defined(USE_OMP)
    int threads;
#endif

    status = _fy_mlp_chunks(&js, &rs, &nch, c->ix, c->dim, c->n - 1, CHUNK_ROWS, err);
    if (status != FY_OK)
        return status;
#if defined(USE_OMP)
    threads = omp_get_max_threads();
    if (nch < 2)
        threads = 1;
#endif
#if defined(USE_OMP)
#pragma omp parallel num_threads(threads)
#endif
    {
        tab_t C[2];
        work_t wk;
        int st;
        memset(C, 0, sizeof C);
        memset(&wk, 0, sizeof wk);
        /* err is not the threads': allocation failures are reported below */
        st = tab_init(&C[0], cap + 1, c->ld, c->pool, NULL);
        if (st == FY_OK)
            st = tab_init(&C[1], cap, c->ld, c->pool, NULL);
        if (st == FY_OK)
            st = work_init(&wk, c->ld, 1 << (c->n - 1), c->pool, NULL);
#if defined(USE_OMP)
#pragma omp for schedule(dynamic, 1)
#endif
        for (ci = 0; ci < nch; ci++)
        {
            if (st != FY_OK || status != FY_OK)
                continue;
            st = TN(top_chunk)(out + c->Elow, c, C, js[ci], js[ci + 1], rs[ci], rs[ci + 1], &wk);
            TN(progress)(c, (double) (rs[ci + 1] - rs[ci]) * (c->L - 1));
        }
        if (st != FY_OK)
#if defined(USE_OMP)
#pragma omp critical(fy_mlp_top_status)
#endif
            status = st;
        work_clear(&wk);
        tab_clear(&C[0]);
        tab_clear(&C[1]);
    }
    free(js);
    free(rs);
    if (status == FY_ENOMEM)
        fy_error_set(err, FY_ENOMEM, "mlp: out of memory for the chunk rows of a thread");
    return status;
}

static int TN(tensors_impl)(fy_el_ptr out, const fy_mlp_struct *m, fy_el_srcptr W1, int dim,
                            int output, int n, slong prec, fy_mlp_work_struct *pool,
                            fy_error_t err)
{
    ctx_t c;
    fy_mindex_t ix;
    work_t wk;
    slong r, base;
    int k, l, mm, q, status, blas = 0;
    const int L = m->L;

    memset(&c, 0, sizeof c);
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    c.pool = pool;
#else
    (void) pool;
#endif
    status = fy_mindex_init(ix, dim, n, err);
    if (status != FY_OK)
        return status;
    c.m = m;
    c.ix = ix;
    c.dim = dim;
    c.n = n;
    c.L = L;
    c.prec = prec;
    c.off[1] = 0;
    for (k = 1; k <= n; k++)
        c.off[k + 1] = c.off[k] + fy_mindex_count(ix, dim, k);
    c.Elow = c.off[n];
    for (r = 0; r < c.off[n + 1]; r++)
        FY_EL_ZERO(out + r);
    if (L == 1)
    {
        for (r = 0; r < dim; r++)
            FY_EL_SET(out + r, W1 + (slong) output * dim + r);
        fy_mindex_clear(ix);
        return FY_OK;
    }
    c.ld = 1;
    for (l = 1; l < L; l++)
        if (m->width[l] > c.ld)
            c.ld = m->width[l];
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    c.fold = L > 2;
#endif
    /* G table offsets: G^(m) holds orders 0..n-m */
    base = 0;
    for (mm = 1; mm <= n; mm++)
    {
        for (q = 0; q <= n - mm + 1; q++)
            c.goff[mm][q] = base + fy_mindex_offset(ix, q);
        base = c.goff[mm][n - mm + 1];
    }
    c.grows = base;
    if (m->progress != NULL)
    {
        c.total = (double) c.off[n + 1] * (L - 1);
        m->progress->total = c.total > 0 ? c.total : 1;
        fy_progress_update(m->progress, 0.0);
    }

    memset(&wk, 0, sizeof wk);
    c.P = fy_calloc((size_t) L + 1, sizeof(tab_t), err);
    c.G = fy_calloc((size_t) L + 1, sizeof(tab_t), err);
    c.W = fy_calloc((size_t) L + 1, sizeof(wmat_t), err);
    status = c.P && c.G && c.W ? FY_OK : FY_ENOMEM;
    /* weights (fx: declined here when they are not exact doubles) */
    for (l = 2; l <= L && status == FY_OK; l++)
        status = wmat_init(c.W + l, (fy_el_srcptr) m->W[l].v +
                                        (l == L ? (slong) output * m->width[L - 1] : 0),
                           l == L ? 1 : m->width[l], m->width[l - 1], err);
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    if (status == FY_OK && c.fold)
    {
        const slong w = m->width[2], wp = m->width[1];
        const double *s1 = (const double *) m->s[1].v, *W2 = (const double *) m->W[2].v;
        slong a, b;
        c.Wk = c.pool != NULL ? vec_new(c.pool, (n + 1) * w * wp, err)
                              : fy_malloc((size_t) (n + 1) * (size_t) (w * wp), sizeof(double),
                                          err);
        c.Mk = fy_calloc((size_t) n + 1, sizeof(wmat_t), err);
        if (c.Wk == NULL || c.Mk == NULL)
            status = FY_ENOMEM;
        for (k = 1; k <= n && status == FY_OK; k++)
        {
            double *Wk = c.Wk + (slong) k * w * wp;
            for (a = 0; a < w; a++)
                for (b = 0; b < wp; b++)
                    Wk[a * wp + b] = W2[a * wp + b] * s1[(slong) k * wp + b];
            wmat_init(c.Mk + k, Wk, w, wp, err);
        }
    }
#endif
    /* constant rows: W1 columns and the vertex values of layer 1 */
    if (status == FY_OK)
        status = tab_init(&c.K, dim + n + 1, c.ld, c.pool, err);
    for (r = 0; r < dim && status == FY_OK; r++)
        if (tab_set(&c.K, r, W1 + r, dim, m->width[1]))
            status = FY_MLP_DECLINE;
    for (k = 1; k <= n && status == FY_OK; k++)
        if (tab_set(&c.K, dim + k - 1, (fy_el_srcptr) m->s[1].v + (slong) k * m->width[1], 1,
                    m->width[1]))
            status = FY_MLP_DECLINE;
    /* the low pass's tables */
    if (status == FY_OK)
        status = tab_init(&c.X, c.Elow, c.ld, c.pool, err);
    for (l = 2; l < L && status == FY_OK; l++)
    {
        status = tab_init(c.P + l, c.Elow, c.ld, c.pool, err);
        if (status == FY_OK)
            status = tab_init(c.G + l, c.grows, c.ld, c.pool, err);
    }
    if (status == FY_OK)
        status = work_init(&wk, c.ld, 1 << (n - 1), c.pool, err);
#if defined(USE_OMP) && (defined(FY_BACKEND_D) || defined(FY_MLP_FX))
    /* the threads are OpenMP's, over row blocks and chunks; BLAS works in each on one */
    if (omp_get_max_threads() > 1)
        blas = fy_blas_set_threads(1);
#endif
    if (status == FY_OK)
        status = TN(low_pass)(out, &c, &wk, err);
    tab_clear(&c.X);
    if (status == FY_OK)
        status = TN(top_pass)(out, &c, err);

    if (blas > 0)
        fy_blas_set_threads(blas);
    work_clear(&wk);
    tab_clear(&c.K);
    for (l = 2; l < L; l++)
    {
        if (c.P != NULL)
            tab_clear(c.P + l);
        if (c.G != NULL)
            tab_clear(c.G + l);
    }
    for (l = 2; l <= L && c.W != NULL; l++)
        wmat_clear(c.W + l);
#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
    if (c.pool != NULL)
        vec_free(c.pool, c.Wk, 0);
    else
        free(c.Wk);
    free(c.Mk);
#endif
    free(c.P);
    free(c.G);
    free(c.W);
    fy_mindex_clear(ix);
    if (status == FY_MLP_DECLINE && err != NULL)
        fy_error_clear(err);
    return status;
}

int TN(_fy_mlp_tensors)(fy_el_ptr out, const fy_mlp_struct *m, fy_el_srcptr W1, int dim,
                        int output, int n, slong prec, fy_error_t err)
{
    return TN(tensors_impl)(out, m, W1, dim, output, n, prec, NULL, err);
}

#if defined(FY_BACKEND_D) && !defined(FY_MLP_FX)
int _fy_mlp_tensors_pool_d(double *out, const fy_mlp_struct *m, const double *W1, int dim,
                           int output, int n, slong prec, fy_mlp_work_struct *pool,
                           fy_error_t err)
{
    return TN(tensors_impl)(out, m, W1, dim, output, n, prec, pool, err);
}
#endif
