/* feynn nnft: neural-network field theory (doc/math.md 4; the library is src/nnft).
 *
 *   feynn nnft kernel SPEC        K = G^(2) at every pair of input points (closed form, or
 *                                 quadrature; --quad shows both)
 *   feynn nnft correlators SPEC   exact finite-N G^(n), Wick values, connected parts, m_n
 *   feynn nnft sample SPEC        Monte Carlo ensemble: means, standard errors, the [HMS]
 *                                 chunk estimator, m_n with background; --exact compares
 *   feynn nnft couplings SPEC     quartic couplings from G4 (exact or Monte Carlo): per
 *                                 tuple, averaged, least squares over templates, the
 *                                 cut-off scan (doc/math.md 4.3)
 *   feynn nnft predict SPEC       the 6-point function with and without the quartic
 *                                 coupling: the [HMS] ratios G6_GP/G6 and (G6_GP + lambda)/G6
 *
 * This file only parses options and prints; the numbers come from feynn/nnft.h.  Exit codes:
 * 0 success, 1 a check failed (--check), 2 bad usage or input. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/nnft_cli.h"
#include "feynn/nnft.h"
#include "feynn/num.h"
#include "feynn/par.h"
#include "feynn/util.h"

static int nnft_kernel(int argc, char **argv);
static int nnft_correlators(int argc, char **argv);
static int nnft_sample(int argc, char **argv);
static int nnft_couplings(int argc, char **argv);
static int nnft_predict(int argc, char **argv);

static const fy_cli_command nnft_commands[] = {
    {"kernel", "the kernel K = G^(2) at every pair of input points, in balls", nnft_kernel},
    {"correlators", "exact finite-width G^(n), Wick values, connected parts, m_n(N)",
     nnft_correlators},
    {"sample", "Monte Carlo ensemble of networks: correlators with errors, [HMS] estimator",
     nnft_sample},
    {"couplings", "quartic couplings from G4: per tuple, mean, template fit, cut-off scan",
     nnft_couplings},
    {"predict", "the 6-point function with and without the fitted quartic coupling",
     nnft_predict},
    {"symmetry", "translations, rotations, SO(d_out), Z2: the largest violations",
     fy_nnft_symmetry_cmd},
    {"rp", "reflection positivity of G2, certified in ball arithmetic", fy_nnft_rp_cmd},
    {"os", "the Osterwalder-Schrader list: growth, covariance, RP, symmetry, clustering",
     fy_nnft_os_cmd},
    {"ib", "independence breaking: G4_c = I_N + I_IB against eps and N", fy_nnft_ib_cmd},
    /* fields from neurons (qft-fields, cmd_nnft_qft.c) */
    {"spectrum", "power spectrum G(p) and G2(x) of an input layer F(b) cos(b.x + c)",
     fy_nnft_spectrum_cmd},
    {"duality", "Cos-net against Gauss-net: one G2, different finite-N G4_c",
     fy_nnft_duality_cmd},
};
static const size_t n_nnft_commands = sizeof nnft_commands / sizeof nnft_commands[0];

static void usage(FILE *fp)
{
    size_t i;
    fprintf(fp, "Usage: feynn nnft COMMAND SPEC [options]\n"
                "\n"
                "Neural-network field theory [HMS] (doc/math.md 4): kernels, exact finite-width\n"
                "correlators and Monte Carlo ensembles of one-hidden-layer networks.\n"
                "\n"
                "Commands:\n");
    for (i = 0; i < n_nnft_commands; i++)
        fprintf(fp, "  %-12s %s\n", nnft_commands[i].name, nnft_commands[i].summary);
    fprintf(fp, "\n"
                "SPEC is an ensemble spec file (doc/nnft-spec.md); couplings and predict also\n"
                "take --hms-relu instead (the [HMS] ReLU experiment).  Run 'feynn nnft COMMAND "
                "--help'.\n");
}

int fy_cmd_nnft(int argc, char **argv)
{
    size_t i;
    if (argc < 2)
    {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    {
        usage(stdout);
        return 0;
    }
    for (i = 0; i < n_nnft_commands; i++)
        if (strcmp(argv[1], nnft_commands[i].name) == 0)
            return nnft_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "feynn nnft: unknown command '%s'\nTry 'feynn nnft --help'.\n", argv[1]);
    return 2;
}

/* ------------------------------------------------------------------ options */
enum
{
    O_WIDTH = 256,
    O_INPUTS,
    O_POINTS,
    O_FORMAT,
    O_DIGITS,
    O_QUAD,
    O_CHECK,
    O_ORDERS,
    O_NETWORKS,
    O_SEED,
    O_THREADS,
    O_EXACT,
    O_TUPLES,
    O_WIDTHS,
    O_CUTOFF,
    O_CONV,
    O_TEMPLATES,
    O_TEST_POINTS,
    O_MC,
    O_SCAN,
    O_LAMBDA,
    O_HMS,
    O_CHECKPOINT, /* sample (par, issue 15) */
    O_CKPT_NETWORKS
};

/* Which command accepts an option (bits). */
#define K_ (1u << 0)
#define C_ (1u << 1)
#define S_ (1u << 2)
#define CP_ (1u << 3) /* couplings */
#define PR_ (1u << 4) /* predict */

typedef struct
{
    const char *spec, *inputs, *points, *out;
    long width, digits, threads;
    unsigned long long networks, seed;
    int fmt, quad, check, exact, tuples;
    int orders[4], norders, orders_given;
    long widths[64];
    int nwidths;
    /* couplings, predict */
    double cutoff, scan[64], lambda;
    int nscan, fact, mc, hms, lambda_given;
    fy_nnft_tpl_t tpl[FY_NNFT_NTPL];
    int ntpl;
    const char *test_points;
    /* sample: checkpoints (par, issue 15) */
    const char *checkpoint;
    unsigned long long chunk_networks;
} opts_t;

static const struct
{
    struct option opt;
    unsigned who;
} optlist[] = {
    {{"width", required_argument, NULL, O_WIDTH}, K_ | C_ | S_ | CP_ | PR_},
    {{"inputs", required_argument, NULL, O_INPUTS}, K_ | C_ | S_ | CP_ | PR_},
    {{"points", required_argument, NULL, O_POINTS}, K_ | C_ | S_ | CP_ | PR_},
    {{"format", required_argument, NULL, O_FORMAT}, K_ | C_ | S_ | CP_ | PR_},
    {{"output", required_argument, NULL, 'o'}, K_ | C_ | S_ | CP_ | PR_},
    {{"digits", required_argument, NULL, O_DIGITS}, K_ | C_ | CP_ | PR_},
    {{"quad", no_argument, NULL, O_QUAD}, K_},
    {{"check", no_argument, NULL, O_CHECK}, K_ | S_},
    {{"n", required_argument, NULL, O_ORDERS}, C_ | S_},
    {{"networks", required_argument, NULL, O_NETWORKS}, S_ | CP_ | PR_},
    {{"seed", required_argument, NULL, O_SEED}, S_ | CP_ | PR_},
    {{"threads", required_argument, NULL, O_THREADS}, S_ | CP_ | PR_},
    {{"exact", no_argument, NULL, O_EXACT}, S_},
    {{"tuples", no_argument, NULL, O_TUPLES}, C_ | S_ | CP_ | PR_},
    {{"widths", required_argument, NULL, O_WIDTHS}, C_ | S_},
    {{"cutoff", required_argument, NULL, O_CUTOFF}, CP_ | PR_},
    {{"convention", required_argument, NULL, O_CONV}, CP_ | PR_},
    {{"templates", required_argument, NULL, O_TEMPLATES}, CP_},
    {{"test-points", required_argument, NULL, O_TEST_POINTS}, CP_},
    {{"mc", no_argument, NULL, O_MC}, CP_ | PR_},
    {{"scan", required_argument, NULL, O_SCAN}, CP_},
    {{"lambda", required_argument, NULL, O_LAMBDA}, PR_},
    {{"hms-relu", no_argument, NULL, O_HMS}, CP_ | PR_},
    {{"checkpoint", required_argument, NULL, O_CHECKPOINT}, S_},
    {{"checkpoint-networks", required_argument, NULL, O_CKPT_NETWORKS}, S_},
    {{"help", no_argument, NULL, 'h'}, K_ | C_ | S_ | CP_ | PR_},
};
#define N_OPTS (sizeof optlist / sizeof optlist[0])

static int parse_ull(unsigned long long *v, const char *cmd, const char *s, const char *name,
                     unsigned long long lo, unsigned long long hi)
{
    char *end;
    unsigned long long x;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || x < lo || x > hi)
        return fy_cli_usage_error(cmd, "%s needs an integer in %llu..%llu, not '%s'", name, lo,
                                  hi, s);
    *v = x;
    return 0;
}

static int parse_widths(opts_t *o, const char *cmd, const char *s)
{
    const char *p = s;
    o->nwidths = 0;
    while (*p)
    {
        char *end;
        long w;
        errno = 0;
        w = strtol(p, &end, 10);
        if (errno || end == p || w < 1 || w > (1L << 40) || o->nwidths == 64
            || (*end && *end != ','))
            return fy_cli_usage_error(cmd, "--widths takes up to 64 positive integers "
                                      "separated by commas, not '%s'", s);
        o->widths[o->nwidths++] = w;
        p = *end ? end + 1 : end;
    }
    return o->nwidths ? 0 : fy_cli_usage_error(cmd, "--widths needs at least one width");
}

