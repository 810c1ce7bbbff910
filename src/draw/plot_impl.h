/* plot_impl.h - internal pieces of the plot writers (draw.h, "plots"): the layout computed
 * without PLplot (plot.c) and the rendering through PLplot (plot_render.c). */
#ifndef FEYNN_PLOT_IMPL_H
#define FEYNN_PLOT_IMPL_H

#include "feynn/draw.h"

#define FY_PLOT_CHAR_MM 2.25 /* text height: about 8 pt serif at the printed size */
#define FY_PLOT_MAX_PANELS 6

/* Estimated width in mm of a label at text height ch (PLplot escapes count as the glyph
 * they make; #u / #d halve what follows until undone). */
double fy_plot_text_mm(const char *s, double ch);

/* Nice ticks over [lo, hi] with about target labels that fit in len_mm (horizontal labels
 * when across is 0: their widths must not touch; vertical stacking when 1: their heights). */
void fy_plot_axis_make(fy_plot_axis_struct *a, double lo, double hi, int target, double len_mm,
                       int across, double ch);

/* The RGB of a series colour (palette index or FY_PLOT_RGB). */
void fy_plot_rgb(int rgb[3], int color);

/* The layout of a page of heatmaps: the page and one box per panel (mm), the axes of each
 * panel and of its colour bar (bar[p]: the colour bar box). */
typedef struct
{
    double width, height; /* inches */
    double char_mm;
    int np;
    double box[FY_PLOT_MAX_PANELS][4];
    double bar[FY_PLOT_MAX_PANELS][4];
    double zlo[FY_PLOT_MAX_PANELS], zhi[FY_PLOT_MAX_PANELS];
    fy_plot_axis_struct x[FY_PLOT_MAX_PANELS], y[FY_PLOT_MAX_PANELS], z[FY_PLOT_MAX_PANELS];
} fy_plot_heat_layout;

int fy_plot_heat_layout_make(fy_plot_heat_layout *L, const fy_plot_heatmap_struct *h, int np,
                             const char *path, fy_error_t err);

/* 1 when PLplot's cairo drivers (pdfcairo, pngcairo) are installed (plot_render.c). */
int fy_plot_render_ready(void);
/* Why PLplot itself could not be loaded (library, package to install), or NULL. */
const char *fy_plot_render_missing(void);

/* Draws the figures (plot_render.c).  The layouts are complete and checked. */
int fy_plot_render_lines(const char *path, const fy_plot_layout_struct *lay,
                         const fy_plot_series_struct *s, int ns, const fy_plot_axes_struct *ax,
                         fy_error_t err);
int fy_plot_render_heatmaps(const char *path, const fy_plot_heat_layout *L,
                            const fy_plot_heatmap_struct *h, fy_error_t err);

#endif
