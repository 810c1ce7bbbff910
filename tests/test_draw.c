/* Tests of the draw module: DOT golden files, an independent parse of the DOT back through
 * cgraph (node, edge and arrowhead counts against the diagram), rendering of every emitted
 * file by `dot -Tpdf`, compilation of the TikZ by pdfLaTeX when it is installed, and the
 * symbolic expression of the order-2 MLP diagram against MATH.md 1.3. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <graphviz/cgraph.h>

#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/feynman.h"
#include "feynn/graph.h"
#include "feynn/util.h"
#include "testutil.h"

#define TMPDIR "test_draw.tmp"

/* LeakSanitizer (sanitizer builds): fontconfig, which Graphviz's text layout plugin loads to
 * measure labels, keeps its font cache for the life of the process.  Not feynn memory; the
 * same list is in tests/lsan.supp for the command's tests. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libpango\nleak:libcairo\n";
}

/* Families of hand-built diagrams (the same kind names as the generators use). */
static const char *const mlp_v[] = {"input", "vertex", "output"};
static const char *const mlp_l[] = {"propagator"};
static const char *const mlp_g[] = {"slot"};
static const fy_family_struct mlp_family = {"mlp", mlp_v, 3, mlp_l, 1, mlp_g, 1, 1};

static const char *const nnft_v[] = {"point", "phi1", "phi2", "phi3", "phi4"};
static const char *const nnft_l[] = {"propagator"};
static const char *const nnft_g[] = {"point"};
static const fy_family_struct nnft_family = {"nnft", nnft_v, 5, nnft_l, 1, nnft_g, 1, 0};

static const char *const born_v[] = {"insertion"};
static const char *const born_l[] = {"static"};
static const char *const born_g[] = {"end"};
static const fy_family_struct born_family = {"born", born_v, 1, born_l, 1, born_g, 1, 0};

/* ------------------------------------------------------------------ builders */

/* An MLP tree from a parent array: parent[i] of vertex i (-1 for the output, which must be
 * vertex 0), level[i]; vertices at level 0 are inputs with a leg labelled by their order
 * (1, 2, ...) or unlabelled. */
static void build_mlp(fy_diagram_t d, int nv, const int *parent, const int *level, int L,
                      int labelled)
{
    fy_error_t e;
    int i, slot = 1;
    fy_error_init(e);
    fy_diagram_init(d, &mlp_family);
    for (i = 0; i < nv; i++)
    {
        int kind = i == 0 ? 2 : level[i] == 0 ? 0 : 1;
        assert_int_equal(fy_diagram_add_vertex(d, kind, i == 0 ? L : level[i], e), i);
    }
    d->root = 0;
    for (i = 1; i < nv; i++)
        assert_true(fy_diagram_add_line(d, i, parent[i], 0, e) >= 0);
    for (i = 1; i < nv; i++)
        if (level[i] == 0)
            assert_true(fy_diagram_add_leg(d, i, labelled ? slot++ : FY_LEG_UNLABELLED, 0, e) >=
                        0);
}

/* Order 3, H = 2: output <- a(2) <- {x_i, b(1) <- {x_j, x_k}}. */
static void build_chain3(fy_diagram_t d)
{
    static const int parent[] = {-1, 0, 1, 1, 3, 3};
    static const int level[] = {3, 2, 0, 1, 0, 0};
    build_mlp(d, 6, parent, level, 3, 1);
}

/* Order 5, H = 1: one 5-vertex; its line to the output carries 5 derivatives (above the 4
 * arrowheads Graphviz stacks, so it also gets the label 5). */
static void build_star5(fy_diagram_t d)
{
    static const int parent[] = {-1, 0, 1, 1, 1, 1, 1};
    static const int level[] = {2, 1, 0, 0, 0, 0, 0};
    build_mlp(d, 7, parent, level, 2, 0);
}

/* Order 2, H = 1: the diagram of MATH.md 1.3's order-2 formula with m = 1, L = 2. */
static void build_order2(fy_diagram_t d)
{
    static const int parent[] = {-1, 0, 1, 1};
    static const int level[] = {2, 1, 0, 0};
    build_mlp(d, 4, parent, level, 2, 1);
}

/* The tadpole correction to G2: x1 - y - x2 with a self-loop on the phi4 vertex y. */
static void build_tadpole(fy_diagram_t d)
{
    fy_error_t e;
    fy_error_init(e);
    fy_diagram_init(d, &nnft_family);
    fy_diagram_add_vertex(d, 0, -1, e); /* x1 */
    fy_diagram_add_vertex(d, 0, -1, e); /* x2 */
    fy_diagram_add_vertex(d, 4, -1, e); /* y */
    fy_diagram_add_line(d, 0, 2, 0, e);
    fy_diagram_add_line(d, 2, 1, 0, e);
    fy_diagram_add_line(d, 2, 2, 0, e);
    fy_diagram_add_leg(d, 0, 1, 0, e);
    fy_diagram_add_leg(d, 1, 2, 0, e);
}

