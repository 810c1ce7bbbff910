/* check.c - the multi-route check of MLP Taylor results (see mlp.h, "the multi-route check").
 *
 * A result of the fused recursion (a whole order-N tensor, one entry, or the directional
 * coefficients c_0..c_N) is recomputed by independent routes: the fused recursion in the other
 * arithmetics (exact where the vertex values are rational, ball), the sum over diagrams (eval.h)
 * and the Taylor-mode AD (jet.h) in the chosen arithmetic; every route of the chosen arithmetic
 * is compared with the result, and the first route of each arithmetic with the others (exact
 * against exact: equal; ball against exact: contains; double against anything: within the
 * stated error tol times the error scale of abs_scale). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/num.h"
#include "feynn/util.h"

/* res = the fused result in arithmetic `arith` at prec (tensor entries by sorted multi-index,
 * one entry, or the coefficients c_0..c_N). */
int fy_mlp_job_fused(fy_numvec_t res, const fy_mlp_job_struct *job, fy_arith_t arith,
                     slong prec, fy_mlp_t m, fy_error_t err)
{
    int status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, job->xbar, job->order, err);
    if (status != FY_OK)
        return status;
    if (job->mode == FY_MLP_JOB_ENTRY)
        return fy_mlp_entry(res, m, 0, job->idx, job->order, err);
    if (job->mode == FY_MLP_JOB_TENSOR)
    {
        fy_symtensor_t T;
        fy_progress_t pr;
        char label[64];
        snprintf(label, sizeof label, "order-%d tensor (%s)", job->order, fy_arith_name(arith));
        fy_progress_init(pr, label, 1, job->progress);
        m->progress = pr;
        fy_symtensor_init_empty(T);
        status = fy_mlp_tensor(T, m, 0, job->order, err);
        m->progress = NULL;
        fy_progress_clear(pr);
        if (status == FY_OK)
            status = fy_numvec_set(res, &T->e, err);
        fy_symtensor_clear(T);
        return status;
    }
    if (job->mode == FY_MLP_JOB_DIRECTION)
    {
        fy_numvec_t ve;
        fy_progress_t pr;
        char label[64];
        snprintf(label, sizeof label, "order-%d coefficients (%s)", job->order,
                 fy_arith_name(arith));
        fy_progress_init(pr, label, 1, job->progress);
        m->progress = pr;
        fy_numvec_init_empty(ve);
        status = fy_numvec_convert(ve, arith, prec, job->v, err);
        if (status == FY_OK)
            status = fy_mlp_directional(res, m, 0, ve, job->order, err);
        fy_numvec_clear(ve);
        m->progress = NULL;
        fy_progress_clear(pr);
        return status;
    }
    {
        fy_symtensor_t T;
        fy_symtensor_init_empty(T);
        status = fy_mlp_tensor(T, m, 0, job->order, err);
        if (status == FY_OK)
            status = fy_numvec_set(res, &T->e, err);
        fy_symtensor_clear(T);
    }
    return status;
}

/* The name of the diagram route m takes at order n: the lowest-vertex factorisation
 * ("diagrams2".."diagrams4", double) or the spine grouping ("diagrams-spine"). */
static const char *diagram_route_name(const fy_mlp_t m, int n)
{
    static const char *names[3] = {"diagrams2", "diagrams3", "diagrams4"};
    return fy_mlp_tensor_diagrams_factorised(m, n) ? names[n - 2] : "diagrams-spine";
}

/* The whole tensor by the diagram routes in arith at prec into res (m set to the network and
 * point); FY_EUNSUPPORTED when they do not take the job.  *route (may be NULL): the name. */
static int job_factorised(fy_numvec_t res, const char **route, const fy_mlp_job_struct *job,
                          fy_arith_t arith, slong prec, fy_mlp_t m, fy_error_t err)
{
    fy_symtensor_t T;
    int status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, job->xbar, job->order, err);
    if (status != FY_OK)
        return status;
    if (job->mode != FY_MLP_JOB_TENSOR || !fy_mlp_tensor_diagrams_applies(m, job->order))
        return fy_error_set(err, FY_EUNSUPPORTED, "the diagram routes take whole tensors of "
                            "orders 2..%d within the memory limit", FY_MLP_DIAGRAM_MAX_ORDER);
    if (route != NULL)
        *route = diagram_route_name(m, job->order);
    fy_symtensor_init_empty(T);
    status = fy_mlp_tensor_diagrams(T, m, 0, job->order, NULL, err);
    if (status == FY_OK)
        status = fy_numvec_set(res, &T->e, err);
    fy_symtensor_clear(T);
    return status;
}

