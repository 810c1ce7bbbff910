/* Activation functions from their rule-file definitions: exact vertex polynomials
 * sigma^(k) = P_k(u) (MATH.md 1.7), and values of sigma^(k)(z) exactly, in ball arithmetic and
 * in double. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_impl.h"

static const char *const def_names[] = {"closure", "polynomial", "antiderivative", "cycle",
                                        "hermite", "piecewise-linear"};

const char *fy_act_def_name(fy_act_def_t d)
{
    return (unsigned) d < sizeof def_names / sizeof def_names[0] ? def_names[d] : "?";
}

void fy_activation_init(fy_activation_t a)
{
    memset(a, 0, sizeof *a);
    fmpq_poly_init(a->p);
    fmpq_init(a->at0);
    fmpq_init(a->base_at0);
    fmpq_init(a->slope_neg);
    fmpq_init(a->slope_pos);
    a->var = FY_ACT_VAR_NONE;
}

void fy_activation_clear(fy_activation_t a)
{
    int i;
    free(a->name);
    free(a->description);
    free(a->source);
    fy_expr_free(a->poly_expr);
    fmpq_poly_clear(a->p);
    for (i = 0; i < a->nparams; i++)
    {
        free(a->param_names[i]);
        fmpq_clear(a->param_values + i);
    }
    free(a->param_names);
    free(a->param_values);
    free(a->base);
    fy_expr_free(a->func);
    free(a->func_source);
    fy_expr_free(a->base_func);
    fmpq_clear(a->at0);
    fmpq_clear(a->base_at0);
    for (i = 0; i < a->ncycle; i++)
    {
        fy_expr_free(a->cycle[i]);
        free(a->cycle_sources[i]);
        fmpq_clear(a->cycle_at0 + i);
    }
    free(a->cycle);
    free(a->cycle_sources);
    free(a->cycle_at0);
    fy_expr_free(a->prefactor);
    free(a->prefactor_source);
    fmpq_clear(a->slope_neg);
    fmpq_clear(a->slope_pos);
    free(a->file);
    memset(a, 0, sizeof *a);
}

int fy_activation_cycle_alloc(fy_activation_struct *a, int n)
{
    int k;
    a->cycle = calloc((size_t) n, sizeof *a->cycle);
    a->cycle_sources = calloc((size_t) n, sizeof *a->cycle_sources);
    a->cycle_at0 = flint_calloc((size_t) n, sizeof(fmpq));
    if (a->cycle == NULL || a->cycle_sources == NULL || a->cycle_at0 == NULL)
    {
        free(a->cycle);
        free(a->cycle_sources);
        flint_free(a->cycle_at0);
        a->cycle = NULL;
        a->cycle_sources = NULL;
        a->cycle_at0 = NULL;
        return FY_ENOMEM;
    }
    for (k = 0; k < n; k++)
        fmpq_init(a->cycle_at0 + k);
    a->ncycle = n;
    return FY_OK;
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = malloc(strlen(src) + 1);
    if (*dst == NULL)
        return 1;
    strcpy(*dst, src);
    return 0;
}

static int dup_expr(fy_rules_expr_struct **dst, const fy_rules_expr_struct *src)
{
    *dst = NULL;
    if (src == NULL)
        return 0;
    *dst = fy_expr_copy(src);
    return *dst == NULL;
}

int fy_activation_set(fy_activation_t dst, const fy_activation_t src, fy_error_t err)
{
    fy_activation_t t;
    int i, bad = 0;

    if (dst == src)
        return FY_OK;
    fy_activation_init(t);
    t->def = src->def;
    t->var = src->var;
    t->nparams = 0;
    t->ncycle = 0;
    bad |= dup_str(&t->name, src->name);
    bad |= dup_str(&t->description, src->description);
    bad |= dup_str(&t->source, src->source);
    bad |= dup_expr(&t->poly_expr, src->poly_expr);
    fmpq_poly_set(t->p, src->p);
    if (src->nparams > 0 && !bad)
    {
        t->param_names = calloc((size_t) src->nparams, sizeof *t->param_names);
        t->param_values = flint_calloc((size_t) src->nparams, sizeof(fmpq));
        if (t->param_names == NULL || t->param_values == NULL)
            bad = 1;
        else
        {
            t->nparams = src->nparams;
            for (i = 0; i < src->nparams; i++)
            {
                fmpq_init(t->param_values + i);
                fmpq_set(t->param_values + i, src->param_values + i);
                bad |= dup_str(&t->param_names[i], src->param_names[i]);
            }
        }
    }
    bad |= dup_str(&t->base, src->base);
    bad |= dup_expr(&t->func, src->func);
    bad |= dup_str(&t->func_source, src->func_source);
    bad |= dup_expr(&t->base_func, src->base_func);
    t->has_at0 = src->has_at0;
    fmpq_set(t->at0, src->at0);
    t->base_has_at0 = src->base_has_at0;
    fmpq_set(t->base_at0, src->base_at0);
    if (src->ncycle > 0 && !bad)
    {
        if (fy_activation_cycle_alloc(t, src->ncycle) != FY_OK)
            bad = 1;
        else
            for (i = 0; i < src->ncycle; i++)
            {
                fmpq_set(t->cycle_at0 + i, src->cycle_at0 + i);
                bad |= dup_expr(&t->cycle[i], src->cycle[i]);
                bad |= dup_str(&t->cycle_sources[i], src->cycle_sources[i]);
            }
    }
    bad |= dup_expr(&t->prefactor, src->prefactor);
    bad |= dup_str(&t->prefactor_source, src->prefactor_source);
    fmpq_set(t->slope_neg, src->slope_neg);
    fmpq_set(t->slope_pos, src->slope_pos);
    t->ball_only = src->ball_only;
    bad |= dup_str(&t->file, src->file);
    t->line = src->line;
    t->column = src->column;
    if (bad)
    {
        fy_activation_clear(t);
        return fy_error_set(err, FY_ENOMEM, "out of memory copying an activation");
    }
    fy_activation_clear(dst);
    *dst = *t;
    return FY_OK;
}

/* P_1 = p, P_{k+1} = P_k' p. */
static void closure_poly(fmpq_poly_t P, const fmpq_poly_t p, ulong k)
{
    fmpq_poly_t d;
    ulong j;
    if (k == 0)
    {
        fmpq_poly_zero(P);
        fmpq_poly_set_coeff_si(P, 1, 1);
        return;
    }
    fmpq_poly_init(d);
    fmpq_poly_set(P, p);
    for (j = 1; j < k; j++)
    {
        fmpq_poly_derivative(d, P);
        fmpq_poly_mul(P, d, p);
    }
    fmpq_poly_clear(d);
}

