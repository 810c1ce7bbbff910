/* feynn demo nnft: the [HMS] experiment (fy_nnft_demo_run in src/nnft/demo.c does the work;
 * this command parses options, runs it, writes the folder and prints the report). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "feynn/nnft.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn demo nnft [--quick] [-o DIR] [--seed S] [--networks M] [--widths LIST]\n"
            "                       [--threads T] [--force] [--quiet]\n"
            "\n"
            "The experiment of [HMS] (Halverson, Maiti, Stoner, arXiv:2008.08601, section 4)\n"
            "end to end: networks f(x) = b1 + sum_i a_i phi(W0_i x + b0_i) of width N with\n"
            "Gaussian parameters (sigma_W = sigma_a = 1; sigma_b = 0 for relu, 1 for gauss and\n"
            "erf) at the six inputs hms-d1, for relu, gauss (Gauss-net) and erf at the widths\n"
            "2, 3, 4, 5, 10, 20, 50, 100, 500, 1000 with 10^6 networks each:\n"
            "  - the normalised deviations m4(N), m6(N) from the Gaussian process, exactly\n"
            "    (finite-width correlators, where feynn has them) and by Monte Carlo with the\n"
            "    [HMS] background (10 chunk means); C4 = lim N m4, exact and fitted;\n"
            "  - where the Monte Carlo falls below its background; the heavy-tail bias of\n"
            "    Gauss-net at small N (chunk kurtosis) against the exact values;\n"
            "  - every 2- and 4-tuple mean against its exact value in standard errors;\n"
            "  - the ReLU 6-point prediction at N = 20 (G6_GP/G6 without and with the fitted\n"
            "    quartic coupling; exactly 50/93 and 175/186) and the cut-off scan (slope -5).\n"
            "Writes DIR/report.txt, DIR/report.json (doc/schema/demo-nnft.schema.json), the CSV\n"
            "files m4.csv, m6.csv, heavy_tail.csv, six_point.csv and, with PLplot, m4.pdf and\n"
            "m6.pdf.  Exit status 0 when every target is met, 1 when one is missed, 2 on bad\n"
            "input.\n"
            "\n"
            "Options:\n"
            "  --quick            widths 2, 5, 20, 100 and 20000 networks (seconds; for tests)\n"
            "  -o, --output DIR   results folder (default feynn-demo-nnft)\n"
            "  --seed S           seed of the ensembles (default 1; activation k uses S + k)\n"
            "  --networks M       networks per width (default 10^6; quick 20000; >= 10)\n"
            "  --widths LIST      widths, comma separated (at most %d)\n"
            "  --threads T        OpenMP threads (default: all)\n"
            "  --force            replace a non-empty DIR that feynn did not write (it is\n"
            "                     moved aside to DIR.old.XXXXXX, never deleted)\n"
            "  --quiet            no progress lines on stderr\n"
            "  -h, --help         this help\n",
            FY_NNFT_DEMO_MAXW);
}

static int parse_u64(uint64_t *v, const char *s, const char *name, uint64_t lo)
{
    char *end;
    unsigned long long x;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || x < lo)
        return fy_cli_usage_error("demo nnft", "%s needs an integer >= %llu, not '%s'", name,
                                  (unsigned long long) lo, s);
    *v = x;
    return 0;
}

static int parse_widths(fy_nnft_demo_opts_t o, const char *s)
{
    const char *p = s;
    o->nwidths = 0;
    while (*p)
    {
        char *end;
        long w;
        errno = 0;
        w = strtol(p, &end, 10);
        if (errno || end == p || w < 1 || w > 1000000000L || o->nwidths == FY_NNFT_DEMO_MAXW
            || (*end && *end != ','))
            return fy_cli_usage_error("demo nnft", "--widths takes up to %d positive integers "
                                      "separated by commas (e.g. 2,10,100), not '%s'",
                                      FY_NNFT_DEMO_MAXW, s);
        o->widths[o->nwidths++] = w;
        p = *end ? end + 1 : end;
    }
    return o->nwidths ? 0 : fy_cli_usage_error("demo nnft", "--widths needs a width");
}

int fy_demo_nnft_cmd(int argc, char **argv)
{
    enum { O_QUICK = 256, O_SEED, O_NETWORKS, O_WIDTHS, O_THREADS, O_QUIET, O_FORCE };
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, O_QUICK},
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, O_SEED},
        {"networks", required_argument, NULL, O_NETWORKS},
        {"widths", required_argument, NULL, O_WIDTHS},
        {"threads", required_argument, NULL, O_THREADS},
        {"quiet", no_argument, NULL, O_QUIET},
        {"force", no_argument, NULL, O_FORCE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *dir = "feynn-demo-nnft";
    fy_nnft_demo_opts_t o;
    fy_nnft_demo_t d;
    fy_error_t err;
    uint64_t v;
    int c, quiet = 0, force = 0, rc, figures = 0;
    char *text = NULL, note[1024] = "";
    fy_nnft_demo_opts_init(o);
    fy_error_init(err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_QUICK:
            o->quick = 1;
            break;
        case 'o':
            dir = optarg;
            break;
        case O_SEED:
            if (parse_u64(&o->seed, optarg, "--seed", 0))
                return 2;
            break;
        case O_NETWORKS:
            if (parse_u64(&o->networks, optarg, "--networks", FY_NNFT_CHUNKS))
                return 2;
            break;
        case O_WIDTHS:
            if (parse_widths(o, optarg))
                return 2;
            break;
        case O_THREADS:
            if (parse_u64(&v, optarg, "--threads", 1) || v > 4096)
                return v > 4096 ? fy_cli_usage_error("demo nnft", "--threads: at most 4096")
                                : 2;
            o->threads = (int) v;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case O_FORCE:
            force = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return fy_cli_usage_error("demo nnft", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fy_cli_usage_error("demo nnft", "unexpected argument '%s'", argv[optind]);
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
           "six_point.csv%s\n", dir,
           figures ? ", m4.pdf, m6.pdf"
                   : " (no figures: feynn was built without PLplot; the CSV files hold every "
                     "plotted series)");
    if (note[0])
        printf("%s\n", note);
    free(text);
    rc = d->targets_met ? 0 : 1;
    fy_nnft_demo_clear(d);
    return rc;
}
