/* feynn inn train: maximum-likelihood training of an invertible network on samples (inn.h,
 * section "training").
 *
 *   feynn inn train DATA -o MODEL [--couplings K | --plan P] [--epochs N] [--batch B]
 *                   [--lr X] [--clip X] [--lbfgs N] [--val F] [--patience N]
 *                   [--lbfgs-patience N] [--seed S]
 *                   [--threads T] [--init-scale X] [--no-whiten] [--tensor NAME]
 *                   [--progress | --quiet] [--format text|json]
 *
 * DATA is what `feynn inn sample -o` writes (safetensors, tensor "samples" of shape
 * [chains, samples, sites]) or any npy/safetensors array of shape (n, d) or (c, s, d).  The
 * library does the work (fy_inn_train); this file reads the data, parses options and prints
 * the report.  MODEL is written as safetensors (or the exact text format for the extensions
 * .inn, .feynn-inn, .txt), readable by `feynn inn action`. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "feynn/inn.h"
#include "feynn/io.h"
#include "io/json_num.h"

#define CMD "inn train"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn train DATA -o MODEL [options]\n"
            "\n"
            "Trains an invertible network on samples by maximum likelihood: minimises\n"
            "NLL = -mean ln p(x), ln p(x) = ln N(f(x); 0, 1) + ln|det J_f(x)|, with analytic\n"
            "gradients in float64, by minibatch Adam and then full-batch L-BFGS, keeping the\n"
            "state with the best validation NLL.  The layers: affine (W = L diag(exp s) U),\n"
            "quadratic couplings with alternating splits, elementwise quadratic; the first\n"
            "affine layer starts as the whitening map of the data.  The same seed gives the\n"
            "same model for any thread count.\n"
            "\n"
            "DATA: the safetensors file of 'feynn inn sample -o' (tensor 'samples', shape\n"
            "[chains, samples, sites]) or an npy/safetensors array of shape (n, d) or\n"
            "(c, s, d).  MODEL: safetensors, or the exact text format for the extensions\n"
            ".inn, .feynn-inn, .txt (doc/inn-format.md); 'feynn inn action MODEL' reads it.\n"
            "\n"
            "  -o, --output MODEL     where to write the trained network (required)\n"
            "  --couplings K          layers affine, then K x (coupling, affine) (default 3)\n"
            "  --plan P               layer plan instead: letters a (affine), c (coupling,\n"
            "                         split in halves), i (coupling, interleaved split),\n"
            "                         e (elementwise), e.g. 'acaca' or 'aeaca'\n"
            "  --epochs N             Adam epochs (default 20; 0: L-BFGS only)\n"
            "  --batch B              minibatch rows (default 512)\n"
            "  --lr X                 Adam learning rate (default 0.002)\n"
            "  --clip X               largest gradient norm of an Adam step (default 10;\n"
            "                         0: no clipping)\n"
            "  --lbfgs N              full-batch L-BFGS iterations (default 300)\n"
            "  --val F                share of rows held out for validation (default 0.1)\n"
            "  --patience N           stop Adam after N epochs without a better validation\n"
            "                         NLL (default 20; 0: never)\n"
            "  --lbfgs-patience N     the same for L-BFGS iterations (default 100)\n"
            "  --seed S               seed of the split, the initialisation and the shuffling\n"
            "                         (default 1)\n"
            "  --init-scale X         std of the initial coupling entries (default 0.01)\n"
            "  --no-whiten            start the first affine layer as the identity\n"
            "  --threads T            OpenMP threads (the result does not depend on it)\n"
            "  --tensor NAME          the tensor of a safetensors DATA file (default: "
            "'samples',\n"
            "                         or the only tensor)\n"
            "  --progress, --quiet    progress bar on stderr always / never (default: when\n"
            "                         stderr is a terminal)\n"
            "  --format F             report as text (default) or json\n"
            "  -h, --help             this help\n"
            "\n"
            "Exit status: 0 success, 1 training diverged, 2 bad usage or input.\n");
}

static int parse_long(long *v, const char *arg, long lo, long hi, const char *opt)
{
    char *end;
    long long x = strtoll(arg, &end, 10);
    if (end == arg || *end || x < lo || x > hi)
        return fy_cli_usage_error(CMD, "%s needs an integer in %ld..%ld, not '%s'", opt, lo, hi,
                                  arg);
    *v = (long) x;
    return 0;
}

static int parse_real(double *v, const char *arg, double lo, double hi, int open_lo,
                      const char *opt)
{
    char *end;
    double x = strtod(arg, &end);
    if (end == arg || *end || !isfinite(x) || x < lo || x > hi || (open_lo && x == lo))
        return fy_cli_usage_error(CMD, "%s needs a number in %s%g, %g], not '%s'", opt,
                                  open_lo ? "(" : "[", lo, hi, arg);
    *v = x;
    return 0;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Reads DATA into rows: *X (n x d, malloc'd). */
