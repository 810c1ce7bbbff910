/* feynn taylor: derivative tensors, entries and directional Taylor coefficients of an MLP.
 *
 *   feynn taylor MODEL --order N [--at FILE] [--direction FILE] [--entry i,j,k]
 *                [--arith double|ball[:BITS]|exact] [--digits D] [--per-diagram] [--check]
 *                [--format text|json] [-o FILE] [--activation A[,B..]]
 *
 * Vectors (--at, --direction) are files of whitespace-separated numbers, read exactly
 * ("0.1" is 1/10).  Without --entry or --direction the full order-N tensor is printed, one
 * sorted multi-index per line.  --per-diagram lists every diagram's contribution (entry or
 * direction), largest first; --check compares the sum over diagrams with the fused
 * recursion and exits 1 when they disagree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "feynn/enumerate.h"
#include "feynn/eval.h"
#include "feynn/io.h"
#include "feynn/mlp.h"
#include "feynn/num.h"
#include "feynn/rules.h"
#include "feynn/series.h"
#include "feynn/util.h"

#define CMD "taylor"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: feynn taylor MODEL --order N [options]\n"
            "\n"
            "Derivative tensors d^N F at the expansion point (sorted multi-indices), single\n"
            "entries, and Taylor coefficients along a direction, by the fused layer recursion;\n"
            "per diagram on request.\n"
            "\n"
            "  --order N                 derivative order (tensors up to %d; directions any)\n"
            "  --at FILE                 expansion point (numbers, exact); default 0\n"
            "  --direction FILE          Taylor coefficients c_0..c_N along this vector\n"
            "  --entry i,j,...           one entry (N indices, 0-based)\n"
            "  --arith A                 double (default), ball[:BITS] (certified digits), exact\n"
            "  --digits D                digits printed for balls (default 20)\n"
            "  --per-diagram             contributions of every diagram, largest first\n"
            "  --check                   compare the diagrams' sum with the fused recursion\n"
            "  --format text|json        output format (default text)\n"
            "  -o FILE                   write to FILE (atomically) instead of stdout\n"
            "  --activation A[,B,...]    activations when the model file does not name them\n",
            FY_MLP_MAX_TENSOR_ORDER);
}

static int read_vec(fy_numvec_t v, const char *path, int n, fy_error_t err)
{
    char *text = NULL, *p, *tok;
    size_t len;
    int i = 0, status = fy_file_read(&text, &len, path, 1 << 26, err);
    fmpq_t q;
    if (status != FY_OK)
        return status;
    fmpq_init(q);
    status = fy_numvec_init(v, FY_ARITH_EXACT, n, 128, err);
    for (p = text; status == FY_OK && (tok = strtok(p, " \t\r\n,")) != NULL; p = NULL)
    {
        if (i >= n)
        {
            status = fy_error_set(err, FY_EINPUT, "%s: more than %d numbers", path, n);
            break;
        }
        status = fy_fmpq_parse(q, tok, err);
        if (status != FY_OK)
            fy_error_prefix(err, "%s: number %d: ", path, i + 1);
        else
            fmpq_set(fy_numvec_fmpq(v) + i++, q);
    }
    if (status == FY_OK && i != n)
        status = fy_error_set(err, FY_EINPUT, "%s: %d numbers, the network has %d inputs", path,
                              i, n);
    fmpq_clear(q);
    free(text);
    return status;
}

static void put_val(FILE *fp, const fy_numvec_t v, slong i, int json, slong digits)
{
    char *s;
    if (json && v->arith == FY_ARITH_BALL)
    {
        arb_srcptr x = fy_numvec_arb(v) + i;
        arf_t r;
        char *mid = arf_get_str(arb_midref(x), digits), *rad;
        arf_init(r);
        arf_set_mag(r, arb_radref(x));
        rad = arf_get_str(r, 5);
        fprintf(fp, "{\"mid\": \"%s\", \"rad\": \"%s\"}", mid, rad);
        flint_free(mid);
        flint_free(rad);
        arf_clear(r);
        return;
    }
    s = fy_numvec_get_str(v, i, digits);
    if (json && v->arith == FY_ARITH_DOUBLE)
        fprintf(fp, "%s", s ? s : "null");
    else
        fprintf(fp, json ? "\"%s\"" : "%s", s ? s : "?");
    free(s);
}

/* Per-diagram contributions (entry idx or direction v) into vals; the list is filled. */
static int per_diagram(fy_numvec_t vals, fy_diagram_list_t list, const fy_mlp_t m, int n,
                       const int *idx, const fy_numvec_t v, fy_error_t err)
{
    fy_eval_model_t model;
    fy_eval_t ev;
    fy_numvec_t one;
    long i;
    int status = fy_enum_mlp_trees(list, n, m->L - 1, err);
    if (status != FY_OK)
        return status;
    fy_mlp_eval_model(model, m);
    fy_eval_init(ev, model);
    fy_numvec_init(one, m->arith, 0, m->prec, NULL);
    status = fy_numvec_init(vals, m->arith, list->n, m->prec, err);
    for (i = 0; i < list->n && status == FY_OK; i++)
    {
        status = idx ? fy_eval_tree_entry(one, ev, list->d + i, 0, idx, err)
                     : fy_eval_tree_directional(one, ev, list->d + i, 0, v, err);
        if (status == FY_OK)
            switch (m->arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(vals)[i] = fy_numvec_d(one)[0];
                break;
            case FY_ARITH_BALL:
                arb_set(fy_numvec_arb(vals) + i, fy_numvec_arb(one));
                break;
            default:
                fmpq_set(fy_numvec_fmpq(vals) + i, fy_numvec_fmpq(one));
            }
    }
    fy_numvec_clear(one);
    fy_eval_clear(ev);
    return status;
}

