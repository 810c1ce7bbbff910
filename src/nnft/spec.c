/* spec.c - ensemble specs, input sets, point files and sorted tuples (feynn/nnft.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/util.h"

#define NNFT_MAX_FILE_BYTES (1 << 24)
#define NNFT_MAX_POINTS 100000
#define NNFT_MAX_DIM 1000

static const char *const act_names[FY_NNFT_NACT] = {"erf", "relu", "gauss", "cos", "tanh", "sin"};

const char *fy_nnft_act_name(fy_nnft_act_t act)
{
    return (act >= 0 && act < FY_NNFT_NACT) ? act_names[act] : "?";
}

int fy_nnft_act_parse(fy_nnft_act_t *act, const char *name)
{
    int i;
    for (i = 0; i < FY_NNFT_NACT; i++)
        if (strcmp(name, act_names[i]) == 0)
        {
            *act = (fy_nnft_act_t) i;
            return 0;
        }
    if (strcmp(name, "gauss-net") == 0 || strcmp(name, "gaussnet") == 0)
        return *act = FY_NNFT_GAUSS, 0;
    if (strcmp(name, "cos-net") == 0 || strcmp(name, "cosnet") == 0)
        return *act = FY_NNFT_COS, 0;
    return -1;
}

void fy_nnft_spec_init(fy_nnft_spec_t s)
{
    memset(s, 0, sizeof *s);
    s->act = FY_NNFT_ERF;
    s->d = 1;
    s->width = 1;
    s->d_out = 1;
    fmpq_init(s->sigma_W);
    fmpq_init(s->sigma_b);
    fmpq_init(s->sigma_a);
    fmpq_init(s->kurtosis);
    fmpq_one(s->sigma_W);
    fmpq_one(s->sigma_b);
    fmpq_one(s->sigma_a);
    fmpq_set_si(s->kurtosis, 3, 1);
    /* the Euclidean input layer (qft-fields): Cos-net defaults, no mass, no ball */
    s->b_dist = FY_NNFT_B_GAUSS;
    s->F = FY_NNFT_F_ONE;
    fmpq_init(s->mass);
    fmpq_init(s->Lambda);
    fmpq_init(s->a_mean);
    fmpq_init(s->phase);
    fmpq_one(s->phase);
    /* qft3: user-given P(|b|) and F, deeper g: none, identity */
    fy_nnft_ppoly_init(s->b_density);
    fy_nnft_ppoly_init(s->F_user);
    s->g = FY_NNFT_G_IDENTITY;
    s->g_act = FY_NNFT_GACT_LINEAR;
    s->g_width = 0;
    fmpq_init(s->sigma_g);
    fmpq_one(s->sigma_g);
    fmpq_init(s->sigma_gb);
}

static void points_free(fy_nnft_spec_t s)
{
    slong i;
    if (s->points != NULL)
        for (i = 0; i < s->npoints * s->d; i++)
            fmpq_clear(s->points + i);
    free(s->points);
    s->points = NULL;
    s->npoints = 0;
}

void fy_nnft_spec_clear(fy_nnft_spec_t s)
{
    points_free(s);
    fmpq_clear(s->sigma_W);
    fmpq_clear(s->sigma_b);
    fmpq_clear(s->sigma_a);
    fmpq_clear(s->kurtosis);
    fmpq_clear(s->mass);
    fmpq_clear(s->Lambda);
    fmpq_clear(s->a_mean);
    fmpq_clear(s->phase);
    fy_nnft_ppoly_clear(s->b_density); /* qft3 */
    fy_nnft_ppoly_clear(s->F_user);
    fmpq_clear(s->sigma_g);
    fmpq_clear(s->sigma_gb);
}

/* Takes ownership of pts (n x d entries, initialised). */
static void points_take(fy_nnft_spec_t s, fmpq *pts, slong n, slong d)
{
    points_free(s);
    s->points = pts;
    s->npoints = n;
    s->d = d;
}

static fmpq *points_alloc(slong n, slong d, fy_error_t err)
{
    slong i;
    fmpq *p = fy_malloc((size_t) (n * d > 0 ? n * d : 1), sizeof(fmpq), err);
    if (p != NULL)
        for (i = 0; i < n * d; i++)
            fmpq_init(p + i);
    return p;
}

int fy_nnft_spec_set(fy_nnft_spec_t z, const fy_nnft_spec_t x, fy_error_t err)
{
    slong i;
    fmpq *p;
    if (z == x)
        return FY_OK;
    if ((p = points_alloc(x->npoints, x->d, err)) == NULL)
        return FY_ENOMEM;
    for (i = 0; i < x->npoints * x->d; i++)
        fmpq_set(p + i, x->points + i);
    points_take(z, p, x->npoints, x->d);
    z->act = x->act;
    z->width = x->width;
    z->d_out = x->d_out;
    fmpq_set(z->sigma_W, x->sigma_W);
    fmpq_set(z->sigma_b, x->sigma_b);
    fmpq_set(z->sigma_a, x->sigma_a);
    fmpq_set(z->kurtosis, x->kurtosis);
    z->b_dist = x->b_dist;
    z->F = x->F;
    fmpq_set(z->mass, x->mass);
    fmpq_set(z->Lambda, x->Lambda);
    fmpq_set(z->a_mean, x->a_mean);
    fmpq_set(z->phase, x->phase);
    memcpy(z->inputs, x->inputs, sizeof z->inputs);
    /* qft3 */
    z->g = x->g;
    z->g_act = x->g_act;
    z->g_width = x->g_width;
    fmpq_set(z->sigma_g, x->sigma_g);
    fmpq_set(z->sigma_gb, x->sigma_gb);
    if (fy_nnft_ppoly_set(z->b_density, x->b_density, err) != FY_OK
        || fy_nnft_ppoly_set(z->F_user, x->F_user, err) != FY_OK)
        return FY_ENOMEM;
    return FY_OK;
}

