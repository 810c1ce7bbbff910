/* feynn born: the scattering length and the Born series of step potentials (doc/math.md 2).
 *
 * Sub-subcommands are dispatched from the table `born_commands` below; a new one (train,
 * verify, ...) is one entry there and one function int NAME(int argc, char **argv) with argv[0]
 * the sub-subcommand's name.  Helpers shared by the sub-subcommands (potential loading, the
 * convention line, output files) are the born_* functions of this file. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq.h>
#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/born.h"
#include "feynn/io.h"
#include "feynn/num.h"
#include "feynn/series.h"
#include "feynn/util.h"
#include "io/json_num.h"

static int born_terms(int argc, char **argv);
static int born_a0(int argc, char **argv);
static int born_data(int argc, char **argv);

static const fy_cli_command born_commands[] = {
    {"terms", "exact Born terms a_0^(n) of a potential, or the coefficient tensors d^n a_0(0)",
     born_terms},
    {"a0", "certified scattering length a_0, bound states, convergence of the Born series",
     born_a0},
    {"data", "data set of random shallow attractive potentials and their a_0", born_data},
    {"train", "train an MLP on a data set (or on a residual: iterative scheme)",
     fy_born_train_cmd},
    {"verify", "compare a network's Taylor tensors at U = 0 with the exact Born tensors",
     fy_born_verify_cmd},
};
static const fy_cli_dispatch_t born_dispatch = {
    .name = "born",
    .head = "Usage: feynn born COMMAND [options]\n"
            "\n"
            "S-wave scattering length of step potentials and its Born series (doc/math.md 2).\n"
            "Convention: " FY_BORN_CONVENTION ".\n",
    .tail = "\n"
            "The ladder diagrams of the n-th Born term: feynn diagrams born --order N\n"
            "(add --format dot|tikz -o DIR to draw them).\n"
            "Potential files: doc/potential-format.md.  Run 'feynn born COMMAND --help'.\n",
    .width = 8,
    .subs = born_commands,
    .nsubs = sizeof born_commands / sizeof born_commands[0],
};

int fy_cmd_born(int argc, char **argv)
{
    return fy_cli_dispatch(&born_dispatch, argc, argv);
}

/* ------------------------------------------------------------------ shared helpers */

/* A positive exact number of an option the table checked (FY_OPT_RATIONAL): 0, or -1 after
 * the usage error. */
static int born_positive_q(fmpq_t q, const char *cmd, const char *s, const char *name)
{
    fy_error_t err;
    fy_error_init(err);
    if (fy_fmpq_parse(q, s, err) != FY_OK || fmpq_sgn(q) <= 0)
    {
        fy_cli_usage_error(cmd, "%s: expected a positive number, got '%s'", name, s);
        return -1;
    }
    return 0;
}

/* Reads the potential file; mu (may be NULL) converts heights in MeV to fm^-2. */
static int born_load_potential(fy_born_potential_t pot, const char *path, const fmpq_t range,
                               const fmpq_t mu, fy_error_t err)
{
    slong j;
    int rc = fy_born_potential_read(pot, path, range, err);
    if (rc != FY_OK)
        return rc;
    if (mu != NULL)
    {
        if (pot->physical)
            return fy_error_set(err, FY_EUSAGE, "%s gives the reduced mass (mu) already; "
                                "drop --mu", path);
        for (j = 0; j < pot->d; j++)
            fy_born_physical_to_natural(pot->U + j, pot->U + j, mu);
        pot->physical = 1;
        fmpq_set(pot->mu, mu);
    }
    return FY_OK;
}

static char *qstr(const fmpq_t q)
{
    char *s = fy_fmpq_get_str(q);
    return s ? s : strdup("?");
}

static json_t *json_q(const fmpq_t q)
{
    char *s = qstr(q);
    json_t *j = json_string(s ? s : "?");
    free(s);
    return j;
}

static json_t *json_potential(const fy_born_potential_t pot, const char *path)
{
    json_t *o = json_object(), *r = json_array(), *u = json_array();
    slong j;
    for (j = 1; j <= pot->d; j++)
        json_array_append_new(r, json_q(pot->r + j));
    for (j = 0; j < pot->d; j++)
        json_array_append_new(u, json_q(pot->U + j));
    if (path)
        json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "steps", json_integer(pot->d));
    json_object_set_new(o, "range", json_q(fy_born_potential_range(pot)));
    json_object_set_new(o, "breakpoints", r);
    json_object_set_new(o, "heights", u);
    json_object_set_new(o, "units", json_string(pot->physical ? "fm^-2 (converted from MeV)"
                                                              : "hbar = 2 mu = 1"));
    if (pot->physical)
        json_object_set_new(o, "mu_MeV", json_q(pot->mu));
    return o;
}

/* Writes a JSON value to path ("-" or NULL: standard output) atomically. */
static int born_write_json(const char *path, json_t *j, fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, path ? path : "-", err);
    if (rc != FY_OK)
        return rc;
    if (json_dumpf(j, of->fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
        fputc('\n', of->fp) == EOF)
    {
        fy_ofile_abort(of);
        return fy_error_set(err, FY_EIO, "cannot write the JSON output");
    }
    return fy_ofile_commit(of, err);
}

