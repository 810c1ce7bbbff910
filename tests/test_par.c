/* test_par.c - src/par through feynn/par.h: decomposition, the ordered reduction, the chunk
 * store, the job scan.
 *
 * Run alone it is one rank; tests/test_mpi.sh also runs it under mpirun -np 2 and 3, where the
 * reduction and the scan go through MPI for real (every rank runs every test, in the same
 * order, since those calls are collective; only rank 0 writes TAP). */
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feynn/inn.h"
#include "feynn/nnft.h"
#include "feynn/par.h"
#include "feynn/util.h"
#include "testutil.h"

static uint64_t seed0;

/* ------------------------------------------------------------------ decomposition */
static void test_split_covers(void **state)
{
    static const uint64_t ns[] = {0, 1, 2, 7, 10, 1000, 1001, (UINT64_C(1) << 40) + 3,
                                  UINT64_MAX / 3, UINT64_MAX};
    size_t i;
    int parts, part;
    (void) state;
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (parts = 1; parts <= 9; parts++)
        {
            uint64_t n = ns[i], prev = 0, total = 0, q = n / (uint64_t) parts;
            for (part = 0; part < parts; part++)
            {
                uint64_t lo, hi;
                fy_par_split(&lo, &hi, n, parts, part);
                assert_true(lo == prev); /* contiguous, in order, from 0 */
                assert_true(hi >= lo);
                /* balanced: every length is floor(n / parts) or one more */
                assert_true(hi - lo == q || hi - lo == q + 1);
                total += hi - lo;
                prev = hi;
            }
            assert_true(prev == n);
            assert_true(total == n);
        }
    {
        uint64_t lo = 1, hi = 1;
        fy_par_split(&lo, &hi, 10, 3, 3); /* no such part */
        assert_true(lo == 0 && hi == 0);
    }
}

static void test_nblocks(void **state)
{
    uint64_t n, bs;
    (void) state;
    for (n = 0; n < 300; n += 7)
        for (bs = 1; bs < 40; bs += 3)
        {
            uint64_t nb = fy_par_nblocks(n, bs), b, covered = 0;
            for (b = 0; b < nb; b++)
            {
                uint64_t lo = b * bs, hi = lo + bs < n ? lo + bs : n;
                assert_true(hi > lo); /* no empty block */
                covered += hi - lo;
            }
            assert_true(covered == n);
        }
    assert_true(fy_par_nblocks(5, 0) == 0);
}

/* ------------------------------------------------------------------ ordered reduction */
#define RN 997
#define RBS 16
#define RLEN 3

/* x_k(i): values over many orders of magnitude and both signs, so that the order of the
 * additions shows in the last bits. */
static double value(uint64_t k, size_t i)
{
    uint64_t st = seed0 ^ (k * 0x9e3779b97f4a7c15ULL) ^ (uint64_t) i;
    uint64_t r = fy_test_rand(&st);
    double m = (double) (r >> 11) * 0x1p-53 - 0.5;
    return ldexp(m, (int) (r % 61) - 30);
}

static void block_partial(double *part, uint64_t b)
{
    uint64_t k, hi = (b + 1) * RBS < RN ? (b + 1) * RBS : RN;
    size_t i;
    for (i = 0; i < RLEN; i++)
        part[i] = 0.0;
    for (k = b * RBS; k < hi; k++)
        for (i = 0; i < RLEN; i++)
            part[i] += value(k, i);
}

/* The sum as defined: partials of the fixed blocks, added in block order. */
static void reference(double ref[RLEN])
{
    uint64_t b, nb = fy_par_nblocks(RN, RBS);
    size_t i;
    double part[RLEN];
    for (i = 0; i < RLEN; i++)
        ref[i] = 0.0;
    for (b = 0; b < nb; b++)
    {
        block_partial(part, b);
        for (i = 0; i < RLEN; i++)
            ref[i] += part[i];
    }
}

