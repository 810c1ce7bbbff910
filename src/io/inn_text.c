/* The plain-text INN format (doc/inn-format.md): line based, '#' comments, exact numbers.
 *
 *   feynn-inn 1
 *   dim 3
 *   layer affine [NAME]
 *   W
 *   <3 rows of 3 numbers>
 *   [b <3 numbers>]
 *   layer coupling [NAME]
 *   A 0 1
 *   [B 2]                      (default: the complement of A)
 *   G 2 0 1 1/2                (G b a a' value, also sets G b a' a; any number of lines)
 *   layer elementwise [NAME]    (or 'layer cubic': y_i = u_i + gamma_i u_i^3)
 *   gamma <3 numbers>
 *
 * Numbers are read exactly by fy_fmpq_parse ("0.1" is 1/10, "-3/2", "2.5e-3"). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_vec.h>

#include "feynn/num.h"
#include "feynn/util.h"
#include "io/inn_internal.h"
#include "io/io_internal.h"

typedef struct
{
    const char *s;
    size_t n;
    size_t pos;      /* start of the current line */
    size_t end;      /* end of the current line (without comment) */
    size_t i;        /* cursor */
    unsigned long line;
    const char *name;
    fy_error_struct *err;
    size_t stored;   /* indices and G entries of the couplings so far (not bounded by the file
                      * size, since B and G may be implicit) */
} lex_t;

/* Advances to the next line that has content; returns 0 at the end of the input. */
static int next_line(lex_t *x)
{
    for (;;)
    {
        size_t e, j;
        if (x->line > 0)
        {
            e = x->pos;
            while (e < x->n && x->s[e] != '\n')
                e++;
            x->pos = e < x->n ? e + 1 : e;
        }
        x->line++;
        if (x->pos >= x->n)
            return 0;
        e = x->pos;
        while (e < x->n && x->s[e] != '\n' && x->s[e] != '#')
            e++;
        x->end = e;
        for (j = x->pos; j < e; j++)
            if (!isspace((unsigned char) x->s[j]))
                break;
        x->i = x->pos;
        if (j < e)
            return 1;
    }
}

static void skip_blank(lex_t *x)
{
    while (x->i < x->end && isspace((unsigned char) x->s[x->i]))
        x->i++;
}

static int at_eol(lex_t *x)
{
    skip_blank(x);
    return x->i >= x->end;
}

/* "FILE:LINE:COL: " then fmt with what and what was found at the cursor ('word' or "the end of
 * the line"). */
static int fail(lex_t *x, const char *fmt, const char *what)
{
    char found[240];
    size_t j, e;
    skip_blank(x);
    j = x->i;
    if (j >= x->end)
        snprintf(found, sizeof found, "the end of the line");
    else
    {
        /* the token as typed; a non-ASCII character named, with what to type instead */
        for (e = j; e < x->end && !isspace((unsigned char) x->s[e]); e++)
            ;
        fy_text_show(found, sizeof found, x->s + j, e - j);
    }
    fy_error_set(x->err, FY_EINPUT, "%s:%lu:%lu: ", x->name, x->line,
                 (unsigned long) (x->i - x->pos + 1));
    {
        size_t l = strlen(x->err->msg);
        snprintf(x->err->msg + l, sizeof x->err->msg - l, fmt, what, found);
    }
    return FY_EINPUT;
}

static int word(lex_t *x, const char **w, size_t *len)
{
    skip_blank(x);
    *w = x->s + x->i;
    while (x->i < x->end && !isspace((unsigned char) x->s[x->i]))
        x->i++;
    *len = (size_t) (x->s + x->i - *w);
    return *len > 0;
}

static int is_word(const char *w, size_t len, const char *kw)
{
    return strlen(kw) == len && memcmp(w, kw, len) == 0;
}

/* A non-negative integer at most max; what says what it is. */
static int read_index(lex_t *x, int *v, int max, const char *what)
{
    size_t start;
    long val = 0;
    skip_blank(x);
    start = x->i;
    while (x->i < x->end && isdigit((unsigned char) x->s[x->i]))
    {
        val = 10 * val + (x->s[x->i] - '0');
        if (val > max)
        {
            x->i = start;
            return fail(x, "expected %s, found %s (too large)", what);
        }
        x->i++;
    }
    if (x->i == start || (x->i < x->end && !isspace((unsigned char) x->s[x->i])))
    {
        x->i = start;
        return fail(x, "expected %s, found %s", what);
    }
    *v = (int) val;
    return FY_OK;
}

