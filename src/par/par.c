/* par.c - ranks, decomposition, the ordered reduction and the job scan (feynn/par.h).
 *
 * With MPI (FY_HAVE_MPI) the group "world" is MPI_COMM_WORLD once fy_par_init started MPI;
 * everything else, and every call of a build without MPI, is the one-rank case, written so
 * that it computes exactly what the many-rank case computes (the same folds in the same
 * order).  Messages larger than PIECE bytes go in pieces (MPI counts are ints). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef FY_HAVE_MPI
#include <mpi.h>
#endif

#include "feynn/par.h"

#ifdef FY_HAVE_MPI
#include "util/dl.h"

/* ------------------------------------------------------------------ MPI, loaded on use
 * libmpi is not linked: fy_par_init opens it (util/dl.h, RTLD_GLOBAL for Open MPI's plug-ins)
 * only when the process was started by mpirun or srun (launched() below), so a run alone never
 * maps it and is the one-rank case.  The names are pointers with mpi.h's own prototypes; Open
 * MPI's predefined handles (MPI_COMM_WORLD is &ompi_mpi_comm_world) are data symbols of the
 * library and are resolved the same way.  MPICH's handles are constants and need nothing. */
#define MPI_FN_SYMS(X) \
    X(MPI_Initialized) X(MPI_Finalized) X(MPI_Error_string) X(MPI_Init_thread) \
    X(MPI_Comm_set_errhandler) X(MPI_Finalize) X(MPI_Comm_rank) X(MPI_Comm_size) X(MPI_Send) \
    X(MPI_Recv) X(MPI_Bcast) X(MPI_Allreduce)
#ifdef OPEN_MPI
#define MPI_DATA_SYMS(X) \
    X(ompi_mpi_comm_world) X(ompi_mpi_byte) X(ompi_mpi_int) X(ompi_mpi_char) X(ompi_mpi_op_min) \
    X(ompi_mpi_errors_return) X(ompi_mpi_uint64_t)
#else
#define MPI_DATA_SYMS(X)
#endif
typedef struct
{
    MPI_FN_SYMS(FY_DL_PTR)
    MPI_DATA_SYMS(FY_DL_PTR)
} mpi_api;
static mpi_api mpi_fn;
#define MPI_SYM(name) {#name, (void **) &mpi_fn.p_##name},
static const fy_dl_sym_struct mpi_syms[] = {
    MPI_FN_SYMS(MPI_SYM) MPI_DATA_SYMS(MPI_SYM){NULL, NULL}};
static fy_dl_lib_struct mpi_lib = {"MPI", FY_SONAME_MPI, FY_PATH_MPI, "libopenmpi-dev openmpi-bin",
                                   1, mpi_syms, 0, NULL, ""};
#define MPI_Initialized (mpi_fn.p_MPI_Initialized)
#define MPI_Finalized (mpi_fn.p_MPI_Finalized)
#define MPI_Error_string (mpi_fn.p_MPI_Error_string)
#define MPI_Init_thread (mpi_fn.p_MPI_Init_thread)
#define MPI_Comm_set_errhandler (mpi_fn.p_MPI_Comm_set_errhandler)
#define MPI_Finalize (mpi_fn.p_MPI_Finalize)
#define MPI_Comm_rank (mpi_fn.p_MPI_Comm_rank)
#define MPI_Comm_size (mpi_fn.p_MPI_Comm_size)
#define MPI_Send (mpi_fn.p_MPI_Send)
#define MPI_Recv (mpi_fn.p_MPI_Recv)
#define MPI_Bcast (mpi_fn.p_MPI_Bcast)
#define MPI_Allreduce (mpi_fn.p_MPI_Allreduce)
#ifdef OPEN_MPI
#define ompi_mpi_comm_world (*mpi_fn.p_ompi_mpi_comm_world)
#define ompi_mpi_byte (*mpi_fn.p_ompi_mpi_byte)
#define ompi_mpi_int (*mpi_fn.p_ompi_mpi_int)
#define ompi_mpi_char (*mpi_fn.p_ompi_mpi_char)
#define ompi_mpi_op_min (*mpi_fn.p_ompi_mpi_op_min)
#define ompi_mpi_errors_return (*mpi_fn.p_ompi_mpi_errors_return)
#define ompi_mpi_uint64_t (*mpi_fn.p_ompi_mpi_uint64_t)
#endif
#endif

