/* demo_qft.c - `feynn demo nnft`, second part: fields from neurons ([H] "Building quantum
 * field theories out of neurons", issue 14): the free scalar from a Lorentzian input layer,
 * the Cos/Gauss duality, the symmetry table and independence breaking, each exact in balls
 * (the Monte Carlo column of G2 aside) and checked against a closed form or a second route
 * (feynn/nnft.h "the second part of feynn demo nnft"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "num/arb_all.h"

#include "feynn/draw.h"
#include "io/json_num.h"
#include "nnft/demo_qft.h"

#define FREE_SPEC "activation cos\nsigma_b 0\nsigma_a 1\nwidth 10\nd 1\nb_dist lorentz\n" \
                  "mass 1\npoint 0\npoint 1/2\npoint 1\npoint 2\npoint 3\n"
#define COS_SPEC "activation cos\nsigma_b 0\nsigma_W 1\nwidth 10\npoint 0\npoint 1/5\n" \
                 "point -1/5\npoint 1/2\n"
#define GAUSS_SPEC "activation gauss\nsigma_b 0\nsigma_W 1\nwidth 10\npoint 0\npoint 1/5\n" \
                   "point -1/5\npoint 1/2\n"

static double mid(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

static int parse(fy_nnft_spec_t s, const char *text, fy_error_t err)
{
    return fy_nnft_spec_parse(s, text, "demo nnft (fields from neurons)", err);
}

static void rp_copy(int *v, char *verdict, size_t n, const fy_nnft_rp_t r)
{
    v[0] = r->positive;
    v[1] = r->certified;
    v[2] = r->spectral;
    snprintf(verdict, n, "%s", fy_nnft_rp_verdict(r));
}

/* The free scalar: G(p), G2(x) exact and Monte Carlo, reflection positivity (and Cos-net's). */
static int free_field(fy_nnft_demo_qft_struct *q, uint64_t M, uint64_t seed, slong prec,
                      fy_error_t err)
{
    fy_nnft_spec_t s;
    fy_nnft_rp_t r;
    fmpq *pts = _fmpq_vec_init(6);
    fmpq_t r2, tmax;
    arb_t p, G;
    double mean[15], se[15];
    slong k;
    int rc;
    fy_nnft_spec_init(s);
    fy_nnft_rp_init(r);
    fmpq_init(r2);
    fmpq_init(tmax);
    arb_init(p);
    arb_init(G);
    rc = parse(s, FREE_SPEC, err);
    q->Gp_maxrel = 0;
    for (k = 0; k < FY_NNFT_DEMO_QFT_NP && rc == FY_OK; k++)
    {
        q->p[k] = 0.5 * (double) k;
        arb_set_si(p, k);
        arb_mul_2exp_si(p, p, -1);
        rc = fy_nnft_power_spectrum(G, s, p, prec, err);
        q->Gp[k] = mid(G);
        q->Gp_form[k] = 1.0 / (q->p[k] * q->p[k] + 1); /* sigma_a^2 m / (p^2 + m^2) */
        q->Gp_maxrel = fmax(q->Gp_maxrel, fabs(q->Gp[k] / q->Gp_form[k] - 1));
    }
    for (k = 0; k < FY_NNFT_DEMO_QFT_NX && rc == FY_OK; k++)
    {
        fmpq_mul(r2, s->points + k, s->points + k);
        q->x[k] = fy_fmpq_get_d(s->points + k);
        rc = fy_nnft_euclid_g2(G, s, r2, prec, err);
        q->G2[k] = mid(G);
    }
    q->networks = M;
    if (rc == FY_OK)
        rc = fy_nnft_euclid_mc_g2(mean, se, s, M, seed, err);
    q->zmax = 0;
    for (k = 0; k < FY_NNFT_DEMO_QFT_NX && rc == FY_OK; k++) /* pairs (0, k) come first */
    {
        q->G2_mc[k] = mean[k];
        q->G2_se[k] = se[k];
        q->zmax = fmax(q->zmax, fabs(mean[k] - q->G2[k]) / se[k]);
    }
    fmpq_set_si(tmax, 3, 1);
    fy_nnft_rp_points(pts, 6, 1, tmax, seed);
    if (rc == FY_OK && (rc = fy_nnft_rp_spec(r, s, pts, 6, prec, err)) == FY_OK)
        rp_copy(q->rp_free, q->rp_free_verdict, sizeof q->rp_free_verdict, r);
    fy_nnft_spec_clear(s);
    fy_nnft_spec_init(s);
    if (rc == FY_OK && (rc = parse(s, COS_SPEC, err)) == FY_OK
        && (rc = fy_nnft_rp_spec(r, s, pts, 6, prec, err)) == FY_OK)
        rp_copy(q->rp_cos, q->rp_cos_verdict, sizeof q->rp_cos_verdict, r);
    _fmpq_vec_clear(pts, 6);
    fmpq_clear(r2);
    fmpq_clear(tmax);
    arb_clear(p);
    arb_clear(G);
    fy_nnft_rp_clear(r);
    fy_nnft_spec_clear(s);
    return rc;
}

