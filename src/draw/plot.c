/* plot.c - figures of data as PDF through PLplot (see draw.h, "plots").
 *
 * Line plots with error bars and heatmaps, the figures the demos write beside their CSV files.
 * Built without PLplot, the writers check their arguments and return FY_EUNSUPPORTED. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feynn/draw.h"

#ifdef FY_HAVE_PLPLOT
#include <plplot.h>
#endif

void fy_plot_axes_init(fy_plot_axes_t ax)
{
    ax->xmin = ax->xmax = ax->ymin = ax->ymax = NAN;
    ax->include_zero = 1;
    ax->xlabel = ax->ylabel = ax->title = NULL;
}

int fy_plot_available(void)
{
#ifdef FY_HAVE_PLPLOT
    return 1;
#else
    return 0;
#endif
}

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

#ifdef FY_HAVE_PLPLOT
/* Opens a PDF page at PATH.tmp: white page, colour 15 black (axes, labels). */
static int plot_open(char **tmp, const char *path, fy_error_t err)
{
    size_t n = strlen(path) + 5;
    *tmp = malloc(n);
    if (*tmp == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (figure %s)", path);
    snprintf(*tmp, n, "%s.tmp", path);
    plsdev("pdf");
    plsfnam(*tmp);
    plscolbg(255, 255, 255);
    plscol0(15, 0, 0, 0);
    return FY_OK;
}

static int plot_close(char *tmp, const char *path, fy_error_t err)
{
    int status = FY_OK;
    plend();
    if (rename(tmp, path) != 0)
    {
        remove(tmp);
        status = fy_error_set(err, FY_EIO, "%s: cannot write the figure (rename of %s failed)",
                              path, tmp);
    }
    free(tmp);
    return status;
}

static void draw_series(const fy_plot_series_struct *s, PLFLT *x, PLFLT *y, PLFLT *lo,
                        PLFLT *hi)
{
    long i, m = 0;
    for (i = 0; i < s->n; i++)
        if (isfinite(s->y[i]))
        {
            x[m] = s->x[i];
            y[m] = s->y[i];
            lo[m] = s->y[i] - (s->yerr ? fabs(s->yerr[i]) : 0);
            hi[m] = s->y[i] + (s->yerr ? fabs(s->yerr[i]) : 0);
            m++;
        }
    if (m == 0)
        return;
    plcol0(s->color > 0 && s->color <= 15 ? s->color : 15);
    plwidth(s->width > 0 ? s->width : 1);
    if (s->line && m > 1)
        plline((PLINT) m, x, y);
    plwidth(1);
    if (s->marker != FY_PLOT_MARK_NONE)
        plpoin((PLINT) m, x, y, s->marker);
    if (s->yerr != NULL)
        plerry((PLINT) m, x, lo, hi);
}
#endif

int fy_plot_lines(const char *path, const fy_plot_series_struct *s, int ns,
                  const fy_plot_axes_t ax, fy_error_t err)
{
    double r[4];
    int status = check_series(s, ns, err);
    if (status != FY_OK)
        return status;
    series_range(r, s, ns, ax->include_zero);
    if (!isnan(ax->xmin))
        r[0] = ax->xmin;
    if (!isnan(ax->xmax))
        r[1] = ax->xmax;
    if (!isnan(ax->ymin))
        r[2] = ax->ymin;
    if (!isnan(ax->ymax))
        r[3] = ax->ymax;
    if (!(r[1] > r[0]) || !(r[3] > r[2]) || !isfinite(r[0] + r[1] + r[2] + r[3]))
        return fy_error_set(err, FY_EINPUT, "%s: empty or infinite plot range [%g, %g] x "
                            "[%g, %g]", path, r[0], r[1], r[2], r[3]);
#ifdef FY_HAVE_PLPLOT
    {
        long nmax = 1;
        int k;
        char *tmp = NULL;
        PLFLT *buf;
        for (k = 0; k < ns; k++)
            if (s[k].n > nmax)
                nmax = s[k].n;
        buf = malloc(sizeof(PLFLT) * 4 * (size_t) nmax);
        if (buf == NULL)
            return fy_error_set(err, FY_ENOMEM, "out of memory (figure %s)", path);
        status = plot_open(&tmp, path, err);
        if (status == FY_OK)
        {
            plinit();
            plcol0(15);
            plenv(r[0], r[1], r[2], r[3], 0, 0);
            pllab(ax->xlabel ? ax->xlabel : "", ax->ylabel ? ax->ylabel : "",
                  ax->title ? ax->title : "");
            for (k = 0; k < ns; k++)
                draw_series(s + k, buf, buf + nmax, buf + 2 * nmax, buf + 3 * nmax);
            status = plot_close(tmp, path, err);
        }
        free(buf);
        return status;
    }
#else
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: feynn was built without PLplot (no PDF "
                        "figures; install libplplot-dev and reconfigure)", path);
#endif
}

int fy_plot_heatmaps(const char *path, const fy_plot_heatmap_struct *h, int np,
                     fy_error_t err)
{
    int p;
    if (np < 1 || np > 6)
        return fy_error_set(err, FY_EINPUT, "%s: %d heatmaps (1..6 on a page)", path, np);
    for (p = 0; p < np; p++)
        if (h[p].rows < 1 || h[p].cols < 1 || h[p].z == NULL)
            return fy_error_set(err, FY_EINPUT, "%s: heatmap %d is empty (%ld x %ld)", path,
                                p + 1, h[p].rows, h[p].cols);
#ifdef FY_HAVE_PLPLOT
    {
        char *tmp = NULL;
        int status = plot_open(&tmp, path, err);
        if (status != FY_OK)
            return status;
        plssub(np, 1);
        plinit();
        plscmap1n(256);
        for (p = 0; p < np && status == FY_OK; p++)
        {
            const fy_plot_heatmap_struct *m = h + p;
            double zmin = m->zmin, zmax = m->zmax, lo = INFINITY, hi = -INFINITY;
            long i, j;
            PLFLT **z;
            plAlloc2dGrid(&z, (PLINT) m->rows, (PLINT) m->cols);
            for (i = 0; i < m->rows; i++)
                for (j = 0; j < m->cols; j++)
                {
                    z[i][j] = m->z[i * m->cols + j];
                    if (isfinite(z[i][j]))
                    {
                        lo = fmin(lo, z[i][j]);
                        hi = fmax(hi, z[i][j]);
                    }
                }
            if (isnan(zmin))
                zmin = isfinite(lo) ? lo : 0;
            if (isnan(zmax))
                zmax = isfinite(hi) ? hi : 0;
            if (!(zmax > zmin))
            {
                zmin -= 0.5;
                zmax = zmin + 1;
            }
            plcol0(15);
            pladv(0);
            plvpor(0.22, 0.95, 0.3, 0.75);
            plwind(0.5, m->rows + 0.5, 0.5, m->cols + 0.5);
            plimage((PLFLT_MATRIX) z, (PLINT) m->rows, (PLINT) m->cols, 0.5, m->rows + 0.5,
                    0.5, m->cols + 0.5, zmin, zmax, 0.5, m->rows + 0.5, 0.5, m->cols + 0.5);
            plbox("bcnst", 0, 0, "bcnst", 0, 0);
            pllab(m->xlabel ? m->xlabel : "", m->ylabel ? m->ylabel : "",
                  m->title ? m->title : "");
            plFree2dGrid(z, (PLINT) m->rows, (PLINT) m->cols);
        }
        return plot_close(tmp, path, err);
    }
#else
    return fy_error_set(err, FY_EUNSUPPORTED, "%s: feynn was built without PLplot (no PDF "
                        "figures; install libplplot-dev and reconfigure)", path);
#endif
}
