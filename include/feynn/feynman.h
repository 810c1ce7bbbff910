/* feynn/feynman.h - Feynman graphs built from a vertex multiset, with their zero-dimensional
 * counting oracle (layer 2, the enumerate module; NN field theory [HMS, H]).
 *
 * A family is given by a multiset of interaction vertices ("4:2" = two quartic vertices,
 * "3:2,4:1" = two cubic and one quartic) and a number n of external points, labelled 1..n
 * (distinct) or unlabelled (interchangeable).  The generator lists every graph made by
 * contracting all half-edges in pairs (Wick contraction), each once up to isomorphism, as an
 * fy_diagram_t of the family fy_feynman_family:
 *   - each interaction vertex of valence k has vertex kind k (FY_FEYNMAN_VERTEX_KIND(k)),
 *     level -1;
 *   - each external point x_i is a vertex of kind FY_FEYNMAN_POINT (level -1) joined by one
 *     line to the rest of the graph and carrying one leg whose label is i (1..n), or
 *     FY_LEG_UNLABELLED when the points are interchangeable.  A propagator K(x_i, x_j)
 *     between two points is a line between two point vertices (the free theory);
 *   - every line has kind 0 (the propagator); lines are unoriented.
 * d->aut is |Aut| in the Feynman convention (vertex permutations that fix labelled points,
 * times permutations of parallel lines, times reversals and permutations of self-loops),
 * d->sym = 1/|Aut| and d->mult = the number of Wick contractions (pairings of the labelled
 * half-edges of the points and of the vertices, vertices labelled too) that give the graph:
 *   mult = P / |Aut|,  P = prod_k (k!)^{c_k} c_k!  (times n! when the points are unlabelled),
 * so that over an unfiltered family sum(mult) = (N-1)!!, N = n + sum_k k c_k.
 *
 * Filters: connected; no vacuum components (every component holds an external point);
 * one-particle irreducible (1PI: connected, at least one interaction vertex, every external
 * point attached to an interaction vertex, and no line between interaction vertices is a
 * bridge, i.e. the amputated graph stays connected after cutting any one internal line);
 * no tadpoles (no line whose removal cuts off a part without external points - a 1-point
 * insertion; for vacuum graphs this means no bridges); no self-loops (no line from a vertex
 * to itself; note that [HMS] call the 2-point graph with a self-loop "the tadpole"); and a
 * loop order (loops = lines - vertices + components, point vertices included).
 *
 * The oracle is the zero-dimensional field theory, computed independently of the generator
 * with exact rationals: with Z(J, g) = E[exp(J phi + sum_k g_k phi^k / k!)] for a standard
 * Gaussian phi (E[phi^{2m}] = (2m-1)!!) and W = log Z,
 *   sum over labelled-point graphs of 1/|Aut| = n! [J^n prod g_k^{c_k}] Z      (all graphs),
 *   the same with W in place of Z                                               (connected),
 *   the same with Z/Z(0, g) = exp(W - W(0, g)) in place of Z                   (no vacuum),
 * and without the factor n! for unlabelled points.  The loop order of a connected graph is
 * fixed by its degrees (L = sum_k (k/2 - 1) c_k - n/2 + 1), so a loop filter is exact too:
 * each monomial of W is weighted by t^L before exponentiating.  Forbidding self-loops
 * replaces phi^k by the Wick-ordered :phi^k: = He_k(phi) (Hermite), whose Gaussian moments
 * count exactly the pairings with no contraction inside one vertex.  Covered exactly: any
 * combination of connected, no-vacuum, no-self-loops and a loop order.  Not covered (the
 * oracle reports FY_EUNSUPPORTED and says why): 1PI and no-tadpoles; the tests check those
 * by filtering the unfiltered list with an independent predicate. */
#ifndef FEYNN_FEYNMAN_H
#define FEYNN_FEYNMAN_H

#include <flint/fmpq.h>
#include <flint/fmpz.h>

#include "feynn/error.h"
#include "feynn/graph.h"
#include "feynn/util.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FY_FEYNMAN_MAX_TYPES 8     /* distinct vertex valences in one family */
#define FY_FEYNMAN_MAX_VALENCE 12  /* largest vertex valence */
#define FY_FEYNMAN_MAX_POINTS 16   /* external points */
#define FY_FEYNMAN_MAX_VERTICES 32 /* vertices, points included */

/* Vertex kinds in the diagrams: external points are kind 0, a k-valent vertex is kind k. */
#define FY_FEYNMAN_POINT 0
#define FY_FEYNMAN_VERTEX_KIND(k) (k)
#define FY_FEYNMAN_PROPAGATOR 0 /* the one line kind */
#define FY_FEYNMAN_LEG_POINT 0  /* the one leg kind */

