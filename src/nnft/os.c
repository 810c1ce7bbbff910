/* os.c - the Osterwalder-Schrader list for an ensemble as one report: growth, Euclidean
 * covariance, reflection positivity, permutation symmetry, cluster decomposition, each
 * passed, failed or not decidable with the numbers (feynn/nnft.h, doc/math.md 4.6). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnft/checks_internal.h"

static const char *const verdict_names[3] = {"not decidable", "failed", "passed"};

const char *fy_nnft_verdict_name(int v)
{
    return verdict_names[(v > 0) ? 2 : (v == 0 ? 1 : 0)];
}

void fy_nnft_os_init(fy_nnft_os_t o)
{
    int k;
    memset(o, 0, sizeof(*o));
    for (k = 0; k < 5; k++)
        o->verdict[k] = -1;
    fy_nnft_rp_init(o->rp);
}

void fy_nnft_os_clear(fy_nnft_os_t o)
{
    fy_nnft_rp_clear(o->rp);
}

/* Runs fn on n copies of the point p or on the points x; FY_EUNSUPPORTED is returned as is. */
static int npt_at(arb_t G, const fy_nnft_spec_t s, const fmpq *x, int n, int connected,
                  slong prec, fy_error_t err)
{
    fy_nnft_npt_ctx_struct c;
    memset(&c, 0, sizeof c);
    c.spec = s;
    c.connected = connected;
    return fy_nnft_npt_spec(G, x, n, s->d, &c, prec, err);
}

static double log_abs(const arb_t G)
{
    arb_t t;
    double v;
    arb_init(t);
    arb_abs(t, G);
    arb_log(t, t, 64);
    v = arf_get_d(arb_midref(t), ARF_RND_NEAR);
    arb_clear(t);
    return v;
}

/* Marks an unsupported axiom "not decidable" with the reason; other errors go up. */
static int soft(fy_nnft_os_t o, int ax, int rc, fy_error_t err)
{
    if (rc == FY_EUNSUPPORTED)
    {
        o->verdict[ax] = -1;
        snprintf(o->detail[ax], sizeof o->detail[ax], "not decidable: %.300s", err->msg);
        fy_error_init(err);
        return FY_OK;
    }
    return rc;
}

static int os_growth(fy_nnft_os_t o, const fy_nnft_spec_t s, slong prec, fy_error_t err)
{
    static const int R[4] = {1, 4, 16, 64};
    fmpq *x = _fmpq_vec_init(4 * s->d);
    arb_t G;
    double lg[2][4];
    int a, k, j, rc = FY_OK;
    arb_init(G);
    for (a = 0; a < 2 && rc == FY_OK; a++)
        for (k = 0; k < 4 && rc == FY_OK; k++)
        {
            for (j = 0; j < 4; j++)
                fmpq_set_si(x + j * s->d, R[k], 1);
            rc = npt_at(G, s, x, 2 + 2 * a, 0, prec, err);
            lg[a][k] = rc == FY_OK ? log_abs(G) : 0;
        }
    if (rc == FY_OK)
    {
        int pass = 1, fail = 0;
        for (a = 0; a < 2; a++)
        {
            int n = 2 + 2 * a;
            o->growth[a] = (lg[a][3] - lg[a][2]) / log(4.0);
            if (!isfinite(o->growth[a]) || o->growth[a] > n + 0.5)
                pass = 0;
            if (!isfinite(o->growth[a]) || o->growth[a] > 2 * n)
                fail = 1;
        }
        o->verdict[0] = fail ? 0 : (pass ? 1 : -1);
        snprintf(o->detail[0], sizeof o->detail[0], "G2(x,x) and G4(x,x,x,x) at x = R e_0, "
                 "R = 1, 4, 16, 64: local exponents d log|G| / d log R = %.4g and %.4g at "
                 "R = 16..64 (polynomial: at most n + 1/2; failed above 2n)",
                 o->growth[0], o->growth[1]);
    }
    arb_clear(G);
    _fmpq_vec_clear(x, 4 * s->d);
    return soft(o, 0, rc, err);
}

static int os_covariance(fy_nnft_os_t o, const fy_nnft_spec_t s, uint64_t seed, slong prec,
                         fy_error_t err)
{
    fy_nnft_sym_res_t r;
    int g, n, rc = FY_OK, pass = 1, fail = 0;
    size_t len = 0;
    fy_nnft_sym_init(r);
    o->detail[1][0] = 0;
    for (g = 0; g < 2 && rc == FY_OK; g++)
        for (n = 2; n <= 4 && rc == FY_OK; n += 2)
        {
            rc = fy_nnft_symmetry(r, s, (fy_nnft_sym_t) g, n, 0, 3, seed, prec, err);
            if (rc != FY_OK)
                break;
            pass = pass && r->verdict == 1;
            fail = fail || r->verdict == 0;
            len += (size_t) snprintf(o->detail[1] + len, sizeof o->detail[1] - len,
                                     "%s%s G%d: %s (largest violation %.3g)",
                                     len ? "; " : "", fy_nnft_sym_name((fy_nnft_sym_t) g), n,
                                     r->verdict == 1 ? "invariant"
                                                     : (r->verdict == 0 ? "broken" : "?"),
                                     r->violation_d);
            if (len >= sizeof o->detail[1])
                len = sizeof o->detail[1] - 1;
        }
    if (rc == FY_OK)
        o->verdict[1] = fail ? 0 : (pass ? 1 : -1);
    fy_nnft_sym_clear(r);
    return soft(o, 1, rc, err);
}

