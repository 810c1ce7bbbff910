/* Invertible networks (io.h, MATH.md 3): the fy_inn_t type, its layers (affine, quadratic
 * coupling, elementwise quadratic) checked on entry, the exact forward map, parameter counts,
 * the condition numbers of the affine layers, loading by format and the safetensors layout of
 * doc/inn-format.md.  The text format is in inn_text.c. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_mat.h>
#include <flint/fmpq_vec.h>
#include <flint/fmpz_mat.h>
#include <flint/nmod_mat.h>

#include "feynn/num.h"
#include "feynn/util.h"
#include "io/inn_internal.h"
#include "io/io_internal.h"

/* ------------------------------------------------------------------ basics */

const char *fy_inn_layer_kind_name(fy_inn_layer_kind_t k)
{
    switch (k)
    {
    case FY_INN_LAYER_AFFINE: return "affine";
    case FY_INN_LAYER_COUPLING: return "coupling";
    case FY_INN_LAYER_ELEMENTWISE: return "elementwise";
    }
    return "?";
}

int fy_inn_layer_kind_from_name(const char *name)
{
    int k;
    if (name == NULL)
        return -1;
    for (k = FY_INN_LAYER_AFFINE; k <= FY_INN_LAYER_ELEMENTWISE; k++)
        if (strcmp(name, fy_inn_layer_kind_name((fy_inn_layer_kind_t) k)) == 0)
            return k;
    return -1;
}

void fy_inn_init(fy_inn_t net)
{
    memset(net, 0, sizeof *net);
    net->format = FY_MODEL_AUTO;
}

static size_t g_size(const fy_inn_layer_struct *ly)
{
    return (size_t) ly->nB * (size_t) ly->nA * (size_t) ly->nA;
}

static void layer_clear(fy_inn_layer_struct *ly, int d)
{
    size_t dd = (size_t) d;
    free(ly->name);
    if (ly->W)
        _fmpq_vec_clear(ly->W, (slong) (dd * dd));
    if (ly->b)
        _fmpq_vec_clear(ly->b, (slong) dd);
    if (ly->G)
        _fmpq_vec_clear(ly->G, (slong) g_size(ly));
    if (ly->gamma)
        _fmpq_vec_clear(ly->gamma, (slong) dd);
    free(ly->A);
    free(ly->B);
    memset(ly, 0, sizeof *ly);
}

void fy_inn_clear(fy_inn_t net)
{
    int l;
    for (l = 0; l < net->nlayers; l++)
        layer_clear(&net->layers[l], net->d);
    free(net->layers);
    free(net->source);
    fy_inn_init(net);
}

int fy_inn_set_dim(fy_inn_t net, int d, fy_error_t err)
{
    if (d < 1 || d > FY_INN_MAX_DIM)
        return fy_error_set(err, FY_EINPUT,
                            "%s%sdimension %d out of range: an INN needs 1 to %d coordinates",
                            net->source ? net->source : "", net->source ? ": " : "", d,
                            FY_INN_MAX_DIM);
    if (net->nlayers > 0 && d != net->d)
        return fy_error_set(err, FY_EINPUT,
                            "%s%sdimension %d differs from the dimension %d of the layers "
                            "already there", net->source ? net->source : "",
                            net->source ? ": " : "", d, net->d);
    net->d = d;
    return FY_OK;
}

/* "FILE: layer I ('NAME', KIND)" into buf: the place named by every message about a layer. */
char *fy_inn_where(char *buf, size_t n, const fy_inn_t net, int l, const char *name,
                   fy_inn_layer_kind_t kind)
{
    snprintf(buf, n, "%s%slayer %d ('%s', %s)", net->source ? net->source : "",
             net->source ? ": " : "", l, name ? name : "?", fy_inn_layer_kind_name(kind));
    return buf;
}

