/* Template (included by inn_{d,arb,fmpq}.c): Taylor-mode arithmetic of the log-density of an
 * invertible network, ln p(x) = ln p_z(f(x)) + ln|det J_f(x)| (MATH.md 3.1).
 *
 * The line x(t) = x0 + t v is pushed through the layers as d truncated univariate series of
 * N + 1 terms each:
 *   - affine y = W u + b: coefficient by coefficient; its log-det ln|det W| is a constant;
 *   - coupling y_B[t] = u_B[t] + sum_{r,s} G_{t r s} u_A[r] u_A[s]: in place (A and B are
 *     disjoint), as sum_r u_A[r] w_r with w_r = sum_s G_{t r s} u_A[s], nA series products;
 *   - elementwise y_i = u_i + gamma_i u_i^2, with the log-det ln s(t), s = 1 + 2 gamma_i u_i:
 *     from s L' = s', the coefficients L_k = (s_k - (1/k) sum_{j=1..k-1} j L_j s_(k-j)) / s_0
 *     for k >= 1 (rational whenever s is), and L_0 = ln s_0 (a logarithm: left out in exact
 *     arithmetic); s_0 <= 0 is refused;
 *   - cubic y_i = u_i + gamma_i u_i^3 (issue 12), the same with s = 1 + 3 gamma_i u_i^2;
 *   - the latent term -|z(t)|^2 / 2 - (d/2) ln 2 pi.
 * Each elementwise neuron and each latent square costs O(N^2), each weight O(N). */
#include <math.h>
#include <string.h>

#include "jet/inn_internal.h"

#if defined(FY_BACKEND_D)
#define INN_EXACT 0
#define INN_LOG(z, x) (*(z) = log(*(x)))
#define INN_POSITIVE(x) (*(x) > 0)
#define INN_FINITE(x) isfinite(*(x))
#define INN_SET_ARB(z, c) (*(z) = arf_get_d(arb_midref(c), ARF_RND_NEAR))
#define INN_CONST_PREC 128
#elif defined(FY_BACKEND_ARB)
#define INN_EXACT 0
#define INN_LOG(z, x) arb_log(z, x, prec)
#define INN_POSITIVE(x) arb_is_positive(x)
#define INN_FINITE(x) arb_is_finite(x)
#define INN_SET_ARB(z, c) arb_set_round(z, c, prec)
#define INN_CONST_PREC prec
#else
#define INN_EXACT 1
#define INN_LOG(z, x) ((void) (x), fmpq_zero(z))
#define INN_POSITIVE(x) (fmpq_sgn(x) > 0)
#define INN_FINITE(x) ((void) (x), 1)
#define INN_SET_ARB(z, c) ((void) (c), fmpq_zero(z))
#define INN_CONST_PREC 0
#endif

/* ------------------------------------------------------------------ parameters, workspace */

typedef struct
{
    int nl;
    fy_el_ptr *W, *b, *G, *g; /* per layer in the backend's numbers (NULL where absent) */
    slong *nW, *nG;
    fy_el_t cst; /* sum ln|det W| - (d/2) ln 2 pi (left 0 in exact arithmetic or on demand) */
} FY_FN(inn_par_struct);

static fy_el_ptr FY_FN(inn_par_copy)(const fmpq *q, slong n, slong prec)
{
    slong i;
    fy_el_ptr p;
    if (q == NULL)
        return NULL;
    p = FY_VEC_INIT(n);
    for (i = 0; i < n; i++)
        FY_EL_SET_FMPQ(p + i, q + i);
    (void) prec;
    return p;
}

static void FY_FN(inn_par_clear)(FY_FN(inn_par_struct) *P, const fy_inn_t net)
{
    int l, d = net->d;
    for (l = 0; l < P->nl; l++)
    {
        if (P->W[l])
            FY_VEC_CLEAR(P->W[l], P->nW[l]);
        if (P->b[l])
            FY_VEC_CLEAR(P->b[l], d);
        if (P->G[l])
            FY_VEC_CLEAR(P->G[l], P->nG[l]);
        if (P->g[l])
            FY_VEC_CLEAR(P->g[l], d);
    }
    flint_free(P->W);
    flint_free(P->b);
    flint_free(P->G);
    flint_free(P->g);
    flint_free(P->nW);
    flint_free(P->nG);
    FY_EL_CLEAR(P->cst);
}

