/* feynn demo nnft: the [HMS] experiment (fy_nnft_demo_run in src/nnft/demo.c does the work;
 * this command parses options, runs it, writes the folder and prints the report). */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/nnft.h"

#define STR_(x) #x
#define STR(x) STR_(x)

typedef struct
{
    long seed, networks, threads, widths[FY_NNFT_DEMO_MAXW];
    int nwidths, quick, force;
    const char *dir;
} nnft_demo_args_t;

#define A(f) offsetof(nnft_demo_args_t, f)
static const fy_opt_t nnft_demo_opts[] = {
    {.name = "quick", .kind = FY_OPT_FLAG, .off = A(quick),
     .help = "widths 2, 5, 20, 100 and 20000 networks (seconds; for tests)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "DIR", .off = A(dir),
     .def = "feynn-demo-nnft", .help = "results folder"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = LONG_MAX,
     .def = "1", .help = "seed of the ensembles (activation k uses S + k)"},
    {.name = "networks", .kind = FY_OPT_INT, .arg = "M", .off = A(networks),
     .lo = FY_NNFT_CHUNKS, .hi = LONG_MAX, .def = "10^6; quick 20000",
     .help = "networks per width (>= " STR(FY_NNFT_CHUNKS) ")"},
    {.name = "widths", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(widths),
     .off2 = A(nwidths), .lo = 1, .hi = 1000000000L, .max = FY_NNFT_DEMO_MAXW,
     .help = "widths, comma separated (at most " STR(FY_NNFT_DEMO_MAXW) ")"},
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = A(threads), .hi = 4096,
     .def = "all", .help = "OpenMP threads"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = A(force),
     .help = "replace a non-empty DIR that feynn did not write (it is moved aside to "
             "DIR.old.XXXXXX, never deleted)"},
};
#undef A

const fy_opt_cmd_t fy_opt_demo_nnft = {
    .name = "demo nnft",
    .usage = "[--quick] [-o DIR] [--seed S] [--networks M] [--widths LIST]\n"
             "[--threads T] [--force] [--quiet]",
    .intro =
        "The experiment of [HMS] (Halverson, Maiti, Stoner, arXiv:2008.08601, section 4)\n"
        "end to end: networks f(x) = b1 + sum_i a_i phi(W0_i x + b0_i) of width N with\n"
        "Gaussian parameters (sigma_W = sigma_a = 1; sigma_b = 0 for relu, 1 for gauss and\n"
        "erf) at the six inputs [HMS] used for each (hms-d1-relu, hms-d1, hms-d1-erf), for\n"
        "relu, gauss (Gauss-net) and erf at the widths\n"
        "2, 3, 4, 5, 10, 20, 50, 100, 500, 1000 with 10^6 networks each:\n"
        "  - the normalised deviations m4(N), m6(N) from the Gaussian process, exactly\n"
        "    (finite-width correlators, where feynn has them) and by Monte Carlo with the\n"
        "    [HMS] background (10 chunk means); C4 = lim N m4, exact and fitted;\n"
        "  - where the Monte Carlo falls below its background; the heavy-tail bias of\n"
        "    Gauss-net at small N (chunk kurtosis) against the exact values;\n"
        "  - every 2- and 4-tuple mean against its exact value in standard errors;\n"
        "  - the ReLU 6-point prediction at N = 20 (G6_GP/G6 without and with the fitted\n"
        "    quartic coupling; exactly 50/93 and 175/186) and the cut-off scan (slope -5).\n"
        "Second part, fields from neurons [H] (report key qft): the free scalar of a\n"
        "Lorentzian input layer (G(p) against 1/(p^2 + 1), G2 against Monte Carlo,\n"
        "reflection positivity certified by the spectral measure; Cos-net's certified\n"
        "failure), the Cos-net/Gauss-net duality under shifts, the symmetry table and\n"
        "independence breaking (I_N, I_IB against N and eps), with qft_spectrum.csv,\n"
        "qft_duality.csv, qft_ib.csv and, with PLplot, duality.pdf, ib.pdf, ib_eps.pdf.\n"
        "Every PDF figure has a 300-dpi PNG of the same name beside it.\n"
        "Writes DIR/report.txt, DIR/report.json (doc/schema/demo-nnft.schema.json), the CSV\n"
        "files m4.csv, m6.csv, heavy_tail.csv, six_point.csv and, with PLplot, m4.pdf and\n"
        "m6.pdf.  Exit status 0 when every target is met, 1 when one is missed, 2 on bad\n"
        "input.",
    .opts = nnft_demo_opts,
    .nopts = FY_OPT_N(nnft_demo_opts),
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

int fy_demo_nnft_cmd(int argc, char **argv)
{
    const char *dir;
    fy_nnft_demo_opts_t o;
    fy_nnft_demo_t d;
    fy_error_t err;
    int i, quiet, force, rc, figures = 0;
    char *text = NULL, note[1024] = "";
    nnft_demo_args_t a = {.dir = "feynn-demo-nnft"};
    fy_opt_state_t st;
    fy_nnft_demo_opts_init(o);
    fy_error_init(err);
    a.seed = (long) o->seed;
    a.networks = (long) o->networks;
    a.threads = o->threads;
    if ((rc = fy_opt_start(st, &a, &fy_opt_demo_nnft, argc, argv)) >= 0)
        return rc;
    quiet = st->quiet;
    fy_opt_state_clear(st);
    o->quick = a.quick;
    o->seed = (uint64_t) a.seed;
    o->networks = (uint64_t) a.networks;
    o->threads = (int) a.threads;
    if (a.nwidths > 0)
    {
        o->nwidths = a.nwidths;
        for (i = 0; i < a.nwidths; i++)
            o->widths[i] = a.widths[i];
    }
    force = a.force;
    dir = a.dir;
    o->log = quiet ? NULL : stderr;
    fy_nnft_demo_init(d);
    rc = fy_nnft_demo_run(d, o, err);
    if (rc == FY_OK)
        rc = fy_nnft_demo_write(d, dir, force, &figures, note, sizeof note, err);
    if (rc == FY_OK)
        rc = fy_nnft_demo_text(&text, d, err);
    if (rc != FY_OK)
    {
        fy_nnft_demo_clear(d);
        return fy_cli_fail("demo nnft", err);
    }
    fputs(text, stdout);
    printf("written to %s/: report.txt, report.json, m4.csv, m6.csv, heavy_tail.csv, "
           "six_point.csv, qft_spectrum.csv, qft_duality.csv, qft_ib.csv%s\n", dir,
           figures ? ", m4.pdf, m6.pdf, duality.pdf, ib.pdf, ib_eps.pdf"
                   : " (no figures: feynn was built without PLplot; the CSV files hold every "
                     "plotted series)");
    if (note[0])
        printf("%s\n", note);
    free(text);
    rc = d->targets_met ? 0 : 1;
    fy_nnft_demo_clear(d);
    return rc;
}
