/* verify.c - the Born-Taylor verification of a trained network (see borntaylor.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq.h>
#include <flint/fmpz.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/born.h"
#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/mlp.h"
#include "feynn/num.h"
#include "feynn/rng.h"
#include "io/json_num.h"

void fy_borntaylor_verify_init(fy_borntaylor_verify_t bv)
{
    int k;
    memset(bv, 0, sizeof *bv);
    for (k = 0; k <= FY_BORNTAYLOR_MAX_ORDER; k++)
        fy_symtensor_init_empty(bv->model + k);
    for (k = 0; k < FY_BORNTAYLOR_MAX_ORDER; k++)
    {
        fy_symtensor_init_empty(bv->exact + k);
        fy_diagram_list_init(bv->diagrams + k);
    }
}

void fy_borntaylor_verify_clear(fy_borntaylor_verify_t bv)
{
    int k, t;
    for (k = 0; k <= FY_BORNTAYLOR_MAX_ORDER; k++)
        fy_symtensor_clear(bv->model + k);
    for (k = 0; k < FY_BORNTAYLOR_MAX_ORDER; k++)
    {
        fy_symtensor_clear(bv->exact + k);
        fy_diagram_list_clear(bv->diagrams + k);
        for (t = 0; t < FY_BORNTAYLOR_TOP; t++)
            free(bv->ord[k].top_shape[t]);
    }
    free(bv->heldout_terms);
    free(bv->heldout_born);
    memset(bv, 0, sizeof *bv);
}

double fy_borntaylor_rel_rms(const double *a, const double *b, long n, long stride)
{
    double num = 0, den = 0;
    long i;
    for (i = 0; i < n; i++)
    {
        double e = a[i * stride] - b[i * stride];
        num += e * e;
        den += b[i * stride] * b[i * stride];
    }
    if (n == 0)
        return NAN;
    return den > 0 ? sqrt(num / den) : (num > 0 ? INFINITY : 0.0);
}

/* The exact identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U) on K random rational potentials: the
 * left side from the multivariate series (tensors), the right side from the univariate
 * transfer-matrix series of one potential; two routes, compared exactly. */
static int identity_check(int *ok, const fy_borntaylor_verify_t bv, const fmpq_t R, int K,
                          fy_error_t err)
{
    fy_born_potential_t pot;
    fmpq *U, *terms;
    fy_numvec_t h;
    fy_symtensor_t c;
    fmpq_t f;
    fy_rng_t rng;
    int k, n, status = FY_OK;
    slong j;

    *ok = 1;
    fy_rng_init(rng, 20210323u, FY_RNG_PURPOSE_BORN_IDENTITY);
    fy_born_potential_init(pot);
    U = _fmpq_vec_init(bv->d);
    terms = _fmpq_vec_init(bv->N);
    fmpq_init(f);
    fy_numvec_init_empty(h);
    fy_symtensor_init_empty(c);
    status = fy_numvec_set_shape(h, FY_ARITH_EXACT, bv->d, 53, err);
    for (k = 0; k < K && status == FY_OK; k++)
    {
        for (j = 0; j < bv->d; j++)
        {
            /* heights -p/q, p in 0..9, q in 1..7; attractive and repulsive steps mixed (stream
             * k, one block of four words per step) */
            uint32_t w[4];
            slong p, q;
            fy_rng_block(w, rng, (uint64_t) k, (uint32_t) j);
            p = (slong) (w[0] % 10);
            q = 1 + (slong) (w[1] % 7);
            if (w[2] % 4 == 0)
                p = -p;
            fmpq_set_si(U + j, -p, (ulong) q);
            fmpq_set(fy_numvec_fmpq(h) + j, U + j);
        }
        status = fy_born_potential_set_steps(pot, bv->d, R, U, err);
        if (status == FY_OK)
            status = fy_born_terms(terms, pot, bv->N, err);
        for (n = 1; n <= bv->N && status == FY_OK; n++)
        {
            status = fy_symtensor_contract(c, bv->exact + n - 1, h, 0, err);
            if (status != FY_OK)
                break;
            fmpz_fac_ui(fmpq_numref(f), (ulong) n);
            fmpz_one(fmpq_denref(f));
            fmpq_mul(f, f, terms + n - 1);
            if (!fmpq_equal(f, fy_numvec_fmpq(&c->e)))
                *ok = 0;
        }
    }
    fy_symtensor_clear(c);
    fy_numvec_clear(h);
    fmpq_clear(f);
    _fmpq_vec_clear(terms, bv->N);
    _fmpq_vec_clear(U, bv->d);
    fy_born_potential_clear(pot);
    return status;
}

