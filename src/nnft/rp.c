/* rp.c - 2-point callbacks (built-in kernels and the spec adapters) and the reflection
 * positivity of the 2-point function, certified in ball arithmetic (feynn/nnft.h, MATH.md
 * 4.5). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "num/arb_all.h"

#include "feynn/rng.h"
#include "nnft/checks_internal.h"

/* ------------------------------------------------------------------ 2-point callbacks */
void fy_nnft_g2_model_init(fy_nnft_g2_model_t g)
{
    g->kind = FY_NNFT_G2_FREE;
    fmpq_init(g->m);
    fmpq_init(g->c);
    fmpq_one(g->m);
    fmpq_one(g->c);
}

void fy_nnft_g2_model_clear(fy_nnft_g2_model_t g)
{
    fmpq_clear(g->m);
    fmpq_clear(g->c);
}

static void dist2_q(fmpq_t r2, const fmpq *x, const fmpq *y, slong d)
{
    fmpq_t t;
    slong k;
    fmpq_init(t);
    fmpq_zero(r2);
    for (k = 0; k < d; k++)
    {
        fmpq_sub(t, x + k, y + k);
        fmpq_mul(t, t, t);
        fmpq_add(r2, r2, t);
    }
    fmpq_clear(t);
}

int fy_nnft_g2_model(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                     fy_error_t err)
{
    const fy_nnft_g2_model_struct *g = ctx;
    fmpq_t r2;
    arb_t r, m, t, nu;
    int rc = FY_OK;
    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "2-point function: dimension %ld < 1", (long) d);
    if (fmpq_sgn(g->m) <= 0)
        return fy_error_set(err, FY_EINPUT, "2-point function: the mass m must be positive");
    fmpq_init(r2);
    arb_init(r);
    arb_init(m);
    arb_init(t);
    arb_init(nu);
    dist2_q(r2, x, y, d);
    arb_set_fmpq(r, r2, prec);
    arb_sqrt(r, r, prec);
    arb_set_fmpq(m, g->m, prec);
    switch (g->kind)
    {
    case FY_NNFT_G2_GAUSS: /* exp(-m^2 r^2 / 2) */
        arb_sqr(t, m, prec);
        arb_mul_fmpz(t, t, fmpq_numref(r2), prec);
        arb_div_fmpz(t, t, fmpq_denref(r2), prec);
        arb_mul_2exp_si(t, t, -1);
        arb_neg(t, t);
        arb_exp(G, t, prec);
        break;
    case FY_NNFT_G2_EXP: /* exp(-m r) */
        arb_mul(t, m, r, prec);
        arb_neg(t, t);
        arb_exp(G, t, prec);
        break;
    case FY_NNFT_G2_FREE:
        if (d == 1) /* e^(-m r) / (2m) */
        {
            arb_mul(t, m, r, prec);
            arb_neg(t, t);
            arb_exp(G, t, prec);
            arb_div(G, G, m, prec);
            arb_mul_2exp_si(G, G, -1);
        }
        else if (fmpq_is_zero(r2))
            rc = fy_error_set(err, FY_EINPUT, "the free propagator in d = %ld is infinite at "
                              "coincident points; give distinct points", (long) d);
        else /* (2 pi)^(-d/2) (m / r)^(d/2 - 1) K_(d/2-1)(m r) */
        {
            arb_set_si(nu, d - 2);
            arb_mul_2exp_si(nu, nu, -1);
            arb_mul(t, m, r, prec);
            arb_hypgeom_bessel_k(G, nu, t, prec);
            arb_div(t, m, r, prec);
            arb_pow(t, t, nu, prec);
            arb_mul(G, G, t, prec);
            arb_const_pi(t, prec);
            arb_mul_2exp_si(t, t, 1);
            arb_set_si(nu, -d);
            arb_mul_2exp_si(nu, nu, -1);
            arb_pow(t, t, nu, prec);
            arb_mul(G, G, t, prec);
        }
        break;
    default:
        rc = fy_error_set(err, FY_EINPUT, "2-point function: unknown kind %d", (int) g->kind);
    }
    if (rc == FY_OK)
    {
        arb_set_fmpq(t, g->c, prec);
        arb_mul(G, G, t, prec);
    }
    fmpq_clear(r2);
    arb_clear(r);
    arb_clear(m);
    arb_clear(t);
    arb_clear(nu);
    return rc;
}

