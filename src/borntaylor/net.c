/* net.c - networks for a_0 saved with the Born metadata (see borntaylor.h, "networks"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "borntaylor/borntaylor_internal.h"
#include "feynn/io.h"

int fy_borntaylor_net_save(const char *path, const fy_net_t net, double R,
                           const char *residual_of, const char *note, fy_error_t err)
{
    fy_safetensors_t st;
    char buf[64];
    int status;
    fy_safetensors_init(st);
    status = fy_net_to_safetensors(st, net, FY_DTYPE_F64, err);
    snprintf(buf, sizeof buf, "%.17g", R);
    if (status == FY_OK)
        status = fy_safetensors_set_meta(st, "feynn.born.range", buf, err);
    snprintf(buf, sizeof buf, "%zu", net->widths[0]);
    if (status == FY_OK)
        status = fy_safetensors_set_meta(st, "feynn.born.steps", buf, err);
    if (status == FY_OK)
        status = fy_safetensors_set_meta(st, "feynn.born.convention", FY_BORN_CONVENTION, err);
    if (status == FY_OK && residual_of != NULL)
        status = fy_safetensors_set_meta(st, "feynn.born.residual_of", residual_of, err);
    if (status == FY_OK && note != NULL)
        status = fy_safetensors_set_meta(st, "feynn.born.note", note, err);
    if (status == FY_OK)
        status = fy_safetensors_write(path, st, err);
    fy_safetensors_clear(st);
    return status;
}

void fy_borntaylor_net_meta(double *R, long *steps, const char *path)
{
    fy_safetensors_t st;
    fy_error_t err;
    const char *r;
    *R = NAN;
    *steps = -1;
    fy_error_init(err);
    fy_safetensors_init(st);
    if (fy_safetensors_read(st, path, err) == FY_OK)
    {
        if ((r = fy_safetensors_meta(st, "feynn.born.range")) != NULL)
            *R = strtod(r, NULL);
        if ((r = fy_safetensors_meta(st, "feynn.born.steps")) != NULL)
            *steps = strtol(r, NULL, 10);
    }
    fy_safetensors_clear(st);
}