/* 1 when the diagram routes are the faster for a whole tensor of order n in arith, measured
 * against the fused recursion with bench_taylor --diagrams and --spine (issue 16; CPU time,
 * one thread): double always (the factorisation at orders 2..4, 6-15x; the spine above, 1.2x
 * at d = W = 16 and 1.8x at d = W = 24, order 5); exact rationals always (the spine, 1.2-5x
 * at orders 2..5); balls at order 2 only (6x; from order 3 the fused recursion on block
 * floating-point rows is 1.1-4x faster, though its radii are about 10^3 times wider). */
static int diagrams_faster(fy_arith_t arith, int n)
{
    if (n < 2)
        return 0;
    return arith != FY_ARITH_BALL || n == 2;
}

int fy_mlp_job_compute(fy_numvec_t res, const char **route, const fy_mlp_job_struct *job,
                       fy_arith_t arith, slong prec, fy_mlp_t m, fy_error_t err)
{
    int status;
    if (route != NULL)
        *route = "fused";
    if (job->mode != FY_MLP_JOB_TENSOR || job->order < 2 ||
        job->order > FY_MLP_DIAGRAM_MAX_ORDER || !diagrams_faster(arith, job->order))
        return fy_mlp_job_fused(res, job, arith, prec, m, err);
    status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, job->xbar, job->order, err);
    if (status != FY_OK)
        return status;
    if (!fy_mlp_tensor_diagrams_applies(m, job->order))
        return fy_mlp_job_fused(res, job, arith, prec, m, err);
    return job_factorised(res, route, job, arith, prec, m, err);
}

/* Double results of any route are refused, never printed, when an entry is not finite (a value
 * passed the double range, about 1.8e308, on the way); FY_EUNSUPPORTED says so and names the
 * arithmetic that works. */
int fy_mlp_double_finite(const fy_numvec_t v, const char *route, int order, fy_error_t err)
{
    slong i;
    const double *x = fy_numvec_d(v);
    for (i = 0; x != NULL && i < v->len; i++)
        if (!isfinite(x[i]))
            return fy_error_set(err, FY_EUNSUPPORTED, "%s: double arithmetic overflowed at "
                                "order %d (value %ld is %s: an intermediate value passed the "
                                "double range, about 1.8e308); use FY_ARITH_BALL", route, order,
                                (long) i, isnan(x[i]) ? "NaN" : "infinite");
    return FY_OK;
}

/* The sum over diagrams in m's arithmetic: per-diagram values (entry / direction) into vals
 * and their sum into sum; for a whole tensor, sum only (entries by sorted multi-index). */
