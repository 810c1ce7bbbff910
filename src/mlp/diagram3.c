/* Full Taylor tensors of orders 2, 3 and 4 by the diagram factorisation (issue 16), double.
 *
 * The diagrams of order n (MATH.md 1.3) are the rooted trees with n labelled leaves whose
 * vertices (hidden neurons) have at least two children.  Every such tree has a lowest vertex
 * whose children are all leaves; grouping the diagrams by it turns the sum into symmetrised
 * low-rank terms over the hidden neurons a (layer p), with
 *     v_a = row a of D^(p,0) (the gradient of z^(p)_a),   g_a = D^(L,p)_{output,a},
 *     s_k = sigma_p^(k)(z^(p)_a),
 *     t_a = sum_{q > p} sum_b D^(q,p)_{ba} g_b s2_b v_b,
 * all upper sums over q > p done by one backward accumulation per quantity,
 *     Acc^(p) = W_(p+1)^T [C^(p+1) + diag(s1^(p+1)) Acc^(p+1)],   Acc^(H) = 0,
 * which gives sum_{q>p} D^(q,p)^T C^(q) for any per-neuron rows C^(q).
 *
 *   order 2:  d^2F = sum_a g_a s2_a v_a v_a                                  (one 2-vertex)
 *   order 3:  d^3F = sum_a Sym[ g_a s3_a v_a^3 + s2_a (t_a v_a v_a) ]       (3-vertex; chain)
 *             as one product R = X U over all i and pairs j <= k:
 *             X (d x 2N) = [g s3 v + s2 t | s2 v],  U (2N x P) = [v_j v_k ; t_j v_k + t_k v_j]
 *   order 4:  d^4F_ijkl = sum_a sum over the 6 places of a pair: (v_a v_a)[pair] Q_a[rest],
 *             Q_a = (g_a s4_a/6) v_a v_a + (s3_a/3)(t_a v_a + v_a t_a) + s2_a S_a,
 *             S_a = sum_{q>p} sum_b D^(q,p)_{ba} B_b,
 *             B_b = g_b s3_b v_b v_b + s2_b (t_b v_b + v_b t_b) + (1/2) g_b s2_b Hz_b,
 *             Hz_b the Hessian of z_b (Hz^(q) = W_q [S'^(q-1) Hz^(q-1) + S''^(q-1) vv^(q-1)]).
 *             The five tree shapes: the 4-vertex (alpha v^4), the 3-vertex over a 2-vertex
 *             (first term of B), the 2-vertex over a 3-vertex (the t_a term of Q), the chain
 *             of three 2-vertices (the t_b term of B) and a 2-vertex over two 2-vertices
 *             (the Hessian term of B, half of it since either lower vertex can be the one
 *             grouped).  With G = VV^T Q + Q^T VV (pairs x pairs; VV, Q: N x P),
 *             d^4F_ijkl = G[ij,kl] + G[ik,jl] + G[il,jk], computed in blocks of the rows (i, .)
 *             against the columns of pairs starting at (i, i), about d^4/8 x 2N multiply-adds.
 * N hidden neurons in all, P = d(d+1)/2 pairs.  Against the fused recursion's d^n W^2 per layer
 * and order: order 3 about 20x fewer operations, order 4 about 10x. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

/* Working memory of the lowest-vertex factorisation (double, orders 2..4). */
static size_t factorised_bytes(const fy_mlp_t m, int n)
{
    double N = 0, maxw = 1, d = m->L >= 1 ? m->width[0] : 0, P = d * (d + 1) / 2, el;
    int p;
    for (p = 1; p < m->L; p++)
    {
        N += m->width[p];
        maxw = m->width[p] > maxw ? m->width[p] : maxw;
    }
    el = 3 * N * d + N + maxw * (n == 4 ? P : d);
    el += n == 2 ? d * d + N * d : n == 3 ? 2 * N * d + 2 * N * P + d * P : 4 * N * P + d * P;
    el *= sizeof(double);
    return el >= (double) SIZE_MAX ? SIZE_MAX : (size_t) el;
}

/* Bytes per entry of the arithmetic, as the tables hold them (balls above two limbs and
 * rationals own more memory: an estimate). */
