/* Public entry points of the INN log-density jets (jet.h, "INN log-densities"): argument and
 * shape checks, the up-front memory estimate, the constant ln|det W| - (d/2) ln 2 pi, and the
 * derivative tensors from directional jets by the exact interpolation.  The arithmetic itself
 * is in inn_tpl.c. */
#include <math.h>

#include <flint/fmpq_mat.h>

#include "jet/inn_internal.h"

int _fy_jet_inn_check(const fy_inn_t net, fy_error_t err)
{
    int l, i, d = net->d;

    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "jet: the INN has dimension %d (no layer pushed?)",
                            d);
    if (net->nlayers < 0 || (net->nlayers > 0 && net->layers == NULL))
        return fy_error_set(err, FY_EINPUT, "jet: the INN has no layer array");
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        const char *nm = ly->name ? ly->name : "(unnamed)";
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            if (ly->W == NULL)
                return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): affine without W",
                                    l, nm);
            break;
        case FY_INN_LAYER_COUPLING:
            if (ly->nA < 0 || ly->nB < 0 || ly->nA + ly->nB != d ||
                (ly->nA > 0 && ly->A == NULL) || (ly->nB > 0 && ly->B == NULL) ||
                (ly->nA > 0 && ly->nB > 0 && ly->G == NULL))
                return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): coupling with a "
                                    "split of %d + %d indices (or missing arrays) in %d "
                                    "dimensions", l, nm, ly->nA, ly->nB, d);
            for (i = 0; i < ly->nA; i++)
                if (ly->A[i] < 0 || ly->A[i] >= d)
                    return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): passive index "
                                        "%d out of range 0..%d", l, nm, ly->A[i], d - 1);
            for (i = 0; i < ly->nB; i++)
            {
                int r;
                if (ly->B[i] < 0 || ly->B[i] >= d)
                    return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): shifted index "
                                        "%d out of range 0..%d", l, nm, ly->B[i], d - 1);
                for (r = 0; r < ly->nA; r++)
                    if (ly->A[r] == ly->B[i])
                        return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): index %d "
                                            "is both passive and shifted", l, nm, ly->B[i]);
            }
            break;
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            if (ly->gamma == NULL)
                return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): elementwise "
                                    "without gamma", l, nm);
            break;
        default:
            return fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s) has an unknown kind %d",
                                l, nm, (int) ly->kind);
        }
    }
    return FY_OK;
}

int _fy_jet_inn_const_arb(arb_t c, const fy_inn_t net, slong prec, fy_error_t err)
{
    int l, i, j, d = net->d, rc = FY_OK;
    fmpq_mat_t A;
    fmpq_t det;
    arb_t t;

    arb_init(t);
    fmpq_init(det);
    fmpq_mat_init(A, d, d);
    /* -(d/2) ln 2 pi */
    arb_const_pi(t, prec + 10);
    arb_mul_2exp_si(t, t, 1);
    arb_log(t, t, prec + 10);
    arb_mul_si(t, t, -d, prec + 10);
    arb_mul_2exp_si(c, t, -1);
    for (l = 0; l < net->nlayers && rc == FY_OK; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        if (ly->kind != FY_INN_LAYER_AFFINE)
            continue;
        for (i = 0; i < d; i++)
            for (j = 0; j < d; j++)
                fmpq_set(fmpq_mat_entry(A, i, j), ly->W + (slong) i * d + j);
        fmpq_mat_det(det, A);
        if (fmpq_is_zero(det))
        {
            rc = fy_error_set(err, FY_EINPUT, "jet: INN layer %d (%s): det W = 0, the layer is "
                              "not invertible", l, ly->name ? ly->name : "affine");
            break;
        }
        fmpq_abs(det, det);
        arb_set_fmpq(t, det, prec + 10);
        arb_log(t, t, prec + 10);
        arb_add(c, c, t, prec + 10);
    }
    arb_set_round(c, c, prec);
    fmpq_mat_clear(A);
    fmpq_clear(det);
    arb_clear(t);
    return rc;
}

/* Parameters of the network (elements). */
static double inn_params(const fy_inn_t net)
{
    double p = 0, d = net->d;
    int l;
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        if (ly->kind == FY_INN_LAYER_AFFINE)
            p += d * d + d;
        else if (ly->kind == FY_INN_LAYER_COUPLING)
            p += (double) ly->nB * ly->nA * ly->nA;
        else
            p += d;
    }
    return p;
}

/* Element operations of one directional jet of order N. */
static double inn_ops(const fy_inn_t net, int N)
{
    double ops = 0, d = net->d, M = (double) N + 1;
    int l;
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        if (ly->kind == FY_INN_LAYER_AFFINE)
            ops += d * d * M;
        else if (ly->kind == FY_INN_LAYER_COUPLING)
            ops += (double) ly->nB * ly->nA * ((double) ly->nA * M + M * M / 2);
        else
            ops += d * 1.5 * M * M;
    }
    return ops + d * M * M / 2;
}

/* Common checks of the directional entry points. */
static int dir_check(const fy_inn_t net, int N, fy_arith_t arith, fy_error_t err)
{
    double bytes;
    int rc;
    if ((rc = _fy_jet_inn_check(net, err)) != FY_OK)
        return rc;
    if (N < 0)
        return fy_error_set(err, FY_EINPUT, "jet: the order must be >= 0 (got %d)", N);
    bytes = (double) fy_numvec_bytes(arith, 1) *
            (inn_params(net) + (3.0 * net->d + 5.0) * ((double) N + 1));
    if (bytes > (double) FY_NUMVEC_MAX_BYTES)
        return fy_error_set(err, FY_ENOMEM, "jet: an INN log-density jet of order %d in %d "
                            "dimensions needs about %.3g bytes (and %.3g operations), over the "
                            "limit of %.3g bytes; " FY_MEMORY_LIMIT_HINT, N, net->d, bytes, inn_ops(net, N),
                            (double) FY_NUMVEC_MAX_BYTES);
    return FY_OK;
}