/* Filters (bit flags). */
#define FY_FEYNMAN_CONNECTED 1u
#define FY_FEYNMAN_NO_VACUUM 2u     /* every component contains an external point */
#define FY_FEYNMAN_1PI 4u
#define FY_FEYNMAN_NO_TADPOLES 8u
#define FY_FEYNMAN_NO_SELF_LOOPS 16u

/* Family description ("nnft"): vertex kind names "point", "phi1" .. "phi12"; line kind
 * "propagator"; leg kind "point". */
extern const fy_family_struct fy_feynman_family;

typedef struct
{
    int valence; /* 1 .. FY_FEYNMAN_MAX_VALENCE */
    int count;   /* number of vertices of this valence, >= 0 */
} fy_feynman_vertex_struct;

typedef struct
{
    int n_points;  /* external points, 0 for vacuum graphs */
    int labelled;  /* 1: points labelled 1..n_points; 0: interchangeable */
    int n_types;   /* entries used in type[], distinct valences, kept sorted by valence */
    fy_feynman_vertex_struct type[FY_FEYNMAN_MAX_TYPES];
    unsigned filters; /* FY_FEYNMAN_* flags */
    int loops;        /* keep graphs with exactly this many loops; -1: any */
    /* NULL (fy_feynman_spec_init), or a bar the generator advances, as each graph is found,
     * by the Wick contractions it stands for (d->mult): its total is the family's number of
     * contractions (fy_feynman_oracle, or that of the family without the filters it does not
     * cover, an upper bound). */
    fy_progress_struct *progress;
} fy_feynman_spec_struct;
typedef fy_feynman_spec_struct fy_feynman_spec_t[1];

/* Vacuum, labelled points, no vertices, no filters, any loop order. */
void fy_feynman_spec_init(fy_feynman_spec_t spec);
void fy_feynman_spec_clear(fy_feynman_spec_t spec);
/* Adds count vertices of the given valence (merging with an existing type of that valence). */
int fy_feynman_spec_add_vertices(fy_feynman_spec_t spec, int valence, int count, fy_error_t err);
/* Parses "4:2" or "3:2,4:1" (valence:count, comma separated; "4" alone means one vertex) and
 * adds the vertices.  Errors name the offending position. */
int fy_feynman_spec_parse_vertices(fy_feynman_spec_t spec, const char *s, fy_error_t err);
/* Checks ranges and limits: FY_EINPUT for bad values, FY_EUNSUPPORTED beyond the limits
 * above.  An odd number of half-edges is valid (the family is empty). */
int fy_feynman_spec_validate(const fy_feynman_spec_t spec, fy_error_t err);
/* Total half-edges N = n_points + sum valence * count, and number of vertices with points. */
int fy_feynman_spec_half_edges(const fy_feynman_spec_t spec);
int fy_feynman_spec_vertices(const fy_feynman_spec_t spec);

/* Called once per graph of the family (canonicalised, aut/sym/mult set).  d is owned by the
 * generator and only valid during the call.  A non-zero return stops the generation, and is
 * returned by fy_feynman_foreach (use a value other than the FY_ codes, or set err). */
typedef int (*fy_feynman_callback_t)(const fy_diagram_t d, void *ctx, fy_error_t err);

/* Runs the generator.  Graphs come in a deterministic order (not sorted). */
int fy_feynman_foreach(const fy_feynman_spec_t spec, fy_feynman_callback_t f, void *ctx,
                       fy_error_t err);

/* Appends all graphs of the family to list (deep copies) and sorts the list by canonical
 * string, so the order is stable. */
int fy_feynman_generate(fy_diagram_list_t list, const fy_feynman_spec_t spec, fy_error_t err);

/* Counts without storing: number of graphs, sum of 1/|Aut| and sum of multiplicities (any
 * output pointer may be NULL). */
int fy_feynman_count(long *n, fmpq_t weighted_sum, fmpz_t contractions,
                     const fy_feynman_spec_t spec, fy_error_t err);

/* Sum of d->sym and of d->mult over a list. */
void fy_feynman_list_sums(fmpq_t weighted_sum, fmpz_t contractions, const fy_diagram_list_t list);

/* The oracle: the exact sum of 1/|Aut| and the number of Wick contractions the family must
 * have, from the zero-dimensional integral (see above), without generating any graph.
 * Returns FY_EUNSUPPORTED, with the reason in err, for filters it does not cover (1PI,
 * no tadpoles). */
int fy_feynman_oracle(fmpq_t weighted_sum, fmpz_t contractions, const fy_feynman_spec_t spec,
                      fy_error_t err);
/* 1 if fy_feynman_oracle covers the spec's filters exactly, else 0. */
int fy_feynman_oracle_covers(const fy_feynman_spec_t spec);

#ifdef __cplusplus
}
#endif
#endif
