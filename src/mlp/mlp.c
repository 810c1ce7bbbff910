/* The fy_mlp_t object: weights in one arithmetic, activations, the expansion point, and the
 * public entry points that dispatch to the per-arithmetic kernels of taylor_tpl.c. */
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/enumerate.h"
#include "mlp/mlp_internal.h"

void fy_mlp_init(fy_mlp_t m)
{
    memset(m, 0, sizeof *m);
    m->arith = FY_ARITH_DOUBLE;
    m->prec = 128;
    m->order = -1;
    m->max_bytes = FY_MLP_DEFAULT_MAX_BYTES;
    fy_numvec_init_empty(&m->xbar);
}

static void clear_point(fy_mlp_t m)
{
    int l;
    for (l = 0; m->z != NULL && l <= m->L; l++)
    {
        fy_numvec_clear(m->z + l);
        fy_numvec_clear(m->s + l);
        fy_numvec_init_empty(m->z + l);
        fy_numvec_init_empty(m->s + l);
    }
    m->order = -1;
}

void fy_mlp_clear(fy_mlp_t m)
{
    int l;
    for (l = 0; m->W != NULL && l <= m->L; l++)
    {
        fy_numvec_clear(m->W + l);
        fy_numvec_clear(m->b + l);
        fy_numvec_clear(m->z + l);
        fy_numvec_clear(m->s + l);
        fy_activation_clear(m->act + l);
    }
    free(m->W);
    free(m->b);
    free(m->z);
    free(m->s);
    free(m->act);
    free(m->width);
    fy_numvec_clear(&m->xbar);
    memset(m, 0, sizeof *m);
    m->order = -1;
}

/* Sets entry i of v from a double and (optionally) an exact rational. */
static int set_entry(fy_numvec_t v, slong i, double x, const fmpq *q, fy_error_t err)
{
    switch (v->arith)
    {
    case FY_ARITH_DOUBLE:
        fy_numvec_d(v)[i] = x;
        return FY_OK;
    case FY_ARITH_BALL:
        if (q != NULL)
        {
            arb_set_fmpq(fy_numvec_arb(v) + i, q, v->prec);
            return FY_OK;
        }
        return fy_arb_set_d_exact(fy_numvec_arb(v) + i, x, err);
    default:
        if (q != NULL)
        {
            fmpq_set(fy_numvec_fmpq(v) + i, q);
            return FY_OK;
        }
        return fy_fmpq_set_d(fy_numvec_fmpq(v) + i, x, err);
    }
}

