/* Tests of the graph canonical form (src/graph/canon_graph*.c): |Aut| of textbook Feynman
 * graphs (derived by hand in the comments), invariance under relabelling, and agreement of
 * the nauty and exact back ends with each other and with a brute-force search written here. */
#include <string.h>

#include "feynn/graph.h"
#include "graph/canon.h"
#include "testutil.h"

#define FY_TEST_BIG 30 /* above FY_CANON_EXACT_MAX_VERTICES */

static const fy_family_struct fam = {"test", NULL, 0, NULL, 0, NULL, 0, 0};

typedef int (*canon_fn)(fy_diagram_t, fy_error_t);

/* The back ends to exercise: exact always, nauty when the build has it. */
static int n_backends(void)
{
    fy_diagram_t d;
    fy_error_t e;
    int ok;
    fy_diagram_init(d, &fam);
    fy_error_init(e);
    fy_diagram_add_vertex(d, 0, -1, e);
    ok = _fy_canon_graph_nauty(d, e) == FY_OK;
    fy_diagram_clear(d);
    return ok ? 2 : 1;
}

static canon_fn backend(int i)
{
    return i == 0 ? _fy_canon_graph_exact : _fy_canon_graph_nauty;
}

/* Builds a diagram from a compact description: nv vertices of kind 0 (level -1), lines as
 * pairs in l[0..2*nl). */
static void build(fy_diagram_t d, int nv, const int *kinds, int nl, const int *l)
{
    fy_error_t e;
    int i;
    fy_error_init(e);
    fy_diagram_reset(d);
    for (i = 0; i < nv; i++)
        assert_int_equal(fy_diagram_add_vertex(d, kinds ? kinds[i] : 0, -1, e), i);
    for (i = 0; i < nl; i++)
        assert_true(fy_diagram_add_line(d, l[2 * i], l[2 * i + 1], 0, e) >= 0);
}

static void check_aut(fy_diagram_t d, long expected)
{
    int b, nb = n_backends();
    fy_error_t e;
    fy_error_init(e);
    for (b = 0; b < nb; b++)
    {
        int st = backend(b)(d, e);
        if (st != FY_OK)
            fail_msg("backend %d: %s", b, e->msg);
        if (fmpz_cmp_si(d->aut, expected) != 0)
            fail_msg("backend %d: |Aut| = %ld, expected %ld", b, fmpz_get_si(d->aut),
                     expected);
        assert_non_null(d->canon);
    }
}

