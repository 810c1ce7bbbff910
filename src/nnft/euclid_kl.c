/* euclid_kl.c - the spectral side of the fields from neurons (issue 14, feynn/nnft.h
 * "spectral representation", doc/math.md 4.6): the Kallen-Lehmann measure of a d = 1
 * 2-point function in closed form, reflection positivity certified through it (whatever the
 * rank of the reflection matrix), and the time-momentum representation rho(p, tau). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num/arb_all.h"

#include "nnft/checks_internal.h"
#include "nnft/nnft_internal.h" /* qft14: fy_nnft_euclid_rho_quad */

/* ------------------------------------------------------------------ the measure */
void fy_nnft_kl_init(fy_nnft_kl_t kl)
{
    memset(kl, 0, sizeof(*kl));
}

void fy_nnft_kl_clear(fy_nnft_kl_t kl)
{
    if (kl->n)
    {
        _arb_vec_clear(kl->E, kl->n);
        _arb_vec_clear(kl->w, kl->n);
        _arb_vec_clear(kl->u, kl->n);
    }
    memset(kl, 0, sizeof(*kl));
}

/* One term: E = m, weights w, u (u may be NULL: 0). */
static void kl_one(fy_nnft_kl_t kl, const arb_t E, const arb_t w, const arb_t u)
{
    fy_nnft_kl_clear(kl);
    kl->n = 1;
    kl->E = _arb_vec_init(1);
    kl->w = _arb_vec_init(1);
    kl->u = _arb_vec_init(1);
    arb_set(kl->E, E);
    arb_set(kl->w, w);
    if (u)
        arb_set(kl->u, u);
}

int fy_nnft_kl_spec(fy_nnft_kl_t kl, const fy_nnft_spec_t s, slong prec, fy_error_t err)
{
    arb_t E, w, u;
    if (s->act != FY_NNFT_COS || s->d != 1 || s->b_dist != FY_NNFT_B_LORENTZ)
        return fy_error_set(err, FY_EUNSUPPORTED, "a closed-form spectral (Kallen-Lehmann) "
                            "measure is known for d = 1, activation cos, b_dist lorentz only "
                            "(this spec: activation %s, d = %ld, b_dist %s)",
                            fy_nnft_act_name(s->act), (long) s->d,
                            s->act == FY_NNFT_COS ? fy_nnft_bdist_name(s->b_dist) : "-");
    if (s->F == FY_NNFT_F_USER) /* qft14: F user cuts the law off: no finite sum of atoms */
        return fy_error_set(err, FY_EUNSUPPORTED, "a closed-form spectral measure is known for "
                            "b_dist lorentz with F one or prop, not F user; the reflection "
                            "matrix of G2 applies (fy_nnft_rp_spec)");
    if (fy_nnft_euclid_deep(s)
        && (s->g_act != FY_NNFT_GACT_LINEAR || !fmpq_is_zero(s->sigma_gb))) /* qft3 */
        return fy_error_set(err, FY_EUNSUPPORTED, "the closed-form spectral measure of a "
                            "deeper g needs g_act linear and sigma_gb 0; otherwise use the "
                            "reflection matrix of G2 (fy_nnft_rp_spec)");
    if ((fy_nnft_has_odd(s) && !fy_nnft_euclid_deep(s)) || !fmpq_is_one(s->phase))
        return fy_error_set(err, FY_EUNSUPPORTED, "the spectral measure needs the uniform "
                            "phase (phase 1): with phase < 1 G2 is not translation invariant");
    arb_init(E);
    arb_init(w);
    arb_init(u);
    arb_set_fmpq(E, s->mass, prec);
    arb_set_fmpq(w, s->sigma_a, prec);
    arb_sqr(w, w, prec);
    if (fy_nnft_euclid_deep(s))
    {
        /* qft3: the linear deeper g has G2 = (sigma_g^2 E[S] / 2) R_2: sigma_a^2 -> that */
        fy_nnft_euclid_deep_smoment(w, s, 1, prec, NULL);
        arb_set_fmpq(u, s->sigma_g, prec);
        arb_sqr(u, u, prec);
        arb_mul(w, w, u, prec);
    }
    if (s->F == FY_NNFT_F_ONE) /* (sigma_a^2 / 2) e^(-m|t|) */
    {
        arb_mul_2exp_si(w, w, -1);
        kl_one(kl, E, w, NULL);
    }
    else /* sigma_a^2 (1 + m|t|) e^(-m|t|) / (4 m^2) */
    {
        arb_div(u, w, E, prec);
        arb_mul_2exp_si(u, u, -2);
        arb_div(w, u, E, prec);
        kl_one(kl, E, w, u);
    }
    arb_clear(E);
    arb_clear(w);
    arb_clear(u);
    return FY_OK;
}

