/* borntaylor_internal.h - pieces shared by the files of the borntaylor module (internal). */
#ifndef FEYNN_BORNTAYLOR_INTERNAL_H
#define FEYNN_BORNTAYLOR_INTERNAL_H

#include <jansson.h>

#include "feynn/borntaylor.h"

/* The verification report as a JSON object (the demo's report embeds it); new reference. */
json_t *_fy_borntaylor_verify_json(const fy_borntaylor_verify_t bv);

/* A progress line "demo [  t s] ..." on demo->o.log (nothing when NULL). */
void _fy_borntaylor_demo_say(const fy_borntaylor_demo_t demo, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The CSV files, the partial sums, the figures and the diagrams of the results folder. */
int _fy_borntaylor_demo_files(fy_borntaylor_demo_t demo, fy_error_t err);
/* report.json and report.txt. */
int _fy_borntaylor_demo_reports(fy_borntaylor_demo_t demo, fy_error_t err);
/* The figures of the demo (fy_plot_*): FY_OK when the PDF was written. */
int _fy_borntaylor_plot_gradient(const char *dir, const double *c3, const double *g, int d,
                                 double R, fy_error_t err);
int _fy_borntaylor_plot_hessians(const char *dir, const double *Hm, const double *He, int d,
                                 fy_error_t err);
int _fy_borntaylor_plot_partial(const char *dir, const double *rows, int npts, int nb,
                                fy_error_t err);

#endif
