/* euclid.c - fields from neurons ([H], issue 14): the Euclidean-invariant input layer
 * l(x) = F(b) cos(b . x + c), its radial functions, power spectra, kernels and single-neuron
 * moments (feynn/nnft.h, "fields from neurons").
 *
 * Everything rests on one average: with c ~ U[-pi, pi], E_c prod_k cos(t_k + c) =
 * 2^(1-M) sum over sign vectors s with s_1 = +1 and sum s = 0 of cos(sum_k s_k t_k) (every
 * other term carries e^(i j c), j != 0), so a single-neuron moment is a sum of
 * R_M(|sum_k s_k x_k|) with the radial function R_M(r) = E_b[F(b)^M cos(b . y)], |y| = r.
 * R_M is a closed form (Gaussian b, the ball with F = 1, the Lorentzian) or a rigorous
 * one-dimensional radial integral whose angular average is the Bessel-type entire function
 * 0F1(; d/2; -k^2 r^2 / 4) (the ball with F = 1/sqrt(b^2 + m^2)). */
#include "num/arb_all.h"
#include <stdlib.h>
#include <string.h>

#include "feynn/util.h"
#include "nnft/nnft_internal.h"

#define EUCLID_MAX_M 16

static const char *const bdist_names[FY_NNFT_NBDIST] = {"gauss", "ball", "lorentz", "user"};
static const char *const ampl_names[FY_NNFT_NAMPL] = {"one", "prop", "user"};

const char *fy_nnft_bdist_name(fy_nnft_bdist_t b)
{
    return (b >= 0 && b < FY_NNFT_NBDIST) ? bdist_names[b] : "?";
}

int fy_nnft_bdist_parse(fy_nnft_bdist_t *b, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NBDIST; i++)
        if (strcmp(name, bdist_names[i]) == 0)
            return *b = (fy_nnft_bdist_t) i, 0;
    if (strcmp(name, "gaussian") == 0)
        return *b = FY_NNFT_B_GAUSS, 0;
    if (strcmp(name, "cauchy") == 0 || strcmp(name, "lorentzian") == 0)
        return *b = FY_NNFT_B_LORENTZ, 0;
    return -1;
}

const char *fy_nnft_ampl_name(fy_nnft_ampl_t f)
{
    return (f >= 0 && f < FY_NNFT_NAMPL) ? ampl_names[f] : "?";
}

int fy_nnft_ampl_parse(fy_nnft_ampl_t *f, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NAMPL; i++)
        if (strcmp(name, ampl_names[i]) == 0)
            return *f = (fy_nnft_ampl_t) i, 0;
    if (strcmp(name, "1") == 0)
        return *f = FY_NNFT_F_ONE, 0;
    if (strcmp(name, "propagator") == 0)
        return *f = FY_NNFT_F_PROP, 0;
    return -1;
}

int fy_nnft_is_euclid(const fy_nnft_spec_t s)
{
    return s->act == FY_NNFT_COS && (s->b_dist != FY_NNFT_B_GAUSS || s->F != FY_NNFT_F_ONE
                                     || !fmpq_is_zero(s->a_mean) || !fmpq_is_one(s->phase)
                                     || s->g != FY_NNFT_G_IDENTITY);
}

int fy_nnft_has_odd(const fy_nnft_spec_t s)
{
    /* qft3: a deeper g takes the all-partition route too (its neurons share the input layer) */
    return s->act == FY_NNFT_COS && ((!fmpq_is_zero(s->a_mean) && !fmpq_is_one(s->phase))
                                     || s->g != FY_NNFT_G_IDENTITY);
}

/* ------------------------------------------------------------------ radial functions */
/* The ball with F = 1: 0F1(; d/2 + 1; -Lambda^2 r^2 / 4). */
static void radial_ball_one(arb_t R, const fy_nnft_spec_t s, const fmpq_t r2, slong prec)
{
    acb_t a, z;
    arb_t t;
    acb_init(a);
    acb_init(z);
    arb_init(t);
    acb_set_si(a, s->d + 2);
    acb_mul_2exp_si(a, a, -1);
    arb_set_fmpq(t, s->Lambda, prec);
    arb_sqr(t, t, prec);
    arb_mul_fmpz(t, t, fmpq_numref(r2), prec);
    arb_div_fmpz(t, t, fmpq_denref(r2), prec);
    arb_mul_2exp_si(t, t, -2);
    arb_neg(t, t);
    acb_set_arb(z, t);
    acb_hypgeom_0f1(z, a, z, 0, prec);
    arb_set(R, acb_realref(z));
    acb_clear(a);
    acb_clear(z);
    arb_clear(t);
}

/* The ball with F = 1/sqrt(b^2 + m^2): the integrand k^(d-1) 0F1(; d/2; -k^2 r^2/4)
 * (k^2 + m^2)^(-n), meromorphic (poles at +-i m), so division by a ball holding 0 makes the
 * value non-finite and the integrator subdivides. */
typedef struct
{
    slong d;
    int M;       /* (k^2 + m^2)^(-M/2), or F user ^ M */
    acb_t a;     /* d / 2 */
    arb_t q;     /* r^2 / 4 */
    arb_t m2;    /* m^2 */
    const fmpq_poly_struct *dens; /* qft3: the density's piece (NULL: 1) */
    const fmpq_poly_struct *fpol; /* qft3: F user's piece (NULL: F one or prop) */
    int prop;    /* F prop */
    int wmode;   /* qft14: the law's weight: 0 none, 1 exp(-w k^2) (Gaussian), 2 1/(k^2 + m^2) */
    arb_t w;     /* qft14: d / (2 sigma_W^2) for wmode 1 */
    arb_t tau;   /* qft14: rho(p, tau): the time */
    arb_t p2;    /* qft14: rho(p, tau): |p|^2 of the spatial momentum */
    int rho;     /* qft14: integrate rho_user_f (in p_0), not ball_f (in k) */
} ball_param;

/* qft3: a rational polynomial at a complex ball (Arb's integer-polynomial evaluation of the
 * numerator, divided by the denominator). */
static void poly_eval_acb(acb_t y, const fmpq_poly_t p, const acb_t k, slong prec)
{
    if (fmpq_poly_length(p) == 0)
    {
        acb_zero(y);
        return;
    }
    _arb_fmpz_poly_evaluate_acb(y, p->coeffs, p->length, k, prec);
    acb_div_fmpz(y, y, p->den, prec);
}

/* z times the law's shape at |b| = k (k2 = k^2): the weight (qft14), the density's piece,
 * F^M (F user's piece, or (k^2 + m^2)^(-M/2)); k2 is overwritten. */
