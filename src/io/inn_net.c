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
#include <strings.h>

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
    case FY_INN_LAYER_CUBIC: return "cubic";
    }
    return "?";
}

int fy_inn_layer_kind_from_name(const char *name)
{
    int k;
    if (name == NULL)
        return -1;
    for (k = FY_INN_LAYER_AFFINE; k <= FY_INN_LAYER_CUBIC; k++)
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
static fy_inn_layer_struct *new_layer(int *rc, fy_inn_t net, const char *name,
                                      fy_inn_layer_kind_t kind, fy_error_t err)
{
    fy_inn_layer_struct *ly, *nl;
    char def[32];
    *rc = FY_ENOMEM;
    if (net->nlayers >= FY_IO_MAX_LAYERS)
    {
        *rc = fy_error_set(err, FY_EINPUT, "%s%smore than %d layers",
                           net->source ? net->source : "", net->source ? ": " : "",
                           FY_IO_MAX_LAYERS);
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
    char defname[32];

    snprintf(defname, sizeof defname, "layers.%d", net->nlayers);
    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : defname,
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
    if ((ly = new_layer(&rc, net, name, FY_INN_LAYER_AFFINE, err)) == NULL)
        return rc;
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
    char defname[32];

    snprintf(defname, sizeof defname, "layers.%d", net->nlayers);
    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : defname,
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
    if ((ly = new_layer(&rc, net, name, FY_INN_LAYER_COUPLING, err)) == NULL)
        return rc;
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

static int push_diag(fy_inn_t net, const char *name, const fmpq *gamma,
                     fy_inn_layer_kind_t kind, fy_error_t err);

int fy_inn_push_elementwise(fy_inn_t net, const char *name, const fmpq *gamma, fy_error_t err)
{
    return push_diag(net, name, gamma, FY_INN_LAYER_ELEMENTWISE, err);
}

int fy_inn_push_cubic(fy_inn_t net, const char *name, const fmpq *gamma, fy_error_t err)
{
    return push_diag(net, name, gamma, FY_INN_LAYER_CUBIC, err);
}

/* An elementwise (quadratic or cubic) layer: d coefficients gamma. */
static int push_diag(fy_inn_t net, const char *name, const fmpq *gamma,
                     fy_inn_layer_kind_t kind, fy_error_t err)
{
    fy_inn_layer_struct *ly;
    char where[512];
    size_t k;
    int rc;
    char defname[32];

    snprintf(defname, sizeof defname, "layers.%d", net->nlayers);
    fy_inn_where(where, sizeof where, net, net->nlayers, name ? name : defname, kind);
    if ((rc = need_dim(net, where, err)))
        return rc;
    if (gamma == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: no coefficients gamma given", where);
    if ((ly = new_layer(&rc, net, name, kind, err)) == NULL)
        return rc;
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
        case FY_INN_LAYER_CUBIC:
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
        case FY_INN_LAYER_CUBIC:
            for (i = 0; i < d; i++)
            {
                fmpq_mul(t, u + i, u + i);
                if (ly->kind == FY_INN_LAYER_CUBIC)
                    fmpq_mul(t, t, u + i);
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

/* ------------------------------------------------------------------ safetensors layout */

/* Parses "layers.I.SUFFIX": returns I (0..max-1 digits without leading zeros) and points
 * *suffix after the second dot; -1 when the name has another shape. */
static int tensor_layer(const char *name, const char **suffix)
{
    long i = 0;
    const char *p;
    if (strncmp(name, "layers.", 7) != 0)
        return -1;
    p = name + 7;
    if (!isdigit((unsigned char) *p) || (p[0] == '0' && isdigit((unsigned char) p[1])))
        return -1;
    while (isdigit((unsigned char) *p))
    {
        i = 10 * i + (*p++ - '0');
        if (i >= FY_IO_MAX_LAYERS)
            return -1;
    }
    if (*p != '.')
        return -1;
    *suffix = p + 1;
    return (int) i;
}

/* Parses "A=0,1;B=2,3" (blanks allowed around the numbers; either list may be empty). */
static int parse_split(int *A, int *nA, int *B, int *nB, int d, const char *s)
{
    int pass;
    for (pass = 0; pass < 2; pass++)
    {
        int *idx = pass ? B : A, *n = pass ? nB : nA;
        *n = 0;
        while (*s == ' ')
            s++;
        if (s[0] != (pass ? 'B' : 'A') || s[1] != '=')
            return -1;
        s += 2;
        while (*s == ' ')
            s++;
        while (isdigit((unsigned char) *s))
        {
            long v = 0;
            while (isdigit((unsigned char) *s))
            {
                v = 10 * v + (*s++ - '0');
                if (v > FY_INN_MAX_DIM)
                    return -1;
            }
            if (*n >= d)
                return -1;
            idx[(*n)++] = (int) v;
            while (*s == ' ')
                s++;
            if (*s != ',')
                break;
            s++;
            while (*s == ' ')
                s++;
            if (!isdigit((unsigned char) *s))
                return -1;
        }
        while (*s == ' ')
            s++;
        if (pass == 0 && *s++ != ';')
            return -1;
    }
    return *s == '\0' ? 0 : -1;
}

/* The tensor called "layers.L.suffix", checked: a float dtype, shape (n0[, n1[, n2]]) for
 * ndim 1..3, finite values; *q gets numel exact values (allocated).  Missing: *t = NULL and
 * FY_OK when optional. */
static int get_tensor(fmpq **q, const fy_tensor_struct **tp, const fy_safetensors_t st,
                      const char *name, int l, const char *suffix, int optional, int ndim,
                      const size_t *shape, const char *where, const char *hint, fy_error_t err)
{
    char tn[64], s1[96], s2[96];
    const fy_tensor_struct *t;
    size_t k;
    int i;
    *q = NULL;
    snprintf(tn, sizeof tn, "layers.%d.%s", l, suffix);
    t = fy_safetensors_find(st, tn);
    if (tp)
        *tp = t;
    if (t == NULL)
    {
        if (optional)
            return FY_OK;
        return fy_error_set(err, FY_EINPUT, "%s: %s: tensor '%s' is missing (%s)", name, where,
                            tn, hint);
    }
    if (t->dtype == FY_DTYPE_OTHER || t->data == NULL)
        return fy_error_set(err, FY_EINPUT, "%s: %s: tensor '%s' has dtype %s; expected F64, "
                            "F32, F16 or BF16", name, where, tn, t->dtype_name);
    for (i = 0; i < ndim && t->ndim == ndim; i++)
        if (t->shape[i] != shape[i])
            break;
    if (t->ndim != ndim || i < ndim)
        return fy_error_set(err, FY_EINPUT, "%s: %s: tensor '%s' has shape %s, expected %s (%s)",
                            name, where, tn, fy_io_shape_str(s1, sizeof s1, t->ndim, t->shape),
                            fy_io_shape_str(s2, sizeof s2, ndim, shape), hint);
    for (k = 0; k < t->numel; k++)
        if (!isfinite(t->data[k]))
            return fy_error_set(err, FY_EINPUT, "%s: %s: tensor '%s' element %s is %s: the "
                                "network must have finite parameters (retrain or repair it)",
                                name, where, tn,
                                fy_io_index_str(s1, sizeof s1, t->ndim, t->shape, k),
                                isnan(t->data[k]) ? "NaN" : "infinite");
    *q = _fmpq_vec_init((slong) (t->numel > 0 ? t->numel : 1));
    for (k = 0; k < t->numel; k++)
        fy_io_fmpq_set_d(*q + k, t->data[k]);
    return FY_OK;
}

int fy_inn_from_tensors(fy_inn_t net, const fy_safetensors_t st, const char *name,
                        fy_error_t err)
{
    fy_inn_t out;
    const char *kinds = fy_safetensors_meta(st, "feynn.inn.kinds");
    const char *dims = fy_safetensors_meta(st, "feynn.inn.dim");
    int *kind = NULL, nl = 0, l, d = 0, rc = FY_OK, *A = NULL, *B = NULL;
    size_t i;
    char where[256];

    fy_inn_init(out);
    out->format = FY_MODEL_SAFETENSORS;
    if ((kind = fy_malloc(FY_IO_MAX_LAYERS, sizeof *kind, err)) == NULL)
        return FY_ENOMEM;
    /* Layer kinds: the metadata, else what the tensor names say. */
    if (kinds != NULL)
    {
        const char *p = kinds;
        while (*p)
        {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t) (e - p) : strlen(p);
            char buf[32];
            int k;
            while (n > 0 && *p == ' ')
                p++, n--;
            while (n > 0 && p[n - 1] == ' ')
                n--;
            snprintf(buf, sizeof buf, "%.*s", (int) (n < 31 ? n : 31), p);
            k = n < 31 ? fy_inn_layer_kind_from_name(buf) : -1;
            if (k < 0 || nl >= FY_IO_MAX_LAYERS)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s: metadata feynn.inn.kinds = \"%.200s\": "
                                  "entry %d '%.40s' is %s; expected a comma-separated list of "
                                  "affine, coupling, elementwise and cubic", name, kinds, nl, buf,
                                  k < 0 ? "not a layer kind" : "one layer too many");
                goto done;
            }
            kind[nl++] = k;
            if (e == NULL)
                break;
            p = e + 1;
        }
    }
    else
    {
        for (i = 0; i < st->n; i++)
        {
            const char *suf;
            int li = tensor_layer(st->tensors[i].name, &suf);
            if (li >= 0 && li + 1 > nl)
                nl = li + 1;
        }
        for (l = 0; l < nl; l++)
            kind[l] = -1;
        for (i = 0; i < st->n; i++)
        {
            const char *suf;
            int li = tensor_layer(st->tensors[i].name, &suf), k = -1;
            if (li < 0)
                continue;
            if (strcmp(suf, "weight") == 0 || strcmp(suf, "bias") == 0)
                k = FY_INN_LAYER_AFFINE;
            else if (strcmp(suf, "G") == 0)
                k = FY_INN_LAYER_COUPLING;
            else if (strcmp(suf, "gamma") == 0)
                k = FY_INN_LAYER_ELEMENTWISE;
            if (k >= 0 && kind[li] >= 0 && kind[li] != k)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s: layer %d has tensors of two kinds (%s "
                                  "and %s); give the kinds in the metadata feynn.inn.kinds",
                                  name, li, fy_inn_layer_kind_name(kind[li]),
                                  fy_inn_layer_kind_name(k));
                goto done;
            }
            if (k >= 0)
                kind[li] = k;
        }
        for (l = 0; l < nl; l++)
            if (kind[l] < 0)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s: no metadata feynn.inn.kinds and no "
                                  "tensor tells the kind of layer %d (layers.%d.weight, .G or "
                                  ".gamma): write the metadata (doc/inn-format.md)", name, l, l);
                goto done;
            }
    }
    if (nl == 0)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s: no INN layers: expected tensors layers.I.weight, "
                          "layers.I.G or layers.I.gamma and the metadata feynn.inn.kinds "
                          "(doc/inn-format.md)", name);
        goto done;
    }
    /* Every tensor must belong to a layer and fit its kind. */
    for (i = 0; i < st->n; i++)
    {
        const char *suf = NULL, *tn = st->tensors[i].name;
        int li = tensor_layer(tn, &suf), ok = 0;
        if (li >= 0 && li < nl)
            switch (kind[li])
            {
            case FY_INN_LAYER_AFFINE:
                ok = strcmp(suf, "weight") == 0 || strcmp(suf, "bias") == 0;
                break;
            case FY_INN_LAYER_COUPLING:
                ok = strcmp(suf, "G") == 0;
                break;
            case FY_INN_LAYER_ELEMENTWISE:
            case FY_INN_LAYER_CUBIC:
                ok = strcmp(suf, "gamma") == 0;
                break;
            }
        if (!ok)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s: tensor '%.200s' is not part of the INN: %s "
                              "(doc/inn-format.md)", name, tn,
                              li < 0 ? "INN tensors are named layers.I.weight, layers.I.bias, "
                                       "layers.I.G and layers.I.gamma"
                              : li >= nl ? "its layer index is beyond the layers of "
                                           "feynn.inn.kinds"
                                         : "this name does not fit the layer's kind (affine: "
                                           "weight, bias; coupling: G; elementwise, cubic: "
                                           "gamma)");
            goto done;
        }
    }
    /* The dimension: the metadata, else the first layer. */
    if (dims != NULL)
    {
        char *e;
        long v = strtol(dims, &e, 10);
        if (*dims == '\0' || *e != '\0' || v < 1 || v > FY_INN_MAX_DIM)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s: metadata feynn.inn.dim = \"%.40s\" is not a "
                              "dimension (1 to %d)", name, dims, FY_INN_MAX_DIM);
            goto done;
        }
        d = (int) v;
    }
    else
    {
        char key[64];
        const fy_tensor_struct *t;
        snprintf(key, sizeof key, "layers.0.%s", kind[0] == FY_INN_LAYER_AFFINE ? "weight"
                                                 : kind[0] == FY_INN_LAYER_ELEMENTWISE ||
                                                   kind[0] == FY_INN_LAYER_CUBIC ? "gamma"
                                                                                      : "");
        t = fy_safetensors_find(st, key);
        if (t == NULL && kind[0] == FY_INN_LAYER_AFFINE)
            t = fy_safetensors_find(st, "layers.0.bias");
        if (kind[0] == FY_INN_LAYER_COUPLING)
        {
            /* the split names every coordinate once: count its numbers */
            const char *p = fy_safetensors_meta(st, "feynn.inn.split.0");
            int prev = 0;
            d = 0;
            for (; p && *p; p++)
            {
                if (isdigit((unsigned char) *p) && !prev)
                    d++;
                prev = isdigit((unsigned char) *p);
            }
        }
        else if (t != NULL && t->ndim >= 1)
            d = t->shape[0] <= (size_t) FY_INN_MAX_DIM ? (int) t->shape[0] : FY_INN_MAX_DIM + 1;
        if (d < 1 || d > FY_INN_MAX_DIM)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s: cannot tell the dimension from layer 0: "
                              "write the metadata feynn.inn.dim (doc/inn-format.md)", name);
            goto done;
        }
    }
    out->source = (char *) name;
    if ((rc = fy_inn_set_dim(out, d, err)))
        goto done;
    A = fy_malloc((size_t) d, sizeof *A, err);
    B = fy_malloc((size_t) d, sizeof *B, err);
    if (A == NULL || B == NULL)
    {
        rc = FY_ENOMEM;
        goto done;
    }
    for (l = 0; l < nl && rc == FY_OK; l++)
    {
        char lname[32];
        fmpq *W = NULL, *b = NULL, *G = NULL, *gam = NULL;
        const fy_tensor_struct *tW = NULL, *tb = NULL, *tG = NULL, *tg = NULL;
        size_t shape[3];
        snprintf(lname, sizeof lname, "layers.%d", l);
        /* "layer I ('layers.I', KIND)"; the messages put the file name before it */
        out->source = NULL;
        fy_inn_where(where, sizeof where, out, l, lname, (fy_inn_layer_kind_t) kind[l]);
        out->source = (char *) name;
        switch (kind[l])
        {
        case FY_INN_LAYER_AFFINE:
            shape[0] = shape[1] = (size_t) d;
            rc = get_tensor(&W, &tW, st, name, l, "weight", 0, 2, shape, where,
                            "the d x d weight matrix, d the data dimension", err);
            if (rc == FY_OK)
                rc = get_tensor(&b, &tb, st, name, l, "bias", 1, 1, shape, where,
                                "the d entries of the bias", err);
            if (rc == FY_OK)
                rc = fy_inn_push_affine(out, lname, W, b, err);
            break;
        case FY_INN_LAYER_COUPLING:
        {
            char key[64];
            const char *sp;
            int nA = 0, nB = 0;
            snprintf(key, sizeof key, "feynn.inn.split.%d", l);
            sp = fy_safetensors_meta(st, key);
            if (sp == NULL)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s: %s: the metadata %s is missing: a "
                                  "coupling needs its split, as in \"A=0,1;B=2,3\"", name,
                                  where, key);
                break;
            }
            if (parse_split(A, &nA, B, &nB, d, sp) != 0)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s: %s: metadata %s = \"%.100s\" is not a "
                                  "split of 0..%d; expected \"A=i,j,...;B=k,...\"", name, where,
                                  key, sp, d - 1);
                break;
            }
            shape[0] = (size_t) nB;
            shape[1] = shape[2] = (size_t) nA;
            rc = get_tensor(&G, &tG, st, name, l, "G", nA * nB == 0, 3, shape, where,
                            "G[t][r][s] = G_{B[t] A[r] A[s]}: (nB, nA, nA) of the split", err);
            if (rc == FY_OK)
                rc = fy_inn_push_coupling(out, lname, A, nA, B, nB, G, err);
            if (G)
                _fmpq_vec_clear(G, (slong) (tG->numel > 0 ? tG->numel : 1));
            G = NULL;
            break;
        }
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            shape[0] = (size_t) d;
            rc = get_tensor(&gam, &tg, st, name, l, "gamma", 0, 1, shape, where,
                            "the d coefficients gamma", err);
            if (rc == FY_OK)
                rc = kind[l] == FY_INN_LAYER_CUBIC ? fy_inn_push_cubic(out, lname, gam, err)
                                                   : fy_inn_push_elementwise(out, lname, gam, err);
            break;
        }
        if (W)
            _fmpq_vec_clear(W, (slong) d * d);
        if (b)
            _fmpq_vec_clear(b, d);
        if (gam)
            _fmpq_vec_clear(gam, d);
    }
    out->source = NULL;
    if (rc == FY_OK && (out->source = fy_io_strdup(name, err)) == NULL)
        rc = FY_ENOMEM;