/* Convergence verdict for a potential: bound states, radius, message. */
typedef struct
{
    slong bound;
    int shallow, converges;
    arb_t radius;
    char message[FY_ERROR_MSG_LEN];
} verdict_t;

static int born_verdict(verdict_t *v, const fy_born_potential_t pot, fy_error_t err)
{
    fy_error_t e2;
    arb_t one;
    int rc;
    arb_init(v->radius);
    v->message[0] = '\0';
    if ((rc = fy_born_bound_states(&v->bound, &v->shallow, pot, NULL, err)) != FY_OK)
        return rc;
    if ((rc = fy_born_radius(v->radius, pot, 1e-9, err)) != FY_OK)
        return rc;
    arb_init(one);
    arb_one(one);
    fy_error_init(e2);
    v->converges = fy_born_check_convergence(pot, e2) == FY_OK;
    if (!v->converges)
        snprintf(v->message, sizeof v->message, "%s", e2->msg);
    arb_clear(one);
    return FY_OK;
}

/* ------------------------------------------------------------------ born terms */

#define TERMS "born terms"

/* The options of `born terms` as the table stores them. */
typedef struct
{
    long steps, order;
    int tensors, opposite, check, force, steps_given, range_given;
    const char *potfile, *out, *range, *mu;
} terms_args_t;

#define A(f) offsetof(terms_args_t, f)
static const fy_opt_t terms_opts[] = {
    {.name = "steps", .kind = FY_OPT_INT, .arg = "D", .off = A(steps), .lo = 1, .hi = 100000,
     .def = "1", .given = FY_OPT_GIVEN(terms_args_t, steps_given),
     .help = "number of equal steps (tensors)"},
    {.name = "range", .kind = FY_OPT_RATIONAL, .arg = "R", .off = A(range), .def = "1",
     .given = FY_OPT_GIVEN(terms_args_t, range_given),
     .help = "range R > 0 (integer, decimal or fraction)"},
    {.name = "potential", .kind = FY_OPT_PATH, .arg = "FILE", .off = A(potfile),
     .help = "potential file (doc/potential-format.md; - reads standard input)"},
    {.name = "mu", .kind = FY_OPT_RATIONAL, .arg = "M", .off = A(mu),
     .help = "heights of FILE in MeV, radii in fm, reduced mass M MeV/c^2: U = 2 mu V / "
             "(hbar c)^2, hbar c = " FY_BORN_HBARC_STR " MeV fm"},
    {.name = "order", .kind = FY_OPT_INT, .arg = "N", .off = A(order), .lo = 1, .hi = 10000,
     .def = "4", .help = "highest order"},
    {.name = "tensors", .kind = FY_OPT_FLAG, .off = A(tensors),
     .help = "with --potential: also the tensors for its breakpoints"},
    {.name = "opposite-sign", .kind = FY_OPT_FLAG, .off = A(opposite),
     .help = "report -a_0 (weak attraction positive)"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = A(check),
     .help = "exit status 1 when the Born series of FILE does not converge"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "PATH", .off = A(out),
     .help = "output file (a folder for npy; default standard output); the npy folder is "
             "written as a whole: it then holds only this run's files and a manifest"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = A(force),
     .help = "with npy: replace a non-empty folder feynn did not write (it is moved aside to "
             "PATH.old.XXXXXX, never deleted)"},
};
#undef A

