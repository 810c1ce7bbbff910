/* nnft_internal.h - pieces shared by the files of src/nnft. */
#ifndef FEYNN_NNFT_INTERNAL_H
#define FEYNN_NNFT_INTERNAL_H

#include "feynn/nnft.h"

/* Variance of the output bias b1 (sigma_b^2; 0 for Cos-net). */
void fy_nnft_bias_var(arb_t v, const fy_nnft_spec_t s, slong prec);
/* Sigma(x_i, x_j) = sigma_b^2 + sigma_W^2 x_i . x_j / d (Cos-net: no bias term). */
void fy_nnft_sigma(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec);
/* |x_i - x_j|^2 */
void fy_nnft_dist2(arb_t v, const fy_nnft_spec_t s, slong i, slong j, slong prec);

#endif
