/* feynn/borntaylor.h - the Born-Taylor verification of trained networks and its experiment
 * (layer 4; MATH.md 2.4).
 *
 * The physics side (step potentials, exact Born terms and tensors, a_0 in ball arithmetic,
 * data sets) is the born module; the network side (Taylor tensors of an MLP, diagrams,
 * training) is mlp, eval, enumerate and train.  This module joins them, and is kept apart from
 * born so that born stays free of the network layers:
 *   - the verification (fy_borntaylor_verify): the Taylor tensors at U = 0 of a network F
 *     (fused recursion of the mlp module, and diagram by diagram through the eval module for
 *     the per-diagram contributions) against the exact Born tensors d^n a_0(0) for n = 1..N:
 *     relative Frobenius error (entries weighted by their multinomials), largest entry error,
 *     cosine; on held-out potentials the relative RMS error of T_n[F](U) = (1/n!) d^n F(0)
 *     [U,..,U] against the exact a_0^(n)(U), and of the truncated series sum_{k<=n} T_k[F]
 *     against the Born partial sums and against a_0.  Separately it checks, exactly, that the
 *     Born tensors contracted with U give n! a_0^(n)(U) from the univariate transfer-matrix
 *     series (the identity for the true map, kept apart from the agreement of the network);
 *   - the demonstration (fy_borntaylor_demo_run): data, the network F_1, the iterative scheme
 *     F_2 trained on a_0 - T_1, the verification of both, the Born partial sums, a report
 *     (text and JSON, doc/schema/demo.schema.json), CSV files, figures and the largest
 *     diagrams, written to a results folder;
 *   - networks saved with the Born metadata (range, steps, convention) that `feynn taylor` and
 *     `feynn born verify` read.
 * Nothing here lets the Taylor coefficients or the Born tensors into training: they are only
 * used to verify. */
#ifndef FEYNN_BORNTAYLOR_H
#define FEYNN_BORNTAYLOR_H

#include <stdint.h>
#include <stdio.h>

#include "feynn/born.h"
#include "feynn/error.h"
#include "feynn/graph.h"
#include "feynn/io.h"
#include "feynn/par.h"
#include "feynn/rules.h"
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Generator purposes of the module (rng.h; sample.h uses 16..18, inn.h 40..49). */
enum
{
    FY_RNG_PURPOSE_BORN_BOX = 24,     /* the symmetric-box potentials of the demo */
    FY_RNG_PURPOSE_BORN_IDENTITY = 25 /* rational potentials of the exact identity check */
};

/* Highest order verified, and number of largest diagrams reported per order. */
#define FY_BORNTAYLOR_MAX_ORDER 6
#define FY_BORNTAYLOR_TOP 5

/* ------------------------------------------------------------------ verification */

typedef struct
{
    int order;
    double rel_frobenius;       /* ||d^n F(0) - d^n a_0(0)|| / ||d^n a_0(0)|| */
    double max_abs_err;         /* largest entry error */
    double max_abs_exact;       /* largest exact entry (for scale) */
    double cosine;              /* <model, exact> / (|model| |exact|), same weights */
    double norm_model, norm_exact;
    double rel_heldout;         /* relative RMS of T_n[F](U) against a_0^(n)(U) */
    double rel_partial;         /* relative RMS of sum_{k<=n} T_k[F] against sum a_0^(k) */
    double rel_partial_a0;      /* relative RMS of sum_{k<=n} T_k[F] against a_0 (NaN: none) */
    double rel_born_partial_a0; /* the same for the exact Born partial sums (reference) */
    long n_diagrams;
    double diagram_sum_err;     /* rel. Frobenius of (sum over diagrams) against the fused */
    int n_top;
    long top[FY_BORNTAYLOR_TOP];          /* indices into diagrams, largest norm first */
    double top_share[FY_BORNTAYLOR_TOP];  /* its weighted Frobenius norm / the model's */
    char *top_shape[FY_BORNTAYLOR_TOP];
    double top_rel_exact[FY_BORNTAYLOR_TOP]; /* its norm / that of the exact tensor */
} fy_borntaylor_order_struct;

