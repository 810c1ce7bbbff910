/* canon_search.c - the one canonical-labelling search of feynn (graph/canon.h).
 *
 * Used by the exact back end of the graph canonical form (canon_graph_exact.c, with the group
 * count) and by the Feynman-graph generator's certificates (enumerate/feynman.c, without it).
 * The search places the vertices on the positions 0..n-1, each position drawing from the cell
 * the caller assigned to it, and keeps the lexicographically greatest code; a prefix below the
 * best is cut.  A new best found below a node shares that node's prefix, so its later siblings
 * compare against it; the placements that reach the greatest code form one coset of the
 * automorphism group (of the coloured graph the cells were refined from), so their number is
 * the group order. */
#include <string.h>

#include "graph/canon.h"

static void place(fy_canon_search_t *s, int p, int gt)
{
    const int n = s->n, h = s->head;
    int v;
    if (s->over)
        return;
    if (p == n)
    {
        if (!s->have_best || gt)
        {
            memcpy(s->best, s->cur, (size_t) FY_CANON_SEG(n, h) * sizeof *s->cur);
            s->have_best = 1;
            s->version++;
            if (s->count != NULL)
                fmpz_one(s->count);
        }
        else if (s->count != NULL)
            fmpz_add_ui(s->count, s->count, 1);
        return;
    }
    for (v = 0; v < n; v++)
    {
        int q, c = 0, len = p + h;
        int *seg = s->cur + FY_CANON_SEG(p, h), *bseg = s->best + FY_CANON_SEG(p, h);
        long version;
        if (s->used[v] || s->rc[v] != s->cell[p])
            continue;
        if (s->max_nodes > 0 && ++s->nodes > s->max_nodes)
        {
            s->over = 1;
            return;
        }
        for (q = 0; q < h; q++)
            seg[q] = s->vhead[v * h + q];
        for (q = 0; q < p; q++)
            seg[h + q] = s->adj[v * n + s->perm[q]];
        if (s->have_best && !gt)
        {
            for (q = 0; q < len && c == 0; q++)
                if (seg[q] != bseg[q])
                    c = seg[q] > bseg[q] ? 1 : -1;
            if (c < 0)
                continue;
        }
        s->perm[p] = v;
        s->used[v] = 1;
        version = s->version;
        place(s, p + 1, gt || c > 0 || !s->have_best);
        s->used[v] = 0;
        if (s->version != version)
            gt = 0;
        if (s->over)
            return;
    }
}

void _fy_canon_search(fy_canon_search_t *s)
{
    int v;
    for (v = 0; v < s->n; v++)
        s->used[v] = 0;
    s->have_best = 0;
    s->version = 0;
    s->nodes = 0;
    s->over = 0;
    if (s->count != NULL)
        fmpz_zero(s->count);
    place(s, 0, 1);
}
