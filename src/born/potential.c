/* Step potentials: construction, exact units, and the plain-text format of
 * doc/potential-format.md (read and written). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "born/born_internal.h"
#include "feynn/util.h"

void fy_born_potential_init(fy_born_potential_t pot)
{
    pot->d = 0;
    pot->r = NULL;
    pot->U = NULL;
    pot->physical = 0;
    fmpq_init(pot->mu);
}

static void pot_free(fy_born_potential_t pot)
{
    if (pot->r)
        _fmpq_vec_clear(pot->r, pot->d + 1);
    if (pot->U)
        _fmpq_vec_clear(pot->U, pot->d);
    pot->r = NULL;
    pot->U = NULL;
    pot->d = 0;
}

void fy_born_potential_clear(fy_born_potential_t pot)
{
    pot_free(pot);
    fmpq_clear(pot->mu);
}

/* Re-makes pot with d steps, all zero. */
static int pot_alloc(fy_born_potential_t pot, slong d, fy_error_t err)
{
    if (d < 1 || d > FY_BORN_MAX_STEPS)
        return fy_error_set(err, FY_EINPUT, "a potential needs 1 to %d steps, not %ld",
                            FY_BORN_MAX_STEPS, (long) d);
    pot_free(pot);
    pot->r = _fmpq_vec_init(d + 1);
    pot->U = _fmpq_vec_init(d);
    pot->d = d;
    pot->physical = 0;
    fmpq_zero(pot->mu);
    return FY_OK;
}

int fy_born_potential_set(fy_born_potential_t pot, const fy_born_potential_t src,
                          fy_error_t err)
{
    slong j;
    int rc;
    if (pot == src)
        return FY_OK;
    if ((rc = pot_alloc(pot, src->d, err)) != FY_OK)
        return rc;
    for (j = 0; j <= src->d; j++)
        fmpq_set(pot->r + j, src->r + j);
    for (j = 0; j < src->d; j++)
        fmpq_set(pot->U + j, src->U + j);
    pot->physical = src->physical;
    fmpq_set(pot->mu, src->mu);
    return FY_OK;
}

int fy_born_potential_set_steps(fy_born_potential_t pot, slong d, const fmpq_t R,
                                const fmpq *U, fy_error_t err)
{
    slong j;
    int rc;
    fmpq_t Rc;
    if (fmpq_sgn(R) <= 0)
        return fy_error_set(err, FY_EINPUT, "the range R must be positive");
    fmpq_init(Rc);
    fmpq_set(Rc, R); /* R may live inside pot */
    if ((rc = pot_alloc(pot, d, err)) != FY_OK)
    {
        fmpq_clear(Rc);
        return rc;
    }
    for (j = 1; j <= d; j++)
    {
        fmpq_mul_si(pot->r + j, Rc, j);
        _fy_fmpq_div_si_born(pot->r + j, pot->r + j, d);
    }
    if (U)
        for (j = 0; j < d; j++)
            fmpq_set(pot->U + j, U + j);
    fmpq_clear(Rc);
    return FY_OK;
}

int fy_born_potential_set_breakpoints(fy_born_potential_t pot, slong d, const fmpq *r,
                                      const fmpq *U, fy_error_t err)
{
    slong j;
    int rc;
    if (d < 1 || d > FY_BORN_MAX_STEPS)
        return fy_error_set(err, FY_EINPUT, "a potential needs 1 to %d steps, not %ld",
                            FY_BORN_MAX_STEPS, (long) d);
    if (!fmpq_is_zero(r))
        return fy_error_set(err, FY_EINPUT, "the first breakpoint r_0 must be 0");
    for (j = 1; j <= d; j++)
        if (fmpq_cmp(r + j, r + j - 1) <= 0)
            return fy_error_set(err, FY_EINPUT,
                                "breakpoints must increase strictly: r_%ld <= r_%ld",
                                (long) j, (long) (j - 1));
    if ((rc = pot_alloc(pot, d, err)) != FY_OK)
        return rc;
    for (j = 0; j <= d; j++)
        fmpq_set(pot->r + j, r + j);
    if (U)
        for (j = 0; j < d; j++)
            fmpq_set(pot->U + j, U + j);
    return FY_OK;
}

int fy_born_potential_scale(fy_born_potential_t pot, const fy_born_potential_t src,
                            const fmpq_t lambda, fy_error_t err)
{
    slong j;
    int rc;
    if (pot != src && (rc = fy_born_potential_set(pot, src, err)) != FY_OK)
        return rc;
    for (j = 0; j < pot->d; j++)
        fmpq_mul(pot->U + j, pot->U + j, lambda);
    return FY_OK;
}

void fy_born_hbarc(fmpq_t z)
{
    fmpq_set_si(z, 1973269804, 10000000);
}