/* One exact number into q; what names it ("row 2 of W of layer 0"). */
static int read_number(lex_t *x, fmpq_t q, const char *what)
{
    const char *w;
    size_t len, start;
    char *buf;
    fy_error_t e2;
    skip_blank(x);
    start = x->i;
    /* No limit on the length here: the writer spells every value out in full (10^100000 is
     * 100001 digits), and that must read back.  The file size bounds it. */
    if (!word(x, &w, &len))
        return fail(x, "expected a number for %s, found %s", what);
    if ((buf = fy_io_strndup(w, len, x->err)) == NULL)
        return FY_ENOMEM;
    fy_error_init(e2);
    if (fy_fmpq_parse(q, buf, e2) != FY_OK)
    {
        free(buf);
        x->i = start;
        fy_error_set(x->err, FY_EINPUT, "%s:%lu:%lu: %s (in %s; numbers are integers, "
                     "decimals with an optional exponent, or p/q)", x->name, x->line,
                     (unsigned long) (start - x->pos + 1), e2->msg, what);
        return FY_EINPUT;
    }
    free(buf);
    return FY_OK;
}

/* k numbers to the end of the line. */
static int read_numbers(lex_t *x, fmpq *q, size_t k, const char *what)
{
    size_t j;
    for (j = 0; j < k; j++)
    {
        int rc;
        if (at_eol(x))
        {
            char msg[160];
            snprintf(msg, sizeof msg, "expected %zu numbers for %%s, found %zu before %%s", k, j);
            return fail(x, msg, what);
        }
        if ((rc = read_number(x, q + j, what)))
            return rc;
    }
    if (!at_eol(x))
    {
        char msg[160];
        snprintf(msg, sizeof msg, "expected %zu numbers for %%s, found more: %%s", k);
        return fail(x, msg, what);
    }
    return FY_OK;
}

/* Index list to the end of the line (ascending, in 0..d-1, no repeats), into idx (d slots). */
static int read_set(lex_t *x, int *idx, int *n, int d, const char *what)
{
    char msg[160];
    *n = 0;
    while (!at_eol(x))
    {
        size_t start = x->i;
        int v, rc;
        snprintf(msg, sizeof msg, "expected an index 0..%d in %%s, found %%s", d - 1);
        if ((rc = read_index(x, &v, d - 1, "an index")))
        {
            x->i = start;
            return fail(x, msg, what);
        }
        if (*n > 0 && v <= idx[*n - 1])
        {
            x->i = start;
            snprintf(msg, sizeof msg, "expected the indices of %%s in ascending order without "
                     "repeats (after %d), found %%s", idx[*n - 1]);
            return fail(x, msg, what);
        }
        idx[(*n)++] = v;
    }
    return FY_OK;
}

typedef struct
{
    fy_inn_layer_kind_t kind;
    char *name;
    unsigned long line;  /* of the 'layer' line */
    fmpq *W, *b, *gamma, *G;
    int *A, *B, nA, nB, have_A, have_B;
    int *posA, *posB;    /* coordinate -> position in A or B, or -1 */
    char *set;           /* G entries given (r <= s) */
    size_t ng;
} block_t;

static void block_clear(block_t *k, int d)
{
    free(k->name);
    if (k->W)
        _fmpq_vec_clear(k->W, (slong) d * d);
    if (k->b)
        _fmpq_vec_clear(k->b, d);
    if (k->gamma)
        _fmpq_vec_clear(k->gamma, d);
    if (k->G)
        _fmpq_vec_clear(k->G, (slong) k->ng);
    free(k->A);
    free(k->B);
    free(k->posA);
    free(k->posB);
    free(k->set);
    memset(k, 0, sizeof *k);
}

/* Fixes the split of a coupling (B: the complement of A unless given) and allocates G;
 * messages name line. */