int fy_mlp_set_net(fy_mlp_t m, const fy_net_t net, const fy_rules_t rules, fy_arith_t arith,
                   slong prec, fy_error_t err)
{
    int L, l, status = FY_OK, extra;
    const fy_layer_struct *last;

    if (net->L < 1 || net->layers == NULL || net->widths == NULL)
        return fy_error_set(err, FY_EINPUT, "mlp: the network has no layers");
    if (arith == FY_ARITH_BALL && prec < 2)
        return fy_error_set(err, FY_EINPUT, "mlp: ball precision %ld bits is too small",
                            (long) prec);
    last = net->layers + (net->L - 1);
    extra = last->activation != NULL && strcmp(last->activation, "identity") != 0 &&
            strcmp(last->activation, "linear") != 0 && strcmp(last->activation, "none") != 0;
    fy_mlp_clear(m);
    fy_mlp_init(m);
    m->arith = arith;
    m->prec = prec < 2 ? 128 : prec;
    L = net->L + extra;
    m->width = fy_calloc((size_t) L + 1, sizeof(int), err);
    m->W = fy_calloc((size_t) L + 1, sizeof(fy_numvec_struct), err);
    m->b = fy_calloc((size_t) L + 1, sizeof(fy_numvec_struct), err);
    m->z = fy_calloc((size_t) L + 1, sizeof(fy_numvec_struct), err);
    m->s = fy_calloc((size_t) L + 1, sizeof(fy_numvec_struct), err);
    m->act = fy_calloc((size_t) L + 1, sizeof(fy_activation_struct), err);
    if (!m->width || !m->W || !m->b || !m->z || !m->s || !m->act)
    {
        fy_mlp_clear(m);
        return FY_ENOMEM;
    }
    m->L = L;
    m->output_activation = extra;
    for (l = 0; l <= L; l++)
    {
        fy_numvec_init_empty(m->W + l);
        fy_numvec_init_empty(m->b + l);
        fy_numvec_init_empty(m->z + l);
        fy_numvec_init_empty(m->s + l);
        fy_activation_init(m->act + l);
    }
    fy_numvec_clear(&m->xbar);
    fy_numvec_init_empty(&m->xbar);
    for (l = 0; l <= net->L; l++)
    {
        if (net->widths[l] < 1 || net->widths[l] > FY_IO_MAX_WIDTH)
        {
            fy_mlp_clear(m);
            return fy_error_set(err, FY_EINPUT, "mlp: width %zu of layer %d", net->widths[l], l);
        }
        m->width[l] = (int) net->widths[l];
    }
    if (extra)
        m->width[L] = m->width[L - 1];
    for (l = 1; l <= net->L && status == FY_OK; l++)
    {
        const fy_layer_struct *ly = net->layers + (l - 1);
        slong no = (slong) ly->n_out, ni = (slong) ly->n_in, i;
        if (no != m->width[l] || ni != m->width[l - 1])
        {
            status = fy_error_set(err, FY_EINPUT, "mlp: layer %d is %ld x %ld, the widths say "
                                  "%d x %d", l, (long) no, (long) ni, m->width[l],
                                  m->width[l - 1]);
            break;
        }
        fy_numvec_clear(m->W + l);
        fy_numvec_clear(m->b + l);
        status = fy_numvec_init(m->W + l, arith, no * ni, m->prec, err);
        if (status == FY_OK)
            status = fy_numvec_init(m->b + l, arith, no, m->prec, err);
        for (i = 0; i < no * ni && status == FY_OK; i++)
            status = set_entry(m->W + l, i, ly->W[i], ly->W_exact ? ly->W_exact + i : NULL, err);
        for (i = 0; i < no && status == FY_OK; i++)
            status = set_entry(m->b + l, i, ly->b[i], ly->b_exact ? ly->b_exact + i : NULL, err);
        if (status != FY_OK)
            break;
        if (l < L)
        {
            const char *name = ly->activation;
            const fy_activation_struct *a;
            if (name == NULL)
            {
                status = fy_error_set(err, FY_EINPUT, "mlp: hidden layer %d has no activation "
                                      "(set fy_net_opts.activation)", l);
                break;
            }
            a = fy_rules_activation(rules, name);
            if (a == NULL)
            {
                status = fy_error_set(err, FY_EINPUT, "mlp: activation '%s' of layer %d is not "
                                      "defined in the rule files", name, l);
                break;
            }
            status = fy_activation_set(m->act + l, a, err);
        }
    }
    if (status == FY_OK && extra)
    {
        /* the output activation as one more vertex layer: W = identity, b = 0 */
        slong w = m->width[L], i;
        fy_numvec_clear(m->W + L);
        fy_numvec_clear(m->b + L);
        status = fy_numvec_init(m->W + L, arith, w * w, m->prec, err);
        if (status == FY_OK)
            status = fy_numvec_init(m->b + L, arith, w, m->prec, err);
        for (i = 0; i < w && status == FY_OK; i++)
            status = fy_numvec_set_si(m->W + L, i * w + i, 1, err);
    }
    if (status != FY_OK)
    {
        fy_mlp_clear(m);
        return status;
    }
    return FY_OK;
}

