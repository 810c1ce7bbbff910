/* feynn/sample.h - lattice field theories with polynomial actions and Hamiltonian Monte Carlo
 * (layer 3).
 *
 * A theory is a real field phi on the sites of a lattice (a ring of d sites, an L x L torus, or
 * any graph given by its edges) with the probability density p(phi) proportional to
 * exp(-E(phi)), where the energy (Euclidean action) E is a polynomial with rational
 * coefficients:
 *
 *   E(phi) = sum_links K w_l (phi_i - phi_j)^2 / 2
 *          + sum_sites (m2/2 phi^2 + g3/3! phi^3 + lam/4! phi^4) + sum_terms c prod phi_i.
 *
 * The type is fy_ltheory_t ("lattice theory"; fy_theory_t is the rules module's theory of
 * Feynman rules).  Theories are read from the text format of doc/theory-format.md with exact
 * rationals.  The
 * library gives E and its gradient in double (for sampling) and the exact derivative tensors of
 * S = ln p = -E at phi = 0 (fy_ltheory_log_density_tensor), the "truth" against which actions
 * learnt from samples are compared.  S carries no normalisation constant: the true
 * ln p(phi) = -E(phi) - ln Z, and the order-0 tensor is -E(0) (zero unless the file has a
 * constant term), not ln p(0).
 *
 * Sampling: fy_hmc_run draws from many independent chains of Hamiltonian Monte Carlo
 * (leapfrog with the exact gradient, unit mass), in parallel under OpenMP.  Every random number
 * of chain c comes from the counter-based generator of rng.h keyed by (seed, purpose) with
 * stream c, so the draws do not depend on the number of threads.  The step size is adapted
 * during warm-up only (dual averaging, Hoffman and Gelman 2014, per chain), an exact global
 * Z2 move phi -> -phi is proposed with probability 1/2 after every trajectory (Metropolis;
 * always accepted when E is even; a flip after every trajectory would make the sign alternate
 * deterministically, undone by thinning with an even factor), and the kept draws are thinned
 * by the integrated autocorrelation time measured on a pilot run.
 * Diagnostics: acceptance rate, integrated autocorrelation time (Sokal's automatic window),
 * effective sample size, split R-hat (Gelman et al., BDA3 11.4).  Moments and cumulants carry
 * standard errors by batch means (each chain cut into batches; errors from the spread of the
 * batch estimates). */
#ifndef FEYNN_SAMPLE_H
#define FEYNN_SAMPLE_H

#include <stdint.h>

#include "feynn/error.h"
#include "feynn/num.h"
#include "feynn/par.h" /* fy_hmc_run_par (par2) */
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ theories */

/* Highest degree of a monomial of E (the standard terms have degree <= 4). */
#define FY_LTHEORY_MAX_DEGREE 8
/* Largest lattice (sites) and theory file accepted. */
#define FY_LTHEORY_MAX_SITES 1000000
#define FY_LTHEORY_MAX_FILE_BYTES ((size_t) 64 << 20)

typedef enum
{
    FY_LATTICE_NONE = 0,
    FY_LATTICE_RING = 1,  /* sites 0..d-1, links (i, i+1 mod d) */
    FY_LATTICE_TORUS = 2, /* L x L, site x + L y, links to (x+1, y) and (x, y+1) mod L */
    FY_LATTICE_GRAPH = 3  /* n sites, links from `edge` lines */
} fy_lattice_kind_t;

/* One monomial c * phi_idx[0] * ... * phi_idx[deg-1] (idx sorted ascending). */
typedef struct
{
    int deg;
    int idx[FY_LTHEORY_MAX_DEGREE];
    fmpq_t c;
    double cd; /* c rounded to double */
} fy_monomial_struct;

typedef struct
{
    fy_lattice_kind_t kind;
    int size;      /* d of a ring, L of a torus, n of a graph */
    int nsites;
    slong nlinks;
    int *link_i, *link_j; /* link l joins link_i[l] and link_j[l] */
    fmpq *link_w;         /* weight of each link (1 unless an edge line gives one) */
    fmpq_t kinetic, m2, g3, lam;
    slong nterms;                 /* general terms as read */
    fy_monomial_struct *terms;
    slong nmono;                  /* E expanded: merged, sorted by (degree, indices), c != 0 */
    fy_monomial_struct *mono;
    int max_degree;               /* of E (0 for E = 0) */
    int even;                     /* 1 when E(-phi) = E(phi) (no odd-degree monomial) */
} fy_ltheory_struct;
typedef fy_ltheory_struct fy_ltheory_t[1];