/* ------------------------------------------------------------------ named input sets
 * The input sets of the [HMS] code (github.com/keeganstoner/nn-qft, commit 49849c8,
 * generate_models.py lines 41-72, the same in free_theory.py 31-62; doc/nnft-spec.md).  The
 * sets depend on the activation there: xset1 (Erf), xset2 (GaussNet), xset1A (ReLU) in d = 1;
 * xset3, xset4, xset3A in d = 2; xset5, xset6, xset5A in d = 3; lam_fit/ adds xsetE = xsetG
 * (Erf, GaussNet) and xsetR (ReLU) in d = 1.  Each has a name by dimension and activation and
 * its [HMS] name; "hms-d1" is kept for xset2 (the Gauss-net set, as before). */
typedef struct
{
    const char *name, *alias;
    int d, n;
    const char *const *v; /* n x d */
} input_set;

static const char *const x_unit[] = {"-1", "-0.6", "-0.2", "0.2", "0.6", "1"};
static const char *const x_unit01[] = {"-0.01", "-0.006", "-0.002", "0.002", "0.006", "0.01"};
static const char *const x_relu1[] = {"0.2", "0.4", "0.6", "0.8", "1", "1.2"};
static const char *const x_e1[] = {"0.002", "0.004", "0.006", "0.008", "0.01", "0.012"};
/* torch.cartesian_prod([-1, 1], [-1, 1]) */
static const char *const x_sq[] = {"-1", "-1", "-1", "1", "1", "-1", "1", "1"};
static const char *const x_sq01[] = {"-0.01", "-0.01", "-0.01", "0.01",
                                     "0.01", "-0.01", "0.01", "0.01"};
static const char *const x_sqr[] = {"0.5", "0.5", "0.5", "1", "1", "0.5", "1", "1"};
static const char *const x_tet[] = {"-1", "-1", "-1", "1", "1", "-1", "-1", "1", "1",
                                    "1", "-1", "1"};
static const char *const x_tet01[] = {"-0.01", "-0.01", "-0.01", "0.01", "0.01", "-0.01",
                                      "-0.01", "0.01", "0.01", "0.01", "-0.01", "0.01"};
static const char *const x_tetr[] = {"0.2", "0.2", "0.2", "1", "1", "0.2", "0.2", "1", "1",
                                     "1", "0.2", "1"};

static const input_set input_sets[] = {
    {"hms-d1", "hms-xset2", 1, 6, x_unit01},
    {"hms-d1-gauss", "hms-xset2", 1, 6, x_unit01},
    {"hms-d1-erf", "hms-xset1", 1, 6, x_unit},
    {"hms-d1-relu", "hms-xset1A", 1, 6, x_relu1},
    {"hms-d1-lamfit", "hms-xsetE", 1, 6, x_e1},
    {"hms-d1-lamfit-relu", "hms-xsetR", 1, 6, x_relu1},
    {"hms-d2-erf", "hms-xset3", 2, 4, x_sq},
    {"hms-d2-gauss", "hms-xset4", 2, 4, x_sq01},
    {"hms-d2-relu", "hms-xset3A", 2, 4, x_sqr},
    {"hms-d3-erf", "hms-xset5", 3, 4, x_tet},
    {"hms-d3-gauss", "hms-xset6", 3, 4, x_tet01},
    {"hms-d3-relu", "hms-xset5A", 3, 4, x_tetr},
    {"unit-d1", NULL, 1, 6, x_unit},
};

#define N_INPUT_SETS ((int) (sizeof input_sets / sizeof input_sets[0]))

const char *fy_nnft_input_set_names(void)
{
    return "hms-d1 (= hms-d1-gauss), hms-d1-erf, hms-d1-relu, hms-d1-lamfit, "
           "hms-d1-lamfit-relu, hms-d2-erf, hms-d2-gauss, hms-d2-relu, hms-d3-erf, "
           "hms-d3-gauss, hms-d3-relu, unit-d1, or the [HMS] names hms-xset1, hms-xset2, "
           "hms-xset1A, hms-xset3, hms-xset4, hms-xset3A, hms-xset5, hms-xset6, hms-xset5A, "
           "hms-xsetE, hms-xsetG, hms-xsetR";
}

