/* Tests of the series module: multi-index ranking (bijection, counting identities, closed
 * forms), symmetric tensors (dense round trip, contraction against a naive d^n loop written
 * here, comparisons against dense norms), truncated multivariate series (products against
 * FLINT's fmpq_mpoly, elementary functions against closed-form coefficients, Bernoulli
 * numbers and functional identities), ball containment of exact results and aliasing. */
#include <math.h>
#include <string.h>

#include <flint/arith.h>
#include <flint/fmpq_mpoly.h>
#include <flint/fmpq_vec.h>

#include "feynn/series.h"
#include "testutil.h"

static void rand_fmpq(fmpq_t q, uint64_t *st, slong lim, ulong dlim)
{
    slong p = (slong) (fy_test_rand(st) % (uint64_t) (2 * lim + 1)) - lim;
    ulong d = 1 + fy_test_rand(st) % dlim;
    fmpq_set_si(q, p, d);
}

/* ------------------------------------------------------------------ multi-indices */

static void test_multiindex_count(void **state)
{
    fy_error_t e;
    fmpz_t b;
    slong c, sum;
    int d, n, N;
    (void) state;

    fy_error_init(e);
    fmpz_init(b);
    for (d = 1; d <= 7; d++)
    {
        /* sum_{k<=N} C(d+k-1, k) = C(d+N, N), and enumeration count equals the formula */
        for (N = 0; N <= 8; N++)
        {
            int idx[16] = {0};
            slong seen = 0;
            sum = 0;
            for (n = 0; n <= N; n++)
            {
                assert_int_equal(fy_multiindex_count(&c, d, n, e), FY_OK);
                sum += c;
            }
            fmpz_bin_uiui(b, (ulong) (d + N), (ulong) N);
            assert_true(fmpz_equal_si(b, sum));
            do
                seen++;
            while (fy_multiindex_next(idx, d, N));
            assert_int_equal(fy_multiindex_count(&c, d, N, e), FY_OK);
            assert_int_equal(seen, c);
        }
        assert_int_equal(fy_multiindex_count(&c, d, 1, e), FY_OK);
        assert_int_equal(c, d);
    }
    assert_int_equal(fy_multiindex_count(&c, 1, 40, e), FY_OK);
    assert_int_equal(c, 1);
    assert_int_equal(fy_multiindex_count(&c, 1000, 1000, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "10^"));
    assert_int_equal(fy_multiindex_count(&c, 0, 3, e), FY_EINPUT);
    /* multinomials: (0,0,1,2,2,2) has 6!/(2! 1! 3!) = 60 orderings */
    {
        int idx[6] = {0, 0, 1, 2, 2, 2};
        fy_multiindex_multinomial(b, idx, 6);
        assert_true(fmpz_equal_si(b, 60));
        fy_multiindex_multinomial(b, idx, 0);
        assert_true(fmpz_is_one(b));
    }
    fmpz_clear(b);
}

static int lex_less(const int *a, const int *b, int n)
{
    int k;
    for (k = 0; k < n; k++)
        if (a[k] != b[k])
            return a[k] < b[k];
    return 0;
}

static void test_rank_unrank(void **state)
{
    uint64_t st = fy_test_seed("rank_unrank");
    fy_error_t e;
    int d, n, k;
    (void) state;

    fy_error_init(e);
    for (d = 1; d <= 6; d++)
        for (n = 0; n <= 6; n++)
        {
            fy_mindex_t ix;
            int idx[8] = {0}, prev[8], back[8];
            slong r = 0, c;
            assert_int_equal(fy_mindex_init(ix, d, n, e), FY_OK);
            fy_multiindex_count(&c, d, n, e);
            assert_int_equal(fy_mindex_count(ix, d, n), c);
            do
            {
                for (k = 1; k < n; k++)
                    assert_true(idx[k - 1] <= idx[k]);
                if (r > 0)
                    assert_true(lex_less(prev, idx, n));
                assert_int_equal(fy_mindex_rank(ix, idx, n), r);
                fy_mindex_unrank(ix, back, r, n);
                assert_memory_equal(back, idx, sizeof(int) * (size_t) n);
                memcpy(prev, idx, sizeof idx);
                r++;
            } while (fy_multiindex_next(idx, d, n));
            assert_int_equal(r, c);
            /* order 2 closed form: rank(i, j) = sum_{a<i} (d - a) + (j - i) */
            if (n == 2)
            {
                int i, j;
                for (i = 0; i < d; i++)
                    for (j = i; j < d; j++)
                    {
                        int t[2] = {i, j};
                        assert_int_equal(fy_mindex_rank(ix, t, 2),
                                         i * d - i * (i - 1) / 2 + (j - i));
                    }
            }
            fy_mindex_clear(ix);
        }
    /* without binomial tables (large dim): bijection and order on random tuples */
    {
        fy_mindex_t ix;
        enum { K = 3 }; /* C(100002, 3) fits; order 5 would not */
        int a[K], b[K], t[K], i;
        d = 100000;
        assert_int_equal(fy_mindex_init(ix, d, K, e), FY_OK);
        assert_null(ix->tab);
        for (i = 0; i < 2000; i++)
        {
            for (k = 0; k < K; k++)
            {
                a[k] = (int) (fy_test_rand(&st) % (uint64_t) d);
                b[k] = (int) (fy_test_rand(&st) % 3); /* many small values: ties */
            }
            for (k = 1; k < K; k++) /* sort by insertion */
            {
                int j, v = a[k], w = b[k];
                for (j = k; j > 0 && a[j - 1] > v; j--)
                    a[j] = a[j - 1];
                a[j] = v;
                for (j = k; j > 0 && b[j - 1] > w; j--)
                    b[j] = b[j - 1];
                b[j] = w;
            }
            fy_mindex_unrank(ix, t, fy_mindex_rank(ix, a, K), K);
            assert_memory_equal(t, a, sizeof a);
            assert_int_equal(lex_less(a, b, K),
                             fy_mindex_rank(ix, a, K) < fy_mindex_rank(ix, b, K));
        }
        /* the last tuple has rank count - 1 */
        for (k = 0; k < K; k++)
            a[k] = d - 1;
        assert_int_equal(fy_mindex_rank(ix, a, K) + 1, fy_mindex_count(ix, d, K));
        fy_mindex_clear(ix);
    }
}

/* ------------------------------------------------------------------ symmetric tensors */

/* A symmetric function of the tuple t: depends only on the multiplicities c_v. */
static void sym_value(fmpq_t q, const int *t, int n, int d)
{
    int c[16] = {0}, v, k;
    slong num = 1, den = 1;
    for (k = 0; k < n; k++)
        c[t[k]]++;
    for (v = 0; v < d; v++)
    {
        num = num * (v + 2) + 7 * c[v] * c[v] - 3 * v * c[v];
        den += (v + 1) * c[v];
    }
    fmpq_set_si(q, num, (ulong) den);
}

/* Dense index of a tuple, row-major. */
static slong dpos(const int *t, int n, int d)
{
    slong L = 0;
    int k;
    for (k = 0; k < n; k++)
        L = L * d + t[k];
    return L;
}

static int odometer(int *t, int n, int d)
{
    int k;
    for (k = n - 1; k >= 0; k--)
    {
        if (++t[k] < d)
            return 1;
        t[k] = 0;
    }
    return 0;
}

