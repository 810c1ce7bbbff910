/* Exact Born terms (MATH.md 2.3): the product of the zero-energy step transfer matrices
 * T_j = [[c, s], [U_j s, c]], c = sum_k U_j^k D^2k/(2k)!, s = sum_k U_j^k D^(2k+1)/(2k+1)!,
 * D = r_j - r_{j-1}, applied to (u, u')(0) = (0, 1), over truncated power series with rational
 * coefficients; then a_0 = R - u/u' by series division (u'(R) = 1 + O(U)).  With U replaced
 * by lambda U the series is univariate in lambda and its coefficients are the values
 * a_0^(n)(U); with U_1..U_d as the variables it is the multivariate Taylor series at U = 0,
 * whose degree-n part gives the symmetric tensor d^n a_0(0). */
#include <stdlib.h>

#include <flint/fmpq_poly.h>

#include "born/born_internal.h"

static int check_order(int N, fy_error_t err)
{
    if (N < 1 || N > 100000)
        return fy_error_set(err, FY_EINPUT, "the order of the Born series must be in 1..100000, "
                            "not %d", N);
    return FY_OK;
}

/* coef[k] = D^(2k+odd) / (2k+odd)! for k = 0..n-1 (odd = 0: cosine part, 1: sine part). */
static void step_coefs(fmpq *coef, const fmpq_t D, int n, int odd)
{
    fmpq_t D2;
    int k;
    fmpq_init(D2);
    fmpq_mul(D2, D, D);
    if (n > 0)
    {
        if (odd)
            fmpq_set(coef, D);
        else
            fmpq_one(coef);
    }
    for (k = 1; k < n; k++)
    {
        fmpq_mul(coef + k, coef + k - 1, D2);
        _fy_fmpq_div_si_born(coef + k, coef + k, (slong) (2 * k + odd) * (2 * k + odd - 1));
    }
    fmpq_clear(D2);
}

