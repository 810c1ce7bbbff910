/* The one option parser of the feynn command: parse, check, --help and the man page from one
 * table per command.  See opt.h. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <flint/fmpq.h>

#include "cli/cli.h"
#include "cli/opt.h"

#define MSG(...) (snprintf(msg, size, __VA_ARGS__), 2)

static const char *const format_names[] = {"text", "json", "npy", "dot", "tikz", "latex", "csv"};
#define NFORMATS (sizeof format_names / sizeof format_names[0])

/* ------------------------------------------------------------------ the common options */

static const fy_opt_t opt_quiet = {
    .name = "quiet", .kind = FY_OPT_FLAG, .off = offsetof(fy_opt_state_struct, quiet),
    .help = "no progress bar and no progress lines on standard error"};
static const fy_opt_t opt_progress = {
    .name = "progress", .kind = FY_OPT_FLAG, .off = offsetof(fy_opt_state_struct, progress),
    .help = "a progress bar on standard error even when it is not a terminal (default: only "
            "on a terminal)"};
static const fy_opt_t opt_help = {
    .name = "help", .letter = 'h', .kind = FY_OPT_FLAG,
    .off = offsetof(fy_opt_state_struct, help), .help = "this help"};

/* --format of cmd: its formats and default, with the list as help unless cmd gives one. */
static fy_opt_t opt_format(const fy_opt_cmd_t *cmd, char *help, size_t n)
{
    fy_opt_t o = {.name = "format", .kind = FY_OPT_FORMAT, .arg = "F",
                  .off = offsetof(fy_opt_state_struct, format), .formats = cmd->formats};
    size_t i, k = 0, len = 0;
    for (i = 0; i < NFORMATS; i++)
        k += (cmd->formats >> i) & 1u;
    o.def = format_names[cmd->format_default];
    if (cmd->format_help != NULL)
    {
        o.help = cmd->format_help;
        return o;
    }
    len += (size_t) snprintf(help, n, "output format: ");
    for (i = 0; i < NFORMATS && len < n; i++)
        if ((cmd->formats >> i) & 1u)
        {
            k--;
            len += (size_t) snprintf(help + len, n - len, "%s%s", format_names[i],
                                     k == 0 ? "" : (k == 1 ? " or " : ", "));
        }
    o.help = help;
    return o;
}

/* The i-th option of cmd, the common ones after its own; NULL past the end.  *st_base says
 * whether the value goes to the parse state (common options) or to the command's struct. */
typedef struct
{
    const fy_opt_cmd_t *cmd;
    fy_opt_t format;
    char format_help[160];
} table_t;

static void table_init(table_t *t, const fy_opt_cmd_t *cmd)
{
    t->cmd = cmd;
    if (cmd->formats)
        t->format = opt_format(cmd, t->format_help, sizeof t->format_help);
}

static const fy_opt_t *table_get(const table_t *t, size_t i, int *common)
{
    const fy_opt_cmd_t *cmd = t->cmd;
    *common = i >= cmd->nopts;
    if (i < cmd->nopts)
        return &cmd->opts[i];
    i -= cmd->nopts;
    if (cmd->formats && i-- == 0)
        return &t->format;
    if ((cmd->common & FY_OPT_QUIET) && i < 2)
        return i == 0 ? &opt_quiet : &opt_progress;
    if (cmd->common & FY_OPT_QUIET)
        i -= 2;
    return i == 0 ? &opt_help : NULL;
}

/* ------------------------------------------------------------------ values */

static int parse_long(long *x, const char *s)
{
    char *end;
    errno = 0;
    *x = strtol(s, &end, 10);
    return !(errno || end == s || *end || s[0] == ' ' || s[0] == '\t');
}

static const char *kind_arg(const fy_opt_t *o)
{
    if (o->arg != NULL)
        return o->arg;
    switch (o->kind)
    {
    case FY_OPT_COUNT:
    case FY_OPT_INT:
        return "N";
    case FY_OPT_REAL:
        return "X";
    case FY_OPT_RATIONAL:
        return "Q";
    case FY_OPT_LIST:
        return "N,...";
    case FY_OPT_PATH:
        return "FILE";
    case FY_OPT_FORMAT:
        return "F";
    case FY_OPT_ARITH:
        return "A";
    case FY_OPT_CHOICE:
        return "WORD";
    default:
        return "S";
    }
}

