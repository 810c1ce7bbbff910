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

int fy_cli_fail(const char *cmd, const fy_error_t err)
{
    fprintf(stderr, "feynn %s: %s\n", cmd, err->msg[0] ? err->msg : fy_error_name(err->code));
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
