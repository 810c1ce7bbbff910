/* Internal pieces of the train module: random numbers, activations, the gemm wrapper and the
 * model layout shared by the trainer (train.c), its kernels (kernel.c) and the network tools
 * (net_tools.c). */
#ifndef FEYNN_TRAIN_INTERNAL_H
#define FEYNN_TRAIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "feynn/rng.h"
#include "feynn/rules.h"
#include "feynn/train.h"

/* ------------------------------------------------------------------ random numbers */
/* The one generator of rng.h (purposes FY_RNG_PURPOSE_TRAIN_*): every draw is a function of
 * (seed, purpose, stream, index), never of the order of the calls. */

/* The index floor(u (n + 1)) in [0, n] from the uniform (stream, k), n >= 0. */
long _fy_rng_index(const fy_rng_t r, uint64_t stream, uint64_t k, long n);
/* Fisher-Yates: a[0..n) permuted by the uniforms k = n - 1, ..., 1 of the stream. */
void _fy_rng_shuffle(long *a, long n, const fy_rng_t r, uint64_t stream);

/* ------------------------------------------------------------------ activations */
/* An activation of the trainer is the rules' definition of its name (feynn/rules.h), evaluated
 * in double by fy_activation_eval_d; a closed form stands for it where the definition of that
 * name agrees with it (the fast paths: tanh through fy_train_tanh, sigmoid, sin, softplus,
 * identity through libm, the same bits as before the rules route). */

typedef enum
{
    FY_ACT_TANH = 0,
    FY_ACT_SIGMOID,
    FY_ACT_SIN,
    FY_ACT_SOFTPLUS,
    FY_ACT_IDENTITY,
    FY_ACT_RULES /* no closed form: the rules' definition */
} fy_act_t;

typedef struct
{
    int kind;              /* fy_act_t */
    fy_activation_t def;   /* the rules' definition (a copy) */
} fy_tact_struct;

void _fy_tact_init(fy_tact_struct *A);
void _fy_tact_clear(fy_tact_struct *A);
/* A from the definition of name in rules: FY_EINPUT naming the rules' files (and what they
 * define) when it is not there, the definition's error when it has no double values. */
int _fy_tact_set(fy_tact_struct *A, const char *name, const fy_rules_struct *rules,
                 fy_error_t err);
const char *_fy_tact_name(const fy_tact_struct *A);
/* *use = given, or the default rules loaded into own (initialised by the caller, who clears
 * it after) when given is NULL. */
int _fy_train_rules(fy_rules_t own, const fy_rules_struct **use, const fy_rules_struct *given,
                    fy_error_t err);
/* a[i] = sigma(z[i]) (a == z allowed). */
void _fy_act_forward(double *a, const double *z, size_t n, const fy_tact_struct *A);
/* g[i] *= sigma'(z[i]), given z and a = sigma(z). */
void _fy_act_backward(double *g, const double *z, const double *a, size_t n,
                      const fy_tact_struct *A);

/* fy_train_tanh with the AVX2 path (vector != 0, where the processor has it) or the C path
 * alone (for the test of their bit-identity). */
void _fy_train_tanh_path(double *out, const double *x, size_t n, int vector);

/* ------------------------------------------------------------------ dense products */

/* Row-major C (M x N) = alpha op(A) op(B) + beta C, op = transpose when ta/tb; cblas_dgemm
 * when blas and the build has CBLAS, else plain loops. */
void _fy_gemm(int blas, int ta, int tb, int M, int N, int K, double alpha, const double *A,
              int lda, const double *B, int ldb, double beta, double *C, int ldc);

/* ------------------------------------------------------------------ the model */

typedef struct
{
    int L;          /* affine layers */
    int w[FY_TRAIN_MAX_HIDDEN + 2]; /* widths 0..L */
    size_t woff[FY_TRAIN_MAX_HIDDEN + 2], boff[FY_TRAIN_MAX_HIDDEN + 2]; /* layer l at [l] */
    size_t np;      /* parameters */
    const fy_tact_struct *act; /* the hidden layers' activation */
    int blas;
    int sumw;       /* sum of widths 1..L */
    int maxw;       /* widest layer 0..L */
} fy_tmodel_struct;

/* Per-thread scratch for rows of a chunk. */
typedef struct
{
    long rows;
    double *X;      /* rows x w[0] */
    double *ZA;     /* for each layer l >= 1: Z (rows x w[l]) then A (rows x w[l]) */
    double *g1, *g2; /* rows x maxw */
} fy_twork_struct;

int _fy_twork_alloc(fy_twork_struct *ws, const fy_tmodel_struct *m, long rows, fy_error_t err);
void _fy_twork_free(fy_twork_struct *ws);

/* Loss sum_i w_i (F(x_i) - y_i)^2 over the c rows idx[0..c-1] of Xs (n x w[0]) and, when grad
 * is not NULL, its gradient (overwritten, m->np entries).  wt may be NULL (weights 1).
 * pred, when not NULL, receives the c outputs. */
double _fy_chunk_loss_grad(double *grad, double *pred, const fy_tmodel_struct *m,
                           const double *P, const double *Xs, const double *ys,
                           const double *wt, const long *idx, long c, fy_twork_struct *ws);

#endif
