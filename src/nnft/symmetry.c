/* symmetry.c - symmetries of an ensemble measured as the largest violation over random
 * transformations: exact correlators in balls, or Monte Carlo with the same network at x and
 * g x; the [MSH] symmetry-via-duality condition stated beside (feynn/nnft.h, doc/math.md 4.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_mat.h>

#include "feynn/rng.h"
#include "nnft/checks_internal.h"

#define SYM_MAX_TUPLES 4000

static const char *const sym_names[FY_NNFT_NSYM] = {"translation", "rotation", "output", "z2"};

const char *fy_nnft_sym_name(fy_nnft_sym_t g)
{
    return (unsigned) g < FY_NNFT_NSYM ? sym_names[g] : "?";
}

int fy_nnft_sym_parse(fy_nnft_sym_t *g, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NSYM; i++)
        if (strcmp(name, sym_names[i]) == 0)
        {
            *g = (fy_nnft_sym_t) i;
            return 0;
        }
    return -1;
}

void fy_nnft_sym_init(fy_nnft_sym_res_t r)
{
    memset(r, 0, sizeof(*r));
    arb_init(r->violation);
    r->verdict = -1;
}

void fy_nnft_sym_clear(fy_nnft_sym_res_t r)
{
    arb_clear(r->violation);
}

const char *fy_nnft_sym_duality(const fy_nnft_spec_t s, fy_nnft_sym_t g)
{
    switch (g)
    {
    case FY_NNFT_SYM_TRANSLATION:
        if (s->act == FY_NNFT_COS && !fmpq_is_one(s->phase))
            return "[MSH] x -> x + a is absorbed by the phase, c -> c + w.a, but the narrowed "
                   "window U[-P pi, P pi] (phase P < 1) is not invariant under that shift: "
                   "no translation symmetry (already G2)";
        if (s->act == FY_NNFT_COS)
            return "[MSH] x -> x + a is absorbed by the phase, c -> c + w.a, and U[-pi, pi] "
                   "(mod 2 pi) is invariant under that shift while the law of w is untouched: "
                   "input layer and parameter law invariant, so every correlator is "
                   "translation invariant at every N";
        if (s->act == FY_NNFT_GAUSS)
            return "[MSH] x -> x + a is absorbed by the bias, b0 -> b0 + W0.a, but that map "
                   "does not preserve the law of (W0, b0) (it correlates them) and the "
                   "normaliser exp(-sigma_W^2 |x|^2 / d) is not invariant: no symmetry at "
                   "finite N; the N = infinity kernel depends on x - x' only (the Cos-net "
                   "duality holds at N = infinity only)";
        return "[MSH] x -> x + a is absorbed by b0 -> b0 + W0.a, which does not preserve the "
               "law of (W0, b0): not a symmetry (already G2 depends on x.x', not on x - x')";
    case FY_NNFT_SYM_ROTATION:
        if (s->act == FY_NNFT_COS)
            return "[MSH] x -> R x is absorbed by w -> R^T w; an isotropic law of w (Gaussian, "
                   "uniform in a ball, any radial density) is invariant: rotation invariant at "
                   "every N";
        return "[MSH] x -> R x is absorbed by W0 -> W0 R; the isotropic Gaussian "
               "N(0, sigma_W^2 I / d) is invariant and the biases (and the Gauss-net "
               "normaliser, a function of |x|) are untouched: rotation invariant at every N";
    case FY_NNFT_SYM_OUTPUT:
        return "[MSH] f -> O f, O in SO(d_out), is absorbed by a -> O a, and i.i.d. Gaussian "
               "output weights are invariant; with d_out = 1 the group SO(1) is trivial (its "
               "reflection O(1) = Z2 is checked as z2)";
    case FY_NNFT_SYM_Z2:
        if (fy_nnft_has_odd(s) && !fy_nnft_euclid_deep(s)) /* qft3: deep g takes that route */
            return "[MSH] f -> -f would be absorbed by a -> -a (broken: a has the mean "
                   "a_mean / N) or by c -> c + pi (broken: the phase window is narrower than a "
                   "period): no parameter map is left, odd correlators appear";
        if (!fmpq_is_zero(s->a_mean))
            return "[MSH] f -> -f is absorbed by c -> c + pi (a -> -a is broken by a_mean, but "
                   "the phase is uniform on a whole period): odd correlators vanish at every N";
        return "[MSH] f -> -f is absorbed by a -> -a (and b1 -> -b1); their laws are symmetric "
               "(Gaussian or a Gaussian scale mixture), so odd correlators vanish at every N";
    default:
        return "";
    }
}

