/* Network tools of the train module: plain evaluation of an fy_net_t, the ensemble as one
 * network, the known-function callbacks for residual training, and the data tools (rays,
 * small-|U| weights). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train/train_internal.h"

/* ------------------------------------------------------------------ evaluation */

/* acts[l] for the hidden layers l of net (L - 1 of them, initialised) from rules. */
static int eval_acts(fy_tact_struct *acts, const fy_net_t net, const fy_rules_struct *rules,
                     fy_error_t err)
{
    int l, rc = FY_OK;
    for (l = 0; l + 1 < net->L && rc == FY_OK; l++)
        if ((rc = _fy_tact_set(acts + l, net->layers[l].activation, rules, err)) != FY_OK)
            fy_error_prefix(err, "layer %d: ", l + 1);
    return rc;
}

/* The affine maps and activations of net on the N rows of X, given the resolved acts. */
static void eval_rows(double *out, const fy_net_t net, const fy_tact_struct *acts,
                      const double *X, long N, int d, double *a, double *b)
{
    long i;
    int l;
    for (i = 0; i < N; i++)
    {
        size_t r, c;
        memcpy(a, X + (size_t) i * d, (size_t) d * sizeof(double));
        for (l = 0; l < net->L; l++)
        {
            const fy_layer_struct *ly = &net->layers[l];
            for (r = 0; r < ly->n_out; r++)
            {
                double s = ly->b[r];
                for (c = 0; c < ly->n_in; c++)
                    s += ly->W[r * ly->n_in + c] * a[c];
                b[r] = s;
            }
            if (l + 1 < net->L)
                _fy_act_forward(a, b, ly->n_out, acts + l);
            else
                memcpy(a, b, ly->n_out * sizeof(double));
        }
        memcpy(out + (size_t) i * net->widths[net->L], a,
               net->widths[net->L] * sizeof(double));
    }
}

int fy_net_eval_rules(double *out, const fy_net_t net, const fy_rules_struct *rules,
                      const double *X, long N, int d, fy_error_t err)
{
    fy_tact_struct *acts = NULL;
    fy_rules_t own;
    const fy_rules_struct *use;
    double *a = NULL, *b = NULL;
    size_t maxw = 0;
    int l, rc;

    if (net->L < 1 || net->widths == NULL)
        return fy_error_set(err, FY_EINPUT, "network has no layers");
    if (net->widths[0] != (size_t) d)
        return fy_error_set(err, FY_EINPUT,
                            "network expects %zu inputs, the data have d = %d", net->widths[0],
                            d);
    if (net->layers[net->L - 1].activation != NULL)
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "output activation %s: fy_net_eval evaluates linear outputs only",
                            net->layers[net->L - 1].activation);
    for (l = 0; l <= net->L; l++)
        if (net->widths[l] > maxw)
            maxw = net->widths[l];
    fy_rules_init(own);
    acts = fy_calloc((size_t) net->L, sizeof *acts, err);
    a = fy_malloc(maxw, sizeof(double), err);
    b = fy_malloc(maxw, sizeof(double), err);
    rc = !acts || !a || !b ? FY_ENOMEM : FY_OK;
    for (l = 0; rc == FY_OK && l + 1 < net->L; l++)
        _fy_tact_init(acts + l);
    if (rc == FY_OK && net->L > 1 && (rc = _fy_train_rules(own, &use, rules, err)) == FY_OK)
        rc = eval_acts(acts, net, use, err);
    if (rc == FY_OK)
        eval_rows(out, net, acts, X, N, d, a, b);
    for (l = 0; a && b && acts != NULL && l + 1 < net->L; l++)
        _fy_tact_clear(acts + l);
    fy_rules_clear(own);
    free(acts);
    free(a);
    free(b);
    return rc;
}

int fy_net_eval(double *out, const fy_net_t net, const double *X, long N, int d, fy_error_t err)
{
    return fy_net_eval_rules(out, net, NULL, X, N, d, err);
}

