/* Template (included by spine_{d,arb,fmpq}.c): the whole order-n derivative tensor of one MLP
 * output by the diagrams grouped along their spine (issue 16), any order, every arithmetic.
 *
 * Every diagram of order n (MATH.md 1.3: a rooted tree with n labelled leaves, its vertices
 * hidden neurons with at least two children) has one path from the leaf of the first slot i
 * up to the output, its spine.  The spine enters layer 1 through W^(1)_{a i} and climbs
 * through one neuron per layer; the subtrees hanging off a spine vertex at neuron a of layer p
 * are the lower-order derivatives of z^(p)_a, and the rest of the tree above it is carried by
 * the spine.  Summed, the spine vertex contributes sigma_p^(1+r)(z_a) times r subtrees:
 * the derivatives of sigma_p'(z^(p)_a) by Faa di Bruno.  So, with the adjoint
 *     lambda^(p)_a = sigma_p'(z^(p)_a) mu^(p)_a,   mu^(p) = W^(p+1)^T lambda^(p+1),
 *     mu^(H)_a = W^(L)_{output, a}  (H = L - 1 hidden layers),
 * (lambda^(p) = dF/dz^(p), a function of x), the grouped sum is
 *     d^n F_{i J} = sum_a W^(1)_{a i} d_J lambda^(1)_a,            |J| = n - 1,
 * and d_J lambda^(p) follows from Leibniz's rule over the sub-multisets K of J,
 *     d_J lambda^(p) = sum_K c_K  d_{J\K}[sigma_p'(z^(p))] .* d_K mu^(p),
 * d_K mu^(p) = (d_K lambda^(p+1)) W^(p+1): one dense product per layer over all multi-indices
 * of orders 0..n-1 (dgemm in double).  The tables d_J[sigma^(k)(z^(p))] =: G^(k)_J come from
 * the forward pass by Faa di Bruno's rule by the last slot (mlp_internal.h),
 *     G^(k)_{J+x} = sum over K of c_K G^(k+1)_{J\K} P_{K+x},   P^(p)_J = d_J z^(p),
 * with P^(1) = the columns of W^(1) and P^(p+1) = G^(0)(z^(p)) W^(p+1)^T for orders >= 1.
 * Only orders below n are ever tabulated (C(d + n - 2, n - 1) multi-indices per neuron,
 * about n/d of the tensor per neuron); order n is the last product, written straight into
 * the result by sorted multi-index (i <= min J).
 *
 * Against the fused recursion (order n carried through every layer: a d^n W^2 / n! product
 * per layer) this does two products of (d^{n-1}/(n-1)!) W^2 per layer, about d/(2n) times
 * fewer, and in balls and exact rationals the same sums with fewer terms. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#define SP_CBLAS 1
#endif

#define SPN FY_MLP_MAX_TENSOR_ORDER
#define SP(name) FY_CAT(name, FY_SUFFIX)
/* rows of a block of the final product (double) */
#define SP_BLOCK 1024

typedef struct
{
    const fy_mlp_struct *m;
    const fy_mindex_struct *ix;
    int d, n, mo, H, L, maxw;
    slong off[SPN + 3]; /* first row of order j (orders 0..mo+1) */
    slong rows;         /* rows of orders 0..mo */
    slong goff[SPN + 3]; /* first row of G^(k), k = 1..mo+1 (orders 0..mo+1-k each) */
    slong grows;
    fy_el_ptr P[FY_MLP_DIAGRAM_MAX_LAYERS + 1], G[FY_MLP_DIAGRAM_MAX_LAYERS + 1];
    fy_el_ptr Q, A, B, t;
    fy_el_struct *sh; /* shallow copies (balls), never cleared */
    slong nt, prec;
    fy_mlp_work_struct *pool;
} SP(sp);

#include "mlp/vec_tpl.h"

