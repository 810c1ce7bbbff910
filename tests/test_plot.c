/* Tests of the plot writers of the draw module (draw.h, "plots"): with PLplot and its cairo
 * drivers a line plot with
 * error bars and a page of heatmaps are written as PDF files (checked by their %PDF header and
 * %%EOF trailer, their /MediaBox against the journal sizes, and that no PATH.tmp is left) and
 * as PNG files beside them (the IHDR width and height against the size in inches at 300 dpi);
 * without PLplot the writers refuse with FY_EUNSUPPORTED and write nothing; bad input is
 * refused in both builds.  The layout (computed without PLplot, so checked in every build):
 * every labelled series in the legend, the legend in a corner free of data, tick labels that
 * do not touch each other, margins that hold the widest tick label. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/draw.h"
#include "testutil.h"

#define LINES "test_plot_lines.pdf"
#define HEAT "test_plot_heat.pdf"
#define LINES_PNG "test_plot_lines.png"
#define HEAT_PNG "test_plot_heat.png"

static int file_is_pdf(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char head[5] = {0}, tail[64] = {0};
    long n;
    int ok;
    if (fp == NULL)
        return 0;
    ok = fread(head, 1, 4, fp) == 4 && memcmp(head, "%PDF", 4) == 0;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, n > 32 ? n - 32 : 0, SEEK_SET);
    n = (long) fread(tail, 1, 32, fp);
    fclose(fp);
    return ok && strstr(tail, "%%EOF") != NULL;
}

/* The PNG's width and height from its IHDR chunk; 0 when it is not a PNG. */
static int png_size(const char *path, unsigned *w, unsigned *h)
{
    FILE *fp = fopen(path, "rb");
    unsigned char b[24];
    int ok;
    if (fp == NULL)
        return 0;
    ok = fread(b, 1, 24, fp) == 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 &&
         memcmp(b + 12, "IHDR", 4) == 0;
    fclose(fp);
    *w = (unsigned) b[16] << 24 | (unsigned) b[17] << 16 | (unsigned) b[18] << 8 | b[19];
    *h = (unsigned) b[20] << 24 | (unsigned) b[21] << 16 | (unsigned) b[22] << 8 | b[23];
    return ok;
}