/* Q_1 = 1, Q_{k+1} = Q_k' - 2 z Q_k: d^k/dz^k exp(-z^2) = Q_{k+1}(z) exp(-z^2). */
static void hermite_poly(fmpq_poly_t Q, ulong k)
{
    fmpq_poly_t d, zq;
    ulong j;
    fmpq_poly_init(d);
    fmpq_poly_init(zq);
    fmpq_poly_one(Q);
    for (j = 1; j < k; j++)
    {
        fmpq_poly_derivative(d, Q);
        fmpq_poly_shift_left(zq, Q, 1);
        fmpq_poly_scalar_mul_si(zq, zq, 2);
        fmpq_poly_sub(Q, d, zq);
    }
    fmpq_poly_clear(d);
    fmpq_poly_clear(zq);
}

int fy_activation_poly(fmpq_poly_t P, const fy_activation_t a, ulong k, fy_error_t err)
{
    ulong j;
    switch (a->def)
    {
    case FY_ACT_CLOSURE:
        closure_poly(P, a->p, k);
        return FY_OK;
    case FY_ACT_POLYNOMIAL:
        fmpq_poly_set(P, a->p);
        for (j = 0; j < k && !fmpq_poly_is_zero(P); j++)
            fmpq_poly_derivative(P, P);
        return FY_OK;
    case FY_ACT_ANTIDERIVATIVE:
        if (k == 0)
            break;
        closure_poly(P, a->p, k - 1);
        return FY_OK;
    case FY_ACT_HERMITE:
        if (k == 0)
            break;
        hermite_poly(P, k);
        return FY_OK;
    case FY_ACT_PIECEWISE_LINEAR:
        if (k >= 2)
        {
            fmpq_poly_zero(P);
            return FY_OK;
        }
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "%s is piecewise linear: sigma^(%lu) is not a polynomial (its "
                            "derivatives of order >= 2 vanish away from z = 0)",
                            a->name ? a->name : "activation", (unsigned long) k);
    case FY_ACT_CYCLE:
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "%s is defined by a cycle of %d derivatives: sigma^(k) = f_(k mod "
                            "%d), not a polynomial", a->name ? a->name : "activation",
                            a->ncycle, a->ncycle);
    }
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: sigma itself is not a polynomial in %s",
                        a->name ? a->name : "activation", fy_activation_var_name(a));
}