static void test_symtensor_dense_roundtrip(void **state)
{
    fy_error_t e;
    fy_numvec_t D, D2;
    fy_symtensor_t T;
    int d = 3, n = 4, t[8] = {0}, idx[8] = {0};
    fmpq_t q;
    slong r;
    (void) state;

    fy_error_init(e);
    fmpq_init(q);
    assert_int_equal(fy_numvec_init(D, FY_ARITH_EXACT, 81, 0, e), FY_OK);
    do
        sym_value(fy_numvec_fmpq(D) + dpos(t, n, d), t, n, d);
    while (odometer(t, n, d));
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_symtensor_from_dense(T, D, d, n, 0, e), FY_OK);
    assert_int_equal(T->e.arith, FY_ARITH_EXACT);
    assert_int_equal(fy_symtensor_len(T), 15); /* C(6, 4) */
    r = 0;
    do
    {
        sym_value(q, idx, n, d);
        assert_true(fmpq_equal(q, fy_numvec_fmpq(&T->e) + r));
        r++;
    } while (fy_multiindex_next(idx, d, n));
    /* entry access by any permutation of the indices */
    {
        int u[4] = {2, 0, 1, 0}, s[4] = {0, 0, 1, 2};
        assert_ptr_equal(fy_symtensor_entry_fmpq(T, u), fy_symtensor_entry_fmpq(T, s));
        sym_value(q, u, n, d);
        assert_true(fmpq_equal(q, fy_symtensor_entry_fmpq(T, u)));
        u[0] = 3;
        assert_null(fy_symtensor_entry_fmpq(T, u));
        assert_int_equal(fy_symtensor_set_si(T, u, 1, e), FY_EINPUT);
        assert_null(fy_symtensor_entry_d(T, s));
    }
    fy_numvec_init_empty(D2);
    assert_int_equal(fy_symtensor_to_dense(D2, T, e), FY_OK);
    assert_int_equal(D2->len, 81);
    assert_true(fy_numvec_max_abs_diff(D, D2) == 0.0);

    /* an asymmetric entry is found and named */
    fmpq_add_si(fy_numvec_fmpq(D) + 1 * 27 + 0 * 9 + 2 * 3 + 0, fy_numvec_fmpq(D) + 33, 1);
    assert_int_equal(fy_symtensor_from_dense(T, D, d, n, 0, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "(1,0,2,0)"));
    assert_non_null(strstr(e->msg, "(0,0,1,2)"));
    assert_int_equal(fy_symtensor_from_dense(T, D, d, 5, 0, e), FY_EINPUT); /* wrong length */

    /* doubles: within the tolerance accepted, beyond refused; balls: overlap needed */
    {
        fy_numvec_t Dd;
        fy_numvec_init_empty(Dd);
        fy_numvec_convert(Dd, FY_ARITH_DOUBLE, 0, D2, e);
        fy_numvec_d(Dd)[33] *= 1 + 1e-14;
        assert_int_equal(fy_symtensor_from_dense(T, Dd, d, n, 1e-12, e), FY_OK);
        assert_int_equal(fy_symtensor_from_dense(T, Dd, d, n, 1e-16, e), FY_EINPUT);
        fy_numvec_convert(Dd, FY_ARITH_BALL, 64, D2, e);
        arb_add_error_2exp_si(fy_numvec_arb(Dd) + 33, -40);
        arb_add_si(fy_numvec_arb(Dd) + 33, fy_numvec_arb(Dd) + 33, 0, 64);
        assert_int_equal(fy_symtensor_from_dense(T, Dd, d, n, 0, e), FY_OK);
        arb_add_si(fy_numvec_arb(Dd) + 33, fy_numvec_arb(Dd) + 33, 1, 64);
        assert_int_equal(fy_symtensor_from_dense(T, Dd, d, n, 0, e), FY_EINPUT);
        fy_numvec_clear(Dd);
    }
    fy_numvec_clear(D);
    fy_numvec_clear(D2);
    fy_symtensor_clear(T);
    fmpq_clear(q);
}

static void test_symtensor_refuse_huge(void **state)
{
    fy_error_t e;
    fy_symtensor_t T;
    fy_numvec_t D;
    (void) state;
    fy_error_init(e);
    assert_int_equal(fy_symtensor_init(T, FY_ARITH_EXACT, 1000, 10, 0, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "10^"));
    fy_symtensor_clear(T);
    assert_int_equal(fy_symtensor_init(T, FY_ARITH_BALL, 300, 6, 64, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "GiB"));
    assert_non_null(strstr(e->msg, "order 6 in 300 dimensions"));
    fy_symtensor_clear(T);
    /* the symmetric storage fits; its dense form (10^12 entries) is refused */
    assert_int_equal(fy_symtensor_init(T, FY_ARITH_DOUBLE, 10, 12, 0, e), FY_OK);
    assert_int_equal(fy_symtensor_len(T), 293930);
    fy_numvec_init_empty(D);
    assert_int_equal(fy_symtensor_to_dense(D, T, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "dense"));
    fy_numvec_clear(D);
    fy_symtensor_clear(T);
}

/* Random exact symmetric tensor and vector. */
static void rand_symtensor(fy_symtensor_t T, uint64_t *st)
{
    slong i;
    for (i = 0; i < fy_symtensor_len(T); i++)
        rand_fmpq(fy_numvec_fmpq(&T->e) + i, st, 30, 9);
}

static void test_symtensor_contract(void **state)
{
    uint64_t st = fy_test_seed("symtensor_contract");
    static const int shapes[][2] = {{1, 3}, {2, 5}, {3, 4}, {4, 3}, {3, 0}, {5, 2}};
    fy_error_t e;
    size_t s;
    (void) state;

    fy_error_init(e);
    for (s = 0; s < sizeof shapes / sizeof *shapes; s++)
    {
        int d = shapes[s][0], n = shapes[s][1], keep;
        fy_symtensor_t T, Tb, Td, out, outb, outd;
        fy_numvec_t h, hb, hd, D;
        fmpq_t acc, prod;
        int t[8];

        fmpq_init(acc);
        fmpq_init(prod);
        fy_symtensor_init(T, FY_ARITH_EXACT, d, n, 0, e);
        rand_symtensor(T, &st);
        fy_numvec_init(h, FY_ARITH_EXACT, d, 0, e);
        for (keep = 0; keep < d; keep++)
            rand_fmpq(fy_numvec_fmpq(h) + keep, &st, 10, 5);
        fy_numvec_init_empty(D);
        assert_int_equal(fy_symtensor_to_dense(D, T, e), FY_OK);
        fy_symtensor_init_empty(Tb);
        fy_symtensor_init_empty(Td);
        fy_numvec_init_empty(hb);
        fy_numvec_init_empty(hd);
        /* random working precisions (issue 9) instead of a fixed 64 bits */
        fy_symtensor_convert(Tb, FY_ARITH_BALL, fy_randtest_range(&st, 32, 512), T, e);
        fy_symtensor_convert(Td, FY_ARITH_DOUBLE, 0, T, e);
        fy_numvec_convert(hb, FY_ARITH_BALL, fy_randtest_range(&st, 32, 512), h, e);
        fy_numvec_convert(hd, FY_ARITH_DOUBLE, 0, h, e);
        fy_symtensor_init_empty(out);
        fy_symtensor_init_empty(outb);
        fy_symtensor_init_empty(outd);

        for (keep = 0; keep <= n; keep++)
        {
            int J[8] = {0}, m = n - keep, k;
            slong j = 0;
            fy_symtensor_t exact_out;
            assert_int_equal(fy_symtensor_contract(out, T, h, keep, e), FY_OK);
            assert_int_equal(fy_symtensor_contract(outb, Tb, hb, keep, e), FY_OK);
            assert_int_equal(fy_symtensor_contract(outd, Td, hd, keep, e), FY_OK);
            assert_int_equal(out->order, keep);
            /* naive: out_J = sum over all d^m tuples t of D[J, t] prod h_t */
            do
            {
                fmpq_zero(acc);
                memset(t, 0, sizeof t);
                do
                {
                    int full[8];
                    slong L;
                    memcpy(full, J, sizeof(int) * (size_t) keep);
                    memcpy(full + keep, t, sizeof(int) * (size_t) m);
                    L = dpos(full, n, d);
                    fmpq_one(prod);
                    for (k = 0; k < m; k++)
                        fmpq_mul(prod, prod, fy_numvec_fmpq(h) + t[k]);
                    fmpq_addmul(acc, prod, fy_numvec_fmpq(D) + L);
                } while (odometer(t, m, d));
                if (!fmpq_equal(acc, fy_numvec_fmpq(&out->e) + j))
                    fail_msg("d %d n %d keep %d: entry %ld differs from the dense loop", d, n,
                             keep, (long) j);
                j++;
            } while (fy_multiindex_next(J, d, keep));
            assert_int_equal(j, fy_symtensor_len(out));
            assert_true(fy_symtensor_contains(outb, out));
            assert_true(fy_symtensor_rel_frobenius(outd, out) < 1e-13);
            /* aliasing: T2 = contract(T2, ...) */
            fy_symtensor_init(exact_out, FY_ARITH_EXACT, d, n, 0, e);
            fy_symtensor_convert(exact_out, FY_ARITH_EXACT, 0, T, e);
            assert_int_equal(fy_symtensor_contract(exact_out, exact_out, h, keep, e), FY_OK);
            assert_true(fy_symtensor_max_abs_diff(exact_out, out) == 0.0);
            fy_symtensor_clear(exact_out);
        }
        /* contracting in two steps equals contracting at once */
        if (n >= 2)
        {
            fy_symtensor_t a;
            fy_symtensor_init_empty(a);
            fy_symtensor_contract(a, T, h, n - 1, e);
            fy_symtensor_contract(a, a, h, 0, e);
            fy_symtensor_contract(out, T, h, 0, e);
            assert_true(fmpq_equal(fy_numvec_fmpq(&a->e), fy_numvec_fmpq(&out->e)));
            fy_symtensor_clear(a);
        }
        assert_int_equal(fy_symtensor_contract(out, T, h, n + 1, e), FY_EINPUT);
        assert_int_equal(fy_symtensor_contract(out, T, hb, 0, e), FY_EINPUT);
        fy_symtensor_clear(T);
        fy_symtensor_clear(Tb);
        fy_symtensor_clear(Td);
        fy_symtensor_clear(out);
        fy_symtensor_clear(outb);
        fy_symtensor_clear(outd);
        fy_numvec_clear(h);
        fy_numvec_clear(hb);
        fy_numvec_clear(hd);
        fy_numvec_clear(D);
        fmpq_clear(acc);
        fmpq_clear(prod);
    }
}

