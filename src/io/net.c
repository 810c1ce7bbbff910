/* Networks: the fy_net_t type, layer discovery in named tensors, activations, loading by
 * format, saving (safetensors, text) and the JSON description of `feynn model info`. */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <flint/fmpq_vec.h>
#include <jansson.h>

#include "feynn/util.h"
#include "io/io_internal.h"
#include "io/net_internal.h"

/* ------------------------------------------------------------------ basics */

const char *fy_model_format_name(fy_model_format_t f)
{
    switch (f)
    {
    case FY_MODEL_AUTO: return "auto";
    case FY_MODEL_SAFETENSORS: return "safetensors";
    case FY_MODEL_NPY: return "npy";
    case FY_MODEL_TEXT: return "text";
    }
    return "?";
}

int fy_model_format_from_name(const char *name)
{
    int f;
    for (f = FY_MODEL_AUTO; f <= FY_MODEL_TEXT; f++)
        if (strcmp(name, fy_model_format_name((fy_model_format_t) f)) == 0)
            return f;
    return -1;
}

void fy_net_opts_init(fy_net_opts_t o)
{
    memset(o, 0, sizeof *o);
    o->format = FY_MODEL_AUTO;
}

void fy_net_init(fy_net_t net)
{
    memset(net, 0, sizeof *net);
    net->activation_source = "none";
}

static void layer_clear(fy_layer_struct *ly)
{
    free(ly->name);
    free(ly->W);
    free(ly->b);
    if (ly->W_exact)
        _fmpq_vec_clear(ly->W_exact, (slong) (ly->n_out * ly->n_in));
    if (ly->b_exact)
        _fmpq_vec_clear(ly->b_exact, (slong) ly->n_out);
    free(ly->activation);
    free(ly->w_tensor);
    free(ly->b_tensor);
    memset(ly, 0, sizeof *ly);
}