static void test_reduce_simulated(void **state)
{
    static const int sizes[] = {1, 2, 3, 4, 5, 7, 16, 63};
    const uint64_t nb = fy_par_nblocks(RN, RBS);
    double ref[RLEN], *parts = malloc((size_t) nb * RLEN * sizeof(double));
    int differs = 0;
    size_t s;
    (void) state;
    assert_non_null(parts);
    reference(ref);
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
    {
        int size = sizes[s], r;
        double acc[RLEN] = {0, 0, 0}, naive[RLEN] = {0, 0, 0};
        /* each simulated rank computes the partials of its blocks; rank 0 folds them in rank
         * order (= block order) */
        for (r = 0; r < size; r++)
        {
            uint64_t lo, hi, b;
            double tot[RLEN] = {0, 0, 0};
            size_t i;
            fy_par_split(&lo, &hi, nb, size, r);
            for (b = lo; b < hi; b++)
                block_partial(parts + (b - lo) * RLEN, b);
            fy_par_fold(acc, parts, hi - lo, RLEN);
            /* what a plain reduction of rank totals would give */
            fy_par_fold(tot, parts, hi - lo, RLEN);
            for (i = 0; i < RLEN; i++)
                naive[i] += tot[i];
        }
        assert_memory_equal(acc, ref, sizeof ref);
        differs += memcmp(naive, ref, sizeof ref) != 0;
    }
    /* the data are order-sensitive: summing rank totals is not bit-identical for some size,
     * so the equality above is not an accident of the data */
    assert_true(differs > 0);
    free(parts);
}

/* The real thing: one rank, or every rank of mpirun. */
static void test_reduce_world(void **state)
{
    const uint64_t nb = fy_par_nblocks(RN, RBS);
    fy_par_t p;
    fy_error_t err;
    uint64_t lo, hi, b;
    double ref[RLEN], acc[RLEN] = {0, 0, 0}, before[RLEN], *parts;
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    fy_par_split(&lo, &hi, nb, p->size, p->rank);
    parts = malloc((size_t) (hi - lo + 1) * RLEN * sizeof(double));
    assert_non_null(parts);
    for (b = lo; b < hi; b++)
        block_partial(parts + (b - lo) * RLEN, b);
    memcpy(before, acc, sizeof acc);
    assert_int_equal(fy_par_reduce_ordered(acc, parts, RLEN, nb, p, err), FY_OK);
    reference(ref);
    if (p->rank == 0)
        assert_memory_equal(acc, ref, sizeof ref);
    else
        assert_memory_equal(acc, before, sizeof acc);
    /* broadcast and agreement */
    assert_int_equal(fy_par_bcast(acc, sizeof acc, p, err), FY_OK);
    assert_memory_equal(acc, ref, sizeof ref);
    assert_int_equal(fy_par_agree(FY_OK, p, err), FY_OK);
    if (p->rank == p->size - 1)
        fy_error_set(err, FY_EINPUT, "bad thing on the last rank");
    assert_int_equal(fy_par_agree(p->rank == p->size - 1 ? FY_EINPUT : FY_OK, p, err),
                     FY_EINPUT);
    assert_non_null(strstr(err->msg, "bad thing on the last rank"));
    free(parts);
    printf("# reduce over %d rank(s): %a %a %a\n", p->size, acc[0], acc[1], acc[2]);
}

/* Gather: block b holds 3 words b * 1000 + i; rank 0 receives every block in block order, the
 * other ranks' buffers stay as they were (also with fewer blocks than ranks, and none). */
static void test_gather_world(void **state)
{
    static const uint64_t counts[] = {10, 2, 1, 0, 257};
    fy_par_t p;
    fy_error_t err;
    size_t c;
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    for (c = 0; c < sizeof counts / sizeof counts[0]; c++)
    {
        uint64_t nb = counts[c], lo, hi, b, i;
        uint64_t *all = malloc((size_t) (nb + 1) * 3 * sizeof(uint64_t));
        uint64_t *loc = malloc((size_t) (nb + 1) * 3 * sizeof(uint64_t));
        assert_non_null(all);
        assert_non_null(loc);
        fy_par_split(&lo, &hi, nb, p->size, p->rank);
        for (b = lo; b < hi; b++)
            for (i = 0; i < 3; i++)
                loc[(b - lo) * 3 + i] = b * 1000 + i;
        for (i = 0; i < (nb + 1) * 3; i++)
            all[i] = UINT64_MAX;
        assert_int_equal(fy_par_gather(all, loc, 3 * sizeof(uint64_t), nb, p, err), FY_OK);
        for (b = 0; b < nb; b++)
            for (i = 0; i < 3; i++)
                assert_true(all[b * 3 + i] == (p->rank == 0 ? b * 1000 + i : UINT64_MAX));
        for (i = 0; i < 3; i++) /* nothing written past the end */
            assert_true(all[nb * 3 + i] == UINT64_MAX);
        free(all);
        free(loc);
    }
    /* one rank: in place */
    {
        fy_par_t s;
        uint64_t v[4] = {5, 6, 7, 8};
        fy_par_self(s);
        assert_int_equal(fy_par_gather(v, v, 2 * sizeof(uint64_t), 2, s, err), FY_OK);
        assert_true(v[0] == 5 && v[1] == 6 && v[2] == 7 && v[3] == 8);
    }
}

