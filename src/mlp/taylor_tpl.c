/* Template (included by taylor_{d,arb,fmpq}.c): forward pass, propagators and directional
 * Taylor coefficients of an MLP.  The whole symmetric tensors are in tensors_tpl.c. */
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include "config.h"
#include "mlp/mlp_internal.h"

#if defined(FY_BACKEND_D) && defined(FY_HAVE_CBLAS)
#include <cblas.h>
#define USE_CBLAS 1
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

static int FY_FN(vertices)(fy_mlp_struct *m, int l, int order, slong prec, fy_error_t err);

int FY_FN(_fy_mlp_forward)(fy_mlp_struct *m, int order, slong prec, fy_error_t err)
{
    int l, status;
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
        status = FY_FN(vertices)(m, l, order, prec, err);
        if (status != FY_OK)
            return status;
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

/* ------------------------------------------------------------------ activation series
 *
 * y(t) = sigma(z + u(t)) for a series u with u(0) = 0, by the activation's differential
 * equation (MATH.md 1.7) run as a recurrence on Taylor coefficients: with y' = g u',
 *     k y_k = sum_{j=1}^{k} j u_j g_{k-j},
 * and g = sigma'(z + u) itself given by a differential equation:
 *   closure         g = p(y)                          (the powers y^j kept as series);
 *   antiderivative  g = b, b' = p(b) u'                (b = base(z + u), b_0 = sigma'(z));
 *   hermite         g' = g e', e = -(2 z u + u^2)      (g = A exp(-(z + u)^2), g_0 = sigma'(z));
 *   chain           y = F_0, F_i' = F_{i+1} u'         (cycle of n functions: F_n = F_0;
 *                   polynomial of degree q: F_q constant; piecewise linear: F_1 = sigma'(z)).
 * O(n^2) operations per neuron (times the degree of p or the chain's length), on numbers of
 * the size of the coefficients themselves: sigma^(k) grows like k! r^-k while sigma^(k)/k!
 * stays of the size of the result, so nothing overflows that the result does not.  With
 * u = t the coefficients are the scaled vertex values sigma^(k)(z)/k! (fy_mlp_set_point).
 * With m->abs_terms the same recurrences run on |p|, |z| and e = 2|z|u + u^2: the series of
 * the sums of |terms| (the caller makes W, s and the direction absolute). */

typedef struct
{
    const fy_activation_struct *act;
    fy_el_ptr pc; /* the coefficients of p (closure, antiderivative), |.| under abs_terms */
    slong dp;     /* degree of p (-1: p = 0) */
    int nf;       /* chain: functions F_0..F_{nf-1} (at most n + 1) */
    int closed;   /* chain: F_nf = F_0 (a whole cycle) */
    int absval;
} FY_FN(actser_t);

/* z = sum_{i < len} x[i] y[-i]: the convolution sums (y points at the last term). */
static void FY_FN(conv)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y, slong len, slong prec)
{
#if defined(FY_BACKEND_ARB)
    arb_dot(z, NULL, 0, x, 1, y, -1, len, prec);
#elif defined(FY_BACKEND_D)
    /* four partial sums in registers (z may alias neither, but the compiler cannot know) */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    slong i = 0;
    (void) prec;
    for (; i + 4 <= len; i += 4)
    {
        s0 += x[i] * y[-i];
        s1 += x[i + 1] * y[-i - 1];
        s2 += x[i + 2] * y[-i - 2];
        s3 += x[i + 3] * y[-i - 3];
    }
    for (; i < len; i++)
        s0 += x[i] * y[-i];
    *z = (s0 + s1) + (s2 + s3);
#else
    slong i;
    (void) prec;
    FY_EL_ZERO(z);
    for (i = 0; i < len; i++)
        FY_EL_ADDMUL(z, x + i, y - i);
#endif
}

/* z = [t^k] Y^2 from Y[0..k], by symmetry (half the products). */
static void FY_FN(sqr_coef)(fy_el_ptr z, fy_el_srcptr Y, slong k, slong prec)
{
    FY_FN(conv)(z, Y, Y + k, (k + 1) / 2, prec);
#if defined(FY_BACKEND_ARB)
    arb_mul_2exp_si(z, z, 1);
#else
    FY_EL_MUL_SI(z, z, 2);
#endif
    if (k % 2 == 0)
        FY_EL_ADDMUL(z, Y + k / 2, Y + k / 2);
}

