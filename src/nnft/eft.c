/* eft.c - the effective action of an NN field theory (MATH.md 4.3, [HMS] section 4): kernels
 * on vertex legs, vertex integrals over [-Lambda, Lambda]^d, Feynman graphs of the engine
 * bound to kernels, quartic couplings from G4 (per tuple, averaged, least squares over
 * templates), the 6-point prediction and the cut-off scan (feynn/nnft.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num/arb_all.h"

#include "feynn/feynman.h"
#include "nnft/nnft_internal.h"

#define EFT_MAX_LEGS 8

static const char *const tpl_names[FY_NNFT_NTPL] = {"local", "x2-local", "nonlocal"};

const char *fy_nnft_tpl_name(fy_nnft_tpl_t t)
{
    return (t >= 0 && t < FY_NNFT_NTPL) ? tpl_names[t] : "?";
}

int fy_nnft_tpl_parse(fy_nnft_tpl_t *t, const char *name)
{
    int k;
    for (k = 0; k < FY_NNFT_NTPL; k++)
        if (strcmp(name, tpl_names[k]) == 0)
        {
            *t = (fy_nnft_tpl_t) k;
            return 0;
        }
    return -1;
}

/* ------------------------------------------------------------------ kernels on vertex legs
 * The scales of the spec as balls, and per leg its point y (balls and doubles) and
 * Sigma(y, y). */
typedef struct
{
    fy_nnft_act_t act;
    slong d;
    arb_t c;   /* sigma_W^2 / d */
    arb_t sb2; /* sigma_b^2 (0 for cos) */
    arb_t a2;  /* sigma_a^2 (halved for cos) */
    arb_t pi;
    int m;     /* legs */
    const fmpq *pt[EFT_MAX_LEGS]; /* their points (d rationals each) */
    int dup[EFT_MAX_LEGS];        /* leg j at the point of leg j - 1 */
    arb_ptr y; /* m x d */
    arb_t syy[EFT_MAX_LEGS];
    double yd[EFT_MAX_LEGS * 3];
    double cd, sb2d, a2d;
    int weight;
    int relu_line; /* relu, sigma_b = 0, d = 1: K_EFT = a2 c x y / 2 where x y > 0 */
    int side;      /* relu_line: the sign of x on the piece integrated (0: from x itself) */
    int have_sgn;  /* relu, d = 1, sigma_b > 0: sgn[j] = sign of x - y_j on the piece */
    int sgn[EFT_MAX_LEGS];
    arb_t sbc;     /* sigma_b sqrt(c): sqrt(D) = sgn sigma_b sqrt(c) (x - y) in d = 1 */
} kctx;

static int qvec_equal(const fmpq *a, const fmpq *b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        if (!fmpq_equal(a + i, b + i))
            return 0;
    return 1;
}

static void qvec_set(fmpq *a, const fmpq *b, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_set(a + i, b + i);
}

/* The legs at the spec points idx, or (pts != NULL) at the m points pts (m x d), each the
 * image of its spec point idx[j] under a signed permutation of the coordinates (so
 * Sigma(y, y) is that of idx[j]). */
static int kctx_init(kctx *k, const fy_nnft_spec_t s, const slong *idx, const fmpq *pts, int m,
                     slong prec, fy_error_t err)
{
    int j;
    slong c;
    memset(k, 0, sizeof *k);
    if (m < 0 || m > EFT_MAX_LEGS)
        return fy_error_set(err, FY_EINPUT, "vertex with %d legs: 1..%d", m, EFT_MAX_LEGS);
    for (j = 0; j < m; j++)
        if (idx[j] < 0 || idx[j] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range (%ld points)",
                                (long) idx[j], (long) s->npoints);
    k->act = s->act;
    k->d = s->d;
    k->m = m;
    for (j = 0; j < m; j++)
    {
        k->pt[j] = pts != NULL ? pts + j * s->d : s->points + idx[j] * s->d;
        k->dup[j] = j > 0 && qvec_equal(k->pt[j], k->pt[j - 1], s->d);
    }
    arb_init(k->c);
    arb_init(k->sb2);
    arb_init(k->a2);
    arb_init(k->pi);
    arb_set_fmpq(k->c, s->sigma_W, prec);
    arb_sqr(k->c, k->c, prec);
    arb_div_si(k->c, k->c, s->d, prec);
    fy_nnft_bias_var(k->sb2, s, prec);
    arb_set_fmpq(k->a2, s->sigma_a, prec);
    arb_sqr(k->a2, k->a2, prec);
    if (s->act == FY_NNFT_COS)
        arb_mul_2exp_si(k->a2, k->a2, -1);
    arb_const_pi(k->pi, prec);
    arb_init(k->sbc);
    arb_sqrt(k->sbc, k->c, prec);
    {
        arb_t b;
        arb_init(b);
        arb_set_fmpq(b, s->sigma_b, prec);
        arb_mul(k->sbc, k->sbc, b, prec);
        arb_clear(b);
    }
    k->y = _arb_vec_init(m * s->d + 1);
    for (j = 0; j < m; j++)
    {
        arb_init(k->syy[j]);
        fy_nnft_sigma(k->syy[j], s, idx[j], idx[j], prec);
        for (c = 0; c < s->d; c++)
        {
            arb_set_fmpq(k->y + j * s->d + c, k->pt[j] + c, prec);
            if (s->d <= 3)
                k->yd[j * 3 + c] = fy_fmpq_get_d(k->pt[j] + c);
        }
    }
    k->cd = arf_get_d(arb_midref(k->c), ARF_RND_NEAR);
    k->sb2d = arf_get_d(arb_midref(k->sb2), ARF_RND_NEAR);
    k->a2d = arf_get_d(arb_midref(k->a2), ARF_RND_NEAR);
    k->relu_line = s->act == FY_NNFT_RELU && s->d == 1 && fmpq_is_zero(s->sigma_b);
    return FY_OK;
}

static void kctx_clear(kctx *k)
{
    int j;
    if (k->y == NULL)
        return;
    for (j = 0; j < k->m; j++)
        arb_clear(k->syy[j]);
    _arb_vec_clear(k->y, k->m * k->d + 1);
    arb_clear(k->c);
    arb_clear(k->sb2);
    arb_clear(k->a2);
    arb_clear(k->pi);
    arb_clear(k->sbc);
    k->y = NULL;
}

/* 1 if z may lie on (-inf, -1] or [1, inf) (the branch cuts of asin). */
static int near_asin_cut(const acb_t z)
{
    arb_t t;
    int r;
    if (!arb_contains_zero(acb_imagref(z)))
        return 0;
    arb_init(t);
    arb_abs(t, acb_realref(z));
    arb_sub_ui(t, t, 1, MAG_BITS);
    r = !arb_is_negative(t);
    arb_clear(t);
    return r;
}

/* 1 if w may lie on the branch cuts of atan, i(-inf, -1] and i[1, inf). */
static int near_atan_cut(const acb_t w)
{
    arb_t t;
    int r;
    if (!arb_contains_zero(acb_realref(w)))
        return 0;
    arb_init(t);
    arb_abs(t, acb_imagref(w));
    arb_sub_ui(t, t, 1, MAG_BITS);
    r = !arb_is_negative(t);
    arb_clear(t);
    return r;
}

/* The sign of the piece a ball of one coordinate lies in (the pieces cut at 0): that of its
 * real part, or, for the integrators' balls (analytic: around a part of one piece, centred
 * in it), that of its midpoint; 0 if unknown. */
static int piece_sign(const acb_t x, int analytic)
{
    if (arb_is_positive(acb_realref(x)))
        return 1;
    if (arb_is_negative(acb_realref(x)))
        return -1;
    return analytic ? arf_sgn(arb_midref(acb_realref(x))) : 0;
}

static int vec_is_real(acb_srcptr x, slong d)
{
    slong c;
    for (c = 0; c < d; c++)
        if (!arb_is_zero(acb_imagref(x + c)))
            return 0;
    return 1;
}

/* The arc-cosine kernel of relu from sqrt(D) (sd), R = sqrt(Sxx Syy) and Sxy:
 * a2 / (2 pi) [sqrt(D) + (pi - theta) Sxy] with theta = 2 atan(sqrt D / (R + Sxy)) (hi), or
 * pi - theta = 2 atan(sqrt D / (R - Sxy)) (!hi: Sxy < 0); indeterminate where not finite or,
 * analytic, near atan's cuts. */
static void relu_tail(acb_t res, const kctx *k, const acb_t sd, const acb_t R, const acb_t sxy,
                      int hi, int analytic, slong prec)
{
    acb_t t, u;
    acb_init(t);
    acb_init(u);
    if (hi)
        acb_add(t, R, sxy, prec);
    else
        acb_sub(t, R, sxy, prec);
    acb_div(u, sd, t, prec);
    if (!acb_is_finite(u) || (analytic && near_atan_cut(u)))
        acb_indeterminate(res);
    else
    {
        acb_atan(u, u, prec);
        acb_mul_2exp_si(u, u, 1);
        if (hi) /* theta -> pi - theta */
        {
            acb_neg(u, u);
            acb_add_arb(u, u, k->pi, prec);
        }
        acb_mul(u, u, sxy, prec);
        acb_add(t, sd, u, prec);
        acb_div_arb(t, t, k->pi, prec);
        acb_mul_2exp_si(t, t, -1);
        acb_mul_arb(res, t, k->a2, prec);
    }
    acb_clear(t);
    acb_clear(u);
}

/* relu in d >= 2: a2 / (2 pi) [sqrt(D) + (pi - theta) Sxy], theta = atan2(sqrt D, Sxy), with
 * D = Sxx Syy - Sxy^2 written as a sum of squares, sigma_b^2 c |x - y|^2 + c^2 |x ^ y|^2, and
 * theta = 2 atan(sqrt D / (R + Sxy)) where Sxy >= 0, pi - 2 atan(sqrt D / (R - Sxy)) else
 * (R = sqrt(Sxx Syy)): holomorphic off the kinks (the points x = y for sigma_b > 0, the ray
 * through y for sigma_b = 0), which the integrators' pieces have at their ends; in d = 2
 * with sigma_b = 0, sqrt D = c |x1 y2 - x2 y1| with the sign of the piece. */
static void relu_kef_hd(acb_t res, kctx *k, int j, acb_srcptr x, const acb_t sxx,
                        const acb_t sxy, int analytic, slong prec)
{
    arb_srcptr y = k->y + j * k->d;
    acb_t D, t, u, R;
    slong c, e;
    int sb0 = arb_is_zero(k->sb2), side = 0, hi;
    acb_init(D);
    acb_init(t);
    acb_init(u);
    acb_init(R);
    acb_zero(D);
    for (c = 0; c < k->d; c++)
        for (e = c + 1; e < k->d; e++)
        {
            /* (x ^ y)_ce = x_c y_e - x_e y_c */
            acb_mul_arb(t, x + c, y + e, prec);
            acb_mul_arb(u, x + e, y + c, prec);
            acb_sub(t, t, u, prec);
            if (sb0 && k->d == 2)
                side = piece_sign(t, analytic);
            acb_sqr(t, t, prec);
            acb_add(D, D, t, prec);
        }
    acb_mul_arb(D, D, k->c, prec);
    acb_mul_arb(D, D, k->c, prec);
    if (!sb0)
    {
        acb_zero(u);
        for (c = 0; c < k->d; c++)
        {
            acb_sub_arb(t, x + c, y + c, prec);
            acb_sqr(t, t, prec);
            acb_add(u, u, t, prec);
        }
        acb_mul_arb(u, u, k->c, prec);
        acb_mul_arb(u, u, k->sb2, prec);
        acb_add(D, D, u, prec);
    }
    if (sb0 && k->d == 2 && side != 0)
    {
        /* c (x1 y2 - x2 y1) with its sign on the piece */
        acb_mul_arb(D, x, y + 1, prec);
        acb_mul_arb(t, x + 1, y, prec);
        acb_sub(D, D, t, prec);
        acb_mul_arb(D, D, k->c, prec);
        if (side < 0)
            acb_neg(D, D);
    }
    else if (sb0 && k->d == 2 && (analytic || !acb_is_real(x) || !acb_is_real(x + 1)))
        acb_indeterminate(D);
    else
        acb_sqrt_analytic(D, D, analytic, prec);
    acb_mul_arb(R, sxx, k->syy[j], prec);
    acb_sqrt_analytic(R, R, analytic, prec);
    hi = arf_sgn(arb_midref(acb_realref(sxy))) >= 0;
    relu_tail(res, k, D, R, sxy, hi, analytic, prec);
    acb_clear(D);
    acb_clear(t);
    acb_clear(u);
    acb_clear(R);
}

/* a2 (2/pi) asin(u) into res, u overwritten; indeterminate where bad (u near asin's cuts,
 * or not finite) */
static void kerf_from_arg(acb_t res, acb_t u, int bad, const kctx *k, slong prec)
{
    if (bad)
    {
        acb_indeterminate(res);
        return;
    }
    acb_asin(u, u, prec);
    acb_div_arb(u, u, k->pi, prec);
    acb_mul_2exp_si(u, u, 1);
    acb_mul_arb(res, u, k->a2, prec);
}

/* The Erf kernel from the covariances: res = a2 (2/pi) asin(2 Sxy / sqrt((1 + 2 Sxx)(1 +
 * 2 Syy))); indeterminate when analytic and the argument comes near asin's cuts. */
