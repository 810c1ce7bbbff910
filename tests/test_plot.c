/* Tests of the plot writers of the draw module (draw.h, "plots"): with PLplot a line plot with
 * error bars and a page of heatmaps are written as PDF files (checked by their %PDF header and
 * %%EOF trailer, and that no PATH.tmp is left); without PLplot the writers refuse with
 * FY_EUNSUPPORTED and write nothing; bad input is refused in both builds. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/draw.h"
#include "testutil.h"

#define LINES "test_plot_lines.pdf"
#define HEAT "test_plot_heat.pdf"

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
    ax->title = "sin 3x with error bars, cos 3x";
    fy_error_init(err);
    remove(LINES);
    status = fy_plot_lines(LINES, s, 2, ax, err);
    if (fy_plot_available())
    {
        assert_int_equal(status, FY_OK);
        assert_true(file_is_pdf(LINES));
        assert_false(exists(LINES ".tmp"));
        remove(LINES);
    }
    else
    {
        assert_int_equal(status, FY_EUNSUPPORTED);
        assert_non_null(strstr(err->msg, "PLplot"));
        assert_false(exists(LINES));
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
        assert_true(file_is_pdf(HEAT));
        remove(HEAT);
    }
    else
        assert_int_equal(status, FY_EUNSUPPORTED);
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 0, err), FY_EINPUT);
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 7, err), FY_EINPUT);
    h[1].rows = 0;
    assert_int_equal(fy_plot_heatmaps(HEAT, h, 2, err), FY_EINPUT);
    assert_false(exists(HEAT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_heatmaps),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL) ? 1 : 0;
}
