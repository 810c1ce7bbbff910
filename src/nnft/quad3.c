/* quad3.c - single-neuron moments E prod_k phi(z_k) over a pre-activation Gaussian of rank 3
 * (and, for erf, rank 4 reduced to 3), rigorously (feynn/nnft.h, MATH.md 4.2).
 *
 * The distinct points' covariance S (exact rationals, from fy_nnft_reduce) is factored by a
 * pivoted Cholesky step in rationals, S = sum_t c_t c_t^T with c_t = R^(t)_.p / sqrt(R^(t)_pp),
 * so z_j = sum_t c_jt y_t with y standard normal in R^rank and the rank found exactly.
 *   - erf at rank 3 with a point of power 1 outside the span of the others: that point's own
 *     direction in closed form (below), a two-dimensional grid left;
 *   - erf at rank 3 otherwise, and tanh at rank 3 (tanh13): one monomial of the
 *     three-dimensional tensor Gauss-Legendre grid of fy_nnft_gauss_batch (quad2.c: panels,
 *     Bernstein-ellipse error bound per monomial, tails |phi| <= 1), aiming at
 *     2^-(min(prec, 48) + 6).  For tanh the bound on an ellipse's box is
 *     max(1, tan sup |Im z|) below its poles at Im z = +-pi/2 (fy_nnft_act_bound; a ball
 *     evaluation of tanh there is not finite), so the degree per panel stays finite; the
 *     correlator tables of a point set of rank 3 take every monomial from one such grid
 *     (exact.c: the [HMS] d = 2 set at n = 4 in seconds);
 *   - rank 4, erf only: a point k of power 1 whose direction leaves the span of the others is
 *     pivoted last, so that only z_k depends on the last coordinate y_3, with coefficient
 *     beta, beta^2 = R^(3)_kk (rational); E over y_3 of erf(alpha + beta y_3) is
 *     erf(alpha / sqrt(1 + 2 beta^2)) (a closed form), which leaves a rank-3 integral of the
 *     same kind with z_k's row scaled.  Other rank-4 moments (tanh: a four-dimensional grid
 *     would take n^4 nodes a panel; erf with every power >= 2) and rank 5 or more are refused
 *     with the reason and the alternative, feynn nnft sample. */
#include <stdlib.h>
#include <string.h>

#include "nnft/nnft_internal.h"

int fy_nnft_chol(arb_ptr co, slong *rank, fmpq_t lastvar, const fmpq *S, slong r, slong last,
                 slong prec)
{
    fmpq *R;
    fmpq_t t;
    arb_t sq;
    char *used;
    slong j, l, p, k;
    R = flint_malloc((size_t) (r * r) * sizeof(fmpq));
    used = flint_calloc((size_t) r, 1);
    for (j = 0; j < r * r; j++)
    {
        fmpq_init(R + j);
        fmpq_set(R + j, S + j);
    }
    fmpq_init(t);
    arb_init(sq);
    fmpq_zero(lastvar);
    _arb_vec_zero(co, r * FY_NNFT_CHOL_K);
    *rank = 0;
    for (k = 0; k < FY_NNFT_CHOL_K; k++)
    {
        /* the largest residual variance among the points other than last, then last */
        for (p = -1, j = 0; j < r; j++)
            if (!used[j] && j != last && fmpq_sgn(R + j * r + j) > 0
                && (p < 0 || fmpq_cmp(R + j * r + j, R + p * r + p) > 0))
                p = j;
        if (p < 0 && last >= 0 && !used[last] && fmpq_sgn(R + last * r + last) > 0)
        {
            p = last;
            fmpq_set(lastvar, R + p * r + p);
        }
        if (p < 0)
            break;
        used[p] = 1;
        (*rank)++;
        arb_set_fmpq(sq, R + p * r + p, prec);
        arb_rsqrt(sq, sq, prec);
        for (j = 0; j < r; j++)
        {
            arb_set_fmpq(co + j * FY_NNFT_CHOL_K + k, R + j * r + p, prec);
            arb_mul(co + j * FY_NNFT_CHOL_K + k, co + j * FY_NNFT_CHOL_K + k, sq, prec);
        }
        for (j = 0; j < r; j++)
            for (l = 0; l < r; l++)
                if (j != p && l != p)
                {
                    fmpq_mul(t, R + j * r + p, R + l * r + p);
                    fmpq_div(t, t, R + p * r + p);
                    fmpq_sub(R + j * r + l, R + j * r + l, t);
                }
        for (j = 0; j < r; j++)
        {
            fmpq_zero(R + j * r + p);
            fmpq_zero(R + p * r + j);
        }
    }
    for (j = 0; j < r && *rank == FY_NNFT_CHOL_K; j++)
        if (!fmpq_is_zero(R + j * r + j))
            *rank = FY_NNFT_CHOL_K + 1; /* more than four */
    for (j = 0; j < r * r; j++)
        fmpq_clear(R + j);
    flint_free(R);
    flint_free(used);
    fmpq_clear(t);
    arb_clear(sq);
    return FY_OK;
}

