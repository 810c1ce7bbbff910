/* feynn/nnft.h - neural-network field theory: kernels, exact correlators, ensembles (layer 4).
 *
 * What it is for.  A network with random parameters is a random function, a field; its
 * n-point functions G^(n)(x1..xn) are averages over the parameters.  At infinite width N a
 * one-hidden-layer network is a Gaussian process (a free theory with propagator K = G^(2));
 * at finite N it interacts, with connected correlators G^(n)_c = N^(1 - n/2) kappa_n exactly
 * ([HMS] Halverson, Maiti, Stoner, arXiv:2008.08601; MATH.md section 4).  This module computes
 * those numbers exactly where mathematics allows and by honest Monte Carlo where it does not,
 * so that one can be checked against the other:
 *   - ensembles: a small spec file names the architecture (activation, d, N, sigma_W, sigma_b,
 *     output weights) and the input points (doc/nnft-spec.md);
 *   - kernels K(x, x') in Arb balls from the closed forms of MATH.md 4.1 (Erf, ReLU, Gauss-net,
 *     Cos-net; and sin), and by quadrature over the pre-activation Gaussian as a second route;
 *   - exact finite-N correlators G^(n), n = 2, 4, 6, at every sorted tuple of input points, by
 *     the even-set-partition formula of MATH.md 4.2 with closed-form single-neuron moments
 *     (Gauss-net, Cos-net, ReLU with sigma_b = 0 in d = 1), their connected parts, the Gaussian
 *     (Wick) values and the normalised deviations m_n(N);
 *   - Monte Carlo ensembles of M networks that never store the outputs: products over every
 *     sorted 2-, 4-, 6-tuple accumulated in fixed blocks on OpenMP threads, parameters drawn
 *     from the counter-based generator keyed by (seed, network index) (feynn/rng.h), so the
 *     result is bit-identical for any number of threads; the [HMS] estimator (10 chunk means,
 *     background) beside proper standard errors.
 *
 * Network (MATH.md 4.1): f(x) = b1 + sum_i a_i phi(z_i(x)), z_i = W0_i . x + b0_i, with
 * W0 ~ N(0, sigma_W^2 / d), a ~ N(0, sigma_a^2 / N) (sigma_a = sigma_W unless given),
 * b0, b1 ~ N(0, sigma_b^2).  Cos-net [H]: h = a cos(w . x + c), c ~ U[-pi, pi], no b1.
 * Output weights may be non-Gaussian: a Gaussian scale mixture with kurtosis K >= 3
 * (a = 0 with probability 1 - 3/K, else N(0, K sigma_a^2 / (3 N))), so that
 * E a^(2j) = (2j - 1)!! (sigma_a^2 / N)^j (K / 3)^(j - 1).  Only d_out = 1 is computed. */
#ifndef FEYNN_NNFT_H
#define FEYNN_NNFT_H

#include <stdint.h>
#include <stdio.h>

#include "feynn/error.h"
#include "feynn/par.h"
#include "feynn/util.h"
#include "feynn/graph.h"
#include "feynn/num.h"
#include <flint/fmpq_poly.h> /* qft3: fy_nnft_ppoly_t */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
    FY_NNFT_ERF = 0,
    FY_NNFT_RELU,
    FY_NNFT_GAUSS, /* Gauss-net: exp(z) / exp(sigma_b^2 + sigma_W^2 |x|^2 / d) */
    FY_NNFT_COS,   /* Cos-net [H] */
    FY_NNFT_TANH,
    FY_NNFT_SIN,
    FY_NNFT_NACT
} fy_nnft_act_t;

/* "erf", "relu", "gauss", "cos", "tanh", "sin"; fy_nnft_act_parse returns -1 if unknown. */
const char *fy_nnft_act_name(fy_nnft_act_t act);
int fy_nnft_act_parse(fy_nnft_act_t *act, const char *name);

/* ------------------------------------------------------------------ ensemble specs */
/* qft-fields (issue 14, src/nnft/euclid.c): the Euclidean input layer of activation cos,
 * l(x) = F(b) cos(b . x + c), c ~ U[-pi, pi].  The distribution P(b) of b in R^d: */
typedef enum
{
    FY_NNFT_B_GAUSS = 0, /* N(0, sigma_W^2 I / d): the Cos-net [H] */
    FY_NNFT_B_BALL,      /* uniform in the ball |b| < Lambda */
    FY_NNFT_B_LORENTZ,   /* d = 1: density m / (pi (b^2 + m^2)) */
    FY_NNFT_B_USER,      /* qft3: a user-given radial density, piecewise polynomial in |b| */
    FY_NNFT_NBDIST
} fy_nnft_bdist_t;
/* and the amplitude F(b): */
typedef enum
{
    FY_NNFT_F_ONE = 0, /* F = 1 */
    FY_NNFT_F_PROP,    /* F = 1 / sqrt(b^2 + m^2) */
    FY_NNFT_F_USER,    /* qft3: a user-given F, piecewise polynomial in |b| */
    FY_NNFT_NAMPL
} fy_nnft_ampl_t;

/* qft3 (issue 14): a piecewise polynomial in k = |b| >= 0 with rational coefficients, the
 * user-given radial density P(|b|) (spec lines 'b_density LO HI c0 c1 ..') and amplitude F
 * (spec lines 'F_piece LO HI c0 c1 ..'): on piece j, lo_j <= k <= hi_j, the value
 * c0 + c1 k + .. + cn k^n; pieces in increasing order, lo_j < hi_j <= lo_(j+1); 0 outside the
 * pieces.  line[j] is the spec line of piece j (0 when not from a file), for messages. */
typedef struct
{
    slong n;
    fmpq *lo, *hi;
    fmpq_poly_struct *p;
    slong *line;
} fy_nnft_ppoly_struct;
typedef fy_nnft_ppoly_struct fy_nnft_ppoly_t[1];

/* qft3: the map g of the neurons h_i(x) = sum_j g_ij(l_j(x)) on the input layer l: */
typedef enum
{
    FY_NNFT_G_IDENTITY = 0, /* g_ij(l) = delta_ij l: h_i = l_i (the single layer) */
    FY_NNFT_G_DENSE,        /* h_i = sigma(sum_j W_ij l_j(x) + beta_i), j < g_width,
                             * W ~ N(0, sigma_g^2 / g_width), beta ~ N(0, sigma_gb^2) */
    FY_NNFT_NG
} fy_nnft_g_t;
/* and its activation sigma: */
typedef enum
{
    FY_NNFT_GACT_LINEAR = 0,
    FY_NNFT_GACT_TANH,
    FY_NNFT_GACT_ERF,
    FY_NNFT_GACT_RELU,
    FY_NNFT_GACT_SIN,
    FY_NNFT_NGACT
} fy_nnft_gact_t;

typedef struct
{
    fy_nnft_act_t act;
    slong d;          /* input dimension */
    slong width;      /* N, hidden width */
    slong d_out;      /* output dimension (only 1 is computed) */
    fmpq_t sigma_W;   /* input-weight scale: W0 ~ N(0, sigma_W^2 / d) */
    fmpq_t sigma_b;   /* bias scale: b0, b1 ~ N(0, sigma_b^2) (0 for Cos-net) */
    fmpq_t sigma_a;   /* output-weight scale: a ~ N(0, sigma_a^2 / N) */
    fmpq_t kurtosis;  /* E a^4 / (E a^2)^2 of the output weights; 3 is Gaussian */
    slong npoints;    /* input points, npoints x d, row-major */
    fmpq *points;
    char inputs[64];  /* name of the input set ("hms-d1", "file", "inline", "") */
    /* qft-fields: the Euclidean input layer (activation cos only; the defaults b_dist gauss,
     * F one are the Cos-net above) */
    int b_dist;       /* fy_nnft_bdist_t */
    int F;            /* fy_nnft_ampl_t */
    fmpq_t mass;      /* m > 0 (F prop, b_dist lorentz); 0: not given */
    fmpq_t Lambda;    /* radius of the ball (b_dist ball); 0: not given */
    fmpq_t a_mean;    /* E a = a_mean / N (Gaussian a only); 0 by default */
    fmpq_t phase;     /* c ~ U[-phase pi, phase pi], 0 < phase <= 1; 1 by default */
    /* qft3 (issue 14): user-given P(|b|) and F, deeper g (defaults: none, identity) */
    fy_nnft_ppoly_t b_density; /* b_dist user: P(|b|) up to normalisation */
    fy_nnft_ppoly_t F_user;    /* F user */
    int g;            /* fy_nnft_g_t */
    int g_act;        /* fy_nnft_gact_t (g dense) */
    slong g_width;    /* width of the input layer l under g dense (N is the neurons') */
    fmpq_t sigma_g;   /* W ~ N(0, sigma_g^2 / g_width); 1 by default */
    fmpq_t sigma_gb;  /* beta ~ N(0, sigma_gb^2); 0 by default */
} fy_nnft_spec_struct;
typedef fy_nnft_spec_struct fy_nnft_spec_t[1];

/* Defaults: erf, d = 1, N = 1, d_out = 1, sigma_W = sigma_b = sigma_a = 1, kurtosis 3, no
 * points. */
void fy_nnft_spec_init(fy_nnft_spec_t s);
void fy_nnft_spec_clear(fy_nnft_spec_t s);
int fy_nnft_spec_set(fy_nnft_spec_t z, const fy_nnft_spec_t x, fy_error_t err);

/* Parses spec text (doc/nnft-spec.md); errors name name:line:column.  Point files named in
 * the text are read relative to the directory of name. */
int fy_nnft_spec_parse(fy_nnft_spec_t s, const char *text, const char *name, fy_error_t err);
int fy_nnft_spec_read(fy_nnft_spec_t s, const char *path, fy_error_t err);
/* Checks the combination (positive scales, Cos-net without biases, points of dimension d). */
int fy_nnft_spec_check(const fy_nnft_spec_t s, fy_error_t err);

/* Named input sets, the exact points of the [HMS] code (doc/nnft-spec.md gives the file and
 * line of each): by dimension and the activation [HMS] used them with, hms-d1-erf (xset1:
 * -1, -0.6, -0.2, 0.2, 0.6, 1), hms-d1-gauss (xset2: the same times 0.01), hms-d1-relu
 * (xset1A: 0.2, 0.4, .., 1.2), hms-d2-erf (xset3: the corners (+-1, +-1)), hms-d2-gauss
 * (xset4: times 0.01), hms-d2-relu (xset3A: {0.5, 1}^2), hms-d3-erf (xset5: four corners of
 * the cube [-1, 1]^3), hms-d3-gauss (xset6), hms-d3-relu (xset5A), hms-d1-lamfit and
 * hms-d1-lamfit-relu (lam_fit/: xsetE = xsetG, xsetR); each also under its [HMS] name
 * ("hms-xset1", ...).  "hms-d1" is hms-d1-gauss; "unit-d1" is xset1.  Replaces the points
 * of s (and sets d). */
int fy_nnft_spec_set_inputs(fy_nnft_spec_t s, const char *set, fy_error_t err);
/* The list of known set names, for messages and help texts. */
const char *fy_nnft_input_set_names(void);
/* Points from text: one point a line, d rationals separated by blanks or commas, '#' starts
 * a comment.  Replaces the points of s; errors name name:line:column. */
int fy_nnft_points_parse(fy_nnft_spec_t s, const char *text, const char *name, fy_error_t err);
int fy_nnft_points_read(fy_nnft_spec_t s, const char *path, fy_error_t err);

/* ------------------------------------------------------------------ sorted tuples
 * The sorted n-tuples i1 <= ... <= in of point indices 0..P-1 in lexicographic order:
 * C(P + n - 1, n) of them.  fy_nnft_tuples fills idx (count x n). */
slong fy_nnft_tuple_count(slong npoints, int n);
int fy_nnft_tuples(slong **idx, slong *count, slong npoints, int n, fy_error_t err);

/* Number of set partitions of {0..n-1} (n <= 8) whose block sizes are the multiset sizes[]
 * (e.g. {4, 2}: 15, {3, 3}: 10, {2, 2, 2}: 15), by the enumeration the correlators use. */
slong fy_nnft_partition_count(int n, const int *sizes, int nsizes);

/* ------------------------------------------------------------------ kernels (G^(2))
 * K(x_i, x_j) at points i, j of the spec, from the closed forms of MATH.md 4.1 (erf, relu,
 * gauss, cos) and for sin (sigma_a^2 exp(-(S_ii + S_jj)/2) sinh(S_ij) + sigma_b^2, S = Sigma);
 * FY_EUNSUPPORTED for tanh. */
