/* Symbolic Taylor tensors: the vertex values kept as symbols.
 *
 * The same layer recursion as taylor_tpl.c (Faa di Bruno by the last slot), over the ring
 * Q[s_{l,a,k}] of FLINT multivariate rational polynomials (fmpq_mpoly), where s_{l,a,k}
 * stands for sigma_l^(k)(z^(l)_a) at the expansion point.  The weights enter as exact
 * rationals; the pre-activations are never needed, so any activation and any point give a
 * result.  Meant for small networks (the polynomials grow fast): refused above
 * FY_MLP_SYMBOLIC_MAX_CELLS polynomials of working storage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp/mlp_internal.h"

#define SYM_MAXK FY_MLP_MAXK

static slong sym_var(const fy_mlp_struct *m, int n, int l, slong a, int k)
{
    slong v = 0;
    int j;
    for (j = 1; j < l; j++)
        v += (slong) m->width[j] * n;
    return v + a * n + (k - 1);
}

int fy_mlp_symbolic_vars(char ***names, slong *nvars, const fy_mlp_t m, int n, fy_error_t err)
{
    slong nv = 0, a, v = 0;
    int l, k;
    char **s;
    for (l = 1; l < m->L; l++)
        nv += (slong) m->width[l] * n;
    s = fy_calloc((size_t) (nv > 0 ? nv : 1), sizeof(char *), err);
    if (s == NULL)
        return FY_ENOMEM;
    for (l = 1; l < m->L; l++)
        for (a = 0; a < m->width[l]; a++)
            for (k = 1; k <= n; k++)
            {
                char buf[64];
                snprintf(buf, sizeof buf, "s_{%d,%ld,%d}", l, (long) a, k);
                s[v] = malloc(strlen(buf) + 1);
                if (s[v] == NULL)
                {
                    for (a = 0; a < v; a++)
                        free(s[a]);
                    free(s);
                    return fy_error_set(err, FY_ENOMEM, "out of memory");
                }
                strcpy(s[v++], buf);
            }
    *names = s;
    *nvars = nv;
    return FY_OK;
}

int fy_mlp_symbolic_tensor(fmpq_mpoly_struct *T, const fy_mlp_t m, int output, int n,
                           const fmpq_mpoly_ctx_t ctx, fy_error_t err)
{
    fy_mindex_t ix;
    slong off[FY_MLP_MAX_TENSOR_ORDER + 2], E, ld = 1, r, a, b, cells;
    int l, k, mm, status, d, L = m->L;
    fmpq_mpoly_struct *X = NULL, *Y = NULL, *G = NULL;
    slong goff[FY_MLP_MAX_TENSOR_ORDER + 2][FY_MLP_MAX_TENSOR_ORDER + 2], grows = 0;
    fmpq_mpoly_t tmp;
    fmpq_t q;

    if (m->arith != FY_ARITH_EXACT)
        return fy_error_set(err, FY_EINPUT, "mlp: symbolic tensors need the exact weights");
    if (n < 1 || n > FY_MLP_MAX_TENSOR_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: symbolic order %d outside 1..%d", n,
                            FY_MLP_MAX_TENSOR_ORDER);
    if (output < 0 || output >= m->width[L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[L] - 1);
    d = m->width[0];
    status = fy_mindex_init(ix, d, n, err);
    if (status != FY_OK)
        return status;
    off[1] = 0;
    for (k = 1; k <= n; k++)
        off[k + 1] = off[k] + fy_mindex_count(ix, d, k);
    E = off[n + 1];
    for (l = 1; l < L; l++)
        if (m->width[l] > ld)
            ld = m->width[l];
    for (mm = 1; mm <= n; mm++)
    {
        for (k = 0; k <= n - mm + 1; k++)
            goff[mm][k] = grows + fy_mindex_offset(ix, k);
        grows = goff[mm][n - mm + 1];
    }
    cells = (2 * E + grows) * ld;
    if (cells > FY_MLP_SYMBOLIC_MAX_CELLS)
    {
        fy_mindex_clear(ix);
        return fy_error_set(err, FY_ENOMEM, "mlp: symbolic tensors of order %d need %ld "
                            "polynomials of working storage (limit %ld); symbolic mode is for "
                            "small networks: use FY_ARITH_EXACT or FY_ARITH_BALL", n, (long) cells,
                            (long) FY_MLP_SYMBOLIC_MAX_CELLS);
    }
    X = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) (E * ld));
    Y = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) (E * ld));
    G = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) (grows * ld + 1));
    for (r = 0; r < E * ld; r++)
    {
        fmpq_mpoly_init(X + r, ctx);
        fmpq_mpoly_init(Y + r, ctx);
    }
    for (r = 0; r < grows * ld; r++)
        fmpq_mpoly_init(G + r, ctx);
    fmpq_mpoly_init(tmp, ctx);
    fmpq_init(q);

    /* P^(1): order 1 is W1, higher orders vanish */
    for (r = 0; r < d; r++)
        for (a = 0; a < m->width[1]; a++)
            fmpq_mpoly_set_fmpq(X + r * ld + a, fy_numvec_fmpq(m->W + 1) + a * d + r, ctx);
    for (l = 1; l < L; l++)
    {
        slong w = m->width[l];
        int j;
        if (l > 1)
        {
            /* P^(l) = W^(l) Q^(l-1) */
            slong wp = m->width[l - 1];
            const fmpq *W = fy_numvec_fmpq(m->W + l);
            for (r = 0; r < E; r++)
                for (a = 0; a < w; a++)
                {
                    fmpq_mpoly_zero(X + r * ld + a, ctx);
                    for (b = 0; b < wp; b++)
                        if (!fmpq_is_zero(W + a * wp + b))
                        {
                            fmpq_mpoly_scalar_mul_fmpq(tmp, Y + r * ld + b, W + a * wp + b, ctx);
                            fmpq_mpoly_add(X + r * ld + a, X + r * ld + a, tmp, ctx);
                        }
                }
        }
        /* G^(m)_{} = s_{l,a,m}; then the tables and Q into Y */
        for (mm = 1; mm <= n; mm++)
            for (a = 0; a < w; a++)
                fmpq_mpoly_gen(G + goff[mm][0] * ld + a, sym_var(m, n, l, a, mm), ctx);
        for (mm = n - 1; mm >= 0; mm--)
            for (j = 1; j <= n - mm; j++)
            {
                int I[FY_MLP_MAX_TENSOR_ORDER + 1], oK[SYM_MAXK], t, nK;
                slong rP[SYM_MAXK], rG[SYM_MAXK], cK[SYM_MAXK];
                slong cnt = fy_mindex_count(ix, d, j);
                for (r = 0; r < cnt; r++)
                {
                    fmpq_mpoly_struct *dst;
                    fy_mindex_unrank(ix, I, r, j);
                    nK = _fy_mlp_submultisets(oK, rP, rG, cK, I, j - 1, I[j - 1], ix);
                    for (a = 0; a < w; a++)
                    {
                        dst = mm == 0 ? Y + (off[j] + r) * ld + a
                                      : G + (goff[mm][j] + r) * ld + a;
                        fmpq_mpoly_zero(dst, ctx);
                        for (t = 0; t < nK; t++)
                        {
                            fmpq_mpoly_mul(tmp, G + (goff[mm + 1][j - oK[t]] + rG[t]) * ld + a,
                                           X + (off[oK[t]] + rP[t]) * ld + a, ctx);
                            if (cK[t] != 1)
                                fmpq_mpoly_scalar_mul_si(tmp, tmp, cK[t], ctx);
                            fmpq_mpoly_add(dst, dst, tmp, ctx);
                        }
                    }
                }
            }
    }
    /* output row: F = W^(L)_o Q^(L-1); T gets the order-n entries */
    {
        slong wp = m->width[L - 1], cnt = fy_mindex_count(ix, d, n);
        const fmpq *W = fy_numvec_fmpq(m->W + L) + (slong) output * wp;
        for (r = 0; r < cnt; r++)
        {
            fmpq_mpoly_zero(T + r, ctx);
            if (L == 1)
            {
                if (n == 1)
                    fmpq_mpoly_set_fmpq(T + r, W + r, ctx);
                continue;
            }
            for (b = 0; b < wp; b++)
                if (!fmpq_is_zero(W + b))
                {
                    fmpq_mpoly_scalar_mul_fmpq(tmp, Y + (off[n] + r) * ld + b, W + b, ctx);
                    fmpq_mpoly_add(T + r, T + r, tmp, ctx);
                }
        }
    }
    for (r = 0; r < E * ld; r++)
    {
        fmpq_mpoly_clear(X + r, ctx);
        fmpq_mpoly_clear(Y + r, ctx);
    }
    for (r = 0; r < grows * ld; r++)
        fmpq_mpoly_clear(G + r, ctx);
    flint_free(X);
    flint_free(Y);
    flint_free(G);
    fmpq_mpoly_clear(tmp, ctx);
    fmpq_clear(q);
    fy_mindex_clear(ix);
    return FY_OK;
}