int fy_nnft_kl_model(fy_nnft_kl_t kl, const fy_nnft_g2_model_t g, slong d, slong prec,
                     fy_error_t err)
{
    arb_t E, w;
    if (d != 1 || g->kind == FY_NNFT_G2_GAUSS)
        return fy_error_set(err, FY_EUNSUPPORTED, "a closed-form spectral measure is known "
                            "for the kernels free and exp in d = 1 only");
    if (fmpq_sgn(g->m) <= 0)
        return fy_error_set(err, FY_EINPUT, "2-point function: the mass m must be positive");
    arb_init(E);
    arb_init(w);
    arb_set_fmpq(E, g->m, prec);
    arb_set_fmpq(w, g->c, prec);
    if (g->kind == FY_NNFT_G2_FREE) /* c e^(-m|t|) / (2m) */
    {
        arb_div(w, w, E, prec);
        arb_mul_2exp_si(w, w, -1);
    }
    kl_one(kl, E, w, NULL);
    arb_clear(E);
    arb_clear(w);
    return FY_OK;
}

void fy_nnft_kl_g2(arb_t G, const fy_nnft_kl_t kl, const arb_t t, slong prec)
{
    arb_t at, e, c;
    slong k;
    arb_init(at);
    arb_init(e);
    arb_init(c);
    arb_abs(at, t);
    arb_zero(G);
    for (k = 0; k < kl->n; k++)
    {
        arb_mul(e, kl->E + k, at, prec);
        arb_neg(e, e);
        arb_exp(e, e, prec);
        arb_set(c, kl->w + k);
        arb_addmul(c, kl->u + k, at, prec);
        arb_addmul(G, c, e, prec);
    }
    arb_clear(at);
    arb_clear(e);
    arb_clear(c);
}

void fy_nnft_kl_spectrum(arb_t G, const fy_nnft_kl_t kl, const arb_t p, slong prec)
{
    arb_t p2, E2, den, t;
    slong k;
    arb_init(p2);
    arb_init(E2);
    arb_init(den);
    arb_init(t);
    arb_sqr(p2, p, prec);
    arb_zero(G);
    for (k = 0; k < kl->n; k++)
    {
        arb_sqr(E2, kl->E + k, prec);
        arb_add(den, p2, E2, prec);
        /* w 2E / (p^2 + E^2) */
        arb_mul(t, kl->w + k, kl->E + k, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, den, prec);
        arb_add(G, G, t, prec);
        /* u 2 (E^2 - p^2) / (p^2 + E^2)^2 */
        arb_sub(t, E2, p2, prec);
        arb_mul(t, t, kl->u + k, prec);
        arb_mul_2exp_si(t, t, 1);
        arb_div(t, t, den, prec);
        arb_div(t, t, den, prec);
        arb_add(G, G, t, prec);
    }
    arb_clear(p2);
    arb_clear(E2);
    arb_clear(den);
    arb_clear(t);
}

int fy_nnft_kl_positive(const fy_nnft_kl_t kl)
{
    slong k;
    int all = kl->n > 0;
    for (k = 0; k < kl->n; k++)
    {
        if (arb_is_negative(kl->w + k) || (arb_is_nonzero(kl->u + k)))
            return 0;
        if (!arb_is_positive(kl->w + k) || !arb_is_zero(kl->u + k))
            all = 0;
    }
    return all ? 1 : -1;
}

