/* demo_report.c - the report of the [M] experiment (inn.h): report.txt, report.json
 * (doc/schema/demo-inn.schema.json), CSV of the plotted series, figures through the plot
 * writers of draw.h when feynn has PLplot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/draw.h"
#include "feynn/inn.h"
#include "feynn/util.h"
#include "inn/compare_internal.h"

typedef int (*writer_fn)(FILE *fp, const fy_inn_demo_t D, fy_error_t err);

static int write_file(const char *dir, const char *name, writer_fn f, const fy_inn_demo_t D,
                      fy_error_t err)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    fy_ofile_t of;
    int rc;
    if (path == NULL)
        return fy_error_set(err, FY_ENOMEM, "demo inn: out of memory");
    snprintf(path, n, "%s/%s", dir, name);
    rc = fy_ofile_open(of, path, err);
    if (rc == FY_OK)
    {
        rc = f(of->fp, D, err);
        if (rc == FY_OK)
            rc = fy_ofile_commit(of, err);
        else
            fy_ofile_abort(of);
    }
    free(path);
    return rc;
}

static int text_report(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    int i, rc = FY_OK;
    fprintf(fp, "feynn demo inn: learning a lattice action with an invertible network ([M])%s\n",
            D->quick ? " (quick: small sizes)" : "");
    fprintf(fp, "seed %lu, %.1f s\n\n", (unsigned long) D->seed, D->time_s);
    fprintf(fp, "targets (issue 12)\n");
    for (i = 0; i < FY_INN_DEMO_NTARGETS; i++)
        fprintf(fp, "  %-12s %-6s %s\n", fy_inn_demo_target_name(i),
                D->target_met[i] ? "met" : "MISSED", D->target_detail[i]);
    fprintf(fp, "  all targets met: %s\n", D->targets_met ? "yes" : "no");
    fprintf(fp, "the unimodal network: %s, the design of lower validation NLL on the same data "
            "and split (%s %.6f, %s %.6f)\n", D->c[D->unimodal].name, D->c[0].name,
            D->c[0].val_nll, D->c[1].name, D->c[1].val_nll);
    for (i = 0; i < FY_INN_DEMO_NCASES && rc == FY_OK; i++)
    {
        const fy_inn_demo_case_struct *c = D->c + i;
        char title[128];
        fprintf(fp, "\n==================== %s: %d couplings%s%s, %ld draws", c->name,
                c->couplings, c->plan ? ", layer plan " : "", c->plan ? c->plan : "",
                (long) c->n_data);
        if (c->images > 1)
            fprintf(fp, " with their %d images under the lattice's rotations", c->images);
        fprintf(fp, ", trained in %.1f s (%d L-BFGS iterations)\n", c->train_s,
                c->lbfgs_iters_run);
        fprintf(fp, "theory:\n%s\n", c->theory);
        fprintf(fp, "validation NLL of the kept network: %.6f\n", c->val_nll);
        if (c->nplans_tried == 2)
            fprintf(fp, "the plan of lower validation NLL kept: %s %.6f, %s %.6f\n\n",
                    c->plan_tried[0], c->val_nll_tried[0], c->plan_tried[1],
                    c->val_nll_tried[1]);
        if (c->have_floor)
            fprintf(fp, "the true family's maximum likelihood on the same data (the floor): "
                    "m2 %.4f +- %.4f, hopping %.4f +- %.4f, g3 %.4f +- %.4f, lam %.4f +- "
                    "%.4f\n\n", c->floor.theta[0], c->floor.se[0], c->floor.theta[1],
                    c->floor.se[1], c->floor.theta[2], c->floor.se[2], c->floor.theta[3],
                    c->floor.se[3]);
        snprintf(title, sizeof title, "trained network (%d couplings%s%s)", c->couplings,
                 c->plan ? ", plan " : "", c->plan ? c->plan : "");
        rc = fy_inn_compare_print(fp, c->C, title, c->name, err);
        if (rc == FY_OK)
            rc = _fy_inn_demo_quartic_print(fp, c, err);
    }
    if (rc == FY_OK)
    {
        fprintf(fp, "\n==================== scan on the unimodal theory: depth x data size "
                "(%.1f s)\n", D->scan->time_s);
        rc = fy_inn_scan_print(fp, D->scan, err);
    }
    if (rc == FY_OK)
    {
        fprintf(fp, "\n==================== scan on the double well: depth x data size "
                "(%.1f s)\n", D->scan_dw->time_s);
        rc = fy_inn_scan_print(fp, D->scan_dw, err);
    }
    if (rc == FY_OK && !fy_plot_available())
        fprintf(fp, "\nfigures: not drawn (feynn was built without PLplot); the plotted "
                "series are in couplings.csv, cumulants.csv, scan.csv and "
                "scan_double_well.csv\n");
    if (ferror(fp))
        return fy_error_set(err, FY_EIO, "writing report.txt failed");
    return rc;
}

/* inn12: the true family's fit on the same data (null where not made). */
static json_t *floor_json(const fy_inn_demo_case_struct *c)
{
    json_t *o;
    int k;
    if (!c->have_floor)
        return json_null();
    o = json_object();
    for (k = 0; k < FY_INN_NCOUPLINGS; k++)
    {
        json_t *v = json_object();
        json_object_set_new(v, "value", fy_json_number(c->floor.theta[k]));
        json_object_set_new(v, "se", fy_json_number(c->floor.se[k]));
        json_object_set_new(o, fy_inn_coupling_name(k), v);
    }
    json_object_set_new(o, "nll", fy_json_number(c->floor.nll));
    return o;
}

