/* Tests of the graph module's tree canonical forms and |Aut| (src/graph/canon_tree.c).
 *
 * Oracles: MATH.md 1.4's order-4 symmetry factors on hand-built trees; brute-force automorphism
 * counting and isomorphism testing over all vertex permutations for small random trees;
 * invariance of the canonical string under random relabelling of vertices, lines and legs. */
#include <string.h>

#include "feynn/graph.h"
#include "testutil.h"

static const fy_family_struct fam = {"test", NULL, 0, NULL, 0, NULL, 0, 0};

/* ---- hand-built MLP-like trees (kinds: 0 input, 1 vertex, 2 output) ---- */

static int add_v(fy_diagram_t d, int kind, int level)
{
    fy_error_t e;
    int v;
    fy_error_init(e);
    v = fy_diagram_add_vertex(d, kind, level, e);
    assert_true(v >= 0);
    return v;
}

static void add_l(fy_diagram_t d, int child, int parent)
{
    fy_error_t e;
    fy_error_init(e);
    assert_true(fy_diagram_add_line(d, child, parent, 0, e) >= 0);
}

/* k input leaves (layer 0) under vertex p. */
static void add_leaves(fy_diagram_t d, int p, int k)
{
    fy_error_t e;
    int i;
    fy_error_init(e);
    for (i = 0; i < k; i++)
    {
        int v = add_v(d, 0, 0);
        assert_true(fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, 0, e) >= 0);
        add_l(d, v, p);
    }
}

static long aut_of(fy_diagram_t d)
{
    fy_error_t e;
    fy_error_init(e);
    assert_int_equal(fy_diagram_canonicalise(d, e), FY_OK);
    assert_non_null(d->canon);
    assert_true(fmpz_fits_si(d->aut));
    return fmpz_get_si(d->aut);
}

/* MATH.md 1.4: order 4 symmetry factors 1/24, 1/4, 1/6, 1/8 (one layer), 1/4 (two), 1/2. */
static void test_order4_symmetry_factors(void **state)
{
    fy_diagram_t d;
    int out, a, b, c;
    (void) state;
    fy_diagram_init(d, &fam);

    /* 4-vertex */
    out = add_v(d, 2, 4);
    d->root = out;
    a = add_v(d, 1, 1);
    add_l(d, a, out);
    add_leaves(d, a, 4);
    assert_int_equal(aut_of(d), 24);

    /* 3-vertex with a 2-vertex child */
    fy_diagram_reset(d);
    out = add_v(d, 2, 4);
    d->root = out;
    a = add_v(d, 1, 2);
    add_l(d, a, out);
    b = add_v(d, 1, 1);
    add_l(d, b, a);
    add_leaves(d, a, 2);
    add_leaves(d, b, 2);
    assert_int_equal(aut_of(d), 4);

    /* 2-vertex with a 3-vertex child */
    fy_diagram_reset(d);
    out = add_v(d, 2, 4);
    d->root = out;
    a = add_v(d, 1, 2);
    add_l(d, a, out);
    b = add_v(d, 1, 1);
    add_l(d, b, a);
    add_leaves(d, a, 1);
    add_leaves(d, b, 3);
    assert_int_equal(aut_of(d), 6);

    /* 2-vertex with two 2-vertex children on one layer: 1/8 */
    fy_diagram_reset(d);
    out = add_v(d, 2, 4);
    d->root = out;
    a = add_v(d, 1, 3);
    add_l(d, a, out);
    b = add_v(d, 1, 1);
    c = add_v(d, 1, 1);
    add_l(d, b, a);
    add_l(d, c, a);
    add_leaves(d, b, 2);
    add_leaves(d, c, 2);
    assert_int_equal(aut_of(d), 8);

    /* ... on two layers: 1/4 */
    d->v[c].level = 2;
    fy_diagram_canonicalise(d, NULL);
    assert_int_equal(aut_of(d), 4);

    /* chain of three 2-vertices: 1/2 */
    fy_diagram_reset(d);
    out = add_v(d, 2, 4);
    d->root = out;
    a = add_v(d, 1, 3);
    b = add_v(d, 1, 2);
    c = add_v(d, 1, 1);
    add_l(d, a, out);
    add_l(d, b, a);
    add_l(d, c, b);
    add_leaves(d, a, 1);
    add_leaves(d, b, 1);
    add_leaves(d, c, 2);
    assert_int_equal(aut_of(d), 2);
    fy_diagram_clear(d);
}

