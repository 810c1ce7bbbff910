/* test_nnft_progress: the progress bar of the Monte Carlo ensembles (fy_nnft_run_t.progress,
 * issue 10 item 18), through the public API.
 *
 * Checks: a run with a bar gives the same doubles, bit for bit, as the plain fy_nnft_sample
 * (the bar only watches); the bar, forced on, is drawn on standard error and reaches its total
 * (10 [HMS] chunks; a scan: the number of widths), as "100.0%"; a bar that is off writes
 * nothing; a scan with a bar gives each width's ensemble of fy_nnft_sample.  The bars of the
 * reflection-positivity and Osterwalder-Schrader checks (fy_nnft_rp_t.progress,
 * fy_nnft_os_t.progress): totals against a count of the work done, 100.0% at the end, the
 * same results as without a bar.  Standard error is captured in a temporary file.  Fixed
 * seeds (the numbers are deterministic). */
#include <string.h>
#include <unistd.h>

#include "feynn/nnft.h"
#include "feynn/util.h"
#include "testutil.h"

static void spec_relu(fy_nnft_spec_t s, slong width)
{
    fy_error_t err;
    fy_error_init(err);
    s->act = FY_NNFT_RELU;
    s->width = width;
    fmpq_one(s->sigma_W);
    fmpq_one(s->sigma_a);
    fmpq_zero(s->sigma_b);
    if (fy_nnft_points_parse(s, "0.5\n1\n2\n", "pts", err) != FY_OK)
        fail_msg("%s", err->msg);
    if (fy_nnft_spec_check(s, err) != FY_OK)
        fail_msg("%s", err->msg);
}

/* Standard error into a temporary file while capturing; back, and the text read, after. */
typedef struct
{
    FILE *tmp;
    int saved;
} capture_t;

static void capture_start(capture_t *c)
{
    fflush(stderr);
    c->tmp = tmpfile();
    assert_non_null(c->tmp);
    c->saved = dup(fileno(stderr));
    assert_true(c->saved >= 0);
    assert_true(dup2(fileno(c->tmp), fileno(stderr)) >= 0);
}

static char *capture_end(capture_t *c)
{
    long n;
    char *text;
    fflush(stderr);
    assert_true(dup2(c->saved, fileno(stderr)) >= 0);
    close(c->saved);
    n = ftell(c->tmp);
    assert_true(n >= 0);
    text = calloc((size_t) n + 1, 1);
    assert_non_null(text);
    rewind(c->tmp);
    assert_int_equal(fread(text, 1, (size_t) n, c->tmp), (size_t) n);
    fclose(c->tmp);
    return text;
}

/* Every mean and standard error of a and b, bit for bit. */
static void assert_same_mc(const fy_nnft_mc_t a, const fy_nnft_mc_t b)
{
    int k;
    slong t;
    for (k = 0; k < 3; k++)
    {
        assert_int_equal(a->count[k], b->count[k]);
        for (t = 0; t < a->count[k]; t++)
        {
            assert_memory_equal(&a->mean[k][t], &b->mean[k][t], sizeof(double));
            assert_memory_equal(&a->se[k][t], &b->se[k][t], sizeof(double));
            assert_memory_equal(&a->hms_mean[k][t], &b->hms_mean[k][t], sizeof(double));
        }
    }
}

static void run_with_bar(fy_nnft_mc_t mc, const fy_nnft_spec_t s, int enable, char **text)
{
    fy_nnft_run_t run;
    fy_progress_t bar;
    fy_error_t err;
    capture_t c;
    int rc;
    fy_error_init(err);
    fy_nnft_run_init(run);
    fy_progress_init(bar, "test sample", (double) FY_NNFT_CHUNKS, enable);
    run->progress = bar;
    capture_start(&c);
    rc = fy_nnft_sample_run(mc, s, 4000, 7, 1, run, err);
    *text = capture_end(&c);
    if (rc != FY_OK)
        fail_msg("%s", err->msg);
}

static void test_sample_bar(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t plain, with, off;
    fy_error_t err;
    char *text;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(plain);
    fy_nnft_mc_init(with);
    fy_nnft_mc_init(off);
    spec_relu(s, 3);
    assert_int_equal(fy_nnft_sample(plain, s, 4000, 7, 1, err), FY_OK);
    run_with_bar(with, s, 1, &text);
    assert_same_mc(plain, with);
    assert_non_null(strstr(text, "test sample"));
    assert_non_null(strstr(text, "100.0%"));
    free(text);
    run_with_bar(off, s, 0, &text);
    assert_same_mc(plain, off);
    assert_string_equal(text, "");
    free(text);
    fy_nnft_mc_clear(off);
    fy_nnft_mc_clear(with);
    fy_nnft_mc_clear(plain);
    fy_nnft_spec_clear(s);
}