int fy_nnft_g2_spec(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                    fy_error_t err)
{
    const fy_nnft_spec_struct *s = ctx;
    fy_nnft_spec_struct v;
    fmpq *pts;
    slong k;
    int rc;
    if (d != s->d)
        return fy_error_set(err, FY_EINPUT, "points of dimension %ld for a spec of d = %ld",
                            (long) d, (long) s->d);
    pts = _fmpq_vec_init(2 * d);
    for (k = 0; k < d; k++)
    {
        fmpq_set(pts + k, x + k);
        fmpq_set(pts + d + k, y + k);
    }
    fy_nnft_spec_view(&v, s, pts, 2);
    rc = fy_nnft_kernel(G, &v, 0, 1, prec, err);
    _fmpq_vec_clear(pts, 2 * d);
    return rc;
}

int fy_nnft_npt_spec(arb_t G, const fmpq *x, int n, slong d, void *ctx, slong prec,
                     fy_error_t err)
{
    const fy_nnft_npt_ctx_struct *c = ctx;
    fy_nnft_spec_struct v;
    fmpq *pts;
    slong idx[8], k;
    int rc;
    if (d != c->spec->d)
        return fy_error_set(err, FY_EINPUT, "points of dimension %ld for a spec of d = %ld",
                            (long) d, (long) c->spec->d);
    if (n < 1 || n > 8)
        return fy_error_set(err, FY_EINPUT, "n-point function at n = %d: 1..8", n);
    pts = _fmpq_vec_init(n * d);
    for (k = 0; k < n * d; k++)
        fmpq_set(pts + k, x + k);
    for (k = 0; k < n; k++)
        idx[k] = k;
    fy_nnft_spec_view(&v, c->spec, pts, n);
    if (n == 2)
        rc = fy_nnft_kernel(G, &v, 0, 1, prec, err);
    else if (c->connected && (n == 4 || n == 6))
        rc = fy_nnft_connected(G, &v, idx, n, prec, err);
    else
        rc = fy_nnft_correlator(G, &v, idx, n, prec, err);
    _fmpq_vec_clear(pts, n * d);
    return rc;
}

int fy_nnft_npt_g2(arb_t G, const fmpq *x, int n, slong d, void *ctx, slong prec,
                   fy_error_t err)
{
    const fy_nnft_npt_ctx_struct *c = ctx;
    if (n != 2)
        return fy_error_set(err, FY_EINPUT, "a 2-point callback asked for n = %d", n);
    return c->g2(G, x, x + d, d, c->g2_ctx, prec, err);
}

/* ------------------------------------------------------------------ symmetric eigenvalues */
double fy_nnft_sym_eig_min(double *vec, double *A, slong n)
{
    double *V = malloc(sizeof(double) * n * n), best;
    slong i, j, k, sweep, b = 0;
    if (V == NULL)
        return NAN;
    for (i = 0; i < n * n; i++)
        V[i] = 0;
    for (i = 0; i < n; i++)
        V[i * n + i] = 1;
    for (sweep = 0; sweep < 100; sweep++)
    {
        double off = 0, tot = 0;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                *(i == j ? &tot : &off) += A[i * n + j] * A[i * n + j];
        if (off <= 1e-32 * (tot + off) || off == 0)
            break;
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
            {
                double apq = A[i * n + j], th, t, c, s;
                if (apq == 0)
                    continue;
                th = (A[j * n + j] - A[i * n + i]) / (2 * apq);
                t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1));
                c = 1 / sqrt(t * t + 1);
                s = t * c;
                for (k = 0; k < n; k++) /* columns i, j */
                {
                    double ak = A[k * n + i], bk = A[k * n + j];
                    A[k * n + i] = c * ak - s * bk;
                    A[k * n + j] = s * ak + c * bk;
                }
                for (k = 0; k < n; k++) /* rows i, j */
                {
                    double ak = A[i * n + k], bk = A[j * n + k];
                    A[i * n + k] = c * ak - s * bk;
                    A[j * n + k] = s * ak + c * bk;
                }
                for (k = 0; k < n; k++)
                {
                    double ak = V[k * n + i], bk = V[k * n + j];
                    V[k * n + i] = c * ak - s * bk;
                    V[k * n + j] = s * ak + c * bk;
                }
            }
    }
    best = A[0];
    for (i = 1; i < n; i++)
        if (A[i * n + i] < best)
        {
            best = A[i * n + i];
            b = i;
        }
    for (k = 0; k < n; k++)
        vec[k] = V[k * n + b];
    free(V);
    return best;
}

