/* The output of the inn module (inn.h, section "output"): the action as a polynomial (text,
 * LaTeX, JSON, npy), the diagrams of one layer and a description of a model.  The command
 * (src/cli/cmd_inn.c) only parses options and calls these.
 *
 * A symmetric tensor stores one entry T_J per sorted multi-index J; the polynomial
 * T[x, ..., x] has the monomial x^J with coefficient T_J times the number of ordered index
 * tuples that sort to J (fy_multiindex_multinomial), divided by k! in the Gamma convention. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_mat.h>

#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/inn.h"
#include "feynn/util.h"
#include "inn/compare_internal.h"
#include "inn/inn_internal.h"
#include "io/json_num.h"

#define DEFAULT_BALL_DIGITS 20
#define CONST_PREC 128
/* r = |det| products longer than this print as ln(r) with r's value beside */
#define MAX_R_CHARS 40

void fy_inn_print_opts_init(fy_inn_print_opts_t po)
{
    memset(po, 0, sizeof *po);
    po->var = "x";
}

void fy_inn_report_init(fy_inn_report_t rep)
{
    memset(rep, 0, sizeof *rep);
}

/* ------------------------------------------------------------------ monomials */

void fy_inn_poly_init(fy_inn_poly_t P)
{
    memset(P, 0, sizeof *P);
    fy_numvec_init_empty(&P->c);
    fy_numvec_init_empty(&P->e);
}

void fy_inn_poly_clear(fy_inn_poly_t P)
{
    free(P->order);
    free(P->pos);
    free(P->idx);
    free(P->off);
    free(P->mag);
    fy_numvec_clear(&P->c);
    fy_numvec_clear(&P->e);
    memset(P, 0, sizeof *P);
}

static double arb_mag_d(const arb_t x)
{
    return fabs(arf_get_d(arb_midref(x), ARF_RND_UP)) + mag_get_d(arb_radref(x));
}

/* Sort key: magnitude descending, then degree, then position (a stable, reproducible order). */
typedef struct
{
    double mag;
    int order;
    slong pos, i;
} mono_key_t;

static int key_cmp(const void *a, const void *b)
{
    const mono_key_t *x = a, *y = b;
    if (x->mag != y->mag)
        return x->mag > y->mag ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The monomials of the tensors A[0..kmax-kmin] of orders kmin..kmax (the action: kmin 0). */
static int poly_tensors(fy_inn_poly_t P, const fy_symtensor_struct *A, int kmin, int kmax,
                        int d, fy_arith_t arith, slong prec, int gamma,
                        const fy_inn_print_opts_t po, fy_error_t err);

int fy_inn_action_poly(fy_inn_poly_t P, const fy_inn_action_t S, const fy_inn_print_opts_t po,
                       fy_error_t err)
{
    return poly_tensors(P, S->A, 0, S->K, S->d, S->arith, S->prec, S->gamma, po, err);
}

static int poly_tensors(fy_inn_poly_t P, const fy_symtensor_struct *A, int kmin, int kmax,
                        int d, fy_arith_t arith, slong prec, int gamma,
                        const fy_inn_print_opts_t po, fy_error_t err)
{
    slong total = 0, n = 0, i, kept, nidx = 0;
    int k, status = FY_OK, *ix = NULL;
    mono_key_t *keys = NULL;
    fy_numvec_t c, e;
    fmpz_t mult, fac;
    fmpq_t q;
    arb_t t;

    fy_inn_poly_clear(P);
    fy_inn_poly_init(P);
    P->dim = d;
    if (kmax < kmin || A == NULL)
        return FY_OK;
    for (k = kmin; k <= kmax; k++)
        total += A[k - kmin].e.len;
    fmpz_init(mult);
    fmpz_init(fac);
    fmpq_init(q);
    arb_init(t);
    fy_numvec_init_empty(c);
    fy_numvec_init_empty(e);
    /* the zero-length vectors above make every exit path's clear valid; re-made sized here */
    fy_numvec_clear(c);
    status = fy_numvec_init(c, arith, total, prec, err);
    fy_numvec_clear(e);
    if (status == FY_OK)
        status = fy_numvec_init(e, arith, total, prec, err);
    keys = fy_calloc((size_t) total + 1, sizeof *keys, err);
    ix = fy_calloc((size_t) kmax + 1, sizeof *ix, err);
    if (keys == NULL || ix == NULL)
        status = FY_ENOMEM;
    /* every nonzero monomial, its coefficient and magnitude */
    for (k = kmin; k <= kmax && status == FY_OK; k++)
    {
        const fy_numvec_struct *T = &A[k - kmin].e;
        slong r = 0;
        fmpz_fac_ui(fac, (ulong) k);
        memset(ix, 0, ((size_t) k + 1) * sizeof *ix);
        do
        {
            double mag = 0;
            int zero = 0;
            fy_multiindex_multinomial(mult, ix, k);
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
            {
                double v = fy_numvec_d(T)[r] * fmpz_get_d(mult);
                if (gamma)
                    v /= fmpz_get_d(fac);
                fy_numvec_d(c)[n] = v;
                fy_numvec_d(e)[n] = fy_numvec_d(T)[r];
                mag = fabs(v);
                zero = v == 0;
                break;
            }
            case FY_ARITH_BALL:
            {
                arb_ptr z = fy_numvec_arb(c) + n;
                arb_mul_fmpz(z, fy_numvec_arb(T) + r, mult, prec);
                if (gamma)
                    arb_div_fmpz(z, z, fac, prec);
                arb_set(fy_numvec_arb(e) + n, fy_numvec_arb(T) + r);
                mag = arb_mag_d(z);
                zero = arb_is_zero(z);
                break;
            }
            default:
            {
                fmpq *z = fy_numvec_fmpq(c) + n;
                fmpq_mul_fmpz(z, fy_numvec_fmpq(T) + r, mult);
                if (gamma)
                    fmpq_div_fmpz(z, z, fac);
                fmpq_set(fy_numvec_fmpq(e) + n, fy_numvec_fmpq(T) + r);
                mag = fabs(fy_fmpq_get_d(z));
                zero = fmpq_is_zero(z);
            }
            }
            if (!zero)
            {
                P->total++;
                if (mag >= po->threshold || !(po->threshold > 0))
                {
                    keys[n].mag = mag;
                    keys[n].order = k;
                    keys[n].pos = r;
                    keys[n].i = n;
                    n++;
                    nidx += k;
                }
            }
            r++;
        } while (k > 0 && fy_multiindex_next(ix, d, k));
    }
    if (status == FY_OK)
    {
        qsort(keys, (size_t) n, sizeof *keys, key_cmp);
        kept = po->limit > 0 && po->limit < n ? po->limit : n;
        P->order = fy_calloc((size_t) kept + 1, sizeof *P->order, err);
        P->pos = fy_calloc((size_t) kept + 1, sizeof *P->pos, err);
        P->off = fy_calloc((size_t) kept + 1, sizeof *P->off, err);
        P->mag = fy_calloc((size_t) kept + 1, sizeof *P->mag, err);
        P->idx = fy_calloc((size_t) nidx + 1, sizeof *P->idx, err);
        if (P->order == NULL || P->pos == NULL || P->off == NULL || P->mag == NULL ||
            P->idx == NULL)
            status = FY_ENOMEM;
        fy_numvec_clear(&P->c);
        fy_numvec_clear(&P->e);
        if (status == FY_OK)
            status = fy_numvec_init(&P->c, arith, kept, prec, err);
        if (status == FY_OK)
            status = fy_numvec_init(&P->e, arith, kept, prec, err);
        nidx = 0;
        for (i = 0; i < kept && status == FY_OK; i++)
        {
            const mono_key_t *y = keys + i;
            P->order[i] = y->order;
            P->pos[i] = y->pos;
            P->mag[i] = y->mag;
            P->off[i] = nidx;
            if (y->order > 0)
                fy_mindex_unrank(A[y->order - kmin].ix, P->idx + nidx, y->pos, y->order);
            nidx += y->order;
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(&P->c)[i] = fy_numvec_d(c)[y->i];
                fy_numvec_d(&P->e)[i] = fy_numvec_d(e)[y->i];
                break;
            case FY_ARITH_BALL:
                arb_swap(fy_numvec_arb(&P->c) + i, fy_numvec_arb(c) + y->i);
                arb_swap(fy_numvec_arb(&P->e) + i, fy_numvec_arb(e) + y->i);
                break;
            default:
                fmpq_swap(fy_numvec_fmpq(&P->c) + i, fy_numvec_fmpq(c) + y->i);
                fmpq_swap(fy_numvec_fmpq(&P->e) + i, fy_numvec_fmpq(e) + y->i);
            }
        }
        if (status == FY_OK)
            P->len = kept;
    }
    free(keys);
    free(ix);
    fy_numvec_clear(c);
    fy_numvec_clear(e);
    fmpz_clear(mult);
    fmpz_clear(fac);
    fmpq_clear(q);
    arb_clear(t);
    if (status != FY_OK)
    {
        fy_inn_poly_clear(P);
        fy_inn_poly_init(P);
    }
    return status;
}

