/* feynn nnft spectrum / duality: fields from neurons ([H], issue 14; the library is
 * src/nnft/euclid*.c, feynn/nnft.h "fields from neurons").
 *
 *   feynn nnft spectrum SPEC   the power spectrum G(p) and the 2-point function G2(x) of an
 *                              input layer F(b) cos(b . x + c), exact balls, optional Monte
 *                              Carlo column with standard errors
 *   feynn nnft duality SPEC    Cos-net against Gauss-net: one G2 shape, different finite-N
 *                              connected 4-point functions under translations
 *
 * This file only parses options and prints.  Exit codes: 0 success, 1 --check found Monte
 * Carlo more than 4 standard errors from exact, 2 bad usage or input. */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/nnft_cli.h"
#include "cli/opt.h"
#include "feynn/nnft.h"
#include "feynn/num.h"
#include "feynn/util.h"
#include "io/json_num.h"

#define SPECTRUM "nnft spectrum"
#define DUALITY "nnft duality"

typedef struct
{
    const char *spec, *out, *shifts, *rho;
    int fmt, check;
    long digits, width, np, nx;
    unsigned long long mc, seed;
    fmpq_t pmax, xmax;
    int pmax_given, xmax_given;
} qopts_t;

/* What the option table fills (src/cli/opt.c); qopts_t is what the printers read. */
typedef struct
{
    const char *out, *shifts, *rho, *pmax, *xmax;
    long digits, width, np, nx, mc, seed;
    int check;
} qargs_t;

#define A(f) offsetof(qargs_t, f)
#define OPT_OUT                                                                              \
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),     \
     .help = "write there instead of standard output (atomically)"}
#define OPT_DIGITS                                                                           \
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = A(digits), .lo = 1, .hi = 200, \
     .def = "10", .help = "certified significant digits"}
static const fy_opt_t spectrum_opts[] = {
    {.name = "pmax", .kind = FY_OPT_RATIONAL, .arg = "P", .off = A(pmax),
     .def = "3 Lambda / 2 for the ball, else 4 m or 3 sigma_W", .help = "largest |p| (> 0)"},
    {.name = "np", .kind = FY_OPT_INT, .arg = "K", .off = A(np), .lo = 2, .hi = 100000,
     .def = "17", .help = "momenta 0, P/(K-1), .., P"},
    {.name = "xmax", .kind = FY_OPT_RATIONAL, .arg = "X", .off = A(xmax), .def = "4",
     .help = "largest |x| (> 0)"},
    {.name = "nx", .kind = FY_OPT_INT, .arg = "K", .off = A(nx), .lo = 2, .hi = 100000,
     .def = "17", .help = "positions 0, X/(K-1), .., X"},
    {.name = "mc", .kind = FY_OPT_INT, .arg = "M", .off = A(mc), .lo = 2, .hi = LONG_MAX,
     .help = "also M networks of the spec's width: G2 with standard errors"},
    {.name = "seed", .kind = FY_OPT_INT, .arg = "S", .off = A(seed), .lo = 0, .hi = LONG_MAX,
     .def = "1", .help = "seed of the Monte Carlo"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = A(check),
     .help = "with --mc: exit 1 when a Monte Carlo value lies more than 4 standard errors "
             "from the exact one"},
    {.name = "rho", .kind = FY_OPT_STRING, .arg = "P1,P2,..", .off = A(rho),
     .help = "also the time-momentum representation rho(p, tau) = int dp_0/(2 pi) "
             "e^(i p_0 tau) G(p_0, p) at these spatial momenta |p| (d = 1: 0 only), tau on "
             "the position grid, and its reflection positivity: M_ij = rho(p, tau_i + tau_j) "
             "at the first 8 positive tau, certified in balls (positive for every p exactly "
             "for a reflection-positive theory); in d = 1 with a closed-form Kallen-Lehmann "
             "measure (b_dist lorentz) also the measure and its certificate"},
    {.name = "width", .kind = FY_OPT_COUNT, .arg = "N", .off = A(width), .hi = 1L << 40,
     .help = "override the spec's width (only the Monte Carlo sees it)"},
    OPT_DIGITS,
    OPT_OUT,
};
static const fy_opt_t duality_opts[] = {
    {.name = "shifts", .kind = FY_OPT_STRING, .arg = "LIST", .off = A(shifts),
     .def = "0,1/4,1/2,1,2", .help = "translations t along e_1, rationals separated by commas"},
    {.name = "width", .kind = FY_OPT_COUNT, .arg = "N", .off = A(width), .hi = 1L << 40,
     .help = "override the spec's width"},
    OPT_DIGITS,
    OPT_OUT,
};
#undef A

