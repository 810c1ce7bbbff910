/* feynn/mlp.h - MLP propagators, vertices and Taylor tensors (layer 3, models).
 *
 * An fy_mlp_t holds a multilayer perceptron (MATH.md 1.1) in one arithmetic (double, Arb
 * ball at a precision, or exact rationals), its activations (from the rule files), and, after
 * fy_mlp_set_point, the expansion point xbar with the pre-activations z^(l) there and the
 * vertex values sigma_l^(k)(z^(l)_a) for k = 0..order (MATH.md 1.2).  From these it computes
 *   - propagators D^(l,m) = W^(l) S^(l-1) ... S^(m+1) W^(m+1) (matrices, CBLAS in double);
 *   - the symmetric derivative tensors d^k F_o / dx_I at xbar, k = 0..n, stored by sorted
 *     multi-index (series.h), by the fused layer recursion of MATH.md 1.6: Faa di Bruno once
 *     per layer (by the last slot: 2^(k-1) products per entry of order k), vectorised over the
 *     neurons of a layer, with the contraction over neurons done as a dense product per layer
 *     (dgemm in double).  Orders below n go through the layers in one buffer; order n, most
 *     of the entries, goes through all layers in chunks of a few hundred rows that stay in
 *     cache, shared among OpenMP threads (src/mlp/tensors_tpl.c).  In ball arithmetic up to
 *     128 bits, when the weights are exact doubles (binary files), the rows are balls in block
 *     floating point (126-bit mantissas sharing an exponent and a radius, num/fxball.h): the
 *     dense products are exact dgemm calls on 21-bit digits and the radius bounds every
 *     truncation; other networks and higher precisions use Arb balls entry by entry;
 *   - whole tensors of orders 2, 3, 4 in double also by the diagram factorisation
 *     (fy_mlp_tensor_diagrams: the diagrams grouped by their lowest vertex as low-rank terms
 *     over the neurons, a few dense products), and of every order and arithmetic by the
 *     diagrams grouped along their spine (fy_mlp_tensor_spine); fy_mlp_job_compute takes
 *     these routes where they are the faster;
 *   - single entries (the same recursion on the few input columns the entry uses);
 *   - Taylor coefficients along a direction v to any order (univariate Taylor arithmetic per
 *     neuron: the series of z^(l)(xbar + t v), composed with sigma by Horner's rule), and the
 *     value of the Taylor polynomial at a displacement h.
 * The same sums are available diagram by diagram through the eval module (eval.h):
 * fy_mlp_eval_model binds the "mlp" theory's kinds to this network's tensors.
 *
 * Exact arithmetic needs rational vertex values: polynomial activations with rational weights
 * and inputs, or tanh, sin, sigmoid at zero pre-activation (zero biases at xbar = 0); any
 * other case is refused by fy_mlp_set_point with FY_EUNSUPPORTED naming the layer, neuron,
 * activation and pre-activation, and advising ball arithmetic.  ReLU (piecewise linear)
 * networks have vanishing vertices; fy_mlp_notes says so.
 *
 * An output activation (net's last layer) is one more vertex layer: it is represented as an
 * extra identity layer, so L here is then one more than in the file. */
#ifndef FEYNN_MLP_H
#define FEYNN_MLP_H

#include <stddef.h>

#include <flint/fmpq_mpoly.h>

#include "feynn/error.h"
#include "feynn/eval.h"
#include "feynn/io.h"
#include "feynn/num.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default limit on the working memory of one tensor computation (bytes); see max_bytes: the
 * process-wide memory limit of feynn/util.h when the model is made. */
#define FY_MLP_DEFAULT_MAX_BYTES (fy_memory_limit())
/* Largest order of a full tensor (Faa di Bruno over Bell(n) set partitions per entry). */
#define FY_MLP_MAX_TENSOR_ORDER 10
/* Largest order of directional coefficients. */
#define FY_MLP_MAX_ORDER 100000

