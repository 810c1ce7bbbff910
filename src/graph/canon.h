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


/* The canonical-labelling search (canon_search.c), shared by the exact graph back end and the
 * Feynman-graph generator's certificates.  A connected graph of n vertices: vertex v has head
 * entries vhead[v * head .. + head) (its colour, and whatever else the caller fixes) and
 * adj[v * n + w] (a pair colour, 0 for none; symmetric).  The caller refines the colours to
 * cells: rc[v] is v's cell and cell[p] the cell position p must draw from (cells in an
 * isomorphism-invariant order, each filling as many positions as it has vertices).  The code
 * of a placement perm lists, position by position, the head of perm[p] and its pair colours to
 * the earlier positions; the search leaves the greatest code in best (FY_CANON_SEG(n, head)
 * entries) and, when count is not NULL, the number of placements reaching it (the order of
 * the automorphism group) in count.  max_nodes > 0 bounds the search: over is set when it
 * would take more nodes.  perm, used and cur are workspaces (n, n and FY_CANON_SEG(n, head)
 * entries). */
#define FY_CANON_SEG(p, head) ((p) * (head) + (p) * ((p) - 1) / 2)
typedef struct
{
    int n, head;
    const int *vhead, *adj, *cell, *rc;
    int *perm, *used, *cur, *best;
    fmpz *count;
    long max_nodes;
    /* set by the search */
    int have_best, over;
    long version, nodes;
} fy_canon_search_t;
void _fy_canon_search(fy_canon_search_t *s);

#endif
