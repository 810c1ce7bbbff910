/* kept.c - the known function of the iterative scheme, sum_k T_k[F_k](U) (see borntaylor.h,
 * "networks"). */
#include <stdlib.h>
#include <string.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/mlp.h"

void fy_borntaylor_kept_init(fy_borntaylor_kept_t kt)
{
    kt->K = 0;
    kt->T = NULL;
}

int fy_borntaylor_kept_eval(double *out, const double *X, long n, int d, void *ctx,
                            fy_error_t err)
{
    const fy_borntaylor_kept_struct *kt = ctx;
    fy_numvec_t h;
    fy_symtensor_t c;
    long i;
    int k, j, status = fy_numvec_init(h, FY_ARITH_DOUBLE, d, 53, err);
    if (status != FY_OK)
        return status;
    fy_symtensor_init_empty(c);
    for (i = 0; i < n && status == FY_OK; i++)
    {
        double s = 0, fac = 1;
        for (j = 0; j < d; j++)
            fy_numvec_d(h)[j] = X[i * d + j];
        for (k = 1; k <= kt->K && status == FY_OK; k++)
        {
            fac *= k;
            status = fy_symtensor_contract(c, kt->T + k - 1, h, 0, err);
            if (status == FY_OK)
                s += fy_numvec_d(&c->e)[0] / fac;
        }
        out[i] = s;
    }
    fy_symtensor_clear(c);
    fy_numvec_clear(h);
    return status;
}

int fy_borntaylor_kept_load(fy_borntaylor_kept_t kt, const char *list, const fy_rules_t rules,
                            int d, fy_error_t err)
{
    char *copy = strdup(list), *save = NULL, *p;
    int status = FY_OK, k = 0;
    fy_borntaylor_kept_clear(kt);
    if (copy == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    for (p = strtok_r(copy, ",", &save); p != NULL && status == FY_OK;
         p = strtok_r(NULL, ",", &save))
    {
        fy_net_t net;
        fy_net_opts_t o;
        fy_mlp_t m;
        fy_symtensor_struct *T2;
        k++;
        if (k > FY_BORNTAYLOR_MAX_ORDER)
        {
            status = fy_error_set(err, FY_EUSAGE, "kept terms: at most %d models (one per order)",
                                  FY_BORNTAYLOR_MAX_ORDER);
            break;
        }
        T2 = realloc(kt->T, sizeof(fy_symtensor_struct) * (size_t) k);
        if (T2 == NULL)
        {
            status = fy_error_set(err, FY_ENOMEM, "out of memory");
            break;
        }
        kt->T = T2;
        fy_symtensor_init_empty(kt->T + k - 1);
        kt->K = k;
        fy_net_opts_init(o);
        fy_net_init(net);
        fy_mlp_init(m);
        status = fy_net_load(net, p, o, err);
        if (status == FY_OK && (int) net->widths[0] != d)
            status = fy_error_set(err, FY_EINPUT, "%s has %zu inputs, the data %d steps", p,
                                  net->widths[0], d);
        if (status == FY_OK)
            status = fy_mlp_set_net(m, net, rules, FY_ARITH_DOUBLE, 53, err);
        if (status == FY_OK)
            status = fy_mlp_set_point(m, NULL, k, err);
        if (status == FY_OK)
            status = fy_mlp_tensor(kt->T + k - 1, m, 0, k, err);
        fy_mlp_clear(m);
        fy_net_clear(net);
    }
    free(copy);
    return status;
}

void fy_borntaylor_kept_clear(fy_borntaylor_kept_t kt)
{
    int k;
    for (k = 0; k < kt->K; k++)
        fy_symtensor_clear(kt->T + k);
    free(kt->T);
    kt->T = NULL;
    kt->K = 0;
}
