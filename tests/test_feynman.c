/* Tests of the Feynman-graph generator and its oracle (src/enumerate/feynman*.c).
 *
 * Expected values come from hand derivations (in the comments), from closed forms computed
 * here, from counts of nauty's own generator (geng | multig -l4 / -l3, quoted), and from the
 * zero-dimensional oracle, which never looks at a graph.  Filters without an oracle (1PI, no
 * tadpoles) are checked by filtering the unfiltered list with predicates written here. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "feynn/feynman.h"
#include "graph/canon.h"
#include "testutil.h"

static void spec_set(fy_feynman_spec_t s, const char *vertices, int points, int labelled,
                     unsigned filters, int loops)
{
    fy_error_t e;
    fy_error_init(e);
    fy_feynman_spec_init(s);
    s->n_points = points;
    s->labelled = labelled;
    s->filters = filters;
    s->loops = loops;
    if (vertices != NULL && *vertices)
        assert_int_equal(fy_feynman_spec_parse_vertices(s, vertices, e), FY_OK);
}

/* Generates the family, checks sum(1/|Aut|) and sum(mult) against the oracle (when it covers
 * the filters), returns the number of graphs. */
static long check_family(const char *vertices, int points, int labelled, unsigned filters,
                         int loops)
{
    fy_feynman_spec_t s;
    fy_error_t e;
    long n;
    fmpq_t w, wo;
    fmpz_t c, co;
    fy_error_init(e);
    fmpq_init(w);
    fmpq_init(wo);
    fmpz_init(c);
    fmpz_init(co);
    spec_set(s, vertices, points, labelled, filters, loops);
    if (fy_feynman_count(&n, w, c, s, e) != FY_OK)
        fail_msg("generator: %s", e->msg);
    if (fy_feynman_oracle_covers(s))
    {
        if (fy_feynman_oracle(wo, co, s, e) != FY_OK)
            fail_msg("oracle: %s", e->msg);
        if (!fmpq_equal(w, wo) || !fmpz_equal(c, co))
        {
            char *a = fmpq_get_str(NULL, 10, w), *b = fmpq_get_str(NULL, 10, wo);
            fail_msg("%s, %d points (labelled %d), filters %u, loops %d: sum 1/|Aut| = %s, "
                     "oracle %s", vertices, points, labelled, filters, loops, a, b);
        }
    }
    fmpq_clear(w);
    fmpq_clear(wo);
    fmpz_clear(c);
    fmpz_clear(co);
    return n;
}

/* ---------------------------------------------------------------- the oracle alone */

static void test_oracle_closed_forms(void **state)
{
    fy_feynman_spec_t s;
    fy_error_t e;
    fmpq_t w, x;
    fmpz_t c, t;
    int k;
    (void) state;
    fy_error_init(e);
    fmpq_init(w);
    fmpq_init(x);
    fmpz_init(c);
    fmpz_init(t);
    /* phi^4 vacuum, all graphs: Z = sum_k (4k-1)!! / (4!^k k!) x^k, contractions (4k-1)!! */
    for (k = 1; k <= 6; k++)
    {
        char v[16];
        long m;
        snprintf(v, sizeof v, "4:%d", k);
        spec_set(s, v, 0, 1, 0, -1);
        assert_int_equal(fy_feynman_oracle(w, c, s, e), FY_OK);
        fmpz_one(t);
        for (m = 4 * k - 1; m > 1; m -= 2)
            fmpz_mul_ui(t, t, (ulong) m);
        assert_true(fmpz_equal(c, t));
        fmpq_set_fmpz(x, t);
        {
            fmpz_t den, f;
            fmpz_init(den);
            fmpz_init(f);
            fmpz_set_ui(den, 24);
            fmpz_pow_ui(den, den, (ulong) k);
            fmpz_fac_ui(f, (ulong) k);
            fmpz_mul(den, den, f);
            fmpq_div_fmpz(x, x, den);
            fmpz_clear(den);
            fmpz_clear(f);
        }
        assert_true(fmpq_equal(w, x));
    }
    /* connected phi^4 vacuum = log Z: with z1 = 1/8, z2 = 35/384, z3 = 385/3072,
     * w1 = 1/8, w2 = z2 - z1^2/2 = 1/12, w3 = z3 - z1 z2 + z1^3/3 = 11/96. */
    {
        const char *v[] = {"4:1", "4:2", "4:3"};
        const char *want[] = {"1/8", "1/12", "11/96"};
        for (k = 0; k < 3; k++)
        {
            spec_set(s, v[k], 0, 1, FY_FEYNMAN_CONNECTED, -1);
            assert_int_equal(fy_feynman_oracle(w, NULL, s, e), FY_OK);
            fmpq_set_str(x, want[k], 10);
            assert_true(fmpq_equal(w, x));
        }
    }
    /* Free theory: (2k-1)!! pairings of 2k labelled points: 1, 3, 15, 105. */
    {
        long want[] = {1, 3, 15, 105};
        for (k = 1; k <= 4; k++)
        {
            spec_set(s, "", 2 * k, 1, 0, -1);
            assert_int_equal(fy_feynman_oracle(w, c, s, e), FY_OK);
            assert_true(fmpz_equal_si(c, want[k - 1]));
            assert_true(fmpz_equal_si(fmpq_numref(w), want[k - 1]));
        }
    }
    /* 1PI and no-tadpoles have no oracle: refused with a reason. */
    spec_set(s, "4:2", 4, 1, FY_FEYNMAN_1PI, -1);
    assert_false(fy_feynman_oracle_covers(s));
    assert_int_equal(fy_feynman_oracle(w, c, s, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "irreducible"));
    fmpq_clear(w);
    fmpq_clear(x);
    fmpz_clear(c);
    fmpz_clear(t);
}

