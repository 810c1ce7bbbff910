/* feynn demo: dispatches to the three experiments (born, nnft, inn); with no experiment named
 * (or an option first) it runs the Born-Taylor demo, as it always has. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opt.h"

static const fy_cli_command demo_experiments[] = {
    {"born", "the Born-Taylor verification (the default)", fy_cmd_demo},
    {"nnft", "neural-network field theory ([HMS] experiment)", fy_demo_nnft_cmd},
    {"inn", "learning a lattice action with an INN ([M])", fy_demo_inn_cmd},
};

static const fy_cli_dispatch_t demo_dispatch = {
    .name = "demo",
    .noun = "experiment",
    .head = "Usage: feynn demo [EXPERIMENT] [OPTIONS]\n"
            "\n"
            "Each experiment writes report.txt, report.json and figures (vector PDF, each with\n"
            "a 300-dpi PNG of the same name beside it) to its output folder\n"
            "(-o DIR) and exits 0 when every target is met, 1 when a target is missed, 2 on\n"
            "bad input.  With no experiment named (or an option first) it runs born.\n",
    .list_title = "Experiments:",
    .tail = "\nRun 'feynn demo EXPERIMENT --help' for the options of one experiment.\n",
    .width = 5,
    .subs = demo_experiments,
    .nsubs = sizeof demo_experiments / sizeof demo_experiments[0],
    .fallback = fy_cmd_demo,
    .fallback_title = "The Born-Taylor demo:",
};

int fy_cmd_demo_main(int argc, char **argv)
{
    return fy_cli_dispatch(&demo_dispatch, argc, argv);
}
