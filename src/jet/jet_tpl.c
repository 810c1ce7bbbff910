/* Template (included by jet_{d,arb,fmpq}.c): Taylor-mode AD through an MLP.
 *
 * A directional jet is the truncated series x(t) = xbar + t v pushed through the layers: the
 * affine maps act coefficient by coefficient, each activation by its own univariate
 * recurrence, derived from a first-order differential equation and applied to the derivative
 * series f' (written df below, df_j = j f_j):
 *     tanh:     y' = (1 - y^2) f'           sigmoid:  y' = (y - y^2) f'
 *     exp:      y' = y f'                   softplus: y' = sigmoid(f) f'
 *     sin, cos: s' = c f', c' = -s f'       erf:      y' = (2/sqrt(pi)) exp(-f^2) f'
 * so that k y_k = sum_{j=1..k} df_j w_(k-j) with w the series of the right-hand factor, kept one
 * degree behind y.  Polynomial activations are Horner's rule on series; ReLU is linear on
 * either side of 0.  Each costs O(N^2) per neuron.  The input of the first layer has degree 1
 * in t, which the affine step and the recurrences exploit (ideg). */
#include <string.h>

#include "jet/jet_internal.h"

#if defined(FY_BACKEND_D)
#define JET_USE_EXACT 0
#define JET_SET_D(z, x) (*(z) = (x))
#define JET_ERF0(z, x) (*(z) = erf(*(x)), 0)
#define JET_TWO_OVER_SQRTPI(z) (*(z) = 1.12837916709551257389615890312154517, 0)
#define JET_SGN(x) ((*(x) > 0) - (*(x) < 0))
/* log(1 + e^x) without overflow for large x */
#define JET_SOFTPLUS0(z, x) \
    (*(z) = (*(x) > 0 ? *(x) + log1p(exp(-*(x))) : log1p(exp(*(x)))), 0)
#elif defined(FY_BACKEND_ARB)
#include "num/arb_all.h"
#define JET_USE_EXACT 1
#define JET_SET_D(z, x) arb_set_d(z, x)
#define JET_ERF0(z, x) (arb_hypgeom_erf(z, x, prec), 0)
#define JET_TWO_OVER_SQRTPI(z) (arb_const_sqrt_pi(z, prec), arb_ui_div(z, 2, z, prec), 0)
#define JET_SGN(x) (arb_is_positive(x) ? 1 : (arb_is_negative(x) ? -1 : 0))
#define JET_SOFTPLUS0(z, x) (arb_exp(z, x, prec), arb_log1p(z, z, prec), 0)
#else
#define JET_USE_EXACT 1
#define JET_SET_D(z, x) fy_fmpq_set_d(z, x, NULL)
/* erf and softplus take irrational values (or carry 2/sqrt(pi)) at every rational point */
#define JET_ERF0(z, x) ((void) (z), (void) (x), 1)
#define JET_TWO_OVER_SQRTPI(z) ((void) (z), 1)
#define JET_SGN(x) fmpq_sgn(x)
#define JET_SOFTPLUS0(z, x) ((void) (z), (void) (x), 1)
#endif

/* ------------------------------------------------------------------ parameters, workspace */

typedef struct
{
    int L;
    fy_el_ptr *W, *b, *q; /* per layer, in the backend's numbers */
    slong *qlen;
} FY_FN(jet_par_struct);

static void FY_FN(jet_par_clear)(FY_FN(jet_par_struct) *P, const fy_jet_net_t J)
{
    int l;
    for (l = 0; l < P->L; l++)
    {
        const fy_layer_struct *ly = J->net->layers + l;
        if (P->W[l])
            FY_VEC_CLEAR(P->W[l], (slong) (ly->n_out * ly->n_in));
        if (P->b[l])
            FY_VEC_CLEAR(P->b[l], (slong) ly->n_out);
        if (P->q[l])
            FY_VEC_CLEAR(P->q[l], P->qlen[l]);
    }
    flint_free(P->W);
    flint_free(P->b);
    flint_free(P->q);
    flint_free(P->qlen);
}

