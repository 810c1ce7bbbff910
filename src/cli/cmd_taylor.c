/* feynn taylor: derivative tensors, entries and directional Taylor coefficients of an MLP.
 *
 *   feynn taylor MODEL --order N [--at FILE] [--direction FILE] [--entry i,j,k]
 *                [--arith double|ball[:BITS]|exact|symbolic] [--digits D] [--per-diagram]
 *                [--check] [--tol T] [--format text|json|npy] [-o FILE] [--activation A[,B..]]
 *
 * Vectors (--at, --direction) are files of whitespace-separated numbers, read exactly
 * ("0.1" is 1/10).  Without --entry or --direction the full order-N tensor is computed by the
 * fused recursion (mlp.h), or for orders 2..4 in double by the diagram factorisation
 * (fy_mlp_job_compute).  --check recomputes the result by the other routes (the fused
 * recursion, the sum over diagrams, eval.h; the Taylor-mode AD, jet.h) and in the other
 * arithmetics (exact where the vertex values are rational, ball), and exits 1 on any
 * disagreement.  The JSON form follows
 * doc/schema/taylor.schema.json. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/draw.h"
#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/num.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/util.h"
#include "io/json_num.h"

#define CMD "taylor"
#define DEFAULT_TOL 1e-9

enum
{
    MODE_TENSOR = FY_MLP_JOB_TENSOR,
    MODE_ENTRY = FY_MLP_JOB_ENTRY,
    MODE_DIR = FY_MLP_JOB_DIRECTION
};

static int read_vec(fy_numvec_t v, const char *path, int n, fy_error_t err)
{
    char *text = NULL, *p, *tok, *save = NULL, *orig;
    size_t len;
    int i = 0, status = fy_file_read(&text, &len, path, 1 << 26, err);
    fmpq_t q;
    if (status != FY_OK)
        return status;
    fmpq_init(q);
    orig = malloc(len + 1);
    if (orig != NULL)
        memcpy(orig, text, len + 1);
    fy_numvec_clear(v);
    status = fy_numvec_init(v, FY_ARITH_EXACT, n, 128, err);
    for (p = text; status == FY_OK && (tok = strtok_r(p, " \t\r\n,", &save)) != NULL; p = NULL)
    {
        if (i >= n)
        {
            status = fy_error_set(err, FY_EINPUT, "%s: more than %d numbers", path, n);
            break;
        }
        status = fy_fmpq_parse(q, tok, err);
        if (status != FY_OK)
        {
            /* file:line:column of the token (strtok_r left text's bytes before tok as they
             * were, but for the '\0's it put after earlier tokens: count in the original) */
            size_t off = (size_t) (tok - text), k, line = 1, col = 1;
            for (k = 0; k < off && orig != NULL; k++)
            {
                col++;
                if (orig[k] == '\n')
                {
                    line++;
                    col = 1;
                }
            }
            fy_error_prefix(err, "%s:%zu:%zu: number %d: ", path, line, col, i + 1);
        }
        else
            fmpq_set(fy_numvec_fmpq(v) + i++, q);
    }
    if (status == FY_OK && i != n)
        status = fy_error_set(err, FY_EINPUT, "%s: %d numbers, the network has %d inputs", path,
                              i, n);
    fmpq_clear(q);
    free(text);
    free(orig);
    return status;
}

/* ------------------------------------------------------------------ JSON helpers */

/* A finite double as a JSON number, anything else as null. */
static json_t *jints(const int *v, int n)
{
    json_t *a = json_array();
    int k;
    for (k = 0; k < n; k++)
        json_array_append_new(a, json_integer(v[k]));
    return a;
}

/* One value as JSON: a string (exact), the one ball object {"mid", "rad"} (fy_json_ball) or a
 * number (double). */
static json_t *jval(const fy_numvec_t v, slong i, slong digits)
{
    json_t *j;
    char *s;
    if (v->arith == FY_ARITH_BALL)
        return fy_json_ball(fy_numvec_arb(v) + i, digits > 0 ? digits : 20);
    if (v->arith == FY_ARITH_DOUBLE)
        return fy_json_number(fy_numvec_d(v)[i]);
    s = fy_numvec_get_str(v, i, digits > 0 ? digits : 20);
    j = json_string(s ? s : "?");
    free(s);
    return j;
}

/* Writes the document (consumed) to fp; jansson reports a failed allocation as a NULL member,
 * which makes json_dumpf fail or the object incomplete, so `bad` carries those up. */
static int jdump(json_t *root, int bad, FILE *fp, fy_error_t err)
{
    int status = FY_OK;
    if (root == NULL || bad)
        status = fy_error_set(err, FY_ENOMEM, "json: out of memory building the output");
    else if (json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                        JSON_REAL_PRECISION(17)) != 0 || fputc('\n', fp) == EOF)
        status = fy_error_set(err, FY_EIO, "json: writing the output failed");
    json_decref(root);
    return status;
}

/* One value as text: "p/q", certified digits or %.17g. */
static void put_val(FILE *fp, const fy_numvec_t v, slong i, slong digits)
{
    char *s;
    if (v->arith == FY_ARITH_DOUBLE)
    {
        double x = fy_numvec_d(v)[i];
        fprintf(fp, "%.*g", (int) (digits > 0 && digits <= 17 ? digits : 17), x);
        return;
    }
    s = fy_numvec_get_str(v, i, digits > 0 ? digits : 20);
    fputs(s ? s : "?", fp);
    free(s);
}

/* ------------------------------------------------------------------ computations */

