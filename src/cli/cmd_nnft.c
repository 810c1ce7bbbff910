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
 * This file only parses options (the tables below, cli/opt.h: --help and the man page's
 * OPTIONS blocks come from them) and prints; the numbers come from feynn/nnft.h.  Exit codes:
 * 0 success, 1 a check failed (--check), 2 bad usage or input. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/nnft_cli.h"
#include "cli/opt.h"
#include "feynn/nnft.h"
#include "feynn/num.h"
#include "feynn/par.h"
#include "feynn/util.h"
#include "io/json_num.h"

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
static const fy_cli_dispatch_t nnft_dispatch = {
    .name = "nnft",
    .head = "Usage: feynn nnft COMMAND SPEC [options]\n"
            "\n"
            "Neural-network field theory [HMS] (doc/math.md 4): kernels, exact finite-width\n"
            "correlators and Monte Carlo ensembles of one-hidden-layer networks.\n",
    .tail = "\n"
            "SPEC is an ensemble spec file (doc/nnft-spec.md); couplings and predict also\n"
            "take --hms-relu instead (the [HMS] ReLU experiment).  Run 'feynn nnft COMMAND "
            "--help'.\n",
    .width = 12,
    .subs = nnft_commands,
    .nsubs = sizeof nnft_commands / sizeof nnft_commands[0],
};

int fy_cmd_nnft(int argc, char **argv)
{
    return fy_cli_dispatch(&nnft_dispatch, argc, argv);
}

/* ------------------------------------------------------------------ options */

/* The options of the five commands (each takes those of its table). */
typedef struct
{
    const char *spec, *inputs, *points, *out, *test_points, *checkpoint;
    long width, digits, threads, networks, seed, chunk_networks;
    int quad, check, exact, tuples, mc, hms, fact;
    long orders[3], widths[64];
    int norders, orders_given, nwidths;
    /* couplings, predict */
    double cutoff, scan[64], lambda;
    int nscan, lambda_given;
    fy_nnft_tpl_t tpl[FY_NNFT_NTPL];
    int ntpl;
    /* from the parse: --format, and the bar's setting (fy_opt_progress) */
    int fmt, bar;
} opts_t;

#define MSG(...) (snprintf(msg, size, __VA_ARGS__), 2)

/* --cutoff: a positive number, or inf (refused by the library where it diverges). */
static int opt_cutoff(void *v, const char *s, char *msg, size_t size)
{
    opts_t *o = v;
    char *end;
    double x;
    if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0)
    {
        o->cutoff = INFINITY;
        return 0;
    }
    errno = 0;
    x = strtod(s, &end);
    if (errno || end == s || *end || !(x > 0) || isinf(x))
        return MSG("--cutoff: expected a positive number or inf, got '%s'", s);
    o->cutoff = x;
    return 0;
}

/* --scan: at least two positive finite cut-offs, at most 64. */
static int opt_scan(void *v, const char *s, char *msg, size_t size)
{
    opts_t *o = v;
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
            return MSG("--scan: expected up to 64 positive finite cut-offs separated by "
                       "commas (e.g. 10,100,1000), got '%s'", s);
        o->scan[o->nscan++] = x;
        p = *end ? end + 1 : end;
    }
    if (o->nscan < 2)
        return MSG("--scan: expected at least two cut-offs (e.g. 10,100,1000), got '%s'", s);
    return 0;
}

/* --templates: names of fy_nnft_tpl_parse, each once. */
static int opt_templates(void *v, const char *s, char *msg, size_t size)
{
    opts_t *o = v;
    char buf[64];
    const char *p = s;
    o->ntpl = 0;
    while (*p)
    {
        size_t n = strcspn(p, ",");
        fy_nnft_tpl_t t;
        int k;
        if (n == 0 || n >= sizeof buf)
            return MSG("--templates: expected names separated by commas (local, x2-local, "
                       "nonlocal), got '%s'", s);
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (fy_nnft_tpl_parse(&t, buf) != 0)
            return MSG("--templates: unknown template '%s' (the templates are local, x2-local "
                       "and nonlocal)", buf);
        for (k = 0; k < o->ntpl; k++)
            if (o->tpl[k] == t)
                return MSG("--templates: template '%s' named twice in '%s'", buf, s);
        o->tpl[o->ntpl++] = t;
        p += n;
        if (*p == ',')
            p++;
    }
    if (o->ntpl == 0)
        return MSG("--templates: expected at least one of local, x2-local, nonlocal");
    return 0;
}

static const char *const conv_names[] = {"nofact", "fact", NULL};

/* The entries of the tables, one macro per option (help text given where it differs). */
#define O(f) offsetof(opts_t, f)
#define OPT_HMS                                                                                \
    {.name = "hms-relu", .kind = FY_OPT_FLAG, .off = O(hms),                                   \
     .help = "the [HMS] ReLU experiment instead of SPEC: relu, d = 1, N = 20, sigma_b = 0, "   \
             "inputs 0.2, 0.4, ..., 1.2"}
#define OPT_WIDTH(h)                                                                           \
    {.name = "width", .kind = FY_OPT_INT, .arg = "N", .off = O(width), .lo = 1,                \
     .hi = 1L << 40, .help = h}
#define OPT_INPUTS                                                                             \
    {.name = "inputs", .kind = FY_OPT_STRING, .arg = "SET", .off = O(inputs),                  \
     .help = "a named input set instead of the spec's points (hms-d1, unit-d1, ...; "         \
             "doc/nnft-spec.md)"}
#define OPT_POINTS                                                                             \
    {.name = "points", .kind = FY_OPT_PATH, .arg = "FILE", .off = O(points),                   \
     .help = "input points from FILE (one point a line, d numbers separated by blanks or "    \
             "commas, # comments)"}
#define OPT_DIGITS(h)                                                                          \
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = O(digits), .lo = 1, .hi = 1000,  \
     .def = "10", .help = h}
#define OPT_ORDERS(h)                                                                          \
    {.name = "n", .kind = FY_OPT_LIST, .arg = "LIST", .off = O(orders), .off2 = O(norders),    \
     .lo = 2, .hi = 6, .max = 3, .given = FY_OPT_GIVEN(opts_t, orders_given), .help = h}
#define OPT_WIDTHS(h)                                                                          \
    {.name = "widths", .kind = FY_OPT_LIST, .arg = "LIST", .off = O(widths),                   \
     .off2 = O(nwidths), .lo = 1, .hi = 1L << 40, .max = 64, .help = h}
#define OPT_TUPLES                                                                             \
    {.name = "tuples", .kind = FY_OPT_FLAG, .off = O(tuples),                                  \
     .help = "text: list every tuple (JSON and CSV always do)"}
#define OPT_NETWORKS(h)                                                                        \
    {.name = "networks", .kind = FY_OPT_INT, .arg = "M", .off = O(networks), .lo = 10,         \
     .hi = 1L << 50, .def = "100000", .help = h}
#define OPT_SEED                                                                               \
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = O(seed), .lo = 0,                  \
     .hi = LONG_MAX, .def = "1",                                                               \
     .help = "seed of the counter-based generator (the parameters of network k are keyed by "  \
             "(S, k))"}
#define OPT_THREADS                                                                            \
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = O(threads), .hi = 4096,       \
     .def = "OpenMP's", .help = "OpenMP threads (the numbers do not depend on it)"}
#define OPT_CUTOFF(h)                                                                          \
    {.name = "cutoff", .kind = FY_OPT_CALL, .arg = "L", .call = opt_cutoff, .def = "100",      \
     .help = h}
#define OPT_CONVENTION(h)                                                                      \
    {.name = "convention", .kind = FY_OPT_CHOICE, .arg = "nofact|fact", .off = O(fact),        \
     .choices = conv_names, .def = "nofact", .help = h}
#define OPT_MC(h) {.name = "mc", .kind = FY_OPT_FLAG, .off = O(mc), .help = h}
#define OPT_OUTPUT                                                                             \
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = O(out),       \
     .help = "write there (atomically) instead of standard output"}