const fy_opt_cmd_t fy_opt_nnft_spectrum = {
    .name = "nnft spectrum",
    .usage = "SPEC [options]",
    .intro =
        "Fields from neurons [H]: for an ensemble\n"
        "  phi(x) = sum_i a_i F(b_i) cos(b_i . x + c_i)\n"
        "(activation cos with b_dist gauss|ball|lorentz|user and F one|prop|user,\n"
        "doc/nnft-spec.md; b_dist user: lines 'b_density LO HI c0 c1 ..', a radial density\n"
        "c0 + c1 |b| + .. on LO <= |b| <= HI; F user: lines 'F_piece LO HI c0 c1 ..'; a\n"
        "deeper g: 'g dense', 'g_width N1', 'g_act linear|tanh|erf|relu|sin', 'sigma_g',\n"
        "'sigma_gb', neurons h_i = g_act(sum_j W_ij l_j(x) + beta_i)),\n"
        "the power spectrum G(p) on a momentum grid and the 2-point function G2(x) =\n"
        "G2(x e_1, 0) on a position grid, in ball arithmetic; with --mc also a Monte Carlo\n"
        "estimate of G2 with standard errors.  Convention:\n"
        "  G2(x, y) = int d^d p / (2 pi)^d e^(i p.(x - y)) G(p),\n"
        "  G(p) = (sigma_a^2 / 2) (2 pi)^d P(p) F(p)^2.\n"
        "The talk's examples: examples/nnqft_free1.spec (ball, F = 1/sqrt(b^2 + m^2):\n"
        "G(p) = sigma_a^2 (2 pi)^d / (2 vol) / (p^2 + m^2) for |p| < Lambda) and\n"
        "examples/nnqft_free2.spec (d = 1, Lorentzian b, F = 1: G(p) = sigma_a^2 m /\n"
        "(p^2 + m^2), G2(x) = (sigma_a^2 / 2) e^(-m |x|)).",
    .epilog = "Exit status: 0 success, 1 --check failed, 2 bad usage or input.\n",
    .opts = spectrum_opts,
    .nopts = FY_OPT_N(spectrum_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-spectrum.schema.json) or csv (one row per grid "
                   "point, kind p, x or rho; balls as midpoint to 17 digits and radius)",
    .common = FY_OPT_QUIET, /* as every command (issue 10 item 18) */
    .max_operands = 1,
};

const fy_opt_cmd_t fy_opt_nnft_duality = {
    .name = "nnft duality",
    .usage = "SPEC [options]",
    .intro =
        "The large-N duality of Cos-net and Gauss-net [H]: with the spec's d, width N,\n"
        "sigma_W, sigma_a and kurtosis (no biases), both have G2 / G2(x, x) =\n"
        "exp(-sigma_W^2 |x - y|^2 / (2d)), the same Gaussian power spectrum, at every N;\n"
        "at finite N their exact connected 4-point functions differ: Cos-net's is\n"
        "translation invariant (the uniform phase absorbs x -> x + t), Gauss-net's is not.\n"
        "The table translates the configuration x_0..x_3 (the spec's first four points) by\n"
        "t e_1 for each shift t and prints G2(x_0 + t, x_1 + t) / G2(x, x) and\n"
        "G4_c(x_0 + t, .., x_3 + t) / G2(x, x)^2 of both (normalised so that G2(x, x) = 1),\n"
        "then the spread (largest minus smallest) of each G4_c column.",
    .epilog = "Exit status: 0 success, 2 bad usage or input.\n",
    .opts = duality_opts,
    .nopts = FY_OPT_N(duality_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_CSV),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/nnft-duality.schema.json) or csv",
    .common = FY_OPT_QUIET, /* as every command (issue 10 item 18) */
    .max_operands = 1,
};

static int parse_pos_q(fmpq_t q, const char *cmd, const char *s, const char *name)
{
    if (fy_fmpq_parse(q, s, NULL) != FY_OK || fmpq_sgn(q) <= 0)
        return fy_cli_usage_error(cmd, "%s needs a positive number (e.g. 4, 5/2, 0.75), not "
                                  "'%s'", name, s);
    return 0;
}

/* Returns 0 to go on, -1 after --help, 2 on a usage error. */
static int qparse(qopts_t *o, int argc, char **argv, const fy_opt_cmd_t *cmd)
{
    qargs_t a = {.digits = 10, .np = 17, .nx = 17, .seed = 1};
    fy_opt_state_t st;
    int rc = fy_opt_start(st, &a, cmd, argc, argv);
    if (rc >= 0)
        return rc == 0 ? -1 : rc;
    o->fmt = st->format;
    if (st->noperands < 1)
    {
        fy_opt_state_clear(st);
        return fy_cli_usage_error(cmd->name, "missing the spec file (doc/nnft-spec.md)");
    }
    o->spec = st->operands[0];
    o->out = a.out;
    o->shifts = a.shifts;
    o->rho = a.rho;
    o->check = a.check;
    o->digits = a.digits;
    o->width = a.width;
    o->np = a.np;
    o->nx = a.nx;
    o->mc = (unsigned long long) a.mc;
    o->seed = (unsigned long long) a.seed;
    rc = 0;
    if (a.pmax && (rc = parse_pos_q(o->pmax, cmd->name, a.pmax, "--pmax")) == 0)
        o->pmax_given = 1;
    if (rc == 0 && a.xmax && (rc = parse_pos_q(o->xmax, cmd->name, a.xmax, "--xmax")) == 0)
        o->xmax_given = 1;
    fy_opt_state_clear(st);
    if (rc == 0 && o->check && o->mc == 0)
        rc = fy_cli_usage_error(cmd->name, "--check compares with Monte Carlo: give --mc M too");
    return rc;
}