static double entry_bytes(const fy_mlp_t m)
{
    if (m->arith == FY_ARITH_DOUBLE)
        return sizeof(double);
    if (m->arith == FY_ARITH_BALL)
        return sizeof(arb_struct) + (m->prec > 128 ? (double) m->prec / 8 : 0);
    return sizeof(fmpq) + 32;
}

size_t fy_mlp_tensor_spine_bytes(const fy_mlp_t m, int n)
{
    double rows = 1, grows = 0, t = 1, N = 0, maxw = 1, d = m->L >= 1 ? m->width[0] : 0, el;
    int p, j, k;
    if (n < 1 || m->L < 2)
        return 0;
    /* rows of orders 0..j: C(d + j, j) */
    for (j = 1; j < n; j++)
    {
        t = t * (d + j - 1) / j; /* C(d + j - 1, j), order j */
        rows += t;
    }
    for (k = 1; k <= n; k++) /* G^(k): orders 0..n-k */
    {
        double r = 1, tt = 1;
        for (j = 1; j <= n - k; j++)
        {
            tt = tt * (d + j - 1) / j;
            r += tt;
        }
        grows += r;
    }
    for (p = 1; p < m->L; p++)
    {
        N += m->width[p];
        maxw = m->width[p] > maxw ? m->width[p] : maxw;
    }
    el = N * (rows + grows) + 3 * rows * maxw + 1024 * d;
    el *= entry_bytes(m);
    return el >= (double) SIZE_MAX ? SIZE_MAX : (size_t) el;
}

int fy_mlp_tensor_diagrams_factorised(const fy_mlp_t m, int n)
{
#ifdef FY_HAVE_CBLAS
    return m->arith == FY_ARITH_DOUBLE && n >= 2 && n <= FY_MLP_FACTORISED_MAX_ORDER;
#else
    (void) m, (void) n;
    return 0;
#endif
}

size_t fy_mlp_tensor_diagrams_bytes(const fy_mlp_t m, int n)
{
    return fy_mlp_tensor_diagrams_factorised(m, n) ? factorised_bytes(m, n)
                                                   : fy_mlp_tensor_spine_bytes(m, n);
}

int fy_mlp_tensor_diagrams_applies(const fy_mlp_t m, int n)
{
    return n >= 2 && n <= FY_MLP_DIAGRAM_MAX_ORDER && m->order >= n && m->L >= 1 &&
           m->L - 1 <= FY_MLP_DIAGRAM_MAX_LAYERS &&
           fy_mlp_tensor_diagrams_bytes(m, n) <= m->max_bytes;
}

/* T fitted to m's arithmetic, dimension width[0] and order n (re-made unless it fits). */
static int fit_tensor(fy_symtensor_t T, const fy_mlp_t m, int n, fy_error_t err)
{
    if (T->e.arith == m->arith && T->dim == m->width[0] && T->order == n &&
        (m->arith != FY_ARITH_BALL || T->e.prec == m->prec))
        return FY_OK;
    fy_symtensor_clear(T);
    return fy_symtensor_init(T, m->arith, m->width[0], n, m->prec, err);
}

int fy_mlp_tensor_spine(fy_symtensor_t T, const fy_mlp_t m, int output, int n,
                        fy_mlp_work_struct *w, fy_error_t err)
{
    int status;
    if (n < 1 || n > FY_MLP_MAX_TENSOR_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: the spine route takes orders 1..%d, not %d",
                            FY_MLP_MAX_TENSOR_ORDER, n);
    if (m->order < n)
        return fy_error_set(err, FY_EINPUT, "mlp: order %d needs vertex values to order %d "
                            "(fy_mlp_set_point)", n, n);
    if (output < 0 || output >= m->width[m->L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[m->L] - 1);
    if (m->L - 1 > FY_MLP_DIAGRAM_MAX_LAYERS)
        return fy_error_set(err, FY_EUNSUPPORTED, "mlp: the spine route takes up to %d hidden "
                            "layers, the network has %d (use fy_mlp_tensor)",
                            FY_MLP_DIAGRAM_MAX_LAYERS, m->L - 1);
    if (fy_mlp_tensor_spine_bytes(m, n) > m->max_bytes)
        return fy_error_set(err, FY_ENOMEM, "mlp: the order-%d spine route needs about %.3g GB "
                            "of working memory, above the limit of %.3g GB (fy_memory_limit_set)",
                            n, (double) fy_mlp_tensor_spine_bytes(m, n) / 1e9,
                            (double) m->max_bytes / 1e9);
    status = fit_tensor(T, m, n, err);
    if (status != FY_OK)
        return status;
    if (m->arith == FY_ARITH_DOUBLE)
    {
        status = _fy_mlp_spine_d(fy_numvec_d(&T->e), m, output, n, m->prec, w, err);
        return status != FY_OK ? status : fy_mlp_double_finite(&T->e, "diagrams", n, err);
    }
    if (m->arith == FY_ARITH_BALL)
        return _fy_mlp_spine_arb(fy_numvec_arb(&T->e), m, output, n, m->prec, NULL, err);
    return _fy_mlp_spine_fmpq(fy_numvec_fmpq(&T->e), m, output, n, m->prec, NULL, err);
}

#ifdef FY_HAVE_CBLAS
#include <cblas.h>

/* C (r x c) = A (r x k) B (k x c), row-major, or C += with beta 1; transA: A stored k x r. */
static void mm(double *C, const double *A, const double *B, int r, int k, int c, double beta,
               int transA)
{
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, r, c, k, 1.0,
                A, transA ? r : k, B, c, beta, C, c);
}