static void free_strings(char **s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

void fy_net_clear(fy_net_t net)
{
    int l;
    for (l = 0; l < net->L; l++)
        layer_clear(&net->layers[l]);
    free(net->layers);
    free(net->widths);
    free(net->source);
    free_strings(net->notes, net->n_notes);
    free_strings(net->ignored, net->n_ignored);
    fy_net_init(net);
}

size_t fy_net_num_params(const fy_net_t net)
{
    size_t n = 0;
    int l;
    for (l = 0; l < net->L; l++)
        n += net->layers[l].n_out * (net->layers[l].n_in + 1);
    return n;
}

char *fy_net_widths_str(char *buf, size_t n, const fy_net_t net)
{
    size_t used = 0;
    int l;
    buf[0] = '\0';
    for (l = 0; l <= net->L && net->widths != NULL && used < n; l++)
        used += (size_t) snprintf(buf + used, n - used, "%s%zu", l ? "-" : "", net->widths[l]);
    return buf;
}

int fy_net_layer_alloc(fy_layer_struct *ly, int exact, fy_error_t err)
{
    size_t nw = ly->n_out * ly->n_in;
    ly->W = fy_calloc(nw ? nw : 1, sizeof(double), err);
    ly->b = fy_calloc(ly->n_out ? ly->n_out : 1, sizeof(double), err);
    if (ly->W == NULL || ly->b == NULL)
        return FY_ENOMEM;
    if (exact)
    {
        ly->W_exact = _fmpq_vec_init((slong) nw);
        ly->b_exact = _fmpq_vec_init((slong) ly->n_out);
    }
    return FY_OK;
}

static int push_string(char ***arr, size_t *n, const char *s, fy_error_t err)
{
    char **na = fy_realloc(*arr, *n + 1, sizeof(char *), err);
    if (na == NULL)
        return FY_ENOMEM;
    *arr = na;
    if ((na[*n] = fy_io_strdup(s, err)) == NULL)
        return FY_ENOMEM;
    (*n)++;
    return FY_OK;
}

int fy_net_note(fy_net_t net, fy_error_t err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return push_string(&net->notes, &net->n_notes, buf, err);
}

/* ------------------------------------------------------------------ activations */

/* What the messages call option k of o: the caller's name (o->names), else the field. */
static const char *opt_name(const fy_net_opts_struct *o, fy_net_opt_t k)
{
    static const char *const fields[FY_NET_OPT_COUNT] = {
        "fy_net_opts.format", "fy_net_opts.activation", "fy_net_opts.output_activation",
        "fy_net_opts.layers", "fy_net_opts.ignore_extra"};
    if (o != NULL && o->names != NULL && o->names[k] != NULL)
        return o->names[k];
    return fields[k];
}

/* Splits "a,b,c" into hidden activations.  Returns FY_OK with acts[0..H) set (malloc'ed) when
 * the list has 1 or H names. */
static int parse_act_list(char **acts, int H, const char *list, const char *name,
                          const char *what, fy_error_t err)
{
    const char *p = list;
    int count = 0, l;
    char **names = NULL;
    int cap = 0, rc = FY_OK;

    for (;;)
    {
        const char *e = strchr(p, ','), *a = p, *b;
        if (e == NULL)
            e = p + strlen(p);
        b = e;
        while (a < b && isspace((unsigned char) *a))
            a++;
        while (b > a && isspace((unsigned char) b[-1]))
            b--;
        if (!fy_io_activation_ok(a, (size_t) (b - a)))
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: %s: '%.*s' is not an activation name (expected letters, "
                              "digits, '_', e.g. tanh)", name, what,
                              (int) (b - a > 64 ? 64 : b - a), a);
            goto done;
        }
        if (count == FY_IO_MAX_LAYERS)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s: %s: too many names", name, what);
            goto done;
        }
        if (count == cap)
        {
            int nc = cap ? 2 * cap : 8;
            char **nn = fy_realloc(names, (size_t) nc, sizeof *nn, err);
            if (nn == NULL)
            {
                rc = FY_ENOMEM;
                goto done;
            }
            names = nn;
            cap = nc;
        }
        if ((names[count] = fy_io_strndup(a, (size_t) (b - a), err)) == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        count++;
        if (*e == '\0')
            break;
        p = e + 1;
    }
    if (count != 1 && count != H)
    {
        rc = fy_error_set(err, FY_EINPUT,
                          "%s: %s lists %d activations for %d hidden layers (expected one name "
                          "for all, or %d)", name, what, count, H, H);
        goto done;
    }
    for (l = 0; l < H; l++)
    {
        free(acts[l]);
        if ((acts[l] = fy_io_strdup(names[count == 1 ? 0 : l], err)) == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
    }
done:
    for (l = 0; l < count; l++)
        free(names[l]);
    free(names);
    return rc;
}

static int set_output_act(fy_layer_struct *ly, const char *a, const char *name, const char *what,
                          fy_error_t err)
{
    free(ly->activation);
    ly->activation = NULL;
    if (strcmp(a, "none") == 0 || strcmp(a, "linear") == 0 || a[0] == '\0')
        return FY_OK;
    if (!fy_io_activation_ok(a, strlen(a)))
        return fy_error_set(err, FY_EINPUT, "%s: %s: '%.64s' is not an activation name", name,
                            what, a);
    ly->activation = fy_io_strdup(a, err);
    return ly->activation ? FY_OK : FY_ENOMEM;
}

/* acts[l] = a copy of the activation the file gave hidden layer l (NULL where none);
 * *from_file = 1 when there was one. */
static int acts_from_file(char **acts, int *from_file, const fy_net_t net, int H,
                          fy_error_t err)
{
    int l;
    *from_file = 0;
    for (l = 0; l < H; l++)
        if (net->layers[l].activation != NULL)
        {
            *from_file = 1;
            if ((acts[l] = fy_io_strdup(net->layers[l].activation, err)) == NULL)
                return FY_ENOMEM;
        }
    return FY_OK;
}

/* The file's activation list (metadata, act_origin) fills the hidden layers that have none. */
static int acts_fill_from_list(char **acts, int H, const char *act_list, const char *name,
                               const char *act_origin, fy_error_t err)
{
    char **fill = fy_calloc((size_t) H, sizeof(char *), err);
    char what[64];
    int l, rc;
    if (fill == NULL)
        return FY_ENOMEM;
    snprintf(what, sizeof what, "the %s activation list", act_origin);
    rc = parse_act_list(fill, H, act_list, name, what, err);
    for (l = 0; l < H; l++)
    {
        if (rc == FY_OK && acts[l] == NULL)
        {
            acts[l] = fill[l];
            fill[l] = NULL;
        }
        free(fill[l]);
    }
    free(fill);
    return rc;
}

/* Refuses a hidden layer left without an activation (unless opts allow it). */
static int acts_require(char *const *acts, int H, int from_file, const char *name,
                        const fy_net_opts_t opts, fy_error_t err)
{
    int l;
    for (l = 0; l < H; l++)
        if (acts[l] == NULL && !opts->allow_no_activation)
            return fy_error_set(err, FY_EINPUT,
                                "%s: the network has %d hidden layer%s and %s no activation "
                                "for layer %d: give the activation with %s (one name such as "
                                "tanh for every hidden layer, or one per hidden layer: "
                                "tanh,sigmoid), or store \"activation\" in the file's "
                                "metadata",
                                name, H, H == 1 ? "" : "s",
                                from_file ? "the file gives" : "neither the options nor the "
                                "file give an activation; there is", l + 1,
                                opt_name(opts, FY_NET_OPT_ACTIVATION));
    return FY_OK;
}

/* Hidden activations: the option overrides; the file's list fills the layers without one. */
static int finish_hidden_acts(fy_net_t net, const char *name, const char *act_list,
                              const char *act_origin, const fy_net_opts_t opts, fy_error_t err)
{
    int H = net->L - 1, l, rc, from_file = 0;
    char **acts;

    if (H <= 0)
        return opts->activation == NULL
                   ? FY_OK
                   : fy_net_note(net, err, "%s ignored: the network has no hidden layer",
                                 opt_name(opts, FY_NET_OPT_ACTIVATION));
    acts = fy_calloc((size_t) H, sizeof(char *), err);
    if (acts == NULL)
        return FY_ENOMEM;
    rc = acts_from_file(acts, &from_file, net, H, err);
    if (rc == FY_OK && opts->activation != NULL)
    {
        rc = parse_act_list(acts, H, opts->activation, name,
                            opt_name(opts, FY_NET_OPT_ACTIVATION), err);
        if (rc == FY_OK)
            net->activation_source = "option";
    }
    else if (rc == FY_OK)
    {
        if (act_list != NULL)
        {
            rc = acts_fill_from_list(acts, H, act_list, name, act_origin, err);
            from_file = 1;
        }
        if (rc == FY_OK && from_file)
            net->activation_source = act_origin;
    }
    if (rc == FY_OK)
        rc = acts_require(acts, H, from_file, name, opts, err);
    for (l = 0; l < H && rc == FY_OK; l++)
    {
        free(net->layers[l].activation);
        net->layers[l].activation = acts[l];
        acts[l] = NULL;
    }
    for (l = 0; l < H; l++)
        free(acts[l]);
    free(acts);
    return rc;
}

/* The output layer's activation: the option, else the file's (when the layer has none). */
static int finish_output_act(fy_net_t net, const char *name, const char *out_act,
                             const fy_net_opts_t opts, fy_error_t err)
{
    fy_layer_struct *last = &net->layers[net->L - 1];
    if (opts->output_activation != NULL)
        return set_output_act(last, opts->output_activation, name,
                              opt_name(opts, FY_NET_OPT_OUTPUT_ACTIVATION), err);
    if (out_act != NULL && last->activation == NULL)
        return set_output_act(last, out_act, name, "output activation", err);
    return FY_OK;
}

/* Refuses a weight or bias that is NaN or infinite, naming the tensor and the element in the
 * file's own layout (a transposed kernel by its stored index). */
static int finish_check_finite(const fy_net_t net, const char *name, fy_error_t err)
{
    int l;
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        size_t k, nw = ly->n_out * ly->n_in;
        for (k = 0; k < nw + ly->n_out; k++)
        {
            double v = k < nw ? ly->W[k] : ly->b[k - nw];
            char ix[96];
            size_t shape[2];
            const char *tn = k < nw ? ly->w_tensor : ly->b_tensor;
            if (isfinite(v))
                continue;
            if (k < nw && ly->transposed)
            {
                shape[0] = ly->n_in;
                shape[1] = ly->n_out;
                fy_io_index_str(ix, sizeof ix, 2, shape,
                                (k % ly->n_in) * ly->n_out + k / ly->n_in);
            }
            else if (k < nw)
            {
                shape[0] = ly->n_out;
                shape[1] = ly->n_in;
                fy_io_index_str(ix, sizeof ix, 2, shape, k);
            }
            else
                snprintf(ix, sizeof ix, "[%zu]", k - nw);
            return fy_error_set(err, FY_EINPUT,
                                "%s: tensor '%s' element %s is %s (expected finite weights)",
                                name, tn ? tn : "?", ix, isnan(v) ? "NaN" : "infinite");
        }
    }
    return FY_OK;
}