int fy_cmd_taylor(int argc, char **argv)
{
    const char *model = NULL, *at = NULL, *dirf = NULL, *entry = NULL, *out = "-";
    int order = -1, per = 0, check = 0, json = 0, i, k, status = FY_OK, rc = 0;
    int idx[FY_MLP_MAX_TENSOR_ORDER + 1], nidx = 0;
    fy_arith_t arith = FY_ARITH_DOUBLE;
    slong prec = 128, digits = 20;
    fy_error_t err;
    fy_net_opts_t opts;
    fy_net_t net;
    fy_rules_t rules;
    fy_mlp_t m;
    fy_numvec_t xbar, v, res, vals, ve;
    fy_symtensor_t T;
    fy_diagram_list_t list;
    fy_ofile_t of;
    FILE *fp;

    fy_error_init(err);
    fy_net_opts_init(opts);
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
        else if (a[0] == '-' && a[1] != '\0' && !has)
            return fy_cli_usage_error(CMD, "option %s needs a value", a);
        else if (!strcmp(a, "--order"))
            order = atoi(argv[++i]);
        else if (!strcmp(a, "--at"))
            at = argv[++i];
        else if (!strcmp(a, "--direction"))
            dirf = argv[++i];
        else if (!strcmp(a, "--entry"))
            entry = argv[++i];
        else if (!strcmp(a, "--digits"))
            digits = atol(argv[++i]);
        else if (!strcmp(a, "-o"))
            out = argv[++i];
        else if (!strcmp(a, "--activation"))
            opts->activation = argv[++i];
        else if (!strcmp(a, "--format"))
        {
            int f = fy_cli_parse_format(CMD, argv[++i], 1u << FY_FMT_TEXT | 1u << FY_FMT_JSON);
            if (f < 0)
                return 2;
            json = f == FY_FMT_JSON;
        }
        else if (!strcmp(a, "--arith"))
        {
            const char *s = argv[++i];
            if (!strcmp(s, "double"))
                arith = FY_ARITH_DOUBLE;
            else if (!strcmp(s, "exact"))
                arith = FY_ARITH_EXACT;
            else if (!strncmp(s, "ball", 4) && (s[4] == '\0' || s[4] == ':'))
            {
                arith = FY_ARITH_BALL;
                if (s[4] == ':')
                    prec = atol(s + 5);
                if (prec < 16 || prec > 1000000)
                    return fy_cli_usage_error(CMD, "ball precision '%s' outside 16..1000000", s);
            }
            else
                return fy_cli_usage_error(CMD, "--arith: double, ball[:BITS] or exact, not '%s'"
                                          " (symbolic is not implemented yet)", s);
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
        char *end;
        while (*p && nidx <= FY_MLP_MAX_TENSOR_ORDER)
        {
            long x = strtol(p, &end, 10);
            if (end == p || x < 0)
                return fy_cli_usage_error(CMD, "--entry: indices like 0,2,2, not '%s'", entry);
            idx[nidx++] = (int) x;
            p = *end == ',' ? end + 1 : end;
            if (*end != ',' && *end != '\0')
                return fy_cli_usage_error(CMD, "--entry: indices like 0,2,2, not '%s'", entry);
        }
        if (nidx != order)
            return fy_cli_usage_error(CMD, "--entry has %d indices, --order is %d", nidx, order);
    }
    if ((per || check) && entry == NULL && dirf == NULL)
        return fy_cli_usage_error(CMD, "--per-diagram and --check need --entry or --direction");

    fy_rules_init(rules);
    fy_net_init(net);
    fy_mlp_init(m);
    fy_numvec_init(xbar, FY_ARITH_EXACT, 0, 128, NULL);
    fy_numvec_init(v, FY_ARITH_EXACT, 0, 128, NULL);
    fy_numvec_init(res, arith, 0, prec, NULL);
    fy_numvec_init(vals, arith, 0, prec, NULL);
    fy_numvec_init(ve, arith, 0, prec, NULL);
    fy_symtensor_init(T, arith, 1, 0, prec, NULL);
    fy_diagram_list_init(list);
    status = fy_rules_load_default(rules, err);
    if (status == FY_OK)
        status = fy_net_load(net, model, opts, err);
    if (status == FY_OK)
        status = fy_mlp_set_net(m, net, rules, arith, prec, err);
    if (status == FY_OK && at != NULL)
        status = read_vec(xbar, at, m->width[0], err);
    if (status == FY_OK)
        status = fy_mlp_set_point(m, at ? xbar : NULL, order, err);
    if (status == FY_OK && dirf != NULL)
    {
        status = read_vec(v, dirf, m->width[0], err);
        if (status == FY_OK)
            status = fy_numvec_convert(ve, arith, prec, v, err);
    }
    if (status == FY_OK)
    {
        if (entry != NULL)
            status = fy_mlp_entry(res, m, 0, idx, order, err);
        else if (dirf != NULL)
            status = fy_mlp_directional(res, m, 0, ve, order, err);
        else
            status = fy_mlp_tensor(T, m, 0, order, err);
    }
    if (status == FY_OK && (per || check) && order >= 1)
        status = per_diagram(vals, list, m, order, entry ? idx : NULL, ve, err);
    if (status == FY_OK)
        status = fy_ofile_open(of, out, err);
    if (status != FY_OK)
    {
        rc = fy_cli_fail(CMD, err);
        goto done;
    }
    fp = of->fp;
    if (json)
        fprintf(fp, "{\"command\": \"taylor\", \"model\": \"%s\", \"order\": %d, \"arith\": \"%s\", "
                "\"prec\": %ld, \"notes\": \"%s\",\n", model, order, fy_arith_name(arith),
                (long) prec, m->notes);
    else if (m->notes[0])
        fprintf(fp, "# note: %s\n", m->notes);
    if (entry != NULL || dirf != NULL)
    {
        if (json)
            fprintf(fp, " \"%s\": [", entry ? "entry" : "coefficients");
        for (k = 0; k < res->len; k++)
        {
            if (json)
            {
                fprintf(fp, k ? ", " : "");
                put_val(fp, res, k, 1, digits);
            }
            else
            {
                if (entry)
                    fprintf(fp, "d^%d F / dx[%s] = ", order, entry);
                else
                    fprintf(fp, "c_%d = ", k);
                put_val(fp, res, k, 0, digits);
                fprintf(fp, "\n");
            }
        }
        if (json)
            fprintf(fp, "]");
    }
    else
    {
        int *ix = calloc((size_t) order + 1, sizeof(int));
        slong r = 0;
        if (json)
            fprintf(fp, " \"dim\": %d, \"entries\": [", m->width[0]);
        do
        {
            if (json)
            {
                fprintf(fp, "%s\n  {\"index\": [", r ? "," : "");
                for (k = 0; k < order; k++)
                    fprintf(fp, "%s%d", k ? ", " : "", ix[k]);
                fprintf(fp, "], \"value\": ");
                put_val(fp, &T->e, r, 1, digits);
                fprintf(fp, "}");
            }
            else
            {
                for (k = 0; k < order; k++)
                    fprintf(fp, "%s%d", k ? " " : "", ix[k]);
                fprintf(fp, "%s", order ? ": " : "value: ");
                put_val(fp, &T->e, r, 0, digits);
                fprintf(fp, "\n");
            }
            r++;
        } while (order > 0 && fy_multiindex_next(ix, m->width[0], order));
        free(ix);
        if (json)
            fprintf(fp, "\n ]");
    }
    if ((per || check) && order >= 1)
    {
        long *perm = calloc((size_t) list->n + 1, sizeof(long));
        fy_numvec_t sum, tgt;
        int agree;
        fy_eval_rank(perm, vals, err);
        if (per)
        {
            if (json)
                fprintf(fp, ",\n \"diagrams\": [");
            else
                fprintf(fp, "# contributions of the %ld diagrams, largest first\n", list->n);
            for (i = 0; i < list->n; i++)
            {
                fy_diagram_struct *d = list->d + perm[i];
                char *shape = fy_diagram_shape_string(d);
                if (json)
                {
                    fprintf(fp, "%s\n  {\"rank\": %d, \"canon\": \"%s\", \"aut\": %ld, "
                            "\"value\": ", i ? "," : "", i + 1, d->canon ? d->canon : "",
                            fmpz_get_si(d->aut));
                    put_val(fp, vals, perm[i], 1, digits);
                    fprintf(fp, "}");
                }
                else
                {
                    fprintf(fp, "%3d  |Aut| %-4ld ", i + 1, fmpz_get_si(d->aut));
                    put_val(fp, vals, perm[i], 0, digits);
                    fprintf(fp, "   %s\n", shape ? shape : "");
                }
                free(shape);
            }
            if (json)
                fprintf(fp, "\n ]");
        }
        /* the sum over diagrams against the fused result */
        fy_numvec_init(sum, arith, 1, prec, NULL);
        fy_numvec_init(tgt, arith, 1, prec, NULL);
        for (i = 0; i < list->n; i++)
            switch (arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(sum)[0] += fy_numvec_d(vals)[i];
                break;
            case FY_ARITH_BALL:
                arb_add(fy_numvec_arb(sum), fy_numvec_arb(sum), fy_numvec_arb(vals) + i, prec);
                break;
            default:
                fmpq_add(fy_numvec_fmpq(sum), fy_numvec_fmpq(sum), fy_numvec_fmpq(vals) + i);
            }
        switch (arith)
        {
        case FY_ARITH_DOUBLE:
            fy_numvec_d(tgt)[0] = fy_numvec_d(res)[entry ? 0 : order];
            agree = fy_numvec_max_abs_diff(sum, tgt) <=
                    1e-10 * (1 + fabs(fy_numvec_d(tgt)[0]));
            break;
        case FY_ARITH_BALL:
            arb_set(fy_numvec_arb(tgt), fy_numvec_arb(res) + (entry ? 0 : order));
            agree = arb_overlaps(fy_numvec_arb(sum), fy_numvec_arb(tgt));
            break;
        default:
            fmpq_set(fy_numvec_fmpq(tgt), fy_numvec_fmpq(res) + (entry ? 0 : order));
            agree = fmpq_equal(fy_numvec_fmpq(sum), fy_numvec_fmpq(tgt));
        }
        if (check)
        {
            if (json)
                fprintf(fp, ",\n \"check\": {\"diagrams\": %ld, \"agree\": %s, \"sum\": ",
                        list->n, agree ? "true" : "false");
            else
                fprintf(fp, "# check: sum over %ld diagrams = ", list->n);
            put_val(fp, sum, 0, json, digits);
            fprintf(fp, json ? "}" : (agree ? "  (agrees with the fused recursion)\n"
                                            : "  (DISAGREES with the fused recursion)\n"));
            if (!agree)
                rc = 1;
        }
        fy_numvec_clear(sum);
        fy_numvec_clear(tgt);
        free(perm);
    }
    if (json)
        fprintf(fp, "\n}\n");
    if (fy_ofile_commit(of, err) != FY_OK)
        rc = fy_cli_fail(CMD, err);
done:
    fy_diagram_list_clear(list);
    fy_symtensor_clear(T);
    fy_numvec_clear(xbar);
    fy_numvec_clear(v);
    fy_numvec_clear(res);
    fy_numvec_clear(vals);
    fy_numvec_clear(ve);
    fy_mlp_clear(m);
    fy_net_clear(net);
    fy_rules_clear(rules);
    return rc;
}
