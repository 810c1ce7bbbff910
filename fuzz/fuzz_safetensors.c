/* Fuzz target: the safetensors reader, layer discovery on what it reads, and the writer (a
 * file that reads must write and read back to the same tensors). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_safetensors_t st, back;
    fy_error_t err;
    fy_net_opts_t opts;
    fy_net_t net;
    size_t i, len;
    uint8_t *buf;
    int writable = 1;

    fy_error_init(err);
    fy_safetensors_init(st);
    if (fy_safetensors_read_buffer(st, data, size, "fuzz", err) != FY_OK)
    {
        if (err->code != FY_EINPUT || err->msg[0] == '\0')
            abort();
        fy_safetensors_clear(st);
        return 0;
    }
    for (i = 0; i < st->n; i++)
        if (st->tensors[i].dtype == FY_DTYPE_OTHER)
            writable = 0;
    if (writable)
    {
        if (fy_safetensors_write_buffer(&buf, &len, st, err) != FY_OK)
            abort();
        fy_safetensors_init(back);
        if (fy_safetensors_read_buffer(back, buf, len, "fuzz-back", err) != FY_OK ||
            back->n != st->n || back->n_meta != st->n_meta)
            abort();
        for (i = 0; i < st->n; i++)
        {
            const fy_tensor_struct *a = &st->tensors[i];
            const fy_tensor_struct *b = fy_safetensors_find(back, a->name);
            if (b == NULL || b->dtype != a->dtype || b->numel != a->numel || b->ndim != a->ndim ||
                memcmp(b->shape, a->shape, (size_t) a->ndim * sizeof(size_t)) != 0 ||
                (a->numel && memcmp(a->data, b->data, a->numel * sizeof(double)) != 0))
                abort();
        }
        fy_safetensors_clear(back);
        free(buf);
    }
    fy_net_opts_init(opts);
    opts->allow_no_activation = 1;
    opts->ignore_extra = size & 1;
    fy_net_init(net);
    if (fy_net_from_tensors(net, st, "fuzz", opts, err) == FY_OK)
    {
        char *json;
        if (fy_net_info_json(&json, net, 0, err) != FY_OK)
            abort();
        free(json);
    }
    fy_net_clear(net);
    fy_safetensors_clear(st);
    return 0;
}
