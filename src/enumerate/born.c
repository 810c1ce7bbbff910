/* Born ladders (MATH.md 2.2): one chain per order, its exact value on the unit step potential
 * and the oracle from the closed form a_0(lambda) = 1 - tanh(x)/x, x^2 = lambda, for
 * U = lambda on (0,1].  The convention for |Aut| is stated in feynn/enumerate.h. */
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_poly.h>

#include "enumerate/enum_internal.h"

#define BORN_MAX_N 1024 /* the exact unit value costs about n^3: seconds at 1024 */

static int check_n(int n, fy_error_t err)
{
    if (n < 1 || n > BORN_MAX_N)
        return fy_error_set(err, FY_EINPUT, "born ladder: order %d outside 1..%d", n,
                            BORN_MAX_N);
    return FY_OK;
}

int _fy_enum_born_ladder(fy_diagram_list_t out, int n, size_t max_bytes, fy_error_t err)
{
    fy_diagram_t d;
    fmpz_t one;
    int i, status = check_n(n, err);
    if (status != FY_OK)
        return status;
    status = _fy_enum_guard(1, _fy_enum_diagram_bytes(n, n, 2, 16 * (size_t) n), 0, max_bytes,
                            "born ladder", err);
    if (status != FY_OK)
        return status;
    fy_diagram_init(d, &fy_family_born);
    for (i = 0; i < n && status == FY_OK; i++)
        if (fy_diagram_add_vertex(d, FY_BORN_INSERTION, -1, err) < 0)
            status = FY_ENOMEM;
    for (i = 0; i + 1 < n && status == FY_OK; i++)
        if (fy_diagram_add_line(d, i, i + 1, FY_BORN_STATIC, err) < 0)
            status = FY_ENOMEM;
    if (status == FY_OK && (fy_diagram_add_leg(d, 0, FY_LEG_UNLABELLED, FY_BORN_END, err) < 0 ||
                            fy_diagram_add_leg(d, n - 1, FY_LEG_UNLABELLED, FY_BORN_END, err) < 0))
        status = FY_ENOMEM;
    if (status == FY_OK)
        status = fy_diagram_canonicalise(d, err);
    if (status == FY_OK)
    {
        fmpq_set_si(d->mult, (n % 2 == 1) ? 1 : -1, 1);
        fmpz_init_set_ui(one, 1);
        fmpq_set_fmpz_frac(d->sym, one, d->aut);
        fmpz_clear(one);
        status = _fy_enum_list_take(out, d, err);
    }
    fy_diagram_clear(d);
    return status;
}

int fy_enum_born_unit_value(fmpq_t value, const fy_diagram_t d, fy_error_t err)
{
    int *deg, *next, i, v, prev, count, ends = 0, start = -1;
    fmpq_poly_t f, F, g, G, t;
    fmpq_t one, G1;

    if (d->nv < 1 || d->nl != d->nv - 1 || !fy_diagram_is_tree(d))
        return fy_error_set(err, FY_EINPUT, "born unit value: the diagram is not a chain");
    for (i = 0; i < d->nv; i++)
        if (d->v[i].kind != FY_BORN_INSERTION)
            return fy_error_set(err, FY_EINPUT,
                                "born unit value: vertex %d is not an insertion", i);
    for (i = 0; i < d->nl; i++)
        if (d->l[i].kind != FY_BORN_STATIC)
            return fy_error_set(err, FY_EINPUT, "born unit value: line %d is not static", i);
    deg = fy_calloc((size_t) d->nv, sizeof *deg, err);
    next = fy_malloc((size_t) 2 * d->nv, sizeof *next, err);
    if (deg == NULL || next == NULL)
    {
        free(deg);
        free(next);
        return FY_ENOMEM;
    }
    for (i = 0; i < 2 * d->nv; i++)
        next[i] = -1;
    for (i = 0; i < d->nl; i++)
    {
        int a = d->l[i].u, b = d->l[i].v;
        if (deg[a] >= 2 || deg[b] >= 2)
        {
            free(deg);
            free(next);
            return fy_error_set(err, FY_EINPUT, "born unit value: the diagram is not a chain");
        }
        next[2 * a + deg[a]++] = b;
        next[2 * b + deg[b]++] = a;
    }
    for (i = 0; i < d->nv; i++)
        if (deg[i] <= 1)
        {
            ends++;
            if (start < 0)
                start = i;
        }
    (void) ends;

    fmpq_poly_init(f);
    fmpq_poly_init(F);
    fmpq_poly_init(g);
    fmpq_poly_init(G);
    fmpq_poly_init(t);
    fmpq_init(one);
    fmpq_init(G1);
    fmpq_one(one);
    /* f_1(r) = r^2;  f_{k+1}(r) = r^2 [ (1/r) int_0^r f_k + int_r^1 f_k(s)/s ds ]
     *                          = r F_k(r) + r^2 (G_k(1) - G_k(r)), F' = f, G' = f/r. */
    fmpq_poly_set_coeff_si(f, 2, 1);
    prev = -1;
    v = start;
    for (count = 1; count < d->nv; count++)
    {
        int w = next[2 * v] != prev ? next[2 * v] : next[2 * v + 1];
        prev = v;
        v = w;
        fmpq_poly_integral(F, f);
        fmpq_poly_shift_right(g, f, 1);
        fmpq_poly_integral(G, g);
        fmpq_poly_evaluate_fmpq(G1, G, one);
        fmpq_poly_shift_left(f, F, 1);            /* r F */
        fmpq_poly_neg(t, G);
        fmpq_poly_set_coeff_fmpq(t, 0, G1);       /* G(1) - G(r); G(0) = 0 */
        fmpq_poly_shift_left(t, t, 2);
        fmpq_poly_add(f, f, t);
    }
    fmpq_poly_integral(F, f);
    fmpq_poly_evaluate_fmpq(value, F, one);
    fmpq_poly_clear(f);
    fmpq_poly_clear(F);
    fmpq_poly_clear(g);
    fmpq_poly_clear(G);
    fmpq_poly_clear(t);
    fmpq_clear(one);
    fmpq_clear(G1);
    free(deg);
    free(next);
    return FY_OK;
}

int fy_enum_born_oracle(fmpq_t expected, int n, fy_error_t err)
{
    fmpq_poly_t x, th;
    int status = check_n(n, err);
    if (status != FY_OK)
        return status;
    fmpq_poly_init(x);
    fmpq_poly_init(th);
    fmpq_poly_set_coeff_si(x, 1, 1);
    fmpq_poly_tanh_series(th, x, 2 * n + 2);
    /* tanh(x)/x = sum_k [x^(2k+1)] tanh * lambda^k, so [lambda^n] (1 - tanh(x)/x) is: */
    fmpq_poly_get_coeff_fmpq(expected, th, 2 * n + 1);
    fmpq_neg(expected, expected);
    fmpq_poly_clear(x);
    fmpq_poly_clear(th);
    return FY_OK;
}
