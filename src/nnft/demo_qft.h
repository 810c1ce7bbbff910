/* demo_qft.h - the second part of `feynn demo nnft` (fields from neurons, issue 14), called
 * from src/nnft/demo.c; the results live in fy_nnft_demo_struct.qft (feynn/nnft.h). */
#ifndef FEYNN_NNFT_DEMO_QFT_H
#define FEYNN_NNFT_DEMO_QFT_H

#include <jansson.h>

#include "feynn/nnft.h"
#include "feynn/util.h"

/* Runs the part (exact balls at prec bits; M networks for the Monte Carlo column). */
int fy_nnft_demo_qft_run(fy_nnft_demo_qft_struct *q, uint64_t M, uint64_t seed, slong prec,
                         fy_error_t err);
/* The report.json object "qft" and the report.txt section. */
json_t *fy_nnft_demo_qft_json(const fy_nnft_demo_qft_struct *q);
void fy_nnft_demo_qft_text(fy_strbuf_t b, const fy_nnft_demo_qft_struct *q);
/* qft_spectrum.csv, qft_duality.csv, qft_ib.csv and, when figures can be drawn, duality.pdf,
 * ib.pdf and ib_eps.pdf (with their PNGs) into dir; *nfig gains the figures written. */
int fy_nnft_demo_qft_files(const fy_nnft_demo_qft_struct *q, const char *dir, int *nfig,
                           fy_error_t err);

#endif