static void kerf_acb(acb_t res, const kctx *k, const acb_t sxx, const acb_t syy,
                     const acb_t sxy, int analytic, slong prec)
{
    acb_t t, u;
    acb_init(t);
    acb_init(u);
    acb_mul_2exp_si(t, sxx, 1);
    acb_add_ui(t, t, 1, prec);
    acb_mul_2exp_si(u, syy, 1);
    acb_add_ui(u, u, 1, prec);
    acb_mul(t, t, u, prec);
    if (!analytic && k->d >= 2 && arb_is_zero(acb_imagref(t)) && arb_is_zero(acb_imagref(sxy)))
    {
        /* real covariances in d >= 2 (the nodes of the cubature): real arithmetic (d = 1
         * keeps its complex route: its outputs stay byte for byte) */
        arb_sqrt(acb_realref(t), acb_realref(t), prec);
        arb_div(acb_realref(t), acb_realref(sxy), acb_realref(t), prec);
        arb_mul_2exp_si(acb_realref(t), acb_realref(t), 1);
        arb_asin(acb_realref(t), acb_realref(t), prec);
        arb_div(acb_realref(t), acb_realref(t), k->pi, prec);
        arb_mul_2exp_si(acb_realref(t), acb_realref(t), 1);
        arb_mul(acb_realref(res), acb_realref(t), k->a2, prec);
        arb_zero(acb_imagref(res));
        acb_clear(t);
        acb_clear(u);
        return;
    }
    acb_sqrt_analytic(t, t, analytic, prec);
    acb_div(t, sxy, t, prec);
    acb_mul_2exp_si(t, t, 1);
    kerf_from_arg(res, t, analytic && near_asin_cut(t), k, prec);
    acb_clear(t);
    acb_clear(u);
}

/* res = the real ball spanning 0 and Re t: a kernel at a real ball around its kink, where the
 * value lies between the two sides' (one of them 0). */
static void kink_union(acb_t res, const acb_t t, slong prec)
{
    arb_t z;
    arb_init(z);
    arb_union(acb_realref(res), acb_realref(t), z, prec);
    arb_zero(acb_imagref(res));
    arb_clear(z);
}

/* K_EFT(y_j, x) at x (d complex balls).  analytic: the function must be holomorphic on the
 * balls (else the result is indeterminate, as acb_calc_integrate wants). */
/* relu: K_EFT(y_j, x) from Sigma(x, x) and Sigma(x, y) (kef_acb). */
static void relu_kef(acb_t res, kctx *k, int j, acb_srcptr x, const acb_t sxx, const acb_t sxy,
                     int analytic, slong prec)
{
    acb_t t, u;
    slong d = k->d;
    arb_srcptr y = k->y + j * d;
    acb_init(t);
    acb_init(u);
    if (k->relu_line)
    {
        /* c x y / 2 where x and y have one sign, else 0 */
        int ysg = arb_is_positive(y) ? 1 : arb_is_negative(y) ? -1 : 0;
        int xsg = k->side ? k->side : piece_sign(x, analytic);
        acb_mul_arb(t, x, y, prec);
        acb_mul_arb(t, t, k->c, prec);
        acb_mul_arb(t, t, k->a2, prec);
        acb_mul_2exp_si(t, t, -1);
        if (ysg == 0)
            acb_zero(res);
        else if (xsg == ysg)
            acb_set(res, t);
        else if (xsg == -ysg)
            acb_zero(res);
        else if (analytic || !arb_is_zero(acb_imagref(x)))
            acb_indeterminate(res);
        else
            kink_union(res, t, prec); /* between 0 and c x y / 2 */
        goto done;
    }
    if (d >= 2)
    {
        relu_kef_hd(res, k, j, x, sxx, sxy, analytic, prec);
        goto done;
    }
    /* a2 / (2 pi) [sqrt(D) + (pi - theta) Sxy], D = Sxx Syy - Sxy^2, theta the angle */
    if (!analytic && vec_is_real(x, d))
    {
        /* real: the robust form of kernel.c */
        arb_t uu;
        arb_init(uu);
        arb_mul(uu, acb_realref(sxx), k->syy[j], prec);
        _fy_nnft_relu_arccos(acb_realref(res), uu, acb_realref(sxy), k->pi, prec);
        arb_mul(acb_realref(res), acb_realref(res), k->a2, prec);
        arb_zero(acb_imagref(res));
        arb_clear(uu);
        goto done;
    }
    if (k->have_sgn)
    {
        /* d = 1 with a bias, on a piece where x - y_j has the sign sgn[j]: sqrt(D) =
         * sgn sigma_b sqrt(c) (x - y_j) and theta = 2 atan(sqrt D / (sqrt(Sxx Syy) +
         * Sxy)) continue analytically across the kink x = y_j */
        acb_t sd;
        acb_init(sd);
        acb_sub_arb(sd, x, y, prec);
        acb_mul_arb(sd, sd, k->sbc, prec);
        if (k->sgn[j] < 0)
            acb_neg(sd, sd);
        acb_mul_arb(t, sxx, k->syy[j], prec);
        acb_sqrt_analytic(t, t, analytic, prec);
        relu_tail(res, k, sd, t, sxy, 1, analytic, prec);
        acb_clear(sd);
        goto done;
    }
    /* one formula, holomorphic off the kinks: a2 / (2 pi) sqrt(Sxx Syy) J(theta),
     * J = sin theta + (pi - theta) cos theta, theta = acos(Sxy / sqrt(Sxx Syy)) */
    acb_mul_arb(t, sxx, k->syy[j], prec);
    acb_sqrt_analytic(t, t, analytic, prec);
    acb_div(u, sxy, t, prec); /* cos theta */
    if (!acb_is_finite(t) || (analytic && near_asin_cut(u)))
    {
        acb_indeterminate(res);
        goto done;
    }
    {
        acb_t th, sn;
        acb_init(th);
        acb_init(sn);
        acb_acos(th, u, prec);
        acb_sin(sn, th, prec);
        acb_neg(th, th);
        acb_add_arb(th, th, k->pi, prec);
        acb_mul(th, th, u, prec);
        acb_add(sn, sn, th, prec);
        acb_mul(t, t, sn, prec);
        acb_clear(th);
        acb_clear(sn);
    }
    acb_div_arb(t, t, k->pi, prec);
    acb_mul_2exp_si(t, t, -1);
    acb_mul_arb(res, t, k->a2, prec);
done:
    acb_clear(t);
    acb_clear(u);
}

/* The Erf kernel on a complex region x = m + delta (d >= 2: the cubature's ellipse boxes, m
 * the real midpoint), its argument u = 2 Sxy / sqrt(A' B) (A' = 1 + 2 Sxx, B = 1 + 2 Syy) by
 * a second-order form: with A, p the values of 1 + 2 Sxx and Sxy at m and
 * beta = 2 c (2 m.delta + delta.delta) / A,
 *   u = 2 / sqrt(A B) [p + g.delta - c p delta.delta / A - c (y.delta) beta / 2 + N T],
 *   g = c (y - 2 p m / A) (at m, real), N = p + c y.delta,
 *   T = (1 + beta)^(-1/2) - 1 + beta / 2, |T| <= (3/8) |beta|^2 / (1 - |beta|)
 * (the binomial coefficients of (1 + beta)^(-1/2) from the second on are at most 3/8 in
 * modulus), holomorphic where |beta| < 1 (else indeterminate).  The plain ball of u is
 * several times wider (numerator and denominator grow together), which put it on asin's
 * cuts far from the real singularities and capped the ellipses of the error bounds (vert13:
 * the d = 2 vertices 5 to 8 times faster). */
static void kerf_region(acb_t res, const kctx *k, int j, acb_srcptr x, slong prec)
{
    arb_srcptr y = k->y + j * k->d;
    arb_t A, p, g, sab, t;
    acb_t dl, dd, md, yd, beta, u, w;
    mag_t bm, tm;
    slong c, d = k->d;
    arb_init(A);
    arb_init(p);
    arb_init(g);
    arb_init(sab);
    arb_init(t);
    acb_init(dl);
    acb_init(dd);
    acb_init(md);
    acb_init(yd);
    acb_init(beta);
    acb_init(u);
    acb_init(w);
    mag_init(bm);
    mag_init(tm);
    /* at m: A = 1 + 2 Sxx, p = Sxy; delta.delta, m.delta, y.delta */
    arb_zero(A);
    arb_zero(p);
    acb_zero(dd);
    acb_zero(md);
    acb_zero(yd);
    for (c = 0; c < d; c++)
    {
        arb_set_arf(t, arb_midref(acb_realref(x + c)));
        arb_addmul(A, t, t, prec);
        arb_addmul(p, t, y + c, prec);
        acb_set(dl, x + c);
        arf_zero(arb_midref(acb_realref(dl)));
        acb_addmul(dd, dl, dl, prec);
        acb_addmul_arb(md, dl, t, prec);
        acb_addmul_arb(yd, dl, y + c, prec);
    }
    arb_mul(A, A, k->c, prec);
    arb_add(A, A, k->sb2, prec);
    arb_mul_2exp_si(A, A, 1);
    arb_add_ui(A, A, 1, prec);
    arb_mul(p, p, k->c, prec);
    arb_add(p, p, k->sb2, prec);
    /* beta and its modulus */
    acb_mul_2exp_si(beta, md, 1);
    acb_add(beta, beta, dd, prec);
    acb_mul_arb(beta, beta, k->c, prec);
    acb_mul_2exp_si(beta, beta, 1);
    acb_div_arb(beta, beta, A, prec);
    acb_get_mag(bm, beta);
    mag_one(tm);
    mag_sub_lower(tm, tm, bm); /* 1 - |beta| */
    if (!(mag_cmp_2exp_si(bm, 0) < 0) || mag_is_zero(tm))
    {
        acb_indeterminate(res);
        goto done;
    }
    /* u / (2 / sqrt(A B)) = p + g.delta - c p dd / A - c yd beta / 2 + N T */
    acb_set_arb(u, p);
    for (c = 0; c < d; c++)
    {
        /* g_c delta_c, g_c = c (y_c - 2 p m_c / A) */
        arb_set_arf(t, arb_midref(acb_realref(x + c)));
        arb_mul(g, p, t, prec);
        arb_mul_2exp_si(g, g, 1);
        arb_div(g, g, A, prec);
        arb_sub(g, y + c, g, prec);
        arb_mul(g, g, k->c, prec);
        acb_set(dl, x + c);
        arf_zero(arb_midref(acb_realref(dl)));
        acb_addmul_arb(u, dl, g, prec);
    }
    arb_mul(t, p, k->c, prec);
    arb_div(t, t, A, prec);
    acb_mul_arb(w, dd, t, prec);
    acb_sub(u, u, w, prec);
    acb_mul(w, yd, beta, prec);
    acb_mul_arb(w, w, k->c, prec);
    acb_mul_2exp_si(w, w, -1);
    acb_sub(u, u, w, prec);
    /* N T: |N| (3/8) |beta|^2 / (1 - |beta|) as a radius */
    acb_mul_arb(w, yd, k->c, prec);
    acb_add_arb(w, w, p, prec);
    {
        mag_t nm;
        mag_init(nm);
        acb_get_mag(nm, w);
        mag_mul(nm, nm, bm);
        mag_mul(nm, nm, bm);
        mag_mul_ui(nm, nm, 3);
        mag_mul_2exp_si(nm, nm, -3);
        mag_div(tm, nm, tm);
        mag_clear(nm);
    }
    arb_add_error_mag(acb_realref(u), tm);
    arb_add_error_mag(acb_imagref(u), tm);
    /* times 2 / sqrt(A B) */
    arb_mul_2exp_si(sab, k->syy[j], 1);
    arb_add_ui(sab, sab, 1, prec);
    arb_mul(sab, sab, A, prec);
    arb_rsqrt(sab, sab, prec);
    arb_mul_2exp_si(sab, sab, 1);
    acb_mul_arb(u, u, sab, prec);
    kerf_from_arg(res, u, !acb_is_finite(u) || near_asin_cut(u), k, prec);
done:
    arb_clear(A);
    arb_clear(p);
    arb_clear(g);
    arb_clear(sab);
    arb_clear(t);
    acb_clear(dl);
    acb_clear(dd);
    acb_clear(md);
    acb_clear(yd);
    acb_clear(beta);
    acb_clear(u);
    acb_clear(w);
    mag_clear(bm);
    mag_clear(tm);
}

static void kef_acb(acb_t res, kctx *k, int j, acb_srcptr x, int analytic, slong prec)
{
    acb_t sxx, sxy, t, u;
    slong c, d = k->d;
    arb_srcptr y = k->y + j * d;
    acb_init(sxx);
    acb_init(sxy);
    acb_init(t);
    acb_init(u);
    /* Sigma(x, x), Sigma(x, y) */
    acb_zero(sxx);
    acb_zero(sxy);
    for (c = 0; c < d; c++)
    {
        acb_sqr(t, x + c, prec);
        acb_add(sxx, sxx, t, prec);
        acb_mul_arb(t, x + c, y + c, prec);
        acb_add(sxy, sxy, t, prec);
    }
    acb_mul_arb(sxx, sxx, k->c, prec);
    acb_add_arb(sxx, sxx, k->sb2, prec);
    acb_mul_arb(sxy, sxy, k->c, prec);
    acb_add_arb(sxy, sxy, k->sb2, prec);
    switch (k->act)
    {
    case FY_NNFT_ERF:
        if (analytic && d >= 2 && !vec_is_real(x, d))
        {
            kerf_region(res, k, j, x, prec);
            break;
        }
        acb_set_arb(u, k->syy[j]);
        kerf_acb(res, k, sxx, u, sxy, analytic, prec);
        break;
    case FY_NNFT_RELU:
        relu_kef(res, k, j, x, sxx, sxy, analytic, prec);
        break;
    case FY_NNFT_SIN:
        /* exp(-(Sxx + Syy)/2) sinh(Sxy) */
        acb_add_arb(t, sxx, k->syy[j], prec);
        acb_mul_2exp_si(t, t, -1);
        acb_neg(t, t);
        acb_exp(t, t, prec);
        acb_sinh(u, sxy, prec);
        acb_mul(t, t, u, prec);
        acb_mul_arb(res, t, k->a2, prec);
        break;
    case FY_NNFT_GAUSS:
    case FY_NNFT_COS:
        /* exp(-c |x - y|^2 / 2) */
        acb_zero(t);
        for (c = 0; c < d; c++)
        {
            acb_sub_arb(u, x + c, y + c, prec);
            acb_sqr(u, u, prec);
            acb_add(t, t, u, prec);
        }
        acb_mul_arb(t, t, k->c, prec);
        acb_mul_2exp_si(t, t, -1);
        acb_neg(t, t);
        acb_exp(t, t, prec);
        acb_mul_arb(res, t, k->a2, prec);
        break;
    default:
        acb_indeterminate(res);
        break;
    }
    acb_clear(sxx);
    acb_clear(sxy);
    acb_clear(t);
    acb_clear(u);
}