/* The widths (inputs, then each layer's outputs) and the source name. */
static int finish_widths(fy_net_t net, const char *name, fy_error_t err)
{
    int l;
    net->widths = fy_malloc((size_t) net->L + 1, sizeof(size_t), err);
    if (net->widths == NULL)
        return FY_ENOMEM;
    net->widths[0] = net->layers[0].n_in;
    for (l = 0; l < net->L; l++)
        net->widths[l + 1] = net->layers[l].n_out;
    free(net->source);
    if ((net->source = fy_io_strdup(name, err)) == NULL)
        return FY_ENOMEM;
    return FY_OK;
}

int fy_net_finish(fy_net_t net, const char *name, const char *act_list, const char *out_act,
                  const char *act_origin, const fy_net_opts_t opts, fy_error_t err)
{
    int rc;
    if (net->L < 1)
        return fy_error_set(err, FY_EINPUT, "%s: no layers", name);
    rc = finish_hidden_acts(net, name, act_list, act_origin, opts, err);
    if (rc == FY_OK)
        rc = finish_output_act(net, name, out_act, opts, err);
    if (rc == FY_OK)
        rc = finish_check_finite(net, name, err);
    if (rc == FY_OK)
        rc = finish_widths(net, name, err);
    return rc;
}

/* ------------------------------------------------------------------ layer discovery */

enum { ROLE_W, ROLE_B, ROLE_K };

typedef struct
{
    char *prefix;
    int role;
    size_t idx;
} entry_t;

static int entry_cmp(const void *a, const void *b)
{
    const entry_t *x = a, *y = b;
    int c = fy_io_natcmp(x->prefix, y->prefix);
    if (c == 0)
        c = strcmp(x->prefix, y->prefix);
    if (c == 0)
        c = x->role - y->role;
    return c;
}

typedef struct
{
    const char *prefix;
    long w, b; /* tensor indices, -1 when absent */
    int kernel;
    int used;
} group_t;

static int suffix_role(const char *name, size_t *plen)
{
    static const struct { const char *s; int role; } sfx[] = {
        {"weight", ROLE_W}, {"bias", ROLE_B}, {"kernel", ROLE_K}};
    size_t n = strlen(name), i;
    for (i = 0; i < 3; i++)
    {
        size_t k = strlen(sfx[i].s);
        if (n == k && strcmp(name, sfx[i].s) == 0)
        {
            *plen = 0;
            return sfx[i].role;
        }
        if (n > k + 1 && name[n - k - 1] == '.' && strcmp(name + n - k, sfx[i].s) == 0)
        {
            *plen = n - k - 1;
            return sfx[i].role;
        }
    }
    return -1;
}

static int list_names(char *buf, size_t cap, const fy_safetensors_t st, const char *const *names,
                      size_t n)
{
    size_t i, used = 0;
    (void) st;
    buf[0] = '\0';
    for (i = 0; i < n && used < cap; i++)
    {
        if (i == 6)
        {
            used += (size_t) snprintf(buf + used, cap - used, ", and %zu more", n - 6);
            break;
        }
        used += (size_t) snprintf(buf + used, cap - used, "%s'%s'", i ? ", " : "", names[i]);
    }
    return 0;
}

static int check_float(const fy_tensor_struct *t, const char *name, fy_error_t err)
{
    if (t->dtype == FY_DTYPE_OTHER || t->data == NULL)
        return fy_error_set(err, FY_EINPUT,
                            "%s: tensor '%s' has dtype %s; expected F64, F32, F16 or BF16", name,
                            t->name, t->dtype_name);
    return FY_OK;
}

