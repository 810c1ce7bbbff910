/* a_0 in ball arithmetic and the bound-state test (MATH.md 2.3).
 *
 * Within a step of height U = -k^2 < 0 the zero-energy solution is u = A sin(k x + phi) (x the
 * distance from the step's left end), so its nodes on (0, D] are the integers m with
 * phi < m pi <= phi + k D; phi = atan2(k u0, u0') is taken in [0, pi) (the nodes do not depend
 * on the overall sign), and phi = 0 exactly when u0 = 0 (the origin).  Within a step with
 * U >= 0 a nontrivial solution of u'' = U u has at most one zero on the real line, so there is
 * a node on (0, D] exactly when u changes sign (u0 != 0) or vanishes at D.  A ball that cannot
 * decide a floor or a sign makes the pass report the nodes as undecided, and the caller raises
 * the precision.  The number of zero-energy bound states is the number of nodes of u on
 * (0, infinity): those on (0, R] plus the one of the free continuation u(R) + u'(R)(r - R) at
 * r = a_0 > R, present when u(R) u'(R) < 0. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "born/born_internal.h"

void fy_born_a0_init(fy_born_a0_t res)
{
    arb_init(&res->a0);
    arb_init(&res->u);
    arb_init(&res->up);
    res->nodes = res->bound_states = -1;
    res->shallow = 0;
    res->prec = 0;
    res->digits = 0;
}

void fy_born_a0_clear(fy_born_a0_t res)
{
    arb_clear(&res->a0);
    arb_clear(&res->u);
    arb_clear(&res->up);
}

slong _fy_born_potential_bits(const fy_born_potential_t pot)
{
    slong j, b = 0, t;
    for (j = 0; j <= pot->d; j++)
    {
        t = fmpz_bits(fmpq_numref(pot->r + j)) + fmpz_bits(fmpq_denref(pot->r + j));
        b = FLINT_MAX(b, t);
        if (j < pot->d)
        {
            t = fmpz_bits(fmpq_numref(pot->U + j)) + fmpz_bits(fmpq_denref(pot->U + j));
            b = FLINT_MAX(b, t);
        }
    }
    return b;
}

/* Adds the nodes of floor(t) to *nodes (t >= 0), or marks them undecided. */
static void add_floor(slong *nodes, const arb_t t, slong prec)
{
    arb_t f;
    fmpz_t z;
    if (*nodes < 0)
        return;
    arb_init(f);
    fmpz_init(z);
    arb_floor(f, t, prec);
    if (arb_get_unique_fmpz(z, f) && fmpz_sgn(z) >= 0 && fmpz_cmp_si(z, WORD_MAX / 4) < 0 &&
        *nodes + fmpz_get_si(z) < WORD_MAX / 2)
        *nodes += fmpz_get_si(z);
    else
        *nodes = -1;
    arb_clear(f);
    fmpz_clear(z);
}

