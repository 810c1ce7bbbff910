/* feynn diagrams: list, count, draw and check the diagrams of a theory.
 *
 * Theories: mlp (layered trees of MLP derivatives), inn (pull-back through quadratic layers,
 * or the elementwise log-det vertices), born (Born ladders), phi4 / nnft (Feynman graphs of
 * NN field theory from a vertex multiset) and vacuum (the same without external points).
 * Every listing comes with its oracle: the family's weighted sum computed independently of the
 * generator; the exit status is 1 when they disagree. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq.h>
#include <flint/fmpz.h>
#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/feynman.h"
#include "feynn/graph.h"
#include "feynn/rules.h"
#include "feynn/util.h"

#define CMD "diagrams"

typedef enum
{
    TH_MLP,
    TH_INN,
    TH_BORN,
    TH_FEYNMAN
} theory_t;

typedef struct
{
    theory_t theory;
    const char *theory_name;
    long order, hidden, layers, kmin, kmax, points, loops;
    int logdet, labelled, unlabelled;
    int connected, no_vacuum, one_pi, no_tadpoles, no_self_loops;
    int no_factorial, count_only, format;
    const char *vertices, *outdir;
    int force;
    int order_given, hidden_given, points_given;
    int bar; /* fy_opt_progress: --quiet, --progress */
} opts_t;

#define O(f) offsetof(opts_t, f)
#define G(f) FY_OPT_GIVEN(opts_t, f)
static const fy_opt_t diagram_opts[] = {
    {.name = "order", .kind = FY_OPT_INT, .arg = "N", .off = O(order), .lo = 1, .hi = 64,
     .def = "2", .given = G(order_given),
     .help = "mlp: derivatives n; inn: order m of A'^(m), or the largest n of the log-det "
             "vertices; born: order n"},
    {.name = "hidden", .kind = FY_OPT_INT, .arg = "H", .off = O(hidden), .lo = 1, .hi = 64,
     .def = "1", .given = G(hidden_given),
     .help = "mlp: hidden layers H >= 1; the output is layer H+1"},
    {.name = "labelled", .kind = FY_OPT_FLAG, .off = O(labelled),
     .help = "mlp: every leaf-labelled tree (|Aut| = 1); Feynman graphs: labelled points "
             "1..n (the default)"},
    {.name = "labeled", .kind = FY_OPT_FLAG, .off = O(labelled), .help = "the same as --labelled"},
    {.name = "unlabelled", .kind = FY_OPT_FLAG, .off = O(unlabelled),
     .help = "Feynman graphs: interchangeable points"},
    {.name = "layers", .kind = FY_OPT_INT, .arg = "C", .off = O(layers), .lo = 1, .hi = 32,
     .def = "1", .help = "inn: quadratic layers c >= 1"},
    {.name = "kmin", .kind = FY_OPT_INT, .arg = "K", .off = O(kmin), .lo = 1, .hi = 64,
     .def = "1", .help = "inn: lowest order of the source vertices A^(k)"},
    {.name = "kmax", .kind = FY_OPT_INT, .arg = "K", .off = O(kmax), .lo = 1, .hi = 64,
     .def = "the order", .help = "inn: highest order of the source vertices A^(k)"},
    {.name = "logdet", .kind = FY_OPT_FLAG, .off = O(logdet),
     .help = "inn: the diagonal log-det vertices n = 1..order"},
    {.name = "points", .kind = FY_OPT_INT, .arg = "N", .off = O(points), .lo = 0,
     .hi = FY_FEYNMAN_MAX_POINTS, .def = "0", .given = G(points_given),
     .help = "phi4: external points"},
    {.name = "vertices", .kind = FY_OPT_STRING, .arg = "SPEC", .off = O(vertices),
     .help = "phi4, vacuum: vertex multiset, valence:count[,...], e.g. 4:2"},
    {.name = "loops", .kind = FY_OPT_INT, .arg = "L", .off = O(loops), .lo = 0, .hi = 1000,
     .help = "Feynman graphs: keep graphs with L loops"},
    {.name = "connected", .kind = FY_OPT_FLAG, .off = O(connected),
     .help = "Feynman graphs: connected graphs only"},
    {.name = "no-vacuum", .kind = FY_OPT_FLAG, .off = O(no_vacuum),
     .help = "Feynman graphs: every component holds an external point"},
    {.name = "1pi", .kind = FY_OPT_FLAG, .off = O(one_pi),
     .help = "Feynman graphs: one-particle irreducible graphs only (the oracle does not "
             "cover them: it is reported as null)"},
    {.name = "no-tadpoles", .kind = FY_OPT_FLAG, .off = O(no_tadpoles),
     .help = "Feynman graphs: no 1-point insertions (the oracle is then null)"},
    {.name = "no-self-loops", .kind = FY_OPT_FLAG, .off = O(no_self_loops),
     .help = "Feynman graphs: no line from a vertex to itself"},
    {.name = "no-factorial", .kind = FY_OPT_FLAG, .off = O(no_factorial),
     .help = "Feynman expressions: vertex factor -k! g (the [HMS] convention g phi^k without "
             "1/k!); default -g (g phi^k / k!)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "DIR", .off = O(outdir),
     .help = "one file per diagram in DIR plus index.txt and index.json; DIR is replaced as a "
             "whole (only this run's files, listed in DIR/.feynn-manifest); a non-empty DIR "
             "feynn did not write is refused"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = O(force),
     .help = "replace such a DIR anyway (its contents move to DIR.old.XXXXXX)"},
    {.name = "count", .kind = FY_OPT_FLAG, .off = O(count_only),
     .help = "only the counts and the oracle check"},
};
#undef O
#undef G