static int block_split(lex_t *x, block_t *k, int d, const char *where, unsigned long line)
{
    int i;
    if (k->G != NULL)
        return FY_OK;
    if (!k->have_A)
        return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: expected the line 'A i j ...' (the "
                            "passive indices) before the G lines and the end of the layer",
                            x->name, line, where);
    k->posA = fy_malloc((size_t) d, sizeof(int), x->err);
    k->posB = fy_malloc((size_t) d, sizeof(int), x->err);
    if (k->posA == NULL || k->posB == NULL)
        return FY_ENOMEM;
    for (i = 0; i < d; i++)
        k->posA[i] = k->posB[i] = -1;
    for (i = 0; i < k->nA; i++)
        k->posA[k->A[i]] = i;
    if (!k->have_B)
    {
        k->nB = 0;
        for (i = 0; i < d; i++)
            if (k->posA[i] < 0)
                k->B[k->nB++] = i;
    }
    for (i = 0; i < k->nB; i++)
    {
        if (k->posA[k->B[i]] >= 0)
            return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: index %d is in both A and B: "
                                "the split must be disjoint", x->name, line, where, k->B[i]);
        k->posB[k->B[i]] = i;
    }
    if (k->nA + k->nB != d)
        return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: A and B have %d + %d indices but "
                            "dim is %d: together they must be 0..%d (or leave out the B line)",
                            x->name, line, where, k->nA, k->nB, d, d - 1);
    k->ng = (size_t) k->nB * (size_t) k->nA * (size_t) k->nA;
    if (k->ng > FY_INN_MAX_G)
        return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: G would have %d x %d x %d entries, "
                            "more than the limit of %lu", x->name, line, where, k->nB, k->nA,
                            k->nA, (unsigned long) FY_INN_MAX_G);
    k->G = _fmpq_vec_init((slong) (k->ng > 0 ? k->ng : 1));
    if (k->ng == 0)
        k->ng = 1;
    if ((k->set = fy_calloc(k->ng, 1, x->err)) == NULL)
        return FY_ENOMEM;
    return FY_OK;
}

/* Pushes the finished block as the next layer; messages name the file and the layer line. */
static int block_push(lex_t *x, fy_inn_t net, block_t *k, int d)
{
    char where[512], src[600];
    char *save = net->source;
    int rc;
    fy_inn_where(where, sizeof where, net, net->nlayers, k->name, k->kind);
    switch (k->kind)
    {
    case FY_INN_LAYER_AFFINE:
        if (k->W == NULL)
            return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: no 'W' line followed by %d rows: "
                                "an affine layer needs its weight matrix", x->name, k->line,
                                where, d);
        break;
    case FY_INN_LAYER_COUPLING:
        if ((rc = block_split(x, k, d, where, k->line)))
            return rc;
        x->stored += (size_t) d + k->ng;
        if (x->stored > FY_INN_MAX_G)
            return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: the couplings so far hold more "
                                "than %lu indices and entries of G, the limit of the text format "
                                "(write large networks as safetensors)", x->name, k->line, where,
                                (unsigned long) FY_INN_MAX_G);
        break;
    case FY_INN_LAYER_ELEMENTWISE:
    case FY_INN_LAYER_CUBIC:
        if (k->gamma == NULL)
            return fy_error_set(x->err, FY_EINPUT, "%s:%lu: %s: no 'gamma' line of %d numbers: "
                                "an elementwise layer needs its coefficients", x->name, k->line,
                                where, d);
        break;
    }
    /* the checks of the push functions (det W, split) name FILE:LINE of the layer */
    snprintf(src, sizeof src, "%s:%lu", x->name, k->line);
    net->source = src;
    switch (k->kind)
    {
    case FY_INN_LAYER_AFFINE:
        rc = fy_inn_push_affine(net, k->name, k->W, k->b, x->err);
        break;
    case FY_INN_LAYER_COUPLING:
        rc = fy_inn_push_coupling(net, k->name, k->A, k->nA, k->B, k->nB, k->G, x->err);
        break;
    case FY_INN_LAYER_CUBIC:
        rc = fy_inn_push_cubic(net, k->name, k->gamma, x->err);
        break;
    default:
        rc = fy_inn_push_elementwise(net, k->name, k->gamma, x->err);
        break;
    }
    net->source = save;
    return rc;
}