int fy_nnft_kernel(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                   fy_error_t err);
/* The same number by a second route: one-dimensional quadrature (acb_calc_integrate) over the
 * pre-activation z(x_i) after the Gaussian conditional expectation over z(x_j) given z(x_i)
 * is done in closed form (E erf(m + b v) = erf(m / sqrt(1 + 2 b^2), E relu(m + b v) =
 * m Phi(m/b) + b phi(m/b), E exp, E cos, E sin).  The integral is cut at |u| <= 40, whose
 * tail (below 1e-300 for |scales| <= 10) is not in the radius. */
int fy_nnft_kernel_quad(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                        fy_error_t err);

/* ------------------------------------------------------------------ exact correlators
 * Single-neuron moment mu_m(x_idx[0..m)) = E[h(x_1)..h(x_m)] with h = sqrt(N) a phi(z) (so
 * without the output bias).  The pre-activations z(x_k) are jointly Gaussian with the rational
 * covariance Sigma(x_k, x_l), of rank at most min(m, d + 1), found exactly; then
 *   - gauss, cos: closed forms at every m, d;
 *   - sin: closed form at every rank, (2i)^-m sum_s (prod s) exp(-s^T Sigma s / 2);
 *   - relu: rational for sigma_b = 0, d = 1; else, at rank <= 2, the angular closed form
 *     (polar coordinates, the wedge where every z_k >= 0 found exactly);
 *   - erf, tanh: m = 2 erf from the closed-form kernel; otherwise at rank <= 2 the rigorous
 *     nested quadrature of fy_nnft_gauss2_expect (0.1-1 s a moment at 64 bits); erf at
 *     rank 3 (three affinely independent points in d >= 2, or with sigma_b = 0 three linearly
 *     independent ones) and 4: where a point occurs once outside the span of the others, its
 *     own direction in closed form (E erf(a + b w) = erf(a / sqrt(1 + 2 b^2))), one
 *     dimension less; a remaining rank 3 by the grid of fy_nnft_gauss3_expect, accurate to
 *     about 2^-54 (not 2^-prec) and seconds a moment;
 *   - tanh at rank 3 (tanh13, issue 13): the same grid, its bound on the Bernstein ellipses
 *     max(1, tan sup |Im z|) below the poles (about 2^-54, one to a few seconds a moment;
 *     fy_nnft_corr_compute takes every moment of a rank-3 point set from one grid);
 *   - relu at rank 3: fy_nnft_relu_rank3 (below);
 * relu and tanh at rank 4 or more, erf at rank 4 with every point repeated, rank 5 or more:
 * FY_EUNSUPPORTED, with the reason (use the Monte Carlo ensemble, fy_nnft_sample). */
int fy_nnft_moment(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int m, slong prec,
                   fy_error_t err);
/* The same moment by one-dimensional rigorous quadrature where all pre-activations are
 * multiples of one normal: coincident points (any d, any bias), or d = 1 with sigma_b = 0;
 * for erf, tanh, sin, relu (relu split at the kink).  Cut at |u| <= 40 as the kernel
 * quadrature.  An independent second route for fy_nnft_moment in these rank-one cases (which
 * fy_nnft_moment computes its own way); other point sets: FY_EUNSUPPORTED. */
int fy_nnft_moment_quad(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int m, slong prec,
                        fy_error_t err);
/* E prod_j phi(a_j u + b_j v)^pw[j], j < r, for u, v independent standard normals and
 * phi = erf or tanh (others: FY_EUNSUPPORTED): nested rigorous quadrature (acb_calc_integrate,
 * outer over u, inner over v, both on [-L, L] with L = ceil(sqrt(2 (prec + 8) log 2)); the
 * tails beyond, at most 4 exp(-L^2/2) / (L sqrt(2 pi)) as |phi| <= 1, are added to the
 * radius).  The two-dimensional Gaussian integral behind fy_nnft_moment at distinct points. */
int fy_nnft_gauss2_expect(arb_t res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b,
                          const int *pw, slong r, slong prec, fy_error_t err);
/* rank3 (issue 13): E prod_j phi(a_j u + b_j v + c_j w)^pw[j], j < r <= 8, m = sum pw <= 16,
 * for u, v, w independent standard normals and phi = erf, tanh or sin (others:
 * FY_EUNSUPPORTED): the tensor Gauss-Legendre rule on cubic panels (side 4 for erf, 2 else) over
 * [0, L] x [-L, L]^2 (the integrand is even under y -> -y), L >= sqrt(2 (prec + 8) log 2);
 * the degree per panel from the Bernstein-ellipse bound (Trefethen 2008, Thm 4.5), one term
 * per axis with that axis on its ellipse and the others real, M bounded by ball evaluation
 * (erf), by max(1, tan sup |Im z|) for tanh (|tanh(x + iy)| <= max(1, |tan y|) for
 * |y| < pi/2, infinite at the poles) and cosh sup |Im z| for sin; negligible panels bounded
 * by volume times sup |f|; the tails beyond the cube (at most 6 exp(-L^2/2) / (L sqrt(2 pi)),
 * |phi| <= 1 on the reals) in the radius, which aims at 2^-(prec + 6).  tanh fails
 * (FY_ECHECK) where its poles leave no degree up to 120 (coefficients |c| of about 10 and
 * more).  The three-dimensional Gaussian integral behind fy_nnft_moment at rank 3 (sin there
 * has its closed form; the grid is a second route for it). */
int fy_nnft_gauss3_expect(arb_t res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b,
                          arb_srcptr c, const int *pw, slong r, slong prec, fy_error_t err);

/* G^(n)(x_idx[0..n)) at width s->width, n even, 2 <= n <= 8: the even-set-partition formula
 * N^(-n/2) sum_pi (N)_|pi| prod_B mu_|B|, with the Gaussian output bias added by its Wick
 * pairings.  Odd n gives 0. */
int fy_nnft_correlator(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                       fy_error_t err);
/* The Gaussian (infinite-width, Wick) value: sum over the (n-1)!! pairings of prod K. */
int fy_nnft_wick(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                 fy_error_t err);
/* Connected part G^(n)_c, n = 2, 4, 6: G2; G4 - sum_3 G2 G2; G6 - sum_15 G4c G2 -
 * sum_15 G2 G2 G2 (the cumulant of f; equals N^(1 - n/2) kappa_n). */
int fy_nnft_connected(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                      fy_error_t err);

/* All sorted tuples of the spec's points at one n: exact G, Wick value, connected part, and
 * the normalised deviation m_n = mean over tuples with G_GP != 0 of |G - G_GP| / |G_GP|.
 * The moments of the sub-multisets are shared between tuples (a cache keyed by the sorted
 * multiset, with mirror images x -> -x identified for odd activations); for erf and tanh
 * with all points in one rank-2 Gaussian (every d = 1 set) every moment of order <= n comes
 * from one shared tensor Gauss-Legendre grid with a rigorous error bound per moment
 * (timings in doc/nnft-spec.md). */
typedef struct
{
    int n;
    slong count; /* number of tuples */
    slong *idx;  /* count x n */
    arb_ptr G, gp, conn;
    arb_t m;     /* m_n(N) */
    slong m_used; /* tuples counted in m (G_GP not containing 0) */
    slong moments_computed, moments_reused; /* single-neuron moments behind them */
} fy_nnft_corr_struct;
typedef fy_nnft_corr_struct fy_nnft_corr_t[1];

void fy_nnft_corr_init(fy_nnft_corr_t c);
void fy_nnft_corr_clear(fy_nnft_corr_t c);
int fy_nnft_corr_compute(fy_nnft_corr_t c, const fy_nnft_spec_t s, int n, slong prec,
                         fy_error_t err);
/* rank3 (issue 13): fy_nnft_corr_compute at each width widths[k] into c[k] (k < nw, each
 * initialised by fy_nnft_corr_init), the spec's own width ignored: the single-neuron moments
 * (which do not depend on N) and their shared grids are computed once for all widths. */
int fy_nnft_corr_compute_widths(fy_nnft_corr_struct *c, const fy_nnft_spec_t s, int n,
                                const slong *widths, slong nw, slong prec, fy_error_t err);

/* ------------------------------------------------------------------ Monte Carlo
 * M networks of the spec, network k drawn from the generator keyed by (seed, purpose) with
 * stream k, split into 10 contiguous chunks ([HMS]).  For each n in {2, 4, 6} and each sorted
 * tuple: the mean over all networks, its standard error sqrt(var / M) (sample variance), the
 * 10 chunk means, their mean (the [HMS] G_exp) and their standard deviation (numpy's std,
 * ddof 0, as [HMS]).  Sums run over fixed blocks of networks reduced in block order, so the
 * numbers do not depend on the number of threads. */
#define FY_NNFT_CHUNKS 10
typedef struct
{
    slong count[3];            /* tuples at n = 2, 4, 6 */
    slong *idx[3];             /* count x n */
    double *mean[3], *se[3];   /* per tuple */
    double *chunk[3];          /* count x FY_NNFT_CHUNKS chunk means */
    double *hms_mean[3], *hms_std[3];
    uint64_t networks;
    uint64_t seed;
    double seconds;
    int threads;
    int ranks;                 /* par: the MPI ranks that sampled it (1 alone) */
} fy_nnft_mc_struct;
typedef fy_nnft_mc_struct fy_nnft_mc_t[1];

void fy_nnft_mc_init(fy_nnft_mc_t mc);
void fy_nnft_mc_clear(fy_nnft_mc_t mc);
/* threads <= 0: OpenMP's default.  M >= FY_NNFT_CHUNKS. */
int fy_nnft_sample(fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                   int threads, fy_error_t err);
/* The [HMS] normalised deviation at one n (a = n/2 - 1) from Gaussian values gp[count[a]]:
 * m = mean over tuples of |hms_mean - gp| / |gp| and background = mean of hms_std / |gp|,
 * over the tuples with gp != 0 (their number in *used). */
void fy_nnft_mc_deviation(double *m, double *background, slong *used, const fy_nnft_mc_t mc,
                          int a, const double *gp);
/* Heavy-tail indicator at n = 2a + 2: the kurtosis m4 / m2^2 of the 10 chunk means of each
 * tuple, averaged over the tuples.  Chunk means of a light-tailed product are nearly normal
 * (about 2.4 on average for 10 normal values); a sum dominated by a few huge products puts
 * one chunk far out and drives it towards its maximum 8.1.  Above FY_NNFT_HEAVY_TAIL the
 * standard errors are not to be trusted (Gauss-net at small N). */
#define FY_NNFT_HEAVY_TAIL 5.0
double fy_nnft_mc_chunk_kurtosis(const fy_nnft_mc_t mc, int a);

/* Gaussian (Wick) values, as doubles, at the tuples of the sampler for n = 2a + 2 (0 where
 * the ball contains 0); FY_EUNSUPPORTED without a closed-form kernel. */
int fy_nnft_mc_wick(double *gp, const fy_nnft_mc_t mc, int a, const fy_nnft_spec_t s,
                    fy_error_t err);

/* The outputs f(x_p), p < npoints, of network k of the ensemble (the numbers the sampler
 * uses); out has npoints entries. */
int fy_nnft_network_outputs(double *out, const fy_nnft_spec_t s, uint64_t seed, uint64_t k,
                            fy_error_t err);

/* nnft-speed (issue 13): the error function of the sampler, many values at a time
 * (src/nnft/erf_fast.c): y[i] = erf(x[i]) within 0.86 ulp for every double (y may be x),
 * table-driven and vectorised; the same numbers on every processor and at every position of
 * the array. */
void fy_nnft_erf_batch(double *y, const double *x, slong n);

/* ---------------------------------------------- par (issue 15): ranks, checkpoints, scans
 * (src/nnft/mc.c with src/par, feynn/par.h.)  The ensemble on any number of MPI ranks: the
 * networks of each [HMS] chunk are cut into the same fixed blocks of 256 as on one rank, each
 * rank computes the partial sums of a contiguous share of the blocks, and rank 0 adds them in
 * block order (fy_par_reduce_ordered), so the numbers are the same doubles for 1, 2, 3, ...
 * ranks and any number of threads; every rank ends with the whole result.
 *
 * Checkpoints: the blocks of each [HMS] chunk are grouped in segments of chunk_networks
 * networks; after each segment rank 0 writes the running sums (2 x tuples doubles) to the
 * chunk store in the folder checkpoint (feynn/par.h), keyed by the spec, M, seed and segment
 * size.  A run started again with the same parameters reads back the segments written and
 * computes the rest: the result is byte-identical to an uninterrupted run.  The store keeps
 * the last segment of every [HMS] chunk and the latest one (the others are removed). */
