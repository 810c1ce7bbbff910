/* feynn nnft symmetry|rp|os|ib: checks a user runs on any ensemble (doc/math.md 4.6; the library
 * is src/nnft/rp.c, symmetry.c, os.c, ib.c).
 *
 *   feynn nnft rp SPEC          reflection positivity of G2, certified in ball arithmetic
 *   feynn nnft symmetry SPEC    translations, rotations, SO(d_out), Z2: largest violations
 *   feynn nnft os SPEC          the Osterwalder-Schrader list as one report
 *   feynn nnft ib SPEC          independence breaking: G4_c = I_N + I_IB against N and eps
 *
 * This file only parses options and prints.  Exit codes: 0 success, 2 bad usage or input. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "feynn/nnft.h"
#include "feynn/num.h"
#include "feynn/util.h"
#include "io/json_num.h"

#define MAXL 64

enum
{
    O_FORMAT = 256,
    O_PREC,
    O_WIDTH,
    O_INPUTS,
    O_POINTS,
    O_SEED,
    O_NPTS,
    O_TMAX,
    O_KERNEL,
    O_MASS,
    O_DIM,
    O_GROUP,
    O_ORDERS,
    O_TRIALS,
    O_CONNECTED,
    O_MC,
    O_EPS,
    O_WIDTHS,
    O_TUPLE
};

typedef struct
{
    const char *cmd, *spec, *out, *inputs, *points;
    int fmt;
    slong prec, width, npts, dim;
    uint64_t seed, mc;
    int kernel; /* -1: the spec's kernel */
    char tmax[64], mass[64];
    int groups[FY_NNFT_NSYM], ngroups, orders[MAXL], norders, connected;
    slong trials;
    char *eps[MAXL];
    int neps;
    slong widths[MAXL];
    int nwidths;
    slong tuple[4];
    int have_tuple;
} copts_t;

static int list_split(char *s, char **items, int max)
{
    int n = 0;
    char *save = NULL, *t;
    for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
    {
        if (n == max)
            return -1;
        items[n++] = t;
    }
    return n;
}

static int parse_long(slong *v, const char *cmd, const char *s, const char *name, slong lo,
                      slong hi)
{
    char *end;
    long long x = strtoll(s, &end, 10);
    if (*s == 0 || *end != 0 || x < lo || x > hi)
        return fy_cli_usage_error(cmd, "%s needs an integer in %ld..%ld, not '%s'", name,
                                  (long) lo, (long) hi, s);
    *v = (slong) x;
    return 0;
}

