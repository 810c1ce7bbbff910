/* feynn/inn.h - actions of invertible networks, layer by layer, as diagrams (layer 4).
 *
 * An invertible network f (io.h, fy_inn_t) maps data x to a standard normal latent z.  The
 * data-space action S(x) = ln p(x) = ln p_z(f(x)) + ln|det df/dx| (MATH.md 3.1) is computed
 * from the weights by pulling the latent Gaussian back through the layers, from the latent side
 * to the data: S_L(z) = -|z|^2/2 - (d/2) ln 2 pi and S_{l-1}(u) = S_l(f_l(u)) + ln|det J_l(u)|.
 *
 * Every layer is expanded at the image u0 of the expansion point x0, so in displacement
 * coordinates it is a linear map followed by a homogeneous quadratic one:
 *   affine       dy = W du;
 *   coupling     dy = J (du + g(du)),  J = 1 + 2 G(u0_A, .)  (g's output lies in B, so J g = g);
 *   elementwise  dy = D (du + q(du)),  D = diag(1 + 2 gamma u0), q_i = gamma_i du_i^2 / D_ii,
 *                plus the log-det series ln D_ii + ln(1 + 2 gamma_i du_i / D_ii).
 * No layer lowers the order of a monomial in these coordinates, so truncating at order K after
 * every layer is exact for all orders <= K (MATH.md 3.4: the bias leak appears only when each
 * action is re-expanded about 0 of its own coordinates; fy_inn_action_naive does that, for the
 * comparison).  The pull-back of the quadratic part is the leg-splitting rule of MATH.md 3.3: in
 * the Gamma convention every labelled diagram (a partition of the m external legs into
 * singletons and unordered pairs, one H = 2 Q per pair) has weight 1; the diagrams with n pairs
 * are the term "n splits" of the per-layer contributions.
 *
 * The action is stored in the A convention of [M]: S = sum_k A^(k)[x - x0, ..., x - x0], A^(k)
 * a fully symmetric tensor (no 1/k!); Gamma^(k) = k! A^(k).  A^(0) holds the rational part of
 * S(x0); the logarithmic constant ln r - (d/2) ln 2 pi (r = prod |det W| prod (1 + 2 gamma h0),
 * a rational) is kept apart as r (fy_inn_action_constant_arb gives its value), since it is
 * irrational in general.  The same algorithm runs in exact rationals, Arb balls and double
 * (the series templates), from the exact parameters of the file. */
#ifndef FEYNN_INN_H
#define FEYNN_INN_H

#include "feynn/error.h"
#include "feynn/io.h"
#include "feynn/num.h"
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ options */

typedef struct
{
    fy_arith_t arith; /* FY_ARITH_EXACT, _BALL or _DOUBLE */
    slong prec;       /* ball working precision in bits (default 128) */
    int order;        /* truncation order K >= 0; FY_INN_ALL_ORDERS: the full polynomial */
    const fmpq *x0;   /* expansion point (d entries), NULL: the origin */
    int keep_layers;  /* 1: keep the action after every layer (fy_inn_action_layer) */
} fy_inn_opts_struct;
typedef fy_inn_opts_struct fy_inn_opts_t[1];

#define FY_INN_ALL_ORDERS (-1)

void fy_inn_opts_init(fy_inn_opts_t o);

/* The polynomial degree of the exact action when the network has no elementwise layer:
 * 2^(1 + number of couplings) (capped at INT_MAX / 2); -1 when an elementwise layer makes it
 * an infinite series. */
int fy_inn_action_degree(const fy_inn_t net);

/* ------------------------------------------------------------------ actions */

typedef struct
{
    fy_arith_t arith;
    slong prec;
    int d, K;
    fy_symtensor_struct *A; /* A[k], k = 0..K, order k over d variables */
    fmpq_t logr;            /* the constant ln(logr) - (d/2) ln 2 pi is not in A[0] */
    fmpq *x0;               /* d entries: the expansion point in these coordinates */
} fy_inn_action_struct;
typedef fy_inn_action_struct fy_inn_action_t[1];

/* Empty action (d = 0, K = -1); fit by the functions below. */
void fy_inn_action_init(fy_inn_action_t S);
void fy_inn_action_clear(fy_inn_action_t S);
/* The value of the constant ln r - (d/2) ln 2 pi at prec bits. */
void fy_inn_action_constant_arb(arb_t c, const fy_inn_action_t S, slong prec);

/* Results of a pull-back: the data-space action, and with keep_layers the actions S_l in the
 * coordinates of the input of layer l (l = 0 the data, l = nlayers the latent Gaussian), each
 * about the image of x0 there. */
typedef struct
{
    fy_inn_action_t S;           /* data-space action (= layer[0] when kept) */
    int nlayers;
    fy_inn_action_struct *layer; /* nlayers + 1 actions, or NULL */
    int exact_truncation;        /* always 1 for this algorithm (see above); 0 for naive */
} fy_inn_result_struct;
typedef fy_inn_result_struct fy_inn_result_t[1];

void fy_inn_result_init(fy_inn_result_t R);
void fy_inn_result_clear(fy_inn_result_t R);

/* Memory and work estimate of fy_inn_action (bytes at peak, element operations); FY_ENOMEM
 * with a message saying what would fit (a lower order, double instead of balls) when the
 * estimate exceeds max_bytes (<= 0: FY_NUMVEC_MAX_BYTES). */
int fy_inn_action_cost(double *bytes, double *ops, const fy_inn_t net, const fy_inn_opts_t o,
                       double max_bytes, fy_error_t err);

