/* feynn taylor: derivative tensors, entries and directional Taylor coefficients of an MLP.
 *
 *   feynn taylor MODEL --order N [--at FILE] [--direction FILE] [--entry i,j,k]
 *                [--arith double|ball[:BITS]|exact|symbolic] [--digits D] [--per-diagram]
 *                [--check] [--tol T] [--format text|json|npy] [-o FILE] [--activation A[,B..]]
 *
 * Vectors (--at, --direction) are files of whitespace-separated numbers, read exactly
 * ("0.1" is 1/10).  Without --entry or --direction the full order-N tensor is computed by the
 * fused recursion (mlp.h).  --check recomputes the result by the other routes (the sum over
 * diagrams, eval.h; the Taylor-mode AD, jet.h) and in the other arithmetics (exact where the
 * vertex values are rational, ball), and exits 1 on any disagreement.  The JSON form follows
 * doc/schema/taylor.schema.json. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/io.h"
#include "feynn/jet.h"
#include "feynn/mlp.h"
#include "feynn/num.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/util.h"

#define CMD "taylor"
/* --check: the diagram route for a whole tensor costs (entries x N! x diagrams) evaluations */
#define CHECK_MAX_DIAGRAM_WORK 2e6
/* --check: the jet route for a whole tensor (directions) */
#define CHECK_MAX_JET_DIRS 200000
#define DEFAULT_TOL 1e-9

enum
{
    MODE_TENSOR,
    MODE_ENTRY,
    MODE_DIR
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn taylor MODEL --order N [options]\n"
            "\n"
            "Derivative tensors d^N F at the expansion point, single entries, and Taylor\n"
            "coefficients along a direction of an MLP, by the fused layer recursion; per diagram\n"
            "and cross-checked on request.  Output 0 of the network is expanded.\n"
            "\n"
            "  --order N               derivative order (tensors and entries up to %d;\n"
            "                          directions any order)\n"
            "  --at FILE               expansion point (numbers read exactly); default 0\n"
            "  --direction FILE        Taylor coefficients c_0..c_N of F(xbar + t v) along v\n"
            "  --entry i,j,...         one entry d^N F / dx_i dx_j ... (N indices, 0-based)\n"
            "  --arith A               double (default), ball[:BITS] (Arb enclosures, default\n"
            "                          128 bits; up to 128, binary weights: rows of 126-bit\n"
            "                          mantissas sharing exponent and radius, so an entry far\n"
            "                          below the others of its row has fewer certified bits),\n"
            "                          exact (FLINT rationals; needs rational vertex\n"
            "                          values, e.g. tanh/sin/sigmoid with zero biases at 0), or\n"
            "                          symbolic (small networks: polynomials in the symbols\n"
            "                          s_{l,a,k} = sigma_l^(k)(z^(l)_a) with exact coefficients)\n"
            "  --digits D              ball: raise the precision until every entry has D\n"
            "                          certified digits and print exactly those (every printed\n"
            "                          digit certified); double: digits printed (default 17)\n"
            "  --per-diagram           contributions of every diagram (with --entry or\n"
            "                          --direction), largest first\n"
            "  --check                 recompute by every route (diagrams, fused recursion,\n"
            "                          Taylor-mode AD) and arithmetic (exact where possible,\n"
            "                          ball, double) and report the largest discrepancy; exit 1\n"
            "                          on any disagreement.  Balls must overlap each other and\n"
            "                          contain the exact values; doubles must agree with the\n"
            "                          ball midpoints within their stated error\n"
            "  --tol T                 stated error of double results, relative to the sums of\n"
            "                          the absolute values of the terms (the same computation\n"
            "                          with |W|, |sigma^(k)|, |v|; the largest over the tensor\n"
            "                          for tensors and entries, per c_k along a direction);\n"
            "                          default %g\n"
            "  --format F              text (default), json (doc/schema/taylor.schema.json) or\n"
            "                          npy (float64; the dense tensor of shape (d,)*N, an entry\n"
            "                          as shape (1,), coefficients as shape (N+1,); balls give\n"
            "                          their midpoints, exact values the nearest doubles)\n"
            "  -o FILE                 write to FILE (atomically) instead of standard output\n"
            "  --activation A[,B,...]  activations when the model file does not name them\n"
            "  --progress | --no-progress   force the progress bar on stderr on or off (default:\n"
            "                          on when stderr is a terminal)\n"
            "\n"
            "Exit status: 0 success, 1 a --check disagreement, 2 bad usage or input.\n",
            FY_MLP_MAX_TENSOR_ORDER, DEFAULT_TOL);
}

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

/* A JSON string; bytes that are not valid UTF-8 (a model path, say) become '?' rather than
 * failing the whole document. */
static json_t *jstr(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j == NULL && s != NULL)
    {
        char *t = strdup(s), *p;
        for (p = t; p != NULL && *p; p++)
            if ((unsigned char) *p >= 0x80)
                *p = '?';
        j = t ? json_string(t) : NULL;
        free(t);
    }
    return j;
}

/* A finite double as a JSON number, anything else as null. */
static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static json_t *jints(const int *v, int n)
{
    json_t *a = json_array();
    int k;
    for (k = 0; k < n; k++)
        json_array_append_new(a, json_integer(v[k]));
    return a;
}

/* One value as JSON: a string (exact), {"mid", "rad"} (ball, decimal strings by
 * fy_arb_get_str_ball: mid to `digits` digits, rad covering the ball and mid's rounding) or a
 * number (double). */