static int parse_opt(copts_t *o, int c, char *arg, char **bufs)
{
    const char *cmd = o->cmd;
    char *items[MAXL], **argbuf;
    slong v;
    int n, k;
    switch (c)
    {
    case 'o':
        o->out = arg;
        return 0;
    case O_FORMAT:
        return (o->fmt = fy_cli_parse_format(cmd, arg, (1u << FY_FMT_TEXT) |
                                             (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV))) < 0;
    case O_PREC:
        return parse_long(&o->prec, cmd, arg, "--prec", 32, 4096) ? 2 : 0;
    case O_WIDTH:
        return parse_long(&o->width, cmd, arg, "--width", 1, 1L << 40) ? 2 : 0;
    case O_INPUTS:
        o->inputs = arg;
        return 0;
    case O_POINTS:
        o->points = arg;
        return 0;
    case O_SEED:
        if (parse_long(&v, cmd, arg, "--seed", 0, 1L << 62))
            return 2;
        o->seed = (uint64_t) v;
        return 0;
    case O_NPTS:
        return parse_long(&o->npts, cmd, arg, "--n-points", 1, 200) ? 2 : 0;
    case O_DIM:
        return parse_long(&o->dim, cmd, arg, "--d", 1, 1000) ? 2 : 0;
    case O_TRIALS:
        return parse_long(&o->trials, cmd, arg, "--trials", 1, 1000) ? 2 : 0;
    case O_MC:
        if (parse_long(&v, cmd, arg, "--mc", 2, 1L << 40))
            return 2;
        o->mc = (uint64_t) v;
        return 0;
    case O_TMAX:
        snprintf(o->tmax, sizeof o->tmax, "%s", arg);
        return 0;
    case O_MASS:
        snprintf(o->mass, sizeof o->mass, "%s", arg);
        return 0;
    case O_CONNECTED:
        o->connected = 1;
        return 0;
    case O_KERNEL:
        if (strcmp(arg, "free") == 0)
            o->kernel = FY_NNFT_G2_FREE;
        else if (strcmp(arg, "gauss") == 0)
            o->kernel = FY_NNFT_G2_GAUSS;
        else if (strcmp(arg, "exp") == 0)
            o->kernel = FY_NNFT_G2_EXP;
        else
            return fy_cli_usage_error(cmd, "--kernel is free, gauss or exp, not '%s'", arg);
        return 0;
    case O_GROUP:
        free(bufs[0]);
        argbuf = bufs + 0;
        *argbuf = strdup(arg);
        n = *argbuf ? list_split(*argbuf, items, MAXL) : -1;
        o->ngroups = 0;
        for (k = 0; k < n; k++)
        {
            fy_nnft_sym_t g;
            if (fy_nnft_sym_parse(&g, items[k]) != 0 || o->ngroups == FY_NNFT_NSYM)
                return fy_cli_usage_error(cmd, "--group takes translation, rotation, output, "
                                          "z2 (separated by commas), not '%s'", items[k]);
            o->groups[o->ngroups++] = g;
        }
        return n < 1 ? fy_cli_usage_error(cmd, "--group needs at least one group") : 0;
    case O_ORDERS:
        free(bufs[1]);
        argbuf = bufs + 1;
        *argbuf = strdup(arg);
        n = *argbuf ? list_split(*argbuf, items, MAXL) : -1;
        for (k = 0; k < n; k++)
            if (parse_long(&v, cmd, items[k], "--n", 1, 8))
                return 2;
            else
                o->orders[k] = (int) v;
        o->norders = n;
        return n < 1 ? fy_cli_usage_error(cmd, "--n needs a list of orders (e.g. 2,4)") : 0;
    case O_EPS:
        free(bufs[2]);
        argbuf = bufs + 2;
        *argbuf = strdup(arg);
        o->neps = *argbuf ? list_split(*argbuf, o->eps, MAXL) : -1;
        return o->neps < 1 ? fy_cli_usage_error(cmd, "--eps needs up to 64 values in [0, 1] "
                                                "separated by commas") : 0;
    case O_WIDTHS:
        free(bufs[3]);
        argbuf = bufs + 3;
        *argbuf = strdup(arg);
        n = *argbuf ? list_split(*argbuf, items, MAXL) : -1;
        for (k = 0; k < n; k++)
            if (parse_long(o->widths + k, cmd, items[k], "--widths", 1, 1L << 40))
                return 2;
        o->nwidths = n;
        return n < 1 ? fy_cli_usage_error(cmd, "--widths needs up to 64 widths") : 0;
    case O_TUPLE:
        free(bufs[4]);
        argbuf = bufs + 4;
        *argbuf = strdup(arg);
        n = *argbuf ? list_split(*argbuf, items, MAXL) : -1;
        if (n != 4)
            return fy_cli_usage_error(cmd, "--tuple takes 4 point indices i,j,k,l (from 0)");
        for (k = 0; k < 4; k++)
            if (parse_long(o->tuple + k, cmd, items[k], "--tuple", 0, 1L << 30))
                return 2;
        o->have_tuple = 1;
        return 0;
    }
    return 2;
}

/* Returns 0 to go on, -1 after --help, 2 on a usage error.  bufs[0..5) keep the strdup'ed
 * lists (freed by the caller). */
