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

int fy_hmc_run(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
               fy_error_t err)
{
    slong C = o->chains, N = o->samples, P, c, k, t;
    int d = T->nsites, rc, threads = 1;
    chain_t *ch = NULL;
    double *pilot = NULL, *pobs = NULL, *kobs = NULL, *work = NULL, tau;
    ctx_t x;
    uint64_t total;

    fy_hmc_result_clear(R);
    if ((rc = check_opts(T, o, err)) != FY_OK)
        return rc;
    P = o->pilot > 0 ? o->pilot : (N > 200 ? N : 200);
    x.T = T;
    x.o = o;
    x.d = d;
    fy_rng_init(x.rmom, o->seed, FY_RNG_PURPOSE_HMC_MOMENTUM);
    fy_rng_init(x.runi, o->seed, FY_RNG_PURPOSE_HMC_UNIFORM);
#ifdef _OPENMP
    threads = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    (void) threads;

    total = (uint64_t) o->warmup + (uint64_t) P;
    if (total * (uint64_t) d >= ((uint64_t) 1 << 33) || total * 4 >= ((uint64_t) 1 << 33))
        return fy_error_set(err, FY_EUSAGE, "hmc: %llu warm-up and pilot trajectories of %d "
                            "sites exceed the generator's counter (2^33 numbers per chain)",
                            (unsigned long long) total, d);
    R->nsites = d;
    R->chains = C;
    R->samples = N;
    ch = fy_calloc((size_t) C, sizeof *ch, err);
    work = ch ? fy_malloc((size_t) C * 5, (size_t) d * sizeof(double), err) : NULL;
    pilot = work ? fy_malloc((size_t) C * (size_t) P, (size_t) d * sizeof(double), err) : NULL;
    pobs = pilot ? fy_malloc((size_t) C * (size_t) P, FY_HMC_NOBS * sizeof(double), err) : NULL;
    R->draws = pobs ? fy_malloc((size_t) C * (size_t) N, (size_t) d * sizeof(double), err) : NULL;
    kobs = R->draws ? fy_malloc((size_t) C * (size_t) N, FY_HMC_NOBS * sizeof(double), err)
                    : NULL;
    R->step = kobs ? fy_calloc((size_t) C, sizeof(double), err) : NULL;
    R->accept = R->step ? fy_calloc((size_t) C, sizeof(double), err) : NULL;
    R->flip_accept = R->accept ? fy_calloc((size_t) C, sizeof(double), err) : NULL;
    if (R->flip_accept == NULL)
    {
        rc = err->code ? err->code : FY_ENOMEM;
        goto done;
    }
    for (c = 0; c < C; c++)
    {
        double *w = work + (size_t) c * 5 * (size_t) d;
        fy_rng_t r0;
        ch[c].phi = w;
        ch[c].grad = w + d;
        ch[c].p = w + 2 * (size_t) d;
        ch[c].phi1 = w + 3 * (size_t) d;
        ch[c].grad1 = w + 4 * (size_t) d;
        fy_rng_init(r0, o->seed, FY_RNG_PURPOSE_HMC_INIT);
        fy_rng_normals(ch[c].phi, (uint64_t) d, r0, (uint64_t) c, 0);
        ch[c].E = fy_ltheory_energy_grad(T, ch[c].grad, ch[c].phi);
        ch[c].eps = o->step0;
        ch[c].mu = log(10.0 * o->step0);
        ch[c].log_eps_bar = log(o->step0);
    }

    /* warm-up and pilot */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(threads)
#endif
    for (c = 0; c < C; c++)
    {
        chain_t *h = ch + c;
        slong s;
        for (s = 1; s <= o->warmup; s++)
            adapt(h, step(h, &x, c), s, o->target_accept);
        if (o->warmup > 0)
            h->eps = exp(h->log_eps_bar);
        h->flips = 0;
        h->flip_prop = 0;
        h->div = 0;
        for (s = 0; s < P; s++)
        {
            h->acc_sum += step(h, &x, c);
            h->acc_n++;
            memcpy(pilot + ((size_t) c * (size_t) P + (size_t) s) * (size_t) d, h->phi,
                   (size_t) d * sizeof(double));
            observe(pobs + ((size_t) c * (size_t) P + (size_t) s) * FY_HMC_NOBS, h->phi, d, h->E);
        }
    }

    /* thinning from the pilot's autocorrelation time */
    {
        double *y = malloc((size_t) C * (size_t) P * sizeof(double));
        if (y == NULL)
        {
            rc = fy_error_set(err, FY_ENOMEM, "hmc: out of memory");
            goto done;
        }
        R->tau_raw = 0.0;
        for (k = 0; k < FY_HMC_NOBS; k++)
        {
            for (t = 0; t < C * P; t++)
                y[t] = pobs[(size_t) t * FY_HMC_NOBS + (size_t) k];
            tau = fy_sample_tau_int(y, C, P);
            if (isfinite(tau) && tau > R->tau_raw)
                R->tau_raw = tau;
        }
        free(y);
        R->thin = o->thin > 0 ? o->thin : (slong) ceil(R->tau_raw > 1.0 ? R->tau_raw : 1.0);
    }
    total = (uint64_t) o->warmup + (uint64_t) P + (uint64_t) N * (uint64_t) R->thin;
    if (total * (uint64_t) d >= ((uint64_t) 1 << 33) || total * 4 >= ((uint64_t) 1 << 33))
    {
        rc = fy_error_set(err, FY_EUSAGE, "hmc: %llu trajectories of %d sites exceed the "
                          "generator's counter (2^33 numbers per chain); use fewer samples",
                          (unsigned long long) total, d);
        goto done;
    }

    /* kept draws: every thin-th raw draw counted from the start of the pilot */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic) num_threads(threads)