int fy_born_series(fmpq_poly_t s, const fy_born_potential_t pot, int N, fy_error_t err)
{
    fmpq_poly_t u, up, c, sn, us, t1, t2;
    fmpq *cc, *ss;
    fmpq_t D, pw, x;
    slong j;
    int k, rc, len = N + 1;

    if ((rc = check_order(N, err)) != FY_OK)
        return rc;
    if (pot->d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    fmpq_poly_init(u);
    fmpq_poly_init(up);
    fmpq_poly_init(c);
    fmpq_poly_init(sn);
    fmpq_poly_init(us);
    fmpq_poly_init(t1);
    fmpq_poly_init(t2);
    fmpq_init(D);
    fmpq_init(pw);
    fmpq_init(x);
    cc = _fmpq_vec_init(len);
    ss = _fmpq_vec_init(len);
    fmpq_poly_one(up);
    for (j = 0; j < pot->d; j++)
    {
        const fmpq *Uj = pot->U + j;
        fmpq_sub(D, pot->r + j + 1, pot->r + j);
        step_coefs(cc, D, len, 0);
        step_coefs(ss, D, len, 1);
        fmpq_poly_zero(c);
        fmpq_poly_zero(sn);
        fmpq_poly_zero(us);
        fmpq_one(pw); /* U_j^k */
        for (k = 0; k < len; k++)
        {
            fmpq_mul(x, cc + k, pw);
            fmpq_poly_set_coeff_fmpq(c, k, x);
            fmpq_mul(x, ss + k, pw);
            fmpq_poly_set_coeff_fmpq(sn, k, x);
            if (k + 1 < len)
            {
                fmpq_mul(x, x, Uj); /* (lambda U_j) s: shifted by one power of lambda */
                fmpq_poly_set_coeff_fmpq(us, k + 1, x);
            }
            fmpq_mul(pw, pw, Uj);
        }
        /* (u, u') <- T_j (u, u') */
        fmpq_poly_mullow(t1, c, u, len);
        fmpq_poly_mullow(t2, sn, up, len);
        fmpq_poly_add(t1, t1, t2);
        fmpq_poly_mullow(t2, us, u, len);
        fmpq_poly_swap(u, t1);
        fmpq_poly_mullow(t1, c, up, len);
        fmpq_poly_add(up, t1, t2);
    }
    /* a_0 = R - u/u' */
    fmpq_poly_div_series(t1, u, up, len);
    fmpq_poly_neg(t1, t1);
    fmpq_poly_get_coeff_fmpq(x, t1, 0);
    fmpq_add(x, x, fy_born_potential_range(pot));
    fmpq_poly_set_coeff_fmpq(t1, 0, x);
    fmpq_poly_swap(s, t1);

    _fmpq_vec_clear(cc, len);
    _fmpq_vec_clear(ss, len);
    fmpq_clear(D);
    fmpq_clear(pw);
    fmpq_clear(x);
    fmpq_poly_clear(u);
    fmpq_poly_clear(up);
    fmpq_poly_clear(c);
    fmpq_poly_clear(sn);
    fmpq_poly_clear(us);
    fmpq_poly_clear(t1);
    fmpq_poly_clear(t2);
    return FY_OK;
}

int fy_born_terms(fmpq *terms, const fy_born_potential_t pot, int N, fy_error_t err)
{
    fmpq_poly_t s;
    int n, rc;
    fmpq_poly_init(s);
    rc = fy_born_series(s, pot, N, err);
    if (rc == FY_OK)
        for (n = 1; n <= N; n++)
            fmpq_poly_get_coeff_fmpq(terms + n - 1, s, n);
    fmpq_poly_clear(s);
    return rc;
}

/* ------------------------------------------------------------------ multivariate */

int fy_born_mseries(fy_mseries_t s, const fy_born_potential_t pot, int N, fy_error_t err)
{
    fy_mseries_t u, up, c, sn, us, t1, t2;
    fmpq *cc, *ss;
    fmpq_t D;
    int *exps = NULL, k, rc;
    slong i, j, d = pot->d;

    if ((rc = check_order(N, err)) != FY_OK)
        return rc;
    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    if (d > 1000000)
        return fy_error_set(err, FY_ENOMEM, "too many steps (%ld) for coefficient tensors",
                            (long) d);
    /* The first init validates the size (number of monomials) before anything large. */
    if ((rc = fy_mseries_init(u, FY_ARITH_EXACT, (int) d, N, 0, err)) != FY_OK)
    {
        fy_mseries_clear(u);
        return rc;
    }
    fy_mseries_init_empty(up);
    fy_mseries_init_empty(c);
    fy_mseries_init_empty(sn);
    fy_mseries_init_empty(us);
    fy_mseries_init_empty(t1);
    fy_mseries_init_empty(t2);
    rc = fy_mseries_set_shape(up, FY_ARITH_EXACT, (int) d, N, 0, err);
    if (rc == FY_OK)
        rc = fy_mseries_set_shape(c, FY_ARITH_EXACT, (int) d, N, 0, err);
    if (rc == FY_OK)
        rc = fy_mseries_set_shape(sn, FY_ARITH_EXACT, (int) d, N, 0, err);
    if (rc == FY_OK)
        rc = fy_mseries_set_shape(us, FY_ARITH_EXACT, (int) d, N, 0, err);
    if (rc == FY_OK)
        rc = fy_mseries_set_shape(t1, FY_ARITH_EXACT, (int) d, N, 0, err);
    if (rc == FY_OK)
        rc = fy_mseries_set_shape(t2, FY_ARITH_EXACT, (int) d, N, 0, err);
    exps = fy_calloc((size_t) d, sizeof(int), err);
    fmpq_init(D);
    cc = _fmpq_vec_init(N + 1);
    ss = _fmpq_vec_init(N + 1);
    if (rc != FY_OK || exps == NULL)
    {
        rc = rc != FY_OK ? rc : FY_ENOMEM;
        goto done;
    }
    fy_mseries_set_si(up, exps, 1, NULL); /* u = 0, u' = 1 */
    for (j = 0; j < d && rc == FY_OK; j++)
    {
        fmpq_sub(D, pot->r + j + 1, pot->r + j);
        step_coefs(cc, D, N + 1, 0);
        step_coefs(ss, D, N + 1, 1);
        fmpq_zero(D);
        /* c, s, U_j s are series in U_j alone: rebuild them (only their own monomials). */
        for (i = 0; i < c->c.len; i++)
        {
            fmpq_zero(fy_numvec_fmpq(&c->c) + i);
            fmpq_zero(fy_numvec_fmpq(&sn->c) + i);
            fmpq_zero(fy_numvec_fmpq(&us->c) + i);
        }
        for (k = 0; k <= N; k++)
        {
            exps[j] = k;
            fy_mseries_set_fmpq(c, exps, cc + k, NULL);
            fy_mseries_set_fmpq(sn, exps, ss + k, NULL);
            if (k + 1 <= N)
            {
                exps[j] = k + 1;
                fy_mseries_set_fmpq(us, exps, ss + k, NULL);
            }
        }
        exps[j] = 0;
        /* sparse factor first: the product skips its zero coefficients */
        if ((rc = fy_mseries_mul(t1, c, u, err)) != FY_OK ||
            (rc = fy_mseries_mul(t2, sn, up, err)) != FY_OK ||
            (rc = fy_mseries_add(t1, t1, t2, err)) != FY_OK ||
            (rc = fy_mseries_mul(t2, us, u, err)) != FY_OK)
            break;
        fy_mseries_swap(u, t1);
        if ((rc = fy_mseries_mul(t1, c, up, err)) != FY_OK ||
            (rc = fy_mseries_add(up, t1, t2, err)) != FY_OK)
            break;
    }
    if (rc == FY_OK && (rc = fy_mseries_div(t1, u, up, err)) == FY_OK)
    {
        fmpq *c0;
        fy_mseries_swap(s, t1); /* s takes the quotient's shape; t1 (the old s) is freed */
        c0 = fy_numvec_fmpq(&s->c);
        for (i = 0; i < s->c.len; i++)
            fmpq_neg(c0 + i, c0 + i);
        fmpq_add(c0, c0, fy_born_potential_range(pot)); /* constant term R - R/1 = 0 */
    }

done:
    free(exps);
    _fmpq_vec_clear(cc, N + 1);
    _fmpq_vec_clear(ss, N + 1);
    fmpq_clear(D);
    fy_mseries_clear(u);
    fy_mseries_clear(up);
    fy_mseries_clear(c);
    fy_mseries_clear(sn);
    fy_mseries_clear(us);
    fy_mseries_clear(t1);
    fy_mseries_clear(t2);
    return rc;
}

int fy_born_tensor_from_mseries(fy_symtensor_t T, const fy_mseries_t s, int n, fy_error_t err)
{
    fy_symtensor_t R;
    int *exps, *idx, m, v, rc;
    slong off, cnt, i, pos, d = s->nvars;
    fmpz_t af, f;
    fmpq *src;

    if (s->c.arith != FY_ARITH_EXACT)
        return fy_error_set(err, FY_EINPUT, "Born tensors are built from exact series");
    if (n < 0 || n > s->deg)
        return fy_error_set(err, FY_EINPUT, "order %d is outside the series (degree %d)", n,
                            s->deg);
    /* built aside and swapped in: T is an initialised tensor of any shape */
    if ((rc = fy_symtensor_init(R, FY_ARITH_EXACT, (int) d, n, 0, err)) != FY_OK)
        return rc;
    exps = fy_calloc((size_t) d, sizeof(int), err);
    idx = fy_calloc((size_t) n + 1, sizeof(int), err);
    if (exps == NULL || idx == NULL)
    {
        free(exps);
        free(idx);
        fy_symtensor_clear(R);
        return FY_ENOMEM;
    }
    fmpz_init(af);
    fmpz_init(f);
    off = fy_mindex_offset(s->ix, n);
    cnt = fy_mindex_count(s->ix, (int) d, n);
    src = fy_numvec_fmpq(&s->c);
    for (i = 0; i < cnt; i++)
    {
        fmpq *dst;
        fy_mseries_monomial(exps, s, off + i);
        fmpz_one(af);
        m = 0;
        for (v = 0; v < d; v++)
        {
            int e;
            for (e = 0; e < exps[v]; e++)
                idx[m++] = v;
            fmpz_fac_ui(f, (ulong) exps[v]);
            fmpz_mul(af, af, f);
        }
        pos = fy_symtensor_index(R, idx);
        dst = fy_numvec_fmpq(&R->e) + pos;
        fmpq_mul_fmpz(dst, src + off + i, af); /* d^n p = alpha! c_alpha */
    }
    fy_symtensor_swap(T, R);
    fy_symtensor_clear(R);
    fmpz_clear(af);
    fmpz_clear(f);
    free(exps);
    free(idx);
    return FY_OK;
}

int fy_born_tensors(fy_symtensor_struct *T, const fy_born_potential_t pot, int N,
                    fy_error_t err)
{
    fy_mseries_t s;
    int n, rc;
    if ((rc = fy_mseries_init(s, FY_ARITH_EXACT, 1, 0, 0, err)) != FY_OK)
        return rc;
    rc = fy_born_mseries(s, pot, N, err);
    for (n = 1; n <= N && rc == FY_OK; n++)
        rc = fy_born_tensor_from_mseries(T + n - 1, s, n, err);
    fy_mseries_clear(s);
    return rc;
}

int fy_born_tensor(fy_symtensor_t T, const fy_born_potential_t pot, int n, fy_error_t err)
{
    fy_mseries_t s;
    int rc;
    if ((rc = fy_mseries_init(s, FY_ARITH_EXACT, 1, 0, 0, err)) != FY_OK)
        return rc;
    rc = fy_born_mseries(s, pot, n, err);
    if (rc == FY_OK)
        rc = fy_born_tensor_from_mseries(T, s, n, err);
    fy_mseries_clear(s);
    return rc;
}
