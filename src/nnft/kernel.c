/* kernel.c - kernels K = G^(2) from the closed forms of MATH.md 4.1, and by quadrature over
 * the pre-activation Gaussian as an independent second route (feynn/nnft.h). */
#include "num/arb_all.h"

#include "nnft/nnft_internal.h"

static void arb_set_q(arb_t z, const fmpq_t q, slong prec)
{
    arb_set_fmpq(z, q, prec);
}

void fy_nnft_bias_var(arb_t v, const fy_nnft_spec_t s, slong prec)
{
    if (s->act == FY_NNFT_COS)
        arb_zero(v);
    else
    {
        arb_set_q(v, s->sigma_b, prec);
        arb_sqr(v, v, prec);
    }
}

static void sigma_q(fmpq_t dot, const fy_nnft_spec_t s, slong i, slong j)
{
    fmpq_t t;
    slong k;
    fmpq_init(t);
    fmpq_zero(dot);
    for (k = 0; k < s->d; k++)
    {
        fmpq_mul(t, s->points + i * s->d + k, s->points + j * s->d + k);
        fmpq_add(dot, dot, t);
    }
    fmpq_mul(dot, dot, s->sigma_W);
    fmpq_mul(dot, dot, s->sigma_W);
    fmpz_set_si(fmpq_numref(t), s->d);
    fmpq_div_fmpz(dot, dot, fmpq_numref(t));
    if (s->act != FY_NNFT_COS)
    {
        fmpq_mul(t, s->sigma_b, s->sigma_b);
        fmpq_add(dot, dot, t);
    }
    fmpq_clear(t);
}

void fy_nnft_sigma(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec)
{
    fmpq_t dot;
    fmpq_init(dot);
    sigma_q(dot, s, i, j);
    arb_set_fmpq(v, dot, prec);
    fmpq_clear(dot);
}

void fy_nnft_dist2(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec)
{
    fmpq_t acc, t;
    slong k;
    fmpq_init(acc);
    fmpq_init(t);
    for (k = 0; k < s->d; k++)
    {
        fmpq_sub(t, s->points + i * s->d + k, s->points + j * s->d + k);
        fmpq_mul(t, t, t);
        fmpq_add(acc, acc, t);
    }
    arb_set_fmpq(v, acc, prec);
    fmpq_clear(acc);
    fmpq_clear(t);
}

/* exp(-sigma_W^2 |x_i - x_j|^2 / (2 d)) */
static void gauss_factor(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec)
{
    arb_t w;
    arb_init(w);
    fy_nnft_dist2(v, s, i, j, prec);
    arb_set_fmpq(w, s->sigma_W, prec);
    arb_sqr(w, w, prec);
    arb_mul(v, v, w, prec);
    arb_div_si(v, v, -2 * s->d, prec);
    arb_exp(v, v, prec);
    arb_clear(w);
}

static int check_points(const fy_nnft_spec_t s, slong i, slong j, fy_error_t err)
{
    if (i < 0 || j < 0 || i >= s->npoints || j >= s->npoints)
        return fy_error_set(err, FY_EINPUT, "point index out of range (the spec has %ld "
                            "points)", (long) s->npoints);
    return FY_OK;
}

/* The ReLU arc-cosine kernel without its prefactor, (sqrt(u - Sxy^2) + (pi - th) Sxy) / (2 pi)
 * with u = Sxx Syy and th = atan2(sqrt(u - Sxy^2), Sxy): analytic in the balls where
 * cos th = +-1 (coincident or opposite points), where acos of a ball touching +-1 is not.
 * t may not alias u or sxy. */
