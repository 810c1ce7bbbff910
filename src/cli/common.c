/* Helpers shared by the subcommands of the feynn command. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "feynn/io.h"

/* In the order of fy_net_opt_t (feynn/io.h). */
const char *const fy_cli_net_names[FY_NET_OPT_COUNT] = {
    "--input-format", "--activation", "--output-activation", "--layers", "--ignore-extra"};

static const char *const format_names[] = {"text", "json", "npy", "dot", "tikz", "latex", "csv"};

int fy_cli_parse_format(const char *cmd, const char *value, unsigned allowed)
{
    size_t i, n = sizeof format_names / sizeof format_names[0];
    char list[128] = "";

    for (i = 0; i < n; i++)
        if (strcmp(value, format_names[i]) == 0 && (allowed & (1u << i)))
            return (int) i;
    for (i = 0; i < n; i++)
        if (allowed & (1u << i))
        {
            if (list[0])
                strcat(list, ", ");
            strcat(list, format_names[i]);
        }
    fy_cli_usage_error(cmd, "unknown --format '%s' (this command writes: %s)", value, list);
    return -1;
}

/* api (issue 9): the library's words for a fix (left) and the command's (right).  Each
 * left-hand phrase names a library identifier, so that it cannot occur in a user's text. */
static const struct
{
    const char *lib, *cli;
} cli_terms[] = {
    {"with fy_memory_limit_set or", "with feynn --memory-limit SIZE or"},
    {"(fy_memory_limit_set)", "(--memory-limit)"},
    {"pass force = 1 to fy_outdir_open", "pass --force"},
    {"(set fy_net_opts.activation)", "(give --activation)"},
    {"use FY_ARITH_EXACT or FY_ARITH_BALL", "use --arith exact or ball"},
    {"use FY_ARITH_BALL", "use --arith ball"},
    {"(FY_ARITH_BALL)", "(--arith ball)"},
    {"FY_MLP_JOB_ENTRY or FY_MLP_JOB_DIRECTION", "--entry or --direction"},
    {"use fy_inn_report_json or a lower fy_inn_opts.order",
     "use --format json or a lower --order"},
    {"let fy_nnft_rp_points generate them", "let them be generated: feynn nnft rp --n-points K"},
    {"(fy_nnft_euclid_mc_g2)", "(fy_nnft_euclid_mc_g2; nnft spectrum --mc)"},
    {"name one of them (fy_inn_samples_read's tensor)", "name one with --tensor"},
    /* house9 (issue 9): the nnft symmetry note, the born data reader's pointers */
    {"; the Monte Carlo (fy_nnft_symmetry_mc) measures", "; --mc measures"},
    {"again (fy_born_data_write)", "again with 'feynn born data'"},
    {"as fy_born_data_write_safetensors writes them", "as written by 'feynn born data'"},
    {"as fy_born_data_write_npy writes it", "as 'feynn born data --format npy -o DIR' writes it"},
    {"as fy_born_data_write_npy writes them", "as 'feynn born data' writes"},
    {"as fy_born_data_write_text writes", "as 'feynn born data --format text' writes"},
    {"not a data set (fy_born_data_write)", "not a data set of 'feynn born data'"},
};

void fy_cli_flags(char *out, size_t n, const char *msg)
{
    size_t len = 0, t, nt = sizeof cli_terms / sizeof cli_terms[0];
    if (n == 0)
        return;
    while (*msg != '\0' && len + 1 < n)
    {
        for (t = 0; t < nt; t++)
            if (strncmp(msg, cli_terms[t].lib, strlen(cli_terms[t].lib)) == 0)
                break;
        if (t < nt)
        {
            len += (size_t) snprintf(out + len, n - len, "%s", cli_terms[t].cli);
            if (len >= n)
                len = n - 1;
            msg += strlen(cli_terms[t].lib);
        }
        else
            out[len++] = *msg++;
    }
    out[len] = '\0';
}

int fy_cli_fail(const char *cmd, const fy_error_t err)
{
    char msg[2 * FY_ERROR_MSG_LEN];
    fy_cli_flags(msg, sizeof msg, err->msg[0] ? err->msg : fy_error_name(err->code));
    fprintf(stderr, "feynn %s: %s\n", cmd, msg);
    return fy_exit_status(err->code);
}

int fy_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "feynn %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'feynn %s --help'.\n", cmd);
    return 2;
}