/* ------------------------------------------------------------------ the certificate */
int fy_nnft_rp_spectral(fy_nnft_rp_t r, const fy_nnft_kl_t kl, fy_nnft_g2_fn g2, void *ctx,
                        slong prec, fy_error_t err)
{
    fmpq th[1];
    arb_t G, S, t;
    slong i, j;
    int rc = FY_OK;
    if (r->d != 1 || r->n < 1 || r->points == NULL)
        return fy_error_set(err, FY_EINPUT, "the spectral certificate takes the d = 1 points "
                            "of a reflection-positivity check (fy_nnft_rp_check first)");
    fmpq_init(th);
    arb_init(G);
    arb_init(S);
    arb_init(t);
    for (i = 0; i < r->n && rc == FY_OK; i++)
    {
        for (j = 0; j < r->n && rc == FY_OK; j++)
        {
            fmpq_neg(th, r->points + i);
            rc = g2(G, th, r->points + j, 1, ctx, prec, err);
            if (rc != FY_OK)
                break;
            /* the measure at t_i + t_j (> 0) */
            fmpq_add(th, r->points + i, r->points + j);
            arb_set_fmpq(t, th, prec);
            fy_nnft_kl_g2(S, kl, t, prec);
            if (!arb_overlaps(G, S))
                rc = fy_error_set(err, FY_EINPUT, "the spectral measure is not that of this "
                                  "2-point function: at t_%ld + t_%ld = %.6g they give %.10g "
                                  "and %.10g", (long) i + 1, (long) j + 1, arf_get_d(
                                      arb_midref(t), ARF_RND_NEAR),
                                  arf_get_d(arb_midref(S), ARF_RND_NEAR),
                                  arf_get_d(arb_midref(G), ARF_RND_NEAR));
        }
    }
    i = fy_nnft_kl_positive(kl);
    r->spectral = i == 1 ? 1 : (i == 0 ? -1 : 0);
    if (rc == FY_OK && r->spectral == 1 && r->positive == 0 && r->certified)
        rc = fy_error_set(err, FY_EINTERNAL, "reflection positivity: a positive spectral "
                          "measure and a certified negative direction (a bug in feynn)");
    else if (rc == FY_OK && r->spectral == 1)
    {
        /* v^T M v = sum_k w_k (sum_i v_i e^(-E_k t_i))^2 >= 0 for every v */
        r->positive = r->certified = 1;
        free(r->direction);
        r->direction = NULL;
        if (!r->definite)
            r->rank = kl->n < r->n ? kl->n : r->n;
    }
    fmpq_clear(th);
    arb_clear(G);
    arb_clear(S);
    arb_clear(t);
    return rc;
}

int fy_nnft_rp_model(fy_nnft_rp_t r, const fy_nnft_g2_model_t g, slong d, const fmpq *pts,
                     slong n, slong prec, fy_error_t err)
{
    fy_nnft_kl_t kl;
    fy_error_t e2;
    int rc = fy_nnft_rp_check(r, fy_nnft_g2_model, (void *) g, d, pts, n, prec, err);
    if (rc != FY_OK || d != 1)
        return rc;
    fy_nnft_kl_init(kl);
    fy_error_init(e2);
    if (fy_nnft_kl_model(kl, g, d, prec, e2) == FY_OK)
        rc = fy_nnft_rp_spectral(r, kl, fy_nnft_g2_model, (void *) g, prec, err);
    fy_nnft_kl_clear(kl);
    return rc;
}

/* Called by fy_nnft_rp_spec: the spectral certificate where the ball check could not prove a
 * singular matrix positive. */
