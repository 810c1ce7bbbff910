/* feynn rules: check rule files, list what is installed, show vertex polynomials of an
 * activation.  See doc/rules-format.md and feynn(1). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#define CMD "rules"
#define FY_RULES_MAX_ORDER 1000

typedef struct
{
    long order;
    const char *params;
} rules_args_t;

#define STR_(x) #x
#define STR(x) STR_(x)
static const fy_opt_t show_opts[] = {
    {.name = "order", .kind = FY_OPT_COUNT, .arg = "K", .off = offsetof(rules_args_t, order),
     .hi = FY_RULES_MAX_ORDER, .def = "4",
     .help = "highest derivative order (at most " STR(FY_RULES_MAX_ORDER) ")"},
    {.name = "params", .kind = FY_OPT_STRING, .arg = "SPEC",
     .off = offsetof(rules_args_t, params),
     .help = "parameter values, e.g. a=1/3 (exact rationals)"},
};

#define TEXT_JSON ((1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON))
const fy_opt_cmd_t fy_opt_rules_check = {
    .name = "rules check", .usage = "FILE...",
    .intro = "Validates rule files and prints what they define; a malformed file is reported\n"
             "as FILE:LINE:COLUMN: expected ... (exit 2).  The format is documented in\n"
             "doc/rules-format.md.",
    .common = FY_OPT_QUIET, .max_operands = -1};
const fy_opt_cmd_t fy_opt_rules_list = {
    .name = "rules list", .usage = "[--format text|json]",
    .intro = "The theories and activations installed on the search path.",
    .formats = TEXT_JSON, .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/rules-list.schema.json)",
    .common = FY_OPT_QUIET, .max_operands = 0};
const fy_opt_cmd_t fy_opt_rules_show = {
    .name = "rules show", .usage = "ACTIVATION [--order K] [--params a=1/3,...] [--format F]",
    .intro = "The exact vertex polynomials P_1 .. P_K of an activation (sigma^(k) = P_k(u))\n"
             "and sigma^(k)(0) where it is rational.",
    .opts = show_opts, .nopts = FY_OPT_N(show_opts),
    .formats = TEXT_JSON, .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/rules-show.schema.json)",
    .common = FY_OPT_QUIET, .max_operands = 1};
const fy_opt_cmd_t fy_opt_rules_path = {
    .name = "rules path", .usage = "",
    .intro = "The search path of rule files: $FEYNN_RULES_PATH, the source tree's rules/, the\n"
             "installed data directory.",
    .common = FY_OPT_QUIET, .max_operands = 0};

static const char *range_str(char *buf, size_t n, int lo, int hi)
{
    if (hi == FY_RULES_UNBOUNDED)
        snprintf(buf, n, "%d..", lo);
    else if (lo == hi)
        snprintf(buf, n, "%d", lo);
    else
        snprintf(buf, n, "%d..%d", lo, hi);
    return buf;
}

static const char *bound_str(char *buf, size_t n, const fy_level_bound_struct *b)
{
    if (b->symbol == NULL)
        snprintf(buf, n, "%ld", b->offset);
    else if (b->offset == 0)
        snprintf(buf, n, "%s", b->symbol);
    else
        snprintf(buf, n, "%s%+ld", b->symbol, b->offset);
    return buf;
}

static const char *level_str(char *buf, size_t n, const fy_kind_struct *k)
{
    char a[48], b[48];
    if (!k->has_level)
        snprintf(buf, n, "any");
    else
    {
        bound_str(a, sizeof a, &k->level_min);
        bound_str(b, sizeof b, &k->level_max);
        if (strcmp(a, b) == 0)
            snprintf(buf, n, "%s", a);
        else
            snprintf(buf, n, "%s..%s", a, b);
    }
    return buf;
}

/* A one-line statement of the definition: "s' = 1 - s^2" etc. (malloc'd). */
static char *definition_str(const fy_activation_struct *a)
{
    char *out = malloc(4096), *ps;
    int i;
    size_t len;
    if (out == NULL)
        return NULL;
    switch (a->def)
    {
    case FY_ACT_CLOSURE:
        ps = fy_rules_poly_string(a->p, "s");
        snprintf(out, 4096, "s' = %s", ps);
        flint_free(ps);
        break;
    case FY_ACT_POLYNOMIAL:
        ps = fy_rules_poly_string(a->p, "z");
        snprintf(out, 4096, "sigma(z) = %s", ps);
        flint_free(ps);
        break;
    case FY_ACT_ANTIDERIVATIVE:
        snprintf(out, 4096, "sigma' = %s", a->base);
        break;
    case FY_ACT_CYCLE:
        snprintf(out, 4096, "cycle");
        for (i = 0; i < a->ncycle; i++)
        {
            len = strlen(out);
            snprintf(out + len, 4096 - len, "%s %s", i ? "," : "", a->cycle_sources[i]);
        }
        break;
    case FY_ACT_HERMITE:
        snprintf(out, 4096, "sigma' = %s exp(-z^2)", a->prefactor_source);
        break;
    case FY_ACT_PIECEWISE_LINEAR:
    {
        char *s1 = fmpq_get_str(NULL, 10, a->slope_neg), *s2 = fmpq_get_str(NULL, 10, a->slope_pos);
        snprintf(out, 4096, "slope %s for z < 0, %s for z > 0", s1, s2);
        flint_free(s1);
        flint_free(s2);
        break;
    }
    }
    return out;
}

