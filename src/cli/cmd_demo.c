/* feynn demo: the Born-Taylor demonstration end to end (MATH.md 2.4, DESIGN.md "Data flow").
 *
 * Generates data (by default step potentials U_j uniform in a symmetric box [-A, A], each with
 * a Born series checked to converge, and their certified a_0; held-out potentials are random
 * shallow attractive ones, independent draws of the physical distribution), trains
 * one network F_1, verifies its Taylor tensors at U = 0 against the exact Born tensors, runs
 * the iterative scheme to second order (F_2 trained on a_0 - T_1, where T_1 is the learned
 * first-order term T_1[F_1] or, on request, the exact one c3.U), verifies F_2's Hessian
 * against -2K, and writes a report (text and JSON) and figures to a results folder.  Nothing
 * here lets the Taylor coefficients or the Born tensors into training: they are only used to
 * verify.  Exit status 1 when a target is not met. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <flint/fmpq.h>
#include <jansson.h>

#include "config.h"
#include "cli/born_nn.h"
#include "cli/cli.h"
#include "feynn/born.h"
#include "feynn/draw.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/train.h"
#include "feynn/util.h"

#ifdef FY_HAVE_PLPLOT
#include <plplot.h>
#endif

extern char **environ;

#define TARGET_FIRST 0.03
#define TARGET_SECOND 0.15

typedef struct
{
    int quick, quiet, d, first_exact, ensemble, identity_K, mirror, box;
    double box_a, box_min_radius;
    long n1, n_dirs, n_per, nheld;
    int epochs1, epochs2, lbfgs1, lbfgs2;
    const char *hidden1, *hidden2, *dir;
    double s_min, s_max, emphasis, wpower, wpower1, R, margin;
    uint64_t seed;
} demo_opts_t;

static void say(const demo_opts_t *o, double t0, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(const demo_opts_t *o, double t0, const char *fmt, ...)
{
    va_list ap;
    if (o->quiet)
        return;
    fprintf(stderr, "demo [%6.1f s] ", fy_wall_time() - t0);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *fp)
{
    fprintf(fp,
        "Usage: feynn demo [--quick] [-o DIR] [--seed S] [--first learned|exact] [--quiet]\n"
        "\n"
        "The Born-Taylor demonstration (MATH.md 2.4): generates random step potentials with\n"
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
        "Held-out potentials (all verification on data): independent shallow attractive\n"
        "potentials of the physical distribution (feynn born data, another seed).  Only\n"
        "(U, a_0) pairs enter training; c3, K and the Born tensors are used only to verify.\n"
        "\n"
        "Targets: first order, relative Frobenius error of grad F_1(0) against c3 <= %g;\n"
        "second order, relative RMS error of T_2[F_2](U) against a_0^(2)(U) on held-out\n"
        "potentials <= %g.  Exit status 1 when a target is not met.\n"
        "\n"
        "Options:\n"
        "  --quick            small and fast (8 steps, few samples): for tests\n"
        "  --data box|rays    training distribution (default box; see above)\n"
        "  --box A            half width of the box (default 1.5, at most 1.6)\n"
        "  -o, --output DIR   results folder (default feynn-demo)\n"
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
        TARGET_FIRST, TARGET_SECOND);
}

/* ------------------------------------------------------------------ exact a_0 callback */

typedef struct
{
    double R;
} a0_ctx_t;

static int a0_fn(double *out, const double *X, long n, int d, void *ctx, fy_error_t err)
{
    a0_ctx_t *c = ctx;
    fy_born_potential_t pot;
    fy_born_a0_t res;
    fmpq *U = _fmpq_vec_init(d);
    fmpq_t R;
    long i;
    int j, status = FY_OK;
    fmpq_init(R);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    status = fy_fmpq_set_d(R, c->R, err);
    for (i = 0; i < n && status == FY_OK; i++)
    {
        for (j = 0; j < d && status == FY_OK; j++)
            status = fy_fmpq_set_d(U + j, X[i * d + j], err);
        if (status == FY_OK)
            status = fy_born_potential_set_steps(pot, d, R, U, err);
        if (status == FY_OK)
            status = fy_born_a0(res, pot, 17, err);
        if (status == FY_OK)
            out[i] = arf_get_d(arb_midref(&res->a0), ARF_RND_NEAR);
    }
    fy_born_a0_clear(res);
    fy_born_potential_clear(pot);
    fmpq_clear(R);
    _fmpq_vec_clear(U, d);
    return status;
}

/* ------------------------------------------------------------------ symmetric box data */

static uint64_t box_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The training distribution of the default demo: U_j ~ U(-A, A) independently on d equal steps
 * of (0, R] (attractive and repulsive steps mixed, U = 0 in the middle of the data).  Every
 * sample is checked with the born module to have a Born series that converges at coupling
 * 1 + margin: radius of convergence min(lambda_1^+, lambda_1^-) > 1 + margin (else redrawn;
 * for A R^2 < (pi/2)^2 / (1 + margin) no draw fails, by Sturm comparison with the square well).
 * *min_radius: the smallest certified lower bound of the radius over the samples.  a_0 exact
 * (ball arithmetic, rounded). */