/* The transformation of trial t: x -> R x + a.  R is NULL for a pure translation. */
typedef struct
{
    slong d;
    fmpq *R; /* d x d or NULL */
    fmpq *a; /* d */
} xform_t;

static void xform_clear(xform_t *x)
{
    if (x->R)
        _fmpq_vec_clear(x->R, x->d * x->d);
    _fmpq_vec_clear(x->a, x->d);
}

/* Cayley: R = (I - A)(I + A)^-1 for a skew A with entries in {-2, .., 2} / 2. */
static int cayley(fmpq *R, slong d, const fy_rng_t g, uint64_t trial)
{
    fmpq_mat_t A, I, P, Q;
    slong i, j, k = 0;
    int ok;
    fmpq_mat_init(A, d, d);
    fmpq_mat_init(I, d, d);
    fmpq_mat_init(P, d, d);
    fmpq_mat_init(Q, d, d);
    fmpq_mat_one(I);
    for (i = 0; i < d; i++)
        for (j = i + 1; j < d; j++)
        {
            slong v = (slong) floor(fy_rng_uniform(g, 1000 + trial, (uint64_t) k++) * 5) - 2;
            if (v == 0)
                v = 1;
            fmpq_set_si(fmpq_mat_entry(A, i, j), v, 2);
            fmpq_set_si(fmpq_mat_entry(A, j, i), -v, 2);
        }
    fmpq_mat_add(P, I, A);
    ok = fmpq_mat_inv(Q, P);
    fmpq_mat_sub(P, I, A);
    fmpq_mat_mul(A, P, Q);
    for (i = 0; i < d; i++)
        for (j = 0; j < d; j++)
            fmpq_set(R + i * d + j, fmpq_mat_entry(A, i, j));
    fmpq_mat_clear(A);
    fmpq_mat_clear(I);
    fmpq_mat_clear(P);
    fmpq_mat_clear(Q);
    return ok;
}

static void xform_draw(xform_t *x, fy_nnft_sym_t sym, slong d, const fy_rng_t g, slong trial)
{
    slong k;
    x->d = d;
    x->a = _fmpq_vec_init(d);
    x->R = NULL;
    if (sym == FY_NNFT_SYM_TRANSLATION)
    {
        for (k = 0; k < d; k++)
        {
            slong v = (slong) floor(fy_rng_uniform(g, (uint64_t) trial, (uint64_t) k) * 33) - 16;
            if (v == 0)
                v = 3;
            fmpq_set_si(x->a + k, v, 8);
        }
    }
    else if (sym == FY_NNFT_SYM_ROTATION)
    {
        x->R = _fmpq_vec_init(d * d);
        if (d == 1)
            fmpq_set_si(x->R, -1, 1);
        else
            cayley(x->R, d, g, (uint64_t) trial); /* I + A is invertible for skew A */
    }
}

static void xform_apply(fmpq *y, const xform_t *x, const fmpq *p)
{
    slong i, k, d = x->d;
    fmpq_t t;
    fmpq_init(t);
    for (i = 0; i < d; i++)
    {
        if (x->R)
        {
            fmpq_zero(y + i);
            for (k = 0; k < d; k++)
            {
                fmpq_mul(t, x->R + i * d + k, p + k);
                fmpq_add(y + i, y + i, t);
            }
        }
        else
            fmpq_set(y + i, p + i);
        fmpq_add(y + i, y + i, x->a + i);
    }
    fmpq_clear(t);
}

