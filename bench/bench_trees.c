/* bench_trees: time the MLP layered-tree generator (target: order 8 with 5 hidden layers in
 * under 50 ms) and a small grid, against baselines measured in the same process: the FLINT
 * series oracle N(n,H) and a plain pass over the generated list (sum of mult).  Prints one
 * JSON object. */
#include <stdio.h>
#include <time.h>

#include "feynn/enumerate.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Best of reps runs of the generator; count and weight check from the last. */
static int time_trees(double *best, long *count, int *agrees, int n, int H, int reps)
{
    fy_error_t e;
    fmpq_t w, o;
    int r, status = FY_OK;
    fy_error_init(e);
    fmpq_init(w);
    fmpq_init(o);
    *best = 1e300;
    for (r = 0; r < reps && status == FY_OK; r++)
    {
        fy_diagram_list_t L;
        double t0, t1;
        fy_diagram_list_init(L);
        t0 = now_ms();
        status = fy_enum_mlp_trees(L, n, H, e);
        t1 = now_ms();
        if (t1 - t0 < *best)
            *best = t1 - t0;
        *count = L->n;
        fy_diagram_list_weight(w, L);
        fy_enum_mlp_oracle(o, n, H, e);
        *agrees = fmpq_equal(w, o);
        fy_diagram_list_clear(L);
    }
    if (status != FY_OK)
        fprintf(stderr, "bench_trees: %s\n", e->msg);
    fmpq_clear(w);
    fmpq_clear(o);
    return status;
}

int main(void)
{
    fy_error_t e;
    fy_diagram_list_t L;
    fmpq_t o, w;
    double t_gen, t_oracle = 1e300, t_pass = 1e300, t0;
    long count;
    int agrees, r, n, H, first = 1;

    fy_error_init(e);
    fmpq_init(o);
    fmpq_init(w);
    if (time_trees(&t_gen, &count, &agrees, 8, 5, 20) != FY_OK)
        return 1;
    for (r = 0; r < 20; r++)
    {
        t0 = now_ms();
        fy_enum_mlp_oracle(o, 8, 5, e);
        t0 = now_ms() - t0;
        if (t0 < t_oracle)
            t_oracle = t0;
    }
    fy_diagram_list_init(L);
    fy_enum_mlp_trees(L, 8, 5, e);
    for (r = 0; r < 20; r++)
    {
        t0 = now_ms();
        fy_diagram_list_weight(w, L);
        t0 = now_ms() - t0;
        if (t0 < t_pass)
            t_pass = t0;
    }
    fy_diagram_list_clear(L);

    printf("{\n  \"bench\": \"trees\",\n  \"target\": {\"order\": 8, \"hidden_layers\": 5, "
           "\"limit_ms\": 50},\n");
    printf("  \"order8_H5\": {\"ms\": %.3f, \"diagrams\": %ld, \"oracle_agrees\": %s, "
           "\"within_target\": %s},\n",
           t_gen, count, agrees ? "true" : "false", t_gen < 50.0 ? "true" : "false");
    printf("  \"baselines_ms\": {\"flint_oracle\": %.4f, \"sum_of_mult_pass\": %.4f},\n",
           t_oracle, t_pass);
    printf("  \"ratios\": {\"generate_over_oracle\": %.1f, \"generate_over_pass\": %.1f},\n",
           t_gen / (t_oracle > 0 ? t_oracle : 1e-9), t_gen / (t_pass > 0 ? t_pass : 1e-9));
    printf("  \"grid\": [");
    for (n = 4; n <= 8; n += 2)
        for (H = 1; H <= 5; H += 2)
        {
            double t;
            if (time_trees(&t, &count, &agrees, n, H, 5) != FY_OK)
                return 1;
            printf("%s\n    {\"order\": %d, \"hidden_layers\": %d, \"ms\": %.3f, "
                   "\"diagrams\": %ld, \"oracle_agrees\": %s}",
                   first ? "" : ",", n, H, t, count, agrees ? "true" : "false");
            first = 0;
        }
    printf("\n  ]\n}\n");
    fmpq_clear(o);
    fmpq_clear(w);
    return 0;
}
