/* bench_rng.h - the benchmarks' random operands from the one generator of feynn (feynn/rng.h:
 * Philox keyed by the bench's seed and FY_RNG_PURPOSE_BENCH, stream 0).  The k-th draw of a
 * program is a function of (BENCH_SEED, k) alone, so two programs that draw in the same order
 * (bench_taylor and bench_adolc, on the reference network) time the same operands.
 *
 * Define BENCH_SEED before including this file (once per program).  bench_uniform: the next
 * uniform in (0, 1); bench_normal: the next standard normal (the normal quantile of one uniform,
 * fy_rng_normal).  Both count from the same draw counter. */
#ifndef FEYNN_BENCH_RNG_H
#define FEYNN_BENCH_RNG_H

#include <stdint.h>

#include "feynn/rng.h"

#ifndef BENCH_SEED
#error "define BENCH_SEED before including bench_rng.h"
#endif

static uint64_t bench_rng_draws; /* draws made so far */

static inline double bench_uniform(void)
{
    fy_rng_t r;
    fy_rng_init(r, BENCH_SEED, FY_RNG_PURPOSE_BENCH);
    return fy_rng_uniform(r, 0, bench_rng_draws++);
}

static inline double bench_normal(void)
{
    fy_rng_t r;
    fy_rng_init(r, BENCH_SEED, FY_RNG_PURPOSE_BENCH);
    return fy_rng_normal(r, 0, bench_rng_draws++);
}

#endif
