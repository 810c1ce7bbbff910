/* euclid_mc.c - Monte Carlo G2 of the Euclidean input layers (feynn/nnft.h, "fields from
 * neurons"): networks phi(x) = sum_i a_i F(b_i) cos(b_i . x + c_i) drawn from the one
 * generator (feynn/rng.h), the products phi(x_i) phi(x_j) averaged with standard errors.
 *
 * Network k is stream k of purpose FY_RNG_PURPOSE_NNFT_EUCLID: normals 0..N-1 the output
 * weights, N + i d + c the coordinates of b_i (Gaussian b, or the direction for the ball);
 * uniforms 0..N-1 the phases, N..2N-1 the radius (ball) or the Lorentzian quantile,
 * 2N..3N-1 the output-weight mixture (kurtosis > 3); a_mean / N is added to the weights,
 * and the phases are phase pi (2u - 1).  The sum over networks is serial, so the
 * result depends on (spec, M, seed) alone.
 *
 * qft3: b_dist user draws the radius by inverse CDF (bisection on the exact rational CDF,
 * converted to doubles piece by piece) from the same uniform as the ball's radius; F user is
 * evaluated piecewise.  With g dense the input layer has N1 = g_width neurons (normals
 * N + j d + c, uniforms j and N1 + j, the mixture 2 N1 + i) and stream k of purpose
 * FY_RNG_PURPOSE_NNFT_DEEP gives the normals W (i N1 + j) and beta (N N1 + i); with
 * N1 = N and g identity the layout is the single layer's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/rng.h"
#include "feynn/util.h"
#include "nnft/nnft_internal.h"

typedef struct fy_nnft_enet_s
{
    slong N, d, P;
    int bdist, F;
    double sw, sa, m, L, mix_p, mix_s, amean, phase;
    double *x;              /* P x d */
    double *a, *b, *c, *amp; /* N, N d, N, N */
    double *z, *u;          /* N (1 + d) normals, 3N uniforms */
    fy_rng_t rn, ru;
    /* qft3: b_dist user (pieces np: lo, hi, cum = CDF at lo, deg + 1 coefficients each of
     * the CDF's increase from lo), F user (fnp pieces), g dense */
    slong np, deg, fnp, fdeg, N1;
    double *plo, *phi, *pcum, *pco, *flo, *fhi, *fco;
    int deep, gact;
    double sg, sgb;
    double *W, *beta, *l; /* N N1, N, N1 */
    fy_rng_t rg;
} enet_t;

static void enet_clear(enet_t *e)
{
    free(e->x);
    free(e->a);
    free(e->plo);
    free(e->flo);
    free(e->W);
    free(e->pcum);
    memset(e, 0, sizeof *e);
}

/* Doubles of piecewise polynomials: lo, hi, then (deg + 1) coefficients a piece. */
static int pp_doubles(double **buf, slong *deg, const fy_nnft_ppoly_t f, slong shift,
                      int cdf, double *cum, fy_error_t err)
{
    fmpq_poly_t q;
    fmpq_t v, a, tot;
    slong j, i, D = 0;
    double *lo;
    for (j = 0; j < f->n; j++)
        if (fmpq_poly_degree(f->p + j) + shift + (cdf ? 1 : 0) > D)
            D = fmpq_poly_degree(f->p + j) + shift + (cdf ? 1 : 0);
    *deg = D;
    if ((*buf = lo = fy_calloc((size_t) (f->n * (D + 3) + 1), sizeof(double), err)) == NULL)
        return FY_ENOMEM;
    fmpq_poly_init(q);
    fmpq_init(v);
    fmpq_init(a);
    fmpq_init(tot);
    fy_nnft_ppoly_moment(tot, f, shift);
    for (j = 0; j < f->n; j++)
    {
        lo[j] = fy_fmpq_get_d(f->lo + j);
        lo[f->n + j] = fy_fmpq_get_d(f->hi + j);
        fmpq_poly_shift_left(q, f->p + j, shift);
        if (cdf)
        {
            /* (int_lo^t k^(d-1) p) / tot, and the CDF at lo */
            fmpq_poly_integral(q, q);
            fmpq_poly_evaluate_fmpq(a, q, f->lo + j);
            fmpq_poly_sub_fmpq(q, q, a);
            fmpq_poly_scalar_div_fmpq(q, q, tot);
            if (cum != NULL)
            {
                cum[j] = fy_fmpq_get_d(v);
                fmpq_poly_evaluate_fmpq(a, q, f->hi + j);
                fmpq_add(v, v, a);
            }
        }
        for (i = 0; i <= fmpq_poly_degree(q); i++)
        {
            fmpq_poly_get_coeff_fmpq(a, q, i);
            lo[2 * f->n + j * (D + 1) + i] = fy_fmpq_get_d(a);
        }
    }
    fmpq_poly_clear(q);
    fmpq_clear(v);
    fmpq_clear(a);
    fmpq_clear(tot);
    return FY_OK;
}

