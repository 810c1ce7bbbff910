/* plot.c - figures of data (see draw.h, "plots"): the argument checks, the palette and the
 * layout of every figure, computed without PLplot; plot_render.c draws them through PLplot.
 *
 * The layout works in millimetres on the printed page.  Text is estimated from the advance
 * widths of a serif font (digits half an em), generously, so that what is drawn is never
 * wider than what was planned: tick labels are spaced by their estimated widths, the margins
 * hold the widest tick label plus the axis label, and the legend goes to the corner of the
 * plot box with the fewest data points under it (the y range grows to make room when every
 * corner is taken and the range is automatic). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "draw/plot_impl.h"

void fy_plot_axes_init(fy_plot_axes_t ax)
{
    ax->xmin = ax->xmax = ax->ymin = ax->ymax = NAN;
    ax->include_zero = 1;
    ax->xlabel = ax->ylabel = ax->title = NULL;
    ax->width = 0;
    ax->aspect = 0;
}

int fy_plot_available(void)
{
    return fy_plot_render_ready();
}

static int unavailable(const char *path, fy_error_t err)
{
#ifdef FY_HAVE_PLPLOT
    if (fy_plot_render_missing() != NULL)
        return fy_error_set(err, FY_EUNSUPPORTED, "%s: no figures: %s", path,
                            fy_plot_render_missing());
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: PLplot's cairo drivers are not installed "
                        "(no figures; install plplot-driver-cairo)", path);
#else
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: feynn was built without PLplot (no "
                        "figures; install libplplot-dev and plplot-driver-cairo, reconfigure)",
                        path);
#endif
}

/* ------------------------------------------------------------------ colours */

/* Okabe and Ito's colour-blind-safe palette under cmap0's names (index 0 unused). */
static const unsigned char palette[16][3] = {
    {0, 0, 0},       {213, 94, 0},    {230, 159, 0},  {0, 158, 115},   {86, 180, 233},
    {204, 121, 167}, {240, 228, 66},  {120, 120, 120}, {140, 86, 60},  {0, 114, 178},
    {110, 60, 170},  {60, 180, 200},  {0, 128, 128},  {200, 40, 160},  {240, 128, 110},
    {0, 0, 0}};

/* viridis at t = 0, 0.1, ..., 1 */
static const unsigned char viridis[11][3] = {
    {68, 1, 84},    {72, 37, 118},  {65, 68, 135},  {53, 96, 141},  {42, 120, 142},
    {33, 145, 140}, {34, 168, 132}, {67, 191, 113}, {122, 209, 81}, {189, 223, 38},
    {253, 231, 37}};

static void viridis_at(int rgb[3], double t)
{
    int i, c;
    double f;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    i = (int) floor(t * 10);
    if (i > 9)
        i = 9;
    f = t * 10 - i;
    for (c = 0; c < 3; c++)
        rgb[c] = (int) lround(viridis[i][c] + f * (viridis[i + 1][c] - viridis[i][c]));
}

int fy_plot_color_seq(double t)
{
    int rgb[3];
    if (!(t >= 0))
        t = 0;
    viridis_at(rgb, 0.85 * (t > 1 ? 1 : t)); /* stop before the pale yellow end */
    return FY_PLOT_RGB(rgb[0], rgb[1], rgb[2]);
}

void fy_plot_rgb(int rgb[3], int color)
{
    if (color & 0x1000000)
    {
        rgb[0] = (color >> 16) & 255;
        rgb[1] = (color >> 8) & 255;
        rgb[2] = color & 255;
        return;
    }
    if (color < 1 || color > 15)
        color = 15;
    rgb[0] = palette[color][0];
    rgb[1] = palette[color][1];
    rgb[2] = palette[color][2];
}

/* ------------------------------------------------------------------ text and ticks */

