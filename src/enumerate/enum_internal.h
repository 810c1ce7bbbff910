/* enum_internal.h - internal helpers shared by the generators of src/enumerate. */
#ifndef FEYNN_ENUM_INTERNAL_H
#define FEYNN_ENUM_INTERNAL_H

#include <stddef.h>

#include <flint/fmpz.h>

#include "feynn/enumerate.h"

/* Rough memory (bytes) of one diagram with these sizes held in a list, allocator overhead
 * included; generous on purpose. */
double _fy_enum_diagram_bytes(int nv, int nl, int nlegs, size_t canon_len);
/* Refuses (FY_ENOMEM, with the estimate) when count * bytes_each + extra exceeds max_bytes (0
 * means FY_ENUM_DEFAULT_MAX_BYTES); count may be +inf. */
int _fy_enum_guard(double count, double bytes_each, double extra, size_t max_bytes,
                   const char *what, fy_error_t err);
/* Fast floating-point estimates of the number of diagrams, for the guard (exact counts can take
 * long for large requests), saturating at 1e300.  The MLP one stops adding layers once above
 * stop and then returns a lower bound, which is enough to refuse. */
double _fy_enum_mlp_estimate(int n, int H, int labelled, double stop);
double _fy_enum_inn_estimate(int m, int c, int kmin, int kmax, double stop);
/* Sets canon (taking ownership of the malloc'd string s), aut, sym = 1/aut and mult. */
void _fy_enum_finish(fy_diagram_t d, char *s, const fmpz_t aut, const fmpq_t mult);
/* Appends the diagram d to the list by moving its storage (d is left empty, re-initialised
 * with its family). */
int _fy_enum_list_take(fy_diagram_list_t list, fy_diagram_t d, fy_error_t err);

/* Growable byte buffer for canonical strings. */
typedef struct
{
    char *s;
    size_t n, alloc;
} _fy_strbuf;
int _fy_strbuf_put(_fy_strbuf *b, const char *s, size_t n);

/* Variants with an explicit memory limit (the public functions pass the default). */
int _fy_enum_mlp_trees(fy_diagram_list_t out, int n, int H, size_t max_bytes, fy_error_t err);
int _fy_enum_mlp_labelled(fy_diagram_list_t out, int n, int H, size_t max_bytes,
                          fy_error_t err);
int _fy_enum_inn_chain(fy_diagram_list_t out, int m, int c, int kmin, int kmax,
                       size_t max_bytes, fy_error_t err);
int _fy_enum_inn_logdet(fy_diagram_list_t out, int K, size_t max_bytes, fy_error_t err);
int _fy_enum_born_ladder(fy_diagram_list_t out, int n, size_t max_bytes, fy_error_t err);

#endif
