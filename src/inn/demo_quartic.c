/* demo_quartic.c - the diagrams that build the learned quartic in `feynn demo inn` (issue 12):
 * the per-diagram contributions to lam of each trained network (fy_inn_quartic_diagrams), how
 * much of lam the truncations explain (fy_inn_quartic_truncation), as a table in report.txt,
 * an object in report.json, quartic.csv, and the largest diagrams of the cubic design drawn
 * in the style of `feynn diagrams` with a caption. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/rules.h"
#include "feynn/util.h"
#include "inn/compare_internal.h"

#define QUARTIC_ROWS 8 /* rows of the table and the JSON list */
#define QUARTIC_FIGS 4 /* diagrams drawn */
#define QUARTIC_CASE 1 /* the cubic design (fy_inn_demo_run's case order) */

int _fy_inn_demo_quartic(fy_inn_demo_case_struct *c, const fy_inn_t net, fy_error_t err)
{
    fy_error_t qerr;
    (void) err;
    /* a network singular at 0 has no expansion there: the report says so, the demo goes on */
    fy_error_init(qerr);
    c->have_quartic = fy_inn_quartic_diagrams(c->Q, net, FY_ARITH_DOUBLE, 0, qerr) == FY_OK &&
                      fy_inn_quartic_truncation(&c->trunc, net, qerr) == FY_OK;
    return FY_OK;
}

/* The term's words and its diagram's shape (malloc'd, NULL when none). */
static char *describe(char *label, size_t n, const fy_inn_quartic_term_struct *q)
{
    fy_diagram_t dg;
    fy_error_t e;
    char *shape = NULL;
    fy_error_init(e);
    _fy_inn_term_label(label, n, &q->term, q->layer_kind);
    fy_diagram_init(dg, &fy_family_inn);
    if (fy_inn_term_diagram(dg, &q->term, q->layer_kind, e) > 0 &&
        fy_draw_shape(&shape, dg, NULL, e) != FY_OK)
        shape = NULL;
    fy_diagram_clear(dg);
    return shape;
}

int _fy_inn_demo_quartic_print(FILE *fp, const fy_inn_demo_case_struct *c, fy_error_t err)
{
    const fy_inn_quartic_struct *Q = c->Q;
    const fy_inn_truncation_struct *T = &c->trunc;
    slong i;
    double rest = 0.0;
    int k;
    if (!c->have_quartic)
    {
        fprintf(fp, "\ndiagrams of the learned quartic: not computed (the network has no "
                "expansion about 0)\n");
        return ferror(fp) ? fy_error_set(err, FY_EIO, "writing report.txt failed") : FY_OK;
    }
    fprintf(fp, "\ndiagrams of the learned quartic: lam = -mean_i Gamma^(4)_iiii = %.6g, the "
            "sum of %ld diagram classes (%.6g); each born in one layer, carried to the data by "
            "the linear parts below; largest |contribution| first\n", Q->lam, (long) Q->len,
            Q->lam_sum);
    fprintf(fp, "  %5s  %-11s %12s %6s  %s\n", "layer", "kind", "contribution", "weight",
            "diagram");
    for (i = 0; i < Q->len; i++)
    {
        const fy_inn_quartic_term_struct *q = Q->t + i;
        char label[192], *shape;
        if (i >= QUARTIC_ROWS)
        {
            rest += q->lam;
            continue;
        }
        shape = describe(label, sizeof label, q);
        fprintf(fp, "  %5d  %-11s %12.5g %6ld  %s; %s\n", q->layer,
                fy_inn_layer_kind_name(q->layer_kind), q->lam, (long) q->term.multiplicity,
                shape ? shape : "-", label);
        free(shape);
    }
    if (Q->len > QUARTIC_ROWS)
        fprintf(fp, "  %5s  %-11s %12.5g %6s  (%ld more diagram classes)\n", "", "", rest, "",
                (long) (Q->len - QUARTIC_ROWS));
    fprintf(fp, "how much of the learned quartic the truncation explains: lam from the action "
            "truncated at K =");
    for (k = 0; k < FY_INN_NTRUNC; k++)
        fprintf(fp, " %d: %.8g%s", T->K[k], T->lam_K[k], k + 1 < FY_INN_NTRUNC ? "," : "");
    fprintf(fp, " (exact at every K: expansion at the image of the point); d^4 ln p by the jet "
            "route %.8g\n  the textbook truncation (every layer's action about 0 of its own "
            "coordinates, orders <= K):", T->lam_jet);
    for (k = 0; k < FY_INN_NTRUNC; k++)
        fprintf(fp, " K = %d: %.6g (%.1f%%)%s", T->K[k], T->lam_naive[k], 100.0 * T->share[k],
                k + 1 < FY_INN_NTRUNC ? "," : "\n");
    return ferror(fp) ? fy_error_set(err, FY_EIO, "writing report.txt failed") : FY_OK;
}

static json_t *numbers(const double *x, int n)
{
    json_t *a = json_array();
    int i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, fy_json_number(x[i]));
    return a;
}

