/* The parser of rule files (doc/rules-format.md): one statement per line, checked strictly,
 * every error reported as FILE:LINE:COLUMN: expected ..., found .... */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules_impl.h"

#define FY_RULES_MAX_TOKENS 4096
#define FY_RULES_MAX_INT 1000000

typedef struct
{
    fy_lexer lx;
    fy_tok *toks;
    int ntoks, alloc;
    fy_tok end; /* the newline or end of file closing the statement */
    const char *file;
    fy_error_struct *err;
    fy_rules_struct *out; /* this file's definitions, merged into the caller's registry */
    fy_theory_struct *th; /* theory being read, or NULL */
    fy_tok th_tok;        /* where it was opened */
    int seen_header;
} parser;

static const fy_tok *tok(const parser *ps, int i)
{
    return i < ps->ntoks ? ps->toks + i : &ps->end;
}

static int err_at(parser *ps, const fy_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int err_at(parser *ps, const fy_tok *t, const char *fmt, ...)
{
    char msg[FY_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fy_rules_error_at(ps->err, ps->file, t->line, t->col, "%s", msg);
}

/* "expected WHAT, found TOKEN" at token i. */
static int expected(parser *ps, int i, const char *what)
{
    char found[96];
    fy_tok_describe(found, sizeof found, tok(ps, i));
    return err_at(ps, tok(ps, i), "expected %s, found %s", what, found);
}

static int is_word(const parser *ps, int i, const char *w)
{
    const fy_tok *t = tok(ps, i);
    return t->type == FY_TK_WORD && t->len == strlen(w) && memcmp(t->s, w, t->len) == 0;
}

static int is_punct(const parser *ps, int i, const char *w)
{
    const fy_tok *t = tok(ps, i);
    return t->type == FY_TK_PUNCT && t->len == strlen(w) && memcmp(t->s, w, t->len) == 0;
}

static int at_end(const parser *ps, int i)
{
    return i >= ps->ntoks;
}

char *fy_strndup_err(const char *s, size_t n, fy_error_t err)
{
    char *d = fy_malloc(n + 1, 1, err);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *fy_strdup_err(const char *s, fy_error_t err)
{
    return fy_strndup_err(s, strlen(s), err);
}

static int tok_str(parser *ps, char **dst, int i)
{
    const fy_tok *t = tok(ps, i);
    free(*dst);
    *dst = fy_strndup_err(t->s, t->len, ps->err);
    return *dst == NULL ? FY_ENOMEM : FY_OK;
}

/* Reads the next non-empty statement; returns FY_OK with ntoks == 0 at end of file. */
static int read_statement(parser *ps)
{
    int rc;
    ps->ntoks = 0;
    for (;;)
    {
        fy_tok t;
        if ((rc = fy_lex_next(&ps->lx, &t, ps->err)) != FY_OK)
            return rc;
        if (t.type == FY_TK_EOF || t.type == FY_TK_NL)
        {
            ps->end = t;
            if (ps->ntoks > 0 || t.type == FY_TK_EOF)
                return FY_OK;
            continue;
        }
        if (ps->ntoks == FY_RULES_MAX_TOKENS)
            return err_at(ps, &t, "statement longer than %d tokens", FY_RULES_MAX_TOKENS);
        if (ps->ntoks == ps->alloc)
        {
            int na = ps->alloc ? 2 * ps->alloc : 32;
            fy_tok *nt = fy_realloc(ps->toks, (size_t) na, sizeof *nt, ps->err);
            if (nt == NULL)
                return FY_ENOMEM;
            ps->toks = nt;
            ps->alloc = na;
        }
        ps->toks[ps->ntoks++] = t;
    }
}

static int parse_int(parser *ps, int i, long lo, long hi, long *v, const char *what)
{
    const fy_tok *t = tok(ps, i);
    fmpq_t q;
    int ok;
    if (t->type != FY_TK_NUMBER)
        return expected(ps, i, what);
    fmpq_init(q);
    ok = fy_parse_rational(q, t->s, t->len) == 0 && fmpz_is_one(fmpq_denref(q)) &&
         memchr(t->s, '.', t->len) == NULL && memchr(t->s, '/', t->len) == NULL &&
         fmpz_cmp_si(fmpq_numref(q), lo) >= 0 && fmpz_cmp_si(fmpq_numref(q), hi) <= 0;
    if (ok)
        *v = fmpz_get_si(fmpq_numref(q));
    fmpq_clear(q);
    if (!ok)
    {
        char buf[128];
        snprintf(buf, sizeof buf, "%s (an integer from %ld to %ld)", what, lo, hi);
        return expected(ps, i, buf);
    }
    return FY_OK;
}

static int parse_rat(parser *ps, int i, fmpq_t q, const char *what)
{
    const fy_tok *t = tok(ps, i);
    if (t->type != FY_TK_NUMBER || fy_parse_rational(q, t->s, t->len) != 0)
        return expected(ps, i, what);
    return FY_OK;
}

static int need_end(parser *ps, int i)
{
    if (!at_end(ps, i))
        return expected(ps, i, "the end of the line");
    return FY_OK;
}

/* ----------------------------------------------------------------- string validators */

static int check_label(parser *ps, int i)
{
    const fy_tok *t = tok(ps, i);
    size_t j;
    for (j = 0; j < t->len; j++)
        if (t->s[j] == '%')
        {
            char c = j + 1 < t->len ? t->s[j + 1] : '\0';
            if (c != 'k' && c != 'l' && c != 'm' && c != 'i' && c != '%')
                return fy_rules_error_at(ps->err, ps->file, t->line, t->col + 1 + (int) j,
                                         "expected a placeholder %%k, %%l, %%m, %%i or %%%% "
                                         "after '%%' in the label");
            j++;
        }
    return FY_OK;
}

static int is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* DOT attributes: empty, or key=value items separated by commas. */
static int check_dot(parser *ps, int i)
{
    const fy_tok *t = tok(ps, i);
    size_t j = 0, n = t->len;
    const char *s = t->s;
#define DOT_ERR(what)                                                                              \
    fy_rules_error_at(ps->err, ps->file, t->line, t->col + 1 + (int) j,                          \
                      "expected %s in the DOT attribute list \"key=value,...\"", what)
    while (j < n && s[j] == ' ')
        j++;
    if (j == n)
        return FY_OK;
    for (;;)
    {
        size_t k0;
        while (j < n && s[j] == ' ')
            j++;
        k0 = j;
        while (j < n && is_id_char(s[j]))
            j++;
        if (j == k0)
            return DOT_ERR("an attribute name");
        while (j < n && s[j] == ' ')
            j++;
        if (j == n || s[j] != '=')
            return DOT_ERR("'=' after the attribute name");
        j++;
        while (j < n && s[j] == ' ')
            j++;
        k0 = j;
        while (j < n && s[j] != ',')
            j++;
        if (j == k0)
            return DOT_ERR("a value after '='");
        if (j == n)
            return FY_OK;
        j++; /* ',' */
    }
#undef DOT_ERR
}

/* TikZ options: balanced braces. */
static int check_tikz(parser *ps, int i)
{
    const fy_tok *t = tok(ps, i);
    size_t j;
    int depth = 0;
    for (j = 0; j < t->len; j++)
    {
        if (t->s[j] == '{')
            depth++;
        else if (t->s[j] == '}' && --depth < 0)
            return fy_rules_error_at(ps->err, ps->file, t->line, t->col + 1 + (int) j,
                                     "unbalanced '}' in the TikZ style");
    }
    if (depth != 0)
        return fy_rules_error_at(ps->err, ps->file, t->line, t->col + 1 + (int) t->len,
                                 "expected %d more '}' to balance the TikZ style", depth);
    return FY_OK;
}

/* ------------------------------------------------------------------------- theories */

static int once(parser *ps, int i, int *seen, const char *what)
{
    if (*seen)
        return err_at(ps, tok(ps, i), "'%s' given twice (each attribute at most once)", what);
    *seen = 1;
    return FY_OK;
}

static int expect_string(parser *ps, int i, const char *what)
{
    if (tok(ps, i)->type != FY_TK_STRING)
        return expected(ps, i, what);
    return FY_OK;
}

/* RANGE := INT | INT '..' | INT '..' INT.  Returns the index after it in *next. */
static int parse_range(parser *ps, int i, int *lo, int *hi, int *next)
{
    long a, b;
    int rc = parse_int(ps, i, 0, FY_RULES_MAX_INT, &a, "a count");
    if (rc != FY_OK)
        return rc;
    *lo = (int) a;
    *hi = (int) a;
    i++;
    if (is_punct(ps, i, ".."))
    {
        i++;
        *hi = FY_RULES_UNBOUNDED;
        if (tok(ps, i)->type == FY_TK_NUMBER)
        {
            if ((rc = parse_int(ps, i, 0, FY_RULES_MAX_INT, &b, "an upper bound")) != FY_OK)
                return rc;
            if (b < a)
                return err_at(ps, tok(ps, i), "expected an upper bound >= %ld, found %ld", a, b);
            *hi = (int) b;
            i++;
        }
    }
    *next = i;
    return FY_OK;
}

static int find_symbol(const fy_theory_struct *th, const fy_tok *t)
{
    int k;
    for (k = 0; k < th->nsymbols; k++)
        if (strlen(th->symbols[k]) == t->len && memcmp(th->symbols[k], t->s, t->len) == 0)
            return k;
    return -1;
}

/* BOUND := INT | SYMBOL [('+'|'-') INT | SIGNED-INT] */
static int parse_bound(parser *ps, int i, fy_level_bound_struct *b, int *next)
{
    const fy_tok *t = tok(ps, i);
    long off;
    int rc;
    free(b->symbol);
    b->symbol = NULL;
    b->offset = 0;
    if (t->type == FY_TK_NUMBER)
    {
        if ((rc = parse_int(ps, i, -FY_RULES_MAX_INT, FY_RULES_MAX_INT, &b->offset,
                            "a level")) != FY_OK)
            return rc;
        *next = i + 1;
        return FY_OK;
    }
    if (t->type != FY_TK_WORD)
        return expected(ps, i, "a level (an integer, or a symbol like H with an optional "
                        "+INT or -INT)");
    if (find_symbol(ps->th, t) < 0)
        return err_at(ps, t, "expected a level symbol declared by 'symbol' in this theory, "
                      "found '%.*s'", (int) t->len, t->s);
    if ((rc = tok_str(ps, &b->symbol, i)) != FY_OK)
        return rc;
    i++;
    if (tok(ps, i)->type == FY_TK_NUMBER && (tok(ps, i)->s[0] == '+' || tok(ps, i)->s[0] == '-'))
    {
        if ((rc = parse_int(ps, i, -FY_RULES_MAX_INT, FY_RULES_MAX_INT, &off, "an offset")) !=
            FY_OK)
            return rc;
        b->offset = off;
        i++;
    }
    else if (is_punct(ps, i, "+") || is_punct(ps, i, "-"))
    {
        int neg = is_punct(ps, i, "-");
        if ((rc = parse_int(ps, i + 1, 0, FY_RULES_MAX_INT, &off, "an offset")) != FY_OK)
            return rc;
        b->offset = neg ? -off : off;
        i += 2;
    }
    *next = i;
    return FY_OK;
}

/* Which attributes of a kind statement were given (each at most once). */
typedef struct
{
    int legs, valence, children, level, label, value, dot, tikz, arrows, desc;
} kind_seen;

/* "vertex|line|leg NAME": a new kind of class cls in the theory being read, with the defaults
 * (unbounded valence, children and legs; default arrows), in *out. */
static int kind_new(parser *ps, fy_kind_class_t cls, fy_kind_struct **out)
{
    fy_theory_struct *th = ps->th;
    const fy_tok *nt = tok(ps, 1);
    fy_kind_struct *k, *nk;
    char nm[256];

    if (nt->type != FY_TK_WORD)
        return expected(ps, 1, "a kind name");
    snprintf(nm, sizeof nm, "%.*s", (int) nt->len, nt->s);
    if (fy_theory_kind(th, cls, nm) != NULL)
    {
        const fy_kind_struct *o = fy_theory_kind(th, cls, nm);
        return err_at(ps, nt, "%s kind '%s' is already defined at line %d",
                      fy_kind_class_name(cls), nm, o->line);
    }
    nk = fy_realloc(th->kinds, (size_t) th->nkinds + 1, sizeof *nk, ps->err);
    if (nk == NULL)
        return FY_ENOMEM;
    th->kinds = nk;
    k = *out = th->kinds + th->nkinds++;
    memset(k, 0, sizeof *k);
    k->cls = cls;
    k->valence_max = FY_RULES_UNBOUNDED;
    k->children_max = FY_RULES_UNBOUNDED;
    k->legs_max = FY_RULES_UNBOUNDED;
    k->arrows = FY_ARROWS_DEFAULT;
    k->line = tok(ps, 0)->line;
    k->column = tok(ps, 0)->col;
    return tok_str(ps, &k->name, 1);
}

/* "level L" or "level L1..L2" after token *i (the word 'level'); *i is left after it. */
static int kind_level(parser *ps, fy_kind_struct *k, int *i)
{
    int rc;
    k->has_level = 1;
    if ((rc = parse_bound(ps, *i + 1, &k->level_min, i)) != FY_OK)
        return rc;
    if (is_punct(ps, *i, ".."))
    {
        if ((rc = parse_bound(ps, *i + 1, &k->level_max, i)) != FY_OK)
            return rc;
    }
    else
    {
        k->level_max.offset = k->level_min.offset;
        if (k->level_min.symbol != NULL &&
            (k->level_max.symbol = fy_strdup_err(k->level_min.symbol, ps->err)) == NULL)
            return FY_ENOMEM;
    }
    if (k->level_min.symbol == NULL && k->level_max.symbol == NULL &&
        k->level_max.offset < k->level_min.offset)
        return err_at(ps, tok(ps, *i - 1), "expected an upper level >= %ld", k->level_min.offset);
    return FY_OK;
}

/* The value after 'arrows' (token i + 1). */
static int kind_arrows(parser *ps, fy_kind_struct *k, int i)
{
    if (is_word(ps, i + 1, "none"))
        k->arrows = FY_ARROWS_NONE;
    else if (is_word(ps, i + 1, "one"))
        k->arrows = FY_ARROWS_ONE;
    else if (is_word(ps, i + 1, "per-derivative"))
        k->arrows = FY_ARROWS_PER_DERIVATIVE;
    else if (is_word(ps, i + 1, "per-level"))
        k->arrows = FY_ARROWS_PER_LEVEL;
    else
        return expected(ps, i + 1, "none, one, per-derivative or per-level");
    return FY_OK;
}

/* The attributes a kind of class cls takes, as listed in messages. */
static const char *kind_attribute_list(fy_kind_class_t cls)
{
    return cls == FY_KIND_VERTEX ? "valence, children, legs, level, label, value, dot, tikz, "
                                   "description"
           : cls == FY_KIND_LINE ? "label, value, dot, tikz, arrows, description"
                                 : "level, label, value, dot, tikz, arrows, description";
}

/* A quoted string attribute at token *i (label, dot, tikz, description): given once, checked
 * by check (may be NULL), stored in *dst; *i is left after it. */
static int kind_string(parser *ps, int *i, int *seen, const char *name, const char *what,
                       int (*check)(parser *, int), char **dst)
{
    int rc;
    if ((rc = once(ps, *i, seen, name)) != FY_OK ||
        (rc = expect_string(ps, *i + 1, what)) != FY_OK ||
        (check != NULL && (rc = check(ps, *i + 1)) != FY_OK) ||
        (rc = tok_str(ps, dst, *i + 1)) != FY_OK)
        return rc;
    *i += 2;
    return FY_OK;
}

/* One attribute of a kind at token *i, recorded in s; *i is left after it. */
static int kind_attribute(parser *ps, fy_kind_struct *k, kind_seen *s, int *i)
{
    fy_kind_class_t cls = k->cls;
    int rc;
    if (tok(ps, *i)->type != FY_TK_WORD)
    {
        char what[160];
        snprintf(what, sizeof what, "an attribute (%s)", kind_attribute_list(cls));
        return expected(ps, *i, what);
    }
    if (is_word(ps, *i, "valence") && cls == FY_KIND_VERTEX)
        return (rc = once(ps, *i, &s->valence, "valence")) != FY_OK
                   ? rc
                   : parse_range(ps, *i + 1, &k->valence_min, &k->valence_max, i);
    if (is_word(ps, *i, "children") && cls == FY_KIND_VERTEX)
        return (rc = once(ps, *i, &s->children, "children")) != FY_OK
                   ? rc
                   : parse_range(ps, *i + 1, &k->children_min, &k->children_max, i);
    if (is_word(ps, *i, "legs") && cls == FY_KIND_VERTEX)
        return (rc = once(ps, *i, &s->legs, "legs")) != FY_OK
                   ? rc
                   : parse_range(ps, *i + 1, &k->legs_min, &k->legs_max, i);
    if (is_word(ps, *i, "level") && cls != FY_KIND_LINE)
        return (rc = once(ps, *i, &s->level, "level")) != FY_OK ? rc : kind_level(ps, k, i);
    if (is_word(ps, *i, "label"))
    {
        if ((rc = kind_string(ps, i, &s->label, "label", "a quoted LaTeX label", check_label,
                              &k->label)) != FY_OK)
            return rc;
        k->label_given = 1;
        return FY_OK;
    }
    if (is_word(ps, *i, "value"))
    {
        const fy_tok *v = tok(ps, *i + 1);
        if ((rc = once(ps, *i, &s->value, "value")) != FY_OK)
            return rc;
        if (v->type != FY_TK_WORD && v->type != FY_TK_STRING)
            return expected(ps, *i + 1, "a value binding (a name or a quoted string)");
        if ((rc = tok_str(ps, &k->value, *i + 1)) != FY_OK)
            return rc;
        *i += 2;
        return FY_OK;
    }
    if (is_word(ps, *i, "dot"))
        return kind_string(ps, i, &s->dot, "dot", "a quoted DOT attribute list", check_dot,
                           &k->dot);
    if (is_word(ps, *i, "tikz"))
        return kind_string(ps, i, &s->tikz, "tikz", "a quoted TikZ style", check_tikz, &k->tikz);
    if (is_word(ps, *i, "arrows") && cls != FY_KIND_VERTEX)
    {
        if ((rc = once(ps, *i, &s->arrows, "arrows")) != FY_OK ||
            (rc = kind_arrows(ps, k, *i)) != FY_OK)
            return rc;
        *i += 2;
        return FY_OK;
    }
    if (is_word(ps, *i, "description"))
        return kind_string(ps, i, &s->desc, "description", "a quoted description", NULL,
                           &k->description);
    {
        char what[160];
        snprintf(what, sizeof what, "an attribute of a %s kind (%s)", fy_kind_class_name(cls),
                 kind_attribute_list(cls));
        return expected(ps, *i, what);
    }
}

/* "vertex|line|leg NAME ATTRIBUTES": the kind, its attributes, then the defaults of the
 * strings not given (the label is the name). */
static int parse_kind(parser *ps, fy_kind_class_t cls)
{
    fy_kind_struct *k = NULL;
    kind_seen s;
    int i = 2, rc;

    memset(&s, 0, sizeof s);
    if ((rc = kind_new(ps, cls, &k)) != FY_OK)
        return rc;
    while (!at_end(ps, i))
        if ((rc = kind_attribute(ps, k, &s, &i)) != FY_OK)
            return rc;
    if (k->valence_max != FY_RULES_UNBOUNDED && k->children_min > k->valence_max)
        return err_at(ps, tok(ps, 0), "children %d exceed the valence %d", k->children_min,
                      k->valence_max);
    if (k->label == NULL && (k->label = fy_strdup_err(k->name, ps->err)) == NULL)
        return FY_ENOMEM;
    if ((k->description == NULL && (k->description = fy_strdup_err("", ps->err)) == NULL) ||
        (k->value == NULL && (k->value = fy_strdup_err("", ps->err)) == NULL) ||
        (k->dot == NULL && (k->dot = fy_strdup_err("", ps->err)) == NULL) ||
        (k->tikz == NULL && (k->tikz = fy_strdup_err("", ps->err)) == NULL))
        return FY_ENOMEM;
    return FY_OK;
}

typedef struct
{
    int desc, gen, conv, sign, rooted;
} theory_seen;

static int theory_statement(parser *ps, theory_seen *seen)
{
    fy_theory_struct *th = ps->th;
    int rc;

    if (is_word(ps, 0, "vertex"))
        return parse_kind(ps, FY_KIND_VERTEX);
    if (is_word(ps, 0, "line"))
        return parse_kind(ps, FY_KIND_LINE);
    if (is_word(ps, 0, "leg"))
        return parse_kind(ps, FY_KIND_LEG);
    if (is_word(ps, 0, "description"))
    {
        if ((rc = once(ps, 0, &seen->desc, "description")) != FY_OK ||
            (rc = expect_string(ps, 1, "a quoted description")) != FY_OK ||
            (rc = tok_str(ps, &th->description, 1)) != FY_OK)
            return rc;
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "generator"))
    {
        if ((rc = once(ps, 0, &seen->gen, "generator")) != FY_OK)
            return rc;
        if (tok(ps, 1)->type != FY_TK_WORD)
            return expected(ps, 1, "a generator name (layered-trees, leg-splitting, ladders, "
                            "feynman-graphs)");
        if ((rc = tok_str(ps, &th->generator, 1)) != FY_OK)
            return rc;
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "convention"))
    {
        if ((rc = once(ps, 0, &seen->conv, "convention")) != FY_OK)
            return rc;
        if (!is_word(ps, 1, "factorial"))
            return expected(ps, 1, "'factorial'");
        if (is_word(ps, 2, "none"))
            th->factorial = 0;
        else if (is_word(ps, 2, "k!"))
            th->factorial = 1;
        else
            return expected(ps, 2, "'none' or 'k!'");
        return need_end(ps, 3);
    }
    if (is_word(ps, 0, "sign"))
    {
        if ((rc = once(ps, 0, &seen->sign, "sign")) != FY_OK)
            return rc;
        if (is_punct(ps, 1, "+"))
            th->sign = 1;
        else if (is_punct(ps, 1, "-"))
            th->sign = -1;
        else
            return expected(ps, 1, "'+' or '-'");
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "rooted"))
    {
        if ((rc = once(ps, 0, &seen->rooted, "rooted")) != FY_OK)
            return rc;
        if (is_word(ps, 1, "yes"))
            th->rooted = 1;
        else if (is_word(ps, 1, "no"))
            th->rooted = 0;
        else
            return expected(ps, 1, "'yes' or 'no'");
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "symbol"))
    {
        char **ns, **nd;
        if (tok(ps, 1)->type != FY_TK_WORD)
            return expected(ps, 1, "a symbol name (like H)");
        if (find_symbol(th, tok(ps, 1)) >= 0)
            return err_at(ps, tok(ps, 1), "symbol '%.*s' is already declared",
                          (int) tok(ps, 1)->len, tok(ps, 1)->s);
        ns = fy_realloc(th->symbols, (size_t) th->nsymbols + 1, sizeof *ns, ps->err);
        if (ns == NULL)
            return FY_ENOMEM;
        th->symbols = ns;
        nd = fy_realloc(th->symbol_descriptions, (size_t) th->nsymbols + 1, sizeof *nd, ps->err);
        if (nd == NULL)
            return FY_ENOMEM;
        th->symbol_descriptions = nd;
        ns[th->nsymbols] = NULL;
        nd[th->nsymbols] = NULL;
        th->nsymbols++;
        if ((rc = tok_str(ps, &ns[th->nsymbols - 1], 1)) != FY_OK)
            return rc;
        if (tok(ps, 2)->type == FY_TK_STRING)
        {
            if ((rc = tok_str(ps, &nd[th->nsymbols - 1], 2)) != FY_OK)
                return rc;
            return need_end(ps, 3);
        }
        if ((nd[th->nsymbols - 1] = fy_strdup_err("", ps->err)) == NULL)
            return FY_ENOMEM;
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "activation") || is_word(ps, 0, "theory"))
        return err_at(ps, tok(ps, 0), "expected 'end' to close theory %s (opened at line %d) "
                      "before '%.*s'", th->name, ps->th_tok.line, (int) tok(ps, 0)->len,
                      tok(ps, 0)->s);
    return expected(ps, 0, "a theory statement (description, generator, convention, sign, "
                    "rooted, symbol, vertex, line, leg, end)");
}

