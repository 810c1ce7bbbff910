/* Taylor-mode AD instantiated for the fmpq backend (see jet_tpl.c). */
#define FY_BACKEND_FMPQ
#include "num/backend.h"
#include "jet/jet_tpl.c"