static int read_data(double **X, long *n, int *d, const char *path, const char *tensor,
                     fy_error_t err)
{
    unsigned char magic[6] = {0};
    const size_t *shape;
    const double *data;
    size_t numel;
    int ndim, rc = FY_OK, is_npy;
    fy_npy_t a;
    fy_safetensors_t st;
    FILE *fp = fopen(path, "rb");

    if (fp == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot open the data file", path);
    is_npy = fread(magic, 1, 6, fp) == 6 && memcmp(magic, "\x93NUMPY", 6) == 0;
    fclose(fp);
    fy_npy_init(a);
    fy_safetensors_init(st);
    if (is_npy)
    {
        if ((rc = fy_npy_read(a, path, err)))
            goto out;
        ndim = a->ndim;
        shape = a->shape;
        numel = a->numel;
        data = a->data;
    }
    else
    {
        const fy_tensor_struct *t;
        if ((rc = fy_safetensors_read(st, path, err)))
            goto out;
        t = fy_safetensors_find(st, tensor ? tensor : "samples");
        if (t == NULL && tensor == NULL && st->n == 1)
            t = &st->tensors[0];
        if (t == NULL)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: no tensor '%s' among its %zu tensors (the first is '%s'); "
                              "name one with --tensor", path, tensor ? tensor : "samples",
                              st->n, st->n > 0 ? st->tensors[0].name : "-");
            goto out;
        }
        if (t->data == NULL)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: tensor '%s' has dtype %s; the data must be floating point",
                              path, t->name, t->dtype_name);
            goto out;
        }
        ndim = t->ndim;
        shape = t->shape;
        numel = t->numel;
        data = t->data;
    }
    if (ndim < 2 || ndim > 3 || shape[ndim - 1] < 1 || numel == 0)
    {
        rc = fy_error_set(err, FY_EINPUT,
                          "%s: the data array has %d dimension%s (shape %s%zu%s); expected "
                          "(n, d) rows or (chains, samples, d) as 'feynn inn sample' writes "
                          "them (a single column of n values: reshape it to (n, 1))",
                          path, ndim, ndim == 1 ? "" : "s", ndim > 0 ? "(" : "()",
                          ndim > 0 ? shape[0] : (size_t) 0, ndim > 1 ? ", ...)" : ")");
        goto out;
    }
    if (shape[ndim - 1] > 4096 || numel / shape[ndim - 1] > (size_t) 1 << 40)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s: %zu columns; at most 4096 are supported", path,
                          shape[ndim - 1]);
        goto out;
    }
    *d = (int) shape[ndim - 1];
    *n = (long) (numel / shape[ndim - 1]);
    *X = malloc(numel * sizeof(double));
    if (*X == NULL)
    {
        rc = fy_error_set(err, FY_ENOMEM, "%s: out of memory for %zu values", path, numel);
        goto out;
    }
    memcpy(*X, data, numel * sizeof(double));
out:
    fy_npy_clear(a);
    fy_safetensors_clear(st);
    return rc;
}

static char *make_json(const char *data, const char *model, const char *plan,
                       const fy_inn_train_opts_struct *o, const fy_inn_train_report_t R)
{
    json_t *root = json_object(), *c = json_array();
    char *s;
    int k;
    json_object_set_new(root, "command", json_string(CMD));
    json_object_set_new(root, "data", json_string(data));
    json_object_set_new(root, "model", json_string(model));
    json_object_set_new(root, "plan", json_string(plan));
    json_object_set_new(root, "d", json_integer(R->d));
    json_object_set_new(root, "layers", json_integer(R->nlayers));
    json_object_set_new(root, "parameters", json_integer((json_int_t) R->nparams));
    json_object_set_new(root, "n_train", json_integer(R->n_train));
    json_object_set_new(root, "n_val", json_integer(R->n_val));
    json_object_set_new(root, "seed", json_integer((json_int_t) o->seed));
    json_object_set_new(root, "threads", json_integer(R->threads));
    json_object_set_new(root, "epochs", json_integer(R->epochs_run));
    json_object_set_new(root, "lbfgs_iterations", json_integer(R->lbfgs_iters_run));
    json_object_set_new(root, "stopped_early", json_integer(R->stopped_early));
    json_object_set_new(root, "best_phase",
                        json_string(R->best_phase == 2 ? "lbfgs"
                                                       : (R->best_phase == 1 ? "adam" : "initial")));
    json_object_set_new(root, "best_step", json_integer(R->best_step));
    json_object_set_new(root, "initial_train_nll", fy_json_number(R->initial_train_nll));
    json_object_set_new(root, "initial_val_nll", fy_json_number(R->initial_val_nll));
    json_object_set_new(root, "best_val_nll", fy_json_number(R->best_val_nll));
    json_object_set_new(root, "final_train_nll", fy_json_number(R->final_train_nll));
    json_object_set_new(root, "time_s", fy_json_number(R->time_s));
    json_object_set_new(root, "adam_time_s", fy_json_number(R->adam_time_s));
    json_object_set_new(root, "lbfgs_time_s", fy_json_number(R->lbfgs_time_s));
    for (k = 0; k < R->ncurve; k++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "phase", json_string(R->curve_phase[k] == 1 ? "adam" : "lbfgs"));
        json_object_set_new(e, "train_nll", fy_json_number(R->curve_train[k]));
        json_object_set_new(e, "val_nll", fy_json_number(R->curve_val[k]));
        json_array_append_new(c, e);
    }
    json_object_set_new(root, "curve", c);
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    return s;
}

