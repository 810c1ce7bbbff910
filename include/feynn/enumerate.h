/* feynn/enumerate.h - generators of diagram families, each diagram once up to isomorphism,
 * with |Aut|, multiplicity and an independent counting oracle (layer 2, the engine).
 *
 * A generator appends to a fy_diagram_list_t (graph.h) one diagram per isomorphism class, each
 * canonicalised (canon, aut set exactly as fy_diagram_canonicalise would set them), with
 *   sym  = 1/|Aut|, and
 *   mult = the exact rational with which the diagram's value enters the family's sum
 *          (its meaning per family is stated below).
 * Every family has an oracle, computed by a route independent of the generator (generating
 * functions with FLINT series, closed forms), equal to the family's weighted sum of the list.
 * The weighted sum is the sum of mult (fy_diagram_list_weight) for every family except the Born
 * ladders, whose weight is sum mult * (value of the ladder on the unit step potential).  The
 * generic entry points (fy_enum_params_t, fy_enum_run, fy_enum_oracle, fy_enum_weight,
 * fy_enum_check) dispatch on the family, so a command can do
 *
 *     fy_enum_params_t p; fy_enum_params_init(p);
 *     p->family = FY_ENUM_MLP; p->order = 4; p->layers = 2;
 *     fy_enum_run(list, p, err);           -- the diagrams
 *     fy_enum_check(expected, got, list, p, err);   -- FY_OK, or FY_ECHECK with a message
 *
 * Generators refuse, before allocating, a request whose estimated memory exceeds p->max_bytes
 * (FY_ENUM_DEFAULT_MAX_BYTES for the direct functions): FY_ENOMEM, with the estimated number of
 * diagrams and MiB in the message (the estimate is a fast floating-point count, generous per
 * diagram).  Bad parameters give FY_EINPUT (orders: MLP n <= 256, H <= 1024; INN m <= 256,
 * c <= 64, K <= 4096; Born n <= 1024).  Lists are appended to, never cleared; the diagrams of
 * one call come sorted by canonical string.  The oracles are exact FLINT computations whose cost
 * grows with the order (Born at 1024: seconds).
 *
 * Families (names match the rules files: rules/mlp.rules, rules/inn.rules, rules/born.rules):
 *
 * MLP layered trees (MATH.md 1.3-1.5), family fy_family_mlp, theory "mlp", rooted.
 *   Vertex kinds "input" (level 0, one leg of kind "slot": the derivative slot 1..n, or
 *   FY_LEG_UNLABELLED), "vertex" (hidden layer 1..H, >= 2 children), "output" (level L = H+1,
 *   the root, one child).  Line kind "propagator", u = child at layer m, v = parent at layer l:
 *   D^(l,m).  Unlabelled trees (fy_enum_mlp_trees): mult = n!/|Aut| (the number of leaf-labelled
 *   trees of that shape), sym = 1/|Aut|; the oracle is N(n,H) = n! [t^n] c_{H+1}(t), c_1 = t,
 *   c_{l+1} = exp(c_l) - 1.  Labelled trees (fy_enum_mlp_labelled): every leaf-labelled tree,
 *   legs labelled 1..n, |Aut| = 1, mult = 1, sym = 1 (the Taylor term is 1/n! times their
 *   sum); same oracle.  Orders up to 20 (the leaf sets are bit masks).
 *
 * INN pull-back through quadratic couplings (MATH.md 3.2-3.3), family fy_family_inn, theory
 *   "inn", rooted at the action vertex.  Vertex kinds "action" (level 0, the root, A^(k) with k
 *   children), "split" (a G vertex of the j-th quadratic layer pulled back, level j = 1..c,
 *   exactly two children), "logdet" (diagonal log-det vertex).  Line kind "contraction" (the
 *   index b of G_{b a a'}; u = the G vertex, v = its parent).  Leg kind "index" (an external
 *   index, unlabelled).  A leg that passes through every layer hangs on its vertex directly.
 *   fy_enum_inn_chain: diagrams of A'^(m) after c quadratic layers from the source vertices
 *   A^(k), kmin <= k <= kmax.  mult = the coefficient in the A convention (no 1/k!; MATH.md 3.1)
 *   = prod over vertices (children!) / |Aut|, which for c = 1 is C(m-n, n) with n = m - k
 *   splits.  The Gamma convention's count of labelled diagrams of one shape is m! * sym.
 *   Oracle: sum_k [t^m] B_1(t)^k with B_{c+1} = t, B_j = B_{j+1} + B_{j+1}^2 (ordinary g.f. of
 *   leg-position-labelled expansions).  fy_enum_inn_split is the one-layer case (c = 1).
 *   fy_enum_inn_logdet: the n-leg diagonal vertices of ln(1 + 2 gamma h), n = 1..K, one vertex
 *   "logdet" at level 0 with n legs, |Aut| = n!, mult = (-1)^(n+1) 2^n / n (coefficient of
 *   gamma^n h^n); oracle sum_{n<=K} [t^n] ln(1 + 2t) by FLINT's log series.
 *
 * Born ladders (MATH.md 2.2), family fy_family_born, theory "born", unrooted.  One diagram per
 *   order n: n vertices "insertion" (r_k^2 U(r_k), level -1) in a chain joined by n-1 lines
 *   "static" (1/max(r, r')), and two legs "end" (the free zero-energy wave in and out,
 *   unlabelled) on the first and last insertion (both on the one insertion when n = 1).
 *   Convention: the ends are identical, so the reversal r_k -> r_{n+1-k} is an automorphism and
 *   |Aut| = 2 for every n (sym = 1/2); the integral over all positions already covers both
 *   orientations, so the ladder enters a_0^(n) once: mult = (-1)^(n-1), and
 *   a_0^(n) = mult * integral prod r_k^2 U(r_k) prod 1/max(r_k, r_{k+1}).
 *   Weight: mult * (the ladder integral for U = 1 on (0,1], fy_enum_born_unit_value).  Oracle:
 *   [lambda^n] a_0(lambda) for U = lambda on (0,1], a_0 = 1 - tanh(x)/x with x^2 = lambda. */
