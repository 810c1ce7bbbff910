/* quad3.c - single-neuron moments E prod_k phi(z_k) over a pre-activation Gaussian of rank 3
 * (and, for erf, rank 4 reduced to 3), rigorously (feynn/nnft.h, MATH.md 4.2).
 *
 * The distinct points' covariance S (exact rationals, from fy_nnft_reduce) is factored by a
 * pivoted Cholesky step in rationals, S = sum_t c_t c_t^T with c_t = R^(t)_.p / sqrt(R^(t)_pp),
 * so z_j = sum_t c_jt y_t with y standard normal in R^rank and the rank found exactly.
 *   - erf at rank 3 with a point of power 1 outside the span of the others: that point's own
 *     direction in closed form (below), a two-dimensional grid left;
 *   - erf at rank 3 otherwise: one monomial of the three-dimensional tensor Gauss-Legendre
 *     grid of fy_nnft_gauss_batch (quad2.c: panels, Bernstein-ellipse error bound per
 *     monomial, tails), aiming at 2^-(min(prec, 48) + 6); tanh at rank 3 is refused (the
 *     ball bounds of tanh on the panels' ellipses are not finite near its poles, so the grid
 *     finds no degree);
 *   - rank 4, erf only: a point k of power 1 whose direction leaves the span of the others is
 *     pivoted last, so that only z_k depends on the last coordinate y_3, with coefficient
 *     beta, beta^2 = R^(3)_kk (rational); E over y_3 of erf(alpha + beta y_3) is
 *     erf(alpha / sqrt(1 + 2 beta^2)) (a closed form), which leaves a rank-3 integral of the
 *     same kind with z_k's row scaled.  Other rank-4 moments (tanh; erf with every power >= 2)
 *     and rank 5 or more are refused with the reason. */
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
    if (act != FY_NNFT_ERF && act != FY_NNFT_TANH)
        return fy_error_set(err, FY_EUNSUPPORTED, "three-dimensional moment quadrature is for "
                            "erf and tanh, not %s", fy_nnft_act_name(act));
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
                          "occurs once (a four-dimensional integral is not implemented)"
                          : "rank 4 is not implemented for this activation (erf only)");
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
    if (rc == FY_OK && dim == 3 && act != FY_NNFT_ERF)
        rc = fy_error_set(err, FY_EUNSUPPORTED, "single-neuron moment of %s over a Gaussian of "
                          "rank 3: the grid's bounds near the poles of %s do not converge (not "
                          "implemented; erf is); use feynn nnft sample", fy_nnft_act_name(act),
                          fy_nnft_act_name(act));
    if (rc == FY_OK) /* rank 3: the accuracy goal 2^-(min(prec, FY_NNFT_QG3_PREC) + 6) */
        rc = grid_moment(res, act, coef, dim, pw, r, m,
                         dim == 3 ? FLINT_MIN(prec, FY_NNFT_QG3_PREC) : prec, err);
    _arb_vec_clear(coef, 3 * r);
    return rc;
}
