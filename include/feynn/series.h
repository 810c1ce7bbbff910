/* feynn/series.h - symmetric tensors and truncated power series (layer 1).
 *
 * The n-th derivative of a function of d variables is a symmetric tensor of order n: it is
 * stored once per sorted multi-index i1 <= i2 <= ... <= in (C(d+n-1, n) entries instead of
 * d^n), in lexicographic order of the sorted tuples ("graded-lex" within one order):
 * (0,0,0), (0,0,1), ..., (0,0,d-1), (0,1,1), ...  The monomials of degree k in d variables
 * correspond one to one to the sorted multi-indices of order k (x0 x0 x2 <-> (0,0,2)), so a
 * truncated multivariate power series stores its coefficients degree by degree (all of degree
 * 0, then 1, ... up to the cut-off N) with the same ranking inside each degree.
 *
 * Every type carries its arithmetic (fy_arith_t, see num.h) and the algorithms are written
 * once (src/series/ *_tpl.c) and instantiated for double, Arb balls and exact rationals.  The
 * raw kernels are exported per arithmetic (suffixes _d, _arb, _fmpq) for higher layers that
 * are templates themselves.
 *
 * Conventions: outputs come first and must be initialised (any shape: they are re-made);
 * outputs may alias inputs unless said otherwise; functions that can fail return FY_OK or an
 * error code and fill err. */
#ifndef FEYNN_SERIES_H
#define FEYNN_SERIES_H

#include "feynn/error.h"
#include "feynn/num.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ multi-indices */

/* *count = C(dim + order - 1, order), the number of sorted multi-indices of the given order
 * over dim values (dim >= 1, order >= 0).  FY_ENOMEM with an estimate ("about 10^k") when it
 * does not fit a slong. */
int fy_multiindex_count(slong *count, int dim, int order, fy_error_t err);

/* Lexicographic successor of the sorted multi-index idx[0..order-1] over 0..dim-1.  Returns 1
 * and advances, or returns 0 and resets idx to (0,...,0) after the last one. */
int fy_multiindex_next(int *idx, int dim, int order);

/* order! / prod_v (multiplicity of v in idx)!: how many ordered tuples sort to idx. */
void fy_multiindex_multinomial(fmpz_t z, const int *idx, int order);

/* Ranker for sorted multi-indices of every order 0..max_order over dim values (binomial tables
 * when they are small, computed on the fly otherwise).  Initialisation validates that the
 * largest count, the number of monomials of degree <= max_order, C(dim + max_order, dim),
 * fits a slong. */
typedef struct
{
    int dim, max_order;
    slong *tab; /* tab[m * (dim + 2) + e] = C(e + m - 1, m), or NULL */
} fy_mindex_struct;
typedef fy_mindex_struct fy_mindex_t[1];

int fy_mindex_init(fy_mindex_t ix, int dim, int max_order, fy_error_t err);
void fy_mindex_clear(fy_mindex_t ix);
/* Number of sorted multi-indices of order k (k <= max_order) over e values (e <= dim + 1):
 * C(e + k - 1, k). */
slong fy_mindex_count(const fy_mindex_t ix, int e, int k);
/* Position of a sorted idx of order k among all of order k, and its inverse. */
slong fy_mindex_rank(const fy_mindex_t ix, const int *idx, int k);
void fy_mindex_unrank(const fy_mindex_t ix, int *idx, slong r, int k);
/* Number of monomials of degree < k (the offset of degree k in a series). */
slong fy_mindex_offset(const fy_mindex_t ix, int k);

/* ------------------------------------------------------------------ symmetric tensors */

typedef struct
{
    fy_numvec_struct e; /* entries by sorted multi-index, C(dim + order - 1, order) of them */
    int dim, order;
    fy_mindex_t ix;
} fy_symtensor_struct;
typedef fy_symtensor_struct fy_symtensor_t[1];

