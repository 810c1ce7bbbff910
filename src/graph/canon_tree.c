/* Canonical strings and |Aut| of trees (AHU, Aho-Hopcroft-Ullman 1974), with typed vertices,
 * levels, typed lines and external legs.  See graph/canon.h for the string format.
 *
 * Rooted trees (d->root >= 0) are encoded from the root; unrooted ones from the centre of the
 * vertex tree (legs are decorations and do not move the centre).  For a bicentral tree both
 * centres are tried and the smaller string is kept; the branch through the other centre is
 * strictly taller than every other branch at a centre, so the rooted |Aut| at either centre is
 * the product of the two halves' groups, and the swap of the halves adds a factor 2 exactly
 * when both rootings give the same string.  |Aut| is the product over vertices of the
 * factorials of the multiplicities of identical items (child subtrees with their line kind,
 * and legs of one kind and label); line orientation is not part of the structure. */
#include <stdlib.h>
#include <string.h>

#include "graph/canon.h"

int _fy_canon_tree_head(char *buf, int kind, int level)
{
    if (level == -1)
        return snprintf(buf, FY_CANON_PIECE_MAX, "(%d", kind);
    return snprintf(buf, FY_CANON_PIECE_MAX, "(%d.%d", kind, level);
}

int _fy_canon_tree_leg(char *buf, int kind, int label)
{
    if (label == FY_LEG_UNLABELLED)
        return snprintf(buf, FY_CANON_PIECE_MAX, "<%d>", kind);
    return snprintf(buf, FY_CANON_PIECE_MAX, "<%d:%d>", kind, label);
}

int _fy_canon_tree_line(char *buf, int kind)
{
    return snprintf(buf, FY_CANON_PIECE_MAX, "-%d", kind);
}

typedef struct
{
    const fy_diagram_struct *d;
    int *adj_start, *adj_v, *adj_l;   /* CSR adjacency over lines */
    int *leg_start, *leg_idx;         /* CSR legs per vertex */
    int *order, *parent, *pline;      /* BFS scratch */
    char **code;                      /* per-vertex code while encoding */
} tree_ctx;

static void ctx_free(tree_ctx *c)
{
    free(c->adj_start);
    free(c->adj_v);
    free(c->adj_l);
    free(c->leg_start);
    free(c->leg_idx);
    free(c->order);
    free(c->parent);
    free(c->pline);
    free(c->code);
}

