/* json_ball.c - the one JSON encoding of a ball (io/json_num.h). */
#include <stdlib.h>

#include "io/json_num.h"

json_t *fy_json_ball(const arb_t x, slong digits)
{
    char *mid = NULL, *rad = NULL;
    json_t *j = NULL;

    /* json_object_set_new takes the value even when it fails (and refuses a NULL one) */
    if (fy_arb_get_str_ball(NULL, &mid, &rad, x, digits > 0 ? digits : 1) == FY_OK
        && (j = json_object()) != NULL
        && (json_object_set_new(j, "mid", json_string(mid)) != 0
            || json_object_set_new(j, "rad", json_string(rad)) != 0))
    {
        json_decref(j);
        j = NULL;
    }
    free(mid);
    free(rad);
    return j;
}