static void build_ladder2(fy_diagram_t d)
{
    fy_error_t e;
    fy_error_init(e);
    fy_diagram_init(d, &born_family);
    fy_diagram_add_vertex(d, 0, -1, e);
    fy_diagram_add_vertex(d, 0, -1, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    fy_diagram_add_leg(d, 0, FY_LEG_UNLABELLED, 0, e);
    fy_diagram_add_leg(d, 1, FY_LEG_UNLABELLED, 0, e);
}

/* ------------------------------------------------------------------ helpers */

static int have_program(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static void write_text(const char *path, const char *a, const char *b, const char *c)
{
    fy_error_t e;
    FILE *fp = fopen(path, "w");
    fy_error_init(e);
    assert_non_null(fp);
    fputs(a, fp);
    fputs(b, fp);
    fputs(c, fp);
    assert_int_equal(fclose(fp), 0);
}

static int count_sub(const char *s, const char *sub)
{
    int n = 0;
    size_t len = strlen(sub);
    while ((s = strstr(s, sub)) != NULL)
        n++, s += len;
    return n;
}

/* Leaves below vertex x of an MLP tree, by a walk of the diagram (independent of the draw
 * module's own count): a leg is one derivative. */
static int leaves_below(const fy_diagram_struct *d, int x)
{
    int i, n = 0;
    for (i = 0; i < d->nlegs; i++)
        if (d->leg[i].vertex == x)
            n++;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].v == x)
            n += leaves_below(d, d->l[i].u);
    return n;
}

static void check_golden(const fy_diagram_t d, const char *golden)
{
    char path[1024], *want, *got;
    size_t len;
    fy_error_t e;
    fy_draw_options_t opt;
    fy_error_init(e);
    fy_draw_options_init(opt);
    assert_int_equal(fy_draw_dot(&got, d, opt, e), FY_OK);
    fy_test_srcpath(path, sizeof path, golden);
    if (fy_file_read(&want, &len, path, 1 << 20, e) != FY_OK)
    {
        printf("# cannot read %s: %s\n# got:\n%s", path, e->msg, got);
        free(got);
        fail();
    }
    if (strcmp(want, got) != 0)
        printf("# %s differs; got:\n%s", golden, got);
    assert_string_equal(want, got);
    free(want);
    free(got);
}

/* ------------------------------------------------------------------ tests */

static void test_dot_golden(void **state)
{
    fy_diagram_t d;
    (void) state;
    build_chain3(d);
    check_golden(d, "tests/golden/draw/mlp_chain3.dot");
    fy_diagram_clear(d);
    build_star5(d);
    check_golden(d, "tests/golden/draw/mlp_star5.dot");
    fy_diagram_clear(d);
    build_tadpole(d);
    check_golden(d, "tests/golden/draw/nnft_tadpole.dot");
    fy_diagram_clear(d);
    build_ladder2(d);
    check_golden(d, "tests/golden/draw/born_ladder2.dot");
    fy_diagram_clear(d);
}

/* Parses the DOT back and checks it against the diagram: one node per vertex (inputs and the
 * output are label nodes), a layer label per layer 0..L, one edge per line, L - 1 invisible
 * edges joining the layer labels, and on each line as many arrowheads as leaves below it. */
static void check_parse_mlp(const fy_diagram_t d, int L)
{
    fy_error_t e;
    fy_draw_options_t opt;
    char *dot, name[32];
    Agraph_t *g;
    Agnode_t *n;
    Agedge_t *x;
    int i, visible = 0, invisible = 0;

    fy_error_init(e);
    fy_draw_options_init(opt);
    assert_int_equal(fy_draw_dot(&dot, d, opt, e), FY_OK);
    g = agmemread(dot);
    assert_non_null(g);
    assert_true(agisdirected(g));
    assert_int_equal(agnnodes(g), d->nv + L + 1);
    assert_int_equal(agnedges(g), d->nl + L);
    for (n = agfstnode(g); n; n = agnxtnode(g, n))
        for (x = agfstout(g, n); x; x = agnxtout(g, x))
        {
            char *style = agget(x, "style"), *ah = agget(x, "arrowhead"), *lab = agget(x, "label");
            const char *t = agnameof(agtail(x)), *h = agnameof(aghead(x));
            int u, v, k, found = 0;
            if (style && strcmp(style, "invis") == 0)
            {
                invisible++;
                assert_int_equal(strncmp(t, "layer", 5), 0);
                continue;
            }
            visible++;
            assert_int_equal(sscanf(t, "v%d", &u), 1);
            assert_int_equal(sscanf(h, "v%d", &v), 1);
            for (i = 0; i < d->nl; i++)
                if (d->l[i].u == u && d->l[i].v == v)
                    found = 1;
            assert_true(found);
            /* the child is below the parent, by as many ranks as the layers differ */
            assert_true(d->v[u].level < d->v[v].level);
            k = leaves_below(d, u);
            assert_non_null(ah);
            assert_int_equal(count_sub(ah, "normal"), k < 4 ? k : 4);
            assert_int_equal((int) strlen(ah), 6 * (k < 4 ? k : 4));
            if (k > 4)
            {
                assert_non_null(lab);
                assert_int_equal(atoi(lab), k);
            }
        }
    assert_int_equal(visible, d->nl);
    assert_int_equal(invisible, L);
    /* ranks: one rank=same subgraph per layer 0..L holding its layer label "l=m" and exactly
     * the vertices of layer m */
    {
        Agraph_t *sub;
        int nsub = 0, seen = 0;
        for (sub = agfstsubg(g); sub; sub = agnxtsubg(sub))
        {
            int level = -1;
            nsub++;
            assert_string_equal(agget(sub, "rank"), "same");
            for (n = agfstnode(sub); n; n = agnxtnode(sub, n))
                if (strncmp(agnameof(n), "layer", 5) == 0)
                    assert_int_equal(sscanf(agget(n, "label"), "l=%d", &level), 1);
            assert_true(level >= 0 && level <= L);
            for (n = agfstnode(sub); n; n = agnxtnode(sub, n))
            {
                int vi;
                if (sscanf(agnameof(n), "v%d", &vi) != 1)
                    continue;
                assert_int_equal(d->v[vi].level, level);
                seen++;
            }
        }
        assert_int_equal(nsub, L + 1);
        assert_int_equal(seen, d->nv);
    }
    (void) name;
    agclose(g);
    free(dot);
}