/* Certified digits: the fused result in ball arithmetic at the precision asked. */
typedef struct
{
    const fy_mlp_job_struct *job;
    fy_mlp_struct *m;
    fy_numvec_struct *tmp;
} refine_t;

static int refine_eval(arb_ptr out, slong nout, slong prec, void *data, fy_error_t err)
{
    refine_t *r = data;
    slong i;
    int status = fy_mlp_job_fused(r->tmp, r->job, FY_ARITH_BALL, prec, r->m, err);
    if (status == FY_OK && r->tmp->len != nout)
        return fy_error_set(err, FY_EINTERNAL, "taylor: %ld results, %ld expected",
                            (long) r->tmp->len, (long) nout);
    for (i = 0; i < nout && status == FY_OK; i++)
        arb_swap(out + i, fy_numvec_arb(r->tmp) + i);
    return status;
}

/* The check report as the "check" member of the JSON document. */
static json_t *check_json(const fy_mlp_check_struct *c)
{
    double worst;
    int i, ok = fy_mlp_check_agree(c, &worst);
    json_t *j = json_object(), *routes = json_array(), *cmp = json_array(),
           *skip = json_array();
    json_object_set_new(j, "agree", json_boolean(ok));
    json_object_set_new(j, "max_discrepancy", fy_json_number(worst));
    json_object_set_new(j, "tol", fy_json_number(c->tol));
    for (i = 0; i < c->n; i++)
    {
        json_t *r = json_object();
        json_object_set_new(r, "name", fy_json_string(c->name[i]));
        json_object_set_new(r, "arith", json_string(fy_arith_name(c->val[i]->arith)));
        json_array_append_new(routes, r);
    }
    for (i = 0; i < c->ncmp; i++)
    {
        json_t *r = json_object();
        json_object_set_new(r, "a", fy_json_string(c->name[c->cmp[i].a]));
        json_object_set_new(r, "b", fy_json_string(c->name[c->cmp[i].b]));
        json_object_set_new(r, "test", fy_json_string(c->cmp[i].how));
        json_object_set_new(r, "max_abs_diff", fy_json_number(c->cmp[i].diff));
        json_object_set_new(r, "agree", json_boolean(c->cmp[i].agree));
        json_array_append_new(cmp, r);
    }
    for (i = 0; i < c->nskip; i++)
    {
        char why[2 * sizeof c->skipped[0]];
        fy_cli_flags(why, sizeof why, c->skipped[i]); /* the library's fixes as flags */
        json_array_append_new(skip, fy_json_string(why));
    }
    json_object_set_new(j, "routes", routes);
    json_object_set_new(j, "comparisons", cmp);
    json_object_set_new(j, "skipped", skip);
    return j;
}

static void print_check(FILE *fp, const fy_mlp_check_struct *c)
{
    double worst;
    int i, ok = fy_mlp_check_agree(c, &worst);
    fprintf(fp, "# check: %d routes, %d comparisons, largest discrepancy %.3g: %s\n", c->n,
            c->ncmp, worst, ok ? "all agree" : "DISAGREEMENT");
    for (i = 0; i < c->ncmp; i++)
        fprintf(fp, "#   %-14s vs %-14s %-22s max |diff| %-10.3g %s\n", c->name[c->cmp[i].a],
                c->name[c->cmp[i].b], c->cmp[i].how, c->cmp[i].diff,
                c->cmp[i].agree ? "ok" : "DISAGREE");
    for (i = 0; i < c->nskip; i++)
    {
        char why[2 * sizeof c->skipped[0]];
        fy_cli_flags(why, sizeof why, c->skipped[i]); /* the library's fixes as flags */
        fprintf(fp, "#   skipped: %s\n", why);
    }
}

/* ------------------------------------------------------------------ output */

static int write_npy(const char *out, const fy_numvec_t res, const fy_mlp_t m, int mode,
                     int order, fy_error_t err)
{
    fy_npy_t a;
    size_t shape[FY_IO_MAX_DIMS];
    fy_numvec_t dd;
    int k, status = FY_OK, d = m->width[0];
    slong i;

    fy_npy_init(a);
    fy_numvec_init_empty(dd);
    /* the sorted entries as doubles (midpoints, nearest doubles) */
    status = fy_numvec_convert(dd, FY_ARITH_DOUBLE, 53, res, err);
    if (status == FY_OK && res->arith == FY_ARITH_DOUBLE)
        status = fy_mlp_double_finite(dd, "npy", order, err);
    for (i = 0; status == FY_OK && i < dd->len; i++)
        if (!isfinite(fy_numvec_d(dd)[i]))
            status = fy_error_set(err, FY_EUNSUPPORTED, "npy: value %ld lies beyond the "
                                  "float64 range of .npy (about 1.8e308); use --format json",
                                  (long) i);
    if (status == FY_OK && mode == MODE_TENSOR)
    {
        if (order > FY_IO_MAX_DIMS)
            status = fy_error_set(err, FY_EINPUT, "npy: an order-%d tensor has %d axes, .npy "
                                  "output here takes at most %d (use json)", order, order,
                                  FY_IO_MAX_DIMS);
        for (k = 0; k < order; k++)
            shape[k] = (size_t) d;
        if (status == FY_OK)
            status = fy_npy_set_shape(a, order, shape, err);
        if (status == FY_OK) /* the library's dense expansion (no rank per entry) */
            status = fy_mlp_dense_d(a->data, fy_numvec_d(dd), d, order, err);
    }
    else if (status == FY_OK)
    {
        shape[0] = (size_t) res->len;
        status = fy_npy_set_shape(a, 1, shape, err);
        for (i = 0; status == FY_OK && i < dd->len; i++)
            a->data[i] = fy_numvec_d(dd)[i];
    }
    a->dtype = FY_DTYPE_F64;
    if (status == FY_OK)
    {
        if (strcmp(out, "-") == 0)
        {
            uint8_t *buf = NULL;
            size_t len = 0;
            status = fy_npy_write_buffer(&buf, &len, a, err);
            if (status == FY_OK && fwrite(buf, 1, len, stdout) != len)
                status = fy_error_set(err, FY_EIO, "npy: writing standard output failed");
            free(buf);
        }
        else
            status = fy_npy_write(out, a, err);
    }
    fy_numvec_clear(dd);
    fy_npy_clear(a);
    return status;
}

