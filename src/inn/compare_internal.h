/* compare_internal.h - private interface between the comparison and the experiment of module
 * inn: the comparison's JSON object (jansson), for the demo's report to embed. */
#ifndef FEYNN_INN_COMPARE_INTERNAL_H
#define FEYNN_INN_COMPARE_INTERNAL_H

#include <jansson.h>

#include "feynn/inn.h"
#include "io/json_num.h"

/* The object of doc/schema/inn-compare.schema.json (a new reference; NULL when out of
 * memory). */
json_t *_fy_inn_compare_json_obj(const fy_inn_compare_t C, const char *model,
                                 const char *theory);

/* inn-diag (issue 12, demo_quartic.c): the diagrams of the learned quartic in the demo.
 * _fy_inn_demo_quartic fills c->Q (double) and c->trunc from the trained network; the table
 * of the largest contributions (text), its JSON object (new reference), quartic.csv and the
 * drawings of the cubic design's largest four diagrams (DOT with a caption, PDF by dot). */
#include <stdio.h>
int _fy_inn_demo_quartic(fy_inn_demo_case_struct *c, const fy_inn_t net, fy_error_t err);
int _fy_inn_demo_quartic_print(FILE *fp, const fy_inn_demo_case_struct *c, fy_error_t err);
json_t *_fy_inn_demo_quartic_json(const fy_inn_demo_case_struct *c);
/* The scan as a JSON object (a new reference): what fy_inn_scan_json writes. */
json_t *_fy_inn_scan_json_obj(const fy_inn_scan_t S);
int _fy_inn_demo_quartic_csv(FILE *fp, const fy_inn_demo_t D, fy_error_t err);
int _fy_inn_demo_quartic_figures(const char *dir, const fy_inn_demo_t D, fy_error_t err);
/* The words print.c uses for a term (fy_inn_terms_print). */
void _fy_inn_term_label(char *buf, size_t n, const fy_inn_term_struct *t,
                        fy_inn_layer_kind_t k);

/* compare.c: Cholesky a = L L^T of the d x d matrix a in place (lower part, the upper set to
 * 0); 0 when a is not positive definite or not finite (also ringfit.c). */
int _fy_inn_cholesky(double *a, int d);

#endif