#define NNFT_FORMATS ((1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV))

static const fy_opt_t kernel_opts[] = {
    OPT_WIDTH("override the spec's width (K does not depend on it)"),
    OPT_INPUTS,
    OPT_POINTS,
    OPT_DIGITS("certified significant digits"),
    {.name = "quad", .kind = FY_OPT_FLAG, .off = O(quad),
     .help = "also compute K by quadrature over the pre-activation Gaussian and compare"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = O(check),
     .help = "with --quad: exit 1 when the two routes disagree"},
    OPT_OUTPUT,
};

static const fy_opt_t corr_opts[] = {
    OPT_WIDTH("override the spec's width N"),
    OPT_INPUTS,
    OPT_POINTS,
    OPT_ORDERS("orders, from 2,4,6 (default 2,4,6, skipping those without exact moments; "
               "named orders must be exact)"),
    OPT_DIGITS("certified significant digits"),
    OPT_TUPLES,
    OPT_WIDTHS("the curves m_n(N) and N m_n(N) at these widths instead (e.g. "
               "2,3,4,5,10,20,50,100,500,1000; at most 64)"),
    OPT_OUTPUT,
};

static const fy_opt_t sample_opts[] = {
    OPT_NETWORKS("ensemble size (at least 10)"),
    OPT_SEED,
    OPT_THREADS,
    OPT_WIDTH("override the spec's width N"),
    OPT_WIDTHS("a scan: one ensemble per width (e.g. 2,5,20; at most 64), handed out to the "
               "MPI ranks as they come free; one report per width (CSV: a width column; "
               "JSON: {\"scan\", \"widths\", \"results\"})"),
    OPT_INPUTS,
    OPT_POINTS,
    OPT_ORDERS("orders to report, from 2,4,6 (default 2,4,6)"),
    {.name = "exact", .kind = FY_OPT_FLAG, .off = O(exact),
     .help = "compare every tuple with the exact correlator, where one exists"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = O(check),
     .help = "with --exact: exit 1 if a tuple is more than 5 standard errors from the exact "
             "value"},
    OPT_TUPLES,
    OPT_OUTPUT,
    {.name = "checkpoint", .kind = FY_OPT_PATH, .arg = "DIR", .off = O(checkpoint),
     .help = "resumable: write the running sums to DIR as the run goes (each file atomic, "
             "checksummed, naming the run's parameters); the same command started again "
             "after a kill reads them back and computes only the rest, with byte-identical "
             "results"},
    {.name = "checkpoint-networks", .kind = FY_OPT_INT, .arg = "K", .off = O(chunk_networks),
     .lo = 1, .hi = 1L << 50, .def = "1048576",
     .help = "networks per checkpoint (part of the run's identity)"},
};

static const fy_opt_t couplings_opts[] = {
    OPT_HMS,
    OPT_WIDTH("override the spec's width N"),
    OPT_INPUTS,
    OPT_POINTS,
    OPT_CUTOFF("the cut-off Lambda (inf only where the integral converges: gauss, cos)"),
    OPT_CONVENTION("lambda f^4 as [HMS] (nofact) or lambda/4! f^4 (fact)"),
    {.name = "templates", .kind = FY_OPT_CALL, .arg = "LIST", .call = opt_templates,
     .help = "fit over these templates: local,x2-local,nonlocal (a template linearly "
             "dependent on the earlier ones is dropped)"},
    {.name = "test-points", .kind = FY_OPT_PATH, .arg = "FILE", .off = O(test_points),
     .help = "test the fit on the tuples of these points (default: train on even-numbered "
             "tuples, test on odd-numbered ones)"},
    {.name = "scan", .kind = FY_OPT_CALL, .arg = "LIST", .call = opt_scan,
     .help = "cut-offs of the scan of log10|lambda| against log10 Lambda, e.g. "
             "10,100,1000,10000"},
    /* resume (issue 15): the cut-off scan as chunks of a store */
    {.name = "checkpoint", .kind = FY_OPT_PATH, .arg = "DIR", .off = O(checkpoint),
     .help = "with --scan, resumable: each cut-off is written to DIR when done (atomic, "
             "checksummed, naming the run: spec, points, cut-offs, G4); with --mc the "
             "ensemble's running sums too (DIR/ensemble, as nnft sample --checkpoint); the "
             "same command started again after a kill computes only what is missing, with "
             "byte-identical output"},
    OPT_MC("G4 from a Monte Carlo ensemble (--networks, --seed, --threads) instead of exact"),
    OPT_NETWORKS("ensemble size with --mc (at least 10)"),
    OPT_SEED,
    OPT_THREADS,
    OPT_DIGITS("digits printed"),
    OPT_TUPLES,
    OPT_OUTPUT,
};

static const fy_opt_t predict_opts[] = {
    OPT_HMS,
    OPT_WIDTH("override the spec's width N"),
    OPT_INPUTS,
    OPT_POINTS,
    OPT_CUTOFF("the cut-off Lambda (inf only where the integral converges: gauss, cos)"),
    OPT_CONVENTION("the convention of --lambda: lambda f^4 as [HMS] (nofact) or lambda/4! f^4 "
                   "(fact)"),
    {.name = "lambda", .kind = FY_OPT_REAL, .arg = "X", .off = O(lambda),
     .flags = FY_OPT_NO_LO | FY_OPT_NO_HI, .given = FY_OPT_GIVEN(opts_t, lambda_given),
     .help = "use this coupling instead of the fitted mean"},
    OPT_MC("G4 and G6 from a Monte Carlo ensemble (--networks, --seed, --threads) instead of "
           "exact"),
    OPT_NETWORKS("ensemble size with --mc (at least 10)"),
    OPT_SEED,
    OPT_THREADS,
    OPT_DIGITS("digits printed"),
    OPT_TUPLES,
    OPT_OUTPUT,
};
#undef O

