/* feynn nnft symmetry|rp|os|ib: checks a user runs on any ensemble (doc/math.md 4.6; the library
 * is src/nnft/rp.c, symmetry.c, os.c, ib.c).
 *
 *   feynn nnft rp SPEC          reflection positivity of G2, certified in ball arithmetic
 *   feynn nnft symmetry SPEC    translations, rotations, SO(d_out), Z2: largest violations
 *   feynn nnft os SPEC          the Osterwalder-Schrader list as one report
 *   feynn nnft ib SPEC          independence breaking: G4_c = I_N + I_IB against N and eps
 *
 * This file only parses options (the tables below, cli/opt.h: --help and the man page's
 * OPTIONS blocks come from them) and prints.  Exit codes: 0 success, 2 bad usage or input. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/nnft.h"
#include "feynn/num.h"
#include "feynn/util.h"
#include "io/json_num.h"

#define MAXL 64
/* significant digits of mid in the JSON balls (fy_json_ball) of these commands */
#define JBALL_DIGITS 10

#define RP "nnft rp"
#define SYM "nnft symmetry"
#define OS "nnft os"
#define IB "nnft ib"

/* What the option tables fill (src/cli/opt.c). */
typedef struct
{
    const char *out, *inputs, *points, *mass, *tmax, *eps;
    long prec, width, seed, npts, dim, trials, mc;
    int kernel, connected;
    int groups[FY_NNFT_NSYM], ngroups;
    long orders[MAXL], widths[MAXL], tuple[MAXL];
    int norders, nwidths, ntuple;
} cargs_t;

/* What the commands read: the table's values, the operand and the common options. */
typedef struct
{
    const char *cmd, *spec, *out, *inputs, *points;
    int fmt, bar;
    slong prec, width, npts, dim;
    uint64_t seed, mc;
    int kernel; /* -1: the spec's kernel */
    const char *tmax, *mass;
    int groups[FY_NNFT_NSYM], ngroups, orders[MAXL], norders, connected;
    slong trials;
    char *eps[MAXL], *eps_buf;
    int neps;
    slong widths[MAXL];
    int nwidths;
    slong tuple[4];
    int have_tuple;
} copts_t;

#define MSG(...) (snprintf(msg, size, __VA_ARGS__), 2)

/* --group: names separated by commas. */
static int opt_group(void *v, const char *s, char *msg, size_t size)
{
    cargs_t *a = v;
    const char *p = s;
    a->ngroups = 0;
    while (1)
    {
        size_t len = strcspn(p, ",");
        char name[32];
        fy_nnft_sym_t g;
        if (len < sizeof name)
        {
            memcpy(name, p, len);
            name[len] = '\0';
        }
        if (len == 0 || len >= sizeof name || fy_nnft_sym_parse(&g, name) != 0 ||
            a->ngroups == FY_NNFT_NSYM)
            return MSG("--group: expected translation, rotation, output or z2 (separated by "
                       "commas), got '%.*s' in '%s'", (int) len, p, s);
        a->groups[a->ngroups++] = g;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* --eps: up to 64 exact numbers separated by commas (each checked here; kept as typed). */
static int opt_eps(void *v, const char *s, char *msg, size_t size)
{
    cargs_t *a = v;
    const char *p = s;
    int n = 0;
    fmpq_t q;
    fmpq_init(q);
    while (1)
    {
        size_t len = strcspn(p, ",");
        char tok[64];
        int bad = len == 0 || len >= sizeof tok || ++n > MAXL;
        if (!bad)
        {
            memcpy(tok, p, len);
            tok[len] = '\0';
            bad = fy_fmpq_parse(q, tok, NULL) != FY_OK;
        }
        if (bad)
        {
            fmpq_clear(q);
            return MSG("--eps: expected up to %d exact numbers in [0, 1] separated by commas "
                       "(0, 1/10, 0.5), got '%s'", MAXL, s);
        }
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    fmpq_clear(q);
    a->eps = s;
    return 0;
}

static const char *const kernel_names[] = {"free", "gauss", "exp", NULL};

#define A(f) offsetof(cargs_t, f)
#define STR_(x) #x
#define STR(x) STR_(x)
/* The options every check takes, after its own. */
#define COMMON_OPTS                                                                           \
    {.name = "width", .kind = FY_OPT_COUNT, .arg = "N", .off = A(width), .hi = 1L << 40,      \
     .help = "override the spec's width"},                                                    \
    {.name = "inputs", .kind = FY_OPT_STRING, .arg = "SET", .off = A(inputs),                 \
     .help = "replace the spec's points by a named set (doc/nnft-spec.md)"},                  \
    {.name = "points", .kind = FY_OPT_PATH, .arg = "FILE", .off = A(points),                  \
     .help = "replace the spec's points by those of FILE"},                                   \
    {.name = "prec", .kind = FY_OPT_INT, .arg = "BITS", .off = A(prec), .lo = 32, .hi = 4096, \
     .def = "128", .help = "working precision of the balls"},                                 \
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0,                 \
     .hi = LONG_MAX, .def = "1", .help = "seed of the random transformations / points"},      \
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),      \
     .help = "write there (atomically) instead of standard output"}
#define OPT_MC(what)                                                                          \
    {.name = "mc", .kind = FY_OPT_INT, .arg = "M", .off = A(mc), .lo = 2, .hi = 1L << 40,     \
     .help = what}

static const fy_opt_t rp_opts[] = {
    {.name = "kernel", .kind = FY_OPT_CHOICE, .arg = "K", .off = A(kernel),
     .choices = kernel_names,
     .help = "a built-in 2-point function instead of a spec: free (the free scalar "
             "propagator, Fourier transform of 1/(p^2 + m^2); d = 1: e^(-m|x|)/(2m)), gauss "
             "(exp(-m^2 |x|^2 / 2)), exp (e^(-m|x|))"},
    {.name = "mass", .kind = FY_OPT_RATIONAL, .arg = "M", .off = A(mass), .def = "1",
     .help = "m of --kernel, a rational number"},
    {.name = "d", .kind = FY_OPT_INT, .arg = "D", .off = A(dim), .lo = 1, .hi = 1000,
     .def = "1", .help = "dimension for --kernel"},
    {.name = "n-points", .kind = FY_OPT_INT, .arg = "K", .off = A(npts), .lo = 1, .hi = 200,
     .def = "6 when the spec has none", .help = "generate K points"},
    {.name = "tmax", .kind = FY_OPT_RATIONAL, .arg = "T", .off = A(tmax), .def = "2",
     .help = "the largest generated time, a positive rational number"},
    COMMON_OPTS,
};