static int close_theory(parser *ps)
{
    fy_theory_struct *th = ps->th;
    int i, nv = 0, rc;
    if (th->generator == NULL)
        return err_at(ps, tok(ps, 0), "theory %s has no 'generator' statement (expected one "
                      "before 'end')", th->name);
    for (i = 0; i < th->nkinds; i++)
        nv += th->kinds[i].cls == FY_KIND_VERTEX;
    if (nv == 0)
        return err_at(ps, tok(ps, 0), "theory %s declares no vertex kind (expected at least one "
                      "'vertex' statement before 'end')", th->name);
    if (th->description == NULL && (th->description = fy_strdup_err("", ps->err)) == NULL)
        return FY_ENOMEM;
    if ((th->file = fy_strdup_err(ps->file, ps->err)) == NULL)
        return FY_ENOMEM;
    rc = fy_rules_push_theory(ps->out, th, ps->err);
    if (rc != FY_OK)
        return rc;
    free(th);
    ps->th = NULL;
    return FY_OK;
}

/* ---------------------------------------------------------------------- activations */

static int parse_expr_tok(parser *ps, int i, fy_rules_expr_struct **e, const char *var,
                          int functions, fy_activation_struct *a, int *used)
{
    fy_expr_ctx ctx;
    const fy_tok *t = tok(ps, i);
    ctx.file = ps->file;
    ctx.line = t->line;
    ctx.col = t->col + 1;
    ctx.var = var;
    ctx.functions = functions;
    ctx.polynomial = !functions;
    ctx.param_names = functions ? NULL : a->param_names;
    ctx.nparams = functions ? 0 : a->nparams;
    ctx.param_used = used;
    return fy_expr_parse(e, t->s, t->len, &ctx, ps->err);
}

