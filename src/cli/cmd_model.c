/* feynn model: inspect model files.  (Filled in by the io module's work.) */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int fy_cmd_model(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
    {
        printf("Usage: feynn model info FILE [options]\n");
        return 0;
    }
    return fy_cli_usage_error("model", "missing subcommand");
}
