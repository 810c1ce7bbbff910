/* feynn/born.h - S-wave scattering length and the Born series of step potentials (layer 4).
 *
 * The flagship application of feynn compares the Taylor expansion of a network trained to
 * predict the S-wave scattering length with the Born series (MATH.md 2).  This module provides
 * the physics side, every piece exact or certified:
 *   - step potentials U = U_j on (r_{j-1}, r_j], j = 1..d, with exact rational breakpoints and
 *     heights, read from the plain-text format of doc/potential-format.md;
 *   - the Born terms a_0^(n) as exact rationals: values for one potential (the univariate
 *     series of a_0(lambda U) through the product of step transfer matrices, MATH.md 2.3) and
 *     the full symmetric coefficient tensors d^n a_0(0) (the same product over a multivariate
 *     truncated series in U_1..U_d);
 *   - a_0 itself in ball arithmetic (cos/sin/cosh/sinh transfer matrices) to a requested number
 *     of certified digits, with the count of zero-energy bound states (nodes of u) that decides
 *     whether the Born series converges, and the couplings lambda_1^(+-) at which lambda U or
 *     -lambda U first binds (the radius of convergence of the Born series in lambda);
 *   - a reproducible generator of random shallow attractive potentials with their a_0, written
 *     as safetensors or npy.
 *
 * Conventions (stated in every output of the `feynn born` commands): units hbar = 2 mu = 1, so
 * U = 2 mu V / hbar^2 = V; the zero-energy radial equation is u'' = U u, u(0) = 0, u'(0) = 1,
 * and a_0 = R - u(R)/u'(R), so that weak attraction gives a_0 < 0.  Physical units (V in MeV,
 * r in fm, reduced mass mu in MeV/c^2) are converted exactly on reading:
 * U = 2 mu V / (hbar c)^2 in fm^-2 with hbar c = 197.3269804 MeV fm taken as the exact decimal. */
#ifndef FEYNN_BORN_H
#define FEYNN_BORN_H

#include <stdint.h>

#include <flint/fmpq.h>
#include <flint/fmpq_poly.h>

#include "feynn/error.h"
#include "feynn/num.h"
#include "feynn/series.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The convention in one line, for outputs. */
#define FY_BORN_CONVENTION                                                                   \
    "units hbar = 2 mu = 1, U = 2 mu V / hbar^2; u'' = U u, u(0) = 0; "                      \
    "a_0 = R - u(R)/u'(R) (weak attraction gives a_0 < 0)"

/* The sign of reported scattering lengths.  Everything in this module is computed in the
 * standard sign, a_0 = R - u(R)/u'(R) (weak attraction gives a_0 < 0); FY_BORN_SIGN_OPPOSITE
 * reports -a_0 (weak attraction positive, the other convention in use): fy_born_apply_sign
 * turns results into it, and fy_born_convention states it. */
enum
{
    FY_BORN_SIGN_STANDARD = 0,
    FY_BORN_SIGN_OPPOSITE = 1
};
#define FY_BORN_CONVENTION_OPPOSITE                                                          \
    "units hbar = 2 mu = 1, U = 2 mu V / hbar^2; u'' = U u, u(0) = 0; "                      \
    "a_0 = -(R - u(R)/u'(R)) (opposite sign: weak attraction gives a_0 > 0)"

/* hbar c in MeV fm, the exact decimal used by the physical units. */
#define FY_BORN_HBARC_STR "197.3269804"

/* Largest number of steps a potential may have (checked before allocating). */
#define FY_BORN_MAX_STEPS 1000000
/* Largest potential file read. */
#define FY_BORN_MAX_FILE_BYTES ((size_t) 1 << 26)

/* ------------------------------------------------------------------ potentials */

typedef struct
{
    slong d;      /* number of steps, >= 1 */
    fmpq *r;      /* d + 1 breakpoints, r[0] = 0 < r[1] < ... < r[d] = R */
    fmpq *U;      /* d heights: U[j-1] on (r[j-1], r[j]], in units hbar = 2 mu = 1 */
    int physical; /* 1 when read in MeV and fm (then U is in fm^-2, r in fm) */
    fmpq_t mu;    /* reduced mass in MeV/c^2 when physical, else 0 */
} fy_born_potential_struct;
typedef fy_born_potential_struct fy_born_potential_t[1];