static int parse_orders(opts_t *o, const char *cmd, const char *s)
{
    const char *p = s;
    o->norders = 0;
    while (*p)
    {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || (n != 2 && n != 4 && n != 6) || o->norders == 3)
            return fy_cli_usage_error(cmd, "--n takes a list of 2, 4, 6 (e.g. 2,4), not '%s'",
                                      s);
        o->orders[o->norders++] = (int) n;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return fy_cli_usage_error(cmd, "--n takes a list of 2, 4, 6 (e.g. 2,4), not '%s'",
                                      s);
    }
    return o->norders ? 0 : fy_cli_usage_error(cmd, "--n needs at least one order");
}

/* A cut-off: a positive number, or inf (refused by the library where it diverges). */
static int parse_cutoff(double *v, const char *cmd, const char *s, const char *name)
{
    char *end;
    double x;
    if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0)
    {
        *v = INFINITY;
        return 0;
    }
    errno = 0;
    x = strtod(s, &end);
    if (errno || end == s || *end || !(x > 0) || isinf(x))
        return fy_cli_usage_error(cmd, "%s needs a positive number or inf, not '%s'", name, s);
    *v = x;
    return 0;
}

static int parse_scan(opts_t *o, const char *cmd, const char *s)
{
    const char *p = s;
    o->nscan = 0;
    while (*p)
    {
        char *end;
        double x;
        errno = 0;
        x = strtod(p, &end);
        if (errno || end == p || !(x > 0) || isinf(x) || o->nscan == 64
            || (*end && *end != ','))
            return fy_cli_usage_error(cmd, "--scan takes up to 64 positive finite cut-offs "
                                      "separated by commas (e.g. 10,100,1000), not '%s'", s);
        o->scan[o->nscan++] = x;
        p = *end ? end + 1 : end;
    }
    return o->nscan >= 2 ? 0
                         : fy_cli_usage_error(cmd, "--scan needs at least two cut-offs, "
                                              "not '%s'", s);
}

static int parse_templates(opts_t *o, const char *cmd, const char *s)
{
    char buf[64];
    const char *p = s;
    o->ntpl = 0;
    while (*p)
    {
        size_t n = strcspn(p, ",");
        fy_nnft_tpl_t t;
        int k;
        if (n == 0 || n >= sizeof buf)
            return fy_cli_usage_error(cmd, "--templates takes names separated by commas "
                                      "(local, x2-local, nonlocal), not '%s'", s);
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (fy_nnft_tpl_parse(&t, buf) != 0)
            return fy_cli_usage_error(cmd, "unknown template '%s' in --templates (local, "
                                      "x2-local, nonlocal)", buf);
        for (k = 0; k < o->ntpl; k++)
            if (o->tpl[k] == t)
                return fy_cli_usage_error(cmd, "template '%s' named twice in --templates",
                                          buf);
        o->tpl[o->ntpl++] = t;
        p += n;
        if (*p == ',')
            p++;
    }
    return o->ntpl ? 0 : fy_cli_usage_error(cmd, "--templates needs at least one name");
}

/* Returns 0 to go on, -1 after --help (exit 0), 2 on a usage error. */
static int parse_opts(opts_t *o, int argc, char **argv, const char *cmd, unsigned who,
                      void (*help)(FILE *))
{
    struct option longopts[N_OPTS + 1];
    size_t i, k = 0;
    int c;
    unsigned long long v;
    memset(o, 0, sizeof *o);
    o->fmt = FY_FMT_TEXT;
    o->digits = 10;
    o->networks = 100000;
    o->seed = 1;
    o->orders[0] = 2;
    o->orders[1] = 4;
    o->orders[2] = 6;
    o->norders = 3;
    o->cutoff = 100;
    for (i = 0; i < N_OPTS; i++)
        if (optlist[i].who & who)
            longopts[k++] = optlist[i].opt;
    memset(longopts + k, 0, sizeof longopts[0]);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_WIDTH:
            if (parse_ull(&v, cmd, optarg, "--width", 1, 1ULL << 40))
                return 2;
            o->width = (long) v;
            break;
        case O_INPUTS:
            o->inputs = optarg;
            break;
        case O_POINTS:
            o->points = optarg;
            break;
        case O_FORMAT:
            if ((o->fmt = fy_cli_parse_format(cmd, optarg,
                                              (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON)
                                                  | (1u << FY_FMT_CSV))) < 0)
                return 2;
            break;
        case 'o':
            o->out = optarg;
            break;
        case O_DIGITS:
            if (parse_ull(&v, cmd, optarg, "--digits", 1, 1000))
                return 2;
            o->digits = (long) v;
            break;
        case O_QUAD:
            o->quad = 1;
            break;
        case O_CHECK:
            o->check = 1;
            break;
        case O_ORDERS:
            if (parse_orders(o, cmd, optarg))
                return 2;
            o->orders_given = 1;
            break;
        case O_NETWORKS:
            if (parse_ull(&o->networks, cmd, optarg, "--networks", 10, 1ULL << 50))
                return 2;
            break;
        case O_SEED:
            if (parse_ull(&o->seed, cmd, optarg, "--seed", 0, ~0ULL))
                return 2;
            break;
        case O_THREADS:
            if (parse_ull(&v, cmd, optarg, "--threads", 1, 4096))
                return 2;
            o->threads = (long) v;
            break;
        case O_EXACT:
            o->exact = 1;
            break;
        case O_TUPLES:
            o->tuples = 1;
            break;
        case O_WIDTHS:
            if (parse_widths(o, cmd, optarg))
                return 2;
            break;
        case O_CUTOFF:
            if (parse_cutoff(&o->cutoff, cmd, optarg, "--cutoff"))
                return 2;
            break;
        case O_CONV:
            if (strcmp(optarg, "nofact") == 0)
                o->fact = FY_NNFT_NOFACT;
            else if (strcmp(optarg, "fact") == 0)
                o->fact = FY_NNFT_FACT;
            else
                return fy_cli_usage_error(cmd, "--convention is nofact (lambda f^4, [HMS]) or "
                                          "fact (lambda/4! f^4), not '%s'", optarg);
            break;
        case O_TEMPLATES:
            if (parse_templates(o, cmd, optarg))
                return 2;
            break;
        case O_TEST_POINTS:
            o->test_points = optarg;
            break;
        case O_MC:
            o->mc = 1;
            break;
        case O_SCAN:
            if (parse_scan(o, cmd, optarg))
                return 2;
            break;
        case O_LAMBDA:
        {
            char *end;
            errno = 0;
            o->lambda = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(o->lambda))
                return fy_cli_usage_error(cmd, "--lambda needs a finite number, not '%s'",
                                          optarg);
            o->lambda_given = 1;
            break;
        }
        case O_CHECKPOINT:
            o->checkpoint = optarg;
            break;
        case O_CKPT_NETWORKS:
            if (parse_ull(&o->chunk_networks, cmd, optarg, "--checkpoint-networks", 1,
                          1ULL << 50))
                return 2;
            break;
        case O_HMS:
            o->hms = 1;
            break;
        case 'h':
            help(stdout);
            return -1;
        case ':':
            return fy_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc && o->hms)
        return 0;
    if (optind >= argc)
        return fy_cli_usage_error(cmd, "missing the spec file (doc/nnft-spec.md)%s",
                                  (who & (CP_ | PR_)) ? " or --hms-relu" : "");
    if (o->hms)
        return fy_cli_usage_error(cmd, "--hms-relu replaces the spec file: give one or the "
                                  "other, not both");
    o->spec = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    return 0;
}

static int load_spec(fy_nnft_spec_t s, const opts_t *o, fy_error_t err)
{
    int rc = o->spec == NULL ? fy_nnft_eft_hms_relu(s, err)
                             : fy_nnft_spec_read(s, o->spec, err);
    if (rc != FY_OK)
        return rc;
    if (o->width)
        s->width = o->width;
    if (o->inputs && (rc = fy_nnft_spec_set_inputs(s, o->inputs, err)) != FY_OK)
        return rc;
    if (o->points && (rc = fy_nnft_points_read(s, o->points, err)) != FY_OK)
        return rc;
    if ((rc = fy_nnft_spec_check(s, err)) != FY_OK)
        return rc;
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "%s: no input points: add 'inputs hms-d1' or "
                            "'point' lines, or give --inputs SET or --points FILE",
                            o->spec ? o->spec : "--hms-relu");
    return FY_OK;
}

static char *qstr(const fmpq_t q)
{
    return fy_fmpq_get_str(q);
}

static void print_spec_line(FILE *fp, const fy_nnft_spec_t s)
{
    char *w = qstr(s->sigma_W), *b = qstr(s->sigma_b), *a = qstr(s->sigma_a),
         *k = qstr(s->kurtosis);
    fprintf(fp, "# ensemble: %s, d = %ld, N = %ld, sigma_W = %s, sigma_b = %s, sigma_a = %s, "
                "output-weight kurtosis %s\n",
            fy_nnft_act_name(s->act), (long) s->d, (long) s->width, w, b, a, k);
    fprintf(fp, "# inputs: %s, %ld point(s)\n", s->inputs[0] ? s->inputs : "-",
            (long) s->npoints);
    if (fy_nnft_is_euclid(s)) /* the input layers of feynn nnft spectrum (cmd_nnft_qft.c) */
    {
        char *m = qstr(s->mass), *L = qstr(s->Lambda), *mu = qstr(s->a_mean),
             *ph = qstr(s->phase);
        fprintf(fp, "# input layer F(b) cos(b.x + c): b_dist %s, F %s, mass %s, Lambda %s, "
                    "a_mean %s, phase %s\n", fy_nnft_bdist_name(s->b_dist),
                fy_nnft_ampl_name(s->F), m, L, mu, ph);
        free(m);
        free(L);
        free(mu);
        free(ph);
    }
    free(w);
    free(b);
    free(a);
    free(k);
}

