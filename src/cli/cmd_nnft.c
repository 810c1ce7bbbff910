/* feynn nnft: placeholder until the module lands. */
#include <stdio.h>

#include "cli/cli.h"

int fy_cmd_nnft(int argc, char **argv)
{
    (void) argc;
    (void) argv;
    fprintf(stderr, "feynn nnft: not available yet\n");
    return 2;
}
