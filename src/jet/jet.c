/* Public entry points of the Taylor-mode AD: argument checks, the up-front memory estimate,
 * conversions, and the gradient and Hessian conveniences. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "jet/jet_internal.h"

static int need_net(const fy_jet_net_t J, fy_error_t err)
{
    if (J->net == NULL)
        return fy_error_set(err, FY_EINPUT, "jet: no network set (call fy_jet_net_set)");
    return FY_OK;
}

/* Element operations of one directional jet of order N: N+1 coefficients per weight (2 in the
 * first layer, whose input has degree 1) and about 3 (N+1)^2 / 2 per activated neuron. */
static double jet_ops(const fy_jet_net_t J, int N)
{
    const fy_net_struct *net = J->net;
    double ops = 0, M = (double) N + 1;
    int l;
    for (l = 1; l <= J->L; l++)
    {
        double nw = (double) net->widths[l] * (double) net->widths[l - 1];
        ops += nw * (l == 1 ? (M < 2 ? M : 2) : M);
        if (J->kind[l - 1] != FY_JET_ACT_IDENTITY)
            ops += (double) net->widths[l] * 1.5 * M * M;
    }
    return ops;
}

int fy_jet_tensor_cost(slong *ndirs, double *ops, double *bytes, const fy_jet_net_t J, int n,
                       fy_arith_t arith, fy_error_t err)
{
    slong C;
    int rc;
    size_t el = fy_numvec_bytes(arith, 1);

    if ((rc = need_net(J, err)) != FY_OK)
        return rc;
    if (n < 0)
        return fy_error_set(err, FY_EINPUT, "jet: the order must be >= 0 (got %d)", n);
    rc = fy_multiindex_count(&C, (int) J->net->widths[0], n, err);
    if (rc != FY_OK)
        return fy_error_prefix(err, "jet: tensor of order %d over %zu inputs: ", n,
                               J->net->widths[0]);
    if (ndirs)
        *ndirs = C;
    if (ops)
        /* the jets, and the interpolation (row lengths are at most a few hundred at the
         * orders anyone asks for) */
        *ops = (double) C * (jet_ops(J, n) + ldexp(2.0, n < 20 ? n : 20));
    if (bytes)
    {
        double params = 0;
        int l;
        for (l = 1; l <= J->L; l++)
            params += (double) J->net->widths[l] * ((double) J->net->widths[l - 1] + 1);
        /* F and T (C entries each), the parameters, two layers of series and scratch */
        *bytes = (double) el * (2.0 * (double) C + params +
                                (2.0 * (double) J->maxw + 4.0) * ((double) n + 1));
    }
    return FY_OK;
}

int _fy_jet_tensor_check(slong *ndirs, const fy_jet_net_t J, slong out, int n, fy_arith_t arith,
                         fy_error_t err)
{
    double ops, bytes;
    int rc;

    if ((rc = need_net(J, err)) != FY_OK)
        return rc;
    if (out < 0 || out >= (slong) J->net->widths[J->L])
        return fy_error_set(err, FY_EINPUT, "jet: output %ld out of range (the network has %zu "
                            "outputs)", (long) out, J->net->widths[J->L]);
    if (n > FY_JET_MAX_ORDER)
        return fy_error_set(err, FY_EUNSUPPORTED, "jet: tensor order %d exceeds the limit %d",
                            n, FY_JET_MAX_ORDER);
    if ((rc = fy_jet_tensor_cost(ndirs, &ops, &bytes, J, n, arith, err)) != FY_OK)
        return rc;
    if (bytes > (double) FY_NUMVEC_MAX_BYTES)
        return fy_error_set(err, FY_ENOMEM,
                            "jet: the derivative tensor of order %d over %zu inputs needs "
                            "C(%zu+%d-1, %d) = %ld directional jets of order %d (about %.3g "
                            "operations) and about %.3g bytes, over the limit of %.3g bytes; "
                            "ask for a lower order or fewer inputs, or " FY_MEMORY_LIMIT_HINT, n, J->net->widths[0],
                            J->net->widths[0], n, n, (long) *ndirs, n, ops, bytes,
                            (double) FY_NUMVEC_MAX_BYTES);
    return FY_OK;
}

int _fy_jet_dir_check(const fy_jet_net_t J, int N, fy_arith_t arith, fy_error_t err)
{
    double params = 0, bytes;
    int l;
    for (l = 1; l <= J->L; l++)
        params += (double) J->net->widths[l] * ((double) J->net->widths[l - 1] + 1);
    bytes = (double) fy_numvec_bytes(arith, 1) *
            (params + (2.0 * (double) J->maxw + 4.0) * ((double) N + 1));
    if (bytes > (double) FY_NUMVEC_MAX_BYTES)
        return fy_error_set(err, FY_ENOMEM, "jet: a directional jet of order %d through "
                            "widths up to %ld needs about %.3g bytes (and %.3g operations), "
                            "over the limit of %.3g bytes; " FY_MEMORY_LIMIT_HINT, N, (long) J->maxw, bytes,
                            jet_ops(J, N), (double) FY_NUMVEC_MAX_BYTES);
    return FY_OK;
}

/* ------------------------------------------------------------------ directional jets */

int fy_jet_dir_d(double *c, const fy_jet_net_t J, const double *xbar, const double *v, int N,
                 fy_error_t err)
{
    return _fy_jet_dir_d(c, J, xbar, v, N, 53, err);
}

int fy_jet_dir_arb(arb_ptr c, const fy_jet_net_t J, arb_srcptr xbar, arb_srcptr v, int N,
                   slong prec, fy_error_t err)
{
    if (prec < 2)
        return fy_error_set(err, FY_EINPUT, "jet: precision %ld is too small", (long) prec);
    return _fy_jet_dir_arb(c, J, xbar, v, N, prec, err);
}

