/* The action of an INN by pulling the latent Gaussian back through its layers (inn.h). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>

#include "inn/inn_internal.h"

/* FLINT 2.9 has no _fmpq_vec_set. */
static void vec_set(fmpq *z, const fmpq *x, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_set(z + i, x + i);
}

void fy_inn_opts_init(fy_inn_opts_t o)
{
    memset(o, 0, sizeof(*o));
    o->arith = FY_ARITH_EXACT;
    o->prec = 128;
    o->order = 4;
}

int fy_inn_action_degree(const fy_inn_t net)
{
    int l, c = 0;
    for (l = 0; l < net->nlayers; l++)
    {
        if (net->layers[l].kind == FY_INN_LAYER_ELEMENTWISE ||
            net->layers[l].kind == FY_INN_LAYER_CUBIC)
            return -1;
        if (net->layers[l].kind == FY_INN_LAYER_COUPLING && net->layers[l].nB > 0)
            c++;
    }
    return c >= 29 ? INT_MAX / 2 : 1 << (1 + c);
}

/* ------------------------------------------------------------------ actions */

void fy_inn_action_init(fy_inn_action_t S)
{
    memset(S, 0, sizeof(*S));
    S->K = -1;
    S->sign = 1;
    fmpq_init(S->logr);
    fmpq_one(S->logr);
}

void fy_inn_action_clear(fy_inn_action_t S)
{
    int k;
    for (k = 0; k <= S->K && S->A; k++)
        fy_symtensor_clear(S->A + k);
    flint_free(S->A);
    if (S->x0)
        _fmpq_vec_clear(S->x0, S->d);
    fmpq_clear(S->logr);
    memset(S, 0, sizeof(*S));
    S->K = -1;
}

/* S re-made as zero tensors of orders 0..K over d variables. */
static int action_fit(fy_inn_action_t S, fy_arith_t arith, slong prec, int d, int K,
                      fy_error_t err)
{
    int k, status = FY_OK;
    fy_inn_action_clear(S);
    fy_inn_action_init(S);
    S->arith = arith;
    S->prec = prec;
    S->d = d;
    S->A = flint_calloc((size_t) K + 1, sizeof(fy_symtensor_struct));
    S->x0 = _fmpq_vec_init(d);
    for (k = 0; k <= K; k++)
    {
        S->K = k;
        status = fy_symtensor_init(S->A + k, arith, d, k, prec, err);
        if (status)
            return status;
    }
    return FY_OK;
}

static int action_copy(fy_inn_action_t Z, const fy_inn_action_t S, fy_error_t err)
{
    int k, status = action_fit(Z, S->arith, S->prec, S->d, S->K, err);
    for (k = 0; k <= S->K && !status; k++)
        status = fy_symtensor_convert(Z->A + k, S->arith, S->prec, S->A + k, err);
    if (status)
        return status;
    fmpq_set(Z->logr, S->logr);
    vec_set(Z->x0, S->x0, S->d);
    Z->sign = S->sign;
    Z->gamma = S->gamma;
    return FY_OK;
}