/* The first /MediaBox [x0 y0 x1 y1] of a PDF (PLplot's drivers write it uncompressed). */
static int pdf_mediabox(const char *path, double box[4])
{
    FILE *fp = fopen(path, "rb");
    static char buf[1 << 20];
    size_t n;
    const char *p;
    if (fp == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    for (p = buf; p < buf + n; p++)
        if (memcmp(p, "/MediaBox", 9) == 0)
            return sscanf(p + 9, " [ %lf %lf %lf %lf", box, box + 1, box + 2, box + 3) == 4;
    return 0;
}

/* PDF of width x height inches (to a point) and its PNG at 300 dpi (to a pixel). */
static void check_sizes(const char *pdf, const char *png, double width, double height)
{
    double box[4];
    unsigned w, h;
    assert_true(pdf_mediabox(pdf, box));
    printf("# %s: %g x %g bp, expected %g x %g\n", pdf, box[2] - box[0], box[3] - box[1],
           72 * width, 72 * height);
    assert_true(fabs(box[2] - box[0] - 72 * width) <= 1);
    assert_true(fabs(box[3] - box[1] - 72 * height) <= 1);
    assert_true(png_size(png, &w, &h));
    printf("# %s: %u x %u pixels\n", png, w, h);
    assert_true(fabs(w - 300 * width) <= 1);
    assert_true(fabs(h - 300 * height) <= 1);
}

/* Text width by a cruder rule than the layout's (0.75 text height per glyph, escapes
 * dropped): the layout's spacing must exceed it. */
static double fy_plot_text_mm_est(const char *t)
{
    double n = 0;
    for (; *t; t++)
    {
        if (*t == '#' && t[1])
        {
            t++;
            continue;
        }
        n += 1;
    }
    return n * 0.75 * 2.25;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_lines(void **state)
{
    double x[20], y[20], e[20], y2[20];
    fy_plot_series_struct s[2];
    fy_plot_axes_t ax;
    fy_error_t err;
    int i, status;
    (void) state;
    for (i = 0; i < 20; i++)
    {
        x[i] = i / 19.0;
        y[i] = sin(3 * x[i]);
        e[i] = 0.05 + 0.01 * i;
        y2[i] = i == 7 ? NAN : cos(3 * x[i]); /* a missing point is skipped */
    }
    memset(s, 0, sizeof s);
    s[0].n = 20, s[0].x = x, s[0].y = y, s[0].yerr = e, s[0].marker = FY_PLOT_MARK_CIRCLE;
    s[0].color = 9;
    s[1].n = 20, s[1].x = x, s[1].y = y2, s[1].line = 1, s[1].color = FY_PLOT_BLACK;
    s[1].width = 2;
    fy_plot_axes_init(ax);
    ax->xlabel = "x";
    ax->ylabel = "y";
    s[0].label = "sin 3x";
    s[1].label = "cos 3x";
    fy_error_init(err);
    remove(LINES);
    status = fy_plot_lines(LINES, s, 2, ax, err);
    if (fy_plot_available())
    {
        assert_int_equal(status, FY_OK);
        assert_true(file_is_pdf(LINES));
        assert_false(exists(LINES ".tmp"));
        assert_false(exists(LINES_PNG ".tmp"));
        check_sizes(LINES, LINES_PNG, FY_PLOT_COLUMN_WIDTH, 0.75 * FY_PLOT_COLUMN_WIDTH);
        remove(LINES);
        remove(LINES_PNG);
    }
    else
    {
        assert_int_equal(status, FY_EUNSUPPORTED);
        assert_non_null(strstr(err->msg, "PLplot"));
        assert_false(exists(LINES));
        assert_false(exists(LINES_PNG));
    }
    /* refusals: no series, an empty series, a non-finite abscissa, an empty range */
    assert_int_equal(fy_plot_lines(LINES, s, 0, ax, err), FY_EINPUT);
    s[1].n = 0;
    assert_int_equal(fy_plot_lines(LINES, s, 2, ax, err), FY_EINPUT);
    s[1].n = 20;
    x[3] = INFINITY;
    assert_int_equal(fy_plot_lines(LINES, s, 2, ax, err), FY_EINPUT);
    assert_non_null(strstr(err->msg, "x[3]"));
    x[3] = 3 / 19.0;
    ax->xmin = 1, ax->xmax = 0;
    assert_int_equal(fy_plot_lines(LINES, s, 2, ax, err), FY_EINPUT);
    assert_false(exists(LINES));
}

static void test_heatmaps(void **state)
{
    double z[12], w[12];
    fy_plot_heatmap_struct h[2];
    fy_error_t err;
    int i, status;
    (void) state;
    for (i = 0; i < 12; i++)
    {
        z[i] = i % 4 - 1.5 * (i / 4);
        w[i] = 2.0; /* constant: its own scale */
    }
    memset(h, 0, sizeof h);
    h[0].rows = 3, h[0].cols = 4, h[0].z = z, h[0].zmin = NAN, h[0].zmax = NAN;
    h[0].xlabel = "i", h[0].ylabel = "j", h[0].title = "a ramp";
    h[1] = h[0];
    h[1].z = w, h[1].title = "constant";
    fy_error_init(err);
    remove(HEAT);
    status = fy_plot_heatmaps(HEAT, h, 2, err);
    if (fy_plot_available())
    {
        assert_int_equal(status, FY_OK);
        double box[4];
        unsigned pw, hh;
        /* two panels: the page width; the PNG the same page at 300 dpi */
        assert_true(pdf_mediabox(HEAT, box));
        assert_true(png_size(HEAT_PNG, &pw, &hh));
        printf("# %s: %g x %g bp; PNG %u x %u\n", HEAT, box[2], box[3], pw, hh);
        assert_true(fabs(box[2] - box[0] - 72 * FY_PLOT_PAGE_WIDTH) <= 1);
        assert_true(fabs(pw - 300 * FY_PLOT_PAGE_WIDTH) <= 1);
        /* the PDF's height is rounded to a point, 300/72 pixels */
        assert_true(fabs(hh - 300.0 / 72 * (box[3] - box[1])) <= 5);
        assert_true(file_is_pdf(HEAT));
        remove(HEAT);
        remove(HEAT_PNG);
    }
    else
        assert_int_equal(status, FY_EUNSUPPORTED);
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 0, err), FY_EINPUT);
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 7, err), FY_EINPUT);
    h[1].rows = 0;
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 2, err), FY_EINPUT);
    assert_false(exists(HEAT));
}