void fy_born_physical_to_natural(fmpq_t U, const fmpq_t V, const fmpq_t mu)
{
    fmpq_t h;
    fmpq_init(h);
    fy_born_hbarc(h);
    fmpq_mul(h, h, h);
    fmpq_mul(U, V, mu);
    fmpq_mul_2exp(U, U, 1);
    fmpq_div(U, U, h);
    fmpq_clear(h);
}

/* ------------------------------------------------------------------ parsing */

typedef struct
{
    fmpq *v;
    slong n, alloc;
    slong line, col; /* of the first entry, for messages */
} qvec_t;

static int qvec_push(qvec_t *q, const fmpq_t x, fy_error_t err)
{
    if (q->n == q->alloc)
    {
        slong na = q->alloc ? 2 * q->alloc : 16, i;
        fmpq *nv;
        if (q->n >= FY_BORN_MAX_STEPS)
            return fy_error_set(err, FY_ENOMEM, "more than %d steps", FY_BORN_MAX_STEPS);
        nv = fy_realloc(q->v, (size_t) na, sizeof(fmpq), err);
        if (nv == NULL)
            return err ? err->code : FY_ENOMEM;
        for (i = q->alloc; i < na; i++)
            fmpq_init(nv + i);
        q->v = nv;
        q->alloc = na;
    }
    fmpq_set(q->v + q->n, x);
    q->n++;
    return FY_OK;
}

static void qvec_clear(qvec_t *q)
{
    slong i;
    for (i = 0; i < q->alloc; i++)
        fmpq_clear(q->v + i);
    free(q->v);
}

typedef struct
{
    const char *name;
    slong line, col; /* 1-based */
} where_t;

/* Reformats the message of fy_fmpq_parse ("bad number "T" at column C: why") with the
 * absolute position. */
static int number_error(fy_error_t err, const where_t *w, const char *tok)
{
    const char *at;
    unsigned long c = 1;
    char why[FY_ERROR_MSG_LEN];
    if (err == NULL)
        return FY_EINPUT;
    at = strstr(err->msg, " at column ");
    if (at != NULL && sscanf(at + 11, "%lu", &c) == 1)
    {
        const char *colon = strchr(at + 11, ':');
        snprintf(why, sizeof why, "%s", colon ? colon + 2 : "bad number");
    }
    else
        snprintf(why, sizeof why, "%s", err->msg);
    return fy_error_set(err, FY_EINPUT,
                        "%s:%ld:%ld: expected a number (integer, decimal or fraction such as "
                        "-3/2), found \"%s\": %s",
                        w->name, (long) w->line, (long) (w->col + (slong) c - 1), tok, why);
}

static int parse_number(fmpq_t z, const char *tok, const where_t *w, fy_error_t err)
{
    int rc = fy_fmpq_parse(z, tok, err);
    if (rc == FY_OK)
        return FY_OK;
    if (rc != FY_EINPUT)
        return rc;
    return number_error(err, w, tok);
}

enum { KW_NONE, KW_RANGE, KW_BREAKPOINTS, KW_STEP, KW_MU, KW_HEIGHTS };