void fy_inn_action_constant_arb(arb_t c, const fy_inn_action_t S, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(c, S->logr, prec);
    arb_log(c, c, prec);
    arb_const_pi(t, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_log(t, t, prec);
    arb_mul_si(t, t, S->d, prec);
    arb_mul_2exp_si(t, t, -1);
    arb_sub(c, c, t, prec);
    if (S->sign < 0)
        arb_neg(c, c);
    arb_clear(t);
}

int fy_inn_action_neg(fy_inn_action_t S, fy_error_t err)
{
    int k, status = FY_OK;
    for (k = 0; k <= S->K && !status; k++)
        status = fy_numvec_neg(&S->A[k].e, &S->A[k].e, err);
    S->sign = -S->sign;
    return status;
}

int fy_inn_action_to_gamma(fy_inn_action_t S, fy_error_t err)
{
    int k, status = FY_OK;
    fmpq_t f;
    if (S->gamma)
        return FY_OK;
    fmpq_init(f);
    fmpq_one(f);
    for (k = 0; k <= S->K && !status; k++)
    {
        if (k > 1)
            fmpz_mul_ui(fmpq_numref(f), fmpq_numref(f), (ulong) k);
        status = fy_numvec_scale_fmpq(&S->A[k].e, &S->A[k].e, f, err);
    }
    fmpq_clear(f);
    S->gamma = 1;
    return status;
}

void fy_inn_result_init(fy_inn_result_t R)
{
    memset(R, 0, sizeof(*R));
    fy_inn_action_init(R->S);
}

void fy_inn_result_clear(fy_inn_result_t R)
{
    int l;
    fy_inn_action_clear(R->S);
    if (R->layer)
    {
        for (l = 0; l <= R->nlayers; l++)
            fy_inn_action_clear(R->layer + l);
        flint_free(R->layer);
    }
    memset(R, 0, sizeof(*R));
    fy_inn_action_init(R->S);
}

/* ------------------------------------------------------------------ layer maps */

void _fy_inn_lmap_init(fy_inn_lmap_t M, int d)
{
    memset(M, 0, sizeof(*M));
    M->d = d;
}

void _fy_inn_lmap_clear(fy_inn_lmap_t M)
{
    if (M->L)
        _fmpq_vec_clear(M->L, (slong) M->d * M->d);
    if (M->q)
        _fmpq_vec_clear(M->q, M->allocq);
    if (M->c)
        _fmpq_vec_clear(M->c, M->d);
    if (M->qd)
        _fmpq_vec_clear(M->qd, M->d);
    if (M->r3)
        _fmpq_vec_clear(M->r3, M->d);
    if (M->c2)
        _fmpq_vec_clear(M->c2, M->d);
    flint_free(M->qb);
    flint_free(M->qa);
    flint_free(M->qc);
    memset(M, 0, sizeof(*M));
}

static void lmap_push_q(fy_inn_lmap_t M, int b, int a, int c, const fmpq_t q)
{
    if (M->nq == M->allocq)
    {
        slong na = M->allocq ? 2 * M->allocq : 16, i;
        fmpq *nq = _fmpq_vec_init(na);
        for (i = 0; i < M->nq; i++)
            fmpq_swap(nq + i, M->q + i);
        if (M->q)
            _fmpq_vec_clear(M->q, M->allocq);
        M->q = nq;
        M->qb = flint_realloc(M->qb, sizeof(int) * (size_t) na);
        M->qa = flint_realloc(M->qa, sizeof(int) * (size_t) na);
        M->qc = flint_realloc(M->qc, sizeof(int) * (size_t) na);
        M->allocq = na;
    }
    M->qb[M->nq] = b;
    M->qa[M->nq] = a;
    M->qc[M->nq] = c;
    fmpq_set(M->q + M->nq, q);
    M->nq++;
}

static void det_abs(fmpq_t r, const fmpq *W, int d)
{
    fmpq_mat_t A;
    int i, j;
    fmpq_mat_init(A, d, d);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            fmpq_set(fmpq_mat_entry(A, i, j), W + (slong) i * d + j);
    fmpq_mat_det(r, A);
    fmpq_abs(r, r);
    fmpq_mat_clear(A);
}

/* A cubic layer y = u + gamma u^3 at u0: y0 + D (t + q t^2 + r3 t^3) with D = 1 + 3 gamma
 * u0^2, q = 3 gamma u0 / D, r3 = gamma / D, and ln(1 + 3 gamma (u0 + t)^2) = ln D +
 * ln(1 + c t + c2 t^2), c = 6 gamma u0 / D, c2 = 3 gamma / D. */
static int lmap_set_cubic(fy_inn_lmap_t M, fmpq_t r, const fy_inn_layer_struct *Ly, int l,
                          int d, const fmpq *u0, fy_error_t err)
{
    fmpq_t D, t;
    int i, any = 0;
    M->qd = _fmpq_vec_init(d);
    M->r3 = _fmpq_vec_init(d);
    M->c = _fmpq_vec_init(d);
    M->c2 = _fmpq_vec_init(d);
    for (i = 0; i < d; i++)
        any |= !fmpq_is_zero(u0 + i) && !fmpq_is_zero(Ly->gamma + i);
    if (any)
        M->L = _fmpq_vec_init((slong) d * d);
    fmpq_init(D);
    fmpq_init(t);
    for (i = 0; i < d; i++)
    {
        fmpq_mul(t, u0 + i, u0 + i);
        fmpq_mul(t, t, Ly->gamma + i);
        fmpq_mul_si(D, t, 3);
        fmpq_add_si(D, D, 1);
        if (fmpq_sgn(D) <= 0)
        {
            double h = fy_fmpq_get_d(u0 + i), g = fy_fmpq_get_d(Ly->gamma + i);
            fmpq_clear(D);
            fmpq_clear(t);
            return fy_error_set(err, FY_EINPUT,
                                "layer %d (%s, cubic): the Jacobian 1 + 3 gamma h^2 of neuron "
                                "%d is not positive at the expansion point (h = %.6g, gamma = "
                                "%.6g): the layer is not invertible there; expand about a "
                                "point with |h| < 1/sqrt(-3 gamma)",
                                l, Ly->name ? Ly->name : "?", i, h, g);
        }
        fmpq_mul(r, r, D);
        if (M->L)
            fmpq_set(M->L + (slong) i * d + i, D);
        fmpq_div(M->r3 + i, Ly->gamma + i, D);
        fmpq_mul_si(M->c2 + i, M->r3 + i, 3);
        fmpq_mul(M->qd + i, M->c2 + i, u0 + i);
        fmpq_mul_2exp(M->c + i, M->qd + i, 1);
    }
    fmpq_clear(D);
    fmpq_clear(t);
    return FY_OK;
}

int _fy_inn_lmap_set(fy_inn_lmap_t M, fmpq_t r, const fy_inn_t net, int l, const fmpq *u0,
                     fy_error_t err)
{
    const fy_inn_layer_struct *Ly = net->layers + l;
    int d = net->d, i, t, rr, s, any;
    fmpq_t x;

    _fy_inn_lmap_clear(M);
    _fy_inn_lmap_init(M, d);
    fmpq_one(r);
    fmpq_init(x);
    switch (Ly->kind)
    {
    case FY_INN_LAYER_AFFINE:
        M->L = _fmpq_vec_init((slong) d * d);
        vec_set(M->L, Ly->W, (slong) d * d);
        det_abs(r, Ly->W, d);
        break;
    case FY_INN_LAYER_COUPLING:
        any = 0;
        for (i = 0; i < Ly->nA; i++)
            any |= !fmpq_is_zero(u0 + Ly->A[i]);
        if (any)
        {
            M->L = _fmpq_vec_init((slong) d * d);
            for (i = 0; i < d; i++)
                fmpq_one(M->L + (slong) i * d + i);
            /* N[B[t]][A[s]] = 2 sum_r G[t, r, s] u0[A[r]] */
            for (t = 0; t < Ly->nB; t++)
                for (s = 0; s < Ly->nA; s++)
                {
                    fmpq *e = M->L + (slong) Ly->B[t] * d + Ly->A[s];
                    fmpq_zero(x);
                    for (rr = 0; rr < Ly->nA; rr++)
                        fmpq_addmul(x, Ly->G + ((slong) t * Ly->nA + rr) * Ly->nA + s,
                                    u0 + Ly->A[rr]);
                    fmpq_mul_2exp(x, x, 1);
                    fmpq_add(e, e, x);
                }
        }
        for (t = 0; t < Ly->nB; t++)
            for (rr = 0; rr < Ly->nA; rr++)
                for (s = 0; s < Ly->nA; s++)
                {
                    const fmpq *g = Ly->G + ((slong) t * Ly->nA + rr) * Ly->nA + s;
                    if (!fmpq_is_zero(g))
                        lmap_push_q(M, Ly->B[t], Ly->A[rr], Ly->A[s], g);
                }
        break;
    case FY_INN_LAYER_ELEMENTWISE:
        M->c = _fmpq_vec_init(d);
        any = 0;
        for (i = 0; i < d; i++)
            any |= !fmpq_is_zero(u0 + i) && !fmpq_is_zero(Ly->gamma + i);
        if (any)
            M->L = _fmpq_vec_init((slong) d * d);
        for (i = 0; i < d; i++)
        {
            /* D_i = 1 + 2 gamma_i u0_i */
            fmpq_mul(x, Ly->gamma + i, u0 + i);
            fmpq_mul_2exp(x, x, 1);
            fmpq_add_si(x, x, 1);
            if (fmpq_sgn(x) <= 0)
            {
                double h = fy_fmpq_get_d(u0 + i), g = fy_fmpq_get_d(Ly->gamma + i);
                fmpq_clear(x);
                return fy_error_set(err, FY_EINPUT,
                                    "layer %d (%s, elementwise): the Jacobian 1 + 2 gamma h of "
                                    "neuron %d is %s at the expansion point (h = %.6g, gamma = "
                                    "%.6g): the layer is not invertible there; expand about a "
                                    "point with h > -1/(2 gamma)",
                                    l, Ly->name ? Ly->name : "?", i,
                                    fmpq_is_zero(x) ? "zero" : "negative", h, g);
            }
            fmpq_mul(r, r, x);
            if (M->L)
                fmpq_set(M->L + (slong) i * d + i, x);
            /* c_i = 2 gamma_i / D_i, q_i = gamma_i / D_i */
            fmpq_div(M->c + i, Ly->gamma + i, x);
            if (!fmpq_is_zero(M->c + i))
                lmap_push_q(M, i, i, i, M->c + i);
            fmpq_mul_2exp(M->c + i, M->c + i, 1);
        }
        break;
    case FY_INN_LAYER_CUBIC:
        fmpq_clear(x);
        return lmap_set_cubic(M, r, Ly, l, d, u0, err);
    default:
        fmpq_clear(x);
        return fy_error_set(err, FY_EINPUT, "layer %d: unknown kind %d", l, (int) Ly->kind);
    }
    fmpq_clear(x);
    return FY_OK;
}

/* ------------------------------------------------------------------ cost */

static double el_bytes(fy_arith_t a)
{
    return a == FY_ARITH_DOUBLE ? 8.0 : (a == FY_ARITH_BALL ? 64.0 : 48.0);
}

static int resolve_order(int *K, const fy_inn_t net, int order, fy_error_t err)
{
    if (order == FY_INN_ALL_ORDERS)
    {
        *K = fy_inn_action_degree(net);
        if (*K < 0)
            return fy_error_set(err, FY_EINPUT,
                                "an elementwise layer makes ln p an infinite series (its "
                                "log-det ln(1 + 2 gamma h)); give a truncation order instead "
                                "of all orders");
    }
    else
        *K = order;
    if (*K < 0 || *K > FY_INN_MAX_ORDER)
        return fy_error_set(err, FY_EINPUT, "order %d outside 0..%d%s", *K, FY_INN_MAX_ORDER,
                            order == FY_INN_ALL_ORDERS ? " (the full polynomial's degree)" : "");
    return FY_OK;
}

int fy_inn_action_cost(double *bytes, double *ops, const fy_inn_t net, const fy_inn_opts_t o,
                       double max_bytes, fy_error_t err)
{
    int K, k, l, status;
    double d = net->d, big, sum = 0.0, nq = 0.0, by, op = 0.0;
    if ((status = resolve_order(&K, net, o->order, err)))
        return status;
    if (net->d < 1)
        return fy_error_set(err, FY_EINPUT, "the network has no dimension (no layers read)");
    big = pow(d, K);
    for (k = 0; k <= K; k++)
        sum += pow(d, k);
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].kind == FY_INN_LAYER_COUPLING)
            nq = fmax(nq, (double) net->layers[l].nB * net->layers[l].nA * net->layers[l].nA);
    by = el_bytes(o->arith) * (2.0 * big + sum) * (o->keep_layers ? 2.0 : 1.0);
    for (k = 1; k <= K; k++)
        op += k * pow(d, k + 1) + pow(d, k - 1) * fmax(nq, d) * (K - k + 1);
    op *= net->nlayers > 0 ? net->nlayers : 1;
    if (bytes)
        *bytes = by;
    if (ops)
        *ops = op;
    if (max_bytes <= 0)
        max_bytes = (double) FY_NUMVEC_MAX_BYTES;
    if (by > max_bytes)
        return fy_error_set(err, FY_ENOMEM,
                            "the order-%d action of a %d-dimensional INN in %s arithmetic would "
                            "need about %.3g GiB (dense work tensors of %d^%d entries), above the "
                            "limit of %.3g GiB; ask for a lower order%s, or "
                            FY_MEMORY_LIMIT_HINT,
                            K, net->d, fy_arith_name(o->arith), by / 1073741824.0, net->d, K,
                            max_bytes / 1073741824.0,
                            o->arith != FY_ARITH_DOUBLE ? " or double arithmetic" : "");
    return FY_OK;
}