int fy_activation_poly_next(fmpq_poly_t P, const fy_activation_t a, ulong k, fy_error_t err)
{
    fmpq_poly_t d;
    if (k < 2 || (a->def != FY_ACT_CLOSURE && a->def != FY_ACT_ANTIDERIVATIVE &&
                  a->def != FY_ACT_POLYNOMIAL && a->def != FY_ACT_HERMITE))
        return fy_activation_poly(P, a, k, err);
    fmpq_poly_init(d);
    fmpq_poly_derivative(d, P);
    switch (a->def)
    {
    case FY_ACT_POLYNOMIAL:
        fmpq_poly_swap(P, d);
        break;
    case FY_ACT_HERMITE:
        /* Q_k = Q_{k-1}' - 2 z Q_{k-1} */
        fmpq_poly_shift_left(P, P, 1);
        fmpq_poly_scalar_mul_si(P, P, 2);
        fmpq_poly_sub(P, d, P);
        break;
    default:
        /* closure P_k = P_{k-1}' p; antiderivative the same from P_1 = u */
        fmpq_poly_mul(P, d, a->p);
    }
    fmpq_poly_clear(d);
    return FY_OK;
}

slong fy_activation_last_nonzero(const fy_activation_t a)
{
    switch (a->def)
    {
    case FY_ACT_POLYNOMIAL:
        return fmpq_poly_degree(a->p) < 0 ? 0 : fmpq_poly_degree(a->p);
    case FY_ACT_PIECEWISE_LINEAR:
        return fmpq_is_zero(a->slope_neg) && fmpq_is_zero(a->slope_pos) ? 0 : 1;
    case FY_ACT_CLOSURE:
        /* p constant: sigma is linear */
        if (fmpq_poly_degree(a->p) < 0)
            return 0;
        return fmpq_poly_degree(a->p) == 0 ? 1 : -1;
    case FY_ACT_ANTIDERIVATIVE:
        if (fmpq_poly_degree(a->p) < 0)
            return 1;
        return fmpq_poly_degree(a->p) == 0 ? 2 : -1;
    default:
        return -1;
    }
}

const char *fy_activation_var_name(const fy_activation_t a)
{
    switch (a->var)
    {
    case FY_ACT_VAR_SIGMA:
        return "s";
    case FY_ACT_VAR_BASE:
        return "u";
    case FY_ACT_VAR_Z:
        return "z";
    default:
        return "";
    }
}

/* Ascending powers, as in MATH.md: "1 - s^2", "s - 3*s^2 + 2*s^3", "1/2*z^2" alone. */
char *fy_rules_poly_string(const fmpq_poly_t P, const char *var)
{
    size_t cap = 64, len = 0;
    char *out = flint_malloc(cap);
    fmpq_t c;
    slong i;
    int first = 1;

    fmpq_init(c);
    out[0] = '\0';
    for (i = 0; i < P->length; i++)
    {
        char *cs;
        size_t need;
        int neg, unit;
        fmpq_poly_get_coeff_fmpq(c, P, i);
        if (fmpq_is_zero(c))
            continue;
        neg = fmpq_sgn(c) < 0;
        fmpq_abs(c, c);
        unit = fmpq_is_one(c) && i > 0;
        cs = fmpq_get_str(NULL, 10, c);
        need = len + strlen(cs) + strlen(var) + 48;
        if (need > cap)
        {
            cap = 2 * need;
            out = flint_realloc(out, cap);
        }
        len += (size_t) sprintf(out + len, "%s", first ? (neg ? "-" : "") : (neg ? " - " : " + "));
        if (!unit)
            len += (size_t) sprintf(out + len, "%s%s", cs, i > 0 ? "*" : "");
        if (i == 1)
            len += (size_t) sprintf(out + len, "%s", var);
        else if (i > 1)
            len += (size_t) sprintf(out + len, "%s^%ld", var, (long) i);
        flint_free(cs);
        first = 0;
    }
    if (first)
        strcpy(out, "0");
    fmpq_clear(c);
    return out;
}

/* ------------------------------------------------------------------------ parameters */