/* Every entry of a heatmap is its own cell: a 4 x 3 map of distinct values, drawn as a PNG,
 * shows 4 runs of equal width along the middle pixel row (then the colour bar) and 3 of
 * equal height along a pixel column (tests/png_cells.py decodes the PNG).  PLplot's
 * plimagefr draws nx - 1 cells for nx values: before the fix 4 x 3 values showed as 3 x 2
 * cells.  Needs PLplot and python3; skipped without them. */
static void test_heat_cells(void **state)
{
    double z[12];
    fy_plot_heatmap_struct h;
    fy_error_t err;
    char script[1024], cmd[1400], line[256];
    int i, nrow = 0, ncol = 0, row[16], col[16];
    FILE *fp;
    (void) state;
    if (!fy_plot_available() || system("python3 -c pass >/dev/null 2>&1") != 0)
    {
        printf("# test_heat_cells: skipped (no PLplot or no python3)\n");
        return;
    }
    for (i = 0; i < 12; i++)
        z[i] = (i * 7) % 12; /* distinct, neighbours far apart on the scale */
    memset(&h, 0, sizeof h);
    h.rows = 4, h.cols = 3, h.z = z, h.zmin = NAN, h.zmax = NAN;
    h.xlabel = "i", h.ylabel = "j";
    fy_error_init(err);
    assert_int_equal(fy_plot_heatmaps("test_plot_cells.pdf", &h, 1, err), FY_OK);
    snprintf(cmd, sizeof cmd, "python3 %s test_plot_cells.png",
             fy_test_srcpath(script, sizeof script, "tests/png_cells.py"));
    fp = popen(cmd, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp) != NULL)
    {
        int *v = line[0] == 'r' ? row : col, *n = line[0] == 'r' ? &nrow : &ncol, used;
        const char *q = line + 3;
        while (*n < 16 && sscanf(q, "%d%n", v + *n, &used) == 1)
            (*n)++, q += used;
        printf("# %s", line);
    }
    assert_int_equal(pclose(fp), 0);
    /* 4 cells and the colour bar on the row, 3 cells on the column, each set equal to a few
     * pixels (the frame's lines take a pixel or three off the outer cells) */
    assert_int_equal(nrow, 5);
    assert_int_equal(ncol, 3);
    for (i = 1; i < 4; i++)
        assert_true(abs(row[i] - row[0]) <= 6);
    assert_true(row[4] < row[0] / 2);
    for (i = 1; i < 3; i++)
        assert_true(abs(col[i] - col[0]) <= 6);
    remove("test_plot_cells.pdf");
    remove("test_plot_cells.png");
}

/* The layout: a legend entry per labelled series, in a corner with no data under it (the
 * data fill the lower left; the top right is free), tick labels apart, margins that hold them,
 * powers of ten factored out of tiny values. */
