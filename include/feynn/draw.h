/* feynn/draw.h - drawing and symbolic output of diagrams (layer 2).
 *
 * Three outputs of one fy_diagram_t:
 *   - DOT, built through the Graphviz cgraph API.  Nodes and edges are created in the order of
 *     the diagram's vertices, legs and lines, with names derived from their indices, so the text
 *     is deterministic (golden-file tests rely on it).  Line styles carry meaning: in a rooted
 *     layered tree (an MLP derivative diagram) a line carrying k derivatives (k leaves below it)
 *     is drawn with k arrowheads, as in [KM] (Graphviz stacks at most 4; above 4 the line also
 *     gets the label k).  Levels (layers) are ranks: rank=same subgraphs and a column of layer
 *     labels; for trees the leaves (layer 0) are at the bottom and the output (layer L) on top.
 *   - TikZ for pdfLaTeX: the same graph is laid out by Graphviz (libgvc, "dot" engine) and
 *     written with explicit coordinates and Bezier control points, using only plain TikZ and the
 *     arrows.meta library (no graph drawing library, no LuaLaTeX).
 *   - the symbolic expression of the diagram in LaTeX or plain text, in the bookkeeping of
 *     MATH.md 1.2-1.3 for MLP trees (sum over neurons a, b, ... of propagators D^(l,m) and
 *     vertices sigma_m^(k)), as an integral over vertex positions of propagators with coupling
 *     factors for Feynman graphs (MATH.md 4.3), and as the nested integral of MATH.md 2.2 for
 *     Born ladders.
 *
 * Styles and labels of kinds come from a lookup callback (the rules module installs one for a
 * loaded theory); without one, built-in defaults keyed by the family's theory and kind names
 * are used.  All functions return FY_OK or an error status with err filled; strings returned
 * through char ** are malloc'd and owned by the caller. */
#ifndef FEYNN_DRAW_H
#define FEYNN_DRAW_H

#include <stdio.h>

#include "feynn/error.h"
#include "feynn/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a style lookup is asked about. */
enum
{
    FY_DRAW_VERTEX = 0,
    FY_DRAW_LINE = 1,
    FY_DRAW_LEG = 2
};

/* How many arrowheads a line gets (the numbering of rules.h's fy_arrows_t). */
enum
{
    FY_DRAW_ARROWS_DEFAULT = -1,
    FY_DRAW_ARROWS_NONE = 0,
    FY_DRAW_ARROWS_ONE = 1,
    FY_DRAW_ARROWS_PER_DERIVATIVE = 2, /* one per derivative carried (leaves below) [KM] */
    FY_DRAW_ARROWS_PER_LEVEL = 3       /* one per layer spanned */
};

/* Style of one kind.  Any string may be NULL (use the default).
 *   dot:    extra DOT attributes, "name=value" pairs separated by commas ("color=red,style=dashed");
 *   tikz:   TikZ options ("dashed,blue");
 *   latex:  the LaTeX symbol of the kind, a template in which %k (order: children, derivatives
 *           or valence), %l (level), %m (lower level of a line), %i (leg label) and %% are
 *           replaced, e.g. "\\sigma^{(%k)}_{%l}" or "\\lambda";
 *   arrows: lines only, FY_DRAW_ARROWS_*. */
typedef struct
{
    const char *dot;
    const char *tikz;
    const char *latex;
    int arrows;
} fy_draw_style_struct;

/* Fills *style for kind (an index into the family's kind names of what).  Returns FY_OK (also
 * when it knows nothing: leave fields NULL) or an error. */
typedef int (*fy_draw_style_fn)(fy_draw_style_struct *style, void *ctx,
                                const fy_family_struct *family, int what, int kind,
                                fy_error_t err);

typedef struct
{
    int top_level;    /* output layer L of a rooted layered tree; < 0: highest level + 1 */
    int arrows;       /* k arrowheads for k derivatives: 1 on, 0 off, -1 auto (rooted, layered) */
    int layer_labels; /* column of layer labels beside layered diagrams: 1 on, 0 off */
    int no_factorial; /* Feynman vertex factor -k! g (the [HMS] convention g phi^k); 0: -g */
    const char *name; /* graph name in DOT, NULL for "diagram" */
    fy_draw_style_fn style; /* NULL: built-in defaults */
    void *style_ctx;
} fy_draw_options_struct;
typedef fy_draw_options_struct fy_draw_options_t[1];

/* Defaults: top_level -1, arrows -1, layer_labels 1, no_factorial 0, name NULL, no style
 * callback. */
void fy_draw_options_init(fy_draw_options_t opt);

/* Number of derivatives (leaves below) carried by each line of a rooted tree: k[i] for line i,
 * where a leaf is a leg or a vertex with neither children nor legs.  k must have room for
 * d->nl entries.  FY_EINPUT when the diagram is not a rooted tree. */
int fy_draw_line_derivatives(int *k, const fy_diagram_t d, fy_error_t err);

/* DOT text of the diagram (malloc'd). */
int fy_draw_dot(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err);

/* TikZ picture (a tikzpicture environment, malloc'd) with coordinates from Graphviz's layout of
 * the DOT text fy_draw_dot writes (so the picture is the one `dot` draws from that file).
 * It needs \usepackage{tikz} and \usetikzlibrary{arrows.meta}: see fy_draw_tikz_preamble.
 * Uses one Graphviz context kept for the life of the process (Graphviz 2.43 reads freed memory
 * when a second context is created); like Graphviz itself, not thread-safe. */
int fy_draw_tikz(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err);

/* A pdfLaTeX preamble and ending for a document of TikZ pictures (standalone class, one page
 * per picture) or of expressions (article class, amsmath).  Static strings. */
const char *fy_draw_tikz_preamble(void);
const char *fy_draw_latex_preamble(void);
const char *fy_draw_document_end(void);

/* Symbolic expression of the diagram: LaTeX (math mode, without delimiters) when latex is 1,
 * plain text when 0.  The symmetry factor 1/|Aut| and the multiplicity are not included. */
int fy_draw_expr(char **out, const fy_diagram_t d, int latex, const fy_draw_options_t opt,
                 fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
