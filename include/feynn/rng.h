/* feynn/rng.h - the one random generator of feynn (layer 0).
 *
 * A counter-based generator: Philox 4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; the Random123 implementation).  A draw is a pure
 * function of (seed, purpose, stream, index): the seed is the 64-bit key, and the 128-bit
 * counter is {index, stream (64 bits), purpose}.  Nothing depends on which thread or machine
 * asks, or in which order, so a Monte Carlo result is the same for 1 thread or 16 (house rule:
 * every random number of the library comes from here, keyed by what it is for).
 *
 * Typical use: stream = the network (sample) number, index = the parameter's position in that
 * network, purpose = a constant naming the job (FY_RNG_PURPOSE_*).  Uniforms use 53 bits and
 * lie strictly inside (0, 1); normals are the normal quantiles of those uniforms, so the k-th
 * normal of a stream is fixed by k alone. */
#ifndef FEYNN_RNG_H
#define FEYNN_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Purposes in use (distinct purposes give independent numbers under one seed). */
enum
{
    FY_RNG_PURPOSE_TEST = 0,
    FY_RNG_PURPOSE_NNFT_PARAMS = 1, /* parameters of the networks of an nnft ensemble */
    FY_RNG_PURPOSE_NNFT_UNIFORM = 2, /* uniforms of an nnft ensemble (Cos-net phases, mixtures) */
    FY_RNG_PURPOSE_NNFT_CHECKS = 3   /* random transformations and points of the nnft checks */
};

/* Purposes of the generators this one replaced (issue 15: the trainer's xoshiro256**, the Born
 * data sets' and the tests' splitmix64).  Other modules keep theirs in their own headers
 * (sample.h 16-18, borntaylor.h 24-25, inn.h 40-49, nnft.h 56-57). */
enum
{
    FY_RNG_PURPOSE_TRAIN_SPLIT = 64,   /* the validation split: stream 0, index = position */
    FY_RNG_PURPOSE_TRAIN_INIT = 65,    /* initial weights: stream 0, index = parameter */
    FY_RNG_PURPOSE_TRAIN_SHUFFLE = 66, /* minibatch order: stream = epoch, index = position */
    FY_RNG_PURPOSE_TRAIN_RAYS = 67,    /* fy_train_rays: stream = direction, index = point */
    FY_RNG_PURPOSE_BORN_DATA = 68      /* born data sets: stream = sample, index = draw */
};

/* Purposes of the last private mixers replaced (issue 9: splitmix-style hashes in src/inn/check.c
 * and in the bench programs). */
enum
{
    FY_RNG_PURPOSE_INN_CHECK = 72, /* fy_inn_action_check's directions: stream = direction j,
                                    * index = coordinate */
    FY_RNG_PURPOSE_BENCH = 73      /* bench/ operands (bench/bench_rng.h): stream 0, index = draw */
};

typedef struct
{
    uint32_t key[2];  /* the seed */
    uint32_t purpose; /* counter word 3 */
} fy_rng_struct;
typedef fy_rng_struct fy_rng_t[1];

/* Keys the generator by (seed, purpose).  There is nothing to clear. */
void fy_rng_init(fy_rng_t r, uint64_t seed, uint32_t purpose);

/* The bare Philox 4x32-10 bijection: out = philox(ctr, key). */
void fy_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]);

/* The block of four 32-bit words at (stream, index): counter {index, stream lo, stream hi,
 * purpose}. */
void fy_rng_block(uint32_t out[4], const fy_rng_t r, uint64_t stream, uint32_t index);

/* A 53-bit integer u to the double u 2^-53, with u = 0 sent to 2^-54: every value is exact,
 * the 2^53 outcomes are distinct and all lie strictly inside (0, 1), in [2^-54, 1 - 2^-53]. */
double fy_rng_u53(uint64_t u);

/* The k-th uniform of a stream in (0, 1) (two per block: words 0-1 and 2-3). */
double fy_rng_uniform(const fy_rng_t r, uint64_t stream, uint64_t k);

/* The k-th standard normal of a stream: the normal quantile of the k-th uniform (Wichura's
 * AS 241, relative accuracy about 1e-16): one 53-bit uniform per normal, so |z| < 8.3.
 * Against Arb's inverse error function (tests/test_rng.c, 400,000 uniforms measured): within
 * 5.8 ulp of the true quantile in the central region |u - 1/2| <= 0.425; in the tails 4.5 ulp
 * over those, 5.3 ulp over 100,000 more of the tails alone (log14: the same with libm's log
 * and with feynn's: AS 241's own error).  The tails' logarithm is feynn's own
 * (fy_rng_tail_log, the same operations on every path, scalar and vector), so the normals
 * depend neither on the vector width nor on the libm. */
double fy_rng_normal(const fy_rng_t r, uint64_t stream, uint64_t k);

/* The standard normal quantile Phi^(-1)(u), 0 < u < 1 (AS 241), as the generator uses it. */
double fy_rng_normal_quantile(double u);

/* log14: the logarithm AS 241 takes in its tails, log x: feynn's own for normal x < 1/8 (the
 * series of atanh, within 0.81 ulp: the proof is in src/util/rng.c; the same doubles on every
 * path of the fills), libm's log elsewhere (x subnormal, 0, negative, NaN, infinite or
 * x >= 1/8), so fy_rng_normal_quantile is unchanged there. */
double fy_rng_tail_log(double x);

/* Fills z[0..n) with the normals k0, k0 + 1, ... of a stream (the same numbers as
 * fy_rng_normal, faster).  Likewise uniforms.  k0 + n must stay below 2^33. */
void fy_rng_normals(double *z, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0);
void fy_rng_uniforms(double *u, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0);

/* The first n normals of each of the streams stream0 .. stream0 + nstreams - 1: z[s ldz + k]
 * = fy_rng_normal(r, stream0 + s, k), ldz >= n (the same numbers; short runs of many streams,
 * e.g. the parameters of many small networks, are computed several streams side by side).
 * Likewise uniforms.  n must stay below 2^33. */
void fy_rng_normals_streams(double *z, uint64_t n, uint64_t ldz, const fy_rng_t r,
                            uint64_t stream0, uint64_t nstreams);
void fy_rng_uniforms_streams(double *u, uint64_t n, uint64_t ldu, const fy_rng_t r,
                             uint64_t stream0, uint64_t nstreams);

/* mc13 (issue 13): the instruction set of the batched fills above and of the sampler's erf
 * (fy_nnft_erf_batch).  They give the same numbers on every path (integer arithmetic, exact
 * conversions, the same IEEE operations in the same order, no contraction; the tails' log is
 * fy_rng_tail_log's on every path); the choice is for tests and
 * benchmarks.  FY_RNG_ISA_AUTO: the best the processor has (the default); a level
 * the processor lacks falls back to the best it has.  Returns the level in use.  Not to be
 * called while another thread fills. */
enum
{
    FY_RNG_ISA_AUTO = -1,
    FY_RNG_ISA_C = 0,      /* portable C */
    FY_RNG_ISA_AVX2 = 1,   /* AVX2 and FMA3, 4 blocks per vector */
    FY_RNG_ISA_AVX512 = 2  /* AVX-512 F and DQ, 8 blocks per vector */
};
int fy_rng_set_isa(int level);
/* The level in use (the sampler's vectorised erf, fy_nnft_erf_batch, follows it too). */
int fy_rng_isa(void);

#ifdef __cplusplus
}
#endif
#endif
