/* feynn/io.h - model and data files (layer 1).
 *
 * Networks come in from safetensors (the export format of PyTorch and JAX), NumPy .npy (a
 * directory of NAME.npy files, one per tensor) and the documented plain-text format of
 * doc/model-format.md.  Every reader works on a byte buffer with a display name for messages,
 * validates structure, shapes and sizes before it allocates, and answers malformed input with
 * FY_EINPUT and a message naming the file, the offset or tensor or line:column, and what was
 * expected; it never crashes.  Binary floats (F64, F32, F16, BF16) are read exactly: every such
 * value is a double, hence an exact dyadic rational.  The text format keeps exact rationals as
 * well ("0.1" means 1/10), in fmpq arrays beside the doubles.
 *
 * Three levels:
 *   - fy_npy_t: one NumPy array (f8/f4/f2, either byte order, C or Fortran order, format
 *     versions 1, 2 and 3), read and written; data is held as C-order doubles.
 *   - fy_safetensors_t: a list of named tensors with dtype, shape and double data, plus the
 *     string metadata of the file; read and written.
 *   - fy_net_t: a multilayer perceptron (MATH.md 1.1) found in such a list by layer discovery
 *     (nn.Sequential and common module names, or an explicit list of layer prefixes), with the
 *     activation of each hidden layer from an option, the file's metadata, or the text format.
 * Activation names are only checked for syntax here; the rule files (a higher layer) decide
 * which names exist. */
#ifndef FEYNN_IO_H
#define FEYNN_IO_H

#include <stddef.h>
#include <stdint.h>

#include <flint/fmpq.h>

#include "feynn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ dtypes and limits */

typedef enum
{
    FY_DTYPE_F64 = 0,
    FY_DTYPE_F32 = 1,
    FY_DTYPE_F16 = 2,
    FY_DTYPE_BF16 = 3,
    FY_DTYPE_TEXT = 4,  /* exact decimal or rational text (the plain-text format) */
    FY_DTYPE_OTHER = 5  /* a dtype feynn does not read as numbers (ints, bool, fp8); no data */
} fy_dtype_t;

/* "F64", "F32", "F16", "BF16", "text", "other". */
const char *fy_dtype_name(fy_dtype_t t);
/* Bytes per element of a binary dtype (8, 4, 2, 2); 0 for TEXT and OTHER. */
size_t fy_dtype_size(fy_dtype_t t);
/* Parses "F64", "F32", "F16", "BF16" (safetensors spelling, case-insensitive, also "f8", "f4",
 * "f2" and "float64"...); returns -1 when unknown. */
int fy_dtype_from_name(const char *name);

#define FY_IO_MAX_DIMS 8
/* Largest file any reader accepts (checked before reading). */
#define FY_IO_MAX_FILE_BYTES ((size_t) 1 << 31)
/* Largest text model (each exact number costs far more than its bytes). */
#define FY_IO_MAX_TEXT_BYTES ((size_t) 1 << 28)
/* Largest safetensors JSON header (the format's own limit is 100 MB). */
#define FY_IO_MAX_HEADER_BYTES ((size_t) 100000000)
/* Largest number of tensors in one file. */
#define FY_IO_MAX_TENSORS 100000
/* Largest width of a layer and number of layers of a network. */
#define FY_IO_MAX_WIDTH 1000000
#define FY_IO_MAX_LAYERS 10000

/* ------------------------------------------------------------------ npy arrays */

typedef struct
{
    int ndim;
    size_t shape[FY_IO_MAX_DIMS];
    size_t numel;
    double *data;      /* numel values in C (row-major) order */
    fy_dtype_t dtype;  /* dtype of the file read, or to write (F64, F32, F16) */
    int fortran_order; /* 1 when the file read was in Fortran order (data is C order anyway) */
    int version;       /* format major version of the file read (1, 2, 3) */
} fy_npy_struct;
typedef fy_npy_struct fy_npy_t[1];