int fy_mlp_job_diagrams(fy_numvec_t sum, fy_numvec_t vals, fy_diagram_list_t list,
                        const fy_mlp_t m, const fy_mlp_job_struct *job, fy_progress_t pr,
                        fy_error_t err)
{
    fy_eval_model_t model;
    fy_eval_t ev;
    fy_numvec_t one, ve;
    fy_symtensor_t T;
    long i;
    int status = fy_enum_mlp_trees(list, job->order, m->L - 1, err);
    if (status != FY_OK)
        return status;
    fy_mlp_eval_model(model, m);
    fy_eval_init(ev, model);
    fy_numvec_init_empty(one);
    fy_numvec_init_empty(ve);
    fy_symtensor_init_empty(T);
    fy_numvec_clear(vals);
    status = fy_numvec_init(vals, m->arith, job->mode == FY_MLP_JOB_TENSOR ? 0 : list->n, m->prec,
                            err);
    if (status == FY_OK && job->mode == FY_MLP_JOB_DIRECTION)
        status = fy_numvec_convert(ve, m->arith, m->prec, job->v, err);
    fy_numvec_clear(sum);
    if (status == FY_OK && job->mode != FY_MLP_JOB_TENSOR)
        status = fy_numvec_init(sum, m->arith, 1, m->prec, err);
    for (i = 0; i < list->n && status == FY_OK; i++)
    {
        if (job->mode == FY_MLP_JOB_TENSOR)
        {
            status = fy_eval_tree_tensor(T, ev, list->d + i, 0, err);
            if (status == FY_OK)
                status = i == 0 ? fy_numvec_set(sum, &T->e, err)
                                : fy_numvec_add(sum, sum, &T->e, err);
        }
        else
        {
            status = job->mode == FY_MLP_JOB_ENTRY
                         ? fy_eval_tree_entry(one, ev, list->d + i, 0, job->idx, err)
                         : fy_eval_tree_directional(one, ev, list->d + i, 0, ve, err);
            if (status == FY_OK)
            {
                /* vals[i] = one[0]; sum += one[0] */
                switch (m->arith)
                    {
                    case FY_ARITH_DOUBLE:
                        fy_numvec_d(vals)[i] = fy_numvec_d(one)[0];
                        fy_numvec_d(sum)[0] += fy_numvec_d(one)[0];
                        break;
                    case FY_ARITH_BALL:
                        arb_set(fy_numvec_arb(vals) + i, fy_numvec_arb(one));
                        arb_add(fy_numvec_arb(sum), fy_numvec_arb(sum), fy_numvec_arb(one),
                                m->prec);
                        break;
                    default:
                        fmpq_set(fy_numvec_fmpq(vals) + i, fy_numvec_fmpq(one));
                        fmpq_add(fy_numvec_fmpq(sum), fy_numvec_fmpq(sum), fy_numvec_fmpq(one));
                    }
            }
        }
        fy_progress_update(pr, (double) (i + 1));
    }
    if (status == FY_OK)
        status = fy_mlp_double_finite(sum, "diagrams", job->order, err);
    if (status == FY_OK)
        status = fy_mlp_double_finite(vals, "diagrams", job->order, err);
    /* along a direction the diagrams give c_N only (compared with the last coefficient) */
    fy_symtensor_clear(T);
    fy_numvec_clear(one);
    fy_numvec_clear(ve);
    fy_eval_clear(ev);
    return status;
}

/* The Taylor-mode AD route (jet.h) in arithmetic arith; same layout as fy_mlp_job_fused(). */
int fy_mlp_job_jet(fy_numvec_t res, const fy_mlp_job_struct *job, fy_arith_t arith, slong prec,
                     char *why, size_t whylen, fy_error_t err)
{
    fy_jet_net_t J;
    int d = (int) job->net->widths[0], n = job->order, status;
    slong nout, i;
    fy_numvec_t xb, ve;
    fy_symtensor_t T;

    fy_jet_net_init(J);
    fy_numvec_init_empty(xb);
    fy_numvec_init_empty(ve);
    fy_symtensor_init_empty(T);
    status = fy_jet_net_set(J, job->net, err);
    if (status == FY_OK && job->xbar != NULL)
        status = fy_numvec_convert(xb, arith, prec, job->xbar, err);
    if (status != FY_OK)
        goto done;
    nout = fy_jet_net_outputs(J);
    if (job->mode == FY_MLP_JOB_DIRECTION)
    {
        fy_numvec_t c;
        /* one init: it leaves c valid (clearable) even when it fails */
        status = fy_numvec_init(c, arith, nout * (n + 1), prec, err);
        if (status == FY_OK)
            status = fy_numvec_convert(ve, arith, prec, job->v, err);
        if (status == FY_OK)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                status = fy_jet_dir_d(fy_numvec_d(c), J, job->xbar ? fy_numvec_d(xb) : NULL,
                                      fy_numvec_d(ve), n, err);
                break;
            case FY_ARITH_BALL:
                status = fy_jet_dir_arb_fmpq(fy_numvec_arb(c), J,
                                             job->xbar ? fy_numvec_fmpq(job->xbar) : NULL,
                                             fy_numvec_fmpq(job->v), n, prec, err);
                break;
            default:
                status = fy_jet_dir_fmpq(fy_numvec_fmpq(c), J,
                                         job->xbar ? fy_numvec_fmpq(xb) : NULL,
                                         fy_numvec_fmpq(ve), n, err);
            }
        fy_numvec_clear(res);
        if (status == FY_OK)
            status = fy_numvec_init(res, arith, n + 1, prec, err);
        for (i = 0; i <= n && status == FY_OK; i++)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(res)[i] = fy_numvec_d(c)[i];
                break;
            case FY_ARITH_BALL:
                arb_swap(fy_numvec_arb(res) + i, fy_numvec_arb(c) + i);
                break;
            default:
                fmpq_swap(fy_numvec_fmpq(res) + i, fy_numvec_fmpq(c) + i);
            }
        fy_numvec_clear(c);
        goto done;
    }
    {
        slong ndirs;
        double ops, bytes;
        status = fy_jet_tensor_cost(&ndirs, &ops, &bytes, J, n, arith, err);
        if (status == FY_OK && ndirs > FY_MLP_CHECK_MAX_JET_DIRS)
        {
            snprintf(why, whylen, "jet: %ld directions for the order-%d tensor in %d variables "
                     "(limit %d); use FY_MLP_JOB_ENTRY or FY_MLP_JOB_DIRECTION", (long) ndirs,
                     n, d, FY_MLP_CHECK_MAX_JET_DIRS);
            goto done;
        }
    }
    if (status == FY_OK)
        switch (arith)
        {
        case FY_ARITH_DOUBLE:
            status = fy_jet_tensor_d(T, J, 0, job->xbar ? fy_numvec_d(xb) : NULL, n, err);
            break;
        case FY_ARITH_BALL:
            status = fy_jet_tensor_arb(T, J, 0, job->xbar ? fy_numvec_arb(xb) : NULL, n, prec,
                                       err);
            break;
        default:
            status = fy_jet_tensor_fmpq(T, J, 0, job->xbar ? fy_numvec_fmpq(xb) : NULL, n,
                                        err);
        }
    if (status == FY_OK && job->mode == FY_MLP_JOB_TENSOR)
        status = fy_numvec_set(res, &T->e, err);
    else if (status == FY_OK)
    {
        slong pos = fy_symtensor_index(T, job->idx);
        fy_numvec_clear(res);
        status = fy_numvec_init(res, arith, 1, prec, err);
        if (status == FY_OK)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(res)[0] = fy_numvec_d(&T->e)[pos];
                break;
            case FY_ARITH_BALL:
                arb_set(fy_numvec_arb(res), fy_numvec_arb(&T->e) + pos);
                break;
            default:
                fmpq_set(fy_numvec_fmpq(res), fy_numvec_fmpq(&T->e) + pos);
            }
    }
