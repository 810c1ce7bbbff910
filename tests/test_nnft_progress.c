/* test_nnft_progress: the progress bar of the Monte Carlo ensembles (fy_nnft_run_t.progress,
 * issue 10 item 18), through the public API.
 *
 * Checks: a run with a bar gives the same doubles, bit for bit, as the plain fy_nnft_sample
 * (the bar only watches); the bar, forced on, is drawn on standard error and reaches its total
 * (10 [HMS] chunks; a scan: the number of widths), as "100.0%"; a bar that is off writes
 * nothing; a scan with a bar gives each width's ensemble of fy_nnft_sample.  Standard error is
 * captured in a temporary file.  Fixed seeds (the numbers are deterministic). */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_bar),
        cmocka_unit_test(test_scan_bar),
    };
    return cmocka_run_group_tests_name("nnft_progress", tests, NULL, NULL) ? 1 : 0;
}