static int duality(fy_nnft_demo_qft_struct *q, slong prec, fy_error_t err)
{
    fy_nnft_spec_t s;
    fy_nnft_duality_t t;
    fmpq *sh = _fmpq_vec_init(FY_NNFT_DEMO_QFT_NS);
    slong k;
    int rc;
    fy_nnft_spec_init(s);
    fy_nnft_duality_init(t);
    for (k = 0; k < FY_NNFT_DEMO_QFT_NS; k++)
        fmpq_set_si(sh + k, k, 2);
    rc = parse(s, COS_SPEC, err);
    if (rc == FY_OK)
        rc = fy_nnft_duality(t, s, sh, FY_NNFT_DEMO_QFT_NS, prec, err);
    for (k = 0; k < FY_NNFT_DEMO_QFT_NS && rc == FY_OK; k++)
    {
        q->shift[k] = 0.5 * (double) k;
        q->g2_cos[k] = mid(t->g2_cos + k);
        q->g2_gauss[k] = mid(t->g2_gauss + k);
        q->g4_cos[k] = mid(t->g4_cos + k);
        q->g4_gauss[k] = mid(t->g4_gauss + k);
    }
    if (rc == FY_OK)
    {
        q->spread_cos = mid(t->spread_cos) + mag_get_d(arb_radref(t->spread_cos));
        q->spread_gauss = mid(t->spread_gauss);
        q->spread_cos_zero = arb_contains_zero(t->spread_cos);
    }
    _fmpq_vec_clear(sh, FY_NNFT_DEMO_QFT_NS);
    fy_nnft_duality_clear(t);
    fy_nnft_spec_clear(s);
    return rc;
}

/* Rows Cos-net, Gauss-net, the free scalar; columns translation (G4_c), reflection (G4_c),
 * Z2 (G3). */
static int symmetry_table(fy_nnft_demo_qft_struct *q, uint64_t seed, slong prec,
                          fy_error_t err)
{
    static const char *const specs[3] = {COS_SPEC, GAUSS_SPEC, FREE_SPEC};
    static const fy_nnft_sym_t g[3] = {FY_NNFT_SYM_TRANSLATION, FY_NNFT_SYM_ROTATION,
                                       FY_NNFT_SYM_Z2};
    static const int n[3] = {4, 4, 3};
    fy_nnft_spec_t s;
    fy_nnft_sym_res_t y;
    int i, j, rc = FY_OK;
    fy_nnft_sym_init(y);
    for (i = 0; i < 3 && rc == FY_OK; i++)
    {
        fy_nnft_spec_init(s);
        rc = parse(s, specs[i], err);
        for (j = 0; j < 3 && rc == FY_OK; j++)
        {
            rc = fy_nnft_symmetry(y, s, g[j], n[j], n[j] == 4, 2, seed, prec, err);
            q->sym[i][j] = y->verdict;
            q->sym_viol[i][j] = y->violation_d;
        }
        fy_nnft_spec_clear(s);
    }
    fy_nnft_sym_clear(y);
    return rc;
}