const fy_opt_cmd_t fy_opt_diagrams = {
    .name = CMD,
    .usage = "THEORY [options]",
    .intro =
        "Lists the diagrams of a theory, each once up to isomorphism, with |Aut|, multiplicity\n"
        "and symbolic expression, and checks the family against an independent oracle.\n"
        "\n"
        "Theories:\n"
        "  mlp      layered trees of the n-th derivative of an MLP (doc/math.md 1.3-1.5)\n"
        "  inn      pull-back of an action through quadratic couplings (doc/math.md 3.3),\n"
        "           or with --logdet the log-det vertices ln(1 + 2 gamma h) (doc/math.md 3.2)\n"
        "  born     Born ladders, the n-th Born term of the scattering length (doc/math.md 2.2)\n"
        "  phi4     Feynman graphs of NN field theory from a vertex multiset (doc/math.md 4.3);\n"
        "           'nnft' is the same\n"
        "  vacuum   Feynman graphs without external points",
    .epilog =
        "The weighted sum is the sum of n!/|Aut| over unlabelled MLP trees (the number of\n"
        "labelled trees), the sum of 1/|Aut| over Feynman graphs (compared with the\n"
        "zero-dimensional field theory), the sum of the A-convention coefficients for inn, and\n"
        "the sum of mult times the unit-step value for Born ladders; exact rationals.\n"
        "\n"
        "Examples:\n"
        "  feynn diagrams mlp --hidden 3 --order 4\n"
        "  feynn diagrams phi4 --points 4 --vertices 4:2 --loops 1 --connected\n"
        "  feynn diagrams vacuum --vertices 4:6 --count --format json\n"
        "  feynn diagrams mlp --hidden 2 --order 3 --format dot -o figs\n"
        "\n"
        "Exit status: 0 the oracle agrees (or none applies), 1 it disagrees, 2 bad usage.\n",
    .opts = diagram_opts,
    .nopts = FY_OPT_N(diagram_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_DOT) |
               (1u << FY_FMT_TIKZ) | (1u << FY_FMT_LATEX),
    .format_default = FY_FMT_TEXT,
    .format_help = "text (a table: id, shape, layers, |Aut|, multiplicity, expression), json "
                   "(keys diagrams, weighted_sum, oracle, agrees, list; "
                   "doc/schema/diagrams.schema.json), dot (Graphviz: a line carrying k "
                   "derivatives has k arrowheads, layers are ranks), tikz (for pdfLaTeX, "
                   "coordinates from the Graphviz layout) or latex (a document with pictures and "
                   "expressions)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

static int parse_args(opts_t *o, int argc, char **argv, int *help)
{
    fy_opt_state_t st;
    int rc;

    memset(o, 0, sizeof *o);
    o->order = 2;
    o->hidden = 1;
    o->layers = 1;
    o->loops = -1;
    fy_opt_state_init(st);
    rc = fy_opt_parse(st, o, &fy_opt_diagrams, argc, argv, NULL, 0);
    *help = st->help;
    o->format = st->format;
    o->bar = fy_opt_progress(st);
    o->theory_name = st->noperands ? st->operands[0] : NULL;
    fy_opt_state_clear(st);
    if (rc != 0 || *help)
        return rc;
    if (o->theory_name == NULL)
        return fy_cli_usage_error(CMD, "missing THEORY (mlp, inn, born, phi4, vacuum)");
    if (strcmp(o->theory_name, "mlp") == 0)
        o->theory = TH_MLP;
    else if (strcmp(o->theory_name, "inn") == 0)
        o->theory = TH_INN;
    else if (strcmp(o->theory_name, "born") == 0)
        o->theory = TH_BORN;
    else if (strcmp(o->theory_name, "phi4") == 0 || strcmp(o->theory_name, "nnft") == 0 ||
             strcmp(o->theory_name, "vacuum") == 0)
        o->theory = TH_FEYNMAN;
    else
        return fy_cli_usage_error(CMD, "unknown theory '%s' (mlp, inn, born, phi4, vacuum)",
                                  o->theory_name);
    /* Options that belong to another theory are refused rather than ignored. */
    if (o->theory != TH_FEYNMAN &&
        (o->vertices || o->points_given || o->loops >= 0 || o->connected || o->no_vacuum ||
         o->one_pi || o->no_tadpoles || o->no_self_loops || o->unlabelled || o->no_factorial))
        return fy_cli_usage_error(CMD, "the Feynman-graph options (--vertices, --points, "
                                       "--loops, filters) need theory phi4 or vacuum");
    if (o->theory == TH_FEYNMAN && (o->order_given || o->hidden_given))
        return fy_cli_usage_error(CMD, "--order and --hidden do not apply to Feynman graphs; "
                                       "use --vertices and --points");
    if (o->theory != TH_MLP && o->hidden_given)
        return fy_cli_usage_error(CMD, "--hidden applies to theory mlp");
    if (o->theory != TH_INN && (o->kmin || o->kmax || o->logdet || o->layers != 1))
        return fy_cli_usage_error(CMD, "--layers, --kmin, --kmax and --logdet apply to theory inn");
    if ((o->theory == TH_INN || o->theory == TH_BORN) && o->labelled)
        return fy_cli_usage_error(CMD, "--labelled applies to theories mlp and phi4");
    if (o->theory == TH_FEYNMAN && o->labelled && o->unlabelled)
        return fy_cli_usage_error(CMD, "--labelled and --unlabelled exclude each other");
    if (o->theory == TH_FEYNMAN && o->vertices == NULL && strcmp(o->theory_name, "vacuum") == 0)
        return fy_cli_usage_error(CMD, "vacuum graphs need --vertices (e.g. --vertices 4:2)");
    if (strcmp(o->theory_name, "vacuum") == 0 && o->points)
        return fy_cli_usage_error(CMD, "vacuum graphs have no --points");
    if (o->theory == TH_INN && o->logdet && (o->kmin || o->kmax || o->layers != 1))
        return fy_cli_usage_error(CMD, "--logdet takes only --order");
    if (o->kmin && o->kmax && o->kmin > o->kmax)
        return fy_cli_usage_error(CMD, "--kmin %ld is above --kmax %ld", o->kmin, o->kmax);
    if (o->count_only && o->outdir)
        return fy_cli_usage_error(CMD, "--count prints counts only; it takes no --output");
    if (o->count_only && o->format != FY_FMT_TEXT && o->format != FY_FMT_JSON)
        return fy_cli_usage_error(CMD, "--count writes text or json");
    return 0;
}

/* ------------------------------------------------------------------ the family */

typedef struct
{
    fy_diagram_list_t list;
    fmpq_t weight, oracle;
    int have_oracle, agrees;
    char oracle_note[FY_ERROR_MSG_LEN];
    const char *family;     /* generator family name */
    const char *weight_def; /* what the weighted sum is */
    long n;
} result_t;

/* The generator's bar: its total is the number of Wick contractions of the family (the
 * oracle's; without the filters the oracle does not cover, an upper bound); off when the
 * oracle has no answer. */
static void feynman_bar(fy_progress_t pr, const fy_feynman_spec_t spec, int bar)
{
    fy_feynman_spec_t all;
    fmpq_t w;
    fmpz_t c;
    fy_error_t e;
    double total = 0;
    all[0] = spec[0];
    if (!fy_feynman_oracle_covers(all))
        all->filters = 0;
    fmpq_init(w);
    fmpz_init(c);
    fy_error_init(e);
    if (bar != 0 && fy_feynman_oracle(w, c, all, e) == FY_OK)
        total = fmpz_get_d(c);
    fmpq_clear(w);
    fmpz_clear(c);
    fy_progress_init(pr, "diagrams", total, total > 0 ? bar : 0);
}

static int run_feynman(result_t *r, const opts_t *o, int store, fy_error_t err)
{
    fy_progress_t pr;
    fy_feynman_spec_t spec;
    fmpz_t contractions; /* not shown; the functions want somewhere to put it */
    int rc;
    fy_feynman_spec_init(spec);
    fmpz_init(contractions);
    spec->n_points = o->points;
    spec->labelled = !o->unlabelled;
    spec->loops = o->loops;
    spec->filters = (o->connected ? FY_FEYNMAN_CONNECTED : 0) |
                    (o->no_vacuum ? FY_FEYNMAN_NO_VACUUM : 0) | (o->one_pi ? FY_FEYNMAN_1PI : 0) |
                    (o->no_tadpoles ? FY_FEYNMAN_NO_TADPOLES : 0) |
                    (o->no_self_loops ? FY_FEYNMAN_NO_SELF_LOOPS : 0);
    if (o->vertices && (rc = fy_feynman_spec_parse_vertices(spec, o->vertices, err)) != FY_OK)
    {
        fy_feynman_spec_clear(spec);
        fmpz_clear(contractions);
        return rc == FY_EINPUT ? FY_EUSAGE : rc;
    }
    if ((rc = fy_feynman_spec_validate(spec, err)) != FY_OK)
    {
        fy_feynman_spec_clear(spec);
        fmpz_clear(contractions);
        return rc == FY_EINPUT ? FY_EUSAGE : rc;
    }
    r->family = "feynman";
    r->weight_def = "sum of 1/|Aut|";
    feynman_bar(pr, spec, o->bar);
    spec->progress = pr;
    if (store)
    {
        rc = fy_feynman_generate(r->list, spec, err);
        if (rc == FY_OK)
        {
            r->n = r->list->n;
            fy_feynman_list_sums(r->weight, contractions, r->list);
        }
    }
    else
        rc = fy_feynman_count(&r->n, r->weight, contractions, spec, err);
    fy_progress_clear(pr);
    spec->progress = NULL;
    if (rc == FY_OK)
    {
        fy_error_t e2;
        fy_error_init(e2);
        if (fy_feynman_oracle(r->oracle, contractions, spec, e2) == FY_OK)
            r->have_oracle = 1;
        else
            snprintf(r->oracle_note, sizeof r->oracle_note, "%s", e2->msg);
    }
    fy_feynman_spec_clear(spec);
    fmpz_clear(contractions);
    return rc;
}

/* mlp --count when the listing would pass the memory limit: the numbers of unlabelled and
 * leaf-labelled trees by the Euler transform of the layer series (fy_enum_mlp_count), which
 * the oracle (FLINT's exponential series) then checks; err keeps the limit's message when a
 * count does not fit a long. */
static int count_mlp(result_t *r, const opts_t *o, fy_error_t err)
{
    fmpz_t un, lab;
    fy_error_t e2;
    int rc;
    fmpz_init(un);
    fmpz_init(lab);
    fy_error_init(e2);
    rc = fy_enum_mlp_count(un, lab, o->order, o->hidden, e2);
    if (rc == FY_OK && fmpz_fits_si(o->labelled ? lab : un))
    {
        r->n = fmpz_get_si(o->labelled ? lab : un);
        fmpz_set(fmpq_numref(r->weight), lab);
        fmpz_one(fmpq_denref(r->weight));
        r->weight_def = o->labelled
                            ? "number of leaf-labelled trees, counted without listing them "
                              "(Euler transform of the layer series; the listing would pass "
                              "the memory limit)"
                            : "sum of n!/|Aut| (number of leaf-labelled trees), counted "
                              "without listing them (Euler transform of the layer series; the "
                              "listing would pass the memory limit)";
    }
    else
        rc = FY_ENOMEM; /* err still says why the listing was refused */
    fmpz_clear(un);
    fmpz_clear(lab);
    return rc;
}

/* inn --count when the listing would pass the memory limit: the number of diagrams by Polya
 * counting (fy_enum_inn_chain_count) and the weighted sum by the oracle's series itself, so no
 * comparison is claimed (the oracle note says why). */
static int count_inn(result_t *r, const fy_enum_params_t p, fy_error_t err)
{
    fmpz_t n;
    fy_error_t e2;
    int c = p->family == FY_ENUM_INN_SPLIT ? 1 : p->layers;
    int kmin = p->family == FY_ENUM_INN_SPLIT ? (p->order + 1) / 2 : p->kmin;
    int kmax = p->family == FY_ENUM_INN_SPLIT ? p->order : p->kmax;
    int rc;
    fmpz_init(n);
    fy_error_init(e2);
    rc = fy_enum_inn_chain_count(n, p->order, c, kmin, kmax, e2);
    if (rc == FY_OK && fmpz_fits_si(n))
        rc = fy_enum_inn_chain_oracle(r->weight, p->order, c, kmin, kmax, e2);
    else if (rc == FY_OK)
        rc = FY_ENOMEM;
    if (rc == FY_OK)
    {
        r->n = fmpz_get_si(n);
        r->weight_def = "sum of the A-convention coefficients, from the series "
                        "(the diagrams counted without listing them: the listing would pass "
                        "the memory limit)";
    }
    else
        rc = FY_ENOMEM; /* err still says why the listing was refused */
    fmpz_clear(n);
    return rc;
}

static int run_enum(result_t *r, const opts_t *o, fy_error_t err)
{
    fy_enum_params_t p;
    int rc;
    fy_enum_params_init(p);
    p->order = o->order;
    switch (o->theory)
    {
    case TH_MLP:
        p->family = o->labelled ? FY_ENUM_MLP_LABELLED : FY_ENUM_MLP;
        p->layers = o->hidden;
        r->weight_def = o->labelled ? "number of leaf-labelled trees (sum of mult)"
                                    : "sum of n!/|Aut| (number of leaf-labelled trees)";
        break;
    case TH_INN:
        if (o->logdet)
            p->family = FY_ENUM_INN_LOGDET;
        else if (o->layers == 1 && !o->kmin && !o->kmax)
            p->family = FY_ENUM_INN_SPLIT;
        else
        {
            p->family = FY_ENUM_INN_CHAIN;
            p->layers = o->layers;
            p->kmin = o->kmin ? o->kmin : 1;
            p->kmax = o->kmax ? o->kmax : o->order;
        }
        r->weight_def = o->logdet ? "sum of the coefficients (-1)^(n+1) 2^n / n"
                                  : "sum of the A-convention coefficients (mult)";
        break;
    default:
        p->family = FY_ENUM_BORN;
        r->weight_def = "sum of mult times the ladder's value for U = 1 on (0,1]";
        break;
    }
    r->family = fy_enum_family_name(p->family);
    rc = fy_enum_run(r->list, p, err);
    if (rc == FY_ENOMEM && o->count_only && o->theory == TH_MLP)
        rc = count_mlp(r, o, err); /* --count needs no listing (issue 10 item 7) */
    else if (rc == FY_ENOMEM && o->count_only && o->theory == TH_INN && !o->logdet)
    {
        rc = count_inn(r, p, err);
        if (rc == FY_OK)
        {
            snprintf(r->oracle_note, sizeof r->oracle_note,
                     "the weighted sum is the oracle's series itself: the listing would pass "
                     "the memory limit; the count is checked against listings in the tests");
            return FY_OK;
        }
    }
    else if (rc == FY_OK)
    {
        r->n = r->list->n;
        rc = fy_enum_weight(r->weight, r->list, p, err);
    }
    if (rc != FY_OK)
        return rc == FY_EINPUT ? FY_EUSAGE : rc;
    {
        fy_error_t e2;
        fy_error_init(e2);
        if (fy_enum_oracle(r->oracle, p, e2) == FY_OK)
            r->have_oracle = 1;
        else
            snprintf(r->oracle_note, sizeof r->oracle_note, "%s", e2->msg);
    }
    return FY_OK;
}

/* ------------------------------------------------------------------ per-diagram text */

/* Text built in memory through a FILE *. */
typedef struct
{
    FILE *fp;
    char *s;
    size_t n;
} mbuf_t;

static int mb_open(mbuf_t *m)
{
    m->s = NULL;
    m->n = 0;
    m->fp = open_memstream(&m->s, &m->n);
    return m->fp ? 0 : -1;
}

/* Closes the stream; the text (malloc'd) or NULL on failure. */
static char *mb_take(mbuf_t *m)
{
    if (fclose(m->fp) != 0)
    {
        free(m->s);
        return NULL;
    }
    return m->s;
}

static char *qstr(const fmpq_t x)
{
    return fmpq_get_str(NULL, 10, x);
}

static char *layers_string(const fy_diagram_struct *d)
{
    mbuf_t m;
    int i, any = 0;
    if (mb_open(&m) != 0)
        return NULL;
    for (i = 0; i < d->nv; i++)
    {
        const char *kn = d->family->vertex_kind_names[d->v[i].kind];
        if (d->v[i].level < 0 || strcmp(kn, "input") == 0 || strcmp(kn, "output") == 0)
            continue;
        fprintf(m.fp, "%s%d", any ? "," : "", d->v[i].level);
        any = 1;
    }
    if (!any)
        fputs("-", m.fp);
    return mb_take(&m);
}

/* ------------------------------------------------------------------ outputs */

static void options_for(fy_draw_options_t dopt, const opts_t *o, const fy_rules_struct *rules,
                        char *name, size_t nname, long id)
{
    fy_draw_options_init(dopt);
    if (o->theory == TH_MLP)
        dopt->top_level = o->hidden + 1;
    else if (o->theory == TH_INN && !o->logdet)
        dopt->top_level = o->layers + 1;
    dopt->no_factorial = o->no_factorial;
    snprintf(name, nname, "d%03ld", id);
    dopt->name = name;
    if (rules != NULL)
    {
        dopt->style = fy_rules_draw_style;
        dopt->style_ctx = (void *) rules;
    }
}

static json_t *summary_json(const result_t *r, const opts_t *o)
{
    json_t *j = json_object();
    char *w = qstr(r->weight), *q = r->have_oracle ? qstr(r->oracle) : NULL;
    json_object_set_new(j, "command", json_string("diagrams"));
    json_object_set_new(j, "theory", json_string(o->theory_name));
    json_object_set_new(j, "family", json_string(r->family));
    {
        json_t *p = json_object();
        if (o->theory == TH_MLP)
        {
            json_object_set_new(p, "order", json_integer(o->order));
            json_object_set_new(p, "hidden", json_integer(o->hidden));
            json_object_set_new(p, "labelled", json_boolean(o->labelled));
        }
        else if (o->theory == TH_INN)
        {
            json_object_set_new(p, "order", json_integer(o->order));
            json_object_set_new(p, "layers", json_integer(o->layers));
            json_object_set_new(p, "logdet", json_boolean(o->logdet));
        }
        else if (o->theory == TH_BORN)
            json_object_set_new(p, "order", json_integer(o->order));
        else
        {
            json_object_set_new(p, "points", json_integer(o->points));
            json_object_set_new(p, "vertices", json_string(o->vertices ? o->vertices : ""));
            json_object_set_new(p, "labelled", json_boolean(!o->unlabelled));
            json_object_set_new(p, "loops", o->loops >= 0 ? json_integer(o->loops) : json_null());
            json_object_set_new(p, "connected", json_boolean(o->connected));
            json_object_set_new(p, "no_vacuum", json_boolean(o->no_vacuum));
            json_object_set_new(p, "1pi", json_boolean(o->one_pi));
            json_object_set_new(p, "no_tadpoles", json_boolean(o->no_tadpoles));
            json_object_set_new(p, "no_self_loops", json_boolean(o->no_self_loops));
        }
        json_object_set_new(j, "params", p);
    }
    json_object_set_new(j, "diagrams", json_integer(r->n));
    json_object_set_new(j, "weighted_sum", json_string(w ? w : "?"));
    json_object_set_new(j, "weight", json_string(r->weight_def));
    json_object_set_new(j, "oracle", q ? json_string(q) : json_null());
    json_object_set_new(j, "agrees", r->have_oracle ? json_boolean(r->agrees) : json_null());
    if (!r->have_oracle)
        json_object_set_new(j, "oracle_note", json_string(r->oracle_note));
    flint_free(w);
    flint_free(q);
    return j;
}

typedef struct
{
    char *shape, *layers, *text, *latex, *aut, *mult, *sym;
} row_t;

static void row_clear(row_t *w)
{
    free(w->shape);
    free(w->layers);
    free(w->text);
    free(w->latex);
    flint_free(w->aut);
    flint_free(w->mult);
    flint_free(w->sym);
    memset(w, 0, sizeof *w);
}

static int row_make(row_t *w, const fy_diagram_struct *d, const fy_draw_options_t dopt,
                    fy_error_t err)
{
    int rc;
    memset(w, 0, sizeof *w);
    if ((rc = fy_draw_expr(&w->text, d, 0, dopt, err)) != FY_OK ||
        (rc = fy_draw_expr(&w->latex, d, 1, dopt, err)) != FY_OK ||
        (rc = fy_draw_shape(&w->shape, d, dopt, err)) != FY_OK)
    {
        row_clear(w);
        return rc;
    }
    w->layers = layers_string(d);
    w->aut = fmpz_get_str(NULL, 10, d->aut);
    w->mult = qstr(d->mult);
    w->sym = qstr(d->sym);
    if (!w->shape || !w->layers || !w->aut || !w->mult || !w->sym)
    {
        row_clear(w);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    return FY_OK;
}

static json_t *row_json(const row_t *w, long id, const char *canon, const char *file)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(id));
    json_object_set_new(j, "shape", json_string(w->shape));
    json_object_set_new(j, "layers", json_string(w->layers));
    json_object_set_new(j, "aut", json_string(w->aut));
    json_object_set_new(j, "multiplicity", json_string(w->mult));
    json_object_set_new(j, "symmetry_factor", json_string(w->sym));
    json_object_set_new(j, "expression", json_string(w->text));
    json_object_set_new(j, "latex", json_string(w->latex));
    json_object_set_new(j, "canonical", json_string(canon ? canon : ""));
    if (file)
        json_object_set_new(j, "file", json_string(file));
    return j;
}