static void print_activation_text(const fy_activation_struct *a, int npolys)
{
    char *d = definition_str(a);
    fmpq_poly_t P;
    fmpq_t v, zero;
    int k;

    printf("  %-10s %-16s %s\n", a->name, fy_act_def_name(a->def), d ? d : "");
    free(d);
    if (a->nparams > 0)
    {
        printf("  %-10s %-16s", "", "params");
        for (k = 0; k < a->nparams; k++)
        {
            char *s = fmpq_get_str(NULL, 10, a->param_values + k);
            printf(" %s=%s", a->param_names[k], s);
            flint_free(s);
        }
        printf("\n");
    }
    if (a->func_source != NULL)
        printf("  %-10s %-16s %s\n", "", "function", a->func_source);
    fmpq_poly_init(P);
    fmpq_init(v);
    fmpq_init(zero);
    for (k = 1; k <= npolys && a->var != FY_ACT_VAR_NONE; k++)
        if (fy_activation_poly(P, a, (ulong) k, NULL) == FY_OK)
        {
            char *s = fy_rules_poly_string(P, fy_activation_var_name(a));
            printf("  %-10s P_%d(%s)%*s = %s%s\n", "", k, fy_activation_var_name(a),
                   (int) (11 - strlen(fy_activation_var_name(a))), "", s,
                   a->def == FY_ACT_HERMITE ? " (times A exp(-z^2))" : "");
            flint_free(s);
        }
    if (fy_activation_eval_fmpq(v, a, 0, zero, NULL) == FY_OK)
    {
        char *s = fmpq_get_str(NULL, 10, v);
        printf("  %-10s %-16s %s\n", "", "sigma(0)", s);
        flint_free(s);
    }
    if (a->ball_only)
        printf("  %-10s %-16s %s\n", "", "ball-only", "values are not rational");
    fmpq_poly_clear(P);
    fmpq_clear(v);
    fmpq_clear(zero);
}

static json_t *poly_json(const fmpq_poly_t P, const char *var)
{
    char *s = fy_rules_poly_string(P, var);
    json_t *j = json_string(s);
    flint_free(s);
    return j;
}