static void test_textbook_aut(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    (void) state;
    fy_diagram_init(d, &fam);
    fy_error_init(e);

    /* phi^4 figure-eight: one vertex, two self-loops.  The loops can be swapped (2!) and
     * each reversed (2 * 2): 8. */
    {
        int l[] = {0, 0, 0, 0};
        build(d, 1, NULL, 2, l);
        check_aut(d, 8);
    }
    /* phi^4 "sunset"/watermelon vacuum graph: two vertices, four parallel lines.  Swap the
     * vertices (2), permute the lines (4! = 24): 48. */
    {
        int l[] = {0, 1, 0, 1, 1, 0, 0, 1};
        build(d, 2, NULL, 4, l);
        check_aut(d, 48);
    }
    /* phi^3 theta: two vertices, three parallel lines: 2 * 3! = 12. */
    {
        int l[] = {0, 1, 1, 0, 0, 1};
        build(d, 2, NULL, 3, l);
        check_aut(d, 12);
    }
    /* phi^3 dumbbell: a self-loop at each of two vertices joined by a line.  Swap the
     * vertices (2), reverse each loop (2 * 2): 8. */
    {
        int l[] = {0, 0, 0, 1, 1, 1};
        build(d, 2, NULL, 3, l);
        check_aut(d, 8);
    }
    /* phi^4 "glasses": a self-loop at each of two vertices, two parallel lines between.
     * Swap (2), reverse loops (4), swap the parallel pair (2): 16. */
    {
        int l[] = {0, 0, 1, 1, 0, 1, 1, 0};
        build(d, 2, NULL, 4, l);
        check_aut(d, 16);
    }
    /* phi^3 tetrahedron K4: every permutation of the four vertices preserves K4: 4! = 24. */
    {
        int l[] = {0, 1, 0, 2, 0, 3, 1, 2, 1, 3, 2, 3};
        build(d, 4, NULL, 6, l);
        check_aut(d, 24);
    }
    /* K_{3,3}: permute each side (3! * 3!) and swap the sides (2): 72. */
    {
        int l[] = {0, 3, 0, 4, 0, 5, 1, 3, 1, 4, 1, 5, 2, 3, 2, 4, 2, 5};
        build(d, 6, NULL, 9, l);
        check_aut(d, 72);
    }
    /* A 5-cycle: the dihedral group of order 10. */
    {
        int l[] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 0};
        build(d, 5, NULL, 5, l);
        check_aut(d, 10);
    }
    /* The 3-cycle with vertex kinds 0, 0, 1: only the swap of the two kind-0 vertices. */
    {
        int k[] = {0, 0, 1}, l[] = {0, 1, 1, 2, 2, 0};
        build(d, 3, k, 3, l);
        check_aut(d, 2);
    }
    /* Three disjoint figure-eights: permute them (3!) and 8 each: 6 * 512 = 3072. */
    {
        int l[] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
        build(d, 3, NULL, 6, l);
        check_aut(d, 3072);
    }
    /* Three isolated vertices of one kind: 3! = 6; the empty diagram: 1. */
    build(d, 3, NULL, 0, NULL);
    check_aut(d, 6);
    build(d, 0, NULL, 0, NULL);
    check_aut(d, 1);

    /* Levels separate vertices: two vertices on different levels, two parallel lines: only
     * the line swap, 2. */
    fy_diagram_reset(d);
    fy_diagram_add_vertex(d, 0, 1, e);
    fy_diagram_add_vertex(d, 0, 2, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    check_aut(d, 2);
    /* Line kinds: two parallel lines of different kinds cannot be swapped; the vertices can:
     * 2. */
    fy_diagram_reset(d);
    fy_diagram_add_vertex(d, 0, -1, e);
    fy_diagram_add_vertex(d, 0, -1, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    fy_diagram_add_line(d, 0, 1, 1, e);
    check_aut(d, 2);

    /* phi^4 one-loop s-channel bubble with legs 1,2 on one vertex and 3,4 on the other: the
     * labelled legs pin the vertices, the parallel pair swaps: 2 (symmetry factor 1/2). */
    fy_diagram_reset(d);
    fy_diagram_add_vertex(d, 4, -1, e);
    fy_diagram_add_vertex(d, 4, -1, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    fy_diagram_add_line(d, 0, 1, 0, e);
    fy_diagram_add_leg(d, 0, 1, 0, e);
    fy_diagram_add_leg(d, 0, 2, 0, e);
    fy_diagram_add_leg(d, 1, 3, 0, e);
    fy_diagram_add_leg(d, 1, 4, 0, e);
    check_aut(d, 2);
    /* The same with unlabelled legs: swap the vertices (2), the two legs at each vertex
     * (2 * 2) and the parallel pair (2): 16. */
    {
        int i;
        for (i = 0; i < 4; i++)
            d->leg[i].label = FY_LEG_UNLABELLED;
        check_aut(d, 16);
    }
    fy_diagram_clear(d);
}

/* ---------------------------------------------------------------- random multigraphs */

/* Random diagram: nv vertices (kinds 0..1, levels -1 or 0), nl lines (self-loops allowed,
 * kinds 0..1), a few legs (labels 1..2 or unlabelled). */
static void random_diagram(fy_diagram_t d, uint64_t *st, int nv, int nl, int nlegs, int kinds)
{
    fy_error_t e;
    int i;
    fy_error_init(e);
    fy_diagram_reset(d);
    for (i = 0; i < nv; i++)
        fy_diagram_add_vertex(d, (int) (fy_test_rand(st) % (uint64_t) kinds),
                              kinds > 1 && fy_test_rand(st) % 4 == 0 ? 0 : -1, e);
    for (i = 0; i < nl; i++)
    {
        int u = (int) (fy_test_rand(st) % (uint64_t) nv), v = (int) (fy_test_rand(st) % (uint64_t) nv);
        fy_diagram_add_line(d, u, v, kinds > 1 ? (int) (fy_test_rand(st) % 2) : 0, e);
    }
    for (i = 0; i < nlegs; i++)
    {
        int r = (int) (fy_test_rand(st) % 3);
        fy_diagram_add_leg(d, (int) (fy_test_rand(st) % (uint64_t) nv),
                           r == 0 ? FY_LEG_UNLABELLED : r, 0, e);
    }
}

/* Copy of d with vertices renamed by a random permutation, lines and legs shuffled and line
 * ends swapped at random. */
static void relabel(fy_diagram_t out, const fy_diagram_t d, uint64_t *st)
{
    int perm[64], inv[64], order[256], i;
    fy_error_t e;
    fy_error_init(e);
    assert_true(d->nv <= 64 && d->nl <= 256 && d->nlegs <= 256);
    for (i = 0; i < d->nv; i++)
        perm[i] = i;
    for (i = d->nv - 1; i > 0; i--)
    {
        int j = (int) (fy_test_rand(st) % (uint64_t) (i + 1)), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (i = 0; i < d->nv; i++)
        inv[perm[i]] = i; /* new vertex perm[i] is old vertex i */
    fy_diagram_reset(out);
    for (i = 0; i < d->nv; i++)
        fy_diagram_add_vertex(out, d->v[inv[i]].kind, d->v[inv[i]].level, e);
    for (i = 0; i < d->nl; i++)
        order[i] = i;
    for (i = d->nl - 1; i > 0; i--)
    {
        int j = (int) (fy_test_rand(st) % (uint64_t) (i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (i = 0; i < d->nl; i++)
    {
        const fy_line_struct *l = d->l + order[i];
        if (fy_test_rand(st) % 2)
            fy_diagram_add_line(out, perm[l->v], perm[l->u], l->kind, e);
        else
            fy_diagram_add_line(out, perm[l->u], perm[l->v], l->kind, e);
    }
    for (i = d->nlegs - 1; i >= 0; i--)
        fy_diagram_add_leg(out, perm[d->leg[i].vertex], d->leg[i].label, d->leg[i].kind, e);
}

static void test_relabel_invariance(void **state)
{
    uint64_t st = fy_test_seed("canon_graph relabel");
    fy_diagram_t a, b;
    fy_error_t e;
    int it, bk, nb = n_backends();
    (void) state;
    fy_diagram_init(a, &fam);
    fy_diagram_init(b, &fam);
    fy_error_init(e);
    for (it = 0; it < 300; it++)
    {
        int nv = 1 + (int) (fy_test_rand(&st) % 9);
        int nl = (int) (fy_test_rand(&st) % 14);
        random_diagram(a, &st, nv, nl, (int) (fy_test_rand(&st) % 4), 2);
        relabel(b, a, &st);
        for (bk = 0; bk < nb; bk++)
        {
            assert_int_equal(backend(bk)(a, e), FY_OK);
            assert_int_equal(backend(bk)(b, e), FY_OK);
            assert_string_equal(a->canon, b->canon);
            assert_true(fmpz_equal(a->aut, b->aut));
        }
    }
    fy_diagram_clear(a);
    fy_diagram_clear(b);
}

/* ---------------------------------------------------------------- brute force */

/* Multiplicity of lines of kind k between u and v, and the vertex "colour" data, for the
 * brute-force search below (independent of the library's view). */
static int mult(const fy_diagram_t d, int u, int v, int k)
{
    int i, c = 0;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].kind == k &&
            ((d->l[i].u == u && d->l[i].v == v) || (d->l[i].u == v && d->l[i].v == u)))
            c++;
    return c;
}

static int legs(const fy_diagram_t d, int v, int label)
{
    int i, c = 0;
    for (i = 0; i < d->nlegs; i++)
        c += d->leg[i].vertex == v && d->leg[i].label == label;
    return c;
}

/* Does vertex map p (a's vertex i -> b's vertex p[i]) carry a onto b?  (kinds 0..1, leg
 * labels -1..2, leg kind 0) */
static int maps(const fy_diagram_t a, const fy_diagram_t b, const int *p)
{
    int i, j, k;
    for (i = 0; i < a->nv; i++)
    {
        if (a->v[i].kind != b->v[p[i]].kind || a->v[i].level != b->v[p[i]].level)
            return 0;
        for (k = -1; k <= 2; k++)
            if (legs(a, i, k) != legs(b, p[i], k))
                return 0;
        for (j = i; j < a->nv; j++)
            for (k = 0; k < 2; k++)
                if (mult(a, i, j, k) != mult(b, p[i], p[j], k))
                    return 0;
    }
    return 1;
}

/* Counts vertex bijections a -> b (all of them, by Heap-free recursion). */
static long count_maps(const fy_diagram_t a, const fy_diagram_t b, int *p, int *used, int i)
{
    long c = 0;
    int v;
    if (i == a->nv)
        return maps(a, b, p);
    for (v = 0; v < a->nv; v++)
        if (!used[v])
        {
            used[v] = 1;
            p[i] = v;
            c += count_maps(a, b, p, used, i + 1);
            used[v] = 0;
        }
    return c;
}

static long fact(int n)
{
    return n <= 1 ? 1 : n * fact(n - 1);
}

/* Feynman |Aut| by brute force: vertex automorphisms times the automorphisms fixing every
 * vertex (parallel lines of a kind m!, self-loops of a kind 2^s s!, equal legs c!). */
static long brute_aut(const fy_diagram_t d)
{
    int p[16], used[16] = {0}, i, j, k;
    long a = count_maps(d, d, p, used, 0);
    for (i = 0; i < d->nv; i++)
    {
        for (k = 0; k < 2; k++)
        {
            int s = mult(d, i, i, k);
            a *= fact(s) << s;
            for (j = i + 1; j < d->nv; j++)
                a *= fact(mult(d, i, j, k));
        }
        for (k = -1; k <= 2; k++)
            a *= fact(legs(d, i, k));
    }
    return a;
}

static int brute_iso(const fy_diagram_t a, const fy_diagram_t b)
{
    int p[16], used[16] = {0};
    if (a->nv != b->nv || a->nl != b->nl || a->nlegs != b->nlegs)
        return 0;
    return count_maps(a, b, p, used, 0) > 0;
}

static void test_backends_agree(void **state)
{
    uint64_t st = fy_test_seed("canon_graph backends");
    enum { POOL = 60 };
    fy_diagram_struct *pool;
    fy_error_t e;
    int i, j, bk, nb = n_backends();
    (void) state;
    fy_error_init(e);
    if (nb < 2)
        printf("# nauty not built in: checking the exact back end against brute force only\n");
    pool = calloc(POOL, sizeof *pool);
    assert_non_null(pool);
    for (i = 0; i < POOL; i++)
    {
        fy_diagram_init(pool + i, &fam);
        /* small sizes so that isomorphic pairs are common; every third one a relabelled
         * copy of an earlier one */
        if (i % 3 == 2)
            relabel(pool + i, pool + i - 1 - (int) (fy_test_rand(&st) % 2), &st);
        else
            random_diagram(pool + i, &st, 3 + (int) (fy_test_rand(&st) % 3),
                           3 + (int) (fy_test_rand(&st) % 3), (int) (fy_test_rand(&st) % 2),
                           1 + (int) (fy_test_rand(&st) % 2));
    }
    for (bk = 0; bk < nb; bk++)
    {
        char **canon = calloc(POOL, sizeof *canon);
        assert_non_null(canon);
        for (i = 0; i < POOL; i++)
        {
            assert_int_equal(backend(bk)(pool + i, e), FY_OK);
            if (fmpz_cmp_si(pool[i].aut, brute_aut(pool + i)) != 0)
            {
                char *s = fy_diagram_shape_string(pool + i);
                fail_msg("backend %d: |Aut| %ld, brute force %ld for %s", bk,
                         fmpz_get_si(pool[i].aut), brute_aut(pool + i), s);
            }
            canon[i] = strdup(pool[i].canon);
        }
        for (i = 0; i < POOL; i++)
            for (j = i + 1; j < POOL; j++)
                if ((strcmp(canon[i], canon[j]) == 0) != brute_iso(pool + i, pool + j))
                    fail_msg("backend %d: graphs %d and %d: canonical forms %s, brute force "
                             "%s", bk, i, j, strcmp(canon[i], canon[j]) ? "differ" : "agree",
                             brute_iso(pool + i, pool + j) ? "isomorphic" : "not isomorphic");
        for (i = 0; i < POOL; i++)
            free(canon[i]);
        free(canon);
    }
    for (i = 0; i < POOL; i++)
        fy_diagram_clear(pool + i);
    free(pool);
}

/* Larger random multigraphs: the two back ends agree on |Aut| and on the partition. */
static void test_nauty_vs_exact(void **state)
{
    uint64_t st = fy_test_seed("canon_graph nauty-vs-exact");
    enum { POOL = 80 };
    fy_diagram_struct *x, *y;
    fy_error_t e;
    int i, j;
    (void) state;
    fy_error_init(e);
    if (n_backends() < 2)
    {
        /* cmocka's skip() reads as "not ok # SKIP", a failure to automake's TAP driver */
        printf("# nauty not built in: nothing to compare\n");
        return;
    }
    x = calloc(POOL, sizeof *x);
    y = calloc(POOL, sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (i = 0; i < POOL; i++)
    {
        fy_diagram_init(x + i, &fam);
        fy_diagram_init(y + i, &fam);
        if (i % 4 == 3)
            relabel(x + i, x + (int) (fy_test_rand(&st) % (uint64_t) i), &st);
        else
            random_diagram(x + i, &st, 4 + (int) (fy_test_rand(&st) % 7),
                           4 + (int) (fy_test_rand(&st) % 12), (int) (fy_test_rand(&st) % 3),
                           1 + (int) (fy_test_rand(&st) % 2));
        fy_diagram_set(y + i, x + i);
        assert_int_equal(_fy_canon_graph_exact(x + i, e), FY_OK);
        assert_int_equal(_fy_canon_graph_nauty(y + i, e), FY_OK);
        assert_true(fmpz_equal(x[i].aut, y[i].aut));
    }
    for (i = 0; i < POOL; i++)
        for (j = i + 1; j < POOL; j++)
            assert_int_equal(strcmp(x[i].canon, x[j].canon) == 0,
                             strcmp(y[i].canon, y[j].canon) == 0);
    for (i = 0; i < POOL; i++)
    {
        fy_diagram_clear(x + i);
        fy_diagram_clear(y + i);
    }
    free(x);
    free(y);
}

/* The exact back end refuses, with a message, what it cannot do. */
static void test_exact_limit(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    int i;
    (void) state;
    fy_diagram_init(d, &fam);
    fy_error_init(e);
    for (i = 0; i < FY_TEST_BIG; i++)
        fy_diagram_add_vertex(d, 0, -1, e);
    for (i = 0; i < FY_TEST_BIG; i++)
        fy_diagram_add_line(d, i, (i + 1) % FY_TEST_BIG, 0, e);
    assert_int_equal(_fy_canon_graph_exact(d, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "nauty"));
    fy_diagram_clear(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_textbook_aut),
    cmocka_unit_test(test_relabel_invariance),
    cmocka_unit_test(test_backends_agree),
    cmocka_unit_test(test_nauty_vs_exact),
    cmocka_unit_test(test_exact_limit),
};

FY_TEST_MAIN("canon_graph", tests)
