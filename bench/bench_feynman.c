/* bench_feynman: graphs per second of the Feynman-graph generator against nauty's own pipeline
 * on the same families, run in the same process (nauty through its command-line tools).
 *
 *   phi4: connected phi^4 vacuum graphs with k vertices = connected 4-regular multigraphs
 *         with self-loops:  geng -c -D4 k | multig -l4 -u
 *   phi4_noloops: the same without self-loops (FY_FEYNMAN_NO_SELF_LOOPS):
 *         geng -c -D4 k | multig -r4 -u
 * Both sides must count the same graphs (counts_agree); ours are also checked against the
 * oracle (sum of 1/|Aut|).  Times are CPU seconds, best of REPS runs: ours from
 * CLOCK_PROCESS_CPUTIME_ID around the generator in this process, nauty's from
 * getrusage(RUSAGE_CHILDREN) around the pipeline (the shell and both tools).  CPU time, not
 * wall time, because the machine may be shared.  Usage: bench_feynman [k ...] (default 9 10
 * 11 12, what `make bench` runs; rows above 10 vertices are timed once, the others REPS times).
 * Target (issue 16): feynn within 2x of the pipeline at 11 vertices, "within_target" says
 * whether a row meets it (ratio_nauty_over_feynn = feynn's time / nauty's time).
 * Prints one JSON object; exits 0. */
#define _POSIX_C_SOURCE 200809L /* popen, clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "feynn/feynman.h"

#include "bench_stats.h"

#define REPS 5

/* CPU seconds (user + system) of this process's finished children: the nauty tools. */
static double cpu(int who)
{
    struct rusage r;
    getrusage(who, &r);
    return (double) r.ru_utime.tv_sec + (double) r.ru_stime.tv_sec +
           1e-6 * (double) (r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

/* Finds nauty's tools: Debian installs them as nauty-geng etc. */
static const char *tool_prefix(void)
{
    if (system("command -v nauty-geng >/dev/null 2>&1 && command -v nauty-multig "
               ">/dev/null 2>&1") == 0)
        return "nauty-";
    if (system("command -v geng >/dev/null 2>&1 && command -v multig >/dev/null 2>&1") == 0)
        return "";
    return NULL;
}

/* Runs the pipeline; returns the count multig reports (or -1), best CPU time of reps. */
static long run_nauty(const char *pre, int k, const char *mopt, int reps, double *best)
{
    char cmd[512];
    long count = -1;
    int r;
    *best = -1;
    snprintf(cmd, sizeof cmd, "%sgeng -c -D4 -q %d | %smultig %s -u 2>&1", pre, k, pre, mopt);
    for (r = 0; r < reps; r++)
    {
        char line[512];
        double t0 = cpu(RUSAGE_CHILDREN), dt;
        FILE *p = popen(cmd, "r");
        if (p == NULL)
            return -1;
        while (fgets(line, sizeof line, p) != NULL)
        {
            const char *s = strstr(line, "graphs read from stdin; ");
            if (s != NULL)
                count = strtol(s + strlen("graphs read from stdin; "), NULL, 10);
        }
        if (pclose(p) != 0)
            return -1;
        dt = cpu(RUSAGE_CHILDREN) - t0; /* the shell, geng and multig */
        if (*best < 0 || dt < *best)
            *best = dt;
    }
    return count;
}

static long run_feynn(int k, unsigned filters, int reps, double *best, int *oracle_ok)
{
    fy_feynman_spec_t s;
    fy_error_t e;
    fmpq_t w, wo;
    long n = -1;
    int r;
    char v[32];
    fy_error_init(e);
    fmpq_init(w);
    fmpq_init(wo);
    fy_feynman_spec_init(s);
    snprintf(v, sizeof v, "4:%d", k);
    fy_feynman_spec_parse_vertices(s, v, e);
    s->filters = filters;
    *best = -1;
    for (r = 0; r < reps; r++)
    {
        double t0 = bench_cpu_time(), dt;
        if (fy_feynman_count(&n, w, NULL, s, e) != FY_OK)
        {
            fprintf(stderr, "bench_feynman: %s\n", e->msg);
            n = -1;
            break;
        }
        dt = bench_cpu_time() - t0;
        if (*best < 0 || dt < *best)
            *best = dt;
    }
    *oracle_ok = n >= 0 && fy_feynman_oracle(wo, NULL, s, e) == FY_OK && fmpq_equal(w, wo);
    fmpq_clear(w);
    fmpq_clear(wo);
    return n;
}

int main(int argc, char **argv)
{
    int ks[8] = {9, 10, 11, 12}, nk = 4, a, f, first = 1, i;
    const char *pre = tool_prefix();
    const char *names[2] = {"phi4", "phi4_noloops"};
    const char *mopt[2] = {"-l4", "-r4"};
    unsigned filt[2] = {FY_FEYNMAN_CONNECTED, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS};
    if (argc > 1)
        for (nk = 0, a = 1; a < argc && nk < 8; a++)
        {
            int k = atoi(argv[a]);
            if (k >= 1 && k <= 12)
                ks[nk++] = k;
        }
    printf("{\"bench\": \"feynman\", \"target_ratio\": 2, \"repetitions\": %d, "
           "\"repetitions_above_10\": 1, \"clock\": \"cpu\", \"families\": [", REPS);
    for (i = 0; i < nk; i++)
        for (f = 0; f < 2; f++)
        {
            int k = ks[i], ok, reps = k > 10 ? 1 : REPS;
            double tf, tn = -1;
            long nf = run_feynn(k, filt[f], reps, &tf, &ok), nn = -1;
            if (pre != NULL)
                nn = run_nauty(pre, k, mopt[f], reps, &tn);
            printf("%s\n  {\"family\": \"%s\", \"vertices\": %d, \"feynn\": {\"graphs\": %ld, "
                   "\"cpu_seconds\": %.6f, \"graphs_per_s\": %.1f, \"oracle_agrees\": %s}, ",
                   first ? "" : ",", names[f], k, nf, tf, tf > 0 ? (double) nf / tf : 0.0,
                   ok ? "true" : "false");
            first = 0;
            if (nn >= 0 && tn > 0 && tf > 0)
                printf("\"nauty\": {\"pipeline\": \"%sgeng -c -D4 %d | %smultig %s -u\", "
                       "\"graphs\": %ld, \"cpu_seconds\": %.6f, \"graphs_per_s\": %.1f}, "
                       "\"counts_agree\": %s, \"ratio_nauty_over_feynn\": %.2f, "
                       "\"within_target\": %s}",
                       pre, k, pre, mopt[f], nn, tn, (double) nn / tn,
                       nn == nf ? "true" : "false", ((double) nn / tn) / ((double) nf / tf),
                       ((double) nn / tn) / ((double) nf / tf) <= 2.0 ? "true" : "false");
            else
                printf("\"nauty\": null, \"counts_agree\": null, "
                       "\"ratio_nauty_over_feynn\": null, \"within_target\": null}");
        }
    printf("\n]}\n");
    return 0;
}
