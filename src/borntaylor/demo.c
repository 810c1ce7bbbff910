/* demo.c - the Born-Taylor demonstration end to end (MATH.md 2.4; see borntaylor.h).
 *
 * Data (by default step potentials uniform in a symmetric box, each with a convergent Born
 * series, and their certified a_0; held-out potentials are random shallow attractive ones of
 * the physical distribution), one network F_1 trained on (U, a_0) and verified against the
 * exact Born tensors, the iterative scheme to second order (F_2 trained on a_0 - T_1, T_1 the
 * learned first-order term T_1[F_1] or, on request, the exact c3.U) verified likewise, then the
 * results folder (demo_files.c) and the report (demo_report.c).  Nothing here lets the Taylor
 * coefficients or the Born tensors into training: they are only used to verify. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/mlp.h"
#include "feynn/train.h"
#include "feynn/util.h"

void fy_borntaylor_demo_opts_init(fy_borntaylor_demo_opts_t o, int quick, int box)
{
    memset(o, 0, sizeof *o);
    o->quick = quick;
    o->box = box;
    o->box_a = 1.5;
    o->dir = "feynn-demo";
    o->seed = 1;
    o->identity_K = 3;
    o->R = 1.0;
    o->margin = 0.5;
    o->s_min = 0.02;
    o->s_max = 1.0;
    o->emphasis = 1.5;
    o->mirror = 1;
    o->d = quick ? 8 : 16;
    o->n1 = box ? (quick ? 1000 : 4000) : (quick ? 300 : 1200); /* box or attractive */
    o->nheld = quick ? 100 : 400;
    o->n_dirs = quick ? 300 : 1200;
    o->n_per = quick ? 4 : 5;
    o->hidden1 = "32,32";
    if (box)
    {
        /* the symmetric box: unweighted fits, one network per iteration */
        o->epochs1 = o->epochs2 = quick ? 40 : 60;
        o->lbfgs1 = o->lbfgs2 = 200;
        o->hidden2 = "32,32";
        o->ensemble = 1;
        o->wpower = o->wpower1 = 0;
    }
    else
    {
        o->epochs1 = o->epochs2 = quick ? 60 : 150;
        o->lbfgs1 = quick ? 30 : 150;
        o->lbfgs2 = quick ? 30 : 200;
        o->hidden2 = quick ? "32,32" : "64,64";
        o->ensemble = quick ? 1 : 4;
        o->wpower = 4;
        o->wpower1 = 2;
    }
    if (box == FY_BORNTAYLOR_DATA_ATTRACTIVE)
    {
        /* [KM]'s setting (issue 10, item 3): U = 0 is a corner of the data, so the Taylor
         * terms are read off at the edge of the fit, where only a fit far more accurate than
         * the box's pins them down: long full-batch L-BFGS polishing for both networks, and
         * for F_2 sample weights (|U|^2 + floor^2)^-1, so that its loss is not only that of
         * the largest potentials (power 4, the relative error of an O(|U|^2) residual, did
         * worse: measured in the stretch of item 3) */
        o->lbfgs1 = 5000;
        o->lbfgs2 = 10000;
        o->wpower = 2;
    }
}

void fy_borntaylor_demo_init(fy_borntaylor_demo_t demo)
{
    memset(demo, 0, sizeof *demo);
    fy_born_data_init(demo->data);
    fy_born_data_init(demo->held);
    fy_born_data_init(demo->held_own);
    fy_net_init(demo->F1);
    fy_net_init(demo->F2);
    fy_borntaylor_verify_init(demo->bv1);
    fy_borntaylor_verify_init(demo->bv2);
    demo->min_radius = NAN;
    demo->phys_inside = -1;
    demo->f1_rel_a0 = demo->f1_rel_a0_own = NAN;
    demo->proxy_rel = demo->proxy_rel_a0 = demo->born2_rel_a0 = NAN;
    demo->grad2_ratio = NAN;
}

