/* spine_tpl.c instantiated for the d backend. */
#define FY_BACKEND_D
#include "num/backend.h"
#include "mlp/spine_tpl.c"
