/* The command's one option parser (src/cli/opt.c): every kind parsed and refused with its
 * message, ranges at and beyond their ends, the argv forms (--o=v, --o v, -o v, -ov, prefixes,
 * --, operands anywhere), unknown options with a suggestion, and the help text and man-page
 * block generated from a table, checked against the table itself; the one sub-command
 * dispatcher (the name run with its argv, refusals, the nearest name, help, the fallback). */
#include "testutil.h"

#include <limits.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"

typedef struct
{
    int flag, choice, no_thing, flag_given, order_given;
    long count, order, orbit, list[4];
    int nlist;
    double real, open_real, any_real;
    const char *rational, *string, *path;
    fy_opt_arith_t arith;
    int called;
} t_args;

static int call_even(void *opts, const char *v, char *msg, size_t size)
{
    t_args *a = opts;
    if (strlen(v) % 2 != 0)
    {
        snprintf(msg, size, "--even: expected an even number of letters, got '%s'", v);
        return 1;
    }
    a->called = (int) strlen(v);
    return 0;
}

static const char *const colours[] = {"red", "green", "vert", NULL};
static const int colour_alias[] = {0, 1, 1};

#define A(f) offsetof(t_args, f)
static const fy_opt_t t_opts[] = {
    {.name = "flag", .kind = FY_OPT_FLAG, .off = A(flag), .given = FY_OPT_GIVEN(t_args,
     flag_given), .help = "a flag"},
    {.name = "no-thing", .kind = FY_OPT_FLAG, .off = A(no_thing), .value = 7,
     .help = "a flag storing 7"},
    {.name = "count", .letter = 'c', .kind = FY_OPT_COUNT, .off = A(count), .hi = 100,
     .def = "3", .help = "a count up to 100"},
    {.name = "order", .kind = FY_OPT_INT, .arg = "K", .off = A(order), .lo = -2, .hi = 64,
     .given = FY_OPT_GIVEN(t_args, order_given), .help = "an integer in -2..64"},
    {.name = "orbit", .kind = FY_OPT_INT, .off = A(orbit), .lo = 0, .hi = LONG_MAX,
     .help = "an integer >= 0"},
    {.name = "flag-alias", .kind = FY_OPT_FLAG, .off = A(flag), .help = "the same as --flag"},
    {.name = "real", .kind = FY_OPT_REAL, .off = A(real), .rlo = 0, .rhi = 1,
     .help = "a number in [0, 1]"},
    {.name = "open", .kind = FY_OPT_REAL, .off = A(open_real), .rlo = 0,
     .flags = FY_OPT_OPEN_LO | FY_OPT_NO_HI, .help = "a number > 0"},
    {.name = "any", .kind = FY_OPT_REAL, .off = A(any_real), .flags = FY_OPT_NO_LO | FY_OPT_NO_HI,
     .help = "any finite number"},
    {.name = "rational", .kind = FY_OPT_RATIONAL, .off = A(rational), .help = "an exact number"},
    {.name = "string", .kind = FY_OPT_STRING, .arg = "TEXT", .off = A(string),
     .help = "any text"},
    {.name = "list", .kind = FY_OPT_LIST, .off = A(list), .off2 = A(nlist), .lo = 1, .hi = 9,
     .max = 4, .help = "up to 4 integers in 1..9"},
    {.name = "colour", .kind = FY_OPT_CHOICE, .arg = "C", .off = A(choice), .choices = colours,
     .alias = colour_alias, .def = "red", .help = "red or green"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .off = A(path),
     .help = "a file name that is long enough to be wrapped over more than one line of the "
             "help text, which the printer does at word boundaries before column 79"},
    {.name = "arith", .kind = FY_OPT_ARITH, .off = A(arith), .def = "exact",
     .help = "the arithmetic"},
    {.name = "even", .kind = FY_OPT_CALL, .arg = "WORD", .call = call_even,
     .help = "a word of even length"},
};
#undef A

static const fy_opt_cmd_t t_cmd = {
    .name = "test sub",
    .usage = "FILE [options]\nFILE FILE",
    .intro = "A command for the tests.",
    .epilog = "Exit status: 0.\n",
    .opts = t_opts,
    .nopts = FY_OPT_N(t_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV),
    .format_default = FY_FMT_JSON,
    .common = FY_OPT_QUIET,
    .max_operands = 2,
};