static int run_symbolic(const char *model, const fy_net_t net, const fy_rules_t rules, int order,
                        int json, FILE *fp, fy_error_t err)
{
    fy_mlp_t m;
    fmpq_mpoly_ctx_t ctx;
    fmpq_mpoly_struct *T = NULL;
    char **names = NULL;
    slong nv = 0, cnt = 0, r;
    int status, k, *ix = NULL, ctx_ok = 0;
    fy_mindex_t mi;

    fy_mlp_init(m);
    status = fy_mlp_set_net(m, net, rules, FY_ARITH_EXACT, 128, err);
    if (status == FY_OK && order < 1)
        status = fy_error_set(err, FY_EINPUT, "symbolic: --order must be at least 1");
    if (status == FY_OK)
        status = fy_mlp_symbolic_vars(&names, &nv, m, order, err);
    if (status == FY_OK)
        status = fy_mindex_init(mi, m->width[0], order, err);
    if (status == FY_OK)
    {
        cnt = fy_mindex_count(mi, m->width[0], order);
        fy_mindex_clear(mi);
        fmpq_mpoly_ctx_init(ctx, nv > 0 ? nv : 1, ORD_LEX);
        ctx_ok = 1;
        T = flint_malloc(sizeof(fmpq_mpoly_struct) * (size_t) cnt);
        for (r = 0; r < cnt; r++)
            fmpq_mpoly_init(T + r, ctx);
        status = fy_mlp_symbolic_tensor(T, m, 0, order, ctx, err);
    }
    if (status == FY_OK)
    {
        json_t *root = NULL, *ents = NULL;
        int bad = 0;
        ix = calloc((size_t) order + 1, sizeof(int));
        if (json)
        {
            root = json_object();
            ents = json_array();
            bad |= json_object_set_new(root, "command", json_string("taylor"));
            bad |= json_object_set_new(root, "model", fy_json_string(model));
            bad |= json_object_set_new(root, "order", json_integer(order));
            bad |= json_object_set_new(root, "arith", json_string("symbolic"));
            bad |= json_object_set_new(root, "dim", json_integer(m->width[0]));
            bad |= json_object_set_new(root, "mode", json_string("tensor"));
            bad |= json_object_set_new(root, "symbols", json_string(
                       "s_{l,a,k} = sigma_l^(k)(z^(l)_a) at the expansion point"));
        }
        else
            fprintf(fp, "# d^%d F / dx^%d as polynomials in s_{l,a,k} = sigma_l^(k)(z^(l)_a) "
                    "(layer l, neuron a, derivative k), exact coefficients\n", order, order);
        r = 0;
        do
        {
            char *s = fmpq_mpoly_get_str_pretty(T + r, (const char **) names, ctx);
            if (json)
            {
                json_t *e = json_object();
                bad |= json_object_set_new(e, "index", jints(ix, order));
                bad |= json_object_set_new(e, "value", fy_json_string(s));
                bad |= json_array_append_new(ents, e);
            }
            else
            {
                for (k = 0; k < order; k++)
                    fprintf(fp, "%s%d", k ? " " : "", ix[k]);
                fprintf(fp, ": %s\n", s);
            }
            flint_free(s);
            r++;
        } while (fy_multiindex_next(ix, m->width[0], order));
        if (json)
        {
            bad |= json_object_set_new(root, "entries", ents);
            status = jdump(root, bad, fp, err);
        }
        free(ix);
    }
    if (T != NULL)
    {
        for (r = 0; r < cnt; r++)
            fmpq_mpoly_clear(T + r, ctx);
        flint_free(T);
    }
    if (ctx_ok)
        fmpq_mpoly_ctx_clear(ctx);
    for (r = 0; names != NULL && r < nv; r++)
        free(names[r]);
    free(names);
    fy_mlp_clear(m);
    return status;
}

/* One `feynn taylor` run: the options, then what was computed. */
typedef struct
{
    const char *model, *at, *dirf, *entry, *out;
    int order, per, check, fmt, nidx, symbolic, progress, json, mode;
    int idx[FY_MLP_MAX_TENSOR_ORDER + 1];
    char entry_buf[16 * FY_MLP_MAX_TENSOR_ORDER]; /* --entry as "i,j,k" */
    fy_arith_t arith;
    slong prec, digits, prec_used, rel_bits;
    double tol;
    fy_net_opts_t opts;
    fy_net_t net;
    fy_rules_t rules;
    fy_mlp_t m;
    fy_numvec_t xbar, v, res, vals, sum;
    fy_diagram_list_t list;
    fy_mlp_check_t chk;
    fy_mlp_job_struct job;
    const char *route; /* the route of the result (fy_mlp_job_compute) */
} taylor_t;

/* ------------------------------------------------------------------ options */