static void test_symtensor_ops_compare(void **state)
{
    uint64_t st = fy_test_seed("symtensor_ops_compare");
    fy_error_t e;
    fy_symtensor_t x, y, z, xb, yb, xd;
    fy_numvec_t Dx, Dy;
    fmpq_t c, t;
    fmpq *want;
    slong i, n;
    int d = 3, order = 3;
    (void) state;

    fy_error_init(e);
    fmpq_init(c);
    fmpq_init(t);
    fy_symtensor_init(x, FY_ARITH_EXACT, d, order, 0, e);
    fy_symtensor_init(y, FY_ARITH_EXACT, d, order, 0, e);
    fy_symtensor_init(z, FY_ARITH_BALL, 2, 2, 64, e); /* other shape: re-made */
    fy_symtensor_init_empty(xb);
    fy_symtensor_init_empty(yb);
    fy_symtensor_init_empty(xd);
    rand_symtensor(x, &st);
    rand_symtensor(y, &st);
    n = fy_symtensor_len(x);
    want = _fmpq_vec_init(n);
    rand_fmpq(c, &st, 20, 7);
    fy_symtensor_convert(xb, FY_ARITH_BALL, 60, x, e);
    fy_symtensor_convert(yb, FY_ARITH_BALL, 60, y, e);

    assert_int_equal(fy_symtensor_add(z, x, y, e), FY_OK);
    for (i = 0; i < n; i++)
    {
        fmpq_add(t, fy_numvec_fmpq(&x->e) + i, fy_numvec_fmpq(&y->e) + i);
        assert_true(fmpq_equal(t, fy_numvec_fmpq(&z->e) + i));
        fmpq_sub(want + i, fy_numvec_fmpq(&x->e) + i, fy_numvec_fmpq(&y->e) + i);
        fmpq_mul(want + i, want + i, c);
    }
    /* x = c (x - y), in place, in exact and ball */
    assert_int_equal(fy_symtensor_sub(x, x, y, e), FY_OK);
    assert_int_equal(fy_symtensor_scale_fmpq(x, x, c, e), FY_OK);
    assert_int_equal(fy_symtensor_sub(xb, xb, yb, e), FY_OK);
    assert_int_equal(fy_symtensor_scale_fmpq(xb, xb, c, e), FY_OK);
    for (i = 0; i < n; i++)
        assert_true(fmpq_equal(want + i, fy_numvec_fmpq(&x->e) + i));
    assert_true(fy_symtensor_contains(xb, x));
    assert_false(fy_symtensor_contains(xb, y));
    assert_int_equal(fy_symtensor_add(y, y, y, e), FY_OK); /* y = 2y */

    /* comparisons vs the dense tensors, computed naively here in double */
    fy_symtensor_convert(xd, FY_ARITH_DOUBLE, 0, x, e);
    fy_numvec_init_empty(Dx);
    fy_numvec_init_empty(Dy);
    fy_symtensor_to_dense(Dx, xd, e);
    {
        fy_symtensor_t yd;
        double num = 0, den = 0, mx = 0;
        fy_symtensor_init_empty(yd);
        fy_symtensor_convert(yd, FY_ARITH_DOUBLE, 0, y, e);
        fy_symtensor_to_dense(Dy, yd, e);
        for (i = 0; i < Dx->len; i++)
        {
            double a = fy_numvec_d(Dx)[i], b = fy_numvec_d(Dy)[i];
            num += (a - b) * (a - b);
            den += b * b;
            mx = fmax(mx, fabs(a - b));
        }
        assert_true(fabs(fy_symtensor_rel_frobenius(x, y) - sqrt(num / den)) <
                    1e-12 * sqrt(num / den));
        assert_true(fabs(fy_symtensor_rel_frobenius(xd, yd) - sqrt(num / den)) <
                    1e-12 * sqrt(num / den));
        assert_true(fabs(fy_symtensor_max_abs_diff(x, y) - mx) <= 1e-12 * mx);
        assert_true(fy_symtensor_rel_frobenius(x, x) == 0.0);
        assert_true(fy_symtensor_max_abs_diff(xd, x) <= 1e-14 * mx);
        fy_symtensor_clear(yd);
    }
    /* mismatched shapes */
    {
        fy_symtensor_t w;
        fy_symtensor_init(w, FY_ARITH_EXACT, d, order + 1, 0, e);
        assert_int_equal(fy_symtensor_add(z, x, w, e), FY_EINPUT);
        assert_true(isnan(fy_symtensor_max_abs_diff(x, w)));
        assert_int_equal(fy_symtensor_add(z, x, xb, e), FY_EINPUT); /* arithmetics */
        fy_symtensor_clear(w);
    }
    _fmpq_vec_clear(want, n);
    fy_numvec_clear(Dx);
    fy_numvec_clear(Dy);
    fy_symtensor_clear(x);
    fy_symtensor_clear(y);
    fy_symtensor_clear(z);
    fy_symtensor_clear(xb);
    fy_symtensor_clear(yb);
    fy_symtensor_clear(xd);
    fmpq_clear(c);
    fmpq_clear(t);
}

/* ------------------------------------------------------------------ series */

/* Random exact series; constant term zero when zero_const. */
static void rand_mseries(fy_mseries_t s, uint64_t *st, int zero_const, int sparse)
{
    slong i;
    for (i = 0; i < fy_mseries_len(s); i++)
    {
        if (sparse && fy_test_rand(st) % 3 == 0)
            fmpq_zero(fy_numvec_fmpq(&s->c) + i);
        else
            rand_fmpq(fy_numvec_fmpq(&s->c) + i, st, 9, 6);
    }
    if (zero_const)
        fmpq_zero(fy_numvec_fmpq(&s->c));
}

static void mseries_to_mpoly(fmpq_mpoly_t p, const fy_mseries_t s, const fmpq_mpoly_ctx_t ctx)
{
    ulong ex[8];
    int exps[8], v;
    slong i;
    fmpq_mpoly_zero(p, ctx);
    for (i = 0; i < fy_mseries_len(s); i++)
    {
        fy_mseries_monomial(exps, s, i);
        for (v = 0; v < s->nvars; v++)
            ex[v] = (ulong) exps[v];
        fmpq_mpoly_set_coeff_fmpq_ui(p, fy_numvec_fmpq(&s->c) + i, ex, ctx);
    }
}