double fy_plot_text_mm(const char *s, double ch)
{
    double w = 0, size = 1;
    const double em = ch / 0.68; /* cap height about 0.68 em */
    while (s != NULL && *s)
    {
        if (*s == '#' && s[1])
        {
            char c = s[1];
            s += 2;
            if (c == 'u' || c == 'd')
                size = size < 1 ? 1 : 0.65;
            else if (c == '(' || c == '[')
            {
                while (*s && *s != ')' && *s != ']')
                    s++;
                if (*s)
                    s++;
                w += 0.7 * em * size;
            }
            else if (c == 'g' && *s)
            {
                s++;
                w += 0.6 * em * size;
            }
            else if (c == '#')
                w += 0.8 * em * size;
            continue;
        }
        if ((unsigned char) *s >= 0x80)
        {
            /* one UTF-8 character */
            s++;
            while (((unsigned char) *s & 0xc0) == 0x80)
                s++;
            w += 0.7 * em * size;
            continue;
        }
        if (strchr("ilj.,:;!|'()[] ", *s))
            w += 0.3 * em * size;
        else if (strchr("mwMW", *s))
            w += 0.85 * em * size;
        else if (*s >= 'A' && *s <= 'Z')
            w += 0.7 * em * size;
        else
            w += 0.52 * em * size;
        s++;
    }
    return w;
}

/* The nice step (1, 2, 2.5 or 5 times a power of ten) at or above raw. */
static double nice_step(double raw)
{
    static const double m[] = {1, 2, 2.5, 5, 10};
    double p = pow(10, floor(log10(raw)));
    int i;
    for (i = 0; i < 5; i++)
        if (m[i] * p >= raw * (1 - 1e-9))
            return m[i] * p;
    return 10 * p;
}

static double next_step(double step)
{
    return nice_step(step * 1.0001);
}

static void axis_labels(fy_plot_axis_struct *a, double ch)
{
    double maxabs = fmax(fabs(a->lo), fabs(a->hi)), unit;
    int dec = 0, k;
    a->scale = 0;
    if (maxabs > 0)
    {
        int p = (int) floor(log10(maxabs) + 1e-12);
        if (p >= 4 || p <= -3)
            a->scale = p;
    }
    unit = a->step / pow(10, a->scale);
    while (dec < 8 && fabs(unit * pow(10, dec) - nearbyint(unit * pow(10, dec))) >
                          1e-6 * unit * pow(10, dec))
        dec++;
    a->text_mm = 0;
    for (k = 0; k < a->nticks; k++)
    {
        double v = a->tick[k] / pow(10, a->scale);
        if (fabs(v) < 1e-9 * unit)
            v = 0;
        snprintf(a->text[k], sizeof a->text[k], "%.*f", dec, v);
        a->text_mm = fmax(a->text_mm, fy_plot_text_mm(a->text[k], ch));
    }
}

static void axis_ticks(fy_plot_axis_struct *a, double step)
{
    double t0 = ceil(a->lo / step - 1e-9) * step;
    a->step = step;
    a->nticks = 0;
    for (; t0 <= a->hi + 1e-9 * step && a->nticks < FY_PLOT_MAX_TICKS; t0 += step)
        a->tick[a->nticks++] = fabs(t0) < 1e-12 * step ? 0 : t0;
}

void fy_plot_axis_make(fy_plot_axis_struct *a, double lo, double hi, int target, double len_mm,
                       int across, double ch)
{
    double step = nice_step((hi - lo) / (target > 1 ? target : 1));
    int tries;
    a->lo = lo;
    a->hi = hi;
    for (tries = 0; tries < 12; tries++)
    {
        double need;
        axis_ticks(a, step);
        axis_labels(a, ch);
        /* room per label: its width (or height) and a gap of one text height */
        need = (across ? ch : a->text_mm) + ch;
        if (a->nticks >= 2 && step / (hi - lo) * len_mm < need)
        {
            step = next_step(step);
            continue;
        }
        if (a->nticks > FY_PLOT_MAX_TICKS - 1 || a->nticks > target + 2)
        {
            step = next_step(step);
            continue;
        }
        break;
    }
}

/* ------------------------------------------------------------------ line plots */

