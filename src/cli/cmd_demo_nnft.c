/* feynn demo nnft: placeholder while the experiment is being built (replaced in this session). */
#include "cli/cli.h"

int fy_demo_nnft_cmd(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fy_cli_usage_error("demo nnft", "not available in this build");
}