/* ------------------------------------------------------------------ strings */

/* A growing string on open_memstream. */
typedef struct
{
    char *s;
    size_t len;
    FILE *fp;
} sbuf_t;

static int sbuf_open(sbuf_t *b)
{
    b->s = NULL;
    b->len = 0;
    b->fp = open_memstream(&b->s, &b->len);
    return b->fp != NULL;
}

/* Closes the stream and returns the string (NULL when out of memory). */
static char *sbuf_close(sbuf_t *b)
{
    if (b->fp == NULL)
        return NULL;
    if (fclose(b->fp) != 0)
    {
        free(b->s);
        return NULL;
    }
    return b->s;
}

char *fy_inn_poly_monomial_str(const fy_inn_poly_t P, slong i, const char *var, int latex)
{
    sbuf_t b;
    const int *J;
    int k, a, first = 1;
    if (i < 0 || i >= P->len || !sbuf_open(&b))
        return NULL;
    if (var == NULL)
        var = "x";
    k = P->order[i];
    J = P->idx + P->off[i];
    if (k == 0)
        fputs("1", b.fp);
    for (a = 0; a < k;)
    {
        int e = 1;
        while (a + e < k && J[a + e] == J[a])
            e++;
        if (!first)
            fputc(' ', b.fp);
        first = 0;
        if (latex)
        {
            fprintf(b.fp, "%s_{%d}", var, J[a]);
            if (e > 1)
                fprintf(b.fp, "^{%d}", e);
        }
        else
        {
            fprintf(b.fp, "%s%d", var, J[a]);
            if (e > 1)
                fprintf(b.fp, "^%d", e);
        }
        a += e;
    }
    return sbuf_close(&b);
}

static char *val_str(const fy_numvec_struct *v, slong i, slong digits)
{
    char buf[64];
    if (v->arith == FY_ARITH_DOUBLE)
    {
        int dg = digits > 0 && digits <= 17 ? (int) digits : 17;
        snprintf(buf, sizeof buf, "%.*g", dg, fy_numvec_d(v)[i]);
        return strdup(buf);
    }
    if (v->arith == FY_ARITH_BALL)
        return fy_arb_get_str_certified(fy_numvec_arb(v) + i,
                                        digits > 0 ? digits : DEFAULT_BALL_DIGITS);
    return fy_fmpq_get_str(fy_numvec_fmpq(v) + i);
}

char *fy_inn_poly_coeff_str(const fy_inn_poly_t P, slong i, const fy_inn_print_opts_t po)
{
    if (i < 0 || i >= P->len)
        return NULL;
    return val_str(&P->c, i, po->digits);
}

/* "7/2" or "4": d/2. */
static void half_str(char *buf, size_t n, int d)
{
    if (d % 2 == 0)
        snprintf(buf, n, "%d", d / 2);
    else
        snprintf(buf, n, "%d/2", d);
}

/* c = +-(ln r - (d/2) ln 2 pi), at prec bits. */
static void constant_value(arb_t c, const fy_inn_action_t S, int neg, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_set_fmpq(c, S->logr, prec);
    if (fmpq_sgn(S->logr) > 0)
        arb_log(c, c, prec);
    else
        arb_indeterminate(c);
    arb_const_pi(t, prec);
    arb_mul_2exp_si(t, t, 1);
    arb_log(t, t, prec);
    arb_mul_si(t, t, S->d, prec);
    arb_mul_2exp_si(t, t, -1);
    arb_sub(c, c, t, prec);
    if (neg)
        arb_neg(c, c);
    arb_clear(t);
}

char *fy_inn_action_constant_str(const fy_inn_action_t S, const fy_inn_print_opts_t po,
                                 int latex)
{
    sbuf_t b;
    char half[32], *r, *val;
    int neg = S->sign < 0, one = fmpq_is_one(S->logr), long_r;
    arb_t c;
    if (!sbuf_open(&b))
        return NULL;
    half_str(half, sizeof half, S->d);
    r = fy_fmpq_get_str(S->logr);
    long_r = r != NULL && strlen(r) > MAX_R_CHARS;
    if (!one && long_r)
        fprintf(b.fp, latex ? "%s\\ln r" : "%sln(r)", neg ? "-" : "");
    else if (!one)
    {
        if (latex)
        {
            fputs(neg ? "-\\ln " : "\\ln ", b.fp);
            if (fmpz_is_one(fmpq_denref(S->logr)))
                fprintf(b.fp, "%s", r ? r : "?");
            else
            {
                char *p = fmpz_get_str(NULL, 10, fmpq_numref(S->logr));
                char *q = fmpz_get_str(NULL, 10, fmpq_denref(S->logr));
                fprintf(b.fp, "\\frac{%s}{%s}", p, q);
                flint_free(p);
                flint_free(q);
            }
        }
        else
            fprintf(b.fp, "%sln(%s)", neg ? "-" : "", r ? r : "?");
    }
    if (S->d > 0)
    {
        const char *sg = neg ? (one ? "" : " + ") : (one ? "-" : " - ");
        if (latex)
        {
            if (S->d % 2 == 0)
                fprintf(b.fp, "%s%s\\ln(2\\pi)", sg, S->d == 2 ? "" : half);
            else
                fprintf(b.fp, "%s\\tfrac{%d}{2}\\ln(2\\pi)", sg, S->d);
        }
        else
            fprintf(b.fp, "%s%s%sln(2 pi)", sg, S->d == 2 ? "" : half, S->d == 2 ? "" : " ");
    }
    else if (one)
        fputs("0", b.fp);
    arb_init(c);
    constant_value(c, S, neg, CONST_PREC);
    val = fy_arb_get_str_certified(c, 20);
    fprintf(b.fp, latex ? " \\approx %s" : " = %s", val ? val : "?");
    free(val);
    if (long_r)
    {
        /* r itself has too many digits for a line: its value (exact in the JSON output) */
        arb_set_fmpq(c, S->logr, CONST_PREC);
        val = fy_arb_get_str_certified(c, 20);
        fprintf(b.fp, latex ? ",\\ r \\approx %s" : ", r = %s (%zu characters as p/q)",
                val ? val : "?", r ? strlen(r) : (size_t) 0);
        free(val);
    }
    free(r);
    arb_clear(c);
    return sbuf_close(&b);
}

static int x0_nonzero(const fy_inn_action_t S)
{
    int i;
    for (i = 0; S->x0 != NULL && i < S->d; i++)
        if (!fmpq_is_zero(S->x0 + i))
            return 1;
    return 0;
}

static const char *var_of(const fy_inn_action_t S, const fy_inn_print_opts_t po)
{
    if (po->var != NULL && strcmp(po->var, "x") != 0)
        return po->var;
    return x0_nonzero(S) ? "y" : "x";
}