typedef struct
{
    const fy_par_struct *par;  /* NULL: this process alone */
    const char *checkpoint;    /* folder of the chunk store, or NULL */
    uint64_t chunk_networks;   /* networks per checkpoint segment; 0: FY_NNFT_SEGMENT */
    /* out: segments of the store read back, refused (of another run, damaged), in all */
    uint64_t resumed, refused, segments;
    /* in (nnft-cli, issue 10 item 18): a bar advanced on rank 0 as the chunks are done (a
     * scan: as the widths are done, on one rank), or NULL; the caller clears it */
    fy_progress_struct *progress;
} fy_nnft_run_struct;
typedef fy_nnft_run_struct fy_nnft_run_t[1];
#define FY_NNFT_SEGMENT (UINT64_C(1) << 20)

void fy_nnft_run_init(fy_nnft_run_t run);
/* fy_nnft_sample with ranks and checkpoints (run NULL: fy_nnft_sample).  Collective over
 * run->par. */
int fy_nnft_sample_run(fy_nnft_mc_t mc, const fy_nnft_spec_t s, uint64_t M, uint64_t seed,
                       int threads, fy_nnft_run_t run, fy_error_t err);

/* A scan over widths: mcs[j] (nw of them, fy_nnft_mc_init'ed) is the ensemble of s at width
 * widths[j], each sampled on one rank (fy_par_scan: rank 0 hands out the widths, the others
 * sample); the results are on rank 0 (empty elsewhere).  With run->checkpoint each finished
 * width is a chunk of the store, and a restarted scan samples only the missing widths. */
int fy_nnft_sample_scan(fy_nnft_mc_struct *mcs, const fy_nnft_spec_t s, const slong *widths,
                        slong nw, uint64_t M, uint64_t seed, int threads, fy_nnft_run_t run,
                        fy_error_t err);

/* The ensemble as bytes and back (the scan's results, checkpoints): *buf malloc'ed.  Unpack
 * needs the spec the ensemble was sampled from (its points give the tuples). */
int fy_nnft_mc_pack(void **buf, size_t *len, const fy_nnft_mc_t mc, fy_error_t err);
int fy_nnft_mc_unpack(fy_nnft_mc_t mc, const void *buf, size_t len, const fy_nnft_spec_t s,
                      fy_error_t err);

/* ============================================== effective action and couplings
 * (src/nnft/eft.c; MATH.md 4.3, [HMS] section 4.)
 *
 * Conventions.  S = S_GP + int d^dx [lambda f^4 + ...] is the "nofact" convention of [HMS];
 * "fact" writes lambda / 4! f^4.  A graph with one quartic vertex enters a correlator as
 * -g * mult * (its value), g = lambda (nofact) or lambda / 24 (fact), mult = the number
 * of Wick contractions that give it (24 for the contact graph), value = the vertex integral
 * of the lines ending on the vertex times the free lines.  Couplings are those of the ACTION: a
 * positive lambda lowers G4.  (The [HMS] code fits G4 - G4_GP = +lambda_HMS * 24 * V, so
 * lambda_HMS = -lambda in the nofact convention.)  Vertex legs carry K_EFT = K - sigma_b^2
 * (the output bias does not interact); lines between two external points carry K.
 *
 * Vertex integrals V = int over [-Lambda, Lambda]^d of w(x) prod_k K_EFT(x_k, x), w = 1 or
 * |x|^2:
 *   - gauss, cos (any d): the integrand is a product over coordinates of Gaussians; closed
 *     forms (erf), rigorous balls; Lambda = INFINITY allowed;
 *   - d = 1, erf, relu, sin: rigorous balls by acb_calc_integrate, the interval split at 0
 *     and at every external point (the kinks of relu: x = 0 for sigma_b = 0, x = x_k else);
 *   - d = 2 (erf, sin, relu) and d = 3 (sin, relu with sigma_b = 0): rigorous balls by the
 *     adaptive cubature fy_nnft_cube_integrate (tensor Gauss-Legendre with Bernstein-ellipse
 *     error bounds, boxes split where needed), about 2^-min(prec, 40) relative: erf and sin
 *     over the box (analytic: no cuts); relu with sigma_b > 0 over the box cut at 0 and at
 *     the coordinates of the external points (its conical kinks x = x_k at cell corners);
 *     relu with sigma_b = 0 (kinks along the lines through x_k) over the 2d faces of the cube,
 *     the radial integral exact by homogeneity, each face cut where the lines pierce it; a
 *     leg at the origin gives 0.  Erf's bounds on the ellipses come from a second-order
 *     form of its argument about the box's midpoint (fy_nnft_eft_kernel_region): 0.2 to
 *     0.4 s a vertex of the hms-d2-erf square at Lambda = 10 (vert13; 2 to 4 s before).  In
 *     d >= 2 the legs are first mapped to the least of their images under the signed
 *     permutations of the coordinates (the integrand and the box are invariant), and
 *     couplings runs (fy_nnft_couplings, the fit, the scan) compute each distinct vertex
 *     once: bit-identical to the uncached route;
 *   - d = 3, erf and relu with sigma_b > 0 (the cubature takes 20 s and more a vertex there;
 *     erf: 40 s for the hms-d3-erf vertex (0 1 2 3) at Lambda = 10, 8 s at Lambda = 3):
 *     the nested adaptive Gauss-Kronrod (7-15) in double, split at 0 and at the coordinates
 *     of the external points, to relative tolerance 1e-10; the ball is the estimate with 100
 *     times the estimated error as radius (error-controlled, NOT rigorous: *rigorous = 0);
 *   - Lambda = INFINITY for erf and relu: FY_EINPUT (the integral diverges: K_EFT tends to a
 *     non-zero limit for erf and grows linearly for relu); for sin: FY_EUNSUPPORTED; tanh has
 *     no closed-form kernel: FY_EUNSUPPORTED.
 * For relu with sigma_b = 0 every K_EFT is homogeneous of degree 1 in x, so V(Lambda) =
 * V(1) Lambda^(d + 4) and the fitted lambda scales exactly like Lambda^-(d + 4). */
typedef enum
{
    FY_NNFT_NOFACT = 0, /* lambda f^4 ([HMS]) */
    FY_NNFT_FACT        /* lambda / 4! f^4 */
} fy_nnft_fact_t;

/* Templates of the quartic term (MATH.md 4.3), each the coefficient T of its coupling in
 * G4 - G4_GP = -(g_local T_local + g_x2 T_x2 + g_nonlocal T_nonlocal) (nofact):
 *   local:    int lambda f(x)^4            T = 24 V(x1, x2, x3, x4)
 *   x2-local: int lambda_2 |x|^2 f(x)^4     T = 24 V_|x|^2(x1, x2, x3, x4)
 *   nonlocal: int int lambda_NL f(x)^2 f(y)^2  T = 8 sum over the 3 pairings V(a,b) V(c,d)
 * (8 contractions per pairing, 24 in all). */
typedef enum
{
    FY_NNFT_TPL_LOCAL = 0,
    FY_NNFT_TPL_X2,
    FY_NNFT_TPL_NONLOCAL,
    FY_NNFT_NTPL
} fy_nnft_tpl_t;

/* "local", "x2-local", "nonlocal"; fy_nnft_tpl_parse returns -1 if unknown. */
const char *fy_nnft_tpl_name(fy_nnft_tpl_t t);
int fy_nnft_tpl_parse(fy_nnft_tpl_t *t, const char *name);

/* K_EFT(x_i, y) = K(x_i, y) - sigma_b^2 at spec point i and any y in R^d (y: d balls). */
int fy_nnft_eft_kernel(arb_t K, const fy_nnft_spec_t s, slong i, arb_srcptr y, slong prec,
                       fy_error_t err);

/* The vertex integral V of m = 1..8 legs at spec points idx[0..m), weight 0 (w = 1) or 2
 * (w = |x|^2), cut-off Lambda > 0 (INFINITY where allowed, see above).  *rigorous (may be
 * NULL) is set to 1 for a rigorous ball, 0 for an error-controlled estimate. */
int fy_nnft_vertex_integral(arb_t V, int *rigorous, const fy_nnft_spec_t s, const slong *idx,
                            int m, int weight, double Lambda, slong prec, fy_error_t err);

/* The template T of tpl at the 4 points idx (see fy_nnft_tpl_t). */
int fy_nnft_template(arb_t T, int *rigorous, fy_nnft_tpl_t tpl, const fy_nnft_spec_t s,
                     const slong *idx, double Lambda, slong prec, fy_error_t err);

/* A Feynman graph of the engine (fy_feynman_generate, family "nnft": points kind 0 with leg
 * label 1..n, interaction vertices kind k) bound to the spec: point label k sits at spec
 * point pts[k - 1].  Returns mult / prod_k c_k! * value, without the coupling factors
 * (-g per vertex): the product of K over lines between points times the integral over the
 * vertex positions of K_EFT on every line that ends on a vertex; c_k! (vertices of one
 * valence) undoes the labelling of the vertices in mult, as 1/c_k! in exp(-S_int).
 * Evaluated: one vertex (any d, as fy_nnft_vertex_integral), and two vertices joined by one
 * line in d = 1 (the tree exchange, e.g. the 10 (3|3) graphs of G6_c at O(lambda^2) with
 * weight 1152 / 2! = 576; finite cut-off; rigorous over [-Lambda, Lambda]^2 cut at 0 and
 * the points: erf by the cubature, sin and relu by the nested rule; relu with sigma_b > 0
 * (the line's kink on the diagonal): nested Gauss-Kronrod, *rigorous = 0).  Self-loops,
 * loops and more vertices:
 * FY_EUNSUPPORTED. */
int fy_nnft_graph_value(arb_t v, int *rigorous, const fy_diagram_t d, const fy_nnft_spec_t s,
                        const slong *pts, double Lambda, slong prec, fy_error_t err);

/* Couplings from G4.  dG4 = G4 - G4_GP at every sorted 4-tuple (exact: the connected part,
 * which equals G4 - G4_GP since G2 = K at every N; Monte Carlo: mean - Wick value), the
 * local template T (24 V) and lambda per tuple = -dG4 / T (nofact; times 24 with fact),
 * their mean over the tuples where T is non-zero, and the standard deviation. */
typedef struct
{
    fy_nnft_fact_t fact;
    double Lambda;
    int from_mc;         /* 1: dG4 from a Monte Carlo ensemble */
    int rigorous;        /* every V a rigorous ball */
    slong count;         /* sorted 4-tuples */
    slong *idx;          /* count x 4 */
    arb_ptr dG4, T, lambda; /* per tuple (lambda indeterminate where T contains 0) */
    double *dG4_se;      /* Monte Carlo standard errors of dG4 (0 for exact) */
    arb_t lambda_mean;
    double lambda_std;
    slong used;          /* tuples in the mean */
} fy_nnft_couplings_struct;
typedef fy_nnft_couplings_struct fy_nnft_couplings_t[1];

void fy_nnft_couplings_init(fy_nnft_couplings_t c);
void fy_nnft_couplings_clear(fy_nnft_couplings_t c);
/* mc == NULL: exact correlators of s at its width (fy_nnft_connected); else the ensemble's
 * means (mc sampled from s). */
int fy_nnft_couplings(fy_nnft_couplings_t c, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                      double Lambda, fy_nnft_fact_t fact, slong prec, fy_error_t err);

/* Linear least squares of dG4 over templates: dG4 ~ -sum_j g_j T_j (coupling g_j in the
 * convention of train), ordinary least squares (the mean squared error, as [HMS]).  Train
 * on the tuples of train, test on those of test (another spec's couplings, e.g. other
 * points); test == NULL: train on the tuples with even index, test on the odd ones.
 * Errors: root mean square of (fit - dG4) / |dG4| over the tuples whose dG4 is not 0
 * (train_err, test_err) and the mean absolute percentage error as [HMS] (train_mape,
 * test_mape).  A
 * template linearly dependent on earlier ones (relative tolerance 1e-9) gets coefficient 0
 * and dropped[j] = 1 (e.g. relu with sigma_b = 0 in d = 1 at positive points: all three are
 * proportional to x1 x2 x3 x4). */
typedef struct
{
    int ntpl;
    fy_nnft_tpl_t tpl[FY_NNFT_NTPL];
    double coef[FY_NNFT_NTPL];
    int dropped[FY_NNFT_NTPL];
    double train_err, test_err, train_mape, test_mape;
    slong ntrain, ntest;
} fy_nnft_fit_struct;
typedef fy_nnft_fit_struct fy_nnft_fit_t[1];

int fy_nnft_couplings_fit(fy_nnft_fit_t fit, const fy_nnft_couplings_t train,
                          const fy_nnft_couplings_t test, const fy_nnft_spec_t s_train,
                          const fy_nnft_spec_t s_test, const fy_nnft_tpl_t *tpl, int ntpl,
                          slong prec, fy_error_t err);