static int ctx_build(tree_ctx *c, const fy_diagram_struct *d, fy_error_t err)
{
    int nv = d->nv, i;
    memset(c, 0, sizeof *c);
    c->d = d;
    c->adj_start = fy_calloc((size_t) nv + 1, sizeof(int), err);
    c->adj_v = fy_malloc((size_t) 2 * d->nl + 1, sizeof(int), err);
    c->adj_l = fy_malloc((size_t) 2 * d->nl + 1, sizeof(int), err);
    c->leg_start = fy_calloc((size_t) nv + 1, sizeof(int), err);
    c->leg_idx = fy_malloc((size_t) d->nlegs + 1, sizeof(int), err);
    c->order = fy_malloc((size_t) nv, sizeof(int), err);
    c->parent = fy_malloc((size_t) nv, sizeof(int), err);
    c->pline = fy_malloc((size_t) nv, sizeof(int), err);
    c->code = fy_calloc((size_t) nv, sizeof(char *), err);
    if (!c->adj_start || !c->adj_v || !c->adj_l || !c->leg_start || !c->leg_idx || !c->order ||
        !c->parent || !c->pline || !c->code)
        return FY_ENOMEM;
    for (i = 0; i < d->nl; i++)
    {
        c->adj_start[d->l[i].u + 1]++;
        c->adj_start[d->l[i].v + 1]++;
    }
    for (i = 0; i < nv; i++)
        c->adj_start[i + 1] += c->adj_start[i];
    {
        int *fill = c->order; /* scratch */
        for (i = 0; i < nv; i++)
            fill[i] = c->adj_start[i];
        for (i = 0; i < d->nl; i++)
        {
            int u = d->l[i].u, v = d->l[i].v;
            c->adj_v[fill[u]] = v;
            c->adj_l[fill[u]++] = i;
            c->adj_v[fill[v]] = u;
            c->adj_l[fill[v]++] = i;
        }
    }
    for (i = 0; i < d->nlegs; i++)
        c->leg_start[d->leg[i].vertex + 1]++;
    for (i = 0; i < nv; i++)
        c->leg_start[i + 1] += c->leg_start[i];
    {
        int *fill = c->order;
        for (i = 0; i < nv; i++)
            fill[i] = c->leg_start[i];
        for (i = 0; i < d->nlegs; i++)
            c->leg_idx[fill[d->leg[i].vertex]++] = i;
    }
    return FY_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Encodes the tree rooted at r: *out = code(r) (malloc'd), aut = rooted |Aut|. */
static int encode_rooted(char **out, fmpz_t aut, tree_ctx *c, int r, fy_error_t err)
{
    const fy_diagram_struct *d = c->d;
    int nv = d->nv, head = 0, tail = 0, k, i, status = FY_OK;
    char **items = NULL;
    int items_alloc = 0;
    fmpz_t f;

    fmpz_init(f);
    fmpz_one(aut);
    for (i = 0; i < nv; i++)
        c->parent[i] = -2;
    c->parent[r] = -1;
    c->pline[r] = -1;
    c->order[tail++] = r;
    while (head < tail)
    {
        int v = c->order[head++];
        for (k = c->adj_start[v]; k < c->adj_start[v + 1]; k++)
        {
            int w = c->adj_v[k];
            if (c->parent[w] == -2)
            {
                c->parent[w] = v;
                c->pline[w] = c->adj_l[k];
                c->order[tail++] = w;
            }
        }
    }
    if (tail != nv)
    {
        fmpz_clear(f);
        return fy_error_set(err, FY_EINTERNAL, "tree canonical form: diagram is not connected");
    }

    for (head = nv - 1; head >= 0 && status == FY_OK; head--)
    {
        int v = c->order[head], n_items = 0, run;
        size_t len = 0;
        char piece[FY_CANON_PIECE_MAX], *s;
        int nchild = 0;

        for (k = c->adj_start[v]; k < c->adj_start[v + 1]; k++)
            if (c->parent[c->adj_v[k]] == v && c->adj_l[k] == c->pline[c->adj_v[k]])
                nchild++;
        if (nchild + c->leg_start[v + 1] - c->leg_start[v] > items_alloc)
        {
            int need = nchild + c->leg_start[v + 1] - c->leg_start[v];
            char **p = fy_realloc(items, (size_t) need, sizeof *items, err);
            if (p == NULL)
            {
                status = FY_ENOMEM;
                break;
            }
            items = p;
            items_alloc = need;
        }
        for (k = c->leg_start[v]; k < c->leg_start[v + 1]; k++)
        {
            const fy_leg_struct *g = d->leg + c->leg_idx[k];
            int m = _fy_canon_tree_leg(piece, g->kind, g->label);
            s = malloc((size_t) m + 1);
            if (s == NULL)
            {
                status = fy_error_set(err, FY_ENOMEM, "out of memory in tree canonical form");
                break;
            }
            memcpy(s, piece, (size_t) m + 1);
            items[n_items++] = s;
        }
        for (k = c->adj_start[v]; k < c->adj_start[v + 1] && status == FY_OK; k++)
        {
            int w = c->adj_v[k], m;
            size_t cl;
            if (c->parent[w] != v || c->adj_l[k] != c->pline[w])
                continue;
            m = _fy_canon_tree_line(piece, d->l[c->adj_l[k]].kind);
            cl = strlen(c->code[w]);
            s = malloc((size_t) m + cl + 1);
            if (s == NULL)
            {
                status = fy_error_set(err, FY_ENOMEM, "out of memory in tree canonical form");
                break;
            }
            memcpy(s, piece, (size_t) m);
            memcpy(s + m, c->code[w], cl + 1);
            free(c->code[w]);
            c->code[w] = NULL;
            items[n_items++] = s;
        }
        if (status == FY_OK)
        {
            int m;
            if (n_items > 1)
                qsort(items, (size_t) n_items, sizeof *items, cmp_str);
            for (i = 0; i < n_items; i = run)
            {
                for (run = i + 1; run < n_items && strcmp(items[run], items[i]) == 0; run++)
                    ;
                if (run - i > 1)
                {
                    fmpz_fac_ui(f, (ulong) (run - i));
                    fmpz_mul(aut, aut, f);
                }
            }
            m = _fy_canon_tree_head(piece, d->v[v].kind, d->v[v].level);
            len = (size_t) m + 1;
            for (i = 0; i < n_items; i++)
                len += strlen(items[i]);
            s = malloc(len + 1);
            if (s == NULL)
                status = fy_error_set(err, FY_ENOMEM, "out of memory in tree canonical form");
            else
            {
                size_t at = (size_t) m;
                memcpy(s, piece, (size_t) m);
                for (i = 0; i < n_items; i++)
                {
                    size_t il = strlen(items[i]);
                    memcpy(s + at, items[i], il);
                    at += il;
                }
                s[at++] = ')';
                s[at] = '\0';
                c->code[v] = s;
            }
        }
        for (i = 0; i < n_items; i++)
            free(items[i]);
    }
    free(items);
    fmpz_clear(f);
    if (status != FY_OK)
    {
        for (i = 0; i < nv; i++)
        {
            free(c->code[i]);
            c->code[i] = NULL;
        }
        return status;
    }
    *out = c->code[r];
    c->code[r] = NULL;
    return FY_OK;
}

/* Centre(s) of the vertex tree by peeling leaves layer by layer until at most two vertices
 * are left; returns the number of centres (1 or 2). */
static int tree_centre(int centre[2], tree_ctx *c)
{
    int nv = c->d->nv, i, left = nv, head = 0, tail = 0, n = 0;
    int *deg = c->parent, *queue = c->order, *removed = c->pline; /* scratch */
    if (nv == 1)
    {
        centre[0] = 0;
        return 1;
    }
    for (i = 0; i < nv; i++)
    {
        removed[i] = 0;
        deg[i] = c->adj_start[i + 1] - c->adj_start[i];
        if (deg[i] == 1)
            queue[tail++] = i;
    }
    while (left > 2)
    {
        int layer_end = tail;
        while (head < layer_end)
        {
            int v = queue[head++], k;
            removed[v] = 1;
            left--;
            for (k = c->adj_start[v]; k < c->adj_start[v + 1]; k++)
            {
                int w = c->adj_v[k];
                if (!removed[w] && --deg[w] == 1)
                    queue[tail++] = w;
            }
        }
    }
    for (i = 0; i < nv && n < 2; i++)
        if (!removed[i])
            centre[n++] = i;
    return n;
}

static int set_canon(fy_diagram_t d, char prefix, char *code, fy_error_t err)
{
    size_t n = strlen(code);
    char *s = malloc(n + 2);
    if (s == NULL)
    {
        free(code);
        return fy_error_set(err, FY_ENOMEM, "out of memory in tree canonical form");
    }
    s[0] = prefix;
    memcpy(s + 1, code, n + 1);
    free(code);
    free(d->canon);
    d->canon = s;
    return FY_OK;
}

int _fy_canon_tree(fy_diagram_t d, fy_error_t err)
{
    tree_ctx c;
    int status, i;
    char *code = NULL;

    if (d->nv < 1)
        return fy_error_set(err, FY_EINPUT, "tree canonical form: empty diagram");
    if (d->root >= d->nv)
        return fy_error_set(err, FY_EINPUT, "tree canonical form: root %d outside 0..%d",
                            d->root, d->nv - 1);
    for (i = 0; i < d->nlegs; i++)
        if (d->leg[i].vertex < 0 || d->leg[i].vertex >= d->nv)
            return fy_error_set(err, FY_EINPUT, "tree canonical form: leg %d on vertex %d", i,
                                d->leg[i].vertex);
    status = ctx_build(&c, d, err);
    if (status != FY_OK)
    {
        ctx_free(&c);
        return status;
    }
    if (d->root >= 0)
    {
        status = encode_rooted(&code, d->aut, &c, d->root, err);
        if (status == FY_OK)
            status = set_canon(d, 'R', code, err);
    }
    else
    {
        int centre[2] = {0, 0}, nc = tree_centre(centre, &c);
        status = encode_rooted(&code, d->aut, &c, centre[0], err);
        if (status == FY_OK && nc == 2)
        {
            char *code2 = NULL;
            fmpz_t aut2;
            fmpz_init(aut2);
            status = encode_rooted(&code2, aut2, &c, centre[1], err);
            if (status == FY_OK)
            {
                int cmp = strcmp(code2, code);
                if (cmp == 0)
                    fmpz_mul_ui(d->aut, d->aut, 2);
                if (cmp < 0)
                {
                    free(code);
                    code = code2;
                }
                else
                    free(code2);
            }
            fmpz_clear(aut2);
        }
        if (status == FY_OK)
            status = set_canon(d, 'U', code, err);
        else
            free(code);
    }
    if (status != FY_OK)
        fmpz_zero(d->aut);
    ctx_free(&c);
    return status;
}
