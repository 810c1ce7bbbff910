/* feynn/rules.h - rule files: the vocabulary of each theory and the activation functions
 * (layer 2, the graph engine).
 *
 * A rule file (rules/NAME.rules; the format is documented in doc/rules-format.md) declares
 *   - theories: the vertex, line and leg kinds of a family of diagrams, with their valences,
 *     level constraints, value bindings, LaTeX labels and drawing styles (DOT attributes and
 *     TikZ styles), and the generator and conventions (factorial convention, sign) the theory
 *     uses.  Kind names match the names generators put in their fy_family_struct tables, so
 *     drawing and symbolic output look labels and styles up by name;
 *   - activation functions, defined by a derivative closure sigma' = p(sigma) (tanh, sigmoid,
 *     exp), as polynomials in z (identity, z + a z^2), as antiderivatives of another activation
 *     (softplus' = sigmoid), by a cycle of derivatives (sin, cos), by sigma' = A exp(-z^2)
 *     (erf; ball arithmetic only) or as piecewise linear (relu).  From the definition follow
 *     exact vertex polynomials sigma^(k) = P_k(u) of every order k (MATH.md 1.7), where u is
 *     sigma itself, the base activation, or z.
 *
 * Parsing is strict: a malformed file is refused with FY_EINPUT and a message
 * "FILE:LINE:COLUMN: expected ..., found ...".  The registry (fy_rules_t) loads every *.rules
 * file of the search path: the directories in $FEYNN_RULES_PATH (colon-separated); then, for a
 * program run from the build tree, the source tree's rules/; for an installed program, the
 * rules installed beside it (BINDIR/../share/feynn/rules, so `make install prefix=P` without
 * configuring again, or a moved tree, still finds its own rules), then $(datadir)/feynn/rules
 * as configured, and the source tree last.  A name defined in an earlier directory shadows the same name in a
 * later one; the same name twice in one directory is an error. */
#ifndef FEYNN_RULES_H
#define FEYNN_RULES_H

#include <stddef.h>

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpq_poly.h>

#include "feynn/draw.h"
#include "feynn/error.h"
#include "feynn/graph.h"
#include "feynn/num.h"

/* arb_poly.h comes with feynn/num.h. */

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the rule-file format this library reads (first statement: `feynn-rules 1`). */
#define FY_RULES_FORMAT_VERSION 1
/* Upper bound (inclusive) meaning "no limit" in valence and children ranges. */
#define FY_RULES_UNBOUNDED (-1)
/* Largest rule file read (bytes). */
#define FY_RULES_MAX_FILE (1L << 20)

/* ------------------------------------------------------------------------------ theories */

typedef enum
{
    FY_KIND_VERTEX = 0,
    FY_KIND_LINE = 1,
    FY_KIND_LEG = 2
} fy_kind_class_t;

/* "vertex", "line", "leg". */
const char *fy_kind_class_name(fy_kind_class_t cls);

/* A level bound: offset, plus the value of a theory symbol (H, L, ...) when symbol != NULL. */
typedef struct
{
    char *symbol;
    long offset;
} fy_level_bound_struct;

/* How many arrowheads a line is drawn with. */
typedef enum
{
    FY_ARROWS_DEFAULT = -1, /* not given: the drawing's default */
    FY_ARROWS_NONE = 0,
    FY_ARROWS_ONE = 1,
    FY_ARROWS_PER_DERIVATIVE = 2, /* one per derivative the line carries (leaves below it) [KM] */
    FY_ARROWS_PER_LEVEL = 3       /* one per layer the line spans (l - m) */
} fy_arrows_t;

const char *fy_arrows_name(fy_arrows_t a);

typedef struct
{
    fy_kind_class_t cls;
    char *name;
    char *description;    /* "" when absent */
    int valence_min;      /* graph.h valence: line ends + legs; default 0 */
    int valence_max;      /* FY_RULES_UNBOUNDED when open */
    int children_min;     /* rooted theories: lines from children; default 0 */
    int children_max;     /* FY_RULES_UNBOUNDED when open */
    int legs_min;         /* number of external legs on the vertex; default 0 */
    int legs_max;         /* FY_RULES_UNBOUNDED when open */
    int has_level;        /* 0: any level (or the theory has none) */
    fy_level_bound_struct level_min, level_max;
    char *label;          /* LaTeX template with %k %l %m %i %% placeholders; default: name */
    int label_given;      /* 0 when label is the default (the name) */
    char *value;          /* value binding: what the evaluator binds the kind to; "" if none */
    char *dot;            /* DOT attributes "key=value,..."; "" when absent */
    char *tikz;           /* TikZ style options; "" when absent */
    fy_arrows_t arrows;   /* lines and legs; FY_ARROWS_DEFAULT when not given */
    int line, column;     /* where it was declared */
} fy_kind_struct;

