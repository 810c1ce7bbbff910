/* hmc.c - Hamiltonian Monte Carlo for the polynomial lattice theories of sample.h: many
 * independent chains under OpenMP, each drawing from the counter-based generator keyed by its
 * chain index, so that the draws do not depend on the number of threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "feynn/io.h"
#include "feynn/par.h"
#include "feynn/rng.h"
#include "feynn/sample.h"

/* dual averaging constants (Hoffman and Gelman 2014, section 3.2) */
#define DA_GAMMA 0.05
#define DA_T0 10.0
#define DA_KAPPA 0.75
#define DIVERGENCE 1000.0 /* energy error counted as a divergence */
#define LOG_EPS_MIN (-16.0)
#define LOG_EPS_MAX 5.0

static const char *const obs_names[FY_HMC_NOBS] = {"phi", "phi^2", "E"};

const char *fy_hmc_obs_name(int k)
{
    return k >= 0 && k < FY_HMC_NOBS ? obs_names[k] : "?";
}

void fy_hmc_opts_default(fy_hmc_opts_struct *o)
{
    o->chains = 4;
    o->samples = 1000;
    o->warmup = 500;
    o->seed = 1;
    o->n_leapfrog = 10;
    o->step0 = 0.1;
    o->target_accept = 0.8;
    o->flip = 1;
    o->thin = 0;
    o->pilot = 0;
    o->threads = 0;
}

void fy_hmc_result_init(fy_hmc_result_t R)
{
    memset(R, 0, sizeof *R);
}

void fy_hmc_result_clear(fy_hmc_result_t R)
{
    free(R->draws);
    free(R->step);
    free(R->accept);
    free(R->flip_accept);
    memset(R, 0, sizeof *R);
}

typedef struct
{
    double *phi, *grad, *p, *phi1, *grad1;
    double E, eps;
    double mu, hbar, log_eps_bar; /* dual averaging */
    uint64_t it;                  /* trajectories so far: the generator's counter */
    double acc_sum;
    slong acc_n, flips, flip_prop, div;
} chain_t;

typedef struct
{
    const fy_ltheory_struct *T;
    const fy_hmc_opts_struct *o;
    fy_rng_t rmom, runi;
    int d;
} ctx_t;

/* One trajectory and the Z2 move; returns the acceptance probability of the trajectory. */
static double step(chain_t *ch, const ctx_t *x, slong c)
{
    const fy_ltheory_struct *T = x->T;
    int d = x->d, s, i, L = x->o->n_leapfrog;
    double u[4], eps, H0, H1, alpha, E1 = 0.0, kin;
    fy_rng_normals(ch->p, (uint64_t) d, x->rmom, (uint64_t) c, ch->it * (uint64_t) d);
    fy_rng_uniforms(u, 4, x->runi, (uint64_t) c, ch->it * 4);
    ch->it++;
    eps = ch->eps * (0.9 + 0.2 * u[0]); /* jitter against periodic orbits */
    kin = 0.0;
    for (i = 0; i < d; i++)
        kin += ch->p[i] * ch->p[i];
    H0 = ch->E + 0.5 * kin;
    memcpy(ch->phi1, ch->phi, (size_t) d * sizeof(double));
    memcpy(ch->grad1, ch->grad, (size_t) d * sizeof(double));
    for (s = 0; s < L; s++)
    {
        for (i = 0; i < d; i++)
            ch->p[i] -= 0.5 * eps * ch->grad1[i];
        for (i = 0; i < d; i++)
            ch->phi1[i] += eps * ch->p[i];
        E1 = fy_ltheory_energy_grad(T, ch->grad1, ch->phi1);
        for (i = 0; i < d; i++)
            ch->p[i] -= 0.5 * eps * ch->grad1[i];
    }
    kin = 0.0;
    for (i = 0; i < d; i++)
        kin += ch->p[i] * ch->p[i];
    H1 = E1 + 0.5 * kin;
    if (!isfinite(H1) || H1 - H0 > DIVERGENCE)
    {
        alpha = 0.0;
        ch->div++;
    }
    else
        alpha = H1 <= H0 ? 1.0 : exp(H0 - H1);
    if (u[1] < alpha)
    {
        double *t = ch->phi;
        ch->phi = ch->phi1;
        ch->phi1 = t;
        t = ch->grad;
        ch->grad = ch->grad1;
        ch->grad1 = t;
        ch->E = E1;
    }
    /* the Z2 move is proposed with probability 1/2: a flip after every trajectory would make
     * the sign alternate deterministically, and thinning by an even factor would undo it */
    if (x->o->flip && u[3] < 0.5)
    {
        ch->flip_prop++;
        if (T->even)
        {
            /* E(-phi) = E(phi) and grad E(-phi) = -grad E(phi), exactly in floating point */
            for (i = 0; i < d; i++)
            {
                ch->phi[i] = -ch->phi[i];
                ch->grad[i] = -ch->grad[i];
            }
            ch->flips++;
        }
        else
        {
            double Ef;
            for (i = 0; i < d; i++)
                ch->phi1[i] = -ch->phi[i];
            Ef = fy_ltheory_energy_grad(T, ch->grad1, ch->phi1);
            if (isfinite(Ef) && (Ef <= ch->E || u[2] < exp(ch->E - Ef)))
            {
                double *t = ch->phi;
                ch->phi = ch->phi1;
                ch->phi1 = t;
                t = ch->grad;
                ch->grad = ch->grad1;
                ch->grad1 = t;
                ch->E = Ef;
                ch->flips++;
            }
        }
    }
    return alpha;
}