/* ------------------------------------------------------------------ printing helpers */
static double mid_d(const arb_t x)
{
    return arf_get_d(arb_midref(x), ARF_RND_NEAR);
}

static char *qs(const fmpq_t q)
{
    return fy_fmpq_get_str(q);
}

static char *cert(const arb_t x, slong digits)
{
    char *s = fy_arb_get_str_certified(x, digits);
    return s ? s : fy_arb_get_str_radius(x, 5);
}

/* The spec object of every nnft command, with the input layer of the cos family. */
static json_t *jspec(const fy_nnft_spec_t s)
{
    json_t *o = fy_nnft_cli_json_spec(s);
    if (s->act == FY_NNFT_COS)
    {
        json_object_set_new(o, "b_dist", json_string(fy_nnft_bdist_name(s->b_dist)));
        json_object_set_new(o, "F", json_string(fy_nnft_ampl_name(s->F)));
        if (!fmpq_is_zero(s->mass))
            json_object_set_new(o, "mass", fy_nnft_cli_json_q(s->mass));
        if (!fmpq_is_zero(s->Lambda))
            json_object_set_new(o, "Lambda", fy_nnft_cli_json_q(s->Lambda));
        if (s->g != FY_NNFT_G_IDENTITY) /* qft3: the deeper g */
        {
            json_object_set_new(o, "g", json_string(fy_nnft_g_name(s->g)));
            json_object_set_new(o, "g_act", json_string(fy_nnft_gact_name(s->g_act)));
            json_object_set_new(o, "g_width", json_integer((json_int_t) s->g_width));
            json_object_set_new(o, "sigma_g", fy_nnft_cli_json_q(s->sigma_g));
            json_object_set_new(o, "sigma_gb", fy_nnft_cli_json_q(s->sigma_gb));
        }
    }
    return o;
}

