/* arb_all.h - internal: the Arb headers the library uses beyond arb.h and arb_poly.h (which
 * feynn/num.h includes), from FLINT 3 or from FLINT 2.9 + Arb as feynn/num.h decided
 * (FY_ARB_IN_FLINT).  Include this instead of naming an Arb header. */
#ifndef FEYNN_NUM_ARB_ALL_H
#define FEYNN_NUM_ARB_ALL_H

#include "feynn/num.h"

#if FY_ARB_IN_FLINT
#include <flint/acb.h>
#include <flint/acb_calc.h>
#include <flint/acb_hypgeom.h>
#include <flint/arb_fmpz_poly.h>
#include <flint/arb_hypgeom.h>
#include <flint/arb_mat.h>
#else
#include <acb.h>
#include <acb_calc.h>
#include <acb_hypgeom.h>
#include <arb_fmpz_poly.h>
#include <arb_hypgeom.h>
#include <arb_mat.h>
#endif

#endif