/* want_c0: compute the constant (logarithms) as well. */
static int FY_FN(inn_par_init)(FY_FN(inn_par_struct) *P, const fy_inn_t net, int want_c0,
                               slong prec, fy_error_t err)
{
    int l, d = net->d, rc = FY_OK;
    size_t nl = (size_t) (net->nlayers > 0 ? net->nlayers : 1);

    P->nl = net->nlayers;
    P->W = flint_calloc(nl, sizeof(fy_el_ptr));
    P->b = flint_calloc(nl, sizeof(fy_el_ptr));
    P->G = flint_calloc(nl, sizeof(fy_el_ptr));
    P->g = flint_calloc(nl, sizeof(fy_el_ptr));
    P->nW = flint_calloc(nl, sizeof(slong));
    P->nG = flint_calloc(nl, sizeof(slong));
    FY_EL_INIT(P->cst);
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            P->nW[l] = (slong) d * d;
            P->W[l] = FY_FN(inn_par_copy)(ly->W, P->nW[l], prec);
            P->b[l] = FY_FN(inn_par_copy)(ly->b, d, prec);
            break;
        case FY_INN_LAYER_COUPLING:
            P->nG[l] = (slong) ly->nB * ly->nA * ly->nA;
            if (P->nG[l] > 0)
                P->G[l] = FY_FN(inn_par_copy)(ly->G, P->nG[l], prec);
            break;
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            P->g[l] = FY_FN(inn_par_copy)(ly->gamma, d, prec);
            break;
        }
    }
    if (want_c0 && !INN_EXACT)
    {
        arb_t c;
        arb_init(c);
        rc = _fy_jet_inn_const_arb(c, net, INN_CONST_PREC, err);
        if (rc == FY_OK)
            INN_SET_ARB(P->cst, c);
        arb_clear(c);
    }
    return rc;
}

typedef struct
{
    slong nuv, M;
    fy_el_ptr u, y, w; /* d series each (w: coupling scratch) */
    fy_el_ptr acc, s, L, q, c; /* one series each */
    fy_el_ptr tmp;             /* one element */
} FY_FN(inn_ws_struct);

static void FY_FN(inn_ws_init)(FY_FN(inn_ws_struct) *w, int d, int N)
{
    w->M = (slong) N + 1;
    w->nuv = (slong) d * w->M;
    w->u = FY_VEC_INIT(w->nuv);
    w->y = FY_VEC_INIT(w->nuv);
    w->w = FY_VEC_INIT(w->nuv);
    w->acc = FY_VEC_INIT(w->M);
    w->s = FY_VEC_INIT(w->M);
    w->L = FY_VEC_INIT(w->M);
    w->q = FY_VEC_INIT(w->M);
    w->c = FY_VEC_INIT(w->M);
    w->tmp = FY_VEC_INIT(1);
}

static void FY_FN(inn_ws_clear)(FY_FN(inn_ws_struct) *w)
{
    FY_VEC_CLEAR(w->u, w->nuv);
    FY_VEC_CLEAR(w->y, w->nuv);
    FY_VEC_CLEAR(w->w, w->nuv);
    FY_VEC_CLEAR(w->acc, w->M);
    FY_VEC_CLEAR(w->s, w->M);
    FY_VEC_CLEAR(w->L, w->M);
    FY_VEC_CLEAR(w->q, w->M);
    FY_VEC_CLEAR(w->c, w->M);
    FY_VEC_CLEAR(w->tmp, 1);
}

/* ------------------------------------------------------------------ series kernels */

/* z += a b truncated to M terms; z must not alias a or b. */
static void FY_FN(inn_addmul_series)(fy_el_ptr z, fy_el_srcptr a, fy_el_srcptr b, slong M,
                                     slong prec)
{
    slong k, i;
    (void) prec;
    for (k = 0; k < M; k++)
        for (i = 0; i <= k; i++)
            FY_EL_ADDMUL(z + k, a + i, b + (k - i));
}