/* One line inside a layer block (the keyword is read). */
static int block_line(lex_t *x, const fy_inn_t net, block_t *k, int d, const char *w,
                      size_t wl, size_t at)
{
    char what[320];
    int rc, l = net->nlayers;
    const char *nm = k->name;
    if (k->kind == FY_INN_LAYER_AFFINE && is_word(w, wl, "W") && k->W == NULL)
    {
        int r;
        if (!at_eol(x))
            return fail(x, "expected %s, found %s",
                        "the end of the line after 'W' (the rows follow on their own lines)");
        /* every number takes at least two bytes: refuse what the file cannot hold */
        if ((size_t) d > (x->n - x->pos) / 2 / (size_t) d + 1)
        {
            x->i = at;
            return fail(x, "expected %s, found %s",
                        "a weight matrix that fits in the rest of the file");
        }
        k->W = _fmpq_vec_init((slong) d * d);
        for (r = 0; r < d; r++)
        {
            snprintf(what, sizeof what, "row %d of W of layer %d ('%s')", r, l, nm);
            if (next_line(x) != 1)
                return fy_error_set(x->err, FY_EINPUT, "%s:%lu: expected %s (%d numbers), "
                                    "found the end of the file", x->name, x->line, what, d);
            skip_blank(x);
            if (x->i < x->end && isalpha((unsigned char) x->s[x->i]))
            {
                char msg[200];
                snprintf(msg, sizeof msg, "expected %%s (%d numbers; W has %d rows), found %%s",
                         d, d);
                return fail(x, msg, what);
            }
            if ((rc = read_numbers(x, k->W + (size_t) r * d, (size_t) d, what)))
                return rc;
        }
        return FY_OK;
    }
    if (k->kind == FY_INN_LAYER_AFFINE && is_word(w, wl, "b") && k->b == NULL)
    {
        snprintf(what, sizeof what, "the bias b of layer %d ('%s')", l, nm);
        k->b = _fmpq_vec_init(d);
        return read_numbers(x, k->b, (size_t) d, what);
    }
    if ((k->kind == FY_INN_LAYER_ELEMENTWISE || k->kind == FY_INN_LAYER_CUBIC) &&
        is_word(w, wl, "gamma") && k->gamma == NULL)
    {
        snprintf(what, sizeof what, "gamma of layer %d ('%s')", l, nm);
        k->gamma = _fmpq_vec_init(d);
        return read_numbers(x, k->gamma, (size_t) d, what);
    }
    if (k->kind == FY_INN_LAYER_COUPLING && (is_word(w, wl, "A") || is_word(w, wl, "B")))
    {
        int isA = w[0] == 'A';
        if (isA ? k->have_A : k->have_B)
        {
            x->i = at;
            return fail(x, "expected %s, found %s", "one line of each set: a second one");
        }
        if (k->G != NULL)
        {
            x->i = at;
            return fail(x, "expected %s, found %s", "the lines A and B before the G lines");
        }
        snprintf(what, sizeof what, "the set %s of layer %d ('%s')", isA ? "A" : "B", l, nm);
        if (isA)
        {
            k->have_A = 1;
            return read_set(x, k->A, &k->nA, d, what);
        }
        k->have_B = 1;
        return read_set(x, k->B, &k->nB, d, what);
    }
    if (k->kind == FY_INN_LAYER_COUPLING && is_word(w, wl, "G"))
    {
        char where[512], msg[320];
        int bi, a1, a2, t, r, s;
        size_t e, e2, start;
        fmpq_t v;
        if ((rc = block_split(x, k, d, fy_inn_where(where, sizeof where, net, l, nm,
                                                    k->kind), x->line)))
            return rc;
        snprintf(what, sizeof what, "an index b of B (0..%d) in 'G b a a\' value'", d - 1);
        start = x->i;
        if ((rc = read_index(x, &bi, d - 1, what)))
            return rc;
        if (k->posB[bi] < 0)
        {
            x->i = start;
            snprintf(msg, sizeof msg, "expected %%s, found %%s: %d is not in B of layer %d "
                     "('%s')", bi, l, nm);
            return fail(x, msg, "the index b of an output coordinate in B");
        }
        snprintf(what, sizeof what, "an index a of A (0..%d) in 'G b a a\' value'", d - 1);
        start = x->i;
        if ((rc = read_index(x, &a1, d - 1, what)))
            return rc;
        if (k->posA[a1] < 0)
        {
            x->i = start;
            snprintf(msg, sizeof msg, "expected %%s, found %%s: %d is not in A of layer %d "
                     "('%s')", a1, l, nm);
            return fail(x, msg, "the index a of a passive coordinate in A");
        }
        start = x->i;
        if ((rc = read_index(x, &a2, d - 1, what)))
            return rc;
        if (k->posA[a2] < 0)
        {
            x->i = start;
            snprintf(msg, sizeof msg, "expected %%s, found %%s: %d is not in A of layer %d "
                     "('%s')", a2, l, nm);
            return fail(x, msg, "the index a' of a passive coordinate in A");
        }
        snprintf(what, sizeof what, "the value of G %d %d %d of layer %d ('%s')", bi, a1, a2, l,
                 nm);
        start = x->i;
        fmpq_init(v);
        if ((rc = read_number(x, v, what)))
        {
            fmpq_clear(v);
            return rc;
        }
        if (!at_eol(x))
        {
            fmpq_clear(v);
            return fail(x, "expected %s, found %s", "the end of the line after 'G b a a' value'");
        }
        t = k->posB[bi];
        r = k->posA[a1];
        s = k->posA[a2];
        if (r > s)
        {
            int tmp = r;
            r = s;
            s = tmp;
        }
        e = ((size_t) t * k->nA + r) * k->nA + s;
        e2 = ((size_t) t * k->nA + s) * k->nA + r;
        if (k->set[e] && !fmpq_equal(k->G + e, v))
        {
            char *old = fy_fmpq_get_str(k->G + e);
            x->i = start;
            snprintf(msg, sizeof msg, "expected %%s, found %%s: G %d %d %d (= G %d %d %d) was "
                     "already given as %s in layer %d ('%s')", bi, a1, a2, bi, a2, a1,
                     old ? old : "?", l, nm);
            free(old);
            fmpq_clear(v);
            return fail(x, msg, "no contradicting repeat");
        }
        k->set[e] = 1;
        fmpq_set(k->G + e, v);
        fmpq_set(k->G + e2, v);
        fmpq_clear(v);
        return FY_OK;
    }
    x->i = at;
    switch (k->kind)
    {
    case FY_INN_LAYER_AFFINE:
        return fail(x, "expected %s, found %s", "'W' (then the rows), 'b NUMBERS' (once each) or "
                    "'layer KIND [NAME]'");
    case FY_INN_LAYER_COUPLING:
        return fail(x, "expected %s, found %s", "'A INDICES', 'B INDICES' (once each), "
                    "'G b a a' value' or 'layer KIND [NAME]'");
    default:
        return fail(x, "expected %s, found %s", "'gamma NUMBERS' (once) or 'layer KIND [NAME]'");
    }
}