static void adapt(chain_t *ch, double alpha, slong t, double target)
{
    double eta = 1.0 / ((double) t + DA_T0), le, w = pow((double) t, -DA_KAPPA);
    ch->hbar = (1.0 - eta) * ch->hbar + eta * (target - alpha);
    le = ch->mu - sqrt((double) t) / DA_GAMMA * ch->hbar;
    le = le < LOG_EPS_MIN ? LOG_EPS_MIN : le > LOG_EPS_MAX ? LOG_EPS_MAX : le;
    ch->log_eps_bar = w * le + (1.0 - w) * ch->log_eps_bar;
    ch->eps = exp(le);
}

/* Scalar observables of a state: site mean of phi, of phi^2, and E. */
static void observe(double *obs, const double *phi, int d, double E)
{
    double a = 0.0, b = 0.0;
    int i;
    for (i = 0; i < d; i++)
    {
        a += phi[i];
        b += phi[i] * phi[i];
    }
    obs[0] = a / d;
    obs[1] = b / d;
    obs[2] = E;
}

static int check_opts(const fy_ltheory_t T, const fy_hmc_opts_struct *o, fy_error_t err)
{
    if (o->chains < 1 || o->chains > 1000000)
        return fy_error_set(err, FY_EUSAGE, "hmc: chains must be in 1..1000000, not %ld",
                            (long) o->chains);
    if (o->samples < 4)
        return fy_error_set(err, FY_EUSAGE, "hmc: at least 4 samples per chain (split R-hat "
                            "needs two halves of two), not %ld", (long) o->samples);
    if (o->warmup < 0 || o->thin < 0 || o->pilot < 0)
        return fy_error_set(err, FY_EUSAGE, "hmc: warm-up, thinning and pilot must be >= 0");
    if (o->n_leapfrog < 1 || o->n_leapfrog > 100000)
        return fy_error_set(err, FY_EUSAGE, "hmc: leapfrog steps must be in 1..100000");
    if (!(o->step0 > 0.0) || !isfinite(o->step0))
        return fy_error_set(err, FY_EUSAGE, "hmc: the initial step size must be > 0");
    if (!(o->target_accept > 0.0 && o->target_accept < 1.0))
        return fy_error_set(err, FY_EUSAGE, "hmc: the target acceptance must be in (0, 1)");
    if (T->nsites < 1)
        return fy_error_set(err, FY_EINPUT, "hmc: the theory has no sites");
    return FY_OK;
}