static void test_dot_parse_back(void **state)
{
    fy_diagram_t d;
    fy_diagram_list_t list;
    fy_error_t e;
    long i;
    (void) state;
    fy_error_init(e);
    build_chain3(d);
    check_parse_mlp(d, 3);
    fy_diagram_clear(d);
    build_star5(d);
    check_parse_mlp(d, 2);
    fy_diagram_clear(d);
    /* every diagram of the generator, order 5 with 3 hidden layers */
    fy_diagram_list_init(list);
    assert_int_equal(fy_enum_mlp_trees(list, 5, 3, e), FY_OK);
    assert_int_equal(list->n, 27); /* MATH.md 1.5 */
    for (i = 0; i < list->n; i++)
        check_parse_mlp(list->d + i, 4);
    fy_diagram_list_clear(list);
}

static void test_line_derivatives(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    int k[8], i;
    (void) state;
    fy_error_init(e);
    build_chain3(d);
    assert_int_equal(fy_draw_line_derivatives(k, d, e), FY_OK);
    for (i = 0; i < d->nl; i++)
        assert_int_equal(k[i], leaves_below(d, d->l[i].u));
    assert_int_equal(k[0], 3); /* a -> output */
    fy_diagram_clear(d);
    build_tadpole(d);
    assert_int_equal(fy_draw_line_derivatives(k, d, e), FY_EINPUT);
    fy_diagram_clear(d);
}

static void test_bad_input(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    fy_draw_options_t opt;
    char *s = NULL;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    /* a vertex with two parents is not a tree, though it has nv - 1 lines */
    fy_diagram_init(d, &mlp_family);
    fy_diagram_add_vertex(d, 2, 2, e); /* output */
    fy_diagram_add_vertex(d, 1, 1, e); /* a */
    fy_diagram_add_vertex(d, 1, 1, e); /* b */
    fy_diagram_add_vertex(d, 0, 0, e); /* x */
    d->root = 0;
    fy_diagram_add_line(d, 1, 0, 0, e);
    fy_diagram_add_line(d, 3, 1, 0, e);
    fy_diagram_add_line(d, 3, 2, 0, e);
    assert_int_equal(fy_draw_dot(&s, d, opt, e), FY_EINPUT);
    assert_null(s);
    assert_non_null(strstr(e->msg, "tree"));
    assert_int_equal(fy_draw_tikz(&s, d, opt, e), FY_EINPUT);
    assert_int_equal(fy_draw_expr(&s, d, 1, opt, e), FY_EINPUT);
    fy_diagram_clear(d);
    /* output layer below a vertex */
    build_chain3(d);
    opt->top_level = 1;
    assert_int_equal(fy_draw_dot(&s, d, opt, e), FY_EINPUT);
    fy_diagram_clear(d);
}

static int bad_style(fy_draw_style_struct *st, void *ctx, const fy_family_struct *f, int what,
                     int kind, fy_error_t err)
{
    (void) ctx;
    (void) f;
    (void) kind;
    (void) err;
    if (what == FY_DRAW_LINE)
        st->dot = "color=red,=oops";
    return FY_OK;
}

static int red_style(fy_draw_style_struct *st, void *ctx, const fy_family_struct *f, int what,
                     int kind, fy_error_t err)
{
    (void) ctx;
    (void) f;
    (void) kind;
    (void) err;
    if (what == FY_DRAW_LINE)
    {
        st->dot = "color=red, style=\"dashed\"";
        st->tikz = "red,dashed";
        st->latex = "\\Delta^{[%l|%m]}";
        st->arrows = FY_DRAW_ARROWS_PER_LEVEL;
    }
    return FY_OK;
}