static const fy_opt_t sym_opts[] = {
    {.name = "group", .kind = FY_OPT_CALL, .arg = "LIST", .call = opt_group,
     .def = "all four", .help = "translation,rotation,output,z2"},
    {.name = "n", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(orders), .off2 = A(norders),
     .lo = 1, .hi = 8, .max = MAXL, .def = "2,4",
     .help = "even orders for the groups of the inputs; z2 uses 1,3"},
    {.name = "connected", .kind = FY_OPT_FLAG, .off = A(connected),
     .help = "the connected parts G_c (n = 4, 6) instead of G"},
    {.name = "trials", .kind = FY_OPT_INT, .arg = "T", .off = A(trials), .lo = 1, .hi = 1000,
     .def = "3", .help = "random transformations per group"},
    OPT_MC("Monte Carlo with M networks instead of exact correlators"),
    COMMON_OPTS,
};

static const fy_opt_t os_opts[] = {COMMON_OPTS};

static const fy_opt_t ib_opts[] = {
    {.name = "eps", .kind = FY_OPT_CALL, .arg = "LIST", .call = opt_eps, .def = "0,0.1,0.5",
     .help = "values of eps in [0, 1], rationals"},
    {.name = "widths", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(widths),
     .off2 = A(nwidths), .lo = 1, .hi = 1L << 40, .max = MAXL,
     .def = "the spec's, 10, 100, 1000", .help = "widths N"},
    {.name = "tuple", .kind = FY_OPT_LIST, .arg = "i,j,k,l", .off = A(tuple),
     .off2 = A(ntuple), .lo = 0, .hi = 1L << 30, .max = 4,
     .def = "0,1,2,3, or 0,0,1,1 with fewer than 4 points",
     .help = "the 4 point indices (from 0)"},
    OPT_MC("Monte Carlo with M networks (any activation; width >= 2): the neuron estimators "
           "of mu4, nu, mu2 network by network, standard errors from 20 batches"),
    COMMON_OPTS,
};
#undef A

#define FORMATS ((1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV))

