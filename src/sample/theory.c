/* theory.c - lattice theories with polynomial actions: the text format (doc/theory-format.md),
 * the expansion of E into monomials, E and grad E in double, and the exact derivative tensors
 * of S = -E at phi = 0. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/sample.h"
#include "feynn/util.h"

static const char *const kind_names[] = {"none", "ring", "torus", "graph"};

const char *fy_lattice_kind_name(fy_lattice_kind_t kind)
{
    return (kind >= FY_LATTICE_NONE && kind <= FY_LATTICE_GRAPH) ? kind_names[kind] : "?";
}

static void mono_init(fy_monomial_struct *m)
{
    memset(m, 0, sizeof *m);
    fmpq_init(m->c);
}

static void mono_list_clear(fy_monomial_struct *m, slong n)
{
    slong i;
    for (i = 0; i < n; i++)
        fmpq_clear(m[i].c);
    free(m);
}

void fy_ltheory_init(fy_ltheory_t T)
{
    memset(T, 0, sizeof *T);
    fmpq_init(T->kinetic);
    fmpq_init(T->m2);
    fmpq_init(T->g3);
    fmpq_init(T->lam);
    fmpq_one(T->kinetic);
}

void fy_ltheory_clear(fy_ltheory_t T)
{
    slong l;
    for (l = 0; l < T->nlinks; l++)
        fmpq_clear(T->link_w + l);
    free(T->link_w);
    free(T->link_i);
    free(T->link_j);
    mono_list_clear(T->terms, T->nterms);
    mono_list_clear(T->mono, T->nmono);
    fmpq_clear(T->kinetic);
    fmpq_clear(T->m2);
    fmpq_clear(T->g3);
    fmpq_clear(T->lam);
    memset(T, 0, sizeof *T);
}

/* ------------------------------------------------------------------ growing arrays */

static int links_push(fy_ltheory_t T, slong *cap, int i, int j, const fmpq_t w, fy_error_t err)
{
    if (T->nlinks == *cap)
    {
        slong nc = *cap ? 2 * *cap : 16;
        int *a, *b;
        fmpq *c;
        if ((a = fy_realloc(T->link_i, (size_t) nc, sizeof *a, err)) == NULL)
            return err->code;
        T->link_i = a;
        if ((b = fy_realloc(T->link_j, (size_t) nc, sizeof *b, err)) == NULL)
            return err->code;
        T->link_j = b;
        if ((c = fy_realloc(T->link_w, (size_t) nc, sizeof *c, err)) == NULL)
            return err->code;
        T->link_w = c;
        *cap = nc;
    }
    T->link_i[T->nlinks] = i;
    T->link_j[T->nlinks] = j;
    fmpq_init(T->link_w + T->nlinks);
    fmpq_set(T->link_w + T->nlinks, w);
    T->nlinks++;
    return FY_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *) a, y = *(const int *) b;
    return (x > y) - (x < y);
}

/* Appends c * prod phi_idx (idx sorted here) to a monomial list. */
static int mono_push(fy_monomial_struct **list, slong *n, slong *cap, const int *idx, int deg,
                     const fmpq_t c, fy_error_t err)
{
    fy_monomial_struct *m;
    if (*n == *cap)
    {
        slong nc = *cap ? 2 * *cap : 32;
        fy_monomial_struct *p = fy_realloc(*list, (size_t) nc, sizeof *p, err);
        if (p == NULL)
            return err->code;
        *list = p;
        *cap = nc;
    }
    m = *list + *n;
    mono_init(m);
    m->deg = deg;
    memcpy(m->idx, idx, (size_t) deg * sizeof(int));
    qsort(m->idx, (size_t) deg, sizeof(int), cmp_int);
    fmpq_set(m->c, c);
    m->cd = fy_fmpq_get_d(c);
    (*n)++;
    return FY_OK;
}

static int mono_cmp(const void *a, const void *b)
{
    const fy_monomial_struct *x = a, *y = b;
    int k;
    if (x->deg != y->deg)
        return (x->deg > y->deg) - (x->deg < y->deg);
    for (k = 0; k < x->deg; k++)
        if (x->idx[k] != y->idx[k])
            return (x->idx[k] > y->idx[k]) - (x->idx[k] < y->idx[k]);
    return 0;
}