static void test_mseries_index(void **state)
{
    fy_error_t e;
    fy_mseries_t s;
    int nv, deg, exps[4], back[4], v;
    slong i, c;
    (void) state;
    fy_error_init(e);
    for (nv = 1; nv <= 4; nv++)
        for (deg = 0; deg <= 5; deg++)
        {
            fmpz_t b;
            int prevdeg = 0;
            assert_int_equal(fy_mseries_init(s, FY_ARITH_EXACT, nv, deg, 0, e), FY_OK);
            fmpz_init(b);
            fmpz_bin_uiui(b, (ulong) (nv + deg), (ulong) deg);
            assert_true(fmpz_equal_si(b, fy_mseries_len(s)));
            fmpz_clear(b);
            for (i = 0; i < fy_mseries_len(s); i++)
            {
                int tot = 0;
                fy_mseries_monomial(exps, s, i);
                for (v = 0; v < nv; v++)
                    tot += exps[v];
                assert_true(tot >= prevdeg && tot <= deg); /* graded */
                prevdeg = tot;
                assert_int_equal(fy_mseries_index(s, exps), i);
                memcpy(back, exps, sizeof back);
            }
            exps[0] = deg + 1;
            for (v = 1; v < nv; v++)
                exps[v] = 0;
            assert_int_equal(fy_mseries_index(s, exps), -1);
            exps[0] = -1;
            assert_int_equal(fy_mseries_index(s, exps), -1);
            assert_int_equal(fy_mseries_set_si(s, exps, 1, e), FY_EINPUT);
            fy_mseries_clear(s);
        }
    /* univariate: coefficient k at position k */
    fy_mseries_init(s, FY_ARITH_DOUBLE, 1, 9, 0, e);
    for (i = 0; i <= 9; i++)
    {
        int k = (int) i;
        assert_int_equal(fy_mseries_index(s, &k), i);
    }
    fy_mseries_clear(s);
    assert_int_equal(fy_multiindex_count(&c, 3, 2, e), FY_OK);
    assert_int_equal(fy_mseries_init(s, FY_ARITH_EXACT, 100000, 100000, 0, e), FY_ENOMEM);
    fy_mseries_clear(s);
}

/* The number of sorted tuples i1 <= ... <= in over 0..d-1, counted by walking them with
 * fy_multiindex_next (independent of the closed form C(d+n-1, n) used by the tensors). */
static slong count_sorted(int d, int n)
{
    int idx[16] = {0};
    slong c = 1;
    while (fy_multiindex_next(idx, d, n))
        c++;
    return c;
}

/* api (issue 9): init that cannot fail (fy_symtensor_init_empty, fy_mseries_init_empty) and
 * the shape afterwards (fy_*_set_shape): to each arithmetic and back, storage reused for the
 * same shape, an empty object as an output, refusals leaving an empty object. */
static void test_series_init_empty_set_shape(void **state)
{
    fy_error_t e;
    fy_symtensor_t T, X, Y;
    fy_mseries_t s, x;
    void *p;
    int idx[3] = {0, 2, 1}, exps[2] = {1, 0}, zero2[2] = {0, 0}, two0[2] = {2, 0};
    (void) state;
    fy_error_init(e);
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_symtensor_len(T), 0);
    assert_int_equal(fy_symtensor_index(T, idx), -1); /* no entry to point at */
    assert_null(fy_symtensor_entry_d(T, idx));
    fy_symtensor_clear(T);
    fy_symtensor_clear(T);
    fy_symtensor_init_empty(T);
    /* each arithmetic; the length is the number of sorted tuples */
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_EXACT, 3, 3, 0, e), FY_OK);
    assert_int_equal(fy_symtensor_len(T), count_sorted(3, 3));
    assert_int_equal(fy_symtensor_set_si(T, idx, 4, e), FY_OK);
    assert_true(fmpq_equal_si(fy_symtensor_entry_fmpq(T, idx), 4));
    p = T->e.v;
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_EXACT, 3, 3, 0, e), FY_OK);
    assert_ptr_equal(T->e.v, p); /* reused, and zero again */
    assert_true(fmpq_is_zero(fy_symtensor_entry_fmpq(T, idx)));
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_BALL, 4, 2, 80, e), FY_OK);
    assert_int_equal(fy_symtensor_len(T), count_sorted(4, 2));
    assert_int_equal(T->e.prec, 80);
    assert_null(fy_symtensor_entry_fmpq(T, idx));
    assert_true(arb_is_zero(fy_symtensor_entry_arb(T, idx)));
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_DOUBLE, 2, 5, 53, e), FY_OK);
    assert_int_equal(fy_symtensor_len(T), count_sorted(2, 5));
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_EXACT, 3, 3, 0, e), FY_OK);
    assert_int_equal(fy_symtensor_len(T), count_sorted(3, 3));
    /* an empty tensor as the output of add: re-made to the inputs' shape */
    fy_symtensor_init_empty(X);
    fy_symtensor_init_empty(Y);
    assert_int_equal(fy_symtensor_set_si(T, idx, 2, e), FY_OK);
    assert_int_equal(fy_symtensor_add(X, T, T, e), FY_OK);
    assert_int_equal(X->dim, 3);
    assert_int_equal(X->order, 3);
    assert_true(fmpq_equal_si(fy_symtensor_entry_fmpq(X, idx), 4));
    /* adding an empty tensor is refused, not read */
    assert_int_not_equal(fy_symtensor_add(X, T, Y, e), FY_OK);
    /* refusals: the tensor is left empty */
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_EXACT, 0, 2, 0, e), FY_EINPUT);
    assert_int_equal(fy_symtensor_len(T), 0);
    assert_int_equal(fy_symtensor_index(T, idx), -1);
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_EXACT, 2, -1, 0, e), FY_EINPUT);
    fy_memory_limit_set(4096);
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_DOUBLE, 3, 3, 53, e), FY_OK);
    assert_int_equal(fy_symtensor_set_shape(T, FY_ARITH_DOUBLE, 30, 3, 53, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "order 3 in 30 dimensions"));
    assert_int_equal(fy_symtensor_len(T), 0);
    assert_null(T->e.v);
    fy_memory_limit_set(0);
    fy_symtensor_clear(T);
    fy_symtensor_clear(X);
    fy_symtensor_clear(Y);

    /* series: (1 + x0)^2 = 1 + 2 x0 + x0^2 into an empty output */
    fy_mseries_init_empty(s);
    fy_mseries_init_empty(x);
    assert_int_equal(fy_mseries_len(s), 0);
    assert_int_equal(fy_mseries_index(s, zero2), -1);
    fy_mseries_clear(s);
    fy_mseries_init_empty(s);
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_EXACT, 2, 3, 0, e), FY_OK);
    assert_int_equal(fy_mseries_len(x), count_sorted(3, 3)); /* C(2+3, 3) monomials */
    assert_int_equal(fy_mseries_set_si(x, zero2, 1, e), FY_OK);
    assert_int_equal(fy_mseries_set_si(x, exps, 1, e), FY_OK);
    assert_int_equal(fy_mseries_mul(s, x, x, e), FY_OK);
    assert_true(fmpq_equal_si(fy_numvec_fmpq(&s->c) + fy_mseries_index(s, zero2), 1));
    assert_true(fmpq_equal_si(fy_numvec_fmpq(&s->c) + fy_mseries_index(s, exps), 2));
    assert_true(fmpq_equal_si(fy_numvec_fmpq(&s->c) + fy_mseries_index(s, two0), 1));
    p = x->c.v;
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_EXACT, 2, 3, 0, e), FY_OK);
    assert_ptr_equal(x->c.v, p);
    assert_true(fmpq_is_zero(fy_numvec_fmpq(&x->c) + fy_mseries_index(x, zero2)));
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_BALL, 1, 4, 64, e), FY_OK);
    assert_int_equal(fy_mseries_len(x), 5);
    assert_true(arb_is_zero(fy_numvec_arb(&x->c) + 4));
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_DOUBLE, 1, 4, 53, e), FY_OK);
    assert_true(fy_numvec_d(&x->c)[4] == 0.0);
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_EXACT, 2, 3, 0, e), FY_OK);
    assert_int_equal(fy_mseries_len(x), 10);
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_EXACT, 0, 3, 0, e), FY_EINPUT);
    assert_int_equal(fy_mseries_len(x), 0);
    assert_int_equal(fy_mseries_index(x, zero2), -1);
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_EXACT, 100000, 100000, 0, e), FY_ENOMEM);
    assert_int_equal(fy_mseries_len(x), 0);
    fy_memory_limit_set(4096);
    assert_int_equal(fy_mseries_set_shape(x, FY_ARITH_DOUBLE, 3, 20, 53, e), FY_ENOMEM);
    assert_non_null(strstr(e->msg, "GiB"));
    assert_null(x->c.v);
    fy_memory_limit_set(0);
    fy_mseries_clear(x);
    fy_mseries_clear(x);
    fy_mseries_clear(s);
}

