/* Tests of the enumerate module's generators (MLP trees, INN pull-backs, Born ladders).
 *
 * Oracles, none taken from the code's output: MATH.md 1.4-1.5 tables and symmetry factors;
 * the labelled counts N(n,H) by an integer set-partition recurrence written here; the FLINT
 * series oracles of the library compared with those; brute-force generate-and-dedupe of INN
 * expansions; closed forms C(m-n,n), Fibonacci and involution numbers, pair partitions; the
 * Born series coefficients of MATH.md 2.3 (square well) and the ladder integral. */
#include <string.h>

#include "feynn/enumerate.h"
#include "testutil.h"

/* ---- independent integer oracles ---- */

static long binom(int n, int k)
{
    long r = 1;
    int i;
    if (k < 0 || k > n)
        return 0;
    for (i = 1; i <= k; i++)
        r = r * (n - k + i) / i;
    return r;
}

static long fact(int n)
{
    long f = 1;
    while (n > 1)
        f *= n--;
    return f;
}

/* N_{l+1}(n) = sum over set partitions of [n] of prod N_l(|B|) (the block of element 1 first);
 * N_1(n) = [n == 1]; N(n,H) = N_{H+1}(n). */
static long labelled_count(int n, int H)
{
    long N[16][16], E[16];
    int l, m, j;
    assert_true(n < 16 && H < 15);
    for (m = 0; m <= n; m++)
        N[1][m] = (m == 1);
    for (l = 1; l <= H; l++)
    {
        E[0] = 1;
        for (m = 1; m <= n; m++)
        {
            E[m] = 0;
            for (j = 1; j <= m; j++)
                E[m] += binom(m - 1, j - 1) * N[l][j] * E[m - j];
        }
        N[l + 1][0] = 0;
        for (m = 1; m <= n; m++)
            N[l + 1][m] = E[m];
    }
    return N[H + 1][n];
}

static void assert_fmpq_si(const fmpq_t q, long num, long den)
{
    fmpq_t r;
    fmpq_init(r);
    fmpq_set_si(r, num, (ulong) den);
    if (!fmpq_equal(q, r))
    {
        char *s = fmpq_get_str(NULL, 10, q);
        fail_msg("got %s, expected %ld/%ld", s, num, den);
    }
    fmpq_clear(r);
}

/* Generator output is canonical: canon and aut as fy_diagram_canonicalise sets them, sym =
 * 1/aut, strings pairwise distinct (the list is sorted by canon). */
static void check_canonical(const fy_diagram_list_t L)
{
    fy_diagram_t c;
    fy_error_t e;
    long i;
    fmpq_t s;
    fy_error_init(e);
    fmpq_init(s);
    for (i = 0; i < L->n; i++)
    {
        fy_diagram_init(c, L->d[i].family);
        fy_diagram_set(c, L->d + i);
        assert_int_equal(fy_diagram_canonicalise(c, e), FY_OK);
        assert_string_equal(c->canon, L->d[i].canon);
        assert_true(fmpz_equal(c->aut, L->d[i].aut));
        fmpq_one(s);
        fmpq_div_fmpz(s, s, c->aut);
        assert_true(fmpq_equal(s, L->d[i].sym));
        if (i > 0)
            assert_true(strcmp(L->d[i - 1].canon, L->d[i].canon) < 0);
        fy_diagram_clear(c);
    }
    fmpq_clear(s);
}

/* MLP tree structure of MATH.md 1.3. */
static void check_mlp_structure(const fy_diagram_t d, int n, int H, int labelled)
{
    int i, leaves = 0, *children, seen[64] = {0};
    assert_ptr_equal(d->family, &fy_family_mlp);
    assert_true(d->root >= 0 && fy_diagram_is_tree(d));
    assert_int_equal(d->v[d->root].kind, FY_MLP_OUTPUT);
    assert_int_equal(d->v[d->root].level, H + 1);
    children = calloc((size_t) d->nv, sizeof *children);
    for (i = 0; i < d->nl; i++)
    {
        int u = d->l[i].u, v = d->l[i].v;
        assert_true(d->v[u].level < d->v[v].level);
        children[v]++;
    }
    for (i = 0; i < d->nv; i++)
    {
        if (d->v[i].kind == FY_MLP_INPUT)
        {
            assert_int_equal(d->v[i].level, 0);
            assert_int_equal(children[i], 0);
            leaves++;
        }
        else if (d->v[i].kind == FY_MLP_VERTEX)
        {
            assert_true(d->v[i].level >= 1 && d->v[i].level <= H);
            assert_true(children[i] >= 2);
        }
        else
        {
            assert_int_equal(i, d->root);
            assert_int_equal(children[i], 1);
        }
    }
    assert_int_equal(leaves, n);
    assert_int_equal(d->nlegs, n);
    for (i = 0; i < d->nlegs; i++)
    {
        assert_int_equal(d->v[d->leg[i].vertex].kind, FY_MLP_INPUT);
        if (labelled)
        {
            assert_true(d->leg[i].label >= 1 && d->leg[i].label <= n);
            assert_int_equal(seen[d->leg[i].label], 0);
            seen[d->leg[i].label] = 1;
        }
        else
            assert_int_equal(d->leg[i].label, FY_LEG_UNLABELLED);
    }
    free(children);
}

