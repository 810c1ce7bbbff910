/* draw_impl.h - internal pieces of the draw module: a string builder, the one wrapper around
 * cgraph's char * interface, and the "view" of a diagram shared by DOT, TikZ and expressions. */
#ifndef FEYNN_DRAW_IMPL_H
#define FEYNN_DRAW_IMPL_H

#include <stddef.h>

#include <graphviz/cgraph.h>

#include "feynn/draw.h"
#include "feynn/util.h"
#include "util/dl.h"

/* ------------------------------------------------------------------ cgraph, loaded on use
 * libcgraph is not linked: fy_draw_cgraph_load (ag.c, through util/dl.h) opens it before the
 * first graph is built (fy_draw_graph_build), so a run that draws no diagram never maps it.
 * Each name below is a pointer with cgraph's own prototype; the code calls agopen(...) as if
 * cgraph were linked. */
#ifdef agtail /* cgraph 2.43: agtail and aghead are macros over the edge's fields */
#define FY_CGRAPH_ENDS(X)
#else
#define FY_CGRAPH_ENDS(X) X(agtail) X(aghead)
#endif
#define FY_CGRAPH_SYMS(X) \
    X(agopen) X(agclose) X(agsubg) X(agnode) X(agedge) X(agattr) X(agsafeset) X(agget) \
    X(agisdirected) X(agisundirected) X(agwrite) X(agmemread) X(agnameof) X(agfstout) \
    X(agnxtout) X(Agdirected) X(Agundirected) FY_CGRAPH_ENDS(X)
typedef struct
{
    FY_CGRAPH_SYMS(FY_DL_PTR)
} fy_cgraph_api;
extern fy_cgraph_api fy_cgraph;
/* Opens libcgraph once; FY_EUNSUPPORTED naming the library and the package when missing. */
int fy_draw_cgraph_load(fy_error_t err);
#define agopen (fy_cgraph.p_agopen)
#define agclose (fy_cgraph.p_agclose)
#define agsubg (fy_cgraph.p_agsubg)
#define agnode (fy_cgraph.p_agnode)
#define agedge (fy_cgraph.p_agedge)
#define agattr (fy_cgraph.p_agattr)
#define agsafeset (fy_cgraph.p_agsafeset)
#define agget (fy_cgraph.p_agget)
#define agisdirected (fy_cgraph.p_agisdirected)
#define agisundirected (fy_cgraph.p_agisundirected)
#define agwrite (fy_cgraph.p_agwrite)
#define agmemread (fy_cgraph.p_agmemread)
#define agnameof (fy_cgraph.p_agnameof)
#ifndef agtail
#define agtail (fy_cgraph.p_agtail)
#define aghead (fy_cgraph.p_aghead)
#endif
#define agfstout (fy_cgraph.p_agfstout)
#define agnxtout (fy_cgraph.p_agnxtout)
#define Agdirected (*fy_cgraph.p_Agdirected)
#define Agundirected (*fy_cgraph.p_Agundirected)

/* ------------------------------------------------------------------ string builder
 * The library's string builder (feynn/util.h) under the module's names; appends report
 * failure once, at fy_draw_sb_take (FY_ENOMEM if any append failed). */
typedef fy_strbuf_struct fy_draw_sb;
#define fy_draw_sb_init(b) fy_strbuf_init(b)
#define fy_draw_sb_clear(b) fy_strbuf_clear(b)
#define fy_draw_sb_puts(b, str) ((void) fy_strbuf_puts(b, str))
#define fy_draw_sb_printf(b, ...) ((void) fy_strbuf_printf(b, __VA_ARGS__))
#define fy_draw_sb_take(out, b, err) fy_strbuf_take(out, b, err)

/* ------------------------------------------------------------------ cgraph wrapper
 * cgraph 2.42/2.43 declares names and attribute strings as char *; these copy the const strings
 * so that no cast to char * appears elsewhere.  They return NULL / nonzero on failure. */