void _fy_born_ball_pass(arb_t a0, arb_t u, arb_t up, slong *nodes,
                        const fy_born_potential_t pot, const fmpq_t lambda, slong prec)
{
    arb_t D, k, kD, c, s, us, u1, t, phi, pi;
    fmpq_t Uq, Dq;
    slong j;

    arb_init(D);
    arb_init(k);
    arb_init(kD);
    arb_init(c);
    arb_init(s);
    arb_init(us);
    arb_init(u1);
    arb_init(t);
    arb_init(phi);
    arb_init(pi);
    fmpq_init(Uq);
    fmpq_init(Dq);
    arb_const_pi(pi, prec);
    arb_zero(u);
    arb_one(up);
    *nodes = 0;
    for (j = 0; j < pot->d; j++)
    {
        int sg;
        if (lambda)
            fmpq_mul(Uq, pot->U + j, lambda);
        else
            fmpq_set(Uq, pot->U + j);
        fmpq_sub(Dq, pot->r + j + 1, pot->r + j);
        arb_set_fmpq(D, Dq, prec);
        sg = fmpq_sgn(Uq);
        if (sg == 0)
        {
            arb_one(c);
            arb_set(s, D);
            arb_zero(us);
        }
        else
        {
            arb_set_fmpq(t, Uq, prec);
            arb_abs(t, t);
            arb_sqrt(k, t, prec); /* k = sqrt|U| */
            arb_mul(kD, k, D, prec);
            if (sg < 0)
            {
                arb_sin_cos(s, c, kD, prec);
                arb_sinc(s, kD, prec);
                arb_mul(s, s, D, prec); /* sin(kD)/k */
            }
            else
            {
                arb_sinh_cosh(s, c, kD, prec);
                arb_div(s, s, k, prec); /* sinh(kD)/k */
            }
            arb_set_fmpq(t, Uq, prec);
            arb_mul(us, t, s, prec); /* U s */
        }
        /* nodes of u on this step */
        if (*nodes >= 0)
        {
            if (sg < 0)
            {
                if (arb_is_zero(u))
                    arb_zero(phi);
                else if (arb_is_positive(u) || arb_is_negative(u))
                {
                    arb_mul(t, k, u, prec);
                    arb_atan2(phi, t, up, prec);
                    if (arb_is_negative(u))
                        arb_add(phi, phi, pi, prec);
                }
                else
                    *nodes = -1;
                if (*nodes >= 0)
                {
                    arb_add(t, phi, kD, prec);
                    arb_div(t, t, pi, prec);
                    add_floor(nodes, t, prec);
                }
            }
            else if (!arb_is_zero(u))
            {
                /* u(D) = c u0 + s u0' */
                arb_mul(t, c, u, prec);
                arb_addmul(t, s, up, prec);
                if (arb_contains_zero(t) || arb_contains_zero(u))
                    *nodes = -1;
                else if (arb_is_positive(t) != arb_is_positive(u))
                    (*nodes)++;
            }
        }
        /* (u, u') <- T_j (u, u') */
        arb_mul(u1, c, u, prec);
        arb_addmul(u1, s, up, prec);
        arb_mul(t, us, u, prec);
        arb_addmul(t, c, up, prec);
        arb_swap(u, u1);
        arb_swap(up, t);
    }
    /* a_0 = R - u/u' */
    arb_set_fmpq(t, fy_born_potential_range(pot), prec);
    arb_div(a0, u, up, prec);
    arb_sub(a0, t, a0, prec);

    arb_clear(D);
    arb_clear(k);
    arb_clear(kD);
    arb_clear(c);
    arb_clear(s);
    arb_clear(us);
    arb_clear(u1);
    arb_clear(t);
    arb_clear(phi);
    arb_clear(pi);
    fmpq_clear(Uq);
    fmpq_clear(Dq);
}

/* bound states from a pass: -1 when undecided */
static slong bound_from(slong nodes, const arb_t u, const arb_t up)
{
    if (nodes < 0 || arb_contains_zero(up))
        return -1;
    if (arb_is_zero(u))
        return nodes;
    if (arb_contains_zero(u))
        return -1;
    return nodes + (arb_is_positive(u) != arb_is_positive(up));
}

/* ------------------------------------------------------------------ a_0 */

typedef struct
{
    const fy_born_potential_struct *pot;
    arb_struct u, up;
    slong nodes, bound;
} a0_data_t;

static int a0_eval(arb_ptr out, slong nout, slong prec, void *vdata, fy_error_t err)
{
    a0_data_t *d = vdata;
    (void) nout;
    (void) err;
    _fy_born_ball_pass(out, &d->u, &d->up, &d->nodes, d->pot, NULL, prec);
    d->bound = bound_from(d->nodes, &d->u, &d->up);
    /* out[1] is the bound-state count, exact when decided, indeterminate otherwise, so that
     * the refinement raises the precision until it is decided. */
    if (d->bound >= 0)
        arb_set_si(out + 1, d->bound);
    else
        arb_indeterminate(out + 1);
    return FY_OK;
}

static slong max_prec_for(const fy_born_potential_t pot, slong want_bits)
{
    slong b = _fy_born_potential_bits(pot), mp;
    mp = 8 * (want_bits + 64) + 4 * b + 256;
    return FLINT_MIN(mp, (slong) 1 << 24);
}