/* ------------------------------------------------------------------ reflection positivity */
void fy_nnft_rp_init(fy_nnft_rp_t r)
{
    memset(r, 0, sizeof(*r));
    arb_init(r->lambda_lower);
    arb_init(r->vMv);
    r->positive = -1;
}

void fy_nnft_rp_clear(fy_nnft_rp_t r)
{
    if (r->points)
        _fmpq_vec_clear(r->points, r->n * r->d);
    free(r->direction);
    free(r->M);
    arb_clear(r->lambda_lower);
    arb_clear(r->vMv);
    memset(r, 0, sizeof(*r));
}

void fy_nnft_rp_points(fmpq *pts, slong n, slong d, const fmpq_t tmax, uint64_t seed)
{
    fy_rng_t g;
    slong i, k;
    fy_rng_init(g, seed, FY_RNG_PURPOSE_NNFT_CHECKS);
    for (i = 0; i < n; i++)
    {
        fmpq_mul_si(pts + i * d, tmax, i + 1);
        {
            fmpz_t nn;
            fmpz_init_set_si(nn, n);
            fmpq_div_fmpz(pts + i * d, pts + i * d, nn);
            fmpz_clear(nn);
        }
        for (k = 1; k < d; k++)
        {
            slong j = (slong) floor(fy_rng_uniform(g, (uint64_t) i, (uint64_t) k) * 17) - 8;
            fmpq_mul_si(pts + i * d + k, tmax, j);
            fmpq_div_2exp(pts + i * d + k, pts + i * d + k, 3);
        }
    }
}

/* Pivoted LDL^T of the symmetric ball matrix A (destroyed): the number of pivots proved
 * positive before the largest remaining diagonal midpoint is no longer certified positive;
 * *tiny is set when every remaining entry then contains 0 with radius below tol. */
static slong ldl_rank(arb_mat_t A, int *tiny, double tol, slong prec)
{
    slong n = arb_mat_nrows(A), *perm = flint_malloc(sizeof(slong) * n), r, i, j, p;
    arb_t t;
    arb_init(t);
    for (i = 0; i < n; i++)
        perm[i] = i;
    *tiny = 0;
    for (r = 0; r < n; r++)
    {
        p = r;
        for (i = r + 1; i < n; i++)
            if (arf_cmp(arb_midref(arb_mat_entry(A, perm[i], perm[i])),
                        arb_midref(arb_mat_entry(A, perm[p], perm[p]))) > 0)
                p = i;
        i = perm[r];
        perm[r] = perm[p];
        perm[p] = i;
        p = perm[r];
        if (!arb_is_positive(arb_mat_entry(A, p, p)))
            break;
        for (i = r + 1; i < n; i++)
            for (j = r + 1; j < n; j++)
            {
                slong a = perm[i], b = perm[j];
                arb_mul(t, arb_mat_entry(A, a, p), arb_mat_entry(A, p, b), prec);
                arb_div(t, t, arb_mat_entry(A, p, p), prec);
                arb_sub(arb_mat_entry(A, a, b), arb_mat_entry(A, a, b), t, prec);
            }
    }
    if (r < n)
    {
        *tiny = 1;
        for (i = r; i < n && *tiny; i++)
            for (j = r; j < n; j++)
            {
                const arb_struct *e = arb_mat_entry(A, perm[i], perm[j]);
                if (!arb_contains_zero(e) ||
                    fabs(arf_get_d(arb_midref(e), ARF_RND_NEAR)) + mag_get_d(arb_radref(e)) >
                        tol)
                {
                    *tiny = 0;
                    break;
                }
            }
    }
    arb_clear(t);
    flint_free(perm);
    return r;
}