/* The shapes of the layers in order: every check before anything is allocated. */
static int check_shapes(const fy_safetensors_t st, group_t *const *order, size_t n_order,
                        const char *name, const fy_net_opts_struct *opts, fy_error_t err)
{
    size_t i;
    int rc;
    for (i = 0; i < n_order; i++)
    {
        const fy_tensor_struct *w = &st->tensors[order[i]->w];
        const fy_tensor_struct *b = order[i]->b >= 0 ? &st->tensors[order[i]->b] : NULL;
        size_t n_out, n_in;
        char sh[160], sh2[160];
        if ((rc = check_float(w, name, err)) || (b && (rc = check_float(b, name, err))))
            return rc;
        if (w->ndim != 2)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: tensor '%s' has shape %s; expected a 2-D weight %s", name,
                              w->name, fy_io_shape_str(sh, sizeof sh, w->ndim, w->shape),
                              order[i]->kernel ? "(in, out)" : "(out, in)");
            return rc;
        }
        n_out = w->shape[order[i]->kernel ? 1 : 0];
        n_in = w->shape[order[i]->kernel ? 0 : 1];
        if (n_out == 0 || n_in == 0 || n_out > FY_IO_MAX_WIDTH || n_in > FY_IO_MAX_WIDTH)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: tensor '%s' has shape %s; expected widths from 1 to %d", name,
                              w->name, fy_io_shape_str(sh, sizeof sh, w->ndim, w->shape),
                              FY_IO_MAX_WIDTH);
            return rc;
        }
        if (b && (b->ndim != 1 || b->shape[0] != n_out))
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: tensor '%s' has shape %s; expected (%zu) to match '%s' of "
                              "shape %s", name, b->name,
                              fy_io_shape_str(sh, sizeof sh, b->ndim, b->shape), n_out, w->name,
                              fy_io_shape_str(sh2, sizeof sh2, w->ndim, w->shape));
            return rc;
        }
        if (i > 0)
        {
            const fy_tensor_struct *pw = &st->tensors[order[i - 1]->w];
            size_t prev_out = pw->shape[order[i - 1]->kernel ? 1 : 0];
            if (n_in != prev_out)
            {
                char ord[400] = "";
                size_t used = 0, k;
                for (k = 0; k < n_order && used < sizeof ord; k++)
                    used += (size_t) snprintf(ord + used, sizeof ord - used, "%s%s",
                                              k ? ", " : "", order[k]->prefix);
                rc = fy_error_set(err, FY_EINPUT,
                                  "%s: tensor '%s' has shape %s, so layer %zu takes %zu inputs, "
                                  "but layer %zu ('%s') has %zu outputs; expected %s (%zu, %zu). "
                                  "Layers were taken in the order %s %s%s%s",
                                  name, w->name, fy_io_shape_str(sh, sizeof sh, 2, w->shape),
                                  i + 1, n_in, i, pw->name, prev_out,
                                  order[i]->kernel ? "a kernel of shape" : "a weight of shape",
                                  order[i]->kernel ? prev_out : n_out,
                                  order[i]->kernel ? n_out : prev_out, ord,
                                  opts->layers ? "(from " : "(natural order of names); give the "
                                                            "order with ",
                                  opt_name(opts, FY_NET_OPT_LAYERS),
                                  opts->layers ? ")" : " P1,P2,... if that is wrong");
                return rc;
            }
        }
    }
    return FY_OK;
}

/* The layers of out from the tensors of st in order (shapes checked). */
static int fill_layers(fy_net_t out, const fy_safetensors_t st, group_t *const *order,
                       size_t n_order, fy_error_t err)
{
    int rc, l;
    out->layers = fy_calloc(n_order, sizeof *out->layers, err);
    if (out->layers == NULL)
        return FY_ENOMEM;
    out->L = (int) n_order;
    for (l = 0; l < out->L; l++)
    {
        fy_layer_struct *ly = &out->layers[l];
        const group_t *g = order[l];
        const fy_tensor_struct *w = &st->tensors[g->w];
        const fy_tensor_struct *b = g->b >= 0 ? &st->tensors[g->b] : NULL;
        size_t r, c;
        ly->n_out = w->shape[g->kernel ? 1 : 0];
        ly->n_in = w->shape[g->kernel ? 0 : 1];
        ly->transposed = g->kernel;
        if ((rc = fy_net_layer_alloc(ly, 0, err)))
            return rc;
        ly->name = fy_io_strdup(g->prefix[0] ? g->prefix : w->name, err);
        ly->w_tensor = fy_io_strdup(w->name, err);
        if (ly->name == NULL || ly->w_tensor == NULL)
        {
            rc = FY_ENOMEM;
            return rc;
        }
        ly->w_dtype = w->dtype;
        if (g->kernel)
        {
            for (r = 0; r < ly->n_out; r++)
                for (c = 0; c < ly->n_in; c++)
                    ly->W[r * ly->n_in + c] = w->data[c * ly->n_out + r];
        }
        else
            memcpy(ly->W, w->data, ly->n_out * ly->n_in * sizeof(double));
        if (b)
        {
            memcpy(ly->b, b->data, ly->n_out * sizeof(double));
            ly->b_dtype = b->dtype;
            if ((ly->b_tensor = fy_io_strdup(b->name, err)) == NULL)
            {
                rc = FY_ENOMEM;
                return rc;
            }
        }
        else
        {
            ly->b_dtype = w->dtype;
            if ((rc = fy_net_note(out, err, "layer %d ('%s') has no bias tensor; zeros used",
                                  l + 1, ly->name)))
                return rc;
        }
    }
    return FY_OK;
}