/* A zero tensor; refuses (FY_ENOMEM, with the entry count and memory estimate) before
 * allocating when the entries would not fit FY_NUMVEC_MAX_BYTES.  After a failure T is a valid
 * empty tensor (clearing is safe).  dim >= 1, order >= 0. */
int fy_symtensor_init(fy_symtensor_t T, fy_arith_t arith, int dim, int order, slong prec,
                      fy_error_t err);
void fy_symtensor_clear(fy_symtensor_t T);
/* --- api (issue 9): init that cannot fail and takes no shape, then the shape (FLINT's init +
 * fit_length).  fy_symtensor_init is fy_symtensor_init_empty + fy_symtensor_set_shape.
 * Empty: no entries (length 0, dim 0, order 0, double arithmetic, prec 53); clearing it or
 * passing it as an output is safe.  fy_symtensor_set_shape makes T (initialised, any shape) the
 * zero tensor of the given shape, releasing what T held or reusing its storage when the shape
 * and arithmetic are already those; refusals as fy_symtensor_init (T is then empty). */
void fy_symtensor_init_empty(fy_symtensor_t T);
int fy_symtensor_set_shape(fy_symtensor_t T, fy_arith_t arith, int dim, int order, slong prec,
                           fy_error_t err);
void fy_symtensor_swap(fy_symtensor_t a, fy_symtensor_t b);
static inline slong fy_symtensor_len(const fy_symtensor_t T)
{
    return T->e.len;
}
/* Storage position of the entry of an unsorted index tuple idx[0..order-1]; -1 when an index
 * is outside 0..dim-1. */
slong fy_symtensor_index(const fy_symtensor_t T, const int *idx);
/* Set an entry by an unsorted index tuple. */
int fy_symtensor_set_fmpq(fy_symtensor_t T, const int *idx, const fmpq_t v, fy_error_t err);
int fy_symtensor_set_si(fy_symtensor_t T, const int *idx, slong v, fy_error_t err);
/* Typed pointer to an entry (NULL when the arithmetic differs or an index is out of range). */
double *fy_symtensor_entry_d(const fy_symtensor_t T, const int *idx);
arb_ptr fy_symtensor_entry_arb(const fy_symtensor_t T, const int *idx);
fmpq *fy_symtensor_entry_fmpq(const fy_symtensor_t T, const int *idx);

/* z = x in another arithmetic (see fy_numvec_convert; z == x allowed). */
int fy_symtensor_convert(fy_symtensor_t z, fy_arith_t arith, slong prec,
                         const fy_symtensor_t x, fy_error_t err);
/* Dense row-major d^n array (entry (i1..in) at sum i_k d^(n-k)), same arithmetic.  Refuses
 * when d^n overflows or exceeds FY_NUMVEC_MAX_BYTES. */
int fy_symtensor_to_dense(fy_numvec_t D, const fy_symtensor_t T, fy_error_t err);
/* From a dense d^n array, checking symmetry first: exact entries must be equal, balls must
 * overlap, doubles must agree to relative tolerance rtol.  FY_EINPUT names the first pair of
 * index tuples that disagree. */
int fy_symtensor_from_dense(fy_symtensor_t T, const fy_numvec_t D, int dim, int order,
                            double rtol, fy_error_t err);

/* Contraction of all but `keep` slots with h (length dim, same arithmetic as T):
 * out_J = T[h, ..., h, e_J], a symmetric tensor of order keep (keep = 0: the full contraction
 * T[h,...,h], one entry).  Computed over sorted multi-indices with multinomial weights. */
int fy_symtensor_contract(fy_symtensor_t out, const fy_symtensor_t T, const fy_numvec_t h,
                          int keep, fy_error_t err);

/* Entrywise (same arithmetic and shape). */
int fy_symtensor_add(fy_symtensor_t z, const fy_symtensor_t x, const fy_symtensor_t y,
                     fy_error_t err);
int fy_symtensor_sub(fy_symtensor_t z, const fy_symtensor_t x, const fy_symtensor_t y,
                     fy_error_t err);