/* ------------------------------------------------------------------ ensembles */

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int fy_net_ensemble(fy_net_t out, const fy_net_struct *members, int K, fy_error_t err)
{
    const fy_net_struct *m0 = members;
    int L, l, k;

    if (K < 1 || members == NULL)
        return fy_error_set(err, FY_EINPUT, "an ensemble needs at least one member");
    L = m0->L;
    if (L < 1 || m0->widths == NULL)
        return fy_error_set(err, FY_EINPUT, "ensemble member 0 has no layers");
    for (k = 0; k < K; k++)
    {
        const fy_net_struct *n = members + k;
        if (n->L != L || n->widths == NULL)
            return fy_error_set(err, FY_EINPUT,
                                "ensemble member %d has %d layers, member 0 has %d", k, n->L, L);
        if (n->widths[0] != m0->widths[0] || n->widths[L] != m0->widths[L])
            return fy_error_set(err, FY_EINPUT,
                                "ensemble member %d maps %zu -> %zu, member 0 maps %zu -> %zu", k,
                                n->widths[0], n->widths[L], m0->widths[0], m0->widths[L]);
        for (l = 0; l < L; l++)
            if (!same_str(n->layers[l].activation, m0->layers[l].activation))
                return fy_error_set(err, FY_EINPUT,
                                    "ensemble member %d has activation %s at layer %d, member 0 "
                                    "has %s", k,
                                    n->layers[l].activation ? n->layers[l].activation : "(none)",
                                    l + 1,
                                    m0->layers[l].activation ? m0->layers[l].activation
                                                             : "(none)");
    }
    if (m0->layers[L - 1].activation != NULL)
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "members have an output activation (%s): the average of activated "
                            "outputs is not one network", m0->layers[L - 1].activation);

    fy_net_clear(out);
    out->layers = fy_calloc((size_t) L, sizeof *out->layers, err);
    out->widths = fy_calloc((size_t) L + 1, sizeof *out->widths, err);
    if (!out->layers || !out->widths)
        goto nomem;
    out->L = L;
    out->format = FY_MODEL_SAFETENSORS;
    out->activation_source = m0->activation_source;
    out->widths[0] = m0->widths[0];
    out->widths[L] = m0->widths[L];
    for (l = 1; l < L; l++)
        for (k = 0; k < K; k++)
            out->widths[l] += members[k].widths[l];
    for (l = 0; l < L; l++)
    {
        fy_layer_struct *ly = &out->layers[l];
        size_t ro = 0, co = 0, r, c;
        char name[32];
        ly->n_out = out->widths[l + 1];
        ly->n_in = out->widths[l];
        snprintf(name, sizeof name, "%d", 2 * l);
        ly->name = strdup(name);
        ly->W = fy_calloc(ly->n_out * ly->n_in, sizeof(double), err);
        ly->b = fy_calloc(ly->n_out, sizeof(double), err);
        ly->w_dtype = ly->b_dtype = FY_DTYPE_F64;
        if (m0->layers[l].activation)
            ly->activation = strdup(m0->layers[l].activation);
        if (!ly->name || !ly->W || !ly->b || (m0->layers[l].activation && !ly->activation))
            goto nomem;
        for (k = 0; k < K; k++)
        {
            const fy_layer_struct *src = &members[k].layers[l];
            /* block (ro.., co..): rows stacked except in the last layer, columns stacked
             * except in the first */
            size_t r0 = l + 1 < L ? ro : 0, c0 = l > 0 ? co : 0;
            double scale = l + 1 < L ? 1.0 : 1.0 / K;
            for (r = 0; r < src->n_out; r++)
            {
                for (c = 0; c < src->n_in; c++)
                    ly->W[(r0 + r) * ly->n_in + c0 + c] = scale * src->W[r * src->n_in + c];
                if (l + 1 < L)
                    ly->b[r0 + r] = src->b[r];
                else
                    ly->b[r] += src->b[r] / K;
            }
            ro += src->n_out;
            co += src->n_in;
        }
    }
    return FY_OK;
nomem:
    fy_net_clear(out);
    return fy_error_set(err, FY_ENOMEM, "out of memory building an ensemble of %d networks", K);
}

/* ------------------------------------------------------------------ known functions */