/* Prepares layer l's activation for series of order n; returns the scratch length (elements)
 * that act_compose needs. */
static slong FY_FN(act_prep)(FY_FN(actser_t) *as, const fy_mlp_struct *m, int l, int n,
                             slong prec)
{
    const fy_activation_struct *act = m->act + l;
    slong j, last;

    (void) prec;
    memset(as, 0, sizeof *as);
    as->act = act;
    as->absval = m->abs_terms;
    as->dp = -1;
    if (act->def == FY_ACT_CLOSURE || act->def == FY_ACT_ANTIDERIVATIVE)
    {
        as->dp = fmpq_poly_degree(act->p);
        as->pc = FY_VEC_INIT(as->dp + 1);
        for (j = 0; j <= as->dp; j++)
        {
            fmpq_t cj;
            fmpq_init(cj);
            fmpq_poly_get_coeff_fmpq(cj, act->p, j);
            if (as->absval)
                fmpq_abs(cj, cj);
            FY_EL_SET_FMPQ(as->pc + j, cj);
            fmpq_clear(cj);
        }
    }
    else if (act->def == FY_ACT_CYCLE)
    {
        as->nf = act->ncycle <= n + 1 ? act->ncycle : n + 1;
        as->closed = as->nf == act->ncycle;
    }
    else if (act->def == FY_ACT_POLYNOMIAL || act->def == FY_ACT_PIECEWISE_LINEAR)
    {
        last = fy_activation_last_nonzero(act);
        as->nf = (int) (last < n ? last : n) + 1;
    }
    /* mu, g, e, b, powers of degree 2..dp, chain functions 1..nf-1 */
    return (slong) (n + 1) * (4 + (as->dp > 1 ? as->dp - 1 : 0) + (as->nf > 1 ? as->nf - 1 : 0));
}

static void FY_FN(act_unprep)(FY_FN(actser_t) *as)
{
    if (as->pc != NULL)
        FY_VEC_CLEAR(as->pc, as->dp + 1);
    as->pc = NULL;
}

/* Y' = p(Y) u' with Y[0] given: Y[1..n].  mu[j] = j u_j (j = 1..nu); g (n + 1) and pw
 * ((dp - 1) (n + 1): Y^j for j = 2..dp) are scratch. */
static void FY_FN(closure_compose)(fy_el_ptr Y, fy_el_srcptr mu, int nu, fy_el_srcptr pc,
                                   slong dp, int n, fy_el_ptr g, fy_el_ptr pw, slong prec)
{
    int k;
    slong j;

    for (k = 0; k < n; k++)
    {
        /* g_k = [t^k] p(Y), from Y[0..k] */
        if (k == 0 && dp >= 0)
            FY_EL_SET(g, pc);
        else
            FY_EL_ZERO(g + k);
        if (dp >= 1 && !FY_EL_IS_ZERO(pc + 1))
            FY_EL_ADDMUL(g + k, pc + 1, Y + k);
        for (j = 2; j <= dp; j++)
        {
            fy_el_ptr P = pw + (j - 2) * (n + 1);
            if (j == 2)
                FY_FN(sqr_coef)(P + k, Y, k, prec);
            else
                FY_FN(conv)(P + k, Y, P - (n + 1) + k, k + 1, prec);
            if (!FY_EL_IS_ZERO(pc + j))
                FY_EL_ADDMUL(g + k, pc + j, P + k);
        }
        /* (k + 1) Y_{k+1} = sum_{i=1}^{k+1} mu_i g_{k+1-i} */
        FY_FN(conv)(Y + k + 1, mu + 1, g + k, k + 1 < nu ? k + 1 : nu, prec);
        FY_EL_DIV_SI(Y + k + 1, Y + k + 1, k + 1);
    }
}

/* y[0..n]: the coefficients of sigma(z + u(t)), u(t) = sum_{j=1}^{nu} u[j] t^j (u[0] and
 * u[j > nu] are not read); init[i * istride] = sigma^(i)(z) for the few i the recurrence
 * starts from (0 and 1; a chain's 0..nf-1); zp = z; ws scratch of act_prep's length. */
