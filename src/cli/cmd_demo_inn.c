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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/inn.h"
#include "feynn/sample.h"
#include "feynn/util.h"

typedef struct
{
    long seed, threads;
    int quick, force;
    const char *dir;
} demo_args_t;

#define A(f) offsetof(demo_args_t, f)
static const fy_opt_t demo_opts[] = {
    {.name = "quick", .kind = FY_OPT_FLAG, .off = A(quick),
     .help = "small sizes (10^4 draws, short training)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "DIR", .off = A(dir),
     .def = "demo-inn", .help = "output folder, written as a whole: only this run's files "
                                "(DIR/.feynn-manifest lists them)"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = A(force),
     .help = "replace a non-empty DIR feynn did not write (moved aside to DIR.old.XXXXXX, not "
             "deleted)"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = INT64_MAX,
     .def = "1", .help = "seed of every random number"},
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = A(threads), .hi = 4096,
     .def = "all", .help = "OpenMP threads"},
};
#undef A

const fy_opt_cmd_t fy_opt_demo_inn = {
    .name = "demo inn",
    .usage = "[--quick] [-o DIR] [--force] [--seed S] [--threads T] [--quiet]",
    .intro =
        "The experiment of [M] (doc/math.md 3.5): HMC samples of two lattice theories on a\n"
        "ring of 4 sites (unimodal m2 = 1, g3 = 1/2, lam = 1; a double well m2 = -1,\n"
        "lam = 1), invertible networks trained on them by maximum likelihood (L-BFGS),\n"
        "the learned action against the true one (tensors, couplings, KL, cumulants of\n"
        "draws from the network, tree-level cumulants, normalisability) and a scan over\n"
        "depth x data size on each theory.  The unimodal theory is learned by two designs\n"
        "on the same data (3 quadratic couplings, the PyTorch set-up; cubic layers before\n"
        "them), and the one of lower validation NLL is the demo's answer, on which the\n"
        "baseline and quartic targets are judged; the double well by 2 couplings or 1,\n"
        "likewise.  Writes DIR/report.txt, report.json (doc/schema/demo-inn.schema.json),\n"
        "couplings.csv, cumulants.csv, scan.csv, scan_double_well.csv, quartic.csv and,\n"
        "with PLplot, couplings.pdf, cumulants.pdf, scan.pdf (each with a 300-dpi PNG\n"
        "beside it).  The diagrams that build the learned quartic: the largest\n"
        "contributions to lam of each network in the report, the cubic design's largest\n"
        "four drawn with a caption as quartic_diagram_K.dot (and .pdf and .png when\n"
        "Graphviz's dot is on PATH); lam from the truncated actions and by the jet route.\n"
        "A full run takes about a minute on 2 cores; --quick a few seconds.",
    .epilog = "Exit status: 0 every target met, 1 a target missed, 2 bad usage or failure.\n",
    .opts = demo_opts,
    .nopts = FY_OPT_N(demo_opts),
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

int fy_demo_inn_cmd(int argc, char **argv)
{
    const char *cmd = "demo inn", *dir;
    fy_inn_demo_opts_t o;
    fy_inn_demo_t D;
    fy_error_t err;
    int quiet, force, rc, status;
    fy_outdir_t od;
    char note[4200];
    demo_args_t a = {.dir = "demo-inn"};
    fy_opt_state_t st;

    fy_error_init(err);
    fy_inn_demo_opts_init(o);
    a.seed = (long) o->seed;
    a.threads = o->threads;
    if ((rc = fy_opt_start(st, &a, &fy_opt_demo_inn, argc, argv)) >= 0)
        return rc;
    quiet = st->quiet;
    fy_opt_state_clear(st);
    o->quick = a.quick;
    o->seed = (uint64_t) a.seed;
    o->threads = (int) a.threads;
    force = a.force;
    dir = a.dir;
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

typedef struct
{
    long couplings[8], sizes[8], lbfgs, seed, threads;
    int ncouplings, nsizes;
    const char *checkpoint; /* resume (issue 15) */
} scan_args_t;

#define A(f) offsetof(scan_args_t, f)
static const fy_opt_t scan_opts[] = {
    {.name = "couplings", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(couplings),
     .off2 = A(ncouplings), .lo = 0, .hi = 64, .max = 8, .def = "1,2,3",
     .help = "depths, comma-separated"},
    {.name = "sizes", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(sizes), .off2 = A(nsizes),
     .lo = 20, .hi = 100000000, .max = 8, .def = "1000,10000,100000",
     .help = "data sizes, comma-separated"},
    {.name = "lbfgs", .kind = FY_OPT_INT, .arg = "N", .off = A(lbfgs), .lo = 0, .hi = 100000,
     .def = "250", .help = "L-BFGS iterations of each training"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = INT64_MAX,
     .def = "1", .help = "seed"},
    {.name = "threads", .kind = FY_OPT_COUNT, .arg = "T", .off = A(threads), .hi = 4096,
     .def = "all", .help = "OpenMP threads"},
    /* resume (issue 15) */
    {.name = "checkpoint", .kind = FY_OPT_PATH, .arg = "DIR", .off = A(checkpoint),
     .help = "resumable: each depth x data cell is written to DIR when trained (atomic, "
             "checksummed, naming the run: the theory as parsed, seed, sizes, iterations); "
             "the same command started again after a kill trains only the missing cells, "
             "with the same numbers (train_s of a cell read back is its first run's)"},
};
#undef A

const fy_opt_cmd_t fy_opt_inn_scan = {
    .name = "inn scan",
    .usage = "THEORY [options]",
    .intro =
        "The scan of the [M] experiment: draws of the lattice theory THEORY\n"
        "(doc/theory-format.md) by HMC, a network with each number of couplings trained\n"
        "on each data size (the first n draws) by maximum likelihood, each compared with\n"
        "the theory (feynn inn compare): KL, tensor errors, g3, lam, cumulant z-scores.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = scan_opts,
    .nopts = FY_OPT_N(scan_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV),
    .format_default = FY_FMT_TEXT,
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

int fy_inn_scan_cmd(int argc, char **argv)
{
    const char *cmd = "inn scan", *path;
    fy_inn_scan_opts_t o;
    fy_inn_scan_t S;
    fy_ltheory_t T;
    fy_error_t err;
    fy_par_t par;
    fy_par_store_t store;
    int i, quiet, fmt, status, rc = 0;
    scan_args_t a;
    fy_opt_state_t st;

    fy_error_init(err);
    fy_inn_scan_opts_init(o);
    memset(&a, 0, sizeof a);
    a.lbfgs = o->lbfgs_iters;
    a.seed = (long) o->seed;
    a.threads = o->threads;
    if ((rc = fy_opt_start(st, &a, &fy_opt_inn_scan, argc, argv)) >= 0)
        return rc;
    rc = 0;
    path = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    quiet = st->quiet;
    fy_opt_state_clear(st);
    if (a.ncouplings > 0)
    {
        o->ncouplings = a.ncouplings;
        for (i = 0; i < a.ncouplings; i++)
            o->couplings[i] = (int) a.couplings[i];
    }
    if (a.nsizes > 0)
    {
        o->nsizes = a.nsizes;
        for (i = 0; i < a.nsizes; i++)
            o->sizes[i] = (slong) a.sizes[i];
    }
    o->lbfgs_iters = (int) a.lbfgs;
    o->seed = (uint64_t) a.seed;
    o->threads = (int) a.threads;
    if (path == NULL)
        return fy_cli_usage_error(cmd, "a THEORY file is required (doc/theory-format.md)");
    o->log = quiet ? NULL : stderr;
    fy_ltheory_init(T);
    fy_inn_scan_init(S);
    /* par2 (issue 15): under mpirun the cells are spread over the ranks; rank 0 writes */
    status = fy_par_init(NULL, NULL, err);
    fy_par_world(par);
    fy_par_store_init(store);
    if (status == FY_OK)
    {
        status = fy_ltheory_load(T, path, err);
        /* resume (issue 15): rank 0 opens the store, the library names the cells */
        if (status == FY_OK && a.checkpoint != NULL && par->rank == 0)
            status = fy_par_store_open(store, a.checkpoint, "feynn inn scan\n", err);
        status = fy_par_agree(status, par, err);
    }
    if (status == FY_OK)
        status = fy_inn_scan_par(S, T, o, store, par, err);
    if (status == FY_OK && par->rank == 0)
        fy_cli_checkpoint_note(cmd, store, (uint64_t) S->ncells, "cells");
    if (status == FY_OK && par->rank != 0)
    {
        /* only rank 0 reports */
    }
    else if (status == FY_OK && fmt == FY_FMT_JSON)
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
        rc = par->rank == 0 ? fy_cli_fail(cmd, err) : fy_exit_status(status);
    fy_par_store_clear(store);
    fy_inn_scan_clear(S);
    fy_ltheory_clear(T);
    fy_par_finalize();
    return rc;
}