/* The options as the table (src/cli/opt.h) stores them; copied into taylor_t. */
typedef struct
{
    long order, digits, idx[FY_MLP_MAX_TENSOR_ORDER];
    int nidx, per, check, no_progress, symbolic;
    double tol;
    fy_opt_arith_t arith;
    const char *at, *dirf, *out, *activation;
} taylor_args_t;

/* --arith: the table's double, ball[:BITS] and exact, and symbolic. */
static int set_arith(void *opts, const char *v, char *msg, size_t size)
{
    static const fy_opt_t arith = {.name = "arith", .kind = FY_OPT_ARITH,
                                   .off = offsetof(taylor_args_t, arith)};
    taylor_args_t *a = opts;
    int rc;
    a->symbolic = strcmp(v, "symbolic") == 0;
    if (a->symbolic)
    {
        a->arith.arith = FY_ARITH_EXACT;
        return 0;
    }
    rc = fy_opt_value(opts, &arith, v, msg, size);
    if (rc == 0 || strncmp(v, "ball", 4) == 0)
        return rc;
    snprintf(msg, size, "--arith: expected double, ball[:BITS], exact or symbolic, got '%s'", v);
    return 2;
}

#define STR(x) #x
#define XSTR(x) STR(x)
#define A(f) offsetof(taylor_args_t, f)
static const fy_opt_t taylor_opts[] = {
    {.name = "order", .kind = FY_OPT_INT, .arg = "N", .off = A(order), .lo = 0,
     .hi = FY_MLP_MAX_ORDER,
     .help = "derivative order (required): whole tensors and entries up to "
             XSTR(FY_MLP_MAX_TENSOR_ORDER) ", coefficients along a direction of any order"},
    {.name = "at", .kind = FY_OPT_PATH, .arg = "FILE", .off = A(at),
     .help = "expansion point: whitespace-separated numbers read exactly (\"0.1\" is 1/10); "
             "default the origin"},
    {.name = "direction", .kind = FY_OPT_PATH, .arg = "FILE", .off = A(dirf),
     .help = "the Taylor coefficients c_0 .. c_N of t -> F(xbar + t v) along the vector v of "
             "FILE (read as --at)"},
    {.name = "entry", .kind = FY_OPT_LIST, .arg = "i,j,...", .off = A(idx), .off2 = A(nidx),
     .lo = 0, .hi = 1000000000, .max = FY_MLP_MAX_TENSOR_ORDER,
     .help = "one entry d^N F / dx_i dx_j ... (N indices, 0-based)"},
    {.name = "arith", .kind = FY_OPT_CALL, .arg = "A", .call = set_arith, .def = "double",
     .help = "double (IEEE); ball[:BITS] (Arb balls, rigorous enclosures, default 128 bits; "
             "for whole tensors up to 128 bits with weights that are exact doubles, the balls "
             "of one entry across a layer share an exponent and a radius and carry 126-bit "
             "mantissas, so an entry far below the others of its row has fewer certified bits: "
             "--digits raises the precision where that matters); exact (FLINT rationals, "
             "refused with the layer and neuron when a vertex value is irrational: tanh, sin "
             "and sigmoid are rational only at zero pre-activation, e.g. zero biases at 0); "
             "or symbolic (small networks: each entry a polynomial with exact coefficients in "
             "the symbols s_{l,a,k} = sigma_l^(k)(z^(l)_a))"},
    {.name = "digits", .kind = FY_OPT_INT, .arg = "D", .off = A(digits), .lo = 1, .hi = 100000,
     .help = "ball: raise the precision until every result has D certified digits and print "
             "exactly those (every printed digit certified); double: the digits printed "
             "(default 17)"},
    {.name = "per-diagram", .kind = FY_OPT_FLAG, .off = A(per),
     .help = "with --entry or --direction: the contribution of every diagram, largest first"},
    {.name = "check", .kind = FY_OPT_FLAG, .off = A(check),
     .help = "recompute by every route (the sum over diagrams, refused with a message for "
             "whole tensors above a size; the fused recursion; the diagram routes of whole "
             "tensors, by the lowest vertex or along the spine; the Taylor-mode AD) and in the "
             "other "
             "arithmetics (exact where the vertex values are rational, "
             "ball, double) and report the largest discrepancy; exit status 1 on any "
             "disagreement.  Balls must overlap each other and contain the exact values; "
             "doubles must agree with the ball midpoints within their stated error (--tol).  "
             "The report follows the result; with -o FILE it is also printed on standard "
             "output"},
    {.name = "tol", .kind = FY_OPT_REAL, .arg = "T", .off = A(tol), .rlo = 0,
     .flags = FY_OPT_NO_HI, .def = "1e-9",
     .help = "stated error of double results, relative to the sum of the absolute values of "
             "the terms (the same computation with |W|, |sigma^(k)| and |v|; the largest over "
             "the tensor for tensors and entries, where the Taylor-mode route interpolates over "
             "all directions, and per c_k along a direction)"},
    {.name = "output", .letter = 'o', .kind = FY_OPT_PATH, .arg = "FILE", .off = A(out),
     .help = "write to FILE (atomically) instead of standard output"},
    {.name = "activation", .kind = FY_OPT_STRING, .arg = "A[,B,...]", .off = A(activation),
     .help = "activations when the model file does not name them (one name, or one per "
             "hidden layer)"},
    {.name = "no-progress", .kind = FY_OPT_FLAG, .off = A(no_progress),
     .help = "the same as --quiet"},
};
#undef A

