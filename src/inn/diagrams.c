/* diagrams.c - the diagrams of cubic layers and the diagrams that build the learned quartic
 * (inn.h, issue 12): the quartic of the data-space action as a sum over (layer, term) of the
 * order-4 terms born at each layer, carried to the data by the linear parts below; lam from
 * truncated actions (this library's and the textbook one) against the jet route. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/enumerate.h"
#include "feynn/jet.h"
#include "inn/inn_internal.h"

/* ------------------------------------------------------------------ cubic-layer diagrams */

int _fy_inn_cubic_term_diagram(fy_diagram_t d, const fy_inn_term_struct *t, fy_error_t err)
{
    int k = t->source_order, n1 = k - t->n - t->n3, i, j, root, v;
    fy_diagram_reset(d);
    if (n1 < 0)
        return fy_error_set(err, FY_EINTERNAL, "inn: a cubic term with %d legs of %d split",
                            t->n + t->n3, k);
    if ((root = fy_diagram_add_vertex(d, FY_INN_ACTION, 0, err)) < 0)
        return FY_ENOMEM;
    d->root = root;
    for (i = 0; i < n1; i++)
        if (fy_diagram_add_leg(d, root, FY_LEG_UNLABELLED, FY_INN_INDEX, err) < 0)
            return FY_ENOMEM;
    for (i = 0; i < t->n + t->n3; i++)
    {
        int legs = i < t->n ? 2 : 3;
        if ((v = fy_diagram_add_vertex(d, FY_INN_SPLIT, 1, err)) < 0 ||
            fy_diagram_add_line(d, v, root, FY_INN_CONTRACTION, err) < 0)
            return FY_ENOMEM;
        for (j = 0; j < legs; j++)
            if (fy_diagram_add_leg(d, v, FY_LEG_UNLABELLED, FY_INN_INDEX, err) < 0)
                return FY_ENOMEM;
    }
    fmpq_set_si(d->mult, t->multiplicity, 1);
    return fy_diagram_canonicalise(d, err);
}

/* ------------------------------------------------------------------ the quartic */

void fy_inn_quartic_init(fy_inn_quartic_t Q)
{
    memset(Q, 0, sizeof(*Q));
}

void fy_inn_quartic_clear(fy_inn_quartic_t Q)
{
    slong i;
    for (i = 0; i < Q->len; i++)
        fy_symtensor_clear(Q->t[i].term.T);
    free(Q->t);
    fy_inn_quartic_init(Q);
}

/* -(24/d) sum_i T_iiii, T of order 4, rounded to double. */
static double lam_of(const fy_symtensor_t T)
{
    int i, idx[4];
    double s = 0.0;
    arb_t v;
    arb_init(v);
    for (i = 0; i < T->dim; i++)
    {
        idx[0] = idx[1] = idx[2] = idx[3] = i;
        fy_numvec_get_arb(v, &T->e, fy_mindex_rank(T->ix, idx, 4), 128);
        s += arf_get_d(arb_midref(v), ARF_RND_NEAR);
    }
    arb_clear(v);
    return -24.0 * s / T->dim;
}

static int by_lam(const void *a, const void *b)
{
    double x = fabs(((const fy_inn_quartic_term_struct *) a)->lam);
    double y = fabs(((const fy_inn_quartic_term_struct *) b)->lam);
    return x > y ? -1 : x < y ? 1 : 0;
}

/* C := L C (L NULL: the identity), d x d exact. */
static void compose(fmpq *C, const fmpq *L, int d)
{
    fmpq *P;
    fmpq_t t;
    int i, j, k;
    if (L == NULL)
        return;
    P = _fmpq_vec_init((slong) d * d);
    fmpq_init(t);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            for (k = 0; k < d; k++)
            {
                fmpq_mul(t, L + (slong) i * d + k, C + (slong) k * d + j);
                fmpq_add(P + (slong) i * d + j, P + (slong) i * d + j, t);
            }
    for (i = 0; i < d * d; i++)
        fmpq_swap(C + i, P + i);
    _fmpq_vec_clear(P, (slong) d * d);
    fmpq_clear(t);
}