/* ---- MLP ---- */

static void test_mlp_tables(void **state)
{
    /* MATH.md 1.5 */
    static const long lab[3][6] = {{1, 1, 1, 1, 1, 1},
                                   {1, 2, 5, 15, 52, 203},
                                   {1, 3, 12, 60, 358, 2471}};
    static const long unlab[2][6] = {{1, 2, 3, 5, 7, 11}, {1, 3, 6, 14, 27, 58}};
    fy_error_t e;
    fmpq_t q;
    fmpz_t u, l;
    int H, n;
    (void) state;
    fy_error_init(e);
    fmpq_init(q);
    fmpz_init(u);
    fmpz_init(l);
    for (H = 1; H <= 3; H++)
        for (n = 1; n <= 6; n++)
        {
            fy_diagram_list_t L;
            fy_diagram_list_init(L);
            assert_int_equal(fy_enum_mlp_oracle(q, n, H, e), FY_OK);
            assert_fmpq_si(q, lab[H - 1][n - 1], 1);
            assert_int_equal(labelled_count(n, H), lab[H - 1][n - 1]);
            assert_int_equal(fy_enum_mlp_trees(L, n, H, e), FY_OK);
            fy_diagram_list_weight(q, L);
            assert_fmpq_si(q, lab[H - 1][n - 1], 1);
            assert_int_equal(fy_enum_mlp_count(u, l, n, H, e), FY_OK);
            assert_true(fmpz_equal_si(u, L->n));
            assert_true(fmpz_equal_si(l, lab[H - 1][n - 1]));
            if (H >= 2)
                assert_int_equal(L->n, unlab[H - 2][n - 1]);
            else
                assert_int_equal(L->n, 1);
            fy_diagram_list_clear(L);
        }
    fmpq_clear(q);
    fmpz_clear(u);
    fmpz_clear(l);
}

/* n = 1..7, H = 1..5: sum of n!/|Aut| = N(n,H) (recurrence here and FLINT oracle). */
static void test_mlp_oracle_grid(void **state)
{
    fy_error_t e;
    fmpq_t w, o, expected;
    fmpz_t u;
    int H, n;
    long i;
    (void) state;
    fy_error_init(e);
    fmpq_init(w);
    fmpq_init(o);
    fmpq_init(expected);
    fmpz_init(u);
    for (H = 1; H <= 5; H++)
        for (n = 1; n <= 7; n++)
        {
            fy_diagram_list_t L;
            fy_enum_params_t p;
            fy_diagram_list_init(L);
            fmpq_set_si(expected, labelled_count(n, H), 1);
            assert_int_equal(fy_enum_mlp_trees(L, n, H, e), FY_OK);
            fy_diagram_list_weight(w, L);
            assert_int_equal(fy_enum_mlp_oracle(o, n, H, e), FY_OK);
            assert_true(fmpq_equal(o, expected));
            assert_true(fmpq_equal(w, expected));
            fy_enum_mlp_count(u, NULL, n, H, e);
            assert_true(fmpz_equal_si(u, L->n));
            for (i = 0; i < L->n; i++)
            {
                fmpq_t m;
                fmpq_init(m);
                check_mlp_structure(L->d + i, n, H, 0);
                fmpq_set_si(m, fact(n), 1);
                fmpq_div_fmpz(m, m, L->d[i].aut);
                assert_true(fmpq_equal(m, L->d[i].mult));
                fmpq_clear(m);
            }
            check_canonical(L);
            fy_enum_params_init(p);
            p->family = FY_ENUM_MLP;
            p->order = n;
            p->layers = H;
            assert_int_equal(fy_enum_check(o, w, L, p, e), FY_OK);
            fy_diagram_list_clear(L);
        }
    fmpq_clear(w);
    fmpq_clear(o);
    fmpq_clear(expected);
    fmpz_clear(u);
}