static double horner(const double *c, slong deg, double t)
{
    double y = 0;
    slong i;
    for (i = deg; i >= 0; i--)
        y = y * t + c[i];
    return y;
}

/* The radius with CDF value u (b_dist user): the piece, then bisection. */
static double user_radius(const enet_t *e, double u)
{
    slong j = 0, it;
    double lo, hi;
    const double *c;
    while (j + 1 < e->np && e->pcum[j + 1] <= u)
        j++;
    lo = e->plo[j];
    hi = e->phi[j];
    c = e->pco + j * (e->deg + 1);
    u -= e->pcum[j];
    for (it = 0; it < 64 && hi > lo; it++)
    {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (horner(c, e->deg, mid) < u)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* F user at |b| = k: the first piece holding k, 0 off the pieces. */
static double user_amp(const enet_t *e, double k)
{
    slong j;
    for (j = 0; j < e->fnp; j++)
        if (k >= e->flo[j] && k <= e->fhi[j])
            return horner(e->fco + j * (e->fdeg + 1), e->fdeg, k);
    return 0.0;
}

static double gact_eval(int a, double z)
{
    switch (a)
    {
    case FY_NNFT_GACT_TANH:
        return tanh(z);
    case FY_NNFT_GACT_ERF:
        return erf(z);
    case FY_NNFT_GACT_RELU:
        return z > 0 ? z : 0.0;
    case FY_NNFT_GACT_SIN:
        return sin(z);
    default:
        return z;
    }
}

static int enet_init_qft3(enet_t *e, const fy_nnft_spec_t s, uint64_t seed, fy_error_t err)
{
    int rc;
    if (s->b_dist == FY_NNFT_B_USER)
    {
        double *cum = fy_calloc((size_t) s->b_density->n, sizeof(double), err);
        if (cum == NULL)
            return FY_ENOMEM;
        rc = pp_doubles(&e->plo, &e->deg, s->b_density, s->d - 1, 1, cum, err);
        if (rc == FY_OK)
        {
            e->np = s->b_density->n;
            e->phi = e->plo + e->np;
            e->pco = e->phi + e->np;
            e->pcum = cum;
        }
        else
            free(cum);
        if (rc != FY_OK)
            return rc;
    }
    if (s->F == FY_NNFT_F_USER)
    {
        if ((rc = pp_doubles(&e->flo, &e->fdeg, s->F_user, 0, 0, NULL, err)) != FY_OK)
            return rc;
        e->fnp = s->F_user->n;
        e->fhi = e->flo + e->fnp;
        e->fco = e->fhi + e->fnp;
    }
    if (s->g == FY_NNFT_G_DENSE)
    {
        e->deep = 1;
        e->gact = s->g_act;
        e->sg = fy_fmpq_get_d(s->sigma_g) / sqrt((double) s->g_width);
        e->sgb = fy_fmpq_get_d(s->sigma_gb);
        e->W = fy_malloc((size_t) (e->N * e->N1 + e->N + e->N1), sizeof(double), err);
        if (e->W == NULL)
            return FY_ENOMEM;
        e->beta = e->W + e->N * e->N1;
        e->l = e->beta + e->N;
        fy_rng_init(e->rg, seed, FY_RNG_PURPOSE_NNFT_DEEP);
    }
    return FY_OK;
}

static int enet_init(enet_t *e, const fy_nnft_spec_t s, uint64_t seed, fy_error_t err)
{
    slong k;
    double K;
    int rc;
    memset(e, 0, sizeof *e);
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "the Monte Carlo G2 of the input layer "
                            "F(b) cos(b . x + c) needs activation cos, not %s",
                            fy_nnft_act_name(s->act));
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "no input points");
    e->N = s->width;
    e->N1 = s->g == FY_NNFT_G_DENSE ? s->g_width : s->width; /* qft3: the input layer's */
    e->d = s->d;
    e->P = s->npoints;
    e->bdist = s->b_dist;
    e->F = s->F;
    e->sw = fy_fmpq_get_d(s->sigma_W) / sqrt((double) s->d);
    e->sa = fy_fmpq_get_d(s->sigma_a) / sqrt((double) s->width);
    e->m = fy_fmpq_get_d(s->mass);
    e->L = fy_fmpq_get_d(s->Lambda);
    e->amean = fy_fmpq_get_d(s->a_mean) / (double) s->width;
    e->phase = fy_fmpq_get_d(s->phase);
    K = fy_fmpq_get_d(s->kurtosis);
    e->mix_p = 3.0 / K;
    e->mix_s = sqrt(K / 3.0);
    e->x = fy_malloc((size_t) (e->P * e->d), sizeof(double), err);
    /* a: N; b: N1 d; c, amp: N1; normals N + N1 d; uniforms 2 N1 + N */
    e->a = fy_malloc((size_t) (2 * e->N + 2 * e->N1 * e->d + 4 * e->N1 + e->N + 1),
                     sizeof(double), err);
    if (e->x == NULL || e->a == NULL)
    {
        enet_clear(e);
        return FY_ENOMEM;
    }
    e->b = e->a + e->N;
    e->c = e->b + e->N1 * e->d;
    e->amp = e->c + e->N1;
    e->z = e->amp + e->N1;
    e->u = e->z + e->N + e->N1 * e->d;
    for (k = 0; k < e->P * e->d; k++)
        e->x[k] = fy_fmpq_get_d(s->points + k);
    fy_rng_init(e->rn, seed, FY_RNG_PURPOSE_NNFT_EUCLID);
    fy_rng_init(e->ru, seed, FY_RNG_PURPOSE_NNFT_EUCLID + 1);
    if ((rc = enet_init_qft3(e, s, seed, err)) != FY_OK)
        enet_clear(e);
    return rc;
}

