/* The order-3 tensor by the diagram factorisation (issue 16), double arithmetic.
 *
 * The order-3 diagrams (MATH.md 1.3) are a 3-vertex at layer p, and a 2-vertex at p feeding
 * a 2-vertex at m > p (3 labellings).  With v_a the row a of D^(p,0) (the gradient of
 * z^(p)_a), g^(p) the row D^(L,p)_{output,.}, both grouped by the lower vertex (p, a):
 *     d^3F_{ijk} = sum_{p,a} [ alpha_a v_ai v_aj v_ak
 *                              + beta_a (t_ai v_aj v_ak + v_ai t_aj v_ak + v_ai v_aj t_ak) ],
 *     alpha_a = g^(p)_a sigma_p'''(z_a),  beta_a = sigma_p''(z_a),
 *     t_a = sum_{m > p} sum_b g^(m)_b sigma_m''(z_b) D^(m,p)_{ba} v_b  (a vector of length d),
 * a sum of symmetrised rank-1 terms over the hidden neurons.  For all i and all pairs j <= k
 * it is one product R = X U with X (d x 2N) = [alpha v + beta t | beta v] and U (2N x pairs) =
 * [v_j v_k ; t_j v_k + t_k v_j] (N hidden neurons), about d N d^2 multiply-adds in one dgemm
 * instead of the layer recursion's d^3 W^2 per layer. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

#ifdef FY_HAVE_CBLAS
#include <cblas.h>

/* C (r x c) = A (r x k) B (k x c), row-major, or C += with beta 1. */
static void mm(double *C, const double *A, const double *B, int r, int k, int c, double beta,
               int transA)
{
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, CblasNoTrans, r, c, k, 1.0,
                A, transA ? r : k, B, c, beta, C, c);
}

/* Zeroed blocks from the workspace when there is one, else calloc'ed. */
static void *blk(fy_mlp_work_struct *w, size_t bytes)
{
    return w != NULL ? _fy_mlp_pool_get(w, bytes) : calloc(1, bytes ? bytes : 1);
}
static void unblk(fy_mlp_work_struct *w, void *p)
{
    if (w != NULL)
        _fy_mlp_pool_put(w, p);
    else
        free(p);
}

