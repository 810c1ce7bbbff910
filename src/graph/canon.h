/* canon.h - internal: the canonical-form back ends behind fy_diagram_canonicalise.
 * Each sets d->canon (malloc'd string) and d->aut, and returns FY_OK or an error. */
#ifndef FEYNN_GRAPH_CANON_H
#define FEYNN_GRAPH_CANON_H

#include "feynn/graph.h"

/* Trees: AHU canonical strings, rooted at d->root when >= 0, else at the centre. (canon_tree.c) */
int _fy_canon_tree(fy_diagram_t d, fy_error_t err);
/* Graphs with loops (any graph, in fact): the exact search for graphs of at most 10 vertices
 * (faster there, and within its search budget), nauty above that when FY_HAVE_NAUTY, else the
 * exact search up to its size limit.  The choice depends only on the vertex count, so
 * isomorphic graphs always get strings from the same back end.  (canon_graph.c) */
int _fy_canon_graph(fy_diagram_t d, fy_error_t err);
/* The two graph back ends separately, so tests can compare them. */
int _fy_canon_graph_exact(fy_diagram_t d, fy_error_t err);
int _fy_canon_graph_nauty(fy_diagram_t d, fy_error_t err); /* FY_EUNSUPPORTED without nauty */

/* Pieces of the tree codes (canon_tree.c), for generators that build canonical strings of
 * trees directly.  A vertex is "(" kind ["." level] items... ")", level omitted when -1; an
 * item is a leg "<" kind [":" label] ">" (label omitted when FY_LEG_UNLABELLED) or a line
 * "-" kind followed by the child's code; items are sorted by strcmp.  The whole string is
 * "R" + code(root) for rooted trees, "U" + code(centre) for unrooted ones (for a bicentral
 * tree the smaller of the codes rooted at either centre).  Each writer returns the number of
 * characters written to buf, which must hold FY_CANON_PIECE_MAX bytes. */
#define FY_CANON_PIECE_MAX 32
int _fy_canon_tree_head(char *buf, int kind, int level);
int _fy_canon_tree_leg(char *buf, int kind, int label);
int _fy_canon_tree_line(char *buf, int kind);

#endif
