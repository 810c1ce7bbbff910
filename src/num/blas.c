/* BLAS thread control; see blas.h. */
#include "config.h"
#include "num/blas.h"

#if defined(HAVE_OPENBLAS_SET_NUM_THREADS) && defined(HAVE_OPENBLAS_GET_NUM_THREADS)
/* declared by OpenBLAS's cblas.h; repeated here so that no other CBLAS header is needed */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

int fy_blas_set_threads(int n)
{
    int old = openblas_get_num_threads();
    if (n >= 1 && n != old)
        openblas_set_num_threads(n);
    return old;
}
#else
int fy_blas_set_threads(int n)
{
    (void) n;
    return 0;
}
#endif
