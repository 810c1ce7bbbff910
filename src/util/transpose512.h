/* transpose512.h - an 8 x 8 transpose of doubles in AVX-512 registers, shared by the batched
 * generator (src/util/rng.c: eight streams' draws into their rows) and the sampler's erf
 * (src/nnft/erf_fast.c: eight table rows into their coefficient columns).  Internal; include
 * only where <immintrin.h> and an x86-64 GCC or Clang are available (FY_RNG_AVX2,
 * FY_ERF_AVX2); the callers carry target("avx512f") or more, so it inlines into them. */
#ifndef FY_UTIL_TRANSPOSE512_H
#define FY_UTIL_TRANSPOSE512_H

#include <immintrin.h>

/* c[j] = (r[0][j], r[1][j], ..., r[7][j]): unpacks of row pairs, then two rounds of 128-bit
 * lane shuffles (24 shuffles). */
__attribute__((target("avx512f"), always_inline)) static inline void
fy_transpose8_pd(__m512d c[8], const __m512d r[8])
{
    __m512d t[8], s[8];
    int j;
#pragma GCC unroll 4
    for (j = 0; j < 8; j += 2)
    {
        t[j] = _mm512_unpacklo_pd(r[j], r[j + 1]);
        t[j + 1] = _mm512_unpackhi_pd(r[j], r[j + 1]);
    }
#pragma GCC unroll 2
    for (j = 0; j < 8; j += 4)
    {
        s[j] = _mm512_shuffle_f64x2(t[j], t[j + 2], 0x88);
        s[j + 1] = _mm512_shuffle_f64x2(t[j], t[j + 2], 0xDD);
        s[j + 2] = _mm512_shuffle_f64x2(t[j + 1], t[j + 3], 0x88);
        s[j + 3] = _mm512_shuffle_f64x2(t[j + 1], t[j + 3], 0xDD);
    }
    c[0] = _mm512_shuffle_f64x2(s[0], s[4], 0x88);
    c[4] = _mm512_shuffle_f64x2(s[0], s[4], 0xDD);
    c[2] = _mm512_shuffle_f64x2(s[1], s[5], 0x88);
    c[6] = _mm512_shuffle_f64x2(s[1], s[5], 0xDD);
    c[1] = _mm512_shuffle_f64x2(s[2], s[6], 0x88);
    c[5] = _mm512_shuffle_f64x2(s[2], s[6], 0xDD);
    c[3] = _mm512_shuffle_f64x2(s[3], s[7], 0x88);
    c[7] = _mm512_shuffle_f64x2(s[3], s[7], 0xDD);
}

#endif
