/* The trainer: data checks, validation split, standardisation, minibatch Adam with early
 * stopping, full-batch L-BFGS polishing, and the folding of the standardisation into the
 * first and last layers of the network handed back.
 *
 * Determinism: a batch of B rows is cut into nc = min(ceil(B / chunk_rows), FY_TRAIN_CHUNKS)
 * chunks at fixed boundaries; each chunk's loss and gradient are computed independently (by
 * whichever thread) into their own slots and summed in chunk order.  Nothing depends on the
 * number of threads, so neither do the weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feynn/util.h"
#include "train/optim.h"
#include "train/train_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef FY_HAVE_CBLAS
/* OpenBLAS's own thread pool: pinned to one thread while the trainer's OpenMP threads run
 * the chunks (weak, so that another CBLAS links too). */
extern int openblas_get_num_threads(void) __attribute__((weak));
extern void openblas_set_num_threads(int) __attribute__((weak));
#endif

/* Most chunks per batch (bounds the per-chunk gradient slots). */
#define FY_TRAIN_CHUNKS 64

void fy_train_opts_init(fy_train_opts_t o)
{
    memset(o, 0, sizeof *o);
    o->n_hidden = 2;
    o->hidden[0] = o->hidden[1] = 64;
    o->activation = "tanh";
    o->epochs = 200;
    o->batch_size = 128;
    o->lr = 1e-3;
    o->lr_min = 1e-5;
    o->schedule = FY_TRAIN_SCHED_COSINE;
    o->step_epochs = 50;
    o->step_gamma = 0.5;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->weight_decay = 0.0;
    o->val_fraction = 0.1;
    o->patience = 30;
    o->min_delta = 0.0;
    o->seed = 1;
    o->threads = 0;
    o->use_blas = 1;
    o->chunk_rows = 64;
    o->scale_x = FY_TRAIN_SCALE_STANDARD;
    o->scale_y = FY_TRAIN_SCALE_STANDARD;
    o->init_gain = 0.0;
    o->init_bias_std = 0.0;
    o->lbfgs_iters = 0;
    o->lbfgs_m = 10;
    o->lbfgs_gtol = 1e-12;
    o->progress_bar = 0;
}

int fy_train_opts_set_hidden(fy_train_opts_t o, const char *widths, fy_error_t err)
{
    const char *p = widths;
    int n = 0;
    while (p && *p)
    {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1)
            return fy_error_set(err, FY_EINPUT,
                                "hidden widths \"%s\": expected positive integers separated by "
                                "',' or '-'", widths);
        if (v > FY_IO_MAX_WIDTH)
            return fy_error_set(err, FY_EINPUT, "hidden widths \"%s\": width %ld is above the "
                                "largest layer width, %ld", widths, v, (long) FY_IO_MAX_WIDTH);
        if (n == FY_TRAIN_MAX_HIDDEN)
            return fy_error_set(err, FY_EINPUT, "hidden widths \"%s\": at most %d hidden layers",
                                widths, FY_TRAIN_MAX_HIDDEN);
        o->hidden[n++] = (int) v;
        p = end;
        if (*p == ',' || *p == '-')
            p++;
        else if (*p)
            return fy_error_set(err, FY_EINPUT,
                                "hidden widths \"%s\": unexpected '%c'", widths, *p);
    }
    o->n_hidden = n;
    return FY_OK;
}

void fy_train_report_init(fy_train_report_t r)
{
    memset(r, 0, sizeof *r);
    r->best_val_loss = r->initial_val_loss = NAN;
    fy_net_init(r->net_std);
}

void fy_train_report_clear(fy_train_report_t r)
{
    free(r->train_loss);
    free(r->val_loss);
    free(r->x_shift);
    free(r->x_scale);
    fy_net_clear(r->net_std);
    fy_train_report_init(r);
}

/* ------------------------------------------------------------------ the training context */

typedef struct
{
    fy_tmodel_struct m;
    const double *Xs, *ys, *wt;
    int nthreads;
    long chunk_rows;
    fy_twork_struct *ws; /* one per thread */
    double *cg;          /* FY_TRAIN_CHUNKS x np chunk gradients */
    double cl[FY_TRAIN_CHUNKS];
} tctx;

static long num_chunks(const tctx *C, long B)
{
    long nc = (B + C->chunk_rows - 1) / C->chunk_rows;
    return nc < 1 ? 1 : (nc > FY_TRAIN_CHUNKS ? FY_TRAIN_CHUNKS : nc);
}

/* Weighted loss sum_i w_i r_i^2 / sum_i w_i over the rows idx[0..B-1]; gradient of it into
 * grad when not NULL. */
static double batch_eval(tctx *C, const double *P, const long *idx, long B, double *grad)
{
    const size_t np = C->m.np;
    long nc = num_chunks(C, B), k, i;
    double loss = 0.0, wsum = 0.0;

    if (C->wt)
        for (i = 0; i < B; i++)
            wsum += C->wt[idx[i]];
    else
        wsum = (double) B;
    if (!(wsum > 0))
        wsum = 1.0;

#ifdef _OPENMP
#pragma omp parallel for num_threads(C->nthreads) schedule(static)
#endif
    for (k = 0; k < nc; k++)
    {
        int t = 0;
        long lo = B * k / nc, hi = B * (k + 1) / nc;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        C->cl[k] = _fy_chunk_loss_grad(grad ? C->cg + (size_t) k * np : NULL, NULL, &C->m, P,
                                       C->Xs, C->ys, C->wt, idx + lo, hi - lo, C->ws + t);
    }
    for (k = 0; k < nc; k++)
        loss += C->cl[k];
    if (grad)
    {
        long j, nps = (long) np;
#ifdef _OPENMP
#pragma omp parallel for num_threads(C->nthreads) schedule(static)
#endif
        for (j = 0; j < nps; j++)
        {
            double s = C->cg[j];
            long q;
            for (q = 1; q < nc; q++)
                s += C->cg[(size_t) q * np + (size_t) j];
            grad[j] = s / wsum;
        }
    }
    return loss / wsum;
}