/* This rank's share [c0, c0 + nl) of the chains.  On rank 0 (c0 = 0) the arrays of the whole
 * run are allocated and the share is their beginning, so one rank holds nothing twice. */
typedef struct
{
    slong c0, nl, C, N, P;
    int d;
    chain_t *ch;
    double *work, *pilot;
    double *pobs;  /* pilot observables (rank 0: all chains) */
    double *draws; /* kept draws (rank 0: R->draws) */
    double *kobs;  /* kept observables (rank 0: all chains) */
    double *pc;    /* per chain: step, accept, flip_accept, divergences (rank 0: all) */
} share_t;

static void share_free(share_t *S, int rank0)
{
    free(S->ch);
    free(S->work);
    free(S->pilot);
    free(S->pobs);
    free(S->kobs);
    free(S->pc);
    if (!rank0)
        free(S->draws); /* rank 0's is R->draws */
}

static int share_alloc(share_t *S, fy_hmc_result_t R, int rank0, fy_error_t err)
{
    size_t d = (size_t) S->d, nl = (size_t) S->nl, n = rank0 ? (size_t) S->C : nl;
    size_t P = (size_t) S->P, N = (size_t) S->N;
    S->ch = fy_calloc(nl ? nl : 1, sizeof *S->ch, err);
    S->work = S->ch ? fy_malloc(nl ? nl * 5 : 1, d * sizeof(double), err) : NULL;
    S->pilot = S->work ? fy_malloc(nl ? nl * P : 1, d * sizeof(double), err) : NULL;
    S->pobs = S->pilot ? fy_malloc(n ? n * P : 1, FY_HMC_NOBS * sizeof(double), err) : NULL;
    S->draws = S->pobs ? fy_malloc(n ? n * N : 1, d * sizeof(double), err) : NULL;
    S->kobs = S->draws ? fy_malloc(n ? n * N : 1, FY_HMC_NOBS * sizeof(double), err) : NULL;
    S->pc = S->kobs ? fy_malloc(n ? n : 1, 4 * sizeof(double), err) : NULL;
    if (rank0 && S->draws != NULL)
        R->draws = S->draws;
    if (rank0 && S->pc != NULL)
    {
        R->step = fy_calloc((size_t) S->C, sizeof(double), err);
        R->accept = R->step ? fy_calloc((size_t) S->C, sizeof(double), err) : NULL;
        R->flip_accept = R->accept ? fy_calloc((size_t) S->C, sizeof(double), err) : NULL;
        if (R->flip_accept == NULL)
            return err->code ? err->code : FY_ENOMEM;
    }
    return S->pc == NULL ? (err->code ? err->code : FY_ENOMEM) : FY_OK;
}

/* Chains c0 .. c0 + nl - 1: starting points (stream = the global chain index). */
static void chains_start(share_t *S, const fy_ltheory_t T, const fy_hmc_opts_struct *o)
{
    slong i;
    size_t d = (size_t) S->d;
    for (i = 0; i < S->nl; i++)
    {
        double *w = S->work + (size_t) i * 5 * d;
        chain_t *h = S->ch + i;
        fy_rng_t r0;
        h->phi = w;
        h->grad = w + d;
        h->p = w + 2 * d;
        h->phi1 = w + 3 * d;
        h->grad1 = w + 4 * d;
        fy_rng_init(r0, o->seed, FY_RNG_PURPOSE_HMC_INIT);
        fy_rng_normals(h->phi, (uint64_t) d, r0, (uint64_t) (S->c0 + i), 0);
        h->E = fy_ltheory_energy_grad(T, h->grad, h->phi);
        h->eps = o->step0;
        h->mu = log(10.0 * o->step0);
        h->log_eps_bar = log(o->step0);
    }
}

