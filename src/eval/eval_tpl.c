/* Template (included by eval_{d,arb,fmpq}.c): bottom-up contraction of a tree diagram.
 *
 * Every vertex v gets vectors over the neurons of its level: in the labelled and directional
 * modes one vector A_v; in the entry mode one vector A_v(S) per set S of slot positions with
 * |S| = leaves(v), the sum over all bijections of S onto v's leaves.  A vertex combines its
 * children's images U_c = line(c) A_c over the ordered splits of S into sets of the children's
 * sizes, then multiplies neuron by neuron with its own diagonal. */
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"

/* y = M x, M rows x cols row-major. */
static void FY_FN(matvec)(fy_el_ptr y, fy_el_srcptr M, fy_el_srcptr x, slong rows, slong cols,
                          slong prec)
{
    slong a, b;
    for (a = 0; a < rows; a++)
    {
        FY_EL_ZERO(y + a);
        for (b = 0; b < cols; b++)
            FY_EL_ADDMUL(y + a, M + a * cols + b, x + b);
    }
}

typedef struct
{
    const fy_eval_plan_struct *p;
    const int *width;
    int n;
    int **tab;          /* entry mode: tab[v][S] = slot of S in vals[v], or -1 */
    fy_el_ptr *vals;    /* vals[v]: slots x width[level v] */
    slong *nslots;
    slong *imglen;      /* entries of img[c] */
    fy_el_ptr *img;     /* images U_c of the children, same layout as vals[c] */
    fy_el_ptr prod;     /* (max children + 1) x max width work vectors */
    slong wmax;
} FY_FN(ctx_t);

/* acc += sum over the splits of rem among children j.. of prod_j U_j. */
static void FY_FN(splits)(fy_el_ptr acc, FY_FN(ctx_t) *c, int v, int j, unsigned rem,
                          fy_el_srcptr cur, slong w, slong prec)
{
    const fy_eval_plan_struct *p = c->p;
    int r = p->nch[v], ch, need;
    unsigned T;
    slong a;
    fy_el_ptr nxt = c->prod + (slong) j * c->wmax;

    if (j == r)
    {
        if (rem == 0)
            for (a = 0; a < w; a++)
                FY_EL_ADD(acc + a, acc + a, cur + a);
        return;
    }
    ch = p->ch[p->choff[v] + j];
    need = p->leaves[ch];
    /* submasks T of rem with |T| = need (the last child takes all that is left) */
    for (T = rem;; T = (T - 1) & rem)
    {
        if (T != 0 && __builtin_popcount(T) == need && c->tab[ch][T] >= 0)
        {
            fy_el_srcptr u = c->img[ch] + (slong) c->tab[ch][T] * w;
            if (j == 0)
                for (a = 0; a < w; a++)
                    FY_EL_SET(nxt + a, u + a);
            else
                for (a = 0; a < w; a++)
                    FY_EL_MUL(nxt + a, cur + a, u + a);
            FY_FN(splits)(acc, c, v, j + 1, rem & ~T, nxt, w, prec);
        }
        if (T == 0 || j == r - 1)
            break;
    }
}