json_t *fy_nnft_cli_json_q(const fmpq_t q)
{
    char *s = qstr(q);
    json_t *j = json_string(s ? s : "?");
    free(s);
    return j;
}

json_t *fy_nnft_cli_json_spec(const fy_nnft_spec_t s)
{
    json_t *o = json_object(), *pts = json_array();
    slong i, k;
    json_object_set_new(o, "activation", json_string(fy_nnft_act_name(s->act)));
    json_object_set_new(o, "d", json_integer(s->d));
    json_object_set_new(o, "width", json_integer(s->width));
    json_object_set_new(o, "d_out", json_integer(s->d_out));
    json_object_set_new(o, "sigma_W", fy_nnft_cli_json_q(s->sigma_W));
    json_object_set_new(o, "sigma_b", fy_nnft_cli_json_q(s->sigma_b));
    json_object_set_new(o, "sigma_a", fy_nnft_cli_json_q(s->sigma_a));
    json_object_set_new(o, "kurtosis", fy_nnft_cli_json_q(s->kurtosis));
    json_object_set_new(o, "inputs", json_string(s->inputs));
    for (i = 0; i < s->npoints; i++)
    {
        json_t *p = json_array();
        for (k = 0; k < s->d; k++)
            json_array_append_new(p, json_real(fy_fmpq_get_d(s->points + i * s->d + k)));
        json_array_append_new(pts, p);
    }
    json_object_set_new(o, "points", pts);
    return o;
}

static json_t *json_ball(const arb_t x, slong digits)
{
    char *s;
    json_t *j;
    if (!arb_is_finite(x))
        return json_string("inf");
    s = fy_arb_get_str_radius(x, digits);
    j = json_string(s ? s : "?");
    free(s);
    return j;
}

static json_t *json_idx(const slong *idx, int n)
{
    json_t *a = json_array();
    int k;
    for (k = 0; k < n; k++)
        json_array_append_new(a, json_integer(idx[k]));
    return a;
}

static double mid_d(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

static int write_json(const char *path, json_t *j, fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, path ? path : "-", err);
    if (rc != FY_OK)
        return rc;
    if (json_dumpf(j, of->fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0
        || fputc('\n', of->fp) == EOF)
    {
        fy_ofile_abort(of);
        return fy_error_set(err, FY_EIO, "cannot write the JSON output");
    }
    return fy_ofile_commit(of, err);
}

/* CSV: a ball as two fields, its midpoint to full double precision and an upper bound of
 * its radius. */
static void csv_ball(FILE *fp, const arb_t x)
{
    fprintf(fp, "%.17g,%.3e", mid_d(x), mag_get_d(arb_radref(x)));
}

/* CSV: a tuple as one field, the point indices separated by blanks. */
static void csv_idx(FILE *fp, const slong *idx, int n)
{
    int k;
    for (k = 0; k < n; k++)
        fprintf(fp, "%s%ld", k ? " " : "", (long) idx[k]);
}

/* A certified decimal string (or the ball when nothing is certified); free() it. */
static char *cert(const arb_t x, slong digits)
{
    char *s = fy_arb_get_str_certified(x, digits);
    return s ? s : fy_arb_get_str_radius(x, 5);
}

/* ------------------------------------------------------------------ kernel */
#define KERNEL "nnft kernel"

static void kernel_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft kernel SPEC [options]\n"
            "\n"
            "The kernel K(x_i, x_j) = G^(2) of the ensemble at every pair i <= j of its input\n"
            "points, in ball arithmetic from the closed forms of doc/math.md 4.1 (erf, relu,\n"
            "gauss, cos) and sin; --quad recomputes each by quadrature over the\n"
            "pre-activation Gaussian.  tanh has neither yet: use feynn nnft sample.\n"
            "\n"
            "Options:\n"
            "  --width N         override the spec's width (K does not depend on it)\n"
            "  --inputs SET      input set instead of the spec's (hms-d1, unit-d1)\n"
            "  --points FILE     input points from FILE (one point a line)\n"
            "  --digits D        certified significant digits (default 10)\n"
            "  --quad            also compute K by quadrature and compare\n"
            "  --check           with --quad: exit 1 when the two routes disagree\n"
            "  --format text|json|csv  (csv: a header line, one row per pair; balls as\n"
            "                    midpoint to 17 digits and radius)\n"
            "  -o, --output FILE write there instead of standard output\n"
            "  -h, --help        this help\n"
            "\n"
            "Exit status: 0 success, 1 --check found a disagreement, 2 bad usage or input.\n");
}

static int nnft_kernel(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_error_t err;
    arb_t K, Q;
    int status = parse_opts(&o, argc, argv, KERNEL, K_, kernel_usage), rc = FY_OK;
    int closed = 1, disagree = 0;
    slong i, j, prec;
    json_t *root = NULL, *arr = NULL;
    fy_ofile_t of;
    int of_open = 0;
    if (status)
        return status < 0 ? 0 : status;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    arb_init(Q);
    prec = 4 * o.digits + 64;
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    if (fy_nnft_kernel(K, s, 0, 0, prec, NULL) != FY_OK)
        closed = 0;
    if (o.fmt == FY_FMT_JSON)
    {
        root = json_object();
        arr = json_array();
        json_object_set_new(root, "command", json_string(KERNEL));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "method", json_string(closed ? "closed form" : "quadrature"));
    }
    else
    {
        if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
            goto fail;
        of_open = 1;
        if (o.fmt == FY_FMT_CSV)
            fprintf(of->fp, "i,j,K,K_rad%s\n", o.quad && closed ? ",quad,quad_rad,agree" : "");
        else
        {
            fprintf(of->fp, "# feynn nnft kernel: K(x_i, x_j) = G^(2) (doc/math.md 4.1), %s, %ld "
                            "certified digits\n",
                    closed ? "closed form" : "quadrature", o.digits);
            print_spec_line(of->fp, s);
            fprintf(of->fp, "#   i    j  K%s\n", o.quad && closed ? "  (quadrature)" : "");
        }
    }
    for (i = 0; i < s->npoints; i++)
        for (j = i; j < s->npoints; j++)
        {
            char *ks, *qs = NULL;
            int agree = 1;
            rc = closed ? fy_nnft_kernel(K, s, i, j, prec, err)
                        : fy_nnft_kernel_quad(K, s, i, j, prec, err);
            if (rc != FY_OK)
                goto fail;
            if (o.quad && closed)
            {
                if ((rc = fy_nnft_kernel_quad(Q, s, i, j, prec, err)) != FY_OK)
                    goto fail;
                agree = arb_overlaps(K, Q);
                disagree += !agree;
            }
            if (root != NULL)
            {
                json_t *e = json_object();
                json_object_set_new(e, "i", json_integer(i));
                json_object_set_new(e, "j", json_integer(j));
                json_object_set_new(e, "K", json_real(mid_d(K)));
                json_object_set_new(e, "ball", json_ball(K, o.digits + 5));
                if (o.quad && closed)
                {
                    json_object_set_new(e, "quad", json_ball(Q, o.digits + 5));
                    json_object_set_new(e, "agree", json_boolean(agree));
                }
                json_array_append_new(arr, e);
                continue;
            }
            if (o.fmt == FY_FMT_CSV)
            {
                fprintf(of->fp, "%ld,%ld,", (long) i, (long) j);
                csv_ball(of->fp, K);
                if (o.quad && closed)
                {
                    fputc(',', of->fp);
                    csv_ball(of->fp, Q);
                    fprintf(of->fp, ",%d", agree);
                }
                fputc('\n', of->fp);
                continue;
            }
            ks = cert(K, o.digits);
            if (o.quad && closed)
                qs = cert(Q, o.digits);
            fprintf(of->fp, "%5ld %4ld  %s%s%s%s\n", (long) i, (long) j, ks ? ks : "?",
                    qs ? "  (" : "", qs ? qs : "", qs ? (agree ? ")" : ")  DISAGREE") : "");
            free(ks);
            free(qs);
        }
    if (root != NULL)
    {
        json_object_set_new(root, "kernel", arr);
        if (o.quad && closed)
            json_object_set_new(root, "disagreements", json_integer(disagree));
        rc = write_json(o.out, root, err);
        if (rc != FY_OK)
            goto fail;
    }
    else
    {
        if (o.quad && closed && o.fmt != FY_FMT_CSV)
            fprintf(of->fp, "# closed form and quadrature: %s\n",
                    disagree ? "DISAGREE" : "agree at every pair");
        of_open = 0;
        if ((rc = fy_ofile_commit(of, err)) != FY_OK)
            goto fail;
    }
    if (disagree)
    {
        fprintf(stderr, "feynn %s: closed form and quadrature disagree at %d pair(s)\n",
                KERNEL, disagree);
        if (o.check)
            status = 1;
    }
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    status = fy_cli_fail(KERNEL, err);
done:
    json_decref(root);
    arb_clear(K);
    arb_clear(Q);
    fy_nnft_spec_clear(s);
    return status;
}

/* ------------------------------------------------------------------ correlators */
#define CORR "nnft correlators"