static json_t *jval(const fy_numvec_t v, slong i, slong digits)
{
    json_t *j;
    char *s;
    if (v->arith == FY_ARITH_BALL)
    {
        char *mid, *rad;
        if (fy_arb_get_str_ball(NULL, &mid, &rad, fy_numvec_arb(v) + i,
                                digits > 0 ? digits : 20) != FY_OK)
            return NULL;
        j = json_object();
        json_object_set_new(j, "mid", json_string(mid));
        json_object_set_new(j, "rad", json_string(rad));
        free(mid);
        free(rad);
        return j;
    }
    if (v->arith == FY_ARITH_DOUBLE)
        return jnum(fy_numvec_d(v)[i]);
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

typedef struct
{
    const fy_net_struct *net;
    const fy_rules_struct *rules;
    const fy_numvec_struct *xbar; /* exact, or NULL */
    const fy_numvec_struct *v;    /* exact direction, or NULL */
    const int *idx;
    int mode, order;
    int progress; /* -1 auto, 0 off, 1 on */
    fy_net_opts_struct *opts;
} job_t;

/* res = the fused result in arithmetic `arith` at prec (tensor entries by sorted multi-index,
 * one entry, or the coefficients c_0..c_N). */
static int fused(fy_numvec_t res, const job_t *job, fy_arith_t arith, slong prec,
                 fy_mlp_t m, fy_error_t err)
{
    int status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, job->xbar, job->order, err);
    if (status != FY_OK)
        return status;
    if (job->mode == MODE_ENTRY)
        return fy_mlp_entry(res, m, 0, job->idx, job->order, err);
    if (job->mode == MODE_TENSOR)
    {
        fy_symtensor_t T;
        fy_progress_t pr;
        char label[64];
        snprintf(label, sizeof label, "order-%d tensor (%s)", job->order, fy_arith_name(arith));
        fy_progress_init(pr, label, 1, job->progress);
        m->progress = pr;
        fy_symtensor_init(T, arith, 1, 0, prec, NULL);
        status = fy_mlp_tensor(T, m, 0, job->order, err);
        m->progress = NULL;
        fy_progress_clear(pr);
        if (status == FY_OK)
            status = fy_numvec_set(res, &T->e, err);
        fy_symtensor_clear(T);
        return status;
    }
    if (job->mode == MODE_DIR)
    {
        fy_numvec_t ve;
        fy_numvec_init(ve, arith, 0, prec, NULL);
        status = fy_numvec_convert(ve, arith, prec, job->v, err);
        if (status == FY_OK)
            status = fy_mlp_directional(res, m, 0, ve, job->order, err);
        fy_numvec_clear(ve);
        return status;
    }
    {
        fy_symtensor_t T;
        fy_symtensor_init(T, arith, 1, 0, prec, NULL);
        status = fy_mlp_tensor(T, m, 0, job->order, err);
        if (status == FY_OK)
            status = fy_numvec_set(res, &T->e, err);
        fy_symtensor_clear(T);
    }
    return status;
}

typedef struct
{
    const job_t *job;
    fy_mlp_struct *m;
    fy_numvec_struct *tmp;
} refine_t;

static int refine_eval(arb_ptr out, slong nout, slong prec, void *data, fy_error_t err)
{
    refine_t *r = data;
    slong i;
    int status = fused(r->tmp, r->job, FY_ARITH_BALL, prec, r->m, err);
    if (status == FY_OK && r->tmp->len != nout)
        return fy_error_set(err, FY_EINTERNAL, "taylor: %ld results, %ld expected",
                            (long) r->tmp->len, (long) nout);
    for (i = 0; i < nout && status == FY_OK; i++)
        arb_swap(out + i, fy_numvec_arb(r->tmp) + i);
    return status;
}

/* Double results of any route are refused, never printed, when an entry is not finite (a value
 * passed the double range, about 1.8e308, on the way); FY_EUNSUPPORTED says so and names the
 * arithmetic that works. */
static int double_finite(const fy_numvec_t v, const char *route, int order, fy_error_t err)
{
    slong i;
    const double *x = fy_numvec_d(v);
    for (i = 0; x != NULL && i < v->len; i++)
        if (!isfinite(x[i]))
            return fy_error_set(err, FY_EUNSUPPORTED, "%s: double arithmetic overflowed at "
                                "order %d (value %ld is %s: an intermediate value passed the "
                                "double range, about 1.8e308); use --arith ball", route, order,
                                (long) i, isnan(x[i]) ? "NaN" : "infinite");
    return FY_OK;
}

/* The sum over diagrams in m's arithmetic: per-diagram values (entry / direction) into vals
 * and their sum into sum; for a whole tensor, sum only (entries by sorted multi-index). */
static int diagrams(fy_numvec_t sum, fy_numvec_t vals, fy_diagram_list_t list, const fy_mlp_t m,
                    const job_t *job, fy_progress_t pr, fy_error_t err)
{
    fy_eval_model_t model;
    fy_eval_t ev;
    fy_numvec_t one, ve;
    fy_symtensor_t T;
    long i;
    int status = fy_enum_mlp_trees(list, job->order, m->L - 1, err);
    if (status != FY_OK)
        return status;
    fy_mlp_eval_model(model, m);
    fy_eval_init(ev, model);
    fy_numvec_init(one, m->arith, 0, m->prec, NULL);
    fy_numvec_init(ve, m->arith, 0, m->prec, NULL);
    fy_symtensor_init(T, m->arith, 1, 0, m->prec, NULL);
    fy_numvec_clear(vals);
    status = fy_numvec_init(vals, m->arith, job->mode == MODE_TENSOR ? 0 : list->n, m->prec,
                            err);
    if (status == FY_OK && job->mode == MODE_DIR)
        status = fy_numvec_convert(ve, m->arith, m->prec, job->v, err);
    fy_numvec_clear(sum);
    if (status == FY_OK && job->mode != MODE_TENSOR)
        status = fy_numvec_init(sum, m->arith, 1, m->prec, err);
    for (i = 0; i < list->n && status == FY_OK; i++)
    {
        if (job->mode == MODE_TENSOR)
        {
            status = fy_eval_tree_tensor(T, ev, list->d + i, 0, err);
            if (status == FY_OK)
                status = i == 0 ? fy_numvec_set(sum, &T->e, err)
                                : fy_numvec_add(sum, sum, &T->e, err);
        }
        else
        {
            status = job->mode == MODE_ENTRY
                         ? fy_eval_tree_entry(one, ev, list->d + i, 0, job->idx, err)
                         : fy_eval_tree_directional(one, ev, list->d + i, 0, ve, err);
            if (status == FY_OK)
            {
                /* vals[i] = one[0]; sum += one[0] */
                switch (m->arith)
                    {
                    case FY_ARITH_DOUBLE:
                        fy_numvec_d(vals)[i] = fy_numvec_d(one)[0];
                        fy_numvec_d(sum)[0] += fy_numvec_d(one)[0];
                        break;
                    case FY_ARITH_BALL:
                        arb_set(fy_numvec_arb(vals) + i, fy_numvec_arb(one));
                        arb_add(fy_numvec_arb(sum), fy_numvec_arb(sum), fy_numvec_arb(one),
                                m->prec);
                        break;
                    default:
                        fmpq_set(fy_numvec_fmpq(vals) + i, fy_numvec_fmpq(one));
                        fmpq_add(fy_numvec_fmpq(sum), fy_numvec_fmpq(sum), fy_numvec_fmpq(one));
                    }
            }
        }
        fy_progress_update(pr, (double) (i + 1));
    }
    if (status == FY_OK)
        status = double_finite(sum, "diagrams", job->order, err);
    if (status == FY_OK)
        status = double_finite(vals, "diagrams", job->order, err);
    /* along a direction the diagrams give c_N only (compared with the last coefficient) */
    fy_symtensor_clear(T);
    fy_numvec_clear(one);
    fy_numvec_clear(ve);
    fy_eval_clear(ev);
    return status;
}