/* Builds T->mono from the lattice, the standard couplings and the general terms. */
static int theory_expand(fy_ltheory_t T, fy_error_t err)
{
    fy_monomial_struct *list = NULL;
    slong n = 0, cap = 0, l, i, out;
    int rc = FY_OK, idx[4], k;
    fmpq_t c, f;
    fmpq_init(c);
    fmpq_init(f);
    for (l = 0; l < T->nlinks && rc == FY_OK; l++)
    {
        /* K w (phi_i - phi_j)^2 / 2 = K w/2 phi_i^2 + K w/2 phi_j^2 - K w phi_i phi_j */
        if (T->link_i[l] == T->link_j[l])
            continue;
        fmpq_mul(c, T->kinetic, T->link_w + l);
        fmpq_div_2exp(c, c, 1);
        idx[0] = idx[1] = T->link_i[l];
        rc = mono_push(&list, &n, &cap, idx, 2, c, err);
        idx[0] = idx[1] = T->link_j[l];
        if (rc == FY_OK)
            rc = mono_push(&list, &n, &cap, idx, 2, c, err);
        fmpq_mul_2exp(c, c, 1);
        fmpq_neg(c, c);
        idx[0] = T->link_i[l];
        idx[1] = T->link_j[l];
        if (rc == FY_OK)
            rc = mono_push(&list, &n, &cap, idx, 2, c, err);
    }
    for (i = 0; i < T->nsites && rc == FY_OK; i++)
    {
        const fmpq *cp[3] = {T->m2, T->g3, T->lam};
        static const slong fact[3] = {2, 6, 24};
        idx[0] = idx[1] = idx[2] = idx[3] = (int) i;
        for (k = 0; k < 3 && rc == FY_OK; k++)
        {
            if (fmpq_is_zero(cp[k]))
                continue;
            fmpq_set_si(f, 1, (ulong) fact[k]);
            fmpq_mul(c, cp[k], f);
            rc = mono_push(&list, &n, &cap, idx, k + 2, c, err);
        }
    }
    for (l = 0; l < T->nterms && rc == FY_OK; l++)
        rc = mono_push(&list, &n, &cap, T->terms[l].idx, T->terms[l].deg, T->terms[l].c, err);
    if (rc != FY_OK)
    {
        mono_list_clear(list, n);
        fmpq_clear(c);
        fmpq_clear(f);
        return rc;
    }
    /* merge equal monomials, drop zeros */
    if (n > 1)
        qsort(list, (size_t) n, sizeof *list, mono_cmp);
    out = 0;
    for (i = 0; i < n; i++)
    {
        if (out > 0 && mono_cmp(list + out - 1, list + i) == 0)
        {
            fmpq_add(list[out - 1].c, list[out - 1].c, list[i].c);
            fmpq_clear(list[i].c);
            continue;
        }
        if (out > 0 && fmpq_is_zero(list[out - 1].c))
        {
            fmpq_clear(list[out - 1].c);
            out--;
        }
        list[out++] = list[i];
    }
    if (out > 0 && fmpq_is_zero(list[out - 1].c))
    {
        fmpq_clear(list[out - 1].c);
        out--;
    }
    T->max_degree = 0;
    T->even = 1;
    for (i = 0; i < out; i++)
    {
        list[i].cd = fy_fmpq_get_d(list[i].c);
        if (list[i].deg > T->max_degree)
            T->max_degree = list[i].deg;
        if (list[i].deg % 2)
            T->even = 0;
    }
    T->mono = list;
    T->nmono = out;
    fmpq_clear(c);
    fmpq_clear(f);
    return FY_OK;
}

/* ------------------------------------------------------------------ parsing */

typedef struct
{
    const char *name;
    slong line;
    const char *line_start;
} pos_t;

