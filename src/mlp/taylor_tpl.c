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

/* S'(h) = p(S(h)) with S(0) = A[0] given: fills the Taylor coefficients A[1..n] of S by
 * (k+1) A[k+1] = [h^k] p(S), keeping [h^k] S^j for j = 1..deg p (pw, (n+1) per power):
 * O(deg p n^2) operations on numbers of the size of the coefficients themselves (about
 * r^-k for the radius of convergence r), so nothing overflows that the result does not. */
static void FY_FN(closure_series)(fy_el_ptr A, const fmpq_poly_t p, int n, int absval,
                                  slong prec)
{
    slong dp = fmpq_poly_degree(p), j, i;
    fy_el_ptr pc, pw;
    fy_el_t acc;
    int k;

    (void) prec;
    if (dp < 0)
    {
        for (k = 1; k <= n; k++)
            FY_EL_ZERO(A + k);
        return;
    }
    pc = FY_VEC_INIT(dp + 1);
    pw = FY_VEC_INIT((dp + 1) * (n + 1));
    FY_EL_INIT(acc);
    for (j = 0; j <= dp; j++)
    {
        fmpq_t cj;
        fmpq_init(cj);
        fmpq_poly_get_coeff_fmpq(cj, p, j);
        if (absval)
            fmpq_abs(cj, cj);
        FY_EL_SET_FMPQ(pc + j, cj);
        fmpq_clear(cj);
    }
    FY_EL_ONE(pw); /* S^0 = 1 */
    for (k = 0; k < n; k++)
    {
        /* [h^k] S^j from A[0..k] and [h^{<=k}] S^{j-1} */
        for (j = 1; j <= dp; j++)
        {
            fy_el_ptr z = pw + j * (n + 1) + k;
            fy_el_srcptr prev = pw + (j - 1) * (n + 1);
            FY_EL_ZERO(z);
            for (i = 0; i <= k; i++)
                FY_EL_ADDMUL(z, A + i, prev + (k - i));
        }
        FY_EL_ZERO(acc);
        for (j = 0; j <= dp; j++)
            FY_EL_ADDMUL(acc, pc + j, pw + j * (n + 1) + k);
        FY_EL_DIV_SI(A + k + 1, acc, k + 1);
    }
    FY_EL_CLEAR(acc);
    FY_VEC_CLEAR(pc, dp + 1);
    FY_VEC_CLEAR(pw, (dp + 1) * (n + 1));
}

/* A[0..n]: the Taylor coefficients sigma^(k)(z)/k! of layer l's activation at neuron a, in
 * scaled form.  sigma^(k)(z) itself grows like k! r^-k (tanh^(164)(1/2) is about 1e292, the
 * vertex polynomial P_164 has coefficients far beyond double) while sigma^(k)(z)/k! stays of
 * the size of the result, so the Taylor recurrence of the activation's differential equation
 * is run on the scaled coefficients: closure sigma' = p(sigma), antiderivative sigma' = base
 * with base' = p(base), Hermite sigma' = g, g' = -2 (z + h) g.  Polynomial, cycle and piecewise
 * linear activations divide the (bounded or finitely many) derivatives by k!. */