int fy_nnft_rp_spec_spectral(fy_nnft_rp_t r, const fy_nnft_spec_t s, slong prec,
                             fy_error_t err)
{
    fy_nnft_kl_t kl;
    fy_error_t e2;
    int rc = FY_OK;
    if (s->d != 1)
        return FY_OK;
    fy_nnft_kl_init(kl);
    fy_error_init(e2);
    if (fy_nnft_kl_spec(kl, s, prec, e2) == FY_OK)
        rc = fy_nnft_rp_spectral(r, kl, fy_nnft_g2_spec, (void *) s, prec, err);
    fy_nnft_kl_clear(kl);
    return rc;
}

/* ------------------------------------------------------------------ rho(p, tau) */
typedef struct
{
    arb_t tau, w2; /* p_0 -> cos(p_0 tau) / (p_0^2 + w2) */
} rho_param;

static int rho_f(acb_ptr res, const acb_t z, void *param, slong order, slong prec)
{
    rho_param *q = param;
    acb_t t, u;
    (void) order; /* poles at +- i omega, off the path: meromorphic is enough */
    acb_init(t);
    acb_init(u);
    acb_mul_arb(t, z, q->tau, prec);
    acb_cos(t, t, prec);
    acb_sqr(u, z, prec);
    acb_add_arb(u, u, q->w2, prec);
    acb_div(res, t, u, prec);
    acb_clear(t);
    acb_clear(u);
    return 0;
}

/* (1 / pi) int_0^a cos(p_0 tau) / (p_0^2 + w2) dp_0 */
static int rho_quad(arb_t R, const arb_t a, const arb_t w2, const arb_t tau, slong prec,
                    fy_error_t err)
{
    rho_param q;
    acb_t lo, hi, res;
    mag_t tol;
    int rc = FY_OK;
    arb_init(q.tau);
    arb_init(q.w2);
    acb_init(lo);
    acb_init(hi);
    acb_init(res);
    mag_init(tol);
    arb_set(q.tau, tau);
    arb_set(q.w2, w2);
    acb_set_arb(hi, a);
    mag_set_ui_2exp_si(tol, 1, -prec);
    acb_calc_integrate(res, rho_f, &q, lo, hi, prec, tol, NULL, prec + 10);
    if (!acb_is_finite(res))
        rc = fy_error_set(err, FY_ECHECK, "the integral of rho(p, tau) did not converge; try "
                          "fewer digits");
    else
    {
        arb_const_pi(R, prec);
        arb_div(R, acb_realref(res), R, prec);
    }
    arb_clear(q.tau);
    arb_clear(q.w2);
    acb_clear(lo);
    acb_clear(hi);
    acb_clear(res);
    mag_clear(tol);
    return rc;
}

/* gauss, F one: G(0) e^(-p^2 / (2 s2)) sqrt(s2 / (2 pi)) e^(-s2 tau^2 / 2) */
static void rho_gauss(arb_t R, const arb_t G0, const fy_nnft_spec_t s, const arb_t p,
                      const arb_t tau, slong prec)
{
    arb_t s2, t, u;
    arb_init(s2);
    arb_init(t);
    arb_init(u);
    arb_set_fmpq(s2, s->sigma_W, prec);
    arb_sqr(s2, s2, prec);
    arb_div_si(s2, s2, s->d, prec);
    arb_sqr(t, p, prec);
    arb_div(t, t, s2, prec);
    arb_sqr(u, tau, prec);
    arb_addmul(t, u, s2, prec);
    arb_mul_2exp_si(t, t, -1);
    arb_neg(t, t);
    arb_exp(t, t, prec);
    arb_const_pi(u, prec);
    arb_mul_2exp_si(u, u, 1);
    arb_div(u, s2, u, prec);
    arb_sqrt(u, u, prec);
    arb_mul(R, G0, t, prec);
    arb_mul(R, R, u, prec);
    arb_clear(s2);
    arb_clear(t);
    arb_clear(u);
}