static int perr(fy_error_t err, const pos_t *p, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int perr(fy_error_t err, const pos_t *p, const char *at, const char *fmt, ...)
{
    char msg[FY_ERROR_MSG_LEN - 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: %s", p->name, (long) p->line,
                        (long) (at - p->line_start) + 1, msg);
}

static const char *next_token(const char *a, const char *b, const char **end)
{
    while (a < b && isspace((unsigned char) *a))
        a++;
    if (a >= b)
        return NULL;
    *end = a;
    while (*end < b && !isspace((unsigned char) **end))
        (*end)++;
    return a;
}

static void tok_copy(char *buf, size_t size, const char *t, const char *e)
{
    size_t n = (size_t) (e - t);
    if (n >= size)
        n = size - 1;
    memcpy(buf, t, n);
    buf[n] = 0;
}

static int tok_is(const char *t, const char *e, const char *word)
{
    size_t n = strlen(word);
    return (size_t) (e - t) == n && memcmp(t, word, n) == 0;
}

static int parse_q(fmpq_t q, const char *t, const char *e, const pos_t *p, fy_error_t err)
{
    char buf[512];
    fy_error_t e2;
    if ((size_t) (e - t) >= sizeof buf)
        return perr(err, p, t, "number too long");
    tok_copy(buf, sizeof buf, t, e);
    fy_error_init(e2);
    if (fy_fmpq_parse(q, buf, e2) != FY_OK)
        return perr(err, p, t, "bad number '%.60s': %.700s", buf, e2->msg);
    return FY_OK;
}

static int parse_int(long *v, const char *t, const char *e, long lo, long hi, const char *what,
                     const pos_t *p, fy_error_t err)
{
    char buf[64], *end;
    long x;
    tok_copy(buf, sizeof buf, t, e);
    x = strtol(buf, &end, 10);
    if (end == buf || *end || (size_t) (e - t) >= sizeof buf || x < lo || x > hi)
        return perr(err, p, t, "%s must be an integer in %ld..%ld, not '%.40s'", what, lo, hi,
                    buf);
    *v = x;
    return FY_OK;
}

enum
{
    K_LATTICE,
    K_EDGE,
    K_KINETIC,
    K_M2,
    K_G3,
    K_LAM,
    K_TERM,
    K_N
};
static const char *const keys[K_N] = {"lattice", "edge", "kinetic", "m2", "g3", "lam", "term"};

static int parse_line(fy_ltheory_t T, int kw, const char *e, const char *c, const pos_t *p,
                      slong *link_cap, slong *term_cap, fy_error_t err)
{
    const char *t, *te;
    fmpq_t q;
    int rc = FY_OK;
    long v;
    fmpq_init(q);
    if (kw == K_LATTICE)
    {
        long lo = 1, hi = FY_LTHEORY_MAX_SITES;
        slong i, x, y, L;
        if ((t = next_token(e, c, &te)) == NULL)
        {
            rc = perr(err, p, e, "'lattice' needs a kind: ring D, torus L or graph N");
            goto done;
        }
        if (tok_is(t, te, "ring"))
            T->kind = FY_LATTICE_RING;
        else if (tok_is(t, te, "torus"))
        {
            T->kind = FY_LATTICE_TORUS;
            hi = 1000;
        }
        else if (tok_is(t, te, "graph"))
            T->kind = FY_LATTICE_GRAPH;
        else
        {
            char buf[64];
            tok_copy(buf, sizeof buf, t, te);
            rc = perr(err, p, t, "unknown lattice '%s' (ring D, torus L or graph N)", buf);
            goto done;
        }
        e = te;
        if ((t = next_token(e, c, &te)) == NULL)
        {
            rc = perr(err, p, e, "'lattice %s' needs a size", fy_lattice_kind_name(T->kind));
            goto done;
        }
        if ((rc = parse_int(&v, t, te, lo, hi, "the lattice size", p, err)) != FY_OK)
            goto done;
        T->size = (int) v;
        T->nsites = T->kind == FY_LATTICE_TORUS ? (int) (v * v) : (int) v;
        e = te;
        fmpq_one(q);
        if (T->kind == FY_LATTICE_RING)
            for (i = 0; i < v && v > 1 && rc == FY_OK; i++)
                rc = links_push(T, link_cap, (int) i, (int) ((i + 1) % v), q, err);
        if (T->kind == FY_LATTICE_TORUS && v > 1)
        {
            L = v;
            for (y = 0; y < L && rc == FY_OK; y++)
                for (x = 0; x < L && rc == FY_OK; x++)
                {
                    rc = links_push(T, link_cap, (int) (x + L * y), (int) ((x + 1) % L + L * y),
                                    q, err);
                    if (rc == FY_OK)
                        rc = links_push(T, link_cap, (int) (x + L * y),
                                        (int) (x + L * ((y + 1) % L)), q, err);
                }
        }
    }
    else if (kw == K_EDGE)
    {
        long ij[2];
        int k;
        if (T->kind != FY_LATTICE_GRAPH)
        {
            rc = perr(err, p, e - 4, "'edge' lines need 'lattice graph N' before them");
            goto done;
        }
        for (k = 0; k < 2; k++)
        {
            if ((t = next_token(e, c, &te)) == NULL)
            {
                rc = perr(err, p, e, "'edge' needs two sites I J (and optionally a weight)");
                goto done;
            }
            if ((rc = parse_int(ij + k, t, te, 0, T->nsites - 1, "a site", p, err)) != FY_OK)
                goto done;
            e = te;
        }
        if (ij[0] == ij[1])
        {
            rc = perr(err, p, t, "an edge must join two different sites (both are %ld)", ij[0]);
            goto done;
        }
        fmpq_one(q);
        if ((t = next_token(e, c, &te)) != NULL)
        {
            if ((rc = parse_q(q, t, te, p, err)) != FY_OK)
                goto done;
            e = te;
        }
        rc = links_push(T, link_cap, (int) ij[0], (int) ij[1], q, err);
    }
    else if (kw == K_TERM)
    {
        int idx[FY_LTHEORY_MAX_DEGREE + 1], deg = 0;
        if (T->kind == FY_LATTICE_NONE)
        {
            rc = perr(err, p, e - 4, "'term' lines need a 'lattice' line before them");
            goto done;
        }
        if ((t = next_token(e, c, &te)) == NULL)
        {
            rc = perr(err, p, e, "'term' needs a coefficient and site indices: term C I J ...");
            goto done;
        }
        if ((rc = parse_q(q, t, te, p, err)) != FY_OK)
            goto done;
        e = te;
        while ((t = next_token(e, c, &te)) != NULL)
        {
            if (deg == FY_LTHEORY_MAX_DEGREE)
            {
                rc = perr(err, p, t, "a term has at most %d factors", FY_LTHEORY_MAX_DEGREE);
                goto done;
            }
            if ((rc = parse_int(&v, t, te, 0, T->nsites - 1, "a site", p, err)) != FY_OK)
                goto done;
            idx[deg++] = (int) v;
            e = te;
        }
        rc = mono_push(&T->terms, &T->nterms, term_cap, idx, deg, q, err);
        goto done;
    }
    else
    {
        fmpq *dst = kw == K_KINETIC ? T->kinetic
                    : kw == K_M2    ? T->m2
                    : kw == K_G3    ? T->g3
                                    : T->lam;
        if ((t = next_token(e, c, &te)) == NULL)
        {
            rc = perr(err, p, e, "'%s' needs a value", keys[kw]);
            goto done;
        }
        if ((rc = parse_q(dst, t, te, p, err)) != FY_OK)
            goto done;
        e = te;
    }
    if (rc == FY_OK && (t = next_token(e, c, &te)) != NULL)
    {
        char buf[64];
        tok_copy(buf, sizeof buf, t, te);
        rc = perr(err, p, t, "unexpected '%s' at the end of a '%s' line", buf, keys[kw]);
    }
done:
    fmpq_clear(q);
    return rc;
}

int fy_ltheory_parse(fy_ltheory_t T, const char *text, const char *name, fy_error_t err)
{
    pos_t p = {name, 0, text};
    const char *a = text;
    slong link_cap = 0, term_cap = 0, seen_line[K_N] = {0};
    int rc = FY_OK;
    fy_ltheory_clear(T);
    fy_ltheory_init(T);
    while (*a && rc == FY_OK)
    {
        const char *b = strchr(a, '\n'), *c, *t, *e;
        int k;
        if (b == NULL)
            b = a + strlen(a);
        p.line++;
        p.line_start = a;
        c = memchr(a, '#', (size_t) (b - a));
        if (c == NULL)
            c = b;
        a = *b ? b + 1 : b;
        if ((t = next_token(p.line_start, c, &e)) == NULL)
            continue;
        for (k = 0; k < K_N; k++)
            if (tok_is(t, e, keys[k]))
                break;
        if (k == K_N)
        {
            char buf[64];
            tok_copy(buf, sizeof buf, t, e);
            rc = perr(err, &p, t, "unknown key '%s' (keys: lattice, edge, kinetic, m2, g3, lam, "
                      "term; see doc/theory-format.md)", buf);
            break;
        }
        if (k != K_EDGE && k != K_TERM && seen_line[k])
        {
            rc = perr(err, &p, t, "'%s' given twice (first on line %ld)", keys[k],
                      (long) seen_line[k]);
            break;
        }
        seen_line[k] = p.line;
        rc = parse_line(T, k, e, c, &p, &link_cap, &term_cap, err);
    }
    if (rc == FY_OK && T->kind == FY_LATTICE_NONE)
        rc = fy_error_set(err, FY_EINPUT, "%s: no 'lattice' line (add e.g. 'lattice ring 8')",
                          name);
    if (rc == FY_OK)
        rc = theory_expand(T, err);
    if (rc != FY_OK)
    {
        fy_ltheory_clear(T);
        fy_ltheory_init(T);
    }
    return rc;
}

int fy_ltheory_load(fy_ltheory_t T, const char *path, fy_error_t err)
{
    char *text = NULL;
    size_t len;
    int rc = fy_file_read_text(&text, &len, path, FY_LTHEORY_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_ltheory_parse(T, text, path, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ evaluation */

double fy_ltheory_energy(const fy_ltheory_t T, const double *phi)
{
    double E = 0.0;
    slong m;
    int k;
    for (m = 0; m < T->nmono; m++)
    {
        const fy_monomial_struct *mo = T->mono + m;
        double v = mo->cd;
        for (k = 0; k < mo->deg; k++)
            v *= phi[mo->idx[k]];
        E += v;
    }
    return E;
}

double fy_ltheory_energy_grad(const fy_ltheory_t T, double *grad, const double *phi)
{
    double E = 0.0;
    slong m;
    int k, l;
    memset(grad, 0, (size_t) T->nsites * sizeof(double));
    for (m = 0; m < T->nmono; m++)
    {
        const fy_monomial_struct *mo = T->mono + m;
        double v = mo->cd;
        for (k = 0; k < mo->deg; k++)
            v *= phi[mo->idx[k]];
        E += v;
        for (k = 0; k < mo->deg; k++)
        {
            double g = mo->cd;
            for (l = 0; l < mo->deg; l++)
                if (l != k)
                    g *= phi[mo->idx[l]];
            grad[mo->idx[k]] += g;
        }
    }
    return E;
}

int fy_ltheory_log_density_tensor(fy_symtensor_t Tn, const fy_ltheory_t T, int n, fy_error_t err)
{
    slong m;
    int rc, k;
    fmpq_t v;
    fmpz_t f;
    if (n < 0 || n > FY_LTHEORY_MAX_DEGREE)
        return fy_error_set(err, FY_EUSAGE, "derivative order %d outside 0..%d", n,
                            FY_LTHEORY_MAX_DEGREE);
    fy_symtensor_clear(Tn);
    if ((rc = fy_symtensor_init(Tn, FY_ARITH_EXACT, T->nsites, n, 0, err)) != FY_OK)
        return rc;
    fmpq_init(v);
    fmpz_init(f);
    for (m = 0; m < T->nmono; m++)
    {
        const fy_monomial_struct *mo = T->mono + m;
        fmpq *dst;
        if (mo->deg != n)
            continue;
        /* d^n/dphi_a of c phi^a = c prod_v (multiplicity of v)! */
        fmpz_one(f);
        for (k = 0; k < n;)
        {
            int j = k;
            fmpz_t g;
            while (j < n && mo->idx[j] == mo->idx[k])
                j++;
            fmpz_init(g);
            fmpz_fac_ui(g, (ulong) (j - k));
            fmpz_mul(f, f, g);
            fmpz_clear(g);
            k = j;
        }
        fmpq_mul_fmpz(v, mo->c, f);
        fmpq_neg(v, v);
        dst = fy_symtensor_entry_fmpq(Tn, mo->idx);
        if (dst == NULL)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "theory tensor: entry out of range");
            break;
        }
        fmpq_add(dst, dst, v);
    }
    fmpq_clear(v);
    fmpz_clear(f);
    return rc;
}