/* ------------------------------------------------------------------ chunk store */
static void tmpdir(char *buf, size_t n, const char *what)
{
    snprintf(buf, n, "par_test_%s.%ld.%d", what, (long) getpid(), fy_par_rank());
}

static void expect(const fy_par_store_t st, uint64_t k, int want, const void *data, size_t len,
                   const char *why_has)
{
    void *got;
    size_t n;
    int state;
    char why[512];
    fy_error_t err;
    fy_error_init(err);
    assert_int_equal(fy_par_store_get(&got, &n, &state, st, k, why, sizeof why, err), FY_OK);
    if (state != want)
        printf("# chunk %llu: state %d, want %d (%s)\n", (unsigned long long) k, state, want,
               why);
    assert_int_equal(state, want);
    if (want == FY_PAR_CHUNK_OK)
    {
        assert_non_null(got);
        assert_true(n == len);
        if (len)
            assert_memory_equal(got, data, len);
    }
    else
        assert_null(got);
    if (why_has != NULL)
        assert_non_null(strstr(why, why_has));
    free(got);
}

static void test_store_round_trip(void **state)
{
    char dir[256], *path;
    fy_par_store_t st;
    fy_error_t err;
    double v[5][40];
    uint64_t k;
    int i;
    (void) state;
    fy_error_init(err);
    tmpdir(dir, sizeof dir, "rt");
    fy_par_store_init(st);
    assert_int_equal(fy_par_store_open(st, dir, "test run: M=100 seed=7", err), FY_OK);
    for (k = 0; k < 5; k++)
    {
        for (i = 0; i < 40; i++)
            v[k][i] = value(k, (size_t) i);
        /* chunk 3 is empty */
        assert_int_equal(fy_par_store_put(st, k, v[k], k == 3 ? 0 : sizeof v[k], err), FY_OK);
    }
    for (k = 0; k < 5; k++)
        expect(st, k, FY_PAR_CHUNK_OK, v[k], k == 3 ? 0 : sizeof v[k], NULL);
    expect(st, 9, FY_PAR_CHUNK_ABSENT, NULL, 0, NULL);
    /* the path is where the doc says */
    path = fy_par_store_path(st, 4, err);
    assert_non_null(strstr(path, "/chunk-00000004.fyc"));
    free(path);
    /* reopened (a restart), the chunks are there */
    assert_int_equal(fy_par_store_open(st, dir, "test run: M=100 seed=7", err), FY_OK);
    expect(st, 2, FY_PAR_CHUNK_OK, v[2], sizeof v[2], NULL);
    fy_par_store_remove(st, 2);
    expect(st, 2, FY_PAR_CHUNK_ABSENT, NULL, 0, NULL);
    fy_par_store_clear(st);
    fy_test_rmdir_flat(dir);
}

static void rewrite(const char *path, long off, int byte, long truncate_to)
{
    FILE *fp;
    if (byte >= 0)
    {
        int c;
        assert_non_null(fp = fopen(path, "r+b"));
        fseek(fp, off, SEEK_SET);
        c = fgetc(fp);
        fseek(fp, off, SEEK_SET);
        fputc(c ^ byte, fp);
        fclose(fp);
    }
    if (truncate_to >= 0)
        assert_int_equal(truncate(path, truncate_to), 0);
}

static void copy_file(const char *from, const char *to)
{
    char *data;
    size_t n;
    fy_error_t err;
    fy_error_init(err);
    assert_int_equal(fy_file_read(&data, &n, from, 1 << 20, err), FY_OK);
    assert_int_equal(fy_file_write_atomic(to, data, n, err), FY_OK);
    free(data);
}