/* The position of the monomial prod_j x_j^pw[j] among the outputs of the batch. */
static int mono_index(slong *pos, const int *pw, slong r, int m, fy_error_t err)
{
    slong *tup, count, off = 0, i, want[16];
    int k, j, n = 0, rc;
    for (j = 0; j < r; j++)
        for (k = 0; k < pw[j]; k++)
            want[n++] = j;
    off = fy_nnft_gauss2_batch_count(r, m - 1); /* the lower degrees come first */
    if ((rc = fy_nnft_tuples(&tup, &count, r, m, err)) != FY_OK)
        return rc;
    for (i = 0; i < count; i++)
        if (memcmp(tup + i * m, want, (size_t) m * sizeof(slong)) == 0)
            break;
    free(tup);
    if (i == count)
        return fy_error_set(err, FY_EINTERNAL, "moment grid: monomial not found");
    *pos = off + i;
    return FY_OK;
}

static int grid_moment(arb_t res, fy_nnft_act_t act, arb_srcptr coef, int dim, const int *pw,
                       slong r, int m, slong prec, fy_error_t err);

int fy_nnft_gauss3_expect(arb_t res, fy_nnft_act_t act, arb_srcptr a, arb_srcptr b,
                          arb_srcptr c, const int *pw, slong r, slong prec, fy_error_t err)
{
    arb_ptr coef;
    slong j;
    int m = 0, rc;
    if (act != FY_NNFT_ERF && act != FY_NNFT_TANH && act != FY_NNFT_SIN)
        return fy_error_set(err, FY_EUNSUPPORTED, "three-dimensional moment quadrature is for "
                            "erf, tanh and sin, not %s", fy_nnft_act_name(act));
    if (r < 1 || r > 8)
        return fy_error_set(err, FY_EINPUT, "1..8 columns, not %ld", (long) r);
    for (j = 0; j < r; j++)
    {
        if (pw[j] < 1)
            return fy_error_set(err, FY_EINPUT, "powers must be positive");
        m += pw[j];
    }
    if (m > 16)
        return fy_error_set(err, FY_EINPUT, "moment order %d: at most 16", m);
    if (m & 1)
    {
        arb_zero(res); /* odd activation, odd order */
        return FY_OK;
    }
    coef = _arb_vec_init(3 * r);
    for (j = 0; j < r; j++)
    {
        arb_set(coef + 3 * j, a + j);
        arb_set(coef + 3 * j + 1, b + j);
        arb_set(coef + 3 * j + 2, c + j);
    }
    rc = grid_moment(res, act, coef, 3, pw, r, m, prec, err);
    _arb_vec_clear(coef, 3 * r);
    return rc;
}

/* The representation z_j = sum_t coef[j dim + t] y_t, dim <= 3, of the distinct points
 * (covariance S, powers pw): the Cholesky factor at rank <= 3; for erf, a point k of power 1
 * outside the span of the others is pivoted last and its own direction integrated in closed
 * form (its row scaled by 1 / sqrt(1 + 2 beta^2)), one dimension less. */