/* ------------------------------------------------------------------ checks and set-up */

/* The parameter layout of m (L and the widths w[0..L] set): layer l's W then b. */
static void model_layout(fy_tmodel_struct *m, const fy_tact_struct *act, int use_blas)
{
    size_t off = 0;
    int l;
    m->act = act;
#ifdef FY_HAVE_CBLAS
    m->blas = use_blas != 0;
#else
    (void) use_blas;
    m->blas = 0;
#endif
    m->sumw = 0;
    m->maxw = m->w[0];
    for (l = 1; l <= m->L; l++)
    {
        m->woff[l] = off;
        off += (size_t) m->w[l] * m->w[l - 1];
        m->boff[l] = off;
        off += (size_t) m->w[l];
        m->sumw += m->w[l];
        if (m->w[l] > m->maxw)
            m->maxw = m->w[l];
    }
    m->np = off;
}

static int check_finite(const double *v, long n, int d, const char *what, fy_error_t err)
{
    long i;
    for (i = 0; i < n * d; i++)
        if (!isfinite(v[i]))
        {
            if (d > 1)
                return fy_error_set(err, FY_EINPUT,
                                    "%s row %ld column %ld is not finite (%g); remove or fix "
                                    "that sample", what, i / d, i % d, v[i]);
            return fy_error_set(err, FY_EINPUT,
                                "%s[%ld] is not finite (%g); remove or fix that sample", what, i,
                                v[i]);
        }
    return FY_OK;
}

/* He's gain for the activations that are (nearly) linear on half the line, by their
 * definitions: softplus and the other antiderivatives, relu and the piecewise linear ones;
 * 1 otherwise. */
static double default_gain(const fy_tact_struct *act)
{
    fy_act_def_t d = act->def->def;
    return d == FY_ACT_ANTIDERIVATIVE || d == FY_ACT_PIECEWISE_LINEAR ? sqrt(2.0) : 1.0;
}

/* Builds a network in out from flat parameters P (layout of m), applying the affine maps of
 * the standardisation: first layer W'_{ij} = W_ij / sx_j, b'_i = b_i - sum_j W_ij mx_j / sx_j;
 * last layer W' = sy W, b' = sy b + my.  sx == NULL: no folding. */
static int params_to_net(fy_net_t out, const fy_tmodel_struct *m, const double *P,
                         const double *mx, const double *sx, double my, double sy,
                         fy_error_t err)
{
    int l;
    fy_net_clear(out);
    out->layers = fy_calloc((size_t) m->L, sizeof *out->layers, err);
    out->widths = fy_calloc((size_t) m->L + 1, sizeof *out->widths, err);
    if (!out->layers || !out->widths)
    {
        free(out->layers);
        free(out->widths);
        out->layers = NULL;
        out->widths = NULL;
        return FY_ENOMEM;
    }
    out->L = m->L;
    out->format = FY_MODEL_SAFETENSORS;
    out->activation_source = "option";
    for (l = 0; l <= m->L; l++)
        out->widths[l] = (size_t) m->w[l];
    for (l = 1; l <= m->L; l++)
    {
        fy_layer_struct *ly = &out->layers[l - 1];
        int n = m->w[l], k = m->w[l - 1], a, j;
        char name[32];
        ly->n_out = (size_t) n;
        ly->n_in = (size_t) k;
        snprintf(name, sizeof name, "%d", 2 * (l - 1));
        ly->name = strdup(name);
        ly->W = fy_malloc((size_t) n * k, sizeof(double), err);
        ly->b = fy_malloc((size_t) n, sizeof(double), err);
        ly->activation = l < m->L ? strdup(_fy_tact_name(m->act)) : NULL;
        ly->w_dtype = ly->b_dtype = FY_DTYPE_F64;
        if (!ly->name || !ly->W || !ly->b || (l < m->L && !ly->activation))
            return fy_error_set(err, FY_ENOMEM, "out of memory building the network");
        memcpy(ly->W, P + m->woff[l], (size_t) n * k * sizeof(double));
        memcpy(ly->b, P + m->boff[l], (size_t) n * sizeof(double));
        if (l == 1 && sx)
            for (a = 0; a < n; a++)
            {
                double s = 0.0;
                for (j = 0; j < k; j++)
                {
                    s += ly->W[(size_t) a * k + j] * (mx[j] / sx[j]);
                    ly->W[(size_t) a * k + j] /= sx[j];
                }
                ly->b[a] -= s;
            }
        if (l == m->L && sx)
            for (a = 0; a < n; a++)
            {
                for (j = 0; j < k; j++)
                    ly->W[(size_t) a * k + j] *= sy;
                ly->b[a] = sy * ly->b[a] + my;
            }
    }
    return FY_OK;
}