static void test_scan_bar(void **state)
{
    const slong widths[3] = {2, 5, 9};
    fy_nnft_spec_t s;
    fy_nnft_mc_struct mcs[3];
    fy_nnft_run_t run;
    fy_progress_t bar;
    fy_error_t err;
    capture_t c;
    char *text;
    int j, rc;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    spec_relu(s, 3);
    for (j = 0; j < 3; j++)
        fy_nnft_mc_init(mcs + j);
    fy_nnft_run_init(run);
    fy_progress_init(bar, "test scan", 3.0, 1);
    run->progress = bar;
    capture_start(&c);
    rc = fy_nnft_sample_scan(mcs, s, widths, 3, 1000, 11, 1, run, err);
    text = capture_end(&c);
    if (rc != FY_OK)
        fail_msg("%s", err->msg);
    assert_non_null(strstr(text, "test scan"));
    assert_non_null(strstr(text, "100.0%"));
    free(text);
    for (j = 0; j < 3; j++)
    {
        fy_nnft_mc_t one;
        fy_nnft_mc_init(one);
        s->width = widths[j];
        assert_int_equal(fy_nnft_sample(one, s, 1000, 11, 1, err), FY_OK);
        assert_same_mc(one, mcs + j);
        fy_nnft_mc_clear(one);
        fy_nnft_mc_clear(mcs + j);
    }
    fy_nnft_spec_clear(s);
}


/* The reflection-positivity bar (fy_nnft_rp_t.progress, issue 10 item 18).  A 2-point
 * callback of the test's own counts the evaluations (the built-in free kernel, d = 2, through
 * fy_nnft_g2_model): the bar's total must equal that count (n^2) and the bar, forced on, must
 * end at 100.0%; the verdict and the matrix are those of the run without a bar, bit for bit.
 * The check with a bar that is off writes nothing. */
typedef struct
{
    fy_nnft_g2_model_struct *g;
    long calls;
} count_ctx;

static int count_g2(arb_t G, const fmpq *x, const fmpq *y, slong d, void *ctx, slong prec,
                    fy_error_t err)
{
    count_ctx *c = ctx;
    c->calls++;
    return fy_nnft_g2_model(G, x, y, d, c->g, prec, err);
}

static void assert_same_rp(const fy_nnft_rp_t a, const fy_nnft_rp_t b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->positive, b->positive);
    assert_int_equal(a->certified, b->certified);
    assert_int_equal(a->definite, b->definite);
    assert_int_equal(a->rank, b->rank);
    assert_int_equal(a->spectral, b->spectral);
    assert_memory_equal(a->M, b->M, sizeof(double) * a->n * a->n);
    assert_memory_equal(&a->lambda_min, &b->lambda_min, sizeof(double));
}

