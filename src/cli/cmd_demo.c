/* feynn demo: the Born-Taylor demonstration end to end (doc/math.md 2.4; doc/design.md, data
 * flow).
 *
 * A thin command over the borntaylor module (include/feynn/borntaylor.h): it parses the
 * options into the settings of fy_borntaylor_demo_run, which generates the data, trains F_1
 * and F_2 (the iterative scheme), verifies both against the exact Born tensors and writes the
 * report (text and JSON) and figures to a results folder.  Exit status 1 when a target is not
 * met. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/born_nn.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/born.h"
#include "feynn/borntaylor.h"
#include "feynn/par.h"
#include "feynn/rules.h"
#include "feynn/util.h"

/* The options as given: values, and which ones the user set (the rest follow --quick and
 * --data). */
typedef struct
{
    int quick, quiet, box, first_exact, mirror, force;
    const char *dir;
    long seed;
    double s_min, s_max, emphasis, box_a, wpower, wpower1;
    int wset, wset1;
    long steps, samples, dirs, per, e1, e2, l1, l2, held, ensemble;
    const char *h1, *h2;
    long seeds[64]; /* --seeds (seeds, issue 15) */
    int nseeds, seedset;
    const char *checkpoint; /* --checkpoint (resume, issue 15) */
} demo_args_t;

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const first_names[] = {"learned", "exact", NULL};
static const char *const data_names[] = {"rays", "box", "attractive", NULL};

#define A(f) offsetof(demo_args_t, f)
#define G(f) FY_OPT_GIVEN(demo_args_t, f)
static const fy_opt_t demo_opts[] = {
    {.name = "quick", .kind = FY_OPT_FLAG, .off = A(quick),
     .help = "small and fast (8 steps, few samples): for tests"},
    {.name = "data", .kind = FY_OPT_CHOICE, .arg = "box|rays|attractive", .off = A(box),
     .choices = data_names, .def = "box", .help = "training distribution (see above)"},
    {.name = "box", .kind = FY_OPT_REAL, .arg = "A", .off = A(box_a), .rlo = 1e-6, .rhi = 1.6,
     .def = "1.5", .help = "half width of the box (at most 1.6)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "DIR", .off = A(dir),
     .def = "feynn-demo", .help = "results folder, written as a whole: only this run's files "
                                  "(DIR/.feynn-manifest lists them)"},
    {.name = "force", .kind = FY_OPT_FLAG, .off = A(force),
     .help = "replace a non-empty DIR feynn did not write (moved aside to DIR.old.XXXXXX, not "
             "deleted)"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = LONG_MAX,
     .given = G(seedset), .def = "1", .help = "seed of data and training"},
    {.name = "seeds", .kind = FY_OPT_LIST, .arg = "LIST", .off = A(seeds), .off2 = A(nseeds),
     .lo = 0, .hi = LONG_MAX, .max = 64,
     .help = "run the demo for each seed of LIST (comma-separated, at most 64; under mpirun "
             "spread over the ranks); writes DIR/seeds.txt, DIR/seeds.json "
             "(doc/schema/demo-seeds.schema.json) and, on one rank, DIR/seed-S; prints the "
             "summary; exit 1 when a seed misses a target"},
    {.name = "checkpoint", .kind = FY_OPT_PATH, .arg = "CKDIR", .off = A(checkpoint),
     .help = "with --seeds, resumable: each seed is written to CKDIR when done (its figures "
             "and, on one rank, its folder; atomic, checksummed, naming the run: every "
             "setting, the seeds, the rules); the same command started again after a kill "
             "runs only the missing seeds, with the same summary"},
    {.name = "first", .kind = FY_OPT_CHOICE, .arg = "T", .off = A(first_exact),
     .choices = first_names, .def = "learned",
     .help = "T_1 subtracted for F_2: learned (T_1[F_1], the iterative scheme proper) or "
             "exact (c3.U)"},
    {.name = "steps", .kind = FY_OPT_INT, .arg = "D", .off = A(steps), .lo = 1, .hi = 64,
     .def = "16; quick 8", .help = "number of steps"},
    {.name = "samples", .kind = FY_OPT_INT, .arg = "N", .off = A(samples), .lo = 10,
     .hi = 10000000, .help = "training potentials (box: default 4000, quick 1000; rays: "
                             "directions, default 1200)"},
    {.name = "heldout", .kind = FY_OPT_INT, .arg = "N", .off = A(held), .lo = 1, .hi = 1000000,
     .def = "400; quick 100", .help = "held-out potentials"},
    {.name = "dirs", .kind = FY_OPT_INT, .arg = "N", .off = A(dirs), .lo = 1, .hi = 10000000,
     .help = "rays: directions"},
    {.name = "per", .kind = FY_OPT_INT, .arg = "N", .off = A(per), .lo = 1, .hi = 100000,
     .help = "rays: points per ray"},
    {.name = "hidden1", .kind = FY_OPT_STRING, .arg = "W", .off = A(h1),
     .def = "32,32; rays: 32,32", .help = "hidden widths of F_1"},
    {.name = "hidden2", .kind = FY_OPT_STRING, .arg = "W", .off = A(h2),
     .def = "32,32; rays: 64,64", .help = "hidden widths of F_2"},
    {.name = "epochs1", .kind = FY_OPT_INT, .arg = "N", .off = A(e1), .lo = 0, .hi = 1000000,
     .help = "Adam epochs of F_1"},
    {.name = "epochs2", .kind = FY_OPT_INT, .arg = "N", .off = A(e2), .lo = 0, .hi = 1000000,
     .help = "Adam epochs of F_2"},
    {.name = "lbfgs1", .kind = FY_OPT_INT, .arg = "N", .off = A(l1), .lo = 0, .hi = 1000000,
     .help = "L-BFGS iterations of F_1"},
    {.name = "lbfgs2", .kind = FY_OPT_INT, .arg = "N", .off = A(l2), .lo = 0, .hi = 1000000,
     .help = "L-BFGS iterations of F_2"},
    {.name = "ensemble", .kind = FY_OPT_INT, .arg = "K", .off = A(ensemble), .lo = 1, .hi = 64,
     .def = "1; rays: 4, quick 1", .help = "average K networks for F_2"},
    {.name = "smin", .kind = FY_OPT_REAL, .arg = "X", .off = A(s_min), .rlo = 0, .rhi = 1,
     .def = "0.02", .help = "rays: smallest scale along the rays"},
    {.name = "smax", .kind = FY_OPT_REAL, .arg = "X", .off = A(s_max), .rlo = 1e-6, .rhi = 1,
     .def = "1", .help = "rays: largest scale along the rays"},
    {.name = "emphasis", .kind = FY_OPT_REAL, .arg = "X", .off = A(emphasis), .rlo = 0.1,
     .rhi = 10, .def = "1.5", .help = "rays: density of the scales"},
    {.name = "weight-power", .kind = FY_OPT_REAL, .arg = "P", .off = A(wpower), .rlo = 0,
     .rhi = 8, .given = G(wset), .def = "0; rays: 4",
     .help = "sample weights (|U|^2 + floor^2)^(-P/2) for F_2"},
    {.name = "weight-power1", .kind = FY_OPT_REAL, .arg = "P", .off = A(wpower1), .rlo = 0,
     .rhi = 8, .given = G(wset1), .def = "0; rays: 2", .help = "the same for F_1"},
    {.name = "no-mirror", .kind = FY_OPT_FLAG, .off = A(mirror), .value = -1,
     .help = "rays: attractive potentials only (no mirrored -U)"},
};
#undef A
#undef G

