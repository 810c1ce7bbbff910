/* eval_tpl.c instantiated for the arb backend. */
#define FY_BACKEND_ARB
#include "num/backend.h"
#include "eval/eval_tpl.c"
