/* Random symmetric tensors for tests (issue 9): a random shape within bounds and random entries
 * from fy_numvec_randtest (random magnitudes, exact zeros, balls with random radii), and an
 * exact tensor of points inside the balls of a given one. */
#include "feynn/series.h"

int fy_symtensor_randtest(fy_symtensor_t T, uint64_t *state, fy_arith_t arith, int max_dim,
                          int max_order, slong prec, fy_error_t err)
{
    int dim, order, rc;
    if (max_dim < 1 || max_order < 0)
        rc = fy_error_set(err, FY_EINPUT, "fy_symtensor_randtest: max_dim %d, max_order %d; "
                          "pass max_dim >= 1 and max_order >= 0", max_dim, max_order);
    else
    {
        dim = (int) fy_randtest_range(state, 1, max_dim);
        order = (int) fy_randtest_range(state, 0, max_order);
        rc = fy_symtensor_set_shape(T, arith, dim, order, prec, err);
    }
    if (rc == FY_OK)
        rc = fy_numvec_randtest(&T->e, state, arith, fy_symtensor_len(T), prec, err);
    if (rc != FY_OK)
    {
        fy_symtensor_clear(T);
        fy_symtensor_init_empty(T);
    }
    return rc;
}

int fy_symtensor_randtest_point(fy_symtensor_t P, uint64_t *state, const fy_symtensor_t T,
                                fy_error_t err)
{
    int rc;
    if (P == T) /* the input stays as it is */
        return fy_error_set(err, FY_EINPUT, "fy_symtensor_randtest_point: the output must not "
                            "be the input tensor; pass another tensor");
    rc = fy_symtensor_set_shape(P, FY_ARITH_EXACT, T->dim, T->order, 0, err);
    if (rc == FY_OK)
        rc = fy_numvec_randtest_point(&P->e, state, &T->e, err);
    if (rc != FY_OK)
    {
        fy_symtensor_clear(P);
        fy_symtensor_init_empty(P);
    }
    return rc;
}
