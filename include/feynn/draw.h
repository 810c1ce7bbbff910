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

/* A pdfLaTeX preamble and ending for a document of TikZ pictures or of expressions (article
 * class, amsmath).  Static strings.  The TikZ preamble needs only texlive-latex-base and
 * texlive-pictures: it puts every tikzpicture of the document on a page of its own, cropped
 * to the picture with a border of 4pt (pdfTeX's \pdfpagewidth and \pdfpageheight set per
 * picture; no standalone class), so each diagram file compiles to one tight page and the
 * pictures of a document never overlap. */
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

/* A diagram as a figure (dotfile.c).  fy_draw_dot_caption: the DOT text `dot` (as fy_draw_dot
 * writes it) with `caption` below the picture (plain text; a newline breaks the line, quotes
 * and backslashes are escaped), malloc'ed in *out.  fy_draw_dot_write: writes the text to
 * `path` (ending in .dot) atomically and, when Graphviz's dot program is on PATH, the PDF
 * beside it (the same name ending in .pdf) and a 300-dpi PNG (ending in .png); *pdf is 1 when
 * both were written (a failing dot leaves the .dot alone and is not an error). */
int fy_draw_dot_caption(char **out, const char *dot, const char *caption, fy_error_t err);
int fy_draw_dot_write(const char *path, const char *text, int *pdf, fy_error_t err);

/* ------------------------------------------------------------------ plots (figures of data)
 * (section of the figures work: plot.c, plot_render.c)
 *
 * Figures for the demos and reports (line plots with error bars, heatmaps with colour bars),
 * drawn through PLplot's cairo drivers when feynn was built with PLplot and plplot-driver-cairo
 * is installed (fy_plot_available() is 1); otherwise every fy_plot_* writer returns
 * FY_EUNSUPPORTED and writes nothing (the layout functions work in every build), so a caller
 * writes its
 * CSV files in any case and the figures when it can.
 *
 * Journal style, one for every figure: a line plot is one column of a two-column journal wide
 * (FY_PLOT_COLUMN_WIDTH, 3.375 in as in the APS journals; ax->width = FY_PLOT_PAGE_WIDTH for
 * the full page width), a page of heatmaps one column for one panel and the page width for
 * more; serif text of about 8 pt at that size, ticks inside on all four sides, tick labels
 * laid out so that they never overlap the axis labels (a common power of ten is factored out
 * into the axis label), every labelled series in a legend placed in the corner of the plot box
 * that holds the fewest points, and heatmaps in the perceptually uniform, colour-blind-safe
 * viridis map with a colour bar each, labelled by the heatmap's zlabel (say there whether the
 * scale is shared with other panels).  Each figure is written twice: the vector PDF at PATH
 * and a PNG of FY_PLOT_DPI dots per inch beside it (PATH with .pdf replaced by .png, or .png
 * appended).  Both are written atomically (PATH.tmp, then renamed; a failed figure leaves no
 * file).  Only the cairo drivers serve (outline fonts, antialiasing, page sizes honoured):
 * PLplot's pdf driver always writes A4.
 * PLplot keeps global state: like Graphviz, not thread-safe; one figure at a time.
 *
 * Colours are indices into a colour-blind-safe palette (Okabe and Ito) under PLplot's cmap0
 * names: 1 red (vermillion), 2 orange (in place of cmap0's near-invisible yellow), 3 green
 * (bluish green), 4 sky blue, 5 reddish purple, 6 yellow, 7 grey, 8 brown, 9 blue, 10 violet,
 * 11 cyan, 12 teal, 13 magenta, 14 salmon and 15 black; or any colour FY_PLOT_RGB(r, g, b),
 * such as fy_plot_color_seq(t) for an ordered family of curves.  Markers are FY_PLOT_MARK_*.
 * Labels accept PLplot escapes: #u superscript, #d subscript (each undone by the other), #gl
 * lambda and the other Greek letters #g<latin letter>, #(2236) partial, #[0x2212] a Unicode
 * code point. */

#define FY_PLOT_COLUMN_WIDTH 3.375 /* inches: one column of a two-column journal page */
#define FY_PLOT_PAGE_WIDTH 7.0     /* inches: the full width of such a page */
#define FY_PLOT_DPI 300            /* resolution of the PNG copies */

enum
{
    FY_PLOT_MARK_NONE = 0,
    FY_PLOT_MARK_PLUS = 2,
    FY_PLOT_MARK_CROSS = 5,
    FY_PLOT_MARK_CIRCLE = 4,
    FY_PLOT_MARK_DOT = 1
};
#define FY_PLOT_BLACK 15
/* A colour given as 8-bit red, green, blue (for a series' color). */
#define FY_PLOT_RGB(r, g, b) (0x1000000 | ((r) & 255) << 16 | ((g) & 255) << 8 | ((b) & 255))

