/* pull_tpl.c instantiated for the d backend. */
#define FY_BACKEND_D
#include "num/backend.h"
#include "inn/pull_tpl.c"
