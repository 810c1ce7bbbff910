/* plot_render.c - drawing the figures laid out by plot.c through PLplot (draw.h, "plots").
 *
 * Every figure is drawn twice by one drawing function: into the PDF (PLplot's pdfcairo driver)
 * and into the PNG (pngcairo), both from plplot-driver-cairo.  PLplot's other drivers do not
 * serve: its pdf driver ignores the page size (always A4) and its mem driver its resolution.
 * The drawing works in the
 * layout's millimetres: plsvpa places the plot box, plmtex writes the tick labels the layout
 * chose (PLplot's own labels are switched off), and the legend is drawn in a world of
 * millimetres over the box. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "draw/plot_impl.h"

#ifdef FY_HAVE_PLPLOT
#include <plplot.h>

#include "util/dl.h"

/* ------------------------------------------------------------------ PLplot, loaded on use
 * libplplot is not linked: fy_plot_render_ready (every writer asks it first) opens it through
 * util/dl.h, so a run that draws no figure never maps it.  The names are pointers with PLplot's
 * own prototypes (plplot.h maps plinit to c_plinit, which is redirected here). */
#define PL_SYMS(X) \
    X(plAlloc2dGrid) X(plFree2dGrid) X(c_pladv) X(c_plbox) X(c_plcol0) X(c_plend) X(c_plerry) \
    X(c_plfill) X(plgDevs) X(c_plimagefr) X(c_plinit) X(c_plline) X(c_plmtex) X(c_plpoin) \
    X(c_plptex) X(c_plschr) X(c_plscmap0n) X(c_plscmap1l) X(c_plscmap1n) X(c_plscol0) \
    X(c_plscolbg) X(c_plsdev) X(c_plsfnam) X(c_plsfont) X(c_plsmaj) X(c_plsmin) X(c_plspage) \
    X(c_plssym) X(c_plsvpa) X(c_plwidth) X(c_plwind)
typedef struct
{
    PL_SYMS(FY_DL_PTR)
} pl_api;
static pl_api pl_fn;
#define PL_SYM(name) {#name, (void **) &pl_fn.p_##name},
static const fy_dl_sym_struct pl_syms[] = {PL_SYMS(PL_SYM){NULL, NULL}};
static fy_dl_lib_struct pl_lib = {"PLplot", FY_SONAME_PLPLOT, FY_PATH_PLPLOT, "libplplot-dev", 0,
                                  pl_syms, 0, NULL, ""};
#define plAlloc2dGrid (pl_fn.p_plAlloc2dGrid)
#define plFree2dGrid (pl_fn.p_plFree2dGrid)
#define c_pladv (pl_fn.p_c_pladv)
#define c_plbox (pl_fn.p_c_plbox)
#define c_plcol0 (pl_fn.p_c_plcol0)
#define c_plend (pl_fn.p_c_plend)
#define c_plerry (pl_fn.p_c_plerry)
#define c_plfill (pl_fn.p_c_plfill)
#define plgDevs (pl_fn.p_plgDevs)
#define c_plimagefr (pl_fn.p_c_plimagefr)
#define c_plinit (pl_fn.p_c_plinit)
#define c_plline (pl_fn.p_c_plline)
#define c_plmtex (pl_fn.p_c_plmtex)
#define c_plpoin (pl_fn.p_c_plpoin)
#define c_plptex (pl_fn.p_c_plptex)
#define c_plschr (pl_fn.p_c_plschr)
#define c_plscmap0n (pl_fn.p_c_plscmap0n)
#define c_plscmap1l (pl_fn.p_c_plscmap1l)
#define c_plscmap1n (pl_fn.p_c_plscmap1n)
#define c_plscol0 (pl_fn.p_c_plscol0)
#define c_plscolbg (pl_fn.p_c_plscolbg)
#define c_plsdev (pl_fn.p_c_plsdev)
#define c_plsfnam (pl_fn.p_c_plsfnam)
#define c_plsfont (pl_fn.p_c_plsfont)
#define c_plsmaj (pl_fn.p_c_plsmaj)
#define c_plsmin (pl_fn.p_c_plsmin)
#define c_plspage (pl_fn.p_c_plspage)
#define c_plssym (pl_fn.p_c_plssym)
#define c_plsvpa (pl_fn.p_c_plsvpa)
#define c_plwidth (pl_fn.p_c_plwidth)
#define c_plwind (pl_fn.p_c_plwind)

/* ------------------------------------------------------------------ devices and pages */