static void test_store_refuses(void **state)
{
    const char *run = "test run: spec=abc M=1000 seed=1";
    char dir[256], *p[6];
    fy_par_store_t st, other;
    fy_error_t err;
    double v[16];
    struct stat sb;
    uint64_t k;
    int i;
    (void) state;
    fy_error_init(err);
    tmpdir(dir, sizeof dir, "bad");
    fy_par_store_init(st);
    fy_par_store_init(other);
    for (i = 0; i < 16; i++)
        v[i] = value(99, (size_t) i);
    assert_int_equal(fy_par_store_open(st, dir, run, err), FY_OK);
    for (k = 0; k < 6; k++)
    {
        assert_int_equal(fy_par_store_put(st, k, v, sizeof v, err), FY_OK);
        p[k] = fy_par_store_path(st, k, err);
    }
    assert_int_equal(stat(p[0], &sb), 0);
    rewrite(p[0], (long) sb.st_size - 20, 0x01, -1);     /* one bit of the data */
    rewrite(p[1], 0, -1, (long) sb.st_size - 1);          /* truncated by one byte */
    rewrite(p[2], 0, -1, 5);                              /* truncated in the header */
    rewrite(p[3], 30, 0x40, -1);                          /* the header's length field */
    copy_file(p[5], p[4]);                                /* chunk 5 under the name of 4 */
    expect(st, 0, FY_PAR_CHUNK_BAD, NULL, 0, "damaged");
    expect(st, 1, FY_PAR_CHUNK_BAD, NULL, 0, "length");
    expect(st, 2, FY_PAR_CHUNK_BAD, NULL, 0, "truncated");
    expect(st, 3, FY_PAR_CHUNK_BAD, NULL, 0, "length");
    expect(st, 4, FY_PAR_CHUNK_BAD, NULL, 0, "another chunk");
    expect(st, 5, FY_PAR_CHUNK_OK, v, sizeof v, NULL);
    /* a run with other parameters writes chunk 5: the first run refuses it */
    assert_int_equal(fy_par_store_open(other, dir, "test run: spec=abc M=1000 seed=2", err),
                     FY_OK);
    assert_int_equal(fy_par_store_put(other, 5, v, sizeof v, err), FY_OK);
    expect(other, 5, FY_PAR_CHUNK_OK, v, sizeof v, NULL);
    expect(st, 5, FY_PAR_CHUNK_BAD, NULL, 0, "another run");
    /* a text file of the same name: not a chunk */
    assert_int_equal(fy_file_write_atomic(p[5], "hello, this is not a chunk file at all\n", 39,
                                          err), FY_OK);
    expect(st, 5, FY_PAR_CHUNK_BAD, NULL, 0, "not a feynn chunk");
    /* recomputed chunks replace the bad ones */
    for (k = 0; k < 6; k++)
    {
        assert_int_equal(fy_par_store_put(st, k, v, sizeof v, err), FY_OK);
        expect(st, k, FY_PAR_CHUNK_OK, v, sizeof v, NULL);
        free(p[k]);
    }
    /* a store on a file is refused with a message */
    {
        char f[300];
        snprintf(f, sizeof f, "%s/RUN", dir);
        assert_int_equal(fy_par_store_open(other, f, run, err), FY_EINPUT);
        assert_non_null(strstr(err->msg, "not a folder"));
    }
    fy_par_store_clear(st);
    fy_par_store_clear(other);
    fy_test_rmdir_flat(dir);
}

/* One byte in the middle of chunk k changed (the checksum no longer holds). */
static void rewrite_byte_of_chunk(const fy_par_store_t st, uint64_t k)
{
    char *path = fy_par_store_path(st, k, NULL);
    FILE *fp = path != NULL ? fopen(path, "r+b") : NULL;
    int ch;
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 44, SEEK_SET), 0);
    ch = fgetc(fp);
    assert_int_equal(fseek(fp, 44, SEEK_SET), 0);
    fputc(ch ^ 0x20, fp);
    fclose(fp);
    free(path);
}

/* ------------------------------------------------------------------ job scan */
typedef struct
{
    uint64_t fail_at; /* a job that fails (UINT64_MAX: none) */
    int calls;
} scan_ctx;

/* The result of job j: its index and j^2 + 1 as text of varying length; later jobs are quick
 * and early ones slow, so that under MPI results arrive out of order. */