int fy_nnft_spec_set_inputs(fy_nnft_spec_t s, const char *set, fy_error_t err)
{
    const input_set *in = NULL;
    slong i;
    fmpq *p;
    int k;
    for (k = 0; k < N_INPUT_SETS && in == NULL; k++)
        if (strcmp(set, input_sets[k].name) == 0
            || (input_sets[k].alias && strcmp(set, input_sets[k].alias) == 0))
            in = input_sets + k;
    if (in == NULL && strcmp(set, "hms-xsetG") == 0)
        in = input_sets + 4; /* lam_fit: xsetG = xsetE */
    if (in == NULL)
        return fy_error_set(err, FY_EINPUT, "unknown input set '%s' (known: %s; or give points "
                            "with 'point' lines or a points file)", set,
                            fy_nnft_input_set_names());
    if ((p = points_alloc(in->n, in->d, err)) == NULL)
        return FY_ENOMEM;
    for (i = 0; i < (slong) in->n * in->d; i++)
        fy_fmpq_parse(p + i, in->v[i], NULL);
    points_take(s, p, in->n, in->d);
    snprintf(s->inputs, sizeof s->inputs, "%s", set);
    return FY_OK;
}

/* ------------------------------------------------------------------ parsing helpers */
typedef struct
{
    const char *name;
    slong line;
    const char *line_start;
} pos_t;

static int perr(fy_error_t err, const pos_t *p, const char *at, const char *fmt, const char *arg)
{
    char msg[FY_ERROR_MSG_LEN];
    snprintf(msg, sizeof msg, fmt, arg);
    return fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: %s", p->name, (long) p->line,
                        (long) (at - p->line_start) + 1, msg);
}

/* Splits [a, b) into tokens separated by blanks or commas (points) or blanks (spec). */
static const char *next_token(const char *a, const char *b, int commas, const char **end)
{
    while (a < b && (isspace((unsigned char) *a) || (commas && *a == ',')))
        a++;
    if (a >= b)
        return NULL;
    *end = a;
    while (*end < b && !isspace((unsigned char) **end) && !(commas && **end == ','))
        (*end)++;
    return a;
}

static int parse_q_token(fmpq_t q, const char *t, const char *e, const pos_t *p, fy_error_t err)
{
    char buf[256];
    fy_error_t e2;
    size_t n = (size_t) (e - t);
    if (n >= sizeof buf)
        return perr(err, p, t, "%s", "number too long");
    memcpy(buf, t, n);
    buf[n] = 0;
    fy_error_init(e2);
    if (fy_fmpq_parse(q, buf, e2) != FY_OK)
        return perr(err, p, t, "%.900s", e2->msg);
    return FY_OK;
}

static int parse_slong_token(slong *v, const char *t, const char *e, slong lo, slong hi,
                             const char *key, const pos_t *p, fy_error_t err)
{
    char buf[64], *end, msg[128];
    long x;
    size_t n = (size_t) (e - t);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, t, n);
    buf[n] = 0;
    x = strtol(buf, &end, 10);
    if (end == buf || *end || x < lo || x > hi)
    {
        snprintf(msg, sizeof msg, "%s needs an integer in %ld..%ld, not '%%s'", key, (long) lo,
                 (long) hi);
        return perr(err, p, t, msg, buf);
    }
    *v = x;
    return FY_OK;
}

/* Growing list of points (entries appended row by row). */
typedef struct
{
    fmpq *v;
    slong n, cap, d;
} plist_t;

