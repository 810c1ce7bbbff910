/* demo_report.c - the report of the demo: report.json (doc/schema/demo.schema.json) and
 * report.txt (see borntaylor.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/util.h"
#include "io/json_num.h"

static const char *data_kind(int box)
{
    return box == FY_BORNTAYLOR_DATA_BOX ? "box"
           : box == FY_BORNTAYLOR_DATA_ATTRACTIVE ? "attractive" : "rays";
}

/* The two held-out sets, labelled, with the accuracy of F_1 on each (issue 10, item 3). */
static json_t *heldout_json(const fy_borntaylor_demo_t demo)
{
    json_t *h = json_object(), *own = json_object(), *ph = json_object();
    json_object_set_new(own, "kind", json_string(data_kind(demo->o.box)));
    json_object_set_new(own, "samples", json_integer(demo->held_own->n));
    json_object_set_new(own, "seed", json_integer((json_int_t) demo->seed_own));
    json_object_set_new(own, "F1_rel_rms_vs_a0", fy_json_number(demo->f1_rel_a0_own));
    json_object_set_new(ph, "kind", json_string("shallow attractive (feynn born data)"));
    json_object_set_new(ph, "samples", json_integer(demo->held->n));
    json_object_set_new(ph, "seed", json_integer((json_int_t) demo->seed_phys));
    json_object_set_new(ph, "margin", json_real(demo->o.margin));
    json_object_set_new(ph, "inside_training_box", demo->phys_inside >= 0
                                                       ? json_integer(demo->phys_inside)
                                                       : json_null());
    json_object_set_new(ph, "F1_rel_rms_vs_a0", fy_json_number(demo->f1_rel_a0));
    json_object_set_new(h, "training_distribution", own);
    json_object_set_new(h, "physical", ph);
    json_object_set_new(h, "taylor_terms_on", json_string("physical"));
    return h;
}

static json_t *settings_json(const fy_borntaylor_demo_t demo)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    json_t *st = json_object();
    int d = o->d;
    json_object_set_new(st, "quick", json_boolean(o->quick));
    json_object_set_new(st, "seed", json_integer((json_int_t) o->seed));
    json_object_set_new(st, "steps", json_integer(d));
    json_object_set_new(st, "range", json_real(o->R));
    json_object_set_new(st, "margin", json_real(o->margin));
    json_object_set_new(st, "samples", json_integer(o->n1));
    json_object_set_new(st, "heldout", json_integer(o->nheld));
    json_object_set_new(st, "hidden1", json_string(o->hidden1));
    json_object_set_new(st, "hidden2", json_string(o->hidden2));
    json_object_set_new(st, "epochs1", json_integer(o->epochs1));
    json_object_set_new(st, "epochs2", json_integer(o->epochs2));
    json_object_set_new(st, "lbfgs1", json_integer(o->lbfgs1));
    json_object_set_new(st, "lbfgs2", json_integer(o->lbfgs2));
    json_object_set_new(st, "ensemble", json_integer(o->ensemble));
    json_object_set_new(st, "rays", json_integer(o->n_dirs));
    json_object_set_new(st, "points_per_ray", json_integer(o->n_per));
    json_object_set_new(st, "ray_scales", json_pack("[f,f]", o->s_min, o->s_max));
    json_object_set_new(st, "ray_emphasis", json_real(o->emphasis));
    json_object_set_new(st, "weight_power", json_real(o->wpower));
    json_object_set_new(st, "weight_power1", json_real(o->wpower1));
    json_object_set_new(st, "mirrored_repulsive",
                        json_boolean(o->mirror && o->box == FY_BORNTAYLOR_DATA_RAYS));
    {
        json_t *td = json_object();
        json_object_set_new(td, "kind", json_string(data_kind(o->box)));
        json_object_set_new(td, "samples", json_integer(demo->n2));
        json_object_set_new(td, "description",
                            json_string(o->box != FY_BORNTAYLOR_DATA_RAYS
                                            ? demo->data->description
                                            : "attractive shallow potentials (feynn born "
                                              "data) as ray directions U = s w, s in "
                                              "[smin, smax], every other point mirrored "
                                              "to -U when mirrored_repulsive"));
        if (o->box == FY_BORNTAYLOR_DATA_BOX)
        {
            json_object_set_new(td, "box_half_width", json_real(o->box_a));
            json_object_set_new(td, "required_radius", json_real(1 + o->margin));
            json_object_set_new(td, "min_radius_lower_bound", fy_json_number(demo->min_radius));
        }
        json_object_set_new(td, "used_for", json_string("F_1 and F_2"));
        json_object_set_new(st, "training_data", td);
        json_object_set_new(st, "heldout_data",
                            json_string(demo->held->description ? demo->held->description
                                                          : "shallow attractive"));
        json_object_set_new(st, "heldout_own_data",
                            json_string(demo->held_own->description
                                            ? demo->held_own->description
                                            : "the training distribution"));
    }
    return st;
}

