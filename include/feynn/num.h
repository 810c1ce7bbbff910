/* feynn/num.h - the three arithmetics behind one interface (layer 1).
 *
 * feynn computes with exact rationals (FLINT fmpq), Arb balls (rigorous enclosures at a
 * precision in bits) or double.  This header names the arithmetic (fy_arith_t), includes the
 * right Arb header for FLINT 2.9 + Arb or FLINT 3, and converts binary floating-point numbers
 * exactly.  Algorithms are written once over the backend macros of src/num/backend.h and
 * instantiated per arithmetic (GMP's habit), not copied three times. */
#ifndef FEYNN_NUM_H
#define FEYNN_NUM_H

#include <stdint.h>

#include <flint/flint.h>
#include <flint/fmpq.h>
#include <flint/fmpz.h>
#if defined(__has_include)
#if __has_include(<flint/arb.h>)
#include <flint/arb.h>
#else
#include <arb.h>
#endif
#else
#include <arb.h>
#endif

#include "feynn/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
    FY_ARITH_DOUBLE = 0, /* IEEE double: fast, no error bound */
    FY_ARITH_BALL = 1,   /* Arb ball: midpoint-radius enclosure at prec bits */
    FY_ARITH_EXACT = 2   /* FLINT fmpq: exact rationals */
} fy_arith_t;

/* Name of an arithmetic: "double", "ball", "exact". */
const char *fy_arith_name(fy_arith_t a);

/* Exact decoding of IEEE binary16 and bfloat16 bit patterns (every such value is a double). */
double fy_f16_to_double(uint16_t bits);
double fy_bf16_to_double(uint16_t bits);
double fy_f32_to_double(uint32_t bits);
double fy_f64_from_bits(uint64_t bits);

#ifdef __cplusplus
}
#endif
#endif