/* Labelled legs are distinct, unlabelled ones interchangeable; leg kinds count. */
static void test_leg_labels(void **state)
{
    fy_diagram_t d;
    fy_error_t e;
    int v, i;
    (void) state;
    fy_error_init(e);
    fy_diagram_init(d, &fam);
    v = add_v(d, 0, -1);
    for (i = 0; i < 3; i++)
        fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, 0, e);
    assert_int_equal(aut_of(d), 6);
    d->leg[0].label = 1;
    assert_int_equal(aut_of(d), 2);
    d->leg[1].label = 2;
    assert_int_equal(aut_of(d), 1);
    d->leg[1].label = FY_LEG_UNLABELLED;
    d->leg[2].kind = 1;
    assert_int_equal(aut_of(d), 1);
    fy_diagram_clear(d);
}

/* Unrooted: centres, the central swap, line kinds; errors. */
static void test_unrooted_centres(void **state)
{
    fy_diagram_t d, d2;
    fy_error_t e;
    int i;
    (void) state;
    fy_error_init(e);
    fy_diagram_init(d, &fam);
    fy_diagram_init(d2, &fam);
    /* path of 4 identical vertices: bicentral, reversal */
    for (i = 0; i < 4; i++)
        add_v(d, 0, -1);
    for (i = 0; i < 3; i++)
        add_l(d, i, i + 1);
    assert_int_equal(aut_of(d), 2);
    /* a different end kind breaks it */
    d->v[0].kind = 1;
    assert_int_equal(aut_of(d), 1);
    d->v[0].kind = 0;
    /* a different kind of the central line keeps it, an end line breaks it */
    d->l[1].kind = 3;
    assert_int_equal(aut_of(d), 2);
    d->l[0].kind = 3;
    assert_int_equal(aut_of(d), 1);
    /* star with 3 arms of length 2: unicentral, 3! */
    fy_diagram_reset(d);
    add_v(d, 0, -1);
    for (i = 0; i < 3; i++)
    {
        int a = add_v(d, 0, -1), b = add_v(d, 0, -1);
        add_l(d, a, 0);
        add_l(d, b, a);
    }
    assert_int_equal(aut_of(d), 6);
    /* single vertex, two vertices */
    fy_diagram_reset(d);
    add_v(d, 0, -1);
    assert_int_equal(aut_of(d), 1);
    add_v(d, 0, -1);
    add_l(d, 0, 1);
    assert_int_equal(aut_of(d), 2);
    /* rooted at one end: no swap; the string differs from the unrooted one */
    fy_diagram_set(d2, d);
    d2->root = 0;
    assert_int_equal(aut_of(d2), 1);
    assert_string_not_equal(d->canon, d2->canon);
    /* bad root */
    d2->root = 7;
    assert_int_equal(fy_diagram_canonicalise(d2, e), FY_EINPUT);
    fy_diagram_clear(d);
    fy_diagram_clear(d2);
}

/* ---- random trees and brute force ---- */

#define MAXV 7

typedef struct
{
    int nv, root;
    int kind[MAXV], level[MAXV];
    int adj[MAXV][MAXV]; /* line kind + 1, or 0 */
    int nleg[MAXV];
    int leg[MAXV][4][2]; /* (kind, label) */
} small_tree;

static void random_tree(small_tree *t, uint64_t *rng, int rooted)
{
    int i, j;
    memset(t, 0, sizeof *t);
    t->nv = 1 + (int) (fy_test_rand(rng) % MAXV);
    t->root = rooted ? (int) (fy_test_rand(rng) % (uint64_t) t->nv) : -1;
    for (i = 0; i < t->nv; i++)
    {
        /* small alphabets so that symmetric trees are common */
        t->kind[i] = (fy_test_rand(rng) % 4 == 0) ? 1 : 0;
        t->level[i] = (fy_test_rand(rng) % 5 == 0) ? 2 : -1;
        t->nleg[i] = (int) (fy_test_rand(rng) % 4);
        for (j = 0; j < t->nleg[i]; j++)
        {
            int r = (int) (fy_test_rand(rng) % 6);
            t->leg[i][j][0] = r == 5 ? 1 : 0;
            t->leg[i][j][1] = r == 4 ? 1 + (int) (fy_test_rand(rng) % 2) : FY_LEG_UNLABELLED;
        }
        if (i > 0)
        {
            int p = (int) (fy_test_rand(rng) % (uint64_t) i);
            int k = (fy_test_rand(rng) % 5 == 0) ? 2 : 1;
            t->adj[i][p] = t->adj[p][i] = k;
        }
    }
}