int fy_inn_read_text_buffer(fy_inn_t net, const char *text, size_t len, const char *name,
                            fy_error_t err)
{
    lex_t x;
    fy_inn_t out;
    block_t k;
    int rc = FY_OK, d = 0, in_block = 0;
    const char *w;
    size_t wl;

    memset(&x, 0, sizeof x);
    memset(&k, 0, sizeof k);
    x.s = text;
    x.n = len;
    x.name = name;
    x.err = err;
    fy_inn_init(out);
    out->format = FY_MODEL_TEXT;

    if (len > FY_IO_MAX_TEXT_BYTES)
        return fy_error_set(err, FY_EINPUT,
                            "%s: a text INN of %zu bytes is larger than the limit of %zu for this "
                            "format (use safetensors for large networks)", name, len,
                            (size_t) FY_IO_MAX_TEXT_BYTES);
    if (len > 0 && memchr(text, '\0', len) != NULL)
        return fy_error_set(err, FY_EINPUT, "%s: offset %zu: NUL byte in a text INN file",
                            name, (size_t) ((const char *) memchr(text, '\0', len) - text));
    if (!next_line(&x))
        return fy_error_set(err, FY_EINPUT, "%s: empty file, expected 'feynn-inn 1'", name);
    if (!word(&x, &w, &wl) || !is_word(w, wl, "feynn-inn"))
    {
        x.i = x.pos;
        return fail(&x, "expected %s, found %s", "the header 'feynn-inn 1'");
    }
    if (!word(&x, &w, &wl) || !is_word(w, wl, "1") || !at_eol(&x))
    {
        x.i = (size_t) (w - x.s);
        return fail(&x, "expected %s, found %s", "format version 1");
    }
    while ((rc = next_line(&x)) == 1)
    {
        size_t at;
        skip_blank(&x);
        at = x.i;
        word(&x, &w, &wl);
        if (is_word(w, wl, "dim") && d == 0)
        {
            char msg[80];
            snprintf(msg, sizeof msg, "the dimension (1 to %d)", FY_INN_MAX_DIM);
            if ((rc = read_index(&x, &d, FY_INN_MAX_DIM, msg)))
                goto fail;
            if (d == 0)
            {
                x.i = at + 3;
                rc = fail(&x, "expected %s, found %s", msg);
                goto fail;
            }
            if ((rc = fy_inn_set_dim(out, d, err)))
                goto fail;
        }
        else if (is_word(w, wl, "layer"))
        {
            const char *kw;
            size_t kl;
            char buf[16];
            int kind;
            if (d == 0)
            {
                x.i = at;
                rc = fail(&x, "expected %s before the first layer, found %s", "'dim D'");
                goto fail;
            }
            if (in_block)
            {
                if ((rc = block_push(&x, out, &k, d)))
                    goto fail;
                block_clear(&k, d);
                in_block = 0;
            }
            if (out->nlayers >= FY_IO_MAX_LAYERS)
            {
                x.i = at;
                rc = fail(&x, "expected %s, found %s", "at most 10000 layers");
                goto fail;
            }
            word(&x, &kw, &kl);
            snprintf(buf, sizeof buf, "%.*s", (int) (kl < 15 ? kl : 15), kw);
            kind = kl < 15 ? fy_inn_layer_kind_from_name(buf) : -1;
            if (kind < 0)
            {
                x.i = (size_t) (kw - x.s);
                rc = fail(&x, "expected %s, found %s",
                          "a layer kind: 'affine', 'coupling', 'elementwise' or 'cubic'");
                goto fail;
            }
            k.kind = (fy_inn_layer_kind_t) kind;
            k.line = x.line;
            in_block = 1;
            if (!at_eol(&x))
            {
                const char *nw;
                size_t nl;
                word(&x, &nw, &nl);
                if (nl > 200)
                {
                    x.i = (size_t) (nw - x.s);
                    rc = fail(&x, "expected %s, found %s", "a layer name of at most 200 "
                              "characters");
                    goto fail;
                }
                if ((k.name = fy_io_strndup(nw, nl, err)) == NULL)
                {
                    rc = FY_ENOMEM;
                    goto fail;
                }
            }
            else
            {
                char nm[32];
                snprintf(nm, sizeof nm, "layers.%d", out->nlayers);
                if ((k.name = fy_io_strdup(nm, err)) == NULL)
                {
                    rc = FY_ENOMEM;
                    goto fail;
                }
            }
            if (k.kind == FY_INN_LAYER_COUPLING)
            {
                k.A = fy_malloc((size_t) d, sizeof(int), err);
                k.B = fy_malloc((size_t) d, sizeof(int), err);
                if (k.A == NULL || k.B == NULL)
                {
                    rc = FY_ENOMEM;
                    goto fail;
                }
            }
        }
        else if (in_block)
        {
            if ((rc = block_line(&x, out, &k, d, w, wl, at)))
                goto fail;
        }
        else
        {
            x.i = at;
            rc = fail(&x, "expected %s, found %s",
                      d ? "'layer KIND [NAME]'" : "'dim D' or 'layer KIND [NAME]'");
            goto fail;
        }
        if (!at_eol(&x))
        {
            rc = fail(&x, "expected %s, found %s", "the end of the line");
            goto fail;
        }
    }
    if (in_block)
    {
        if ((rc = block_push(&x, out, &k, d)))
            goto fail;
        block_clear(&k, d);
    }
    if (out->nlayers == 0)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s:%lu: expected at least one 'layer KIND', found "
                          "the end of the file", name, x.line);
        goto fail;
    }
    if ((out->source = fy_io_strdup(name, err)) == NULL)
    {
        rc = FY_ENOMEM;
        goto fail;
    }
    fy_inn_clear(net);
    *net = *out;
    return FY_OK;