typedef struct
{
    fy_arith_t arith;
    slong prec;                /* ball precision in bits (kept for all arithmetics) */
    int L;                     /* affine layers (hidden layers 1..L-1) */
    int *width;                /* width[0..L] */
    fy_numvec_struct *W;       /* W[l], l = 1..L: width[l] x width[l-1], row-major */
    fy_numvec_struct *b;       /* b[l], l = 1..L */
    fy_activation_struct *act; /* act[l], l = 1..L-1 (copies); act[0] unused */
    int output_activation;     /* 1: layer L is the identity added for an output activation */
    fy_numvec_struct xbar;     /* expansion point (width[0]) */
    fy_numvec_struct *z;       /* z[l], l = 1..L, at xbar */
    fy_numvec_struct *s;       /* s[l], l = 1..L-1: (order+1) x width[l], entry k*width[l]+a is
                                * sigma_l^(k)(z^(l)_a) */
    int order;                 /* vertex values known for k = 0..order; -1 before set_point */
    size_t max_bytes;          /* working-memory limit of tensor computations */
    fy_progress_struct *progress; /* optional (NULL: none): a bar updated as the layers of a
                                   * tensor computation finish (total set by the computation) */
    char notes[512];           /* remarks (ReLU vertices vanish, ...); "" when none */
    int abs_terms;             /* 0 (fy_mlp_init); 1: the directional route runs its activation
                                * Taylor recurrences on absolute values (|p|, |z|), for the
                                * sum of |terms| that scales rounding errors (W, s and the
                                * direction are made absolute by the caller) */
} fy_mlp_struct;
typedef fy_mlp_struct fy_mlp_t[1];

void fy_mlp_init(fy_mlp_t m);
void fy_mlp_clear(fy_mlp_t m);

/* Takes the network's weights into arithmetic `arith` (exact: the net's exact rationals when
 * it has them, else its doubles as dyadic rationals; ball: exact doubles, or rationals rounded
 * to prec bits as balls) and looks every activation up in rules.  A missing activation or an
 * unknown name is FY_EINPUT.  Resets the expansion point. */
int fy_mlp_set_net(fy_mlp_t m, const fy_net_t net, const fy_rules_t rules, fy_arith_t arith,
                   slong prec, fy_error_t err);

/* Forward pass at xbar (NULL: the origin; otherwise width[0] entries in any arithmetic,
 * converted exactly where possible) and the vertex values for k = 0..order.  FY_EUNSUPPORTED
 * in exact arithmetic when a value is irrational. */
int fy_mlp_set_point(fy_mlp_t m, const fy_numvec_t xbar, int order, fy_error_t err);

/* F(xbar)_o = z^(L)_o, as a vector of length 1. */
int fy_mlp_value(fy_numvec_t val, const fy_mlp_t m, int output, fy_error_t err);

/* D^(l,k) for 0 <= k < l <= L: width[l] x width[k], row-major, in m's arithmetic. */
int fy_mlp_propagator(fy_numvec_t D, const fy_mlp_t m, int l, int k, fy_error_t err);

/* sigma_l^(k)(z^(l)_a) for a = 0..width[l]-1, hidden layer 1 <= l <= L-1, 0 <= k <= order. */
int fy_mlp_vertex(fy_numvec_t v, const fy_mlp_t m, int l, int k, fy_error_t err);

/* Bytes the fused recursion needs for the tensors of orders <= n (with dim inputs); SIZE_MAX
 * on overflow.  fy_mlp_derivatives refuses (FY_ENOMEM, with the estimate) above max_bytes. */
size_t fy_mlp_tensor_bytes(const fy_mlp_t m, int dim, int n);

/* T[k] = d^k F_o / dx^k at xbar for k = 0..n (T an array of n + 1 initialised symmetric
 * tensors; they are re-made with dim = width[0] and order k).  n <= the order given to
 * fy_mlp_set_point and n <= FY_MLP_MAX_TENSOR_ORDER. */
int fy_mlp_derivatives(fy_symtensor_struct *T, const fy_mlp_t m, int output, int n,
                       fy_error_t err);
/* Only the order-n tensor. */
int fy_mlp_tensor(fy_symtensor_t T, const fy_mlp_t m, int output, int n, fy_error_t err);

/* One entry d^n F_o / dx_{idx[0]} ... dx_{idx[n-1]} (any order of idx), as a vector of length
 * 1; costs a tensor computation over the distinct indices of idx only. */
