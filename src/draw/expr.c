/* Symbolic expressions of diagrams, in LaTeX and plain text.
 *   MLP trees (MATH.md 1.2-1.3): sum over the neurons a, b, ... of the internal vertices of
 *     D^(L,m)_{1a} sigma^(k)_m(z_a) D^(m,0)_{ai} ..., walking down from the output; a vertex
 *     with k children carries sigma^(k) (written sigma'' and sigma''' for k = 2, 3).
 *   INN trees (MATH.md 3.3): the tensor contraction A^(k)_{i .. b_1 ..} G_{b_1 j k} ...
 *   Born ladders (MATH.md 2.2): the nested integral over r_1 .. r_n of r_k^2 U(r_k) joined by
 *     1/max(r_k, r_{k+1}).
 *   Feynman graphs (MATH.md 4.3): the integral over the interaction points y_1 .. of the
 *     coupling factors and the propagators K between points x_i and vertices y_j. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw/draw_impl.h"

#define BUILTIN_SIGMA "\\sigma^{(%k)}_{%l}"

static const char *vkind(const fy_draw_view *v, int i)
{
    return fy_draw_kind_name(v->d, FY_DRAW_VERTEX, v->d->v[i].kind);
}

static int is_label_vertex(const fy_draw_view *v, int i)
{
    const char *n = vkind(v, i);
    return strcmp(n, "input") == 0 || strcmp(n, "leaf") == 0 || strcmp(n, "point") == 0;
}

static int is_output_vertex(const fy_draw_view *v, int i)
{
    const char *n = vkind(v, i);
    return strcmp(n, "output") == 0 || strcmp(n, "out") == 0;
}

static int first_leg(const fy_draw_view *v, int i)
{
    int j;
    for (j = 0; j < v->d->nlegs; j++)
        if (v->d->leg[j].vertex == i && !v->leg_is_output[j])
            return j;
    return -1;
}

static int nchildren(const fy_draw_view *v, int x)
{
    int j, c = 0;
    for (j = 0; j < v->d->nl; j++)
        if (v->d->l[j].v == x)
            c++;
    for (j = 0; j < v->d->nlegs; j++)
        if (v->d->leg[j].vertex == x && !v->leg_is_output[j])
            c++;
    return c;
}

/* ------------------------------------------------------------------ MLP trees */

typedef struct
{
    const fy_draw_view *v;
    int latex;
    fy_draw_sb *b;
    char (*idx)[32]; /* index name per vertex */
    int nneurons;
    fy_error_t *errp;
    int rc;
} mlp_ctx;

static void mlp_prop(mlp_ctx *c, int l, int m, const char *i1, const char *i2)
{
    if (c->latex)
    {
        fy_draw_style_struct st;
        char sym[128];
        if (fy_draw_style(&st, c->v, FY_DRAW_LINE, 0, NULL) != FY_OK)
            st.latex = "D^{(%l,%m)}";
        fy_draw_expand(sym, sizeof sym, st.latex, -1, l, m, NULL);
        fy_draw_sb_printf(c->b, "%s_{%s%s}", sym, i1, i2);
    }
    else
        fy_draw_sb_printf(c->b, "D^(%d,%d)_{%s%s}", l, m, i1, i2);
}

static void mlp_sep(mlp_ctx *c)
{
    fy_draw_sb_puts(c->b, c->latex ? "\\," : " ");
}

