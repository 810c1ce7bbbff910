/* nnft_cli.h - internal: what the files of `feynn nnft` share (cmd_nnft.c defines them). */
#ifndef FEYNN_CLI_NNFT_CLI_H
#define FEYNN_CLI_NNFT_CLI_H

#include <jansson.h>

#include "feynn/nnft.h"

/* An exact rational as a JSON string ("3/4"). */
json_t *fy_nnft_cli_json_q(const fmpq_t q);
/* The spec object of every nnft JSON output: activation, d, width, d_out, sigma_W, sigma_b,
 * sigma_a, kurtosis, inputs, points. */
json_t *fy_nnft_cli_json_spec(const fy_nnft_spec_t s);

#endif