/* Draws network k into a, b, c, amp (and W, beta for g dense). */
static void enet_draw(enet_t *e, uint64_t k)
{
    const slong N = e->N, N1 = e->N1, d = e->d;
    slong i, c;
    fy_rng_normals(e->z, (uint64_t) (N + N1 * d), e->rn, k, 0);
    fy_rng_uniforms(e->u, (uint64_t) (2 * N1 + N), e->ru, k, 0);
    for (i = 0; i < N; i++)
    {
        double a = e->sa * e->z[i] + e->amean;
        if (e->mix_p < 1.0)
            a = e->u[2 * N1 + i] < e->mix_p ? a * e->mix_s : 0.0;
        e->a[i] = a;
    }
    for (i = 0; i < N1; i++)
    {
        double *b = e->b + i * d, *z = e->z + N + i * d, b2 = 0;
        e->c[i] = e->phase * M_PI * (2.0 * e->u[i] - 1.0);
        switch (e->bdist)
        {
        case FY_NNFT_B_GAUSS:
            for (c = 0; c < d; c++)
                b[c] = e->sw * z[c];
            break;
        case FY_NNFT_B_BALL:
        case FY_NNFT_B_USER:
        {
            /* a uniform direction (normalised normals) and the radius: Lambda u^(1/d) for
             * the ball, the inverse CDF for b_dist user */
            double n2 = 0, r = e->bdist == FY_NNFT_B_BALL
                                   ? e->L * pow(e->u[N1 + i], 1.0 / (double) d)
                                   : user_radius(e, e->u[N1 + i]);
            for (c = 0; c < d; c++)
                n2 += z[c] * z[c];
            n2 = n2 > 0 ? sqrt(n2) : 1.0;
            for (c = 0; c < d; c++)
                b[c] = r * z[c] / n2;
            break;
        }
        default: /* Lorentzian, d = 1: the Cauchy quantile */
            b[0] = e->m * tan(M_PI * (e->u[N1 + i] - 0.5));
            break;
        }
        for (c = 0; c < d; c++)
            b2 += b[c] * b[c];
        e->amp[i] = e->F == FY_NNFT_F_PROP ? 1.0 / sqrt(b2 + e->m * e->m)
                    : e->F == FY_NNFT_F_USER ? user_amp(e, sqrt(b2)) : 1.0;
    }
    if (e->deep)
    {
        fy_rng_normals(e->W, (uint64_t) (N * N1 + N), e->rg, k, 0);
        for (i = 0; i < N * N1; i++)
            e->W[i] *= e->sg;
        for (i = 0; i < N; i++)
            e->beta[i] *= e->sgb;
    }
}