int fy_activation_set_param(fy_activation_t a, const char *name, const fmpq_t value,
                            fy_error_t err)
{
    int i;
    fmpq_t old;
    int rc;

    for (i = 0; i < a->nparams; i++)
        if (strcmp(a->param_names[i], name) == 0)
            break;
    if (i == a->nparams)
    {
        if (a->nparams == 0)
            return fy_error_set(err, FY_EINPUT, "activation %s has no parameters",
                                a->name ? a->name : "?");
        return fy_error_set(err, FY_EINPUT, "activation %s has no parameter '%s' (it has %s%s)",
                            a->name ? a->name : "?", name, a->param_names[0],
                            a->nparams > 1 ? ", ..." : "");
    }
    fmpq_init(old);
    fmpq_set(old, a->param_values + i);
    fmpq_set(a->param_values + i, value);
    rc = fy_expr_to_poly(a->p, a->poly_expr, a->param_values, err);
    if (rc != FY_OK)
    {
        fmpq_set(a->param_values + i, old);
        fy_expr_to_poly(a->p, a->poly_expr, a->param_values, NULL);
        fy_error_prefix(err, "activation %s with %s = ", a->name ? a->name : "?", name);
    }
    fmpq_clear(old);
    return rc;
}

int fy_activation_set_params(fy_activation_t a, const char *spec, fy_error_t err)
{
    const char *p = spec;
    while (*p != '\0')
    {
        const char *eq, *end;
        char name[64];
        fmpq_t v;
        int rc;
        size_t n;

        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        eq = strchr(p, '=');
        end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        if (eq == NULL || eq > end)
            return fy_error_set(err, FY_EINPUT, "parameter setting '%.*s': expected NAME=VALUE",
                                (int) (end - p), p);
        n = (size_t) (eq - p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof name)
            return fy_error_set(err, FY_EINPUT, "parameter setting '%.*s': expected a name "
                                "before '='", (int) (end - p), p);
        memcpy(name, p, n);
        name[n] = '\0';
        eq++;
        while (*eq == ' ')
            eq++;
        n = (size_t) (end - eq);
        while (n > 0 && eq[n - 1] == ' ')
            n--;
        fmpq_init(v);
        if (fy_parse_rational(v, eq, n) != 0)
        {
            fmpq_clear(v);
            return fy_error_set(err, FY_EINPUT, "parameter %s: expected a rational number "
                                "like 1/3 or 0.25, found '%.*s'", name, (int) n, eq);
        }
        rc = fy_activation_set_param(a, name, v, err);
        fmpq_clear(v);
        if (rc != FY_OK)
            return rc;
        p = end;
    }
    return FY_OK;
}

/* ------------------------------------------------------------------------- exact values */

static const char *aname(const fy_activation_t a)
{
    return a->name ? a->name : "activation";
}

/* res = P_k(x), with Pk = P_k when given (else built); x is copied first (gcc 12 misreads a
 * struct member argument here). */
static void poly_at(fmpq_t res, const fy_activation_t a, ulong k, const fmpq *x,
                    const fmpq_poly_struct *Pk)
{
    fmpq_poly_t P;
    fmpq_t xc;
    fmpq_init(xc);
    fmpq_set(xc, x);
    if (Pk != NULL)
        fmpq_poly_evaluate_fmpq(res, Pk, xc);
    else
    {
        fmpq_poly_init(P);
        fy_activation_poly(P, a, k, NULL);
        fmpq_poly_evaluate_fmpq(res, P, xc);
        fmpq_poly_clear(P);
    }
    fmpq_clear(xc);
}

static int eval_fmpq(fmpq_t res, const fy_activation_t a, ulong k, const fmpq_t z,
                     const fmpq_poly_struct *Pk, fy_error_t err);

int fy_activation_eval_fmpq(fmpq_t res, const fy_activation_t a, ulong k, const fmpq_t z,
                            fy_error_t err)
{
    return eval_fmpq(res, a, k, z, NULL, err);
}

int fy_activation_eval_poly_fmpq(fmpq_t res, const fy_activation_t a, ulong k,
                                 const fmpq_poly_t Pk, const fmpq_t z, fy_error_t err)
{
    return eval_fmpq(res, a, k, z, Pk, err);
}