/* The inverse: flat standardised-unit parameters from a raw-unit network. */
static int net_to_params(double *P, const fy_tmodel_struct *m, const fy_net_struct *net,
                         const double *mx, const double *sx, double my, double sy,
                         fy_error_t err)
{
    int l;
    if (net->L != m->L || net->widths == NULL)
        return fy_error_set(err, FY_EINPUT,
                            "initial network has %d layers, the options ask for %d", net->L,
                            m->L);
    for (l = 0; l <= m->L; l++)
        if (net->widths[l] != (size_t) m->w[l])
            return fy_error_set(err, FY_EINPUT,
                                "initial network has width %zu at layer %d, expected %d (input "
                                "dimension d and hidden widths must match)",
                                net->widths[l], l, m->w[l]);
    for (l = 1; l <= m->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l - 1];
        if (l < m->L && (ly->activation == NULL ||
                         strcmp(ly->activation, _fy_tact_name(m->act)) != 0))
            return fy_error_set(err, FY_EINPUT,
                                "initial network's layer %d activation is %s, expected %s", l,
                                ly->activation ? ly->activation : "(none)",
                                _fy_tact_name(m->act));
        if (l == m->L && ly->activation != NULL)
            return fy_error_set(err, FY_EINPUT,
                                "initial network has an output activation (%s); the trainer "
                                "fits a linear output", ly->activation);
    }
    for (l = 1; l <= m->L; l++)
    {
        const fy_layer_struct *ly = &net->layers[l - 1];
        int n = m->w[l], k = m->w[l - 1], a, j;
        double *W = P + m->woff[l], *b = P + m->boff[l];
        memcpy(W, ly->W, (size_t) n * k * sizeof(double));
        memcpy(b, ly->b, (size_t) n * sizeof(double));
        if (l == 1)
            for (a = 0; a < n; a++)
                for (j = 0; j < k; j++)
                {
                    b[a] += W[(size_t) a * k + j] * mx[j];
                    W[(size_t) a * k + j] *= sx[j];
                }
        if (l == m->L)
            for (a = 0; a < n; a++)
            {
                for (j = 0; j < k; j++)
                    W[(size_t) a * k + j] /= sy;
                b[a] = (b[a] - my) / sy;
            }
    }
    return FY_OK;
}

/* ------------------------------------------------------------------ L-BFGS */

/* The full-batch training loss for the shared minimiser (optim.h). */
typedef struct
{
    tctx *C;
    const long *tr;
    long ntr;
} lbfgs_fg_ctx;

static double lbfgs_fg(void *ctx, const double *P, double *g)
{
    lbfgs_fg_ctx *c = ctx;
    return batch_eval(c->C, P, c->tr, c->ntr, g);
}

/* Minimises the full-batch training loss from P with memory m; returns iterations done.
 * After each iteration hook(it, f, step) may ask to stop. */
static int lbfgs_run(tctx *C, double *P, const long *tr, long ntr, int iters, int mem,
                     double gtol, int (*hook)(void *, int, const double *, double, double),
                     void *hctx, fy_error_t err, int *rc)
{
    lbfgs_fg_ctx c;
    c.C = C;
    c.tr = tr;
    c.ntr = ntr;
    return _fy_lbfgs_minimize(P, C->m.np, iters, mem, gtol, lbfgs_fg, &c, hook, hctx, err, rc);
}

/* ------------------------------------------------------------------ the trainer */

typedef struct
{
    tctx *C;
    const fy_train_opts_struct *o;
    const long *va;
    long nva;
    double ysc2;
    double best;  /* best validation loss (standardised units) */
    double *Pbest;
    double last_val;
    int stopped;
    fy_progress_struct *bar;
    double bar_base;
} lbfgs_watch;

static int lbfgs_hook_fn(void *ctx, int it, const double *P, double f, double t)
{
    lbfgs_watch *w = ctx;
    double v = NAN;
    if (w->nva > 0)
    {
        v = batch_eval(w->C, P, w->va, w->nva, NULL);
        if (v < w->best)
        {
            w->best = v;
            memcpy(w->Pbest, P, w->C->m.np * sizeof(double));
        }
        w->last_val = v;
    }
    else
        memcpy(w->Pbest, P, w->C->m.np * sizeof(double));
    fy_progress_update(w->bar, w->bar_base + it);
    if (w->o->progress)
    {
        fy_train_progress_struct pr;
        pr.phase = "lbfgs";
        pr.step = it;
        pr.total = w->o->lbfgs_iters;
        pr.train_loss = f * w->ysc2;
        pr.val_loss = v * w->ysc2;
        pr.lr = t;
        if (w->o->progress(w->o->progress_ctx, &pr))
        {
            w->stopped = 1;
            return 1;
        }
    }
    return 0;
}

/* One training run: its request, data, model, parameters and report, shared by the steps of
 * fy_train_mlp below. */
typedef struct
{
    const fy_train_opts_struct *o;
    fy_train_report_struct *R;
    tctx C;
    fy_tact_struct act;
    fy_rules_t own_rules;
    fy_progress_t bar;
    long N, ntr, nva;
    int d, nt;
    long *perm, *tr, *va; /* a permutation of the rows: validation first, then training */
    double *Xs, *ys;      /* standardised data */
    double *mx, *sx, my, sy, ysc2;
    double *P, *Pbest, *G, *M1, *M2;
    double best;          /* best validation loss (standardised units) */
} trun;