/* Moves the order-4 terms of D but the pass term into Q, carried through C. */
static int take_terms(fy_inn_quartic_t Q, fy_inn_terms_t D, const fy_inn_t net, int l,
                      const fmpq *C, int identity, fy_error_t err)
{
    slong i;
    int status = FY_OK;
    for (i = 0; i < D->len && status == FY_OK; i++)
    {
        fy_inn_term_struct *t = D->t + i;
        fy_inn_quartic_term_struct *q;
        if (t->order != 4 || t->kind == FY_INN_TERM_PASS)
            continue;
        if (!identity)
            status = _fy_inn_carry(t->T, C, err);
        if (status != FY_OK)
            break;
        q = realloc(Q->t, sizeof(*Q->t) * (size_t) (Q->len + 1));
        if (q == NULL)
            return fy_error_set(err, FY_ENOMEM, "inn quartic: out of memory");
        Q->t = q;
        q = Q->t + Q->len++;
        q->layer = l;
        q->layer_kind = net->layers[l].kind;
        q->term = *t;
        /* the tensor now belongs to Q: D's slot gets a new one of order 0 */
        fy_symtensor_init(t->T, q->term.T->e.arith, q->term.T->dim, 0, q->term.T->e.prec,
                          NULL);
        q->lam = lam_of(q->term.T);
        q->term.norm = sqrt(fy_symtensor_dot(q->term.T, q->term.T));
    }
    return status;
}

int fy_inn_quartic_diagrams(fy_inn_quartic_t Q, const fy_inn_t net, fy_arith_t arith,
                            slong prec, fy_error_t err)
{
    fy_inn_result_t R;
    fy_inn_opts_t o;
    fy_inn_terms_t D;
    fy_inn_lmap_t M;
    fmpq *C;
    fmpq_t r;
    int d = net->d, l, i, status, identity = 1;

    fy_inn_quartic_clear(Q);
    fy_inn_opts_init(o);
    o->arith = arith;
    o->prec = prec > 0 ? prec : 128;
    o->order = 4;
    o->keep_layers = 1;
    fy_inn_result_init(R);
    fy_inn_terms_init(D);
    _fy_inn_lmap_init(M, d);
    fmpq_init(r);
    C = _fmpq_vec_init((slong) d * d);
    for (i = 0; i < d; i++)
        fmpq_one(C + (slong) i * d + i);
    status = fy_inn_action(R, net, o, err);
    /* layer l's terms carried by C = L_{l-1} ... L_0 */
    for (l = 0; l < net->nlayers && status == FY_OK; l++)
    {
        status = fy_inn_layer_terms(D, R, net, l, o, err);
        if (status == FY_OK)
            status = take_terms(Q, D, net, l, C, identity, err);
        if (status == FY_OK)
            status = _fy_inn_lmap_set(M, r, net, l, R->layer[l].x0, err);
        if (status == FY_OK && M->L)
        {
            compose(C, M->L, d);
            identity = 0;
        }
    }
    if (status == FY_OK)
    {
        Q->lam = lam_of(R->S->A + 4);
        Q->lam_sum = 0.0;
        for (i = 0; i < Q->len; i++)
            Q->lam_sum += Q->t[i].lam;
        if (Q->len > 1)
            qsort(Q->t, (size_t) Q->len, sizeof(*Q->t), by_lam);
    }
    _fmpq_vec_clear(C, (slong) d * d);
    fmpq_clear(r);
    _fy_inn_lmap_clear(M);
    fy_inn_terms_clear(D);
    fy_inn_result_clear(R);
    return status;
}

/* ------------------------------------------------------------------ truncation */

int fy_inn_quartic_truncation(fy_inn_truncation_struct *Tr, const fy_inn_t net, fy_error_t err)
{
    int d = net->d, i, k, status = FY_OK;
    double *v = calloc((size_t) d, sizeof(double)), c[5], s = 0.0;
    if (v == NULL)
        return fy_error_set(err, FY_ENOMEM, "inn truncation: out of memory");
    /* the jet route: the t^4 coefficient of ln p(t e_i) is A^(4)_iiii */
    for (i = 0; i < d && status == FY_OK; i++)
    {
        v[i] = 1.0;
        status = fy_jet_inn_dir_d(c, net, NULL, v, 4, err);
        v[i] = 0.0;
        s += c[4];
    }
    free(v);
    Tr->lam_jet = -24.0 * s / d;
    for (k = 0; k < FY_INN_NTRUNC && status == FY_OK; k++)
    {
        fy_inn_result_t R;
        fy_inn_opts_t o;
        Tr->K[k] = 4 + 2 * k;
        fy_inn_opts_init(o);
        o->arith = FY_ARITH_DOUBLE;
        o->order = Tr->K[k];
        fy_inn_result_init(R);
        status = fy_inn_action(R, net, o, err);
        if (status == FY_OK)
            Tr->lam_K[k] = lam_of(R->S->A + 4);
        fy_inn_result_clear(R);
        fy_inn_result_init(R);
        if (status == FY_OK)
            status = fy_inn_action_naive(R, net, Tr->K[k], err);
        if (status == FY_OK)
            Tr->lam_naive[k] = lam_of(R->S->A + 4);
        fy_inn_result_clear(R);
        Tr->share[k] = Tr->lam_naive[k] / Tr->lam_jet;
    }
    return status;
}
