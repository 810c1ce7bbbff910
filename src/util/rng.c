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

/* The standard normal quantile, Wichura's algorithm AS 241 (PPND16, Applied Statistics 37
 * (1988) 477-484): rational approximations accurate to about 1e-16, no transcendental
 * function in the central region |u - 1/2| <= 0.425 (85% of the draws). */
static double ppnd16(double u)
{
    static const double a[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2,
                                1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                3.3430575583588128105e+4, 2.5090809287301226727e+3};
    static const double b[8] = {1.0,                      4.2313330701600911252e+1,
                                6.8718700749205790830e+2, 5.3941960214247511077e+3,
                                2.1213794301586595867e+4, 3.9307895800092710610e+4,
                                2.8729085735721942674e+4, 5.2264952788528545610e+3};
    static const double c[8] = {1.42343711074968357734e0, 4.63033784615654529590e0,
                                5.76949722146069140550e0, 3.64784832476320460504e0,
                                1.27045825245236838258e0, 2.41780725177450611770e-1,
                                2.27238449892691845833e-2, 7.74545014278341407640e-4};
    static const double d[8] = {1.0,                      2.05319162663775882187e0,
                                1.67638483018380384940e0, 6.89767334985100004550e-1,
                                1.48103976427480074590e-1, 1.51986665636164571966e-2,
                                5.47593808499534494600e-4, 1.05075007164441684324e-9};
    static const double e[8] = {6.65790464350110377720e0, 5.46378491116411436990e0,
                                1.78482653991729133580e0, 2.96560571828504891230e-1,
                                2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                2.71155556874348757815e-5, 2.01033439929228813265e-7};
    static const double f[8] = {1.0,                      5.99832206555887937690e-1,
                                1.36929880922735805310e-1, 1.48753612908506148525e-2,
                                7.86869131145613259100e-4, 1.84631831751005468180e-5,
                                1.42151175831644588870e-7, 2.04426310338993978564e-15};
    const double *p, *q;
    double x = u - 0.5, r, num, den;
    int k;
    if (fabs(x) <= 0.425)
    {
        r = 0.180625 - x * x;
        p = a;
        q = b;
    }
    else
    {
        r = sqrt(-log(x < 0 ? u : 1.0 - u));
        if (r <= 5.0)
        {
            r -= 1.6;
            p = c;
            q = d;
        }
        else
        {
            r -= 5.0;
            p = e;
            q = f;
        }
    }
    num = p[7];
    den = q[7];
    for (k = 6; k >= 0; k--)
    {
        num = num * r + p[k];
        den = den * r + q[k];
    }
    r = num / den;
    if (p == a)
        return x * r;
    return x < 0 ? -r : r;
}

double fy_rng_normal_quantile(double u)
{
    return ppnd16(u);
}

static inline void normal_pair(double z[2], const uint32_t b[4])
{
    z[0] = ppnd16(word_pair(b[1], b[0]));
    z[1] = ppnd16(word_pair(b[3], b[2]));
}

double fy_rng_normal(const fy_rng_t r, uint64_t stream, uint64_t k)
{
    uint32_t b[4];
    double z[2];
    fy_rng_block(b, r, stream, (uint32_t) (k >> 1));
    normal_pair(z, b);
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
        normal_pair(p, b);
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
