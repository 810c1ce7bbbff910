/* Fuzz target: the plain-text model format.  A model that reads must write back (exactly) and
 * read again to the same exact values and doubles. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_net_t net, back;
    fy_net_opts_t opts;
    fy_error_t err;
    char *text, *json;
    size_t len;
    int l;

    fy_error_init(err);
    fy_net_opts_init(opts);
    opts->allow_no_activation = size & 1;
    fy_net_init(net);
    if (fy_net_read_text_buffer(net, (const char *) data, size, "fuzz", opts, err) != FY_OK)
    {
        if ((err->code != FY_EINPUT && err->code != FY_ENOMEM) || err->msg[0] == '\0')
            abort();
        fy_net_clear(net);
        return 0;
    }
    if (fy_net_info_json(&json, net, 2, err) != FY_OK)
        abort();
    free(json);
    if (fy_net_write_text_buffer(&text, &len, net, err) != FY_OK)
        abort();
    fy_net_init(back);
    if (fy_net_read_text_buffer(back, text, len, "fuzz-back", opts, err) != FY_OK ||
        back->L != net->L)
        abort();
    for (l = 0; l < net->L; l++)
    {
        const fy_layer_struct *x = &net->layers[l], *y = &back->layers[l];
        size_t k, nw = x->n_out * x->n_in;
        if (x->n_out != y->n_out || x->n_in != y->n_in ||
            memcmp(x->W, y->W, nw * sizeof(double)) != 0 ||
            memcmp(x->b, y->b, x->n_out * sizeof(double)) != 0)
            abort();
        for (k = 0; k < nw; k++)
            if (!fmpq_equal(x->W_exact + k, y->W_exact + k))
                abort();
        for (k = 0; k < x->n_out; k++)
            if (!fmpq_equal(x->b_exact + k, y->b_exact + k))
                abort();
        if ((x->activation == NULL) != (y->activation == NULL) ||
            (x->activation && strcmp(x->activation, y->activation) != 0))
            abort();
    }
    free(text);
    fy_net_clear(back);
    fy_net_clear(net);
    return 0;
}
