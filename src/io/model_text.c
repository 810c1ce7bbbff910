/* The plain-text model format (doc/model-format.md): line based, '#' comments, exact numbers.
 *
 *   feynn-model 1
 *   input 3
 *   activation tanh              (optional: every hidden layer)
 *   output-activation NAME       (optional)
 *   layer 8 [activation NAME] [name NAME]
 *   <8 lines of 3 numbers: the rows of W>
 *   [bias <8 numbers>]
 *   layer 1
 *   ...
 *
 * Numbers are integers, decimals with an optional exponent, or fractions p/q, all read exactly
 * (fmpq) and rounded once to the nearest double. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/num.h"
#include "io/io_internal.h"
#include "io/net_internal.h"

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
} lex_t;

/* Advances to the next line that has content; returns 0 at end of input. */
static int next_line(lex_t *x)
{
    for (;;)
    {
        size_t e, j;
        if (x->line > 0)
        {
            /* skip past the current physical line */
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
    while (x->i < x->end && (x->s[x->i] == ' ' || x->s[x->i] == '\t' || x->s[x->i] == '\r'))
        x->i++;
}

static int at_eol(lex_t *x)
{
    skip_blank(x);
    return x->i >= x->end;
}

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

/* A word: the maximal run of non-blank characters. */
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

static int read_count(lex_t *x, size_t *v, size_t max, const char *what)
{
    size_t start;
    skip_blank(x);
    start = x->i;
    *v = 0;
    while (x->i < x->end && isdigit((unsigned char) x->s[x->i]))
    {
        *v = 10 * *v + (size_t) (x->s[x->i] - '0');
        if (*v > max)
        {
            x->i = start;
            return fail(x, "expected %s, found %s (too large)", what);
        }
        x->i++;
    }
    if (x->i == start || *v == 0 ||
        (x->i < x->end && !isspace((unsigned char) x->s[x->i])))
    {
        x->i = start;
        return fail(x, "expected %s, found %s", what);
    }
    return FY_OK;
}

static int read_name(lex_t *x, char **out, int activation, const char *what)
{
    const char *w;
    size_t len;
    size_t start;
    skip_blank(x);
    start = x->i;
    if (!word(x, &w, &len) || (activation && !fy_io_activation_ok(w, len)) || len > 200)
    {
        x->i = start;
        return fail(x, "expected %s, found %s", what);
    }
    free(*out);
    *out = fy_io_strndup(w, len, x->err);
    return *out ? FY_OK : FY_ENOMEM;
}

/* Reads k numbers to the end of the line into d[] and q[]. */
static int read_numbers(lex_t *x, double *d, fmpq *q, size_t k, const char *what)
{
    size_t j;
    for (j = 0; j < k; j++)
    {
        const char *why;
        long used;
        char msg[120];
        skip_blank(x);
        if (x->i >= x->end)
        {
            snprintf(msg, sizeof msg, "expected %zu numbers for %%s, found %zu before %%s", k, j);
            return fail(x, msg, what);
        }
        used = fy_io_parse_number(q + j, d + j, x->s + x->i, x->end - x->i, &why);
        if (used < 0)
        {
            snprintf(msg, sizeof msg, "number %%s (%s), found %%s", why);
            return fail(x, msg, "out of range");
        }
        if (used == 0 || (x->i + (size_t) used < x->end &&
                          !isspace((unsigned char) x->s[x->i + (size_t) used])))
            return fail(x, "expected a number (integer, decimal or p/q) in %s, found %s", what);
        x->i += (size_t) used;
    }
    if (!at_eol(x))
    {
        char msg[120];
        snprintf(msg, sizeof msg, "expected %zu numbers for %%s, found more: %%s", k);
        return fail(x, msg, what);
    }
    return FY_OK;
}

int fy_net_read_text_buffer(fy_net_t net, const char *text, size_t len, const char *name,
                            const fy_net_opts_t opts, fy_error_t err)
{
    lex_t x;
    fy_net_t out;
    int rc = FY_OK, L = 0;
    size_t n_in = 0, alloc = 0;
    char *default_act = NULL, *out_act = NULL;
    const char *w;
    size_t wl;
    int have_out_act = 0;

    memset(&x, 0, sizeof x);
    x.s = text;
    x.n = len;
    x.name = name;
    x.err = err;
    fy_net_init(out);
    out->format = FY_MODEL_TEXT;
    out->exact = 1;

    if (len > FY_IO_MAX_TEXT_BYTES)
        return fy_error_set(err, FY_EINPUT,
                            "%s: a text model of %zu bytes is larger than the limit of %zu for "
                            "this format (use safetensors for large networks)", name, len,
                            (size_t) FY_IO_MAX_TEXT_BYTES);
    if (len > 0 && memchr(text, '\0', len) != NULL)
        return fy_error_set(err, FY_EINPUT, "%s: offset %zu: NUL byte in a text model file",
                            name, (size_t) ((const char *) memchr(text, '\0', len) - text));
    if (!next_line(&x))
        return fy_error_set(err, FY_EINPUT, "%s: empty file, expected 'feynn-model 1'", name);
    if (!word(&x, &w, &wl) || !is_word(w, wl, "feynn-model"))
    {
        x.i = x.pos;
        return fail(&x, "expected %s, found %s", "the header 'feynn-model 1'");
    }
    if (!word(&x, &w, &wl) || !is_word(w, wl, "1") || !at_eol(&x))
    {
        x.i = (size_t) (w - x.s);
        return fail(&x, "expected %s, found %s", "format version 1");
    }
    /* Preamble: input, activation, output-activation in any order, then layers. */
    while ((rc = next_line(&x)) == 1)
    {
        size_t at;
        skip_blank(&x);
        at = x.i;
        word(&x, &w, &wl);
        if (L == 0 && is_word(w, wl, "input") && n_in == 0)
        {
            if ((rc = read_count(&x, &n_in, FY_IO_MAX_WIDTH, "the input width (1 to 1000000)")))
                goto fail;
        }
        else if (L == 0 && is_word(w, wl, "activation") && default_act == NULL)
        {
            if ((rc = read_name(&x, &default_act, 1, "an activation name")))
                goto fail;
        }
        else if (L == 0 && is_word(w, wl, "output-activation") && !have_out_act)
        {
            have_out_act = 1;
            if ((rc = read_name(&x, &out_act, 1, "an activation name")))
                goto fail;
        }
        else if (is_word(w, wl, "layer"))
        {
            fy_layer_struct *ly;
            size_t n_out, k;
            if (n_in == 0)
            {
                x.i = at;
                rc = fail(&x, "expected %s before the first layer, found %s", "'input N'");
                goto fail;
            }
            if (L == FY_IO_MAX_LAYERS)
            {
                x.i = at;
                rc = fail(&x, "expected %s, found %s", "at most 10000 layers");
                goto fail;
            }
            if ((rc = read_count(&x, &n_out, FY_IO_MAX_WIDTH, "the layer width (1 to 1000000)")))
                goto fail;
            if ((size_t) L == alloc)
            {
                size_t na = alloc ? 2 * alloc : 4;
                fy_layer_struct *nl = fy_realloc(out->layers, na, sizeof *nl, err);
                if (nl == NULL)
                {
                    rc = FY_ENOMEM;
                    goto fail;
                }
                out->layers = nl;
                alloc = na;
            }
            ly = &out->layers[L];
            memset(ly, 0, sizeof *ly);
            out->L = ++L;
            ly->n_in = L == 1 ? n_in : out->layers[L - 2].n_out;
            ly->n_out = n_out;
            ly->w_dtype = ly->b_dtype = FY_DTYPE_TEXT;
            while (!at_eol(&x))
            {
                word(&x, &w, &wl);
                if (is_word(w, wl, "activation") && ly->activation == NULL)
                    rc = read_name(&x, &ly->activation, 1, "an activation name");
                else if (is_word(w, wl, "name") && ly->name == NULL)
                    rc = read_name(&x, &ly->name, 0, "a layer name");
                else
                {
                    x.i = (size_t) (w - x.s);
                    rc = fail(&x, "expected %s, found %s",
                              "'activation NAME', 'name NAME' or the end of the line");
                }
                if (rc)
                    goto fail;
            }
            if (ly->name == NULL)
            {
                char nm[32];
                snprintf(nm, sizeof nm, "layer%d", L);
                if ((ly->name = fy_io_strdup(nm, err)) == NULL)
                {
                    rc = FY_ENOMEM;
                    goto fail;
                }
            }
            /* Every number takes at least two bytes (a digit and a separator): refuse sizes
             * the rest of the file cannot hold before allocating. */
            if (ly->n_out > (len - x.pos) / 2 / ly->n_in + 1)
            {
                x.i = x.pos;
                rc = fail(&x, "expected %s, found %s",
                          "a layer whose weights fit in the rest of the file");
                goto fail;
            }
            if ((rc = fy_net_layer_alloc(ly, 1, err)))
                goto fail;
            for (k = 0; k < ly->n_out; k++)
            {
                char what[64];
                snprintf(what, sizeof what, "row %zu of layer %d", k + 1, L);
                if (next_line(&x) != 1)
                {
                    rc = fy_error_set(err, FY_EINPUT,
                                      "%s:%lu: expected %s (%zu numbers), found the end of the "
                                      "file", name, x.line, what, ly->n_in);
                    goto fail;
                }
                skip_blank(&x);
                if (x.i < x.end && isalpha((unsigned char) x.s[x.i]))
                {
                    char msg[120];
                    snprintf(msg, sizeof msg, "expected %%s (%zu numbers; layer %d has %zu rows), "
                             "found %%s", ly->n_in, L, ly->n_out);
                    rc = fail(&x, msg, what);
                    goto fail;
                }
                if ((rc = read_numbers(&x, ly->W + k * ly->n_in, ly->W_exact + k * ly->n_in,
                                       ly->n_in, what)))
                    goto fail;
            }
            /* Optional bias line. */
            {
                size_t save_pos = x.pos, save_end = x.end, save_i = x.i;
                unsigned long save_line = x.line;
                if (next_line(&x) == 1)
                {
                    skip_blank(&x);
                    word(&x, &w, &wl);
                    if (is_word(w, wl, "bias"))
                    {
                        char what[64];
                        snprintf(what, sizeof what, "the bias of layer %d", L);
                        ly->b_tensor = fy_io_strdup("bias", err);
                        if (ly->b_tensor == NULL)
                        {
                            rc = FY_ENOMEM;
                            goto fail;
                        }
                        if ((rc = read_numbers(&x, ly->b, ly->b_exact, ly->n_out, what)))
                            goto fail;
                        save_pos = x.pos;
                        save_end = x.end;
                        save_i = x.i;
                        save_line = x.line;
                    }
                }
                x.pos = save_pos;
                x.end = save_end;
                x.i = save_i;
                x.line = save_line;
            }
            if (ly->b_tensor == NULL)
                if ((rc = fy_net_note(out, err, "layer %d ('%s') has no bias line; zeros used",
                                      L, ly->name)))
                    goto fail;
            if ((ly->w_tensor = fy_io_strdup("weights", err)) == NULL)
            {
                rc = FY_ENOMEM;
                goto fail;
            }
        }
        else
        {
            x.i = at;
            rc = fail(&x, "expected %s, found %s",
                      L ? "'layer N' or a row of numbers in place"
                        : "'input N', 'activation NAME', 'output-activation NAME' or 'layer N'");
            goto fail;
        }
        if (!at_eol(&x))
        {
            rc = fail(&x, "expected %s, found %s", "the end of the line");
            goto fail;
        }
    }
    if (rc < 0)
        goto fail;
    rc = FY_OK;
    if (L == 0)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s:%lu: expected at least one 'layer N', found the "
                          "end of the file", name, x.line);
        goto fail;
    }
    if ((rc = fy_net_finish(out, name, default_act, out_act, "file", opts, err)))
        goto fail;
    free(default_act);
    free(out_act);
    fy_net_clear(net);
    *net = *out;
    return FY_OK;
fail:
    free(default_act);
    free(out_act);
    fy_net_clear(out);
    return rc;
}
