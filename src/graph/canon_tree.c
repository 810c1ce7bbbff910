/* Placeholder until the AHU implementation lands. */
#include "graph/canon.h"
int _fy_canon_tree(fy_diagram_t d, fy_error_t err)
{
    (void) d;
    return fy_error_set(err, FY_EUNSUPPORTED, "tree canonical form not implemented yet");
}