static void FY_FN(jet_par_init)(FY_FN(jet_par_struct) *P, const fy_jet_net_t J, slong prec)
{
    int l;
    slong i, nw;
    P->L = J->L;
    P->W = flint_calloc((size_t) J->L, sizeof(fy_el_ptr));
    P->b = flint_calloc((size_t) J->L, sizeof(fy_el_ptr));
    P->q = flint_calloc((size_t) J->L, sizeof(fy_el_ptr));
    P->qlen = flint_calloc((size_t) J->L, sizeof(slong));
    for (l = 0; l < J->L; l++)
    {
        const fy_layer_struct *ly = J->net->layers + l;
        nw = (slong) (ly->n_out * ly->n_in);
        P->W[l] = FY_VEC_INIT(nw);
        P->b[l] = FY_VEC_INIT((slong) ly->n_out);
        for (i = 0; i < nw; i++)
        {
            if (JET_USE_EXACT && ly->W_exact)
                FY_EL_SET_FMPQ(P->W[l] + i, ly->W_exact + i);
            else
                JET_SET_D(P->W[l] + i, ly->W[i]);
        }
        for (i = 0; i < (slong) ly->n_out; i++)
        {
            if (JET_USE_EXACT && ly->b_exact)
                FY_EL_SET_FMPQ(P->b[l] + i, ly->b_exact + i);
            else
                JET_SET_D(P->b[l] + i, ly->b[i]);
        }
        if (J->kind[l] == FY_JET_ACT_POLY)
        {
            fmpq_t c;
            fmpq_init(c);
            P->qlen[l] = fmpq_poly_length(J->q + l);
            P->q[l] = FY_VEC_INIT(P->qlen[l]);
            for (i = 0; i < P->qlen[l]; i++)
            {
                fmpq_poly_get_coeff_fmpq(c, J->q + l, i);
                FY_EL_SET_FMPQ(P->q[l] + i, c);
            }
            fmpq_clear(c);
        }
    }
    (void) prec;
}

typedef struct
{
    fy_el_ptr a, b, s; /* two layers of maxw series, and 4 scratch series, of N + 1 terms */
    slong nab, ns;
    fy_el_t tmp;
    fy_el_struct acc[4]; /* accumulators of the affine step */
} FY_FN(jet_ws_struct);

static void FY_FN(jet_ws_init)(FY_FN(jet_ws_struct) *w, const fy_jet_net_t J, int N)
{
    int i;
    w->nab = J->maxw * (N + 1);
    w->ns = 4 * (slong) (N + 1);
    w->a = FY_VEC_INIT(w->nab);
    w->b = FY_VEC_INIT(w->nab);
    w->s = FY_VEC_INIT(w->ns);
    FY_EL_INIT(w->tmp);
    for (i = 0; i < 4; i++)
        FY_EL_INIT(w->acc + i);
}

static void FY_FN(jet_ws_clear)(FY_FN(jet_ws_struct) *w)
{
    int i;
    FY_VEC_CLEAR(w->a, w->nab);
    FY_VEC_CLEAR(w->b, w->nab);
    FY_VEC_CLEAR(w->s, w->ns);
    FY_EL_CLEAR(w->tmp);
    for (i = 0; i < 4; i++)
        FY_EL_CLEAR(w->acc + i);
}

/* ------------------------------------------------------------------ series kernels
 * y (N + 1 terms) = sigma(f), f_j = 0 for j > ideg; y must not alias f.  df holds j f_j. */

/* y_k = (1/k) sum_{j=1..min(k,ideg)} df_j w_(k-j) */
static void FY_FN(jet_step)(fy_el_ptr yk, fy_el_srcptr df, fy_el_srcptr w, int k, int ideg,
                            slong prec)
{
    int j, jm = k < ideg ? k : ideg;
    (void) prec;
    FY_EL_ZERO(yk);
    for (j = 1; j <= jm; j++)
        FY_EL_ADDMUL(yk, df + j, w + (k - j));
    FY_EL_DIV_SI(yk, yk, k);
}