static double enet_eval(const enet_t *e, const double *x)
{
    slong i, j, c;
    double f = 0;
    const slong N1 = e->N1;
    double *l = e->deep ? e->l : NULL;
    for (i = 0; i < N1; i++)
    {
        double t = e->c[i];
        for (c = 0; c < e->d; c++)
            t += e->b[i * e->d + c] * x[c];
        if (l != NULL)
            l[i] = e->amp[i] * cos(t);
        else
            f += e->a[i] * e->amp[i] * cos(t);
    }
    if (l != NULL)
        for (i = 0; i < e->N; i++)
        {
            /* h_i = sigma(sum_j W_ij l_j + beta_i) */
            double z = e->beta[i];
            const double *w = e->W + i * N1;
            for (j = 0; j < N1; j++)
                z += w[j] * l[j];
            f += e->a[i] * gact_eval(e->gact, z);
        }
    return f;
}

/* ------------------------------------------------------------------ inside the sampler
 * (qft14): the ensemble sampler of mc.c asks for the outputs of network k; one object per
 * thread (the draws' scratch is the object's). */
int fy_nnft_enet_new(fy_nnft_enet_t **e, const fy_nnft_spec_t s, uint64_t seed,
                     fy_error_t err)
{
    int rc;
    if ((*e = fy_malloc(1, sizeof(enet_t), err)) == NULL)
        return FY_ENOMEM;
    if ((rc = enet_init(*e, s, seed, err)) != FY_OK)
    {
        free(*e);
        *e = NULL;
    }
    return rc;
}

void fy_nnft_enet_free(fy_nnft_enet_t *e)
{
    if (e == NULL)
        return;
    enet_clear(e);
    free(e);
}

void fy_nnft_enet_outputs(double *out, slong ld, fy_nnft_enet_t *e, uint64_t k)
{
    slong p;
    enet_draw(e, k);
    for (p = 0; p < e->P; p++)
        out[p * ld] = enet_eval(e, e->x + p * e->d);
}

/* One piecewise polynomial as text: "name n lo hi c0 c1 .. ; ..". */
static void key_ppoly(FILE *fp, const char *name, const fy_nnft_ppoly_t f)
{
    slong j;
    fprintf(fp, "%s %ld", name, (long) f->n);
    for (j = 0; j < f->n; j++)
    {
        char *lo = fmpq_get_str(NULL, 10, f->lo + j), *hi = fmpq_get_str(NULL, 10, f->hi + j);
        char *c = fmpq_poly_get_str(f->p + j);
        fprintf(fp, " [%s %s %s]", lo, hi, c);
        flint_free(lo);
        flint_free(hi);
        flint_free(c);
    }
    fputc('\n', fp);
}