/* The activation as JSON with P_1 .. P_npolys; pr (or NULL) advances by one per P_k. */
static json_t *activation_json(const fy_activation_struct *a, int npolys, fy_progress_struct *pr)
{
    json_t *j = json_object(), *polys = json_array();
    fmpq_poly_t P;
    fmpq_t v, zero;
    char *d = definition_str(a);
    int k;

    json_object_set_new(j, "name", json_string(a->name));
    json_object_set_new(j, "definition", json_string(fy_act_def_name(a->def)));
    json_object_set_new(j, "statement", json_string(d ? d : ""));
    free(d);
    json_object_set_new(j, "variable", json_string(fy_activation_var_name(a)));
    if (a->base)
        json_object_set_new(j, "base", json_string(a->base));
    if (a->func_source)
        json_object_set_new(j, "function", json_string(a->func_source));
    json_object_set_new(j, "description", json_string(a->description ? a->description : ""));
    json_object_set_new(j, "ball_only", json_boolean(a->ball_only));
    if (a->nparams > 0)
    {
        json_t *pj = json_object();
        for (k = 0; k < a->nparams; k++)
        {
            char *s = fmpq_get_str(NULL, 10, a->param_values + k);
            json_object_set_new(pj, a->param_names[k], json_string(s));
            flint_free(s);
        }
        json_object_set_new(j, "params", pj);
    }
    {
        slong last = fy_activation_last_nonzero(a);
        json_object_set_new(j, "last_nonzero_derivative", last < 0 ? json_null()
                                                                   : json_integer(last));
    }
    fmpq_poly_init(P);
    fmpq_init(v);
    fmpq_init(zero);
    for (k = 1; k <= npolys; k++)
    {
        json_t *e = json_object();
        /* P_k from P_{k-1} in one step, its value at 0 from P_k (not rebuilt per k) */
        int have = fy_activation_poly_next(P, a, (ulong) k, NULL) == FY_OK;
        json_object_set_new(e, "k", json_integer(k));
        if (have)
            json_object_set_new(e, "P", poly_json(P, fy_activation_var_name(a)));
        else
            json_object_set_new(e, "P", json_null());
        if ((have ? fy_activation_eval_poly_fmpq(v, a, (ulong) k, P, zero, NULL)
                  : fy_activation_eval_fmpq(v, a, (ulong) k, zero, NULL)) == FY_OK)
        {
            char *s = fmpq_get_str(NULL, 10, v);
            json_object_set_new(e, "at0", json_string(s));
            flint_free(s);
        }
        else
            json_object_set_new(e, "at0", json_null());
        json_array_append_new(polys, e);
        if (pr != NULL)
            fy_progress_update(pr, (double) k);
    }
    json_object_set_new(j, "derivatives", polys);
    if (fy_activation_eval_fmpq(v, a, 0, zero, NULL) == FY_OK)
    {
        char *s = fmpq_get_str(NULL, 10, v);
        json_object_set_new(j, "at0", json_string(s));
        flint_free(s);
    }
    else
        json_object_set_new(j, "at0", json_null());
    json_object_set_new(j, "file", json_string(a->file ? a->file : ""));
    fmpq_poly_clear(P);
    fmpq_clear(v);
    fmpq_clear(zero);
    return j;
}

static json_t *range_json(int lo, int hi)
{
    json_t *a = json_array();
    json_array_append_new(a, json_integer(lo));
    json_array_append_new(a, hi == FY_RULES_UNBOUNDED ? json_null() : json_integer(hi));
    return a;
}

static json_t *theory_json(const fy_theory_struct *th)
{
    json_t *j = json_object(), *kinds = json_array(), *syms = json_object();
    int i;
    char buf[128];
    json_object_set_new(j, "name", json_string(th->name));
    json_object_set_new(j, "description", json_string(th->description));
    json_object_set_new(j, "generator", json_string(th->generator));
    json_object_set_new(j, "rooted", json_boolean(th->rooted));
    json_object_set_new(j, "factorial", json_string(th->factorial ? "k!" : "none"));
    json_object_set_new(j, "sign", json_string(th->sign > 0 ? "+" : "-"));
    for (i = 0; i < th->nsymbols; i++)
        json_object_set_new(syms, th->symbols[i], json_string(th->symbol_descriptions[i]));
    json_object_set_new(j, "symbols", syms);
    for (i = 0; i < th->nkinds; i++)
    {
        const fy_kind_struct *k = th->kinds + i;
        json_t *kj = json_object();
        json_object_set_new(kj, "class", json_string(fy_kind_class_name(k->cls)));
        json_object_set_new(kj, "name", json_string(k->name));
        json_object_set_new(kj, "label", json_string(k->label));
        json_object_set_new(kj, "value", json_string(k->value));
        json_object_set_new(kj, "dot", json_string(k->dot));
        json_object_set_new(kj, "tikz", json_string(k->tikz));
        json_object_set_new(kj, "description", json_string(k->description));
        if (k->cls == FY_KIND_VERTEX)
        {
            json_object_set_new(kj, "valence", range_json(k->valence_min, k->valence_max));
            json_object_set_new(kj, "children", range_json(k->children_min, k->children_max));
            json_object_set_new(kj, "legs", range_json(k->legs_min, k->legs_max));
        }
        if (k->cls != FY_KIND_LINE)
            json_object_set_new(kj, "level", json_string(level_str(buf, sizeof buf, k)));
        if (k->cls != FY_KIND_VERTEX)
            json_object_set_new(kj, "arrows", json_string(fy_arrows_name(k->arrows)));
        json_array_append_new(kinds, kj);
    }
    json_object_set_new(j, "kinds", kinds);
    json_object_set_new(j, "file", json_string(th->file));
    return j;
}