/* z = sum_{i=0..k} y_i y_(k-i), by symmetry */
static void FY_FN(jet_square_coeff)(fy_el_ptr z, fy_el_srcptr y, int k, slong prec)
{
    int i;
    (void) prec;
    FY_EL_ZERO(z);
    for (i = 0; 2 * i < k; i++)
        FY_EL_ADDMUL(z, y + i, y + (k - i));
    FY_EL_MUL_SI(z, z, 2);
    if (k % 2 == 0)
        FY_EL_ADDMUL(z, y + k / 2, y + k / 2);
}

/* sigmoid series s of f (terms 0..N) with w = s - s^2 as scratch */
static int FY_FN(jet_sigmoid)(fy_el_ptr s, fy_el_srcptr f, fy_el_srcptr df, int N, int ideg,
                              fy_el_ptr w, fy_el_ptr tmp, slong prec)
{
    int k;
    fy_el_t one;
    FY_EL_INIT(one);
    FY_EL_ONE(one);
    FY_EL_NEG(tmp, f);
    if (FY_EL_EXP(tmp, tmp))
    {
        FY_EL_CLEAR(one);
        return FY_EUNSUPPORTED;
    }
    FY_EL_ADD(tmp, tmp, one);
    FY_EL_DIV(s, one, tmp); /* 1 / (1 + e^-f0) */
    FY_EL_CLEAR(one);
    for (k = 0; k <= N; k++)
    {
        if (k > 0)
            FY_FN(jet_step)(s + k, df, w, k, ideg, prec);
        FY_FN(jet_square_coeff)(tmp, s, k, prec);
        FY_EL_SUB(w + k, s + k, tmp);
    }
    return FY_OK;
}