/* ---------------------------------------------------------------- generator vs oracle */

static void test_vacuum_phi4(void **state)
{
    /* connected phi^4 vacuum graphs with k vertices, counted by nauty:
     * geng -c k | multig -l4 -u gives 1, 2, 4, 10, 28, 97 */
    const long connected[] = {1, 2, 4, 10, 28, 97};
    int k;
    (void) state;
    for (k = 1; k <= 6; k++)
    {
        char v[16];
        snprintf(v, sizeof v, "4:%d", k);
        check_family(v, 0, 1, 0, -1);
        assert_int_equal(check_family(v, 0, 1, FY_FEYNMAN_CONNECTED, -1), connected[k - 1]);
        check_family(v, 0, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS, -1);
        check_family(v, 0, 1, FY_FEYNMAN_NO_SELF_LOOPS, -1);
        check_family(v, 0, 1, 0, k / 2 + 1);
    }
}

/* Counts of connected quartic multigraphs from nauty's own generator, quoted (geng -c -D4 k |
 * multig -l4 -u with self-loops, multig -r4 -u without), k = 7..9 and 1..9: these rows run
 * the row-0 cut of the generator (row0_beaten) and, for the families without the connected
 * filter (disconnected graphs), nauty's certificate; the oracle checks sum 1/|Aut| of each. */
static void test_vacuum_phi4_nauty_counts(void **state)
{
    const long loops[] = {359, 1635, 8296};
    const long noloops[] = {0, 1, 1, 3, 6, 19, 50, 204, 832};
    int k;
    (void) state;
    for (k = 7; k <= 9; k++)
    {
        char v[16];
        snprintf(v, sizeof v, "4:%d", k);
        assert_int_equal(check_family(v, 0, 1, FY_FEYNMAN_CONNECTED, -1), loops[k - 7]);
    }
    for (k = 1; k <= 9; k++)
    {
        char v[16];
        snprintf(v, sizeof v, "4:%d", k);
        assert_int_equal(check_family(v, 0, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS,
                                      -1),
                         noloops[k - 1]);
    }
    /* all graphs, disconnected ones included, against the oracle */
    check_family("4:7", 0, 1, 0, -1);
    check_family("4:7", 0, 1, FY_FEYNMAN_NO_SELF_LOOPS, -1);
    check_family("3:4,4:3", 2, 1, 0, -1);
}

