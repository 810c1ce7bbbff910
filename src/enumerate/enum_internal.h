/* enum_internal.h - internal helpers shared by the generators of src/enumerate. */
#ifndef FEYNN_ENUM_INTERNAL_H
#define FEYNN_ENUM_INTERNAL_H

#include <stddef.h>

#include <flint/fmpz.h>

#include "feynn/enumerate.h"
#include "feynn/util.h"
#include "graph/canon.h" /* FY_CANON_PIECE_MAX */

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

/* Canonical strings are built in the library's string builder (feynn/util.h). */
typedef fy_strbuf_struct _fy_strbuf;

/* ---- Pools of subtree records (treepool.c), shared by the tree generators ----
 * The MLP, labelled MLP and INN generators build every subtree once, as a record: its children
 * (indices of earlier records, kept sorted by code) and its canonical code (graph/canon.h) in
 * one shared text buffer, so a parent's code is its head followed by copies of its children's
 * codes.  Each generator stores its own fields after the header: records are rec_size bytes
 * and start with an _fy_tree_rec.  A record is added in two steps, _fy_treepool_open (sorts
 * and stores the children, starts the code) then, once the generator has written the code
 * with _fy_treepool_put/_put_code, _fy_treepool_commit. */
typedef struct
{
    int nch, ch_off;           /* children: pool->ch[ch_off .. ch_off + nch), sorted by code */
    int leaves;                /* 1 for a record without children, else the children's sum */
    size_t code_off, code_len; /* code: pool->text.s[code_off .. code_off + code_len) */
} _fy_tree_rec;

typedef struct
{
    char *r; /* n records of rec_size bytes */
    size_t rec_size;
    long n, alloc;
    int *ch;
    long nch, ch_alloc;
    _fy_strbuf text;
} _fy_treepool;

void _fy_treepool_init(_fy_treepool *p, size_t rec_size);
/* Frees the pool's storage (fields the generator added, such as fmpz, are its to clear). */
void _fy_treepool_clear(_fy_treepool *p);

static inline _fy_tree_rec *_fy_treepool_rec(const _fy_treepool *p, long i)
{
    return (_fy_tree_rec *) (p->r + (size_t) i * p->rec_size);
}

/* Starts record p->n with the nch children ch (copied, sorted by code) and returns it, its
 * header set and the rest of its rec_size bytes zero; NULL (FY_ENOMEM in err) when out of
 * memory.  The pointer is valid until the next open. */
void *_fy_treepool_open(_fy_treepool *p, const int *ch, int nch, fy_error_t err);
/* Appends to the code of the open record: n bytes of s, or the code of record i. */
static inline int _fy_treepool_put(_fy_treepool *p, const char *s, size_t n)
{
    return fy_strbuf_putn(&p->text, s, n);
}
static inline int _fy_treepool_put_code(_fy_treepool *p, int i)
{
    const _fy_tree_rec *r = _fy_treepool_rec(p, i);
    return fy_strbuf_put_self(&p->text, r->code_off, r->code_len);
}
/* Closes the open record (its code ends here) and counts it; returns its index. */
int _fy_treepool_commit(_fy_treepool *p);
/* Sorts the record indices idx[0 .. n) by code (memcmp order, which is strcmp order for codes);
 * tmp holds n ints of scratch.  Stable; takes the pool as its context, no global state. */
void _fy_treepool_sort(const _fy_treepool *p, int *idx, long n, int *tmp);
/* Sets *idx (reallocated to p->n entries) to every record with 1..max_leaves leaves, ordered
 * by leaves and then by index, and *len to their number. */
int _fy_treepool_by_leaves(int **idx, long *len, const _fy_treepool *p, int max_leaves,
                           fy_error_t err);

/* ---- MLP subtrees (mlp_trees.c), shared by the unlabelled and labelled generators ---- */
typedef struct
{
    _fy_tree_rec h;
    int layer; /* 0 for a leaf (an input vertex), else its hidden layer */
    int label; /* a leaf's slot label, or FY_LEG_UNLABELLED */
} _fy_mlp_node;
/* Adds an MLP subtree record (rec_size >= sizeof(_fy_mlp_node)) with its code: a leaf when
 * nch = 0, else a vertex at layer with the children ch.  Returns its index, or -1 (FY_ENOMEM in
 * err). */
int _fy_enum_mlp_node_add(_fy_treepool *p, int layer, int label, const int *ch, int nch,
                          fy_error_t err);
/* The start of the canonical string of every tree of the H-layer network: "R", the output's
 * head and the line to its one child.  buf holds FY_ENUM_MLP_PREFIX_MAX bytes; returns the
 * length. */
#define FY_ENUM_MLP_PREFIX_MAX (2 * FY_CANON_PIECE_MAX + 1)
int _fy_enum_mlp_prefix(char *buf, int H);
/* Appends to out the tree of the H-layer network whose output's child is record rec, with
 * aut and mult, built in d (empty on entry, emptied when appended); prefix from
 * _fy_enum_mlp_prefix, made once per list. */
int _fy_enum_mlp_take(fy_diagram_list_t out, fy_diagram_t d, const _fy_treepool *p, int rec,
                      int H, const char *prefix, int prefix_len, const fmpz_t aut,
                      const fmpq_t mult, fy_error_t err);

/* Variants with an explicit memory limit (the public functions pass the default). */
int _fy_enum_mlp_trees(fy_diagram_list_t out, int n, int H, size_t max_bytes, fy_error_t err);
int _fy_enum_mlp_labelled(fy_diagram_list_t out, int n, int H, size_t max_bytes,
                          fy_error_t err);
int _fy_enum_inn_chain(fy_diagram_list_t out, int m, int c, int kmin, int kmax,
                       size_t max_bytes, fy_error_t err);
int _fy_enum_inn_logdet(fy_diagram_list_t out, int K, size_t max_bytes, fy_error_t err);
int _fy_enum_born_ladder(fy_diagram_list_t out, int n, size_t max_bytes, fy_error_t err);

#endif
