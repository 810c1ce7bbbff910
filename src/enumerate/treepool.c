/* Pools of subtree records for the tree generators (MLP, labelled MLP, INN): growth of the
 * record and child arrays, the shared text of canonical codes, and the order by code; see
 * enum_internal.h.  What a record means is each generator's business. */
#include <stdlib.h>
#include <string.h>

#include "enumerate/enum_internal.h"

void _fy_treepool_init(_fy_treepool *p, size_t rec_size)
{
    memset(p, 0, sizeof *p);
    p->rec_size = rec_size;
}

void _fy_treepool_clear(_fy_treepool *p)
{
    free(p->r);
    free(p->ch);
    free(p->text.s);
    memset(p, 0, sizeof *p);
}

/* Order of records i and j by code; a code is never a proper prefix of another (balanced
 * brackets), but the length keeps the order total. */
static int cmp_code(const _fy_treepool *p, int i, int j)
{
    const _fy_tree_rec *x = _fy_treepool_rec(p, i), *y = _fy_treepool_rec(p, j);
    size_t n = x->code_len < y->code_len ? x->code_len : y->code_len;
    int c = memcmp(p->text.s + x->code_off, p->text.s + y->code_off, n);
    if (c != 0)
        return c;
    return (x->code_len > y->code_len) - (x->code_len < y->code_len);
}

/* Merge sort (insertion sort on short runs): stable, with the pool as context.  Equal codes
 * only come from equal indices, so any correct sort gives the same result. */
void _fy_treepool_sort(const _fy_treepool *p, int *idx, long n, int *tmp)
{
    long i, j, k, h;
    if (n <= 8)
    {
        for (i = 1; i < n; i++)
        {
            int x = idx[i];
            for (j = i; j > 0 && cmp_code(p, idx[j - 1], x) > 0; j--)
                idx[j] = idx[j - 1];
            idx[j] = x;
        }
        return;
    }
    h = n / 2;
    _fy_treepool_sort(p, idx, h, tmp);
    _fy_treepool_sort(p, idx + h, n - h, tmp);
    if (cmp_code(p, idx[h - 1], idx[h]) <= 0)
        return; /* already in order */
    memcpy(tmp, idx, (size_t) h * sizeof *tmp);
    for (i = 0, j = h, k = 0; i < h && j < n; k++)
        idx[k] = cmp_code(p, idx[j], tmp[i]) < 0 ? idx[j++] : tmp[i++];
    while (i < h)
        idx[k++] = tmp[i++];
}

void *_fy_treepool_open(_fy_treepool *p, const int *ch, int nch, fy_error_t err)
{
    _fy_tree_rec *r;
    int i, tmp[256], *scratch = tmp;
    if (p->n == p->alloc)
    {
        long cap = p->alloc ? 2 * p->alloc : 256;
        char *q = fy_realloc(p->r, (size_t) cap, p->rec_size, err);
        if (q == NULL)
            return NULL;
        p->r = q;
        p->alloc = cap;
    }
    if (p->nch + nch > p->ch_alloc)
    {
        long cap = p->ch_alloc ? 2 * p->ch_alloc : 1024;
        int *q;
        while (cap < p->nch + nch)
            cap *= 2;
        q = fy_realloc(p->ch, (size_t) cap, sizeof *q, err);
        if (q == NULL)
            return NULL;
        p->ch = q;
        p->ch_alloc = cap;
    }
    if (nch > (int) (sizeof tmp / sizeof *tmp))
    {
        scratch = fy_malloc((size_t) nch, sizeof *scratch, err);
        if (scratch == NULL)
            return NULL;
    }
    r = _fy_treepool_rec(p, p->n);
    memset(r, 0, p->rec_size);
    r->nch = nch;
    r->ch_off = (int) p->nch;
    r->leaves = nch == 0 ? 1 : 0;
    r->code_off = p->text.n;
    for (i = 0; i < nch; i++)
    {
        p->ch[p->nch + i] = ch[i];
        r->leaves += _fy_treepool_rec(p, ch[i])->leaves;
    }
    _fy_treepool_sort(p, p->ch + p->nch, nch, scratch);
    if (scratch != tmp)
        free(scratch);
    return r;
}

int _fy_treepool_commit(_fy_treepool *p)
{
    _fy_tree_rec *r = _fy_treepool_rec(p, p->n);
    r->code_len = p->text.n - r->code_off;
    p->nch += r->nch;
    return (int) p->n++;
}

int _fy_treepool_by_leaves(int **idx, long *len, const _fy_treepool *p, int max_leaves,
                           fy_error_t err)
{
    long i, at = 0;
    int lv;
    int *q = fy_realloc(*idx, (size_t) p->n, sizeof *q, err);
    if (q == NULL)
        return FY_ENOMEM;
    *idx = q;
    for (lv = 1; lv <= max_leaves; lv++)
        for (i = 0; i < p->n; i++)
            if (_fy_treepool_rec(p, i)->leaves == lv)
                q[at++] = (int) i;
    *len = at;
    return FY_OK;
}