void fy_born_potential_init(fy_born_potential_t pot);
void fy_born_potential_clear(fy_born_potential_t pot);
/* pot = src (deep copy). */
int fy_born_potential_set(fy_born_potential_t pot, const fy_born_potential_t src,
                          fy_error_t err);
/* d equal steps on (0, R] (R > 0, 1 <= d <= FY_BORN_MAX_STEPS); heights U[0..d-1], or all zero
 * when U is NULL. */
int fy_born_potential_set_steps(fy_born_potential_t pot, slong d, const fmpq_t R,
                                const fmpq *U, fy_error_t err);
/* Breakpoints r[0..d] (r[0] = 0, strictly increasing) and heights U[0..d-1]. */
int fy_born_potential_set_breakpoints(fy_born_potential_t pot, slong d, const fmpq *r,
                                      const fmpq *U, fy_error_t err);
/* Same steps, heights scaled: pot = lambda * src (pot == src allowed). */
int fy_born_potential_scale(fy_born_potential_t pot, const fy_born_potential_t src,
                            const fmpq_t lambda, fy_error_t err);

/* The range R = r[d]. */
static inline const fmpq *fy_born_potential_range(const fy_born_potential_t pot)
{
    return pot->r + pot->d;
}

/* hbar c = 197.3269804 exactly (MeV fm). */
void fy_born_hbarc(fmpq_t z);
/* U = 2 mu V / (hbar c)^2 (fm^-2) from V in MeV and mu in MeV/c^2, exactly. */
void fy_born_physical_to_natural(fmpq_t U, const fmpq_t V, const fmpq_t mu);

/* Parses the potential format of doc/potential-format.md from text[0..len-1]; name is used in
 * messages, which read "NAME:LINE:COLUMN: expected ..., found ...".  default_range is the
 * range when the file gives neither `range` nor breakpoints (NULL: 1).  FY_EINPUT on bad
 * input, FY_ENOMEM beyond the limits. */
int fy_born_potential_parse(fy_born_potential_t pot, const char *text, size_t len,
                            const char *name, const fmpq_t default_range, fy_error_t err);
/* Reads a file ("-" is standard input). */
int fy_born_potential_read(fy_born_potential_t pot, const char *path,
                           const fmpq_t default_range, fy_error_t err);
/* Writes the potential in the same format (exact values; natural units, with `breakpoints`),
 * so that parsing it back gives the same potential.  *text is malloc'd, NUL-terminated. */
int fy_born_potential_write(char **text, const fy_born_potential_t pot, fy_error_t err);

/* ------------------------------------------------------------------ sign convention */

/* The convention line of a sign (FY_BORN_CONVENTION or FY_BORN_CONVENTION_OPPOSITE), and its
 * name ("standard", "opposite"); static strings. */
const char *fy_born_convention(int sign);
const char *fy_born_sign_name(int sign);
/* Results of the standard sign put in sign: the Born terms terms[0..n-1] (NULL: none), the
 * tensors T[0..nT-1] (NULL: none; exact, ball or double) and the enclosure a0 (NULL: none)
 * are negated for FY_BORN_SIGN_OPPOSITE and left alone for FY_BORN_SIGN_STANDARD. */
void fy_born_apply_sign(fmpq *terms, slong n, fy_symtensor_struct *T, slong nT, arb_t a0,
                        int sign);

/* ------------------------------------------------------------------ exact Born terms */

/* a_0(lambda U) as a power series in lambda truncated after lambda^N (N >= 1), exact:
 * s = sum_n a_0^(n) lambda^n (the constant term is 0). */
int fy_born_series(fmpq_poly_t s, const fy_born_potential_t pot, int N, fy_error_t err);
/* terms[n-1] = a_0^(n)(U) for n = 1..N (terms holds N initialised fmpqs). */
int fy_born_terms(fmpq *terms, const fy_born_potential_t pot, int N, fy_error_t err);

/* a_0 as a multivariate series in U_1..U_d (variables 0..d-1) through total degree N, exact:
 * the degree-n part is a_0^(n)(U).  Only the breakpoints of pot are used.  s is re-made. */
int fy_born_mseries(fy_mseries_t s, const fy_born_potential_t pot, int N, fy_error_t err);
/* T = d^n a_0(0), the symmetric tensor of order n >= 1 over the d heights (exact; entry
 * (i1..in) = alpha! times the coefficient of the monomial U^alpha of the series).  Only the
 * breakpoints of pot are used.  T is re-made. */
