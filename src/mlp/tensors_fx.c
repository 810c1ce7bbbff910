/* tensors_tpl.c instantiated for arb balls on block floating-point rows (num/fxball.h). */
#include "config.h"
#include "num/fxball.h"
#ifdef FY_HAVE_FX
#define FY_BACKEND_ARB
#define FY_MLP_FX
#include "num/backend.h"
#include "mlp/tensors_tpl.c"
#else
#include "mlp/mlp_internal.h"
int _fy_mlp_tensors_fx(arb_struct *out, const fy_mlp_struct *m, const arb_struct *W1, int dim,
                       int output, int n, slong prec, fy_error_t err)
{
    (void) out, (void) m, (void) W1, (void) dim, (void) output, (void) n, (void) prec, (void) err;
    return FY_MLP_DECLINE;
}
#endif