static void shape_mul(acb_t z, ball_param *p, const acb_t k, acb_t k2, slong order,
                      slong prec)
{
    acb_t t;
    acb_init(t);
    if (p->wmode == 1) /* qft14: exp(-w k^2), entire */
    {
        acb_mul_arb(t, k2, p->w, prec);
        acb_neg(t, t);
        acb_exp(t, t, prec);
        acb_mul(z, z, t, prec);
    }
    else if (p->wmode == 2) /* qft14: 1/(k^2 + m^2), poles off the path */
    {
        acb_add_arb(t, k2, p->m2, prec);
        acb_div(z, z, t, prec);
    }
    if (p->dens != NULL)
    {
        poly_eval_acb(t, p->dens, k, prec);
        acb_mul(z, z, t, prec);
    }
    if (p->fpol != NULL && p->M > 0)
    {
        poly_eval_acb(t, p->fpol, k, prec);
        acb_pow_ui(t, t, (ulong) p->M, prec);
        acb_mul(z, z, t, prec);
    }
    else if (p->prop && p->M > 0)
    {
        acb_add_arb(t, k2, p->m2, prec);
        if (p->M & 1)
        {
            /* odd M (the Z2 switch): a square root, analytic off its branch cut only */
            acb_rsqrt_analytic(k2, t, order != 0, prec);
            acb_pow_ui(t, t, (ulong) (p->M / 2), prec);
            acb_div(z, z, t, prec);
            acb_mul(z, z, k2, prec);
        }
        else
        {
            acb_pow_ui(t, t, (ulong) (p->M / 2), prec);
            acb_div(z, z, t, prec);
        }
    }
    acb_clear(t);
}

static int ball_f(acb_ptr res, const acb_t k, void *param, slong order, slong prec)
{
    ball_param *p = param;
    acb_t k2, z, t;
    /* meromorphic for even M: poles show up as non-finite balls */
    acb_init(k2);
    acb_init(z);
    acb_init(t);
    acb_sqr(k2, k, prec);
    acb_mul_arb(z, k2, p->q, prec);
    acb_neg(z, z);
    acb_hypgeom_0f1(z, p->a, z, 0, prec);
    if (p->d > 1)
    {
        acb_pow_ui(t, k, (ulong) (p->d - 1), prec);
        acb_mul(z, z, t, prec);
    }
    shape_mul(z, p, k, k2, order, prec);
    acb_set(res, z);
    acb_clear(k2);
    acb_clear(z);
    acb_clear(t);
    return 0;
}

/* qft14: rho(p, tau)'s integrand cos(p_0 tau) P F^2 at |b| = q = sqrt(p_0^2 + p^2) (up to
 * the constant): q is p_0 itself at p = 0, else the analytic square root (branch points at
 * p_0 = +-i p, off the real path). */
static int rho_user_f(acb_ptr res, const acb_t z, void *param, slong order, slong prec)
{
    ball_param *p = param;
    acb_t q, q2, c;
    acb_init(q);
    acb_init(q2);
    acb_init(c);
    acb_sqr(q2, z, prec);
    if (arb_is_zero(p->p2))
        acb_set(q, z);
    else
    {
        acb_add_arb(q2, q2, p->p2, prec);
        acb_sqrt_analytic(q, q2, order != 0, prec);
    }
    acb_mul_arb(c, z, p->tau, prec);
    acb_cos(c, c, prec);
    shape_mul(c, p, q, q2, order, prec);
    acb_set(res, c);
    acb_clear(q);
    acb_clear(q2);
    acb_clear(c);
    return 0;
}

/* int_lo^hi of ball_f, added to acc; for rho(p, tau) (qft14: p->tau set) the integral of
 * rho_user_f over the p_0 with lo <= sqrt(p_0^2 + p^2) <= hi. */
static int quad_piece(arb_t acc, ball_param *p, const fmpq_t lo, const fmpq_t hi, slong prec,
                      fy_error_t err)
{
    acb_t a, b, res;
    mag_t tol;
    int rc = FY_OK;
    acb_init(a);
    acb_init(b);
    acb_init(res);
    mag_init(tol);
    arb_set_fmpq(acb_realref(a), lo, prec);
    arb_set_fmpq(acb_realref(b), hi, prec);
    mag_set_ui_2exp_si(tol, 1, -prec);
    if (p->rho) /* qft14: p_0 = sqrt(k^2 - p^2) at the ends */
    {
        arb_sqr(acb_realref(a), acb_realref(a), prec);
        arb_sub(acb_realref(a), acb_realref(a), p->p2, prec);
        arb_sqr(acb_realref(b), acb_realref(b), prec);
        arb_sub(acb_realref(b), acb_realref(b), p->p2, prec);
        if (!arb_is_positive(acb_realref(b)))
            acb_zero(b);
        if (!arb_is_positive(acb_realref(a)))
            acb_zero(a);
        arb_sqrtpos(acb_realref(a), acb_realref(a), prec);
        arb_sqrtpos(acb_realref(b), acb_realref(b), prec);
        if (acb_is_zero(b))
            acb_zero(res);
        else
            acb_calc_integrate(res, rho_user_f, p, a, b, prec, tol, NULL, prec + 10);
    }
    else
        acb_calc_integrate(res, ball_f, p, a, b, prec, tol, NULL, prec + 10);
    if (!acb_is_finite(res))
        rc = fy_error_set(err, FY_ECHECK, "the radial integral (d = %ld, M = %d) did not "
                          "converge; try fewer digits", (long) p->d, p->M);
    else
        arb_add(acc, acc, acb_realref(res), prec);
    acb_clear(a);
    acb_clear(b);
    acb_clear(res);
    mag_clear(tol);
    return rc;
}

/* The ball_param of a spec for the quadratures of order M (fmode 0, 1, 2: F one, prop, user);
 * qft14: the Gaussian and Lorentzian laws as weights (with F user). */
static void qparam_init(ball_param *p, const fy_nnft_spec_t s, int M, int fmode, slong prec)
{
    memset(p, 0, sizeof *p);
    p->d = s->d;
    p->M = M;
    p->prop = fmode == 1;
    acb_init(p->a);
    arb_init(p->q);
    arb_init(p->m2);
    arb_init(p->w);
    arb_init(p->tau);
    arb_init(p->p2);
    acb_set_si(p->a, s->d);
    acb_mul_2exp_si(p->a, p->a, -1);
    arb_set_fmpq(p->m2, s->mass, prec);
    arb_sqr(p->m2, p->m2, prec);
    if (s->b_dist == FY_NNFT_B_GAUSS) /* exp(-d k^2 / (2 sigma_W^2)) */
    {
        p->wmode = 1;
        arb_set_fmpq(p->w, s->sigma_W, prec);
        arb_sqr(p->w, p->w, prec);
        arb_mul_2exp_si(p->w, p->w, 1);
        arb_inv(p->w, p->w, prec);
        arb_mul_si(p->w, p->w, s->d, prec);
    }
    else if (s->b_dist == FY_NNFT_B_LORENTZ) /* 1/(k^2 + m^2) */
        p->wmode = 2;
}