static json_t *case_json(const fy_inn_demo_case_struct *c)
{
    json_t *o = json_object(), *cp = json_object(), *cz = json_array();
    int k;
    json_object_set_new(o, "couplings_in_network", json_integer(c->couplings));
    json_object_set_new(o, "plan", c->plan ? json_string(c->plan) : json_null());
    json_object_set_new(o, "n_data", json_integer(c->n_data));
    json_object_set_new(o, "images", json_integer(c->images));
    json_object_set_new(o, "train_s", json_real(c->train_s));
    json_object_set_new(o, "lbfgs_iterations", json_integer(c->lbfgs_iters_run));
    json_object_set_new(o, "kl", fy_json_number(c->C->kl));
    json_object_set_new(o, "kl_se", fy_json_number(c->C->kl_se));
    json_object_set_new(o, "val_nll", fy_json_number(c->val_nll));
    for (k = 0; k < FY_INN_NCOUPLINGS; k++)
    {
        json_t *v = json_object();
        json_object_set_new(v, "learned", fy_json_number(c->C->coupling_learned[k]));
        json_object_set_new(v, "true", fy_json_number(c->C->coupling_true[k]));
        json_object_set_new(cp, fy_inn_coupling_name(k), v);
    }
    json_object_set_new(o, "couplings", cp);
    for (k = 0; k < 4; k++)
        json_array_append_new(cz, fy_json_number(c->C->cumulant_z[k]));
    json_object_set_new(o, "cumulant_z", cz);
    json_object_set_new(o, "compare", _fy_inn_compare_json_obj(c->C, NULL, c->name));
    json_object_set_new(o, "quartic", _fy_inn_demo_quartic_json(c));
    json_object_set_new(o, "floor", floor_json(c));
    if (c->nplans_tried == 2)
    {
        json_t *a = json_array();
        for (k = 0; k < 2; k++)
        {
            json_t *e = json_object();
            json_object_set_new(e, "plan", json_string(c->plan_tried[k]));
            json_object_set_new(e, "val_nll", fy_json_number(c->val_nll_tried[k]));
            json_array_append_new(a, e);
        }
        json_object_set_new(o, "plans_tried", a);
    }
    return o;
}