static void print_text(FILE *fp, const char *data, const char *model, const char *plan,
                       const fy_inn_train_opts_struct *o, const fy_inn_train_report_t R)
{
    static const char *const phase[3] = {"the initial network", "Adam epoch", "L-BFGS iteration"};
    fprintf(fp, "data         %s: %ld rows x %d columns (%ld training, %ld validation)\n", data,
            R->n_train + R->n_val, R->d, R->n_train, R->n_val);
    fprintf(fp, "network      plan %s: %d layers, %zu parameters -> %s\n", plan, R->nlayers,
            R->nparams, model);
    fprintf(fp, "training     seed %" PRIu64 ", %d Adam epochs (batch %ld, lr %g), %d L-BFGS "
            "iterations, %d thread%s%s\n", o->seed, R->epochs_run, o->batch, o->lr,
            R->lbfgs_iters_run, R->threads, R->threads == 1 ? "" : "s",
            R->stopped_early == 1 ? ", stopped early (patience)" : "");
    fprintf(fp, "NLL          initial %.6f (validation %.6f)\n", R->initial_train_nll,
            R->initial_val_nll);
    fprintf(fp, "             final   %.6f (validation %.6f, from %s%s", R->final_train_nll,
            R->best_val_nll, phase[R->best_phase], R->best_phase ? " " : "");
    if (R->best_phase)
        fprintf(fp, "%d", R->best_step);
    fprintf(fp, ")\n");
    fprintf(fp, "time         %.2f s (Adam %.2f s, L-BFGS %.2f s)\n", R->time_s, R->adam_time_s,
            R->lbfgs_time_s);
}