/* The 6-point prediction at every sorted 6-tuple: G6_GP (Wick), the O(lambda) term
 * -g sum over the 15 graphs of one quartic vertex on 4 points and a free line on the other
 * two (each 24 contractions; generated by the engine, fy_nnft_graph_value), G6 (exact at the
 * spec's width when mc == NULL, else the Monte Carlo mean), and the [HMS] ratios, means over
 * the tuples with G6 != 0: gp_ratio = mean G6_GP / G6, lambda_ratio = mean
 * (G6_GP + lambda term) / G6.  ReLU, sigma_b = 0, d = 1, positive points: G4 / G4_GP =
 * 1 + 5/N, G6 / G6_GP = 1 + 15/N + 44/N^2 at every tuple, so at N = 20 gp_ratio = 50/93 =
 * 0.5376... and lambda_ratio = 175/186 = 0.9408... at every cut-off. */
typedef struct
{
    fy_nnft_fact_t fact;
    double Lambda;
    slong count;
    slong *idx;             /* count x 6 */
    arb_ptr G6, gp, lam;    /* per tuple */
    arb_t lambda;           /* the coupling used */
    arb_t gp_ratio, lambda_ratio;
    slong used;
    int rigorous;
} fy_nnft_predict_struct;
typedef fy_nnft_predict_struct fy_nnft_predict_t[1];

void fy_nnft_predict_init(fy_nnft_predict_t p);
void fy_nnft_predict_clear(fy_nnft_predict_t p);
int fy_nnft_predict(fy_nnft_predict_t p, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                    const arb_t lambda, fy_nnft_fact_t fact, double Lambda, slong prec,
                    fy_error_t err);

/* The cut-off scan: lambda per tuple (fy_nnft_couplings) at each cut-off, and the least-squares
 * line through all points (log10 Lambda, log10 |lambda_t|) as [HMS] (tuples with lambda
 * containing 0 left out): slope, intercept, r2.  mean_log[k] = mean of log10 |lambda_t| at
 * cutoff[k].  ReLU with sigma_b = 0: slope -(d + 4) exactly. */
typedef struct
{
    int ncut;
    double *cutoff, *mean_log;
    double slope, intercept, r2;
    slong points;
} fy_nnft_rg_struct;
typedef fy_nnft_rg_struct fy_nnft_rg_t[1];

void fy_nnft_rg_init(fy_nnft_rg_t r);
void fy_nnft_rg_clear(fy_nnft_rg_t r);
int fy_nnft_rg_scan(fy_nnft_rg_t r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                    const double *cutoff, int ncut, slong prec, fy_error_t err);
/* The same scan with the cut-offs as the jobs of fy_par_scan (par.h) over the ranks of par
 * (collective; every rank holds s and mc): on rank 0 r is the serial result, bit for bit (the
 * line is fitted there in cut-off and tuple order); on the others r holds only the cut-offs.
 * resume (issue 15): store (rank 0's, opened by the caller; NULL or unopened: none) gets each
 * cut-off as a chunk as it is done, and a restarted scan reads the cut-offs already there back
 * (store->resumed, ->refused count them); the run's name is extended with the spec, points,
 * prec, cut-offs and a hash of G4 - G4_GP (fy_par_store_extend), so chunks of any other scan
 * are recomputed.  The result is the same, bit for bit, resumed or not. */
int fy_nnft_rg_scan_par(fy_nnft_rg_t r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                        const double *cutoff, int ncut, slong prec, fy_par_store_t store,
                        const fy_par_t par, fy_error_t err);

/* The [HMS] ReLU experiment: relu, d = 1, N = 20, sigma_W = sigma_a = 1, sigma_b = 0, the six
 * positive inputs 0.2, 0.4, ..., 1.2 of their ReLU runs (inputs "hms-relu-d1"). */
int fy_nnft_eft_hms_relu(fy_nnft_spec_t s, fy_error_t err);

/* One call for `feynn demo nnft` (report.json relu.six_point.gp_ratio, .lambda_ratio,
 * relu.rg_slope): with s at width N (s itself is not changed), exact correlators, the
 * nofact convention, lambda the mean over the 4-tuples at Lambda = 100, the 6-point ratios at
 * Lambda = 100, and the slope of the scan over Lambda = 10, 30, 100, 300, 1000, 10^4, 10^5.
 * Needs exact G4 and G6 (relu with sigma_b = 0 in d = 1, gauss, cos).  For
 * fy_nnft_eft_hms_relu at N = 20: 0.5376, 0.9409, -5.  Takes well under a second. */
int fy_nnft_eft_summary(double *gp_ratio, double *lambda_ratio, double *rg_slope,
                        const fy_nnft_spec_t s, slong N, fy_error_t err);


/* ============================================== the [HMS] experiment (src/nnft/demo.c)
 * `feynn demo nnft`: the experiment of [HMS] section 4 end to end, exact against Monte Carlo.
 * For each of relu, gauss, erf (the embedded specs: d = 1, the inputs [HMS] used for each:
 * hms-d1-relu, hms-d1, hms-d1-erf; sigma_W = sigma_a = 1, sigma_b = 0 for relu and 1 for
 * gauss and erf) and each width N of the list (default
 * 2, 3, 4, 5, 10, 20, 50, 100, 500, 1000):
 *   - exact: m4(N), m6(N) from fy_nnft_corr_compute where the module has the correlators
 *     (exact_n[] says which; quick mode computes them at 32 bits); C4_exact = N m4(N), which does not depend on N (G4 - G4_GP =
 *     kappa_4 / N exactly), and C6_exact = N m6 at the largest width;
 *   - Monte Carlo: an ensemble of `networks` networks (fy_nnft_sample, seed + activation
 *     index; not fy_nnft_sample_shared: one draw for the three would change gauss's and
 *     erf's seeds, and Erf's C4 target, a fit over two widths with about 28% statistical
 *     error against a 10% tolerance, then fails at the default seed), the [HMS] m4, m6 with
 *     their backgrounds (fy_nnft_mc_deviation), the chunk kurtosis (heavy tails), the
 *     largest deviation of a tuple mean from the exact value in standard errors, and C4_mc,
 *     the weighted least-squares fit of m4 = C4 / N over the widths where m4 lies above
 *     twice its background (weights 1 / background^2);
 *   - the first width from which the Monte Carlo m_n lies below its background;
 * and for relu the 6-point prediction and cut-off scan of fy_nnft_eft_summary on
 * fy_nnft_eft_hms_relu at N = 20 (exact correlators).  The exact curves come from the exact
 * correlators at N = 1 and N = 2: G4 - G4_GP is exactly c / N and G6 - G6_GP exactly
 * A / N + B / N^2 at every tuple (MATH.md 4.2), which fixes them at every width.  Targets
 * (targets_met), for relu and erf: at every width whose chunk kurtosis is below
 * FY_NNFT_HEAVY_TAIL, every 2- and 4-tuple mean within 5 standard errors of its exact value,
 * and C4_mc within 10% of C4_exact when at least two widths enter its fit; the ReLU ratios
 * within 1e-3 of 50/93 and 175/186 and the slope within 1e-6 of -5; at the default scale, the
 * whole run within 180 s.  Gauss-net is reported, not tested: its neurons are log-normal and
 * its Monte Carlo is biased at these scales (the point the exact values make visible). */
#define FY_NNFT_DEMO_MAXW 16
#define FY_NNFT_DEMO_TIME_TARGET 180.0

typedef struct
{
    int quick;          /* widths 2, 5, 20, 100 and 20000 networks: a few seconds */
    uint64_t seed;      /* default 1 */
    uint64_t networks;  /* per width; 0: 10^6 (quick: 20000) */
    int nwidths;        /* 0: the default list */
    slong widths[FY_NNFT_DEMO_MAXW];
    int threads;        /* <= 0: OpenMP's default */
    slong prec;         /* bits of the exact correlators (default 40: 8 digits, fast) */
    FILE *log;          /* progress lines ("demo nnft [  12.3 s] ..."), NULL: none */
} fy_nnft_demo_opts_struct;
typedef fy_nnft_demo_opts_struct fy_nnft_demo_opts_t[1];

void fy_nnft_demo_opts_init(fy_nnft_demo_opts_t o);

/* One activation of the experiment; arrays indexed by width (a = 0 for n = 4, 1 for n = 6).
 * Numbers that do not exist are NaN. */
typedef struct
{
    fy_nnft_act_t act;
    double sigma_W, sigma_b;
    int nwidths;
    slong widths[FY_NNFT_DEMO_MAXW];
    uint64_t networks;
    int exact_n[2];                          /* exact m4 / m6 at every width */
    double m_exact[2][FY_NNFT_DEMO_MAXW];
    double m_mc[2][FY_NNFT_DEMO_MAXW], m_bg[2][FY_NNFT_DEMO_MAXW];
    double kurtosis[2][FY_NNFT_DEMO_MAXW];   /* chunk kurtosis of the n-tuple means */
    double zmax[FY_NNFT_DEMO_MAXW];          /* max over 2- and 4-tuples of |MC - exact| / se */
    double mc_seconds[FY_NNFT_DEMO_MAXW];
    double C4_exact, C4_mc, C6_exact;
    int C4_used;                             /* widths in the fit of C4_mc */
    slong below_bg[2];                       /* first width with m_mc < m_bg (0: none) */
    int agree;                               /* the tuple-agreement target */
} fy_nnft_demo_act_struct;

#define FY_NNFT_DEMO_NACT 3 /* relu, gauss, erf */

/* qft2 (issue 14): the second part of `feynn demo nnft`, fields from neurons [H]
 * (src/nnft/demo_qft.c), all exact in balls but the Monte Carlo column:
 *   - the free scalar (Gaussian NN-QFT 2: d = 1, Lorentzian b, F = 1, m = 1, sigma_a = 1,
 *     N = 10): G(p) against m / (p^2 + m^2), G2(x) against Monte Carlo, and reflection
 *     positivity of G2 certified (the spectral measure) beside Cos-net's certified failure;
 *   - the Cos/Gauss duality (fy_nnft_duality, d = 1, N = 10, points 0, 1/5, -1/5, 1/2) under
 *     the shifts t = 0, 1/2, .., 3: G2 equal, G4_c of Cos-net constant, of Gauss-net not;
 *   - the symmetry table: translation (G4_c), reflection x -> -x (G4_c) and Z2 (G3) of
 *     Cos-net, Gauss-net and the free scalar, exact, with the [MSH] condition;
 *   - independence breaking (fy_nnft_ib, Cos-net): I_N and I_IB against N at eps = 1/4 and
 *     against eps at N = 10.
 * Targets (targets_met): the spectrum within 1e-12 of the closed form, every Monte Carlo G2
 * within 4 standard errors, the free field certified positive and Cos-net certified not, the
 * Cos-net spread a ball containing 0 and Gauss-net's above 1e-3, I_IB = 0 at eps = 0 (a ball
 * containing 0), N I_N the same at every N (relative 1e-9), I_N + I_IB = G4_c at eps = 0
 * against fy_nnft_connected. */
#define FY_NNFT_DEMO_QFT_NP 9
#define FY_NNFT_DEMO_QFT_NX 5
#define FY_NNFT_DEMO_QFT_NS 7
#define FY_NNFT_DEMO_QFT_NIB 6
typedef struct
{
    double p[FY_NNFT_DEMO_QFT_NP], Gp[FY_NNFT_DEMO_QFT_NP], Gp_form[FY_NNFT_DEMO_QFT_NP];
    double Gp_maxrel;                   /* max |G(p) / form - 1| */
    double x[FY_NNFT_DEMO_QFT_NX], G2[FY_NNFT_DEMO_QFT_NX];
    double G2_mc[FY_NNFT_DEMO_QFT_NX], G2_se[FY_NNFT_DEMO_QFT_NX];
    double zmax;                        /* max |MC - exact| / se */
    uint64_t networks;
    int rp_free[3], rp_cos[3];          /* positive, certified, spectral */
    char rp_free_verdict[96], rp_cos_verdict[96];
    double shift[FY_NNFT_DEMO_QFT_NS], g2_cos[FY_NNFT_DEMO_QFT_NS],
        g2_gauss[FY_NNFT_DEMO_QFT_NS];
    double g4_cos[FY_NNFT_DEMO_QFT_NS], g4_gauss[FY_NNFT_DEMO_QFT_NS];
    double spread_cos, spread_gauss;
    int spread_cos_zero;                /* Cos-net's spread is a ball containing 0 */
    int sym[3][3];                      /* [cos, gauss, free][translation, reflection, z2] */
    double sym_viol[3][3];
    double N[FY_NNFT_DEMO_QFT_NIB], IN_N[FY_NNFT_DEMO_QFT_NIB], IIB_N[FY_NNFT_DEMO_QFT_NIB];
    double eps[FY_NNFT_DEMO_QFT_NIB], IN_eps[FY_NNFT_DEMO_QFT_NIB],
        IIB_eps[FY_NNFT_DEMO_QFT_NIB];
    int ib_zero_at_0, ib_sum_ok;
    double NIN_spread;                  /* relative spread of N I_N over the widths */
    int targets_met;
    double seconds;
} fy_nnft_demo_qft_struct;