int fy_born_potential_parse(fy_born_potential_t pot, const char *text, size_t len,
                            const char *name, const fmpq_t default_range, fy_error_t err)
{
    qvec_t heights = {NULL, 0, 0, 0, 0}, bps = {NULL, 0, 0, 0, 0};
    fmpq_t x, range, mu;
    int have_range = 0, have_mu = 0, have_step = 0, rc = FY_OK;
    slong range_line = 0, mu_line = 0, step_line = 0, line = 1, j;
    size_t i = 0;
    char *tok = NULL;
    where_t w;

    if (name == NULL)
        name = "<potential>";
    w.name = name;
    fmpq_init(x);
    fmpq_init(range);
    fmpq_init(mu);
    tok = fy_malloc(len + 1, 1, err);
    if (tok == NULL)
    {
        rc = err ? err->code : FY_ENOMEM;
        goto done;
    }

    while (i < len && rc == FY_OK)
    {
        /* one line: tokens up to '\n' or '#' */
        size_t ls = i;
        int kw = KW_NONE, ntok = 0, nnum = 0;
        slong kwcol = 0;
        while (rc == FY_OK)
        {
            size_t ts, tl;
            while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
                               text[i] == '\f' || text[i] == '\v'))
                i++;
            if (i >= len || text[i] == '\n' || text[i] == '#')
                break;
            ts = i;
            while (i < len && !isspace((unsigned char) text[i]) && text[i] != '#')
                i++;
            tl = i - ts;
            memcpy(tok, text + ts, tl);
            tok[tl] = '\0';
            w.line = line;
            w.col = (slong) (ts - ls) + 1;
            if (memchr(tok, '\0', tl) != NULL)
            {
                rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: unexpected NUL byte", name,
                                  (long) line, (long) w.col);
                break;
            }
            if (ntok == 0 && isalpha((unsigned char) tok[0]))
            {
                if (strcmp(tok, "range") == 0)
                    kw = KW_RANGE;
                else if (strcmp(tok, "breakpoints") == 0)
                    kw = KW_BREAKPOINTS;
                else if (strcmp(tok, "step") == 0)
                    kw = KW_STEP;
                else if (strcmp(tok, "mu") == 0)
                    kw = KW_MU;
                else if (strcmp(tok, "heights") == 0)
                    kw = KW_HEIGHTS;
                else
                {
                    rc = fy_error_set(err, FY_EINPUT,
                                      "%s:%ld:%ld: expected a number or a keyword (range, "
                                      "breakpoints, heights, step, mu), found \"%.40s\"",
                                      name, (long) line, (long) w.col, tok);
                    break;
                }
                kwcol = w.col;
                if ((kw == KW_RANGE && have_range) || (kw == KW_MU && have_mu))
                {
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: \"%s\" given twice (first "
                                      "on line %ld)", name, (long) line, (long) w.col, tok,
                                      (long) (kw == KW_RANGE ? range_line : mu_line));
                    break;
                }
                ntok++;
                continue;
            }
            ntok++;
            if ((rc = parse_number(x, tok, &w, err)) != FY_OK)
                break;
            nnum++;
            switch (kw)
            {
            case KW_RANGE:
            case KW_MU:
                if (nnum > 1)
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected the end of the "
                                      "line after \"%s\", found \"%.40s\"", name, (long) line,
                                      (long) w.col, kw == KW_RANGE ? "range R" : "mu M", tok);
                else if (fmpq_sgn(x) <= 0)
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected a positive %s, "
                                      "found \"%s\"", name, (long) line, (long) w.col,
                                      kw == KW_RANGE ? "range" : "reduced mass (MeV)", tok);
                else if (kw == KW_RANGE)
                    fmpq_set(range, x);
                else
                    fmpq_set(mu, x);
                break;
            case KW_BREAKPOINTS:
                if (have_step)
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected \"step r U\" lines "
                                      "only (the file uses step lines since line %ld)", name,
                                      (long) line, (long) kwcol, (long) step_line);
                else
                {
                    if (bps.n == 0)
                    {
                        bps.line = line;
                        bps.col = w.col;
                    }
                    if (fmpq_sgn(x) <= 0 || (bps.n > 0 && fmpq_cmp(x, bps.v + bps.n - 1) <= 0))
                        rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected a breakpoint "
                                          "above the previous one (breakpoints r_1 < r_2 < ... "
                                          "are the right ends of the steps, r_0 = 0 is "
                                          "implicit), found \"%s\"", name, (long) line,
                                          (long) w.col, tok);
                    else
                        rc = qvec_push(&bps, x, err);
                }
                break;
            case KW_STEP:
                if (nnum == 1)
                {
                    if ((heights.n > 0 && !have_step) || (bps.n > 0 && !have_step))
                    {
                        rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected heights or "
                                          "breakpoints, found a \"step\" line (step lines "
                                          "cannot be mixed with heights and breakpoints)", name,
                                          (long) line, (long) kwcol);
                        break;
                    }
                    if (!have_step)
                        step_line = line;
                    have_step = 1;
                    if (fmpq_sgn(x) <= 0 || (bps.n > 0 && fmpq_cmp(x, bps.v + bps.n - 1) <= 0))
                        rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected the right end "
                                          "of the step, above the previous one, found \"%s\"",
                                          name, (long) line, (long) w.col, tok);
                    else
                        rc = qvec_push(&bps, x, err);
                }
                else if (nnum == 2)
                    rc = qvec_push(&heights, x, err);
                else
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected the end of the line "
                                      "after \"step r U\", found \"%.40s\"", name, (long) line,
                                      (long) w.col, tok);
                break;
            default: /* heights */
                if (have_step)
                    rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected \"step r U\" lines "
                                      "only (the file uses step lines since line %ld)", name,
                                      (long) line, (long) w.col, (long) step_line);
                else
                {
                    if (heights.n == 0)
                    {
                        heights.line = line;
                        heights.col = w.col;
                    }
                    rc = qvec_push(&heights, x, err);
                }
                break;
            }
        }
        if (rc != FY_OK)
            break;
        if (kw != KW_NONE && nnum == 0)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected a number after \"%s\"",
                              name, (long) line, (long) (i - ls) + 1,
                              kw == KW_RANGE ? "range" : kw == KW_MU ? "mu"
                              : kw == KW_STEP ? "step" : kw == KW_HEIGHTS ? "heights"
                              : "breakpoints");
            break;
        }
        if (kw == KW_STEP && nnum == 1)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected the height U after \"step "
                              "r\"", name, (long) line, (long) (i - ls) + 1);
            break;
        }
        if (kw == KW_RANGE)
        {
            have_range = 1;
            range_line = line;
        }
        if (kw == KW_MU)
        {
            have_mu = 1;
            mu_line = line;
        }
        /* skip a comment, then the newline */
        while (i < len && text[i] != '\n')
            i++;
        if (i < len)
        {
            i++;
            line++;
        }
    }
    if (rc != FY_OK)
        goto done;

    if (heights.n == 0)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s:%ld:1: expected the step heights U_1 ... U_d, "
                          "found the end of the file", name, (long) line);
        goto done;
    }
    if (bps.n > 0)
    {
        if (bps.n != heights.n)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected %ld breakpoints, one per "
                              "height, found %ld", name, (long) bps.line, (long) bps.col,
                              (long) heights.n, (long) bps.n);
            goto done;
        }
        if (have_range && !fmpq_equal(range, bps.v + bps.n - 1))
        {
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld:1: expected the range to equal the last "
                              "breakpoint", name, (long) range_line);
            goto done;
        }
    }
    if ((rc = pot_alloc(pot, heights.n, err)) != FY_OK)
        goto done;
    if (bps.n > 0)
        for (j = 0; j < bps.n; j++)
            fmpq_set(pot->r + j + 1, bps.v + j);
    else
    {
        if (!have_range)
        {
            if (default_range != NULL && fmpq_sgn(default_range) > 0)
                fmpq_set(range, default_range);
            else
                fmpq_one(range);
        }
        for (j = 1; j <= heights.n; j++)
        {
            fmpq_mul_si(pot->r + j, range, j);
            _fy_fmpq_div_si_born(pot->r + j, pot->r + j, heights.n);
        }
    }
    for (j = 0; j < heights.n; j++)
    {
        if (have_mu)
            fy_born_physical_to_natural(pot->U + j, heights.v + j, mu);
        else
            fmpq_set(pot->U + j, heights.v + j);
    }
    if (have_mu)
    {
        pot->physical = 1;
        fmpq_set(pot->mu, mu);
    }