/* The layers named by opts->layers, in that order, into order[0..*n_order). */
static int order_from_list(group_t **order, size_t *n_order, group_t *grp, size_t n_grp,
                           const char *name, const fy_net_opts_struct *opts, fy_error_t err)
{
    const char *p = opts->layers;
    for (;;)
    {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t) (e - p) : strlen(p), j;
        for (j = 0; j < n_grp; j++)
            if (strlen(grp[j].prefix) == len && memcmp(grp[j].prefix, p, len) == 0)
                break;
        if (j == n_grp || grp[j].w < 0)
        {
            char found[400] = "";
            size_t used = 0, k;
            for (k = 0; k < n_grp && used < sizeof found; k++)
                if (grp[k].w >= 0)
                    used += (size_t) snprintf(found + used, sizeof found - used, "%s'%s'",
                                              used ? ", " : "", grp[k].prefix);
            return fy_error_set(err, FY_EINPUT,
                                "%s: %s: no tensor '%.*s.weight' (or '.kernel'); the layer "
                                "prefixes in the file are %s", name,
                                opt_name(opts, FY_NET_OPT_LAYERS), (int) len, p,
                                found[0] ? found : "(none)");
        }
        if (grp[j].used)
            return fy_error_set(err, FY_EINPUT, "%s: %s names '%s' twice", name,
                                opt_name(opts, FY_NET_OPT_LAYERS), grp[j].prefix);
        grp[j].used = 1;
        order[(*n_order)++] = &grp[j];
        if (e == NULL)
            break;
        p = e + 1;
    }
    return FY_OK;
}

int fy_net_from_tensors(fy_net_t net, const fy_safetensors_t st, const char *name,
                        const fy_net_opts_t opts, fy_error_t err)
{
    entry_t *ent = NULL;
    group_t *grp = NULL, **order = NULL;
    const char **extra = NULL;
    size_t n_ent = 0, n_grp = 0, n_extra = 0, n_order = 0, i;
    fy_net_t out;
    int rc = FY_OK;
    char list[400];

    fy_net_init(out);
    out->format = FY_MODEL_SAFETENSORS;
    ent = fy_calloc(st->n ? st->n : 1, sizeof *ent, err);
    grp = fy_calloc(st->n ? st->n : 1, sizeof *grp, err);
    order = fy_calloc(st->n ? st->n : 1, sizeof *order, err);
    extra = fy_calloc(st->n ? st->n : 1, sizeof *extra, err);
    if (!ent || !grp || !order || !extra)
    {
        rc = FY_ENOMEM;
        goto done;
    }
    for (i = 0; i < st->n; i++)
    {
        size_t plen;
        int role = suffix_role(st->tensors[i].name, &plen);
        if (role < 0)
        {
            extra[n_extra++] = st->tensors[i].name;
            continue;
        }
        ent[n_ent].prefix = fy_io_strndup(st->tensors[i].name, plen, err);
        if (ent[n_ent].prefix == NULL)
        {
            rc = FY_ENOMEM;
            goto done;
        }
        ent[n_ent].role = role;
        ent[n_ent].idx = i;
        n_ent++;
    }
    qsort(ent, n_ent, sizeof *ent, entry_cmp);
    for (i = 0; i < n_ent; i++)
    {
        group_t *g;
        if (n_grp == 0 || strcmp(grp[n_grp - 1].prefix, ent[i].prefix) != 0)
        {
            g = &grp[n_grp++];
            g->prefix = ent[i].prefix;
            g->w = g->b = -1;
        }
        g = &grp[n_grp - 1];
        if (ent[i].role == ROLE_B)
            g->b = (long) ent[i].idx;
        else if (g->w >= 0)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: layer '%s' has both '%s' and '%s'; expected one weight", name,
                              g->prefix, st->tensors[g->w].name, st->tensors[ent[i].idx].name);
            goto done;
        }
        else
        {
            g->w = (long) ent[i].idx;
            g->kernel = ent[i].role == ROLE_K;
        }
    }
    if (opts->layers != NULL)
    {
        if ((rc = order_from_list(order, &n_order, grp, n_grp, name, opts, err)))
            goto done;
    }
    else
        for (i = 0; i < n_grp; i++)
            if (grp[i].w >= 0)
            {
                grp[i].used = 1;
                order[n_order++] = &grp[i];
            }
    for (i = 0; i < n_grp; i++)
        if (!grp[i].used)
        {
            if (grp[i].w >= 0)
                extra[n_extra++] = st->tensors[grp[i].w].name;
            if (grp[i].b >= 0)
                extra[n_extra++] = st->tensors[grp[i].b].name;
        }
    if (n_order == 0)
    {
        list_names(list, sizeof list, st, extra, n_extra);
        rc = fy_error_set(err, FY_EINPUT,
                          "%s: no layers found: expected 2-D tensors named PREFIX.weight (as in "
                          "PyTorch: '0.weight', 'fc1.weight', 'layers.0.weight'); the file has "
                          "%s%s", name, n_extra ? "" : "no tensors", list);
        goto done;
    }
    if (n_extra > 0)
    {
        list_names(list, sizeof list, st, extra, n_extra);
        if (!opts->ignore_extra)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "%s: %zu tensor%s that %s not part of a linear layer: %s; expected "
                              "only PREFIX.weight and PREFIX.bias (ignore the others with "
                              "%s, or name the layers with %s)",
                              name, n_extra, n_extra == 1 ? "" : "s",
                              n_extra == 1 ? "is" : "are", list,
                              opt_name(opts, FY_NET_OPT_IGNORE_EXTRA),
                              opt_name(opts, FY_NET_OPT_LAYERS));
            goto done;
        }
        for (i = 0; i < n_extra; i++)
            if ((rc = push_string(&out->ignored, &out->n_ignored, extra[i], err)))
                goto done;
        if ((rc = fy_net_note(out, err, "ignored %zu tensor%s: %s", n_extra,
                              n_extra == 1 ? "" : "s", list)))
            goto done;
    }
    if (n_order > FY_IO_MAX_LAYERS)
    {
        rc = fy_error_set(err, FY_EINPUT, "%s: %zu layers exceed the limit of %d", name, n_order,
                          FY_IO_MAX_LAYERS);
        goto done;
    }
    /* Shapes: validate everything before allocating the layers. */
    if ((rc = check_shapes(st, order, n_order, name, opts, err)))
        goto done;
    if ((rc = fill_layers(out, st, order, n_order, err)))
        goto done;
    {
        const char *al = fy_safetensors_meta(st, "feynn.activations");
        if (al == NULL)
            al = fy_safetensors_meta(st, "activation");
        rc = fy_net_finish(out, name, al, fy_safetensors_meta(st, "feynn.output_activation"),
                           "metadata", opts, err);
    }
