/* nnftutil.h - helpers shared by the field theory test programs (test_nnft, test_nnft_checks,
 * test_nnft_eft, test_nnft_euclid, test_nnft_euclid_user, test_sample): a spec (or a lattice
 * theory) parsed or the test fails, and the Monte Carlo G2 of an ensemble
 * (fy_nnft_euclid_mc_g2) against its exact kernel within 4 standard errors. */
#ifndef FEYNN_TESTS_NNFTUTIL_H
#define FEYNN_TESTS_NNFTUTIL_H

#include <math.h>
#include <stdio.h>

#include "feynn/nnft.h"
#include "feynn/sample.h"
#include "testutil.h"

/* s (initialised) re-made from the spec text, or the test fails with the parser's message. */
static inline void parse_ok(fy_nnft_spec_t s, const char *text)
{
    fy_error_t err;
    fy_error_init(err);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    if (fy_nnft_spec_parse(s, text, "spec", err) != FY_OK)
        fail_msg("parse: %s", err->msg);
}

/* T (initialised) parsed from the lattice theory text (named t.theory in messages), or the
 * test fails with the parser's message. */
static inline void ltheory_parse_ok(fy_ltheory_t T, const char *text)
{
    fy_error_t err;
    fy_error_init(err);
    if (fy_ltheory_parse(T, text, "t.theory", err) != FY_OK)
        fail_msg("%s", err->msg);
}

/* The Monte Carlo G2 of M networks (seed) at every pair of the spec's points (at most 64
 * pairs) against the exact kernel: within 4 standard errors, each standard error positive. */
static inline void mc_check(const char *text, uint64_t M, uint64_t seed)
{
    fy_nnft_spec_t s;
    fy_error_t err;
    double mean[64], se[64];
    arb_t K;
    slong i, j, t = 0;
    fy_nnft_spec_init(s);
    fy_error_init(err);
    arb_init(K);
    parse_ok(s, text);
    assert_true(s->npoints * (s->npoints + 1) / 2 <= 64);
    printf("# Monte Carlo G2: seed %llu, %llu networks\n", (unsigned long long) seed,
           (unsigned long long) M);
    if (fy_nnft_euclid_mc_g2(mean, se, s, M, seed, err) != FY_OK)
        fail_msg("mc: %s", err->msg);
    for (i = 0; i < s->npoints; i++)
        for (j = i; j < s->npoints; j++, t++)
        {
            double ex;
            if (fy_nnft_kernel(K, s, i, j, 64, err) != FY_OK)
                fail_msg("kernel: %s", err->msg);
            ex = arf_get_d(arb_midref(K), ARF_RND_NEAR);
            assert_true(se[t] > 0);
            if (fabs(mean[t] - ex) > 4 * se[t])
                fail_msg("pair (%ld, %ld): Monte Carlo %.6g +- %.2g, exact %.6g", (long) i,
                         (long) j, mean[t], se[t], ex);
        }
    arb_clear(K);
    fy_nnft_spec_clear(s);
}

#endif