static int eval_fmpq(fmpq_t res, const fy_activation_t a, ulong k, const fmpq_t z,
                     const fmpq_poly_struct *Pk, fy_error_t err)
{
    fmpq_poly_t P;
    int rc = FY_OK;

    if (a->ball_only)
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "%s is ball-only: its values are not rational; use ball arithmetic",
                            aname(a));
    switch (a->def)
    {
    case FY_ACT_POLYNOMIAL:
        if (Pk != NULL && k > 0)
        {
            fmpq_poly_evaluate_fmpq(res, Pk, z);
            return FY_OK;
        }
        fmpq_poly_init(P);
        fy_activation_poly(P, a, k, NULL);
        fmpq_poly_evaluate_fmpq(res, P, z);
        fmpq_poly_clear(P);
        return FY_OK;
    case FY_ACT_PIECEWISE_LINEAR:
        if (k == 0)
            fmpq_mul(res, fmpq_sgn(z) > 0 ? a->slope_pos : a->slope_neg, z);
        else if (k == 1)
            fmpq_set(res, fmpq_sgn(z) > 0 ? a->slope_pos : a->slope_neg);
        else
            fmpq_zero(res);
        return FY_OK;
    default:
        break;
    }
    if (!fmpq_is_zero(z))
        return fy_error_set(err, FY_EUNSUPPORTED,
                            "%s^(%lu)(z) is not known to be rational at z != 0; use ball "
                            "arithmetic", aname(a), (unsigned long) k);
    switch (a->def)
    {
    case FY_ACT_CLOSURE:
        if (!a->has_at0)
            break;
        if (k == 0)
        {
            fmpq_set(res, a->at0);
            return FY_OK;
        }
        poly_at(res, a, k, a->at0, Pk);
        return FY_OK;
    case FY_ACT_ANTIDERIVATIVE:
        if (k == 0)
        {
            if (!a->has_at0)
                break;
            fmpq_set(res, a->at0);
            return FY_OK;
        }
        if (!a->base_has_at0)
            break;
        poly_at(res, a, k, a->base_at0, Pk);
        return FY_OK;
    case FY_ACT_CYCLE:
        fmpq_set(res, a->cycle_at0 + (k % (ulong) a->ncycle));
        return FY_OK;
    case FY_ACT_HERMITE:
        if (k == 0 && a->has_at0)
        {
            fmpq_set(res, a->at0);
            return FY_OK;
        }
        break;
    default:
        break;
    }
    rc = fy_error_set(err, FY_EUNSUPPORTED, "%s^(%lu)(0) is not rational (or the rule file "
                      "gives no rational value at 0); use ball arithmetic", aname(a),
                      (unsigned long) k);
    return rc;
}

/* --------------------------------------------------------------------------- balls */

static void poly_eval_arb(arb_t res, const fmpq_poly_t P, const arb_t x, slong prec)
{
    arb_poly_t Q;
    arb_poly_init(Q);
    arb_poly_set_fmpq_poly(Q, P, prec);
    arb_poly_evaluate(res, Q, x, prec);
    arb_poly_clear(Q);
}

static int unsupported_value(const fy_activation_t a, ulong k, fy_error_t err)
{
    return fy_error_set(err, FY_EUNSUPPORTED,
                        "%s^(%lu)(z): the rule file gives no function expression for %s, so "
                        "only exact values at z = 0 are available", aname(a), (unsigned long) k,
                        a->def == FY_ACT_ANTIDERIVATIVE && k > 0 ? "its base" : "it");
}

