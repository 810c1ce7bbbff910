/* Template (included by taylor_{d,arb,fmpq}.c): forward pass, propagators and directional
 * Taylor coefficients of an MLP.  The whole symmetric tensors are in tensors_tpl.c. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mlp/mlp_internal.h"

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