static void FY_FN(act_compose)(fy_el_ptr y, const FY_FN(actser_t) *as, fy_el_srcptr init,
                               slong istride, fy_el_srcptr zp, fy_el_srcptr u, int nu, int n,
                               fy_el_ptr ws, slong prec)
{
    const fy_activation_struct *act = as->act;
    fy_el_ptr mu = ws, g = ws + (n + 1), e = ws + 2 * (n + 1), b = ws + 3 * (n + 1);
    fy_el_ptr pw = ws + 4 * (n + 1);
    int k, j, i;

    FY_EL_SET(y, init);
    if (n == 0)
        return;
    if (nu > n)
        nu = n;
    for (j = 1; j <= nu; j++)
        FY_EL_MUL_SI(mu + j, u + j, j);
    switch (act->def)
    {
    case FY_ACT_CLOSURE:
        FY_FN(closure_compose)(y, mu, nu, as->pc, as->dp, n, g, pw, prec);
        return;
    case FY_ACT_ANTIDERIVATIVE:
    case FY_ACT_HERMITE:
        FY_EL_SET(b, init + istride); /* sigma'(z + u) to order n - 1 */
        if (act->def == FY_ACT_ANTIDERIVATIVE)
            FY_FN(closure_compose)(b, mu, nu, as->pc, as->dp, n - 1, g, pw, prec);
        else
        {
            /* b' = b e', e_j = -(2 z u_j + [u^2]_j); e[j] holds j e_j */
            fy_el_t z2;
            FY_EL_INIT(z2);
            FY_EL_MUL_SI(z2, zp, 2);
            if (as->absval && FY_EL_GET_D(z2) < 0)
                FY_EL_NEG(z2, z2);
            for (j = 1; j < n; j++)
            {
                int lo = j - nu > 1 ? j - nu : 1, hi = j - 1 < nu ? j - 1 : nu;
                if (hi >= lo)
                    FY_FN(conv)(e + j, u + lo, u + j - lo, hi - lo + 1, prec);
                else
                    FY_EL_ZERO(e + j);
                if (j <= nu)
                    FY_EL_ADDMUL(e + j, z2, u + j);
                FY_EL_MUL_SI(e + j, e + j, as->absval ? j : -j);
            }
            for (k = 1; k < n; k++)
            {
                FY_FN(conv)(b + k, e + 1, b + k - 1, k < 2 * nu ? k : 2 * nu, prec);
                FY_EL_DIV_SI(b + k, b + k, k);
            }
            FY_EL_CLEAR(z2);
        }
        for (k = 1; k <= n; k++)
        {
            FY_FN(conv)(y + k, mu + 1, b + k - 1, k < nu ? k : nu, prec);
            FY_EL_DIV_SI(y + k, y + k, k);
        }
        return;
    default:
    {
        /* chain: F_0 = y, F_i = pw + (i - 1) (n + 1); F_i needed to order n - i */
        int nf = as->nf;
        for (i = 1; i < nf; i++)
            FY_EL_SET(pw + (slong) (i - 1) * (n + 1), init + i * istride);
        for (k = 1; k <= n; k++)
            for (i = 0; i < nf && i <= n - k; i++)
            {
                fy_el_ptr F = i == 0 ? y : pw + (slong) (i - 1) * (n + 1);
                fy_el_srcptr nx = i + 1 < nf ? pw + (slong) i * (n + 1)
                                             : as->closed ? y : NULL;
                if (nx == NULL)
                    FY_EL_ZERO(F + k);
                else
                {
                    FY_FN(conv)(F + k, mu + 1, nx + k - 1, k < nu ? k : nu, prec);
                    FY_EL_DIV_SI(F + k, F + k, k);
                }
            }
        return;
    }
    }
}

/* ------------------------------------------------------------------ vertex values */

/* The number of vertex values sigma^(k)(z), k = 0.., that the activation's own evaluation
 * gives cheaply and the series start from (the rest follow from the recurrence, or vanish,
 * or repeat). */