static void header(FILE *fp, const fy_inn_action_t S, const fy_inn_print_opts_t po,
                   const char *v, const char *comment)
{
    int i, data = strcmp(v, "u") != 0;
    fprintf(fp, "%s %s(%s)%s%s, %s convention (S = sum_k %s^(k)[%s^k]%s), %s arithmetic",
            comment, data ? "S" : "S_l", v, data ? " = " : "",
            data ? (S->sign < 0 ? "-ln p" : "ln p") : "", S->gamma ? "Gamma" : "A",
            S->gamma ? "Gamma" : "A", v, S->gamma ? " / k!" : "", fy_arith_name(S->arith));
    if (S->arith == FY_ARITH_BALL)
        fprintf(fp, " at %ld bits", (long) S->prec);
    fprintf(fp, "\n%s orders 0..%d, d = %d", comment, S->K, S->d);
    if (x0_nonzero(S))
    {
        fprintf(fp, "; expanded about x0 = (");
        for (i = 0; i < S->d; i++)
        {
            char *s = fy_fmpq_get_str(S->x0 + i);
            fprintf(fp, "%s%s", i ? ", " : "", s ? s : "?");
            free(s);
        }
        fprintf(fp, "), %s = x - x0", v);
    }
    fprintf(fp, "\n");
}

int fy_inn_action_print(FILE *fp, const fy_inn_action_t S, const fy_inn_print_opts_t po,
                        fy_error_t err)
{
    fy_inn_poly_t P;
    const char *v = var_of(S, po);
    char *cs;
    slong i;
    int status;
    fy_inn_poly_init(P);
    status = fy_inn_action_poly(P, S, po, err);
    if (status != FY_OK)
        return status;
    header(fp, S, po, v, "#");
    cs = fy_inn_action_constant_str(S, po, 0);
    fprintf(fp, "# constant (apart from the polynomial): %s\n", cs ? cs : "?");
    free(cs);
    fprintf(fp, "# %ld of %ld nonzero monomials, largest |coefficient| first", (long) P->len,
            (long) P->total);
    if (po->threshold > 0)
        fprintf(fp, " (|c| >= %g)", po->threshold);
    fprintf(fp, "\n");
    for (i = 0; i < P->len; i++)
    {
        char *c = fy_inn_poly_coeff_str(P, i, po), *m = fy_inn_poly_monomial_str(P, i, v, 0);
        if (c == NULL || m == NULL)
        {
            free(c);
            free(m);
            fy_inn_poly_clear(P);
            return fy_error_set(err, FY_ENOMEM, "inn: out of memory printing the action");
        }
        fprintf(fp, "%28s  %s\n", c, m);
        free(c);
        free(m);
    }
    if (P->len == 0)
        fprintf(fp, "%28s\n", "0");
    fy_inn_poly_clear(P);
    return ferror(fp) ? fy_error_set(err, FY_EIO, "inn: writing the action failed") : FY_OK;
}

/* A coefficient in LaTeX with its sign apart: *neg receives the sign, the string |c| (1 is
 * printed only for degree 0). */
static char *latex_coeff(int *neg, const fy_inn_poly_t P, slong i, const fy_inn_print_opts_t po)
{
    sbuf_t b;
    char *s = NULL, *p;
    if (!sbuf_open(&b))
        return NULL;
    *neg = 0;
    if (P->c.arith == FY_ARITH_EXACT)
    {
        fmpq *q = fy_numvec_fmpq(&P->c) + i;
        *neg = fmpq_sgn(q) < 0;
        if (fmpz_is_one(fmpq_denref(q)))
        {
            if (!fmpz_is_pm1(fmpq_numref(q)) || P->order[i] == 0)
            {
                p = fmpz_get_str(NULL, 10, fmpq_numref(q));
                fputs(p + (*neg ? 1 : 0), b.fp);
                flint_free(p);
            }
        }
        else
        {
            char *num = fmpz_get_str(NULL, 10, fmpq_numref(q));
            char *den = fmpz_get_str(NULL, 10, fmpq_denref(q));
            fprintf(b.fp, "\\tfrac{%s}{%s}", num + (*neg ? 1 : 0), den);
            flint_free(num);
            flint_free(den);
        }
        return sbuf_close(&b);
    }
    s = fy_inn_poly_coeff_str(P, i, po);
    if (s == NULL)
    {
        free(sbuf_close(&b));
        return NULL;
    }
    p = s;
    if (*p == '-')
    {
        *neg = 1;
        p++;
    }
    else if (*p == '+')
        p++;
    /* "1.25e-05" -> "1.25 \cdot 10^{-5}"; "[1.2 +/- 3e-4]" -> "[1.2 \pm 3 \cdot 10^{-4}]" */
    for (; *p; p++)
    {
        if ((*p == 'e' || *p == 'E') && (p[1] == '-' || p[1] == '+' || (p[1] >= '0' &&
                                                                          p[1] <= '9')))
        {
            int sgn = p[1] == '-';
            p += (p[1] == '-' || p[1] == '+') ? 2 : 1;
            while (*p == '0' && p[1] >= '0' && p[1] <= '9')
                p++;
            fprintf(b.fp, " \\cdot 10^{%s", sgn ? "-" : "");
            while (*p >= '0' && *p <= '9')
                fputc(*p++, b.fp);
            fputc('}', b.fp);
            p--;
        }
        else if (!strncmp(p, "+/-", 3))
        {
            fputs("\\pm", b.fp);
            p += 2;
        }
        else
            fputc(*p, b.fp);
    }
    free(s);
    return sbuf_close(&b);
}

int fy_inn_action_latex(FILE *fp, const fy_inn_action_t S, const fy_inn_print_opts_t po,
                        fy_error_t err)
{
    fy_inn_poly_t P;
    const char *v = var_of(S, po);
    char *cs;
    slong i;
    int status, perline = 4;
    fy_inn_poly_init(P);
    status = fy_inn_action_poly(P, S, po, err);
    if (status != FY_OK)
        return status;
    header(fp, S, po, v, "%");
    fprintf(fp, "%% %ld of %ld nonzero monomials, largest |coefficient| first; needs amsmath\n",
            (long) P->len, (long) P->total);
    fprintf(fp, "\\begin{align*}\n%s\\ln p(%s) &= ", S->sign < 0 ? "-" : "", v);
    for (i = 0; i < P->len; i++)
    {
        int neg;
        char *c = latex_coeff(&neg, P, i, po), *m = fy_inn_poly_monomial_str(P, i, v, 1);
        if (c == NULL || m == NULL)
        {
            free(c);
            free(m);
            fy_inn_poly_clear(P);
            return fy_error_set(err, FY_ENOMEM, "inn: out of memory writing LaTeX");
        }
        if (i > 0 && i % perline == 0)
            fprintf(fp, " \\\\\n&\\quad");
        if (i == 0)
            fputs(neg ? "-" : "", fp);
        else
            fputs(neg ? " - " : " + ", fp);
        if (P->order[i] == 0)
            fputs(c, fp);
        else if (c[0])
            fprintf(fp, "%s\\, %s", c, m);
        else
            fputs(m, fp);
        free(c);
        free(m);
    }
    cs = fy_inn_action_constant_str(S, po, 1);
    if (cs != NULL)
    {
        char *ap = strstr(cs, " \\approx");
        if (ap)
            *ap = '\0';
        if (P->len > 0)
            fprintf(fp, " \\\\\n&\\quad %s%s", cs[0] == '-' ? "" : "+ ", cs);
        else
            fputs(cs, fp);
    }
    free(cs);
    fprintf(fp, "\n\\end{align*}\n");
    fy_inn_poly_clear(P);
    return ferror(fp) ? fy_error_set(err, FY_EIO, "inn: writing LaTeX failed") : FY_OK;
}

/* ------------------------------------------------------------------ npy */

