/* Tests of the start-up (issue 16): the optional back ends (PLplot, Graphviz cgraph and gvc,
 * MPI) are opened on first use, not at load.  Checked on the process's own map of shared
 * objects (/proc/self/maps): nothing optional is mapped after a computation, PLplot after a
 * figure, cgraph after a DOT text, gvc after a TikZ picture; a missing library gives an error
 * that names it and the package to install (FEYNN_DL_HIDE, in a child process, since a library
 * once loaded stays).  The loader itself on libm: a resolved pointer computes cos. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "feynn/draw.h"
#include "feynn/graph.h"
#include "feynn/par.h"
#include "feynn/util.h"
#include "testutil.h"
#include "util/dl.h"

#define FIG "test_startup_fig.pdf"
#define FIG_PNG "test_startup_fig.png"

/* 1 when a shared object whose path contains name is mapped, 0 when not, -1 when the map
 * cannot be read (not Linux). */
static int mapped(const char *name)
{
    FILE *fp = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    if (fp == NULL)
        return -1;
    while (fgets(line, sizeof line, fp) != NULL)
        if (strstr(line, name) != NULL)
            found = 1;
    fclose(fp);
    return found;
}

static int maps_readable(void)
{
    /* the reader must see what is linked for sure (FLINT), or its "not mapped" says nothing */
    return mapped("libflint") == 1;
}