/* A new layer slot at the end (not yet counted in nlayers), zeroed, with its name. */
static fy_inn_layer_struct *new_layer(fy_inn_t net, const char *name, fy_inn_layer_kind_t kind,
                                      fy_error_t err)
{
    fy_inn_layer_struct *ly, *nl;
    char def[32];
    if (net->nlayers >= FY_IO_MAX_LAYERS)
    {
        fy_error_set(err, FY_EINPUT, "%s%smore than %d layers", net->source ? net->source : "",
                     net->source ? ": " : "", FY_IO_MAX_LAYERS);
        return NULL;
    }
    nl = fy_realloc(net->layers, (size_t) net->nlayers + 1, sizeof *nl, err);
    if (nl == NULL)
        return NULL;
    net->layers = nl;
    ly = &nl[net->nlayers];
    memset(ly, 0, sizeof *ly);
    ly->kind = kind;
    if (name == NULL)
    {
        snprintf(def, sizeof def, "layers.%d", net->nlayers);
        name = def;
    }
    if ((ly->name = fy_io_strdup(name, err)) == NULL)
        return NULL;
    return ly;
}

static int need_dim(const fy_inn_t net, const char *where, fy_error_t err)
{
    if (net->d < 1)
        return fy_error_set(err, FY_EINPUT, "%s: the dimension is not set (fy_inn_set_dim, or "
                            "'dim D' before the first layer)", where);
    return FY_OK;
}

/* ------------------------------------------------------------------ exact rank */

/* 1 when the d x d matrix W (row-major) is invertible over Q.  Rows are cleared of their
 * denominators; full rank modulo a word-size prime proves invertibility, and only when that
 * fails is the exact rank computed. */
int fy_inn_matrix_invertible(const fmpq *W, int d)
{
    fmpq_mat_t Q;
    fmpz_mat_t Z;
    nmod_mat_t M;
    fmpz *den;
    slong i, j, r;
    int ok;

    fmpq_mat_init(Q, d, d);
    fmpz_mat_init(Z, d, d);
    den = _fmpz_vec_init(d);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            fmpq_set(fmpq_mat_entry(Q, i, j), W + (size_t) i * (size_t) d + (size_t) j);
    fmpq_mat_get_fmpz_mat_rowwise(Z, den, Q);
    nmod_mat_init(M, d, d, UWORD(4611686018427388039)); /* a prime near 2^62 */
    fmpz_mat_get_nmod_mat(M, Z);
    r = nmod_mat_rank(M);
    nmod_mat_clear(M);
    if (r == d)
        ok = 1;
    else
        ok = fmpz_mat_rank(Z) == d;
    _fmpz_vec_clear(den, d);
    fmpz_mat_clear(Z);
    fmpq_mat_clear(Q);
    return ok;
}

/* ------------------------------------------------------------------ pushing layers */

int fy_inn_push_affine(fy_inn_t net, const char *name, const fmpq *W, const fmpq *b,
                       fy_error_t err)
{
    fy_inn_layer_struct *ly;
    char where[512];
    size_t dd, k;
    int rc;

    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : "(unnamed)",
                 FY_INN_LAYER_AFFINE);
    if ((rc = need_dim(net, where, err)))
        return rc;
    if (W == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no weight matrix given", where);
    dd = (size_t) net->d;
    if (!fy_inn_matrix_invertible(W, net->d))
        return fy_error_set(err, FY_EINPUT,
                            "%s: the %d x %d weight matrix is exactly singular (det W = 0), so "
                            "the layer is not invertible: change its weights",
                            where, net->d, net->d);
    if ((ly = new_layer(net, name, FY_INN_LAYER_AFFINE, err)) == NULL)
        return err ? err->code : FY_ENOMEM;
    ly->W = _fmpq_vec_init((slong) (dd * dd));
    for (k = 0; k < dd * dd; k++)
        fmpq_set(ly->W + k, W + k);
    if (b != NULL)
    {
        ly->b = _fmpq_vec_init((slong) dd);
        for (k = 0; k < dd; k++)
            fmpq_set(ly->b + k, b + k);
    }
    net->nlayers++;
    return FY_OK;
}