int fy_mlp_entry(fy_numvec_t val, const fy_mlp_t m, int output, const int *idx, int n,
                 fy_error_t err);

/* Taylor coefficients along v: c[k] = (1/k!) d^k/dt^k F_o(xbar + t v) at t = 0, k = 0..n
 * (c gets n + 1 entries; v has width[0] entries in m's arithmetic).  n <= order. */
int fy_mlp_directional(fy_numvec_t c, const fy_mlp_t m, int output, const fy_numvec_t v, int n,
                       fy_error_t err);

/* The Taylor polynomial of order n at displacement h: sum_{k<=n} (1/k!) d^kF[h,..,h]. */
int fy_mlp_taylor_value(fy_numvec_t val, const fy_mlp_t m, int output, const fy_numvec_t h,
                        int n, fy_error_t err);

/* The diagram engine's view of this network (eval.h) for the "mlp" theory: vertex kinds
 * input/output give ones, "vertex" at layer l with k children gives sigma_l^(k)(z^(l)); line
 * kind "propagator" from m up to l gives D^(l,m).  model keeps a pointer to m. */
void fy_mlp_eval_model(fy_eval_model_t model, const fy_mlp_t m);

/* Symbolic tensors (src/mlp/symbolic.c): the order-n entries of d^n F_o as polynomials with
 * exact rational coefficients in the symbols s_{l,a,k} = sigma_l^(k)(z^(l)_a) (hidden layer l,
 * neuron a, k = 1..n), for any activation and point (the vertex values are not evaluated).
 * m must hold exact weights (fy_mlp_set_net with FY_ARITH_EXACT; no expansion point needed).
 * fy_mlp_symbolic_vars: the symbol names (malloc'd strings in a malloc'd array, nvars of
 * them, in the variable order of the context to create: fmpq_mpoly_ctx_init(ctx, nvars,
 * ORD_LEX)).  fy_mlp_symbolic_tensor: T (C(d+n-1, n) initialised polynomials) by sorted
 * multi-index; refused (FY_ENOMEM) above FY_MLP_SYMBOLIC_MAX_CELLS polynomials of work. */
#define FY_MLP_SYMBOLIC_MAX_CELLS 2000000
int fy_mlp_symbolic_vars(char ***names, slong *nvars, const fy_mlp_t m, int n, fy_error_t err);
int fy_mlp_symbolic_tensor(fmpq_mpoly_struct *T, const fy_mlp_t m, int output, int n,
                           const fmpq_mpoly_ctx_t ctx, fy_error_t err);

/* ------------------------------------------------------------------ the multi-route check
 * (src/mlp/check.c; the engine of `feynn taylor --check`, for every application to call).
 *
 * A job names one computation on a network: the whole order-N tensor, one entry (a sorted
 * multi-index) or the directional coefficients c_0..c_N along v, at the exact point xbar (NULL:
 * the origin).  fy_mlp_job_fused computes it by the fused recursion, fy_mlp_job_diagrams by the
 * sum over the MLP diagrams (eval.h; along a direction the diagrams give c_N only),
 * fy_mlp_job_jet by the Taylor-mode AD (jet.h), each in any arithmetic.  fy_mlp_check_run
 * recomputes a fused result by the other routes and arithmetics and compares them: exact
 * against exact equal, a ball containing the exact value, balls overlapping, a double within
 * tol times its error scale (the same computation on absolute values: the sum of |terms| that
 * rounding errors are relative to) of the other value.  A route that cannot run is skipped
 * with its reason (at most 4 kept). */
enum
{
    FY_MLP_JOB_TENSOR = 0,
    FY_MLP_JOB_ENTRY = 1,
    FY_MLP_JOB_DIRECTION = 2
};
/* The diagram route of a whole tensor costs (entries x N! x diagrams) evaluations; the jet
 * route of a whole tensor one jet per interpolation direction: above these, skipped. */
#define FY_MLP_CHECK_MAX_DIAGRAM_WORK 2e6
#define FY_MLP_CHECK_MAX_JET_DIRS 200000
#define FY_MLP_CHECK_MAX_ROUTES 8
#define FY_MLP_CHECK_MAX_CMP 24