void _fy_nnft_relu_arccos(arb_t t, const arb_t u, const arb_t sxy, const arb_t pi, slong prec)
{
    arb_t b, th;
    arb_init(b);
    arb_init(th);
    arb_sqr(b, sxy, prec);
    arb_sub(b, u, b, prec);
    arb_sqrtpos(b, b, prec); /* the nonnegative part: Sxx Syy >= Sxy^2 */
    if (arb_is_positive(sxy))
    {
        arb_div(th, b, sxy, prec);
        arb_atan(th, th, prec);
    }
    else if (arb_is_negative(sxy))
    {
        arb_div(th, b, sxy, prec);
        arb_neg(th, th);
        arb_atan(th, th, prec);
        arb_sub(th, pi, th, prec);
    }
    else
        arb_atan2(th, b, sxy, prec);
    arb_sub(th, pi, th, prec);
    arb_mul(th, th, sxy, prec);
    arb_add(t, b, th, prec);
    arb_div(t, t, pi, prec);
    arb_mul_2exp_si(t, t, -1);
    arb_clear(b);
    arb_clear(th);
}

int fy_nnft_kernel(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                   fy_error_t err)
{
    arb_t sxx, syy, sxy, t, u, a2;
    int rc = FY_OK;
    if ((rc = check_points(s, i, j, err)) != FY_OK)
        return rc;
    if (fy_nnft_is_euclid(s)) /* the Euclidean input layers (euclid.c) */
        return fy_nnft_euclid_kernel(K, s, i, j, prec, err);
    arb_init(sxx);
    arb_init(syy);
    arb_init(sxy);
    arb_init(t);
    arb_init(u);
    arb_init(a2);
    arb_set_fmpq(a2, s->sigma_a, prec);
    arb_sqr(a2, a2, prec);
    switch (s->act)
    {
    case FY_NNFT_ERF:
        /* (2/pi) asin(2 Sxy / sqrt((1 + 2 Sxx)(1 + 2 Syy))) */
        fy_nnft_sigma(sxx, s, i, i, prec);
        fy_nnft_sigma(syy, s, j, j, prec);
        fy_nnft_sigma(sxy, s, i, j, prec);
        arb_mul_2exp_si(sxx, sxx, 1);
        arb_add_ui(sxx, sxx, 1, prec);
        arb_mul_2exp_si(syy, syy, 1);
        arb_add_ui(syy, syy, 1, prec);
        arb_mul(t, sxx, syy, prec);
        arb_rsqrt(t, t, prec);
        arb_mul(t, t, sxy, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_asin(t, t, prec);
        arb_const_pi(u, prec);
        arb_div(t, t, u, prec);
        arb_mul_2exp_si(t, t, 1);
        break;
    case FY_NNFT_RELU:
        /* sqrt(Sxx Syy) (sin th + (pi - th) cos th) / (2 pi), cos th = Sxy / sqrt(Sxx Syy) */
        fy_nnft_sigma(sxx, s, i, i, prec);
        fy_nnft_sigma(syy, s, j, j, prec);
        fy_nnft_sigma(sxy, s, i, j, prec);
        arb_mul(u, sxx, syy, prec);
        if (arb_is_zero(u))
        {
            arb_zero(t);
            break;
        }
        {
            arb_t pi;
            arb_init(pi);
            arb_const_pi(pi, prec);
            _fy_nnft_relu_arccos(t, u, sxy, pi, prec);
            arb_clear(pi);
        }
        break;
    case FY_NNFT_GAUSS:
        gauss_factor(t, s, i, j, prec);
        break;
    case FY_NNFT_SIN:
        /* E sin z sin z' = exp(-(Sxx + Syy)/2) sinh(Sxy) */
        fy_nnft_sigma(sxx, s, i, i, prec);
        fy_nnft_sigma(syy, s, j, j, prec);
        fy_nnft_sigma(sxy, s, i, j, prec);
        arb_add(u, sxx, syy, prec);
        arb_mul_2exp_si(u, u, -1);
        arb_neg(u, u);
        arb_exp(u, u, prec);
        arb_sinh(t, sxy, prec);
        arb_mul(t, t, u, prec);
        break;
    case FY_NNFT_COS:
        gauss_factor(t, s, i, j, prec);
        arb_mul_2exp_si(t, t, -1);
        break;
    case FY_NNFT_TANH:
    {
        /* no closed form: E tanh z tanh z' by the rigorous quadrature of quad2.c */
        slong pair[2] = {i, j};
        rc = fy_nnft_moment_rank2(t, s, pair, 2, prec, err);
        break;
    }
    default:
        rc = fy_error_set(err, FY_EUNSUPPORTED, "no closed-form kernel for activation %s "
                          "(quadrature: fy_nnft_kernel_quad; sampling: feynn nnft sample)",
                          fy_nnft_act_name(s->act));
        break;
    }
    if (rc == FY_OK)
    {
        arb_mul(t, t, a2, prec);
        fy_nnft_bias_var(u, s, prec);
        arb_add(K, t, u, prec);
    }
    arb_clear(sxx);
    arb_clear(syy);
    arb_clear(sxy);
    arb_clear(t);
    arb_clear(u);
    arb_clear(a2);
    return rc;
}

/* ------------------------------------------------------------------ quadrature
 * z1 = s1 u, z2 = c u + b v with u, v standard normal, s1 = sqrt(S11), c = S12 / s1,
 * b = sqrt(S22 - S12^2 / S11).  E[phi(z1) phi(z2)] = int phi(s1 u) g(c u) w(u) du with
 * g(m) = E_v phi(m + b v) in closed form and w the standard normal density. */
typedef struct
{
    fy_nnft_act_t act;
    arb_t s1, c, b, shift; /* shift: Gauss-net normaliser S11 + S22 - b^2/2 */
} quad_param;

void fy_nnft_acb_normal_density(acb_t w, const acb_t u, slong prec)
{
    arb_t k;
    arb_init(k);
    acb_sqr(w, u, prec);
    acb_mul_2exp_si(w, w, -1);
    acb_neg(w, w);
    acb_exp(w, w, prec);
    arb_const_pi(k, prec);
    arb_mul_2exp_si(k, k, 1);
    arb_rsqrt(k, k, prec);
    acb_mul_arb(w, w, k, prec);
    arb_clear(k);
}

static int quad_f(acb_ptr res, const acb_t u, void *param, slong order, slong prec)
{
    quad_param *q = param;
    acb_t a, m, t, w;
    (void) order; /* every integrand is entire on the interval it is used on */
    acb_init(a);
    acb_init(m);
    acb_init(t);
    acb_init(w);
    acb_mul_arb(a, u, q->s1, prec); /* z1 */
    acb_mul_arb(m, u, q->c, prec);  /* conditional mean of z2 */
    switch (q->act)
    {
    case FY_NNFT_ERF:
    {
        arb_t r;
        arb_init(r);
        acb_hypgeom_erf(a, a, prec);
        arb_sqr(r, q->b, prec);
        arb_mul_2exp_si(r, r, 1);
        arb_add_ui(r, r, 1, prec);
        arb_rsqrt(r, r, prec);
        acb_mul_arb(m, m, r, prec);
        acb_hypgeom_erf(m, m, prec);
        acb_mul(a, a, m, prec);
        arb_clear(r);
        break;
    }
    case FY_NNFT_RELU:
        /* used on u >= 0 only, where relu(z1) = z1 */
        if (arb_is_zero(q->b))
        {
            if (arb_is_positive(q->c))
                acb_mul(a, a, m, prec);
            else
                acb_zero(a);
        }
        else
        {
            /* m Phi(m / b) + b phi(m / b), Phi(t) = erfc(-t / sqrt 2) / 2 */
            arb_t r2;
            arb_init(r2);
            acb_div_arb(t, m, q->b, prec);
            fy_nnft_acb_normal_density(w, t, prec);
            acb_mul_arb(w, w, q->b, prec);
            arb_sqrt_ui(r2, 2, prec);
            acb_div_arb(t, t, r2, prec);
            acb_neg(t, t);
            acb_hypgeom_erfc(t, t, prec);
            acb_mul_2exp_si(t, t, -1);
            acb_mul(t, t, m, prec);
            acb_add(t, t, w, prec);
            acb_mul(a, a, t, prec);
            arb_clear(r2);
        }
        break;
    case FY_NNFT_GAUSS:
        acb_add(a, a, m, prec);
        acb_sub_arb(a, a, q->shift, prec);
        acb_exp(a, a, prec);
        break;
    case FY_NNFT_SIN:
    {
        arb_t e;
        arb_init(e);
        acb_sin(a, a, prec);
        acb_sin(m, m, prec);
        acb_mul(a, a, m, prec);
        arb_sqr(e, q->b, prec);
        arb_mul_2exp_si(e, e, -1);
        arb_neg(e, e);
        arb_exp(e, e, prec);
        acb_mul_arb(a, a, e, prec);
        arb_clear(e);
        break;
    }
    case FY_NNFT_COS:
        /* (1/2) E cos(w . (x - y)): here s1 is the scale of w . (x - y), the rest unused */
        acb_cos(a, a, prec);
        acb_mul_2exp_si(a, a, -1);
        break;
    default:
        acb_indeterminate(a);
        break;
    }
    fy_nnft_acb_normal_density(w, u, prec);
    acb_mul(res, a, w, prec);
    acb_clear(a);
    acb_clear(m);
    acb_clear(t);
    acb_clear(w);
    return 0;
}

int fy_nnft_kernel_quad(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                        fy_error_t err)
{
    quad_param q;
    arb_t s11, s22, s12, t;
    acb_t lo, hi, res;
    mag_t tol;
    int rc;
    if ((rc = check_points(s, i, j, err)) != FY_OK)
        return rc;
    if (fy_nnft_is_euclid(s))
        return fy_error_set(err, FY_EUNSUPPORTED, "no quadrature route for the input layer "
                            "b_dist %s, F %s: fy_nnft_kernel is its closed form or radial "
                            "integral (second route: fy_nnft_euclid_mc_g2)",
                            fy_nnft_bdist_name(s->b_dist), fy_nnft_ampl_name(s->F));
    if (s->act == FY_NNFT_TANH)
        return fy_error_set(err, FY_EUNSUPPORTED, "no second route for the tanh kernel: "
                            "fy_nnft_kernel already integrates over the two-dimensional "
                            "pre-activation Gaussian (E tanh(m + b v) has no closed form)");
    q.act = s->act;
    arb_init(q.s1);
    arb_init(q.c);
    arb_init(q.b);
    arb_init(q.shift);
    arb_init(s11);
    arb_init(s22);
    arb_init(s12);
    arb_init(t);
    acb_init(lo);
    acb_init(hi);
    acb_init(res);
    mag_init(tol);
    if (s->act == FY_NNFT_COS)
    {
        /* w . (x - y) ~ N(0, sigma_W^2 |x - y|^2 / d) */
        fy_nnft_dist2(s11, s, i, j, prec);
        arb_set_fmpq(t, s->sigma_W, prec);
        arb_sqr(t, t, prec);
        arb_mul(s11, s11, t, prec);
        arb_div_si(s11, s11, s->d, prec);
        arb_sqrt(q.s1, s11, prec);
    }
    else
    {
        fmpq_t q11, q22, q12, qb;
        fmpq_init(q11);
        fmpq_init(q22);
        fmpq_init(q12);
        fmpq_init(qb);
        sigma_q(q11, s, i, i);
        sigma_q(q22, s, j, j);
        sigma_q(q12, s, i, j);
        if (fmpq_is_zero(q11))
            fmpq_swap(q11, q22);
        if (!fmpq_is_zero(q11))
        {
            /* b^2 = S22 - S12^2 / S11, exactly */
            fmpq_mul(qb, q12, q12);
            fmpq_div(qb, qb, q11);
            fmpq_sub(qb, q22, qb);
        }
        arb_set_fmpq(s11, q11, prec);
        arb_set_fmpq(s22, q22, prec);
        arb_set_fmpq(s12, q12, prec);
        if (fmpq_is_zero(q11))
        {
            /* both pre-activations vanish: z1 = z2 = 0 */
            arb_zero(q.s1);
            arb_zero(q.c);
            arb_zero(q.b);
        }
        else
        {
            arb_sqrt(q.s1, s11, prec);
            arb_div(q.c, s12, q.s1, prec);
            arb_set_fmpq(t, qb, prec);
            arb_sqrt(q.b, t, prec);
        }
        fmpq_clear(q11);
        fmpq_clear(q22);
        fmpq_clear(q12);
        fmpq_clear(qb);
        arb_add(q.shift, s11, s22, prec);
        arb_sqr(t, q.b, prec);
        arb_mul_2exp_si(t, t, -1);
        arb_sub(q.shift, q.shift, t, prec);
    }
    acb_set_si(lo, s->act == FY_NNFT_RELU ? 0 : -40);
    acb_set_si(hi, 40);
    mag_set_ui_2exp_si(tol, 1, -prec);
    acb_calc_integrate(res, quad_f, &q, lo, hi, prec, tol, NULL, prec);
    if (!arb_is_finite(acb_realref(res)))
        rc = fy_error_set(err, FY_ECHECK, "kernel quadrature did not converge");
    else
    {
        arb_set_fmpq(t, s->sigma_a, prec);
        arb_sqr(t, t, prec);
        arb_mul(K, acb_realref(res), t, prec);
        fy_nnft_bias_var(t, s, prec);
        arb_add(K, K, t, prec);
    }
    arb_clear(q.s1);
    arb_clear(q.c);
    arb_clear(q.b);
    arb_clear(q.shift);
    arb_clear(s11);
    arb_clear(s22);
    arb_clear(s12);
    arb_clear(t);
    acb_clear(lo);
    acb_clear(hi);
    acb_clear(res);
    mag_clear(tol);
    return rc;
}

/* ------------------------------------------------------------------ rank-one moments
 * When every pre-activation is a multiple of one standard normal u (coincident points, or
 * d = 1 without biases: z_k = sigma_W x_k w), E prod phi(z_k) = int prod phi(c_k u) w(u) du,
 * one integral; ReLU is split at u = 0 where it is linear on each side. */
typedef struct
{
    fy_nnft_act_t act;
    int m;
    int side; /* the piece: -1 for u <= 0, +1 for u >= 0 */
    arb_srcptr c;
} rank1_param;

static int rank1_f(acb_ptr res, const acb_t u, void *param, slong order, slong prec)
{
    rank1_param *q = param;
    acb_t t, p;
    int k;
    (void) order; /* entire on each piece */
    acb_init(t);
    acb_init(p);
    acb_one(p);
    for (k = 0; k < q->m; k++)
    {
        acb_mul_arb(t, u, q->c + k, prec);
        switch (q->act)
        {
        case FY_NNFT_ERF:
            acb_hypgeom_erf(t, t, prec);
            break;
        case FY_NNFT_TANH:
            acb_tanh(t, t, prec);
            break;
        case FY_NNFT_SIN:
            acb_sin(t, t, prec);
            break;
        case FY_NNFT_RELU:
            /* on a piece where c_k u >= 0 this is the entire function c_k u, else 0 */
            if (q->side * arf_sgn(arb_midref(q->c + k)) < 0)
                acb_zero(t);
            break;
        default:
            acb_indeterminate(t);
            break;
        }
        acb_mul(p, p, t, prec);
    }
    fy_nnft_acb_normal_density(t, u, prec);
    acb_mul(res, p, t, prec);
    acb_clear(t);
    acb_clear(p);
    return 0;
}

int fy_nnft_moment_quad(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int m, slong prec,
                        fy_error_t err)
{
    rank1_param q;
    arb_ptr c;
    acb_t lo, hi, res, part;
    mag_t tol;
    int k, same = 1, rc = FY_OK;
    slong j;
    if (m < 1 || m > 8)
        return fy_error_set(err, FY_EINPUT, "moment order %d: 1..8", m);
    for (k = 0; k < m; k++)
    {
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index out of range");
        for (j = 0; j < s->d; j++)
            same &= fmpq_equal(s->points + idx[k] * s->d + j, s->points + idx[0] * s->d + j);
    }
    if (s->act != FY_NNFT_ERF && s->act != FY_NNFT_TANH && s->act != FY_NNFT_SIN
        && s->act != FY_NNFT_RELU)
        return fy_error_set(err, FY_EUNSUPPORTED, "moment quadrature is for erf, tanh, sin, "
                            "relu (%s has closed forms)", fy_nnft_act_name(s->act));
    if (!same && !(s->d == 1 && fmpq_is_zero(s->sigma_b)))
        return fy_error_set(err, FY_EUNSUPPORTED, "single-neuron moments of order %d of %s at "
                            "distinct points need a two-dimensional Gaussian integral (not "
                            "yet; exact only at coincident points or for d = 1 without "
                            "biases); use feynn nnft sample", m, fy_nnft_act_name(s->act));
    c = _arb_vec_init(m);
    for (k = 0; k < m; k++)
    {
        if (same)
        {
            fy_nnft_sigma(c + k, s, idx[0], idx[0], prec);
            arb_sqrt(c + k, c + k, prec);
        }
        else
        {
            arb_set_fmpq(c + k, s->points + idx[k], prec);
            arb_set_fmpq(mu, s->sigma_W, prec);
            arb_mul(c + k, c + k, mu, prec);
        }
    }
    q.act = s->act;
    q.m = m;
    q.c = c;
    acb_init(lo);
    acb_init(hi);
    acb_init(res);
    acb_init(part);
    mag_init(tol);
    mag_set_ui_2exp_si(tol, 1, -prec);
    acb_set_si(lo, -40);
    acb_set_si(hi, 0);
    q.side = -1;
    acb_calc_integrate(res, rank1_f, &q, lo, hi, prec, tol, NULL, prec);
    acb_set_si(lo, 0);
    acb_set_si(hi, 40);
    q.side = 1;
    acb_calc_integrate(part, rank1_f, &q, lo, hi, prec, tol, NULL, prec);
    acb_add(res, res, part, prec);
    if (!arb_is_finite(acb_realref(res)))
        rc = fy_error_set(err, FY_ECHECK, "moment quadrature did not converge");
    else
    {
        /* times E (sqrt(N) a)^m = sigma_a^m (m - 1)!! (K / 3)^(m/2 - 1), m even */
        arb_set(mu, acb_realref(res));
        if (m & 1)
            arb_zero(mu);
        else
        {
            arb_t w, kk;
            arb_init(w);
            arb_init(kk);
            arb_set_fmpq(w, s->sigma_a, prec);
            arb_pow_ui(w, w, (ulong) m, prec);
            arb_mul(mu, mu, w, prec);
            for (k = m - 1; k > 1; k -= 2)
                arb_mul_si(mu, mu, k, prec);
            arb_set_fmpq(kk, s->kurtosis, prec);
            arb_div_ui(kk, kk, 3, prec);
            arb_pow_ui(kk, kk, (ulong) (m / 2 - 1), prec);
            arb_mul(mu, mu, kk, prec);
            arb_clear(w);
            arb_clear(kk);
        }
    }
    _arb_vec_clear(c, m);
    acb_clear(lo);
    acb_clear(hi);
    acb_clear(res);
    acb_clear(part);
    mag_clear(tol);
    return rc;
}
