/* Prepared networks for the Taylor-mode AD: activation names resolved to the kernels of
 * jet_tpl.c, shapes and values validated once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jet/jet_internal.h"

static const struct
{
    const char *name;
    fy_jet_act_kind_t kind;
} builtin[] = {
    {"identity", FY_JET_ACT_IDENTITY}, {"linear", FY_JET_ACT_IDENTITY},
    {"none", FY_JET_ACT_IDENTITY},     {"tanh", FY_JET_ACT_TANH},
    {"sigmoid", FY_JET_ACT_SIGMOID},   {"logistic", FY_JET_ACT_SIGMOID},
    {"softplus", FY_JET_ACT_SOFTPLUS}, {"exp", FY_JET_ACT_EXP},
    {"sin", FY_JET_ACT_SIN},           {"cos", FY_JET_ACT_COS},
    {"erf", FY_JET_ACT_ERF},           {"relu", FY_JET_ACT_RELU},
};

const char *fy_jet_act_kind_name(fy_jet_act_kind_t k)
{
    static const char *names[] = {"identity", "tanh", "sigmoid", "softplus", "exp",
                                  "sin",      "cos",  "erf",     "relu",     "polynomial"};
    return (unsigned) k < sizeof names / sizeof names[0] ? names[k] : "?";
}

void fy_jet_net_init(fy_jet_net_t J)
{
    memset(J, 0, sizeof *J);
}

static void release_layers(fy_jet_net_t J)
{
    int l;
    if (J->q)
        for (l = 0; l < J->L; l++)
            fmpq_poly_clear(J->q + l);
    free(J->q);
    free(J->kind);
    J->q = NULL;
    J->kind = NULL;
    J->net = NULL;
    J->L = 0;
    J->maxw = 0;
}

void fy_jet_net_clear(fy_jet_net_t J)
{
    slong i;
    release_layers(J);
    for (i = 0; i < J->npoly; i++)
    {
        free(J->poly_names[i]);
        fmpq_poly_clear(J->polys + i);
    }
    free(J->poly_names);
    free(J->polys);
    fy_jet_net_init(J);
}

/* Resolves one name: caller-defined polynomials first, then "quadratic", then the built-ins. */
static int resolve(fy_jet_act_kind_t *kind, fmpq_poly_t q, const fy_jet_net_t J,
                   const char *name)
{
    slong i;
    for (i = 0; i < J->npoly; i++)
        if (strcmp(J->poly_names[i], name) == 0)
        {
            *kind = FY_JET_ACT_POLY;
            fmpq_poly_set(q, J->polys + i);
            return 1;
        }
    if (strcasecmp(name, "quadratic") == 0)
    {
        /* z + z^2/2: the default of rules/activations.rules (a = 1/2) */
        *kind = FY_JET_ACT_POLY;
        fmpq_poly_zero(q);
        fmpq_poly_set_coeff_si(q, 1, 1);
        {
            fmpq_t h;
            fmpq_init(h);
            fmpq_set_si(h, 1, 2);
            fmpq_poly_set_coeff_fmpq(q, 2, h);
            fmpq_clear(h);
        }
        return 1;
    }
    for (i = 0; i < (slong) (sizeof builtin / sizeof builtin[0]); i++)
        if (strcasecmp(builtin[i].name, name) == 0)
        {
            *kind = builtin[i].kind;
            fmpq_poly_zero(q);
            return 1;
        }
    return 0;
}

static int check_values(const double *x, size_t n, const char *what, int l, fy_error_t err)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return fy_error_set(err, FY_EINPUT, "jet: layer %d: %s entry %zu is not finite", l,
                                what, i);
    return FY_OK;
}