done:
    fy_symtensor_clear(T);
    fy_numvec_clear(xb);
    fy_numvec_clear(ve);
    fy_jet_net_clear(J);
    return status;
}

/* ------------------------------------------------------------------ the check */

void fy_mlp_check_init(fy_mlp_check_t c, double tol)
{
    memset(c, 0, sizeof *c);
    c->tol = tol;
}


static double max_abs_mid(const fy_numvec_t x)
{
    slong i;
    double mx = 0;
    for (i = 0; i < x->len; i++)
    {
        arb_t t;
        double a;
        arb_init(t);
        fy_numvec_get_arb(t, x, i, 64);
        a = fabs(arf_get_d(arb_midref(t), ARF_RND_NEAR));
        if (a > mx)
            mx = a;
        arb_clear(t);
    }
    return mx;
}

/* Compares route b against route a (same length, or b one entry long holding a's last). */
static void compare(fy_mlp_check_struct *c, int a, int b)
{
    const fy_numvec_struct *x = c->val[a], *y = c->val[b];
    slong i, off = x->len - y->len, n = y->len;
    int agree = 1;
    const char *how;
    double diff = 0, scale = max_abs_mid(x);
    const double *sc = c->scale != NULL && c->scale->len == x->len ? fy_numvec_d(c->scale) : NULL;
    if (c->ncmp >= FY_MLP_CHECK_MAX_CMP || off < 0)
        return;
    for (i = 0; i < n; i++)
    {
        arb_t p, q, t;
        int ok;
        arb_init(p);
        arb_init(q);
        arb_init(t);
        fy_numvec_get_arb(p, x, off + i, 256);
        fy_numvec_get_arb(q, y, i, 256);
        arb_sub(t, p, q, 256);
        if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
        {
            /* exact against exact: the difference itself, not that of 256-bit roundings */
            fmpq_t e;
            fmpq_init(e);
            fmpq_sub(e, fy_numvec_fmpq(x) + off + i, fy_numvec_fmpq(y) + i);
            fmpq_abs(e, e);
            if (fmpq_get_d(e) > diff)
                diff = fmpq_get_d(e);
            fmpq_clear(e);
        }
        else
        {
            double dd = fabs(arf_get_d(arb_midref(t), ARF_RND_UP)) + mag_get_d(arb_radref(t));
            if (dd > diff)
                diff = dd;
        }
        if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
            ok = fmpq_equal(fy_numvec_fmpq(x) + off + i, fy_numvec_fmpq(y) + i);
        else if (x->arith == FY_ARITH_DOUBLE || y->arith == FY_ARITH_DOUBLE)
        {
            /* a double against anything: within its stated error tol * (largest entry) of the
             * other value (of the ball: of its midpoint, plus its radius) */
            const fy_numvec_struct *dv = x->arith == FY_ARITH_DOUBLE ? x : y;
            slong di = dv == x ? off + i : i;
            arb_srcptr o = dv == x ? q : p;
            ok = fy_d_near_arb(fy_numvec_d(dv)[di], o, 0.0,
                               c->tol * (sc != NULL ? sc[off + i] : scale));
        }
        else if (x->arith == FY_ARITH_EXACT || y->arith == FY_ARITH_EXACT)
            ok = x->arith == FY_ARITH_EXACT
                     ? fy_arb_contains_fmpq(fy_numvec_arb(y) + i, fy_numvec_fmpq(x) + off + i)
                     : fy_arb_contains_fmpq(fy_numvec_arb(x) + off + i, fy_numvec_fmpq(y) + i);
        else
            ok = arb_overlaps(p, q);
        agree &= ok;
        arb_clear(p);
        arb_clear(q);
        arb_clear(t);
    }
    if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
        how = "equal";
    else if (x->arith == FY_ARITH_DOUBLE || y->arith == FY_ARITH_DOUBLE)
        how = "within stated error";
    else if (x->arith == FY_ARITH_EXACT || y->arith == FY_ARITH_EXACT)
        how = "ball contains exact";
    else
        how = "balls overlap";
    c->cmp[c->ncmp].a = a;
    c->cmp[c->ncmp].b = b;
    c->cmp[c->ncmp].how = how;
    c->cmp[c->ncmp].diff = diff;
    c->cmp[c->ncmp].agree = agree;
    c->ncmp++;
}