static void print_summary_text(FILE *fp, const result_t *r, const opts_t *o)
{
    char *w = qstr(r->weight), *q = r->have_oracle ? qstr(r->oracle) : NULL;
    fprintf(fp, "# %s: %ld diagrams\n", o->theory_name, r->n);
    fprintf(fp, "# weighted sum (%s): %s\n", r->weight_def, w ? w : "?");
    if (r->have_oracle)
        fprintf(fp, "# oracle: %s (%s)\n", q ? q : "?", r->agrees ? "agrees" : "DISAGREES");
    else
        fprintf(fp, "# oracle: none (%s)\n", r->oracle_note);
    flint_free(w);
    flint_free(q);
}

/* Column widths of the text table: at least 28 and 8, wider when a shape or a layer string is
 * longer, so the columns stay in line (the text table is printed only for listings in memory). */
typedef struct
{
    int shape, layers;
} widths_t;

static void print_table_header(FILE *fp, const widths_t *cw)
{
    fprintf(fp, "%-5s %-*s %-*s %6s %8s  %s\n", "id", cw->shape, "shape", cw->layers, "layers",
            "|Aut|", "mult", "expression");
}

static void print_row(FILE *fp, const row_t *w, long id, const widths_t *cw)
{
    fprintf(fp, "%-5ld %-*s %-*s %6s %8s  %s\n", id, cw->shape, w->shape, cw->layers, w->layers,
            w->aut, w->mult, w->text);
}