typedef struct
{
    const fy_net_struct *net;
    const fy_rules_struct *rules;
    const fy_numvec_struct *xbar; /* exact point, or NULL (the origin) */
    const fy_numvec_struct *v;    /* exact direction (FY_MLP_JOB_DIRECTION) */
    const int *idx;               /* sorted multi-index of order `order` (FY_MLP_JOB_ENTRY) */
    int mode, order;
    int progress;                 /* progress bars: -1 when stderr is a terminal, 0 off, 1 on */
} fy_mlp_job_struct;

/* res = the job's result by the fused recursion in arith at prec (tensor entries by sorted
 * multi-index, one entry, or c_0..c_N); m is (re)set to the network at the point. */
int fy_mlp_job_fused(fy_numvec_t res, const fy_mlp_job_struct *job, fy_arith_t arith,
                     slong prec, fy_mlp_t m, fy_error_t err);
/* The sum over diagrams in m's arithmetic (m set to the network and point): per-diagram values
 * (entry, direction) in vals and their sum in sum; for a whole tensor the sum only.  list gets
 * the diagrams; pr (may be disabled) counts them. */
int fy_mlp_job_diagrams(fy_numvec_t sum, fy_numvec_t vals, fy_diagram_list_t list,
                        const fy_mlp_t m, const fy_mlp_job_struct *job, fy_progress_t pr,
                        fy_error_t err);
/* The Taylor-mode AD route in arith, laid out as fy_mlp_job_fused.  When the route would be
 * too large, why (whylen bytes) gets the reason and FY_OK is returned with res unset. */
int fy_mlp_job_jet(fy_numvec_t res, const fy_mlp_job_struct *job, fy_arith_t arith,
                   slong prec, char *why, size_t whylen, fy_error_t err);
/* FY_EUNSUPPORTED naming route and order when a double result has an entry that is not
 * finite (an intermediate value passed the double range); FY_OK otherwise. */
int fy_mlp_double_finite(const fy_numvec_t v, const char *route, int order, fy_error_t err);

typedef struct
{
    int n;                                          /* routes; route 0 is the result */
    const char *name[FY_MLP_CHECK_MAX_ROUTES];      /* "fused", "fused/exact", "jet", ... */
    fy_numvec_struct *val[FY_MLP_CHECK_MAX_ROUTES];
    slong from[FY_MLP_CHECK_MAX_ROUTES];
    int ncmp;
    struct
    {
        int a, b;         /* routes compared */
        const char *how;  /* "equal", "ball contains exact", "balls overlap", "within stated
                           * error" */
        double diff;      /* largest |difference| */
        int agree;
    } cmp[FY_MLP_CHECK_MAX_CMP];
    char skipped[4][1400]; /* routes not run, with the reason */
    int nskip;
    double tol;            /* relative tolerance of double results */
    fy_numvec_struct *scale; /* per entry: the error scale of double results, or NULL */
} fy_mlp_check_struct;
typedef fy_mlp_check_struct fy_mlp_check_t[1];

/* An empty check with tolerance tol for double results. */
void fy_mlp_check_init(fy_mlp_check_t c, double tol);
void fy_mlp_check_clear(fy_mlp_check_t c);
/* Runs every route on job, whose fused result in arith at prec is res (route 0, copied), and
 * the comparisons.  Errors of the other routes become skipped routes; an error of the chosen
 * arithmetic's diagram route (other than a double overflow) is returned. */
int fy_mlp_check_run(fy_mlp_check_t c, const fy_numvec_t res, const fy_mlp_job_struct *job,
                     fy_arith_t arith, slong prec, fy_error_t err);
/* 1 when every comparison agreed; *worst the largest difference. */
int fy_mlp_check_agree(const fy_mlp_check_t c, double *worst);

/* ------------------------------------------------ reusable workspace (issue 16, src/mlp/mlp.c)
 * A workspace keeps the tables of the fused recursion between calls (FLINT's _init/fit_length
 * habit): blocks are handed out zeroed and kept, never returned to the allocator until
 * fy_mlp_work_clear, so that a loop of fy_mlp_derivatives_work calls (many points, one
 * network) allocates nothing and touches no fresh page after the first.  Double arithmetic
 * uses it; balls and exact rationals (whose entries own memory) run as fy_mlp_derivatives.
 * One workspace serves one call at a time. */
