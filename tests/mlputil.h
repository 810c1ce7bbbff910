/* tests/mlputil.h - helpers shared by the tests of MLP networks (test_mlp*, test_borntaylor):
 * the default rules loaded once, a network from model text, a random text network with
 * rational weights, and an MLP at the origin.  Header-only (static inline), like testutil.h. */
#ifndef FEYNN_TESTS_MLPUTIL_H
#define FEYNN_TESTS_MLPUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/rules.h"
#include "testutil.h"

/* The default rules, loaded on first use (clear = 0) and freed at the end of the program
 * (clear = 1, returns NULL); fy_test_rules() and fy_test_rules_clear() below. */
static inline const fy_rules_struct *fy_test_rules_state(int clear)
{
    static fy_rules_t rules;
    static int loaded = 0;
    if (clear)
    {
        if (loaded)
            fy_rules_clear(rules);
        loaded = 0;
        return NULL;
    }
    if (!loaded)
    {
        fy_error_t err;
        fy_error_init(err);
        fy_rules_init(rules);
        if (fy_rules_load_default(rules, err) != FY_OK)
            fail_msg("rules: %s", err->msg);
        loaded = 1;
    }
    return rules;
}

static inline const fy_rules_struct *fy_test_rules(void)
{
    return fy_test_rules_state(0);
}

static inline void fy_test_rules_clear(void)
{
    (void) fy_test_rules_state(1);
}

/* cmocka group fixtures `setup` and `teardown` for a program that keeps the default rules in
 * the file-scope pointer VAR (loaded once by fy_test_rules, freed at the end). */
#define FY_TEST_RULES_FIXTURES(VAR)                                                            \
    static int setup(void **state)                                                             \
    {                                                                                          \
        (void) state;                                                                          \
        VAR = fy_test_rules();                                                                 \
        return VAR != NULL ? 0 : -1;                                                           \
    }                                                                                          \
    static int teardown(void **state)                                                          \
    {                                                                                          \
        (void) state;                                                                          \
        fy_test_rules_clear();                                                                 \
        VAR = NULL;                                                                            \
        return 0;                                                                              \
    }

/* A network from feynn's model text (fails the test on a parse error). */
static inline void fy_test_model_text(fy_net_t net, const char *text)
{
    fy_net_opts_t o;
    fy_error_t err;
    fy_net_opts_init(o);
    fy_error_init(err);
    if (fy_net_read_text_buffer(net, text, strlen(text), "test", o, err) != FY_OK)
        fail_msg("model: %s", err->msg);
}

/* A random text model: widths w[0..L], every hidden layer with activation act, weights k/16
 * with k in -12..12 (nonzero), biases k/16 in -6..6 or zero; st is fy_test_rand's state. */
static inline void fy_test_random_net(fy_net_t net, const int *w, int L, const char *act,
                                      uint64_t *st, int biases)
{
    size_t cap = 1 << 16, len = 0;
    char *s = malloc(cap);
    int l, a, i;
    fy_error_t err;
    fy_net_opts_t o;

    fy_error_init(err);
    fy_net_opts_init(o);
    len += (size_t) snprintf(s + len, cap - len, "feynn-model 1\ninput %d\n", w[0]);
    for (l = 1; l <= L; l++)
    {
        if (l < L)
            len += (size_t) snprintf(s + len, cap - len, "layer %d activation %s\n", w[l], act);
        else
            len += (size_t) snprintf(s + len, cap - len, "layer %d\n", w[l]);
        for (a = 0; a < w[l]; a++)
        {
            for (i = 0; i < w[l - 1]; i++)
            {
                long k = (long) (fy_test_rand(st) % 25) - 12;
                len += (size_t) snprintf(s + len, cap - len, " %ld/16", k == 0 ? 5 : k);
            }
            len += (size_t) snprintf(s + len, cap - len, "\n");
        }
        len += (size_t) snprintf(s + len, cap - len, "bias");
        for (a = 0; a < w[l]; a++)
            len += (size_t) snprintf(s + len, cap - len, " %ld/16",
                                     biases ? (long) (fy_test_rand(st) % 13) - 6 : 0L);
        len += (size_t) snprintf(s + len, cap - len, "\n");
    }
    fy_net_init(net);
    if (fy_net_read_text_buffer(net, s, len, "<test>", o, err) != FY_OK)
        fail_msg("model text: %s\n%s", err->msg, s);
    free(s);
}

/* An MLP of net in the given arithmetic at the origin, to the given order. */
static inline void fy_test_make_mlp(fy_mlp_t m, const fy_net_t net, fy_arith_t arith,
                                    slong prec, int order)
{
    fy_error_t err;
    fy_error_init(err);
    fy_mlp_init(m);
    if (fy_mlp_set_net(m, net, fy_test_rules(), arith, prec, err) != FY_OK)
        fail_msg("set_net: %s", err->msg);
    if (fy_mlp_set_point(m, NULL, order, err) != FY_OK)
        fail_msg("set_point: %s", err->msg);
}

/* The largest entry of the order-n tensor of the network on absolute values (|W|, |sigma^(k)|):
 * the sum of |terms| that rounding errors are relative to. */
static inline double fy_test_abs_terms_scale(const fy_net_t net, int n)
{
    fy_mlp_t m;
    fy_symtensor_t T;
    fy_error_t err;
    double mx = 0;
    slong i;
    int l;
    fy_error_init(err);
    fy_test_make_mlp(m, net, FY_ARITH_DOUBLE, 53, n);
    for (l = 1; l <= m->L; l++)
    {
        for (i = 0; i < m->W[l].len; i++)
            fy_numvec_d(m->W + l)[i] = fabs(fy_numvec_d(m->W + l)[i]);
        if (l < m->L)
            for (i = 0; i < m->s[l].len; i++)
                fy_numvec_d(m->s + l)[i] = fabs(fy_numvec_d(m->s + l)[i]);
    }
    fy_symtensor_init_empty(T);
    assert_int_equal(fy_mlp_tensor(T, m, 0, n, err), FY_OK);
    for (i = 0; i < T->e.len; i++)
        mx = fmax(mx, fy_numvec_d(&T->e)[i]);
    fy_symtensor_clear(T);
    fy_mlp_clear(m);
    return mx;
}

#endif