static int FY_FN(act_nlow)(const fy_activation_struct *act, int order)
{
    int n;
    slong last;
    switch (act->def)
    {
    case FY_ACT_CLOSURE:
        n = 1;
        break;
    case FY_ACT_ANTIDERIVATIVE:
    case FY_ACT_HERMITE:
        n = 2;
        break;
    case FY_ACT_CYCLE:
        n = act->ncycle;
        break;
    default:
        last = fy_activation_last_nonzero(act);
        n = last < 0 ? order + 1 : (int) last + 1;
    }
    return n < order + 1 ? n : order + 1;
}

#if defined(FY_BACKEND_FMPQ)
/* Exact vertex values of layer l, neuron a, k = 0..order into s (stride w): the activation's
 * exact polynomials P_k built once per layer, one step each (fy_activation_poly_next), and
 * evaluated where the value is rational; P and col cache the last column (at z = 0 every
 * neuron has the same one). */
static int FY_FN(vertex_exact)(fy_el_ptr s, slong w, const fy_activation_struct *act,
                               fy_el_srcptr z, int order, fy_el_ptr col, int *have_col,
                               fy_error_t err)
{
    int k, status, nlow = FY_FN(act_nlow)(act, order);

    for (k = 0; k < nlow; k++)
    {
        status = ACT_EVAL(s + (slong) k * w, act, (ulong) k, z);
        if (status != FY_OK)
            return status;
    }
    if (nlow > order)
        return FY_OK;
    if (act->def == FY_ACT_CYCLE)
    {
        for (k = nlow; k <= order; k++)
            FY_EL_SET(s + (slong) k * w, s + (slong) (k % act->ncycle) * w);
        return FY_OK;
    }
    if (act->def != FY_ACT_CLOSURE && act->def != FY_ACT_ANTIDERIVATIVE)
    {
        for (k = nlow; k <= order; k++)
            FY_EL_ZERO(s + (slong) k * w);
        return FY_OK;
    }
    /* closure or antiderivative with rational values: z = 0 (fy_activation_eval_fmpq) */
    if (!*have_col)
    {
        fmpq_poly_t P;
        fmpq_poly_init(P);
        status = FY_OK;
        for (k = 1; k <= order && status == FY_OK; k++)
        {
            status = fy_activation_poly_next(P, act, (ulong) k, err);
            if (status == FY_OK && k >= nlow)
                status = fy_activation_eval_poly_fmpq(col + k, act, (ulong) k, P, z, err);
        }
        fmpq_poly_clear(P);
        if (status != FY_OK)
            return status;
        *have_col = 1;
    }
    for (k = nlow; k <= order; k++)
        FY_EL_SET(s + (slong) k * w, col + k);
    return FY_OK;
}
#else
/* Vertex values of layer l, neuron a, k = 0..order into s (stride w): the few low ones by
 * the activation's evaluation, the rest by the activation's series (u = t gives
 * sigma^(k)(z)/k!) times k!, or by repetition (cycles), or zero (polynomials, piecewise
 * linear).  Balls: the series runs 30 bits above prec from values evaluated there. */