/* I_N, I_IB of Cos-net at the points 0, 1/5, -1/5, 1/2. */
static int independence(fy_nnft_demo_qft_struct *q, slong prec, fy_error_t err)
{
    static const slong widths[FY_NNFT_DEMO_QFT_NIB] = {2, 5, 10, 20, 50, 100};
    static const slong en[FY_NNFT_DEMO_QFT_NIB] = {0, 1, 1, 1, 3, 1},
                       ed[FY_NNFT_DEMO_QFT_NIB] = {1, 8, 4, 2, 4, 1};
    static const slong idx[4] = {0, 1, 2, 3};
    fy_nnft_spec_t s;
    fy_nnft_ib_t b;
    fmpq_t eps;
    arb_t G, d;
    double lo = INFINITY, hi = -INFINITY;
    int k, rc;
    fy_nnft_spec_init(s);
    fy_nnft_ib_init(b);
    fmpq_init(eps);
    arb_init(G);
    arb_init(d);
    rc = parse(s, COS_SPEC, err);
    fmpq_set_si(eps, 1, 4);
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB && rc == FY_OK; k++)
    {
        s->width = widths[k];
        rc = fy_nnft_ib(b, s, idx, eps, prec, err);
        q->N[k] = (double) widths[k];
        q->IN_N[k] = mid(b->I_N);
        q->IIB_N[k] = mid(b->I_IB);
        lo = fmin(lo, q->N[k] * q->IN_N[k]);
        hi = fmax(hi, q->N[k] * q->IN_N[k]);
    }
    q->NIN_spread = fabs(hi - lo) / fmax(fabs(hi), 1e-300);
    s->width = 10;
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB && rc == FY_OK; k++)
    {
        fmpq_set_si(eps, en[k], (ulong) ed[k]);
        rc = fy_nnft_ib(b, s, idx, eps, prec, err);
        q->eps[k] = fy_fmpq_get_d(eps);
        q->IN_eps[k] = mid(b->I_N);
        q->IIB_eps[k] = mid(b->I_IB);
        if (rc == FY_OK && k == 0)
        {
            /* at eps = 0 the i.i.d. ensemble: I_IB = 0, I_N + I_IB = G4_c by the partitions */
            q->ib_zero_at_0 = arb_contains_zero(b->I_IB);
            rc = fy_nnft_connected(G, s, idx, 4, prec, err);
            arb_add(d, b->I_N, b->I_IB, prec);
            q->ib_sum_ok = rc == FY_OK && arb_overlaps(d, G);
        }
    }
    arb_clear(G);
    arb_clear(d);
    fmpq_clear(eps);
    fy_nnft_ib_clear(b);
    fy_nnft_spec_clear(s);
    return rc;
}

int fy_nnft_demo_qft_run(fy_nnft_demo_qft_struct *q, uint64_t M, uint64_t seed, slong prec,
                         fy_error_t err)
{
    double t0 = fy_wall_time();
    int rc;
    memset(q, 0, sizeof *q);
    rc = free_field(q, M, seed, prec, err);
    if (rc == FY_OK)
        rc = duality(q, prec, err);
    if (rc == FY_OK)
        rc = symmetry_table(q, seed, prec, err);
    if (rc == FY_OK)
        rc = independence(q, prec, err);
    if (rc != FY_OK)
        return rc;
    q->targets_met = q->Gp_maxrel < 1e-12 && q->zmax < 4 && q->rp_free[0] == 1
                     && q->rp_free[1] == 1 && q->rp_cos[0] == 0 && q->rp_cos[1] == 1
                     && q->spread_cos_zero && q->spread_gauss > 1e-3 && q->ib_zero_at_0
                     && q->ib_sum_ok && q->NIN_spread < 1e-9;
    q->seconds = fy_wall_time() - t0;
    return FY_OK;
}

