/* The counting oracle of the Feynman-graph generator: the zero-dimensional field theory.
 * See feynn/feynman.h for the statement; nothing here looks at a graph.
 *
 * Z(J, g) = sum_{j, c} J^j prod_t g_t^{c_t} M(j, c) / (j! prod_t (k_t!)^{c_t} c_t!), with
 * M(j, c) = E[phi^j prod_t phi^{k_t c_t}] = (N-1)!! (N = j + sum k_t c_t even, else 0), or with
 * Wick-ordered vertices E[phi^j prod_t He_{k_t}(phi)^{c_t}] when self-loops are forbidden.
 * The series are truncated to the box of exponents 0..n in J and 0..c_t in g_t (and 0..L in
 * the loop variable t), which every product respects, so log and exp are exact in the box. */
#include <stdlib.h>
#include <string.h>

#include <flint/fmpz_poly.h>

#include "feynn/feynman.h"

#define NVAR (FY_FEYNMAN_MAX_TYPES + 2)

typedef struct
{
    int nvar;
    int dim[NVAR];
    long stride[NVAR];
    long size;
    fmpq *c;
    int *exps; /* size x nvar */
} box_t;

static int box_init(box_t *b, int nvar, const int *dim, fy_error_t err)
{
    long i;
    int v;
    b->nvar = nvar;
    b->size = 1;
    for (v = nvar - 1; v >= 0; v--)
    {
        b->dim[v] = dim[v];
        b->stride[v] = b->size;
        b->size *= dim[v];
        if (b->size > 1000000)
            return fy_error_set(err, FY_EUNSUPPORTED, "the oracle's series would have more "
                                "than 10^6 coefficients");
    }
    b->c = fy_malloc((size_t) b->size, sizeof *b->c, err);
    b->exps = fy_malloc((size_t) b->size * (size_t) nvar + 1, sizeof *b->exps, err);
    if (b->c == NULL || b->exps == NULL)
    {
        free(b->c);
        free(b->exps);
        b->c = NULL;
        b->exps = NULL;
        return FY_ENOMEM;
    }
    for (i = 0; i < b->size; i++)
    {
        fmpq_init(b->c + i);
        for (v = 0; v < nvar; v++)
            b->exps[i * nvar + v] = (int) ((i / b->stride[v]) % dim[v]);
    }
    return FY_OK;
}

static void box_clear(box_t *b)
{
    long i;
    if (b->c != NULL)
        for (i = 0; i < b->size; i++)
            fmpq_clear(b->c + i);
    free(b->c);
    free(b->exps);
    b->c = NULL;
    b->exps = NULL;
}

/* r = a * b truncated to the box; r must not alias a or b. */
static void box_mul(box_t *r, const box_t *a, const box_t *b)
{
    long i, j;
    int v, nv = r->nvar;
    fmpq_t t;
    fmpq_init(t);
    for (i = 0; i < r->size; i++)
        fmpq_zero(r->c + i);
    for (i = 0; i < a->size; i++)
    {
        if (fmpq_is_zero(a->c + i))
            continue;
        for (j = 0; j < b->size; j++)
        {
            long k = 0;
            if (fmpq_is_zero(b->c + j))
                continue;
            for (v = 0; v < nv; v++)
            {
                int e = a->exps[i * nv + v] + b->exps[j * nv + v];
                if (e >= r->dim[v])
                    break;
                k += e * r->stride[v];
            }
            if (v < nv)
                continue;
            fmpq_mul(t, a->c + i, b->c + j);
            fmpq_add(r->c + k, r->c + k, t);
        }
    }
    fmpq_clear(t);
}

static int box_total_degree(const box_t *b)
{
    int v, d = 0;
    for (v = 0; v < b->nvar; v++)
        d += b->dim[v] - 1;
    return d;
}

/* out = sum_{m=1..M} coef(m) x^m for x without constant term; coef(m) = (-1)^{m+1}/m (log) or
 * 1/m! (exp, whose m = 0 term 1 is added). */
static int box_series(box_t *out, const box_t *x, int is_exp, fy_error_t err)
{
    box_t pw, tmp;
    int m, M = box_total_degree(x), status;
    long i;
    fmpq_t cf, t;
    status = box_init(&pw, x->nvar, x->dim, err);
    if (status != FY_OK)
        return status;
    status = box_init(&tmp, x->nvar, x->dim, err);
    if (status != FY_OK)
    {
        box_clear(&pw);
        return status;
    }
    fmpq_init(cf);
    fmpq_init(t);
    for (i = 0; i < out->size; i++)
        fmpq_zero(out->c + i);
    if (is_exp)
        fmpq_one(out->c + 0);
    for (i = 0; i < x->size; i++)
        fmpq_set(pw.c + i, x->c + i);
    fmpq_one(cf);
    for (m = 1; m <= M; m++)
    {
        if (m > 1)
        {
            box_mul(&tmp, &pw, x);
            for (i = 0; i < x->size; i++)
                fmpq_swap(pw.c + i, tmp.c + i);
        }
        if (is_exp)
            fmpz_mul_ui(fmpq_denref(cf), fmpq_denref(cf), (ulong) m); /* 1/m! */
        else
            fmpq_set_si(cf, (m % 2) ? 1 : -1, (ulong) m);
        for (i = 0; i < x->size; i++)
        {
            fmpq_mul(t, pw.c + i, cf);
            fmpq_add(out->c + i, out->c + i, t);
        }
    }
    fmpq_clear(cf);
    fmpq_clear(t);
    box_clear(&pw);
    box_clear(&tmp);
    return FY_OK;
}