int fy_mlp_tensor3_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output,
                            fy_mlp_work_struct *ws, fy_error_t err)
{
    const int L = m->L, H = L - 1, d = m->width[0];
    int p, q, status, idx[3];
    slong a, i, j, k, N = 0, P = (slong) d * (d + 1) / 2, r, E;
    double **V = NULL, **g = NULL, **t = NULL, *X = NULL, *U = NULL, *R = NULL, *D = NULL,
           *tmp = NULL, *cv = NULL;
    slong *noff = NULL;
    int maxw = 1;

    if (m->arith != FY_ARITH_DOUBLE)
        return fy_error_set(err, FY_EUNSUPPORTED, "mlp: the order-3 diagram route is double "
                            "arithmetic only (use fy_mlp_tensor for balls and exact values)");
    if (m->order < 3)
        return fy_error_set(err, FY_EINPUT, "mlp: order 3 needs vertex values to order 3 "
                            "(fy_mlp_set_point)");
    if (output < 0 || output >= m->width[L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[L] - 1);
    fy_symtensor_clear(T);
    status = fy_symtensor_init(T, FY_ARITH_DOUBLE, d, 3, 53, err);
    if (status != FY_OK || H < 1)
        return status;
    for (p = 1; p <= H; p++)
        maxw = m->width[p] > maxw ? m->width[p] : maxw;
    V = calloc((size_t) L + 1, sizeof *V);
    g = calloc((size_t) L + 1, sizeof *g);
    t = calloc((size_t) L + 1, sizeof *t);
    noff = calloc((size_t) L + 1, sizeof *noff);
    if (!V || !g || !t || !noff)
        goto nomem;
    for (p = 1; p <= H; p++)
    {
        noff[p] = N;
        N += m->width[p];
    }
    /* V[p] = D^(p,0) (w_p x d): V[1] = W1, V[p] = W_p S^(p-1) V[p-1] */
    for (p = 1; p <= H; p++)
    {
        slong w = m->width[p], wp = m->width[p - 1];
        V[p] = blk(ws, sizeof(double) * (size_t) (w * d));
        t[p] = blk(ws, sizeof(double) * (size_t) (w * d));
        if (!V[p] || !t[p])
            goto nomem;
        if (p == 1)
            memcpy(V[1], fy_numvec_d(m->W + 1), sizeof(double) * (size_t) (w * d));
        else
        {
            const double *s1 = fy_numvec_d(m->s + p - 1) + wp;
            double *SV = malloc(sizeof(double) * (size_t) (wp * d));
            if (!SV)
                goto nomem;
            for (a = 0; a < wp; a++)
                for (i = 0; i < d; i++)
                    SV[a * d + i] = s1[a] * V[p - 1][a * d + i];
            mm(V[p], fy_numvec_d(m->W + p), SV, (int) w, (int) wp, d, 0.0, 0);
            free(SV);
        }
    }
    /* g[p] = D^(L,p)_{output,.}: g[H] = W_L[output], g[p] = (g[p+1] .* s'(p+1)) W_(p+1) */
    for (p = H; p >= 1; p--)
    {
        slong w = m->width[p];
        g[p] = calloc((size_t) w, sizeof(double));
        if (!g[p])
            goto nomem;
        if (p == H)
            memcpy(g[p], fy_numvec_d(m->W + L) + (slong) output * w, sizeof(double) * w);
        else
        {
            slong wn = m->width[p + 1];
            const double *s1 = fy_numvec_d(m->s + p + 1) + wn, *Wn = fy_numvec_d(m->W + p + 1);
            for (j = 0; j < wn; j++)
            {
                double c = g[p + 1][j] * s1[j];
                for (a = 0; a < w; a++)
                    g[p][a] += c * Wn[j * w + a];
            }
        }
    }
    /* t[p] = sum_{q > p} D^(q,p)^T diag(g[q] s''(q)) V[q]; D^(q,p) built upwards from p */
    D = blk(ws, sizeof(double) * (size_t) maxw * maxw);
    tmp = blk(ws, sizeof(double) * (size_t) maxw * (size_t) (maxw > d ? maxw : d));
    if (!D || !tmp)
        goto nomem;
    for (p = 1; p < H; p++)
    {
        slong w = m->width[p];
        for (q = p + 1; q <= H; q++)
        {
            slong wq = m->width[q], wq1 = m->width[q - 1];
            const double *s2 = fy_numvec_d(m->s + q) + 2 * wq;
            if (q == p + 1)
                memcpy(D, fy_numvec_d(m->W + q), sizeof(double) * (size_t) (wq * w));
            else
            {
                /* D <- W_q S^(q-1) D (D was wq1 x w) */
                const double *s1 = fy_numvec_d(m->s + q - 1) + wq1;
                for (a = 0; a < wq1; a++)
                    for (i = 0; i < w; i++)
                        tmp[a * w + i] = s1[a] * D[a * w + i];
                mm(D, fy_numvec_d(m->W + q), tmp, (int) wq, (int) wq1, (int) w, 0.0, 0);
            }
            /* tmp (wq x d) = diag(g s'') V[q]; t[p] += D^T tmp */
            for (j = 0; j < wq; j++)
                for (i = 0; i < d; i++)
                    tmp[j * d + i] = g[q][j] * s2[j] * V[q][j * d + i];
            mm(t[p], D, tmp, (int) w, (int) wq, d, 1.0, 1);
        }
    }
    /* X (d x 2N), U (2N x P), R = X U (d x P) */
    X = blk(ws, sizeof(double) * (size_t) d * (size_t) (2 * N));
    U = blk(ws, sizeof(double) * (size_t) (2 * N) * (size_t) P);
    R = blk(ws, sizeof(double) * (size_t) d * (size_t) P);
    if (!X || !U || !R)
        goto nomem;
    for (p = 1; p <= H; p++)
    {
        slong w = m->width[p];
        const double *s2 = fy_numvec_d(m->s + p) + 2 * w, *s3 = s2 + w;
        for (a = 0; a < w; a++)
        {
            const double *v = V[p] + a * d, *tt = t[p] + a * d;
            double al = g[p][a] * s3[a], be = s2[a];
            double *u1 = U + (noff[p] + a) * P, *u2 = U + (N + noff[p] + a) * P;
            for (i = 0; i < d; i++)
            {
                X[i * 2 * N + noff[p] + a] = al * v[i] + be * tt[i];
                X[i * 2 * N + N + noff[p] + a] = be * v[i];
            }
            for (j = 0, r = 0; j < d; j++)
                for (k = j; k < d; k++, r++)
                {
                    u1[r] = v[j] * v[k];
                    u2[r] = tt[j] * v[k] + tt[k] * v[j];
                }
        }
    }
    mm(R, X, U, d, (int) (2 * N), (int) P, 0.0, 0);
    /* entries i <= j <= k in rank order */
    E = T->e.len;
    idx[0] = idx[1] = idx[2] = 0;
    cv = fy_numvec_d(&T->e);
    for (r = 0; r < E; r++)
    {
        slong jk = (slong) idx[1] * d - (slong) idx[1] * (idx[1] - 1) / 2 + (idx[2] - idx[1]);
        cv[r] = R[(slong) idx[0] * P + jk];
        fy_multiindex_next(idx, d, 3);
    }
    status = FY_OK;
    goto done;
nomem:
    status = fy_error_set(err, FY_ENOMEM, "mlp: out of memory in the order-3 diagram route");
done:
    for (p = 0; p <= L; p++)
    {
        if (V && V[p])
            unblk(ws, V[p]);
        if (g)
            free(g[p]);
        if (t && t[p])
            unblk(ws, t[p]);
    }
    free(V);
    free(g);
    free(t);
    free(noff);
    if (X)
        unblk(ws, X);
    if (U)
        unblk(ws, U);
    if (R)
        unblk(ws, R);
    if (D)
        unblk(ws, D);
    if (tmp)
        unblk(ws, tmp);
    return status;
}

#else

int fy_mlp_tensor3_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output,
                            fy_mlp_work_struct *w, fy_error_t err)
{
    (void) T, (void) m, (void) output, (void) w;
    return fy_error_set(err, FY_EUNSUPPORTED, "mlp: the order-3 diagram route needs CBLAS");
}

#endif