static void test_vacuum_phi3(void **state)
{
    /* connected phi^3 vacuum graphs (cubic multigraphs with loops), nauty's geng -c k |
     * multig -l3 -u: 2, 5, 17 for k = 2, 4, 6 */
    const long connected[] = {2, 5, 17};
    int k;
    (void) state;
    for (k = 2; k <= 6; k += 2)
    {
        char v[16];
        snprintf(v, sizeof v, "3:%d", k);
        check_family(v, 0, 1, 0, -1);
        assert_int_equal(check_family(v, 0, 1, FY_FEYNMAN_CONNECTED, -1), connected[k / 2 - 1]);
        check_family(v, 0, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS, -1);
        check_family(v, 0, 1, 0, 2);
    }
    /* more than FY_CANON_EXACT_PREFERRED = 10 vertices: canonical forms from nauty when the
     * build has it (the exact search otherwise) */
    check_family("3:6", 6, 0, FY_FEYNMAN_NO_VACUUM, -1);
    assert_int_equal(check_family("3:12", 0, 1, FY_FEYNMAN_CONNECTED, -1), 2592);
    /* an odd number of half-edges: the family is empty and the oracle says 0 */
    assert_int_equal(check_family("3:3", 0, 1, 0, -1), 0);
}

static void test_vacuum_mixed(void **state)
{
    (void) state;
    check_family("3:2,4:1", 0, 1, 0, -1);
    check_family("3:2,4:1", 0, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:2,4:2", 0, 1, 0, -1);
    check_family("3:2,4:2", 0, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:2,4:2", 0, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS, -1);
    check_family("3:4,4:2", 0, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:2,4:1,6:1", 0, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:2,4:2", 0, 1, 0, 3);
}

/* ---------------------------------------------------------------- external points */

static void test_free_pairings(void **state)
{
    /* 2k labelled points, no vertex: the (2k-1)!! pairings are the graphs, each with
     * |Aut| = 1.  Unlabelled: one graph, |Aut| = 2^k k! (swap the ends of each line, permute
     * the lines), so n!/|Aut| = (2k-1)!! again. */
    const long pairings[] = {1, 3, 15, 105};
    int k;
    (void) state;
    for (k = 1; k <= 4; k++)
    {
        fy_feynman_spec_t s;
        fy_diagram_list_t list;
        fy_error_t e;
        long i, aut = 1, j;
        fy_error_init(e);
        assert_int_equal(check_family("", 2 * k, 1, 0, -1), pairings[k - 1]);
        spec_set(s, "", 2 * k, 1, 0, -1);
        fy_diagram_list_init(list);
        assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
        for (i = 0; i < list->n; i++)
            assert_true(fmpz_is_one(list->d[i].aut));
        fy_diagram_list_clear(list);

        assert_int_equal(check_family("", 2 * k, 0, 0, -1), 1);
        spec_set(s, "", 2 * k, 0, 0, -1);
        assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
        for (j = 1; j <= k; j++)
            aut *= 2 * j;
        assert_true(fmpz_equal_si(list->d[0].aut, aut));
        assert_true(fmpz_equal_si(fmpq_numref(list->d[0].mult), pairings[k - 1]));
        fy_diagram_list_clear(list);
    }
}

/* Which interaction vertex each point hangs on, and the multiplicity matrix, for
 * inspecting generated diagrams. */
static int point_vertex(const fy_diagram_t d, int label)
{
    int i, l;
    for (i = 0; i < d->nlegs; i++)
        if (d->leg[i].label == label)
            for (l = 0; l < d->nl; l++)
            {
                if (d->l[l].u == d->leg[i].vertex)
                    return d->l[l].v;
                if (d->l[l].v == d->leg[i].vertex)
                    return d->l[l].u;
            }
    return -1;
}

static void test_phi4_four_point(void **state)
{
    fy_feynman_spec_t s;
    fy_diagram_list_t list;
    fy_error_t e;
    long i;
    int channels[3] = {0, 0, 0};
    (void) state;
    fy_error_init(e);
    /* One vertex, connected: the contact graph, |Aut| = 1 (labelled points pin everything):
     * weight 1, and 4! = 24 contractions. */
    assert_int_equal(check_family("4:1", 4, 1, FY_FEYNMAN_CONNECTED, -1), 1);

    /* Two vertices, connected, 4 labelled points (one loop).  Hand count: points split 2|2
     * with a double line between the vertices: the s, t, u bubbles, |Aut| = 2 each (the
     * parallel pair), 3/2 in all; points split 3|1 with a self-loop on the vertex holding one
     * point (4 choices), |Aut| = 2 each, 2 in all.  Total 7/2, 7 graphs. */
    assert_int_equal(check_family("4:2", 4, 1, FY_FEYNMAN_CONNECTED, -1), 7);
    assert_int_equal(check_family("4:2", 4, 1, FY_FEYNMAN_CONNECTED, 1), 7);
    assert_int_equal(check_family("4:2", 4, 1, FY_FEYNMAN_CONNECTED, 2), 0);
    {
        fmpq_t w, want;
        fmpq_init(w);
        fmpq_init(want);
        spec_set(s, "4:2", 4, 1, FY_FEYNMAN_CONNECTED, -1);
        assert_int_equal(fy_feynman_count(NULL, w, NULL, s, e), FY_OK);
        fmpq_set_si(want, 7, 2);
        assert_true(fmpq_equal(w, want));
        fmpq_clear(w);
        fmpq_clear(want);
    }

    /* 1PI: only the three bubbles, symmetry factor 1/2 each, one per channel
     * (12|34, 13|24, 14|23). */
    spec_set(s, "4:2", 4, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_1PI, -1);
    fy_diagram_list_init(list);
    assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
    assert_int_equal(list->n, 3);
    for (i = 0; i < list->n; i++)
    {
        const fy_diagram_struct *d = list->d + i;
        int v1 = point_vertex(d, 1), partner;
        assert_true(fmpz_equal_si(d->aut, 2));
        assert_int_equal(fmpz_get_si(fmpq_denref(d->sym)), 2);
        for (partner = 2; partner <= 4; partner++)
            if (point_vertex(d, partner) == v1)
                channels[partner - 2]++;
    }
    assert_int_equal(channels[0], 1);
    assert_int_equal(channels[1], 1);
    assert_int_equal(channels[2], 1);
    fy_diagram_list_clear(list);

    /* G2 at O(lambda) [HMS]: one vertex with both points and a self-loop, |Aut| = 2 (the
     * loop reversed): 1/2, i.e. weight 4!/2 = 12 in the no-factorial convention. */
    assert_int_equal(check_family("4:1", 2, 1, FY_FEYNMAN_CONNECTED, -1), 1);
    spec_set(s, "4:1", 2, 1, FY_FEYNMAN_CONNECTED, -1);
    assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
    assert_true(fmpz_equal_si(list->d[0].aut, 2));
    assert_true(fmpz_equal_si(fmpq_numref(list->d[0].mult), 12));
    fy_diagram_list_clear(list);

    /* G6 at O(1/N) [HMS]: a vertex on 4 of 6 points and a propagator on the other pair:
     * C(6,2) = 15 graphs (no self-loops, no vacuum bubbles). */
    assert_int_equal(check_family("4:1", 6, 1, FY_FEYNMAN_NO_VACUUM | FY_FEYNMAN_NO_SELF_LOOPS,
                                  -1),
                     15);
    /* G6_c at O(1/N^2): tree exchange over the 10 splits (3|3), |Aut| 1 each, and
     * 4!^2 * 2! / 1 = 1152 contractions each (the 576 of [HMS] per vertex ordering). */
    assert_int_equal(check_family("4:2", 6, 1, FY_FEYNMAN_CONNECTED, 0), 10);

    /* Other point families against the oracle, labelled and not. */
    check_family("4:2", 4, 0, FY_FEYNMAN_CONNECTED, -1);
    check_family("4:2", 4, 1, 0, -1);
    check_family("4:2", 4, 0, FY_FEYNMAN_NO_VACUUM, -1);
    check_family("4:2", 4, 1, FY_FEYNMAN_NO_VACUUM, 2);
    check_family("3:2", 2, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:4", 2, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("3:4", 2, 0, 0, 2);
    check_family("3:2,4:1", 3, 1, FY_FEYNMAN_CONNECTED, -1);
    check_family("4:3", 2, 1, FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_SELF_LOOPS, -1);
    check_family("3:3", 1, 1, 0, -1);
}

/* ---------------------------------------------------------------- filters by a second route */

/* Interaction-vertex graph after removing the points, with one line {a, b} cut (a < 0:
 * none): number of components among the interaction vertices. */
static int amputated_components(const fy_diagram_t d, int cut)
{
    int p[64], i, c = 0;
    for (i = 0; i < d->nv; i++)
        p[i] = i;
    for (i = 0; i < d->nl; i++)
    {
        int a = d->l[i].u, b = d->l[i].v;
        if (i == cut || d->v[a].kind == FY_FEYNMAN_POINT || d->v[b].kind == FY_FEYNMAN_POINT)
            continue;
        while (p[a] != a)
            a = p[a];
        while (p[b] != b)
            b = p[b];
        if (a != b)
            p[a] = b;
    }
    for (i = 0; i < d->nv; i++)
        if (d->v[i].kind != FY_FEYNMAN_POINT && p[i] == i)
            c++;
    return c;
}

static int my_1pi(const fy_diagram_t d)
{
    int i;
    if (fy_diagram_components(d) != 1 || amputated_components(d, -1) != 1)
        return 0;
    for (i = 0; i < d->nl; i++)
    {
        int a = d->l[i].u, b = d->l[i].v;
        if (d->v[a].kind == FY_FEYNMAN_POINT && d->v[b].kind == FY_FEYNMAN_POINT)
            return 0;
        if (amputated_components(d, i) != 1)
            return 0;
    }
    return 1;
}

/* A tadpole: cutting some line leaves a piece with no point.  Brute force over lines with
 * a flood fill from each end. */
static int reach_point(const fy_diagram_t d, int cut, int start)
{
    int seen[64] = {0}, stack[64], top = 0, i, found = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top)
    {
        int v = stack[--top];
        found |= d->v[v].kind == FY_FEYNMAN_POINT;
        for (i = 0; i < d->nl; i++)
        {
            int w = -1;
            if (i == cut)
                continue;
            if (d->l[i].u == v)
                w = d->l[i].v;
            else if (d->l[i].v == v)
                w = d->l[i].u;
            if (w >= 0 && !seen[w])
            {
                seen[w] = 1;
                stack[top++] = w;
            }
        }
    }
    return found;
}

static int my_tadpole(const fy_diagram_t d)
{
    int i;
    for (i = 0; i < d->nl; i++)
    {
        int a = d->l[i].u, b = d->l[i].v;
        if (a == b || fy_diagram_components(d) == 0)
            continue;
        /* only bridges separate a from b */
        {
            fy_diagram_t x;
            int bridge;
            fy_diagram_init(x, d->family);
            fy_diagram_set(x, d);
            x->l[i] = x->l[x->nl - 1];
            x->nl--;
            bridge = fy_diagram_components(x) > fy_diagram_components(d);
            fy_diagram_clear(x);
            if (bridge && (!reach_point(d, i, a) || !reach_point(d, i, b)))
                return 1;
        }
    }
    return 0;
}

/* The filtered family equals the unfiltered one filtered here: same canonical strings. */
static long compare_filtered(const char *vertices, int points, unsigned base, unsigned extra,
                             int (*keep)(const fy_diagram_t))
{
    fy_feynman_spec_t s;
    fy_diagram_list_t all, filt;
    fy_error_t e;
    long i, j = 0, kept = 0;
    fy_error_init(e);
    fy_diagram_list_init(all);
    fy_diagram_list_init(filt);
    spec_set(s, vertices, points, 1, base, -1);
    assert_int_equal(fy_feynman_generate(all, s, e), FY_OK);
    spec_set(s, vertices, points, 1, base | extra, -1);
    assert_int_equal(fy_feynman_generate(filt, s, e), FY_OK);
    for (i = 0; i < all->n; i++)
        if (keep(all->d + i))
        {
            kept++;
            assert_true(j < filt->n);
            assert_string_equal(all->d[i].canon, filt->d[j].canon); /* both sorted */
            assert_true(fmpz_equal(all->d[i].aut, filt->d[j].aut));
            j++;
        }
    assert_int_equal(kept, filt->n);
    fy_diagram_list_clear(all);
    fy_diagram_list_clear(filt);
    return kept;
}

static int not_tadpole(const fy_diagram_t d)
{
    return !my_tadpole(d);
}

static int no_self_loop(const fy_diagram_t d)
{
    int i;
    for (i = 0; i < d->nl; i++)
        if (d->l[i].u == d->l[i].v)
            return 0;
    return 1;
}

static void test_filters_second_route(void **state)
{
    (void) state;
    assert_true(compare_filtered("4:4", 0, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_1PI, my_1pi) > 0);
    assert_true(compare_filtered("4:5", 0, 0, FY_FEYNMAN_1PI, my_1pi) > 0);
    assert_true(compare_filtered("3:4", 2, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_1PI, my_1pi) > 0);
    assert_true(compare_filtered("4:3", 4, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_1PI, my_1pi) > 0);
    assert_true(compare_filtered("3:2,4:1", 2, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_1PI, my_1pi) > 0);
    assert_true(compare_filtered("3:4", 2, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_NO_TADPOLES,
                                 not_tadpole) > 0);
    assert_true(compare_filtered("3:4", 0, 0, FY_FEYNMAN_NO_TADPOLES, not_tadpole) > 0);
    /* a 1-point graph always has a piece without points behind the point's line */
    assert_int_equal(compare_filtered("3:3", 1, 0, FY_FEYNMAN_NO_TADPOLES, not_tadpole), 0);
    assert_true(compare_filtered("4:4", 2, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_NO_TADPOLES,
                                 not_tadpole) > 0);
    assert_true(compare_filtered("4:4", 0, FY_FEYNMAN_CONNECTED, FY_FEYNMAN_NO_SELF_LOOPS,
                                 no_self_loop) > 0);
    assert_true(compare_filtered("3:2,4:2", 2, 0, FY_FEYNMAN_NO_SELF_LOOPS, no_self_loop) > 0);
}

/* Every generated diagram: canonical form and |Aut| agree with a fresh canonicalisation of a
 * copy, and distinct diagrams have distinct forms (no duplicates). */
static void test_unique_and_consistent(void **state)
{
    fy_feynman_spec_t s;
    fy_diagram_list_t list;
    fy_diagram_t x;
    fy_error_t e;
    long i;
    (void) state;
    fy_error_init(e);
    fy_diagram_list_init(list);
    fy_diagram_init(x, &fy_feynman_family);
    spec_set(s, "3:2,4:2", 2, 0, 0, -1);
    assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
    for (i = 0; i < list->n; i++)
    {
        fy_diagram_set(x, list->d + i);
        assert_int_equal(_fy_canon_graph_exact(x, e), FY_OK);
        assert_true(fmpz_equal(x->aut, list->d[i].aut));
        if (i > 0)
            assert_true(strcmp(list->d[i - 1].canon, list->d[i].canon) < 0);
        assert_int_equal(list->d[i].family == &fy_feynman_family, 1);
    }
    fy_diagram_clear(x);
    fy_diagram_list_clear(list);
}

/* Tree-level graphs: the AHU tree canonical form (canon_tree.c, reached through
 * fy_diagram_canonicalise) must find the same |Aut| as the graph back end. */
static void test_trees_agree_with_tree_canon(void **state)
{
    const char *v[] = {"4:2", "4:2", "3:2", "3:4", "3:2,4:1"};
    const int points[] = {6, 6, 4, 6, 6}, lab[] = {1, 0, 0, 0, 0};
    int k;
    long total = 0;
    (void) state;
    for (k = 0; k < 5; k++)
    {
        fy_feynman_spec_t s;
        fy_diagram_list_t list;
        fy_diagram_t x;
        fy_error_t e;
        long i;
        fy_error_init(e);
        spec_set(s, v[k], points[k], lab[k], FY_FEYNMAN_CONNECTED, 0);
        fy_diagram_list_init(list);
        fy_diagram_init(x, &fy_feynman_family);
        assert_int_equal(fy_feynman_generate(list, s, e), FY_OK);
        for (i = 0; i < list->n; i++)
        {
            fy_diagram_set(x, list->d + i);
            assert_true(fy_diagram_is_tree(x));
            if (fy_diagram_canonicalise(x, e) != FY_OK)
                fail_msg("tree canonical form: %s", e->msg);
            assert_true(fmpz_equal(x->aut, list->d[i].aut));
        }
        total += list->n;
        fy_diagram_clear(x);
        fy_diagram_list_clear(list);
    }
    assert_true(total > 10);
}

static void test_spec_parse(void **state)
{
    fy_feynman_spec_t s;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_feynman_spec_init(s);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "4:2", e), FY_OK);
    assert_int_equal(s->n_types, 1);
    assert_int_equal(s->type[0].valence, 4);
    assert_int_equal(s->type[0].count, 2);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "3:2, 4:1,6", e), FY_OK);
    assert_int_equal(s->n_types, 3);
    assert_int_equal(s->type[0].valence, 3);
    assert_int_equal(s->type[1].count, 3);
    assert_int_equal(s->type[2].valence, 6);
    assert_int_equal(fy_feynman_spec_half_edges(s), 6 + 12 + 6);
    assert_int_equal(fy_feynman_spec_vertices(s), 6);
    assert_int_equal(fy_feynman_spec_validate(s, e), FY_OK);

    fy_feynman_spec_init(s);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "4:", e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "column 3"));
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "x", e), FY_EINPUT);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "4:2;", e), FY_EINPUT);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "13:1", e), FY_EINPUT);
    assert_int_equal(fy_feynman_spec_parse_vertices(s, "", e), FY_EINPUT);
    fy_feynman_spec_init(s);
    s->n_points = -1;
    assert_int_equal(fy_feynman_spec_validate(s, e), FY_EINPUT);
    s->n_points = 100;
    assert_int_equal(fy_feynman_spec_validate(s, e), FY_EUNSUPPORTED);
    s->n_points = 0;
    s->filters = 1u << 20;
    assert_int_equal(fy_feynman_spec_validate(s, e), FY_EINPUT);
}