static int FY_FN(jet_act)(fy_el_ptr y, fy_el_srcptr f, fy_jet_act_kind_t kind, fy_el_srcptr q,
                          slong qlen, int N, int ideg, fy_el_ptr s, fy_el_ptr tmp,
                          const char **why, slong prec)
{
    fy_el_ptr df = s, w = s + (N + 1), u = s + 2 * (N + 1), g = s + 3 * (N + 1);
    int j, k, i;

    for (j = 1; j <= ideg; j++)
        FY_EL_MUL_SI(df + j, f + j, j);
    switch (kind)
    {
    case FY_JET_ACT_IDENTITY:
        for (k = 0; k <= N; k++)
            FY_EL_SET(y + k, f + k);
        return FY_OK;
    case FY_JET_ACT_TANH:
        if (FY_EL_TANH(y, f))
            return FY_EUNSUPPORTED;
        FY_EL_ONE(w);
        FY_EL_SUBMUL(w, y, y); /* w = 1 - y^2 */
        for (k = 1; k <= N; k++)
        {
            FY_FN(jet_step)(y + k, df, w, k, ideg, prec);
            FY_FN(jet_square_coeff)(w + k, y, k, prec);
            FY_EL_NEG(w + k, w + k);
        }
        return FY_OK;
    case FY_JET_ACT_SIGMOID:
        return FY_FN(jet_sigmoid)(y, f, df, N, ideg, w, tmp, prec);
    case FY_JET_ACT_SOFTPLUS:
        if (JET_SOFTPLUS0(y, f))
            return FY_EUNSUPPORTED;
        if (N > 0 && FY_FN(jet_sigmoid)(u, f, df, N - 1, ideg, w, tmp, prec) != FY_OK)
            return FY_EUNSUPPORTED;
        for (k = 1; k <= N; k++)
            FY_FN(jet_step)(y + k, df, u, k, ideg, prec);
        return FY_OK;
    case FY_JET_ACT_EXP:
        if (FY_EL_EXP(y, f))
            return FY_EUNSUPPORTED;
        for (k = 1; k <= N; k++)
            FY_FN(jet_step)(y + k, df, y, k, ideg, prec);
        return FY_OK;
    case FY_JET_ACT_SIN:
    case FY_JET_ACT_COS:
    {
        fy_el_ptr sn = kind == FY_JET_ACT_SIN ? y : u, cs = kind == FY_JET_ACT_SIN ? u : y;
        if (FY_EL_SIN(sn, f) || FY_EL_COS(cs, f))
            return FY_EUNSUPPORTED;
        for (k = 1; k <= N; k++)
        {
            FY_FN(jet_step)(sn + k, df, cs, k, ideg, prec);
            FY_FN(jet_step)(cs + k, df, sn, k, ideg, prec);
            FY_EL_NEG(cs + k, cs + k);
        }
        return FY_OK;
    }
    case FY_JET_ACT_ERF:
        /* u = -f^2 (degree <= 2 ideg), g = exp(u), y' = (2/sqrt(pi)) g f' */
        if (JET_ERF0(y, f) || JET_TWO_OVER_SQRTPI(tmp))
            return FY_EUNSUPPORTED;
        for (k = 0; k <= N; k++)
        {
            FY_EL_ZERO(u + k);
            for (i = 0; i <= k && i <= ideg; i++)
                if (k - i <= ideg)
                    FY_EL_SUBMUL(u + k, f + i, f + (k - i));
            if (k > 0)
                FY_EL_MUL_SI(w + k, u + k, k); /* w = u' coefficients, k u_k */
        }
        if (FY_EL_EXP(g, u))
            return FY_EUNSUPPORTED;
        for (k = 1; k <= N; k++)
            FY_FN(jet_step)(g + k, w, g, k, 2 * ideg, prec);
        for (k = 0; k < N; k++)
            FY_EL_MUL(g + k, g + k, tmp);
        for (k = 1; k <= N; k++)
            FY_FN(jet_step)(y + k, df, g, k, ideg, prec);
        return FY_OK;
    case FY_JET_ACT_RELU:
    {
        int sg = JET_SGN(f), moving = 0;
        for (j = 1; j <= ideg && j <= N; j++)
            if (!FY_EL_IS_ZERO(f + j))
                moving = 1;
        if (sg == 0 && (moving || !FY_EL_IS_ZERO(f)))
        {
            *why = moving ? "relu at a pre-activation that is (or may be) exactly 0 and moves "
                            "along the direction: relu has no Taylor expansion there"
                          : "relu at a pre-activation whose sign the ball cannot decide";
            return FY_EUNSUPPORTED;
        }
        for (k = 0; k <= N; k++)
        {
            if (sg > 0)
                FY_EL_SET(y + k, f + k);
            else
                FY_EL_ZERO(y + k);
        }
        return FY_OK;
    }
    case FY_JET_ACT_POLY:
    {
        /* Horner: y = q_m; y = y f + q_i, with the product truncated at N */
        slong m;
        for (k = 0; k <= N; k++)
            FY_EL_ZERO(y + k);
        for (m = qlen - 1; m >= 0; m--)
        {
            for (k = 0; k <= N; k++)
            {
                FY_EL_ZERO(u + k);
                for (i = 0; i <= k && i <= ideg; i++)
                    FY_EL_ADDMUL(u + k, f + i, y + (k - i));
            }
            for (k = 0; k <= N; k++)
                FY_EL_SET(y + k, u + k);
            FY_EL_ADD(y, y, q + m);
        }
        return FY_OK;
    }
    }
    return FY_EINTERNAL;
}

/* ------------------------------------------------------------------ the network */

/* Pushes x(t) = xbar + t v through the network; *res points to n_L series of N + 1 terms
 * inside the workspace. */