/* Checks that idx[0..n) is ascending within 0..d-1; what names the set. */
static int check_set(const int *idx, int n, int d, const char *what, const char *where,
                     fy_error_t err)
{
    int i;
    if (n < 0 || n > d)
        return fy_error_set(err, FY_EINPUT, "%s: the set %s has %d indices, expected 0 to %d",
                            where, what, n, d);
    if (n > 0 && idx == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: the set %s is missing", where, what);
    for (i = 0; i < n; i++)
    {
        if (idx[i] < 0 || idx[i] >= d)
            return fy_error_set(err, FY_EINPUT,
                                "%s: index %d of the set %s is out of range 0..%d",
                                where, idx[i], what, d - 1);
        if (i > 0 && idx[i] <= idx[i - 1])
            return fy_error_set(err, FY_EINPUT,
                                "%s: the set %s must be strictly ascending (%d after %d)",
                                where, what, idx[i], idx[i - 1]);
    }
    return FY_OK;
}

int fy_inn_push_coupling(fy_inn_t net, const char *name, const int *A, int nA, const int *B,
                         int nB, const fmpq *G, fy_error_t err)
{
    fy_inn_layer_struct *ly;
    char where[512];
    char *seen;
    size_t ng, k;
    int i, t, r, s, rc;

    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : "(unnamed)",
                 FY_INN_LAYER_COUPLING);
    if ((rc = need_dim(net, where, err)))
        return rc;
    if ((rc = check_set(A, nA, net->d, "A", where, err)) ||
        (rc = check_set(B, nB, net->d, "B", where, err)))
        return rc;
    if (nA + nB != net->d)
        return fy_error_set(err, FY_EINPUT,
                            "%s: the split has %d + %d indices but the dimension is %d: A and B "
                            "must together be 0..%d", where, nA, nB, net->d, net->d - 1);
    if ((seen = fy_calloc((size_t) net->d, 1, err)) == NULL)
        return FY_ENOMEM;
    for (i = 0; i < nA; i++)
        seen[A[i]] = 1;
    for (i = 0; i < nB; i++)
        if (seen[B[i]])
        {
            int x = B[i];
            free(seen);
            return fy_error_set(err, FY_EINPUT,
                                "%s: index %d is in both A and B: the split must be disjoint",
                                where, x);
        }
    free(seen);
    ng = (size_t) nB * (size_t) nA * (size_t) nA;
    if (ng > FY_INN_MAX_G)
        return fy_error_set(err, FY_EINPUT,
                            "%s: G would have %d x %d x %d entries, more than the limit of %lu",
                            where, nB, nA, nA, (unsigned long) FY_INN_MAX_G);
    if (ng > 0 && G == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no coefficient tensor G given", where);
    for (t = 0; t < nB; t++)
        for (r = 0; r < nA; r++)
            for (s = r + 1; s < nA; s++)
            {
                const fmpq *x = G + ((size_t) t * nA + r) * nA + s;
                const fmpq *y = G + ((size_t) t * nA + s) * nA + r;
                if (!fmpq_equal(x, y))
                    return fy_error_set(err, FY_EINPUT,
                                        "%s: G is not symmetric in its last two indices: "
                                        "G[%d][%d][%d] (b=%d, a=%d, a'=%d) differs from "
                                        "G[%d][%d][%d]: give G_{b a a'} = G_{b a' a}",
                                        where, t, r, s, B[t], A[r], A[s], t, s, r);
            }
    if ((ly = new_layer(net, name, FY_INN_LAYER_COUPLING, err)) == NULL)
        return err ? err->code : FY_ENOMEM;
    ly->nA = nA;
    ly->nB = nB;
    ly->A = fy_malloc((size_t) (nA > 0 ? nA : 1), sizeof(int), err);
    ly->B = fy_malloc((size_t) (nB > 0 ? nB : 1), sizeof(int), err);
    if (ly->A == NULL || ly->B == NULL)
    {
        free(ly->A);
        free(ly->B);
        free(ly->name);
        return FY_ENOMEM;
    }
    if (nA > 0)
        memcpy(ly->A, A, (size_t) nA * sizeof(int));
    if (nB > 0)
        memcpy(ly->B, B, (size_t) nB * sizeof(int));
    ly->G = _fmpq_vec_init((slong) (ng > 0 ? ng : 1));
    for (k = 0; k < ng; k++)
        fmpq_set(ly->G + k, G + k);
    if (ng == 0)
    {
        _fmpq_vec_clear(ly->G, 1);
        ly->G = NULL;
    }
    net->nlayers++;
    return FY_OK;
}

int fy_inn_push_elementwise(fy_inn_t net, const char *name, const fmpq *gamma, fy_error_t err)
{
    fy_inn_layer_struct *ly;
    char where[512];
    size_t k;
    int rc;

    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : "(unnamed)",
                 FY_INN_LAYER_ELEMENTWISE);
    if ((rc = need_dim(net, where, err)))
        return rc;
    if (gamma == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no coefficients gamma given", where);
    if ((ly = new_layer(net, name, FY_INN_LAYER_ELEMENTWISE, err)) == NULL)
        return err ? err->code : FY_ENOMEM;
    ly->gamma = _fmpq_vec_init((slong) net->d);
    for (k = 0; k < (size_t) net->d; k++)
        fmpq_set(ly->gamma + k, gamma + k);
    net->nlayers++;
    return FY_OK;
}

/* ------------------------------------------------------------------ numbers */

size_t fy_inn_num_params(const fy_inn_t net)
{
    size_t n = 0, d = (size_t) (net->d > 0 ? net->d : 0);
    int l;
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = &net->layers[l];
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            n += d * d + d; /* the bias counts even when it is zero (NULL) */
            break;
        case FY_INN_LAYER_COUPLING:
            /* free parameters: G_{b a a'} for a <= a' (the symmetric half) */
            n += (size_t) ly->nB * (size_t) ly->nA * ((size_t) ly->nA + 1) / 2;
            break;
        case FY_INN_LAYER_ELEMENTWISE:
            n += d;
            break;
        }
    }
    return n;
}