static int rank3_coef(arb_ptr coef, int *dim, const fmpq *S, const int *pw, slong r,
                      fy_nnft_act_t act, slong prec, fy_error_t err)
{
    arb_ptr co = _arb_vec_init(r * FY_NNFT_CHOL_K);
    fmpq_t lv;
    arb_t sc;
    slong rank, rk = 0, j, k = r, t;
    int rc = FY_OK;
    fmpq_init(lv);
    arb_init(sc);
    fy_nnft_chol(co, &rank, lv, S, r, -1, prec);
    if (act == FY_NNFT_ERF && rank >= 3 && rank <= 4)
        for (k = 0; k < r; k++)
            if (pw[k] == 1 && fy_nnft_chol(co, &rk, lv, S, r, k, prec) == FY_OK && rk == rank
                && !fmpq_is_zero(lv))
                break;
    if (k < r)
        *dim = (int) rank - 1;
    else
    {
        k = -1;
        fy_nnft_chol(co, &rank, lv, S, r, -1, prec);
        *dim = (int) rank;
    }
    if (*dim > 3)
        rc = fy_error_set(err, FY_EUNSUPPORTED, "the pre-activations at these %ld distinct "
                          "points have a Gaussian of rank %s4; %s", (long) r,
                          rank > 4 ? "more than " : "",
                          act == FY_NNFT_ERF ? "erf reduces rank 4 to 3 only where a point "
                          "occurs once (a four-dimensional integral is not implemented); use "
                          "feynn nnft sample"
                          : "a four-dimensional integral is not implemented for this "
                          "activation (erf reduces rank 4 to 3 where a point occurs once); use "
                          "feynn nnft sample");
    for (j = 0; j < r && rc == FY_OK; j++)
        for (t = 0; t < *dim; t++)
            arb_set(coef + j * *dim + t, co + j * FY_NNFT_CHOL_K + t);
    if (rc == FY_OK && k >= 0)
    {
        /* sc = 1 / sqrt(1 + 2 beta^2) */
        arb_set_fmpq(sc, lv, prec);
        arb_mul_2exp_si(sc, sc, 1);
        arb_add_ui(sc, sc, 1, prec);
        arb_rsqrt(sc, sc, prec);
        for (t = 0; t < *dim; t++)
            arb_mul(coef + k * *dim + t, coef + k * *dim + t, sc, prec);
    }
    _arb_vec_clear(co, r * FY_NNFT_CHOL_K);
    fmpq_clear(lv);
    arb_clear(sc);
    return rc;
}

/* One monomial from the grid in dim dimensions, the degrees chosen for it alone. */
static int grid_moment(arb_t res, fy_nnft_act_t act, arb_srcptr coef, int dim, const int *pw,
                       slong r, int m, slong prec, fy_error_t err)
{
    slong pos = 0, cnt = fy_nnft_gauss2_batch_count(r, m);
    arb_ptr out = _arb_vec_init(cnt);
    char *want = flint_calloc((size_t) cnt, 1);
    int rc = mono_index(&pos, pw, r, m, err);
    if (rc == FY_OK)
    {
        want[pos] = 1;
        rc = fy_nnft_gauss_batch(out, act, coef, dim, r, m, want, prec, err);
    }
    if (rc == FY_OK)
        arb_set(res, out + pos);
    flint_free(want);
    _arb_vec_clear(out, cnt);
    return rc;
}

