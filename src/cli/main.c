/* feynn: the command-line interface.  Dispatches subcommands from one table. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli/cli.h"

static const fy_cli_command commands[] = {
    {"born", "scattering length, exact Born terms and tensors, data sets", fy_cmd_born},
    {"demo", "the experiments end to end (born, nnft, inn): report and figures",
     fy_cmd_demo_main},
    {"diagrams", "list, count, draw and check the diagrams of a theory", fy_cmd_diagrams},
    {"inn", "invertible networks: the action ln p(x) from the weights, by diagrams",
     fy_cmd_inn},
    {"model", "inspect model files (layers, shapes, dtypes, activations)", fy_cmd_model},
    {"nnft", "neural-network field theory: kernels, correlators, ensembles", fy_cmd_nnft},
    {"rules", "check and list rule files, show activation vertex polynomials", fy_cmd_rules},
    {"taylor", "derivative tensors, entries and Taylor coefficients of an MLP", fy_cmd_taylor},
    {"version", "print the version and the libraries feynn was built with", fy_cmd_version},
    {"help", "show help for feynn or for a subcommand", fy_cmd_help},
};

static const size_t ncommands = sizeof commands / sizeof commands[0];

static void usage(FILE *fp)
{
    size_t i;
    fprintf(fp,
            "Usage: feynn [--version] [--help] COMMAND [ARGS...]\n"
            "\n"
            "feynn: Feynman-like diagrams, exact and certified Taylor coefficients of neural\n"
            "networks, and the Born-series verification.\n"
            "\n"
            "Commands:\n");
    for (i = 0; i < ncommands; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp,
            "\n"
            "Run 'feynn COMMAND --help' for the options of a command.\n"
            "Exit status: 0 success, 1 a check or verification failed, 2 bad usage or input.\n"
            "See also: man feynn.\n");
}

int fy_cmd_help(int argc, char **argv)
{
    size_t i;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    {
        usage(stdout);
        return 0;
    }
    for (i = 0; i < ncommands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
        {
            char help[] = "--help";
            char *sub[3] = {argv[1], help, NULL};
            return commands[i].run(2, sub);
        }
    fprintf(stderr, "feynn help: unknown command '%s'\nTry 'feynn --help'.\n", argv[1]);
    return 2;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2)
    {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
    {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return fy_cmd_version(argc - 1, argv + 1);
    for (i = 0; i < ncommands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "feynn: unknown command '%s'\nTry 'feynn --help'.\n", argv[1]);
    return 2;
}