static int write_json(const char *path, json_t *j, fy_error_t err)
{
    fy_ofile_t of;
    int rc = fy_ofile_open(of, path ? path : "-", err);
    if (rc != FY_OK)
        return rc;
    if (json_dumpf(j, of->fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0
        || fputc('\n', of->fp) == EOF)
    {
        fy_ofile_abort(of);
        return fy_error_set(err, FY_EIO, "cannot write the JSON output");
    }
    return fy_ofile_commit(of, err);
}

/* The input layer in words. */
static void layer_text(char *buf, size_t n, const fy_nnft_spec_t s)
{
    char *w = qs(s->sigma_W), *m = qs(s->mass), *L = qs(s->Lambda), *a = qs(s->sigma_a);
    char pb[160], pf[96];
    switch (s->b_dist)
    {
    case FY_NNFT_B_BALL:
        snprintf(pb, sizeof pb, "uniform in the ball |b| < Lambda = %s", L ? L : "?");
        break;
    case FY_NNFT_B_LORENTZ:
        snprintf(pb, sizeof pb, "Lorentzian m / (pi (b^2 + m^2)), m = %s", m ? m : "?");
        break;
    case FY_NNFT_B_USER: /* qft3 */
        snprintf(pb, sizeof pb, "user-given radial density (%ld piece(s), |b| <= %s)",
                 (long) s->b_density->n, L ? L : "?");
        break;
    default:
        snprintf(pb, sizeof pb, "N(0, sigma_W^2 / d), sigma_W = %s (the Cos-net)", w ? w : "?");
        break;
    }
    if (s->F == FY_NNFT_F_PROP)
        snprintf(pf, sizeof pf, "F = 1/sqrt(b^2 + m^2), m = %s", m ? m : "?");
    else if (s->F == FY_NNFT_F_USER) /* qft3 */
        snprintf(pf, sizeof pf, "F user-given (%ld piece(s))", (long) s->F_user->n);
    else
        snprintf(pf, sizeof pf, "F = 1");
    if (s->g == FY_NNFT_G_DENSE) /* qft3: the deeper g */
    {
        char *g = qs(s->sigma_g), *gb = qs(s->sigma_gb);
        snprintf(buf, n, "phi(x) = sum_i a_i h_i(x), h_i = %s(sum_j W_ij l_j(x) + beta_i), "
                 "l_j(x) = F(b_j) cos(b_j . x + c_j), d = %ld, N = %ld, g_width = %ld, "
                 "sigma_a = %s, sigma_g = %s, sigma_gb = %s; b %s; %s",
                 fy_nnft_gact_name((fy_nnft_gact_t) s->g_act), (long) s->d, (long) s->width,
                 (long) s->g_width, a ? a : "?", g ? g : "?", gb ? gb : "?", pb, pf);
        free(g);
        free(gb);
    }
    else
        snprintf(buf, n, "phi(x) = sum_i a_i F(b_i) cos(b_i . x + c_i), d = %ld, N = %ld, "
                 "sigma_a = %s; b %s; %s", (long) s->d, (long) s->width, a ? a : "?", pb, pf);
    free(w);
    free(m);
    free(L);
    free(a);
}

/* The talk's closed form of G(p), where the ensemble is one of its examples, else NULL. */
static const char *known_form(const fy_nnft_spec_t s)
{
    if (s->g != FY_NNFT_G_IDENTITY) /* qft3: the talk's forms are the single layer's */
        return NULL;
    if (s->b_dist == FY_NNFT_B_BALL && s->F == FY_NNFT_F_PROP)
        return "Gaussian NN-QFT 1: G(p) = sigma_a^2 (2 pi)^d / (2 vol(ball)) / (p^2 + m^2) for "
               "|p| < Lambda, 0 beyond";
    if (s->b_dist == FY_NNFT_B_LORENTZ && s->F == FY_NNFT_F_ONE)
        return "Gaussian NN-QFT 2: G(p) = sigma_a^2 m / (p^2 + m^2), G2(x) = (sigma_a^2 / 2) "
               "e^(-m |x|)";
    if (s->b_dist == FY_NNFT_B_GAUSS && s->F == FY_NNFT_F_ONE)
        return "Cos-net: G(p) = (sigma_a^2 / 2) (2 pi d / sigma_W^2)^(d/2) "
               "exp(-d p^2 / (2 sigma_W^2)), G2(x) = (sigma_a^2 / 2) exp(-sigma_W^2 x^2 / (2d))";
    return NULL;
}

#define CONVENTION "G2(x, y) = int d^d p / (2 pi)^d e^(i p . (x - y)) G(p), so G(p) = " \
                   "(sigma_a^2 / 2) (2 pi)^d P(p) F(p)^2"

/* ------------------------------------------------------------------ spectrum */
static void default_pmax(fmpq_t p, const fy_nnft_spec_t s)
{
    if (s->b_dist == FY_NNFT_B_BALL)
    {
        fmpq_set_si(p, 3, 2);
        fmpq_mul(p, p, s->Lambda);
    }
    else if (!fmpq_is_zero(s->mass))
    {
        fmpq_set_si(p, 4, 1);
        fmpq_mul(p, p, s->mass);
    }
    else
    {
        fmpq_set_si(p, 3, 1);
        fmpq_mul(p, p, s->sigma_W);
    }
}

/* --rho P1,P2,..: the spatial momenta (rationals >= 0). */
static int parse_rho_list(fmpq **p, slong *n, const char *list, fy_error_t err)
{
    char *buf = strdup(list), *tok, *save = NULL;
    int rc = FY_OK;
    *n = 0;
    *p = NULL;
    if (buf == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    *p = _fmpq_vec_init(64);
    for (tok = strtok_r(buf, ",", &save); tok && rc == FY_OK; tok = strtok_r(NULL, ",", &save))
    {
        if (*n >= 64)
            rc = fy_error_set(err, FY_EINPUT, "--rho takes at most 64 momenta");
        else if (fy_fmpq_parse(*p + *n, tok, NULL) != FY_OK || fmpq_sgn(*p + *n) < 0)
            rc = fy_error_set(err, FY_EINPUT, "--rho: '%s' is not a momentum |p| >= 0 (a "
                              "rational such as 0, 1/2, 1.5)", tok);
        else
            (*n)++;
    }
    if (rc == FY_OK && *n == 0)
        rc = fy_error_set(err, FY_EINPUT, "--rho needs a list of momenta, e.g. --rho 0,1,2");
    free(buf);
    return rc;
}

static void rho_text(FILE *fp, const fy_nnft_rho_table_t tb, slong digits)
{
    slong k, i;
    char *q;
    fprintf(fp, "#\n# time-momentum representation rho(p, tau) = int dp_0 / (2 pi) e^(i p_0 "
                "tau) G(p_0, p)\n#  %-12s", "tau");
    for (k = 0; k < tb->np; k++)
    {
        char h[64];
        q = qs(tb->p + k);
        snprintf(h, sizeof h, "rho(p = %s)", q ? q : "?");
        fprintf(fp, k + 1 < tb->np ? "  %-24s" : "  %s", h);
        free(q);
    }
    fputc('\n', fp);
    for (i = 0; i < tb->nt; i++)
    {
        fprintf(fp, "   %-12.6g", fy_fmpq_get_d(tb->tau + i));
        for (k = 0; k < tb->np; k++)
        {
            char *g = cert(tb->rho + k * tb->nt + i, digits);
            fprintf(fp, k + 1 < tb->np ? "  %-24s" : "  %s", g ? g : "?");
            free(g);
        }
        fputc('\n', fp);
    }
    fprintf(fp, "# reflection positivity of rho(p, .): M_ij = rho(p, tau_i + tau_j) at the "
                "first %ld positive tau\n", (long) tb->rp[0].n);
    for (k = 0; k < tb->np; k++)
    {
        q = qs(tb->p + k);
        fprintf(fp, "#   p = %s: %s", q ? q : "?", fy_nnft_rp_verdict(tb->rp + k));
        if (tb->rp[k].positive == 1)
            fprintf(fp, ", rank %ld of %ld", (long) tb->rp[k].rank, (long) tb->rp[k].n);
        fputc('\n', fp);
        free(q);
    }
    if (tb->kl_known)
    {
        fprintf(fp, "# Kallen-Lehmann measure: G2(t) =");
        for (k = 0; k < tb->kl->n; k++)
        {
            fprintf(fp, "%s (%.10g", k ? " +" : "", mid_d(tb->kl->w + k));
            if (!arb_is_zero(tb->kl->u + k))
                fprintf(fp, " + %.10g |t|", mid_d(tb->kl->u + k));
            fprintf(fp, ") e^(-%.10g |t|)", mid_d(tb->kl->E + k));
        }
        fprintf(fp, "; %s\n", fy_nnft_kl_positive(tb->kl) == 1
                                  ? "a positive measure: reflection positive at every set of "
                                    "times"
                                  : "a signed measure (a dipole): not reflection positive");
    }
}

static json_t *rho_json(const fy_nnft_rho_table_t tb, slong digits)
{
    json_t *o = json_object(), *tau = json_array(), *rows = json_array();
    slong k, i;
    for (i = 0; i < tb->nt; i++)
        json_array_append_new(tau, fy_json_number(fy_fmpq_get_d(tb->tau + i)));
    for (k = 0; k < tb->np; k++)
    {
        json_t *r = json_object(), *v = json_array(), *b = json_array(), *rp = json_object();
        const fy_nnft_rp_struct *x = tb->rp + k;
        for (i = 0; i < tb->nt; i++)
        {
            json_array_append_new(v, fy_json_number(mid_d(tb->rho + k * tb->nt + i)));
            json_array_append_new(b, fy_json_ball(tb->rho + k * tb->nt + i, digits + 5));
        }
        json_object_set_new(r, "p", fy_json_number(fy_fmpq_get_d(tb->p + k)));
        json_object_set_new(r, "rho", v);
        json_object_set_new(r, "balls", b);
        json_object_set_new(rp, "positive", x->positive < 0 ? json_null()
                                                            : json_boolean(x->positive));
        json_object_set_new(rp, "certified", json_boolean(x->certified));
        json_object_set_new(rp, "verdict", json_string(fy_nnft_rp_verdict(x)));
        json_object_set_new(rp, "rank", json_integer(x->rank));
        json_object_set_new(rp, "times", json_integer(x->n));
        json_object_set_new(rp, "spectral", json_integer(x->spectral));
        json_object_set_new(r, "reflection", rp);
        json_array_append_new(rows, r);
    }
    json_object_set_new(o, "tau", tau);
    json_object_set_new(o, "rows", rows);
    if (tb->kl_known)
    {
        json_t *kl = json_object(), *terms = json_array();
        for (k = 0; k < tb->kl->n; k++)
        {
            json_t *t = json_object();
            json_object_set_new(t, "E", fy_json_number(mid_d(tb->kl->E + k)));
            json_object_set_new(t, "w", fy_json_number(mid_d(tb->kl->w + k)));
            json_object_set_new(t, "u", fy_json_number(mid_d(tb->kl->u + k)));
            json_array_append_new(terms, t);
        }
        json_object_set_new(kl, "form", json_string("G2(t) = sum_k (w_k + u_k |t|) "
                                                    "e^(-E_k |t|)"));
        json_object_set_new(kl, "terms", terms);
        json_object_set_new(kl, "positive", json_boolean(fy_nnft_kl_positive(tb->kl) == 1));
        json_object_set_new(o, "kallen_lehmann", kl);
    }
    else
        json_object_set_new(o, "kallen_lehmann", json_null());
    return o;
}

static int spectrum_print(FILE *fp, const fy_nnft_spectrum_t sp, const fy_nnft_spec_t s,
                          const qopts_t *o, int *bad, const fy_nnft_rho_table_struct *tb)
{
    char layer[512];
    const char *known = known_form(s);
    slong k;
    layer_text(layer, sizeof layer, s);
    if (o->fmt == FY_FMT_CSV)
    {
        fprintf(fp, "kind,value,G,G_rad%s%s\n", sp->mc_mean ? ",mc,mc_se" : "",
                tb ? ",p" : "");
        for (k = 0; k < sp->np; k++)
            fprintf(fp, "p,%.17g,%.17g,%.3e%s%s\n", mid_d(sp->p + k), mid_d(sp->Gp + k),
                    mag_get_d(arb_radref(sp->Gp + k)), sp->mc_mean ? ",," : "", tb ? "," : "");
        for (k = 0; k < sp->nx; k++)
        {
            fprintf(fp, "x,%.17g,%.17g,%.3e", fy_fmpq_get_d(sp->x + k), mid_d(sp->G2 + k),
                    mag_get_d(arb_radref(sp->G2 + k)));
            if (sp->mc_mean)
                fprintf(fp, ",%.17g,%.17g", sp->mc_mean[k], sp->mc_se[k]);
            fputs(tb ? ",\n" : "\n", fp);
        }
        for (k = 0; tb && k < tb->np * tb->nt; k++) /* kind rho: value tau, G rho, p last */
            fprintf(fp, "rho,%.17g,%.17g,%.3e%s,%.17g\n", fy_fmpq_get_d(tb->tau + k % tb->nt),
                    mid_d(tb->rho + k), mag_get_d(arb_radref(tb->rho + k)),
                    sp->mc_mean ? ",," : "", fy_fmpq_get_d(tb->p + k / tb->nt));
        return 0;
    }
    fprintf(fp, "# feynn nnft spectrum: fields from neurons [H], %ld certified digits\n",
            o->digits);
    fprintf(fp, "# %s\n# convention: %s\n", layer, CONVENTION);
    if (known)
        fprintf(fp, "# %s\n", known);
    fprintf(fp, "#\n# power spectrum\n#  %-12s  %s\n", "|p|", "G(p)");
    for (k = 0; k < sp->np; k++)
    {
        char *g = cert(sp->Gp + k, o->digits);
        fprintf(fp, "   %-12.6g  %s\n", mid_d(sp->p + k), g ? g : "?");
        free(g);
    }
    fprintf(fp, "#\n# position space, G2(x e_1, 0)%s\n#  %-12s  %-24s%s\n",
            sp->mc_mean ? "; Monte Carlo with standard error and (MC - exact) / se" : "",
            "x", "G2(x)", sp->mc_mean ? "  Monte Carlo" : "");
    for (k = 0; k < sp->nx; k++)
    {
        char *g = cert(sp->G2 + k, o->digits);
        fprintf(fp, "   %-12.6g  %-24s", fy_fmpq_get_d(sp->x + k), g ? g : "?");
        if (sp->mc_mean)
        {
            double z = sp->mc_se[k] > 0 ? (sp->mc_mean[k] - mid_d(sp->G2 + k)) / sp->mc_se[k]
                                        : 0.0;
            fprintf(fp, "  %.6f +- %.6f  (%+.2f)", sp->mc_mean[k], sp->mc_se[k], z);
        }
        fputc('\n', fp);
        free(g);
    }
    if (sp->mc_mean)
        fprintf(fp, "# Monte Carlo: %llu networks of width %ld, seed %llu; %d value(s) beyond 4 "
                "standard errors\n", (unsigned long long) sp->M, (long) s->width,
                (unsigned long long) sp->seed, *bad);
    if (tb)
        rho_text(fp, tb, o->digits);
    return 0;
}

static json_t *spectrum_json(const fy_nnft_spectrum_t sp, const fy_nnft_spec_t s,
                             const qopts_t *o, int bad, const fy_nnft_rho_table_struct *tb)
{
    json_t *root = json_object(), *mom = json_array(), *pos = json_array();
    const char *known = known_form(s);
    slong k;
    json_object_set_new(root, "command", json_string(SPECTRUM));
    json_object_set_new(root, "spec", jspec(s));
    json_object_set_new(root, "convention", json_string(CONVENTION));
    json_object_set_new(root, "closed_form", known ? json_string(known) : json_null());
    for (k = 0; k < sp->np; k++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "p", fy_json_number(mid_d(sp->p + k)));
        json_object_set_new(e, "G", fy_json_number(mid_d(sp->Gp + k)));
        json_object_set_new(e, "ball", fy_json_ball(sp->Gp + k, o->digits + 5));
        json_array_append_new(mom, e);
    }
    for (k = 0; k < sp->nx; k++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "x", fy_json_number(fy_fmpq_get_d(sp->x + k)));
        json_object_set_new(e, "G2", fy_json_number(mid_d(sp->G2 + k)));
        json_object_set_new(e, "ball", fy_json_ball(sp->G2 + k, o->digits + 5));
        if (sp->mc_mean)
        {
            json_object_set_new(e, "mc", fy_json_number(sp->mc_mean[k]));
            json_object_set_new(e, "mc_se", fy_json_number(sp->mc_se[k]));
        }
        json_array_append_new(pos, e);
    }
    json_object_set_new(root, "momentum", mom);
    json_object_set_new(root, "position", pos);
    if (sp->mc_mean)
    {
        json_t *m = json_object();
        json_object_set_new(m, "networks", json_integer((json_int_t) sp->M));
        json_object_set_new(m, "seed", json_integer((json_int_t) sp->seed));
        json_object_set_new(m, "beyond_4se", json_integer(bad));
        json_object_set_new(root, "monte_carlo", m);
    }
    if (tb)
        json_object_set_new(root, "rho", rho_json(tb, o->digits));
    return root;
}