/* "a, b or c" of the names in choices that are not aliases. */
static void choice_list(char *buf, size_t n, const fy_opt_t *o)
{
    size_t i, k = 0, len = 0, m = 0;
    for (i = 0; o->choices[i] != NULL; i++)
        m += o->alias == NULL || o->alias[i] == (int) i;
    buf[0] = '\0';
    for (i = 0; o->choices[i] != NULL && len < n; i++)
        if (o->alias == NULL || o->alias[i] == (int) i)
        {
            k++;
            len += (size_t) snprintf(buf + len, n - len, "%s%s", o->choices[i],
                                     k == m ? "" : (k + 1 == m ? " or " : ", "));
        }
}

static int range_msg(char *buf, size_t n, const fy_opt_t *o)
{
    int lo = !(o->flags & FY_OPT_NO_LO), hi = !(o->flags & FY_OPT_NO_HI);
    const char *gl = (o->flags & FY_OPT_OPEN_LO) ? ">" : ">=";
    const char *gh = (o->flags & FY_OPT_OPEN_HI) ? "<" : "<=";
    if (lo && hi)
        return snprintf(buf, n, "a number in %c%g, %g%c", (o->flags & FY_OPT_OPEN_LO) ? '(' : '[',
                        o->rlo, o->rhi, (o->flags & FY_OPT_OPEN_HI) ? ')' : ']');
    if (lo)
        return snprintf(buf, n, "a number %s %g", gl, o->rlo);
    if (hi)
        return snprintf(buf, n, "a number %s %g", gh, o->rhi);
    return snprintf(buf, n, "a number");
}

static int set_real(double *dst, const fy_opt_t *o, const char *v, char *msg, size_t size)
{
    char *end, what[96];
    double x;
    int below, above;
    errno = 0;
    x = strtod(v, &end);
    range_msg(what, sizeof what, o);
    if (end == v || *end || !isfinite(x) || v[0] == ' ')
        return MSG("--%s: expected %s, got '%s'", o->name, what, v);
    below = x < o->rlo || ((o->flags & FY_OPT_OPEN_LO) && x == o->rlo);
    above = x > o->rhi || ((o->flags & FY_OPT_OPEN_HI) && x == o->rhi);
    if ((!(o->flags & FY_OPT_NO_LO) && below) || (!(o->flags & FY_OPT_NO_HI) && above))
        return MSG("--%s: expected %s, got '%s'", o->name, what, v);
    *dst = x;
    return 0;
}

