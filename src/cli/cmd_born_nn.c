/* feynn born train / feynn born verify: a network for a_0 and its Born-Taylor check
 * (doc/math.md 2.4).  Registered in the sub-subcommand table of cmd_born.c.
 *
 * `born train` is a thin command over the trainer (train.h) that reads a data set of `feynn
 * born data` (tensors U and a0), optionally subtracts the kept Taylor terms of earlier networks
 * (the iterative scheme: --residual-of F1,F2,... subtracts T_1[F1] + T_2[F2] + ...), and saves
 * safetensors that `feynn taylor` and `feynn born verify` read, with the range and step count
 * in the metadata.  `born verify` is the comparison of the borntaylor module. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/born_nn.h"
#include "cli/cli.h"
#include "feynn/born.h"
#include "feynn/borntaylor.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/train.h"
#include "feynn/util.h"

/* ------------------------------------------------------------------ shared pieces */

int fy_born_nn_parse_double(double *v, const char *cmd, const char *s, const char *name,
                            double lo, double hi)
{
    char *end;
    double x;
    errno = 0;
    x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= lo) || !(x <= hi))
    {
        fy_cli_usage_error(cmd, "%s needs a number in [%g, %g], not '%s'", name, lo, hi, s);
        return -1;
    }
    *v = x;
    return 0;
}

int fy_born_nn_parse_long(long *v, const char *cmd, const char *s, const char *name, long lo,
                          long hi)
{
    char *end;
    long x;
    errno = 0;
    x = strtol(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi)
    {
        fy_cli_usage_error(cmd, "%s needs an integer in %ld..%ld, not '%s'", name, lo, hi, s);
        return -1;
    }
    *v = x;
    return 0;
}

int fy_born_nn_progress(void *ctx, const fy_train_progress_struct *p)
{
    fy_born_nn_progress_t *pc = ctx;
    if (p->step == p->total || p->step % pc->every == 0)
        fprintf(stderr, "%s: %s %d/%d  train %.3e  val %.3e\n", pc->label, p->phase, p->step,
                p->total, p->train_loss, p->val_loss);
    return 0;
}

/* ------------------------------------------------------------------ born train */

static void train_usage(FILE *fp)
{
    fprintf(fp,
        "Usage: feynn born train DATA [-o MODEL] [--hidden W1,W2,..] [--epochs N] [--seed S]\n"
        "                        [--activation A] [--lr X] [--batch B] [--lbfgs N]\n"
        "                        [--residual-of F1[,F2,...]] [--quiet]\n"
        "\n"
        "Trains an MLP mapping potentials U to their scattering lengths a0 (DATA: what\n"
        "'feynn born data' writes, safetensors, an npy folder or text, told apart by the\n"
        "path) by Adam on the mean squared error (module train), and saves it as F64\n"
        "safetensors (readable by 'feynn taylor' and 'feynn born verify').\n"
        "With --residual-of the network is trained on the residual a_0 - sum_k T_k[F_k](U),\n"
        "where F_k is the k-th model listed and T_k its k-th Taylor term at U = 0: the\n"
        "iterative perturbation theory of doc/math.md 2.4 (F2 = train on the residual of F1).\n"
        "Convention: " FY_BORN_CONVENTION ".\n"
        "\n"
        "Options:\n"
        "  -o, --output MODEL   output file (default model.safetensors)\n"
        "  --hidden W1,W2,..    hidden widths (default 64,64)\n"
        "  --activation A       tanh (default), sigmoid, sin, softplus\n"
        "  --epochs N           Adam epochs (default 200)\n"
        "  --batch B            minibatch rows (default 128)\n"
        "  --lr X               learning rate (default 1e-3, cosine schedule)\n"
        "  --lbfgs N            full-batch L-BFGS polishing iterations (default 0)\n"
        "  --seed S             seed (default 1)\n"
        "  --residual-of LIST   comma-separated models F1,F2,...: train on the residual\n"
        "  --quiet              no progress lines on stderr\n"
        "  -h, --help           this help\n");
}

