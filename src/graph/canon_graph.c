/* Placeholder until the nauty / exact implementation lands. */
#include "graph/canon.h"
int _fy_canon_graph(fy_diagram_t d, fy_error_t err)
{
    (void) d;
    return fy_error_set(err, FY_EUNSUPPORTED, "graph canonical form not implemented yet");
}