static json_t *report_json(const fy_borntaylor_demo_t demo)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    json_t *j = json_object(), *fo = json_object(), *so = json_object(), *px = json_object(),
           *tm = json_object(), *fl = json_array();
    const fy_borntaylor_order_struct *a = demo->bv1->ord, *b = demo->bv2->ord + 1;
    int k;
    json_object_set_new(j, "convention", json_string(FY_BORN_CONVENTION));
    json_object_set_new(j, "settings", settings_json(demo));

    json_object_set_new(fo, "rel_frobenius", fy_json_number(a->rel_frobenius));
    json_object_set_new(fo, "max_abs_err", fy_json_number(a->max_abs_err));
    json_object_set_new(fo, "cosine", fy_json_number(a->cosine));
    json_object_set_new(fo, "rel_heldout", fy_json_number(a->rel_heldout));
    json_object_set_new(fo, "target", json_real(FY_BORNTAYLOR_TARGET_FIRST));
    json_object_set_new(fo, "met", json_boolean(demo->first_met));
    json_object_set_new(fo, "heldout_data", json_string("physical"));
    json_object_set_new(fo, "network_rel_rms_vs_a0_own", fy_json_number(demo->f1_rel_a0_own));
    json_object_set_new(fo, "network_rel_rms_vs_a0_physical", fy_json_number(demo->f1_rel_a0));
    json_object_set_new(fo, "one_network_hessian_rel_frobenius",
                        fy_json_number(demo->bv1->ord[1].rel_frobenius));
    json_object_set_new(fo, "one_network_T2_rel_heldout",
                        fy_json_number(demo->bv1->ord[1].rel_heldout));
    json_object_set_new(j, "first_order", fo);

    json_object_set_new(so, "rel_frobenius", fy_json_number(b->rel_frobenius));
    json_object_set_new(so, "rel_heldout", fy_json_number(b->rel_heldout));
    json_object_set_new(so, "heldout_data", json_string("physical"));
    json_object_set_new(so, "max_abs_err", fy_json_number(b->max_abs_err));
    json_object_set_new(so, "cosine", fy_json_number(b->cosine));
    json_object_set_new(so, "target", json_real(FY_BORNTAYLOR_TARGET_SECOND));
    json_object_set_new(so, "met", json_boolean(demo->second_met));
    json_object_set_new(so, "first_order_subtracted",
                        json_string(o->first_exact ? "exact" : "learned"));
    json_object_set_new(so, "F2_gradient_norm_over_c3", fy_json_number(demo->grad2_ratio));
    json_object_set_new(j, "second_order", so);

    json_object_set_new(px, "rel_vs_born_partial_sum", fy_json_number(demo->proxy_rel));
    json_object_set_new(px, "rel_vs_a0", fy_json_number(demo->proxy_rel_a0));
    json_object_set_new(px, "born_partial_sum_rel_vs_a0", fy_json_number(demo->born2_rel_a0));
    json_object_set_new(px, "heldout_data", json_string("physical"));
    json_object_set_new(j, "proxy_A2", px);
    json_object_set_new(j, "heldout", heldout_json(demo));
    json_object_set_new(j, "exact_identity",
                        json_pack("{s:b,s:i,s:i}", "holds", demo->bv1->identity_ok, "potentials",
                                  demo->bv1->identity_K, "orders", 2));
    json_object_set_new(j, "verify_F1", _fy_borntaylor_verify_json(demo->bv1));
    json_object_set_new(j, "verify_F2", _fy_borntaylor_verify_json(demo->bv2));
    json_object_set_new(tm, "data_s", json_real(demo->t_data));
    json_object_set_new(tm, "train_F1_s", json_real(demo->t_f1));
    json_object_set_new(tm, "train_F2_s", json_real(demo->t_f2));
    json_object_set_new(tm, "verify_s", json_real(demo->t_ver));
    json_object_set_new(tm, "total_s", json_real(fy_wall_time() - demo->t0));
    json_object_set_new(j, "timings", tm);
    for (k = 0; k < demo->nfiles; k++)
        json_array_append_new(fl, json_string(demo->files[k]));
    json_object_set_new(j, "plots_pdf", json_boolean(demo->plots));
    json_object_set_new(j, "diagram_pdfs", json_integer(demo->dots));
    json_object_set_new(j, "files", fl);
    json_object_set_new(j, "targets_met", json_boolean(demo->first_met && demo->second_met));
    return j;
}