void fy_npy_init(fy_npy_t a);
void fy_npy_clear(fy_npy_t a);
/* Sets the shape and allocates zeroed data (dtype F64). */
int fy_npy_set_shape(fy_npy_t a, int ndim, const size_t *shape, fy_error_t err);
/* Reads an .npy image from buf; name is used in messages (a path, or "<buffer>"). */
int fy_npy_read_buffer(fy_npy_t a, const uint8_t *buf, size_t len, const char *name,
                       fy_error_t err);
int fy_npy_read(fy_npy_t a, const char *path, fy_error_t err);
/* Writes a version 1.0 (2.0 when the header needs it) little-endian C-order image in a->dtype
 * (F64, F32 or F16; F32 and F16 refuse values they cannot hold exactly).  *buf is malloc'ed. */
int fy_npy_write_buffer(uint8_t **buf, size_t *len, const fy_npy_t a, fy_error_t err);
/* Writes the file atomically. */
int fy_npy_write(const char *path, const fy_npy_t a, fy_error_t err);

/* ------------------------------------------------------------------ safetensors */

typedef struct
{
    char *name;
    fy_dtype_t dtype;
    char dtype_name[16]; /* as spelled in the file ("F32", "I64", ...) */
    int ndim;
    size_t shape[FY_IO_MAX_DIMS];
    size_t numel;
    double *data;        /* numel doubles, row-major; NULL for FY_DTYPE_OTHER */
    uint64_t offset;     /* data_offsets[0] relative to the byte buffer (when read) */
} fy_tensor_struct;

typedef struct
{
    fy_tensor_struct *tensors; /* in file order of data_offsets when read */
    size_t n, alloc;
    char **meta_keys;          /* __metadata__ entries (string to string) */
    char **meta_values;
    size_t n_meta;
} fy_safetensors_struct;
typedef fy_safetensors_struct fy_safetensors_t[1];

void fy_safetensors_init(fy_safetensors_t st);
void fy_safetensors_clear(fy_safetensors_t st);
int fy_safetensors_read_buffer(fy_safetensors_t st, const uint8_t *buf, size_t len,
                               const char *name, fy_error_t err);
int fy_safetensors_read(fy_safetensors_t st, const char *path, fy_error_t err);
/* The tensor called name, or NULL. */
const fy_tensor_struct *fy_safetensors_find(const fy_safetensors_t st, const char *name);
/* The metadata value for key, or NULL. */
const char *fy_safetensors_meta(const fy_safetensors_t st, const char *key);
/* Appends a tensor (data copied; NULL data means zeros) to be written in dtype (F64, F32, F16,
 * BF16).  Names must be unique. */
int fy_safetensors_add(fy_safetensors_t st, const char *name, fy_dtype_t dtype, int ndim,
                       const size_t *shape, const double *data, fy_error_t err);
/* Sets (or replaces) a metadata entry. */
int fy_safetensors_set_meta(fy_safetensors_t st, const char *key, const char *value,
                            fy_error_t err);
/* Serialises: header padded with spaces to a multiple of 8, tensors in the order added, data
 * contiguous.  Values a narrow dtype cannot hold exactly are refused.  *buf is malloc'ed. */
int fy_safetensors_write_buffer(uint8_t **buf, size_t *len, const fy_safetensors_t st,
                                fy_error_t err);
int fy_safetensors_write(const char *path, const fy_safetensors_t st, fy_error_t err);

/* ------------------------------------------------------------------ networks */

typedef enum
{
    FY_MODEL_AUTO = 0,     /* by magic bytes, then by extension; a directory means npy */
    FY_MODEL_SAFETENSORS,
    FY_MODEL_NPY,          /* a directory of NAME.npy files, or one .npy file per call */
    FY_MODEL_TEXT
} fy_model_format_t;

/* "auto", "safetensors", "npy", "text"; fy_model_format_from_name returns -1 when unknown. */
const char *fy_model_format_name(fy_model_format_t f);
int fy_model_format_from_name(const char *name);