/* The working state of one call: per-layer quantities stored as N-row matrices, layer p's
 * neurons at rows noff[p] .. noff[p] + width[p] - 1. */
typedef struct
{
    const fy_mlp_struct *m;
    fy_mlp_work_struct *ws;
    int L, H, d, maxw;
    slong N, P, noff[FY_MLP_DIAGRAM_MAX_LAYERS + 2];
    double *V, *g, *t, *tmp;
    void *blocks[24];
    int nblocks, failed;
} dg_t;

/* Zeroed blocks from the workspace when there is one, else calloc'ed; remembered for done(). */
static double *blk(dg_t *c, slong count)
{
    size_t bytes = sizeof(double) * (size_t) (count > 0 ? count : 1);
    void *p = NULL;
    if (c->nblocks < (int) (sizeof c->blocks / sizeof c->blocks[0]))
        p = c->ws != NULL ? _fy_mlp_pool_get(c->ws, bytes) : calloc(1, bytes);
    if (p == NULL)
        c->failed = 1;
    else
        c->blocks[c->nblocks++] = p;
    return p;
}

static void done(dg_t *c)
{
    int i;
    for (i = 0; i < c->nblocks; i++)
        if (c->ws != NULL)
            _fy_mlp_pool_put(c->ws, c->blocks[i]);
        else
            free(c->blocks[i]);
    c->nblocks = 0;
}

static const double *sk(const dg_t *c, int p, int k)
{
    return fy_numvec_d(c->m->s + p) + (slong) k * c->m->width[p];
}

static slong pair_rank(slong j, slong k, slong d)
{
    return j * d - j * (j - 1) / 2 + (k - j);
}

/* V = D^(p,0) for every hidden layer (N x d), g = D^(L,p)_{output,.} (N). */
static void forward_v_and_g(dg_t *c, int output)
{
    const fy_mlp_struct *m = c->m;
    slong a, i, j, d = c->d;
    int p;
    memcpy(c->V, fy_numvec_d(m->W + 1), sizeof(double) * (size_t) (m->width[1] * d));
    for (p = 2; p <= c->H; p++)
    {
        slong wp = m->width[p - 1];
        const double *s1 = sk(c, p - 1, 1), *Vp = c->V + c->noff[p - 1] * d;
        for (a = 0; a < wp; a++)
            for (i = 0; i < d; i++)
                c->tmp[a * d + i] = s1[a] * Vp[a * d + i];
        mm(c->V + c->noff[p] * d, fy_numvec_d(m->W + p), c->tmp, m->width[p], (int) wp,
           (int) d, 0.0, 0);
    }
    memcpy(c->g + c->noff[c->H], fy_numvec_d(m->W + c->L) + (slong) output * m->width[c->H],
           sizeof(double) * (size_t) m->width[c->H]);
    for (p = c->H - 1; p >= 1; p--)
    {
        slong w = m->width[p], wn = m->width[p + 1];
        const double *s1 = sk(c, p + 1, 1), *Wn = fy_numvec_d(m->W + p + 1);
        double *gp = c->g + c->noff[p], *gn = c->g + c->noff[p + 1];
        for (a = 0; a < w; a++)
            gp[a] = 0;
        for (j = 0; j < wn; j++)
        {
            double f = gn[j] * s1[j];
            for (a = 0; a < w; a++)
                gp[a] += f * Wn[j * w + a];
        }
    }
}