/* Warm-up and pilot of this rank's chains. */
static void run_pilot(share_t *S, const ctx_t *x, int threads)
{
    const fy_hmc_opts_struct *o = x->o;
    size_t d = (size_t) S->d, P = (size_t) S->P;
    slong i;
    (void) threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(threads)
#endif
    for (i = 0; i < S->nl; i++)
    {
        chain_t *h = S->ch + i;
        slong s, c = S->c0 + i;
        for (s = 1; s <= o->warmup; s++)
            adapt(h, step(h, x, c), s, o->target_accept);
        if (o->warmup > 0)
            h->eps = exp(h->log_eps_bar);
        h->flips = 0;
        h->flip_prop = 0;
        h->div = 0;
        for (s = 0; s < S->P; s++)
        {
            h->acc_sum += step(h, x, c);
            h->acc_n++;
            memcpy(S->pilot + ((size_t) i * P + (size_t) s) * d, h->phi, d * sizeof(double));
            observe(S->pobs + ((size_t) i * P + (size_t) s) * FY_HMC_NOBS, h->phi, S->d, h->E);
        }
    }
}

/* Rank 0: the thinning factor from the pilot's autocorrelation time over all chains. */
static int pilot_thin(fy_hmc_result_t R, const share_t *S, const fy_hmc_opts_struct *o,
                      fy_error_t err)
{
    slong C = S->C, P = S->P, t;
    int k;
    double *y = malloc((size_t) C * (size_t) P * sizeof(double)), tau;
    if (y == NULL)
        return fy_error_set(err, FY_ENOMEM, "hmc: out of memory");
    R->tau_raw = 0.0;
    for (k = 0; k < FY_HMC_NOBS; k++)
    {
        for (t = 0; t < C * P; t++)
            y[t] = S->pobs[(size_t) t * FY_HMC_NOBS + (size_t) k];
        tau = fy_sample_tau_int(y, C, P);
        if (isfinite(tau) && tau > R->tau_raw)
            R->tau_raw = tau;
    }
    free(y);
    R->thin = o->thin > 0 ? o->thin : (slong) ceil(R->tau_raw > 1.0 ? R->tau_raw : 1.0);
    return FY_OK;
}

/* Kept draws of this rank's chains: every thin-th raw draw counted from the start of the
 * pilot; then the per-chain summaries. */
static void run_kept(share_t *S, const ctx_t *x, slong thin, int threads)
{
    size_t d = (size_t) S->d, P = (size_t) S->P, N = (size_t) S->N;
    slong i;
    (void) threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(threads)
#endif
    for (i = 0; i < S->nl; i++)
    {
        chain_t *h = S->ch + i;
        slong kept = 0, r = 0, c = S->c0 + i;
        for (r = 0; r < S->P && kept < S->N; r++)
            if ((r + 1) % thin == 0)
            {
                memcpy(S->draws + ((size_t) i * N + (size_t) kept) * d,
                       S->pilot + ((size_t) i * P + (size_t) r) * d, d * sizeof(double));
                memcpy(S->kobs + ((size_t) i * N + (size_t) kept) * FY_HMC_NOBS,
                       S->pobs + ((size_t) i * P + (size_t) r) * FY_HMC_NOBS,
                       FY_HMC_NOBS * sizeof(double));
                kept++;
            }
        for (; kept < S->N; r++)
        {
            h->acc_sum += step(h, x, c);
            h->acc_n++;
            if ((r + 1) % thin == 0)
            {
                memcpy(S->draws + ((size_t) i * N + (size_t) kept) * d, h->phi,
                       d * sizeof(double));
                observe(S->kobs + ((size_t) i * N + (size_t) kept) * FY_HMC_NOBS, h->phi,
                        S->d, h->E);
                kept++;
            }
        }
    }
    for (i = 0; i < S->nl; i++)
    {
        chain_t *h = S->ch + i;
        double *q = S->pc + 4 * (size_t) i;
        q[0] = h->eps;
        q[1] = h->acc_n ? h->acc_sum / (double) h->acc_n : NAN;
        q[2] = h->flip_prop ? (double) h->flips / (double) h->flip_prop : NAN;
        q[3] = (double) h->div;
    }
}