typedef struct
{
    char *name;          /* layer prefix in the file ("0", "fc1", "layers.2"), or "layer L" */
    size_t n_out, n_in;
    double *W;           /* n_out x n_in, row-major */
    double *b;           /* n_out (zeros when the file has no bias) */
    fmpq *W_exact;       /* n_out * n_in exact values, or NULL (then W is exact) */
    fmpq *b_exact;       /* n_out, or NULL */
    char *activation;    /* sigma_l for hidden layers; for the last layer the optional output
                          * activation (NULL: linear output, the default) */
    char *w_tensor;      /* source tensor names; b_tensor NULL when the bias was missing */
    char *b_tensor;
    fy_dtype_t w_dtype, b_dtype;
    int transposed;      /* 1 when read from a (n_in, n_out) "kernel" (Flax/Keras naming) */
} fy_layer_struct;

typedef struct
{
    int L;                   /* number of affine layers; L - 1 hidden layers */
    fy_layer_struct *layers; /* layers[l - 1] is layer l */
    size_t *widths;          /* n_0 .. n_L */
    fy_model_format_t format;
    char *source;            /* file name as given */
    const char *activation_source; /* "option", "metadata", "file" or "none" (L == 1) */
    char **notes;            /* remarks worth printing (missing biases, ignored tensors) */
    size_t n_notes;
    char **ignored;          /* tensors ignored with ignore_extra */
    size_t n_ignored;
    int exact;               /* 1 when W_exact/b_exact are filled */
} fy_net_struct;
typedef fy_net_struct fy_net_t[1];

/* The options of the loaders by name, for fy_net_opts_struct.names. */
typedef enum
{
    FY_NET_OPT_FORMAT,
    FY_NET_OPT_ACTIVATION,
    FY_NET_OPT_OUTPUT_ACTIVATION,
    FY_NET_OPT_LAYERS,
    FY_NET_OPT_IGNORE_EXTRA,
    FY_NET_OPT_COUNT
} fy_net_opt_t;

/* Options of the loaders; zero-initialise (fy_net_opts_init) and set what is wanted. */
typedef struct
{
    fy_model_format_t format;      /* FY_MODEL_AUTO by default */
    const char *activation;        /* "tanh" (every hidden layer) or "tanh,sigmoid" (one per
                                    * hidden layer); overrides the file */
    const char *output_activation; /* activation after the last layer; overrides the file */
    const char *layers;            /* explicit layer prefixes in order: "fc_in,hidden.0,fc_out" */
    int ignore_extra;              /* ignore tensors that are not layers instead of refusing */
    int allow_no_activation;       /* leave activations NULL instead of failing when neither
                                    * option nor file names them */
    const char *const *names;      /* what the messages call the options above, indexed by
                                    * fy_net_opt_t: a program passes the names its users type
                                    * (the feynn command its flags, "--activation", ...); NULL
                                    * (the default): the fields ("fy_net_opts.activation") */
} fy_net_opts_struct;
typedef fy_net_opts_struct fy_net_opts_t[1];

void fy_net_opts_init(fy_net_opts_t o);

void fy_net_init(fy_net_t net);
void fy_net_clear(fy_net_t net);
/* Total number of weights and biases (biases count even when the file lacked them). */
size_t fy_net_num_params(const fy_net_t net);
/* Widths joined by '-' ("3-8-8-1") into buf; returns buf. */
char *fy_net_widths_str(char *buf, size_t n, const fy_net_t net);

/* Loads a network from a file (or a directory of .npy files). */
int fy_net_load(fy_net_t net, const char *path, const fy_net_opts_t opts, fy_error_t err);
/* Loads from a byte buffer; format FY_MODEL_NPY means a single .npy holding the weight of a
 * one-layer network (mostly for fuzzing).  name is used in messages. */
int fy_net_load_buffer(fy_net_t net, const uint8_t *buf, size_t len, const char *name,
                       const fy_net_opts_t opts, fy_error_t err);
/* Builds a network from named tensors by layer discovery (doc/model-format.md): tensors
 * PREFIX.weight (2-D, (out, in)), PREFIX.kernel (2-D, (in, out), transposed on reading) and
 * PREFIX.bias (1-D, optional: zeros), layers in the natural order of their prefixes ("fc2"
 * before "fc10") or in the order of opts->layers; activations from opts, else the metadata
 * "feynn.activations" or "activation" (one name, or one per hidden layer, comma-separated) and
 * "feynn.output_activation".  name is used in messages. */