/* Acc^(p) = sum_{q > p} D^(q,p)^T C^(q) for every hidden layer (both N x cols; c->tmp holds
 * maxw x cols). */
static void back_acc(dg_t *c, double *Acc, const double *C, slong cols)
{
    const fy_mlp_struct *m = c->m;
    slong b, i;
    int p;
    memset(Acc + c->noff[c->H] * cols, 0, sizeof(double) * (size_t) (m->width[c->H] * cols));
    for (p = c->H - 1; p >= 1; p--)
    {
        slong wn = m->width[p + 1];
        const double *s1 = sk(c, p + 1, 1), *Cn = C + c->noff[p + 1] * cols,
                     *An = Acc + c->noff[p + 1] * cols;
        for (b = 0; b < wn; b++)
            for (i = 0; i < cols; i++)
                c->tmp[b * cols + i] = Cn[b * cols + i] + s1[b] * An[b * cols + i];
        mm(Acc + c->noff[p] * cols, fy_numvec_d(m->W + p + 1), c->tmp, m->width[p], (int) wn,
           (int) cols, 0.0, 1);
    }
}

/* t (N x d): the chains above each neuron, Acc of C^(q) = diag(g s2) V^(q). */
static void upper_t(dg_t *c, double *C)
{
    slong a, i, d = c->d;
    int p;
    for (p = 1; p <= c->H; p++)
    {
        const double *s2 = sk(c, p, 2);
        for (a = 0; a < c->m->width[p]; a++)
        {
            slong r = c->noff[p] + a;
            double f = c->g[r] * s2[a];
            for (i = 0; i < d; i++)
                C[r * d + i] = f * c->V[r * d + i];
        }
    }
    back_acc(c, c->t, C, d);
}

/* Packs the upper triangle of a symmetric d x d matrix into T's order-2 entries. */
static void order2(dg_t *c, double *out)
{
    slong a, i, j, r, d = c->d;
    double *H = blk(c, d * d), *C = blk(c, c->N * d);
    int p;
    if (c->failed)
        return;
    for (p = 1; p <= c->H; p++)
    {
        const double *s2 = sk(c, p, 2);
        for (a = 0; a < c->m->width[p]; a++)
        {
            slong q = c->noff[p] + a;
            double f = c->g[q] * s2[a];
            for (i = 0; i < d; i++)
                C[q * d + i] = f * c->V[q * d + i];
        }
    }
    mm(H, c->V, C, (int) d, (int) c->N, (int) d, 0.0, 1);
    for (i = 0, r = 0; i < d; i++)
        for (j = i; j < d; j++, r++)
            out[r] = H[i * d + j];
}

static void order3(dg_t *c, double *out)
{
    slong N = c->N, P = c->P, d = c->d, a, i, j, k, r, E;
    double *X = blk(c, d * 2 * N), *U = blk(c, 2 * N * P), *R = blk(c, d * P);
    int p, idx[3] = {0, 0, 0};
    if (c->failed)
        return;
    for (p = 1; p <= c->H; p++)
    {
        const double *s2 = sk(c, p, 2), *s3 = sk(c, p, 3);
        for (a = 0; a < c->m->width[p]; a++)
        {
            slong q = c->noff[p] + a;
            const double *v = c->V + q * d, *tt = c->t + q * d;
            double al = c->g[q] * s3[a], be = s2[a];
            double *u1 = U + q * P, *u2 = U + (N + q) * P;
            for (i = 0; i < d; i++)
            {
                X[i * 2 * N + q] = al * v[i] + be * tt[i];
                X[i * 2 * N + N + q] = be * v[i];
            }
            for (j = 0, r = 0; j < d; j++)
                for (k = j; k < d; k++, r++)
                {
                    u1[r] = v[j] * v[k];
                    u2[r] = tt[j] * v[k] + tt[k] * v[j];
                }
        }
    }
    mm(R, X, U, (int) d, (int) (2 * N), (int) P, 0.0, 0);
    E = d * (d + 1) * (d + 2) / 6;
    for (r = 0; r < E; r++)
    {
        out[r] = R[(slong) idx[0] * P + pair_rank(idx[1], idx[2], d)];
        fy_multiindex_next(idx, (int) d, 3);
    }
}