/* C (r x c) = A (r x k, row stride lda) B, B stored k x c (transB 0) or c x k (transB 1). */
static void SP(sp_gemm)(fy_el_ptr C, slong ldc, fy_el_srcptr A, slong lda, fy_el_srcptr B,
                        slong r, slong k, slong c, int transB, slong prec)
{
    slong i, j;
    if (r < 1 || c < 1)
        return;
#if defined(SP_CBLAS)
    (void) i, (void) j, (void) prec;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int) r,
                (int) c, (int) k, 1.0, A, (int) lda, B, transB ? (int) k : (int) c, 0.0, C,
                (int) ldc);
#elif defined(FY_BACKEND_ARB)
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
            arb_dot(C + i * ldc + j, NULL, 0, A + i * lda, 1, transB ? B + j * k : B + j, transB
                    ? 1 : c, k, prec);
#else
    (void) prec;
    for (i = 0; i < r; i++)
        for (j = 0; j < c; j++)
        {
            slong a;
            FY_EL_ZERO(C + i * ldc + j);
            for (a = 0; a < k; a++)
                FY_EL_ADDMUL(C + i * ldc + j, A + i * lda + a, transB ? B + j * k + a
                                                                     : B + a * c + j);
        }
#endif
}

static fy_el_srcptr SP(sp_s)(const SP(sp) *c, int p, int k)
{
    return (fy_el_srcptr) c->m->s[p].v + (slong) k * c->m->width[p];
}

/* out[a] = sum_q cK[q] g[q][a] x[q][a], a < w (t: scratch of (nK + 2) x w elements; balls:
 * one arb_dot per neuron over the scaled rows, as the fused recursion does) */
static void SP(sp_rule)(fy_el_ptr out, int nK, fy_el_srcptr const *g, fy_el_srcptr const *x,
                        const slong *cK, slong w, fy_el_ptr t, fy_el_struct *sh, slong prec)
{
    slong a;
    int q;
#if defined(FY_BACKEND_D)
    double *restrict o = out;
    (void) t, (void) sh, (void) prec;
    for (a = 0; a < w; a++)
        o[a] = (double) cK[0] * g[0][a] * x[0][a];
    for (q = 1; q + 2 < nK; q += 3)
    {
        const double *restrict g1 = g[q], *restrict x1 = x[q], *restrict g2 = g[q + 1],
                               *restrict x2 = x[q + 1], *restrict g3 = g[q + 2],
                               *restrict x3 = x[q + 2];
        const double c1 = (double) cK[q], c2 = (double) cK[q + 1], c3 = (double) cK[q + 2];
        for (a = 0; a < w; a++)
            o[a] += c1 * g1[a] * x1[a] + c2 * g2[a] * x2[a] + c3 * g3[a] * x3[a];
    }
    for (; q < nK; q++)
    {
        const double *restrict g1 = g[q], *restrict x1 = x[q];
        const double c1 = (double) cK[q];
        for (a = 0; a < w; a++)
            o[a] += c1 * g1[a] * x1[a];
    }
#elif defined(FY_BACKEND_ARB)
    /* t: nK x w scaled rows; sh: 2 nK shallow copies (read by arb_dot, never cleared) */
    arb_struct *su = sh, *sv = sh + nK;
    for (q = 0; q < nK; q++)
        if (cK[q] != 1)
            for (a = 0; a < w; a++)
                arb_mul_si(t + q * w + a, g[q] + a, cK[q], prec);
    for (a = 0; a < w; a++)
    {
        for (q = 0; q < nK; q++)
        {
            su[q] = cK[q] == 1 ? g[q][a] : t[q * w + a];
            sv[q] = x[q][a];
        }
        arb_dot(out + a, NULL, 0, su, 1, sv, 1, nK, prec);
    }
#else
    (void) prec, (void) sh;
    for (a = 0; a < w; a++)
        FY_EL_ZERO(out + a);
    for (q = 0; q < nK; q++)
        for (a = 0; a < w; a++)
        {
            if (cK[q] == 1)
                FY_EL_ADDMUL(out + a, g[q] + a, x[q] + a);
            else
            {
                FY_EL_MUL_SI(t + a, g[q] + a, cK[q]);
                FY_EL_ADDMUL(out + a, t + a, x[q] + a);
            }
        }
#endif
}