typedef struct
{
    fy_nnft_demo_act_struct a[FY_NNFT_DEMO_NACT];
    int have_eft;                    /* the ReLU 6-point numbers below exist */
    double gp_ratio, lambda_ratio, rg_slope;
    char eft_note[256];              /* why not, when have_eft is 0 */
    int quick, threads, targets_met, time_target;
    uint64_t seed;
    double time_s, exact_s, mc_s;
    fy_nnft_demo_qft_struct qft;     /* qft2: the second part (src/nnft/demo_qft.c) */
} fy_nnft_demo_struct;
typedef fy_nnft_demo_struct fy_nnft_demo_t[1];

void fy_nnft_demo_init(fy_nnft_demo_t d);
void fy_nnft_demo_clear(fy_nnft_demo_t d);
/* Runs the experiment.  Errors: bad options (FY_EINPUT: a width < 1, more than
 * FY_NNFT_DEMO_MAXW widths, fewer than FY_NNFT_CHUNKS networks), out of memory. */
int fy_nnft_demo_run(fy_nnft_demo_t d, const fy_nnft_demo_opts_t o, fy_error_t err);
/* The report as text and as JSON (doc/schema/demo-nnft.schema.json), malloc'ed strings. */
int fy_nnft_demo_text(char **out, const fy_nnft_demo_t d, fy_error_t err);
int fy_nnft_demo_json(char **out, const fy_nnft_demo_t d, fy_error_t err);
/* Writes report.txt, report.json, the CSV files of every plotted series (m4.csv, m6.csv,
 * heavy_tail.csv, six_point.csv) and, when fy_plot_available(), the PDF figures (m4.pdf,
 * m6.pdf) into the folder dir as a whole (fy_outdir: a fresh folder renamed into place; a
 * non-empty folder feynn did not write is refused unless force, then moved aside).  *figures
 * (may be NULL) is set to the number of figures written; note (may be NULL) says where files
 * a user had added were kept. */
int fy_nnft_demo_write(const fy_nnft_demo_t d, const char *dir, int force, int *figures,
                       char *note, size_t note_len, fy_error_t err);

/* ============================================== fields from neurons (qft-fields, issue 14;
 * src/nnft/euclid.c, euclid_mc.c; [H] "Building quantum field theories out of neurons")
 *
 * phi(x) = sum_{i=1..N} a_i F(b_i) cos(b_i . x + c_i), c ~ U[-pi, pi], E a^2 = sigma_a^2 / N,
 * E a^4 = K sigma_a^4 / N^2 (K the spec's kurtosis), b ~ P(b) (fy_nnft_bdist_t), F(b)
 * (fy_nnft_ampl_t); spec keys b_dist, F, mass, Lambda (doc/nnft-spec.md).  The uniform phase
 * makes every ensemble of this family translation invariant at every N (x -> x + t is
 * c -> c + b . t), and every odd correlator vanish (c -> c + pi is phi -> -phi).
 *
 * Conventions.  G2(x, y) = (sigma_a^2 / 2) E_b[F(b)^2 cos(b . (x - y))] and the power
 * spectrum G(p) with G2(x, y) = int d^d p / (2 pi)^d e^(i p . (x - y)) G(p), that is
 * G(p) = (sigma_a^2 / 2) (2 pi)^d P(p) F(p)^2 (P the density of b).  The talk's examples:
 *   Gaussian NN-QFT 1: ball of radius Lambda, F = 1/sqrt(b^2 + m^2):
 *     G(p) = sigma_a^2 (2 pi)^d / (2 vol(ball)) / (p^2 + m^2) for |p| < Lambda, 0 beyond;
 *   Gaussian NN-QFT 2: d = 1, Lorentzian P, F = 1: G(p) = sigma_a^2 m / (p^2 + m^2),
 *     G2(x, y) = (sigma_a^2 / 2) e^(-m |x - y|).
 * fy_nnft_kernel, fy_nnft_moment, fy_nnft_correlator, fy_nnft_connected and
 * fy_nnft_corr_compute work on every spec of the family (they call the functions below). */

/* The generator's purposes of this section (feynn/rng.h; other modules use 0-49). */
enum
{
    FY_RNG_PURPOSE_NNFT_EUCLID = 56 /* the Monte Carlo G2 of fy_nnft_euclid_mc_g2 */
};

/* "gauss", "ball", "lorentz" / "one", "prop"; the parsers return -1 if unknown. */
const char *fy_nnft_bdist_name(fy_nnft_bdist_t b);
int fy_nnft_bdist_parse(fy_nnft_bdist_t *b, const char *name);
const char *fy_nnft_ampl_name(fy_nnft_ampl_t f);
int fy_nnft_ampl_parse(fy_nnft_ampl_t *f, const char *name);

/* 1 when s is an activation-cos spec with an input layer other than the Cos-net's (b_dist,
 * F, a_mean or phase not the default), 0 otherwise. */
int fy_nnft_is_euclid(const fy_nnft_spec_t s);

/* The Z2 switch (spec keys a_mean, phase).  phi -> -phi is a symmetry by duality when either
 * parameter map absorbs it: a -> -a (a symmetric, a_mean = 0) or c -> c + pi (c uniform on a
 * whole period, phase = 1).  Only with both broken (a_mean != 0 and phase < 1) do odd
 * correlators appear: then fy_nnft_has_odd returns 1, and fy_nnft_correlator and
 * fy_nnft_connected sum over every set partition (fy_nnft_euclid_correlator, _connected
 * below; fy_nnft_corr_compute refuses).  phase < 1 also breaks translation invariance (the
 * terms with sum s != 0 below depend on sum_k s_k x_k). */
int fy_nnft_has_odd(const fy_nnft_spec_t s);

/* The radial function R_M(r) = E_b[F(b)^M cos(b . y)] at |y|^2 = r2 (rational, >= 0),
 * M = 0, 2, 4, .., 16, in a ball:
 *   gauss, F one:    exp(-sigma_W^2 r^2 / (2 d));
 *   ball, F one:     0F1(; d/2 + 1; -Lambda^2 r^2 / 4) (the ball's Fourier transform);
 *   ball, F prop:    (d / Lambda^d) int_0^Lambda k^(d-1) 0F1(; d/2; -k^2 r^2/4)
 *                    (k^2 + m^2)^(-M/2) dk, rigorous quadrature (acb_calc_integrate); the
 *                    angular average 0F1(; d/2; -t^2/4) = Gamma(d/2) (2/t)^(d/2-1) J_(d/2-1)(t)
 *                    is cos t in d = 1, sin t / t in d = 3;
 *   lorentz, F one:  exp(-m r);
 *   lorentz, F prop: (2 m / n!) e^(-m r) sum_(j <= n) C(n, j) r^(n-j) (n+j)!/n! (2m)^-(n+1+j),
 *                    n = M/2 (residue at b = i m);
 *   gauss, F prop:   FY_EUNSUPPORTED (not yet). */
int fy_nnft_euclid_radial(arb_t R, const fy_nnft_spec_t s, int M, const fmpq_t r2,
                          slong prec, fy_error_t err);
/* G2 at |x - y|^2 = r2: (sigma_a^2 / 2) R_2. */
int fy_nnft_euclid_g2(arb_t G, const fy_nnft_spec_t s, const fmpq_t r2, slong prec,
                      fy_error_t err);
/* The power spectrum G(p) at |p| = p >= 0 (see the conventions above); for the ball, the
 * value of the closed ball |p| <= Lambda, 0 beyond, and the hull of both for a p ball that
 * straddles Lambda.  Every b_dist and F. */
int fy_nnft_power_spectrum(arb_t G, const fy_nnft_spec_t s, const arb_t p, slong prec,
                           fy_error_t err);
/* K(x_i, x_j) = G2 and the single-neuron moment mu_M(x_idx[0..M)) = E[(sqrt(N) a)^M]
 * 2^(1-M) sum over sign vectors s with s_1 = +1 of sinc(phase pi sum s) R_M(|sum_k s_k x_k|)
 * (phase = 1: only sum s = 0 survives, and odd M give 0): what fy_nnft_kernel and
 * fy_nnft_moment return for the family.  E[(sqrt(N) a)^M] = sigma_a^M (M-1)!! (K/3)^(M/2-1)
 * (even M), or with a_mean the moments of N(a_mean / sqrt(N), sigma_a^2).  Odd M with
 * F prop: the ball only. */
int fy_nnft_euclid_kernel(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                          fy_error_t err);
int fy_nnft_euclid_moment(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int M,
                          slong prec, fy_error_t err);
/* G^(n) = N^(-n/2) sum over every set partition pi of (N)_|pi| prod_B mu_|B|, and the
 * connected G^(n)_c = N^(1 - n/2) sum_pi (-1)^(|pi|-1) (|pi|-1)! prod_B mu_|B|, 1 <= n <= 8,
 * odd blocks included (for specs with fy_nnft_has_odd; equal to fy_nnft_correlator and
 * fy_nnft_connected on the others). */
int fy_nnft_euclid_correlator(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n,
                              slong prec, fy_error_t err);
int fy_nnft_euclid_connected(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n,
                             slong prec, fy_error_t err);

/* Monte Carlo estimate of G2 at every pair i <= j of the spec's points (P (P + 1) / 2 pairs
 * in the order (0,0), (0,1), .., (0,P-1), (1,1), ..): M networks of the spec's width drawn
 * from the generator (purpose FY_RNG_PURPOSE_NNFT_EUCLID, stream = network), mean of
 * phi(x_i) phi(x_j) and its standard error sqrt(var / M).  Every member of the family
 * (b: Gaussian, uniform in the ball by a normal direction and radius Lambda u^(1/d),
 * Lorentzian by m tan(pi (u - 1/2)); output weights with the spec's kurtosis as the
 * sampler's scale mixture).  M >= 2. */
int fy_nnft_euclid_mc_g2(double *mean, double *se, const fy_nnft_spec_t s, uint64_t M,
                         uint64_t seed, fy_error_t err);

/* `feynn nnft spectrum`: G(p) at p_k = k pmax / (np - 1), k < np, and G2(x_j, 0) at
 * x_j = j xmax / (nx - 1) e_1, j < nx, exact balls; with M > 0 also the Monte Carlo G2 with
 * its standard errors (fy_nnft_euclid_mc_g2 on the points x_j; mc_mean == NULL without). */
typedef struct
{
    slong np, nx;
    arb_ptr p, Gp;       /* np */
    fmpq *x;             /* nx: the first coordinate of x_j */
    arb_ptr G2;          /* nx */
    double *mc_mean, *mc_se; /* nx, or NULL */
    uint64_t M, seed;
} fy_nnft_spectrum_struct;
typedef fy_nnft_spectrum_struct fy_nnft_spectrum_t[1];

void fy_nnft_spectrum_init(fy_nnft_spectrum_t sp);
void fy_nnft_spectrum_clear(fy_nnft_spectrum_t sp);
int fy_nnft_spectrum(fy_nnft_spectrum_t sp, const fy_nnft_spec_t s, const fmpq_t pmax,
                     slong np, const fmpq_t xmax, slong nx, uint64_t M, uint64_t seed,
                     slong prec, fy_error_t err);

/* The large-N duality of Cos-net and Gauss-net ([H], extra slides): both with the spec's d,
 * width N, sigma_W, sigma_a and kurtosis, no biases, share G2 / G2(x, x) =
 * exp(-sigma_W^2 |x - y|^2 / (2 d)) (the Gaussian power spectrum) at every N; at finite N
 * their exact connected 4-point functions differ, Cos-net's translation invariant, Gauss-net's
 * not.  For the configuration x_0..x_3 (the spec's first four points) translated by each
 * shift t_k (nshift x d rationals): G2(x_0 + t, x_1 + t) / G2(x, x) and
 * G4_c(x_0 + t, .., x_3 + t) / G2(x, x)^2 of both (normalised so that G2(x, x) = 1: Cos-net
 * has sigma_a^2 / 2 there, Gauss-net sigma_a^2), and the spread (largest minus smallest over
 * the shifts) of each G4_c column. */
typedef struct
{
    slong nshift, d;
    fmpq *shift;                  /* nshift x d */
    arb_ptr g2_cos, g2_gauss, g4_cos, g4_gauss; /* nshift each */
    arb_t spread_cos, spread_gauss;
    slong width;
} fy_nnft_duality_struct;
typedef fy_nnft_duality_struct fy_nnft_duality_t[1];

