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
#include <time.h>

#include <cmocka.h>

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

/* Small deterministic generator for tests (splitmix64). */
static inline uint64_t fy_test_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

#define FY_TEST_MAIN(name, tests) \
    int main(void) { return cmocka_run_group_tests_name(name, tests, NULL, NULL) ? 1 : 0; }

#endif
