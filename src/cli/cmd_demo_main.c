/* feynn demo: dispatches to the three experiments (born, nnft, inn); with no experiment named
 * (or an option first) it runs the Born-Taylor demo, as it always has. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn demo [born] [OPTIONS]   the Born-Taylor verification (default)\n"
            "       feynn demo nnft [OPTIONS]     neural-network field theory ([HMS] experiment)\n"
            "       feynn demo inn [OPTIONS]      learning a lattice action with an INN ([M])\n"
            "\n"
            "Each writes report.txt, report.json and figures to its output folder (-o DIR) and\n"
            "exits 0 when every target is met, 1 when a target is missed, 2 on bad input.\n"
            "Run 'feynn demo EXPERIMENT --help' for the options of one experiment.\n");
}

int fy_cmd_demo_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "nnft") == 0)
        return fy_demo_nnft_cmd(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "inn") == 0)
        return fy_demo_inn_cmd(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "born") == 0)
        return fy_cmd_demo(argc - 1, argv + 1);
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
    {
        usage(stdout);
        fprintf(stdout, "\nThe Born-Taylor demo:\n\n");
        return fy_cmd_demo(argc, argv);
    }
    if (argc >= 2 && argv[1][0] != '-')
        return fy_cli_usage_error("demo", "unknown experiment '%s' (born, nnft or inn)", argv[1]);
    return fy_cmd_demo(argc, argv);
}