static void print_theory_text(const fy_theory_struct *th, int verbose)
{
    int i;
    char b1[128], b2[64], b3[64], b4[64];
    printf("  %-8s generator %s, %s, factorial %s, sign %c  (%s)\n", th->name, th->generator,
           th->rooted ? "rooted" : "unrooted", th->factorial ? "k!" : "none",
           th->sign > 0 ? '+' : '-', th->file);
    if (!verbose)
        return;
    for (i = 0; i < th->nkinds; i++)
    {
        const fy_kind_struct *k = th->kinds + i;
        if (k->cls == FY_KIND_VERTEX)
            printf("    vertex %-12s level %-6s valence %-5s children %-5s legs %-4s label %s\n",
                   k->name, level_str(b1, sizeof b1, k),
                   range_str(b2, sizeof b2, k->valence_min, k->valence_max),
                   range_str(b3, sizeof b3, k->children_min, k->children_max),
                   range_str(b4, sizeof b4, k->legs_min, k->legs_max), k->label);
        else
            printf("    %-6s %-12s arrows %-14s label %s\n", fy_kind_class_name(k->cls), k->name,
                   fy_arrows_name(k->arrows), k->label);
    }
}

static int cmd_check(int argc, char **argv)
{
    int i, status = 0;
    if (argc < 1)
        return fy_cli_usage_error(CMD, "check needs at least one FILE");
    for (i = 0; i < argc; i++)
    {
        fy_rules_t r;
        fy_error_t err;
        int j;
        fy_rules_init(r);
        fy_error_init(err);
        if (fy_rules_load_file(r, argv[i], err) != FY_OK)
        {
            fprintf(stderr, "feynn rules: %s\n", err->msg);
            if (fy_exit_status(err->code) > status)
                status = fy_exit_status(err->code);
            fy_rules_clear(r);
            continue;
        }
        printf("%s: ok: %d theor%s, %d activation%s\n", argv[i], r->ntheories,
               r->ntheories == 1 ? "y" : "ies", r->nacts, r->nacts == 1 ? "" : "s");
        for (j = 0; j < r->ntheories; j++)
            print_theory_text(r->theories + j, 1);
        for (j = 0; j < r->nacts; j++)
            print_activation_text(r->acts + j, 2);
        fy_rules_clear(r);
    }
    return status;
}

static int cmd_path(void)
{
    char **dirs;
    int n, i;
    fy_error_t err;
    fy_error_init(err);
    if (fy_rules_search_path(&dirs, &n, err) != FY_OK)
        return fy_cli_fail(CMD, err);
    for (i = 0; i < n; i++)
    {
        printf("%s\n", dirs[i]);
        free(dirs[i]);
    }
    free(dirs);
    return 0;
}

static int dump_json(json_t *j)
{
    int rc = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    printf("\n");
    return rc == 0 ? 0 : 2;
}