static int have_device(const char *name)
{
    /* plgDevs fills arrays of the caller's size n */
    const char *menu_buf[128], *devs_buf[128], **menu = menu_buf, **devs = devs_buf;
    int n = 128, i;
    plgDevs(&menu, &devs, &n);
    for (i = 0; i < n; i++)
        if (devs[i] != NULL && strcmp(devs[i], name) == 0)
            return 1;
    return 0;
}

typedef void (*draw_fn)(const void *ctx, int unicode);

/* The driver's millimetre over the layout's: cairo draws at 72 dpi whatever the PNG's
 * resolution, so the PNG is drawn magnified by this factor (1 for the PDF). */
static double mm_scale = 1;

static void vpa(const double b[4])
{
    plsvpa(b[0] * mm_scale, b[1] * mm_scale, b[2] * mm_scale, b[3] * mm_scale);
}

static void width(double w)
{
    plwidth(w * mm_scale);
}

static int file_nonempty(const char *path)
{
    FILE *fp = fopen(path, "rb");
    long n;
    if (fp == NULL)
        return 0;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fclose(fp);
    return n > 0;
}

/* A page of w_in x h_in inches in pixels of dpi; PLplot is told the driver's own resolution
 * (cairo's 72, whatever the pixels), and mm_scale is what that makes of a millimetre. */
static void page_begin(const char *dev, const char *file, double w_in, double h_in, double dpi,
                       double driver_dpi)
{
    plsdev(dev);
    if (file != NULL)
        plsfnam(file);
    plspage(driver_dpi, driver_dpi, (PLINT) lround(w_in * dpi), (PLINT) lround(h_in * dpi), 0,
            0);
    plscolbg(255, 255, 255);
    plinit();
    mm_scale = dpi / driver_dpi;
}

/* One figure: the PDF at path, the PNG beside it, each through a temporary name. */
static int render(const char *path, double w_in, double h_in, draw_fn fn, const void *ctx,
                  fy_error_t err)
{
    char png[4096], tmp[4112], ptmp[4112];
    int status = fy_plot_png_path(png, sizeof png, path, err);
    if (status != FY_OK)
        return status;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    snprintf(ptmp, sizeof ptmp, "%s.tmp", png);
    remove(tmp);
    remove(ptmp);
    page_begin("pdfcairo", tmp, w_in, h_in, 72, 72);
    fn(ctx, 1);
    plend();
    page_begin("pngcairo", ptmp, w_in, h_in, FY_PLOT_DPI, 72);
    fn(ctx, 1);
    plend();
    if (!file_nonempty(tmp) || !file_nonempty(ptmp) || rename(tmp, path) != 0 ||
        rename(ptmp, png) != 0)
    {
        remove(tmp);
        remove(ptmp);
        remove(path);
        return fy_error_set(err, FY_EIO, "%s: cannot write the figure (PLplot wrote no file, "
                            "or renaming %s failed)", path, tmp);
    }
    return FY_OK;
}

int fy_plot_render_ready(void)
{
    static int ready = -1;
    if (ready < 0)
        ready = fy_dl_load(&pl_lib, NULL) == FY_OK && have_device("pdfcairo") &&
                have_device("pngcairo");
    return ready;
}

const char *fy_plot_render_missing(void)
{
    return !fy_plot_render_ready() && pl_lib.state < 0 ? pl_lib.msg : NULL;
}

/* ------------------------------------------------------------------ common pieces */

static void style_begin(int ncolors)
{
    int c, rgb[3];
    plscmap0n(16 + ncolors);
    plscol0(0, 255, 255, 255);
    for (c = 1; c <= 15; c++)
    {
        fy_plot_rgb(rgb, c);
        plscol0(c, rgb[0], rgb[1], rgb[2]);
    }
    plsfont(PL_FCI_SERIF, PL_FCI_UPRIGHT, PL_FCI_MEDIUM);
    plschr(FY_PLOT_CHAR_MM * mm_scale, 1.0);
    plsmaj(1.2 * mm_scale, 1.0);
    plsmin(0.7 * mm_scale, 1.0);
    plssym(1.6 * mm_scale, 1.0);
}

/* A tick label or number: '-' as a typeset minus where the driver has Unicode. */
static void number_text(char *out, size_t n, const char *s, int unicode)
{
    size_t o = 0;
    for (; *s && o + 12 < n; s++)
    {
        if (*s == '-' && unicode)
        {
            memcpy(out + o, "#[0x2212]", 9);
            o += 9;
        }
        else
            out[o++] = *s;
    }
    out[o] = '\0';
}