/* The Taylor-mode AD route (jet.h) in arithmetic arith; same layout as fused(). */
static int jet_route(fy_numvec_t res, const job_t *job, fy_arith_t arith, slong prec,
                     char *why, size_t whylen, fy_error_t err)
{
    fy_jet_net_t J;
    int d = (int) job->net->widths[0], n = job->order, status;
    slong nout, i;
    fy_numvec_t xb, ve;
    fy_symtensor_t T;

    fy_jet_net_init(J);
    fy_numvec_init(xb, arith, 0, prec, NULL);
    fy_numvec_init(ve, arith, 0, prec, NULL);
    fy_symtensor_init(T, arith, 1, 0, prec, NULL);
    status = fy_jet_net_set(J, job->net, err);
    if (status == FY_OK && job->xbar != NULL)
        status = fy_numvec_convert(xb, arith, prec, job->xbar, err);
    if (status != FY_OK)
        goto done;
    nout = fy_jet_net_outputs(J);
    if (job->mode == MODE_DIR)
    {
        fy_numvec_t c;
        /* one init: it leaves c valid (clearable) even when it fails */
        status = fy_numvec_init(c, arith, nout * (n + 1), prec, err);
        if (status == FY_OK)
            status = fy_numvec_convert(ve, arith, prec, job->v, err);
        if (status == FY_OK)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                status = fy_jet_dir_d(fy_numvec_d(c), J, job->xbar ? fy_numvec_d(xb) : NULL,
                                      fy_numvec_d(ve), n, err);
                break;
            case FY_ARITH_BALL:
                status = fy_jet_dir_arb_fmpq(fy_numvec_arb(c), J,
                                             job->xbar ? fy_numvec_fmpq(job->xbar) : NULL,
                                             fy_numvec_fmpq(job->v), n, prec, err);
                break;
            default:
                status = fy_jet_dir_fmpq(fy_numvec_fmpq(c), J,
                                         job->xbar ? fy_numvec_fmpq(xb) : NULL,
                                         fy_numvec_fmpq(ve), n, err);
            }
        fy_numvec_clear(res);
        if (status == FY_OK)
            status = fy_numvec_init(res, arith, n + 1, prec, err);
        for (i = 0; i <= n && status == FY_OK; i++)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(res)[i] = fy_numvec_d(c)[i];
                break;
            case FY_ARITH_BALL:
                arb_swap(fy_numvec_arb(res) + i, fy_numvec_arb(c) + i);
                break;
            default:
                fmpq_swap(fy_numvec_fmpq(res) + i, fy_numvec_fmpq(c) + i);
            }
        fy_numvec_clear(c);
        goto done;
    }
    {
        slong ndirs;
        double ops, bytes;
        status = fy_jet_tensor_cost(&ndirs, &ops, &bytes, J, n, arith, err);
        if (status == FY_OK && ndirs > CHECK_MAX_JET_DIRS)
        {
            snprintf(why, whylen, "jet: %ld directions for the order-%d tensor in %d variables "
                     "(limit %d); use --entry or --direction", (long) ndirs, n, d,
                     CHECK_MAX_JET_DIRS);
            goto done;
        }
    }
    if (status == FY_OK)
        switch (arith)
        {
        case FY_ARITH_DOUBLE:
            status = fy_jet_tensor_d(T, J, 0, job->xbar ? fy_numvec_d(xb) : NULL, n, err);
            break;
        case FY_ARITH_BALL:
            status = fy_jet_tensor_arb(T, J, 0, job->xbar ? fy_numvec_arb(xb) : NULL, n, prec,
                                       err);
            break;
        default:
            status = fy_jet_tensor_fmpq(T, J, 0, job->xbar ? fy_numvec_fmpq(xb) : NULL, n,
                                        err);
        }
    if (status == FY_OK && job->mode == MODE_TENSOR)
        status = fy_numvec_set(res, &T->e, err);
    else if (status == FY_OK)
    {
        slong pos = fy_symtensor_index(T, job->idx);
        fy_numvec_clear(res);
        status = fy_numvec_init(res, arith, 1, prec, err);
        if (status == FY_OK)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(res)[0] = fy_numvec_d(&T->e)[pos];
                break;
            case FY_ARITH_BALL:
                arb_set(fy_numvec_arb(res), fy_numvec_arb(&T->e) + pos);
                break;
            default:
                fmpq_set(fy_numvec_fmpq(res), fy_numvec_fmpq(&T->e) + pos);
            }
    }
done:
    fy_symtensor_clear(T);
    fy_numvec_clear(xb);
    fy_numvec_clear(ve);
    fy_jet_net_clear(J);
    return status;
}

/* ------------------------------------------------------------------ --check */

#define MAX_ROUTES 8
#define MAX_CMP 24

typedef struct
{
    int n;
    const char *name[MAX_ROUTES];
    fy_numvec_struct *val[MAX_ROUTES];
    slong from[MAX_ROUTES]; /* compare entries [from, len) (directional diagrams: c_N only) */
    int ncmp;
    struct
    {
        int a, b;
        const char *how;
        double diff;
        int agree;
    } cmp[MAX_CMP];
    char skipped[4][1400];
    int nskip;
    double tol;
    fy_numvec_struct *scale; /* per entry: the sum of |terms| (see abs_scale), or NULL */
} check_t;

static double max_abs_mid(const fy_numvec_t x)
{
    slong i;
    double mx = 0;
    for (i = 0; i < x->len; i++)
    {
        arb_t t;
        double a;
        arb_init(t);
        fy_numvec_get_arb(t, x, i, 64);
        a = fabs(arf_get_d(arb_midref(t), ARF_RND_NEAR));
        if (a > mx)
            mx = a;
        arb_clear(t);
    }
    return mx;
}