static void FY_FN(act_scaled)(fy_el_ptr A, const fy_mlp_struct *m, int l, slong a, int n,
                              slong prec)
{
    const fy_activation_struct *act = m->act + l;
    slong w = m->width[l];
    fy_el_srcptr s = (fy_el_srcptr) m->s[l].v;
    int k;

    FY_EL_SET(A, s + a);
    if (n == 0)
        return;
    if (act->def == FY_ACT_CLOSURE)
    {
        FY_FN(closure_series)(A, act->p, n, m->abs_terms, prec);
        return;
    }
    if (act->def == FY_ACT_ANTIDERIVATIVE || act->def == FY_ACT_HERMITE)
    {
        /* g = sigma'(z + h) = sum B[k] h^k, then A[k] = B[k-1] / k */
        fy_el_ptr B = FY_VEC_INIT(n);
        FY_EL_SET(B, s + w + a);
        if (act->def == FY_ACT_ANTIDERIVATIVE)
            FY_FN(closure_series)(B, act->p, n - 1, m->abs_terms, prec);
        else
        {
            fy_el_t t, z;
            FY_EL_INIT(t);
            FY_EL_INIT(z);
            FY_EL_SET(z, (fy_el_srcptr) m->z[l].v + a);
            if (m->abs_terms && FY_EL_GET_D(z) < 0)
                FY_EL_NEG(z, z);
            for (k = 0; k + 1 < n; k++)
            {
                /* (k+1) B[k+1] = -2 z B[k] - 2 B[k-1] (absolute: +2) */
                FY_EL_MUL(t, z, B + k);
                if (k > 0)
                    FY_EL_ADD(t, t, B + k - 1);
                FY_EL_MUL_SI(t, t, m->abs_terms ? 2 : -2);
                FY_EL_DIV_SI(B + k + 1, t, k + 1);
            }
            FY_EL_CLEAR(t);
            FY_EL_CLEAR(z);
        }
        for (k = 1; k <= n; k++)
            FY_EL_DIV_SI(A + k, B + k - 1, k);
        FY_VEC_CLEAR(B, n);
        return;
    }
    {
        fy_el_t f;
        FY_EL_INIT(f);
        FY_EL_ONE(f);
        for (k = 1; k <= n; k++)
        {
            FY_EL_DIV_SI(f, f, k);
            if (act->def == FY_ACT_POLYNOMIAL && fy_activation_last_nonzero(act) < k)
                FY_EL_ZERO(A + k);
            else
                FY_EL_MUL(A + k, s + (slong) k * w + a, f);
        }
        FY_EL_CLEAR(f);
    }
}

int FY_FN(_fy_mlp_directional)(fy_el_ptr c, const fy_mlp_struct *m, fy_el_srcptr v, int output,
                               int n, slong prec, fy_error_t err)
{
    int L = m->L, l, k, j;
    slong a, w, wp, d = m->width[0];
    fy_el_ptr Y, Z, q, t, u1, A;

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
    /* Y[a*(n+1)+k]: Taylor coefficients of y^(l)_a(t), k = 1..n.  Layer 1: A_k u^k with
     * A_k = sigma^(k)(z)/k! (act_scaled). */
    Y = FY_VEC_INIT(w * (n + 1));
    A = FY_VEC_INIT(n + 1);
    for (a = 0; a < w; a++)
    {
        fy_el_t pw;
        FY_EL_INIT(pw);
        FY_EL_ONE(pw);
        FY_FN(act_scaled)(A, m, 1, a, n, prec);
        for (k = 1; k <= n; k++)
        {
            FY_EL_MUL(pw, pw, u1 + a);
            FY_EL_MUL(Y + a * (n + 1) + k, pw, A + k);
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
        /* y = sigma(z0 + u) = sum_k A_k u^k by Horner: q = A_n; q = A_k + u q, degree n - k */
        Y = FY_VEC_INIT(w * (n + 1));
        for (a = 0; a < w; a++)
        {
            fy_el_srcptr u = Z + a * (n + 1); /* u[0] unused (zero) */
            int deg;
            FY_FN(act_scaled)(A, m, l, a, n, prec);
            FY_EL_SET(q, A + n);
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
                FY_EL_SET(q, A + k);
                for (j = 1; j <= deg; j++)
                    FY_EL_SET(q + j, t + j);
            }
            for (k = 1; k <= n; k++)
                FY_EL_SET(Y + a * (n + 1) + k, q + k);
        }
        FY_VEC_CLEAR(Z, arows * (n + 1));
    }
    FY_VEC_CLEAR(q, n + 1);
    FY_VEC_CLEAR(t, n + 1);
    FY_VEC_CLEAR(A, n + 1);
    return FY_OK;
}