static int FY_FN(vertex_series)(fy_el_ptr s, slong w, const FY_FN(actser_t) *as,
                                fy_el_srcptr z, int order, fy_el_ptr A, fy_el_ptr u,
                                fy_el_ptr ws, slong prec, fy_error_t err)
{
    const fy_activation_struct *act = as->act;
    int k, status, nlow = FY_FN(act_nlow)(act, order);
    slong wp = prec + 30;
    fy_el_t lo[2];

    for (k = 0; k < nlow; k++)
    {
        status = ACT_EVAL(s + (slong) k * w, act, (ulong) k, z);
        if (status != FY_OK)
            return status;
    }
    if (nlow > order)
        return FY_OK;
    if (act->def == FY_ACT_CYCLE)
    {
        for (k = nlow; k <= order; k++)
            FY_EL_SET(s + (slong) k * w, s + (slong) (k % act->ncycle) * w);
        return FY_OK;
    }
    if (act->def != FY_ACT_CLOSURE && act->def != FY_ACT_ANTIDERIVATIVE &&
        act->def != FY_ACT_HERMITE)
    {
        for (k = nlow; k <= order; k++)
            FY_EL_ZERO(s + (slong) k * w);
        return FY_OK;
    }
    FY_EL_INIT(lo[0]);
    FY_EL_INIT(lo[1]);
    status = FY_OK;
    for (k = 0; k < nlow && status == FY_OK; k++)
    {
#if defined(FY_BACKEND_ARB)
        status = fy_activation_eval_arb(lo[k], act, (ulong) k, z, wp, err);
#else
        FY_EL_SET(lo[k], s + (slong) k * w);
#endif
    }
    if (status == FY_OK)
    {
        FY_EL_ZERO(u);
        FY_EL_ONE(u + 1);
        FY_FN(act_compose)(A, as, lo[0], 1, z, u, 1, order, ws, wp);
#if defined(FY_BACKEND_D)
        {
            /* k! (exact to k = 22, then correctly rounded steps), and beyond 170 as
             * mantissa and exponent: A_k k! may be finite where k! is not */
            double fm = 1.0;
            int fe = 0, e;
            for (k = 1; k <= order; k++)
            {
                if (k <= 170)
                {
                    fm *= k;
                    if (k >= nlow)
                        s[(slong) k * w] = A[k] * fm;
                    if (k == 170)
                        fm = frexp(fm, &fe);
                    continue;
                }
                fm = frexp(fm * k, &e);
                fe += e;
                if (k >= nlow)
                    s[(slong) k * w] = ldexp(A[k] * fm, fe);
            }
        }
#else
        {
            fy_el_t f;
            FY_EL_INIT(f);
            FY_EL_ONE(f);
            for (k = 1; k <= order; k++)
            {
                FY_EL_MUL_SI(f, f, k);
                if (k >= nlow)
                {
                    arb_mul(s + (slong) k * w, A + k, f, wp);
                    arb_set_round(s + (slong) k * w, s + (slong) k * w, prec);
                }
            }
            FY_EL_CLEAR(f);
        }
#endif
    }
    FY_EL_CLEAR(lo[0]);
    FY_EL_CLEAR(lo[1]);
    return status;
}
#endif

/* The vertex values of hidden layer l (s[l] allocated, (order + 1) x width[l]). */
static int FY_FN(vertices)(fy_mlp_struct *m, int l, int order, slong prec, fy_error_t err)
{
    slong w = m->width[l], a;
    fy_el_ptr s = (fy_el_ptr) m->s[l].v;
    fy_el_srcptr z = (fy_el_srcptr) m->z[l].v;
    int status = FY_OK;
#if defined(FY_BACKEND_FMPQ)
    fy_el_ptr col = FY_VEC_INIT(order + 1);
    int have_col = 0;
    for (a = 0; a < w && status == FY_OK; a++)
    {
        status = FY_FN(vertex_exact)(s + a, w, m->act + l, z + a, order, col, &have_col, err);
        if (status != FY_OK)
        {
            char *zs = fy_fmpq_get_str(z + a);
            fy_error_prefix(err, "exact arithmetic needs rational vertex values; layer "
                            "%d, neuron %ld, %s at z = %s: ", l, (long) a,
                            m->act[l].name, zs ? zs : "?");
            free(zs);
        }
    }
    FY_VEC_CLEAR(col, order + 1);
#else
    FY_FN(actser_t) as;
    slong wp = prec + 30, len = FY_FN(act_prep)(&as, m, l, order, wp);
    fy_el_ptr ws = FY_VEC_INIT(len), A = FY_VEC_INIT(order + 1), u = FY_VEC_INIT(2);
    for (a = 0; a < w && status == FY_OK; a++)
    {
        status = FY_FN(vertex_series)(s + a, w, &as, z + a, order, A, u, ws, prec, err);
        if (status != FY_OK)
            fy_error_prefix(err, "layer %d, neuron %ld, %s: ", l, (long) a, m->act[l].name);
    }
    FY_VEC_CLEAR(ws, len);
    FY_VEC_CLEAR(A, order + 1);
    FY_VEC_CLEAR(u, 2);
    FY_FN(act_unprep)(&as);
#endif
    return status;
}

/* ------------------------------------------------------------------ directions */

/* Z[r (n + 1) + k] = sum_b W[row_r, b] Y[b (n + 1) + k] for k = 1..n, rows r = 0..rows-1
 * (row_r = r, or `only` when rows is 1 and only >= 0). */