int fy_borntaylor_demo_write_json(FILE *fp, const fy_borntaylor_demo_t demo, fy_error_t err)
{
    json_t *j = report_json(demo);
    char *txt = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    int status = FY_OK;
    json_decref(j);
    if (txt == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (report)");
    if (fputs(txt, fp) == EOF)
        status = fy_error_set(err, FY_EIO, "cannot write the demo report");
    free(txt);
    return status;
}

/* The settings and the first order. */
static void text_first(FILE *fp, const fy_borntaylor_demo_t demo)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    const fy_borntaylor_order_struct *a = demo->bv1->ord;
    int d = o->d;
    fprintf(fp, "feynn demo: the Born-Taylor correspondence (doc/math.md 2.4)%s\n",
            o->quick ? " [quick]" : "");
    fprintf(fp, "convention: %s\n\n", FY_BORN_CONVENTION);
    if (o->box == FY_BORNTAYLOR_DATA_BOX)
        fprintf(fp, "training data (F_1 and F_2): %ld potentials, %s; seed %llu; smallest "
                    "certified radius of convergence %.3f\n", demo->n2, demo->data->description,
                (unsigned long long) o->seed, demo->min_radius);
    else if (o->box == FY_BORNTAYLOR_DATA_ATTRACTIVE)
        fprintf(fp, "training data (F_1 and F_2): %ld random shallow attractive potentials on "
                    "%d steps of (0, %g] (margin %g, seed %llu), U = 0 on the boundary of the "
                    "data ([KM]'s setting)\n", demo->n2, d, o->R, o->margin,
                (unsigned long long) o->seed);
    else
        fprintf(fp, "training data: %ld random shallow attractive potentials on %d steps of "
                    "(0, %g] (margin %g, seed %llu) as ray directions\n", o->n1, d, o->R,
                o->margin, (unsigned long long) o->seed);
    fprintf(fp, "held-out data (verification only), two sets:\n");
    fprintf(fp, "  own: %ld potentials of the training distribution (%s, seed %llu)\n",
            demo->held_own->n, o->box == FY_BORNTAYLOR_DATA_BOX ? "the same symmetric box"
                               : o->box == FY_BORNTAYLOR_DATA_ATTRACTIVE
                                   ? "random shallow attractive"
                                   : "rays through fresh directions",
            (unsigned long long) demo->seed_own);
    fprintf(fp, "  physical: %ld random shallow attractive potentials (margin %g, seed %llu)",
            demo->held->n, o->margin, (unsigned long long) demo->seed_phys);
    if (demo->phys_inside >= 0)
        fprintf(fp, "; %ld of them inside the training box", demo->phys_inside);
    fprintf(fp, "\nF_1: %s tanh, %d Adam epochs + %d L-BFGS, %.1f s; relative RMS error "
                "against a_0: %.3e on own held-out, %.3e on physical held-out%s\n", o->hidden1,
            o->epochs1, o->lbfgs1, demo->t_f1, demo->f1_rel_a0_own, demo->f1_rel_a0,
            o->box == FY_BORNTAYLOR_DATA_BOX && demo->phys_inside < demo->held->n
                ? " (partly outside the training box)" : "");
    fprintf(fp, "Taylor terms T_n[F](U) are compared with a_0^(n)(U) on the physical held-out "
                "potentials.\n");
    fprintf(fp, "\nThe exact identity (true map): d^n a_0(0)[U,..,U] = n! a_0^(n)(U) %s at "
                "orders 1..2 (checked exactly on %d potentials; it holds at every order).\n",
            demo->bv1->identity_ok ? "holds" : "FAILS", demo->bv1->identity_K);
    fprintf(fp, "\nFIRST ORDER (one network F_1):\n");
    fprintf(fp, "  grad F_1(0) against c3: relative Frobenius error %.4f (target <= %g: %s),"
                " cosine %.6f, largest entry error %.3e\n", a->rel_frobenius,
            FY_BORNTAYLOR_TARGET_FIRST, demo->first_met ? "met" : "NOT MET", a->cosine,
            a->max_abs_err);
    fprintf(fp, "  T_1[F_1](U) against a_0^(1)(U) on physical held-out: relative RMS "
                "%.4f\n", a->rel_heldout);
    fprintf(fp, "  (the same network's Hessian against -2K: relative Frobenius %.3f; "
                "T_2[F_1] held-out %.3f: one network does not learn the second order)\n",
            demo->bv1->ord[1].rel_frobenius, demo->bv1->ord[1].rel_heldout);
}

