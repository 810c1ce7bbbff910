/* euclid_user.c - user-given input layers and the deeper g of the fields from neurons
 * (qft3, issue 14; feynn/nnft.h "user-given P(|b|) and F, deeper g"): piecewise polynomials
 * in |b| with rational coefficients, their exact checks (a density >= 0 by Sturm sequences, a
 * positive mass), exact moments and the exact radial CDF, and the names of g.
 *
 * Why piecewise polynomials: everything a user density has to give stays exact or rigorous.
 * The normalisation and the CDF are rational, the sign is decided exactly, and the radial
 * integrand k^(d-1) p(k) F(k)^M 0F1(; d/2; -k^2 r^2 / 4) is entire on each piece, which is
 * what acb_calc_integrate wants (euclid.c). */
#include "num/arb_all.h"
#include <flint/fmpz_poly.h>
#include <flint/fmpz_poly_factor.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/util.h"
#include "nnft/nnft_internal.h"

static const char *const g_names[FY_NNFT_NG] = {"identity", "dense"};
static const char *const gact_names[FY_NNFT_NGACT] = {"linear", "tanh", "erf", "relu", "sin"};

const char *fy_nnft_g_name(fy_nnft_g_t g)
{
    return (g >= 0 && g < FY_NNFT_NG) ? g_names[g] : "?";
}

int fy_nnft_g_parse(fy_nnft_g_t *g, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NG; i++)
        if (strcmp(name, g_names[i]) == 0)
            return *g = (fy_nnft_g_t) i, 0;
    return -1;
}

const char *fy_nnft_gact_name(fy_nnft_gact_t a)
{
    return (a >= 0 && a < FY_NNFT_NGACT) ? gact_names[a] : "?";
}

int fy_nnft_gact_parse(fy_nnft_gact_t *a, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NGACT; i++)
        if (strcmp(name, gact_names[i]) == 0)
            return *a = (fy_nnft_gact_t) i, 0;
    if (strcmp(name, "identity") == 0)
        return *a = FY_NNFT_GACT_LINEAR, 0;
    return -1;
}

int fy_nnft_euclid_deep(const fy_nnft_spec_t s)
{
    return s->g == FY_NNFT_G_DENSE;
}

/* ------------------------------------------------------------------ piecewise polynomials */
void fy_nnft_ppoly_init(fy_nnft_ppoly_t f)
{
    memset(f, 0, sizeof *f);
}

void fy_nnft_ppoly_clear(fy_nnft_ppoly_t f)
{
    slong j;
    for (j = 0; j < f->n; j++)
    {
        fmpq_clear(f->lo + j);
        fmpq_clear(f->hi + j);
        fmpq_poly_clear(f->p + j);
    }
    free(f->lo);
    free(f->hi);
    free(f->p);
    free(f->line);
    memset(f, 0, sizeof *f);
}