/* Layer p's tables: P (orders 1..mo; order 1 from W^(1) at p = 1, else made by the caller), the
 * G^(k) (k = 1..mo+1) and, when Q is wanted (p < H), Q = G^(0) of orders 1..mo. */
static void SP(sp_layer)(SP(sp) *c, int p, int wantQ)
{
    const fy_mindex_struct *ix = c->ix;
    const slong w = c->m->width[p], prec = c->prec;
    fy_el_ptr P = c->P[p], G = c->G[p];
    int mi[SPN + 1], kord[FY_MLP_MAXK], j, k, q, nK;
    slong rK[FY_MLP_MAXK], rR[FY_MLP_MAXK], cK[FY_MLP_MAXK], r, a, E;
    fy_el_srcptr gp[FY_MLP_MAXK], xp[FY_MLP_MAXK];

    for (k = 1; k <= c->mo + 1; k++)
        for (a = 0; a < w; a++)
            FY_EL_SET(G + c->goff[k] * w + a, SP(sp_s)(c, p, k) + a);
    for (j = 1; j <= c->mo; j++)
    {
        E = c->off[j + 1] - c->off[j];
        for (q = 0; q < j; q++)
            mi[q] = 0;
        for (r = 0; r < E; r++, fy_multiindex_next(mi, c->d, j))
        {
            nK = _fy_mlp_submultisets(kord, rK, rR, cK, mi, j - 1, mi[j - 1], ix);
            for (q = 0; q < nK; q++)
                xp[q] = P + (c->off[kord[q]] + rK[q]) * w;
            for (k = wantQ ? 0 : 1; k <= c->mo + 1 - j; k++)
            {
                fy_el_ptr out = k == 0 ? c->Q + (c->off[j] + r) * w
                                       : G + (c->goff[k] + c->off[j] + r) * w;
                for (q = 0; q < nK; q++)
                    gp[q] = G + (c->goff[k + 1] + c->off[j - kord[q]] + rR[q]) * w;
                SP(sp_rule)(out, nK, gp, xp, cK, w, c->t, c->sh, prec);
            }
        }
    }
}

/* Lambda = d_J lambda^(p) for orders 0..mo into c->A from mu's derivatives in c->B. */
static void SP(sp_back)(SP(sp) *c, int p)
{
    const slong w = c->m->width[p], prec = c->prec;
    fy_el_srcptr G1 = c->G[p] + c->goff[1] * w;
    int mi[SPN + 1], kord[FY_MLP_MAXK], j, q, nK;
    slong rK[FY_MLP_MAXK], rR[FY_MLP_MAXK], cK[FY_MLP_MAXK], r, E;
    fy_el_srcptr gp[FY_MLP_MAXK], xp[FY_MLP_MAXK];

    for (j = 0; j <= c->mo; j++)
    {
        E = c->off[j + 1] - c->off[j];
        for (q = 0; q < j; q++)
            mi[q] = 0;
        for (r = 0; r < E; r++, fy_multiindex_next(mi, c->d, j))
        {
            nK = _fy_mlp_leibniz(kord, rK, rR, cK, mi, j, c->ix);
            for (q = 0; q < nK; q++)
            {
                gp[q] = G1 + (c->off[j - kord[q]] + rR[q]) * w;
                xp[q] = c->B + (c->off[kord[q]] + rK[q]) * w;
            }
            SP(sp_rule)(c->A + (c->off[j] + r) * w, nK, gp, xp, cK, w, c->t, c->sh,
                        prec);
        }
    }
}

