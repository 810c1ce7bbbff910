/* Fuzz target: the .npy reader; an array that reads must write (as F64) and read back equal,
 * and the one-layer network reader must accept or refuse it cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_npy_t a, b;
    fy_error_t err;
    fy_net_opts_t opts;
    fy_net_t net;
    uint8_t *buf;
    size_t len;

    fy_error_init(err);
    fy_npy_init(a);
    if (fy_npy_read_buffer(a, data, size, "fuzz", err) != FY_OK)
    {
        if (err->code != FY_EINPUT || err->msg[0] == '\0')
            abort();
        return 0;
    }
    a->dtype = FY_DTYPE_F64;
    if (fy_npy_write_buffer(&buf, &len, a, err) != FY_OK)
        abort();
    fy_npy_init(b);
    if (fy_npy_read_buffer(b, buf, len, "fuzz-back", err) != FY_OK || b->numel != a->numel ||
        b->ndim != a->ndim || memcmp(a->shape, b->shape, (size_t) a->ndim * sizeof(size_t)) ||
        (a->numel && memcmp(a->data, b->data, a->numel * sizeof(double)) != 0))
        abort();
    free(buf);
    fy_npy_clear(a);
    fy_npy_clear(b);

    fy_net_opts_init(opts);
    opts->format = FY_MODEL_NPY;
    fy_net_init(net);
    fy_net_load_buffer(net, data, size, "fuzz", opts, err);
    fy_net_clear(net);
    return 0;
}