int fy_nnft_enet_key(char **out, const fy_nnft_spec_t s, fy_error_t err)
{
    size_t len = 0;
    FILE *fp;
    const fmpq *q[6] = {s->mass, s->Lambda, s->a_mean, s->phase, s->sigma_g, s->sigma_gb};
    int i;
    *out = NULL;
    if ((fp = open_memstream(out, &len)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    fprintf(fp, "euclid b_dist %s F %s g %s g_act %s g_width %ld\n",
            fy_nnft_bdist_name((fy_nnft_bdist_t) s->b_dist),
            fy_nnft_ampl_name((fy_nnft_ampl_t) s->F), fy_nnft_g_name((fy_nnft_g_t) s->g),
            fy_nnft_gact_name((fy_nnft_gact_t) s->g_act), (long) s->g_width);
    for (i = 0; i < 6; i++)
    {
        char *t = fmpq_get_str(NULL, 10, q[i]);
        fprintf(fp, "%s%s", i ? " " : "mass, Lambda, a_mean, phase, sigma_g, sigma_gb: ", t);
        flint_free(t);
    }
    fputc('\n', fp);
    key_ppoly(fp, "b_density", s->b_density);
    key_ppoly(fp, "F_piece", s->F_user);
    fclose(fp);
    return *out != NULL ? FY_OK : fy_error_set(err, FY_ENOMEM, "out of memory");
}

/* The pairs (i, j), i <= j, i < rows (rows = P: all pairs; 1: the row of point 0). */
static int mc_pairs(double *mean, double *se, const fy_nnft_spec_t s, slong rows, uint64_t M,
                    uint64_t seed, fy_error_t err)
{
    enet_t e;
    double *f, *sum, *sq;
    slong i, j, t, npair;
    uint64_t k;
    int rc;
    if (M < 2)
        return fy_error_set(err, FY_EINPUT, "at least 2 networks, not %llu",
                            (unsigned long long) M);
    if ((rc = enet_init(&e, s, seed, err)) != FY_OK)
        return rc;
    npair = 0;
    for (i = 0; i < rows; i++)
        npair += e.P - i;
    f = fy_malloc((size_t) (e.P + 2 * npair), sizeof(double), err);
    if (f == NULL)
    {
        enet_clear(&e);
        return FY_ENOMEM;
    }
    sum = f + e.P;
    sq = sum + npair;
    memset(sum, 0, 2 * (size_t) npair * sizeof(double));
    for (k = 0; k < M; k++)
    {
        enet_draw(&e, k);
        for (i = 0; i < e.P; i++)
            f[i] = enet_eval(&e, e.x + i * e.d);
        for (i = 0, t = 0; i < rows; i++)
            for (j = i; j < e.P; j++, t++)
            {
                double v = f[i] * f[j];
                sum[t] += v;
                sq[t] += v * v;
            }
    }
    for (t = 0; t < npair; t++)
    {
        double mu = sum[t] / (double) M, v = (sq[t] - sum[t] * mu) / (double) (M - 1);
        mean[t] = mu;
        se[t] = sqrt((v > 0 ? v : 0) / (double) M);
    }
    free(f);
    enet_clear(&e);
    return FY_OK;
}

int fy_nnft_euclid_mc_g2(double *mean, double *se, const fy_nnft_spec_t s, uint64_t M,
                         uint64_t seed, fy_error_t err)
{
    int rc = fy_nnft_spec_check(s, err);
    if (rc != FY_OK)
        return rc;
    return mc_pairs(mean, se, s, s->npoints, M, seed, err);
}

/* ------------------------------------------------------------------ the spectrum */
void fy_nnft_spectrum_init(fy_nnft_spectrum_t sp)
{
    memset(sp, 0, sizeof *sp);
}

void fy_nnft_spectrum_clear(fy_nnft_spectrum_t sp)
{
    slong j;
    if (sp->p != NULL)
        _arb_vec_clear(sp->p, 2 * sp->np);
    if (sp->G2 != NULL)
        _arb_vec_clear(sp->G2, sp->nx);
    if (sp->x != NULL)
        for (j = 0; j < sp->nx; j++)
            fmpq_clear(sp->x + j);
    free(sp->x);
    free(sp->mc_mean);
    memset(sp, 0, sizeof *sp);
}

int fy_nnft_spectrum(fy_nnft_spectrum_t sp, const fy_nnft_spec_t s, const fmpq_t pmax,
                     slong np, const fmpq_t xmax, slong nx, uint64_t M, uint64_t seed,
                     slong prec, fy_error_t err)
{
    fy_nnft_spec_t w;
    fmpq_t r2;
    slong k, c;
    int rc;
    fy_nnft_spectrum_clear(sp);
    if ((rc = fy_nnft_spec_check(s, err)) != FY_OK)
        return rc;
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "the spectrum is for the translation-invariant "
                            "input layers F(b) cos(b . x + c) (activation cos, doc/nnft-spec.md), "
                            "not %s", fy_nnft_act_name(s->act));
    if (np < 2 || nx < 2 || np > 100000 || nx > 100000)
        return fy_error_set(err, FY_EINPUT, "2..100000 momenta and positions, not %ld and %ld",
                            (long) np, (long) nx);
    if (!fmpq_is_zero(s->a_mean) || !fmpq_is_one(s->phase))
        return fy_error_set(err, FY_EINPUT, "the power spectrum needs a translation-invariant "
                            "ensemble: remove a_mean and phase (the Z2 switch) from the spec");
    if (fmpq_sgn(pmax) <= 0 || fmpq_sgn(xmax) <= 0)
        return fy_error_set(err, FY_EINPUT, "pmax and xmax must be positive");
    sp->np = np;
    sp->nx = nx;
    sp->p = _arb_vec_init(2 * np);
    sp->Gp = sp->p + np;
    sp->G2 = _arb_vec_init(nx);
    if ((sp->x = fy_malloc((size_t) nx, sizeof(fmpq), err)) == NULL)
    {
        fy_nnft_spectrum_clear(sp);
        return FY_ENOMEM;
    }
    for (k = 0; k < nx; k++)
        fmpq_init(sp->x + k);
    fmpq_init(r2);
    for (k = 0; k < np && rc == FY_OK; k++)
    {
        arb_set_fmpq(sp->p + k, pmax, prec);
        arb_mul_si(sp->p + k, sp->p + k, k, prec);
        arb_div_si(sp->p + k, sp->p + k, np - 1, prec);
        rc = fy_nnft_power_spectrum(sp->Gp + k, s, sp->p + k, prec, err);
    }
    for (k = 0; k < nx && rc == FY_OK; k++)
    {
        fmpq_mul_si(sp->x + k, xmax, k);
        fmpz_set_si(fmpq_numref(r2), nx - 1);
        fmpq_div_fmpz(sp->x + k, sp->x + k, fmpq_numref(r2));
        fmpq_mul(r2, sp->x + k, sp->x + k);
        rc = fy_nnft_euclid_g2(sp->G2 + k, s, r2, prec, err);
    }
    fmpq_clear(r2);
    if (rc == FY_OK && M > 0)
    {
        /* the points x_j e_1 (as a points text) and the row (0, j) of the pairs */
        char *text = NULL;
        size_t len = 0;
        FILE *fp = open_memstream(&text, &len);
        fy_nnft_spec_init(w);
        if (fp == NULL)
            rc = fy_error_set(err, FY_ENOMEM, "out of memory");
        else
        {
            for (k = 0; k < nx; k++)
            {
                char *q = fmpq_get_str(NULL, 10, sp->x + k);
                fputs(q, fp);
                flint_free(q);
                for (c = 1; c < s->d; c++)
                    fputs(" 0", fp);
                fputc('\n', fp);
            }
            fclose(fp);
            if ((rc = fy_nnft_spec_set(w, s, err)) == FY_OK
                && (rc = fy_nnft_points_parse(w, text, "spectrum", err)) == FY_OK)
            {
                if ((sp->mc_mean = fy_malloc(2 * (size_t) nx, sizeof(double), err)) == NULL)
                    rc = FY_ENOMEM;
                else
                {
                    sp->mc_se = sp->mc_mean + nx;
                    rc = mc_pairs(sp->mc_mean, sp->mc_se, w, 1, M, seed, err);
                    sp->M = M;
                    sp->seed = seed;
                }
            }
        }
        free(text);
        fy_nnft_spec_clear(w);
    }
    if (rc != FY_OK)
        fy_nnft_spectrum_clear(sp);
    return rc;
}