/* ------------------------------------------------------------------ the pull-back */

static void *ws_init(fy_arith_t a, int d, int K)
{
    return a == FY_ARITH_DOUBLE ? _fy_inn_ws_init_d(d, K)
           : a == FY_ARITH_BALL ? _fy_inn_ws_init_arb(d, K)
                                : _fy_inn_ws_init_fmpq(d, K);
}

static void ws_clear(fy_arith_t a, void *ws)
{
    if (a == FY_ARITH_DOUBLE)
        _fy_inn_ws_clear_d(ws);
    else if (a == FY_ARITH_BALL)
        _fy_inn_ws_clear_arb(ws);
    else
        _fy_inn_ws_clear_fmpq(ws);
}

/* terms (may be NULL): nh tensors per order, nh = K / 2 + 1 (FY_INN_CUBIC_NT(K) for a cubic
 * layer: inn_internal.h). */
static int pull(fy_inn_action_t Z, fy_symtensor_struct *terms, fy_symtensor_struct *logdet,
                const fy_inn_action_t S, const fy_inn_lmap_t M, const fy_mindex_t ix, void *ws,
                fy_error_t err)
{
    int K = S->K, k, nh = M->r3 ? FY_INN_CUBIC_NT(K) : K / 2 + 1, j, status;
    void **in = flint_calloc((size_t) K + 1, sizeof(void *));
    void **out = flint_calloc((size_t) K + 1, sizeof(void *));
    void **tt = terms ? flint_calloc((size_t) (K + 1) * nh, sizeof(void *)) : NULL;
    void **ld = logdet ? flint_calloc((size_t) K + 1, sizeof(void *)) : NULL;
    for (k = 0; k <= K; k++)
    {
        in[k] = S->A[k].e.v;
        out[k] = Z->A[k].e.v;
        if (ld)
            ld[k] = logdet[k].e.v;
        for (j = 0; tt && j < nh; j++)
            tt[k * nh + j] = terms[k * nh + j].e.v;
    }
    switch (S->arith)
    {
    case FY_ARITH_DOUBLE:
        status = _fy_inn_pull_d((double **) out, (double **) tt, (double **) ld,
                                (double *const *) in, M, ix, K, ws, S->prec, err);
        break;
    case FY_ARITH_BALL:
        status = _fy_inn_pull_arb((arb_struct **) out, (arb_struct **) tt, (arb_struct **) ld,
                                  (arb_struct *const *) in, M, ix, K, ws, S->prec,
                                  err);
        break;
    default:
        status = _fy_inn_pull_fmpq((fmpq **) out, (fmpq **) tt, (fmpq **) ld,
                                   (fmpq *const *) in, M, ix, K, ws, S->prec, err);
    }
    flint_free(in);
    flint_free(out);
    flint_free(tt);
    flint_free(ld);
    return status;
}

