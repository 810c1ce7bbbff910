/* inn_internal.h - private interface of module inn: one layer as a linear-plus-quadratic map
 * of displacements, and the pull-back kernels instantiated per arithmetic. */
#ifndef FEYNN_INN_INTERNAL_H
#define FEYNN_INN_INTERNAL_H

#include "feynn/inn.h"

/* Largest order the kernels take (multi-index work arrays on the stack). */
#define FY_INN_MAX_ORDER 64

/* A layer at its expansion point, in exact rationals: dy = L (du + Q(du, du)), plus the
 * log-det series sum_i sum_n (-1)^(n+1) (c_i du_i)^n / n when c != NULL.  L is d x d
 * row-major (dy_i = sum_j L[i d + j] v_j) or NULL for the identity; Q is a list of entries
 * (b, a, a', q) meaning Q(v, v)_b += q v_a v_a', every ordered pair (a, a') listed. */
/* A cubic elementwise layer (issue 12) is diagonal: dy = L (du + qd du^2 + r3 du^3)
 * componentwise (qd, r3: d entries; nq = 0), and its log-det series is that of
 * ln(1 + c_i du_i + c2_i du_i^2) (c2 != NULL). */
typedef struct
{
    int d;
    fmpq *L;
    slong nq, allocq;
    int *qb, *qa, *qc;
    fmpq *q;
    fmpq *c;
    fmpq *qd, *r3, *c2;
} fy_inn_lmap_struct;
typedef fy_inn_lmap_struct fy_inn_lmap_t[1];

void _fy_inn_lmap_init(fy_inn_lmap_t M, int d);
void _fy_inn_lmap_clear(fy_inn_lmap_t M);
/* The map of layer l of net at the exact point u0 (its input); r receives the factor whose
 * logarithm is the layer's constant log-det (|det W|, 1, prod (1 + 2 gamma u0)).  FY_EINPUT
 * when an elementwise Jacobian is <= 0 at the point. */
int _fy_inn_lmap_set(fy_inn_lmap_t M, fmpq_t r, const fy_inn_t net, int l, const fmpq *u0,
                     fy_error_t err);

/* inn-diag (issue 12): T := T o L, every slot of the symmetric tensor T transformed by the
 * d x d matrix L (row-major, exact), in T's arithmetic. */
int _fy_inn_carry(fy_symtensor_t T, const fmpq *L, fy_error_t err);
/* The diagram of a cubic layer's term with n3 >= 1 legs split in three (fy_inn_term_diagram):
 * the source vertex with its passing legs, n split vertices of two legs and n3 of three. */
int _fy_inn_cubic_term_diagram(fy_diagram_t d, const fy_inn_term_struct *t, fy_error_t err);

/* Pull-back kernels.  in and out are arrays of K + 1 pointers to sorted tensor entries
 * (order k: C(d + k - 1, k) entries, ranked by ix); out is overwritten (it must not alias in).
 * terms, when not NULL, receives the contributions separately: terms[m * (K / 2 + 1) + n] the
 * n-split term of order m (n = 0: the pass term), logdet[m] the log-det vertex of order m;
 * each must point to zeroed storage of order m.  ws is a workspace from _fy_inn_ws_init for
 * the same d and an order >= K, reused across the layers.  Root: the latent Gaussian about
 * z0.  For a cubic layer (M->r3) terms is laid out by (n2, n3), the legs split in two and in
 * three: terms[m * FY_INN_CUBIC_NT(K) + n2 * (K / 3 + 1) + n3] (issue 12). */
#define FY_INN_CUBIC_NT(K) (((K) / 2 + 1) * ((K) / 3 + 1))
#define FY_INN_DECLARE_RAW(SUF, EL)                                                           \
    int _fy_inn_pull_##SUF(EL **out, EL **terms, EL **logdet, EL *const *in,                 \
                           const fy_inn_lmap_t M, const fy_mindex_t ix, int K, void *ws,     \
                           slong prec, fy_error_t err);                                       \
    void *_fy_inn_ws_init_##SUF(int d, int K);                                                \
    void _fy_inn_ws_clear_##SUF(void *ws);                                                    \
    void _fy_inn_root_##SUF(EL **out, const fmpq *z0, const fy_mindex_t ix, int K,           \
                            slong prec);
FY_INN_DECLARE_RAW(d, double)
FY_INN_DECLARE_RAW(arb, arb_struct)
FY_INN_DECLARE_RAW(fmpq, fmpq)

#endif