const fy_opt_cmd_t fy_opt_taylor = {
    .name = CMD,
    .usage = "MODEL --order N [options]",
    .intro =
        "Derivative tensors d^N F at the expansion point (the whole symmetric tensor by\n"
        "sorted multi-index), single entries, and Taylor coefficients along a direction\n"
        "of output 0 of an MLP, by the fused layer recursion (doc/math.md 1.6).  Whole\n"
        "tensors come from the diagrams where that is faster: in double, orders 2-4 by\n"
        "the diagrams grouped by their lowest vertex into low-rank terms over the\n"
        "neurons, orders 5-10 by the diagrams grouped along their spine; exact rationals\n"
        "by the spine at every order, balls at order 2; the fused recursion then being\n"
        "the independent route of --check.  Per diagram and cross-checked on request.",
    .epilog =
        "Examples:\n"
        "  feynn taylor examples/tiny_mlp.safetensors --order 3\n"
        "  feynn taylor m.safetensors --order 3 --entry 0,1,2 --arith ball --digits 30\n"
        "  feynn taylor m.safetensors --order 200 --direction v.txt --check\n"
        "\n"
        "Exit status: 0 success, 1 a --check disagreement, 2 bad usage or input.\n",
    .opts = taylor_opts,
    .nopts = FY_OPT_N(taylor_opts),
    .formats = (1u << FY_FMT_TEXT) | (1u << FY_FMT_JSON) | (1u << FY_FMT_NPY),
    .format_default = FY_FMT_TEXT,
    .format_help = "text, json (doc/schema/taylor.schema.json: exact rationals as strings, "
                   "balls as {\"mid\", \"rad\"} decimal strings whose interval contains the "
                   "value, doubles as numbers) or npy (float64: the dense tensor of shape "
                   "(d,)*N, an entry as shape (1,), coefficients as shape (N+1,); balls give "
                   "their midpoints, exact values the nearest doubles; binary, so never "
                   "written to a terminal: give -o FILE)",
    .common = FY_OPT_QUIET,
    .max_operands = 1,
};

/* The command line into t: -1 to go on, else the exit status (0 after --help). */
static int parse_args(taylor_t *t, int argc, char **argv)
{
    fy_opt_state_t st;
    taylor_args_t a;
    int rc, k, len = 0;
    memset(&a, 0, sizeof a);
    a.order = -1;
    a.digits = -1;
    a.tol = DEFAULT_TOL;
    a.arith.arith = FY_ARITH_DOUBLE;
    a.arith.prec = 128;
    a.out = "-";
    if ((rc = fy_opt_start(st, &a, &fy_opt_taylor, argc, argv)) >= 0)
        return rc;
    t->model = st->noperands ? st->operands[0] : NULL;
    t->fmt = st->format;
    t->progress = a.no_progress ? 0 : fy_opt_progress(st);
    fy_opt_state_clear(st);
    t->order = (int) a.order;
    t->digits = a.digits;
    t->tol = a.tol;
    t->arith = a.arith.arith;
    t->prec = a.arith.prec;
    t->symbolic = a.symbolic;
    t->per = a.per;
    t->check = a.check;
    t->at = a.at;
    t->dirf = a.dirf;
    t->out = a.out;
    t->opts->activation = a.activation;
    t->opts->names = fy_cli_net_names;
    t->nidx = a.nidx;
    for (k = 0; k < a.nidx; k++)
    {
        t->idx[k] = (int) a.idx[k];
        len += snprintf(t->entry_buf + len, sizeof t->entry_buf - (size_t) len, "%s%ld",
                        k ? "," : "", a.idx[k]);
    }
    t->entry = a.nidx ? t->entry_buf : NULL;
    return -1;
}

/* The combinations of options: -1 when they go together, else the exit status. */
static int check_args(taylor_t *t)
{
    if (t->model == NULL || t->order < 0)
        return fy_cli_usage_error(CMD, "a MODEL and --order N are required");
    if (t->entry != NULL && t->nidx != t->order)
        return fy_cli_usage_error(CMD, "--entry has %d indices, --order is %d", t->nidx,
                                  t->order);
    if (t->entry != NULL && t->dirf != NULL)
        return fy_cli_usage_error(CMD, "--entry and --direction exclude each other");
    if (t->per && t->entry == NULL && t->dirf == NULL)
        return fy_cli_usage_error(CMD, "--per-diagram needs --entry or --direction");
    if (t->symbolic && (t->entry || t->dirf || t->per || t->check || t->fmt == FY_FMT_NPY ||
                        t->digits > 0))
        return fy_cli_usage_error(CMD, "--arith symbolic gives the whole tensor in text or "
                                  "json only (no --entry, --direction, --per-diagram, --check, "
                                  "--digits, npy)");
    if (t->digits > 0 && t->arith == FY_ARITH_EXACT)
        return fy_cli_usage_error(CMD, "--digits applies to ball and double results (exact "
                                  "results are printed in full)");
    if (t->fmt == FY_FMT_NPY && t->per)
        return fy_cli_usage_error(CMD, "--per-diagram is not available with --format npy");
    if (t->fmt == FY_FMT_NPY && t->check && !strcmp(t->out, "-"))
        return fy_cli_usage_error(CMD, "--check with --format npy needs -o FILE (the report "
                                  "goes to standard output)");
    if (t->order > FY_MLP_MAX_TENSOR_ORDER && t->dirf == NULL)
        return fy_cli_usage_error(CMD, "tensors and entries go up to order %d; use "
                                  "--direction for higher orders", FY_MLP_MAX_TENSOR_ORDER);
    t->json = t->fmt == FY_FMT_JSON;
    t->mode = t->entry ? MODE_ENTRY : t->dirf ? MODE_DIR : MODE_TENSOR;
    return -1;
}

