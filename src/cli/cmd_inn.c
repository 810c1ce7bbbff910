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
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
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
static const size_t n_inn_commands = sizeof inn_commands / sizeof inn_commands[0];

static void usage(FILE *fp)
{
    size_t i;
    fprintf(fp,
            "Usage: feynn inn COMMAND MODEL [options]\n"
            "\n"
            "Actions of invertible networks (doc/math.md 3): the data-space action S = ln p(x)\n"
            "of a network mapping data to a standard normal latent, computed from the weights\n"
            "by pulling the latent Gaussian back through the layers (affine, quadratic\n"
            "coupling, elementwise quadratic).  Model files: doc/inn-format.md.\n"
            "\n"
            "Commands:\n");
    for (i = 0; i < n_inn_commands; i++)
        fprintf(fp, "  %-9s %s\n", inn_commands[i].name, inn_commands[i].summary);
    fprintf(fp, "\nRun 'feynn inn COMMAND --help' for its options.\n");
}

int fy_cmd_inn(int argc, char **argv)
{
    size_t i;
    if (argc < 2)
    {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    {
        usage(stdout);
        return 0;
    }
    for (i = 0; i < n_inn_commands; i++)
        if (strcmp(argv[1], inn_commands[i].name) == 0)
            return inn_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "feynn inn: unknown command '%s'\nTry 'feynn inn --help'.\n", argv[1]);
    return 2;
}

/* ------------------------------------------------------------------ shared helpers */

static int parse_long(long *v, const char *cmd, const char *s, const char *name, long lo,
                      long hi)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (end == s || *end || x < lo || x > hi)
    {
        fy_cli_usage_error(cmd, "%s needs an integer in %ld..%ld, not '%s'", name, lo, hi, s);
        return -1;
    }
    *v = x;
    return 0;
}

static int parse_arith(fy_arith_t *arith, slong *prec, const char *cmd, const char *s)
{
    char *end;
    if (!strcmp(s, "double"))
        *arith = FY_ARITH_DOUBLE;
    else if (!strcmp(s, "exact"))
        *arith = FY_ARITH_EXACT;
    else if (!strncmp(s, "ball", 4) && (s[4] == '\0' || s[4] == ':'))
    {
        *arith = FY_ARITH_BALL;
        if (s[4] == ':')
        {
            *prec = strtol(s + 5, &end, 10);
            if (*end || end == s + 5)
                *prec = -1;
        }
        if (*prec < 16 || *prec > 1000000)
        {
            fy_cli_usage_error(cmd, "ball precision '%s' outside 16..1000000", s);
            return -1;
        }
    }
    else
    {
        fy_cli_usage_error(cmd, "--arith: exact, ball[:BITS] or double, not '%s'", s);
        return -1;
    }
    return 0;
}

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

