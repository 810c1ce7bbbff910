/* ib.c - independence breaking: the connected 4-point function of an ensemble whose neurons
 * share part of their input weights, split into the finite-N part I_N and the
 * independence-breaking part I_IB (feynn/nnft.h, doc/math.md 4.6).
 *
 * The family: w_i = sqrt(1 - eps) u_i + sqrt(eps) u_0, so Cov(w_i, w_j) = eps sigma_W^2 I / d
 * for i != j and every w_i keeps its law.  The pair moment nu(a b | c d) =
 * E[h_i(x_a) h_i(x_b) h_j(x_c) h_j(x_d)], i != j, is a Gaussian integral:
 *   cos:   after the phases, E_c cos(A + c) cos(B + c) = cos(A - B) / 2, so
 *          nu = sigma_a^4 / 8 sum_(+-) exp(-sigma_W^2 (|D1|^2 + |D2|^2 +- 2 eps D1.D2) / (2d)),
 *          D1 = x_a - x_b, D2 = x_c - x_d;
 *   gauss: E exp(Y) = exp(Var Y / 2) for Y = W_i.S1 + W_j.S2 + 2 b_i + 2 b_j, S1 = x_a + x_b,
 *          S2 = x_c + x_d, less the normalisers:
 *          nu = sigma_a^4 exp(sigma_W^2 (|S1|^2 + |S2|^2 + 2 eps S1.S2 - 2 sum_k |x_k|^2)
 *          / (2d)).
 * At eps = 0 both are mu2(ab) mu2(cd). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/rng.h"
#include "nnft/checks_internal.h"

void fy_nnft_ib_init(fy_nnft_ib_t b)
{
    arb_init(b->mu4);
    arb_init(b->nu);
    arb_init(b->mu2mu2);
    arb_init(b->I_N);
    arb_init(b->I_IB);
    arb_init(b->G4c);
    arb_init(b->I_N_alt);
    arb_init(b->I_IB_alt);
}

void fy_nnft_ib_clear(fy_nnft_ib_t b)
{
    arb_clear(b->mu4);
    arb_clear(b->nu);
    arb_clear(b->mu2mu2);
    arb_clear(b->I_N);
    arb_clear(b->I_IB);
    arb_clear(b->G4c);
    arb_clear(b->I_N_alt);
    arb_clear(b->I_IB_alt);
}

/* u.v over the coordinates of the points combined as (p1 + sgn p2) and (p3 + sgn p4). */
static void comb(fmpq *D, const fy_nnft_spec_t s, slong p, slong q, int sgn)
{
    slong k;
    for (k = 0; k < s->d; k++)
    {
        if (sgn > 0)
            fmpq_add(D + k, s->points + p * s->d + k, s->points + q * s->d + k);
        else
            fmpq_sub(D + k, s->points + p * s->d + k, s->points + q * s->d + k);
    }
}

static void dot(fmpq_t r, const fmpq *u, const fmpq *v, slong d)
{
    fmpq_t t;
    slong k;
    fmpq_init(t);
    fmpq_zero(r);
    for (k = 0; k < d; k++)
    {
        fmpq_mul(t, u + k, v + k);
        fmpq_add(r, r, t);
    }
    fmpq_clear(t);
}

static int check_eps(const fmpq_t eps, fy_error_t err)
{
    if (fmpq_sgn(eps) < 0 || fmpz_cmp(fmpq_numref(eps), fmpq_denref(eps)) > 0)
        return fy_error_set(err, FY_EINPUT, "eps must lie in [0, 1] (the weight w_i = "
                            "sqrt(1 - eps) u_i + sqrt(eps) u_0)");
    return FY_OK;
}