/* Certified digits: rerun at rising precision (fy_ball_refine). */
static int compute_refined(taylor_t *t, fy_error_t err)
{
    refine_t rd;
    fy_numvec_t tmp;
    slong nout, want = (slong) ceil(t->digits * 3.3219280948873622) + 4;
    int status;
    fy_numvec_init_empty(tmp);
    rd.job = &t->job;
    rd.m = t->m;
    rd.tmp = tmp;
    /* the number of outputs: one cheap run at the starting precision */
    status = fy_mlp_job_fused(t->res, &t->job, FY_ARITH_BALL, t->prec, t->m, err);
    nout = t->res->len;
    if (status == FY_OK)
        status = fy_ball_refine(fy_numvec_arb(t->res), nout, refine_eval, &rd, t->prec,
                                t->prec > 1 << 16 ? t->prec : 1 << 16, want, &t->prec_used,
                                &t->rel_bits, err);
    if (status == FY_ECHECK)
        fprintf(stderr, "feynn taylor: warning: %s; printing the digits certified\n",
                err->msg);
    if (status == FY_ECHECK)
        status = FY_OK;
    fy_numvec_clear(tmp);
    if (status == FY_OK)
    {
        t->prec = t->prec_used;
        t->res->prec = t->prec;
        status = fy_mlp_set_net(t->m, t->net, t->rules, FY_ARITH_BALL, t->prec, err);
        if (status == FY_OK)
            status = fy_mlp_set_point(t->m, t->job.xbar, t->order, err);
    }
    return status;
}

/* The vectors of the job, the result, the per-diagram values and the check. */
/* --format npy holds the dense tensor, d^N float64 per output: refused before any work when
 * it cannot be written (the npy limit of io), with the size and what to ask instead. */
static int npy_fits(const taylor_t *t, fy_error_t err)
{
    double d = (double) t->net->widths[0], outs = (double) t->net->widths[t->net->L];
    double entries = pow(d, t->order) * outs, bytes = 8.0 * entries;
    if (t->fmt != FY_FMT_NPY || t->mode != MODE_TENSOR || bytes <= (double) FY_IO_MAX_FILE_BYTES)
        return FY_OK;
    return fy_error_set(err, FY_ENOMEM,
                        "npy: the dense order-%d tensor over %.0f inputs (%.0f output(s)) has "
                        "%.3g entries, %.3g GB of float64, above the %.3g GB limit of a .npy "
                        "file feynn writes; nothing was computed.  Ask for a lower order, "
                        "--format json (the %.3g distinct entries of the symmetric tensor), "
                        "single entries (--entry) or a direction (--direction)",
                        t->order, d, outs, entries, bytes / 1e9,
                        (double) FY_IO_MAX_FILE_BYTES / 1e9,
                        exp(lgamma(d + t->order) - lgamma(t->order + 1.0) - lgamma(d)) * outs);
}

/* --per-diagram: the diagrams' values, with a bar over the diagrams (--quiet, --progress;
 * on a terminal by default).  The list is enumerated once more first for the bar's total (as
 * taylor --check's diagram route does); the enumeration is cheap beside the evaluation. */
static int per_diagram(taylor_t *t, fy_error_t err)
{
    fy_progress_t pr;
    fy_diagram_list_t count;
    fy_error_t e2;
    double total = 1;
    int status, on = t->progress > 0 || (t->progress < 0 && isatty(fileno(stderr)));
    fy_diagram_list_init(count);
    fy_error_init(e2);
    if (on && fy_enum_mlp_trees(count, t->order, t->m->L - 1, e2) == FY_OK)
        total = (double) count->n;
    fy_diagram_list_clear(count);
    fy_progress_init(pr, "diagrams", total, t->progress);
    status = fy_mlp_job_diagrams(t->sum, t->vals, t->list, t->m, &t->job, pr, err);
    fy_progress_clear(pr);
    return status;
}

static int compute(taylor_t *t, fy_error_t err)
{
    int k, status = npy_fits(t, err), d = (int) t->net->widths[0];
    if (status == FY_OK && t->at != NULL)
        status = read_vec(t->xbar, t->at, d, err);
    if (status == FY_OK && t->dirf != NULL)
        status = read_vec(t->v, t->dirf, d, err);
    for (k = 0; status == FY_OK && t->entry != NULL && k < t->nidx; k++)
        if (t->idx[k] >= d)
            status = fy_error_set(err, FY_EINPUT, "--entry: index %d outside 0..%d",
                                  t->idx[k], d - 1);
    t->job.net = t->net;
    t->job.rules = t->rules;
    t->job.xbar = t->at ? t->xbar : NULL;
    t->job.v = t->v;
    t->job.idx = t->idx;
    t->job.mode = t->mode;
    t->job.order = t->order;
    t->job.progress = t->progress;
    if (status == FY_OK)
        status = t->arith == FY_ARITH_BALL && t->digits > 0
                     ? compute_refined(t, err)
                     : fy_mlp_job_compute(t->res, &t->route, &t->job, t->arith, t->prec,
                                          t->m, err);
    if (status == FY_OK && t->per && t->order >= 1)
        status = per_diagram(t, err);
    if (status == FY_OK && t->check)
        status = fy_mlp_check_run_route(t->chk, t->res, t->route, &t->job, t->arith,
                                        t->prec, err);
    return status;
}

