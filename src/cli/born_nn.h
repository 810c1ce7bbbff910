/* born_nn.h - the Born-Taylor verification of a trained network (MATH.md 2.4), shared by
 * `feynn born verify` and `feynn demo` (layer 5, internal).
 *
 * fy_bv_run compares the Taylor tensors at U = 0 of a network F (fused recursion of the mlp
 * module, and diagram by diagram through the eval module for the per-diagram contributions)
 * with the exact Born tensors d^n a_0(0) (born module) for n = 1..N: relative Frobenius error
 * (dense tensors, sorted entries weighted by their multinomials), largest entry error, cosine;
 * on held-out potentials the relative RMS error of T_n[F](U) = (1/n!) d^n F(0)[U,..,U] against
 * the exact a_0^(n)(U), and of the truncated series sum_{k<=n} T_k[F] against the Born partial
 * sums and against a_0.  Separately it checks, exactly, that the Born tensors contracted with U
 * give n! a_0^(n)(U) from the univariate transfer-matrix series (the identity for the true map,
 * which holds at every order, kept apart from the agreement of the network). */
#ifndef FEYNN_CLI_BORN_NN_H
#define FEYNN_CLI_BORN_NN_H

#include <stdio.h>

#include <jansson.h>

#include "feynn/error.h"
#include "feynn/graph.h"
#include "feynn/io.h"
#include "feynn/rules.h"
#include "feynn/series.h"

#include "feynn/train.h"

#define FY_BV_MAX_ORDER 6
#define FY_BV_TOP 5

typedef struct
{
    int order;
    double rel_frobenius;     /* ||d^n F(0) - d^n a_0(0)|| / ||d^n a_0(0)|| */
    double max_abs_err;       /* largest entry error */
    double max_abs_exact;     /* largest exact entry (for scale) */
    double cosine;            /* <model, exact> / (|model| |exact|), same weights */
    double norm_model, norm_exact;
    double rel_heldout;       /* relative RMS of T_n[F](U) against a_0^(n)(U) */
    double rel_partial;       /* relative RMS of sum_{k<=n} T_k[F] against sum_{k<=n} a_0^(k) */
    double rel_partial_a0;    /* relative RMS of sum_{k<=n} T_k[F] against a_0 (NaN: no a_0) */
    double rel_born_partial_a0; /* the same for the exact Born partial sums (reference) */
    long n_diagrams;
    double diagram_sum_err;   /* rel. Frobenius of (sum over diagrams) against the fused tensor */
    int n_top;
    long top[FY_BV_TOP];      /* indices into diagrams (largest weighted norm first) */
    double top_share[FY_BV_TOP]; /* its weighted Frobenius norm / that of the whole tensor */
    char *top_shape[FY_BV_TOP];
    double top_rel_exact[FY_BV_TOP]; /* its norm / that of the exact tensor */
} fy_bv_order_struct;

typedef struct
{
    int N, d;
    double R;
    int act_ok;                  /* 1 when every activation has derivatives at 0 */
    fy_bv_order_struct ord[FY_BV_MAX_ORDER];
    fy_symtensor_struct model[FY_BV_MAX_ORDER + 1]; /* d^k F(0), double, k = 0..N */
    fy_symtensor_struct exact[FY_BV_MAX_ORDER];     /* d^n a_0(0), exact, n = 1..N at [n-1] */
    fy_diagram_list_struct diagrams[FY_BV_MAX_ORDER]; /* per order n at [n-1] */
    double value0;               /* F(0) */
    long n_heldout;
    double *heldout_terms;       /* n_heldout x N: T_n[F](U) */
    double *heldout_born;        /* n_heldout x N: a_0^(n)(U) */
    int identity_K;              /* potentials of the exact identity check */
    int identity_ok;             /* 1 when the exact identity held for every one */
} fy_bv_struct;
typedef fy_bv_struct fy_bv_t[1];

void fy_bv_init(fy_bv_t bv);
void fy_bv_clear(fy_bv_t bv);

/* Runs the verification of net (scalar output, d = width[0] inputs, equal steps on (0, R])
 * through order N (1..FY_BV_MAX_ORDER).  Uheld (n_held x d) and a0held (n_held, or NULL) are
 * the held-out potentials; n_held may be 0.  identity_K random rational potentials (seeded)
 * check the exact identity.  progress on stderr when verbose. */
int fy_bv_run(fy_bv_t bv, const fy_net_t net, const fy_rules_t rules, int N, double R,
              const double *Uheld, const double *a0held, long n_held, int identity_K,
              int diagram_order_max, int verbose, fy_error_t err);

/* Relative RMS of sum_i (a_i - b_i)^2 / sum_i b_i^2 (strided arrays). */
double fy_bv_rel_rms(const double *a, const double *b, long n, long stride);

/* Report pieces. */
json_t *fy_bv_json(const fy_bv_t bv);
void fy_bv_text(FILE *fp, const fy_bv_t bv, const char *indent);

/* Weighted (multinomial) inner products of two double symmetric tensors of one shape. */
double fy_bv_dot(const fy_symtensor_t x, const fy_symtensor_t y);

/* Helpers of cmd_born_nn.c shared with cmd_demo.c. */
/* Progress callback (train.h): ctx is a fy_born_nn_progress_t. */
typedef struct
{
    const char *label;
    int every;
} fy_born_nn_progress_t;
int fy_born_nn_progress(void *ctx, const fy_train_progress_struct *p);
int fy_born_nn_parse_double(double *v, const char *cmd, const char *s, const char *name,
                            double lo, double hi);
int fy_born_nn_parse_long(long *v, const char *cmd, const char *s, const char *name, long lo,
                          long hi);
/* Reads U (N x d) and a0 (N) of a `feynn born data` file and its range (metadata R, else 1). */
int fy_born_nn_read_data(double **U, double **a0, long *N, int *d, double *R, const char *path,
                         fy_error_t err);
/* Saves net as F64 safetensors with metadata feynn.born.range/steps/convention (and
 * residual_of, note when not NULL). */
int fy_born_nn_save(const char *path, const fy_net_t net, double R, const char *residual_of,
                    const char *note, fy_error_t err);
#endif