int fy_train_fn_poly(double *out, const double *X, long n, int d, void *ctx, fy_error_t err)
{
    const fy_train_poly_struct *p = ctx;
    long i;
    int j, k;
    if (p == NULL || p->d != d)
        return fy_error_set(err, FY_EINPUT, "polynomial has %d variables, the data have d = %d",
                            p ? p->d : -1, d);
    for (i = 0; i < n; i++)
    {
        const double *x = X + (size_t) i * d;
        double s = p->c0, q = 0.0;
        if (p->c)
            for (j = 0; j < d; j++)
                s += p->c[j] * x[j];
        if (p->H)
            for (j = 0; j < d; j++)
                for (k = 0; k < d; k++)
                    q += p->H[(size_t) j * d + k] * x[j] * x[k];
        out[i] = s + 0.5 * q;
    }
    return FY_OK;
}

int fy_train_fn_net(double *out, const double *X, long n, int d, void *ctx, fy_error_t err)
{
    fy_net_struct *net = ctx;
    if (net == NULL || net->L < 1 || net->widths[net->L] != 1)
        return fy_error_set(err, FY_EINPUT, "subtracted network must have one output");
    return fy_net_eval(out, net, X, n, d, err);
}

/* ------------------------------------------------------------------ data tools */

int fy_train_rays(double *X, double *y, const double *dirs, long n_dirs, int d, int n_per,
                  double s_min, double s_max, double emphasis, uint64_t seed, fy_train_fn f,
                  void *f_ctx, fy_error_t err)
{
    fy_rng_t rng;
    long i, n;
    int k, j;
    if (n_dirs < 1 || d < 1 || n_per < 1 || X == NULL || dirs == NULL)
        return fy_error_set(err, FY_EINPUT, "rays need n_dirs, d, n_per >= 1 and arrays");
    if (!isfinite(s_min) || !isfinite(s_max) || s_max < s_min || !(emphasis > 0))
        return fy_error_set(err, FY_EINPUT,
                            "ray scales need finite s_min <= s_max and emphasis > 0");
    for (i = 0; i < n_dirs * d; i++)
        if (!isfinite(dirs[i]))
            return fy_error_set(err, FY_EINPUT, "ray direction %ld entry %ld is not finite",
                                i / d, i % d);
    fy_rng_init(rng, seed, FY_RNG_PURPOSE_TRAIN_RAYS); /* stream = direction, index = point */
    for (i = 0; i < n_dirs; i++)
        for (k = 0; k < n_per; k++)
        {
            double u = fy_rng_uniform(rng, (uint64_t) i, (uint64_t) k);
            double s = s_min + (s_max - s_min) * pow(u, emphasis);
            double *x = X + ((size_t) i * n_per + k) * d;
            for (j = 0; j < d; j++)
                x[j] = s * dirs[(size_t) i * d + j];
        }
    n = n_dirs * n_per;
    if (f && y)
    {
        int rc = f(y, X, n, d, f_ctx, err);
        if (rc)
            return fy_error_prefix(err, "ray targets: ");
    }
    return FY_OK;
}

int fy_train_weights_small(double *w, const double *X, long N, int d, double power,
                           double floor, fy_error_t err)
{
    long i;
    int j;
    double sum = 0.0;
    if (N < 1 || d < 1)
        return fy_error_set(err, FY_EINPUT, "weights need N, d >= 1");
    if (!isfinite(power) || !(floor > 0) || !isfinite(floor))
        return fy_error_set(err, FY_EINPUT, "weights need a finite power and floor > 0");
    for (i = 0; i < N; i++)
    {
        double r2 = floor * floor;
        for (j = 0; j < d; j++)
            r2 += X[(size_t) i * d + j] * X[(size_t) i * d + j];
        w[i] = pow(r2, -0.5 * power);
        if (!isfinite(w[i]))
            return fy_error_set(err, FY_EINPUT, "weight of row %ld is not finite", i);
        sum += w[i];
    }
    for (i = 0; i < N; i++)
        w[i] *= (double) N / sum;
    return FY_OK;
}