static void root(fy_inn_action_t S, const fmpq *z0, const fy_mindex_t ix)
{
    int k;
    void **out = flint_calloc((size_t) S->K + 1, sizeof(void *));
    for (k = 0; k <= S->K; k++)
        out[k] = S->A[k].e.v;
    if (S->arith == FY_ARITH_DOUBLE)
        _fy_inn_root_d((double **) out, z0, ix, S->K, S->prec);
    else if (S->arith == FY_ARITH_BALL)
        _fy_inn_root_arb((arb_struct **) out, z0, ix, S->K, S->prec);
    else
        _fy_inn_root_fmpq((fmpq **) out, z0, ix, S->K, S->prec);
    flint_free(out);
    vec_set(S->x0, z0, S->d);
}

/* The images u[l] (l = 0..nlayers) of x0, exact. */
static fmpq **forward_points(const fy_inn_t net, const fmpq *x0, int zero, fy_error_t err)
{
    int l, n = net->nlayers;
    fmpq **u = flint_calloc((size_t) n + 1, sizeof(fmpq *));
    for (l = 0; l <= n; l++)
        u[l] = _fmpq_vec_init(net->d);
    if (!zero && fy_inn_forward_fmpq(u, net, x0, err))
    {
        for (l = 0; l <= n; l++)
            _fmpq_vec_clear(u[l], net->d);
        flint_free(u);
        return NULL;
    }
    return u;
}