int fy_symtensor_scale_fmpq(fy_symtensor_t z, const fy_symtensor_t x, const fmpq_t c,
                            fy_error_t err);

/* Comparisons across arithmetics (same shape, else NaN / 0): the largest entry difference; the
 * relative Frobenius distance ||x - y|| / ||y|| of the dense tensors (sorted entries weighted by
 * their multinomials); whether every entry of the exact tensor lies in the ball tensor. */
double fy_symtensor_max_abs_diff(const fy_symtensor_t x, const fy_symtensor_t y);
double fy_symtensor_rel_frobenius(const fy_symtensor_t x, const fy_symtensor_t y);
int fy_symtensor_contains(const fy_symtensor_t ball, const fy_symtensor_t exact);
/* The inner product of the dense tensors, <x, y> = sum over sorted multi-indices alpha of
 * multinomial(alpha) x_alpha y_alpha, in double (entries of exact and ball tensors taken as
 * the nearest double of the value or midpoint; double tensors summed in index order), so that
 * <x, x> is the squared Frobenius norm of fy_symtensor_rel_frobenius.  NaN when the shapes
 * differ. */
double fy_symtensor_dot(const fy_symtensor_t x, const fy_symtensor_t y);

/* --- randtest (issue 9): random test tensors (see fy_numvec_randtest in num.h).
 * fy_symtensor_randtest: T re-made with dim uniform in 1..max_dim, order in 0..max_order and
 * random entries of `arith` at precision prec (balls with random midpoints and radii).
 * fy_symtensor_randtest_point: P (exact, T's shape) = a point inside each ball of T (ends,
 * midpoint or a random interior point; exact and double entries copied exactly).  FY_EINPUT for
 * bad bounds or a non-finite ball (the output is then empty) and for P == T (T unchanged). */
int fy_symtensor_randtest(fy_symtensor_t T, uint64_t *state, fy_arith_t arith, int max_dim,
                          int max_order, slong prec, fy_error_t err);
int fy_symtensor_randtest_point(fy_symtensor_t P, uint64_t *state, const fy_symtensor_t T,
                                fy_error_t err);

/* ------------------------------------------------------------------ power series */

/* Truncated power series in nvars variables, all monomials of total degree <= deg: the
 * coefficient of x^a (exponent vector a) sits at fy_mindex_offset(|a|) + rank(sorted a).
 * With nvars = 1 this is univariate Taylor arithmetic, coefficient k at position k. */
typedef struct
{
    fy_numvec_struct c;
    int nvars, deg;
    fy_mindex_t ix;
} fy_mseries_struct;
typedef fy_mseries_struct fy_mseries_t[1];

int fy_mseries_init(fy_mseries_t s, fy_arith_t arith, int nvars, int deg, slong prec,
                    fy_error_t err);
void fy_mseries_clear(fy_mseries_t s);
/* --- api (issue 9): as for symmetric tensors, an init that cannot fail (empty: no
 * coefficients, nvars 0, deg 0, double, prec 53) and the shape afterwards (the zero series;
 * storage reused for the same shape, released otherwise; refusals as fy_mseries_init, s is
 * then empty).  fy_mseries_init is fy_mseries_init_empty + fy_mseries_set_shape. */
void fy_mseries_init_empty(fy_mseries_t s);
int fy_mseries_set_shape(fy_mseries_t s, fy_arith_t arith, int nvars, int deg, slong prec,
                         fy_error_t err);
void fy_mseries_swap(fy_mseries_t a, fy_mseries_t b);
static inline slong fy_mseries_len(const fy_mseries_t s)
{
    return s->c.len;
}
/* Position of the monomial with exponents exps[0..nvars-1]; -1 when an exponent is negative or
 * the total degree exceeds deg.  fy_mseries_monomial is the inverse. */