static int minor_ticks(double step)
{
    double m = step / pow(10, floor(log10(step) + 1e-12));
    return fabs(m - 2) < 1e-6 ? 4 : 5;
}

/* The axis label with the factored power of ten. */
static void axis_title(char *out, size_t n, const char *label, int scale)
{
    if (scale != 0)
        snprintf(out, n, "%s (#[0x00d7]10#u%d#d)", label ? label : "", scale);
    else
        snprintf(out, n, "%s", label ? label : "");
}

/* Tick labels along one side of the current viewport: side 'b' (below), 'l' (left, written
 * horizontally) or 'r' (right, horizontally); disp in text heights from the edge. */
static void tick_labels(const fy_plot_axis_struct *a, char side, double disp, int unicode)
{
    char text[64];
    int k;
    for (k = 0; k < a->nticks; k++)
    {
        double pos = (a->tick[k] - a->lo) / (a->hi - a->lo);
        number_text(text, sizeof text, a->text[k], unicode);
        if (side == 'b')
            plmtex("b", disp, pos, 0.5, text);
        else if (side == 'l')
            plmtex("lv", disp, pos, 1.0, text);
        else
            plmtex("rv", disp, pos, 0.0, text);
    }
}

static void set_color(int index, int color)
{
    int rgb[3];
    fy_plot_rgb(rgb, color);
    plscol0(index, rgb[0], rgb[1], rgb[2]);
}

/* ------------------------------------------------------------------ line plots */

typedef struct
{
    const fy_plot_layout_struct *L;
    const fy_plot_series_struct *s;
    int ns;
    const fy_plot_axes_struct *ax;
} lines_ctx;

static void draw_one_series(const fy_plot_series_struct *s, int cidx)
{
    long i, m = 0, every = s->mark_every > 1 ? s->mark_every : 1;
    PLFLT *x = malloc(sizeof(PLFLT) * 4 * (size_t) s->n), *y, *lo, *hi;
    if (x == NULL)
        return;
    y = x + s->n, lo = y + s->n, hi = lo + s->n;
    for (i = 0; i < s->n; i++)
        if (isfinite(s->y[i]))
        {
            double e = s->yerr ? fabs(s->yerr[i]) : 0;
            x[m] = s->x[i], y[m] = s->y[i], lo[m] = s->y[i] - e, hi[m] = s->y[i] + e;
            m++;
        }
    plcol0(cidx);
    if (s->yerr != NULL && m > 0)
    {
        width(0.8);
        plerry((PLINT) m, x, lo, hi);
    }
    width(s->width > 0 ? 1.2 * s->width : 1.2);
    if (s->line && m > 1)
        plline((PLINT) m, x, y);
    width(0.9);
    if (s->marker != FY_PLOT_MARK_NONE)
        for (i = 0; i < m; i++)
            if (i % every == 0 || i == m - 1)
                plpoin(1, x + i, y + i, s->marker);
    free(x);
}

static void draw_legend(const lines_ctx *c)
{
    const fy_plot_layout_struct *L = c->L;
    double bw = L->box[1] - L->box[0], bh = L->box[3] - L->box[2], ch = L->char_mm;
    double pad = 0.5 * ch, x0, ytop;
    PLFLT fx[4], fy[4];
    double colw;
    int k, row = 0, rows, right = L->legend_corner == 1 || L->legend_corner == 4;
    int top = L->legend_corner == 1 || L->legend_corner == 2;
    plwind(0, bw, 0, bh);
    x0 = right ? bw - pad - L->legend_mm[0] : pad;
    ytop = top ? bh - pad : pad + L->legend_mm[1];
    fx[0] = fx[3] = x0, fx[1] = fx[2] = x0 + L->legend_mm[0];
    fy[0] = fy[1] = ytop - L->legend_mm[1], fy[2] = fy[3] = ytop;
    plcol0(0);
    plfill(4, fx, fy);
    rows = (L->nlegend + L->legend_cols - 1) / L->legend_cols;
    colw = (L->legend_mm[0] - 0.6 * ch) / L->legend_cols;
    for (k = 0; k < c->ns; k++)
    {
        const fy_plot_series_struct *s = c->s + k;
        PLFLT lx[2], ly[2], mx, my, xc;
        if (s->label == NULL || !s->label[0])
            continue;
        xc = x0 + (row / rows) * colw;
        my = ytop - 0.25 * ch - (row % rows + 0.5) * 2.0 * ch;
        lx[0] = xc + 0.3 * ch, lx[1] = xc + 3.3 * ch, ly[0] = ly[1] = my;
        mx = 0.5 * (lx[0] + lx[1]);
        plcol0(16 + k);
        if (s->line)
        {
            width(s->width > 0 ? 1.2 * s->width : 1.2);
            plline(2, lx, ly);
        }
        if (s->yerr != NULL)
        {
            PLFLT ex = mx, elo = my - 0.45 * ch, ehi = my + 0.45 * ch;
            width(0.8);
            plerry(1, &ex, &elo, &ehi);
        }
        width(0.9);
        if (s->marker != FY_PLOT_MARK_NONE)
            plpoin(1, &mx, &my, s->marker);
        plcol0(15);
        plptex(xc + 3.9 * ch, my, 1, 0, 0.0, s->label);
        row++;
    }
}

