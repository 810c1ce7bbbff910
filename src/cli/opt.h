/* opt.h - the one option parser of the feynn command (layer 5).
 *
 * A (sub)command declares its options once, as a static table of fy_opt_t, and describes
 * itself with a fy_opt_cmd_t (name, usage lines, text before and after the options).  From
 * that one table:
 *   fy_opt_parse      reads argv (--opt VALUE, --opt=VALUE, -o VALUE, -oVALUE, an unambiguous
 *                     prefix of a long name, -- ends the options, options and operands in any
 *                     order), checks every value against its kind and range and stores it in
 *                     the command's struct at the option's offset; the message of a refusal
 *                     names the command, the option, what was expected and what was given,
 *                     and an unknown option comes with the nearest known one;
 *   fy_opt_help       prints `feynn CMD --help` (usage, text, options aligned with their
 *                     defaults);
 *   fy_opt_man        writes the same options as a roff block for the man page, which is
 *                     generated from the tables (`feynn help --man`, `make man`) and checked
 *                     against them by tests/test_cli_opt.sh.
 * The common options --quiet, --progress and --format are declared here once (fy_opt_common)
 * and offered by every command that uses this parser.  Commands with sub-commands dispatch
 * them with the one dispatcher below (fy_cli_dispatch). */
#ifndef FEYNN_CLI_OPT_H
#define FEYNN_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

#include "cli/cli.h"
#include "feynn/num.h"

typedef enum
{
    FY_OPT_FLAG,     /* no value: int at off set to .value (1 when .value is 0) */
    FY_OPT_COUNT,    /* long at off: a positive integer, at most .hi (0: no bound) */
    FY_OPT_INT,      /* long at off: an integer in .lo .. .hi */
    FY_OPT_REAL,     /* double at off: a finite number in .rlo .. .rhi (see flags) */
    FY_OPT_RATIONAL, /* const char * at off: an exact number p, p/q or a decimal (checked) */
    FY_OPT_STRING,   /* const char * at off: any text */
    FY_OPT_LIST,     /* long[.max] at off, int count at .off2: comma-separated integers in
                        .lo .. .hi, at most .max of them */
    FY_OPT_CHOICE,   /* int at off: the index in .choices (NULL-terminated) of the value */
    FY_OPT_FORMAT,   /* int at off: a fy_cli_format in the mask .formats */
    FY_OPT_PATH,     /* const char * at off: a file or folder name (not empty) */
    FY_OPT_ARITH,    /* fy_opt_arith_t at off: exact, ball[:BITS] (16..1000000) or double */
    FY_OPT_CALL      /* .call(opts, value, msg, msg_size): 0, or nonzero with msg filled */
} fy_opt_kind;

/* Flags of an option. */
#define FY_OPT_OPEN_LO 1u /* REAL: .rlo itself refused */
#define FY_OPT_OPEN_HI 2u /* REAL: .rhi itself refused */
#define FY_OPT_NO_HI 4u   /* REAL: no upper bound */
#define FY_OPT_NO_LO 8u   /* REAL: no lower bound */
#define FY_OPT_TAKES_NO_VALUE 16u /* CALL: a flag that runs .call(opts, NULL, ...) */

typedef struct
{
    fy_arith_t arith;
    slong prec; /* ball precision in bits; left as it was when none is given */
} fy_opt_arith_t;

typedef struct
{
    const char *name;  /* long name without the dashes, e.g. "order" */
    int letter;        /* short letter ('o'), or 0 */
    fy_opt_kind kind;
    const char *arg;   /* the value's name in the help ("N", "FILE", "text|json"); NULL: kind's */
    const char *help;  /* one paragraph, wrapped by the printers; no trailing period needed */
    const char *def;   /* the default as shown ("2", "text"), or NULL */
    size_t off;        /* where the value goes in the command's struct (offsetof) */
    size_t off2;       /* LIST: where the count (int) goes */
    long lo, hi;       /* INT, LIST: the range; COUNT: hi (0: none) */
    double rlo, rhi;   /* REAL: the range, with flags */
    unsigned flags;
    int value;         /* FLAG: the value stored (0 means 1) */
    int max;           /* LIST: most values */
    const char *const *choices; /* CHOICE: the names (aliases: the same index in .alias) */
    const int *alias;  /* CHOICE: index stored for each name (NULL: its own index) */
    unsigned formats;  /* FORMAT: mask of 1 << FY_FMT_* */
    int (*call)(void *opts, const char *value, char *msg, size_t size);
    size_t given;      /* FY_OPT_GIVEN(T, field): an int set to 1 when given; 0: none */
} fy_opt_t;