static void free_points(fmpq **u, const fy_inn_t net)
{
    int l;
    if (!u)
        return;
    for (l = 0; l <= net->nlayers; l++)
        _fmpq_vec_clear(u[l], net->d);
    flint_free(u);
}

/* naive = 1: the textbook variant (fy_inn_action_naive). */
static int run(fy_inn_result_t R, const fy_inn_t net, const fy_inn_opts_t o, int naive,
               fy_error_t err)
{
    int K, l, status, d = net->d, n = net->nlayers;
    fmpq **u = NULL;
    fmpq_t r;
    fy_mindex_t ix;
    fy_inn_action_t S, Z;
    fy_inn_lmap_t M;
    void *ws;

    fy_inn_result_clear(R);
    if ((status = fy_inn_action_cost(NULL, NULL, net, o, 0, err)))
        return status;
    resolve_order(&K, net, o->order, NULL);
    if (o->arith == FY_ARITH_BALL && o->prec < 2)
        return fy_error_set(err, FY_EINPUT, "ball precision %ld bits is too small",
                            (long) o->prec);
    if (!(u = forward_points(net, o->x0, naive, err)))
        return fy_error_prefix(err, "forward map: ");
    if ((status = fy_mindex_init(ix, d, K, err)))
    {
        free_points(u, net);
        return status;
    }
    fmpq_init(r);
    fy_inn_action_init(S);
    fy_inn_action_init(Z);
    _fy_inn_lmap_init(M, d);
    ws = ws_init(o->arith, d, K);
    R->nlayers = n;
    R->exact_truncation = !naive;
    if (o->keep_layers)
    {
        R->layer = flint_calloc((size_t) n + 1, sizeof(fy_inn_action_struct));
        for (l = 0; l <= n; l++)
            fy_inn_action_init(R->layer + l);
    }
    status = action_fit(S, o->arith, o->prec, d, K, err);
    if (!status)
    {
        root(S, u[n], ix);
        if (R->layer)
            status = action_copy(R->layer + n, S, err);
    }
    for (l = n - 1; l >= 0 && !status; l--)
    {
        if (naive && net->layers[l].kind == FY_INN_LAYER_AFFINE && net->layers[l].b)
        {
            /* re-expand S about y = b, truncated at K: A'^(m) = sum_k C(k,m) A^(k)[b^(k-m)] */
            fy_numvec_t b;
            fy_symtensor_t C;
            int m, k;
            fmpq_t bin;
            fmpq_init(bin);
            fy_numvec_init_empty(b);
            fy_symtensor_init_empty(C);
            status = fy_numvec_set_shape(b, o->arith, d, o->prec, err);
            for (k = 0; k < d && !status; k++)
                status = fy_numvec_set_fmpq(b, k, net->layers[l].b + k, err);
            if (!status)
                status = action_fit(Z, o->arith, o->prec, d, K, err);
            for (m = 0; m <= K && !status; m++)
                for (k = m; k <= K && !status; k++)
                {
                    status = fy_symtensor_contract(C, S->A + k, b, m, err);
                    fmpz_bin_uiui(fmpq_numref(bin), (ulong) k, (ulong) m);
                    if (!status)
                        status = fy_symtensor_scale_fmpq(C, C, bin, err);
                    if (!status)
                        status = fy_symtensor_add(Z->A + m, Z->A + m, C, err);
                }
            fy_symtensor_clear(C);
            fy_numvec_clear(b);
            fmpq_clear(bin);
            if (!status)
            {
                fmpq_set(Z->logr, S->logr);
                fy_inn_action_clear(S);
                *S = *Z;
                fy_inn_action_init(Z);
            }
        }
        if (!status)
            status = _fy_inn_lmap_set(M, r, net, l, u[l], err);
        /* Z is made once and reused: the pull overwrites every coefficient */
        if (!status && Z->K != K)
            status = action_fit(Z, o->arith, o->prec, d, K, err);
        if (!status)
            status = pull(Z, NULL, NULL, S, M, ix, ws, err);
        if (!status)
        {
            fy_inn_action_struct t;
            fmpq_mul(Z->logr, S->logr, r);
            vec_set(Z->x0, u[l], d);
            Z->sign = S->sign;
            Z->gamma = S->gamma;
            t = *S, *S = *Z, *Z = t;
            if (R->layer)
                status = action_copy(R->layer + l, S, err);
        }
    }
    if (!status)
    {
        fy_inn_action_clear(R->S);
        *R->S = *S;
        fy_inn_action_init(S);
    }
    fy_inn_action_clear(S);
    fy_inn_action_clear(Z);
    _fy_inn_lmap_clear(M);
    ws_clear(o->arith, ws);
    fy_mindex_clear(ix);
    fmpq_clear(r);
    free_points(u, net);
    return status;
}