#ifndef FEYNN_ENUMERATE_H
#define FEYNN_ENUMERATE_H

#include <stddef.h>

#include <flint/fmpq.h>
#include <flint/fmpz.h>

#include "feynn/error.h"
#include "feynn/util.h"
#include "feynn/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kind indices of the families (the names are in the descriptors). */
enum { FY_MLP_INPUT = 0, FY_MLP_VERTEX = 1, FY_MLP_OUTPUT = 2 };   /* vertex kinds */
enum { FY_MLP_PROPAGATOR = 0 };                                     /* line kinds */
enum { FY_MLP_SLOT = 0 };                                           /* leg kinds */

enum { FY_INN_ACTION = 0, FY_INN_SPLIT = 1, FY_INN_LOGDET = 2 };
enum { FY_INN_CONTRACTION = 0 };
enum { FY_INN_INDEX = 0 };

enum { FY_BORN_INSERTION = 0 };
enum { FY_BORN_STATIC = 0 };
enum { FY_BORN_END = 0 };

extern const fy_family_struct fy_family_mlp;
extern const fy_family_struct fy_family_inn;
extern const fy_family_struct fy_family_born;

/* Default memory limit of the generators (bytes): the process-wide limit of feynn/util.h. */
#define FY_ENUM_DEFAULT_MAX_BYTES (fy_memory_limit())

/* ---- MLP layered trees (n >= 1 derivatives, H >= 1 hidden layers) ---- */
int fy_enum_mlp_trees(fy_diagram_list_t out, int n, int H, fy_error_t err);
int fy_enum_mlp_labelled(fy_diagram_list_t out, int n, int H, fy_error_t err);
/* expected = N(n,H), the number of leaf-labelled trees, by FLINT series (not the generator). */
int fy_enum_mlp_oracle(fmpq_t expected, int n, int H, fy_error_t err);
/* Number of unlabelled trees by the Euler (multiset) transform of the layer series; either
 * output may be NULL.  labelled = N(n,H). */
int fy_enum_mlp_count(fmpz_t unlabelled, fmpz_t labelled, int n, int H, fy_error_t err);

/* ---- INN ---- */
/* Diagrams of A'^(m) after c >= 1 quadratic layers from A^(k), kmin <= k <= kmax (1 <= kmin). */
int fy_enum_inn_chain(fy_diagram_list_t out, int m, int c, int kmin, int kmax, fy_error_t err);
int fy_enum_inn_chain_oracle(fmpq_t expected, int m, int c, int kmin, int kmax, fy_error_t err);
/* The same with the Gamma convention's weight m! * sym summed: m! sum_k [t^m] b_1^k / k!,
 * b_{c+1} = t, b_j = b_{j+1} + b_{j+1}^2 / 2 (exponential g.f. of leg-labelled diagrams). */