typedef struct
{
    void **buf;            /* blocks kept between calls */
    size_t *size;          /* their sizes in bytes */
    unsigned char *busy;   /* handed out in the present call */
    int n, alloc;
    fy_numvec_struct all;  /* the kernel's output entries (orders 1..n) */
    int have_all;
} fy_mlp_work_struct;
typedef fy_mlp_work_struct fy_mlp_work_t[1];

void fy_mlp_work_init(fy_mlp_work_t w);
void fy_mlp_work_clear(fy_mlp_work_t w);
/* Bytes the workspace holds. */
size_t fy_mlp_work_bytes(const fy_mlp_work_t w);

/* fy_mlp_derivatives with the tables from w; T[k] whose arithmetic, dimension and order
 * already fit are filled in place (not re-made). */
int fy_mlp_derivatives_work(fy_symtensor_struct *T, const fy_mlp_t m, int output, int n,
                            fy_mlp_work_t w, fy_error_t err);

/* The order-3 tensor d^3 F_o by the diagram factorisation (src/mlp/diagram3.c, issue 16): a
 * sum over the hidden neurons a of symmetrised rank-1 terms built from v_a (a row of
 * D^(p,0)) and t_a (the upper vertices seen from a), done as one dgemm over all neurons; double
 * arithmetic with CBLAS only (FY_EUNSUPPORTED otherwise).  An independent route to
 * fy_mlp_tensor(T, m, output, 3) (the fused recursion).  w: a workspace for its tables (kept
 * between calls: no allocation or fresh pages per call), or NULL. */
int fy_mlp_tensor3_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output,
                            fy_mlp_work_struct *w, fy_error_t err);

/* The order-n tensor d^n F_o by the diagrams (src/mlp/diagram3.c, spine_tpl.c; issue 16), any
 * order 2..FY_MLP_DIAGRAM_MAX_ORDER and every arithmetic.  Two groupings of the same sum:
 *   - orders 2, 3, 4 in double with CBLAS (FY_MLP_FACTORISED_MAX_ORDER): the diagrams grouped
 *     by their lowest vertex give symmetrised low-rank terms over the hidden neurons (order 2:
 *     V^T diag(g s'') V; order 3: rank-1 terms in v_a and t_a, one dgemm; order 4: pair terms
 *     (v_a v_a) (x) Q_a with Q_a symmetric d x d, contracted in blocks of rows), the sums over
 *     upper layers by one backward accumulation each;
 *   - every other case by fy_mlp_tensor_spine (the diagrams grouped along their spine).
 * Up to FY_MLP_DIAGRAM_MAX_LAYERS hidden layers (FY_EUNSUPPORTED otherwise); T is re-made
 * unless it already has dimension width[0], order n and m's arithmetic.  w: workspace for the
 * double tables (or NULL; balls and rationals allocate per call).
 * fy_mlp_tensor3_diagrams is the case n = 3.  fy_mlp_tensor_diagrams_applies: 1 when the
 * route takes m (order, depth, memory) at order n; fy_mlp_tensor_diagrams_factorised: 1 when
 * it takes the lowest-vertex factorisation there. */
#define FY_MLP_DIAGRAM_MAX_ORDER FY_MLP_MAX_TENSOR_ORDER
#define FY_MLP_FACTORISED_MAX_ORDER 4
#define FY_MLP_DIAGRAM_MAX_LAYERS 256
int fy_mlp_tensor_diagrams(fy_symtensor_t T, const fy_mlp_t m, int output, int n,
                           fy_mlp_work_struct *w, fy_error_t err);
int fy_mlp_tensor_diagrams_applies(const fy_mlp_t m, int n);
int fy_mlp_tensor_diagrams_factorised(const fy_mlp_t m, int n);
/* Working memory of fy_mlp_tensor_diagrams at order n (bytes, the result not counted; SIZE_MAX
 * on overflow); above m->max_bytes the route is refused (FY_ENOMEM) and does not apply. */
size_t fy_mlp_tensor_diagrams_bytes(const fy_mlp_t m, int n);