void fy_nnft_duality_init(fy_nnft_duality_t t);
void fy_nnft_duality_clear(fy_nnft_duality_t t);
int fy_nnft_duality(fy_nnft_duality_t t, const fy_nnft_spec_t s, const fmpq *shift,
                    slong nshift, slong prec, fy_error_t err);

/* ============================================== user-given P(|b|) and F, deeper g (qft3, issue
 * 14; src/nnft/euclid_user.c, euclid.c, euclid_mc.c, euclid_kl.c; doc/nnft-spec.md)
 *
 * User-given input layers.  'b_dist user' with 'b_density' lines: b in R^d has the density
 * P(b) = p(|b|) / Z, p the piecewise polynomial of the lines (>= 0, checked exactly by Sturm
 * sequences), Z = S_(d-1) int_0^inf k^(d-1) p(k) dk (S_(d-1) = 2 pi^(d/2) / Gamma(d/2)), the
 * radial integral exact in rationals.  'F user' with 'F_piece' lines: F(b) = f(|b|), f
 * piecewise polynomial, 0 off its pieces (qft14: with every b_dist, see below).  Then
 *   R_M(r) = int k^(d-1) p(k) F(k)^M 0F1(; d/2; -k^2 r^2 / 4) dk / int k^(d-1) p(k) dk,
 * by rigorous quadrature (acb_calc_integrate) on every interval between the knots of p and
 * f, the angular average in closed form as for the ball (cos t in d = 1, sin t / t in
 * d = 3); the power spectrum (sigma_a^2 / 2) (2 pi)^d p(|p|) F(|p|)^2 / Z (the hull of the
 * adjacent pieces at a knot); the Monte Carlo radius by inverse CDF on the exact rational CDF
 * (bisection in doubles), the direction as for the ball.  For b_dist user, Lambda is set to
 * the end of the last piece.
 *
 * Deeper g.  'g dense': h_i(x) = sigma(sum_(j < g_width) W_ij l_j(x) + beta_i), i < N (width),
 * l_j(x) = F(b_j) cos(b_j . x + c_j) the input layer of g_width neurons, W_ij ~
 * N(0, sigma_g^2 / g_width), beta_i ~ N(0, sigma_gb^2), independent of the input layer's
 * parameters, and phi = sum_i a_i h_i.  Translation and rotation invariance survive every g
 * (the input layer absorbs them, [H]).  Exact where the moments have closed forms: the
 * linear g (g_act linear, sigma_gb 0), for which phi = sum_j v_j l_j(x) with v_j = sum_i
 * a_i W_ij, given S = sum_i a_i^2 i.i.d. N(0, sigma_g^2 S / g_width), so that
 *   G^(n)(x_1..x_n) = E[S^(n/2)] G^(n)_1(x_1..x_n),
 * G_1 the single layer of width g_width with Gaussian output weights N(0, sigma_g^2 /
 * g_width), E[S^k] the sum over set partitions of (N)_|pi| prod_B E[a^(2|B|)]; connected
 * parts by the Moebius sum over set partitions of these.  Other g: Monte Carlo only
 * (fy_nnft_euclid_mc_g2); the exact functions refuse with the reason.  The neurons of a
 * deeper g share the input layer, so fy_nnft_has_odd returns 1 for them (the all-partition
 * route of fy_nnft_euclid_correlator; fy_nnft_corr_compute's tables do not apply). */
enum
{
    FY_RNG_PURPOSE_NNFT_DEEP = 58 /* normals W, beta of the dense g in fy_nnft_euclid_mc_g2 */
};

/* "identity", "dense" / "linear", "tanh", "erf", "relu", "sin"; parsers return -1 if
 * unknown. */
const char *fy_nnft_g_name(fy_nnft_g_t g);
int fy_nnft_g_parse(fy_nnft_g_t *g, const char *name);
const char *fy_nnft_gact_name(fy_nnft_gact_t a);
int fy_nnft_gact_parse(fy_nnft_gact_t *a, const char *name);

void fy_nnft_ppoly_init(fy_nnft_ppoly_t f);
void fy_nnft_ppoly_clear(fy_nnft_ppoly_t f);
int fy_nnft_ppoly_set(fy_nnft_ppoly_t z, const fy_nnft_ppoly_t x, fy_error_t err);
/* Appends the piece p on [lo, hi]; FY_EINPUT unless 0 <= lo < hi and lo >= the last hi. */
int fy_nnft_ppoly_append(fy_nnft_ppoly_t f, const fmpq_t lo, const fmpq_t hi,
                         const fmpq_poly_t p, slong line, fy_error_t err);
/* The value at k >= 0 (a ball): the hull of the values of every piece k meets, and 0 where k
 * meets a gap or lies beyond the last piece. */
void fy_nnft_ppoly_eval(arb_t y, const fy_nnft_ppoly_t f, const arb_t k, slong prec);
/* 1 when p >= 0 on [lo, hi] (decided exactly: Sturm count of the roots of odd multiplicity
 * inside, then the sign at a rational point); 0 otherwise, with a rational witness where
 * p < 0 in *where (may be NULL). */
int fy_nnft_poly_nonneg(fmpq_t where, const fmpq_poly_t p, const fmpq_t lo, const fmpq_t hi);
/* int_0^inf k^e f(k) dk, exactly. */
void fy_nnft_ppoly_moment(fmpq_t z, const fy_nnft_ppoly_t f, slong e);
/* Checks f as a density (every piece >= 0, positive mass) or, with density 0, as an
 * amplitude; messages name name:line of the piece (or the piece number) and the fix. */
int fy_nnft_ppoly_check(const fy_nnft_ppoly_t f, int density, const char *name,
                        fy_error_t err);
/* The exact radial CDF of b_dist user (or ball) at k >= 0: C(k) = int_0^k t^(d-1) p(t) dt /
 * int_0^inf t^(d-1) p(t) dt. */
int fy_nnft_euclid_radial_cdf(fmpq_t C, const fy_nnft_spec_t s, const fmpq_t k,
                              fy_error_t err);

/* 1 for a spec with g dense. */
int fy_nnft_euclid_deep(const fy_nnft_spec_t s);
/* E[S^k], S = sum_(i < N) a_i^2, k = 0..8: exact (ball) from the output weights' moments. */
int fy_nnft_euclid_deep_smoment(arb_t ES, const fy_nnft_spec_t s, int k, slong prec,
                                fy_error_t err);
/* (end qft3) */

/* qft14 (issue 14; euclid.c, euclid_mc.c, mc.c): the ensemble sampler (fy_nnft_sample,
 * fy_nnft_sample_run, fy_nnft_sample_scan, fy_nnft_network_outputs, so also
 * fy_nnft_symmetry_mc) draws every member of the family: b_dist, F, a_mean, phase, g dense
 * (network k is network k of fy_nnft_euclid_mc_g2; its checkpoints are keyed by these
 * fields too).  F user goes with every law of b: F = 0 off its pieces, so with b_dist gauss
 * or lorentz the pieces cut the law off, R_M(r) = int over F's pieces of k^(d-1) w(k) F^M
 * 0F1(; d/2; -k^2 r^2/4) dk / int_0^inf k^(d-1) w(k) dk, w = exp(-d k^2 / (2 sigma_W^2)) or
 * 1/(k^2 + m^2).  fy_nnft_rho of b_dist user or F user: by rigorous quadrature over p_0 of
 * cos(p_0 tau) G(sqrt(p_0^2 + p^2)) on every piece.
 *
 * The tables of fy_nnft_corr_compute (every sorted tuple: G, Wick value, connected part,
 * m_n) for the specs it refuses because the neurons share the input layer (g dense) or odd
 * moments appear (fy_nnft_has_odd): through fy_nnft_euclid_correlator and _connected;
 * FY_EUNSUPPORTED where those have no exact value (a g_act other than linear). */
int fy_nnft_euclid_corr_compute(fy_nnft_corr_t c, const fy_nnft_spec_t s, int n, slong prec,
                                fy_error_t err);
/* (end qft14) */

/* ============================================== checks on any ensemble (qft-checks, issue 14;
 * src/nnft/rp.c, symmetry.c, os.c, ib.c; doc/math.md 4.6)
 *
 * Questions one asks of any ensemble, answered through the exact entry points
 * (fy_nnft_kernel, fy_nnft_correlator, fy_nnft_connected on a spec whose points are replaced
 * as needed) or through a plain callback, so that a kernel known only as a formula can be
 * checked too.  Points are rationals; the first coordinate is the Euclidean time. */

/* An n-point function at the rational points x (n x d, row-major). */
typedef int (*fy_nnft_npt_fn)(arb_t G, const fmpq *x, int n, slong d, void *ctx, slong prec,
                              fy_error_t err);
/* A 2-point function G(x, y) at x, y in Q^d. */
typedef int (*fy_nnft_g2_fn)(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx,
                             slong prec, fy_error_t err);

/* Built-in 2-point functions (fy_nnft_g2_model, ctx a const fy_nnft_g2_model_struct *):
 *   FY_NNFT_G2_FREE   the free scalar propagator in d dimensions, the Fourier transform of
 *                     c / (p^2 + m^2): c (2 pi)^(-d/2) (m / r)^(d/2 - 1) K_(d/2-1)(m r),
 *                     r = |x - y| (d = 1: c e^(-m r) / (2 m); d = 3: c e^(-m r) / (4 pi r));
 *                     r = 0 in d >= 2 is an error (the propagator is infinite there);
 *   FY_NNFT_G2_GAUSS  c exp(-m^2 |x - y|^2 / 2), the Gaussian spectrum of Cos-net/Gauss-net;
 *   FY_NNFT_G2_EXP    c exp(-m |x - y|) in any d. */
typedef enum
{
    FY_NNFT_G2_FREE = 0,
    FY_NNFT_G2_GAUSS,
    FY_NNFT_G2_EXP,
    FY_NNFT_G2_NKIND
} fy_nnft_g2_kind_t;
typedef struct
{
    fy_nnft_g2_kind_t kind;
    fmpq_t m, c;
} fy_nnft_g2_model_struct;
typedef fy_nnft_g2_model_struct fy_nnft_g2_model_t[1];

/* m = c = 1, kind FY_NNFT_G2_FREE. */
void fy_nnft_g2_model_init(fy_nnft_g2_model_t g);
void fy_nnft_g2_model_clear(fy_nnft_g2_model_t g);
int fy_nnft_g2_model(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                     fy_error_t err);
/* The kernel of a spec (ctx a const fy_nnft_spec_struct *) at any two points: a copy of the
 * spec whose points are x, y, then fy_nnft_kernel. */
int fy_nnft_g2_spec(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                    fy_error_t err);
/* n-point adapters: ctx a fy_nnft_npt_ctx_struct.  fy_nnft_npt_spec: fy_nnft_correlator (or
 * fy_nnft_connected when connected) of spec at the points x; n = 2 uses fy_nnft_kernel.
 * fy_nnft_npt_g2: the 2-point callback g2 (n must be 2). */
typedef struct
{
    const fy_nnft_spec_struct *spec;
    int connected;
    fy_nnft_g2_fn g2;
    void *g2_ctx;
} fy_nnft_npt_ctx_struct;
int fy_nnft_npt_spec(arb_t G, const fmpq *x, int n, slong d, void *ctx, slong prec,
                     fy_error_t err);
int fy_nnft_npt_g2(arb_t G, const fmpq *x, int n, slong d, void *ctx, slong prec,
                   fy_error_t err);

/* ------------------------------------------------------------------ reflection positivity
 * (rp.c)  theta (t, x) = (-t, x).  On points x_1..x_n with t_i > 0, the reflection matrix
 * M_ij = G2(theta x_i, x_j) (its symmetric part) must be positive semi-definite for a
 * reflection-positive theory.  The verdicts, in ball arithmetic on D^-1 M D^-1 (D^2 the
 * diagonal of M; a congruence, so the inertia is that of M):
 *   positive = 1, certified = 1, definite = 1: arb_mat_cho succeeded: every matrix in the
 *     balls is positive definite; lambda_lower > 0 is a certified lower bound on the smallest
 *     eigenvalue of D^-1 M D^-1 (a shift s with M' - s I still proved definite);
 *   positive = 0, certified = 1: a direction v (exact doubles) with v^T M v a ball entirely
 *     below 0 (vMv);
 *   positive = 1, certified = 0: no negative direction, but not definite either: the pivoted
 *     LDL proves `rank` pivots positive and leaves a Schur complement within the rounding of
 *     zero (a singular PSD matrix, e.g. d = 1 with one mass, M_ij = e^(-m (t_i + t_j)) / (2m)
 *     of rank 1: ball arithmetic cannot prove a singular matrix semi-definite);
 *   positive = -1 (undecided): anything else.
 * lambda_min is the floating estimate of the smallest eigenvalue of D^-1 M D^-1 (Jacobi). */