static int job(void **out, size_t *len, uint64_t j, void *vctx, fy_error_t err)
{
    scan_ctx *c = vctx;
    char *s = malloc(64);
    c->calls++;
    if (j == c->fail_at)
    {
        free(s);
        return fy_error_set(err, FY_ECHECK, "job %llu failed on purpose",
                            (unsigned long long) j);
    }
    if (s == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    usleep((useconds_t) (j < 4 ? 2000 * (4 - j) : 0));
    *len = (size_t) snprintf(s, 64, "job %llu: %llu", (unsigned long long) j,
                             (unsigned long long) (j * j + 1)) + 1;
    *out = s;
    return FY_OK;
}

static void check_results(void **res, size_t *len, uint64_t njobs)
{
    uint64_t j;
    for (j = 0; j < njobs; j++)
    {
        char want[64];
        size_t n = (size_t) snprintf(want, sizeof want, "job %llu: %llu",
                                     (unsigned long long) j,
                                     (unsigned long long) (j * j + 1)) + 1;
        assert_non_null(res[j]);
        assert_true(len[j] == n);
        assert_memory_equal(res[j], want, n);
    }
}

static void free_results(void **res, uint64_t njobs)
{
    uint64_t j;
    for (j = 0; j < njobs; j++)
        free(res[j]);
}

static void test_scan_order(void **state)
{
    enum { NJ = 23 };
    void *res[NJ];
    size_t len[NJ];
    scan_ctx c = {UINT64_MAX, 0};
    fy_par_t p;
    fy_error_t err;
    uint64_t resumed = 9, refused = 9;
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, NULL, &resumed, &refused, p, err),
                     FY_OK);
    assert_true(resumed == 0 && refused == 0);
    if (p->rank == 0)
        check_results(res, len, NJ);
    if (p->size == 1)
        assert_int_equal(c.calls, NJ);
    free_results(res, NJ);
    /* a failing job stops the scan on every rank with its message */
    c.fail_at = 7;
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, NULL, NULL, NULL, p, err), FY_ECHECK);
    assert_non_null(strstr(err->msg, "job 7 failed on purpose"));
    assert_null(res[0]);
}

static void test_scan_resume(void **state)
{
    enum { NJ = 12 };
    void *res[NJ];
    size_t len[NJ];
    scan_ctx c = {5, 0};
    fy_par_t p;
    fy_par_store_t st;
    fy_error_t err;
    uint64_t resumed = 0, refused = 0, j, present = 0;
    char dir[256];
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    fy_par_store_init(st);
    tmpdir(dir, sizeof dir, "scan");
    if (p->rank == 0)
        assert_int_equal(fy_par_store_open(st, dir, "scan test", err), FY_OK);
    /* the first run dies at job 5 (as if killed): the results before it are kept */
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, p->rank ? NULL : st, NULL, NULL, p, err),
                     FY_ECHECK);
    if (p->rank == 0)
    {
        for (j = 0; j < NJ; j++)
        {
            void *d;
            size_t n;
            int s;
            assert_int_equal(fy_par_store_get(&d, &n, &s, st, j, NULL, 0, err), FY_OK);
            present += s == FY_PAR_CHUNK_OK;
            free(d);
        }
        assert_true(present < NJ);
        if (p->size == 1)
            assert_true(present == 5); /* jobs 0..4, in order */
        /* one kept chunk damaged */
        if (present > 0)
        {
            char *p0 = fy_par_store_path(st, 0, err);
            FILE *fp = fopen(p0, "r+b");
            if (fp != NULL)
            {
                fseek(fp, -9, SEEK_END);
                fputc(0x55, fp);
                fclose(fp);
            }
            free(p0);
        }
    }
    c.fail_at = UINT64_MAX;
    c.calls = 0;
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, p->rank ? NULL : st, &resumed, &refused,
                                 p, err), FY_OK);
    if (p->rank == 0)
    {
        check_results(res, len, NJ);
        /* chunk 0 could have been a failure-free write of the first run or not */
        assert_true(resumed + refused == present);
        if (p->size == 1)
        {
            assert_true(refused == 1 && resumed == 4);
            assert_int_equal(c.calls, NJ - 4);
        }
    }
    free_results(res, NJ);
    /* a third run reads everything back */
    c.calls = 0;
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, p->rank ? NULL : st, &resumed, &refused,
                                 p, err), FY_OK);
    if (p->rank == 0)
    {
        check_results(res, len, NJ);
        assert_true(resumed == NJ && refused == 0);
    }
    assert_int_equal(c.calls, 0);
    free_results(res, NJ);
    fy_par_store_clear(st);
    if (p->rank == 0)
        fy_test_rmdir_flat(dir);
}

/* ------------------------------------------------------------------ resume (issue 15) */
/* A store's name extended by the library: dir/RUN holds the whole name, a chunk written under
 * it is refused by a store named only by the first part, used by one named the same way;
 * an unopened store cannot be extended and counts as none in a scan. */
