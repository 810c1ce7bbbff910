/* symtensor_tpl.c instantiated for the d backend. */
#define FY_BACKEND_D
#include "num/backend.h"
#include "series/symtensor_tpl.c"