/* What a run of the generator with a bar of the given total writes to standard error. */
static void run_with_bar(char *buf, size_t n, const fy_feynman_spec_t s, double total)
{
    fy_progress_t pr;
    fy_error_t e;
    FILE *tmp = tmpfile();
    int saved = dup(fileno(stderr));
    size_t got;
    fy_feynman_spec_t t;
    assert_non_null(tmp);
    fy_error_init(e);
    t[0] = s[0];
    fflush(stderr);
    dup2(fileno(tmp), fileno(stderr));
    fy_progress_init(pr, "graphs", total, 1);
    t->progress = pr;
    assert_int_equal(fy_feynman_count(NULL, NULL, NULL, t, e), FY_OK);
    fflush(stderr);
    dup2(saved, fileno(stderr));
    close(saved);
    rewind(tmp);
    got = fread(buf, 1, n - 1, tmp);
    buf[got] = '\0';
    fclose(tmp);
}

/* The bar (fy_feynman_spec_struct.progress) advances by each graph's Wick contractions: with
 * the oracle's number of contractions (which never looks at a graph) as its total it ends at
 * exactly 100%; with twice that it never gets there. */
static void test_progress_contractions(void **state)
{
    fy_feynman_spec_t s;
    fmpq_t w;
    fmpz_t c;
    fy_error_t e;
    char buf[8192];
    (void) state;
    fy_error_init(e);
    fmpq_init(w);
    fmpz_init(c);
    spec_set(s, "4:3,3:2", 2, 1, 0, -1);
    assert_null(s->progress);
    assert_int_equal(fy_feynman_oracle(w, c, s, e), FY_OK);
    run_with_bar(buf, sizeof buf, s, fmpz_get_d(c));
    assert_non_null(strstr(buf, "100.0%"));
    run_with_bar(buf, sizeof buf, s, 2 * fmpz_get_d(c));
    assert_non_null(strstr(buf, "graphs"));
    assert_null(strstr(buf, "100.0%"));
    fmpq_clear(w);
    fmpz_clear(c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_oracle_closed_forms),
    cmocka_unit_test(test_vacuum_phi4),
    cmocka_unit_test(test_vacuum_phi4_nauty_counts),
    cmocka_unit_test(test_vacuum_phi3),
    cmocka_unit_test(test_vacuum_mixed),
    cmocka_unit_test(test_free_pairings),
    cmocka_unit_test(test_phi4_four_point),
    cmocka_unit_test(test_filters_second_route),
    cmocka_unit_test(test_unique_and_consistent),
    cmocka_unit_test(test_trees_agree_with_tree_canon),
    cmocka_unit_test(test_spec_parse),
    cmocka_unit_test(test_progress_contractions),
};

FY_TEST_MAIN("feynman", tests)