int fy_nnft_rho(arb_t rho, const fy_nnft_spec_t s, const fmpq_t p, const fmpq_t tau,
                slong prec, fy_error_t err)
{
    arb_t G0, pa, ta, a, t;
    fmpq_t r2;
    int rc = FY_OK;
    if (s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "rho(p, tau) belongs to the input layer F(b) "
                            "cos(b . x + c) (activation cos), not to %s",
                            fy_nnft_act_name(s->act));
    if (fmpq_sgn(p) < 0 || (s->d == 1 && !fmpq_is_zero(p)))
        return fy_error_set(err, FY_EINPUT, "the spatial momentum |p| must be >= 0, and 0 in "
                            "d = 1 (no space)");
    if (!fmpq_is_one(s->phase))
        return fy_error_set(err, FY_EUNSUPPORTED, "rho(p, tau) needs the uniform phase "
                            "(phase 1, translation invariance)");
    if (s->b_dist == FY_NNFT_B_USER || s->F == FY_NNFT_F_USER) /* qft14: by quadrature */
        return fy_nnft_euclid_rho_quad(rho, s, p, tau, prec, err);
    arb_init(G0);
    arb_init(pa);
    arb_init(ta);
    arb_init(a);
    arb_init(t);
    fmpq_init(r2);
    arb_set_fmpq(pa, p, prec);
    arb_set_fmpq(ta, tau, prec);
    arb_abs(ta, ta);
    arb_zero(t);
    rc = fy_nnft_power_spectrum(G0, s, t, prec, err); /* G(0) */
    if (rc == FY_OK && s->b_dist == FY_NNFT_B_LORENTZ)
    {
        fmpq_mul(r2, tau, tau); /* d = 1: rho(tau) = G2(tau) */
        rc = fy_nnft_euclid_g2(rho, s, r2, prec, err);
    }
    else if (rc == FY_OK && s->b_dist == FY_NNFT_B_GAUSS)
    {
        if (s->F != FY_NNFT_F_ONE)
            rc = fy_error_set(err, FY_EUNSUPPORTED, "rho(p, tau) for b_dist gauss with F "
                              "prop is not implemented");
        else
            rho_gauss(rho, G0, s, pa, ta, prec);
    }
    else if (rc == FY_OK)
    {
        /* the ball: p_0 in [-a, a], a = sqrt(Lambda^2 - p^2) */
        fmpq_mul(r2, s->Lambda, s->Lambda);
        fmpq_submul(r2, p, p);
        if (fmpq_sgn(r2) <= 0)
            arb_zero(rho);
        else
        {
            arb_set_fmpq(a, r2, prec);
            arb_sqrt(a, a, prec);
            if (s->F == FY_NNFT_F_ONE) /* G(0) sin(a tau) / (pi tau) */
            {
                if (arb_is_zero(ta))
                    arb_set(t, a);
                else
                {
                    arb_mul(t, a, ta, prec);
                    arb_sin(t, t, prec);
                    arb_div(t, t, ta, prec);
                }
                arb_const_pi(rho, prec);
                arb_div(rho, t, rho, prec);
                arb_mul(rho, rho, G0, prec);
            }
            else /* G(p) = G(0) m^2 / (p^2 + m^2) */
            {
                arb_set_fmpq(t, s->mass, prec);
                arb_sqr(t, t, prec);
                arb_mul(G0, G0, t, prec);
                arb_addmul(t, pa, pa, prec);
                rc = rho_quad(rho, a, t, ta, prec, err);
                if (rc == FY_OK)
                    arb_mul(rho, rho, G0, prec);
            }
        }
    }
    arb_clear(G0);
    arb_clear(pa);
    arb_clear(ta);
    arb_clear(a);
    arb_clear(t);
    fmpq_clear(r2);
    return rc;
}

/* ------------------------------------------------------------------ rho and reflection */
typedef struct
{
    const fy_nnft_spec_struct *s;
    const fmpq *p;
} rho_ctx;