/* Builds a diagram from t with vertex i placed at index perm[i], lines and legs in a random
 * order and random orientation. */
static void build(fy_diagram_t d, const small_tree *t, const int *perm, uint64_t *rng)
{
    int inv[MAXV], i, j, nl = 0, lines[MAXV][2], nlegs = 0, legs[MAXV * 4][3];
    fy_error_t e;
    fy_error_init(e);
    fy_diagram_reset(d);
    for (i = 0; i < t->nv; i++)
        inv[perm[i]] = i;
    for (i = 0; i < t->nv; i++)
        assert_int_equal(fy_diagram_add_vertex(d, t->kind[inv[i]], t->level[inv[i]], e), i);
    for (i = 0; i < t->nv; i++)
        for (j = i + 1; j < t->nv; j++)
            if (t->adj[i][j])
            {
                lines[nl][0] = i;
                lines[nl][1] = j;
                nl++;
            }
    for (i = 0; i < t->nv; i++)
        for (j = 0; j < t->nleg[i]; j++)
        {
            legs[nlegs][0] = i;
            legs[nlegs][1] = t->leg[i][j][0];
            legs[nlegs][2] = t->leg[i][j][1];
            nlegs++;
        }
    /* shuffle */
    for (i = nl - 1; i > 0; i--)
    {
        int k = (int) (fy_test_rand(rng) % (uint64_t) (i + 1)), a = lines[i][0], b = lines[i][1];
        lines[i][0] = lines[k][0];
        lines[i][1] = lines[k][1];
        lines[k][0] = a;
        lines[k][1] = b;
    }
    for (i = nlegs - 1; i > 0; i--)
    {
        int k = (int) (fy_test_rand(rng) % (uint64_t) (i + 1)), m;
        for (m = 0; m < 3; m++)
        {
            int x = legs[i][m];
            legs[i][m] = legs[k][m];
            legs[k][m] = x;
        }
    }
    for (i = 0; i < nl; i++)
    {
        int a = lines[i][0], b = lines[i][1], flip = (int) (fy_test_rand(rng) % 2);
        assert_true(fy_diagram_add_line(d, perm[flip ? b : a], perm[flip ? a : b],
                                        t->adj[a][b] - 1, e) >= 0);
    }
    for (i = 0; i < nlegs; i++)
        assert_true(fy_diagram_add_leg(d, perm[legs[i][0]], legs[i][2], legs[i][1], e) >= 0);
    d->root = t->root >= 0 ? perm[t->root] : -1;
}

static void random_perm(int *perm, int n, uint64_t *rng)
{
    int i;
    for (i = 0; i < n; i++)
        perm[i] = i;
    for (i = n - 1; i > 0; i--)
    {
        int k = (int) (fy_test_rand(rng) % (uint64_t) (i + 1)), x = perm[i];
        perm[i] = perm[k];
        perm[k] = x;
    }
}

static long factorial(int n)
{
    long f = 1;
    while (n > 1)
        f *= n--;
    return f;
}

/* Sorted (kind, label) multiset of the legs of v, as a code; also the product of the
 * factorials of the class sizes. */
static long leg_sig(const small_tree *t, int v, long *fact)
{
    int a[4], i, j, n = t->nleg[v];
    long sig = 0;
    for (i = 0; i < n; i++)
        a[i] = t->leg[v][i][0] * 10 + (t->leg[v][i][1] + 1);
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && a[j - 1] > a[j]; j--)
        {
            int x = a[j];
            a[j] = a[j - 1];
            a[j - 1] = x;
        }
    *fact = 1;
    for (i = 0; i < n; i = j)
    {
        for (j = i + 1; j < n && a[j] == a[i]; j++)
            ;
        *fact *= factorial(j - i);
    }
    for (i = 0; i < n; i++)
        sig = sig * 100 + a[i];
    return sig * 10 + n;
}