Agraph_t *fy_ag_open(const char *name, int directed);
/* An anonymous subgraph (written as { ... }, in creation order). */
Agraph_t *fy_ag_subg(Agraph_t *g);
Agnode_t *fy_ag_node(Agraph_t *g, const char *name);
Agedge_t *fy_ag_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h);
/* The node named name, or NULL. */
Agnode_t *fy_ag_find_node(Agraph_t *g, const char *name);
/* Declares a default for kind (AGRAPH, AGNODE, AGEDGE) of the root graph. */
int fy_ag_default(Agraph_t *g, int kind, const char *name, const char *value);
/* Sets an attribute of a graph, node or edge (declared with default "" if new). */
int fy_ag_set(void *obj, const char *name, const char *value);
/* Sets "name=value,name=value" pairs (values may be "quoted"); FY_EINPUT if malformed. */
int fy_ag_set_list(void *obj, const char *list, fy_error_t err);
/* Attribute value or NULL. */
const char *fy_ag_get(void *obj, const char *name);

/* ------------------------------------------------------------------ view of a diagram */
typedef struct
{
    const fy_diagram_struct *d;
    const fy_draw_options_struct *opt;
    const char *theory;   /* family theory or "" */
    int layered;          /* every vertex has a level >= 0 */
    int tree;             /* rooted tree (family rooted, root set, child->parent lines) */
    int arrows;           /* draw k arrowheads */
    int orient;           /* layered trees: 1 root on top (MLP: leaves at layer 0, the output
                           * at layer L), -1 root at the lowest level (INN: legs below), 0 none */
    int top;              /* orient 1: output level L; orient -1: level the legs are drawn at */
    int extra_output;     /* an output node above the root is drawn */
    int minlevel, maxlevel;
    int nleaves;          /* derivatives at the root */
    int *kline;           /* derivatives per line (tree), else NULL */
    int *parent;          /* parent line index per vertex (tree), -1 for the root */
    int *leg_slot;        /* display slot of each leg (labels, or DFS order when unlabelled) */
    int *leg_is_output;   /* leg kind named output */
} fy_draw_view;

int fy_draw_view_init(fy_draw_view *v, const fy_diagram_t d, const fy_draw_options_struct *opt,
                      fy_error_t err);
void fy_draw_view_clear(fy_draw_view *v);

/* Kind name of element what/kind in the family, or "" when unknown. */
const char *fy_draw_kind_name(const fy_diagram_struct *d, int what, int kind);
/* Style: from the callback when set, else built in; fields never NULL on success. */
int fy_draw_style(fy_draw_style_struct *st, const fy_draw_view *v, int what, int kind,
                  fy_error_t err);

/* The cgraph graph of a view, with the visible pieces listed in creation order (TikZ draws
 * them in this order; DOT is written by agwrite, which keeps creation order too). */
enum
{
    FY_GNODE_VERTEX = 0, /* a dot */
    FY_GNODE_TEXT = 1,   /* a label: external point, input slot, output, layer */
    FY_GNODE_STUB = 2    /* the free end of a leg: nothing drawn */
};

typedef struct
{
    Agnode_t *node;
    int type;
    char *latex; /* FY_GNODE_TEXT: LaTeX text (math mode), malloc'd */
    const char *tikz; /* extra TikZ options */
    int outside; /* FY_GNODE_TEXT with a kind style: 1 text beside a dot, 2 text in the shape */
} fy_draw_gnode;

typedef struct
{
    Agedge_t *edge;
    int arrows; /* arrowheads at the head */
    const char *tikz;
} fy_draw_gedge;

typedef struct
{
    Agraph_t *g;
    fy_draw_gnode *nodes;
    int nn;
    fy_draw_gedge *edges;
    int ne;
    fy_draw_view view;
} fy_draw_graph;

/* Builds the graph of d (view included); fy_draw_graph_clear frees everything. */
int fy_draw_graph_build(fy_draw_graph *G, const fy_diagram_t d, const fy_draw_options_struct *opt,
                        fy_error_t err);
void fy_draw_graph_clear(fy_draw_graph *G);

/* Expands a label template (%k %l %m %i %%) into buf; %i takes the string istr. */
void fy_draw_expand(char *buf, size_t n, const char *tmpl, int k, int l, int m, const char *istr);

/* Index names: neurons a, b, ...; slots i, j, k, l, p, q, ...  (written into buf). */
void fy_draw_neuron_name(char *buf, size_t n, int idx, int latex);
void fy_draw_slot_name(char *buf, size_t n, int idx, int latex);

#endif