static int check_series(const fy_plot_series_struct *s, int ns, fy_error_t err)
{
    int k;
    long i;
    if (ns < 1)
        return fy_error_set(err, FY_EINPUT, "a line plot needs at least one series");
    for (k = 0; k < ns; k++)
    {
        if (s[k].n < 1 || s[k].x == NULL || s[k].y == NULL)
            return fy_error_set(err, FY_EINPUT, "plot series %d: no points (n = %ld)", k + 1,
                                s[k].n);
        for (i = 0; i < s[k].n; i++)
            if (!isfinite(s[k].x[i]))
                return fy_error_set(err, FY_EINPUT, "plot series %d: x[%ld] is not finite",
                                    k + 1, i);
    }
    return FY_OK;
}

/* The data range of the series: x over all points, y over the finite y +- yerr. */
static void series_range(double r[4], const fy_plot_series_struct *s, int ns, int zero)
{
    int k;
    long i;
    r[0] = r[2] = INFINITY;
    r[1] = r[3] = -INFINITY;
    if (zero)
        r[2] = r[3] = 0;
    for (k = 0; k < ns; k++)
        for (i = 0; i < s[k].n; i++)
        {
            double y = s[k].y[i], e = s[k].yerr ? fabs(s[k].yerr[i]) : 0;
            r[0] = fmin(r[0], s[k].x[i]);
            r[1] = fmax(r[1], s[k].x[i]);
            if (isfinite(y) && isfinite(e))
            {
                r[2] = fmin(r[2], y - e);
                r[3] = fmax(r[3], y + e);
            }
        }
    if (!(r[1] > r[0]))
    {
        r[0] -= 0.5;
        r[1] += 0.5;
    }
    if (!isfinite(r[2]) || !isfinite(r[3]))
        r[2] = 0, r[3] = 1;
    if (!(r[3] > r[2]))
        r[3] = r[2] + 1;
}

/* Points (and 8 samples along each line segment) of the data inside the rectangle
 * [x0, x1] x [y0, y1] given in mm from the box's lower left. */
static int count_under(const fy_plot_layout_struct *L, const fy_plot_series_struct *s, int ns,
                       const double rect[4])
{
    double bw = L->box[1] - L->box[0], bh = L->box[3] - L->box[2];
    int k, hits = 0;
    long i;
    for (k = 0; k < ns; k++)
        for (i = 0; i < s[k].n; i++)
        {
            int j, nsamp = s[k].line && i + 1 < s[k].n && isfinite(s[k].y[i + 1]) ? 8 : 1;
            if (!isfinite(s[k].y[i]))
                continue;
            for (j = 0; j < nsamp; j++)
            {
                double f = j / 8.0, x, y, e = s[k].yerr ? fabs(s[k].yerr[i]) : 0;
                x = j ? s[k].x[i] + f * (s[k].x[i + 1] - s[k].x[i]) : s[k].x[i];
                y = j ? s[k].y[i] + f * (s[k].y[i + 1] - s[k].y[i]) : s[k].y[i];
                x = (x - L->x.lo) / (L->x.hi - L->x.lo) * bw;
                if (x < rect[0] || x > rect[1])
                    continue;
                if (((y + e - L->y.lo) / (L->y.hi - L->y.lo) * bh >= rect[2]) &&
                    ((y - e - L->y.lo) / (L->y.hi - L->y.lo) * bh <= rect[3]))
                    hits++;
            }
        }
    return hits;
}

/* The legend rectangle of corner c (1 top right, 2 top left, 3 bottom left, 4 bottom right),
 * mm from the box's lower left. */
static void legend_rect(double r[4], const fy_plot_layout_struct *L, int c)
{
    double bw = L->box[1] - L->box[0], bh = L->box[3] - L->box[2], pad = 0.5 * L->char_mm;
    int right = c == 1 || c == 4, top = c == 1 || c == 2;
    r[0] = right ? bw - pad - L->legend_mm[0] : pad;
    r[1] = r[0] + L->legend_mm[0];
    r[2] = top ? bh - pad - L->legend_mm[1] : pad;
    r[3] = r[2] + L->legend_mm[1];
}