typedef struct
{
    int N, d;
    double R;
    fy_borntaylor_order_struct ord[FY_BORNTAYLOR_MAX_ORDER];
    fy_symtensor_struct model[FY_BORNTAYLOR_MAX_ORDER + 1]; /* d^k F(0), double, k = 0..N */
    fy_symtensor_struct exact[FY_BORNTAYLOR_MAX_ORDER];     /* d^n a_0(0), exact, at [n-1] */
    fy_diagram_list_struct diagrams[FY_BORNTAYLOR_MAX_ORDER]; /* per order n at [n-1] */
    double value0;               /* F(0) */
    long n_heldout;
    double *heldout_terms;       /* n_heldout x N: T_n[F](U) */
    double *heldout_born;        /* n_heldout x N: a_0^(n)(U) */
    int identity_K;              /* potentials of the exact identity check */
    int identity_ok;             /* 1 when the exact identity held for every one */
    /* the verdict (fy_borntaylor_verify_judge; judged 0 before) */
    int judged, passed;
    double tol, tol_heldout;     /* NaN: not asked */
    const char *model_name;      /* not owned; NULL: none */
} fy_borntaylor_verify_struct;
typedef fy_borntaylor_verify_struct fy_borntaylor_verify_t[1];

void fy_borntaylor_verify_init(fy_borntaylor_verify_t bv);
void fy_borntaylor_verify_clear(fy_borntaylor_verify_t bv);

/* Runs the verification of net (one output, d = width[0] inputs: the heights of d equal steps
 * on (0, R]) through order N (1..FY_BORNTAYLOR_MAX_ORDER).  Uheld (n_held x d) and a0held
 * (n_held, or NULL) are held-out potentials; n_held may be 0.  identity_K random rational
 * potentials (fixed seed) check the exact identity.  Per-diagram contributions for the orders
 * n <= diagram_order_max.  log: progress lines (NULL: none).  bv is re-made. */
int fy_borntaylor_verify(fy_borntaylor_verify_t bv, const fy_net_t net, const fy_rules_t rules,
                         int N, double R, const double *Uheld, const double *a0held,
                         long n_held, int identity_K, int diagram_order_max, FILE *log,
                         fy_error_t err);

/* The verdict at order N: passed unless the relative Frobenius error exceeds tol, the held-out
 * error exceeds tol_heldout (NaN: not asked), or the exact identity was checked and failed.
 * model_name (not copied) names the model in the reports.  Returns bv->passed. */
int fy_borntaylor_verify_judge(fy_borntaylor_verify_t bv, double tol, double tol_heldout,
                               const char *model_name);

/* The report as JSON (doc/schema/born-verify.schema.json; with model, tol, tol_heldout and
 * passed when judged), indented, with a final newline. */
int fy_borntaylor_verify_write_json(FILE *fp, const fy_borntaylor_verify_t bv,
                                    fy_error_t err);
/* The report as text, every line prefixed by indent. */
void fy_borntaylor_verify_write_text(FILE *fp, const fy_borntaylor_verify_t bv,
                                     const char *indent);

/* sqrt(sum_i (a_i - b_i)^2 / sum_i b_i^2) over a[i * stride], b[i * stride], i < n: NaN for
 * n = 0, +inf when b = 0 and a != b. */
double fy_borntaylor_rel_rms(const double *a, const double *b, long n, long stride);

/* ------------------------------------------------------------------ networks */

/* Saves net as F64 safetensors with metadata feynn.born.range, feynn.born.steps,
 * feynn.born.convention (and feynn.born.residual_of, feynn.born.note when not NULL). */
int fy_borntaylor_net_save(const char *path, const fy_net_t net, double R,
                           const char *residual_of, const char *note, fy_error_t err);

/* What the Born metadata of a saved network says: *R the range (NaN: none stored), *steps the
 * step count (-1: none stored).  A file that cannot be read gives NaN and -1. */
void fy_borntaylor_net_meta(double *R, long *steps, const char *path);

/* The known function of the iterative scheme (MATH.md 2.4): K(U) = sum_k T_k[F_k](U) =
 * sum_k (1/k!) d^k F_k(0)[U,..,U], the k-th Taylor term at U = 0 of the k-th network, so that
 * F_{K+1} is trained on a_0 - K(U). */
