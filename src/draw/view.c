/* The view of a diagram shared by DOT, TikZ and the expressions: tree structure, derivatives
 * carried by each line, levels, styles; and the cgraph graph built from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw/draw_impl.h"

void fy_draw_options_init(fy_draw_options_t opt)
{
    opt->top_level = -1;
    opt->arrows = -1;
    opt->layer_labels = 1;
    opt->no_factorial = 0;
    opt->name = NULL;
    opt->style = NULL;
    opt->style_ctx = NULL;
}

const char *fy_draw_kind_name(const fy_diagram_struct *d, int what, int kind)
{
    const fy_family_struct *f = d->family;
    const char *const *names = NULL;
    int n = 0;
    if (f == NULL || kind < 0)
        return "";
    if (what == FY_DRAW_VERTEX)
        names = f->vertex_kind_names, n = f->n_vertex_kinds;
    else if (what == FY_DRAW_LINE)
        names = f->line_kind_names, n = f->n_line_kinds;
    else
        names = f->leg_kind_names, n = f->n_leg_kinds;
    if (names == NULL || kind >= n || names[kind] == NULL)
        return "";
    return names[kind];
}

static int name_is(const char *name, const char *a, const char *b, const char *c)
{
    return strcmp(name, a) == 0 || (b && strcmp(name, b) == 0) || (c && strcmp(name, c) == 0);
}

/* A vertex drawn as a label (an external point, an input leaf, the output). */
static int is_point_kind(const char *name)
{
    return name_is(name, "point", "leaf", "input");
}

static int is_output_kind(const char *name)
{
    return name_is(name, "output", "out", NULL);
}

/* Rooted-tree check and derivative counts.  Lines are (u child, v parent). */
static int analyse_tree(fy_draw_view *v, fy_error_t err)
{
    const fy_diagram_struct *d = v->d;
    int i, *order = NULL, *leaves = NULL, head = 0, tail = 0, rc = FY_OK;

    if (d->root < 0 || d->root >= d->nv || d->nl != d->nv - 1)
        return fy_error_set(err, FY_EINPUT, "the diagram is not a rooted tree");
    v->parent = malloc((size_t) d->nv * sizeof *v->parent);
    v->kline = malloc(((size_t) d->nl + 1) * sizeof *v->kline);
    order = malloc((size_t) d->nv * sizeof *order);
    leaves = calloc((size_t) d->nv, sizeof *leaves);
    if (v->parent == NULL || v->kline == NULL || order == NULL || leaves == NULL)
    {
        rc = fy_error_set(err, FY_ENOMEM, "out of memory analysing a diagram");
        goto done;
    }
    for (i = 0; i < d->nv; i++)
        v->parent[i] = -1;
    for (i = 0; i < d->nl; i++)
    {
        int u = d->l[i].u;
        if (u == d->root || v->parent[u] >= 0 || d->l[i].u == d->l[i].v)
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "the diagram is not a rooted tree (vertex %d has two parents, or "
                              "the root has one)", u);
            goto done;
        }
        v->parent[u] = i;
    }
    /* Breadth-first from the root along child lines; reaching every vertex proves a tree. */
    order[tail++] = d->root;
    while (head < tail)
    {
        int x = order[head++];
        for (i = 0; i < d->nl; i++)
            if (d->l[i].v == x)
                order[tail++] = d->l[i].u;
    }
    if (tail != d->nv)
    {
        rc = fy_error_set(err, FY_EINPUT, "the diagram is not a rooted tree (disconnected)");
        goto done;
    }
    for (i = 0; i < d->nlegs; i++)
        if (!v->leg_is_output[i])
            leaves[d->leg[i].vertex]++;
    for (i = tail - 1; i >= 0; i--)
    {
        int x = order[i], j, children = 0;
        for (j = 0; j < d->nl; j++)
            if (d->l[j].v == x)
                children++;
        if (children == 0 && leaves[x] == 0 && !is_output_kind(fy_draw_kind_name(d, FY_DRAW_VERTEX, d->v[x].kind)))
            leaves[x] = 1; /* a leaf vertex */
        if (v->parent[x] >= 0)
        {
            v->kline[v->parent[x]] = leaves[x];
            leaves[d->l[v->parent[x]].v] += leaves[x];
        }
    }
    v->nleaves = leaves[d->root];
    v->kline[d->nl] = v->nleaves; /* the output line, when drawn */
done:
    free(order);
    free(leaves);
    return rc;
}

static int has_children(const fy_diagram_struct *d, int x)
{
    int i;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].v == x)
            return 1;
    return 0;
}