static void draw_lines(const void *vctx, int unicode)
{
    const lines_ctx *c = vctx;
    const fy_plot_layout_struct *L = c->L;
    double ch = L->char_mm;
    char title[512];
    int k;
    style_begin(c->ns);
    for (k = 0; k < c->ns; k++)
        set_color(16 + k, c->s[k].color);
    pladv(0);
    vpa(L->box);
    plwind(L->x.lo, L->x.hi, L->y.lo, L->y.hi);
    for (k = 0; k < c->ns; k++)
        draw_one_series(c->s + k, 16 + k);
    if (L->legend_corner > 0)
        draw_legend(c); /* before the frame, which stays on top */
    vpa(L->box);
    plwind(L->x.lo, L->x.hi, L->y.lo, L->y.hi);
    plcol0(15);
    width(0.7);
    plbox("bcst", L->x.step, minor_ticks(L->x.step), "bcst", L->y.step,
          minor_ticks(L->y.step));
    tick_labels(&L->x, 'b', 1.3, unicode);
    tick_labels(&L->y, 'l', 0.6, unicode);
    axis_title(title, sizeof title, c->ax->xlabel, L->x.scale);
    if (title[0])
        plmtex("b", 3.0, 0.5, 0.5, title);
    axis_title(title, sizeof title, c->ax->ylabel, L->y.scale);
    if (title[0])
        plmtex("l", (L->y.text_mm + 0.6 * ch) / ch + 1.5, 0.5, 0.5, title);
    if (c->ax->title && c->ax->title[0])
        plmtex("t", 1.2, 0.5, 0.5, c->ax->title);
}

int fy_plot_render_lines(const char *path, const fy_plot_layout_struct *L,
                         const fy_plot_series_struct *s, int ns, const fy_plot_axes_struct *ax,
                         fy_error_t err)
{
    lines_ctx c;
    c.L = L, c.s = s, c.ns = ns, c.ax = ax;
    return render(path, L->width, L->height, draw_lines, &c, err);
}

/* ------------------------------------------------------------------ heatmaps */

typedef struct
{
    const fy_plot_heat_layout *L;
    const fy_plot_heatmap_struct *h;
} heat_ctx;

static void viridis_cmap1(void)
{
    static const double r[11] = {68, 72, 65, 53, 42, 33, 34, 67, 122, 189, 253};
    static const double g[11] = {1, 37, 68, 96, 120, 145, 168, 191, 209, 223, 231};
    static const double b[11] = {84, 118, 135, 141, 142, 140, 132, 113, 81, 38, 37};
    PLFLT pos[11], R[11], G[11], B[11];
    int i;
    for (i = 0; i < 11; i++)
    {
        pos[i] = i / 10.0;
        R[i] = r[i] / 255, G[i] = g[i] / 255, B[i] = b[i] / 255;
    }
    plscmap1n(256);
    plscmap1l(1, 11, pos, R, G, B, NULL);
}