static int kernel_supported(const fy_nnft_spec_t s, fy_error_t err)
{
    if (s->act == FY_NNFT_TANH || s->act < 0 || s->act >= FY_NNFT_NACT)
        return fy_error_set(err, FY_EUNSUPPORTED, "no closed-form kernel for activation %s, "
                            "so no vertex integrals (use erf, relu, gauss, cos or sin)",
                            fy_nnft_act_name(s->act));
    if (fy_nnft_is_euclid(s)) /* the input layers of euclid.c: the Cos-net kernel only */
        return fy_error_set(err, FY_EUNSUPPORTED, "vertex integrals are for the Cos-net input "
                            "layer (b_dist gauss, F one, no a_mean or phase), not b_dist %s, "
                            "F %s", fy_nnft_bdist_name(s->b_dist), fy_nnft_ampl_name(s->F));
    return FY_OK;
}

int fy_nnft_eft_kernel(arb_t K, const fy_nnft_spec_t s, slong i, arb_srcptr y, slong prec,
                       fy_error_t err)
{
    kctx k;
    acb_ptr x;
    acb_t r;
    slong c;
    int rc;
    if ((rc = kernel_supported(s, err)) != FY_OK)
        return rc;
    if ((rc = kctx_init(&k, s, &i, NULL, 1, prec, err)) != FY_OK)
        return rc;
    x = _acb_vec_init(s->d);
    acb_init(r);
    for (c = 0; c < s->d; c++)
        acb_set_arb(x + c, y + c);
    kef_acb(r, &k, 0, x, 0, prec);
    if (!acb_is_finite(r))
        rc = fy_error_set(err, FY_EINPUT, "K_EFT not finite at this point");
    else
        arb_set(K, acb_realref(r));
    acb_clear(r);
    _acb_vec_clear(x, s->d);
    kctx_clear(&k);
    return rc;
}