static int parse(copts_t *o, int argc, char **argv, const char *cmd, const struct option *lo,
                 void (*help)(FILE *), char **bufs, int spec_optional)
{
    int c;
    memset(o, 0, sizeof *o);
    o->cmd = cmd;
    o->fmt = FY_FMT_TEXT;
    o->prec = 128;
    o->seed = 1;
    o->kernel = -1;
    o->trials = 3;
    snprintf(o->tmax, sizeof o->tmax, "2");
    snprintf(o->mass, sizeof o->mass, "1");
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1)
    {
        if (c == 'h')
        {
            help(stdout);
            return -1;
        }
        if (c == ':')
            return fy_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        if (c == '?')
            return fy_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        if (parse_opt(o, c, optarg, bufs) != 0)
            return 2;
    }
    if (optind < argc)
        o->spec = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (o->spec == NULL && !spec_optional)
        return fy_cli_usage_error(cmd, "missing the spec file (doc/nnft-spec.md)");
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

static json_t *jball(const arb_t x)
{
    char *s = fy_arb_get_str_radius(x, 10);
    json_t *j = json_string(s ? s : "?");
    free(s);
    return j;
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

static void free_bufs(char **bufs)
{
    int k;
    for (k = 0; k < 5; k++)
        free(bufs[k]);
}

#define COMMON_OPTS                                                                           \
    {"format", required_argument, NULL, O_FORMAT}, {"prec", required_argument, NULL, O_PREC}, \
        {"width", required_argument, NULL, O_WIDTH},                                          \
        {"inputs", required_argument, NULL, O_INPUTS},                                        \
        {"points", required_argument, NULL, O_POINTS},                                        \
        {"seed", required_argument, NULL, O_SEED}, {"output", required_argument, NULL, 'o'},  \
        {"help", no_argument, NULL, 'h'}

#define COMMON_HELP                                                                           \
    "  --width N         override the spec's width\n"                                         \
    "  --inputs SET      replace the spec's points by a named set (doc/nnft-spec.md)\n"        \
    "  --points FILE     replace the spec's points by those of FILE\n"                        \
    "  --prec BITS       working precision of the balls (default 128)\n"                      \
    "  --seed S          seed of the random transformations / points (default 1)\n"           \
    "  --format F        text (default), json or csv\n"                                       \
    "  -o, --output FILE write there (atomically) instead of standard output\n"               \
    "  -h, --help        this help\n"

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
#define RP "nnft rp"

static void rp_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft rp SPEC [options]\n"
            "       feynn nnft rp --kernel free|gauss|exp [--mass M] [--d D] [options]\n"
            "\n"
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
            "for d >= 2, random other coordinates in [-tmax, tmax] (steps of tmax / 8).\n"
            "\n"
            "Options:\n"
            "  --kernel K        a built-in 2-point function instead of a spec: free (the free\n"
            "                    scalar propagator, Fourier transform of 1/(p^2 + m^2); d = 1:\n"
            "                    e^(-m|x|)/(2m)), gauss (exp(-m^2 |x|^2 / 2)), exp (e^(-m|x|))\n"
            "  --mass M          m of --kernel (rational, default 1)\n"
            "  --d D             dimension for --kernel (default 1)\n"
            "  --n-points K      generate K points (default 6 when the spec has none)\n"
            "  --tmax T          the largest generated time (rational, default 2)\n" COMMON_HELP
            "\n"
            "JSON (doc/schema/nnft-rp.schema.json): positive (true, false, or null when\n"
            "undecided), certified, definite, rank, lambda_min, lambda_lower, direction, vMv,\n"
            "spectral (1 certified by the spectral measure, -1 a signed measure, 0 none).\n"
            "Exit status: 0 success (whatever the verdict), 2 bad usage or input.\n");
}

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
    json_object_set_new(o, "lambda_lower", r->definite ? jball(r->lambda_lower) : json_null());
    if (r->direction)
    {
        dir = json_array();
        for (i = 0; i < r->n; i++)
            json_array_append_new(dir, fy_json_number(r->direction[i]));
        json_object_set_new(o, "direction", dir);
        json_object_set_new(o, "vMv", jball(r->vMv));
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

int fy_nnft_rp_cmd(int argc, char **argv)
{
    static const struct option lo[] = {
        COMMON_OPTS,
        {"kernel", required_argument, NULL, O_KERNEL},
        {"mass", required_argument, NULL, O_MASS},
        {"d", required_argument, NULL, O_DIM},
        {"n-points", required_argument, NULL, O_NPTS},
        {"tmax", required_argument, NULL, O_TMAX},
        {NULL, 0, NULL, 0}};
    copts_t o;
    char *bufs[5] = {NULL}, what[256];
    fy_nnft_spec_t s;
    fy_nnft_rp_t r;
    fy_nnft_g2_model_t g;
    fy_error_t err;
    fmpq *pts = NULL;
    slong n = 0, i, k;
    int status = parse(&o, argc, argv, RP, lo, rp_usage, bufs, 1), rc = FY_OK;
    if (status)
    {
        free_bufs(bufs);
        return status < 0 ? 0 : status;
    }
    if ((o.spec == NULL) == (o.kernel < 0))
    {
        free_bufs(bufs);
        return fy_cli_usage_error(RP, "give a spec file or --kernel (one of them)");
    }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_rp_init(r);
    fy_nnft_g2_model_init(g);
    if (o.kernel >= 0)
    {
        g->kind = (fy_nnft_g2_kind_t) o.kernel;
        s->d = o.dim ? o.dim : 1;
        rc = fy_fmpq_parse(g->m, o.mass, err);
        if (rc == FY_OK && o.points)
            rc = fy_nnft_points_read(s, o.points, err);
        snprintf(what, sizeof what, "built-in kernel %s, m = %s, d = %ld",
                 o.kernel == FY_NNFT_G2_FREE ? "free" : (o.kernel == FY_NNFT_G2_GAUSS ? "gauss"
                                                                                    : "exp"),
                 o.mass, (long) s->d);
    }
    else
    {
        rc = load(s, &o, 0, err);
        snprintf(what, sizeof what, "the kernel of %s (%s, d = %ld, N = %ld)", o.spec,
                 fy_nnft_act_name(s->act), (long) s->d, (long) s->width);
    }
    if (rc == FY_OK)
        rc = rp_points(&pts, &n, s, &o, err);
    if (rc == FY_OK)
        rc = o.kernel >= 0 ? fy_nnft_rp_model(r, g, s->d, pts, n, o.prec, err)
                           : fy_nnft_rp_spec(r, s, pts, n, o.prec, err);
    if (rc == FY_OK && o.fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *body;
        json_object_set_new(j, "command", json_string("nnft rp"));
        json_object_set_new(j, "source", json_string(what));
        json_object_set_new(j, "spec", o.kernel >= 0 ? json_null() : jspec(s));
        body = rp_json(r);
        json_object_update(j, body);
        json_decref(body);
        rc = emit_json(&o, j, err);
        json_decref(j);
    }
    else if (rc == FY_OK)
    {
        fy_ofile_t of;
        FILE *fp = open_out(of, &o, err);
        if (fp == NULL)
            rc = err->code;
        else
        {
            if (o.fmt == FY_FMT_CSV)
            {
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
            else
                rp_text(fp, r, what);
            rc = fy_ofile_commit(of, err);
        }
    }
    if (pts)
        _fmpq_vec_clear(pts, n * s->d);
    fy_nnft_g2_model_clear(g);
    fy_nnft_rp_clear(r);
    fy_nnft_spec_clear(s);
    free_bufs(bufs);
    return finish(RP, rc, err);
}

/* ------------------------------------------------------------------ symmetry */
#define SYM "nnft symmetry"

static void sym_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft symmetry SPEC [options]\n"
            "\n"
            "Symmetries of the ensemble (doc/math.md 4.6), each measured as the largest\n"
            "violation max |G(g x_1, .., g x_n) - G(x_1, .., x_n)| over random\n"
            "transformations g and the sorted n-tuples of the spec's points: translation\n"
            "(x + a, a in (1/8) Z^d), rotation (exact rational rotations of SO(d) by the\n"
            "Cayley map; d = 1: x -> -x), output (SO(d_out): trivial for d_out = 1, said so)\n"
            "and z2 (f -> -f: odd "
            "correlators vanish).  Exact correlators give balls: invariant when every\n"
            "difference ball contains 0 and is tiny, broken when one excludes 0; --mc M\n"
            "samples M networks instead (the same network at x and g x) with standard\n"
            "errors.  Beside each measurement: the [MSH] symmetry-via-duality condition\n"
            "(input layer invariant under a parameter map that preserves the parameter law).\n"
            "\n"
            "Options:\n"
            "  --group LIST      translation,rotation,output,z2 (default: all four)\n"
            "  --n LIST          even orders for the groups of the inputs (default 2,4);\n"
            "                    z2 uses 1,3\n"
            "  --connected       the connected parts G_c (n = 4, 6) instead of G\n"
            "  --trials T        random transformations per group (default 3)\n"
            "  --mc M            Monte Carlo with M networks instead of exact correlators\n"
            COMMON_HELP
            "\n"
            "JSON: doc/schema/nnft-symmetry.schema.json.  Exit status: 0 success (whatever the\n"
            "verdicts), 2 bad usage or input (e.g. an activation without exact correlators:\n"
            "use --mc).\n");
}

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
    json_object_set_new(o, "violation", r->mc ? json_null() : jball(r->violation));
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