static int eval_arb_once(arb_t res, const fy_activation_t a, ulong k, const arb_t z, slong prec,
                         fy_error_t err)
{
    slong wp = prec + 30;
    arb_t s, t;
    fmpq_poly_t P;
    int rc = FY_OK;

    if (!arb_is_finite(z))
        return fy_error_set(err, FY_EINPUT, "%s: the argument is not a finite ball", aname(a));
    arb_init(s);
    arb_init(t);
    fmpq_poly_init(P);
    switch (a->def)
    {
    case FY_ACT_POLYNOMIAL:
        fy_activation_poly(P, a, k, NULL);
        poly_eval_arb(res, P, z, wp);
        break;
    case FY_ACT_PIECEWISE_LINEAR:
        if (k >= 2)
            arb_zero(res);
        else
        {
            /* each piece, joined where the ball straddles 0 */
            if (k == 0)
            {
                arb_mul_fmpz(s, z, fmpq_numref(a->slope_neg), wp);
                arb_div_fmpz(s, s, fmpq_denref(a->slope_neg), wp);
                arb_mul_fmpz(t, z, fmpq_numref(a->slope_pos), wp);
                arb_div_fmpz(t, t, fmpq_denref(a->slope_pos), wp);
            }
            else
            {
                arb_set_fmpq(s, a->slope_neg, wp);
                arb_set_fmpq(t, a->slope_pos, wp);
            }
            if (arb_is_positive(z))
                arb_set(res, t);
            else if (arb_is_negative(z) || (k == 1 && arb_is_zero(z)))
                arb_set(res, s);
            else
                arb_union(res, s, t, wp);
        }
        break;
    case FY_ACT_CLOSURE:
    case FY_ACT_ANTIDERIVATIVE:
    case FY_ACT_HERMITE:
    {
        const fy_rules_expr_struct *f = a->func;
        if (a->def == FY_ACT_ANTIDERIVATIVE && k > 0)
            f = a->base_func;
        if (a->def == FY_ACT_HERMITE && k > 0)
        {
            /* A Q_k(z) exp(-z^2) */
            fy_activation_poly(P, a, k, NULL);
            poly_eval_arb(s, P, z, wp);
            arb_sqr(t, z, wp);
            arb_neg(t, t);
            arb_exp(t, t, wp);
            arb_mul(s, s, t, wp);
            rc = fy_rules_expr_eval_arb(t, a->prefactor, z, wp, err);
            arb_mul(res, s, t, wp);
            break;
        }
        if (f == NULL)
        {
            if (arb_is_zero(z))
            {
                fmpq_t q, zero;
                fmpq_init(q);
                fmpq_init(zero);
                rc = fy_activation_eval_fmpq(q, a, k, zero, err);
                if (rc == FY_OK)
                    arb_set_fmpq(res, q, prec);
                fmpq_clear(q);
                fmpq_clear(zero);
            }
            else
                rc = unsupported_value(a, k, err);
            break;
        }
        rc = fy_rules_expr_eval_arb(s, f, z, wp, err);
        if (rc != FY_OK)
            break;
        if (k == 0)
            arb_set(res, s);
        else
        {
            fy_activation_poly(P, a, k, NULL);
            poly_eval_arb(res, P, s, wp);
        }
        break;
    }
    case FY_ACT_CYCLE:
        rc = fy_rules_expr_eval_arb(res, a->cycle[k % (ulong) a->ncycle], z, wp, err);
        break;
    }
    if (rc == FY_OK)
        arb_set_round(res, res, prec);
    arb_clear(s);
    arb_clear(t);
    fmpq_poly_clear(P);
    return rc;
}

/* The union of sigma^(k) over the two halves of z, each halved again while its value is not
 * finite, to the depth left: Arb's elementary functions give up on wide balls (arb_tanh of
 * [3 +/- 50] is [nan +/- inf]) where narrower pieces have finite enclosures; the union of the
 * pieces' balls contains sigma^(k) on the whole ball. */
static int eval_arb_split(arb_t res, const fy_activation_t a, ulong k, const arb_t z, slong prec,
                          int depth, fy_error_t err)
{
    arf_t lo, mid, hi;
    arb_t half, v;
    int rc = FY_OK, side;
    arf_init(lo);
    arf_init(mid);
    arf_init(hi);
    arb_init(half);
    arb_init(v);
    arb_get_lbound_arf(lo, z, prec);
    arb_get_ubound_arf(hi, z, prec);
    arf_set(mid, arb_midref(z));
    for (side = 0; side < 2 && rc == FY_OK; side++)
    {
        if (side == 0)
            arb_set_interval_arf(half, lo, mid, prec);
        else
            arb_set_interval_arf(half, mid, hi, prec);
        rc = eval_arb_once(v, a, k, half, prec, err);
        if (rc == FY_OK && !arb_is_finite(v) && depth > 0 && !arb_is_exact(half))
            rc = eval_arb_split(v, a, k, half, prec, depth - 1, err);
        if (rc == FY_OK && side == 0)
            arb_set(res, v);
        else if (rc == FY_OK)
            arb_union(res, res, v, prec);
    }
    arf_clear(lo);
    arf_clear(mid);
    arf_clear(hi);
    arb_clear(half);
    arb_clear(v);
    return rc;
}

