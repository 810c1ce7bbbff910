/* INN log-density jets instantiated for the arb backend (see inn_tpl.c). */
#define FY_BACKEND_ARB
#include "num/backend.h"
#include "jet/inn_tpl.c"