const fy_opt_cmd_t fy_opt_demo_born = {
    .name = "demo",
    .usage = "[born] [--quick] [-o DIR] [--seed S | --seeds LIST] [--first learned|exact] "
             "[--quiet]",
    .intro =
        "The Born-Taylor demonstration (doc/math.md 2.4): generates random step potentials with\n"
        "their certified a_0, trains a network F_1, compares its gradient\n"
        "at U = 0 with c3 (the first Born term) and its Hessian with -2K, then runs the\n"
        "iterative scheme: F_2 is trained on the residual a_0 - T_1 and its Hessian at 0 is\n"
        "compared with -2K and T_2[F_2](U) with a_0^(2)(U) on held-out potentials.  The exact\n"
        "identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U) for the true map is checked exactly.\n"
        "Writes DIR/report.txt, DIR/report.json (doc/schema/demo.schema.json), the models,\n"
        "CSV files of every plot, figures as vector PDF (PLplot) each with a 300-dpi PNG of\n"
        "the same name beside it, and the largest diagrams as DOT (with PDF and PNG when\n"
        "Graphviz's dot is on PATH).\n"
        "Convention: " FY_BORN_CONVENTION ".\n"
        "\n"
        "Training distribution (default, --data box): U_j uniform in [-A, A] independently\n"
        "on each step (A = 1.5, --box), attractive and repulsive steps mixed so that U = 0\n"
        "lies in the middle of the data; every sample is checked with the born module to\n"
        "have a convergent Born series (radius of convergence > 1 + margin = 1.5, else\n"
        "redrawn; for A <= 1.6 on (0, 1] none fails: by comparison with the square well the\n"
        "radius is at least (pi/2)^2 / A).  F_1 and F_2 are both fitted on it, unweighted.\n"
        "--data rays: the earlier scheme (attractive potentials along rays, mirrored).\n"
        "--data attractive: [KM]'s setting, random shallow attractive potentials only (feynn\n"
        "born data), so that U = 0 lies on the boundary of the data; fitted as the box but\n"
        "with long L-BFGS polishing and F_2's loss weighted towards small |U| (defaults\n"
        "there: --lbfgs1 5000 --lbfgs2 10000 --weight-power 2): at the edge of the data\n"
        "only a far more accurate fit pins the Taylor terms down.\n"
        "Held-out potentials, two sets, each labelled in the report: fresh ones of the\n"
        "training distribution (how well F_1 learned a_0 where it was trained), and\n"
        "physical shallow attractive ones (feynn born data, another seed), on which F_1 is\n"
        "measured too and every Taylor term T_n[F](U) is compared with a_0^(n)(U).  Only\n"
        "(U, a_0) pairs enter training; c3, K and the Born tensors are used only to verify.\n"
        "\n"
        "Targets: first order, relative Frobenius error of grad F_1(0) against c3 <= "
        STR(FY_BORNTAYLOR_TARGET_FIRST) ";\n"
        "second order, relative RMS error of T_2[F_2](U) against a_0^(2)(U) on held-out\n"
        "potentials <= " STR(FY_BORNTAYLOR_TARGET_SECOND) ".  Exit status 1 when a target is "
        "not met.",
    .opts = demo_opts,
    .nopts = FY_OPT_N(demo_opts),
    .common = FY_OPT_QUIET,
    .max_operands = 0,
};