static void defaults(t_args *a)
{
    memset(a, 0, sizeof *a);
    a->count = 3;
    a->order = -1;
    a->arith.arith = FY_ARITH_EXACT;
    a->arith.prec = 128;
}

/* Parses the words of line (separated by single blanks) after a command name; returns the
 * status, message in msg. */
static int parse_line(fy_opt_state_t st, t_args *a, const char *line, char *msg, size_t n)
{
    static char buf[1024];
    char *argv[64], *p;
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    argv[argc++] = (char *) "sub";
    for (p = strtok(buf, " "); p != NULL && argc < 63; p = strtok(NULL, " "))
        argv[argc++] = p;
    argv[argc] = NULL;
    defaults(a);
    fy_opt_state_init(st);
    return fy_opt_parse(st, a, &t_cmd, argc, argv, msg, n);
}

/* A refusal: status 2 and exactly the message expected. */
static void refused(const char *line, const char *expected)
{
    fy_opt_state_t st;
    t_args a;
    char msg[512];
    int rc = parse_line(st, &a, line, msg, sizeof msg);
    if (rc != 2 || strcmp(msg, expected) != 0)
        print_message("line '%s': status %d, message '%s', expected '%s'\n", line, rc, msg,
                      expected);
    assert_int_equal(rc, 2);
    assert_string_equal(msg, expected);
    fy_opt_state_clear(st);
}

static void test_kinds_accepted(void **state)
{
    fy_opt_state_t st;
    t_args a;
    char msg[512];
    (void) state;
    assert_int_equal(parse_line(st, &a, "--flag --no-thing --count 7 --order=-2 --real 1 "
                                        "--open 1e-300 --any -5.5 --rational -3/2 --string x=y "
                                        "--list 1,9,3 --colour vert -o out.txt "
                                        "--arith ball:64 --even abcd --format csv",
                                msg, sizeof msg),
                     0);
    assert_int_equal(a.flag, 1);
    assert_int_equal(a.flag_given, 1);
    assert_int_equal(a.no_thing, 7);
    assert_int_equal(a.count, 7);
    assert_int_equal(a.order, -2);
    assert_int_equal(a.order_given, 1);
    assert_true(a.real == 1.0);
    assert_true(a.open_real == 1e-300);
    assert_true(a.any_real == -5.5);
    assert_string_equal(a.rational, "-3/2");
    assert_string_equal(a.string, "x=y");
    assert_int_equal(a.nlist, 3);
    assert_int_equal(a.list[0], 1);
    assert_int_equal(a.list[1], 9);
    assert_int_equal(a.list[2], 3);
    assert_int_equal(a.choice, 1); /* vert is an alias of green */
    assert_string_equal(a.path, "out.txt");
    assert_int_equal(a.arith.arith, FY_ARITH_BALL);
    assert_int_equal(a.arith.prec, 64);
    assert_int_equal(a.called, 4);
    assert_int_equal(st->format, FY_FMT_CSV);
    assert_int_equal(st->noperands, 0);
    fy_opt_state_clear(st);

    /* defaults stay when nothing is given; the format's default is the command's */
    assert_int_equal(parse_line(st, &a, "file", msg, sizeof msg), 0);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.order, -1);
    assert_int_equal(a.flag_given, 0);
    assert_int_equal(a.order_given, 0);
    assert_int_equal(a.arith.prec, 128);
    assert_int_equal(st->format, FY_FMT_JSON);
    assert_int_equal(st->noperands, 1);
    assert_string_equal(st->operands[0], "file");
    fy_opt_state_clear(st);

    /* the ends of the ranges are accepted */
    assert_int_equal(parse_line(st, &a, "--count 100 --order 64 --real 0 --arith ball:16",
                                msg, sizeof msg), 0);
    assert_int_equal(a.count, 100);
    assert_int_equal(a.order, 64);
    assert_true(a.real == 0.0);
    fy_opt_state_clear(st);
    assert_int_equal(parse_line(st, &a, "--arith ball:1000000 --arith double", msg, sizeof msg),
                     0);
    assert_int_equal(a.arith.arith, FY_ARITH_DOUBLE);
    assert_int_equal(a.arith.prec, 1000000);
    fy_opt_state_clear(st);
}