static const fy_activation_struct *find_act(const fy_rules_struct *r, const fy_tok *t)
{
    int i;
    for (i = 0; i < r->nacts; i++)
        if (strlen(r->acts[i].name) == t->len && memcmp(r->acts[i].name, t->s, t->len) == 0)
            return r->acts + i;
    return NULL;
}

/* Where the parts of an activation statement are: token indices, -1 for an absent attribute. */
typedef struct
{
    int end;      /* the token after the definition, then after the last attribute */
    int nstrings; /* a cycle's functions, tokens 3 .. 3 + nstrings - 1 */
    int func;     /* the quoted function after 'function' */
    int at0;      /* the first value after 'at0' */
    int nat0;     /* how many values follow 'at0' */
    int params;   /* the word 'params' */
    int desc;     /* the quoted description */
    int ball;     /* the word 'ball-only' */
} act_parts;

/* "activation NAME": the name, new in this file, and where the statement is. */
static int act_name(parser *ps, fy_activation_struct *a)
{
    const fy_tok *nt = tok(ps, 1);
    int rc;
    if (nt->type != FY_TK_WORD)
        return expected(ps, 1, "an activation name");
    if (find_act(ps->out, nt) != NULL)
        return err_at(ps, nt, "activation '%.*s' is already defined at line %d", (int) nt->len,
                      nt->s, find_act(ps->out, nt)->line);
    if ((rc = tok_str(ps, &a->name, 1)) != FY_OK)
        return rc;
    a->line = tok(ps, 0)->line;
    a->column = tok(ps, 0)->col;
    if ((a->file = fy_strdup_err(ps->file, ps->err)) == NULL)
        return FY_ENOMEM;
    return FY_OK;
}

