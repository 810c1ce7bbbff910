/* bench_startup: the start-up of the `feynn` command (issue 16).  The median wall and CPU
 * (user + system, of the child and what it waited for) time of runs of commands that need no
 * optional back end (`feynn version`, a tiny `feynn taylor`, `feynn diagrams` as text, a small
 * `feynn nnft sample` alone) and of ones that do (a TikZ figure: Graphviz's layout; the same
 * sample under `mpirun -np 2`: MPI), against /bin/true (and `mpirun -np 2 /bin/true`), all run
 * interleaved in the same process.  Per row also the shared objects the run opened, needed or
 * dlopen'ed (the loader's own report, LD_DEBUG=files; for mpirun those of the two ranks), and
 * which of the optional libraries (libplplot, libgvc, libcgraph, libmpi) were among them; and
 * the objects the program needs at load (LD_TRACE_LOADED_OBJECTS, as ldd prints them).
 * Run from the build directory (`make bench`): the program is .libs/feynn (libtool, shared)
 * with LD_LIBRARY_PATH=.libs, or ./feynn (static build); FY_TOP_SRCDIR locates examples/
 * (default: the build's srcdir).  The mpirun rows are left out without mpirun in PATH or
 * when feynn was built without MPI.  BENCH_STARTUP_BEFORE=DIR (a build directory, or a copy of
 * its .libs) adds the rows of the commands run alone for DIR's program, interleaved with the
 * others ("before_" rows): a change is measured against the program before it in one run.
 * Prints one JSON object. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#include "bench_stats.h"

#ifndef FY_SRCDIR
#define FY_SRCDIR "."
#endif
#define RUNS 41
#define MPI_RUNS 7
#define MAXROWS 16
#define MAXARGS 16
#define SPEC "bench_startup.spec"

extern char **environ;

typedef struct
{
    const char *name;
    int runs; /* 0: left out */
    int mpi;  /* started by mpirun */
    char *argv[MAXARGS];
    char **envp; /* NULL: this process's environment */
    double wall[RUNS], cpu[RUNS], mw, mc;
    int opened;        /* objects the loader opened, or -1 */
    char optional[96]; /* the optional ones among them */
} row;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

/* One run of argv (PATH searched) with stdout and stderr to /dev/null: wall seconds, CPU
 * seconds in *cpu; -1 when it could not be started or did not exit 0. */
static double run_once(char *const argv[], char **envp, double *cpu)
{
    posix_spawn_file_actions_t fa;
    struct rusage ru;
    pid_t pid;
    int st;
    double t0 = now(), t;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp ? envp : environ) != 0)
    {
        posix_spawn_file_actions_destroy(&fa);
        return -1.0;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (wait4(pid, &st, 0, &ru) != pid)
        return -1.0;
    t = now() - t0;
    *cpu = (double) ru.ru_utime.tv_sec + 1e-6 * (double) ru.ru_utime.tv_usec +
           (double) ru.ru_stime.tv_sec + 1e-6 * (double) ru.ru_stime.tv_usec;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t : -1.0;
}

/* Shared objects the loader maps for prog at start (LD_TRACE_LOADED_OBJECTS, as ldd does). */
static int count_needed(const char *prog)
{
    char cmd[8192];
    FILE *p;
    int n = 0, c, last = '\n';
    snprintf(cmd, sizeof cmd, "LD_TRACE_LOADED_OBJECTS=1 '%s' 2>/dev/null", prog);
    p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    while ((c = fgetc(p)) != EOF)
    {
        if (c == '\n' && last != '\n')
            n++;
        last = c;
    }
    return pclose(p) == 0 ? n : -1;
}

/* The objects one run of r opened (LD_DEBUG=files; for mpirun, passed to the ranks with -x):
 * their number, and the optional libraries among them in r->optional. */