int fy_inn_action_write_npy(const char *dir, const fy_inn_action_t S,
                            const fy_inn_print_opts_t po, fy_error_t err)
{
    int k, status = fy_mkdir_p(dir, err);
    size_t shape[FY_IO_MAX_DIMS];
    char *path = NULL, *meta = NULL;
    json_t *m;

    if (status != FY_OK)
        return status;
    if (S->K > FY_IO_MAX_DIMS)
        return fy_error_set(err, FY_EUNSUPPORTED, "npy: order %d needs %d dimensions, npy "
                            "files here hold at most %d; use fy_inn_report_json or a lower "
                            "fy_inn_opts.order",
                            S->K, S->K, FY_IO_MAX_DIMS);
    path = fy_malloc(strlen(dir) + 32, 1, err);
    if (path == NULL)
        return FY_ENOMEM;
    for (k = 0; k <= S->K && status == FY_OK; k++)
    {
        fy_numvec_t D, Dd;
        fy_npy_t a;
        int j;
        slong i;
        fy_numvec_init_empty(D);
        fy_numvec_init_empty(Dd);
        fy_npy_init(a);
        for (j = 0; j < k; j++)
            shape[j] = (size_t) S->d;
        status = fy_symtensor_to_dense(D, S->A + k, err);
        if (status == FY_OK)
            status = fy_numvec_convert(Dd, FY_ARITH_DOUBLE, 53, D, err);
        if (status == FY_OK)
            status = fy_npy_set_shape(a, k, shape, err);
        for (i = 0; status == FY_OK && i < Dd->len && (size_t) i < a->numel; i++)
            a->data[i] = fy_numvec_d(Dd)[i];
        sprintf(path, "%s/%s%d.npy", dir, S->gamma ? "Gamma" : "A", k);
        if (status == FY_OK)
            status = fy_npy_write(path, a, err);
        fy_npy_clear(a);
        fy_numvec_clear(D);
        fy_numvec_clear(Dd);
    }
    if (status == FY_OK)
    {
        char *r = fy_fmpq_get_str(S->logr), *cs = fy_inn_action_constant_str(S, po, 0);
        m = json_object();
        json_object_set_new(m, "dim", json_integer(S->d));
        json_object_set_new(m, "order", json_integer(S->K));
        json_object_set_new(m, "arith", json_string(fy_arith_name(S->arith)));
        json_object_set_new(m, "sign", json_string(S->sign < 0 ? "-ln p" : "ln p"));
        json_object_set_new(m, "convention", json_string(S->gamma ? "gamma" : "A"));
        json_object_set_new(m, "files", json_string(S->gamma ? "Gamma<k>.npy: Gamma^(k), "
                                                    "dense (d,)*k" : "A<k>.npy: A^(k), dense "
                                                    "(d,)*k"));
        json_object_set_new(m, "logr", json_string(r ? r : "?"));
        json_object_set_new(m, "constant", json_string(cs ? cs : "?"));
        meta = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(m);
        free(r);
        free(cs);
        sprintf(path, "%s/metadata.json", dir);
        status = meta == NULL ? fy_error_set(err, FY_ENOMEM, "npy: out of memory")
                              : fy_file_write_atomic(path, meta, strlen(meta), err);
        free(meta);
    }
    free(path);
    return status;
}

/* ------------------------------------------------------------------ JSON */

/* A value: "p/q" (exact), the one ball object {"mid", "rad"} of every command (fy_json_ball)
 * with the certified digits as a sibling member "certified" (ball), or a number (double). */
static json_t *jval(const fy_numvec_struct *v, slong i, slong digits)
{
    if (v->arith == FY_ARITH_BALL)
    {
        arb_srcptr x = fy_numvec_arb(v) + i;
        json_t *j = fy_json_ball(x, digits > 0 ? digits : DEFAULT_BALL_DIGITS);
        char *cert = fy_arb_get_str_certified(x, digits > 0 ? digits : DEFAULT_BALL_DIGITS);
        if (j != NULL)
            json_object_set_new(j, "certified", json_string(cert ? cert : "?"));
        free(cert);
        return j;
    }
    if (v->arith == FY_ARITH_DOUBLE)
        return fy_json_number(fy_numvec_d(v)[i]);
    {
        char *s = fy_fmpq_get_str(fy_numvec_fmpq(v) + i);
        json_t *j = json_string(s ? s : "?");
        free(s);
        return j;
    }
}

static json_t *jq(const fmpq_t q)
{
    char *s = fy_fmpq_get_str(q);
    json_t *j = json_string(s ? s : "?");
    free(s);
    return j;
}

static char *dumps(json_t *root, fy_error_t err, char **out)
{
    *out = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                       JSON_REAL_PRECISION(17))
                : NULL;
    json_decref(root);
    if (*out == NULL)
        fy_error_set(err, FY_ENOMEM, "json: out of memory building the output");
    return *out;
}

/* The monomials of P as an array of {degree, index, monomial, coefficient, entry}. */
static json_t *poly_json(const fy_inn_poly_t P, const char *var, const fy_inn_print_opts_t po)
{
    json_t *a = json_array();
    slong i;
    int k;
    for (i = 0; i < P->len; i++)
    {
        json_t *o = json_object(), *ix = json_array();
        char *m = fy_inn_poly_monomial_str(P, i, var, 0);
        for (k = 0; k < P->order[i]; k++)
            json_array_append_new(ix, json_integer(P->idx[P->off[i] + k]));
        json_object_set_new(o, "degree", json_integer(P->order[i]));
        json_object_set_new(o, "index", ix);
        json_object_set_new(o, "monomial", json_string(m ? m : "?"));
        json_object_set_new(o, "coefficient", jval(&P->c, i, po->digits));
        json_object_set_new(o, "entry", jval(&P->e, i, po->digits));
        json_array_append_new(a, o);
        free(m);
    }
    return a;
}

/* One action: constant, x0 and the monomials. */
static json_t *action_json(const fy_inn_action_t S, const fy_inn_print_opts_t po,
                           fy_error_t err)
{
    fy_inn_poly_t P;
    json_t *o, *c, *x0;
    char *cs;
    const char *v = var_of(S, po);
    int i;
    arb_t val;
    fy_inn_poly_init(P);
    if (fy_inn_action_poly(P, S, po, err) != FY_OK)
        return NULL;
    o = json_object();
    json_object_set_new(o, "order", json_integer(S->K));
    json_object_set_new(o, "variable", json_string(v));
    x0 = json_array();
    for (i = 0; i < S->d; i++)
        json_array_append_new(x0, S->x0 ? jq(S->x0 + i) : json_string("0"));
    json_object_set_new(o, "x0", x0);
    c = json_object();
    json_object_set_new(c, "r", jq(S->logr));
    cs = fy_inn_action_constant_str(S, po, 0);
    json_object_set_new(c, "text", json_string(cs ? cs : "?"));
    free(cs);
    arb_init(val);
    constant_value(val, S, S->sign < 0, CONST_PREC);
    json_object_set_new(c, "value", fy_json_number(arf_get_d(arb_midref(val), ARF_RND_NEAR)));
    arb_clear(val);
    json_object_set_new(o, "constant", c);
    json_object_set_new(o, "total_monomials", json_integer(P->total));
    json_object_set_new(o, "monomials", poly_json(P, v, po));
    fy_inn_poly_clear(P);
    return o;
}

static const char *norm_name(fy_inn_norm_t v)
{
    return v == FY_INN_NORM_YES ? "yes" : v == FY_INN_NORM_NO ? "no" : "undecided";
}

static json_t *check_json(const fy_inn_check_struct *C)
{
    json_t *o = json_object();
    json_object_set_new(o, "agrees", json_boolean(C->agrees));
    json_object_set_new(o, "max_rel_diff", fy_json_number(C->max_rel_diff));
    json_object_set_new(o, "max_abs_diff", fy_json_number(C->max_abs_diff));
    json_object_set_new(o, "orders_checked", json_integer(C->orders_checked));
    json_object_set_new(o, "full_tensors", json_boolean(C->full_tensors));
    json_object_set_new(o, "ndirections", json_integer(C->ndirections));
    json_object_set_new(o, "contained", C->contained < 0 ? json_null()
                                                         : json_boolean(C->contained));
    json_object_set_new(o, "route", json_string("Taylor-mode AD of ln p_z(f(x)) + "
                                                "ln|det J_f(x)| (jet module)"));
    return o;
}

/* Top even order of S (the form that decides normalizability) and the normalizing power. */
static int norm_power(const fy_inn_action_t S)
{
    return S->K % 2 == 0 ? S->K + 2 : S->K + 1;
}

static const char *layer_kind_str(const fy_inn_struct *net, int l)
{
    if (net == NULL || l < 0 || l >= net->nlayers)
        return "latent";
    return fy_inn_layer_kind_name(net->layers[l].kind);
}

/* The radius of validity of each elementwise layer's log-det series about the image of x0:
 * [{"layer", "radius"}] (radius null when it cannot be computed). */