static int count_sym(const fy_diagram_list_t L, long den)
{
    long i;
    int c = 0;
    for (i = 0; i < L->n; i++)
        if (fmpz_equal_si(L->d[i].aut, den))
            c++;
    return c;
}

/* MATH.md 1.4 order 4: with H = 2 the five shapes have 1/24 (twice), 1/4, 1/6, 1/8; with
 * H = 3 the 2-vertex with two 2-vertex children on different layers has 1/4 and the chain of
 * three 2-vertices 1/2 appears. */
static void test_mlp_order4(void **state)
{
    fy_diagram_list_t L;
    fy_error_t e;
    (void) state;
    fy_error_init(e);
    fy_diagram_list_init(L);
    assert_int_equal(fy_enum_mlp_trees(L, 4, 2, e), FY_OK);
    assert_int_equal(L->n, 5);
    assert_int_equal(count_sym(L, 24), 2);
    assert_int_equal(count_sym(L, 4), 1);
    assert_int_equal(count_sym(L, 6), 1);
    assert_int_equal(count_sym(L, 8), 1);
    fy_diagram_list_clear(L);
    assert_int_equal(fy_enum_mlp_trees(L, 4, 3, e), FY_OK);
    /* 1/2: only the chain of three 2-vertices (layers 1, 2, 3) */
    assert_int_equal(count_sym(L, 2), 1);
    /* 1/8: two 2-vertices on one layer l under a 2-vertex at l' > l: (1,2), (1,3), (2,3) */
    assert_int_equal(count_sym(L, 8), 3);
    /* 1/24: a 4-vertex on each of the 3 layers */
    assert_int_equal(count_sym(L, 24), 3);
    fy_diagram_list_clear(L);
    /* n = 2, H = 3: a 2-vertex on each layer, 1/2 each (MATH.md 1.3 order 2) */
    assert_int_equal(fy_enum_mlp_trees(L, 2, 3, e), FY_OK);
    assert_int_equal(L->n, 3);
    assert_int_equal(count_sym(L, 2), 3);
    fy_diagram_list_clear(L);
}

/* Labelled expansion: count N(n,H); grouped by unlabelled shape, n!/|Aut| each. */
static void test_mlp_labelled(void **state)
{
    fy_error_t e;
    int H, n;
    (void) state;
    fy_error_init(e);
    for (H = 1; H <= 3; H++)
        for (n = 1; n <= 6; n++)
        {
            fy_diagram_list_t L, U;
            long i, j, *hits;
            fmpq_t w;
            fy_diagram_list_init(L);
            fy_diagram_list_init(U);
            fmpq_init(w);
            assert_int_equal(fy_enum_mlp_labelled(L, n, H, e), FY_OK);
            assert_int_equal(L->n, labelled_count(n, H));
            fy_diagram_list_weight(w, L);
            assert_fmpq_si(w, labelled_count(n, H), 1);
            if (n <= 5)
                check_canonical(L);
            assert_int_equal(fy_enum_mlp_trees(U, n, H, e), FY_OK);
            hits = calloc((size_t) U->n, sizeof *hits);
            for (i = 0; i < L->n; i++)
            {
                fy_diagram_t c;
                int k;
                check_mlp_structure(L->d + i, n, H, 1);
                assert_true(fmpz_is_one(L->d[i].aut));
                if (i > 0)
                    assert_true(strcmp(L->d[i - 1].canon, L->d[i].canon) < 0);
                fy_diagram_init(c, &fy_family_mlp);
                fy_diagram_set(c, L->d + i);
                for (k = 0; k < c->nlegs; k++)
                    c->leg[k].label = FY_LEG_UNLABELLED;
                assert_int_equal(fy_diagram_canonicalise(c, e), FY_OK);
                for (j = 0; j < U->n; j++)
                    if (strcmp(U->d[j].canon, c->canon) == 0)
                        break;
                assert_true(j < U->n);
                hits[j]++;
                fy_diagram_clear(c);
            }
            for (j = 0; j < U->n; j++)
            {
                fmpq_t m;
                fmpq_init(m);
                fmpq_set_si(m, hits[j], 1);
                assert_true(fmpq_equal(m, U->d[j].mult));
                fmpq_clear(m);
            }
            free(hits);
            fmpq_clear(w);
            fy_diagram_list_clear(L);
            fy_diagram_list_clear(U);
        }
}

