/* feynn/par.h - runs beyond one process: MPI ranks, fixed-order reductions, job scans and
 * resumable chunk stores (layer 3 of doc/design.md; it needs only util and error).
 *
 * What it is for.  A Monte Carlo ensemble of 10^9 networks or a scan over widths outgrows one
 * machine and one sitting.  This module gives the rest of the library four things, each with
 * the same meaning whether feynn was built with MPI or not (without MPI, or when the process
 * was not started by mpirun / srun, there is one rank and every call is a local one):
 *   - the ranks: fy_par_init / fy_par_finalize around a command, and groups (fy_par_world: the
 *     ranks of the run; fy_par_self: this process alone);
 *   - block decomposition: [0, n) cut into contiguous, balanced parts by global index;
 *   - the ordered reduction: a sum is DEFINED as the left-to-right sum of partial sums over
 *     fixed blocks of the global index range, blocks whose size never depends on the number of
 *     ranks or threads; each rank computes the partials of its blocks and rank 0 adds them in
 *     block order.  So the result is the same double, bit for bit, for 1, 2, 3, ... ranks (a
 *     plain MPI_Reduce adds rank totals in an order of the library's choosing);
 *   - the job scan: independent jobs handed out by rank 0 to the ranks that ask (dynamic load
 *     balance), results gathered on rank 0 in job order; with a chunk store, each result is
 *     written as it arrives and a restarted scan runs only the jobs whose results are missing;
 *   - the chunk store: a folder of completed chunks of a long run.  Each chunk file is written
 *     atomically (temporary file, fsync, rename) and carries a header naming the run (a text of
 *     the run's parameters), its index, its length and a 64-bit checksum (FNV-1a); a chunk of
 *     another run, a truncated or damaged one, is never read back, only recomputed.
 *
 * Rank 0 alone reads and writes a chunk store, and alone prints.  Collective calls (marked so)
 * must be made by every rank of the group in the same order. */
#ifndef FEYNN_PAR_H
#define FEYNN_PAR_H

#include <stddef.h>
#include <stdint.h>

#include "feynn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ ranks */
/* 1 when feynn was built with MPI. */
int fy_par_built_with_mpi(void);

/* Starts MPI when feynn was built with it and the process was started by a launcher (mpirun,
 * mpiexec, srun: the variables OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK), or when the
 * environment says FEYNN_MPI=1; FEYNN_MPI=0 keeps the process alone.  Otherwise (and in a
 * build without MPI) there is one rank.  Idempotent; fy_par_finalize ends MPI if this module
 * started it.  argc, argv may be NULL. */
int fy_par_init(int *argc, char ***argv, fy_error_t err);
void fy_par_finalize(void);

/* The rank of this process and the number of ranks of the run (0 and 1 without MPI). */
int fy_par_rank(void);
int fy_par_size(void);

/* A group of ranks that work together on one computation. */
typedef struct
{
    int rank, size;
    int world; /* 1: the ranks of the run (MPI_COMM_WORLD); 0: this process alone */
} fy_par_struct;
typedef fy_par_struct fy_par_t[1];

void fy_par_world(fy_par_t p); /* every rank of the run */
void fy_par_self(fy_par_t p);  /* this process alone (rank 0 of 1) */

/* ------------------------------------------------------------------ decomposition */
/* Part `part` of `parts` of [0, n): [lo, hi) with lo = floor(n part / parts), so the parts are
 * contiguous, in order, cover [0, n) exactly and differ in length by at most one. */
void fy_par_split(uint64_t *lo, uint64_t *hi, uint64_t n, int parts, int part);
/* The number of blocks of size bs (> 0) of [0, n): block b is [b bs, min((b + 1) bs, n)). */
uint64_t fy_par_nblocks(uint64_t n, uint64_t bs);

/* ------------------------------------------------------------------ ordered reduction */
/* acc[i] += parts[b len + i] for b = 0, 1, ..., nparts - 1 in that order (the left fold that
 * defines every sum of this module). */
void fy_par_fold(double *acc, const double *parts, uint64_t nparts, size_t len);

/* Collective.  Blocks [0, nblocks) are split over the group with fy_par_split; this rank holds
 * the partials of its blocks [lo, hi) in local ((hi - lo) x len, block-major).  On rank 0, acc
 * becomes acc + partial 0 + partial 1 + ... in block order (fy_par_fold over every block);
 * acc is left as it was on the other ranks.  The memory of rank 0 grows by one rank's share. */
int fy_par_reduce_ordered(double *acc, const double *local, size_t len, uint64_t nblocks,
                          const fy_par_t p, fy_error_t err);

/* Collective.  Blocks [0, nblocks) of block_bytes bytes each are split over the group with
 * fy_par_split; this rank holds its blocks [lo, hi) in local.  On rank 0, all (nblocks x
 * block_bytes) receives every block in block order; all is not touched on the other ranks (may
 * be NULL there).  With one rank it is a copy (local may equal all). */
int fy_par_gather(void *all, const void *local, size_t block_bytes, uint64_t nblocks,
                  const fy_par_t p, fy_error_t err);