done:
    for (i = 0; i < n_ent; i++)
        free(ent[i].prefix);
    free(ent);
    free(grp);
    free(order);
    free(extra);
    if (rc == FY_OK)
    {
        fy_net_clear(net);
        *net = *out;
    }
    else
        fy_net_clear(out);
    return rc;
}

/* ------------------------------------------------------------------ loading */

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), k = strlen(ext);
    return n > k && strcasecmp(path + n - k, ext) == 0;
}

static int looks_text(const uint8_t *buf, size_t len)
{
    size_t i = 0;
    for (;;)
    {
        while (i < len && isspace(buf[i]))
            i++;
        if (i < len && buf[i] == '#')
        {
            while (i < len && buf[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    return len - i >= 11 && memcmp(buf + i, "feynn-model", 11) == 0;
}

static int detect(fy_model_format_t *f, const uint8_t *buf, size_t len, const char *name,
                  const fy_net_opts_struct *opts,
                  fy_error_t err)
{
    if (len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0)
        *f = FY_MODEL_NPY;
    else if (looks_text(buf, len))
        *f = FY_MODEL_TEXT;
    else if (len >= 9 && buf[8] == '{')
        *f = FY_MODEL_SAFETENSORS;
    else if (len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0)
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: a zip archive (NumPy .npz?) is not read: save each "
                            "array as NAME.npy in a directory, or export safetensors", name);
    else if (has_ext(name, ".safetensors"))
        *f = FY_MODEL_SAFETENSORS;
    else if (has_ext(name, ".npy"))
        *f = FY_MODEL_NPY;
    else if (has_ext(name, ".txt") || has_ext(name, ".feynn") || has_ext(name, ".model"))
        *f = FY_MODEL_TEXT;
    else
        return fy_error_set(err, FY_EINPUT,
                            "%s: offset 0: unknown model format: expected safetensors, NumPy "
                            ".npy or the text format starting 'feynn-model 1' (or say which "
                            "with %s)", name, opt_name(opts, FY_NET_OPT_FORMAT));
    return FY_OK;
}

int fy_net_load_buffer(fy_net_t net, const uint8_t *buf, size_t len, const char *name,
                       const fy_net_opts_t opts, fy_error_t err)
{
    fy_model_format_t f = opts->format;
    fy_safetensors_t st;
    int rc;

    if (f == FY_MODEL_AUTO && (rc = detect(&f, buf, len, name, opts, err)) != FY_OK)
        return rc;
    if (f == FY_MODEL_TEXT)
        return fy_net_read_text_buffer(net, (const char *) buf, len, name, opts, err);
    fy_safetensors_init(st);
    if (f == FY_MODEL_NPY)
    {
        fy_npy_t a;
        fy_npy_init(a);
        rc = fy_npy_read_buffer(a, buf, len, name, err);
        if (rc == FY_OK)
            rc = fy_safetensors_add(st, "weight", a->dtype, a->ndim, a->shape, a->data, err);
        fy_npy_clear(a);
    }
    else
        rc = fy_safetensors_read_buffer(st, buf, len, name, err);
    if (rc == FY_OK)
        rc = fy_net_from_tensors(net, st, name, opts, err);
    if (rc == FY_OK)
        net->format = f;
    fy_safetensors_clear(st);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return fy_io_natcmp(*(char *const *) a, *(char *const *) b);
}

/* A directory of NAME.npy files (tensor NAME) and an optional metadata.json object of strings. */
static int load_npy_dir(fy_net_t net, const char *dir, const fy_net_opts_t opts, fy_error_t err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL, path[4096];
    size_t n = 0, i, total = 0;
    fy_safetensors_t st;
    int rc = FY_OK;

    if (d == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot open directory", dir);
    fy_safetensors_init(st);
    while ((e = readdir(d)) != NULL)
    {
        if (e->d_name[0] == '.' || !has_ext(e->d_name, ".npy"))
            continue;
        if (n == FY_IO_MAX_TENSORS)
        {
            rc = fy_error_set(err, FY_EINPUT, "%s: more than %d .npy files", dir,
                              FY_IO_MAX_TENSORS);
            break;
        }
        if ((rc = push_string(&names, &n, e->d_name, err)))
            break;
    }
    closedir(d);
    if (rc)
        goto done;
    if (n > 0)
        qsort(names, n, sizeof *names, name_cmp);
    for (i = 0; i < n; i++)
    {
        fy_npy_t a;
        char *data;
        size_t len;
        size_t nl = strlen(names[i]) - 4;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if ((rc = fy_file_read(&data, &len, path, FY_IO_MAX_FILE_BYTES - total, err)))
            goto done;
        total += len;
        fy_npy_init(a);
        rc = fy_npy_read_buffer(a, (const uint8_t *) data, len, path, err);
        free(data);
        names[i][nl] = '\0';
        if (rc == FY_OK)
            rc = fy_safetensors_add(st, names[i], a->dtype, a->ndim, a->shape, a->data, err);
        fy_npy_clear(a);
        if (rc)
            goto done;
    }
    snprintf(path, sizeof path, "%s/metadata.json", dir);
    {
        struct stat sb;
        if (stat(path, &sb) == 0)
        {
            json_error_t jerr;
            json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *v;
            const char *k;
            if (root == NULL || !json_is_object(root))
            {
                rc = fy_error_set(err, FY_EINPUT, "%s:%d:%d: %s", path, root ? 1 : jerr.line,
                                  root ? 1 : jerr.column,
                                  root ? "expected a JSON object of strings" : jerr.text);
                json_decref(root);
                goto done;
            }
            json_object_foreach(root, k, v)
            {
                if (!json_is_string(v))
                {
                    rc = fy_error_set(err, FY_EINPUT, "%s: entry \"%s\" must be a string", path,
                                      k);
                    break;
                }
                if ((rc = fy_safetensors_set_meta(st, k, json_string_value(v), err)))
                    break;
            }
            json_decref(root);
            if (rc)
                goto done;
        }
    }
    rc = fy_net_from_tensors(net, st, dir, opts, err);
    if (rc == FY_OK)
        net->format = FY_MODEL_NPY;
done:
    free_strings(names, n);
    fy_safetensors_clear(st);
    return rc;
}

int fy_net_load(fy_net_t net, const char *path, const fy_net_opts_t opts, fy_error_t err)
{
    struct stat sb;
    char *data;
    size_t len;
    int rc;

    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return load_npy_dir(net, path, opts, err);
    if ((rc = fy_file_read(&data, &len, path, FY_IO_MAX_FILE_BYTES, err)))
        return rc;
    rc = fy_net_load_buffer(net, (const uint8_t *) data, len, path, opts, err);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------ saving */

int fy_net_to_safetensors(fy_safetensors_t st, const fy_net_t net, fy_dtype_t dtype,
                          fy_error_t err)
{
    char name[64], buf[1024];
    int l, rc = FY_OK, H = net->L - 1, same = 1;
    size_t used = 0;

    if ((rc = fy_safetensors_set_meta(st, "format", "pt", err)))
        return rc;
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        size_t shape[2];
        shape[0] = ly->n_out;
        shape[1] = ly->n_in;
        snprintf(name, sizeof name, "%d.weight", 2 * l);
        if ((rc = fy_safetensors_add(st, name, dtype, 2, shape, ly->W, err)))
            return rc;
        snprintf(name, sizeof name, "%d.bias", 2 * l);
        if ((rc = fy_safetensors_add(st, name, dtype, 1, shape, ly->b, err)))
            return rc;
    }
    for (l = 0; l < H; l++)
    {
        if (net->layers[l].activation == NULL)
            break;
        if (strcmp(net->layers[l].activation, net->layers[0].activation) != 0)
            same = 0;
    }
    if (H > 0 && l == H)
    {
        char *list = fy_malloc((size_t) H, 65, err);
        size_t pos = 0;
        if (list == NULL)
            return FY_ENOMEM;
        for (l = 0; l < H; l++)
            pos += (size_t) sprintf(list + pos, "%s%s", l ? "," : "", net->layers[l].activation);
        rc = fy_safetensors_set_meta(st, "feynn.activations", list, err);
        free(list);
        if (rc == FY_OK && same)
            rc = fy_safetensors_set_meta(st, "activation", net->layers[0].activation, err);
        if (rc)
            return rc;
    }
    if (net->L > 0 && net->layers[net->L - 1].activation != NULL &&
        (rc = fy_safetensors_set_meta(st, "feynn.output_activation",
                                      net->layers[net->L - 1].activation, err)))
        return rc;
    for (l = 0; l <= net->L && used < sizeof buf && net->widths; l++)
        used += (size_t) snprintf(buf + used, sizeof buf - used, "%s%zu", l ? "-" : "",
                                  net->widths[l]);
    if (net->widths)
        rc = fy_safetensors_set_meta(st, "feynn.widths", buf, err);
    return rc;
}

int fy_net_save_safetensors(const char *path, const fy_net_t net, fy_dtype_t dtype,
                            fy_error_t err)
{
    fy_safetensors_t st;
    int rc;
    fy_safetensors_init(st);
    rc = fy_net_to_safetensors(st, net, dtype, err);
    if (rc == FY_OK)
        rc = fy_safetensors_write(path, st, err);
    else
        fy_error_prefix(err, "%s: ", path);
    fy_safetensors_clear(st);
    return rc;
}

static void put_exact(FILE *fp, const fmpq *q, double d, fmpq_t tmp)
{
    char *s;
    if (q == NULL)
    {
        fy_io_fmpq_set_d(tmp, d);
        q = tmp;
    }
    s = fmpq_get_str(NULL, 10, q);
    fputs(s, fp);
    flint_free(s);
}

static int plain_word(const char *s)
{
    size_t i;
    if (s == NULL || s[0] == '\0' || strlen(s) > 200)
        return 0;
    for (i = 0; s[i]; i++)
        if (isspace((unsigned char) s[i]) || s[i] == '#' || !isprint((unsigned char) s[i]))
            return 0;
    return 1;
}

int fy_net_write_text_buffer(char **text, size_t *len, const fy_net_t net, fy_error_t err)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    fmpq_t tmp;
    int l;

    *text = NULL;
    *len = 0;
    if (fp == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a text model");
    if (net->L < 1)
    {
        fclose(fp);
        free(buf);
        return fy_error_set(err, FY_EINPUT, "cannot write a network without layers");
    }
    fmpq_init(tmp);
    fprintf(fp, "# feynn model, exact values (see doc/model-format.md)\nfeynn-model 1\n"
                "input %zu\n", net->layers[0].n_in);
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        size_t r, c;
        fprintf(fp, "layer %zu", ly->n_out);
        if (ly->activation)
            fprintf(fp, " activation %s", ly->activation);
        if (plain_word(ly->name))
            fprintf(fp, " name %s", ly->name);
        fputc('\n', fp);
        for (r = 0; r < ly->n_out; r++)
        {
            for (c = 0; c < ly->n_in; c++)
            {
                size_t k = r * ly->n_in + c;
                if (c)
                    fputc(' ', fp);
                put_exact(fp, ly->W_exact ? ly->W_exact + k : NULL, ly->W[k], tmp);
            }
            fputc('\n', fp);
        }
        fputs("bias", fp);
        for (r = 0; r < ly->n_out; r++)
        {
            fputc(' ', fp);
            put_exact(fp, ly->b_exact ? ly->b_exact + r : NULL, ly->b[r], tmp);
        }
        fputc('\n', fp);
    }
    fmpq_clear(tmp);
    if (fclose(fp) != 0 || buf == NULL)
    {
        free(buf);
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a text model");
    }
    *text = buf;
    *len = size;
    return FY_OK;
}

int fy_net_save_text(const char *path, const fy_net_t net, fy_error_t err)
{
    char *text;
    size_t len;
    int rc = fy_net_write_text_buffer(&text, &len, net, err);
    if (rc)
        return fy_error_prefix(err, "%s: ", path);
    rc = fy_file_write_atomic(path, text, len, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ JSON description */

static json_t *str_or_null(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    return j ? j : json_null();
}

static json_t *tensor_json(const char *tensor, fy_dtype_t dtype, size_t d0, size_t d1, int ndim)
{
    json_t *o = json_object(), *sh = json_array();
    json_object_set_new(o, "tensor", str_or_null(tensor));
    json_array_append_new(sh, json_integer((json_int_t) d0));
    if (ndim == 2)
        json_array_append_new(sh, json_integer((json_int_t) d1));
    json_object_set_new(o, "shape", sh);
    json_object_set_new(o, "dtype", json_string(fy_dtype_name(dtype)));
    return o;
}

int fy_net_info_json(char **out, const fy_net_t net, int indent, fy_error_t err)
{
    json_t *root = json_object(), *widths = json_array(), *layers = json_array(),
           *notes = json_array(), *ign = json_array();
    char ws[512];
    int l;
    size_t i;

    *out = NULL;
    json_object_set_new(root, "file", str_or_null(net->source));
    json_object_set_new(root, "format", json_string(fy_model_format_name(net->format)));
    for (l = 0; l <= net->L && net->widths; l++)
        json_array_append_new(widths, json_integer((json_int_t) net->widths[l]));
    json_object_set_new(root, "widths", widths);
    json_object_set_new(root, "architecture", json_string(fy_net_widths_str(ws, sizeof ws, net)));
    json_object_set_new(root, "num_layers", json_integer(net->L));
    json_object_set_new(root, "hidden_layers", json_integer(net->L > 0 ? net->L - 1 : 0));
    json_object_set_new(root, "parameters", json_integer((json_int_t) fy_net_num_params(net)));
    json_object_set_new(root, "exact", json_boolean(net->exact));
    json_object_set_new(root, "activation_source", json_string(net->activation_source));
    json_object_set_new(root, "output_activation",
                        str_or_null(net->L > 0 ? net->layers[net->L - 1].activation : NULL));
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l];
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(l + 1));
        json_object_set_new(o, "name", str_or_null(ly->name));
        json_object_set_new(o, "inputs", json_integer((json_int_t) ly->n_in));
        json_object_set_new(o, "outputs", json_integer((json_int_t) ly->n_out));
        json_object_set_new(o, "weight",
                            ly->transposed
                                ? tensor_json(ly->w_tensor, ly->w_dtype, ly->n_in, ly->n_out, 2)
                                : tensor_json(ly->w_tensor, ly->w_dtype, ly->n_out, ly->n_in, 2));
        json_object_set_new(o, "bias", ly->b_tensor
                                           ? tensor_json(ly->b_tensor, ly->b_dtype, ly->n_out, 0, 1)
                                           : json_null());
        json_object_set_new(o, "transposed", json_boolean(ly->transposed));
        json_object_set_new(o, "activation", str_or_null(ly->activation));
        json_array_append_new(layers, o);
    }
    json_object_set_new(root, "layers", layers);
    for (i = 0; i < net->n_ignored; i++)
        json_array_append_new(ign, str_or_null(net->ignored[i]));
    json_object_set_new(root, "ignored_tensors", ign);
    for (i = 0; i < net->n_notes; i++)
        json_array_append_new(notes, str_or_null(net->notes[i]));
    json_object_set_new(root, "notes", notes);
    *out = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(indent) |
                                (indent == 0 ? JSON_COMPACT : 0));
    json_decref(root);
    if (*out == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing JSON");
    return FY_OK;
}