static void test_mlp_refusals(void **state)
{
    fy_diagram_list_t L;
    fy_error_t e;
    fmpq_t q;
    fy_enum_params_t p;
    (void) state;
    fy_error_init(e);
    fmpq_init(q);
    fy_diagram_list_init(L);
    assert_int_equal(fy_enum_mlp_trees(L, 0, 2, e), FY_EINPUT);
    assert_int_equal(fy_enum_mlp_trees(L, 3, 0, e), FY_EINPUT);
    assert_int_equal(fy_enum_mlp_oracle(q, -1, 2, e), FY_EINPUT);
    assert_int_equal(fy_enum_mlp_trees(L, 40, 6, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "MiB"));
    assert_int_equal(fy_enum_mlp_labelled(L, 16, 4, e), FY_ENOMEM);
    assert_int_equal(L->n, 0);
    /* a tiny explicit limit refuses even a small order */
    fy_enum_params_init(p);
    p->order = 6;
    p->layers = 3;
    p->max_bytes = 1000;
    assert_int_equal(fy_enum_run(L, p, e), FY_ENOMEM);
    assert_int_equal(L->n, 0);
    /* lists are appended to */
    p->max_bytes = 0;
    assert_int_equal(fy_enum_run(L, p, e), FY_OK);
    assert_int_equal(fy_enum_run(L, p, e), FY_OK);
    assert_int_equal(L->n, 2 * 58);
    fy_diagram_list_clear(L);
    fmpq_clear(q);
}

/* ---- INN ---- */

static int count_kind(const fy_diagram_t d, int kind)
{
    int i, c = 0;
    for (i = 0; i < d->nv; i++)
        c += d->v[i].kind == kind;
    return c;
}

/* One layer: one diagram per number n of splits, mult C(m-n, n); m! / |Aut| = number of
 * partitions of m indices into singletons and n pairs; sums Fibonacci and involutions. */
static void test_inn_split(void **state)
{
    fy_error_t e;
    int m;
    long fib[20], inv[20], pairs[20][10];
    (void) state;
    fy_error_init(e);
    fib[0] = 0;
    fib[1] = 1;
    inv[0] = inv[1] = 1;
    for (m = 2; m < 20; m++)
    {
        fib[m] = fib[m - 1] + fib[m - 2];
        inv[m] = inv[m - 1] + (m - 1) * inv[m - 2];
    }
    /* pairs[m][n]: element m is a singleton or paired with one of the m - 1 others */
    memset(pairs, 0, sizeof pairs);
    pairs[0][0] = 1;
    for (m = 1; m < 20; m++)
    {
        int n;
        for (n = 0; n < 10; n++)
            pairs[m][n] = pairs[m - 1][n] + (m >= 2 && n >= 1 ? (m - 1) * pairs[m - 2][n - 1] : 0);
    }
    for (m = 1; m <= 10; m++)
    {
        fy_diagram_list_t L;
        fmpq_t w, o, lw;
        long i;
        int seen[10] = {0};
        fy_diagram_list_init(L);
        fmpq_init(w);
        fmpq_init(o);
        fmpq_init(lw);
        assert_int_equal(fy_enum_inn_split(L, m, e), FY_OK);
        assert_int_equal(L->n, m / 2 + 1);
        check_canonical(L);
        fmpq_zero(lw);
        for (i = 0; i < L->n; i++)
        {
            const fy_diagram_struct *d = L->d + i;
            int n = count_kind(d, FY_INN_SPLIT);
            fmpq_t g;
            assert_int_equal(d->nlegs, m);
            assert_int_equal(count_kind(d, FY_INN_ACTION), 1);
            assert_int_equal(d->v[d->root].kind, FY_INN_ACTION);
            assert_int_equal(d->v[d->root].valence, m - n);
            assert_int_equal(seen[n], 0);
            seen[n] = 1;
            assert_fmpq_si(d->mult, binom(m - n, n), 1);
            fmpq_init(g);
            fmpq_set_si(g, fact(m), 1);
            fmpq_div_fmpz(g, g, d->aut);
            assert_fmpq_si(g, pairs[m][n], 1);
            fmpq_add(lw, lw, g);
            fmpq_clear(g);
        }
        fy_diagram_list_weight(w, L);
        assert_fmpq_si(w, fib[m + 1], 1);
        assert_int_equal(fy_enum_inn_chain_oracle(o, m, 1, 1, m, e), FY_OK);
        assert_true(fmpq_equal(o, w));
        assert_fmpq_si(lw, inv[m], 1);
        assert_int_equal(fy_enum_inn_chain_labelled_oracle(o, m, 1, 1, m, e), FY_OK);
        assert_true(fmpq_equal(o, lw));
        fy_diagram_list_clear(L);
        fmpq_clear(w);
        fmpq_clear(o);
        fmpq_clear(lw);
    }
}

