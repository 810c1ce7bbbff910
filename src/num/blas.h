/* blas.h - control of the BLAS library's own threads (internal).
 *
 * A threaded OpenBLAS called from several OpenMP threads at once oversubscribes the cores
 * (and its pthread build serialises the calls on its thread pool).  Code that calls dgemm
 * from inside its own parallel region sets the BLAS to one thread around it. */
#ifndef FEYNN_NUM_BLAS_H
#define FEYNN_NUM_BLAS_H

/* Sets the number of BLAS threads to n and returns the previous number, or returns 0 and does
 * nothing when the BLAS in use cannot be told (no CBLAS, or not OpenBLAS). */
int fy_blas_set_threads(int n);

#endif