typedef struct
{
    char *name;
    char *description;
    char *generator;      /* "layered-trees", "leg-splitting", "ladders", "feynman-graphs" */
    int factorial;        /* 0: coefficients without 1/k! ("none"); 1: with 1/k! ("k!") */
    int sign;             /* +1 or -1: S = sign * ln p (see doc/rules-format.md) */
    int rooted;           /* 1: rooted trees (the root is the output), 0: graphs */
    char **symbols;       /* level symbols (H, L, ...) and their descriptions */
    char **symbol_descriptions;
    int nsymbols;
    fy_kind_struct *kinds;
    int nkinds;
    char *file;           /* where it was defined */
    int line;
} fy_theory_struct;

typedef fy_theory_struct fy_theory_t[1];

void fy_theory_init(fy_theory_t th);
void fy_theory_clear(fy_theory_t th);

/* The kind of class cls named name, or NULL. */
const fy_kind_struct *fy_theory_kind(const fy_theory_t th, fy_kind_class_t cls, const char *name);

/* Whether a valence / number of children is allowed for the kind. */
int fy_kind_valence_ok(const fy_kind_struct *k, int valence);
int fy_kind_children_ok(const fy_kind_struct *k, int children);
int fy_kind_legs_ok(const fy_kind_struct *k, int legs);

/* Whether level is allowed, given values for the theory's symbols (names[i] = values[i]).
 * Returns 1 allowed, 0 not, -1 when a bound uses a symbol not given. */
int fy_kind_level_ok(const fy_kind_struct *k, long level, const char *const *names,
                     const long *values, int n);

/* Placeholders of label templates: %k order (children or derivatives), %l level, %m the lower
 * level of a line, %i leg label / index, %% a percent sign.  A value < 0 (unset) prints the
 * letter itself, so "\sigma^{(%k)}" with k unset reads "\sigma^{(k)}". */
typedef struct
{
    long k, l, m, i;
} fy_label_vars_struct;

/* Expands template into buf (size n, always NUL-terminated).  Returns the length the full
 * expansion needs (like snprintf). */
size_t fy_rules_format_label(char *buf, size_t n, const char *tmpl, const fy_label_vars_struct *v);

/* ---------------------------------------------------------------------------- activations */

typedef enum
{
    FY_ACT_CLOSURE = 0,        /* sigma' = p(sigma); P_k(sigma) */
    FY_ACT_POLYNOMIAL = 1,     /* sigma(z) = q(z); P_k(z) = q^(k)(z), finitely many nonzero */
    FY_ACT_ANTIDERIVATIVE = 2, /* sigma' = base; P_k(u) = P^base_{k-1}(u), u = base(z) */
    FY_ACT_CYCLE = 3,          /* sigma^(k) = f_{k mod n}; no polynomial P_k */
    FY_ACT_HERMITE = 4,        /* sigma' = A exp(-z^2): sigma^(k) = A Q_k(z) exp(-z^2), ball only */
    FY_ACT_PIECEWISE_LINEAR = 5 /* slopes a (z < 0) and b (z > 0); derivatives >= 2 vanish */
} fy_act_def_t;

/* The variable u of the vertex polynomials, sigma^(k)(z) = P_k(u). */
typedef enum
{
    FY_ACT_VAR_SIGMA = 0, /* u = sigma(z) (closure) */
    FY_ACT_VAR_BASE = 1,  /* u = base(z) (antiderivative) */
    FY_ACT_VAR_Z = 2,     /* u = z (polynomial; hermite, times A exp(-z^2)) */
    FY_ACT_VAR_NONE = 3   /* no polynomial form (cycle, piecewise linear) */
} fy_act_var_t;

const char *fy_act_def_name(fy_act_def_t d);

/* A function of z (or a constant), parsed from the expression language of rule files. */
typedef struct fy_rules_expr_struct fy_rules_expr_struct;