int fy_born_a0(fy_born_a0_t res, const fy_born_potential_t pot, slong digits, fy_error_t err)
{
    a0_data_t data;
    arb_ptr out;
    slong want, prec_used = 0, reached = 0;
    int rc;

    if (pot->d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    if (digits < 1 || digits > 100000)
        return fy_error_set(err, FY_EINPUT, "digits must be in 1..100000, not %ld",
                            (long) digits);
    want = (slong) ceil(digits * 3.3219280948873623) + 4;
    {
        /* U = 0: u = r, a_0 = 0 exactly (no ball can certify a relative accuracy of 0) */
        slong j;
        for (j = 0; j < pot->d && fmpq_is_zero(pot->U + j); j++)
            ;
        if (j == pot->d)
        {
            arb_zero(&res->a0);
            arb_set_fmpq(&res->u, fy_born_potential_range(pot), want + 32);
            arb_one(&res->up);
            res->nodes = res->bound_states = 0;
            res->shallow = 1;
            res->prec = want + 32;
            res->digits = digits;
            return FY_OK;
        }
    }
    data.pot = pot;
    arb_init(&data.u);
    arb_init(&data.up);
    data.nodes = data.bound = -1;
    out = _arb_vec_init(2);
    rc = fy_ball_refine(out, 2, a0_eval, &data, want + 32, max_prec_for(pot, want), want,
                        &prec_used, &reached, err);
    arb_set(&res->a0, out);
    arb_set(&res->u, &data.u);
    arb_set(&res->up, &data.up);
    res->nodes = data.nodes;
    res->bound_states = data.bound;
    res->shallow = data.bound == 0 && arb_is_positive(&data.up);
    res->prec = prec_used;
    if (arb_is_zero(out))
        res->digits = digits;
    else
    {
        slong acc = arb_rel_accuracy_bits(out);
        res->digits = acc <= 0 ? 0 : FLINT_MIN(digits, (slong) floor((acc - 1) * 0.30102999566));
    }
    if (rc == FY_ECHECK)
    {
        if (data.bound < 0)
            fy_error_set(err, FY_ECHECK, "the nodes of the zero-energy solution could not be "
                         "counted up to %ld bits (a node at a breakpoint or u'(R) = 0: a bound "
                         "state at threshold)", (long) prec_used);
        else if (arb_contains_zero(&data.up))
            fy_error_set(err, FY_ECHECK, "u'(R) cannot be told from 0 at %ld bits: a "
                         "zero-energy bound state at threshold, a_0 infinite", (long) prec_used);
        else
            fy_error_prefix(err, "a_0: ");
    }
    _arb_vec_clear(out, 2);
    arb_clear(&data.u);
    arb_clear(&data.up);
    return rc;
}

/* ------------------------------------------------------------------ bound states */

static int bound_at(slong *k, int *shallow, const fy_born_potential_t pot, const fmpq_t lambda,
                    fy_error_t err)
{
    arb_t a0, u, up;
    slong prec, nodes, b = -1, maxp = max_prec_for(pot, 64);
    arb_init(a0);
    arb_init(u);
    arb_init(up);
    for (prec = 64;; prec = FLINT_MIN(2 * prec, maxp))
    {
        _fy_born_ball_pass(a0, u, up, &nodes, pot, lambda, prec);
        b = bound_from(nodes, u, up);
        if (b >= 0 || prec >= maxp)
            break;
    }
    if (b >= 0)
    {
        *k = b;
        if (shallow)
            *shallow = b == 0 && arb_is_positive(up);
    }
    arb_clear(a0);
    arb_clear(u);
    arb_clear(up);
    if (b < 0)
        return fy_error_set(err, FY_ECHECK, "the bound states could not be counted up to %ld "
                            "bits (a node at a breakpoint, or a bound state at threshold)",
                            (long) maxp);
    return FY_OK;
}

int fy_born_bound_states(slong *k, int *shallow, const fy_born_potential_t pot,
                         const fmpq_t lambda, fy_error_t err)
{
    if (pot->d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    return bound_at(k, shallow, pot, lambda, err);
}

int fy_born_lambda1(arb_t lambda1, fmpq_t lo_out, const fy_born_potential_t pot, int sign,
                    double rtol, fy_error_t err)
{
    fmpq_t lo, hi, mid, M, x, w;
    slong j, k, it;
    int sh, rc = FY_OK, attractive = 0;

    if (pot->d < 1)
        return fy_error_set(err, FY_EINPUT, "empty potential");
    if (sign != 1 && sign != -1)
        return fy_error_set(err, FY_EINPUT, "sign must be +1 or -1");
    if (!(rtol >= 1e-12 && rtol < 1))
        return fy_error_set(err, FY_EINPUT, "rtol must be in [1e-12, 1)");
    for (j = 0; j < pot->d; j++)
        if (fmpq_sgn(pot->U + j) * sign < 0)
            attractive = 1;
    if (!attractive)
    {
        if (lambda1)
            arb_pos_inf(lambda1);
        if (lo_out)
            fmpq_zero(lo_out); /* no finite bracket: see the ball */
        return FY_OK;
    }
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(mid);
    fmpq_init(M);
    fmpq_init(x);
    fmpq_init(w);
    /* lo = 2 / (max|U| R^2) binds nothing (comparison with the square well, whose first bound
     * state needs |U| R^2 >= (pi/2)^2 > 2); its value is rounded down to a power of 2 to keep
     * the bisection points dyadic. */
    for (j = 0; j < pot->d; j++)
    {
        fmpq_abs(x, pot->U + j);
        if (fmpq_cmp(x, M) > 0)
            fmpq_set(M, x);
    }
    fmpq_mul(x, fy_born_potential_range(pot), fy_born_potential_range(pot));
    fmpq_mul(M, M, x);
    {
        /* 2^e <= 2/(M R^2) */
        slong e = fmpz_bits(fmpq_denref(M)) - fmpz_bits(fmpq_numref(M));
        fmpq_one(lo);
        if (e >= 0)
            fmpq_mul_2exp(lo, lo, (ulong) e);
        else
            fmpq_div_2exp(lo, lo, (ulong) -e);
        fmpq_div_2exp(lo, lo, 1);
    }
    fmpq_mul_2exp(hi, lo, 1);
    for (it = 0; it < 100000; it++)
    {
        fmpq_mul_si(x, hi, sign);
        if ((rc = bound_at(&k, &sh, pot, x, err)) != FY_OK)
            goto done;
        if (!sh)
            break;
        fmpq_set(lo, hi);
        fmpq_mul_2exp(hi, hi, 1);
    }
    if (it == 100000)
    {
        rc = fy_error_set(err, FY_EINTERNAL, "no binding coupling found by doubling");
        goto done;
    }
    for (it = 0; it < 200; it++)
    {
        fmpq_sub(w, hi, lo);
        fy_fmpq_set_d(x, rtol, NULL);
        fmpq_mul(x, x, lo);
        if (fmpq_cmp(w, x) <= 0)
            break;
        fmpq_add(mid, lo, hi);
        fmpq_div_2exp(mid, mid, 1);
        fmpq_mul_si(x, mid, sign);
        if ((rc = bound_at(&k, &sh, pot, x, err)) != FY_OK)
            goto done;
        if (sh)
            fmpq_set(lo, mid);
        else
            fmpq_set(hi, mid);
    }
    if (lambda1)
    {
        arb_t a, b;
        arb_init(a);
        arb_init(b);
        arb_set_fmpq(a, lo, 128);
        arb_set_fmpq(b, hi, 128);
        arb_union(lambda1, a, b, 128);
        arb_clear(a);
        arb_clear(b);
    }
    if (lo_out)
        fmpq_set(lo_out, lo);
done:
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(mid);
    fmpq_clear(M);
    fmpq_clear(x);
    fmpq_clear(w);
    return rc;
}

int fy_born_radius(arb_t rho, const fy_born_potential_t pot, double rtol, fy_error_t err)
{
    arb_t a, b;
    int rc;
    arb_init(a);
    arb_init(b);
    rc = fy_born_lambda1(a, NULL, pot, 1, rtol, err);
    if (rc == FY_OK)
        rc = fy_born_lambda1(b, NULL, pot, -1, rtol, err);
    if (rc == FY_OK)
    {
        if (!arb_is_finite(a))
            arb_set(rho, b);
        else if (!arb_is_finite(b))
            arb_set(rho, a);
        else
            arb_min(rho, a, b, 128);
    }
    arb_clear(a);
    arb_clear(b);
    return rc;
}

int fy_born_check_convergence(const fy_born_potential_t pot, fy_error_t err)
{
    slong k;
    int sh, rc;
    arb_t rho, one;
    if ((rc = fy_born_bound_states(&k, &sh, pot, NULL, err)) != FY_OK)
        return rc;
    arb_init(rho);
    arb_init(one);
    arb_one(one);
    rc = fy_born_radius(rho, pot, 1e-9, err);
    if (rc == FY_OK)
    {
        if (k > 0 || !sh)
            rc = fy_error_set(err, FY_ECHECK, "bound state(s): %ld; the potential is not shallow "
                              "(the zero-energy solution has a node or u'(R) <= 0), so the Born "
                              "series does not converge to a_0: its terms are the Taylor "
                              "coefficients of a_0 at U = 0 but do not sum to a_0", (long) k);
        else if (!arb_gt(rho, one))
        {
            char *r = fy_arb_get_str_radius(rho, 8);
            rc = fy_error_set(err, FY_ECHECK, "bound state(s): 0, but the radius of "
                              "convergence of the Born series in lambda is %s <= 1 (-lambda U "
                              "binds: its repulsive part), so the series does not converge at "
                              "lambda = 1", r ? r : "?");
            free(r);
        }
    }
    arb_clear(rho);
    arb_clear(one);
    return rc;
}