typedef struct
{
    int K;                  /* networks F_1..F_K (K <= FY_BORNTAYLOR_MAX_ORDER) */
    fy_symtensor_struct *T; /* K double tensors, T[k-1] = d^k F_k(0) */
} fy_borntaylor_kept_struct;
typedef fy_borntaylor_kept_struct fy_borntaylor_kept_t[1];

void fy_borntaylor_kept_init(fy_borntaylor_kept_t kt);
void fy_borntaylor_kept_clear(fy_borntaylor_kept_t kt);
/* Loads F_1, F_2, ... from the comma-separated model paths (each with d inputs) and keeps the
 * k-th tensor of the k-th.  kt is re-made. */
int fy_borntaylor_kept_load(fy_borntaylor_kept_t kt, const char *list, const fy_rules_t rules,
                            int d, fy_error_t err);
/* out[i] = K(X[i * d .. i * d + d - 1]); a fy_train_fn with ctx a fy_borntaylor_kept_struct *. */
int fy_borntaylor_kept_eval(double *out, const double *X, long n, int d, void *ctx,
                            fy_error_t err);

/* ------------------------------------------------------------------ data for the demo */

/* The training distribution of the default demo: U_j ~ U(-A, A) independently on d equal steps
 * of (0, R] (attractive and repulsive steps mixed, U = 0 in the middle of the data).  Every
 * sample is checked with the born module to have a Born series that converges at coupling
 * 1 + margin: radius of convergence min(lambda_1^+, lambda_1^-) > 1 + margin (else redrawn;
 * for A R^2 < (pi/2)^2 / (1 + margin) no draw fails, by Sturm comparison with the square
 * well).  Uniforms from rng.h keyed by (seed, FY_RNG_PURPOSE_BORN_BOX): sample i, draw t,
 * step j is the uniform (stream i, index t d + j), so a sample does not depend on the others.
 * a_0 in ball arithmetic (17 digits), rounded.  *min_radius: the smallest certified lower
 * bound of the radius over the samples.  data is re-made; n >= 1, 1 <= d <= 64, R > 0,
 * 0 < A, margin >= 0.  FY_ECHECK after more than 100 n + 1000 redraws. */
int fy_borntaylor_box_generate(fy_born_data_t data, double *min_radius, long n, int d, double R,
                               double A, double margin, uint64_t seed, fy_error_t err);

/* out[i] = a_0 of the potential X[i * d .. i * d + d - 1] on d equal steps of (0, R], in ball
 * arithmetic to 17 digits and rounded (the known function of the data; a fy_train_fn when
 * ctx points to the double R). */
int fy_borntaylor_a0_batch(double *out, const double *X, long n, int d, void *ctx,
                           fy_error_t err);

/* ------------------------------------------------------------------ the demonstration */

/* The targets of the demo: first order, relative Frobenius error of grad F_1(0) against c3;
 * second order, relative RMS of T_2[F_2](U) against a_0^(2)(U) on held-out potentials. */
#define FY_BORNTAYLOR_TARGET_FIRST 0.03
#define FY_BORNTAYLOR_TARGET_SECOND 0.15
/* Points in lambda and Born orders of the partial-sum figure (born_partial_sums.csv). */
#define FY_BORNTAYLOR_DEMO_NPTS 41
#define FY_BORNTAYLOR_DEMO_NB 6
#define FY_BORNTAYLOR_DEMO_MAX_FILES 32

/* The training distributions of the demo (the field box of the settings). */
enum
{
    FY_BORNTAYLOR_DATA_RAYS = 0,      /* shallow attractive directions along rays, mirrored */
    FY_BORNTAYLOR_DATA_BOX = 1,       /* the symmetric box (fy_borntaylor_box_generate) */
    FY_BORNTAYLOR_DATA_ATTRACTIVE = 2 /* [KM]: random shallow attractive potentials only
                                         (fy_born_data_generate), U = 0 on the boundary */
};