int fy_mlp_set_point(fy_mlp_t m, const fy_numvec_t xbar, int order, fy_error_t err)
{
    int status, l;
    if (m->L < 1)
        return fy_error_set(err, FY_EINPUT, "mlp: no network loaded");
    if (order < 0 || order > FY_MLP_MAX_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: order %d outside 0..%d", order,
                            FY_MLP_MAX_ORDER);
    clear_point(m);
    fy_numvec_clear(&m->xbar);
    if (xbar == NULL)
        status = fy_numvec_init(&m->xbar, m->arith, m->width[0], m->prec, err);
    else if (xbar->len != m->width[0])
        return fy_error_set(err, FY_EINPUT, "mlp: the expansion point has %ld entries, the "
                            "network %d inputs", (long) xbar->len, m->width[0]);
    else
    {
        fy_numvec_init_empty(&m->xbar);
        status = fy_numvec_convert(&m->xbar, m->arith, m->prec, xbar, err);
    }
    if (status != FY_OK)
        return status;
    switch (m->arith)
    {
    case FY_ARITH_DOUBLE:
        status = _fy_mlp_forward_d(m, order, m->prec, err);
        break;
    case FY_ARITH_BALL:
        status = _fy_mlp_forward_arb(m, order, m->prec, err);
        break;
    default:
        status = _fy_mlp_forward_fmpq(m, order, m->prec, err);
    }
    if (status != FY_OK)
    {
        clear_point(m);
        return status;
    }
    m->order = order;
    m->notes[0] = '\0';
    for (l = 1; l < m->L; l++)
        if (m->act[l].def == FY_ACT_PIECEWISE_LINEAR)
        {
            snprintf(m->notes, sizeof m->notes,
                     "layer %d: %s is piecewise linear, so every vertex sigma^(k), k >= 2, "
                     "vanishes away from z = 0: only order 1 survives through this layer",
                     l, m->act[l].name);
            break;
        }
    return FY_OK;
}

static int need_point(const fy_mlp_t m, int n, fy_error_t err)
{
    if (m->order < 0)
        return fy_error_set(err, FY_EINPUT, "mlp: no expansion point (call fy_mlp_set_point)");
    if (n < 0 || n > m->order)
        return fy_error_set(err, FY_EINPUT, "mlp: order %d, but vertex values are known up to "
                            "order %d", n, m->order);
    return FY_OK;
}

