/* feynn/jet.h - Taylor-mode automatic differentiation of MLPs: the independent check (layer 2).
 *
 * Every Taylor coefficient and derivative tensor that feynn computes by diagrams or by the fused
 * recursion (module mlp) is checked against this module, which shares no code with them beyond
 * the network loader (io) and the number and tensor types (num, series).  It knows nothing of
 * diagrams, rule files or the vertex polynomials P_k: each activation is applied to a truncated
 * univariate power series by its own recurrence (tanh' = 1 - tanh^2, exp' = exp, ...).
 *
 *   - Directional jets (fy_jet_dir_*): the Taylor coefficients c_0..c_N of t -> F(xbar + t v)
 *     for every output component, propagated layer by layer as univariate series, O(N^2) per
 *     neuron per layer plus O(N) per weight.  In double, in Arb balls (rigorous enclosures at
 *     prec bits) and in exact rationals (where the values are rational: polynomial activations,
 *     or transcendental activations at an exactly zero pre-activation).
 *   - Derivative tensors (fy_jet_tensor_*): the full symmetric tensor d^n F(xbar) of one output
 *     component, recovered from the n-th coefficients along the C(d+n-1, n) integer directions
 *     i (|i| = n) by the exact interpolation of Griewank, Utke and Walther (Math. Comp. 69
 *     (2000) 1117-1130); the weights are exact rationals computed with FLINT (fy_jet_interp_t),
 *     so the only rounding is in the jets.  The ball version is a rigorous enclosure.
 *
 * Activations are named in fy_net_t (io.h): tanh, sigmoid (logistic), softplus, exp, sin, cos,
 * erf, identity (linear, none), relu, quadratic (z + z^2/2, as in rules/activations.rules), and
 * polynomial activations defined by the caller with fy_jet_net_define_poly.  ReLU is linear
 * near a nonzero pre-activation; at a pre-activation that is (or, for balls, may be) zero and
 * moves with t the jet does not exist and is refused.  An unknown name is refused with
 * FY_EUNSUPPORTED naming it.
 *
 * Conventions: outputs first; arrays of coefficients are output-major, c[o * (N + 1) + k] being
 * the coefficient of t^k of output o (so c_k = (1/k!) d^k/dt^k F_o(xbar + t v)); a NULL xbar
 * means the origin; functions return FY_OK or an error code and fill err. */
#ifndef FEYNN_JET_H
#define FEYNN_JET_H

#include <flint/fmpq_poly.h>

#include "feynn/error.h"
#include "feynn/io.h"
#include "feynn/num.h"
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ activations */

typedef enum
{
    FY_JET_ACT_IDENTITY = 0,
    FY_JET_ACT_TANH,
    FY_JET_ACT_SIGMOID,
    FY_JET_ACT_SOFTPLUS,
    FY_JET_ACT_EXP,
    FY_JET_ACT_SIN,
    FY_JET_ACT_COS,
    FY_JET_ACT_ERF,
    FY_JET_ACT_RELU,
    FY_JET_ACT_POLY /* sigma(z) = q(z), q an exact rational polynomial */
} fy_jet_act_kind_t;

/* Name of a built-in kind ("tanh", ...; "polynomial" for FY_JET_ACT_POLY). */
const char *fy_jet_act_kind_name(fy_jet_act_kind_t k);

/* ------------------------------------------------------------------ prepared networks */

/* A network with its activations resolved.  The fy_net_t is borrowed: it must outlive the
 * fy_jet_net_t and stay unchanged (call fy_jet_net_set again after changing it). */
typedef struct
{
    const fy_net_struct *net;     /* NULL until fy_jet_net_set */
    int L;
    fy_jet_act_kind_t *kind;      /* kind[l - 1]: after layer l (l = L: output activation) */
    fmpq_poly_struct *q;          /* q[l - 1]: the polynomial of a FY_JET_ACT_POLY layer */
    slong maxw;                   /* largest width n_0..n_L */
    slong npoly;                  /* caller-defined polynomial activations */
    char **poly_names;
    fmpq_poly_struct *polys;
} fy_jet_net_struct;
typedef fy_jet_net_struct fy_jet_net_t[1];

