/* feynn/eval.h - evaluating a tree diagram as a tensor contraction (layer 2, the engine).
 *
 * A model binds every vertex and line kind of a theory to a tensor provider: a vertex of kind
 * K at level l with k children is a diagonal tensor (one value per neuron of level l; for MLP
 * trees sigma_l^(k)(z^(l)_a), and ones for the input and output vertices), a line of kind K
 * from a child at level m up to a parent at level l is a width[l] x width[m] matrix (for MLP
 * trees the propagator D^(l,m)).  A rooted tree is contracted bottom-up: a leaf carries the
 * vector of its external leg (a unit vector e_i for a derivative slot i, or a direction v); a
 * vertex multiplies, neuron by neuron, its diagonal with the images of its children's vectors
 * under their lines; the root's vector, taken at the output component, is the value.
 *
 * For the derivative tensor of an MLP (MATH.md 1.3-1.4) a diagram G from fy_enum_mlp_trees
 * contributes to d^n F / dx_I the sum over its n!/|Aut G| distinct leaf labellings, computed
 * as (1/|Aut G|) times the sum over all n! assignments of the slots to the leaves; to the
 * Taylor coefficient along v it contributes val_G(v)/|Aut G|.  Summed over all diagrams these
 * equal the fused recursion of mlp.h (exactly in rational arithmetic).
 *
 * The evaluator caches each line matrix and vertex diagonal the first time it needs it. */
#ifndef FEYNN_EVAL_H
#define FEYNN_EVAL_H

#include "feynn/error.h"
#include "feynn/graph.h"
#include "feynn/num.h"
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
    fy_arith_t arith;
    slong prec;
    int levels;       /* levels 0..levels */
    const int *width; /* width[0..levels] */
    void *ctx;
    /* Diagonal of a vertex: out gets width[level] entries in `arith`. */
    int (*vertex)(fy_numvec_t out, void *ctx, int kind, int level, int children, fy_error_t err);
    /* Matrix of a line from level m (child) up to level l (parent), width[l] x width[m]. */
    int (*line)(fy_numvec_t out, void *ctx, int kind, int l, int m, fy_error_t err);
} fy_eval_model_struct;
typedef fy_eval_model_struct fy_eval_model_t[1];

struct fy_eval_cached_struct; /* one provider value (eval.c) */
typedef struct
{
    fy_eval_model_struct model;
    struct fy_eval_cached_struct **cache;
    long ncache, alloc;
} fy_eval_struct;
typedef fy_eval_struct fy_eval_t[1];

void fy_eval_init(fy_eval_t ev, const fy_eval_model_t model);
void fy_eval_clear(fy_eval_t ev);

/* Value of one leaf-labelled tree: leaf number j (leaves counted in vertex order) carries the
 * unit vector of input slots[j].  val gets one entry. */
int fy_eval_tree_labelled(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                          const int *slots, fy_error_t err);
/* Contribution of the unlabelled tree G to d^n F_output / dx_{idx[0]}..dx_{idx[n-1]}:
 * (1/|Aut G|) * sum over all assignments of the n slots to the n leaves.  G must be
 * canonicalised (G->aut set). */
int fy_eval_tree_entry(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                       const int *idx, fy_error_t err);
/* The same for every sorted multi-index: T (re-made, dim = width[0], order = leaves of G). */
int fy_eval_tree_tensor(fy_symtensor_t T, fy_eval_t ev, const fy_diagram_t G, int output,
                        fy_error_t err);
/* Contribution to the Taylor coefficient along v: val_G(v) / |Aut G| (every leg carries v). */
int fy_eval_tree_directional(fy_numvec_t val, fy_eval_t ev, const fy_diagram_t G, int output,
                             const fy_numvec_t v, fy_error_t err);

/* Ranking: perm[0..n-1] = indices of values ordered by decreasing magnitude (ties by index);
 * magnitudes are compared as doubles of |midpoint| (exactly for rationals that differ). */
int fy_eval_rank(long *perm, const fy_numvec_t values, fy_error_t err);

/* Raw template kernels per arithmetic (src/eval/eval_tpl.c); see eval.c for the plan. */
struct fy_eval_plan_struct;
#define FY_EVAL_DECLARE_RAW(SUF, EL)                                                            \
    int _fy_eval_run_##SUF(EL *res, const struct fy_eval_plan_struct *p, fy_eval_t ev,          \
                           const EL *legvec, const int *idx, int mode, int output, slong prec,  \
                           fy_error_t err);
FY_EVAL_DECLARE_RAW(d, double)
FY_EVAL_DECLARE_RAW(arb, arb_struct)
FY_EVAL_DECLARE_RAW(fmpq, fmpq)

#ifdef __cplusplus
}
#endif
#endif