/* "antiderivative BASE": the closure BASE defined above, its polynomial, function and at0. */
static int act_antiderivative(parser *ps, fy_activation_struct *a)
{
    const fy_activation_struct *b;
    int rc;
    a->def = FY_ACT_ANTIDERIVATIVE;
    a->var = FY_ACT_VAR_BASE;
    if (tok(ps, 3)->type != FY_TK_WORD)
        return expected(ps, 3, "the name of a closure activation defined above");
    b = find_act(ps->out, tok(ps, 3));
    if (b == NULL || b->def != FY_ACT_CLOSURE)
        return err_at(ps, tok(ps, 3), "expected the name of a closure activation defined "
                      "above in this file, found '%.*s'%s", (int) tok(ps, 3)->len,
                      tok(ps, 3)->s, b == NULL ? "" : " (not a closure)");
    if ((rc = tok_str(ps, &a->base, 3)) != FY_OK)
        return rc;
    fmpq_poly_set(a->p, b->p);
    if (b->func != NULL && (a->base_func = fy_expr_copy(b->func)) == NULL)
        return fy_error_set(ps->err, FY_ENOMEM, "out of memory");
    a->base_has_at0 = b->has_at0;
    fmpq_set(a->base_at0, b->at0);
    return FY_OK;
}

/* The definition (token 2 on): its kind and operands; p->end is the token after it. */
static int act_definition(parser *ps, fy_activation_struct *a, act_parts *p)
{
    const int def_i = 2;
    int rc;
    p->end = 4;
    p->nstrings = 0;
    if (is_word(ps, def_i, "closure"))
    {
        a->def = FY_ACT_CLOSURE;
        a->var = FY_ACT_VAR_SIGMA;
        return expect_string(ps, 3, "a quoted polynomial in s (sigma' = p(s))");
    }
    if (is_word(ps, def_i, "polynomial"))
    {
        a->def = FY_ACT_POLYNOMIAL;
        a->var = FY_ACT_VAR_Z;
        return expect_string(ps, 3, "a quoted polynomial in z");
    }
    if (is_word(ps, def_i, "antiderivative"))
        return act_antiderivative(ps, a);
    if (is_word(ps, def_i, "cycle"))
    {
        a->def = FY_ACT_CYCLE;
        a->var = FY_ACT_VAR_NONE;
        for (p->end = 3; tok(ps, p->end)->type == FY_TK_STRING; p->end++)
            p->nstrings++;
        if (p->nstrings == 0)
            return expected(ps, 3, "quoted functions of z: sigma, sigma', ... (the cycle)");
        return FY_OK;
    }
    if (is_word(ps, def_i, "hermite"))
    {
        a->def = FY_ACT_HERMITE;
        a->var = FY_ACT_VAR_Z;
        if ((rc = expect_string(ps, 3, "a quoted constant A (sigma' = A exp(-z^2))")) != FY_OK)
            return rc;
        if ((rc = parse_expr_tok(ps, 3, &a->prefactor, NULL, 1, a, NULL)) != FY_OK ||
            (rc = tok_str(ps, &a->prefactor_source, 3)) != FY_OK)
            return rc;
        return FY_OK;
    }
    if (is_word(ps, def_i, "piecewise-linear"))
    {
        a->def = FY_ACT_PIECEWISE_LINEAR;
        a->var = FY_ACT_VAR_NONE;
        if ((rc = parse_rat(ps, 3, a->slope_neg, "the slope for z < 0")) != FY_OK ||
            (rc = parse_rat(ps, 4, a->slope_pos, "the slope for z > 0")) != FY_OK)
            return rc;
        p->end = 5;
        return FY_OK;
    }
    return expected(ps, def_i, "a definition (closure, polynomial, antiderivative, cycle, "
                    "hermite, piecewise-linear)");
}