/* M(theta t_i, t_j) = rho(p, t_i + t_j): the reflection of the time-momentum representation */
static int rho_g2(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                  fy_error_t err)
{
    const rho_ctx *c = ctx;
    fmpq_t t;
    int rc;
    (void) d;
    fmpq_init(t);
    fmpq_sub(t, y, x); /* x = theta t_i = -t_i */
    rc = fy_nnft_rho(G, c->s, c->p, t, prec, err);
    fmpq_clear(t);
    return rc;
}

int fy_nnft_rp_rho(fy_nnft_rp_t r, const fy_nnft_spec_t s, const fmpq_t p, const fmpq *t,
                   slong n, slong prec, fy_error_t err)
{
    rho_ctx c;
    int rc;
    c.s = s;
    c.p = p;
    rc = fy_nnft_rp_check(r, rho_g2, &c, 1, t, n, prec, err);
    if (rc == FY_OK && s->d == 1)
    {
        fy_nnft_kl_t kl;
        fy_error_t e2;
        fy_nnft_kl_init(kl);
        fy_error_init(e2);
        if (fy_nnft_kl_spec(kl, s, prec, e2) == FY_OK)
            rc = fy_nnft_rp_spectral(r, kl, rho_g2, &c, prec, err);
        fy_nnft_kl_clear(kl);
    }
    return rc;
}

/* ------------------------------------------------------------------ the table */
void fy_nnft_rho_table_init(fy_nnft_rho_table_t tb)
{
    memset(tb, 0, sizeof(*tb));
    fy_nnft_kl_init(tb->kl);
}

void fy_nnft_rho_table_clear(fy_nnft_rho_table_t tb)
{
    slong k;
    if (tb->p)
        _fmpq_vec_clear(tb->p, tb->np);
    if (tb->tau)
        _fmpq_vec_clear(tb->tau, tb->nt);
    if (tb->rho)
        _arb_vec_clear(tb->rho, tb->np * tb->nt);
    for (k = 0; tb->rp && k < tb->np; k++)
        fy_nnft_rp_clear(tb->rp + k);
    flint_free(tb->rp);
    fy_nnft_kl_clear(tb->kl);
    memset(tb, 0, sizeof(*tb));
    fy_nnft_kl_init(tb->kl);
}

int fy_nnft_rho_table(fy_nnft_rho_table_t tb, const fy_nnft_spec_t s, const fmpq *p,
                      slong np, const fmpq *tau, slong nt, slong prec, fy_error_t err)
{
    fmpq *pos;
    fy_error_t e2;
    slong i, k, npos = 0;
    int rc = FY_OK;
    if (np < 1 || nt < 1)
        return fy_error_set(err, FY_EINPUT, "rho(p, tau) needs at least one p and one tau");
    fy_nnft_rho_table_clear(tb);
    tb->np = np;
    tb->nt = nt;
    tb->p = _fmpq_vec_init(np);
    tb->tau = _fmpq_vec_init(nt);
    tb->rho = _arb_vec_init(np * nt);
    tb->rp = flint_calloc((size_t) np, sizeof(fy_nnft_rp_struct));
    for (k = 0; k < np; k++)
    {
        fy_nnft_rp_init(tb->rp + k);
        fmpq_set(tb->p + k, p + k);
    }
    pos = _fmpq_vec_init(nt);
    for (i = 0; i < nt; i++)
    {
        fmpq_set(tb->tau + i, tau + i);
        if (fmpq_sgn(tau + i) > 0 && npos < 8)
            fmpq_set(pos + npos++, tau + i);
    }
    for (k = 0; k < np && rc == FY_OK; k++)
    {
        for (i = 0; i < nt && rc == FY_OK; i++)
            rc = fy_nnft_rho(tb->rho + k * nt + i, s, p + k, tau + i, prec, err);
        if (rc == FY_OK && npos > 0)
            rc = fy_nnft_rp_rho(tb->rp + k, s, p + k, pos, npos, prec, err);
    }
    fy_error_init(e2);
    tb->kl_known = rc == FY_OK && fy_nnft_kl_spec(tb->kl, s, prec, e2) == FY_OK;
    _fmpq_vec_clear(pos, nt);
    return rc;
}
