/* nnft_internal.h - pieces shared by the files of src/nnft. */
#ifndef FEYNN_NNFT_INTERNAL_H
#define FEYNN_NNFT_INTERNAL_H

#include "feynn/nnft.h"
#include "num/arb_all.h"

/* Variance of the output bias b1 (sigma_b^2; 0 for Cos-net). */
/* The standard normal density exp(-u^2/2) / sqrt(2 pi) of a complex ball (kernel.c), for the
 * integrands of the rigorous quadratures. */
void fy_nnft_acb_normal_density(acb_t w, const acb_t u, slong prec);
/* B >= sup |phi(t)| over the complex ball t (quad2.c; tanh: max(1, tan sup |Im t|) below its
 * poles, whatever the real part; sin: cosh sup |Im t|; others: a ball evaluation); infinite
 * where none is known. */
void fy_nnft_act_bound(mag_t B, const acb_t t, fy_nnft_act_t act, slong prec);
void fy_nnft_bias_var(arb_t v, const fy_nnft_spec_t s, slong prec);
/* Sigma(x_i, x_j) = sigma_b^2 + sigma_W^2 x_i . x_j / d (Cos-net: no bias term). */
void fy_nnft_sigma(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec);
/* |x_i - x_j|^2 */
void fy_nnft_dist2(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec);

/* ------------------------------------------------------------------ Gaussian reduction
 * (quad2.c) The distinct points pt[0..r) of a moment (pw[j] copies of point j, m in all),
 * their exact covariance S (r x r, Sigma with the bias term) and, for rank <= 2, the
 * representation z_j = a_j u + b_j v with u, v independent standard normals:
 * a_j = na_j / sqrt(S_pp), b_j = nb_j / sqrt(R_qq) with the rational na_j = S_jp,
 * nb_j = R_jq (R the covariance left after the first pivot p; q the second).  rank is
 * 0, 1, 2, or 3 for "3 or more". */
typedef struct
{
    slong r, m, rank, p, q, alloc;
    slong *pt;
    int *pw;
    fmpq *S, *na, *nb;
    arb_ptr a, b;
} fy_nnft_red_struct;
typedef fy_nnft_red_struct fy_nnft_red_t[1];

void fy_nnft_red_init(fy_nnft_red_t z);
void fy_nnft_red_clear(fy_nnft_red_t z);
int fy_nnft_reduce(fy_nnft_red_t z, const fy_nnft_spec_t s, const slong *idx, int m,
                   slong prec, fy_error_t err);
/* Every moment E prod_k phi(z_k)^e_k, z_k = a_k u + b_k v (k < P), for the monomials of
 * degree 1..maxdeg in P variables, in one pass over a shared tensor Gauss-Legendre grid with
 * a rigorous error bound per monomial (erf, tanh).  The monomials are the sorted index tuples
 * of each degree in lexicographic order (fy_nnft_tuples), degree 1 first; res has
 * sum_d C(P + d - 1, d) entries (odd degrees: 0). */
slong fy_nnft_gauss2_batch_count(slong P, int maxdeg);
int fy_nnft_gauss2_batch(arb_ptr res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b, slong P,
                         int maxdeg, slong prec, fy_error_t err);
/* E prod_k phi(z(x_idx[k])) without the output weights, for erf, tanh (quadrature, rank <= 2),
 * relu (closed form, rank <= 2) and sin (closed form, any rank). */
int fy_nnft_moment_rank2(arb_t res, const fy_nnft_spec_t s, const slong *idx, int m,
                         slong prec, fy_error_t err);


/* ------------------------------------------------------------------ rank 3 (issue 13, rank3)
 * The tensor Gauss-Legendre grid of fy_nnft_gauss2_batch in dim = 1..3 dimensions: every
 * moment E prod_k phi(z_k)^e_k, z_k = sum_t coef[k dim + t] y_t (k < P), y standard normal
 * in R^dim, monomials as in fy_nnft_gauss2_batch (quad2.c); the Gauss-Legendre degrees are
 * chosen for the monomials with want[id] != 0 (want NULL: all), the others' error bounds
 * (always rigorous) may then be large.  Panels of side 2 (4 for erf in dim 3). */