static void test_style_callback(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    fy_draw_options_t opt;
    char *s = NULL;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    build_chain3(d);
    opt->style = bad_style;
    assert_int_equal(fy_draw_dot(&s, d, opt, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "oops"));
    opt->style = red_style;
    assert_int_equal(fy_draw_dot(&s, d, opt, e), FY_OK);
    assert_int_equal(count_sub(s, "color=red"), d->nl);
    assert_int_equal(count_sub(s, "style=dashed"), d->nl);
    /* arrows per level spanned: 1 + 2 + 1 + 1 + 1 (x_i spans two layers) */
    assert_int_equal(count_sub(s, "normal"), 6);
    free(s);
    assert_int_equal(fy_draw_expr(&s, d, 1, opt, e), FY_OK);
    assert_non_null(strstr(s, "\\Delta^{[3|2]}_{1a}"));
    free(s);
    fy_diagram_clear(d);
}

/* MATH.md 1.3: "Order 2: sum over m of D^(L,m)_{1a} sigma''_m(z_a) D^(m,0)_{ai} D^(m,0)_{aj}".
 * The diagram with its vertex on layer m = 1 of a network with L = 2. */
static void test_expr_order2(void **state)
{
    static const char math[] = "D^(L,m)_{1a} sigma''_m(z_a) D^(m,0)_{ai} D^(m,0)_{aj}";
    char want[256], *s;
    size_t i, j = 0;
    fy_diagram_t d;
    fy_error_t e;
    fy_draw_options_t opt;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    /* substitute L = 2 and m = 1 where they stand for layers (not in "sigma") */
    for (i = 0; math[i]; i++)
    {
        int layer_symbol = (math[i] == 'L' || math[i] == 'm') &&
                           (math[i + 1] == ',' || math[i + 1] == ')' || math[i - 1] == '_');
        want[j++] = !layer_symbol ? math[i] : math[i] == 'L' ? '2' : '1';
    }
    want[j] = '\0';
    build_order2(d);
    assert_int_equal(fy_draw_expr(&s, d, 0, opt, e), FY_OK);
    assert_string_equal(s, "sum_{a} D^(2,1)_{1a} sigma''_1(z_a) D^(1,0)_{ai} D^(1,0)_{aj}");
    assert_string_equal(s + strlen("sum_{a} "), want);
    free(s);
    assert_int_equal(fy_draw_expr(&s, d, 1, opt, e), FY_OK);
    assert_string_equal(s, "\\sum_{a} D^{(2,1)}_{1a}\\,\\sigma''_{1}(z_{a})\\,D^{(1,0)}_{ai}\\,"
                           "D^{(1,0)}_{aj}");
    free(s);
    fy_diagram_clear(d);
    /* order 1: the single diagram D^(L,0)_{1,i} */
    {
        static const int parent[] = {-1, 0};
        static const int level[] = {2, 0};
        build_mlp(d, 2, parent, level, 2, 1);
        assert_int_equal(fy_draw_expr(&s, d, 0, opt, e), FY_OK);
        assert_string_equal(s, "D^(2,0)_{1i}");
        free(s);
        fy_diagram_clear(d);
    }
}

static void test_expr_graphs(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    fy_draw_options_t opt;
    char *s;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    build_tadpole(d);
    assert_int_equal(fy_draw_expr(&s, d, 0, opt, e), FY_OK);
    assert_string_equal(s, "int dy1 (-lambda) K(x1,y1) K(x2,y1) K(y1,y1)");
    free(s);
    opt->no_factorial = 1; /* MATH.md 4.3: the [HMS] vertex factor -4! lambda */
    assert_int_equal(fy_draw_expr(&s, d, 1, opt, e), FY_OK);
    assert_non_null(strstr(s, "(-4!\\,\\lambda)"));
    assert_non_null(strstr(s, "K(y_{1},y_{1})"));
    free(s);
    fy_diagram_clear(d);
    /* MATH.md 2.2: a_0^(2) ~ double integral r^2 r'^2 U(r) U(r') / max(r,r') */
    build_ladder2(d);
    assert_int_equal(fy_draw_expr(&s, d, 0, opt, e), FY_OK);
    assert_string_equal(s, "int_0^R dr1 r1^2 U(r1) int_0^R dr2 r2^2 U(r2)/max(r1,r2)");
    free(s);
    fy_diagram_clear(d);
}


/* Readable shapes (issue 10 item 16): the three order-3 trees of a network with two hidden
 * layers written out by hand (a vertex at layer l with its derivatives x and subtrees), and
 * the seven connected one-loop 4-point graphs of two quartic vertices told apart: each shape
 * names every external point once, every vertex with its four line ends, and no two agree. */