const fy_opt_cmd_t fy_opt_nnft_rp = {
    .name = RP,
    .usage = "SPEC [options]\n--kernel free|gauss|exp [--mass M] [--d D] [options]",
    .intro =
        "Reflection positivity of the 2-point function (doc/math.md 4.6): at points x_i with\n"
        "positive Euclidean time (the first coordinate), the matrix\n"
        "M_ij = G2(theta x_i, x_j), theta(t, x) = (-t, x), must be positive semi-definite.\n"
        "Certified in ball arithmetic: a Cholesky factorisation proves it positive\n"
        "definite; a direction v with v^T M v entirely below 0 proves it not positive.\n"
        "A singular positive matrix (d = 1 with one mass: M_ij = e^(-m(t_i + t_j))/(2m),\n"
        "rank 1) is certified by its spectral (Kallen-Lehmann) measure where one is known\n"
        "in closed form (d = 1: b_dist lorentz, --kernel free|exp): G2(t) = sum_k w_k\n"
        "e^(-E_k |t|) with every w_k > 0 makes v^T M v a sum of squares; otherwise it is\n"
        "reported positive but not certified.  The points are the spec's, or\n"
        "with --n-points (or a spec without points) K points with times tmax k / K and,\n"
        "for d >= 2, random other coordinates in [-tmax, tmax] (steps of tmax / 8).",
    .epilog =
        "JSON (doc/schema/nnft-rp.schema.json): positive (true, false, or null when\n"
        "undecided), certified, definite, rank, lambda_min, lambda_lower, direction, vMv,\n"
        "spectral (1 certified by the spectral measure, -1 a signed measure, 0 none).\n"
        "Exit status: 0 success (whatever the verdict), 2 bad usage or input.\n",
    .opts = rp_opts,
    .nopts = FY_OPT_N(rp_opts),
    .formats = FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json or csv: one row per point, its coordinates and the negative "
                   "direction",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_symmetry = {
    .name = SYM,
    .usage = "SPEC [options]",
    .intro =
        "Symmetries of the ensemble (doc/math.md 4.6), each measured as the largest\n"
        "violation max |G(g x_1, .., g x_n) - G(x_1, .., x_n)| over random\n"
        "transformations g and the sorted n-tuples of the spec's points: translation\n"
        "(x + a, a in (1/8) Z^d), rotation (exact rational rotations of SO(d) by the\n"
        "Cayley map; d = 1: x -> -x), output (SO(d_out): trivial for d_out = 1, said so)\n"
        "and z2 (f -> -f: odd correlators vanish).  Exact correlators give balls:\n"
        "invariant when every difference ball contains 0 and is tiny, broken when one\n"
        "excludes 0; --mc M samples M networks instead (the same network at x and g x)\n"
        "with standard errors.  Beside each measurement: the [MSH] symmetry-via-duality\n"
        "condition (input layer invariant under a parameter map that preserves the\n"
        "parameter law).",
    .epilog =
        "JSON: doc/schema/nnft-symmetry.schema.json.  Exit status: 0 success (whatever the\n"
        "verdicts), 2 bad usage or input (e.g. an activation without exact correlators:\n"
        "use --mc).\n",
    .opts = sym_opts,
    .nopts = FY_OPT_N(sym_opts),
    .formats = FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json or csv: one row per group and order",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_os = {
    .name = OS,
    .usage = "SPEC [options]",
    .intro =
        "The Osterwalder-Schrader list for the ensemble as one report (doc/math.md 4.6),\n"
        "each axiom passed, failed or not decidable, with its numbers, from the exact\n"
        "correlators: E0 growth (local exponent of G2(x,x) and G4(x,x,x,x) as |x| grows),\n"
        "E1 Euclidean covariance (translations and rotations of G2 and G4, as feynn nnft\n"
        "symmetry), E2 reflection positivity of G2 (as feynn nnft rp on 6 generated\n"
        "points), E3 permutation symmetry (G4 at the 24 orders of 4 distinct points,\n"
        "exact), E4 cluster decomposition (G4_c(x1, x2, x3 + R e, x4 + R e) for R up to\n"
        "64, with the limit value).",
    .epilog = "JSON: doc/schema/nnft-os.schema.json.  Exit status: 0 success (whatever the\n"
              "verdicts), 2 bad usage or input.\n",
    .opts = os_opts,
    .nopts = FY_OPT_N(os_opts),
    .formats = FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json or csv: one row per axiom",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_ib = {
    .name = IB,
    .usage = "SPEC [options]",
    .intro =
        "Independence breaking (doc/math.md 4.6): the neurons share part of their input\n"
        "weights, w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0 (each w_i keeps its law, so G2\n"
        "does not change); eps = 0 is the i.i.d. ensemble.  The connected 4-point function\n"
        "splits exactly as G4_c = I_N + I_IB with\n"
        "  I_N  = (mu4 - sum_p nu_p) / N        (finite width; -> 0 as N grows)\n"
        "  I_IB = sum_p (nu_p - mu2 mu2_p)      (independence breaking; 0 at eps = 0,\n"
        "                                         survives N -> infinity)\n"
        "nu_p = E[h_i h_i h_j h_j] (i != j) over the 3 pairings p of the tuple.  The JSON of\n"
        "exact rows also has the other grouping of the same G4_c, I_N_alt = kappa_4 / N =\n"
        "(mu4 - sum_p mu2 mu2_p) / N (the i.i.d. connected function at every eps) and\n"
        "I_IB_alt = (1 - 1/N) I_IB (doc/math.md 4.6, Normalisation).  Exact for\n"
        "cos and gauss (Gaussian integrals), Monte Carlo otherwise (--mc); a table over\n"
        "--eps and --widths.",
    .epilog = "JSON: doc/schema/nnft-ib.schema.json.  Exit status: 0 success, 2 bad usage or\n"
              "input (an activation other than cos and gauss without --mc).\n",
    .opts = ib_opts,
    .nopts = FY_OPT_N(ib_opts),
    .formats = FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json or csv: one row per eps and width",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* Options into o: 0 to go on, -1 after --help, 2 on a usage error.  The spec is required
 * unless spec_optional (rp with --kernel). */
static int parse(copts_t *o, int argc, char **argv, const fy_opt_cmd_t *cmd, int spec_optional)
{
    cargs_t a = {.prec = 128, .seed = 1, .trials = 3, .kernel = -1, .tmax = "2", .mass = "1"};
    fy_opt_state_t st;
    int rc = fy_opt_start(st, &a, cmd, argc, argv), k;
    memset(o, 0, sizeof *o);
    if (rc >= 0)
        return rc == 0 ? -1 : rc;
    o->cmd = cmd->name;
    o->fmt = st->format;
    o->bar = fy_opt_progress(st);
    o->spec = st->noperands ? st->operands[0] : NULL;
    fy_opt_state_clear(st);
    o->out = a.out;
    o->inputs = a.inputs;
    o->points = a.points;
    o->prec = a.prec;
    o->width = a.width;
    o->npts = a.npts;
    o->dim = a.dim;
    o->seed = (uint64_t) a.seed;
    o->mc = (uint64_t) a.mc;
    o->kernel = a.kernel;
    o->tmax = a.tmax;
    o->mass = a.mass;
    o->connected = a.connected;
    o->trials = a.trials;
    o->ngroups = a.ngroups;
    memcpy(o->groups, a.groups, sizeof o->groups);
    o->norders = a.norders;
    for (k = 0; k < a.norders; k++)
        o->orders[k] = (int) a.orders[k];
    o->nwidths = a.nwidths;
    for (k = 0; k < a.nwidths; k++)
        o->widths[k] = a.widths[k];
    if (a.ntuple != 0 && a.ntuple != 4)
        return fy_cli_usage_error(o->cmd, "--tuple takes 4 point indices i,j,k,l (from 0)");
    o->have_tuple = a.ntuple == 4;
    for (k = 0; k < a.ntuple; k++)
        o->tuple[k] = a.tuple[k];
    if (a.eps != NULL)
    {
        char *save = NULL, *t;
        if ((o->eps_buf = strdup(a.eps)) == NULL)
            return fy_cli_usage_error(o->cmd, "out of memory");
        for (t = strtok_r(o->eps_buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            o->eps[o->neps++] = t;
    }
    if (o->spec == NULL && !spec_optional)
        return fy_cli_usage_error(o->cmd, "missing the spec file (doc/nnft-spec.md)");
    return 0;
}
static int load(fy_nnft_spec_t s, const copts_t *o, int need_points, fy_error_t err)
{
    int rc;
    if ((rc = fy_nnft_spec_read(s, o->spec, err)) != FY_OK)
        return rc;
    if (o->width)
        s->width = o->width;
    if (o->inputs && (rc = fy_nnft_spec_set_inputs(s, o->inputs, err)) != FY_OK)
        return rc;
    if (o->points && (rc = fy_nnft_points_read(s, o->points, err)) != FY_OK)
        return rc;
    if ((rc = fy_nnft_spec_check(s, err)) != FY_OK)
        return rc;
    if (need_points && s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "%s: no input points: add 'inputs unit-d1' or "
                            "'point' lines, or give --inputs SET or --points FILE", o->spec);
    return FY_OK;
}

static int emit_json(const copts_t *o, json_t *j, fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, o->out ? o->out : "-", err);
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

static double midd(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

static json_t *jtri(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static json_t *jspec(const fy_nnft_spec_t s)
{
    json_t *o = json_object();
    json_object_set_new(o, "activation", json_string(fy_nnft_act_name(s->act)));
    json_object_set_new(o, "d", json_integer(s->d));
    json_object_set_new(o, "width", json_integer(s->width));
    json_object_set_new(o, "npoints", json_integer(s->npoints));
    return o;
}

static void copts_clear(copts_t *o)
{
    free(o->eps_buf);
    o->eps_buf = NULL;
}

static int finish(const char *cmd, int rc, fy_error_t err)
{
    return rc == FY_OK ? 0 : fy_cli_fail(cmd, err);
}

/* Text and CSV go to an atomic output file too. */
static FILE *open_out(fy_ofile_t of, const copts_t *o, fy_error_t err)
{
    return fy_ofile_open(of, o->out ? o->out : "-", err) == FY_OK ? of->fp : NULL;
}

/* ------------------------------------------------------------------ rp */

static int rp_points(fmpq **pts, slong *n, fy_nnft_spec_t s, const copts_t *o, fy_error_t err)
{
    fmpq_t tmax;
    slong k;
    int rc;
    fmpq_init(tmax);
    rc = fy_fmpq_parse(tmax, o->tmax, err);
    if (rc == FY_OK && fmpq_sgn(tmax) <= 0)
        rc = fy_error_set(err, FY_EINPUT, "--tmax must be positive, not %s", o->tmax);
    if (rc == FY_OK && (o->npts || s->npoints < 1))
    {
        *n = o->npts ? o->npts : 6;
        *pts = _fmpq_vec_init(*n * s->d);
        fy_nnft_rp_points(*pts, *n, s->d, tmax, o->seed);
    }
    else if (rc == FY_OK)
    {
        *n = s->npoints;
        *pts = _fmpq_vec_init(*n * s->d);
        for (k = 0; k < *n * s->d; k++)
            fmpq_set(*pts + k, s->points + k);
    }
    fmpq_clear(tmax);
    return rc;
}

static void rp_text(FILE *fp, const fy_nnft_rp_t r, const char *what)
{
    slong i, k;
    char *s;
    fprintf(fp, "# reflection positivity of G2: %s\n", what);
    fprintf(fp, "# M_ij = G2(theta x_i, x_j) at %ld points (time first):\n", (long) r->n);
    for (i = 0; i < r->n; i++)
    {
        fprintf(fp, "#   x_%ld = (", (long) i + 1);
        for (k = 0; k < r->d; k++)
            fprintf(fp, "%s%.10g", k ? ", " : "", fy_fmpq_get_d(r->points + i * r->d + k));
        fprintf(fp, ")\n");
    }
    fprintf(fp, "verdict: %s\n", fy_nnft_rp_verdict(r));
    fprintf(fp, "positive: %s, certified: %s", r->positive < 0 ? "undecided"
                                                  : (r->positive ? "yes" : "no"),
            r->certified ? "yes" : "no");
    if (r->positive == 1)
        fprintf(fp, ", rank (pivots proved positive): %ld of %ld", (long) r->rank, (long) r->n);
    fprintf(fp, "\n");
    fprintf(fp, "smallest eigenvalue of D^-1 M D^-1 (floating estimate): %.6g\n", r->lambda_min);
    if (r->definite)
    {
        s = fy_arb_get_str_radius(r->lambda_lower, 6);
        fprintf(fp, "certified lower bound on it: %s\n", s ? s : "?");
        free(s);
    }
    if (r->spectral == 1)
        fprintf(fp, "spectral certificate: G2(t) = sum_k w_k e^(-E_k |t|) with every w_k > 0 "
                    "proved,\n  so v^T M v = sum_k w_k (sum_i v_i e^(-E_k t_i))^2 >= 0 for "
                    "every v (doc/math.md 4.6)\n");
    else if (r->spectral == -1)
        fprintf(fp, "spectral measure: signed (a dipole |t| e^(-E|t|)), not reflection "
                    "positive\n");
    if (r->direction)
    {
        fprintf(fp, "negative direction v:");
        for (i = 0; i < r->n; i++)
            fprintf(fp, " %.6g", r->direction[i]);
        s = fy_arb_get_str_radius(r->vMv, 8);
        fprintf(fp, "\nv^T M v = %s (a ball entirely below 0)\n", s ? s : "?");
        free(s);
    }
    if (r->asym > 0)
        fprintf(fp, "# M is not symmetric (largest |M_ij - M_ji| = %.3g): its symmetric part "
                    "was checked\n", r->asym);
}

static json_t *rp_json(const fy_nnft_rp_t r)
{
    json_t *o = json_object(), *pts = json_array(), *dir;
    slong i, k;
    for (i = 0; i < r->n; i++)
    {
        json_t *p = json_array();
        for (k = 0; k < r->d; k++)
            json_array_append_new(p, fy_json_number(fy_fmpq_get_d(r->points + i * r->d + k)));
        json_array_append_new(pts, p);
    }
    json_object_set_new(o, "positive", jtri(r->positive));
    json_object_set_new(o, "certified", json_boolean(r->certified));
    json_object_set_new(o, "definite", json_boolean(r->definite));
    json_object_set_new(o, "verdict", json_string(fy_nnft_rp_verdict(r)));
    json_object_set_new(o, "rank", json_integer(r->rank));
    json_object_set_new(o, "lambda_min", fy_json_number(r->lambda_min));
    json_object_set_new(o, "lambda_lower",
                        r->definite ? fy_json_ball(r->lambda_lower, JBALL_DIGITS) : json_null());
    if (r->direction)
    {
        dir = json_array();
        for (i = 0; i < r->n; i++)
            json_array_append_new(dir, fy_json_number(r->direction[i]));
        json_object_set_new(o, "direction", dir);
        json_object_set_new(o, "vMv", fy_json_ball(r->vMv, JBALL_DIGITS));
    }
    else
    {
        json_object_set_new(o, "direction", json_null());
        json_object_set_new(o, "vMv", json_null());
    }
    json_object_set_new(o, "asymmetry", fy_json_number(r->asym));
    json_object_set_new(o, "spectral", json_integer(r->spectral));
    json_object_set_new(o, "points", pts);
    return o;
}

/* The 2-point function to check: a built-in kernel (into g, s->d) or the spec's (into s);
 * what describes it for the report. */
static int rp_source(fy_nnft_spec_t s, fy_nnft_g2_model_t g, char *what, size_t n,
                     const copts_t *o, fy_error_t err)
{
    int rc = FY_OK;
    if (o->kernel < 0)
    {
        rc = load(s, o, 0, err);
        snprintf(what, n, "the kernel of %s (%s, d = %ld, N = %ld)", o->spec,
                 fy_nnft_act_name(s->act), (long) s->d, (long) s->width);
        return rc;
    }
    g->kind = (fy_nnft_g2_kind_t) o->kernel;
    s->d = o->dim ? o->dim : 1;
    rc = fy_fmpq_parse(g->m, o->mass, err);
    if (rc == FY_OK && o->points)
        rc = fy_nnft_points_read(s, o->points, err);
    snprintf(what, n, "built-in kernel %s, m = %s, d = %ld",
             o->kernel == FY_NNFT_G2_FREE ? "free"
                                          : (o->kernel == FY_NNFT_G2_GAUSS ? "gauss" : "exp"),
             o->mass, (long) s->d);
    return rc;
}

static void rp_csv(FILE *fp, const fy_nnft_rp_t r)
{
    slong i, k;
    fprintf(fp, "i");
    for (k = 0; k < r->d; k++)
        fprintf(fp, ",x%ld", (long) k);
    fprintf(fp, ",direction\n");
    for (i = 0; i < r->n; i++)
    {
        fprintf(fp, "%ld", (long) i);
        for (k = 0; k < r->d; k++)
            fprintf(fp, ",%.17g", fy_fmpq_get_d(r->points + i * r->d + k));
        if (r->direction)
            fprintf(fp, ",%.17g\n", r->direction[i]);
        else
            fprintf(fp, ",\n");
    }
}

static int rp_print(const fy_nnft_rp_t r, const fy_nnft_spec_t s, const char *what,
                    const copts_t *o, fy_error_t err)
{
    fy_ofile_t of;
    FILE *fp;
    int rc;
    if (o->fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *body;
        json_object_set_new(j, "command", json_string("nnft rp"));
        json_object_set_new(j, "source", json_string(what));
        json_object_set_new(j, "spec", o->kernel >= 0 ? json_null() : jspec(s));
        body = rp_json(r);
        json_object_update(j, body);
        json_decref(body);
        rc = emit_json(o, j, err);
        json_decref(j);
        return rc;
    }
    if ((fp = open_out(of, o, err)) == NULL)
        return err->code;
    if (o->fmt == FY_FMT_CSV)
        rp_csv(fp, r);
    else
        rp_text(fp, r, what);
    return fy_ofile_commit(of, err);
}

int fy_nnft_rp_cmd(int argc, char **argv)
{
    copts_t o;
    char what[256];
    fy_nnft_spec_t s;
    fy_nnft_rp_t r;
    fy_nnft_g2_model_t g;
    fy_error_t err;
    fy_progress_t bar;
    fmpq *pts = NULL;
    slong n = 0;
    int status = parse(&o, argc, argv, &fy_opt_nnft_rp, 1), rc;
    if (status == 0 && (o.spec == NULL) == (o.kernel < 0))
        status = fy_cli_usage_error(RP, "give a spec file or --kernel (one of them)");
    if (status)
    {
        copts_clear(&o);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_rp_init(r);
    fy_nnft_g2_model_init(g);
    rc = rp_source(s, g, what, sizeof what, &o, err);
    if (rc == FY_OK)
        rc = rp_points(&pts, &n, s, &o, err);
    fy_progress_init(bar, RP, 1, o.bar); /* the library sets the total */
    r->progress = bar;
    if (rc == FY_OK)
        rc = o.kernel >= 0 ? fy_nnft_rp_model(r, g, s->d, pts, n, o.prec, err)
                           : fy_nnft_rp_spec(r, s, pts, n, o.prec, err);
    fy_progress_clear(bar);
    if (rc == FY_OK)
        rc = rp_print(r, s, what, &o, err);
    if (pts)
        _fmpq_vec_clear(pts, n * s->d);
    fy_nnft_g2_model_clear(g);
    fy_nnft_rp_clear(r);
    fy_nnft_spec_clear(s);
    copts_clear(&o);
    return finish(RP, rc, err);
}

/* ------------------------------------------------------------------ symmetry */

static const char *sym_verdict(const fy_nnft_sym_res_t r)
{
    if (r->sym == FY_NNFT_SYM_OUTPUT)
        return "trivial";
    if (r->mc)
        return r->verdict == 1 ? "consistent" : (r->verdict == 0 ? "broken" : "undecided");
    return r->verdict == 1 ? "invariant" : (r->verdict == 0 ? "broken" : "undecided");
}

static json_t *sym_json(const fy_nnft_sym_res_t r)
{
    json_t *o = json_object();
    json_object_set_new(o, "group", json_string(fy_nnft_sym_name(r->sym)));
    json_object_set_new(o, "n", json_integer(r->n));
    json_object_set_new(o, "connected", json_boolean(r->connected));
    json_object_set_new(o, "method", json_string(r->mc ? "monte-carlo" : "exact"));
    json_object_set_new(o, "verdict", json_string(sym_verdict(r)));
    json_object_set_new(o, "invariant", jtri(r->verdict));
    json_object_set_new(o, "violation",
                        r->mc ? json_null() : fy_json_ball(r->violation, JBALL_DIGITS));
    json_object_set_new(o, "violation_mid", fy_json_number(r->violation_d));
    json_object_set_new(o, "scale", fy_json_number(r->scale));
    json_object_set_new(o, "tuples", json_integer(r->tuples));
    json_object_set_new(o, "trials", json_integer(r->trials));
    json_object_set_new(o, "networks", json_integer((json_int_t) r->networks));
    json_object_set_new(o, "zmax", r->mc ? fy_json_number(r->zmax) : json_null());
    json_object_set_new(o, "se", r->mc ? fy_json_number(r->se) : json_null());
    json_object_set_new(o, "duality", json_string(r->duality));
    json_object_set_new(o, "note", json_string(r->note));
    return o;
}

static void sym_text_row(FILE *fp, const fy_nnft_sym_res_t r, int csv)
{
    if (csv)
    {
        fprintf(fp, "%s,%d,%d,%s,%s,%.17g,%.17g,%ld,%ld,", fy_nnft_sym_name(r->sym), r->n,
                r->connected, r->mc ? "monte-carlo" : "exact", sym_verdict(r), r->violation_d,
                r->scale, (long) r->tuples, (long) r->trials);
        if (r->mc)
            fprintf(fp, "%.6g,%.6g\n", r->zmax, r->se);
        else
            fprintf(fp, ",\n");
        return;
    }
    if (r->sym == FY_NNFT_SYM_OUTPUT)
        fprintf(fp, "%-12s  -   trivial      %s\n", "output", r->note);
    else if (r->mc)
    {
        fprintf(fp, "%-12s G%d%s  %-11s  max |mean diff| %.4g, largest z %.2f (se %.3g), "
                    "scale %.4g\n", fy_nnft_sym_name(r->sym), r->n, r->connected ? "c" : "",
                sym_verdict(r), r->violation_d, r->zmax, r->se, r->scale);
        if (r->verdict < 0)
            fprintf(fp, "    note: %s\n", r->note);
    }
    else
    {
        char *v = fy_arb_get_str_radius(r->violation, 4);
        fprintf(fp, "%-12s G%d%s  %-11s  max |G(gx) - G(x)| = %s (scale %.4g; %ld tuples x %ld"
                    ")\n", fy_nnft_sym_name(r->sym), r->n, r->connected ? "c" : "",
                sym_verdict(r), v ? v : "?", r->scale, (long) r->tuples, (long) r->trials);
        free(v);
    }
    fprintf(fp, "    duality: %s\n", r->duality);
}

/* The default groups (all four) and orders (2, 4); 2 when an order is odd. */
static int sym_defaults(copts_t *o)
{
    int k;
    if (o->ngroups == 0)
        for (o->ngroups = 0; o->ngroups < FY_NNFT_NSYM; o->ngroups++)
            o->groups[o->ngroups] = o->ngroups;
    if (o->norders == 0)
    {
        o->orders[0] = 2;
        o->orders[1] = 4;
        o->norders = 2;
    }
    for (k = 0; k < o->norders; k++)
        if (o->orders[k] & 1)
            return fy_cli_usage_error(SYM, "--n takes even orders (z2 uses 1 and 3 itself)");
    return 0;
}

/* The orders measured for group g: the even ones given, 1 and 3 for z2, 2 for output. */
static int sym_norders(const copts_t *o, fy_nnft_sym_t g)
{
    return g == FY_NNFT_SYM_OUTPUT ? 1 : (g == FY_NNFT_SYM_Z2 ? 2 : o->norders);
}

static int sym_order(const copts_t *o, fy_nnft_sym_t g, int k)
{
    return g == FY_NNFT_SYM_Z2 ? 2 * k + 1 : (g == FY_NNFT_SYM_OUTPUT ? 2 : o->orders[k]);
}

/* Every measurement, each as a row of fp (text, CSV) or an element of arr (JSON); the bar
 * advances by one measurement. */
static int sym_rows(FILE *fp, json_t *arr, const copts_t *o, const fy_nnft_spec_t s,
                    fy_error_t err)
{
    fy_nnft_sym_res_t r;
    fy_progress_t pr;
    int a, k, rc = FY_OK, total = 0, done = 0;
    for (a = 0; a < o->ngroups; a++)
        total += sym_norders(o, (fy_nnft_sym_t) o->groups[a]);
    fy_nnft_sym_init(r);
    fy_progress_init(pr, "symmetry", total, o->bar);
    for (a = 0; a < o->ngroups && rc == FY_OK; a++)
    {
        fy_nnft_sym_t g = (fy_nnft_sym_t) o->groups[a];
        for (k = 0; k < sym_norders(o, g) && rc == FY_OK; k++)
        {
            int n = sym_order(o, g, k);
            rc = o->mc ? fy_nnft_symmetry_mc(r, s, g, n, o->trials, o->mc, o->seed, err)
                       : fy_nnft_symmetry(r, s, g, n, o->connected && n >= 4, o->trials,
                                          o->seed, o->prec, err);
            r->connected = !o->mc && o->connected && n >= 4;
            if (rc == FY_OK) /* the library's note, with the command's flags (issue 9) */
            {
                char note[sizeof r->note];
                fy_cli_flags(note, sizeof note, r->note);
                memcpy(r->note, note, sizeof note);
            }
            if (rc == FY_OK && fp)
                sym_text_row(fp, r, o->fmt == FY_FMT_CSV);
            else if (rc == FY_OK)
                json_array_append_new(arr, sym_json(r));
            fy_progress_update(pr, ++done);
        }
    }
    fy_progress_clear(pr);
    fy_nnft_sym_clear(r);
    return rc;
}

static int sym_run(const copts_t *o, fy_error_t err)
{
    fy_nnft_spec_t s;
    fy_ofile_t of;
    json_t *arr = json_array();
    FILE *fp = NULL;
    int rc;
    fy_nnft_spec_init(s);
    rc = load(s, o, 1, err);
    if (rc == FY_OK && o->fmt != FY_FMT_JSON && (fp = open_out(of, o, err)) == NULL)
        rc = err->code;
    if (rc == FY_OK && fp && o->fmt == FY_FMT_CSV)
        fprintf(fp, "group,n,connected,method,verdict,violation,scale,tuples,trials,zmax,se\n");
    else if (rc == FY_OK && fp)
        fprintf(fp, "# symmetries of %s: %s, d = %ld, N = %ld, %ld points, %s\n", o->spec,
                fy_nnft_act_name(s->act), (long) s->d, (long) s->width, (long) s->npoints,
                o->mc ? "Monte Carlo" : "exact correlators (balls)");
    if (rc == FY_OK)
        rc = sym_rows(fp, arr, o, s, err);
    if (fp && rc == FY_OK)
        rc = fy_ofile_commit(of, err);
    else if (fp)
        fy_ofile_abort(of);
    if (rc == FY_OK && o->fmt == FY_FMT_JSON)
    {
        json_t *j = json_object();
        json_object_set_new(j, "command", json_string("nnft symmetry"));
        json_object_set_new(j, "spec", jspec(s));
        json_object_set_new(j, "method", json_string(o->mc ? "monte-carlo" : "exact"));
        json_object_set_new(j, "results", json_incref(arr));
        rc = emit_json(o, j, err);
        json_decref(j);
    }
    json_decref(arr);
    fy_nnft_spec_clear(s);
    return rc;
}

int fy_nnft_symmetry_cmd(int argc, char **argv)
{
    copts_t o;
    fy_error_t err;
    int status = parse(&o, argc, argv, &fy_opt_nnft_symmetry, 0), rc;
    if (status == 0)
        status = sym_defaults(&o);
    if (status)
    {
        copts_clear(&o);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    rc = sym_run(&o, err);
    copts_clear(&o);
    return finish(SYM, rc, err);
}

/* ------------------------------------------------------------------ os */

static const char *const os_names[5] = {"E0 growth", "E1 Euclidean covariance",
                                        "E2 reflection positivity", "E3 permutation symmetry",
                                        "E4 cluster decomposition"};

static json_t *os_json(const fy_nnft_os_t r, const fy_nnft_spec_t s)
{
    json_t *j = json_object(), *ax = json_array(), *cl = json_object(), *R = json_array(),
           *G = json_array();
    int k;
    for (k = 0; k < 5; k++)
    {
        json_t *a = json_object();
        json_object_set_new(a, "name", json_string(os_names[k]));
        json_object_set_new(a, "verdict", json_string(fy_nnft_verdict_name(r->verdict[k])));
        json_object_set_new(a, "passed", jtri(r->verdict[k]));
        json_object_set_new(a, "detail", json_string(r->detail[k]));
        json_array_append_new(ax, a);
    }
    for (k = 0; k < r->ncluster; k++)
    {
        json_array_append_new(R, fy_json_number(r->cluster_R[k]));
        json_array_append_new(G, fy_json_number(r->cluster_G[k]));
    }
    json_object_set_new(cl, "R", R);
    json_object_set_new(cl, "G4c", G);
    json_object_set_new(cl, "limit", r->ncluster ? fy_json_number(r->cluster_limit)
                                                 : json_null());
    json_object_set_new(j, "command", json_string("nnft os"));
    json_object_set_new(j, "spec", jspec(s));
    json_object_set_new(j, "axioms", ax);
    json_object_set_new(j, "growth_exponents",
                        json_pack("[oo]", fy_json_number(r->growth[0]),
                                  fy_json_number(r->growth[1])));
    json_object_set_new(j, "cluster", cl);
    json_object_set_new(j, "permutation_violation", fy_json_number(r->perm_violation));
    json_object_set_new(j, "rp", rp_json(r->rp));
    return j;
}

static int os_print(const fy_nnft_os_t r, const fy_nnft_spec_t s, const copts_t *o,
                    fy_error_t err)
{
    fy_ofile_t of;
    FILE *fp;
    int k, rc;
    if (o->fmt == FY_FMT_JSON)
    {
        json_t *j = os_json(r, s);
        rc = emit_json(o, j, err);
        json_decref(j);
        return rc;
    }
    if ((fp = open_out(of, o, err)) == NULL)
        return err->code;
    if (o->fmt == FY_FMT_CSV)
        fprintf(fp, "axiom,verdict,detail\n");
    else
        fprintf(fp, "# Osterwalder-Schrader report for %s: %s, d = %ld, N = %ld\n", o->spec,
                fy_nnft_act_name(s->act), (long) s->d, (long) s->width);
    for (k = 0; k < 5; k++)
        if (o->fmt == FY_FMT_CSV)
            fprintf(fp, "%s,%s,\"%s\"\n", os_names[k], fy_nnft_verdict_name(r->verdict[k]),
                    r->detail[k]);
        else
            fprintf(fp, "%-26s %-14s %s\n", os_names[k], fy_nnft_verdict_name(r->verdict[k]),
                    r->detail[k]);
    return fy_ofile_commit(of, err);
}

int fy_nnft_os_cmd(int argc, char **argv)
{
    copts_t o;
    fy_nnft_spec_t s;
    fy_nnft_os_t r;
    fy_error_t err;
    fy_progress_t bar;
    int status = parse(&o, argc, argv, &fy_opt_nnft_os, 0), rc;
    if (status)
    {
        copts_clear(&o);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_os_init(r);
    rc = load(s, &o, 0, err);
    fy_progress_init(bar, OS, 5, o.bar);
    r->progress = bar;
    if (rc == FY_OK)
        rc = fy_nnft_os_report(r, s, o.seed, o.prec, err);
    fy_progress_clear(bar);
    if (rc == FY_OK)
        rc = os_print(r, s, &o, err);
    fy_nnft_os_clear(r);
    fy_nnft_spec_clear(s);
    copts_clear(&o);
    return finish(OS, rc, err);
}

/* ------------------------------------------------------------------ ib */

static int ib_mc_row(FILE *fp, json_t *rows, const copts_t *o, const fy_nnft_spec_t s,
                     const fmpq_t eps, const char *eps_s, fy_error_t err)
{
    fy_nnft_ib_mc_t r;
    int rc;
    fy_nnft_ib_mc_init(r);
    if ((rc = fy_nnft_ib_mc(r, s, o->tuple, eps, o->mc, o->seed, err)) != FY_OK)
        return rc;
    if (fp && o->fmt == FY_FMT_CSV)
        fprintf(fp, "%s,%ld,,,,%.17g,%.17g,%.17g,%.6g,%.6g,%.6g\n", eps_s, (long) s->width,
                r->I_N, r->I_IB, r->G4c, r->I_N_se, r->I_IB_se, r->G4c_se);
    else if (fp)
        fprintf(fp, "%-8s %-8ld %11.4e +- %-8.2g %11.4e +- %-8.2g %11.4e +- %.2g\n", eps_s,
                (long) s->width, r->I_N, r->I_N_se, r->I_IB, r->I_IB_se, r->G4c, r->G4c_se);
    else
    {
        json_t *j = json_object();
        json_object_set_new(j, "eps", json_string(eps_s));
        json_object_set_new(j, "width", json_integer(s->width));
        json_object_set_new(j, "networks", json_integer((json_int_t) r->networks));
        json_object_set_new(j, "I_N_mid", fy_json_number(r->I_N));
        json_object_set_new(j, "I_IB_mid", fy_json_number(r->I_IB));
        json_object_set_new(j, "G4c_mid", fy_json_number(r->G4c));
        json_object_set_new(j, "I_N_se", fy_json_number(r->I_N_se));
        json_object_set_new(j, "I_IB_se", fy_json_number(r->I_IB_se));
        json_object_set_new(j, "G4c_se", fy_json_number(r->G4c_se));
        json_array_append_new(rows, j);
    }
    return FY_OK;
}

/* The defaults that depend on the spec (widths, tuple); the tuple's points must exist. */
static int ib_defaults(copts_t *o, const fy_nnft_spec_t s, fy_error_t err)
{
    static char def_eps[3][8] = {"0", "0.1", "0.5"};
    int k;
    if (o->neps == 0)
        for (o->neps = 0; o->neps < 3; o->neps++)
            o->eps[o->neps] = def_eps[o->neps];
    if (o->nwidths == 0)
    {
        o->widths[0] = s->width;
        o->widths[1] = 10;
        o->widths[2] = 100;
        o->widths[3] = 1000;
        o->nwidths = 4;
    }
    if (!o->have_tuple)
        for (k = 0; k < 4; k++)
            o->tuple[k] = s->npoints >= 4 ? k : k / 2;
    for (k = 0; k < 4; k++)
        if (o->tuple[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "--tuple: point %ld does not exist (%ld points)",
                                (long) o->tuple[k], (long) s->npoints);
    return FY_OK;
}

static void ib_header(FILE *fp, const copts_t *o, const fy_nnft_spec_t s)
{
    if (o->fmt == FY_FMT_CSV)
    {
        fprintf(fp, "eps,N,mu4,nu,mu2mu2,I_N,I_IB,G4c%s\n",
                o->mc ? ",I_N_se,I_IB_se,G4c_se" : "");
        return;
    }
    fprintf(fp, "# independence breaking, %s: %s, d = %ld, tuple (%ld, %ld, %ld, %ld)\n"
                "# G4_c = I_N + I_IB; w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0\n"
                "%-8s %-8s %-16s %-16s %-16s%s\n", o->spec, fy_nnft_act_name(s->act),
            (long) s->d, (long) o->tuple[0], (long) o->tuple[1], (long) o->tuple[2],
            (long) o->tuple[3], "eps", "N", o->mc ? "I_N         " : "I_N",
            o->mc ? "       I_IB      " : "I_IB", o->mc ? "         G4_c" : "G4_c",
            o->mc ? "   (Monte Carlo +- standard error)" : "");
}

/* One exact row (eps_s, the spec's width): a line of fp, or an element of rows. */
static int ib_exact_row(FILE *fp, json_t *rows, const copts_t *o, const fy_nnft_spec_t s,
                        const fmpq_t eps, const char *eps_s, fy_error_t err)
{
    fy_nnft_ib_t b;
    int rc;
    fy_nnft_ib_init(b);
    rc = fy_nnft_ib(b, s, o->tuple, eps, o->prec, err);
    if (rc == FY_OK && fp && o->fmt == FY_FMT_CSV)
        fprintf(fp, "%s,%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", eps_s, (long) s->width,
                midd(b->mu4), midd(b->nu), midd(b->mu2mu2), midd(b->I_N), midd(b->I_IB),
                midd(b->G4c));
    else if (rc == FY_OK && fp)
    {
        char *a1 = fy_arb_get_str_certified(b->I_N, 10);
        char *a2 = fy_arb_get_str_certified(b->I_IB, 10);
        char *a3 = fy_arb_get_str_certified(b->G4c, 10);
        fprintf(fp, "%-8s %-8ld %-16s %-16s %-16s\n", eps_s, (long) s->width, a1 ? a1 : "?",
                a2 ? a2 : "?", a3 ? a3 : "?");
        free(a1);
        free(a2);
        free(a3);
    }
    else if (rc == FY_OK)
    {
        json_t *r = json_object();
        json_object_set_new(r, "eps", json_string(eps_s));
        json_object_set_new(r, "width", json_integer(s->width));
        json_object_set_new(r, "mu4", fy_json_ball(b->mu4, JBALL_DIGITS));
        json_object_set_new(r, "nu", fy_json_ball(b->nu, JBALL_DIGITS));
        json_object_set_new(r, "mu2mu2", fy_json_ball(b->mu2mu2, JBALL_DIGITS));
        json_object_set_new(r, "I_N", fy_json_ball(b->I_N, JBALL_DIGITS));
        json_object_set_new(r, "I_IB", fy_json_ball(b->I_IB, JBALL_DIGITS));
        json_object_set_new(r, "G4c", fy_json_ball(b->G4c, JBALL_DIGITS));
        json_object_set_new(r, "I_N_mid", fy_json_number(midd(b->I_N)));
        json_object_set_new(r, "I_IB_mid", fy_json_number(midd(b->I_IB)));
        json_object_set_new(r, "G4c_mid", fy_json_number(midd(b->G4c)));
        json_object_set_new(r, "I_N_alt", fy_json_ball(b->I_N_alt, JBALL_DIGITS));
        json_object_set_new(r, "I_IB_alt", fy_json_ball(b->I_IB_alt, JBALL_DIGITS));
        json_array_append_new(rows, r);
    }
    fy_nnft_ib_clear(b);
    return rc;
}

/* The table over eps x widths (s->width restored); the bar advances by one row. */
static int ib_rows(FILE *fp, json_t *rows, const copts_t *o, fy_nnft_spec_t s, fy_error_t err)
{
    fy_progress_t pr;
    fmpq_t eps;
    slong w0 = s->width;
    int e, k, rc = FY_OK;
    fmpq_init(eps);
    fy_progress_init(pr, "ib", (double) o->neps * o->nwidths, o->bar);
    for (e = 0; e < o->neps && rc == FY_OK; e++)
    {
        if ((rc = fy_fmpq_parse(eps, o->eps[e], err)) != FY_OK)
            break;
        for (k = 0; k < o->nwidths && rc == FY_OK; k++)
        {
            s->width = o->widths[k];
            rc = o->mc ? ib_mc_row(fp, rows, o, s, eps, o->eps[e], err)
                       : ib_exact_row(fp, rows, o, s, eps, o->eps[e], err);
            fy_progress_update(pr, (double) e * o->nwidths + k + 1);
        }
    }
    fy_progress_clear(pr);
    s->width = w0;
    fmpq_clear(eps);
    return rc;
}

static int ib_run(copts_t *o, fy_error_t err)
{
    fy_nnft_spec_t s;
    fy_ofile_t of;
    FILE *fp = NULL;
    json_t *rows = json_array();
    int rc, k;
    fy_nnft_spec_init(s);
    rc = load(s, o, 1, err);
    if (rc == FY_OK)
        rc = ib_defaults(o, s, err);
    if (rc == FY_OK && o->fmt != FY_FMT_JSON && (fp = open_out(of, o, err)) == NULL)
        rc = err->code;
    if (rc == FY_OK && fp)
        ib_header(fp, o, s);
    if (rc == FY_OK)
        rc = ib_rows(fp, rows, o, s, err);
    if (fp && rc == FY_OK)
        rc = fy_ofile_commit(of, err);
    else if (fp)
        fy_ofile_abort(of);
    if (rc == FY_OK && o->fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *t = json_array();
        for (k = 0; k < 4; k++)
            json_array_append_new(t, json_integer(o->tuple[k]));
        json_object_set_new(j, "command", json_string("nnft ib"));
        json_object_set_new(j, "spec", jspec(s));
        json_object_set_new(j, "family", json_string("w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0"));
        json_object_set_new(j, "method", json_string(o->mc ? "monte-carlo" : "exact"));
        json_object_set_new(j, "tuple", t);
        json_object_set_new(j, "rows", json_incref(rows));
        rc = emit_json(o, j, err);
        json_decref(j);
    }
    json_decref(rows);
    fy_nnft_spec_clear(s);
    return rc;
}

int fy_nnft_ib_cmd(int argc, char **argv)
{
    copts_t o;
    fy_error_t err;
    int status = parse(&o, argc, argv, &fy_opt_nnft_ib, 0), rc;
    if (status)
    {
        copts_clear(&o);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    rc = ib_run(&o, err);
    copts_clear(&o);
    return finish(IB, rc, err);
}