/* The widths of the table's shape and layers columns over the whole listing. */
static int table_widths(widths_t *cw, const result_t *r, const opts_t *o,
                        const fy_rules_struct *rules, fy_error_t err)
{
    char name[32];
    long i;
    int rc;
    cw->shape = 28;
    cw->layers = 8;
    for (i = 0; i < r->list->n; i++)
    {
        const fy_diagram_struct *d = r->list->d + i;
        fy_draw_options_t dopt;
        char *shape = NULL, *layers;
        options_for(dopt, o, rules, name, sizeof name, i + 1);
        if ((rc = fy_draw_shape(&shape, d, dopt, err)) != FY_OK)
            return rc;
        if ((layers = layers_string(d)) == NULL)
        {
            free(shape);
            return fy_error_set(err, FY_ENOMEM, "out of memory");
        }
        if ((int) strlen(shape) > cw->shape)
            cw->shape = (int) strlen(shape);
        if ((int) strlen(layers) > cw->layers)
            cw->layers = (int) strlen(layers);
        free(shape);
        free(layers);
    }
    return FY_OK;
}

/* The figure or document text of one diagram in the format. */
static int diagram_text(char **out, const fy_diagram_struct *d, const row_t *w, long id,
                        const fy_draw_options_t dopt, int format, fy_error_t err)
{
    mbuf_t m;
    char *pic = NULL;
    int rc;
    *out = NULL;
    if (format == FY_FMT_DOT)
        return fy_draw_dot(out, d, dopt, err);
    if ((rc = fy_draw_tikz(&pic, d, dopt, err)) != FY_OK)
        return rc;
    if (mb_open(&m) != 0)
    {
        free(pic);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    if (format == FY_FMT_TIKZ)
        fputs(pic, m.fp);
    else
        fprintf(m.fp,
                "\\paragraph{Diagram %ld} $|\\mathrm{Aut}| = %s$, multiplicity $%s$.\n"
                "\\begin{center}\n%s\\end{center}\n\\[ %s \\]\n\n",
                id, w->aut, w->mult, pic, w->latex);
    free(pic);
    if ((*out = mb_take(&m)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    return FY_OK;
}

static const char *format_ext(int f)
{
    switch (f)
    {
    case FY_FMT_DOT:
        return "dot";
    case FY_FMT_TIKZ:
    case FY_FMT_LATEX:
        return "tex";
    case FY_FMT_JSON:
        return "json";
    default:
        return "txt";
    }
}

static const char *doc_begin(int f)
{
    return f == FY_FMT_TIKZ ? fy_draw_tikz_preamble() : f == FY_FMT_LATEX ? fy_draw_latex_preamble() : "";
}

static const char *doc_end(int f)
{
    return (f == FY_FMT_TIKZ || f == FY_FMT_LATEX) ? fy_draw_document_end() : "";
}

static int write_file(const char *path, const char *a, const char *b, const char *c,
                      fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, path, err);
    if (rc != FY_OK)
        return rc;
    fputs(a, of->fp);
    fputs(b, of->fp);
    fputs(c, of->fp);
    if (ferror(of->fp))
    {
        fy_ofile_abort(of);
        return fy_error_set(err, FY_EIO, "%s: write failed", path);
    }
    return fy_ofile_commit(of, err);
}

static int emit(const result_t *r, const opts_t *o, const fy_rules_struct *rules, fy_error_t err)
{
    json_t *top = summary_json(r, o), *arr = json_array();
    fy_ofile_t itxt;
    fy_outdir_t od;
    widths_t cw = {28, 8};
    FILE *tfp = stdout;
    char path[4096], name[32], note[4200];
    const char *dir = NULL; /* the temporary folder that replaces o->outdir at the end */
    long i;
    int rc = FY_OK, itxt_open = 0;

    fy_outdir_init(od);
    if (o->outdir)
    {
        if ((rc = fy_outdir_open(od, o->outdir, o->force, err)) != FY_OK)
            goto done;
        dir = fy_outdir_tmp(od);
        snprintf(path, sizeof path, "%s/index.txt", dir);
        if ((rc = fy_ofile_open(itxt, path, err)) != FY_OK)
            goto done;
        itxt_open = 1;
        tfp = itxt->fp;
    }
    if (tfp == stdout && o->format != FY_FMT_TEXT)
        tfp = NULL; /* stdout carries the format's document */
    if (tfp)
    {
        print_summary_text(tfp, r, o);
        if (!o->count_only && (rc = table_widths(&cw, r, o, rules, err)) != FY_OK)
            goto done;
        if (!o->count_only)
            print_table_header(tfp, &cw);
    }
    if (!o->outdir && (o->format == FY_FMT_TIKZ || o->format == FY_FMT_LATEX) && !o->count_only)
        fputs(doc_begin(o->format), stdout);
    for (i = 0; !o->count_only && i < r->list->n; i++)
    {
        const fy_diagram_struct *d = r->list->d + i;
        fy_draw_options_t dopt;
        row_t w;
        char *doc = NULL, file[64];
        int want_file = o->outdir != NULL;
        options_for(dopt, o, rules, name, sizeof name, i + 1);
        if ((rc = row_make(&w, d, dopt, err)) != FY_OK)
            goto done;
        if (tfp)
            print_row(tfp, &w, i + 1, &cw);
        snprintf(file, sizeof file, "diagram-%03ld.%s", i + 1, format_ext(o->format));
        json_array_append_new(arr, row_json(&w, i + 1, d->canon, want_file ? file : NULL));
        if (o->format == FY_FMT_DOT || o->format == FY_FMT_TIKZ || o->format == FY_FMT_LATEX)
        {
            if ((rc = diagram_text(&doc, d, &w, i + 1, dopt, o->format, err)) != FY_OK)
            {
                row_clear(&w);
                goto done;
            }
            if (want_file)
            {
                snprintf(path, sizeof path, "%s/%s", dir, file);
                rc = write_file(path, doc_begin(o->format), doc, doc_end(o->format), err);
            }
            else
                fputs(doc, stdout);
            free(doc);
        }
        else if (want_file)
        {
            /* text and json: one small file per diagram too */
            snprintf(path, sizeof path, "%s/%s", dir, file);
            if (o->format == FY_FMT_JSON)
            {
                json_t *one = row_json(&w, i + 1, d->canon, NULL);
                char *s = json_dumps(one, JSON_INDENT(2));
                json_decref(one);
                rc = s ? write_file(path, "", s, "\n", err)
                       : fy_error_set(err, FY_ENOMEM, "out of memory");
                free(s);
            }
            else
            {
                mbuf_t m;
                char *t;
                if (mb_open(&m) != 0)
                {
                    rc = fy_error_set(err, FY_ENOMEM, "out of memory");
                    row_clear(&w);
                    goto done;
                }
                fprintf(m.fp, "diagram %ld\nshape: %s\nlayers: %s\n|Aut|: %s\nmultiplicity: %s\n"
                              "expression: %s\nlatex: %s\n",
                        i + 1, w.shape, w.layers, w.aut, w.mult, w.text, w.latex);
                t = mb_take(&m);
                rc = t ? write_file(path, "", t, "", err)
                       : fy_error_set(err, FY_ENOMEM, "out of memory");
                free(t);
            }
        }
        row_clear(&w);
        if (rc != FY_OK)
            goto done;
    }
    if (!o->outdir && (o->format == FY_FMT_TIKZ || o->format == FY_FMT_LATEX) && !o->count_only)
        fputs(doc_end(o->format), stdout);
    if (!o->count_only)
        json_object_set_new(top, "list", arr), arr = NULL;
    if (o->outdir)
    {
        char *s = json_dumps(top, JSON_INDENT(2));
        snprintf(path, sizeof path, "%s/index.json", dir);
        rc = s ? write_file(path, "", s, "\n", err) : fy_error_set(err, FY_ENOMEM, "out of memory");
        free(s);
        if (rc != FY_OK)
            goto done;
        itxt_open = 0;
        if ((rc = fy_ofile_commit(itxt, err)) != FY_OK)
            goto done;
        if ((rc = fy_outdir_commit(od, note, sizeof note, err)) != FY_OK)
            goto done;
        if (note[0] != '\0')
            fprintf(stderr, "feynn diagrams: %s\n", note);
        if (o->format == FY_FMT_JSON)
        {
            /* stdout still gets the summary object */
            json_t *sum = summary_json(r, o);
            json_dumpf(sum, stdout, JSON_INDENT(2));
            fputc('\n', stdout);
            json_decref(sum);
        }
        else
            print_summary_text(stdout, r, o);
    }
    else if (o->format == FY_FMT_JSON)
    {
        json_dumpf(top, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    }
done:
    if (itxt_open)
        fy_ofile_abort(itxt);
    fy_outdir_clear(od); /* removes the temporary folder unless it was committed */
    json_decref(arr);
    json_decref(top);
    return rc;
}

int fy_cmd_diagrams(int argc, char **argv)
{
    opts_t o;
    result_t r;
    fy_error_t err;
    fy_rules_t rules;
    int help = 0, rc, have_rules = 0, status;

    if ((rc = parse_args(&o, argc, argv, &help)) != 0)
        return rc;
    if (help)
    {
        fy_opt_help(stdout, &fy_opt_diagrams, 0);
        return 0;
    }
    fy_error_init(err);
    fy_diagram_list_init(r.list);
    fmpq_init(r.weight);
    fmpq_init(r.oracle);
    r.have_oracle = r.agrees = 0;
    r.oracle_note[0] = '\0';
    r.n = 0;
    if (o.theory == TH_FEYNMAN)
        rc = run_feynman(&r, &o, !o.count_only, err);
    else
        rc = run_enum(&r, &o, err);
    if (rc != FY_OK)
    {
        status = rc == FY_EUSAGE ? fy_cli_usage_error(CMD, "%s", err->msg) : fy_cli_fail(CMD, err);
        goto done;
    }
    r.agrees = r.have_oracle && fmpq_equal(r.weight, r.oracle);
    /* Labels and styles from the rule files when they load; built-in ones otherwise. */
    fy_rules_init(rules);
    if (!o.count_only)
    {
        fy_error_t e2;
        fy_error_init(e2);
        have_rules = fy_rules_load_default(rules, e2) == FY_OK;
    }
    rc = emit(&r, &o, have_rules ? rules : NULL, err);
    fy_rules_clear(rules);
    fflush(stdout);
    if (rc != FY_OK)
        status = fy_cli_fail(CMD, err);
    else if (r.have_oracle && !r.agrees)
    {
        char *w = qstr(r.weight), *q = qstr(r.oracle);
        fprintf(stderr, "feynn %s: the weighted sum %s disagrees with the oracle %s\n", CMD,
                w ? w : "?", q ? q : "?");
        flint_free(w);
        flint_free(q);
        status = 1;
    }
    else
        status = 0;
done:
    fy_diagram_list_clear(r.list);
    fmpq_clear(r.weight);
    fmpq_clear(r.oracle);
    return status;
}
