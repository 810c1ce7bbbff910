/* feynn inn: the action ln p(x) of an invertible network (inn.h), layer by layer, per diagram.
 *
 *   feynn inn action MODEL --order K|all [--arith exact|ball[:BITS]|double] [--digits D]
 *                   [--at FILE|LIST] [--convention A|gamma] [--sign +|-] [--per-layer]
 *                   [--check] [--tol T] [--normalizable] [--threshold T] [--limit N]
 *                   [--format text|json|npy|latex] [-o FILE]
 *   feynn inn diagrams MODEL --layer L --order M [--arith A] [--at X] [--threshold T]
 *                   [--limit N] [--format text|json|dot|tikz] [-o FILE]
 *   feynn inn info MODEL [--format text|json] [-o FILE]
 *
 * The library does the work (fy_inn_action, fy_inn_layer_terms, fy_inn_action_check and the
 * printers of inn.h's output section); this file parses options and writes files.  JSON forms:
 * doc/schema/inn-action.schema.json, inn-diagrams.schema.json, inn-info.schema.json. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/inn.h"
#include "feynn/io.h"
#include "feynn/num.h"
#include "feynn/util.h"

#define MAX_ORDER 64
#define DEFAULT_TOL 1e-9
#define DEFAULT_SEED 20261205u

static int inn_action(int argc, char **argv);
static int inn_diagrams(int argc, char **argv);
static int inn_info(int argc, char **argv);

static const fy_cli_command inn_commands[] = {
    {"action", "the action ln p(x) as a polynomial, per layer, checked by Taylor-mode AD",
     inn_action},
    {"diagrams", "the diagrams of one layer's pull-back with their contributions",
     inn_diagrams},
    {"info", "describe a model: layers, splits, determinants, degrees", inn_info},
    {"sample", "HMC draws of a lattice theory, diagnostics, cumulants", fy_inn_sample_cmd},
    {"compare", "a trained network against its theory: tensors, couplings, KL, cumulants",
     fy_inn_compare_cmd},
    {"scan", "the [M] experiment over depth x data size (train and compare)", fy_inn_scan_cmd},
    {"train", "maximum-likelihood training on samples (Adam, L-BFGS)", fy_inn_train_cmd},
};
static const fy_cli_dispatch_t inn_dispatch = {
    .name = "inn",
    .head = "Usage: feynn inn COMMAND MODEL [options]\n"
            "\n"
            "Actions of invertible networks (doc/math.md 3): the data-space action S = ln p(x)\n"
            "of a network mapping data to a standard normal latent, computed from the weights\n"
            "by pulling the latent Gaussian back through the layers (affine, quadratic\n"
            "coupling, elementwise quadratic).  Model files: doc/inn-format.md.\n",
    .tail = "\nRun 'feynn inn COMMAND --help' for its options.\n",
    .width = 9,
    .subs = inn_commands,
    .nsubs = sizeof inn_commands / sizeof inn_commands[0],
};

int fy_cmd_inn(int argc, char **argv)
{
    return fy_cli_dispatch(&inn_dispatch, argc, argv);
}

/* ------------------------------------------------------------------ shared helpers */

/* The expansion point: a file of numbers, or the numbers themselves separated by commas or
 * blanks ("0,1/2,0.25").  Read exactly; d of them. */