static void skip(fy_mlp_check_struct *c, const char *fmt, const char *msg)
{
    if (c->nskip < 4)
        snprintf(c->skipped[c->nskip++], sizeof c->skipped[0], fmt, msg);
}

static int add_route(fy_mlp_check_struct *c, const char *name, fy_arith_t arith, slong prec)
{
    if (c->n >= FY_MLP_CHECK_MAX_ROUTES)
        return -1;
    c->name[c->n] = name;
    c->val[c->n] = calloc(1, sizeof(fy_numvec_struct));
    if (c->val[c->n] == NULL)
        return -1;
    fy_numvec_init_empty(c->val[c->n]);
    return c->n++;
}

static void drop_route(fy_mlp_check_struct *c)
{
    c->n--;
    fy_numvec_clear(c->val[c->n]);
    free(c->val[c->n]);
}

/* The value's share of the error scale (order 0: c_0 = F(xbar), T[0]): the forward pass on
 * absolute values, zs^(1) = |W1| |xbar| + |b1|, ys^(l) = |sigma(z^(l))| + |sigma'(z^(l))|
 * zs^(l) (the rounding of z^(l) carried through the activation), zs^(l+1) = |W| ys^(l) + |b|,
 * written into m->z[L].  Without it z^(L) itself stood there: a signed value, so that a
 * negative output made the stated error negative and any rounding difference between two
 * routes a disagreement (issue 16: `taylor --direction --check` on a trained network).  m has
 * |W| and |s| already; xbar is the job's point (NULL: 0). */
static int abs_forward(fy_mlp_t m, const fy_numvec_struct *xbar, fy_error_t err)
{
    fy_numvec_t x;
    double *zs = NULL, *nx = NULL;
    slong a, i, maxw = 1;
    int l, status = FY_OK;
    for (l = 0; l <= m->L; l++)
        maxw = m->width[l] > maxw ? m->width[l] : maxw;
    fy_numvec_init_empty(x);
    zs = fy_calloc((size_t) maxw, sizeof(double), err);
    nx = fy_calloc((size_t) maxw, sizeof(double), err);
    if (zs == NULL || nx == NULL)
        status = FY_ENOMEM;
    if (status == FY_OK && xbar != NULL)
        status = fy_numvec_convert(x, FY_ARITH_DOUBLE, 53, xbar, err);
    for (i = 0; status == FY_OK && i < m->width[0]; i++)
        nx[i] = xbar != NULL ? fabs(fy_numvec_d(x)[i]) : 0.0;
    for (l = 1; l <= m->L && status == FY_OK; l++)
    {
        slong w = m->width[l], wp = m->width[l - 1];
        const double *W = fy_numvec_d(m->W + l), *b = fy_numvec_d(m->b + l);
        for (a = 0; a < w; a++)
        {
            double t = fabs(b[a]);
            for (i = 0; i < wp; i++)
                t += W[a * wp + i] * nx[i];
            zs[a] = t;
        }
        if (l == m->L)
            memcpy(fy_numvec_d(m->z + l), zs, sizeof(double) * (size_t) w);
        else
            for (a = 0; a < w; a++)
                nx[a] = fy_numvec_d(m->s + l)[a] + fy_numvec_d(m->s + l)[w + a] * zs[a];
    }
    free(zs);
    free(nx);
    fy_numvec_clear(x);
    return status;
}