/* Keeps in best the ball of larger upper bound. */
static void keep_max(arb_t best, const arb_t v, slong prec)
{
    arb_t a;
    arf_t ua, ub;
    arb_init(a);
    arf_init(ua);
    arf_init(ub);
    arb_abs(a, v);
    arb_get_ubound_arf(ua, a, prec);
    arb_get_ubound_arf(ub, best, prec);
    if (arf_cmp(ua, ub) > 0)
        arb_set(best, a);
    arb_clear(a);
    arf_clear(ua);
    arf_clear(ub);
}

static slong tuple_cap(slong npts, int n)
{
    slong c = fy_nnft_tuple_count(npts, n);
    return c > SYM_MAX_TUPLES ? SYM_MAX_TUPLES : c;
}

int fy_nnft_symmetry_fn(fy_nnft_sym_res_t r, fy_nnft_npt_fn fn, void *ctx, slong d,
                        const fmpq *pts, slong npts, fy_nnft_sym_t sym, int n, slong trials,
                        uint64_t seed, slong prec, fy_error_t err)
{
    slong *idx = NULL, count, t, u, k;
    fmpq *x, *y;
    arb_t G0, G1, diff, scale;
    fy_rng_t g;
    int rc = FY_OK, broken = 0;
    double tol;
    if (n < 1 || n > 8 || npts < 1 || trials < 1)
        return fy_error_set(err, FY_EINPUT, "symmetry check: n = %d (1..8), %ld points, %ld "
                            "trials (>= 1 each)", n, (long) npts, (long) trials);
    r->sym = sym;
    r->n = n;
    r->trials = trials;
    r->mc = 0;
    arb_zero(r->violation);
    r->scale = 0;
    r->note[0] = 0;
    if (sym == FY_NNFT_SYM_OUTPUT)
    {
        r->verdict = -1;
        r->tuples = 0;
        snprintf(r->note, sizeof r->note, "d_out = 1: SO(1) is trivial, nothing to measure; "
                 "the output reflection f -> -f is z2");
        return FY_OK;
    }
    if (sym == FY_NNFT_SYM_Z2 && !(n & 1))
        return fy_error_set(err, FY_EINPUT, "z2 is measured on odd correlators (n = 1, 3, ..)");
    if (sym != FY_NNFT_SYM_Z2 && (n & 1))
        return fy_error_set(err, FY_EINPUT, "%s is measured on even n", fy_nnft_sym_name(sym));
    if ((rc = fy_nnft_tuples(&idx, &count, npts, n, err)) != FY_OK)
        return rc;
    count = tuple_cap(npts, n);
    r->tuples = count;
    fy_rng_init(g, seed, FY_RNG_PURPOSE_NNFT_CHECKS);
    x = _fmpq_vec_init(n * d);
    y = _fmpq_vec_init(n * d);
    arb_init(G0);
    arb_init(G1);
    arb_init(diff);
    arb_init(scale);
    if (sym == FY_NNFT_SYM_Z2)
        r->trials = trials = 1;
    for (u = 0; u < count && rc == FY_OK; u++)
    {
        for (k = 0; k < n * d; k++)
            fmpq_set(x + k, pts + idx[u * n + k / d] * d + k % d);
        if ((rc = fn(G0, x, n, d, ctx, prec, err)) != FY_OK)
            break;
        keep_max(scale, G0, prec);
        for (t = 0; t < trials && rc == FY_OK; t++)
        {
            if (sym == FY_NNFT_SYM_Z2) /* f -> -f: G_n -> -G_n at odd n */
                arb_mul_2exp_si(diff, G0, 1);
            else
            {
                xform_t xf;
                xform_draw(&xf, sym, d, g, t);
                for (k = 0; k < n; k++)
                    xform_apply(y + k * d, &xf, x + k * d);
                xform_clear(&xf);
                if ((rc = fn(G1, y, n, d, ctx, prec, err)) != FY_OK)
                    break;
                arb_sub(diff, G1, G0, prec);
            }
            keep_max(r->violation, diff, prec);
            if (!arb_contains_zero(diff))
                broken = 1;
        }
    }
    if (rc == FY_OK)
    {
        arf_t ub;
        arf_init(ub);
        arb_get_ubound_arf(ub, scale, prec);
        r->scale = arf_get_d(ub, ARF_RND_UP);
        arb_get_ubound_arf(ub, r->violation, prec);
        r->violation_d = arf_get_d(arb_midref(r->violation), ARF_RND_NEAR);
        tol = ldexp(r->scale > 0 ? r->scale : 1.0, (int) (-prec / 4));
        if (broken)
            r->verdict = 0;
        else if (arf_get_d(ub, ARF_RND_UP) <= tol)
            r->verdict = 1;
        else
            r->verdict = -1;
        arf_clear(ub);
    }
    flint_free(idx);
    _fmpq_vec_clear(x, n * d);
    _fmpq_vec_clear(y, n * d);
    arb_clear(G0);
    arb_clear(G1);
    arb_clear(diff);
    arb_clear(scale);
    return rc;
}