/* The colour at t in [0, 1] of viridis cut short of its palest yellow (t = 1 is still visible
 * on white): dark violet at 0, through blue and green, to yellow-green at 1.  An ordered
 * family of curves (partial sums, widths) reads in order in this map. */
int fy_plot_color_seq(double t);

/* One data series of a line plot. */
typedef struct
{
    long n;             /* points */
    const double *x;    /* n abscissae */
    const double *y;    /* n ordinates */
    const double *yerr; /* NULL, or n half-widths: error bars [y - yerr, y + yerr] */
    int line;           /* 1: a line through the points */
    int marker;         /* FY_PLOT_MARK_* at each point (FY_PLOT_MARK_NONE: none) */
    int color;          /* palette index 1..15 or FY_PLOT_RGB (0: black) */
    double width;       /* line width (0: 1) */
    const char *label;  /* its legend entry (NULL: not in the legend) */
    int mark_every;     /* markers at every mark_every-th point only (0, 1: at every point) */
} fy_plot_series_struct;

/* Axes and labels of a line plot.  A limit that is NaN is taken from the data (the x range of
 * the points; the y range of the points and error bars, widened to include 0 when
 * include_zero is 1, with a margin of 4%).  xlabel, ylabel, title may be NULL; a journal
 * figure has no title (its caption says what it shows): leave it NULL. */
typedef struct
{
    double xmin, xmax, ymin, ymax;
    int include_zero;
    const char *xlabel, *ylabel, *title;
    double width;  /* page width in inches (0: FY_PLOT_COLUMN_WIDTH) */
    double aspect; /* height / width (0: 0.75) */
} fy_plot_axes_struct;
typedef fy_plot_axes_struct fy_plot_axes_t[1];

/* Axes with every limit automatic, include_zero 1, no labels, one column wide. */
void fy_plot_axes_init(fy_plot_axes_t ax);

/* One heatmap panel: z is rows x cols, row-major; entry (i, j) is drawn at (x, y) =
 * (i + 1, j + 1).  The colour scale runs over [zmin, zmax]; NaN limits: from the data (a
 * constant map gets [z - 1/2, z + 1/2]).  zlabel labels the panel's colour bar. */
typedef struct
{
    long rows, cols;
    const double *z;
    double zmin, zmax;
    const char *xlabel, *ylabel, *title;
    const char *zlabel;
} fy_plot_heatmap_struct;

/* The layout of a figure, computed without PLplot (so the tests check it in every build):
 * the page, the plot box, the ticks and their labels, the legend. */
#define FY_PLOT_MAX_TICKS 16
typedef struct
{
    double lo, hi;   /* the axis range */
    double step;     /* between labelled ticks */
    int scale;       /* the labels are value / 10^scale ("x10^scale" in the axis label) */
    int nticks;
    double tick[FY_PLOT_MAX_TICKS];
    char text[FY_PLOT_MAX_TICKS][24];
    double text_mm;  /* the widest label, mm (estimated from the font's advance widths) */
} fy_plot_axis_struct;

typedef struct
{
    double width, height;   /* page, inches */
    double box[4];          /* plot box: left, right, bottom, top in mm from the lower left */
    double char_mm;         /* text height, mm */
    fy_plot_axis_struct x, y;
    int nlegend;            /* legend entries: the series with a label */
    int legend_cols;        /* in columns of at most 4 entries (filled column by column) */
    int legend_corner;      /* 0 none, 1 top right, 2 top left, 3 bottom left, 4 bottom right */
    double legend_mm[2];    /* legend width and height, mm (estimated) */
    int legend_hits;        /* points of the data under the legend (0 when a corner is free) */
} fy_plot_layout_struct;

/* 1 when the plot writers can write figures (feynn built with PLplot, and PLplot's pdfcairo
 * and pngcairo drivers installed), else 0. */
int fy_plot_available(void);

/* The layout fy_plot_lines draws: the same checks and refusals. */
int fy_plot_lines_layout(fy_plot_layout_struct *lay, const fy_plot_series_struct *s, int ns,
                         const fy_plot_axes_t ax, fy_error_t err);

/* Line plot of ns series on one set of axes: PDF at path and the PNG beside it.  Every series
 * must have n >= 1 and finite x (points with a non-finite y are skipped); FY_EINPUT otherwise. */
int fy_plot_lines(const char *path, const fy_plot_series_struct *s, int ns,
                  const fy_plot_axes_t ax, fy_error_t err);

/* np heatmaps side by side (1 <= np <= 6), each with its colour bar: PDF at path and the PNG
 * beside it; one column wide for one panel, the page width for more. */
int fy_plot_heatmaps(const char *path, const fy_plot_heatmap_struct *h, int np,
                     fy_error_t err);

/* The PNG path that goes with a figure's path (.pdf replaced by .png, else .png appended),
 * in buf of n bytes; FY_EINPUT if it does not fit. */
int fy_plot_png_path(char *buf, size_t n, const char *path, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