/* v^T M v in balls for the double vector v (exact). */
static void quad_form(arb_t q, const arb_mat_t M, const double *v, slong prec)
{
    slong n = arb_mat_nrows(M), i, j;
    arb_t t, a, b;
    arb_init(t);
    arb_init(a);
    arb_init(b);
    arb_zero(q);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
        {
            arb_set_d(a, v[i]);
            arb_set_d(b, v[j]);
            arb_mul(t, a, b, prec);
            arb_addmul(q, t, arb_mat_entry(M, i, j), prec);
        }
    arb_clear(t);
    arb_clear(a);
    arb_clear(b);
}

/* The certificate on the scaled matrix S = D^-1 M D^-1 (M symmetric, positive diagonal). */
static int rp_decide(fy_nnft_rp_t r, const arb_mat_t M, slong prec, fy_error_t err)
{
    slong n = r->n, i, j;
    arb_mat_t S, L;
    arb_ptr dinv = _arb_vec_init(n);
    double *A = NULL, *v = NULL;
    int rc = FY_OK, tiny;
    arb_mat_init(S, n, n);
    arb_mat_init(L, n, n);
    for (i = 0; i < n; i++)
    {
        if (!arb_is_positive(arb_mat_entry(M, i, i)))
        {
            /* a diagonal entry not proved positive: e_i itself may be a negative direction */
            if (arb_is_negative(arb_mat_entry(M, i, i)))
            {
                r->positive = 0;
                r->certified = 1;
                r->direction = calloc(n, sizeof(double));
                if (r->direction == NULL)
                    rc = fy_error_set(err, FY_ENOMEM, "out of memory");
                else
                    r->direction[i] = 1;
                arb_set(r->vMv, arb_mat_entry(M, i, i));
            }
            goto done;
        }
        arb_rsqrt(dinv + i, arb_mat_entry(M, i, i), prec);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
        {
            arb_mul(arb_mat_entry(S, i, j), arb_mat_entry(M, i, j), dinv + i, prec);
            arb_mul(arb_mat_entry(S, i, j), arb_mat_entry(S, i, j), dinv + j, prec);
        }
    A = malloc(sizeof(double) * n * n);
    v = malloc(sizeof(double) * n);
    if (A == NULL || v == NULL)
    {
        rc = fy_error_set(err, FY_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n * n; i++)
        A[i] = arf_get_d(arb_midref(arb_mat_entry(S, i / n, i % n)), ARF_RND_NEAR);
    r->lambda_min = fy_nnft_sym_eig_min(v, A, n);
    if (r->lambda_min < 0)
    {
        /* the direction for M is D^-1 v'; rounded to doubles it stays exact in what follows */
        for (i = 0; i < n; i++)
            v[i] *= arf_get_d(arb_midref(dinv + i), ARF_RND_NEAR);
        quad_form(r->vMv, M, v, prec);
        if (arb_is_negative(r->vMv))
        {
            r->positive = 0;
            r->certified = 1;
            r->direction = v;
            v = NULL;
            goto done;
        }
    }
    if (arb_mat_cho(L, S, prec))
    {
        r->positive = r->certified = r->definite = 1;
        r->rank = n;
        arb_zero(r->lambda_lower);
        if (r->lambda_min > 0) /* a certified bound: S - s I still definite */
        {
            double sh = r->lambda_min / 2;
            arb_t t;
            arb_init(t);
            for (i = 0; i < 40 && sh > 1e-300; i++, sh /= 4)
            {
                arb_mat_set(L, S);
                arb_set_d(t, sh);
                for (j = 0; j < n; j++)
                    arb_sub(arb_mat_entry(L, j, j), arb_mat_entry(L, j, j), t, prec);
                if (arb_mat_cho(L, L, prec))
                {
                    arb_set(r->lambda_lower, t);
                    break;
                }
            }
            arb_clear(t);
        }
        goto done;
    }
    arb_mat_set(L, S);
    r->rank = ldl_rank(L, &tiny, ldexp(1.0, -(int) (prec / 2)), prec);
    if (tiny && r->lambda_min > -1e-12)
        r->positive = 1; /* semi-definite to working precision, not proved */
done:
    free(A);
    free(v);
    _arb_vec_clear(dinv, n);
    arb_mat_clear(S);
    arb_mat_clear(L);
    return rc;
}

/* Rows of M that are exactly 0 do not change positivity: they are left out (every row
 * exactly 0, e.g. ReLU without biases at opposite times, is positive semi-definite, proved). */
static int rp_reduced(fy_nnft_rp_t r, const arb_mat_t M, slong prec, fy_error_t err)
{
    slong n = r->n, m = 0, i, j, *keep = flint_malloc(sizeof(slong) * n);
    arb_mat_t R;
    int rc = FY_OK;
    for (i = 0; i < n; i++)
    {
        for (j = 0; j < n && arb_is_zero(arb_mat_entry(M, i, j)); j++)
            ;
        if (j < n)
            keep[m++] = i;
    }
    if (m == n)
        rc = rp_decide(r, M, prec, err);
    else if (m == 0)
    {
        r->positive = r->certified = 1;
        r->rank = 0;
        r->lambda_min = 0;
    }
    else
    {
        arb_mat_init(R, m, m);
        for (i = 0; i < m; i++)
            for (j = 0; j < m; j++)
                arb_set(arb_mat_entry(R, i, j), arb_mat_entry(M, keep[i], keep[j]));
        r->n = m;
        rc = rp_decide(r, R, prec, err);
        r->n = n;
        if (rc == FY_OK && r->direction)
        {
            double *v = calloc(n, sizeof(double));
            if (v == NULL)
                rc = fy_error_set(err, FY_ENOMEM, "out of memory");
            else
            {
                for (i = 0; i < m; i++)
                    v[keep[i]] = r->direction[i];
                free(r->direction);
                r->direction = v;
            }
        }
        arb_mat_clear(R);
    }
    flint_free(keep);
    return rc;
}

/* The bar of r->progress (issue 10 item 18): a 2-point callback that counts its evaluations
 * and advances the bar, around the caller's g2. */
typedef struct
{
    fy_nnft_g2_fn g2;
    void *ctx;
    fy_progress_struct *bar;
    double done;
} rp_count_struct;

static int rp_count_g2(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                       fy_error_t err)
{
    rp_count_struct *c = ctx;
    int rc = c->g2(G, x, y, d, c->ctx, prec, err);
    fy_progress_update(c->bar, ++c->done);
    return rc;
}

/* fy_nnft_rp_check with the bar's total set to `passes` evaluations of the n x n matrix. */
static int rp_check_bar(fy_nnft_rp_t r, fy_nnft_g2_fn g2, void *ctx, slong d, const fmpq *pts,
                        slong n, slong prec, int passes, fy_error_t err);

int fy_nnft_rp_check(fy_nnft_rp_t r, fy_nnft_g2_fn g2, void *ctx, slong d, const fmpq *pts,
                     slong n, slong prec, fy_error_t err)
{
    return rp_check_bar(r, g2, ctx, d, pts, n, prec, 1, err);
}

static int rp_check_run(fy_nnft_rp_t r, fy_nnft_g2_fn g2, void *ctx, slong d, const fmpq *pts,
                        slong n, slong prec, fy_error_t err)
{
    arb_mat_t M;
    fmpq *th;
    slong i, j, k;
    int rc = FY_OK;
    fy_progress_struct *bar = r->progress;
    if (n < 1 || d < 1)
        return fy_error_set(err, FY_EINPUT, "reflection positivity needs at least one point "
                            "(%ld given) of dimension >= 1", (long) n);
    for (i = 0; i < n; i++)
        if (fmpq_sgn(pts + i * d) <= 0)
            return fy_error_set(err, FY_EINPUT, "point %ld has time (first coordinate) <= 0; "
                                "reflection positivity takes points with positive time (or "
                                "let fy_nnft_rp_points generate them)",
                                (long) i + 1);
    fy_nnft_rp_clear(r);
    fy_nnft_rp_init(r);
    r->progress = bar;
    r->n = n;
    r->d = d;
    r->points = _fmpq_vec_init(n * d);
    for (i = 0; i < n * d; i++)
        fmpq_set(r->points + i, pts + i);
    r->M = malloc(sizeof(double) * n * n);
    if (r->M == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    th = _fmpq_vec_init(d);
    arb_mat_init(M, n, n);
    for (i = 0; i < n && rc == FY_OK; i++)
    {
        for (k = 0; k < d; k++)
            fmpq_set(th + k, pts + i * d + k);
        fmpq_neg(th, th);
        for (j = 0; j < n && rc == FY_OK; j++)
            rc = g2(arb_mat_entry(M, i, j), th, pts + j * d, d, ctx, prec, err);
    }
    if (rc == FY_OK)
    {
        arb_t t;
        arb_init(t);
        r->asym = 0;
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++)
            {
                double a;
                arb_sub(t, arb_mat_entry(M, i, j), arb_mat_entry(M, j, i), prec);
                a = fabs(arf_get_d(arb_midref(t), ARF_RND_NEAR));
                r->asym = a > r->asym ? a : r->asym;
                arb_add(t, arb_mat_entry(M, i, j), arb_mat_entry(M, j, i), prec);
                arb_mul_2exp_si(t, t, -1);
                arb_set(arb_mat_entry(M, i, j), t);
                arb_set(arb_mat_entry(M, j, i), t);
            }
        for (i = 0; i < n * n; i++)
            r->M[i] = arf_get_d(arb_midref(arb_mat_entry(M, i / n, i % n)), ARF_RND_NEAR);
        arb_clear(t);
        rc = rp_reduced(r, M, prec, err);
    }
    arb_mat_clear(M);
    _fmpq_vec_clear(th, d);
    return rc;
}

static int rp_check_bar(fy_nnft_rp_t r, fy_nnft_g2_fn g2, void *ctx, slong d, const fmpq *pts,
                        slong n, slong prec, int passes, fy_error_t err)
{
    rp_count_struct c = {g2, ctx, r->progress, 0};
    if (r->progress == NULL)
        return rp_check_run(r, g2, ctx, d, pts, n, prec, err);
    r->progress->total = n > 0 ? (double) passes * (double) n * (double) n : 1;
    return rp_check_run(r, rp_count_g2, &c, d, pts, n, prec, err);
}

int fy_nnft_rp_spec(fy_nnft_rp_t r, const fy_nnft_spec_t s, const fmpq *pts, slong n,
                    slong prec, fy_error_t err)
{
    int rc, spectral = 0;
    if (pts == NULL)
    {
        pts = s->points;
        n = s->npoints;
    }
    if (r->progress != NULL && s->d == 1) /* will the spectral certificate evaluate M again? */
    {
        fy_nnft_kl_t kl;
        fy_error_t e2;
        fy_nnft_kl_init(kl);
        fy_error_init(e2);
        spectral = fy_nnft_kl_spec(kl, s, prec, e2) == FY_OK;
        fy_nnft_kl_clear(kl);
    }
    rc = rp_check_bar(r, fy_nnft_g2_spec, (void *) s, s->d, pts, n, prec, 1 + spectral, err);
    if (rc == FY_OK && spectral) /* the second pass, counted on the same bar */
    {
        fy_progress_struct *bar = r->progress;
        rp_count_struct c = {fy_nnft_g2_spec, (void *) s, bar, (double) n * (double) n};
        fy_nnft_kl_t kl;
        fy_nnft_kl_init(kl);
        rc = fy_nnft_kl_spec(kl, s, prec, err);
        if (rc == FY_OK)
            rc = fy_nnft_rp_spectral(r, kl, rp_count_g2, &c, prec, err);
        fy_nnft_kl_clear(kl);
        return rc;
    }
    return rc == FY_OK ? fy_nnft_rp_spec_spectral(r, s, prec, err) : rc;
}

const char *fy_nnft_rp_verdict(const fy_nnft_rp_t r)
{
    if (r->positive == 1 && r->spectral == 1 && !r->definite)
        return "positive semi-definite (certified by the spectral measure)";
    if (r->positive == 1)
        return r->certified ? "positive definite (certified)"
                            : "positive semi-definite (not certified)";
    if (r->positive == 0)
        return r->certified ? "not positive (certified)" : "not positive";
    return "undecided";
}