/* Lines into x, leaf lines first (each group in line order). */
static void mlp_visit(mlp_ctx *c, int x)
{
    const fy_diagram_struct *d = c->v->d;
    int level = d->v[x].level, j, pass;
    char slot[32];

    if (!is_label_vertex(c->v, x) && !is_output_vertex(c->v, x))
    {
        int k = nchildren(c->v, x);
        fy_draw_style_struct st;
        mlp_sep(c);
        if (fy_draw_style(&st, c->v, FY_DRAW_VERTEX, d->v[x].kind, NULL) != FY_OK)
            st.latex = BUILTIN_SIGMA;
        if (!c->latex)
        {
            if (k == 2 || k == 3)
                fy_draw_sb_printf(c->b, "sigma%s_%d(z_%s)", k == 2 ? "''" : "'''", level,
                                  c->idx[x]);
            else
                fy_draw_sb_printf(c->b, "sigma^(%d)_%d(z_%s)", k, level, c->idx[x]);
        }
        else if (strcmp(st.latex, BUILTIN_SIGMA) == 0 && (k == 2 || k == 3))
            fy_draw_sb_printf(c->b, "\\sigma%s_{%d}(z_{%s})", k == 2 ? "''" : "'''", level,
                              c->idx[x]);
        else
        {
            char sym[128];
            fy_draw_expand(sym, sizeof sym, st.latex, k, level, -1, NULL);
            fy_draw_sb_printf(c->b, "%s(z_{%s})", sym, c->idx[x]);
        }
    }
    /* Legs hung directly on x (hand-built trees without input vertices). */
    for (j = 0; j < d->nlegs; j++)
        if (d->leg[j].vertex == x && !c->v->leg_is_output[j] && !is_label_vertex(c->v, x))
        {
            fy_draw_slot_name(slot, sizeof slot, c->v->leg_slot[j], c->latex);
            mlp_sep(c);
            mlp_prop(c, level, 0, c->idx[x], slot);
        }
    for (pass = 0; pass < 2; pass++)
        for (j = 0; j < d->nl; j++)
        {
            int u = d->l[j].u;
            if (d->l[j].v != x || is_label_vertex(c->v, u) != (pass == 0))
                continue;
            mlp_sep(c);
            mlp_prop(c, level, d->v[u].level, c->idx[x], c->idx[u]);
            mlp_visit(c, u);
        }
}

/* Neuron names in the order the walk meets the vertices (pre-order, leaves first). */
static void mlp_name(mlp_ctx *c, int x)
{
    const fy_diagram_struct *d = c->v->d;
    int j, pass;
    if (is_output_vertex(c->v, x))
        snprintf(c->idx[x], sizeof c->idx[x], "1");
    else if (is_label_vertex(c->v, x))
    {
        int leg = first_leg(c->v, x);
        if (leg >= 0)
            fy_draw_slot_name(c->idx[x], sizeof c->idx[x], c->v->leg_slot[leg], c->latex);
        else
            snprintf(c->idx[x], sizeof c->idx[x], "i");
    }
    else
        fy_draw_neuron_name(c->idx[x], sizeof c->idx[x], c->nneurons++, c->latex);
    for (pass = 0; pass < 2; pass++)
        for (j = 0; j < d->nl; j++)
            if (d->l[j].v == x && is_label_vertex(c->v, d->l[j].u) == (pass == 0))
                mlp_name(c, d->l[j].u);
}