/* The NAME=VALUE list after 'params' (token *i on); *i is left after it. */
static int act_params(parser *ps, fy_activation_struct *a, int *i)
{
    int rc;
    if (tok(ps, *i)->type != FY_TK_WORD || !is_punct(ps, *i + 1, "="))
        return expected(ps, *i, "NAME=VALUE");
    while (tok(ps, *i)->type == FY_TK_WORD && is_punct(ps, *i + 1, "="))
    {
        const fy_tok *t = tok(ps, *i);
        fmpq *nv;
        char **nn;
        int k;
        for (k = 0; k < a->nparams; k++)
            if (strlen(a->param_names[k]) == t->len &&
                memcmp(a->param_names[k], t->s, t->len) == 0)
                return err_at(ps, t, "parameter '%s' given twice", a->param_names[k]);
        if (t->len == 1 && t->s[0] == (a->def == FY_ACT_CLOSURE ? 's' : 'z'))
            return err_at(ps, t, "expected a parameter name other than the variable '%c'",
                          t->s[0]);
        nn = fy_realloc(a->param_names, (size_t) a->nparams + 1, sizeof *nn, ps->err);
        if (nn == NULL)
            return FY_ENOMEM;
        a->param_names = nn;
        nv = flint_realloc(a->param_values, ((size_t) a->nparams + 1) * sizeof(fmpq));
        a->param_values = nv;
        fmpq_init(a->param_values + a->nparams);
        a->param_names[a->nparams] = NULL;
        a->nparams++;
        if ((rc = tok_str(ps, &a->param_names[a->nparams - 1], *i)) != FY_OK ||
            (rc = parse_rat(ps, *i + 2, a->param_values + a->nparams - 1,
                            "a rational value")) != FY_OK)
            return rc;
        *i += 3;
    }
    return FY_OK;
}