/* Rank-3 moments aim at an absolute error 2^-(min(prec, FY_NNFT_QG3_PREC) + 6). */
#define FY_NNFT_QG3_PREC 48
int fy_nnft_gauss_batch(arb_ptr res, fy_nnft_act_t act, arb_srcptr coef, int dim, slong P,
                        int maxdeg, const char *want, slong prec, fy_error_t err);
/* Pivoted Cholesky of the rational r x r covariance S in exact arithmetic, at most
 * FY_NNFT_CHOL_K pivots: z_j = sum_t co[j K + t] y_t; rank is exact up to K, K + 1 for more.
 * Point last (-1: none) is pivoted only after every other point's residual vanished; if it is
 * pivoted, lastvar is its residual variance then, else 0 (quad3.c). */
#define FY_NNFT_CHOL_K 4
int fy_nnft_chol(arb_ptr co, slong *rank, fmpq_t lastvar, const fmpq *S, slong r, slong last,
                 slong prec);
/* E prod_j phi(z_j)^pw[j] (no output weights) for erf and tanh over the distinct points'
 * exact covariance S (r x r) of rank 3, or erf's reducible rank 3 and 4 (a point of power 1
 * whose own direction is integrated in closed form); else FY_EUNSUPPORTED with the reason. */
int fy_nnft_moment_rank3(arb_t res, fy_nnft_act_t act, const fmpq *S, const int *pw, slong r,
                         slong prec, fy_error_t err);

/* qft14 (issue 14): the networks of the Euclidean input layers (euclid_mc.c) inside the
 * ensemble sampler of mc.c, so that nnft sample, its width scans and checkpoints, and
 * fy_nnft_network_outputs (symmetry --mc) run on every member of that family (b_dist, F
 * user, deeper g).  Network k is the one fy_nnft_euclid_mc_g2 draws as network k. */
typedef struct fy_nnft_enet_s fy_nnft_enet_t;
int fy_nnft_enet_new(fy_nnft_enet_t **e, const fy_nnft_spec_t s, uint64_t seed,
                     fy_error_t err);
void fy_nnft_enet_free(fy_nnft_enet_t *e);
/* f(x_p) of network k at every point p of the spec, into out[p * ld]. */
void fy_nnft_enet_outputs(double *out, slong ld, fy_nnft_enet_t *e, uint64_t k);
/* The text naming every field of the Euclidean layer that the draws depend on (for the
 * checkpoints' run key), malloc'ed. */
int fy_nnft_enet_key(char **out, const fy_nnft_spec_t s, fy_error_t err);
/* rho(p, tau) of the layers with pieces (b_dist user or F user, euclid.c) by quadrature over
 * p_0 on every piece; fy_nnft_rho (euclid_kl.c) takes this route for them. */
int fy_nnft_euclid_rho_quad(arb_t rho, const fy_nnft_spec_t s, const fmpq_t p,
                            const fmpq_t tau, slong prec, fy_error_t err);
/* (end qft14) */

/* Adds tuple t's |G - G_GP| / G_GP to c->m (d is scratch) and counts it, unless G_GP's ball
 * contains 0; the correlator tables of exact.c and euclid.c share it. */
void fy_nnft_corr_add_deviation(fy_nnft_corr_t c, slong t, arb_t d, slong prec);

/* kernel.c: the ReLU arc-cosine kernel without its prefactor, (sqrt(u - Sxy^2) + (pi - th)
 * Sxy) / (2 pi), u = Sxx Syy, in the form that stays analytic at cos th = +-1 (also eft.c) */
void _fy_nnft_relu_arccos(arb_t t, const arb_t u, const arb_t sxy, const arb_t pi, slong prec);

#endif
