/* INN log-density jets instantiated for the d backend (see inn_tpl.c). */
#define FY_BACKEND_D
#include "num/backend.h"
#include "jet/inn_tpl.c"
