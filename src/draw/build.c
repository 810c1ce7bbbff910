/* The cgraph graph of a diagram: nodes and edges in the order of the diagram's vertices, legs
 * and lines, named after their indices, so that the DOT text is deterministic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draw/draw_impl.h"

#define MAX_ARROWHEADS 4 /* Graphviz stacks at most four arrow shapes on one end */

static int vertex_is_label(const fy_draw_view *v, int i)
{
    const char *name = fy_draw_kind_name(v->d, FY_DRAW_VERTEX, v->d->v[i].kind);
    return strcmp(name, "point") == 0 || strcmp(name, "leaf") == 0 || strcmp(name, "input") == 0 ||
           strcmp(name, "output") == 0 || strcmp(name, "out") == 0;
}

static int vertex_is_output(const fy_draw_view *v, int i)
{
    const char *name = fy_draw_kind_name(v->d, FY_DRAW_VERTEX, v->d->v[i].kind);
    return strcmp(name, "output") == 0 || strcmp(name, "out") == 0;
}

/* First leg on vertex i, or -1. */
static int first_leg(const fy_draw_view *v, int i)
{
    int j;
    for (j = 0; j < v->d->nlegs; j++)
        if (v->d->leg[j].vertex == i)
            return j;
    return -1;
}

/* The leg's index text: a slot letter for trees (derivative slots), the number otherwise;
 * NULL for an unlabelled leg of a graph. */
static void leg_index(char *buf, size_t n, const fy_draw_view *v, int leg, int latex)
{
    if (v->orient != 0)
        fy_draw_slot_name(buf, n, v->leg_slot[leg], latex);
    else
        snprintf(buf, n, "%d", v->leg_slot[leg]);
}

