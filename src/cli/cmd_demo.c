/* feynn demo: the Born-Taylor demonstration end to end (doc/math.md 2.4; doc/design.md, data
 * flow).
 *
 * A thin command over the borntaylor module (include/feynn/borntaylor.h): it parses the
 * options into the settings of fy_borntaylor_demo_run, which generates the data, trains F_1
 * and F_2 (the iterative scheme), verifies both against the exact Born tensors and writes the
 * report (text and JSON) and figures to a results folder.  Exit status 1 when a target is not
 * met. */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/born_nn.h"
#include "cli/cli.h"
#include "feynn/born.h"
#include "feynn/borntaylor.h"
#include "feynn/rules.h"
#include "feynn/util.h"

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: feynn demo [--quick] [-o DIR] [--seed S] [--first learned|exact] [--quiet]\n"
        "\n"
        "The Born-Taylor demonstration (doc/math.md 2.4): generates random step potentials with\n"
        "their certified a_0, trains a network F_1, compares its gradient\n"
        "at U = 0 with c3 (the first Born term) and its Hessian with -2K, then runs the\n"
        "iterative scheme: F_2 is trained on the residual a_0 - T_1 and its Hessian at 0 is\n"
        "compared with -2K and T_2[F_2](U) with a_0^(2)(U) on held-out potentials.  The exact\n"
        "identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U) for the true map is checked exactly.\n"
        "Writes DIR/report.txt, DIR/report.json (doc/schema/demo.schema.json), the models,\n"
        "CSV files of every plot, PDF figures (PLplot) and the largest diagrams (Graphviz).\n"
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
        "born data), so that U = 0 lies on the boundary of the data; fitted as the box.\n"
        "Held-out potentials, two sets, each labelled in the report: fresh ones of the\n"
        "training distribution (how well F_1 learned a_0 where it was trained), and\n"
        "physical shallow attractive ones (feynn born data, another seed), on which F_1 is\n"
        "measured too and every Taylor term T_n[F](U) is compared with a_0^(n)(U).  Only\n"
        "(U, a_0) pairs enter training; c3, K and the Born tensors are used only to verify.\n"
        "\n"
        "Targets: first order, relative Frobenius error of grad F_1(0) against c3 <= %g;\n"
        "second order, relative RMS error of T_2[F_2](U) against a_0^(2)(U) on held-out\n"
        "potentials <= %g.  Exit status 1 when a target is not met.\n"
        "\n"
        "Options:\n"
        "  --quick            small and fast (8 steps, few samples): for tests\n"
        "  --data box|rays|attractive  training distribution (default box; see above)\n"
        "  --box A            half width of the box (default 1.5, at most 1.6)\n"
        "  -o, --output DIR   results folder (default feynn-demo), written as a whole:\n"
        "                     only this run's files (DIR/.feynn-manifest lists them)\n"
        "  --force            replace a non-empty DIR feynn did not write (moved aside to\n"
        "                     DIR.old.XXXXXX, not deleted)\n"
        "  --seed S           seed of data and training (default 1)\n"
        "  --first T          T_1 subtracted for F_2: learned (T_1[F_1], the iterative\n"
        "                     scheme proper; default) or exact (c3.U)\n"
        "  --steps D          number of steps (default 16; quick 8)\n"
        "  --samples N        training potentials (box: default 4000, quick 1000; rays:\n"
        "                     directions, default 1200)\n"
        "  --heldout N        held-out potentials (default 400; quick 100)\n"
        "  --dirs N, --per N  rays: directions and points per ray\n"
        "  --hidden1 W, --hidden2 W   hidden widths of F_1, F_2 (default 32,32 and 32,32;\n"
        "                     rays: 32,32 and 64,64)\n"
        "  --epochs1 N, --epochs2 N   Adam epochs;  --lbfgs1 N, --lbfgs2 N  L-BFGS iterations\n"
        "  --ensemble K       average K networks for F_2 (default 1; rays: 4, quick 1)\n"
        "  --smin X, --smax X, --emphasis X   rays: scales along the rays and their density\n"
        "  --weight-power P   sample weights (|U|^2 + floor^2)^(-P/2) for F_2 (default 0;\n"
        "                     rays: 4)\n"
        "  --weight-power1 P  the same for F_1 (default 0; rays: 2)\n"
        "  --no-mirror        rays: attractive potentials only (no mirrored -U)\n"
        "  --quiet            no progress lines on stderr\n"
        "  -h, --help         this help\n",
        FY_BORNTAYLOR_TARGET_FIRST, FY_BORNTAYLOR_TARGET_SECOND);
}