slong fy_mseries_index(const fy_mseries_t s, const int *exps);
void fy_mseries_monomial(int *exps, const fy_mseries_t s, slong i);
int fy_mseries_set_fmpq(fy_mseries_t s, const int *exps, const fmpq_t v, fy_error_t err);
int fy_mseries_set_si(fy_mseries_t s, const int *exps, slong v, fy_error_t err);
int fy_mseries_convert(fy_mseries_t z, fy_arith_t arith, slong prec, const fy_mseries_t x,
                       fy_error_t err);

/* Ring operations, truncated at the common degree (x and y must agree in arithmetic, nvars
 * and deg). */
int fy_mseries_add(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err);
int fy_mseries_sub(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err);
int fy_mseries_scale_fmpq(fy_mseries_t z, const fy_mseries_t x, const fmpq_t c,
                          fy_error_t err);
int fy_mseries_mul(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err);
/* z = x / y; y's constant term must be nonzero (FY_EINPUT if it is exactly zero). */
int fy_mseries_div(fy_mseries_t z, const fy_mseries_t x, const fy_mseries_t y, fy_error_t err);
int fy_mseries_inv(fy_mseries_t z, const fy_mseries_t x, fy_error_t err);

/* Composition with known functions, by their differential equations applied to the grading
 * (the Euler operator), so they work for any nvars: exp, log(1 + x), sin, cos, tanh (t' =
 * (1 - t^2) x').  In exact arithmetic the constant term must be 0 (these functions are
 * irrational at nonzero rationals): FY_EUNSUPPORTED otherwise.  log1p needs a constant term
 * other than -1. */
int fy_mseries_exp(fy_mseries_t z, const fy_mseries_t x, fy_error_t err);
int fy_mseries_log1p(fy_mseries_t z, const fy_mseries_t x, fy_error_t err);
int fy_mseries_sin_cos(fy_mseries_t s, fy_mseries_t c, const fy_mseries_t x, fy_error_t err);
int fy_mseries_tanh(fy_mseries_t z, const fy_mseries_t x, fy_error_t err);

/* Raw kernels per arithmetic, on coefficient arrays of fy_mindex_offset(ix, deg + 1) entries
 * (ix NULL: univariate, deg + 1 entries).  Outputs must not alias inputs; they return FY_OK,
 * FY_EUNSUPPORTED (exact arithmetic, nonzero constant term) or FY_EINPUT (zero divisor).
 * _fy_symtensor_contract: out (count(dim, keep) entries) = T[h,..,h, e_J] for the order-`order`
 * tensor T. */
#define FY_SERIES_DECLARE_RAW(SUF, EL)                                                          \
    void _fy_symtensor_contract_##SUF(EL *out, const EL *T, const EL *h, const fy_mindex_t ix,  \
                                      int order, int keep, slong prec);                         \
    void _fy_mseries_mul_##SUF(EL *z, const EL *x, const EL *y, const fy_mindex_struct *ix,     \
                               int deg, slong prec);                                            \
    int _fy_mseries_div_##SUF(EL *z, const EL *x, const EL *y, const fy_mindex_struct *ix,      \
                              int deg, slong prec);                                             \
    int _fy_mseries_exp_##SUF(EL *z, const EL *x, const fy_mindex_struct *ix, int deg,          \
                              slong prec);                                                      \
    int _fy_mseries_log1p_##SUF(EL *z, const EL *x, const fy_mindex_struct *ix, int deg,        \
                                slong prec);                                                    \
    int _fy_mseries_sin_cos_##SUF(EL *s, EL *c, const EL *x, const fy_mindex_struct *ix,        \
                                  int deg, slong prec);                                         \
    int _fy_mseries_tanh_##SUF(EL *z, const EL *x, const fy_mindex_struct *ix, int deg,         \
                               slong prec);
FY_SERIES_DECLARE_RAW(d, double)
FY_SERIES_DECLARE_RAW(arb, arb_struct)
FY_SERIES_DECLARE_RAW(fmpq, fmpq)

#ifdef __cplusplus
}
#endif
#endif
