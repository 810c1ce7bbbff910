/* Taylor-mode AD instantiated for the arb backend (see jet_tpl.c). */
#define FY_BACKEND_ARB
#include "num/backend.h"
#include "jet/jet_tpl.c"