int fy_mlp_value(fy_numvec_t val, const fy_mlp_t m, int output, fy_error_t err)
{
    int status = need_point(m, 0, err);
    if (status != FY_OK)
        return status;
    if (output < 0 || output >= m->width[m->L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[m->L] - 1);
    fy_numvec_clear(val);
    status = fy_numvec_init(val, m->arith, 1, m->prec, err);
    if (status != FY_OK)
        return status;
    switch (m->arith)
    {
    case FY_ARITH_DOUBLE:
        fy_numvec_d(val)[0] = fy_numvec_d(m->z + m->L)[output];
        break;
    case FY_ARITH_BALL:
        arb_set(fy_numvec_arb(val), fy_numvec_arb(m->z + m->L) + output);
        break;
    default:
        fmpq_set(fy_numvec_fmpq(val), fy_numvec_fmpq(m->z + m->L) + output);
    }
    return FY_OK;
}

int fy_mlp_propagator(fy_numvec_t D, const fy_mlp_t m, int l, int k, fy_error_t err)
{
    int status = need_point(m, m->L > 1 ? 1 : 0, err);
    if (status != FY_OK)
        return status;
    if (k < 0 || l <= k || l > m->L)
        return fy_error_set(err, FY_EINPUT, "mlp: propagator D^(%d,%d) needs 0 <= m < l <= %d",
                            l, k, m->L);
    fy_numvec_clear(D);
    status = fy_numvec_init(D, m->arith, (slong) m->width[l] * m->width[k], m->prec, err);
    if (status != FY_OK)
        return status;
    switch (m->arith)
    {
    case FY_ARITH_DOUBLE:
        _fy_mlp_propagator_d(fy_numvec_d(D), m, l, k, m->prec);
        break;
    case FY_ARITH_BALL:
        _fy_mlp_propagator_arb(fy_numvec_arb(D), m, l, k, m->prec);
        break;
    default:
        _fy_mlp_propagator_fmpq(fy_numvec_fmpq(D), m, l, k, m->prec);
    }
    return FY_OK;
}

int fy_mlp_vertex(fy_numvec_t v, const fy_mlp_t m, int l, int k, fy_error_t err)
{
    int status = need_point(m, k, err);
    slong w, a;
    if (status != FY_OK)
        return status;
    if (l < 1 || l >= m->L)
        return fy_error_set(err, FY_EINPUT, "mlp: layer %d is not hidden (1..%d)", l, m->L - 1);
    w = m->width[l];
    fy_numvec_clear(v);
    status = fy_numvec_init(v, m->arith, w, m->prec, err);
    for (a = 0; a < w && status == FY_OK; a++)
    {
        slong i = (slong) k * w + a;
        switch (m->arith)
        {
        case FY_ARITH_DOUBLE:
            fy_numvec_d(v)[a] = fy_numvec_d(m->s + l)[i];
            break;
        case FY_ARITH_BALL:
            arb_set(fy_numvec_arb(v) + a, fy_numvec_arb(m->s + l) + i);
            break;
        default:
            fmpq_set(fy_numvec_fmpq(v) + a, fy_numvec_fmpq(m->s + l) + i);
        }
    }
    return status;
}

size_t fy_mlp_tensor_bytes(const fy_mlp_t m, int dim, int n)
{
    fy_mindex_t ix;
    slong E, Elow, G = 0;
    size_t el, ld = 1, total, rows;
    int l, q, hidden = m->L > 2 ? m->L - 2 : 0;

    if (dim < 1 || n < 1 || fy_mindex_init(ix, dim, n, NULL) != FY_OK)
        return SIZE_MAX;
    E = fy_mindex_offset(ix, n + 1) - 1; /* orders 1..n */
    Elow = fy_mindex_offset(ix, n) - 1;  /* orders 1..n-1 */
    for (q = 1; q <= n; q++)
        G += fy_mindex_offset(ix, q);
    fy_mindex_clear(ix);
    for (l = 1; l < m->L; l++)
        if ((size_t) m->width[l] > ld)
            ld = (size_t) m->width[l];
    el = fy_numvec_bytes(m->arith, 1);
    if (m->arith == FY_ARITH_BALL && m->prec > 128)
        el += 2 * (size_t) ((m->prec + 63) / 64) * 8;
    if (m->arith == FY_ARITH_EXACT)
        el += 64; /* a guess for the limbs of typical numerators and denominators */
    /* tensors_tpl.c: the low pass keeps orders < n once, and per hidden layer after the first
     * its P and G tables; the top pass holds two chunks of rows per thread; the output
     * entries are there twice (kernel output and tensors) */
    rows = (size_t) Elow + (size_t) hidden * ((size_t) Elow + (size_t) G) +
           (size_t) dim + (size_t) n + 1 + 16 * (2 * 512 + (size_t) dim + 1);
    if (rows > SIZE_MAX / (ld + 2) / el || (size_t) E > SIZE_MAX / 4 / el)
        return SIZE_MAX;
    total = rows * ld * el + 2 * (size_t) E * el;
    return total;
}

static int tensors_raw(fy_numvec_t out, const fy_mlp_t m, const fy_numvec_t W1, int dim,
                       int output, int n, fy_mlp_work_struct *pool, fy_error_t err)
{
    size_t bytes;
    fy_mindex_t ix;
    slong E;
    int status = need_point(m, n, err);

    if (status != FY_OK)
        return status;
    if (n < 1 || n > FY_MLP_MAX_TENSOR_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: tensor order %d outside 1..%d (use Taylor "
                            "coefficients along a direction for higher orders)", n,
                            FY_MLP_MAX_TENSOR_ORDER);
    if (output < 0 || output >= m->width[m->L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[m->L] - 1);
    bytes = fy_mlp_tensor_bytes(m, dim, n);
    if (bytes == SIZE_MAX || bytes > m->max_bytes)
        return fy_error_set(err, FY_ENOMEM, "mlp: the tensors of order <= %d in %d variables "
                            "would need about %.3g GiB of working memory (%s arithmetic), above "
                            "the limit of %.3g GiB; single entries or Taylor coefficients along "
                            "a direction need far less; or " FY_MEMORY_LIMIT_HINT, n, dim,
                            bytes == SIZE_MAX ? 1e30 : (double) bytes / 1073741824.0,
                            fy_arith_name(m->arith), (double) m->max_bytes / 1073741824.0);
    status = fy_mindex_init(ix, dim, n, err);
    if (status != FY_OK)
        return status;
    E = fy_mindex_offset(ix, n + 1) - 1;
    fy_mindex_clear(ix);
    if (pool == NULL || out->arith != m->arith || out->len < E)
    {
        fy_numvec_clear(out);
        status = fy_numvec_init(out, m->arith, E, m->prec, err);
        if (status != FY_OK)
            return status;
    }
    switch (m->arith)
    {
    case FY_ARITH_DOUBLE:
        if (pool != NULL)
            return _fy_mlp_tensors_pool_d(fy_numvec_d(out), m, fy_numvec_d(W1), dim, output, n,
                                          m->prec, pool, err);
        return _fy_mlp_tensors_d(fy_numvec_d(out), m, fy_numvec_d(W1), dim, output, n, m->prec,
                                 err);
    case FY_ARITH_BALL:
        /* block floating-point rows when the weights are exact doubles (up to 128 bits: they
         * carry 126-bit mantissas), ordinary balls otherwise */
        if (m->prec <= 128)
        {
            int st = _fy_mlp_tensors_fx(fy_numvec_arb(out), m, fy_numvec_arb(W1), dim, output, n,
                                        m->prec, err);
            if (st != FY_MLP_DECLINE)
                return st;
        }
        return _fy_mlp_tensors_arb(fy_numvec_arb(out), m, fy_numvec_arb(W1), dim, output, n,
                                   m->prec, err);
    default:
        return _fy_mlp_tensors_fmpq(fy_numvec_fmpq(out), m, fy_numvec_fmpq(W1), dim, output, n,
                                    m->prec, err);
    }
}

/* Moves entries [from, from + len) of x into the tensor T's storage. */
static void take_entries(fy_symtensor_t T, fy_numvec_t x, slong from)
{
    slong i, len = T->e.len;
    for (i = 0; i < len; i++)
        switch (x->arith)
        {
        case FY_ARITH_DOUBLE:
            fy_numvec_d(&T->e)[i] = fy_numvec_d(x)[from + i];
            break;
        case FY_ARITH_BALL:
            arb_swap(fy_numvec_arb(&T->e) + i, fy_numvec_arb(x) + from + i);
            break;
        default:
            fmpq_swap(fy_numvec_fmpq(&T->e) + i, fy_numvec_fmpq(x) + from + i);
        }
}

int fy_mlp_derivatives(fy_symtensor_struct *T, const fy_mlp_t m, int output, int n,
                       fy_error_t err)
{
    fy_numvec_t all, val;
    int k, status, d = m->L > 0 ? m->width[0] : 0;
    slong from = 0;

    status = need_point(m, n, err);
    if (status != FY_OK)
        return status;
    fy_numvec_init_empty(all);
    fy_numvec_init_empty(val);
    status = fy_mlp_value(val, m, output, err);
    if (status == FY_OK && n >= 1)
        status = tensors_raw(all, m, m->W + 1, d, output, n, NULL, err);
    for (k = 0; k <= n && status == FY_OK; k++)
    {
        fy_symtensor_clear(T + k);
        status = fy_symtensor_init(T + k, m->arith, d, k, m->prec, err);
        if (status != FY_OK)
            break;
        if (k == 0)
            take_entries(T + k, val, 0);
        else
        {
            take_entries(T + k, all, from);
            from += T[k].e.len;
        }
    }
    fy_numvec_clear(all);
    fy_numvec_clear(val);
    return status;
}

/* ------------------------------------------------------------------ workspace */

void fy_mlp_work_init(fy_mlp_work_t w)
{
    memset(w, 0, sizeof *w);
    fy_numvec_init_empty(&w->all);
}

void fy_mlp_work_clear(fy_mlp_work_t w)
{
    int i;
    for (i = 0; i < w->n; i++)
        free(w->buf[i]);
    free(w->buf);
    free(w->size);
    free(w->busy);
    fy_numvec_clear(&w->all);
    memset(w, 0, sizeof *w);
}

size_t fy_mlp_work_bytes(const fy_mlp_work_t w)
{
    size_t t = fy_numvec_bytes(w->all.arith, w->all.len);
    int i;
    for (i = 0; i < w->n; i++)
        t += w->size[i];
    return t;
}

/* The smallest free block of at least `bytes` (else a new one), zeroed. */
void *_fy_mlp_pool_get(fy_mlp_work_struct *w, size_t bytes)
{
    void *p = NULL;
    int i, best = -1;
    if (bytes == 0)
        bytes = 1;
#ifdef _OPENMP
#pragma omp critical(fy_mlp_pool)
#endif
    {
        for (i = 0; i < w->n; i++)
            if (!w->busy[i] && w->size[i] >= bytes && (best < 0 || w->size[i] < w->size[best]))
                best = i;
        /* none fits: the largest free block grows to the size (fit_length), so that the
         * number of blocks stays that of the blocks in use at once */
        for (i = 0; best < 0 && i < w->n; i++)
            if (!w->busy[i])
            {
                int j, big = i;
                for (j = i + 1; j < w->n; j++)
                    if (!w->busy[j] && w->size[j] > w->size[big])
                        big = j;
                free(w->buf[big]);
                w->buf[big] = malloc(bytes);
                w->size[big] = w->buf[big] != NULL ? bytes : 0;
                if (w->buf[big] != NULL)
                    best = big;
                break;
            }
        if (best < 0 && w->n == w->alloc)
        {
            int na = w->alloc ? 2 * w->alloc : 16;
            void **b = realloc(w->buf, sizeof(void *) * (size_t) na);
            size_t *z = b ? realloc(w->size, sizeof(size_t) * (size_t) na) : NULL;
            unsigned char *u = z ? realloc(w->busy, (size_t) na) : NULL;
            if (b)
                w->buf = b;
            if (z)
                w->size = z;
            if (u)
            {
                w->busy = u;
                w->alloc = na;
            }
        }
        if (best < 0 && w->n < w->alloc && (p = malloc(bytes)) != NULL)
        {
            best = w->n++;
            w->buf[best] = p;
            w->size[best] = bytes;
        }
        if (best >= 0)
        {
            w->busy[best] = 1;
            p = w->buf[best];
        }
    }
    if (p != NULL)
        memset(p, 0, bytes);
    return p;
}

void _fy_mlp_pool_put(fy_mlp_work_struct *w, void *p)
{
    int i;
    if (p == NULL)
        return;
#ifdef _OPENMP
#pragma omp critical(fy_mlp_pool)
#endif
    for (i = 0; i < w->n; i++)
        if (w->buf[i] == p)
            w->busy[i] = 0;
}

int fy_mlp_derivatives_work(fy_symtensor_struct *T, const fy_mlp_t m, int output, int n,
                            fy_mlp_work_t w, fy_error_t err)
{
    int k, status, d = m->L > 0 ? m->width[0] : 0;
    slong from = 0, i;

    if (m->arith != FY_ARITH_DOUBLE)
        return fy_mlp_derivatives(T, m, output, n, err);
    status = need_point(m, n, err);
    if (status == FY_OK && (output < 0 || output >= m->width[m->L]))
        status = fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                              m->width[m->L] - 1);
    if (status == FY_OK && n >= 1)
        status = tensors_raw(&w->all, m, m->W + 1, d, output, n, w, err);
    for (i = 0; i < w->n; i++)
        w->busy[i] = 0;
    for (k = 0; k <= n && status == FY_OK; k++)
    {
        if (T[k].e.arith != FY_ARITH_DOUBLE || T[k].dim != d || T[k].order != k)
        {
            fy_symtensor_clear(T + k);
            status = fy_symtensor_init(T + k, FY_ARITH_DOUBLE, d, k, m->prec, err);
            if (status != FY_OK)
                break;
        }
        if (k == 0)
            fy_numvec_d(&T[0].e)[0] = fy_numvec_d(m->z + m->L)[output];
        else
        {
            memcpy(fy_numvec_d(&T[k].e), fy_numvec_d(&w->all) + from,
                   sizeof(double) * (size_t) T[k].e.len);
            from += T[k].e.len;
        }
    }
    return status;
}

/* Double results are refused, not returned, when an entry is not finite: somewhere along the
 * way a value passed 1.8e308 (or 0 * inf made a NaN).  `what` names an entry ("c_%ld"). */
static int finite_d(const fy_numvec_t v, const char *what, int n, fy_error_t err)
{
    slong i;
    const double *x = fy_numvec_d(v);
    if (x == NULL)
        return FY_OK;
    for (i = 0; i < v->len; i++)
        if (!isfinite(x[i]))
        {
            char name[64];
            snprintf(name, sizeof name, what, (long) i);
            return fy_error_set(err, FY_EUNSUPPORTED, "mlp: double arithmetic overflowed at "
                                "order %d (%s is %s: an intermediate value passed the double "
                                "range, about 1.8e308); ball arithmetic (FY_ARITH_BALL) has no "
                                "such limit", n, name, isnan(x[i]) ? "NaN" : "infinite");
        }
    return FY_OK;
}

int fy_mlp_tensor(fy_symtensor_t T, const fy_mlp_t m, int output, int n, fy_error_t err)
{
    fy_symtensor_struct *all;
    int k, status;
    if (n < 0 || n > FY_MLP_MAX_TENSOR_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: tensor order %d outside 0..%d", n,
                            FY_MLP_MAX_TENSOR_ORDER);
    all = fy_calloc((size_t) n + 1, sizeof *all, err);
    if (all == NULL)
        return FY_ENOMEM;
    for (k = 0; k <= n; k++)
        fy_symtensor_init_empty(all + k);
    status = fy_mlp_derivatives(all, m, output, n, err);
    if (status == FY_OK)
        status = finite_d(&all[n].e, "tensor entry %ld", n, err);
    if (status == FY_OK)
        fy_symtensor_swap(T, all + n);
    for (k = 0; k <= n; k++)
        fy_symtensor_clear(all + k);
    free(all);
    return status;
}

int fy_mlp_entry(fy_numvec_t val, const fy_mlp_t m, int output, const int *idx, int n,
                 fy_error_t err)
{
    int cols[FY_MLP_MAX_TENSOR_ORDER], sub[FY_MLP_MAX_TENSOR_ORDER], nc = 0, j, p, status;
    slong a, w, pos;
    fy_numvec_t W1, all;
    fy_mindex_t ix;

    status = need_point(m, n, err);
    if (status != FY_OK)
        return status;
    if (n == 0)
        return fy_mlp_value(val, m, output, err);
    if (n > FY_MLP_MAX_TENSOR_ORDER)
        return fy_error_set(err, FY_EINPUT, "mlp: entry of order %d above %d", n,
                            FY_MLP_MAX_TENSOR_ORDER);
    for (p = 0; p < n; p++)
    {
        if (idx[p] < 0 || idx[p] >= m->width[0])
            return fy_error_set(err, FY_EINPUT, "mlp: index %d outside 0..%d", idx[p],
                                m->width[0] - 1);
        for (j = 0; j < nc && cols[j] != idx[p]; j++)
            ;
        if (j == nc)
            cols[nc++] = idx[p];
    }
    /* sort the distinct columns, so that sub-indices keep the order */
    for (p = 1; p < nc; p++)
        for (j = p; j > 0 && cols[j - 1] > cols[j]; j--)
        {
            int t = cols[j];
            cols[j] = cols[j - 1];
            cols[j - 1] = t;
        }
    for (p = 0; p < n; p++)
    {
        for (j = 0; cols[j] != idx[p]; j++)
            ;
        sub[p] = j;
    }
    for (p = 1; p < n; p++)
        for (j = p; j > 0 && sub[j - 1] > sub[j]; j--)
        {
            int t = sub[j];
            sub[j] = sub[j - 1];
            sub[j - 1] = t;
        }
    w = m->width[1];
    fy_numvec_init_empty(all);
    status = fy_numvec_init(W1, m->arith, w * nc, m->prec, err);
    for (a = 0; a < w && status == FY_OK; a++)
        for (j = 0; j < nc; j++)
        {
            slong s = a * m->width[0] + cols[j], t = a * nc + j;
            switch (m->arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(W1)[t] = fy_numvec_d(m->W + 1)[s];
                break;
            case FY_ARITH_BALL:
                arb_set(fy_numvec_arb(W1) + t, fy_numvec_arb(m->W + 1) + s);
                break;
            default:
                fmpq_set(fy_numvec_fmpq(W1) + t, fy_numvec_fmpq(m->W + 1) + s);
            }
        }
    if (status == FY_OK)
        status = tensors_raw(all, m, W1, nc, output, n, NULL, err);
    if (status == FY_OK)
        status = fy_mindex_init(ix, nc, n, err);
    if (status == FY_OK)
    {
        pos = fy_mindex_offset(ix, n) - 1 + fy_mindex_rank(ix, sub, n);
        fy_mindex_clear(ix);
        fy_numvec_clear(val);
        status = fy_numvec_init(val, m->arith, 1, m->prec, err);
        if (status == FY_OK)
            switch (m->arith)
            {
            case FY_ARITH_DOUBLE:
                fy_numvec_d(val)[0] = fy_numvec_d(all)[pos];
                break;
            case FY_ARITH_BALL:
                arb_set(fy_numvec_arb(val), fy_numvec_arb(all) + pos);
                break;
            default:
                fmpq_set(fy_numvec_fmpq(val), fy_numvec_fmpq(all) + pos);
            }
        if (status == FY_OK)
            status = finite_d(val, "the entry", n, err);
    }
    fy_numvec_clear(W1);
    fy_numvec_clear(all);
    return status;
}

int fy_mlp_directional(fy_numvec_t c, const fy_mlp_t m, int output, const fy_numvec_t v, int n,
                       fy_error_t err)
{
    int status = need_point(m, n, err);
    fy_numvec_t vv;
    if (status != FY_OK)
        return status;
    if (output < 0 || output >= m->width[m->L])
        return fy_error_set(err, FY_EINPUT, "mlp: output %d outside 0..%d", output,
                            m->width[m->L] - 1);
    if (v->len != m->width[0])
        return fy_error_set(err, FY_EINPUT, "mlp: the direction has %ld entries, the network "
                            "%d inputs", (long) v->len, m->width[0]);
    fy_numvec_init_empty(vv);
    status = fy_numvec_convert(vv, m->arith, m->prec, v, err);
    if (status == FY_OK)
    {
        fy_numvec_clear(c);
        status = fy_numvec_init(c, m->arith, (slong) n + 1, m->prec, err);
    }
    if (status == FY_OK)
        switch (m->arith)
        {
        case FY_ARITH_DOUBLE:
            status = _fy_mlp_directional_d(fy_numvec_d(c), m, fy_numvec_d(vv), output, n,
                                           m->prec, err);
            break;
        case FY_ARITH_BALL:
            status = _fy_mlp_directional_arb(fy_numvec_arb(c), m, fy_numvec_arb(vv), output, n,
                                             m->prec, err);
            break;
        default:
            status = _fy_mlp_directional_fmpq(fy_numvec_fmpq(c), m, fy_numvec_fmpq(vv), output,
                                              n, m->prec, err);
        }
    if (status == FY_OK)
        status = finite_d(c, "c_%ld", n, err);
    fy_numvec_clear(vv);
    return status;
}

int fy_mlp_taylor_value(fy_numvec_t val, const fy_mlp_t m, int output, const fy_numvec_t h,
                        int n, fy_error_t err)
{
    fy_numvec_t c;
    int status;
    slong k;
    fy_numvec_init_empty(c);
    status = fy_mlp_directional(c, m, output, h, n, err);
    if (status == FY_OK)
    {
        fy_numvec_clear(val);
        status = fy_numvec_init(val, m->arith, 1, m->prec, err);
    }
    for (k = 0; k <= n && status == FY_OK; k++)
        switch (m->arith)
        {
        case FY_ARITH_DOUBLE:
            fy_numvec_d(val)[0] += fy_numvec_d(c)[k];
            break;
        case FY_ARITH_BALL:
            arb_add(fy_numvec_arb(val), fy_numvec_arb(val), fy_numvec_arb(c) + k, m->prec);
            break;
        default:
            fmpq_add(fy_numvec_fmpq(val), fy_numvec_fmpq(val), fy_numvec_fmpq(c) + k);
        }
    fy_numvec_clear(c);
    return status;
}

/* ------------------------------------------------------------------ diagram engine view */

static int model_vertex(fy_numvec_t out, void *ctx, int kind, int level, int children,
                        fy_error_t err)
{
    const fy_mlp_struct *m = ctx;
    slong a;
    int status;
    if (kind == FY_MLP_VERTEX)
        return fy_mlp_vertex(out, m, level, children, err);
    fy_numvec_clear(out);
    status = fy_numvec_init(out, m->arith, m->width[level], m->prec, err);
    for (a = 0; a < m->width[level] && status == FY_OK; a++)
        status = fy_numvec_set_si(out, a, 1, err);
    return status;
}

static int model_line(fy_numvec_t out, void *ctx, int kind, int l, int k, fy_error_t err)
{
    if (kind != FY_MLP_PROPAGATOR)
        return fy_error_set(err, FY_EINPUT, "mlp: unknown line kind %d", kind);
    return fy_mlp_propagator(out, (const fy_mlp_struct *) ctx, l, k, err);
}

void fy_mlp_eval_model(fy_eval_model_t model, const fy_mlp_t m)
{
    model->arith = m->arith;
    model->prec = m->prec;
    model->levels = m->L;
    model->width = m->width;
    model->ctx = (void *) m;
    model->vertex = model_vertex;
    model->line = model_line;
}