void fy_jet_net_init(fy_jet_net_t J);
void fy_jet_net_clear(fy_jet_net_t J);
/* Defines (or redefines) the polynomial activation `name`: sigma(z) = q(z).  Names defined here
 * take precedence over the built-in ones.  If a network is already set, it is resolved again. */
int fy_jet_net_define_poly(fy_jet_net_t J, const char *name, const fmpq_poly_t q,
                           fy_error_t err);
/* Takes the network: validates shapes and values (finite weights) and resolves each layer's
 * activation name.  Hidden layers must have one (FY_EINPUT otherwise); an unknown name is
 * FY_EUNSUPPORTED with the layer and the name. */
int fy_jet_net_set(fy_jet_net_t J, const fy_net_t net, fy_error_t err);
/* n_0 and n_L of the set network. */
slong fy_jet_net_inputs(const fy_jet_net_t J);
slong fy_jet_net_outputs(const fy_jet_net_t J);

/* ------------------------------------------------------------------ directional jets
 * c has n_L * (N + 1) entries (initialised for arb and fmpq); xbar and v have n_0 entries
 * (NULL means the zero vector).  N >= 0.  c is written last, so it may alias the inputs.
 * Ball results enclose the exact coefficients of the network whose parameters are the exact
 * rationals of the file (W_exact when present, else the doubles). */
int fy_jet_dir_d(double *c, const fy_jet_net_t J, const double *xbar, const double *v, int N,
                 fy_error_t err);
int fy_jet_dir_arb(arb_ptr c, const fy_jet_net_t J, arb_srcptr xbar, arb_srcptr v, int N,
                   slong prec, fy_error_t err);
/* The same with an exact point and direction (rounded to balls only where not dyadic). */
int fy_jet_dir_arb_fmpq(arb_ptr c, const fy_jet_net_t J, const fmpq *xbar, const fmpq *v, int N,
                        slong prec, fy_error_t err);
/* Exact: FY_EUNSUPPORTED (naming the layer and neuron) where a value is irrational. */
int fy_jet_dir_fmpq(fmpq *c, const fy_jet_net_t J, const fmpq *xbar, const fmpq *v, int N,
                    fy_error_t err);

/* ------------------------------------------------------------------ interpolation
 * Griewank-Utke-Walther.  Directions are the integer vectors i >= 0 with |i| = n, ranked like
 * the sorted multi-indices of order n (series.h): the multi-index (0,0,2) is the direction
 * i = (2,0,1).  With f_i the n-th Taylor coefficient of t -> F(xbar + t i), the entry of the
 * n-th derivative tensor at the multi-index with multiplicity vector j is
 *     d^n F / dx^j = sum_{|i| = n} gamma_{j,i} f_i,
 *     gamma_{j,i} = sum_{0 < k <= j} (-1)^(n-|k|) C(j,k) (|k|/n)^n prod_m binom(n k_m/|k|, i_m)
 * (C(j, k) = prod_m C(j_m, k_m); binom(x, r) = x (x-1) ... (x-r+1) / r! for rational x).  It is
 * the polarization identity T(e_{i1},..,e_{in}) = sum_{0<k<=j} (-1)^(n-|k|) C(j,k) f_k, with f_k
 * for |k| < n moved onto the simplex |s| = n by homogeneity (f_k = (|k|/n)^n f_{nk/|k|}) and
 * then Lagrange-interpolated from the lattice points i of that simplex, whose Lagrange basis is
 * prod_m binom(s_m, i_m).  Only directions i supported inside the support of k contribute. */