/* One attribute at token *i (function, at0, params, description, ball-only), recorded in p;
 * *i is left after it. */
static int act_attribute(parser *ps, fy_activation_struct *a, act_parts *p, int *i)
{
    if (is_word(ps, *i, "function"))
    {
        if (p->func >= 0)
            return err_at(ps, tok(ps, *i), "'function' given twice");
        if (a->def == FY_ACT_POLYNOMIAL || a->def == FY_ACT_PIECEWISE_LINEAR ||
            a->def == FY_ACT_CYCLE)
            return err_at(ps, tok(ps, *i), "a %s activation takes no 'function' (its "
                          "definition gives the values)", fy_act_def_name(a->def));
        p->func = *i + 1;
        *i += 2;
        return expect_string(ps, p->func, "a quoted function of z");
    }
    if (is_word(ps, *i, "at0"))
    {
        if (p->at0 >= 0)
            return err_at(ps, tok(ps, *i), "'at0' given twice");
        if (a->def == FY_ACT_POLYNOMIAL || a->def == FY_ACT_PIECEWISE_LINEAR)
            return err_at(ps, tok(ps, *i), "a %s activation takes no 'at0' (its value at 0 "
                          "follows from the definition)", fy_act_def_name(a->def));
        p->at0 = *i + 1;
        for (*i = *i + 1; tok(ps, *i)->type == FY_TK_NUMBER; (*i)++)
            p->nat0++;
        if (p->nat0 == 0)
            return expected(ps, p->at0, "a rational number (sigma(0))");
        return FY_OK;
    }
    if (is_word(ps, *i, "params"))
    {
        if (p->params >= 0)
            return err_at(ps, tok(ps, *i), "'params' given twice");
        if (a->def != FY_ACT_POLYNOMIAL && a->def != FY_ACT_CLOSURE)
            return err_at(ps, tok(ps, *i), "only closure and polynomial activations take "
                          "'params'");
        p->params = (*i)++;
        return act_params(ps, a, i);
    }
    if (is_word(ps, *i, "description"))
    {
        if (p->desc >= 0)
            return err_at(ps, tok(ps, *i), "'description' given twice");
        p->desc = *i + 1;
        *i += 2;
        return expect_string(ps, p->desc, "a quoted description");
    }
    if (is_word(ps, *i, "ball-only"))
    {
        if (p->ball >= 0)
            return err_at(ps, tok(ps, *i), "'ball-only' given twice");
        p->ball = (*i)++;
        return FY_OK;
    }
    return expected(ps, *i, "an activation attribute (function, at0, params, description, "
                    "ball-only) or the end of the line");
}

/* The attributes after the definition, to the end of the line. */
static int act_attributes(parser *ps, fy_activation_struct *a, act_parts *p)
{
    int rc;
    p->func = p->at0 = p->params = p->desc = p->ball = -1;
    p->nat0 = 0;
    while (!at_end(ps, p->end))
        if ((rc = act_attribute(ps, a, p, &p->end)) != FY_OK)
            return rc;
    return FY_OK;
}