/* The order-n tensor d^n F_o (1 <= n <= FY_MLP_MAX_TENSOR_ORDER, n <= the point's order) by the
 * diagrams grouped along their spine, the path from the first slot's leaf to the output
 * (src/mlp/spine_tpl.c, written once for double, balls and exact rationals): with the adjoint
 * lambda^(p) = dF/dz^(p) = sigma_p'(z^(p)) .* W^(p+1)^T lambda^(p+1),
 *     d^n F_{i J} = sum_a W^(1)_{a i} d_J lambda^(1)_a   (|J| = n - 1, i <= min J),
 * the derivatives of lambda by Leibniz's rule layer by layer from those of sigma_p'(z^(p))
 * (Faa di Bruno, forward pass): only orders below n are tabulated, and per layer two dense
 * products of C(d+n-2, n-1) rows.  T is re-made unless it fits (dimension width[0], order n,
 * m's arithmetic).  w: a workspace for the double tables (no allocation or fresh pages per
 * call), or NULL.  fy_mlp_tensor_spine_bytes: its working memory (the result not counted);
 * above m->max_bytes refused with FY_ENOMEM. */
int fy_mlp_tensor_spine(fy_symtensor_t T, const fy_mlp_t m, int output, int n,
                        fy_mlp_work_struct *w, fy_error_t err);
size_t fy_mlp_tensor_spine_bytes(const fy_mlp_t m, int n);

/* The dense array (row-major, dim^order entries) of a symmetric tensor given by its entries
 * by sorted multi-index (sym, C(dim + order - 1, order) of them; src/mlp/dense.c): a depth-
 * first walk carrying the rank of the sorted prefix through tables of ranks, one lookup per
 * dense entry and no sort or rank per entry.  out holds dim^order doubles (the caller's
 * size check).  FY_EINPUT outside orders 0..FY_MLP_MAX_TENSOR_ORDER; FY_ENOMEM. */
int fy_mlp_dense_d(double *out, const double *sym, int dim, int order, fy_error_t err);

/* The job's result by the fastest route: a whole tensor of order 2..FY_MLP_FACTORISED_MAX_ORDER
 * in double by the diagram factorisation (route "diagrams2", "diagrams3", "diagrams4"), of
 * higher orders or in balls or exact rationals by the spine route where it is the faster
 * (route "diagrams-spine"),
 * anything else by the fused recursion (route "fused"); *route (may be NULL) gets the name, a
 * static string.  m is (re)set to the network at the point, as by fy_mlp_job_fused. */
int fy_mlp_job_compute(fy_numvec_t res, const char **route, const fy_mlp_job_struct *job,
                       fy_arith_t arith, slong prec, fy_mlp_t m, fy_error_t err);
/* fy_mlp_check_run for a result computed by the named route (as fy_mlp_job_compute names
 * it): route 0 carries that name, and the check adds, in the chosen arithmetic, the fused
 * recursion when route 0 is a diagram factorisation, and the factorisation when route 0 is
 * "fused" and the factorisation applies; fy_mlp_check_run is this with route "fused". */
int fy_mlp_check_run_route(fy_mlp_check_t c, const fy_numvec_t res, const char *route,
                           const fy_mlp_job_struct *job, fy_arith_t arith, slong prec,
                           fy_error_t err);

/* Raw template kernels (src/mlp/taylor_tpl.c), per arithmetic.  out: the entries of orders
 * 1..n of d^k F_o concatenated (each order by sorted multi-index); W1 is width[1] x dim. */
#define FY_MLP_DECLARE_RAW(SUF, EL)                                                             \
    int _fy_mlp_tensors_##SUF(EL *out, const fy_mlp_struct *m, const EL *W1, int dim,           \
                              int output, int n, slong prec, fy_error_t err);                   \
    int _fy_mlp_directional_##SUF(EL *c, const fy_mlp_struct *m, const EL *v, int output,       \
                                  int n, slong prec, fy_error_t err);
FY_MLP_DECLARE_RAW(d, double)
FY_MLP_DECLARE_RAW(arb, arb_struct)
FY_MLP_DECLARE_RAW(fmpq, fmpq)

#ifdef __cplusplus
}
#endif
#endif