/* Compares route b against route a (same length, or b one entry long holding a's last). */
static void compare(check_t *c, int a, int b)
{
    const fy_numvec_struct *x = c->val[a], *y = c->val[b];
    slong i, off = x->len - y->len, n = y->len;
    int agree = 1;
    const char *how;
    double diff = 0, scale = max_abs_mid(x);
    const double *sc = c->scale != NULL && c->scale->len == x->len ? fy_numvec_d(c->scale) : NULL;
    if (c->ncmp >= MAX_CMP || off < 0)
        return;
    for (i = 0; i < n; i++)
    {
        arb_t p, q, t;
        int ok;
        arb_init(p);
        arb_init(q);
        arb_init(t);
        fy_numvec_get_arb(p, x, off + i, 256);
        fy_numvec_get_arb(q, y, i, 256);
        arb_sub(t, p, q, 256);
        if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
        {
            /* exact against exact: the difference itself, not that of 256-bit roundings */
            fmpq_t e;
            fmpq_init(e);
            fmpq_sub(e, fy_numvec_fmpq(x) + off + i, fy_numvec_fmpq(y) + i);
            fmpq_abs(e, e);
            if (fmpq_get_d(e) > diff)
                diff = fmpq_get_d(e);
            fmpq_clear(e);
        }
        else
        {
            double dd = fabs(arf_get_d(arb_midref(t), ARF_RND_UP)) + mag_get_d(arb_radref(t));
            if (dd > diff)
                diff = dd;
        }
        if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
            ok = fmpq_equal(fy_numvec_fmpq(x) + off + i, fy_numvec_fmpq(y) + i);
        else if (x->arith == FY_ARITH_DOUBLE || y->arith == FY_ARITH_DOUBLE)
        {
            /* a double against anything: within its stated error tol * (largest entry) of the
             * other value (of the ball: of its midpoint, plus its radius) */
            const fy_numvec_struct *dv = x->arith == FY_ARITH_DOUBLE ? x : y;
            slong di = dv == x ? off + i : i;
            arb_srcptr o = dv == x ? q : p;
            ok = fy_d_near_arb(fy_numvec_d(dv)[di], o, 0.0,
                               c->tol * (sc != NULL ? sc[off + i] : scale));
        }
        else if (x->arith == FY_ARITH_EXACT || y->arith == FY_ARITH_EXACT)
            ok = x->arith == FY_ARITH_EXACT
                     ? fy_arb_contains_fmpq(fy_numvec_arb(y) + i, fy_numvec_fmpq(x) + off + i)
                     : fy_arb_contains_fmpq(fy_numvec_arb(x) + off + i, fy_numvec_fmpq(y) + i);
        else
            ok = arb_overlaps(p, q);
        agree &= ok;
        arb_clear(p);
        arb_clear(q);
        arb_clear(t);
    }
    if (x->arith == FY_ARITH_EXACT && y->arith == FY_ARITH_EXACT)
        how = "equal";
    else if (x->arith == FY_ARITH_DOUBLE || y->arith == FY_ARITH_DOUBLE)
        how = "within stated error";
    else if (x->arith == FY_ARITH_EXACT || y->arith == FY_ARITH_EXACT)
        how = "ball contains exact";
    else
        how = "balls overlap";
    c->cmp[c->ncmp].a = a;
    c->cmp[c->ncmp].b = b;
    c->cmp[c->ncmp].how = how;
    c->cmp[c->ncmp].diff = diff;
    c->cmp[c->ncmp].agree = agree;
    c->ncmp++;
}

static void skip(check_t *c, const char *fmt, const char *msg)
{
    if (c->nskip < 4)
        snprintf(c->skipped[c->nskip++], sizeof c->skipped[0], fmt, msg);
}

static int add_route(check_t *c, const char *name, fy_arith_t arith, slong prec)
{
    if (c->n >= MAX_ROUTES)
        return -1;
    c->name[c->n] = name;
    c->val[c->n] = calloc(1, sizeof(fy_numvec_struct));
    if (c->val[c->n] == NULL)
        return -1;
    fy_numvec_init(c->val[c->n], arith, 0, prec, NULL);
    return c->n++;
}

static void drop_route(check_t *c)
{
    c->n--;
    fy_numvec_clear(c->val[c->n]);
    free(c->val[c->n]);
}

/* The scale of the stated error of double results: the same computation with every weight,
 * vertex value and direction entry replaced by its absolute value bounds, entry by entry, the
 * sum of the absolute values of the terms (of the diagrams, which is what rounding errors are
 * relative to).  For tensors and entries the largest such sum over the order-N tensor is used
 * for every entry (the jet route interpolates over all directions, so its error in one entry
 * follows the whole tensor; an entry falls back to its own sum when the tensor would be
 * large); for directions each coefficient c_k has its own.  Computed in double (a scale, not
 * a bound). */
static int abs_scale(fy_numvec_t scale, const job_t *job, fy_error_t err)
{
    fy_mlp_t m;
    int l, status;
    slong i;
    fy_mlp_init(m);
    status = fy_mlp_set_net(m, job->net, job->rules, FY_ARITH_DOUBLE, 53, err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, job->xbar, job->order, err);
    m->abs_terms = 1;
    for (l = 1; l <= m->L && status == FY_OK; l++)
    {
        for (i = 0; i < m->W[l].len; i++)
            fy_numvec_d(m->W + l)[i] = fabs(fy_numvec_d(m->W + l)[i]);
        if (l < m->L)
            for (i = 0; i < m->s[l].len; i++)
                fy_numvec_d(m->s + l)[i] = fabs(fy_numvec_d(m->s + l)[i]);
    }
    if (status == FY_OK)
    {
        if (job->mode == MODE_ENTRY &&
            fy_mlp_tensor_bytes(m, m->width[0], job->order) > ((size_t) 1 << 28))
            status = fy_mlp_entry(scale, m, 0, job->idx, job->order, err);
        else if (job->mode == MODE_DIR)
        {
            fy_numvec_t va;
            fy_numvec_init(va, FY_ARITH_DOUBLE, 0, 53, NULL);
            status = fy_numvec_convert(va, FY_ARITH_DOUBLE, 53, job->v, err);
            for (i = 0; i < va->len && status == FY_OK; i++)
                fy_numvec_d(va)[i] = fabs(fy_numvec_d(va)[i]);
            if (status == FY_OK)
                status = fy_mlp_directional(scale, m, 0, va, job->order, err);
            fy_numvec_clear(va);
        }
        else
        {
            fy_symtensor_t T;
            fy_symtensor_init(T, FY_ARITH_DOUBLE, 1, 0, 53, NULL);
            status = fy_mlp_tensor(T, m, 0, job->order, err);
            if (status == FY_OK)
            {
                /* the interpolation of the jet route mixes the entries: one scale for all,
                 * the largest over the tensor */
                double mx = 0;
                for (i = 0; i < T->e.len; i++)
                    mx = fmax(mx, fy_numvec_d(&T->e)[i]);
                fy_numvec_clear(scale);
                status = fy_numvec_init(scale, FY_ARITH_DOUBLE,
                                        job->mode == MODE_ENTRY ? 1 : T->e.len, 53, err);
                for (i = 0; i < scale->len && status == FY_OK; i++)
                    fy_numvec_d(scale)[i] = mx;
            }
            fy_symtensor_clear(T);
        }
    }
    fy_mlp_clear(m);
    return status;
}

