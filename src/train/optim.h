/* Optimiser pieces shared by the trainers (train: MLP regression; inn: maximum-likelihood
 * INN training): full-batch L-BFGS with a backtracking Armijo line search, and the Adam
 * update.  Both work on a flat parameter vector through callbacks, so that each trainer keeps
 * its own model layout and its own deterministic loss and gradient. */
#ifndef FEYNN_TRAIN_OPTIM_H
#define FEYNN_TRAIN_OPTIM_H

#include <stddef.h>

#include "feynn/error.h"

/* f(P) with its gradient into g (np entries); a non-finite value is a rejected step. */
typedef double (*fy_optim_fg_fn)(void *ctx, const double *P, double *g);
/* Called after every accepted iteration it (from 1) with the new P, f(P) and the step
 * length; nonzero stops the minimiser. */
typedef int (*fy_optim_hook_fn)(void *ctx, int it, const double *P, double f, double t);

/* Minimises f from P (updated in place) by L-BFGS with history mem, at most iters
 * iterations, stopping when max |g| <= gtol, when no decrease is found along the direction
 * (40 halvings) or when hook asks.  Returns the iterations done; *rc is FY_OK or FY_ENOMEM
 * (err set). */
int _fy_lbfgs_minimize(double *P, size_t np, int iters, int mem, double gtol, fy_optim_fg_fn fg,
                       void *fctx, fy_optim_hook_fn hook, void *hctx, fy_error_t err, int *rc);

/* One Adam step on n parameters: M1, M2 the moment estimates, c1 = 1 / (1 - beta1^t) and
 * c2 = 1 / (1 - beta2^t) the bias corrections, wd a decoupled weight decay (0: none):
 * P -= lr (M1 c1 / (sqrt(M2 c2) + eps) + wd P). */
void _fy_adam_update(double *P, const double *G, double *M1, double *M2, size_t n, double lr,
                     double beta1, double beta2, double eps, double c1, double c2, double wd);

#endif