/* Leg display slots: the label when labelled, else the order of a depth-first walk. */
static void number_legs(fy_draw_view *v)
{
    const fy_diagram_struct *d = v->d;
    int i, next = 1;
    for (i = 0; i < d->nlegs; i++)
        v->leg_slot[i] = -1;
    for (i = 0; i < d->nlegs; i++)
        if (d->leg[i].label != FY_LEG_UNLABELLED)
        {
            v->leg_slot[i] = d->leg[i].label;
            if (d->leg[i].label >= next)
                next = d->leg[i].label + 1;
        }
    if (v->tree && v->parent != NULL)
    {
        /* Trees: pre-order from the root, a vertex's own legs before its children's. */
        int *stack = malloc(((size_t) d->nv + 1) * sizeof *stack), top = 0;
        if (stack != NULL)
        {
            stack[top++] = d->root;
            while (top > 0)
            {
                int x = stack[--top];
                for (i = 0; i < d->nlegs; i++)
                    if (d->leg[i].vertex == x && v->leg_slot[i] < 0 && !v->leg_is_output[i])
                        v->leg_slot[i] = next++;
                /* Pushed in reverse, so popped in line order, leaf children first (the
                 * order of the expressions). */
                int pass;
                for (pass = 0; pass < 2; pass++)
                    for (i = d->nl - 1; i >= 0; i--)
                        if (d->l[i].v == x && has_children(d, d->l[i].u) == (pass == 0))
                            stack[top++] = d->l[i].u;
            }
            free(stack);
        }
    }
    for (i = 0; i < d->nlegs; i++)
        if (v->leg_slot[i] < 0 && !v->leg_is_output[i])
            v->leg_slot[i] = next++;
}

int fy_draw_view_init(fy_draw_view *v, const fy_diagram_t d, const fy_draw_options_struct *opt,
                      fy_error_t err)
{
    int i, rc;
    memset(v, 0, sizeof *v);
    v->d = d;
    v->opt = opt;
    v->theory = d->family && d->family->theory ? d->family->theory : "";
    v->layered = d->nv > 0;
    v->minlevel = 0;
    v->maxlevel = 0;
    for (i = 0; i < d->nv; i++)
    {
        if (d->v[i].level < 0)
            v->layered = 0;
        if (i == 0 || d->v[i].level < v->minlevel)
            v->minlevel = d->v[i].level;
        if (i == 0 || d->v[i].level > v->maxlevel)
            v->maxlevel = d->v[i].level;
    }
    v->leg_slot = malloc(((size_t) d->nlegs + 1) * sizeof *v->leg_slot);
    v->leg_is_output = malloc(((size_t) d->nlegs + 1) * sizeof *v->leg_is_output);
    if (v->leg_slot == NULL || v->leg_is_output == NULL)
    {
        fy_draw_view_clear(v);
        return fy_error_set(err, FY_ENOMEM, "out of memory analysing a diagram");
    }
    for (i = 0; i < d->nlegs; i++)
    {
        if (d->leg[i].vertex < 0 || d->leg[i].vertex >= d->nv)
        {
            fy_draw_view_clear(v);
            return fy_error_set(err, FY_EINPUT, "leg %d names vertex %d outside 0..%d", i,
                                d->leg[i].vertex, d->nv - 1);
        }
        v->leg_is_output[i] = is_output_kind(fy_draw_kind_name(d, FY_DRAW_LEG, d->leg[i].kind));
    }
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u < 0 || d->l[i].v < 0 || d->l[i].u >= d->nv || d->l[i].v >= d->nv)
        {
            fy_draw_view_clear(v);
            return fy_error_set(err, FY_EINPUT, "line %d names a vertex outside 0..%d", i,
                                d->nv - 1);
        }
    v->tree = d->family != NULL && d->family->rooted && d->root >= 0;
    if (v->tree)
    {
        rc = analyse_tree(v, err);
        if (rc != FY_OK)
        {
            fy_draw_view_clear(v);
            return rc;
        }
        if (v->layered)
        {
            int rl = d->v[d->root].level;
            int rootout = is_output_kind(fy_draw_kind_name(d, FY_DRAW_VERTEX, d->v[d->root].kind));
            if (rootout || (rl == v->maxlevel && (rl > v->minlevel || strcmp(v->theory, "mlp") == 0)))
            {
                v->orient = 1;
                v->top = opt->top_level >= 0 ? opt->top_level : (rootout ? rl : v->maxlevel + 1);
                if (v->top < v->maxlevel)
                {
                    fy_draw_view_clear(v);
                    return fy_error_set(err, FY_EINPUT,
                                        "output layer %d is below a vertex at layer %d", v->top,
                                        v->maxlevel);
                }
                v->extra_output = rl < v->top;
                for (i = 0; i < d->nl; i++)
                    if (d->v[d->l[i].u].level >= d->v[d->l[i].v].level)
                    {
                        fy_draw_view_clear(v);
                        return fy_error_set(err, FY_EINPUT,
                                            "line %d goes from layer %d down to layer %d; layers "
                                            "must increase from child to parent",
                                            i, d->v[d->l[i].u].level, d->v[d->l[i].v].level);
                    }
            }
            else
            {
                v->orient = -1;
                v->top = opt->top_level > v->maxlevel ? opt->top_level : v->maxlevel + 1;
            }
        }
    }
    number_legs(v);
    v->arrows = opt->arrows >= 0 ? opt->arrows : v->orient == 1;
    return FY_OK;
}

void fy_draw_view_clear(fy_draw_view *v)
{
    free(v->kline);
    free(v->parent);
    free(v->leg_slot);
    free(v->leg_is_output);
    v->kline = v->parent = v->leg_slot = v->leg_is_output = NULL;
}