int fy_nnft_ib_pair(arb_t nu, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
                    slong prec, fy_error_t err)
{
    fmpq *D1, *D2;
    fmpq_t a, b, c, t, sw2, x2;
    arb_t e, w;
    slong k, d = s->d;
    int rc, sg;
    if ((rc = check_eps(eps, err)) != FY_OK)
        return rc;
    if (s->act != FY_NNFT_COS && s->act != FY_NNFT_GAUSS)
        return fy_error_set(err, FY_EUNSUPPORTED, "independence breaking is exact for cos and "
                            "gauss (Gaussian integrals); %s has no closed form here",
                            fy_nnft_act_name(s->act));
    for (k = 0; k < 4; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range", (long) idx[k]);
    D1 = _fmpq_vec_init(d);
    D2 = _fmpq_vec_init(d);
    fmpq_init(a);
    fmpq_init(b);
    fmpq_init(c);
    fmpq_init(t);
    fmpq_init(sw2);
    fmpq_init(x2);
    arb_init(e);
    arb_init(w);
    sg = s->act == FY_NNFT_COS ? -1 : 1;
    comb(D1, s, idx[0], idx[1], sg);
    comb(D2, s, idx[2], idx[3], sg);
    dot(a, D1, D1, d);
    dot(b, D2, D2, d);
    dot(c, D1, D2, d);
    fmpq_mul(c, c, eps);
    fmpq_mul_2exp(c, c, 1); /* 2 eps D1.D2 */
    fmpq_mul(sw2, s->sigma_W, s->sigma_W);
    fmpz_set_si(fmpq_numref(t), 2 * d);
    fmpq_div_fmpz(sw2, sw2, fmpq_numref(t)); /* sigma_W^2 / (2d) */
    fmpq_add(a, a, b);
    arb_zero(nu);
    if (s->act == FY_NNFT_COS)
    {
        for (k = 0; k < 2; k++)
        {
            if (k == 0)
                fmpq_add(t, a, c);
            else
                fmpq_sub(t, a, c);
            fmpq_mul(t, t, sw2);
            fmpq_neg(t, t);
            arb_set_fmpq(e, t, prec);
            arb_exp(e, e, prec);
            arb_add(nu, nu, e, prec);
        }
        arb_mul_2exp_si(nu, nu, -3);
    }
    else
    {
        for (k = 0; k < 4; k++)
        {
            dot(t, s->points + idx[k] * d, s->points + idx[k] * d, d);
            fmpq_add(x2, x2, t);
        }
        fmpq_mul_2exp(x2, x2, 1);
        fmpq_add(t, a, c);
        fmpq_sub(t, t, x2);
        fmpq_mul(t, t, sw2);
        arb_set_fmpq(nu, t, prec);
        arb_exp(nu, nu, prec);
    }
    arb_set_fmpq(w, s->sigma_a, prec);
    arb_pow_ui(w, w, 4, prec);
    arb_mul(nu, nu, w, prec);
    _fmpq_vec_clear(D1, d);
    _fmpq_vec_clear(D2, d);
    fmpq_clear(a);
    fmpq_clear(b);
    fmpq_clear(c);
    fmpq_clear(t);
    fmpq_clear(sw2);
    fmpq_clear(x2);
    arb_clear(e);
    arb_clear(w);
    return FY_OK;
}

int fy_nnft_ib(fy_nnft_ib_t b, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
               slong prec, fy_error_t err)
{
    static const int pairing[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
    arb_t t, u;
    slong q[4];
    int p, k, rc = FY_OK;
    arb_init(t);
    arb_init(u);
    arb_zero(b->nu);
    arb_zero(b->mu2mu2);
    for (p = 0; p < 3 && rc == FY_OK; p++)
    {
        for (k = 0; k < 4; k++)
            q[k] = idx[pairing[p][k]];
        if ((rc = fy_nnft_ib_pair(t, s, q, eps, prec, err)) != FY_OK)
            break;
        arb_add(b->nu, b->nu, t, prec);
        if ((rc = fy_nnft_moment(t, s, q, 2, prec, err)) != FY_OK ||
            (rc = fy_nnft_moment(u, s, q + 2, 2, prec, err)) != FY_OK)
            break;
        arb_addmul(b->mu2mu2, t, u, prec);
    }
    if (rc == FY_OK)
        rc = fy_nnft_moment(b->mu4, s, idx, 4, prec, err);
    if (rc == FY_OK)
    {
        arb_sub(b->I_N, b->mu4, b->nu, prec);
        arb_div_si(b->I_N, b->I_N, s->width, prec);
        arb_sub(b->I_IB, b->nu, b->mu2mu2, prec);
        arb_add(b->G4c, b->I_N, b->I_IB, prec);
        /* the other grouping: kappa_4 / N and (1 - 1/N) I_IB */
        arb_sub(b->I_N_alt, b->mu4, b->mu2mu2, prec);
        arb_div_si(b->I_N_alt, b->I_N_alt, s->width, prec);
        arb_div_si(b->I_IB_alt, b->I_IB, s->width, prec);
        arb_sub(b->I_IB_alt, b->I_IB, b->I_IB_alt, prec);
    }
    arb_clear(t);
    arb_clear(u);
    return rc;
}

/* ------------------------------------------------------------------ Monte Carlo */
#define IB_BATCHES 20

void fy_nnft_ib_mc_init(fy_nnft_ib_mc_t r)
{
    memset(r, 0, sizeof(*r));
}

/* One network's neurons h_i(x_k) = sqrt(N) a_i phi(z_i(x_k)) at the 4 points (h: N x 4). */
static void ib_network(double *h, const fy_nnft_spec_t s, const double *x, double eps,
                       const fy_rng_t g, uint64_t stream, double *u0)
{
    slong d = s->d, N = s->width, i, k, j;
    uint64_t c = 0;
    double sw = fy_fmpq_get_d(s->sigma_W) / sqrt((double) d), sb = fy_fmpq_get_d(s->sigma_b);
    double sa = fy_fmpq_get_d(s->sigma_a), K = fy_fmpq_get_d(s->kurtosis);
    for (k = 0; k < d; k++)
        u0[k] = sw * fy_rng_normal(g, stream, c++);
    for (i = 0; i < N; i++)
    {
        double a = sa * fy_rng_normal(g, stream, c++), b = 0, z, v, w[64];
        if (K > 3 && fy_rng_uniform(g, stream, c++) > 3 / K)
            a = 0;
        else if (K > 3)
            a *= sqrt(K / 3);
        if (s->act == FY_NNFT_COS)
            b = M_PI * (2 * fy_rng_uniform(g, stream, c++) - 1);
        else
            b = sb * fy_rng_normal(g, stream, c++);
        for (k = 0; k < d && k < 64; k++)
            w[k] = sqrt(1 - eps) * sw * fy_rng_normal(g, stream, c++) + sqrt(eps) * u0[k];
        for (j = 0; j < 4; j++)
        {
            double x2 = 0;
            z = b;
            for (k = 0; k < d && k < 64; k++)
            {
                z += w[k] * x[j * d + k];
                x2 += x[j * d + k] * x[j * d + k];
            }
            switch (s->act)
            {
            case FY_NNFT_ERF: v = erf(z); break;
            case FY_NNFT_RELU: v = z > 0 ? z : 0; break;
            case FY_NNFT_TANH: v = tanh(z); break;
            case FY_NNFT_SIN: v = sin(z); break;
            case FY_NNFT_COS: v = cos(z); break;
            default: v = exp(z - sb * sb - sw * sw * x2); break; /* gauss */
            }
            h[i * 4 + j] = a * v;
        }
    }
}

int fy_nnft_ib_mc(fy_nnft_ib_mc_t r, const fy_nnft_spec_t s, const slong *idx, const fmpq_t eps,
                  uint64_t M, uint64_t seed, fy_error_t err)
{
    static const int pairing[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};
    slong N = s->width, d = s->d, i, k;
    double x[4 * 64], *h, u0[64], e, bIN[IB_BATCHES], bIB[IB_BATCHES], bG[IB_BATCHES];
    fy_rng_t g;
    uint64_t m, per;
    int rc, b, p;
    if ((rc = check_eps(eps, err)) != FY_OK)
        return rc;
    if (N < 2 || d > 64 || M < 20 * IB_BATCHES)
        return fy_error_set(err, FY_EINPUT, "independence breaking by Monte Carlo needs width "
                            ">= 2 (pairs of neurons), d <= 64 and at least %d networks",
                            20 * IB_BATCHES);
    for (k = 0; k < 4; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range", (long) idx[k]);
    for (k = 0; k < 4; k++)
        for (i = 0; i < d; i++)
            x[k * d + i] = fy_fmpq_get_d(s->points + idx[k] * d + i);
    if ((h = fy_malloc((size_t) N * 4, sizeof(double), err)) == NULL)
        return FY_ENOMEM;
    e = fy_fmpq_get_d(eps);
    fy_rng_init(g, seed, FY_RNG_PURPOSE_NNFT_CHECKS);
    per = M / IB_BATCHES;
    for (b = 0; b < IB_BATCHES; b++)
    {
        double mu4 = 0, nu = 0, m2[3][2] = {{0, 0}, {0, 0}, {0, 0}};
        for (m = 0; m < per; m++)
        {
            ib_network(h, s, x, e, g, (1ULL << 40) + (uint64_t) b * per + m, u0);
            for (p = 0; p < 3; p++)
            {
                const int *q = pairing[p];
                double S1 = 0, S2 = 0, S4 = 0;
                for (i = 0; i < N; i++)
                {
                    double h1 = h[i * 4 + q[0]] * h[i * 4 + q[1]];
                    double h2 = h[i * 4 + q[2]] * h[i * 4 + q[3]];
                    S1 += h1;
                    S2 += h2;
                    S4 += h1 * h2;
                }
                if (p == 0)
                    mu4 += S4 / N;
                nu += (S1 * S2 - S4) / ((double) N * (N - 1));
                m2[p][0] += S1 / N;
                m2[p][1] += S2 / N;
            }
        }
        mu4 /= per;
        nu /= per;
        bIB[b] = nu;
        for (p = 0; p < 3; p++)
            bIB[b] -= (m2[p][0] / per) * (m2[p][1] / per);
        bIN[b] = (mu4 - nu) / N;
        bG[b] = bIN[b] + bIB[b];
    }
    free(h);
    r->networks = per * IB_BATCHES;
    r->I_N = r->I_IB = r->G4c = 0;
    for (b = 0; b < IB_BATCHES; b++)
    {
        r->I_N += bIN[b] / IB_BATCHES;
        r->I_IB += bIB[b] / IB_BATCHES;
        r->G4c += bG[b] / IB_BATCHES;
    }
    r->I_N_se = r->I_IB_se = r->G4c_se = 0;
    for (b = 0; b < IB_BATCHES; b++)
    {
        r->I_N_se += (bIN[b] - r->I_N) * (bIN[b] - r->I_N);
        r->I_IB_se += (bIB[b] - r->I_IB) * (bIB[b] - r->I_IB);
        r->G4c_se += (bG[b] - r->G4c) * (bG[b] - r->G4c);
    }
    r->I_N_se = sqrt(r->I_N_se / ((double) IB_BATCHES * (IB_BATCHES - 1)));
    r->I_IB_se = sqrt(r->I_IB_se / ((double) IB_BATCHES * (IB_BATCHES - 1)));
    r->G4c_se = sqrt(r->G4c_se / ((double) IB_BATCHES * (IB_BATCHES - 1)));
    return FY_OK;
}
