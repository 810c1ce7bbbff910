/* feynn: the command-line interface.  Dispatches subcommands from one table. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli/cli.h"
#include "feynn/util.h"

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
            "Usage: feynn [--version] [--help] [--memory-limit SIZE] COMMAND [ARGS...]\n"
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
            "--memory-limit SIZE (anywhere on the line; or the environment variable\n"
            "FEYNN_MEMORY_LIMIT): computations that would need more working memory are refused\n"
            "before they start, with their estimate; SIZE as 8G, 512M, 1.5GiB or bytes\n"
            "(default: three quarters of the physical memory).\n"
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

/* Takes --memory-limit SIZE (or --memory-limit=SIZE) out of argv wherever it stands (before
 * a "--"), sets the process-wide limit; returns -1 after printing the error. */
static int take_memory_limit(int *argc, char **argv)
{
    fy_error_t err;
    int i, j;
    fy_error_init(err);
    if (fy_memory_limit_from_env(err) != FY_OK)
    {
        fprintf(stderr, "feynn: %s\n", err->msg);
        return -1;
    }
    for (i = 1; i < *argc && strcmp(argv[i], "--") != 0;)
    {
        const char *v = NULL;
        int take = 0;
        size_t b;
        if (strcmp(argv[i], "--memory-limit") == 0)
        {
            if (i + 1 >= *argc)
            {
                fprintf(stderr, "feynn: --memory-limit needs a size (e.g. 8G)\n");
                return -1;
            }
            v = argv[i + 1];
            take = 2;
        }
        else if (strncmp(argv[i], "--memory-limit=", 15) == 0)
        {
            v = argv[i] + 15;
            take = 1;
        }
        if (take == 0)
        {
            i++;
            continue;
        }
        if (fy_memory_limit_parse(&b, v, err) != FY_OK)
        {
            fprintf(stderr, "feynn: --memory-limit: %s\n", err->msg);
            return -1;
        }
        fy_memory_limit_set(b);
        for (j = i; j + take <= *argc; j++)
            argv[j] = argv[j + take];
        *argc -= take;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t i;

    if (take_memory_limit(&argc, argv) != 0)
        return 2;

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
