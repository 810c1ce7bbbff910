/* feynn/train.h - MLP regression training (layer 3, models).
 *
 * A small, complete trainer for the networks whose Taylor expansions feynn studies: a
 * multilayer perceptron (MATH.md 1.1, linear output) fitted to scalar targets by minibatch
 * Adam on the (optionally weighted) mean squared error, in float64, with a cosine or step
 * learning-rate schedule, decoupled weight decay, a validation split with early stopping
 * (the best network seen is kept), and optional full-batch L-BFGS polishing at the end.
 * Dense products go through cblas_dgemm when the build has CBLAS, else through plain loops
 * (one small gemm wrapper); minibatches are cut into a fixed number of chunks that OpenMP
 * threads process independently and whose gradients are then summed serially in chunk order,
 * so that the result does not depend on the thread count.  Randomness (initialisation,
 * validation split, shuffling) comes from the generator of rng.h keyed by opts->seed
 * (purposes FY_RNG_PURPOSE_TRAIN_*; a weight's draw is keyed by its position, epoch e's shuffle
 * by stream e): the same seed gives bit-identical weights.
 *
 * Inputs and targets may be standardised for training; the scaling is folded back into the
 * first and last layers, so the network written to `out` maps raw inputs to raw targets.
 * This matters here: the Taylor expansion (mlp.h, `feynn taylor`) is taken of the saved
 * network, at raw U = 0.
 *
 * Tools for the iterative perturbation theory of MATH.md 2.4 (train F_k on the residual
 * a_0 - sum_{j<k} T_j[F_j]): fy_train_mlp_residual subtracts a known function (a callback;
 * linear, quadratic and network callbacks are provided) from the targets before training;
 * fy_train_rays builds data along rays U = s w with small-|U| emphasis; fy_train_weights_small
 * weights samples towards small |U|; fy_net_ensemble saves an ensemble average as one wider
 * network (block-diagonal concatenation, output weights / K).  Nothing here looks at the
 * Taylor coefficients of the network during training: matching them is what is verified
 * afterwards, so it must not be trained for. */
#ifndef FEYNN_TRAIN_H
#define FEYNN_TRAIN_H

#include <stdint.h>

#include "feynn/error.h"
#include "feynn/io.h"
#include "feynn/rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of hidden layers. */
#define FY_TRAIN_MAX_HIDDEN 16

typedef enum
{
    FY_TRAIN_SCHED_CONSTANT = 0,
    FY_TRAIN_SCHED_COSINE = 1, /* lr_min + (lr - lr_min) (1 + cos(pi t / T)) / 2, per step */
    FY_TRAIN_SCHED_STEP = 2    /* lr * step_gamma^floor(epoch / step_epochs) */
} fy_train_sched_t;

typedef enum
{
    FY_TRAIN_SCALE_NONE = 0,
    FY_TRAIN_SCALE_STANDARD = 1, /* (v - mean) / std per column, on the training split */
    FY_TRAIN_SCALE_RMS = 2       /* v / rms per column: no shift, so 0 stays at 0 */
} fy_train_scale_t;

/* What a progress callback sees after every epoch and every L-BFGS iteration. */
typedef struct
{
    const char *phase; /* "adam" or "lbfgs" */
    int step;          /* epoch (from 1) or L-BFGS iteration (from 1) */
    int total;         /* epochs or L-BFGS iterations requested */
    double train_loss; /* MSE in raw target units */
    double val_loss;   /* MSE on the validation split, raw units (NaN without one) */
    double lr;         /* learning rate of the last step (Adam), step length (L-BFGS) */
} fy_train_progress_struct;

/* Returns 0 to go on, nonzero to stop training (the best network so far is kept). */
typedef int (*fy_train_progress_fn)(void *ctx, const fy_train_progress_struct *p);

/* A known function of the inputs: out[i] = f(X[i*d .. i*d+d-1]) for i < n. */
typedef int (*fy_train_fn)(double *out, const double *X, long n, int d, void *ctx,
                           fy_error_t err);

