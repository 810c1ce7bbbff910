/* Internal pieces of the INN type shared by inn_net.c and inn_text.c. */
#ifndef FEYNN_IO_INN_INTERNAL_H
#define FEYNN_IO_INN_INTERNAL_H

#include "feynn/io.h"

/* Largest dimension of an INN, and largest number of entries of one coupling's G (checked
 * before anything is allocated). */
#define FY_INN_MAX_DIM 4096
#define FY_INN_MAX_G ((size_t) 1 << 23)

/* "FILE: layer I ('NAME', KIND)" into buf (the place every message about a layer names). */
char *fy_inn_where(char *buf, size_t n, const fy_inn_t net, int l, const char *name,
                   fy_inn_layer_kind_t kind);

/* 1 when the d x d rational matrix W (row-major) is invertible. */
int fy_inn_matrix_invertible(const fmpq *W, int d);

/* Condition number in the 2-norm of affine layer l's W (double, one-sided Jacobi SVD). */
int fy_inn_affine_cond(double *cond, const fy_inn_t net, int l, fy_error_t err);

/* Reads and writes the text format (inn_text.c). */
int fy_inn_read_text_buffer(fy_inn_t net, const char *text, size_t len, const char *name,
                            fy_error_t err);

/* Reads and writes the safetensors layout (inn_net.c). */
int fy_inn_from_tensors(fy_inn_t net, const fy_safetensors_t st, const char *name,
                        fy_error_t err);
int fy_inn_to_safetensors(fy_safetensors_t st, const fy_inn_t net, fy_error_t err);

#endif