static void count_opened(row *r)
{
    static const char *const opt[] = {"libplplot", "libgvc", "libcgraph", "libmpi"};
    char cmd[8192], line[1024];
    size_t len = 0;
    FILE *p;
    int i;
    len += (size_t) snprintf(cmd + len, sizeof cmd - len, "%s%s", r->mpi ? "" : "LD_DEBUG=files",
                             r->envp ? " LD_LIBRARY_PATH=\"$BENCH_STARTUP_BEFORE_LIBS\"" : "");
    for (i = 0; r->argv[i] != NULL && len < sizeof cmd - 64; i++)
    {
        len += (size_t) snprintf(cmd + len, sizeof cmd - len, " '%s'", r->argv[i]);
        if (r->mpi && i == 2) /* after mpirun -np 2 */
            len += (size_t) snprintf(cmd + len, sizeof cmd - len, " -x LD_DEBUG=files");
    }
    snprintf(cmd + len, sizeof cmd - len, " 2>&1 >/dev/null | sed -n 's/.*file=\\([^ ]*\\) .*/"
             "\\1/p' | sort -u");
    r->opened = 0;
    r->optional[0] = '\0';
    p = popen(cmd, "r");
    if (p == NULL)
    {
        r->opened = -1;
        return;
    }
    while (fgets(line, sizeof line, p) != NULL)
    {
        r->opened++;
        for (i = 0; i < 4; i++)
            if (strncmp(line, opt[i], strlen(opt[i])) == 0 &&
                strlen(r->optional) + strlen(opt[i]) + 2 < sizeof r->optional)
            {
                strcat(r->optional, r->optional[0] ? " " : "");
                strcat(r->optional, opt[i]);
            }
    }
    if (pclose(p) != 0)
        r->opened = -1;
}

static void set(row *r, const char *name, int runs, int mpi, int n, char **argv)
{
    int i;
    memset(r, 0, sizeof *r);
    r->name = name;
    r->runs = runs;
    r->mpi = mpi;
    for (i = 0; i < n && i < MAXARGS - 1; i++)
        r->argv[i] = argv[i];
    r->argv[i] = NULL;
}

/* 1 when the program says it was built with MPI and mpirun is on the PATH. */
static int have_mpi(const char *prog)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' version 2>/dev/null | grep -q 'MPI yes' && "
             "command -v mpirun >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

static int setup(row *rows, char *prog, char *model, char *spec_path)
{
    char *tru[] = {"/bin/true"}, *ver[] = {prog, "version"};
    char *tay[] = {prog, "taylor", model, "--order", "2"};
    char *dtx[] = {prog, "diagrams", "mlp", "--hidden", "2", "--order", "3"};
    char *dtk[] = {prog, "diagrams", "mlp", "--hidden", "2", "--order", "3", "--format", "tikz"};
    char *smp[] = {prog, "nnft", "sample", spec_path, "--networks", "200", "--seed", "3"};
    char *mtr[] = {"mpirun", "-np", "2", "--oversubscribe", "/bin/true"};
    char *msm[] = {"mpirun", "-np", "2", "--oversubscribe", prog, "nnft", "sample", spec_path,
                   "--networks", "200", "--seed", "3"};
    int m = have_mpi(prog) ? MPI_RUNS : 0;
    set(&rows[0], "true", RUNS, 0, 1, tru);
    set(&rows[1], "version", RUNS, 0, 2, ver);
    set(&rows[2], "taylor_tiny", RUNS, 0, 5, tay);
    set(&rows[3], "diagrams_text", RUNS, 0, 7, dtx);
    set(&rows[4], "figure_tikz", RUNS, 0, 9, dtk);
    set(&rows[5], "sample_alone", RUNS, 0, 8, smp);
    set(&rows[6], "mpirun2_true", m, 1, 5, mtr);
    set(&rows[7], "mpirun2_sample", m, 1, 12, msm);
    return 8;
}

/* The rows 1-5 again for the program of BENCH_STARTUP_BEFORE (its own LD_LIBRARY_PATH). */
static int setup_before(row *rows, int n, const char *dir)
{
    static const char *const names[] = {"", "before_version", "before_taylor_tiny",
                                        "before_diagrams_text", "before_figure_tikz",
                                        "before_sample_alone"};
    static char prog[4300], libs[4200], ldpath[4300];
    static char *env[1024];
    int k, e = 0;
    snprintf(libs, sizeof libs, "%s/.libs", dir);
    snprintf(prog, sizeof prog, "%s/feynn", libs);
    if (access(prog, X_OK) != 0)
        return n;
    snprintf(ldpath, sizeof ldpath, "LD_LIBRARY_PATH=%s", libs);
    setenv("BENCH_STARTUP_BEFORE_LIBS", libs, 1);
    for (k = 0; environ[k] != NULL && e < 1022; k++)
        if (strncmp(environ[k], "LD_LIBRARY_PATH=", 16) != 0)
            env[e++] = environ[k];
    env[e++] = ldpath;
    env[e] = NULL;
    for (k = 1; k <= 5 && n < MAXROWS; k++, n++)
    {
        rows[n] = rows[k];
        rows[n].name = names[k];
        rows[n].argv[0] = prog;
        rows[n].envp = env;
    }
    return n;
}