/* The box and the axes for the y range [ylo, yhi]. */
static void lines_box(fy_plot_layout_struct *L, const fy_plot_axes_struct *ax, double xlo,
                      double xhi, double ylo, double yhi)
{
    double ch = L->char_mm, W = L->width * 25.4, H = L->height * 25.4, left, bottom, top, right;
    int pass;
    L->box[0] = 0, L->box[1] = W, L->box[2] = 0, L->box[3] = H;
    for (pass = 0; pass < 2; pass++)
    {
        double bw = L->box[1] - L->box[0], bh = L->box[3] - L->box[2];
        fy_plot_axis_make(&L->x, xlo, xhi, 5, bw, 0, ch);
        fy_plot_axis_make(&L->y, ylo, yhi, 5, bh, 1, ch);
        /* left: edge, axis label, gap, widest tick label, gap to the box */
        left = 0.4 * ch + (ax->ylabel && ax->ylabel[0] ? 2.0 * ch : 0) + L->y.text_mm + 0.8 * ch;
        bottom = 0.4 * ch + (ax->xlabel && ax->xlabel[0] ? 2.1 * ch : 0) + 1.9 * ch;
        /* (2.1: the label and room for the drop of a subscript in it) */
        top = (ax->title && ax->title[0] ? 1.8 * ch : 0) + 0.9 * ch;
        right = fmax(0.9 * ch, 0.6 * fy_plot_text_mm(L->x.text[L->x.nticks - 1], ch));
        L->box[0] = left;
        L->box[1] = W - right;
        L->box[2] = bottom;
        L->box[3] = H - top;
    }
}

static void lines_legend(fy_plot_layout_struct *L, const fy_plot_series_struct *s, int ns)
{
    double wmax = 0, best_rect[4];
    int k, c, best = 0, hits = -1;
    L->nlegend = 0;
    for (k = 0; k < ns; k++)
        if (s[k].label != NULL && s[k].label[0])
        {
            L->nlegend++;
            wmax = fmax(wmax, fy_plot_text_mm(s[k].label, L->char_mm));
        }
    L->legend_corner = 0;
    L->legend_hits = 0;
    L->legend_mm[0] = L->legend_mm[1] = 0;
    if (L->nlegend == 0)
        return;
    /* columns of at most 4 entries: sample (3 text heights), gap, text; rows of 2 text
     * heights (PLplot's subscripts drop deep: closer rows would pair them with the next) */
    {
        /* the fewest rows (at least 4) whose columns fit in the box */
        double bw = L->box[1] - L->box[0];
        int rows = L->nlegend < 4 ? L->nlegend : 4;
        for (;; rows++)
        {
            L->legend_cols = (L->nlegend + rows - 1) / rows;
            L->legend_mm[0] = L->legend_cols * (4.9 * L->char_mm + wmax) - 0.4 * L->char_mm;
            if (L->legend_mm[0] <= bw - L->char_mm || rows >= L->nlegend)
                break;
        }
        L->legend_mm[1] = 2.0 * L->char_mm * rows + 0.5 * L->char_mm;
    }
    for (c = 1; c <= 4; c++)
    {
        double r[4];
        int n;
        legend_rect(r, L, c);
        n = count_under(L, s, ns, r);
        if (hits < 0 || n < hits)
            hits = n, best = c, memcpy(best_rect, r, sizeof r);
    }
    L->legend_corner = best;
    L->legend_hits = hits;
}