static json_t *radii_json(const fy_inn_struct *net, const fmpq *x0)
{
    json_t *a = json_array();
    int l;
    for (l = 0; l < net->nlayers; l++)
        if (net->layers[l].kind == FY_INN_LAYER_ELEMENTWISE ||
            net->layers[l].kind == FY_INN_LAYER_CUBIC)
        {
            json_t *o = json_object();
            double r;
            fy_error_t e;
            fy_error_init(e);
            if (fy_inn_elementwise_radius(&r, net, l, x0, e) != FY_OK)
                r = NAN;
            json_object_set_new(o, "layer", json_integer(l));
            json_object_set_new(o, "radius", fy_json_number(r));
            json_array_append_new(a, o);
        }
    return a;
}

int fy_inn_report_json(char **out, const fy_inn_report_t rep, const fy_inn_print_opts_t po,
                       fy_error_t err)
{
    const fy_inn_result_struct *R = rep->R;
    json_t *root = json_object(), *a;
    int l, deg = rep->net ? fy_inn_action_degree(rep->net) : -2;
    *out = NULL;
    json_object_set_new(root, "command", json_string("inn action"));
    json_object_set_new(root, "model", rep->model ? fy_json_string(rep->model) : json_null());
    json_object_set_new(root, "dim", json_integer(R->S->d));
    json_object_set_new(root, "order", json_integer(R->S->K));
    json_object_set_new(root, "degree", deg >= 0 ? json_integer(deg) : json_null());
    json_object_set_new(root, "complete", json_boolean(deg >= 0 && R->S->K >= deg));
    json_object_set_new(root, "exact_truncation", json_boolean(R->exact_truncation));
    json_object_set_new(root, "arith", json_string(fy_arith_name(R->S->arith)));
    json_object_set_new(root, "prec", json_integer(R->S->prec));
    if (rep->rel_bits > 0)
        json_object_set_new(root, "rel_bits_reached", json_integer(rep->rel_bits));
    json_object_set_new(root, "sign", json_string(R->S->sign < 0 ? "-" : "+"));
    json_object_set_new(root, "action", json_string(R->S->sign < 0 ? "-ln p" : "ln p"));
    json_object_set_new(root, "convention", json_string(R->S->gamma ? "gamma" : "A"));
    json_object_set_new(root, "threshold", fy_json_number(po->threshold));
    json_object_set_new(root, "limit", json_integer(po->limit > 0 ? po->limit : 0));
    a = action_json(R->S, po, err);
    if (a == NULL)
    {
        json_decref(root);
        return err->code ? err->code : FY_ENOMEM;
    }
    json_object_set_new(root, "result", a);
    if (rep->per_layer && R->layer != NULL)
    {
        json_t *ls = json_array();
        fy_inn_print_opts_t pl;
        *pl = *po;
        pl->var = "u";
        for (l = 0; l <= R->nlayers; l++)
        {
            json_t *o = action_json(R->layer + l, pl, err);
            if (o == NULL)
            {
                json_decref(ls);
                json_decref(root);
                return err->code ? err->code : FY_ENOMEM;
            }
            json_object_set_new(o, "layer", json_integer(l));
            json_object_set_new(o, "kind", json_string(layer_kind_str(rep->net, l)));
            json_object_set_new(o, "name", rep->net && l < rep->net->nlayers
                                               ? fy_json_string(rep->net->layers[l].name)
                                               : json_null());
            json_array_append_new(ls, o);
        }
        json_object_set_new(root, "layers", ls);
    }
    if (rep->net != NULL)
    {
        json_t *radii = radii_json(rep->net, R->S->x0);
        if (json_array_size(radii) > 0)
            json_object_set_new(root, "logdet_radii", radii);
        else
            json_decref(radii);
    }
    if (rep->have_norm)
    {
        json_t *o = json_object();
        char term[96];
        snprintf(term, sizeof term, "%s eps sum_i x_i^%d", R->S->sign < 0 ? "+" : "-",
                 norm_power(R->S));
        json_object_set_new(o, "verdict", json_string(norm_name(rep->norm)));
        json_object_set_new(o, "top_order", json_integer(R->S->K));
        json_object_set_new(o, "eps", fy_json_number(rep->eps));
        json_object_set_new(o, "normalizing_term", json_string(term));
        json_object_set_new(root, "normalizable", o);
    }
    if (rep->check != NULL)
    {
        json_object_set_new(root, "agrees", json_boolean(rep->check->agrees));
        json_object_set_new(root, "max_rel_diff", fy_json_number(rep->check->max_rel_diff));
        json_object_set_new(root, "check", check_json(rep->check));
    }
    return dumps(root, err, out) ? FY_OK : FY_ENOMEM;
}

int fy_inn_report_print(FILE *fp, const fy_inn_report_t rep, const fy_inn_print_opts_t po,
                        fy_error_t err)
{
    const fy_inn_result_struct *R = rep->R;
    int l, status, deg = rep->net ? fy_inn_action_degree(rep->net) : -2;
    if (rep->model)
        fprintf(fp, "# %s: ", rep->model);
    else
        fprintf(fp, "# ");
    if (deg >= 0 && R->S->K >= deg)
        fprintf(fp, "the complete action (polynomial of degree %d)\n", deg);
    else
        fprintf(fp, "the action truncated at order %d (%s)\n", R->S->K,
                R->exact_truncation ? "exact for every printed order"
                                    : "dropped orders fed back by biases");
    if (rep->rel_bits > 0)
        fprintf(fp, "# balls raised to %ld bits: at least %ld correct bits per coefficient\n",
                (long) R->S->prec, (long) rep->rel_bits);
    for (l = 0; rep->net != NULL && l < rep->net->nlayers; l++)
        if (rep->net->layers[l].kind == FY_INN_LAYER_ELEMENTWISE ||
            rep->net->layers[l].kind == FY_INN_LAYER_CUBIC)
        {
            double r;
            const char *kn = fy_inn_layer_kind_name(rep->net->layers[l].kind);
            fy_error_t e;
            fy_error_init(e);
            if (fy_inn_elementwise_radius(&r, rep->net, l, R->S->x0, e) == FY_OK)
                fprintf(fp, "# layer %d (%s): its log-det series converges for "
                        "|h_i - h0_i| < %.6g about the image h0 of the point\n", l, kn, r);
            else
                fprintf(fp, "# layer %d (%s): %s\n", l, kn, e->msg);
        }
    status = fy_inn_action_print(fp, R->S, po, err);
    if (status == FY_OK && rep->per_layer && R->layer != NULL)
    {
        fy_inn_print_opts_t pl;
        *pl = *po;
        pl->var = "u";
        for (l = R->nlayers; l >= 0 && status == FY_OK; l--)
        {
            if (l == R->nlayers)
                fprintf(fp, "\n## layer %d: the latent Gaussian\n", l);
            else
                fprintf(fp, "\n## layer %d: action on the input of layer %d (%s%s%s)\n", l, l,
                        layer_kind_str(rep->net, l), rep->net ? " " : "",
                        rep->net && rep->net->layers[l].name ? rep->net->layers[l].name : "");
            status = fy_inn_action_print(fp, R->layer + l, pl, err);
        }
    }
    if (status == FY_OK && rep->have_norm)
        fprintf(fp, "\n# normalizable (top order %d form): %s%s; normalizing term "
                "%seps sum_i x_i^%d with eps = %.3g\n", R->S->K, norm_name(rep->norm),
                rep->norm == FY_INN_NORM_YES ? " (certified negative definite)"
                : rep->norm == FY_INN_NORM_NO ? " (a direction with A[v^K] >= 0 certified)"
                                              : "",
                R->S->sign < 0 ? "+" : "-", norm_power(R->S), rep->eps);
    if (status == FY_OK && rep->check != NULL)
    {
        const fy_inn_check_struct *C = rep->check;
        fprintf(fp, "\n# check against the Taylor-mode AD of ln p_z(f(x)) + ln|det J_f(x)|: "
                "%s\n", C->agrees ? "agrees" : "DISAGREES");
        fprintf(fp, "#   orders 0..%d, %s; max relative difference %.3g, max absolute "
                "difference %.3g", C->orders_checked,
                C->full_tensors ? "whole tensors" : "contractions along random directions",
                C->max_rel_diff, C->max_abs_diff);
        if (!C->full_tensors)
            fprintf(fp, " (%d directions)", C->ndirections);
        if (C->contained >= 0)
            fprintf(fp, "; exact values %s the balls", C->contained ? "inside" : "NOT inside");
        fprintf(fp, "\n");
    }
    return status == FY_OK && ferror(fp) ? fy_error_set(err, FY_EIO, "inn: writing failed")
                                         : status;
}

