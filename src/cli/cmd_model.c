/* feynn model: inspect model files.
 *
 *   feynn model info FILE [--format text|json] [--activation A[,B...]] [--output-activation A]
 *                         [--layers P1,P2,...] [--ignore-extra] [--input-format F]
 *
 * Prints the layers, shapes, dtypes, parameter count and activations of a network read from
 * safetensors, a directory of .npy files or the text format (doc/model-format.md).  The JSON
 * form follows doc/schema/model-info.schema.json.  Bad input: a message naming the file and
 * what was expected, exit status 2. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/io.h"

static const char *dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void print_text(const fy_net_t net)
{
    char ws[512], wcol[256], bcol[256];
    int l;
    size_t i, wn = 4, wb = 4, wname = 4, wd = 5;
    const char *out_act = net->layers[net->L - 1].activation;

    printf("file         %s\n", net->source);
    printf("format       %s%s\n", fy_model_format_name(net->format),
           net->exact ? " (exact rationals)" : "");
    printf("widths       %s\n", fy_net_widths_str(ws, sizeof ws, net));
    printf("layers       %d (%d hidden)\n", net->L, net->L - 1);
    printf("parameters   %zu\n", fy_net_num_params(net));
    if (net->L > 1)
    {
        int same = 1;
        for (l = 1; l < net->L - 1; l++)
            if (strcmp(dash(net->layers[l].activation), dash(net->layers[0].activation)) != 0)
                same = 0;
        printf("activation   ");
        if (same)
            printf("%s", dash(net->layers[0].activation));
        else
            for (l = 0; l < net->L - 1; l++)
                printf("%s%s", l ? "," : "", dash(net->layers[l].activation));
        printf(" (from %s)\n", net->activation_source);
    }
    printf("output       %s\n", out_act ? out_act : "linear");
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        size_t k;
        k = (size_t) snprintf(wcol, sizeof wcol, "%s (%zu, %zu)", dash(ly->w_tensor),
                              ly->transposed ? ly->n_in : ly->n_out,
                              ly->transposed ? ly->n_out : ly->n_in);
        wn = k > wn ? k : wn;
        k = ly->b_tensor ? (size_t) snprintf(bcol, sizeof bcol, "%s (%zu)", ly->b_tensor, ly->n_out)
                         : 6;
        wb = k > wb ? k : wb;
        k = strlen(dash(ly->name));
        wname = k > wname ? k : wname;
    }
    wn = wn > 60 ? 60 : wn;
    wb = wb > 60 ? 60 : wb;
    wname = wname > 30 ? 30 : wname;
    printf("\n  %-3s %-*s %-*s %-*s %-*s %s\n", "#", (int) wname, "name", (int) wn, "weight",
           (int) wb, "bias", (int) wd, "dtype", "activation");
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        snprintf(wcol, sizeof wcol, "%s (%zu, %zu)%s", dash(ly->w_tensor),
                 ly->transposed ? ly->n_in : ly->n_out, ly->transposed ? ly->n_out : ly->n_in,
                 ly->transposed ? "^T" : "");
        if (ly->b_tensor)
            snprintf(bcol, sizeof bcol, "%s (%zu)", ly->b_tensor, ly->n_out);
        else
            snprintf(bcol, sizeof bcol, "(none)");
        printf("  %-3d %-*s %-*s %-*s %-*s %s\n", l + 1, (int) wname, dash(ly->name), (int) wn,
               wcol, (int) wb, bcol, (int) wd, fy_dtype_name(ly->w_dtype),
               dash(ly->activation));
    }
    for (i = 0; i < net->n_notes; i++)
        printf("note: %s\n", net->notes[i]);
}

typedef struct
{
    const char *activation, *output_activation, *layers;
    int input_format, ignore_extra;
} model_args_t;

static const char *const input_formats[] = {"auto", "safetensors", "npy", "text", NULL};

#define A(f) offsetof(model_args_t, f)
static const fy_opt_t model_opts[] = {
    {.name = "activation", .kind = FY_OPT_STRING, .arg = "A[,B,...]", .off = A(activation),
     .help = "activation of every hidden layer, or one per hidden layer; overrides the file's "
             "metadata (\"activation\" or \"feynn.activations\")"},
    {.name = "output-activation", .kind = FY_OPT_STRING, .arg = "A",
     .off = A(output_activation), .def = "none", .help = "activation after the last layer"},
    {.name = "layers", .kind = FY_OPT_STRING, .arg = "P1,P2,...", .off = A(layers),
     .help = "layer prefixes in order (overrides the name order)"},
    {.name = "ignore-extra", .kind = FY_OPT_FLAG, .off = A(ignore_extra),
     .help = "ignore tensors that are not part of a layer"},
    {.name = "input-format", .kind = FY_OPT_CHOICE, .arg = "F", .off = A(input_format),
     .choices = input_formats, .def = "auto",
     .help = "auto, safetensors, npy or text: say the format instead of detecting it"},
};
#undef A

const fy_opt_cmd_t fy_opt_model_info = {
    .name = "model info",
    .usage = "FILE [options]",
    .intro = "Reads a multilayer perceptron from FILE and prints its layers, shapes, dtypes,\n"
             "parameter count and activations.  FILE is safetensors (PyTorch/JAX export), the\n"
             "feynn text format (doc/model-format.md), a directory of NAME.npy files, or - for\n"
             "standard input.  Layers are the tensors PREFIX.weight / PREFIX.bias (PyTorch\n"
             "names such as 0.weight, fc1.weight, layers.0.weight) in the natural order of\n"
             "their prefixes.",
    .epilog = "Exit status: 0 success, 2 bad usage or bad input.\n",
    .opts = model_opts,
    .nopts = FY_OPT_N(model_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON),
    .format_default = FY_FMT_TEXT,
    .common = FY_OPT_QUIET,
    .max_operands = 1,
    .format_help = "text or json (doc/schema/model-info.schema.json)",
};

static int model_info(int argc, char **argv)
{
    const char *file;
    int fmt, rc;
    model_args_t a = {0};
    fy_opt_state_t st;
    fy_net_opts_t opts;
    fy_net_t net;
    fy_error_t err;

    fy_opt_state_init(st);
    rc = fy_opt_parse(st, &a, &fy_opt_model_info, argc, argv, NULL, 0);
    if (rc != 0 || st->help)
    {
        if (st->help)
            fy_opt_help(stdout, &fy_opt_model_info, 0);
        fy_opt_state_clear(st);
        return rc;
    }
    file = st->noperands ? st->operands[0] : NULL;
    fmt = st->format;
    fy_opt_state_clear(st);
    if (file == NULL)
        return fy_cli_usage_error("model", "info: missing FILE");
    fy_net_opts_init(opts);
    opts->activation = a.activation;
    opts->output_activation = a.output_activation;
    opts->layers = a.layers;
    opts->ignore_extra = a.ignore_extra;
    opts->names = fy_cli_net_names;
    opts->format = (fy_model_format_t) fy_model_format_from_name(input_formats[a.input_format]);
    fy_error_init(err);
    fy_net_init(net);
    rc = fy_net_load(net, file, opts, err);
    if (rc != FY_OK)
        return fy_cli_fail("model", err);
    if (fmt == FY_FMT_JSON)
    {
        char *json;
        rc = fy_net_info_json(&json, net, 2, err);
        if (rc == FY_OK)
        {
            printf("%s\n", json);
            free(json);
        }
    }
    else
        print_text(net);
    fy_net_clear(net);
    if (rc != FY_OK)
        return fy_cli_fail("model", err);
    if (fflush(stdout) != 0)
    {
        fprintf(stderr, "feynn model: write error on standard output\n");
        return 2;
    }
    return 0;
}

static const fy_cli_command model_commands[] = {
    {"info", "layers, shapes, dtypes, parameter count and activations of a model file",
     model_info},
};

static const fy_cli_dispatch_t model_dispatch = {
    .name = "model",
    .head = "Usage: feynn model COMMAND FILE [options]\n"
            "\n"
            "Inspect model files: safetensors, the feynn text format (doc/model-format.md),\n"
            "a directory of NAME.npy files, or - for standard input.\n",
    .tail = "\nRun 'feynn model COMMAND --help' for its options.\n",
    .width = 5,
    .subs = model_commands,
    .nsubs = sizeof model_commands / sizeof model_commands[0],
};

int fy_cmd_model(int argc, char **argv)
{
    return fy_cli_dispatch(&model_dispatch, argc, argv);
}