#define PIECE ((size_t) 1 << 26)
#define TAG_RED 101
#define TAG_HDR 201
#define TAG_DATA 202
#define TAG_JOB 203
#define TAG_GATHER 301
#define NO_JOB UINT64_MAX

static int started; /* 1: fy_par_init called MPI_Init */

int fy_par_built_with_mpi(void)
{
#ifdef FY_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

#ifdef FY_HAVE_MPI
static int mpi_live(void)
{
    int init = 0, fin = 0;
    if (!fy_dl_loaded(&mpi_lib))
        return 0;
    MPI_Initialized(&init);
    if (init)
        MPI_Finalized(&fin);
    return init && !fin;
}

static int launched(void)
{
    const char *v = getenv("FEYNN_MPI");
    if (v != NULL && *v)
        return strcmp(v, "0") != 0;
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMI_SIZE") != NULL
           || getenv("PMIX_RANK") != NULL || getenv("PMI_RANK") != NULL;
}

static int mpi_fail(fy_error_t err, int code, const char *what)
{
    char msg[MPI_MAX_ERROR_STRING];
    int n = 0;
    msg[0] = '\0';
    MPI_Error_string(code, msg, &n);
    return fy_error_set(err, FY_EIO, "MPI: %s failed: %s", what, msg);
}
#endif

int fy_par_init(int *argc, char ***argv, fy_error_t err)
{
#ifdef FY_HAVE_MPI
    int provided, rc;
    if (mpi_live() || !launched())
        return FY_OK;
    if ((rc = fy_dl_load(&mpi_lib, err)) != FY_OK)
        return rc;
    rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS)
        return fy_error_set(err, FY_EIO, "MPI_Init failed (started by mpirun? FEYNN_MPI=0 "
                            "runs alone)");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    started = 1;
#else
    (void) argc;
    (void) argv;
    (void) err;
#endif
    return FY_OK;
}

void fy_par_finalize(void)
{
#ifdef FY_HAVE_MPI
    if (started && mpi_live())
        MPI_Finalize();
#endif
    started = 0;
}

int fy_par_rank(void)
{
#ifdef FY_HAVE_MPI
    int r = 0;
    if (mpi_live())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
#else
    return 0;
#endif
}

int fy_par_size(void)
{
#ifdef FY_HAVE_MPI
    int s = 1;
    if (mpi_live())
        MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
#else
    return 1;
#endif
}

void fy_par_world(fy_par_t p)
{
    p->rank = fy_par_rank();
    p->size = fy_par_size();
    p->world = p->size > 1;
}

void fy_par_self(fy_par_t p)
{
    p->rank = 0;
    p->size = 1;
    p->world = 0;
}

/* ------------------------------------------------------------------ decomposition */
static uint64_t muldiv(uint64_t n, uint64_t a, uint64_t b)
{
    /* floor(n a / b) without overflow (a <= b < 2^31): n = q b + r, r a < b^2 */
    return (n / b) * a + ((n % b) * a) / b;
}

void fy_par_split(uint64_t *lo, uint64_t *hi, uint64_t n, int parts, int part)
{
    if (parts < 1 || part < 0 || part >= parts)
    {
        *lo = *hi = 0;
        return;
    }
    *lo = muldiv(n, (uint64_t) part, (uint64_t) parts);
    *hi = muldiv(n, (uint64_t) part + 1, (uint64_t) parts);
}

uint64_t fy_par_nblocks(uint64_t n, uint64_t bs)
{
    return bs ? n / bs + (n % bs != 0) : 0;
}

/* ------------------------------------------------------------------ ordered reduction */
void fy_par_fold(double *acc, const double *parts, uint64_t nparts, size_t len)
{
    uint64_t b;
    size_t i;
    for (b = 0; b < nparts; b++)
    {
        const double *q = parts + b * len;
        for (i = 0; i < len; i++)
            acc[i] += q[i];
    }
}