/* The scale of the stated error of double results: the same computation with every weight,
 * vertex value and direction entry replaced by its absolute value bounds, entry by entry, the
 * sum of the absolute values of the terms (of the diagrams, which is what rounding errors are
 * relative to).  For tensors and entries the largest such sum over the order-N tensor is used
 * for every entry (the jet route interpolates over all directions, so its error in one entry
 * follows the whole tensor; an entry falls back to its own sum when the tensor would be
 * large); for directions each coefficient c_k has its own.  Computed in double (a scale, not
 * a bound). */
static int abs_scale(fy_numvec_t scale, const fy_mlp_job_struct *job, fy_error_t err)
{
    fy_mlp_t m;
    int l, status;
    slong i;
    fy_mlp_init(m);
    status = fy_mlp_set_net(m, job->net, job->rules, FY_ARITH_DOUBLE, 53, err);
    if (status == FY_OK) /* sigma' too at order 0, for abs_forward */
        status = fy_mlp_set_point(m, job->xbar, job->order > 1 ? job->order : 1, err);
    m->abs_terms = 1;
    for (l = 1; l <= m->L && status == FY_OK; l++)
    {
        for (i = 0; i < m->W[l].len; i++)
            fy_numvec_d(m->W + l)[i] = fabs(fy_numvec_d(m->W + l)[i]);
        if (l < m->L)
            for (i = 0; i < m->s[l].len; i++)
                fy_numvec_d(m->s + l)[i] = fabs(fy_numvec_d(m->s + l)[i]);
    }
    if (status == FY_OK)
        status = abs_forward(m, job->xbar, err);
    if (status == FY_OK)
    {
        if (job->mode == FY_MLP_JOB_ENTRY &&
            fy_mlp_tensor_bytes(m, m->width[0], job->order) > ((size_t) 1 << 28))
            status = fy_mlp_entry(scale, m, 0, job->idx, job->order, err);
        else if (job->mode == FY_MLP_JOB_DIRECTION)
        {
            fy_numvec_t va;
            fy_numvec_init_empty(va);
            status = fy_numvec_convert(va, FY_ARITH_DOUBLE, 53, job->v, err);
            for (i = 0; i < va->len && status == FY_OK; i++)
                fy_numvec_d(va)[i] = fabs(fy_numvec_d(va)[i]);
            if (status == FY_OK)
                status = fy_mlp_directional(scale, m, 0, va, job->order, err);
            fy_numvec_clear(va);
        }
        else
        {
            fy_symtensor_t T;
            fy_symtensor_init_empty(T);
            status = fy_mlp_tensor(T, m, 0, job->order, err);
            if (status == FY_OK)
            {
                /* the interpolation of the jet route mixes the entries: one scale for all,
                 * the largest over the tensor */
                double mx = 0;
                for (i = 0; i < T->e.len; i++)
                    mx = fmax(mx, fy_numvec_d(&T->e)[i]);
                fy_numvec_clear(scale);
                status = fy_numvec_init(scale, FY_ARITH_DOUBLE,
                                        job->mode == FY_MLP_JOB_ENTRY ? 1 : T->e.len, 53, err);
                for (i = 0; i < scale->len && status == FY_OK; i++)
                    fy_numvec_d(scale)[i] = mx;
            }
            fy_symtensor_clear(T);
        }
    }
    fy_mlp_clear(m);
    return status;
}

/* The diagram route of the check in the chosen arithmetic (skipped with the reason when too
 * slow or, in double, when it overflows). */