int fy_nnft_moment_rank3(arb_t res, fy_nnft_act_t act, const fmpq *S, const int *pw, slong r,
                         slong prec, fy_error_t err)
{
    arb_ptr coef;
    int dim = 0, m = 0, rc;
    slong j;
    if (act != FY_NNFT_ERF && act != FY_NNFT_TANH)
        return fy_error_set(err, FY_EUNSUPPORTED, "rank-3 moments are for erf and tanh, not %s",
                            fy_nnft_act_name(act));
    for (j = 0; j < r; j++)
        m += pw[j];
    if (m & 1)
    {
        arb_zero(res);
        return FY_OK;
    }
    coef = _arb_vec_init(3 * r);
    rc = rank3_coef(coef, &dim, S, pw, r, act, prec + 30, err);
    if (rc == FY_OK) /* rank 3: the accuracy goal 2^-(min(prec, FY_NNFT_QG3_PREC) + 6) */
        rc = grid_moment(res, act, coef, dim, pw, r, m,
                         dim == 3 ? FLINT_MIN(prec, FY_NNFT_QG3_PREC) : prec, err);
    _arb_vec_clear(coef, 3 * r);
    return rc;
}

/* ------------------------------------------------------------------ relu at rank 3 (eft13)
 * E prod_j relu(z_j)^pw[j] over distinct points whose covariance S has rank 3.  Three of
 * the points with det S_B != 0 are the coordinates u = z_B ~ N(0, S_B); every z_j =
 * lambda_j . u with lambda_j = S_B^-1 S_Bj rational (exact).  The integrand g(u) =
 * prod (lambda_j . u)^pw[j] on the polyhedral cone C where every lambda_j . u >= 0 (0 off
 * it) is homogeneous of degree m, so over the pyramid of each face x_a = +-1 of the cube,
 * u = rho x, du = rho^2 drho dS:
 *   int_0^inf rho^(m + 2) exp(-rho^2 Q(x) / 2) drho = 2^((m + 1) / 2) Gamma((m + 3) / 2)
 *                                                      Q(x)^(-(m + 3) / 2),
 * Q = x^T S_B^-1 x, and
 *   E = 2^((m + 1) / 2) Gamma((m + 3) / 2) / ((2 pi)^(3/2) sqrt(det S_B))
 *       sum over faces int over the polygon C n face of g(x) Q(x)^(-(m + 3) / 2) dS.
 * The polygons are the square clipped by the half-planes lambda_j . x >= 0 in exact
 * rationals; each is cut into slabs between its vertices' first coordinates, where its lower
 * and upper edges are affine; on a slab t = t_lo(s) + tau (t_hi(s) - t_lo(s)), tau in [0, 1],
 * and the integrand, analytic there (no kink inside the cone), goes to the rigorous
 * cubature (fy_nnft_cube_integrate, quad2.c: its boxes follow the sharp peak of Q^-(m + 3)/2
 * where the covariance is nearly degenerate, as on the [HMS] d = 2 ReLU set). */
#define R3_MAXV 24

typedef struct
{
    slong r;
    const int *pw;
    int m, a, sg;           /* the face: axis a, sign sg */
    arb_ptr lam;            /* r x 3 */
    arb_t sinv[9];          /* S_B^-1 */
    arb_t s0, ds, lo0, dlo, hi0, dhi; /* the slab: s0 + ds, t_lo = lo0 + dlo (s - s0) / ds */
} r3_param;