static int expr_mlp(fy_draw_sb *b, const fy_draw_view *v, int latex, fy_error_t err)
{
    const fy_diagram_struct *d = v->d;
    mlp_ctx c;
    fy_draw_sb body;
    int root = d->root, i;

    c.v = v;
    c.latex = latex;
    c.nneurons = 0;
    c.idx = calloc((size_t) d->nv + 1, sizeof *c.idx);
    if (c.idx == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing an expression");
    mlp_name(&c, root);
    fy_draw_sb_init(&body);
    c.b = &body;
    if (is_output_vertex(v, root))
    {
        /* The output's own line(s): D^(L,m)_{1a}. */
        mlp_visit(&c, root);
    }
    else
    {
        mlp_sep(&c);
        mlp_prop(&c, v->top, d->v[root].level, "1", c.idx[root]);
        mlp_visit(&c, root);
    }
    if (c.nneurons > 0)
    {
        fy_draw_sb_puts(b, latex ? "\\sum_{" : "sum_{");
        for (i = 0; i < c.nneurons; i++)
        {
            char nm[32];
            fy_draw_neuron_name(nm, sizeof nm, i, latex);
            fy_draw_sb_printf(b, "%s%s", i ? "," : "", nm);
        }
        fy_draw_sb_puts(b, "} ");
    }
    /* body starts with a separator */
    if (body.s != NULL)
        fy_draw_sb_puts(b, body.s + (latex ? 2 : 1));
    if (body.oom)
        b->oom = 1;
    fy_draw_sb_clear(&body);
    free(c.idx);
    return FY_OK;
}

/* ------------------------------------------------------------------ INN (tensor) trees */

static void tensor_visit(fy_draw_sb *b, const fy_draw_view *v, int latex, int x, int pline,
                         int *nb, int *line_b)
{
    const fy_diagram_struct *d = v->d;
    fy_draw_style_struct st;
    const char *kn = vkind(v, x);
    char sym[128], slot[32];
    int j, k = nchildren(v, x);

    if (fy_draw_style(&st, v, FY_DRAW_VERTEX, d->v[x].kind, NULL) != FY_OK)
        st.latex = kn;
    for (j = 0; j < d->nl; j++)
        if (d->l[j].v == x)
            line_b[j] = ++*nb;
    if (strcmp(kn, "logdet") == 0)
    {
        /* diagonal vertex: gamma_i^k delta_{i i' ...} */
        if (latex)
        {
            fy_draw_sb_puts(b, "\\delta_{");
            for (j = 0; j < d->nlegs; j++)
                if (d->leg[j].vertex == x)
                {
                    fy_draw_slot_name(slot, sizeof slot, v->leg_slot[j], 1);
                    fy_draw_sb_puts(b, slot);
                }
            fy_draw_slot_name(slot, sizeof slot, 1, 1);
            fy_draw_sb_printf(b, "}\\,\\gamma_{%s}^{%d}", slot, k);
        }
        else
        {
            fy_draw_sb_puts(b, "delta_{");
            for (j = 0; j < d->nlegs; j++)
                if (d->leg[j].vertex == x)
                {
                    fy_draw_slot_name(slot, sizeof slot, v->leg_slot[j], 0);
                    fy_draw_sb_puts(b, slot);
                }
            fy_draw_slot_name(slot, sizeof slot, 1, 0);
            fy_draw_sb_printf(b, "} gamma_%s^%d", slot, k);
        }
        return;
    }
    if (latex)
        fy_draw_expand(sym, sizeof sym, st.latex, k, d->v[x].level, -1, NULL);
    else if (strcmp(kn, "action") == 0)
        snprintf(sym, sizeof sym, "A^(%d)", k);
    else if (strcmp(kn, "split") == 0)
        snprintf(sym, sizeof sym, "G^(%d)", d->v[x].level);
    else
        snprintf(sym, sizeof sym, "%s", kn);
    fy_draw_sb_printf(b, "%s_{", sym);
    {
        const char *sep = (latex ? "" : " ");
        int first = 1;
        if (pline >= 0)
        {
            fy_draw_sb_printf(b, latex ? "b_{%d}" : "b%d", line_b[pline]);
            first = 0;
        }
        for (j = 0; j < d->nlegs; j++)
            if (d->leg[j].vertex == x)
            {
                fy_draw_slot_name(slot, sizeof slot, v->leg_slot[j], latex);
                fy_draw_sb_printf(b, "%s%s", first ? "" : sep, slot);
                first = 0;
            }
        for (j = 0; j < d->nl; j++)
            if (d->l[j].v == x)
            {
                fy_draw_sb_printf(b, latex ? "%sb_{%d}" : "%sb%d", first ? "" : sep, line_b[j]);
                first = 0;
            }
    }
    fy_draw_sb_puts(b, "}");
    for (j = 0; j < d->nl; j++)
        if (d->l[j].v == x)
        {
            fy_draw_sb_puts(b, latex ? "\\," : " ");
            tensor_visit(b, v, latex, d->l[j].u, j, nb, line_b);
        }
}

static int expr_tensor(fy_draw_sb *b, const fy_draw_view *v, int latex, fy_error_t err)
{
    int nb = 0, i, *line_b = calloc((size_t) v->d->nl + 1, sizeof *line_b);
    fy_draw_sb body;
    if (line_b == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing an expression");
    fy_draw_sb_init(&body);
    tensor_visit(&body, v, latex, v->d->root, -1, &nb, line_b);
    if (nb > 0)
    {
        fy_draw_sb_puts(b, latex ? "\\sum_{" : "sum_{");
        for (i = 1; i <= nb; i++)
            fy_draw_sb_printf(b, latex ? "%sb_{%d}" : "%sb%d", i > 1 ? "," : "", i);
        fy_draw_sb_puts(b, "} ");
    }
    if (body.s)
        fy_draw_sb_puts(b, body.s);
    if (body.oom)
        b->oom = 1;
    fy_draw_sb_clear(&body);
    free(line_b);
    return FY_OK;
}

/* ------------------------------------------------------------------ Born ladders */

/* Order of the vertices along a chain, or -1 when the graph is not a simple path. */
static int chain_order(int *ord, const fy_diagram_struct *d)
{
    int i, start = -1, n = 0, prev = -1, cur;
    int *deg = calloc((size_t) d->nv + 1, sizeof *deg);
    if (deg == NULL)
        return -1;
    for (i = 0; i < d->nl; i++)
    {
        if (d->l[i].u == d->l[i].v)
        {
            free(deg);
            return -1;
        }
        deg[d->l[i].u]++;
        deg[d->l[i].v]++;
    }
    for (i = 0; i < d->nv; i++)
    {
        if (deg[i] > 2)
            start = -2;
        if (deg[i] <= 1 && start == -1)
            start = i;
    }
    free(deg);
    if (start < 0 || d->nl != d->nv - 1)
        return -1;
    cur = start;
    while (cur >= 0 && n < d->nv)
    {
        int next = -1;
        ord[n++] = cur;
        for (i = 0; i < d->nl; i++)
        {
            int o = d->l[i].u == cur ? d->l[i].v : d->l[i].v == cur ? d->l[i].u : -1;
            if (o >= 0 && o != prev)
                next = o;
        }
        prev = cur;
        cur = next;
    }
    return n == d->nv ? 0 : -1;
}

static int expr_born(fy_draw_sb *b, const fy_draw_view *v, int latex, fy_error_t err)
{
    const fy_diagram_struct *d = v->d;
    int *ord = malloc(((size_t) d->nv + 1) * sizeof *ord), k;
    if (ord == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing an expression");
    if (chain_order(ord, d) != 0)
    {
        free(ord);
        return fy_error_set(err, FY_EINPUT, "a Born diagram must be a chain of insertions");
    }
    for (k = 1; k <= d->nv; k++)
    {
        if (latex)
        {
            fy_draw_sb_printf(b, "%s\\int_0^R \\! dr_{%d}\\,", k > 1 ? "\\," : "", k);
            if (k == 1)
                fy_draw_sb_puts(b, "r_{1}^{2}U(r_{1})");
            else
                fy_draw_sb_printf(b, "\\frac{r_{%d}^{2}U(r_{%d})}{\\max(r_{%d},r_{%d})}", k, k,
                                  k - 1, k);
        }
        else
        {
            fy_draw_sb_printf(b, "%sint_0^R dr%d ", k > 1 ? " " : "", k);
            if (k == 1)
                fy_draw_sb_puts(b, "r1^2 U(r1)");
            else
                fy_draw_sb_printf(b, "r%d^2 U(r%d)/max(r%d,r%d)", k, k, k - 1, k);
        }
    }
    free(ord);
    return FY_OK;
}

/* ------------------------------------------------------------------ Feynman graphs */

static void position(char *buf, size_t n, const fy_draw_view *v, const int *ynum, int x, int latex)
{
    if (is_label_vertex(v, x))
    {
        int leg = first_leg(v, x);
        int s = leg >= 0 ? v->leg_slot[leg] : 0;
        snprintf(buf, n, latex ? "x_{%d}" : "x%d", s);
    }
    else
        snprintf(buf, n, latex ? "y_{%d}" : "y%d", ynum[x]);
}

static void coupling_text(char *buf, size_t n, const fy_draw_view *v, int x, int latex)
{
    const fy_diagram_struct *d = v->d;
    const char *kn = vkind(v, x);
    int k = d->v[x].valence;
    char sym[128], fact[32] = "";
    fy_draw_style_struct st;
    if (strncmp(kn, "phi", 3) == 0 && kn[3])
        k = atoi(kn + 3);
    if (latex)
    {
        if (fy_draw_style(&st, v, FY_DRAW_VERTEX, d->v[x].kind, NULL) != FY_OK)
            st.latex = "g";
        fy_draw_expand(sym, sizeof sym, st.latex, k, d->v[x].level, -1, NULL);
        if (v->opt->no_factorial)
            snprintf(fact, sizeof fact, "%d!\\,", k);
    }
    else
    {
        if (k == 4)
            snprintf(sym, sizeof sym, "lambda");
        else if (k == 6)
            snprintf(sym, sizeof sym, "kappa");
        else
            snprintf(sym, sizeof sym, "g%d", k);
        if (v->opt->no_factorial)
            snprintf(fact, sizeof fact, "%d! ", k);
    }
    snprintf(buf, n, "(-%s%s)", fact, sym);
}

static int expr_graph(fy_draw_sb *b, const fy_draw_view *v, int latex, fy_error_t err)
{
    const fy_diagram_struct *d = v->d;
    int *ynum = calloc((size_t) d->nv + 1, sizeof *ynum), *done, ny = 0, i, j, any = 0;
    fy_draw_style_struct st;
    char psym[128], a[48], c[48], t1[160], t2[160];

    done = calloc((size_t) (d->nl > d->nv ? d->nl : d->nv) + 1, sizeof *done);
    if (ynum == NULL || done == NULL)
    {
        free(ynum);
        free(done);
        return fy_error_set(err, FY_ENOMEM, "out of memory writing an expression");
    }
    for (i = 0; i < d->nv; i++)
        if (!is_label_vertex(v, i))
            ynum[i] = ++ny;
    if (ny > 0)
    {
        if (latex)
            fy_draw_sb_puts(b, "\\int ");
        else
            fy_draw_sb_puts(b, "int ");
        for (i = 1; i <= ny; i++)
            fy_draw_sb_printf(b, latex ? "d^{d}y_{%d}\\," : "dy%d ", i);
        if (latex)
            fy_draw_sb_puts(b, "\\; ");
    }
    /* Coupling factors, equal ones gathered into a power. */
    for (i = 0; i < d->nv; i++)
    {
        int p = 1;
        if (is_label_vertex(v, i) || done[i])
            continue;
        coupling_text(t1, sizeof t1, v, i, latex);
        for (j = i + 1; j < d->nv; j++)
            if (!is_label_vertex(v, j) && !done[j])
            {
                coupling_text(t2, sizeof t2, v, j, latex);
                if (strcmp(t1, t2) == 0)
                    p++, done[j] = 1;
            }
        if (any)
            fy_draw_sb_puts(b, latex ? "\\," : " ");
        fy_draw_sb_puts(b, t1);
        if (p > 1)
            fy_draw_sb_printf(b, latex ? "^{%d}" : "^%d", p);
        any = 1;
    }
    memset(done, 0, ((size_t) (d->nl > d->nv ? d->nl : d->nv) + 1) * sizeof *done);
    if (fy_draw_style(&st, v, FY_DRAW_LINE, 0, NULL) != FY_OK)
        st.latex = "K";
    fy_draw_expand(psym, sizeof psym, st.latex, -1, -1, -1, NULL);
    /* Propagators, parallel lines gathered into a power; points before vertices. */
    for (i = 0; i < d->nl; i++)
    {
        int p = 1, u = d->l[i].u, w = d->l[i].v;
        if (done[i])
            continue;
        for (j = i + 1; j < d->nl; j++)
            if (!done[j] && ((d->l[j].u == u && d->l[j].v == w) ||
                             (d->l[j].u == w && d->l[j].v == u)))
                p++, done[j] = 1;
        if (!is_label_vertex(v, u) && is_label_vertex(v, w))
        {
            int t = u;
            u = w;
            w = t;
        }
        else if (is_label_vertex(v, u) == is_label_vertex(v, w) && ynum[u] > ynum[w])
        {
            int t = u;
            u = w;
            w = t;
        }
        position(a, sizeof a, v, ynum, u, latex);
        position(c, sizeof c, v, ynum, w, latex);
        if (any)
            fy_draw_sb_puts(b, latex ? "\\," : " ");
        fy_draw_sb_printf(b, "%s(%s,%s)", latex ? psym : "K", a, c);
        if (p > 1)
            fy_draw_sb_printf(b, latex ? "^{%d}" : "^%d", p);
        any = 1;
    }
    if (!any)
        fy_draw_sb_puts(b, "1");
    free(ynum);
    free(done);
    return FY_OK;
}

int fy_draw_expr(char **out, const fy_diagram_t d, int latex, const fy_draw_options_t opt,
                 fy_error_t err)
{
    fy_draw_view v;
    fy_draw_sb b;
    int rc;

    *out = NULL;
    if ((rc = fy_draw_view_init(&v, d, opt, err)) != FY_OK)
        return rc;
    fy_draw_sb_init(&b);
    if (v.orient == 1)
        rc = expr_mlp(&b, &v, latex, err);
    else if (v.tree)
        rc = expr_tensor(&b, &v, latex, err);
    else if (strcmp(v.theory, "born") == 0)
        rc = expr_born(&b, &v, latex, err);
    else
        rc = expr_graph(&b, &v, latex, err);
    fy_draw_view_clear(&v);
    if (rc != FY_OK)
    {
        fy_draw_sb_clear(&b);
        return rc;
    }
    return fy_draw_sb_take(out, &b, err);
}

/* ------------------------------------------------------------------ readable shapes */

/* Nested layers of a rooted tree: "3(2(x x) x)" (a vertex at layer 3 with a layer-2 vertex
 * carrying two derivatives and one derivative of its own); other vertex kinds carry their
 * name before the layer. */
static void shape_tree(fy_draw_sb *b, const fy_draw_view *v, int x)
{
    const fy_diagram_struct *d = v->d;
    const char *kn = vkind(v, x);
    int j, first = 1;
    if (is_label_vertex(v, x))
    {
        fy_draw_sb_puts(b, "x");
        return;
    }
    if (is_output_vertex(v, x))
    {
        for (j = 0; j < d->nl; j++)
            if (d->l[j].v == x)
                shape_tree(b, v, d->l[j].u);
        for (j = 0; j < d->nlegs; j++)
            if (d->leg[j].vertex == x)
                fy_draw_sb_puts(b, "x");
        return;
    }
    fy_draw_sb_printf(b, "%s%d(", strcmp(kn, "vertex") == 0 ? "" : kn, d->v[x].level);
    for (j = 0; j < d->nlegs; j++)
        if (d->leg[j].vertex == x)
        {
            fy_draw_sb_puts(b, first ? "x" : " x");
            first = 0;
        }
    for (j = 0; j < d->nl; j++)
        if (d->l[j].v == x)
        {
            if (!first)
                fy_draw_sb_puts(b, " ");
            shape_tree(b, v, d->l[j].u);
            first = 0;
        }
    fy_draw_sb_puts(b, ")");
}

/* A graph as the neighbours of each interaction vertex, with the names of the expressions:
 * "y1(x1 y1 y2) y2(x2 x3 x4 y1)" (y1 has a self-loop; external points x_i). */
static int shape_graph(fy_draw_sb *b, const fy_draw_view *v, fy_error_t err)
{
    const fy_diagram_struct *d = v->d;
    int *ynum = calloc((size_t) d->nv + 1, sizeof *ynum), ny = 0, i, j, firstv = 1;
    char nb[48];
    if (ynum == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory writing a shape");
    for (i = 0; i < d->nv; i++)
        if (!is_label_vertex(v, i))
            ynum[i] = ++ny;
    for (i = 0; i < d->nv; i++)
    {
        int first = 1;
        if (is_label_vertex(v, i))
            continue;
        fy_draw_sb_printf(b, "%sy%d(", firstv ? "" : " ", ynum[i]);
        firstv = 0;
        for (j = 0; j < d->nlegs; j++)
            if (d->leg[j].vertex == i)
            {
                fy_draw_sb_printf(b, "%sx%d", first ? "" : " ", v->leg_slot[j]);
                first = 0;
            }
        for (j = 0; j < d->nl; j++)
        {
            int o;
            if (d->l[j].u == i)
                o = d->l[j].v;
            else if (d->l[j].v == i)
                o = d->l[j].u;
            else
                continue;
            position(nb, sizeof nb, v, ynum, o, 0);
            fy_draw_sb_printf(b, "%s%s", first ? "" : " ", nb);
            first = 0;
        }
        fy_draw_sb_puts(b, ")");
    }
    if (ny == 0) /* only external points: the propagators themselves */
        for (j = 0; j < d->nl; j++)
        {
            char a[48], c[48];
            position(a, sizeof a, v, ynum, d->l[j].u, 0);
            position(c, sizeof c, v, ynum, d->l[j].v, 0);
            fy_draw_sb_printf(b, "%s%s-%s", j ? " " : "", a, c);
        }
    free(ynum);
    return FY_OK;
}

int fy_draw_shape(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err)
{
    fy_draw_view v;
    fy_draw_sb b;
    fy_draw_options_t def;
    int rc = FY_OK;

    *out = NULL;
    fy_draw_options_init(def);
    if ((rc = fy_draw_view_init(&v, d, opt != NULL ? opt : def, err)) != FY_OK)
        return rc;
    fy_draw_sb_init(&b);
    if (d->family != NULL && d->family->rooted && d->root >= 0)
        shape_tree(&b, &v, d->root);
    else if (strcmp(v.theory, "born") == 0)
    {
        int i, n = 0;
        for (i = 0; i < d->nv; i++)
            if (!is_label_vertex(&v, i))
                n++;
        fy_draw_sb_printf(&b, "ladder of %d", n);
    }
    else
        rc = shape_graph(&b, &v, err);
    fy_draw_view_clear(&v);
    if (rc != FY_OK)
    {
        fy_draw_sb_clear(&b);
        return rc;
    }
    return fy_draw_sb_take(out, &b, err);
}
