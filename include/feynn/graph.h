/* feynn/graph.h - diagrams: small typed graphs with canonical forms and symmetry factors
 * (layer 2, the graph engine).
 *
 * One type serves all four theories: MLP derivative trees, INN leg-splitting trees, Born
 * ladders and NN-field-theory Feynman graphs.  A diagram has
 *   - vertices with a kind, a level (layer; -1 when the theory has none) and a valence;
 *   - lines (propagators) between two vertices (u, v), with a kind; for rooted trees u is the
 *     child and v the parent; self-loops (u == v) and multiple lines are allowed;
 *   - external legs attached to a vertex, with a label (a derivative slot or an external point;
 *     FY_LEG_UNLABELLED when legs are interchangeable) and a kind.
 * Kinds are small integers whose names come from the diagram's family (fy_family_struct), which
 * also names the theory, so that drawing and symbolic output can look up styles and labels in
 * the theory's rule file by name.
 *
 * fy_diagram_canonicalise computes a canonical string (equal for isomorphic diagrams; the
 * isomorphism respects kinds, levels, leg labels and, for rooted diagrams, the root) and |Aut|,
 * the order of the automorphism group: for trees by AHU-style canonical strings, for graphs with
 * loops by nauty when available or by an exact search for small graphs.  Automorphisms of
 * graphs count permutations of parallel lines and reversals of self-loops (the Feynman symmetry
 * factor convention).  The multiplicity and symmetry factor are exact rationals set by the
 * generator that made the diagram (their meaning depends on the family; see enumerate.h). */
#ifndef FEYNN_GRAPH_H
#define FEYNN_GRAPH_H

#include <flint/fmpq.h>
#include <flint/fmpz.h>

#include "feynn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FY_LEG_UNLABELLED (-1)

/* What a family of diagrams calls its kinds; static data owned by the generator. */
typedef struct
{
    const char *theory;                    /* "mlp", "inn", "born", "nnft", ... */
    const char *const *vertex_kind_names;  /* indexed by vertex kind */
    int n_vertex_kinds;
    const char *const *line_kind_names;    /* indexed by line kind */
    int n_line_kinds;
    const char *const *leg_kind_names;     /* indexed by leg kind */
    int n_leg_kinds;
    int rooted;                            /* 1: trees with a root (the output) */
} fy_family_struct;

typedef struct
{
    int kind;
    int level;   /* layer, or -1 */
    int valence; /* number of line ends and legs at this vertex (maintained by the adders) */
} fy_vertex_struct;

typedef struct
{
    int u, v; /* endpoints; for rooted trees u = child, v = parent */
    int kind;
} fy_line_struct;

typedef struct
{
    int vertex;
    int label; /* derivative slot / external point, or FY_LEG_UNLABELLED */
    int kind;
} fy_leg_struct;

typedef struct
{
    const fy_family_struct *family;
    int nv, nl, nlegs;
    int alloc_v, alloc_l, alloc_legs;
    fy_vertex_struct *v;
    fy_line_struct *l;
    fy_leg_struct *leg;
    int root;     /* root vertex of a rooted diagram, else -1 */
    char *canon;  /* canonical string after fy_diagram_canonicalise, else NULL */
    fmpz_t aut;   /* |Aut| after canonicalisation (0 before) */
    fmpq_t mult;  /* multiplicity, set by the generator */
    fmpq_t sym;   /* symmetry factor, set by the generator */
} fy_diagram_struct;

typedef fy_diagram_struct fy_diagram_t[1];

void fy_diagram_init(fy_diagram_t d, const fy_family_struct *family);
void fy_diagram_clear(fy_diagram_t d);
/* Deep copy; src may equal dst. */
void fy_diagram_set(fy_diagram_t dst, const fy_diagram_t src);
/* Empties the diagram, keeping its family and storage. */
void fy_diagram_reset(fy_diagram_t d);

/* Adders return the index of the new element, or -1 on allocation failure (err set).  Adding
 * a line or a leg raises the valence of its endpoints; any change drops the canonical form. */
int fy_diagram_add_vertex(fy_diagram_t d, int kind, int level, fy_error_t err);
int fy_diagram_add_line(fy_diagram_t d, int u, int v, int kind, fy_error_t err);
int fy_diagram_add_leg(fy_diagram_t d, int vertex, int label, int kind, fy_error_t err);

/* Number of independent loops: nl - nv + (number of connected components). */
int fy_diagram_loops(const fy_diagram_t d);
int fy_diagram_components(const fy_diagram_t d);
int fy_diagram_is_tree(const fy_diagram_t d);
/* One-particle irreducible: connected, and stays connected after cutting any one line. */
int fy_diagram_is_1pi(const fy_diagram_t d);

/* Computes d->canon and d->aut.  Trees (connected, no loops) use AHU canonical strings
 * (rooted at d->root when set, else at the tree's centre); other graphs use nauty or the exact
 * search.  Returns FY_OK or an error (FY_EUNSUPPORTED for a loop graph too large for the exact
 * search when nauty is absent). */
int fy_diagram_canonicalise(fy_diagram_t d, fy_error_t err);

/* Plain-text description of the structure, one line (for debugging and text tables). */
char *fy_diagram_shape_string(const fy_diagram_t d);

/* Growing list of diagrams that owns its elements. */
typedef struct
{
    fy_diagram_struct *d;
    long n, alloc;
} fy_diagram_list_struct;
typedef fy_diagram_list_struct fy_diagram_list_t[1];

void fy_diagram_list_init(fy_diagram_list_t list);
void fy_diagram_list_clear(fy_diagram_list_t list);
/* Appends a deep copy of d; returns FY_OK or FY_ENOMEM. */
int fy_diagram_list_push(fy_diagram_list_t list, const fy_diagram_t d, fy_error_t err);
/* Sorts by canonical string (all diagrams must be canonicalised): a stable output order. */
void fy_diagram_list_sort(fy_diagram_list_t list);

#ifdef __cplusplus
}
#endif
#endif
