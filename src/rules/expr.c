/* The expression language inside quoted strings of rule files:
 *   expr   := term { ('+' | '-') term }
 *   term   := factor { ('*' | '/') factor }
 *   factor := ('+' | '-') factor | power
 *   power  := atom [ '^' ['-'] INTEGER ]
 *   atom   := NUMBER | VARIABLE | PARAMETER | 'pi' | FUNCTION '(' expr ')' | '(' expr ')'
 * Polynomial expressions (closures, polynomial activations) allow only the variable, named
 * parameters and rational numbers, powers 0..64 and division by constants; function
 * expressions add pi, negative powers and exp log log1p sqrt sin cos tan tanh sinh cosh atan
 * erf.  Polynomials are built exactly as fmpq_poly; functions are evaluated as Arb power series
 * (Taylor jets), which gives values and derivatives as balls, or in double. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num/arb_all.h"

#include "rules/rules_impl.h"

#define FY_EXPR_MAX_DEPTH 64
#define FY_EXPR_MAX_POW 64
#define FY_EXPR_MAX_DEG 64
#define FY_EXPR_MAX_BITS 4096

static const char *const func_names[FY_FN_COUNT] = {
    "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "erf"};

typedef struct
{
    const fy_expr_ctx *ctx;
    const char *s;
    size_t len, pos;
    int depth;
    fy_error_struct *err; /* the caller's error, may be NULL */
} xparser;