static int cmd_list(int fmt)
{
    fy_rules_t r;
    fy_error_t err;
    char **dirs;
    int n, i, rc = 0;

    fy_rules_init(r);
    fy_error_init(err);
    if (fy_rules_load_default(r, err) != FY_OK)
    {
        fy_rules_clear(r);
        return fy_cli_fail(CMD, err);
    }
    if (fy_rules_search_path(&dirs, &n, err) != FY_OK)
    {
        fy_rules_clear(r);
        return fy_cli_fail(CMD, err);
    }
    if (fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *p = json_array(), *th = json_array(), *ac = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(p, json_string(dirs[i]));
        for (i = 0; i < r->ntheories; i++)
            json_array_append_new(th, theory_json(r->theories + i));
        for (i = 0; i < r->nacts; i++)
            json_array_append_new(ac, activation_json(r->acts + i, 2, NULL));
        json_object_set_new(j, "command", json_string("rules list"));
        json_object_set_new(j, "search_path", p);
        json_object_set_new(j, "theories", th);
        json_object_set_new(j, "activations", ac);
        json_object_set_new(j, "shadowed", json_integer(r->nshadowed));
        rc = dump_json(j);
    }
    else
    {
        printf("Search path:\n");
        for (i = 0; i < n; i++)
            printf("  %s\n", dirs[i]);
        printf("Theories:\n");
        for (i = 0; i < r->ntheories; i++)
            print_theory_text(r->theories + i, 0);
        printf("Activations:\n");
        for (i = 0; i < r->nacts; i++)
            print_activation_text(r->acts + i, 1);
        if (r->nshadowed > 0)
            printf("(%d definitions shadowed by earlier directories)\n", r->nshadowed);
    }
    for (i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    fy_rules_clear(r);
    return rc;
}

/* bar: fy_opt_progress; text on a terminal shows its lines as they come, so no bar there
 * unless --progress. */
static int cmd_show(const char *name, long order, const char *params, int fmt, int bar)
{
    fy_progress_t pr;
    fy_rules_t r;
    fy_error_t err;
    fy_activation_t a;
    const fy_activation_struct *src;
    int rc = 0;
    long k;

    fy_rules_init(r);
    fy_error_init(err);
    fy_activation_init(a);
    if (fy_rules_load_default(r, err) != FY_OK)
        goto fail;
    src = fy_rules_activation(r, name);
    if (src == NULL)
    {
        fy_error_set(err, FY_EINPUT, "no activation '%s' on the rules search path (see 'feynn "
                     "rules list')", name);
        goto fail;
    }
    if (fy_activation_set(a, src, err) != FY_OK)
        goto fail;
    if (params != NULL && fy_activation_set_params(a, params, err) != FY_OK)
        goto fail;
    if (fmt == FY_FMT_JSON)
    {
        json_t *j;
        fy_progress_init(pr, "rules show", (double) order, bar);
        j = activation_json(a, (int) order, pr);
        fy_progress_clear(pr);
        json_object_set_new(j, "command", json_string("rules show"));
        rc = dump_json(j);
    }
    else
    {
        fmpq_poly_t P;
        fmpq_t v, zero;
        char *d = definition_str(a);
        printf("%s: %s: %s\n", a->name, fy_act_def_name(a->def), d ? d : "");
        free(d);
        if (a->description && a->description[0])
            printf("  %s\n", a->description);
        if (a->var != FY_ACT_VAR_NONE)
            printf("sigma^(k)(z) = P_k(%s)%s%s%s\n", fy_activation_var_name(a),
                   a->var == FY_ACT_VAR_BASE ? ", u = " : "",
                   a->var == FY_ACT_VAR_BASE ? a->base : "",
                   a->def == FY_ACT_HERMITE ? " A exp(-z^2)" : "");
        fmpq_poly_init(P);
        fmpq_init(v);
        fmpq_init(zero);
        fy_progress_init(pr, "rules show", (double) order,
                         bar < 0 && isatty(fileno(stdout)) ? 0 : bar);
        for (k = 1; k <= order; k++)
        {
            /* P_k from P_{k-1} in one step, its value at 0 from P_k (not rebuilt per k) */
            int have = fy_activation_poly_next(P, a, (ulong) k, NULL) == FY_OK;
            printf("k = %ld:", k);
            if (have)
            {
                char *s = fy_rules_poly_string(P, fy_activation_var_name(a));
                printf("  P_%ld = %s", k, s);
                flint_free(s);
            }
            if ((have ? fy_activation_eval_poly_fmpq(v, a, (ulong) k, P, zero, NULL)
                      : fy_activation_eval_fmpq(v, a, (ulong) k, zero, NULL)) == FY_OK)
            {
                char *s = fmpq_get_str(NULL, 10, v);
                printf("%s sigma^(%ld)(0) = %s", have ? "," : " ", k, s);
                flint_free(s);
            }
            printf("\n");
            fy_progress_update(pr, (double) k);
        }
        fy_progress_clear(pr);
        if (fy_activation_last_nonzero(a) >= 0)
            printf("derivatives of order > %ld vanish%s\n", (long) fy_activation_last_nonzero(a),
                   a->def == FY_ACT_PIECEWISE_LINEAR ? " (away from z = 0)" : "");
        fmpq_poly_clear(P);
        fmpq_clear(v);
        fmpq_clear(zero);
    }
    fy_activation_clear(a);
    fy_rules_clear(r);
    return rc;
fail:
    fy_activation_clear(a);
    fy_rules_clear(r);
    return fy_cli_fail(CMD, err);
}

/* One sub-command: its table's options, then the work. */
static int rules_sub(const fy_opt_cmd_t *sub, int argc, char **argv)
{
    rules_args_t a = {4, NULL};
    fy_opt_state_t st;
    int rc;
    fy_opt_state_init(st);
    rc = fy_opt_parse(st, &a, sub, argc, argv, NULL, 0);
    if (rc == 0 && st->help)
        fy_opt_help(stdout, sub, 0);
    else if (rc == 0 && sub == &fy_opt_rules_check)
        rc = cmd_check(st->noperands, st->operands);
    else if (rc == 0 && sub == &fy_opt_rules_path)
        rc = cmd_path();
    else if (rc == 0 && sub == &fy_opt_rules_list)
        rc = cmd_list(st->format);
    else if (rc == 0 && st->noperands == 0)
        rc = fy_cli_usage_error(CMD, "show needs the name of an activation");
    else if (rc == 0)
        rc = cmd_show(st->operands[0], a.order, a.params, st->format, fy_opt_progress(st));
    fy_opt_state_clear(st);
    return rc;
}

static int rules_check(int argc, char **argv)
{
    return rules_sub(&fy_opt_rules_check, argc, argv);
}

static int rules_list(int argc, char **argv)
{
    return rules_sub(&fy_opt_rules_list, argc, argv);
}

static int rules_show(int argc, char **argv)
{
    return rules_sub(&fy_opt_rules_show, argc, argv);
}

static int rules_path(int argc, char **argv)
{
    return rules_sub(&fy_opt_rules_path, argc, argv);
}

static const fy_cli_command rules_commands[] = {
    {"check", "validate rule files, print what they define (errors: FILE:LINE:COLUMN)",
     rules_check},
    {"list", "the theories and activations installed on the search path", rules_list},
    {"show", "P_1 .. P_K of an activation and sigma^(k)(0) where rational", rules_show},
    {"path", "the search path: $FEYNN_RULES_PATH, the source tree's rules/, data dir",
     rules_path},
};

static const fy_cli_dispatch_t rules_dispatch = {
    .name = "rules",
    .head = "Usage: feynn rules check FILE...\n"
            "       feynn rules list [--format text|json]\n"
            "       feynn rules show ACTIVATION [--order K] [--params a=1/3,...] "
            "[--format text|json]\n"
            "       feynn rules path\n"
            "\n"
            "Rule files define the vocabulary of each theory (vertex, line and leg kinds,\n"
            "labels, drawing styles, conventions) and the activation functions by their\n"
            "derivatives, from which the exact vertex polynomials sigma^(k) = P_k(u) follow.\n",
    .tail = "\n"
            "Options:\n"
            "  --format F      text (default) or json\n"
            "  --order K       highest derivative order for show (default 4, at most "
            STR(FY_RULES_MAX_ORDER) ")\n"
            "  --params SPEC   parameter values for show, e.g. a=1/3 (exact rationals)\n"
            "\n"
            "Run 'feynn help rules COMMAND' for the options of one command.\n"
            "The format is documented in doc/rules-format.md.\n",
    .width = 6,
    .subs = rules_commands,
    .nsubs = sizeof rules_commands / sizeof rules_commands[0],
};

int fy_cmd_rules(int argc, char **argv)
{
    return fy_cli_dispatch(&rules_dispatch, argc, argv);
}