int fy_plot_lines_layout(fy_plot_layout_struct *L, const fy_plot_series_struct *s, int ns,
                         const fy_plot_axes_t ax, fy_error_t err)
{
    double r[4], pad;
    int status = check_series(s, ns, err), grow;
    memset(L, 0, sizeof *L);
    if (status != FY_OK)
        return status;
    series_range(r, s, ns, ax->include_zero);
    pad = 0.04 * (r[3] - r[2]);
    if (isnan(ax->ymin))
        r[2] -= (ax->include_zero && r[2] == 0) ? 0 : pad;
    if (isnan(ax->ymax))
        r[3] += (ax->include_zero && r[3] == 0) ? 0 : pad;
    if (!isnan(ax->xmin))
        r[0] = ax->xmin;
    if (!isnan(ax->xmax))
        r[1] = ax->xmax;
    if (!isnan(ax->ymin))
        r[2] = ax->ymin;
    if (!isnan(ax->ymax))
        r[3] = ax->ymax;
    if (!(r[1] > r[0]) || !(r[3] > r[2]) || !isfinite(r[0] + r[1] + r[2] + r[3]))
        return fy_error_set(err, FY_EINPUT, "empty or infinite plot range [%g, %g] x [%g, %g]",
                            r[0], r[1], r[2], r[3]);
    if (!(ax->width >= 0 && ax->width < 100) || !(ax->aspect >= 0 && ax->aspect < 10))
        return fy_error_set(err, FY_EINPUT, "figure width %g in, aspect %g: expected 0 (the "
                            "default) or a width below 100 in and an aspect below 10",
                            ax->width, ax->aspect);
    L->width = ax->width > 0 ? ax->width : FY_PLOT_COLUMN_WIDTH;
    L->height = L->width * (ax->aspect > 0 ? ax->aspect : 0.75);
    L->char_mm = FY_PLOT_CHAR_MM;
    for (grow = 0; grow < 4; grow++)
    {
        double bh;
        lines_box(L, ax, r[0], r[1], r[2], r[3]);
        lines_legend(L, s, ns);
        bh = L->box[3] - L->box[2];
        if (L->legend_hits == 0 || !isnan(ax->ymax) || L->legend_corner == 0)
            break;
        /* every corner is taken: more room above the data for a legend at the top */
        r[3] = r[2] + (r[3] - r[2]) * bh / fmax(bh - L->legend_mm[1] - L->char_mm, 0.3 * bh);
    }
    return FY_OK;
}

int fy_plot_lines(const char *path, const fy_plot_series_struct *s, int ns,
                  const fy_plot_axes_t ax, fy_error_t err)
{
    fy_plot_layout_struct L;
    int status = fy_plot_lines_layout(&L, s, ns, ax, err);
    if (status != FY_OK)
    {
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return fy_error_set(err, status, "%s: %s", path, msg);
    }
    if (!fy_plot_available())
        return unavailable(path, err);
    return fy_plot_render_lines(path, &L, s, ns, ax, err);
}

/* ------------------------------------------------------------------ heatmaps */

static void heat_range(double *zmin, double *zmax, const fy_plot_heatmap_struct *m)
{
    double lo = INFINITY, hi = -INFINITY;
    long i;
    for (i = 0; i < m->rows * m->cols; i++)
        if (isfinite(m->z[i]))
        {
            lo = fmin(lo, m->z[i]);
            hi = fmax(hi, m->z[i]);
        }
    *zmin = isnan(m->zmin) ? (isfinite(lo) ? lo : 0) : m->zmin;
    *zmax = isnan(m->zmax) ? (isfinite(hi) ? hi : 0) : m->zmax;
    if (!(*zmax > *zmin))
    {
        *zmin -= 0.5;
        *zmax = *zmin + 1;
    }
}