static int xerr(xparser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int xerr(xparser *p, size_t pos, const char *fmt, ...)
{
    char msg[FY_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fy_rules_error_at(p->err, p->ctx->file, p->ctx->line, p->ctx->col + (int) pos, "%s",
                             msg);
}

static void skip_space(xparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
        p->pos++;
}

static int cur(xparser *p)
{
    skip_space(p);
    return p->pos < p->len ? (unsigned char) p->s[p->pos] : -1;
}

static int isalpha_(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int isdigit_(int c)
{
    return c >= '0' && c <= '9';
}

static void describe_here(xparser *p, char *buf, size_t n)
{
    size_t i = p->pos, j;
    if (i >= p->len)
    {
        snprintf(buf, n, "the end of the expression");
        return;
    }
    if (isalpha_((unsigned char) p->s[i]) || isdigit_((unsigned char) p->s[i]))
    {
        for (j = i; j < p->len && j - i < 30 &&
                    (isalpha_((unsigned char) p->s[j]) || isdigit_((unsigned char) p->s[j]) ||
                     p->s[j] == '.');
             j++)
            ;
        snprintf(buf, n, "'%.*s'", (int) (j - i), p->s + i);
        return;
    }
    if ((unsigned char) p->s[i] >= 0x20 && (unsigned char) p->s[i] < 0x7f)
        snprintf(buf, n, "'%c'", p->s[i]);
    else
        snprintf(buf, n, "byte 0x%02x", (unsigned char) p->s[i]);
}

static fy_rules_expr_struct *node_new(fy_expr_op op)
{
    fy_rules_expr_struct *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->op = op;
    fmpq_init(e->c);
    return e;
}

void fy_expr_free(fy_rules_expr_struct *e)
{
    if (e == NULL)
        return;
    fy_expr_free(e->a);
    fy_expr_free(e->b);
    fmpq_clear(e->c);
    free(e);
}

fy_rules_expr_struct *fy_expr_copy(const fy_rules_expr_struct *e)
{
    fy_rules_expr_struct *f;
    if (e == NULL)
        return NULL;
    f = node_new(e->op);
    if (f == NULL)
        return NULL;
    fmpq_set(f->c, e->c);
    f->index = e->index;
    f->expo = e->expo;
    f->has_var = e->has_var;
    if ((e->a && (f->a = fy_expr_copy(e->a)) == NULL) ||
        (e->b && (f->b = fy_expr_copy(e->b)) == NULL))
    {
        fy_expr_free(f);
        return NULL;
    }
    return f;
}

static int oom(xparser *p)
{
    return fy_error_set(p->err, FY_ENOMEM, "out of memory parsing an expression");
}

static int parse_expr(xparser *p, fy_rules_expr_struct **out);

static int binary(xparser *p, fy_expr_op op, fy_rules_expr_struct *a, fy_rules_expr_struct *b,
                  fy_rules_expr_struct **out)
{
    fy_rules_expr_struct *e = node_new(op);
    if (e == NULL)
    {
        fy_expr_free(a);
        fy_expr_free(b);
        return oom(p);
    }
    e->a = a;
    e->b = b;
    e->has_var = a->has_var || (b != NULL && b->has_var);
    *out = e;
    return FY_OK;
}

static int parse_atom(xparser *p, fy_rules_expr_struct **out)
{
    int c = cur(p);
    size_t start = p->pos;
    char what[64];

    *out = NULL;
    if (c == '(')
    {
        int rc;
        p->pos++;
        rc = parse_expr(p, out);
        if (rc != FY_OK)
            return rc;
        if (cur(p) != ')')
        {
            describe_here(p, what, sizeof what);
            fy_expr_free(*out);
            *out = NULL;
            return xerr(p, p->pos, "expected ')' to close the '(' at column %d, found %s",
                        p->ctx->col + (int) start, what);
        }
        p->pos++;
        return FY_OK;
    }
    if (isdigit_(c))
    {
        fy_rules_expr_struct *e;
        while (p->pos < p->len && isdigit_((unsigned char) p->s[p->pos]))
            p->pos++;
        if (p->pos + 1 < p->len && p->s[p->pos] == '.' &&
            isdigit_((unsigned char) p->s[p->pos + 1]))
        {
            p->pos++;
            while (p->pos < p->len && isdigit_((unsigned char) p->s[p->pos]))
                p->pos++;
        }
        if (p->pos - start > 64)
            return xerr(p, start, "number longer than 64 characters");
        if (p->pos < p->len && (isalpha_((unsigned char) p->s[p->pos]) || p->s[p->pos] == '.'))
            return xerr(p, p->pos,
                        "expected an operator after the number (write '2*s', not '2s')");
        e = node_new(FY_EX_CONST);
        if (e == NULL)
            return oom(p);
        if (fy_parse_rational(e->c, p->s + start, p->pos - start) != 0)
        {
            fy_expr_free(e);
            return xerr(p, start, "expected a number");
        }
        *out = e;
        return FY_OK;
    }
    if (isalpha_(c))
    {
        size_t n;
        int i;
        fy_rules_expr_struct *e;
        while (p->pos < p->len &&
               (isalpha_((unsigned char) p->s[p->pos]) || isdigit_((unsigned char) p->s[p->pos])))
            p->pos++;
        n = p->pos - start;
        if (p->ctx->var != NULL && strlen(p->ctx->var) == n &&
            memcmp(p->ctx->var, p->s + start, n) == 0)
        {
            if ((e = node_new(FY_EX_VAR)) == NULL)
                return oom(p);
            e->has_var = 1;
            *out = e;
            return FY_OK;
        }
        for (i = 0; i < p->ctx->nparams; i++)
            if (strlen(p->ctx->param_names[i]) == n &&
                memcmp(p->ctx->param_names[i], p->s + start, n) == 0)
            {
                if ((e = node_new(FY_EX_PARAM)) == NULL)
                    return oom(p);
                e->index = i;
                if (p->ctx->param_used)
                    p->ctx->param_used[i] = 1;
                *out = e;
                return FY_OK;
            }
        if (p->ctx->functions)
        {
            if (n == 2 && memcmp(p->s + start, "pi", 2) == 0)
            {
                if ((e = node_new(FY_EX_PI)) == NULL)
                    return oom(p);
                *out = e;
                return FY_OK;
            }
            for (i = 0; i < FY_FN_COUNT; i++)
                if (strlen(func_names[i]) == n && memcmp(func_names[i], p->s + start, n) == 0)
                {
                    fy_rules_expr_struct *arg;
                    int rc;
                    size_t open;
                    if (cur(p) != '(')
                    {
                        describe_here(p, what, sizeof what);
                        return xerr(p, p->pos, "expected '(' after the function %s, found %s",
                                    func_names[i], what);
                    }
                    open = p->pos;
                    p->pos++;
                    if ((rc = parse_expr(p, &arg)) != FY_OK)
                        return rc;
                    if (cur(p) != ')')
                    {
                        describe_here(p, what, sizeof what);
                        fy_expr_free(arg);
                        return xerr(p, p->pos, "expected ')' to close the '(' at column %d, "
                                    "found %s", p->ctx->col + (int) open, what);
                    }
                    p->pos++;
                    if ((rc = binary(p, FY_EX_FUNC, arg, NULL, out)) != FY_OK)
                        return rc;
                    (*out)->index = i;
                    return FY_OK;
                }
        }
        if (p->ctx->var != NULL)
            return xerr(p, start, "expected the variable '%s'%s, a number or '(', found '%.*s'",
                        p->ctx->var,
                        p->ctx->functions ? ", pi, a function" : ", a parameter",
                        (int) (n > 30 ? 30 : n), p->s + start);
        return xerr(p, start, "expected a number, pi, a function or '(', found '%.*s' (this "
                    "expression is a constant)", (int) (n > 30 ? 30 : n), p->s + start);
    }
    describe_here(p, what, sizeof what);
    return xerr(p, p->pos, "expected a number, the variable%s%s or '(', found %s",
                p->ctx->var ? " " : "", p->ctx->var ? p->ctx->var : "", what);
}

static int parse_factor(xparser *p, fy_rules_expr_struct **out);

static int parse_power(xparser *p, fy_rules_expr_struct **out)
{
    fy_rules_expr_struct *a;
    int rc = parse_atom(p, &a);
    size_t start;
    long e = 0;
    int neg = 0;

    if (rc != FY_OK)
        return rc;
    if (cur(p) != '^')
    {
        *out = a;
        return FY_OK;
    }
    p->pos++;
    if (cur(p) == '-')
    {
        neg = 1;
        p->pos++;
    }
    start = p->pos;
    while (p->pos < p->len && isdigit_((unsigned char) p->s[p->pos]))
    {
        e = 10 * e + (p->s[p->pos] - '0');
        p->pos++;
        if (e > FY_EXPR_MAX_POW)
        {
            fy_expr_free(a);
            return xerr(p, start, "exponent larger than %d", FY_EXPR_MAX_POW);
        }
    }
    if (p->pos == start)
    {
        char what[64];
        describe_here(p, what, sizeof what);
        fy_expr_free(a);
        return xerr(p, start, "expected an integer exponent after '^', found %s", what);
    }
    if (neg && p->ctx->polynomial)
    {
        fy_expr_free(a);
        return xerr(p, start - 1, "expected a non-negative exponent (a polynomial has no "
                    "negative powers)");
    }
    if ((rc = binary(p, FY_EX_POW, a, NULL, out)) != FY_OK)
        return rc;
    (*out)->expo = neg ? -e : e;
    return FY_OK;
}

static int parse_factor(xparser *p, fy_rules_expr_struct **out)
{
    int c = cur(p);
    if (c == '-' || c == '+')
    {
        fy_rules_expr_struct *a;
        int rc;
        p->pos++;
        if (++p->depth > FY_EXPR_MAX_DEPTH)
            return xerr(p, p->pos, "expression nested more than %d levels deep",
                        FY_EXPR_MAX_DEPTH);
        rc = parse_factor(p, &a);
        p->depth--;
        if (rc != FY_OK)
            return rc;
        if (c == '+')
        {
            *out = a;
            return FY_OK;
        }
        return binary(p, FY_EX_NEG, a, NULL, out);
    }
    return parse_power(p, out);
}

static int parse_term(xparser *p, fy_rules_expr_struct **out)
{
    fy_rules_expr_struct *a, *b;
    int rc = parse_factor(p, &a), c;

    if (rc != FY_OK)
        return rc;
    while ((c = cur(p)) == '*' || c == '/')
    {
        size_t at;
        p->pos++;
        at = p->pos;
        skip_space(p);
        at = p->pos;
        if ((rc = parse_factor(p, &b)) != FY_OK)
        {
            fy_expr_free(a);
            return rc;
        }
        if (c == '/' && p->ctx->polynomial && b->has_var)
        {
            fy_expr_free(a);
            fy_expr_free(b);
            return xerr(p, at, "expected a constant divisor (a polynomial divides only by "
                        "numbers and parameters)");
        }
        if ((rc = binary(p, c == '*' ? FY_EX_MUL : FY_EX_DIV, a, b, &a)) != FY_OK)
            return rc;
    }
    *out = a;
    return FY_OK;
}

static int parse_expr(xparser *p, fy_rules_expr_struct **out)
{
    fy_rules_expr_struct *a, *b;
    int rc, c;

    if (++p->depth > FY_EXPR_MAX_DEPTH)
        return xerr(p, p->pos, "expression nested more than %d levels deep", FY_EXPR_MAX_DEPTH);
    rc = parse_term(p, &a);
    if (rc != FY_OK)
        return rc;
    while ((c = cur(p)) == '+' || c == '-')
    {
        p->pos++;
        if ((rc = parse_term(p, &b)) != FY_OK)
        {
            fy_expr_free(a);
            return rc;
        }
        if ((rc = binary(p, c == '+' ? FY_EX_ADD : FY_EX_SUB, a, b, &a)) != FY_OK)
            return rc;
    }
    p->depth--;
    *out = a;
    return FY_OK;
}

int fy_expr_parse(fy_rules_expr_struct **out, const char *s, size_t len, const fy_expr_ctx *ctx,
                  fy_error_t err)
{
    xparser p;
    int rc;

    p.ctx = ctx;
    p.s = s;
    p.len = len;
    p.pos = 0;
    p.depth = 0;
    p.err = err;
    *out = NULL;
    if (cur(&p) == -1)
        return xerr(&p, p.pos, "expected an expression, found an empty string");
    rc = parse_expr(&p, out);
    if (rc != FY_OK)
        return rc;
    if (cur(&p) != -1)
    {
        char what[64];
        describe_here(&p, what, sizeof what);
        fy_expr_free(*out);
        *out = NULL;
        return xerr(&p, p.pos, "expected an operator (+ - * / ^) or the end of the expression, "
                    "found %s", what);
    }
    return FY_OK;
}

/* ----------------------------------------------------------------- exact polynomials */

static slong poly_bits(const fmpq_poly_t p)
{
    slong b = fmpz_bits(fmpq_poly_denref(p));
    slong nb = FLINT_ABS(_fmpz_vec_max_bits(p->coeffs, p->length));
    return b + nb;
}

static int too_big(const fmpq_poly_t p, fy_error_t err)
{
    if (fmpq_poly_degree(p) > FY_EXPR_MAX_DEG)
        return fy_error_set(err, FY_EINPUT, "polynomial of degree above %d", FY_EXPR_MAX_DEG);
    if (poly_bits(p) > FY_EXPR_MAX_BITS)
        return fy_error_set(err, FY_EINPUT, "coefficients larger than %d bits",
                            FY_EXPR_MAX_BITS);
    return FY_OK;
}

int fy_expr_to_poly(fmpq_poly_t p, const fy_rules_expr_struct *e, const fmpq *params,
                    fy_error_t err)
{
    fmpq_poly_t a, b;
    int rc = FY_OK;

    switch (e->op)
    {
    case FY_EX_CONST:
        fmpq_poly_set_fmpq(p, e->c);
        return FY_OK;
    case FY_EX_VAR:
        fmpq_poly_zero(p);
        fmpq_poly_set_coeff_si(p, 1, 1);
        return FY_OK;
    case FY_EX_PARAM:
        fmpq_poly_set_fmpq(p, params + e->index);
        return FY_OK;
    case FY_EX_PI:
    case FY_EX_FUNC:
        return fy_error_set(err, FY_EINTERNAL, "not a polynomial expression");
    default:
        break;
    }
    fmpq_poly_init(a);
    fmpq_poly_init(b);
    rc = fy_expr_to_poly(a, e->a, params, err);
    if (rc == FY_OK && e->b != NULL)
        rc = fy_expr_to_poly(b, e->b, params, err);
    if (rc == FY_OK)
    {
        switch (e->op)
        {
        case FY_EX_NEG:
            fmpq_poly_neg(p, a);
            break;
        case FY_EX_ADD:
            fmpq_poly_add(p, a, b);
            break;
        case FY_EX_SUB:
            fmpq_poly_sub(p, a, b);
            break;
        case FY_EX_MUL:
            if (fmpq_poly_degree(a) + fmpq_poly_degree(b) > FY_EXPR_MAX_DEG ||
                poly_bits(a) + poly_bits(b) > FY_EXPR_MAX_BITS)
                rc = fy_error_set(err, FY_EINPUT, "product of degree above %d or with "
                                  "coefficients above %d bits", FY_EXPR_MAX_DEG,
                                  FY_EXPR_MAX_BITS);
            else
                fmpq_poly_mul(p, a, b);
            break;
        case FY_EX_DIV:
            if (fmpq_poly_degree(b) > 0)
                rc = fy_error_set(err, FY_EINPUT, "division by a non-constant polynomial");
            else if (fmpq_poly_is_zero(b))
                rc = fy_error_set(err, FY_EINPUT, "division by zero");
            else
            {
                fmpq_t c;
                fmpq_init(c);
                fmpq_poly_get_coeff_fmpq(c, b, 0);
                fmpq_poly_scalar_div_fmpq(p, a, c);
                fmpq_clear(c);
            }
            break;
        case FY_EX_POW:
            if (e->expo < 0)
                rc = fy_error_set(err, FY_EINPUT, "negative power in a polynomial");
            else if ((fmpq_poly_degree(a) > 0 &&
                      fmpq_poly_degree(a) * e->expo > FY_EXPR_MAX_DEG) ||
                     poly_bits(a) * e->expo > FY_EXPR_MAX_BITS)
                rc = fy_error_set(err, FY_EINPUT, "power of degree above %d or with "
                                  "coefficients above %d bits", FY_EXPR_MAX_DEG,
                                  FY_EXPR_MAX_BITS);
            else
                fmpq_poly_pow(p, a, (ulong) e->expo);
            break;
        default:
            rc = fy_error_set(err, FY_EINTERNAL, "unknown expression node");
        }
    }
    if (rc == FY_OK)
        rc = too_big(p, err);
    fmpq_poly_clear(a);
    fmpq_poly_clear(b);
    return rc;
}

/* --------------------------------------------------------------- series and doubles */

static void series_func(arb_poly_t r, int f, const arb_poly_t a, slong n, slong prec)
{
    arb_poly_t s, c;
    switch (f)
    {
    case FY_FN_EXP:
        arb_poly_exp_series(r, a, n, prec);
        break;
    case FY_FN_LOG:
        arb_poly_log_series(r, a, n, prec);
        break;
    case FY_FN_LOG1P:
        arb_poly_log1p_series(r, a, n, prec);
        break;
    case FY_FN_SQRT:
        arb_poly_sqrt_series(r, a, n, prec);
        break;
    case FY_FN_SIN:
        arb_poly_sin_series(r, a, n, prec);
        break;
    case FY_FN_COS:
        arb_poly_cos_series(r, a, n, prec);
        break;
    case FY_FN_TAN:
        arb_poly_tan_series(r, a, n, prec);
        break;
    case FY_FN_ATAN:
        arb_poly_atan_series(r, a, n, prec);
        break;
    case FY_FN_ERF:
        arb_hypgeom_erf_series(r, a, n, prec);
        break;
    default:
        arb_poly_init(s);
        arb_poly_init(c);
        arb_poly_sinh_cosh_series(s, c, a, n, prec);
        if (f == FY_FN_SINH)
            arb_poly_swap(r, s);
        else if (f == FY_FN_COSH)
            arb_poly_swap(r, c);
        else
        {
            /* tanh = sinh / cosh; cosh >= 1, so the division is well conditioned, and the
             * value itself is refined with arb_tanh, which is tight for large arguments. */
            arb_poly_div_series(r, s, c, n, prec);
            if (a->length > 0 && r->length > 0)
                arb_tanh(r->coeffs, a->coeffs, prec);
        }
        arb_poly_clear(s);
        arb_poly_clear(c);
        break;
    }
}

static void series_rec(arb_poly_t r, const fy_rules_expr_struct *e, const arb_t z0, slong n,
                       const fmpq *params, slong prec)
{
    arb_poly_t a, b;
    arb_t t;

    switch (e->op)
    {
    case FY_EX_CONST:
        arb_init(t);
        arb_set_fmpq(t, e->c, prec);
        arb_poly_set_arb(r, t);
        arb_clear(t);
        return;
    case FY_EX_PARAM:
        arb_init(t);
        if (params != NULL)
            arb_set_fmpq(t, params + e->index, prec);
        else
            arb_indeterminate(t);
        arb_poly_set_arb(r, t);
        arb_clear(t);
        return;
    case FY_EX_PI:
        arb_init(t);
        arb_const_pi(t, prec);
        arb_poly_set_arb(r, t);
        arb_clear(t);
        return;
    case FY_EX_VAR:
        arb_poly_zero(r);
        arb_poly_set_coeff_arb(r, 0, z0);
        if (n > 1)
            arb_poly_set_coeff_si(r, 1, 1);
        return;
    default:
        break;
    }
    arb_poly_init(a);
    arb_poly_init(b);
    series_rec(a, e->a, z0, n, params, prec);
    if (e->b != NULL)
        series_rec(b, e->b, z0, n, params, prec);
    switch (e->op)
    {
    case FY_EX_NEG:
        arb_poly_neg(r, a);
        break;
    case FY_EX_ADD:
        arb_poly_add(r, a, b, prec);
        break;
    case FY_EX_SUB:
        arb_poly_sub(r, a, b, prec);
        break;
    case FY_EX_MUL:
        arb_poly_mullow(r, a, b, n, prec);
        break;
    case FY_EX_DIV:
        if (b->length == 0)
        {
            /* division by exactly zero: no finite enclosure */
            arb_poly_fit_length(r, n);
            _arb_vec_indeterminate(r->coeffs, n);
            _arb_poly_set_length(r, n);
        }
        else
            arb_poly_div_series(r, a, b, n, prec);
        break;
    case FY_EX_POW:
        if (e->expo >= 0)
            arb_poly_pow_ui_trunc_binexp(r, a, (ulong) e->expo, n, prec);
        else
        {
            if (a->length == 0)
            {
                arb_poly_fit_length(r, n);
                _arb_vec_indeterminate(r->coeffs, n);
                _arb_poly_set_length(r, n);
            }
            else
            {
                arb_poly_inv_series(b, a, n, prec);
                arb_poly_pow_ui_trunc_binexp(r, b, (ulong) (-e->expo), n, prec);
            }
        }
        break;
    case FY_EX_FUNC:
        series_func(r, e->index, a, n, prec);
        break;
    default:
        arb_poly_zero(r);
        break;
    }
    arb_poly_truncate(r, n);
    arb_poly_clear(a);
    arb_poly_clear(b);
}

int fy_rules_expr_series(arb_poly_t res, const fy_rules_expr_struct *e, const arb_t z0, slong n,
                         slong prec, fy_error_t err)
{
    if (n < 1)
        return fy_error_set(err, FY_EINPUT, "series length must be at least 1");
    series_rec(res, e, z0, n, NULL, prec);
    arb_poly_fit_length(res, n);
    /* pad with exact zeros so that callers can read n coefficients */
    while (res->length < n)
    {
        arb_zero(res->coeffs + res->length);
        res->length++;
    }
    return FY_OK;
}

int fy_rules_expr_eval_arb(arb_t res, const fy_rules_expr_struct *e, const arb_t z, slong prec,
                           fy_error_t err)
{
    arb_poly_t r;
    int rc;
    arb_poly_init(r);
    rc = fy_rules_expr_series(r, e, z, 1, prec, err);
    if (rc == FY_OK)
        arb_set(res, r->coeffs);
    arb_poly_clear(r);
    return rc;
}

double fy_rules_expr_eval_d(const fy_rules_expr_struct *e, double z)
{
    double a, b, r;
    long k, n;
    switch (e->op)
    {
    case FY_EX_CONST:
        return fmpq_get_d(e->c);
    case FY_EX_PARAM:
        return NAN;
    case FY_EX_PI:
        return 3.14159265358979323846;
    case FY_EX_VAR:
        return z;
    default:
        break;
    }
    a = fy_rules_expr_eval_d(e->a, z);
    b = e->b != NULL ? fy_rules_expr_eval_d(e->b, z) : 0.0;
    switch (e->op)
    {
    case FY_EX_NEG:
        return -a;
    case FY_EX_ADD:
        return a + b;
    case FY_EX_SUB:
        return a - b;
    case FY_EX_MUL:
        return a * b;
    case FY_EX_DIV:
        return a / b;
    case FY_EX_POW:
        n = e->expo < 0 ? -e->expo : e->expo;
        r = 1.0;
        for (k = 0; k < n; k++)
            r *= a;
        return e->expo < 0 ? 1.0 / r : r;
    case FY_EX_FUNC:
        switch (e->index)
        {
        case FY_FN_EXP: return exp(a);
        case FY_FN_LOG: return log(a);
        case FY_FN_LOG1P: return log1p(a);
        case FY_FN_SQRT: return sqrt(a);
        case FY_FN_SIN: return sin(a);
        case FY_FN_COS: return cos(a);
        case FY_FN_TAN: return tan(a);
        case FY_FN_TANH: return tanh(a);
        case FY_FN_SINH: return sinh(a);
        case FY_FN_COSH: return cosh(a);
        case FY_FN_ATAN: return atan(a);
        case FY_FN_ERF: return erf(a);
        default: return NAN;
        }
    default:
        return NAN;
    }
}