enum
{
    O_QUICK = 256, O_SEED, O_FIRST, O_STEPS, O_SAMPLES, O_DIRS, O_PER, O_H1, O_H2, O_E1,
    O_E2, O_L1, O_L2, O_ENS, O_SMIN, O_SMAX, O_EMPH, O_WPOW, O_QUIET, O_HELD, O_NOMIRROR, O_WPOW1,
    O_DATA, O_BOX, O_FORCE
};

/* The options as given: values, and which ones the user set (the rest follow --quick and
 * --data). */
typedef struct
{
    int quick, quiet, box, first_exact, mirror, force;
    const char *dir;
    uint64_t seed;
    double s_min, s_max, emphasis, box_a, wpower, wpower1;
    int wset, wset1;
    long steps, samples, dirs, per, e1, e2, l1, l2, held, ensemble;
    const char *h1, *h2;
} demo_args_t;

/* Parses one option of the long table; 0 to go on, else the exit status (2, or 0 after
 * --help as *done). */
static int parse_option(demo_args_t *a, int c, const char *arg, int *done)
{
    const char *cmd = "demo";
    long v;
    *done = 0;
    switch (c)
    {
    case O_QUICK:
        a->quick = 1;
        return 0;
    case 'o':
        a->dir = arg;
        return 0;
    case O_FORCE:
        a->force = 1;
        return 0;
    case O_SEED:
        if (fy_born_nn_parse_long(&v, cmd, arg, "--seed", 0, LONG_MAX))
            return 2;
        a->seed = (uint64_t) v;
        return 0;
    case O_FIRST:
        if (strcmp(arg, "exact") != 0 && strcmp(arg, "learned") != 0)
            return fy_cli_usage_error(cmd, "--first takes learned or exact, not '%s'", arg);
        a->first_exact = strcmp(arg, "exact") == 0;
        return 0;
#define LONGOPT(CASE, FIELD, NAME, LO, HI)                                                   \
    case CASE:                                                                               \
        return fy_born_nn_parse_long(&a->FIELD, cmd, arg, NAME, LO, HI) ? 2 : 0;
        LONGOPT(O_STEPS, steps, "--steps", 1, 64)
        LONGOPT(O_SAMPLES, samples, "--samples", 10, 10000000)
        LONGOPT(O_HELD, held, "--heldout", 1, 1000000)
        LONGOPT(O_DIRS, dirs, "--dirs", 1, 10000000)
        LONGOPT(O_PER, per, "--per", 1, 100000)
        LONGOPT(O_E1, e1, "--epochs1", 0, 1000000)
        LONGOPT(O_E2, e2, "--epochs2", 0, 1000000)
        LONGOPT(O_L1, l1, "--lbfgs1", 0, 1000000)
        LONGOPT(O_L2, l2, "--lbfgs2", 0, 1000000)
        LONGOPT(O_ENS, ensemble, "--ensemble", 1, 64)
#undef LONGOPT
#define DBLOPT(CASE, FIELD, NAME, LO, HI, FLAG)                                              \
    case CASE:                                                                               \
        FLAG;                                                                                \
        return fy_born_nn_parse_double(&a->FIELD, cmd, arg, NAME, LO, HI) ? 2 : 0;
        DBLOPT(O_SMIN, s_min, "--smin", 0, 1, (void) 0)
        DBLOPT(O_SMAX, s_max, "--smax", 1e-6, 1, (void) 0)
        DBLOPT(O_EMPH, emphasis, "--emphasis", 0.1, 10, (void) 0)
        DBLOPT(O_WPOW, wpower, "--weight-power", 0, 8, a->wset = 1)
        DBLOPT(O_WPOW1, wpower1, "--weight-power1", 0, 8, a->wset1 = 1)
        DBLOPT(O_BOX, box_a, "--box", 1e-6, 1.6, (void) 0)
#undef DBLOPT
    case O_H1:
        a->h1 = arg;
        return 0;
    case O_H2:
        a->h2 = arg;
        return 0;
    case O_QUIET:
        a->quiet = 1;
        return 0;
    case O_NOMIRROR:
        a->mirror = 0;
        return 0;
    case O_DATA:
        if (strcmp(arg, "box") != 0 && strcmp(arg, "rays") != 0 &&
            strcmp(arg, "attractive") != 0)
            return fy_cli_usage_error(cmd, "--data takes box, rays or attractive, not '%s'", arg);
        a->box = strcmp(arg, "box") == 0           ? FY_BORNTAYLOR_DATA_BOX
                 : strcmp(arg, "attractive") == 0 ? FY_BORNTAYLOR_DATA_ATTRACTIVE
                                                  : FY_BORNTAYLOR_DATA_RAYS;
        return 0;
    case 'h':
        usage(stdout);
        *done = 1;
        return 0;
    default:
        return -1;
    }
}