int fy_plot_heat_layout_make(fy_plot_heat_layout *L, const fy_plot_heatmap_struct *h, int np,
                             const char *path, fy_error_t err)
{
    double ch = FY_PLOT_CHAR_MM, W, pw, side = 1e9, bottom, top, left[FY_PLOT_MAX_PANELS];
    double right[FY_PLOT_MAX_PANELS];
    int p;
    memset(L, 0, sizeof *L);
    if (np < 1 || np > FY_PLOT_MAX_PANELS)
        return fy_error_set(err, FY_EINPUT, "%s: %d heatmaps (1..6 on a page)", path, np);
    for (p = 0; p < np; p++)
        if (h[p].rows < 1 || h[p].cols < 1 || h[p].z == NULL)
            return fy_error_set(err, FY_EINPUT, "%s: heatmap %d is empty (%ld x %ld)", path,
                                p + 1, h[p].rows, h[p].cols);
    L->np = np;
    L->char_mm = ch;
    L->width = np == 1 ? FY_PLOT_COLUMN_WIDTH : FY_PLOT_PAGE_WIDTH;
    W = L->width * 25.4;
    pw = W / np;
    bottom = 0.4 * ch + 2.1 * ch + 1.9 * ch; /* tick labels, the axis label, a subscript */
    top = 0.9 * ch + 1.9 * ch; /* panel title */
    for (p = 0; p < np; p++)
    {
        heat_range(&L->zlo[p], &L->zhi[p], h + p);
        /* first pass with a guessed side; the labels hardly depend on it */
        fy_plot_axis_make(&L->x[p], 0.5, h[p].rows + 0.5, 5, 0.5 * pw, 0, ch);
        fy_plot_axis_make(&L->y[p], 0.5, h[p].cols + 0.5, 5, 0.5 * pw, 1, ch);
        fy_plot_axis_make(&L->z[p], L->zlo[p], L->zhi[p], 4, 0.5 * pw, 1, ch);
        left[p] = 0.4 * ch + (h[p].ylabel && h[p].ylabel[0] ? 2.0 * ch : 0) + L->y[p].text_mm +
                  0.8 * ch;
        /* gap, bar, tick labels, the colour bar's label */
        right[p] = 1.0 * ch + 1.1 * ch + 0.6 * ch + L->z[p].text_mm + 0.6 * ch +
                   (h[p].zlabel && h[p].zlabel[0] ? 2.0 * ch : 0) + 0.6 * ch;
        side = fmin(side, pw - left[p] - right[p]);
    }
    if (side < 10)
        return fy_error_set(err, FY_EINPUT, "%s: %d heatmaps do not fit on a page", path, np);
    for (p = 0; p < np; p++)
    {
        double x0 = p * pw + left[p];
        /* integer ticks: at least 1 apart */
        fy_plot_axis_make(&L->x[p], 0.5, h[p].rows + 0.5, 5, side, 0, ch);
        if (L->x[p].step < 1)
            fy_plot_axis_make(&L->x[p], 0.5, h[p].rows + 0.5, (int) h[p].rows, side, 0, ch);
        fy_plot_axis_make(&L->y[p], 0.5, h[p].cols + 0.5, 5, side, 1, ch);
        if (L->y[p].step < 1)
            fy_plot_axis_make(&L->y[p], 0.5, h[p].cols + 0.5, (int) h[p].cols, side, 1, ch);
        fy_plot_axis_make(&L->z[p], L->zlo[p], L->zhi[p], 4, side, 1, ch);
        L->box[p][0] = x0;
        L->box[p][1] = x0 + side;
        L->box[p][2] = bottom;
        L->box[p][3] = bottom + side;
        L->bar[p][0] = x0 + side + 1.0 * ch;
        L->bar[p][1] = L->bar[p][0] + 1.1 * ch;
        L->bar[p][2] = bottom;
        L->bar[p][3] = bottom + side;
    }
    L->height = (bottom + side + top) / 25.4;
    return FY_OK;
}

int fy_plot_heatmaps(const char *path, const fy_plot_heatmap_struct *h, int np,
                     fy_error_t err)
{
    fy_plot_heat_layout L;
    int status = fy_plot_heat_layout_make(&L, h, np, path, err);
    if (status != FY_OK)
        return status;
    if (!fy_plot_available())
        return unavailable(path, err);
    return fy_plot_render_heatmaps(path, &L, h, err);
}

int fy_plot_png_path(char *buf, size_t n, const char *path, fy_error_t err)
{
    size_t len = strlen(path);
    int w;
    if (len >= 4 && strcmp(path + len - 4, ".pdf") == 0)
        w = snprintf(buf, n, "%.*s.png", (int) (len - 4), path);
    else
        w = snprintf(buf, n, "%s.png", path);
    if (w < 0 || (size_t) w >= n)
        return fy_error_set(err, FY_EINPUT, "%s: path too long for the PNG copy", path);
    return FY_OK;
}