void fy_borntaylor_demo_write_text(FILE *fp, const fy_borntaylor_demo_t demo)
{
    const fy_borntaylor_demo_opts_struct *o = &demo->o;
    const fy_borntaylor_order_struct *b = demo->bv2->ord + 1;
    char desc[64];
    text_first(fp, demo);
    fprintf(fp, "\nSECOND ORDER (iterative scheme: F_2 trained on a_0 - %s):\n",
            o->first_exact ? "c3.U, the exact first order" : "T_1[F_1], the learned first "
                                                            "order");
    if (o->box != FY_BORNTAYLOR_DATA_RAYS)
        fprintf(fp, "  %s tanh%s, the same %ld %s potentials, %d epochs + %d L-BFGS, "
                    "%.1f s\n", o->hidden2, o->ensemble > 1 ? " (ensemble)" : "", demo->n2,
                data_kind(o->box), o->epochs2, o->lbfgs2, demo->t_f2);
    else
        fprintf(fp, "  %s tanh%s, %ld rays x %ld points at scales %g..%g, %d epochs + %d "
                    "L-BFGS, %.1f s\n", o->hidden2, o->ensemble > 1 ? " (ensemble)" : "",
                o->n_dirs, o->n_per, o->s_min, o->s_max, o->epochs2, o->lbfgs2, demo->t_f2);
    snprintf(desc, sizeof desc, "%.4f", b->rel_heldout);
    fprintf(fp, "  T_2[F_2](U) against a_0^(2)(U) on physical held-out: relative RMS %s "
                "(target <= %g: %s)\n", desc, FY_BORNTAYLOR_TARGET_SECOND,
            demo->second_met ? "met" : "NOT MET");
    fprintf(fp, "  Hessian d^2 F_2(0) against -2K: relative Frobenius %.4f, cosine %.6f, "
                "largest entry error %.3e\n", b->rel_frobenius, b->cosine, b->max_abs_err);
    fprintf(fp, "  diagnostic: |grad F_2(0)| / |c3| = %.4f (%s)\n", demo->grad2_ratio,
            o->first_exact ? "should be near 0"
                          : "near 0 up to F_2 correcting the first-order error of F_1");
    fprintf(fp, "  proxy A_2 = T_1[F_1] + T_2[F_2] on physical held-out: relative RMS %.4f "
                "against the Born sum "
                "a^(1) + a^(2), %.4f against a_0 (the exact Born sum: %.4f)\n", demo->proxy_rel,
            demo->proxy_rel_a0, demo->born2_rel_a0);
    fprintf(fp, "\nF_1 in detail (held-out: the physical potentials):\n");
    fy_borntaylor_verify_write_text(fp, demo->bv1, "  ");
    fprintf(fp, "\nF_2 in detail (held-out: the physical potentials):\n");
    fy_borntaylor_verify_write_text(fp, demo->bv2, "  ");
    fprintf(fp, "\nfigures: %s; diagram PDFs: %d (Graphviz %s)\n",
            demo->plots ? "gradient.pdf, hessian.pdf, born_partial_sums.pdf"
                  : "none (built without PLplot; CSV files only)",
            demo->dots, demo->have_dot ? "found" : "not found");
    fprintf(fp, "time: %.1f s (data %.1f, F_1 %.1f, F_2 %.1f, verification %.1f)\n",
            fy_wall_time() - demo->t0, demo->t_data, demo->t_f1, demo->t_f2, demo->t_ver);
    fprintf(fp, "\nTARGETS %s\n", demo->first_met && demo->second_met ? "MET" : "NOT MET");
}

int _fy_borntaylor_demo_reports(fy_borntaylor_demo_t demo, fy_error_t err)
{
    char path[4096];
    fy_ofile_t of;
    int status;
    demo->files[demo->nfiles++] = "report.txt";
    demo->files[demo->nfiles++] = "report.json";
    snprintf(path, sizeof path, "%s/report.json", demo->o.dir);
    status = fy_ofile_open(of, path, err);
    if (status == FY_OK)
    {
        status = fy_borntaylor_demo_write_json(of->fp, demo, err);
        if (status == FY_OK)
            status = fy_ofile_commit(of, err);
        else
            fy_ofile_abort(of);
    }
    snprintf(path, sizeof path, "%s/report.txt", demo->o.dir);
    if (status == FY_OK && (status = fy_ofile_open(of, path, err)) == FY_OK)
    {
        fy_borntaylor_demo_write_text(of->fp, demo);
        status = fy_ofile_commit(of, err);
    }
    if (status == FY_OK)
        _fy_borntaylor_demo_say(demo, "wrote %s (targets %s)", path,
                                demo->first_met && demo->second_met ? "met" : "NOT met");
    return status;
}