typedef struct
{
    char *name;
    char *description;
    fy_act_def_t def;
    fy_act_var_t var;
    char *source;           /* the polynomial's text (closure or polynomial), "" otherwise */
    fy_rules_expr_struct *poly_expr; /* its parsed form, kept to re-instantiate parameters */
    fmpq_poly_t p;          /* closure p(s), polynomial q(z), or the base's closure */
    int nparams;            /* named parameters of the polynomial and their values */
    char **param_names;
    fmpq *param_values;
    char *base;             /* antiderivative: the base activation's name */
    fy_rules_expr_struct *func;      /* sigma(z), or NULL (then no values at z != 0) */
    char *func_source;
    fy_rules_expr_struct *base_func; /* antiderivative: base(z), or NULL */
    int has_at0;            /* sigma(0) rational and known */
    fmpq_t at0;
    int base_has_at0;       /* antiderivative: base(0) rational and known */
    fmpq_t base_at0;
    int ncycle;             /* cycle: f_0 = sigma, ..., f_{n-1}; f_n = f_0 */
    fy_rules_expr_struct **cycle;
    char **cycle_sources;
    fmpq *cycle_at0;        /* f_i(0) (required for a cycle) */
    fy_rules_expr_struct *prefactor; /* hermite: the constant A */
    char *prefactor_source;
    fmpq_t slope_neg, slope_pos;     /* piecewise linear */
    int ball_only;          /* no exact values anywhere */
    char *file;
    int line, column;
} fy_activation_struct;

typedef fy_activation_struct fy_activation_t[1];

void fy_activation_init(fy_activation_t a);
void fy_activation_clear(fy_activation_t a);
/* Deep copy (dst may equal src). */
int fy_activation_set(fy_activation_t dst, const fy_activation_t src, fy_error_t err);

/* P_k with sigma^(k)(z) = P_k(u), u as in a->var, for k >= 1 (k = 0 gives u itself for
 * closures, q for polynomials).  Closure: P_1 = p, P_{k+1} = P_k' p.  Polynomial: q^(k).
 * Antiderivative: P_1 = u, P_k = P^base_{k-1}.  Hermite: Q_1 = 1, Q_{k+1} = Q_k' - 2z Q_k
 * (= (-1)^k H_k), to be multiplied by A exp(-z^2).  FY_EUNSUPPORTED for cycles and piecewise
 * linear activations. */
int fy_activation_poly(fmpq_poly_t P, const fy_activation_t a, ulong k, fy_error_t err);

/* P_k from P = P_{k-1} in one step (P_k = P_{k-1}' p for closures and, from P_1 = u,
 * antiderivatives; q^(k) = (q^(k-1))' for polynomials; Q_k = Q_{k-1}' - 2z Q_{k-1} for hermite):
 * P_1..P_n in O(n) polynomial steps instead of O(n^2) with fy_activation_poly for each k.
 * For k <= 1 (P ignored) and the other definitions, the same as fy_activation_poly. */
int fy_activation_poly_next(fmpq_poly_t P, const fy_activation_t a, ulong k, fy_error_t err);

/* The largest k with sigma^(k) not identically zero, or -1 when there is none (infinitely
 * many).  Polynomials: the degree; piecewise linear: 1 (relu: all derivatives >= 2 vanish
 * away from z = 0); others: -1. */
slong fy_activation_last_nonzero(const fy_activation_t a);

/* sigma^(k)(z) exactly, when it is rational: polynomials and piecewise linear at rational z;
 * closure, antiderivative and cycle activations at z = 0 when the file gives the rational
 * value(s) there (at0).  Otherwise FY_EUNSUPPORTED with a message.  Piecewise linear at
 * z = 0 takes sigma'(0) as the left slope (PyTorch's relu'(0) = 0). */
int fy_activation_eval_fmpq(fmpq_t res, const fy_activation_t a, ulong k, const fmpq_t z,
                            fy_error_t err);

/* The same with P_k given (from fy_activation_poly or fy_activation_poly_next; read only
 * where the value is P_k at a point), so that the values of orders 1..n cost no more
 * polynomial building than the polynomials themselves. */
int fy_activation_eval_poly_fmpq(fmpq_t res, const fy_activation_t a, ulong k,
                                 const fmpq_poly_t Pk, const fmpq_t z, fy_error_t err);

/* sigma^(k)(z) as a ball containing the true value (s = sigma(z) by the function expression,
 * then P_k(s); erf by the Hermite formula).  FY_EUNSUPPORTED when the activation has no
 * function expression and z is not exactly 0 with a rational at0. */
int fy_activation_eval_arb(arb_t res, const fy_activation_t a, ulong k, const arb_t z, slong prec,
                           fy_error_t err);