static void test_kinds_refused(void **state)
{
    (void) state;
    refused("--count abc", "--count: expected a positive integer, got 'abc'");
    refused("--count 0", "--count: expected a positive integer, got '0'");
    refused("--count -3", "--count: expected a positive integer, got '-3'");
    refused("--count 101", "--count: expected a positive integer up to 100, got '101'");
    refused("--count 3x", "--count: expected a positive integer, got '3x'");
    refused("--count 99999999999999999999999",
            "--count: expected a positive integer, got '99999999999999999999999'");
    refused("--order 65", "--order: expected an integer in -2..64, got '65'");
    refused("--order -3", "--order: expected an integer in -2..64, got '-3'");
    refused("--order 1.5", "--order: expected an integer in -2..64, got '1.5'");
    refused("--orbit -1", "--orbit: expected an integer >= 0, got '-1'");
    refused("--real 1.0000001", "--real: expected a number in [0, 1], got '1.0000001'");
    refused("--real -0.1", "--real: expected a number in [0, 1], got '-0.1'");
    refused("--real nan", "--real: expected a number in [0, 1], got 'nan'");
    refused("--open 0", "--open: expected a number > 0, got '0'");
    refused("--any inf", "--any: expected a number, got 'inf'");
    refused("--any 1e999", "--any: expected a number, got '1e999'");
    refused("--list 1,,2", "--list: expected a comma-separated list of integers in 1..9, got "
                           "'1,,2'");
    refused("--list 1,10", "--list: expected integers in 1..9, got '10' in '1,10'");
    refused("--list 1,2,3,4,5", "--list: at most 4 values, got '1,2,3,4,5'");
    refused("--colour blue", "--colour: expected red or green, got 'blue'");
    refused("--format dot", "--format: expected text, json or csv (what this command writes), "
                            "got 'dot'");
    refused("--arith quad", "--arith: expected exact, ball[:BITS] or double, got 'quad'");
    refused("--arith ball:abc", "--arith: expected ball:BITS with BITS a number of bits in "
                                "16..1000000, got 'ball:abc'");
    refused("--arith ball:15", "--arith: the ball precision 15 is outside 16..1000000 bits (in "
                               "'ball:15')");
    refused("--even abc", "--even: expected an even number of letters, got 'abc'");
    refused("--output=", "--output: expected a file name, got an empty one");
}

static void test_rational(void **state)
{
    fy_opt_state_t st;
    t_args a;
    char msg[512];
    (void) state;
    /* what fy_fmpq_parse reads is accepted, the rest refused with its column */
    assert_int_equal(parse_line(st, &a, "--rational 2.5e-3", msg, sizeof msg), 0);
    fy_opt_state_clear(st);
    assert_int_equal(parse_line(st, &a, "--rational 1/0", msg, sizeof msg), 2);
    assert_non_null(strstr(msg, "--rational: expected an exact number"));
    assert_non_null(strstr(msg, "got '1/0'"));
    fy_opt_state_clear(st);
    assert_int_equal(parse_line(st, &a, "--rational 1/3x", msg, sizeof msg), 2);
    assert_non_null(strstr(msg, "got '1/3x'"));
    fy_opt_state_clear(st);
}