static void test_rp_bar(void **state)
{
    const slong n = 12, d = 2;
    fy_nnft_g2_model_t g;
    fy_nnft_rp_t plain, with;
    fy_progress_t bar, off;
    fy_error_t err;
    count_ctx c;
    capture_t cap;
    fmpq *pts = _fmpq_vec_init(n * d);
    fmpq_t tmax;
    char *text;
    int rc;
    (void) state;
    fy_error_init(err);
    fmpq_init(tmax);
    fmpq_set_si(tmax, 2, 1);
    fy_nnft_rp_points(pts, n, d, tmax, 5);
    fy_nnft_g2_model_init(g);
    c.g = g;
    c.calls = 0;
    fy_nnft_rp_init(plain);
    assert_int_equal(fy_nnft_rp_check(plain, count_g2, &c, d, pts, n, 128, err), FY_OK);
    assert_int_equal(c.calls, n * n);
    fy_nnft_rp_init(with);
    fy_progress_init(bar, "test rp", 1, 1);
    with->progress = bar;
    c.calls = 0;
    capture_start(&cap);
    rc = fy_nnft_rp_check(with, count_g2, &c, d, pts, n, 128, err);
    fy_progress_clear(bar);
    text = capture_end(&cap);
    if (rc != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(with->progress == bar); /* kept across the check's reset */
    assert_true(bar->total == (double) c.calls);
    assert_non_null(strstr(text, "test rp"));
    assert_non_null(strstr(text, "100.0%"));
    free(text);
    assert_same_rp(plain, with);
    /* a bar that is off: nothing on standard error */
    fy_progress_init(off, "test rp", 1, 0);
    with->progress = off;
    capture_start(&cap);
    rc = fy_nnft_rp_model(with, g, d, pts, n, 128, err);
    text = capture_end(&cap);
    assert_int_equal(rc, FY_OK);
    assert_string_equal(text, "");
    free(text);
    assert_same_rp(plain, with);
    fy_nnft_rp_clear(plain);
    fy_nnft_rp_clear(with);
    fy_nnft_g2_model_clear(g);
    _fmpq_vec_clear(pts, n * d);
    fmpq_clear(tmax);
}

/* fy_nnft_rp_spec with a bar on the d = 1 Lorentzian Cos-net (a closed-form spectral measure,
 * so the certificate evaluates M a second time): total 2 n^2, ends at 100.0%, and the verdict
 * is the spectral one of the run without a bar; in d = 3 (no measure) the total is n^2. */
static void test_rp_spec_bar(void **state)
{
    static const char *const specs[2] = {
        "activation cos\nsigma_b 0\nsigma_a 1\nwidth 10\nd 1\nb_dist lorentz\nmass 1\n",
        "activation cos\nsigma_b 0\nsigma_a 1\nwidth 10\nd 3\nb_dist gauss\n"};
    const slong n = 5;
    int k;
    (void) state;
    for (k = 0; k < 2; k++)
    {
        fy_nnft_spec_t s;
        fy_nnft_rp_t plain, with;
        fy_progress_t bar;
        fy_error_t err;
        capture_t cap;
        fmpq_t tmax;
        fmpq *pts;
        char *text;
        int rc;
        fy_error_init(err);
        fy_nnft_spec_init(s);
        if (fy_nnft_spec_parse(s, specs[k], "spec", err) != FY_OK)
            fail_msg("%s", err->msg);
        pts = _fmpq_vec_init(n * s->d);
        fmpq_init(tmax);
        fmpq_set_si(tmax, 2, 1);
        fy_nnft_rp_points(pts, n, s->d, tmax, 3);
        fy_nnft_rp_init(plain);
        assert_int_equal(fy_nnft_rp_spec(plain, s, pts, n, 128, err), FY_OK);
        fy_nnft_rp_init(with);
        fy_progress_init(bar, "test rp spec", 1, 1);
        with->progress = bar;
        capture_start(&cap);
        rc = fy_nnft_rp_spec(with, s, pts, n, 128, err);
        fy_progress_clear(bar);
        text = capture_end(&cap);
        if (rc != FY_OK)
            fail_msg("%s", err->msg);
        assert_true(bar->total == (double) ((k == 0 ? 2 : 1) * n * n));
        assert_non_null(strstr(text, "100.0%"));
        free(text);
        assert_same_rp(plain, with);
        if (k == 0) /* the singular matrix is certified by the measure only */
            assert_int_equal(with->spectral, 1);
        fy_nnft_rp_clear(plain);
        fy_nnft_rp_clear(with);
        _fmpq_vec_clear(pts, n * s->d);
        fmpq_clear(tmax);
        fy_nnft_spec_clear(s);
    }
}

/* The Osterwalder-Schrader bar (fy_nnft_os_t.progress): five axioms, 100.0% at the end, the
 * same verdicts as without a bar. */
static void test_os_bar(void **state)
{
    fy_nnft_spec_t s;
    fy_nnft_os_t plain, with;
    fy_progress_t bar;
    fy_error_t err;
    capture_t cap;
    char *text;
    int rc, k;
    (void) state;
    fy_error_init(err);
    fy_nnft_spec_init(s);
    if (fy_nnft_spec_parse(s, "activation cos\nsigma_b 0\nsigma_a 1\nwidth 10\nd 1\n"
                           "b_dist lorentz\nmass 1\npoint 0\npoint 1/2\npoint 1\n"
                           "point 2\n", "spec", err) != FY_OK)
        fail_msg("%s", err->msg);
    fy_nnft_os_init(plain);
    assert_int_equal(fy_nnft_os_report(plain, s, 1, 64, err), FY_OK);
    fy_nnft_os_init(with);
    fy_progress_init(bar, "test os", 1, 1);
    with->progress = bar;
    capture_start(&cap);
    rc = fy_nnft_os_report(with, s, 1, 64, err);
    fy_progress_clear(bar);
    text = capture_end(&cap);
    if (rc != FY_OK)
        fail_msg("%s", err->msg);
    assert_true(bar->total == 5);
    assert_non_null(strstr(text, "test os"));
    assert_non_null(strstr(text, "100.0%"));
    free(text);
    for (k = 0; k < 5; k++)
        assert_int_equal(plain->verdict[k], with->verdict[k]);
    fy_nnft_os_clear(plain);
    fy_nnft_os_clear(with);
    fy_nnft_spec_clear(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_bar),
        cmocka_unit_test(test_scan_bar),
        cmocka_unit_test(test_rp_bar),
        cmocka_unit_test(test_rp_spec_bar),
        cmocka_unit_test(test_os_bar),
    };
    return cmocka_run_group_tests_name("nnft_progress", tests, NULL, NULL) ? 1 : 0;
}
