/* quad2.c - single-neuron moments at distinct points: E prod_k phi(z(x_k)) over the
 * pre-activation Gaussian of rank <= 2, rigorously (feynn/nnft.h, MATH.md 4.2).
 *
 * The pre-activations z_k = W . x_k + b are jointly Gaussian with covariance
 * S_kl = Sigma(x_k, x_l) = sigma_b^2 + sigma_W^2 x_k . x_l / d, a rational matrix.  A pivoted
 * Cholesky step done exactly in rationals finds its rank and writes z_k = a_k u + b_k v with
 * u, v independent standard normals (rank <= 2):
 *   a_k = S_kp / sqrt(S_pp),  b_k = R_kq / sqrt(R_qq),  R = S - S_.p S_p. / S_pp,
 * p, q the pivots (largest diagonal), and rank 2 exactly when R - R_.q R_q. / R_qq = 0.
 * Then
 *   - sin: closed form at every rank, prod sin z_k = (2i)^-m sum_s (prod s) exp(i s . z), so
 *     E = (2i)^-m sum_s (prod s) exp(-s^T S s / 2) (sign vectors grouped by point);
 *   - relu: closed form (rank <= 2), polar coordinates (u, v) = r (cos t, sin t):
 *     E prod relu(z_k) = 2^(m/2) (m/2)! / (2 pi) prod |n_k| int_W prod cos(t - t_k) dt over the
 *     wedge W where every z_k >= 0; the wedge is found exactly from the rational normals
 *     (S_kp, R_kq) and the trigonometric polynomial integrated term by term;
 *   - erf, tanh: nested acb_calc_integrate, the outer integral over u in [0, L] (the integrand
 *     is even under (u, v) -> (-u, -v)), the inner over v in [-L, L], both analytic (tanh's
 *     poles off the real axis make its ball evaluations non-finite, which the integrator
 *     avoids by subdividing).  The outer integrand at a point runs the inner integral; on a
 *     wide ball (the integrator's error bounds) it is enclosed by a Riemann sum of ball
 *     evaluations instead, which is finite only where the integrand is holomorphic.  The
 *     tails outside [-L, L]^2 are bounded by P(|u| > L) + P(|v| > L) <= 4 exp(-L^2/2) /
 *     (L sqrt(2 pi)) (|phi| <= 1 on the real line) and added to the radius.
 * Rank 3 and more (distinct points in d >= 2 that are affinely independent) are refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num/arb_all.h"

#include "nnft/nnft_internal.h"

#define Q2_MAXR 8       /* distinct points of one moment (m <= 8) */
#define Q2_CRUDE_SEGS 24 /* Riemann segments of the inner interval for enclosures */

/* ------------------------------------------------------------------ Gaussian reduction */
void fy_nnft_red_init(fy_nnft_red_t z)
{
    memset(z, 0, sizeof *z);
}

void fy_nnft_red_clear(fy_nnft_red_t z)
{
    slong j;
    for (j = 0; j < z->alloc; j++)
    {
        fmpq_clear(z->na + j);
        fmpq_clear(z->nb + j);
        arb_clear(z->a + j);
        arb_clear(z->b + j);
    }
    for (j = 0; j < z->alloc * z->alloc; j++)
        fmpq_clear(z->S + j);
    free(z->pt);
    free(z->pw);
    free(z->na);
    free(z->nb);
    free(z->a);
    free(z->b);
    free(z->S);
    memset(z, 0, sizeof *z);
}

static int same_point(const fy_nnft_spec_t s, slong i, slong j)
{
    slong c;
    for (c = 0; c < s->d; c++)
        if (!fmpq_equal(s->points + i * s->d + c, s->points + j * s->d + c))
            return 0;
    return 1;
}

/* Sigma(x_i, x_j) exactly (with the bias term: not for Cos-net). */
static void sigma_exact(fmpq_t r, const fy_nnft_spec_t s, slong i, slong j)
{
    fmpq_t t;
    slong c;
    fmpq_init(t);
    fmpq_zero(r);
    for (c = 0; c < s->d; c++)
    {
        fmpq_mul(t, s->points + i * s->d + c, s->points + j * s->d + c);
        fmpq_add(r, r, t);
    }
    fmpq_mul(r, r, s->sigma_W);
    fmpq_mul(r, r, s->sigma_W);
    fmpz_set_si(fmpq_numref(t), s->d);
    fmpz_one(fmpq_denref(t));
    fmpq_div(r, r, t);
    fmpq_mul(t, s->sigma_b, s->sigma_b);
    fmpq_add(r, r, t);
    fmpq_clear(t);
}

