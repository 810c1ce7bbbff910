/* feynn demo inn: placeholder while the experiment is being built (replaced in this session). */
#include "cli/cli.h"

int fy_demo_inn_cmd(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fy_cli_usage_error("demo inn", "not available in this build");
}