/* Q (N x P) of the order-4 factorisation; VV (N x P) the packed v_a v_a. */
static void order4_q(dg_t *c, double *Q, double *VV)
{
    const fy_mlp_struct *m = c->m;
    slong P = c->P, d = c->d, a, j, k, r;
    double *Hz = blk(c, c->N * P), *tv = blk(c, c->N * P);
    int p;
    if (c->failed)
        return;
    for (a = 0; a < c->N; a++)
    {
        const double *v = c->V + a * d, *tt = c->t + a * d;
        for (j = 0, r = 0; j < d; j++)
            for (k = j; k < d; k++, r++)
            {
                VV[a * P + r] = v[j] * v[k];
                tv[a * P + r] = tt[j] * v[k] + tt[k] * v[j];
            }
    }
    /* Hessians of z^(q): Hz^(1) = 0 (zeroed block) */
    for (p = 2; p <= c->H; p++)
    {
        slong wp = m->width[p - 1];
        const double *s1 = sk(c, p - 1, 1), *s2 = sk(c, p - 1, 2);
        const double *Hp = Hz + c->noff[p - 1] * P, *VVp = VV + c->noff[p - 1] * P;
        for (a = 0; a < wp; a++)
            for (r = 0; r < P; r++)
                c->tmp[a * P + r] = s1[a] * Hp[a * P + r] + s2[a] * VVp[a * P + r];
        mm(Hz + c->noff[p] * P, fy_numvec_d(m->W + p), c->tmp, m->width[p], (int) wp, (int) P,
           0.0, 0);
    }
    /* B in place of Hz, layer by layer (every Hz is made) */
    for (p = 1; p <= c->H; p++)
    {
        const double *s2 = sk(c, p, 2), *s3 = sk(c, p, 3);
        for (a = 0; a < m->width[p]; a++)
        {
            slong q = c->noff[p] + a;
            double f3 = c->g[q] * s3[a], f2 = s2[a], fh = 0.5 * c->g[q] * s2[a];
            double *B = Hz + q * P;
            const double *vv = VV + q * P, *t2 = tv + q * P;
            for (r = 0; r < P; r++)
                B[r] = f3 * vv[r] + f2 * t2[r] + fh * B[r];
        }
    }
    back_acc(c, Q, Hz, P);
    for (p = 1; p <= c->H; p++)
    {
        const double *s2 = sk(c, p, 2), *s3 = sk(c, p, 3), *s4 = sk(c, p, 4);
        for (a = 0; a < m->width[p]; a++)
        {
            slong q = c->noff[p] + a;
            double f4 = c->g[q] * s4[a] / 6, f3 = s3[a] / 3, f2 = s2[a];
            double *Qa = Q + q * P;
            const double *vv = VV + q * P, *t2 = tv + q * P;
            for (r = 0; r < P; r++)
                Qa[r] = f4 * vv[r] + f3 * t2[r] + f2 * Qa[r];
        }
    }
}

static void order4(dg_t *c, double *out)
{
    slong N = c->N, P = c->P, d = c->d, i, j, k, l, o = 0;
    double *VV = blk(c, N * P), *Q = blk(c, N * P), *G = blk(c, d * P);
    if (c->failed)
        return;
    order4_q(c, Q, VV);
    if (c->failed)
        return;
    for (i = 0; i < d; i++)
    {
        slong c0 = pair_rank(i, i, d), nr = d - i, nc = P - c0;
        /* G (nr x nc) = VV[:, rows]^T Q[:, cols] + Q[:, rows]^T VV[:, cols] */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int) nr, (int) nc, (int) N, 1.0,
                    VV + c0, (int) P, Q + c0, (int) P, 0.0, G, (int) nc);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int) nr, (int) nc, (int) N, 1.0,
                    Q + c0, (int) P, VV + c0, (int) P, 1.0, G, (int) nc);
        for (j = i; j < d; j++)
        {
            const double *Gj = G + (j - i) * nc;
            for (k = j; k < d; k++)
            {
                const double *Gk = G + (k - i) * nc;
                slong rjk = pair_rank(j, k, d) - c0;
                for (l = k; l < d; l++)
                    out[o++] = Gj[pair_rank(k, l, d) - c0] + Gk[pair_rank(j, l, d) - c0] +
                               G[(l - i) * nc + rjk];
            }
        }
    }
}