typedef struct
{
    int d, n;
    slong ndirs;        /* C(d + n - 1, n) */
    fy_mindex_t ix;     /* ranks of sorted multi-indices, dim d, orders <= n */
    fmpq *B;            /* binom(n a / K, r) at ((a (n+1)) + K) (n+1) + r */
    fmpq *scale;        /* (-1)^(n - K) (K/n)^n, K = 0..n */
    /* the last row computed: weights w[t] on directions rank[t], ranks ascending */
    slong len, alloc;
    slong *rank;
    fmpq *w;
    int *work;
} fy_jet_interp_struct;
typedef fy_jet_interp_struct fy_jet_interp_t[1];

/* Largest tensor order the interpolation serves (its tables grow like n^3). */
#define FY_JET_MAX_ORDER 64

/* d >= 1, 0 <= n <= FY_JET_MAX_ORDER; refuses (FY_ENOMEM) when C(d+n-1, n) does not fit. */
int fy_jet_interp_init(fy_jet_interp_t I, int d, int n, fy_error_t err);
void fy_jet_interp_clear(fy_jet_interp_t I);
/* The weights of tensor entry jr (rank of a sorted multi-index of order n) in I->rank, I->w,
 * I->len (zero weights dropped). */
int fy_jet_interp_row(fy_jet_interp_t I, slong jr, fy_error_t err);
/* The integer direction of rank r: dir[0..d-1], summing to n. */
void fy_jet_interp_direction(int *dir, const fy_jet_interp_t I, slong r);
/* T (order n, dim d, F's arithmetic) from the n-th Taylor coefficients F[r] along the
 * directions of rank r (F has C(d+n-1, n) entries). */
int fy_jet_interpolate(fy_symtensor_t T, const fy_numvec_t F, int d, int n, fy_error_t err);

/* ------------------------------------------------------------------ derivative tensors
 * T = d^n F_out(xbar), the symmetric tensor of order n over the n_0 inputs (T is re-made).
 * Refused up front (FY_ENOMEM, with the estimate) when it would not fit in memory. */
int fy_jet_tensor_d(fy_symtensor_t T, const fy_jet_net_t J, slong out, const double *xbar,
                    int n, fy_error_t err);
int fy_jet_tensor_arb(fy_symtensor_t T, const fy_jet_net_t J, slong out, arb_srcptr xbar, int n,
                      slong prec, fy_error_t err);
int fy_jet_tensor_fmpq(fy_symtensor_t T, const fy_jet_net_t J, slong out, const fmpq *xbar,
                       int n, fy_error_t err);

/* Estimate of a tensor computation: the number of directions, floating-point operations
 * (element operations) and bytes.  FY_ENOMEM when the count does not fit a slong. */
int fy_jet_tensor_cost(slong *ndirs, double *ops, double *bytes, const fy_jet_net_t J, int n,
                       fy_arith_t arith, fy_error_t err);

/* Conveniences: the gradient g[i] = dF_out/dx_i (n_0 entries) and the dense Hessian
 * H[i n_0 + j] (n_0^2 entries, symmetric). */
int fy_jet_gradient_d(double *g, const fy_jet_net_t J, slong out, const double *xbar,
                      fy_error_t err);
int fy_jet_gradient_arb(arb_ptr g, const fy_jet_net_t J, slong out, arb_srcptr xbar, slong prec,
                        fy_error_t err);
int fy_jet_hessian_d(double *H, const fy_jet_net_t J, slong out, const double *xbar,
                     fy_error_t err);
int fy_jet_hessian_arb(arb_ptr H, const fy_jet_net_t J, slong out, arb_srcptr xbar, slong prec,
                       fy_error_t err);