/* z = a^2 truncated to M terms, by symmetry; z must not alias a. */
static void FY_FN(inn_square_series)(fy_el_ptr z, fy_el_srcptr a, slong M, slong prec)
{
    slong k, i;
    (void) prec;
    for (k = 0; k < M; k++)
    {
        FY_EL_ZERO(z + k);
        for (i = 0; 2 * i < k; i++)
            FY_EL_ADDMUL(z + k, a + i, a + (k - i));
        FY_EL_MUL_SI(z + k, z + k, 2);
        if (k % 2 == 0)
            FY_EL_ADDMUL(z + k, a + k / 2, a + k / 2);
    }
}

/* L_1.. L_(M-1) of ln s (L_0 untouched): s L' = s'. */
static void FY_FN(inn_log_series)(fy_el_ptr L, fy_el_srcptr s, slong M, fy_el_ptr tmp,
                                  slong prec)
{
    slong k, j;
    (void) prec;
    for (k = 1; k < M; k++)
    {
        FY_EL_ZERO(tmp);
        for (j = 1; j < k; j++)
        {
            FY_EL_MUL_SI(L + k, L + j, j);
            FY_EL_ADDMUL(tmp, L + k, s + (k - j));
        }
        FY_EL_DIV_SI(tmp, tmp, k);
        FY_EL_SUB(tmp, s + k, tmp);
        FY_EL_DIV(L + k, tmp, s);
    }
}

/* ------------------------------------------------------------------ the network */

/* The coefficients of ln p(x0 + t v) into ws->c (M terms); the constant term complete when
 * want_c0 (in double and balls; exact: its rational part only), else it is left without the
 * logarithms. */