/* MATH.md 3.3: A'^(4) = A^(4) + 3 Sym[A^(3) G] + Sym[A^(2) G G]; A'^(3) = A^(3) + 2 Sym[A^(2) G];
 * from the Gaussian root A^(2) = -1/2: A^(3) = -Sym[G], A^(4) = -1/2 Sym[G G]. */
static void test_inn_math_md(void **state)
{
    fy_diagram_list_t L;
    fy_error_t e;
    fmpq_t c;
    long i;
    (void) state;
    fy_error_init(e);
    fmpq_init(c);
    fy_diagram_list_init(L);
    assert_int_equal(fy_enum_inn_split(L, 4, e), FY_OK);
    for (i = 0; i < L->n; i++)
    {
        int n = count_kind(L->d + i, FY_INN_SPLIT);
        assert_fmpq_si(L->d[i].mult, n == 0 ? 1 : n == 1 ? 3 : 1, 1);
    }
    fy_diagram_list_clear(L);
    assert_int_equal(fy_enum_inn_split(L, 3, e), FY_OK);
    for (i = 0; i < L->n; i++)
        assert_fmpq_si(L->d[i].mult, count_kind(L->d + i, FY_INN_SPLIT) == 0 ? 1 : 2, 1);
    fy_diagram_list_clear(L);
    assert_int_equal(fy_enum_inn_chain(L, 3, 1, 2, 2, e), FY_OK);
    assert_int_equal(L->n, 1);
    fmpq_set_si(c, -1, 2);
    fmpq_mul(c, c, L->d[0].mult);
    assert_fmpq_si(c, -1, 1);
    fy_diagram_list_clear(L);
    assert_int_equal(fy_enum_inn_chain(L, 4, 1, 2, 2, e), FY_OK);
    assert_int_equal(L->n, 1);
    fmpq_set_si(c, -1, 2);
    fmpq_mul(c, c, L->d[0].mult);
    assert_fmpq_si(c, -1, 2);
    fy_diagram_list_clear(L);
    fmpq_clear(c);
}

/* Brute force for chains: every leg-position-labelled expansion (each open leg, from layer j
 * on, passes all remaining layers or splits first at some layer j' >= j into two ordered
 * legs), built as a diagram, canonicalised and grouped: the classes must be the generator's
 * diagrams and the group sizes their A-convention coefficients. */
typedef struct
{
    fy_diagram_list_struct *classes;
    long *hits;
    int m, c;
    long total;
} brute_t;

static void brute_expand(brute_t *b, fy_diagram_t d, int *vert, int *from, int nopen)
{
    fy_error_t e;
    fy_diagram_t x;
    int v, j, j0, nv, nl, nlegs;
    fy_error_init(e);
    if (d->nlegs + nopen > b->m)
        return;
    if (nopen == 0)
    {
        long i;
        if (d->nlegs != b->m)
            return;
        fy_diagram_init(x, &fy_family_inn);
        fy_diagram_set(x, d);
        assert_int_equal(fy_diagram_canonicalise(x, e), FY_OK);
        for (i = 0; i < b->classes->n; i++)
            if (strcmp(b->classes->d[i].canon, x->canon) == 0)
                break;
        if (i == b->classes->n)
            fail_msg("brute-force expansion %s not generated", x->canon);
        b->hits[i]++;
        b->total++;
        fy_diagram_clear(x);
        return;
    }
    v = vert[nopen - 1];
    j0 = from[nopen - 1];
    nv = d->nv;
    nl = d->nl;
    nlegs = d->nlegs;
    /* pass every remaining layer: an external leg on v */
    assert_true(fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, FY_INN_INDEX, e) >= 0);
    brute_expand(b, d, vert, from, nopen - 1);
    d->nlegs = nlegs;
    d->v[v].valence--;
    /* or split first at layer j */
    for (j = j0; j <= b->c; j++)
    {
        int g = fy_diagram_add_vertex(d, FY_INN_SPLIT, j, e);
        assert_true(g >= 0 && fy_diagram_add_line(d, g, v, FY_INN_CONTRACTION, e) >= 0);
        vert[nopen - 1] = g;
        from[nopen - 1] = j + 1;
        vert[nopen] = g;
        from[nopen] = j + 1;
        brute_expand(b, d, vert, from, nopen + 1);
        d->nv = nv;
        d->nl = nl;
        d->nlegs = nlegs;
        d->v[v].valence--;
    }
    vert[nopen - 1] = v;
    from[nopen - 1] = j0;
}