/* ------------------------------------------------------------------ diagrams of one layer */

static const char *term_kind_name(int kind)
{
    return kind == FY_INN_TERM_PASS ? "pass" : kind == FY_INN_TERM_SPLIT ? "split" : "logdet";
}

static int count_kind(const fy_diagram_struct *d, int kind)
{
    int i, c = 0;
    for (i = 0; i < d->nv; i++)
        c += d->v[i].kind == kind;
    return c;
}

int fy_inn_term_diagram(fy_diagram_t d, const fy_inn_term_struct *t, fy_inn_layer_kind_t kind,
                        fy_error_t err)
{
    fy_diagram_list_t list;
    long i;
    int status, found = 0;
    (void) kind;
    if (t->order < 1 || (t->kind == FY_INN_TERM_LOGDET && t->n < 1))
        return 0;
    if (t->kind == FY_INN_TERM_SPLIT && t->n3 > 0) /* a cubic layer's three-way splits */
        return (status = _fy_inn_cubic_term_diagram(d, t, err)) != FY_OK ? -status : 1;
    fy_diagram_list_init(list);
    if (t->kind == FY_INN_TERM_LOGDET)
        status = fy_enum_inn_logdet(list, t->n, err);
    else
        status = fy_enum_inn_split(list, t->order, err);
    for (i = 0; status == FY_OK && i < list->n && !found; i++)
    {
        const fy_diagram_struct *c = list->d + i;
        if (t->kind == FY_INN_TERM_LOGDET ? c->nlegs == t->n
                                          : count_kind(c, FY_INN_SPLIT) ==
                                                (t->kind == FY_INN_TERM_PASS ? 0 : t->n))
        {
            fy_diagram_set(d, c);
            found = 1;
        }
    }
    fy_diagram_list_clear(list);
    return status != FY_OK ? -status : found;
}

int fy_inn_terms_sum_check(int *agrees, double *max_diff, const fy_inn_terms_t D,
                           const fy_inn_result_t R, int order, fy_error_t err)
{
    const fy_inn_action_struct *S;
    int m, status = FY_OK;
    slong i, j;
    *agrees = 1;
    *max_diff = 0;
    if (R->layer == NULL || D->layer < 0 || D->layer > R->nlayers)
        return fy_error_set(err, FY_EINPUT, "inn: the layer actions are needed (keep_layers)");
    S = R->layer + D->layer;
    for (m = 0; m <= S->K && status == FY_OK; m++)
    {
        fy_symtensor_t sum;
        const fy_symtensor_struct *C = S->A + m;
        double scale = 0, diff = 0;
        int any = 0;
        if (order >= 0 && m != order)
            continue;
        status = fy_symtensor_init(sum, S->arith, S->d, m, S->prec, err);
        for (i = 0; i < D->len && status == FY_OK; i++)
            if (D->t[i].order == m)
            {
                status = fy_symtensor_add(sum, sum, D->t[i].T, err);
                any = 1;
            }
        if (status == FY_OK && (any || order >= 0))
            status = fy_symtensor_sub(sum, sum, C, err);
        for (j = 0; status == FY_OK && (any || order >= 0) && j < C->e.len; j++)
        {
            double e, c;
            int ok;
            switch (S->arith)
            {
            case FY_ARITH_DOUBLE:
                e = fabs(fy_numvec_d(&sum->e)[j]);
                c = fabs(fy_numvec_d(&C->e)[j]);
                ok = 1; /* judged against the scale below */
                break;
            case FY_ARITH_BALL:
                e = arb_mag_d(fy_numvec_arb(&sum->e) + j);
                c = arb_mag_d(fy_numvec_arb(&C->e) + j);
                ok = arb_contains_zero(fy_numvec_arb(&sum->e) + j);
                break;
            default:
                e = fabs(fy_fmpq_get_d(fy_numvec_fmpq(&sum->e) + j));
                c = fabs(fy_fmpq_get_d(fy_numvec_fmpq(&C->e) + j));
                ok = fmpq_is_zero(fy_numvec_fmpq(&sum->e) + j);
            }
            *agrees &= ok;
            diff = fmax(diff, e);
            scale = fmax(scale, c);
        }
        if (S->arith == FY_ARITH_DOUBLE && diff > 1e-12 * scale)
            *agrees = 0;
        *max_diff = fmax(*max_diff, diff);
        fy_symtensor_clear(sum);
    }
    return status;
}

/* What a term is, in words. */
static void term_label(char *buf, size_t n, const fy_inn_term_struct *t, fy_inn_layer_kind_t k)
{
    const char *prop = k == FY_INN_LAYER_AFFINE ? "W" : k == FY_INN_LAYER_COUPLING ? "J" : "D";
    if (t->kind == FY_INN_TERM_PASS)
        snprintf(buf, n, "A^(%d) with every leg passing (%s)", t->order, prop);
    else if (t->kind == FY_INN_TERM_SPLIT)
    {
        char g[16];
        const char *q = k == FY_INN_LAYER_ELEMENTWISE || k == FY_INN_LAYER_CUBIC ? "q" : "g";
        if (t->n3 > 0) /* cubic layer: n legs split in two (q), n3 in three (r) */
        {
            char r[16];
            snprintf(g, sizeof g, t->n == 0 ? "" : t->n == 1 ? "q " : "q^%d ", t->n);
            snprintf(r, sizeof r, t->n3 == 1 ? "r" : "r^%d", t->n3);
            if (t->n == 0)
                snprintf(buf, n, "%ld Sym[A^(%d) %s]: %d of the %d legs split in three",
                         (long) t->multiplicity, t->source_order, r, t->n3, t->source_order);
            else
                snprintf(buf, n, "%ld Sym[A^(%d) %s%s]: of the %d legs %d split in two, %d in "
                         "three", (long) t->multiplicity, t->source_order, g, r,
                         t->source_order, t->n, t->n3);
            return;
        }
        if (t->n == 1)
            snprintf(g, sizeof g, "%s", q);
        else
            snprintf(g, sizeof g, "%s^%d", q, t->n);
        snprintf(buf, n, "%ld Sym[A^(%d) %s]: %d of the %d legs split", (long) t->multiplicity,
                 t->source_order, g, t->n, t->source_order);
    }
    else if (t->n == 0)
        snprintf(buf, n, "constant log-det");
    else
        snprintf(buf, n, "log-det vertex with %d legs", t->n);
}

/* inn-diag (issue 12): term_label for the demo's table of the quartic (compare_internal.h) */
void _fy_inn_term_label(char *buf, size_t n, const fy_inn_term_struct *t,
                        fy_inn_layer_kind_t k)
{
    term_label(buf, n, t, k);
}

/* Term order: by order, then largest norm first, then fewer split legs. */
static int term_before(const fy_inn_term_struct *x, const fy_inn_term_struct *y)
{
    if (x->order != y->order)
        return x->order < y->order;
    if (x->norm != y->norm)
        return x->norm > y->norm;
    return x->n < y->n;
}

