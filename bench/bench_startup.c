/* bench_startup: the start-up of the `feynn` command (issue 16): the median wall and CPU
 * (user + system, of the child) time of N runs of `feynn version` and of a tiny
 * `feynn taylor examples/tiny_mlp.feynn --order 2`, against /bin/true run interleaved in the
 * same process (the cost of a fork and exec); also the number of shared objects the command
 * loads (the loader's own list, LD_TRACE_LOADED_OBJECTS, as ldd prints it).  Run from the
 * build directory
 * (`make bench`): the program is .libs/feynn (libtool, shared) with LD_LIBRARY_PATH=.libs, or
 * ./feynn (static build).  FY_TOP_SRCDIR locates examples/ (default: the build's srcdir).
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

#ifndef FY_SRCDIR
#define FY_SRCDIR "."
#endif
#define RUNS 41
#define CMDS 3

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

/* One run of argv with stdout and stderr to /dev/null: wall seconds, CPU seconds in *cpu;
 * -1 when it could not be started or did not exit 0. */
static double run_once(char *const argv[], double *cpu)
{
    posix_spawn_file_actions_t fa;
    struct rusage ru;
    pid_t pid;
    int st;
    double t0 = now(), t;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t) n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Shared objects the loader maps for prog (LD_TRACE_LOADED_OBJECTS, as ldd does). */
static int count_objects(const char *prog)
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

int main(void)
{
    const char *src = getenv("FY_TOP_SRCDIR") ? getenv("FY_TOP_SRCDIR") : FY_SRCDIR;
    const char *names[CMDS] = {"true", "version", "taylor_tiny"};
    char prog[4096], model[4096], *argv[CMDS][6];
    double wall[CMDS][RUNS], cpu[CMDS][RUNS], mw[CMDS], mc[CMDS];
    int r, k, objs;
    if (access(".libs/feynn", X_OK) == 0)
    {
        snprintf(prog, sizeof prog, ".libs/feynn");
        setenv("LD_LIBRARY_PATH", ".libs", 1);
    }
    else
        snprintf(prog, sizeof prog, "./feynn");
    snprintf(model, sizeof model, "%s/examples/tiny_mlp.feynn", src);
    argv[0][0] = "/bin/true";
    argv[0][1] = NULL;
    argv[1][0] = prog;
    argv[1][1] = "version";
    argv[1][2] = NULL;
    argv[2][0] = prog;
    argv[2][1] = "taylor";
    argv[2][2] = model;
    argv[2][3] = "--order";
    argv[2][4] = "2";
    argv[2][5] = NULL;
    for (r = 0; r < RUNS; r++) /* interleaved: the machine's state is shared by the three */
        for (k = 0; k < CMDS; k++)
            if ((wall[k][r] = run_once(argv[k], &cpu[k][r])) < 0)
            {
                fprintf(stderr, "bench_startup: %s %s failed (run from the build directory)\n",
                        argv[k][0], argv[k][1] ? argv[k][1] : "");
                return 1;
            }
    for (k = 0; k < CMDS; k++)
    {
        mw[k] = median(wall[k], RUNS);
        mc[k] = median(cpu[k], RUNS);
    }
    objs = count_objects(prog);
    printf("{\n  \"bench\": \"startup\",\n  \"runs\": %d,\n  \"program\": \"%s\",\n"
           "  \"shared_objects\": %d,\n  \"baseline\": \"/bin/true, interleaved\",\n",
           RUNS, prog, objs);
    printf("  \"median_wall_ms\": {");
    for (k = 0; k < CMDS; k++)
        printf("%s\"%s\": %.3f", k ? ", " : "", names[k], 1e3 * mw[k]);
    printf("},\n  \"median_cpu_ms\": {");
    for (k = 0; k < CMDS; k++)
        printf("%s\"%s\": %.3f", k ? ", " : "", names[k], 1e3 * mc[k]);
    printf("},\n  \"over_true_wall_ms\": {\"version\": %.3f, \"taylor_tiny\": %.3f},\n",
           1e3 * (mw[1] - mw[0]), 1e3 * (mw[2] - mw[0]));
    printf("  \"over_true_cpu_ms\": {\"version\": %.3f, \"taylor_tiny\": %.3f}\n}\n",
           1e3 * (mc[1] - mc[0]), 1e3 * (mc[2] - mc[0]));
    return 0;
}