typedef struct
{
    int n_hidden;                     /* hidden layers (0: a linear model) */
    int hidden[FY_TRAIN_MAX_HIDDEN];  /* their widths */
    const char *activation;           /* an activation the rules define (default tanh) */
    const fy_rules_struct *rules;     /* where it is looked up (NULL: the default rules,
                                       * fy_rules_load_default, loaded by the trainer) */
    int epochs;                       /* Adam epochs (0: none, e.g. L-BFGS only) */
    long batch_size;                  /* minibatch rows (>= n_train: full batch) */
    double lr, lr_min;                /* learning rate; floor of the cosine schedule */
    fy_train_sched_t schedule;
    int step_epochs;                  /* step schedule: decay every this many epochs */
    double step_gamma;                /* and by this factor */
    double beta1, beta2, eps;         /* Adam */
    double weight_decay;              /* decoupled (AdamW), weights only, not biases */
    double val_fraction;              /* share of rows held out for validation (0: none) */
    int patience;                     /* early stopping: epochs without improvement (0: off) */
    double min_delta;                 /* relative improvement that counts */
    uint64_t seed;
    int threads;                      /* OpenMP threads (0: the OpenMP default) */
    int use_blas;                     /* 1: cblas_dgemm when built with CBLAS; 0: plain loops */
    long chunk_rows;                  /* rows per work chunk (fixed: not per thread) */
    fy_train_scale_t scale_x, scale_y;
    double init_gain;                 /* weights ~ N(0, gain^2 / fan_in); 0: per activation */
    double init_bias_std;             /* hidden biases ~ N(0, this^2) (default 0) */
    int lbfgs_iters;                  /* full-batch L-BFGS polishing iterations (0: none) */
    int lbfgs_m;                      /* L-BFGS history */
    double lbfgs_gtol;                /* stop when max |grad| (standardised units) is below */
    const double *sample_weight;      /* N weights >= 0 for the loss, or NULL (all 1) */
    const fy_net_struct *init_net;    /* start from this network (raw units) instead of a
                                       * random one; its shape must match */
    int progress_bar;                 /* 1 on, 0 off (default), -1 when stderr is a terminal */
    fy_train_progress_fn progress;    /* called after each epoch / L-BFGS iteration, or NULL */
    void *progress_ctx;
} fy_train_opts_struct;
typedef fy_train_opts_struct fy_train_opts_t[1];

/* Defaults: 2 hidden layers of 64, tanh, 200 epochs, batch 128, lr 1e-3 cosine to 1e-5,
 * Adam (0.9, 0.999, 1e-8), no weight decay, validation 10 %, patience 30, seed 1, CBLAS if
 * built, chunks of 64 rows, standard scaling of inputs and target, no L-BFGS (m = 10). */
void fy_train_opts_init(fy_train_opts_t o);
/* Parses "64,64" (or "64-64", or "" for none) into o->hidden. */
int fy_train_opts_set_hidden(fy_train_opts_t o, const char *widths, fy_error_t err);

typedef struct
{
    int epochs_run;         /* Adam epochs done */
    int best_epoch;         /* epoch of the kept network (0: the initial one) */
    int stopped_early;      /* 1: patience ran out; 2: the progress callback stopped it */
    double *train_loss;     /* epochs_run entries: mean minibatch MSE (raw units) */
    double *val_loss;       /* epochs_run entries: validation MSE (raw units; NaN: none) */
    double initial_val_loss; /* of the initial network (raw units; NaN: no validation) */
    double best_val_loss;   /* of the kept network (NaN without validation) */
    double final_train_loss; /* full training split MSE of the kept network (raw units) */
    int lbfgs_iters_run;
    double lbfgs_train_before, lbfgs_train_after; /* full-batch MSE around polishing */
    double lbfgs_val_before, lbfgs_val_after;
    long n_train, n_val;
    double time_s;          /* wall-clock seconds, all of it */
    double adam_time_s, lbfgs_time_s; /* of the two phases alone */
    int threads;            /* threads used */
    int blas;               /* 1 when cblas_dgemm did the products */
    /* The standardisation used (length d, and the target's), and the network in
     * standardised units before folding (for checks). */
    int d;
    double *x_shift, *x_scale;
    double y_shift, y_scale;
    fy_net_t net_std;
} fy_train_report_struct;
typedef fy_train_report_struct fy_train_report_t[1];

void fy_train_report_init(fy_train_report_t r);
void fy_train_report_clear(fy_train_report_t r);

/* Trains an MLP on N rows X (N x d, row-major) with targets y (N) and writes it (raw units,
 * activations named, linear output) to out, which is cleared first.  report may be NULL.
 * The activation is the rules' definition of opts->activation (feynn/rules.h): its value and
 * first derivative in double (fy_activation_eval_d), so that training with a new activation
 * is an edit of a rules file.  tanh, sigmoid, sin, softplus and identity run on closed forms
 * (tanh vectorised, fy_train_tanh) when the rules' definition of that name agrees with them.
 * Refuses with FY_EINPUT: N < 2, d < 1, non-finite X, y or weights, negative weights, an
 * activation the rules do not define (the message names the rules' files), an init_net of
 * another shape, a split that leaves no training rows; an activation with no double values
 * (no function expression in its rules file) is refused with the definition's error. */
int fy_train_mlp(fy_net_t out, const double *X, const double *y, long N, int d,
                 const fy_train_opts_t opts, fy_train_report_t report, fy_error_t err);

/* The same on the residual y - f(X) with a known function f (the iterative scheme: f the
 * sum of the kept Taylor terms of earlier networks).  The network learns the residual only;
 * f is not part of it. */