/* Runs every route; the chosen arithmetic's fused result is route 0 (a copy of res). */
static int run_check(check_t *c, const fy_numvec_t res, const job_t *job, fy_arith_t arith,
                     slong prec, int progress, fy_error_t err)
{
    fy_mlp_t m;
    fy_diagram_list_t list;
    fy_numvec_t vals;
    fy_progress_t pr;
    fy_error_t e2;
    char why[1200];
    int r, i, j, status = FY_OK, ar, a3[3] = {FY_ARITH_EXACT, FY_ARITH_BALL, FY_ARITH_DOUBLE};
    int first[3] = {-1, -1, -1};

    fy_mlp_init(m);
    fy_error_init(e2);
    c->scale = calloc(1, sizeof(fy_numvec_struct));
    if (c->scale != NULL)
    {
        fy_numvec_init(c->scale, FY_ARITH_DOUBLE, 0, 53, NULL);
        if (abs_scale(c->scale, job, e2) != FY_OK)
        {
            fy_numvec_clear(c->scale);
            free(c->scale);
            c->scale = NULL;
        }
    }
    r = add_route(c, "fused", arith, prec);
    status = fy_numvec_set(c->val[r], res, err);
    /* the other arithmetics by the fused recursion */
    for (ar = 0; ar < 3 && status == FY_OK; ar++)
    {
        static const char *names[3] = {"fused/exact", "fused/ball", "fused/double"};
        if ((fy_arith_t) a3[ar] == arith)
            continue;
        r = add_route(c, names[ar], (fy_arith_t) a3[ar], prec);
        fy_error_init(e2);
        if (fused(c->val[r], job, (fy_arith_t) a3[ar], prec, m, e2) != FY_OK)
        {
            char msg[1300];
            snprintf(msg, sizeof msg, "%s: %s", names[ar], e2->msg);
            skip(c, "%s", msg);
            drop_route(c);
        }
    }
    /* the jet route in the chosen arithmetic */
    why[0] = '\0';
    r = add_route(c, "jet", arith, prec);
    fy_error_init(e2);
    if (jet_route(c->val[r], job, arith, prec, why, sizeof why, e2) != FY_OK || why[0]
        || double_finite(c->val[r], "jet", job->order, e2) != FY_OK)
    {
        skip(c, "jet: %s", why[0] ? why : e2->msg);
        drop_route(c);
    }
    /* the diagram route in the chosen arithmetic */
    {
        double work = 1;
        slong len = res->len;
        for (i = 2; i <= job->order; i++)
            work *= i;
        work *= (double) len;
        fy_diagram_list_init(list);
        fy_numvec_init(vals, arith, 0, prec, NULL);
        if (job->order < 1)
            skip(c, "%s", "diagrams: order 0 has no diagrams");
        else if (job->mode == MODE_TENSOR && work > CHECK_MAX_DIAGRAM_WORK)
        {
            snprintf(why, sizeof why, "the order-%d tensor has %ld entries (x %d! leaf "
                     "labellings per diagram): too slow per diagram; check --entry or "
                     "--direction instead", job->order, (long) len, job->order);
            skip(c, "diagrams: %s", why);
        }
        else
        {
            status = fy_mlp_set_net(m, job->net, job->rules, arith, prec, err);
            if (status == FY_OK)
                status = fy_mlp_set_point(m, job->xbar, job->order, err);
            r = add_route(c, "diagrams", arith, prec);
            fy_progress_init(pr, "diagrams", 1, progress);
            if (status == FY_OK)
            {
                fy_error_init(e2);
                if (fy_enum_mlp_trees(list, job->order, m->L - 1, e2) == FY_OK)
                    fy_progress_init(pr, "diagrams", (double) list->n, progress);
                fy_diagram_list_clear(list);
                fy_diagram_list_init(list);
                status = diagrams(c->val[r], vals, list, m, job, pr, err);
            }
            fy_progress_clear(pr);
            if (status == FY_EUNSUPPORTED && arith == FY_ARITH_DOUBLE)
            {
                skip(c, "%s", err->msg); /* overflow: the other routes still compare */
                fy_error_init(err);
                status = FY_OK;
                drop_route(c);
            }
            else if (status != FY_OK)
                drop_route(c);
        }
        fy_numvec_clear(vals);
        fy_diagram_list_clear(list);
    }
    fy_mlp_clear(m);
    if (status != FY_OK)
        return status;
    /* comparisons: every route of the chosen arithmetic against the fused one; the first
     * route of each arithmetic against the others: ball contains exact, double near ball */
    for (i = 0; i < c->n; i++)
        for (ar = 0; ar < 3; ar++)
            if ((int) c->val[i]->arith == a3[ar] && first[ar] < 0)
                first[ar] = i;
    for (i = 1; i < c->n; i++)
        if (c->val[i]->arith == arith)
            compare(c, 0, i);
    for (i = 0; i < c->n; i++)
        for (j = 0; j < c->n; j++)
        {
            fy_arith_t ai = c->val[i]->arith, aj = c->val[j]->arith;
            if (i == j || ai == aj || (i != 0 && i != first[0] && i != first[1] && i != first[2]
                                       && j != 0 && j != first[0] && j != first[1]
                                       && j != first[2]))
                continue;
            if ((ai == FY_ARITH_EXACT && aj == FY_ARITH_BALL) ||
                (ai == FY_ARITH_BALL && aj == FY_ARITH_DOUBLE))
                compare(c, i, j);
        }
    return FY_OK;
}

static void check_clear(check_t *c)
{
    while (c->n > 0)
        drop_route(c);
    if (c->scale != NULL)
    {
        fy_numvec_clear(c->scale);
        free(c->scale);
        c->scale = NULL;
    }
}

static int check_agree(const check_t *c, double *worst)
{
    int i, ok = 1;
    *worst = 0;
    for (i = 0; i < c->ncmp; i++)
    {
        ok &= c->cmp[i].agree;
        if (c->cmp[i].diff > *worst)
            *worst = c->cmp[i].diff;
    }
    return ok;
}

/* The check report as the "check" member of the JSON document. */
static json_t *check_json(const check_t *c)
{
    double worst;
    int i, ok = check_agree(c, &worst);
    json_t *j = json_object(), *routes = json_array(), *cmp = json_array(),
           *skip = json_array();
    json_object_set_new(j, "agree", json_boolean(ok));
    json_object_set_new(j, "max_discrepancy", jnum(worst));
    json_object_set_new(j, "tol", jnum(c->tol));
    for (i = 0; i < c->n; i++)
    {
        json_t *r = json_object();
        json_object_set_new(r, "name", jstr(c->name[i]));
        json_object_set_new(r, "arith", json_string(fy_arith_name(c->val[i]->arith)));
        json_array_append_new(routes, r);
    }
    for (i = 0; i < c->ncmp; i++)
    {
        json_t *r = json_object();
        json_object_set_new(r, "a", jstr(c->name[c->cmp[i].a]));
        json_object_set_new(r, "b", jstr(c->name[c->cmp[i].b]));
        json_object_set_new(r, "test", jstr(c->cmp[i].how));
        json_object_set_new(r, "max_abs_diff", jnum(c->cmp[i].diff));
        json_object_set_new(r, "agree", json_boolean(c->cmp[i].agree));
        json_array_append_new(cmp, r);
    }
    for (i = 0; i < c->nskip; i++)
        json_array_append_new(skip, jstr(c->skipped[i]));
    json_object_set_new(j, "routes", routes);
    json_object_set_new(j, "comparisons", cmp);
    json_object_set_new(j, "skipped", skip);
    return j;
}