static slong *term_perm(const fy_inn_terms_t D, fy_error_t err)
{
    slong *p = fy_calloc((size_t) D->len + 1, sizeof *p, err), i;
    for (i = 0; p != NULL && i < D->len; i++)
        p[i] = i;
    /* insertion sort: the lists are short */
    for (i = 1; p != NULL && i < D->len; i++)
    {
        slong j = i, v = p[i];
        while (j > 0 && term_before(D->t + v, D->t + p[j - 1]))
        {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = v;
    }
    return p;
}

int fy_inn_terms_print(FILE *fp, const fy_inn_terms_t D, const fy_inn_t net,
                       const fy_inn_result_t R, int order, const fy_inn_print_opts_t po,
                       fy_error_t err)
{
    fy_inn_layer_kind_t kind = net->layers[D->layer].kind;
    slong *perm = term_perm(D, err), i, j;
    int status = perm ? FY_OK : FY_ENOMEM, last = -1;
    if (status != FY_OK)
        return status;
    fprintf(fp, "# layer %d (%s%s%s): diagrams of the pull-back S_%d(u) = S_%d(f(u)) + "
            "ln|det J|, A convention, %s arithmetic\n", D->layer, fy_inn_layer_kind_name(kind),
            net->layers[D->layer].name ? " " : "",
            net->layers[D->layer].name ? net->layers[D->layer].name : "", D->layer,
            D->layer + 1, D->len ? fy_arith_name(D->t[0].T->e.arith) : "-");
    for (i = 0; i < D->len && status == FY_OK; i++)
    {
        const fy_inn_term_struct *t = D->t + perm[i];
        fy_inn_poly_t P;
        fy_diagram_t dg;
        char label[160], *shape = NULL;
        int has;
        if (t->order != last)
        {
            fprintf(fp, "\n## order %d\n", t->order);
            last = t->order;
        }
        fy_diagram_init(dg, &fy_family_inn);
        has = fy_inn_term_diagram(dg, t, kind, err);
        if (has > 0 && fy_draw_shape(&shape, dg, NULL, NULL) != FY_OK)
            shape = NULL;
        fy_diagram_clear(dg);
        term_label(label, sizeof label, t, kind);
        if (t->n3 > 0)
            fprintf(fp, "%-7s n=%d n3=%d  norm %-11.4g %s\n", term_kind_name(t->kind), t->n,
                    t->n3, t->norm, label);
        else
            fprintf(fp, "%-7s n=%d  norm %-11.4g %s\n", term_kind_name(t->kind), t->n, t->norm,
                    label);
        if (shape)
            fprintf(fp, "        diagram: %s\n", shape);
        free(shape);
        fy_inn_poly_init(P);
        status = poly_tensors(P, t->T, t->order, t->order, t->T->dim, t->T->e.arith,
                              t->T->e.prec, 0, po, err);
        for (j = 0; j < P->len && status == FY_OK; j++)
        {
            char *c = fy_inn_poly_coeff_str(P, j, po), *m = fy_inn_poly_monomial_str(P, j, "u", 0);
            fprintf(fp, "%28s  %s\n", c ? c : "?", m ? m : "?");
            free(c);
            free(m);
        }
        if (status == FY_OK && P->total > P->len)
            fprintf(fp, "%28s  (%ld more monomials)\n", "...", (long) (P->total - P->len));
        fy_inn_poly_clear(P);
    }
    free(perm);
    if (status == FY_OK && R != NULL)
    {
        int ok;
        double md;
        status = fy_inn_terms_sum_check(&ok, &md, D, R, order, err);
        if (status == FY_OK)
            fprintf(fp, "\n# the terms of each order add up to the coefficient of S_%d: %s "
                    "(largest difference %.3g)\n", D->layer, ok ? "yes" : "NO", md);
    }
    return status == FY_OK && ferror(fp) ? fy_error_set(err, FY_EIO, "inn: writing failed")
                                         : status;
}

int fy_inn_terms_json(char **out, const fy_inn_terms_t D, const fy_inn_t net, const char *model,
                      const fy_inn_result_t R, int order, const fy_inn_print_opts_t po,
                      fy_error_t err)
{
    fy_inn_layer_kind_t kind = net->layers[D->layer].kind;
    slong *perm = term_perm(D, err), i;
    json_t *root, *a;
    int status = perm ? FY_OK : FY_ENOMEM;
    *out = NULL;
    if (status != FY_OK)
        return status;
    root = json_object();
    json_object_set_new(root, "command", json_string("inn diagrams"));
    json_object_set_new(root, "model", model ? fy_json_string(model) : json_null());
    json_object_set_new(root, "dim", json_integer(net->d));
    json_object_set_new(root, "layer", json_integer(D->layer));
    json_object_set_new(root, "kind", json_string(fy_inn_layer_kind_name(kind)));
    json_object_set_new(root, "name", fy_json_string(net->layers[D->layer].name));
    json_object_set_new(root, "arith", json_string(D->len ? fy_arith_name(D->t[0].T->e.arith)
                                                          : "double"));
    json_object_set_new(root, "convention", json_string("A"));
    a = json_array();
    for (i = 0; i < D->len && status == FY_OK; i++)
    {
        const fy_inn_term_struct *t = D->t + perm[i];
        fy_inn_poly_t P;
        fy_diagram_t dg;
        char label[160];
        json_t *o = json_object();
        int has;
        term_label(label, sizeof label, t, kind);
        json_object_set_new(o, "kind", json_string(term_kind_name(t->kind)));
        json_object_set_new(o, "order", json_integer(t->order));
        json_object_set_new(o, "source_order", json_integer(t->source_order));
        json_object_set_new(o, "n", json_integer(t->n));
        if (kind == FY_INN_LAYER_CUBIC)
            json_object_set_new(o, "n3", json_integer(t->n3));
        json_object_set_new(o, "multiplicity", json_integer(t->multiplicity));
        json_object_set_new(o, "norm", fy_json_number(t->norm));
        json_object_set_new(o, "label", json_string(label));
        fy_diagram_init(dg, &fy_family_inn);
        has = fy_inn_term_diagram(dg, t, kind, err);
        if (has > 0)
        {
            char *shape = NULL;
            if (fy_draw_shape(&shape, dg, NULL, NULL) != FY_OK)
                shape = NULL;
            json_object_set_new(o, "shape", fy_json_string(shape));
            json_object_set_new(o, "canon", dg->canon ? fy_json_string(dg->canon) : json_null());
            free(shape);
        }
        else
        {
            json_object_set_new(o, "shape", json_null());
            json_object_set_new(o, "canon", json_null());
        }
        fy_diagram_clear(dg);
        fy_inn_poly_init(P);
        status = poly_tensors(P, t->T, t->order, t->order, t->T->dim, t->T->e.arith,
                              t->T->e.prec, 0, po, err);
        if (status == FY_OK)
        {
            json_object_set_new(o, "total_monomials", json_integer(P->total));
            json_object_set_new(o, "monomials", poly_json(P, "u", po));
        }
        fy_inn_poly_clear(P);
        json_array_append_new(a, o);
    }
    free(perm);
    json_object_set_new(root, "terms", a);
    if (status == FY_OK && R != NULL)
    {
        int ok;
        double md;
        status = fy_inn_terms_sum_check(&ok, &md, D, R, order, err);
        if (status == FY_OK)
        {
            json_t *c = json_object();
            json_object_set_new(c, "agrees", json_boolean(ok));
            json_object_set_new(c, "max_diff", fy_json_number(md));
            json_object_set_new(root, "sum_check", c);
        }
    }
    if (status != FY_OK)
    {
        json_decref(root);
        return status;
    }
    return dumps(root, err, out) ? FY_OK : FY_ENOMEM;
}

/* ------------------------------------------------------------------ model description */

/* Degrees of the actions S_l on the input of layer l (l = 0..nlayers; -1: infinite series). */
static void layer_degrees(int *deg, const fy_inn_t net)
{
    int l;
    deg[net->nlayers] = 2;
    for (l = net->nlayers - 1; l >= 0; l--)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        if (deg[l + 1] < 0 || ly->kind == FY_INN_LAYER_ELEMENTWISE ||
            ly->kind == FY_INN_LAYER_CUBIC)
            deg[l] = -1;
        else if (ly->kind == FY_INN_LAYER_COUPLING && ly->nB > 0)
            deg[l] = deg[l + 1] > (1 << 29) ? deg[l + 1] : 2 * deg[l + 1];
        else
            deg[l] = deg[l + 1];
    }
}

/* The exact determinant of an affine layer. */
static void affine_det(fmpq_t det, const fy_inn_layer_struct *ly, int d)
{
    fmpq_mat_t W;
    int i, j;
    fmpq_mat_init(W, d, d);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            fmpq_set(fmpq_mat_entry(W, i, j), ly->W + (slong) i * d + j);
    fmpq_mat_det(det, W);
    fmpq_mat_clear(W);
}