typedef struct
{
    slong n, d;
    fmpq *points;        /* n x d */
    int positive, certified, definite;
    slong rank;
    double lambda_min;
    arb_t lambda_lower;  /* certified lower bound (definite), else 0 */
    double *direction;   /* n entries when positive == 0, else NULL */
    arb_t vMv;
    double *M;           /* n x n midpoints of the symmetric reflection matrix */
    double asym;         /* max |M_ij - M_ji| (0 for a reflection-symmetric theory) */
    int spectral;        /* d = 1 with a known spectral measure (fy_nnft_rp_spectral): 1 the
                          * measure is positive and certifies positive = 1 whatever the rank;
                          * -1 the measure is signed (not reflection positive); 0 not used */
    /* in (trust10, issue 10 item 18): NULL, or a bar advanced by the 2-point evaluations as
     * they are done.  fy_nnft_rp_check sets its total to n^2 (the matrix), fy_nnft_rp_spec to
     * 2 n^2 when the spectral certificate evaluates the matrix again (d = 1, closed-form
     * measure); the caller sets it after fy_nnft_rp_init (the checks keep it), and inits and
     * clears the bar. */
    fy_progress_struct *progress;
} fy_nnft_rp_struct;
typedef fy_nnft_rp_struct fy_nnft_rp_t[1];

void fy_nnft_rp_init(fy_nnft_rp_t r);
void fy_nnft_rp_clear(fy_nnft_rp_t r);
/* n points with times tmax k / n, k = 1..n, and for d >= 2 the other coordinates drawn from
 * {-tmax, .., tmax} in steps of tmax / 8 (generator keyed by seed, FY_RNG_PURPOSE_NNFT_CHECKS).
 * pts: n x d initialised fmpq. */
void fy_nnft_rp_points(fmpq *pts, slong n, slong d, const fmpq_t tmax, uint64_t seed);
int fy_nnft_rp_check(fy_nnft_rp_t r, fy_nnft_g2_fn g2, void *ctx, slong d, const fmpq *pts,
                     slong n, slong prec, fy_error_t err);
/* The spec's kernel (fy_nnft_g2_spec) on pts (NULL: the spec's points); in d = 1 with a
 * closed-form spectral measure (fy_nnft_kl_spec) also fy_nnft_rp_spectral, which certifies the
 * singular positive matrices the ball Cholesky cannot. */
int fy_nnft_rp_spec(fy_nnft_rp_t r, const fy_nnft_spec_t s, const fmpq *pts, slong n,
                    slong prec, fy_error_t err);
/* The verdict as "positive definite (certified)", "not positive (certified)",
 * "positive semi-definite (not certified)", "undecided". */
const char *fy_nnft_rp_verdict(const fy_nnft_rp_t r);

/* ------------------------------------------------------------------ spectral representation
 * (euclid_kl.c, doc/math.md 4.6)  In d = 1 (time only) a translation-invariant 2-point
 * function is reflection positive exactly when it is a Laplace transform
 * G2(t) = int e^(-E |t|) d mu(E) of a positive measure mu (Kallen-Lehmann; in momentum space
 * G(p) = int 2E / (p^2 + E^2) d mu(E)).  The closed forms known here are sums of atoms and
 * dipoles (|t| e^(-E|t|) = -d/dE e^(-E|t|), a signed measure):
 *   G2(t) = sum_k (w_k + u_k |t|) e^(-E_k |t|),
 *   G(p)  = sum_k [w_k 2 E_k / (p^2 + E_k^2) + u_k 2 (E_k^2 - p^2) / (p^2 + E_k^2)^2];
 *   spec d = 1, cos, b_dist lorentz, F one:  E = m, w = sigma_a^2 / 2 (Gaussian NN-QFT 2);
 *   spec d = 1, cos, b_dist lorentz, F prop: E = m, w = sigma_a^2 / (4 m^2),
 *                                            u = sigma_a^2 / (4 m) (signed: not RP);
 *   model free, d = 1: E = m, w = c / (2 m);  model exp, d = 1: E = m, w = c;
 * anything else FY_EUNSUPPORTED. */
typedef struct
{
    slong n;          /* terms */
    arb_ptr E, w, u;  /* energies, atom weights, dipole weights */
} fy_nnft_kl_struct;
typedef fy_nnft_kl_struct fy_nnft_kl_t[1];

void fy_nnft_kl_init(fy_nnft_kl_t kl);
void fy_nnft_kl_clear(fy_nnft_kl_t kl);
int fy_nnft_kl_spec(fy_nnft_kl_t kl, const fy_nnft_spec_t s, slong prec, fy_error_t err);
int fy_nnft_kl_model(fy_nnft_kl_t kl, const fy_nnft_g2_model_t g, slong d, slong prec,
                     fy_error_t err);
/* G2(t) and the power spectrum G(p) of the measure. */
void fy_nnft_kl_g2(arb_t G, const fy_nnft_kl_t kl, const arb_t t, slong prec);
void fy_nnft_kl_spectrum(arb_t G, const fy_nnft_kl_t kl, const arb_t p, slong prec);
/* 1: a positive measure (every u_k = 0 and w_k > 0, proved); 0: not (some u_k proved non-zero
 * or w_k proved negative); -1: undecided. */
int fy_nnft_kl_positive(const fy_nnft_kl_t kl);
/* Reflection positivity through the measure.  r filled by fy_nnft_rp_check (d = 1) with the
 * same g2 and ctx: every M_ij = G2(-t_i, t_j) is checked against the measure at t_i + t_j (the
 * balls must overlap, else FY_EINPUT: not the measure of this 2-point function); a positive
 * measure then certifies v^T M v = sum_k w_k (sum_i v_i e^(-E_k t_i))^2 >= 0 for every v,
 * whatever the rank of M: positive = certified = 1, spectral = 1 (definite stays what the
 * ball Cholesky found).  A signed measure sets spectral = -1 and leaves the ball verdict (its
 * negative direction certifies the failure). */
int fy_nnft_rp_spectral(fy_nnft_rp_t r, const fy_nnft_kl_t kl, fy_nnft_g2_fn g2, void *ctx,
                        slong prec, fy_error_t err);
/* fy_nnft_rp_check with the built-in kernel g, then fy_nnft_rp_spectral where d = 1. */
int fy_nnft_rp_model(fy_nnft_rp_t r, const fy_nnft_g2_model_t g, slong d, const fmpq *pts,
                     slong n, slong prec, fy_error_t err);
/* The time-momentum representation of an input layer's G2 (activation cos, phase 1):
 * rho(p, tau) = int dp_0 / (2 pi) e^(i p_0 tau) G(sqrt(p_0^2 + p^2)), p = |spatial momentum|
 * (rational, 0 in d = 1), tau the Euclidean time (rational), so that
 * G2((tau, x), 0) = int d^(d-1)p / (2 pi)^(d-1) e^(i p . x) rho(p, tau).  Reflection positive
 * means tau -> rho(p, tau) is completely monotone on tau > 0 for every p; the free scalar has
 * rho = c e^(-omega |tau|) / (2 omega), omega = sqrt(p^2 + m^2).  In balls:
 *   lorentz (d = 1):  rho(tau) = G2(tau) (fy_nnft_euclid_g2);
 *   gauss, F one:     G(0) e^(-p^2 / (2 s2)) sqrt(s2 / (2 pi)) e^(-s2 tau^2 / 2),
 *                     s2 = sigma_W^2 / d;
 *   ball, F one:      G(0) sin(a tau) / (pi tau), a = sqrt(Lambda^2 - p^2) (0 for p >= Lambda);
 *   ball, F prop:     (G(0) m^2 / pi) int_0^a cos(p_0 tau) / (p_0^2 + p^2 + m^2) dp_0,
 *                     rigorous quadrature (acb_calc_integrate);
 *   gauss, F prop:    FY_EUNSUPPORTED;
 *   b_dist user or F user (qft14): (1/pi) int_0^inf cos(p_0 tau) G(sqrt(p_0^2 + p^2)) dp_0
 *                     by rigorous quadrature on every piece. */
int fy_nnft_rho(arb_t rho, const fy_nnft_spec_t s, const fmpq_t p, const fmpq_t tau,
                slong prec, fy_error_t err);
/* The spectral check in momentum space: reflection positivity of tau -> rho(p, tau) at the
 * spatial momentum p, fy_nnft_rp_check on the times t (n rationals > 0, d = 1) with
 * M_ij = rho(p, t_i + t_j) (a Hankel matrix: positive semi-definite for every choice of times
 * exactly when rho(p, .) is completely monotone); in d = 1 with a closed-form measure also
 * fy_nnft_rp_spectral. */
int fy_nnft_rp_rho(fy_nnft_rp_t r, const fy_nnft_spec_t s, const fmpq_t p, const fmpq *t,
                   slong n, slong prec, fy_error_t err);
/* `feynn nnft spectrum --rho`: rho(p_k, tau_i) for every p_k (np) and tau_i (nt), the
 * momentum-space check fy_nnft_rp_rho at each p_k on the first 8 positive tau_i (rp[k]; n = 0
 * when there is none), and the closed-form measure where fy_nnft_kl_spec knows one. */
typedef struct
{
    slong np, nt;
    fmpq *p, *tau;
    arb_ptr rho;              /* np x nt, row-major */
    fy_nnft_rp_struct *rp;    /* np */
    int kl_known;
    fy_nnft_kl_t kl;
} fy_nnft_rho_table_struct;
typedef fy_nnft_rho_table_struct fy_nnft_rho_table_t[1];

void fy_nnft_rho_table_init(fy_nnft_rho_table_t tb);
void fy_nnft_rho_table_clear(fy_nnft_rho_table_t tb);
int fy_nnft_rho_table(fy_nnft_rho_table_t tb, const fy_nnft_spec_t s, const fmpq *p,
                      slong np, const fmpq *tau, slong nt, slong prec, fy_error_t err);

/* ------------------------------------------------------------------ symmetries (symmetry.c)
 * The largest violation max |G(g x_1, .., g x_n) - G(x_1, .., x_n)| over random g of the group
 * (trials of them) and the sorted n-tuples of the points:
 *   translation  g x = x + a, a in (1/8) Z^d, |a_k| <= 2;
 *   rotation     d >= 2: R = (I - A)(I + A)^-1 (Cayley) for a random rational skew A, an exact
 *                rational matrix of SO(d); d = 1: the reflection x -> -x, O(1);
 *   output       SO(d_out): d_out = 1 today, the group is trivial (verdict -1, a note); the
 *                output reflection f -> -f is O(1) = Z2, below;
 *   z2           odd correlators vanish: exact correlators are 0 at odd n by the symmetric
 *                law of the output weights (stated); Monte Carlo measures G1 and G3.
 * Exact (fy_nnft_symmetry): verdict 1 when every difference ball contains 0 and is below
 * 2^(-prec/4) relative to the largest |G|, 0 when some ball excludes 0, -1 otherwise.
 * Monte Carlo (fy_nnft_symmetry_mc, M networks of the spec, the same network at x and g x):
 * zmax = the largest |mean difference| / standard error; verdict 1 when zmax < 5, 0 above.
 * duality: the [MSH] parameter-space condition for this activation and group, stated. */
typedef enum
{
    FY_NNFT_SYM_TRANSLATION = 0,
    FY_NNFT_SYM_ROTATION,
    FY_NNFT_SYM_OUTPUT,
    FY_NNFT_SYM_Z2,
    FY_NNFT_NSYM
} fy_nnft_sym_t;
const char *fy_nnft_sym_name(fy_nnft_sym_t g);
int fy_nnft_sym_parse(fy_nnft_sym_t *g, const char *name);

typedef struct
{
    fy_nnft_sym_t sym;
    int n, connected, mc;
    slong trials, tuples;
    int verdict;
    arb_t violation;       /* exact: the largest |difference| (a ball) */
    double violation_d;    /* its midpoint (exact) or the largest |mean difference| (MC) */
    double se;             /* MC: the standard error at the largest z */
    double zmax;           /* MC */
    double scale;          /* largest |G| over the tuples */
    uint64_t networks;
    char duality[512];
    char note[256];
} fy_nnft_sym_struct;
typedef fy_nnft_sym_struct fy_nnft_sym_res_t[1];

void fy_nnft_sym_init(fy_nnft_sym_res_t r);
void fy_nnft_sym_clear(fy_nnft_sym_res_t r);
/* fn at n points over the points pts (npts x d). */
int fy_nnft_symmetry_fn(fy_nnft_sym_res_t r, fy_nnft_npt_fn fn, void *ctx, slong d,
                        const fmpq *pts, slong npts, fy_nnft_sym_t g, int n, slong trials,
                        uint64_t seed, slong prec, fy_error_t err);