static int check_diagram_route(fy_mlp_check_t c, const fy_numvec_t res,
                               const fy_mlp_job_struct *job, fy_arith_t arith, slong prec,
                               fy_mlp_t m, fy_error_t err)
{
    fy_diagram_list_t list;
    fy_numvec_t vals;
    fy_progress_t pr;
    fy_error_t e2;
    char why[1200];
    int i, r, status = FY_OK;
    double work = 1;
    slong len = res->len;
    for (i = 2; i <= job->order; i++)
        work *= i;
    work *= (double) len;
    fy_diagram_list_init(list);
    fy_numvec_init_empty(vals);
    if (job->order < 1)
        skip(c, "%s", "diagrams: order 0 has no diagrams");
    else if (job->mode == FY_MLP_JOB_TENSOR && work > FY_MLP_CHECK_MAX_DIAGRAM_WORK)
    {
        snprintf(why, sizeof why, "the order-%d tensor has %ld entries (x %d! leaf "
                 "labellings per diagram): too slow per diagram; check "
                 "FY_MLP_JOB_ENTRY or FY_MLP_JOB_DIRECTION instead", job->order, (long) len,
                 job->order);
        skip(c, "diagrams: %s", why);
    }
    else
    {
        status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
        if (status == FY_OK)
            status = fy_mlp_set_point(m, job->xbar, job->order, err);
        r = add_route(c, "diagrams", arith, prec);
        fy_progress_init(pr, "diagrams", 1, job->progress);
        if (status == FY_OK)
        {
            fy_error_init(e2);
            if (fy_enum_mlp_trees(list, job->order, m->L - 1, e2) == FY_OK)
                fy_progress_init(pr, "diagrams", (double) list->n, job->progress);
            fy_diagram_list_clear(list);
            fy_diagram_list_init(list);
            status = fy_mlp_job_diagrams(c->val[r], vals, list, m, job, pr, err);
        }
        fy_progress_clear(pr);
        if (status == FY_EUNSUPPORTED && arith == FY_ARITH_DOUBLE)
        {
            skip(c, "%s", err->msg); /* overflow: the other routes still compare */
            fy_error_init(err);
            status = FY_OK;
            drop_route(c);
        }
        else if (status != FY_OK)
            drop_route(c);
    }
    fy_numvec_clear(vals);
    fy_diagram_list_clear(list);
    return status;
}

/* The second route of a whole tensor in the chosen arithmetic: the fused recursion when
 * route 0 is a diagram route, the diagram route when route 0 is the fused recursion and the
 * diagrams take the job. */
static void check_second(fy_mlp_check_t c, const char *route, const fy_mlp_job_struct *job,
                         fy_arith_t arith, slong prec, fy_mlp_t m)
{
    fy_error_t e2;
    const char *name = "diagrams";
    int r, fused0 = strcmp(route, "fused") == 0;
    if (job->mode != FY_MLP_JOB_TENSOR || job->order < 2 ||
        job->order > FY_MLP_DIAGRAM_MAX_ORDER)
        return;
    fy_error_init(e2);
    r = add_route(c, fused0 ? name : "fused", arith, prec);
    if (r < 0)
        return;
    if ((fused0 ? job_factorised(c->val[r], &name, job, arith, prec, m, e2)
                : fy_mlp_job_fused(c->val[r], job, arith, prec, m, e2)) != FY_OK)
    {
        char msg[1300];
        snprintf(msg, sizeof msg, "%s: %s", c->name[r], e2->msg);
        skip(c, "%s", msg);
        drop_route(c);
        return;
    }
    c->name[r] = fused0 ? name : "fused";
}

/* Runs every route; the chosen arithmetic's fused result is route 0 (a copy of res). */
int fy_mlp_check_run(fy_mlp_check_t c, const fy_numvec_t res, const fy_mlp_job_struct *job,
                     fy_arith_t arith, slong prec, fy_error_t err)
{
    return fy_mlp_check_run_route(c, res, "fused", job, arith, prec, err);
}

