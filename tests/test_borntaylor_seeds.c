/* Tests of the Born demo over seeds (fy_borntaylor_demo_seeds; seeds, issue 15) through the
 * public header, with a tiny demo (2 steps, 40 samples, a few epochs):
 * - each row against an independent route: the single-seed demo fy_borntaylor_demo_run with
 *   that seed, in the same process (so the same doubles, bit for bit);
 * - the summary against closed forms for two seeds: mean (a + b) / 2, spread |a - b| / sqrt 2,
 *   largest max(a, b), the counts of seeds meeting each target from the rows' flags;
 * - the folders: dir/seed-S kept when dir is given; with dir NULL nothing is left behind in
 *   $TMPDIR;
 * - the JSON summary read back with jansson (numbers at 17 digits: equal) and the text's rows;
 * - refusals: no seed, a seed given twice. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "feynn/borntaylor.h"
#include "feynn/par.h"
#include "feynn/rules.h"
#include "feynn/util.h"
#include "mlputil.h"
#include "testutil.h"

static const fy_rules_struct *rules;
FY_TEST_RULES_FIXTURES(rules)

static void tiny_opts(fy_borntaylor_demo_opts_t o)
{
    fy_borntaylor_demo_opts_init(o, 1, FY_BORNTAYLOR_DATA_BOX);
    o->d = 2;
    o->n1 = 40;
    o->nheld = 12;
    o->epochs1 = o->epochs2 = 3;
    o->lbfgs1 = o->lbfgs2 = 5;
    o->hidden1 = o->hidden2 = "4";
    o->ensemble = 1;
    o->identity_K = 1;
}

static int file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void test_rows_and_summary(void **state)
{
    static const uint64_t seeds[2] = {5, 2};
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_demo_t demo;
    fy_borntaylor_seeds_t S;
    fy_par_t p;
    fy_error_t err;
    double a, b;
    long met1 = 0, met2 = 0, met = 0;
    int i;
    (void) state;
    fy_error_init(err);
    assert_int_equal(system("rm -rf test_bts_dir test_bts_one"), 0);
    tiny_opts(o);
    fy_par_self(p);
    fy_borntaylor_seeds_init(S);
    assert_int_equal(fy_borntaylor_demo_seeds(S, o, seeds, 2, "test_bts_dir", rules, NULL, p,
                                              err),
                     FY_OK);
    assert_int_equal(S->n, 2);
    assert_int_equal(S->ranks, 1);
    assert_true(S->kept);
    assert_true(file_exists("test_bts_dir/seed-5/report.json"));
    assert_true(file_exists("test_bts_dir/seed-2/report.json"));
    for (i = 0; i < 2; i++)
    {
        const fy_borntaylor_seed_row_struct *r = S->row + i;
        fy_borntaylor_demo_init(demo);
        o->seed = seeds[i];
        o->dir = "test_bts_one";
        assert_int_equal(fy_borntaylor_demo_run(demo, o, rules, err), FY_OK);
        assert_true(r->seed == seeds[i]);
        assert_true(r->first == demo->bv1->ord[0].rel_frobenius);
        assert_true(r->second == demo->bv2->ord[1].rel_heldout);
        assert_true(r->f1_own == demo->f1_rel_a0_own);
        assert_true(r->f1_phys == demo->f1_rel_a0);
        assert_int_equal(r->first_met, demo->first_met);
        assert_int_equal(r->second_met, demo->second_met);
        met1 += demo->first_met != 0;
        met2 += demo->second_met != 0;
        met += demo->first_met && demo->second_met;
        fy_borntaylor_demo_clear(demo);
    }
    /* the seeds differ, so do their figures (the rows are not one run copied) */
    assert_true(S->row[0].first != S->row[1].first);
    a = S->row[0].second;
    b = S->row[1].second;
    assert_true(fabs(S->mean_second - (a + b) / 2) <= 1e-15 * fabs(a + b));
    assert_true(fabs(S->sd_second - fabs(a - b) / sqrt(2.0)) <= 1e-12 * fabs(a - b) + 1e-300);
    assert_true(S->max_second == (a > b ? a : b));
    a = S->row[0].first;
    b = S->row[1].first;
    assert_true(fabs(S->mean_first - (a + b) / 2) <= 1e-15 * fabs(a + b));
    assert_true(fabs(S->sd_first - fabs(a - b) / sqrt(2.0)) <= 1e-12 * fabs(a - b));
    assert_int_equal(S->n_first_met, met1);
    assert_int_equal(S->n_second_met, met2);
    assert_int_equal(S->n_met, met);
    fy_borntaylor_seeds_clear(S);
    assert_int_equal(system("rm -rf test_bts_dir test_bts_one"), 0);
}

