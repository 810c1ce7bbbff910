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

#endif
