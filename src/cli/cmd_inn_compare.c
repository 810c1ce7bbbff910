/* feynn inn compare: a trained invertible network against the lattice theory it learnt
 * (inn.h, "learned against true").
 *
 *   feynn inn compare MODEL THEORY [--samples DATA] [--test DATA] [--truth DATA] [--order K]
 *                     [--model-samples N] [--is-samples N] [--seed S] [--format text|json]
 *                     [-o FILE]
 *
 * The library does the work (fy_inn_samples_load, fy_inn_compare, fy_inn_compare_print /
 * _json); this file parses options and writes.  JSON: doc/schema/inn-compare.schema.json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "feynn/inn.h"
#include "feynn/io.h"
#include "feynn/sample.h"
#include "feynn/util.h"

#define CMD "inn compare"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn compare MODEL THEORY [options]\n"
            "\n"
            "Compares an invertible network (doc/inn-format.md) with the lattice theory\n"
            "(doc/theory-format.md) whose samples it was trained on: the derivative tensors\n"
            "Gamma^(k) = d^k S(0) of S = ln p order by order (relative Frobenius errors, the\n"
            "norm of entries that should be zero), the couplings m2, hopping, g3, lam read\n"
            "off both, the likelihood gap KL = NLL_model - NLL_true on test samples (ln Z of\n"
            "the theory by importance sampling, or quadrature for one site), the cumulants\n"
            "kappa_1..kappa_4 (site and nearest neighbour) of draws from the network (exact\n"
            "inversion of its layers) against the data and the truth in units of the data's\n"
            "standard error, the tree-level cumulants of the learned action, and whether the\n"
            "learned action truncated at the order is normalisable.\n"
            "\n"
            "  --samples DATA       the training data (safetensors 'samples' [chains, draws,\n"
            "                       sites] as 'feynn inn sample -o' writes, or .npy [n, d]);\n"
            "                       without it only tensors and couplings are compared\n"
            "  --test DATA          test samples for the KL (default: the --samples data)\n"
            "  --truth DATA         a long independent run for the true cumulants (default:\n"
            "                       quadrature for one site, else the data)\n"
            "  --order K            compare orders 1..K, 2 <= K <= 8 (default 4)\n"
            "  --model-samples N    draws from the network (default 10 x data, 1e5..1e6)\n"
            "  --is-samples N       importance-sampling draws for ln Z (default 200000)\n"
            "  --seed S             seed of the draws (default 1)\n"
            "  --format F           text (default) or json\n"
            "  -o, --output FILE    write the report to FILE instead of standard output\n"
            "  -h, --help           this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input.\n");
}

static int parse_count(slong *v, const char *arg, slong lo, slong hi, const char *opt)
{
    char *end;
    long long x = strtoll(arg, &end, 10);
    if (end == arg || *end || x < lo || x > hi)
        return fy_cli_usage_error(CMD, "%s needs an integer in %ld..%ld, not '%s'", opt,
                                  (long) lo, (long) hi, arg);
    *v = (slong) x;
    return 0;
}

int fy_inn_compare_cmd(int argc, char **argv)
{
    enum
    {
        O_SAMPLES = 256,
        O_TEST,
        O_TRUTH,
        O_ORDER,
        O_MODEL_SAMPLES,
        O_IS,
        O_SEED,
        O_FORMAT
    };
    static const struct option longopts[] = {
        {"samples", required_argument, NULL, O_SAMPLES},
        {"test", required_argument, NULL, O_TEST},
        {"truth", required_argument, NULL, O_TRUTH},
        {"order", required_argument, NULL, O_ORDER},
        {"model-samples", required_argument, NULL, O_MODEL_SAMPLES},
        {"is-samples", required_argument, NULL, O_IS},
        {"seed", required_argument, NULL, O_SEED},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON);
    const char *model = NULL, *theory = NULL, *data_path = NULL, *test_path = NULL;
    const char *truth_path = NULL, *out = NULL;
    double *data = NULL, *test = NULL, *truth = NULL;
    slong v, c1 = 0, n1 = 0, c2 = 0, n2 = 0, c3 = 0, n3 = 0;
    int c, fmt = FY_FMT_TEXT, status = FY_OK, rc = 0, dd;
    fy_inn_compare_opts_t o;
    fy_inn_compare_t C;
    fy_inn_t net;
    fy_ltheory_t T;
    fy_error_t err;

    fy_error_init(err);
    fy_inn_compare_opts_init(o);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_SAMPLES:
            data_path = optarg;
            break;
        case O_TEST:
            test_path = optarg;
            break;
        case O_TRUTH:
            truth_path = optarg;
            break;
        case O_ORDER:
            if (parse_count(&v, optarg, 2, 8, "--order"))
                return 2;
            o->order = (int) v;
            break;
        case O_MODEL_SAMPLES:
            if (parse_count(&o->model_samples, optarg, 10, 100000000, "--model-samples"))
                return 2;
            break;
        case O_IS:
            if (parse_count(&o->is_samples, optarg, 2, 1000000000, "--is-samples"))
                return 2;
            break;
        case O_SEED:
            if (parse_count(&v, optarg, 0, INT64_MAX, "--seed"))
                return 2;
            o->seed = (uint64_t) v;
            break;
        case O_FORMAT:
            if ((fmt = fy_cli_parse_format(CMD, optarg, formats)) < 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        model = argv[optind++];
    if (optind < argc)
        theory = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
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