/* The point x(s, tau) of the face, its polygon slab mapped to the unit square. */
static int r3_f(acb_t res, acb_srcptr y, int analytic, void *param, slong prec)
{
    r3_param *p = param;
    acb_t x[3], u, lo, hi, g, q;
    slong j, c, e;
    int k = 0;
    for (c = 0; c < 3; c++)
        acb_init(x[c]);
    acb_init(u);
    acb_init(lo);
    acb_init(hi);
    acb_init(g);
    acb_init(q);
    /* u = (s - s0) / ds; t_lo, t_hi affine in u */
    acb_sub_arb(u, y, p->s0, prec);
    acb_div_arb(u, u, p->ds, prec);
    acb_mul_arb(lo, u, p->dlo, prec);
    acb_add_arb(lo, lo, p->lo0, prec);
    acb_mul_arb(hi, u, p->dhi, prec);
    acb_add_arb(hi, hi, p->hi0, prec);
    acb_sub(hi, hi, lo, prec); /* the Jacobian */
    for (c = 0; c < 3; c++)
        if (c == p->a)
            acb_set_si(x[c], p->sg);
        else if (k++ == 0)
            acb_set(x[c], y);
        else
        {
            acb_mul(x[c], y + 1, hi, prec);
            acb_add(x[c], x[c], lo, prec);
        }
    acb_set(g, hi);
    for (j = 0; j < p->r; j++)
    {
        acb_mul_arb(u, x[0], p->lam + 3 * j, prec);
        acb_addmul_arb(u, x[1], p->lam + 3 * j + 1, prec);
        acb_addmul_arb(u, x[2], p->lam + 3 * j + 2, prec);
        acb_pow_ui(u, u, (ulong) p->pw[j], prec);
        acb_mul(g, g, u, prec);
    }
    acb_zero(q);
    for (c = 0; c < 3; c++)
        for (e = 0; e < 3; e++)
        {
            acb_mul(u, x[c], x[e], prec);
            acb_addmul_arb(q, u, p->sinv[3 * c + e], prec);
        }
    if (analytic && !arb_is_positive(acb_realref(q)))
        acb_indeterminate(res);
    else
    {
        acb_rsqrt_analytic(q, q, analytic, prec);
        acb_pow_ui(q, q, (ulong) (p->m + 3), prec);
        acb_mul(res, g, q, prec);
    }
    for (c = 0; c < 3; c++)
        acb_clear(x[c]);
    acb_clear(u);
    acb_clear(lo);
    acb_clear(hi);
    acb_clear(g);
    acb_clear(q);
    return 0;
}

/* The square [-1, 1]^2 (vertices v, 2 rationals each) clipped by h0 + h1 s + h2 t >= 0 for
 * every half-plane h (nh x 3); returns the number of vertices. */