done:
    free(kind);
    free(A);
    free(B);
    if (rc != FY_OK)
    {
        out->source = NULL;
        fy_inn_clear(out);
        return rc;
    }
    fy_inn_clear(net);
    *net = *out;
    return FY_OK;
}

/* The double nearest to q, refused when it overflows. */
static int to_double(double *v, const fmpq_t q, const char *what, int l, const char *lname,
                     fy_error_t err)
{
    if (fy_io_fmpq_get_d(v, q) != 0)
        return fy_error_set(err, FY_EINPUT, "layer %d ('%s'): a value of %s is beyond the "
                            "double range and cannot be written to safetensors (use the text "
                            "format)", l, lname, what);
    return FY_OK;
}

int fy_inn_to_safetensors(fy_safetensors_t st, const fy_inn_t net, fy_error_t err)
{
    char key[64], buf[64], *kinds;
    double *v = NULL;
    size_t dd = (size_t) net->d, k, pos = 0, nmax;
    int l, rc;

    if (net->d < 1 || net->nlayers < 1)
        return fy_error_set(err, FY_EINPUT, "cannot write an INN without %s",
                            net->d < 1 ? "a dimension" : "layers");
    if ((rc = fy_safetensors_set_meta(st, "format", "pt", err)))
        return rc;
    snprintf(buf, sizeof buf, "%d", net->d);
    if ((rc = fy_safetensors_set_meta(st, "feynn.inn.dim", buf, err)))
        return rc;
    if ((kinds = fy_malloc((size_t) net->nlayers, 13, err)) == NULL)
        return FY_ENOMEM;
    for (l = 0; l < net->nlayers; l++)
        pos += (size_t) sprintf(kinds + pos, "%s%s", l ? "," : "",
                                fy_inn_layer_kind_name(net->layers[l].kind));
    rc = fy_safetensors_set_meta(st, "feynn.inn.kinds", kinds, err);
    free(kinds);
    if (rc)
        return rc;
    nmax = dd * dd;
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].kind == FY_INN_LAYER_COUPLING)
            if (g_size(&net->layers[l]) > nmax)
                nmax = g_size(&net->layers[l]);
    if ((v = fy_malloc(nmax > 0 ? nmax : 1, sizeof *v, err)) == NULL)
        return FY_ENOMEM;
    for (l = 0; l < net->nlayers && rc == FY_OK; l++)
    {
        const fy_inn_layer_struct *ly = &net->layers[l];
        size_t shape[3];
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            for (k = 0; k < dd * dd && rc == FY_OK; k++)
                rc = to_double(v + k, ly->W + k, "W", l, ly->name, err);
            shape[0] = shape[1] = dd;
            snprintf(key, sizeof key, "layers.%d.weight", l);
            if (rc == FY_OK)
                rc = fy_safetensors_add(st, key, FY_DTYPE_F64, 2, shape, v, err);
            if (rc == FY_OK && ly->b)
            {
                for (k = 0; k < dd && rc == FY_OK; k++)
                    rc = to_double(v + k, ly->b + k, "b", l, ly->name, err);
                snprintf(key, sizeof key, "layers.%d.bias", l);
                if (rc == FY_OK)
                    rc = fy_safetensors_add(st, key, FY_DTYPE_F64, 1, shape, v, err);
            }
            break;
        case FY_INN_LAYER_COUPLING:
        {
            char *split = fy_malloc(dd + 1, 12, err);
            int i;
            if (split == NULL)
            {
                rc = FY_ENOMEM;
                break;
            }
            pos = (size_t) sprintf(split, "A=");
            for (i = 0; i < ly->nA; i++)
                pos += (size_t) sprintf(split + pos, "%s%d", i ? "," : "", ly->A[i]);
            pos += (size_t) sprintf(split + pos, ";B=");
            for (i = 0; i < ly->nB; i++)
                pos += (size_t) sprintf(split + pos, "%s%d", i ? "," : "", ly->B[i]);
            snprintf(key, sizeof key, "feynn.inn.split.%d", l);
            rc = fy_safetensors_set_meta(st, key, split, err);
            free(split);
            if (rc || g_size(ly) == 0)
                break;
            for (k = 0; k < g_size(ly) && rc == FY_OK; k++)
                rc = to_double(v + k, ly->G + k, "G", l, ly->name, err);
            shape[0] = (size_t) ly->nB;
            shape[1] = shape[2] = (size_t) ly->nA;
            snprintf(key, sizeof key, "layers.%d.G", l);
            if (rc == FY_OK)
                rc = fy_safetensors_add(st, key, FY_DTYPE_F64, 3, shape, v, err);
            break;
        }
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            for (k = 0; k < dd && rc == FY_OK; k++)
                rc = to_double(v + k, ly->gamma + k, "gamma", l, ly->name, err);
            shape[0] = dd;
            snprintf(key, sizeof key, "layers.%d.gamma", l);
            if (rc == FY_OK)
                rc = fy_safetensors_add(st, key, FY_DTYPE_F64, 1, shape, v, err);
            break;
        }
    }
    free(v);
    return rc;
}

