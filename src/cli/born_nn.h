/* born_nn.h - helpers of the commands `feynn born train`, `feynn born verify` and `feynn demo`
 * (layer 5, internal).  The verification itself and the demo are the borntaylor module
 * (include/feynn/borntaylor.h). */
#ifndef FEYNN_CLI_BORN_NN_H
#define FEYNN_CLI_BORN_NN_H

#include "feynn/train.h"

/* Progress callback (train.h): ctx is a fy_born_nn_progress_t. */
typedef struct
{
    const char *label;
    int every;
} fy_born_nn_progress_t;
int fy_born_nn_progress(void *ctx, const fy_train_progress_struct *p);
#endif
