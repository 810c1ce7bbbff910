/* canon_graph.h - internal: the multigraph view shared by the two graph back ends.
 *
 * A diagram with self-loops, parallel lines and legs is reduced to a coloured simple graph:
 *   - each vertex gets a colour from its kind, level, the kinds of its self-loops and the
 *     (kind, label) of its legs;
 *   - each unordered pair {u, v}, u != v, joined by at least one line becomes a "pair" coloured
 *     by the sorted kinds of its lines.
 * Colours are ranked by sorting their signatures (integer arrays), so the ranks are themselves
 * isomorphism invariants and the signatures can be written into the canonical string.
 *
 * Every automorphism of the diagram (a permutation of vertices, lines and legs, the Feynman
 * convention) maps to a colour-preserving automorphism of this view, and every such vertex
 * permutation lifts; the automorphisms that fix every vertex permute parallel lines of one
 * kind (m!), reverse and permute self-loops of one kind at a vertex (2^s s!) and permute legs
 * with equal (kind, label) at a vertex (c!).  So |Aut| = |Aut(view)| * kernel. */
#ifndef FEYNN_GRAPH_CANON_GRAPH_H
#define FEYNN_GRAPH_CANON_GRAPH_H

#include <stddef.h>

#include "feynn/graph.h"
#include "feynn/util.h"

typedef struct
{
    int nv;      /* vertices of the diagram */
    int *vcol;   /* colour rank of each vertex, 0 .. nvcol-1 */
    int nvcol;
    int *vcount; /* vertices per colour rank */
    int npair;
    int *pu, *pv; /* endpoints of each pair, pu < pv */
    int *pcol;    /* colour rank of each pair, 0 .. npcol-1 */
    int npcol;
    int *pcount;  /* pairs per colour rank */
    int *sig;     /* signature pool */
    int *vsig;    /* offset into sig of the signature of each vertex colour rank */
    int *psig;    /* offset into sig of the signature of each pair colour rank */
    fmpz_t kernel;
} fy_canon_view_struct;
typedef fy_canon_view_struct fy_canon_view_t[1];

int _fy_canon_view_init(fy_canon_view_t g, const fy_diagram_t d, fy_error_t err);
void _fy_canon_view_clear(fy_canon_view_t g);

/* Canonical forms are built in the library's string builder (feynn/util.h). */
typedef fy_strbuf_struct fy_canon_buf_struct;
typedef fy_canon_buf_struct fy_canon_buf_t[1];

void _fy_canon_buf_int(fy_canon_buf_t b, long x, char sep);
/* Writes the colour header: vertex colours (count and signature per rank), then pair colours. */
void _fy_canon_buf_header(fy_canon_buf_t b, const fy_canon_view_t g);
/* Moves the string into d->canon, sets d->aut = group * g->kernel. */
int _fy_canon_finish(fy_diagram_t d, fy_canon_buf_t b, const fy_canon_view_t g,
                     const fmpz_t group, fy_error_t err);

/* Largest connected component the exact back end accepts, and its search budget (nodes). */
#define FY_CANON_EXACT_MAX_VERTICES 24
#define FY_CANON_EXACT_MAX_NODES 20000000L
/* Graphs up to this many vertices use the exact search even when nauty is there. */
#define FY_CANON_EXACT_PREFERRED 10

#endif