/* Number of isomorphisms s -> t (vertex maps times leg bijections); with s == t, |Aut|. */
static long count_isos(const small_tree *s, const small_tree *t)
{
    int perm[MAXV], c[MAXV], i, j, n = s->nv;
    long total = 0;
    if (s->nv != t->nv || (s->root < 0) != (t->root < 0))
        return 0;
    for (i = 0; i < n; i++)
    {
        perm[i] = i;
        c[i] = 0;
    }
    /* Heap's algorithm over all permutations */
    i = 0;
    for (;;)
    {
        int ok = 1;
        long legs = 1;
        if (s->root >= 0 && perm[s->root] != t->root)
            ok = 0;
        for (j = 0; j < n && ok; j++)
        {
            long f1, f2;
            int k;
            if (s->kind[j] != t->kind[perm[j]] || s->level[j] != t->level[perm[j]] ||
                leg_sig(s, j, &f1) != leg_sig(t, perm[j], &f2))
                ok = 0;
            for (k = 0; k < n && ok; k++)
                if (s->adj[j][k] != t->adj[perm[j]][perm[k]])
                    ok = 0;
            legs *= f1;
        }
        if (ok)
            total += legs;
        while (i < n && c[i] >= i)
        {
            c[i] = 0;
            i++;
        }
        if (i >= n)
            break;
        {
            int a = (i % 2 == 0) ? 0 : c[i], x = perm[a];
            perm[a] = perm[i];
            perm[i] = x;
        }
        c[i]++;
        i = 0;
    }
    return total;
}

static void test_random_invariance_and_aut(void **state)
{
    uint64_t rng = fy_test_seed("tree canonical forms");
    fy_diagram_t d, d2;
    small_tree t;
    int trial, perm[MAXV], nontrivial = 0;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_diagram_init(d, &fam);
    fy_diagram_init(d2, &fam);
    for (trial = 0; trial < 400; trial++)
    {
        long brute;
        int r;
        random_tree(&t, &rng, trial % 2);
        random_perm(perm, t.nv, &rng);
        build(d, &t, perm, &rng);
        assert_int_equal(fy_diagram_canonicalise(d, e), FY_OK);
        brute = count_isos(&t, &t);
        assert_true(fmpz_fits_si(d->aut));
        if (fmpz_get_si(d->aut) != brute)
            fail_msg("trial %d: |Aut| %ld, brute force %ld (%s)", trial, fmpz_get_si(d->aut),
                     brute, d->canon);
        if (brute > 1)
            nontrivial++;
        for (r = 0; r < 3; r++)
        {
            random_perm(perm, t.nv, &rng);
            build(d2, &t, perm, &rng);
            assert_int_equal(fy_diagram_canonicalise(d2, e), FY_OK);
            assert_string_equal(d->canon, d2->canon);
            assert_true(fmpz_equal(d->aut, d2->aut));
        }
    }
    /* the random trees must exercise symmetry, or the test proves little */
    assert_true(nontrivial > 100);
    fy_diagram_clear(d);
    fy_diagram_clear(d2);
}

/* Equal strings exactly for isomorphic trees (brute force over vertex maps). */
static void test_random_iso_vs_canon(void **state)
{
    uint64_t rng = fy_test_seed("tree isomorphism");
    fy_diagram_t a, b;
    small_tree s, t;
    int trial, perm[MAXV], iso_pairs = 0;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_diagram_init(a, &fam);
    fy_diagram_init(b, &fam);
    for (trial = 0; trial < 3000; trial++)
    {
        int rooted = trial % 2, iso;
        /* tiny trees, so isomorphic pairs are frequent */
        do
            random_tree(&s, &rng, rooted);
        while (s.nv > 4);
        do
            random_tree(&t, &rng, rooted);
        while (t.nv != s.nv);
        iso = count_isos(&s, &t) > 0;
        iso_pairs += iso;
        random_perm(perm, s.nv, &rng);
        build(a, &s, perm, &rng);
        random_perm(perm, t.nv, &rng);
        build(b, &t, perm, &rng);
        assert_int_equal(fy_diagram_canonicalise(a, e), FY_OK);
        assert_int_equal(fy_diagram_canonicalise(b, e), FY_OK);
        if (iso != (strcmp(a->canon, b->canon) == 0))
            fail_msg("trial %d: isomorphic %d but strings %s / %s", trial, iso, a->canon,
                     b->canon);
    }
    assert_true(iso_pairs > 20);
    fy_diagram_clear(a);
    fy_diagram_clear(b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_order4_symmetry_factors),
    cmocka_unit_test(test_leg_labels),
    cmocka_unit_test(test_unrooted_centres),
    cmocka_unit_test(test_random_invariance_and_aut),
    cmocka_unit_test(test_random_iso_vs_canon),
};

FY_TEST_MAIN("graph", tests)