static slong r3_polygon(fmpq *v, const fmpq *h, slong nh)
{
    fmpq w[2 * R3_MAXV], *src = v, *dst = w;
    fmpq_t hp, hq, f, t;
    slong n = 4, i, j, o;
    static const int sq[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
    fmpq_init(hp);
    fmpq_init(hq);
    fmpq_init(f);
    fmpq_init(t);
    for (i = 0; i < 2 * R3_MAXV; i++)
        fmpq_init(w + i);
    for (i = 0; i < 4; i++)
    {
        fmpq_set_si(v + 2 * i, sq[i][0], 1);
        fmpq_set_si(v + 2 * i + 1, sq[i][1], 1);
    }
    for (j = 0; j < nh && n > 0; j++)
    {
        const fmpq *hj = h + 3 * j;
        for (o = 0, i = 0; i < n; i++)
        {
            const fmpq *P = src + 2 * i, *Q = src + 2 * ((i + 1) % n);
            fmpq_mul(hp, hj + 1, P);
            fmpq_addmul(hp, hj + 2, P + 1);
            fmpq_add(hp, hp, hj);
            fmpq_mul(hq, hj + 1, Q);
            fmpq_addmul(hq, hj + 2, Q + 1);
            fmpq_add(hq, hq, hj);
            if (fmpq_sgn(hp) >= 0)
            {
                fmpq_set(dst + 2 * o, P);
                fmpq_set(dst + 2 * o + 1, P + 1);
                o++;
            }
            if (fmpq_sgn(hp) * fmpq_sgn(hq) < 0)
            {
                /* P + hp / (hp - hq) (Q - P) */
                fmpq_sub(f, hp, hq);
                fmpq_div(f, hp, f);
                fmpq_sub(t, Q, P);
                fmpq_mul(t, t, f);
                fmpq_add(dst + 2 * o, P, t);
                fmpq_sub(t, Q + 1, P + 1);
                fmpq_mul(t, t, f);
                fmpq_add(dst + 2 * o + 1, P + 1, t);
                o++;
            }
        }
        n = o;
        {
            fmpq *x = src;
            src = dst;
            dst = x;
        }
    }
    if (src != v)
        for (i = 0; i < 2 * n; i++)
            fmpq_set(v + i, src + i);
    fmpq_clear(hp);
    fmpq_clear(hq);
    fmpq_clear(f);
    fmpq_clear(t);
    for (i = 0; i < 2 * R3_MAXV; i++)
        fmpq_clear(w + i);
    return n;
}

/* The range [lo, hi] of t over the convex polygon at first coordinate s. */
static void r3_section(fmpq_t lo, fmpq_t hi, const fmpq *v, slong n, const fmpq_t s)
{
    fmpq_t t, f;
    slong i;
    int any = 0;
    fmpq_init(t);
    fmpq_init(f);
    for (i = 0; i < n; i++)
    {
        const fmpq *P = v + 2 * i, *Q = v + 2 * ((i + 1) % n);
        int cp = fmpq_cmp(P, s), cq = fmpq_cmp(Q, s);
        if ((cp > 0 && cq > 0) || (cp < 0 && cq < 0))
            continue;
        if (cp == 0)
            fmpq_set(t, P + 1);
        else if (cq == 0)
            fmpq_set(t, Q + 1);
        else
        {
            fmpq_sub(f, s, P);
            fmpq_sub(t, Q, P);
            fmpq_div(f, f, t);
            fmpq_sub(t, Q + 1, P + 1);
            fmpq_mul(t, t, f);
            fmpq_add(t, t, P + 1);
        }
        if (!any || fmpq_cmp(t, lo) < 0)
            fmpq_set(lo, t);
        if (!any || fmpq_cmp(t, hi) > 0)
            fmpq_set(hi, t);
        any = 1;
    }
    fmpq_clear(t);
    fmpq_clear(f);
}

static int r3_cmp(const void *x, const void *y)
{
    return fmpq_cmp((const fmpq *) x, (const fmpq *) y);
}

/* The integral over the polygon (n vertices) of face (a, sg), slab by slab, added to A. */
static int r3_face(arb_t A, r3_param *p, const fmpq *v, slong n, slong goal, slong prec,
                   fy_error_t err)
{
    fmpq xs[R3_MAXV];
    fmpq_t l0, h0, l1, h1, t;
    arb_t part;
    arb_struct pt[4];
    arb_srcptr pts[2];
    slong i, ns = 0, npts[2] = {2, 2};
    int rc = FY_OK;
    fmpq_init(l0);
    fmpq_init(h0);
    fmpq_init(l1);
    fmpq_init(h1);
    fmpq_init(t);
    arb_init(part);
    for (i = 0; i < 4; i++)
        arb_init(pt + i);
    for (i = 0; i < n; i++)
    {
        slong k;
        for (k = 0; k < ns && !fmpq_equal(xs + k, v + 2 * i); k++)
            ;
        if (k == ns)
        {
            fmpq_init(xs + ns);
            fmpq_set(xs + ns++, v + 2 * i);
        }
    }
    qsort(xs, (size_t) ns, sizeof(fmpq), r3_cmp);
    pts[0] = pt;
    pts[1] = pt + 2;
    arb_zero(pt + 2);
    arb_one(pt + 3);
    for (i = 0; i + 1 < ns && rc == FY_OK; i++)
    {
        r3_section(l0, h0, v, n, xs + i);
        r3_section(l1, h1, v, n, xs + i + 1);
        arb_set_fmpq(pt, xs + i, prec);
        arb_set_fmpq(pt + 1, xs + i + 1, prec);
        arb_set(p->s0, pt);
        fmpq_sub(t, xs + i + 1, xs + i);
        arb_set_fmpq(p->ds, t, prec);
        arb_set_fmpq(p->lo0, l0, prec);
        arb_set_fmpq(p->hi0, h0, prec);
        fmpq_sub(t, l1, l0);
        arb_set_fmpq(p->dlo, t, prec);
        fmpq_sub(t, h1, h0);
        arb_set_fmpq(p->dhi, t, prec);
        rc = fy_nnft_cube_integrate(part, r3_f, p, 2, pts, npts, goal, prec, err);
        arb_add(A, A, part, prec);
    }
    for (i = 0; i < ns; i++)
        fmpq_clear(xs + i);
    fmpq_clear(l0);
    fmpq_clear(h0);
    fmpq_clear(l1);
    fmpq_clear(h1);
    fmpq_clear(t);
    arb_clear(part);
    for (i = 0; i < 4; i++)
        arb_clear(pt + i);
    return rc;
}

/* det of the 3 x 3 rational matrix M (row-major) and its inverse (if det != 0). */
static void r3_inverse(fmpq_t det, fmpq *inv, const fmpq *M)
{
    fmpq_t t;
    int i, j;
    fmpq_init(t);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 3; j++)
        {
            /* cofactor C_ji (the adjugate) */
            const fmpq *a = M + 3 * ((j + 1) % 3), *b = M + 3 * ((j + 2) % 3);
            fmpq_mul(inv + 3 * i + j, a + (i + 1) % 3, b + (i + 2) % 3);
            fmpq_mul(t, a + (i + 2) % 3, b + (i + 1) % 3);
            fmpq_sub(inv + 3 * i + j, inv + 3 * i + j, t);
        }
    fmpq_zero(det);
    for (j = 0; j < 3; j++)
        fmpq_addmul(det, M + j, inv + 3 * j);
    if (!fmpq_is_zero(det))
        for (i = 0; i < 9; i++)
            fmpq_div(inv + i, inv + i, det);
    fmpq_clear(t);
}

