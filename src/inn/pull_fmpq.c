/* pull_tpl.c instantiated for the fmpq backend. */
#define FY_BACKEND_FMPQ
#include "num/backend.h"
#include "inn/pull_tpl.c"