static void FY_FN(layer_product)(fy_el_ptr Z, fy_el_srcptr W, slong rows, slong only, slong wp,
                                 fy_el_srcptr Y, int n, slong prec)
{
    slong ld = n + 1, r, b;
    int k;
    if (only >= 0)
        W += only * wp;
#if defined(USE_CBLAS)
    (void) b;
    (void) r;
    (void) k;
    (void) prec;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, n, (int) wp, 1.0, W,
                (int) wp, Y + 1, (int) ld, 0.0, Z + 1, (int) ld);
#elif defined(FY_BACKEND_ARB)
    (void) b;
    for (r = 0; r < rows; r++)
        for (k = 1; k <= n; k++)
            arb_dot(Z + r * ld + k, NULL, 0, W + r * wp, 1, Y + k, ld, wp, prec);
#else
    (void) prec;
    for (r = 0; r < rows; r++)
    {
        for (k = 1; k <= n; k++)
            FY_EL_ZERO(Z + r * ld + k);
        for (b = 0; b < wp; b++)
            if (!FY_EL_IS_ZERO(W + r * wp + b))
                for (k = 1; k <= n; k++)
                    FY_EL_ADDMUL(Z + r * ld + k, W + r * wp + b, Y + b * ld + k);
    }
#endif
}

int FY_FN(_fy_mlp_directional)(fy_el_ptr c, const fy_mlp_struct *m, fy_el_srcptr v, int output,
                               int n, slong prec, fy_error_t err)
{
    int L = m->L, l, k;
    slong a, w, d = m->width[0], maxw = 1, len, maxlen = 0, ld = n + 1, done;
    fy_el_ptr Y, Z, ws;
    FY_FN(actser_t) *as;

    (void) err;
    FY_EL_SET(c, (fy_el_srcptr) m->z[L].v + output);
    for (k = 1; k <= n; k++)
        FY_EL_ZERO(c + k);
    if (n == 0)
        return FY_OK;
    if (L == 1)
    {
        FY_FN(dot)(c + 1, (fy_el_srcptr) m->W[1].v + (slong) output * d, v, d, prec);
        return FY_OK;
    }
    as = fy_calloc((size_t) L, sizeof *as, err);
    if (as == NULL)
        return FY_ENOMEM;
    for (l = 1; l < L; l++)
    {
        len = FY_FN(act_prep)(as + l, m, l, n, prec);
        maxlen = len > maxlen ? len : maxlen;
        maxw = m->width[l] > maxw ? m->width[l] : maxw;
    }
    Y = FY_VEC_INIT(maxw * ld);
    Z = FY_VEC_INIT(maxw * ld);
    ws = FY_VEC_INIT(maxlen);
    /* layer 1: u = (W1 v) t */
    w = m->width[1];
    for (a = 0; a < w; a++)
        FY_FN(dot)(Z + a * ld + 1, (fy_el_srcptr) m->W[1].v + a * d, v, d, prec);
    if (m->progress != NULL) /* a bar over the neurons composed, layer by layer */
    {
        slong total = 0;
        for (l = 1; l < L; l++)
            total += m->width[l];
        m->progress->total = (double) total;
        fy_progress_update(m->progress, 0.0);
    }
    for (l = 1, done = 0; l < L; l++)
    {
        fy_el_srcptr s = (fy_el_srcptr) m->s[l].v, z = (fy_el_srcptr) m->z[l].v;
        w = m->width[l];
        if (l > 1)
            FY_FN(layer_product)(Z, (fy_el_srcptr) m->W[l].v, w, -1, m->width[l - 1], Y, n,
                                 prec);
        for (a = 0; a < w; a++)
        {
            FY_FN(act_compose)(Y + a * ld, as + l, s + a, w, z + a, Z + a * ld,
                               l == 1 ? 1 : n, n, ws, prec);
            if (m->progress != NULL)
                fy_progress_update(m->progress, (double) ++done);
        }
    }
    FY_FN(layer_product)(Z, (fy_el_srcptr) m->W[L].v, 1, output, m->width[L - 1], Y, n, prec);
    for (k = 1; k <= n; k++)
        FY_EL_SET(c + k, Z + k);
    FY_VEC_CLEAR(Y, maxw * ld);
    FY_VEC_CLEAR(Z, maxw * ld);
    FY_VEC_CLEAR(ws, maxlen);
    for (l = 1; l < L; l++)
        FY_FN(act_unprep)(as + l);
    free(as);
    return FY_OK;
}