void fy_ltheory_init(fy_ltheory_t T);
void fy_ltheory_clear(fy_ltheory_t T);

/* Parses the text of a theory file (doc/theory-format.md); name is used in messages
 * ("name:line:column: ...").  On failure T is left empty (valid to clear). */
int fy_ltheory_parse(fy_ltheory_t T, const char *text, const char *name, fy_error_t err);
/* Reads and parses a theory file ("-" for standard input). */
int fy_ltheory_load(fy_ltheory_t T, const char *path, fy_error_t err);

/* "ring 4", "torus 8", "graph 5" (static string per kind; the size is not included). */
const char *fy_lattice_kind_name(fy_lattice_kind_t kind);

/* E(phi) in double (phi has nsites entries). */
double fy_ltheory_energy(const fy_ltheory_t T, const double *phi);
/* grad[i] = dE/dphi_i; returns E(phi).  grad must not alias phi. */
double fy_ltheory_energy_grad(const fy_ltheory_t T, double *grad, const double *phi);

/* The exact derivative tensor of order n (0 <= n <= FY_LTHEORY_MAX_DEGREE) of S = ln p = -E at
 * phi = 0 (no normalisation constant: see the opening paragraph), as a symmetric tensor in
 * FY_ARITH_EXACT over nsites variables: entry (i1..in) = -d^n E / dphi_i1..dphi_in (0).  T_n
 * is re-made. */
int fy_ltheory_log_density_tensor(fy_symtensor_t Tn, const fy_ltheory_t T, int n,
                                 fy_error_t err);

/* Rigorous moments of a one-site theory (nsites = 1): m[k] = <phi^k> for k = 0..kmax (kmax
 * <= 64; m has kmax + 1 entries, m[0] = 1) as Arb balls, by acb_calc_integrate of
 * x^k exp(-E(x)) on [-R, R] plus a proven bound on the tails: R is chosen so that
 * E(x) >= (c_D/2)|x|^D for |x| >= R (c_D the top coefficient) and the tails are below
 * 2^(-prec-10).  Refuses (FY_EINPUT) an E whose top degree is odd or whose top coefficient is
 * not positive (exp(-E) not normalisable), FY_EUSAGE for more than one site. */
int fy_ltheory_moments_1d(arb_ptr m, int kmax, const fy_ltheory_t T, slong prec,
                          fy_error_t err);
/* ln Z = ln int exp(-E(x)) dx of a one-site theory as an Arb ball, by the same quadrature and
 * tail bound (same refusals). */
int fy_ltheory_log_z_1d(arb_t lnz, const fy_ltheory_t T, slong prec, fy_error_t err);

/* ------------------------------------------------------------------ Hamiltonian Monte Carlo */

/* Purposes of the generator (rng.h) used here; stream = chain index. */
enum
{
    FY_RNG_PURPOSE_HMC_INIT = 16,     /* starting points */
    FY_RNG_PURPOSE_HMC_MOMENTUM = 17, /* momenta */
    FY_RNG_PURPOSE_HMC_UNIFORM = 18   /* accept/reject, Z2 flips, step jitter */
};

typedef struct
{
    slong chains;         /* independent chains (>= 1) */
    slong samples;        /* kept draws per chain, after thinning (>= 4) */
    slong warmup;         /* warm-up trajectories per chain (step size adapted, discarded) */
    uint64_t seed;
    int n_leapfrog;       /* leapfrog steps per trajectory (>= 1) */
    double step0;         /* initial step size (> 0) */
    double target_accept; /* acceptance rate aimed at during warm-up, in (0, 1) */
    int flip;             /* 1: the global Z2 move (proposed with probability 1/2) */
    slong thin;           /* 0: by the measured autocorrelation time; else this factor */
    slong pilot;          /* raw draws per chain measuring the autocorrelation time (0: auto) */
    int threads;          /* OpenMP threads (0: the default) */
} fy_hmc_opts_struct;

/* chains 4, samples 1000, warmup 500, seed 1, n_leapfrog 10, step0 0.1, target 0.8, flip on,
 * thin auto, pilot auto (max(samples, 200)), threads default. */
void fy_hmc_opts_default(fy_hmc_opts_struct *o);

/* Diagnostics of one scalar observable over the kept draws. */
typedef struct
{
    double mean;
    double tau;  /* integrated autocorrelation time, in kept draws (1: independent) */
    double ess;  /* chains * samples / tau */
    double rhat; /* split R-hat */
} fy_hmc_diag_struct;