/* The request checked before anything large is allocated. */
static int train_check(const fy_train_opts_struct *o, const double *X, const double *y, long N,
                       int d, fy_error_t err)
{
    long i;
    int l, rc;
    if (N < 2)
        return fy_error_set(err, FY_EINPUT, "training needs at least 2 samples (got %ld)", N);
    if (d < 1 || d > FY_IO_MAX_WIDTH)
        return fy_error_set(err, FY_EINPUT, "input dimension d = %d is out of range", d);
    if (X == NULL || y == NULL)
        return fy_error_set(err, FY_EINPUT, "training data missing (X or y is NULL)");
    if (o->n_hidden < 0 || o->n_hidden > FY_TRAIN_MAX_HIDDEN)
        return fy_error_set(err, FY_EINPUT, "%d hidden layers: between 0 and %d allowed",
                            o->n_hidden, FY_TRAIN_MAX_HIDDEN);
    for (l = 0; l < o->n_hidden; l++)
        if (o->hidden[l] < 1 || o->hidden[l] > FY_IO_MAX_WIDTH)
            return fy_error_set(err, FY_EINPUT, "hidden width %d at layer %d is out of range",
                                o->hidden[l], l + 1);
    if (o->epochs < 0 || o->lbfgs_iters < 0 || o->batch_size < 1 || o->chunk_rows < 1 ||
        !(o->lr >= 0) || !(o->beta1 >= 0 && o->beta1 < 1) || !(o->beta2 >= 0 && o->beta2 < 1) ||
        !(o->eps > 0) || !(o->weight_decay >= 0) || !(o->val_fraction >= 0 && o->val_fraction < 1)
        || o->patience < 0 || (o->lbfgs_iters > 0 && o->lbfgs_m < 1))
        return fy_error_set(err, FY_EINPUT,
                            "training options out of range (need epochs, lbfgs_iters >= 0; "
                            "batch_size, chunk_rows >= 1; 0 <= beta < 1; eps > 0; "
                            "0 <= val_fraction < 1; lbfgs_m >= 1)");
    if ((rc = check_finite(X, N, d, "X", err)) || (rc = check_finite(y, N, 1, "y", err)))
        return rc;
    if (o->sample_weight)
    {
        if ((rc = check_finite(o->sample_weight, N, 1, "sample weight", err)))
            return rc;
        for (i = 0; i < N; i++)
            if (o->sample_weight[i] < 0)
                return fy_error_set(err, FY_EINPUT, "sample weight[%ld] = %g is negative", i,
                                    o->sample_weight[i]);
    }
    return FY_OK;
}

/* The split sizes, the activation (the rules' definition of its name), the model layout, the
 * memory the run needs (refused above the limit before anything is allocated: issue 10, item
 * 9), the arrays and the per-thread work spaces. */
static int train_setup(trun *T, fy_error_t err)
{
    const fy_train_opts_struct *o = T->o;
    fy_tmodel_struct *m = &T->C.m;
    const fy_rules_struct *rules = NULL;
    long maxrows, wrows;
    int l, rc;

    T->nva = (long) floor(o->val_fraction * (double) T->N);
    if (o->val_fraction > 0 && T->nva < 1)
        T->nva = 1;
    T->ntr = T->N - T->nva;
    if (T->ntr < 1)
        return fy_error_set(err, FY_EINPUT, "validation split leaves no training samples");
    if ((rc = _fy_train_rules(T->own_rules, &rules, o->rules, err)) != FY_OK ||
        (rc = _fy_tact_set(&T->act, o->activation ? o->activation : "tanh", rules, err)))
        return rc;
    m->L = o->n_hidden + 1;
    m->w[0] = T->d;
    for (l = 0; l < o->n_hidden; l++)
        m->w[l + 1] = o->hidden[l];
    m->w[m->L] = 1;
    model_layout(m, &T->act, o->use_blas);
#ifdef _OPENMP
    T->nt = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    if (T->nt < 1)
        T->nt = 1;
    T->C.nthreads = T->nt;
    T->C.chunk_rows = o->chunk_rows;
    {
        /* the parameter-sized vectors: P, Pbest, G, Adam's two moments, the chunk gradients,
         * the L-BFGS history */
        double need = 8.0 * (double) m->np *
                      (5.0 + FY_TRAIN_CHUNKS + (o->lbfgs_iters > 0 ? 2.0 * o->lbfgs_m : 0.0));
        char ws[128] = "";
        for (l = 0; l < o->n_hidden && strlen(ws) < 100; l++)
            snprintf(ws + strlen(ws), sizeof ws - strlen(ws), "%s%d", l ? "," : "", o->hidden[l]);
        if (need > (double) fy_memory_limit())
            return fy_error_set(err, FY_ENOMEM, "hidden widths %s: a network of %zu parameters "
                                "needs about %.3g GB to train, above the memory limit of %.3g "
                                "GB; use smaller widths, or " FY_MEMORY_LIMIT_HINT, ws, m->np,
                                need / 1e9, (double) fy_memory_limit() / 1e9);
    }
    T->perm = fy_malloc((size_t) T->N, sizeof(long), err);
    T->Xs = fy_malloc((size_t) T->N * T->d, sizeof(double), err);
    T->ys = fy_malloc((size_t) T->N, sizeof(double), err);
    T->mx = fy_calloc((size_t) T->d, sizeof(double), err);
    T->sx = fy_malloc((size_t) T->d, sizeof(double), err);
    T->P = fy_calloc(m->np, sizeof(double), err);
    T->Pbest = fy_malloc(m->np, sizeof(double), err);
    T->G = fy_malloc(m->np, sizeof(double), err);
    T->M1 = fy_calloc(m->np, sizeof(double), err);
    T->M2 = fy_calloc(m->np, sizeof(double), err);
    T->C.cg = fy_malloc((size_t) FY_TRAIN_CHUNKS * m->np, sizeof(double), err);
    T->C.ws = fy_calloc((size_t) T->nt, sizeof(fy_twork_struct), err);
    T->R->train_loss = fy_malloc((size_t) o->epochs + 1, sizeof(double), err);
    T->R->val_loss = fy_malloc((size_t) o->epochs + 1, sizeof(double), err);
    if (!T->perm || !T->Xs || !T->ys || !T->mx || !T->sx || !T->P || !T->Pbest || !T->G ||
        !T->M1 || !T->M2 || !T->C.cg || !T->C.ws || !T->R->train_loss || !T->R->val_loss)
        return FY_ENOMEM;
    maxrows = o->batch_size < T->ntr ? o->batch_size : T->ntr;
    if (T->ntr > maxrows)
        maxrows = T->ntr; /* full-batch passes (loss of the kept network, L-BFGS) */
    if (T->nva > maxrows)
        maxrows = T->nva;
    wrows = (maxrows + num_chunks(&T->C, maxrows) - 1) / num_chunks(&T->C, maxrows);
    if (wrows < (o->chunk_rows < maxrows ? o->chunk_rows : maxrows))
        wrows = o->chunk_rows < maxrows ? o->chunk_rows : maxrows;
    wrows += 1;
    for (l = 0; l < T->nt; l++)
        if ((rc = _fy_twork_alloc(T->C.ws + l, m, wrows, err)))
            return rc;
    return FY_OK;
}