int fy_nnft_symmetry_cmd(int argc, char **argv)
{
    static const struct option lo[] = {
        COMMON_OPTS,
        {"group", required_argument, NULL, O_GROUP},
        {"n", required_argument, NULL, O_ORDERS},
        {"connected", no_argument, NULL, O_CONNECTED},
        {"trials", required_argument, NULL, O_TRIALS},
        {"mc", required_argument, NULL, O_MC},
        {NULL, 0, NULL, 0}};
    copts_t o;
    char *bufs[5] = {NULL};
    fy_nnft_spec_t s;
    fy_nnft_sym_res_t r;
    fy_error_t err;
    fy_ofile_t of;
    json_t *arr = json_array();
    FILE *fp = NULL;
    int status = parse(&o, argc, argv, SYM, lo, sym_usage, bufs, 0), rc = FY_OK, a, k;
    if (status)
    {
        free_bufs(bufs);
        json_decref(arr);
        return status < 0 ? 0 : status;
    }
    if (o.ngroups == 0)
        for (o.ngroups = 0; o.ngroups < FY_NNFT_NSYM; o.ngroups++)
            o.groups[o.ngroups] = o.ngroups;
    if (o.norders == 0)
    {
        o.orders[0] = 2;
        o.orders[1] = 4;
        o.norders = 2;
    }
    for (k = 0; k < o.norders; k++)
        if (o.orders[k] & 1)
        {
            free_bufs(bufs);
            json_decref(arr);
            return fy_cli_usage_error(SYM, "--n takes even orders (z2 uses 1 and 3 itself)");
        }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_sym_init(r);
    rc = load(s, &o, 1, err);
    if (rc == FY_OK && o.fmt != FY_FMT_JSON && (fp = open_out(of, &o, err)) == NULL)
        rc = err->code;
    if (rc == FY_OK && fp && o.fmt == FY_FMT_CSV)
        fprintf(fp, "group,n,connected,method,verdict,violation,scale,tuples,trials,zmax,se\n");
    else if (rc == FY_OK && fp)
        fprintf(fp, "# symmetries of %s: %s, d = %ld, N = %ld, %ld points, %s\n", o.spec,
                fy_nnft_act_name(s->act), (long) s->d, (long) s->width, (long) s->npoints,
                o.mc ? "Monte Carlo" : "exact correlators (balls)");
    for (a = 0; a < o.ngroups && rc == FY_OK; a++)
    {
        fy_nnft_sym_t g = (fy_nnft_sym_t) o.groups[a];
        int z2 = g == FY_NNFT_SYM_Z2, nn = (g == FY_NNFT_SYM_OUTPUT) ? 1 : (z2 ? 2 : o.norders);
        for (k = 0; k < nn && rc == FY_OK; k++)
        {
            int n = z2 ? 2 * k + 1 : (g == FY_NNFT_SYM_OUTPUT ? 2 : o.orders[k]);
            rc = o.mc ? fy_nnft_symmetry_mc(r, s, g, n, o.trials, o.mc, o.seed, err)
                      : fy_nnft_symmetry(r, s, g, n, o.connected && n >= 4, o.trials, o.seed,
                                         o.prec, err);
            r->connected = !o.mc && o.connected && n >= 4;
            if (rc == FY_OK && fp)
                sym_text_row(fp, r, o.fmt == FY_FMT_CSV);
            else if (rc == FY_OK)
                json_array_append_new(arr, sym_json(r));
        }
    }
    if (fp && rc == FY_OK)
        rc = fy_ofile_commit(of, err);
    else if (fp)
        fy_ofile_abort(of);
    if (rc == FY_OK && o.fmt == FY_FMT_JSON)
    {
        json_t *j = json_object();
        json_object_set_new(j, "command", json_string("nnft symmetry"));
        json_object_set_new(j, "spec", jspec(s));
        json_object_set_new(j, "method", json_string(o.mc ? "monte-carlo" : "exact"));
        json_object_set_new(j, "results", json_incref(arr));
        rc = emit_json(&o, j, err);
        json_decref(j);
    }
    json_decref(arr);
    fy_nnft_sym_clear(r);
    fy_nnft_spec_clear(s);
    free_bufs(bufs);
    return finish(SYM, rc, err);
}