static void test_argv_forms(void **state)
{
    fy_opt_state_t st;
    t_args a;
    char msg[512];
    (void) state;
    /* -c VALUE, -cVALUE, --count=VALUE, prefixes, operands anywhere, -- */
    assert_int_equal(parse_line(st, &a, "x -c 5 --str=a -oFILE --cou=9 -- --flag", msg,
                                sizeof msg), 0);
    assert_int_equal(a.count, 9);
    assert_string_equal(a.string, "a");
    assert_string_equal(a.path, "FILE");
    assert_int_equal(a.flag, 0);
    assert_int_equal(st->noperands, 2);
    assert_string_equal(st->operands[0], "x");
    assert_string_equal(st->operands[1], "--flag");
    fy_opt_state_clear(st);
    /* "-" alone is an operand (standard input); a value may start with a dash */
    assert_int_equal(parse_line(st, &a, "- --string -x", msg, sizeof msg), 0);
    assert_string_equal(st->operands[0], "-");
    assert_string_equal(a.string, "-x");
    fy_opt_state_clear(st);
    /* --quiet and --progress: the last one counts */
    assert_int_equal(parse_line(st, &a, "--quiet", msg, sizeof msg), 0);
    assert_int_equal(fy_opt_progress(st), 0);
    fy_opt_state_clear(st);
    assert_int_equal(parse_line(st, &a, "--quiet --progress", msg, sizeof msg), 0);
    assert_int_equal(fy_opt_progress(st), 1);
    fy_opt_state_clear(st);
    assert_int_equal(parse_line(st, &a, "", msg, sizeof msg), 0);
    assert_int_equal(fy_opt_progress(st), -1);
    fy_opt_state_clear(st);
    /* --help stops the parse (what follows is not read) */
    assert_int_equal(parse_line(st, &a, "--flag -h --count abc", msg, sizeof msg), 0);
    assert_int_equal(st->help, 1);
    fy_opt_state_clear(st);

    refused("--ordr 3", "unknown option '--ordr' (did you mean '--order'?)");
    refused("--frmat=json", "unknown option '--frmat' (did you mean '--format'?)");
    refused("--zzzzzz", "unknown option '--zzzzzz'");
    refused("-x", "unknown option '-x'");
    refused("--or 3", "option '--or' is ambiguous ('--order', '--orbit', ...)");
    /* a prefix of two names for the same thing is no ambiguity (--labelled, --labeled) */
    assert_int_equal(parse_line(st, &a, "--fla", msg, sizeof msg), 0);
    assert_int_equal(a.flag, 1);
    fy_opt_state_clear(st);
    refused("--count", "option '--count' needs a value (N)");
    refused("-c", "option '-c' needs a value (N)");
    refused("--flag=1", "option '--flag' takes no value, got '1'");
    refused("a b c", "unexpected argument 'c'");
}

static void test_suggest(void **state)
{
    (void) state;
    assert_string_equal(fy_opt_suggest(&t_cmd, "--lsit"), "list"); /* a swap is one edit */
    assert_string_equal(fy_opt_suggest(&t_cmd, "--quite"), "quiet");
    assert_string_equal(fy_opt_suggest(&t_cmd, "colur=red"), "colour");
    assert_null(fy_opt_suggest(&t_cmd, "--banana"));
}