static void action_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn action MODEL --order K|all [options]\n"
            "\n"
            "The action S(x) = ln p(x) = ln p_z(f(x)) + ln|det df/dx| of an invertible network\n"
            "as a polynomial, from the weights: the latent Gaussian pulled back layer by layer\n"
            "(doc/math.md 3).  Coefficients A^(k) of S = sum_k A^(k)[x..x] (no 1/k!), largest\n"
            "monomial first; the constant ln(r) - (d/2) ln(2 pi) is printed apart.\n"
            "\n"
            "  --order K|all          truncation order K (0..%d; exact for every printed order:\n"
            "                         no layer lowers the order about the image of x0), or all:\n"
            "                         the whole polynomial, degree 2^(1 + couplings) (refused\n"
            "                         with elementwise layers, whose action is a series)\n"
            "  --arith A              exact (default; FLINT rationals: binary weights are\n"
            "                         dyadic rationals), ball[:BITS] (Arb enclosures, default\n"
            "                         128 bits) or double\n"
            "  --digits D             ball: raise the precision until every coefficient has D\n"
            "                         certified digits and print those; double: digits printed\n"
            "                         (default 17)\n"
            "  --at X                 expansion point x0: a file of d numbers or a list\n"
            "                         \"0,1/2,0.25\" (read exactly); default the origin.  The\n"
            "                         polynomial is then in y = x - x0\n"
            "  --convention C         A (default: S = sum_k A^(k)[y^k]) or gamma (Gamma^(k) =\n"
            "                         k! A^(k)): the tensor entries of json and npy; the\n"
            "                         polynomial's coefficients are the same\n"
            "  --sign S               + (default: S = ln p) or - (S = -ln p)\n"
            "  --per-layer            also the action after every layer, from the latent\n"
            "                         Gaussian (layer L) back to the data (layer 0), each in the\n"
            "                         coordinates u of that layer's input\n"
            "  --check                recompute by the independent route (Taylor-mode AD of\n"
            "                         ln p_z(f(x)) + ln|det J_f(x)|, jet module) and compare\n"
            "                         entry by entry (exact: equality; balls: overlap and\n"
            "                         containment; double: within --tol); exit 1 on any\n"
            "                         disagreement\n"
            "  --tol T                double --check: relative tolerance (default %g)\n"
            "  --normalizable         decide whether exp(S) of the printed (truncated) action is\n"
            "                         normalizable (top even form negative definite, certified\n"
            "                         in balls) and give the normalizing term -eps sum x_i^(2n)\n"
            "  --threshold T          leave out monomials with |coefficient| < T (default 0:\n"
            "                         only zeros)\n"
            "  --limit N              at most N monomials per polynomial (default all)\n"
            "  --format F             text (default), json (doc/schema/inn-action.schema.json),\n"
            "                         npy (-o DIR gets A0.npy .. AK.npy, float64, dense (d,)*k,\n"
            "                         and metadata.json) or latex (an align* for a paper)\n"
            "  -o, --output FILE      write to FILE (atomically; a directory for npy) instead\n"
            "                         of standard output\n"
            "  -h, --help             this help\n"
            "\n"
            "A request that would not fit in memory is refused before any work, with what would\n"
            "(a lower order, double instead of balls).\n"
            "\n"
            "Exit status: 0 success, 1 a --check disagreement, 2 bad usage or input.\n",
            MAX_ORDER, DEFAULT_TOL);
}

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