int fy_born_tensor(fy_symtensor_t T, const fy_born_potential_t pot, int n, fy_error_t err);
/* T[n-1] = d^n a_0(0) for n = 1..N from one series (T holds N initialised tensors). */
int fy_born_tensors(fy_symtensor_struct *T, const fy_born_potential_t pot, int N,
                    fy_error_t err);
/* The same from a series already computed (order n <= s->deg). */
int fy_born_tensor_from_mseries(fy_symtensor_t T, const fy_mseries_t s, int n, fy_error_t err);

/* ------------------------------------------------------------------ a_0 in ball arithmetic */

typedef struct
{
    arb_struct a0;      /* enclosure of a_0 */
    arb_struct u, up;   /* enclosures of u(R) and u'(R) (u'(0) = 1) */
    slong nodes;        /* nodes of u on (0, R] */
    slong bound_states; /* zero-energy bound states: nodes + [u(R) u'(R) < 0] */
    int shallow;        /* no bound state and u'(R) > 0: the Born series converges for U <= 0 */
    slong prec;         /* working precision of the last run (bits) */
    slong digits;       /* significant decimal digits certified */
} fy_born_a0_struct;
typedef fy_born_a0_struct fy_born_a0_t[1];

void fy_born_a0_init(fy_born_a0_t res);
void fy_born_a0_clear(fy_born_a0_t res);

/* a_0 = R - u(R)/u'(R) with at least `digits` certified significant digits (1..100000), and
 * the node count.  Precision is raised until both are decided (up to about 64 digits per
 * digit asked plus the size of the phases).  FY_ECHECK when a_0 cannot be certified (u'(R) = 0
 * within the enclosure: a bound state at threshold, a_0 infinite) or the nodes cannot be
 * counted; res then holds the widest enclosures reached and the message says why. */
int fy_born_a0(fy_born_a0_t res, const fy_born_potential_t pot, slong digits, fy_error_t err);

/* Number of zero-energy bound states of lambda U (lambda NULL: 1), and *shallow (may be NULL)
 * = no bound state and u'(R) > 0. */
int fy_born_bound_states(slong *k, int *shallow, const fy_born_potential_t pot,
                         const fmpq_t lambda, fy_error_t err);

/* The smallest lambda > 0 at which sign * lambda * U is no longer shallow (sign = +1 or -1),
 * i.e. where a zero-energy bound state appears, bracketed by bisection on the node count to
 * relative width rtol (1e-12 <= rtol < 1): lambda_1 lies in [lo, hi].  When sign * U has no
 * attractive step, no coupling binds: lo = hi = +inf (arb_pos_inf).  lambda1 is the ball
 * [lo, hi] (either output may be NULL). */
int fy_born_lambda1(arb_t lambda1, fmpq_t lo, const fy_born_potential_t pot, int sign,
                    double rtol, fy_error_t err);

/* Radius of convergence of the Born series sum_n lambda^n a_0^(n)(U): min(lambda_1^+,
 * lambda_1^-) (a ball; +inf for U = 0).  The series converges at lambda = 1 when the ball lies
 * above 1. */
int fy_born_radius(arb_t rho, const fy_born_potential_t pot, double rtol, fy_error_t err);

/* FY_OK when the Born series of pot converges to a_0 (radius > 1, which for U <= 0 is the
 * absence of bound states); FY_ECHECK otherwise with a message naming the bound states and the
 * radius, saying that the Born terms are Taylor coefficients at U = 0 but do not sum to a_0. */
int fy_born_check_convergence(const fy_born_potential_t pot, fy_error_t err);

/* ------------------------------------------------------------------ data sets */

/* Random shallow attractive potentials (doc/potential-format.md, "Data sets"): d equal steps on
 * (0, R]; w_j ~ U(0,1) independently; lambda_1(w) bracketed from below; s = v lambda_1(w) /
 * (1 + margin) with v ~ U(0,1); U_j = -s w_j rounded to double.  The rounded potential is
 * checked exactly to have no bound state at coupling 1 + margin (else redrawn), so every sample
 * has lambda_1(U) >= 1 + margin.  a0 is computed in ball arithmetic from the stored doubles
 * (as exact dyadic rationals) and rounded to the nearest double.  The generator is rng.h's
 * keyed by `seed` (purpose FY_RNG_PURPOSE_BORN_DATA, stream = sample): the same options give
 * the same bytes. */