int fy_jet_dir_arb_fmpq(arb_ptr c, const fy_jet_net_t J, const fmpq *xbar, const fmpq *v, int N,
                        slong prec, fy_error_t err)
{
    slong i, d;
    arb_ptr x, w;
    int rc;

    if ((rc = need_net(J, err)) != FY_OK)
        return rc;
    d = fy_jet_net_inputs(J);
    x = _arb_vec_init(d);
    w = _arb_vec_init(d);
    for (i = 0; i < d; i++)
    {
        if (xbar)
            arb_set_fmpq(x + i, xbar + i, prec);
        if (v)
            arb_set_fmpq(w + i, v + i, prec);
    }
    rc = fy_jet_dir_arb(c, J, x, w, N, prec, err);
    _arb_vec_clear(x, d);
    _arb_vec_clear(w, d);
    return rc;
}

int fy_jet_dir_fmpq(fmpq *c, const fy_jet_net_t J, const fmpq *xbar, const fmpq *v, int N,
                    fy_error_t err)
{
    return _fy_jet_dir_fmpq(c, J, xbar, v, N, 0, err);
}

/* ------------------------------------------------------------------ tensors */

static int tensor_prepare(fy_symtensor_t T, const fy_jet_net_t J, slong out, int n,
                          fy_arith_t arith, slong prec, fy_error_t err)
{
    slong C;
    int rc;
    if ((rc = _fy_jet_tensor_check(&C, J, out, n, arith, err)) != FY_OK)
        return rc;
    fy_symtensor_clear(T);
    return fy_symtensor_init(T, arith, (int) J->net->widths[0], n, prec, err);
}

int fy_jet_tensor_d(fy_symtensor_t T, const fy_jet_net_t J, slong out, const double *xbar,
                    int n, fy_error_t err)
{
    int rc = tensor_prepare(T, J, out, n, FY_ARITH_DOUBLE, 53, err);
    if (rc == FY_OK)
        rc = _fy_jet_tensor_d(fy_numvec_d(&T->e), J, out, xbar, n, 53, err);
    return rc;
}

int fy_jet_tensor_arb(fy_symtensor_t T, const fy_jet_net_t J, slong out, arb_srcptr xbar, int n,
                      slong prec, fy_error_t err)
{
    int rc;
    if (prec < 2)
        return fy_error_set(err, FY_EINPUT, "jet: precision %ld is too small", (long) prec);
    rc = tensor_prepare(T, J, out, n, FY_ARITH_BALL, prec, err);
    if (rc == FY_OK)
        rc = _fy_jet_tensor_arb(fy_numvec_arb(&T->e), J, out, xbar, n, prec, err);
    return rc;
}

int fy_jet_tensor_fmpq(fy_symtensor_t T, const fy_jet_net_t J, slong out, const fmpq *xbar,
                       int n, fy_error_t err)
{
    int rc = tensor_prepare(T, J, out, n, FY_ARITH_EXACT, 0, err);
    if (rc == FY_OK)
        rc = _fy_jet_tensor_fmpq(fy_numvec_fmpq(&T->e), J, out, xbar, n, 0, err);
    return rc;
}

/* ------------------------------------------------------------------ gradient, Hessian */

int fy_jet_gradient_d(double *g, const fy_jet_net_t J, slong out, const double *xbar,
                      fy_error_t err)
{
    fy_symtensor_t T;
    int rc;
    slong i;
    fy_symtensor_init_empty(T);
    rc = fy_jet_tensor_d(T, J, out, xbar, 1, err);
    for (i = 0; rc == FY_OK && i < fy_symtensor_len(T); i++)
        g[i] = fy_numvec_d(&T->e)[i];
    fy_symtensor_clear(T);
    return rc;
}

int fy_jet_gradient_arb(arb_ptr g, const fy_jet_net_t J, slong out, arb_srcptr xbar, slong prec,
                        fy_error_t err)
{
    fy_symtensor_t T;
    int rc;
    slong i;
    fy_symtensor_init_empty(T);
    rc = fy_jet_tensor_arb(T, J, out, xbar, 1, prec, err);
    for (i = 0; rc == FY_OK && i < fy_symtensor_len(T); i++)
        arb_set(g + i, fy_numvec_arb(&T->e) + i);
    fy_symtensor_clear(T);
    return rc;
}

int fy_jet_hessian_d(double *H, const fy_jet_net_t J, slong out, const double *xbar,
                     fy_error_t err)
{
    fy_symtensor_t T;
    int rc, idx[2], d;
    fy_symtensor_init_empty(T);
    rc = fy_jet_tensor_d(T, J, out, xbar, 2, err);
    if (rc == FY_OK)
    {
        d = T->dim;
        for (idx[0] = 0; idx[0] < d; idx[0]++)
            for (idx[1] = 0; idx[1] < d; idx[1]++)
                H[idx[0] * d + idx[1]] = *fy_symtensor_entry_d(T, idx);
    }
    fy_symtensor_clear(T);
    return rc;
}

int fy_jet_hessian_arb(arb_ptr H, const fy_jet_net_t J, slong out, arb_srcptr xbar, slong prec,
                       fy_error_t err)
{
    fy_symtensor_t T;
    int rc, idx[2], d;
    fy_symtensor_init_empty(T);
    rc = fy_jet_tensor_arb(T, J, out, xbar, 2, prec, err);
    if (rc == FY_OK)
    {
        d = T->dim;
        for (idx[0] = 0; idx[0] < d; idx[0]++)
            for (idx[1] = 0; idx[1] < d; idx[1]++)
                arb_set(H + idx[0] * d + idx[1], fy_symtensor_entry_arb(T, idx));
    }
    fy_symtensor_clear(T);
    return rc;
}