int fy_nnft_eft_kernel_region(acb_t K, const fy_nnft_spec_t s, slong i, acb_srcptr x,
                              slong prec, fy_error_t err)
{
    kctx k;
    int rc;
    if (s->act != FY_NNFT_ERF || s->d < 2)
        return fy_error_set(err, FY_EUNSUPPORTED, "K_EFT on complex regions: erf in d >= 2 "
                            "only (here %s in d = %ld)", fy_nnft_act_name(s->act), (long) s->d);
    if ((rc = kctx_init(&k, s, &i, NULL, 1, prec, err)) != FY_OK)
        return rc;
    kef_acb(K, &k, 0, x, !vec_is_real(x, s->d), prec); /* the integrand's route */
    kctx_clear(&k);
    return FY_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------------------ double kernels (nested)
 * The error-controlled route kept for d = 3 and for relu with sigma_b > 0 in d = 2 (eft13:
 * the nested rigorous rule is too slow there: three levels, or conical kinks at the points;
 * *rigorous = 0). */
static double kef2_double(const kctx *k, const double *x, const double *y)
{
    double sxx = 0, sxy = 0, syy = 0, t;
    slong c;
    for (c = 0; c < k->d; c++)
    {
        sxx += x[c] * x[c];
        sxy += x[c] * y[c];
        syy += y[c] * y[c];
    }
    sxx = k->sb2d + k->cd * sxx;
    sxy = k->sb2d + k->cd * sxy;
    syy = k->sb2d + k->cd * syy;
    switch (k->act)
    {
    case FY_NNFT_ERF:
        t = 2 * sxy / sqrt((1 + 2 * sxx) * (1 + 2 * syy));
        return k->a2d * 2 / M_PI * asin(t > 1 ? 1 : t < -1 ? -1 : t);
    case FY_NNFT_RELU:
    {
        double D = k->relu_line ? 0 : sxx * syy - sxy * sxy, b = D > 0 ? sqrt(D) : 0;
        return k->a2d * (b + (M_PI - atan2(b, sxy)) * sxy) / (2 * M_PI);
    }
    case FY_NNFT_SIN:
        return k->a2d * exp(-(sxx + syy) / 2) * sinh(sxy);
    default:
        t = 0;
        for (c = 0; c < k->d; c++)
            t += (x[c] - y[c]) * (x[c] - y[c]);
        return k->a2d * exp(-k->cd * t / 2);
    }
}

static double kef_double(const kctx *k, int j, const double *x)
{
    return kef2_double(k, x, k->yd + 3 * j);
}

/* Nested adaptive Gauss-Kronrod 7-15 over coordinate l..d-1 with coordinates 0..l-1 fixed in
 * x.  Returns the integral; *e accumulates the error estimate. */
static const double gk_x[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
static const double gk_wk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gk_wg[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

typedef struct
{
    const kctx *k;
    double Lambda, rtol;
    long evals, max_evals;
    int dim;         /* coordinates integrated: d, or 2 for two vertices in d = 1 */
    int maxdepth;    /* bisections of one interval */
    double atol[3];  /* absolute tolerance of an integral over coordinate l (from a first
                      * coarse pass: inner integrals need accuracy relative to the whole) */
    const int *legv; /* two vertices: the vertex (0, 1) of each leg, joined by one K_EFT */
} nest_ctx;

static double nest_integrand(nest_ctx *n, double *x)
{
    double v = 1;
    int j;
    slong c;
    n->evals++;
    if (n->legv != NULL)
    {
        for (j = 0; j < n->k->m; j++)
            v *= kef_double(n->k, j, x + n->legv[j]);
        return v * kef2_double(n->k, x, x + 1);
    }
    for (j = 0; j < n->k->m; j++)
        v *= kef_double(n->k, j, x);
    if (n->k->weight == 2)
    {
        double r = 0;
        for (c = 0; c < n->k->d; c++)
            r += x[c] * x[c];
        v *= r;
    }
    return v;
}

static double nest_level(nest_ctx *n, int l, double *x, double *e);

/* the integrand at x[l] = u (inner coordinates integrated); *e: the inner error estimate */
static double nest_f(nest_ctx *n, int l, double *x, double u, double *e)
{
    x[l] = u;
    *e = 0;
    if (l + 1 == n->dim)
        return nest_integrand(n, x);
    return nest_level(n, l + 1, x, e);
}

/* K15 on [a, b]; *err = |K15 - G7|, *ein = the K15-weighted inner errors */
static double gk_interval(nest_ctx *n, int l, double *x, double a, double b, double *err,
                          double *ein)
{
    double h = (b - a) / 2, m = (a + b) / 2, k15, g7, f, e;
    int i;
    f = nest_f(n, l, x, m, &e);
    k15 = gk_wk[7] * f;
    g7 = gk_wg[3] * f;
    *ein = gk_wk[7] * e;
    for (i = 0; i < 7; i++)
    {
        double e1, e2;
        double f1 = nest_f(n, l, x, m - h * gk_x[i], &e1);
        double f2 = nest_f(n, l, x, m + h * gk_x[i], &e2);
        k15 += gk_wk[i] * (f1 + f2);
        *ein += gk_wk[i] * (e1 + e2);
        if (i & 1)
            g7 += gk_wg[i / 2] * (f1 + f2);
    }
    *err = fabs((k15 - g7) * h);
    *ein *= fabs(h);
    return k15 * h;
}

static double gk_adapt(nest_ctx *n, int l, double *x, double a, double b, double tol, int depth,
                       double *e)
{
    double err, ein, v = gk_interval(n, l, x, a, b, &err, &ein);
    if (err <= tol || depth >= n->maxdepth || n->evals > n->max_evals)
    {
        *e += err + ein;
        return v;
    }
    return gk_adapt(n, l, x, a, (a + b) / 2, tol / 2, depth + 1, e)
           + gk_adapt(n, l, x, (a + b) / 2, b, tol / 2, depth + 1, e);
}

/* Break points of coordinate l: -Lambda, 0, the leg coordinates, (relu, sigma_b = 0, d = 2,
 * inner coordinate: where the rays through the legs cross), Lambda. */
static int breaks(const nest_ctx *n, int l, const double *x, double *bp)
{
    const kctx *k = n->k;
    int nb = 0, j, i, out = 0;
    double L = n->Lambda;
    bp[nb++] = 0;
    if (n->legv != NULL)
    {
        /* two vertices in d = 1: every point, and the other vertex (the internal line) */
        for (j = 0; j < k->m; j++)
            bp[nb++] = k->yd[3 * j];
        if (l == 1)
            bp[nb++] = x[0];
    }
    for (j = 0; j < k->m && n->legv == NULL; j++)
    {
        bp[nb++] = k->yd[3 * j + l];
        if (k->act == FY_NNFT_RELU && k->sb2d == 0 && k->d == 2 && l == 1
            && k->yd[3 * j] != 0)
            bp[nb++] = x[0] * k->yd[3 * j + 1] / k->yd[3 * j];
    }
    qsort(bp, (size_t) nb, sizeof(double), cmp_double);
    /* keep the interior ones, distinct */
    for (i = 0; i < nb; i++)
        if (bp[i] > -L && bp[i] < L && (out == 0 || bp[i] > bp[out - 1]))
            bp[out++] = bp[i];
    return out;
}

static double nest_level(nest_ctx *n, int l, double *x, double *e)
{
    double bp[3 * EFT_MAX_LEGS + 4], lo, v = 0, scale = 0, tol, err, ein;
    int nb = breaks(n, l, x, bp), i;
    double saved = x[l];
    /* the scale from one rule per piece; then each piece to rtol of it */
    lo = -n->Lambda;
    for (i = 0; i <= nb; i++)
    {
        double hi = i < nb ? bp[i] : n->Lambda;
        scale += fabs(gk_interval(n, l, x, lo, hi, &err, &ein)) + err;
        lo = hi;
    }
    tol = fmax(n->rtol * scale, n->atol[l]) / (nb + 1);
    if (!(tol > 0))
        tol = DBL_MIN;
    lo = -n->Lambda;
    for (i = 0; i <= nb; i++)
    {
        double hi = i < nb ? bp[i] : n->Lambda;
        v += gk_adapt(n, l, x, lo, hi, tol, 0, e);
        lo = hi;
    }
    x[l] = saved;
    return v;
}

/* The nested rule: a coarse pass (relative 1e-4, 8 bisections) fixes the scale, then the
 * inner integrals are asked for an absolute accuracy relative to it (an inner integral that
 * is nearly 0 must not be refined to its own relative accuracy), the outer one for rtol. */
static double nest_run(nest_ctx *n, double rtol, double *e)
{
    double x[3] = {0, 0, 0}, v0, w = 1;
    int l;
    n->evals = 0;
    n->max_evals = 200000000L;
    n->maxdepth = 8;
    n->rtol = 1e-4;
    for (l = 0; l < 3; l++)
        n->atol[l] = 0;
    *e = 0;
    v0 = fabs(nest_level(n, 0, x, e));
    n->maxdepth = 40;
    n->rtol = rtol;
    for (l = 0; l < n->dim; l++)
    {
        n->atol[l] = 0.1 * rtol * v0 / w;
        w *= 2 * n->Lambda;
    }
    *e = 0;
    return nest_level(n, 0, x, e);
}

/* The error-controlled vertex integral: the estimate with 100 times the estimated error. */
static int gk_vertex(arb_t V, kctx *k, double Lambda, fy_error_t err)
{
    nest_ctx n;
    double e = 0, v;
    arb_t r;
    n.k = k;
    n.dim = (int) k->d;
    n.legv = NULL;
    n.Lambda = Lambda;
    v = nest_run(&n, 1e-10, &e);
    if (!isfinite(v) || !isfinite(e))
        return fy_error_set(err, FY_EINPUT, "the vertex integral is not finite");
    arb_init(r);
    arb_set_d(V, v);
    arb_add_error_2exp_si(V, -1074);
    arb_set_d(r, 100 * e + 1e-15 * fabs(v));
    arb_add_error(V, r);
    arb_clear(r);
    return FY_OK;
}

/* ------------------------------------------------------------------ nested (d >= 2, exchange)
 * The integrands of fy_nnft_nest_integrate (quad2.c): the vertex in d = 2, 3 over the box
 * (face < 0), or, for relu with sigma_b = 0 (every K_EFT homogeneous of degree 1), over the
 * face face / 2 = a, sign (-1)^face of the unit cube (x_a = +-1, the other coordinates the
 * d - 1 integration variables): the cube is the union of the 2d pyramids over its faces and
 * a homogeneous integrand of degree k integrates over the pyramid of [-Lambda, Lambda]^d to
 * Lambda^(k + d) / (k + d) times its integral over the face, whose kinks are the points
 * where the rays through +-y_j pierce it; the tree exchange in d = 1 (x[0], x[1] the two
 * vertices). */
typedef struct
{
    kctx *k;
    int face;        /* -1: the box */
    const int *legv; /* the exchange: the vertex of each leg */
} eft_nest_t;

/* K_EFT(x0, x1) between the two vertices of the exchange (d = 1). */
static void kef_pair_acb(acb_t res, kctx *k, const acb_t x0, const acb_t x1, int analytic,
                         slong prec)
{
    acb_t sxx, syy, sxy, t, u;
    acb_init(sxx);
    acb_init(syy);
    acb_init(sxy);
    acb_init(t);
    acb_init(u);
    acb_sqr(sxx, x0, prec);
    acb_sqr(syy, x1, prec);
    acb_mul(sxy, x0, x1, prec);
    acb_mul_arb(sxx, sxx, k->c, prec);
    acb_mul_arb(syy, syy, k->c, prec);
    acb_mul_arb(sxy, sxy, k->c, prec);
    acb_add_arb(sxx, sxx, k->sb2, prec);
    acb_add_arb(syy, syy, k->sb2, prec);
    acb_add_arb(sxy, sxy, k->sb2, prec);
    switch (k->act)
    {
    case FY_NNFT_ERF:
        kerf_acb(res, k, sxx, syy, sxy, analytic, prec);
        break;
    case FY_NNFT_RELU: /* sigma_b = 0 (relu_line): c x0 x1 / 2 where the signs agree */
    {
        int s0 = piece_sign(x0, analytic), s1 = piece_sign(x1, analytic);
        acb_mul_arb(t, sxy, k->a2, prec);
        acb_mul_2exp_si(t, t, -1);
        if (s0 != 0 && s1 != 0)
        {
            if (s0 == s1)
                acb_set(res, t);
            else
                acb_zero(res);
        }
        else if (analytic || !acb_is_real(x0) || !acb_is_real(x1))
            acb_indeterminate(res);
        else
            kink_union(res, t, prec);
        break;
    }
    case FY_NNFT_SIN:
        acb_add(t, sxx, syy, prec);
        acb_mul_2exp_si(t, t, -1);
        acb_neg(t, t);
        acb_exp(t, t, prec);
        acb_sinh(u, sxy, prec);
        acb_mul(t, t, u, prec);
        acb_mul_arb(res, t, k->a2, prec);
        break;
    default: /* gauss, cos */
        acb_sub(t, x0, x1, prec);
        acb_sqr(t, t, prec);
        acb_mul_arb(t, t, k->c, prec);
        acb_mul_2exp_si(t, t, -1);
        acb_neg(t, t);
        acb_exp(t, t, prec);
        acb_mul_arb(res, t, k->a2, prec);
        break;
    }
    acb_clear(sxx);
    acb_clear(syy);
    acb_clear(sxy);
    acb_clear(t);
    acb_clear(u);
}

static int eft_nest_f(acb_t res, acb_srcptr x, int analytic, void *param, slong prec)
{
    eft_nest_t *e = param;
    kctx *k = e->k;
    acb_struct X[3];
    acb_t t;
    slong c, i;
    int j;
    acb_init(t);
    for (c = 0; c < 3; c++)
        acb_init(X + c);
    acb_one(res);
    if (e->legv != NULL)
    {
        for (j = 0; j < k->m && acb_is_finite(res); j++)
        {
            kef_acb(t, k, j, x + e->legv[j], analytic, prec);
            acb_mul(res, res, t, prec);
        }
        kef_pair_acb(t, k, x, x + 1, analytic, prec);
        acb_mul(res, res, t, prec);
    }
    else
    {
        for (c = 0, i = 0; c < k->d; c++)
            if (e->face >= 0 && c == e->face / 2)
                acb_set_si(X + c, (e->face & 1) ? -1 : 1);
            else
                acb_set(X + c, x + i++);
        for (j = 0; j < k->m && acb_is_finite(res); j++)
        {
            /* a leg at the point of the leg before: the same factor again */
            if (!k->dup[j])
                kef_acb(t, k, j, X, analytic, prec);
            acb_mul(res, res, t, prec);
        }
        if (k->weight == 2)
        {
            acb_zero(t);
            for (c = 0; c < k->d; c++)
                acb_addmul(t, X + c, X + c, prec);
            acb_mul(res, res, t, prec);
        }
    }
    for (c = 0; c < 3; c++)
        acb_clear(X + c);
    acb_clear(t);
    return 0;
}

static int cmp_fmpq(const void *a, const void *b)
{
    return fmpq_cmp((const fmpq *) a, (const fmpq *) b);
}

/* The ends lo, hi and the interior ones of the n candidate cuts q (sorted, distinct) as
 * exact balls into pts; returns their number. */
static slong cuts_to_balls(arb_ptr pts, fmpq *q, slong n, const fmpq_t lo, const fmpq_t hi,
                           slong prec)
{
    slong i, out = 0;
    qsort(q, (size_t) n, sizeof(fmpq), cmp_fmpq);
    arb_set_fmpq(pts + out++, lo, prec);
    for (i = 0; i < n; i++)
        if (fmpq_cmp(q + i, lo) > 0 && fmpq_cmp(q + i, hi) < 0
            && (i == 0 || !fmpq_equal(q + i, q + i - 1)))
            arb_set_fmpq(pts + out++, q + i, prec);
    arb_set_fmpq(pts + out++, hi, prec);
    return out;
}

/* Accuracy goal (bits) of the nested integrals: min(prec, this). */
#define EFT_NEST_GOAL 40
#define EFT_NCUT (EFT_MAX_LEGS + 3)

/* The nested integral of the vertex (exch == NULL: over [-Lambda, Lambda]^d, or the faces)
 * or of the exchange (legv: [-Lambda, Lambda]^2 in d = 1). */
static int nest_vertex(arb_t V, kctx *k, const fy_nnft_spec_t s, const int *legv,
                       double Lambda, slong prec, fy_error_t err)
{
    eft_nest_t e;
    arb_ptr pts[3];
    slong npts[3], goal = FLINT_MIN(prec, EFT_NEST_GOAL), wp = goal + 30, c, t;
    fmpq *q = _fmpq_vec_init(EFT_NCUT);
    fmpq_t lo, hi;
    arb_t r;
    int j, rc = FY_OK, dim = legv != NULL ? 2 : (int) k->d;
    int homog = legv == NULL && s->act == FY_NNFT_RELU && fmpq_is_zero(s->sigma_b);
    /* the cubature, except for the exchanges of sin and relu (the nested rule as before);
     * erf and sin over the box have no pieces (the cubature may halve its bound regions
     * freely) */
    int cube = legv == NULL || s->act == FY_NNFT_ERF;
    int flags = legv == NULL && (s->act == FY_NNFT_ERF || s->act == FY_NNFT_SIN)
                    ? FY_NNFT_CUBE_ENTIRE : 0;
    fmpq_init(lo);
    fmpq_init(hi);
    arb_init(r);
    for (c = 0; c < 3; c++)
        pts[c] = _arb_vec_init(EFT_NCUT + 2);
    e.k = k;
    e.legv = legv;
    e.face = -1;
    {
        arf_t L;
        arf_init(L);
        arf_set_d(L, homog ? 1.0 : Lambda);
        arf_get_fmpq(hi, L);
        fmpq_neg(lo, hi);
        arf_clear(L);
    }
    arb_zero(V);
    if (!homog)
    {
        /* the box: cut at 0 and at the legs' coordinates (the kinks of relu at x = x_k
         * then sit at corners of the cells); the cubature needs no cuts where the
         * integrand is analytic (erf, sin in d >= 2) */
        int cut = legv != NULL || s->act == FY_NNFT_RELU;
        for (c = 0; c < dim; c++)
        {
            slong n = 0;
            if (cut)
                fmpq_zero(q + n++);
            for (j = 0; j < k->m && cut; j++)
                fmpq_set(q + n++, k->pt[j] + (legv != NULL ? 0 : c));
            npts[c] = cuts_to_balls(pts[c], q, n, lo, hi, wp);
        }
        rc = cube ? fy_nnft_cube_integrate_opt(V, eft_nest_f, &e, dim, (arb_srcptr const *) pts,
                                               npts, goal, wp, flags, err)
                  : fy_nnft_nest_integrate(V, eft_nest_f, &e, dim, (arb_srcptr const *) pts,
                                           npts, goal, wp, err);
    }
    else
        for (e.face = 0; e.face < 2 * dim && rc == FY_OK; e.face++)
        {
            /* face a = face / 2: the other coordinates, cut where +-y_j pierces it */
            slong a = e.face / 2;
            for (c = 0, t = 0; c < dim; c++)
            {
                slong n = 0;
                if (c == a)
                    continue;
                for (j = 0; j < k->m; j++)
                {
                    const fmpq *ya = k->pt[j] + a;
                    if (fmpq_is_zero(ya))
                        continue;
                    fmpq_div(q + n, k->pt[j] + c, ya);
                    if (e.face & 1)
                        fmpq_neg(q + n, q + n);
                    n++;
                }
                npts[t] = cuts_to_balls(pts[t], q, n, lo, hi, wp);
                t++;
            }
            rc = fy_nnft_cube_integrate(r, eft_nest_f, &e, dim - 1, (arb_srcptr const *) pts, npts,
                                        goal, wp, err);
            arb_add(V, V, r, wp);
        }
    if (rc == FY_OK && homog)
    {
        /* times Lambda^(k + d) / (k + d), k = m + weight */
        slong deg = k->m + k->weight + dim;
        arb_set_d(r, Lambda);
        arb_pow_ui(r, r, (ulong) deg, wp);
        arb_div_si(r, r, deg, wp);
        arb_mul(V, V, r, wp);
    }
    if (rc != FY_OK)
        fy_error_prefix(err, "vertex integral in d = %ld over [-%g, %g]: ", (long) s->d,
                        Lambda, Lambda);
    for (c = 0; c < 3; c++)
        _arb_vec_clear(pts[c], EFT_NCUT + 2);
    _fmpq_vec_clear(q, EFT_NCUT);
    fmpq_clear(lo);
    fmpq_clear(hi);
    arb_clear(r);
    return rc;
}

/* ------------------------------------------------------------------ vertex integrals */
typedef struct
{
    kctx *k;
} acb_param;

static int acb_integrand(acb_ptr res, const acb_t z, void *param, slong order, slong prec)
{
    kctx *k = ((acb_param *) param)->k;
    acb_t t;
    int j;
    acb_init(t);
    acb_one(res);
    for (j = 0; j < k->m; j++)
    {
        kef_acb(t, k, j, z, order != 0, prec);
        acb_mul(res, res, t, prec);
    }
    if (k->weight == 2)
    {
        acb_sqr(t, z, prec);
        acb_mul(res, res, t, prec);
    }
    acb_clear(t);
    return 0;
}

/* gauss, cos: prod over coordinates of int exp(-a (u - mu)^2) (times u^2) du, closed form. */
static void gauss_1d(arb_t I0, arb_t I2, const arb_t a, const arb_t mu, double Lambda,
                     slong prec)
{
    arb_t sa, A, B, t, eA, eB, L;
    arb_init(sa);
    arb_init(A);
    arb_init(B);
    arb_init(t);
    arb_init(eA);
    arb_init(eB);
    arb_init(L);
    arb_sqrt(sa, a, prec);
    if (isinf(Lambda))
    {
        /* sqrt(pi / a); u^2: I0 (mu^2 + 1 / (2a)) */
        arb_const_pi(I0, prec);
        arb_div(I0, I0, a, prec);
        arb_sqrt(I0, I0, prec);
        arb_mul_2exp_si(t, a, 1);
        arb_inv(t, t, prec);
        arb_sqr(A, mu, prec);
        arb_add(t, t, A, prec);
        arb_mul(I2, I0, t, prec);
    }
    else
    {
        arb_set_d(L, Lambda);
        arb_neg(A, L);
        arb_sub(A, A, mu, prec); /* t from A to B, t = u - mu */
        arb_sub(B, L, mu, prec);
        /* I0 = sqrt(pi) / (2 sqrt a) (erf(sqrt a B) - erf(sqrt a A)) */
        arb_mul(t, sa, B, prec);
        arb_hypgeom_erf(eB, t, prec);
        arb_mul(t, sa, A, prec);
        arb_hypgeom_erf(eA, t, prec);
        arb_sub(I0, eB, eA, prec);
        arb_const_sqrt_pi(t, prec);
        arb_mul(I0, I0, t, prec);
        arb_div(I0, I0, sa, prec);
        arb_mul_2exp_si(I0, I0, -1);
        /* int t e = (e^{-a A^2} - e^{-a B^2}) / (2a); int t^2 e = (A e^{-aA^2} - B e^{-aB^2})
         * / (2a) + I0 / (2a) */
        arb_sqr(t, A, prec);
        arb_mul(t, t, a, prec);
        arb_neg(t, t);
        arb_exp(eA, t, prec);
        arb_sqr(t, B, prec);
        arb_mul(t, t, a, prec);
        arb_neg(t, t);
        arb_exp(eB, t, prec);
        {
            arb_t i1, i2, ta;
            arb_init(i1);
            arb_init(i2);
            arb_init(ta);
            arb_mul_2exp_si(ta, a, 1);
            arb_sub(i1, eA, eB, prec);
            arb_div(i1, i1, ta, prec);
            arb_mul(i2, A, eA, prec);
            arb_submul(i2, B, eB, prec);
            arb_add(i2, i2, I0, prec);
            arb_div(i2, i2, ta, prec);
            /* u^2 = t^2 + 2 mu t + mu^2 */
            arb_mul(I2, mu, i1, prec);
            arb_mul_2exp_si(I2, I2, 1);
            arb_add(I2, I2, i2, prec);
            arb_sqr(t, mu, prec);
            arb_addmul(I2, t, I0, prec);
            arb_clear(i1);
            arb_clear(i2);
            arb_clear(ta);
        }
    }
    arb_clear(sa);
    arb_clear(A);
    arb_clear(B);
    arb_clear(t);
    arb_clear(eA);
    arb_clear(eB);
    arb_clear(L);
}

static void vertex_gauss(arb_t V, kctx *k, double Lambda, slong prec)
{
    /* a2^m exp(-(c/2) sum_j |x - y_j|^2): per coordinate
     * exp(-(c m / 2)(u - S/m)^2 - (c/2)(Q - S^2/m)) */
    arb_ptr I0 = _arb_vec_init(2 * k->d), I2 = I0 + k->d;
    arb_t a, mu, S, Q, t, pre;
    slong c;
    int j;
    arb_init(a);
    arb_init(mu);
    arb_init(S);
    arb_init(Q);
    arb_init(t);
    arb_init(pre);
    arb_mul_si(a, k->c, k->m, prec);
    arb_mul_2exp_si(a, a, -1);
    arb_pow_ui(pre, k->a2, (ulong) k->m, prec);
    for (c = 0; c < k->d; c++)
    {
        arb_zero(S);
        arb_zero(Q);
        for (j = 0; j < k->m; j++)
        {
            arb_add(S, S, k->y + j * k->d + c, prec);
            arb_addmul(Q, k->y + j * k->d + c, k->y + j * k->d + c, prec);
        }
        arb_div_si(mu, S, k->m, prec);
        arb_mul(t, S, mu, prec);
        arb_sub(t, Q, t, prec);
        arb_mul(t, t, k->c, prec);
        arb_mul_2exp_si(t, t, -1);
        arb_neg(t, t);
        arb_exp(t, t, prec);
        arb_mul(pre, pre, t, prec);
        gauss_1d(I0 + c, I2 + c, a, mu, Lambda, prec);
    }
    if (k->weight == 0)
    {
        arb_one(V);
        for (c = 0; c < k->d; c++)
            arb_mul(V, V, I0 + c, prec);
    }
    else
    {
        slong c2;
        arb_zero(V);
        for (c = 0; c < k->d; c++)
        {
            arb_set(t, I2 + c);
            for (c2 = 0; c2 < k->d; c2++)
                if (c2 != c)
                    arb_mul(t, t, I0 + c2, prec);
            arb_add(V, V, t, prec);
        }
    }
    arb_mul(V, V, pre, prec);
    _arb_vec_clear(I0, 2 * k->d);
    arb_clear(a);
    arb_clear(mu);
    arb_clear(S);
    arb_clear(Q);
    arb_clear(t);
    arb_clear(pre);
}

/* d = 1, erf, relu, sin: acb_calc_integrate piece by piece (rigorous). */
static int vertex_d1(arb_t V, kctx *kp, const fy_nnft_spec_t s, int m, double Lambda,
                     slong prec, fy_error_t err)
{
    int rc = FY_OK;
    /* rigorous: pieces between -Lambda, 0, the legs, Lambda */
    double bp[EFT_MAX_LEGS + 1];
    int nb = 0, i, j, out = 0;
    acb_param par;
    acb_calc_integrate_opt_t opt;
    acb_t a, b, r, sum;
    mag_t tol, bound, accept;
    par.k = kp;
    bp[nb++] = 0;
    for (j = 0; j < m; j++)
        bp[nb++] = kp->yd[3 * j];
    qsort(bp, (size_t) nb, sizeof(double), cmp_double);
    for (i = 0; i < nb; i++)
        if (bp[i] > -Lambda && bp[i] < Lambda && (out == 0 || bp[i] > bp[out - 1]))
            bp[out++] = bp[i];
    acb_init(a);
    acb_init(b);
    acb_init(r);
    acb_init(sum);
    mag_init(tol);
    mag_init(bound);
    mag_init(accept);
    acb_calc_integrate_opt_init(opt);
    opt->verbose = 0;
    acb_set_d(a, -Lambda);
    for (i = 0; i <= out && rc == FY_OK; i++)
    {
        /* break points as exact rationals where they are points of the spec */
        if (i < out)
        {
            int found = 0;
            for (j = 0; j < m && !found; j++)
                if (kp->yd[3 * j] == bp[i])
                {
                    acb_set_arb(b, kp->y + j);
                    found = 1;
                }
            if (!found)
                acb_set_d(b, bp[i]);
        }
        else
            acb_set_d(b, Lambda);
        {
            /* the signs on this piece (relu: the kernels are analytic there); the
             * absolute tolerance from a direct enclosure of the piece */
            double mid = (arf_get_d(arb_midref(acb_realref(a)), ARF_RND_NEAR)
                          + arf_get_d(arb_midref(acb_realref(b)), ARF_RND_NEAR)) / 2;
            acb_t whole;
            kp->side = mid > 0 ? 1 : -1;
            kp->have_sgn = s->act == FY_NNFT_RELU && !kp->relu_line;
            for (j = 0; j < m; j++)
                kp->sgn[j] = mid > kp->yd[3 * j] ? 1 : -1;
            acb_init(whole);
            acb_union(whole, a, b, prec);
            acb_integrand(r, whole, &par, 0, prec);
            acb_get_mag(tol, r);
            {
                mag_t w;
                mag_init(w);
                acb_sub(whole, b, a, prec);
                acb_get_mag(w, whole);
                mag_mul(tol, tol, w);
                mag_clear(w);
            }
            if (!mag_is_finite(tol) || mag_is_zero(tol))
                mag_one(tol);
            mag_set(bound, tol);
            mag_mul_2exp_si(tol, tol, -prec);
            acb_clear(whole);
        }
        acb_calc_integrate(r, acb_integrand, &par, a, b, prec, tol, opt, prec + 16);
        /* accepted when the radius is below 2^(-prec/2) (|value| + the piece's bound) */
        acb_get_mag(accept, r);
        mag_add(accept, accept, bound);
        mag_mul_2exp_si(accept, accept, -prec / 2);
        if (!acb_is_finite(r) || mag_cmp(arb_radref(acb_realref(r)), accept) > 0
            || mag_cmp(arb_radref(acb_imagref(r)), accept) > 0)
            rc = fy_error_set(err, FY_EINPUT, "the vertex integral did not converge on "
                              "[%g, %g] (%ld bits asked, %ld reached)",
                              arf_get_d(arb_midref(acb_realref(a)), ARF_RND_NEAR),
                              arf_get_d(arb_midref(acb_realref(b)), ARF_RND_NEAR),
                              (long) prec, (long) acb_rel_accuracy_bits(r));
        acb_add(sum, sum, r, prec);
        acb_set(a, b);
    }
    if (rc == FY_OK)
        arb_set(V, acb_realref(sum));
    acb_clear(a);
    acb_clear(b);
    acb_clear(r);
    acb_clear(sum);
    mag_clear(tol);
    mag_clear(bound);
    mag_clear(accept);
    return rc;
}

/* vert13: the same vertex integral recurs in a couplings run (the legs' points up to a
 * permutation and up to the symmetries of the box: the hms-d2-erf square has 8 distinct
 * 4-leg vertices among its 35 sorted tuples, the hms-d3-erf tetrahedron 5).  The integrand
 * depends on x and the legs y_j only through x.x, x.y_j, y_j.y_j (erf, relu, sin) or
 * |x - y_j| (gauss, cos), the box [-Lambda, Lambda]^d and the weight |x|^2 are invariant
 * under signed permutations of the coordinates, so V(g y_1..g y_m) = V(y_1..y_m): in d >= 2
 * the legs are mapped to the least of their 2^d d! images (each image's legs sorted), and
 * that is what is integrated, cached or not (bit-identical either way).  d = 1 keeps its
 * legs as given (its outputs stay byte for byte). */
typedef struct
{
    int m, weight, rig;
    double Lambda;
    slong prec;
    fmpq *pts; /* m x d */
    arb_t V;
} vc_entry;

typedef struct
{
    slong n, alloc, d;
    vc_entry *e;
} vcache_t;

static void vcache_init(vcache_t *c, slong d)
{
    memset(c, 0, sizeof *c);
    c->d = d;
}

static void vcache_clear(vcache_t *c)
{
    slong i;
    for (i = 0; i < c->n; i++)
    {
        _fmpq_vec_clear(c->e[i].pts, c->e[i].m * c->d);
        arb_clear(c->e[i].V);
    }
    free(c->e);
    memset(c, 0, sizeof *c);
}

static int cmp_legs(const fmpq *a, const fmpq *b, slong n)
{
    slong i;
    int r;
    for (i = 0; i < n; i++)
        if ((r = fmpq_cmp(a + i, b + i)) != 0)
            return r;
    return 0;
}

/* pts (m x d, initialised), cidx: the legs idx under the signed permutation of coordinates
 * whose image, its legs sorted, is least; cidx[j] the spec point of leg j. */
static void legs_canonical(fmpq *pts, slong *cidx, const fy_nnft_spec_t s, const slong *idx,
                           int m)
{
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    slong d = s->d, c, ci[EFT_MAX_LEGS];
    fmpq *cand = _fmpq_vec_init(m * d + 1), *t = _fmpq_vec_init(d + 1);
    int p, sg, j, l, first = 1;
    for (p = 0; p < 6; p++)
    {
        int ok = 1;
        for (c = 0; c < d; c++)
            ok &= perm[p][c] < d;
        if (!ok || (d == 2 && perm[p][2] != 2))
            continue;
        for (sg = 0; sg < (1 << d); sg++)
        {
            for (j = 0; j < m; j++)
            {
                ci[j] = idx[j];
                for (c = 0; c < d; c++)
                {
                    fmpq_set(cand + j * d + c, s->points + idx[j] * d + perm[p][c]);
                    if ((sg >> c) & 1)
                        fmpq_neg(cand + j * d + c, cand + j * d + c);
                }
            }
            for (j = 1; j < m; j++) /* insertion sort of the legs */
                for (l = j; l > 0 && cmp_legs(cand + (l - 1) * d, cand + l * d, d) > 0; l--)
                {
                    slong x = ci[l];
                    qvec_set(t, cand + l * d, d);
                    qvec_set(cand + l * d, cand + (l - 1) * d, d);
                    qvec_set(cand + (l - 1) * d, t, d);
                    ci[l] = ci[l - 1];
                    ci[l - 1] = x;
                }
            if (first || cmp_legs(cand, pts, m * d) < 0)
            {
                qvec_set(pts, cand, m * d);
                for (j = 0; j < m; j++)
                    cidx[j] = ci[j];
                first = 0;
            }
        }
    }
    _fmpq_vec_clear(cand, m * d + 1);
    _fmpq_vec_clear(t, d + 1);
}

static int vertex_at(arb_t V, int *rigorous, const fy_nnft_spec_t s, const slong *idx,
                     const fmpq *pts, int m, int weight, double Lambda, slong prec,
                     fy_error_t err);

/* fy_nnft_vertex_integral through the cache c (NULL: none). */
static int vertex_cached(arb_t V, int *rigorous, const fy_nnft_spec_t s, const slong *idx,
                         int m, int weight, double Lambda, slong prec, vcache_t *vc,
                         fy_error_t err)
{
    fmpq *pts;
    slong cidx[EFT_MAX_LEGS], i, d = s->d;
    int rc, j, r = 1;
    if (rigorous != NULL)
        *rigorous = 1;
    if ((rc = kernel_supported(s, err)) != FY_OK)
        return rc;
    if (m < 1 || m > EFT_MAX_LEGS)
        return fy_error_set(err, FY_EINPUT, "a vertex has 1..%d legs, not %d", EFT_MAX_LEGS, m);
    if (weight != 0 && weight != 2)
        return fy_error_set(err, FY_EINPUT, "vertex weight 0 (1) or 2 (|x|^2), not %d", weight);
    if (isnan(Lambda) || Lambda <= 0)
        return fy_error_set(err, FY_EINPUT, "the cut-off Lambda must be positive (the vertex "
                            "integral runs over [-Lambda, Lambda]^d)");
    if (isinf(Lambda) && (s->act == FY_NNFT_ERF || s->act == FY_NNFT_RELU))
        return fy_error_set(err, FY_EINPUT, "an infinite cut-off diverges for %s: K_EFT(x_k, x) "
                            "%s as |x| -> infinity, so the vertex integral grows like "
                            "Lambda^%s; give a finite cut-off (e.g. 100)",
                            fy_nnft_act_name(s->act),
                            s->act == FY_NNFT_ERF ? "tends to a non-zero limit"
                                                  : "grows linearly",
                            s->act == FY_NNFT_ERF ? "d" : "(d + 4)");
    if (isinf(Lambda) && s->act == FY_NNFT_SIN)
        return fy_error_set(err, FY_EUNSUPPORTED, "an infinite cut-off for sin is not "
                            "implemented (the integral converges; give a finite cut-off, its "
                            "Gaussian tail is then negligible beyond about 10)");
    if ((s->act != FY_NNFT_GAUSS && s->act != FY_NNFT_COS) && (s->d < 1 || s->d > 3))
        return fy_error_set(err, FY_EUNSUPPORTED, "vertex integrals of %s in d = %ld: only "
                            "d = 1..3 (gauss and cos: any d)", fy_nnft_act_name(s->act),
                            (long) s->d);
    for (j = 0; j < m; j++)
        if (idx[j] < 0 || idx[j] >= s->npoints)
            return fy_error_set(err, FY_EINPUT, "point index %ld out of range (%ld points)",
                                (long) idx[j], (long) s->npoints);
    pts = _fmpq_vec_init(m * d + 1);
    if (d >= 2 && s->act != FY_NNFT_GAUSS && s->act != FY_NNFT_COS)
        legs_canonical(pts, cidx, s, idx, m);
    else
        for (j = 0; j < m; j++)
        {
            cidx[j] = idx[j];
            qvec_set(pts + j * d, s->points + idx[j] * d, d);
        }
    for (i = 0; vc != NULL && i < vc->n; i++)
    {
        vc_entry *e = vc->e + i;
        if (e->m == m && e->weight == weight && e->Lambda == Lambda && e->prec == prec
            && qvec_equal(e->pts, pts, m * d))
        {
            arb_set(V, e->V);
            if (rigorous != NULL)
                *rigorous = e->rig;
            _fmpq_vec_clear(pts, m * d + 1);
            return FY_OK;
        }
    }
    rc = vertex_at(V, &r, s, cidx, pts, m, weight, Lambda, prec, err);
    if (rigorous != NULL)
        *rigorous = r;
    if (rc == FY_OK && vc != NULL)
    {
        if (vc->n == vc->alloc)
        {
            slong na = 2 * vc->alloc + 16;
            vc_entry *ne = realloc(vc->e, (size_t) na * sizeof *ne);
            if (ne == NULL)
            {
                _fmpq_vec_clear(pts, m * d + 1);
                return fy_error_set(err, FY_ENOMEM, "out of memory");
            }
            vc->e = ne;
            vc->alloc = na;
        }
        vc->e[vc->n].m = m;
        vc->e[vc->n].weight = weight;
        vc->e[vc->n].Lambda = Lambda;
        vc->e[vc->n].prec = prec;
        vc->e[vc->n].rig = r;
        vc->e[vc->n].pts = pts; /* the entry owns it */
        arb_init(vc->e[vc->n].V);
        arb_set(vc->e[vc->n].V, V);
        vc->n++;
        return rc;
    }
    _fmpq_vec_clear(pts, m * d + 1);
    return rc;
}

int fy_nnft_vertex_integral(arb_t V, int *rigorous, const fy_nnft_spec_t s, const slong *idx,
                            int m, int weight, double Lambda, slong prec, fy_error_t err)
{
    return vertex_cached(V, rigorous, s, idx, m, weight, Lambda, prec, NULL, err);
}

/* The vertex integral at the legs' points pts (of the spec points idx, see kctx_init), the
 * arguments checked. */
static int vertex_at(arb_t V, int *rigorous, const fy_nnft_spec_t s, const slong *idx,
                     const fmpq *pts, int m, int weight, double Lambda, slong prec,
                     fy_error_t err)
{
    kctx k;
    int rc;
    *rigorous = 1;
    if ((rc = kctx_init(&k, s, idx, pts, m, prec, err)) != FY_OK)
        return rc;
    k.weight = weight;
    if (s->act == FY_NNFT_GAUSS || s->act == FY_NNFT_COS)
        vertex_gauss(V, &k, Lambda, prec);
    else if (s->d == 1)
        rc = vertex_d1(V, &k, s, m, Lambda, prec, err);
    else
    {
        /* d = 2, 3: the cubature (quad2.c); relu with sigma_b = 0 and a leg at the origin
         * (K_EFT = 0 there) is 0 */
        int zero = 0, j;
        for (j = 0; j < m; j++)
            zero |= s->act == FY_NNFT_RELU && arb_is_zero(k.syy[j]);
        if (zero)
            arb_zero(V);
        else if (s->d == 3 && (s->act == FY_NNFT_ERF
                               || (s->act == FY_NNFT_RELU && !fmpq_is_zero(s->sigma_b))))
        {
            /* the cubature takes 20 s and more a vertex there (relu: conical kinks at the
             * points in three dimensions; erf: 40 s for the hms-d3-erf vertex (0 1 2 3) at
             * Lambda = 10, 8 s at Lambda = 3, vert13) */
            rc = gk_vertex(V, &k, Lambda, err);
            if (rigorous != NULL)
                *rigorous = 0;
        }
        else
            rc = nest_vertex(V, &k, s, NULL, Lambda, prec, err);
    }
    kctx_clear(&k);
    return rc;
}

/* ------------------------------------------------------------------ templates */
static const int pairings4[3][4] = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 3, 1, 2}};

static int template_cached(arb_t T, int *rigorous, fy_nnft_tpl_t tpl, const fy_nnft_spec_t s,
                           const slong *idx, double Lambda, slong prec, vcache_t *vc,
                           fy_error_t err);

int fy_nnft_template(arb_t T, int *rigorous, fy_nnft_tpl_t tpl, const fy_nnft_spec_t s,
                     const slong *idx, double Lambda, slong prec, fy_error_t err)
{
    return template_cached(T, rigorous, tpl, s, idx, Lambda, prec, NULL, err);
}

/* fy_nnft_template, its vertex integrals through the cache vc (NULL: none). */
static int template_cached(arb_t T, int *rigorous, fy_nnft_tpl_t tpl, const fy_nnft_spec_t s,
                           const slong *idx, double Lambda, slong prec, vcache_t *vc,
                           fy_error_t err)
{
    int rc = FY_OK, r1 = 1, r2 = 1, p;
    if (rigorous != NULL)
        *rigorous = 1;
    switch (tpl)
    {
    case FY_NNFT_TPL_LOCAL:
    case FY_NNFT_TPL_X2:
        rc = vertex_cached(T, &r1, s, idx, 4, tpl == FY_NNFT_TPL_X2 ? 2 : 0, Lambda, prec, vc,
                           err);
        if (rc == FY_OK)
            arb_mul_ui(T, T, 24, prec);
        break;
    case FY_NNFT_TPL_NONLOCAL:
    {
        arb_t a, b;
        arb_init(a);
        arb_init(b);
        arb_zero(T);
        for (p = 0; p < 3 && rc == FY_OK; p++)
        {
            slong i2[2] = {idx[pairings4[p][0]], idx[pairings4[p][1]]};
            slong j2[2] = {idx[pairings4[p][2]], idx[pairings4[p][3]]};
            if ((rc = vertex_cached(a, &r1, s, i2, 2, 0, Lambda, prec, vc, err)) == FY_OK
                && (rc = vertex_cached(b, &r2, s, j2, 2, 0, Lambda, prec, vc, err)) == FY_OK)
                arb_addmul(T, a, b, prec);
            if (rigorous != NULL && (!r1 || !r2))
                *rigorous = 0;
        }
        arb_mul_ui(T, T, 8, prec);
        arb_clear(a);
        arb_clear(b);
        return rc;
    }
    default:
        return fy_error_set(err, FY_EINPUT, "unknown template %d", (int) tpl);
    }
    if (rigorous != NULL)
        *rigorous = r1;
    return rc;
}

/* ------------------------------------------------------------------ graphs */
/* Cache of 4-leg vertex integrals by point indices (sorted), for the 6-point prediction. */
typedef struct
{
    slong P;
    arb_ptr v;
    char *have;
    char *rig;
} vcache;

/* Two interaction vertices in d = 1 joined by one line (tree exchange): the double integral
 * over the vertex positions, by the nested rigorous rule (cut at 0 and at the legs) for relu
 * with sigma_b = 0, sin, gauss and cos; erf (the rigorous rule is too slow there) and relu
 * with sigma_b > 0 (the line's kink on the diagonal x = x') by the error-controlled nested
 * Gauss-Kronrod (*rig = 0). */
static int exchange_integral(arb_t V, int *rig, const fy_nnft_spec_t s, const slong *legs,
                             const int *legv, int nleg, double Lambda, slong prec,
                             fy_error_t err)
{
    kctx k;
    int rc;
    *rig = 1;
    if (s->d != 1)
        return fy_error_set(err, FY_EUNSUPPORTED, "graphs with two vertices are evaluated in "
                            "d = 1 only (a %ld-dimensional integral here)", (long) (2 * s->d));
    if (isinf(Lambda))
        return fy_error_set(err, FY_EUNSUPPORTED, "graphs with two vertices need a finite "
                            "cut-off");
    if ((rc = kctx_init(&k, s, legs, NULL, nleg, prec, err)) != FY_OK)
        return rc;
    if (s->act == FY_NNFT_RELU && !fmpq_is_zero(s->sigma_b))
    {
        nest_ctx n;
        double e = 0, val;
        *rig = 0;
        n.k = &k;
        n.dim = 2;
        n.legv = legv;
        n.Lambda = Lambda;
        val = nest_run(&n, 1e-10, &e);
        if (!isfinite(val) || !isfinite(e))
            rc = fy_error_set(err, FY_EINPUT, "the exchange integral is not finite");
        else
        {
            arb_t r;
            arb_init(r);
            arb_set_d(V, val);
            arb_set_d(r, 100 * e + 1e-15 * fabs(val));
            arb_add_error(V, r);
            arb_clear(r);
        }
    }
    else
        rc = nest_vertex(V, &k, s, legv, Lambda, prec, err);
    kctx_clear(&k);
    return rc;
}

static int graph_value(arb_t v, int *rigorous, const fy_diagram_t d, const fy_nnft_spec_t s,
                       const slong *pts, double Lambda, vcache *cache, slong prec,
                       fy_error_t err)
{
    int *label, i, nvert = 0, vtx[2] = {-1, -1}, nleg = 0, rc = FY_OK, rig = 1, inner = 0;
    int legv[EFT_MAX_LEGS];
    slong legs[EFT_MAX_LEGS];
    arb_t K;
    if (rigorous != NULL)
        *rigorous = 1;
    if (d->family != &fy_feynman_family)
        return fy_error_set(err, FY_EINPUT, "not a Feynman graph of the nnft family");
    label = calloc((size_t) d->nv + 1, sizeof(int));
    if (label == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (i = 0; i < d->nlegs; i++)
        if (d->v[d->leg[i].vertex].kind == FY_FEYNMAN_POINT)
            label[d->leg[i].vertex] = d->leg[i].label;
    for (i = 0; i < d->nv; i++)
    {
        if (d->v[i].kind == FY_FEYNMAN_POINT)
        {
            if (label[i] < 1)
            {
                free(label);
                return fy_error_set(err, FY_EINPUT, "graph with unlabelled points: generate "
                                    "it with labelled points");
            }
        }
        else
        {
            if (nvert < 2)
                vtx[nvert] = i;
            nvert++;
        }
    }
    if (nvert > 2)
    {
        free(label);
        return fy_error_set(err, FY_EUNSUPPORTED, "graphs with %d interaction vertices are "
                            "not evaluated: at most two (a tree exchange in d = 1)", nvert);
    }
    arb_init(K);
    arb_one(v);
    for (i = 0; i < d->nl && rc == FY_OK; i++)
    {
        int u = d->l[i].u, w = d->l[i].v;
        int pu = d->v[u].kind == FY_FEYNMAN_POINT, pw = d->v[w].kind == FY_FEYNMAN_POINT;
        if (pu && pw)
        {
            if ((rc = fy_nnft_kernel(K, s, pts[label[u] - 1], pts[label[w] - 1], prec, err))
                == FY_OK)
                arb_mul(v, v, K, prec);
        }
        else if (u == w)
            rc = fy_error_set(err, FY_EUNSUPPORTED, "a self-loop on a vertex (the [HMS] "
                              "tadpole) is not evaluated: generate without self-loops");
        else if (!pu && !pw)
            inner++;
        else if (nleg == EFT_MAX_LEGS)
            rc = fy_error_set(err, FY_EUNSUPPORTED, "vertex with more than %d legs",
                              EFT_MAX_LEGS);
        else
        {
            legv[nleg] = (pu ? w : u) == vtx[0] ? 0 : 1;
            legs[nleg++] = pts[label[pu ? u : w] - 1];
        }
    }
    if (rc == FY_OK && nvert == 2 && inner != 1)
        rc = fy_error_set(err, FY_EUNSUPPORTED, "two vertices joined by %d lines: only the "
                          "tree exchange (one line) is evaluated", inner);
    if (rc == FY_OK && nvert == 2)
    {
        arb_t V;
        arb_init(V);
        if ((rc = exchange_integral(V, &rig, s, legs, legv, nleg, Lambda, prec, err))
            == FY_OK)
            arb_mul(v, v, V, prec);
        arb_clear(V);
    }
    else if (rc == FY_OK && nvert == 1)
    {
        arb_t V;
        arb_init(V);
        if (cache != NULL && nleg == 4 && cache->v != NULL)
        {
            slong key = 0, t[4];
            int a, b;
            for (a = 0; a < 4; a++)
                t[a] = legs[a];
            for (a = 1; a < 4; a++)
                for (b = a; b > 0 && t[b - 1] > t[b]; b--)
                {
                    slong x = t[b];
                    t[b] = t[b - 1];
                    t[b - 1] = x;
                }
            for (a = 0; a < 4; a++)
                key = key * cache->P + t[a];
            if (!cache->have[key])
            {
                int r;
                rc = fy_nnft_vertex_integral(cache->v + key, &r, s, t, 4, 0, Lambda, prec,
                                             err);
                cache->have[key] = rc == FY_OK;
                cache->rig[key] = (char) r;
            }
            if (rc == FY_OK)
            {
                arb_set(V, cache->v + key);
                rig = cache->rig[key];
            }
        }
        else
            rc = fy_nnft_vertex_integral(V, &rig, s, legs, nleg, 0, Lambda, prec, err);
        if (rc == FY_OK)
            arb_mul(v, v, V, prec);
        arb_clear(V);
    }
    if (rc == FY_OK)
    {
        /* mult / prod_k c_k!: the contractions with labelled vertices over the 1/c_k! of
         * exp(-S_int) */
        arb_t m;
        arb_init(m);
        arb_set_fmpq(m, d->mult, prec);
        if (nvert == 2 && d->v[vtx[0]].kind == d->v[vtx[1]].kind)
            arb_mul_2exp_si(m, m, -1);
        arb_mul(v, v, m, prec);
        arb_clear(m);
    }
    if (rigorous != NULL)
        *rigorous = rig;
    arb_clear(K);
    free(label);
    return rc;
}

int fy_nnft_graph_value(arb_t v, int *rigorous, const fy_diagram_t d, const fy_nnft_spec_t s,
                        const slong *pts, double Lambda, slong prec, fy_error_t err)
{
    return graph_value(v, rigorous, d, s, pts, Lambda, NULL, prec, err);
}

/* ------------------------------------------------------------------ couplings */
void fy_nnft_couplings_init(fy_nnft_couplings_t c)
{
    memset(c, 0, sizeof *c);
    arb_init(c->lambda_mean);
}

void fy_nnft_couplings_clear(fy_nnft_couplings_t c)
{
    if (c->dG4 != NULL)
        _arb_vec_clear(c->dG4, 3 * c->count);
    free(c->idx);
    free(c->dG4_se);
    arb_clear(c->lambda_mean);
    memset(c, 0, sizeof *c);
}

/* dG4 per tuple, exact or from the ensemble. */
static int couplings_dg4(fy_nnft_couplings_t c, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                         slong prec, fy_error_t err)
{
    slong t;
    int rc;
    fy_nnft_couplings_clear(c);
    arb_init(c->lambda_mean);
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "no input points");
    if ((rc = fy_nnft_tuples(&c->idx, &c->count, s->npoints, 4, err)) != FY_OK)
        return rc;
    c->dG4 = _arb_vec_init(3 * c->count);
    c->T = c->dG4 + c->count;
    c->lambda = c->T + c->count;
    c->dG4_se = calloc((size_t) c->count + 1, sizeof(double));
    if (c->dG4_se == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    if (mc == NULL)
    {
        for (t = 0; t < c->count; t++)
            if ((rc = fy_nnft_connected(c->dG4 + t, s, c->idx + 4 * t, 4, prec, err)) != FY_OK)
                return rc;
        return FY_OK;
    }
    c->from_mc = 1;
    if (mc->count[1] != c->count)
        return fy_error_set(err, FY_EINPUT, "the ensemble has %ld 4-tuples, the spec %ld: "
                            "sample the same spec", (long) mc->count[1], (long) c->count);
    {
        double *gp = calloc((size_t) c->count + 1, sizeof(double));
        if (gp == NULL)
            return fy_error_set(err, FY_ENOMEM, "out of memory");
        if ((rc = fy_nnft_mc_wick(gp, mc, 1, s, err)) != FY_OK)
        {
            free(gp);
            return rc;
        }
        for (t = 0; t < c->count; t++)
        {
            memcpy(c->idx + 4 * t, mc->idx[1] + 4 * t, 4 * sizeof(slong));
            arb_set_d(c->dG4 + t, mc->mean[1][t] - gp[t]);
            c->dG4_se[t] = mc->se[1][t];
        }
        free(gp);
    }
    return FY_OK;
}

/* T and lambda per tuple at Lambda, and the mean. */
static int couplings_lambda(fy_nnft_couplings_t c, const fy_nnft_spec_t s, double Lambda,
                            fy_nnft_fact_t fact, slong prec, fy_error_t err)
{
    slong t;
    int rc, r;
    double sum = 0, sum2 = 0;
    vcache_t vc;
    c->fact = fact;
    c->Lambda = Lambda;
    c->rigorous = 1;
    c->used = 0;
    arb_zero(c->lambda_mean);
    vcache_init(&vc, s->d);
    for (t = 0; t < c->count; t++)
    {
        if ((rc = template_cached(c->T + t, &r, FY_NNFT_TPL_LOCAL, s, c->idx + 4 * t, Lambda,
                                  prec, &vc, err)) != FY_OK)
        {
            vcache_clear(&vc);
            return rc;
        }
        if (!r)
            c->rigorous = 0;
        if (arb_contains_zero(c->T + t))
        {
            arb_indeterminate(c->lambda + t);
            continue;
        }
        arb_div(c->lambda + t, c->dG4 + t, c->T + t, prec);
        arb_neg(c->lambda + t, c->lambda + t);
        if (fact == FY_NNFT_FACT)
            arb_mul_ui(c->lambda + t, c->lambda + t, 24, prec);
        arb_add(c->lambda_mean, c->lambda_mean, c->lambda + t, prec);
        c->used++;
    }
    vcache_clear(&vc);
    if (c->used > 0)
    {
        arb_div_si(c->lambda_mean, c->lambda_mean, c->used, prec);
        for (t = 0; t < c->count; t++)
            if (arb_is_finite(c->lambda + t))
            {
                double x = arf_get_d(arb_midref(c->lambda + t), ARF_RND_NEAR);
                sum += x;
                sum2 += x * x;
            }
        sum /= c->used;
        c->lambda_std = sqrt(fmax(0, sum2 / c->used - sum * sum));
    }
    else
        arb_indeterminate(c->lambda_mean);
    return FY_OK;
}

int fy_nnft_couplings(fy_nnft_couplings_t c, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                      double Lambda, fy_nnft_fact_t fact, slong prec, fy_error_t err)
{
    int rc;
    if ((rc = kernel_supported(s, err)) != FY_OK)
        return rc;
    if ((rc = couplings_dg4(c, s, mc, prec, err)) != FY_OK)
        return rc;
    return couplings_lambda(c, s, Lambda, fact, prec, err);
}

/* ------------------------------------------------------------------ least squares */
typedef struct
{
    slong rows;
    double *A;  /* rows x ntpl: the templates T_j */
    double *b;  /* -dG4 */
    double *dg; /* dG4, NaN where its ball contains 0 (left out of the relative errors) */
} ls_rows;

static int ls_build(ls_rows *L, const fy_nnft_couplings_t c, const fy_nnft_spec_t s,
                    const fy_nnft_tpl_t *tpl, int ntpl, int parity, slong prec, fy_error_t err)
{
    slong t;
    int j, rc = FY_OK;
    arb_t T;
    vcache_t vc;
    L->rows = 0;
    L->A = malloc(sizeof(double) * (size_t) (c->count * ntpl + 1));
    L->b = malloc(sizeof(double) * (size_t) (c->count + 1));
    L->dg = malloc(sizeof(double) * (size_t) (c->count + 1));
    if (L->A == NULL || L->b == NULL || L->dg == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    arb_init(T);
    vcache_init(&vc, s->d);
    for (t = 0; t < c->count && rc == FY_OK; t++)
    {
        double g = arf_get_d(arb_midref(c->dG4 + t), ARF_RND_NEAR);
        if (parity >= 0 && (t & 1) != parity)
            continue;
        if (!isfinite(g))
            continue;
        for (j = 0; j < ntpl && rc == FY_OK; j++)
        {
            if (tpl[j] == FY_NNFT_TPL_LOCAL)
                arb_set(T, c->T + t);
            else
                rc = template_cached(T, NULL, tpl[j], s, c->idx + 4 * t, c->Lambda, prec, &vc,
                                     err);
            L->A[L->rows * ntpl + j] = arf_get_d(arb_midref(T), ARF_RND_NEAR);
        }
        L->b[L->rows] = -g;
        L->dg[L->rows] = (arb_contains_zero(c->dG4 + t) || g == 0) ? NAN : g;
        L->rows++;
    }
    vcache_clear(&vc);
    arb_clear(T);
    return rc;
}

static void ls_free(ls_rows *L)
{
    free(L->A);
    free(L->b);
    free(L->dg);
}

/* Least squares by modified Gram-Schmidt on the columns, dropping dependent ones. */
static void ls_solve(double *coef, int *dropped, const ls_rows *L, int ntpl)
{
    slong r, n = L->rows;
    int j, i;
    double *Q = malloc(sizeof(double) * (size_t) (n * ntpl + 1));
    double R[FY_NNFT_NTPL][FY_NNFT_NTPL], qb[FY_NNFT_NTPL], norm0[FY_NNFT_NTPL];
    memset(R, 0, sizeof R);
    for (j = 0; j < ntpl; j++)
    {
        double nn = 0;
        for (r = 0; r < n; r++)
        {
            Q[r * ntpl + j] = L->A[r * ntpl + j];
            nn += Q[r * ntpl + j] * Q[r * ntpl + j];
        }
        norm0[j] = sqrt(nn);
    }
    for (j = 0; j < ntpl; j++)
    {
        double nn = 0;
        for (i = 0; i < j; i++)
        {
            double dot = 0;
            if (dropped[i])
                continue;
            for (r = 0; r < n; r++)
                dot += Q[r * ntpl + i] * Q[r * ntpl + j];
            R[i][j] = dot;
            for (r = 0; r < n; r++)
                Q[r * ntpl + j] -= dot * Q[r * ntpl + i];
        }
        for (r = 0; r < n; r++)
            nn += Q[r * ntpl + j] * Q[r * ntpl + j];
        nn = sqrt(nn);
        dropped[j] = !(nn > 1e-9 * norm0[j]) || n == 0;
        R[j][j] = nn;
        if (!dropped[j])
            for (r = 0; r < n; r++)
                Q[r * ntpl + j] /= nn;
        qb[j] = 0;
        if (!dropped[j])
            for (r = 0; r < n; r++)
                qb[j] += Q[r * ntpl + j] * L->b[r];
    }
    for (j = ntpl - 1; j >= 0; j--)
    {
        double v = qb[j];
        if (dropped[j])
        {
            coef[j] = 0;
            continue;
        }
        for (i = j + 1; i < ntpl; i++)
            if (!dropped[i])
                v -= R[j][i] * coef[i];
        coef[j] = v / R[j][j];
    }
    free(Q);
}

static void ls_errors(double *rms, double *mape, const ls_rows *L, const double *coef, int ntpl)
{
    slong r, n = 0;
    int j;
    double s2 = 0, sa = 0;
    for (r = 0; r < L->rows; r++)
    {
        double fit = 0, e;
        if (isnan(L->dg[r]))
            continue;
        for (j = 0; j < ntpl; j++)
            fit += coef[j] * L->A[r * ntpl + j];
        e = (fit - L->b[r]) / fabs(L->dg[r]);
        s2 += e * e;
        sa += fabs(e);
        n++;
    }
    *rms = n ? sqrt(s2 / n) : NAN;
    *mape = n ? 100 * sa / n : NAN;
}

int fy_nnft_couplings_fit(fy_nnft_fit_t fit, const fy_nnft_couplings_t train,
                          const fy_nnft_couplings_t test, const fy_nnft_spec_t s_train,
                          const fy_nnft_spec_t s_test, const fy_nnft_tpl_t *tpl, int ntpl,
                          slong prec, fy_error_t err)
{
    ls_rows Ltr, Lte;
    int j, rc;
    memset(fit, 0, sizeof *fit);
    memset(&Ltr, 0, sizeof Ltr);
    memset(&Lte, 0, sizeof Lte);
    if (ntpl < 1 || ntpl > FY_NNFT_NTPL)
        return fy_error_set(err, FY_EINPUT, "1..%d templates, not %d", FY_NNFT_NTPL, ntpl);
    for (j = 0; j < ntpl; j++)
    {
        int i;
        if (tpl[j] < 0 || tpl[j] >= FY_NNFT_NTPL)
            return fy_error_set(err, FY_EINPUT, "unknown template %d (local, x2-local, "
                                "nonlocal)", (int) tpl[j]);
        for (i = 0; i < j; i++)
            if (tpl[i] == tpl[j])
                return fy_error_set(err, FY_EINPUT, "template %s named twice",
                                    fy_nnft_tpl_name(tpl[j]));
        fit->tpl[j] = tpl[j];
    }
    fit->ntpl = ntpl;
    if (test == NULL)
    {
        s_test = s_train;
        test = train;
    }
    rc = ls_build(&Ltr, train, s_train, tpl, ntpl, test == train ? 0 : -1, prec, err);
    if (rc == FY_OK)
        rc = ls_build(&Lte, test, s_test, tpl, ntpl, test == train ? 1 : -1, prec, err);
    if (rc == FY_OK && Ltr.rows < ntpl)
        rc = fy_error_set(err, FY_EINPUT, "%ld training tuples with G4 != G4_GP for %d "
                          "templates: give more input points", (long) Ltr.rows, ntpl);
    if (rc == FY_OK)
    {
        ls_solve(fit->coef, fit->dropped, &Ltr, ntpl);
        ls_errors(&fit->train_err, &fit->train_mape, &Ltr, fit->coef, ntpl);
        ls_errors(&fit->test_err, &fit->test_mape, &Lte, fit->coef, ntpl);
        fit->ntrain = Ltr.rows;
        fit->ntest = Lte.rows;
        if (train->fact == FY_NNFT_FACT)
            for (j = 0; j < ntpl; j++)
                fit->coef[j] *= 24;
    }
    ls_free(&Ltr);
    ls_free(&Lte);
    return rc;
}

/* ------------------------------------------------------------------ 6-point prediction */
void fy_nnft_predict_init(fy_nnft_predict_t p)
{
    memset(p, 0, sizeof *p);
    arb_init(p->lambda);
    arb_init(p->gp_ratio);
    arb_init(p->lambda_ratio);
}

void fy_nnft_predict_clear(fy_nnft_predict_t p)
{
    if (p->G6 != NULL)
        _arb_vec_clear(p->G6, 3 * p->count);
    free(p->idx);
    arb_clear(p->lambda);
    arb_clear(p->gp_ratio);
    arb_clear(p->lambda_ratio);
    memset(p, 0, sizeof *p);
}

/* The graphs of one quartic vertex and 6 labelled points, without self-loops or vacuum
 * parts: the 15 (vertex on 4 | line on 2) graphs. */
static int six_point_graphs(fy_diagram_list_t list, fy_error_t err)
{
    fy_feynman_spec_t fs;
    int rc;
    fy_feynman_spec_init(fs);
    fs->n_points = 6;
    fs->labelled = 1;
    fs->filters = FY_FEYNMAN_NO_VACUUM | FY_FEYNMAN_NO_SELF_LOOPS;
    if ((rc = fy_feynman_spec_add_vertices(fs, 4, 1, err)) == FY_OK)
        rc = fy_feynman_generate(list, fs, err);
    fy_feynman_spec_clear(fs);
    return rc;
}

int fy_nnft_predict(fy_nnft_predict_t p, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                    const arb_t lambda, fy_nnft_fact_t fact, double Lambda, slong prec,
                    fy_error_t err)
{
    fy_diagram_list_t list;
    vcache cache;
    slong t, P = s->npoints;
    int rc, g, r;
    arb_t v, gsum, q;
    fy_nnft_predict_clear(p);
    arb_init(p->lambda);
    arb_init(p->gp_ratio);
    arb_init(p->lambda_ratio);
    if ((rc = kernel_supported(s, err)) != FY_OK)
        return rc;
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "no input points");
    if ((rc = fy_nnft_tuples(&p->idx, &p->count, P, 6, err)) != FY_OK)
        return rc;
    p->fact = fact;
    p->Lambda = Lambda;
    p->rigorous = 1;
    arb_set(p->lambda, lambda);
    p->G6 = _arb_vec_init(3 * p->count);
    p->gp = p->G6 + p->count;
    p->lam = p->gp + p->count;
    if (mc != NULL && mc->count[2] != p->count)
        return fy_error_set(err, FY_EINPUT, "the ensemble has %ld 6-tuples, the spec %ld: "
                            "sample the same spec", (long) mc->count[2], (long) p->count);
    fy_diagram_list_init(list);
    memset(&cache, 0, sizeof cache);
    cache.P = P;
    if (P <= 32)
    {
        size_t n4 = (size_t) (P * P * P * P);
        cache.v = _arb_vec_init((slong) n4);
        cache.have = calloc(n4, 1);
        cache.rig = calloc(n4, 1);
    }
    arb_init(v);
    arb_init(gsum);
    arb_init(q);
    if ((rc = six_point_graphs(list, err)) != FY_OK)
        goto done;
    for (t = 0; t < p->count && rc == FY_OK; t++)
    {
        const slong *ix = p->idx + 6 * t;
        if (mc == NULL)
            rc = fy_nnft_correlator(p->G6 + t, s, ix, 6, prec, err);
        else if (memcmp(mc->idx[2] + 6 * t, ix, 6 * sizeof(slong)) != 0)
            rc = fy_error_set(err, FY_EINPUT, "the ensemble's 6-tuples are not those of the "
                              "spec: sample the same spec");
        else
            arb_set_d(p->G6 + t, mc->mean[2][t]);
        if (rc == FY_OK)
            rc = fy_nnft_wick(p->gp + t, s, ix, 6, prec, err);
        arb_zero(gsum);
        for (g = 0; g < list->n && rc == FY_OK; g++)
        {
            rc = graph_value(v, &r, list->d + g, s, ix, Lambda, cache.v ? &cache : NULL, prec,
                             err);
            if (!r)
                p->rigorous = 0;
            arb_add(gsum, gsum, v, prec);
        }
        /* -g sum, g = lambda or lambda / 24 */
        arb_mul(p->lam + t, gsum, lambda, prec);
        arb_neg(p->lam + t, p->lam + t);
        if (fact == FY_NNFT_FACT)
            arb_div_ui(p->lam + t, p->lam + t, 24, prec);
    }
    if (rc != FY_OK)
        goto done;
    arb_zero(p->gp_ratio);
    arb_zero(p->lambda_ratio);
    for (t = 0; t < p->count; t++)
    {
        if (arb_contains_zero(p->G6 + t))
            continue;
        arb_div(q, p->gp + t, p->G6 + t, prec);
        arb_add(p->gp_ratio, p->gp_ratio, q, prec);
        arb_add(q, p->gp + t, p->lam + t, prec);
        arb_div(q, q, p->G6 + t, prec);
        arb_add(p->lambda_ratio, p->lambda_ratio, q, prec);
        p->used++;
    }
    if (p->used > 0)
    {
        arb_div_si(p->gp_ratio, p->gp_ratio, p->used, prec);
        arb_div_si(p->lambda_ratio, p->lambda_ratio, p->used, prec);
    }
    else
    {
        arb_indeterminate(p->gp_ratio);
        arb_indeterminate(p->lambda_ratio);
    }
done:
    if (cache.v != NULL)
        _arb_vec_clear(cache.v, P * P * P * P);
    free(cache.have);
    free(cache.rig);
    fy_diagram_list_clear(list);
    arb_clear(v);
    arb_clear(gsum);
    arb_clear(q);
    return rc;
}

/* ------------------------------------------------------------------ cut-off scan */
void fy_nnft_rg_init(fy_nnft_rg_t r)
{
    memset(r, 0, sizeof *r);
}

void fy_nnft_rg_clear(fy_nnft_rg_t r)
{
    free(r->cutoff);
    free(r->mean_log);
    memset(r, 0, sizeof *r);
}

/* One job of the cut-off scan: log10 |lambda_t| at cutoff[job] for every tuple t (NaN where
 * lambda_t is not finite or contains 0), as count doubles. */
typedef struct
{
    fy_nnft_couplings_struct *c;
    const fy_nnft_spec_struct *s;
    const double *cutoff;
    slong prec;
} rg_job_t;

static int rg_job(void **out, size_t *len, uint64_t job, void *ctx, fy_error_t err)
{
    rg_job_t *J = ctx;
    fy_nnft_couplings_struct *c = J->c;
    double *y;
    slong t;
    int rc = couplings_lambda(c, J->s, J->cutoff[job], FY_NNFT_NOFACT, J->prec, err);
    if (rc != FY_OK)
        return rc;
    if ((y = malloc(sizeof(double) * (size_t) (c->count > 0 ? c->count : 1))) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (t = 0; t < c->count; t++)
        y[t] = !arb_is_finite(c->lambda + t) || arb_contains_zero(c->lambda + t)
                   ? NAN
                   : log10(fabs(arf_get_d(arb_midref(c->lambda + t), ARF_RND_NEAR)));
    *out = y;
    *len = sizeof(double) * (size_t) c->count;
    return FY_OK;
}

/* The least-squares line through the points of the scan, in cut-off and tuple order (the
 * same sums, in the same order, whatever ran the jobs). */
static int rg_fit(fy_nnft_rg_t r, void **res, const size_t *len, fy_error_t err)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, n = 0;
    int k;
    for (k = 0; k < r->ncut; k++)
    {
        const double *y = res[k];
        double x = log10(r->cutoff[k]), ml = 0;
        slong t, used = 0, count = (slong) (len[k] / sizeof(double));
        for (t = 0; t < count; t++)
        {
            if (isnan(y[t]))
                continue;
            sx += x;
            sy += y[t];
            sxx += x * x;
            sxy += x * y[t];
            syy += y[t] * y[t];
            n++;
            ml += y[t];
            used++;
        }
        r->mean_log[k] = used ? ml / used : NAN;
    }
    r->points = (slong) n;
    if (n < 2 || n * sxx - sx * sx <= 0)
        return fy_error_set(err, FY_EINPUT, "no tuple with a non-zero coupling: nothing to "
                            "fit (G4 = G4_GP at every tuple?)");
    r->slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    r->intercept = (sy - r->slope * sx) / n;
    {
        double vy = n * syy - sy * sy, cxy = n * sxy - sx * sy;
        r->r2 = vy > 0 ? cxy * cxy / ((n * sxx - sx * sx) * vy) : 1;
    }
    return FY_OK;
}

/* resume (issue 15): the text naming the chunks of a cut-off scan, added to the store's name:
 * the spec's fields the templates read, the points, the precision, the cut-offs (exact, as
 * hexadecimal doubles), and dG4 itself (every ball exactly, through a hash), which stands for
 * the exact correlators or the ensemble (--mc, its networks and seed) the scan starts from. */
static int rg_key(fy_par_store_t store, const fy_nnft_couplings_t c, const fy_nnft_spec_t s,
                  const fy_nnft_mc_t mc, const double *cutoff, int ncut, slong prec,
                  fy_error_t err)
{
    const fmpq *q[8] = {s->sigma_W, s->sigma_b, s->sigma_a, s->kurtosis, s->mass, s->Lambda,
                        s->a_mean, s->phase};
    uint64_t hp = FY_PAR_FNV_INIT, hg = FY_PAR_FNV_INIT;
    fy_strbuf_t b;
    char *t;
    slong i;
    int k, rc;
    for (i = 0; i < s->npoints * s->d; i++)
    {
        t = fmpq_get_str(NULL, 10, s->points + i);
        hp = fy_par_fnv1a(hp, t, strlen(t) + 1);
        flint_free(t);
    }
    for (i = 0; i < c->count; i++)
    {
        t = arb_dump_str(c->dG4 + i);
        hg = fy_par_fnv1a(hg, t, strlen(t) + 1);
        hg = fy_par_fnv1a(hg, c->idx + 4 * i, 4 * sizeof(slong));
        flint_free(t);
    }
    fy_strbuf_init(b);
    fy_strbuf_printf(b, "nnft cut-off scan (rg 1): chunk k = log10|lambda_t| at cut-off k\n"
                     "activation %s d %ld width %ld d_out %ld b_dist %d F %d\n",
                     fy_nnft_act_name(s->act), (long) s->d, (long) s->width, (long) s->d_out,
                     s->b_dist, s->F);
    for (k = 0; k < 8; k++)
    {
        t = fmpq_get_str(NULL, 10, q[k]);
        fy_strbuf_printf(b, "%s%s", k ? " " : "scales ", t);
        flint_free(t);
    }
    fy_strbuf_printf(b, "\npoints %ld fnv1a %016llx\nprec %ld\ncutoffs", (long) s->npoints,
                     (unsigned long long) hp, (long) prec);
    for (k = 0; k < ncut; k++)
        fy_strbuf_printf(b, "%s%a", k ? "," : " ", cutoff[k]);
    fy_strbuf_printf(b, "\nsource %s", mc != NULL ? "monte carlo" : "exact");
    if (mc != NULL)
        fy_strbuf_printf(b, " networks %llu seed %llu", (unsigned long long) mc->networks,
                         (unsigned long long) mc->seed);
    fy_strbuf_printf(b, "\ndG4 tuples %ld fnv1a %016llx\n", (long) c->count,
                     (unsigned long long) hg);
    if ((rc = fy_strbuf_take(&t, b, err)) != FY_OK)
        return rc;
    rc = fy_par_store_extend(store, t, err);
    free(t);
    return rc;
}

int fy_nnft_rg_scan_par(fy_nnft_rg_t r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                        const double *cutoff, int ncut, slong prec, fy_par_store_t store,
                        const fy_par_t par, fy_error_t err)
{
    fy_nnft_couplings_t c;
    rg_job_t J;
    void **res = NULL;
    size_t *len = NULL;
    int k, rc;
    fy_nnft_rg_clear(r);
    if (ncut < 2)
        return fy_error_set(err, FY_EINPUT, "the cut-off scan needs at least 2 cut-offs");
    for (k = 0; k < ncut; k++)
        if (!(cutoff[k] > 0) || isinf(cutoff[k]))
            return fy_error_set(err, FY_EINPUT, "cut-off %g: the scan needs finite positive "
                                "cut-offs", cutoff[k]);
    if ((rc = kernel_supported(s, err)) != FY_OK)
        return rc;
    r->cutoff = malloc(sizeof(double) * (size_t) ncut);
    r->mean_log = malloc(sizeof(double) * (size_t) ncut);
    res = calloc((size_t) ncut, sizeof *res);
    len = calloc((size_t) ncut, sizeof *len);
    if (r->cutoff == NULL || r->mean_log == NULL || res == NULL || len == NULL)
    {
        free(res);
        free(len);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    r->ncut = ncut;
    memcpy(r->cutoff, cutoff, sizeof(double) * (size_t) ncut);
    fy_nnft_couplings_init(c);
    J.c = c;
    J.s = s;
    J.cutoff = cutoff;
    J.prec = prec;
    /* every rank needs G4 - G4_GP for the jobs it is handed; each job is one cut-off */
    rc = couplings_dg4(c, s, mc, prec, err);
    /* resume: rank 0 names the chunks in the store it was given (the others have none) */
    if (rc == FY_OK && par->rank == 0 && fy_par_store_is_open(store))
        rc = rg_key(store, c, s, mc, cutoff, ncut, prec, err);
    rc = fy_par_agree(rc, par, err);
    if (rc == FY_OK)
        rc = fy_par_scan(res, len, (uint64_t) ncut, rg_job, &J,
                         par->rank == 0 ? store : NULL, NULL, NULL, par, err);
    if (rc == FY_OK && par->rank == 0)
        rc = rg_fit(r, res, len, err);
    else
        for (k = 0; k < ncut; k++)
            r->mean_log[k] = NAN;
    for (k = 0; k < ncut; k++)
        free(res[k]);
    free(res);
    free(len);
    fy_nnft_couplings_clear(c);
    return rc;
}

int fy_nnft_rg_scan(fy_nnft_rg_t r, const fy_nnft_spec_t s, const fy_nnft_mc_t mc,
                    const double *cutoff, int ncut, slong prec, fy_error_t err)
{
    fy_par_t self;
    fy_par_self(self);
    return fy_nnft_rg_scan_par(r, s, mc, cutoff, ncut, prec, NULL, self, err);
}

/* ------------------------------------------------------------------ [HMS] ReLU, summary */
int fy_nnft_eft_hms_relu(fy_nnft_spec_t s, fy_error_t err)
{
    static const char text[] = "activation relu\nd 1\nwidth 20\nsigma_W 1\nsigma_b 0\n"
                               "sigma_a 1\npoint 0.2\npoint 0.4\npoint 0.6\npoint 0.8\n"
                               "point 1\npoint 1.2\n";
    int rc = fy_nnft_spec_parse(s, text, "hms-relu-d1", err);
    if (rc == FY_OK)
    {
        strncpy(s->inputs, "hms-relu-d1", sizeof s->inputs - 1);
        s->inputs[sizeof s->inputs - 1] = '\0';
    }
    return rc;
}

int fy_nnft_eft_summary(double *gp_ratio, double *lambda_ratio, double *rg_slope,
                        const fy_nnft_spec_t s, slong N, fy_error_t err)
{
    static const double cuts[] = {10, 30, 100, 300, 1000, 1e4, 1e5};
    fy_nnft_spec_t w;
    fy_nnft_couplings_t c;
    fy_nnft_predict_t p;
    fy_nnft_rg_t r;
    slong prec = 128;
    int rc;
    if (N < 1)
        return fy_error_set(err, FY_EINPUT, "width N >= 1, not %ld", (long) N);
    fy_nnft_spec_init(w);
    fy_nnft_couplings_init(c);
    fy_nnft_predict_init(p);
    fy_nnft_rg_init(r);
    if ((rc = fy_nnft_spec_set(w, s, err)) != FY_OK)
        goto done;
    w->width = N;
    if ((rc = fy_nnft_couplings(c, w, NULL, 100, FY_NNFT_NOFACT, prec, err)) != FY_OK)
        goto done;
    if ((rc = fy_nnft_predict(p, w, NULL, c->lambda_mean, FY_NNFT_NOFACT, 100, prec, err))
        != FY_OK)
        goto done;
    if ((rc = fy_nnft_rg_scan(r, w, NULL, cuts, (int) (sizeof cuts / sizeof cuts[0]), prec,
                              err)) != FY_OK)
        goto done;
    if (gp_ratio != NULL)
        *gp_ratio = arf_get_d(arb_midref(p->gp_ratio), ARF_RND_NEAR);
    if (lambda_ratio != NULL)
        *lambda_ratio = arf_get_d(arb_midref(p->lambda_ratio), ARF_RND_NEAR);
    if (rg_slope != NULL)
        *rg_slope = r->slope;
done:
    fy_nnft_rg_clear(r);
    fy_nnft_predict_clear(p);
    fy_nnft_couplings_clear(c);
    fy_nnft_spec_clear(w);
    return rc;
}