static int json_report(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    json_t *root = json_object(), *tg = json_array();
    char *s;
    int i, k;
    json_object_set_new(root, "command", json_string("demo inn"));
    json_object_set_new(root, "quick", json_boolean(D->quick));
    json_object_set_new(root, "seed", json_integer((json_int_t) D->seed));
    json_object_set_new(root, "time_s", json_real(D->time_s));
    json_object_set_new(root, "targets_met", json_boolean(D->targets_met));
    for (i = 0; i < FY_INN_DEMO_NTARGETS; i++)
    {
        json_t *t = json_object();
        json_object_set_new(t, "name", json_string(fy_inn_demo_target_name(i)));
        json_object_set_new(t, "met", json_boolean(D->target_met[i]));
        json_object_set_new(t, "detail", json_string(D->target_detail[i]));
        json_array_append_new(tg, t);
    }
    json_object_set_new(root, "targets", tg);
    for (i = 0; i < FY_INN_DEMO_NCASES; i++)
        json_object_set_new(root, D->c[i].name, case_json(D->c + i));
    /* inn12: the unimodal network, the design of lower validation NLL, with both designs' */
    {
        json_t *o = case_json(D->c + D->unimodal), *a = json_array();
        for (k = 0; k < 2; k++)
        {
            json_t *e = json_object();
            json_object_set_new(e, "case", json_string(D->c[k].name));
            json_object_set_new(e, "plan", D->c[k].plan ? json_string(D->c[k].plan) : json_null());
            json_object_set_new(e, "val_nll", fy_json_number(D->c[k].val_nll));
            json_array_append_new(a, e);
        }
        json_object_set_new(o, "design", json_string(D->c[D->unimodal].name));
        json_object_set_new(o, "designs_tried", a);
        json_object_set_new(root, "unimodal", o);
    }
    json_object_set_new(root, "scan", _fy_inn_scan_json_obj(D->scan));
    json_object_set_new(root, "scan_double_well", _fy_inn_scan_json_obj(D->scan_dw));
    json_object_set_new(root, "figures", json_boolean(fy_plot_available()));
    s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (s == NULL)
        return fy_error_set(err, FY_ENOMEM, "demo inn: out of memory writing JSON");
    fprintf(fp, "%s\n", s);
    free(s);
    return ferror(fp) ? fy_error_set(err, FY_EIO, "writing report.json failed") : FY_OK;
}

static int csv_couplings(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    int i, k;
    fprintf(fp, "case,network_couplings,coupling,learned,true\n");
    for (i = 0; i < FY_INN_DEMO_NCASES; i++)
        for (k = 0; k < FY_INN_NCOUPLINGS; k++)
            fprintf(fp, "%s,%d,%s,%.17g,%.17g\n", D->c[i].name, D->c[i].couplings,
                    fy_inn_coupling_name(k), D->c[i].C->coupling_learned[k],
                    D->c[i].C->coupling_true[k]);
    return ferror(fp) ? fy_error_set(err, FY_EIO, "writing couplings.csv failed") : FY_OK;
}

static int csv_cumulants(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    int i, k, nn;
    fprintf(fp, "case,kind,order,data,data_se,network,truth,tree,z_truth\n");
    for (i = 0; i < FY_INN_DEMO_NCASES; i++)
        for (nn = 0; nn < 2; nn++)
            for (k = 0; k < 4; k++)
            {
                const fy_inn_compare_struct *C = D->c[i].C;
                fprintf(fp, "%s,%s,%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", D->c[i].name,
                        nn ? "nn" : "site", k + 1, nn ? C->data.nn[k] : C->data.site[k],
                        nn ? C->data.nn_se[k] : C->data.site_se[k],
                        nn ? C->model.nn[k] : C->model.site[k],
                        nn ? C->truth.nn[k] : C->truth.site[k],
                        C->tree_ok ? (nn ? C->tree_nn[k] : C->tree_site[k]) : NAN,
                        C->z_truth[4 * nn + k]);
            }
    return ferror(fp) ? fy_error_set(err, FY_EIO, "writing cumulants.csv failed") : FY_OK;
}