int fy_activation_eval_arb(arb_t res, const fy_activation_t a, ulong k, const arb_t z, slong prec,
                           fy_error_t err)
{
    int rc = eval_arb_once(res, a, k, z, prec, err);
    if (rc == FY_OK && !arb_is_finite(res) && arb_is_finite(z) && !arb_is_exact(z))
    {
        /* a finite wide argument: bisect (at most 2^12 pieces where every half stays
         * non-finite; tanh, sin and the like need a few) */
        arb_t u;
        arb_init(u);
        rc = eval_arb_split(u, a, k, z, prec, 12, err);
        if (rc == FY_OK)
            arb_swap(res, u);
        arb_clear(u);
    }
    return rc;
}

/* ------------------------------------------------------------------------- doubles */

static double poly_eval_d(const fmpq_poly_t P, double x)
{
    double r = 0.0, den = fmpz_get_d(fmpq_poly_denref(P));
    slong i;
    for (i = P->length - 1; i >= 0; i--)
        r = r * x + fmpz_get_d(P->coeffs + i);
    return r / den;
}

int fy_activation_eval_d(double *res, const fy_activation_t a, ulong k, double z, fy_error_t err)
{
    fmpq_poly_t P;
    int rc = FY_OK;
    double s;

    fmpq_poly_init(P);
    switch (a->def)
    {
    case FY_ACT_POLYNOMIAL:
        fy_activation_poly(P, a, k, NULL);
        *res = poly_eval_d(P, z);
        break;
    case FY_ACT_PIECEWISE_LINEAR:
        s = fmpq_get_d(z > 0 ? a->slope_pos : a->slope_neg);
        *res = k == 0 ? s * z : k == 1 ? s : 0.0;
        break;
    case FY_ACT_CYCLE:
        *res = fy_rules_expr_eval_d(a->cycle[k % (ulong) a->ncycle], z);
        break;
    case FY_ACT_HERMITE:
        if (k > 0)
        {
            fy_activation_poly(P, a, k, NULL);
            *res = fy_rules_expr_eval_d(a->prefactor, z) * poly_eval_d(P, z) * exp(-z * z);
            break;
        }
        /* fall through */
    case FY_ACT_CLOSURE:
    case FY_ACT_ANTIDERIVATIVE:
    {
        const fy_rules_expr_struct *f = a->func;
        if (a->def == FY_ACT_ANTIDERIVATIVE && k > 0)
            f = a->base_func;
        if (f == NULL)
        {
            if (z == 0.0)
            {
                fmpq_t q, zero;
                fmpq_init(q);
                fmpq_init(zero);
                rc = fy_activation_eval_fmpq(q, a, k, zero, err);
                if (rc == FY_OK)
                    *res = fmpq_get_d(q);
                fmpq_clear(q);
                fmpq_clear(zero);
            }
            else
                rc = unsupported_value(a, k, err);
            break;
        }
        s = fy_rules_expr_eval_d(f, z);
        if (k == 0)
            *res = s;
        else
        {
            fy_activation_poly(P, a, k, NULL);
            *res = poly_eval_d(P, s);
        }
        break;
    }
    }
    fmpq_poly_clear(P);
    return rc;
}

/* ---------------------------------------------------------------------- validation */

#define FY_VALIDATE_ORDERS 6
#define FY_VALIDATE_PREC 128

/* Checks that the ball want (from the definition) and got (from the function's Taylor
 * series) overlap; non-finite balls (poles, domain errors) are not evidence either way. */
static int agree(const arb_t want, const arb_t got)
{
    if (!arb_is_finite(want) || !arb_is_finite(got))
        return 1;
    return arb_overlaps(want, got);
}

static int mismatch(fy_error_t err, const fy_activation_t a, const char *what, const char *z,
                    ulong j, const arb_t by_def, const arb_t by_func)
{
    char *s1 = arb_get_str(by_def, 12, 0), *s2 = arb_get_str(by_func, 12, 0);
    int rc = fy_error_set(err, FY_EINPUT,
                          "%s does not match the function: at z = %s the derivative of order "
                          "%lu is %s by the %s but %s by differentiating the function",
                          what, z, (unsigned long) j, s1, fy_act_def_name(a->def), s2);
    flint_free(s1);
    flint_free(s2);
    return rc;
}

