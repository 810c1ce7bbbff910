/* src/mlp/vec_tpl.h - zeroed element vectors of the whole-tensor templates (tensors_tpl.c,
 * spine_tpl.c), included by each once per backend: in double taken from the caller's
 * workspace when there is one (kept between calls: no allocation, no fresh pages), else
 * allocated; rationals initialised one by one; zero bytes are a zero double and a valid (zero)
 * arb. */
#ifndef FY_MLP_VEC_TPL_H
#define FY_MLP_VEC_TPL_H

static fy_el_ptr vec_new(fy_mlp_work_struct *pool, slong n, fy_error_t err)
{
    fy_el_ptr v;
    slong i;
    if (n < 1)
        n = 1;
#if defined(FY_BACKEND_D)
    if (pool != NULL)
    {
        v = _fy_mlp_pool_get(pool, (size_t) n * sizeof(double));
        if (v == NULL)
            fy_error_set(err, FY_ENOMEM, "mlp: out of memory for a workspace block");
        return v;
    }
#else
    (void) pool;
#endif
#if defined(FY_BACKEND_FMPQ)
    v = fy_malloc((size_t) n, sizeof(fy_el_struct), err);
    for (i = 0; v != NULL && i < n; i++)
        FY_EL_INIT(v + i);
#else
    (void) i;
    v = fy_calloc((size_t) n, sizeof(fy_el_struct), err);
#endif
    return v;
}

static void vec_free(fy_mlp_work_struct *pool, fy_el_ptr v, slong n)
{
#if defined(FY_BACKEND_D)
    (void) n;
    if (pool != NULL && v != NULL)
        _fy_mlp_pool_put(pool, v);
    else
        free(v);
#else
    slong i;
    (void) pool;
    for (i = 0; v != NULL && i < (n < 1 ? 1 : n); i++)
        FY_EL_CLEAR(v + i);
    free(v);
#endif
}

#endif