static void test_inn_chain_brute(void **state)
{
    fy_error_t e;
    int c, k, m;
    (void) state;
    fy_error_init(e);
    for (c = 1; c <= 3; c++)
        for (k = 1; k <= 3; k++)
            for (m = k; m <= 7 && m <= k << c; m++)
            {
                fy_diagram_list_t L;
                fy_diagram_t d;
                brute_t b;
                int vert[64], from[64], i, root;
                fmpq_t w, o;
                fy_diagram_list_init(L);
                fmpq_init(w);
                fmpq_init(o);
                assert_int_equal(fy_enum_inn_chain(L, m, c, k, k, e), FY_OK);
                assert_true(L->n > 0);
                check_canonical(L);
                b.classes = L;
                b.hits = calloc((size_t) L->n, sizeof *b.hits);
                b.m = m;
                b.c = c;
                b.total = 0;
                fy_diagram_init(d, &fy_family_inn);
                root = fy_diagram_add_vertex(d, FY_INN_ACTION, 0, e);
                d->root = root;
                for (i = 0; i < k; i++)
                {
                    vert[i] = root;
                    from[i] = 1;
                }
                brute_expand(&b, d, vert, from, k);
                for (i = 0; i < L->n; i++)
                {
                    fmpq_t h;
                    fmpq_init(h);
                    fmpq_set_si(h, b.hits[i], 1);
                    if (!fmpq_equal(h, L->d[i].mult))
                        fail_msg("c=%d k=%d m=%d %s: %ld expansions, mult %s", c, k, m,
                                 L->d[i].canon, b.hits[i], fmpq_get_str(NULL, 10, L->d[i].mult));
                    fmpq_clear(h);
                }
                fy_diagram_list_weight(w, L);
                assert_int_equal(fy_enum_inn_chain_oracle(o, m, c, k, k, e), FY_OK);
                assert_true(fmpq_equal(w, o));
                assert_fmpq_si(o, b.total, 1);
                free(b.hits);
                fy_diagram_clear(d);
                fy_diagram_list_clear(L);
                fmpq_clear(w);
                fmpq_clear(o);
            }
}

/* Labelled oracle for chains: the sum of m!/|Aut| is the exponential-g.f. count. */
static void test_inn_chain_labelled(void **state)
{
    fy_error_t e;
    int c, m;
    (void) state;
    fy_error_init(e);
    for (c = 1; c <= 3; c++)
        for (m = 1; m <= 8; m++)
        {
            fy_diagram_list_t L;
            fmpq_t s, o;
            fmpz_t f;
            fy_diagram_list_init(L);
            fmpq_init(s);
            fmpq_init(o);
            fmpz_init(f);
            assert_int_equal(fy_enum_inn_chain(L, m, c, 1, m, e), FY_OK);
            fy_diagram_list_sym_sum(s, L);
            fmpz_fac_ui(f, (ulong) m);
            fmpq_mul_fmpz(s, s, f);
            assert_int_equal(fy_enum_inn_chain_labelled_oracle(o, m, c, 1, m, e), FY_OK);
            assert_true(fmpq_equal(s, o));
            fy_diagram_list_clear(L);
            fmpq_clear(s);
            fmpq_clear(o);
            fmpz_clear(f);
        }
}