static int read_point(fmpq **x0, const char *spec, int d, fy_error_t err)
{
    char *text = NULL, *p, *tok, *save = NULL;
    const char *what = spec;
    size_t len;
    int i = 0, status = FY_OK;
    if (access(spec, F_OK) == 0)
    {
        status = fy_file_read(&text, &len, spec, 1 << 26, err);
        if (status != FY_OK)
            return status;
    }
    else
    {
        text = strdup(spec);
        what = "--at";
        if (text == NULL)
            return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    *x0 = _fmpq_vec_init(d);
    for (p = text; status == FY_OK && (tok = strtok_r(p, " \t\r\n,", &save)) != NULL; p = NULL)
    {
        if (i >= d)
        {
            status = fy_error_set(err, FY_EINPUT, "%s: more than %d numbers (the network has "
                                  "dimension %d)", what, d, d);
            break;
        }
        status = fy_fmpq_parse(*x0 + i, tok, err);
        if (status != FY_OK)
            fy_error_prefix(err, "%s: number %d: ", what, i + 1);
        else
            i++;
    }
    if (status == FY_OK && i != d)
        status = fy_error_set(err, FY_EINPUT, "%s: %d numbers, the network has dimension %d%s",
                              what, i, d, what == spec ? "" : " (not a file either)");
    free(text);
    if (status != FY_OK)
    {
        _fmpq_vec_clear(*x0, d);
        *x0 = NULL;
    }
    return status;
}

/* Opens out ("-" or NULL: standard output), runs the writer, commits or aborts. */
static int write_text(const char *out, int (*fn)(FILE *, void *, fy_error_t), void *data,
                      fy_error_t err)
{
    fy_ofile_t of;
    int status = fy_ofile_open(of, out ? out : "-", err);
    if (status != FY_OK)
        return status;
    status = fn(of->fp, data, err);
    if (status == FY_OK)
        return fy_ofile_commit(of, err);
    fy_ofile_abort(of);
    return status;
}

static int put_string(FILE *fp, void *data, fy_error_t err)
{
    const char *s = data;
    if (fputs(s, fp) == EOF || fputc('\n', fp) == EOF)
        return fy_error_set(err, FY_EIO, "writing the output failed");
    return FY_OK;
}

/* ------------------------------------------------------------------ inn action */

#define ACTION "inn action"

#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct
{
    long order, digits, limit;
    fy_opt_arith_t arith;
    const char *at, *out;
    int gamma, neg, per_layer, check, norm;
    double tol, threshold;
} action_args_t;

/* --order K|all */
static int set_order_all(void *opts, const char *v, char *msg, size_t size)
{
    static const fy_opt_t order = {.name = "order", .kind = FY_OPT_INT, .lo = 0,
                                   .hi = MAX_ORDER, .off = offsetof(action_args_t, order)};
    if (!strcmp(v, "all"))
    {
        ((action_args_t *) opts)->order = FY_INN_ALL_ORDERS;
        return 0;
    }
    if (fy_opt_value(opts, &order, v, msg, size) == 0)
        return 0;
    snprintf(msg, size, "--order: expected an integer in 0..%d or all, got '%s'", MAX_ORDER, v);
    return 2;
}

static const char *const conventions[] = {"A", "gamma", "Gamma", NULL};
static const int convention_alias[] = {0, 1, 1};
static const char *const signs[] = {"+", "-", NULL};

#define A(f) offsetof(action_args_t, f)
static const fy_opt_t action_opts[] = {
    {.name = "order", .kind = FY_OPT_CALL, .arg = "K|all", .call = set_order_all,
     .help = "truncation order K (0.." STR(MAX_ORDER) "; exact for every printed order: no "
             "layer lowers the order about the image of x0), or all: the whole polynomial, "
             "degree 2^(1 + couplings) (refused with elementwise layers, whose action is a "
             "series)"},
    {.name = "arith", .kind = FY_OPT_ARITH, .off = A(arith), .def = "exact",
     .help = "exact (FLINT rationals: binary weights are dyadic rationals), ball[:BITS] (Arb "
             "enclosures, default 128 bits) or double"},
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = A(digits), .lo = 1, .hi = 100000,
     .help = "ball: raise the precision (fy_ball_refine) until every coefficient has D "
             "certified digits and print only certified digits; double: digits printed "
             "(default 17)"},
    {.name = "at", .kind = FY_OPT_STRING, .arg = "X", .off = A(at), .def = "the origin",
     .help = "expansion point x0: a file of d numbers or a list \"0,1/2,0.25\" (read exactly); "
             "the polynomial is then in y = x - x0"},
    {.name = "convention", .kind = FY_OPT_CHOICE, .arg = "C", .off = A(gamma),
     .choices = conventions, .alias = convention_alias, .def = "A",
     .help = "A (S = sum_k A^(k)[y^k]) or gamma (Gamma^(k) = k! A^(k)): the tensor entries of "
             "json and npy; the polynomial's coefficients are the same"},
    {.name = "sign", .kind = FY_OPT_CHOICE, .arg = "S", .off = A(neg), .choices = signs,
     .def = "+", .help = "+ (S = ln p) or - (S = -ln p)"},
    {.name = "per-layer", .kind = FY_OPT_FLAG, .off = A(per_layer),
     .help = "also the action after every layer, from the latent Gaussian (layer L) back to the "
             "data (layer 0), each in the coordinates u of that layer's input"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = A(check),
     .help = "recompute by the independent route (Taylor-mode AD of ln p_z(f(x)) + "
             "ln|det J_f(x)|, jet module: whole tensors when small, contractions along random "
             "directions otherwise) and compare entry by entry (exact: equality; balls: overlap "
             "and containment; double: within --tol); with --format json the object has agrees "
             "and max_rel_diff; exit 1 on any disagreement"},
    {.name = "tol", .kind = FY_OPT_REAL, .arg = "T", .off = A(tol), .rlo = 0,
     .flags = FY_OPT_OPEN_LO | FY_OPT_NO_HI, .def = "1e-09",
     .help = "double --check: relative tolerance"},
    {.name = "normalizable", .kind = FY_OPT_FLAG, .off = A(norm),
     .help = "decide whether exp(S) of the printed (truncated) action is normalizable: its top "
             "even form certified negative definite (Cholesky in balls) or refuted by a "
             "direction; the normalizing term -eps sum_i x_i^(2n) with 2n above the order is "
             "offered"},
    {.name = "threshold", .kind = FY_OPT_REAL, .arg = "T", .off = A(threshold), .rlo = 0,
     .flags = FY_OPT_NO_HI, .def = "0: only zeros",
     .help = "leave out monomials with |coefficient| < T"},
    {.name = "limit", .kind = FY_OPT_INT, .arg = "N", .off = A(limit), .lo = 1,
     .hi = 1000000000L, .def = "all", .help = "at most N monomials per polynomial"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "write to FILE (atomically; a directory for npy) instead of standard output"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_action = {
    .name = ACTION,
    .usage = "MODEL --order K|all [options]",
    .intro = "The action S(x) = ln p(x) = ln p_z(f(x)) + ln|det df/dx| of an invertible network\n"
             "as a polynomial, from the weights: the latent Gaussian pulled back layer by layer\n"
             "(doc/math.md 3).  Coefficients A^(k) of S = sum_k A^(k)[x..x] (no 1/k!), largest\n"
             "monomial first; the constant ln(r) - (d/2) ln(2 pi) is printed apart.",
    .epilog = "A request that would not fit in memory is refused before any work, with what\n"
              "would (a lower order, double instead of balls).\n"
              "\n"
              "Exit status: 0 success, 1 a --check disagreement, 2 bad usage or input.\n",
    .opts = action_opts,
    .nopts = FY_OPT_N(action_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_NPY) |
               (1u << FY_FMT_LATEX),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/inn-action.schema.json: exact rationals as strings, "
                   "balls as {\"mid\", \"rad\", \"certified\"}, doubles as numbers), npy (-o "
                   "DIR gets A0.npy .. AK.npy, or Gamma0.npy .., float64 dense tensors of shape "
                   "(d,)*k, and metadata.json) or latex (an align* environment of the polynomial "
                   "for a paper)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* Balls with certified digits: fy_ball_refine reruns the action at rising precision; the last
 * run's result is kept. */
typedef struct
{
    const fy_inn_struct *net;
    fy_inn_opts_struct *o;
    fy_inn_result_struct *R;
} refine_t;

static slong result_len(const fy_inn_result_t R)
{
    slong n = 0;
    int k;
    for (k = 0; k <= R->S->K; k++)
        n += R->S->A[k].e.len;
    return n;
}

static int refine_eval(arb_ptr out, slong nout, slong prec, void *data, fy_error_t err)
{
    refine_t *r = data;
    fy_inn_result_t R;
    slong i, n = 0;
    int k, status;
    fy_inn_result_init(R);
    r->o->prec = prec;
    status = fy_inn_action(R, r->net, r->o, err);
    if (status == FY_OK && result_len(R) != nout)
        status = fy_error_set(err, FY_EINTERNAL, "inn: %ld coefficients, %ld expected",
                              (long) result_len(R), (long) nout);
    for (k = 0; status == FY_OK && k <= R->S->K; k++)
        for (i = 0; i < R->S->A[k].e.len; i++)
            arb_set(out + n++, fy_numvec_arb(&R->S->A[k].e) + i);
    if (status == FY_OK)
    {
        fy_inn_result_clear(r->R);
        *r->R = *R;
    }
    else
        fy_inn_result_clear(R);
    return status;
}

typedef struct
{
    const fy_inn_report_struct *rep;
    const fy_inn_print_opts_struct *po;
    int latex;
} action_out_t;

static int put_action(FILE *fp, void *data, fy_error_t err)
{
    action_out_t *a = data;
    if (a->latex)
        return fy_inn_action_latex(fp, a->rep->R->S, a->po, err);
    return fy_inn_report_print(fp, a->rep, a->po, err);
}

/* The action, with every coefficient to `digits` certified digits by rising precision when
 * balls and --digits are asked for (*rel_bits: the relative bits reached, else 0). */
static int action_compute(fy_inn_result_t R, slong *rel_bits, const fy_inn_t net,
                          fy_inn_opts_t o, slong digits, fy_error_t err)
{
    refine_t rd;
    arb_ptr tmp;
    slong n, want = (slong) ceil(digits * 3.3219280948873622) + 4, prec = o->prec, prec_used;
    int status = fy_inn_action(R, net, o, err);
    if (status != FY_OK || o->arith != FY_ARITH_BALL || digits <= 0)
        return status;
    prec_used = prec;
    n = result_len(R);
    rd.net = net;
    rd.o = o;
    rd.R = R;
    tmp = _arb_vec_init(n);
    status = fy_ball_refine(tmp, n, refine_eval, &rd, prec, prec > 1 << 16 ? prec : 1 << 16,
                            want, &prec_used, rel_bits, err);
    if (status == FY_ECHECK)
    {
        fprintf(stderr, "feynn %s: warning: %s; printing the digits certified\n", ACTION,
                err->msg);
        fy_error_clear(err);
        status = FY_OK;
    }
    _arb_vec_clear(tmp, n);
    if (*rel_bits <= 0)
        *rel_bits = 1;
    return status;
}

/* After the action: the check against the Taylor-mode AD (*rc = 1 when it disagrees), the
 * normalisability, then sign and convention on the result and every layer action. */
static int action_finish(fy_inn_check_t C, fy_inn_report_t rep, int *rc, fy_inn_result_t R,
                         const fy_inn_t net, const action_args_t *args, fy_error_t err)
{
    int status = FY_OK, l;
    if (args->check)
    {
        status = fy_inn_action_check(C, R->S, net, 0, 0, args->tol, DEFAULT_SEED, err);
        if (status == FY_ECHECK)
        {
            fprintf(stderr, "feynn %s: check: %s\n", ACTION, err->msg);
            fy_error_clear(err);
            status = FY_OK;
            *rc = 1;
        }
        else if (status == FY_OK && !C->agrees)
            *rc = 1;
    }
    if (status == FY_OK && args->norm)
    {
        status = fy_inn_action_normalizable(&rep->norm, NULL, &rep->eps, R->S, err);
        rep->have_norm = status == FY_OK;
    }
    for (l = -1; status == FY_OK && l <= (R->layer ? R->nlayers : -1); l++)
    {
        fy_inn_action_struct *S = l < 0 ? R->S : R->layer + l;
        if (args->neg)
            status = fy_inn_action_neg(S, err);
        if (status == FY_OK && args->gamma)
            status = fy_inn_action_to_gamma(S, err);
    }
    return status;
}

/* The report in the format asked for: npy tensors in a folder, JSON, text or LaTeX. */
static int action_print(const fy_inn_report_t rep, const fy_inn_print_opts_t po,
                        const fy_inn_check_t C, int fmt, const action_args_t *args,
                        fy_error_t err)
{
    const char *out = args->out;
    int status;
    if (fmt == FY_FMT_NPY)
    {
        if (args->arith.arith != FY_ARITH_DOUBLE)
            fprintf(stderr, "feynn %s: note: npy holds float64; %s\n", ACTION,
                    args->arith.arith == FY_ARITH_EXACT
                        ? "the exact rationals are written as their nearest doubles"
                        : "the balls are written as their midpoints");
        status = fy_inn_action_write_npy(out, rep->R->S, po, err);
        if (status == FY_OK && args->check)
            fprintf(stdout, "check: %s (max relative difference %.3g)\n",
                    C->agrees ? "agrees" : "DISAGREES", C->max_rel_diff);
    }
    else if (fmt == FY_FMT_JSON)
    {
        char *json = NULL;
        status = fy_inn_report_json(&json, rep, po, err);
        if (status == FY_OK)
            status = write_text(out, put_string, json, err);
        free(json);
    }
    else
    {
        action_out_t a;
        a.rep = rep;
        a.po = po;
        a.latex = fmt == FY_FMT_LATEX;
        status = write_text(out, put_action, &a, err);
        if (status == FY_OK && a.latex && args->check)
            fprintf(stderr, "feynn %s: check: %s (max relative difference %.3g)\n", ACTION,
                    C->agrees ? "agrees" : "DISAGREES", C->max_rel_diff);
    }
    /* the data went to a file: the check's verdict is said here too (issue 10 item 18) */
    if (status == FY_OK && args->check && fmt != FY_FMT_NPY && fmt != FY_FMT_LATEX && out &&
        strcmp(out, "-") != 0)
        printf("check: %s (max relative difference %.3g)\n", C->agrees ? "agrees" : "DISAGREES",
               C->max_rel_diff);
    return status;
}

static int inn_action(int argc, char **argv)
{
    const char *model;
    int fmt, rc, status;
    double bytes, ops;
    slong rel_bits = 0;
    fmpq *x0 = NULL;
    action_args_t args = {.order = -2, .digits = -1, .arith = {FY_ARITH_EXACT, 128},
                          .tol = DEFAULT_TOL};
    fy_opt_state_t st;
    fy_error_t err;
    fy_inn_t net;
    fy_inn_opts_t o;
    fy_inn_result_t R;
    fy_inn_check_t C;
    fy_inn_report_t rep;
    fy_inn_print_opts_t po;

    fy_error_init(err);
    if ((rc = fy_opt_start(st, &args, &fy_opt_inn_action, argc, argv)) >= 0)
        return rc;
    rc = 0;
    model = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    fy_opt_state_clear(st);
    if (model == NULL || args.order == -2)
        return fy_cli_usage_error(ACTION, "a MODEL and --order K (or --order all) are required");
    if (args.digits > 0 && args.arith.arith == FY_ARITH_EXACT)
        return fy_cli_usage_error(ACTION, "--digits applies to ball and double results (exact "
                                  "results are printed in full)");
    if (fmt == FY_FMT_NPY && args.out == NULL)
        return fy_cli_usage_error(ACTION, "--format npy needs -o DIR");
    if (fmt == FY_FMT_NPY && args.per_layer)
        return fy_cli_usage_error(ACTION, "--per-layer is not available with --format npy");

    fy_inn_init(net);
    fy_inn_opts_init(o);
    fy_inn_result_init(R);
    fy_inn_report_init(rep);
    fy_inn_print_opts_init(po);
    memset(C, 0, sizeof *C);
    status = fy_inn_load(net, model, err);
    if (status == FY_OK && args.at != NULL)
        status = read_point(&x0, args.at, net->d, err);
    if (status == FY_OK && args.order == FY_INN_ALL_ORDERS && fy_inn_action_degree(net) < 0)
        status = fy_error_set(err, FY_EUSAGE, "--order all: %s has elementwise layers, so its "
                              "action is an infinite series; give a truncation order --order K",
                              model);
    o->arith = args.arith.arith;
    o->prec = args.arith.prec;
    o->order = (int) args.order;
    o->x0 = x0;
    o->keep_layers = args.per_layer;
    if (status == FY_OK)
        status = fy_inn_action_cost(&bytes, &ops, net, o, 0, err);
    if (status == FY_OK)
        status = action_compute(R, &rel_bits, net, o, args.digits, err);
    if (status == FY_OK)
        status = action_finish(C, rep, &rc, R, net, &args, err);
    if (status == FY_OK)
    {
        po->digits = args.digits;
        po->threshold = args.threshold;
        po->limit = args.limit;
        rep->model = model;
        rep->net = net;
        rep->R = R;
        rep->per_layer = args.per_layer;
        rep->check = args.check ? C : NULL;
        rep->rel_bits = rel_bits;
        status = action_print(rep, po, C, fmt, &args, err);
    }
    if (status != FY_OK)
        rc = fy_cli_fail(ACTION, err);
    if (x0 != NULL)
        _fmpq_vec_clear(x0, net->d);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
    return rc;
}

/* ------------------------------------------------------------------ inn diagrams */

#define DIAGRAMS "inn diagrams"

typedef struct
{
    long layer, order, limit, digits;
    int all;
    fy_opt_arith_t arith;
    const char *at, *out;
    double threshold;
} diagrams_args_t;

#define A(f) offsetof(diagrams_args_t, f)
static const fy_opt_t diagrams_opts[] = {
    {.name = "layer", .kind = FY_OPT_INT, .arg = "L", .off = A(layer), .lo = 0, .hi = 1000000,
     .help = "the layer, 0..(layers - 1)"},
    {.name = "order", .kind = FY_OPT_INT, .arg = "M", .off = A(order), .lo = 0, .hi = MAX_ORDER,
     .help = "the order of the coefficient (0.." STR(MAX_ORDER) ")"},
    {.name = "all-orders", .kind = FY_OPT_FLAG, .off = A(all),
     .help = "the terms of every order 0..M"},
    {.name = "arith", .kind = FY_OPT_ARITH, .off = A(arith), .def = "exact",
     .help = "exact, ball[:BITS] or double"},
    {.name = "at", .kind = FY_OPT_STRING, .arg = "X", .off = A(at), .def = "0",
     .help = "expansion point x0 (a file or a list \"0,1/2\")"},
    {.name = "threshold", .kind = FY_OPT_REAL, .arg = "T", .off = A(threshold), .rlo = 0,
     .flags = FY_OPT_NO_HI, .help = "leave out monomials with |coefficient| < T"},
    {.name = "limit", .kind = FY_OPT_INT, .arg = "N", .off = A(limit), .lo = 0,
     .hi = 1000000000L, .def = "8; 0: all", .help = "at most N monomials per term"},
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = A(digits), .lo = 1, .hi = 100000,
     .help = "ball: digits printed (at most the certified ones)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "write to FILE (a directory for dot and tikz)"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_diagrams = {
    .name = DIAGRAMS,
    .usage = "MODEL --layer L --order M [options]",
    .intro = "The diagrams of the pull-back through layer L (0-based; layer 0 acts on the data):\n"
             "the order-M coefficient of the action S_L on the layer's input as a sum of terms,\n"
             "the linear pass (every leg through W, J or D), the splits of n legs of A^(M-n) by\n"
             "the quadratic part (C(M-n, n) Sym[A^(M-n) g^n], doc/math.md 3.3) and the log-det\n"
             "vertices of an elementwise layer, each with its value, largest first, and the\n"
             "diagram of `feynn diagrams inn` that draws it.  A cubic layer splits a leg in two\n"
             "(q = 3 gamma u0 / D) or in three (r = gamma / D): n legs in two and n3 in three,\n"
             "weight k! / ((k - n - n3)! n! n3!), beside its log-det vertices.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = diagrams_opts,
    .nopts = FY_OPT_N(diagrams_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_DOT) |
               (1u << FY_FMT_TIKZ),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/inn-diagrams.schema.json), dot or tikz (the drawings "
                   "of the terms' diagrams, one after another, or one file per term in the "
                   "directory -o DIR)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

typedef struct
{
    const fy_inn_terms_struct *D;
    const fy_inn_struct *net;
    const fy_inn_result_struct *R;
    int order;
    const fy_inn_print_opts_struct *po;
} terms_out_t;

static int put_terms(FILE *fp, void *data, fy_error_t err)
{
    terms_out_t *t = data;
    return fy_inn_terms_print(fp, t->D, t->net, t->R, t->order, t->po, err);
}

/* The drawings of the terms' diagrams: to one stream, or one file per term in dir. */
static int draw_terms(const char *dir, int fmt, const fy_inn_terms_t D, const fy_inn_t net,
                      fy_error_t err)
{
    fy_draw_options_t dopt;
    fy_ofile_t of;
    slong i;
    int status = FY_OK, nd = 0;
    FILE *fp = NULL;
    fy_draw_options_init(dopt);
    if (dir == NULL || !strcmp(dir, "-"))
    {
        status = fy_ofile_open(of, "-", err);
        fp = status == FY_OK ? of->fp : NULL;
        if (fp && fmt == FY_FMT_TIKZ)
            fputs(fy_draw_tikz_preamble(), fp);
    }
    else
        status = fy_mkdir_p(dir, err);
    for (i = 0; i < D->len && status == FY_OK; i++)
    {
        const fy_inn_term_struct *t = D->t + i;
        fy_diagram_t dg;
        char *text = NULL, name[64];
        int has;
        fy_diagram_init(dg, &fy_family_inn);
        has = fy_inn_term_diagram(dg, t, net->layers[D->layer].kind, err);
        if (has < 0)
            status = -has;
        snprintf(name, sizeof name, "layer%d_order%d_%s%d", D->layer, t->order,
                 t->kind == FY_INN_TERM_PASS ? "pass" : t->kind == FY_INN_TERM_SPLIT ? "split"
                                                                                 : "logdet",
                 t->n);
        if (t->n3 > 0) /* a cubic layer's three-way splits */
            snprintf(name + strlen(name), sizeof name - strlen(name), "_three%d", t->n3);
        dopt->name = name;
        if (status == FY_OK && has > 0)
            status = fmt == FY_FMT_DOT ? fy_draw_dot(&text, dg, dopt, err)
                                       : fy_draw_tikz(&text, dg, dopt, err);
        if (status == FY_OK && text != NULL)
        {
            nd++;
            if (fp)
                fprintf(fp, "%s %s\n%s\n", fmt == FY_FMT_DOT ? "//" : "%", name, text);
            else
            {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s.%s", dir, name,
                         fmt == FY_FMT_DOT ? "dot" : "tex");
                status = fy_file_write_atomic(path, text, strlen(text), err);
            }
        }
        free(text);
        fy_diagram_clear(dg);
    }
    if (fp)
    {
        if (fmt == FY_FMT_TIKZ)
            fputs(fy_draw_document_end(), fp);
        if (status == FY_OK)
            status = fy_ofile_commit(of, err);
        else
            fy_ofile_abort(of);
    }
    if (status == FY_OK && nd == 0)
        fprintf(stderr, "feynn %s: no term of this layer and order has a diagram to draw\n",
                DIAGRAMS);
    return status;
}

static int inn_diagrams(int argc, char **argv)
{
    const char *model, *at, *out;
    int fmt, layer, order, all, rc = 0, status;
    slong prec, limit, digits, i;
    double threshold;
    fy_arith_t arith;
    fmpq *x0 = NULL;
    char *json = NULL;
    diagrams_args_t a = {.layer = -1, .order = -1, .limit = 8, .digits = -1,
                         .arith = {FY_ARITH_EXACT, 128}};
    fy_opt_state_t st;
    fy_error_t err;
    fy_inn_t net;
    fy_inn_opts_t o;
    fy_inn_result_t R;
    fy_inn_terms_t D;
    fy_inn_terms_struct sel;
    fy_inn_print_opts_t po;

    fy_error_init(err);
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_diagrams, argc, argv)) >= 0)
        return rc;
    rc = 0;
    model = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    fy_opt_state_clear(st);
    layer = (int) a.layer;
    order = (int) a.order;
    all = a.all;
    arith = a.arith.arith;
    prec = a.arith.prec;
    at = a.at;
    threshold = a.threshold;
    limit = a.limit;
    digits = a.digits;
    out = a.out;
    if (model == NULL || layer < 0 || order < 0)
        return fy_cli_usage_error(DIAGRAMS, "a MODEL, --layer L and --order M are required");

    fy_inn_init(net);
    fy_inn_opts_init(o);
    fy_inn_result_init(R);
    fy_inn_terms_init(D);
    fy_inn_print_opts_init(po);
    status = fy_inn_load(net, model, err);
    if (status == FY_OK && layer >= net->nlayers)
        status = fy_error_set(err, FY_EUSAGE, "--layer %d: %s has layers 0..%d", layer, model,
                              net->nlayers - 1);
    if (status == FY_OK && at != NULL)
        status = read_point(&x0, at, net->d, err);
    o->arith = arith;
    o->prec = prec;
    o->order = order;
    o->x0 = x0;
    o->keep_layers = 1;
    if (status == FY_OK)
    {
        double bytes, ops;
        status = fy_inn_action_cost(&bytes, &ops, net, o, 0, err);
    }
    if (status == FY_OK)
        status = fy_inn_action(R, net, o, err);
    if (status == FY_OK)
        status = fy_inn_layer_terms(D, R, net, layer, o, err);
    if (status != FY_OK)
    {
        rc = fy_cli_fail(DIAGRAMS, err);
        goto done;
    }
    /* the terms of order M (or of every order with --all-orders): a view, not a copy */
    sel = *D;
    sel.t = calloc((size_t) D->len + 1, sizeof *sel.t);
    sel.len = 0;
    if (sel.t == NULL)
    {
        fy_error_set(err, FY_ENOMEM, "out of memory");
        rc = fy_cli_fail(DIAGRAMS, err);
        goto done;
    }
    for (i = 0; i < D->len; i++)
        if (all || D->t[i].order == order)
            sel.t[sel.len++] = D->t[i];
    po->digits = digits;
    po->threshold = threshold;
    po->limit = limit;
    if (fmt == FY_FMT_JSON)
    {
        status = fy_inn_terms_json(&json, &sel, net, model, R, all ? -1 : order, po, err);
        if (status == FY_OK)
            status = write_text(out, put_string, json, err);
    }
    else if (fmt == FY_FMT_DOT || fmt == FY_FMT_TIKZ)
        status = draw_terms(out, fmt, &sel, net, err);
    else
    {
        terms_out_t t;
        t.D = &sel;
        t.net = net;
        t.R = R;
        t.order = all ? -1 : order;
        t.po = po;
        status = write_text(out, put_terms, &t, err);
    }
    free(sel.t);
    if (status != FY_OK)
        rc = fy_cli_fail(DIAGRAMS, err);
done:
    free(json);
    if (x0 != NULL)
        _fmpq_vec_clear(x0, net->d);
    fy_inn_terms_clear(D);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
    return rc;
}