int fy_nnft_spectrum_cmd(int argc, char **argv)
{
    qopts_t o;
    fy_nnft_spec_t s;
    fy_nnft_spectrum_t sp;
    fy_error_t err;
    json_t *root = NULL;
    int status, rc = FY_OK, bad = 0;
    slong k, nrp = 0;
    fmpq *rp = NULL;
    fy_nnft_rho_table_t tb;
    const fy_nnft_rho_table_struct *tbp = NULL;
    memset(&o, 0, sizeof o);
    fmpq_init(o.pmax);
    fmpq_init(o.xmax);
    fy_nnft_spec_init(s);
    fy_nnft_spectrum_init(sp);
    fy_nnft_rho_table_init(tb);
    fy_error_init(err);
    status = qparse(&o, argc, argv, &fy_opt_nnft_spectrum);
    if (status)
    {
        status = status < 0 ? 0 : status;
        goto done;
    }
    if ((rc = fy_nnft_spec_read(s, o.spec, err)) != FY_OK)
        goto fail;
    if (o.width)
        s->width = o.width;
    if (!o.pmax_given)
        default_pmax(o.pmax, s);
    if (!o.xmax_given)
        fmpq_set_si(o.xmax, 4, 1);
    if ((rc = fy_nnft_spectrum(sp, s, o.pmax, o.np, o.xmax, o.nx, o.mc, o.seed,
                               4 * o.digits + 64, err)) != FY_OK)
        goto fail;
    for (k = 0; sp->mc_mean && k < sp->nx; k++)
        bad += fabs(sp->mc_mean[k] - mid_d(sp->G2 + k)) > 4 * sp->mc_se[k];
    if (o.rho)
    {
        if ((rc = parse_rho_list(&rp, &nrp, o.rho, err)) != FY_OK
            || (rc = fy_nnft_rho_table(tb, s, rp, nrp, sp->x, sp->nx, 4 * o.digits + 64, err))
                   != FY_OK)
            goto fail;
        tbp = tb;
    }
    if (o.fmt == FY_FMT_JSON)
    {
        root = spectrum_json(sp, s, &o, bad, tbp);
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
    }
    else
    {
        fy_ofile_t of;
        if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
            goto fail;
        spectrum_print(of->fp, sp, s, &o, &bad, tbp);
        if ((rc = fy_ofile_commit(of, err)) != FY_OK)
            goto fail;
    }
    if (bad)
    {
        fprintf(stderr, "feynn %s: %d Monte Carlo value(s) more than 4 standard errors from "
                "exact\n", SPECTRUM, bad);
        if (o.check)
            status = 1;
    }
    goto done;
fail:
    status = fy_cli_fail(SPECTRUM, err);
done:
    json_decref(root);
    if (rp)
        _fmpq_vec_clear(rp, 64);
    fy_nnft_rho_table_clear(tb);
    fy_nnft_spectrum_clear(sp);
    fy_nnft_spec_clear(s);
    fmpq_clear(o.pmax);
    fmpq_clear(o.xmax);
    return status;
}

