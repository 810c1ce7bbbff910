/* Normalizability of a truncated action: the sign of its top form (inn.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_vec.h>
#include "num/arb_all.h"

#include "inn/inn_internal.h"

/* Largest matricization (sorted monomials of degree K/2) certified by Cholesky. */
#define NORM_MAX_CHO 400

/* f(v) = s * T[v^K] in double from the midpoints. */
static double form_d(const fy_symtensor_t T, const double *v, double s, double *grad)
{
    int idx[FY_INN_MAX_ORDER + 1], p, K = T->order, d = T->dim, i;
    slong r = 0;
    double val = 0.0, mono, t;
    fmpz_t w;
    arb_t x;
    fmpz_init(w);
    arb_init(x);
    if (grad)
        for (i = 0; i < d; i++)
            grad[i] = 0.0;
    for (p = 0; p < K; p++)
        idx[p] = 0;
    do
    {
        fy_numvec_get_arb(x, &T->e, r++, 64);
        fy_multiindex_multinomial(w, idx, K);
        t = s * arf_get_d(arb_midref(x), ARF_RND_NEAR) * fmpz_get_d(w);
        mono = 1.0;
        for (p = 0; p < K; p++)
            mono *= v[idx[p]];
        val += t * mono;
        if (grad)
            for (p = 0; p < K; p++)
            {
                /* d/dv_{idx[p]} of the monomial: the product without factor p */
                double m2 = 1.0;
                int q;
                if (p > 0 && idx[p] == idx[p - 1])
                    continue;
                for (q = 0; q < K; q++)
                    if (q != p)
                        m2 *= v[idx[q]];
                {
                    int mult = 0;
                    for (q = 0; q < K; q++)
                        mult += idx[q] == idx[p];
                    grad[idx[p]] += t * mult * m2;
                }
            }
    } while (K > 0 && fy_multiindex_next(idx, d, K));
    fmpz_clear(w);
    arb_clear(x);
    return val;
}

/* s * T[v^K] in balls with v converted exactly from doubles. */
static void form_arb(arb_t out, const fy_symtensor_t T, const double *v, int s)
{
    fy_symtensor_t B, O;
    fy_numvec_t h;
    int i, d = T->dim;
    fy_symtensor_init_empty(B);
    fy_symtensor_init_empty(O);
    fy_numvec_init_empty(h);
    if (fy_numvec_set_shape(h, FY_ARITH_BALL, d, 256, NULL) != FY_OK ||
        fy_symtensor_convert(B, FY_ARITH_BALL, 256, T, NULL) != FY_OK)
        arb_indeterminate(out); /* no memory: the ball that contains every value */
    else
    {
        for (i = 0; i < d; i++)
            arb_set_d(fy_numvec_arb(h) + i, v[i]);
        if (fy_symtensor_contract(O, B, h, 0, NULL) != FY_OK)
            arb_indeterminate(out);
        else
            arb_mul_si(out, fy_numvec_arb(&O->e), s, 256);
    }
    fy_numvec_clear(h);
    fy_symtensor_clear(O);
    fy_symtensor_clear(B);
}

static int is_zero_tensor(const fy_symtensor_t T)
{
    slong i;
    int z = 1;
    arb_t x;
    arb_init(x);
    for (i = 0; i < T->e.len && z; i++)
    {
        fy_numvec_get_arb(x, &T->e, i, 64);
        z = arb_is_zero(x);
    }
    arb_clear(x);
    return z;
}