/* ------------------------------------------------------------------ inn info */

#define INFO "inn info"

typedef struct
{
    const char *out;
} info_args_t;

static const fy_opt_t info_opts[] = {
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE",
     .off = offsetof(info_args_t, out),
     .help = "write to FILE (atomically) instead of standard output"},
};

const fy_opt_cmd_t fy_opt_inn_info = {
    .name = INFO,
    .usage = "MODEL [options]",
    .intro = "Describes an invertible network: dimension, parameters, layers with their kinds,\n"
             "names, coupling splits, exact |det W| and log-dets, condition numbers, the radius\n"
             "of an elementwise layer's log-det series, and the degree of the action after each\n"
             "layer (2^(1 + couplings) for the whole network without elementwise layers).",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = info_opts,
    .nopts = FY_OPT_N(info_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/inn-info.schema.json)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

static int put_info(FILE *fp, void *data, fy_error_t err)
{
    return fy_inn_info_print(fp, (const fy_inn_struct *) data, err);
}

static int inn_info(int argc, char **argv)
{
    const char *model, *out;
    int fmt, rc, status;
    char *json = NULL;
    fy_error_t err;
    fy_inn_t net;
    info_args_t a = {NULL};
    fy_opt_state_t st;

    fy_error_init(err);
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_info, argc, argv)) >= 0)
        return rc;
    rc = 0;
    model = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    out = a.out;
    fy_opt_state_clear(st);
    if (model == NULL)
        return fy_cli_usage_error(INFO, "a MODEL is required");
    fy_inn_init(net);
    status = fy_inn_load(net, model, err);
    if (status == FY_OK && fmt == FY_FMT_JSON)
    {
        status = fy_inn_info_json(&json, net, err);
        if (status == FY_OK)
            status = write_text(out, put_string, json, err);
    }
    else if (status == FY_OK)
        status = write_text(out, put_info, net, err);
    if (status != FY_OK)
        rc = fy_cli_fail(INFO, err);
    free(json);
    fy_inn_clear(net);
    return rc;
}