int fy_nnft_symmetry(fy_nnft_sym_res_t r, const fy_nnft_spec_t s, fy_nnft_sym_t g, int n,
                     int connected, slong trials, uint64_t seed, slong prec, fy_error_t err)
{
    fy_nnft_npt_ctx_struct c;
    int rc;
    if (s->npoints < 1)
        return fy_error_set(err, FY_EINPUT, "the spec has no points: give points (point lines "
                            "or inputs) to measure its symmetries at");
    memset(&c, 0, sizeof c);
    c.spec = s;
    c.connected = connected;
    rc = fy_nnft_symmetry_fn(r, fy_nnft_npt_spec, &c, s->d, s->points, s->npoints, g, n,
                             trials, seed, prec, err);
    r->connected = connected;
    snprintf(r->duality, sizeof r->duality, "%s", fy_nnft_sym_duality(s, g));
    if (rc == FY_OK && g == FY_NNFT_SYM_Z2)
        snprintf(r->note, sizeof r->note, "%s", r->verdict == 1
                 ? "the exact odd correlators vanish (symmetric output-weight law); the "
                   "Monte Carlo (fy_nnft_symmetry_mc) measures it on sampled networks"
                 : "odd correlators do not vanish: the parameter law is not symmetric under "
                   "a -> -a");
    return rc;
}

/* Monte Carlo: the spec's networks at the points and at their images under every trial's
 * transformation (one spec view holding them all), the mean difference of the products over
 * the sorted n-tuples with its standard error. */
