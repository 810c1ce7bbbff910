/* rules_impl.h - internals of the rules module: the lexer of rule files and the expression
 * language of closures, polynomials and function definitions. */
#ifndef FEYNN_RULES_IMPL_H
#define FEYNN_RULES_IMPL_H

#include <stddef.h>

#include "feynn/rules.h"

/* ------------------------------------------------------------------------------ lexer */

typedef enum
{
    FY_TK_EOF = 0,
    FY_TK_NL,     /* end of a statement (newline) */
    FY_TK_WORD,   /* keyword or name: [A-Za-z_][A-Za-z0-9_!]* with '-' before a letter */
    FY_TK_NUMBER, /* [+-]digits[.digits][/digits], exact */
    FY_TK_STRING, /* "..." raw (no escapes), s/len exclude the quotes */
    FY_TK_PUNCT   /* = .. + - and other single characters */
} fy_tok_type;

typedef struct
{
    fy_tok_type type;
    const char *s;
    size_t len;
    int line, col;
} fy_tok;

typedef struct
{
    const char *text;
    size_t len, pos;
    int line, col;
    const char *file;
} fy_lexer;

void fy_lex_init(fy_lexer *lx, const char *text, size_t len, const char *file);
int fy_lex_next(fy_lexer *lx, fy_tok *t, fy_error_t err);

/* Sets err to "FILE:LINE:COL: message" and returns FY_EINPUT. */
int fy_rules_error_at(fy_error_t err, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Describes a token for "found ..." (static buffer of the caller). */
void fy_tok_describe(char *buf, size_t n, const fy_tok *t);

/* Parses an exact rational number token text ("-3", "1/2", "0.25").  Returns 0 on success. */
int fy_parse_rational(fmpq_t q, const char *s, size_t len);

/* ------------------------------------------------------------------------- expressions */

typedef enum
{
    FY_EX_CONST, /* rational */
    FY_EX_VAR,   /* the variable (s in closures, z elsewhere) */
    FY_EX_PI,
    FY_EX_PARAM, /* named parameter (index into the activation's list) */
    FY_EX_NEG,
    FY_EX_ADD,
    FY_EX_SUB,
    FY_EX_MUL,
    FY_EX_DIV,
    FY_EX_POW,   /* a ^ expo (integer) */
    FY_EX_FUNC   /* func(a) */
} fy_expr_op;

typedef enum
{
    FY_FN_EXP,
    FY_FN_LOG,
    FY_FN_LOG1P,
    FY_FN_SQRT,
    FY_FN_SIN,
    FY_FN_COS,
    FY_FN_TAN,
    FY_FN_TANH,
    FY_FN_SINH,
    FY_FN_COSH,
    FY_FN_ATAN,
    FY_FN_ERF,
    FY_FN_COUNT
} fy_func_id;

struct fy_rules_expr_struct
{
    fy_expr_op op;
    fmpq_t c;     /* FY_EX_CONST */
    int index;    /* FY_EX_PARAM: parameter index; FY_EX_FUNC: fy_func_id */
    long expo;    /* FY_EX_POW */
    int has_var;  /* the subtree mentions the variable */
    struct fy_rules_expr_struct *a, *b;
};

typedef struct
{
    const char *file; /* for messages */
    int line, col;    /* position of the first character inside the string */
    const char *var;  /* name of the variable ("s" or "z"), or NULL for constant expressions */
    int functions;    /* 1: function calls and pi allowed (function expressions) */
    int polynomial;   /* 1: polynomial rules (integer powers >= 0, division by constants) */
    char **param_names;
    int nparams;
    int *param_used;  /* set to 1 for each parameter mentioned, may be NULL */
} fy_expr_ctx;

/* Parses the len bytes at s.  On error returns FY_EINPUT with FILE:LINE:COL. */
int fy_expr_parse(fy_rules_expr_struct **out, const char *s, size_t len, const fy_expr_ctx *ctx,
                  fy_error_t err);
void fy_expr_free(fy_rules_expr_struct *e);
fy_rules_expr_struct *fy_expr_copy(const fy_rules_expr_struct *e);
/* Exact polynomial of a polynomial expression given parameter values.  FY_EINPUT when a
 * division by zero or a size limit is met (message without position). */
int fy_expr_to_poly(fmpq_poly_t p, const fy_rules_expr_struct *e, const fmpq *params,
                    fy_error_t err);

/* Registry helpers shared by parse.c and registry.c. */
int fy_rules_push_theory(fy_rules_t r, fy_theory_struct *th, fy_error_t err);
int fy_rules_push_activation(fy_rules_t r, fy_activation_struct *a, fy_error_t err);
char *fy_strdup_err(const char *s, fy_error_t err);
char *fy_strndup_err(const char *s, size_t n, fy_error_t err);

/* Checks the definition of a against its function expressions at a few points (ball
 * arithmetic); FY_EINPUT with a message (no position) when they disagree. */
int fy_activation_validate(const fy_activation_t a, fy_error_t err);

/* a's cycle arrays (functions, their sources, their values at 0) for n functions, the values
 * initialised to 0 and a->ncycle = n; FY_ENOMEM (nothing allocated, no message) when out of
 * memory.  Shared by the parser and the copy. */
int fy_activation_cycle_alloc(fy_activation_struct *a, int n);

#endif