/* ------------------------------------------------------------------ reports */
static json_t *jrp(const int *v, const char *verdict)
{
    json_t *o = json_object();
    json_object_set_new(o, "positive", v[0] < 0 ? json_null() : json_boolean(v[0]));
    json_object_set_new(o, "certified", json_boolean(v[1]));
    json_object_set_new(o, "spectral", json_integer(v[2]));
    json_object_set_new(o, "verdict", json_string(verdict));
    return o;
}

static const char *const sym_rows[3] = {"cos_net", "gauss_net", "free_scalar"};
static const char *const sym_cols[3] = {"translation", "reflection", "z2"};

static json_t *jverdict(int v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

json_t *fy_nnft_demo_qft_json(const fy_nnft_demo_qft_struct *q)
{
    json_t *o = json_object(), *f = json_object(), *du = json_object(), *sy = json_object();
    json_t *ib = json_object();
    int i, j;
    json_object_set_new(o, "reference", json_string("Halverson, Building quantum field "
                                                    "theories out of neurons (talk); "
                                                    "doc/math.md 4.5, 4.6"));
    json_object_set_new(f, "spec", json_string("d = 1, Lorentzian b (m = 1), F = 1, "
                                               "sigma_a = 1, N = 10"));
    json_object_set_new(f, "p", fy_json_numbers(q->p, FY_NNFT_DEMO_QFT_NP));
    json_object_set_new(f, "G", fy_json_numbers(q->Gp, FY_NNFT_DEMO_QFT_NP));
    json_object_set_new(f, "G_closed_form", fy_json_numbers(q->Gp_form, FY_NNFT_DEMO_QFT_NP));
    json_object_set_new(f, "G_max_rel_dev", fy_json_number(q->Gp_maxrel));
    json_object_set_new(f, "x", fy_json_numbers(q->x, FY_NNFT_DEMO_QFT_NX));
    json_object_set_new(f, "G2", fy_json_numbers(q->G2, FY_NNFT_DEMO_QFT_NX));
    json_object_set_new(f, "G2_mc", fy_json_numbers(q->G2_mc, FY_NNFT_DEMO_QFT_NX));
    json_object_set_new(f, "G2_se", fy_json_numbers(q->G2_se, FY_NNFT_DEMO_QFT_NX));
    json_object_set_new(f, "max_se_deviation", fy_json_number(q->zmax));
    json_object_set_new(f, "networks", json_integer((json_int_t) q->networks));
    json_object_set_new(f, "rp", jrp(q->rp_free, q->rp_free_verdict));
    json_object_set_new(f, "rp_cos_net", jrp(q->rp_cos, q->rp_cos_verdict));
    json_object_set_new(o, "free_scalar", f);
    json_object_set_new(du, "shift", fy_json_numbers(q->shift, FY_NNFT_DEMO_QFT_NS));
    json_object_set_new(du, "g2_cos", fy_json_numbers(q->g2_cos, FY_NNFT_DEMO_QFT_NS));
    json_object_set_new(du, "g2_gauss", fy_json_numbers(q->g2_gauss, FY_NNFT_DEMO_QFT_NS));
    json_object_set_new(du, "g4c_cos", fy_json_numbers(q->g4_cos, FY_NNFT_DEMO_QFT_NS));
    json_object_set_new(du, "g4c_gauss", fy_json_numbers(q->g4_gauss, FY_NNFT_DEMO_QFT_NS));
    json_object_set_new(du, "spread_cos", fy_json_number(q->spread_cos));
    json_object_set_new(du, "spread_cos_contains_zero", json_boolean(q->spread_cos_zero));
    json_object_set_new(du, "spread_gauss", fy_json_number(q->spread_gauss));
    json_object_set_new(o, "duality", du);
    for (i = 0; i < 3; i++)
    {
        json_t *row = json_object();
        for (j = 0; j < 3; j++)
        {
            json_t *c = json_object();
            json_object_set_new(c, "symmetric", jverdict(q->sym[i][j]));
            json_object_set_new(c, "violation", fy_json_number(q->sym_viol[i][j]));
            json_object_set_new(row, sym_cols[j], c);
        }
        json_object_set_new(sy, sym_rows[i], row);
    }
    json_object_set_new(o, "symmetry", sy);
    json_object_set_new(ib, "N", fy_json_numbers(q->N, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "I_N_vs_N", fy_json_numbers(q->IN_N, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "I_IB_vs_N", fy_json_numbers(q->IIB_N, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "eps", fy_json_numbers(q->eps, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "I_N_vs_eps", fy_json_numbers(q->IN_eps, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "I_IB_vs_eps", fy_json_numbers(q->IIB_eps, FY_NNFT_DEMO_QFT_NIB));
    json_object_set_new(ib, "N_I_N_rel_spread", fy_json_number(q->NIN_spread));
    json_object_set_new(ib, "I_IB_zero_at_eps_0", json_boolean(q->ib_zero_at_0));
    json_object_set_new(ib, "sum_is_G4c_at_eps_0", json_boolean(q->ib_sum_ok));
    json_object_set_new(o, "independence_breaking", ib);
    json_object_set_new(o, "targets_met", json_boolean(q->targets_met));
    json_object_set_new(o, "seconds", json_real(q->seconds));
    return o;
}

static const char *sym_word(int v)
{
    return v == 1 ? "yes" : v == 0 ? "NO" : "?";
}

void fy_nnft_demo_qft_text(fy_strbuf_t b, const fy_nnft_demo_qft_struct *q)
{
    int k, i;
    fy_strbuf_printf(b, "fields from neurons ([H]; doc/math.md 4.5, 4.6)\n"
                        "  free scalar (d = 1, Lorentzian b, m = 1, F = 1, N = 10): G(p) = "
                        "1/(p^2 + 1) to %.1e (relative)\n"
                        "    %-6s %-14s %-14s %s\n", q->Gp_maxrel, "x", "G2 exact",
                     "Monte Carlo", "(MC - exact)/se");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NX; k++)
        fy_strbuf_printf(b, "    %-6g %-14.8f %.6f +- %.6f  %+.2f\n", q->x[k], q->G2[k],
                         q->G2_mc[k], q->G2_se[k], (q->G2_mc[k] - q->G2[k]) / q->G2_se[k]);
    fy_strbuf_printf(b, "    (%llu networks)  reflection positivity: %s; Cos-net: %s\n",
                     (unsigned long long) q->networks, q->rp_free_verdict, q->rp_cos_verdict);
    fy_strbuf_printf(b, "  Cos-net / Gauss-net duality (N = 10): the shifted configuration "
                        "x + t, G2 and G4_c / G2(x, x)^k\n    %-5s %-12s %-12s %-14s %s\n",
                     "t", "G2 cos", "G2 gauss", "G4_c cos", "G4_c gauss");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NS; k++)
        fy_strbuf_printf(b, "    %-5g %-12.8f %-12.8f %-14.8g %.8g\n", q->shift[k],
                         q->g2_cos[k], q->g2_gauss[k], q->g4_cos[k], q->g4_gauss[k]);
    fy_strbuf_printf(b, "    spread of G4_c over t: Cos-net %.2g (%s), Gauss-net %.6g\n",
                     q->spread_cos, q->spread_cos_zero ? "a ball containing 0" : "NOT 0",
                     q->spread_gauss);
    fy_strbuf_printf(b, "  symmetries (exact; translation and reflection of G4_c, Z2 of G3)\n"
                        "    %-12s %-12s %-11s %s\n", "", "translation", "reflection", "Z2");
    for (i = 0; i < 3; i++)
        fy_strbuf_printf(b, "    %-12s %-12s %-11s %s\n", sym_rows[i], sym_word(q->sym[i][0]),
                         sym_word(q->sym[i][1]), sym_word(q->sym[i][2]));
    fy_strbuf_printf(b, "  independence breaking (Cos-net, w_i = sqrt(1 - eps) u_i + sqrt(eps) "
                        "u_0): G4_c = I_N + I_IB\n    %-5s %-12s %-12s   %-6s %-12s %s\n",
                     "N", "I_N", "I_IB", "eps", "I_N", "I_IB");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB; k++)
        fy_strbuf_printf(b, "    %-5g %-12.6g %-12.6g   %-6g %-12.6g %.6g\n", q->N[k],
                         q->IN_N[k], q->IIB_N[k], q->eps[k], q->IN_eps[k], q->IIB_eps[k]);
    fy_strbuf_printf(b, "    (left eps = 1/4, right N = 10)\n"
                        "    N I_N the same at every N (relative spread %.1e); I_IB = 0 at "
                        "eps = 0: %s; I_N + I_IB = G4_c: %s\n", q->NIN_spread,
                     q->ib_zero_at_0 ? "yes" : "NO", q->ib_sum_ok ? "yes" : "NO");
    fy_strbuf_printf(b, "  fields from neurons targets met: %s (%.2f s)\n\n",
                     q->targets_met ? "yes" : "NO", q->seconds);
}

/* ------------------------------------------------------------------ files */
/* log10 |G4_c| of both nets against the shift: Cos-net flat, Gauss-net growing. */
static int plot_duality(const fy_nnft_demo_qft_struct *q, const char *dir, fy_error_t err)
{
    double yc[FY_NNFT_DEMO_QFT_NS], yg[FY_NNFT_DEMO_QFT_NS];
    fy_plot_series_struct sr[2] = {
        {FY_NNFT_DEMO_QFT_NS, q->shift, yc, NULL, 1, FY_PLOT_MARK_CIRCLE, 9, 1.5, "Cos-net",
         0},
        {FY_NNFT_DEMO_QFT_NS, q->shift, yg, NULL, 1, FY_PLOT_MARK_CROSS, 1, 1.5, "Gauss-net",
         0}};
    fy_plot_axes_t ax;
    char path[4096];
    int k;
    for (k = 0; k < FY_NNFT_DEMO_QFT_NS; k++)
    {
        yc[k] = q->g4_cos[k] != 0 ? log10(fabs(q->g4_cos[k])) : NAN;
        yg[k] = q->g4_gauss[k] != 0 ? log10(fabs(q->g4_gauss[k])) : NAN;
    }
    fy_plot_axes_init(ax);
    ax->xlabel = "shift t (N = 10)";
    ax->ylabel = "log#d10#u |G#d4,c#u(x + t)| / G#d2#u(x, x)#u2#d";
    snprintf(path, sizeof path, "%s/duality.pdf", dir);
    return fy_plot_lines(path, sr, 2, ax, err);
}

static int plot_ib(const fy_nnft_demo_qft_struct *q, const char *dir, fy_error_t err)
{
    double x[FY_NNFT_DEMO_QFT_NIB], a[FY_NNFT_DEMO_QFT_NIB], c[FY_NNFT_DEMO_QFT_NIB];
    fy_plot_series_struct sr[2] = {
        {FY_NNFT_DEMO_QFT_NIB, x, a, NULL, 1, FY_PLOT_MARK_CIRCLE, 9, 1.5, "|I#dN#u|", 0},
        {FY_NNFT_DEMO_QFT_NIB, x, c, NULL, 1, FY_PLOT_MARK_CROSS, 1, 1.5, "|I#dIB#u|", 0}};
    fy_plot_axes_t ax;
    char path[4096];
    int k;
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB; k++)
    {
        x[k] = log10(q->N[k]);
        a[k] = q->IN_N[k] != 0 ? log10(fabs(q->IN_N[k])) : NAN;
        c[k] = q->IIB_N[k] != 0 ? log10(fabs(q->IIB_N[k])) : NAN;
    }
    fy_plot_axes_init(ax);
    ax->include_zero = 0;
    ax->xlabel = "log#d10#u N  (#ge = 1/4)";
    ax->ylabel = "log#d10#u |I|";
    snprintf(path, sizeof path, "%s/ib.pdf", dir);
    return fy_plot_lines(path, sr, 2, ax, err);
}

/* I_N and I_IB against eps at N = 10 (linear axes: I_IB starts at 0). */
static int plot_ib_eps(const fy_nnft_demo_qft_struct *q, const char *dir, fy_error_t err)
{
    fy_plot_series_struct sr[2] = {
        {FY_NNFT_DEMO_QFT_NIB, q->eps, q->IN_eps, NULL, 1, FY_PLOT_MARK_CIRCLE, 9, 1.5,
         "I#dN#u", 0},
        {FY_NNFT_DEMO_QFT_NIB, q->eps, q->IIB_eps, NULL, 1, FY_PLOT_MARK_CROSS, 1, 1.5,
         "I#dIB#u", 0}};
    fy_plot_axes_t ax;
    char path[4096];
    fy_plot_axes_init(ax);
    ax->xlabel = "#ge  (N = 10)";
    ax->ylabel = "I";
    snprintf(path, sizeof path, "%s/ib_eps.pdf", dir);
    return fy_plot_lines(path, sr, 2, ax, err);
}

int fy_nnft_demo_qft_files(const fy_nnft_demo_qft_struct *q, const char *dir, int *nfig,
                           fy_error_t err)
{
    char path[4096];
    fy_ofile_t of;
    int k, rc;
    snprintf(path, sizeof path, "%s/qft_spectrum.csv", dir);
    if ((rc = fy_ofile_open(of, path, err)) != FY_OK)
        return rc;
    fprintf(of->fp, "kind,value,exact,closed_form_or_mc,mc_se\n");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NP; k++)
        fprintf(of->fp, "p,%.17g,%.17g,%.17g,\n", q->p[k], q->Gp[k], q->Gp_form[k]);
    for (k = 0; k < FY_NNFT_DEMO_QFT_NX; k++)
        fprintf(of->fp, "x,%.17g,%.17g,%.17g,%.17g\n", q->x[k], q->G2[k], q->G2_mc[k],
                q->G2_se[k]);
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        return rc;
    snprintf(path, sizeof path, "%s/qft_duality.csv", dir);
    if ((rc = fy_ofile_open(of, path, err)) != FY_OK)
        return rc;
    fprintf(of->fp, "shift,g2_cos,g2_gauss,g4c_cos,g4c_gauss\n");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NS; k++)
        fprintf(of->fp, "%.17g,%.17g,%.17g,%.17g,%.17g\n", q->shift[k], q->g2_cos[k],
                q->g2_gauss[k], q->g4_cos[k], q->g4_gauss[k]);
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        return rc;
    snprintf(path, sizeof path, "%s/qft_ib.csv", dir);
    if ((rc = fy_ofile_open(of, path, err)) != FY_OK)
        return rc;
    fprintf(of->fp, "scan,N,eps,I_N,I_IB\n");
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB; k++)
        fprintf(of->fp, "N,%g,0.25,%.17g,%.17g\n", q->N[k], q->IN_N[k], q->IIB_N[k]);
    for (k = 0; k < FY_NNFT_DEMO_QFT_NIB; k++)
        fprintf(of->fp, "eps,10,%.17g,%.17g,%.17g\n", q->eps[k], q->IN_eps[k], q->IIB_eps[k]);
    if ((rc = fy_ofile_commit(of, err)) != FY_OK)
        return rc;
    if (!fy_plot_available())
        return FY_OK;
    if ((rc = plot_duality(q, dir, err)) == FY_OK)
        ++*nfig;
    if (rc == FY_OK && (rc = plot_ib(q, dir, err)) == FY_OK)
        ++*nfig;
    if (rc == FY_OK && (rc = plot_ib_eps(q, dir, err)) == FY_OK)
        ++*nfig;
    return rc;
}