/* The count without listing (Polya counting) against the listings' lengths. */
static void test_inn_chain_count(void **state)
{
    fy_error_t e;
    int c, m, kmin, kmax;
    (void) state;
    fy_error_init(e);
    for (c = 1; c <= 3; c++)
        for (m = 1; m <= 9; m++)
            for (kmin = 1; kmin <= 3; kmin++)
                for (kmax = kmin; kmax <= m + 1; kmax += 2)
                {
                    fy_diagram_list_t L;
                    fmpz_t n;
                    fy_diagram_list_init(L);
                    fmpz_init(n);
                    assert_int_equal(fy_enum_inn_chain(L, m, c, kmin, kmax, e), FY_OK);
                    assert_int_equal(fy_enum_inn_chain_count(n, m, c, kmin, kmax, e), FY_OK);
                    if (!fmpz_equal_si(n, L->n))
                        fail_msg("c=%d m=%d k=%d..%d: count %s, listing %ld", c, m, kmin, kmax,
                                 fmpz_get_str(NULL, 10, n), L->n);
                    fy_diagram_list_clear(L);
                    fmpz_clear(n);
                }
    /* one layer, all k: the split family */
    for (m = 1; m <= 10; m++)
    {
        fy_diagram_list_t L;
        fmpz_t n;
        fy_diagram_list_init(L);
        fmpz_init(n);
        assert_int_equal(fy_enum_inn_split(L, m, e), FY_OK);
        assert_int_equal(fy_enum_inn_chain_count(n, m, 1, (m + 1) / 2, m, e), FY_OK);
        assert_true(fmpz_equal_si(n, L->n));
        fy_diagram_list_clear(L);
        fmpz_clear(n);
    }
    {
        fmpz_t n;
        fmpz_init(n);
        assert_int_equal(fy_enum_inn_chain_count(n, 0, 1, 1, 1, e), FY_EINPUT);
        fmpz_clear(n);
    }
}

static void test_inn_logdet(void **state)
{
    fy_diagram_list_t L;
    fy_error_t e;
    fmpq_t w, o, t;
    long i;
    int K = 7;
    (void) state;
    fy_error_init(e);
    fy_diagram_list_init(L);
    fmpq_init(w);
    fmpq_init(o);
    fmpq_init(t);
    assert_int_equal(fy_enum_inn_logdet(L, K, e), FY_OK);
    assert_int_equal(L->n, K);
    check_canonical(L);
    fmpq_zero(t);
    for (i = 0; i < L->n; i++)
    {
        int n = L->d[i].nlegs;
        assert_int_equal(L->d[i].nv, 1);
        assert_int_equal(L->d[i].v[0].kind, FY_INN_LOGDET);
        assert_true(fmpz_equal_si(L->d[i].aut, fact(n)));
        /* ln(1 + y) = sum (-1)^(n+1) y^n / n with y = 2 gamma h */
        assert_fmpq_si(L->d[i].mult, (n % 2 ? 1 : -1) * (1L << n), n);
    }
    fy_diagram_list_weight(w, L);
    assert_int_equal(fy_enum_inn_logdet_oracle(o, K, e), FY_OK);
    assert_true(fmpq_equal(w, o));
    /* 2 - 2 + 8/3 - 4 + 32/5 - 32/3 + 128/7 */
    assert_fmpq_si(o, 2 * 105 - 2 * 105 + 280 - 420 + 672 - 1120 + 1920, 105);
    fy_diagram_list_clear(L);
    fmpq_clear(w);
    fmpq_clear(o);
    fmpq_clear(t);
}

/* ---- Born ---- */

/* MATH.md 2.3: square well U = -lambda on (0,1]: a_0 = -(lambda/3 + 2 lambda^2/15 +
 * 17 lambda^3/315 + 62 lambda^4/2835 + ...); the ladder convention (|Aut| = 2, counted once). */