/* The action S = ln p of net to the order of o (checked up front with fy_inn_action_cost). */
int fy_inn_action(fy_inn_result_t R, const fy_inn_t net, const fy_inn_opts_t o, fy_error_t err);

/* The textbook variant of MATH.md 3.4 for comparison: every S_l re-expanded about the origin
 * of its own coordinates and truncated at K after each layer.  Biases then feed the dropped
 * orders back into the kept ones; R->exact_truncation is 0.  Exact arithmetic only, x0 = 0. */
int fy_inn_action_naive(fy_inn_result_t R, const fy_inn_t net, int K, fy_error_t err);

/* Sign and convention changes in place: S -> -S (the action -ln p), A -> Gamma (multiply
 * A^(k) by k!). */
int fy_inn_action_neg(fy_inn_action_t S, fy_error_t err);
int fy_inn_action_to_gamma(fy_inn_action_t S, fy_error_t err);

/* ------------------------------------------------------------------ diagrams of one layer */

/* One diagram class of the pull-back through layer l, and its contribution to the order-m
 * coefficient of S_{l} (A convention, in the coordinates of the layer's input):
 *   kind FY_INN_TERM_PASS    the linear part (every leg passes, propagator W or J or D);
 *   kind FY_INN_TERM_SPLIT   n >= 1 of the m - n legs of the source vertex A^(m-n) split by the
 *                            quadratic part (C(m-n, n) Sym[A^(m-n) g^n] in the A convention);
 *   kind FY_INN_TERM_LOGDET  the n-leg diagonal log-det vertex of an elementwise layer, or the
 *                            constant log-det (n = 0). */
enum { FY_INN_TERM_PASS = 0, FY_INN_TERM_SPLIT = 1, FY_INN_TERM_LOGDET = 2 };

typedef struct
{
    int kind;
    int order;        /* m: the order it contributes to */
    int source_order; /* order of the source vertex (m - n for splits; m for pass; 0 logdet) */
    int n;            /* number of split legs, or of log-det legs */
    slong multiplicity; /* C(m - n, n) for splits (A convention), 1 otherwise */
    fy_symtensor_t T; /* the contribution (A convention) */
    double norm;      /* its Frobenius norm (dense, multinomial-weighted) */
} fy_inn_term_struct;

typedef struct
{
    int layer;
    slong len, alloc;
    fy_inn_term_struct *t;
} fy_inn_terms_struct;
typedef fy_inn_terms_struct fy_inn_terms_t[1];

void fy_inn_terms_init(fy_inn_terms_t D);
void fy_inn_terms_clear(fy_inn_terms_t D);

/* The diagrams of layer l (0-based, as in net->layers) with their contributions to the
 * orders 0..K of S_l, from the action S_{l+1} after it (R must hold the layer actions:
 * keep_layers).  The terms of each order add up to R->layer[l]'s coefficient (tested). */
int fy_inn_layer_terms(fy_inn_terms_t D, const fy_inn_result_t R, const fy_inn_t net, int l,
                       const fy_inn_opts_t o, fy_error_t err);

/* ------------------------------------------------------------------ normalizability */

typedef enum
{
    FY_INN_NORM_YES = 0,      /* top form certified negative definite (ln p is normalizable) */
    FY_INN_NORM_NO = 1,       /* a direction v with top form A^(K)[v..v] >= 0 was found */
    FY_INN_NORM_UNDECIDED = 2 /* neither could be shown */
} fy_inn_norm_t;

/* Decides whether exp(S) of the truncated action is normalizable, from its top even order
 * form (odd top order: never).  Certification: the d^(K/2) x d^(K/2) matricization of A^(K)
 * negative definite (Cholesky in Arb); refutation: a direction v found by random search and
 * local ascent with A^(K)[v^K] >= 0 certified in balls.  v (d doubles, may be NULL) receives a
 * refuting direction.  *eps receives a suggested coefficient for the normalizing term
 * -eps sum_i x_i^(K+2) (K even) or x_i^(K+1) (K odd) of MATH.md 3.4: the largest |A^(K)| entry. */
int fy_inn_action_normalizable(fy_inn_norm_t *verdict, double *v, double *eps,
                               const fy_inn_action_t S, fy_error_t err);

/* ------------------------------------------------------------------ the independent check */

typedef struct
{
    int agrees;
    double max_rel_diff; /* largest relative difference over the compared orders */
    double max_abs_diff;
    int orders_checked;  /* orders 1..orders_checked (and the rational part of order 0) */
    int full_tensors;    /* 1: whole tensors compared; 0: contractions along random directions */
    int ndirections;
    int contained;       /* balls: every exact jet value inside the action's balls (-1: n/a) */
} fy_inn_check_struct;
typedef fy_inn_check_struct fy_inn_check_t[1];

/* Compares the action with the Taylor-mode route of the jet module (fy_jet_inn_*): whole
 * tensors when C(d + K - 1, K) <= max_dirs (<= 0: 20000), else the contractions A^(k)[v^k]
 * along ndirs random rational directions (seeded).  Exact: equality.  Balls: overlap, and
 * containment of the exact jet values when the network's action is computed exactly too.
 * Double: relative difference below rtol (<= 0: 1e-9) of the order's scale.  Returns FY_OK when
 * the routes agree and FY_ECHECK (with the worst entry in err) when they do not. */
int fy_inn_action_check(fy_inn_check_t C, const fy_inn_action_t S, const fy_inn_t net,
                        slong max_dirs, int ndirs, double rtol, uint64_t seed, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