/* ------------------------------------------------------------------ styles */

static int is_tree_theory(const fy_draw_view *v)
{
    return v->orient == 1;
}

int fy_draw_style(fy_draw_style_struct *st, const fy_draw_view *v, int what, int kind,
                  fy_error_t err)
{
    const char *name = fy_draw_kind_name(v->d, what, kind);
    fy_draw_style_struct user = {NULL, NULL, NULL, FY_DRAW_ARROWS_DEFAULT};
    int born = strcmp(v->theory, "born") == 0;

    if (v->opt->style != NULL)
    {
        int rc = v->opt->style(&user, v->opt->style_ctx, v->d->family, what, kind, err);
        if (rc != FY_OK)
            return rc;
    }
    /* Built-in defaults: the look of [KM]'s figures for trees, plain lines for graphs. */
    st->dot = "";
    st->tikz = "";
    st->arrows = FY_DRAW_ARROWS_NONE;
    if (what == FY_DRAW_VERTEX)
    {
        if (is_output_kind(name))
            st->latex = "F";
        else if (is_point_kind(name))
            st->latex = "x_{%i}";
        else if (is_tree_theory(v) && strcmp(v->theory, "mlp") == 0)
            st->latex = "\\sigma^{(%k)}_{%l}";
        else if (born)
            st->latex = "U";
        else if (strcmp(name, "action") == 0)
            st->latex = "A^{(%k)}";
        else if (strcmp(name, "split") == 0)
            st->latex = "G^{(%l)}";
        else if (strcmp(name, "logdet") == 0)
            st->latex = "\\gamma";
        else if (strcmp(name, "phi4") == 0)
            st->latex = "\\lambda";
        else if (strcmp(name, "phi6") == 0)
            st->latex = "\\kappa";
        else if (strncmp(name, "phi", 3) == 0)
            st->latex = "g_{%k}";
        else
            st->latex = *name ? name : "V";
    }
    else if (what == FY_DRAW_LINE)
    {
        if (is_tree_theory(v))
        {
            st->latex = "D^{(%l,%m)}";
            st->arrows = FY_DRAW_ARROWS_PER_DERIVATIVE;
        }
        else if (born)
            st->latex = "\\frac{1}{\\max}";
        else
            st->latex = "K";
    }
    else
    {
        if (is_output_kind(name))
            st->latex = "F";
        else if (born)
            st->latex = "";
        else
            st->latex = "x_{%i}";
        if (is_tree_theory(v))
            st->arrows = FY_DRAW_ARROWS_PER_DERIVATIVE;
    }
    if (user.dot != NULL)
        st->dot = user.dot;
    if (user.tikz != NULL)
        st->tikz = user.tikz;
    if (user.latex != NULL && user.latex[0])
        st->latex = user.latex;
    if (user.arrows != FY_DRAW_ARROWS_DEFAULT)
        st->arrows = user.arrows;
    return FY_OK;
}

/* ------------------------------------------------------------------ names */

void fy_draw_neuron_name(char *buf, size_t n, int idx, int latex)
{
    static const char letters[] = "abcdefgh";
    if (idx < 8)
        snprintf(buf, n, "%c", letters[idx]);
    else
        snprintf(buf, n, latex ? "a_{%d}" : "a%d", idx + 1);
}

void fy_draw_slot_name(char *buf, size_t n, int slot, int latex)
{
    /* Slots count from 1.  m, n and o are avoided: m names layers, n the order, o looks
     * like 0. */
    static const char letters[] = "ijklpqrstuvw";
    if (slot >= 1 && slot <= 12)
        snprintf(buf, n, "%c", letters[slot - 1]);
    else
        snprintf(buf, n, latex ? "i_{%d}" : "i%d", slot);
}

void fy_draw_expand(char *buf, size_t n, const char *tmpl, int k, int l, int m, const char *istr)
{
    size_t o = 0;
    const char *p;
    if (n == 0)
        return;
    for (p = tmpl; *p && o + 1 < n; p++)
    {
        char tmp[32];
        const char *ins = NULL;
        if (*p == '%' && p[1])
        {
            p++;
            switch (*p)
            {
            case 'k':
                if (k >= 0)
                    snprintf(tmp, sizeof tmp, "%d", k), ins = tmp;
                else
                    ins = "k";
                break;
            case 'l':
                if (l >= 0)
                    snprintf(tmp, sizeof tmp, "%d", l), ins = tmp;
                else
                    ins = "l";
                break;
            case 'm':
                if (m >= 0)
                    snprintf(tmp, sizeof tmp, "%d", m), ins = tmp;
                else
                    ins = "m";
                break;
            case 'i':
                ins = istr ? istr : "i";
                break;
            case '%':
                ins = "%";
                break;
            default:
                tmp[0] = '%', tmp[1] = *p, tmp[2] = '\0', ins = tmp;
            }
            while (*ins && o + 1 < n)
                buf[o++] = *ins++;
        }
        else
            buf[o++] = *p;
    }
    buf[o] = '\0';
}