/* The settings: those of --quick and --data, then what the user set. */
static void settings(fy_borntaylor_demo_opts_t o, const demo_args_t *a)
{
    fy_borntaylor_demo_opts_init(o, a->quick, a->box);
    o->dir = a->dir;
    o->seed = a->seed;
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

int fy_cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"quick", no_argument, NULL, O_QUICK},
        {"output", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, O_SEED},
        {"first", required_argument, NULL, O_FIRST},
        {"steps", required_argument, NULL, O_STEPS},
        {"samples", required_argument, NULL, O_SAMPLES},
        {"heldout", required_argument, NULL, O_HELD},
        {"dirs", required_argument, NULL, O_DIRS},
        {"per", required_argument, NULL, O_PER},
        {"hidden1", required_argument, NULL, O_H1},
        {"hidden2", required_argument, NULL, O_H2},
        {"epochs1", required_argument, NULL, O_E1},
        {"epochs2", required_argument, NULL, O_E2},
        {"lbfgs1", required_argument, NULL, O_L1},
        {"lbfgs2", required_argument, NULL, O_L2},
        {"ensemble", required_argument, NULL, O_ENS},
        {"smin", required_argument, NULL, O_SMIN},
        {"smax", required_argument, NULL, O_SMAX},
        {"emphasis", required_argument, NULL, O_EMPH},
        {"weight-power", required_argument, NULL, O_WPOW},
        {"weight-power1", required_argument, NULL, O_WPOW1},
        {"quiet", no_argument, NULL, O_QUIET},
        {"force", no_argument, NULL, O_FORCE},
        {"no-mirror", no_argument, NULL, O_NOMIRROR},
        {"data", required_argument, NULL, O_DATA},
        {"box", required_argument, NULL, O_BOX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *cmd = "demo";
    demo_args_t a;
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_demo_t demo;
    fy_rules_t rules;
    fy_error_t err;
    int c, rc, done, status, met;
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
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
    {
        rc = parse_option(&a, c, optarg, &done);
        if (rc < 0)
            return fy_cli_usage_error(cmd, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        if (rc != 0 || done)
            return rc;
    }
    if (optind != argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!(a.s_min < a.s_max))
        return fy_cli_usage_error(cmd, "--smin must be below --smax");
    settings(o, &a);
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