static int csv_scan(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    return fy_inn_scan_csv(fp, D->scan, err);
}

static int csv_scan_dw(FILE *fp, const fy_inn_demo_t D, fy_error_t err)
{
    return fy_inn_scan_csv(fp, D->scan_dw, err);
}

#define ZLIM 12.0

/* Figures (PLplot through draw.h): learned against true couplings, the unimodal cumulants
 * with error bars (in units of the data's standard error), the depth x data map of the KL. */
static int figures(const char *dir, const fy_inn_demo_t D, fy_error_t err)
{
    char path[4096];
    double x[4], y[FY_INN_DEMO_NCASES + 1][4], cz[3][4], ce[4], xs[3][4];
    double gx[2] = {0.5, 4.5}, gp[2] = {4.0, 4.0}, gm[2] = {-4.0, -4.0};
    char labels[3][160];
    fy_plot_series_struct s[5];
    fy_plot_axes_t ax;
    int i, k, rc;
    if (!fy_plot_available())
        return FY_OK;
    for (k = 0; k < 4; k++)
    {
        x[k] = k + 1;
        y[0][k] = D->c[0].C->coupling_true[k];
        for (i = 0; i < FY_INN_DEMO_NCASES; i++)
            y[i + 1][k] = D->c[i].C->coupling_learned[k];
    }
    /* the double well's true couplings differ: plotted as learned / true ratios instead */
    for (k = 0; k < 4; k++)
        y[3][k] = D->c[2].C->coupling_true[k] != 0.0
                      ? D->c[2].C->coupling_learned[k] / D->c[2].C->coupling_true[k] *
                            y[0][k]
                      : NAN;
    for (i = 0; i <= FY_INN_DEMO_NCASES; i++)
    {
        memset(s + i, 0, sizeof s[i]);
        s[i].n = 4;
        s[i].x = x;
        s[i].y = y[i];
        s[i].marker = i == 0 ? FY_PLOT_MARK_CIRCLE : FY_PLOT_MARK_CROSS;
        s[i].color = i == 0 ? FY_PLOT_BLACK : i == 1 ? 1 : i == 2 ? 9 : 3;
        s[i].line = i == 0;
    }
    s[0].label = "true";
    s[1].label = "learned, 3 couplings";
    s[2].label = "learned, cubic layers";
    s[3].label = "double well (scaled)";
    fy_plot_axes_init(ax);
    ax->xmin = 0.5; /* the markers clear of the frame */
    ax->xmax = 4.5;
    ax->xlabel = "coupling (1 m2, 2 hopping, 3 g3, 4 #gl)";
    ax->ylabel = "value";
    snprintf(path, sizeof path, "%s/couplings.pdf", dir);
    rc = fy_plot_lines(path, s, FY_INN_DEMO_NCASES + 1, ax, err);
    /* cumulant differences in units of the data's standard error, on a scale of +-ZLIM (the
     * double well's kappa_4, hundreds of standard errors off, would flatten the rest): a point
     * off the scale is named in its series' legend entry; dashed-free guide lines at +-4, the
     * targets' bound */
    for (i = 0; i < 3 && rc == FY_OK; i++)
    {
        const fy_inn_compare_struct *C = D->c[i].C;
        size_t len;
        snprintf(labels[i], sizeof labels[i], "%s",
                 i == 0 ? "unimodal, 3 couplings" : i == 1 ? "unimodal, cubic layers"
                                                           : "double well");
        for (k = 0; k < 4; k++)
            if (fabs(C->z_truth[k]) > ZLIM)
            {
                len = strlen(labels[i]);
                snprintf(labels[i] + len, sizeof labels[i] - len, " (order %d: z = %.0f)",
                         k + 1, C->z_truth[k]);
            }
    }
    for (i = 0; i < 3 && rc == FY_OK; i++)
    {
        const fy_inn_compare_struct *C = D->c[i].C;
        for (k = 0; k < 4; k++)
        {
            xs[i][k] = k + 1 + 0.1 * (i - 1);
            /* off the scale: not drawn (named in the legend), so that the legend can take the
             * corner it would sit in */
            cz[i][k] = fabs(C->z_truth[k]) > ZLIM ? NAN : C->z_truth[k];
            ce[k] = 1.0;
        }
        memset(s + i, 0, sizeof s[i]);
        s[i].n = 4;
        s[i].x = xs[i];
        s[i].y = cz[i];
        s[i].yerr = ce;
        s[i].marker = FY_PLOT_MARK_CIRCLE;
        s[i].color = i == 0 ? 1 : i == 1 ? 9 : 3;
        s[i].label = labels[i];
    }
    for (i = 3; i < 5; i++)
    {
        memset(s + i, 0, sizeof s[i]);
        s[i].n = 2;
        s[i].x = gx;
        s[i].y = i == 3 ? gp : gm;
        s[i].line = 1;
        s[i].color = FY_PLOT_RGB(160, 160, 160);
        s[i].width = 0.5;
        s[i].label = i == 3 ? "|z| = 4" : NULL;
    }
    if (rc == FY_OK)
    {
        fy_plot_axes_init(ax);
        ax->xmin = 0.5;
        ax->xmax = 4.5;
        ax->ymin = -ZLIM;
        ax->ymax = ZLIM;
        ax->xlabel = "cumulant order (site)";
        ax->ylabel = "(network - truth) / se(data)";
        snprintf(path, sizeof path, "%s/cumulants.pdf", dir);
        rc = fy_plot_lines(path, s, 5, ax, err);
    }
    if (rc == FY_OK && D->scan->ncells > 0 && D->scan_dw->ncells == D->scan->ncells)
    {
        /* the depth x data maps of the two theories side by side, each on its own scale */
        fy_plot_heatmap_struct h[2];
        const fy_inn_scan_struct *sc[2] = {D->scan, D->scan_dw};
        double *z = malloc((size_t) (2 * D->scan->ncells) * sizeof(double));
        long rows = 1, cols, n = D->scan->ncells;
        int j;
        if (z == NULL)
            return fy_error_set(err, FY_ENOMEM, "demo inn: out of memory");
        for (i = 1; i < n; i++)
            rows += D->scan->cell[i].couplings != D->scan->cell[i - 1].couplings;
        cols = n / rows;
        memset(h, 0, sizeof h);
        for (j = 0; j < 2; j++)
        {
            for (i = 0; i < n; i++)
                z[j * n + i] = log10(fmax(sc[j]->cell[i].kl, 1e-6));
            h[j].rows = rows;
            h[j].cols = cols;
            h[j].z = z + j * n;
            h[j].zmin = h[j].zmax = NAN;
            h[j].xlabel = "couplings";
            h[j].ylabel = "data size index";
            h[j].title = j == 0 ? "unimodal" : "double well";
            h[j].zlabel = "log#d10#u KL (own scale)";
        }
        snprintf(path, sizeof path, "%s/scan.pdf", dir);
        rc = fy_plot_heatmaps(path, h, 2, err);
        free(z);
    }
    return rc;
}

int fy_inn_demo_write(const char *dir, const fy_inn_demo_t D, fy_error_t err)
{
    int rc = fy_mkdir_p(dir, err);
    if (rc == FY_OK)
        rc = write_file(dir, "report.txt", text_report, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "report.json", json_report, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "couplings.csv", csv_couplings, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "cumulants.csv", csv_cumulants, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "scan.csv", csv_scan, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "scan_double_well.csv", csv_scan_dw, D, err);
    if (rc == FY_OK)
        rc = write_file(dir, "quartic.csv", _fy_inn_demo_quartic_csv, D, err);
    if (rc == FY_OK)
        rc = _fy_inn_demo_quartic_figures(dir, D, err);
    if (rc == FY_OK)
        rc = figures(dir, D, err);
    return rc;
}