static void qparam_clear(ball_param *p)
{
    acb_clear(p->a);
    arb_clear(p->q);
    arb_clear(p->m2);
    arb_clear(p->w);
    arb_clear(p->tau);
    arb_clear(p->p2);
}

/* The quadrature over every interval between the knots of the law of b and of F, added to
 * acc: the ball is p = 1 on [0, Lambda], b_dist user its pieces (qft3); with F user
 * (fmode 2, M > 0) only the overlaps with F's pieces count (F = 0 off them), and a Gaussian
 * or Lorentzian law (qft14: a weight on [0, inf)) counts on F's pieces alone.  Z is set to
 * the law's radial mass int_0^inf k^(d-1) w(k) p(k) dk: exact (Zq) for the compact laws,
 * else (Gaussian: Gamma(d/2) / (2 w^(d/2)); Lorentzian: pi / (2 m)) a ball in Za. */
static int quad_pieces(arb_t acc, fmpq_t Zq, arb_t Za, ball_param *p,
                       const fy_nnft_spec_t s, int fmode, slong prec, fy_error_t err)
{
    fy_nnft_ppoly_t ball;
    const fy_nnft_ppoly_struct *P = s->b_density, *F = s->F_user;
    fmpq_t lo, hi;
    fmpq_poly_t one;
    arb_t hw;
    slong j, i;
    int rc = FY_OK;
    arb_init(hw);
    fy_nnft_ppoly_init(ball);
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_poly_init(one);
    fmpq_poly_one(one);
    if (p->wmode != 0) /* qft14: a law on [0, inf) with F user's pieces */
        P = F;
    else if (s->b_dist == FY_NNFT_B_BALL)
    {
        rc = fy_nnft_ppoly_append(ball, lo, s->Lambda, one, 0, err);
        P = ball;
    }
    for (j = 0; j < P->n && rc == FY_OK; j++)
    {
        p->dens = s->b_dist == FY_NNFT_B_USER ? P->p + j : NULL;
        if (p->wmode != 0)
            p->fpol = F->p + j;
        if (p->wmode != 0 || fmode != 2 || p->M == 0)
        {
            rc = quad_piece(acc, p, P->lo + j, P->hi + j, prec, err);
            continue;
        }
        /* F user: F = 0 off its pieces, so only the overlaps count (M > 0) */
        for (i = 0; i < F->n && rc == FY_OK; i++)
        {
            fmpq_set(lo, fmpq_cmp(P->lo + j, F->lo + i) > 0 ? P->lo + j : F->lo + i);
            fmpq_set(hi, fmpq_cmp(P->hi + j, F->hi + i) < 0 ? P->hi + j : F->hi + i);
            if (fmpq_cmp(lo, hi) >= 0)
                continue;
            p->fpol = F->p + i;
            rc = quad_piece(acc, p, lo, hi, prec, err);
        }
    }
    if (rc == FY_OK && p->wmode == 0)
    {
        fy_nnft_ppoly_moment(Zq, P, s->d - 1);
        if (fmpq_sgn(Zq) <= 0)
            rc = fy_error_set(err, FY_EINPUT, "the density of b has no mass");
    }
    else if (rc == FY_OK && p->wmode == 1)
    {
        arb_set_si(Za, s->d);
        arb_mul_2exp_si(Za, Za, -1);
        arb_pow(hw, p->w, Za, prec);
        arb_gamma(Za, Za, prec);
        arb_div(Za, Za, hw, prec);
        arb_mul_2exp_si(Za, Za, -1);
    }
    else if (rc == FY_OK)
    {
        arb_const_pi(Za, prec);
        arb_sqrt(hw, p->m2, prec);
        arb_div(Za, Za, hw, prec);
        arb_mul_2exp_si(Za, Za, -1);
    }
    arb_clear(hw);
    fy_nnft_ppoly_clear(ball);
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_poly_clear(one);
    return rc;
}

/* The compact laws (the ball, b_dist user) with F one, prop or user (fmode 0, 1, 2), and
 * (qft14) the Gaussian and Lorentzian laws with F user:
 * int k^(d-1) w(k) p(k) F(k)^M 0F1(; d/2; -k^2 r^2/4) dk / int k^(d-1) w(k) p(k) dk. */
static int radial_quad_at(arb_t R, const fy_nnft_spec_t s, int M, int fmode, const fmpq_t r2,
                          slong prec, fy_error_t err)
{
    ball_param p;
    arb_t acc, Za;
    fmpq_t Zq;
    int rc;
    qparam_init(&p, s, M, fmode, prec);
    arb_init(acc);
    arb_init(Za);
    fmpq_init(Zq);
    arb_set_fmpq(p.q, r2, prec);
    arb_mul_2exp_si(p.q, p.q, -2);
    if ((rc = quad_pieces(acc, Zq, Za, &p, s, fmode, prec, err)) == FY_OK && p.wmode == 0)
    {
        arb_mul_fmpz(R, acc, fmpq_denref(Zq), prec);
        arb_div_fmpz(R, R, fmpq_numref(Zq), prec);
    }
    else if (rc == FY_OK)
        arb_div(R, acc, Za, prec);
    qparam_clear(&p);
    arb_clear(acc);
    arb_clear(Za);
    fmpq_clear(Zq);
    return rc;
}

/* qft14: at large k r the integrand oscillates and grows like e^(k_max r |Im|) on the
 * integrator's complex ellipses, so a fixed precision loses about k_max r / ln 2 bits (at 64
 * bits the balls of R_4 at r = 32 were 1e5 wide, so that nnft os saw G4_c "grow" to 1e37).
 * When the ball comes back wider than 2^(-prec/2), the quadrature is redone at twice the
 * working precision (up to 16 prec); results that were accurate are left as they were. */