int fy_inn_save_safetensors(const char *path, const fy_inn_t net, fy_error_t err)
{
    fy_safetensors_t st;
    int rc;
    fy_safetensors_init(st);
    rc = fy_inn_to_safetensors(st, net, err);
    if (rc == FY_OK)
        rc = fy_safetensors_write(path, st, err);
    else
        fy_error_prefix(err, "%s: ", path);
    fy_safetensors_clear(st);
    return rc;
}

/* ------------------------------------------------------------------ loading */

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    return n > k && strcasecmp(path + n - k, ext) == 0;
}

static int looks_text(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    for (;;)
    {
        while (i < len && isspace(buf[i]))
            i++;
        if (i < len && buf[i] == '#')
        {
            while (i < len && buf[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    return len - i >= 9 && memcmp(buf + i, "feynn-inn", 9) == 0;
}

int fy_inn_load_buffer(fy_inn_t net, const uint8_t *buf, size_t len, const char *name,
                       fy_model_format_t format, fy_error_t err)
{
    fy_inn_t out;
    int rc;
    if (format == FY_MODEL_AUTO)
    {
        if (looks_text(buf, len))
            format = FY_MODEL_TEXT;
        else if (len >= 9 && buf[8] == '{')
            format = FY_MODEL_SAFETENSORS;
        else if (has_ext(name, ".safetensors"))
            format = FY_MODEL_SAFETENSORS;
        else if (has_ext(name, ".feynn-inn") || has_ext(name, ".inn") || has_ext(name, ".txt"))
            format = FY_MODEL_TEXT;
        else
            return fy_error_set(err, FY_EINPUT, "%s: offset 0: unknown INN format: expected "
                                "safetensors or the text format starting 'feynn-inn 1' "
                                "(doc/inn-format.md)", name);
    }
    fy_inn_init(out);
    if (format == FY_MODEL_TEXT)
        rc = fy_inn_read_text_buffer(out, (const char *) buf, len, name, err);
    else if (format == FY_MODEL_SAFETENSORS)
    {
        fy_safetensors_t st;
        fy_safetensors_init(st);
        rc = fy_safetensors_read_buffer(st, buf, len, name, err);
        if (rc == FY_OK)
            rc = fy_inn_from_tensors(out, st, name, err);
        fy_safetensors_clear(st);
    }
    else
        return fy_error_set(err, FY_EINPUT, "%s: an INN is read from safetensors or the text "
                            "format, not %s", name, fy_model_format_name(format));
    if (rc == FY_OK)
    {
        out->format = format;
        rc = fy_inn_validate(NULL, out, 0, err);
    }
    if (rc != FY_OK)
    {
        fy_inn_clear(out);
        return rc;
    }
    fy_inn_clear(net);
    *net = *out;
    return FY_OK;
}

int fy_inn_load(fy_inn_t net, const char *path, fy_error_t err)
{
    char *data;
    size_t len;
    int rc;
    if ((rc = fy_file_read(&data, &len, path, FY_IO_MAX_FILE_BYTES, err)))
        return rc;
    rc = fy_inn_load_buffer(net, (const uint8_t *) data, len, path, FY_MODEL_AUTO, err);
    free(data);
    return rc;
}