/* (n-1)!! for even n >= 0 (1 for n = 0); 0 for odd n. */
static void gauss_moment(fmpz_t r, long n)
{
    long k;
    if (n % 2)
    {
        fmpz_zero(r);
        return;
    }
    fmpz_one(r);
    for (k = n - 1; k > 1; k -= 2)
        fmpz_mul_ui(r, r, (ulong) k);
}

/* E[phi^j prod_t He_{k_t}(phi)^{c_t}] (hermite) or E[phi^{j + sum k_t c_t}]. */
static void moment(fmpz_t r, const fy_feynman_spec_struct *s, int j, const int *c, int hermite,
                   const fmpz_poly_struct *he)
{
    int t;
    if (!hermite)
    {
        long n = j;
        for (t = 0; t < s->n_types; t++)
            n += (long) s->type[t].valence * c[t];
        gauss_moment(r, n);
        return;
    }
    {
        fmpz_poly_t p, q;
        fmpz_t m, cf;
        long e;
        fmpz_poly_init(p);
        fmpz_poly_init(q);
        fmpz_init(m);
        fmpz_init(cf);
        fmpz_poly_set_coeff_ui(p, j, 1);
        for (t = 0; t < s->n_types; t++)
        {
            fmpz_poly_pow(q, he + s->type[t].valence, (ulong) c[t]);
            fmpz_poly_mul(p, p, q);
        }
        fmpz_zero(r);
        for (e = 0; e <= fmpz_poly_degree(p); e += 2)
        {
            fmpz_poly_get_coeff_fmpz(cf, p, e);
            gauss_moment(m, e);
            fmpz_addmul(r, cf, m);
        }
        fmpz_poly_clear(p);
        fmpz_poly_clear(q);
        fmpz_clear(m);
        fmpz_clear(cf);
    }
}

int fy_feynman_oracle_covers(const fy_feynman_spec_t spec)
{
    return (spec->filters & (FY_FEYNMAN_1PI | FY_FEYNMAN_NO_TADPOLES)) == 0;
}

