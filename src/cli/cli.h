/* cli.h - internal interface of the feynn command (layer 5).
 *
 * One file per subcommand (cmd_NAME.c) exporting int fy_cmd_NAME(int argc, char **argv), where
 * argv[0] is the subcommand name.  The return value is the exit status: 0 success, 1 a check
 * or verification failed, 2 bad usage or input.  Subcommands are dispatched from the table in
 * main.c; shared helpers live in common.c. */
#ifndef FEYNN_CLI_H
#define FEYNN_CLI_H

#include <stdio.h>

#include "feynn/error.h"

typedef struct
{
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} fy_cli_command;

/* Output formats a command may accept. */
typedef enum
{
    FY_FMT_TEXT,
    FY_FMT_JSON,
    FY_FMT_NPY,
    FY_FMT_DOT,
    FY_FMT_TIKZ,
    FY_FMT_LATEX,
    FY_FMT_CSV
} fy_cli_format;

/* Parses a --format value against the formats allowed (a bit mask of 1 << FY_FMT_*); prints a
 * usage error naming the allowed ones and returns -1 when it is not allowed. */
int fy_cli_parse_format(const char *cmd, const char *value, unsigned allowed);

/* Prints "feynn CMD: <message>" for err to stderr and returns the exit status for it.  The
 * message is passed through fy_cli_flags first. */
int fy_cli_fail(const char *cmd, const fy_error_t err);
/* api (issue 9): library messages say what a C caller can do (FY_ARITH_BALL,
 * fy_memory_limit_set, fy_net_opts.activation, ...); the command names its flags instead.
 * out (size n, always NUL-terminated) = msg with each such library phrase replaced by the
 * command's (one table in common.c); text that names none is copied unchanged. */
void fy_cli_flags(char *out, size_t n, const char *msg);

/* Prints "feynn CMD: <printf message>\nTry 'feynn CMD --help'." and returns 2. */
int fy_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What the model loaders' messages call their options (fy_net_opts_struct.names): the flags
 * of the commands that load models (--input-format, --activation, ...). */
extern const char *const fy_cli_net_names[];

/* Subcommands. */
int fy_cmd_version(int argc, char **argv);
int fy_cmd_help(int argc, char **argv);
int fy_cmd_model(int argc, char **argv);
int fy_cmd_rules(int argc, char **argv);
int fy_cmd_diagrams(int argc, char **argv);
int fy_cmd_taylor(int argc, char **argv);
int fy_cmd_born(int argc, char **argv);
int fy_cmd_demo(int argc, char **argv);
int fy_cmd_demo_main(int argc, char **argv); /* dispatch: born (default), nnft, inn */
int fy_cmd_inn(int argc, char **argv);
int fy_cmd_nnft(int argc, char **argv);

/* Sub-subcommands of `feynn born` living in their own files (cmd_born_nn.c). */
int fy_born_train_cmd(int argc, char **argv);
int fy_born_verify_cmd(int argc, char **argv);
/* `feynn demo nnft` and `feynn demo inn` (cmd_demo_nnft.c, cmd_demo_inn.c). */
int fy_demo_nnft_cmd(int argc, char **argv);
int fy_demo_inn_cmd(int argc, char **argv);
/* `feynn inn sample` (cmd_inn_sample.c). */
int fy_inn_sample_cmd(int argc, char **argv);
/* `feynn inn compare` (cmd_inn_compare.c) and `feynn inn scan` (cmd_demo_inn.c). */
int fy_inn_compare_cmd(int argc, char **argv);
int fy_inn_scan_cmd(int argc, char **argv);
/* `feynn inn train` (cmd_inn_train.c). */
int fy_inn_train_cmd(int argc, char **argv);
/* `feynn nnft symmetry|rp|os|ib` (cmd_nnft_checks.c). */
int fy_nnft_symmetry_cmd(int argc, char **argv);
int fy_nnft_rp_cmd(int argc, char **argv);
int fy_nnft_os_cmd(int argc, char **argv);
int fy_nnft_ib_cmd(int argc, char **argv);
/* `feynn nnft spectrum`, `feynn nnft duality` (cmd_nnft_qft.c). */
int fy_nnft_spectrum_cmd(int argc, char **argv);
int fy_nnft_duality_cmd(int argc, char **argv);

/* resume (issue 15, checkpoint.c): after a scan with --checkpoint DIR (st as opened on rank
 * 0; nothing when unopened), the notes on stderr: unusable chunks recomputed, and "resumed: R
 * of TOTAL WHAT read back", the wording of nnft sample. */
#include "feynn/par.h"
void fy_cli_checkpoint_note(const char *cmd, const fy_par_store_t st, uint64_t total,
                            const char *what);

#endif