static void test_json_text_scratch(void **state)
{
    static const uint64_t seeds[2] = {3, 8};
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_seeds_t S;
    fy_par_t p;
    fy_error_t err;
    char tmpl[] = "test_bts_tmp.XXXXXX", line[512];
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    json_t *j, *rows, *r;
    json_error_t je;
    FILE *fp;
    int i, nrows = 0;
    (void) state;
    fy_error_init(err);
    tiny_opts(o);
    fy_par_self(p);
    fy_borntaylor_seeds_init(S);
    /* with no folder the seeds' demos go to temporary folders under $TMPDIR, removed */
    assert_non_null(mkdtemp(tmpl));
    setenv("TMPDIR", tmpl, 1);
    assert_int_equal(fy_borntaylor_demo_seeds(S, o, seeds, 2, NULL, rules, NULL, p, err), FY_OK);
    if (saved != NULL)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    assert_false(S->kept);
    assert_int_equal(rmdir(tmpl), 0); /* empty: nothing left behind */
    fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fy_borntaylor_seeds_write_json(fp, S, err), FY_OK);
    rewind(fp);
    j = json_loadf(fp, 0, &je);
    fclose(fp);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "n_seeds")), 2);
    rows = json_object_get(j, "seeds");
    assert_int_equal(json_array_size(rows), 2);
    for (i = 0; i < 2; i++)
    {
        r = json_array_get(rows, (size_t) i);
        assert_int_equal(json_integer_value(json_object_get(r, "seed")), (json_int_t) seeds[i]);
        assert_true(json_number_value(json_object_get(r, "second_order_rel_heldout")) ==
                    S->row[i].second);
        assert_true(json_number_value(json_object_get(r, "F1_rel_rms_vs_a0_own")) ==
                    S->row[i].f1_own);
    }
    assert_true(json_number_value(json_object_get(json_object_get(j, "second_order"), "mean"))
                == S->mean_second);
    assert_int_equal(json_is_true(json_object_get(j, "targets_met")), S->n_met == 2);
    json_decref(j);
    /* the text: one row per seed, each starting with its seed */
    fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(fy_borntaylor_seeds_write_text(fp, S, err), FY_OK);
    rewind(fp);
    while (fgets(line, sizeof line, fp) != NULL)
    {
        unsigned long long s;
        double x;
        if (sscanf(line, "%llu %lf", &s, &x) == 2)
        {
            assert_true(nrows < 2 && s == seeds[nrows]);
            nrows++;
        }
    }
    fclose(fp);
    assert_int_equal(nrows, 2);
    fy_borntaylor_seeds_clear(S);
}

static void test_refusals(void **state)
{
    static const uint64_t twice[3] = {1, 4, 1};
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_seeds_t S;
    fy_par_t p;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    tiny_opts(o);
    fy_par_self(p);
    fy_borntaylor_seeds_init(S);
    assert_int_equal(fy_borntaylor_demo_seeds(S, o, twice, 0, NULL, rules, NULL, p, err),
                     FY_EUSAGE);
    assert_int_equal(fy_borntaylor_demo_seeds(S, o, twice, 3, NULL, rules, NULL, p, err),
                     FY_EUSAGE);
    assert_non_null(strstr(err->msg, "seed 1 is given twice"));
    assert_int_equal(S->n, 0);
    fy_borntaylor_seeds_clear(S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_summary),
        cmocka_unit_test(test_json_text_scratch),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("borntaylor_seeds", tests, setup, teardown) ? 1 : 0;
}