static void test_mseries_mul_vs_mpoly(void **state)
{
    uint64_t st = fy_test_seed("mseries_mul_vs_mpoly");
    static const int shapes[][2] = {{1, 9}, {2, 6}, {3, 5}, {4, 3}};
    fy_error_t e;
    size_t sh;
    (void) state;

    fy_error_init(e);
    for (sh = 0; sh < sizeof shapes / sizeof *shapes; sh++)
    {
        int nv = shapes[sh][0], deg = shapes[sh][1], rep;
        for (rep = 0; rep < 5; rep++)
        {
            fy_mseries_t x, y, z, xb, yb, zb, xd, yd, zd;
            fmpq_mpoly_ctx_t ctx;
            fmpq_mpoly_t px, py, pz;
            fmpq_t coef;
            ulong ex[8];
            int exps[8], v;
            slong i;

            fmpq_mpoly_ctx_init(ctx, nv, ORD_DEGLEX);
            fmpq_mpoly_init(px, ctx);
            fmpq_mpoly_init(py, ctx);
            fmpq_mpoly_init(pz, ctx);
            fmpq_init(coef);
            fy_mseries_init(x, FY_ARITH_EXACT, nv, deg, 0, e);
            fy_mseries_init(y, FY_ARITH_EXACT, nv, deg, 0, e);
            fy_mseries_init(z, FY_ARITH_EXACT, nv, deg, 0, e);
            rand_mseries(x, &st, 0, 1);
            rand_mseries(y, &st, 0, 1);
            mseries_to_mpoly(px, x, ctx);
            mseries_to_mpoly(py, y, ctx);
            fmpq_mpoly_mul(pz, px, py, ctx);
            assert_int_equal(fy_mseries_mul(z, x, y, e), FY_OK);
            for (i = 0; i < fy_mseries_len(z); i++)
            {
                fy_mseries_monomial(exps, z, i);
                for (v = 0; v < nv; v++)
                    ex[v] = (ulong) exps[v];
                fmpq_mpoly_get_coeff_fmpq_ui(coef, pz, ex, ctx);
                if (!fmpq_equal(coef, fy_numvec_fmpq(&z->c) + i))
                    fail_msg("nvars %d deg %d: coefficient %ld differs from fmpq_mpoly", nv, deg,
                             (long) i);
            }
            /* ball and double on the same inputs */
            fy_mseries_init_empty(xb);
            fy_mseries_init_empty(yb);
            fy_mseries_init_empty(zb);
            fy_mseries_init_empty(xd);
            fy_mseries_init_empty(yd);
            fy_mseries_init_empty(zd);
            fy_mseries_convert(xb, FY_ARITH_BALL, 53, x, e);
            fy_mseries_convert(yb, FY_ARITH_BALL, 53, y, e);
            fy_mseries_convert(xd, FY_ARITH_DOUBLE, 0, x, e);
            fy_mseries_convert(yd, FY_ARITH_DOUBLE, 0, y, e);
            assert_int_equal(fy_mseries_mul(zb, xb, yb, e), FY_OK);
            assert_int_equal(fy_mseries_mul(zd, xd, yd, e), FY_OK);
            assert_true(fy_numvec_contains(&zb->c, &z->c));
            assert_true(fy_numvec_max_abs_diff(&zd->c, &z->c) < 1e-12);
            /* aliasing: x = x * y, y = y * y */
            assert_int_equal(fy_mseries_mul(x, x, y, e), FY_OK);
            assert_true(fy_numvec_max_abs_diff(&x->c, &z->c) == 0.0);
            assert_int_equal(fy_mseries_mul(xb, xb, yb, e), FY_OK);
            assert_true(fy_numvec_contains(&xb->c, &z->c));
            fmpq_mpoly_mul(pz, py, py, ctx);
            assert_int_equal(fy_mseries_mul(y, y, y, e), FY_OK);
            for (i = 0; i < fy_mseries_len(y); i++)
            {
                fy_mseries_monomial(exps, y, i);
                for (v = 0; v < nv; v++)
                    ex[v] = (ulong) exps[v];
                fmpq_mpoly_get_coeff_fmpq_ui(coef, pz, ex, ctx);
                assert_true(fmpq_equal(coef, fy_numvec_fmpq(&y->c) + i));
            }
            /* add/sub/scale round trip: (x + y) - y == x, 2x/2 == x, in place */
            fy_mseries_convert(z, FY_ARITH_EXACT, 0, x, e);
            assert_int_equal(fy_mseries_add(x, x, y, e), FY_OK);
            assert_int_equal(fy_mseries_sub(x, x, y, e), FY_OK);
            fmpq_set_si(coef, 2, 1);
            assert_int_equal(fy_mseries_scale_fmpq(x, x, coef, e), FY_OK);
            fmpq_set_si(coef, 1, 2);
            assert_int_equal(fy_mseries_scale_fmpq(x, x, coef, e), FY_OK);
            assert_true(fy_numvec_max_abs_diff(&x->c, &z->c) == 0.0);
            assert_int_equal(fy_mseries_add(x, x, yb, e), FY_EINPUT);

            fy_mseries_clear(x);
            fy_mseries_clear(y);
            fy_mseries_clear(z);
            fy_mseries_clear(xb);
            fy_mseries_clear(yb);
            fy_mseries_clear(zb);
            fy_mseries_clear(xd);
            fy_mseries_clear(yd);
            fy_mseries_clear(zd);
            fmpq_mpoly_clear(px, ctx);
            fmpq_mpoly_clear(py, ctx);
            fmpq_mpoly_clear(pz, ctx);
            fmpq_mpoly_ctx_clear(ctx);
            fmpq_clear(coef);
        }
    }
}

/* x as a univariate exact series to degree N (scaled by a). */
static void uni_x(fy_mseries_t s, slong p, ulong q, int N, fy_error_t e)
{
    fmpq_t a;
    int one = 1;
    fmpq_init(a);
    fmpq_set_si(a, p, q);
    fy_mseries_init(s, FY_ARITH_EXACT, 1, N, 0, e);
    fy_mseries_set_fmpq(s, &one, a, e);
    fmpq_clear(a);
}