/* The split (the first nva rows of a random permutation validate), the standardisation on
 * the training rows, the standardised data. */
static void train_standardise(trun *T, const double *X, const double *y)
{
    const fy_train_opts_struct *o = T->o;
    const long N = T->N, ntr = T->ntr;
    const int d = T->d;
    double *mx = T->mx, *sx = T->sx;
    fy_rng_t rng;
    long i;
    size_t j;

    fy_rng_init(rng, o->seed, FY_RNG_PURPOSE_TRAIN_SPLIT);
    for (i = 0; i < N; i++)
        T->perm[i] = i;
    _fy_rng_shuffle(T->perm, N, rng, 0);
    T->va = T->perm;
    T->tr = T->perm + T->nva;
    /* column sums in row order (each column's sum in the order of tr, as before, but one pass
     * over the rows instead of d strided ones): mx, sx hold sum v and sum v^2 until used */
    for (j = 0; j < (size_t) d; j++)
        mx[j] = sx[j] = 0.0;
    for (i = 0; i < ntr; i++)
    {
        const double *row = X + (size_t) T->tr[i] * d;
        for (j = 0; j < (size_t) d; j++)
        {
            mx[j] += row[j];
            sx[j] += row[j] * row[j];
        }
    }
    for (j = 0; j < (size_t) d; j++)
    {
        double s1 = mx[j], s2 = sx[j], mean, var;
        mean = s1 / (double) ntr;
        var = s2 / (double) ntr - mean * mean;
        if (o->scale_x == FY_TRAIN_SCALE_STANDARD)
        {
            mx[j] = mean;
            sx[j] = var > 0 ? sqrt(var) : 1.0;
        }
        else if (o->scale_x == FY_TRAIN_SCALE_RMS)
        {
            mx[j] = 0.0;
            sx[j] = s2 > 0 ? sqrt(s2 / (double) ntr) : 1.0;
        }
        else
        {
            mx[j] = 0.0;
            sx[j] = 1.0;
        }
        if (!(sx[j] > 0) || !isfinite(sx[j]))
            sx[j] = 1.0;
    }
    {
        double s1 = 0.0, s2 = 0.0, mean, var;
        for (i = 0; i < ntr; i++)
        {
            s1 += y[T->tr[i]];
            s2 += y[T->tr[i]] * y[T->tr[i]];
        }
        mean = s1 / (double) ntr;
        var = s2 / (double) ntr - mean * mean;
        T->my = 0.0;
        T->sy = 1.0;
        if (o->scale_y == FY_TRAIN_SCALE_STANDARD)
        {
            T->my = mean;
            T->sy = var > 0 ? sqrt(var) : 1.0;
        }
        else if (o->scale_y == FY_TRAIN_SCALE_RMS)
            T->sy = s2 > 0 ? sqrt(s2 / (double) ntr) : 1.0;
        if (!(T->sy > 0) || !isfinite(T->sy))
            T->sy = 1.0;
    }
    for (i = 0; i < N; i++)
    {
        for (j = 0; j < (size_t) d; j++)
            T->Xs[(size_t) i * d + j] = (X[(size_t) i * d + j] - mx[j]) / sx[j];
        T->ys[i] = (y[i] - T->my) / T->sy;
    }
    T->ysc2 = T->sy * T->sy;
    T->C.Xs = T->Xs;
    T->C.ys = T->ys;
    T->C.wt = o->sample_weight;
}

/* The initial parameters: o->init_net in standardised units, or N(0, gain^2 / fan_in)
 * weights keyed by their positions (and N(0, init_bias_std^2) hidden biases). */
static int train_init_params(trun *T, fy_error_t err)
{
    const fy_train_opts_struct *o = T->o;
    const fy_tmodel_struct *m = &T->C.m;
    double gain;
    fy_rng_t rng;
    size_t j;
    int l;
    if (o->init_net)
        return net_to_params(T->P, m, o->init_net, T->mx, T->sx, T->my, T->sy, err);
    gain = o->init_gain > 0 ? o->init_gain : default_gain(&T->act);
    fy_rng_init(rng, o->seed, FY_RNG_PURPOSE_TRAIN_INIT); /* index = parameter position */
    for (l = 1; l <= m->L; l++)
    {
        size_t nw = (size_t) m->w[l] * m->w[l - 1];
        double sd = (l < m->L ? gain : 1.0) / sqrt((double) m->w[l - 1]);
        for (j = 0; j < nw; j++)
            T->P[m->woff[l] + j] = sd * fy_rng_normal(rng, 0, m->woff[l] + j);
        if (l < m->L && o->init_bias_std > 0)
            for (j = 0; j < (size_t) m->w[l]; j++)
                T->P[m->boff[l] + j] = o->init_bias_std * fy_rng_normal(rng, 0, m->boff[l] + j);
    }
    return FY_OK;
}

