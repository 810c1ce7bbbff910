/* spine_tpl.c instantiated for the arb backend. */
#define FY_BACKEND_ARB
#include "num/backend.h"
#include "mlp/spine_tpl.c"