static int set_list(void *base, const fy_opt_t *o, const char *v, char *msg, size_t size)
{
    long *dst = (long *) ((char *) base + o->off);
    int n = 0;
    const char *p = v;
    char tok[64];
    while (1)
    {
        size_t len = strcspn(p, ",");
        long x;
        if (n >= o->max)
            return MSG("--%s: at most %d values, got '%s'", o->name, o->max, v);
        if (len == 0 || len >= sizeof tok)
            return MSG("--%s: expected a comma-separated list of integers in %ld..%ld, got '%s'",
                       o->name, o->lo, o->hi, v);
        memcpy(tok, p, len);
        tok[len] = '\0';
        if (!parse_long(&x, tok) || x < o->lo || x > o->hi)
            return MSG("--%s: expected integers in %ld..%ld, got '%s' in '%s'", o->name, o->lo,
                       o->hi, tok, v);
        dst[n++] = x;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *(int *) ((char *) base + o->off2) = n;
    return 0;
}

static int set_arith(fy_opt_arith_t *a, const fy_opt_t *o, const char *v, char *msg, size_t size)
{
    if (!strcmp(v, "double"))
        a->arith = FY_ARITH_DOUBLE;
    else if (!strcmp(v, "exact"))
        a->arith = FY_ARITH_EXACT;
    else if (!strncmp(v, "ball", 4) && (v[4] == '\0' || v[4] == ':'))
    {
        long bits = a->prec;
        if (v[4] == ':' && !parse_long(&bits, v + 5))
            return MSG("--%s: expected ball:BITS with BITS a number of bits in 16..1000000, "
                       "got '%s'", o->name, v);
        if (bits < 16 || bits > 1000000)
            return MSG("--%s: the ball precision %ld is outside 16..1000000 bits (in '%s')",
                       o->name, bits, v);
        a->arith = FY_ARITH_BALL;
        a->prec = bits;
    }
    else
        return MSG("--%s: expected exact, ball[:BITS] or double, got '%s'", o->name, v);
    return 0;
}

int fy_opt_value(void *base, const fy_opt_t *o, const char *v, char *msg, size_t size)
{
    char *dst = (char *) base + o->off, list[256];
    long x;
    size_t i;
    switch (o->kind)
    {
    case FY_OPT_FLAG:
        if (v != NULL)
            return MSG("option '--%s' takes no value, got '%s'", o->name, v);
        *(int *) dst = o->value ? o->value : 1;
        return 0;
    case FY_OPT_COUNT:
        if (!parse_long(&x, v) || x < 1)
            return MSG("--%s: expected a positive integer, got '%s'", o->name, v);
        if (o->hi > 0 && x > o->hi)
            return MSG("--%s: expected a positive integer up to %ld, got '%s'", o->name, o->hi, v);
        *(long *) dst = x;
        return 0;
    case FY_OPT_INT:
        if (!parse_long(&x, v) || x < o->lo || x > o->hi)
        {
            if (o->hi == LONG_MAX)
                return MSG("--%s: expected an integer >= %ld, got '%s'", o->name, o->lo, v);
            return MSG("--%s: expected an integer in %ld..%ld, got '%s'", o->name, o->lo, o->hi,
                       v);
        }
        *(long *) dst = x;
        return 0;
    case FY_OPT_REAL:
        return set_real((double *) dst, o, v, msg, size);
    case FY_OPT_RATIONAL:
    {
        fmpq_t q;
        fy_error_t err;
        int rc;
        fmpq_init(q);
        fy_error_init(err);
        rc = fy_fmpq_parse(q, v, err);
        fmpq_clear(q);
        if (rc != FY_OK)
            return MSG("--%s: expected an exact number (3, -3/2, 0.25, 1e-3), got '%s': %s",
                       o->name, v, err->msg);
        *(const char **) dst = v;
        return 0;
    }
    case FY_OPT_PATH:
        if (v[0] == '\0')
            return MSG("--%s: expected a file name, got an empty one", o->name);
        *(const char **) dst = v;
        return 0;
    case FY_OPT_STRING:
        *(const char **) dst = v;
        return 0;
    case FY_OPT_LIST:
        return set_list(base, o, v, msg, size);
    case FY_OPT_CHOICE:
        for (i = 0; o->choices[i] != NULL; i++)
            if (!strcmp(v, o->choices[i]))
            {
                *(int *) dst = o->alias ? o->alias[i] : (int) i;
                return 0;
            }
        choice_list(list, sizeof list, o);
        return MSG("--%s: expected %s, got '%s'", o->name, list, v);
    case FY_OPT_FORMAT:
    {
        fy_opt_t c = *o;
        const char *names[NFORMATS + 1];
        int alias[NFORMATS];
        size_t k = 0;
        for (i = 0; i < NFORMATS; i++)
            if (!strcmp(v, format_names[i]) && ((o->formats >> i) & 1u))
            {
                *(int *) dst = (int) i;
                return 0;
            }
        for (i = 0; i < NFORMATS; i++)
            if ((o->formats >> i) & 1u)
            {
                alias[k] = (int) k;
                names[k++] = format_names[i];
            }
        names[k] = NULL;
        c.choices = names;
        c.alias = alias;
        choice_list(list, sizeof list, &c);
        return MSG("--%s: expected %s (what this command writes), got '%s'", o->name, list, v);
    }
    case FY_OPT_ARITH:
        return set_arith((fy_opt_arith_t *) dst, o, v, msg, size);
    case FY_OPT_CALL:
        if (o->call(base, v, msg, size) != 0)
            return 2;
        return 0;
    }
    return MSG("--%s: unknown kind of option", o->name);
}

/* ------------------------------------------------------------------ parsing */

void fy_opt_state_init(fy_opt_state_t st)
{
    memset(st, 0, sizeof *st);
}

void fy_opt_state_clear(fy_opt_state_t st)
{
    free(st->operands);
    st->operands = NULL;
    st->noperands = 0;
}

int fy_opt_progress(const fy_opt_state_t st)
{
    return st->quiet ? 0 : (st->progress ? 1 : -1);
}

/* Edits (insert, delete, change, swap two neighbours) from a to b; 64 when either is long. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j, d[64][64];
    if (la >= 63 || lb >= 63)
        return 64;
    for (i = 0; i <= la; i++)
        d[i][0] = i;
    for (j = 0; j <= lb; j++)
        d[0][j] = j;
    for (i = 1; i <= la; i++)
        for (j = 1; j <= lb; j++)
        {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *fy_opt_suggest(const fy_opt_cmd_t *cmd, const char *given)
{
    table_t t;
    const fy_opt_t *o, *best = NULL;
    size_t i, d, bd = SIZE_MAX, len, lim;
    int common;
    char name[64];
    while (*given == '-')
        given++;
    len = strcspn(given, "=");
    if (len == 0 || len >= sizeof name)
        return NULL;
    memcpy(name, given, len);
    name[len] = '\0';
    lim = len / 3 > 1 ? len / 3 : 1;
    table_init(&t, cmd);
    for (i = 0; (o = table_get(&t, i, &common)) != NULL; i++)
        if ((d = edit_distance(name, o->name)) < bd)
        {
            bd = d;
            best = o;
        }
    return best != NULL && bd <= lim ? best->name : NULL;
}

static int usage_fail(const fy_opt_cmd_t *cmd, char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int usage_fail(const fy_opt_cmd_t *cmd, char *out, size_t out_size, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (out != NULL && out_size > 0)
        snprintf(out, out_size, "%s", msg);
    return fy_cli_usage_error(cmd->name, "%s", msg);
}

/* The option named by arg (after the dashes, up to '='): the exact name, else the one option
 * it is a prefix of.  NULL with *ambiguous set when several. */
static const fy_opt_t *find_long(const table_t *t, const char *name, size_t len, int *common,
                                 const fy_opt_t **other)
{
    const fy_opt_t *o, *hit = NULL;
    size_t i;
    int c, hc = 0;
    *other = NULL;
    for (i = 0; (o = table_get(t, i, &c)) != NULL; i++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
        {
            *common = c;
            return o;
        }
    for (i = 0; (o = table_get(t, i, &c)) != NULL; i++)
        if (strlen(o->name) > len && !strncmp(o->name, name, len))
        {
            if (hit != NULL && hit != o &&
                !(hit->kind == o->kind && hit->off == o->off && hit->value == o->value))
            {
                *other = o;
                return hit;
            }
            hit = o;
            hc = c;
        }
    *common = hc;
    return hit;
}

static const fy_opt_t *find_short(const table_t *t, int letter, int *common)
{
    const fy_opt_t *o;
    size_t i;
    for (i = 0; (o = table_get(t, i, common)) != NULL; i++)
        if (o->letter == letter)
            return o;
    return NULL;
}

static int store(fy_opt_state_t st, void *opts, const fy_opt_cmd_t *cmd, const fy_opt_t *o,
                 int common, const char *v, char *msg, size_t msg_size)
{
    char m[512];
    if (fy_opt_value(common ? (void *) st : opts, o, v, m, sizeof m) != 0)
        return usage_fail(cmd, msg, msg_size, "%s", m);
    if (!common && o->given)
        *(int *) ((char *) opts + o->given - 1) = 1;
    if (o == &opt_quiet)
        st->progress = 0;
    if (o == &opt_progress)
        st->quiet = 0;
    return 0;
}

/* One argument that starts with "--"; *i moves past a separate value. */
static int parse_long_opt(fy_opt_state_t st, void *opts, const table_t *t, int argc,
                          char **argv, int *i, char *msg, size_t msg_size)
{
    const fy_opt_cmd_t *cmd = t->cmd;
    const char *a = argv[*i] + 2, *eq = strchr(a, '='), *v = NULL, *s;
    size_t len = eq ? (size_t) (eq - a) : strlen(a);
    const fy_opt_t *o, *other;
    int common;
    o = find_long(t, a, len, &common, &other);
    if (o == NULL)
    {
        s = fy_opt_suggest(cmd, a);
        if (s != NULL)
            return usage_fail(cmd, msg, msg_size, "unknown option '--%.*s' (did you mean "
                              "'--%s'?)", (int) len, a, s);
        return usage_fail(cmd, msg, msg_size, "unknown option '--%.*s'", (int) len, a);
    }
    if (other != NULL)
        return usage_fail(cmd, msg, msg_size, "option '--%.*s' is ambiguous ('--%s', '--%s', "
                          "...)", (int) len, a, o->name, other->name);
    if (eq != NULL)
        v = eq + 1;
    else if (o->kind != FY_OPT_FLAG && !(o->flags & FY_OPT_TAKES_NO_VALUE))
    {
        if (*i + 1 >= argc)
            return usage_fail(cmd, msg, msg_size, "option '--%s' needs a value (%s)", o->name,
                              kind_arg(o));
        v = argv[++*i];
    }
    return store(st, opts, cmd, o, common, v, msg, msg_size);
}

static int parse_short_opt(fy_opt_state_t st, void *opts, const table_t *t, int argc,
                           char **argv, int *i, char *msg, size_t msg_size)
{
    const char *a = argv[*i] + 1;
    while (*a)
    {
        int common, rc;
        const fy_opt_t *o = find_short(t, (unsigned char) *a, &common);
        if (o == NULL)
            return usage_fail(t->cmd, msg, msg_size, "unknown option '-%c'", *a);
        if (o->kind == FY_OPT_FLAG || (o->flags & FY_OPT_TAKES_NO_VALUE))
        {
            if ((rc = store(st, opts, t->cmd, o, common, NULL, msg, msg_size)) != 0)
                return rc;
            if (st->help)
                return 0;
            a++;
            continue;
        }
        if (a[1] != '\0')
            return store(st, opts, t->cmd, o, common, a + 1, msg, msg_size);
        if (*i + 1 >= argc)
            return usage_fail(t->cmd, msg, msg_size, "option '-%c' needs a value (%s)", *a,
                              kind_arg(o));
        ++*i;
        return store(st, opts, t->cmd, o, common, argv[*i], msg, msg_size);
    }
    return 0;
}

/* Binary formats never go to a terminal (issue 10 item 18): --format npy with standard output
 * as the command's output (no -o, or -o -) is refused when standard output is a terminal. */
static int binary_tty(const fy_opt_state_t st, const void *opts, const fy_opt_cmd_t *cmd,
                      char *msg, size_t msg_size)
{
    size_t i;
    if (st->help || st->format != FY_FMT_NPY || !isatty(fileno(stdout)))
        return 0;
    for (i = 0; i < cmd->nopts; i++)
        if (cmd->opts[i].kind == FY_OPT_PATH && !strcmp(cmd->opts[i].name, "output"))
        {
            const char *out = *(const char *const *) ((const char *) opts + cmd->opts[i].off);
            if (out == NULL || !strcmp(out, "-"))
                return usage_fail(cmd, msg, msg_size, "--format npy writes binary data, which "
                                  "is not shown on a terminal; give -o FILE (or redirect "
                                  "standard output to a file or a pipe)");
        }
    return 0;
}

int fy_opt_parse(fy_opt_state_t st, void *opts, const fy_opt_cmd_t *cmd, int argc, char **argv,
                 char *msg, size_t msg_size)
{
    table_t t;
    int i, rc, only_operands = 0;
    fy_opt_state_clear(st);
    st->format = cmd->format_default;
    st->operands = calloc((size_t) (argc > 0 ? argc : 1), sizeof(char *));
    if (st->operands == NULL)
        return usage_fail(cmd, msg, msg_size, "out of memory");
    if (msg != NULL && msg_size > 0)
        msg[0] = '\0';
    table_init(&t, cmd);
    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];
        if (only_operands || a[0] != '-' || a[1] == '\0')
        {
            if (cmd->max_operands >= 0 && st->noperands >= cmd->max_operands)
                return usage_fail(cmd, msg, msg_size, "unexpected argument '%s'", a);
            st->operands[st->noperands++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--"))
        {
            only_operands = 1;
            continue;
        }
        if (a[1] == '-')
            rc = parse_long_opt(st, opts, &t, argc, argv, &i, msg, msg_size);
        else
            rc = parse_short_opt(st, opts, &t, argc, argv, &i, msg, msg_size);
        if (rc != 0)
            return rc;
        if (st->help)
            return 0;
    }
    return binary_tty(st, opts, cmd, msg, msg_size);
}

int fy_opt_start(fy_opt_state_t st, void *opts, const fy_opt_cmd_t *cmd, int argc, char **argv)
{
    int rc;
    fy_opt_state_init(st);
    rc = fy_opt_parse(st, opts, cmd, argc, argv, NULL, 0);
    if (rc == 0 && st->help)
        fy_opt_help(stdout, cmd, 0);
    if (rc != 0 || st->help)
    {
        fy_opt_state_clear(st);
        return rc;
    }
    return -1;
}

/* ------------------------------------------------------------------ help and man page */

/* "-o, --output FILE" or "--order N". */
static void opt_spec(char *buf, size_t n, const fy_opt_t *o)
{
    int k = 0;
    if (o->letter)
        k = snprintf(buf, n, "-%c, ", o->letter);
    if (o->kind == FY_OPT_FLAG || (o->flags & FY_OPT_TAKES_NO_VALUE))
        snprintf(buf + k, n - (size_t) k, "--%s", o->name);
    else
        snprintf(buf + k, n - (size_t) k, "--%s %s", o->name, kind_arg(o));
}

/* Writes text word-wrapped: the first line continues at column col, the others start with
 * indent spaces; lines end before width. */
static void wrap(FILE *fp, const char *text, int col, int indent, int width)
{
    const char *p = text;
    while (*p)
    {
        size_t w = strcspn(p, " \n");
        if (col > indent && col + 1 + (int) w > width)
        {
            fprintf(fp, "\n%*s", indent, "");
            col = indent;
        }
        else if (col > indent)
        {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, w, fp);
        col += (int) w;
        p += w;
        while (*p == ' ' || *p == '\n')
            p++;
    }
    fputc('\n', fp);
}

static void opt_help_text(char *buf, size_t n, const fy_opt_t *o)
{
    if (o->def != NULL)
        snprintf(buf, n, "%s (default %s)", o->help, o->def);
    else
        snprintf(buf, n, "%s", o->help);
}

void fy_opt_help(FILE *fp, const fy_opt_cmd_t *cmd, int width)
{
    table_t t;
    const fy_opt_t *o;
    const char *u = cmd->usage ? cmd->usage : "[options]";
    char spec[128], text[2048];
    size_t i, col = 0;
    int common;
    if (width <= 0)
        width = 79;
    table_init(&t, cmd);
    for (i = 0; *u || i == 0; i++)
    {
        size_t len = strcspn(u, "\n");
        fprintf(fp, "%s feynn %s%s%.*s\n", i == 0 ? "Usage:" : "      ", cmd->name,
                len ? " " : "", (int) len, u);
        u += len + (u[len] == '\n');
    }
    if (cmd->intro != NULL)
        fprintf(fp, "\n%s\n", cmd->intro);
    for (i = 0; (o = table_get(&t, i, &common)) != NULL; i++)
    {
        opt_spec(spec, sizeof spec, o);
        if (strlen(spec) + 4 > col)
            col = strlen(spec) + 4;
    }
    col = col > 26 ? 26 : col;
    fprintf(fp, "\nOptions:\n");
    for (i = 0; (o = table_get(&t, i, &common)) != NULL; i++)
    {
        opt_spec(spec, sizeof spec, o);
        opt_help_text(text, sizeof text, o);
        if (strlen(spec) + 4 > col)
        {
            fprintf(fp, "  %s\n%*s", spec, (int) col, "");
            wrap(fp, text, (int) col, (int) col, width);
        }
        else
        {
            fprintf(fp, "  %-*s", (int) col - 2, spec);
            wrap(fp, text, (int) col, (int) col, width);
        }
    }
    if (cmd->epilog != NULL)
        fprintf(fp, "\n%s", cmd->epilog);
}

/* roff text: backslashes and dashes escaped, a leading '.' or '\'' guarded. */
static void roff_text(FILE *fp, const char *s, int line_start)
{
    for (; *s; s++)
    {
        if (line_start && (*s == '.' || *s == '\''))
            fputs("\\&", fp);
        line_start = 0;
        if (*s == '\\')
            fputs("\\e", fp);
        else if (*s == '-')
            fputs("\\-", fp);
        else if (*s == '\n')
        {
            fputc('\n', fp);
            line_start = 1;
        }
        else
            fputc(*s, fp);
    }
}

/* roff paragraph wrapped before 90 columns (whole words; the escapes counted). */
static void roff_paragraph(FILE *fp, const char *text)
{
    char word[512];
    const char *p = text;
    int col = 0;
    while (*p)
    {
        size_t w = strcspn(p, " \n");
        int cost = 0;
        size_t j;
        if (w >= sizeof word)
            w = sizeof word - 1;
        memcpy(word, p, w);
        word[w] = '\0';
        for (j = 0; j < w; j++)
            cost += 1 + (word[j] == '-' || word[j] == '\\');
        if (col > 0 && col + 1 + cost > 90)
        {
            fputc('\n', fp);
            col = 0;
        }
        else if (col > 0)
        {
            fputc(' ', fp);
            col++;
        }
        roff_text(fp, word, col == 0);
        col += cost;
        p += w;
        while (*p == ' ' || *p == '\n')
            p++;
    }
    fputc('\n', fp);
}

void fy_opt_man(FILE *fp, const fy_opt_cmd_t *cmd)
{
    table_t t;
    const fy_opt_t *o;
    size_t i;
    int common;
    char text[2048];
    table_init(&t, cmd);
    fprintf(fp, ".RS\n");
    for (i = 0; (o = table_get(&t, i, &common)) != NULL; i++)
    {
        if (o == &opt_help)
            continue;
        fprintf(fp, ".TP\n");
        if (o->letter)
            fprintf(fp, "\\fB\\-%c\\fR, ", o->letter);
        fprintf(fp, "\\fB\\-\\-");
        roff_text(fp, o->name, 0);
        fprintf(fp, "\\fR");
        if (o->kind != FY_OPT_FLAG && !(o->flags & FY_OPT_TAKES_NO_VALUE))
        {
            fprintf(fp, " \\fI");
            roff_text(fp, kind_arg(o), 0);
            fprintf(fp, "\\fR");
        }
        fputc('\n', fp);
        if (o->def != NULL)
            snprintf(text, sizeof text, "%s (default %s).", o->help, o->def);
        else
            snprintf(text, sizeof text, "%s.", o->help);
        roff_paragraph(fp, text);
    }
    fprintf(fp, ".RE\n");
}

/* ------------------------------------------------------------------ the one dispatcher */

static const char *dispatch_noun(const fy_cli_dispatch_t *d)
{
    return d->noun != NULL ? d->noun : "command";
}

void fy_cli_dispatch_usage(FILE *fp, const fy_cli_dispatch_t *d)
{
    size_t i;
    fputs(d->head, fp);
    fprintf(fp, "\n%s\n", d->list_title != NULL ? d->list_title : "Commands:");
    for (i = 0; i < d->nsubs; i++)
        fprintf(fp, "  %-*s %s\n", d->width, d->subs[i].name, d->subs[i].summary);
    if (d->tail != NULL)
        fputs(d->tail, fp);
}

const char *fy_cli_dispatch_suggest(const fy_cli_dispatch_t *d, const char *given)
{
    const char *best = NULL, *prefix = NULL;
    size_t i, dist, bd = SIZE_MAX, len = strlen(given), lim = len / 3 > 1 ? len / 3 : 1;
    int nprefix = 0;
    if (len == 0)
        return NULL;
    for (i = 0; i < d->nsubs; i++)
    {
        const char *name = d->subs[i].name;
        if (strncmp(name, given, len) == 0 && nprefix++ == 0)
            prefix = name;
        if ((dist = edit_distance(given, name)) < bd)
        {
            bd = dist;
            best = name;
        }
    }
    if (nprefix == 1)
        return prefix;
    return best != NULL && bd <= lim ? best : NULL;
}

/* "feynn CMD: unknown command 'X' (did you mean 'Y'?)" or with the names; 2. */
static int dispatch_unknown(const fy_cli_dispatch_t *d, const char *who, const char *given)
{
    const char *s = given[0] == '-' ? NULL : fy_cli_dispatch_suggest(d, given);
    char names[512];
    size_t i, len = 0;
    fprintf(stderr, "feynn%s%s: ", who[0] ? " " : "", who);
    if (given[0] == '-')
        fprintf(stderr, "expected a %s before the options, got '%s'", dispatch_noun(d), given);
    else
        fprintf(stderr, "unknown %s '%s'", dispatch_noun(d), given);
    if (s != NULL)
        fprintf(stderr, " (did you mean '%s'?)\n", s);
    else
    {
        names[0] = '\0';
        for (i = 0; i < d->nsubs && len < sizeof names; i++)
            len += (size_t) snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                                     d->subs[i].name);
        fprintf(stderr, " (%s)\n", names);
    }
    fprintf(stderr, "Try 'feynn%s%s --help'.\n", d->name[0] ? " " : "", d->name);
    return 2;
}

static const fy_cli_command *dispatch_find(const fy_cli_dispatch_t *d, const char *name)
{
    size_t i;
    for (i = 0; i < d->nsubs; i++)
        if (strcmp(name, d->subs[i].name) == 0)
            return &d->subs[i];
    return NULL;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int fy_cli_dispatch(const fy_cli_dispatch_t *d, int argc, char **argv)
{
    const fy_cli_command *c;
    if (argc >= 2 && is_help(argv[1]))
    {
        fy_cli_dispatch_usage(stdout, d);
        if (d->fallback == NULL)
            return 0;
        fprintf(stdout, "\n%s\n\n", d->fallback_title);
        return d->fallback(argc, argv);
    }
    if (d->fallback != NULL && (argc < 2 || argv[1][0] == '-'))
        return d->fallback(argc, argv);
    if (argc < 2)
    {
        fy_cli_dispatch_usage(stderr, d);
        return 2;
    }
    if ((c = dispatch_find(d, argv[1])) != NULL)
        return c->run(argc - 1, argv + 1);
    return dispatch_unknown(d, d->name, argv[1]);
}

int fy_cli_dispatch_help(const fy_cli_dispatch_t *d, int argc, char **argv)
{
    const fy_cli_command *c;
    char help[] = "--help";
    char *sub[8];
    int j, n = 0;
    if (argc < 2 || is_help(argv[1]))
    {
        fy_cli_dispatch_usage(stdout, d);
        return 0;
    }
    if ((c = dispatch_find(d, argv[1])) == NULL)
        return dispatch_unknown(d, "help", argv[1]);
    if (argc > 7)
    {
        fprintf(stderr, "feynn help: too many words\nTry 'feynn --help'.\n");
        return 2;
    }
    for (j = 1; j < argc; j++)
        sub[n++] = argv[j];
    sub[n++] = help;
    sub[n] = NULL;
    return c->run(n, sub);
}