/* One Adam step on the minibatch gradient G at learning rate lr (c1, c2: the bias
 * corrections): weights with the decoupled decay, then the biases without. */
static void adam_step(trun *T, double lr, double c1, double c2)
{
    const fy_train_opts_struct *o = T->o;
    const fy_tmodel_struct *m = &T->C.m;
    int l;
    for (l = 1; l <= m->L; l++)
    {
        size_t a0 = m->woff[l], a1 = l < m->L ? m->woff[l + 1] : m->np;
        size_t bo = m->boff[l];
        _fy_adam_update(T->P + a0, T->G + a0, T->M1 + a0, T->M2 + a0, bo - a0, lr, o->beta1,
                        o->beta2, o->eps, c1, c2, o->weight_decay);
        _fy_adam_update(T->P + bo, T->G + bo, T->M1 + bo, T->M2 + bo, a1 - bo, lr, o->beta1,
                        o->beta2, o->eps, c1, c2, 0.0);
    }
}

/* The learning rate of step (of total) in epoch ep. */
static double adam_lr(const fy_train_opts_struct *o, long step, long total, int ep)
{
    if (o->schedule == FY_TRAIN_SCHED_COSINE && total > 0)
        return o->lr_min + (o->lr - o->lr_min) * 0.5 *
                               (1.0 + cos(3.141592653589793 * (double) step / (double) total));
    if (o->schedule == FY_TRAIN_SCHED_STEP && o->step_epochs > 0)
        return o->lr * pow(o->step_gamma, (double) (ep / o->step_epochs));
    return o->lr;
}

/* After epoch ep (0-based; lr its last learning rate): the progress callback; 1 to stop. */
static int adam_report(trun *T, int ep, double lr)
{
    const fy_train_opts_struct *o = T->o;
    fy_train_progress_struct pr;
    if (!o->progress)
        return 0;
    pr.phase = "adam";
    pr.step = ep + 1;
    pr.total = o->epochs;
    pr.train_loss = T->R->train_loss[ep];
    pr.val_loss = T->R->val_loss[ep];
    pr.lr = lr;
    if (o->progress(o->progress_ctx, &pr))
    {
        T->R->stopped_early = 2;
        return 1;
    }
    return 0;
}

/* Minibatch Adam with the schedule, early stopping on the validation split (the best
 * parameters kept in Pbest) and the progress callback; the kept parameters in P after. */
static int train_adam(trun *T, fy_error_t err)
{
    const fy_train_opts_struct *o = T->o;
    fy_train_report_struct *R = T->R;
    const long ntr = T->ntr, nva = T->nva, np = (long) T->C.m.np;
    long bs = o->batch_size < ntr ? o->batch_size : ntr;
    long steps_per = (ntr + bs - 1) / bs, step = 0, total = steps_per * (long) o->epochs;
    double b1t = 1.0, b2t = 1.0, lr = o->lr, ref, t0;
    fy_rng_t rng;
    int wait = 0, ep;

    memcpy(T->Pbest, T->P, (size_t) np * sizeof(double));
    T->best = nva > 0 ? batch_eval(&T->C, T->P, T->va, nva, NULL) : INFINITY;
    R->initial_val_loss = nva > 0 ? T->best * T->ysc2 : NAN;
    R->best_epoch = 0;
    ref = T->best;
    t0 = fy_wall_time();
    fy_rng_init(rng, o->seed, FY_RNG_PURPOSE_TRAIN_SHUFFLE);
    for (ep = 0; ep < o->epochs; ep++)
    {
        double sum = 0.0, v = NAN;
        long s0;
        _fy_rng_shuffle(T->tr, ntr, rng, (uint64_t) ep); /* stream = epoch */
        for (s0 = 0; s0 < ntr; s0 += bs, step++)
        {
            long B = ntr - s0 < bs ? ntr - s0 : bs;
            lr = adam_lr(o, step, total, ep);
            sum += batch_eval(&T->C, T->P, T->tr + s0, B, T->G) * (double) B;
            b1t *= o->beta1;
            b2t *= o->beta2;
            adam_step(T, lr, 1.0 / (1.0 - b1t), 1.0 / (1.0 - b2t));
        }
        R->train_loss[ep] = sum / (double) ntr * T->ysc2;
        if (nva > 0)
        {
            v = batch_eval(&T->C, T->P, T->va, nva, NULL);
            if (v < T->best)
            {
                T->best = v;
                R->best_epoch = ep + 1;
                memcpy(T->Pbest, T->P, (size_t) np * sizeof(double));
            }
            if (v < ref * (1.0 - o->min_delta))
            {
                ref = v;
                wait = 0;
            }
            else
                wait++;
        }
        R->val_loss[ep] = v * T->ysc2;
        R->epochs_run = ep + 1;
        fy_progress_update(T->bar, ep + 1);
        if (!isfinite(R->train_loss[ep]))
            return fy_error_set(err, FY_ECHECK, "training diverged at epoch %d (loss %g); lower "
                                "the learning rate (now %g)", ep + 1, R->train_loss[ep], o->lr);
        if (adam_report(T, ep, lr))
            break;
        if (nva > 0 && o->patience > 0 && wait >= o->patience)
        {
            R->stopped_early = 1;
            break;
        }
    }
    R->adam_time_s = fy_wall_time() - t0;
    if (nva > 0)
        memcpy(T->P, T->Pbest, (size_t) np * sizeof(double));
    else
        R->best_epoch = R->epochs_run;
    return FY_OK;
}

