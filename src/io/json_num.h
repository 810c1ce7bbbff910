/* json_num.h - the one JSON number, string and ball of feynn's writers (layer 1, internal;
 * jansson is not part of the public headers): a finite double as a JSON real, anything else
 * (nan, inf) as null, so that no writer prints a non-number into JSON; a string that stays a
 * JSON string when it is not UTF-8 (fy_json_string); and a ball as the
 * object {"mid": "<decimal>", "rad": "<decimal>"} in every command's JSON. */
#ifndef FEYNN_IO_JSON_NUM_H
#define FEYNN_IO_JSON_NUM_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feynn/num.h"

static inline json_t *fy_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* The array [v_0, ..., v_{n-1}] of fy_json_number's. */
static inline json_t *fy_json_numbers(const double *v, long n)
{
    json_t *a = json_array();
    long i;
    for (i = 0; i < n; i++)
        json_array_append_new(a, fy_json_number(v[i]));
    return a;
}

/* The one JSON string of the writers: s (NULL: ""), or, when s is not valid UTF-8 (a file name,
 * say), s with every byte >= 0x80 written as '?', rather than failing the whole document.  NULL
 * only when out of memory. */
static inline json_t *fy_json_string(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j == NULL && s != NULL)
    {
        size_t n = strlen(s) + 1, i;
        char *t = malloc(n);
        if (t == NULL)
            return NULL;
        for (i = 0; i < n; i++)
            t[i] = (unsigned char) s[i] >= 0x80 ? '?' : s[i];
        j = json_string(t);
        free(t);
    }
    return j;
}

/* The one JSON encoding of a ball, for every command: the object
 *   {"mid": "<decimal>", "rad": "<decimal>"}
 * with the two strings of the one ball printer fy_arb_get_str_ball (num.h): mid is the ball's
 * midpoint to `digits` significant digits (digits < 1: 1), rad (3 significant digits, rounded
 * up) bounds the ball's radius plus the rounding error of the printed mid, so that the interval
 * [mid - rad, mid + rad], read as exact decimals, contains every point of the ball; rad is "0"
 * only when the ball is exactly the printed mid.  Non-finite balls, one rule: rad is "inf";
 * mid is "nan", "inf" or "-inf" when the midpoint is not finite, the printed midpoint when only
 * the radius is (or the ball lies beyond about 10^+-300000).  Strings, not JSON numbers, so no
 * digit is lost to a reader's double.  NULL only when out of memory. */
json_t *fy_json_ball(const arb_t x, slong digits);

#endif