int fy_feynman_oracle(fmpq_t weighted_sum, fmpz_t contractions, const fy_feynman_spec_t spec,
                      fy_error_t err)
{
    const fy_feynman_spec_struct *s = spec;
    int status, T = s->n_types, dim[NVAR], v, hermite, n = s->n_points, loops = s->loops;
    box_t Z, W, X, E;
    long i, target;
    fmpz_poly_struct he[FY_FEYNMAN_MAX_VALENCE + 1];
    fmpz_t m, P, f;
    fmpq_t res;

    status = fy_feynman_spec_validate(spec, err);
    if (status != FY_OK)
        return status;
    if (s->filters & FY_FEYNMAN_1PI)
        return fy_error_set(err, FY_EUNSUPPORTED, "no exact oracle for one-particle-irreducible "
                            "graphs (the zero-dimensional theory gives it only through a "
                            "Legendre transform); check them by filtering the unfiltered list");
    if (s->filters & FY_FEYNMAN_NO_TADPOLES)
        return fy_error_set(err, FY_EUNSUPPORTED, "no exact oracle for the no-tadpoles filter; "
                            "check it by filtering the unfiltered list");
    hermite = (s->filters & FY_FEYNMAN_NO_SELF_LOOPS) != 0;

    dim[0] = n + 1;
    for (v = 0; v < T; v++)
        dim[1 + v] = s->type[v].count + 1;
    status = box_init(&Z, 1 + T, dim, err);
    if (status != FY_OK)
        return status;
    status = box_init(&W, 1 + T, dim, err);
    if (status != FY_OK)
    {
        box_clear(&Z);
        return status;
    }
    X.c = E.c = NULL;
    X.exps = E.exps = NULL;
    fmpz_init(m);
    fmpz_init(f);
    fmpz_init_set_ui(P, 1);
    fmpq_init(res);
    for (v = 0; v <= FY_FEYNMAN_MAX_VALENCE; v++)
        fmpz_poly_init(he + v);
    fmpz_poly_set_ui(he + 0, 1);
    fmpz_poly_set_coeff_ui(he + 1, 1, 1);
    for (v = 1; v < FY_FEYNMAN_MAX_VALENCE; v++)
    {
        /* He_{v+1} = x He_v - v He_{v-1} */
        fmpz_set_ui(f, (ulong) v);
        fmpz_poly_shift_left(he + v + 1, he + v, 1);
        fmpz_poly_scalar_submul_fmpz(he + v + 1, he + v - 1, f);
    }

    /* Z, and Z - 1 for the logarithm */
    for (i = 0; i < Z.size; i++)
    {
        const int *e = Z.exps + i * Z.nvar;
        moment(m, s, e[0], e + 1, hermite, he);
        fmpz_set(fmpq_numref(Z.c + i), m);
        fmpz_one(fmpq_denref(Z.c + i));
        fmpz_fac_ui(f, (ulong) e[0]);
        fmpq_div_fmpz(Z.c + i, Z.c + i, f);
        for (v = 0; v < T; v++)
        {
            fmpz_t k;
            fmpz_init(k);
            fmpz_fac_ui(k, (ulong) s->type[v].valence);
            fmpz_pow_ui(k, k, (ulong) e[1 + v]);
            fmpz_fac_ui(f, (ulong) e[1 + v]);
            fmpz_mul(k, k, f);
            fmpq_div_fmpz(Z.c + i, Z.c + i, k);
            fmpz_clear(k);
        }
    }
    fmpq_sub_si(Z.c + 0, Z.c + 0, 1); /* Z.c[0] = 1 */
    status = box_series(&W, &Z, 0, err);
    if (status != FY_OK)
        goto done;

    target = n * W.stride[0];
    for (v = 0; v < T; v++)
        target += s->type[v].count * W.stride[1 + v];

    if (s->filters & FY_FEYNMAN_CONNECTED)
    {
        if (!(n == 0 && (s->filters & FY_FEYNMAN_NO_VACUUM)))
        {
            long num = -n;
            for (v = 0; v < T; v++)
                num += (long) (s->type[v].valence - 2) * s->type[v].count;
            if (loops < 0 || (num % 2 == 0 && num / 2 + 1 == loops))
                fmpq_set(res, W.c + target);
        }
    }
    else
    {
        /* exp of W (without vacuum terms if asked), weighting t^L when a loop order is set */
        int nvar = 1 + T + (loops >= 0);
        long j;
        for (v = 0; v < 1 + T; v++)
            dim[v] = W.dim[v];
        if (loops >= 0)
            dim[1 + T] = loops + 1;
        status = box_init(&X, nvar, dim, err);
        if (status == FY_OK)
            status = box_init(&E, nvar, dim, err);
        if (status != FY_OK)
            goto done;
        for (i = 0; i < W.size; i++)
        {
            const int *e = W.exps + i * W.nvar;
            long num = -e[0], L;
            if (fmpq_is_zero(W.c + i) || ((s->filters & FY_FEYNMAN_NO_VACUUM) && e[0] == 0))
                continue;
            for (v = 0; v < T; v++)
                num += (long) (s->type[v].valence - 2) * e[1 + v];
            L = num / 2 + 1;
            if (num % 2 != 0 || L < 0)
            {
                status = fy_error_set(err, FY_EINTERNAL, "connected term with a negative or "
                                      "fractional loop number in the oracle");
                goto done;
            }
            j = 0;
            for (v = 0; v < 1 + T; v++)
                j += e[v] * X.stride[v];
            if (loops >= 0)
            {
                if (L > loops)
                    continue;
                j += L * X.stride[1 + T];
            }
            fmpq_set(X.c + j, W.c + i);
        }
        status = box_series(&E, &X, 1, err);
        if (status != FY_OK)
            goto done;
        j = 0;
        for (v = 0; v < 1 + T; v++)
            j += (v == 0 ? n : s->type[v - 1].count) * E.stride[v];
        if (loops >= 0)
            j += loops * E.stride[1 + T];
        fmpq_set(res, E.c + j);
    }

    /* labelled points: n! [J^n]; contractions = P * weighted */
    for (v = 0; v < T; v++)
    {
        fmpz_fac_ui(f, (ulong) s->type[v].valence);
        fmpz_pow_ui(f, f, (ulong) s->type[v].count);
        fmpz_mul(P, P, f);
        fmpz_fac_ui(f, (ulong) s->type[v].count);
        fmpz_mul(P, P, f);
    }
    fmpz_fac_ui(f, (ulong) n);
    if (s->labelled)
        fmpq_mul_fmpz(res, res, f);
    else
        fmpz_mul(P, P, f);
    if (weighted_sum != NULL)
        fmpq_set(weighted_sum, res);
    if (contractions != NULL)
    {
        fmpq_t c;
        fmpq_init(c);
        fmpq_mul_fmpz(c, res, P);
        if (!fmpz_is_one(fmpq_denref(c)))
            status = fy_error_set(err, FY_EINTERNAL, "the oracle's number of contractions is "
                                  "not an integer");
        else
            fmpz_set(contractions, fmpq_numref(c));
        fmpq_clear(c);
    }
done:
    box_clear(&Z);
    box_clear(&W);
    box_clear(&X);
    box_clear(&E);
    for (v = 0; v <= FY_FEYNMAN_MAX_VALENCE; v++)
        fmpz_poly_clear(he + v);
    fmpz_clear(m);
    fmpz_clear(f);
    fmpz_clear(P);
    fmpq_clear(res);
    return status;
}