/* The place of a "given" field (offset plus one, so that 0 means none). */
#define FY_OPT_GIVEN(T, field) (offsetof(T, field) + 1)

/* The common options a command takes (fy_opt_cmd_t.common). */
#define FY_OPT_QUIET 1u    /* --quiet, --progress: fy_opt_state_t.quiet, .progress */
#define FY_OPT_NO_COMMON 0u

typedef struct
{
    const char *name;    /* as typed after feynn: "diagrams", "inn action" */
    const char *usage;   /* usage lines after "feynn NAME ", separated by '\n' */
    const char *intro;   /* paragraphs before the options ('\n' breaks lines, "\n\n" paragraphs) */
    const char *epilog;  /* notes, examples, exit status, printed after the options as is */
    const fy_opt_t *opts;
    size_t nopts;
    unsigned formats;    /* --format: mask of 1 << FY_FMT_*; 0 when the command has none */
    int format_default;  /* a fy_cli_format */
    unsigned common;     /* FY_OPT_QUIET */
    int max_operands;    /* most operands (-1: any) */
    const char *format_help; /* --format's help line (NULL: the list of formats) */
} fy_opt_cmd_t;

#define FY_OPT_N(table) (sizeof(table) / sizeof((table)[0]))

/* What the parse found besides the command's own fields. */
typedef struct
{
    int help;        /* --help or -h was given: print fy_opt_help, exit 0 */
    int quiet;       /* --quiet */
    int progress;    /* --progress */
    int format;      /* --format (or the default) */
    int noperands;   /* operands, in order */
    char **operands; /* points into argv's storage (allocated; fy_opt_state_clear) */
} fy_opt_state_struct;
typedef fy_opt_state_struct fy_opt_state_t[1];

void fy_opt_state_init(fy_opt_state_t st);
void fy_opt_state_clear(fy_opt_state_t st);

/* The bar's setting for fy_progress_init: 0 with --quiet, 1 with --progress, -1 (on a
 * terminal) otherwise. */
int fy_opt_progress(const fy_opt_state_t st);

/* Parses argv[1..argc-1] for cmd into opts (the command's struct, defaults already set).
 * Returns 0, or 2 after printing "feynn NAME: MESSAGE" and "Try 'feynn NAME --help'." to
 * stderr.  Stops at --help (st->help = 1, returns 0).  The message alone (no command name)
 * is also left in msg when msg is not NULL. */
int fy_opt_parse(fy_opt_state_t st, void *opts, const fy_opt_cmd_t *cmd, int argc, char **argv,
                 char *msg, size_t msg_size);

/* fy_opt_parse, then --help printed: returns -1 when the command goes on (operands in st), or
 * the exit status to return now (0 after the help, 2 after a usage error; st cleared). */
int fy_opt_start(fy_opt_state_t st, void *opts, const fy_opt_cmd_t *cmd, int argc, char **argv);

/* Checks one value against one option (the parser's own check, for tests and callers that
 * read values from elsewhere); 0 and the value stored, or 2 and msg filled. */
int fy_opt_value(void *opts, const fy_opt_t *o, const char *value, char *msg, size_t size);

/* `feynn NAME --help`, width columns wide (0: 79). */
void fy_opt_help(FILE *fp, const fy_opt_cmd_t *cmd, int width);

/* The options as a roff block (.RS, one .TP per option, .RE) for the man page. */
void fy_opt_man(FILE *fp, const fy_opt_cmd_t *cmd);

/* The nearest name of cmd's options to the unknown `given` (edit distance at most a third
 * of its length, at least 1), without dashes, or NULL. */
const char *fy_opt_suggest(const fy_opt_cmd_t *cmd, const char *given);

