/* demo_files.c - the results folder of the demo: CSV files of every figure, a_0(lambda U)
 * against its Born partial sums, the PDF figures and the largest diagrams (see borntaylor.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq.h>
#include <flint/fmpq_poly.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/draw.h"
#include "feynn/rules.h"
#include "feynn/train.h"
#include "feynn/util.h"

#define NPTS FY_BORNTAYLOR_DEMO_NPTS
#define NB FY_BORNTAYLOR_DEMO_NB

static int csv_open(fy_ofile_t of, const char *dir, const char *name, fy_error_t err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fy_ofile_open(of, path, err);
}

/* The dense d x d matrix of an order-2 double symmetric tensor. */
static void dense2(double *dense, const fy_symtensor_t T, int d)
{
    int i, j;
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
        {
            int idx[2] = {i, j};
            double *p = fy_symtensor_entry_d(T, idx);
            dense[i * d + j] = p ? *p : NAN;
        }
}

/* The gradients and Hessians of the figures from the verifications. */
static int demo_matrices(fy_borntaylor_demo_t demo, fy_error_t err)
{
    fy_symtensor_t ed;
    int k, d = demo->o.d, status;
    size_t dd = (size_t) d * (size_t) d;
    demo->Hexact = malloc(sizeof(double) * dd);
    demo->H1 = malloc(sizeof(double) * dd);
    demo->H2 = malloc(sizeof(double) * dd);
    demo->grad2 = malloc(sizeof(double) * (size_t) d);
    if (demo->Hexact == NULL || demo->H1 == NULL || demo->H2 == NULL || demo->grad2 == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (k = 0; k < d; k++)
    {
        int idx[1] = {k};
        demo->grad2[k] = *fy_symtensor_entry_d(demo->bv2->model + 1, idx);
    }
    fy_symtensor_init_empty(ed);
    status = fy_symtensor_convert(ed, FY_ARITH_DOUBLE, 53, demo->bv2->exact + 1, err);
    if (status == FY_OK)
    {
        dense2(demo->H2, demo->bv2->model + 2, d);
        dense2(demo->Hexact, ed, d);
        dense2(demo->H1, demo->bv1->model + 2, d);
    }
    fy_symtensor_clear(ed);
    return status;
}

static int demo_csv(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const char *dir = demo->o.dir;
    const fy_borntaylor_verify_struct *bv1 = demo->bv1, *bv2 = demo->bv2;
    fy_ofile_t of;
    double R = demo->o.R;
    long i;
    int a, b, k, d = demo->o.d, status;
    if ((status = csv_open(of, dir, "gradient.csv", err)) != FY_OK)
        return status;
    fprintf(of->fp, "step,r_lo,r_hi,c3,grad_F1,grad_F2\n");
    for (k = 0; k < d; k++)
        fprintf(of->fp, "%d,%.17g,%.17g,%.17g,%.17g,%.17g\n", k + 1, R * k / d, R * (k + 1) / d,
                demo->c3[k], demo->grad1[k], demo->grad2[k]);
    status = fy_ofile_commit(of, err);
    demo->files[demo->nfiles++] = "gradient.csv";
    if (status != FY_OK || (status = csv_open(of, dir, "hessian.csv", err)) != FY_OK)
        return status;
    fprintf(of->fp, "j,k,exact_minus_2K,hessian_F2,hessian_F1\n");
    for (a = 0; a < d; a++)
        for (b = 0; b < d; b++)
            fprintf(of->fp, "%d,%d,%.17g,%.17g,%.17g\n", a + 1, b + 1, demo->Hexact[a * d + b],
                    demo->H2[a * d + b], demo->H1[a * d + b]);
    status = fy_ofile_commit(of, err);
    demo->files[demo->nfiles++] = "hessian.csv";
    if (status != FY_OK || (status = csv_open(of, dir, "heldout.csv", err)) != FY_OK)
        return status;
    fprintf(of->fp, "i,a0,born1,born2,T1_F1,T2_F1,T1_F2,T2_F2,A2\n");
    for (i = 0; i < demo->held->n; i++)
        fprintf(of->fp, "%ld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", i,
                demo->held->a0[i], bv1->heldout_born[2 * i], bv1->heldout_born[2 * i + 1],
                bv1->heldout_terms[2 * i], bv1->heldout_terms[2 * i + 1],
                bv2->heldout_terms[2 * i], bv2->heldout_terms[2 * i + 1], demo->proxy[i]);
    status = fy_ofile_commit(of, err);
    demo->files[demo->nfiles++] = "heldout.csv";
    return status;
}

/* a_0(lambda U) against its Born partial sums for the first held-out potential U, lambda in
 * [0, 1], with F_1(lambda U) and the proxy A_2 = lambda T_1[F_1](U) + lambda^2 T_2[F_2](U). */
static int demo_partial(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const double *U = demo->held->U;
    fy_born_potential_t pot;
    fmpq_poly_t s;
    fmpq_t Rq, q;
    int p, k, d = demo->o.d, status;
    fmpq *Uq = _fmpq_vec_init(d);
    double *lam = malloc(sizeof(double) * NPTS * (size_t) d), a0v[NPTS], f1v[NPTS];
    double R = demo->o.R;
    fy_born_potential_init(pot);
    fmpq_poly_init(s);
    fmpq_init(Rq);
    fmpq_init(q);
    status = lam == NULL ? fy_error_set(err, FY_ENOMEM, "out of memory") : FY_OK;
    if (status == FY_OK)
        status = fy_fmpq_set_d(Rq, R, err);
    for (k = 0; k < d && status == FY_OK; k++)
        status = fy_fmpq_set_d(Uq + k, U[k], err);
    if (status == FY_OK)
        status = fy_born_potential_set_steps(pot, d, Rq, Uq, err);
    if (status == FY_OK)
        status = fy_born_series(s, pot, NB, err);
    for (p = 0; p < NPTS && status == FY_OK; p++)
        for (k = 0; k < d; k++)
            lam[p * d + k] = (p / (double) (NPTS - 1)) * U[k];
    if (status == FY_OK)
        status = fy_borntaylor_a0_batch(a0v, lam, NPTS, d, &R, err);
    if (status == FY_OK)
        status = fy_net_eval(f1v, demo->F1, lam, NPTS, d, err);
    for (p = 0; p < NPTS && status == FY_OK; p++)
    {
        double L = p / (double) (NPTS - 1), S = 0, Ln = 1;
        double *r = demo->partial + p * (4 + NB);
        r[0] = L;
        r[1] = a0v[p];
        for (k = 1; k <= NB; k++)
        {
            fmpq_poly_get_coeff_fmpq(q, s, k);
            Ln *= L;
            S += fy_fmpq_get_d(q) * Ln;
            r[1 + k] = S;
        }
        r[2 + NB] = f1v[p];
        r[3 + NB] = L * demo->bv1->heldout_terms[0] + L * L * demo->bv2->heldout_terms[1];
    }
    free(lam);
    fmpq_clear(q);
    fmpq_clear(Rq);
    fmpq_poly_clear(s);
    fy_born_potential_clear(pot);
    _fmpq_vec_clear(Uq, d);
    return status;
}

static int demo_partial_csv(fy_borntaylor_demo_t demo, fy_error_t err)
{
    fy_ofile_t of;
    int p, k, status = csv_open(of, demo->o.dir, "born_partial_sums.csv", err);
    if (status != FY_OK)
        return status;
    fprintf(of->fp, "lambda,a0");
    for (k = 1; k <= NB; k++)
        fprintf(of->fp, ",S%d", k);
    fprintf(of->fp, ",F1,A2\n");
    for (p = 0; p < NPTS; p++)
    {
        for (k = 0; k < 4 + NB; k++)
            fprintf(of->fp, "%s%.17g", k ? "," : "", demo->partial[p * (4 + NB) + k]);
        fputc('\n', of->fp);
    }
    status = fy_ofile_commit(of, err);
    demo->files[demo->nfiles++] = "born_partial_sums.csv";
    return status;
}

/* The PDF figures; a figure that cannot be drawn is left out (the CSV files hold its data). */
static void demo_figures(fy_borntaylor_demo_t demo)
{
    const char *dir = demo->o.dir;
    fy_error_t perr;
    int d = demo->o.d, ok;
    if (!fy_plot_available())
        return;
    fy_error_init(perr);
    ok = _fy_borntaylor_plot_gradient(dir, demo->c3, demo->grad1, d, demo->o.R, perr) == FY_OK;
    ok = _fy_borntaylor_plot_hessians(dir, demo->H2, demo->Hexact, d, perr) == FY_OK && ok;
    ok = _fy_borntaylor_plot_partial(dir, demo->partial, NPTS, NB, perr) == FY_OK && ok;
    demo->plots = ok;
    demo->files[demo->nfiles++] = "gradient.pdf";
    demo->files[demo->nfiles++] = "gradient.png";
    demo->files[demo->nfiles++] = "hessian.pdf";
    demo->files[demo->nfiles++] = "hessian.png";
    demo->files[demo->nfiles++] = "born_partial_sums.pdf";
    demo->files[demo->nfiles++] = "born_partial_sums.png";
}

/* The caption below a diagram: which diagram, |Aut|, its share (malloc'ed, NULL when out of
 * memory). */
static char *caption(int k, const fy_diagram_struct *d, const char *shape, double share)
{
    char *aut = fmpz_get_str(NULL, 10, d->aut), *cap;
    size_t n = 256 + (shape ? strlen(shape) : 0) + (aut ? strlen(aut) : 0);
    if (aut == NULL || (cap = malloc(n)) == NULL)
    {
        flint_free(aut);
        return NULL;
    }
    snprintf(cap, n, "Hessian of F2, diagram %d: %s\n|Aut| = %s, %.1f%% of the Hessian's norm",
             k + 1, shape ? shape : "", aut, 100 * share);
    flint_free(aut);
    return cap;
}

/* The three largest diagrams of F_2's Hessian in the style of `feynn diagrams` (the rule
 * files' styles when they load) with a caption: DOT, and PDF when Graphviz's dot is there. */
static int demo_diagrams(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_borntaylor_order_struct *ord = demo->bv2->ord + 1;
    const char *dir = demo->o.dir;
    fy_rules_t rules;
    fy_error_t rerr;
    int k, status = FY_OK, have_rules;
    demo->have_dot = fy_program_available("dot");
    fy_rules_init(rules);
    fy_error_init(rerr);
    have_rules = fy_rules_load_default(rules, rerr) == FY_OK;
    for (k = 0; k < ord->n_top && k < 3 && status == FY_OK; k++)
    {
        const fy_diagram_struct *dg = demo->bv2->diagrams[1].d + ord->top[k];
        fy_draw_options_t dopt;
        char *dot = NULL, *text = NULL, *cap = NULL, path[4096];
        int pdf = 0;
        fy_draw_options_init(dopt);
        if (have_rules)
        {
            dopt->style = fy_rules_draw_style;
            dopt->style_ctx = (void *) rules;
        }
        snprintf(path, sizeof path, "%s/diagram_o2_%d.dot", dir, k + 1);
        status = fy_draw_dot(&dot, dg, dopt, err);
        if (status == FY_OK &&
            (cap = caption(k, dg, ord->top_shape[k], ord->top_share[k])) == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory (diagram %d)", k + 1);
        if (status == FY_OK)
            status = fy_draw_dot_caption(&text, dot, cap, err);
        if (status == FY_OK)
            status = fy_draw_dot_write(path, text, &pdf, err);
        demo->dots += pdf;
        free(dot);
        free(cap);
        free(text);
    }
    fy_rules_clear(rules);
    return status;
}

int _fy_borntaylor_demo_files(fy_borntaylor_demo_t demo, fy_error_t err)
{
    int status = demo_matrices(demo, err);
    if (status == FY_OK)
        status = demo_csv(demo, err);
    if (status == FY_OK)
        status = demo_partial(demo, err);
    if (status == FY_OK)
        status = demo_partial_csv(demo, err);
    if (status == FY_OK)
        demo_figures(demo);
    if (status == FY_OK)
        status = demo_diagrams(demo, err);
    return status;
}