static int FY_FN(inn_run)(FY_FN(inn_ws_struct) *ws, const FY_FN(inn_par_struct) *P,
                          const fy_inn_t net, fy_el_srcptr x0, fy_el_srcptr v, int want_c0,
                          slong prec, fy_error_t err)
{
    slong M = ws->M, i, j, k, r, s, t;
    int d = net->d, l;
    fy_el_ptr u = ws->u, y = ws->y, sw;

    for (i = 0; i < d; i++)
    {
        for (k = 0; k < M; k++)
            FY_EL_ZERO(u + i * M + k);
        if (x0)
            FY_EL_SET(u + i * M, x0 + i);
        if (M > 1 && v)
            FY_EL_SET(u + i * M + 1, v + i);
    }
    for (k = 0; k < M; k++)
        FY_EL_ZERO(ws->acc + k);
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
        {
            fy_el_srcptr W = P->W[l], b = P->b[l];
            for (i = 0; i < d; i++)
            {
                for (k = 0; k < M; k++)
                {
                    fy_el_ptr z = y + i * M + k;
                    FY_EL_ZERO(z);
                    for (j = 0; j < d; j++)
                        if (!FY_EL_IS_ZERO(W + i * d + j))
                            FY_EL_ADDMUL(z, W + i * d + j, u + j * M + k);
                }
                if (b)
                    FY_EL_ADD(y + i * M, y + i * M, b + i);
            }
            sw = u;
            u = y;
            y = sw;
            break;
        }
        case FY_INN_LAYER_COUPLING:
        {
            slong nA = ly->nA;
            fy_el_srcptr G = P->G[l];
            for (t = 0; t < ly->nB && nA > 0; t++)
            {
                fy_el_ptr ub = u + (slong) ly->B[t] * M;
                for (r = 0; r < nA; r++)
                {
                    fy_el_ptr wr = ws->w + r * M;
                    for (k = 0; k < M; k++)
                        FY_EL_ZERO(wr + k);
                    for (s = 0; s < nA; s++)
                    {
                        fy_el_srcptr g = G + (t * nA + r) * nA + s, ua = u + ly->A[s] * M;
                        if (FY_EL_IS_ZERO(g))
                            continue;
                        for (k = 0; k < M; k++)
                            FY_EL_ADDMUL(wr + k, g, ua + k);
                    }
                }
                for (r = 0; r < nA; r++)
                    FY_FN(inn_addmul_series)(ub, u + (slong) ly->A[r] * M, ws->w + r * M, M,
                                             prec);
            }
            break;
        }
        case FY_INN_LAYER_ELEMENTWISE:
            for (i = 0; i < d; i++)
            {
                fy_el_srcptr g = P->g[l] + i;
                fy_el_ptr ui = u + i * M;
                if (FY_EL_IS_ZERO(g))
                    continue;
                /* s = 1 + 2 gamma u */
                for (k = 0; k < M; k++)
                {
                    FY_EL_MUL(ws->s + k, g, ui + k);
                    FY_EL_MUL_SI(ws->s + k, ws->s + k, 2);
                }
                FY_EL_ONE(ws->tmp);
                FY_EL_ADD(ws->s, ws->s, ws->tmp);
                if (!INN_POSITIVE(ws->s))
                    return fy_error_set(err, FY_EINPUT,
                                        "jet: INN layer %d (%s), neuron %ld: the Jacobian 1 + 2 "
                                        "gamma h = %g %s at this point, so the log-density "
                                        "does not exist there (|h| must stay below "
                                        "1/(2|gamma|) where gamma h < 0)", l,
                                        ly->name ? ly->name : "elementwise", (long) i,
                                        FY_EL_GET_D(ws->s),
                                        FY_ARITH == FY_ARITH_BALL
                                            ? "is not certainly positive"
                                            : "is not positive");
                FY_FN(inn_log_series)(ws->L, ws->s, M, ws->tmp, prec);
                for (k = 1; k < M; k++)
                    FY_EL_ADD(ws->acc + k, ws->acc + k, ws->L + k);
                if (want_c0 && !INN_EXACT)
                {
                    INN_LOG(ws->tmp, ws->s);
                    FY_EL_ADD(ws->acc, ws->acc, ws->tmp);
                }
                /* u += gamma u^2 */
                FY_FN(inn_square_series)(ws->q, ui, M, prec);
                for (k = 0; k < M; k++)
                    FY_EL_ADDMUL(ui + k, g, ws->q + k);
            }
            break;
        case FY_INN_LAYER_CUBIC:
            for (i = 0; i < d; i++)
            {
                fy_el_srcptr g = P->g[l] + i;
                fy_el_ptr ui = u + i * M;
                if (FY_EL_IS_ZERO(g))
                    continue;
                /* s = 1 + 3 gamma u^2 */
                FY_FN(inn_square_series)(ws->q, ui, M, prec);
                for (k = 0; k < M; k++)
                {
                    FY_EL_MUL(ws->s + k, g, ws->q + k);
                    FY_EL_MUL_SI(ws->s + k, ws->s + k, 3);
                }
                FY_EL_ONE(ws->tmp);
                FY_EL_ADD(ws->s, ws->s, ws->tmp);
                if (!INN_POSITIVE(ws->s))
                    return fy_error_set(err, FY_EINPUT,
                                        "jet: INN layer %d (%s), neuron %ld: the Jacobian 1 + 3 "
                                        "gamma h^2 = %g %s at this point, so the log-density "
                                        "does not exist there", l,
                                        ly->name ? ly->name : "cubic", (long) i,
                                        FY_EL_GET_D(ws->s),
                                        FY_ARITH == FY_ARITH_BALL
                                            ? "is not certainly positive"
                                            : "is not positive");
                FY_FN(inn_log_series)(ws->L, ws->s, M, ws->tmp, prec);
                for (k = 1; k < M; k++)
                    FY_EL_ADD(ws->acc + k, ws->acc + k, ws->L + k);
                if (want_c0 && !INN_EXACT)
                {
                    INN_LOG(ws->tmp, ws->s);
                    FY_EL_ADD(ws->acc, ws->acc, ws->tmp);
                }
                /* u += gamma u^3: ws->s := u^2 u (ws->s is free again), then added */
                for (k = 0; k < M; k++)
                    FY_EL_ZERO(ws->s + k);
                FY_FN(inn_addmul_series)(ws->s, ws->q, ui, M, prec);
                for (k = 0; k < M; k++)
                    FY_EL_ADDMUL(ui + k, g, ws->s + k);
            }
            break;
        default:
            return fy_error_set(err, FY_EINPUT, "jet: INN layer %d has an unknown kind %d", l,
                                (int) ly->kind);
        }
    }
    /* latent: c = -|z|^2 / 2 + log-dets */
    for (k = 0; k < M; k++)
        FY_EL_ZERO(ws->c + k);
    for (i = 0; i < d; i++)
    {
        FY_FN(inn_square_series)(ws->q, u + i * M, M, prec);
        for (k = 0; k < M; k++)
            FY_EL_ADD(ws->c + k, ws->c + k, ws->q + k);
    }
    for (k = 0; k < M; k++)
    {
        FY_EL_DIV_SI(ws->c + k, ws->c + k, -2);
        FY_EL_ADD(ws->c + k, ws->c + k, ws->acc + k);
    }
    if (want_c0 && !INN_EXACT)
        FY_EL_ADD(ws->c, ws->c, P->cst);
    for (k = 0; k < M; k++)
        if (!INN_FINITE(ws->c + k))
            return fy_error_set(err, FY_EUNSUPPORTED,
                                "jet: the INN log-density coefficient of order %ld is not "
                                "finite in %s arithmetic%s", (long) k,
                                fy_arith_name(FY_ARITH),
                                FY_ARITH == FY_ARITH_BALL
                                    ? " (the ball blew up: raise the precision)"
                                    : " (overflow: use ball or exact arithmetic)");
    return FY_OK;
}

