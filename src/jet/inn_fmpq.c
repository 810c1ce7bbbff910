/* INN log-density jets instantiated for the fmpq backend (see inn_tpl.c). */
#define FY_BACKEND_FMPQ
#include "num/backend.h"
#include "jet/inn_tpl.c"