typedef struct
{
    int quick;              /* the small settings (recorded in the report) */
    int box;                /* the training distribution, FY_BORNTAYLOR_DATA_* */
    double box_a;           /* half width of the box */
    int d;                  /* steps */
    double R, margin;       /* range; margin of the Born-series convergence of the data */
    long n1, nheld;         /* training potentials (rays: directions) and held-out ones */
    long n_dirs, n_per;     /* rays: directions and points per ray */
    double s_min, s_max, emphasis; /* rays: scales along the rays and their density */
    int mirror;             /* rays: every other point mirrored to -U */
    int first_exact;        /* F_2 trained on a_0 - c3.U (1) or a_0 - T_1[F_1] (0) */
    const char *hidden1, *hidden2;   /* hidden widths "32,32" */
    int epochs1, epochs2, lbfgs1, lbfgs2, ensemble, identity_K;
    double wpower, wpower1; /* sample weights (|U|^2 + floor^2)^(-P/2) of F_2, F_1 (0: none) */
    uint64_t seed;
    const char *dir;        /* the results folder (created) */
    FILE *log;              /* progress lines (NULL: none) */
} fy_borntaylor_demo_opts_struct;
typedef fy_borntaylor_demo_opts_struct fy_borntaylor_demo_opts_t[1];

/* The settings of `feynn demo` (and `--quick`) for the training distribution box
 * (FY_BORNTAYLOR_DATA_*; the attractive one trains as the box does but with 5000 and 10000
 * L-BFGS iterations for F_1 and F_2 and F_2's samples weighted with power 2); dir
 * "feynn-demo", seed 1, log NULL. */
void fy_borntaylor_demo_opts_init(fy_borntaylor_demo_opts_t o, int quick, int box);

typedef struct
{
    fy_borntaylor_demo_opts_struct o;  /* the settings run */
    double t0;                         /* wall time at the start (fy_wall_time) */
    fy_born_data_t data, held;         /* training data (box, or the ray directions), held-out */
    /* held-out data of two distributions (issue 10, item 3): held, above, holds physical
     * shallow attractive potentials (fy_born_data_generate, seed_phys), on which every Taylor
     * term is compared; held_own is drawn from the training distribution itself (seed_own) */
    fy_born_data_t held_own;
    uint64_t seed_own, seed_phys;
    double f1_rel_a0_own;     /* relative RMS of F_1 against a_0 on held_own */
    long phys_inside;         /* box: physical held-out potentials inside the training box */
    long n2;                           /* training samples */
    double min_radius;                 /* box: smallest certified radius of convergence */
    double *X, *y;                     /* n2 x d training potentials and their a_0 */
    fy_net_t F1, F2;
    fy_borntaylor_verify_t bv1, bv2;   /* orders 1, 2 of F_1 and F_2 on the held-out data */
    double *c3, *grad1, *grad2;        /* d: the exact gradient, those of F_1 and F_2 */
    double *Hexact, *H1, *H2;          /* d x d: -2K and the Hessians of F_1, F_2 */
    double *proxy;                     /* held-out: A_2 = T_1[F_1] + T_2[F_2] */
    /* a_0(lambda U) of the first held-out potential against its Born partial sums: rows
     * (lambda, a_0, S_1..S_NB, F_1, A_2) */
    double partial[FY_BORNTAYLOR_DEMO_NPTS * (4 + FY_BORNTAYLOR_DEMO_NB)];
    double f1_rel_a0;     /* relative RMS of F_1 against a_0 (the physical held-out) */
    double proxy_rel, proxy_rel_a0, born2_rel_a0; /* A_2 against a^(1) + a^(2), a_0; the same
                                                     for the exact Born sum */
    double grad2_ratio;   /* |grad F_2(0)| / |c3| */
    int first_met, second_met;
    int plots, dots, have_dot;  /* PDF figures written; diagram PDFs; Graphviz dot found */
    int nfiles;
    const char *files[FY_BORNTAYLOR_DEMO_MAX_FILES]; /* written, in order (static strings) */
    double t_data, t_f1, t_f2, t_ver;
} fy_borntaylor_demo_struct;
typedef fy_borntaylor_demo_struct fy_borntaylor_demo_t[1];

void fy_borntaylor_demo_init(fy_borntaylor_demo_t demo);
void fy_borntaylor_demo_clear(fy_borntaylor_demo_t demo);