static void print_map(const char *key, const row *rows, int n, int cpu, const char *tail)
{
    int k, first = 1;
    printf("  \"%s\": {", key);
    for (k = 0; k < n; k++)
        if (rows[k].runs)
        {
            printf("%s\"%s\": %.3f", first ? "" : ", ", rows[k].name,
                   1e3 * (cpu ? rows[k].mc : rows[k].mw));
            first = 0;
        }
    printf("}%s\n", tail);
}

int main(void)
{
    const char *src = getenv("FY_TOP_SRCDIR") ? getenv("FY_TOP_SRCDIR") : FY_SRCDIR;
    static row rows[MAXROWS];
    char prog[4096], model[4096], spec[] = SPEC;
    int r, k, n, most = RUNS, first;
    FILE *fp;
    if (access(".libs/feynn", X_OK) == 0)
    {
        snprintf(prog, sizeof prog, ".libs/feynn");
        setenv("LD_LIBRARY_PATH", ".libs", 1);
    }
    else
        snprintf(prog, sizeof prog, "./feynn");
    snprintf(model, sizeof model, "%s/examples/tiny_mlp.feynn", src);
    fp = fopen(SPEC, "w");
    if (fp == NULL || fputs("activation erf\nwidth 5\npoint 0.25\npoint 0.5\n", fp) < 0 ||
        fclose(fp) != 0)
    {
        fprintf(stderr, "bench_startup: cannot write %s here\n", SPEC);
        return 1;
    }
    /* Open MPI as root; one thread per rank; the commands alone are not under a launcher */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    setenv("OMP_NUM_THREADS", "1", 1);
    unsetenv("OMPI_COMM_WORLD_SIZE"), unsetenv("PMIX_RANK"), unsetenv("FEYNN_MPI");
    n = setup(rows, prog, model, spec);
    if (getenv("BENCH_STARTUP_BEFORE") != NULL)
        n = setup_before(rows, n, getenv("BENCH_STARTUP_BEFORE"));
    for (r = 0; r < most; r++) /* interleaved: the machine's state is shared by all rows */
        for (k = 0; k < n; k++)
            if (r < rows[k].runs &&
                (rows[k].wall[r] = run_once(rows[k].argv, rows[k].envp, &rows[k].cpu[r])) < 0)
            {
                fprintf(stderr, "bench_startup: %s (%s %s) failed (run from the build "
                        "directory)\n", rows[k].name, rows[k].argv[0], rows[k].argv[1] ?
                        rows[k].argv[1] : "");
                remove(SPEC);
                return 1;
            }
    for (k = 0; k < n; k++)
        if (rows[k].runs)
        {
            rows[k].mw = bench_median(rows[k].wall, rows[k].runs);
            rows[k].mc = bench_median(rows[k].cpu, rows[k].runs);
            count_opened(&rows[k]);
        }
    remove(SPEC);
    printf("{\n  \"bench\": \"startup\",\n  \"runs\": %d,\n  \"mpirun_runs\": %d,\n"
           "  \"program\": \"%s\",\n  \"shared_objects\": %d,\n"
           "  \"baseline\": \"/bin/true (mpirun rows: mpirun -np 2 /bin/true), interleaved\",\n",
           RUNS, rows[6].runs, prog, count_needed(prog));
    print_map("median_wall_ms", rows, n, 0, ",");
    print_map("median_cpu_ms", rows, n, 1, ",");
    for (first = 1, k = 1, printf("  \"over_true_cpu_ms\": {"); k < n; k++)
        if (rows[k].runs)
        {
            printf("%s\"%s\": %.3f", first ? "" : ", ", rows[k].name,
                   1e3 * (rows[k].mc - rows[rows[k].mpi ? 6 : 0].mc));
            first = 0;
        }
    printf("},\n  \"objects_opened\": {");
    for (first = 1, k = 0; k < n; k++)
        if (rows[k].runs)
        {
            printf("%s\"%s\": %d", first ? "" : ", ", rows[k].name, rows[k].opened);
            first = 0;
        }
    printf("},\n  \"optional_opened\": {");
    for (first = 1, k = 0; k < n; k++)
        if (rows[k].runs)
        {
            printf("%s\"%s\": \"%s\"", first ? "" : ", ", rows[k].name, rows[k].optional);
            first = 0;
        }
    printf("}\n}\n");
    return 0;
}