/* ------------------------------------------------------------------ os */
#define OS "nnft os"

static const char *const os_names[5] = {"E0 growth", "E1 Euclidean covariance",
                                        "E2 reflection positivity", "E3 permutation symmetry",
                                        "E4 cluster decomposition"};

static void os_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft os SPEC [options]\n"
            "\n"
            "The Osterwalder-Schrader list for the ensemble as one report (doc/math.md 4.6),\n"
            "each axiom passed, failed or not decidable, with its numbers, from the exact\n"
            "correlators: E0 growth (local exponent of G2(x,x) and G4(x,x,x,x) as |x| grows),\n"
            "E1 Euclidean covariance (translations and rotations of G2 and G4, as feynn nnft\n"
            "symmetry), E2 reflection positivity of G2 (as feynn nnft rp on 6 generated\n"
            "points), E3 permutation symmetry (G4 at the 24 orders of 4 distinct points,\n"
            "exact), E4 cluster decomposition (G4_c(x1, x2, x3 + R e, x4 + R e) for R up to\n"
            "64, with the limit value).\n"
            "\n"
            "Options:\n" COMMON_HELP
            "\n"
            "JSON: doc/schema/nnft-os.schema.json.  Exit status: 0 success (whatever the\n"
            "verdicts), 2 bad usage or input.\n");
}

