/* testutil.h - shared pieces of the cmocka test programs.
 *
 * Each tests/test_MODULE.c is one cmocka group run with TAP output (one group per program, so
 * the TAP plan is single).  Random tests take their seed from FY_TEST_SEED or the clock and
 * print it, so a failure can be replayed. */
#ifndef FEYNN_TESTUTIL_H
#define FEYNN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "feynn/rng.h"

/* Path of a file in the source tree (tests run from the build tree). */
static inline const char *fy_test_srcpath(char *buf, size_t n, const char *rel)
{
    const char *top = getenv("FY_TOP_SRCDIR");
    snprintf(buf, n, "%s/%s", top ? top : ".", rel);
    return buf;
}

/* Seed for random tests: FY_TEST_SEED if set, else the clock; printed as a TAP comment. */
static inline unsigned long fy_test_seed(const char *name)
{
    const char *s = getenv("FY_TEST_SEED");
    unsigned long seed = s ? strtoul(s, NULL, 10) : (unsigned long) time(NULL);
    printf("# %s: seed %lu (set FY_TEST_SEED to replay)\n", name, seed);
    return seed;
}

/* 64 random bits for tests from the library's one generator (feynn/rng.h: Philox 4x32-10 with
 * the purpose FY_RNG_PURPOSE_TEST).  *state is a counter: each call advances it by an odd
 * constant (a Weyl sequence) and returns words 0-1 of the block at stream = the new value, so
 * the k-th draw from a seed is a function of (seed, k) alone, and two seeds give the same
 * numbers only where their counters meet (seeds differing by a multiple of the constant). */
static inline uint64_t fy_test_rand(uint64_t *state)
{
    fy_rng_t r;
    uint32_t w[4];
    fy_rng_init(r, 0, FY_RNG_PURPOSE_TEST);
    fy_rng_block(w, r, *state += 0x9e3779b97f4a7c15ULL, 0);
    return (uint64_t) w[0] | (uint64_t) w[1] << 32;
}

/* Removes a folder of plain files (a checkpoint store the test wrote) and the folder itself. */
static inline void fy_test_rmdir_flat(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[600];
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
        {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

#define FY_TEST_MAIN(name, tests) \
    int main(void) { return cmocka_run_group_tests_name(name, tests, NULL, NULL) ? 1 : 0; }

#endif