#ifdef FY_HAVE_MPI
static int send_bytes(const void *buf, size_t n, int dest, int tag, fy_error_t err)
{
    const char *c = buf;
    size_t off;
    for (off = 0; off < n; off += PIECE)
    {
        size_t m = n - off < PIECE ? n - off : PIECE;
        int rc = MPI_Send(c + off, (int) m, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
        if (rc != MPI_SUCCESS)
            return mpi_fail(err, rc, "MPI_Send");
    }
    return FY_OK;
}

/* buf NULL: the bytes are received and dropped. */
static int recv_bytes(void *buf, size_t n, int src, int tag, fy_error_t err)
{
    static char sink[4096];
    char *c = buf;
    size_t off;
    for (off = 0; off < n;)
    {
        size_t m = n - off < PIECE ? n - off : PIECE;
        int rc;
        if (c == NULL && m > sizeof sink)
            m = sizeof sink;
        rc = MPI_Recv(c ? c + off : sink, (int) m, MPI_BYTE, src, tag, MPI_COMM_WORLD,
                      MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return mpi_fail(err, rc, "MPI_Recv");
        off += m;
    }
    return FY_OK;
}
#endif

int fy_par_reduce_ordered(double *acc, const double *local, size_t len, uint64_t nblocks,
                          const fy_par_t p, fy_error_t err)
{
    uint64_t lo, hi;
    fy_par_split(&lo, &hi, nblocks, p->size, p->rank);
    if (!p->world || p->size == 1)
    {
        fy_par_fold(acc, local, hi - lo, len);
        return FY_OK;
    }
#ifdef FY_HAVE_MPI
    if (p->rank != 0)
        return send_bytes(local, (size_t) (hi - lo) * len * sizeof(double), 0, TAG_RED, err);
    {
        uint64_t most = 0, l, h;
        double *buf;
        int r, rc = FY_OK;
        fy_par_fold(acc, local, hi - lo, len);
        for (r = 1; r < p->size; r++)
        {
            fy_par_split(&l, &h, nblocks, p->size, r);
            if (h - l > most)
                most = h - l;
        }
        buf = most ? fy_malloc((size_t) most * len, sizeof(double), err) : NULL;
        if (most && buf == NULL)
            rc = FY_ENOMEM;
        for (r = 1; r < p->size; r++)
        {
            size_t bytes;
            fy_par_split(&l, &h, nblocks, p->size, r);
            bytes = (size_t) (h - l) * len * sizeof(double);
            /* on failure the remaining messages are still received, so that no rank hangs */
            if (recv_bytes(rc == FY_OK ? buf : NULL, bytes, r, TAG_RED, err) != FY_OK)
                rc = rc == FY_OK ? FY_EIO : rc;
            else if (rc == FY_OK)
                fy_par_fold(acc, buf, h - l, len);
        }
        free(buf);
        return rc;
    }
#else
    return fy_error_set(err, FY_EINTERNAL, "a group of several ranks without MPI");
#endif
}

int fy_par_gather(void *all, const void *local, size_t block_bytes, uint64_t nblocks,
                  const fy_par_t p, fy_error_t err)
{
    uint64_t lo, hi;
    fy_par_split(&lo, &hi, nblocks, p->size, p->rank);
    if (!p->world || p->size == 1)
    {
        if ((char *) all != (const char *) local && hi > lo)
            memmove(all, local, (size_t) (hi - lo) * block_bytes);
        return FY_OK;
    }
#ifdef FY_HAVE_MPI
    if (p->rank != 0)
        return send_bytes(local, (size_t) (hi - lo) * block_bytes, 0, TAG_GATHER, err);
    {
        char *a = all;
        uint64_t l, h;
        int r, rc = FY_OK;
        if (hi > lo && a + lo * block_bytes != (const char *) local)
            memmove(a + lo * block_bytes, local, (size_t) (hi - lo) * block_bytes);
        for (r = 1; r < p->size; r++)
        {
            fy_par_split(&l, &h, nblocks, p->size, r);
            /* on failure the remaining messages are still received, so that no rank hangs */
            if (recv_bytes(rc == FY_OK ? a + l * block_bytes : NULL,
                           (size_t) (h - l) * block_bytes, r, TAG_GATHER, err) != FY_OK)
                rc = rc == FY_OK ? FY_EIO : rc;
        }
        return rc;
    }
#else
    (void) all;
    (void) local;
    return fy_error_set(err, FY_EINTERNAL, "a group of several ranks without MPI");
#endif
}

int fy_par_bcast(void *buf, size_t bytes, const fy_par_t p, fy_error_t err)
{
    if (!p->world || p->size == 1)
        return FY_OK;
#ifdef FY_HAVE_MPI
    {
        size_t off;
        for (off = 0; off < bytes; off += PIECE)
        {
            size_t m = bytes - off < PIECE ? bytes - off : PIECE;
            int rc = MPI_Bcast((char *) buf + off, (int) m, MPI_BYTE, 0, MPI_COMM_WORLD);
            if (rc != MPI_SUCCESS)
                return mpi_fail(err, rc, "MPI_Bcast");
        }
    }
    return FY_OK;
#else
    (void) buf;
    (void) bytes;
    return fy_error_set(err, FY_EINTERNAL, "a group of several ranks without MPI");
#endif
}

int fy_par_agree(int rc, const fy_par_t p, fy_error_t err)
{
    if (!p->world || p->size == 1)
        return rc;
#ifdef FY_HAVE_MPI
    {
        int mine = rc != FY_OK ? p->rank : p->size, first = p->size, code = rc;
        char msg[FY_ERROR_MSG_LEN];
        if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
            return fy_error_set(err, FY_EIO, "MPI: MPI_Allreduce failed");
        if (first == p->size)
            return FY_OK;
        memset(msg, 0, sizeof msg);
        if (p->rank == first && err != NULL)
            memcpy(msg, err->msg, sizeof msg);
        MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
        MPI_Bcast(msg, (int) sizeof msg, MPI_CHAR, first, MPI_COMM_WORLD);
        msg[sizeof msg - 1] = '\0';
        if (p->rank != first)
            fy_error_set(err, code, "%s (rank %d)", msg, first);
        return code;
    }
#else
    (void) err;
    return rc;
#endif
}

/* ------------------------------------------------------------------ job scan */
/* Reads back the jobs already in the store; pending[j] = 1 for the others. */
static int scan_resume(void **res, size_t *len, char *pending, uint64_t njobs,
                       fy_par_store_t store, uint64_t *resumed, uint64_t *refused,
                       fy_error_t err)
{
    uint64_t j;
    for (j = 0; j < njobs; j++)
    {
        int state, rc;
        pending[j] = 1;
        if (store == NULL)
            continue;
        rc = fy_par_store_get(&res[j], &len[j], &state, store, j, NULL, 0, err);
        if (rc != FY_OK)
            return rc;
        if (state == FY_PAR_CHUNK_OK)
        {
            pending[j] = 0;
            ++*resumed;
        }
        else if (state == FY_PAR_CHUNK_BAD)
            ++*refused;
    }
    return FY_OK;
}

static int scan_serial(void **res, size_t *len, const char *pending, uint64_t njobs,
                       fy_par_job_fn fn, void *ctx, fy_par_store_t store, fy_error_t err)
{
    uint64_t j;
    int rc = FY_OK;
    for (j = 0; j < njobs && rc == FY_OK; j++)
    {
        if (!pending[j])
            continue;
        res[j] = NULL;
        len[j] = 0;
        rc = fn(&res[j], &len[j], j, ctx, err);
        if (rc == FY_OK && store != NULL)
            rc = fy_par_store_put(store, j, res[j], len[j], err);
    }
    return rc;
}

#ifdef FY_HAVE_MPI
/* Rank 0: hands out the pending jobs, receives the results. */
static int scan_dispatch(void **res, size_t *len, const char *pending, uint64_t njobs,
                         fy_par_store_t store, int size, fy_error_t err)
{
    uint64_t next = 0;
    int active = size - 1, rc = FY_OK;
    while (next < njobs && !pending[next])
        next++;
    while (active > 0)
    {
        uint64_t hdr[3], job;
        MPI_Status st;
        char *buf = NULL;
        if (MPI_Recv(hdr, 3, MPI_UINT64_T, MPI_ANY_SOURCE, TAG_HDR, MPI_COMM_WORLD, &st)
            != MPI_SUCCESS)
            return fy_error_set(err, FY_EIO, "MPI: receiving a job result failed");
        if (hdr[2] > 0)
        {
            buf = malloc((size_t) hdr[2]);
            if (buf == NULL && rc == FY_OK)
                rc = fy_error_set(err, FY_ENOMEM, "out of memory for a job result of %llu "
                                  "bytes", (unsigned long long) hdr[2]);
            if (recv_bytes(buf, (size_t) hdr[2], st.MPI_SOURCE, TAG_DATA, err) != FY_OK)
                return FY_EIO;
        }
        if (hdr[0] != NO_JOB && hdr[1] != FY_OK && rc == FY_OK)
            rc = fy_error_set(err, (int) hdr[1], "job %llu: %.900s",
                              (unsigned long long) hdr[0], buf ? buf : "failed");
        else if (hdr[0] != NO_JOB && hdr[0] < njobs && rc == FY_OK)
        {
            res[hdr[0]] = buf;
            len[hdr[0]] = (size_t) hdr[2];
            buf = NULL;
            if (store != NULL)
                rc = fy_par_store_put(store, hdr[0], res[hdr[0]], len[hdr[0]], err);
        }
        free(buf);
        job = NO_JOB;
        if (rc == FY_OK && next < njobs)
        {
            job = next++;
            while (next < njobs && !pending[next])
                next++;
        }
        if (job == NO_JOB)
            active--;
        if (MPI_Send(&job, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_JOB, MPI_COMM_WORLD)
            != MPI_SUCCESS)
            return fy_error_set(err, FY_EIO, "MPI: handing out a job failed");
    }
    return rc;
}

/* Ranks > 0: ask, compute, send back, until told to stop. */
static int scan_work(fy_par_job_fn fn, void *ctx, fy_error_t err)
{
    uint64_t hdr[3] = {NO_JOB, FY_OK, 0}, job;
    void *out = NULL;
    size_t n = 0;
    for (;;)
    {
        const void *data = out;
        fy_error_t e2;
        if (MPI_Send(hdr, 3, MPI_UINT64_T, 0, TAG_HDR, MPI_COMM_WORLD) != MPI_SUCCESS)
            return fy_error_set(err, FY_EIO, "MPI: sending a job result failed");
        if (hdr[2] > 0 && send_bytes(data, (size_t) hdr[2], 0, TAG_DATA, err) != FY_OK)
            return FY_EIO;
        free(out);
        out = NULL;
        if (MPI_Recv(&job, 1, MPI_UINT64_T, 0, TAG_JOB, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
            != MPI_SUCCESS)
            return fy_error_set(err, FY_EIO, "MPI: receiving a job failed");
        if (job == NO_JOB)
            return FY_OK;
        fy_error_init(e2);
        n = 0;
        hdr[0] = job;
        hdr[1] = (uint64_t) fn(&out, &n, job, ctx, e2);
        if (hdr[1] != FY_OK)
        {
            free(out);
            n = strlen(e2->msg) + 1;
            out = malloc(n);
            if (out != NULL)
                memcpy(out, e2->msg, n);
            else
                n = 0;
        }
        hdr[2] = n;
    }
}
#endif

int fy_par_scan(void **res, size_t *len, uint64_t njobs, fy_par_job_fn fn, void *ctx,
                fy_par_store_t store, uint64_t *resumed, uint64_t *refused, const fy_par_t p,
                fy_error_t err)
{
    uint64_t r0 = 0, r1 = 0, j;
    char *pending = NULL;
    int rc = FY_OK;
    for (j = 0; j < njobs; j++)
    {
        res[j] = NULL;
        len[j] = 0;
    }
    if (!fy_par_store_is_open(store))
        store = NULL; /* an unopened store (the other ranks') is none */
    if (p->rank == 0)
    {
        if ((pending = fy_malloc(njobs ? njobs : 1, 1, err)) == NULL)
            rc = FY_ENOMEM;
        else
            rc = scan_resume(res, len, pending, njobs, store, &r0, &r1, err);
    }
    rc = fy_par_agree(rc, p, err);
    if (rc == FY_OK)
    {
        if (!p->world || p->size == 1)
            rc = scan_serial(res, len, pending, njobs, fn, ctx, store, err);
#ifdef FY_HAVE_MPI
        else if (p->rank == 0)
            rc = scan_dispatch(res, len, pending, njobs, store, p->size, err);
        else
            rc = scan_work(fn, ctx, err);
#endif
        rc = fy_par_agree(rc, p, err);
    }
    free(pending);
    if (rc != FY_OK)
        for (j = 0; j < njobs; j++)
        {
            free(res[j]);
            res[j] = NULL;
            len[j] = 0;
        }
    if (store != NULL)
    {
        store->resumed += r0;
        store->refused += r1;
    }
    if (resumed != NULL)
        *resumed = r0;
    if (refused != NULL)
        *refused = r1;
    return rc;
}