int fy_nnft_os_cmd(int argc, char **argv)
{
    static const struct option lo[] = {COMMON_OPTS, {NULL, 0, NULL, 0}};
    copts_t o;
    char *bufs[5] = {NULL};
    fy_nnft_spec_t s;
    fy_nnft_os_t r;
    fy_error_t err;
    int status = parse(&o, argc, argv, OS, lo, os_usage, bufs, 0), rc, k;
    if (status)
    {
        free_bufs(bufs);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_os_init(r);
    rc = load(s, &o, 0, err);
    if (rc == FY_OK)
        rc = fy_nnft_os_report(r, s, o.seed, o.prec, err);
    if (rc == FY_OK && o.fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *ax = json_array(), *cl = json_object(), *R = json_array(),
               *G = json_array();
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
        rc = emit_json(&o, j, err);
        json_decref(j);
    }
    else if (rc == FY_OK)
    {
        fy_ofile_t of;
        FILE *fp = open_out(of, &o, err);
        if (fp == NULL)
            rc = err->code;
        else
        {
            if (o.fmt == FY_FMT_CSV)
                fprintf(fp, "axiom,verdict,detail\n");
            else
                fprintf(fp, "# Osterwalder-Schrader report for %s: %s, d = %ld, N = %ld\n",
                        o.spec, fy_nnft_act_name(s->act), (long) s->d, (long) s->width);
            for (k = 0; k < 5; k++)
                if (o.fmt == FY_FMT_CSV)
                    fprintf(fp, "%s,%s,\"%s\"\n", os_names[k], fy_nnft_verdict_name(r->verdict[k]),
                            r->detail[k]);
                else
                    fprintf(fp, "%-26s %-14s %s\n", os_names[k],
                            fy_nnft_verdict_name(r->verdict[k]), r->detail[k]);
            rc = fy_ofile_commit(of, err);
        }
    }
    fy_nnft_os_clear(r);
    fy_nnft_spec_clear(s);
    free_bufs(bufs);
    return finish(OS, rc, err);
}

/* ------------------------------------------------------------------ ib */
#define IB "nnft ib"

static void ib_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft ib SPEC [options]\n"
            "\n"
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
            "--eps and --widths.\n"
            "\n"
            "Options:\n"
            "  --eps LIST        values of eps in [0, 1], rationals (default 0,0.1,0.5)\n"
            "  --widths LIST     widths N (default the spec's, 10, 100, 1000)\n"
            "  --tuple i,j,k,l   the 4 point indices (from 0; default 0,1,2,3, or 0,0,1,1\n"
            "                    with fewer than 4 points)\n"
            "  --mc M            Monte Carlo with M networks (any activation; width >= 2):\n"
            "                    the neuron estimators of mu4, nu, mu2 network by network,\n"
            "                    standard errors from 20 batches\n" COMMON_HELP
            "\n"
            "JSON: doc/schema/nnft-ib.schema.json.  Exit status: 0 success, 2 bad usage or\n"
            "input (an activation other than cos and gauss without --mc).\n");
}

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