static int FY_FN(jet_run)(fy_el_ptr *res, FY_FN(jet_ws_struct) *ws,
                          const FY_FN(jet_par_struct) *P, const fy_jet_net_t J,
                          fy_el_srcptr xbar, fy_el_srcptr v, int N, slong prec, fy_error_t err)
{
    const fy_net_struct *net = J->net;
    slong M = N + 1, a, i, nin, nout;
    fy_el_ptr cur = ws->a, nxt = ws->b, t;
    int l, k, ideg = N >= 1 ? 1 : 0, rc;

    for (i = 0; i < (slong) net->widths[0]; i++)
    {
        for (k = 0; k <= N; k++)
            FY_EL_ZERO(cur + i * M + k);
        if (xbar)
            FY_EL_SET(cur + i * M, xbar + i);
        if (N >= 1 && v)
            FY_EL_SET(cur + i * M + 1, v + i);
    }
    for (l = 1; l <= J->L; l++)
    {
        fy_el_srcptr W = P->W[l - 1], b = P->b[l - 1];
        fy_jet_act_kind_t kind = J->kind[l - 1];
        nin = (slong) net->widths[l - 1];
        nout = (slong) net->widths[l];
        /* z_k = W y_k + [k = 0] b: four outputs at a time, so that four independent
         * accumulators (registers, for doubles) share each load of y */
        for (a = 0; a < nout; a += 4)
        {
            int na = nout - a < 4 ? (int) (nout - a) : 4, u;
            for (k = 0; k <= ideg; k++)
            {
                for (u = 0; u < na; u++)
                    FY_EL_ZERO(ws->acc + u);
                if (na == 4)
                {
                    fy_el_srcptr w0 = W + a * nin, w1 = w0 + nin, w2 = w1 + nin,
                                 w3 = w2 + nin;
                    for (i = 0; i < nin; i++)
                    {
                        fy_el_srcptr x = cur + i * M + k;
                        FY_EL_ADDMUL(ws->acc + 0, w0 + i, x);
                        FY_EL_ADDMUL(ws->acc + 1, w1 + i, x);
                        FY_EL_ADDMUL(ws->acc + 2, w2 + i, x);
                        FY_EL_ADDMUL(ws->acc + 3, w3 + i, x);
                    }
                }
                else
                    for (u = 0; u < na; u++)
                        for (i = 0; i < nin; i++)
                            FY_EL_ADDMUL(ws->acc + u, W + (a + u) * nin + i, cur + i * M + k);
                for (u = 0; u < na; u++)
                    FY_EL_SWAP(nxt + (a + u) * M + k, ws->acc + u);
            }
            for (u = 0; u < na; u++)
            {
                for (k = ideg + 1; k <= N; k++)
                    FY_EL_ZERO(nxt + (a + u) * M + k);
                FY_EL_ADD(nxt + (a + u) * M, nxt + (a + u) * M, b + a + u);
            }
        }
        if (kind == FY_JET_ACT_IDENTITY)
        {
            t = cur;
            cur = nxt;
            nxt = t;
            continue;
        }
        for (a = 0; a < nout; a++)
        {
            const char *why = NULL;
            rc = FY_FN(jet_act)(cur + a * M, nxt + a * M, kind, P->q[l - 1], P->qlen[l - 1], N,
                                ideg, ws->s, ws->tmp, &why, prec);
            if (rc != FY_OK)
            {
                if (why != NULL)
                    return fy_error_set(err, rc, "jet: layer %d, neuron %ld: %s", l, (long) a,
                                        why);
                if (FY_ARITH == FY_ARITH_EXACT)
                    return fy_error_set(err, rc,
                                        "jet: layer %d, neuron %ld: %s takes an irrational "
                                        "value at this pre-activation; exact arithmetic "
                                        "cannot represent it (use ball arithmetic)", l,
                                        (long) a, fy_jet_act_kind_name(kind));
                return fy_error_set(err, rc, "jet: layer %d, neuron %ld: cannot evaluate %s",
                                    l, (long) a, fy_jet_act_kind_name(kind));
            }
        }
        /* the output is now in cur (the kernels wrote there) */
        if (kind == FY_JET_ACT_RELU)
            ; /* degree unchanged */
        else if (kind == FY_JET_ACT_POLY)
        {
            /* q(f) has degree (deg q) ideg in t; a constant q gives a constant */
            slong deg = (P->qlen[l - 1] - 1) * (slong) ideg;
            ideg = deg < 0 ? 0 : (deg > N ? N : (int) deg);
        }
        else
            ideg = N;
    }
    *res = cur;
    return FY_OK;
}