int fy_inn_forward_fmpq(fmpq **y, const fy_inn_t net, const fmpq *x, fy_error_t err)
{
    int d = net->d, l, i, j;
    fmpq_t t;

    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "forward map of an INN whose dimension is not set");
    if (y == NULL)
        return fy_error_set(err, FY_EINPUT, "forward map: no output arrays given");
    for (i = 0; i < d; i++)
    {
        if (x)
            fmpq_set(y[0] + i, x + i);
        else
            fmpq_zero(y[0] + i);
    }
    fmpq_init(t);
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = &net->layers[l];
        const fmpq *u = y[l];
        fmpq *v = y[l + 1];
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            for (i = 0; i < d; i++)
            {
                if (ly->b)
                    fmpq_set(v + i, ly->b + i);
                else
                    fmpq_zero(v + i);
                for (j = 0; j < d; j++)
                    fmpq_addmul(v + i, ly->W + (size_t) i * d + j, u + j);
            }
            break;
        case FY_INN_LAYER_COUPLING:
        {
            int r, s, tb;
            for (i = 0; i < d; i++)
                fmpq_set(v + i, u + i);
            for (tb = 0; tb < ly->nB; tb++)
            {
                fmpq *out = v + ly->B[tb];
                for (r = 0; r < ly->nA; r++)
                    for (s = 0; s < ly->nA; s++)
                    {
                        const fmpq *g = ly->G + ((size_t) tb * ly->nA + r) * ly->nA + s;
                        if (fmpq_is_zero(g))
                            continue;
                        fmpq_mul(t, u + ly->A[r], u + ly->A[s]);
                        fmpq_addmul(out, g, t);
                    }
            }
            break;
        }
        case FY_INN_LAYER_ELEMENTWISE:
            for (i = 0; i < d; i++)
            {
                fmpq_mul(t, u + i, u + i);
                fmpq_mul(t, t, ly->gamma + i);
                fmpq_add(v + i, u + i, t);
            }
            break;
        default:
            fmpq_clear(t);
            return fy_error_set(err, FY_EINTERNAL, "layer %d of unknown kind %d", l,
                                (int) ly->kind);
        }
    }
    fmpq_clear(t);
    return FY_OK;
}

/* ------------------------------------------------------------------ condition numbers */

/* Singular values of the d x d matrix a (row-major doubles, overwritten) by one-sided Jacobi
 * (Hestenes): columns are rotated pairwise until orthogonal; their norms are the singular
 * values, found to high relative accuracy (better than eigenvalues of W^T W, which square the
 * condition number).  sv gets d values. */
