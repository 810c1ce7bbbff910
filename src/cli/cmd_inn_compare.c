/* feynn inn compare: a trained invertible network against the lattice theory it learnt
 * (inn.h, "learned against true").
 *
 *   feynn inn compare MODEL THEORY [--samples DATA] [--test DATA] [--truth DATA] [--order K]
 *                     [--model-samples N] [--is-samples N] [--seed S] [--format text|json]
 *                     [-o FILE]
 *
 * The library does the work (fy_inn_samples_load, fy_inn_compare, fy_inn_compare_print /
 * _json); this file parses options and writes.  JSON: doc/schema/inn-compare.schema.json. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/inn.h"
#include "feynn/io.h"
#include "feynn/sample.h"
#include "feynn/util.h"

#define CMD "inn compare"

typedef struct
{
    const char *data_path, *test_path, *truth_path, *out;
    long order, model_samples, is_samples, seed;
} compare_args_t;

#define A(f) offsetof(compare_args_t, f)
static const fy_opt_t compare_opts[] = {
    {.name = "samples", .kind = FY_OPT_PATH, .arg = "DATA", .off = A(data_path),
     .help = "the training data (safetensors 'samples' [chains, draws, sites] as 'feynn inn "
             "sample -o' writes, or .npy [n, d]); without it only tensors and couplings are "
             "compared"},
    {.name = "test", .kind = FY_OPT_PATH, .arg = "DATA", .off = A(test_path),
     .def = "the --samples data", .help = "test samples for the KL"},
    {.name = "truth", .kind = FY_OPT_PATH, .arg = "DATA", .off = A(truth_path),
     .def = "quadrature for one site, else the data",
     .help = "a long independent run for the true cumulants"},
    {.name = "order", .kind = FY_OPT_INT, .arg = "K", .off = A(order), .lo = 2, .hi = 8,
     .def = "4", .help = "compare orders 1..K, 2 <= K <= 8"},
    {.name = "model-samples", .kind = FY_OPT_INT, .arg = "N", .off = A(model_samples),
     .lo = 10, .hi = 100000000, .def = "10 x data, 1e5..1e6", .help = "draws from the network"},
    {.name = "is-samples", .kind = FY_OPT_INT, .arg = "N", .off = A(is_samples), .lo = 2,
     .hi = 1000000000, .def = "200000", .help = "importance-sampling draws for ln Z"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = INT64_MAX,
     .def = "1", .help = "seed of the draws"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "write the report to FILE instead of standard output"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_compare = {
    .name = CMD,
    .usage = "MODEL THEORY [options]",
    .intro =
        "Compares an invertible network (doc/inn-format.md) with the lattice theory\n"
        "(doc/theory-format.md) whose samples it was trained on: the derivative tensors\n"
        "Gamma^(k) = d^k S(0) of S = ln p order by order (relative Frobenius errors, the\n"
        "norm of entries that should be zero), the couplings m2, hopping, g3, lam read\n"
        "off both, the likelihood gap KL = NLL_model - NLL_true on test samples (ln Z of\n"
        "the theory by importance sampling, or quadrature for one site), the cumulants\n"
        "kappa_1..kappa_4 (site and nearest neighbour) of draws from the network (exact\n"
        "inversion of its layers) against the data and the truth in units of the data's\n"
        "standard error, the tree-level cumulants of the learned action, and whether the\n"
        "learned action truncated at the order is normalisable.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = compare_opts,
    .nopts = FY_OPT_N(compare_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/inn-compare.schema.json)",
    .common = FY_OPT_QUIET,
    .max_operands = 2,
};

int fy_inn_compare_cmd(int argc, char **argv)
{
    const char *model, *theory, *data_path, *test_path, *truth_path, *out;
    double *data = NULL, *test = NULL, *truth = NULL;
    slong c1 = 0, n1 = 0, c2 = 0, n2 = 0, c3 = 0, n3 = 0;
    int fmt, status = FY_OK, rc = 0, dd;
    fy_inn_compare_opts_t o;
    fy_inn_compare_t C;
    fy_inn_t net;
    fy_ltheory_t T;
    fy_error_t err;
    compare_args_t a = {NULL};
    fy_opt_state_t st;

    fy_error_init(err);
    fy_inn_compare_opts_init(o);
    a.order = o->order;
    a.model_samples = o->model_samples;
    a.is_samples = o->is_samples;
    a.seed = (long) o->seed;
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_compare, argc, argv)) >= 0)
        return rc;
    rc = 0;
    model = st->noperands > 0 ? st->operands[0] : NULL;
    theory = st->noperands > 1 ? st->operands[1] : NULL;
    fmt = st->format;
    fy_opt_state_clear(st);
    data_path = a.data_path;
    test_path = a.test_path;
    truth_path = a.truth_path;
    out = a.out;
    o->order = (int) a.order;
    o->model_samples = a.model_samples;
    o->is_samples = a.is_samples;
    o->seed = (uint64_t) a.seed;
    if (model == NULL || theory == NULL)
        return fy_cli_usage_error(CMD, "a MODEL and a THEORY file are required");
    if (test_path != NULL && data_path == NULL)
        return fy_cli_usage_error(CMD, "--test needs --samples (the data the cumulants are "
                                  "measured against)");

    fy_inn_init(net);
    fy_ltheory_init(T);
    fy_inn_compare_init(C);
    status = fy_inn_load(net, model, err);
    if (status == FY_OK)
        status = fy_ltheory_load(T, theory, err);
    if (status == FY_OK && T->nsites != net->d)
        status = fy_error_set(err, FY_EINPUT, "%s has dimension %d but %s has %d sites", model,
                              net->d, theory, T->nsites);
    if (status == FY_OK && data_path != NULL)
        status = fy_inn_samples_load(&data, &c1, &n1, &dd, data_path, net->d, err);
    if (status == FY_OK && test_path != NULL)
        status = fy_inn_samples_load(&test, &c2, &n2, &dd, test_path, net->d, err);
    if (status == FY_OK && truth_path != NULL)
        status = fy_inn_samples_load(&truth, &c3, &n3, &dd, truth_path, net->d, err);
    if (status == FY_OK)
    {
        o->data = data;
        o->data_chains = c1;
        o->data_n = n1;
        o->test = test;
        o->test_n = c2 * n2;
        o->truth = truth;
        o->truth_chains = c3;
        o->truth_n = n3;
        status = fy_inn_compare(C, net, T, o, err);
    }
    if (status == FY_OK)
    {
        fy_ofile_t of;
        char *s = NULL;
        if (fmt == FY_FMT_JSON)
            status = fy_inn_compare_json(&s, C, model, theory, err);
        if (status == FY_OK)
            status = fy_ofile_open(of, out != NULL ? out : "-", err);
        if (status == FY_OK)
        {
            if (s != NULL)
                fprintf(of->fp, "%s\n", s);
            else
                status = fy_inn_compare_print(of->fp, C, model, theory, err);
            if (status == FY_OK)
                status = fy_ofile_commit(of, err);
            else
                fy_ofile_abort(of);
        }
        free(s);
    }
    if (status != FY_OK)
        rc = fy_cli_fail(CMD, err);
    free(data);
    free(test);
    free(truth);
    fy_inn_compare_clear(C);
    fy_ltheory_clear(T);
    fy_inn_clear(net);
    return rc;
}