/* Per layer of the description: kind, name, shapes, log-det, condition number, degree. */
typedef struct
{
    double *cond;
    int *deg;
    double *radius; /* elementwise: radius of the log-det series about the image of 0 */
    int validated;
    char why[FY_ERROR_MSG_LEN];
} info_t;

static int info_compute(info_t *in, const fy_inn_t net, fy_error_t err)
{
    fy_error_t e2;
    int l, status = FY_OK;
    memset(in, 0, sizeof *in);
    in->cond = fy_calloc((size_t) net->nlayers + 1, sizeof(double), err);
    in->deg = fy_calloc((size_t) net->nlayers + 1, sizeof(int), err);
    in->radius = fy_calloc((size_t) net->nlayers + 1, sizeof(double), err);
    if (in->cond == NULL || in->deg == NULL || in->radius == NULL)
        return FY_ENOMEM;
    layer_degrees(in->deg, net);
    fy_error_init(e2);
    in->validated = fy_inn_validate(in->cond, net, 0, e2) == FY_OK;
    if (!in->validated)
        snprintf(in->why, sizeof in->why, "%s", e2->msg);
    /* the radii of the log-det series about the image of 0 */
    for (l = 0; l < net->nlayers; l++)
        if ((net->layers[l].kind == FY_INN_LAYER_ELEMENTWISE ||
             net->layers[l].kind == FY_INN_LAYER_CUBIC) &&
            fy_inn_elementwise_radius(in->radius + l, net, l, NULL, e2) != FY_OK)
            in->radius[l] = NAN;
    return status;
}

static void info_clear(info_t *in)
{
    free(in->cond);
    free(in->deg);
    free(in->radius);
}

static json_t *ints_json(const int *v, int n)
{
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

int fy_inn_info_json(char **out, const fy_inn_t net, fy_error_t err)
{
    info_t in;
    json_t *root, *ls;
    int l, i, status = info_compute(&in, net, err), ncoup = 0, nbias = 0, deg;
    fmpq_t det, lr;
    *out = NULL;
    if (status != FY_OK)
    {
        info_clear(&in);
        return status;
    }
    fmpq_init(det);
    fmpq_init(lr);
    fmpq_one(lr);
    root = json_object();
    json_object_set_new(root, "command", json_string("inn info"));
    json_object_set_new(root, "file", net->source ? fy_json_string(net->source) : json_null());
    json_object_set_new(root, "format", json_string(fy_model_format_name(net->format)));
    json_object_set_new(root, "dim", json_integer(net->d));
    json_object_set_new(root, "num_layers", json_integer(net->nlayers));
    json_object_set_new(root, "parameters", json_integer((json_int_t) fy_inn_num_params(net)));
    ls = json_array();
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(l));
        json_object_set_new(o, "name", ly->name ? fy_json_string(ly->name) : json_null());
        json_object_set_new(o, "kind", json_string(fy_inn_layer_kind_name(ly->kind)));
        if (ly->kind == FY_INN_LAYER_AFFINE)
        {
            int hasb = 0;
            affine_det(det, ly, net->d);
            for (i = 0; ly->b != NULL && i < net->d; i++)
                hasb |= !fmpq_is_zero(ly->b + i);
            nbias += hasb;
            fmpq_abs(det, det);
            fmpq_mul(lr, lr, det);
            json_object_set_new(o, "bias", json_boolean(hasb));
            json_object_set_new(o, "abs_det", jq(det));
            json_object_set_new(o, "log_det", fy_json_number(log(fy_fmpq_get_d(det))));
            json_object_set_new(o, "condition_number", fy_json_number(in.cond[l]));
        }
        else if (ly->kind == FY_INN_LAYER_COUPLING)
        {
            ncoup++;
            json_object_set_new(o, "passive", ints_json(ly->A, ly->nA));
            json_object_set_new(o, "shifted", ints_json(ly->B, ly->nB));
            json_object_set_new(o, "log_det", json_real(0));
        }
        else
        {
            json_object_set_new(o, "log_det",
                                json_string(ly->kind == FY_INN_LAYER_CUBIC
                                                ? "sum_i ln(1 + 3 gamma_i h_i^2)"
                                                : "sum_i ln(1 + 2 gamma_i h_i)"));
            json_object_set_new(o, "logdet_radius", fy_json_number(in.radius[l]));
        }
        json_object_set_new(o, "degree_input", in.deg[l] >= 0 ? json_integer(in.deg[l])
                                                                : json_null());
        json_object_set_new(o, "degree_output", in.deg[l + 1] >= 0
                                                   ? json_integer(in.deg[l + 1])
                                                   : json_null());
        json_array_append_new(ls, o);
    }
    json_object_set_new(root, "layers", ls);
    json_object_set_new(root, "couplings", json_integer(ncoup));
    json_object_set_new(root, "biased_affine_layers", json_integer(nbias));
    deg = fy_inn_action_degree(net);
    json_object_set_new(root, "action_degree", deg >= 0 ? json_integer(deg) : json_null());
    json_object_set_new(root, "abs_det_product", jq(lr));
    json_object_set_new(root, "valid", json_boolean(in.validated));
    json_object_set_new(root, "validation", in.validated ? json_null() : fy_json_string(in.why));
    fmpq_clear(det);
    fmpq_clear(lr);
    info_clear(&in);
    return dumps(root, err, out) ? FY_OK : FY_ENOMEM;
}

int fy_inn_info_print(FILE *fp, const fy_inn_t net, fy_error_t err)
{
    info_t in;
    int l, deg, status = info_compute(&in, net, err);
    fmpq_t det;
    if (status != FY_OK)
    {
        info_clear(&in);
        return status;
    }
    fmpq_init(det);
    deg = fy_inn_action_degree(net);
    fprintf(fp, "file:        %s (%s)\n", net->source ? net->source : "-",
            fy_model_format_name(net->format));
    fprintf(fp, "dimension:   %d\n", net->d);
    fprintf(fp, "layers:      %d (layer 0 acts on the data)\n", net->nlayers);
    fprintf(fp, "parameters:  %zu\n", fy_inn_num_params(net));
    if (deg >= 0)
        fprintf(fp, "action:      polynomial of degree %d\n", deg);
    else
        fprintf(fp, "action:      infinite series (elementwise layers): truncated at the "
                    "order asked for\n");
    fprintf(fp, "validation:  %s\n", in.validated ? "ok" : in.why);
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = net->layers + l;
        int i;
        fprintf(fp, "  %2d  %-11s %-14s", l, fy_inn_layer_kind_name(ly->kind),
                ly->name ? ly->name : "-");
        if (ly->kind == FY_INN_LAYER_AFFINE)
        {
            char *s;
            int hasb = 0;
            affine_det(det, ly, net->d);
            fmpq_abs(det, det);
            for (i = 0; ly->b != NULL && i < net->d; i++)
                hasb |= !fmpq_is_zero(ly->b + i);
            s = fy_fmpq_get_str(det);
            fprintf(fp, " |det W| = %s, ln|det W| = %.6g, cond %.3g%s", s ? s : "?",
                    log(fy_fmpq_get_d(det)), in.cond[l], hasb ? ", bias" : "");
            free(s);
        }
        else if (ly->kind == FY_INN_LAYER_COUPLING)
        {
            fprintf(fp, " split A = {");
            for (i = 0; i < ly->nA; i++)
                fprintf(fp, "%s%d", i ? "," : "", ly->A[i]);
            fprintf(fp, "} B = {");
            for (i = 0; i < ly->nB; i++)
                fprintf(fp, "%s%d", i ? "," : "", ly->B[i]);
            fprintf(fp, "}, log-det 0");
        }
        else
            fprintf(fp, " log-det series sum ln(1 + %s), radius %.3g about the image "
                    "of 0", ly->kind == FY_INN_LAYER_CUBIC ? "3 gamma h^2" : "2 gamma h",
                    in.radius[l]);
        if (in.deg[l] >= 0)
            fprintf(fp, "; action degree %d on its output, %d on its input\n", in.deg[l + 1],
                    in.deg[l]);
        else
            fprintf(fp, "; action a series on its input\n");
    }
    fmpq_clear(det);
    info_clear(&in);
    return ferror(fp) ? fy_error_set(err, FY_EIO, "inn: writing failed") : FY_OK;
}