static void draw_colorbar(const fy_plot_heat_layout *L, int p, const char *zlabel, int unicode)
{
    const fy_plot_axis_struct *z = &L->z[p];
    double ch = L->char_mm;
    char title[512];
    PLFLT **g;
    int j;
    vpa(L->bar[p]);
    plwind(0, 1, L->zlo[p], L->zhi[p]);
    plAlloc2dGrid(&g, 2, 256);
    for (j = 0; j < 256; j++)
        g[0][j] = g[1][j] = L->zlo[p] + (j + 0.5) / 256 * (L->zhi[p] - L->zlo[p]);
    plimagefr((PLFLT_MATRIX) g, 2, 256, 0, 1, L->zlo[p], L->zhi[p], L->zlo[p], L->zhi[p],
              L->zlo[p], L->zhi[p], NULL, NULL);
    plFree2dGrid(g, 2, 256);
    plcol0(15);
    width(0.7);
    plbox("bc", 0, 0, "bct", z->step, 0);
    tick_labels(z, 'r', 0.6, unicode);
    axis_title(title, sizeof title, zlabel, z->scale);
    if (title[0])
        plmtex("r", (z->text_mm + 0.6 * ch) / ch + 1.6, 0.5, 0.5, title);
}

static void draw_heat_panel(const heat_ctx *c, int p, int unicode)
{
    const fy_plot_heat_layout *L = c->L;
    const fy_plot_heatmap_struct *m = c->h + p;
    double ch = L->char_mm, lo = L->zlo[p], hi = L->zhi[p];
    char title[512];
    PLFLT **z;
    long i, j;
    vpa(L->box[p]);
    plwind(0.5, m->rows + 0.5, 0.5, m->cols + 0.5);
    /* plimagefr maps the index range 0..nx-1 onto [xmin, xmax] and draws nx-1 cells, each
     * in the colour of its lower-left grid value: a grid one larger in each direction (the
     * last row and column repeated) draws every entry as its own unit cell */
    plAlloc2dGrid(&z, (PLINT) m->rows + 1, (PLINT) m->cols + 1);
    for (i = 0; i <= m->rows; i++)
        for (j = 0; j <= m->cols; j++)
        {
            long ii = i < m->rows ? i : m->rows - 1, jj = j < m->cols ? j : m->cols - 1;
            double v = m->z[ii * m->cols + jj];
            /* out of range: the nearest end of the scale; missing: not drawn */
            z[i][j] = isnan(v) ? lo - 1 - fabs(lo) : v < lo ? lo : v > hi ? hi : v;
        }
    plimagefr((PLFLT_MATRIX) z, (PLINT) m->rows + 1, (PLINT) m->cols + 1, 0.5, m->rows + 0.5,
              0.5, m->cols + 0.5, lo, hi, lo, hi, NULL, NULL);
    plFree2dGrid(z, (PLINT) m->rows + 1, (PLINT) m->cols + 1);
    plcol0(15);
    width(0.7);
    plbox("bct", L->x[p].step, 0, "bct", L->y[p].step, 0);
    tick_labels(&L->x[p], 'b', 1.3, unicode);
    tick_labels(&L->y[p], 'l', 0.6, unicode);
    axis_title(title, sizeof title, m->xlabel, 0);
    if (title[0])
        plmtex("b", 3.0, 0.5, 0.5, title);
    if (m->ylabel && m->ylabel[0])
        plmtex("l", (L->y[p].text_mm + 0.6 * ch) / ch + 1.5, 0.5, 0.5, m->ylabel);
    if (m->title && m->title[0])
        plmtex("t", 1.0, 0.0, 0.0, m->title);
    draw_colorbar(L, p, m->zlabel, unicode);
}

static void draw_heatmaps(const void *vctx, int unicode)
{
    const heat_ctx *c = vctx;
    int p;
    style_begin(0);
    viridis_cmap1();
    pladv(0);
    for (p = 0; p < c->L->np; p++)
        draw_heat_panel(c, p, unicode);
}

int fy_plot_render_heatmaps(const char *path, const fy_plot_heat_layout *L,
                            const fy_plot_heatmap_struct *h, fy_error_t err)
{
    heat_ctx c;
    c.L = L, c.h = h;
    return render(path, L->width, L->height, draw_heatmaps, &c, err);
}

#else
/* Built without PLplot: plot.c refuses before it gets here. */
int fy_plot_render_ready(void)
{
    return 0;
}

const char *fy_plot_render_missing(void)
{
    return NULL;
}

int fy_plot_render_lines(const char *path, const fy_plot_layout_struct *L,
                         const fy_plot_series_struct *s, int ns, const fy_plot_axes_struct *ax,
                         fy_error_t err)
{
    (void) L, (void) s, (void) ns, (void) ax;
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: feynn was built without PLplot", path);
}

int fy_plot_render_heatmaps(const char *path, const fy_plot_heat_layout *L,
                            const fy_plot_heatmap_struct *h, fy_error_t err)
{
    (void) L, (void) h;
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: feynn was built without PLplot", path);
}
#endif