const fy_opt_cmd_t fy_opt_born_terms = {
    .name = TERMS,
    .usage = "--steps D [--range R] --order N [options]\n--potential FILE --order N [options]",
    .intro =
        "Exact Born terms as rationals, from the product of the step transfer matrices\n"
        "(doc/math.md 2.3).  With --potential: the values a_0^(1)(U) .. a_0^(N)(U) of\n"
        "the Born series of that potential, its bound states and whether the series\n"
        "converges. Without: the symmetric coefficient tensors d^n a_0(0), n = 1..N,\n"
        "over the heights U_1..U_d of D equal steps on (0, R] (gradient c3_j, Hessian\n"
        "-2K, ...), entries by sorted 0-based multi-index i1 <= ... <= in.\n"
        "Convention: " FY_BORN_CONVENTION ".",
    .epilog =
        "The ladder diagram of each order: feynn diagrams born --order N.\n"
        "Examples:\n"
        "  feynn born terms --potential well.txt --order 6 --format json\n"
        "  feynn born terms --steps 4 --order 3\n"
        "\n"
        "Exit status: 0 success, 1 --check and the series does not converge, 2 bad usage\n"
        "or input.\n",
    .opts = terms_opts,
    .nopts = FY_OPT_N(terms_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_NPY),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/born-terms.schema.json) or npy (needs -o DIR: "
                   "terms.npy and tensor_N.npy, dense, float64)",
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

/* dense double array of an exact tensor */
static int tensor_npy(const char *dir, int n, const fy_symtensor_t T, fy_error_t err)
{
    fy_numvec_t D, Dd;
    fy_npy_t a;
    size_t shape[FY_IO_MAX_DIMS];
    char path[4096];
    int k, rc;
    if (n > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EUNSUPPORTED, "npy output holds tensors up to order %d",
                            FY_IO_MAX_DIMS);
    fy_numvec_init_empty(D);
    fy_numvec_init_empty(Dd);
    rc = fy_symtensor_to_dense(D, T, err);
    if (rc == FY_OK)
        rc = fy_numvec_convert(Dd, FY_ARITH_DOUBLE, 0, D, err);
    fy_npy_init(a);
    for (k = 0; k < n; k++)
        shape[k] = (size_t) T->dim;
    if (rc == FY_OK)
        rc = fy_npy_set_shape(a, n, shape, err);
    if (rc == FY_OK)
    {
        memcpy(a->data, fy_numvec_d(Dd), a->numel * sizeof(double));
        snprintf(path, sizeof path, "%s/tensor_%d.npy", dir, n);
        rc = fy_npy_write(path, a, err);
    }
    fy_npy_clear(a);
    fy_numvec_clear(D);
    fy_numvec_clear(Dd);
    return rc;
}

static json_t *tensor_json(const fy_symtensor_t T, int n)
{
    json_t *o = json_object(), *idx = json_array(), *val = json_array();
    int *ix = calloc((size_t) n + 1, sizeof(int)), k;
    slong i;
    const fmpq *e = fy_numvec_fmpq(&T->e);
    for (i = 0; ix && i < fy_symtensor_len(T); i++)
    {
        json_t *t = json_array();
        for (k = 0; k < n; k++)
            json_array_append_new(t, json_integer(ix[k]));
        json_array_append_new(idx, t);
        json_array_append_new(val, json_q(e + fy_symtensor_index(T, ix)));
        fy_multiindex_next(ix, T->dim, n);
    }
    free(ix);
    json_object_set_new(o, "order", json_integer(n));
    json_object_set_new(o, "dim", json_integer(T->dim));
    json_object_set_new(o, "entries", json_integer(fy_symtensor_len(T)));
    json_object_set_new(o, "indices", idx);
    json_object_set_new(o, "values", val);
    return o;
}

static void tensor_text(FILE *fp, const fy_symtensor_t T, int n)
{
    int *ix = calloc((size_t) n + 1, sizeof(int)), k;
    slong i;
    const fmpq *e = fy_numvec_fmpq(&T->e);
    fprintf(fp, "# order %d: d^%d a_0(0), %ld entries (sorted multi-index, 0-based)%s\n", n, n,
            (long) fy_symtensor_len(T),
            n == 1 ? " = c3_j" : n == 2 ? " = -2K" : "");
    for (i = 0; ix && i < fy_symtensor_len(T); i++)
    {
        char *s = qstr(e + fy_symtensor_index(T, ix));
        for (k = 0; k < n; k++)
            fprintf(fp, "%d ", ix[k]);
        fprintf(fp, " %s\n", s);
        free(s);
        fy_multiindex_next(ix, T->dim, n);
    }
    free(ix);
}

/* The state of one `born terms` run: options, then results. */
typedef struct
{
    long steps, order;
    int fmt, tensors, sign, check, steps_given, range_given, have_mu, force, quiet;
    const char *potfile, *out;
    fmpq_t range, mu, sum;
    fy_born_potential_t pot;
    fmpq *terms;            /* order terms (with --potential), or NULL */
    fy_symtensor_struct *T; /* order tensors (without --potential, or --tensors), or NULL */
    verdict_t v;
    fy_born_a0_t a0res;
    int have_a0;
} terms_job_t;

static void terms_job_init(terms_job_t *job)
{
    memset(job, 0, sizeof *job);
    job->steps = 1;
    job->order = 4;
    job->fmt = FY_FMT_TEXT;
    job->sign = FY_BORN_SIGN_STANDARD;
    fmpq_init(job->range);
    fmpq_init(job->mu);
    fmpq_init(job->sum);
    fmpq_one(job->range);
    fy_born_potential_init(job->pot);
    fy_born_a0_init(job->a0res);
    arb_init(job->v.radius);
}

static void terms_job_clear(terms_job_t *job)
{
    long n;
    if (job->terms)
        _fmpq_vec_clear(job->terms, job->order);
    if (job->T)
    {
        for (n = 0; n < job->order; n++)
            fy_symtensor_clear(job->T + n);
        flint_free(job->T);
    }
    arb_clear(job->v.radius);
    fy_born_a0_clear(job->a0res);
    fy_born_potential_clear(job->pot);
    fmpq_clear(job->range);
    fmpq_clear(job->mu);
    fmpq_clear(job->sum);
}

/* Options into job: -1 to go on, else the exit status (0 after --help). */
static int terms_parse(terms_job_t *job, int argc, char **argv)
{
    fy_opt_state_t st;
    terms_args_t a;
    int rc;
    memset(&a, 0, sizeof a);
    a.steps = job->steps;
    a.order = job->order;
    if ((rc = fy_opt_start(st, &a, &fy_opt_born_terms, argc, argv)) >= 0)
        return rc;
    job->fmt = st->format;
    job->quiet = st->quiet;
    fy_opt_state_clear(st);
    job->steps = a.steps;
    job->order = a.order;
    job->tensors = a.tensors;
    job->sign = a.opposite ? FY_BORN_SIGN_OPPOSITE : FY_BORN_SIGN_STANDARD;
    job->check = a.check;
    job->force = a.force;
    job->steps_given = a.steps_given;
    job->range_given = a.range_given;
    job->potfile = a.potfile;
    job->out = a.out;
    job->have_mu = a.mu != NULL;
    if (a.range != NULL && born_positive_q(job->range, TERMS, a.range, "--range"))
        return 2;
    if (a.mu != NULL && born_positive_q(job->mu, TERMS, a.mu, "--mu"))
        return 2;
    if (job->potfile == NULL && (job->have_mu || job->check || job->tensors))
        return fy_cli_usage_error(TERMS, "--mu, --check and --tensors need --potential");
    if (job->fmt == FY_FMT_NPY && job->out == NULL)
        return fy_cli_usage_error(TERMS, "--format npy needs -o DIR");
    return -1;
}

/* The terms (with the verdict and a_0) of the potential file, or the steps; the tensors.  A
 * usage conflict gives FY_EUSAGE with *usage set to the exit status already reported. */
static int terms_compute(terms_job_t *job, int *usage, fy_error_t err)
{
    long n, order = job->order;
    int rc;
    *usage = 0;
    if (job->potfile)
    {
        if ((rc = born_load_potential(job->pot, job->potfile, job->range,
                                      job->have_mu ? job->mu : NULL, err)) != FY_OK)
            return rc;
        if (job->steps_given && job->steps != job->pot->d)
        {
            *usage = fy_cli_usage_error(TERMS, "--steps %ld disagrees with the %ld heights of "
                                        "%s", job->steps, (long) job->pot->d, job->potfile);
            return FY_EUSAGE;
        }
        if (job->range_given && !fmpq_equal(job->range, fy_born_potential_range(job->pot)))
        {
            *usage = fy_cli_usage_error(TERMS, "--range disagrees with the breakpoints of %s",
                                        job->potfile);
            return FY_EUSAGE;
        }
        job->terms = _fmpq_vec_init(order);
        if ((rc = fy_born_terms(job->terms, job->pot, (int) order, err)) != FY_OK)
            return rc;
        if ((rc = born_verdict(&job->v, job->pot, err)) != FY_OK)
            return rc;
        if (job->v.converges)
        {
            fy_error_t e2;
            fy_error_init(e2);
            job->have_a0 = fy_born_a0(job->a0res, job->pot, 16, e2) == FY_OK;
        }
        fy_born_apply_sign(job->terms, order, NULL, 0, job->have_a0 ? &job->a0res->a0 : NULL,
                           job->sign);
        for (n = 0; n < order; n++)
            fmpq_add(job->sum, job->sum, job->terms + n);
    }
    else if ((rc = fy_born_potential_set_steps(job->pot, job->steps, job->range, NULL, err))
             != FY_OK)
        return rc;
    if (job->potfile == NULL || job->tensors)
    {
        job->T = flint_malloc((size_t) order * sizeof(fy_symtensor_struct));
        for (n = 0; n < order; n++)
            fy_symtensor_init_empty(job->T + n);
        if ((rc = fy_born_tensors(job->T, job->pot, (int) order, err)) != FY_OK)
            return rc;
        fy_born_apply_sign(NULL, 0, job->T, order, NULL, job->sign);
    }
    return FY_OK;
}

/* The npy files into the folder dir. */
static int terms_npy_files(const terms_job_t *job, const char *dir, fy_error_t err)
{
    long n, order = job->order;
    int rc = FY_OK;
    if (job->terms)
    {
        fy_npy_t a;
        size_t shape[1] = {(size_t) order};
        char path[4096];
        fy_npy_init(a);
        rc = fy_npy_set_shape(a, 1, shape, err);
        for (n = 0; rc == FY_OK && n < order; n++)
            a->data[n] = fy_fmpq_get_d(job->terms + n);
        snprintf(path, sizeof path, "%s/terms.npy", dir);
        if (rc == FY_OK)
            rc = fy_npy_write(path, a, err);
        fy_npy_clear(a);
        if (rc != FY_OK)
            return rc;
    }
    for (n = 0; job->T && n < order; n++)
        if ((rc = tensor_npy(dir, (int) n + 1, job->T + n, err)) != FY_OK)
            return rc;
    return FY_OK;
}

/* The folder written as a whole (util/outdir.c): no tensor of an earlier run left beside
 * these. */
static int terms_write_npy(const terms_job_t *job, fy_error_t err)
{
    fy_outdir_t od;
    int rc;
    fy_outdir_init(od);
    rc = fy_outdir_open(od, job->out, job->force, err);
    if (rc == FY_OK)
        rc = terms_npy_files(job, fy_outdir_tmp(od), err);
    if (rc == FY_OK)
        rc = fy_outdir_commit(od, NULL, 0, err);
    else
        fy_outdir_abort(od);
    fy_outdir_clear(od);
    if (rc == FY_OK && !job->quiet) /* --quiet: silent */
        fprintf(stderr, "feynn born terms: wrote %s/ (%s)\n", job->out,
                fy_born_convention(job->sign));
    return rc;
}

/* The terms, the verdict and a_0 as JSON members of root. */
static void terms_json_terms(json_t *root, const terms_job_t *job)
{
    const verdict_t *v = &job->v;
    json_t *ta = json_array(), *da = json_array();
    long n;
    for (n = 0; n < job->order; n++)
    {
        json_array_append_new(ta, json_q(job->terms + n));
        json_array_append_new(da, json_real(fy_fmpq_get_d(job->terms + n)));
    }
    json_object_set_new(root, "terms", ta);
    json_object_set_new(root, "terms_approx", da);
    json_object_set_new(root, "partial_sum", json_q(job->sum));
    json_object_set_new(root, "bound_states", json_integer(v->bound));
    json_object_set_new(root, "shallow", json_boolean(v->shallow));
    json_object_set_new(root, "radius", fy_json_ball(v->radius, 10));
    json_object_set_new(root, "born_series_converges", json_boolean(v->converges));
    json_object_set_new(root, "a0", job->have_a0 ? json_string("") : json_null());
    if (job->have_a0)
    {
        char *s = fy_arb_get_str_certified(&job->a0res->a0, 16);
        json_object_set_new(root, "a0", json_string(s ? s : "?"));
        free(s);
    }
    json_object_set_new(root, "message", v->converges ? json_null() : json_string(v->message));
}

static int terms_write_json(const terms_job_t *job, fy_error_t err)
{
    const fy_born_potential_struct *pot = job->pot;
    json_t *root = json_object();
    long n;
    int rc;
    json_object_set_new(root, "command", json_string("born terms"));
    json_object_set_new(root, "convention", json_string(fy_born_convention(job->sign)));
    json_object_set_new(root, "sign", json_string(fy_born_sign_name(job->sign)));
    json_object_set_new(root, "order", json_integer(job->order));
    if (job->potfile)
        json_object_set_new(root, "potential", json_potential(job->pot, job->potfile));
    else
    {
        json_t *r = json_array();
        slong j;
        for (j = 1; j <= pot->d; j++)
            json_array_append_new(r, json_q(pot->r + j));
        json_object_set_new(root, "steps", json_integer(pot->d));
        json_object_set_new(root, "range", json_q(fy_born_potential_range(job->pot)));
        json_object_set_new(root, "breakpoints", r);
    }
    if (job->terms)
        terms_json_terms(root, job);
    if (job->T)
    {
        json_t *ta = json_array();
        for (n = 0; n < job->order; n++)
            json_array_append_new(ta, tensor_json(job->T + n, (int) n + 1));
        json_object_set_new(root, "index_order", json_string(
            "sorted 0-based multi-indices i1 <= ... <= in in lexicographic order; the "
            "entry is d^n a_0 / dU_(i1+1) ... dU_(in+1) at U = 0"));
        json_object_set_new(root, "tensors", ta);
    }
    rc = born_write_json(job->out, root, err);
    json_decref(root);
    return rc;
}

static void terms_text_terms(FILE *fp, const terms_job_t *job)
{
    const verdict_t *v = &job->v;
    char *r = NULL;
    long n;
    fprintf(fp, "# bound state(s): %ld\n", (long) v->bound);
    r = arb_is_finite(v->radius) ? fy_arb_get_str_radius(v->radius, 10) : strdup("inf");
    fprintf(fp, "# radius of convergence in lambda (of a_0(lambda U)): %s\n", r ? r : "?");
    free(r);
    fprintf(fp, "%-4s %-40s %s\n", "n", "a_0^(n) (exact)", "~ double");
    for (n = 0; n < job->order; n++)
    {
        char *s = qstr(job->terms + n);
        fprintf(fp, "%-4d %-40s %.17g\n", (int) n + 1, s, fy_fmpq_get_d(job->terms + n));
        free(s);
    }
    fprintf(fp, "# partial sum through order %ld: %.17g\n", job->order, fy_fmpq_get_d(job->sum));
    if (v->converges)
    {
        char *s = job->have_a0 ? fy_arb_get_str_certified(&job->a0res->a0, 16) : NULL;
        fprintf(fp, "# the Born series converges to a_0 = %s\n", s ? s : "?");
        free(s);
    }
    else
        fprintf(fp, "# no Born-series claim: %s\n", v->message);
}

/* The Born-series verdict is stated once (issue 10 item 18): in the report (text or JSON);
 * when the report went to a file or folder (-o), also on standard output, as the --check
 * results of the other commands. */
static void verdict_say(const char *out, const verdict_t *v)
{
    if (out == NULL || !strcmp(out, "-"))
        return;
    if (v->converges)
        printf("Born series: converges to a_0 at lambda = 1\n");
    else
        printf("Born series: no claim: %s\n", v->message);
}

static int terms_write_text(const terms_job_t *job, fy_error_t err)
{
    const fy_born_potential_struct *pot = job->pot;
    fy_ofile_t of;
    FILE *fp;
    slong j;
    long n;
    int rc;
    if ((rc = fy_ofile_open(of, job->out ? job->out : "-", err)) != FY_OK)
        return rc;
    fp = of->fp;
    fprintf(fp, "# feynn born terms: exact Born terms (doc/math.md 2.3)\n");
    fprintf(fp, "# convention: %s\n", fy_born_convention(job->sign));
    fprintf(fp, "# %s: %ld step(s) on (0, ", job->potfile ? job->potfile : "steps",
            (long) pot->d);
    fmpq_fprint(fp, fy_born_potential_range(job->pot));
    fprintf(fp, "]%s, breakpoints", pot->physical ? " fm" : "");
    for (j = 1; j <= pot->d; j++)
    {
        fputc(' ', fp);
        fmpq_fprint(fp, pot->r + j);
    }
    fputc('\n', fp);
    if (job->terms)
        terms_text_terms(fp, job);
    for (n = 0; job->T && n < job->order; n++)
        tensor_text(fp, job->T + n, (int) n + 1);
    return fy_ofile_commit(of, err);
}

static int born_terms(int argc, char **argv)
{
    terms_job_t job;
    fy_error_t err;
    int status, usage, rc;
    fy_error_init(err);
    terms_job_init(&job);
    status = terms_parse(&job, argc, argv);
    if (status >= 0)
    {
        terms_job_clear(&job);
        return status;
    }
    status = 0;
    rc = terms_compute(&job, &usage, err);
    if (rc == FY_OK)
    {
        if (job.fmt == FY_FMT_NPY)
            rc = terms_write_npy(&job, err);
        else if (job.fmt == FY_FMT_JSON)
            rc = terms_write_json(&job, err);
        else
            rc = terms_write_text(&job, err);
    }
    if (rc != FY_OK)
        status = usage ? usage : fy_cli_fail(TERMS, err);
    else if (job.terms)
    {
        verdict_say(job.out, &job.v);
        if (job.check && !job.v.converges)
            status = 1;
    }
    terms_job_clear(&job);
    return status;
}

/* ------------------------------------------------------------------ born a0 */

#define A0 "born a0"

/* The options of `born a0` as the table stores them. */
typedef struct
{
    long digits;
    int opposite, check;
    const char *potfile, *out, *range, *mu;
} a0_args_t;

#define A(f) offsetof(a0_args_t, f)
static const fy_opt_t a0_opts[] = {
    {.name = "potential", .kind = FY_OPT_PATH, .arg = "FILE", .off = A(potfile),
     .help = "potential file (required; doc/potential-format.md; - reads standard input)"},
    {.name = "range", .kind = FY_OPT_RATIONAL, .arg = "R", .off = A(range), .def = "1",
     .help = "range of a file with heights only"},
    {.name = "mu", .kind = FY_OPT_RATIONAL, .arg = "M", .off = A(mu),
     .help = "heights in MeV, radii in fm, reduced mass M MeV/c^2"},
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = A(digits), .lo = 1, .hi = 10000,
     .def = "16", .help = "certified significant digits"},
    {.name = "opposite-sign", .kind = FY_OPT_FLAG, .off = A(opposite),
     .help = "report -a_0 (weak attraction positive)"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = A(check),
     .help = "exit status 1 when the Born series does not converge"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "output file (default standard output)"},
};
#undef A

