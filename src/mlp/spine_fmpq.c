/* spine_tpl.c instantiated for the fmpq backend. */
#define FY_BACKEND_FMPQ
#include "num/backend.h"
#include "mlp/spine_tpl.c"