static void corr_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft correlators SPEC [options]\n"
            "\n"
            "Exact finite-width correlators G^(n)(x_i1..x_in) at every sorted tuple of the\n"
            "input points (doc/math.md 4.2: even set partitions, closed-form single-neuron\n"
            "moments), the Gaussian (Wick) values G_GP, the connected parts G_c and the\n"
            "normalised deviation m_n = mean |G - G_GP| / G_GP over the tuples.  Exact for\n"
            "gauss and cos at every n, relu with sigma_b = 0 in d = 1; n = 2 for erf and relu.\n"
            "\n"
            "Options:\n"
            "  --width N         override the spec's width N\n"
            "  --inputs SET      input set instead of the spec's (hms-d1, unit-d1)\n"
            "  --points FILE     input points from FILE\n"
            "  --n LIST          orders, from 2,4,6 (default 2,4,6, skipping those without\n"
            "                    exact moments; named orders must be exact)\n"
            "  --digits D        certified significant digits (default 10)\n"
            "  --tuples          text: list every tuple (JSON and CSV always do)\n"
            "  --widths LIST     the curves m_n(N) and N m_n(N) at these widths instead\n"
            "                    (e.g. 2,3,4,5,10,20,50,100,500,1000)\n"
            "  --format text|json|csv  (csv: a header line, one row per tuple or width)\n"
            "  -o, --output FILE write there instead of standard output\n"
            "  -h, --help        this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input (or an order without exact\n"
            "moments: use feynn nnft sample).\n");
}

static int nnft_correlators(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    int status = parse_opts(&o, argc, argv, CORR, C_, corr_usage), rc = FY_OK, a, k;
    slong t, prec;
    json_t *root = NULL, *orders = NULL;
    fy_ofile_t of;
    int of_open = 0;
    if (status)
        return status < 0 ? 0 : status;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    prec = 4 * o.digits + 64;
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        root = json_object();
        orders = json_array();
        json_object_set_new(root, "command", json_string(CORR));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "width", json_integer(s->width));
    }
    else
    {
        if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
            goto fail;
        of_open = 1;
        if (o.fmt == FY_FMT_CSV)
            fprintf(of->fp, o.nwidths > 0 ? "n,N,m,m_rad,N_m\n"
                                          : "n,idx,G,G_rad,G_GP,G_GP_rad,G_c,G_c_rad\n");
        else
        {
            fprintf(of->fp, "# feynn nnft correlators: exact G^(n) at width N (doc/math.md 4.2), "
                            "%ld certified digits\n", o.digits);
            print_spec_line(of->fp, s);
        }
    }
    if (o.nwidths > 0)
    {
        /* the exact curves m_n(N) */
        for (a = 0; a < o.norders; a++)
        {
            int n = o.orders[a], w;
            json_t *jo = NULL, *curve = NULL;
            if (root != NULL)
            {
                jo = json_object();
                curve = json_array();
                json_object_set_new(jo, "n", json_integer(n));
            }
            else if (o.fmt != FY_FMT_CSV)
                fprintf(of->fp, "# n = %d:  N  m_%d(N)  N m_%d(N)\n", n, n, n);
            for (w = 0; w < o.nwidths; w++)
            {
                arb_t nm;
                char *ms, *nms;
                s->width = o.widths[w];
                if ((rc = fy_nnft_corr_compute(c, s, n, prec, err)) != FY_OK)
                {
                    json_decref(jo);
                    json_decref(curve);
                    goto fail;
                }
                arb_init(nm);
                arb_mul_si(nm, c->m, o.widths[w], prec);
                if (root != NULL)
                {
                    json_t *e = json_object();
                    json_object_set_new(e, "N", json_integer(o.widths[w]));
                    json_object_set_new(e, "m", json_real(mid_d(c->m)));
                    json_object_set_new(e, "N_m", json_real(mid_d(nm)));
                    json_object_set_new(e, "m_ball", json_ball(c->m, o.digits + 5));
                    json_array_append_new(curve, e);
                }
                else if (o.fmt == FY_FMT_CSV)
                {
                    fprintf(of->fp, "%d,%ld,", n, o.widths[w]);
                    csv_ball(of->fp, c->m);
                    fprintf(of->fp, ",%.17g\n", mid_d(nm));
                }
                else
                {
                    ms = cert(c->m, o.digits);
                    nms = cert(nm, o.digits);
                    fprintf(of->fp, "%8ld  %s  %s\n", o.widths[w], ms ? ms : "?",
                            nms ? nms : "?");
                    free(ms);
                    free(nms);
                }
                arb_clear(nm);
            }
            if (root != NULL)
            {
                json_object_set_new(jo, "curve", curve);
                json_array_append_new(orders, jo);
            }
        }
        o.norders = 0; /* nothing more per order */
    }
    for (a = 0; a < o.norders; a++)
    {
        int n = o.orders[a];
        json_t *jo = NULL, *tuples = NULL;
        char *ms;
        if ((rc = fy_nnft_corr_compute(c, s, n, prec, err)) != FY_OK)
        {
            /* orders not asked for by --n are skipped with a note when not exact */
            if (rc != FY_EUNSUPPORTED || o.orders_given)
                goto fail;
            if (root != NULL)
            {
                jo = json_object();
                json_object_set_new(jo, "n", json_integer(n));
                json_object_set_new(jo, "unavailable", json_string(err->msg));
                json_array_append_new(orders, jo);
            }
            else if (o.fmt == FY_FMT_CSV)
                fprintf(stderr, "feynn %s: n = %d: not available exactly (%s)\n", CORR, n,
                        err->msg);
            else
                fprintf(of->fp, "n = %d: not available exactly (%s)\n", n, err->msg);
            fy_error_clear(err);
            rc = FY_OK;
            continue;
        }
        ms = cert(c->m, o.digits);
        if (root != NULL)
        {
            jo = json_object();
            tuples = json_array();
            json_object_set_new(jo, "n", json_integer(n));
            json_object_set_new(jo, "tuples_count", json_integer(c->count));
            json_object_set_new(jo, "m", json_real(mid_d(c->m)));
            json_object_set_new(jo, "m_ball", json_ball(c->m, o.digits + 5));
            json_object_set_new(jo, "m_tuples", json_integer(c->m_used));
        }
        else if (o.fmt != FY_FMT_CSV)
        {
            fprintf(of->fp, "n = %d: %ld sorted tuples; m_%d(N = %ld) = %s (over %ld tuples "
                            "with G_GP != 0)\n",
                    n, (long) c->count, n, (long) s->width, ms ? ms : "?", (long) c->m_used);
            if (o.tuples)
                fprintf(of->fp, "#  tuple  G  G_GP  G_c\n");
        }
        free(ms);
        for (t = 0; t < c->count && (root != NULL || o.tuples || o.fmt == FY_FMT_CSV); t++)
        {
            const slong *ix = c->idx + t * n;
            if (o.fmt == FY_FMT_CSV)
            {
                fprintf(of->fp, "%d,", n);
                csv_idx(of->fp, ix, n);
                fputc(',', of->fp);
                csv_ball(of->fp, c->G + t);
                fputc(',', of->fp);
                csv_ball(of->fp, c->gp + t);
                fputc(',', of->fp);
                csv_ball(of->fp, c->conn + t);
                fputc('\n', of->fp);
            }
            else if (root != NULL)
            {
                json_t *e = json_object();
                json_object_set_new(e, "idx", json_idx(ix, n));
                json_object_set_new(e, "G", json_real(mid_d(c->G + t)));
                json_object_set_new(e, "G_ball", json_ball(c->G + t, o.digits + 5));
                json_object_set_new(e, "gp", json_real(mid_d(c->gp + t)));
                json_object_set_new(e, "connected", json_real(mid_d(c->conn + t)));
                json_array_append_new(tuples, e);
            }
            else
            {
                char *g = cert(c->G + t, o.digits), *p = cert(c->gp + t, o.digits),
                     *q = cert(c->conn + t, o.digits);
                for (k = 0; k < n; k++)
                    fprintf(of->fp, "%s%ld", k ? " " : "  ", (long) ix[k]);
                fprintf(of->fp, "  %s  %s  %s\n", g ? g : "?", p ? p : "?", q ? q : "?");
                free(g);
                free(p);
                free(q);
            }
        }
        if (root != NULL)
        {
            json_object_set_new(jo, "tuples", tuples);
            json_array_append_new(orders, jo);
        }
    }
    if (root != NULL)
    {
        json_object_set_new(root, "orders", orders);
        orders = NULL;
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
    }
    else
    {
        of_open = 0;
        if ((rc = fy_ofile_commit(of, err)) != FY_OK)
            goto fail;
    }
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    status = fy_cli_fail(CORR, err);
done:
    json_decref(orders);
    json_decref(root);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
    return status;
}

/* ------------------------------------------------------------------ sample */
#define SAMPLE "nnft sample"