/* DOT and LaTeX labels of a leg (or of the point vertex that carries it). */
static int leg_labels(char *dot, size_t nd, char *tex, size_t nt, const fy_draw_view *v, int leg,
                      fy_error_t err)
{
    fy_draw_style_struct st;
    char idx[32], idxt[32];
    int unl = v->d->leg[leg].label == FY_LEG_UNLABELLED;
    int rc = fy_draw_style(&st, v, FY_DRAW_LEG, v->d->leg[leg].kind, err);
    if (rc != FY_OK)
        return rc;
    leg_index(idx, sizeof idx, v, leg, 0);
    leg_index(idxt, sizeof idxt, v, leg, 1);
    if (st.latex[0] == '\0')
    {
        dot[0] = tex[0] = '\0';
        return FY_OK;
    }
    if (unl)
    {
        /* Interchangeable legs: the symbol without index ("x_{%i}" -> "x"). */
        const char *p = strstr(st.latex, "_{%i}");
        size_t len = p ? (size_t) (p - st.latex) : strlen(st.latex);
        snprintf(tex, nt, "%.*s", (int) len, st.latex);
        snprintf(dot, nd, "%s", len == 1 ? tex : "x");
        return FY_OK;
    }
    fy_draw_expand(tex, nt, st.latex, -1, -1, -1, idxt);
    if (v->orient != 0)
        snprintf(dot, nd, "%s", idx); /* slot letter: i, j, k, ... */
    else
        snprintf(dot, nd, "x%s", idx);
    return FY_OK;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int add_node(fy_draw_graph *G, Agnode_t *n, int type, const char *latex, const char *tikz,
                    fy_error_t err)
{
    fy_draw_gnode *e = G->nodes + G->nn;
    if (n == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory building a graph");
    e->node = n;
    e->type = type;
    e->outside = 0;
    e->tikz = tikz ? tikz : "";
    e->latex = NULL;
    if (latex != NULL && (e->latex = dupstr(latex)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory building a graph");
    G->nn++;
    return FY_OK;
}

/* Arrowheads of a line by style: per derivative, per level, one or none. */
static int arrows_for(const fy_draw_view *v, int style_arrows, int k, int span)
{
    if (!v->arrows)
        return 0;
    switch (style_arrows)
    {
    case FY_DRAW_ARROWS_PER_DERIVATIVE:
        return k;
    case FY_DRAW_ARROWS_PER_LEVEL:
        return span;
    case FY_DRAW_ARROWS_ONE:
        return 1;
    default:
        return 0;
    }
}

static int add_edge(fy_draw_graph *G, Agnode_t *t, Agnode_t *h, int arrows, int minlen,
                    const fy_draw_style_struct *st, fy_error_t err)
{
    Agedge_t *e = fy_ag_edge(G->g, t, h);
    char buf[64];
    int rc;
    if (e == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory building a graph");
    if (minlen != 1)
    {
        snprintf(buf, sizeof buf, "%d", minlen);
        fy_ag_set(e, "minlen", buf);
    }
    if (arrows > 0)
    {
        int i, shown = arrows < MAX_ARROWHEADS ? arrows : MAX_ARROWHEADS;
        buf[0] = '\0';
        for (i = 0; i < shown; i++)
            strcat(buf, "normal");
        if (agisundirected(G->g))
            fy_ag_set(e, "dir", "forward");
        fy_ag_set(e, "arrowhead", buf);
        if (arrows > MAX_ARROWHEADS)
        {
            snprintf(buf, sizeof buf, "%d", arrows);
            fy_ag_set(e, "label", buf);
        }
    }
    else if (agisdirected(G->g))
        fy_ag_set(e, "dir", "none");
    if (st != NULL && st->dot[0] && (rc = fy_ag_set_list(e, st->dot, err)) != FY_OK)
        return rc;
    G->edges[G->ne].edge = e;
    G->edges[G->ne].arrows = arrows;
    G->edges[G->ne].tikz = st ? st->tikz : "";
    G->ne++;
    return FY_OK;
}

void fy_draw_graph_clear(fy_draw_graph *G)
{
    int i;
    if (G->nodes)
        for (i = 0; i < G->nn; i++)
            free(G->nodes[i].latex);
    free(G->nodes);
    free(G->edges);
    if (G->g)
        agclose(G->g);
    fy_draw_view_clear(&G->view);
    memset(G, 0, sizeof *G);
}

/* One build of a graph: the diagram, its view, the rank subgraphs (levels lo..hi) and the
 * nodes of the vertices, of the legs with a node of their own and of the extra output. */
typedef struct
{
    fy_draw_graph *G;
    const fy_draw_view *v;
    const fy_diagram_struct *d;
    const fy_draw_options_struct *opt;
    Agraph_t **rank;
    Agnode_t **vnode, **lnode, *out;
    int lo, hi;
} builder;

static int oom(fy_error_t err)
{
    return fy_error_set(err, FY_ENOMEM, "out of memory building a graph");
}

/* The arrays, the graph and its defaults (declared once so that the DOT text stays short). */
static int build_open(builder *b, fy_error_t err)
{
    fy_draw_graph *G = b->G;
    const fy_draw_view *v = b->v;
    G->nodes = calloc((size_t) (b->d->nv + b->d->nlegs + 64), sizeof *G->nodes);
    G->edges = calloc((size_t) (b->d->nl + b->d->nlegs + 64), sizeof *G->edges);
    b->vnode = calloc((size_t) b->d->nv + 1, sizeof *b->vnode);
    b->lnode = calloc((size_t) b->d->nlegs + 1, sizeof *b->lnode);
    if (G->nodes == NULL || G->edges == NULL || b->vnode == NULL || b->lnode == NULL)
        return oom(err);
    G->g = fy_ag_open(b->opt->name ? b->opt->name : "diagram", v->orient != 0);
    if (G->g == NULL)
        return fy_error_set(err, FY_ENOMEM, "cannot create a graph");
    fy_ag_default(G->g, AGRAPH, "rankdir", v->orient == 1 ? "BT" : v->orient == -1 ? "TB" : "LR");
    fy_ag_default(G->g, AGRAPH, "nodesep", "0.3");
    fy_ag_default(G->g, AGRAPH, "ranksep", "0.4");
    fy_ag_default(G->g, AGNODE, "shape", "point");
    fy_ag_default(G->g, AGNODE, "width", "0.08");
    /* Graphviz's own default label is the node name; vertices are drawn without one. */
    fy_ag_default(G->g, AGNODE, "label", "\\N");
    fy_ag_default(G->g, AGEDGE, "arrowsize", "0.6");
    return FY_OK;
}

/* The column of layer labels "l=i" beside the ranks, joined by invisible edges. */
static int build_layer_labels(builder *b, fy_error_t err)
{
    Agnode_t *prev = NULL;
    char name[64], dot[128], tex[256];
    int i, rc;
    for (i = b->lo; i <= b->hi; i++)
    {
        Agnode_t *n;
        snprintf(name, sizeof name, "layer%d", i);
        n = fy_ag_node(b->rank[i - b->lo], name);
        snprintf(tex, sizeof tex, "\\scriptstyle\\ell=%d", i);
        if ((rc = add_node(b->G, n, FY_GNODE_TEXT, tex, "gray", err)) != FY_OK)
            return rc;
        snprintf(dot, sizeof dot, "l=%d", i);
        fy_ag_set(n, "shape", "plaintext");
        fy_ag_set(n, "label", dot);
        fy_ag_set(n, "fontsize", "9");
        fy_ag_set(n, "fontcolor", "gray40");
        if (prev != NULL)
        {
            Agedge_t *e = fy_ag_edge(b->G->g, prev, n);
            if (e == NULL)
                return oom(err);
            fy_ag_set(e, "style", "invis");
        }
        prev = n;
    }
    return FY_OK;
}

/* Ranks: one rank=same subgraph per level, and a column of layer labels. */
static int build_ranks(builder *b, fy_error_t err)
{
    const fy_draw_view *v = b->v;
    int i;
    b->lo = v->orient == 1 ? 0 : v->minlevel;
    b->hi = v->orient != 0 ? v->top : v->maxlevel;
    if (b->lo > v->minlevel)
        b->lo = v->minlevel;
    if (b->hi - b->lo > 10000)
        return fy_error_set(err, FY_EINPUT, "levels %d..%d span too many ranks", b->lo, b->hi);
    b->rank = calloc((size_t) (b->hi - b->lo + 1), sizeof *b->rank);
    if (b->rank == NULL)
        return oom(err);
    for (i = b->lo; i <= b->hi; i++)
    {
        b->rank[i - b->lo] = fy_ag_subg(b->G->g);
        if (b->rank[i - b->lo] == NULL || fy_ag_set(b->rank[i - b->lo], "rank", "same") != 0)
            return oom(err);
    }
    if (b->opt->layer_labels && v->orient != 0 && b->hi - b->lo < 60)
        return build_layer_labels(b, err);
    return FY_OK;
}

/* Vertex i's node and its label: the text of a point vertex (its leg, F or x), a ladder
 * insertion's position r_{i+1}, or none. */
static int build_vertex_node(builder *b, int i, const fy_draw_style_struct *st, fy_error_t err)
{
    const fy_draw_view *v = b->v;
    Agnode_t *n = b->vnode[i];
    char dot[128], tex[256];
    int rc;
    if (n != NULL && vertex_is_label(v, i))
    {
        int leg = first_leg(v, i);
        if (vertex_is_output(v, i) || leg < 0)
        {
            fy_draw_expand(tex, sizeof tex, st->latex, -1, b->d->v[i].level, -1, NULL);
            snprintf(dot, sizeof dot, "%s", vertex_is_output(v, i) ? "F" : "x");
        }
        else if ((rc = leg_labels(dot, sizeof dot, tex, sizeof tex, v, leg, err)) != FY_OK)
            return rc;
        if ((rc = add_node(b->G, n, FY_GNODE_TEXT, tex, st->tikz, err)) != FY_OK)
            return rc;
        fy_ag_set(n, "shape", "plaintext");
        fy_ag_set(n, "label", dot);
    }
    else if (strcmp(v->theory, "born") == 0)
    {
        /* a ladder's insertions carry their positions r_1, r_2, ... (the names of the
         * nested integral fy_draw_expr writes) */
        snprintf(tex, sizeof tex, "r_{%d}", i + 1);
        if ((rc = add_node(b->G, n, FY_GNODE_VERTEX, tex, st->tikz, err)) != FY_OK)
            return rc;
        snprintf(dot, sizeof dot, "r%d", i + 1);
        fy_ag_set(n, "label", dot);
        fy_ag_set(n, "fontsize", "9");
        fy_ag_set(n, "shape", "circle"); /* a point shows no label */
        fy_ag_set(n, "width", "0.22");
        fy_ag_set(n, "fixedsize", "true");
    }
    else
    {
        if ((rc = add_node(b->G, n, FY_GNODE_VERTEX, NULL, st->tikz, err)) != FY_OK)
            return rc;
        fy_ag_set(n, "label", "");
    }
    return FY_OK;
}

/* Vertex i: its node in its rank, its label, then its style. */
static int build_vertex(builder *b, int i, fy_error_t err)
{
    fy_draw_graph *G = b->G;
    fy_draw_style_struct st;
    Agraph_t *where = b->v->layered ? b->rank[b->d->v[i].level - b->lo] : G->g;
    char name[64];
    int rc;
    if ((rc = fy_draw_style(&st, b->v, FY_DRAW_VERTEX, b->d->v[i].kind, err)) != FY_OK)
        return rc;
    snprintf(name, sizeof name, "v%d", i);
    b->vnode[i] = fy_ag_node(where, name);
    if ((rc = build_vertex_node(b, i, &st, err)) != FY_OK)
        return rc;
    if (st.dot[0] && (rc = fy_ag_set_list(b->vnode[i], st.dot, err)) != FY_OK)
        return rc;
    if (G->nodes[G->nn - 1].type == FY_GNODE_TEXT)
    {
        /* A style that draws the point as a dot: the text goes beside it. */
        const char *shape = fy_ag_get(b->vnode[i], "shape");
        if (shape != NULL && strcmp(shape, "point") == 0)
        {
            /* A point styled as a dot is drawn as its label, the lines ending at the
             * text: an xlabel beside a dot is placed by Graphviz without regard to the
             * lines and may sit on one (x3 of a phi^4 graph did). */
            fy_ag_set(b->vnode[i], "shape", "plaintext");
            fy_ag_set(b->vnode[i], "width", "0");
            fy_ag_set(b->vnode[i], "height", "0");
            fy_ag_set(b->vnode[i], "margin", "0.03");
            G->nodes[G->nn - 1].tikz = "";
        }
        else if (st.tikz[0])
            G->nodes[G->nn - 1].outside = 2; /* text inside the styled shape */
    }
    return FY_OK;
}

/* Legs that are not carried by a point vertex get a node of their own; then the extra
 * output F. */
static int build_leg_nodes(builder *b, fy_error_t err)
{
    const fy_draw_view *v = b->v;
    char name[64], dot[128], tex[256];
    int i, rc;
    for (i = 0; i < b->d->nlegs; i++)
    {
        int vx = b->d->leg[i].vertex, level;
        Agraph_t *where = b->G->g;
        Agnode_t *n;
        if (vertex_is_label(v, vx) && first_leg(v, vx) == i)
            continue;
        if (v->layered && v->orient != 0)
        {
            level = v->leg_is_output[i] ? v->top : v->orient == 1 ? 0 : v->top;
            where = b->rank[level - b->lo];
        }
        snprintf(name, sizeof name, "e%d", i);
        n = b->lnode[i] = fy_ag_node(where, name);
        if ((rc = leg_labels(dot, sizeof dot, tex, sizeof tex, v, i, err)) != FY_OK)
            return rc;
        if ((rc = add_node(b->G, n, tex[0] == '\0' ? FY_GNODE_STUB : FY_GNODE_TEXT,
                           tex[0] == '\0' ? NULL : tex, "", err)) != FY_OK)
            return rc;
        if (tex[0] == '\0')
            fy_ag_set(n, "style", "invis");
        else
        {
            fy_ag_set(n, "shape", "plaintext");
            fy_ag_set(n, "label", dot);
        }
    }
    if (v->extra_output)
    {
        b->out = fy_ag_node(b->rank[v->top - b->lo], "output");
        if ((rc = add_node(b->G, b->out, FY_GNODE_TEXT, "F", "", err)) != FY_OK)
            return rc;
        fy_ag_set(b->out, "shape", "plaintext");
        fy_ag_set(b->out, "label", "F");
    }
    return FY_OK;
}

/* The lines, in index order: a tree's parent above its child; in a graph drawn left to right
 * the external points split, the left half as tails, the right half as heads. */
static int build_lines(builder *b, int half, fy_error_t err)
{
    const fy_draw_view *v = b->v;
    const fy_diagram_struct *dd = b->d;
    int i, rc;
    for (i = 0; i < dd->nl; i++)
    {
        fy_draw_style_struct st;
        int a = dd->l[i].u, c = dd->l[i].v, span = 0, k;
        if ((rc = fy_draw_style(&st, v, FY_DRAW_LINE, dd->l[i].kind, err)) != FY_OK)
            return rc;
        if (v->orient == -1)
            a = dd->l[i].v, c = dd->l[i].u; /* parent above child */
        else if (v->orient == 0)
        {
            int la = first_leg(v, a), lc = first_leg(v, c);
            int sa = vertex_is_label(v, a) && la >= 0 ? v->leg_slot[la] : 0;
            int sc = vertex_is_label(v, c) && lc >= 0 ? v->leg_slot[lc] : 0;
            /* left points as tails, right points as heads */
            if ((sc && sc <= half && (!sa || sa > sc)) || (sa > half && !sc))
                a = dd->l[i].v, c = dd->l[i].u;
        }
        if (v->layered)
            span = abs(dd->v[c].level - dd->v[a].level);
        k = v->kline ? v->kline[i] : 1;
        if ((rc = add_edge(b->G, b->vnode[a], b->vnode[c], arrows_for(v, st.arrows, k, span),
                           v->layered ? span : 1, &st, err)) != FY_OK)
            return rc;
    }
    return FY_OK;
}

/* The edges of the legs with nodes of their own, then the root's edge to the extra output. */
static int build_leg_edges(builder *b, int half, fy_error_t err)
{
    const fy_draw_view *v = b->v;
    const fy_diagram_struct *dd = b->d;
    fy_draw_style_struct st;
    int i, rc, rl;
    for (i = 0; i < dd->nlegs; i++)
    {
        int vx = dd->leg[i].vertex, span = 1;
        Agnode_t *t = b->lnode[i], *h = b->vnode[vx];
        if (b->lnode[i] == NULL)
            continue;
        if ((rc = fy_draw_style(&st, v, FY_DRAW_LEG, dd->leg[i].kind, err)) != FY_OK)
            return rc;
        if (v->layered && v->orient != 0)
        {
            int level = v->leg_is_output[i] ? v->top : v->orient == 1 ? 0 : v->top;
            span = abs(dd->v[vx].level - level);
        }
        if (v->leg_is_output[i] || v->orient == -1 || (v->orient == 0 && v->leg_slot[i] > half))
            t = b->vnode[vx], h = b->lnode[i];
        if ((rc = add_edge(b->G, t, h, v->leg_is_output[i] ? 0 : arrows_for(v, st.arrows, 1, span),
                           span, &st, err)) != FY_OK)
            return rc;
    }
    if (b->out == NULL)
        return FY_OK;
    rl = dd->v[dd->root].level;
    if ((rc = fy_draw_style(&st, v, FY_DRAW_LINE, 0, err)) != FY_OK)
        return rc;
    return add_edge(b->G, b->vnode[dd->root], b->out,
                    arrows_for(v, st.arrows, v->nleaves, v->top - rl), v->top - rl, &st, err);
}

/* The graph of d in named steps: graph and defaults, ranks, vertices, leg nodes, lines, leg
 * edges; on failure G is cleared. */
int fy_draw_graph_build(fy_draw_graph *G, const fy_diagram_t d, const fy_draw_options_struct *opt,
                        fy_error_t err)
{
    builder b;
    int i, rc, npoints = 0;

    memset(G, 0, sizeof *G);
    memset(&b, 0, sizeof b);
    if ((rc = fy_draw_cgraph_load(err)) != FY_OK)
        return rc;
    if ((rc = fy_draw_view_init(&G->view, d, opt, err)) != FY_OK)
        return rc;
    b.G = G;
    b.v = &G->view;
    b.d = d;
    b.opt = opt;
    b.hi = -1;
    rc = build_open(&b, err);
    if (rc == FY_OK && b.v->layered)
        rc = build_ranks(&b, err);
    for (i = 0; rc == FY_OK && i < b.d->nv; i++)
        rc = build_vertex(&b, i, err);
    if (rc == FY_OK)
        rc = build_leg_nodes(&b, err);
    /* External points split left and right in a graph drawn left to right. */
    for (i = 0; i < b.d->nlegs; i++)
        if (!b.v->leg_is_output[i])
            npoints++;
    if (rc == FY_OK)
        rc = build_lines(&b, (npoints + 1) / 2, err);
    if (rc == FY_OK)
        rc = build_leg_edges(&b, (npoints + 1) / 2, err);
    free(b.rank);
    free(b.vnode);
    free(b.lnode);
    if (rc != FY_OK)
        fy_draw_graph_clear(G);
    return rc;
}

int fy_draw_line_derivatives(int *k, const fy_diagram_t d, fy_error_t err)
{
    fy_draw_options_t opt;
    fy_draw_view v;
    int rc, i;
    fy_draw_options_init(opt);
    if ((rc = fy_draw_view_init(&v, d, opt, err)) != FY_OK)
        return rc;
    if (!v.tree)
    {
        fy_draw_view_clear(&v);
        return fy_error_set(err, FY_EINPUT, "derivatives per line need a rooted tree");
    }
    for (i = 0; i < d->nl; i++)
        k[i] = v.kline[i];
    fy_draw_view_clear(&v);
    return FY_OK;
}

int fy_draw_dot(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err)
{
    fy_draw_graph G;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    int rc;

    *out = NULL;
    if ((rc = fy_draw_graph_build(&G, d, opt, err)) != FY_OK)
        return rc;
    fp = open_memstream(&buf, &len);
    if (fp == NULL)
    {
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_ENOMEM, "cannot open a memory stream");
    }
    rc = agwrite(G.g, fp);
    if (fclose(fp) != 0 || rc != 0)
    {
        free(buf);
        fy_draw_graph_clear(&G);
        return fy_error_set(err, FY_ENOMEM, "cannot write the DOT text");
    }
    fy_draw_graph_clear(&G);
    *out = buf;
    return FY_OK;
}
