/* demo_plot.c - the figures of the demo (gradient.pdf, hessian.pdf, born_partial_sums.pdf)
 * through the plot writers of the draw module (draw.h, "plots"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/draw.h"

int _fy_borntaylor_plot_gradient(const char *dir, const double *c3, const double *g, int d,
                                 double R, fy_error_t err)
{
    char path[4096];
    double *x = malloc(sizeof(double) * (size_t) d);
    fy_plot_series_struct s[2];
    fy_plot_axes_t ax;
    int j, status;
    if (x == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (figure)");
    for (j = 0; j < d; j++)
        x[j] = (j + 0.5) * R / d;
    memset(s, 0, sizeof s);
    s[0].n = s[1].n = d;
    s[0].x = s[1].x = x;
    s[0].y = c3;
    s[1].y = g;
    s[0].line = 1, s[0].marker = FY_PLOT_MARK_CIRCLE, s[0].color = 9;
    s[0].label = "exact c#d3#u";
    s[1].marker = FY_PLOT_MARK_PLUS, s[1].color = 1;
    s[1].label = "network F#d1#u";
    fy_plot_axes_init(ax);
    ax->xmin = 0, ax->xmax = R;
    ax->xlabel = "step midpoint r";
    ax->ylabel = "#[0x2202]F/#[0x2202]U#dj#u at U = 0";
    snprintf(path, sizeof path, "%s/gradient.pdf", dir);
    status = fy_plot_lines(path, s, 2, ax, err);
    free(x);
    return status;
}

int _fy_borntaylor_plot_hessians(const char *dir, const double *Hm, const double *He, int d,
                                 fy_error_t err)
{
    char path[4096];
    fy_plot_heatmap_struct h[3];
    double *z3 = malloc(sizeof(double) * (size_t) d * (size_t) d);
    double zmin = 0, zmax = 0, dm = 0;
    int i, status;
    if (z3 == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (figure)");
    for (i = 0; i < d * d; i++)
    {
        z3[i] = Hm[i] - He[i];
        zmin = fmin(zmin, fmin(Hm[i], He[i]));
        zmax = fmax(zmax, fmax(Hm[i], He[i]));
        dm = fmax(dm, fabs(z3[i]));
    }
    if (dm == 0)
        dm = 1;
    if (zmax <= zmin)
        zmax = zmin + 1;
    memset(h, 0, sizeof h);
    for (i = 0; i < 3; i++)
    {
        h[i].rows = h[i].cols = d;
        h[i].zmin = zmin, h[i].zmax = zmax;
        h[i].xlabel = "j", h[i].ylabel = "k";
    }
    h[0].z = Hm, h[0].title = "(a) network #[0x2202]#u2#dF#d2#u(0)";
    h[0].zlabel = "(a), (b): shared scale";
    h[1].z = He, h[1].title = "(b) exact #[0x2212]2K";
    h[1].zlabel = "(a), (b): shared scale";
    h[2].z = z3, h[2].title = "(c) difference (a) #[0x2212] (b)";
    h[2].zlabel = "(c): own scale";
    h[2].zmin = -dm, h[2].zmax = dm;
    snprintf(path, sizeof path, "%s/hessian.pdf", dir);
    status = fy_plot_heatmaps(path, h, 3, err);
    free(z3);
    return status;
}

/* rows: lambda, a0, S1..S_nb, F1, A2 */
int _fy_borntaylor_plot_partial(const char *dir, const double *rows, int npts, int nb,
                                fy_error_t err)
{
    char path[4096];
    int ncol = 4 + nb, k, i, status;
    double *col = malloc(sizeof(double) * (size_t) npts * (size_t) ncol);
    fy_plot_series_struct s[16];
    fy_plot_axes_t ax;
    if (col == NULL || ncol - 1 > 16)
    {
        free(col);
        return fy_error_set(err, FY_ENOMEM, "out of memory (figure)");
    }
    /* column-major copy: col[k * npts + i] */
    for (i = 0; i < npts; i++)
        for (k = 0; k < ncol; k++)
            col[k * npts + i] = rows[i * ncol + k];
    /* a0 black; the partial sums S_1..S_N in viridis order; the network F_1 (markers on the
     * a0 curve it approximates) and the second-order proxy A_2 (markers in the colour of S_2,
     * the curve it approximates) */
    memset(s, 0, sizeof s);
    for (k = 1; k < ncol; k++)
    {
        static const char *sname[] = {"S#d1#u", "S#d2#u", "S#d3#u", "S#d4#u", "S#d5#u",
                                      "S#d6#u", "S#d7#u", "S#d8#u", "S#d9#u", "S#d10#u"};
        fy_plot_series_struct *t = s + k - 1;
        t->n = npts;
        t->x = col;
        t->y = col + k * npts;
        if (k == 1)
            t->line = 1, t->color = FY_PLOT_BLACK, t->width = 2, t->label = "a#d0#u exact";
        else if (k < ncol - 2)
        {
            t->line = 1, t->color = fy_plot_color_seq((k - 2) / (double) (nb > 1 ? nb - 1 : 1));
            t->label = k - 2 < 10 ? sname[k - 2] : NULL;
        }
        else if (k == ncol - 2)
            t->marker = FY_PLOT_MARK_CIRCLE, t->color = FY_PLOT_BLACK, t->label = "F#d1#u",
            t->mark_every = 4;
        else
            t->marker = FY_PLOT_MARK_CROSS, t->color = s[2].color, t->label = "A#d2#u",
            t->mark_every = 4;
    }
    fy_plot_axes_init(ax);
    ax->xmin = 0, ax->xmax = rows[(npts - 1) * ncol];
    ax->include_zero = 0;
    ax->xlabel = "coupling #gl";
    ax->ylabel = "a#d0#u(#glU)";
    snprintf(path, sizeof path, "%s/born_partial_sums.pdf", dir);
    status = fy_plot_lines(path, s, ncol - 1, ax, err);
    free(col);
    return status;
}