static void print_check(FILE *fp, const check_t *c)
{
    double worst;
    int i, ok = check_agree(c, &worst);
    fprintf(fp, "# check: %d routes, %d comparisons, largest discrepancy %.3g: %s\n", c->n,
            c->ncmp, worst, ok ? "all agree" : "DISAGREEMENT");
    for (i = 0; i < c->ncmp; i++)
        fprintf(fp, "#   %-14s vs %-14s %-22s max |diff| %-10.3g %s\n", c->name[c->cmp[i].a],
                c->name[c->cmp[i].b], c->cmp[i].how, c->cmp[i].diff,
                c->cmp[i].agree ? "ok" : "DISAGREE");
    for (i = 0; i < c->nskip; i++)
        fprintf(fp, "#   skipped: %s\n", c->skipped[i]);
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
    fy_numvec_init(dd, FY_ARITH_DOUBLE, 0, 53, NULL);
    /* the sorted entries as doubles (midpoints, nearest doubles) */
    status = fy_numvec_convert(dd, FY_ARITH_DOUBLE, 53, res, err);
    if (status == FY_OK && res->arith == FY_ARITH_DOUBLE)
        status = double_finite(dd, "npy", order, err);
    for (i = 0; status == FY_OK && i < dd->len; i++)
        if (!isfinite(fy_numvec_d(dd)[i]))
            status = fy_error_set(err, FY_EUNSUPPORTED, "npy: value %ld lies beyond the "
                                  "float64 range of .npy (about 1.8e308); use --format json",
                                  (long) i);
    if (status == FY_OK && mode == MODE_TENSOR)
    {
        fy_mindex_t ix;
        int idx[FY_IO_MAX_DIMS], srt[FY_IO_MAX_DIMS], p, q;
        if (order > FY_IO_MAX_DIMS)
            status = fy_error_set(err, FY_EINPUT, "npy: an order-%d tensor has %d axes, .npy "
                                  "output here takes at most %d (use json)", order, order,
                                  FY_IO_MAX_DIMS);
        for (k = 0; k < order; k++)
            shape[k] = (size_t) d;
        if (status == FY_OK)
            status = fy_npy_set_shape(a, order, shape, err);
        if (status == FY_OK)
            status = fy_mindex_init(ix, d, order > 0 ? order : 1, err);
        if (status == FY_OK)
        {
            /* every dense position (row-major) reads its sorted multi-index */
            for (k = 0; k < order; k++)
                idx[k] = 0;
            for (i = 0; i < (slong) a->numel; i++)
            {
                for (p = 0; p < order; p++)
                {
                    int v = idx[p];
                    for (q = p; q > 0 && srt[q - 1] > v; q--)
                        srt[q] = srt[q - 1];
                    srt[q] = v;
                }
                a->data[i] = fy_numvec_d(dd)[order > 0 ? fy_mindex_rank(ix, srt, order) : 0];
                for (p = order - 1; p >= 0 && ++idx[p] == d; p--)
                    idx[p] = 0;
            }
            fy_mindex_clear(ix);
        }
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
            bad |= json_object_set_new(root, "model", jstr(model));
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
                bad |= json_object_set_new(e, "value", jstr(s));
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

int fy_cmd_taylor(int argc, char **argv)
{
    const char *model = NULL, *at = NULL, *dirf = NULL, *entry = NULL, *out = "-";
    int order = -1, per = 0, check = 0, fmt = FY_FMT_TEXT, i, k, status = FY_OK, rc = 0;
    int idx[FY_MLP_MAX_TENSOR_ORDER + 1], nidx = 0, symbolic = 0, progress = -1, json, mode;
    fy_arith_t arith = FY_ARITH_DOUBLE;
    slong prec = 128, digits = -1, prec_used = 0, rel_bits = 0;
    double tol = DEFAULT_TOL;
    fy_error_t err;
    fy_net_opts_t opts;
    fy_net_t net;
    fy_rules_t rules;
    fy_mlp_t m;
    fy_numvec_t xbar, v, res, vals, sum;
    fy_diagram_list_t list;
    fy_ofile_t of;
    check_t chk;
    job_t job;
    FILE *fp;
    char *end;

    fy_error_init(err);
    fy_net_opts_init(opts);
    memset(&chk, 0, sizeof chk);
    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
        {
            usage(stdout);
            return 0;
        }
        else if (!strcmp(a, "--per-diagram"))
            per = 1;
        else if (!strcmp(a, "--check"))
            check = 1;
        else if (!strcmp(a, "--progress"))
            progress = 1;
        else if (!strcmp(a, "--no-progress"))
            progress = 0;
        else if (a[0] == '-' && a[1] != '\0' && !has)
            return fy_cli_usage_error(CMD, "option %s needs a value", a);
        else if (!strcmp(a, "--order"))
        {
            long x = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || x < 0 || x > FY_MLP_MAX_ORDER)
                return fy_cli_usage_error(CMD, "--order: an integer 0..%d, not '%s'",
                                          FY_MLP_MAX_ORDER, argv[i]);
            order = (int) x;
        }
        else if (!strcmp(a, "--at"))
            at = argv[++i];
        else if (!strcmp(a, "--direction"))
            dirf = argv[++i];
        else if (!strcmp(a, "--entry"))
            entry = argv[++i];
        else if (!strcmp(a, "--digits"))
        {
            digits = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || digits < 1 || digits > 100000)
                return fy_cli_usage_error(CMD, "--digits: an integer 1..100000, not '%s'",
                                          argv[i]);
        }
        else if (!strcmp(a, "--tol"))
        {
            tol = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(tol >= 0))
                return fy_cli_usage_error(CMD, "--tol: a number >= 0, not '%s'", argv[i]);
        }
        else if (!strcmp(a, "-o"))
            out = argv[++i];
        else if (!strcmp(a, "--activation"))
            opts->activation = argv[++i];
        else if (!strcmp(a, "--format"))
        {
            fmt = fy_cli_parse_format(CMD, argv[++i], 1u << FY_FMT_TEXT | 1u << FY_FMT_JSON |
                                                          1u << FY_FMT_NPY);
            if (fmt < 0)
                return 2;
        }
        else if (!strcmp(a, "--arith"))
        {
            const char *s = argv[++i];
            if (!strcmp(s, "double"))
                arith = FY_ARITH_DOUBLE;
            else if (!strcmp(s, "exact"))
                arith = FY_ARITH_EXACT;
            else if (!strcmp(s, "symbolic"))
            {
                arith = FY_ARITH_EXACT;
                symbolic = 1;
            }
            else if (!strncmp(s, "ball", 4) && (s[4] == '\0' || s[4] == ':'))
            {
                arith = FY_ARITH_BALL;
                if (s[4] == ':')
                {
                    prec = strtol(s + 5, &end, 10);
                    if (*end || end == s + 5)
                        return fy_cli_usage_error(CMD, "--arith '%s': the precision after "
                                                  "'ball:' must be a whole number of bits, "
                                                  "16..1000000 (e.g. ball:256)", s);
                }
                if (prec < 16 || prec > 1000000)
                    return fy_cli_usage_error(CMD, "ball precision '%s' outside 16..1000000", s);
            }
            else
                return fy_cli_usage_error(CMD, "--arith: double, ball[:BITS], exact or "
                                          "symbolic, not '%s'", s);
        }
        else if (a[0] == '-' && a[1] != '\0')
            return fy_cli_usage_error(CMD, "unknown option '%s'", a);
        else if (model == NULL)
            model = a;
        else
            return fy_cli_usage_error(CMD, "more than one model: '%s'", a);
    }
    if (model == NULL || order < 0)
        return fy_cli_usage_error(CMD, "a MODEL and --order N are required");
    if (entry != NULL)
    {
        const char *p = entry;
        while (*p && nidx <= FY_MLP_MAX_TENSOR_ORDER)
        {
            long x = strtol(p, &end, 10);
            if (end == p || x < 0 || x > 1000000000L)
                return fy_cli_usage_error(CMD, "--entry: indices like 0,2,2, not '%s'", entry);
            idx[nidx++] = (int) x;
            if (*end != ',' && *end != '\0')
                return fy_cli_usage_error(CMD, "--entry: indices like 0,2,2, not '%s'", entry);
            p = *end == ',' ? end + 1 : end;
        }
        if (nidx != order)
            return fy_cli_usage_error(CMD, "--entry has %d indices, --order is %d", nidx, order);
    }
    if (entry != NULL && dirf != NULL)
        return fy_cli_usage_error(CMD, "--entry and --direction exclude each other");
    if (per && entry == NULL && dirf == NULL)
        return fy_cli_usage_error(CMD, "--per-diagram needs --entry or --direction");
    if (symbolic && (entry || dirf || per || check || fmt == FY_FMT_NPY || digits > 0))
        return fy_cli_usage_error(CMD, "--arith symbolic gives the whole tensor in text or "
                                  "json only (no --entry, --direction, --per-diagram, --check, "
                                  "--digits, npy)");
    if (digits > 0 && arith == FY_ARITH_EXACT)
        return fy_cli_usage_error(CMD, "--digits applies to ball and double results (exact "
                                  "results are printed in full)");
    if (fmt == FY_FMT_NPY && per)
        return fy_cli_usage_error(CMD, "--per-diagram is not available with --format npy");
    if (fmt == FY_FMT_NPY && check && !strcmp(out, "-"))
        return fy_cli_usage_error(CMD, "--check with --format npy needs -o FILE (the report "
                                  "goes to standard output)");
    if (order > FY_MLP_MAX_TENSOR_ORDER && dirf == NULL)
        return fy_cli_usage_error(CMD, "tensors and entries go up to order %d; use "
                                  "--direction for higher orders", FY_MLP_MAX_TENSOR_ORDER);
    json = fmt == FY_FMT_JSON;
    mode = entry ? MODE_ENTRY : dirf ? MODE_DIR : MODE_TENSOR;

    fy_rules_init(rules);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 0, 128, NULL);
    fy_numvec_init(v, FY_ARITH_EXACT, 0, 128, NULL);
    fy_numvec_init(res, arith, 0, prec, NULL);
    fy_numvec_init(vals, arith, 0, prec, NULL);
    fy_numvec_init(sum, arith, 0, prec, NULL);
    fy_diagram_list_init(list);
    chk.tol = tol;
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = fy_net_load(net, model, opts, err);
    if (status == FY_OK && symbolic)
    {
        status = fy_ofile_open(of, out, err);
        if (status == FY_OK)
        {
            status = run_symbolic(model, net, rules, order, json, of->fp, err);
            if (status == FY_OK)
                status = fy_ofile_commit(of, err);
            else
                fy_ofile_abort(of);
        }
        if (status != FY_OK)
            rc = fy_cli_fail(CMD, err);
        goto done;
    }
    if (status == FY_OK && at != NULL)
        status = read_vec(xbar, at, (int) net->widths[0], err);
    if (status == FY_OK && dirf != NULL)
        status = read_vec(v, dirf, (int) net->widths[0], err);
    if (status == FY_OK && entry != NULL)
        for (k = 0; k < nidx; k++)
            if (idx[k] >= (int) net->widths[0])
            {
                status = fy_error_set(err, FY_EINPUT, "--entry: index %d outside 0..%d", idx[k],
                                      (int) net->widths[0] - 1);
                break;
            }
    job.net = net;
    job.rules = rules;
    job.xbar = at ? xbar : NULL;
    job.v = v;
    job.idx = idx;
    job.mode = mode;
    job.order = order;
    job.progress = progress;
    job.opts = opts;
    if (status == FY_OK)
    {
        if (arith == FY_ARITH_BALL && digits > 0)
        {
            /* certified digits: rerun at rising precision (fy_ball_refine) */
            refine_t rd;
            fy_numvec_t tmp;
            slong nout, want = (slong) ceil(digits * 3.3219280948873622) + 4;
            fy_numvec_init(tmp, FY_ARITH_BALL, 0, prec, NULL);
            rd.job = &job;
            rd.m = m;
            rd.tmp = tmp;
            /* the number of outputs: one cheap run at the starting precision */
            status = fused(res, &job, FY_ARITH_BALL, prec, m, err);
            nout = res->len;
            if (status == FY_OK)
                status = fy_ball_refine(fy_numvec_arb(res), nout, refine_eval, &rd, prec,
                                        prec > 1 << 16 ? prec : 1 << 16, want, &prec_used,
                                        &rel_bits, err);
            if (status == FY_ECHECK)
                fprintf(stderr, "feynn taylor: warning: %s; printing the digits certified\n",
                        err->msg);
            if (status == FY_ECHECK)
                status = FY_OK;
            fy_numvec_clear(tmp);
            if (status == FY_OK)
            {
                prec = prec_used;
                res->prec = prec;
                status = fy_mlp_set_net(m, net, rules, FY_ARITH_BALL, prec, err);
                if (status == FY_OK)
                    status = fy_mlp_set_point(m, job.xbar, order, err);
            }
        }
        else
            status = fused(res, &job, arith, prec, m, err);
    }
    if (status == FY_OK && per && order >= 1)
    {
        fy_progress_t pr;
        fy_progress_init(pr, "diagrams", 1, 0);
        status = diagrams(sum, vals, list, m, &job, pr, err);
    }
    if (status == FY_OK && check)
        status = run_check(&chk, res, &job, arith, prec, progress, err);
    if (status == FY_OK && fmt == FY_FMT_NPY)
    {
        if (arith == FY_ARITH_EXACT)
            fprintf(stderr, "feynn taylor: note: npy holds float64; the exact rationals are "
                    "written as their nearest doubles\n");
        else if (arith == FY_ARITH_BALL)
            fprintf(stderr, "feynn taylor: note: npy holds float64; the balls are written as "
                    "their midpoints\n");
        status = write_npy(out, res, m, mode, order, err);
        if (status == FY_OK && check)
        {
            double worst;
            print_check(stdout, &chk);
            if (!check_agree(&chk, &worst))
                rc = 1;
        }
        if (status != FY_OK)
            rc = fy_cli_fail(CMD, err);
        goto done;
    }
    if (status == FY_OK)
        status = fy_ofile_open(of, out, err);
    if (status != FY_OK)
    {
        rc = fy_cli_fail(CMD, err);
        goto done;
    }
    fp = of->fp;
    if (json)
    {
        json_t *root = json_object(), *a;
        const char *mname = mode == MODE_TENSOR ? "tensor"
                            : mode == MODE_ENTRY ? "entry" : "direction";
        int bad = 0;
        bad |= json_object_set_new(root, "command", json_string("taylor"));
        bad |= json_object_set_new(root, "model", jstr(model));
        bad |= json_object_set_new(root, "order", json_integer(order));
        bad |= json_object_set_new(root, "arith", json_string(fy_arith_name(arith)));
        bad |= json_object_set_new(root, "prec", json_integer(prec));
        bad |= json_object_set_new(root, "dim", json_integer(m->width[0]));
        bad |= json_object_set_new(root, "mode", json_string(mname));
        bad |= json_object_set_new(root, "notes", jstr(m->notes));
        if (arith == FY_ARITH_BALL && digits > 0)
        {
            bad |= json_object_set_new(root, "digits", json_integer(digits));
            bad |= json_object_set_new(root, "rel_bits_reached", json_integer(rel_bits));
        }
        if (mode != MODE_TENSOR)
        {
            a = json_array();
            for (k = 0; k < res->len; k++)
                bad |= json_array_append_new(a, jval(res, k, digits));
            bad |= json_object_set_new(root, entry ? "entry" : "coefficients", a);
            if (entry)
                bad |= json_object_set_new(root, "index", jints(idx, nidx));
        }
        else
        {
            int *ix = calloc((size_t) order + 1, sizeof(int));
            slong r = 0;
            a = json_array();
            do
            {
                json_t *e = json_object();
                bad |= json_object_set_new(e, "index", jints(ix, order));
                bad |= json_object_set_new(e, "value", jval(res, r, digits));
                bad |= json_array_append_new(a, e);
                r++;
            } while (ix != NULL && order > 0 && fy_multiindex_next(ix, m->width[0], order));
            bad |= ix == NULL;
            free(ix);
            bad |= json_object_set_new(root, "entries", a);
        }
        if (per && order >= 1)
        {
            long *perm = calloc((size_t) list->n + 1, sizeof(long));
            a = json_array();
            bad |= perm == NULL;
            if (perm != NULL)
                (void) fy_eval_rank(perm, vals, err);
            for (i = 0; perm != NULL && i < list->n; i++)
            {
                fy_diagram_struct *d = list->d + perm[i];
                char *shape = fy_diagram_shape_string(d);
                json_t *e = json_object();
                bad |= json_object_set_new(e, "rank", json_integer(i + 1));
                bad |= json_object_set_new(e, "canon", jstr(d->canon ? d->canon : ""));
                bad |= json_object_set_new(e, "shape", jstr(shape ? shape : ""));
                bad |= json_object_set_new(e, "aut", json_integer(fmpz_get_si(d->aut)));
                bad |= json_object_set_new(e, "value", jval(vals, perm[i], digits));
                bad |= json_array_append_new(a, e);
                free(shape);
            }
            free(perm);
            bad |= json_object_set_new(root, "diagrams", a);
        }
        if (check)
        {
            double worst;
            bad |= json_object_set_new(root, "check", check_json(&chk));
            if (!check_agree(&chk, &worst))
                rc = 1;
        }
        if (jdump(root, bad, fp, err) != FY_OK)
        {
            fy_ofile_abort(of);
            rc = fy_cli_fail(CMD, err);
            goto done;
        }
    }
    else
    {
        if (m->notes[0])
            fprintf(fp, "# note: %s\n", m->notes);
        if (arith == FY_ARITH_BALL)
            fprintf(fp, "# ball arithmetic at %ld bits%s\n", (long) prec,
                    digits > 0 ? " (raised until the digits asked for are certified)" : "");
        if (mode != MODE_TENSOR)
            for (k = 0; k < res->len; k++)
            {
                if (entry)
                    fprintf(fp, "d^%d F / dx[%s] = ", order, entry);
                else
                    fprintf(fp, "c_%d = ", k);
                put_val(fp, res, k, digits);
                fprintf(fp, "\n");
            }
        else
        {
            int *ix = calloc((size_t) order + 1, sizeof(int));
            slong r = 0;
            fy_progress_t pr;
            fy_progress_init(pr, "writing", (double) res->len,
                             res->len > 100000 ? progress : 0);
            do
            {
                for (k = 0; k < order; k++)
                    fprintf(fp, "%s%d", k ? " " : "", ix[k]);
                fprintf(fp, "%s", order ? ": " : "value: ");
                put_val(fp, res, r, digits);
                fprintf(fp, "\n");
                r++;
                if ((r & 4095) == 0)
                    fy_progress_update(pr, (double) r);
            } while (order > 0 && fy_multiindex_next(ix, m->width[0], order));
            fy_progress_clear(pr);
            free(ix);
        }
        if (per && order >= 1)
        {
            long *perm = calloc((size_t) list->n + 1, sizeof(long));
            fy_eval_rank(perm, vals, err);
            fprintf(fp, "# contributions of the %ld diagrams, largest first (sum ", list->n);
            put_val(fp, sum, 0, digits);
            fprintf(fp, ")\n");
            for (i = 0; i < list->n; i++)
            {
                fy_diagram_struct *d = list->d + perm[i];
                char *shape = fy_diagram_shape_string(d);
                fprintf(fp, "%3d  |Aut| %-4ld ", i + 1, fmpz_get_si(d->aut));
                put_val(fp, vals, perm[i], digits);
                fprintf(fp, "   %s\n", shape ? shape : "");
                free(shape);
            }
            free(perm);
        }
        if (check)
        {
            double worst;
            print_check(fp, &chk);
            if (!check_agree(&chk, &worst))
                rc = 1;
        }
    }
    if (fy_ofile_commit(of, err) != FY_OK)
        rc = fy_cli_fail(CMD, err);
done:
    check_clear(&chk);
    fy_diagram_list_clear(list);
    fy_numvec_clear(xbar);
    fy_numvec_clear(v);
    fy_numvec_clear(res);
    fy_numvec_clear(vals);
    fy_numvec_clear(sum);
    fy_mlp_clear(m);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return rc;
}