/* The same in double precision (no error bound). */
int fy_activation_eval_d(double *res, const fy_activation_t a, ulong k, double z, fy_error_t err);

/* Sets a named parameter of a polynomial or closure activation and recomputes p. */
int fy_activation_set_param(fy_activation_t a, const char *name, const fmpq_t value,
                            fy_error_t err);
/* Sets parameters from "a=1/3,b=2" (decimals like 0.25 are read exactly). */
int fy_activation_set_params(fy_activation_t a, const char *spec, fy_error_t err);

/* Pretty string of a polynomial in variable var ("1 - s^2"); caller frees with flint_free. */
char *fy_rules_poly_string(const fmpq_poly_t P, const char *var);

/* Name of the variable of the vertex polynomials of a ("s", "sigmoid(z)" style "u", "z"). */
const char *fy_activation_var_name(const fy_activation_t a);

/* Evaluates an expression of the rule-file language at z (ball / double); a constant
 * expression ignores z. */
int fy_rules_expr_eval_arb(arb_t res, const fy_rules_expr_struct *e, const arb_t z, slong prec,
                           fy_error_t err);
double fy_rules_expr_eval_d(const fy_rules_expr_struct *e, double z);
/* Taylor coefficients c_0..c_{n-1} of e(z0 + t) in res (arb_poly of length n). */
int fy_rules_expr_series(arb_poly_t res, const fy_rules_expr_struct *e, const arb_t z0, slong n,
                         slong prec, fy_error_t err);

/* ------------------------------------------------------------------------------ registry */

typedef struct
{
    fy_theory_struct *theories;
    int ntheories, alloc_theories;
    fy_activation_struct *acts;
    int nacts, alloc_acts;
    char **files;          /* every file loaded, in order */
    int nfiles, alloc_files;
    int nshadowed;         /* definitions skipped because an earlier directory had the name */
} fy_rules_struct;

typedef fy_rules_struct fy_rules_t[1];

void fy_rules_init(fy_rules_t r);
void fy_rules_clear(fy_rules_t r);

/* Parses text (len bytes; NULs are refused) named filename in messages, and adds its theories
 * and activations to r.  On error r is unchanged and err says FILE:LINE:COLUMN: what was
 * expected. */
int fy_rules_parse(fy_rules_t r, const char *text, size_t len, const char *filename,
                   fy_error_t err);
int fy_rules_load_file(fy_rules_t r, const char *path, fy_error_t err);
/* Loads every *.rules file of dir in name order; names already in r are shadowed (skipped)
 * unless they come from the same directory, which is an error. */
int fy_rules_load_dir(fy_rules_t r, const char *dir, fy_error_t err);
/* Loads the whole search path (see above). */
int fy_rules_load_default(fy_rules_t r, fy_error_t err);

/* The search path: existing directories in order, as a malloc'd array of malloc'd strings
 * (free each and the array).  Never fails for missing directories; they are left out. */
int fy_rules_search_path(char ***dirs, int *n, fy_error_t err);
/* The first file named name (e.g. "mlp.rules") on the search path, malloc'd, or FY_EIO. */
int fy_rules_find_file(char **path, const char *name, fy_error_t err);

const fy_theory_struct *fy_rules_theory(const fy_rules_t r, const char *name);
const fy_activation_struct *fy_rules_activation(const fy_rules_t r, const char *name);
const fy_kind_struct *fy_rules_kind(const fy_rules_t r, const char *theory, fy_kind_class_t cls,
                                    const char *kind);
/* The kind of a diagram family's vertex/line/leg kind number, looked up by its name in the
 * theory fam->theory; NULL when absent. */
const fy_kind_struct *fy_rules_family_kind(const fy_rules_t r, const fy_family_struct *fam,
                                           fy_kind_class_t cls, int kind);
/* FY_OK when the theory exists and declares every kind name of fam, else FY_EINPUT naming the
 * first missing one. */
int fy_rules_check_family(const fy_rules_t r, const fy_family_struct *fam, fy_error_t err);

/* A style callback for the draw module (fy_draw_style_fn): ctx is a const fy_rules_struct *.
 * Fills dot, tikz, latex (only when the rule file gives a label) and arrows from the kind named
 * by the family in the theory family->theory; leaves the fields NULL / default when the theory
 * or kind is not in the registry.  Usage: opt->style = fy_rules_draw_style;
 * opt->style_ctx = (void *) rules; */
int fy_rules_draw_style(fy_draw_style_struct *style, void *ctx, const fy_family_struct *family,
                        int what, int kind, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