/* A closure's or a polynomial's polynomial (token 3), every parameter used. */
static int act_polynomial(parser *ps, fy_activation_struct *a, const act_parts *p)
{
    int k, rc, *used = calloc((size_t) a->nparams + 1, sizeof *used);
    if (used == NULL)
        return fy_error_set(ps->err, FY_ENOMEM, "out of memory");
    rc = parse_expr_tok(ps, 3, &a->poly_expr, a->def == FY_ACT_CLOSURE ? "s" : "z", 0, a, used);
    for (k = 0; rc == FY_OK && k < a->nparams; k++)
        if (!used[k])
        {
            /* point at the parameter's name after 'params' */
            int j = p->params + 1;
            while (j < ps->ntoks && !is_word(ps, j, a->param_names[k]))
                j += 3;
            rc = err_at(ps, tok(ps, j), "parameter '%s' is not used in the polynomial",
                        a->param_names[k]);
        }
    free(used);
    if (rc != FY_OK)
        return rc;
    if ((rc = tok_str(ps, &a->source, 3)) != FY_OK)
        return rc;
    rc = fy_expr_to_poly(a->p, a->poly_expr, a->param_values, ps->err);
    if (rc != FY_OK)
        return fy_error_prefix(ps->err, "%s:%d:%d: ", ps->file, tok(ps, 3)->line,
                               tok(ps, 3)->col);
    return FY_OK;
}

/* A cycle's functions (tokens 3 ..) and their values at 0 (one per function after 'at0'). */
static int act_cycle(parser *ps, fy_activation_struct *a, const act_parts *p)
{
    int k, rc, n = p->nstrings;
    if (fy_activation_cycle_alloc(a, n) != FY_OK)
        return fy_error_set(ps->err, FY_ENOMEM, "out of memory");
    for (k = 0; k < n; k++)
        if ((rc = parse_expr_tok(ps, 3 + k, &a->cycle[k], "z", 1, a, NULL)) != FY_OK ||
            (rc = tok_str(ps, &a->cycle_sources[k], 3 + k)) != FY_OK)
            return rc;
    if (p->at0 < 0)
        return err_at(ps, tok(ps, p->end), "expected 'at0' with the %d values of the cycle's "
                      "functions at 0", n);
    if (p->nat0 != n)
        return err_at(ps, tok(ps, p->at0 - 1), "expected %d values after at0 (one per function "
                      "of the cycle), found %d", n, p->nat0);
    for (k = 0; k < n; k++)
        if ((rc = parse_rat(ps, p->at0 + k, a->cycle_at0 + k, "a rational number")) != FY_OK)
            return rc;
    return FY_OK;
}

/* The value at 0 of any other activation: one number after 'at0', if given. */
static int act_at0(parser *ps, fy_activation_struct *a, const act_parts *p)
{
    int rc;
    if (p->at0 < 0)
        return FY_OK;
    if (p->nat0 != 1)
        return err_at(ps, tok(ps, p->at0 + 1), "expected one value after at0, found %d",
                      p->nat0);
    if ((rc = parse_rat(ps, p->at0, a->at0, "a rational number")) != FY_OK)
        return rc;
    a->has_at0 = 1;
    return FY_OK;
}

/* The function, ball-only, the description, then the whole activation validated. */
static int act_finish(parser *ps, fy_activation_struct *a, const act_parts *p)
{
    int rc;
    if (p->func >= 0)
    {
        if ((rc = parse_expr_tok(ps, p->func, &a->func, "z", 1, a, NULL)) != FY_OK ||
            (rc = tok_str(ps, &a->func_source, p->func)) != FY_OK)
            return rc;
    }
    if (p->ball >= 0)
    {
        if (p->at0 >= 0)
            return err_at(ps, tok(ps, p->ball), "a ball-only activation has no exact values: "
                          "expected no 'at0'");
        if (a->def == FY_ACT_POLYNOMIAL || a->def == FY_ACT_PIECEWISE_LINEAR)
            return err_at(ps, tok(ps, p->ball), "a %s activation is exact: expected no "
                          "'ball-only'", fy_act_def_name(a->def));
        a->ball_only = 1;
    }
    if (a->def == FY_ACT_HERMITE && !a->has_at0)
        a->ball_only = 1;
    if (p->desc >= 0)
    {
        if ((rc = tok_str(ps, &a->description, p->desc)) != FY_OK)
            return rc;
    }
    else if ((a->description = fy_strdup_err("", ps->err)) == NULL)
        return FY_ENOMEM;
    if (a->source == NULL && (a->source = fy_strdup_err("", ps->err)) == NULL)
        return FY_ENOMEM;
    rc = fy_activation_validate(a, ps->err);
    if (rc != FY_OK)
        return fy_error_prefix(ps->err, "%s:%d:%d: activation %s: ", ps->file, tok(ps, 2)->line,
                               tok(ps, 2)->col, a->name);
    return FY_OK;
}

/* "activation NAME DEFINITION ATTRIBUTES": read in named steps, each refusing what it cannot
 * take with FILE:LINE:COLUMN. */
static int parse_activation(parser *ps, fy_activation_struct *a)
{
    act_parts p;
    int rc;
    if ((rc = act_name(ps, a)) != FY_OK || (rc = act_definition(ps, a, &p)) != FY_OK ||
        (rc = act_attributes(ps, a, &p)) != FY_OK)
        return rc;
    if ((a->def == FY_ACT_CLOSURE || a->def == FY_ACT_POLYNOMIAL) &&
        (rc = act_polynomial(ps, a, &p)) != FY_OK)
        return rc;
    rc = a->def == FY_ACT_CYCLE ? act_cycle(ps, a, &p) : act_at0(ps, a, &p);
    if (rc != FY_OK)
        return rc;
    return act_finish(ps, a, &p);
}

/* --------------------------------------------------------------------------- driver */