int fy_inn_elementwise_radius(double *radius, const fy_inn_t net, int l, const fmpq *x0,
                              fy_error_t err)
{
    const fy_inn_layer_struct *Ly;
    fmpq **u;
    fmpq_t D, r;
    int i, status = FY_OK;
    if (l < 0 || l >= net->nlayers || (net->layers[l].kind != FY_INN_LAYER_ELEMENTWISE &&
                                       net->layers[l].kind != FY_INN_LAYER_CUBIC))
        return fy_error_set(err, FY_EINPUT, "layer %d is not an elementwise layer", l);
    Ly = net->layers + l;
    if (!(u = forward_points(net, x0, 0, err)))
        return fy_error_prefix(err, "forward map: ");
    fmpq_init(D);
    fmpq_init(r);
    *radius = INFINITY;
    for (i = 0; i < net->d && !status; i++)
    {
        if (fmpq_is_zero(Ly->gamma + i))
            continue;
        if (Ly->kind == FY_INN_LAYER_CUBIC)
        {
            /* ln(1 + 3 gamma h^2) is singular where h^2 = -1/(3 gamma): at h0 +- i s (gamma
             * > 0) or h0 +- s (gamma < 0), s = 1/sqrt(3 |gamma|) */
            double h = fy_fmpq_get_d(u[l] + i), g = fy_fmpq_get_d(Ly->gamma + i);
            double s2 = 1.0 / (3.0 * fabs(g));
            if (g > 0)
                *radius = fmin(*radius, sqrt(h * h + s2));
            else if (fabs(h) < sqrt(s2))
                *radius = fmin(*radius, sqrt(s2) - fabs(h));
            else
                status = fy_error_set(err, FY_EINPUT,
                                      "layer %d (%s, cubic): the Jacobian 1 + 3 gamma h^2 of "
                                      "neuron %d is not positive at the expansion point", l,
                                      Ly->name ? Ly->name : "?", i);
            continue;
        }
        fmpq_mul(D, Ly->gamma + i, u[l] + i);
        fmpq_mul_2exp(D, D, 1);
        fmpq_add_si(D, D, 1);
        if (fmpq_sgn(D) <= 0)
            status = fy_error_set(err, FY_EINPUT,
                                  "layer %d (%s, elementwise): the Jacobian 1 + 2 gamma h of "
                                  "neuron %d is not positive at the expansion point", l,
                                  Ly->name ? Ly->name : "?", i);
        else
        {
            fmpq_div(r, D, Ly->gamma + i);
            fmpq_abs(r, r);
            fmpq_div_2exp(r, r, 1);
            *radius = fmin(*radius, fy_fmpq_get_d(r));
        }
    }
    fmpq_clear(D);
    fmpq_clear(r);
    free_points(u, net);
    return status;
}