typedef struct
{
    slong n, d;
    double R, margin;
    uint64_t seed;
    double *U;          /* n x d, row-major */
    double *a0;         /* n */
    char *description;  /* the distribution, in words */
} fy_born_data_struct;
typedef fy_born_data_struct fy_born_data_t[1];

void fy_born_data_init(fy_born_data_t data);
void fy_born_data_clear(fy_born_data_t data);
/* n >= 1 samples (at most 10^8), d steps, range R > 0, margin >= 0 (finite); progress: 1 on,
 * 0 off, -1 when stderr is a terminal. */
int fy_born_data_generate(fy_born_data_t data, slong n, slong d, double R, double margin,
                          uint64_t seed, int progress, fy_error_t err);
/* safetensors: tensors "U" (n x d, F64) and "a0" (n, F64) and metadata (feynn.kind,
 * description, seed, d, R, margin, n, convention). */
int fy_born_data_write_safetensors(const char *path, const fy_born_data_t data,
                                   fy_error_t err);
/* npy: the folder dir gets U.npy, a0.npy and metadata.json (the same metadata), written as a
 * whole through the output-folder mechanism (fy_outdir_open: dir then holds exactly these
 * files and a manifest; a non-empty folder feynn did not write is refused unless force). */
int fy_born_data_write_npy(const char *dir, const fy_born_data_t data, int force,
                           fy_error_t err);
/* Reads a data set written by fy_born_data_write_safetensors (or any safetensors file with F64
 * tensors U (n x d) and a0 (n)): the range R from the metadata (else 1), margin (else NaN),
 * seed (else 0) and description (else NULL).  FY_EINPUT naming the file when the tensors are
 * missing or their shapes disagree.  data is re-made. */
int fy_born_data_read_safetensors(fy_born_data_t data, const char *path, fy_error_t err);

/* Everything `feynn born data` writes, feynn reads (issue 10, item 5).  The formats of a data
 * set: safetensors (one file), npy (a folder of U.npy, a0.npy and metadata.json) and text (one
 * file: "# key: value" metadata lines, then one row "U_1 .. U_d a0" per sample, doubles
 * printed with 17 significant digits so that reading them back gives the same bits). */
enum
{
    FY_BORN_DATA_SAFETENSORS = 0,
    FY_BORN_DATA_NPY = 1,
    FY_BORN_DATA_TEXT = 2
};
/* "safetensors", "npy", "text" (NULL for another value); static strings. */
const char *fy_born_data_format_name(int format);
/* The format of what path holds, from the path itself: a folder is npy; a file is safetensors
 * when its first 8 bytes give a header length that fits the file and the header opens with
 * '{', and text otherwise.  FY_EINPUT naming the path for a single .npy array (a data set in
 * npy is the folder), FY_EIO when it cannot be opened. */
int fy_born_data_detect(int *format, const char *path, fy_error_t err);
/* Writes data in format (the npy folder as fy_born_data_write_npy without force). */
int fy_born_data_write(const char *path, const fy_born_data_t data, int format,
                       fy_error_t err);
/* The text format (above), written atomically. */
int fy_born_data_write_text(const char *path, const fy_born_data_t data, fy_error_t err);
/* Reads a data set in any format fy_born_data_write writes, detected from the path
 * (fy_born_data_detect).  Every format gives the same data: U (n x d), a0 (n), and from the
 * metadata when present the range R (else 1), margin (else NaN), seed (else 0) and the
 * description (else NULL).  Metadata that disagree with the arrays (n, d) are refused, as are
 * missing or misshapen arrays and non-finite values, with FY_EINPUT naming the file (text:
 * FILE:LINE:COLUMN).  data is re-made. */
int fy_born_data_read(fy_born_data_t data, const char *path, fy_error_t err);
/* The npy folder written by fy_born_data_write_npy (metadata.json optional) and the text
 * format, read as fy_born_data_read does. */
int fy_born_data_read_npy(fy_born_data_t data, const char *dir, fy_error_t err);
int fy_born_data_read_text(fy_born_data_t data, const char *path, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
