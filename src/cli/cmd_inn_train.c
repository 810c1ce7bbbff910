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
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/inn.h"
#include "feynn/io.h"
#include "io/json_num.h"

#define CMD "inn train"

typedef struct
{
    long couplings, epochs, batch, lbfgs, patience, lpatience, seed, threads;
    double lr, clip, val, init_scale;
    int nowhiten, moments;
    const char *plan, *tensor, *out, *symmetries;
} train_args_t;

#define A(f) offsetof(train_args_t, f)
static const fy_opt_t train_opts[] = {
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "MODEL", .off = A(out),
     .help = "where to write the trained network (required)"},
    {.name = "couplings", .kind = FY_OPT_INT, .arg = "K", .off = A(couplings), .lo = 0,
     .hi = 1000, .def = "3", .help = "layers affine, then K x (coupling, affine)"},
    {.name = "plan", .kind = FY_OPT_STRING, .arg = "P", .off = A(plan),
     .help = "layer plan instead: letters a (affine), c (coupling, split in halves), i "
             "(coupling, interleaved split), e (elementwise quadratic), k (elementwise cubic), "
             "e.g. 'acaca' or 'kakacacaca'"},
    {.name = "epochs", .kind = FY_OPT_INT, .arg = "N", .off = A(epochs), .lo = 0,
     .hi = 100000000, .def = "20; 0: L-BFGS only", .help = "Adam epochs"},
    {.name = "batch", .kind = FY_OPT_INT, .arg = "B", .off = A(batch), .lo = 1, .hi = 1L << 40,
     .def = "512", .help = "minibatch rows"},
    {.name = "lr", .kind = FY_OPT_REAL, .arg = "X", .off = A(lr), .rlo = 0, .rhi = 1e6,
     .flags = FY_OPT_OPEN_LO, .def = "0.002", .help = "Adam learning rate"},
    {.name = "clip", .kind = FY_OPT_REAL, .arg = "X", .off = A(clip), .rlo = 0, .rhi = 1e300,
     .def = "10; 0: no clipping", .help = "largest gradient norm of an Adam step"},
    {.name = "lbfgs", .kind = FY_OPT_INT, .arg = "N", .off = A(lbfgs), .lo = 0,
     .hi = 100000000, .def = "300", .help = "full-batch L-BFGS iterations"},
    {.name = "val", .kind = FY_OPT_REAL, .arg = "F", .off = A(val), .rlo = 0, .rhi = 0.9,
     .def = "0.1", .help = "share of rows held out for validation"},
    {.name = "patience", .kind = FY_OPT_INT, .arg = "N", .off = A(patience), .lo = 0,
     .hi = 100000000, .def = "20; 0: never",
     .help = "stop Adam after N epochs without a better validation NLL"},
    {.name = "lbfgs-patience", .kind = FY_OPT_INT, .arg = "N", .off = A(lpatience), .lo = 0,
     .hi = 100000000, .def = "100", .help = "the same for L-BFGS iterations"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = INT64_MAX,
     .def = "1", .help = "seed of the split, the initialisation and the shuffling"},
    {.name = "init-scale", .kind = FY_OPT_REAL, .arg = "X", .off = A(init_scale), .rlo = 0,
     .rhi = 1e3, .def = "0.01", .help = "std of the initial coupling entries"},
    {.name = "no-whiten", .kind = FY_OPT_FLAG, .off = A(nowhiten),
     .help = "start the first affine layer as the identity"},
    {.name = "moments", .kind = FY_OPT_FLAG, .off = A(moments),
     .help = "L-BFGS on weighted points that match the data's moments instead of the rows, "
             "where the plan allows it (affine layers and at most 4 couplings, no elementwise "
             "layer: the loss depends on the data only through its moments up to order "
             "2^(couplings + 1)); the same loss and gradient to rounding, cheaper on many rows"},
    {.name = "symmetries", .kind = FY_OPT_PATH, .arg = "THEORY", .off = A(symmetries),
     .help = "train on every row and its images under the cyclic shifts of the sites that "
             "keep THEORY's lattice (a ring's rotations), as feynn demo inn does: the noise "
             "that breaks the lattice's symmetry averages out (the rows and their images stay "
             "on one side of the validation split)"},
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = A(threads), .hi = 4096,
     .help = "OpenMP threads (the result does not depend on it)"},
    {.name = "tensor", .kind = FY_OPT_STRING, .arg = "NAME", .off = A(tensor),
     .def = "'samples', or the only tensor", .help = "the tensor of a safetensors DATA file"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_train = {
    .name = CMD,
    .usage = "DATA -o MODEL [options]",
    .intro =
        "Trains an invertible network on samples by maximum likelihood: minimises\n"
        "NLL = -mean ln p(x), ln p(x) = ln N(f(x); 0, 1) + ln|det J_f(x)|, with analytic\n"
        "gradients in float64, by minibatch Adam and then full-batch L-BFGS, keeping the\n"
        "state with the best validation NLL.  The layers: affine (W = L diag(exp s) U),\n"
        "quadratic couplings with alternating splits, elementwise quadratic, elementwise\n"
        "cubic y = u + gamma u^3 (lighter tails: a positive quartic coupling); the first\n"
        "affine layer starts as the whitening map of the data.  The same seed gives the\n"
        "same model for any thread count.\n"
        "\n"
        "DATA: the safetensors file of 'feynn inn sample -o' (tensor 'samples', shape\n"
        "[chains, samples, sites]) or an npy/safetensors array of shape (n, d) or\n"
        "(c, s, d).  MODEL: safetensors, or the exact text format for the extensions\n"
        ".inn, .feynn-inn, .txt (doc/inn-format.md); 'feynn inn action MODEL' reads it.",
    .epilog = "Exit status: 0 success, 1 training diverged, 2 bad usage or input.\n",
    .opts = train_opts,
    .nopts = FY_OPT_N(train_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .format_help = "the report as text or json (doc/schema/inn-train.schema.json)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Reads DATA into rows: *X (n x d, malloc'd), through the library's loader (the one of inn
 * compare): chains of draws count as rows. */
static int read_data(double **X, long *n, int *d, const char *path, const char *tensor,
                     fy_error_t err)
{
    slong chains = 0, draws = 0;
    int rc = fy_inn_samples_read(X, &chains, &draws, d, path, tensor, 0, err);
    if (rc == FY_OK)
        *n = (long) (chains * draws);
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
    json_object_set_new(root, "images", json_integer(o->naugment > 0 ? o->naugment : 1));
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
    json_object_set_new(root, "moments_used", json_boolean(R->moments_used));
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
    if (o->naugment > 1)
        fprintf(fp, "data         %s: %ld rows x %d columns with %d images each under the "
                "lattice's shifts (%ld training, %ld validation images)\n", data,
                (R->n_train + R->n_val) / o->naugment, R->d, o->naugment, R->n_train, R->n_val);
    else
        fprintf(fp, "data         %s: %ld rows x %d columns (%ld training, %ld validation)\n",
                data, R->n_train + R->n_val, R->d, R->n_train, R->n_val);
    fprintf(fp, "network      plan %s: %d layers, %zu parameters -> %s\n", plan, R->nlayers,
            R->nparams, model);
    fprintf(fp, "training     seed %" PRIu64 ", %d Adam epochs (batch %ld, lr %g), %d L-BFGS "
            "iterations, %d thread%s%s\n", o->seed, R->epochs_run, o->batch, o->lr,
            R->lbfgs_iters_run, R->threads, R->threads == 1 ? "" : "s",
            R->stopped_early == 1 ? ", stopped early (patience)" : "");
    if (R->moments_used)
        fprintf(fp, "             L-BFGS on points matching the data's moments (--moments)\n");
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
    const char *path, *out, *tensor;
    char *plan = NULL;
    int fmt, rc = 0, status, d = 0, *aug = NULL;
    long n = 0;
    double *X = NULL;
    fy_inn_train_opts_t o;
    fy_inn_train_report_t R;
    fy_inn_t net;
    fy_error_t err;
    train_args_t a = {0};
    fy_opt_state_t st;

    fy_error_init(err);
    fy_inn_train_opts_init(o);
    a.couplings = o->couplings;
    a.epochs = o->epochs;
    a.batch = o->batch;
    a.lr = o->lr;
    a.clip = o->clip;
    a.lbfgs = o->lbfgs_iters;
    a.val = o->val_fraction;
    a.patience = o->patience;
    a.lpatience = o->lbfgs_patience;
    a.seed = (long) o->seed;
    a.init_scale = o->init_scale;
    a.nowhiten = !o->whiten;
    a.moments = o->moments;
    a.threads = o->threads;
    a.plan = o->plan;
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_train, argc, argv)) >= 0)
        return rc;
    rc = 0;
    path = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    o->progress_bar = fy_opt_progress(st);
    fy_opt_state_clear(st);
    o->couplings = (int) a.couplings;
    o->epochs = (int) a.epochs;
    o->batch = a.batch;
    o->lr = a.lr;
    o->clip = a.clip;
    o->lbfgs_iters = (int) a.lbfgs;
    o->val_fraction = a.val;
    o->patience = (int) a.patience;
    o->lbfgs_patience = (int) a.lpatience;
    o->seed = (uint64_t) a.seed;
    o->init_scale = a.init_scale;
    o->whiten = !a.nowhiten;
    o->moments = a.moments;
    o->threads = (int) a.threads;
    o->plan = a.plan;
    tensor = a.tensor;
    out = a.out;
    if (path == NULL)
        return fy_cli_usage_error(CMD, "a DATA file is required (what 'feynn inn sample -o' "
                                       "writes, or an npy/safetensors array)");
    if (out == NULL)
        return fy_cli_usage_error(CMD, "-o MODEL is required (where to write the network)");

    fy_inn_init(net);
    fy_inn_train_report_init(R);
    status = read_data(&X, &n, &d, path, tensor, err);
    if (status == FY_OK && a.symmetries != NULL)
    {
        /* the images: the lattice's shifts (fy_inn_lattice_symmetries) */
        fy_ltheory_t T;
        fy_ltheory_init(T);
        status = fy_ltheory_load(T, a.symmetries, err);
        if (status == FY_OK && T->nsites != d)
            status = fy_error_set(err, FY_EINPUT, "%.200s has %d sites but %.200s has %d "
                                  "columns: give the theory the data were drawn from",
                                  a.symmetries, (int) T->nsites, path, d);
        if (status == FY_OK)
            status = fy_inn_lattice_symmetries(&aug, &o->naugment, T, 1, err);
        o->augment = aug;
        fy_ltheory_clear(T);
    }
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
    free(aug);
    free(X);
    fy_inn_train_report_clear(R);
    fy_inn_clear(net);
    return rc;
}