int fy_net_from_tensors(fy_net_t net, const fy_safetensors_t tensors, const char *name,
                        const fy_net_opts_t opts, fy_error_t err);
/* Parses the plain-text format (doc/model-format.md). */
int fy_net_read_text_buffer(fy_net_t net, const char *text, size_t len, const char *name,
                            const fy_net_opts_t opts, fy_error_t err);

/* Saves as safetensors in dtype (F64 keeps every double exactly) with tensors named
 * nn.Sequential-style ("0.weight", "0.bias", "2.weight", ...: a Linear at every other index,
 * as in Sequential(Linear, Tanh, Linear, ...)) and metadata "format": "pt", "activation" (when
 * all hidden layers agree), "feynn.activations", "feynn.output_activation" and
 * "feynn.widths".  Exact rationals that are not doubles are written rounded to nearest. */
int fy_net_to_safetensors(fy_safetensors_t st, const fy_net_t net, fy_dtype_t dtype,
                          fy_error_t err);
int fy_net_save_safetensors(const char *path, const fy_net_t net, fy_dtype_t dtype,
                            fy_error_t err);
/* Writes the plain-text format with exact values (integers, or p/q; doubles as dyadic p/2^k),
 * so that reading it back gives the same numbers.  *text is malloc'ed and NUL-terminated. */
int fy_net_write_text_buffer(char **text, size_t *len, const fy_net_t net, fy_error_t err);
int fy_net_save_text(const char *path, const fy_net_t net, fy_error_t err);

/* The description printed by `feynn model info --format json` (doc/schema/
 * model-info.schema.json), as a NUL-terminated string to free() with indent spaces (0:
 * compact). */
int fy_net_info_json(char **json, const fy_net_t net, int indent, fy_error_t err);


/* ------------------------------------------------------------------ invertible networks
 * An invertible network (INN, MATH.md 3) maps data x in R^d to a latent z with a standard
 * normal density: z = f_L(...f_1(x)), layers[0] = f_1 acting on the data.  Every parameter is
 * kept as an exact rational (binary floats from safetensors are dyadic rationals; the text
 * format reads decimals and p/q exactly), so the action can be computed exactly, in balls or in
 * double from the same numbers.  File formats: doc/inn-format.md. */

typedef enum
{
    FY_INN_LAYER_AFFINE = 0,     /* y = W u + b, det W != 0, log-det ln|det W| */
    FY_INN_LAYER_COUPLING = 1,   /* y_A = u_A, y_B = u_B + g(u_A), g_b = G_{b a a'} u_a u_a' */
    FY_INN_LAYER_ELEMENTWISE = 2, /* y_i = u_i + gamma_i u_i^2, log-det sum ln(1 + 2 gamma_i u_i) */
    FY_INN_LAYER_CUBIC = 3        /* y_i = u_i + gamma_i u_i^3, log-det sum ln(1 + 3 gamma_i u_i^2):
                                   * monotone (invertible on all of R) where gamma_i >= 0 */
} fy_inn_layer_kind_t;

/* "affine", "coupling", "elementwise", "cubic"; fy_inn_layer_kind_from_name returns -1 when
 * unknown. */
const char *fy_inn_layer_kind_name(fy_inn_layer_kind_t k);
int fy_inn_layer_kind_from_name(const char *name);

typedef struct
{
    fy_inn_layer_kind_t kind;
    char *name;     /* layer name in the file ("layers.0", "affine 1", ...) */
    /* affine: W (d x d, row-major: y_i = sum_j W[i d + j] u_j + b_i) and b (d entries; NULL
     * means zero bias).  NULL for the other kinds. */
    fmpq *W;
    fmpq *b;
    /* coupling: the passive set A (nA indices, ascending) and the shifted set B (nB indices,
     * ascending), disjoint, together 0..d-1 (a split may leave B empty: the identity);
     * G[(t * nA + r) * nA + s] = G_{B[t], A[r], A[s]}, symmetric in r, s.  NULL otherwise. */
    int nA, nB;
    int *A, *B;
    fmpq *G;
    /* elementwise and cubic: gamma (d entries).  NULL otherwise. */
    fmpq *gamma;
} fy_inn_layer_struct;