/* The settings: those of --quick and --data, then what the user set. */
static void settings(fy_borntaylor_demo_opts_t o, const demo_args_t *a)
{
    fy_borntaylor_demo_opts_init(o, a->quick, a->box);
    o->dir = a->dir;
    o->seed = (uint64_t) a->seed;
    o->first_exact = a->first_exact;
    o->mirror = a->mirror;
    o->box_a = a->box_a;
    o->s_min = a->s_min;
    o->s_max = a->s_max;
    o->emphasis = a->emphasis;
    if (a->wset)
        o->wpower = a->wpower;
    if (a->wset1)
        o->wpower1 = a->wpower1;
    if (a->ensemble > 0) o->ensemble = (int) a->ensemble;
    if (a->steps > 0) o->d = (int) a->steps;
    if (a->samples > 0) o->n1 = a->samples;
    if (a->held > 0) o->nheld = a->held;
    if (a->dirs > 0) o->n_dirs = a->dirs;
    if (a->per > 0) o->n_per = a->per;
    if (a->e1 >= 0) o->epochs1 = (int) a->e1;
    if (a->e2 >= 0) o->epochs2 = (int) a->e2;
    if (a->l1 >= 0) o->lbfgs1 = (int) a->l1;
    if (a->l2 >= 0) o->lbfgs2 = (int) a->l2;
    if (a->h1) o->hidden1 = a->h1;
    if (a->h2) o->hidden2 = a->h2;
    o->log = a->quiet ? NULL : stderr;
}

/* --seeds (seeds, issue 15): the demo for each seed, the seeds spread over the ranks of
 * mpirun; rank 0 alone writes DIR (seeds.txt, seeds.json; DIR/seed-S with one rank) and
 * prints the summary. */