int fy_born_train_cmd(int argc, char **argv)
{
    enum
    {
        O_HIDDEN = 256, O_ACT, O_EPOCHS, O_BATCH, O_LR, O_LBFGS, O_SEED, O_RESID, O_QUIET
    };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"hidden", required_argument, NULL, O_HIDDEN},
        {"activation", required_argument, NULL, O_ACT},
        {"epochs", required_argument, NULL, O_EPOCHS},
        {"batch", required_argument, NULL, O_BATCH},
        {"lr", required_argument, NULL, O_LR},
        {"lbfgs", required_argument, NULL, O_LBFGS},
        {"seed", required_argument, NULL, O_SEED},
        {"residual-of", required_argument, NULL, O_RESID},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "born train", *out = "model.safetensors", *resid = NULL;
    fy_train_opts_t opts;
    fy_train_report_t rep;
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_borntaylor_kept_t kt;
    fy_born_nn_progress_t pc = {"born train", 10};
    fy_born_data_t data;
    double x;
    long v;
    int c, quiet = 0, status;

    fy_error_init(err);
    fy_train_opts_init(opts);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case 'o':
            out = optarg;
            break;
        case O_HIDDEN:
            if (fy_train_opts_set_hidden(opts, optarg, err) != FY_OK)
                return fy_cli_usage_error(cmd, "--hidden: %s", err->msg);
            break;
        case O_ACT:
            opts->activation = optarg;
            break;
        case O_EPOCHS:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--epochs", 0, 10000000))
                return 2;
            opts->epochs = (int) v;
            break;
        case O_BATCH:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--batch", 1, 100000000))
                return 2;
            opts->batch_size = v;
            break;
        case O_LR:
            if (fy_born_nn_parse_double(&x, cmd, optarg, "--lr", 1e-12, 10))
                return 2;
            opts->lr = x;
            break;
        case O_LBFGS:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--lbfgs", 0, 10000000))
                return 2;
            opts->lbfgs_iters = (int) v;
            break;
        case O_SEED:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--seed", 0, LONG_MAX))
                return 2;
            opts->seed = (uint64_t) v;
            break;
        case O_RESID:
            resid = optarg;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case 'h':
            train_usage(stdout);
            return 0;
        default:
            return fy_cli_usage_error(cmd, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return fy_cli_usage_error(cmd, "expected one DATA file");
    if (opts->epochs == 0 && opts->lbfgs_iters == 0)
        return fy_cli_usage_error(cmd, "--epochs 0 without --lbfgs trains nothing: the saved "
                                  "model would be the random initial network; give --epochs N "
                                  "or --lbfgs N with N >= 1");
    if (!quiet)
    {
        opts->progress = fy_born_nn_progress;
        opts->progress_ctx = &pc;
        pc.every = opts->epochs >= 100 ? opts->epochs / 10 : 10;
    }
    fy_rules_init(rules);
    fy_net_init(net);
    fy_train_report_init(rep);
    fy_born_data_init(data);
    fy_borntaylor_kept_init(kt);
    status = fy_born_data_read(data, argv[optind], err);
    if (status == FY_OK && resid != NULL)
    {
        status = fy_rules_load_default(rules, err);
        if (status == FY_OK)
            status = fy_borntaylor_kept_load(kt, resid, rules, (int) data->d, err);
    }
    if (status == FY_OK)
    {
        long N = (long) data->n;
        int d = (int) data->d;
        if (!quiet)
            fprintf(stderr, "born train: %ld samples, %d steps, range %g%s%s\n", N, d, data->R,
                    resid ? ", residual of " : "", resid ? resid : "");
        status = resid ? fy_train_mlp_residual(net, data->U, data->a0, N, d,
                                               fy_borntaylor_kept_eval, kt, opts, rep, err)
                       : fy_train_mlp(net, data->U, data->a0, N, d, opts, rep, err);
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
    return status == FY_OK ? 0 : fy_cli_fail(cmd, err);
}

/* ------------------------------------------------------------------ born verify */

static void verify_usage(FILE *fp)
{
    fprintf(fp,
        "Usage: feynn born verify MODEL [--order N] [--data HELDOUT] [--heldout N]\n"
        "                         [--range R] [--tol X] [--tol-heldout X] [--format text|json]\n"
        "                         [-o FILE]\n"
        "\n"
        "Compares the Taylor tensors at U = 0 of MODEL (an MLP mapping the D step heights of a\n"
        "potential on (0, R] to a_0) with the exact Born tensors d^n a_0(0), n = 1..N: relative\n"
        "Frobenius error, largest entry error, cosine, the per-diagram contributions (diagram\n"
        "engine) with the largest ones, and on held-out potentials the relative RMS error of\n"
        "T_n[F](U) = (1/n!) d^n F(0)[U,..,U] against a_0^(n)(U) and of the truncated series.\n"
        "Separately it checks exactly that the identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U)\n"
        "holds for the true map (doc/math.md 2.4).  A MODEL without the metadata of 'feynn born\n"
        "train' is taken as a map of its D inputs on (0, R] (a note says so); one with other\n"
        "than one output, or whose stored step count differs from its inputs, is refused.\n"
        "Convention: " FY_BORN_CONVENTION ".\n"
        "\n"
        "Options:\n"
        "  --order N          highest order (1..%d, default 2)\n"
        "  --data PATH        held-out potentials (what 'feynn born data' writes, in any of\n"
        "                     its formats: safetensors, npy folder, text); default: %d\n"
        "                     fresh ones (margin 0.5, seed 987654321)\n"
        "  --heldout N        number of fresh held-out potentials (0: none)\n"
        "  --range R          range when MODEL does not store it (default 1)\n"
        "  --tol X            exit 1 when the relative Frobenius error of order N exceeds X\n"
        "  --tol-heldout X    exit 1 when the held-out error of order N exceeds X\n"
        "  --identity K       potentials of the exact identity check (default 3)\n"
        "  --format F         text (default) or json (doc/schema/born-verify.schema.json)\n"
        "  -o, --output FILE  output file (default standard output)\n"
        "  -h, --help         this help\n"
        "Exit status: 0 checks passed, 1 a tolerance was not met, 2 bad usage or input.\n",
        FY_BORNTAYLOR_MAX_ORDER, 200);
}

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

int fy_born_verify_cmd(int argc, char **argv)
{
    enum
    {
        O_ORDER = 256, O_DATA, O_HELD, O_RANGE, O_TOL, O_TOLH, O_IDENT, O_FORMAT
    };
    static const struct option longopts[] = {
        {"order", required_argument, NULL, O_ORDER},
        {"data", required_argument, NULL, O_DATA},
        {"heldout", required_argument, NULL, O_HELD},
        {"range", required_argument, NULL, O_RANGE},
        {"tol", required_argument, NULL, O_TOL},
        {"tol-heldout", required_argument, NULL, O_TOLH},
        {"identity", required_argument, NULL, O_IDENT},
        {"format", required_argument, NULL, O_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "born verify", *out = "-", *data = NULL, *model;
    int assumed = 0; /* 1: no Born metadata; 2: range assumed (3: both) */
    fy_error_t err;
    fy_rules_t rules;
    fy_net_t net;
    fy_net_opts_t nopts;
    fy_born_data_t held;
    fy_borntaylor_verify_t bv;
    fy_ofile_t of;
    double R = NAN, tol = NAN, tolh = NAN, x;
    long v, nheld = 200;
    int order = 2, ident = 3, fmt = FY_FMT_TEXT, c, status, failed = 0;

    fy_error_init(err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_ORDER:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--order", 1, FY_BORNTAYLOR_MAX_ORDER))
                return 2;
            order = (int) v;
            break;
        case O_DATA:
            data = optarg;
            break;
        case O_HELD:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--heldout", 0, 1000000))
                return 2;
            nheld = v;
            break;
        case O_RANGE:
            if (fy_born_nn_parse_double(&x, cmd, optarg, "--range", 1e-300, 1e300))
                return 2;
            R = x;
            break;
        case O_TOL:
            if (fy_born_nn_parse_double(&tol, cmd, optarg, "--tol", 0, 1e300))
                return 2;
            break;
        case O_TOLH:
            if (fy_born_nn_parse_double(&tolh, cmd, optarg, "--tol-heldout", 0, 1e300))
                return 2;
            break;
        case O_IDENT:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--identity", 0, 1000))
                return 2;
            ident = (int) v;
            break;
        case O_FORMAT:
            fmt = fy_cli_parse_format(cmd, optarg, (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON));
            if (fmt < 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'h':
            verify_usage(stdout);
            return 0;
        default:
            return fy_cli_usage_error(cmd, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return fy_cli_usage_error(cmd, "expected one MODEL file");
    model = argv[optind];
    fy_rules_init(rules);
    fy_net_init(net);
    fy_net_opts_init(nopts);
    fy_born_data_init(held);
    fy_borntaylor_verify_init(bv);
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = fy_net_load(net, model, nopts, err);
    if (status == FY_OK)
        status = model_assumptions(&R, &assumed, net, model, err);
    if (status == FY_OK && data != NULL)
    {
        status = fy_born_data_read(held, data, err);
        if (status == FY_OK && (held->d != (slong) net->widths[0] ||
                                fabs(held->R - R) > 1e-12 * R))
            status = fy_error_set(err, FY_EINPUT, "%s: %ld steps on (0, %g], but %s takes %zu "
                                  "steps on (0, %g]", data, (long) held->d, held->R, model,
                                  net->widths[0], R);
    }
    else if (status == FY_OK && nheld > 0)
        status = fy_born_data_generate(held, nheld, (slong) net->widths[0], R, 0.5, 987654321u,
                                       0, err);
    if (status == FY_OK)
        status = fy_borntaylor_verify(bv, net, rules, order, R, held->U, held->a0,
                                      (long) held->n, ident, order < 3 ? order : 3, NULL, err);
    if (status == FY_OK)
    {
        failed = !fy_borntaylor_verify_judge(bv, tol, tolh, model);
        status = fy_ofile_open(of, out, err);
    }
    if (status == FY_OK)
    {
        if (fmt == FY_FMT_JSON)
            status = fy_borntaylor_verify_write_json(of->fp, bv, err);
        else
        {
            fprintf(of->fp, "model: %s (%zu steps on (0, %g]%s)\n", model, net->widths[0], R,
                    assumed >= 2 ? ", range assumed" : assumed ? ", no Born metadata" : "");
            fy_borntaylor_verify_write_text(of->fp, bv, "");
            if (!isnan(tol) || !isnan(tolh))
                fprintf(of->fp, "tolerance: %s\n", failed ? "NOT met" : "met");
        }
        if (status == FY_OK)
            status = fy_ofile_commit(of, err);
        else
            fy_ofile_abort(of);
    }
    fy_borntaylor_verify_clear(bv);
    fy_born_data_clear(held);
    fy_net_clear(net);
    fy_rules_clear(rules);
    if (status != FY_OK)
        return fy_cli_fail(cmd, err);
    return failed ? 1 : 0;
}