/* The spec's exact G^(n) (connected: G^(n)_c) at its points; the duality text filled. */
int fy_nnft_symmetry(fy_nnft_sym_res_t r, const fy_nnft_spec_t s, fy_nnft_sym_t g, int n,
                     int connected, slong trials, uint64_t seed, slong prec, fy_error_t err);
int fy_nnft_symmetry_mc(fy_nnft_sym_res_t r, const fy_nnft_spec_t s, fy_nnft_sym_t g, int n,
                        slong trials, uint64_t M, uint64_t seed, fy_error_t err);
/* The [MSH] statement for an activation and a group (static text). */
const char *fy_nnft_sym_duality(const fy_nnft_spec_t s, fy_nnft_sym_t g);

/* ------------------------------------------------------------------ Osterwalder-Schrader
 * (os.c)  One report, each axiom passed (1), failed (0) or not decidable (-1), with numbers:
 *   E0 growth: G2(x, x) and G4(x, x, x, x) at x = R e_0, R = 1, 4, 16, 64; the local exponent
 *     log|G(R_k+1) / G(R_k)| / log(R_k+1 / R_k) at the last pair; passed when at most
 *     n + 1/2 (polynomial, each field growing at most linearly), failed above 2 n;
 *   E1 Euclidean covariance: translations and rotations of G2 and G4 (fy_nnft_symmetry);
 *   E2 reflection positivity of G2 (fy_nnft_rp_spec on generated points);
 *   E3 permutation symmetry: G4 at the 24 orders of 4 distinct points, exact differences;
 *   E4 cluster decomposition: G4_c(x1, x2, x3 + R e, x4 + R e) for R = 0, 2, 4, .., 64;
 *     passed when |G4_c(R_max)| is below 1e-6 of the largest |G4_c| and the last values
 *     decrease, failed when the last two values agree to 1e-6 relative and are not small
 *     (a non-zero limit, reported) or grow, else not decidable. */
typedef struct
{
    int verdict[5];
    char detail[5][384];
    double growth[2];                 /* local exponents of G2, G4 (E0) */
    double cluster_R[33], cluster_G[33];
    int ncluster;
    double cluster_limit;             /* G4_c at the largest R */
    double perm_violation;            /* E3: largest |difference| */
    fy_nnft_rp_t rp;
    /* in (trust10, issue 10 item 18): NULL, or a bar advanced as the axioms are done (its
     * total set to 5); set after fy_nnft_os_init; the caller inits and clears the bar */
    fy_progress_struct *progress;
} fy_nnft_os_struct;
typedef fy_nnft_os_struct fy_nnft_os_t[1];

void fy_nnft_os_init(fy_nnft_os_t o);
void fy_nnft_os_clear(fy_nnft_os_t o);
int fy_nnft_os_report(fy_nnft_os_t o, const fy_nnft_spec_t s, uint64_t seed, slong prec,
                      fy_error_t err);
const char *fy_nnft_verdict_name(int v); /* "passed", "failed", "not decidable" */

/* ------------------------------------------------------------------ independence breaking
 * (ib.c)  The family P_eps: the input weights of the neurons share a common part,
 * w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0 (u_0, u_i i.i.d. N(0, sigma_W^2 I / d)), so each
 * w_i keeps its law and G2 does not change; output weights, biases and Cos-net phases stay
 * independent; eps = 0 is the i.i.d. ensemble.  With h_i = sqrt(N) a_i phi(z_i) and
 * f = N^-1/2 sum h_i (odd index patterns vanish as a_i is symmetric and independent):
 *   G4 = mu4 / N + (1 - 1/N) sum_p nu_p,   nu_(12|34) = E[h_i(1) h_i(2) h_j(3) h_j(4)], i != j,
 *   G4_c = I_N + I_IB,  I_N = (mu4 - sum_p nu_p) / N,  I_IB = sum_p (nu_p - mu2 mu2_p),
 * sums over the 3 pairings p.  I_IB = 0 at eps = 0, I_N -> 0 as N grows, I_IB survives
 * N -> infinity.  Exact for cos and gauss (Gaussian integrals, doc/math.md 4.6); other
 * activations FY_EUNSUPPORTED. */
/* The other grouping of the same G4_c (doc/math.md 4.6, "Normalisation"): the i.i.d.
 * cumulant in the 1/N term, the rest with weight (N - 1)/N,
 *   I_N_alt = (mu4 - sum_p mu2 mu2_p) / N = kappa_4 / N,  I_IB_alt = (1 - 1/N) I_IB,
 * so that I_N_alt is exactly the connected 4-point function of the i.i.d. ensemble (eps = 0)
 * at every eps, and I_IB_alt all that the shared weights add. */
typedef struct
{
    arb_t mu4, nu, mu2mu2, I_N, I_IB, G4c;   /* nu, mu2mu2: sums over the 3 pairings */
    arb_t I_N_alt, I_IB_alt;
} fy_nnft_ib_struct;
typedef fy_nnft_ib_struct fy_nnft_ib_t[1];

void fy_nnft_ib_init(fy_nnft_ib_t b);
void fy_nnft_ib_clear(fy_nnft_ib_t b);
/* At the spec points idx[0..4), width s->width, the given eps in [0, 1]. */
int fy_nnft_ib(fy_nnft_ib_t b, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
               slong prec, fy_error_t err);
/* The pair moment nu(x_a, x_b | x_c, x_d) = E[h_i(a) h_i(b) h_j(c) h_j(d)], i != j. */
int fy_nnft_ib_pair(arb_t nu, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
                    slong prec, fy_error_t err);
/* The same split by Monte Carlo for any activation: M networks of the spec with the
 * correlated input weights (generator keyed by seed, FY_RNG_PURPOSE_NNFT_CHECKS, streams
 * 2^40 + k), per network the unbiased neuron estimators mu4 = (1/N) sum_i prod h_i,
 * nu_p = (S_ab S_cd - sum_i h_i(a) h_i(b) h_i(c) h_i(d)) / (N (N - 1)) with S_ab = sum_i
 * h_i(a) h_i(b), and mu2 = S / N; I_N, I_IB, G4_c from 20 batches of M / 20 networks, their
 * standard errors from the spread of the batch values.  Width >= 2. */
typedef struct
{
    double I_N, I_IB, G4c;
    double I_N_se, I_IB_se, G4c_se;
    uint64_t networks;
} fy_nnft_ib_mc_struct;
typedef fy_nnft_ib_mc_struct fy_nnft_ib_mc_t[1];

void fy_nnft_ib_mc_init(fy_nnft_ib_mc_t r);
int fy_nnft_ib_mc(fy_nnft_ib_mc_t r, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
                  uint64_t M, uint64_t seed, fy_error_t err);
/* (end qft-checks) */

/* ------------------------------------------------------------------ eft13 (issue 13)
 * Rigorous nested integration over a box (quad2.c), the rule of the tree exchange of sin
 * and relu (eft.c; the cubature below does the vertex integrals in d >= 2).  f(res, x,
 * analytic, param, prec) writes the integrand at the point x (dim complex balls); with
 * analytic != 0 it must return a
 * non-finite value unless f is holomorphic on the balls (as acb_calc_integrate asks), and
 * returns 0 (non-zero: failure, as a non-finite value).  Coordinate l runs over
 * [pts[l][0], pts[l][npts[l] - 1]], cut into pieces at the points between (increasing
 * exact balls; put the kinks of f there).  acb_calc_integrate runs once per coordinate,
 * nested; the integrand of an outer coordinate is the inner integral at the quadrature
 * nodes and a Riemann enclosure of it (sums of f on segment balls) on the integrator's
 * wide balls, so the result is a ball that contains the integral.  goal: the bits of
 * accuracy asked, relative to a rough scale of int |f| (the tolerances only; the radius is
 * rigorous whatever it reaches).  FY_ECHECK if the radius stays above 2^(-goal / 2) of
 * that scale or after 2e6 evaluations of f (a kink not at a cut, a pole). */
#if FY_ARB_IN_FLINT
#include <flint/acb.h>
#else
#include <acb.h>
#endif
#define FY_NNFT_NEST_MAXD 3
typedef int (*fy_nnft_nest_fn)(acb_t res, acb_srcptr x, int analytic, void *param,
                               slong prec);
int fy_nnft_nest_integrate(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                           arb_srcptr const *pts, const slong *npts, slong goal, slong prec,
                           fy_error_t err);
/* The same integral by adaptive tensor Gauss-Legendre cubature (quad2.c): the cells of the
 * cut points are boxes, each estimated by the rule whose Bernstein-ellipse error bound (f
 * evaluated with analytic = 1 on the ellipses' boxes) meets its share of the goal, or by
 * vol * f(box) (analytic = 0 on the real box) where no rule of at most 160, 40, 16 nodes per
 * coordinate (dim 1, 2, 3) will do; the box of the largest error bound is split in 2^dim
 * until the bounds sum to 2^-goal of a rough scale of int |f|.  Kinks of f at the corners
 * of cells (a point where f is not holomorphic) are handled by the splitting.  The result
 * is a ball containing the integral; FY_ECHECK if its radius stays above 2^(-goal / 2) of
 * that scale or after 6e6 evaluations of f. */
int fy_nnft_cube_integrate(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                           arb_srcptr const *pts, const slong *npts, slong goal, slong prec,
                           fy_error_t err);
/* vert13: fy_nnft_cube_integrate with options; flags 0 is fy_nnft_cube_integrate.
 * FY_NNFT_CUBE_ENTIRE: f has no pieces (its value on a ball does not depend on where the
 * ball's midpoint lies, e.g. an integrand holomorphic wherever it is finite), so the
 * regions of the error bounds are halved along every radius, to depth 8 (6 otherwise),
 * and in three coordinates rules of up to 24 nodes a coordinate are used. */
#define FY_NNFT_CUBE_ENTIRE 1
int fy_nnft_cube_integrate_opt(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                               arb_srcptr const *pts, const slong *npts, slong goal,
                               slong prec, int flags, fy_error_t err);
/* vert13: K_EFT(x_i, x) of erf in d >= 2 on a complex region x (d complex balls), the ball
 * the vertex integrals' cubature bounds it on (a second-order form about the midpoint,
 * eft.c kerf_region): it contains the analytic continuation of K_EFT from the real points
 * to every point of the region, or is not finite where that is not known (near asin's
 * branch points or where 1 + 2 Sigma(x, x) may vanish).  FY_EUNSUPPORTED for other
 * activations or d = 1. */
int fy_nnft_eft_kernel_region(acb_t K, const fy_nnft_spec_t s, slong i, acb_srcptr x,
                              slong prec, fy_error_t err);
/* E prod_j relu(z_j)^pw[j] (no output weights) over the distinct points' exact covariance S
 * (r x r, 3 <= r <= 8) of rank 3 (quad3.c): three points with an invertible covariance as
 * coordinates, the polyhedral cone where every z_j >= 0 cut exactly in rationals along the
 * planes z_j = 0, its radial integral in closed form and the rest (polygons on the faces of
 * the cube) by fy_nnft_cube_integrate to about 2^-(min(prec, 48) + 6) relative (the
 * adaptive boxes follow the sharp peaks of nearly degenerate covariances, e.g. the [HMS]
 * d = 2 ReLU set); rank 4 or more: FY_EUNSUPPORTED with the reason. */
int fy_nnft_relu_rank3(arb_t res, const fmpq *S, const int *pw, slong r, slong prec,
                       fy_error_t err);
/* (end eft13) */

/* mc13 (issue 13): ensembles that share their parameters.  mcs[k] (K of them, 1 <= K <=
 * FY_NNFT_SHARED_MAX, fy_nnft_mc_init'ed) becomes the ensemble of specs[k], all K drawn from the
 * same parameters (seed, network k: the normals and uniforms of FY_RNG_PURPOSE_NNFT_PARAMS and
 * _UNIFORM) and each bit for bit what fy_nnft_sample(mcs + k, specs[k], M, seed, threads)
 * gives, at the cost of drawing once: for activations or input sets compared on one seed (the
 * [HMS] demo).  The specs must have the same width, input dimension and number of points, and
 * no Euclidean input layer; each mcs[k]->seconds is the time of the whole run. */
#define FY_NNFT_SHARED_MAX 4
int fy_nnft_sample_shared(fy_nnft_mc_struct *mcs, const fy_nnft_spec_struct *const *specs,
                          int K, uint64_t M, uint64_t seed, int threads, fy_error_t err);
/* (end mc13) */

#ifdef __cplusplus
}
#endif
#endif