void fy_borntaylor_demo_clear(fy_borntaylor_demo_t demo)
{
    fy_born_data_clear(demo->data);
    fy_born_data_clear(demo->held);
    fy_born_data_clear(demo->held_own);
    fy_net_clear(demo->F1);
    fy_net_clear(demo->F2);
    fy_borntaylor_verify_clear(demo->bv1);
    fy_borntaylor_verify_clear(demo->bv2);
    free(demo->X);
    free(demo->y);
    free(demo->c3);
    free(demo->grad1);
    free(demo->grad2);
    free(demo->Hexact);
    free(demo->H1);
    free(demo->H2);
    free(demo->proxy);
    memset(demo, 0, sizeof *demo);
}

void _fy_borntaylor_demo_say(const fy_borntaylor_demo_t demo, const char *fmt, ...)
{
    va_list ap;
    if (demo->o.log == NULL)
        return;
    fprintf(demo->o.log, "demo [%6.1f s] ", fy_wall_time() - demo->t0);
    va_start(ap, fmt);
    vfprintf(demo->o.log, fmt, ap);
    va_end(ap);
    fputc('\n', demo->o.log);
}

typedef struct
{
    const char *label;
    int every;
    FILE *log;
} progress_t;

static int progress(void *ctx, const fy_train_progress_struct *p)
{
    progress_t *pc = ctx;
    if (p->step == p->total || p->step % pc->every == 0)
        fprintf(pc->log, "%s: %s %d/%d  train %.3e  val %.3e\n", pc->label, p->phase, p->step,
                p->total, p->train_loss, p->val_loss);
    return 0;
}

/* One network on (X, y) (or on y - f(X) when f is given), with the demo's progress lines. */
static int train_net(fy_net_t out, const fy_borntaylor_demo_t demo, const char *hidden,
                     int epochs, int lbfgs, uint64_t seed, const double *weights, fy_train_fn f,
                     void *fctx, const char *label, fy_train_report_t rep, fy_error_t err)
{
    fy_train_opts_t opts;
    progress_t pc;
    int d = demo->o.d, status;
    fy_train_opts_init(opts);
    status = fy_train_opts_set_hidden(opts, hidden, err);
    if (status != FY_OK)
        return status;
    opts->epochs = epochs;
    opts->lbfgs_iters = lbfgs;
    opts->seed = seed;
    opts->sample_weight = weights;
    opts->patience = 0;
    pc.label = label;
    pc.every = epochs >= 10 ? epochs / 5 : 1;
    pc.log = demo->o.log;
    if (pc.log != NULL)
    {
        opts->progress = progress;
        opts->progress_ctx = &pc;
    }
    if (f != NULL)
        return fy_train_mlp_residual(out, demo->X, demo->y, demo->n2, d, f, fctx, opts, rep,
                                     err);
    return fy_train_mlp(out, demo->X, demo->y, demo->n2, d, opts, rep, err);
}

/* Rays U = s w through the directions dirs (n_dirs x d; scales in [smin, smax], more at small
 * |U|, every other point mirrored to -U when asked) with exact a_0: n_dirs * n_per rows. */
static int demo_rays(double *X, double *y, const fy_borntaylor_demo_t demo, const double *dirs,
                     long n_dirs, uint64_t seed, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    long i, n = n_dirs * o->n_per;
    int k, d = o->d, status;
    double R = o->R;
    status = fy_train_rays(X, NULL, dirs, n_dirs, d, (int) o->n_per, o->s_min, o->s_max,
                           o->emphasis, seed, NULL, NULL, err);
    for (i = 1; o->mirror && status == FY_OK && i < n; i += 2)
        for (k = 0; k < d; k++)
            X[i * d + k] = -X[i * d + k];
    if (status == FY_OK)
        status = fy_borntaylor_a0_batch(y, X, n, d, &R, err);
    return status;
}

