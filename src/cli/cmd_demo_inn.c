/* feynn demo inn: the experiment of [M] (inn.h, "the [M] experiment"); and feynn inn scan,
 * the depth x data-size scan on its own.
 *
 *   feynn demo inn [--quick] [-o DIR] [--seed S] [--threads T] [--quiet]
 *   feynn inn scan THEORY [--couplings LIST] [--sizes LIST] [--lbfgs N] [--seed S]
 *                  [--threads T] [--format text|json|csv] [--quiet]
 *
 * The library does the work (fy_inn_demo_run / _write, fy_inn_scan and its printers); this file
 * parses options and prints.  Exit status of the demo: 0 when every target is met, 1 when one
 * is missed (the report says which), 2 on bad usage or a failure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "feynn/inn.h"
#include "feynn/sample.h"
#include "feynn/util.h"

static int parse_u(long long *v, const char *cmd, const char *arg, long long lo, long long hi,
                   const char *opt)
{
    char *end;
    long long x = strtoll(arg, &end, 10);
    if (end == arg || *end || x < lo || x > hi)
        return fy_cli_usage_error(cmd, "%s needs an integer in %lld..%lld, not '%s'", opt, lo,
                                  hi, arg);
    *v = x;
    return 0;
}

static void demo_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn demo inn [--quick] [-o DIR] [--force] [--seed S] [--threads T] [--quiet]\n"
            "\n"
            "The experiment of [M] (doc/math.md 3.5): HMC samples of two lattice theories on a\n"
            "ring of 4 sites (unimodal m2 = 1, g3 = 1/2, lam = 1; a double well m2 = -1,\n"
            "lam = 1), invertible networks trained on them by maximum likelihood (L-BFGS),\n"
            "the learned action against the true one (tensors, couplings, KL, cumulants of\n"
            "draws from the network, tree-level cumulants, normalisability) and a scan over\n"
            "depth x data size.  Writes DIR/report.txt, report.json\n"
            "(doc/schema/demo-inn.schema.json), couplings.csv, cumulants.csv, scan.csv and,\n"
            "with PLplot, couplings.pdf, cumulants.pdf, scan.pdf.  A full run takes about\n"
            "3 minutes on 2 cores; --quick a few seconds.\n"
            "\n"
            "  --quick          small sizes (10^4 draws, short training)\n"
            "  -o, --output DIR output folder (default demo-inn), written as a whole: only\n"
            "                   this run's files (DIR/.feynn-manifest lists them)\n"
            "  --force          replace a non-empty DIR feynn did not write (moved aside\n"
            "                   to DIR.old.XXXXXX, not deleted)\n"
            "  --seed S         seed of every random number (default 1)\n"
            "  --threads T      OpenMP threads (default: all)\n"
            "  --quiet          no progress lines on standard error\n"
            "  -h, --help       this help\n"
            "\n"
            "Exit status: 0 every target met, 1 a target missed, 2 bad usage or failure.\n");
}

int fy_demo_inn_cmd(int argc, char **argv)
{
    enum
    {
        O_QUICK = 256,
        O_SEED,
        O_THREADS,
        O_QUIET,
        O_FORCE
    };
    static const struct option longopts[] = {{"quick", no_argument, NULL, O_QUICK},
                                             {"seed", required_argument, NULL, O_SEED},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"quiet", no_argument, NULL, O_QUIET},
                                             {"force", no_argument, NULL, O_FORCE},
                                             {"output", required_argument, NULL, 'o'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *cmd = "demo inn", *dir = "demo-inn";
    fy_inn_demo_opts_t o;
    fy_inn_demo_t D;
    fy_error_t err;
    long long v;
    int c, quiet = 0, force = 0, rc, status;
    fy_outdir_t od;
    char note[4200];

    fy_error_init(err);
    fy_inn_demo_opts_init(o);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_QUICK:
            o->quick = 1;
            break;
        case O_SEED:
            if (parse_u(&v, cmd, optarg, 0, INT64_MAX, "--seed"))
                return 2;
            o->seed = (uint64_t) v;
            break;
        case O_THREADS:
            if (parse_u(&v, cmd, optarg, 1, 4096, "--threads"))
                return 2;
            o->threads = (int) v;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case O_FORCE:
            force = 1;
            break;
        case 'o':
            dir = optarg;
            break;
        case 'h':
            demo_usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    o->log = quiet ? NULL : stderr;
    /* the folder is checked before the run and replaced as a whole after it */
    fy_outdir_init(od);
    status = fy_outdir_open(od, dir, force, err);
    if (status != FY_OK)
        return fy_cli_fail(cmd, err);
    fy_inn_demo_init(D);
    status = fy_inn_demo_run(D, o, err);
    if (status == FY_OK)
        status = fy_inn_demo_write(fy_outdir_tmp(od), D, err);
    if (status == FY_OK)
    {
        status = fy_outdir_commit(od, note, sizeof note, err);
        if (status == FY_OK && note[0] != '\0')
            fprintf(stderr, "feynn demo inn: %s\n", note);
    }
    fy_outdir_clear(od);
    if (status != FY_OK)
        rc = fy_cli_fail(cmd, err);
    else
    {
        int k;
        printf("feynn demo inn: %s in %.1f s; report in %s/report.txt\n",
               D->targets_met ? "every target met" : "a target MISSED", D->time_s, dir);
        for (k = 0; k < FY_INN_DEMO_NTARGETS; k++)
            printf("  %-12s %-6s %s\n", fy_inn_demo_target_name(k),
                   D->target_met[k] ? "met" : "MISSED", D->target_detail[k]);
        rc = D->targets_met ? 0 : 1;
    }
    fy_inn_demo_clear(D);
    return rc;
}