static void test_useries_closed_forms(void **state)
{
    fy_error_t e;
    fy_mseries_t x, z, s, c;
    fmpq_t want, t;
    fmpz_t f;
    int N = 20, k;
    (void) state;

    fy_error_init(e);
    fmpq_init(want);
    fmpq_init(t);
    fmpz_init(f);
    uni_x(x, 2, 3, N, e);
    fy_mseries_init_empty(z);
    fy_mseries_init_empty(s);
    fy_mseries_init_empty(c);

    /* exp(a x) = sum a^k x^k / k! */
    assert_int_equal(fy_mseries_exp(z, x, e), FY_OK);
    for (k = 0; k <= N; k++)
    {
        fmpz_fac_ui(f, (ulong) k);
        fmpq_set_si(t, 2, 3);
        fmpz_pow_ui(fmpq_numref(want), fmpq_numref(t), (ulong) k);
        fmpz_pow_ui(fmpq_denref(want), fmpq_denref(t), (ulong) k);
        fmpz_mul(fmpq_denref(want), fmpq_denref(want), f);
        fmpq_canonicalise(want);
        assert_true(fmpq_equal(want, fy_numvec_fmpq(&z->c) + k));
    }
    fy_mseries_clear(x);
    uni_x(x, 1, 1, N, e);
    /* log(1 + x) = sum (-1)^(k+1) x^k / k */
    assert_int_equal(fy_mseries_log1p(z, x, e), FY_OK);
    assert_true(fmpq_is_zero(fy_numvec_fmpq(&z->c)));
    for (k = 1; k <= N; k++)
    {
        fmpq_set_si(want, (k % 2) ? 1 : -1, (ulong) k);
        assert_true(fmpq_equal(want, fy_numvec_fmpq(&z->c) + k));
    }
    /* tanh x = sum_{n>=1} 2^(2n) (2^(2n) - 1) B_2n x^(2n-1) / (2n)!  (Bernoulli from FLINT) */
    assert_int_equal(fy_mseries_tanh(z, x, e), FY_OK);
    for (k = 0; k <= N; k++)
    {
        if (k % 2 == 0)
            fmpq_zero(want);
        else
        {
            ulong n2 = (ulong) k + 1;
            arith_bernoulli_number(want, n2);
            fmpz_one(f);
            fmpz_mul_2exp(f, f, n2);
            fmpq_mul_fmpz(want, want, f);
            fmpz_sub_ui(f, f, 1);
            fmpq_mul_fmpz(want, want, f);
            fmpz_fac_ui(f, n2);
            fmpq_div_fmpz(want, want, f);
        }
        if (!fmpq_equal(want, fy_numvec_fmpq(&z->c) + k))
            fail_msg("tanh coefficient %d", k);
    }
    /* sin, cos */
    assert_int_equal(fy_mseries_sin_cos(s, c, x, e), FY_OK);
    for (k = 0; k <= N; k++)
    {
        fmpz_fac_ui(f, (ulong) k);
        fmpq_set_si(want, (k / 2) % 2 ? -1 : 1, 1);
        fmpq_div_fmpz(want, want, f);
        if (k % 2)
        {
            assert_true(fmpq_equal(want, fy_numvec_fmpq(&s->c) + k));
            assert_true(fmpq_is_zero(fy_numvec_fmpq(&c->c) + k));
        }
        else
        {
            assert_true(fmpq_equal(want, fy_numvec_fmpq(&c->c) + k));
            assert_true(fmpq_is_zero(fy_numvec_fmpq(&s->c) + k));
        }
    }
    /* 1 / (1 - x) = sum x^k; and x / (1 - x) in place */
    fmpq_set_si(t, -1, 1);
    fy_mseries_scale_fmpq(s, x, t, e);
    fmpq_one(fy_numvec_fmpq(&s->c));
    assert_int_equal(fy_mseries_inv(z, s, e), FY_OK);
    for (k = 0; k <= N; k++)
        assert_true(fmpq_is_one(fy_numvec_fmpq(&z->c) + k));
    assert_int_equal(fy_mseries_div(s, x, s, e), FY_OK); /* aliased divisor */
    assert_true(fmpq_is_zero(fy_numvec_fmpq(&s->c)));
    for (k = 1; k <= N; k++)
        assert_true(fmpq_is_one(fy_numvec_fmpq(&s->c) + k));

    /* refusals in exact arithmetic */
    fmpq_one(fy_numvec_fmpq(&x->c)); /* 1 + x */
    assert_int_equal(fy_mseries_exp(z, x, e), FY_EUNSUPPORTED);
    assert_non_null(strstr(e->msg, "ball"));
    assert_int_equal(fy_mseries_tanh(z, x, e), FY_EUNSUPPORTED);
    assert_int_equal(fy_mseries_sin_cos(s, c, x, e), FY_EUNSUPPORTED);
    assert_int_equal(fy_mseries_log1p(z, x, e), FY_EUNSUPPORTED);
    fmpq_set_si(fy_numvec_fmpq(&x->c), -1, 1); /* log(1 + (-1 + x)) */
    assert_int_equal(fy_mseries_log1p(z, x, e), FY_EINPUT);
    fmpq_zero(fy_numvec_fmpq(&x->c));
    assert_int_equal(fy_mseries_inv(z, x, e), FY_EINPUT);
    assert_non_null(strstr(e->msg, "constant term"));

    fy_mseries_clear(x);
    fy_mseries_clear(z);
    fy_mseries_clear(s);
    fy_mseries_clear(c);
    fmpq_clear(want);
    fmpq_clear(t);
    fmpz_clear(f);
}