int fy_nnft_ib_cmd(int argc, char **argv)
{
    static const struct option lo[] = {
        COMMON_OPTS,
        {"eps", required_argument, NULL, O_EPS},
        {"widths", required_argument, NULL, O_WIDTHS},
        {"tuple", required_argument, NULL, O_TUPLE},
        {"mc", required_argument, NULL, O_MC},
        {NULL, 0, NULL, 0}};
    static char def_eps[3][8] = {"0", "0.1", "0.5"};
    copts_t o;
    char *bufs[5] = {NULL};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fy_error_t err;
    fmpq_t eps;
    fy_ofile_t of;
    FILE *fp = NULL;
    json_t *rows = json_array();
    slong w0;
    int status = parse(&o, argc, argv, IB, lo, ib_usage, bufs, 0), rc = FY_OK, e, k;
    if (status)
    {
        free_bufs(bufs);
        json_decref(rows);
        return status < 0 ? 0 : status;
    }
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_ib_init(b);
    fmpq_init(eps);
    rc = load(s, &o, 1, err);
    if (o.neps == 0)
        for (o.neps = 0; o.neps < 3; o.neps++)
            o.eps[o.neps] = def_eps[o.neps];
    w0 = s->width;
    if (o.nwidths == 0)
    {
        o.widths[0] = w0;
        o.widths[1] = 10;
        o.widths[2] = 100;
        o.widths[3] = 1000;
        o.nwidths = 4;
    }
    if (!o.have_tuple)
        for (k = 0; k < 4; k++)
            o.tuple[k] = s->npoints >= 4 ? k : k / 2;
    for (k = 0; k < 4 && rc == FY_OK; k++)
        if (o.tuple[k] >= s->npoints)
            rc = fy_error_set(err, FY_EINPUT, "--tuple: point %ld does not exist (%ld points)",
                              (long) o.tuple[k], (long) s->npoints);
    if (rc == FY_OK && o.fmt != FY_FMT_JSON && (fp = open_out(of, &o, err)) == NULL)
        rc = err->code;
    if (rc == FY_OK && fp && o.fmt == FY_FMT_CSV)
        fprintf(fp, "eps,N,mu4,nu,mu2mu2,I_N,I_IB,G4c%s\n", o.mc ? ",I_N_se,I_IB_se,G4c_se" : "");
    else if (rc == FY_OK && fp)
        fprintf(fp, "# independence breaking, %s: %s, d = %ld, tuple (%ld, %ld, %ld, %ld)\n"
                    "# G4_c = I_N + I_IB; w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0\n"
                    "%-8s %-8s %-16s %-16s %-16s%s\n", o.spec, fy_nnft_act_name(s->act),
                (long) s->d, (long) o.tuple[0], (long) o.tuple[1], (long) o.tuple[2],
                (long) o.tuple[3], "eps", "N", o.mc ? "I_N         " : "I_N",
                o.mc ? "       I_IB      " : "I_IB", o.mc ? "         G4_c" : "G4_c",
                o.mc ? "   (Monte Carlo +- standard error)" : "");
    for (e = 0; e < o.neps && rc == FY_OK; e++)
    {
        if ((rc = fy_fmpq_parse(eps, o.eps[e], err)) != FY_OK)
            break;
        for (k = 0; k < o.nwidths && rc == FY_OK; k++)
        {
            s->width = o.widths[k];
            if (o.mc)
            {
                rc = ib_mc_row(fp, rows, &o, s, eps, o.eps[e], err);
                continue;
            }
            if ((rc = fy_nnft_ib(b, s, o.tuple, eps, o.prec, err)) != FY_OK)
                break;
            if (fp && o.fmt == FY_FMT_CSV)
                fprintf(fp, "%s,%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", o.eps[e],
                        (long) s->width, midd(b->mu4), midd(b->nu), midd(b->mu2mu2),
                        midd(b->I_N), midd(b->I_IB), midd(b->G4c));
            else if (fp)
            {
                char *a1 = fy_arb_get_str_certified(b->I_N, 10);
                char *a2 = fy_arb_get_str_certified(b->I_IB, 10);
                char *a3 = fy_arb_get_str_certified(b->G4c, 10);
                fprintf(fp, "%-8s %-8ld %-16s %-16s %-16s\n", o.eps[e], (long) s->width,
                        a1 ? a1 : "?", a2 ? a2 : "?", a3 ? a3 : "?");
                free(a1);
                free(a2);
                free(a3);
            }
            else
            {
                json_t *r = json_object();
                json_object_set_new(r, "eps", json_string(o.eps[e]));
                json_object_set_new(r, "width", json_integer(s->width));
                json_object_set_new(r, "mu4", jball(b->mu4));
                json_object_set_new(r, "nu", jball(b->nu));
                json_object_set_new(r, "mu2mu2", jball(b->mu2mu2));
                json_object_set_new(r, "I_N", jball(b->I_N));
                json_object_set_new(r, "I_IB", jball(b->I_IB));
                json_object_set_new(r, "G4c", jball(b->G4c));
                json_object_set_new(r, "I_N_mid", fy_json_number(midd(b->I_N)));
                json_object_set_new(r, "I_IB_mid", fy_json_number(midd(b->I_IB)));
                json_object_set_new(r, "G4c_mid", fy_json_number(midd(b->G4c)));
                json_object_set_new(r, "I_N_alt", jball(b->I_N_alt));
                json_object_set_new(r, "I_IB_alt", jball(b->I_IB_alt));
                json_array_append_new(rows, r);
            }
        }
    }
    s->width = w0;
    if (fp && rc == FY_OK)
        rc = fy_ofile_commit(of, err);
    else if (fp)
        fy_ofile_abort(of);
    if (rc == FY_OK && o.fmt == FY_FMT_JSON)
    {
        json_t *j = json_object(), *t = json_array();
        for (k = 0; k < 4; k++)
            json_array_append_new(t, json_integer(o.tuple[k]));
        json_object_set_new(j, "command", json_string("nnft ib"));
        json_object_set_new(j, "spec", jspec(s));
        json_object_set_new(j, "family", json_string("w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0"));
        json_object_set_new(j, "method", json_string(o.mc ? "monte-carlo" : "exact"));
        json_object_set_new(j, "tuple", t);
        json_object_set_new(j, "rows", json_incref(rows));
        rc = emit_json(&o, j, err);
        json_decref(j);
    }
    json_decref(rows);
    fmpq_clear(eps);
    fy_nnft_ib_clear(b);
    fy_nnft_spec_clear(s);
    free_bufs(bufs);
    return finish(IB, rc, err);
}
