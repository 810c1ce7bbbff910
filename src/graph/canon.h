/* canon.h - internal: the canonical-form back ends behind fy_diagram_canonicalise.
 * Each sets d->canon (malloc'd string) and d->aut, and returns FY_OK or an error. */
#ifndef FEYNN_GRAPH_CANON_H
#define FEYNN_GRAPH_CANON_H

#include "feynn/graph.h"

/* Trees: AHU canonical strings, rooted at d->root when >= 0, else at the centre. (canon_tree.c) */
int _fy_canon_tree(fy_diagram_t d, fy_error_t err);
/* Graphs with loops (any graph, in fact): nauty when FY_HAVE_NAUTY, else the exact search.
 * (canon_graph.c) */
int _fy_canon_graph(fy_diagram_t d, fy_error_t err);
/* The two graph back ends separately, so tests can compare them. */
int _fy_canon_graph_exact(fy_diagram_t d, fy_error_t err);
int _fy_canon_graph_nauty(fy_diagram_t d, fy_error_t err); /* FY_EUNSUPPORTED without nauty */

#endif