static int box_generate(fy_born_data_t data, long n, int d, double R, double A, double margin,
                        uint64_t seed, double *min_radius, fy_error_t err)
{
    fy_born_potential_t pot;
    fmpq *U = _fmpq_vec_init(d);
    fmpq_t Rq;
    arb_t rho, lim;
    uint64_t st = seed ^ 0x5deece66dULL;
    long i, redraws = 0;
    int j, status = FY_OK, ok;
    char buf[512];

    fy_born_data_clear(data);
    data->n = n;
    data->d = d;
    data->R = R;
    data->margin = margin;
    data->seed = seed;
    data->U = malloc(sizeof(double) * (size_t) n * (size_t) d);
    data->a0 = malloc(sizeof(double) * (size_t) n);
    *min_radius = INFINITY;
    fy_born_potential_init(pot);
    fmpq_init(Rq);
    arb_init(rho);
    arb_init(lim);
    arb_set_d(lim, 1.0 + margin);
    if (data->U == NULL || data->a0 == NULL)
        status = fy_error_set(err, FY_ENOMEM, "out of memory (training data)");
    if (status == FY_OK)
        status = fy_fmpq_set_d(Rq, R, err);
    for (i = 0; i < n && status == FY_OK; i++)
    {
        double *u = data->U + (size_t) i * (size_t) d;
        do
        {
            for (j = 0; j < d && status == FY_OK; j++)
            {
                double x = (double) (box_splitmix(&st) >> 11) * 0x1.0p-53;
                u[j] = A * (2 * x - 1);
                status = fy_fmpq_set_d(U + j, u[j], err);
            }
            if (status == FY_OK)
                status = fy_born_potential_set_steps(pot, d, Rq, U, err);
            if (status == FY_OK)
                status = fy_born_radius(rho, pot, 1e-3, err);
            ok = status == FY_OK && arb_gt(rho, lim);
            if (status == FY_OK && !ok && ++redraws > 100 * n + 1000)
                status = fy_error_set(err, FY_ECHECK, "--box %g: too many draws without a "
                                      "convergent Born series (radius > %g)", A, 1 + margin);
        } while (status == FY_OK && !ok);
        if (status == FY_OK)
        {
            double lo = INFINITY;
            if (arb_is_finite(rho))
            {
                arf_t lb;
                arf_init(lb);
                arb_get_lbound_arf(lb, rho, 53);
                lo = arf_get_d(lb, ARF_RND_DOWN);
                arf_clear(lb);
            }
            if (lo < *min_radius)
                *min_radius = lo;
        }
    }
    if (status == FY_OK)
    {
        a0_ctx_t c;
        c.R = R;
        status = a0_fn(data->a0, data->U, n, d, &c, err);
    }
    if (status == FY_OK)
    {
        snprintf(buf, sizeof buf, "symmetric box: U_j ~ U(-%g, %g) independently on %d equal "
                 "steps of (0, %g], each sample with a Born series of radius of convergence "
                 "> 1 + margin = %g (checked, %ld redrawn); a_0 exact (ball arithmetic), %s",
                 A, A, d, R, 1 + margin, redraws, FY_BORN_CONVENTION);
        data->description = strdup(buf);
        if (data->description == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    arb_clear(lim);
    arb_clear(rho);
    fmpq_clear(Rq);
    fy_born_potential_clear(pot);
    _fmpq_vec_clear(U, d);
    return status;
}

/* ------------------------------------------------------------------ output helpers */

static int write_text_file(const char *dir, const char *name, const char *text, fy_error_t err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fy_file_write_atomic(path, text, strlen(text), err);
}

/* Open an atomic CSV file DIR/NAME. */
static int csv_open(fy_ofile_t of, const char *dir, const char *name, fy_error_t err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fy_ofile_open(of, path, err);
}

static int have_program(const char *prog)
{
    const char *p = getenv("PATH");
    char buf[4096];
    while (p != NULL && *p)
    {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t) (e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int) n, p, prog);
        if (access(buf, X_OK) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static int run_program(char *const argv[])
{
    pid_t pid;
    int st;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ------------------------------------------------------------------ figures (PLplot) */

#ifdef FY_HAVE_PLPLOT
static int plot_begin(char *tmp, size_t n, const char *dir, const char *name)
{
    snprintf(tmp, n, "%s/.%s.tmp", dir, name);
    plsdev("pdf");
    plsfnam(tmp);
    plscolbg(255, 255, 255);
    /* Colour 15 (white by default) draws the axes, labels and a_0: black on the white page. */
    plscol0(15, 0, 0, 0);
    plinit();
    return 0;
}

static void plot_end(const char *tmp, const char *dir, const char *name)
{
    char path[4096];
    plend();
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (rename(tmp, path) != 0)
        remove(tmp);
}

static void plot_gradient(const char *dir, const double *c3, const double *g, int d, double R)
{
    char tmp[4096];
    PLFLT *x = malloc(sizeof(PLFLT) * (size_t) d), *y1 = malloc(sizeof(PLFLT) * (size_t) d),
          *y2 = malloc(sizeof(PLFLT) * (size_t) d);
    double ymax = 0;
    int j;
    if (x == NULL || y1 == NULL || y2 == NULL)
        goto done;
    for (j = 0; j < d; j++)
    {
        x[j] = (j + 0.5) * R / d;
        y1[j] = c3[j];
        y2[j] = g[j];
        ymax = fmax(ymax, fmax(fabs(c3[j]), fabs(g[j])));
    }
    plot_begin(tmp, sizeof tmp, dir, "gradient.pdf");
    plcol0(15);
    plenv(0, R, 0, 1.1 * ymax, 0, 0);
    pllab("r (step midpoint)", "dF/dU#dj#u(0)",
          "network gradient at U = 0 (red +) against c3 (blue line, o)");
    plcol0(9);
    plline(d, x, y1);
    plpoin(d, x, y1, 4);
    plcol0(1);
    plpoin(d, x, y2, 2);
    plot_end(tmp, dir, "gradient.pdf");
done:
    free(x);
    free(y1);
    free(y2);
}

static void plot_hessians(const char *dir, const double *Hm, const double *He, int d)
{
    char tmp[4096];
    PLFLT **z1, **z2, **z3;
    double zmin = 0, zmax = 0, dm = 0;
    int i, j;
    plAlloc2dGrid(&z1, d, d);
    plAlloc2dGrid(&z2, d, d);
    plAlloc2dGrid(&z3, d, d);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
        {
            z1[i][j] = Hm[i * d + j];
            z2[i][j] = He[i * d + j];
            z3[i][j] = Hm[i * d + j] - He[i * d + j];
            zmin = fmin(zmin, fmin(z1[i][j], z2[i][j]));
            zmax = fmax(zmax, fmax(z1[i][j], z2[i][j]));
            dm = fmax(dm, fabs(z3[i][j]));
        }
    if (dm == 0)
        dm = 1;
    if (zmax <= zmin)
        zmax = zmin + 1;
    plssub(3, 1);
    plot_begin(tmp, sizeof tmp, dir, "hessian.pdf");
    plscmap1n(256);
    plcol0(15);
    pladv(0);
    plvpor(0.22, 0.95, 0.3, 0.75);
    plwind(0.5, d + 0.5, 0.5, d + 0.5);
    plimage((PLFLT_MATRIX) z1, d, d, 0.5, d + 0.5, 0.5, d + 0.5, zmin, zmax, 0.5, d + 0.5, 0.5,
            d + 0.5);
    plbox("bcnst", 0, 0, "bcnst", 0, 0);
    pllab("j", "k", "network d#u2#dF(0)");
    pladv(0);
    plvpor(0.22, 0.95, 0.3, 0.75);
    plwind(0.5, d + 0.5, 0.5, d + 0.5);
    plimage((PLFLT_MATRIX) z2, d, d, 0.5, d + 0.5, 0.5, d + 0.5, zmin, zmax, 0.5, d + 0.5, 0.5,
            d + 0.5);
    plbox("bcnst", 0, 0, "bcnst", 0, 0);
    pllab("j", "k", "exact -2K (same scale)");
    pladv(0);
    plvpor(0.22, 0.95, 0.3, 0.75);
    plwind(0.5, d + 0.5, 0.5, d + 0.5);
    plimage((PLFLT_MATRIX) z3, d, d, 0.5, d + 0.5, 0.5, d + 0.5, -dm, dm, 0.5, d + 0.5, 0.5,
            d + 0.5);
    plbox("bcnst", 0, 0, "bcnst", 0, 0);
    pllab("j", "k", "difference (own scale)");
    plot_end(tmp, dir, "hessian.pdf");
    plFree2dGrid(z1, d, d);
    plFree2dGrid(z2, d, d);
    plFree2dGrid(z3, d, d);
}

/* rows: lambda, a0, S1..S_nb, F1, A2 */
static void plot_partial(const char *dir, const double *rows, int npts, int nb)
{
    char tmp[4096];
    int ncol = 4 + nb, k, i;
    PLFLT *x = malloc(sizeof(PLFLT) * (size_t) npts), *y = malloc(sizeof(PLFLT) * (size_t) npts);
    double ymin = 0, ymax = 0;
    if (x == NULL || y == NULL)
        goto done;
    for (i = 0; i < npts; i++)
        for (k = 1; k < ncol; k++)
        {
            ymin = fmin(ymin, rows[i * ncol + k]);
            ymax = fmax(ymax, rows[i * ncol + k]);
        }
    if (ymax <= ymin)
        ymax = ymin + 1;
    plot_begin(tmp, sizeof tmp, dir, "born_partial_sums.pdf");
    plcol0(15);
    plenv(0, rows[(npts - 1) * ncol], ymin, ymax, 0, 0);
    pllab("coupling #gl (potential #gl U)", "a#d0#u",
          "a0 (black), Born partial sums S1..SN (colours), F1 (+), T1[F1]+T2[F2] (x)");
    for (k = 1; k < ncol; k++)
    {
        for (i = 0; i < npts; i++)
        {
            x[i] = rows[i * ncol];
            y[i] = rows[i * ncol + k];
        }
        if (k == 1)
        {
            plcol0(15);
            plwidth(2);
            plline(npts, x, y);
            plwidth(1);
        }
        else if (k < ncol - 2)
        {
            plcol0(1 + (k - 2) % 13);
            plline(npts, x, y);
        }
        else
        {
            plcol0(k == ncol - 2 ? 3 : 9);
            plpoin(npts, x, y, k == ncol - 2 ? 2 : 5);
        }
    }
    plot_end(tmp, dir, "born_partial_sums.pdf");
done:
    free(x);
    free(y);
}
#endif

/* ------------------------------------------------------------------ the demo */

static double dens_frob_sym(const fy_symtensor_t T, double *dense, int d)
{
    /* fills the dense d x d matrix of an order-2 double symmetric tensor */
    int i, j;
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
        {
            int idx[2] = {i, j};
            double *p = fy_symtensor_entry_d(T, idx);
            dense[i * d + j] = p ? *p : NAN;
        }
    return 0;
}

static int train_net(fy_net_t out, const double *X, const double *y, long N, int d,
                     const char *hidden, int epochs, int lbfgs, uint64_t seed,
                     const double *weights, fy_train_fn f, void *fctx, const char *label,
                     const demo_opts_t *o, fy_train_report_t rep, fy_error_t err)
{
    fy_train_opts_t opts;
    fy_born_nn_progress_t pc;
    int status;
    fy_train_opts_init(opts);
    status = fy_train_opts_set_hidden(opts, hidden, err);
    if (status != FY_OK)
        return status;
    opts->epochs = epochs;
    opts->lbfgs_iters = lbfgs;
    opts->seed = seed;
    opts->sample_weight = weights;
    opts->patience = 0;
    pc.label = label;
    pc.every = epochs >= 10 ? epochs / 5 : 1;
    if (!o->quiet)
    {
        opts->progress = fy_born_nn_progress;
        opts->progress_ctx = &pc;
    }
    if (f != NULL)
        return fy_train_mlp_residual(out, X, y, N, d, f, fctx, opts, rep, err);
    return fy_train_mlp(out, X, y, N, d, opts, rep, err);
}

static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

int fy_cmd_demo(int argc, char **argv)
{
    enum
    {
        O_QUICK = 256, O_SEED, O_FIRST, O_STEPS, O_SAMPLES, O_DIRS, O_PER, O_H1, O_H2, O_E1,
        O_E2, O_L1, O_L2, O_ENS, O_SMIN, O_SMAX, O_EMPH, O_WPOW, O_QUIET, O_HELD, O_NOMIRROR, O_WPOW1,
        O_DATA, O_BOX
    };
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
        {"no-mirror", no_argument, NULL, O_NOMIRROR},
        {"data", required_argument, NULL, O_DATA},
        {"box", required_argument, NULL, O_BOX},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    /* which options the user set (the rest follow --quick) */
    struct
    {
        long steps, samples, dirs, per, e1, e2, l1, l2, held;
        const char *h1, *h2;
    } set = {-1, -1, -1, -1, -1, -1, -1, -1, -1, NULL, NULL};
    const char *cmd = "demo";
    demo_opts_t o;
    fy_error_t err;
    fy_rules_t rules;
    fy_born_data_t data, held;
    fy_net_t F1, F2;
    fy_net_struct *members = NULL;
    fy_train_report_t rep1, rep2;
    fy_bv_t bv1, bv2;
    fy_ofile_t of;
    double t0 = fy_wall_time(), t_data = 0, t_f1 = 0, t_f2 = 0, t_ver = 0, x;
    double *X1 = NULL, *y1 = NULL, *X2 = NULL, *y2 = NULL, *w2 = NULL, *grad1 = NULL, *c3 = NULL;
    double *Hm = NULL, *He = NULL, *H1 = NULL, *prox = NULL, *bsum = NULL;
    double proxy_rel = NAN, proxy_rel_a0 = NAN, born2_rel_a0 = NAN, f1_rel_a0 = NAN;
    double grad2_ratio = NAN;
    long v, i, n2 = 0;
    double wfloor = 1;
    int c, k, d, status, first_met = 0, second_met = 0, nfiles = 0, wset = 0, wset1 = 0;
    char path[4096], desc[256];
    const char *files[32];
    fy_train_poly_struct T1poly;
    a0_ctx_t a0c;

    memset(&o, 0, sizeof o);
    o.dir = "feynn-demo";
    o.seed = 1;
    o.ensemble = -1;
    o.identity_K = 3;
    o.R = 1.0;
    o.margin = 0.5;
    o.s_min = 0.02;
    o.s_max = 1.0;
    o.emphasis = 1.5;
    o.wpower = 4;
    o.wpower1 = 2;
    o.mirror = 1;
    o.box = 1;
    o.box_a = 1.5;
    o.box_min_radius = NAN;
    fy_error_init(err);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
    {
        switch (c)
        {
        case O_QUICK:
            o.quick = 1;
            break;
        case 'o':
            o.dir = optarg;
            break;
        case O_SEED:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--seed", 0, LONG_MAX))
                return 2;
            o.seed = (uint64_t) v;
            break;
        case O_FIRST:
            if (strcmp(optarg, "exact") == 0)
                o.first_exact = 1;
            else if (strcmp(optarg, "learned") == 0)
                o.first_exact = 0;
            else
                return fy_cli_usage_error(cmd, "--first takes learned or exact, not '%s'",
                                          optarg);
            break;
#define LONGOPT(CASE, FIELD, NAME, LO, HI)                                                   \
    case CASE:                                                                               \
        if (fy_born_nn_parse_long(&set.FIELD, cmd, optarg, NAME, LO, HI))                    \
            return 2;                                                                        \
        break;
            LONGOPT(O_STEPS, steps, "--steps", 1, 64)
            LONGOPT(O_SAMPLES, samples, "--samples", 10, 10000000)
            LONGOPT(O_HELD, held, "--heldout", 1, 1000000)
            LONGOPT(O_DIRS, dirs, "--dirs", 1, 10000000)
            LONGOPT(O_PER, per, "--per", 1, 100000)
            LONGOPT(O_E1, e1, "--epochs1", 0, 1000000)
            LONGOPT(O_E2, e2, "--epochs2", 0, 1000000)
            LONGOPT(O_L1, l1, "--lbfgs1", 0, 1000000)
            LONGOPT(O_L2, l2, "--lbfgs2", 0, 1000000)
#undef LONGOPT
        case O_H1:
            set.h1 = optarg;
            break;
        case O_H2:
            set.h2 = optarg;
            break;
        case O_ENS:
            if (fy_born_nn_parse_long(&v, cmd, optarg, "--ensemble", 1, 64))
                return 2;
            o.ensemble = (int) v;
            break;
        case O_SMIN:
            if (fy_born_nn_parse_double(&o.s_min, cmd, optarg, "--smin", 0, 1))
                return 2;
            break;
        case O_SMAX:
            if (fy_born_nn_parse_double(&o.s_max, cmd, optarg, "--smax", 1e-6, 1))
                return 2;
            break;
        case O_EMPH:
            if (fy_born_nn_parse_double(&o.emphasis, cmd, optarg, "--emphasis", 0.1, 10))
                return 2;
            break;
        case O_WPOW:
            if (fy_born_nn_parse_double(&x, cmd, optarg, "--weight-power", 0, 8))
                return 2;
            o.wpower = x;
            wset = 1;
            break;
        case O_WPOW1:
            if (fy_born_nn_parse_double(&o.wpower1, cmd, optarg, "--weight-power1", 0, 8))
                return 2;
            wset1 = 1;
            break;
        case O_QUIET:
            o.quiet = 1;
            break;
        case O_NOMIRROR:
            o.mirror = 0;
            break;
        case O_DATA:
            if (strcmp(optarg, "box") == 0)
                o.box = 1;
            else if (strcmp(optarg, "rays") == 0)
                o.box = 0;
            else
                return fy_cli_usage_error(cmd, "--data takes box or rays, not '%s'", optarg);
            break;
        case O_BOX:
            if (fy_born_nn_parse_double(&o.box_a, cmd, optarg, "--box", 1e-6, 1.6))
                return 2;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            return fy_cli_usage_error(cmd, "unknown or incomplete option '%s'",
                                      argv[optind - 1]);
        }
    }
    if (optind != argc)
        return fy_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (!(o.s_min < o.s_max))
        return fy_cli_usage_error(cmd, "--smin must be below --smax");
    /* settings: default and quick */
    o.d = o.quick ? 8 : 16;
    o.n1 = o.box ? (o.quick ? 1000 : 4000) : (o.quick ? 300 : 1200);
    o.nheld = o.quick ? 100 : 400;
    o.n_dirs = o.quick ? 300 : 1200;
    o.n_per = o.quick ? 4 : 5;
    if (o.box)
    {
        /* the symmetric box: unweighted fits, one network per iteration */
        o.epochs1 = o.quick ? 40 : 60;
        o.epochs2 = o.quick ? 40 : 60;
        o.lbfgs1 = 200;
        o.lbfgs2 = 200;
        o.hidden1 = "32,32";
        o.hidden2 = "32,32";
        if (o.ensemble < 0)
            o.ensemble = 1;
        if (!wset1)
            o.wpower1 = 0;
        if (!wset)
            o.wpower = 0;
    }
    else
    {
        o.epochs1 = o.quick ? 60 : 150;
        o.epochs2 = o.quick ? 60 : 150;
        o.lbfgs1 = o.quick ? 30 : 150;
        o.lbfgs2 = o.quick ? 30 : 200;
        o.hidden1 = "32,32";
        o.hidden2 = o.quick ? "32,32" : "64,64";
        if (o.ensemble < 0)
            o.ensemble = o.quick ? 1 : 4;
    }
    if (set.steps > 0) o.d = (int) set.steps;
    if (set.samples > 0) o.n1 = set.samples;
    if (set.held > 0) o.nheld = set.held;
    if (set.dirs > 0) o.n_dirs = set.dirs;
    if (set.per > 0) o.n_per = set.per;
    if (set.e1 >= 0) o.epochs1 = (int) set.e1;
    if (set.e2 >= 0) o.epochs2 = (int) set.e2;
    if (set.l1 >= 0) o.lbfgs1 = (int) set.l1;
    if (set.l2 >= 0) o.lbfgs2 = (int) set.l2;
    if (set.h1) o.hidden1 = set.h1;
    if (set.h2) o.hidden2 = set.h2;
    d = o.d;

    fy_rules_init(rules);
    fy_born_data_init(data);
    fy_born_data_init(held);
    fy_net_init(F1);
    fy_net_init(F2);
    fy_train_report_init(rep1);
    fy_train_report_init(rep2);
    fy_bv_init(bv1);
    fy_bv_init(bv2);
    memset(&T1poly, 0, sizeof T1poly);

    status = fy_mkdir_p(o.dir, err);
    if (status == FY_OK)
        status = fy_rules_load_default(rules, err);

    /* 1. data */
    if (status == FY_OK)
    {
        say(&o, t0, "data: %ld training and %ld held-out potentials, %d steps on (0, %g], "
                    "margin %g", o.n1, o.nheld, d, o.R, o.margin);
        if (o.box)
            status = box_generate(data, o.n1, d, o.R, o.box_a, o.margin, o.seed,
                                  &o.box_min_radius, err);
        else
            status = fy_born_data_generate(data, o.n1, d, o.R, o.margin, o.seed, 0, err);
    }
    if (status == FY_OK)
        status = fy_born_data_generate(held, o.nheld, d, o.R, o.margin,
                                       o.seed * 1000003u + 7919u, 0, err);
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/data.safetensors", o.dir);
        status = fy_born_data_write_safetensors(path, data, err);
        files[nfiles++] = "data.safetensors";
    }
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/heldout.safetensors", o.dir);
        status = fy_born_data_write_safetensors(path, held, err);
        files[nfiles++] = "heldout.safetensors";
    }

    /* 2. F_1 */
    if (status == FY_OK)
    {
        /* one set of rays for both networks: directions = the training potentials, scales
         * s in [smin, 1] (more at small |U|), every other point mirrored to -U (repulsive) so
         * that U = 0 lies inside the data; a_0 exact (ball arithmetic, rounded) */
        long ndirs = o.n_dirs < data->n ? o.n_dirs : data->n;
        n2 = o.box ? data->n : ndirs * o.n_per;
        a0c.R = o.R;
        X2 = malloc(sizeof(double) * (size_t) n2 * (size_t) d);
        y2 = malloc(sizeof(double) * (size_t) n2);
        w2 = malloc(sizeof(double) * (size_t) n2);
        y1 = malloc(sizeof(double) * (size_t) n2);
        if (X2 == NULL || y2 == NULL || w2 == NULL || y1 == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory (training rays)");
        if (status == FY_OK && o.box)
        {
            say(&o, t0, "training data: %ld potentials, U_j uniform in [-%g, %g] (symmetric "
                        "box), every Born series convergent (smallest radius > %.3f)",
                n2, o.box_a, o.box_a, o.box_min_radius);
            memcpy(X2, data->U, sizeof(double) * (size_t) n2 * (size_t) d);
            memcpy(y2, data->a0, sizeof(double) * (size_t) n2);
        }
        else if (status == FY_OK)
        {
            say(&o, t0, "rays: %ld directions x %ld scales in [%g, %g] (emphasis %g)%s, exact "
                        "a_0", ndirs, o.n_per, o.s_min, o.s_max, o.emphasis,
                o.mirror ? ", every other one mirrored to -U" : "");
            status = fy_train_rays(X2, NULL, data->U, ndirs, d, (int) o.n_per, o.s_min,
                                   o.s_max, o.emphasis, o.seed + 17, NULL, NULL, err);
            for (i = 1; o.mirror && status == FY_OK && i < n2; i += 2)
                for (k = 0; k < d; k++)
                    X2[i * d + k] = -X2[i * d + k];
            if (status == FY_OK)
                status = a0_fn(y2, X2, n2, d, &a0c, err);
        }
        if (status == FY_OK)
        {
            /* floor: a small fraction of the typical |U| */
            double s = 0;
            for (i = 0; i < n2 * d; i++)
                s += X2[i] * X2[i];
            wfloor = 0.05 * sqrt(s / (double) n2);
            if (o.wpower1 > 0)
                status = fy_train_weights_small(y1, X2, n2, d, o.wpower1, wfloor, err);
        }
        t_data = fy_wall_time() - t0;
        say(&o, t0, "train F_1 (%s tanh, %d epochs, %d L-BFGS) on (U, a_0)", o.hidden1,
            o.epochs1, o.lbfgs1);
        if (status == FY_OK)
            status = train_net(F1, X2, y2, n2, d, o.hidden1, o.epochs1, o.lbfgs1, o.seed,
                               o.wpower1 > 0 ? y1 : NULL, NULL, NULL, "F_1", &o, rep1, err);
        t_f1 = fy_wall_time() - t0 - t_data;
    }
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/F1.safetensors", o.dir);
        status = fy_born_nn_save(path, F1, o.R, NULL, "demo: F_1 trained on (U, a_0)", err);
        files[nfiles++] = "F1.safetensors";
    }
    if (status == FY_OK)
    {
        double t = fy_wall_time();
        say(&o, t0, "verify F_1 against the exact Born tensors (orders 1, 2)");
        status = fy_bv_run(bv1, F1, rules, 2, o.R, held->U, held->a0, held->n, o.identity_K, 2,
                           0, err);
        t_ver += fy_wall_time() - t;
    }
    if (status == FY_OK)
        say(&o, t0, "first order: relative Frobenius error of grad F_1(0) against c3: %.4f "
                    "(target %g)", bv1->ord[0].rel_frobenius, TARGET_FIRST);

    /* 3. the iterative scheme: F_2 on the residual a_0 - T_1 */
    if (status == FY_OK)
    {
        grad1 = calloc((size_t) d, sizeof(double));
        c3 = calloc((size_t) d, sizeof(double));
        if (grad1 == NULL || c3 == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
        for (k = 0; k < d && status == FY_OK; k++)
        {
            int idx[1] = {k};
            grad1[k] = *fy_symtensor_entry_d(bv1->model + 1, idx);
            c3[k] = fy_fmpq_get_d(fy_symtensor_entry_fmpq(bv1->exact + 0, idx));
        }
        if (status == FY_OK && o.wpower > 0)
            status = fy_train_weights_small(w2, X2, n2, d, o.wpower, wfloor, err);
        T1poly.d = d;
        T1poly.c0 = 0;
        T1poly.c = o.first_exact ? c3 : grad1;
        T1poly.H = NULL;
        if (status == FY_OK)
        {
            members = calloc((size_t) o.ensemble, sizeof(fy_net_struct));
            if (members == NULL)
                status = fy_error_set(err, FY_ENOMEM, "out of memory");
        }
        for (k = 0; k < o.ensemble && status == FY_OK; k++)
        {
            char label[32];
            fy_net_init(members + k);
            snprintf(label, sizeof label, o.ensemble > 1 ? "F_2[%d]" : "F_2", k + 1);
            say(&o, t0, "train %s (%s tanh, %d epochs, %d L-BFGS) on a_0 - %s", label,
                o.hidden2, o.epochs2, o.lbfgs2, o.first_exact ? "c3.U (exact T_1)"
                                                              : "T_1[F_1] (learned)");
            fy_train_report_clear(rep2);
            fy_train_report_init(rep2);
            status = train_net(members + k, X2, y2, n2, d, o.hidden2, o.epochs2, o.lbfgs2,
                               o.seed + 101 + (uint64_t) k, o.wpower > 0 ? w2 : NULL,
                               fy_train_fn_poly, &T1poly, label, &o, rep2, err);
        }
        if (status == FY_OK)
            status = o.ensemble > 1 ? fy_net_ensemble(F2, members, o.ensemble, err)
                                    : fy_net_ensemble(F2, members, 1, err);
        t_f2 = fy_wall_time() - t0 - t_data - t_f1 - t_ver;
    }
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/F2.safetensors", o.dir);
        status = fy_born_nn_save(path, F2, o.R, o.first_exact ? "exact c3.U" : "F1.safetensors",
                                 "demo: F_2 trained on a_0 - T_1", err);
        files[nfiles++] = "F2.safetensors";
    }
    if (status == FY_OK)
    {
        double t = fy_wall_time();
        say(&o, t0, "verify F_2 (orders 1, 2)");
        status = fy_bv_run(bv2, F2, rules, 2, o.R, held->U, held->a0, held->n, 0, 2, 0, err);
        t_ver += fy_wall_time() - t;
    }
    /* the proxy A_2 = T_1[F_1] + T_2[F_2] on held-out potentials */
    if (status == FY_OK)
    {
        double *f1v = malloc(sizeof(double) * (size_t) held->n);
        prox = malloc(sizeof(double) * (size_t) held->n);
        bsum = malloc(sizeof(double) * (size_t) held->n);
        if (prox == NULL || bsum == NULL || f1v == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
        for (i = 0; i < held->n && status == FY_OK; i++)
        {
            prox[i] = bv1->heldout_terms[i * 2] + bv2->heldout_terms[i * 2 + 1];
            bsum[i] = bv1->heldout_born[i * 2] + bv1->heldout_born[i * 2 + 1];
        }
        if (status == FY_OK)
        {
            proxy_rel = fy_bv_rel_rms(prox, bsum, held->n, 1);
            proxy_rel_a0 = fy_bv_rel_rms(prox, held->a0, held->n, 1);
            born2_rel_a0 = fy_bv_rel_rms(bsum, held->a0, held->n, 1);
            status = fy_net_eval(f1v, F1, held->U, held->n, d, err);
        }
        if (status == FY_OK)
            f1_rel_a0 = fy_bv_rel_rms(f1v, held->a0, held->n, 1);
        free(f1v);
        grad2_ratio = bv2->ord[0].norm_model / bv2->ord[0].norm_exact;
    }
    if (status == FY_OK)
    {
        first_met = bv1->ord[0].rel_frobenius <= TARGET_FIRST;
        second_met = bv2->ord[1].rel_heldout <= TARGET_SECOND;
        say(&o, t0, "second order: held-out relative RMS of T_2[F_2] against a_0^(2): %.4f "
                    "(target %g); Hessian against -2K: rel. Frobenius %.4f",
            bv2->ord[1].rel_heldout, TARGET_SECOND, bv2->ord[1].rel_frobenius);
    }

    /* 4. CSV files and figures */
    if (status == FY_OK)
    {
        Hm = malloc(sizeof(double) * (size_t) d * (size_t) d);
        He = malloc(sizeof(double) * (size_t) d * (size_t) d);
        H1 = malloc(sizeof(double) * (size_t) d * (size_t) d);
        if (Hm == NULL || He == NULL || H1 == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    if (status == FY_OK)
    {
        fy_symtensor_t ed;
        fy_symtensor_init(ed, FY_ARITH_DOUBLE, 1, 0, 53, NULL);
        status = fy_symtensor_convert(ed, FY_ARITH_DOUBLE, 53, bv2->exact + 1, err);
        if (status == FY_OK)
        {
            dens_frob_sym(bv2->model + 2, Hm, d);
            dens_frob_sym(ed, He, d);
            dens_frob_sym(bv1->model + 2, H1, d);
        }
        fy_symtensor_clear(ed);
    }
    if (status == FY_OK && (status = csv_open(of, o.dir, "gradient.csv", err)) == FY_OK)
    {
        fprintf(of->fp, "step,r_lo,r_hi,c3,grad_F1,grad_F2\n");
        for (k = 0; k < d; k++)
        {
            int idx[1] = {k};
            fprintf(of->fp, "%d,%.17g,%.17g,%.17g,%.17g,%.17g\n", k + 1, o.R * k / d,
                    o.R * (k + 1) / d, c3[k], grad1[k], *fy_symtensor_entry_d(bv2->model + 1,
                                                                               idx));
        }
        status = fy_ofile_commit(of, err);
        files[nfiles++] = "gradient.csv";
    }
    if (status == FY_OK && (status = csv_open(of, o.dir, "hessian.csv", err)) == FY_OK)
    {
        int a, b;
        fprintf(of->fp, "j,k,exact_minus_2K,hessian_F2,hessian_F1\n");
        for (a = 0; a < d; a++)
            for (b = 0; b < d; b++)
                fprintf(of->fp, "%d,%d,%.17g,%.17g,%.17g\n", a + 1, b + 1, He[a * d + b],
                        Hm[a * d + b], H1[a * d + b]);
        status = fy_ofile_commit(of, err);
        files[nfiles++] = "hessian.csv";
    }
    if (status == FY_OK && (status = csv_open(of, o.dir, "heldout.csv", err)) == FY_OK)
    {
        fprintf(of->fp, "i,a0,born1,born2,T1_F1,T2_F1,T1_F2,T2_F2,A2\n");
        for (i = 0; i < held->n; i++)
            fprintf(of->fp, "%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", i,
                    held->a0[i], bv1->heldout_born[2 * i], bv1->heldout_born[2 * i + 1],
                    bv1->heldout_terms[2 * i], bv1->heldout_terms[2 * i + 1],
                    bv2->heldout_terms[2 * i], bv2->heldout_terms[2 * i + 1], prox[i]);
        status = fy_ofile_commit(of, err);
        files[nfiles++] = "heldout.csv";
    }
    /* a_0(lambda U) against its Born partial sums for the first held-out potential */
    enum { NPTS = 41, NB = 6 };
    double rows[NPTS * (4 + NB)];
    if (status == FY_OK)
    {
        fy_born_potential_t pot;
        fmpq_poly_t s;
        fmpq *Uq = _fmpq_vec_init(d);
        fmpq_t Rq, q;
        double *lam = malloc(sizeof(double) * NPTS * (size_t) d), a0v[NPTS], f1v[NPTS];
        int p;
        fy_born_potential_init(pot);
        fmpq_poly_init(s);
        fmpq_init(Rq);
        fmpq_init(q);
        if (lam == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
        if (status == FY_OK)
            status = fy_fmpq_set_d(Rq, o.R, err);
        for (k = 0; k < d && status == FY_OK; k++)
            status = fy_fmpq_set_d(Uq + k, held->U[k], err);
        if (status == FY_OK)
            status = fy_born_potential_set_steps(pot, d, Rq, Uq, err);
        if (status == FY_OK)
            status = fy_born_series(s, pot, NB, err);
        for (p = 0; p < NPTS && status == FY_OK; p++)
            for (k = 0; k < d; k++)
                lam[p * d + k] = (p / (double) (NPTS - 1)) * held->U[k];
        if (status == FY_OK)
            status = a0_fn(a0v, lam, NPTS, d, &a0c, err);
        if (status == FY_OK)
            status = fy_net_eval(f1v, F1, lam, NPTS, d, err);
        for (p = 0; p < NPTS && status == FY_OK; p++)
        {
            double L = p / (double) (NPTS - 1), S = 0, Ln = 1;
            double *r = rows + p * (4 + NB);
            r[0] = L;
            r[1] = a0v[p];
            for (k = 1; k <= NB; k++)
            {
                fmpq_poly_get_coeff_fmpq(q, s, k);
                Ln *= L;
                S += fy_fmpq_get_d(q) * Ln;
                r[1 + k] = S;
            }
            r[2 + NB] = f1v[p];
            r[3 + NB] = L * bv1->heldout_terms[0] + L * L * bv2->heldout_terms[1];
        }
        if (status == FY_OK && (status = csv_open(of, o.dir, "born_partial_sums.csv", err))
                                   == FY_OK)
        {
            fprintf(of->fp, "lambda,a0");
            for (k = 1; k <= NB; k++)
                fprintf(of->fp, ",S%d", k);
            fprintf(of->fp, ",F1,A2\n");
            for (p = 0; p < NPTS; p++)
            {
                for (k = 0; k < 4 + NB; k++)
                    fprintf(of->fp, "%s%.17g", k ? "," : "", rows[p * (4 + NB) + k]);
                fputc('\n', of->fp);
            }
            status = fy_ofile_commit(of, err);
            files[nfiles++] = "born_partial_sums.csv";
        }
        free(lam);
        fmpq_clear(q);
        fmpq_clear(Rq);
        fmpq_poly_clear(s);
        fy_born_potential_clear(pot);
        _fmpq_vec_clear(Uq, d);
    }
    int plots = 0, dots = 0;
#ifdef FY_HAVE_PLPLOT
    if (status == FY_OK)
    {
        plot_gradient(o.dir, c3, grad1, d, o.R);
        plot_hessians(o.dir, Hm, He, d);
        plot_partial(o.dir, rows, NPTS, NB);
        plots = 1;
        files[nfiles++] = "gradient.pdf";
        files[nfiles++] = "hessian.pdf";
        files[nfiles++] = "born_partial_sums.pdf";
    }
#endif
    /* the largest diagrams of F_2's Hessian: DOT, and PDF when Graphviz's dot is there */
    if (status == FY_OK)
    {
        const fy_bv_order_struct *ord = bv2->ord + 1;
        int have_dot = have_program("dot");
        for (k = 0; k < ord->n_top && k < 3 && status == FY_OK; k++)
        {
            fy_draw_options_t dopt;
            char *dot = NULL, name[64], pdf[4096];
            fy_draw_options_init(dopt);
            snprintf(name, sizeof name, "diagram_o2_%d.dot", k + 1);
            status = fy_draw_dot(&dot, bv2->diagrams[1].d + ord->top[k], dopt, err);
            if (status == FY_OK)
                status = write_text_file(o.dir, name, dot, err);
            free(dot);
            if (status == FY_OK && have_dot)
            {
                char *av[6];
                snprintf(path, sizeof path, "%s/%s", o.dir, name);
                snprintf(pdf, sizeof pdf, "%s/diagram_o2_%d.pdf", o.dir, k + 1);
                av[0] = (char *) "dot";
                av[1] = (char *) "-Tpdf";
                av[2] = path;
                av[3] = (char *) "-o";
                av[4] = pdf;
                av[5] = NULL;
                if (run_program(av) == 0)
                    dots++;
            }
        }
    }

    /* 5. the report */
    if (status == FY_OK)
    {
        json_t *j = json_object(), *fo = json_object(), *so = json_object(),
               *px = json_object(), *st = json_object(), *tm = json_object(),
               *fl = json_array();
        char *txt;
        const fy_bv_order_struct *a = bv1->ord, *b = bv2->ord + 1;
        json_object_set_new(j, "convention", json_string(FY_BORN_CONVENTION));
        json_object_set_new(st, "quick", json_boolean(o.quick));
        json_object_set_new(st, "seed", json_integer((json_int_t) o.seed));
        json_object_set_new(st, "steps", json_integer(d));
        json_object_set_new(st, "range", json_real(o.R));
        json_object_set_new(st, "margin", json_real(o.margin));
        json_object_set_new(st, "samples", json_integer(o.n1));
        json_object_set_new(st, "heldout", json_integer(o.nheld));
        json_object_set_new(st, "hidden1", json_string(o.hidden1));
        json_object_set_new(st, "hidden2", json_string(o.hidden2));
        json_object_set_new(st, "epochs1", json_integer(o.epochs1));
        json_object_set_new(st, "epochs2", json_integer(o.epochs2));
        json_object_set_new(st, "lbfgs1", json_integer(o.lbfgs1));
        json_object_set_new(st, "lbfgs2", json_integer(o.lbfgs2));
        json_object_set_new(st, "ensemble", json_integer(o.ensemble));
        json_object_set_new(st, "rays", json_integer(o.n_dirs));
        json_object_set_new(st, "points_per_ray", json_integer(o.n_per));
        json_object_set_new(st, "ray_scales", json_pack("[f,f]", o.s_min, o.s_max));
        json_object_set_new(st, "ray_emphasis", json_real(o.emphasis));
        json_object_set_new(st, "weight_power", json_real(o.wpower));
        json_object_set_new(st, "weight_power1", json_real(o.wpower1));
        json_object_set_new(st, "mirrored_repulsive", json_boolean(o.mirror && !o.box));
        {
            json_t *td = json_object();
            json_object_set_new(td, "kind", json_string(o.box ? "box" : "rays"));
            json_object_set_new(td, "samples", json_integer(n2));
            json_object_set_new(td, "description",
                                json_string(o.box ? data->description
                                                  : "attractive shallow potentials (feynn born "
                                                    "data) as ray directions U = s w, s in "
                                                    "[smin, smax], every other point mirrored "
                                                    "to -U when mirrored_repulsive"));
            if (o.box)
            {
                json_object_set_new(td, "box_half_width", json_real(o.box_a));
                json_object_set_new(td, "required_radius", json_real(1 + o.margin));
                json_object_set_new(td, "min_radius_lower_bound", jnum(o.box_min_radius));
            }
            json_object_set_new(td, "used_for", json_string("F_1 and F_2"));
            json_object_set_new(st, "training_data", td);
            json_object_set_new(st, "heldout_data",
                                json_string(held->description ? held->description
                                                              : "shallow attractive"));
        }
        json_object_set_new(j, "settings", st);

        json_object_set_new(fo, "rel_frobenius", jnum(a->rel_frobenius));
        json_object_set_new(fo, "max_abs_err", jnum(a->max_abs_err));
        json_object_set_new(fo, "cosine", jnum(a->cosine));
        json_object_set_new(fo, "rel_heldout", jnum(a->rel_heldout));
        json_object_set_new(fo, "target", json_real(TARGET_FIRST));
        json_object_set_new(fo, "met", json_boolean(first_met));
        json_object_set_new(fo, "network_rel_rms_vs_a0", jnum(f1_rel_a0));
        json_object_set_new(fo, "one_network_hessian_rel_frobenius",
                            jnum(bv1->ord[1].rel_frobenius));
        json_object_set_new(fo, "one_network_T2_rel_heldout", jnum(bv1->ord[1].rel_heldout));
        json_object_set_new(j, "first_order", fo);

        json_object_set_new(so, "rel_frobenius", jnum(b->rel_frobenius));
        json_object_set_new(so, "rel_heldout", jnum(b->rel_heldout));
        json_object_set_new(so, "max_abs_err", jnum(b->max_abs_err));
        json_object_set_new(so, "cosine", jnum(b->cosine));
        json_object_set_new(so, "target", json_real(TARGET_SECOND));
        json_object_set_new(so, "met", json_boolean(second_met));
        json_object_set_new(so, "first_order_subtracted",
                            json_string(o.first_exact ? "exact" : "learned"));
        json_object_set_new(so, "F2_gradient_norm_over_c3", jnum(grad2_ratio));
        json_object_set_new(j, "second_order", so);

        json_object_set_new(px, "rel_vs_born_partial_sum", jnum(proxy_rel));
        json_object_set_new(px, "rel_vs_a0", jnum(proxy_rel_a0));
        json_object_set_new(px, "born_partial_sum_rel_vs_a0", jnum(born2_rel_a0));
        json_object_set_new(j, "proxy_A2", px);
        json_object_set_new(j, "exact_identity",
                            json_pack("{s:b,s:i,s:i}", "holds", bv1->identity_ok, "potentials",
                                      bv1->identity_K, "orders", 2));
        json_object_set_new(j, "verify_F1", fy_bv_json(bv1));
        json_object_set_new(j, "verify_F2", fy_bv_json(bv2));
        json_object_set_new(tm, "data_s", json_real(t_data));
        json_object_set_new(tm, "train_F1_s", json_real(t_f1));
        json_object_set_new(tm, "train_F2_s", json_real(t_f2));
        json_object_set_new(tm, "verify_s", json_real(t_ver));
        json_object_set_new(tm, "total_s", json_real(fy_wall_time() - t0));
        json_object_set_new(j, "timings", tm);
        files[nfiles++] = "report.txt";
        files[nfiles++] = "report.json";
        for (k = 0; k < nfiles; k++)
            json_array_append_new(fl, json_string(files[k]));
        json_object_set_new(j, "plots_pdf", json_boolean(plots));
        json_object_set_new(j, "diagram_pdfs", json_integer(dots));
        json_object_set_new(j, "files", fl);
        json_object_set_new(j, "targets_met", json_boolean(first_met && second_met));
        txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        if (txt == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory (report)");
        else
        {
            snprintf(path, sizeof path, "%s/report.json", o.dir);
            status = fy_file_write_atomic(path, txt, strlen(txt), err);
            free(txt);
        }
        json_decref(j);
    }
    if (status == FY_OK && (status = csv_open(of, o.dir, "report.txt", err)) == FY_OK)
    {
        FILE *fp = of->fp;
        const fy_bv_order_struct *a = bv1->ord, *b = bv2->ord + 1;
        fprintf(fp, "feynn demo: the Born-Taylor correspondence (MATH.md 2.4)%s\n",
                o.quick ? " [--quick]" : "");
        fprintf(fp, "convention: %s\n\n", FY_BORN_CONVENTION);
        if (o.box)
            fprintf(fp, "training data (F_1 and F_2): %ld potentials, %s; seed %llu; smallest "
                        "certified radius of convergence %.3f\n", n2, data->description,
                    (unsigned long long) o.seed, o.box_min_radius);
        else
            fprintf(fp, "training data: %ld random shallow attractive potentials on %d steps of "
                        "(0, %g] (margin %g, seed %llu) as ray directions\n", o.n1, d, o.R,
                    o.margin, (unsigned long long) o.seed);
        fprintf(fp, "held-out data (verification only): %ld independent random shallow "
                    "attractive potentials (margin %g, seed %llu)\n", o.nheld, o.margin,
                (unsigned long long) (o.seed * 1000003u + 7919u));
        fprintf(fp, "F_1: %s tanh, %d Adam epochs + %d L-BFGS, %.1f s; RMS error against a_0 "
                    "on held-out potentials: %.3e (relative)\n", o.hidden1, o.epochs1, o.lbfgs1,
                t_f1, f1_rel_a0);
        fprintf(fp, "\nThe exact identity (true map): d^n a_0(0)[U,..,U] = n! a_0^(n)(U) %s at "
                    "orders 1..2 (checked exactly on %d potentials; it holds at every order).\n",
                bv1->identity_ok ? "holds" : "FAILS", bv1->identity_K);
        fprintf(fp, "\nFIRST ORDER (one network F_1):\n");
        fprintf(fp, "  grad F_1(0) against c3: relative Frobenius error %.4f (target <= %g: %s),"
                    " cosine %.6f, largest entry error %.3e\n", a->rel_frobenius, TARGET_FIRST,
                first_met ? "met" : "NOT MET", a->cosine, a->max_abs_err);
        fprintf(fp, "  T_1[F_1](U) against a_0^(1)(U) on held-out potentials: relative RMS "
                    "%.4f\n", a->rel_heldout);
        fprintf(fp, "  (the same network's Hessian against -2K: relative Frobenius %.3f; "
                    "T_2[F_1] held-out %.3f: one network does not learn the second order)\n",
                bv1->ord[1].rel_frobenius, bv1->ord[1].rel_heldout);
        fprintf(fp, "\nSECOND ORDER (iterative scheme: F_2 trained on a_0 - %s):\n",
                o.first_exact ? "c3.U, the exact first order" : "T_1[F_1], the learned first "
                                                                "order");
        if (o.box)
            fprintf(fp, "  %s tanh%s, the same %ld box potentials, %d epochs + %d L-BFGS, "
                        "%.1f s\n", o.hidden2, o.ensemble > 1 ? " (ensemble)" : "", n2,
                    o.epochs2, o.lbfgs2, t_f2);
        else
            fprintf(fp, "  %s tanh%s, %ld rays x %ld points at scales %g..%g, %d epochs + %d "
                        "L-BFGS, %.1f s\n", o.hidden2, o.ensemble > 1 ? " (ensemble)" : "",
                    o.n_dirs, o.n_per, o.s_min, o.s_max, o.epochs2, o.lbfgs2, t_f2);
        snprintf(desc, sizeof desc, "%.4f", b->rel_heldout);
        fprintf(fp, "  T_2[F_2](U) against a_0^(2)(U) on held-out potentials: relative RMS %s "
                    "(target <= %g: %s)\n", desc, TARGET_SECOND,
                second_met ? "met" : "NOT MET");
        fprintf(fp, "  Hessian d^2 F_2(0) against -2K: relative Frobenius %.4f, cosine %.6f, "
                    "largest entry error %.3e\n", b->rel_frobenius, b->cosine, b->max_abs_err);
        fprintf(fp, "  diagnostic: |grad F_2(0)| / |c3| = %.4f (%s)\n", grad2_ratio,
                o.first_exact ? "should be near 0"
                              : "near 0 up to F_2 correcting the first-order error of F_1");
        fprintf(fp, "  proxy A_2 = T_1[F_1] + T_2[F_2]: relative RMS %.4f against the Born sum "
                    "a^(1) + a^(2), %.4f against a_0 (the exact Born sum: %.4f)\n", proxy_rel,
                proxy_rel_a0, born2_rel_a0);
        fprintf(fp, "\nF_1 in detail:\n");
        fy_bv_text(fp, bv1, "  ");
        fprintf(fp, "\nF_2 in detail:\n");
        fy_bv_text(fp, bv2, "  ");
        fprintf(fp, "\nfigures: %s; diagram PDFs: %d (Graphviz %s)\n",
                plots ? "gradient.pdf, hessian.pdf, born_partial_sums.pdf"
                      : "none (built without PLplot; CSV files only)",
                dots, have_program("dot") ? "found" : "not found");
        fprintf(fp, "time: %.1f s (data %.1f, F_1 %.1f, F_2 %.1f, verification %.1f)\n",
                fy_wall_time() - t0, t_data, t_f1, t_f2, t_ver);
        fprintf(fp, "\nTARGETS %s\n", first_met && second_met ? "MET" : "NOT MET");
        status = fy_ofile_commit(of, err);
        if (status == FY_OK && !o.quiet)
        {
            snprintf(path, sizeof path, "%s/report.txt", o.dir);
            say(&o, t0, "wrote %s (targets %s)", path, first_met && second_met ? "met"
                                                                               : "NOT met");
        }
    }
    if (members != NULL)
    {
        for (k = 0; k < o.ensemble; k++)
            fy_net_clear(members + k);
        free(members);
    }
    free(X1);
    free(y1);
    free(X2);
    free(y2);
    free(w2);
    free(grad1);
    free(c3);
    free(Hm);
    free(He);
    free(H1);
    free(prox);
    free(bsum);
    fy_bv_clear(bv1);
    fy_bv_clear(bv2);
    fy_train_report_clear(rep1);
    fy_train_report_clear(rep2);
    fy_net_clear(F1);
    fy_net_clear(F2);
    fy_born_data_clear(data);
    fy_born_data_clear(held);
    fy_rules_clear(rules);
    if (status != FY_OK)
        return fy_cli_fail(cmd, err);
    return first_met && second_met ? 0 : 1;
}