static int os_rp(fy_nnft_os_t o, const fy_nnft_spec_t s, uint64_t seed, slong prec,
                 fy_error_t err)
{
    fmpq *pts = _fmpq_vec_init(6 * s->d);
    fmpq_t tmax;
    int rc;
    fmpq_init(tmax);
    fmpq_set_si(tmax, 2, 1);
    fy_nnft_rp_points(pts, 6, s->d, tmax, seed);
    rc = fy_nnft_rp_spec(o->rp, s, pts, 6, prec, err);
    if (rc == FY_OK)
    {
        o->verdict[2] = o->rp->certified ? o->rp->positive : -1;
        snprintf(o->detail[2], sizeof o->detail[2], "the reflection matrix G2(theta x_i, x_j) "
                 "at 6 points with times 1/3 .. 2: %s; smallest eigenvalue (scaled) %.4g",
                 fy_nnft_rp_verdict(o->rp), o->rp->lambda_min);
    }
    fmpq_clear(tmax);
    _fmpq_vec_clear(pts, 6 * s->d);
    return soft(o, 2, rc, err);
}

/* 4 distinct points: the spec's first ones, else (1, 0..), (1/2, ..), (-1/3, ..), (2, ..). */
static void four_points(fmpq *x, const fy_nnft_spec_t s)
{
    static const int num[4] = {1, 1, -1, 2}, den[4] = {1, 2, 3, 1};
    slong k, j, d = s->d;
    if (s->npoints >= 4)
    {
        for (k = 0; k < 4 * d; k++)
            fmpq_set(x + k, s->points + k);
        return;
    }
    for (k = 0; k < 4; k++)
        for (j = 0; j < d; j++)
            fmpq_set_si(x + k * d + j, j == 0 ? num[k] : (k + j) % 3 - 1, j == 0 ? den[k] : 4);
}

static int os_perm(fy_nnft_os_t o, const fy_nnft_spec_t s, slong prec, fy_error_t err)
{
    slong d = s->d, k;
    fmpq *x = _fmpq_vec_init(4 * d), *y = _fmpq_vec_init(4 * d);
    arb_t G0, G1, diff, worst;
    int p[4], rc, broken = 0, count = 0;
    arb_init(G0);
    arb_init(G1);
    arb_init(diff);
    arb_init(worst);
    four_points(x, s);
    rc = npt_at(G0, s, x, 4, 0, prec, err);
    for (p[0] = 0; p[0] < 4 && rc == FY_OK; p[0]++)
        for (p[1] = 0; p[1] < 4 && rc == FY_OK; p[1]++)
            for (p[2] = 0; p[2] < 4 && rc == FY_OK; p[2]++)
            {
                p[3] = 6 - p[0] - p[1] - p[2];
                if (p[0] == p[1] || p[0] == p[2] || p[1] == p[2] || p[3] < 0 || p[3] > 3)
                    continue;
                for (k = 0; k < 4 * d; k++)
                    fmpq_set(y + k, x + p[k / d] * d + k % d);
                if ((rc = npt_at(G1, s, y, 4, 0, prec, err)) != FY_OK)
                    break;
                count++;
                arb_sub(diff, G1, G0, prec);
                if (!arb_contains_zero(diff))
                    broken = 1;
                arb_abs(diff, diff);
                arb_max(worst, worst, diff, prec);
            }
    if (rc == FY_OK)
    {
        double w = arf_get_d(arb_midref(worst), ARF_RND_NEAR) + mag_get_d(arb_radref(worst));
        double g = fabs(arf_get_d(arb_midref(G0), ARF_RND_NEAR));
        o->perm_violation = w;
        o->verdict[3] = broken ? 0 : (w <= ldexp(g > 0 ? g : 1, (int) (-prec / 4)) ? 1 : -1);
        snprintf(o->detail[3], sizeof o->detail[3], "G4 at the %d orders of 4 distinct points: "
                 "largest |difference| %.3g (a ball bound; G4 = %.6g)", count, w, g);
    }
    arb_clear(G0);
    arb_clear(G1);
    arb_clear(diff);
    arb_clear(worst);
    _fmpq_vec_clear(x, 4 * d);
    _fmpq_vec_clear(y, 4 * d);
    return soft(o, 3, rc, err);
}