/* Rank 0: per-chain summaries and diagnostics of the kept draws of all chains. */
static int diagnose(fy_hmc_result_t R, const share_t *S, fy_error_t err)
{
    slong C = S->C, N = S->N, c, t;
    int k;
    double *y;
    R->divergences = 0;
    for (c = 0; c < C; c++)
    {
        R->step[c] = S->pc[4 * c];
        R->accept[c] = S->pc[4 * c + 1];
        R->flip_accept[c] = S->pc[4 * c + 2];
        R->divergences += (slong) S->pc[4 * c + 3];
    }
    if ((y = malloc((size_t) C * (size_t) N * sizeof(double))) == NULL)
        return fy_error_set(err, FY_ENOMEM, "hmc: out of memory");
    for (k = 0; k < FY_HMC_NOBS; k++)
    {
        double s = 0.0;
        for (t = 0; t < C * N; t++)
        {
            y[t] = S->kobs[(size_t) t * FY_HMC_NOBS + (size_t) k];
            s += y[t];
        }
        R->diag[k].mean = s / (double) (C * N);
        R->diag[k].tau = fy_sample_tau_int(y, C, N);
        R->diag[k].ess = (double) (C * N) / R->diag[k].tau;
        R->diag[k].rhat = fy_sample_split_rhat(y, C, N);
    }
    free(y);
    return FY_OK;
}

static int counter_check(uint64_t total, int d, const char *what, fy_error_t err)
{
    if (total * (uint64_t) d >= ((uint64_t) 1 << 33) || total * 4 >= ((uint64_t) 1 << 33))
        return fy_error_set(err, FY_EUSAGE, "hmc: %llu %s trajectories of %d sites exceed the "
                            "generator's counter (2^33 numbers per chain); use fewer samples",
                            (unsigned long long) total, what, d);
    return FY_OK;
}

int fy_hmc_run(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
               fy_error_t err)
{
    fy_par_t p;
    fy_par_self(p);
    return fy_hmc_run_par(R, T, o, p, err);
}

