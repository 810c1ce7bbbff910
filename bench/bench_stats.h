/* bench_stats.h - what the benchmarks measure with: the CPU time of the process and the
 * median of repeated figures, written once for every bench program. */
#ifndef FEYNN_BENCH_STATS_H
#define FEYNN_BENCH_STATS_H

#include <stdlib.h>
#include <time.h>

/* CPU time of the process (all threads), immune to the load of a shared machine. */
static inline double bench_cpu_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* The median of v[0 .. n), n >= 1 (v sorted in place; n even: the mean of the two middles). */
static inline double bench_median(double *v, int n)
{
    qsort(v, (size_t) n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