int fy_jet_inn_dir_d(double *c, const fy_inn_t net, const double *x0, const double *v, int N,
                     fy_error_t err)
{
    int rc, i;
    if ((rc = dir_check(net, N, FY_ARITH_DOUBLE, err)) != FY_OK)
        return rc;
    for (i = 0; i < net->d; i++)
        if ((x0 && !isfinite(x0[i])) || (v && !isfinite(v[i])))
            return fy_error_set(err, FY_EINPUT, "jet: INN jet: %s[%d] is not finite",
                                (x0 && !isfinite(x0[i])) ? "x0" : "v", i);
    return _fy_jet_inn_dir_d(c, net, x0, v, N, 53, err);
}

int fy_jet_inn_dir_arb(arb_ptr c, const fy_inn_t net, arb_srcptr x0, arb_srcptr v, int N,
                       slong prec, fy_error_t err)
{
    int rc, i;
    if (prec < 2)
        return fy_error_set(err, FY_EINPUT, "jet: precision %ld is too small", (long) prec);
    if ((rc = dir_check(net, N, FY_ARITH_BALL, err)) != FY_OK)
        return rc;
    for (i = 0; i < net->d; i++)
        if ((x0 && !arb_is_finite(x0 + i)) || (v && !arb_is_finite(v + i)))
            return fy_error_set(err, FY_EINPUT, "jet: INN jet: %s[%d] is not a finite ball",
                                (x0 && !arb_is_finite(x0 + i)) ? "x0" : "v", i);
    return _fy_jet_inn_dir_arb(c, net, x0, v, N, prec, err);
}

int fy_jet_inn_dir_fmpq(fmpq *c, const fy_inn_t net, const fmpq *x0, const fmpq *v, int N,
                        fy_error_t err)
{
    int rc;
    if ((rc = dir_check(net, N, FY_ARITH_EXACT, err)) != FY_OK)
        return rc;
    return _fy_jet_inn_dir_fmpq(c, net, x0, v, N, 0, err);
}

int fy_jet_inn_tensor(fy_symtensor_t T, fy_arith_t arith, slong prec, const fy_inn_t net,
                      const fmpq *x0, int n, fy_error_t err)
{
    slong C;
    double bytes;
    int rc;

    if ((rc = _fy_jet_inn_check(net, err)) != FY_OK)
        return rc;
    if (arith != FY_ARITH_DOUBLE && arith != FY_ARITH_BALL && arith != FY_ARITH_EXACT)
        return fy_error_set(err, FY_EINPUT, "jet: unknown arithmetic %d", (int) arith);
    if (arith == FY_ARITH_BALL && prec < 2)
        return fy_error_set(err, FY_EINPUT, "jet: precision %ld is too small", (long) prec);
    if (arith == FY_ARITH_DOUBLE)
        prec = 53;
    if (n < 1)
        return fy_error_set(err, FY_EINPUT, "jet: the INN derivative tensor needs an order "
                            ">= 1 (got %d; order 0 is ln p itself: fy_jet_inn_dir_*)", n);
    if (n > FY_JET_MAX_ORDER)
        return fy_error_set(err, FY_EUNSUPPORTED, "jet: tensor order %d exceeds the limit %d",
                            n, FY_JET_MAX_ORDER);
    if ((rc = fy_multiindex_count(&C, net->d, n, err)) != FY_OK)
        return fy_error_prefix(err, "jet: INN tensor of order %d in %d dimensions: ", n,
                               net->d);
    /* F and T (C entries each), the parameters, the series of one jet */
    bytes = (double) fy_numvec_bytes(arith, 1) *
            (2.0 * (double) C + inn_params(net) + (3.0 * net->d + 5.0) * ((double) n + 1));
    if (bytes > (double) FY_NUMVEC_MAX_BYTES)
        return fy_error_set(err, FY_ENOMEM,
                            "jet: the INN derivative tensor of order %d in %d dimensions "
                            "needs C(%d+%d-1, %d) = %ld directional jets of order %d (about "
                            "%.3g operations) and about %.3g bytes, over the limit of %.3g "
                            "bytes; ask for a lower order, or " FY_MEMORY_LIMIT_HINT, n, net->d, net->d, n, n, (long) C,
                            n, (double) C * (inn_ops(net, n) + ldexp(2.0, n < 20 ? n : 20)),
                            bytes, (double) FY_NUMVEC_MAX_BYTES);
    fy_symtensor_clear(T);
    if ((rc = fy_symtensor_init(T, arith, net->d, n, prec, err)) != FY_OK)
        return rc;
    switch (arith)
    {
    case FY_ARITH_DOUBLE:
        return _fy_jet_inn_tensor_d(fy_numvec_d(&T->e), net, x0, n, 53, err);
    case FY_ARITH_BALL:
        return _fy_jet_inn_tensor_arb(fy_numvec_arb(&T->e), net, x0, n, prec, err);
    default:
        return _fy_jet_inn_tensor_fmpq(fy_numvec_fmpq(&T->e), net, x0, n, 0, err);
    }
}