int FY_FN(_fy_eval_run)(fy_el_ptr res, const fy_eval_plan_struct *p, fy_eval_t ev,
                        fy_el_srcptr legvec, const int *idx, int mode, int output, slong prec,
                        fy_error_t err)
{
    FY_FN(ctx_t) c;
    const fy_eval_model_struct *M = &ev->model;
    int nv = p->nv, n = p->n, i, v, status = FY_OK, maxch = 1;
    unsigned full = n >= 32 ? ~0u : (1u << n) - 1u;
    slong S, nS = mode == FY_EVAL_ENTRY ? (slong) 1 << n : 1;

    memset(&c, 0, sizeof c);
    c.p = p;
    c.width = M->width;
    c.n = n;
    c.wmax = 1;
    for (i = 0; i <= M->levels; i++)
        if (M->width[i] > c.wmax)
            c.wmax = M->width[i];
    for (v = 0; v < nv; v++)
        if (p->nch[v] > maxch)
            maxch = p->nch[v];
    c.tab = fy_calloc((size_t) nv, sizeof *c.tab, err);
    c.vals = fy_calloc((size_t) nv, sizeof *c.vals, err);
    c.img = fy_calloc((size_t) nv, sizeof *c.img, err);
    c.nslots = fy_calloc((size_t) nv, sizeof *c.nslots, err);
    c.imglen = fy_calloc((size_t) nv, sizeof *c.imglen, err);
    if (c.tab == NULL || c.vals == NULL || c.img == NULL || c.nslots == NULL ||
        c.imglen == NULL)
    {
        status = FY_ENOMEM;
        goto done;
    }
    c.prod = FY_VEC_INIT((slong) (maxch + 1) * c.wmax);

    for (i = 0; i < nv && status == FY_OK; i++)
    {
        const fy_numvec_struct *diag;
        slong w, a, k;
        int lv;

        v = p->post[i];
        lv = p->level[v];
        w = M->width[lv];
        diag = _fy_eval_vertex(ev, p->kind[v], lv, p->nch[v], err);
        if (diag == NULL)
        {
            status = err ? err->code : FY_EINPUT;
            break;
        }
        /* the sets S of this vertex */
        c.tab[v] = fy_malloc((size_t) nS, sizeof(int), err);
        if (c.tab[v] == NULL)
        {
            status = FY_ENOMEM;
            break;
        }
        k = 0;
        for (S = 0; S < nS; S++)
        {
            int ok = mode == FY_EVAL_ENTRY ? __builtin_popcount((unsigned) S) == p->leaves[v]
                                           : S == 0;
            c.tab[v][S] = ok ? (int) k++ : -1;
        }
        c.nslots[v] = k;
        c.vals[v] = FY_VEC_INIT(k * w);
        if (p->nch[v] == 0)
        {
            /* a leaf: unit vectors (slots) or the direction */
            fy_el_srcptr dg = (fy_el_srcptr) diag->v;
            if (lv != 0 || w != M->width[0])
            {
                status = fy_error_set(err, FY_EINPUT, "eval: leaf %d at level %d, not 0", v, lv);
                break;
            }
            for (S = 0; S < nS; S++)
            {
                fy_el_ptr A;
                if (c.tab[v][S] < 0)
                    continue;
                A = c.vals[v] + (slong) c.tab[v][S] * w;
                if (mode == FY_EVAL_DIRECTION)
                    for (a = 0; a < w; a++)
                        FY_EL_MUL(A + a, dg + a, legvec + a);
                else
                {
                    int slot = mode == FY_EVAL_LABELLED ? idx[p->leafno[v]]
                                                         : idx[__builtin_ctz((unsigned) S)];
                    FY_EL_SET(A + slot, dg + slot);
                }
            }
        }
        else
        {
            fy_el_srcptr dg = (fy_el_srcptr) diag->v;
            fy_el_ptr acc = FY_VEC_INIT(w);
            int j;
            /* images of the children */
            for (j = 0; j < p->nch[v] && status == FY_OK; j++)
            {
                int ch = p->ch[p->choff[v] + j], lc = p->level[ch];
                slong wc = M->width[lc], q;
                const fy_numvec_struct *L = _fy_eval_line(ev, p->lkind[ch], lv, lc, err);
                if (L == NULL)
                {
                    status = err ? err->code : FY_EINPUT;
                    break;
                }
                c.imglen[ch] = c.nslots[ch] * w;
                c.img[ch] = FY_VEC_INIT(c.imglen[ch]);
                for (q = 0; q < c.nslots[ch]; q++)
                    FY_FN(matvec)(c.img[ch] + q * w, (fy_el_srcptr) L->v, c.vals[ch] + q * wc,
                                  w, wc, prec);
            }
            for (S = 0; S < nS && status == FY_OK; S++)
            {
                fy_el_ptr A;
                if (c.tab[v][S] < 0)
                    continue;
                A = c.vals[v] + (slong) c.tab[v][S] * w;
                for (a = 0; a < w; a++)
                    FY_EL_ZERO(acc + a);
                if (mode == FY_EVAL_ENTRY)
                    FY_FN(splits)(acc, &c, v, 0, (unsigned) S, NULL, w, prec);
                else
                {
                    /* one split: the product of the children's images */
                    for (a = 0; a < w; a++)
                        FY_EL_ONE(acc + a);
                    for (j = 0; j < p->nch[v]; j++)
                    {
                        int ch = p->ch[p->choff[v] + j];
                        for (a = 0; a < w; a++)
                            FY_EL_MUL(acc + a, acc + a, c.img[ch] + a);
                    }
                }
                for (a = 0; a < w; a++)
                    FY_EL_MUL(A + a, acc + a, dg + a);
            }
            FY_VEC_CLEAR(acc, w);
        }
    }
    if (status == FY_OK)
    {
        int r = p->root;
        slong slot = mode == FY_EVAL_ENTRY ? c.tab[r][full] : 0;
        if (slot < 0)
            status = fy_error_set(err, FY_EINTERNAL, "eval: the root does not cover every slot");
        else
        {
            FY_EL_SET(res, c.vals[r] + slot * M->width[p->level[r]] + output);
        }
    }
done:
    for (v = 0; v < nv && c.tab != NULL; v++)
    {
        slong w = M->width[p->level[v]];
        free(c.tab[v]);
        if (c.vals[v] != NULL)
            FY_VEC_CLEAR(c.vals[v], c.nslots[v] * w);
        if (c.img[v] != NULL)
            FY_VEC_CLEAR(c.img[v], c.imglen[v]);
    }
    if (c.prod != NULL)
        FY_VEC_CLEAR(c.prod, (slong) (maxch + 1) * c.wmax);
    free(c.tab);
    free(c.vals);
    free(c.img);
    free(c.nslots);
    free(c.imglen);
    return status;
}