/* ------------------------------------------------------------------ feynn inn scan */

static void scan_usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn inn scan THEORY [options]\n"
            "\n"
            "The scan of the [M] experiment: draws of the lattice theory THEORY\n"
            "(doc/theory-format.md) by HMC, a network with each number of couplings trained\n"
            "on each data size (the first n draws) by maximum likelihood, each compared with\n"
            "the theory (feynn inn compare): KL, tensor errors, g3, lam, cumulant z-scores.\n"
            "\n"
            "  --couplings LIST   depths, comma-separated (default 1,2,3)\n"
            "  --sizes LIST       data sizes, comma-separated (default 1000,10000,100000)\n"
            "  --lbfgs N          L-BFGS iterations of each training (default 250)\n"
            "  --seed S           seed (default 1)\n"
            "  --threads T        OpenMP threads (default: all)\n"
            "  --format F         text (default), json or csv\n"
            "  --quiet            no progress lines on standard error\n"
            "  -h, --help         this help\n"
            "\n"
            "Exit status: 0 success, 2 bad usage or input.\n");
}

static int parse_list(long long *v, int *n, const char *cmd, const char *arg, long long lo,
                      long long hi, const char *opt)
{
    char buf[256], *tok, *save = NULL;
    *n = 0;
    snprintf(buf, sizeof buf, "%s", arg);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
    {
        if (*n >= 8)
            return fy_cli_usage_error(cmd, "%s takes at most 8 values", opt);
        if (parse_u(v + *n, cmd, tok, lo, hi, opt))
            return 2;
        (*n)++;
    }
    if (*n == 0)
        return fy_cli_usage_error(cmd, "%s needs a comma-separated list", opt);
    return 0;
}

int fy_inn_scan_cmd(int argc, char **argv)
{
    enum
    {
        O_COUPLINGS = 256,
        O_SIZES,
        O_LBFGS,
        O_SEED,
        O_THREADS,
        O_FORMAT,
        O_QUIET
    };
    static const struct option longopts[] = {{"couplings", required_argument, NULL, O_COUPLINGS},
                                             {"sizes", required_argument, NULL, O_SIZES},
                                             {"lbfgs", required_argument, NULL, O_LBFGS},
                                             {"seed", required_argument, NULL, O_SEED},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"format", required_argument, NULL, O_FORMAT},
                                             {"quiet", no_argument, NULL, O_QUIET},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *cmd = "inn scan", *path = NULL;
    const unsigned formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV);
    fy_inn_scan_opts_t o;
    fy_inn_scan_t S;
    fy_ltheory_t T;
    fy_error_t err;
    long long v, list[8];
    int c, i, n, quiet = 0, fmt = FY_FMT_TEXT, status, rc = 0;

    fy_error_init(err);
    fy_inn_scan_opts_init(o);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_COUPLINGS:
            if (parse_list(list, &n, cmd, optarg, 0, 64, "--couplings"))
                return 2;
            o->ncouplings = n;
            for (i = 0; i < n; i++)
                o->couplings[i] = (int) list[i];
            break;
        case O_SIZES:
            if (parse_list(list, &n, cmd, optarg, 20, 100000000, "--sizes"))
                return 2;
            o->nsizes = n;
            for (i = 0; i < n; i++)
                o->sizes[i] = (slong) list[i];
            break;
        case O_LBFGS:
            if (parse_u(&v, cmd, optarg, 0, 100000, "--lbfgs"))
                return 2;
            o->lbfgs_iters = (int) v;
            break;
        case O_SEED:
            if (parse_u(&v, cmd, optarg, 0, INT64_MAX, "--seed"))
                return 2;
            o->seed = (uint64_t) v;
            break;
        case O_THREADS:
            if (parse_u(&v, cmd, optarg, 1, 4096, "--threads"))
                return 2;
            o->threads = (int) v;
            break;
        case O_FORMAT:
            if ((fmt = fy_cli_parse_format(cmd, optarg, formats)) < 0)
                return 2;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case 'h':
            scan_usage(stdout);
            return 0;
        case ':':
            return fy_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default:
            return fy_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        path = argv[optind++];
    if (optind < argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (path == NULL)
        return fy_cli_usage_error(cmd, "a THEORY file is required (doc/theory-format.md)");
    o->log = quiet ? NULL : stderr;
    fy_ltheory_init(T);
    fy_inn_scan_init(S);
    status = fy_ltheory_load(T, path, err);
    if (status == FY_OK)
        status = fy_inn_scan(S, T, o, err);
    if (status == FY_OK && fmt == FY_FMT_JSON)
    {
        char *s = NULL;
        status = fy_inn_scan_json(&s, S, err);
        if (status == FY_OK)
            printf("%s\n", s);
        free(s);
    }
    else if (status == FY_OK && fmt == FY_FMT_CSV)
        status = fy_inn_scan_csv(stdout, S, err);
    else if (status == FY_OK)
        status = fy_inn_scan_print(stdout, S, err);
    if (status == FY_OK && fflush(stdout) != 0)
        status = fy_error_set(err, FY_EIO, "writing the output failed");
    if (status != FY_OK)
        rc = fy_cli_fail(cmd, err);
    fy_inn_scan_clear(S);
    fy_ltheory_clear(T);
    return rc;
}