static void sample_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft sample SPEC [options]\n"
            "\n"
            "Monte Carlo over an ensemble of networks (doc/math.md 4.4): for each sorted 2-, 4-,\n"
            "6-tuple of the input points the mean of f(x_i1)..f(x_in) with its standard error,\n"
            "and the [HMS] estimator (10 chunk means: their mean, and the background = std of\n"
            "the chunk means / G_GP); m_n with background where the kernel has a closed form;\n"
            "the kurtosis of the chunk means as a heavy-tail warning (above 5; at most 8.1).\n"
            "Parameters come from the counter-based generator keyed by (seed, network): the\n"
            "numbers do not depend on --threads or on the number of MPI ranks.\n"
            "\n"
            "Options:\n"
            "  --networks M      ensemble size (default 100000, at least 10)\n"
            "  --seed S          generator seed (default 1)\n"
            "  --threads T       OpenMP threads (default: OpenMP's)\n"
            "  --width N         override the spec's width N\n"
            "  --widths LIST     a scan: one ensemble per width (e.g. 2,5,20), handed out to\n"
            "                    the MPI ranks as they come free; one report per width (CSV:\n"
            "                    a width column; JSON: {\"scan\", \"widths\", \"results\"})\n"
            "  --inputs SET      input set instead of the spec's (hms-d1, unit-d1)\n"
            "  --points FILE     input points from FILE\n"
            "  --n LIST          orders to report, from 2,4,6 (default 2,4,6)\n"
            "  --exact           compare every tuple with the exact correlator, where one exists\n"
            "  --check           with --exact: exit 1 if a tuple is more than 5 standard\n"
            "                    errors from the exact value\n"
            "  --tuples          text: list every tuple (JSON and CSV always do)\n"
            "  --format text|json|csv  (csv: a header line, one row per tuple, 17 digits)\n"
            "  -o, --output FILE write there instead of standard output\n"
            "  --checkpoint DIR  resumable: write the running sums to DIR as the run goes (each\n"
            "                    file atomic, checksummed, naming the run's parameters); the\n"
            "                    same command started again after a kill reads them back and\n"
            "                    computes only the rest, with byte-identical results\n"
            "  --checkpoint-networks K  networks per checkpoint (default 1048576; part of the\n"
            "                    run's identity)\n"
            "  -h, --help        this help\n"
            "\n"
            "Beyond one machine: 'mpirun -np R feynn nnft sample ...' (or srun) splits the\n"
            "networks over R ranks in fixed blocks added in block order: the output is\n"
            "byte-identical to one rank's, except the time line (text: the first line; JSON:\n"
            "threads, ranks, time_s, networks_per_s).  Only rank 0 writes.\n"
            "\n"
            "Exit status: 0 success, 1 --check failed, 2 bad usage or input.\n");
}

/* One ensemble's report: text or CSV on fp, or a JSON object.  scan: CSV rows begin with the
 * width. */
typedef struct
{
    const opts_t *o;
    FILE *fp;
    json_t *root;
    double *gp;
    int have_gp, beyond, scan, csv_head;
    long width;
    double worst_all;
} report_t;