/* out[rank(i, J)] = sum_a W^(1)_{a i} (d_J lambda^(1))_a for |J| = mo and i <= min J. */
static int SP(sp_final)(fy_el_ptr out, SP(sp) *c, fy_error_t err)
{
    const slong w = c->m->width[1], d = c->d, E = c->off[c->mo + 1] - c->off[c->mo];
    fy_el_srcptr W1 = (fy_el_srcptr) c->m->W[1].v, L = c->A + c->off[c->mo] * w;
    const slong prec = c->prec;
    int mi[SPN + 1], q;
    slong r, i;
    for (q = 0; q <= c->mo; q++)
        mi[q] = 0;
#if defined(SP_CBLAS)
    {
        slong nb = E < SP_BLOCK ? E : SP_BLOCK, r0;
        double *R = vec_new(c->pool, nb * d, err);
        if (R == NULL)
            return FY_ENOMEM;
        (void) prec;
        for (r0 = 0; r0 < E; r0 += nb)
        {
            slong k = E - r0 < nb ? E - r0 : nb;
            SP(sp_gemm)(R, d, L + r0 * w, w, W1, k, w, d, 0, prec);
            for (r = 0; r < k; r++, fy_multiindex_next(mi + 1, c->d, c->mo))
            {
                slong top = c->mo > 0 ? mi[1] : d - 1;
                for (i = 0; i <= top; i++)
                {
                    mi[0] = (int) i;
                    out[_fy_mlp_rank(c->ix, mi, c->n)] = R[r * d + i];
                }
            }
        }
        vec_free(c->pool, R, nb * d);
    }
#else
    (void) err, (void) prec;
    for (r = 0; r < E; r++, fy_multiindex_next(mi + 1, c->d, c->mo))
    {
        slong top = c->mo > 0 ? mi[1] : d - 1;
        for (i = 0; i <= top; i++)
        {
            fy_el_ptr o;
            mi[0] = (int) i;
            o = out + _fy_mlp_rank(c->ix, mi, c->n);
#if defined(FY_BACKEND_ARB)
            arb_dot(o, NULL, 0, L + r * w, 1, W1 + i, d, w, prec);
#else
            {
                slong a;
                FY_EL_ZERO(o);
                for (a = 0; a < w; a++)
                    FY_EL_ADDMUL(o, L + r * w + a, W1 + a * d + i);
            }
#endif
        }
    }
#endif
    return FY_OK;
}

static void SP(sp_clear)(SP(sp) *c)
{
    int p;
    for (p = 1; p <= c->H; p++)
    {
        vec_free(c->pool, c->P[p], c->rows * c->m->width[p]);
        vec_free(c->pool, c->G[p], c->grows * c->m->width[p]);
    }
    vec_free(c->pool, c->Q, c->rows * c->maxw);
    vec_free(c->pool, c->A, c->rows * c->maxw);
    vec_free(c->pool, c->B, c->rows * c->maxw);
    vec_free(c->pool, c->t, c->nt);
    free(c->sh);
}

/* The forward pass (every layer's P and G) and the backward pass down to lambda^(1). */
static void SP(sp_passes)(SP(sp) *c, int output)
{
    const fy_mlp_struct *m = c->m;
    const slong prec = c->prec;
    slong a, i;
    int p;
    fy_el_srcptr W1 = (fy_el_srcptr) m->W[1].v;
    for (i = 0; i < c->d && c->mo >= 1; i++)
        for (a = 0; a < m->width[1]; a++)
            FY_EL_SET(c->P[1] + (c->off[1] + i) * m->width[1] + a, W1 + a * c->d + i);
    for (p = 1; p <= c->H; p++)
    {
        SP(sp_layer)(c, p, p < c->H);
        if (p < c->H && c->mo >= 1) /* P^(p+1), orders 1..mo */
            SP(sp_gemm)(c->P[p + 1] + c->off[1] * m->width[p + 1], m->width[p + 1],
                        c->Q + c->off[1] * m->width[p], m->width[p],
                        (fy_el_srcptr) m->W[p + 1].v, c->rows - c->off[1], m->width[p],
                        m->width[p + 1], 1, prec);
    }
    /* mu^(H): the output row at order 0, higher orders zero */
    for (a = 0; a < c->rows * c->maxw; a++)
        FY_EL_ZERO(c->B + a);
    for (a = 0; a < m->width[c->H]; a++)
        FY_EL_SET(c->B + a, (fy_el_srcptr) m->W[c->L].v + (slong) output * m->width[c->H] + a);
    for (p = c->H; p >= 1; p--)
    {
        SP(sp_back)(c, p);
        if (p > 1)
            SP(sp_gemm)(c->B, m->width[p - 1], c->A, m->width[p], (fy_el_srcptr) m->W[p].v,
                        c->rows, m->width[p], m->width[p - 1], 0, prec);
    }
}

