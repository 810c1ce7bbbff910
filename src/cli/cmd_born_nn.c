/* feynn born train / feynn born verify: a network for a_0 and its Born-Taylor check
 * (doc/math.md 2.4).  Registered in the sub-subcommand table of cmd_born.c.
 *
 * `born train` is a thin command over the trainer (train.h) that reads a data set of `feynn
 * born data` (tensors U and a0), optionally subtracts the kept Taylor terms of earlier networks
 * (the iterative scheme: --residual-of F1,F2,... subtracts T_1[F1] + T_2[F2] + ...), and saves
 * safetensors that `feynn taylor` and `feynn born verify` read, with the range and step count
 * in the metadata.  `born verify` is the comparison of the borntaylor module. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/born_nn.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/born.h"
#include "feynn/borntaylor.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/train.h"
#include "feynn/util.h"

/* ------------------------------------------------------------------ shared pieces */

int fy_born_nn_progress(void *ctx, const fy_train_progress_struct *p)
{
    fy_born_nn_progress_t *pc = ctx;
    if (p->step == p->total || p->step % pc->every == 0)
        fprintf(stderr, "%s: %s %d/%d  train %.3e  val %.3e\n", pc->label, p->phase, p->step,
                p->total, p->train_loss, p->val_loss);
    return 0;
}

/* ------------------------------------------------------------------ born train */

#define TRAIN "born train"

/* The options of `born train` as the table stores them (the trainer's own in *topts). */
typedef struct
{
    fy_train_opts_struct *topts;
    long epochs, batch, lbfgs, seed;
    double lr;
    const char *out, *resid, *activation;
} train_args_t;

/* --hidden W1,W2,...: the trainer's widths, with its message. */
static int set_hidden(void *opts, const char *v, char *msg, size_t size)
{
    train_args_t *a = opts;
    fy_error_t err;
    fy_error_init(err);
    if (fy_train_opts_set_hidden(a->topts, v, err) == FY_OK)
        return 0;
    snprintf(msg, size, "--hidden: %s", err->msg);
    return 2;
}

#define A(f) offsetof(train_args_t, f)
static const fy_opt_t train_opts[] = {
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "MODEL", .off = A(out),
     .def = "model.safetensors", .help = "output file"},
    {.name = "hidden", .kind = FY_OPT_CALL, .arg = "W1,W2,..", .call = set_hidden,
     .def = "64,64", .help = "hidden widths"},
    {.name = "activation", .kind = FY_OPT_STRING, .arg = "A", .off = A(activation),
     .def = "tanh", .help = "activation of the hidden layers: any the rules define ('feynn "
                            "rules list': tanh, sigmoid, softplus, relu, ..., or one of your "
                            "own on FEYNN_RULES_PATH)"},
    {.name = "epochs", .kind = FY_OPT_INT, .arg = "N", .off = A(epochs), .lo = 0,
     .hi = 10000000, .def = "200", .help = "Adam epochs"},
    {.name = "batch", .kind = FY_OPT_INT, .arg = "B", .off = A(batch), .lo = 1,
     .hi = 100000000, .def = "128", .help = "minibatch rows"},
    {.name = "lr", .kind = FY_OPT_REAL, .arg = "X", .off = A(lr), .rlo = 1e-12, .rhi = 10,
     .def = "1e-3, cosine schedule", .help = "learning rate"},
    {.name = "lbfgs", .kind = FY_OPT_INT, .arg = "N", .off = A(lbfgs), .lo = 0,
     .hi = 10000000, .def = "0", .help = "full-batch L-BFGS polishing iterations"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = LONG_MAX,
     .def = "1", .help = "seed"},
    {.name = "residual-of", .kind = FY_OPT_STRING, .arg = "F1[,F2,...]", .off = A(resid),
     .help = "train on the residual a_0 - sum_k T_k[F_k](U) of the models listed"},
};
#undef A