static int statement(parser *ps, theory_seen *seen)
{
    int rc;
    if (!ps->seen_header)
    {
        long v;
        if (!is_word(ps, 0, "feynn-rules"))
            return expected(ps, 0, "'feynn-rules 1' as the first statement");
        if ((rc = parse_int(ps, 1, 0, 1000000, &v, "the format version 1")) != FY_OK)
            return rc;
        if (v != FY_RULES_FORMAT_VERSION)
            return err_at(ps, tok(ps, 1), "expected format version %d, found %ld (this feynn "
                          "reads version %d)", FY_RULES_FORMAT_VERSION, v,
                          FY_RULES_FORMAT_VERSION);
        ps->seen_header = 1;
        return need_end(ps, 2);
    }
    if (is_word(ps, 0, "end"))
    {
        if (ps->th == NULL)
            return err_at(ps, tok(ps, 0), "expected 'theory NAME' before 'end' (no theory is "
                          "open)");
        if ((rc = need_end(ps, 1)) != FY_OK)
            return rc;
        return close_theory(ps);
    }
    if (ps->th != NULL)
        return theory_statement(ps, seen);
    if (is_word(ps, 0, "theory"))
    {
        int i;
        if (tok(ps, 1)->type != FY_TK_WORD)
            return expected(ps, 1, "a theory name");
        for (i = 0; i < ps->out->ntheories; i++)
            if (strlen(ps->out->theories[i].name) == tok(ps, 1)->len &&
                memcmp(ps->out->theories[i].name, tok(ps, 1)->s, tok(ps, 1)->len) == 0)
                return err_at(ps, tok(ps, 1), "theory '%s' is already defined at line %d",
                              ps->out->theories[i].name, ps->out->theories[i].line);
        if ((rc = need_end(ps, 2)) != FY_OK)
            return rc;
        ps->th = fy_malloc(1, sizeof *ps->th, ps->err);
        if (ps->th == NULL)
            return FY_ENOMEM;
        fy_theory_init(ps->th);
        ps->th->line = tok(ps, 0)->line;
        ps->th_tok = *tok(ps, 0);
        memset(seen, 0, sizeof *seen);
        return tok_str(ps, &ps->th->name, 1);
    }
    if (is_word(ps, 0, "activation"))
    {
        fy_activation_struct *a = fy_malloc(1, sizeof *a, ps->err);
        if (a == NULL)
            return FY_ENOMEM;
        fy_activation_init(a);
        rc = parse_activation(ps, a);
        if (rc == FY_OK)
            rc = fy_rules_push_activation(ps->out, a, ps->err);
        else
            fy_activation_clear(a);
        free(a);
        return rc;
    }
    if (is_word(ps, 0, "vertex") || is_word(ps, 0, "line") || is_word(ps, 0, "leg") ||
        is_word(ps, 0, "generator") || is_word(ps, 0, "convention") || is_word(ps, 0, "sign") ||
        is_word(ps, 0, "symbol") || is_word(ps, 0, "rooted"))
        return err_at(ps, tok(ps, 0), "expected 'theory NAME' before '%.*s' (it belongs inside "
                      "a theory)", (int) tok(ps, 0)->len, tok(ps, 0)->s);
    return expected(ps, 0, "'theory' or 'activation'");
}

static int merge(fy_rules_t r, fy_rules_t local, const char *file, fy_error_t err)
{
    int i, j;
    for (i = 0; i < local->ntheories; i++)
        for (j = 0; j < r->ntheories; j++)
            if (strcmp(local->theories[i].name, r->theories[j].name) == 0)
                return fy_error_set(err, FY_EINPUT, "%s:%d:1: theory '%s' is already defined "
                                    "in %s:%d", file, local->theories[i].line,
                                    r->theories[j].name, r->theories[j].file,
                                    r->theories[j].line);
    for (i = 0; i < local->nacts; i++)
        for (j = 0; j < r->nacts; j++)
            if (strcmp(local->acts[i].name, r->acts[j].name) == 0)
                return fy_error_set(err, FY_EINPUT, "%s:%d:%d: activation '%s' is already "
                                    "defined in %s:%d", file, local->acts[i].line,
                                    local->acts[i].column, r->acts[j].name, r->acts[j].file,
                                    r->acts[j].line);
    for (i = 0; i < local->ntheories; i++)
    {
        if (fy_rules_push_theory(r, local->theories + i, err) != FY_OK)
            return FY_ENOMEM;
        fy_theory_init(local->theories + i);
    }
    for (i = 0; i < local->nacts; i++)
    {
        if (fy_rules_push_activation(r, local->acts + i, err) != FY_OK)
            return FY_ENOMEM;
        fy_activation_init(local->acts + i);
    }
    return FY_OK;
}

int fy_rules_parse(fy_rules_t r, const char *text, size_t len, const char *filename,
                   fy_error_t err)
{
    parser ps;
    fy_rules_t local;
    theory_seen seen;
    int rc = FY_OK;
    const char *file = filename ? filename : "<rules>";

    memset(&ps, 0, sizeof ps);
    memset(&seen, 0, sizeof seen);
    fy_lex_init(&ps.lx, text, len, file);
    ps.file = file;
    ps.err = err;
    fy_rules_init(local);
    ps.out = local;
    if (memchr(text, '\0', len) != NULL)
    {
        const char *z = memchr(text, '\0', len);
        int line = 1, col = 1;
        const char *p;
        for (p = text; p < z; p++)
        {
            if (*p == '\n')
            {
                line++;
                col = 1;
            }
            else
                col++;
        }
        rc = fy_rules_error_at(err, file, line, col, "unexpected NUL byte (rule files are "
                               "text)");
        goto done;
    }
    for (;;)
    {
        if ((rc = read_statement(&ps)) != FY_OK)
            break;
        if (ps.ntoks == 0)
        {
            if (!ps.seen_header)
                rc = fy_rules_error_at(err, file, ps.end.line, ps.end.col,
                                       "expected 'feynn-rules 1' as the first statement, found "
                                       "end of file");
            else if (ps.th != NULL)
                rc = fy_rules_error_at(err, file, ps.end.line, ps.end.col,
                                       "expected 'end' to close theory %s (opened at line %d), "
                                       "found end of file", ps.th->name, ps.th_tok.line);
            break;
        }
        if ((rc = statement(&ps, &seen)) != FY_OK)
            break;
    }
    if (rc == FY_OK)
        rc = merge(r, local, file, err);
done:
    if (ps.th != NULL)
    {
        fy_theory_clear(ps.th);
        free(ps.th);
    }
    free(ps.toks);
    fy_rules_clear(local);
    return rc;
}
