/* Taylor-mode AD instantiated for the d backend (see jet_tpl.c). */
#define FY_BACKEND_D
#include "num/backend.h"
#include "jet/jet_tpl.c"