static void plist_clear(plist_t *l)
{
    slong i;
    for (i = 0; i < l->n; i++)
        fmpq_clear(l->v + i);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int plist_push(plist_t *l, const fmpq_t q, fy_error_t err)
{
    if (l->n == l->cap)
    {
        slong cap = l->cap ? 2 * l->cap : 16;
        fmpq *v = fy_realloc(l->v, (size_t) cap, sizeof(fmpq), err);
        if (v == NULL)
            return FY_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    fmpq_init(l->v + l->n);
    fmpq_set(l->v + l->n, q);
    l->n++;
    return FY_OK;
}

/* Parses the numbers of one point line [t, b) into l; checks the dimension. */
static int parse_point_line(plist_t *l, const char *a, const char *b, const pos_t *p,
                            fy_error_t err)
{
    const char *t, *e;
    slong k = 0;
    fmpq_t q;
    int rc = FY_OK;
    fmpq_init(q);
    while ((t = next_token(a, b, 1, &e)) != NULL)
    {
        if ((rc = parse_q_token(q, t, e, p, err)) != FY_OK)
            break;
        if ((rc = plist_push(l, q, err)) != FY_OK)
            break;
        k++;
        a = e;
    }
    fmpq_clear(q);
    if (rc != FY_OK)
        return rc;
    if (k == 0)
        return perr(err, p, b, "%s", "a point needs at least one coordinate");
    if (l->d == 0)
        l->d = k;
    else if (k != l->d)
    {
        char msg[128];
        snprintf(msg, sizeof msg, "this point has %ld coordinates, the first had %ld",
                 (long) k, (long) l->d);
        return perr(err, p, p->line_start, "%s", msg);
    }
    if (l->n / l->d > NNFT_MAX_POINTS || l->d > NNFT_MAX_DIM)
        return perr(err, p, p->line_start, "%s", "too many points or coordinates");
    return FY_OK;
}

static int plist_move(fy_nnft_spec_t s, plist_t *l, const char *what, fy_error_t err)
{
    if (l->n == 0)
        return fy_error_set(err, FY_EINPUT, "%s: no points", what);
    points_take(s, l->v, l->n / l->d, l->d);
    l->v = NULL;
    l->n = l->cap = 0;
    return FY_OK;
}

int fy_nnft_points_parse(fy_nnft_spec_t s, const char *text, const char *name, fy_error_t err)
{
    pos_t p = {name, 0, text};
    plist_t l = {NULL, 0, 0, 0};
    const char *a = text;
    int rc = FY_OK;
    while (*a)
    {
        const char *b = strchr(a, '\n'), *c, *t, *e;
        if (b == NULL)
            b = a + strlen(a);
        p.line++;
        p.line_start = a;
        c = memchr(a, '#', (size_t) (b - a));
        if (c == NULL)
            c = b;
        if ((t = next_token(a, c, 1, &e)) != NULL)
            if ((rc = parse_point_line(&l, a, c, &p, err)) != FY_OK)
                break;
        a = *b ? b + 1 : b;
    }
    if (rc == FY_OK)
        rc = plist_move(s, &l, name, err);
    plist_clear(&l);
    if (rc == FY_OK)
        snprintf(s->inputs, sizeof s->inputs, "file");
    return rc;
}

int fy_nnft_points_read(fy_nnft_spec_t s, const char *path, fy_error_t err)
{
    char *text = NULL;
    size_t len;
    int rc = fy_file_read_text(&text, &len, path, NNFT_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_nnft_points_parse(s, text, path, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ spec files */
enum
{
    K_ACT,
    K_D,
    K_WIDTH,
    K_DOUT,
    K_SW,
    K_SB,
    K_SA,
    K_KURT,
    K_INPUTS,
    K_POINT,
    K_BDIST, /* the Euclidean input layer (qft-fields) */
    K_AMPL,
    K_MASS,
    K_LAMBDA,
    K_AMEAN,
    K_PHASE,
    K_BDENS, /* qft3: user-given P(|b|) and F, deeper g */
    K_FPIECE,
    K_G,
    K_GACT,
    K_GWIDTH,
    K_SG,
    K_SGB,
    K_N
};
static const char *const keys[K_N] = {"activation", "d", "width", "d_out", "sigma_W",
                                      "sigma_b", "sigma_a", "kurtosis", "inputs", "point",
                                      "b_dist", "F", "mass", "Lambda", "a_mean",
                                      "phase", "b_density", "F_piece", "g", "g_act",
                                      "g_width", "sigma_g", "sigma_gb"};

static int key_of(const char *t, const char *e)
{
    int i;
    size_t n = (size_t) (e - t);
    for (i = 0; i < K_N; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], t, n) == 0)
            return i;
    if (n == 1 && *t == 'N')
        return K_WIDTH;
    return -1;
}

/* Directory part of name ("" when none), for point files named in a spec. */
static void dir_of(char *buf, size_t n, const char *name)
{
    const char *sl = strrchr(name, '/');
    size_t k = sl ? (size_t) (sl - name + 1) : 0;
    if (k >= n)
        k = 0;
    memcpy(buf, name, k);
    buf[k] = 0;
}

/* qft3: one 'b_density' / 'F_piece' line, LO HI c0 c1 .. cn (at most 32 coefficients);
 * a density piece is checked >= 0 here, where the line is known. */
static int parse_piece_line(fy_nnft_ppoly_t f, int density, const char *a, const char *b,
                            const pos_t *p, fy_error_t err)
{
    const char *t, *e, *what = density ? "b_density" : "F_piece";
    fmpq_t lo, hi, c;
    fmpq_poly_t q;
    slong n = 0;
    int rc = FY_OK;
    fmpq_init(lo);
    fmpq_init(hi);
    fmpq_init(c);
    fmpq_poly_init(q);
    while (rc == FY_OK && (t = next_token(a, b, 0, &e)) != NULL)
    {
        if (n == 1 && e - t == 3 && memcmp(t, "inf", 3) == 0)
            rc = perr(err, p, t, "%s", density
                      ? "not normalisable: a polynomial density on [LO, inf) has infinite "
                        "mass; give a finite HI (the density is 0 beyond the last piece)"
                      : "F_piece needs a finite HI (F is 0 beyond the last piece)");
        else if (n >= 34)
            rc = perr(err, p, t, "%s", "at most 32 coefficients (degree 31) a piece");
        else if ((rc = parse_q_token(n == 0 ? lo : n == 1 ? hi : c, t, e, p, err)) == FY_OK
                 && n >= 2)
            fmpq_poly_set_coeff_fmpq(q, n - 2, c);
        a = e;
        n++;
    }
    if (rc == FY_OK && n < 3)
        rc = perr(err, p, a, "'%s' needs LO HI and at least one coefficient: "
                  "LO HI c0 c1 .. for c0 + c1 |b| + .. on LO <= |b| <= HI", what);
    if (rc == FY_OK)
    {
        fy_error_t e2;
        char msg[FY_ERROR_MSG_LEN];
        fy_error_init(e2);
        if (fy_nnft_ppoly_append(f, lo, hi, q, p->line, e2) != FY_OK)
        {
            snprintf(msg, sizeof msg, "%s: %%s", what);
            rc = perr(err, p, p->line_start, msg, e2->msg);
        }
        else if (density)
        {
            fy_nnft_ppoly_t one;
            fy_nnft_ppoly_init(one);
            /* the sign of this piece alone, named by this line */
            if (fy_nnft_ppoly_append(one, lo, hi, q, p->line, NULL) == FY_OK
                && fmpq_poly_is_zero(q) == 0)
                rc = fy_nnft_ppoly_check(one, 1, p->name, err);
            fy_nnft_ppoly_clear(one);
        }
    }
    fmpq_clear(lo);
    fmpq_clear(hi);
    fmpq_clear(c);
    fmpq_poly_clear(q);
    return rc;
}

/* qft3: the keys that go together (with the line to fix), and Lambda of b_dist user. */
static int spec_parse_qft3(fy_nnft_spec_t s, const int *seen, slong bdens_line,
                           const char *name, fy_error_t err)
{
    if (s->b_density->n > 0 && s->b_dist != FY_NNFT_B_USER)
        return fy_error_set(err, FY_EINPUT, "%s:%ld: 'b_density' lines need 'b_dist user'",
                            name, (long) bdens_line);
    if (s->F_user->n > 0 && s->F != FY_NNFT_F_USER)
        return fy_error_set(err, FY_EINPUT, "%s:%ld: 'F_piece' lines need 'F user'", name,
                            (long) s->F_user->line[0]);
    if (s->b_dist == FY_NNFT_B_USER)
    {
        int rc = fy_nnft_ppoly_check(s->b_density, 1, name, err);
        if (rc != FY_OK)
            return rc;
        if (seen[K_LAMBDA])
            return fy_error_set(err, FY_EINPUT, "%s: with 'b_dist user' the support is the "
                                "pieces' (Lambda is their last HI): remove 'Lambda'", name);
        fmpq_set(s->Lambda, s->b_density->hi + s->b_density->n - 1);
    }
    if (s->F == FY_NNFT_F_USER && s->F_user->n == 0)
        return fy_nnft_ppoly_check(s->F_user, 0, name, err);
    if (s->g != FY_NNFT_G_DENSE && (seen[K_GACT] || seen[K_GWIDTH] || seen[K_SG] || seen[K_SGB]))
        return fy_error_set(err, FY_EINPUT, "%s: g_act, g_width, sigma_g and sigma_gb describe "
                            "the dense g: add 'g dense'", name);
    return FY_OK;
}

int fy_nnft_spec_parse(fy_nnft_spec_t s, const char *text, const char *name, fy_error_t err)
{
    pos_t p = {name, 0, text};
    plist_t l = {NULL, 0, 0, 0};
    const char *a = text;
    int seen[K_N] = {0}, rc = FY_OK;
    slong d_line = 0, point_line = 0, dval = 1, bdens_line = 0;
    while (*a && rc == FY_OK)
    {
        const char *b = strchr(a, '\n'), *c, *t, *e, *v, *ve, *x, *xe;
        int k;
        if (b == NULL)
            b = a + strlen(a);
        p.line++;
        p.line_start = a;
        c = memchr(a, '#', (size_t) (b - a));
        if (c == NULL)
            c = b;
        a = *b ? b + 1 : b;
        if ((t = next_token(p.line_start, c, 0, &e)) == NULL)
            continue;
        if ((k = key_of(t, e)) < 0)
        {
            char key[64];
            size_t n = (size_t) (e - t) < sizeof key - 1 ? (size_t) (e - t) : sizeof key - 1;
            memcpy(key, t, n);
            key[n] = 0;
            rc = perr(err, &p, t, "unknown key '%s' (keys: activation, d, width, d_out, "
                      "sigma_W, sigma_b, sigma_a, kurtosis, inputs, point, b_dist, F, mass, "
                      "Lambda, a_mean, phase, b_density, F_piece, g, g_act, g_width, sigma_g, "
                      "sigma_gb)", key);
            break;
        }
        if (k != K_POINT && k != K_BDENS && k != K_FPIECE && seen[k]++)
        {
            rc = perr(err, &p, t, "'%s' given twice", keys[k]);
            break;
        }
        if (k == K_POINT)
        {
            if (!point_line)
                point_line = p.line;
            rc = parse_point_line(&l, e, c, &p, err);
            continue;
        }
        if (k == K_BDENS || k == K_FPIECE)
        {
            if (!bdens_line && k == K_BDENS)
                bdens_line = p.line;
            rc = parse_piece_line(k == K_BDENS ? s->b_density : s->F_user, k == K_BDENS, e,
                                  c, &p, err);
            continue;
        }
        if ((v = next_token(e, c, 0, &ve)) == NULL)
        {
            rc = perr(err, &p, e, "'%s' needs a value", keys[k]);
            break;
        }
        x = next_token(ve, c, 0, &xe);
        if (x != NULL && k != K_INPUTS)
        {
            rc = perr(err, &p, x, "%s", "unexpected text after the value");
            break;
        }
        switch (k)
        {
        case K_ACT:
        {
            char buf[32];
            size_t n = (size_t) (ve - v) < sizeof buf - 1 ? (size_t) (ve - v) : sizeof buf - 1;
            memcpy(buf, v, n);
            buf[n] = 0;
            if (fy_nnft_act_parse(&s->act, buf) != 0)
                rc = perr(err, &p, v, "unknown activation '%.30s' (known: erf, relu, gauss, cos, "
                          "tanh, sin)", buf);
            break;
        }
        case K_D:
            rc = parse_slong_token(&dval, v, ve, 1, NNFT_MAX_DIM, "d", &p, err);
            d_line = p.line;
            break;
        case K_WIDTH:
            rc = parse_slong_token(&s->width, v, ve, 1, WORD(1) << 40, "width", &p, err);
            break;
        case K_DOUT:
            rc = parse_slong_token(&s->d_out, v, ve, 1, 1000000, "d_out", &p, err);
            break;
        case K_SW:
        case K_SB:
        case K_SA:
        case K_KURT:
        {
            fmpq *q = k == K_SW ? s->sigma_W : k == K_SB ? s->sigma_b
                      : k == K_SA ? s->sigma_a : s->kurtosis;
            if ((rc = parse_q_token(q, v, ve, &p, err)) != FY_OK)
                break;
            if (k == K_SB ? fmpq_sgn(q) < 0 : fmpq_sgn(q) <= 0)
                rc = perr(err, &p, v, "%s must be positive", keys[k]);
            else if (k == K_KURT && fmpz_cmp_si(fmpq_numref(q), 0) > 0
                     && fmpq_cmp_si(q, 3) < 0)
                rc = perr(err, &p, v, "%s", "kurtosis must be >= 3 (a Gaussian scale mixture; "
                          "3 is Gaussian)");
            if (k == K_SW && !seen[K_SA])
                fmpq_set(s->sigma_a, s->sigma_W);
            break;
        }
        case K_BDIST:
        case K_AMPL:
        {
            char buf[32];
            size_t n = (size_t) (ve - v) < sizeof buf - 1 ? (size_t) (ve - v) : sizeof buf - 1;
            fy_nnft_bdist_t bd;
            fy_nnft_ampl_t am;
            memcpy(buf, v, n);
            buf[n] = 0;
            if (k == K_BDIST && fy_nnft_bdist_parse(&bd, buf) != 0)
                rc = perr(err, &p, v, "unknown b_dist '%.30s' (known: gauss, ball, lorentz)",
                          buf);
            else if (k == K_AMPL && fy_nnft_ampl_parse(&am, buf) != 0)
                rc = perr(err, &p, v, "unknown F '%.30s' (known: one for F = 1, prop for "
                          "F = 1/sqrt(b^2 + m^2))", buf);
            else if (k == K_BDIST)
                s->b_dist = bd;
            else
                s->F = am;
            break;
        }
        case K_MASS:
        case K_LAMBDA:
        {
            fmpq *q = k == K_MASS ? s->mass : s->Lambda;
            if ((rc = parse_q_token(q, v, ve, &p, err)) == FY_OK && fmpq_sgn(q) <= 0)
                rc = perr(err, &p, v, "%s must be positive", keys[k]);
            break;
        }
        case K_AMEAN:
            rc = parse_q_token(s->a_mean, v, ve, &p, err);
            break;
        case K_G:
        case K_GACT:
        {
            char buf[32];
            size_t n = (size_t) (ve - v) < sizeof buf - 1 ? (size_t) (ve - v) : sizeof buf - 1;
            fy_nnft_g_t g;
            fy_nnft_gact_t ga;
            memcpy(buf, v, n);
            buf[n] = 0;
            if (k == K_G && fy_nnft_g_parse(&g, buf) != 0)
                rc = perr(err, &p, v, "unknown g '%.30s' (known: identity, dense)", buf);
            else if (k == K_GACT && fy_nnft_gact_parse(&ga, buf) != 0)
                rc = perr(err, &p, v, "unknown g_act '%.30s' (known: linear, tanh, erf, relu, "
                          "sin)", buf);
            else if (k == K_G)
                s->g = g;
            else
                s->g_act = ga;
            break;
        }
        case K_GWIDTH:
            rc = parse_slong_token(&s->g_width, v, ve, 1, WORD(1) << 20, "g_width", &p, err);
            break;
        case K_SG:
        case K_SGB:
        {
            fmpq *q = k == K_SG ? s->sigma_g : s->sigma_gb;
            if ((rc = parse_q_token(q, v, ve, &p, err)) == FY_OK
                && (k == K_SG ? fmpq_sgn(q) <= 0 : fmpq_sgn(q) < 0))
                rc = perr(err, &p, v, "%s", k == K_SG ? "sigma_g must be positive"
                                                      : "sigma_gb must be >= 0");
            break;
        }
        case K_PHASE:
            if ((rc = parse_q_token(s->phase, v, ve, &p, err)) == FY_OK
                && (fmpq_sgn(s->phase) <= 0
                    || fmpz_cmp(fmpq_numref(s->phase), fmpq_denref(s->phase)) > 0))
                rc = perr(err, &p, v, "%s", "phase P (c ~ U[-P pi, P pi]) must lie in (0, 1]");
            break;
        case K_INPUTS:
        {
            char buf[4096];
            size_t n = (size_t) (ve - v) < sizeof buf - 1 ? (size_t) (ve - v) : sizeof buf - 1;
            memcpy(buf, v, n);
            buf[n] = 0;
            if (strcmp(buf, "file") == 0)
            {
                char path[4096];
                if (x == NULL)
                {
                    rc = perr(err, &p, ve, "%s", "'inputs file' needs a path");
                    break;
                }
                if (next_token(xe, c, 0, &ve) != NULL)
                {
                    rc = perr(err, &p, ve, "%s", "unexpected text after the path");
                    break;
                }
                dir_of(path, sizeof path, name);
                n = strlen(path);
                if (x[0] == '/')
                    n = 0;
                if (n + (size_t) (xe - x) >= sizeof path)
                {
                    rc = perr(err, &p, x, "%s", "path too long");
                    break;
                }
                memcpy(path + n, x, (size_t) (xe - x));
                path[n + (size_t) (xe - x)] = 0;
                if ((rc = fy_nnft_points_read(s, path, err)) != FY_OK)
                    fy_error_prefix(err, "%s:%ld: ", name, (long) p.line);
                break;
            }
            if (x != NULL)
            {
                rc = perr(err, &p, x, "%s", "unexpected text after the value");
                break;
            }
            if (fy_nnft_spec_set_inputs(s, buf, NULL) != FY_OK)
            {
                char msg[FY_ERROR_MSG_LEN];
                snprintf(msg, sizeof msg, "unknown input set '%%s' (known: %s, file PATH)",
                         fy_nnft_input_set_names());
                rc = perr(err, &p, v, msg, buf);
            }
            break;
        }
        default:
            break;
        }
    }
    if (rc == FY_OK && l.n > 0)
    {
        if (seen[K_INPUTS])
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld: 'point' lines and 'inputs' both given",
                              name, (long) point_line);
        else if ((rc = plist_move(s, &l, name, err)) == FY_OK)
            snprintf(s->inputs, sizeof s->inputs, "inline");
    }
    if (rc == FY_OK && seen[K_D])
    {
        if (s->npoints > 0 && s->d != dval)
            rc = fy_error_set(err, FY_EINPUT, "%s:%ld: d = %ld but the points have %ld "
                              "coordinates", name, (long) d_line, (long) dval, (long) s->d);
        else
            s->d = dval;
    }
    plist_clear(&l);
    if (rc == FY_OK)
        rc = spec_parse_qft3(s, seen, bdens_line, name, err);
    if (rc == FY_OK)
        rc = fy_nnft_spec_check(s, err);
    return rc;
}

int fy_nnft_spec_read(fy_nnft_spec_t s, const char *path, fy_error_t err)
{
    char *text = NULL;
    size_t len;
    int rc = fy_file_read_text(&text, &len, path, NNFT_MAX_FILE_BYTES, err);
    if (rc != FY_OK)
        return rc;
    rc = fy_nnft_spec_parse(s, text, path, err);
    free(text);
    return rc;
}

/* qft3: user-given P(|b|) and F, deeper g. */
static int qft3_check(const fy_nnft_spec_t s, fy_error_t err)
{
    int rc;
    if (s->g < 0 || s->g >= FY_NNFT_NG || s->g_act < 0 || s->g_act >= FY_NNFT_NGACT)
        return fy_error_set(err, FY_EINPUT, "unknown g or g_act");
    if (s->g != FY_NNFT_G_IDENTITY && s->act != FY_NNFT_COS)
        return fy_error_set(err, FY_EINPUT, "g dense acts on the input layer "
                            "F(b) cos(b . x + c): it needs 'activation cos'");
    if (s->g == FY_NNFT_G_DENSE && s->g_width < 1)
        return fy_error_set(err, FY_EINPUT, "g dense needs the width of the input layer under "
                            "it: add 'g_width N1' (N1 >= 1)");
    if (fmpq_sgn(s->sigma_g) <= 0 || fmpq_sgn(s->sigma_gb) < 0)
        return fy_error_set(err, FY_EINPUT, "sigma_g must be positive, sigma_gb >= 0");
    if (s->b_dist == FY_NNFT_B_USER
        && (rc = fy_nnft_ppoly_check(s->b_density, 1, NULL, err)) != FY_OK)
        return rc;
    if (s->F == FY_NNFT_F_USER)
    {
        /* qft14: with every law of b (F = 0 off its pieces: with b_dist gauss or lorentz the
         * pieces cut the law off) */
        if ((rc = fy_nnft_ppoly_check(s->F_user, 0, NULL, err)) != FY_OK)
            return rc;
    }
    return FY_OK;
}

/* The Euclidean input layer (qft-fields): b_dist, F, mass, Lambda. */
static int euclid_check(const fy_nnft_spec_t s, fy_error_t err)
{
    if (s->b_dist < 0 || s->b_dist >= FY_NNFT_NBDIST || s->F < 0 || s->F >= FY_NNFT_NAMPL)
        return fy_error_set(err, FY_EINPUT, "unknown b_dist or F");
    if (fmpq_sgn(s->mass) < 0 || fmpq_sgn(s->Lambda) < 0)
        return fy_error_set(err, FY_EINPUT, "mass and Lambda must be positive");
    if (s->act != FY_NNFT_COS
        && (s->b_dist != FY_NNFT_B_GAUSS || s->F != FY_NNFT_F_ONE
            || !fmpq_is_zero(s->a_mean) || !fmpq_is_one(s->phase)))
        return fy_error_set(err, FY_EINPUT, "b_dist, F, a_mean and phase describe the input "
                            "layer F(b) cos(b . x + c): they need 'activation cos' (and "
                            "'sigma_b 0')");
    if (fmpq_sgn(s->phase) <= 0 || fmpz_cmp(fmpq_numref(s->phase), fmpq_denref(s->phase)) > 0)
        return fy_error_set(err, FY_EINPUT, "phase must lie in (0, 1]");
    if (!fmpq_is_zero(s->a_mean)
        && !(fmpz_equal_si(fmpq_numref(s->kurtosis), 3) && fmpz_is_one(fmpq_denref(s->kurtosis))))
        return fy_error_set(err, FY_EINPUT, "a_mean needs Gaussian output weights (kurtosis "
                            "3): a ~ N(a_mean / N, sigma_a^2 / N)");
    if (s->b_dist == FY_NNFT_B_BALL && fmpq_is_zero(s->Lambda))
        return fy_error_set(err, FY_EINPUT, "b_dist ball needs the radius: add 'Lambda R' "
                            "(R > 0)");
    if (s->b_dist == FY_NNFT_B_LORENTZ && s->d != 1)
        return fy_error_set(err, FY_EINPUT, "b_dist lorentz (density m / (pi (b^2 + m^2))) is "
                            "one-dimensional: write 'd 1', not d = %ld", (long) s->d);
    if ((s->b_dist == FY_NNFT_B_LORENTZ || s->F == FY_NNFT_F_PROP) && fmpq_is_zero(s->mass))
        return fy_error_set(err, FY_EINPUT, "%s needs the mass: add 'mass M' (M > 0)",
                            s->F == FY_NNFT_F_PROP ? "F prop (1/sqrt(b^2 + m^2))"
                                                   : "b_dist lorentz");
    return qft3_check(s, err);
}

int fy_nnft_spec_check(const fy_nnft_spec_t s, fy_error_t err)
{
    if (s->d < 1 || s->width < 1 || s->d_out < 1)
        return fy_error_set(err, FY_EINPUT, "d, width and d_out must be positive");
    if (fmpq_sgn(s->sigma_W) <= 0 || fmpq_sgn(s->sigma_a) <= 0 || fmpq_sgn(s->sigma_b) < 0)
        return fy_error_set(err, FY_EINPUT, "sigma_W and sigma_a must be positive, sigma_b "
                            "non-negative");
    if (fmpq_cmp_si(s->kurtosis, 3) < 0)
        return fy_error_set(err, FY_EINPUT, "kurtosis must be >= 3");
    if (s->act == FY_NNFT_COS && !fmpq_is_zero(s->sigma_b))
        return fy_error_set(err, FY_EINPUT, "Cos-net has no Gaussian biases (c ~ U[-pi, pi], "
                            "no output bias): write 'sigma_b 0'");
    return euclid_check(s, err);
}

/* ------------------------------------------------------------------ tuples */
slong fy_nnft_tuple_count(slong npoints, int n)
{
    /* C(P + n - 1, n) */
    slong c = 1, k;
    for (k = 1; k <= n; k++)
        c = c * (npoints + k - 1) / k;
    return npoints > 0 ? c : 0;
}

int fy_nnft_tuples(slong **idx, slong *count, slong npoints, int n, fy_error_t err)
{
    slong c = fy_nnft_tuple_count(npoints, n), t, cur[16];
    int j;
    *idx = NULL;
    *count = 0;
    if (n < 1 || n > 16 || npoints < 1)
        return fy_error_set(err, FY_EINPUT, "tuples need 1 <= n <= 16 and points");
    if ((*idx = fy_malloc((size_t) c * (size_t) n, sizeof(slong), err)) == NULL)
        return FY_ENOMEM;
    for (j = 0; j < n; j++)
        cur[j] = 0;
    for (t = 0; t < c; t++)
    {
        memcpy(*idx + t * n, cur, (size_t) n * sizeof(slong));
        for (j = n - 1; j >= 0 && cur[j] == npoints - 1; j--)
            ;
        if (j < 0)
            break;
        cur[j]++;
        for (j = j + 1; j < n; j++)
            cur[j] = cur[j - 1];
    }
    *count = c;
    return FY_OK;
}
