/* Fuzz target: the plain-text INN format (doc/inn-format.md).  A network that reads must write
 * back (exactly) and read again to the same exact values; its forward map at the origin must
 * work; when all its values are doubles, its safetensors image must read back to the same
 * network.  A refusal must be FY_EINPUT (or FY_ENOMEM) with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <flint/fmpq_vec.h>

#include "feynn/io.h"
#include "feynn/num.h"
#include "io/inn_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const fy_inn_t a, const fy_inn_t b)
{
    size_t k, dd = (size_t) a->d * (size_t) a->d;
    int l;
    if (a->d != b->d || a->nlayers != b->nlayers)
        abort();
    for (l = 0; l < a->nlayers; l++)
    {
        const fy_inn_layer_struct *x = &a->layers[l], *y = &b->layers[l];
        if (x->kind != y->kind)
            abort();
        if (x->kind == FY_INN_LAYER_AFFINE)
        {
            for (k = 0; k < dd; k++)
                if (!fmpq_equal(x->W + k, y->W + k))
                    abort();
            if ((x->b == NULL) != (y->b == NULL))
                abort();
            for (k = 0; x->b && k < (size_t) a->d; k++)
                if (!fmpq_equal(x->b + k, y->b + k))
                    abort();
        }
        else if (x->kind == FY_INN_LAYER_COUPLING)
        {
            if (x->nA != y->nA || x->nB != y->nB ||
                (x->nA && memcmp(x->A, y->A, (size_t) x->nA * sizeof(int)) != 0) ||
                (x->nB && memcmp(x->B, y->B, (size_t) x->nB * sizeof(int)) != 0))
                abort();
            for (k = 0; k < (size_t) x->nB * x->nA * x->nA; k++)
                if (!fmpq_equal(x->G + k, y->G + k))
                    abort();
        }
        else
            for (k = 0; k < (size_t) a->d; k++)
                if (!fmpq_equal(x->gamma + k, y->gamma + k))
                    abort();
    }
}

/* The largest bit size of a numerator or denominator of the parameters; *doubles is set to 1
 * when every parameter is exactly a finite double. */
static slong scan(int *doubles, const fy_inn_t net)
{
    slong m = 0;
    fmpq_t back;
    fmpq_init(back);
    *doubles = 1;
    size_t k, n, dd = (size_t) net->d * (size_t) net->d;
    int l;
    for (l = 0; l < net->nlayers; l++)
    {
        const fy_inn_layer_struct *x = &net->layers[l];
        const fmpq *v[2] = {NULL, NULL};
        size_t len[2] = {0, 0};
        int j;
        if (x->kind == FY_INN_LAYER_AFFINE)
        {
            v[0] = x->W, len[0] = dd;
            v[1] = x->b, len[1] = x->b ? (size_t) net->d : 0;
        }
        else if (x->kind == FY_INN_LAYER_COUPLING)
            v[0] = x->G, len[0] = (size_t) x->nB * x->nA * x->nA;
        else
            v[0] = x->gamma, len[0] = (size_t) net->d;
        for (j = 0; j < 2; j++)
            for (k = 0, n = len[j]; k < n; k++)
            {
                slong a = (slong) fmpz_bits(fmpq_numref(v[j] + k)),
                      b = (slong) fmpz_bits(fmpq_denref(v[j] + k));
                double dv = fy_fmpq_get_d(v[j] + k);
                m = a > m ? a : m;
                m = b > m ? b : m;
                if (*doubles && (fy_fmpq_set_d(back, dv, NULL) != FY_OK ||
                                 !fmpq_equal(back, v[j] + k)))
                    *doubles = 0;
            }
    }
    fmpq_clear(back);
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_inn_t net, back;
    fy_error_t err;
    char *text;
    size_t len;
    int doubles = 0;

    fy_error_init(err);
    fy_inn_init(net);
    if (fy_inn_load_buffer(net, data, size, "fuzz", FY_MODEL_TEXT, err) != FY_OK)
    {
        if ((err->code != FY_EINPUT && err->code != FY_ENOMEM) || err->msg[0] == '\0')
            abort();
        fy_inn_clear(net);
        return 0;
    }
    if (net->d < 1 || net->nlayers < 1)
        abort();
    (void) fy_inn_num_params(net);
    if (fy_inn_write_text_buffer(&text, &len, net, err) != FY_OK)
        abort();
    fy_inn_init(back);
    if (fy_inn_load_buffer(back, (const uint8_t *) text, len, "fuzz-back", FY_MODEL_AUTO, err) !=
        FY_OK)
        abort();
    same_or_abort(net, back);
    /* the forward map at the origin, when the numbers stay small (each quadratic layer may
     * double their size) */
    if (net->d <= 16 && net->nlayers <= 8 && scan(&doubles, net) <= 256)
    {
        fmpq **y = malloc(((size_t) net->nlayers + 1) * sizeof *y);
        int l;
        for (l = 0; l <= net->nlayers; l++)
            y[l] = _fmpq_vec_init(net->d);
        if (fy_inn_forward_fmpq(y, net, NULL, err) != FY_OK)
            abort();
        for (l = 0; l <= net->nlayers; l++)
            _fmpq_vec_clear(y[l], net->d);
        free(y);
    }
    /* safetensors: when every value is a double the file reads back to the same network */
    scan(&doubles, net);
    {
        fy_safetensors_t st;
        uint8_t *img;
        size_t n;
        fy_safetensors_init(st);
        if (fy_inn_to_safetensors(st, net, err) == FY_OK &&
            fy_safetensors_write_buffer(&img, &n, st, err) == FY_OK)
        {
            fy_inn_t sb;
            int rc;
            fy_inn_init(sb);
            rc = fy_inn_load_buffer(sb, img, n, "fuzz.safetensors", FY_MODEL_AUTO, err);
            if (doubles && rc != FY_OK)
                abort();
            if (doubles)
                same_or_abort(net, sb);
            fy_inn_clear(sb);
            free(img);
        }
        else if (doubles)
            abort();
        fy_safetensors_clear(st);
    }
    free(text);
    fy_inn_clear(back);
    fy_inn_clear(net);
    return 0;
}
