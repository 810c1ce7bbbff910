/* rng.c - Philox 4x32-10 through Random123's header, uniforms and normals (feynn/rng.h). */
#include <math.h>

#include <Random123/philox.h>

#include "feynn/rng.h"

void fy_rng_init(fy_rng_t r, uint64_t seed, uint32_t purpose)
{
    r->key[0] = (uint32_t) seed;
    r->key[1] = (uint32_t) (seed >> 32);
    r->purpose = purpose;
}

void fy_philox4x32_10(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t o = philox4x32_R(10, c, k);
    out[0] = o.v[0];
    out[1] = o.v[1];
    out[2] = o.v[2];
    out[3] = o.v[3];
}

void fy_rng_block(uint32_t out[4], const fy_rng_t r, uint64_t stream, uint32_t index)
{
    uint32_t ctr[4];
    ctr[0] = index;
    ctr[1] = (uint32_t) stream;
    ctr[2] = (uint32_t) (stream >> 32);
    ctr[3] = r->purpose;
    fy_philox4x32_10(out, ctr, r->key);
}

double fy_rng_u53(uint64_t u)
{
    /* (u + 1/2) 2^-53 is not a double for u >= 2^52 (it would round up to 1): the grid
     * u 2^-53 itself, with 0 moved to 2^-54. */
    u &= (UINT64_C(1) << 53) - 1;
    return u ? (double) u * 0x1p-53 : 0x1p-54;
}

static inline double word_pair(uint32_t hi, uint32_t lo)
{
    return fy_rng_u53((((uint64_t) hi << 32) | lo) >> 11);
}

double fy_rng_uniform(const fy_rng_t r, uint64_t stream, uint64_t k)
{
    uint32_t b[4];
    fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
    return (k & 1) ? word_pair(b[3], b[2]) : word_pair(b[1], b[0]);
}

static inline void box_muller(double z[2], const uint32_t b[4])
{
    double u1 = word_pair(b[1], b[0]), u2 = word_pair(b[3], b[2]);
    double rad = sqrt(-2.0 * log(u1)), t = 2.0 * M_PI * u2;
    z[0] = rad * cos(t);
    z[1] = rad * sin(t);
}

double fy_rng_normal(const fy_rng_t r, uint64_t stream, uint64_t k)
{
    uint32_t b[4];
    double z[2];
    fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
    box_muller(z, b);
    return z[k & 1];
}

void fy_rng_normals(double *z, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0)
{
    uint64_t k = k0, end = k0 + n;
    uint32_t b[4];
    double p[2];
    while (k < end)
    {
        fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
        box_muller(p, b);
        if ((k & 1) == 0 && k + 1 < end)
        {
            *z++ = p[0];
            *z++ = p[1];
            k += 2;
        }
        else
        {
            *z++ = p[k & 1];
            k++;
        }
    }
}

void fy_rng_uniforms(double *u, uint64_t n, const fy_rng_t r, uint64_t stream, uint64_t k0)
{
    uint64_t k = k0, end = k0 + n;
    uint32_t b[4];
    while (k < end)
    {
        fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
        if ((k & 1) == 0)
        {
            *u++ = word_pair(b[1], b[0]);
            if (++k >= end)
                break;
        }
        *u++ = word_pair(b[3], b[2]);
        k++;
    }
}
