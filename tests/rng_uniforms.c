/* rng_uniforms SEED N: prints the uniforms 0 .. N-1 of stream 0 of the library's generator
 * (feynn/rng.h, purpose FY_RNG_PURPOSE_TEST, keyed by SEED), one per line with 17 significant
 * digits.  The shell tests that build random inputs (awk) read their numbers from it, so that
 * the tests too draw from the one generator. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "feynn/rng.h"

int main(int argc, char **argv)
{
    unsigned long long seed, n, k;
    char *end;
    fy_rng_t r;
    if (argc != 3)
    {
        fprintf(stderr, "usage: rng_uniforms SEED N\n");
        return 2;
    }
    errno = 0;
    seed = strtoull(argv[1], &end, 10);
    if (errno || *end || end == argv[1])
    {
        fprintf(stderr, "rng_uniforms: SEED '%s' is not a non-negative integer\n", argv[1]);
        return 2;
    }
    n = strtoull(argv[2], &end, 10);
    if (errno || *end || end == argv[2] || n > 100000000ULL)
    {
        fprintf(stderr, "rng_uniforms: N '%s' is not an integer in 0..10^8\n", argv[2]);
        return 2;
    }
    fy_rng_init(r, (uint64_t) seed, FY_RNG_PURPOSE_TEST);
    for (k = 0; k < n; k++)
        printf("%.17g\n", fy_rng_uniform(r, 0, k));
    return fflush(stdout) == 0 ? 0 : 1;
}