/* Runs the demonstration with the settings o and writes its results folder o->dir: the data
 * (data.safetensors, heldout.safetensors), the networks (F1.safetensors, F2.safetensors), CSV
 * files of every figure (gradient, hessian, heldout, born_partial_sums), PDF figures when
 * fy_plot_available(), the three largest diagrams of F_2's Hessian (DOT, and PDF through
 * Graphviz's dot when found), report.json (doc/schema/demo.schema.json) and report.txt.
 * Held-out potentials of the training distribution (heldout_own.safetensors) measure how well
 * F_1 learned a_0 there; physical shallow attractive ones (heldout.safetensors) measure F_1
 * there too and carry the Taylor-term comparisons, each labelled in the report.
 * FY_OK when it ran (whether or not the targets were met: demo->first_met, second_met). */
int fy_borntaylor_demo_run(fy_borntaylor_demo_t demo, const fy_borntaylor_demo_opts_t o,
                           const fy_rules_t rules, fy_error_t err);

/* The report (as report.json and report.txt hold it). */
int fy_borntaylor_demo_write_json(FILE *fp, const fy_borntaylor_demo_t demo, fy_error_t err);
void fy_borntaylor_demo_write_text(FILE *fp, const fy_borntaylor_demo_t demo);

/* ------------------------------------------------------------------ scans over seeds
 * (seeds, issue 15): the demo run for a list of seeds, each seed one job of fy_par_scan (so
 * under mpirun the seeds are spread over the ranks with dynamic load balance), the small
 * records gathered in seed order on rank 0 and summarised. */

/* One seed's figures (as that seed's report.json holds them). */
typedef struct
{
    uint64_t seed;
    double first;          /* rel. Frobenius of grad F_1(0) against c3 (first_order) */
    double second;         /* rel. RMS of T_2[F_2] against a_0^(2) held-out (second_order) */
    double f1_own, f1_phys; /* rel. RMS of F_1 against a_0: own / physical held-out */
    int first_met, second_met;
} fy_borntaylor_seed_row_struct;

typedef struct
{
    long n;                            /* seeds */
    fy_borntaylor_seed_row_struct *row; /* n rows in the order of the list */
    int quick, box, ranks;
    double mean_first, sd_first, max_first;    /* sd: n - 1 denominator, 0 for one seed */
    double mean_second, sd_second, max_second;
    long n_first_met, n_second_met, n_met;     /* seeds meeting each target, both */
    int kept;                          /* 1: each seed's folder kept as DIR/seed-S */
    double time_s;
} fy_borntaylor_seeds_struct;
typedef fy_borntaylor_seeds_struct fy_borntaylor_seeds_t[1];

void fy_borntaylor_seeds_init(fy_borntaylor_seeds_t S);
void fy_borntaylor_seeds_clear(fy_borntaylor_seeds_t S);

/* Collective over p.  Runs fy_borntaylor_demo_run with the settings o (o->seed and o->dir
 * replaced; o->log gets one line per seed) for seeds[0..nseeds-1] (1..1024 of them, no
 * repeats), each seed a job of fy_par_scan.  dir: each seed's results folder is dir/seed-S
 * (written by the rank that ran it, so give dir only where every rank sees it: with one rank);
 * NULL: each seed writes to a temporary folder (under $TMPDIR, else /tmp) removed after it.
 * On rank 0, S holds the rows in the order of seeds and the summary; elsewhere only n.
 * resume (issue 15): store (rank 0's, opened by the caller; NULL or unopened: none) gets each
 * seed as a chunk when it is done (its row and, with dir, the files of its folder), and a
 * restarted run reads the seeds already there back (store->resumed, ->refused count them),
 * writing dir/seed-S of such a seed from the chunk where it is absent; the run's name is
 * extended with every setting of o (but seed, dir, log), the seeds, the rules' contents and
 * whether folders are kept, so seeds of any other run are recomputed. */
int fy_borntaylor_demo_seeds(fy_borntaylor_seeds_t S, const fy_borntaylor_demo_opts_t o,
                             const uint64_t *seeds, long nseeds, const char *dir,
                             const fy_rules_t rules, fy_par_store_t store, const fy_par_t p,
                             fy_error_t err);

/* The summary as JSON (doc/schema/demo-seeds.schema.json), indented, final newline; as text
 * (one row per seed, mean, spread, largest, seeds meeting the targets; last line the time). */
int fy_borntaylor_seeds_write_json(FILE *fp, const fy_borntaylor_seeds_t S, fy_error_t err);
int fy_borntaylor_seeds_write_text(FILE *fp, const fy_borntaylor_seeds_t S, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