static void test_store_extend(void **state)
{
    char dir[256], *run = NULL, *path;
    fy_par_store_t st;
    fy_error_t err;
    size_t n;
    const double v[3] = {1.5, -2, 0.25};
    (void) state;
    fy_error_init(err);
    fy_par_store_init(st);
    assert_int_equal(fy_par_store_extend(st, "b\n", err), FY_EUSAGE);
    assert_false(fy_par_store_is_open(st));
    assert_false(fy_par_store_is_open(NULL));
    if (fy_par_rank() != 0)
        return; /* no collective call here */
    tmpdir(dir, sizeof dir, "ext");
    assert_int_equal(fy_par_store_open(st, dir, "command a\n", err), FY_OK);
    assert_true(fy_par_store_is_open(st));
    assert_int_equal(fy_par_store_extend(st, "library b\n", err), FY_OK);
    assert_string_equal(st->run, "command a\nlibrary b\n");
    path = malloc(strlen(dir) + 8);
    sprintf(path, "%s/RUN", dir);
    assert_int_equal(fy_file_read(&run, &n, path, 1000, err), FY_OK);
    assert_string_equal(run, "command a\nlibrary b\n");
    free(run);
    free(path);
    assert_int_equal(fy_par_store_put(st, 0, v, sizeof v, err), FY_OK);
    /* the command's part alone: another run */
    assert_int_equal(fy_par_store_open(st, dir, "command a\n", err), FY_OK);
    expect(st, 0, FY_PAR_CHUNK_BAD, NULL, 0, "another run");
    /* the same two parts: the chunk */
    assert_int_equal(fy_par_store_extend(st, "library b\n", err), FY_OK);
    expect(st, 0, FY_PAR_CHUNK_OK, v, sizeof v, NULL);
    /* another library part */
    assert_int_equal(fy_par_store_open(st, dir, "command a\n", err), FY_OK);
    assert_int_equal(fy_par_store_extend(st, "library c\n", err), FY_OK);
    expect(st, 0, FY_PAR_CHUNK_BAD, NULL, 0, "another run");
    fy_par_store_clear(st);
    fy_test_rmdir_flat(dir);
}

/* fy_par_scan adds what it read back and refused to the store's counters; an unopened store
 * is none (nothing read, nothing written, every job run). */
static void test_scan_counts(void **state)
{
    enum { NJ = 6 };
    void *res[NJ];
    size_t len[NJ];
    scan_ctx c = {UINT64_MAX, 0};
    fy_par_t p;
    fy_par_store_t st;
    fy_error_t err;
    char dir[256];
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    fy_par_store_init(st);
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, st, NULL, NULL, p, err), FY_OK);
    if (p->rank == 0)
        check_results(res, len, NJ);
    assert_true(st->resumed == 0 && st->refused == 0);
    if (p->size == 1)
        assert_int_equal(c.calls, NJ);
    free_results(res, NJ);
    tmpdir(dir, sizeof dir, "cnt");
    if (p->rank == 0)
        assert_int_equal(fy_par_store_open(st, dir, "counts", err), FY_OK);
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, st, NULL, NULL, p, err), FY_OK);
    free_results(res, NJ);
    if (p->rank == 0)
    {
        fy_par_store_remove(st, 4);
        rewrite_byte_of_chunk(st, 2);
    }
    c.calls = 0;
    assert_int_equal(fy_par_scan(res, len, NJ, job, &c, st, NULL, NULL, p, err), FY_OK);
    if (p->rank == 0)
    {
        check_results(res, len, NJ);
        assert_true(st->resumed == NJ - 2 && st->refused == 1);
    }
    if (p->size == 1)
        assert_int_equal(c.calls, 2);
    free_results(res, NJ);
    fy_par_store_clear(st);
    if (p->rank == 0)
        fy_test_rmdir_flat(dir);
}

/* A library scan that takes a store (fy_nnft_rg_scan_par, the cut-off scan of [HMS]'s ReLU
 * experiment): chunk k holds log10|lambda_t| at cut-off k, as fy_nnft_couplings gives lambda
 * at that cut-off; ReLU with sigma_b = 0 in d = 1 has slope -(d + 4) = -5; a scan resumed from
 * a store with chunks missing and damaged is the scan without a store, bit for bit; the store
 * of another spec (width 30) is not used. */
static void rg_same(const fy_nnft_rg_t a, const fy_nnft_rg_t b)
{
    assert_int_equal(a->ncut, b->ncut);
    assert_memory_equal(a->mean_log, b->mean_log, sizeof(double) * (size_t) a->ncut);
    assert_memory_equal(&a->slope, &b->slope, sizeof(double));
    assert_memory_equal(&a->intercept, &b->intercept, sizeof(double));
    assert_memory_equal(&a->r2, &b->r2, sizeof(double));
    assert_true(a->points == b->points);
}

