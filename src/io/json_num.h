/* json_num.h - the one JSON number of feynn's writers (layer 1, internal; jansson is not part
 * of the public headers): a finite double as a JSON real, anything else (nan, inf) as null, so
 * that no writer prints a non-number into JSON. */
#ifndef FEYNN_IO_JSON_NUM_H
#define FEYNN_IO_JSON_NUM_H

#include <math.h>

#include <jansson.h>

static inline json_t *fy_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

#endif
