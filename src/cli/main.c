/* feynn: the command-line interface.  Dispatches subcommands from one table (fy_cli_dispatch,
 * opt.h), as every command with sub-commands does. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli/cli.h"
#include "cli/opt.h"
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

static const fy_cli_dispatch_t top = {
    .name = "",
    .head = "Usage: feynn [--version] [--help] [--memory-limit SIZE] COMMAND [ARGS...]\n"
            "\n"
            "feynn: Feynman-like diagrams, exact and certified Taylor coefficients of neural\n"
            "networks, and the Born-series verification.\n",
    .tail = "\n"
            "Run 'feynn COMMAND --help' or 'feynn help COMMAND [SUBCOMMAND]' for the options\n"
            "of a command.\n"
            "--memory-limit SIZE (anywhere on the line; or the environment variable\n"
            "FEYNN_MEMORY_LIMIT): computations that would need more working memory are refused\n"
            "before they start, with their estimate; SIZE as 8G, 512M, 1.5GiB or bytes\n"
            "(default: three quarters of the physical memory).\n"
            "Exit status: 0 success, 1 a check or verification failed, 2 bad usage or input.\n"
            "See also: man feynn.\n",
    .width = 10,
    .subs = commands,
    .nsubs = sizeof commands / sizeof commands[0],
};

/* The commands whose options come from tables (opt.h), in the man page's order. */
const fy_opt_cmd_t *const fy_opt_commands[] = {
    &fy_opt_model_info, &fy_opt_diagrams, &fy_opt_rules_check, &fy_opt_rules_list,
    &fy_opt_rules_show, &fy_opt_rules_path, &fy_opt_inn_action, &fy_opt_inn_diagrams,
    &fy_opt_inn_info, &fy_opt_inn_sample, &fy_opt_inn_compare, &fy_opt_inn_train,
    &fy_opt_inn_scan, &fy_opt_demo_born, &fy_opt_demo_nnft, &fy_opt_demo_inn, &fy_opt_version,
    /* nnft-cli: the nnft core commands */
    &fy_opt_nnft_kernel, &fy_opt_nnft_correlators, &fy_opt_nnft_sample, &fy_opt_nnft_couplings,
    &fy_opt_nnft_predict,
    &fy_opt_taylor, &fy_opt_born_terms, &fy_opt_born_a0, &fy_opt_born_data, &fy_opt_born_train,
    &fy_opt_born_verify,
    /* qft2: fields from neurons (cmd_nnft_qft.c) */
    &fy_opt_nnft_spectrum, &fy_opt_nnft_duality,
    /* cli-b: the checks on any ensemble (cmd_nnft_checks.c) */
    &fy_opt_nnft_rp, &fy_opt_nnft_symmetry, &fy_opt_nnft_os, &fy_opt_nnft_ib,
};
const size_t fy_opt_ncommands = sizeof fy_opt_commands / sizeof fy_opt_commands[0];

/* feynn help --man [NAME...]: the OPTIONS blocks of doc/feynn.1, each between the marker
 * comments that doc/man-options.sh replaces; feynn help --options: "NAME<TAB>--option" lines
 * (both for `make man` and the tests, not shown in the help). */
static int help_tables(int argc, char **argv, int man)
{
    size_t i, k;
    int j, found;
    for (j = 2; j < argc; j++)
    {
        for (i = 0, found = 0; i < fy_opt_ncommands; i++)
            found |= strcmp(argv[j], fy_opt_commands[i]->name) == 0;
        if (!found)
        {
            fprintf(stderr, "feynn help: no option table for '%s'\n", argv[j]);
            return 2;
        }
    }
    for (i = 0; i < fy_opt_ncommands; i++)
    {
        const fy_opt_cmd_t *c = fy_opt_commands[i];
        for (j = 2, found = argc == 2; j < argc; j++)
            found |= strcmp(argv[j], c->name) == 0;
        if (!found || (c->nopts == 0 && c->formats == 0 && c->common == 0))
            continue;
        if (man)
        {
            printf(".\\\" options of '%s': generated from its table by 'make man'\n", c->name);
            fy_opt_man(stdout, c);
            printf(".\\\" end of the options of '%s'\n", c->name);
            continue;
        }
        for (k = 0; k < c->nopts; k++)
            printf("%s\t--%s\n", c->name, c->opts[k].name);
        if (c->formats)
            printf("%s\t--format\n", c->name);
        if (c->common & FY_OPT_QUIET)
            printf("%s\t--quiet\n%s\t--progress\n", c->name, c->name);
    }
    return 0;
}

/* feynn help [COMMAND [SUBCOMMAND...]]: the help of that (sub)command, as its --help. */
int fy_cmd_help(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--man") == 0 || strcmp(argv[1], "--options") == 0))
        return help_tables(argc, argv, strcmp(argv[1], "--man") == 0);
    return fy_cli_dispatch_help(&top, argc, argv);
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
    if (take_memory_limit(&argc, argv) != 0)
        return 2;
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0))
        return fy_cmd_version(argc - 1, argv + 1);
    return fy_cli_dispatch(&top, argc, argv);
}