/* The (sub)commands that use this parser, each declared in its cmd_*.c. */
extern const fy_opt_cmd_t fy_opt_version, fy_opt_model_info, fy_opt_diagrams;
extern const fy_opt_cmd_t fy_opt_rules_check, fy_opt_rules_list, fy_opt_rules_show,
    fy_opt_rules_path;
extern const fy_opt_cmd_t fy_opt_inn_action, fy_opt_inn_diagrams, fy_opt_inn_info,
    fy_opt_inn_sample, fy_opt_inn_compare, fy_opt_inn_train, fy_opt_inn_scan;
extern const fy_opt_cmd_t fy_opt_demo_born, fy_opt_demo_nnft, fy_opt_demo_inn;
/* nnft-cli: the nnft core commands (cmd_nnft.c). */
extern const fy_opt_cmd_t fy_opt_nnft_kernel, fy_opt_nnft_correlators, fy_opt_nnft_sample,
    fy_opt_nnft_couplings, fy_opt_nnft_predict;
/* taylor and born (cmd_taylor.c, cmd_born.c, cmd_born_nn.c) */
extern const fy_opt_cmd_t fy_opt_taylor, fy_opt_born_terms, fy_opt_born_a0, fy_opt_born_data,
    fy_opt_born_train, fy_opt_born_verify;
/* qft2: fields from neurons (cmd_nnft_qft.c) */
extern const fy_opt_cmd_t fy_opt_nnft_spectrum, fy_opt_nnft_duality;
/* cli-b: the checks on any ensemble (cmd_nnft_checks.c) */
extern const fy_opt_cmd_t fy_opt_nnft_rp, fy_opt_nnft_symmetry, fy_opt_nnft_os, fy_opt_nnft_ib;

/* Every command that uses this parser, for `feynn help --man` and the tests (main.c). */
extern const fy_opt_cmd_t *const fy_opt_commands[];
extern const size_t fy_opt_ncommands;

/* ------------------------------------------------------------------ the one dispatcher
 * A command with sub-commands (feynn itself, born, demo, inn, model, nnft, rules) declares
 * them once as a table of {name, summary, run} and hands argv to fy_cli_dispatch:
 *   no word            the usage on standard error, exit 2 (or .fallback, see below);
 *   --help, -h         the usage on standard output: .head, "Commands:" with the table's
 *                      names and summaries, .tail; exit 0;
 *   a name             its run(argc - 1, argv + 1), whose status is returned;
 *   anything else      "feynn CMD: unknown command 'X' (did you mean 'Y'?)" (or the list of
 *                      names when none is near) and "Try 'feynn CMD --help'.", exit 2.
 * .fallback (feynn demo): run with argv as it is when no word or an option comes first; its
 * --help follows the usage under the title .fallback_title. */
typedef struct
{
    const char *name;           /* the words after feynn ("nnft"); "" for feynn itself */
    const char *noun;           /* what a name is: "command" (NULL) or "experiment" */
    const char *head;           /* the usage before the list (ends with "\n") */
    const char *list_title;     /* "Commands:" when NULL */
    const char *tail;           /* the usage after the list (starts with "\n"), or NULL */
    int width;                  /* of the name column ("  %-*s %s") */
    const fy_cli_command *subs;
    size_t nsubs;
    int (*fallback)(int argc, char **argv);
    const char *fallback_title;
} fy_cli_dispatch_t;

/* Dispatches argv[1] (argv[0] is the command's own name); the exit status. */
int fy_cli_dispatch(const fy_cli_dispatch_t *d, int argc, char **argv);

/* The usage of d (as its --help prints it). */
void fy_cli_dispatch_usage(FILE *fp, const fy_cli_dispatch_t *d);

/* `feynn help WORD...` below d: runs WORD's run with the other words and --help (argv[0] is
 * "help"); an unknown WORD is refused as fy_cli_dispatch refuses it, from "feynn help". */
int fy_cli_dispatch_help(const fy_cli_dispatch_t *d, int argc, char **argv);

/* The name of d's table nearest to `given` (a prefix of exactly one name, or within the edit
 * distance of fy_opt_suggest), or NULL. */
const char *fy_cli_dispatch_suggest(const fy_cli_dispatch_t *d, const char *given);

#endif