/* ------------------------------------------------------------------ duality */
/* The shifts t e_1 from "0,1/4,..." into *sh (n x d, fmpq_init'ed); 2 on a usage error. */
static int parse_shifts(fmpq **sh, slong *n, const char *list, slong d)
{
    const char *p = list;
    slong cap = 0, k;
    char buf[128];
    int bad = 0;
    *sh = NULL;
    *n = 0;
    while (*p && !bad)
    {
        size_t len = strcspn(p, ",");
        fmpq *v;
        if (len == 0 || len >= sizeof buf || *n >= 10000)
        {
            bad = 1;
            break;
        }
        memcpy(buf, p, len);
        buf[len] = 0;
        if (*n == cap)
        {
            cap = cap ? 2 * cap : 8;
            if ((v = realloc(*sh, (size_t) (cap * d) * sizeof(fmpq))) == NULL)
            {
                bad = 1;
                break;
            }
            *sh = v;
        }
        for (k = 0; k < d; k++)
            fmpq_init(*sh + *n * d + k);
        (*n)++;
        if (fy_fmpq_parse(*sh + (*n - 1) * d, buf, NULL) != FY_OK)
            bad = 1;
        p += len;
        if (*p == ',' && !*++p)
            bad = 1; /* a trailing comma */
    }
    if (bad || *n == 0)
    {
        for (k = 0; k < *n * d; k++)
            fmpq_clear(*sh + k);
        free(*sh);
        *sh = NULL;
        *n = 0;
        return fy_cli_usage_error(DUALITY, "--shifts takes rationals separated by commas "
                                  "(e.g. 0,1/2,1,2), not '%s'", list);
    }
    return 0;
}