#endif
    for (c = 0; c < C; c++)
    {
        chain_t *h = ch + c;
        slong kept = 0, r = 0;
        for (r = 0; r < P && kept < N; r++)
            if ((r + 1) % R->thin == 0)
            {
                memcpy(R->draws + ((size_t) c * (size_t) N + (size_t) kept) * (size_t) d,
                       pilot + ((size_t) c * (size_t) P + (size_t) r) * (size_t) d,
                       (size_t) d * sizeof(double));
                memcpy(kobs + ((size_t) c * (size_t) N + (size_t) kept) * FY_HMC_NOBS,
                       pobs + ((size_t) c * (size_t) P + (size_t) r) * FY_HMC_NOBS,
                       FY_HMC_NOBS * sizeof(double));
                kept++;
            }
        for (; kept < N; r++)
        {
            h->acc_sum += step(h, &x, c);
            h->acc_n++;
            if ((r + 1) % R->thin == 0)
            {
                memcpy(R->draws + ((size_t) c * (size_t) N + (size_t) kept) * (size_t) d, h->phi,
                       (size_t) d * sizeof(double));
                observe(kobs + ((size_t) c * (size_t) N + (size_t) kept) * FY_HMC_NOBS, h->phi,
                        d, h->E);
                kept++;
            }
        }
    }

    /* per-chain summaries and diagnostics of the kept draws */
    R->divergences = 0;
    for (c = 0; c < C; c++)
    {
        R->step[c] = ch[c].eps;
        R->accept[c] = ch[c].acc_n ? ch[c].acc_sum / (double) ch[c].acc_n : NAN;
        R->flip_accept[c] =
            ch[c].flip_prop ? (double) ch[c].flips / (double) ch[c].flip_prop : NAN;
        R->divergences += ch[c].div;
    }
    {
        double *y = malloc((size_t) C * (size_t) N * sizeof(double));
        if (y == NULL)
        {
            rc = fy_error_set(err, FY_ENOMEM, "hmc: out of memory");
            goto done;
        }
        for (k = 0; k < FY_HMC_NOBS; k++)
        {
            double s = 0.0;
            for (t = 0; t < C * N; t++)
            {
                y[t] = kobs[(size_t) t * FY_HMC_NOBS + (size_t) k];
                s += y[t];
            }
            R->diag[k].mean = s / (double) (C * N);
            R->diag[k].tau = fy_sample_tau_int(y, C, N);
            R->diag[k].ess = (double) (C * N) / R->diag[k].tau;
            R->diag[k].rhat = fy_sample_split_rhat(y, C, N);
        }
        free(y);
    }
    rc = FY_OK;
done:
    free(ch);
    free(work);
    free(pilot);
    free(pobs);
    free(kobs);
    if (rc != FY_OK)
        fy_hmc_result_clear(R);
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