/* Runs fn in a child process and returns its exit status (0: its checks passed). */
static int in_child(int (*fn)(void))
{
    pid_t pid;
    int st;
    fflush(stdout);
    pid = fork();
    if (pid == 0)
    {
        st = fn();
        fflush(stdout); /* _exit does not */
        _exit(st);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

/* ------------------------------------------------------------------ the loader */

typedef struct
{
    double (*p_cos)(double);
    void *p_nothing;
} libm_api;

static void test_dl_libm(void **state)
{
    static libm_api api;
    static const fy_dl_sym_struct syms[] = {{"cos", (void **) &api.p_cos}, {NULL, NULL}};
    static fy_dl_lib_struct lib = {"libm", "libm.so.6", "", "libc6", 0, syms, 0, NULL, ""};
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    assert_false(fy_dl_loaded(&lib));
    assert_int_equal(fy_dl_load(&lib, err), FY_OK);
    assert_true(fy_dl_loaded(&lib));
    /* cos(0) = 1 and cos(pi/3) = 1/2 through the resolved pointer */
    assert_true(api.p_cos(0.0) == 1.0);
    assert_true(fabs(api.p_cos(acos(-1.0) / 3) - 0.5) < 1e-15);
    assert_int_equal(fy_dl_load(&lib, err), FY_OK); /* the second call only reports */
}

static void test_dl_missing(void **state)
{
    static libm_api api;
    static const fy_dl_sym_struct none[] = {{NULL, NULL}};
    static const fy_dl_sym_struct bad[] = {{"cos", (void **) &api.p_cos},
                                           {"fy_no_such_symbol", &api.p_nothing},
                                           {NULL, NULL}};
    static fy_dl_lib_struct gone = {"Nothing", "libfeynn-no-such-library.so.7",
                                    "/nonexistent/libfeynn-no-such-library.so.7", "feynn-nothing",
                                    0, none, 0, NULL, ""};
    static fy_dl_lib_struct partial = {"libm", "libm.so.6", "", "libc6", 0, bad, 0, NULL, ""};
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    assert_int_equal(fy_dl_load(&gone, err), FY_EUNSUPPORTED);
    printf("# %s\n", err->msg);
    assert_non_null(strstr(err->msg, "Nothing (libfeynn-no-such-library.so.7) cannot be loaded"));
    assert_non_null(strstr(err->msg, "apt-get install feynn-nothing"));
    assert_false(fy_dl_loaded(&gone));
    fy_error_init(err);
    assert_int_equal(fy_dl_load(&gone, err), FY_EUNSUPPORTED); /* remembered */
    assert_non_null(strstr(err->msg, "libfeynn-no-such-library.so.7"));
    assert_int_equal(fy_dl_load(&partial, err), FY_EUNSUPPORTED);
    printf("# %s\n", err->msg);
    assert_non_null(strstr(err->msg, "has no symbol fy_no_such_symbol"));
    assert_false(fy_dl_loaded(&partial));
}

/* ------------------------------------------------------------------ what a run maps */

static void tiny_diagram(fy_diagram_t d)
{
    static const char *const v[] = {"input", "vertex", "output"};
    static const char *const l[] = {"propagator"};
    static const char *const g[] = {"slot"};
    static const fy_family_struct fam = {"mlp", v, 3, l, 1, g, 1, 1};
    fy_error_t e;
    fy_error_init(e);
    fy_diagram_init(d, &fam);
    assert_int_equal(fy_diagram_add_vertex(d, 2, 1, e), 0); /* the output, layer 1 */
    assert_int_equal(fy_diagram_add_vertex(d, 0, 0, e), 1); /* an input */
    d->root = 0;
    assert_true(fy_diagram_add_line(d, 1, 0, 0, e) >= 0);
    assert_true(fy_diagram_add_leg(d, 1, 1, 0, e) >= 0);
}

/* First in the list: nothing has drawn or started ranks yet. */
static void test_plain_maps_nothing(void **state)
{
    fy_error_t err;
    (void) state;
    if (!maps_readable())
        skip();
    fy_error_init(err);
    unsetenv("OMPI_COMM_WORLD_SIZE"), unsetenv("PMIX_RANK"), unsetenv("PMI_SIZE");
    unsetenv("PMI_RANK"), unsetenv("FEYNN_MPI");
    assert_int_equal(fy_par_init(NULL, NULL, err), FY_OK);
    assert_int_equal(fy_par_size(), 1);
    assert_int_equal(fy_par_rank(), 0);
    fy_par_finalize();
    assert_int_equal(mapped("libplplot"), 0);
    assert_int_equal(mapped("libgvc"), 0);
    assert_int_equal(mapped("libcgraph"), 0);
    assert_int_equal(mapped("libmpi"), 0);
}

static void test_dot_maps_cgraph(void **state)
{
    fy_diagram_t d;
    fy_draw_options_t opt;
    fy_error_t err;
    char *text = NULL;
    (void) state;
    if (!maps_readable())
        skip();
    fy_error_init(err);
    tiny_diagram(d);
    fy_draw_options_init(opt);
    assert_int_equal(fy_draw_dot(&text, d, opt, err), FY_OK);
    assert_non_null(strstr(text, "graph"));
    free(text);
    assert_int_equal(mapped("libcgraph"), 1);
    assert_int_equal(mapped("libgvc"), 0); /* DOT needs no layout */
    assert_int_equal(fy_draw_tikz(&text, d, opt, err), FY_OK);
    assert_non_null(strstr(text, "\\begin{tikzpicture}"));
    free(text);
    assert_int_equal(mapped("libgvc"), 1);
    assert_int_equal(mapped("libplplot"), 0);
    fy_diagram_clear(d);
}

static void test_figure_maps_plplot(void **state)
{
    double x[3] = {0, 1, 2}, y[3] = {1, 0, 1};
    fy_plot_series_struct s;
    fy_plot_axes_t ax;
    fy_error_t err;
    int rc;
    (void) state;
    if (!maps_readable())
        skip();
    memset(&s, 0, sizeof s);
    s.n = 3, s.x = x, s.y = y, s.line = 1;
    fy_plot_axes_init(ax);
    fy_error_init(err);
    rc = fy_plot_lines(FIG, &s, 1, ax, err);
#ifdef FY_HAVE_PLPLOT
    assert_int_equal(mapped("libplplot"), 1);
    if (fy_plot_available())
        assert_int_equal(rc, FY_OK);
#else
    assert_int_equal(rc, FY_EUNSUPPORTED);
    assert_int_equal(mapped("libplplot"), 0);
#endif
    remove(FIG);
    remove(FIG_PNG);
    assert_int_equal(mapped("libmpi"), 0);
}

/* ------------------------------------------------------------------ missing back ends */

static int child_plplot_hidden(void)
{
    double x[2] = {0, 1}, y[2] = {0, 1};
    fy_plot_series_struct s;
    fy_plot_axes_t ax;
    fy_error_t err;
    setenv("FEYNN_DL_HIDE", "libplplot", 1);
    memset(&s, 0, sizeof s);
    s.n = 2, s.x = x, s.y = y, s.line = 1;
    fy_plot_axes_init(ax);
    fy_error_init(err);
    if (fy_plot_lines(FIG, &s, 1, ax, err) != FY_EUNSUPPORTED || fy_plot_available())
        return 1;
    printf("# %s\n", err->msg);
#ifdef FY_HAVE_PLPLOT
    if (strstr(err->msg, FIG) == NULL || strstr(err->msg, FY_SONAME_PLPLOT) == NULL ||
        strstr(err->msg, "libplplot-dev") == NULL)
        return 2;
#endif
    return access(FIG, F_OK) == 0 ? 3 : 0;
}

static int child_cgraph_hidden(void)
{
    fy_diagram_t d;
    fy_draw_options_t opt;
    fy_error_t err;
    char *text = NULL;
    int rc;
    setenv("FEYNN_DL_HIDE", "libcgraph", 1);
    tiny_diagram(d);
    fy_draw_options_init(opt);
    fy_error_init(err);
    rc = fy_draw_dot(&text, d, opt, err);
    fy_diagram_clear(d);
    if (rc != FY_EUNSUPPORTED || text != NULL)
        return 1;
    printf("# %s\n", err->msg);
    return strstr(err->msg, FY_SONAME_CGRAPH) && strstr(err->msg, "libgraphviz-dev") ? 0 : 2;
}

static int child_mpi_hidden(void)
{
#ifdef FY_HAVE_MPI
    fy_error_t err;
    setenv("FEYNN_DL_HIDE", "libmpi", 1);
    setenv("FEYNN_MPI", "1", 1); /* as if started by mpirun */
    fy_error_init(err);
    if (fy_par_init(NULL, NULL, err) != FY_EUNSUPPORTED || fy_par_size() != 1)
        return 1;
    printf("# %s\n", err->msg);
    return strstr(err->msg, FY_SONAME_MPI) && strstr(err->msg, "libopenmpi-dev") ? 0 : 2;
#else
    return 0;
#endif
}

static void test_missing_named(void **state)
{
    (void) state;
    assert_int_equal(in_child(child_plplot_hidden), 0);
    assert_int_equal(in_child(child_cgraph_hidden), 0);
    assert_int_equal(in_child(child_mpi_hidden), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_maps_nothing),
        cmocka_unit_test(test_dl_libm),
        cmocka_unit_test(test_dl_missing),
        cmocka_unit_test(test_missing_named),
        cmocka_unit_test(test_dot_maps_cgraph),
        cmocka_unit_test(test_figure_maps_plplot),
    };
    return cmocka_run_group_tests_name("startup", tests, NULL, NULL);
}