static int radial_quad(arb_t R, const fy_nnft_spec_t s, int M, int fmode, const fmpq_t r2,
                       slong prec, fy_error_t err)
{
    slong wp = prec;
    int rc = radial_quad_at(R, s, M, fmode, r2, prec, err);
    while (rc == FY_OK && wp < 16 * prec && mag_cmp_2exp_si(arb_radref(R), -prec / 2) > 0)
    {
        wp *= 2;
        rc = radial_quad_at(R, s, M, fmode, r2, wp, err);
    }
    if (rc == FY_OK && wp != prec)
        arb_set_round(R, R, prec);
    return rc;
}

/* Lorentzian b in d = 1 with F^M = (b^2 + m^2)^(-n), n = M/2 (n = 0 for F = 1):
 * (m / pi) int e^(i b r) (b^2 + m^2)^-(n+1) db, by the residue at b = i m,
 * = (2 m / n!) e^(-m r) sum_(j <= n) C(n, j) r^(n-j) ((n+j)! / n!) (2m)^-(n+1+j). */
static void radial_lorentz(arb_t R, const fy_nnft_spec_t s, int n, const fmpq_t r2,
                           slong prec)
{
    arb_t r, m, tm, term, acc, e;
    fmpz_t c;
    int j;
    arb_init(r);
    arb_init(m);
    arb_init(tm);
    arb_init(term);
    arb_init(acc);
    arb_init(e);
    fmpz_init(c);
    arb_set_fmpq(r, r2, prec);
    arb_sqrtpos(r, r, prec);
    arb_set_fmpq(m, s->mass, prec);
    arb_mul_2exp_si(tm, m, 1);
    arb_zero(acc);
    for (j = 0; j <= n; j++)
    {
        /* C(n, j) (n+j)! / n! = C(n, j) (n+1)(n+2)..(n+j) */
        fmpz_bin_uiui(c, (ulong) n, (ulong) j);
        arb_set_fmpz(term, c);
        {
            int k;
            for (k = 1; k <= j; k++)
                arb_mul_si(term, term, n + k, prec);
        }
        arb_pow_ui(e, r, (ulong) (n - j), prec);
        arb_mul(term, term, e, prec);
        arb_pow_ui(e, tm, (ulong) (n + 1 + j), prec);
        arb_div(term, term, e, prec);
        arb_add(acc, acc, term, prec);
    }
    arb_mul(acc, acc, tm, prec);
    for (j = 2; j <= n; j++)
        arb_div_si(acc, acc, j, prec);
    arb_mul(e, m, r, prec);
    arb_neg(e, e);
    arb_exp(e, e, prec);
    arb_mul(R, acc, e, prec);
    arb_clear(r);
    arb_clear(m);
    arb_clear(tm);
    arb_clear(term);
    arb_clear(acc);
    arb_clear(e);
    fmpz_clear(c);
}

int fy_nnft_euclid_radial(arb_t R, const fy_nnft_spec_t s, int M, const fmpq_t r2,
                          slong prec, fy_error_t err)
{
    if (M < 0 || M > EUCLID_MAX_M)
        return fy_error_set(err, FY_EINPUT, "radial functions of order 0..%d, not %d",
                            EUCLID_MAX_M, M);
    if (fmpq_sgn(r2) < 0)
        return fy_error_set(err, FY_EINPUT, "a squared distance must be >= 0");
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "radial functions belong to the input layer "
                            "F(b) cos(b . x + c) (activation cos), not to %s",
                            fy_nnft_act_name(s->act));
    if (s->F == FY_NNFT_F_ONE || M == 0)
    {
        switch (s->b_dist)
        {
        case FY_NNFT_B_GAUSS:
        {
            /* exp(-sigma_W^2 r^2 / (2 d)) */
            fmpq_t e;
            fmpq_init(e);
            fmpq_mul(e, s->sigma_W, s->sigma_W);
            fmpq_mul(e, e, r2);
            fmpq_div_2exp(e, e, 1);
            fmpq_neg(e, e);
            arb_set_fmpq(R, e, prec);
            arb_div_si(R, R, s->d, prec);
            arb_exp(R, R, prec);
            fmpq_clear(e);
            return FY_OK;
        }
        case FY_NNFT_B_BALL:
            radial_ball_one(R, s, r2, prec);
            return FY_OK;
        case FY_NNFT_B_LORENTZ:
            radial_lorentz(R, s, 0, r2, prec);
            return FY_OK;
        case FY_NNFT_B_USER:
            return radial_quad(R, s, M, 0, r2, prec, err);
        default:
            break;
        }
    }
    else if (s->F == FY_NNFT_F_USER) /* every law (qft14: Gaussian, Lorentzian too) */
        return radial_quad(R, s, M, 2, r2, prec, err);
    else
        switch (s->b_dist)
        {
        case FY_NNFT_B_BALL:
        case FY_NNFT_B_USER:
            return radial_quad(R, s, M, 1, r2, prec, err);
        case FY_NNFT_B_LORENTZ:
            if (M & 1)
                return fy_error_set(err, FY_EUNSUPPORTED, "odd moments of the Lorentzian layer "
                                    "with F = 1/sqrt(b^2 + m^2) (a branch point, not a pole): "
                                    "not yet; use F one or b_dist ball");
            radial_lorentz(R, s, M / 2, r2, prec);
            return FY_OK;
        case FY_NNFT_B_GAUSS:
            return fy_error_set(err, FY_EUNSUPPORTED, "Gaussian b with F = 1/sqrt(b^2 + m^2) "
                                "has no exact radial function here yet (use b_dist ball or "
                                "lorentz, or F one)");
        default:
            break;
        }
    return fy_error_set(err, FY_EINPUT, "unknown b_dist %d or F %d", s->b_dist, s->F);
}

/* sigma_a^2, or for the linear deeper g sigma_g^2 E[S] (qft3): G2 = (this / 2) R_2. */
static int g2_scale(arb_t a2, const fy_nnft_spec_t s, slong prec, fy_error_t err)
{
    int rc;
    if (!fy_nnft_euclid_deep(s))
    {
        arb_set_fmpq(a2, s->sigma_a, prec);
        arb_sqr(a2, a2, prec);
        return FY_OK;
    }
    if (s->g_act != FY_NNFT_GACT_LINEAR || !fmpq_is_zero(s->sigma_gb))
        return fy_error_set(err, FY_EUNSUPPORTED, "the exact G2 of a deeper g needs g_act "
                            "linear and sigma_gb 0; for g_act %s use the Monte Carlo "
                            "(fy_nnft_euclid_mc_g2)",
                            fy_nnft_gact_name((fy_nnft_gact_t) s->g_act));
    if ((rc = fy_nnft_euclid_deep_smoment(a2, s, 1, prec, err)) != FY_OK)
        return rc;
    {
        arb_t t;
        arb_init(t);
        arb_set_fmpq(t, s->sigma_g, prec);
        arb_sqr(t, t, prec);
        arb_mul(a2, a2, t, prec);
        arb_clear(t);
    }
    return FY_OK;
}