/* Full-batch L-BFGS polishing on the training split, keeping the iterate with the best
 * validation loss (the last one without validation). */
static int train_lbfgs(trun *T, fy_error_t err)
{
    const fy_train_opts_struct *o = T->o;
    fy_train_report_struct *R = T->R;
    const size_t np = T->C.m.np;
    lbfgs_watch w;
    int lrc;
    double t0 = fy_wall_time();

    if (o->lbfgs_iters <= 0 || R->stopped_early == 2)
        return FY_OK;
    memset(&w, 0, sizeof w);
    w.C = &T->C;
    w.o = o;
    w.va = T->va;
    w.nva = T->nva;
    w.ysc2 = T->ysc2;
    w.best = T->best;
    w.Pbest = T->Pbest;
    w.bar = T->bar;
    w.bar_base = R->epochs_run;
    memcpy(T->Pbest, T->P, np * sizeof(double));
    R->lbfgs_train_before = batch_eval(&T->C, T->P, T->tr, T->ntr, NULL) * T->ysc2;
    R->lbfgs_val_before = T->nva > 0 ? T->best * T->ysc2 : NAN;
    R->lbfgs_iters_run = lbfgs_run(&T->C, T->P, T->tr, T->ntr, o->lbfgs_iters, o->lbfgs_m,
                                   o->lbfgs_gtol, lbfgs_hook_fn, &w, err, &lrc);
    if (lrc)
        return lrc;
    memcpy(T->P, T->Pbest, np * sizeof(double));
    if (T->nva > 0)
        T->best = w.best;
    R->lbfgs_train_after = batch_eval(&T->C, T->P, T->tr, T->ntr, NULL) * T->ysc2;
    R->lbfgs_val_after = T->nva > 0 ? T->best * T->ysc2 : NAN;
    if (w.stopped)
        R->stopped_early = 2;
    R->lbfgs_time_s = fy_wall_time() - t0;
    return FY_OK;
}

/* The final losses, the network folded back to raw units in out, the standardised one and
 * the standardisation in the report (which takes mx and sx over). */
static int train_hand_back(trun *T, fy_net_t out, fy_error_t err)
{
    fy_train_report_struct *R = T->R;
    const fy_tmodel_struct *m = &T->C.m;
    int rc;
    R->best_val_loss = T->nva > 0 ? T->best * T->ysc2 : NAN;
    R->final_train_loss = batch_eval(&T->C, T->P, T->tr, T->ntr, NULL) * T->ysc2;
    if ((rc = params_to_net(out, m, T->P, T->mx, T->sx, T->my, T->sy, err)) ||
        (rc = params_to_net(R->net_std, m, T->P, NULL, NULL, 0.0, 1.0, err)))
        return rc;
    R->x_shift = T->mx;
    R->x_scale = T->sx;
    T->mx = T->sx = NULL;
    R->y_shift = T->my;
    R->y_scale = T->sy;
    return FY_OK;
}

static void trun_free(trun *T)
{
    int l;
    if (T->C.ws)
        for (l = 0; l < T->nt; l++)
            _fy_twork_free(T->C.ws + l);
    free(T->C.ws);
    free(T->C.cg);
    free(T->perm);
    free(T->Xs);
    free(T->ys);
    free(T->mx);
    free(T->sx);
    free(T->P);
    free(T->Pbest);
    free(T->G);
    free(T->M1);
    free(T->M2);
    _fy_tact_clear(&T->act);
    fy_rules_clear(T->own_rules);
}

int fy_train_mlp(fy_net_t out, const double *X, const double *y, long N, int d,
                 const fy_train_opts_t opts, fy_train_report_t report, fy_error_t err)
{
    const fy_train_opts_struct *o = opts;
    fy_train_report_t own;
    fy_train_report_struct *R = report ? report : own;
    double t_start = fy_wall_time();
    trun T;
    int rc;
#ifdef FY_HAVE_CBLAS
    int blas_saved = -1;
#endif

    if (report == NULL)
        fy_train_report_init(own);
    else
        fy_train_report_clear(report);
    if ((rc = train_check(o, X, y, N, d, err)) != FY_OK)
        return rc;
    memset(&T, 0, sizeof T);
    T.o = o;
    T.R = R;
    T.N = N;
    T.d = d;
    _fy_tact_init(&T.act);
    fy_rules_init(T.own_rules);
    if ((rc = train_setup(&T, err)) == FY_OK)
    {
        train_standardise(&T, X, y);
        rc = train_init_params(&T, err);
    }
    if (rc == FY_OK)
    {
#ifdef FY_HAVE_CBLAS
        /* OpenBLAS's own threads pinned to one while the trainer's OpenMP threads run */
        if (T.C.m.blas && openblas_get_num_threads && openblas_set_num_threads)
        {
            blas_saved = openblas_get_num_threads();
            openblas_set_num_threads(1);
        }
#endif
        fy_progress_init(T.bar, "train", (double) o->epochs + o->lbfgs_iters, o->progress_bar);
        R->n_train = T.ntr;
        R->n_val = T.nva;
        R->threads = T.nt;
        R->blas = T.C.m.blas;
        R->d = d;
        if ((rc = train_adam(&T, err)) == FY_OK && (rc = train_lbfgs(&T, err)) == FY_OK)
            rc = train_hand_back(&T, out, err);
        fy_progress_clear(T.bar);
#ifdef FY_HAVE_CBLAS
        if (blas_saved > 0 && openblas_set_num_threads)
            openblas_set_num_threads(blas_saved);
#endif
    }
    R->time_s = fy_wall_time() - t_start;
    trun_free(&T);
    if (report == NULL)
        fy_train_report_clear(own);
    if (rc == FY_ENOMEM && err && err->code != FY_ENOMEM)
        fy_error_set(err, FY_ENOMEM, "out of memory training a network");
    return rc;
}