/* ------------------------------------------------------------------ INN log-densities
 * The independent route for the actions of invertible networks (module inn): the Taylor
 * coefficients c_0..c_N of t -> ln p(x0 + t v) = ln p_z(f(x0 + t v)) + ln|det J_f(x0 + t v)|
 * (MATH.md 3.1, p_z standard normal) by forward Taylor-mode arithmetic through the layers of
 * an fy_inn_t (io.h): affine maps coefficient-wise, couplings and elementwise quadratics by
 * truncated series products, the elementwise log-det by the log1p recurrence.  It knows
 * nothing of diagrams or of the pull-back rules.
 *
 * c has N + 1 entries (initialised for arb and fmpq); x0 and v have d entries (x0 NULL: the
 * origin).  c_0 is ln p(x0) in double and balls.  The constants ln|det W|, -(d/2) ln 2 pi and
 * ln(1 + 2 gamma_i h_i) at x0 are logarithms, irrational in general: in exact arithmetic c_0
 * holds only the rational part -|z(x0)|^2 / 2 (the orders >= 1 are exact).  An elementwise
 * layer whose Jacobian 1 + 2 gamma_i h_i vanishes or is negative at the point (for balls: is
 * not certainly positive) is refused (FY_EINPUT, naming the layer and the neuron).  c is
 * written last, so it may alias x0 or v.  A non-finite double or ball coefficient is
 * FY_EUNSUPPORTED, never returned; a jet that would not fit is FY_ENOMEM up front. */
int fy_jet_inn_dir_d(double *c, const fy_inn_t net, const double *x0, const double *v, int N,
                     fy_error_t err);
int fy_jet_inn_dir_arb(arb_ptr c, const fy_inn_t net, arb_srcptr x0, arb_srcptr v, int N,
                       slong prec, fy_error_t err);
int fy_jet_inn_dir_fmpq(fmpq *c, const fy_inn_t net, const fmpq *x0, const fmpq *v, int N,
                        fy_error_t err);
/* T = d^n ln p (x0), the symmetric tensor of order n >= 1 (T re-made in `arith`, balls at prec
 * bits), from the n-th coefficients along the C(d+n-1, n) integer directions by the exact
 * interpolation above.  x0 exact (NULL: origin; rounded to the arithmetic).  T holds
 * derivatives: the Gamma convention of MATH.md 3.1, d^n ln p = n! A^(n).  n above
 * FY_JET_MAX_ORDER is FY_EUNSUPPORTED; a request that would not fit in memory is refused up
 * front (FY_ENOMEM, with the estimate); a non-finite double or ball result is FY_EUNSUPPORTED,
 * never returned. */
int fy_jet_inn_tensor(fy_symtensor_t T, fy_arith_t arith, slong prec, const fy_inn_t net,
                      const fmpq *x0, int n, fy_error_t err);

/* Raw kernels per arithmetic (suffixes _d, _arb, _fmpq) for callers that are templates:
 * _fy_jet_dir: c (n_L (N+1) entries, allocated), xbar (NULL: 0) and v as in fy_jet_dir_*;
 * _fy_jet_tensor: T (C(n_0+n-1, n) entries, allocated) for output `out`;
 * _fy_jet_interp_apply: T[j] = sum_i gamma_{j,i} F[i] over every row of I. */
#define FY_JET_DECLARE_RAW(SUF, EL)                                                            \
    int _fy_jet_dir_##SUF(EL *c, const fy_jet_net_t J, const EL *xbar, const EL *v, int N,     \
                          slong prec, fy_error_t err);                                         \
    int _fy_jet_tensor_##SUF(EL *T, const fy_jet_net_t J, slong out, const EL *xbar, int n,    \
                             slong prec, fy_error_t err);                                      \
    int _fy_jet_interp_apply_##SUF(EL *T, const EL *F, fy_jet_interp_t I, slong prec,          \
                                   fy_error_t err);
FY_JET_DECLARE_RAW(d, double)
FY_JET_DECLARE_RAW(arb, arb_struct)
FY_JET_DECLARE_RAW(fmpq, fmpq)

#ifdef __cplusplus
}
#endif
#endif