/* The result's entries (or coefficients) as JSON members of root; bad |= any failure. */
static int json_values(json_t *root, const taylor_t *t)
{
    json_t *a = json_array();
    int bad = 0, order = t->order;
    slong k;
    if (t->mode != MODE_TENSOR)
    {
        for (k = 0; k < t->res->len; k++)
            bad |= json_array_append_new(a, jval(t->res, k, t->digits));
        bad |= json_object_set_new(root, t->entry ? "entry" : "coefficients", a);
        if (t->entry)
            bad |= json_object_set_new(root, "index", jints(t->idx, t->nidx));
        return bad;
    }
    {
        int *ix = calloc((size_t) order + 1, sizeof(int));
        slong r = 0;
        do
        {
            json_t *e = json_object();
            bad |= json_object_set_new(e, "index", jints(ix, order));
            bad |= json_object_set_new(e, "value", jval(t->res, r, t->digits));
            bad |= json_array_append_new(a, e);
            r++;
        } while (ix != NULL && order > 0 && fy_multiindex_next(ix, t->m->width[0], order));
        bad |= ix == NULL;
        free(ix);
        bad |= json_object_set_new(root, "entries", a);
    }
    return bad;
}

/* The per-diagram values, largest first, as the JSON member "diagrams". */
static int json_diagrams(json_t *root, const taylor_t *t, fy_error_t err)
{
    long *perm = calloc((size_t) t->list->n + 1, sizeof(long));
    json_t *a = json_array();
    int i, bad = perm == NULL;
    if (perm != NULL)
        (void) fy_eval_rank(perm, t->vals, err);
    for (i = 0; perm != NULL && i < t->list->n; i++)
    {
        fy_diagram_struct *d = t->list->d + perm[i];
        char *shape = NULL;
        json_t *e = json_object();
        if (fy_draw_shape(&shape, d, NULL, NULL) != FY_OK)
            shape = NULL;
        bad |= json_object_set_new(e, "rank", json_integer(i + 1));
        bad |= json_object_set_new(e, "canon", fy_json_string(d->canon ? d->canon : ""));
        bad |= json_object_set_new(e, "shape", fy_json_string(shape ? shape : ""));
        bad |= json_object_set_new(e, "aut", json_integer(fmpz_get_si(d->aut)));
        bad |= json_object_set_new(e, "value", jval(t->vals, perm[i], t->digits));
        bad |= json_array_append_new(a, e);
        free(shape);
    }
    free(perm);
    bad |= json_object_set_new(root, "diagrams", a);
    return bad;
}

/* The JSON document (doc/schema/taylor.schema.json); *disagree when the check disagreed. */
static int write_json(FILE *fp, const taylor_t *t, int *disagree, fy_error_t err)
{
    json_t *root = json_object();
    const char *mname = t->mode == MODE_TENSOR ? "tensor"
                        : t->mode == MODE_ENTRY ? "entry" : "direction";
    int bad = 0;
    bad |= json_object_set_new(root, "command", json_string("taylor"));
    bad |= json_object_set_new(root, "model", fy_json_string(t->model));
    bad |= json_object_set_new(root, "order", json_integer(t->order));
    bad |= json_object_set_new(root, "arith", json_string(fy_arith_name(t->arith)));
    bad |= json_object_set_new(root, "prec", json_integer(t->prec));
    bad |= json_object_set_new(root, "dim", json_integer(t->m->width[0]));
    bad |= json_object_set_new(root, "mode", json_string(mname));
    bad |= json_object_set_new(root, "notes", fy_json_string(t->m->notes));
    if (t->arith == FY_ARITH_BALL && t->digits > 0)
    {
        bad |= json_object_set_new(root, "digits", json_integer(t->digits));
        bad |= json_object_set_new(root, "rel_bits_reached", json_integer(t->rel_bits));
    }
    bad |= json_values(root, t);
    if (t->per && t->order >= 1)
        bad |= json_diagrams(root, t, err);
    if (t->check)
    {
        double worst;
        bad |= json_object_set_new(root, "check", check_json(t->chk));
        *disagree = !fy_mlp_check_agree(t->chk, &worst);
    }
    return jdump(root, bad, fp, err);
}

/* The whole tensor as text lines "i j k: value". */
static void text_tensor(FILE *fp, const taylor_t *t)
{
    int *ix = calloc((size_t) t->order + 1, sizeof(int)), k;
    slong r = 0;
    fy_progress_t pr;
    fy_progress_init(pr, "writing", (double) t->res->len,
                     t->res->len > 100000 ? t->progress : 0);
    do
    {
        for (k = 0; k < t->order; k++)
            fprintf(fp, "%s%d", k ? " " : "", ix[k]);
        fprintf(fp, "%s", t->order ? ": " : "value: ");
        put_val(fp, t->res, r, t->digits);
        fprintf(fp, "\n");
        r++;
        if ((r & 4095) == 0)
            fy_progress_update(pr, (double) r);
    } while (t->order > 0 && fy_multiindex_next(ix, t->m->width[0], t->order));
    fy_progress_clear(pr);
    free(ix);
}