/* The network's layout in m (act resolved into *act from rules) and its parameters in *P. */
static int loss_grad_setup(fy_tmodel_struct *m, fy_tact_struct *act, double **P,
                           const fy_net_t net, int d, const fy_train_opts_struct *o,
                           const fy_rules_struct *rules, fy_error_t err)
{
    double *mx = NULL, *sx = NULL;
    int l, rc;
    if (net->L < 1 || net->L > FY_TRAIN_MAX_HIDDEN + 1 || net->widths == NULL)
        return fy_error_set(err, FY_EINPUT, "network has no layers, or more than %d",
                            FY_TRAIN_MAX_HIDDEN + 1);
    if (net->widths[0] != (size_t) d || net->widths[net->L] != 1)
        return fy_error_set(err, FY_EINPUT, "network maps %zu -> %zu; the data need %d -> 1",
                            net->widths[0], net->widths[net->L], d);
    if (net->L > 1 && (rc = _fy_tact_set(act, net->layers[0].activation, rules, err)) != FY_OK)
        return rc;
    m->L = net->L;
    for (l = 0; l <= m->L; l++)
        m->w[l] = (int) net->widths[l];
    model_layout(m, act, o->use_blas);
    *P = fy_malloc(m->np, sizeof(double), err);
    mx = fy_calloc((size_t) d, sizeof(double), err);
    sx = fy_malloc((size_t) d, sizeof(double), err);
    rc = *P && mx && sx ? FY_OK : FY_ENOMEM;
    for (l = 0; rc == FY_OK && l < d; l++)
        sx[l] = 1.0;
    if (rc == FY_OK && (rc = net_to_params(*P, m, net, mx, sx, 0.0, 1.0, err)) != FY_OK)
        fy_error_prefix(err, "the network: ");
    free(mx);
    free(sx);
    return rc;
}

int fy_train_loss_grad(double *loss, double *grad, const fy_net_t net, const double *X,
                       const double *y, long N, int d, const fy_train_opts_t opts,
                       fy_error_t err)
{
    const fy_train_opts_struct *o = opts;
    const double *wt = o->sample_weight;
    fy_tmodel_struct m;
    fy_tact_struct act;
    fy_twork_struct ws;
    fy_rules_t own;
    const fy_rules_struct *rules = NULL;
    double *P = NULL, wsum = 0.0;
    long *idx = NULL, i;
    size_t j;
    int rc;

    if (N < 1 || d < 1 || X == NULL || y == NULL)
        return fy_error_set(err, FY_EINPUT, "the loss needs N >= 1 rows X (N x d, d >= 1), y");
    memset(&ws, 0, sizeof ws);
    _fy_tact_init(&act);
    fy_rules_init(own);
    rc = _fy_train_rules(own, &rules, o->rules, err);
    if (rc == FY_OK)
        rc = loss_grad_setup(&m, &act, &P, net, d, o, rules, err);
    if (rc == FY_OK && (rc = _fy_twork_alloc(&ws, &m, N, err)) == FY_OK &&
        (idx = fy_malloc((size_t) N, sizeof(long), err)) == NULL)
        rc = FY_ENOMEM;
    if (rc == FY_OK)
    {
        for (i = 0; i < N; i++)
        {
            idx[i] = i;
            wsum += wt ? wt[i] : 1.0;
        }
        if (!(wsum > 0))
            wsum = 1.0;
        *loss = _fy_chunk_loss_grad(grad, NULL, &m, P, X, y, wt, idx, N, &ws) / wsum;
        for (j = 0; grad != NULL && j < m.np; j++)
            grad[j] /= wsum;
    }
    _fy_twork_free(&ws);
    _fy_tact_clear(&act);
    fy_rules_clear(own);
    free(P);
    free(idx);
    return rc;
}

int fy_train_mlp_residual(fy_net_t out, const double *X, const double *y, long N, int d,
                          fy_train_fn f, void *f_ctx, const fy_train_opts_t opts,
                          fy_train_report_t report, fy_error_t err)
{
    double *r;
    long i;
    int rc;
    if (N < 2)
        return fy_error_set(err, FY_EINPUT, "training needs at least 2 samples (got %ld)", N);
    if (d < 1 || X == NULL || y == NULL || f == NULL)
        return fy_error_set(err, FY_EINPUT, "residual training needs X, y, d >= 1 and f");
    if ((rc = check_finite(X, N, d, "X", err)))
        return rc;
    r = fy_malloc((size_t) N, sizeof(double), err);
    if (r == NULL)
        return FY_ENOMEM;
    if ((rc = f(r, X, N, d, f_ctx, err)) == FY_OK)
    {
        for (i = 0; i < N; i++)
            r[i] = y[i] - r[i];
        rc = fy_train_mlp(out, X, r, N, d, opts, report, err);
    }
    else
        fy_error_prefix(err, "subtracted function: ");
    free(r);
    return rc;
}