const fy_opt_cmd_t fy_opt_born_train = {
    .name = TRAIN,
    .usage = "DATA [-o MODEL] [options]",
    .intro =
        "Trains an MLP mapping potentials U to their scattering lengths a0 (DATA: what\n"
        "'feynn born data' writes, safetensors, an npy folder or text, told apart by the\n"
        "path) by Adam on the mean squared error (module train), and saves it as F64\n"
        "safetensors with the range and step count in the metadata (readable by 'feynn\n"
        "taylor' and 'feynn born verify'). With --residual-of the network is trained on\n"
        "the residual a_0 - sum_k T_k[F_k](U), where F_k is the k-th model listed and\n"
        "T_k its k-th Taylor term at U = 0: the iterative perturbation theory of\n"
        "doc/math.md 2.4 (F2 = train on the residual of F1). A line per tenth of the\n"
        "epochs on standard error when it is a terminal (or with --progress); the data\n"
        "and the result in a line each unless --quiet.\n"
        "Convention: " FY_BORN_CONVENTION ".",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = train_opts,
    .nopts = FY_OPT_N(train_opts),
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* Trains on data (or on its residual of the models resid) and saves the network to out. */
static int train_run(const char *path, const char *out, const char *resid,
                     const fy_train_opts_t opts, int quiet, fy_error_t err)
{
    fy_train_opts_struct o = *opts; /* with the rules that define the activation */
    fy_train_report_t rep;
    fy_rules_t rules;
    fy_net_t net;
    fy_borntaylor_kept_t kt;
    fy_born_data_t data;
    int status;
    fy_rules_init(rules);
    fy_net_init(net);
    fy_train_report_init(rep);
    fy_born_data_init(data);
    fy_borntaylor_kept_init(kt);
    status = fy_born_data_read(data, path, err);
    if (status == FY_OK)
        status = fy_rules_load_default(rules, err);
    o.rules = rules;
    if (status == FY_OK && resid != NULL)
        status = fy_borntaylor_kept_load(kt, resid, rules, (int) data->d, err);
    if (status == FY_OK)
    {
        long N = (long) data->n;
        int d = (int) data->d;
        if (!quiet)
            fprintf(stderr, "born train: %ld samples, %d steps, range %g%s%s\n", N, d, data->R,
                    resid ? ", residual of " : "", resid ? resid : "");
        status = resid ? fy_train_mlp_residual(net, data->U, data->a0, N, d,
                                               fy_borntaylor_kept_eval, kt, &o, rep, err)
                       : fy_train_mlp(net, data->U, data->a0, N, d, &o, rep, err);
    }
    if (status == FY_OK)
        status = fy_borntaylor_net_save(out, net, data->R, resid, NULL, err);
    if (status == FY_OK && !quiet)
        fprintf(stderr, "born train: best epoch %d, validation MSE %.3e, %.1f s; wrote %s\n",
                rep->best_epoch, rep->best_val_loss, rep->time_s, out);
    fy_borntaylor_kept_clear(kt);
    fy_born_data_clear(data);
    fy_train_report_clear(rep);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return status;
}

int fy_born_train_cmd(int argc, char **argv)
{
    fy_opt_state_t st;
    fy_train_opts_t opts;
    fy_born_nn_progress_t pc = {"born train", 10};
    fy_error_t err;
    train_args_t a;
    const char *path;
    int rc, quiet, lines;

    fy_error_init(err);
    fy_train_opts_init(opts);
    memset(&a, 0, sizeof a);
    a.topts = opts;
    a.out = "model.safetensors";
    a.epochs = opts->epochs;
    a.batch = opts->batch_size;
    a.lr = opts->lr;
    a.lbfgs = opts->lbfgs_iters;
    a.seed = (long) opts->seed;
    if ((rc = fy_opt_start(st, &a, &fy_opt_born_train, argc, argv)) >= 0)
        return rc;
    path = st->noperands ? st->operands[0] : NULL;
    quiet = st->quiet;
    lines = fy_opt_progress(st) < 0 ? isatty(fileno(stderr)) : fy_opt_progress(st);
    fy_opt_state_clear(st);
    if (path == NULL)
        return fy_cli_usage_error(TRAIN, "expected one DATA file");
    opts->epochs = (int) a.epochs;
    opts->batch_size = a.batch;
    opts->lr = a.lr;
    opts->lbfgs_iters = (int) a.lbfgs;
    opts->seed = (uint64_t) a.seed;
    if (a.activation != NULL)
        opts->activation = a.activation;
    if (opts->epochs == 0 && opts->lbfgs_iters == 0)
        return fy_cli_usage_error(TRAIN, "--epochs 0 without --lbfgs trains nothing: the saved "
                                  "model would be the random initial network; give --epochs N "
                                  "or --lbfgs N with N >= 1");
    if (lines)
    {
        opts->progress = fy_born_nn_progress;
        opts->progress_ctx = &pc;
        pc.every = opts->epochs >= 100 ? opts->epochs / 10 : 10;
    }
    if (train_run(path, a.out, a.resid, opts, quiet, err) != FY_OK)
        return fy_cli_fail(TRAIN, err);
    return 0;
}

/* ------------------------------------------------------------------ born verify */

#define VERIFY "born verify"

/* The options of `born verify` as the table stores them. */
typedef struct
{
    long order, nheld, ident;
    double R, tol, tolh;
    const char *out, *data;
} verify_args_t;

#define A(f) offsetof(verify_args_t, f)
static const fy_opt_t verify_opts[] = {
    {.name = "order", .kind = FY_OPT_INT, .arg = "N", .off = A(order), .lo = 1,
     .hi = FY_BORNTAYLOR_MAX_ORDER, .def = "2", .help = "highest order"},
    {.name = "data", .kind = FY_OPT_PATH, .arg = "PATH", .off = A(data),
     .help = "held-out potentials (what 'feynn born data' writes, in any of its formats: "
             "safetensors, npy folder, text); default: --heldout fresh ones (margin 0.5, seed "
             "987654321)"},
    {.name = "heldout", .kind = FY_OPT_INT, .arg = "N", .off = A(nheld), .lo = 0,
     .hi = 1000000, .def = "200", .help = "number of fresh held-out potentials (0: none)"},
    {.name = "range", .kind = FY_OPT_REAL, .arg = "R", .off = A(R), .rlo = 0, .rhi = 1e300,
     .flags = FY_OPT_OPEN_LO, .def = "1", .help = "range when MODEL does not store it"},
    {.name = "tol", .kind = FY_OPT_REAL, .arg = "X", .off = A(tol), .rlo = 0, .rhi = 1e300,
     .help = "exit status 1 when the relative Frobenius error of order N exceeds X"},
    {.name = "tol-heldout", .kind = FY_OPT_REAL, .arg = "X", .off = A(tolh), .rlo = 0,
     .rhi = 1e300, .help = "exit status 1 when the held-out error of order N exceeds X"},
    {.name = "identity", .kind = FY_OPT_INT, .arg = "K", .off = A(ident), .lo = 0, .hi = 1000,
     .def = "3", .help = "potentials of the exact identity check"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "output file (default standard output)"},
};
#undef A

const fy_opt_cmd_t fy_opt_born_verify = {
    .name = VERIFY,
    .usage = "MODEL [--order N] [--data HELDOUT] [--tol X] [options]",
    .intro =
        "Compares the Taylor tensors at U = 0 of MODEL (an MLP mapping the D step\n"
        "heights of a potential on (0, R] to a_0) with the exact Born tensors d^n\n"
        "a_0(0), n = 1..N: relative Frobenius error, largest entry error, cosine, the\n"
        "per-diagram contributions (diagram engine) with the largest ones, and on\n"
        "held-out potentials the relative RMS error of T_n[F](U) = (1/n!) d^n\n"
        "F(0)[U,..,U] against a_0^(n)(U) and of the truncated series. Separately it\n"
        "checks exactly that the identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U) holds for\n"
        "the true map (doc/math.md 2.4).  A MODEL without the metadata of 'feynn born\n"
        "train' is taken as a map of its D inputs on (0, R] (a note says so); one with\n"
        "other than one output, or whose stored step count differs from its inputs, is\n"
        "refused. Progress lines on standard error when it is a terminal (or with\n"
        "--progress).\n"
        "Convention: " FY_BORN_CONVENTION ".",
    .epilog = "Exit status: 0 checks passed, 1 a tolerance was not met, 2 bad usage or input.\n",
    .opts = verify_opts,
    .nopts = FY_OPT_N(verify_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/born-verify.schema.json)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* What MODEL is taken to be: refuse what cannot be a map of step heights to a_0, and say what
 * was assumed when the model carries no Born metadata.  *R: the range (NaN: from the model's
 * metadata, else 1); *assumed: 1 no Born metadata, 2 range assumed, 3 both. */
static int model_assumptions(double *R, int *assumed, const fy_net_t net, const char *model,
                             fy_error_t err)
{
    double Rm;
    long dm;
    if (net->widths[net->L] != 1)
        return fy_error_set(err, FY_EINPUT, "%s has %zu outputs; a network for a_0 has one "
                            "(made by 'feynn born train')", model, net->widths[net->L]);
    fy_borntaylor_net_meta(&Rm, &dm, model);
    if (dm >= 0 && dm != (long) net->widths[0])
        return fy_error_set(err, FY_EINPUT, "%s stores %ld steps in its metadata but has "
                            "%zu inputs", model, dm, net->widths[0]);
    *assumed = dm < 0;
    if (isnan(*R))
    {
        *R = Rm;
        if (isnan(*R))
        {
            *R = 1;
            *assumed = *assumed ? 3 : 2;
        }
    }
    if (*assumed)
        fprintf(stderr, "feynn born verify: note: %s carries no Born metadata (not made by "
                "'feynn born train'): taken as a map of its %zu inputs, the heights of %zu "
                "steps on (0, %g]%s, to a_0\n", model, net->widths[0], net->widths[0], *R,
                *assumed >= 2 ? " (the range assumed: give --range R)" : "");
    return FY_OK;
}

/* The held-out potentials: the file data (which must match the model), else nheld fresh ones. */
static int verify_heldout(fy_born_data_t held, const char *data, long nheld, const fy_net_t net,
                          const char *model, double R, fy_error_t err)
{
    int status = FY_OK;
    if (data != NULL)
    {
        status = fy_born_data_read(held, data, err);
        if (status == FY_OK && (held->d != (slong) net->widths[0] ||
                                fabs(held->R - R) > 1e-12 * R))
            status = fy_error_set(err, FY_EINPUT, "%s: %ld steps on (0, %g], but %s takes %zu "
                                  "steps on (0, %g]", data, (long) held->d, held->R, model,
                                  net->widths[0], R);
    }
    else if (nheld > 0)
        status = fy_born_data_generate(held, nheld, (slong) net->widths[0], R, 0.5, 987654321u,
                                       0, err);
    return status;
}

/* The report to a.out; *failed when a tolerance was not met. */
static int verify_write(fy_borntaylor_verify_t bv, const verify_args_t *a, int fmt,
                        const char *model, const fy_net_t net, int assumed, int *failed,
                        fy_error_t err)
{
    fy_ofile_t of;
    int status;
    *failed = !fy_borntaylor_verify_judge(bv, a->tol, a->tolh, model);
    if ((status = fy_ofile_open(of, a->out, err)) != FY_OK)
        return status;
    if (fmt == FY_FMT_JSON)
        status = fy_borntaylor_verify_write_json(of->fp, bv, err);
    else
    {
        fprintf(of->fp, "model: %s (%zu steps on (0, %g]%s)\n", model, net->widths[0], a->R,
                assumed >= 2 ? ", range assumed" : assumed ? ", no Born metadata" : "");
        fy_borntaylor_verify_write_text(of->fp, bv, "");
        if (!isnan(a->tol) || !isnan(a->tolh))
            fprintf(of->fp, "tolerance: %s\n", *failed ? "NOT met" : "met");
    }
    if (status == FY_OK)
        return fy_ofile_commit(of, err);
    fy_ofile_abort(of);
    return status;
}

int fy_born_verify_cmd(int argc, char **argv)
{
    fy_opt_state_t st;
    verify_args_t a = {.order = 2, .nheld = 200, .ident = 3, .R = NAN, .tol = NAN,
                       .tolh = NAN, .out = "-"};
    const char *model;
    int assumed = 0; /* 1: no Born metadata; 2: range assumed (3: both) */
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_net_opts_t nopts;
    fy_born_data_t held;
    fy_borntaylor_verify_t bv;
    int fmt, rc, status, failed = 0, order;
    FILE *log;

    if ((rc = fy_opt_start(st, &a, &fy_opt_born_verify, argc, argv)) >= 0)
        return rc;
    model = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    rc = fy_opt_progress(st);
    log = (rc < 0 ? isatty(fileno(stderr)) : rc) ? stderr : NULL;
    fy_opt_state_clear(st);
    if (model == NULL)
        return fy_cli_usage_error(VERIFY, "expected one MODEL file");
    order = (int) a.order;
    fy_error_init(err);
    fy_rules_init(rules);
    fy_net_init(net);
    fy_net_opts_init(nopts);
    nopts->names = fy_cli_net_names;
    fy_born_data_init(held);
    fy_borntaylor_verify_init(bv);
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = fy_net_load(net, model, nopts, err);
    if (status == FY_OK)
        status = model_assumptions(&a.R, &assumed, net, model, err);
    if (status == FY_OK)
        status = verify_heldout(held, a.data, a.nheld, net, model, a.R, err);
    if (status == FY_OK)
        status = fy_borntaylor_verify(bv, net, rules, order, a.R, held->U, held->a0,
                                      (long) held->n, (int) a.ident, order < 3 ? order : 3, log,
                                      err);
    if (status == FY_OK)
        status = verify_write(bv, &a, fmt, model, net, assumed, &failed, err);
    fy_borntaylor_verify_clear(bv);
    fy_born_data_clear(held);
    fy_net_clear(net);
    fy_rules_clear(rules);
    if (status != FY_OK)
        return fy_cli_fail(VERIFY, err);
    return failed ? 1 : 0;
}