fail:
    block_clear(&k, d);
    fy_inn_clear(out);
    return rc;
}

/* ------------------------------------------------------------------ writing */

static int plain_word(const char *s)
{
    size_t i;
    if (s == NULL || s[0] == '\0' || strlen(s) > 200)
        return 0;
    for (i = 0; s[i]; i++)
        if (isspace((unsigned char) s[i]) || s[i] == '#' || !isprint((unsigned char) s[i]))
            return 0;
    return 1;
}

static void put_q(FILE *fp, const fmpq_t q)
{
    char *s = fmpq_get_str(NULL, 10, q);
    fputs(s, fp);
    flint_free(s);
}

static void put_vec(FILE *fp, const char *kw, const fmpq *v, int n)
{
    int i;
    fputs(kw, fp);
    for (i = 0; i < n; i++)
    {
        if (i > 0 || kw[0] != '\0')
            fputc(' ', fp);
        put_q(fp, v + i);
    }
    fputc('\n', fp);
}

int fy_inn_write_text_buffer(char **text, size_t *len, const fy_inn_t net, fy_error_t err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp;
    int l, d = net->d;

    *text = NULL;
    *len = 0;
    if (d < 1 || net->nlayers < 1)
        return fy_error_set(err, FY_EINPUT, "cannot write an INN without %s",
                            d < 1 ? "a dimension" : "layers");
    if ((fp = open_memstream(&buf, &size)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a text INN");
    fprintf(fp, "# feynn invertible network, exact values (see doc/inn-format.md)\n"
                "feynn-inn 1\ndim %d\n", d);
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *ly = &net->layers[l];
        int i, t, r, s;
        fprintf(fp, "layer %s", fy_inn_layer_kind_name(ly->kind));
        if (plain_word(ly->name))
            fprintf(fp, " %s", ly->name);
        fputc('\n', fp);
        switch (ly->kind)
        {
        case FY_INN_LAYER_AFFINE:
            fputs("W\n", fp);
            for (i = 0; i < d; i++)
                put_vec(fp, "", ly->W + (size_t) i * d, d);
            if (ly->b)
                put_vec(fp, "b", ly->b, d);
            break;
        case FY_INN_LAYER_COUPLING:
            fputs("A", fp);
            for (i = 0; i < ly->nA; i++)
                fprintf(fp, " %d", ly->A[i]);
            fputs("\nB", fp);
            for (i = 0; i < ly->nB; i++)
                fprintf(fp, " %d", ly->B[i]);
            fputc('\n', fp);
            for (t = 0; t < ly->nB; t++)
                for (r = 0; r < ly->nA; r++)
                    for (s = r; s < ly->nA; s++)
                    {
                        const fmpq *g = ly->G + ((size_t) t * ly->nA + r) * ly->nA + s;
                        if (fmpq_is_zero(g))
                            continue;
                        fprintf(fp, "G %d %d %d ", ly->B[t], ly->A[r], ly->A[s]);
                        put_q(fp, g);
                        fputc('\n', fp);
                    }
            break;
        case FY_INN_LAYER_ELEMENTWISE:
        case FY_INN_LAYER_CUBIC:
            put_vec(fp, "gamma", ly->gamma, d);
            break;
        }
    }
    if (fclose(fp) != 0 || buf == NULL)
    {
        free(buf);
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a text INN");
    }
    *text = buf;
    *len = size;
    return FY_OK;
}

int fy_inn_save_text(const char *path, const fy_inn_t net, fy_error_t err)
{
    char *text;
    size_t len;
    int rc = fy_inn_write_text_buffer(&text, &len, net, err);
    if (rc)
        return fy_error_prefix(err, "%s: ", path);
    rc = fy_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}