static int demo_seeds(const demo_args_t *a, fy_borntaylor_demo_opts_t o, fy_error_t err)
{
    const char *cmd = "demo";
    fy_borntaylor_seeds_t S;
    fy_rules_t rules;
    fy_outdir_t od;
    fy_par_t par;
    fy_par_store_t store;
    uint64_t seeds[64];
    char *path = NULL, note[4200];
    FILE *fp;
    int i, status, met, rc = 0;

    for (i = 0; i < a->nseeds; i++)
        seeds[i] = (uint64_t) a->seeds[i];
    fy_outdir_init(od);
    fy_rules_init(rules);
    fy_borntaylor_seeds_init(S);
    fy_par_store_init(store);
    status = fy_par_init(NULL, NULL, err);
    fy_par_world(par);
    if (status == FY_OK && par->rank == 0)
        status = fy_outdir_open(od, a->dir, a->force, err);
    if (status == FY_OK)
        status = fy_rules_load_default(rules, err);
    /* resume (issue 15): rank 0 opens the store, the library names the seeds */
    if (status == FY_OK && a->checkpoint != NULL && par->rank == 0)
        status = fy_par_store_open(store, a->checkpoint, "feynn demo --seeds\n", err);
    status = fy_par_agree(status, par, err);
    if (status == FY_OK)
        status = fy_borntaylor_demo_seeds(S, o, seeds, a->nseeds,
                                          par->size == 1 ? fy_outdir_tmp(od) : NULL, rules,
                                          store, par, err);
    if (status == FY_OK && par->rank == 0)
        fy_cli_checkpoint_note(cmd, store, (uint64_t) a->nseeds, "seeds");
    for (i = 0; i < 2 && status == FY_OK && par->rank == 0; i++)
    {
        free(path);
        path = fy_outdir_file(od, i ? "seeds.json" : "seeds.txt", err);
        if (path == NULL)
            status = FY_ENOMEM;
        else if ((fp = fopen(path, "w")) == NULL)
            status = fy_error_set(err, FY_EIO, "%s: cannot write: %s", path, strerror(errno));
        else
        {
            status = i ? fy_borntaylor_seeds_write_json(fp, S, err)
                       : fy_borntaylor_seeds_write_text(fp, S, err);
            if (fclose(fp) != 0 && status == FY_OK)
                status = fy_error_set(err, FY_EIO, "%s: cannot write", path);
        }
    }
    if (status == FY_OK && par->rank == 0)
        status = fy_borntaylor_seeds_write_text(stdout, S, err);
    if (status == FY_OK && par->rank == 0)
    {
        status = fy_outdir_commit(od, note, sizeof note, err);
        if (status == FY_OK && note[0] != '\0')
            fprintf(stderr, "feynn demo: %s\n", note);
    }
    /* every rank leaves with rank 0's status and verdict */
    status = fy_par_agree(status, par, err);
    met = par->rank == 0 && S->n_met == S->n;
    if (status == FY_OK)
        status = fy_par_bcast(&met, sizeof met, par, err);
    if (status == FY_OK)
        rc = met ? 0 : 1;
    else
        rc = par->rank == 0 ? fy_cli_fail(cmd, err) : fy_exit_status(status);
    free(path);
    fy_par_store_clear(store);
    fy_outdir_clear(od);
    fy_borntaylor_seeds_clear(S);
    fy_rules_clear(rules);
    fy_par_finalize();
    return rc;
}

int fy_cmd_demo(int argc, char **argv)
{
    const char *cmd = "demo";
    demo_args_t a;
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_demo_t demo;
    fy_rules_t rules;
    fy_error_t err;
    int rc, status, met;
    fy_opt_state_t st;
    fy_outdir_t od;
    char note[4200];

    memset(&a, 0, sizeof a);
    a.dir = "feynn-demo";
    a.seed = 1;
    a.mirror = 1;
    a.box = 1;
    a.box_a = 1.5;
    a.s_min = 0.02;
    a.s_max = 1.0;
    a.emphasis = 1.5;
    a.steps = a.samples = a.dirs = a.per = a.e1 = a.e2 = a.l1 = a.l2 = a.held = -1;
    a.ensemble = -1;
    fy_error_init(err);
    if ((rc = fy_opt_start(st, &a, &fy_opt_demo_born, argc, argv)) >= 0)
        return rc;
    a.quiet = st->quiet;
    fy_opt_state_clear(st);
    a.mirror = a.mirror >= 0; /* --no-mirror stores -1 */
    if (!(a.s_min < a.s_max))
        return fy_cli_usage_error(cmd, "--smin must be below --smax");
    settings(o, &a);
    if (a.nseeds > 0 && a.seedset)
        return fy_cli_usage_error(cmd, "--seed and --seeds exclude each other: give the one "
                                  "seed in --seeds");
    if (a.checkpoint != NULL && a.nseeds == 0)
        return fy_cli_usage_error(cmd, "--checkpoint keeps the seeds of --seeds: give --seeds "
                                  "LIST too");
    if (a.nseeds > 0)
        return demo_seeds(&a, o, err);
    /* the folder is checked before the run, written as a temporary folder and put in
     * place as a whole at the end (a run that fails leaves DIR as it was) */
    fy_outdir_init(od);
    if (fy_outdir_open(od, a.dir, a.force, err) != FY_OK)
        return fy_cli_fail(cmd, err);
    o->dir = fy_outdir_tmp(od);

    fy_rules_init(rules);
    fy_borntaylor_demo_init(demo);
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = fy_borntaylor_demo_run(demo, o, rules, err);
    met = demo->first_met && demo->second_met;
    fy_borntaylor_demo_clear(demo);
    fy_rules_clear(rules);
    if (status == FY_OK)
    {
        status = fy_outdir_commit(od, note, sizeof note, err);
        if (status == FY_OK && note[0] != '\0')
            fprintf(stderr, "feynn demo: %s\n", note);
    }
    fy_outdir_clear(od);
    if (status != FY_OK)
        return fy_cli_fail(cmd, err);
    return met ? 0 : 1;
}