/* Runs every route; res, computed by `route` in the chosen arithmetic, is route 0 (a copy). */
int fy_mlp_check_run_route(fy_mlp_check_t c, const fy_numvec_t res, const char *route,
                           const fy_mlp_job_struct *job, fy_arith_t arith, slong prec,
                           fy_error_t err)
{
    fy_mlp_t m;
    fy_error_t e2;
    char why[1200];
    int r, i, j, status = FY_OK, ar, a3[3] = {FY_ARITH_EXACT, FY_ARITH_BALL, FY_ARITH_DOUBLE};
    int first[3] = {-1, -1, -1};

    if (route == NULL || strcmp(route, "fused") == 0)
        route = "fused";
    else if (strncmp(route, "diagrams", 8) == 0 && job->mode == FY_MLP_JOB_TENSOR &&
             job->order >= 2 && job->order <= FY_MLP_DIAGRAM_MAX_ORDER)
    {
        /* a static name for the report */
        static const char *names[4] = {"diagrams2", "diagrams3", "diagrams4", "diagrams-spine"};
        int k;
        for (k = 0; k < 3 && strcmp(route, names[k]) != 0; k++)
            ;
        route = names[k];
    }
    else
        return fy_error_set(err, FY_EINPUT, "mlp check: unknown route \"%s\"", route);
    fy_mlp_init(m);
    fy_error_init(e2);
    c->scale = calloc(1, sizeof(fy_numvec_struct));
    if (c->scale != NULL)
    {
        fy_numvec_init_empty(c->scale);
        if (abs_scale(c->scale, job, e2) != FY_OK)
        {
            fy_numvec_clear(c->scale);
            free(c->scale);
            c->scale = NULL;
        }
    }
    r = add_route(c, route, arith, prec);
    status = fy_numvec_set(c->val[r], res, err);
    if (status == FY_OK)
        check_second(c, route, job, arith, prec, m);
    /* the other arithmetics by the fused recursion */
    for (ar = 0; ar < 3 && status == FY_OK; ar++)
    {
        static const char *names[3] = {"fused/exact", "fused/ball", "fused/double"};
        if ((fy_arith_t) a3[ar] == arith)
            continue;
        r = add_route(c, names[ar], (fy_arith_t) a3[ar], prec);
        fy_error_init(e2);
        if (fy_mlp_job_fused(c->val[r], job, (fy_arith_t) a3[ar], prec, m, e2) != FY_OK)
        {
            char msg[1300];
            snprintf(msg, sizeof msg, "%s: %s", names[ar], e2->msg);
            skip(c, "%s", msg);
            drop_route(c);
        }
    }
    /* the jet route in the chosen arithmetic */
    why[0] = '\0';
    r = add_route(c, "jet", arith, prec);
    fy_error_init(e2);
    if (fy_mlp_job_jet(c->val[r], job, arith, prec, why, sizeof why, e2) != FY_OK || why[0]
        || fy_mlp_double_finite(c->val[r], "jet", job->order, e2) != FY_OK)
    {
        skip(c, "jet: %s", why[0] ? why : e2->msg);
        drop_route(c);
    }
    /* the diagram route in the chosen arithmetic */
    status = check_diagram_route(c, res, job, arith, prec, m, err);
    fy_mlp_clear(m);
    if (status != FY_OK)
        return status;
    /* comparisons: every route of the chosen arithmetic against the fused one; the first
     * route of each arithmetic against the others: ball contains exact, double near ball */
    for (i = 0; i < c->n; i++)
        for (ar = 0; ar < 3; ar++)
            if ((int) c->val[i]->arith == a3[ar] && first[ar] < 0)
                first[ar] = i;
    for (i = 1; i < c->n; i++)
        if (c->val[i]->arith == arith)
            compare(c, 0, i);
    for (i = 0; i < c->n; i++)
        for (j = 0; j < c->n; j++)
        {
            fy_arith_t ai = c->val[i]->arith, aj = c->val[j]->arith;
            if (i == j || ai == aj || (i != 0 && i != first[0] && i != first[1] && i != first[2]
                                       && j != 0 && j != first[0] && j != first[1]
                                       && j != first[2]))
                continue;
            if ((ai == FY_ARITH_EXACT && aj == FY_ARITH_BALL) ||
                (ai == FY_ARITH_BALL && aj == FY_ARITH_DOUBLE))
                compare(c, i, j);
        }
    return FY_OK;
}

void fy_mlp_check_clear(fy_mlp_check_t c)
{
    while (c->n > 0)
        drop_route(c);
    if (c->scale != NULL)
    {
        fy_numvec_clear(c->scale);
        free(c->scale);
        c->scale = NULL;
    }
}

int fy_mlp_check_agree(const fy_mlp_check_t c, double *worst)
{
    int i, ok = 1;
    *worst = 0;
    for (i = 0; i < c->ncmp; i++)
    {
        ok &= c->cmp[i].agree;
        if (c->cmp[i].diff > *worst)
            *worst = c->cmp[i].diff;
    }
    return ok;
}