int fy_jet_net_set(fy_jet_net_t J, const fy_net_t net, fy_error_t err)
{
    int l, L = net->L, rc;
    slong maxw = 0;

    release_layers(J);
    if (L < 1 || net->layers == NULL || net->widths == NULL)
        return fy_error_set(err, FY_EINPUT, "jet: the network has no layers");
    for (l = 0; l <= L; l++)
    {
        if (net->widths[l] < 1 || net->widths[l] > FY_IO_MAX_WIDTH)
            return fy_error_set(err, FY_EINPUT, "jet: width n_%d = %zu is out of range", l,
                                net->widths[l]);
        if ((slong) net->widths[l] > maxw)
            maxw = (slong) net->widths[l];
    }
    for (l = 1; l <= L; l++)
    {
        const fy_layer_struct *ly = net->layers + (l - 1);
        if (ly->n_in != net->widths[l - 1] || ly->n_out != net->widths[l] || ly->W == NULL ||
            ly->b == NULL)
            return fy_error_set(err, FY_EINPUT,
                                "jet: layer %d has shape %zu x %zu, expected %zu x %zu", l,
                                ly->n_out, ly->n_in, net->widths[l], net->widths[l - 1]);
        if ((rc = check_values(ly->W, ly->n_out * ly->n_in, "weight", l, err)) != FY_OK ||
            (rc = check_values(ly->b, ly->n_out, "bias", l, err)) != FY_OK)
            return rc;
    }
    J->kind = fy_calloc((size_t) L, sizeof *J->kind, err);
    J->q = fy_calloc((size_t) L, sizeof *J->q, err);
    if (J->kind == NULL || J->q == NULL)
    {
        free(J->kind);
        free(J->q);
        J->kind = NULL;
        J->q = NULL;
        return FY_ENOMEM;
    }
    J->L = L;
    for (l = 0; l < L; l++)
        fmpq_poly_init(J->q + l);
    for (l = 1; l <= L; l++)
    {
        const char *name = net->layers[l - 1].activation;
        if (name == NULL)
        {
            if (l < L)
            {
                release_layers(J);
                return fy_error_set(err, FY_EINPUT,
                                    "jet: hidden layer %d has no activation (every hidden "
                                    "layer needs one: load the network with an activation, "
                                    "e.g. tanh)", l);
            }
            J->kind[l - 1] = FY_JET_ACT_IDENTITY;
            continue;
        }
        if (!resolve(J->kind + (l - 1), J->q + (l - 1), J, name))
        {
            release_layers(J);
            return fy_error_set(err, FY_EUNSUPPORTED,
                                "jet: unknown activation '%s' on layer %d (the Taylor-mode AD "
                                "knows identity, tanh, sigmoid, softplus, exp, sin, cos, erf, "
                                "relu, quadratic and polynomials defined with "
                                "fy_jet_net_define_poly)", name, l);
        }
    }
    J->net = net;
    J->maxw = maxw;
    return FY_OK;
}

int fy_jet_net_define_poly(fy_jet_net_t J, const char *name, const fmpq_poly_t q,
                           fy_error_t err)
{
    slong i;
    char **nn;
    fmpq_poly_struct *np;

    if (name == NULL || name[0] == '\0')
        return fy_error_set(err, FY_EINPUT, "jet: a polynomial activation needs a name");
    for (i = 0; i < J->npoly; i++)
        if (strcmp(J->poly_names[i], name) == 0)
        {
            fmpq_poly_set(J->polys + i, q);
            goto reresolve;
        }
    nn = fy_realloc(J->poly_names, (size_t) J->npoly + 1, sizeof *nn, err);
    if (nn == NULL)
        return FY_ENOMEM;
    J->poly_names = nn;
    np = fy_realloc(J->polys, (size_t) J->npoly + 1, sizeof *np, err);
    if (np == NULL)
        return FY_ENOMEM;
    J->polys = np;
    J->poly_names[J->npoly] = strdup(name);
    if (J->poly_names[J->npoly] == NULL)
        return fy_error_set(err, FY_ENOMEM, "jet: out of memory");
    fmpq_poly_init(J->polys + J->npoly);
    fmpq_poly_set(J->polys + J->npoly, q);
    J->npoly++;
reresolve:
    if (J->net != NULL)
        return fy_jet_net_set(J, J->net, err);
    return FY_OK;
}

slong fy_jet_net_inputs(const fy_jet_net_t J)
{
    return J->net ? (slong) J->net->widths[0] : 0;
}

slong fy_jet_net_outputs(const fy_jet_net_t J)
{
    return J->net ? (slong) J->net->widths[J->L] : 0;
}