int fy_nnft_symmetry_mc(fy_nnft_sym_res_t r, const fy_nnft_spec_t s, fy_nnft_sym_t g, int n,
                        slong trials, uint64_t M, uint64_t seed, fy_error_t err)
{
    fy_nnft_spec_struct v;
    fy_rng_t gen;
    fmpq *pts;
    slong P = s->npoints, d = s->d, tot, *idx = NULL, count, u, t, k, nacc;
    double *out = NULL, *sum = NULL, *sq = NULL, *base = NULL;
    uint64_t net;
    int rc = FY_OK;
    if (n < 1 || n > 8 || P < 1 || trials < 1 || M < 2)
        return fy_error_set(err, FY_EINPUT, "symmetry (Monte Carlo): n = %d (1..8), %ld points, "
                            "%ld trials, %llu networks (>= 2)", n, (long) P, (long) trials,
                            (unsigned long long) M);
    r->sym = g;
    r->n = n;
    r->mc = 1;
    r->networks = M;
    r->trials = trials;
    snprintf(r->duality, sizeof r->duality, "%s", fy_nnft_sym_duality(s, g));
    if (g == FY_NNFT_SYM_OUTPUT)
    {
        r->verdict = -1;
        snprintf(r->note, sizeof r->note, "d_out = 1: SO(1) is trivial, nothing to measure; "
                 "the output reflection f -> -f is z2");
        return FY_OK;
    }
    if ((g == FY_NNFT_SYM_Z2) != (n & 1))
        return fy_error_set(err, FY_EINPUT, "z2 is measured at odd n, %s at even n",
                            fy_nnft_sym_name(g));
    if (g == FY_NNFT_SYM_Z2)
        r->trials = trials = 1;
    tot = g == FY_NNFT_SYM_Z2 ? P : P * (1 + trials);
    if ((rc = fy_nnft_tuples(&idx, &count, P, n, err)) != FY_OK)
        return rc;
    count = tuple_cap(P, n);
    r->tuples = count;
    nacc = count * trials;
    pts = _fmpq_vec_init(tot * d);
    for (k = 0; k < P * d; k++)
        fmpq_set(pts + k, s->points + k);
    fy_rng_init(gen, seed, FY_RNG_PURPOSE_NNFT_CHECKS);
    for (t = 0; g != FY_NNFT_SYM_Z2 && t < trials; t++)
    {
        xform_t xf;
        xform_draw(&xf, g, d, gen, t);
        for (k = 0; k < P; k++)
            xform_apply(pts + (P * (1 + t) + k) * d, &xf, s->points + k * d);
        xform_clear(&xf);
    }
    fy_nnft_spec_view(&v, s, pts, tot);
    out = fy_malloc((size_t) tot, sizeof(double), err);
    sum = fy_calloc((size_t) nacc, sizeof(double), err);
    sq = fy_calloc((size_t) nacc, sizeof(double), err);
    base = fy_calloc((size_t) count, sizeof(double), err);
    if (out == NULL || sum == NULL || sq == NULL || base == NULL)
        rc = FY_ENOMEM;
    for (net = 0; net < M && rc == FY_OK; net++)
    {
        if ((rc = fy_nnft_network_outputs(out, &v, seed, net, err)) != FY_OK)
            break;
        for (u = 0; u < count; u++)
        {
            double p0 = 1;
            for (k = 0; k < n; k++)
                p0 *= out[idx[u * n + k]];
            base[u] += p0;
            for (t = 0; t < trials; t++)
            {
                double p1 = 1, D;
                if (g == FY_NNFT_SYM_Z2)
                    D = p0;
                else
                {
                    for (k = 0; k < n; k++)
                        p1 *= out[P * (1 + t) + idx[u * n + k]];
                    D = p1 - p0;
                }
                sum[u * trials + t] += D;
                sq[u * trials + t] += D * D;
            }
        }
    }
    if (rc == FY_OK)
    {
        r->zmax = 0;
        r->violation_d = 0;
        r->scale = 0;
        for (u = 0; u < count; u++)
            if (fabs(base[u] / (double) M) > r->scale)
                r->scale = fabs(base[u] / (double) M);
        for (k = 0; k < nacc; k++)
        {
            double m = sum[k] / (double) M, var = (sq[k] - M * m * m) / (double) (M - 1);
            double se = sqrt(var > 0 ? var / (double) M : 0), z = se > 0 ? fabs(m) / se : 0;
            if (fabs(m) > r->violation_d)
                r->violation_d = fabs(m);
            if (z > r->zmax || k == 0)
            {
                r->zmax = z;
                r->se = se;
            }
        }
        arb_set_d(r->violation, r->violation_d);
        r->verdict = r->zmax < 5 ? 1 : 0;
        snprintf(r->note, sizeof r->note, "Monte Carlo: %llu networks, the same network at x "
                 "and g x; consistent when every |mean| < 5 standard errors",
                 (unsigned long long) M);
        if (s->act == FY_NNFT_GAUSS && r->verdict == 1)
        {
            /* log-normal neurons: the standard errors are not to be trusted (doc/math.md
             * 4.4), so "consistent" would claim too much */
            r->verdict = -1;
            snprintf(r->note, sizeof r->note, "Monte Carlo: %llu networks; Gauss-net neurons "
                     "are log-normal and the standard errors are not to be trusted: "
                     "undecided (use the exact correlators)", (unsigned long long) M);
        }
    }
    free(out);
    free(sum);
    free(sq);
    free(base);
    flint_free(idx);
    _fmpq_vec_clear(pts, tot * d);
    return rc;
}