typedef struct
{
    int d;                        /* dimension of data and latent */
    int nlayers;
    fy_inn_layer_struct *layers;  /* layers[0] acts on the data */
    char *source;                 /* file name as given (messages) */
    fy_model_format_t format;     /* FY_MODEL_TEXT or FY_MODEL_SAFETENSORS */
} fy_inn_struct;
typedef fy_inn_struct fy_inn_t[1];

void fy_inn_init(fy_inn_t net);   /* an empty network: d = 0, no layers */
void fy_inn_clear(fy_inn_t net);
/* Appends a layer (deep copies of the arrays; b may be NULL).  Shapes and values are checked
 * (FY_EINPUT naming the layer: index ranges, split a partition of 0..d-1, G symmetric in its
 * last two indices, det W != 0 exactly).  d is fixed by the first layer (fy_inn_set_dim may
 * set it before). */
int fy_inn_set_dim(fy_inn_t net, int d, fy_error_t err);
int fy_inn_push_affine(fy_inn_t net, const char *name, const fmpq *W, const fmpq *b,
                       fy_error_t err);
int fy_inn_push_coupling(fy_inn_t net, const char *name, const int *A, int nA, const int *B,
                         int nB, const fmpq *G, fy_error_t err);
int fy_inn_push_elementwise(fy_inn_t net, const char *name, const fmpq *gamma, fy_error_t err);
/* A cubic elementwise layer y_i = u_i + gamma_i u_i^3 (issue 12, the positive quartic). */
int fy_inn_push_cubic(fy_inn_t net, const char *name, const fmpq *gamma, fy_error_t err);

/* Loads an INN from a file: safetensors (by magic bytes or extension) or the plain-text
 * format ('feynn-inn 1', or the extensions .feynn-inn, .inn, .txt).  Everything is validated
 * before it is returned, fy_inn_validate with its default limit (condition numbers up to 1e12)
 * included; on failure net is left unchanged.  Layers read from safetensors are named
 * "layers.I"; text layers without a name too.  format FY_MODEL_AUTO detects; FY_MODEL_NPY is
 * refused. */
int fy_inn_load(fy_inn_t net, const char *path, fy_error_t err);
int fy_inn_load_buffer(fy_inn_t net, const uint8_t *buf, size_t len, const char *name,
                       fy_model_format_t format, fy_error_t err);
/* Writes F64 tensors layers.I.weight/bias/G/gamma and the metadata feynn.inn.kinds,
 * feynn.inn.dim, feynn.inn.split.I and format "pt" (doc/inn-format.md); rationals that are not
 * doubles are rounded to nearest, values beyond the double range refused. */
int fy_inn_save_safetensors(const char *path, const fy_inn_t net, fy_error_t err);
/* The text format with every value exact (reading it back gives the same rationals); *text is
 * malloc'ed and NUL-terminated. */
int fy_inn_save_text(const char *path, const fy_inn_t net, fy_error_t err);
int fy_inn_write_text_buffer(char **text, size_t *len, const fy_inn_t net, fy_error_t err);

/* Validation with numbers: every affine layer's condition number (2-norm, computed in double
 * from the singular values by one-sided Jacobi after scaling W by a power of two; cond[l] for
 * affine layer l, 1 for the others, nlayers entries; cond may be NULL)
 * and a refusal (FY_EINPUT, naming the layer and its condition number) above max_cond (<= 0:
 * 1e12).  An exactly singular W is always refused. */
int fy_inn_validate(double *cond, const fy_inn_t net, double max_cond, fy_error_t err);
/* Total number of parameters: d^2 + d per affine layer (the bias counts when absent), the
 * symmetric half nB nA (nA + 1) / 2 of each coupling's G, d per elementwise layer. */
size_t fy_inn_num_params(const fy_inn_t net);
/* The forward map at an exact point: y[l] (d entries each, l = 0..nlayers) the input of layer
 * l (y[0] = x, y[nlayers] = z), as exact rationals (fmpq arrays allocated by the caller, each
 * initialised).  x NULL means the origin. */
int fy_inn_forward_fmpq(fmpq **y, const fy_inn_t net, const fmpq *x, fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