static void duality_text(FILE *fp, const fy_nnft_duality_t t, const fy_nnft_spec_t s,
                         slong digits)
{
    slong k;
    char *a, *b;
    fprintf(fp, "# feynn nnft duality: Cos-net and Gauss-net [H], d = %ld, N = %ld, %ld "
            "certified digits\n", (long) s->d, (long) t->width, digits);
    fprintf(fp, "# normalised so that G2(x, x) = 1; configuration x_0..x_3 = the spec's first "
            "four points, translated by t e_1\n");
    fprintf(fp, "#  %-8s  %-18s  %-18s  %-22s  %s\n", "t", "G2 Cos-net", "G2 Gauss-net",
            "G4_c Cos-net", "G4_c Gauss-net");
    for (k = 0; k < t->nshift; k++)
    {
        char *c2 = cert(t->g2_cos + k, digits), *g2 = cert(t->g2_gauss + k, digits);
        char *c4 = cert(t->g4_cos + k, digits), *g4 = cert(t->g4_gauss + k, digits);
        char *ts = qs(t->shift + k * t->d);
        fprintf(fp, "   %-8s  %-18s  %-18s  %-22s  %s\n", ts ? ts : "?", c2 ? c2 : "?",
                g2 ? g2 : "?", c4 ? c4 : "?", g4 ? g4 : "?");
        free(c2);
        free(g2);
        free(c4);
        free(g4);
        free(ts);
    }
    a = fy_arb_get_str_radius(t->spread_cos, 5);
    b = fy_arb_get_str_radius(t->spread_gauss, 5);
    fprintf(fp, "# spread of G4_c over the translations: Cos-net %s (%s), Gauss-net %s (%s)\n",
            a ? a : "?", arb_contains_zero(t->spread_cos) ? "translation invariant"
                                                          : "NOT invariant",
            b ? b : "?", arb_contains_zero(t->spread_gauss) ? "no violation resolved"
                                                            : "translation invariance broken");
    free(a);
    free(b);
}