int fy_activation_validate(const fy_activation_t a, fy_error_t err)
{
    static const char *const zs[] = {"3/10", "-7/10"};
    const slong n = FY_VALIDATE_ORDERS + 1, prec = FY_VALIDATE_PREC;
    arb_poly_t ser;
    arb_t z0, want, got, fact, u, ex;
    fmpq_t q;
    fmpq_poly_t P;
    int rc = FY_OK;
    size_t iz;
    ulong j;
    int i;

    arb_poly_init(ser);
    arb_init(z0);
    arb_init(want);
    arb_init(got);
    arb_init(fact);
    arb_init(u);
    arb_init(ex);
    fmpq_init(q);
    fmpq_poly_init(P);

    /* values at 0 */
    arb_zero(z0);
    if (a->has_at0 && a->func != NULL)
    {
        fy_rules_expr_eval_arb(got, a->func, z0, prec, NULL);
        if (arb_is_finite(got) && !arb_contains_fmpq(got, a->at0))
        {
            char *s = arb_get_str(got, 12, 0), *w = fmpq_get_str(NULL, 10, a->at0);
            rc = fy_error_set(err, FY_EINPUT, "at0 %s does not match the function, which is "
                              "%s at z = 0", w, s);
            flint_free(s);
            flint_free(w);
            goto done;
        }
    }
    for (i = 0; i < a->ncycle; i++)
    {
        fy_rules_expr_eval_arb(got, a->cycle[i], z0, prec, NULL);
        if (arb_is_finite(got) && !arb_contains_fmpq(got, a->cycle_at0 + i))
        {
            char *s = arb_get_str(got, 12, 0), *w = fmpq_get_str(NULL, 10, a->cycle_at0 + i);
            rc = fy_error_set(err, FY_EINPUT, "at0 value %d (%s) does not match the cycle's "
                              "function %d, which is %s at z = 0", i + 1, w, i + 1, s);
            flint_free(s);
            flint_free(w);
            goto done;
        }
    }

    for (iz = 0; iz < sizeof zs / sizeof zs[0]; iz++)
    {
        fy_parse_rational(q, zs[iz], strlen(zs[iz]));
        arb_set_fmpq(z0, q, prec);
        if (a->def == FY_ACT_CYCLE)
        {
            for (i = 0; i < a->ncycle; i++)
            {
                fy_rules_expr_series(ser, a->cycle[i], z0, n, prec, NULL);
                arb_one(fact);
                for (j = 1; j < (ulong) n; j++)
                {
                    arb_mul_ui(fact, fact, j, prec);
                    arb_mul(got, ser->coeffs + j, fact, prec);
                    fy_rules_expr_eval_arb(want, a->cycle[(i + j) % (ulong) a->ncycle], z0,
                                           prec, NULL);
                    if (!agree(want, got))
                    {
                        rc = mismatch(err, a, "the cycle", zs[iz], j, want, got);
                        goto done;
                    }
                }
            }
            continue;
        }
        if (a->func == NULL ||
            (a->def != FY_ACT_CLOSURE && a->def != FY_ACT_ANTIDERIVATIVE &&
             a->def != FY_ACT_HERMITE))
            continue;
        fy_rules_expr_series(ser, a->func, z0, n, prec, NULL);
        /* the variable u of the vertex polynomials */
        if (a->def == FY_ACT_CLOSURE)
            arb_set(u, ser->coeffs + 0);
        else if (a->def == FY_ACT_ANTIDERIVATIVE)
            arb_set(u, ser->coeffs + 1); /* base = sigma' */
        else
        {
            arb_sqr(ex, z0, prec);
            arb_neg(ex, ex);
            arb_exp(ex, ex, prec);
            fy_rules_expr_eval_arb(u, a->prefactor, z0, prec, NULL);
            arb_mul(ex, ex, u, prec);
            arb_set(u, z0);
        }
        arb_one(fact);
        for (j = 1; j < (ulong) n; j++)
        {
            arb_mul_ui(fact, fact, j, prec);
            arb_mul(got, ser->coeffs + j, fact, prec);
            fy_activation_poly(P, a, j, NULL);
            poly_eval_arb(want, P, u, prec);
            if (a->def == FY_ACT_HERMITE)
                arb_mul(want, want, ex, prec);
            if (!agree(want, got))
            {
                rc = mismatch(err, a, a->def == FY_ACT_CLOSURE ? "the closure"
                              : a->def == FY_ACT_HERMITE ? "the hermite prefactor"
                              : "the antiderivative's base", zs[iz], j, want, got);
                goto done;
            }
        }
    }
done:
    arb_poly_clear(ser);
    arb_clear(z0);
    arb_clear(want);
    arb_clear(got);
    arb_clear(fact);
    arb_clear(u);
    arb_clear(ex);
    fmpq_clear(q);
    fmpq_poly_clear(P);
    return rc;
}