int fy_nnft_euclid_g2(arb_t G, const fy_nnft_spec_t s, const fmpq_t r2, slong prec,
                      fy_error_t err)
{
    arb_t a2;
    int rc = fy_nnft_euclid_radial(G, s, 2, r2, prec, err);
    if (rc != FY_OK)
        return rc;
    arb_init(a2);
    if ((rc = g2_scale(a2, s, prec, err)) != FY_OK)
    {
        arb_clear(a2);
        return rc;
    }
    arb_mul(G, G, a2, prec);
    arb_mul_2exp_si(G, G, -1);
    arb_clear(a2);
    return FY_OK;
}

/* ------------------------------------------------------------------ power spectrum */
/* The density P(p) of b at |p| = p (for the ball, inside). */
static void density_b(arb_t P, const fy_nnft_spec_t s, const arb_t p, slong prec)
{
    arb_t t, u;
    arb_init(t);
    arb_init(u);
    switch (s->b_dist)
    {
    case FY_NNFT_B_GAUSS:
        /* (2 pi s2)^(-d/2) exp(-p^2 / (2 s2)), s2 = sigma_W^2 / d */
        arb_set_fmpq(t, s->sigma_W, prec);
        arb_sqr(t, t, prec);
        arb_div_si(t, t, s->d, prec);
        arb_sqr(u, p, prec);
        arb_div(u, u, t, prec);
        arb_mul_2exp_si(u, u, -1);
        arb_neg(u, u);
        arb_exp(P, u, prec);
        arb_const_pi(u, prec);
        arb_mul(t, t, u, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_rsqrt(t, t, prec);
        arb_pow_ui(t, t, (ulong) s->d, prec);
        arb_mul(P, P, t, prec);
        break;
    case FY_NNFT_B_BALL:
        /* 1 / vol = Gamma(d/2 + 1) / (pi^(d/2) Lambda^d) */
        arb_set_si(t, s->d + 2);
        arb_mul_2exp_si(t, t, -1);
        arb_gamma(P, t, prec);
        arb_const_pi(u, prec);
        arb_set_si(t, s->d);
        arb_mul_2exp_si(t, t, -1);
        arb_pow(u, u, t, prec);
        arb_div(P, P, u, prec);
        arb_set_fmpq(t, s->Lambda, prec);
        arb_pow_ui(t, t, (ulong) s->d, prec);
        arb_div(P, P, t, prec);
        break;
    case FY_NNFT_B_USER:
    {
        /* qft3: p(|p|) / (S_(d-1) int k^(d-1) p(k) dk), S_(d-1) = 2 pi^(d/2) / Gamma(d/2) */
        fmpq_t Z;
        fmpq_init(Z);
        fy_nnft_ppoly_moment(Z, s->b_density, s->d - 1);
        fy_nnft_ppoly_eval(P, s->b_density, p, prec);
        arb_mul_fmpz(P, P, fmpq_denref(Z), prec);
        arb_div_fmpz(P, P, fmpq_numref(Z), prec);
        arb_set_si(t, s->d);
        arb_mul_2exp_si(t, t, -1);
        arb_gamma(t, t, prec);
        arb_mul(P, P, t, prec);
        arb_const_pi(u, prec);
        arb_set_si(t, s->d);
        arb_mul_2exp_si(t, t, -1);
        arb_pow(u, u, t, prec);
        arb_div(P, P, u, prec);
        arb_mul_2exp_si(P, P, -1);
        fmpq_clear(Z);
        break;
    }
    case FY_NNFT_B_LORENTZ:
    default:
        /* m / (pi (p^2 + m^2)) */
        arb_set_fmpq(t, s->mass, prec);
        arb_sqr(u, p, prec);
        arb_addmul(u, t, t, prec);
        arb_div(P, t, u, prec);
        arb_const_pi(u, prec);
        arb_div(P, P, u, prec);
        break;
    }
    arb_clear(t);
    arb_clear(u);
}

int fy_nnft_power_spectrum(arb_t G, const fy_nnft_spec_t s, const arb_t p, slong prec,
                           fy_error_t err)
{
    arb_t t, u;
    int outside = 0, straddle = 0;
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "the power spectrum belongs to the input layer "
                            "F(b) cos(b . x + c) (activation cos), not to %s",
                            fy_nnft_act_name(s->act));
    if (!arb_is_nonnegative(p))
        return fy_error_set(err, FY_EINPUT, "|p| must be >= 0");
    arb_init(t);
    arb_init(u);
    if (s->b_dist == FY_NNFT_B_BALL)
    {
        /* the closed ball |p| <= Lambda (the boundary has measure zero) */
        arb_set_fmpq(t, s->Lambda, prec);
        if (arb_gt(p, t))
            outside = 1;
        else if (!arb_le(p, t))
            straddle = 1;
    }
    if (outside)
        arb_zero(G);
    else
    {
        /* (sigma_a^2 / 2) (2 pi)^d P(p) F(p)^2 */
        density_b(G, s, p, prec);
        arb_const_pi(t, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_pow_ui(t, t, (ulong) s->d, prec);
        arb_mul(G, G, t, prec);
        if (g2_scale(t, s, prec, err) != FY_OK)
        {
            arb_clear(t);
            arb_clear(u);
            return FY_EUNSUPPORTED;
        }
        arb_mul(G, G, t, prec);
        arb_mul_2exp_si(G, G, -1);
        if (s->F == FY_NNFT_F_PROP)
        {
            arb_set_fmpq(t, s->mass, prec);
            arb_sqr(u, p, prec);
            arb_addmul(u, t, t, prec);
            arb_div(G, G, u, prec);
        }
        else if (s->F == FY_NNFT_F_USER) /* qft3 */
        {
            fy_nnft_ppoly_eval(t, s->F_user, p, prec);
            arb_sqr(t, t, prec);
            arb_mul(G, G, t, prec);
        }
        if (straddle)
        {
            arb_zero(t);
            arb_union(G, G, t, prec);
        }
    }
    arb_clear(t);
    arb_clear(u);
    return FY_OK;
}

/* qft14: rho(p, tau) of the layers with pieces (b_dist user, F user, the ball with F
 * user): (1/pi) int_0^inf cos(p_0 tau) G(sqrt(p_0^2 + p^2)) dp_0 with
 * G(q) = C w(q) p(q) F(q)^2, C = (sigma^2 / 2) (2 pi)^d / (S_(d-1) Z) (sigma^2 as in G2,
 * S_(d-1) = 2 pi^(d/2) / Gamma(d/2), Z the law's radial mass), on every interval of the
 * pieces mapped to p_0 = sqrt(k^2 - p^2). */
int fy_nnft_euclid_rho_quad(arb_t rho, const fy_nnft_spec_t s, const fmpq_t p,
                            const fmpq_t tau, slong prec, fy_error_t err)
{
    ball_param q;
    arb_t acc, Za, t, u;
    fmpq_t Zq;
    int fmode = s->F == FY_NNFT_F_USER ? 2 : s->F == FY_NNFT_F_PROP ? 1 : 0, rc;
    if (s->b_dist != FY_NNFT_B_USER && s->F != FY_NNFT_F_USER)
        return fy_error_set(err, FY_EINPUT, "the pieces' route of rho(p, tau) is for b_dist "
                            "user or F user");
    qparam_init(&q, s, 2, fmode, prec);
    q.rho = 1;
    arb_set_fmpq(q.tau, tau, prec);
    arb_set_fmpq(q.p2, p, prec);
    arb_sqr(q.p2, q.p2, prec);
    arb_init(acc);
    arb_init(Za);
    arb_init(t);
    arb_init(u);
    fmpq_init(Zq);
    rc = quad_pieces(acc, Zq, Za, &q, s, fmode, prec, err);
    if (rc == FY_OK && q.wmode == 0)
        arb_set_fmpq(Za, Zq, prec);
    if (rc == FY_OK)
        rc = g2_scale(t, s, prec, err);
    if (rc == FY_OK)
    {
        /* C / pi = (sigma^2 / 2) (2 pi)^d Gamma(d/2) / (2 pi^(d/2) Z pi) */
        arb_mul(rho, acc, t, prec);
        arb_const_pi(t, prec);
        arb_mul_2exp_si(u, t, 1);
        arb_pow_ui(u, u, (ulong) s->d, prec);
        arb_mul(rho, rho, u, prec);
        arb_set_si(u, s->d);
        arb_mul_2exp_si(u, u, -1);
        arb_pow(t, t, u, prec);
        arb_gamma(u, u, prec);
        arb_mul(rho, rho, u, prec);
        arb_div(rho, rho, t, prec);
        arb_div(rho, rho, Za, prec);
        arb_const_pi(t, prec);
        arb_div(rho, rho, t, prec);
        arb_mul_2exp_si(rho, rho, -2);
    }
    qparam_clear(&q);
    arb_clear(acc);
    arb_clear(Za);
    arb_clear(t);
    arb_clear(u);
    fmpq_clear(Zq);
    return rc;
}

/* ------------------------------------------------------------------ kernels and moments */
static int check_idx(const fy_nnft_spec_t s, const slong *idx, int m, fy_error_t err)
{
    int k;
    for (k = 0; k < m; k++)
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range (the spec has "
                                "%ld points)", (long) idx[k], (long) s->npoints);
    return FY_OK;
}

/* |sum_k sg_k x_idx[k]|^2 exactly, sg_0 = +1 and sg_k = -1 where bit k-1 of sg is set. */
static void signed_r2(fmpq_t r2, const fy_nnft_spec_t s, const slong *idx, int m, unsigned sg)
{
    fmpq_t t;
    slong c;
    int k;
    fmpq_init(t);
    fmpq_zero(r2);
    for (c = 0; c < s->d; c++)
    {
        fmpq_zero(t);
        for (k = 0; k < m; k++)
        {
            const fmpq *y = s->points + idx[k] * s->d + c;
            if (k > 0 && ((sg >> (k - 1)) & 1))
                fmpq_sub(t, t, y);
            else
                fmpq_add(t, t, y);
        }
        fmpq_addmul(r2, t, t);
    }
    fmpq_clear(t);
}

int fy_nnft_euclid_kernel(arb_t K, const fy_nnft_spec_t s, slong i, slong j, slong prec,
                          fy_error_t err)
{
    slong pair[2] = {i, j};
    fmpq_t r2;
    int rc;
    if ((rc = check_idx(s, pair, 2, err)) != FY_OK)
        return rc;
    if (!fmpq_is_zero(s->a_mean) || !fmpq_is_one(s->phase) || fy_nnft_euclid_deep(s))
        return fy_nnft_euclid_correlator(K, s, pair, 2, prec, err); /* Z2 switch, deeper g */
    fmpq_init(r2);
    signed_r2(r2, s, pair, 2, 1u);
    rc = fy_nnft_euclid_g2(K, s, r2, prec, err);
    fmpq_clear(r2);
    return rc;
}

/* E[(sqrt(N) a)^M]: sigma_a^M (M-1)!! (K/3)^(M/2-1) for even M (0 for odd), or with a_mean
 * (K = 3) the moments of N(mu, sigma_a^2), mu = a_mean / sqrt(N):
 * sum_k C(M, 2k) mu^(M-2k) sigma_a^(2k) (2k-1)!!. */
static void weight_moment(arb_t w, const fy_nnft_spec_t s, int M, slong prec)
{
    arb_t mu, sa, t, s2k;
    fmpz_t c;
    int k, j;
    if (fmpq_is_zero(s->a_mean))
    {
        if (M & 1)
        {
            arb_zero(w);
            return;
        }
        arb_set_fmpq(w, s->sigma_a, prec);
        arb_pow_ui(w, w, (ulong) M, prec);
        for (k = M - 1; k > 1; k -= 2)
            arb_mul_si(w, w, k, prec);
        if (M >= 4)
        {
            arb_init(t);
            arb_set_fmpq(t, s->kurtosis, prec);
            arb_div_ui(t, t, 3, prec);
            arb_pow_ui(t, t, (ulong) (M / 2 - 1), prec);
            arb_mul(w, w, t, prec);
            arb_clear(t);
        }
        return;
    }
    arb_init(mu);
    arb_init(sa);
    arb_init(t);
    arb_init(s2k);
    fmpz_init(c);
    arb_set_fmpq(mu, s->a_mean, prec);
    arb_set_si(t, s->width);
    arb_rsqrt(t, t, prec);
    arb_mul(mu, mu, t, prec);
    arb_set_fmpq(sa, s->sigma_a, prec);
    arb_zero(w);
    for (k = 0; 2 * k <= M; k++)
    {
        fmpz_bin_uiui(c, (ulong) M, (ulong) (2 * k));
        for (j = 2 * k - 1; j > 1; j -= 2)
            fmpz_mul_si(c, c, j);
        arb_pow_ui(t, mu, (ulong) (M - 2 * k), prec);
        arb_mul_fmpz(t, t, c, prec);
        arb_pow_ui(s2k, sa, (ulong) (2 * k), prec);
        arb_addmul(w, t, s2k, prec);
    }
    arb_clear(mu);
    arb_clear(sa);
    arb_clear(t);
    arb_clear(s2k);
    fmpz_clear(c);
}

int fy_nnft_euclid_moment(arb_t mu, const fy_nnft_spec_t s, const slong *idx, int M,
                          slong prec, fy_error_t err)
{
    fmpq_t r2, q;
    arb_t R, w;
    unsigned sg;
    int rc, whole = fmpq_is_one(s->phase);
    if (M < 1 || M > EUCLID_MAX_M)
        return fy_error_set(err, FY_EINPUT, "moment order %d: 1..%d", M, EUCLID_MAX_M);
    if ((rc = check_idx(s, idx, M, err)) != FY_OK)
        return rc;
    if (fy_nnft_euclid_deep(s))
        return fy_error_set(err, FY_EUNSUPPORTED, "the neurons of a deeper g (g dense) share "
                            "the input layer, so no single-neuron moment factorises the "
                            "correlators: use fy_nnft_correlator / fy_nnft_connected");
    if ((M & 1) && (whole || fmpq_is_zero(s->a_mean)))
    {
        arb_zero(mu); /* c -> c + pi, or a -> -a, flips h */
        return FY_OK;
    }
    fmpq_init(r2);
    fmpq_init(q);
    arb_init(R);
    arb_init(w);
    arb_zero(mu);
    for (sg = 0; sg < (1u << (M - 1)) && rc == FY_OK; sg++)
    {
        /* sum s = M - 2 (number of minus signs); with a whole period only sum s = 0 lives */
        int j = M - 2 * __builtin_popcount(sg);
        if (whole && j != 0)
            continue;
        signed_r2(r2, s, idx, M, sg);
        if ((rc = fy_nnft_euclid_radial(R, s, M, r2, prec, err)) != FY_OK)
            break;
        if (j != 0)
        {
            /* E_c cos(T + j c) = cos T sinc(j phase pi), c ~ U[-phase pi, phase pi] */
            fmpq_mul_si(q, s->phase, j);
            arb_set_fmpq(w, q, prec);
            arb_sinc_pi(w, w, prec);
            arb_mul(R, R, w, prec);
        }
        arb_add(mu, mu, R, prec);
    }
    if (rc == FY_OK)
    {
        weight_moment(w, s, M, prec);
        arb_mul(mu, mu, w, prec);
        arb_mul_2exp_si(mu, mu, 1 - M);
    }
    fmpq_clear(r2);
    fmpq_clear(q);
    arb_clear(R);
    arb_clear(w);
    return rc;
}

/* ------------------------------------------------------------------ all set partitions */
typedef struct
{
    const fy_nnft_spec_struct *s;
    const slong *idx;
    int n, connected;
    slong prec;
    arb_ptr mu;        /* by block mask */
    char *have;
    arb_t acc, term, t;
    fy_error_struct *err;
    int deep;          /* qft3: blocks are the full correlators of a deeper g */
} part_ctx;

static int deep_full(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                     fy_error_t err);

static int block_moment(part_ctx *c, unsigned B)
{
    if (!c->have[B])
    {
        slong sub[8];
        int m = 0, k, rc;
        for (k = 0; k < c->n; k++)
            if (B >> k & 1)
                sub[m++] = c->idx[k];
        if (c->deep)
            rc = deep_full(c->mu + B, c->s, sub, m, c->prec, c->err);
        else
            rc = fy_nnft_euclid_moment(c->mu + B, c->s, sub, m, c->prec, c->err);
        if (rc != FY_OK)
            return rc;
        c->have[B] = 1;
    }
    return FY_OK;
}

/* Every set partition of mask; blocks[0..nb) chosen so far. */
static int all_parts(part_ctx *c, unsigned mask, unsigned *blocks, int nb)
{
    unsigned low, rest, sub;
    int rc, i;
    if (mask == 0)
    {
        /* connected: (-1)^(nb-1) (nb-1)!; else (N)_nb */
        arb_one(c->term);
        for (i = 0; i < nb; i++)
        {
            if ((rc = block_moment(c, blocks[i])) != FY_OK)
                return rc;
            arb_mul(c->term, c->term, c->mu + blocks[i], c->prec);
        }
        for (i = 1; i < nb; i++)
            arb_mul_si(c->term, c->term, c->connected ? -i : c->s->width - i, c->prec);
        if (!c->connected && !c->deep)
            arb_mul_si(c->term, c->term, c->s->width, c->prec);
        arb_add(c->acc, c->acc, c->term, c->prec);
        return FY_OK;
    }
    low = mask & (0u - mask);
    rest = mask ^ low;
    sub = rest;
    for (;;)
    {
        blocks[nb] = sub | low;
        if ((rc = all_parts(c, mask ^ (sub | low), blocks, nb + 1)) != FY_OK)
            return rc;
        if (sub == 0)
            break;
        sub = (sub - 1) & rest;
    }
    return FY_OK;
}

static int part_sum(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, int connected,
                    slong prec, fy_error_t err)
{
    part_ctx c;
    unsigned blocks[8];
    int rc;
    if (n < 1 || n > 8)
        return fy_error_set(err, FY_EINPUT, "correlators of order 1..8, not %d", n);
    if ((rc = check_idx(s, idx, n, err)) != FY_OK)
        return rc;
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "fy_nnft_euclid_correlator is for activation cos");
    if (fy_nnft_euclid_deep(s) && !connected)
        return deep_full(G, s, idx, n, prec, err);
    memset(&c, 0, sizeof c);
    c.deep = fy_nnft_euclid_deep(s);
    c.s = s;
    c.idx = idx;
    c.n = n;
    c.connected = connected;
    c.prec = prec;
    c.err = err;
    c.mu = _arb_vec_init(1 << n);
    if ((c.have = calloc((size_t) 1 << n, 1)) == NULL)
    {
        _arb_vec_clear(c.mu, 1 << n);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    arb_init(c.acc);
    arb_init(c.term);
    arb_init(c.t);
    if ((rc = all_parts(&c, (1u << n) - 1, blocks, 0)) == FY_OK && c.deep)
        arb_set(G, c.acc); /* the cumulant of the full correlators */
    else if (rc == FY_OK)
    {
        /* N^(-n/2) (moments) or N^(1 - n/2) (cumulants) */
        arb_set_si(c.t, s->width);
        arb_sqrt(c.t, c.t, prec);
        arb_pow_ui(c.t, c.t, (ulong) n, prec);
        arb_div(G, c.acc, c.t, prec);
        if (connected)
            arb_mul_si(G, G, s->width, prec);
    }
    _arb_vec_clear(c.mu, 1 << n);
    free(c.have);
    arb_clear(c.acc);
    arb_clear(c.term);
    arb_clear(c.t);
    return rc;
}

int fy_nnft_euclid_correlator(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n,
                              slong prec, fy_error_t err)
{
    return part_sum(G, s, idx, n, 0, prec, err);
}

int fy_nnft_euclid_connected(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n,
                             slong prec, fy_error_t err)
{
    return part_sum(G, s, idx, n, 1, prec, err);
}

/* qft14: the tables of fy_nnft_corr_compute for the specs it refuses because their neurons
 * are not independent or have odd moments (fy_nnft_has_odd): every sorted tuple through the
 * all-partition route, the Wick value from the kernel. */
int fy_nnft_euclid_corr_compute(fy_nnft_corr_t c, const fy_nnft_spec_t s, int n, slong prec,
                                fy_error_t err)
{
    slong t;
    arb_t d;
    int rc;
    fy_nnft_corr_clear(c);
    arb_init(c->m);
    if (n < 2 || n > 8 || (n & 1))
        return fy_error_set(err, FY_EINPUT, "correlators at n = 2, 4, 6, 8, not %d", n);
    if ((rc = fy_nnft_tuples(&c->idx, &c->count, s->npoints, n, err)) != FY_OK)
        return rc;
    c->n = n;
    c->G = _arb_vec_init(3 * c->count);
    c->gp = c->G + c->count;
    c->conn = c->gp + c->count;
    arb_init(d);
    for (t = 0; t < c->count && rc == FY_OK; t++)
    {
        const slong *ix = c->idx + t * n;
        if ((rc = fy_nnft_euclid_correlator(c->G + t, s, ix, n, prec, err)) == FY_OK
            && (rc = fy_nnft_euclid_connected(c->conn + t, s, ix, n, prec, err)) == FY_OK)
            rc = fy_nnft_wick(c->gp + t, s, ix, n, prec, err);
        if (rc == FY_OK)
            fy_nnft_corr_add_deviation(c, t, d, prec);
    }
    if (rc == FY_OK && c->m_used > 0)
        arb_div_si(c->m, c->m, c->m_used, prec);
    arb_clear(d);
    if (rc != FY_OK)
    {
        fy_nnft_corr_clear(c);
        arb_init(c->m);
    }
    return rc;
}

/* ------------------------------------------------------------------ deeper g (qft3) */
/* E[S^k], S = sum_i a_i^2: the sum over set partitions of {0..k-1} (mask) of
 * (N)_|pi| prod_B E[a^(2|B|)], E[a^(2j)] = E[(sqrt(N) a)^(2j)] / N^j. */
static void smoment_rec(arb_t acc, const arb_srcptr am, slong N, unsigned mask, int nb,
                        arb_t term, slong prec)
{
    unsigned low, rest, sub;
    if (mask == 0)
    {
        arb_add(acc, acc, term, prec);
        return;
    }
    low = mask & (0u - mask);
    rest = mask ^ low;
    sub = rest;
    for (;;)
    {
        arb_t t;
        arb_init(t);
        /* the new block sub | low: E[a^(2 |B|)] (N - nb) */
        arb_mul(t, term, am + __builtin_popcount(sub | low), prec);
        arb_mul_si(t, t, N - nb, prec);
        smoment_rec(acc, am, N, mask ^ (sub | low), nb + 1, t, prec);
        arb_clear(t);
        if (sub == 0)
            break;
        sub = (sub - 1) & rest;
    }
}

int fy_nnft_euclid_deep_smoment(arb_t ES, const fy_nnft_spec_t s, int k, slong prec,
                                fy_error_t err)
{
    arb_ptr am;
    arb_t term, Nj;
    int j;
    if (k < 0 || k > 8)
        return fy_error_set(err, FY_EINPUT, "E[S^k] for k = 0..8, not %d", k);
    am = _arb_vec_init(k + 1);
    arb_init(term);
    arb_init(Nj);
    for (j = 1; j <= k; j++)
    {
        weight_moment(am + j, s, 2 * j, prec);
        arb_set_si(Nj, s->width);
        arb_pow_ui(Nj, Nj, (ulong) j, prec);
        arb_div(am + j, am + j, Nj, prec);
    }
    arb_zero(ES);
    arb_one(term);
    smoment_rec(ES, am, s->width, (1u << k) - 1, 0, term, prec);
    _arb_vec_clear(am, k + 1);
    arb_clear(term);
    arb_clear(Nj);
    return FY_OK;
}

/* G^(n) of the linear deeper g: E[S^(n/2)] times the single layer of width g_width with
 * Gaussian output weights N(0, sigma_g^2 / g_width) (feynn/nnft.h). */
static int deep_full(arb_t G, const fy_nnft_spec_t s, const slong *idx, int n, slong prec,
                     fy_error_t err)
{
    fy_nnft_spec_t s1;
    arb_t ES;
    int rc;
    if (s->g_act != FY_NNFT_GACT_LINEAR || !fmpq_is_zero(s->sigma_gb))
        return fy_error_set(err, FY_EUNSUPPORTED, "exact correlators of a deeper g need g_act "
                            "linear and sigma_gb 0 (then the moments have closed forms); "
                            "g_act %s, sigma_gb %s: Monte Carlo only (fy_nnft_euclid_mc_g2)",
                            fy_nnft_gact_name((fy_nnft_gact_t) s->g_act),
                            fmpq_is_zero(s->sigma_gb) ? "0" : "> 0");
    if (n & 1)
    {
        arb_zero(G); /* v_j is symmetric given a */
        return FY_OK;
    }
    fy_nnft_spec_init(s1);
    arb_init(ES);
    if ((rc = fy_nnft_spec_set(s1, s, err)) == FY_OK)
    {
        s1->g = FY_NNFT_G_IDENTITY;
        s1->width = s->g_width;
        fmpq_set(s1->sigma_a, s->sigma_g);
        fmpq_set_si(s1->kurtosis, 3, 1);
        fmpq_zero(s1->a_mean);
        if ((rc = part_sum(G, s1, idx, n, 0, prec, err)) == FY_OK
            && (rc = fy_nnft_euclid_deep_smoment(ES, s, n / 2, prec, err)) == FY_OK)
            arb_mul(G, G, ES, prec);
    }
    fy_nnft_spec_clear(s1);
    arb_clear(ES);
    return rc;
}