static int os_cluster(fy_nnft_os_t o, const fy_nnft_spec_t s, slong prec, fy_error_t err)
{
    static const int R[8] = {0, 1, 2, 4, 8, 16, 32, 64};
    slong d = s->d, k;
    fmpq *x = _fmpq_vec_init(4 * d), *y = _fmpq_vec_init(4 * d);
    arb_t G;
    int j, rc = FY_OK, unresolved = 0;
    double gmax = 0, gl, gp;
    arb_init(G);
    four_points(x, s);
    for (j = 0; j < 8 && rc == FY_OK; j++)
    {
        for (k = 0; k < 4 * d; k++)
            fmpq_set(y + k, x + k);
        fmpq_add_si(y + 2 * d, y + 2 * d, R[j]);
        fmpq_add_si(y + 3 * d, y + 3 * d, R[j]);
        if ((rc = npt_at(G, s, y, 4, 1, prec, err)) != FY_OK)
            break;
        if (arb_rel_accuracy_bits(G) < 10 && !arb_is_zero(G) &&
            mag_get_d(arb_radref(G)) > 1e-7 * gmax)
        {
            /* a ball that does not resolve G4_c (cancellation at large R), nor show it below
             * the decay threshold: its midpoint is no value to judge by (issue 10 item 1);
             * the scan stops here, not decidable */
            char *b = fy_arb_get_str_radius(G, 6);
            snprintf(o->detail[4], sizeof o->detail[4], "G4_c(x1, x2, x3 + R e_0, x4 + R e_0) "
                     "at R = %d is not resolved at %ld bits (ball %s); raise the precision",
                     R[j], (long) prec, b ? b : "?");
            free(b);
            o->verdict[4] = -1;
            o->cluster_limit = NAN;
            unresolved = 1;
            break;
        }
        o->cluster_R[j] = R[j];
        o->cluster_G[j] = arf_get_d(arb_midref(G), ARF_RND_NEAR);
        if (fabs(o->cluster_G[j]) > gmax)
            gmax = fabs(o->cluster_G[j]);
        o->ncluster = j + 1;
    }
    if (rc == FY_OK && !unresolved)
    {
        gl = fabs(o->cluster_G[7]);
        gp = fabs(o->cluster_G[6]);
        o->cluster_limit = o->cluster_G[7];
        if (!isfinite(gl) || gl <= 1e-6 * gmax)
            o->verdict[4] = isfinite(gl) && gl <= gp ? 1 : -1;
        else if (fabs(gl - gp) <= 1e-6 * gl || gl > gp * (1 + 1e-6))
            o->verdict[4] = 0;
        else
            o->verdict[4] = -1;
        snprintf(o->detail[4], sizeof o->detail[4], "G4_c(x1, x2, x3 + R e_0, x4 + R e_0), "
                 "R = 0 .. 64: %.6g at R = 0, %.6g at R = 32, %.6g at R = 64 (%s)",
                 o->cluster_G[0], o->cluster_G[6], o->cluster_G[7],
                 o->verdict[4] == 1 ? "decays"
                                    : (gl > gp * (1 + 1e-6) ? "grows"
                                                            : "tends to a non-zero limit"));
        if (o->verdict[4] == -1)
            snprintf(o->detail[4] + strlen(o->detail[4]),
                     sizeof o->detail[4] - strlen(o->detail[4]), "; no limit reached");
    }
    arb_clear(G);
    _fmpq_vec_clear(x, 4 * d);
    _fmpq_vec_clear(y, 4 * d);
    return soft(o, 4, rc, err);
}

/* The bar after `done` axioms (o->progress, issue 10 item 18); returns 1. */
static int os_bar(fy_nnft_os_t o, double done)
{
    if (o->progress != NULL)
        fy_progress_update(o->progress, done);
    return 1;
}

int fy_nnft_os_report(fy_nnft_os_t o, const fy_nnft_spec_t s, uint64_t seed, slong prec,
                      fy_error_t err)
{
    fy_nnft_spec_struct v;
    fmpq *x = NULL;
    int rc;
    if (s->npoints < 1) /* the covariance check needs points: the four of E3 */
    {
        x = _fmpq_vec_init(4 * s->d);
        four_points(x, s);
        fy_nnft_spec_view(&v, s, x, 4);
    }
    else
        v = *s;
    if (o->progress != NULL)
        o->progress->total = 5;
    if ((rc = os_growth(o, &v, prec, err)) == FY_OK && os_bar(o, 1) &&
        (rc = os_covariance(o, &v, seed, prec, err)) == FY_OK && os_bar(o, 2) &&
        (rc = os_rp(o, &v, seed, prec, err)) == FY_OK && os_bar(o, 3) &&
        (rc = os_perm(o, &v, prec, err)) == FY_OK && os_bar(o, 4) &&
        (rc = os_cluster(o, &v, prec, err)) == FY_OK)
        os_bar(o, 5);
    if (x)
        _fmpq_vec_clear(x, 4 * s->d);
    return rc;
}
