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

/* The readable shape of a diagram, one line: rooted trees as nested layers, "3(2(x x) x)" (as
 * `feynn diagrams mlp` prints them; x a derivative); Feynman graphs as the neighbours of each
 * interaction vertex, "y1(x1 y1 y2) y2(x2 x3 x4 y1)", with the names of fy_draw_expr (so
 * different graphs of one table read differently); Born ladders "ladder of n".  opt may be
 * NULL (default options). */
int fy_draw_shape(char **out, const fy_diagram_t d, const fy_draw_options_t opt, fy_error_t err);

/* ------------------------------------------------------------------ plots (figures of data)
 *
 * Small figures for the demos and reports (line plots with error bars, heatmaps), written as
 * PDF through PLplot when feynn was built with it (fy_plot_available() is 1); without PLplot
 * every fy_plot_* writer returns FY_EUNSUPPORTED and writes nothing, so a caller writes its
 * CSV files in any case and the figures when it can.  A figure is written atomically: to
 * PATH.tmp, then renamed to PATH (a failed figure leaves no file).  PLplot keeps global state:
 * like Graphviz, not thread-safe; one figure at a time.
 *
 * Colours are PLplot's cmap0 indices: 1 red, 2 yellow, 3 green, 4 aquamarine, 5 pink, 6 wheat,
 * 7 grey, 8 brown, 9 blue, 10 blue-violet, 11 cyan, 12 turquoise, 13 magenta, 14 salmon, and
 * 15 black (the figures draw on a white page, with axes and labels in black).  Markers are
 * PLplot symbol codes (FY_PLOT_MARK_*).  Labels accept PLplot escapes (#u superscript,
 * #d subscript, #gl lambda). */

enum
{
    FY_PLOT_MARK_NONE = 0,
    FY_PLOT_MARK_PLUS = 2,
    FY_PLOT_MARK_CROSS = 5,
    FY_PLOT_MARK_CIRCLE = 4,
    FY_PLOT_MARK_DOT = 1
};
#define FY_PLOT_BLACK 15

/* One data series of a line plot. */
typedef struct
{
    long n;             /* points */
    const double *x;    /* n abscissae */
    const double *y;    /* n ordinates */
    const double *yerr; /* NULL, or n half-widths: error bars [y - yerr, y + yerr] */
    int line;           /* 1: a line through the points */
    int marker;         /* FY_PLOT_MARK_* at each point (FY_PLOT_MARK_NONE: none) */
    int color;          /* cmap0 index 1..15 (0: black) */
    double width;       /* line width (0: 1) */
} fy_plot_series_struct;

/* Axes and labels of a line plot.  A limit that is NaN is taken from the data (the x range of
 * the points; the y range of the points and error bars, widened to include 0 when
 * include_zero is 1).  xlabel, ylabel, title may be NULL. */
typedef struct
{
    double xmin, xmax, ymin, ymax;
    int include_zero;
    const char *xlabel, *ylabel, *title;
} fy_plot_axes_struct;
typedef fy_plot_axes_struct fy_plot_axes_t[1];

/* Axes with every limit automatic, include_zero 1, no labels. */
void fy_plot_axes_init(fy_plot_axes_t ax);

/* One heatmap panel: z is rows x cols, row-major; entry (i, j) is drawn at (x, y) =
 * (i + 1, j + 1).  The colour scale runs over [zmin, zmax]; NaN limits: from the data (a
 * constant map gets [z - 1/2, z + 1/2]). */
typedef struct
{
    long rows, cols;
    const double *z;
    double zmin, zmax;
    const char *xlabel, *ylabel, *title;
} fy_plot_heatmap_struct;

/* 1 when the plot writers can write PDF (feynn built with PLplot), else 0. */
int fy_plot_available(void);

/* Line plot of ns series on one set of axes, PDF at path.  Every series must have n >= 1 and
 * finite x (points with a non-finite y are skipped); FY_EINPUT otherwise. */
int fy_plot_lines(const char *path, const fy_plot_series_struct *s, int ns,
                  const fy_plot_axes_t ax, fy_error_t err);

/* np heatmaps side by side (1 <= np <= 6) on one page, PDF at path. */
int fy_plot_heatmaps(const char *path, const fy_plot_heatmap_struct *h, int np,
                     fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