/* Functional identities in exact arithmetic on random series (univariate and multivariate). */
static void test_series_identities(void **state)
{
    uint64_t st = fy_test_seed("series_identities");
    static const int shapes[][2] = {{1, 12}, {2, 6}, {3, 4}};
    fy_error_t e;
    size_t sh;
    (void) state;

    fy_error_init(e);
    for (sh = 0; sh < sizeof shapes / sizeof *shapes; sh++)
    {
        int nv = shapes[sh][0], deg = shapes[sh][1];
        fy_mseries_t f, g, a, b, c, one;
        fmpq_t two;
        fmpq_init(two);
        fmpq_set_si(two, 2, 1);
        fy_mseries_init(f, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init(g, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init(one, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init_empty(a);
        fy_mseries_init_empty(b);
        fy_mseries_init_empty(c);
        rand_mseries(f, &st, 1, 0);
        rand_mseries(g, &st, 1, 1);
        fmpq_one(fy_numvec_fmpq(&one->c));

        /* exp(log1p(f)) = 1 + f */
        assert_int_equal(fy_mseries_log1p(a, f, e), FY_OK);
        assert_int_equal(fy_mseries_exp(a, a, e), FY_OK);
        fy_mseries_add(b, one, f, e);
        assert_true(fy_numvec_max_abs_diff(&a->c, &b->c) == 0.0);
        /* log1p(exp(f) - 1) = f */
        fy_mseries_exp(a, f, e);
        fy_mseries_sub(a, a, one, e);
        fy_mseries_log1p(a, a, e);
        assert_true(fy_numvec_max_abs_diff(&a->c, &f->c) == 0.0);
        /* exp(f) exp(g) = exp(f + g) */
        fy_mseries_exp(a, f, e);
        fy_mseries_exp(b, g, e);
        fy_mseries_mul(a, a, b, e);
        fy_mseries_add(b, f, g, e);
        fy_mseries_exp(b, b, e);
        assert_true(fy_numvec_max_abs_diff(&a->c, &b->c) == 0.0);
        /* sin^2 + cos^2 = 1 */
        assert_int_equal(fy_mseries_sin_cos(a, b, f, e), FY_OK);
        fy_mseries_mul(a, a, a, e);
        fy_mseries_mul(b, b, b, e);
        fy_mseries_add(a, a, b, e);
        assert_true(fy_numvec_max_abs_diff(&a->c, &one->c) == 0.0);
        /* tanh f = (exp(2f) - 1) / (exp(2f) + 1) */
        fy_mseries_scale_fmpq(a, f, two, e);
        fy_mseries_exp(a, a, e);
        fy_mseries_sub(b, a, one, e);
        fy_mseries_add(a, a, one, e);
        assert_int_equal(fy_mseries_div(b, b, a, e), FY_OK);
        assert_int_equal(fy_mseries_tanh(c, f, e), FY_OK);
        assert_true(fy_numvec_max_abs_diff(&b->c, &c->c) == 0.0);
        /* (f / (1 + g)) (1 + g) = f, inv(inv(1 + g)) = 1 + g */
        fy_mseries_add(a, one, g, e);
        fy_mseries_div(b, f, a, e);
        fy_mseries_mul(b, b, a, e);
        assert_true(fy_numvec_max_abs_diff(&b->c, &f->c) == 0.0);
        fy_mseries_inv(b, a, e);
        fy_mseries_inv(b, b, e);
        assert_true(fy_numvec_max_abs_diff(&b->c, &a->c) == 0.0);
        /* aliasing of sin_cos: s into the input */
        fy_mseries_sin_cos(a, b, f, e);
        fy_mseries_convert(c, FY_ARITH_EXACT, 0, f, e);
        assert_int_equal(fy_mseries_sin_cos(c, b, c, e), FY_OK);
        assert_true(fy_numvec_max_abs_diff(&a->c, &c->c) == 0.0);

        fy_mseries_clear(f);
        fy_mseries_clear(g);
        fy_mseries_clear(a);
        fy_mseries_clear(b);
        fy_mseries_clear(c);
        fy_mseries_clear(one);
        fmpq_clear(two);
    }
}

typedef int (*unary_fn)(fy_mseries_t, const fy_mseries_t, fy_error_t);

/* The same random rational inputs in exact, ball and double: the balls contain the exact
 * coefficients and the doubles are close. */
static void test_series_ball_containment(void **state)
{
    uint64_t st = fy_test_seed("series_ball_containment");
    static const int shapes[][2] = {{1, 15}, {2, 6}, {3, 4}};
    static const unary_fn fns[] = {fy_mseries_exp, fy_mseries_log1p, fy_mseries_tanh};
    fy_error_t e;
    size_t sh, i;
    (void) state;

    fy_error_init(e);
    for (sh = 0; sh < sizeof shapes / sizeof *shapes; sh++)
    {
        int nv = shapes[sh][0], deg = shapes[sh][1];
        fy_mseries_t f, g, fb, gb, fd, gd, ze, zb, zd, ce, cb, cd;
        slong bp;
        fy_mseries_init(f, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init(g, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init_empty(fb);
        fy_mseries_init_empty(gb);
        fy_mseries_init_empty(fd);
        fy_mseries_init_empty(gd);
        fy_mseries_init_empty(ze);
        fy_mseries_init_empty(zb);
        fy_mseries_init_empty(zd);
        fy_mseries_init_empty(ce);
        fy_mseries_init_empty(cb);
        fy_mseries_init_empty(cd);
        rand_mseries(f, &st, 1, 0);
        rand_mseries(g, &st, 0, 0);
        fmpq_set_si(fy_numvec_fmpq(&g->c), 5, 3); /* a safe divisor */
        /* random working precisions (issue 9), at least the 96 bits the accuracy check needs */
        bp = fy_randtest_range(&st, 96, 512);
        fy_mseries_convert(fb, FY_ARITH_BALL, bp, f, e);
        fy_mseries_convert(gb, FY_ARITH_BALL, bp, g, e);
        fy_mseries_convert(fd, FY_ARITH_DOUBLE, 0, f, e);
        fy_mseries_convert(gd, FY_ARITH_DOUBLE, 0, g, e);
        for (i = 0; i < sizeof fns / sizeof *fns; i++)
        {
            assert_int_equal(fns[i](ze, f, e), FY_OK);
            assert_int_equal(fns[i](zb, fb, e), FY_OK);
            assert_int_equal(fns[i](zd, fd, e), FY_OK);
            assert_true(fy_numvec_contains(&zb->c, &ze->c));
            assert_true(fy_numvec_rel_frobenius(&zd->c, &ze->c, NULL) < 1e-10);
            /* aliased: z = fn(z) */
            fy_mseries_convert(zb, FY_ARITH_BALL, bp, fb, e);
            assert_int_equal(fns[i](zb, zb, e), FY_OK);
            assert_true(fy_numvec_contains(&zb->c, &ze->c));
        }
        assert_int_equal(fy_mseries_sin_cos(ze, ce, f, e), FY_OK);
        assert_int_equal(fy_mseries_sin_cos(zb, cb, fb, e), FY_OK);
        assert_int_equal(fy_mseries_sin_cos(zd, cd, fd, e), FY_OK);
        assert_true(fy_numvec_contains(&zb->c, &ze->c) && fy_numvec_contains(&cb->c, &ce->c));
        assert_true(fy_numvec_rel_frobenius(&cd->c, &ce->c, NULL) < 1e-10);
        assert_int_equal(fy_mseries_div(ze, f, g, e), FY_OK);
        assert_int_equal(fy_mseries_div(zb, fb, gb, e), FY_OK);
        assert_int_equal(fy_mseries_div(zd, fd, gd, e), FY_OK);
        assert_true(fy_numvec_contains(&zb->c, &ze->c));
        assert_true(fy_numvec_rel_frobenius(&zd->c, &ze->c, NULL) < 1e-10);
        assert_int_equal(fy_mseries_div(gb, fb, gb, e), FY_OK); /* aliased divisor */
        assert_true(fy_numvec_contains(&gb->c, &ze->c));

        /* nonzero constant terms, balls only: exp(1/3 + f) = e^(1/3) exp(f) */
        {
            fmpq_t third;
            arb_t e13;
            slong k;
            fmpq_init(third);
            arb_init(e13);
            fmpq_set_si(third, 1, 3);
            fy_mseries_exp(ze, f, e); /* exact exp(f) */
            arb_set_fmpq(fy_numvec_arb(&fb->c), third, 96);
            assert_int_equal(fy_mseries_exp(zb, fb, e), FY_OK);
            arb_set_fmpq(e13, third, 200);
            arb_exp(e13, e13, 200);
            for (k = 0; k < fy_mseries_len(ze); k++)
            {
                arb_t w;
                arb_init(w);
                arb_set_fmpq(w, fy_numvec_fmpq(&ze->c) + k, 200);
                arb_mul(w, w, e13, 200);
                assert_true(arb_overlaps(w, fy_numvec_arb(&zb->c) + k));
                assert_true(arb_rel_accuracy_bits(fy_numvec_arb(&zb->c) + k) > 70 ||
                            arb_is_zero(w));
                arb_clear(w);
            }
            /* d/dx tanh(a + x) at 0 = 1 - tanh(a)^2 (univariate) */
            if (nv == 1)
            {
                fy_mseries_t u;
                arb_t th;
                fy_mseries_init(u, FY_ARITH_BALL, 1, 3, 128, e);
                arb_init(th);
                arb_set_si(fy_numvec_arb(&u->c), 1);
                arb_mul_2exp_si(fy_numvec_arb(&u->c), fy_numvec_arb(&u->c), -1);
                arb_one(fy_numvec_arb(&u->c) + 1);
                assert_int_equal(fy_mseries_tanh(u, u, e), FY_OK);
                arb_set_d(th, 0.5);
                arb_tanh(th, th, 200);
                arb_mul(th, th, th, 200);
                arb_sub_si(th, th, 1, 200);
                arb_neg(th, th);
                assert_true(arb_overlaps(th, fy_numvec_arb(&u->c) + 1));
                arb_clear(th);
                fy_mseries_clear(u);
            }
            fmpq_clear(third);
            arb_clear(e13);
        }
        fy_mseries_clear(f);
        fy_mseries_clear(g);
        fy_mseries_clear(fb);
        fy_mseries_clear(gb);
        fy_mseries_clear(fd);
        fy_mseries_clear(gd);
        fy_mseries_clear(ze);
        fy_mseries_clear(zb);
        fy_mseries_clear(zd);
        fy_mseries_clear(ce);
        fy_mseries_clear(cb);
        fy_mseries_clear(cd);
    }
}

/* The raw kernels on plain arrays (what templated higher layers call). */
static void test_raw_kernels(void **state)
{
    double x[6] = {0, 1, 0, 0, 0, 0}, z[6];
    fmpq *q = _fmpq_vec_init(6), *r = _fmpq_vec_init(6);
    int k;
    (void) state;
    assert_int_equal(_fy_mseries_exp_d(z, x, NULL, 5, 0), FY_OK);
    for (k = 0; k <= 5; k++)
        assert_true(fabs(z[k] - 1.0 / tgamma(k + 1.0)) < 1e-15);
    fmpq_set_si(q + 1, 1, 1);
    assert_int_equal(_fy_mseries_exp_fmpq(r, q, NULL, 5, 0), FY_OK);
    fmpq_set_si(q, 1, 120);
    assert_true(fmpq_equal(r + 5, q));
    fmpq_set_si(q, 1, 1); /* constant term 1: exp(1) is irrational */
    assert_int_equal(_fy_mseries_exp_fmpq(r, q, NULL, 5, 0), FY_EUNSUPPORTED);
    _fmpq_vec_clear(q, 6);
    _fmpq_vec_clear(r, 6);
}

/* ------------------------------------------------------------------ randtest (issue 9) */

/* Contraction of random ball tensors (random dim 1..4, order 0..4, precision 32..512 bits,
 * random radii) with random ball vectors (their own precision): the ball result contains the
 * exact contraction of points of the input balls, computed here by the naive loop over all
 * d^m tuples of the dense tensor. */
static void test_symtensor_contract_randtest(void **state)
{
    uint64_t st = fy_test_seed("symtensor_contract_randtest");
    fy_symtensor_t T, P, out;
    fy_numvec_t h, ph, D;
    fy_error_t e;
    fmpq_t acc, prod;
    int it;
    (void) state;

    fy_error_init(e);
    fmpq_init(acc);
    fmpq_init(prod);
    fy_symtensor_init_empty(T);
    fy_symtensor_init_empty(P);
    fy_symtensor_init_empty(out);
    fy_numvec_init_empty(h);
    fy_numvec_init_empty(ph);
    fy_numvec_init_empty(D);
    for (it = 0; it < 40; it++)
    {
        int d, n, keep, rep;
        assert_int_equal(fy_symtensor_randtest(T, &st, FY_ARITH_BALL, 4, 4,
                                               fy_randtest_range(&st, 32, 512), e), FY_OK);
        d = T->dim;
        n = T->order;
        assert_true(d >= 1 && d <= 4 && n >= 0 && n <= 4);
        assert_int_equal(T->e.arith, FY_ARITH_BALL);
        assert_int_equal(fy_numvec_randtest(h, &st, FY_ARITH_BALL, d,
                                            fy_randtest_range(&st, 32, 512), e), FY_OK);
        keep = (int) fy_randtest_range(&st, 0, n);
        assert_int_equal(fy_symtensor_contract(out, T, h, keep, e), FY_OK);
        for (rep = 0; rep < 3; rep++)
        {
            int J[8] = {0}, t[8], m = n - keep, k;
            slong j = 0;
            assert_int_equal(fy_symtensor_randtest_point(P, &st, T, e), FY_OK);
            assert_true(fy_symtensor_contains(T, P));
            assert_int_equal(fy_numvec_randtest_point(ph, &st, h, e), FY_OK);
            assert_int_equal(fy_symtensor_to_dense(D, P, e), FY_OK);
            do
            {
                fmpq_zero(acc);
                memset(t, 0, sizeof t);
                do
                {
                    int full[8];
                    memcpy(full, J, sizeof(int) * (size_t) keep);
                    memcpy(full + keep, t, sizeof(int) * (size_t) m);
                    fmpq_one(prod);
                    for (k = 0; k < m; k++)
                        fmpq_mul(prod, prod, fy_numvec_fmpq(ph) + t[k]);
                    fmpq_addmul(acc, prod, fy_numvec_fmpq(D) + dpos(full, n, d));
                } while (odometer(t, m, d));
                if (!arb_contains_fmpq(fy_numvec_arb(&out->e) + j, acc))
                    fail_msg("d %d n %d keep %d prec %ld: entry %ld misses the exact value", d,
                             n, keep, (long) T->e.prec, (long) j);
                j++;
            } while (fy_multiindex_next(J, d, keep));
            assert_int_equal(j, fy_symtensor_len(out));
        }
    }
    assert_int_equal(fy_symtensor_randtest(T, &st, FY_ARITH_BALL, 0, 2, 64, e), FY_EINPUT);
    assert_int_equal(fy_symtensor_len(T), 0);
    assert_int_equal(fy_symtensor_randtest_point(T, &st, T, e), FY_EINPUT);
    fy_symtensor_clear(T);
    fy_symtensor_clear(P);
    fy_symtensor_clear(out);
    fy_numvec_clear(h);
    fy_numvec_clear(ph);
    fy_numvec_clear(D);
    fmpq_clear(acc);
    fmpq_clear(prod);
    fy_error_clear(e);
}

/* Products of random ball series (nvars 1..3, degree 0..5, random precisions and radii): the
 * ball product contains FLINT's fmpq_mpoly product of points of the input balls, truncated. */
static void test_mseries_mul_randtest(void **state)
{
    uint64_t st = fy_test_seed("mseries_mul_randtest");
    fy_error_t e;
    int it;
    (void) state;

    fy_error_init(e);
    for (it = 0; it < 30; it++)
    {
        int nv = (int) fy_randtest_range(&st, 1, 3), deg = (int) fy_randtest_range(&st, 0, 5);
        fy_mseries_t x, y, z, px, py;
        fmpq_mpoly_ctx_t ctx;
        fmpq_mpoly_t qx, qy, qz;
        fmpq_t coef;
        ulong ex[8];
        int exps[8], v, rep;
        slong i;

        fmpq_mpoly_ctx_init(ctx, nv, ORD_DEGLEX);
        fmpq_mpoly_init(qx, ctx);
        fmpq_mpoly_init(qy, ctx);
        fmpq_mpoly_init(qz, ctx);
        fmpq_init(coef);
        fy_mseries_init(x, FY_ARITH_BALL, nv, deg, 64, e);
        fy_mseries_init(y, FY_ARITH_BALL, nv, deg, 64, e);
        fy_mseries_init_empty(z);
        fy_mseries_init(px, FY_ARITH_EXACT, nv, deg, 0, e);
        fy_mseries_init(py, FY_ARITH_EXACT, nv, deg, 0, e);
        assert_int_equal(fy_numvec_randtest(&x->c, &st, FY_ARITH_BALL, fy_mseries_len(x),
                                            fy_randtest_range(&st, 32, 512), e), FY_OK);
        assert_int_equal(fy_numvec_randtest(&y->c, &st, FY_ARITH_BALL, fy_mseries_len(y),
                                            fy_randtest_range(&st, 32, 512), e), FY_OK);
        assert_int_equal(fy_mseries_mul(z, x, y, e), FY_OK);
        for (rep = 0; rep < 3; rep++)
        {
            assert_int_equal(fy_numvec_randtest_point(&px->c, &st, &x->c, e), FY_OK);
            assert_int_equal(fy_numvec_randtest_point(&py->c, &st, &y->c, e), FY_OK);
            mseries_to_mpoly(qx, px, ctx);
            mseries_to_mpoly(qy, py, ctx);
            fmpq_mpoly_mul(qz, qx, qy, ctx);
            for (i = 0; i < fy_mseries_len(z); i++)
            {
                fy_mseries_monomial(exps, z, i);
                for (v = 0; v < nv; v++)
                    ex[v] = (ulong) exps[v];
                fmpq_mpoly_get_coeff_fmpq_ui(coef, qz, ex, ctx);
                if (!arb_contains_fmpq(fy_numvec_arb(&z->c) + i, coef))
                    fail_msg("nvars %d deg %d prec %ld: coefficient %ld misses the exact one",
                             nv, deg, (long) x->c.prec, (long) i);
            }
        }
        fy_mseries_clear(x);
        fy_mseries_clear(y);
        fy_mseries_clear(z);
        fy_mseries_clear(px);
        fy_mseries_clear(py);
        fmpq_mpoly_clear(qx, ctx);
        fmpq_mpoly_clear(qy, ctx);
        fmpq_mpoly_clear(qz, ctx);
        fmpq_mpoly_ctx_clear(ctx);
        fmpq_clear(coef);
    }
    fy_error_clear(e);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_multiindex_count),
    cmocka_unit_test(test_rank_unrank),
    cmocka_unit_test(test_symtensor_dense_roundtrip),
    cmocka_unit_test(test_symtensor_refuse_huge),
    cmocka_unit_test(test_symtensor_contract),
    cmocka_unit_test(test_symtensor_ops_compare),
    cmocka_unit_test(test_mseries_index),
    cmocka_unit_test(test_mseries_mul_vs_mpoly),
    cmocka_unit_test(test_useries_closed_forms),
    cmocka_unit_test(test_series_identities),
    cmocka_unit_test(test_series_ball_containment),
    cmocka_unit_test(test_raw_kernels),
    cmocka_unit_test(test_series_init_empty_set_shape),
    cmocka_unit_test(test_symtensor_contract_randtest),
    cmocka_unit_test(test_mseries_mul_randtest),
};

FY_TEST_MAIN("series", tests)