int FY_FN(_fy_jet_inn_dir)(fy_el_ptr c, const fy_inn_t net, fy_el_srcptr x0, fy_el_srcptr v,
                           int N, slong prec, fy_error_t err)
{
    FY_FN(inn_par_struct) P;
    FY_FN(inn_ws_struct) ws;
    int rc;
    slong k;

    rc = FY_FN(inn_par_init)(&P, net, 1, prec, err);
    FY_FN(inn_ws_init)(&ws, net->d, N);
    if (rc == FY_OK)
        rc = FY_FN(inn_run)(&ws, &P, net, x0, v, 1, prec, err);
    if (rc == FY_OK)
        for (k = 0; k <= N; k++)
            FY_EL_SET(c + k, ws.c + k);
    FY_FN(inn_ws_clear)(&ws);
    FY_FN(inn_par_clear)(&P, net);
    return rc;
}

int FY_FN(_fy_jet_inn_tensor)(fy_el_ptr T, const fy_inn_t net, const fmpq *x0, int n,
                              slong prec, fy_error_t err)
{
    FY_FN(inn_par_struct) P;
    FY_FN(inn_ws_struct) ws;
    fy_jet_interp_t I;
    fy_el_ptr F, v, x = NULL;
    int *dir, d = net->d, m, rc;
    slong C, r;

    if ((rc = fy_jet_interp_init(I, d, n, err)) != FY_OK)
        return rc;
    C = I->ndirs;
    dir = flint_malloc(sizeof(int) * (size_t) d);
    F = FY_VEC_INIT(C);
    v = FY_VEC_INIT(d);
    if (x0)
        x = FY_FN(inn_par_copy)(x0, d, prec);
    rc = FY_FN(inn_par_init)(&P, net, 0, prec, err);
    FY_FN(inn_ws_init)(&ws, d, n);
    for (r = 0; r < C && rc == FY_OK; r++)
    {
        fy_jet_interp_direction(dir, I, r);
        for (m = 0; m < d; m++)
            FY_EL_SET_SI(v + m, dir[m]);
        rc = FY_FN(inn_run)(&ws, &P, net, x, v, 0, prec, err);
        if (rc == FY_OK)
            FY_EL_SET(F + r, ws.c + n);
    }
    if (rc == FY_OK)
        rc = FY_FN(_fy_jet_interp_apply)(T, F, I, prec, err);
    for (r = 0; r < C && rc == FY_OK; r++)
        if (!INN_FINITE(T + r))
            rc = fy_error_set(err, FY_EUNSUPPORTED, "jet: an entry of the INN derivative "
                              "tensor of order %d is not finite in %s arithmetic", n,
                              fy_arith_name(FY_ARITH));
    FY_FN(inn_ws_clear)(&ws);
    FY_FN(inn_par_clear)(&P, net);
    if (x)
        FY_VEC_CLEAR(x, d);
    FY_VEC_CLEAR(v, d);
    FY_VEC_CLEAR(F, C);
    flint_free(dir);
    fy_jet_interp_clear(I);
    return rc;
}

#undef INN_EXACT
#undef INN_LOG
#undef INN_POSITIVE
#undef INN_FINITE
#undef INN_SET_ARB
#undef INN_CONST_PREC