int fy_train_mlp_residual(fy_net_t out, const double *X, const double *y, long N, int d,
                          fy_train_fn f, void *f_ctx, const fy_train_opts_t opts,
                          fy_train_report_t report, fy_error_t err);

/* The trainer's loss of a network (raw units, nothing standardised): sum_i w_i (F(x_i) -
 * y_i)^2 / sum_i w_i over the N rows X (N x d), y (w: opts->sample_weight, or 1), and, when
 * grad is not NULL, its gradient with respect to the parameters in the order layer 1 W
 * (row-major, n_1 x n_0) then b, layer 2 W then b, ...: the same forward and backward pass as
 * training, for checks (finite differences) and for callers that run their own optimiser.
 * Every hidden layer must have the same activation, looked up like the trainer's (opts->rules;
 * NULL: the default rules); the output is linear and scalar.  opts->use_blas is honoured. */
int fy_train_loss_grad(double *loss, double *grad, const fy_net_t net, const double *X,
                       const double *y, long N, int d, const fy_train_opts_t opts,
                       fy_error_t err);

/* ------------------------------------------------------------------ known functions */

/* c0 + sum_j c[j] x_j + (1/2) sum_jk H[j*d+k] x_j x_k; c and H may be NULL (absent).  Covers
 * T_1 (c = gradient) and T_1 + T_2 (H = Hessian) of MATH.md 2.4. */
typedef struct
{
    int d;
    double c0;
    const double *c;
    const double *H;
} fy_train_poly_struct;
/* ctx: a fy_train_poly_struct *. */
int fy_train_fn_poly(double *out, const double *X, long n, int d, void *ctx, fy_error_t err);
/* ctx: a fy_net_struct * (a network with a scalar output); uses fy_net_eval. */
int fy_train_fn_net(double *out, const double *X, long n, int d, void *ctx, fy_error_t err);

/* ------------------------------------------------------------------ networks */

/* out[i] = F(X row i) for a network with linear output whose activations the rules define
 * (looked up as the trainer does: closed forms for tanh, sigmoid, sin, softplus, identity
 * where the rules agree, libm's functions; the rules' definition in double otherwise); output
 * o of n_out outputs is out[i*n_out + o].  FY_EINPUT when net->widths[0] != d or a layer's
 * activation is not in the rules (naming the layer), FY_EUNSUPPORTED for an output
 * activation.  Plain loops, independent of the trainer's kernels.  fy_net_eval looks the
 * activations up in the default rules (fy_rules_load_default, loaded for the call). */
int fy_net_eval_rules(double *out, const fy_net_t net, const fy_rules_struct *rules,
                      const double *X, long N, int d, fy_error_t err);
int fy_net_eval(double *out, const fy_net_t net, const double *X, long N, int d, fy_error_t err);

/* One network computing the average of K networks of the same depth, input and output
 * widths and activations: layer 1 stacks the members' first layers, hidden layers are block
 * diagonal, the last layer concatenates the members' output weights divided by K and averages
 * their biases.  Widths may differ between members.  Output activations are refused. */
int fy_net_ensemble(fy_net_t out, const fy_net_struct *members, int K, fy_error_t err);

/* ------------------------------------------------------------------ kernels (issue 16) */

/* out[i] = tanh(x[i]) for i < n (out == x allowed), the activation of the trainer's passes:
 * within 8 ulp of tanh for every double (measured 2.7; tested against tanhl and libm's tanh),
 * NaN and signed zeros kept, and the same bits on every processor, vector width and position
 * in the array (an AVX2 path chosen at run time repeats the C path's operations). */
void fy_train_tanh(double *out, const double *x, size_t n);

/* ------------------------------------------------------------------ data tools */

/* Data along rays: for each of n_dirs directions w (rows of dirs, d entries) and n_per scales
 * s = s_min + (s_max - s_min) u^emphasis (u uniform in (0,1): rng.h keyed by seed, purpose
 * TRAIN_RAYS, stream i, index k; emphasis > 1 puts more points at small |U|), row
 * X[(i*n_per + k)*d ..] = s w_i and y = f(that row) when f is given (y may be NULL otherwise).
 * X has n_dirs * n_per rows. */
int fy_train_rays(double *X, double *y, const double *dirs, long n_dirs, int d, int n_per,
                  double s_min, double s_max, double emphasis, uint64_t seed, fy_train_fn f,
                  void *f_ctx, fy_error_t err);

/* Sample weights emphasising small inputs: w_i proportional to (|x_i|^2 + floor^2)^(-power/2),
 * normalised to mean 1.  With power = 2k, the weighted MSE of a residual that is O(|U|^k)
 * measures its relative error. */
int fy_train_weights_small(double *w, const double *X, long N, int d, double power,
                           double floor, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