int fy_nnft_reduce(fy_nnft_red_t z, const fy_nnft_spec_t s, const slong *idx, int m,
                   slong prec, fy_error_t err)
{
    slong r = 0, j, l, p, q;
    int k;
    fmpq *R;
    fmpq_t t;
    arb_t sq;
    fy_nnft_red_clear(z);
    if (m < 1)
        return fy_error_set(err, FY_EINPUT, "moment order %d: at least 1", m);
    z->pt = fy_malloc((size_t) m, sizeof(slong), err);
    z->pw = fy_malloc((size_t) m, sizeof(int), err);
    if (z->pt == NULL || z->pw == NULL)
    {
        fy_nnft_red_clear(z);
        return FY_ENOMEM;
    }
    for (k = 0; k < m; k++)
    {
        if (idx[k] < 0 || idx[k] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range (%ld points)",
                                (long) idx[k], (long) s->npoints);
        for (j = 0; j < r && !same_point(s, z->pt[j], idx[k]); j++)
            ;
        if (j == r)
        {
            z->pt[r] = idx[k];
            z->pw[r] = 0;
            r++;
        }
        z->pw[j]++;
    }
    z->r = r;
    z->m = m;
    z->alloc = r;
    z->na = fy_malloc((size_t) r, sizeof(fmpq), NULL);
    z->nb = fy_malloc((size_t) r, sizeof(fmpq), NULL);
    z->a = fy_malloc((size_t) r, sizeof(arb_struct), NULL);
    z->b = fy_malloc((size_t) r, sizeof(arb_struct), NULL);
    z->S = fy_malloc((size_t) (r * r), sizeof(fmpq), NULL);
    R = fy_malloc((size_t) (r * r), sizeof(fmpq), NULL);
    if (!z->na || !z->nb || !z->a || !z->b || !z->S || !R)
    {
        free(R);
        free(z->na);
        free(z->nb);
        free(z->a);
        free(z->b);
        free(z->S);
        free(z->pt);
        free(z->pw);
        memset(z, 0, sizeof *z);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    for (j = 0; j < r; j++)
    {
        fmpq_init(z->na + j);
        fmpq_init(z->nb + j);
        arb_init(z->a + j);
        arb_init(z->b + j);
    }
    for (j = 0; j < r * r; j++)
    {
        fmpq_init(z->S + j);
        fmpq_init(R + j);
    }
    for (j = 0; j < r; j++)
        for (l = 0; l < r; l++)
            sigma_exact(z->S + j * r + l, s, z->pt[j], z->pt[l]);
    fmpq_init(t);
    arb_init(sq);
    /* first pivot: the largest variance */
    for (p = 0, j = 1; j < r; j++)
        if (fmpq_cmp(z->S + j * r + j, z->S + p * r + p) > 0)
            p = j;
    z->rank = 0;
    z->p = p;
    z->q = -1;
    if (!fmpq_is_zero(z->S + p * r + p))
    {
        z->rank = 1;
        /* R = S - S_.p S_p. / S_pp */
        for (j = 0; j < r; j++)
            for (l = 0; l < r; l++)
            {
                fmpq_mul(t, z->S + j * r + p, z->S + l * r + p);
                fmpq_div(t, t, z->S + p * r + p);
                fmpq_sub(R + j * r + l, z->S + j * r + l, t);
            }
        for (q = 0, j = 1; j < r; j++)
            if (fmpq_cmp(R + j * r + j, R + q * r + q) > 0)
                q = j;
        arb_set_fmpq(sq, z->S + p * r + p, prec);
        arb_rsqrt(sq, sq, prec);
        for (j = 0; j < r; j++)
        {
            fmpq_set(z->na + j, z->S + j * r + p);
            arb_set_fmpq(z->a + j, z->na + j, prec);
            arb_mul(z->a + j, z->a + j, sq, prec);
        }
        if (!fmpq_is_zero(R + q * r + q))
        {
            z->rank = 2;
            z->q = q;
            arb_set_fmpq(sq, R + q * r + q, prec);
            arb_rsqrt(sq, sq, prec);
            for (j = 0; j < r; j++)
            {
                fmpq_set(z->nb + j, R + j * r + q);
                arb_set_fmpq(z->b + j, z->nb + j, prec);
                arb_mul(z->b + j, z->b + j, sq, prec);
            }
            /* rank 3 unless R - R_.q R_q. / R_qq vanishes */
            for (j = 0; j < r && z->rank == 2; j++)
                for (l = 0; l < r; l++)
                {
                    fmpq_mul(t, R + j * r + q, R + l * r + q);
                    fmpq_div(t, t, R + q * r + q);
                    if (!fmpq_equal(t, R + j * r + l))
                    {
                        z->rank = 3;
                        break;
                    }
                }
        }
    }
    for (j = 0; j < r * r; j++)
        fmpq_clear(R + j);
    free(R);
    fmpq_clear(t);
    arb_clear(sq);
    return FY_OK;
}

/* ------------------------------------------------------------------ sin: closed form */
static slong binom_si(int n, int k)
{
    slong c = 1;
    int i;
    for (i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

/* E prod_k sin z_k = (2i)^-m sum_s (prod s) exp(-s^T S s / 2); the copies of point j carry
 * t_j plus signs: weight C(p_j, t_j) (-1)^(p_j - t_j), net coefficient c_j = 2 t_j - p_j. */
static void sin_moment(arb_t res, const fy_nnft_red_t z, slong prec)
{
    slong r = z->r, j, l, total = 1;
    slong cnt[Q2_MAXR], c[Q2_MAXR], code;
    fmpq_t e, t;
    arb_t term;
    fmpq_init(e);
    fmpq_init(t);
    arb_init(term);
    arb_zero(res);
    for (j = 0; j < r; j++)
        total *= z->pw[j] + 1;
    for (code = 0; code < total; code++)
    {
        slong rest = code, w = 1;
        for (j = 0; j < r; j++)
        {
            cnt[j] = rest % (z->pw[j] + 1);
            rest /= z->pw[j] + 1;
            c[j] = 2 * cnt[j] - z->pw[j];
            w *= binom_si(z->pw[j], (int) cnt[j]);
            if ((z->pw[j] - cnt[j]) & 1)
                w = -w;
        }
        fmpq_zero(e);
        for (j = 0; j < r; j++)
            for (l = 0; l < r; l++)
            {
                fmpq_mul_si(t, z->S + j * r + l, c[j] * c[l]);
                fmpq_add(e, e, t);
            }
        fmpq_div_2exp(e, e, 1);
        fmpq_neg(e, e);
        arb_set_fmpq(term, e, prec);
        arb_exp(term, term, prec);
        arb_mul_si(term, term, w, prec);
        arb_add(res, res, term, prec);
    }
    /* (2i)^-m = (-1)^(m/2) 2^-m for even m (odd m: the sum vanishes by s -> -s) */
    arb_mul_2exp_si(res, res, -z->m);
    if (z->m & 1)
        arb_zero(res);
    else if ((z->m / 2) & 1)
        arb_neg(res, res);
    fmpq_clear(e);
    fmpq_clear(t);
    arb_clear(term);
}

/* ------------------------------------------------------------------ relu: closed form */
static slong dfact_odd(int m) /* (m - 1)!! for even m */
{
    slong r = 1;
    int k;
    for (k = m - 1; k > 1; k -= 2)
        r *= k;
    return r;
}

/* sign of the cross product of the rational normals (na, nb)_i x (na, nb)_j */
static int cross_sgn(const fy_nnft_red_t z, slong i, slong j)
{
    fmpq_t x, y;
    int sg;
    fmpq_init(x);
    fmpq_init(y);
    fmpq_mul(x, z->na + i, z->nb + j);
    fmpq_mul(y, z->nb + i, z->na + j);
    sg = fmpq_cmp(x, y);
    fmpq_clear(x);
    fmpq_clear(y);
    return sg;
}

static int dot_sgn(const fy_nnft_red_t z, slong i, slong j)
{
    fmpq_t x, y;
    int sg;
    fmpq_init(x);
    fmpq_init(y);
    fmpq_mul(x, z->na + i, z->na + j);
    fmpq_mul(y, z->nb + i, z->nb + j);
    fmpq_add(x, x, y);
    sg = fmpq_sgn(x);
    fmpq_clear(x);
    fmpq_clear(y);
    return sg;
}

/* normal j lies counter-clockwise of normal i by an angle in [0, pi) */
static int ccw_of(const fy_nnft_red_t z, slong i, slong j)
{
    int c = cross_sgn(z, i, j);
    return c > 0 || (c == 0 && dot_sgn(z, i, j) > 0);
}

static void relu_moment(arb_t res, const fy_nnft_red_t z, slong prec)
{
    slong r = z->r, j, f = -1, l = -1, i, total = 1, code;
    int m = z->m;
    arb_t th0, dl, lo, hi, pi, t, u, term, acc, nrm;
    arb_ptr th;
    arb_zero(res);
    if (m & 1 || z->rank == 0)
        return;
    for (j = 0; j < r; j++)
        if (fmpq_is_zero(z->na + j) && fmpq_is_zero(z->nb + j))
            return; /* z_j = 0: relu vanishes */
    if (z->rank == 1)
    {
        /* z_j = a_j u: nonzero only when all a_j have one sign; then prod |a_j|^p_j
         * E[u^m; u > 0] = prod |a_j|^p_j (m - 1)!! / 2 */
        int pos = 0, neg = 0;
        arb_init(t);
        arb_set_si(res, dfact_odd(m));
        arb_mul_2exp_si(res, res, -1);
        for (j = 0; j < r; j++)
        {
            pos += fmpq_sgn(z->na + j) > 0;
            neg += fmpq_sgn(z->na + j) < 0;
            arb_abs(t, z->a + j);
            arb_pow_ui(t, t, (ulong) z->pw[j], prec);
            arb_mul(res, res, t, prec);
        }
        if (pos != r && neg != r)
            arb_zero(res);
        arb_clear(t);
        return;
    }
    /* rank 2: the extreme normals f (most clockwise) and l (most counter-clockwise) */
    for (i = 0; i < r && f < 0; i++)
    {
        for (j = 0; j < r && (j == i || ccw_of(z, i, j)); j++)
            ;
        if (j == r)
            f = i;
    }
    for (i = 0; i < r && l < 0; i++)
    {
        for (j = 0; j < r && (j == i || ccw_of(z, j, i)); j++)
            ;
        if (j == r)
            l = i;
    }
    if (f < 0 || l < 0)
        return; /* the normals spread over pi or more: the wedge has measure zero */
    arb_init(th0);
    arb_init(dl);
    arb_init(lo);
    arb_init(hi);
    arb_init(pi);
    arb_init(t);
    arb_init(u);
    arb_init(term);
    arb_init(acc);
    arb_init(nrm);
    th = _arb_vec_init(r);
    arb_const_pi(pi, prec);
    for (j = 0; j < r; j++)
        arb_atan2(th + j, z->b + j, z->a + j, prec);
    /* wedge [th_f + D - pi/2, th_f + pi/2], D the angle from n_f to n_l in [0, pi) */
    arb_mul(t, z->a + f, z->b + l, prec);
    arb_submul(t, z->b + f, z->a + l, prec); /* cross */
    arb_mul(u, z->a + f, z->a + l, prec);
    arb_addmul(u, z->b + f, z->b + l, prec); /* dot */
    if (cross_sgn(z, f, l) == 0)
        arb_zero(dl);
    else
        arb_atan2(dl, t, u, prec);
    arb_mul_2exp_si(t, pi, -1);
    arb_add(hi, th + f, t, prec);
    arb_add(lo, th + f, dl, prec);
    arb_sub(lo, lo, t, prec);
    /* prod_k cos(t - t_k) = 2^-m sum_s cos(J t - Phi), J = sum c_j, Phi = sum c_j t_j */
    for (j = 0; j < r; j++)
        total *= z->pw[j] + 1;
    arb_zero(acc);
    for (code = 0; code < total; code++)
    {
        slong rest = code, w = 1, J = 0;
        arb_zero(u); /* Phi */
        for (j = 0; j < r; j++)
        {
            slong cj = 2 * (rest % (z->pw[j] + 1)) - z->pw[j];
            w *= binom_si(z->pw[j], (int) (rest % (z->pw[j] + 1)));
            rest /= z->pw[j] + 1;
            J += cj;
            arb_addmul_si(u, th + j, cj, prec);
        }
        if (J == 0)
        {
            arb_cos(term, u, prec);
            arb_sub(t, hi, lo, prec);
            arb_mul(term, term, t, prec);
        }
        else
        {
            arb_mul_si(t, hi, J, prec);
            arb_sub(t, t, u, prec);
            arb_sin(term, t, prec);
            arb_mul_si(t, lo, J, prec);
            arb_sub(t, t, u, prec);
            arb_sin(t, t, prec);
            arb_sub(term, term, t, prec);
            arb_div_si(term, term, J, prec);
        }
        arb_addmul_si(acc, term, w, prec);
    }
    arb_mul_2exp_si(acc, acc, -m);
    /* times prod |n_j|^p_j and int_0^inf r^(m+1) e^(-r^2/2) dr / (2 pi) = 2^(m/2) (m/2)! /
     * (2 pi) */
    for (j = 0; j < r; j++)
    {
        arb_sqr(nrm, z->a + j, prec);
        arb_addmul(nrm, z->b + j, z->b + j, prec);
        arb_sqrt(nrm, nrm, prec);
        arb_pow_ui(nrm, nrm, (ulong) z->pw[j], prec);
        arb_mul(acc, acc, nrm, prec);
    }
    arb_fac_ui(t, (ulong) m / 2, prec);
    arb_mul_2exp_si(t, t, m / 2 - 1);
    arb_div(t, t, pi, prec);
    arb_mul(res, acc, t, prec);
    _arb_vec_clear(th, r);
    arb_clear(th0);
    arb_clear(dl);
    arb_clear(lo);
    arb_clear(hi);
    arb_clear(pi);
    arb_clear(t);
    arb_clear(u);
    arb_clear(term);
    arb_clear(acc);
    arb_clear(nrm);
}

/* ------------------------------------------------------------------ erf, tanh: quadrature */
typedef struct
{
    fy_nnft_act_t act;
    slong r;
    arb_srcptr a, b;
    const int *pw;
    int inner[Q2_MAXR]; /* columns that depend on v (b_j != 0) */
    slong ninner;
    acb_ptr au;          /* a_j u at the current outer point */
    arb_t L;
    slong prec;
    slong evals;         /* inner integrals run (for the record) */
    slong calls;
    int u_real;          /* the current outer point is real */
    arb_t rsqrt2pi;
} q2_param;

static void act_eval(acb_t y, const acb_t x, fy_nnft_act_t act, slong prec)
{
    if (act == FY_NNFT_ERF)
        acb_hypgeom_erf(y, x, prec);
    else if (act == FY_NNFT_TANH)
        acb_tanh(y, x, prec);
    else if (act == FY_NNFT_SIN)
        acb_sin(y, x, prec);
    else
        acb_indeterminate(y);
}

/* tanh13 (issue 13): B >= sup |phi(t)| over the complex ball t.  tanh: |tanh(x + iy)|^2 =
 * (cosh 2x - cos 2y) / (cosh 2x + cos 2y) <= max(1, tan^2 y) for |y| < pi/2 whatever x (the
 * ratio falls with cosh 2x >= 1 where cos 2y < 0), so B = max(1, tan Y), Y = sup |Im t|,
 * infinite from Y >= pi/2 on (the poles); a ball evaluation of tanh on a box with a wide real
 * part is not finite (e^(2t) + 1 spans 0).  sin: |sin(x + iy)|^2 = sin^2 x + sinh^2 y <=
 * cosh^2 y, B = cosh Y.  Other activations: the ball's own value. */
void fy_nnft_act_bound(mag_t B, const acb_t t, fy_nnft_act_t act, slong prec)
{
    if (act == FY_NNFT_SIN)
    {
        arb_t y;
        arb_init(y);
        arb_get_mag(arb_radref(y), acb_imagref(t)); /* [0 +/- Y] */
        arb_cosh(y, y, prec);
        arb_get_mag(B, y);
        arb_clear(y);
        return;
    }
    if (act == FY_NNFT_TANH)
    {
        arb_t y, h;
        mag_t Y;
        arb_init(y);
        arb_init(h);
        mag_init(Y);
        arb_get_mag(Y, acb_imagref(t));
        arf_set_mag(arb_midref(y), Y);
        arb_const_pi(h, prec);
        arb_mul_2exp_si(h, h, -1);
        if (mag_is_finite(Y) && arb_lt(y, h))
        {
            arb_tan(y, y, prec);
            arb_get_mag(B, y);
            if (mag_cmp_2exp_si(B, 0) < 0)
                mag_one(B);
        }
        else
            mag_inf(B);
        arb_clear(y);
        arb_clear(h);
        mag_clear(Y);
        return;
    }
    {
        acb_t v;
        acb_init(v);
        act_eval(v, t, act, prec);
        if (acb_is_finite(v))
            acb_get_mag(B, v);
        else
            mag_inf(B);
        acb_clear(v);
    }
}

/* prod over the v-dependent columns of phi(a_j u + b_j v)^p_j, times the density of v */
static int inner_f(acb_ptr res, const acb_t v, void *param, slong order, slong prec)
{
    q2_param *q = param;
    acb_t t, p;
    slong i;
    (void) order; /* erf is entire; tanh evaluates to non-finite on balls meeting a pole */
    q->calls++;
    if (q->u_real && acb_is_real(v))
    {
        /* a real point: real arithmetic (several times faster than complex erf) */
        arb_t x, y, w;
        arb_init(x);
        arb_init(y);
        arb_init(w);
        arb_sqr(w, acb_realref(v), prec);
        arb_mul_2exp_si(w, w, -1);
        arb_neg(w, w);
        arb_exp(w, w, prec);
        arb_mul(w, w, q->rsqrt2pi, prec);
        for (i = 0; i < q->ninner; i++)
        {
            int j = q->inner[i];
            arb_mul(x, acb_realref(v), q->b + j, prec);
            arb_add(x, x, acb_realref(q->au + j), prec);
            if (q->act == FY_NNFT_ERF)
                arb_hypgeom_erf(y, x, prec);
            else
                arb_tanh(y, x, prec);
            arb_pow_ui(y, y, (ulong) q->pw[j], prec);
            arb_mul(w, w, y, prec);
        }
        acb_set_arb(res, w);
        arb_clear(x);
        arb_clear(y);
        arb_clear(w);
        return 0;
    }
    acb_init(t);
    acb_init(p);
    fy_nnft_acb_normal_density(p, v, prec);
    for (i = 0; i < q->ninner; i++)
    {
        int j = q->inner[i];
        acb_mul_arb(t, v, q->b + j, prec);
        acb_add(t, t, q->au + j, prec);
        act_eval(t, t, q->act, prec);
        acb_pow_ui(t, t, (ulong) q->pw[j], prec);
        acb_mul(p, p, t, prec);
    }
    acb_set(res, p);
    acb_clear(t);
    acb_clear(p);
    return 0;
}

/* outer integrand: prod over the u-only columns times the density of u, times the inner
 * integral over v in [-L, L] (run to the tolerance the weight asks for at a point, enclosed
 * by a Riemann sum of ball evaluations on a wide ball) */
static int outer_f(acb_ptr res, const acb_t u, void *param, slong order, slong prec)
{
    q2_param *q = param;
    acb_t w, t, I, lo, hi;
    mag_t rad, tol;
    slong j, k;
    int narrow;
    acb_init(w);
    acb_init(t);
    acb_init(I);
    acb_init(lo);
    acb_init(hi);
    mag_init(rad);
    mag_init(tol);
    fy_nnft_acb_normal_density(w, u, prec);
    for (j = 0; j < q->r; j++)
    {
        acb_mul_arb(q->au + j, u, q->a + j, prec);
        if (arb_is_zero(q->b + j))
        {
            act_eval(t, q->au + j, q->act, prec);
            acb_pow_ui(t, t, (ulong) q->pw[j], prec);
            acb_mul(w, w, t, prec);
        }
    }
    if (q->ninner == 0)
    {
        acb_set(res, w); /* rank one: the v integral is 1 (its tail is in the bound) */
        goto done;
    }
    mag_hypot(rad, arb_radref(acb_realref(u)), arb_radref(acb_imagref(u)));
    narrow = order == 0 && mag_cmp_2exp_si(rad, -q->prec / 2) <= 0 && acb_is_finite(w);
    if (narrow)
    {
        /* the inner integral (|value| <= 2 L) is wanted to 2^-(prec + 4) / |w| */
        acb_get_mag(tol, w);
        if (mag_is_zero(tol))
            narrow = 0;
        else
        {
            mag_t one;
            mag_init(one);
            mag_one(one);
            mag_div(tol, one, tol);
            mag_mul_2exp_si(tol, tol, -q->prec - 4);
            if (mag_cmp_2exp_si(tol, 0) >= 0)
                narrow = 0; /* negligible weight: the enclosure below suffices */
            mag_clear(one);
        }
    }
    if (narrow)
    {
        q->u_real = acb_is_real(u);
        acb_set_arb(lo, q->L);
        acb_neg(lo, lo);
        acb_set_arb(hi, q->L);
        acb_calc_integrate(I, inner_f, q, lo, hi, prec, tol, NULL, prec);
        q->u_real = 0;
        q->evals++;
    }
    else
    {
        /* int_{-L}^{L} g dv lies in sum_k len * g(segment ball_k) */
        arb_t len, c;
        arb_init(len);
        arb_init(c);
        arb_mul_2exp_si(len, q->L, 1);
        arb_div_si(len, len, Q2_CRUDE_SEGS, prec);
        acb_zero(I);
        for (k = 0; k < Q2_CRUDE_SEGS; k++)
        {
            arb_mul_si(c, len, 2 * k + 1, prec);
            arb_mul_2exp_si(c, c, -1);
            arb_sub(c, c, q->L, prec);
            arb_add_error(c, len); /* covers the segment (radius len, generous) */
            acb_set_arb(t, c);
            inner_f(t, t, q, 0, prec);
            acb_add(I, I, t, prec);
        }
        acb_mul_arb(I, I, len, prec);
        arb_clear(len);
        arb_clear(c);
    }
    acb_mul(res, w, I, prec);
done:
    acb_clear(w);
    acb_clear(t);
    acb_clear(I);
    acb_clear(lo);
    acb_clear(hi);
    mag_clear(rad);
    mag_clear(tol);
    return 0;
}

int fy_nnft_gauss2_expect(arb_t res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b,
                          const int *pw, slong r, slong prec, fy_error_t err)
{
    q2_param q;
    acb_t lo, hi, I;
    mag_t tol;
    arb_t tail, t;
    slong j, wp = prec + 16;
    int m = 0, rc = FY_OK;
    double Ld;
    if (act != FY_NNFT_ERF && act != FY_NNFT_TANH)
        return fy_error_set(err, FY_EUNSUPPORTED, "two-dimensional moment quadrature is for "
                            "erf and tanh, not %s", fy_nnft_act_name(act));
    if (r < 1 || r > Q2_MAXR)
        return fy_error_set(err, FY_EINPUT, "1..%d columns, not %ld", Q2_MAXR, (long) r);
    for (j = 0; j < r; j++)
    {
        if (pw[j] < 1)
            return fy_error_set(err, FY_EINPUT, "powers must be positive");
        if (!arb_is_finite(a + j) || !arb_is_finite(b + j))
            return fy_error_set(err, FY_EINPUT, "coefficients must be finite");
        m += pw[j];
    }
    if (m & 1)
    {
        arb_zero(res); /* odd activation, odd order */
        return FY_OK;
    }
    memset(&q, 0, sizeof q);
    q.act = act;
    q.r = r;
    q.a = a;
    q.b = b;
    q.pw = pw;
    q.prec = prec;
    for (j = 0; j < r; j++)
        if (!arb_is_zero(b + j))
            q.inner[q.ninner++] = (int) j;
    q.au = _acb_vec_init(r);
    arb_init(q.L);
    arb_init(q.rsqrt2pi);
    arb_const_pi(q.rsqrt2pi, wp);
    arb_mul_2exp_si(q.rsqrt2pi, q.rsqrt2pi, 1);
    arb_rsqrt(q.rsqrt2pi, q.rsqrt2pi, wp);
    acb_init(lo);
    acb_init(hi);
    acb_init(I);
    mag_init(tol);
    arb_init(tail);
    arb_init(t);
    /* L with 4 exp(-L^2/2) / (L sqrt(2 pi)) below 2^-(prec + 8) */
    Ld = ceil(sqrt(2.0 * (prec + 8) * log(2.0)));
    if (Ld < 4)
        Ld = 4;
    arb_set_d(q.L, Ld);
    acb_zero(lo);
    acb_set_arb(hi, q.L);
    mag_set_ui_2exp_si(tol, 1, -prec - 6);
    acb_calc_integrate(I, outer_f, &q, lo, hi, wp, tol, NULL, wp);
    acb_mul_2exp_si(I, I, 1); /* (u, v) -> (-u, -v) */
    /* tail: P(|u| > L) + P(|v| > L) <= 4 exp(-L^2/2) / (L sqrt(2 pi)) */
    arb_sqr(tail, q.L, wp);
    arb_mul_2exp_si(tail, tail, -1);
    arb_neg(tail, tail);
    arb_exp(tail, tail, wp);
    arb_mul_2exp_si(tail, tail, 2);
    arb_div(tail, tail, q.L, wp);
    arb_const_pi(t, wp);
    arb_mul_2exp_si(t, t, 1);
    arb_rsqrt(t, t, wp);
    arb_mul(tail, tail, t, wp);
    if (!arb_is_finite(acb_realref(I)))
        rc = fy_error_set(err, FY_ECHECK, "two-dimensional moment quadrature of %s did not "
                          "converge", fy_nnft_act_name(act));
    else
    {
        arb_set_round(res, acb_realref(I), prec);
        arb_add_error(res, tail);
    }
    _acb_vec_clear(q.au, r);
    arb_clear(q.L);
    arb_clear(q.rsqrt2pi);
    acb_clear(lo);
    acb_clear(hi);
    acb_clear(I);
    mag_clear(tol);
    arb_clear(tail);
    arb_clear(t);
    return rc;
}

/* ------------------------------------------------------------------ erf, tanh: one grid
 * All monomial moments over one global representation z_k = a_k u + b_k v.  The half plane
 * u >= 0 (the integrand is even under (u, v) -> (-u, -v)) is cut to [0, L] x [-L, L] and
 * split into square panels of side 2h.  On a panel the tensor Gauss-Legendre rule of degree n
 * errs by at most 4 h^2 C M, C = (64/15) rho^(-2n) / (rho^2 - 1) (Trefethen, SIAM Rev. 2008,
 * Thm 4.5, once per variable), where M bounds |f| on the product of the Bernstein ellipses
 * E_rho of the two sides; M is bounded by ball evaluation on the ellipses' bounding boxes,
 * per monomial as D prod_k B_k^e_k with D the bound of the two densities and B_k that of
 * |phi(z_k)| (finite only where phi is holomorphic: tanh's poles).  rho and n are chosen per
 * panel for the worst monomial; panels whose whole contribution is below the tolerance are
 * bounded by area * sup |f| on the real panel and skipped.  The monomials are built as a
 * tree, each its parent times one variable, so that a node costs one multiplication and one
 * addition per monomial. */
typedef struct
{
    slong count, P;
    int maxdeg;
    slong *parent; /* -1 for degree 1 */
    slong *var;
    int *deg;
} mono_tree;

slong fy_nnft_gauss2_batch_count(slong P, int maxdeg)
{
    slong c = 0;
    int d;
    for (d = 1; d <= maxdeg; d++)
        c += fy_nnft_tuple_count(P, d);
    return c;
}

/* Monomials of degree 1..maxdeg in lexicographic order within each degree. */
static int mono_tree_init(mono_tree *t, slong P, int maxdeg, fy_error_t err)
{
    slong lo = 0, hi = 0, k, v, id = 0;
    int d;
    t->count = fy_nnft_gauss2_batch_count(P, maxdeg);
    t->P = P;
    t->maxdeg = maxdeg;
    t->parent = fy_malloc((size_t) t->count, sizeof(slong), err);
    t->var = fy_malloc((size_t) t->count, sizeof(slong), err);
    t->deg = fy_malloc((size_t) t->count, sizeof(int), err);
    if (!t->parent || !t->var || !t->deg)
    {
        free(t->parent);
        free(t->var);
        free(t->deg);
        return FY_ENOMEM;
    }
    for (v = 0; v < P; v++, id++)
    {
        t->parent[id] = -1;
        t->var[id] = v;
        t->deg[id] = 1;
    }
    hi = P;
    for (d = 2; d <= maxdeg; d++)
    {
        for (k = lo; k < hi; k++)
            for (v = t->var[k]; v < P; v++, id++)
            {
                t->parent[id] = k;
                t->var[id] = v;
                t->deg[id] = d;
            }
        lo = hi;
        hi = id;
    }
    return FY_OK;
}

static void mono_tree_clear(mono_tree *t)
{
    free(t->parent);
    free(t->var);
    free(t->deg);
}

/* Ball u (or v) covering the Bernstein ellipse of [c - h, c + h] with parameter rho. */
static void ellipse_box(acb_t z, double c, double h, double rho, slong prec)
{
    arb_t x;
    mag_t r;
    (void) prec; /* the box is exact in doubles widened by 1e-12 */
    arb_init(x);
    mag_init(r);
    arb_set_d(x, c);
    acb_set_arb(z, x);
    mag_set_d(r, h * (rho + 1 / rho) / 2 * (1 + 1e-12));
    arb_add_error_mag(acb_realref(z), r);
    mag_set_d(r, h * (rho - 1 / rho) / 2 * (1 + 1e-12));
    arb_add_error_mag(acb_imagref(z), r);
    arb_clear(x);
    mag_clear(r);
}

/* The largest D prod B_k^e_k over the even monomials, with the per-monomial bounds in
 * bnd (may be NULL: worst only). */
static void mono_bounds_want(mag_t worst, mag_ptr bnd, const mono_tree *t, const mag_t D,
                             mag_srcptr B, mag_ptr scratch, const char *want)
{
    slong id;
    mag_zero(worst);
    for (id = 0; id < t->count; id++)
    {
        mag_mul(scratch + id, t->parent[id] < 0 ? D : scratch + t->parent[id], B + t->var[id]);
        if ((t->deg[id] & 1) == 0)
        {
            if ((want == NULL || want[id]) && mag_cmp(scratch + id, worst) > 0)
                mag_set(worst, scratch + id);
            if (bnd != NULL)
                mag_set(bnd + id, scratch + id);
        }
    }
}

static void mono_bounds(mag_t worst, mag_ptr bnd, const mono_tree *t, const mag_t D,
                        mag_srcptr B, mag_ptr scratch)
{
    mono_bounds_want(worst, bnd, t, D, B, scratch, NULL);
}

/* Gauss-Legendre nodes and weights of degree n on [-1, 1], cached. */
typedef struct
{
    slong n;
    arb_ptr x, w;
} gl_rule;

static gl_rule *gl_get(gl_rule *cache, slong *ncache, slong n, slong prec)
{
    slong i, k;
    gl_rule *g;
    for (i = 0; i < *ncache; i++)
        if (cache[i].n == n)
            return cache + i;
    g = cache + (*ncache)++;
    g->n = n;
    g->x = _arb_vec_init(n);
    g->w = _arb_vec_init(n);
    for (k = 0; k < (n + 1) / 2; k++)
    {
        arb_hypgeom_legendre_p_ui_root(g->x + k, g->w + k, (ulong) n, (ulong) k, prec);
        arb_neg(g->x + n - 1 - k, g->x + k);
        arb_set(g->w + n - 1 - k, g->w + k);
    }
    return g;
}

#define Q2_GL_MAX 40 /* distinct degrees cached */
#define Q2_DEG_MAX 400

#define Q3_DEG_MAX 120 /* n^3 nodes a panel */
#define QG_MAXD 3

/* The grid of fy_nnft_gauss_batch: coefficients (P x dim), the monomial tree, the
 * accumulators and per-monomial error bounds, the cached Gauss-Legendre rules, the nodes of
 * the current panel per axis. */
typedef struct
{
    fy_nnft_act_t act;
    int dim;
    slong P, wp;
    arb_srcptr coef;
    mono_tree t;
    arb_ptr acc, prod, phi, pair, x;
    arb_ptr ax[QG_MAXD], wt[QG_MAXD]; /* per axis: coef[k, t] * node_i (n x P), weights */
    int *dep;                         /* the last axis with coef[k, t] != 0 */
    slong h;                          /* panels of side 2h */
    const char *want;                 /* the monomials the degree is chosen for (NULL: all) */
    mag_ptr errb, bnd, scr, B;
    gl_rule gl[Q2_GL_MAX];
    slong ngl;
} qg_work;

/* Bounds over the box z[0] x .. x z[dim-1]: D of the densities, B[k] of |phi(coef_k . z)|. */
static void panel_bounds(mag_t D, mag_ptr B, const acb_struct *z, const qg_work *q, slong prec)
{
    acb_t t, w;
    slong k;
    int i;
    acb_init(t);
    acb_init(w);
    fy_nnft_acb_normal_density(t, z, prec);
    for (i = 1; i < q->dim; i++)
    {
        fy_nnft_acb_normal_density(w, z + i, prec);
        acb_mul(t, t, w, prec);
    }
    acb_get_mag(D, t);
    for (k = 0; k < q->P; k++)
    {
        acb_mul_arb(t, z, q->coef + k * q->dim, prec);
        for (i = 1; i < q->dim; i++)
        {
            acb_mul_arb(w, z + i, q->coef + k * q->dim + i, prec);
            acb_add(t, t, w, prec);
        }
        fy_nnft_act_bound(B + k, t, q->act, prec);
    }
    acb_clear(t);
    acb_clear(w);
}

/* The real panel, with axis ax (-1: none) widened to its Bernstein ellipse of parameter rho:
 * the tensor rule's error splits into one term per axis, (Q_0..Q_(t-1) (I_t - Q_t)
 * I_(t+1)..), in which only axis t leaves the real line (nodes and integrals elsewhere). */
static void panel_boxes(acb_ptr z, const double *c, const qg_work *q, int ax, double rho)
{
    int i;
    for (i = 0; i < q->dim; i++)
        ellipse_box(z + i, c[i], (double) q->h, i == ax ? rho : 1.0, q->wp);
}

/* The Gauss-Legendre degree (and rho) for the worst monomial on the panel centred at c, the
 * quadrature error of a panel being at most sum_t 2^(dim-1) C M_t (h = 1), M_t the bound with
 * axis t on its ellipse; 0 if no degree up to qmax will do. */
static slong panel_degree(double *brho, acb_ptr z, const double *c, qg_work *q, double logtol,
                          slong qmax)
{
    static const double rhos[] = {1.15, 1.3, 1.5, 1.8, 2.2, 2.8, 3.5, 4.5, 6.0, 8.0};
    double best = 1e300;
    mag_t D, worst, wt;
    int r, ax;
    mag_init(D);
    mag_init(worst);
    mag_init(wt);
    *brho = 0;
    for (r = 0; r < (int) (sizeof rhos / sizeof rhos[0]); r++)
    {
        double rho = rhos[r], lw, need;
        mag_zero(worst);
        for (ax = 0; ax < q->dim; ax++)
        {
            panel_boxes(z, c, q, ax, rho);
            panel_bounds(D, q->B, z, q, 64);
            mono_bounds_want(wt, NULL, &q->t, D, q->B, q->scr, q->want);
            if (mag_cmp(wt, worst) > 0)
                mag_set(worst, wt);
        }
        if (mag_is_inf(worst))
            continue;
        /* log(dim 2^(dim-1) (64/15) W / (rho^2 - 1)) - 2 n log rho <= logtol */
        lw = mag_is_zero(worst) ? -1e300 : mag_get_d_log2_approx(worst) * log(2.0);
        lw += log(q->dim * ldexp(1.0, q->dim - 1) * pow((double) q->h, q->dim) * 64.0 / 15.0
                  / (rho * rho - 1));
        need = ceil((lw - logtol) / (2 * log(rho)));
        if (need < 2)
            need = 2;
        if (need < best)
        {
            best = need;
            *brho = rho;
        }
    }
    mag_clear(D);
    mag_clear(worst);
    mag_clear(wt);
    return best > (double) qmax ? 0 : (slong) best;
}

/* Adds the rigorous per-monomial error sum_t 2^(dim-1) C D_t prod B_t^e of the panel (axis t
 * on the ellipse of parameter rho, C = (64/15) rho^(-2n) / (rho^2 - 1)) to errb. */
static void panel_error(qg_work *q, acb_ptr z, const double *c, double rho, slong n)
{
    arb_t cc, rr;
    mag_t D, m2, worst;
    slong id;
    int ax;
    arb_init(cc);
    arb_init(rr);
    mag_init(D);
    mag_init(m2);
    mag_init(worst);
    arb_set_d(rr, rho);
    arb_pow_ui(cc, rr, (ulong) (2 * n), q->wp);
    arb_sqr(rr, rr, q->wp);
    arb_sub_ui(rr, rr, 1, q->wp);
    arb_mul(cc, cc, rr, q->wp);
    arb_ui_div(cc, 64, cc, q->wp);
    arb_div_ui(cc, cc, 15, q->wp);
    arb_mul_2exp_si(cc, cc, q->dim - 1);
    arb_mul_ui(cc, cc, n_pow((ulong) q->h, (ulong) q->dim), q->wp); /* h^dim */
    arb_get_mag(m2, cc);
    for (ax = 0; ax < q->dim; ax++)
    {
        panel_boxes(z, c, q, ax, rho);
        panel_bounds(D, q->B, z, q, q->wp);
        mag_mul(D, D, m2);
        mono_bounds(worst, q->bnd, &q->t, D, q->B, q->scr);
        for (id = 0; id < q->t.count; id++)
            if ((q->t.deg[id] & 1) == 0)
                mag_add(q->errb + id, q->errb + id, q->bnd + id);
    }
    arb_clear(cc);
    arb_clear(rr);
    mag_clear(D);
    mag_clear(m2);
    mag_clear(worst);
}

/* The tensor rule of degree n on the panel centred at c, into acc (densities without their
 * normalisation). */
static void panel_sum(qg_work *q, const gl_rule *g, const double *c, slong n)
{
    slong i, k, l, id, P = q->P, wp = q->wp;
    slong ix[QG_MAXD] = {0};
    arb_t w, nd;
    int t, done = 0, lvl = 0;
    arb_init(w);
    arb_init(nd);
    for (t = 0; t < q->dim; t++)
        for (i = 0; i < n; i++)
        {
            arb_mul_si(nd, g->x + i, q->h, wp);
            arb_add_si(nd, nd, (slong) c[t], wp);
            arb_sqr(w, nd, wp);
            arb_mul_2exp_si(w, w, -1);
            arb_neg(w, w);
            arb_exp(w, w, wp);
            arb_mul(q->wt[t] + i, w, g->w + i, wp);
            arb_mul_si(q->wt[t] + i, q->wt[t] + i, q->h, wp);
            for (k = 0; k < P; k++)
                arb_mul(q->ax[t] + i * P + k, q->coef + k * q->dim + t, nd, wp);
        }
    while (!done)
    {
        arb_set(w, q->wt[0] + ix[0]);
        for (t = 1; t < q->dim; t++)
            arb_mul(w, w, q->wt[t] + ix[t], wp);
        /* phi(z_k) anew only where an axis z_k depends on has moved (lvl: the first axis
         * whose index changed; a Cholesky factor leaves z_k independent of later axes) */
        for (k = 0; k < P; k++)
        {
            if (q->dep[k] < lvl)
                continue;
            arb_set(q->x + k, q->ax[0] + ix[0] * P + k);
            for (t = 1; t <= q->dep[k]; t++)
                arb_add(q->x + k, q->x + k, q->ax[t] + ix[t] * P + k, wp);
            if (q->act == FY_NNFT_ERF)
                arb_hypgeom_erf(q->phi + k, q->x + k, wp);
            else if (q->act == FY_NNFT_TANH)
                arb_tanh(q->phi + k, q->x + k, wp);
            else
                arb_sin(q->phi + k, q->x + k, wp);
        }
        for (k = 0; k < P; k++)
            for (l = k; l < P; l++)
                arb_mul(q->pair + k * P + l, q->phi + k, q->phi + l, wp);
        /* even monomials only: grandparent times a pair of variables */
        for (id = 0; id < q->t.count; id++)
        {
            slong par = q->t.parent[id], gp;
            if ((q->t.deg[id] & 1) || par < 0)
                continue;
            gp = q->t.parent[par];
            arb_mul(q->prod + id, gp < 0 ? w : q->prod + gp,
                    q->pair + q->t.var[par] * P + q->t.var[id], wp);
            arb_add(q->acc + id, q->acc + id, q->prod + id, wp);
        }
        for (t = q->dim - 1; t >= 0; t--) /* the next node */
        {
            if (++ix[t] < n)
                break;
            ix[t] = 0;
            if (t == 0)
                done = 1;
        }
        lvl = t;
    }
    arb_clear(w);
    arb_clear(nd);
}

static int qg_init(qg_work *q, fy_nnft_act_t act, arb_srcptr coef, int dim, slong P,
                   int maxdeg, slong wp, fy_error_t err)
{
    slong k;
    int t, rc;
    memset(q, 0, sizeof *q);
    q->act = act;
    q->dim = dim;
    q->P = P;
    q->coef = coef;
    q->wp = wp;
    if ((rc = mono_tree_init(&q->t, P, maxdeg, err)) != FY_OK)
        return rc;
    q->acc = _arb_vec_init(q->t.count);
    q->prod = _arb_vec_init(q->t.count);
    q->phi = _arb_vec_init(P);
    q->x = _arb_vec_init(P);
    q->pair = _arb_vec_init(P * P);
    for (t = 0; t < QG_MAXD; t++)
    {
        q->ax[t] = _arb_vec_init(Q2_DEG_MAX * P);
        q->wt[t] = _arb_vec_init(Q2_DEG_MAX);
    }
    q->errb = _mag_vec_init(q->t.count);
    q->bnd = _mag_vec_init(q->t.count);
    q->scr = _mag_vec_init(q->t.count);
    q->B = _mag_vec_init(P);
    q->dep = flint_malloc((size_t) P * sizeof(int));
    for (k = 0; k < P; k++)
        for (q->dep[k] = 0, t = 0; t < dim; t++)
            if (!arb_is_zero(coef + k * dim + t))
                q->dep[k] = t;
    return FY_OK;
}

static void qg_clear(qg_work *q)
{
    slong i;
    int t;
    for (i = 0; i < q->ngl; i++)
    {
        _arb_vec_clear(q->gl[i].x, q->gl[i].n);
        _arb_vec_clear(q->gl[i].w, q->gl[i].n);
    }
    for (t = 0; t < QG_MAXD; t++)
    {
        _arb_vec_clear(q->ax[t], Q2_DEG_MAX * q->P);
        _arb_vec_clear(q->wt[t], Q2_DEG_MAX);
    }
    _arb_vec_clear(q->acc, q->t.count);
    _arb_vec_clear(q->prod, q->t.count);
    _arb_vec_clear(q->phi, q->P);
    _arb_vec_clear(q->x, q->P);
    _arb_vec_clear(q->pair, q->P * q->P);
    _mag_vec_clear(q->errb, q->t.count);
    _mag_vec_clear(q->bnd, q->t.count);
    _mag_vec_clear(q->scr, q->t.count);
    _mag_vec_clear(q->B, q->P);
    flint_free(q->dep);
    mono_tree_clear(&q->t);
}

/* One panel: skipped (bounded by area * sup |f|) where negligible, else the rule. */
static int qg_panel(qg_work *q, const double *c, const mag_t tol_panel, double logtol,
                    fy_error_t err)
{
    acb_struct z[QG_MAXD];
    mag_t D, worst, m1;
    slong id, n, qmax = q->dim == 2 ? Q2_DEG_MAX : Q3_DEG_MAX, i;
    double rho;
    int t, rc = FY_OK;
    for (t = 0; t < QG_MAXD; t++)
        acb_init(z + t);
    mag_init(D);
    mag_init(worst);
    mag_init(m1);
    panel_boxes(z, c, q, -1, 1.0); /* the real panel */
    panel_bounds(D, q->B, z, q, q->wp);
    mono_bounds(worst, q->bnd, &q->t, D, q->B, q->scr);
    mag_mul_ui(worst, worst, n_pow((ulong) (2 * q->h), (ulong) q->dim)); /* the volume */
    if (mag_cmp(worst, tol_panel) <= 0)
    {
        for (id = 0; id < q->t.count; id++)
            if ((q->t.deg[id] & 1) == 0)
            {
                mag_mul_ui(m1, q->bnd + id, n_pow((ulong) (2 * q->h), (ulong) q->dim));
                mag_add(q->errb + id, q->errb + id, m1);
            }
        goto done;
    }
    if ((n = panel_degree(&rho, z, c, q, logtol, qmax)) == 0)
    {
        rc = fy_error_set(err, FY_ECHECK, "moment grid: no Gauss-Legendre degree up to %ld "
                          "meets the tolerance on the panel at (%g, %g%s) (poles of %s too "
                          "close to the real space)", (long) qmax, c[0], c[1],
                          q->dim > 2 ? ", ..." : "", fy_nnft_act_name(q->act));
        goto done;
    }
    if (q->ngl == Q2_GL_MAX)
    {
        /* the cache is full: round the degree up to a cached one or give up */
        slong bestn = -1;
        for (i = 0; i < q->ngl; i++)
            if (q->gl[i].n >= n && (bestn < 0 || q->gl[i].n < bestn))
                bestn = q->gl[i].n;
        if (bestn < 0)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "moment grid: degree cache full");
            goto done;
        }
        n = bestn;
    }
    panel_error(q, z, c, rho, n);
    panel_sum(q, gl_get(q->gl, &q->ngl, n, q->wp), c, n);
done:
    for (t = 0; t < QG_MAXD; t++)
        acb_clear(z + t);
    mag_clear(D);
    mag_clear(worst);
    mag_clear(m1);
    return rc;
}

int fy_nnft_gauss_batch(arb_ptr res, fy_nnft_act_t act, arb_srcptr coef, int dim, slong P,
                        int maxdeg, const char *want, slong prec, fy_error_t err)
{
    qg_work q;
    slong id, npan, ip, nu, nv, h = dim == 3 && act == FY_NNFT_ERF ? 2 : 1;
    slong wp = prec + 20 + (dim == 3 ? 20 : 0); /* 2^21 nodes and more in three dimensions */
    double Ld, logtol, c[QG_MAXD];
    mag_t tol_panel, m1, m2;
    arb_t y, tail;
    int t, rc = FY_OK;
    if (act != FY_NNFT_ERF && act != FY_NNFT_TANH && act != FY_NNFT_SIN)
        return fy_error_set(err, FY_EUNSUPPORTED, "the moment grid is for erf, tanh and sin "
                            "(smooth, odd, |phi| <= 1 on the reals), not %s",
                            fy_nnft_act_name(act));
    if (P < 1 || maxdeg < 1 || maxdeg > 16 || dim < 1 || dim > QG_MAXD)
        return fy_error_set(err, FY_EINPUT, "moment grid: P >= 1 points, degree 1..16, "
                            "dimension 1..%d", QG_MAXD);
    for (id = 0; id < P * dim; id++)
        if (!arb_is_finite(coef + id))
            return fy_error_set(err, FY_EINPUT, "moment grid: coefficients must be finite");
    if ((rc = qg_init(&q, act, coef, dim, P, maxdeg, wp, err)) != FY_OK)
        return rc;
    q.h = h;
    q.want = want;
    mag_init(tol_panel);
    mag_init(m1);
    mag_init(m2);
    arb_init(y);
    arb_init(tail);
    Ld = ceil(sqrt(2.0 * (prec + 8) * log(2.0)));
    if (Ld < 4)
        Ld = 4;
    nu = (slong) ceil(Ld / (2.0 * h)); /* panels of side 2h */
    nv = 2 * nu;
    Ld = nu * 2.0 * h; /* a whole number of panels */
    for (npan = nu, t = 1; t < dim; t++)
        npan *= nv;
    mag_set_ui_2exp_si(tol_panel, 1, -prec - 6);
    mag_div_ui(tol_panel, tol_panel, (ulong) npan);
    logtol = -(prec + 6) * log(2.0) - log((double) npan);
    for (ip = 0; ip < npan && rc == FY_OK; ip++)
    {
        slong r = ip;
        for (t = dim - 1; t >= 1; t--, r /= nv)
            c[t] = -Ld + (2.0 * (double) (r % nv) + 1) * h;
        c[0] = (2.0 * (double) r + 1) * h; /* the half space u >= 0 */
        rc = qg_panel(&q, c, tol_panel, logtol, err);
    }
    if (rc == FY_OK)
    {
        /* times 2 (the other half space) / (2 pi)^(dim/2) (the densities); the tails beyond
         * the cube: P(some |y_t| > L) <= dim 2 exp(-L^2/2) / (L sqrt(2 pi)) (|phi| <= 1) */
        arb_set_d(tail, Ld);
        arb_sqr(tail, tail, wp);
        arb_mul_2exp_si(tail, tail, -1);
        arb_neg(tail, tail);
        arb_exp(tail, tail, wp);
        arb_mul_ui(tail, tail, (ulong) (2 * dim), wp);
        arb_div_ui(tail, tail, (ulong) Ld, wp);
        arb_const_pi(y, wp);
        arb_mul_2exp_si(y, y, 1);
        arb_rsqrt(y, y, wp);
        arb_mul(tail, tail, y, wp);
        arb_get_mag(m2, tail);
        arb_const_pi(y, wp);
        arb_mul_2exp_si(y, y, 1);
        arb_sqrt(tail, y, wp);
        arb_pow_ui(y, tail, (ulong) dim, wp); /* (2 pi)^(dim/2) */
        for (id = 0; id < q.t.count; id++)
        {
            if (q.t.deg[id] & 1)
            {
                arb_zero(res + id);
                continue;
            }
            /* errb is in the normalised units (both halves: twice) */
            arb_div(res + id, q.acc + id, y, wp);
            arb_mul_2exp_si(res + id, res + id, 1);
            mag_mul_2exp_si(m1, q.errb + id, 1);
            arb_add_error_mag(res + id, m1);
            arb_add_error_mag(res + id, m2);
            if (dim < 3) /* (rank 3 aims at fewer bits than it keeps) */
                arb_set_round(res + id, res + id, prec);
        }
    }
    qg_clear(&q);
    mag_clear(tol_panel);
    mag_clear(m1);
    mag_clear(m2);
    arb_clear(y);
    arb_clear(tail);
    return rc;
}

int fy_nnft_gauss2_batch(arb_ptr res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b, slong P,
                         int maxdeg, slong prec, fy_error_t err)
{
    arb_ptr coef;
    slong k;
    int rc;
    if (P < 1)
        return fy_error_set(err, FY_EINPUT, "moment grid: P >= 1 points, degree 1..16");
    coef = _arb_vec_init(2 * P);
    for (k = 0; k < P; k++)
    {
        arb_set(coef + 2 * k, a + k);
        arb_set(coef + 2 * k + 1, b + k);
    }
    rc = fy_nnft_gauss_batch(res, act, coef, 2, P, maxdeg, NULL, prec, err);
    _arb_vec_clear(coef, 2 * P);
    return rc;
}

/* ------------------------------------------------------------------ dispatch */
int fy_nnft_moment_rank2(arb_t res, const fy_nnft_spec_t s, const slong *idx, int m,
                         slong prec, fy_error_t err)
{
    fy_nnft_red_t z;
    int rc;
    slong wp = prec + 2 * m + 10;
    if (s->act != FY_NNFT_ERF && s->act != FY_NNFT_TANH && s->act != FY_NNFT_SIN
        && s->act != FY_NNFT_RELU)
        return fy_error_set(err, FY_EUNSUPPORTED, "moments by Gaussian reduction are for erf, "
                            "tanh, sin, relu (%s has closed forms)", fy_nnft_act_name(s->act));
    fy_nnft_red_init(z);
    if ((rc = fy_nnft_reduce(z, s, idx, m, wp, err)) != FY_OK)
    {
        fy_nnft_red_clear(z);
        return rc;
    }
    if (s->act == FY_NNFT_SIN)
        sin_moment(res, z, wp);
    else if (z->rank == 0)
        arb_zero(res); /* every pre-activation is 0 and phi(0) = 0 */
    else if (z->rank > 2 && s->act == FY_NNFT_RELU)
        rc = fy_nnft_relu_rank3(res, z->S, z->pw, z->r, prec, err);
    else if (z->rank > 2)
        rc = fy_nnft_moment_rank3(res, s->act, z->S, z->pw, z->r, prec, err);
    else if (s->act == FY_NNFT_RELU)
        relu_moment(res, z, wp);
    else
        rc = fy_nnft_gauss2_expect(res, s->act, z->a, z->b, z->pw, z->r, prec, err);
    if (rc == FY_OK)
        arb_set_round(res, res, prec);
    fy_nnft_red_clear(z);
    return rc;
}

/* ------------------------------------------------------------------ nested rigorous rule
 * (issue 13, eft13) The integral of f over a box of dim <= 3 coordinates, each cut into
 * pieces at given points, by acb_calc_integrate nested once per coordinate.  The integrand
 * of coordinate l < dim - 1 at a point z is the integral over the coordinates after it:
 *   - at a narrow real ball (the Gauss-Legendre nodes): integrated, piece by piece, to an
 *     absolute tolerance that keeps the outer sum within its own (tol_l / width_l);
 *   - on a wide ball (the integrator's enclosures, order 0, and its bounds on Bernstein
 *     ellipses, order 1): a Riemann enclosure, sum over segment balls of length times f on
 *     the product of the balls, with f asked to be holomorphic there when order is 1 (else
 *     non-finite: then the outer integrator subdivides).  An integral over real segments of
 *     a function holomorphic in z is holomorphic in z, so the bound is a true one.
 * The result is a ball containing the integral; its radius reaches the goal where the
 * pieces' integrands are analytic up to their ends. */
#define NEST_SEGS 12 /* Riemann segments of one coordinate's range (at least one a piece) */

typedef struct nest_s nest_t;
typedef struct
{
    nest_t *n;
    int l;
} nest_level_t;

struct nest_s
{
    fy_nnft_nest_fn f;
    void *param;
    int dim;
    arb_srcptr pts[FY_NNFT_NEST_MAXD];
    slong npts[FY_NNFT_NEST_MAXD];
    acb_struct x[FY_NNFT_NEST_MAXD];
    mag_struct tol[FY_NNFT_NEST_MAXD];
    nest_level_t lev[FY_NNFT_NEST_MAXD];
    double width[FY_NNFT_NEST_MAXD];
    slong wp, evals, max_evals;
    int fail;
};

static void nest_eval(acb_t res, nest_t *n, int analytic, slong prec)
{
    n->evals++;
    if (n->evals > n->max_evals)
    {
        n->fail = 1;
        acb_indeterminate(res);
        return;
    }
    if (n->f(res, n->x, analytic, n->param, prec) != 0)
        acb_indeterminate(res);
}

/* Segment k of nseg of [a, b] as a ball covering it; len: its length (upper bound). */
static void nest_segment(arb_t c, arb_t len, const arb_t a, const arb_t b, slong k, slong nseg,
                         slong prec)
{
    arb_sub(len, b, a, prec);
    arb_div_si(len, len, nseg, prec);
    arb_mul_si(c, len, 2 * k + 1, prec);
    arb_mul_2exp_si(c, c, -1);
    arb_add(c, c, a, prec);
    {
        arb_t h;
        arb_init(h);
        arb_mul_2exp_si(h, len, -1);
        arb_add_error(c, h);
        arb_clear(h);
    }
}

/* The number of segments of piece i of coordinate l. */
static slong nest_nseg(const nest_t *n, int l, slong i)
{
    double a = arf_get_d(arb_midref(n->pts[l] + i), ARF_RND_NEAR);
    double b = arf_get_d(arb_midref(n->pts[l] + i + 1), ARF_RND_NEAR);
    slong k = (slong) ceil(NEST_SEGS * (b - a) / n->width[l]);
    return k < 1 ? 1 : k;
}

/* Riemann enclosure of the integral over coordinates l..dim-1 with 0..l-1 in n->x. */
static void nest_enclose(acb_t res, nest_t *n, int l, int analytic, slong prec)
{
    arb_t c, len;
    acb_t t;
    slong i, k, ns;
    arb_init(c);
    arb_init(len);
    acb_init(t);
    acb_zero(res);
    for (i = 0; i + 1 < n->npts[l] && acb_is_finite(res); i++)
    {
        ns = nest_nseg(n, l, i);
        for (k = 0; k < ns && acb_is_finite(res); k++)
        {
            nest_segment(c, len, n->pts[l] + i, n->pts[l] + i + 1, k, ns, prec);
            acb_set_arb(n->x + l, c);
            if (l + 1 == n->dim)
                nest_eval(t, n, analytic, prec);
            else
                nest_enclose(t, n, l + 1, analytic, prec);
            acb_mul_arb(t, t, len, prec);
            acb_add(res, res, t, prec);
        }
    }
    arb_clear(c);
    arb_clear(len);
    acb_clear(t);
}

static int nest_level_f(acb_ptr res, const acb_t z, void *param, slong order, slong prec);

/* The integral over coordinate l (pieces), coordinates 0..l-1 in n->x. */
static void nest_integrate_level(acb_t res, nest_t *n, int l, slong prec)
{
    acb_t a, b, r;
    slong i;
    acb_calc_integrate_opt_t opt;
    acb_init(a);
    acb_init(b);
    acb_init(r);
    acb_calc_integrate_opt_init(opt);
    acb_zero(res);
    for (i = 0; i + 1 < n->npts[l] && !n->fail; i++)
    {
        acb_set_arb(a, n->pts[l] + i);
        acb_set_arb(b, n->pts[l] + i + 1);
        acb_calc_integrate(r, nest_level_f, n->lev + l, a, b, prec, n->tol + l, opt, prec);
        acb_add(res, res, r, prec);
    }
    if (n->fail)
        acb_indeterminate(res);
    acb_clear(a);
    acb_clear(b);
    acb_clear(r);
}

static int nest_level_f(acb_ptr res, const acb_t z, void *param, slong order, slong prec)
{
    nest_level_t *lv = param;
    nest_t *n = lv->n;
    int l = lv->l;
    mag_t rad;
    acb_set(n->x + l, z);
    if (n->fail)
    {
        acb_indeterminate(res);
        return 0;
    }
    if (l + 1 == n->dim)
    {
        nest_eval(res, n, order != 0, prec);
        return 0;
    }
    mag_init(rad);
    mag_hypot(rad, arb_radref(acb_realref(z)), arb_radref(acb_imagref(z)));
    if (order == 0 && acb_is_real(z) && mag_cmp_2exp_si(rad, -n->wp / 2) <= 0)
        nest_integrate_level(res, n, l + 1, prec);
    else
        nest_enclose(res, n, l + 1, order != 0, prec);
    mag_clear(rad);
    return 0;
}

/* A rough scale of the integral of |f| (midpoint rule on the Riemann segments, real
 * midpoints): sets the tolerances, no part of the result. */
static double nest_scale(nest_t *n, int l, slong prec)
{
    arb_t c, len;
    acb_t t;
    slong i, k, ns;
    double s = 0;
    arb_init(c);
    arb_init(len);
    acb_init(t);
    for (i = 0; i + 1 < n->npts[l]; i++)
    {
        ns = nest_nseg(n, l, i);
        for (k = 0; k < ns; k++)
        {
            double v;
            nest_segment(c, len, n->pts[l] + i, n->pts[l] + i + 1, k, ns, prec);
            mag_zero(arb_radref(c));
            acb_set_arb(n->x + l, c);
            if (l + 1 == n->dim)
            {
                nest_eval(t, n, 0, prec);
                v = acb_is_finite(t) ? fabs(arf_get_d(arb_midref(acb_realref(t)),
                                                      ARF_RND_NEAR)) : 0;
            }
            else
                v = nest_scale(n, l + 1, prec);
            s += v * arf_get_d(arb_midref(len), ARF_RND_NEAR);
        }
    }
    arb_clear(c);
    arb_clear(len);
    acb_clear(t);
    return s;
}

int fy_nnft_nest_integrate(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                           arb_srcptr const *pts, const slong *npts, slong goal, slong prec,
                           fy_error_t err)
{
    nest_t n;
    acb_t I;
    mag_t t;
    double scale;
    int l, rc = FY_OK;
    slong i;
    if (dim < 1 || dim > FY_NNFT_NEST_MAXD)
        return fy_error_set(err, FY_EINPUT, "nested integral over %d coordinates: 1..%d", dim,
                            FY_NNFT_NEST_MAXD);
    if (goal < 2)
        return fy_error_set(err, FY_EINPUT, "nested integral: accuracy goal %ld bits, at "
                            "least 2", (long) goal);
    memset(&n, 0, sizeof n);
    n.f = f;
    n.param = param;
    n.dim = dim;
    n.wp = prec;
    n.max_evals = 2000000L;
    for (l = 0; l < dim; l++)
    {
        if (npts[l] < 2)
            return fy_error_set(err, FY_EINPUT, "nested integral: coordinate %d needs its two "
                                "ends", l);
        for (i = 0; i < npts[l]; i++)
            if (!arb_is_finite(pts[l] + i)
                || (i > 0 && !arb_lt(pts[l] + i - 1, pts[l] + i)))
                return fy_error_set(err, FY_EINPUT, "nested integral: the points of coordinate "
                                    "%d must be finite and increasing", l);
        n.pts[l] = pts[l];
        n.npts[l] = npts[l];
        n.width[l] = arf_get_d(arb_midref(pts[l] + npts[l] - 1), ARF_RND_NEAR)
                     - arf_get_d(arb_midref(pts[l]), ARF_RND_NEAR);
        n.lev[l].n = &n;
        n.lev[l].l = l;
        acb_init(n.x + l);
        mag_init(n.tol + l);
    }
    acb_init(I);
    mag_init(t);
    scale = nest_scale(&n, 0, prec);
    if (!(scale > 0) || !isfinite(scale))
        scale = 1;
    /* the outer tolerance, then each inner one divided by the width it is summed over and
     * by the number of pieces */
    mag_set_d(n.tol, scale);
    mag_mul_2exp_si(n.tol, n.tol, -goal);
    mag_div_ui(n.tol, n.tol, (ulong) (npts[0] - 1));
    for (l = 1; l < dim; l++)
    {
        mag_set_d(t, n.width[l - 1]);
        mag_div(n.tol + l, n.tol + l - 1, t);
        mag_div_ui(n.tol + l, n.tol + l, (ulong) (npts[l] - 1));
    }
    nest_integrate_level(I, &n, 0, prec);
    mag_set_d(t, scale);
    mag_mul_2exp_si(t, t, -goal / 2);
    if (n.fail)
        rc = fy_error_set(err, FY_ECHECK, "nested integral: more than %ld integrand "
                          "evaluations", (long) n.max_evals);
    else if (!acb_is_finite(I) || mag_cmp(arb_radref(acb_realref(I)), t) > 0)
        rc = fy_error_set(err, FY_ECHECK, "nested integral over %d coordinates did not "
                          "converge (%ld bits asked, %ld reached)", dim, (long) goal,
                          (long) acb_rel_accuracy_bits(I));
    else
        arb_set(res, acb_realref(I));
    for (l = 0; l < dim; l++)
    {
        acb_clear(n.x + l);
        mag_clear(n.tol + l);
    }
    acb_clear(I);
    mag_clear(t);
    return rc;
}

/* ------------------------------------------------------------------ adaptive cubature
 * (issue 13, eft13) The integral of f over a box of dim <= 3 coordinates cut into cells at
 * the given points, by tensor Gauss-Legendre rules on boxes refined where needed (globally
 * adaptive: the box with the largest error bound is split in 2^dim until the bounds sum to
 * the goal).  On a box B = prod [c_k - h_k, c_k + h_k] the rule of degree n errs by at most
 *   vol(B) / 2 * (64/15) rho^(-2n) / (rho^2 - 1) * sum_k M_k
 * (Trefethen, SIAM Rev. 2008, Thm 4.5, once per coordinate: the k-th term of I - Q =
 * sum_k Q_1..Q_(k-1) (I_k - Q_k) I_(k+1)..I_dim), M_k bounding |f| with coordinate k on the
 * Bernstein ellipse E_rho of its side and the others on their real sides; M_k is a ball
 * evaluation of f (analytic) on the ellipse's bounding box, non-finite where f may not be
 * holomorphic (a kink, a pole: the box is then split).  A box where the rule needs too many
 * nodes is enclosed by vol(B) f(B) (f on the real box) instead, which also bounds the
 * boxes next to a kink at a cell corner.  The result is the sum of these balls. */
#define CUBE_MAXD 3
#define CUBE_MAX_EVALS 6000000L
#define CUBE_MAXDEPTH 64
#define CUBE_BOUND_DEPTH 6 /* halvings of a region whose ball bound is not finite */
#define CUBE_BOUND_DEPTH_ENTIRE 8 /* the same for f without pieces (halved freely) */

typedef struct
{
    arb_struct c[CUBE_MAXD], h[CUBE_MAXD];
    arb_t est; /* (the integrand's real part) */
    double err; /* upper bound of the radius of est (inf: not finite) */
    int depth;
} cube_box;

typedef struct
{
    fy_nnft_nest_fn f;
    void *param;
    int dim;
    slong wp, evals, nmax;
    double vtot, tol;
    acb_struct x[CUBE_MAXD];
    gl_rule gl[Q2_GL_MAX];
    slong ngl;
    cube_box **heap; /* max-heap on err */
    slong nheap, aheap;
    int fail;
    int entire; /* FY_NNFT_CUBE_ENTIRE: f has no pieces */
} cube_t;

static void cube_eval(acb_t res, cube_t *q, int analytic)
{
    if (q->evals++ >= CUBE_MAX_EVALS)
        q->fail = 1;
    if (q->fail || q->f(res, q->x, analytic, q->param, q->wp) != 0)
        acb_indeterminate(res);
}

static double box_vol(const cube_box *b, int dim)
{
    double v = 1;
    int k;
    for (k = 0; k < dim; k++)
        v *= 2 * arf_get_d(arb_midref(b->h + k), ARF_RND_NEAR);
    return v;
}

/* x[k] = the real side of coordinate k, or (k == ax) its Bernstein ellipse's box. */
static void cube_side(acb_t x, const cube_box *b, int k, double rho)
{
    mag_t r;
    mag_init(r);
    arb_get_mag(r, b->h + k);
    acb_set_arb(x, b->c + k);
    if (rho > 1)
    {
        mag_t s;
        mag_init(s);
        mag_set_d(s, (rho + 1 / rho) / 2 * (1 + 1e-12));
        mag_mul(s, s, r);
        arb_add_error_mag(acb_realref(x), s);
        mag_set_d(s, (rho - 1 / rho) / 2 * (1 + 1e-12));
        mag_mul(s, s, r);
        arb_add_error_mag(acb_imagref(x), s);
        mag_clear(s);
    }
    else
        arb_add_error_mag(acb_realref(x), r);
    mag_clear(r);
}

/* Splits the widest part (a real or an imaginary radius) of the region x (dim balls) into
 * halves: x keeps one, y (a copy) the other; the real part of coordinate ax (the one on its
 * ellipse) only while the halves' midpoints stay on the box's real side [c - h, c + h]: an
 * integrand with pieces picks its piece's formula by the midpoint, and the bound must be
 * that of the piece's continuation (entire: f has no pieces, every part is halved). */
static void cube_halve(acb_ptr x, acb_ptr y, int dim, int ax, double c, double h, int entire)
{
    arb_ptr best = NULL, other = NULL;
    int k, p;
    for (k = 0; k < dim; k++)
        for (p = 0; p < 2; p++)
        {
            arb_ptr a = p ? acb_imagref(x + k) : acb_realref(x + k);
            if (k == ax && p == 0 && !entire)
            {
                double m = arf_get_d(arb_midref(a), ARF_RND_NEAR);
                double r = mag_get_d(arb_radref(a)) / 2;
                if (fabs(m - c) + r > 0.999 * h)
                    continue;
            }
            if (best == NULL || mag_cmp(arb_radref(a), arb_radref(best)) > 0)
            {
                best = a;
                other = p ? acb_imagref(y + k) : acb_realref(y + k);
            }
        }
    arf_t t;
    if (best == NULL)
        return;
    arf_init(t);
    mag_mul_2exp_si(arb_radref(best), arb_radref(best), -1);
    arb_set(other, best);
    arf_set_mag(t, arb_radref(best));
    arf_add(arb_midref(other), arb_midref(other), t, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_sub(arb_midref(best), arb_midref(best), t, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_clear(t);
}

/* M = max(M, sup |f| on the region x), by ball evaluation, the region halved up to depth
 * times where f is not finite there (inf if still not). */
static void cube_bound_rec(mag_t M, cube_t *q, acb_srcptr x, int ax, const double *ch,
                           int analytic, int depth)
{
    acb_t v;
    acb_init(v);
    _acb_vec_set(q->x, x, q->dim);
    cube_eval(v, q, analytic);
    if (acb_is_finite(v))
    {
        mag_t t;
        mag_init(t);
        acb_get_mag(t, v);
        mag_max(M, M, t);
        mag_clear(t);
    }
    else if (depth == 0 || q->fail)
        mag_inf(M);
    else
    {
        acb_ptr a = _acb_vec_init(2 * q->dim);
        _acb_vec_set(a, x, q->dim);
        _acb_vec_set(a + q->dim, x, q->dim);
        cube_halve(a, a + q->dim, q->dim, ax, ch[0], ch[1], q->entire);
        cube_bound_rec(M, q, a, ax, ch, analytic, depth - 1);
        if (mag_is_finite(M))
            cube_bound_rec(M, q, a + q->dim, ax, ch, analytic, depth - 1);
        _acb_vec_clear(a, 2 * q->dim);
    }
    acb_clear(v);
}

/* M: the bound of |f| with coordinate ax on its ellipse (rho > 1) or none (rho = 1). */
static void cube_bound(mag_t M, cube_t *q, const cube_box *b, int ax, double rho)
{
    acb_struct x[CUBE_MAXD];
    int k;
    for (k = 0; k < q->dim; k++)
    {
        acb_init(x + k);
        cube_side(x + k, b, k, k == ax ? rho : 1.0);
    }
    mag_zero(M);
    {
        double ch[2] = {0, 0};
        if (rho > 1)
        {
            ch[0] = arf_get_d(arb_midref(b->c + ax), ARF_RND_NEAR);
            ch[1] = arf_get_d(arb_midref(b->h + ax), ARF_RND_NEAR);
        }
        cube_bound_rec(M, q, x, rho > 1 ? ax : -1, ch, rho > 1,
                       q->entire ? CUBE_BOUND_DEPTH_ENTIRE : CUBE_BOUND_DEPTH);
    }
    for (k = 0; k < q->dim; k++)
        acb_clear(x + k);
}

/* The rigorous error of the degree-n rule on b for rho, sum_k M[k]. */
static void cube_rule_error(mag_t e, const cube_box *b, int dim, double rho, slong n,
                            const mag_t sumM)
{
    mag_t t;
    int k;
    mag_init(t);
    mag_set(e, sumM);
    mag_mul_ui(e, e, 64);
    mag_div_ui(e, e, 15);
    for (k = 0; k < dim; k++)
    {
        arb_get_mag(t, b->h + k); /* vol / 2 = 2^(dim - 1) prod h_k */
        mag_mul(e, e, t);
    }
    mag_mul_2exp_si(e, e, dim - 1);
    mag_set_d_lower(t, rho);
    mag_pow_ui_lower(t, t, (ulong) (2 * n));
    mag_div(e, e, t);
    mag_set_d_lower(t, (rho * rho - 1) * (1 - 1e-12));
    mag_div(e, e, t);
    mag_clear(t);
}

/* The tensor rule of degree n on b (the real part, or its absolute value), added to est. */
static void cube_rule(arb_t est, cube_t *q, const cube_box *b, slong n, int absval)
{
    gl_rule *g = gl_get(q->gl, &q->ngl, n, q->wp);
    slong ix[CUBE_MAXD] = {0, 0, 0};
    arb_t w;
    acb_t v;
    int k, done = 0;
    arb_init(w);
    acb_init(v);
    while (!done && !q->fail)
    {
        arb_one(w);
        for (k = 0; k < q->dim; k++)
        {
            arb_mul(acb_realref(q->x + k), b->h + k, g->x + ix[k], q->wp);
            arb_add(acb_realref(q->x + k), acb_realref(q->x + k), b->c + k, q->wp);
            arb_zero(acb_imagref(q->x + k));
            arb_mul(w, w, g->w + ix[k], q->wp);
            arb_mul(w, w, b->h + k, q->wp);
        }
        cube_eval(v, q, 0);
        if (absval)
            arb_abs(acb_realref(v), acb_realref(v));
        arb_addmul(est, acb_realref(v), w, q->wp);
        for (k = q->dim - 1; k >= 0; k--)
        {
            if (++ix[k] < n)
                break;
            ix[k] = 0;
            if (k == 0)
                done = 1;
        }
    }
    arb_clear(w);
    acb_clear(v);
}

/* The degree rounded up to one of a few (the rules are cached). */
static slong cube_degree(double need)
{
    static const slong deg[] = {2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56,
                                64, 80, 96, 112, 128, 160};
    int i;
    for (i = 0; i + 1 < (int) (sizeof deg / sizeof deg[0]) && (double) deg[i] < need; i++)
        ;
    return deg[i];
}

/* The estimate of b: the crude enclosure where it meets the box's share of the tolerance,
 * else the rule of the least degree (over a few rho) that does, else the crude one. */
static void cube_estimate(cube_t *q, cube_box *b)
{
    static const double rhos[] = {1.25, 1.6, 2.2, 3.2, 5.0, 8.0};
    double tolb = q->tol * box_vol(b, q->dim) / q->vtot, best = 1e300, brho = 0, lw, need;
    mag_t M, sum, cur, e;
    arb_t vol;
    acb_t v;
    int r, k;
    acb_init(v);
    mag_init(cur);
    mag_init(M);
    mag_init(sum);
    mag_init(e);
    arb_init(vol);
    arb_one(vol);
    for (k = 0; k < q->dim; k++)
    {
        arb_mul(vol, vol, b->h + k, q->wp);
        arb_mul_2exp_si(vol, vol, 1);
    }
    for (k = 0; k < q->dim; k++)
        cube_side(q->x + k, b, k, 1.0);
    cube_eval(v, q, 0);
    arb_mul(b->est, acb_realref(v), vol, q->wp);
    b->err = arb_is_finite(b->est) ? mag_get_d(arb_radref(b->est)) : INFINITY;
    /* rho upwards while the bounds stay finite, the least degree kept (sum: its bounds) */
    for (r = 0; r < (int) (sizeof rhos / sizeof rhos[0]) && b->err > tolb; r++)
    {
        mag_zero(cur);
        for (k = 0; k < q->dim && mag_is_finite(cur); k++)
        {
            cube_bound(M, q, b, k, rhos[r]);
            mag_add(cur, cur, M);
        }
        if (!mag_is_finite(cur))
            break;
        cube_rule_error(e, b, q->dim, rhos[r], 0, cur);
        lw = mag_is_zero(e) ? -1e300 : mag_get_d_log2_approx(e);
        need = ceil((lw - log2(tolb)) / (2 * log2(rhos[r])));
        if (need < best)
        {
            best = need < 2 ? 2 : need;
            brho = rhos[r];
            mag_set(sum, cur);
        }
    }
    if (b->err > tolb && best <= (double) q->nmax && !q->fail)
    {
        slong n = cube_degree(best);
        cube_rule_error(e, b, q->dim, brho, n, sum); /* sum: the bounds for brho */
        arb_zero(b->est);
        cube_rule(b->est, q, b, n, 0);
        arb_add_error_mag(b->est, e);
        b->err = arb_is_finite(b->est) ? mag_get_d(arb_radref(b->est)) : INFINITY;
    }
    mag_clear(M);
    mag_clear(sum);
    mag_clear(e);
    mag_clear(cur);
    arb_clear(vol);
    acb_clear(v);
}

static void cube_box_init(cube_box *b)
{
    int k;
    for (k = 0; k < CUBE_MAXD; k++)
    {
        arb_init(b->c + k);
        arb_init(b->h + k);
    }
    arb_init(b->est);
    b->err = INFINITY;
    b->depth = 0;
}

static void cube_box_free(cube_box *b)
{
    int k;
    for (k = 0; k < CUBE_MAXD; k++)
    {
        arb_clear(b->c + k);
        arb_clear(b->h + k);
    }
    arb_clear(b->est);
    free(b);
}

static int cube_push(cube_t *q, cube_box *b)
{
    slong i = q->nheap, p;
    if (q->nheap == q->aheap)
    {
        slong na = 2 * q->aheap + 64;
        cube_box **h = realloc(q->heap, (size_t) na * sizeof *h);
        if (h == NULL)
            return FY_ENOMEM;
        q->heap = h;
        q->aheap = na;
    }
    q->heap[q->nheap++] = b;
    for (; i > 0 && !(q->heap[p = (i - 1) / 2]->err >= q->heap[i]->err); i = p)
    {
        cube_box *t = q->heap[p];
        q->heap[p] = q->heap[i];
        q->heap[i] = t;
    }
    return FY_OK;
}

static cube_box *cube_pop(cube_t *q)
{
    cube_box *top = q->heap[0];
    slong i = 0, l, m;
    q->heap[0] = q->heap[--q->nheap];
    for (;;)
    {
        l = 2 * i + 1;
        m = i;
        if (l < q->nheap && !(q->heap[l]->err <= q->heap[m]->err))
            m = l;
        if (l + 1 < q->nheap && !(q->heap[l + 1]->err <= q->heap[m]->err))
            m = l + 1;
        if (m == i)
            break;
        {
            cube_box *t = q->heap[m];
            q->heap[m] = q->heap[i];
            q->heap[i] = t;
        }
        i = m;
    }
    return top;
}

/* The sum of the errors (inf if any is), recomputed. */
static double cube_total_err(const cube_t *q)
{
    double e = 0;
    slong i;
    for (i = 0; i < q->nheap; i++)
        e += q->heap[i]->err;
    return e;
}

/* Splits b in halves along every side at least half its longest (2^dim pieces at most),
 * each estimated and pushed (*ec: their errors); frees b. */
static int cube_split(cube_t *q, cube_box *b, double *ec)
{
    int s, k, rc = FY_OK, cut = 0;
    double hmax = 0, hk[CUBE_MAXD];
    for (k = 0; k < q->dim; k++)
    {
        hk[k] = arf_get_d(arb_midref(b->h + k), ARF_RND_NEAR);
        hmax = hk[k] > hmax ? hk[k] : hmax;
    }
    for (k = 0; k < q->dim; k++)
        if (hk[k] >= hmax / 2)
            cut |= 1 << k;
    for (s = 0; s < (1 << q->dim) && rc == FY_OK; s++)
    {
        cube_box *c;
        if ((s & ~cut) != 0)
            continue;
        if ((c = malloc(sizeof *c)) == NULL)
        {
            rc = FY_ENOMEM;
            break;
        }
        cube_box_init(c);
        c->depth = b->depth + 1;
        for (k = 0; k < q->dim; k++)
        {
            if (!((cut >> k) & 1))
            {
                arb_set(c->h + k, b->h + k);
                arb_set(c->c + k, b->c + k);
                continue;
            }
            arb_mul_2exp_si(c->h + k, b->h + k, -1);
            if ((s >> k) & 1)
                arb_add(c->c + k, b->c + k, c->h + k, q->wp);
            else
                arb_sub(c->c + k, b->c + k, c->h + k, q->wp);
        }
        cube_estimate(q, c);
        *ec += c->err;
        if ((rc = cube_push(q, c)) != FY_OK)
            cube_box_free(c);
    }
    cube_box_free(b);
    return rc;
}

/* The cells of the cut points as boxes; *scale: a rough int |f| (the 3-point rule of |f| per
 * cell: of f it was about 0 where the integral vanishes by a symmetry, e.g. the sin vertex
 * of the hms-d2-erf points (0 0 0 1), and the tolerance with it: the cubature then gave up
 * after 6e6 evaluations (vert13); the same for integrands of one sign). */
static int cube_cells(cube_t *q, double *scale, arb_srcptr const *pts, const slong *npts)
{
    slong ix[CUBE_MAXD] = {0, 0, 0};
    int k, done = 0, rc = FY_OK;
    *scale = 0;
    while (!done && rc == FY_OK)
    {
        cube_box *b = malloc(sizeof *b);
        if (b == NULL)
            return FY_ENOMEM;
        cube_box_init(b);
        for (k = 0; k < q->dim; k++)
        {
            arb_sub(b->h + k, pts[k] + ix[k] + 1, pts[k] + ix[k], q->wp);
            arb_mul_2exp_si(b->h + k, b->h + k, -1);
            arb_add(b->c + k, pts[k] + ix[k] + 1, pts[k] + ix[k], q->wp);
            arb_mul_2exp_si(b->c + k, b->c + k, -1);
        }
        arb_zero(b->est);
        cube_rule(b->est, q, b, 3, 1);
        if (arb_is_finite(b->est))
            *scale += fabs(arf_get_d(arb_midref(b->est), ARF_RND_NEAR));
        b->err = INFINITY; /* estimated once the tolerance is known */
        if ((rc = cube_push(q, b)) != FY_OK)
            cube_box_free(b);
        for (k = q->dim - 1; k >= 0; k--)
        {
            if (++ix[k] + 1 < npts[k])
                break;
            ix[k] = 0;
            if (k == 0)
                done = 1;
        }
    }
    return rc;
}

int fy_nnft_cube_integrate(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                           arb_srcptr const *pts, const slong *npts, slong goal, slong prec,
                           fy_error_t err)
{
    return fy_nnft_cube_integrate_opt(res, f, param, dim, pts, npts, goal, prec, 0, err);
}

int fy_nnft_cube_integrate_opt(arb_t res, fy_nnft_nest_fn f, void *param, int dim,
                               arb_srcptr const *pts, const slong *npts, slong goal,
                               slong prec, int flags, fy_error_t err)
{
    cube_t q;
    arb_t I;
    double scale, e;
    slong i;
    int k, rc = FY_OK;
    if (dim < 1 || dim > CUBE_MAXD)
        return fy_error_set(err, FY_EINPUT, "cubature over %d coordinates: 1..%d", dim,
                            CUBE_MAXD);
    if (goal < 2)
        return fy_error_set(err, FY_EINPUT, "cubature: accuracy goal %ld bits, at least 2",
                            (long) goal);
    for (k = 0; k < dim; k++)
    {
        if (npts[k] < 2)
            return fy_error_set(err, FY_EINPUT, "cubature: coordinate %d needs its two ends", k);
        for (i = 0; i < npts[k]; i++)
            if (!arb_is_finite(pts[k] + i) || (i > 0 && !arb_lt(pts[k] + i - 1, pts[k] + i)))
                return fy_error_set(err, FY_EINPUT, "cubature: the points of coordinate %d "
                                    "must be finite and increasing", k);
    }
    memset(&q, 0, sizeof q);
    q.f = f;
    q.param = param;
    q.dim = dim;
    q.wp = prec;
    q.entire = (flags & FY_NNFT_CUBE_ENTIRE) != 0;
    /* entire in three coordinates: its bounds reach wider ellipses, where a rule of 24 nodes
     * a coordinate on a box costs less than splitting it (the hms-d3-erf vertex at Lambda =
     * 3: 7.7 s against 12.8 s with 16) */
    q.nmax = dim == 1 ? 160 : dim == 2 ? 40 : q.entire ? 24 : 16;
    q.vtot = 1;
    for (k = 0; k < dim; k++)
    {
        acb_init(q.x + k);
        q.vtot *= arf_get_d(arb_midref(pts[k] + npts[k] - 1), ARF_RND_NEAR)
                  - arf_get_d(arb_midref(pts[k]), ARF_RND_NEAR);
    }
    arb_init(I);
    rc = cube_cells(&q, &scale, pts, npts);
    if (!(scale > 0) || !isfinite(scale))
        scale = 1;
    q.tol = ldexp(scale, (int) -goal);
    for (i = 0; i < q.nheap && rc == FY_OK; i++) /* the cells, estimated */
        cube_estimate(&q, q.heap[i]);
    if (rc == FY_OK)
    {
        slong n = q.nheap; /* the heap order anew */
        q.nheap = 0;
        for (i = 0; i < n; i++)
            cube_push(&q, q.heap[i]);
    }
    e = cube_total_err(&q);
    for (i = 1; rc == FY_OK && !q.fail && !(e <= q.tol); i++)
    {
        cube_box *b = cube_pop(&q);
        double eb = b->err, ec = 0;
        if (b->depth >= CUBE_MAXDEPTH)
        {
            cube_push(&q, b);
            break;
        }
        rc = cube_split(&q, b, &ec);
        e = isfinite(eb) && isfinite(e) && (i & 255) ? e - eb + ec : cube_total_err(&q);
    }
    arb_zero(I);
    for (i = 0; i < q.nheap; i++)
    {
        arb_add(I, I, q.heap[i]->est, prec);
        cube_box_free(q.heap[i]);
    }
    if (rc == FY_OK)
    {
        mag_t t;
        mag_init(t);
        mag_set_d(t, scale);
        mag_mul_2exp_si(t, t, -goal / 2);
        if (q.fail)
            rc = fy_error_set(err, FY_ECHECK, "cubature: more than %ld integrand evaluations "
                              "(%ld bits asked, %ld reached)", (long) CUBE_MAX_EVALS,
                              (long) goal, (long) arb_rel_accuracy_bits(I));
        else if (!arb_is_finite(I) || mag_cmp(arb_radref(I), t) > 0)
            rc = fy_error_set(err, FY_ECHECK, "cubature over %d coordinates did not converge "
                              "(%ld bits asked, %ld reached)", dim, (long) goal,
                              (long) arb_rel_accuracy_bits(I));
        else
            arb_set(res, I);
        mag_clear(t);
    }
    else if (rc == FY_ENOMEM)
        rc = fy_error_set(err, FY_ENOMEM, "cubature: out of memory");
    for (k = 0; k < dim; k++)
        acb_clear(q.x + k);
    for (i = 0; i < q.ngl; i++)
    {
        _arb_vec_clear(q.gl[i].x, q.gl[i].n);
        _arb_vec_clear(q.gl[i].w, q.gl[i].n);
    }
    free(q.heap);
    arb_clear(I);
    return rc;
}