int fy_inn_action(fy_inn_result_t R, const fy_inn_t net, const fy_inn_opts_t o, fy_error_t err)
{
    return run(R, net, o, 0, err);
}

int fy_inn_action_naive(fy_inn_result_t R, const fy_inn_t net, int K, fy_error_t err)
{
    fy_inn_opts_t o;
    fy_inn_opts_init(o);
    o->arith = FY_ARITH_EXACT;
    o->order = K;
    return run(R, net, o, 1, err);
}

/* ---- inn-diag (issue 12): a tensor carried through a linear map (inn_internal.h) */
int _fy_inn_carry(fy_symtensor_t T, const fmpq *L, fy_error_t err)
{
    int d = T->dim, K = T->order, status;
    fy_arith_t a = T->e.arith;
    slong prec = T->e.prec;
    fy_inn_action_t S, Z;
    fy_inn_lmap_t M;
    fy_mindex_t ix;
    if ((status = fy_mindex_init(ix, d, K, err)))
        return status;
    fy_inn_action_init(S);
    fy_inn_action_init(Z);
    _fy_inn_lmap_init(M, d);
    M->L = _fmpq_vec_init((slong) d * d);
    vec_set(M->L, L, (slong) d * d);
    status = action_fit(S, a, prec, d, K, err);
    if (!status)
        status = action_fit(Z, a, prec, d, K, err);
    if (!status)
        status = fy_symtensor_add(S->A + K, S->A + K, T, err);
    if (!status)
    {
        void *ws = ws_init(a, d, K);
        status = pull(Z, NULL, NULL, S, M, ix, ws, err);
        ws_clear(a, ws);
    }
    if (!status)
        fy_symtensor_swap(T, Z->A + K);
    fy_inn_action_clear(S);
    fy_inn_action_clear(Z);
    _fy_inn_lmap_clear(M);
    fy_mindex_clear(ix);
    return status;
}

/* ------------------------------------------------------------------ diagrams of one layer */

void fy_inn_terms_init(fy_inn_terms_t D)
{
    memset(D, 0, sizeof(*D));
}

void fy_inn_terms_clear(fy_inn_terms_t D)
{
    slong i;
    for (i = 0; i < D->len; i++)
        fy_symtensor_clear(D->t[i].T);
    flint_free(D->t);
    memset(D, 0, sizeof(*D));
}

static double tensor_norm(const fy_symtensor_t T)
{
    int idx[FY_INN_MAX_ORDER + 1], p;
    slong r = 0;
    double s = 0.0, x;
    fmpz_t w;
    arb_t v;
    fmpz_init(w);
    arb_init(v);
    for (p = 0; p < T->order; p++)
        idx[p] = 0;
    do
    {
        fy_numvec_get_arb(v, &T->e, r, 64);
        x = arf_get_d(arb_midref(v), ARF_RND_NEAR);
        fy_multiindex_multinomial(w, idx, T->order);
        s += fmpz_get_d(w) * x * x;
        r++;
    } while (T->order > 0 && fy_multiindex_next(idx, T->dim, T->order));
    fmpz_clear(w);
    arb_clear(v);
    return sqrt(s);
}

static int tensor_is_zero(const fy_symtensor_t T)
{
    slong i;
    arb_t v;
    int z = 1;
    arb_init(v);
    for (i = 0; i < T->e.len && z; i++)
    {
        fy_numvec_get_arb(v, &T->e, i, 64);
        z = arb_is_zero(v);
    }
    arb_clear(v);
    return z;
}

static void terms_push(fy_inn_terms_t D, int kind, int order, int src, int n, slong mult,
                       fy_symtensor_t T)
{
    fy_inn_term_struct *t;
    if (D->len == D->alloc)
    {
        D->alloc = D->alloc ? 2 * D->alloc : 8;
        D->t = flint_realloc(D->t, sizeof(fy_inn_term_struct) * (size_t) D->alloc);
    }
    t = D->t + D->len++;
    t->kind = kind;
    t->order = order;
    t->source_order = src;
    t->n = n;
    t->multiplicity = mult;
    t->n3 = 0;
    *t->T = *T; /* takes T */
    t->norm = tensor_norm(t->T);
}