/* Cholesky certification of -s M (M_{PQ} = w_P w_Q T[P u Q]) positive definite. */
static int certify(const fy_symtensor_t T, int s)
{
    int K = T->order, h = K / 2, d = T->dim, ok = 0, P[FY_INN_MAX_ORDER], Q[FY_INN_MAX_ORDER],
        U[FY_INN_MAX_ORDER];
    slong n, a, b, prec = 128;
    fmpz_t wp, wq;
    arb_mat_t M, L;
    arb_t x;

    if (fy_multiindex_count(&n, d, h, NULL) || n > NORM_MAX_CHO)
        return -1;
    fmpz_init(wp);
    fmpz_init(wq);
    arb_init(x);
    arb_mat_init(M, n, n);
    arb_mat_init(L, n, n);
    for (a = 0; a < h; a++)
        P[a] = 0;
    a = 0;
    do
    {
        fy_multiindex_multinomial(wp, P, h);
        for (b = 0; b < h; b++)
            Q[b] = 0;
        b = 0;
        do
        {
            int i = 0, j = 0, k = 0;
            fy_multiindex_multinomial(wq, Q, h);
            while (i < h || j < h)
                U[k++] = (j >= h || (i < h && P[i] <= Q[j])) ? P[i++] : Q[j++];
            fy_numvec_get_arb(x, &T->e, fy_symtensor_index(T, U), prec);
            arb_mul_fmpz(x, x, wp, prec);
            arb_mul_fmpz(x, x, wq, prec);
            arb_mul_si(arb_mat_entry(M, a, b), x, -s, prec);
            b++;
        } while (h > 0 && fy_multiindex_next(Q, d, h));
        a++;
    } while (h > 0 && fy_multiindex_next(P, d, h));
    ok = arb_mat_cho(L, M, prec);
    arb_mat_clear(M);
    arb_mat_clear(L);
    arb_clear(x);
    fmpz_clear(wp);
    fmpz_clear(wq);
    return ok;
}

int fy_inn_action_normalizable(fy_inn_norm_t *verdict, double *vout, double *eps,
                               const fy_inn_action_t S, fy_error_t err)
{
    int K, d = S->d, i, t, it, s;
    const fy_symtensor_struct *T;
    double *v, *g, best = -INFINITY, *bv, mx = 0.0;
    uint64_t h = 0x2545F4914F6CDD1DULL;
    arb_t val;

    *verdict = FY_INN_NORM_UNDECIDED;
    if (eps)
        *eps = 0.0;
    for (K = S->K; K >= 1 && is_zero_tensor(S->A + K); K--)
        ;
    if (K < 1)
        return fy_error_set(err, FY_EINPUT, "the action has no term of order >= 1");
    T = S->A + K;
    /* ln p must fall off: s T[v^K] < 0 for v != 0 with s = +1 for S = ln p */
    s = S->sign;
    v = flint_malloc(sizeof(double) * 3 * (size_t) d);
    g = v + d;
    bv = g + d;
    {
        arb_t x;
        slong r;
        arb_init(x);
        for (r = 0; r < T->e.len; r++)
        {
            fy_numvec_get_arb(x, &T->e, r, 64);
            mx = fmax(mx, fabs(arf_get_d(arb_midref(x), ARF_RND_NEAR)));
        }
        arb_clear(x);
    }
    if (eps)
        *eps = mx;
    /* refutation: random starts and projected gradient ascent of s T[v^K] on the sphere */
    for (t = 0; t < 64; t++)
    {
        double nrm = 0.0, f;
        for (i = 0; i < d; i++)
        {
            h ^= h << 13, h ^= h >> 7, h ^= h << 17;
            v[i] = ((double) (h >> 11) / 9007199254740992.0) * 2.0 - 1.0;
            nrm += v[i] * v[i];
        }
        nrm = sqrt(nrm);
        for (i = 0; i < d; i++)
            v[i] /= nrm;
        for (it = 0; it < 50; it++)
        {
            double step = 0.5 / (mx > 0 ? mx * K : 1.0), gn = 0.0;
            f = form_d(T, v, s, g);
            if (f > best)
            {
                best = f;
                memcpy(bv, v, sizeof(double) * (size_t) d);
            }
            for (i = 0; i < d; i++)
                v[i] += step * g[i];
            for (i = 0; i < d; i++)
                gn += v[i] * v[i];
            gn = sqrt(gn);
            for (i = 0; i < d; i++)
                v[i] /= gn;
        }
    }
    arb_init(val);
    form_arb(val, T, bv, s);
    if (K % 2 == 1 || arb_is_nonnegative(val))
    {
        *verdict = FY_INN_NORM_NO;
        if (K % 2 == 1 && !arb_is_nonnegative(val))
            for (i = 0; i < d; i++)
                bv[i] = -bv[i]; /* odd form: the opposite direction makes it positive */
        if (vout)
            memcpy(vout, bv, sizeof(double) * (size_t) d);
    }
    else if (K % 2 == 0 && certify(T, s) == 1)
        *verdict = FY_INN_NORM_YES;
    arb_clear(val);
    flint_free(v);
    return FY_OK;
}