static json_t *duality_json(const fy_nnft_duality_t t, const fy_nnft_spec_t s, slong digits)
{
    json_t *root = json_object(), *rows = json_array();
    slong k;
    json_object_set_new(root, "command", json_string(DUALITY));
    json_object_set_new(root, "spec", jspec(s));
    json_object_set_new(root, "normalisation", json_string("G2(x, x) = 1: Cos-net divided by "
                        "sigma_a^2 / 2, Gauss-net by sigma_a^2 (G4_c by the squares)"));
    for (k = 0; k < t->nshift; k++)
    {
        json_t *e = json_object();
        json_object_set_new(e, "shift", fy_nnft_cli_json_q(t->shift + k * t->d));
        json_object_set_new(e, "g2_cos", fy_json_ball(t->g2_cos + k, digits + 5));
        json_object_set_new(e, "g2_gauss", fy_json_ball(t->g2_gauss + k, digits + 5));
        json_object_set_new(e, "g4c_cos", fy_json_ball(t->g4_cos + k, digits + 5));
        json_object_set_new(e, "g4c_gauss", fy_json_ball(t->g4_gauss + k, digits + 5));
        json_array_append_new(rows, e);
    }
    json_object_set_new(root, "rows", rows);
    json_object_set_new(root, "spread_cos", fy_json_ball(t->spread_cos, 5));
    json_object_set_new(root, "spread_gauss", fy_json_ball(t->spread_gauss, 5));
    json_object_set_new(root, "cos_invariant", json_boolean(arb_contains_zero(t->spread_cos)));
    json_object_set_new(root, "gauss_invariant",
                        json_boolean(arb_contains_zero(t->spread_gauss)));
    return root;
}

int fy_nnft_duality_cmd(int argc, char **argv)
{
    qopts_t o;
    fy_nnft_spec_t s;
    fy_nnft_duality_t t;
    fy_error_t err;
    fmpq *sh = NULL;
    slong nsh = 0, k;
    json_t *root = NULL;
    int status, rc;
    memset(&o, 0, sizeof o);
    fmpq_init(o.pmax);
    fmpq_init(o.xmax);
    fy_nnft_spec_init(s);
    fy_nnft_duality_init(t);
    fy_error_init(err);
    status = qparse(&o, argc, argv, &fy_opt_nnft_duality);
    if (status)
    {
        status = status < 0 ? 0 : status;
        goto done;
    }
    if ((rc = fy_nnft_spec_read(s, o.spec, err)) != FY_OK)
        goto fail;
    if (o.width)
        s->width = o.width;
    if ((status = parse_shifts(&sh, &nsh, o.shifts ? o.shifts : "0,1/4,1/2,1,2", s->d)) != 0)
        goto done;
    if ((rc = fy_nnft_duality(t, s, sh, nsh, 4 * o.digits + 64, err)) != FY_OK)
        goto fail;
    if (o.fmt == FY_FMT_JSON)
    {
        root = duality_json(t, s, o.digits);
        if ((rc = write_json(o.out, root, err)) != FY_OK)
            goto fail;
    }
    else
    {
        fy_ofile_t of;
        if ((rc = fy_ofile_open(of, o.out ? o.out : "-", err)) != FY_OK)
            goto fail;
        if (o.fmt == FY_FMT_CSV)
        {
            fprintf(of->fp, "shift,g2_cos,g2_cos_rad,g2_gauss,g2_gauss_rad,g4c_cos,g4c_cos_rad,"
                    "g4c_gauss,g4c_gauss_rad\n");
            for (k = 0; k < t->nshift; k++)
            {
                arb_srcptr v[4] = {t->g2_cos + k, t->g2_gauss + k, t->g4_cos + k,
                                   t->g4_gauss + k};
                int j;
                fprintf(of->fp, "%.17g", fy_fmpq_get_d(t->shift + k * t->d));
                for (j = 0; j < 4; j++)
                    fprintf(of->fp, ",%.17g,%.3e", mid_d(v[j]), mag_get_d(arb_radref(v[j])));
                fputc('\n', of->fp);
            }
        }
        else
            duality_text(of->fp, t, s, o.digits);
        if ((rc = fy_ofile_commit(of, err)) != FY_OK)
            goto fail;
    }
    goto done;
fail:
    status = fy_cli_fail(DUALITY, err);
done:
    json_decref(root);
    for (k = 0; k < nsh * s->d; k++)
        fmpq_clear(sh + k);
    free(sh);
    fy_nnft_duality_clear(t);
    fy_nnft_spec_clear(s);
    fmpq_clear(o.pmax);
    fmpq_clear(o.xmax);
    return status;
}