static void test_shape(void **state)
{
    fy_diagram_list_t list;
    fy_feynman_spec_t spec;
    fy_error_t e;
    char *s, *seen[16];
    int i, j, found[3] = {0, 0, 0};
    const char *want[3] = {"1(x x x)", "2(x x x)", "2(x 1(x x))"};
    (void) state;
    fy_error_init(e);
    fy_diagram_list_init(list);
    assert_int_equal(fy_enum_mlp_trees(list, 3, 2, e), FY_OK);
    assert_int_equal(list->n, 3);
    for (i = 0; i < list->n; i++)
    {
        assert_int_equal(fy_draw_shape(&s, list->d + i, NULL, e), FY_OK);
        for (j = 0; j < 3; j++)
            found[j] += strcmp(s, want[j]) == 0;
        free(s);
    }
    assert_int_equal(found[0] + found[1] + found[2], 3);
    assert_true(found[0] == 1 && found[1] == 1 && found[2] == 1);
    fy_diagram_list_clear(list);

    fy_diagram_list_init(list);
    fy_feynman_spec_init(spec);
    spec->n_points = 4;
    spec->loops = 1;
    spec->filters = FY_FEYNMAN_CONNECTED;
    assert_int_equal(fy_feynman_spec_parse_vertices(spec, "4:2", e), FY_OK);
    assert_int_equal(fy_feynman_generate(list, spec, e), FY_OK);
    assert_int_equal(list->n, 7);
    for (i = 0; i < list->n; i++)
    {
        int pts[5] = {0, 0, 0, 0, 0}, nv = 0;
        const char *p = NULL;
        assert_int_equal(fy_draw_shape(&seen[i], list->d + i, NULL, e), FY_OK);
        /* groups "yK(a b c ...)": four line ends each, a self-loop (yK inside its own group)
         * holding two of them */
        for (p = seen[i]; (p = strchr(p, 'y')) != NULL && p[1] >= '1' && p[1] <= '9' &&
                          p[2] == '(';)
        {
            char self[3] = {'y', p[1], 0}, tok[8];
            const char *q = p + 3;
            int ends = 0, n;
            nv++;
            while (*q != ')' && sscanf(q, "%7[^ )]%n", tok, &n) == 1)
            {
                ends += strcmp(tok, self) == 0 ? 2 : 1;
                if (tok[0] == 'x')
                    pts[tok[1] - '0']++;
                q += n;
                if (*q == ' ')
                    q++;
            }
            assert_int_equal(ends, 4);
            p = q;
        }
        assert_true(pts[1] == 1 && pts[2] == 1 && pts[3] == 1 && pts[4] == 1);
        assert_int_equal(nv, 2);
        for (j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    for (i = 0; i < list->n; i++)
        free(seen[i]);
    fy_diagram_list_clear(list);
    fy_feynman_spec_clear(spec);
}

/* Emits DOT for every diagram of several families and has `dot -Tpdf` render each file. */
static void test_dot_renders(void **state)
{
    fy_diagram_list_t list;
    fy_feynman_spec_t spec;
    fy_error_t e;
    fy_draw_options_t opt;
    char path[256], cmd[512], *dot;
    long i;
    int files = 0;
    (void) state;
    if (!have_program("dot"))
    {
        printf("# dot (Graphviz) is not installed: rendering not checked\n");
        skip();
    }
    fy_error_init(e);
    fy_draw_options_init(opt);
    mkdir(TMPDIR, 0777);
    fy_diagram_list_init(list);
    assert_int_equal(fy_enum_mlp_trees(list, 4, 2, e), FY_OK);
    assert_int_equal(fy_enum_mlp_labelled(list, 3, 2, e), FY_OK);
    assert_int_equal(fy_enum_inn_chain(list, 4, 2, 1, 4, e), FY_OK);
    assert_int_equal(fy_enum_inn_logdet(list, 3, e), FY_OK);
    assert_int_equal(fy_enum_born_ladder(list, 1, e), FY_OK);
    assert_int_equal(fy_enum_born_ladder(list, 4, e), FY_OK);
    fy_feynman_spec_init(spec);
    spec->n_points = 2;
    assert_int_equal(fy_feynman_spec_parse_vertices(spec, "4:2", e), FY_OK);
    assert_int_equal(fy_feynman_generate(list, spec, e), FY_OK);
    fy_feynman_spec_clear(spec);
    fy_feynman_spec_init(spec);
    assert_int_equal(fy_feynman_spec_parse_vertices(spec, "3:2", e), FY_OK);
    assert_int_equal(fy_feynman_generate(list, spec, e), FY_OK);
    fy_feynman_spec_clear(spec);
    for (i = 0; i < list->n; i++)
    {
        assert_int_equal(fy_draw_dot(&dot, list->d + i, opt, e), FY_OK);
        snprintf(path, sizeof path, TMPDIR "/d%03ld.dot", i);
        write_text(path, "", dot, "");
        free(dot);
        snprintf(cmd, sizeof cmd, "dot -Tpdf -o " TMPDIR "/d.pdf %s 2>" TMPDIR "/dot.err", path);
        if (system(cmd) != 0)
        {
            printf("# dot -Tpdf failed on %s\n", path);
            fail();
        }
        files++;
    }
    printf("# dot -Tpdf rendered %d files\n", files);
    fy_diagram_list_clear(list);
}

/* Every page of the PDF is one picture's: as many pages (page objects with a /MediaBox)
 * as pictures, each far smaller than a letter page (612 x 792 bp) and at least the 8bp of
 * its border. */
static void check_tight_pages(const char *pdf, long npics)
{
    char *text;
    size_t len;
    const char *p;
    long pages = 0;
    fy_error_t e;
    fy_error_init(e);
    assert_int_equal(fy_file_read(&text, &len, pdf, 1 << 26, e), FY_OK);
    for (p = text; p + 9 < text + len; p++)
        if (memcmp(p, "/MediaBox", 9) == 0)
        {
            double b[4];
            assert_int_equal(sscanf(p + 9, " [ %lf %lf %lf %lf", b, b + 1, b + 2, b + 3), 4);
            assert_true(b[2] - b[0] > 8 && b[2] - b[0] < 500);
            assert_true(b[3] - b[1] > 8 && b[3] - b[1] < 500);
            pages++;
        }
    free(text);
    printf("# %ld pictures on %ld tight pages\n", npics, pages);
    assert_int_equal(pages, npics);
}

/* A document of TikZ pictures (every family) compiled by pdfLaTeX: one tight page each. */
static void test_tikz_pdflatex(void **state)
{
    long npics;
    fy_diagram_list_t list;
    fy_feynman_spec_t spec;
    fy_error_t e;
    fy_draw_options_t opt;
    fy_diagram_t d;
    char *pic, *all = NULL;
    size_t len = 0;
    FILE *fp;
    long i;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    fy_diagram_list_init(list);
    assert_int_equal(fy_enum_mlp_trees(list, 4, 3, e), FY_OK);
    assert_int_equal(fy_enum_inn_split(list, 4, e), FY_OK);
    assert_int_equal(fy_enum_born_ladder(list, 3, e), FY_OK);
    fy_feynman_spec_init(spec);
    spec->n_points = 4;
    assert_int_equal(fy_feynman_spec_parse_vertices(spec, "4:2", e), FY_OK);
    spec->filters = FY_FEYNMAN_CONNECTED;
    assert_int_equal(fy_feynman_generate(list, spec, e), FY_OK);
    fy_feynman_spec_clear(spec);
    build_star5(d);
    fy_diagram_list_push(list, d, e);
    fy_diagram_clear(d);
    fp = open_memstream(&all, &len);
    assert_non_null(fp);
    npics = list->n;
    for (i = 0; i < list->n; i++)
    {
        assert_int_equal(fy_draw_tikz(&pic, list->d + i, opt, e), FY_OK);
        /* plain TikZ: explicit coordinates, no graph drawing library */
        assert_null(strstr(pic, "graphdrawing"));
        assert_non_null(strstr(pic, "\\begin{tikzpicture}"));
        fputs(pic, fp);
        free(pic);
    }
    fclose(fp);
    fy_diagram_list_clear(list);
    if (!have_program("pdflatex"))
    {
        free(all);
        printf("# pdflatex is not installed: TikZ output not compiled "
               "(apt-get install texlive-latex-base texlive-pictures)\n");
        skip();
    }
    mkdir(TMPDIR, 0777);
    /* uncompressed objects, so that the page boxes can be read back */
    write_text(TMPDIR "/pictures.tex", "\\pdfobjcompresslevel=0\\pdfcompresslevel=0\n",
               fy_draw_tikz_preamble(), "");
    {
        FILE *f = fopen(TMPDIR "/pictures.tex", "a");
        assert_non_null(f);
        fputs(all, f);
        fputs(fy_draw_document_end(), f);
        fclose(f);
    }
    free(all);
    if (system("cd " TMPDIR " && pdflatex -interaction=nonstopmode -halt-on-error pictures.tex "
               ">pdflatex.log 2>&1") != 0)
    {
        printf("# pdflatex failed; see " TMPDIR "/pdflatex.log\n");
        fail();
    }
    assert_int_equal(access(TMPDIR "/pictures.pdf", R_OK), 0);
    check_tight_pages(TMPDIR "/pictures.pdf", npics);
}

/* The TikZ of a tree has the arrowheads of the DOT (Stealth tips) and its vertices. */
static void test_tikz_content(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    fy_draw_options_t opt;
    char *pic;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    build_chain3(d);
    assert_int_equal(fy_draw_tikz(&pic, d, opt, e), FY_OK);
    /* 3 + 2 + 1 + 1 + 1 derivatives */
    assert_int_equal(count_sub(pic, "Stealth"), 8);
    assert_int_equal(count_sub(pic, "circle,fill"), 2);
    assert_non_null(strstr(pic, "{$x_{i}$}"));
    assert_non_null(strstr(pic, "{$F$}"));
    free(pic);
    fy_diagram_clear(d);
    build_star5(d);
    assert_int_equal(fy_draw_tikz(&pic, d, opt, e), FY_OK);
    assert_int_equal(count_sub(pic, "Stealth"), 5 + 4); /* five leaves, 4 tips + label 5 */
    assert_non_null(strstr(pic, "{5};"));
    free(pic);
    fy_diagram_clear(d);
}

/* The style of nnft.rules for external points: a dot. */
static int point_style(fy_draw_style_struct *st, void *ctx, const fy_family_struct *family,
                       int what, int kind, fy_error_t err)
{
    (void) ctx, (void) err;
    if (what == FY_DRAW_VERTEX && kind >= 0 && kind < family->n_vertex_kinds &&
        strcmp(family->vertex_kind_names[kind], "point") == 0)
    {
        st->dot = "shape=point,width=0.06";
        st->tikz = "circle,fill,inner sep=1pt";
    }
    return FY_OK;
}

/* Is (x, y) inside the label box of centre (cx, cy), size w x h (inches), shrunk by 10%? */
static int in_box(double x, double y, double cx, double cy, double w, double h)
{
    return fabs(x - cx) < 0.45 * w && fabs(y - cy) < 0.45 * h;
}

/* Checks Graphviz's layout (dot -Tplain) of a DOT text: no line that does not end at a label
 * passes through it (its Bezier sampled at 33 points).  Returns the labels checked. */
static int labels_clear(const char *dotpath)
{
    char cmd[512], line[4096], name[64][32];
    double nx[64], ny[64], nw[64], nh[64];
    int nn = 0, labels = 0;
    FILE *fp;
    snprintf(cmd, sizeof cmd, "dot -Tplain %s", dotpath);
    fp = popen(cmd, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp))
    {
        char t[32], h[32], lab[64], shape[32];
        double pts[200];
        int n, used, k, i;
        if (sscanf(line, "node %31s %lf %lf %lf %lf %63s %*s %31s", name[nn], nx + nn, ny + nn,
                   nw + nn, nh + nn, lab, shape) == 7 && nn < 64)
        {
            if (strcmp(shape, "plaintext") == 0 && lab[0] == 'x')
                nn++, labels++;
            continue;
        }
        if (sscanf(line, "edge %31s %31s %d%n", t, h, &n, &used) != 3 || n > 100)
            continue;
        for (k = 0; k < 2 * n; k++)
        {
            int u;
            assert_int_equal(sscanf(line + used, "%lf%n", pts + k, &u), 1);
            used += u;
        }
        for (i = 0; i < nn; i++)
        {
            int seg, j;
            if (strcmp(name[i], t) == 0 || strcmp(name[i], h) == 0)
                continue;
            for (seg = 0; seg + 3 < n; seg += 3)
                for (j = 0; j <= 32; j++)
                {
                    double u = j / 32.0, a = (1 - u) * (1 - u) * (1 - u), b = 3 * u * (1 - u) *
                           (1 - u), c = 3 * u * u * (1 - u), d = u * u * u;
                    double x = a * pts[2 * seg] + b * pts[2 * seg + 2] + c * pts[2 * seg + 4] +
                               d * pts[2 * seg + 6];
                    double y = a * pts[2 * seg + 1] + b * pts[2 * seg + 3] +
                               c * pts[2 * seg + 5] + d * pts[2 * seg + 7];
                    if (in_box(x, y, nx[i], ny[i], nw[i], nh[i]))
                        printf("# %s: the line %s -- %s crosses the label %s\n", dotpath, t, h,
                               name[i]);
                    assert_false(in_box(x, y, nx[i], ny[i], nw[i], nh[i]));
                }
        }
    }
    pclose(fp);
    return labels;
}

/* External points styled as dots (nnft.rules) are drawn as their labels, which no line
 * crosses (the x3 of a phi^4 graph used to sit on a line as an xlabel). */
static void test_point_labels(void **state)
{
    fy_diagram_list_t list;
    fy_feynman_spec_t spec;
    fy_error_t e;
    fy_draw_options_t opt;
    char *dot, path[256];
    long i;
    int labels = 0;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    opt->style = point_style;
    fy_diagram_list_init(list);
    fy_feynman_spec_init(spec);
    spec->n_points = 4;
    assert_int_equal(fy_feynman_spec_parse_vertices(spec, "4:2", e), FY_OK);
    spec->filters = FY_FEYNMAN_CONNECTED;
    assert_int_equal(fy_feynman_generate(list, spec, e), FY_OK);
    fy_feynman_spec_clear(spec);
    mkdir(TMPDIR, 0777);
    for (i = 0; i < list->n; i++)
    {
        assert_int_equal(fy_draw_dot(&dot, list->d + i, opt, e), FY_OK);
        assert_null(strstr(dot, "xlabel"));
        assert_non_null(strstr(dot, "label=x3"));
        snprintf(path, sizeof path, TMPDIR "/points%03ld.dot", i);
        write_text(path, "", dot, "");
        free(dot);
        if (have_program("dot"))
            labels += labels_clear(path);
    }
    printf("# %ld graphs, %d point labels clear of the lines\n", list->n, labels);
    if (have_program("dot"))
        assert_int_equal(labels, 4 * list->n);
    fy_diagram_list_clear(list);
}

/* Born ladders carry the positions r_1 .. r_n of their insertions (DOT and TikZ). */
static void test_ladder_labels(void **state)
{
    fy_diagram_list_t list;
    fy_error_t e;
    fy_draw_options_t opt;
    char *dot, *pic;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    fy_diagram_list_init(list);
    assert_int_equal(fy_enum_born_ladder(list, 3, e), FY_OK);
    assert_int_equal(list->n, 1);
    assert_int_equal(fy_draw_dot(&dot, list->d, opt, e), FY_OK);
    assert_non_null(strstr(dot, "label=r1"));
    assert_non_null(strstr(dot, "label=r3"));
    assert_int_equal(fy_draw_tikz(&pic, list->d, opt, e), FY_OK);
    assert_int_equal(count_sub(pic, "below:$r_{"), 3);
    free(dot);
    free(pic);
    fy_diagram_list_clear(list);
}

/* A diagram as a figure (dotfile.c): the caption parsed back by cgraph as the graph's label
 * (quotes escaped, a newline as DOT's \n), the rest of the DOT text untouched; the file
 * written, and its PDF and 300-dpi PNG exactly when the shell finds Graphviz's dot (an
 * independent lookup). */
static void test_dot_figure(void **state)
{
    fy_diagram_t d;
    fy_draw_options_t opt;
    fy_error_t e;
    char *dot, *text, *label, *back;
    const char *cap = "F2 \"top\" diagram\nweight 2";
    Agraph_t *g;
    size_t head;
    FILE *fp;
    char buf[8];
    int pdf = -1;
    (void) state;
    fy_error_init(e);
    fy_draw_options_init(opt);
    build_chain3(d);
    assert_int_equal(fy_draw_dot(&dot, d, opt, e), FY_OK);
    assert_int_equal(fy_draw_dot_caption(&text, dot, cap, e), FY_OK);
    g = agmemread(text);
    assert_non_null(g);
    label = agget(g, "label");
    assert_non_null(label);
    assert_string_equal(label, "F2 \"top\" diagram\\nweight 2");
    assert_string_equal(agget(g, "labelloc"), "b");
    agclose(g);
    /* the caption is inserted after the first '{' and nothing else changes */
    head = (size_t) (strchr(dot, '{') - dot) + 1;
    assert_memory_equal(text, dot, head);
    back = strstr(text, "fontsize=10;\n");
    assert_non_null(back);
    assert_string_equal(back + strlen("fontsize=10;\n"), dot + head);
    free(text);
    assert_int_equal(fy_draw_dot_caption(&text, "no brace", cap, e), FY_EINPUT);
    assert_null(text);
    /* the file, and the PDF beside it */
    mkdir(TMPDIR, 0777);
    assert_int_equal(fy_draw_dot_write(TMPDIR "/fig.txt", dot, &pdf, e), FY_EINPUT);
    unlink(TMPDIR "/fig.pdf");
    unlink(TMPDIR "/fig.png");
    assert_int_equal(fy_draw_dot_write(TMPDIR "/fig.dot", dot, &pdf, e), FY_OK);
    fp = fopen(TMPDIR "/fig.dot", "r");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(fy_program_available("dot"), have_program("dot"));
    assert_int_equal(pdf, have_program("dot"));
    fp = fopen(TMPDIR "/fig.pdf", "rb");
    assert_int_equal(fp != NULL, pdf);
    if (fp != NULL)
    {
        assert_int_equal(fread(buf, 1, 4, fp), 4);
        assert_memory_equal(buf, "%PDF", 4);
        fclose(fp);
    }
    /* and the PNG beside the PDF, as every figure (issue 10 item 14): a PNG signature and,
     * at 300 dpi, wider than the 72-dpi picture (its IHDR width, big-endian at byte 16) */
    fp = fopen(TMPDIR "/fig.png", "rb");
    assert_int_equal(fp != NULL, pdf);
    if (fp != NULL)
    {
        unsigned char h[24];
        assert_int_equal(fread(h, 1, 24, fp), 24);
        assert_memory_equal(h, "\x89PNG\r\n\x1a\n", 8);
        assert_true(((unsigned long) h[16] << 24 | (unsigned long) h[17] << 16 |
                     (unsigned long) h[18] << 8 | h[19]) > 200);
        fclose(fp);
        unlink(TMPDIR "/fig.png");
    }
    free(dot);
    fy_diagram_clear(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_point_labels),
    cmocka_unit_test(test_ladder_labels),
    cmocka_unit_test(test_dot_golden),
    cmocka_unit_test(test_dot_parse_back),
    cmocka_unit_test(test_line_derivatives),
    cmocka_unit_test(test_bad_input),
    cmocka_unit_test(test_style_callback),
    cmocka_unit_test(test_expr_order2),
    cmocka_unit_test(test_expr_graphs),
    cmocka_unit_test(test_shape),
    cmocka_unit_test(test_dot_renders),
    cmocka_unit_test(test_dot_figure),
    cmocka_unit_test(test_tikz_pdflatex),
    cmocka_unit_test(test_tikz_content),
};

FY_TEST_MAIN("draw", tests)