/* Reads what fn printed into a string (static buffer). */
static const char *capture(void (*fn)(FILE *, const fy_opt_cmd_t *))
{
    static char buf[16384];
    FILE *fp = tmpfile();
    size_t n;
    assert_non_null(fp);
    fn(fp, &t_cmd);
    rewind(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void help79(FILE *fp, const fy_opt_cmd_t *cmd)
{
    fy_opt_help(fp, cmd, 79);
}

/* The line of text that starts (after blanks) with start. */
static const char *line_of(const char *text, const char *start, char *out, size_t n)
{
    const char *p = text;
    while (p && *p)
    {
        const char *s = p + strspn(p, " "), *e = strchr(p, '\n');
        size_t len = e ? (size_t) (e - p) : strlen(p);
        if (strncmp(s, start, strlen(start)) == 0)
        {
            snprintf(out, n, "%.*s", (int) len, p);
            return out;
        }
        p = e ? e + 1 : NULL;
    }
    return NULL;
}

static void test_help(void **state)
{
    const char *h = capture(help79);
    char spec[128], line[512];
    const char *p;
    size_t i, col = 0;
    (void) state;
    assert_non_null(strstr(h, "Usage: feynn test sub FILE [options]\n"
                              "       feynn test sub FILE FILE\n"));
    assert_non_null(strstr(h, "\nA command for the tests.\n"));
    assert_non_null(strstr(h, "Exit status: 0.\n"));
    /* every option of the table, and the common ones, at the start of a line with its value
     * name; its help starts in one column for all of them */
    for (i = 0; i <= t_cmd.nopts + 3; i++)
    {
        const fy_opt_t *o = i < t_cmd.nopts ? &t_opts[i] : NULL;
        const char *name = o ? o->name : (const char *[]){"format", "quiet", "progress",
                                                          "help"}[i - t_cmd.nopts];
        size_t c;
        int letter = o ? o->letter : (i == t_cmd.nopts + 3 ? 'h' : 0);
        if (letter)
            snprintf(spec, sizeof spec, "-%c, --%s", letter, name);
        else
            snprintf(spec, sizeof spec, "--%s", name);
        assert_non_null(line_of(h, spec, line, sizeof line));
        if (o && o->kind != FY_OPT_FLAG)
            assert_int_equal(line[2 + strlen(spec)], ' ');
        /* the help column: the first non-blank after two blanks past the spec */
        p = strstr(line + 2, "  ");
        assert_non_null(p);
        c = (size_t) (p - line) + strspn(p, " ");
        if (col == 0)
            col = c;
        assert_int_equal(c, col);
    }
    /* the defaults are shown, the format's list and default from the command */
    assert_non_null(strstr(h, "a count up to 100 (default 3)"));
    assert_non_null(strstr(h, "red or green (default red)"));
    assert_non_null(strstr(h, "output format: text, json or csv (default json)"));
    assert_non_null(strstr(h, "--order K"));
    assert_non_null(strstr(h, "--arith A"));
    /* the long help is wrapped: no line reaches column 80, continuation lines at col */
    for (p = h; *p;)
    {
        size_t len = strcspn(p, "\n");
        assert_true(len <= 79);
        p += len + (p[len] == '\n');
    }
    assert_non_null(line_of(h, "-o, --output FILE", line, sizeof line));
    p = strstr(h, line) + strlen(line) + 1;
    assert_int_equal(strspn(p, " "), col);
}

static void test_man(void **state)
{
    const char *m = capture(fy_opt_man);
    char want[256];
    size_t i, tp = 0;
    const char *p;
    (void) state;
    assert_int_equal(strncmp(m, ".RS\n", 4), 0);
    assert_non_null(strstr(m, "\n.RE\n"));
    for (p = m; (p = strstr(p, "\n.TP\n")) != NULL; p++)
        tp++;
    /* one .TP per option of the table plus --format, --quiet, --progress (not --help) */
    assert_int_equal(tp, t_cmd.nopts + 3);
    for (i = 0; i < t_cmd.nopts; i++)
    {
        const fy_opt_t *o = &t_opts[i];
        char name[64];
        size_t j, k = 0;
        for (j = 0; o->name[j] && k + 3 < sizeof name; j++)
        {
            if (o->name[j] == '-')
                name[k++] = '\\';
            name[k++] = o->name[j];
        }
        name[k] = '\0';
        snprintf(want, sizeof want, "\\fB\\-\\-%s\\fR", name);
        assert_non_null(strstr(m, want));
    }
    assert_non_null(strstr(m, "\\fB\\-c\\fR, \\fB\\-\\-count\\fR \\fIN\\fR\n"
                              "a count up to 100 (default 3).\n"));
    assert_non_null(strstr(m, "\\fB\\-\\-order\\fR \\fIK\\fR\nan integer in \\-2..64.\n"));
    assert_non_null(strstr(m, "\\fB\\-\\-flag\\fR\na flag.\n"));
    assert_non_null(strstr(m, "\\fB\\-\\-quiet\\fR\n"));
    assert_null(strstr(m, "\\-\\-help"));
    /* no unescaped dash and no line that roff would take as a request */
    for (p = m; *p; p++)
    {
        if (*p == '-')
            assert_true(p > m && p[-1] == '\\');
        if (p == m || p[-1] == '\n')
            assert_true(*p != '\'' && (*p != '.' || !strncmp(p, ".TP\n", 4) ||
                                       !strncmp(p, ".RS\n", 4) || !strncmp(p, ".RE\n", 4)));
    }
}

/* ------------------------------------------------------------------ the dispatcher */

static int seen_argc;
static char seen_argv[8][32];

static int record(int argc, char **argv, int status)
{
    int i;
    seen_argc = argc;
    for (i = 0; i < argc && i < 8; i++)
        snprintf(seen_argv[i], sizeof seen_argv[i], "%s", argv[i]);
    return status;
}

static int run_kernel(int argc, char **argv)
{
    return record(argc, argv, 7);
}

static int run_other(int argc, char **argv)
{
    return record(argc, argv, 1);
}

static int run_fallback(int argc, char **argv)
{
    return record(argc, argv, 5);
}

static const fy_cli_command t_subs[] = {
    {"kernel", "the kernel", run_kernel},
    {"correlators", "the correlators", run_other},
    {"couplings", "the couplings", run_other},
    {"sample", "a sample", run_other},
};
static const fy_cli_dispatch_t t_disp = {
    .name = "nnft", .head = "Usage: feynn nnft COMMAND\n", .tail = "\nEnd.\n", .width = 12,
    .subs = t_subs, .nsubs = 4};
static const fy_cli_dispatch_t t_disp_fb = {
    .name = "demo", .noun = "experiment", .head = "Usage: feynn demo\n", .width = 12,
    .subs = t_subs, .nsubs = 4, .fallback = run_fallback, .fallback_title = "Default:"};

static void test_dispatch_suggest(void **state)
{
    (void) state;
    assert_string_equal(fy_cli_dispatch_suggest(&t_disp, "kernl"), "kernel");
    assert_string_equal(fy_cli_dispatch_suggest(&t_disp, "smaple"), "sample"); /* a swap */
    assert_string_equal(fy_cli_dispatch_suggest(&t_disp, "corr"), "correlators"); /* prefix */
    assert_null(fy_cli_dispatch_suggest(&t_disp, "co")); /* a prefix of two, far from both */
    assert_null(fy_cli_dispatch_suggest(&t_disp, "banana"));
    assert_null(fy_cli_dispatch_suggest(&t_disp, ""));
}

static void test_dispatch_run(void **state)
{
    char w0[] = "nnft", w1[] = "kernel", w2[] = "x.spec", w3[] = "--digits=3", help[] = "--help",
         bad[] = "kernl", opt[] = "--zzz";
    char *argv[] = {w0, w1, w2, w3, NULL};
    char *hv[] = {w0, help, NULL}, *bv[] = {w0, bad, NULL}, *ov[] = {w0, opt, NULL};
    (void) state;
    seen_argc = -1;
    assert_int_equal(fy_cli_dispatch(&t_disp, 4, argv), 7); /* the sub-command's status */
    assert_int_equal(seen_argc, 3);
    assert_string_equal(seen_argv[0], "kernel");
    assert_string_equal(seen_argv[2], "--digits=3");
    seen_argc = -1;
    assert_int_equal(fy_cli_dispatch(&t_disp, 2, bv), 2); /* unknown: 2, nothing run */
    assert_int_equal(fy_cli_dispatch(&t_disp, 2, ov), 2);
    assert_int_equal(fy_cli_dispatch(&t_disp, 1, argv), 2); /* no word: usage, 2 */
    assert_int_equal(seen_argc, -1);
    assert_int_equal(fy_cli_dispatch(&t_disp, 2, hv), 0);
    assert_int_equal(seen_argc, -1);
    /* with a fallback: no word and an option first go to it, argv as it is */
    assert_int_equal(fy_cli_dispatch(&t_disp_fb, 1, argv), 5);
    assert_int_equal(seen_argc, 1);
    assert_int_equal(fy_cli_dispatch(&t_disp_fb, 2, ov), 5);
    assert_string_equal(seen_argv[1], "--zzz");
    assert_int_equal(fy_cli_dispatch(&t_disp_fb, 2, bv), 2); /* a bad name is still refused */
}

static void test_dispatch_help(void **state)
{
    char w0[] = "help", w1[] = "sample", w2[] = "x", bad[] = "smaple";
    char *argv[] = {w0, w1, w2, NULL}, *bv[] = {w0, bad, NULL};
    FILE *fp = tmpfile();
    char buf[1024];
    size_t n;
    (void) state;
    assert_int_equal(fy_cli_dispatch_help(&t_disp, 3, argv), 1);
    assert_int_equal(seen_argc, 3); /* sample x --help */
    assert_string_equal(seen_argv[0], "sample");
    assert_string_equal(seen_argv[1], "x");
    assert_string_equal(seen_argv[2], "--help");
    assert_int_equal(fy_cli_dispatch_help(&t_disp, 2, bv), 2);
    /* the usage: head, the list in the width asked for, tail */
    assert_non_null(fp);
    fy_cli_dispatch_usage(fp, &t_disp);
    rewind(fp);
    n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    assert_string_equal(buf, "Usage: feynn nnft COMMAND\n\nCommands:\n"
                             "  kernel       the kernel\n  correlators  the correlators\n"
                             "  couplings    the couplings\n  sample       a sample\n\nEnd.\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_accepted), cmocka_unit_test(test_kinds_refused),
        cmocka_unit_test(test_rational),       cmocka_unit_test(test_argv_forms),
        cmocka_unit_test(test_suggest),        cmocka_unit_test(test_help),
        cmocka_unit_test(test_man),
        cmocka_unit_test(test_dispatch_suggest), cmocka_unit_test(test_dispatch_run),
        cmocka_unit_test(test_dispatch_help),
    };
    return cmocka_run_group_tests_name("cli_opt", tests, NULL, NULL);
}