/* The text report; *disagree when the check disagreed. */
static void write_text(FILE *fp, const taylor_t *t, int *disagree, fy_error_t err)
{
    int i, k;
    if (t->m->notes[0])
        fprintf(fp, "# note: %s\n", t->m->notes);
    if (t->arith == FY_ARITH_BALL)
        fprintf(fp, "# ball arithmetic at %ld bits%s\n", (long) t->prec,
                t->digits > 0 ? " (raised until the digits asked for are certified)" : "");
    if (t->mode != MODE_TENSOR)
        for (k = 0; k < t->res->len; k++)
        {
            if (t->entry)
                fprintf(fp, "d^%d F / dx[%s] = ", t->order, t->entry);
            else
                fprintf(fp, "c_%d = ", k);
            put_val(fp, t->res, k, t->digits);
            fprintf(fp, "\n");
        }
    else
        text_tensor(fp, t);
    if (t->per && t->order >= 1)
    {
        long *perm = calloc((size_t) t->list->n + 1, sizeof(long));
        fy_eval_rank(perm, t->vals, err);
        fprintf(fp, "# contributions of the %ld diagrams, largest first (sum ", t->list->n);
        put_val(fp, t->sum, 0, t->digits);
        fprintf(fp, ")\n");
        for (i = 0; i < t->list->n; i++)
        {
            fy_diagram_struct *d = t->list->d + perm[i];
            char *shape = NULL;
            if (fy_draw_shape(&shape, d, NULL, NULL) != FY_OK)
                shape = NULL;
            fprintf(fp, "%3d  |Aut| %-4ld ", i + 1, fmpz_get_si(d->aut));
            put_val(fp, t->vals, perm[i], t->digits);
            fprintf(fp, "   %s\n", shape ? shape : "");
            free(shape);
        }
        free(perm);
    }
    if (t->check)
    {
        double worst;
        print_check(fp, t->chk);
        *disagree = !fy_mlp_check_agree(t->chk, &worst);
    }
}

/* --arith symbolic: the whole tensor as polynomials in the vertex symbols. */
static int output_symbolic(taylor_t *t, fy_error_t err)
{
    fy_ofile_t of;
    int status = fy_ofile_open(of, t->out, err);
    if (status != FY_OK)
        return status;
    status = run_symbolic(t->model, t->net, t->rules, t->order, t->json, of->fp, err);
    if (status == FY_OK)
        return fy_ofile_commit(of, err);
    fy_ofile_abort(of);
    return status;
}

/* --format npy: the array file, and the check report on standard output. */
static int output_npy(taylor_t *t, int *disagree, fy_error_t err)
{
    int status;
    if (t->arith == FY_ARITH_EXACT)
        fprintf(stderr, "feynn taylor: note: npy holds float64; the exact rationals are "
                "written as their nearest doubles\n");
    else if (t->arith == FY_ARITH_BALL)
        fprintf(stderr, "feynn taylor: note: npy holds float64; the balls are written as "
                "their midpoints\n");
    status = write_npy(t->out, t->res, t->m, t->mode, t->order, err);
    if (status == FY_OK && t->check)
    {
        double worst;
        print_check(stdout, t->chk);
        *disagree = !fy_mlp_check_agree(t->chk, &worst);
    }
    return status;
}

/* Text or JSON to the output file. */
static int output(taylor_t *t, int *disagree, fy_error_t err)
{
    fy_ofile_t of;
    int status = fy_ofile_open(of, t->out, err);
    if (status != FY_OK)
        return status;
    if (t->json)
    {
        if ((status = write_json(of->fp, t, disagree, err)) != FY_OK)
        {
            fy_ofile_abort(of);
            return status;
        }
    }
    else
        write_text(of->fp, t, disagree, err);
    status = fy_ofile_commit(of, err);
    if (status == FY_OK && t->check && strcmp(t->out, "-") != 0)
        print_check(stdout, t->chk); /* the data went to a file; the verdict is said here too */
    return status;
}

static void taylor_init(taylor_t *t)
{
    memset(t, 0, sizeof *t);
    t->out = "-";
    t->order = -1;
    t->fmt = FY_FMT_TEXT;
    t->progress = -1;
    t->arith = FY_ARITH_DOUBLE;
    t->prec = 128;
    t->digits = -1;
    t->tol = DEFAULT_TOL;
    fy_net_opts_init(t->opts);
}

static void taylor_clear(taylor_t *t)
{
    fy_mlp_check_clear(t->chk);
    fy_diagram_list_clear(t->list);
    fy_numvec_clear(t->xbar);
    fy_numvec_clear(t->v);
    fy_numvec_clear(t->res);
    fy_numvec_clear(t->vals);
    fy_numvec_clear(t->sum);
    fy_mlp_clear(t->m);
    fy_net_clear(t->net);
    fy_rules_clear(t->rules);
}

int fy_cmd_taylor(int argc, char **argv)
{
    taylor_t t;
    fy_error_t err;
    int rc, status, disagree = 0;

    fy_error_init(err);
    taylor_init(&t);
    if ((rc = parse_args(&t, argc, argv)) >= 0 || (rc = check_args(&t)) >= 0)
        return rc;
    fy_rules_init(t.rules);
    fy_net_init(t.net);
    fy_mlp_init(t.m);
    fy_numvec_init_empty(t.xbar);
    fy_numvec_init_empty(t.v);
    fy_numvec_init_empty(t.res);
    fy_numvec_init_empty(t.vals);
    fy_numvec_init_empty(t.sum);
    fy_diagram_list_init(t.list);
    fy_mlp_check_init(t.chk, t.tol);
    status = fy_rules_load_default(t.rules, err);
    if (status == FY_OK)
        status = fy_net_load(t.net, t.model, t.opts, err);
    if (status == FY_OK && t.symbolic)
        status = output_symbolic(&t, err);
    else
    {
        if (status == FY_OK)
            status = compute(&t, err);
        if (status == FY_OK)
            status = t.fmt == FY_FMT_NPY ? output_npy(&t, &disagree, err)
                                         : output(&t, &disagree, err);
    }
    taylor_clear(&t);
    if (status != FY_OK)
        return fy_cli_fail(CMD, err);
    return disagree ? 1 : 0;
}
