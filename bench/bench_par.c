/* bench_par - strong scaling of the NN-FT ensemble over MPI ranks on this host.
 *
 * The same ensemble (erf, d = 1, N = 20, 6 points: 609 sorted tuples up to n = 6; M networks,
 * default 100000) on 1 and on 2 ranks, one thread per rank: wall time of fy_nnft_sample_run on
 * rank 0 (start-up of mpirun excluded), networks per second in all and per rank, the speed-up
 * and efficiency of 2 ranks against 1 measured in the same run, and whether the two results
 * are the same doubles (they must be).  Run plainly it starts itself under mpirun (setting the
 * Open MPI root variables, as tests/test_mpi.sh does); without MPI or mpirun it reports one
 * rank and says why.  Prints one JSON object.  Usage: bench_par [M]. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/nnft.h"
#include "feynn/par.h"

static const char *SPEC = "activation erf\nwidth 20\npoint 0.1\npoint 0.3\npoint 0.5\n"
                          "point 0.8\npoint 1.2\npoint 2\n";

/* One measurement on the ranks of this run: prints "seconds checksum" on rank 0. */
static int child(uint64_t M)
{
    fy_nnft_spec_t s;
    fy_nnft_mc_t mc;
    fy_nnft_run_t run;
    fy_par_t p;
    fy_error_t err;
    uint64_t h = FY_PAR_FNV_INIT;
    int a, rc;
    fy_error_init(err);
    if (fy_par_init(NULL, NULL, err) != FY_OK)
    {
        fprintf(stderr, "bench_par: %s\n", err->msg);
        return 1;
    }
    fy_par_world(p);
    fy_nnft_spec_init(s);
    fy_nnft_mc_init(mc);
    fy_nnft_run_init(run);
    run->par = p;
    rc = fy_nnft_spec_parse(s, SPEC, "bench_par.spec", err);
    if (rc == FY_OK)
        rc = fy_nnft_sample_run(mc, s, M, 1, 1, run, err);
    if (rc == FY_OK && p->rank == 0)
    {
        for (a = 0; a < 3; a++)
            h = fy_par_fnv1a(h, mc->mean[a],
                             (size_t) mc->count[a] * (4 + FY_NNFT_CHUNKS) * sizeof(double));
        printf("%.6f %016" PRIx64 "\n", mc->seconds, h);
    }
    if (rc != FY_OK)
        fprintf(stderr, "bench_par: %s\n", err->msg);
    fy_nnft_mc_clear(mc);
    fy_nnft_spec_clear(s);
    fy_par_finalize();
    return rc != FY_OK;
}

static int measure(double *sec, char *sum, const char *self, int np, uint64_t M)
{
    char cmd[4096];
    FILE *fp;
    int ok;
    snprintf(cmd, sizeof cmd,
             "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 "
             "mpirun -np %d --oversubscribe '%s' --child %" PRIu64 " 2>/dev/null",
             np, self, M);
    if ((fp = popen(cmd, "r")) == NULL)
        return 0;
    ok = fscanf(fp, "%lf %16s", sec, sum) == 2;
    return (pclose(fp) == 0) && ok;
}

int main(int argc, char **argv)
{
    uint64_t M = 100000;
    double t1 = 0, t2 = 0;
    char s1[17] = "", s2[17] = "";
    int have;
    if (argc >= 3 && strcmp(argv[1], "--child") == 0)
        return child(strtoull(argv[2], NULL, 10));
    if (argc >= 2)
        M = strtoull(argv[1], NULL, 10);
    if (M < 10)
        M = 10;
    have = fy_par_built_with_mpi() && system("command -v mpirun >/dev/null 2>&1") == 0;
    printf("{\n  \"bench\": \"par\",\n  \"what\": \"nnft ensemble erf N=20, 6 points "
           "(609 tuples), 1 thread per rank\",\n  \"networks\": %" PRIu64 ",\n", M);
    if (!have || !measure(&t1, s1, argv[0], 1, M) || !measure(&t2, s2, argv[0], 2, M))
    {
        printf("  \"skipped\": \"%s\"\n}\n", have ? "mpirun failed" : "no MPI or no mpirun");
        return 0;
    }
    printf("  \"ranks_1\": {\"seconds\": %.4f, \"networks_per_s\": %.1f, "
           "\"networks_per_s_per_rank\": %.1f},\n", t1, M / t1, M / t1);
    printf("  \"ranks_2\": {\"seconds\": %.4f, \"networks_per_s\": %.1f, "
           "\"networks_per_s_per_rank\": %.1f},\n", t2, M / t2, M / t2 / 2);
    printf("  \"speedup_2_over_1\": %.3f,\n  \"efficiency_2\": %.3f,\n", t1 / t2, t1 / t2 / 2);
    printf("  \"identical\": %s\n}\n", strcmp(s1, s2) == 0 ? "true" : "false");
    return 0;
}