const fy_opt_cmd_t fy_opt_born_a0 = {
    .name = A0,
    .usage = "--potential FILE [--digits D] [options]",
    .intro =
        "The scattering length a_0 = R - u(R)/u'(R) in ball arithmetic\n"
        "(cos/sin/cosh/sinh transfer matrices, doc/math.md 2.3), printed with D\n"
        "certified significant digits; the number of zero-energy bound states (nodes of\n"
        "u); lambda_1 (the coupling at which lambda U first binds); and whether the Born\n"
        "series converges (radius of convergence in lambda of a_0(lambda U) above 1).  A\n"
        "potential with a bound state gets no Born-series claim.\n"
        "Convention: " FY_BORN_CONVENTION ".",
    .epilog = "Exit status: 0 success, 1 --check and the series does not converge, 2 bad usage\n"
              "or input.\n",
    .opts = a0_opts,
    .nopts = FY_OPT_N(a0_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .format_help = "text or json (doc/schema/born-a0.schema.json)",
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

/* What `born a0` reports. */
typedef struct
{
    const fy_born_potential_struct *pot;
    const char *potfile;
    const fy_born_a0_struct *res;
    const verdict_t *v;
    int sign;
    const char *a0s, *balls, *l1s; /* a_0 certified, its ball, lambda_1 */
    arb_ptr l1;                    /* lambda_1 as a ball */
    long digits;                   /* digits asked for a_0 */
} a0_out_t;

static int a0_write_json(const char *out, const a0_out_t *o, fy_error_t err)
{
    json_t *root = json_object();
    int rc;
    json_object_set_new(root, "command", json_string("born a0"));
    json_object_set_new(root, "convention", json_string(fy_born_convention(o->sign)));
    json_object_set_new(root, "sign", json_string(fy_born_sign_name(o->sign)));
    json_object_set_new(root, "potential", json_potential(o->pot, o->potfile));
    json_object_set_new(root, "a0", json_string(o->a0s));
    json_object_set_new(root, "digits", json_integer(o->res->digits));
    json_object_set_new(root, "ball", fy_json_ball(&o->res->a0, o->digits + 5));
    json_object_set_new(root, "prec_bits", json_integer(o->res->prec));
    json_object_set_new(root, "nodes", json_integer(o->res->nodes));
    json_object_set_new(root, "bound_states", json_integer(o->res->bound_states));
    json_object_set_new(root, "shallow", json_boolean(o->res->shallow));
    json_object_set_new(root, "lambda1", fy_json_ball(o->l1, 10));
    json_object_set_new(root, "radius", fy_json_ball(o->v->radius, 10));
    json_object_set_new(root, "born_series_converges", json_boolean(o->v->converges));
    json_object_set_new(root, "message",
                        o->v->converges ? json_null() : json_string(o->v->message));
    rc = born_write_json(out, root, err);
    json_decref(root);
    return rc;
}

static int a0_write_text(const char *out, const a0_out_t *o, fy_error_t err)
{
    fy_ofile_t of;
    char *r;
    int rc;
    if ((rc = fy_ofile_open(of, out ? out : "-", err)) != FY_OK)
        return rc;
    r = arb_is_finite(o->v->radius) ? fy_arb_get_str_radius(o->v->radius, 10) : strdup("inf");
    fprintf(of->fp, "# feynn born a0: scattering length in ball arithmetic\n");
    fprintf(of->fp, "# convention: %s\n", fy_born_convention(o->sign));
    fprintf(of->fp, "# potential: %s, %ld step(s)%s\n", o->potfile, (long) o->pot->d,
            o->pot->physical ? " (MeV, fm; a_0 in fm)" : "");
    fprintf(of->fp, "a0 = %s\n", o->a0s);
    fprintf(of->fp, "# %ld certified digits; ball %s at %ld bits\n", (long) o->res->digits,
            o->balls, (long) o->res->prec);
    fprintf(of->fp, "bound state(s): %ld (nodes of u on (0, R]: %ld; u'(R) %s 0)\n",
            (long) o->res->bound_states, (long) o->res->nodes,
            arb_is_positive(&o->res->up) ? ">" : "<");
    fprintf(of->fp, "lambda_1 (lambda U first binds): %s\n", o->l1s);
    fprintf(of->fp, "radius of convergence of the Born series in lambda: %s\n", r ? r : "?");
    if (o->v->converges)
        fprintf(of->fp, "Born series: converges to a_0 at lambda = 1\n");
    else
        fprintf(of->fp, "Born series: no claim: %s\n", o->v->message);
    free(r);
    return fy_ofile_commit(of, err);
}

/* The results of `born a0` as strings into o (which points at them); FY_OK or the error. */
static int a0_compute(a0_out_t *o, fy_born_a0_t res, verdict_t *v,
                      const fy_born_potential_t pot, long digits, fy_error_t err)
{
    arb_ptr l1 = o->l1;
    int rc;
    o->digits = digits;
    if ((rc = fy_born_a0(res, pot, digits, err)) == FY_OK &&
        (rc = born_verdict(v, pot, err)) == FY_OK &&
        (rc = fy_born_lambda1(l1, NULL, pot, 1, 1e-9, err)) == FY_OK)
    {
        fy_born_apply_sign(NULL, 0, NULL, 0, &res->a0, o->sign);
        o->a0s = fy_arb_get_str_certified(&res->a0, digits);
        o->balls = fy_arb_get_str_radius(&res->a0, digits + 5);
        o->l1s = arb_is_finite(l1) ? fy_arb_get_str_radius(l1, 10) : strdup("inf");
        if (o->a0s == NULL || o->balls == NULL || o->l1s == NULL)
            rc = fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    return rc;
}

static int born_a0(int argc, char **argv)
{
    fy_opt_state_t st;
    a0_args_t a;
    int fmt, status = 0, rc;
    fmpq_t range, mu;
    fy_born_potential_t pot;
    fy_born_a0_t res;
    verdict_t v;
    a0_out_t a0o;
    arb_t l1;
    fy_error_t err;

    memset(&a, 0, sizeof a);
    a.digits = 16;
    if ((rc = fy_opt_start(st, &a, &fy_opt_born_a0, argc, argv)) >= 0)
        return rc;
    fmt = st->format;
    fy_opt_state_clear(st);
    if (a.potfile == NULL)
        return fy_cli_usage_error(A0, "missing --potential FILE");
    fmpq_init(range);
    fmpq_init(mu);
    fmpq_one(range);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    fy_error_init(err);
    arb_init(v.radius);
    arb_init(l1);
    memset(&a0o, 0, sizeof a0o);
    a0o.l1 = l1;
    a0o.pot = pot;
    a0o.potfile = a.potfile;
    a0o.res = res;
    a0o.v = &v;
    a0o.sign = a.opposite ? FY_BORN_SIGN_OPPOSITE : FY_BORN_SIGN_STANDARD;
    if ((a.range != NULL && born_positive_q(range, A0, a.range, "--range")) ||
        (a.mu != NULL && born_positive_q(mu, A0, a.mu, "--mu")))
        status = 2;
    else if ((rc = born_load_potential(pot, a.potfile, range, a.mu ? mu : NULL, err)) != FY_OK ||
             (rc = a0_compute(&a0o, res, &v, pot, a.digits, err)) != FY_OK ||
             (rc = fmt == FY_FMT_JSON ? a0_write_json(a.out, &a0o, err)
                                      : a0_write_text(a.out, &a0o, err)) != FY_OK)
        status = fy_cli_fail(A0, err);
    else
    {
        verdict_say(a.out, &v);
        status = a.check && !v.converges ? 1 : 0;
    }
    free((char *) a0o.a0s);
    free((char *) a0o.balls);
    free((char *) a0o.l1s);
    arb_clear(l1);
    arb_clear(v.radius);
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
    fmpq_clear(range);
    fmpq_clear(mu);
    return status;
}

/* ------------------------------------------------------------------ born data */

#define DATA "born data"

/* The options of `born data` as the table stores them. */
typedef struct
{
    long n, steps;
    double R, margin;
    unsigned long long seed;
    int format, force;
    const char *out;
} data_args_t;

/* --seed: an unsigned 64-bit integer. */
static int set_seed(void *opts, const char *v, char *msg, size_t size)
{
    data_args_t *a = opts;
    char *end = (char *) v;
    errno = 0;
    if (v[0] != '-' && v[0] != '+' && v[0] != ' ')
        a->seed = strtoull(v, &end, 10);
    if (v[0] == '-' || v[0] == '+' || v[0] == ' ' || errno || end == v || *end)
    {
        snprintf(msg, size, "--seed: expected an integer in 0..%llu, got '%s'",
                 (unsigned long long) UINT64_MAX, v);
        return 2;
    }
    return 0;
}

/* In the order of FY_BORN_DATA_SAFETENSORS, _NPY, _TEXT (fy_born_data_format_name). */
static const char *const data_formats[] = {"safetensors", "npy", "text", NULL};

#define A(f) offsetof(data_args_t, f)
static const fy_opt_t data_opts[] = {
    {.name = "samples", .letter = 'n', .kind = FY_OPT_COUNT, .arg = "N", .off = A(n),
     .hi = 100000000, .def = "1000", .help = "number of samples"},
    {.name = "steps", .kind = FY_OPT_INT, .arg = "D", .off = A(steps), .lo = 1, .hi = 100000,
     .def = "8", .help = "number of equal steps"},
    {.name = "range", .kind = FY_OPT_REAL, .arg = "R", .off = A(R), .rlo = 0,
     .flags = FY_OPT_OPEN_LO | FY_OPT_NO_HI, .def = "1", .help = "range R > 0"},
    {.name = "margin", .kind = FY_OPT_REAL, .arg = "M", .off = A(margin), .rlo = 0,
     .flags = FY_OPT_NO_HI, .def = "0.5", .help = "distance from the first bound state, M >= 0"},
    {.name = "seed", .kind = FY_OPT_CALL, .arg = "S", .call = set_seed, .def = "1",
     .help = "seed of the generator"},
    {.name = "format", .kind = FY_OPT_CHOICE, .arg = "F", .off = A(format),
     .choices = data_formats, .def = "safetensors",
     .help = "safetensors (tensors U (N x D) and a0 (N), F64, with the description in the "
             "metadata), npy (a folder PATH with U.npy, a0.npy and metadata.json) or text "
             "(\"# key: value\" lines, then rows U_1 .. U_D a0, 17 digits); 'feynn born train' "
             "and 'born verify --data' read each, told apart by the path"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "PATH", .off = A(out),
     .help = "output file or folder (required); the npy folder is written as a whole: it then "
             "holds only this run's files and a manifest"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = A(force),
     .help = "with npy: replace a non-empty folder feynn did not write (it is moved aside to "
             "PATH.old.XXXXXX, never deleted)"},
};
#undef A

const fy_opt_cmd_t fy_opt_born_data = {
    .name = DATA,
    .usage = "-o PATH [-n N] [--steps D] [--seed S] [--format F] [options]",
    .intro =
        "A data set of random shallow attractive potentials U_j <= 0 on D equal steps of\n"
        "(0, R] with their scattering lengths a_0 (certified in ball arithmetic, rounded\n"
        "to double), every sample at least a factor 1 + M below its first bound state:\n"
        "U_j = -s w_j, w_j ~ Uniform(0,1], s = v lambda_1(w) / (1 + M), v ~ Uniform(0,1].\n"
        "Reproducible: the same options and seed give the same file.\n"
        "Convention: " FY_BORN_CONVENTION ".",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = data_opts,
    .nopts = FY_OPT_N(data_opts),
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

static int born_data(int argc, char **argv)
{
    fy_opt_state_t st;
    data_args_t a = {.n = 1000, .steps = 8, .R = 1.0, .margin = 0.5, .seed = 1};
    int progress, status = 0, rc;
    fy_born_data_t data;
    fy_error_t err;

    if ((rc = fy_opt_start(st, &a, &fy_opt_born_data, argc, argv)) >= 0)
        return rc;
    progress = fy_opt_progress(st);
    fy_opt_state_clear(st);
    if (a.out == NULL)
        return fy_cli_usage_error(DATA, "missing -o PATH");
    fy_born_data_init(data);
    fy_error_init(err);
    rc = fy_born_data_generate(data, a.n, a.steps, a.R, a.margin, (uint64_t) a.seed, progress,
                               err);
    if (rc == FY_OK)
        rc = a.format == FY_BORN_DATA_NPY
                 ? fy_born_data_write_npy(a.out, data, a.force, err)
                 : fy_born_data_write(a.out, data, a.format, err);
    if (rc != FY_OK)
        status = fy_cli_fail(DATA, err);
    else if (progress != 0) /* --quiet: silent */
        fprintf(stderr, "feynn born data: wrote %ld samples of %ld steps to %s (%s)\n", a.n,
                a.steps, a.out, FY_BORN_CONVENTION);
    fy_born_data_clear(data);
    return status;
}
