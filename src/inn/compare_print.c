/* compare_print.c - the comparison of a trained network with its theory as text and JSON
 * (doc/schema/inn-compare.schema.json). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "inn/compare_internal.h"

static const char *const nn_names[4] = {"k(i,j)", "k(i,i,j)", "k(i,i,j,j)", "k(i,i,i,j)"};

static const char *norm_name(fy_inn_norm_t v)
{
    return v == FY_INN_NORM_YES ? "yes" : v == FY_INN_NORM_NO ? "no" : "undecided";
}

static const char *truth_name(fy_inn_truth_source_t t)
{
    return t == FY_INN_TRUTH_RUN ? "independent run"
           : t == FY_INN_TRUTH_QUADRATURE ? "quadrature"
                                          : "data";
}

static json_t *cumulant_rows(const fy_inn_compare_t C, int nn)
{
    json_t *a = json_array();
    int k;
    for (k = 0; k < 4; k++)
    {
        json_t *o = json_object();
        const double *dv = nn ? C->data.nn : C->data.site, *ds = nn ? C->data.nn_se
                                                                   : C->data.site_se;
        const double *mv = nn ? C->model.nn : C->model.site, *ms = nn ? C->model.nn_se
                                                                    : C->model.site_se;
        const double *tv = nn ? C->truth.nn : C->truth.site, *ts = nn ? C->truth.nn_se
                                                                    : C->truth.site_se;
        const double *tr = nn ? C->tree_nn : C->tree_site;
        json_object_set_new(o, "order", json_integer(k + 1));
        if (nn)
            json_object_set_new(o, "name", json_string(nn_names[k]));
        json_object_set_new(o, "data", fy_json_number(dv[k]));
        json_object_set_new(o, "data_se", fy_json_number(ds[k]));
        json_object_set_new(o, "model", fy_json_number(mv[k]));
        json_object_set_new(o, "model_se", fy_json_number(ms[k]));
        json_object_set_new(o, "truth", fy_json_number(tv[k]));
        json_object_set_new(o, "truth_se", fy_json_number(ts[k]));
        json_object_set_new(o, "tree", fy_json_number(C->tree_ok ? tr[k] : NAN));
        json_object_set_new(o, "z_data", fy_json_number(C->z_data[4 * nn + k]));
        json_object_set_new(o, "z_truth", fy_json_number(C->z_truth[4 * nn + k]));
        json_array_append_new(a, o);
    }
    return a;
}

json_t *_fy_inn_compare_json_obj(const fy_inn_compare_t C, const char *model,
                                 const char *theory)
{
    json_t *root = json_object(), *t = json_array(), *cp = json_object(), *lk = json_object();
    json_t *cu, *cz = json_array(), *nm = json_object();
    int k;
    if (root == NULL)
        return NULL;
    json_object_set_new(root, "command", json_string("inn compare"));
    json_object_set_new(root, "model", model ? json_string(model) : json_null());
    json_object_set_new(root, "theory", theory ? json_string(theory) : json_null());
    json_object_set_new(root, "dim", json_integer(C->d));
    json_object_set_new(root, "order", json_integer(C->K));
    json_object_set_new(root, "convention", json_string("Gamma^(k) = d^k S(0), S = ln p"));
    for (k = 1; k <= C->K; k++)
    {
        json_t *o = json_object();
        json_object_set_new(o, "order", json_integer(k));
        json_object_set_new(o, "rel_err", fy_json_number(C->rel_err[k]));
        json_object_set_new(o, "abs_err", fy_json_number(C->abs_err[k]));
        json_object_set_new(o, "true_norm", fy_json_number(C->true_norm[k]));
        json_object_set_new(o, "learned_norm", fy_json_number(C->learned_norm[k]));
        json_object_set_new(o, "offsite_norm", fy_json_number(C->offsite[k]));
        json_array_append_new(t, o);
    }
    json_object_set_new(root, "tensors", t);
    json_object_set_new(root, "offsite_norm", fy_json_number(C->offsite_total));
    for (k = 0; k < FY_INN_NCOUPLINGS; k++)
    {
        json_t *o = json_object();
        json_object_set_new(o, "learned", fy_json_number(C->coupling_learned[k]));
        json_object_set_new(o, "true", fy_json_number(C->coupling_true[k]));
        json_object_set_new(cp, fy_inn_coupling_name(k), o);
    }
    json_object_set_new(root, "couplings", cp);
    json_object_set_new(lk, "test_samples", json_integer(C->test_n));
    json_object_set_new(lk, "nll_model", fy_json_number(C->nll_model));
    json_object_set_new(lk, "nll_true", fy_json_number(C->nll_true));
    json_object_set_new(lk, "kl", fy_json_number(C->kl));
    json_object_set_new(lk, "kl_se", fy_json_number(C->kl_se));
    json_object_set_new(lk, "ln_z", fy_json_number(C->lnz));
    json_object_set_new(lk, "ln_z_se", fy_json_number(C->lnz_se));
    json_object_set_new(lk, "ln_z_method",
                        json_string(C->lnz_method ? "quadrature" : "importance sampling"));
    json_object_set_new(lk, "outside_domain", json_integer(C->test_outside));
    json_object_set_new(root, "likelihood", lk);
    if (C->have_data)
    {
        cu = json_object();
        json_object_set_new(cu, "truth_source", json_string(truth_name(C->truth_source)));
        json_object_set_new(cu, "data_batches", json_integer(C->data.batches));
        json_object_set_new(cu, "model_samples", json_integer(C->model_n));
        json_object_set_new(cu, "model_rejected", json_integer(C->model_rejected));
        json_object_set_new(cu, "site", cumulant_rows(C, 0));
        json_object_set_new(cu, "nearest_neighbour",
                            isfinite(C->data.nn[0]) ? cumulant_rows(C, 1) : json_null());
        json_object_set_new(root, "cumulants", cu);
    }
    else
        json_object_set_new(root, "cumulants", json_null());
    for (k = 0; k < 4; k++)
        json_array_append_new(cz, fy_json_number(C->cumulant_z[k]));
    json_object_set_new(root, "cumulant_z", cz);
    json_object_set_new(nm, "verdict", json_string(norm_name(C->norm)));
    json_object_set_new(nm, "eps", fy_json_number(C->norm_eps));
    json_object_set_new(root, "normalizable", nm);
    return root;
}

int fy_inn_compare_json(char **out, const fy_inn_compare_t C, const char *model,
                        const char *theory, fy_error_t err)
{
    json_t *o = _fy_inn_compare_json_obj(C, model, theory);
    *out = NULL;
    if (o != NULL)
        *out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (*out == NULL)
        return fy_error_set(err, FY_ENOMEM, "compare: out of memory writing JSON");
    return FY_OK;
}

static void print_cumulants(FILE *fp, const fy_inn_compare_t C, int nn)
{
    int k;
    for (k = 0; k < 4; k++)
    {
        const double *dv = nn ? C->data.nn : C->data.site, *ds = nn ? C->data.nn_se
                                                                   : C->data.site_se;
        const double *mv = nn ? C->model.nn : C->model.site;
        const double *tv = nn ? C->truth.nn : C->truth.site;
        const double *tr = nn ? C->tree_nn : C->tree_site;
        char name[32];
        if (nn)
            snprintf(name, sizeof name, "nn   %s", nn_names[k]);
        else
            snprintf(name, sizeof name, "site kappa_%d", k + 1);
        fprintf(fp, "  %-16s %12.5g +- %-9.2g %12.5g %12.5g %12.5g %8.2f %8.2f\n", name, dv[k],
                ds[k], mv[k], tv[k], C->tree_ok ? tr[k] : NAN, C->z_data[4 * nn + k],
                C->z_truth[4 * nn + k]);
    }
}

int fy_inn_compare_print(FILE *fp, const fy_inn_compare_t C, const char *model,
                         const char *theory, fy_error_t err)
{
    int k;
    fprintf(fp, "model        %s\n", model ? model : "-");
    fprintf(fp, "theory       %s (%d sites)\n", theory ? theory : "-", C->d);
    fprintf(fp, "\nderivative tensors of S = ln p at 0, Gamma^(k) = d^k S(0), orders 1..%d\n",
            C->K);
    fprintf(fp, "  %-5s %12s %12s %12s %12s %12s\n", "order", "rel. error", "|learned-true|",
            "|true|", "|learned|", "off-support");
    for (k = 1; k <= C->K; k++)
    {
        /* a relative error against a zero tensor is undefined: "-" (JSON null) */
        if (isfinite(C->rel_err[k]))
            fprintf(fp, "  %-5d %12.4g", k, C->rel_err[k]);
        else
            fprintf(fp, "  %-5d %12s", k, "-");
        fprintf(fp, " %12.4g %12.4g %12.4g %12.4g\n", C->abs_err[k], C->true_norm[k],
                C->learned_norm[k], C->offsite[k]);
    }
    fprintf(fp, "  norm of what should be zero (entries where the truth is 0, orders 1..%d): "
            "%.4g\n", C->K, C->offsite_total);
    fprintf(fp, "\ncouplings (doc/theory-format.md conventions)\n");
    fprintf(fp, "  %-8s %12s %12s %10s\n", "", "learned", "true", "rel. err");
    for (k = 0; k < FY_INN_NCOUPLINGS; k++)
    {
        double l = C->coupling_learned[k], t = C->coupling_true[k];
        fprintf(fp, "  %-8s %12.5g %12.5g %10.3g\n", fy_inn_coupling_name(k), l, t,
                t != 0.0 ? fabs(l - t) / fabs(t) : NAN);
    }
    fprintf(fp, "\nlikelihood gap on %ld test samples\n", (long) C->test_n);
    fprintf(fp, "  ln Z of the theory %.6g +- %.2g (%s)\n", C->lnz, C->lnz_se,
            C->lnz_method ? "quadrature" : "importance sampling");
    fprintf(fp, "  NLL model %.6g, NLL true %.6g\n", C->nll_model, C->nll_true);
    fprintf(fp, "  KL = NLL_model - NLL_true = %.4g +- %.2g nats\n", C->kl, C->kl_se);
    if (C->test_outside > 0)
        fprintf(fp, "  %ld test samples lie outside the network's domain (ln q = -inf)\n",
                (long) C->test_outside);
    if (C->have_data)
    {
        fprintf(fp, "\ncumulants (truth: %s; network: %ld draws by exact inversion, %ld "
                "latents redrawn; z in data standard errors)\n", truth_name(C->truth_source),
                (long) C->model_n, (long) C->model_rejected);
        fprintf(fp, "  %-16s %12s    %-9s %12s %12s %12s %8s %8s\n", "", "data", "se", "network",
                "truth", "tree", "z(data)", "z(truth)");
        print_cumulants(fp, C, 0);
        if (isfinite(C->data.nn[0]))
            print_cumulants(fp, C, 1);
        fprintf(fp, "  largest |z| against the truth, orders 1..4: %.2f %.2f %.2f %.2f\n",
                C->cumulant_z[0], C->cumulant_z[1], C->cumulant_z[2], C->cumulant_z[3]);
        if (!C->tree_ok)
            fprintf(fp, "  (tree level: -Gamma^(2) of the learned action is not positive "
                    "definite, or d is too large)\n");
    }
    fprintf(fp, "\nlearned action truncated at order %d normalisable: %s", C->K,
            norm_name(C->norm));
    if (C->norm != FY_INN_NORM_YES)
        fprintf(fp, " (a term -eps sum x_i^%d with eps ~ %.3g would make it so)",
                C->K % 2 ? C->K + 1 : C->K + 2, C->norm_eps);
    fprintf(fp, "\n");
    if (ferror(fp))
        return fy_error_set(err, FY_EIO, "writing the comparison failed");
    return FY_OK;
}
