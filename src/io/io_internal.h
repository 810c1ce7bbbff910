/* Internal helpers shared by the readers and writers of the io module. */
#ifndef FEYNN_IO_INTERNAL_H
#define FEYNN_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <flint/fmpq.h>

#include "feynn/io.h"

/* strdup reporting FY_ENOMEM. */
char *fy_io_strdup(const char *s, fy_error_t err);
char *fy_io_strndup(const char *s, size_t n, fy_error_t err);

/* Natural order of names: runs of digits compare as numbers ("fc2" < "fc10"). */
int fy_io_natcmp(const char *a, const char *b);

/* "(8, 3)" for a shape; "()" for a scalar. */
char *fy_io_shape_str(char *buf, size_t n, int ndim, const size_t *shape);
/* "[3, 1]" multi-index of flat index k in a C-order shape. */
char *fy_io_index_str(char *buf, size_t n, int ndim, const size_t *shape, size_t k);

/* Product of the dims; returns 0 and sets *numel, or -1 on overflow of size_t or of limit. */
int fy_io_numel(size_t *numel, int ndim, const size_t *shape, size_t limit);

/* Decodes one element of a binary dtype stored at p (big_endian: byte order). */
double fy_io_decode(fy_dtype_t t, const uint8_t *p, int big_endian);
/* Encodes v little-endian into p; returns 0, or -1 when v is not exactly representable. */
int fy_io_encode(uint8_t *p, fy_dtype_t t, double v);

/* Exact number syntax of the text format: [+-] digits [. digits] [e [+-] digits], or
 * [+-] digits / digits.  Parses the longest number at s[0..n) into q (exact) and *d (the nearest
 * double, ties to even).  Returns the number of characters used, 0 when s does not start a
 * number, or -1 (with *why set) when it starts one that is out of range. */
long fy_io_parse_number(fmpq_t q, double *d, const char *s, size_t n, const char **why);

/* The nearest double to q (ties to even); returns 0, or -1 when it overflows. */
int fy_io_fmpq_get_d(double *d, const fmpq_t q);
/* q = d exactly (d finite). */
void fy_io_fmpq_set_d(fmpq_t q, double d);

/* Activation names: [A-Za-z_][A-Za-z0-9_.+-]*, at most 63 characters. */
int fy_io_activation_ok(const char *s, size_t n);

#endif