const fy_opt_cmd_t fy_opt_nnft_kernel = {
    .name = "nnft kernel",
    .usage = "SPEC [options]",
    .intro =
        "The kernel K(x_i, x_j) = G^(2) of the ensemble at every pair i <= j of its input\n"
        "points, in ball arithmetic from the closed forms and rigorous quadratures of\n"
        "doc/math.md 4.1 (the first line says which); --quad recomputes each by\n"
        "quadrature over the pre-activation Gaussian and compares.  SPEC is an ensemble\n"
        "spec file (doc/nnft-spec.md).",
    .epilog = "Exit status: 0 success, 1 --check found a disagreement, 2 bad usage or input.\n",
    .opts = kernel_opts,
    .nopts = FY_OPT_N(kernel_opts),
    .formats = NNFT_FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-kernel.schema.json) or csv (a header line, "
                   "one row per pair; balls as midpoint to 17 digits and radius)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_correlators = {
    .name = "nnft correlators",
    .usage = "SPEC [options]",
    .intro =
        "Exact finite-width correlators G^(n)(x_i1..x_in) at every sorted tuple of the\n"
        "input points (doc/math.md 4.2: even set partitions, closed-form single-neuron\n"
        "moments), the Gaussian (Wick) values G_GP, the connected parts G_c and the\n"
        "normalised deviation m_n = mean |G - G_GP| / G_GP over the tuples.  Exact for\n"
        "gauss and cos at every n, relu with sigma_b = 0 in d = 1, erf and tanh by rigorous\n"
        "quadrature where the pre-activations have rank <= 2 (d = 1, or at most two\n"
        "distinct points); erf also at rank 3 and 4 (the [HMS] d = 2, 3 sets; slow: about\n"
        "20 s at n = 4), relu at rank 3 by its cone integral where that converges (not\n"
        "on nearly degenerate sets such as hms-d2-relu), tanh at rank 3 (the d = 2 sets:\n"
        "one rigorous grid, about 12 s at n = 4) but not 4.  The moments are computed\n"
        "once for all --widths.",
    .epilog = "Exit status: 0 success, 2 bad usage or input (or an order without exact\n"
              "moments: use feynn nnft sample).\n",
    .opts = corr_opts,
    .nopts = FY_OPT_N(corr_opts),
    .formats = NNFT_FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-correlators.schema.json) or csv (a header "
                   "line, one row per tuple or width)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_sample = {
    .name = "nnft sample",
    .usage = "SPEC [options]",
    .intro =
        "Monte Carlo over an ensemble of networks (doc/math.md 4.4): for each sorted 2-, 4-,\n"
        "6-tuple of the input points the mean of f(x_i1)..f(x_in) with its standard error,\n"
        "and the [HMS] estimator (10 chunk means: their mean, and the background = std of\n"
        "the chunk means / G_GP); m_n with background where the kernel has a closed form;\n"
        "the kurtosis of the chunk means as a heavy-tail warning (above 5; at most 8.1).\n"
        "Parameters come from the counter-based generator keyed by (seed, network): the\n"
        "numbers do not depend on --threads or on the number of MPI ranks.\n"
        "Every ensemble of a spec: also the input layers of nnft spectrum (b_dist gauss|ball|\n"
        "lorentz|user, F one|prop|user, a_mean, phase) and the deeper g (g dense, any\n"
        "g_act); --exact there from the all-partition correlators (the linear g, the\n"
        "single layer; no exact value for another g_act).",
    .epilog =
        "Beyond one machine: 'mpirun -np R feynn nnft sample ...' (or srun) splits the\n"
        "networks over R ranks in fixed blocks added in block order: the output is\n"
        "byte-identical to one rank's, except the time line (text: the first line; JSON:\n"
        "threads, ranks, time_s, networks_per_s).  Only rank 0 writes.\n"
        "\n"
        "Exit status: 0 success, 1 --check failed, 2 bad usage or input.\n",
    .opts = sample_opts,
    .nopts = FY_OPT_N(sample_opts),
    .formats = NNFT_FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-sample.schema.json; a scan: "
                   "nnft-sample-scan.schema.json) or csv (a header line, one row per tuple, "
                   "17 digits)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_couplings = {
    .name = "nnft couplings",
    .usage = "SPEC [options]\n--hms-relu [options]",
    .intro =
        "Quartic couplings of the effective action (doc/math.md 4.3) from G4: at each sorted\n"
        "4-tuple lambda = -(G4 - G4_GP) / (24 V), V the vertex integral over\n"
        "[-Lambda, Lambda]^d of K_EFT(x1, x)..K_EFT(x4, x), K_EFT = K - sigma_b^2; their\n"
        "mean and spread; with --templates a linear least-squares fit of G4 - G4_GP over\n"
        "the local, x2-local (|x|^2 f^4) and nonlocal (f(x)^2 f(y)^2) templates with\n"
        "train and test errors (relative to |G4 - G4_GP|); with --scan the cut-off scan\n"
        "of log10|lambda| against log10 Lambda and its slope (relu with sigma_b = 0:\n"
        "exactly -(d + 4)).\n"
        "Sign: couplings of the action, a positive lambda lowers G4.  G4 is exact\n"
        "(gauss, cos; relu with sigma_b = 0 in d = 1) or, with --mc, Monte Carlo.",
    .epilog = "Beyond one machine: under 'mpirun -np R' (or srun) the cut-offs of --scan are\n"
              "handed out to the ranks; the output is byte-identical to one rank's.\n"
              "\n"
              "Exit status: 0 success, 2 bad usage or input (an infinite cut-off for erf or\n"
              "relu, an unknown template, a spec without exact G4 and no --mc).\n",
    .opts = couplings_opts,
    .nopts = FY_OPT_N(couplings_opts),
    .formats = NNFT_FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-couplings.schema.json) or csv (a header "
                   "line, one row per tuple, 17 digits)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_predict = {
    .name = "nnft predict",
    .usage = "SPEC [options]\n--hms-relu [options]",
    .intro =
        "The 6-point function at every sorted 6-tuple against two predictions of the\n"
        "effective action (doc/math.md 4.3): the free theory G6_GP (Wick) and G6_GP plus the\n"
        "O(lambda) term, the 15 graphs of the engine with one quartic vertex on four points\n"
        "and a free line on the other two (24 contractions each), with lambda the mean of\n"
        "'feynn nnft couplings' at the same cut-off (or --lambda).  Prints the [HMS]\n"
        "ratios, means over the tuples: G6_GP / G6 and (G6_GP + lambda term) / G6.  For\n"
        "--hms-relu at N = 20: 50/93 = 0.538 and 175/186 = 0.941 at every cut-off.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = predict_opts,
    .nopts = FY_OPT_N(predict_opts),
    .formats = NNFT_FORMATS,
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-predict.schema.json) or csv (a header line, "
                   "one row per tuple, 17 digits)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* Parses argv for cmd into o (defaults first), then what the table cannot say: --n from
 * 2, 4, 6; one SPEC, or --hms-relu where the command takes it.  Returns -1 to go on, or the
 * exit status (0 after --help, 2 after a usage error). */
static int nnft_start(opts_t *o, const fy_opt_cmd_t *cmd, int argc, char **argv)
{
    fy_opt_state_t st;
    int rc, a, hms = cmd->opts == couplings_opts || cmd->opts == predict_opts;
    memset(o, 0, sizeof *o);
    o->digits = 10;
    o->networks = 100000;
    o->seed = 1;
    o->orders[0] = 2;
    o->orders[1] = 4;
    o->orders[2] = 6;
    o->norders = 3;
    o->cutoff = 100;
    o->fact = FY_NNFT_NOFACT;
    if ((rc = fy_opt_start(st, o, cmd, argc, argv)) >= 0)
        return rc;
    o->fmt = st->format;
    o->bar = fy_opt_progress(st);
    o->spec = st->noperands > 0 ? st->operands[0] : NULL;
    fy_opt_state_clear(st);
    for (a = 0; a < o->norders; a++)
        if (o->orders[a] % 2 != 0)
            return fy_cli_usage_error(cmd->name, "--n: expected orders from 2, 4, 6 (e.g. "
                                      "2,4), got %ld", o->orders[a]);
    if (o->spec == NULL && !o->hms)
        return fy_cli_usage_error(cmd->name, "missing the spec file (doc/nnft-spec.md)%s",
                                  hms ? " or --hms-relu" : "");
    if (o->spec != NULL && o->hms)
        return fy_cli_usage_error(cmd->name, "--hms-relu replaces the spec file: give one or "
                                  "the other, not both");
    if (cmd->opts == couplings_opts && o->checkpoint != NULL && o->nscan == 0)
        return fy_cli_usage_error(cmd->name, "--checkpoint keeps the cut-offs of a scan: give "
                                  "--scan LIST too");
    return -1;
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
        if (s->g != FY_NNFT_G_IDENTITY) /* a deeper g on the input layer */
        {
            char *sg = qstr(s->sigma_g), *sgb = qstr(s->sigma_gb);
            fprintf(fp, "# neurons h_i = g(sum_j W_ij l_j(x) + beta_i): g %s, g_act %s, "
                        "g_width %ld, sigma_g %s, sigma_gb %s\n", fy_nnft_g_name(s->g),
                    fy_nnft_gact_name(s->g_act), (long) s->g_width, sg, sgb);
            free(sg);
            free(sgb);
        }
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

/* The output of a text or CSV report: -o FILE (written atomically) or standard output. */
static int out_open(fy_ofile_t of, int *open, const opts_t *o, fy_error_t err)
{
    int rc = fy_ofile_open(of, o->out ? o->out : "-", err);
    *open = rc == FY_OK;
    return rc;
}

/* ------------------------------------------------------------------ kernel */
#define KERNEL "nnft kernel"

static void kernel_head(FILE *fp, const opts_t *o, const fy_nnft_spec_t s, int closed)
{
    if (o->fmt == FY_FMT_CSV)
    {
        fprintf(fp, "i,j,K,K_rad%s\n", o->quad && closed ? ",quad,quad_rad,agree" : "");
        return;
    }
    fprintf(fp, "# feynn nnft kernel: K(x_i, x_j) = G^(2) (doc/math.md 4.1), %s, %ld "
                "certified digits\n",
            closed ? "closed form" : "quadrature", o->digits);
    print_spec_line(fp, s);
    fprintf(fp, "#   i    j  K%s\n", o->quad && closed ? "  (quadrature)" : "");
}

/* One pair: a JSON element of arr, or a CSV or text line on fp.  Q is the quadrature's value
 * when quad. */
static void kernel_row(json_t *arr, FILE *fp, const opts_t *o, slong i, slong j, const arb_t K,
                       const arb_t Q, int quad, int agree)
{
    char *ks, *qs = NULL;
    if (arr != NULL)
    {
        json_t *e = json_object();
        json_object_set_new(e, "i", json_integer(i));
        json_object_set_new(e, "j", json_integer(j));
        json_object_set_new(e, "K", json_real(mid_d(K)));
        json_object_set_new(e, "ball", fy_json_ball(K, o->digits + 5));
        if (quad)
        {
            json_object_set_new(e, "quad", fy_json_ball(Q, o->digits + 5));
            json_object_set_new(e, "agree", json_boolean(agree));
        }
        json_array_append_new(arr, e);
        return;
    }
    if (o->fmt == FY_FMT_CSV)
    {
        fprintf(fp, "%ld,%ld,", (long) i, (long) j);
        csv_ball(fp, K);
        if (quad)
        {
            fputc(',', fp);
            csv_ball(fp, Q);
            fprintf(fp, ",%d", agree);
        }
        fputc('\n', fp);
        return;
    }
    ks = cert(K, o->digits);
    if (quad)
        qs = cert(Q, o->digits);
    fprintf(fp, "%5ld %4ld  %s%s%s%s\n", (long) i, (long) j, ks ? ks : "?", qs ? "  (" : "",
            qs ? qs : "", qs ? (agree ? ")" : ")  DISAGREE") : "");
    free(ks);
    free(qs);
}

/* Every pair i <= j, with the quadrature beside the closed form when asked; *disagree counts
 * the pairs where the two balls do not overlap. */
static int kernel_pairs(json_t *arr, FILE *fp, const opts_t *o, const fy_nnft_spec_t s,
                        int closed, slong prec, int *disagree, fy_error_t err)
{
    const int quad = o->quad && closed;
    fy_progress_t bar;
    arb_t K, Q;
    slong i, j, done = 0;
    int rc = FY_OK;
    arb_init(K);
    arb_init(Q);
    fy_progress_init(bar, KERNEL, (double) (s->npoints * (s->npoints + 1) / 2), o->bar);
    for (i = 0; i < s->npoints && rc == FY_OK; i++)
        for (j = i; j < s->npoints && rc == FY_OK; j++)
        {
            int agree = 1;
            rc = closed ? fy_nnft_kernel(K, s, i, j, prec, err)
                        : fy_nnft_kernel_quad(K, s, i, j, prec, err);
            if (rc == FY_OK && quad && (rc = fy_nnft_kernel_quad(Q, s, i, j, prec, err)) == FY_OK)
            {
                agree = arb_overlaps(K, Q);
                *disagree += !agree;
            }
            if (rc == FY_OK)
                kernel_row(arr, fp, o, i, j, K, Q, quad, agree);
            fy_progress_update(bar, (double) ++done);
        }
    fy_progress_clear(bar);
    arb_clear(K);
    arb_clear(Q);
    return rc;
}

static int nnft_kernel(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_error_t err;
    int status = nnft_start(&o, &fy_opt_nnft_kernel, argc, argv), rc = FY_OK;
    int closed = 1, disagree = 0, of_open = 0;
    slong prec;
    json_t *root = NULL, *arr = NULL;
    fy_ofile_t of;
    if (status >= 0)
        return status;
    status = 0;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    prec = 4 * o.digits + 64;
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    {
        arb_t K;
        arb_init(K);
        closed = fy_nnft_kernel(K, s, 0, 0, prec, NULL) == FY_OK;
        arb_clear(K);
    }
    if (o.fmt == FY_FMT_JSON)
    {
        root = json_object();
        arr = json_array();
        json_object_set_new(root, "command", json_string(KERNEL));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "method", json_string(closed ? "closed form" : "quadrature"));
        json_object_set_new(root, "kernel", arr);
    }
    else if ((rc = out_open(of, &of_open, &o, err)) != FY_OK)
        goto fail;
    else
        kernel_head(of->fp, &o, s, closed);
    if ((rc = kernel_pairs(arr, of_open ? of->fp : NULL, &o, s, closed, prec, &disagree, err))
        != FY_OK)
        goto fail;
    if (root != NULL)
    {
        if (o.quad && closed)
            json_object_set_new(root, "disagreements", json_integer(disagree));
        if ((rc = write_json(o.out, root, err)) != FY_OK)
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
    fy_nnft_spec_clear(s);
    return status;
}

/* ------------------------------------------------------------------ correlators */
#define CORR "nnft correlators"

/* Where a report goes: the JSON array of the orders, or the text or CSV file; and the bar. */
typedef struct
{
    const opts_t *o;
    json_t *orders; /* JSON: one member per order */
    FILE *fp;       /* text, CSV */
    slong prec;
    fy_progress_struct *bar;
    double done;
} corr_out_t;

static void corr_head(corr_out_t *w, const fy_nnft_spec_t s)
{
    if (w->o->fmt == FY_FMT_CSV)
        fprintf(w->fp, w->o->nwidths > 0 ? "n,N,m,m_rad,N_m\n"
                                         : "n,idx,G,G_rad,G_GP,G_GP_rad,G_c,G_c_rad\n");
    else
    {
        fprintf(w->fp, "# feynn nnft correlators: exact G^(n) at width N (doc/math.md 4.2), "
                       "%ld certified digits\n", w->o->digits);
        print_spec_line(w->fp, s);
    }
}

/* One point (N, m_n(N), N m_n(N)) of a curve: into curve (JSON) or a line. */
static void corr_curve_point(corr_out_t *w, json_t *curve, int n, long N, const arb_t m,
                             const arb_t nm)
{
    const opts_t *o = w->o;
    if (curve != NULL)
    {
        json_t *e = json_object();
        json_object_set_new(e, "N", json_integer(N));
        json_object_set_new(e, "m", json_real(mid_d(m)));
        json_object_set_new(e, "N_m", json_real(mid_d(nm)));
        json_object_set_new(e, "m_ball", fy_json_ball(m, o->digits + 5));
        json_array_append_new(curve, e);
    }
    else if (o->fmt == FY_FMT_CSV)
    {
        fprintf(w->fp, "%d,%ld,", n, N);
        csv_ball(w->fp, m);
        fprintf(w->fp, ",%.17g\n", mid_d(nm));
    }
    else
    {
        char *ms = cert(m, o->digits), *nms = cert(nm, o->digits);
        fprintf(w->fp, "%8ld  %s  %s\n", N, ms ? ms : "?", nms ? nms : "?");
        free(ms);
        free(nms);
    }
}

/* The exact curve m_n(N) over --widths: the single-neuron moments once for every width
 * (fy_nnft_corr_compute_widths); c is not used. */
static int corr_curve(corr_out_t *w, fy_nnft_spec_t s, fy_nnft_corr_t c, int n,
                      fy_error_t err)
{
    const opts_t *o = w->o;
    json_t *jo = NULL, *curve = NULL;
    fy_nnft_corr_struct *cw = malloc(sizeof *cw * (size_t) o->nwidths);
    slong widths[64];
    int k, rc;
    (void) c;
    if (cw == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (%d widths)", o->nwidths);
    for (k = 0; k < o->nwidths; k++)
    {
        fy_nnft_corr_init(cw + k);
        widths[k] = o->widths[k];
    }
    rc = fy_nnft_corr_compute_widths(cw, s, n, widths, o->nwidths, w->prec, err);
    if (rc == FY_OK && w->orders != NULL)
    {
        jo = json_object();
        curve = json_array();
        json_object_set_new(jo, "n", json_integer(n));
        json_object_set_new(jo, "curve", curve);
    }
    else if (rc == FY_OK && o->fmt != FY_FMT_CSV)
        fprintf(w->fp, "# n = %d:  N  m_%d(N)  N m_%d(N)\n", n, n, n);
    for (k = 0; k < o->nwidths && rc == FY_OK; k++)
    {
        arb_t nm;
        arb_init(nm);
        arb_mul_si(nm, cw[k].m, o->widths[k], w->prec);
        corr_curve_point(w, curve, n, o->widths[k], cw[k].m, nm);
        arb_clear(nm);
        fy_progress_update(w->bar, ++w->done);
    }
    for (k = 0; k < o->nwidths; k++)
        fy_nnft_corr_clear(cw + k);
    free(cw);
    if (jo != NULL)
        json_array_append_new(w->orders, jo);
    return rc;
}

/* Tuple t of c: a JSON element of tuples, a CSV row, or a text line. */
static void corr_tuple(corr_out_t *w, json_t *tuples, const fy_nnft_corr_t c, int n, slong t)
{
    const opts_t *o = w->o;
    const slong *ix = c->idx + t * n;
    FILE *fp = w->fp;
    int k;
    if (o->fmt == FY_FMT_CSV)
    {
        fprintf(fp, "%d,", n);
        csv_idx(fp, ix, n);
        fputc(',', fp);
        csv_ball(fp, c->G + t);
        fputc(',', fp);
        csv_ball(fp, c->gp + t);
        fputc(',', fp);
        csv_ball(fp, c->conn + t);
        fputc('\n', fp);
    }
    else if (tuples != NULL)
    {
        json_t *e = json_object();
        json_object_set_new(e, "idx", json_idx(ix, n));
        json_object_set_new(e, "G", json_real(mid_d(c->G + t)));
        json_object_set_new(e, "G_ball", fy_json_ball(c->G + t, o->digits + 5));
        json_object_set_new(e, "gp", json_real(mid_d(c->gp + t)));
        json_object_set_new(e, "connected", json_real(mid_d(c->conn + t)));
        json_array_append_new(tuples, e);
    }
    else
    {
        char *g = cert(c->G + t, o->digits), *p = cert(c->gp + t, o->digits),
             *q = cert(c->conn + t, o->digits);
        for (k = 0; k < n; k++)
            fprintf(fp, "%s%ld", k ? " " : "  ", (long) ix[k]);
        fprintf(fp, "  %s  %s  %s\n", g ? g : "?", p ? p : "?", q ? q : "?");
        free(g);
        free(p);
        free(q);
    }
}

/* An order without exact moments that --n did not name: a note instead of the numbers. */
static void corr_unavailable(corr_out_t *w, int n, const char *why)
{
    if (w->orders != NULL)
    {
        json_t *jo = json_object();
        json_object_set_new(jo, "n", json_integer(n));
        json_object_set_new(jo, "unavailable", json_string(why));
        json_array_append_new(w->orders, jo);
    }
    else if (w->o->fmt == FY_FMT_CSV)
        fprintf(stderr, "feynn %s: n = %d: not available exactly (%s)\n", CORR, n, why);
    else
        fprintf(w->fp, "n = %d: not available exactly (%s)\n", n, why);
}

/* Order n at the spec's width: m_n, and every tuple where the format lists them. */
static int corr_order(corr_out_t *w, const fy_nnft_spec_t s, fy_nnft_corr_t c, int n,
                      fy_error_t err)
{
    const opts_t *o = w->o;
    json_t *jo = NULL, *tuples = NULL;
    char *ms;
    slong t;
    int rc = fy_nnft_corr_compute(c, s, n, w->prec, err);
    fy_progress_update(w->bar, ++w->done);
    if (rc != FY_OK)
    {
        /* orders not asked for by --n are skipped with a note when not exact */
        if (rc != FY_EUNSUPPORTED || o->orders_given)
            return rc;
        corr_unavailable(w, n, err->msg);
        fy_error_clear(err);
        return FY_OK;
    }
    ms = cert(c->m, o->digits);
    if (w->orders != NULL)
    {
        jo = json_object();
        tuples = json_array();
        json_object_set_new(jo, "n", json_integer(n));
        json_object_set_new(jo, "tuples_count", json_integer(c->count));
        json_object_set_new(jo, "m", json_real(mid_d(c->m)));
        json_object_set_new(jo, "m_ball", fy_json_ball(c->m, o->digits + 5));
        json_object_set_new(jo, "m_tuples", json_integer(c->m_used));
        json_object_set_new(jo, "tuples", tuples);
        json_array_append_new(w->orders, jo);
    }
    else if (o->fmt != FY_FMT_CSV)
    {
        fprintf(w->fp, "n = %d: %ld sorted tuples; m_%d(N = %ld) = %s (over %ld tuples "
                       "with G_GP != 0)\n",
                n, (long) c->count, n, (long) s->width, ms ? ms : "?", (long) c->m_used);
        if (o->tuples)
            fprintf(w->fp, "#  tuple  G  G_GP  G_c\n");
    }
    free(ms);
    for (t = 0; t < c->count && (tuples != NULL || o->tuples || o->fmt == FY_FMT_CSV); t++)
        corr_tuple(w, tuples, c, n, t);
    return FY_OK;
}

static int nnft_correlators(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_nnft_corr_t c;
    fy_error_t err;
    fy_progress_t bar;
    corr_out_t w;
    int status = nnft_start(&o, &fy_opt_nnft_correlators, argc, argv), rc = FY_OK, a;
    int of_open = 0;
    json_t *root = NULL;
    fy_ofile_t of;
    if (status >= 0)
        return status;
    status = 0;
    fy_nnft_spec_init(s);
    fy_nnft_corr_init(c);
    fy_error_init(err);
    memset(&w, 0, sizeof w);
    w.o = &o;
    w.prec = 4 * o.digits + 64;
    w.bar = bar;
    fy_progress_init(bar, CORR, (double) o.norders * (o.nwidths > 0 ? o.nwidths : 1), o.bar);
    if ((rc = load_spec(s, &o, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        root = json_object();
        w.orders = json_array();
        json_object_set_new(root, "command", json_string(CORR));
        json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
        json_object_set_new(root, "width", json_integer(s->width));
        json_object_set_new(root, "orders", w.orders);
    }
    else if ((rc = out_open(of, &of_open, &o, err)) != FY_OK)
        goto fail;
    else
    {
        w.fp = of->fp;
        corr_head(&w, s);
    }
    /* the exact curves m_n(N), or each order at the spec's width */
    for (a = 0; a < o.norders && rc == FY_OK; a++)
        rc = o.nwidths > 0 ? corr_curve(&w, s, c, (int) o.orders[a], err)
                           : corr_order(&w, s, c, (int) o.orders[a], err);
    fy_progress_clear(bar);
    if (rc != FY_OK)
        goto fail;
    if (root != NULL)
    {
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
    fy_progress_clear(bar);
    if (of_open)
        fy_ofile_abort(of);
    status = fy_cli_fail(CORR, err);
done:
    json_decref(root);
    fy_nnft_corr_clear(c);
    fy_nnft_spec_clear(s);
    return status;
}

/* ------------------------------------------------------------------ sample */
#define SAMPLE "nnft sample"

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
        if (rc == FY_EUNSUPPORTED && fy_nnft_has_odd(s)) /* qft14: deeper g, the Z2 switch */
            rc = fy_nnft_euclid_corr_compute(c, s, n, 64, e2);
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
        rc = report_order(r, s, mc, (int) r->o->orders[i], orders, err);
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
    fy_progress_t bar;
    slong nw = o->nwidths > 0 ? o->nwidths : 1, j, widths[64];
    int rc;
    fy_par_world(par);
    fy_nnft_run_init(run);
    run->par = par;
    run->checkpoint = o->checkpoint;
    run->chunk_networks = (uint64_t) o->chunk_networks;
    /* the bar counts the [HMS] chunks done, or the widths of a scan (rank 0 draws it) */
    fy_progress_init(bar, SAMPLE, o->nwidths > 0 ? (double) nw : (double) FY_NNFT_CHUNKS,
                     par->rank == 0 ? o->bar : 0);
    run->progress = bar;
    if ((mcs = calloc((size_t) nw, sizeof *mcs)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (j = 0; j < nw; j++)
    {
        fy_nnft_mc_init(mcs + j);
        widths[j] = o->nwidths > 0 ? o->widths[j] : s->width;
    }
    if (o->nwidths > 0)
        rc = fy_nnft_sample_scan(mcs, s, widths, nw, (uint64_t) o->networks,
                                 (uint64_t) o->seed, (int) o->threads, run, err);
    else
        rc = fy_nnft_sample_run(mcs, s, (uint64_t) o->networks, (uint64_t) o->seed,
                                (int) o->threads, run, err);
    fy_progress_clear(bar);
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
    int status = nnft_start(&o, &fy_opt_nnft_sample, argc, argv), rc, of_open = 0;
    if (status >= 0)
        return status;
    status = 0;
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

/* A Monte Carlo ensemble of s (--mc) with the given seed, with the bar of --progress.
 * resume (issue 15): with ck (couplings --scan --checkpoint DIR: DIR/ensemble) the ensemble is
 * sampled over the ranks of the run with its running sums in that store (as nnft sample
 * --checkpoint), so a restart reads the finished segments back. */
static int mc_sample(fy_nnft_mc_t mc, const fy_nnft_spec_t s, const opts_t *o, uint64_t seed,
                     const char *label, const char *ck, fy_error_t err)
{
    fy_nnft_run_t run;
    fy_progress_t bar;
    fy_par_t par;
    int rc;
    fy_nnft_run_init(run);
    fy_par_world(par);
    if (ck != NULL)
    {
        run->par = par;
        run->checkpoint = ck;
    }
    fy_progress_init(bar, label, (double) FY_NNFT_CHUNKS, par->rank == 0 ? o->bar : 0);
    run->progress = bar;
    rc = fy_nnft_sample_run(mc, s, (uint64_t) o->networks, seed, (int) o->threads, run, err);
    fy_progress_clear(bar);
    if (rc == FY_OK && ck != NULL && par->rank == 0 && run->refused)
        fprintf(stderr, "feynn %s: %s: %llu unusable chunk(s) (another run's, damaged or "
                        "truncated) ignored and recomputed\n",
                label, ck, (unsigned long long) run->refused);
    if (rc == FY_OK && ck != NULL && par->rank == 0 && run->resumed)
        fprintf(stderr, "feynn %s: %s: resumed: %llu of %llu segments read back\n", label, ck,
                (unsigned long long) run->resumed, (unsigned long long) run->segments);
    return rc;
}

static void print_source(FILE *fp, const opts_t *o, const fy_nnft_mc_t mc)
{
    if (o->mc)
        fprintf(fp, "# G^(n) from a Monte Carlo ensemble: %llu networks, seed %llu\n",
                (unsigned long long) mc->networks, (unsigned long long) mc->seed);
    else
        fprintf(fp, "# G^(n) exact at width N (doc/math.md 4.2)\n");
}

/* The common head of the JSON objects of couplings and predict. */
static void json_eft_head(json_t *root, const char *cmd, const opts_t *o,
                          const fy_nnft_spec_t s, const fy_nnft_mc_t mc)
{
    json_object_set_new(root, "command", json_string(cmd));
    json_object_set_new(root, "spec", fy_nnft_cli_json_spec(s));
    json_object_set_new(root, "source", json_string(o->mc ? "monte carlo" : "exact"));
    if (o->mc)
    {
        json_object_set_new(root, "networks", json_integer((json_int_t) mc->networks));
        json_object_set_new(root, "seed", json_integer((json_int_t) mc->seed));
    }
    json_object_set_new(root, "convention", json_string(conv_name(o->fact)));
    json_object_set_new(root, "cutoff", json_cutoff(o->cutoff));
}

/* The common head of the text reports of couplings and predict. */
static void text_eft_head(FILE *fp, const char *title, const opts_t *o,
                          const fy_nnft_spec_t s, const fy_nnft_mc_t mc, int rigorous)
{
    fprintf(fp, "%s", title);
    print_spec_line(fp, s);
    print_source(fp, o, mc);
    fprintf(fp, "# convention %s\n", conv_text(o->fact));
    fprintf(fp, "# cut-off Lambda = %g, vertex integrals %s\n", o->cutoff,
            rigorous ? "rigorous (balls)" : "error-controlled (not rigorous)");
}

#define COUPLINGS "nnft couplings"

/* What nnft couplings computes. */
typedef struct
{
    fy_nnft_spec_t s, st;       /* the ensemble; the same at the test points */
    fy_nnft_mc_t mc;            /* with --mc */
    fy_nnft_couplings_t c, ct;  /* at the points; at the test points */
    fy_nnft_fit_t fit;
    fy_nnft_rg_t rg;
    int have_test;
} cpl_t;

static void cpl_init(cpl_t *x)
{
    memset(x, 0, sizeof *x);
    fy_nnft_spec_init(x->s);
    fy_nnft_spec_init(x->st);
    fy_nnft_mc_init(x->mc);
    fy_nnft_couplings_init(x->c);
    fy_nnft_couplings_init(x->ct);
    fy_nnft_rg_init(x->rg);
}

static void cpl_clear(cpl_t *x)
{
    fy_nnft_rg_clear(x->rg);
    fy_nnft_couplings_clear(x->ct);
    fy_nnft_couplings_clear(x->c);
    fy_nnft_mc_clear(x->mc);
    fy_nnft_spec_clear(x->st);
    fy_nnft_spec_clear(x->s);
}

/* The couplings at the points of --test-points (their own ensemble, seed + 1, with --mc). */
static int couplings_test(cpl_t *x, const opts_t *o, slong prec, fy_error_t err)
{
    int rc;
    if ((rc = fy_nnft_spec_set(x->st, x->s, err)) != FY_OK
        || (rc = fy_nnft_points_read(x->st, o->test_points, err)) != FY_OK
        || (rc = fy_nnft_spec_check(x->st, err)) != FY_OK)
        return rc;
    if (o->mc)
    {
        fy_nnft_mc_t mt;
        fy_nnft_mc_init(mt);
        rc = mc_sample(mt, x->st, o, (uint64_t) o->seed + 1, COUPLINGS " (test)", NULL, err);
        if (rc == FY_OK)
            rc = fy_nnft_couplings(x->ct, x->st, mt, o->cutoff, (fy_nnft_fact_t) o->fact, prec,
                                   err);
        fy_nnft_mc_clear(mt);
    }
    else
        rc = fy_nnft_couplings(x->ct, x->st, NULL, o->cutoff, (fy_nnft_fact_t) o->fact, prec,
                               err);
    x->have_test = rc == FY_OK;
    return rc;
}

static int couplings_compute(cpl_t *x, const opts_t *o, slong prec, fy_error_t err)
{
    int rc;
    if ((rc = load_spec(x->s, o, err)) != FY_OK)
        return rc;
    if (o->mc)
    {
        char ck[4200];
        if (o->checkpoint != NULL && (size_t) snprintf(ck, sizeof ck, "%s/ensemble",
                                                       o->checkpoint) >= sizeof ck)
            return fy_error_set(err, FY_EUSAGE, "--checkpoint %s: the folder name is too long",
                                o->checkpoint);
        rc = mc_sample(x->mc, x->s, o, (uint64_t) o->seed, COUPLINGS,
                       o->checkpoint != NULL ? ck : NULL, err);
        if (rc != FY_OK)
            return rc;
    }
    if ((rc = fy_nnft_couplings(x->c, x->s, o->mc ? x->mc : NULL, o->cutoff,
                                (fy_nnft_fact_t) o->fact, prec, err)) != FY_OK)
        return rc;
    if (o->ntpl > 0)
    {
        if (o->test_points != NULL && (rc = couplings_test(x, o, prec, err)) != FY_OK)
            return rc;
        if ((rc = fy_nnft_couplings_fit(x->fit, x->c, x->have_test ? x->ct : NULL, x->s,
                                        x->have_test ? x->st : NULL, o->tpl, o->ntpl, prec,
                                        err)) != FY_OK)
            return rc;
    }
    if (o->nscan > 0)
    {
        /* the cut-offs are the jobs of a scan over the ranks (one rank outside mpirun) */
        fy_par_t par;
        fy_par_store_t st;
        fy_par_world(par);
        fy_par_store_init(st);
        /* resume (issue 15): rank 0 opens the store, the library names the chunks */
        if (o->checkpoint != NULL && par->rank == 0)
            rc = fy_par_store_open(st, o->checkpoint, "feynn " COUPLINGS " --scan\n", err);
        rc = fy_par_agree(rc, par, err);
        if (rc == FY_OK)
            rc = fy_nnft_rg_scan_par(x->rg, x->s, o->mc ? x->mc : NULL, o->scan, o->nscan,
                                     prec, st, par, err);
        if (rc == FY_OK && par->rank == 0)
            fy_cli_checkpoint_note(COUPLINGS, st, (uint64_t) o->nscan, "cut-offs");
        fy_par_store_clear(st);
    }
    return rc;
}

static json_t *couplings_json_fit(const cpl_t *x, const opts_t *o)
{
    const fy_nnft_fit_struct *fit = x->fit;
    json_t *jf = json_object(), *jt = json_array();
    int j;
    for (j = 0; j < o->ntpl; j++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(fy_nnft_tpl_name(fit->tpl[j])));
        json_object_set_new(e, "coupling", json_real(fit->coef[j]));
        json_object_set_new(e, "dropped", json_boolean(fit->dropped[j]));
        json_array_append_new(jt, e);
    }
    json_object_set_new(jf, "templates", jt);
    json_object_set_new(jf, "test_set", json_string(x->have_test ? o->test_points
                                                                 : "odd tuples"));
    json_object_set_new(jf, "train_tuples", json_integer(fit->ntrain));
    json_object_set_new(jf, "test_tuples", json_integer(fit->ntest));
    json_object_set_new(jf, "train_rms_rel", json_real(fit->train_err));
    json_object_set_new(jf, "test_rms_rel", fy_json_number(fit->test_err));
    json_object_set_new(jf, "train_mape", json_real(fit->train_mape));
    json_object_set_new(jf, "test_mape", fy_json_number(fit->test_mape));
    return jf;
}

static json_t *couplings_json_scan(const fy_nnft_rg_t rg)
{
    json_t *js = json_object(), *jp = json_array();
    int k;
    for (k = 0; k < rg->ncut; k++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "cutoff", json_real(rg->cutoff[k]));
        json_object_set_new(e, "mean_log10_lambda", fy_json_number(rg->mean_log[k]));
        json_array_append_new(jp, e);
    }
    json_object_set_new(js, "points", jp);
    json_object_set_new(js, "slope", json_real(rg->slope));
    json_object_set_new(js, "intercept", json_real(rg->intercept));
    json_object_set_new(js, "r2", json_real(rg->r2));
    return js;
}

static json_t *couplings_json(const cpl_t *x, const opts_t *o)
{
    const fy_nnft_couplings_struct *c = x->c;
    json_t *tuples = json_array(), *root = json_object();
    slong t;
    json_eft_head(root, COUPLINGS, o, x->s, x->mc);
    json_object_set_new(root, "rigorous", json_boolean(c->rigorous));
    json_object_set_new(root, "lambda_mean", json_real(mid_d(c->lambda_mean)));
    json_object_set_new(root, "lambda_mean_ball", fy_json_ball(c->lambda_mean, o->digits + 5));
    json_object_set_new(root, "lambda_std", json_real(c->lambda_std));
    json_object_set_new(root, "tuples_used", json_integer(c->used));
    for (t = 0; t < c->count; t++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "idx", json_idx(c->idx + 4 * t, 4));
        json_object_set_new(e, "dG4", json_real(mid_d(c->dG4 + t)));
        if (o->mc)
            json_object_set_new(e, "dG4_se", json_real(c->dG4_se[t]));
        json_object_set_new(e, "T", json_real(mid_d(c->T + t)));
        if (arb_is_finite(c->lambda + t))
            json_object_set_new(e, "lambda", json_real(mid_d(c->lambda + t)));
        else
            json_object_set_new(e, "lambda", json_null());
        json_array_append_new(tuples, e);
    }
    json_object_set_new(root, "tuples", tuples);
    if (o->ntpl > 0)
        json_object_set_new(root, "fit", couplings_json_fit(x, o));
    if (o->nscan > 0)
        json_object_set_new(root, "scan", couplings_json_scan(x->rg));
    return root;
}

static void couplings_csv(FILE *fp, const fy_nnft_couplings_t c)
{
    slong t;
    fprintf(fp, "idx,dG4,dG4_se,T,lambda\n");
    for (t = 0; t < c->count; t++)
    {
        csv_idx(fp, c->idx + 4 * t, 4);
        fprintf(fp, ",%.17g,%.17g,%.17g,", mid_d(c->dG4 + t), c->dG4_se[t], mid_d(c->T + t));
        if (arb_is_finite(c->lambda + t))
            fprintf(fp, "%.17g", mid_d(c->lambda + t));
        fputc('\n', fp);
    }
}

static void couplings_text_fit(FILE *fp, const cpl_t *x, const opts_t *o)
{
    const fy_nnft_fit_struct *fit = x->fit;
    int j;
    fprintf(fp, "least squares over %d template(s), G4 - G4_GP = -sum_j g_j T_j; "
                "train: %ld tuples, test: %ld (%s)\n",
            o->ntpl, (long) fit->ntrain, (long) fit->ntest,
            x->have_test ? o->test_points : "odd-numbered tuples");
    for (j = 0; j < o->ntpl; j++)
        fprintf(fp, "  %-9s %.10g%s\n", fy_nnft_tpl_name(fit->tpl[j]), fit->coef[j],
                fit->dropped[j] ? "  (dropped: linearly dependent on the ones above)" : "");
    fprintf(fp, "  train: rms relative error %.3g, MAPE %.3g%%\n", fit->train_err,
            fit->train_mape);
    fprintf(fp, "  test:  rms relative error %.3g, MAPE %.3g%%\n", fit->test_err,
            fit->test_mape);
}

static void couplings_text(FILE *fp, const cpl_t *x, const opts_t *o)
{
    const fy_nnft_couplings_struct *c = x->c;
    const fy_nnft_rg_struct *rg = x->rg;
    char *lm = cert(c->lambda_mean, o->digits);
    slong t;
    int k;
    text_eft_head(fp, "# feynn nnft couplings: quartic couplings from G4 (doc/math.md 4.3)\n",
                  o, x->s, x->mc, c->rigorous);
    fprintf(fp, "lambda = %s (mean over %ld of %ld tuples; spread %.3g)\n", lm ? lm : "?",
            (long) c->used, (long) c->count, c->lambda_std);
    free(lm);
    if (o->tuples)
    {
        fprintf(fp, "#  tuple  G4 - G4_GP  24 V  lambda\n");
        for (t = 0; t < c->count; t++)
        {
            const slong *ix = c->idx + 4 * t;
            fprintf(fp, "  %ld %ld %ld %ld  %.10g  %.10g  %.10g\n", (long) ix[0], (long) ix[1],
                    (long) ix[2], (long) ix[3], mid_d(c->dG4 + t), mid_d(c->T + t),
                    arb_is_finite(c->lambda + t) ? mid_d(c->lambda + t) : NAN);
        }
    }
    if (o->ntpl > 0)
        couplings_text_fit(fp, x, o);
    if (o->nscan > 0)
    {
        fprintf(fp, "cut-off scan: log10 Lambda  mean log10|lambda|\n");
        for (k = 0; k < rg->ncut; k++)
            fprintf(fp, "  %8.4f  %.10g\n", log10(rg->cutoff[k]), rg->mean_log[k]);
        fprintf(fp, "  slope %.10g, intercept %.10g, r^2 %.10g (%ld points)%s\n", rg->slope,
                rg->intercept, rg->r2, (long) rg->points,
                x->s->act == FY_NNFT_RELU && fmpq_is_zero(x->s->sigma_b)
                    ? "; relu with sigma_b = 0: -(d + 4) exactly"
                    : "");
    }
}

static int nnft_couplings(int argc, char **argv)
{
    opts_t o;
    cpl_t x;
    fy_error_t err;
    int status = nnft_start(&o, &fy_opt_nnft_couplings, argc, argv), rc, of_open = 0;
    json_t *root = NULL;
    fy_ofile_t of;
    if (status >= 0)
        return status;
    status = 0;
    cpl_init(&x);
    fy_error_init(err);
    /* under mpirun / srun every rank computes (the --scan cut-offs are spread over the
     * ranks); only rank 0 writes */
    if ((rc = fy_par_init(NULL, NULL, err)) != FY_OK)
        goto fail;
    if ((rc = couplings_compute(&x, &o, 4 * o.digits + 64, err)) != FY_OK)
        goto fail;
    if (fy_par_rank() != 0)
        goto done;
    if (o.fmt == FY_FMT_JSON)
    {
        root = couplings_json(&x, &o);
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
        goto done;
    }
    if ((rc = out_open(of, &of_open, &o, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_CSV)
        couplings_csv(of->fp, x.c);
    else
        couplings_text(of->fp, &x, &o);
    of_open = 0;
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        goto fail;
    goto done;
fail:
    if (of_open)
        fy_ofile_abort(of);
    status = fy_par_rank() == 0 ? fy_cli_fail(COUPLINGS, err) : fy_exit_status(rc);
done:
    json_decref(root);
    cpl_clear(&x);
    fy_par_finalize();
    return status;
}

#define PREDICT "nnft predict"

static json_t *predict_json(const opts_t *o, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                            const arb_t lam, const fy_nnft_predict_t p)
{
    json_t *tuples = json_array(), *root = json_object();
    slong t;
    json_eft_head(root, PREDICT, o, s, mc);
    json_object_set_new(root, "lambda", json_real(mid_d(lam)));
    json_object_set_new(root, "lambda_given", json_boolean(o->lambda_given));
    json_object_set_new(root, "rigorous", json_boolean(p->rigorous));
    json_object_set_new(root, "tuples_used", json_integer(p->used));
    json_object_set_new(root, "gp_ratio", json_real(mid_d(p->gp_ratio)));
    json_object_set_new(root, "gp_ratio_ball", fy_json_ball(p->gp_ratio, o->digits + 5));
    json_object_set_new(root, "lambda_ratio", json_real(mid_d(p->lambda_ratio)));
    json_object_set_new(root, "lambda_ratio_ball", fy_json_ball(p->lambda_ratio, o->digits + 5));
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
    return root;
}

/* CSV: one row per tuple with its two ratios (empty where G6 contains 0). */
static void predict_csv(FILE *fp, const fy_nnft_predict_t p, slong prec)
{
    arb_t q;
    slong t;
    arb_init(q);
    fprintf(fp, "idx,G6,G6_GP,lambda_term,gp_ratio,lambda_ratio\n");
    for (t = 0; t < p->count; t++)
    {
        csv_idx(fp, p->idx + 6 * t, 6);
        fprintf(fp, ",%.17g,%.17g,%.17g,", mid_d(p->G6 + t), mid_d(p->gp + t),
                mid_d(p->lam + t));
        if (!arb_contains_zero(p->G6 + t))
        {
            arb_div(q, p->gp + t, p->G6 + t, prec);
            fprintf(fp, "%.17g,", mid_d(q));
            arb_add(q, p->gp + t, p->lam + t, prec);
            arb_div(q, q, p->G6 + t, prec);
            fprintf(fp, "%.17g", mid_d(q));
        }
        else
            fputc(',', fp);
        fputc('\n', fp);
    }
    arb_clear(q);
}

static void predict_text(FILE *fp, const opts_t *o, const fy_nnft_spec_t s,
                         const fy_nnft_mc_t mc, const arb_t lam, const fy_nnft_predict_t p)
{
    char *ls = cert(lam, o->digits), *g = cert(p->gp_ratio, o->digits),
         *l = cert(p->lambda_ratio, o->digits);
    slong t;
    int k;
    text_eft_head(fp, "# feynn nnft predict: G6 against the free theory and the quartic "
                      "coupling (doc/math.md 4.3)\n", o, s, mc, p->rigorous);
    fprintf(fp, "lambda = %s (%s)\n", ls ? ls : "?",
            o->lambda_given ? "--lambda" : "mean over the 4-tuples");
    fprintf(fp, "G6_GP / G6 = %s\n", g ? g : "?");
    fprintf(fp, "(G6_GP + lambda term) / G6 = %s\n", l ? l : "?");
    fprintf(fp, "(means over %ld of %ld sorted 6-tuples)\n", (long) p->used, (long) p->count);
    free(ls);
    free(g);
    free(l);
    if (!o->tuples)
        return;
    fprintf(fp, "#  tuple  G6  G6_GP  lambda term\n");
    for (t = 0; t < p->count; t++)
    {
        for (k = 0; k < 6; k++)
            fprintf(fp, "%s%ld", k ? " " : "  ", (long) p->idx[6 * t + k]);
        fprintf(fp, "  %.10g  %.10g  %.10g\n", mid_d(p->G6 + t), mid_d(p->gp + t),
                mid_d(p->lam + t));
    }
}

/* The coupling (--lambda, or the mean of the couplings) and the prediction. */
static int predict_compute(fy_nnft_predict_t p, arb_t lam, fy_nnft_spec_t s, fy_nnft_mc_t mc,
                           const opts_t *o, slong prec, fy_error_t err)
{
    int rc;
    if ((rc = load_spec(s, o, err)) != FY_OK)
        return rc;
    if (o->mc && (rc = mc_sample(mc, s, o, (uint64_t) o->seed, PREDICT, NULL, err)) != FY_OK)
        return rc;
    if (o->lambda_given)
        arb_set_d(lam, o->lambda);
    else
    {
        fy_nnft_couplings_t c;
        fy_nnft_couplings_init(c);
        rc = fy_nnft_couplings(c, s, o->mc ? mc : NULL, o->cutoff, (fy_nnft_fact_t) o->fact,
                               prec, err);
        arb_set(lam, c->lambda_mean);
        fy_nnft_couplings_clear(c);
        if (rc != FY_OK)
            return rc;
    }
    return fy_nnft_predict(p, s, o->mc ? mc : NULL, lam, (fy_nnft_fact_t) o->fact, o->cutoff,
                           prec, err);
}

static int nnft_predict(int argc, char **argv)
{
    opts_t o;
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_nnft_predict_t p;
    fy_error_t err;
    int status = nnft_start(&o, &fy_opt_nnft_predict, argc, argv), rc, of_open = 0;
    slong prec;
    arb_t lam;
    json_t *root = NULL;
    fy_ofile_t of;
    if (status >= 0)
        return status;
    status = 0;
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_nnft_predict_init(p);
    fy_error_init(err);
    arb_init(lam);
    prec = 4 * o.digits + 64;
    if ((rc = predict_compute(p, lam, s, mc, &o, prec, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        root = predict_json(&o, s, mc, lam, p);
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
        goto done;
    }
    if ((rc = out_open(of, &of_open, &o, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_CSV)
        predict_csv(of->fp, p, prec);
    else
        predict_text(of->fp, &o, s, mc, lam, p);
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
    fy_nnft_predict_clear(p);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
    return status;
}