static int inn_action(int argc, char **argv)
{
    enum
    {
        O_ORDER = 256,
        O_ARITH,
        O_DIGITS,
        O_AT,
        O_CONV,
        O_SIGN,
        O_PERLAYER,
        O_CHECK,
        O_TOL,
        O_NORM,
        O_THRESH,
        O_LIMIT,
        O_FORMAT
    };
    static const struct option longopts[] = {
        {"order", required_argument, NULL, O_ORDER},
        {"arith", required_argument, NULL, O_ARITH},
        {"digits", required_argument, NULL, O_DIGITS},
        {"at", required_argument, NULL, O_AT},
        {"convention", required_argument, NULL, O_CONV},
        {"sign", required_argument, NULL, O_SIGN},
        {"per-layer", no_argument, NULL, O_PERLAYER},
        {"check", no_argument, NULL, O_CHECK},
        {"tol", required_argument, NULL, O_TOL},
        {"normalizable", no_argument, NULL, O_NORM},
        {"threshold", required_argument, NULL, O_THRESH},
        {"limit", required_argument, NULL, O_LIMIT},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_NPY) |
                             (1u << FY_FMT_LATEX);
    const char *model = NULL, *at = NULL, *out = NULL;
    int c, fmt = FY_FMT_TEXT, order = -2, gamma = 0, neg = 0, per_layer = 0, check = 0;
    int norm = 0, rc = 0, status = FY_OK, l;
    long v;
    double tol = DEFAULT_TOL, threshold = 0, bytes, ops;
    slong prec = 128, digits = -1, limit = 0, rel_bits = 0;
    fy_arith_t arith = FY_ARITH_EXACT;
    fmpq *x0 = NULL;
    char *end, *json = NULL;
    fy_error_t err;
    fy_inn_t net;
    fy_inn_opts_t o;
    fy_inn_result_t R;
    fy_inn_check_t C;
    fy_inn_report_t rep;
    fy_inn_print_opts_t po;

    fy_error_init(err);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_ORDER:
            if (!strcmp(optarg, "all"))
                order = FY_INN_ALL_ORDERS;
            else if (parse_long(&v, ACTION, optarg, "--order", 0, MAX_ORDER))
                return 2;
            else
                order = (int) v;
            break;
        case O_ARITH:
            if (parse_arith(&arith, &prec, ACTION, optarg))
                return 2;
            break;
        case O_DIGITS:
            if (parse_long(&v, ACTION, optarg, "--digits", 1, 100000))
                return 2;
            digits = v;
            break;
        case O_AT:
            at = optarg;
            break;
        case O_CONV:
            if (!strcmp(optarg, "A"))
                gamma = 0;
            else if (!strcmp(optarg, "gamma") || !strcmp(optarg, "Gamma"))
                gamma = 1;
            else
                return fy_cli_usage_error(ACTION, "--convention: A or gamma, not '%s'", optarg);
            break;
        case O_SIGN:
            if (!strcmp(optarg, "+"))
                neg = 0;
            else if (!strcmp(optarg, "-"))
                neg = 1;
            else
                return fy_cli_usage_error(ACTION, "--sign: + (ln p) or - (-ln p), not '%s'",
                                          optarg);
            break;
        case O_PERLAYER:
            per_layer = 1;
            break;
        case O_CHECK:
            check = 1;
            break;
        case O_NORM:
            norm = 1;
            break;
        case O_TOL:
            tol = strtod(optarg, &end);
            if (*end || end == optarg || !(tol > 0))
                return fy_cli_usage_error(ACTION, "--tol: a number > 0, not '%s'", optarg);
            break;
        case O_THRESH:
            threshold = strtod(optarg, &end);
            if (*end || end == optarg || !(threshold >= 0) || !isfinite(threshold))
                return fy_cli_usage_error(ACTION, "--threshold: a number >= 0, not '%s'",
                                          optarg);
            break;
        case O_LIMIT:
            if (parse_long(&v, ACTION, optarg, "--limit", 1, 1000000000L))
                return 2;
            limit = v;
            break;
        case O_FORMAT:
            if ((fmt = fy_cli_parse_format(ACTION, optarg, formats)) < 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            action_usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(ACTION, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(ACTION, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(ACTION, "unexpected argument '%s'", argv[optind]);
    if (model == NULL || order == -2)
        return fy_cli_usage_error(ACTION, "a MODEL and --order K (or --order all) are required");
    if (digits > 0 && arith == FY_ARITH_EXACT)
        return fy_cli_usage_error(ACTION, "--digits applies to ball and double results (exact "
                                  "results are printed in full)");
    if (fmt == FY_FMT_NPY && out == NULL)
        return fy_cli_usage_error(ACTION, "--format npy needs -o DIR");
    if (fmt == FY_FMT_NPY && per_layer)
        return fy_cli_usage_error(ACTION, "--per-layer is not available with --format npy");

    fy_inn_init(net);
    fy_inn_opts_init(o);
    fy_inn_result_init(R);
    fy_inn_report_init(rep);
    fy_inn_print_opts_init(po);
    memset(C, 0, sizeof *C);
    status = fy_inn_load(net, model, err);
    if (status == FY_OK && at != NULL)
        status = read_point(&x0, at, net->d, err);
    if (status == FY_OK && order == FY_INN_ALL_ORDERS && fy_inn_action_degree(net) < 0)
        status = fy_error_set(err, FY_EUSAGE, "--order all: %s has elementwise layers, so its "
                              "action is an infinite series; give a truncation order --order K",
                              model);
    o->arith = arith;
    o->prec = prec;
    o->order = order;
    o->x0 = x0;
    o->keep_layers = per_layer;
    if (status == FY_OK)
        status = fy_inn_action_cost(&bytes, &ops, net, o, 0, err);
    if (status == FY_OK && arith == FY_ARITH_BALL && digits > 0)
    {
        /* every coefficient to `digits` certified digits: rising precision */
        refine_t rd;
        arb_ptr tmp;
        slong n, want = (slong) ceil(digits * 3.3219280948873622) + 4, prec_used = prec;
        status = fy_inn_action(R, net, o, err);
        n = status == FY_OK ? result_len(R) : 0;
        rd.net = net;
        rd.o = o;
        rd.R = R;
        tmp = _arb_vec_init(n);
        if (status == FY_OK)
            status = fy_ball_refine(tmp, n, refine_eval, &rd, prec,
                                    prec > 1 << 16 ? prec : 1 << 16, want, &prec_used,
                                    &rel_bits, err);
        if (status == FY_ECHECK)
        {
            fprintf(stderr, "feynn %s: warning: %s; printing the digits certified\n", ACTION,
                    err->msg);
            fy_error_clear(err);
            status = FY_OK;
        }
        _arb_vec_clear(tmp, n);
        if (rel_bits <= 0)
            rel_bits = 1;
    }
    else if (status == FY_OK)
        status = fy_inn_action(R, net, o, err);
    if (status == FY_OK && check)
    {
        status = fy_inn_action_check(C, R->S, net, 0, 0, tol, DEFAULT_SEED, err);
        if (status == FY_ECHECK)
        {
            fprintf(stderr, "feynn %s: check: %s\n", ACTION, err->msg);
            fy_error_clear(err);
            status = FY_OK;
            rc = 1;
        }
        else if (status == FY_OK && !C->agrees)
            rc = 1;
    }
    if (status == FY_OK && norm)
    {
        status = fy_inn_action_normalizable(&rep->norm, NULL, &rep->eps, R->S, err);
        rep->have_norm = status == FY_OK;
    }
    /* sign and convention, on the result and every layer action */
    for (l = -1; status == FY_OK && l <= (R->layer ? R->nlayers : -1); l++)
    {
        fy_inn_action_struct *S = l < 0 ? R->S : R->layer + l;
        if (neg)
            status = fy_inn_action_neg(S, err);
        if (status == FY_OK && gamma)
            status = fy_inn_action_to_gamma(S, err);
    }
    if (status != FY_OK)
    {
        rc = fy_cli_fail(ACTION, err);
        goto done;
    }
    po->digits = digits;
    po->threshold = threshold;
    po->limit = limit;
    rep->model = model;
    rep->net = net;
    rep->R = R;
    rep->per_layer = per_layer;
    rep->check = check ? C : NULL;
    rep->rel_bits = rel_bits;
    if (fmt == FY_FMT_NPY)
    {
        if (arith != FY_ARITH_DOUBLE)
            fprintf(stderr, "feynn %s: note: npy holds float64; %s\n", ACTION,
                    arith == FY_ARITH_EXACT ? "the exact rationals are written as their nearest "
                                              "doubles"
                                            : "the balls are written as their midpoints");
        status = fy_inn_action_write_npy(out, R->S, po, err);
        if (status == FY_OK && check)
            fprintf(stdout, "check: %s (max relative difference %.3g)\n",
                    C->agrees ? "agrees" : "DISAGREES", C->max_rel_diff);
    }
    else if (fmt == FY_FMT_JSON)
    {
        status = fy_inn_report_json(&json, rep, po, err);
        if (status == FY_OK)
            status = write_text(out, put_string, json, err);
    }
    else
    {
        action_out_t a;
        a.rep = rep;
        a.po = po;
        a.latex = fmt == FY_FMT_LATEX;
        status = write_text(out, put_action, &a, err);
        if (status == FY_OK && a.latex && check)
            fprintf(stderr, "feynn %s: check: %s (max relative difference %.3g)\n", ACTION,
                    C->agrees ? "agrees" : "DISAGREES", C->max_rel_diff);
    }
    if (status != FY_OK)
        rc = fy_cli_fail(ACTION, err);
done:
    free(json);
    if (x0 != NULL)
        _fmpq_vec_clear(x0, net->d);
    fy_inn_result_clear(R);
    fy_inn_clear(net);
    return rc;
}

/* ------------------------------------------------------------------ inn diagrams */

#define DIAGRAMS "inn diagrams"

static void diagrams_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn diagrams MODEL --layer L --order M [options]\n"
            "\n"
            "The diagrams of the pull-back through layer L (0-based; layer 0 acts on the data):\n"
            "the order-M coefficient of the action S_L on the layer's input as a sum of terms,\n"
            "the linear pass (every leg through W, J or D), the splits of n legs of A^(M-n) by\n"
            "the quadratic part (C(M-n, n) Sym[A^(M-n) g^n], doc/math.md 3.3) and the log-det\n"
            "vertices of an elementwise layer, each with its value, largest first, and the\n"
            "diagram of `feynn diagrams inn` that draws it.\n"
            "\n"
            "  --layer L              the layer, 0..(layers - 1)\n"
            "  --order M              the order of the coefficient (0..%d)\n"
            "  --all-orders           the terms of every order 0..M\n"
            "  --arith A              exact (default), ball[:BITS] or double\n"
            "  --at X                 expansion point x0 (a file or a list \"0,1/2\"); default 0\n"
            "  --threshold T          leave out monomials with |coefficient| < T\n"
            "  --limit N              at most N monomials per term (default 8; 0: all)\n"
            "  --digits D             ball: digits printed (at most the certified ones)\n"
            "  --format F             text (default), json\n"
            "                         (doc/schema/inn-diagrams.schema.json), dot or tikz (the\n"
            "                         drawings of the terms' diagrams, one after another, or\n"
            "                         one file per term in the directory -o DIR)\n"
            "  -o, --output FILE      write to FILE (a directory for dot and tikz)\n"
            "  -h, --help             this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input.\n",
            MAX_ORDER);
}

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
    enum
    {
        O_LAYER = 256,
        O_ORDER,
        O_ALL,
        O_ARITH,
        O_AT,
        O_THRESH,
        O_LIMIT,
        O_DIGITS,
        O_FORMAT
    };
    static const struct option longopts[] = {
        {"layer", required_argument, NULL, O_LAYER},
        {"order", required_argument, NULL, O_ORDER},
        {"all-orders", no_argument, NULL, O_ALL},
        {"arith", required_argument, NULL, O_ARITH},
        {"at", required_argument, NULL, O_AT},
        {"threshold", required_argument, NULL, O_THRESH},
        {"limit", required_argument, NULL, O_LIMIT},
        {"digits", required_argument, NULL, O_DIGITS},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_DOT) |
                             (1u << FY_FMT_TIKZ);
    const char *model = NULL, *at = NULL, *out = NULL;
    int c, fmt = FY_FMT_TEXT, layer = -1, order = -1, all = 0, rc = 0, status;
    long v;
    slong prec = 128, limit = 8, digits = -1, i;
    double threshold = 0;
    fy_arith_t arith = FY_ARITH_EXACT;
    fmpq *x0 = NULL;
    char *end, *json = NULL;
    fy_error_t err;
    fy_inn_t net;
    fy_inn_opts_t o;
    fy_inn_result_t R;
    fy_inn_terms_t D;
    fy_inn_terms_struct sel;
    fy_inn_print_opts_t po;

    fy_error_init(err);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_LAYER:
            if (parse_long(&v, DIAGRAMS, optarg, "--layer", 0, 1000000))
                return 2;
            layer = (int) v;
            break;
        case O_ORDER:
            if (parse_long(&v, DIAGRAMS, optarg, "--order", 0, MAX_ORDER))
                return 2;
            order = (int) v;
            break;
        case O_ALL:
            all = 1;
            break;
        case O_ARITH:
            if (parse_arith(&arith, &prec, DIAGRAMS, optarg))
                return 2;
            break;
        case O_AT:
            at = optarg;
            break;
        case O_THRESH:
            threshold = strtod(optarg, &end);
            if (*end || end == optarg || !(threshold >= 0) || !isfinite(threshold))
                return fy_cli_usage_error(DIAGRAMS, "--threshold: a number >= 0, not '%s'",
                                          optarg);
            break;
        case O_LIMIT:
            if (parse_long(&v, DIAGRAMS, optarg, "--limit", 0, 1000000000L))
                return 2;
            limit = v;
            break;
        case O_DIGITS:
            if (parse_long(&v, DIAGRAMS, optarg, "--digits", 1, 100000))
                return 2;
            digits = v;
            break;
        case O_FORMAT:
            if ((fmt = fy_cli_parse_format(DIAGRAMS, optarg, formats)) < 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            diagrams_usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(DIAGRAMS, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(DIAGRAMS, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(DIAGRAMS, "unexpected argument '%s'", argv[optind]);
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

static void info_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn info MODEL [options]\n"
            "\n"
            "Describes an invertible network: dimension, parameters, layers with their kinds,\n"
            "names, coupling splits, exact |det W| and log-dets, condition numbers, the radius\n"
            "of an elementwise layer's log-det series, and the degree of the action after each\n"
            "layer (2^(1 + couplings) for the whole network without elementwise layers).\n"
            "\n"
            "  --format F             text (default) or json (doc/schema/inn-info.schema.json)\n"
            "  -o, --output FILE      write to FILE (atomically) instead of standard output\n"
            "  -h, --help             this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input.\n");
}

static int put_info(FILE *fp, void *data, fy_error_t err)
{
    return fy_inn_info_print(fp, (const fy_inn_struct *) data, err);
}

static int inn_info(int argc, char **argv)
{
    enum
    {
        O_FORMAT = 256
    };
    static const struct option longopts[] = {
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON);
    const char *model = NULL, *out = NULL;
    int c, fmt = FY_FMT_TEXT, rc = 0, status;
    char *json = NULL;
    fy_error_t err;
    fy_inn_t net;

    fy_error_init(err);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_FORMAT:
            if ((fmt = fy_cli_parse_format(INFO, optarg, formats)) < 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            info_usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(INFO, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(INFO, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(INFO, "unexpected argument '%s'", argv[optind]);
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