/* The lowest-vertex factorisation (double, orders 2..4, CBLAS). */
static int factorised(fy_symtensor_t T, const fy_mlp_t m, int output, int n,
                      fy_mlp_work_struct *ws, fy_error_t err)
{
    dg_t c;
    int p, status;

    if (m->order < n)
        return fy_error_set(err, FY_EINPUT, "mlp: order %d needs vertex values to order %d "
                            "(fy_mlp_set_point)", n, n);
    if (output < 0 || output >= m->width[m->L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[m->L] - 1);
    if (m->L - 1 > FY_MLP_DIAGRAM_MAX_LAYERS)
        return fy_error_set(err, FY_EUNSUPPORTED, "mlp: the diagram factorisation takes up "
                            "to %d hidden layers, the network has %d (use fy_mlp_tensor)",
                            FY_MLP_DIAGRAM_MAX_LAYERS, m->L - 1);
    if (factorised_bytes(m, n) > m->max_bytes)
        return fy_error_set(err, FY_ENOMEM, "mlp: the order-%d diagram factorisation needs "
                            "about %.3g GB of working memory, above the limit of %.3g GB "
                            "(fy_memory_limit_set)", n, (double) factorised_bytes(m, n) / 1e9,
                            (double) m->max_bytes / 1e9);
    if (T->e.arith != FY_ARITH_DOUBLE || T->dim != m->width[0] || T->order != n)
    {
        fy_symtensor_clear(T);
        status = fy_symtensor_init(T, FY_ARITH_DOUBLE, m->width[0], n, 53, err);
        if (status != FY_OK)
            return status;
    }
    memset(&c, 0, sizeof c);
    c.m = m;
    c.ws = ws;
    c.L = m->L;
    c.H = m->L - 1;
    c.d = m->width[0];
    c.P = (slong) c.d * (c.d + 1) / 2;
    if (c.H < 1)
    {
        memset(fy_numvec_d(&T->e), 0, sizeof(double) * (size_t) T->e.len);
        return FY_OK; /* an affine map: no vertices */
    }
    c.maxw = 1;
    for (p = 1; p <= c.H; p++)
    {
        c.noff[p] = c.N;
        c.N += m->width[p];
        c.maxw = m->width[p] > c.maxw ? m->width[p] : c.maxw;
    }
    c.V = blk(&c, c.N * c.d);
    c.g = blk(&c, c.N);
    c.t = blk(&c, c.N * c.d);
    c.tmp = blk(&c, (slong) c.maxw * (n == 4 ? (c.P > c.d ? c.P : c.d) : c.d));
    if (!c.failed)
    {
        forward_v_and_g(&c, output);
        if (n == 2)
            order2(&c, fy_numvec_d(&T->e));
        else
        {
            double *C = blk(&c, c.N * c.d);
            if (!c.failed)
                upper_t(&c, C);
            if (!c.failed)
                (n == 3 ? order3 : order4)(&c, fy_numvec_d(&T->e));
        }
    }
    done(&c);
    if (c.failed)
        return fy_error_set(err, FY_ENOMEM, "mlp: out of memory in the order-%d diagram "
                            "factorisation (d = %d, %ld hidden neurons)", n, c.d, (long) c.N);
    return fy_mlp_double_finite(&T->e, "diagrams", n, err);
}

#endif

int fy_mlp_tensor_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output, int n,
                           fy_mlp_work_struct *w, fy_error_t err)
{
    if (n < 2 || n > FY_MLP_DIAGRAM_MAX_ORDER)
        return fy_error_set(err, FY_EUNSUPPORTED, "mlp: the diagram routes cover whole "
                            "tensors of orders 2..%d, not %d (use fy_mlp_tensor)",
                            FY_MLP_DIAGRAM_MAX_ORDER, n);
#ifdef FY_HAVE_CBLAS
    if (fy_mlp_tensor_diagrams_factorised(m, n))
        return factorised(T, m, output, n, w, err);
#endif
    return fy_mlp_tensor_spine(T, m, output, n, w, err);
}

int fy_mlp_tensor3_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output,
                            fy_mlp_work_struct *w, fy_error_t err)
{
    return fy_mlp_tensor_diagrams(T, m, output, 3, w, err);
}