done:
    free(tok);
    qvec_clear(&heights);
    qvec_clear(&bps);
    fmpq_clear(x);
    fmpq_clear(range);
    fmpq_clear(mu);
    return rc;
}

int fy_born_potential_read(fy_born_potential_t pot, const char *path,
                           const fmpq_t default_range, fy_error_t err)
{
    char *data;
    size_t len;
    int rc = fy_file_read(&data, &len, path, FY_BORN_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_born_potential_parse(pot, data, len, strcmp(path, "-") == 0 ? "<stdin>" : path,
                                 default_range, err);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------ writing */

typedef struct
{
    char *s;
    size_t n, alloc;
    int oom;
} sbuf_t;

static void sbuf_add(sbuf_t *b, const char *t)
{
    size_t l = strlen(t);
    if (b->oom)
        return;
    if (b->n + l + 1 > b->alloc)
    {
        size_t na = b->alloc ? b->alloc : 256;
        char *ns;
        while (na < b->n + l + 1)
            na *= 2;
        ns = realloc(b->s, na);
        if (ns == NULL)
        {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->alloc = na;
    }
    memcpy(b->s + b->n, t, l + 1);
    b->n += l;
}

static void sbuf_add_q(sbuf_t *b, const fmpq_t q)
{
    char *t = fy_fmpq_get_str(q);
    if (t == NULL)
    {
        b->oom = 1;
        return;
    }
    sbuf_add(b, t);
    free(t);
}

int fy_born_potential_write(char **text, const fy_born_potential_t pot, fy_error_t err)
{
    sbuf_t b = {NULL, 0, 0, 0};
    slong j;
    *text = NULL;
    if (pot->d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    sbuf_add(&b, "# feynn step potential: " FY_BORN_CONVENTION "\n");
    if (pot->physical)
    {
        sbuf_add(&b, "# converted from MeV and fm with reduced mass ");
        sbuf_add_q(&b, pot->mu);
        sbuf_add(&b, " MeV, hbar c = " FY_BORN_HBARC_STR " MeV fm: U in fm^-2, r in fm\n");
    }
    sbuf_add(&b, "breakpoints");
    for (j = 1; j <= pot->d; j++)
    {
        sbuf_add(&b, " ");
        sbuf_add_q(&b, pot->r + j);
    }
    sbuf_add(&b, "\nheights");
    for (j = 0; j < pot->d; j++)
    {
        sbuf_add(&b, " ");
        sbuf_add_q(&b, pot->U + j);
    }
    sbuf_add(&b, "\n");
    if (b.oom)
    {
        free(b.s);
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a potential");
    }
    *text = b.s;
    return FY_OK;
}