int fy_enum_inn_chain_labelled_oracle(fmpq_t expected, int m, int c, int kmin, int kmax,
                                      fy_error_t err);
/* The number of diagrams fy_enum_inn_chain lists, counted without listing them (Polya
 * counting of its items; no memory beyond a few series of degree m). */
int fy_enum_inn_chain_count(fmpz_t count, int m, int c, int kmin, int kmax, fy_error_t err);
/* One quadratic layer: all diagrams of A'^(m) (k = ceil(m/2)..m), mult C(m-n, n). */
int fy_enum_inn_split(fy_diagram_list_t out, int m, fy_error_t err);
/* Log-det vertices n = 1..K. */
int fy_enum_inn_logdet(fy_diagram_list_t out, int K, fy_error_t err);
int fy_enum_inn_logdet_oracle(fmpq_t expected, int K, fy_error_t err);

/* ---- Born ladders ---- */
int fy_enum_born_ladder(fy_diagram_list_t out, int n, fy_error_t err);
/* Exact integral of a chain diagram of the born family for U = 1 on (0,1]:
 * int_{[0,1]^n} prod r_k^2 prod 1/max(r_k, r_{k+1}) (without mult). */
int fy_enum_born_unit_value(fmpq_t value, const fy_diagram_t d, fy_error_t err);
/* expected = [lambda^n] (1 - tanh(x)/x), x^2 = lambda. */
int fy_enum_born_oracle(fmpq_t expected, int n, fy_error_t err);

/* ---- Lists ---- */
/* sum of mult over the list. */
void fy_diagram_list_weight(fmpq_t sum, const fy_diagram_list_t list);
/* sum of sym = sum of 1/|Aut| over the list. */
void fy_diagram_list_sym_sum(fmpq_t sum, const fy_diagram_list_t list);

/* ---- Generic dispatch ---- */
typedef enum
{
    FY_ENUM_MLP = 0,      /* order = n, layers = H */
    FY_ENUM_MLP_LABELLED, /* order = n, layers = H */
    FY_ENUM_INN_CHAIN,    /* order = m, layers = c, kmin..kmax */
    FY_ENUM_INN_SPLIT,    /* order = m (c = 1, every k) */
    FY_ENUM_INN_LOGDET,   /* order = K */
    FY_ENUM_BORN          /* order = n */
} fy_enum_family_t;

typedef struct
{
    fy_enum_family_t family;
    int order;
    int layers;
    int kmin, kmax;
    size_t max_bytes; /* memory limit; 0 means FY_ENUM_DEFAULT_MAX_BYTES */
} fy_enum_params_struct;
typedef fy_enum_params_struct fy_enum_params_t[1];

/* Defaults: FY_ENUM_MLP, order 1, layers 1, kmin = 1, kmax = order, max_bytes 0. */
void fy_enum_params_init(fy_enum_params_t p);
/* The family's name ("mlp", "mlp-labelled", "inn-chain", "inn-split", "inn-logdet", "born")
 * and its inverse (returns -1 for an unknown name). */
const char *fy_enum_family_name(fy_enum_family_t f);
int fy_enum_family_from_name(const char *name);
/* The descriptor (kind names) of the diagrams a family produces. */
const fy_family_struct *fy_enum_family_descriptor(fy_enum_family_t f);

int fy_enum_run(fy_diagram_list_t out, const fy_enum_params_t p, fy_error_t err);
int fy_enum_oracle(fmpq_t expected, const fy_enum_params_t p, fy_error_t err);
/* The family's weighted sum of a list (see the opening paragraph). */
int fy_enum_weight(fmpq_t got, const fy_diagram_list_t list, const fy_enum_params_t p,
                   fy_error_t err);
/* Sets expected (oracle) and got (weight of list); returns FY_OK when they agree, FY_ECHECK
 * with both values in the message when they do not, or another error. */
int fy_enum_check(fmpq_t expected, fmpq_t got, const fy_diagram_list_t list,
                  const fy_enum_params_t p, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
