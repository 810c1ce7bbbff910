/* feynn inn: placeholder until the module lands. */
#include <stdio.h>

#include "cli/cli.h"

int fy_cmd_inn(int argc, char **argv)
{
    (void) argc;
    (void) argv;
    fprintf(stderr, "feynn inn: not available yet\n");
    return 2;
}
