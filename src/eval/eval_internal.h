/* eval_internal.h - the plan of a tree diagram and the provider cache (internal). */
#ifndef FEYNN_EVAL_INTERNAL_H
#define FEYNN_EVAL_INTERNAL_H

#include "feynn/eval.h"

/* Largest number of leaves for the slot-assignment sums (subsets of slots are bit masks). */
#define FY_EVAL_MAX_LEAVES 16

enum
{
    FY_EVAL_LABELLED = 0, /* leaf j carries e_{idx[j]} */
    FY_EVAL_ENTRY = 1,    /* sum over all assignments of slots idx[0..n-1] to the leaves */
    FY_EVAL_DIRECTION = 2 /* every leaf carries legvec */
};

typedef struct fy_eval_plan_struct
{
    int nv, n, root;
    int *post;    /* vertices, children before parents */
    int *nch;     /* number of children */
    int *choff;   /* children of v: ch[choff[v] .. choff[v] + nch[v] - 1] */
    int *ch;
    int *lkind;   /* kind of the line from v up to its parent (-1 for the root) */
    int *leaves;  /* leaves below v (1 for a leaf) */
    int *leafno;  /* leaf number (vertex order) or -1 */
    int *level, *kind;
} fy_eval_plan_struct;

/* Builds the plan; FY_EINPUT when G is not a rooted tree whose leaves carry one leg each. */
int _fy_eval_plan_init(fy_eval_plan_struct *p, const fy_diagram_t G, const fy_eval_t ev,
                       fy_error_t err);
void _fy_eval_plan_clear(fy_eval_plan_struct *p);

/* Cached provider values (NULL with err set on failure). */
const fy_numvec_struct *_fy_eval_line(fy_eval_t ev, int kind, int l, int m, fy_error_t err);
const fy_numvec_struct *_fy_eval_vertex(fy_eval_t ev, int kind, int level, int children,
                                        fy_error_t err);

#endif