int FY_FN(_fy_jet_dir)(fy_el_ptr c, const fy_jet_net_t J, fy_el_srcptr xbar, fy_el_srcptr v,
                       int N, slong prec, fy_error_t err)
{
    FY_FN(jet_par_struct) P;
    FY_FN(jet_ws_struct) ws;
    fy_el_ptr res;
    slong i, n;
    int rc;

    if (J->net == NULL)
        return fy_error_set(err, FY_EINPUT, "jet: no network set (call fy_jet_net_set)");
    if (N < 0)
        return fy_error_set(err, FY_EINPUT, "jet: the order must be >= 0 (got %d)", N);
    if ((rc = _fy_jet_dir_check(J, N, FY_ARITH, err)) != FY_OK)
        return rc;
    FY_FN(jet_par_init)(&P, J, prec);
    FY_FN(jet_ws_init)(&ws, J, N);
    rc = FY_FN(jet_run)(&res, &ws, &P, J, xbar, v, N, prec, err);
    if (rc == FY_OK)
    {
        n = (slong) J->net->widths[J->L] * (N + 1);
        for (i = 0; i < n; i++)
            FY_EL_SET(c + i, res + i);
    }
    FY_FN(jet_ws_clear)(&ws);
    FY_FN(jet_par_clear)(&P, J);
    return rc;
}

int FY_FN(_fy_jet_interp_apply)(fy_el_ptr T, fy_el_srcptr F, fy_jet_interp_t I, slong prec,
                                fy_error_t err)
{
    slong jr, t;
    int rc = FY_OK;
    fy_el_t w;

    (void) prec;
    FY_EL_INIT(w);
    for (jr = 0; jr < I->ndirs; jr++)
    {
        if ((rc = fy_jet_interp_row(I, jr, err)) != FY_OK)
            break;
        FY_EL_ZERO(T + jr);
        for (t = 0; t < I->len; t++)
        {
            FY_EL_SET_FMPQ(w, I->w + t);
            FY_EL_ADDMUL(T + jr, w, F + I->rank[t]);
        }
    }
    FY_EL_CLEAR(w);
    return rc;
}

int FY_FN(_fy_jet_tensor)(fy_el_ptr T, const fy_jet_net_t J, slong out, fy_el_srcptr xbar,
                          int n, slong prec, fy_error_t err)
{
    FY_FN(jet_par_struct) P;
    FY_FN(jet_ws_struct) ws;
    fy_jet_interp_t I;
    fy_el_ptr F, v, res;
    int *dir, d, m, rc;
    slong C, r;

    if (J->net == NULL)
        return fy_error_set(err, FY_EINPUT, "jet: no network set (call fy_jet_net_set)");
    if ((rc = _fy_jet_tensor_check(&C, J, out, n, FY_ARITH, err)) != FY_OK)
        return rc;
    d = (int) J->net->widths[0];
    if ((rc = fy_jet_interp_init(I, d, n, err)) != FY_OK)
        return rc;
    dir = flint_malloc(sizeof(int) * (size_t) d);
    F = FY_VEC_INIT(C);
    v = FY_VEC_INIT(d);
    FY_FN(jet_par_init)(&P, J, prec);
    FY_FN(jet_ws_init)(&ws, J, n);
    for (r = 0; r < C && rc == FY_OK; r++)
    {
        fy_jet_interp_direction(dir, I, r);
        for (m = 0; m < d; m++)
            FY_EL_SET_SI(v + m, dir[m]);
        rc = FY_FN(jet_run)(&res, &ws, &P, J, xbar, v, n, prec, err);
        if (rc == FY_OK)
            FY_EL_SET(F + r, res + out * (n + 1) + n);
    }
    if (rc == FY_OK)
        rc = FY_FN(_fy_jet_interp_apply)(T, F, I, prec, err);
    FY_FN(jet_ws_clear)(&ws);
    FY_FN(jet_par_clear)(&P, J);
    FY_VEC_CLEAR(v, d);
    FY_VEC_CLEAR(F, C);
    flint_free(dir);
    fy_jet_interp_clear(I);
    return rc;
}