int SP(_fy_mlp_spine)(fy_el_ptr out, const fy_mlp_struct *m, int output, int n, slong prec,
                      fy_mlp_work_struct *pool, fy_error_t err)
{
    SP(sp) c;
    fy_mindex_t ix;
    int p, j, k, status;
    slong E;

    memset(&c, 0, sizeof c);
    if (n < 1 || n > SPN || m->L - 1 > FY_MLP_DIAGRAM_MAX_LAYERS)
        return fy_error_set(err, FY_EINPUT, "mlp: the spine route takes orders 1..%d and up "
                            "to %d hidden layers", SPN, FY_MLP_DIAGRAM_MAX_LAYERS);
    status = fy_mindex_init(ix, m->width[0], n, err);
    if (status != FY_OK)
        return status;
    E = fy_mindex_count(ix, m->width[0], n); /* every entry is written by sp_final */
    c.m = m;
    c.pool = pool;
    c.ix = ix;
    c.d = m->width[0];
    c.n = n;
    c.mo = n - 1;
    c.H = m->L - 1;
    c.L = m->L;
    c.prec = prec;
    if (c.H < 1)
    {
        for (k = 0; k < E; k++)
            FY_EL_ZERO(out + k);
        fy_mindex_clear(ix);
        return FY_OK; /* an affine map: no vertices, order >= 2 vanishes */
    }
    for (j = 0; j <= c.mo + 2; j++)
        c.off[j] = fy_mindex_offset(ix, j);
    c.rows = c.off[c.mo + 1];
    for (k = 1; k <= c.mo + 1; k++)
    {
        c.goff[k] = c.grows;
        c.grows += c.off[c.mo + 2 - k];
    }
    c.maxw = 1;
    for (p = 1; p <= c.H; p++)
        c.maxw = m->width[p] > c.maxw ? m->width[p] : c.maxw;
    status = FY_OK;
    for (p = 1; p <= c.H && status == FY_OK; p++)
    {
        c.P[p] = vec_new(c.pool, c.rows * m->width[p], err);
        c.G[p] = vec_new(c.pool, c.grows * m->width[p], err);
        if (c.P[p] == NULL || c.G[p] == NULL)
            status = FY_ENOMEM;
    }
    if (status == FY_OK)
    {
        c.Q = vec_new(c.pool, c.rows * c.maxw, err);
        c.A = vec_new(c.pool, c.rows * c.maxw, err);
        c.B = vec_new(c.pool, c.rows * c.maxw, err);
        c.nt = ((slong) 1 << c.mo) * c.maxw;
        c.t = vec_new(c.pool, c.nt, err);
        c.sh = fy_calloc((size_t) 2 << c.mo, sizeof(fy_el_struct), err);
        if (c.Q == NULL || c.A == NULL || c.B == NULL || c.t == NULL || c.sh == NULL)
            status = FY_ENOMEM;
    }
    if (status == FY_OK)
    {
        SP(sp_passes)(&c, output);
        status = SP(sp_final)(out, &c, err);
    }
    SP(sp_clear)(&c);
    fy_mindex_clear(ix);
    return status;
}