#define FY_HMC_NOBS 3 /* observables diagnosed: site mean of phi, site mean of phi^2, E */

typedef struct
{
    int nsites;
    slong chains, samples;
    double *draws;       /* draws[(c * samples + t) * nsites + i] */
    double *step;        /* per chain: step size after warm-up */
    double *accept;      /* per chain: mean acceptance probability after warm-up */
    double *flip_accept; /* per chain: accepted / proposed Z2 moves after warm-up */
    slong divergences;   /* trajectories with a non-finite or huge energy error, after warm-up */
    slong thin;          /* thinning factor used */
    double tau_raw;      /* largest autocorrelation time of the pilot (raw trajectories) */
    fy_hmc_diag_struct diag[FY_HMC_NOBS];
} fy_hmc_result_struct;
typedef fy_hmc_result_struct fy_hmc_result_t[1];

void fy_hmc_result_init(fy_hmc_result_t R);
void fy_hmc_result_clear(fy_hmc_result_t R);
/* Names of the diagnosed observables: "phi", "phi^2", "E". */
const char *fy_hmc_obs_name(int k);

/* Runs the sampler; R is re-made.  Refuses bad options with FY_EUSAGE and draws that would not
 * fit memory with FY_ENOMEM. */
int fy_hmc_run(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
               fy_error_t err);

/* ---- par2 (issue 15): the chains over ranks */
/* Collective over the group p (feynn/par.h; fy_hmc_run is this with fy_par_self).  The chains
 * are split over the ranks in contiguous blocks (fy_par_split); every random number of chain c
 * is keyed by c, so each chain is the one the serial run draws.  The pilot's observables are
 * gathered on rank 0, which measures the thinning factor and broadcasts it; the kept draws and
 * the per-chain summaries are gathered on rank 0 in chain order and diagnosed there.  So on
 * rank 0, R is bit for bit the serial result for any number of ranks; on the other ranks R
 * holds only nsites, chains, samples, thin and tau_raw (no arrays).  A failure on any rank is
 * returned on every rank (fy_par_agree). */
int fy_hmc_run_par(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
                   const fy_par_t p, fy_error_t err);

/* Writes the draws as safetensors: tensor "samples" (F64, shape [chains, samples, nsites])
 * with metadata describing the theory, the sampler and the layout. */
int fy_hmc_save(const char *path, const fy_hmc_result_t R, const fy_ltheory_t T,
                const fy_hmc_opts_struct *o, const char *theory_name, fy_error_t err);

/* ------------------------------------------------------------------ statistics */

/* x[c * n + t]: chains of length n.  Integrated autocorrelation time
 * tau = 1 + 2 sum_{t=1}^{M} rho(t) with Sokal's window (smallest M with M >= 5 tau(M)),
 * autocovariances averaged over chains about each chain's mean: 1 for independent draws, below
 * 1 for anticorrelated ones; the effective sample size is chains * n / tau.  NaN for n < 2 or
 * zero variance. */
double fy_sample_tau_int(const double *x, slong chains, slong n);
/* Split R-hat over 2 * chains half-chains (n >= 4); NaN when undefined. */
double fy_sample_split_rhat(const double *x, slong chains, slong n);

/* Number of batches per chain used for batch means: enough that chains * batches >= 32, each
 * batch at least 2 draws when possible. */
slong fy_sample_batches(slong chains, slong n);

/* Site-averaged raw moments m_k = <phi^k> (k = 1..4, in m[0..3]) with batch-means standard
 * errors. */
int fy_sample_moments(double m[4], double se[4], const double *draws, slong chains, slong n,
                      int nsites, fy_error_t err);

/* Cumulants with batch-means standard errors.  On-site: kappa_1..kappa_4 of phi at a site
 * (averaged over sites).  Nearest neighbour, averaged over the links (i, j) of the theory and
 * their two orientations: nn[0] = kappa(phi_i, phi_j), nn[1] = kappa(phi_i, phi_i, phi_j),
 * nn[2] = kappa(phi_i, phi_i, phi_j, phi_j), nn[3] = kappa(phi_i, phi_i, phi_i, phi_j); NaN
 * without links.  Formulas assume the sites have one marginal (translation invariance). */
typedef struct
{
    double site[4], site_se[4];
    double nn[4], nn_se[4];
    slong batches; /* total over chains */
} fy_cumulants_struct;

int fy_sample_cumulants(fy_cumulants_struct *K, const double *draws, slong chains, slong n,
                        const fy_ltheory_t T, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