static void test_layout(void **state)
{
    double x[50], y[50], y2[50];
    fy_plot_series_struct s[3];
    fy_plot_layout_struct L;
    fy_plot_axes_t ax;
    fy_error_t err;
    int i, k;
    (void) state;
    for (i = 0; i < 50; i++)
    {
        x[i] = i / 49.0;
        y[i] = 1e-4 * (1 - x[i]) * (1 - x[i]); /* high on the left, zero on the right */
        y2[i] = 0.5e-4 * (1 - x[i]);
    }
    memset(s, 0, sizeof s);
    for (k = 0; k < 3; k++)
        s[k].n = 50, s[k].x = x, s[k].line = 1;
    s[0].y = y, s[0].label = "first";
    s[1].y = y2, s[1].label = "second#d2#u";
    s[2].y = y2, s[2].marker = FY_PLOT_MARK_CROSS; /* unlabelled: not in the legend */
    fy_plot_axes_init(ax);
    ax->xlabel = "x";
    ax->ylabel = "y";
    fy_error_init(err);
    assert_int_equal(fy_plot_lines_layout(&L, s, 3, ax, err), FY_OK);
    assert_int_equal(L.nlegend, 2);
    assert_int_equal(L.legend_hits, 0);
    assert_int_equal(L.legend_corner, 1); /* the data leave the top right free */
    assert_true(fabs(L.width - FY_PLOT_COLUMN_WIDTH) < 1e-12);
    assert_true(fabs(L.height - 0.75 * FY_PLOT_COLUMN_WIDTH) < 1e-12);
    /* y in [0, 1.04e-4] (4% margin above): labels in units of 10^-4 */
    assert_int_equal(L.y.scale, -4);
    assert_true(L.y.nticks >= 3);
    /* x tick labels: centres further apart than half their widths plus a gap */
    for (k = 0; k + 1 < L.x.nticks; k++)
    {
        double bw = L.box[1] - L.box[0];
        double d = (L.x.tick[k + 1] - L.x.tick[k]) / (L.x.hi - L.x.lo) * bw;
        assert_true(d > 0.5 * (fy_plot_text_mm_est(L.x.text[k]) +
                               fy_plot_text_mm_est(L.x.text[k + 1])));
    }
    /* the left margin holds the widest y label and the axis label */
    assert_true(L.box[0] > L.y.text_mm + L.char_mm);
    assert_true(L.box[1] <= 25.4 * L.width && L.box[3] <= 25.4 * L.height);
    /* all corners taken (data everywhere): the y range grows to free the top */
    for (i = 0; i < 50; i++)
        y[i] = 0.2 + 0.6 * (i % 2), y2[i] = 0.8 - 0.6 * (i % 2);
    ax->include_zero = 0;
    s[0].line = s[1].line = 0;
    s[0].marker = s[1].marker = FY_PLOT_MARK_CIRCLE;
    assert_int_equal(fy_plot_lines_layout(&L, s, 2, ax, err), FY_OK);
    printf("# all corners taken: y range [%g, %g], legend corner %d, %d points under it\n",
           L.y.lo, L.y.hi, L.legend_corner, L.legend_hits);
    assert_int_equal(L.legend_hits, 0);
    assert_true(L.y.hi > 0.9); /* 0.8 plus the 4% margin is 0.826 */
    /* a bad size is refused */
    ax->width = -1;
    assert_int_equal(fy_plot_lines_layout(&L, s, 2, ax, err), FY_EINPUT);
}

static void test_png_path(void **state)
{
    char buf[64];
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_plot_png_path(buf, sizeof buf, "dir/fig.pdf", err), FY_OK);
    assert_string_equal(buf, "dir/fig.png");
    assert_int_equal(fy_plot_png_path(buf, sizeof buf, "fig", err), FY_OK);
    assert_string_equal(buf, "fig.png");
    assert_int_equal(fy_plot_png_path(buf, 6, "figure.pdf", err), FY_EINPUT);
    /* the sequential colours run from dark violet and stay visible on white at the end */
    assert_int_equal(fy_plot_color_seq(0), FY_PLOT_RGB(68, 1, 84));
    assert_true(((fy_plot_color_seq(1) >> 8) & 255) < 225);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_png_path),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_heatmaps),
        cmocka_unit_test(test_heat_cells),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL) ? 1 : 0;
}