/* The (n2, n3) of slot j of a cubic layer's terms (inn_internal.h); -1 when no term. */
static int cubic_slot(int *n2, int *n3, int K, int m, int j)
{
    *n2 = j / (K / 3 + 1);
    *n3 = j % (K / 3 + 1);
    return 2 * *n2 + 3 * *n3 <= m ? 0 : -1;
}

/* The multiplicity of a term: C(m - n, n) (quadratic), k! / ((k - n2 - n3)! n2! n3!) with
 * k = m - n2 - 2 n3 (cubic). */
static slong term_mult(int m, int n2, int n3)
{
    int k = m - n2 - 2 * n3;
    slong r;
    fmpz_t b, c;
    fmpz_init(b);
    fmpz_init(c);
    fmpz_bin_uiui(b, (ulong) k, (ulong) n2);
    fmpz_bin_uiui(c, (ulong) (k - n2), (ulong) n3);
    fmpz_mul(b, b, c);
    r = fmpz_get_si(b);
    fmpz_clear(b);
    fmpz_clear(c);
    return r;
}

int fy_inn_layer_terms(fy_inn_terms_t D, const fy_inn_result_t R, const fy_inn_t net, int l,
                       const fy_inn_opts_t o, fy_error_t err)
{
    const fy_inn_action_struct *S;
    int K, d = net->d, nh, m, n, status = FY_OK, cubic;
    fy_symtensor_struct *tt, *ld;
    fy_inn_action_t Z;
    fy_inn_lmap_t M;
    fy_mindex_t ix;
    fmpq_t r;
    (void) o;

    fy_inn_terms_clear(D);
    D->layer = l;
    if (!R->layer)
        return fy_error_set(err, FY_EINPUT,
                            "the per-layer actions were not kept (set keep_layers)");
    if (l < 0 || l >= net->nlayers)
        return fy_error_set(err, FY_EINPUT, "layer %d outside 0..%d", l, net->nlayers - 1);
    cubic = net->layers[l].kind == FY_INN_LAYER_CUBIC;
    S = R->layer + l + 1;
    K = S->K;
    nh = cubic ? FY_INN_CUBIC_NT(K) : K / 2 + 1;
    if (S->gamma || S->sign < 0)
        return fy_error_set(err, FY_EINPUT, "layer terms need the actions in the A convention "
                            "of ln p");
    if ((status = fy_mindex_init(ix, d, K, err)))
        return status;
    fmpq_init(r);
    _fy_inn_lmap_init(M, d);
    fy_inn_action_init(Z);
    tt = flint_calloc((size_t) (K + 1) * nh, sizeof(fy_symtensor_struct));
    ld = flint_calloc((size_t) K + 1, sizeof(fy_symtensor_struct));
    for (m = 0; m <= K && !status; m++)
    {
        for (n = 0; n < nh && !status; n++)
            status = fy_symtensor_init(tt + m * nh + n, S->arith, d, m, S->prec, err);
        if (!status)
            status = fy_symtensor_init(ld + m, S->arith, d, m, S->prec, err);
    }
    if (!status)
        status = _fy_inn_lmap_set(M, r, net, l, R->layer[l].x0, err);
    if (!status)
        status = action_fit(Z, S->arith, S->prec, d, K, err);
    if (!status)
    {
        void *ws = ws_init(S->arith, d, K);
        status = pull(Z, tt, ld, S, M, ix, ws, err);
        ws_clear(S->arith, ws);
    }
    for (m = 0; m <= K; m++)
    {
        for (n = 0; n < nh; n++)
        {
            fy_symtensor_struct *T = tt + m * nh + n;
            int n2 = n, n3 = 0, ok = cubic ? cubic_slot(&n2, &n3, K, m, n) == 0 : 2 * n <= m;
            if (!status && ok && !tensor_is_zero(T))
            {
                terms_push(D, n2 + n3 == 0 ? FY_INN_TERM_PASS : FY_INN_TERM_SPLIT, m,
                           m - n2 - 2 * n3, n2, term_mult(m, n2, n3), T);
                D->t[D->len - 1].n3 = n3;
            }
            else
                fy_symtensor_clear(T);
        }
        if (!status && m >= 1 && M->c && !tensor_is_zero(ld + m))
            terms_push(D, FY_INN_TERM_LOGDET, m, 0, m, 1, ld + m);
        else
            fy_symtensor_clear(ld + m);
    }
    flint_free(tt);
    flint_free(ld);
    fy_inn_action_clear(Z);
    _fy_inn_lmap_clear(M);
    fy_mindex_clear(ix);
    fmpq_clear(r);
    return status;
}