static void test_born(void **state)
{
    static const long num[4] = {1, 2, 17, 62}, den[4] = {3, 15, 315, 2835};
    fy_error_t e;
    int n;
    (void) state;
    fy_error_init(e);
    for (n = 1; n <= 10; n++)
    {
        fy_diagram_list_t L;
        fmpq_t v, o, w;
        fy_enum_params_t p;
        int i, deg[16] = {0};
        const fy_diagram_struct *d;
        fy_diagram_list_init(L);
        fmpq_init(v);
        fmpq_init(o);
        fmpq_init(w);
        assert_int_equal(fy_enum_born_ladder(L, n, e), FY_OK);
        assert_int_equal(L->n, 1);
        check_canonical(L);
        d = L->d;
        assert_ptr_equal(d->family, &fy_family_born);
        assert_int_equal(d->nv, n);
        assert_int_equal(d->nl, n - 1);
        assert_int_equal(d->nlegs, 2);
        assert_true(fy_diagram_is_tree(d));
        for (i = 0; i < d->nl; i++)
        {
            deg[d->l[i].u]++;
            deg[d->l[i].v]++;
        }
        for (i = 0; i < n; i++)
            assert_true(deg[i] <= 2);
        assert_true(fmpz_equal_si(d->aut, 2));
        assert_fmpq_si(d->sym, 1, 2);
        assert_fmpq_si(d->mult, n % 2 ? 1 : -1, 1);
        assert_int_equal(fy_enum_born_unit_value(v, d, e), FY_OK);
        /* U = -lambda: a_0^(n) = mult (-1)^n I_n lambda^n */
        fmpq_mul(w, v, d->mult);
        if (n % 2)
            fmpq_neg(w, w);
        if (n <= 4)
            assert_fmpq_si(w, -num[n - 1], den[n - 1]);
        fy_enum_params_init(p);
        p->family = FY_ENUM_BORN;
        p->order = n;
        assert_int_equal(fy_enum_check(o, w, L, p, e), FY_OK);
        fy_diagram_list_clear(L);
        fmpq_clear(v);
        fmpq_clear(o);
        fmpq_clear(w);
    }
}

/* ---- generic entry points ---- */

static void test_generic(void **state)
{
    static const fy_enum_family_t fams[] = {FY_ENUM_MLP, FY_ENUM_MLP_LABELLED, FY_ENUM_INN_CHAIN,
                                            FY_ENUM_INN_SPLIT, FY_ENUM_INN_LOGDET, FY_ENUM_BORN};
    fy_error_t e;
    unsigned i;
    (void) state;
    fy_error_init(e);
    assert_string_equal(fy_family_mlp.theory, "mlp");
    assert_string_equal(fy_family_mlp.vertex_kind_names[FY_MLP_OUTPUT], "output");
    assert_string_equal(fy_family_inn.vertex_kind_names[FY_INN_SPLIT], "split");
    assert_string_equal(fy_family_born.leg_kind_names[FY_BORN_END], "end");
    assert_int_equal(fy_enum_family_from_name("nope"), -1);
    for (i = 0; i < sizeof fams / sizeof fams[0]; i++)
    {
        fy_enum_params_t p;
        fy_diagram_list_t L;
        fmpq_t o, w;
        assert_int_equal(fy_enum_family_from_name(fy_enum_family_name(fams[i])), (int) fams[i]);
        assert_non_null(fy_enum_family_descriptor(fams[i]));
        fy_enum_params_init(p);
        p->family = fams[i];
        p->order = 5;
        p->layers = 2;
        fy_diagram_list_init(L);
        fmpq_init(o);
        fmpq_init(w);
        assert_int_equal(fy_enum_run(L, p, e), FY_OK);
        assert_true(L->n > 0);
        assert_ptr_equal(L->d[0].family, fy_enum_family_descriptor(fams[i]));
        assert_int_equal(fy_enum_check(o, w, L, p, e), FY_OK);
        assert_true(fmpq_equal(o, w));
        /* a tampered list is caught */
        fmpq_add_si(L->d[0].mult, L->d[0].mult, 1);
        assert_int_equal(fy_enum_check(o, w, L, p, e), FY_ECHECK);
        assert_non_null(strstr(e->msg, "oracle"));
        fy_diagram_list_clear(L);
        fmpq_clear(o);
        fmpq_clear(w);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_mlp_tables),
    cmocka_unit_test(test_mlp_oracle_grid),
    cmocka_unit_test(test_mlp_order4),
    cmocka_unit_test(test_mlp_labelled),
    cmocka_unit_test(test_mlp_refusals),
    cmocka_unit_test(test_inn_split),
    cmocka_unit_test(test_inn_math_md),
    cmocka_unit_test(test_inn_chain_brute),
    cmocka_unit_test(test_inn_chain_labelled),
        cmocka_unit_test(test_inn_chain_count),
    cmocka_unit_test(test_inn_logdet),
    cmocka_unit_test(test_born),
    cmocka_unit_test(test_generic),
};

FY_TEST_MAIN("enumerate", tests)