/* Held-out potentials of the rays: rays through fresh directions, the first nheld points. */
static int demo_rays_heldout(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    long ndirs = (o->nheld + o->n_per - 1) / o->n_per;
    fy_born_data_t dirs;
    double *X = NULL, *y = NULL;
    int status;
    fy_born_data_init(dirs);
    status = fy_born_data_generate(dirs, ndirs, o->d, o->R, o->margin, demo->seed_own, 0, err);
    if (status == FY_OK)
    {
        X = malloc(sizeof(double) * (size_t) (ndirs * o->n_per) * (size_t) o->d);
        y = malloc(sizeof(double) * (size_t) (ndirs * o->n_per));
        if (X == NULL || y == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory (held-out rays)");
    }
    if (status == FY_OK)
        status = demo_rays(X, y, demo, dirs->U, ndirs, demo->seed_own + 17, err);
    if (status == FY_OK)
    {
        fy_born_data_struct *h = demo->held_own;
        h->n = o->nheld;
        h->d = o->d;
        h->R = o->R;
        h->margin = o->margin;
        h->seed = demo->seed_own;
        h->U = X;
        h->a0 = y;
        X = y = NULL;
        h->description = strdup("rays U = s w through shallow attractive directions w, as the "
                                "training data (scales, mirroring), fresh directions");
        if (h->description == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    free(X);
    free(y);
    fy_born_data_clear(dirs);
    return status;
}

/* The held-out potentials of the training distribution (another seed). */
static int demo_heldout_own(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    double minr;
    switch (o->box)
    {
    case FY_BORNTAYLOR_DATA_BOX:
        return fy_borntaylor_box_generate(demo->held_own, &minr, o->nheld, o->d, o->R,
                                          o->box_a, o->margin, demo->seed_own, err);
    case FY_BORNTAYLOR_DATA_ATTRACTIVE:
        return fy_born_data_generate(demo->held_own, o->nheld, o->d, o->R, o->margin,
                                     demo->seed_own, 0, err);
    default:
        return demo_rays_heldout(demo, err);
    }
}

static int demo_write_data(fy_borntaylor_demo_t demo, const fy_born_data_t data,
                           const char *name, fy_error_t err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", demo->o.dir, name);
    demo->files[demo->nfiles++] = name;
    return fy_born_data_write_safetensors(path, data, err);
}

/* 1. the data: training potentials (box, attractive, or the directions of the rays) and the
 * held-out ones of both distributions */
static int demo_data(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    int status;
    demo->seed_phys = o->seed * 1000003u + 7919u;
    demo->seed_own = o->seed * 1000003u + 104729u;
    _fy_borntaylor_demo_say(demo, "data: %ld training potentials, %ld held-out of the training "
                            "distribution and %ld physical ones, %d steps on (0, %g], margin %g",
                            o->n1, o->nheld, o->nheld, o->d, o->R, o->margin);
    if (o->box == FY_BORNTAYLOR_DATA_BOX)
        status = fy_borntaylor_box_generate(demo->data, &demo->min_radius, o->n1, o->d, o->R,
                                            o->box_a, o->margin, o->seed, err);
    else
        status = fy_born_data_generate(demo->data, o->n1, o->d, o->R, o->margin, o->seed, 0,
                                       err);
    if (status == FY_OK)
        status = fy_born_data_generate(demo->held, o->nheld, o->d, o->R, o->margin,
                                       demo->seed_phys, 0, err);
    if (status == FY_OK)
        status = demo_heldout_own(demo, err);
    if (status == FY_OK)
        status = demo_write_data(demo, demo->data, "data.safetensors", err);
    if (status == FY_OK)
        status = demo_write_data(demo, demo->held, "heldout.safetensors", err);
    if (status == FY_OK)
        status = demo_write_data(demo, demo->held_own, "heldout_own.safetensors", err);
    return status;
}

/* The training set of both networks: the box data, or rays U = s w through the directions w
 * (scales s in [smin, smax], more at small |U|, every other point mirrored to -U so that U = 0
 * lies inside the data) with exact a_0. */
static int demo_training_set(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    long ndirs = o->n_dirs < demo->data->n ? o->n_dirs : demo->data->n;
    int d = o->d, rays = o->box == FY_BORNTAYLOR_DATA_RAYS;
    demo->n2 = rays ? ndirs * o->n_per : demo->data->n;
    demo->X = malloc(sizeof(double) * (size_t) demo->n2 * (size_t) d);
    demo->y = malloc(sizeof(double) * (size_t) demo->n2);
    if (demo->X == NULL || demo->y == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (training rays)");
    if (!rays)
    {
        if (o->box == FY_BORNTAYLOR_DATA_BOX)
            _fy_borntaylor_demo_say(demo, "training data: %ld potentials, U_j uniform in "
                                    "[-%g, %g] (symmetric box), every Born series convergent "
                                    "(smallest radius > %.3f)", demo->n2, o->box_a, o->box_a,
                                    demo->min_radius);
        else
            _fy_borntaylor_demo_say(demo, "training data: %ld random shallow attractive "
                                    "potentials (U = 0 on the boundary of the data)", demo->n2);
        memcpy(demo->X, demo->data->U, sizeof(double) * (size_t) demo->n2 * (size_t) d);
        memcpy(demo->y, demo->data->a0, sizeof(double) * (size_t) demo->n2);
        return FY_OK;
    }
    _fy_borntaylor_demo_say(demo, "rays: %ld directions x %ld scales in [%g, %g] (emphasis %g)"
                            "%s, exact a_0", ndirs, o->n_per, o->s_min, o->s_max, o->emphasis,
                            o->mirror ? ", every other one mirrored to -U" : "");
    return demo_rays(demo->X, demo->y, demo, demo->data->U, ndirs, o->seed + 17, err);
}

/* Sample weights towards small |U| (power P; floor: a small fraction of the typical |U|). */
static int demo_weights(double **w, const fy_borntaylor_demo_t demo, double P, fy_error_t err)
{
    double s = 0;
    long i, n = demo->n2 * demo->o.d;
    *w = NULL;
    if (!(P > 0))
        return FY_OK;
    for (i = 0; i < n; i++)
        s += demo->X[i] * demo->X[i];
    *w = malloc(sizeof(double) * (size_t) demo->n2);
    if (*w == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (weights)");
    return fy_train_weights_small(*w, demo->X, demo->n2, demo->o.d, P,
                                  0.05 * sqrt(s / (double) demo->n2), err);
}

/* 2. F_1 on (U, a_0), saved and verified */
static int demo_first(fy_borntaylor_demo_t demo, const fy_rules_t rules, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    fy_train_report_t rep;
    double *w = NULL, t;
    char path[4096];
    int status = demo_training_set(demo, err);
    if (status == FY_OK)
        status = demo_weights(&w, demo, o->wpower1, err);
    demo->t_data = fy_wall_time() - demo->t0;
    _fy_borntaylor_demo_say(demo, "train F_1 (%s tanh, %d epochs, %d L-BFGS) on (U, a_0)",
                            o->hidden1, o->epochs1, o->lbfgs1);
    fy_train_report_init(rep);
    if (status == FY_OK)
        status = train_net(demo->F1, demo, o->hidden1, o->epochs1, o->lbfgs1, o->seed, w, NULL,
                           NULL, "F_1", rep, err);
    fy_train_report_clear(rep);
    free(w);
    demo->t_f1 = fy_wall_time() - demo->t0 - demo->t_data;
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/F1.safetensors", o->dir);
        status = fy_borntaylor_net_save(path, demo->F1, o->R, NULL,
                                        "demo: F_1 trained on (U, a_0)", err);
        demo->files[demo->nfiles++] = "F1.safetensors";
    }
    if (status != FY_OK)
        return status;
    t = fy_wall_time();
    _fy_borntaylor_demo_say(demo, "verify F_1 against the exact Born tensors (orders 1, 2)");
    status = fy_borntaylor_verify(demo->bv1, demo->F1, rules, 2, o->R, demo->held->U,
                                  demo->held->a0, demo->held->n, o->identity_K, 2, NULL, err);
    demo->t_ver += fy_wall_time() - t;
    if (status == FY_OK)
        _fy_borntaylor_demo_say(demo, "first order: relative Frobenius error of grad F_1(0) "
                                "against c3: %.4f (target %g)", demo->bv1->ord[0].rel_frobenius,
                                FY_BORNTAYLOR_TARGET_FIRST);
    return status;
}

/* The ensemble members of F_2, each trained on a_0 - T_1 (T1 the polynomial subtracted). */
static int demo_train_second(fy_borntaylor_demo_t demo, fy_train_poly_struct *T1,
                             const double *w, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    fy_net_struct *members = calloc((size_t) o->ensemble, sizeof(fy_net_struct));
    fy_train_report_t rep;
    int k, made = 0, status = FY_OK;
    if (members == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    fy_train_report_init(rep);
    for (k = 0; k < o->ensemble && status == FY_OK; k++)
    {
        char label[32];
        fy_net_init(members + k);
        made++;
        snprintf(label, sizeof label, o->ensemble > 1 ? "F_2[%d]" : "F_2", k + 1);
        _fy_borntaylor_demo_say(demo, "train %s (%s tanh, %d epochs, %d L-BFGS) on a_0 - %s",
                                label, o->hidden2, o->epochs2, o->lbfgs2,
                                o->first_exact ? "c3.U (exact T_1)" : "T_1[F_1] (learned)");
        fy_train_report_clear(rep);
        fy_train_report_init(rep);
        status = train_net(members + k, demo, o->hidden2, o->epochs2, o->lbfgs2,
                           o->seed + 101 + (uint64_t) k, w, fy_train_fn_poly, T1, label, rep,
                           err);
    }
    if (status == FY_OK)
        status = fy_net_ensemble(demo->F2, members, o->ensemble, err);
    for (k = 0; k < made; k++)
        fy_net_clear(members + k);
    free(members);
    fy_train_report_clear(rep);
    return status;
}

/* 3. the iterative scheme: F_2 on the residual a_0 - T_1, saved and verified */
static int demo_second(fy_borntaylor_demo_t demo, const fy_rules_t rules, fy_error_t err)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    fy_train_poly_struct T1;
    double *w = NULL, t;
    char path[4096];
    int k, d = o->d, status = FY_OK;
    demo->grad1 = calloc((size_t) d, sizeof(double));
    demo->c3 = calloc((size_t) d, sizeof(double));
    if (demo->grad1 == NULL || demo->c3 == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (k = 0; k < d; k++)
    {
        int idx[1] = {k};
        demo->grad1[k] = *fy_symtensor_entry_d(demo->bv1->model + 1, idx);
        demo->c3[k] = fy_fmpq_get_d(fy_symtensor_entry_fmpq(demo->bv1->exact + 0, idx));
    }
    status = demo_weights(&w, demo, o->wpower, err);
    memset(&T1, 0, sizeof T1);
    T1.d = d;
    T1.c0 = 0;
    T1.c = o->first_exact ? demo->c3 : demo->grad1;
    T1.H = NULL;
    if (status == FY_OK)
        status = demo_train_second(demo, &T1, w, err);
    free(w);
    demo->t_f2 = fy_wall_time() - demo->t0 - demo->t_data - demo->t_f1 - demo->t_ver;
    if (status == FY_OK)
    {
        snprintf(path, sizeof path, "%s/F2.safetensors", o->dir);
        status = fy_borntaylor_net_save(path, demo->F2, o->R,
                                        o->first_exact ? "exact c3.U" : "F1.safetensors",
                                        "demo: F_2 trained on a_0 - T_1", err);
        demo->files[demo->nfiles++] = "F2.safetensors";
    }
    if (status != FY_OK)
        return status;
    t = fy_wall_time();
    _fy_borntaylor_demo_say(demo, "verify F_2 (orders 1, 2)");
    status = fy_borntaylor_verify(demo->bv2, demo->F2, rules, 2, o->R, demo->held->U,
                                  demo->held->a0, demo->held->n, 0, 2, NULL, err);
    demo->t_ver += fy_wall_time() - t;
    return status;
}

/* F_1 against a_0 on the held-out potentials of its training distribution; for the box, the
 * physical held-out potentials that lie inside it. */
static int demo_own(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_born_data_struct *h = demo->held_own, *p = demo->held;
    double *v = malloc(sizeof(double) * (size_t) h->n);
    long i, j;
    int status;
    if (v == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    status = fy_net_eval(v, demo->F1, h->U, h->n, demo->o.d, err);
    if (status == FY_OK)
        demo->f1_rel_a0_own = fy_borntaylor_rel_rms(v, h->a0, h->n, 1);
    free(v);
    if (demo->o.box != FY_BORNTAYLOR_DATA_BOX)
        return status;
    demo->phys_inside = 0;
    for (i = 0; i < p->n; i++)
    {
        for (j = 0; j < p->d && fabs(p->U[i * p->d + j]) <= demo->o.box_a; j++)
            ;
        demo->phys_inside += j == p->d;
    }
    return status;
}

/* The proxy A_2 = T_1[F_1] + T_2[F_2] on the held-out potentials, F_1 against a_0, targets. */
static int demo_proxy(fy_borntaylor_demo_t demo, fy_error_t err)
{
    const fy_born_data_struct *held = demo->held;
    const fy_borntaylor_verify_struct *bv1 = demo->bv1, *bv2 = demo->bv2;
    double *f1v = malloc(sizeof(double) * (size_t) held->n);
    double *bsum = malloc(sizeof(double) * (size_t) held->n);
    long i;
    int status = FY_OK;
    demo->proxy = malloc(sizeof(double) * (size_t) held->n);
    if (demo->proxy == NULL || bsum == NULL || f1v == NULL)
        status = fy_error_set(err, FY_ENOMEM, "out of memory");
    for (i = 0; i < held->n && status == FY_OK; i++)
    {
        demo->proxy[i] = bv1->heldout_terms[i * 2] + bv2->heldout_terms[i * 2 + 1];
        bsum[i] = bv1->heldout_born[i * 2] + bv1->heldout_born[i * 2 + 1];
    }
    if (status == FY_OK)
    {
        demo->proxy_rel = fy_borntaylor_rel_rms(demo->proxy, bsum, held->n, 1);
        demo->proxy_rel_a0 = fy_borntaylor_rel_rms(demo->proxy, held->a0, held->n, 1);
        demo->born2_rel_a0 = fy_borntaylor_rel_rms(bsum, held->a0, held->n, 1);
        status = fy_net_eval(f1v, demo->F1, held->U, held->n, demo->o.d, err);
    }
    if (status == FY_OK)
        demo->f1_rel_a0 = fy_borntaylor_rel_rms(f1v, held->a0, held->n, 1);
    if (status == FY_OK)
        status = demo_own(demo, err);
    free(f1v);
    free(bsum);
    if (status != FY_OK)
        return status;
    demo->grad2_ratio = bv2->ord[0].norm_model / bv2->ord[0].norm_exact;
    demo->first_met = bv1->ord[0].rel_frobenius <= FY_BORNTAYLOR_TARGET_FIRST;
    demo->second_met = bv2->ord[1].rel_heldout <= FY_BORNTAYLOR_TARGET_SECOND;
    _fy_borntaylor_demo_say(demo, "second order: held-out relative RMS of T_2[F_2] against "
                            "a_0^(2): %.4f (target %g); Hessian against -2K: rel. Frobenius "
                            "%.4f", bv2->ord[1].rel_heldout, FY_BORNTAYLOR_TARGET_SECOND,
                            bv2->ord[1].rel_frobenius);
    return FY_OK;
}

int fy_borntaylor_demo_run(fy_borntaylor_demo_t demo, const fy_borntaylor_demo_opts_t o,
                           const fy_rules_t rules, fy_error_t err)
{
    int status;
    int rays = o->box == FY_BORNTAYLOR_DATA_RAYS;
    if (o->d < 1 || o->d > 64 || o->n1 < 1 || o->nheld < 1 || o->ensemble < 1 ||
        o->ensemble > 64 || o->dir == NULL || o->hidden1 == NULL || o->hidden2 == NULL ||
        o->box < FY_BORNTAYLOR_DATA_RAYS || o->box > FY_BORNTAYLOR_DATA_ATTRACTIVE ||
        (rays && (o->n_dirs < 1 || o->n_per < 1 || !(o->s_min < o->s_max))))
        return fy_error_set(err, FY_EUSAGE, "demo settings: data kind %d (0..2), steps %d "
                            "(1..64), samples %ld, held-out %ld, ensemble %d (1..64), rays %ld "
                            "x %ld at scales %g..%g (increasing) and a results folder are "
                            "needed", o->box, o->d, o->n1, o->nheld, o->ensemble, o->n_dirs,
                            o->n_per, o->s_min, o->s_max);
    fy_borntaylor_demo_clear(demo);
    fy_borntaylor_demo_init(demo);
    demo->o = *o;
    demo->t0 = fy_wall_time();
    status = fy_mkdir_p(o->dir, err);
    if (status == FY_OK)
        status = demo_data(demo, err);
    if (status == FY_OK)
        status = demo_first(demo, rules, err);
    if (status == FY_OK)
        status = demo_second(demo, rules, err);
    if (status == FY_OK)
        status = demo_proxy(demo, err);
    if (status == FY_OK)
        status = _fy_borntaylor_demo_files(demo, err);
    if (status == FY_OK)
        status = _fy_borntaylor_demo_reports(demo, err);
    return status;
}