int fy_nnft_ppoly_append(fy_nnft_ppoly_t f, const fmpq_t lo, const fmpq_t hi,
                         const fmpq_poly_t p, slong line, fy_error_t err)
{
    slong n = f->n + 1;
    fmpq *l, *h;
    fmpq_poly_struct *q;
    slong *ln;
    if (fmpq_sgn(lo) < 0 || fmpq_cmp(lo, hi) >= 0)
        return fy_error_set(err, FY_EINPUT, "a piece needs 0 <= LO < HI");
    if (f->n > 0 && fmpq_cmp(lo, f->hi + f->n - 1) < 0)
        return fy_error_set(err, FY_EINPUT, "pieces must come in increasing order without "
                            "overlap (this LO is below the previous piece's HI)");
    l = realloc(f->lo, (size_t) n * sizeof *l);
    if (l != NULL)
        f->lo = l;
    h = realloc(f->hi, (size_t) n * sizeof *h);
    if (h != NULL)
        f->hi = h;
    q = realloc(f->p, (size_t) n * sizeof *q);
    if (q != NULL)
        f->p = q;
    ln = realloc(f->line, (size_t) n * sizeof *ln);
    if (ln != NULL)
        f->line = ln;
    if (l == NULL || h == NULL || q == NULL || ln == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    fmpq_init(f->lo + f->n);
    fmpq_init(f->hi + f->n);
    fmpq_poly_init(f->p + f->n);
    fmpq_set(f->lo + f->n, lo);
    fmpq_set(f->hi + f->n, hi);
    fmpq_poly_set(f->p + f->n, p);
    f->line[f->n] = line;
    f->n = n;
    return FY_OK;
}

int fy_nnft_ppoly_set(fy_nnft_ppoly_t z, const fy_nnft_ppoly_t x, fy_error_t err)
{
    slong j;
    int rc = FY_OK;
    if (z == x)
        return FY_OK;
    fy_nnft_ppoly_clear(z);
    for (j = 0; j < x->n && rc == FY_OK; j++)
        rc = fy_nnft_ppoly_append(z, x->lo + j, x->hi + j, x->p + j, x->line[j], err);
    return rc;
}

/* A rational polynomial at a ball (Arb's integer-polynomial evaluation of the numerator,
 * divided by the denominator). */
static void poly_eval_arb(arb_t y, const fmpq_poly_t p, const arb_t k, slong prec)
{
    if (fmpq_poly_length(p) == 0)
    {
        arb_zero(y);
        return;
    }
    _arb_fmpz_poly_evaluate_arb(y, p->coeffs, p->length, k, prec);
    arb_div_fmpz(y, y, p->den, prec);
}

void fy_nnft_ppoly_eval(arb_t y, const fy_nnft_ppoly_t f, const arb_t k, slong prec)
{
    arb_t lo, hi, v;
    slong j;
    int any = 0, inside = 0;
    arb_init(lo);
    arb_init(hi);
    arb_init(v);
    for (j = 0; j < f->n; j++)
    {
        arb_set_fmpq(lo, f->lo + j, prec);
        arb_set_fmpq(hi, f->hi + j, prec);
        if (arb_lt(k, lo) || arb_gt(k, hi))
            continue; /* certainly outside this piece */
        if (arb_ge(k, lo) && arb_le(k, hi))
            inside = 1;
        poly_eval_arb(v, f->p + j, k, prec);
        if (any)
            arb_union(y, y, v, prec);
        else
            arb_set(y, v);
        any = 1;
    }
    if (!any)
        arb_zero(y);
    else if (!inside)
    {
        arb_zero(v); /* k may meet a gap or the outside */
        arb_union(y, y, v, prec);
    }
    arb_clear(lo);
    arb_clear(hi);
    arb_clear(v);
}

void fy_nnft_ppoly_moment(fmpq_t z, const fy_nnft_ppoly_t f, slong e)
{
    fmpq_poly_t q;
    fmpq_t a, b;
    slong j;
    fmpq_poly_init(q);
    fmpq_init(a);
    fmpq_init(b);
    fmpq_zero(z);
    for (j = 0; j < f->n; j++)
    {
        fmpq_poly_shift_left(q, f->p + j, e);
        fmpq_poly_integral(q, q);
        fmpq_poly_evaluate_fmpq(b, q, f->hi + j);
        fmpq_poly_evaluate_fmpq(a, q, f->lo + j);
        fmpq_add(z, z, b);
        fmpq_sub(z, z, a);
    }
    fmpq_poly_clear(q);
    fmpq_clear(a);
    fmpq_clear(b);
}

/* ------------------------------------------------------------------ exact sign */
/* Sign changes of the Sturm sequence seq[0..n) at x (zeros skipped). */
static slong sturm_changes(const fmpq_poly_struct *seq, slong n, const fmpq_t x)
{
    fmpq_t v;
    slong k, ch = 0;
    int last = 0, sg;
    fmpq_init(v);
    for (k = 0; k < n; k++)
    {
        fmpq_poly_evaluate_fmpq(v, seq + k, x);
        sg = fmpq_sgn(v);
        if (sg != 0)
        {
            if (last != 0 && sg != last)
                ch++;
            last = sg;
        }
    }
    fmpq_clear(v);
    return ch;
}

/* The number of distinct roots in (a, b) of the squarefree g, g(a) g(b) != 0. */
static slong sturm_count(const fmpq_poly_t g, const fmpq_t a, const fmpq_t b)
{
    slong n = 0, cap = fmpq_poly_degree(g) + 2, k, c;
    fmpq_poly_struct *seq;
    if (fmpq_poly_degree(g) < 1)
        return 0;
    seq = flint_malloc((size_t) cap * sizeof *seq);
    for (k = 0; k < cap; k++)
        fmpq_poly_init(seq + k);
    fmpq_poly_set(seq + 0, g);
    fmpq_poly_derivative(seq + 1, g);
    n = 2;
    while (n < cap && fmpq_poly_degree(seq + n - 1) > 0)
    {
        fmpq_poly_rem(seq + n, seq + n - 2, seq + n - 1);
        fmpq_poly_neg(seq + n, seq + n);
        if (fmpq_poly_is_zero(seq + n))
            break;
        n++;
    }
    c = sturm_changes(seq, n, a) - sturm_changes(seq, n, b);
    for (k = 0; k < cap; k++)
        fmpq_poly_clear(seq + k);
    flint_free(seq);
    return c;
}

/* x = lo + (hi - lo) j / den. */
static void lerp(fmpq_t x, const fmpq_t lo, const fmpq_t hi, slong j, slong den)
{
    fmpq_t t;
    fmpq_init(t);
    fmpq_sub(x, hi, lo);
    fmpq_mul_si(x, x, j);
    fmpz_set_si(fmpq_numref(t), den);
    fmpq_div_fmpz(x, x, fmpq_numref(t));
    fmpq_add(x, x, lo);
    fmpq_clear(t);
}

int fy_nnft_poly_nonneg(fmpq_t where, const fmpq_poly_t p, const fmpq_t lo, const fmpq_t hi)
{
    fmpz_poly_t num;
    fmpz_poly_factor_t fac;
    fmpq_poly_t g, lin;
    fmpq_t x, v;
    slong i, j, den, roots, deg = fmpq_poly_degree(p);
    int res = 1, found = 0;
    if (fmpq_poly_is_zero(p))
        return 1;
    fmpz_poly_init(num);
    fmpz_poly_factor_init(fac);
    fmpq_poly_init(g);
    fmpq_poly_init(lin);
    fmpq_init(x);
    fmpq_init(v);
    /* the product of the factors of odd multiplicity: where p can change sign */
    fmpq_poly_get_numerator(num, p);
    fmpz_poly_factor_squarefree(fac, num);
    fmpq_poly_one(g);
    for (i = 0; i < fac->num; i++)
        if (fac->exp[i] & 1)
        {
            fmpq_poly_set_fmpz_poly(lin, fac->p + i);
            fmpq_poly_mul(g, g, lin);
        }
    /* take the roots at the ends out, then count the roots inside */
    for (i = 0; i < 2; i++)
    {
        const fmpq *e = i ? hi : lo;
        fmpq_poly_evaluate_fmpq(v, g, e);
        if (fmpq_is_zero(v))
        {
            fmpq_poly_zero(lin);
            fmpq_poly_set_coeff_si(lin, 1, 1);
            fmpq_neg(v, e);
            fmpq_poly_set_coeff_fmpq(lin, 0, v);
            fmpq_poly_div(g, g, lin);
        }
    }
    roots = sturm_count(g, lo, hi);
    /* a rational point where p < 0: with sign changes inside, on finer and finer grids; else
     * the constant sign at the first of deg + 1 points where p != 0 */
    for (den = roots > 0 ? 2 : deg + 2; !found && den <= (roots > 0 ? (1 << 16) : deg + 2);
         den *= 2)
        for (j = 1; j < den && !found; j++)
        {
            lerp(x, lo, hi, j, den);
            fmpq_poly_evaluate_fmpq(v, p, x);
            if (fmpq_sgn(v) < 0)
                found = 1;
            else if (roots == 0 && fmpq_sgn(v) > 0)
                break;
        }
    if (found || roots > 0)
    {
        res = 0;
        if (where != NULL)
        {
            if (found)
                fmpq_set(where, x);
            else
                lerp(where, lo, hi, 1, 2);
        }
    }
    fmpz_poly_clear(num);
    fmpz_poly_factor_clear(fac);
    fmpq_poly_clear(g);
    fmpq_poly_clear(lin);
    fmpq_clear(x);
    fmpq_clear(v);
    return res;
}

/* "NAME:LINE: " or "piece J: " before a message about piece j. */
static void where_piece(char *buf, size_t n, const fy_nnft_ppoly_t f, slong j, const char *name)
{
    if (name != NULL && f->line[j] > 0)
        snprintf(buf, n, "%s:%ld: ", name, (long) f->line[j]);
    else
        snprintf(buf, n, "piece %ld: ", (long) j + 1);
}

int fy_nnft_ppoly_check(const fy_nnft_ppoly_t f, int density, const char *name,
                        fy_error_t err)
{
    char at[FY_ERROR_MSG_LEN / 2];
    fmpq_t w;
    slong j, nonzero = 0;
    int rc = FY_OK;
    if (f->n == 0)
        return fy_error_set(err, FY_EINPUT, "%s%s", name ? name : "the spec",
                            density ? ": b_dist user needs its density: add lines "
                                      "'b_density LO HI c0 c1 ..' (P(|b|) = c0 + c1 |b| + .. "
                                      "on LO <= |b| <= HI)"
                                    : ": F user needs its amplitude: add lines "
                                      "'F_piece LO HI c0 c1 ..' (F = c0 + c1 |b| + .. on "
                                      "LO <= |b| <= HI)");
    if (!density)
        return FY_OK;
    fmpq_init(w);
    for (j = 0; j < f->n && rc == FY_OK; j++)
    {
        if (!fmpq_poly_is_zero(f->p + j))
            nonzero++;
        if (!fy_nnft_poly_nonneg(w, f->p + j, f->lo + j, f->hi + j))
        {
            char *ws = fmpq_get_str(NULL, 10, w);
            where_piece(at, sizeof at, f, j, name);
            rc = fy_error_set(err, FY_EINPUT, "%sthe density is negative at |b| = %s: a "
                              "density must be >= 0 on its whole piece; fix the coefficients "
                              "(or split the piece where it changes sign)", at, ws);
            flint_free(ws);
        }
    }
    if (rc == FY_OK && nonzero == 0)
    {
        where_piece(at, sizeof at, f, 0, name);
        rc = fy_error_set(err, FY_EINPUT, "%sthe density is 0 on every piece: not "
                          "normalisable; give a piece with a positive polynomial", at);
    }
    fmpq_clear(w);
    return rc;
}

/* ------------------------------------------------------------------ the radial CDF */
int fy_nnft_euclid_radial_cdf(fmpq_t C, const fy_nnft_spec_t s, const fmpq_t k,
                              fy_error_t err)
{
    fy_nnft_ppoly_t one;
    const fy_nnft_ppoly_struct *f = s->b_density;
    fmpq_poly_t q;
    fmpq_t a, b, tot, zero;
    slong j;
    int rc = FY_OK;
    if (s->b_dist != FY_NNFT_B_USER && s->b_dist != FY_NNFT_B_BALL)
        return fy_error_set(err, FY_EINPUT, "the radial CDF is for b_dist ball or user");
    if (fmpq_sgn(k) < 0)
        return fy_error_set(err, FY_EINPUT, "a radius must be >= 0");
    fy_nnft_ppoly_init(one);
    fmpq_poly_init(q);
    fmpq_init(a);
    fmpq_init(b);
    fmpq_init(tot);
    fmpq_init(zero);
    if (s->b_dist == FY_NNFT_B_BALL)
    {
        fmpq_poly_one(q);
        rc = fy_nnft_ppoly_append(one, zero, s->Lambda, q, 0, err);
        f = one;
    }
    fmpq_zero(C);
    for (j = 0; j < f->n && rc == FY_OK; j++)
    {
        fmpq_poly_shift_left(q, f->p + j, s->d - 1);
        fmpq_poly_integral(q, q);
        fmpq_poly_evaluate_fmpq(b, q, f->hi + j);
        fmpq_poly_evaluate_fmpq(a, q, f->lo + j);
        fmpq_add(tot, tot, b);
        fmpq_sub(tot, tot, a);
        if (fmpq_cmp(k, f->lo + j) > 0)
        {
            if (fmpq_cmp(k, f->hi + j) < 0)
                fmpq_poly_evaluate_fmpq(b, q, k);
            fmpq_add(C, C, b);
            fmpq_sub(C, C, a);
        }
    }
    if (rc == FY_OK && fmpq_is_zero(tot))
        rc = fy_error_set(err, FY_EINPUT, "the density has no mass");
    if (rc == FY_OK)
        fmpq_div(C, C, tot);
    fy_nnft_ppoly_clear(one);
    fmpq_poly_clear(q);
    fmpq_clear(a);
    fmpq_clear(b);
    fmpq_clear(tot);
    fmpq_clear(zero);
    return rc;
}