/* Collective.  buf (bytes) of rank 0 is copied to every rank. */
int fy_par_bcast(void *buf, size_t bytes, const fy_par_t p, fy_error_t err);

/* Collective.  Every rank brings its status rc (and err filled where rc != FY_OK); every rank
 * leaves with the same status: FY_OK if all were, else the status of the lowest failing rank,
 * whose message all ranks then hold.  Call it before a collective step that a failure on one
 * rank must cancel everywhere. */
int fy_par_agree(int rc, const fy_par_t p, fy_error_t err);

/* ------------------------------------------------------------------ chunk store */
typedef struct
{
    char *dir; /* the folder */
    char *run; /* the text naming the run */
    /* resume (issue 15): what fy_par_scan found in this store, added up over its calls (rank
     * 0): chunks read back and used; chunks present but unusable, recomputed */
    uint64_t resumed, refused;
} fy_par_store_struct;
typedef fy_par_store_struct fy_par_store_t[1];

/* The state of a chunk as read back. */
enum
{
    FY_PAR_CHUNK_OK = 0,     /* present, of this run, complete, checksum right */
    FY_PAR_CHUNK_ABSENT = 1, /* no file */
    FY_PAR_CHUNK_BAD = 2     /* present but not usable: another run, truncated, damaged */
};

void fy_par_store_init(fy_par_store_t st);
/* Opens (creates, like mkdir -p) the folder dir for the run named by run (any text without
 * NUL: the parameters that determine the chunks' contents).  It writes dir/RUN, a text copy of
 * run for people (never read back by feynn; the chunks carry their own header). */
int fy_par_store_open(fy_par_store_t st, const char *dir, const char *run, fy_error_t err);
void fy_par_store_clear(fy_par_store_t st);

/* The path of chunk k (malloc'ed): dir/chunk-NNNNNNNN.fyc. */
char *fy_par_store_path(const fy_par_store_t st, uint64_t k, fy_error_t err);

/* Writes chunk k (len bytes) atomically: a reader sees the old file or the whole new one. */
int fy_par_store_put(fy_par_store_t st, uint64_t k, const void *data, size_t len,
                     fy_error_t err);

/* Reads chunk k back.  *state says what was found; with FY_PAR_CHUNK_OK *data (malloc'ed,
 * free()) and *len hold the chunk, else *data is NULL and why (when not NULL, why_len bytes)
 * says what was wrong.  The status is an error only for what stops the run (out of memory, a
 * folder that cannot be read); a missing or unusable chunk is a state, not an error. */
int fy_par_store_get(void **data, size_t *len, int *state, const fy_par_store_t st, uint64_t k,
                     char *why, size_t why_len, fy_error_t err);

/* Removes chunk k (no error if absent). */
void fy_par_store_remove(fy_par_store_t st, uint64_t k);

/* FNV-1a, 64 bits, of len bytes continuing from h (start with FY_PAR_FNV_INIT). */
#define FY_PAR_FNV_INIT UINT64_C(0xcbf29ce484222325)
uint64_t fy_par_fnv1a(uint64_t h, const void *data, size_t len);

/* ---- resume (issue 15): stores handed to library scans.  A command opens the store (rank
 * 0 only; on the other ranks it stays unopened, st->dir NULL) naming what it knows of the run
 * (the command, its options); the library function that takes it adds, once, the text of
 * everything its chunks depend on (the parsed inputs, sizes, seeds, precision, derived
 * numbers), so that a chunk of any other run is refused even where the command line looks
 * the same.  The run's name becomes run + text (text should end in a newline); dir/RUN is
 * rewritten.  FY_EUSAGE on an unopened store. */
int fy_par_store_extend(fy_par_store_t st, const char *text, fy_error_t err);

/* 1 when st is not NULL and open (a store that fy_par_scan reads and writes). */
int fy_par_store_is_open(const fy_par_store_struct *st);

/* ------------------------------------------------------------------ job scan */
/* One job: fills *out (malloc'ed, or NULL with *len 0) with the result of job j. */
typedef int (*fy_par_job_fn)(void **out, size_t *len, uint64_t job, void *ctx, fy_error_t err);

/* Collective.  Runs jobs [0, njobs).  One rank: in order, here.  Several: rank 0 hands out job
 * indices one at a time to the ranks that ask and collects the results (it computes none
 * itself).  On rank 0, res[j] (malloc'ed) and len[j] hold the result of job j in job order;
 * on the other ranks they are left NULL / 0.  With a store (rank 0's; may be NULL), the
 * results already there are read back and not recomputed, and each new one is written as it
 * arrives, so a killed scan restarted with the same run resumes.  *resumed (may be NULL) is
 * the number of jobs read back, *refused the number of unusable chunks recomputed (also added
 * to store->resumed, store->refused).  An unopened store (dir NULL) counts as none.  A failing
 * job stops the scan on every rank with its error. */
int fy_par_scan(void **res, size_t *len, uint64_t njobs, fy_par_job_fn fn, void *ctx,
                fy_par_store_t store, uint64_t *resumed, uint64_t *refused, const fy_par_t p,
                fy_error_t err);

#ifdef __cplusplus
}
#endif
#endif
