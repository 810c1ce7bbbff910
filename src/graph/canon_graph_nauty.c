/* The nauty back end of the graph canonical form.
 *
 * The view of canon_graph.h becomes a coloured simple graph for densenauty: one node per
 * vertex and one per pair {u, v} of vertices joined by lines, the pair node adjacent to u and
 * v.  Colours (vertex colour ranks, then pair colour ranks) go in as the lab/ptn partition, in
 * rank order, so the canonical labelling keeps every vertex node before every pair node and
 * the canonical graph is written as the two canonical endpoints of each pair node.  A pair
 * node has exactly the two neighbours it was made with, so the automorphism group of this
 * graph is that of the view; |Aut| of the diagram is its order times the kernel.
 *
 * The group order is taken exactly: nauty multiplies the indices of the stabiliser chain into
 * a double (grpsize1 * 10^grpsize2); the same indices are passed to userlevelproc, where they
 * are multiplied into an fmpz.  Where the double is exact both must agree. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "graph/canon.h"
#include "graph/canon_graph.h"

#ifndef FY_HAVE_NAUTY

int _fy_canon_graph_nauty(fy_diagram_t d, fy_error_t err)
{
    (void) d;
    return fy_error_set(err, FY_EUNSUPPORTED,
                        "feynn was built without nauty (configure --with-nauty after "
                        "installing libnauty2-dev)");
}

#else

#include <nauty/nauty.h>

/* nauty offers no user pointer for its callbacks; the running call's accumulator is kept
 * per thread. */
static _Thread_local fmpz *fy_nauty_group;

static void level_proc(int *lab, int *ptn, int level, int *orbits, statsblk *stats, int tv,
                       int index, int tcellsize, int numcells, int childcount, int n)
{
    (void) lab;
    (void) ptn;
    (void) level;
    (void) orbits;
    (void) stats;
    (void) tv;
    (void) tcellsize;
    (void) numcells;
    (void) childcount;
    (void) n;
    if (fy_nauty_group != NULL && index > 1)
        fmpz_mul_ui(fy_nauty_group, fy_nauty_group, (ulong) index);
}

int _fy_canon_graph_nauty(fy_diagram_t d, fy_error_t err)
{
    fy_canon_view_t g;
    fy_canon_buf_t b;
    fmpz_t group;
    int status, n, m, i, p;
    int *lab = NULL, *ptn = NULL, *orbits = NULL, *colour = NULL, *start = NULL, *pos = NULL;
    graph *ng = NULL, *canong = NULL;
    DEFAULTOPTIONS_GRAPH(options);
    statsblk stats;

    status = _fy_canon_view_init(g, d, err);
    if (status != FY_OK)
        return status;
    fy_strbuf_init(b);
    fmpz_init_set_ui(group, 1);
    fy_strbuf_puts(b, "N");
    _fy_canon_buf_header(b, g);

    n = g->nv + g->npair;
    if (n == 0)
    {
        status = _fy_canon_finish(d, b, g, group, err);
        goto done;
    }
    m = SETWORDSNEEDED(n);
    status = FY_ENOMEM;
    lab = fy_malloc((size_t) n, sizeof *lab, err);
    ptn = fy_malloc((size_t) n, sizeof *ptn, err);
    orbits = fy_malloc((size_t) n, sizeof *orbits, err);
    colour = fy_malloc((size_t) n, sizeof *colour, err);
    pos = fy_malloc((size_t) n, sizeof *pos, err);
    start = fy_calloc((size_t) (g->nvcol + g->npcol) + 1, sizeof *start, err);
    ng = fy_calloc((size_t) m * (size_t) n, sizeof *ng, err);
    canong = fy_calloc((size_t) m * (size_t) n, sizeof *canong, err);
    if (!lab || !ptn || !orbits || !colour || !pos || !start || !ng || !canong)
        goto done;

    for (i = 0; i < g->nv; i++)
        colour[i] = g->vcol[i];
    for (p = 0; p < g->npair; p++)
    {
        int x = g->nv + p;
        colour[x] = g->nvcol + g->pcol[p];
        ADDONEEDGE(ng, x, g->pu[p], m);
        ADDONEEDGE(ng, x, g->pv[p], m);
    }
    /* Counting sort of the nodes by colour gives lab; ptn marks the cell ends. */
    for (i = 0; i < n; i++)
        start[colour[i] + 1]++;
    for (i = 0; i < g->nvcol + g->npcol; i++)
        start[i + 1] += start[i];
    for (i = 0; i < n; i++)
        lab[start[colour[i]]++] = i;
    for (i = 0; i < n; i++)
        ptn[i] = (i + 1 < n && colour[lab[i + 1]] == colour[lab[i]]) ? 1 : 0;

    options.getcanon = TRUE;
    options.defaultptn = FALSE;
    options.userlevelproc = level_proc;
    fy_nauty_group = group;
    densenauty(ng, lab, ptn, orbits, &options, &stats, m, n, canong);
    fy_nauty_group = NULL;
    if (stats.errstatus != 0)
    {
        status = fy_error_set(err, FY_EINTERNAL, "nauty failed (errstatus %d) on a graph "
                              "with %d nodes", stats.errstatus, n);
        goto done;
    }
    if (stats.grpsize2 == 0 && stats.grpsize1 < 1e15 &&
        fmpz_cmp_ui(group, (ulong) (stats.grpsize1 + 0.5)) != 0)
    {
        status = fy_error_set(err, FY_EINTERNAL, "nauty group order %.0f disagrees with the "
                              "product of its stabiliser indices", stats.grpsize1);
        goto done;
    }

    /* lab[i] is the node at canonical position i; pair nodes come after vertex nodes. */
    for (i = 0; i < n; i++)
        pos[lab[i]] = i;
    for (i = g->nv; i < n; i++)
    {
        int x = lab[i], a, c;
        if (x < g->nv)
        {
            status = fy_error_set(err, FY_EINTERNAL, "nauty mixed vertex and pair cells");
            goto done;
        }
        a = pos[g->pu[x - g->nv]];
        c = pos[g->pv[x - g->nv]];
        _fy_canon_buf_int(b, a < c ? a : c, '-');
        _fy_canon_buf_int(b, a < c ? c : a, ';');
    }
    status = _fy_canon_finish(d, b, g, group, err);
done:
    fy_strbuf_clear(b);
    free(lab);
    free(ptn);
    free(orbits);
    free(colour);
    free(pos);
    free(start);
    free(ng);
    free(canong);
    fmpz_clear(group);
    _fy_canon_view_clear(g);
    return status;
}

#endif