static void report_head(report_t *r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc)
{
    double rate = mc->seconds > 0 ? mc->networks / mc->seconds : 0.0;
    if (r->root != NULL)
    {
        json_object_set_new(r->root, "command", json_string(SAMPLE));
        json_object_set_new(r->root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(r->root, "networks", json_integer((json_int_t) mc->networks));
        json_object_set_new(r->root, "seed", json_integer((json_int_t) mc->seed));
        json_object_set_new(r->root, "threads", json_integer(mc->threads));
        json_object_set_new(r->root, "ranks", json_integer(mc->ranks));
        json_object_set_new(r->root, "time_s", json_real(mc->seconds));
        json_object_set_new(r->root, "networks_per_s", json_real(rate));
    }
    else if (r->o->fmt == FY_FMT_CSV)
    {
        if (!r->csv_head++)
            fprintf(r->fp, "%sn,idx,mean,se,hms_mean,hms_std,gp,exact,z\n",
                    r->scan ? "width," : "");
    }
    else
    {
        /* the only line that depends on the machine: threads, ranks, time */
        fprintf(r->fp, "# feynn nnft sample: %llu networks, seed %llu, %d thread(s), %d rank(s), "
                       "%.3g s (%.3g networks/s)\n",
                (unsigned long long) mc->networks, (unsigned long long) mc->seed, mc->threads,
                mc->ranks, mc->seconds, rate);
        print_spec_line(r->fp, s);
    }
}

static void report_tuple(report_t *r, const fy_nnft_mc_t mc, int a, slong t, int have_exact,
                         double ex, double z, json_t *tuples)
{
    const int n = 2 * a + 2;
    const slong *ix = mc->idx[a] + t * n;
    FILE *fp = r->fp;
    int k;
    if (r->root != NULL)
    {
        json_t *e = json_object();
        json_object_set_new(e, "idx", json_idx(ix, n));
        json_object_set_new(e, "mean", json_real(mc->mean[a][t]));
        json_object_set_new(e, "se", json_real(mc->se[a][t]));
        json_object_set_new(e, "hms_mean", json_real(mc->hms_mean[a][t]));
        json_object_set_new(e, "hms_std", json_real(mc->hms_std[a][t]));
        if (r->have_gp)
            json_object_set_new(e, "gp", json_real(r->gp[t]));
        if (have_exact)
        {
            json_object_set_new(e, "exact", json_real(ex));
            json_object_set_new(e, "z", json_real(z));
        }
        json_array_append_new(tuples, e);
    }
    else if (r->o->fmt == FY_FMT_CSV)
    {
        if (r->scan)
            fprintf(fp, "%ld,", r->width);
        fprintf(fp, "%d,", n);
        csv_idx(fp, ix, n);
        fprintf(fp, ",%.17g,%.17g,%.17g,%.17g,", mc->mean[a][t], mc->se[a][t],
                mc->hms_mean[a][t], mc->hms_std[a][t]);
        if (r->have_gp)
            fprintf(fp, "%.17g", r->gp[t]);
        fputc(',', fp);
        if (have_exact)
            fprintf(fp, "%.17g,%.17g", ex, z);
        else
            fputc(',', fp);
        fputc('\n', fp);
    }
    else if (r->o->tuples)
    {
        for (k = 0; k < n; k++)
            fprintf(fp, "%s%ld", k ? " " : "  ", (long) ix[k]);
        fprintf(fp, "  %.10g  %.3g  %.10g  %.3g", mc->mean[a][t], mc->se[a][t],
                mc->hms_mean[a][t], mc->hms_std[a][t]);
        if (r->have_gp)
            fprintf(fp, "  %.10g", r->gp[t]);
        if (have_exact)
            fprintf(fp, "  %.10g  %+.2f", ex, z);
        fprintf(fp, "\n");
    }
}

/* The lines (or the JSON member) of order n. */
static int report_order(report_t *r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc, int n,
                        json_t *orders, fy_error_t err)
{
    const int a = n / 2 - 1;
    const int text = r->root == NULL && r->o->fmt != FY_FMT_CSV;
    int have_exact = 0, rc;
    double m = 0, bg = 0, worst = 0, kurt;
    slong used = 0, t;
    json_t *jo = NULL, *tuples = NULL;
    fy_nnft_corr_t c;
    if (r->have_gp)
    {
        if ((rc = fy_nnft_mc_wick(r->gp, mc, a, s, err)) != FY_OK)
            return rc;
        fy_nnft_mc_deviation(&m, &bg, &used, mc, a, r->gp);
    }
    fy_nnft_corr_init(c);
    if (r->o->exact)
    {
        fy_error_t e2;
        fy_error_init(e2);
        rc = fy_nnft_corr_compute(c, s, n, 64, e2);
        if (rc == FY_OK)
            have_exact = 1;
        else if (rc != FY_EUNSUPPORTED)
        {
            fy_nnft_corr_clear(c);
            return fy_error_set(err, rc, "%s", e2->msg);
        }
        else if (text)
            fprintf(r->fp, "# n = %d: no exact value (%s)\n", n, e2->msg);
    }
    kurt = fy_nnft_mc_chunk_kurtosis(mc, a);
    if (kurt > FY_NNFT_HEAVY_TAIL)
        fprintf(stderr, "feynn %s: warning: n = %d: chunk kurtosis %.2f > %.0f: heavy tails, "
                        "the errors are not reliable (compare with --exact)\n",
                SAMPLE, n, kurt, FY_NNFT_HEAVY_TAIL);
    if (r->root != NULL)
    {
        jo = json_object();
        tuples = json_array();
        json_object_set_new(jo, "n", json_integer(n));
        json_object_set_new(jo, "tuples_count", json_integer(mc->count[a]));
        json_object_set_new(jo, "chunk_kurtosis", json_real(kurt));
        json_object_set_new(jo, "heavy_tails", json_boolean(kurt > FY_NNFT_HEAVY_TAIL));
        if (r->have_gp)
        {
            json_object_set_new(jo, "m", json_real(m));
            json_object_set_new(jo, "background", json_real(bg));
            json_object_set_new(jo, "m_tuples", json_integer(used));
        }
    }
    else if (text && r->have_gp)
        fprintf(r->fp, "n = %d: %ld sorted tuples; m_%d = %.6g, background %.3g%s; "
                       "chunk kurtosis %.2f%s\n",
                n, (long) mc->count[a], n, m, bg, m < bg ? " (below the background)" : "",
                kurt, kurt > FY_NNFT_HEAVY_TAIL ? " (heavy tails)" : "");
    else if (text)
        fprintf(r->fp, "n = %d: %ld sorted tuples (no closed-form kernel: no m_n); chunk "
                       "kurtosis %.2f%s\n",
                n, (long) mc->count[a], kurt, kurt > FY_NNFT_HEAVY_TAIL ? " (heavy tails)" : "");
    if (text && r->o->tuples)
        fprintf(r->fp, "#  tuple  mean  se  hms_mean  hms_std%s%s\n",
                r->have_gp ? "  G_GP" : "", have_exact ? "  exact  z" : "");
    for (t = 0; t < mc->count[a]; t++)
    {
        double ex = 0, z = 0;
        if (have_exact)
        {
            ex = mid_d(c->G + t);
            z = mc->se[a][t] > 0 ? (mc->mean[a][t] - ex) / mc->se[a][t] : 0;
            if (fabs(z) > worst)
                worst = fabs(z);
            r->beyond += fabs(z) > 5;
        }
        report_tuple(r, mc, a, t, have_exact, ex, z, tuples);
    }
    if (have_exact && r->root != NULL)
        json_object_set_new(jo, "worst_z", json_real(worst));
    else if (have_exact && text)
        fprintf(r->fp, "n = %d: exact against Monte Carlo: largest deviation %.2f standard "
                       "errors\n", n, worst);
    if (worst > r->worst_all)
        r->worst_all = worst;
    if (r->root != NULL)
    {
        json_object_set_new(jo, "tuples", tuples);
        json_array_append_new(orders, jo);
    }
    fy_nnft_corr_clear(c);
    return FY_OK;
}

/* The whole report of one ensemble (into r->root when JSON). */
static int report_sample(report_t *r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                         fy_error_t err)
{
    json_t *orders = r->root != NULL ? json_array() : NULL;
    int i, rc = FY_OK;
    {
        arb_t K;
        arb_init(K);
        r->have_gp = fy_nnft_kernel(K, s, 0, 0, 64, NULL) == FY_OK;
        arb_clear(K);
    }
    if ((r->gp = calloc((size_t) mc->count[2] + 1, sizeof(double))) == NULL)
    {
        json_decref(orders);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    report_head(r, s, mc);
    for (i = 0; i < r->o->norders && rc == FY_OK; i++)
        rc = report_order(r, s, mc, r->o->orders[i], orders, err);
    if (r->root != NULL)
        json_object_set_new(r->root, "orders", orders);
    free(r->gp);
    r->gp = NULL;
    return rc;
}

/* Checkpoint notes, on standard error (they differ between a first and a resumed run, the
 * output does not). */
static void checkpoint_note(const opts_t *o, const fy_nnft_run_t run, const char *what)
{
    if (o->checkpoint == NULL)
        return;
    if (run->refused)
        fprintf(stderr, "feynn %s: %s: %llu unusable chunk(s) (another run's, damaged or "
                        "truncated) ignored and recomputed\n",
                SAMPLE, o->checkpoint, (unsigned long long) run->refused);
    if (run->resumed)
        fprintf(stderr, "feynn %s: %s: resumed: %llu of %llu %s read back\n", SAMPLE,
                o->checkpoint, (unsigned long long) run->resumed,
                (unsigned long long) run->segments, what);
}

/* Samples (on every rank), then rank 0 reports.  A scan over --widths gives one report per
 * width (JSON: {"command", "scan", "widths", "ranks", "results": [...]}). */
static int sample_and_report(const opts_t *o, fy_nnft_spec_t s, report_t *r, json_t **jout,
                             fy_error_t err)
{
    fy_par_t par;
    fy_nnft_run_t run;
    fy_nnft_mc_struct *mcs;
    slong nw = o->nwidths > 0 ? o->nwidths : 1, j, widths[64];
    int rc;
    fy_par_world(par);
    fy_nnft_run_init(run);
    run->par = par;
    run->checkpoint = o->checkpoint;
    run->chunk_networks = o->chunk_networks;
    if ((mcs = calloc((size_t) nw, sizeof *mcs)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (j = 0; j < nw; j++)
    {
        fy_nnft_mc_init(mcs + j);
        widths[j] = o->nwidths > 0 ? o->widths[j] : s->width;
    }
    if (o->nwidths > 0)
        rc = fy_nnft_sample_scan(mcs, s, widths, nw, o->networks, o->seed, (int) o->threads,
                                 run, err);
    else
        rc = fy_nnft_sample_run(mcs, s, o->networks, o->seed, (int) o->threads, run, err);
    if (rc == FY_OK && par->rank == 0)
    {
        json_t *results = o->nwidths > 0 && o->fmt == FY_FMT_JSON ? json_array() : NULL;
        checkpoint_note(o, run, o->nwidths > 0 ? "widths" : "segments");
        if (results != NULL)
        {
            *jout = json_object();
            json_object_set_new(*jout, "command", json_string(SAMPLE));
            json_object_set_new(*jout, "scan", json_string("width"));
            json_object_set_new(*jout, "widths", json_array());
            json_object_set_new(*jout, "ranks", json_integer(par->size));
            json_object_set_new(*jout, "results", results);
        }
        for (j = 0; j < nw && rc == FY_OK; j++)
        {
            slong w0 = s->width;
            s->width = widths[j];
            r->scan = o->nwidths > 0;
            r->width = (long) widths[j];
            if (o->fmt == FY_FMT_JSON)
                r->root = json_object();
            else if (o->nwidths > 0 && o->fmt == FY_FMT_TEXT)
                fprintf(r->fp, "%s## width %ld\n", j ? "\n" : "", (long) widths[j]);
            rc = report_sample(r, s, mcs + j, err);
            s->width = w0;
            if (results != NULL)
            {
                json_array_append_new(json_object_get(*jout, "widths"),
                                      json_integer(widths[j]));
                json_array_append_new(results, r->root);
                r->root = NULL;
            }
            else if (r->root != NULL)
            {
                *jout = r->root;
                r->root = NULL;
            }
        }
    }
    for (j = 0; j < nw; j++)
        fy_nnft_mc_clear(mcs + j);
    free(mcs);
    return rc;
}

static int nnft_sample(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_error_t err;
    report_t r;
    fy_par_t par;
    json_t *root = NULL;
    fy_ofile_t of;
    int status = parse_opts(&o, argc, argv, SAMPLE, S_, sample_usage), rc, of_open = 0;
    if (status)
        return status < 0 ? 0 : status;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    memset(&r, 0, sizeof r);
    r.o = &o;
    /* under mpirun / srun every rank runs this; only rank 0 writes */
    if ((rc = fy_par_init(NULL, NULL, err)) != FY_OK)
        goto fail;
    fy_par_world(par);
    if ((rc = fy_par_agree(load_spec(s, &o, err), par, err)) != FY_OK)
        goto fail;
    if (fy_par_rank() == 0 && o.fmt != FY_FMT_JSON)
    {
        if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
            goto fail;
        of_open = 1;
        r.fp = of->fp;
    }
    if ((rc = sample_and_report(&o, s, &r, &root, err)) != FY_OK)
        goto fail;
    if (root != NULL && (rc = write_json(o.out, root, err)) != FY_OK)
        goto fail;
    if (of_open)
    {
        of_open = 0;
        if ((rc = fy_ofile_commit(of, err)) != FY_OK)
            goto fail;
    }
    if (r.beyond)
    {
        fprintf(stderr, "feynn %s: %d tuple(s) more than 5 standard errors from the exact "
                        "value (largest %.2f)\n", SAMPLE, r.beyond, r.worst_all);
        if (o.check)
            status = 1;
    }
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    /* every rank holds the error (fy_par_agree); rank 0 says it */
    status = fy_par_rank() == 0 ? fy_cli_fail(SAMPLE, err) : fy_exit_status(rc);
done:
    json_decref(root);
    fy_nnft_spec_clear(s);
    fy_par_finalize();
    return status;
}

/* ------------------------------------------------------------------ couplings, predict */
static json_t *json_cutoff(double L)
{
    return isinf(L) ? json_string("inf") : json_real(L);
}

static const char *conv_name(int fact)
{
    return fact == FY_NNFT_FACT ? "fact" : "nofact";
}

static const char *conv_text(int fact)
{
    return fact == FY_NNFT_FACT ? "fact (S = S_GP + int lambda/4! f^4)"
                                : "nofact (S = S_GP + int lambda f^4, [HMS]; their code's "
                                  "lambda is -lambda)";
}

/* The ensemble when --mc, sampled from s. */
static int maybe_sample(fy_nnft_mc_t mc, const fy_nnft_spec_t s, const opts_t *o,
                        fy_error_t err)
{
    if (!o->mc)
        return FY_OK;
    return fy_nnft_sample(mc, s, o->networks, o->seed, (int) o->threads, err);
}

static void print_source(FILE *fp, const opts_t *o, const fy_nnft_mc_t mc)
{
    if (o->mc)
        fprintf(fp, "# G^(n) from a Monte Carlo ensemble: %llu networks, seed %llu\n",
                (unsigned long long) mc->networks, (unsigned long long) mc->seed);
    else
        fprintf(fp, "# G^(n) exact at width N (doc/math.md 4.2)\n");
}

#define COUPLINGS "nnft couplings"

static void couplings_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft couplings SPEC [options]\n"
            "       feynn nnft couplings --hms-relu [options]\n"
            "\n"
            "Quartic couplings of the effective action (doc/math.md 4.3) from G4: at each sorted\n"
            "4-tuple lambda = -(G4 - G4_GP) / (24 V), V the vertex integral over\n"
            "[-Lambda, Lambda]^d of K_EFT(x1, x)..K_EFT(x4, x), K_EFT = K - sigma_b^2; their\n"
            "mean and spread; with --templates a linear least-squares fit of G4 - G4_GP over\n"
            "the local, x2-local (|x|^2 f^4) and nonlocal (f(x)^2 f(y)^2) templates with\n"
            "train and test errors (relative to |G4 - G4_GP|); with --scan the cut-off scan\n"
            "of log10|lambda| against log10 Lambda and its slope (relu with sigma_b = 0:\n"
            "exactly -(d + 4)).\n"
            "Sign: couplings of the action, a positive lambda lowers G4.  G4 is exact\n"
            "(gauss, cos; relu with sigma_b = 0 in d = 1) or, with --mc, Monte Carlo.\n"
            "\n"
            "Options:\n"
            "  --hms-relu        the [HMS] ReLU experiment instead of SPEC: relu, d = 1,\n"
            "                    N = 20, sigma_b = 0, inputs 0.2, 0.4, ..., 1.2\n"
            "  --width N         override the spec's width N\n"
            "  --inputs SET      input set instead of the spec's (hms-d1, unit-d1)\n"
            "  --points FILE     input points from FILE\n"
            "  --cutoff L        the cut-off Lambda (default 100; inf only where the\n"
            "                    integral converges: gauss, cos)\n"
            "  --convention C    nofact (lambda f^4, [HMS]; default) or fact (lambda/4! f^4)\n"
            "  --templates LIST  fit over these templates: local,x2-local,nonlocal\n"
            "  --test-points FILE  test the fit on the tuples of these points (default:\n"
            "                    train on even-numbered tuples, test on odd-numbered ones)\n"
            "  --scan LIST       cut-offs of the scan, e.g. 10,100,1000,10000\n"
            "  --mc              G4 from a Monte Carlo ensemble instead of exact\n"
            "  --networks M, --seed S, --threads T   the ensemble (with --mc)\n"
            "  --digits D        digits printed (default 10)\n"
            "  --tuples          text: list every tuple (JSON and CSV always do)\n"
            "  --format text|json|csv  (csv: a header line, one row per tuple, 17 digits)\n"
            "  -o, --output FILE write there instead of standard output\n"
            "  -h, --help        this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input (an infinite cut-off for erf or\n"
            "relu, an unknown template, a spec without exact G4 and no --mc).\n");
}

static int nnft_couplings(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s, st;
    fy_nnft_mc_t mc;
    fy_nnft_couplings_t c, ct;
    fy_nnft_fit_t fit;
    fy_nnft_rg_t rg;
    fy_error_t err;
    int status = parse_opts(&o, argc, argv, COUPLINGS, CP_, couplings_usage), rc = FY_OK, j;
    int have_test = 0;
    slong t, prec;
    json_t *root = NULL;
    fy_ofile_t of;
    int of_open = 0;
    if (status)
        return status < 0 ? 0 : status;
    fy_nnft_spec_init(s);
    fy_nnft_spec_init(st);
    fy_nnft_mc_init(mc);
    fy_nnft_couplings_init(c);
    fy_nnft_couplings_init(ct);
    fy_nnft_rg_init(rg);
    fy_error_init(err);
    prec = 4 * o.digits + 64;
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    if ((rc = maybe_sample(mc, s, &o, err)) != FY_OK)
        goto fail;
    if ((rc = fy_nnft_couplings(c, s, o.mc ? mc : NULL, o.cutoff, (fy_nnft_fact_t) o.fact,
                                prec, err)) != FY_OK)
        goto fail;
    if (o.ntpl > 0)
    {
        if (o.test_points != NULL)
        {
            if ((rc = fy_nnft_spec_set(st, s, err)) != FY_OK
                || (rc = fy_nnft_points_read(st, o.test_points, err)) != FY_OK
                || (rc = fy_nnft_spec_check(st, err)) != FY_OK)
                goto fail;
            if (o.mc)
            {
                fy_nnft_mc_t mt;
                fy_nnft_mc_init(mt);
                rc = fy_nnft_sample(mt, st, o.networks, o.seed + 1, (int) o.threads, err);
                if (rc == FY_OK)
                    rc = fy_nnft_couplings(ct, st, mt, o.cutoff, (fy_nnft_fact_t) o.fact, prec,
                                           err);
                fy_nnft_mc_clear(mt);
            }
            else
                rc = fy_nnft_couplings(ct, st, NULL, o.cutoff, (fy_nnft_fact_t) o.fact, prec,
                                       err);
            if (rc != FY_OK)
                goto fail;
            have_test = 1;
        }
        if ((rc = fy_nnft_couplings_fit(fit, c, have_test ? ct : NULL, s, have_test ? st : NULL,
                                        o.tpl, o.ntpl, prec, err)) != FY_OK)
            goto fail;
    }
    if (o.nscan > 0
        && (rc = fy_nnft_rg_scan(rg, s, o.mc ? mc : NULL, o.scan, o.nscan, prec, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        json_t *tuples = json_array();
        root = json_object();
        json_object_set_new(root, "command", json_string(COUPLINGS));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "source", json_string(o.mc ? "monte carlo" : "exact"));
        if (o.mc)
        {
            json_object_set_new(root, "networks", json_integer((json_int_t) mc->networks));
            json_object_set_new(root, "seed", json_integer((json_int_t) mc->seed));
        }
        json_object_set_new(root, "convention", json_string(conv_name(o.fact)));
        json_object_set_new(root, "cutoff", json_cutoff(o.cutoff));
        json_object_set_new(root, "rigorous", json_boolean(c->rigorous));
        json_object_set_new(root, "lambda_mean", json_real(mid_d(c->lambda_mean)));
        json_object_set_new(root, "lambda_mean_ball", json_ball(c->lambda_mean, o.digits + 5));
        json_object_set_new(root, "lambda_std", json_real(c->lambda_std));
        json_object_set_new(root, "tuples_used", json_integer(c->used));
        for (t = 0; t < c->count; t++)
        {
            json_t *e = json_object();
            json_object_set_new(e, "idx", json_idx(c->idx + 4 * t, 4));
            json_object_set_new(e, "dG4", json_real(mid_d(c->dG4 + t)));
            if (o.mc)
                json_object_set_new(e, "dG4_se", json_real(c->dG4_se[t]));
            json_object_set_new(e, "T", json_real(mid_d(c->T + t)));
            if (arb_is_finite(c->lambda + t))
                json_object_set_new(e, "lambda", json_real(mid_d(c->lambda + t)));
            else
                json_object_set_new(e, "lambda", json_null());
            json_array_append_new(tuples, e);
        }
        json_object_set_new(root, "tuples", tuples);
        if (o.ntpl > 0)
        {
            json_t *jf = json_object(), *jt = json_array();
            for (j = 0; j < o.ntpl; j++)
            {
                json_t *e = json_object();
                json_object_set_new(e, "name", json_string(fy_nnft_tpl_name(fit->tpl[j])));
                json_object_set_new(e, "coupling", json_real(fit->coef[j]));
                json_object_set_new(e, "dropped", json_boolean(fit->dropped[j]));
                json_array_append_new(jt, e);
            }
            json_object_set_new(jf, "templates", jt);
            json_object_set_new(jf, "test_set", json_string(have_test ? o.test_points
                                                                      : "odd tuples"));
            json_object_set_new(jf, "train_tuples", json_integer(fit->ntrain));
            json_object_set_new(jf, "test_tuples", json_integer(fit->ntest));
            json_object_set_new(jf, "train_rms_rel", json_real(fit->train_err));
            json_object_set_new(jf, "test_rms_rel",
                                isfinite(fit->test_err) ? json_real(fit->test_err)
                                                        : json_null());
            json_object_set_new(jf, "train_mape", json_real(fit->train_mape));
            json_object_set_new(jf, "test_mape",
                                isfinite(fit->test_mape) ? json_real(fit->test_mape)
                                                         : json_null());
            json_object_set_new(root, "fit", jf);
        }
        if (o.nscan > 0)
        {
            json_t *js = json_object(), *jp = json_array();
            int k;
            for (k = 0; k < rg->ncut; k++)
            {
                json_t *e = json_object();
                json_object_set_new(e, "cutoff", json_real(rg->cutoff[k]));
                json_object_set_new(e, "mean_log10_lambda",
                                    isfinite(rg->mean_log[k]) ? json_real(rg->mean_log[k])
                                                              : json_null());
                json_array_append_new(jp, e);
            }
            json_object_set_new(js, "points", jp);
            json_object_set_new(js, "slope", json_real(rg->slope));
            json_object_set_new(js, "intercept", json_real(rg->intercept));
            json_object_set_new(js, "r2", json_real(rg->r2));
            json_object_set_new(root, "scan", js);
        }
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
        goto done;
    }
    if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
        goto fail;
    of_open = 1;
    if (o.fmt == FY_FMT_CSV)
    {
        fprintf(of->fp, "idx,dG4,dG4_se,T,lambda\n");
        for (t = 0; t < c->count; t++)
        {
            csv_idx(of->fp, c->idx + 4 * t, 4);
            fprintf(of->fp, ",%.17g,%.17g,%.17g,", mid_d(c->dG4 + t), c->dG4_se[t],
                    mid_d(c->T + t));
            if (arb_is_finite(c->lambda + t))
                fprintf(of->fp, "%.17g", mid_d(c->lambda + t));
            fputc('\n', of->fp);
        }
    }
    else
    {
        char *lm = cert(c->lambda_mean, o.digits);
        fprintf(of->fp, "# feynn nnft couplings: quartic couplings from G4 (doc/math.md 4.3)\n");
        print_spec_line(of->fp, s);
        print_source(of->fp, &o, mc);
        fprintf(of->fp, "# convention %s\n", conv_text(o.fact));
        fprintf(of->fp, "# cut-off Lambda = %g, vertex integrals %s\n", o.cutoff,
                c->rigorous ? "rigorous (balls)" : "error-controlled (not rigorous)");
        fprintf(of->fp, "lambda = %s (mean over %ld of %ld tuples; spread %.3g)\n",
                lm ? lm : "?", (long) c->used, (long) c->count, c->lambda_std);
        free(lm);
        if (o.tuples)
        {
            fprintf(of->fp, "#  tuple  G4 - G4_GP  24 V  lambda\n");
            for (t = 0; t < c->count; t++)
            {
                const slong *ix = c->idx + 4 * t;
                fprintf(of->fp, "  %ld %ld %ld %ld  %.10g  %.10g  %.10g\n", (long) ix[0],
                        (long) ix[1], (long) ix[2], (long) ix[3], mid_d(c->dG4 + t),
                        mid_d(c->T + t),
                        arb_is_finite(c->lambda + t) ? mid_d(c->lambda + t) : NAN);
            }
        }
        if (o.ntpl > 0)
        {
            fprintf(of->fp, "least squares over %d template(s), G4 - G4_GP = -sum_j g_j T_j; "
                            "train: %ld tuples, test: %ld (%s)\n",
                    o.ntpl, (long) fit->ntrain, (long) fit->ntest,
                    have_test ? o.test_points : "odd-numbered tuples");
            for (j = 0; j < o.ntpl; j++)
                fprintf(of->fp, "  %-9s %.10g%s\n", fy_nnft_tpl_name(fit->tpl[j]), fit->coef[j],
                        fit->dropped[j] ? "  (dropped: linearly dependent on the ones above)"
                                        : "");
            fprintf(of->fp, "  train: rms relative error %.3g, MAPE %.3g%%\n", fit->train_err,
                    fit->train_mape);
            fprintf(of->fp, "  test:  rms relative error %.3g, MAPE %.3g%%\n", fit->test_err,
                    fit->test_mape);
        }
        if (o.nscan > 0)
        {
            int k;
            fprintf(of->fp, "cut-off scan: log10 Lambda  mean log10|lambda|\n");
            for (k = 0; k < rg->ncut; k++)
                fprintf(of->fp, "  %8.4f  %.10g\n", log10(rg->cutoff[k]), rg->mean_log[k]);
            fprintf(of->fp, "  slope %.10g, intercept %.10g, r^2 %.10g (%ld points)%s\n",
                    rg->slope, rg->intercept, rg->r2, (long) rg->points,
                    s->act == FY_NNFT_RELU && fmpq_is_zero(s->sigma_b)
                        ? "; relu with sigma_b = 0: -(d + 4) exactly"
                        : "");
        }
    }
    of_open = 0;
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        goto fail;
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    status = fy_cli_fail(COUPLINGS, err);
done:
    json_decref(root);
    fy_nnft_rg_clear(rg);
    fy_nnft_couplings_clear(ct);
    fy_nnft_couplings_clear(c);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(st);
    fy_nnft_spec_clear(s);
    return status;
}

#define PREDICT "nnft predict"

static void predict_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn nnft predict SPEC [options]\n"
            "       feynn nnft predict --hms-relu [options]\n"
            "\n"
            "The 6-point function at every sorted 6-tuple against two predictions of the\n"
            "effective action (doc/math.md 4.3): the free theory G6_GP (Wick) and G6_GP plus the\n"
            "O(lambda) term, the 15 graphs of the engine with one quartic vertex on four points\n"
            "and a free line on the other two (24 contractions each), with lambda the mean of\n"
            "'feynn nnft couplings' at the same cut-off (or --lambda).  Prints the [HMS]\n"
            "ratios, means over the tuples: G6_GP / G6 and (G6_GP + lambda term) / G6.  For\n"
            "--hms-relu at N = 20: 50/93 = 0.538 and 175/186 = 0.941 at every cut-off.\n"
            "\n"
            "Options:\n"
            "  --hms-relu        the [HMS] ReLU experiment instead of SPEC\n"
            "  --width N         override the spec's width N\n"
            "  --inputs SET, --points FILE   input points\n"
            "  --cutoff L        the cut-off Lambda (default 100)\n"
            "  --convention C    nofact (default) or fact: the convention of --lambda\n"
            "  --lambda X        use this coupling instead of the fitted mean\n"
            "  --mc              G4 and G6 from a Monte Carlo ensemble instead of exact\n"
            "  --networks M, --seed S, --threads T   the ensemble (with --mc)\n"
            "  --digits D        digits printed (default 10)\n"
            "  --tuples          text: list every tuple (JSON and CSV always do)\n"
            "  --format text|json|csv  (csv: a header line, one row per tuple, 17 digits)\n"
            "  -o, --output FILE write there instead of standard output\n"
            "  -h, --help        this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input.\n");
}

static int nnft_predict(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_nnft_couplings_t c;
    fy_nnft_predict_t p;
    fy_error_t err;
    int status = parse_opts(&o, argc, argv, PREDICT, PR_, predict_usage), rc = FY_OK;
    slong t, prec;
    arb_t lam, q;
    json_t *root = NULL;
    fy_ofile_t of;
    int of_open = 0;
    if (status)
        return status < 0 ? 0 : status;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_nnft_couplings_init(c);
    fy_nnft_predict_init(p);
    fy_error_init(err);
    arb_init(lam);
    arb_init(q);
    prec = 4 * o.digits + 64;
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    if ((rc = maybe_sample(mc, s, &o, err)) != FY_OK)
        goto fail;
    if (o.lambda_given)
        arb_set_d(lam, o.lambda);
    else
    {
        if ((rc = fy_nnft_couplings(c, s, o.mc ? mc : NULL, o.cutoff, (fy_nnft_fact_t) o.fact,
                                    prec, err)) != FY_OK)
            goto fail;
        arb_set(lam, c->lambda_mean);
    }
    if ((rc = fy_nnft_predict(p, s, o.mc ? mc : NULL, lam, (fy_nnft_fact_t) o.fact, o.cutoff,
                              prec, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        json_t *tuples = json_array();
        root = json_object();
        json_object_set_new(root, "command", json_string(PREDICT));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "source", json_string(o.mc ? "monte carlo" : "exact"));
        if (o.mc)
        {
            json_object_set_new(root, "networks", json_integer((json_int_t) mc->networks));
            json_object_set_new(root, "seed", json_integer((json_int_t) mc->seed));
        }
        json_object_set_new(root, "convention", json_string(conv_name(o.fact)));
        json_object_set_new(root, "cutoff", json_cutoff(o.cutoff));
        json_object_set_new(root, "lambda", json_real(mid_d(lam)));
        json_object_set_new(root, "lambda_given", json_boolean(o.lambda_given));
        json_object_set_new(root, "rigorous", json_boolean(p->rigorous));
        json_object_set_new(root, "tuples_used", json_integer(p->used));
        json_object_set_new(root, "gp_ratio", json_real(mid_d(p->gp_ratio)));
        json_object_set_new(root, "gp_ratio_ball", json_ball(p->gp_ratio, o.digits + 5));
        json_object_set_new(root, "lambda_ratio", json_real(mid_d(p->lambda_ratio)));
        json_object_set_new(root, "lambda_ratio_ball",
                            json_ball(p->lambda_ratio, o.digits + 5));
        for (t = 0; t < p->count; t++)
        {
            json_t *e = json_object();
            json_object_set_new(e, "idx", json_idx(p->idx + 6 * t, 6));
            json_object_set_new(e, "G6", json_real(mid_d(p->G6 + t)));
            json_object_set_new(e, "G6_GP", json_real(mid_d(p->gp + t)));
            json_object_set_new(e, "lambda_term", json_real(mid_d(p->lam + t)));
            json_array_append_new(tuples, e);
        }
        json_object_set_new(root, "tuples", tuples);
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
        goto done;
    }
    if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
        goto fail;
    of_open = 1;
    if (o.fmt == FY_FMT_CSV)
    {
        fprintf(of->fp, "idx,G6,G6_GP,lambda_term,gp_ratio,lambda_ratio\n");
        for (t = 0; t < p->count; t++)
        {
            csv_idx(of->fp, p->idx + 6 * t, 6);
            fprintf(of->fp, ",%.17g,%.17g,%.17g,", mid_d(p->G6 + t), mid_d(p->gp + t),
                    mid_d(p->lam + t));
            if (!arb_contains_zero(p->G6 + t))
            {
                arb_div(q, p->gp + t, p->G6 + t, prec);
                fprintf(of->fp, "%.17g,", mid_d(q));
                arb_add(q, p->gp + t, p->lam + t, prec);
                arb_div(q, q, p->G6 + t, prec);
                fprintf(of->fp, "%.17g", mid_d(q));
            }
            else
                fputc(',', of->fp);
            fputc('\n', of->fp);
        }
    }
    else
    {
        char *ls = cert(lam, o.digits), *g = cert(p->gp_ratio, o.digits),
             *l = cert(p->lambda_ratio, o.digits);
        fprintf(of->fp, "# feynn nnft predict: G6 against the free theory and the quartic "
                        "coupling (doc/math.md 4.3)\n");
        print_spec_line(of->fp, s);
        print_source(of->fp, &o, mc);
        fprintf(of->fp, "# convention %s\n", conv_text(o.fact));
        fprintf(of->fp, "# cut-off Lambda = %g, vertex integrals %s\n", o.cutoff,
                p->rigorous ? "rigorous (balls)" : "error-controlled (not rigorous)");
        fprintf(of->fp, "lambda = %s (%s)\n", ls ? ls : "?",
                o.lambda_given ? "--lambda" : "mean over the 4-tuples");
        fprintf(of->fp, "G6_GP / G6 = %s\n", g ? g : "?");
        fprintf(of->fp, "(G6_GP + lambda term) / G6 = %s\n", l ? l : "?");
        fprintf(of->fp, "(means over %ld of %ld sorted 6-tuples)\n", (long) p->used,
                (long) p->count);
        free(ls);
        free(g);
        free(l);
        if (o.tuples)
        {
            int k;
            fprintf(of->fp, "#  tuple  G6  G6_GP  lambda term\n");
            for (t = 0; t < p->count; t++)
            {
                for (k = 0; k < 6; k++)
                    fprintf(of->fp, "%s%ld", k ? " " : "  ", (long) p->idx[6 * t + k]);
                fprintf(of->fp, "  %.10g  %.10g  %.10g\n", mid_d(p->G6 + t), mid_d(p->gp + t),
                        mid_d(p->lam + t));
            }
        }
    }
    of_open = 0;
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        goto fail;
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    status = fy_cli_fail(PREDICT, err);
done:
    json_decref(root);
    arb_clear(lam);
    arb_clear(q);
    fy_nnft_predict_clear(p);
    fy_nnft_couplings_clear(c);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
    return status;
}