json_t *_fy_inn_demo_quartic_json(const fy_inn_demo_case_struct *c)
{
    const fy_inn_quartic_struct *Q = c->Q;
    json_t *o, *a, *t;
    slong i;
    int k, K[FY_INN_NTRUNC];
    if (!c->have_quartic)
        return json_null();
    o = json_object();
    a = json_array();
    json_object_set_new(o, "lam", fy_json_number(Q->lam));
    json_object_set_new(o, "lam_sum", fy_json_number(Q->lam_sum));
    json_object_set_new(o, "n_terms", json_integer(Q->len));
    for (i = 0; i < Q->len && i < QUARTIC_ROWS; i++)
    {
        const fy_inn_quartic_term_struct *q = Q->t + i;
        char label[192], *shape = describe(label, sizeof label, q);
        json_t *e = json_object();
        json_object_set_new(e, "layer", json_integer(q->layer));
        json_object_set_new(e, "layer_kind", json_string(fy_inn_layer_kind_name(q->layer_kind)));
        json_object_set_new(e, "kind", json_string(q->term.kind == FY_INN_TERM_SPLIT ? "split"
                                                                                     : "logdet"));
        json_object_set_new(e, "source_order", json_integer(q->term.source_order));
        json_object_set_new(e, "n", json_integer(q->term.n));
        json_object_set_new(e, "n3", json_integer(q->term.n3));
        json_object_set_new(e, "multiplicity", json_integer(q->term.multiplicity));
        json_object_set_new(e, "contribution", fy_json_number(q->lam));
        json_object_set_new(e, "label", json_string(label));
        json_object_set_new(e, "shape", shape ? json_string(shape) : json_null());
        free(shape);
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "terms", a);
    t = json_object();
    for (k = 0; k < FY_INN_NTRUNC; k++)
        K[k] = c->trunc.K[k];
    a = json_array();
    for (k = 0; k < FY_INN_NTRUNC; k++)
        json_array_append_new(a, json_integer(K[k]));
    json_object_set_new(t, "K", a);
    json_object_set_new(t, "lam_K", numbers(c->trunc.lam_K, FY_INN_NTRUNC));
    json_object_set_new(t, "lam_jet", fy_json_number(c->trunc.lam_jet));
    json_object_set_new(t, "lam_naive", numbers(c->trunc.lam_naive, FY_INN_NTRUNC));
    json_object_set_new(t, "share_naive", numbers(c->trunc.share, FY_INN_NTRUNC));
    json_object_set_new(o, "truncation", t);
    return o;
}

int _fy_inn_demo_quartic_csv(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    int c;
    slong i;
    fprintf(fp, "case,rank,layer,layer_kind,kind,source_order,n,n3,multiplicity,contribution\n");
    for (c = 0; c < FY_INN_DEMO_NCASES; c++)
        for (i = 0; D->c[c].have_quartic && i < D->c[c].Q->len; i++)
        {
            const fy_inn_quartic_term_struct *q = D->c[c].Q->t + i;
            fprintf(fp, "%s,%ld,%d,%s,%s,%d,%d,%d,%ld,%.17g\n", D->c[c].name, (long) i + 1,
                    q->layer, fy_inn_layer_kind_name(q->layer_kind),
                    q->term.kind == FY_INN_TERM_SPLIT ? "split" : "logdet",
                    q->term.source_order, q->term.n, q->term.n3, (long) q->term.multiplicity,
                    q->lam);
        }
    return ferror(fp) ? fy_error_set(err, FY_EIO, "writing quartic.csv failed") : FY_OK;
}

int _fy_inn_demo_quartic_figures(const char *dir, const fy_inn_demo_t D, fy_error_t err)
{
    const fy_inn_demo_case_struct *c = D->c + QUARTIC_CASE;
    fy_rules_t rules;
    fy_error_t rerr;
    int k, status = FY_OK, have_rules;
    if (!c->have_quartic)
        return FY_OK;
    fy_rules_init(rules);
    fy_error_init(rerr);
    have_rules = fy_rules_load_default(rules, rerr) == FY_OK;
    for (k = 0; k < QUARTIC_FIGS && k < c->Q->len && status == FY_OK; k++)
    {
        const fy_inn_quartic_term_struct *q = c->Q->t + k;
        fy_draw_options_t dopt;
        fy_diagram_t dg;
        char *dot = NULL, *text = NULL, *shape, label[192], cap[640], path[4096];
        int has, pdf;
        fy_draw_options_init(dopt);
        if (have_rules)
        {
            dopt->style = fy_rules_draw_style;
            dopt->style_ctx = (void *) rules;
        }
        shape = describe(label, sizeof label, q);
        snprintf(cap, sizeof cap,
                 "learned quartic (%s, plan %s), diagram %d of %ld: layer %d (%s)\n%s\n"
                 "weight %ld, contribution %.4g to lam = %.4g (%.0f%%)", c->name,
                 c->plan ? c->plan : "default", k + 1, (long) c->Q->len, q->layer,
                 fy_inn_layer_kind_name(q->layer_kind), label, (long) q->term.multiplicity,
                 q->lam, c->Q->lam, c->Q->lam != 0.0 ? 100.0 * q->lam / c->Q->lam : 0.0);
        free(shape);
        fy_diagram_init(dg, &fy_family_inn);
        has = fy_inn_term_diagram(dg, &q->term, q->layer_kind, err);
        if (has < 0)
            status = -has;
        if (status == FY_OK && has > 0)
            status = fy_draw_dot(&dot, dg, dopt, err);
        fy_diagram_clear(dg);
        if (status == FY_OK && dot != NULL)
            status = fy_draw_dot_caption(&text, dot, cap, err);
        snprintf(path, sizeof path, "%s/quartic_diagram_%d.dot", dir, k + 1);
        if (status == FY_OK && text != NULL)
            status = fy_draw_dot_write(path, text, &pdf, err);
        free(dot);
        free(text);
    }
    fy_rules_clear(rules);
    return status;
}
