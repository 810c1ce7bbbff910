/* feynn inn sample: Hamiltonian Monte Carlo draws of a lattice theory with a polynomial action
 * (sample.h, doc/theory-format.md), with diagnostics and cumulants.
 *
 *   feynn inn sample THEORY [--samples N] [--chains C] [--seed S] [--warmup W]
 *                    [--leapfrog L] [--thin K] [--no-flip] [--threads T] [-o FILE]
 *                    [--format text|json]
 *
 * The library does the work (fy_hmc_run, fy_sample_cumulants, fy_hmc_save); this file parses
 * options and prints.  -o writes the draws as safetensors (tensor "samples", F64,
 * [chains, samples, sites]); the report goes to standard output.  Under mpirun the chains are
 * split over the ranks (fy_hmc_run_par) and the output is byte-identical to the serial run. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/sample.h"
#include "io/json_num.h"

#define CMD "inn sample"

typedef struct
{
    long samples, chains, seed, warmup, leapfrog, thin, threads;
    int noflip;
    const char *out;
} sample_args_t;

#define A(f) offsetof(sample_args_t, f)
static const fy_opt_t sample_opts[] = {
    {.name = "samples", .kind = FY_OPT_INT, .arg = "N", .off = A(samples), .lo = 4,
     .hi = 100000000, .def = "1000", .help = "kept draws per chain, after thinning"},
    {.name = "chains", .kind = FY_OPT_COUNT, .arg = "C", .off = A(chains), .hi = 1000000,
     .def = "4", .help = "independent chains"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = INT64_MAX,
     .def = "1", .help = "seed of the counter-based generator"},
    {.name = "warmup", .kind = FY_OPT_INT, .arg = "W", .off = A(warmup), .lo = 0,
     .hi = 100000000, .def = "500", .help = "warm-up trajectories per chain"},
    {.name = "leapfrog", .kind = FY_OPT_COUNT, .arg = "L", .off = A(leapfrog), .hi = 100000,
     .def = "10", .help = "leapfrog steps per trajectory"},
    {.name = "thin", .kind = FY_OPT_COUNT, .arg = "K", .off = A(thin), .hi = 1000000,
     .def = "the autocorrelation time", .help = "keep every K-th draw"},
    {.name = "no-flip", .kind = FY_OPT_FLAG, .off = A(noflip), .help = "no Z2 move"},
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = A(threads), .hi = 4096,
     .help = "OpenMP threads (the draws do not depend on it)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "write the draws as safetensors to FILE"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_sample = {
    .name = CMD,
    .usage = "THEORY [options]",
    .intro =
        "Draws from p(phi) ~ exp(-E(phi)) for a lattice theory with a polynomial action\n"
        "(file format: doc/theory-format.md) by Hamiltonian Monte Carlo: independent\n"
        "chains in parallel, step size adapted during warm-up, a global Z2 move\n"
        "phi -> -phi, thinning by the measured autocorrelation time.  Prints acceptance,\n"
        "autocorrelation times, effective sample sizes, split R-hat, and the cumulants\n"
        "kappa_1..kappa_4 on a site and between nearest neighbours with batch-means errors.\n"
        "Under mpirun the chains are split over the ranks; the output is byte-identical.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = sample_opts,
    .nopts = FY_OPT_N(sample_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

static void print_text(FILE *fp, const char *path, const fy_ltheory_t T,
                       const fy_hmc_opts_struct *o, const fy_hmc_result_t R,
                       const fy_cumulants_struct *K)
{
    static const char *const nn_names[4] = {"k(i,j)", "k(i,i,j)", "k(i,i,j,j)", "k(i,i,i,j)"};
    double smin = INFINITY, smax = 0.0, acc = 0.0, fl = 0.0;
    slong c;
    int k;
    for (c = 0; c < R->chains; c++)
    {
        smin = R->step[c] < smin ? R->step[c] : smin;
        smax = R->step[c] > smax ? R->step[c] : smax;
        acc += R->accept[c] / (double) R->chains;
        fl += R->flip_accept[c] / (double) R->chains;
    }
    fprintf(fp, "theory       %s: %s %d, %d sites, %ld links, degree %d, %s\n", path,
            fy_lattice_kind_name(T->kind), T->size, T->nsites, (long) T->nlinks, T->max_degree,
            T->even ? "even" : "not even");
    fprintf(fp, "sampler      HMC, %ld chains x %ld draws, warm-up %ld, %d leapfrog steps, "
            "seed %" PRIu64 "\n", (long) R->chains, (long) R->samples, (long) o->warmup,
            o->n_leapfrog, o->seed);
    fprintf(fp, "thinning     every %ld-th trajectory (pilot autocorrelation time %.3g)\n",
            (long) R->thin, R->tau_raw);
    fprintf(fp, "step size    %.4g .. %.4g\n", smin, smax);
    fprintf(fp, "acceptance   %.4f", acc);
    if (o->flip)
        fprintf(fp, ", Z2 moves accepted %.4f", fl);
    fprintf(fp, ", divergences %ld\n\n", (long) R->divergences);
    fprintf(fp, "%-10s %14s %10s %10s %10s\n", "observable", "mean", "tau", "ESS", "R-hat");
    for (k = 0; k < FY_HMC_NOBS; k++)
        fprintf(fp, "%-10s %14.6g %10.3f %10.1f %10.4f\n", fy_hmc_obs_name(k), R->diag[k].mean,
                R->diag[k].tau, R->diag[k].ess, R->diag[k].rhat);
    fprintf(fp, "\ncumulants (errors by batch means over %ld batches)\n", (long) K->batches);
    for (k = 0; k < 4; k++)
        fprintf(fp, "  site  kappa_%d      %14.6g +- %.2g\n", k + 1, K->site[k], K->site_se[k]);
    if (T->nlinks > 0)
        for (k = 0; k < 4; k++)
            fprintf(fp, "  nn    %-12s %14.6g +- %.2g\n", nn_names[k], K->nn[k], K->nn_se[k]);
}

static json_t *json_pairs(const double *v, const double *se, int n)
{
    json_t *a = json_array();
    int k;
    for (k = 0; k < n; k++)
    {
        json_t *o = json_object();
        json_object_set_new(o, "value", fy_json_number(v[k]));
        json_object_set_new(o, "se", fy_json_number(se[k]));
        json_array_append_new(a, o);
    }
    return a;
}

static char *make_json(const char *path, const fy_ltheory_t T, const fy_hmc_opts_struct *o,
                       const fy_hmc_result_t R, const fy_cumulants_struct *K)
{
    json_t *root = json_object(), *th = json_object(), *sa = json_object(), *ch = json_array();
    json_t *dg = json_object(), *cu = json_object();
    char *s;
    slong c;
    int k;
    json_object_set_new(root, "command", json_string(CMD));
    json_object_set_new(th, "file", json_string(path));
    json_object_set_new(th, "lattice", json_string(fy_lattice_kind_name(T->kind)));
    json_object_set_new(th, "size", json_integer(T->size));
    json_object_set_new(th, "sites", json_integer(T->nsites));
    json_object_set_new(th, "links", json_integer(T->nlinks));
    json_object_set_new(th, "degree", json_integer(T->max_degree));
    json_object_set_new(th, "even", json_boolean(T->even));
    json_object_set_new(root, "theory", th);
    json_object_set_new(sa, "chains", json_integer(R->chains));
    json_object_set_new(sa, "samples", json_integer(R->samples));
    json_object_set_new(sa, "warmup", json_integer(o->warmup));
    json_object_set_new(sa, "leapfrog", json_integer(o->n_leapfrog));
    json_object_set_new(sa, "seed", json_integer((json_int_t) o->seed));
    json_object_set_new(sa, "flip", json_boolean(o->flip));
    json_object_set_new(sa, "thin", json_integer(R->thin));
    json_object_set_new(sa, "tau_pilot", fy_json_number(R->tau_raw));
    json_object_set_new(sa, "divergences", json_integer(R->divergences));
    for (c = 0; c < R->chains; c++)
    {
        json_t *x = json_object();
        json_object_set_new(x, "step", fy_json_number(R->step[c]));
        json_object_set_new(x, "accept", fy_json_number(R->accept[c]));
        json_object_set_new(x, "flip_accept", fy_json_number(R->flip_accept[c]));
        json_array_append_new(ch, x);
    }
    json_object_set_new(sa, "per_chain", ch);
    json_object_set_new(root, "sampler", sa);
    for (k = 0; k < FY_HMC_NOBS; k++)
    {
        json_t *x = json_object();
        json_object_set_new(x, "mean", fy_json_number(R->diag[k].mean));
        json_object_set_new(x, "tau", fy_json_number(R->diag[k].tau));
        json_object_set_new(x, "ess", fy_json_number(R->diag[k].ess));
        json_object_set_new(x, "rhat", fy_json_number(R->diag[k].rhat));
        json_object_set_new(dg, fy_hmc_obs_name(k), x);
    }
    json_object_set_new(root, "diagnostics", dg);
    json_object_set_new(cu, "batches", json_integer(K->batches));
    json_object_set_new(cu, "site", json_pairs(K->site, K->site_se, 4));
    json_object_set_new(cu, "nearest_neighbour", T->nlinks > 0 ? json_pairs(K->nn, K->nn_se, 4)
                                                               : json_null());
    json_object_set_new(root, "cumulants", cu);
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    return s;
}

int fy_inn_sample_cmd(int argc, char **argv)
{
    const char *path, *out;
    int fmt, rc = 0, status;
    fy_hmc_opts_struct o;
    fy_ltheory_t T;
    fy_hmc_result_t R;
    fy_cumulants_struct K;
    fy_error_t err;
    fy_par_t par;
    sample_args_t a;
    fy_opt_state_t st;

    fy_error_init(err);
    fy_hmc_opts_default(&o);
    a.samples = o.samples;
    a.chains = o.chains;
    a.seed = (long) o.seed;
    a.warmup = o.warmup;
    a.leapfrog = o.n_leapfrog;
    a.thin = o.thin;
    a.threads = o.threads;
    a.noflip = !o.flip;
    a.out = NULL;
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_sample, argc, argv)) >= 0)
        return rc;
    rc = 0;
    path = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    fy_opt_state_clear(st);
    o.samples = a.samples;
    o.chains = a.chains;
    o.seed = (uint64_t) a.seed;
    o.warmup = a.warmup;
    o.n_leapfrog = (int) a.leapfrog;
    o.thin = a.thin;
    o.threads = (int) a.threads;
    o.flip = !a.noflip;
    out = a.out;
    if (path == NULL)
        return fy_cli_usage_error(CMD, "a THEORY file is required (doc/theory-format.md)");

    fy_ltheory_init(T);
    fy_hmc_result_init(R);
    /* under mpirun / srun every rank runs this: the chains are split over the ranks and
     * gathered on rank 0, which alone writes */
    status = fy_par_init(NULL, NULL, err);
    fy_par_world(par);
    if (status == FY_OK)
        status = fy_par_agree(fy_ltheory_load(T, path, err), par, err);
    if (status == FY_OK)
        status = fy_hmc_run_par(R, T, &o, par, err);
    if (status == FY_OK && par->rank != 0)
        goto finish;
    if (status == FY_OK)
        status = fy_sample_cumulants(&K, R->draws, R->chains, R->samples, T, err);
    if (status == FY_OK && out != NULL)
        status = fy_hmc_save(out, R, T, &o, path, err);
    if (status == FY_OK && fmt == FY_FMT_JSON)
    {
        char *s = make_json(path, T, &o, R, &K);
        if (s == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory writing JSON");
        else
        {
            puts(s);
            free(s);
        }
    }
    else if (status == FY_OK)
        print_text(stdout, path, T, &o, R, &K);
    if (status == FY_OK && fflush(stdout) != 0)
        status = fy_error_set(err, FY_EIO, "writing the output failed");
    /* every rank holds the error (fy_par_agree); rank 0 says it */
    if (status != FY_OK)
        rc = par->rank == 0 ? fy_cli_fail(CMD, err) : fy_exit_status(status);
finish:
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
    fy_par_finalize();
    return rc;
}