/* Per-diagram contributions of order n (double): rank by weighted Frobenius norm, check that
 * they sum to the fused tensor. */
static int diagram_contributions(fy_borntaylor_verify_t bv, const fy_mlp_t m, int n,
                                 fy_error_t err)
{
    fy_borntaylor_order_struct *o = bv->ord + n - 1;
    fy_diagram_list_struct *list = bv->diagrams + n - 1;
    fy_eval_model_t model;
    fy_eval_t ev;
    fy_symtensor_t T, S;
    fy_numvec_t norms;
    long i, *perm = NULL;
    double nall, nex;
    int t, status;

    o->n_diagrams = 0;
    o->diagram_sum_err = NAN;
    if (m->L - 1 < 1 && n > 1)
        return FY_OK; /* a linear model has no vertices: no diagram of order >= 2 */
    status = fy_enum_mlp_trees(list, n, m->L - 1, err);
    if (status != FY_OK)
        return status;
    fy_mlp_eval_model(model, m);
    fy_eval_init(ev, model);
    fy_symtensor_init_empty(T);
    fy_symtensor_init_empty(S);
    fy_numvec_init_empty(norms);
    status = fy_symtensor_set_shape(S, FY_ARITH_DOUBLE, bv->d, n, 53, err);
    if (status == FY_OK)
        status = fy_numvec_set_shape(norms, FY_ARITH_DOUBLE, list->n, 53, err);
    for (i = 0; i < list->n && status == FY_OK; i++)
    {
        status = fy_eval_tree_tensor(T, ev, list->d + i, 0, err);
        if (status == FY_OK)
            status = fy_symtensor_add(S, S, T, err);
        if (status == FY_OK)
            fy_numvec_d(norms)[i] = sqrt(fabs(fy_symtensor_dot(T, T)));
    }
    if (status == FY_OK)
    {
        o->n_diagrams = list->n;
        o->diagram_sum_err = fy_symtensor_rel_frobenius(S, bv->model + n);
        perm = malloc(sizeof(long) * (size_t) (list->n > 0 ? list->n : 1));
        if (perm == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory ranking diagrams");
    }
    if (status == FY_OK)
        status = fy_eval_rank(perm, norms, err);
    if (status == FY_OK)
    {
        nall = sqrt(fabs(fy_symtensor_dot(bv->model + n, bv->model + n)));
        nex = o->norm_exact;
        o->n_top = list->n < FY_BORNTAYLOR_TOP ? (int) list->n : FY_BORNTAYLOR_TOP;
        for (t = 0; t < o->n_top; t++)
        {
            double v = fy_numvec_d(norms)[perm[t]];
            o->top[t] = perm[t];
            o->top_share[t] = nall > 0 ? v / nall : NAN;
            o->top_rel_exact[t] = nex > 0 ? v / nex : NAN;
            if (fy_draw_shape(&o->top_shape[t], list->d + perm[t], NULL, NULL) != FY_OK)
                o->top_shape[t] = NULL;
        }
    }
    free(perm);
    fy_numvec_clear(norms);
    fy_symtensor_clear(S);
    fy_symtensor_clear(T);
    fy_eval_clear(ev);
    return status;
}

/* Order by order: the comparison of d^n F(0) with the exact tensor, and the per-diagram
 * contributions through diagram_order_max. */
static int verify_orders(fy_borntaylor_verify_t bv, const fy_mlp_t m, int diagram_order_max,
                         FILE *log, fy_error_t err)
{
    fy_symtensor_t ed;
    slong i;
    int n, status = FY_OK;
    fy_symtensor_init_empty(ed);
    for (n = 1; n <= bv->N && status == FY_OK; n++)
    {
        fy_borntaylor_order_struct *o = bv->ord + n - 1;
        double xx, yy, xy;
        o->order = n;
        status = fy_symtensor_convert(ed, FY_ARITH_DOUBLE, 53, bv->exact + n - 1, err);
        if (status != FY_OK)
            break;
        o->rel_frobenius = fy_symtensor_rel_frobenius(bv->model + n, ed);
        o->max_abs_err = fy_symtensor_max_abs_diff(bv->model + n, ed);
        o->max_abs_exact = 0;
        for (i = 0; i < ed->e.len; i++)
            if (fabs(fy_numvec_d(&ed->e)[i]) > o->max_abs_exact)
                o->max_abs_exact = fabs(fy_numvec_d(&ed->e)[i]);
        xx = fy_symtensor_dot(bv->model + n, bv->model + n);
        yy = fy_symtensor_dot(ed, ed);
        xy = fy_symtensor_dot(bv->model + n, ed);
        o->norm_model = sqrt(fabs(xx));
        o->norm_exact = sqrt(fabs(yy));
        o->cosine = (xx > 0 && yy > 0) ? xy / sqrt(xx * yy) : NAN;
        o->rel_heldout = o->rel_partial = o->rel_partial_a0 = o->rel_born_partial_a0 = NAN;
        o->diagram_sum_err = NAN;
        if (n <= diagram_order_max)
        {
            if (log != NULL)
                fprintf(log, "verify: per-diagram contributions, order %d\n", n);
            status = diagram_contributions(bv, m, n, err);
        }
    }
    fy_symtensor_clear(ed);
    return status;
}

/* T_n[F](U) and a_0^(n)(U) on the held-out potentials, n = 1..N. */
static int heldout_terms(fy_borntaylor_verify_t bv, const fmpq_t Rq, const double *Uheld,
                         long n_held, fy_error_t err)
{
    fy_born_potential_t pot;
    fy_symtensor_t c;
    fy_numvec_t h;
    fmpq *Uq, *terms;
    long i;
    int j, n, N = bv->N, d = bv->d, status = FY_OK;
    fy_born_potential_init(pot);
    fy_symtensor_init_empty(c);
    fy_numvec_init_empty(h);
    status = fy_numvec_set_shape(h, FY_ARITH_DOUBLE, d, 53, err);
    Uq = _fmpq_vec_init(d);
    terms = _fmpq_vec_init(N);
    for (i = 0; i < n_held && status == FY_OK; i++)
    {
        for (j = 0; j < d && status == FY_OK; j++)
        {
            fy_numvec_d(h)[j] = Uheld[i * d + j];
            status = fy_fmpq_set_d(Uq + j, Uheld[i * d + j], err);
        }
        if (status == FY_OK)
            status = fy_born_potential_set_steps(pot, d, Rq, Uq, err);
        if (status == FY_OK)
            status = fy_born_terms(terms, pot, N, err);
        for (n = 1; n <= N && status == FY_OK; n++)
        {
            double fac = 1;
            int k;
            for (k = 2; k <= n; k++)
                fac *= k;
            status = fy_symtensor_contract(c, bv->model + n, h, 0, err);
            if (status == FY_OK)
            {
                bv->heldout_terms[i * N + n - 1] = fy_numvec_d(&c->e)[0] / fac;
                bv->heldout_born[i * N + n - 1] = fy_fmpq_get_d(terms + n - 1);
            }
        }
    }
    _fmpq_vec_clear(terms, N);
    _fmpq_vec_clear(Uq, d);
    fy_numvec_clear(h);
    fy_symtensor_clear(c);
    fy_born_potential_clear(pot);
    return status;
}

/* The held-out errors of each order and of the partial sums. */
static int verify_heldout(fy_borntaylor_verify_t bv, const fmpq_t Rq, const double *Uheld,
                          const double *a0held, long n_held, FILE *log, fy_error_t err)
{
    double *part, *bpart;
    long i;
    int n, N = bv->N, status = FY_OK;
    bv->n_heldout = n_held;
    bv->heldout_terms = calloc((size_t) n_held * (size_t) N, sizeof(double));
    bv->heldout_born = calloc((size_t) n_held * (size_t) N, sizeof(double));
    part = calloc((size_t) n_held * 2 + 1, sizeof(double));
    bpart = part + n_held;
    if (bv->heldout_terms == NULL || bv->heldout_born == NULL || part == NULL)
        status = fy_error_set(err, FY_ENOMEM, "out of memory (held-out potentials)");
    if (log != NULL && status == FY_OK)
        fprintf(log, "verify: %ld held-out potentials\n", n_held);
    if (status == FY_OK)
        status = heldout_terms(bv, Rq, Uheld, n_held, err);
    for (n = 1; n <= N && status == FY_OK; n++)
    {
        fy_borntaylor_order_struct *o = bv->ord + n - 1;
        o->rel_heldout = fy_borntaylor_rel_rms(bv->heldout_terms + n - 1,
                                               bv->heldout_born + n - 1, n_held, N);
        for (i = 0; i < n_held; i++)
        {
            part[i] += bv->heldout_terms[i * N + n - 1];
            bpart[i] += bv->heldout_born[i * N + n - 1];
        }
        o->rel_partial = fy_borntaylor_rel_rms(part, bpart, n_held, 1);
        if (a0held != NULL)
        {
            o->rel_partial_a0 = fy_borntaylor_rel_rms(part, a0held, n_held, 1);
            o->rel_born_partial_a0 = fy_borntaylor_rel_rms(bpart, a0held, n_held, 1);
        }
    }
    free(part);
    return status;
}

int fy_borntaylor_verify(fy_borntaylor_verify_t bv, const fy_net_t net, const fy_rules_t rules,
                         int N, double R, const double *Uheld, const double *a0held,
                         long n_held, int identity_K, int diagram_order_max, FILE *log,
                         fy_error_t err)
{
    fy_mlp_t m;
    fy_born_potential_t pot;
    fmpq_t Rq;
    int d, status;

    if (N < 1 || N > FY_BORNTAYLOR_MAX_ORDER)
        return fy_error_set(err, FY_EUSAGE, "order %d outside 1..%d", N,
                            FY_BORNTAYLOR_MAX_ORDER);
    if (net->L < 1 || net->widths[net->L] != 1)
        return fy_error_set(err, FY_EINPUT, "%s: the network must have one output (a_0)",
                            net->source ? net->source : "model");
    if (!(R > 0) || !isfinite(R))
        return fy_error_set(err, FY_EUSAGE, "range R must be positive and finite");
    if (n_held < 0 || (n_held > 0 && Uheld == NULL))
        return fy_error_set(err, FY_EUSAGE, "held-out potentials: %ld given without data",
                            n_held);
    fy_borntaylor_verify_clear(bv);
    fy_borntaylor_verify_init(bv);
    d = (int) net->widths[0];
    bv->N = N;
    bv->d = d;
    bv->R = R;
    fy_mlp_init(m);
    fy_born_potential_init(pot);
    fmpq_init(Rq);

    status = fy_fmpq_set_d(Rq, R, err);
    if (status == FY_OK)
        status = fy_born_potential_set_steps(pot, d, Rq, NULL, err);
    /* the network's Taylor tensors at U = 0 (fused recursion, double) */
    if (status == FY_OK)
        status = fy_mlp_set_net(m, net, rules, FY_ARITH_DOUBLE, 53, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, NULL, N, err);
    if (status == FY_OK)
        status = fy_mlp_derivatives(bv->model, m, 0, N, err);
    if (status == FY_OK)
        bv->value0 = fy_numvec_d(&bv->model[0].e)[0];
    /* the exact Born tensors */
    if (log != NULL && status == FY_OK)
        fprintf(log, "verify: exact Born tensors d^n a_0(0), n = 1..%d, d = %d\n", N, d);
    if (status == FY_OK)
        status = fy_born_tensors(bv->exact, pot, N, err);
    if (status == FY_OK)
        status = verify_orders(bv, m, diagram_order_max, log, err);
    /* the exact identity for the true map */
    if (status == FY_OK && identity_K > 0)
    {
        if (log != NULL)
            fprintf(log, "verify: exact identity on %d rational potentials\n", identity_K);
        bv->identity_K = identity_K;
        status = identity_check(&bv->identity_ok, bv, Rq, identity_K, err);
    }
    if (status == FY_OK && n_held > 0)
        status = verify_heldout(bv, Rq, Uheld, a0held, n_held, log, err);
    fmpq_clear(Rq);
    fy_born_potential_clear(pot);
    fy_mlp_clear(m);
    return status;
}

int fy_borntaylor_verify_judge(fy_borntaylor_verify_t bv, double tol, double tol_heldout,
                               const char *model_name)
{
    const fy_borntaylor_order_struct *o = bv->ord + (bv->N > 0 ? bv->N - 1 : 0);
    bv->judged = 1;
    bv->tol = tol;
    bv->tol_heldout = tol_heldout;
    bv->model_name = model_name;
    bv->passed = 1;
    if (!isnan(tol) && !(o->rel_frobenius <= tol))
        bv->passed = 0;
    if (!isnan(tol_heldout) && !(o->rel_heldout <= tol_heldout))
        bv->passed = 0;
    if (bv->identity_K > 0 && !bv->identity_ok)
        bv->passed = 0;
    return bv->passed;
}

json_t *_fy_borntaylor_verify_json(const fy_borntaylor_verify_t bv)
{
    json_t *j = json_object(), *orders = json_array();
    int n, t;
    json_object_set_new(j, "convention", json_string(FY_BORN_CONVENTION));
    json_object_set_new(j, "steps", json_integer(bv->d));
    json_object_set_new(j, "range", json_real(bv->R));
    json_object_set_new(j, "order", json_integer(bv->N));
    json_object_set_new(j, "value_at_zero", fy_json_number(bv->value0));
    json_object_set_new(j, "heldout_potentials", json_integer(bv->n_heldout));
    for (n = 1; n <= bv->N; n++)
    {
        const fy_borntaylor_order_struct *o = bv->ord + n - 1;
        json_t *jo = json_object(), *top = json_array();
        json_object_set_new(jo, "order", json_integer(n));
        json_object_set_new(jo, "rel_frobenius", fy_json_number(o->rel_frobenius));
        json_object_set_new(jo, "max_abs_err", fy_json_number(o->max_abs_err));
        json_object_set_new(jo, "max_abs_exact", fy_json_number(o->max_abs_exact));
        json_object_set_new(jo, "rel_max",
                            fy_json_number(o->max_abs_exact > 0
                                               ? o->max_abs_err / o->max_abs_exact : NAN));
        json_object_set_new(jo, "cosine", fy_json_number(o->cosine));
        json_object_set_new(jo, "norm_model", fy_json_number(o->norm_model));
        json_object_set_new(jo, "norm_exact", fy_json_number(o->norm_exact));
        json_object_set_new(jo, "rel_heldout", fy_json_number(o->rel_heldout));
        json_object_set_new(jo, "rel_partial_sum", fy_json_number(o->rel_partial));
        json_object_set_new(jo, "rel_partial_sum_vs_a0", fy_json_number(o->rel_partial_a0));
        json_object_set_new(jo, "rel_born_partial_sum_vs_a0",
                            fy_json_number(o->rel_born_partial_a0));
        json_object_set_new(jo, "diagrams", json_integer(o->n_diagrams));
        json_object_set_new(jo, "diagram_sum_rel_err", fy_json_number(o->diagram_sum_err));
        for (t = 0; t < o->n_top; t++)
        {
            json_t *jt = json_object();
            json_object_set_new(jt, "index", json_integer(o->top[t]));
            json_object_set_new(jt, "shape", json_string(o->top_shape[t] ? o->top_shape[t]
                                                                          : "?"));
            json_object_set_new(jt, "share_of_model", fy_json_number(o->top_share[t]));
            json_object_set_new(jt, "norm_over_exact", fy_json_number(o->top_rel_exact[t]));
            json_array_append_new(top, jt);
        }
        json_object_set_new(jo, "top_diagrams", top);
        json_array_append_new(orders, jo);
    }
    json_object_set_new(j, "orders", orders);
    json_object_set_new(j, "exact_identity",
                        json_pack("{s:b,s:i,s:i,s:s}", "holds", bv->identity_ok,
                                  "potentials", bv->identity_K, "orders", bv->N, "statement",
                                  "d^n a_0(0)[U,..,U] = n! a_0^(n)(U) for the true map, "
                                  "checked exactly (tensor series against the univariate "
                                  "transfer-matrix series)"));
    if (bv->judged)
    {
        json_object_set_new(j, "model", bv->model_name ? json_string(bv->model_name)
                                                       : json_null());
        json_object_set_new(j, "tol", isnan(bv->tol) ? json_null() : json_real(bv->tol));
        json_object_set_new(j, "tol_heldout", isnan(bv->tol_heldout)
                                                  ? json_null() : json_real(bv->tol_heldout));
        json_object_set_new(j, "passed", json_boolean(bv->passed));
    }
    return j;
}

int fy_borntaylor_verify_write_json(FILE *fp, const fy_borntaylor_verify_t bv, fy_error_t err)
{
    json_t *j = _fy_borntaylor_verify_json(bv);
    int rc;
    if (j == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (verification report)");
    rc = json_dumpf(j, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(j);
    if (rc != 0 || fputc('\n', fp) == EOF)
        return fy_error_set(err, FY_EIO, "cannot write the verification report");
    return FY_OK;
}

void fy_borntaylor_verify_write_text(FILE *fp, const fy_borntaylor_verify_t bv,
                                     const char *ind)
{
    int n, t;
    fprintf(fp, "%sconvention: %s\n", ind, FY_BORN_CONVENTION);
    fprintf(fp, "%s%d steps on (0, %g]; network value at U = 0: %.3e (a_0(0) = 0)\n", ind, bv->d,
            bv->R, bv->value0);
    fprintf(fp, "%s%-5s %10s %10s %10s %10s %10s %10s\n", ind, "order", "rel.Frob", "max.err",
            "rel.max", "cosine", "heldout", "partial");
    for (n = 1; n <= bv->N; n++)
    {
        const fy_borntaylor_order_struct *o = bv->ord + n - 1;
        fprintf(fp, "%s%-5d %10.3e %10.3e %10.3e %10.6f %10.3e %10.3e\n", ind, n,
                o->rel_frobenius, o->max_abs_err,
                o->max_abs_exact > 0 ? o->max_abs_err / o->max_abs_exact : NAN, o->cosine,
                o->rel_heldout, o->rel_partial);
    }
    if (bv->n_heldout > 0)
        fprintf(fp, "%s(heldout: relative RMS of T_n[F](U) against a_0^(n)(U); partial: of the "
                    "sum through n against the Born partial sum; %ld potentials)\n",
                ind, bv->n_heldout);
    for (n = 1; n <= bv->N; n++)
    {
        const fy_borntaylor_order_struct *o = bv->ord + n - 1;
        if (o->n_diagrams == 0)
            continue;
        fprintf(fp, "%sorder %d: %ld diagrams, their sum against the fused recursion: rel. %.2e;"
                    " largest:\n", ind, n, o->n_diagrams, o->diagram_sum_err);
        for (t = 0; t < o->n_top; t++)
            fprintf(fp, "%s  #%ld %-40s |contribution| = %.3f of the model's, %.3f of the "
                        "exact tensor's\n", ind, o->top[t], o->top_shape[t] ? o->top_shape[t]
                                                                           : "?",
                    o->top_share[t], o->top_rel_exact[t]);
    }
    if (bv->identity_K > 0)
        fprintf(fp, "%sexact identity d^n a_0(0)[U,..,U] = n! a_0^(n)(U) %s for the true map at "
                    "orders 1..%d (checked exactly on %d potentials)\n", ind,
                bv->identity_ok ? "holds" : "FAILS", bv->N, bv->identity_K);
}