static void rg_chunks_meaning(const fy_par_store_t st, const fy_nnft_spec_t s,
                              const double *cut, int ncut, slong prec)
{
    fy_nnft_couplings_t c;
    fy_error_t err;
    int k;
    fy_error_init(err);
    fy_nnft_couplings_init(c);
    for (k = 0; k < ncut; k++)
    {
        void *d;
        size_t n;
        int state;
        slong t;
        assert_int_equal(fy_par_store_get(&d, &n, &state, st, (uint64_t) k, NULL, 0, err),
                         FY_OK);
        assert_int_equal(state, FY_PAR_CHUNK_OK);
        assert_int_equal(fy_nnft_couplings(c, s, NULL, cut[k], FY_NNFT_NOFACT, prec, err),
                         FY_OK);
        assert_true(n == sizeof(double) * (size_t) c->count);
        for (t = 0; t < c->count; t++)
        {
            double want = log10(fabs(arf_get_d(arb_midref(c->lambda + t), ARF_RND_NEAR)));
            assert_true(((const double *) d)[t] == want);
        }
        free(d);
    }
    fy_nnft_couplings_clear(c);
}

static void test_rg_scan_store(void **state)
{
    const double cut[4] = {10, 30, 100, 1000};
    const slong prec = 128;
    fy_nnft_spec_t s;
    fy_nnft_rg_t r0, r1, r2;
    fy_par_t p;
    fy_par_store_t st;
    fy_error_t err;
    char dir[256];
    int k;
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    fy_nnft_spec_init(s);
    fy_nnft_rg_init(r0);
    fy_nnft_rg_init(r1);
    fy_nnft_rg_init(r2);
    fy_par_store_init(st);
    assert_int_equal(fy_nnft_eft_hms_relu(s, err), FY_OK);
    assert_int_equal(fy_nnft_rg_scan_par(r0, s, NULL, cut, 4, prec, NULL, p, err), FY_OK);
    tmpdir(dir, sizeof dir, "rg");
    if (p->rank == 0)
    {
        assert_true(fabs(r0->slope + 5) < 1e-8);
        for (k = 1; k < 4; k++)
            assert_true(fabs(r0->mean_log[k] - r0->mean_log[0] + 5 * log10(cut[k] / cut[0]))
                        < 1e-8);
        assert_int_equal(fy_par_store_open(st, dir, "test rg\n", err), FY_OK);
    }
    assert_int_equal(fy_nnft_rg_scan_par(r1, s, NULL, cut, 4, prec, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        rg_same(r0, r1);
        assert_true(st->resumed == 0 && st->refused == 0);
        rg_chunks_meaning(st, s, cut, 4, prec);
        assert_non_null(strstr(st->run, "test rg\nnnft cut-off scan"));
        /* killed after chunks 0 and 2, chunk 2 damaged since */
        fy_par_store_remove(st, 1);
        fy_par_store_remove(st, 3);
        rewrite_byte_of_chunk(st, 2);
        assert_int_equal(fy_par_store_open(st, dir, "test rg\n", err), FY_OK);
    }
    assert_int_equal(fy_nnft_rg_scan_par(r2, s, NULL, cut, 4, prec, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        rg_same(r0, r2);
        assert_true(st->resumed == 1 && st->refused == 1);
        assert_int_equal(fy_par_store_open(st, dir, "test rg\n", err), FY_OK);
    }
    /* another spec in the same folder: every chunk refused, its own numbers */
    s->width = 30;
    assert_int_equal(fy_nnft_rg_scan_par(r1, s, NULL, cut, 4, prec, NULL, p, err), FY_OK);
    assert_int_equal(fy_nnft_rg_scan_par(r2, s, NULL, cut, 4, prec, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        rg_same(r1, r2);
        assert_true(st->resumed == 0 && st->refused == 4);
    }
    fy_par_store_clear(st);
    if (p->rank == 0)
        fy_test_rmdir_flat(dir);
    fy_nnft_rg_clear(r0);
    fy_nnft_rg_clear(r1);
    fy_nnft_rg_clear(r2);
    fy_nnft_spec_clear(s);
}

/* fy_inn_scan_par through a store (a ring of one site, 2 cells, small sets): the cells with a
 * store, and resumed from a store that lost a cell, are the cells without one (every number
 * but the training time, bit for bit); the store of another seed is not used. */
static void inn_cells_same(const fy_inn_scan_t a, const fy_inn_scan_t b)
{
    int i;
    assert_int_equal(a->ncells, b->ncells);
    for (i = 0; i < a->ncells; i++)
    {
        const fy_inn_scan_cell_struct *x = a->cell + i, *y = b->cell + i;
        assert_int_equal(x->couplings, y->couplings);
        assert_true(x->n == y->n);
        assert_memory_equal(&x->kl, &y->kl, sizeof x->kl);
        assert_memory_equal(&x->kl_se, &y->kl_se, sizeof x->kl_se);
        assert_memory_equal(x->rel_err + 2, y->rel_err + 2, 3 * sizeof(double));
        assert_memory_equal(x->coupling, y->coupling, sizeof x->coupling);
        assert_memory_equal(x->cumulant_z, y->cumulant_z, sizeof x->cumulant_z);
        assert_int_equal(x->lbfgs_iters_run, y->lbfgs_iters_run);
    }
    assert_memory_equal(a->coupling_true, b->coupling_true, sizeof a->coupling_true);
}

static void test_inn_scan_store(void **state)
{
    fy_ltheory_t T;
    fy_inn_scan_opts_t o;
    fy_inn_scan_t S0, S1;
    fy_par_t p;
    fy_par_store_t st;
    fy_error_t err;
    char dir[256];
    (void) state;
    fy_error_init(err);
    fy_par_world(p);
    fy_ltheory_init(T);
    fy_inn_scan_init(S0);
    fy_inn_scan_init(S1);
    fy_par_store_init(st);
    assert_int_equal(fy_ltheory_parse(T, "lattice ring 1\nm2 1\nlam 1\n", "one", err), FY_OK);
    fy_inn_scan_opts_init(o);
    o->ncouplings = 2;
    o->couplings[0] = 1;
    o->couplings[1] = 2;
    o->nsizes = 1;
    o->sizes[0] = 60;
    o->test_n = 2000;
    o->truth_n = 4000;
    o->lbfgs_iters = 3;
    assert_int_equal(fy_inn_scan_par(S0, T, o, NULL, p, err), FY_OK);
    tmpdir(dir, sizeof dir, "inn");
    if (p->rank == 0)
        assert_int_equal(fy_par_store_open(st, dir, "test inn scan\n", err), FY_OK);
    assert_int_equal(fy_inn_scan_par(S1, T, o, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        inn_cells_same(S0, S1);
        assert_true(st->resumed == 0 && st->refused == 0);
        fy_par_store_remove(st, 1); /* killed before the second cell was stored */
        assert_int_equal(fy_par_store_open(st, dir, "test inn scan\n", err), FY_OK);
    }
    assert_int_equal(fy_inn_scan_par(S1, T, o, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        inn_cells_same(S0, S1);
        assert_true(st->resumed == 1 && st->refused == 0);
        assert_int_equal(fy_par_store_open(st, dir, "test inn scan\n", err), FY_OK);
    }
    o->seed = 2;
    assert_int_equal(fy_inn_scan_par(S1, T, o, st, p, err), FY_OK);
    if (p->rank == 0)
    {
        assert_true(st->resumed == 0 && st->refused == 2);
        assert_true(memcmp(&S0->cell[0].kl, &S1->cell[0].kl, sizeof(double)) != 0);
        fy_test_rmdir_flat(dir);
    }
    fy_par_store_clear(st);
    fy_inn_scan_clear(S0);
    fy_inn_scan_clear(S1);
    fy_ltheory_clear(T);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_covers),
        cmocka_unit_test(test_nblocks),
        cmocka_unit_test(test_reduce_simulated),
        cmocka_unit_test(test_reduce_world),
        cmocka_unit_test(test_gather_world),
        cmocka_unit_test(test_store_round_trip),
        cmocka_unit_test(test_store_refuses),
        cmocka_unit_test(test_scan_order),
        cmocka_unit_test(test_scan_resume),
        cmocka_unit_test(test_store_extend),
        cmocka_unit_test(test_scan_counts),
        cmocka_unit_test(test_rg_scan_store),
        cmocka_unit_test(test_inn_scan_store),
    };
    fy_error_t err;
    int rc;
    fy_error_init(err);
    if (fy_par_init(&argc, &argv, err) != FY_OK)
    {
        fprintf(stderr, "test_par: %s\n", err->msg);
        return 1;
    }
    /* the same data on every rank */
    seed0 = (uint64_t) fy_test_seed("test_par");
    if (fy_par_size() > 1)
    {
        uint64_t s = seed0;
        fy_par_t p;
        fy_par_world(p);
        fy_par_bcast(&s, sizeof s, p, err);
        seed0 = s;
        if (fy_par_rank() != 0 && freopen("/dev/null", "w", stdout) == NULL)
            return 1;
    }
    rc = cmocka_run_group_tests_name("par", tests, NULL, NULL);
    fy_par_finalize();
    return rc ? 1 : 0;
}