static void jacobi_sv(double *sv, double *a, int d)
{
    int sweep, p, q, i, rotated;
    for (sweep = 0; sweep < 60; sweep++)
    {
        rotated = 0;
        for (p = 0; p < d - 1; p++)
            for (q = p + 1; q < d; q++)
            {
                double alpha = 0, beta = 0, gamma = 0, zeta, t, c, s;
                for (i = 0; i < d; i++)
                {
                    double x = a[(size_t) i * d + p], y = a[(size_t) i * d + q];
                    alpha += x * x;
                    beta += y * y;
                    gamma += x * y;
                }
                if (gamma == 0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta))
                    continue;
                rotated = 1;
                zeta = (beta - alpha) / (2 * gamma);
                t = (zeta >= 0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1 + zeta * zeta));
                c = 1 / sqrt(1 + t * t);
                s = c * t;
                for (i = 0; i < d; i++)
                {
                    double x = a[(size_t) i * d + p], y = a[(size_t) i * d + q];
                    a[(size_t) i * d + p] = c * x - s * y;
                    a[(size_t) i * d + q] = s * x + c * y;
                }
            }
        if (!rotated)
            break;
    }
    for (p = 0; p < d; p++)
    {
        double n = 0;
        for (i = 0; i < d; i++)
            n += a[(size_t) i * d + p] * a[(size_t) i * d + p];
        sv[p] = sqrt(n);
    }
}

int fy_inn_affine_cond(double *cond, const fy_inn_t net, int l, fy_error_t err)
{
    const fy_inn_layer_struct *ly = &net->layers[l];
    int d = net->d;
    size_t dd = (size_t) d, k;
    double *a, *sv, smax = 0, smin = INFINITY;
    long emax = LONG_MIN;

    /* Cond is scale invariant: divide by a power of two near the largest entry first, so that
     * entries beyond the double range still give a number. */
    for (k = 0; k < dd * dd; k++)
        if (!fmpq_is_zero(ly->W + k))
        {
            long e = (long) fmpz_bits(fmpq_numref(ly->W + k)) -
                     (long) fmpz_bits(fmpq_denref(ly->W + k));
            if (e > emax)
                emax = e;
        }
    if (emax == LONG_MIN)
    {
        *cond = INFINITY;
        return FY_OK;
    }
    a = fy_malloc(dd * dd, sizeof *a, err);
    sv = fy_malloc(dd, sizeof *sv, err);
    if (a == NULL || sv == NULL)
    {
        free(a);
        free(sv);
        return FY_ENOMEM;
    }
    {
        fmpq_t s;
        fmpq_init(s);
        for (k = 0; k < dd * dd; k++)
        {
            if (emax >= 0)
                fmpq_div_2exp(s, ly->W + k, (ulong) emax);
            else
                fmpq_mul_2exp(s, ly->W + k, (ulong) -emax);
            a[k] = fy_fmpq_get_d(s);
        }
        fmpq_clear(s);
    }
    jacobi_sv(sv, a, d);
    for (k = 0; k < dd; k++)
    {
        if (sv[k] > smax)
            smax = sv[k];
        if (sv[k] < smin)
            smin = sv[k];
    }
    *cond = smin > 0 ? smax / smin : INFINITY;
    free(a);
    free(sv);
    return FY_OK;
}

int fy_inn_validate(double *cond, const fy_inn_t net, double max_cond, fy_error_t err)
{
    int l, rc;
    char where[512];
    if (max_cond <= 0)
        max_cond = 1e12;
    if (net->d < 1)
        return fy_error_set(err, FY_EINPUT, "%s%sthe dimension of the INN is not set",
                            net->source ? net->source : "", net->source ? ": " : "");
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = &net->layers[l];
        double c = 1;
        if (cond)
            cond[l] = 1;
        if (ly->kind != FY_INN_LAYER_AFFINE)
            continue;
        fy_inn_where(where, sizeof where, net, l, ly->name, ly->kind);
        if (!fy_inn_matrix_invertible(ly->W, net->d))
            return fy_error_set(err, FY_EINPUT,
                                "%s: the weight matrix is exactly singular (det W = 0), so the "
                                "layer is not invertible: change its weights", where);
        if ((rc = fy_inn_affine_cond(&c, net, l, err)))
            return rc;
        if (cond)
            cond[l] = c;
        if (!(c <= max_cond))
            return fy_error_set(err, FY_EINPUT,
                                "%s: the weight matrix has condition number %.3g (2-norm), "
                                "above the limit %.3g: the layer is numerically singular; "
                                "retrain it with a better conditioned W or raise the limit",
                                where, c, max_cond);
    }
    return FY_OK;
}