int fy_inn_train_cmd(int argc, char **argv)
{
    enum
    {
        O_COUPLINGS = 256,
        O_PLAN,
        O_EPOCHS,
        O_BATCH,
        O_LR,
        O_CLIP,
        O_LBFGS,
        O_VAL,
        O_PATIENCE,
        O_LPATIENCE,
        O_SEED,
        O_INIT,
        O_NOWHITEN,
        O_THREADS,
        O_TENSOR,
        O_PROGRESS,
        O_QUIET,
        O_FORMAT
    };
    static const struct option longopts[] = {
        {"couplings", required_argument, NULL, O_COUPLINGS},
        {"plan", required_argument, NULL, O_PLAN},
        {"epochs", required_argument, NULL, O_EPOCHS},
        {"batch", required_argument, NULL, O_BATCH},
        {"lr", required_argument, NULL, O_LR},
        {"clip", required_argument, NULL, O_CLIP},
        {"lbfgs", required_argument, NULL, O_LBFGS},
        {"val", required_argument, NULL, O_VAL},
        {"patience", required_argument, NULL, O_PATIENCE},
        {"lbfgs-patience", required_argument, NULL, O_LPATIENCE},
        {"seed", required_argument, NULL, O_SEED},
        {"init-scale", required_argument, NULL, O_INIT},
        {"no-whiten", no_argument, NULL, O_NOWHITEN},
        {"threads", required_argument, NULL, O_THREADS},
        {"tensor", required_argument, NULL, O_TENSOR},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON);
    const char *path = NULL, *out = NULL, *tensor = NULL;
    char *plan = NULL;
    int c, fmt = FY_FMT_TEXT, rc = 0, status, d = 0;
    long v, n = 0;
    double *X = NULL;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R;
    fy_inn_t net;
    fy_error_t err;

    fy_error_init(err);
    fy_inn_train_opts_init(o);
    o->progress_bar = -1;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_COUPLINGS:
            if (parse_long(&v, optarg, 0, 1000, "--couplings"))
                return 2;
            o->couplings = (int) v;
            break;
        case O_PLAN:
            o->plan = optarg;
            break;
        case O_EPOCHS:
            if (parse_long(&v, optarg, 0, 100000000, "--epochs"))
                return 2;
            o->epochs = (int) v;
            break;
        case O_BATCH:
            if (parse_long(&o->batch, optarg, 1, 1L << 40, "--batch"))
                return 2;
            break;
        case O_LR:
            if (parse_real(&o->lr, optarg, 0, 1e6, 1, "--lr"))
                return 2;
            break;
        case O_CLIP:
            if (parse_real(&o->clip, optarg, 0, 1e300, 0, "--clip"))
                return 2;
            break;
        case O_LBFGS:
            if (parse_long(&v, optarg, 0, 100000000, "--lbfgs"))
                return 2;
            o->lbfgs_iters = (int) v;
            break;
        case O_VAL:
            if (parse_real(&o->val_fraction, optarg, 0, 0.9, 0, "--val"))
                return 2;
            break;
        case O_PATIENCE:
            if (parse_long(&v, optarg, 0, 100000000, "--patience"))
                return 2;
            o->patience = (int) v;
            break;
        case O_LPATIENCE:
            if (parse_long(&v, optarg, 0, 100000000, "--lbfgs-patience"))
                return 2;
            o->lbfgs_patience = (int) v;
            break;
        case O_SEED:
            if (parse_long(&v, optarg, 0, INT64_MAX, "--seed"))
                return 2;
            o->seed = (uint64_t) v;
            break;
        case O_INIT:
            if (parse_real(&o->init_scale, optarg, 0, 1e3, 0, "--init-scale"))
                return 2;
            break;
        case O_NOWHITEN:
            o->whiten = 0;
            break;
        case O_THREADS:
            if (parse_long(&v, optarg, 1, 4096, "--threads"))
                return 2;
            o->threads = (int) v;
            break;
        case O_TENSOR:
            tensor = optarg;
            break;
        case O_PROGRESS:
            o->progress_bar = 1;
            break;
        case O_QUIET:
            o->progress_bar = 0;
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
        path = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    if (path == NULL)
        return fy_cli_usage_error(CMD, "a DATA file is required (what 'feynn inn sample -o' "
                                       "writes, or an npy/safetensors array)");
    if (out == NULL)
        return fy_cli_usage_error(CMD, "-o MODEL is required (where to write the network)");

    fy_inn_init(net);
    fy_inn_train_report_init(R);
    status = read_data(&X, &n, &d, path, tensor, err);
    if (status == FY_OK)
    {
        status = fy_inn_train(net, X, n, d, o, R, err);
        if (status == FY_EINPUT || status == FY_ECHECK)
        {
            /* name the file the rows came from */
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%.200s: %.800s", path, err->msg);
            memcpy(err->msg, msg, sizeof msg);
        }
    }
    if (status == FY_OK)
    {
        if (has_suffix(out, ".inn") || has_suffix(out, ".feynn-inn") || has_suffix(out, ".txt"))
            status = fy_inn_save_text(out, net, err);
        else
            status = fy_inn_save_safetensors(out, net, err);
    }
    if (status == FY_OK)
    {
        int k;
        size_t len = o->plan ? strlen(o->plan) + 1 : (size_t) 2 * o->couplings + 2;
        plan = malloc(len);
        if (plan == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
        else if (o->plan)
            memcpy(plan, o->plan, len);
        else
        {
            plan[0] = 'a';
            for (k = 0; k < o->couplings; k++)
            {
                plan[1 + 2 * k] = 'c';
                plan[2 + 2 * k] = 'a';
            }
            plan[1 + 2 * o->couplings] = '\0';
        }
    }
    if (status == FY_OK && fmt == FY_FMT_JSON)
    {
        char *s = make_json(path, out, plan, o, R);
        if (s == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory writing JSON");
        else
        {
            puts(s);
            free(s);
        }
    }
    else if (status == FY_OK)
        print_text(stdout, path, out, plan, o, R);
    if (status == FY_OK && fflush(stdout) != 0)
        status = fy_error_set(err, FY_EIO, "writing the output failed");
    if (status != FY_OK)
        rc = fy_cli_fail(CMD, err);
    free(plan);
    free(X);
    fy_inn_train_report_clear(R);
    fy_inn_clear(net);
    return rc;
}