int fy_nnft_relu_rank3(arb_t res, const fmpq *S, const int *pw, slong r, slong prec,
                       fy_error_t err)
{
    fmpq SB[9], inv[9], *lam, *h, *v;
    fmpq_t det, t;
    r3_param p;
    slong b[3] = {-1, -1, -1}, i, j, k, c, goal = FLINT_MIN(prec, FY_NNFT_QG3_PREC) + 6;
    slong wp = goal + 30;
    int rc = FY_OK, zero = 0;
    arb_t A, f;
    if (r < 3 || r > 8)
        return fy_error_set(err, FY_EINPUT, "relu at rank 3: 3..8 distinct points, not %ld",
                            (long) r);
    fmpq_init(det);
    fmpq_init(t);
    for (i = 0; i < 9; i++)
    {
        fmpq_init(SB + i);
        fmpq_init(inv + i);
    }
    lam = _fmpq_vec_init(3 * r);
    h = _fmpq_vec_init(3 * r);
    v = _fmpq_vec_init(2 * R3_MAXV);
    memset(&p, 0, sizeof p);
    for (i = 0; i < r && b[0] < 0; i++) /* the first triple with det S_B != 0 */
        for (j = i + 1; j < r && b[0] < 0; j++)
            for (k = j + 1; k < r && b[0] < 0; k++)
            {
                slong q[3] = {i, j, k}, x, y;
                for (x = 0; x < 3; x++)
                    for (y = 0; y < 3; y++)
                        fmpq_set(SB + 3 * x + y, S + q[x] * r + q[y]);
                r3_inverse(det, inv, SB);
                if (!fmpq_is_zero(det))
                    for (x = 0; x < 3; x++)
                        b[x] = q[x];
            }
    if (b[0] < 0)
        rc = fy_error_set(err, FY_EINPUT, "relu at rank 3: the covariance has rank below 3");
    /* lambda_j = S_B^-1 S_Bj; z_j = lambda_j . u exactly iff S_jj = lambda_j . S_Bj */
    for (j = 0; j < r && rc == FY_OK; j++)
    {
        for (c = 0; c < 3; c++)
        {
            fmpq_zero(lam + 3 * j + c);
            for (k = 0; k < 3; k++)
                fmpq_addmul(lam + 3 * j + c, inv + 3 * c + k, S + b[k] * r + j);
        }
        fmpq_zero(t);
        for (c = 0; c < 3; c++)
            fmpq_addmul(t, lam + 3 * j + c, S + b[c] * r + j);
        if (!fmpq_equal(t, S + j * r + j))
            rc = fy_error_set(err, FY_EUNSUPPORTED, "single-neuron moment of relu: the "
                              "pre-activations at these %ld distinct points have a Gaussian "
                              "of rank 4 or more, whose orthant integral is not implemented "
                              "(rank 3 is); use feynn nnft sample", (long) r);
        zero |= fmpq_is_zero(S + j * r + j); /* z_j = 0: relu(z_j) = 0 */
    }
    arb_init(A);
    arb_init(f);
    if (rc == FY_OK && !zero)
    {
        p.r = r;
        p.pw = pw;
        for (j = 0; j < r; j++)
            p.m += pw[j];
        p.lam = _arb_vec_init(3 * r);
        for (i = 0; i < 3 * r; i++)
            arb_set_fmpq(p.lam + i, lam + i, wp);
        for (i = 0; i < 9; i++)
        {
            arb_init(p.sinv[i]);
            arb_set_fmpq(p.sinv[i], inv + i, wp);
        }
        arb_init(p.s0);
        arb_init(p.ds);
        arb_init(p.lo0);
        arb_init(p.dlo);
        arb_init(p.hi0);
        arb_init(p.dhi);
        for (p.a = 0; p.a < 3 && rc == FY_OK; p.a++)
            for (p.sg = -1; p.sg <= 1 && rc == FY_OK; p.sg += 2)
            {
                /* on the face x_a = sg, (s, t) the other coordinates in order:
                 * lambda_j . x = sg lambda_ja + lambda_js s + lambda_jt t */
                slong n;
                for (j = 0; j < r; j++)
                    for (c = 0, k = 1; c < 3; c++)
                        if (c == p.a)
                        {
                            fmpq_set(h + 3 * j, lam + 3 * j + c);
                            if (p.sg < 0)
                                fmpq_neg(h + 3 * j, h + 3 * j);
                        }
                        else
                            fmpq_set(h + 3 * j + k++, lam + 3 * j + c);
                n = r3_polygon(v, h, r);
                if (n >= 3)
                    rc = r3_face(A, &p, v, n, goal, wp, err);
            }
        if (rc != FY_OK) /* e.g. nearly collinear covariances: a sharply peaked integrand */
            fy_error_prefix(err, "single-neuron moment of relu at rank 3 (use feynn nnft "
                            "sample): ");
        /* times 2^((m + 1) / 2) Gamma((m + 3) / 2) / ((2 pi)^(3/2) sqrt(det S_B)) */
        arb_set_si(f, p.m + 3);
        arb_mul_2exp_si(f, f, -1);
        arb_gamma(f, f, wp);
        arb_mul(A, A, f, wp);
        arb_set_ui(f, 2);
        arb_sqrt(f, f, wp);
        arb_pow_ui(f, f, (ulong) (p.m + 1), wp);
        arb_mul(A, A, f, wp);
        arb_const_pi(f, wp);
        arb_mul_2exp_si(f, f, 1);
        arb_pow_ui(f, f, 3, wp);
        arb_mul_fmpz(f, f, fmpq_numref(det), wp);
        arb_div_fmpz(f, f, fmpq_denref(det), wp);
        arb_rsqrt(f, f, wp);
        arb_mul(A, A, f, wp);
        _arb_vec_clear(p.lam, 3 * r);
        for (i = 0; i < 9; i++)
            arb_clear(p.sinv[i]);
        arb_clear(p.s0);
        arb_clear(p.ds);
        arb_clear(p.lo0);
        arb_clear(p.dlo);
        arb_clear(p.hi0);
        arb_clear(p.dhi);
    }
    if (rc == FY_OK)
        arb_set(res, A); /* 0 if a point has z = 0 */
    arb_clear(A);
    arb_clear(f);
    fmpq_clear(det);
    fmpq_clear(t);
    for (i = 0; i < 9; i++)
    {
        fmpq_clear(SB + i);
        fmpq_clear(inv + i);
    }
    _fmpq_vec_clear(lam, 3 * r);
    _fmpq_vec_clear(h, 3 * r);
    _fmpq_vec_clear(v, 2 * R3_MAXV);
    return rc;
}