int fy_hmc_run_par(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
                   const fy_par_t p, fy_error_t err)
{
    share_t S;
    ctx_t x;
    uint64_t lo, hi;
    double tt[2];
    int rc, threads = 1, rank0 = p->rank == 0;

    fy_hmc_result_clear(R);
    memset(&S, 0, sizeof S);
    if ((rc = check_opts(T, o, err)) != FY_OK)
        return rc;
    S.C = o->chains;
    S.N = o->samples;
    S.P = o->pilot > 0 ? o->pilot : (S.N > 200 ? S.N : 200);
    S.d = T->nsites;
    if ((rc = counter_check((uint64_t) o->warmup + (uint64_t) S.P, S.d, "warm-up and pilot",
                            err)) != FY_OK)
        return rc;
    fy_par_split(&lo, &hi, (uint64_t) S.C, p->size, p->rank);
    S.c0 = (slong) lo;
    S.nl = (slong) (hi - lo);
    x.T = T;
    x.o = o;
    x.d = S.d;
    fy_rng_init(x.rmom, o->seed, FY_RNG_PURPOSE_HMC_MOMENTUM);
    fy_rng_init(x.runi, o->seed, FY_RNG_PURPOSE_HMC_UNIFORM);
#ifdef _OPENMP
    threads = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    R->nsites = S.d;
    R->chains = S.C;
    R->samples = S.N;
    if ((rc = fy_par_agree(share_alloc(&S, R, rank0, err), p, err)) != FY_OK)
        goto done;
    chains_start(&S, T, o);
    run_pilot(&S, &x, threads);

    /* the thinning factor: rank 0 measures it on every chain's pilot, all ranks use it */
    rc = fy_par_gather(S.pobs, S.pobs, (size_t) S.P * FY_HMC_NOBS * sizeof(double),
                       (uint64_t) S.C, p, err);
    if (rc == FY_OK && rank0)
        rc = pilot_thin(R, &S, o, err);
    if ((rc = fy_par_agree(rc, p, err)) != FY_OK)
        goto done;
    tt[0] = R->tau_raw;
    tt[1] = (double) R->thin;
    if ((rc = fy_par_agree(fy_par_bcast(tt, sizeof tt, p, err), p, err)) != FY_OK)
        goto done;
    R->tau_raw = tt[0];
    R->thin = (slong) tt[1];
    if ((rc = counter_check((uint64_t) o->warmup + (uint64_t) S.P +
                                (uint64_t) S.N * (uint64_t) R->thin,
                            S.d, "warm-up, pilot and kept", err)) != FY_OK)
        goto done;
    run_kept(&S, &x, R->thin, threads);

    /* everything to rank 0, in chain order */
    rc = fy_par_gather(S.draws, S.draws, (size_t) S.N * (size_t) S.d * sizeof(double),
                       (uint64_t) S.C, p, err);
    if (rc == FY_OK)
        rc = fy_par_gather(S.kobs, S.kobs, (size_t) S.N * FY_HMC_NOBS * sizeof(double),
                           (uint64_t) S.C, p, err);
    if (rc == FY_OK)
        rc = fy_par_gather(S.pc, S.pc, 4 * sizeof(double), (uint64_t) S.C, p, err);
    if (rc == FY_OK && rank0)
        rc = diagnose(R, &S, err);
    rc = fy_par_agree(rc, p, err);
done:
    share_free(&S, rank0);
    if (rc != FY_OK || !rank0)
    {
        slong thin = R->thin;
        double tau = R->tau_raw;
        if (rank0)
            fy_hmc_result_clear(R);
        else
            memset(R, 0, sizeof *R);
        if (rc == FY_OK)
        {
            R->nsites = S.d;
            R->chains = S.C;
            R->samples = S.N;
            R->thin = thin;
            R->tau_raw = tau;
        }
    }
    return rc;
}

int fy_hmc_save(const char *path, const fy_hmc_result_t R, const fy_ltheory_t T,
                const fy_hmc_opts_struct *o, const char *theory_name, fy_error_t err)
{
    fy_safetensors_t st;
    size_t shape[3];
    char buf[512];
    int rc;
    fy_safetensors_init(st);
    shape[0] = (size_t) R->chains;
    shape[1] = (size_t) R->samples;
    shape[2] = (size_t) R->nsites;
    rc = fy_safetensors_add(st, "samples", FY_DTYPE_F64, 3, shape, R->draws, err);
    if (rc == FY_OK)
        rc = fy_safetensors_set_meta(st, "description",
                                     "feynn HMC draws of a lattice field theory with density "
                                     "proportional to exp(-E(phi)); samples[chain, draw, site], "
                                     "draws thinned and independent across chains", err);
    if (rc == FY_OK)
        rc = fy_safetensors_set_meta(st, "theory", theory_name ? theory_name : "", err);
    snprintf(buf, sizeof buf, "%s %d", fy_lattice_kind_name(T->kind), T->size);
    if (rc == FY_OK)
        rc = fy_safetensors_set_meta(st, "lattice", buf, err);
    snprintf(buf, sizeof buf,
             "{\"seed\": %llu, \"chains\": %ld, \"samples\": %ld, \"warmup\": %ld, "
             "\"n_leapfrog\": %d, \"thin\": %ld, \"tau_raw\": %.6g, \"flip\": %d}",
             (unsigned long long) o->seed, (long) R->chains, (long) R->samples,
             (long) o->warmup, o->n_leapfrog, (long) R->thin, R->tau_raw, o->flip);
    if (rc == FY_OK)
        rc = fy_safetensors_set_meta(st, "sampler", buf, err);
    if (rc == FY_OK)
        rc = fy_safetensors_write(path, st, err);
    fy_safetensors_clear(st);
    return rc;
}
