/* Feynman graphs from a vertex multiset: the family description and the generator.
 * See feynn/feynman.h.
 *
 * Generation.  A graph is its symmetric matrix a[i][j] of line multiplicities (a[i][i] =
 * self-loops at i), vertices ordered as the points, then the interaction vertices by valence;
 * row sums (with the diagonal counted twice) are the valences.  The matrix is filled row by
 * row.  Two later vertices of one class (same valence; unlabelled points form one class,
 * labelled points are each alone) whose columns agree on all rows filled so far are
 * interchangeable in what remains, so their entries in the current row are required to be
 * non-increasing; by induction such "twins" stay contiguous, so comparing neighbours suffices.
 * Self-loops are placed before any row, non-increasing within a class (see assign_loops), and
 * when vertices i-1 and i were twins before row i-1, row i may not exceed row i-1
 * (lexicographically, on the columns after i).  Each rule is a consequence of taking, among
 * all labellings of a graph, the one whose matrix read as (diagonal, then the rows of the
 * upper triangle) is lexicographically greatest: swapping the two twins involved gives
 * another labelling that agrees up to the entry the rule compares.
 * This keeps every graph (any graph has a labelling that meets the rules) while removing most
 * relabelled copies (about 2 in 3 labellings that reach the end are still copies).  Those are
 * rejected before any canonical string is written: connected graphs of at most
 * CERT_MAX_VERTICES vertices (all connected phi^4 vacuum graphs up to 10 vertices) by a
 * byte certificate computed on the matrix and kept in a set of fixed-length codes; the others
 * by their canonical string.  Only the first labelling of each graph is turned into a diagram
 * and canonicalised, so the output (graphs, order, strings, |Aut|) is what it was when every
 * labelling was canonicalised.  Connectedness is pruned early: a filled prefix of rows with no
 * line to later vertices is a union of components. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feynn/feynman.h"
#include "graph/canon.h"

#ifdef FY_HAVE_NAUTY
#include <nauty/nauty.h>
#endif

static const char *const vertex_names[FY_FEYNMAN_MAX_VALENCE + 1] = {
    "point", "phi1", "phi2", "phi3", "phi4", "phi5", "phi6",
    "phi7",  "phi8", "phi9", "phi10", "phi11", "phi12"};
static const char *const line_names[] = {"propagator"};
static const char *const leg_names[] = {"point"};

const fy_family_struct fy_feynman_family = {
    "nnft", vertex_names, FY_FEYNMAN_MAX_VALENCE + 1, line_names, 1, leg_names, 1, 0};

/* ---------------------------------------------------------------- spec */

void fy_feynman_spec_init(fy_feynman_spec_t spec)
{
    memset(spec, 0, sizeof *spec);
    spec->labelled = 1;
    spec->loops = -1;
}

void fy_feynman_spec_clear(fy_feynman_spec_t spec)
{
    (void) spec;
}

int fy_feynman_spec_add_vertices(fy_feynman_spec_t spec, int valence, int count, fy_error_t err)
{
    int i;
    if (valence < 1 || valence > FY_FEYNMAN_MAX_VALENCE)
        return fy_error_set(err, FY_EINPUT, "vertex valence %d is outside 1..%d", valence,
                            FY_FEYNMAN_MAX_VALENCE);
    if (count < 0 || count > FY_FEYNMAN_MAX_VERTICES)
        return fy_error_set(err, FY_EINPUT, "vertex count %d is outside 0..%d", count,
                            FY_FEYNMAN_MAX_VERTICES);
    for (i = 0; i < spec->n_types; i++)
        if (spec->type[i].valence == valence)
        {
            if (spec->type[i].count + count > FY_FEYNMAN_MAX_VERTICES)
                return fy_error_set(err, FY_EUNSUPPORTED, "more than %d vertices of valence %d",
                                    FY_FEYNMAN_MAX_VERTICES, valence);
            spec->type[i].count += count;
            return FY_OK;
        }
    if (spec->n_types == FY_FEYNMAN_MAX_TYPES)
        return fy_error_set(err, FY_EUNSUPPORTED, "more than %d distinct vertex valences",
                            FY_FEYNMAN_MAX_TYPES);
    for (i = spec->n_types; i > 0 && spec->type[i - 1].valence > valence; i--)
        spec->type[i] = spec->type[i - 1];
    spec->type[i].valence = valence;
    spec->type[i].count = count;
    spec->n_types++;
    return FY_OK;
}

static int parse_int(const char **p, int *x)
{
    long v = 0;
    int digits = 0;
    while (**p >= '0' && **p <= '9')
    {
        v = 10 * v + (**p - '0');
        if (v > 1000000)
            return 0;
        (*p)++;
        digits++;
    }
    *x = (int) v;
    return digits > 0;
}

int fy_feynman_spec_parse_vertices(fy_feynman_spec_t spec, const char *s, fy_error_t err)
{
    const char *p = s;
    if (s == NULL || *s == 0)
        return fy_error_set(err, FY_EINPUT, "empty vertex list; expected e.g. \"4:2\" or "
                            "\"3:2,4:1\" (valence:count)");
    for (;;)
    {
        int valence, count = 1, status;
        const char *at = p;
        while (*p == ' ')
            p++;
        if (!parse_int(&p, &valence))
            return fy_error_set(err, FY_EINPUT, "vertex list \"%s\", column %d: expected a "
                                "valence (a positive integer)", s, (int) (p - s) + 1);
        if (*p == ':')
        {
            p++;
            if (!parse_int(&p, &count))
                return fy_error_set(err, FY_EINPUT, "vertex list \"%s\", column %d: expected "
                                    "a count after ':'", s, (int) (p - s) + 1);
        }
        status = fy_feynman_spec_add_vertices(spec, valence, count, err);
        if (status != FY_OK)
            return fy_error_prefix(err, "vertex list \"%s\", column %d: ", s, (int) (at - s) + 1);
        while (*p == ' ')
            p++;
        if (*p == 0)
            return FY_OK;
        if (*p != ',')
            return fy_error_set(err, FY_EINPUT, "vertex list \"%s\", column %d: expected ',' "
                                "or the end, found '%c'", s, (int) (p - s) + 1, *p);
        p++;
    }
}

int fy_feynman_spec_half_edges(const fy_feynman_spec_t spec)
{
    int i, n = spec->n_points;
    for (i = 0; i < spec->n_types; i++)
        n += spec->type[i].valence * spec->type[i].count;
    return n;
}

int fy_feynman_spec_vertices(const fy_feynman_spec_t spec)
{
    int i, n = spec->n_points;
    for (i = 0; i < spec->n_types; i++)
        n += spec->type[i].count;
    return n;
}

int fy_feynman_spec_validate(const fy_feynman_spec_t spec, fy_error_t err)
{
    int i, total = spec->n_points;
    const unsigned known = FY_FEYNMAN_CONNECTED | FY_FEYNMAN_NO_VACUUM | FY_FEYNMAN_1PI |
                           FY_FEYNMAN_NO_TADPOLES | FY_FEYNMAN_NO_SELF_LOOPS;
    if (spec->n_points < 0)
        return fy_error_set(err, FY_EINPUT, "negative number of external points (%d)",
                            spec->n_points);
    if (spec->n_points > FY_FEYNMAN_MAX_POINTS)
        return fy_error_set(err, FY_EUNSUPPORTED, "%d external points; at most %d are "
                            "supported", spec->n_points, FY_FEYNMAN_MAX_POINTS);
    if (spec->labelled != 0 && spec->labelled != 1)
        return fy_error_set(err, FY_EINPUT, "labelled must be 0 or 1, not %d", spec->labelled);
    if (spec->n_types < 0 || spec->n_types > FY_FEYNMAN_MAX_TYPES)
        return fy_error_set(err, FY_EINPUT, "bad number of vertex types (%d)", spec->n_types);
    for (i = 0; i < spec->n_types; i++)
    {
        const fy_feynman_vertex_struct *t = spec->type + i;
        if (t->valence < 1 || t->valence > FY_FEYNMAN_MAX_VALENCE)
            return fy_error_set(err, FY_EINPUT, "vertex valence %d is outside 1..%d",
                                t->valence, FY_FEYNMAN_MAX_VALENCE);
        if (t->count < 0)
            return fy_error_set(err, FY_EINPUT, "negative count of valence-%d vertices",
                                t->valence);
        if (i > 0 && spec->type[i - 1].valence >= t->valence)
            return fy_error_set(err, FY_EINPUT, "vertex types must have distinct valences "
                                "in increasing order");
        if (t->count > FY_FEYNMAN_MAX_VERTICES || (total += t->count) > FY_FEYNMAN_MAX_VERTICES)
            return fy_error_set(err, FY_EUNSUPPORTED, "more than %d vertices (points "
                                "included)", FY_FEYNMAN_MAX_VERTICES);
    }
    if (spec->filters & ~known)
        return fy_error_set(err, FY_EINPUT, "unknown filter bits 0x%x", spec->filters & ~known);
    if (spec->loops < -1)
        return fy_error_set(err, FY_EINPUT, "loop order %d is negative", spec->loops);
    return FY_OK;
}

/* ---------------------------------------------------------------- hash sets */

typedef struct
{
    char **slot;
    size_t cap, n;
} strset_t;

static uint64_t hash_bytes(const unsigned char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < len; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

/* The same role for the fixed-length codes, eight bytes at a time. */
static uint64_t hash_words(const unsigned char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
    size_t i;
    for (i = 0; i + 8 <= len; i += 8)
    {
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    for (; i < len; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static uint64_t hash_str(const char *s)
{
    return hash_bytes((const unsigned char *) s, strlen(s));
}

static void strset_clear(strset_t *h)
{
    size_t i;
    for (i = 0; i < h->cap; i++)
        free(h->slot[i]);
    free(h->slot);
    h->slot = NULL;
    h->cap = h->n = 0;
}

static int strset_grow(strset_t *h, fy_error_t err)
{
    size_t cap = h->cap ? 2 * h->cap : 1024, i;
    char **s = fy_calloc(cap, sizeof *s, err);
    if (s == NULL)
        return FY_ENOMEM;
    for (i = 0; i < h->cap; i++)
        if (h->slot[i] != NULL)
        {
            size_t j = (size_t) hash_str(h->slot[i]) & (cap - 1);
            while (s[j] != NULL)
                j = (j + 1) & (cap - 1);
            s[j] = h->slot[i];
        }
    free(h->slot);
    h->slot = s;
    h->cap = cap;
    return FY_OK;
}

/* Inserts a copy of key: 1 if new, 0 if present, -1 on allocation failure. */
static int strset_insert(strset_t *h, const char *key, fy_error_t err)
{
    size_t j, len;
    if (2 * (h->n + 1) > h->cap && strset_grow(h, err) != FY_OK)
        return -1;
    j = (size_t) hash_str(key) & (h->cap - 1);
    while (h->slot[j] != NULL)
    {
        if (strcmp(h->slot[j], key) == 0)
            return 0;
        j = (j + 1) & (h->cap - 1);
    }
    len = strlen(key) + 1;
    h->slot[j] = fy_malloc(len, 1, err);
    if (h->slot[j] == NULL)
        return -1;
    memcpy(h->slot[j], key, len);
    h->n++;
    return 1;
}

/* Set of byte strings of one fixed length (the certificates below): the keys live end to end
 * in one arena, the open-addressing table holds their hashes and offsets, so an insertion
 * allocates nothing except when a buffer doubles. */
typedef struct
{
    uint64_t *hash; /* 0: empty slot (real hashes are forced odd) */
    size_t *off;
    size_t cap, n;
    unsigned char *arena;
    size_t len, alloc; /* key length; arena capacity in keys */
} codeset_t;

static void codeset_clear(codeset_t *h)
{
    free(h->hash);
    free(h->off);
    free(h->arena);
    memset(h, 0, sizeof *h);
}

static int codeset_grow(codeset_t *h, fy_error_t err)
{
    size_t cap = h->cap ? 2 * h->cap : 1024, i;
    uint64_t *hs = fy_calloc(cap, sizeof *hs, err);
    size_t *of = fy_malloc(cap, sizeof *of, err);
    if (hs == NULL || of == NULL)
    {
        free(hs);
        free(of);
        return FY_ENOMEM;
    }
    for (i = 0; i < h->cap; i++)
        if (h->hash[i] != 0)
        {
            size_t j = (size_t) h->hash[i] & (cap - 1);
            while (hs[j] != 0)
                j = (j + 1) & (cap - 1);
            hs[j] = h->hash[i];
            of[j] = h->off[i];
        }
    free(h->hash);
    free(h->off);
    h->hash = hs;
    h->off = of;
    h->cap = cap;
    return FY_OK;
}

/* Inserts a copy of key[0..h->len): 1 if new, 0 if present, -1 on allocation failure. */
static int codeset_insert(codeset_t *h, const unsigned char *key, fy_error_t err)
{
    uint64_t x = hash_words(key, h->len) | 1;
    size_t j;
    if (2 * (h->n + 1) > h->cap && codeset_grow(h, err) != FY_OK)
        return -1;
    j = (size_t) x & (h->cap - 1);
    while (h->hash[j] != 0)
    {
        if (h->hash[j] == x && memcmp(h->arena + h->off[j], key, h->len) == 0)
            return 0;
        j = (j + 1) & (h->cap - 1);
    }
    if (h->n == h->alloc)
    {
        size_t alloc = h->alloc ? 2 * h->alloc : 1024;
        unsigned char *a = realloc(h->arena, alloc * (h->len ? h->len : 1));
        if (a == NULL)
        {
            fy_error_set(err, FY_ENOMEM, "out of memory in the Feynman generator's hash set");
            return -1;
        }
        h->arena = a;
        h->alloc = alloc;
    }
    h->off[j] = h->n * h->len;
    memcpy(h->arena + h->off[j], key, h->len);
    h->hash[j] = x;
    h->n++;
    return 1;
}

/* ---------------------------------------------------------------- filters */

typedef struct
{
    int nv;
    int npoints;
    int a[FY_FEYNMAN_MAX_VERTICES][FY_FEYNMAN_MAX_VERTICES];
} mat_t;

static int uf_find(int *p, int x)
{
    while (p[x] != x)
        x = p[x] = p[p[x]];
    return x;
}

/* Components of the graph without one line {su, sv} (su < 0: none); comp[i] = root. */
static int components(const mat_t *m, int su, int sv, int mask_points, int *comp)
{
    int i, j, c = 0;
    for (i = 0; i < m->nv; i++)
        comp[i] = i;
    for (i = 0; i < m->nv; i++)
        for (j = i + 1; j < m->nv; j++)
        {
            int mult = m->a[i][j];
            if ((i == su && j == sv) || (i == sv && j == su))
                mult--;
            if (mult > 0 && !(mask_points && (i < m->npoints || j < m->npoints)))
            {
                int x = uf_find(comp, i), y = uf_find(comp, j);
                if (x != y)
                    comp[x < y ? y : x] = x < y ? x : y;
            }
        }
    for (i = 0; i < m->nv; i++)
    {
        comp[i] = uf_find(comp, i);
        if (mask_points && i < m->npoints)
            continue;
        if (comp[i] == i)
            c++;
    }
    return c;
}

static int is_1pi(const mat_t *m)
{
    int comp[FY_FEYNMAN_MAX_VERTICES], i, j;
    if (m->nv == m->npoints)
        return 0; /* no interaction vertex */
    for (i = 0; i < m->npoints; i++)
        for (j = 0; j < m->npoints; j++)
            if (m->a[i][j])
                return 0; /* a bare propagator between points */
    if (components(m, -1, -1, 1, comp) != 1)
        return 0;
    for (i = m->npoints; i < m->nv; i++)
        for (j = i + 1; j < m->nv; j++)
            if (m->a[i][j] == 1 && components(m, i, j, 1, comp) != 1)
                return 0;
    return 1;
}

/* 1 if some line is a bridge cutting off a part with no external point. */
static int has_tadpole(const mat_t *m)
{
    int comp[FY_FEYNMAN_MAX_VERTICES];
    int i, j, k, c0 = components(m, -1, -1, 0, comp);
    for (i = 0; i < m->nv; i++)
        for (j = i + 1; j < m->nv; j++)
            if (m->a[i][j] == 1 && components(m, i, j, 0, comp) > c0)
            {
                int pi = 0, pj = 0;
                for (k = 0; k < m->npoints; k++)
                {
                    pi |= comp[k] == comp[i];
                    pj |= comp[k] == comp[j];
                }
                if (!pi || !pj)
                    return 1;
            }
    return 0;
}

static int every_component_has_point(const mat_t *m)
{
    int comp[FY_FEYNMAN_MAX_VERTICES], has[FY_FEYNMAN_MAX_VERTICES] = {0}, i;
    components(m, -1, -1, 0, comp);
    for (i = 0; i < m->npoints; i++)
        has[comp[i]] = 1;
    for (i = 0; i < m->nv; i++)
        if (!has[comp[i]])
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- certificates */

/* A certificate of a connected graph of at most CERT_MAX_VERTICES vertices, straight from the
 * matrix: equal for two labellings exactly when the graphs are isomorphic (preserving
 * classes), and far cheaper than a canonical string, so that the relabelled copies the
 * symmetry rules let through are rejected before the canonical form is computed.
 *
 * Vertex colours start from (class, self-loops) and are refined by hashing: a vertex's new
 * colour mixes its colour with the sum, over its neighbours, of a mix of (neighbour colour,
 * multiplicity).  The rounds stop when the number of colours stops growing.  Every step is a
 * function of the graph alone, so the cells, ordered by colour, are an isomorphism
 * invariant; a hash collision can only merge cells, which costs time, never correctness,
 * because the certificate spells out the whole graph: the greatest, over the placements of
 * the vertices on positions that respect the cell order, of the code listing for each
 * position its class, its self-loops and its multiplicities to the earlier positions: the
 * search of the exact canonical form (graph/canon.h, _fy_canon_search) without the group
 * count. */
#define CERT_MAX_VERTICES 10
#define CERT_SEG(p) FY_CANON_SEG(p, 2) /* code entries before position p */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

typedef struct
{
    int vhead[2 * CERT_MAX_VERTICES];                  /* class byte, self-loops */
    int adj[CERT_MAX_VERTICES * CERT_MAX_VERTICES];    /* multiplicities */
    int rc[CERT_MAX_VERTICES];                         /* cell of each vertex */
    int cell[CERT_MAX_VERTICES];                       /* cell required at each position */
    int perm[CERT_MAX_VERTICES], used[CERT_MAX_VERTICES];
    int cur[CERT_SEG(CERT_MAX_VERTICES)], best[CERT_SEG(CERT_MAX_VERTICES)];
} cert_t;

/* Sorts c[0..n) into s and returns the number of distinct values. */
static int distinct_sorted(uint64_t *s, const uint64_t *c, int n)
{
    int i, j, d = 0;
    for (i = 0; i < n; i++)
    {
        uint64_t x = c[i];
        for (j = i; j > 0 && s[j - 1] > x; j--)
            s[j] = s[j - 1];
        s[j] = x;
    }
    for (i = 0; i < n; i++)
        d += i == 0 || s[i] != s[i - 1];
    return d;
}

/* The colours of the vertices of m (n = m->nv, at most FY_FEYNMAN_MAX_VERTICES) refined by
 * hashing, as described above, into c[0..n), and sorted into srt[0..n); returns the number of
 * distinct colours.  The one refinement of the certificate and of nauty's cells. */
static int refine_colours(uint64_t *c, uint64_t *srt, const mat_t *m, const int *cls)
{
    uint64_t t[FY_FEYNMAN_MAX_VERTICES];
    int nb[FY_FEYNMAN_MAX_VERTICES][FY_FEYNMAN_MAX_VERTICES], deg[FY_FEYNMAN_MAX_VERTICES];
    int n = m->nv, i, j, k, classes;

    for (i = 0; i < n; i++)
    {
        deg[i] = 0;
        for (j = 0; j < n; j++)
            if (j != i && m->a[i][j])
                nb[i][deg[i]++] = j;
        c[i] = mix64(((uint64_t) (cls[i] + 64) << 8 | (uint64_t) m->a[i][i]) +
                     0x9e3779b97f4a7c15ULL);
    }
    classes = distinct_sorted(srt, c, n);
    while (classes < n)
    {
        int nc;
        for (i = 0; i < n; i++)
        {
            uint64_t sum = 0;
            for (k = 0; k < deg[i]; k++)
                sum += mix64(c[nb[i][k]] ^ ((uint64_t) m->a[i][nb[i][k]] << 56));
            t[i] = mix64(c[i] ^ (sum + 0x632be59bd9b4e019ULL));
        }
        memcpy(c, t, sizeof(uint64_t) * (size_t) n);
        nc = distinct_sorted(srt, c, n);
        if (nc <= classes)
            break;
        classes = nc;
    }
    return classes;
}

/* Writes the certificate of the graph (m, cls) into out (CERT_SEG(m->nv) bytes); the graph
 * must be connected with at most CERT_MAX_VERTICES vertices. */
static void certificate(unsigned char *out, cert_t *s, const mat_t *m, const int *cls)
{
    uint64_t c[CERT_MAX_VERTICES], srt[CERT_MAX_VERTICES];
    int n = m->nv, i, j, k;
    fy_canon_search_t q;

    for (i = 0; i < n; i++)
    {
        for (j = 0; j < n; j++)
            s->adj[i * n + j] = (unsigned char) m->a[i][j];
        s->vhead[2 * i] = (unsigned char) (cls[i] + 64); /* classes lie in -16 .. 8 */
        s->vhead[2 * i + 1] = (unsigned char) m->a[i][i];
    }
    refine_colours(c, srt, m, cls);
    /* cells in colour order fill the positions */
    for (i = 0, k = -1; i < n; i++)
    {
        if (i == 0 || srt[i] != srt[i - 1])
            k++;
        s->cell[i] = k;
    }
    for (i = 0; i < n; i++)
    {
        int lo = 0, hi = n - 1; /* binary search of c[i] in srt */
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (srt[mid] < c[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        s->rc[i] = s->cell[lo];
    }
    memset(&q, 0, sizeof q);
    q.n = n;
    q.head = 2;
    q.vhead = s->vhead;
    q.adj = s->adj;
    q.cell = s->cell;
    q.rc = s->rc;
    q.perm = s->perm;
    q.used = s->used;
    q.cur = s->cur;
    q.best = s->best;
    _fy_canon_search(&q); /* no group count, no node bound: at most 10 vertices */
    for (k = 0; k < CERT_SEG(n); k++)
        out[k] = (unsigned char) s->best[k];
}

/* Above CERT_MAX_VERTICES vertices, or for a disconnected graph, the certificate comes from
 * nauty when the build has it: the multigraph becomes a simple graph with B layers, node
 * (v, b) = b n + v, the layers of one vertex joined in a path, and (u, b) ~ (v, b) when bit b
 * of the multiplicity of {u, v} is set; the cells, in order, are the layers and within a
 * layer the (class, self-loops) values, ascending.  The certificate is the colour of each
 * canonical position followed by the canonical graph's rows: equal exactly when the graphs
 * are isomorphic (classes and self-loops kept).  B depends only on the spec, so the codes of
 * one run have one length.  Everything lives in fixed arrays: no allocation per graph. */
#define NCERT_MAX_NODES (FY_FEYNMAN_MAX_VERTICES * 4)

typedef struct
{
    int layers, nodes, m;
    size_t len; /* code bytes */
#ifdef FY_HAVE_NAUTY
    setword g[NCERT_MAX_NODES * SETWORDSNEEDED(NCERT_MAX_NODES)];
    setword cg[NCERT_MAX_NODES * SETWORDSNEEDED(NCERT_MAX_NODES)];
    int lab[NCERT_MAX_NODES], ptn[NCERT_MAX_NODES], orbits[NCERT_MAX_NODES];
    int colour[NCERT_MAX_NODES];
#endif
} ncert_t;

/* Sets the layer count and code length for n vertices whose multiplicities stay below
 * 2^layers; 0 when nauty is missing or the graph would be too large. */
static int ncert_setup(ncert_t *c, int n, int max_mult)
{
    int b = 1;
    while ((1 << b) <= max_mult)
        b++;
    c->layers = b;
    c->nodes = b * n;
#ifdef FY_HAVE_NAUTY
    if (c->nodes > NCERT_MAX_NODES)
        return 0;
    c->m = SETWORDSNEEDED(c->nodes);
    /* + 1: the kind of code (nauty's canonical graph, or the matrix in colour order) */
    c->len = 2 * (size_t) n + (size_t) c->nodes * (size_t) c->m * sizeof(setword) + 1;
    return 1;
#else
    return 0;
#endif
}

#ifdef FY_HAVE_NAUTY
static void ncert(unsigned char *out, ncert_t *c, const mat_t *mt, const int *cls)
{
    const int n = mt->nv, N = c->nodes, m = c->m;
    uint64_t col[FY_FEYNMAN_MAX_VERTICES], srt[FY_FEYNMAN_MAX_VERTICES];
    int i, j, b;
    DEFAULTOPTIONS_GRAPH(options);
    statsblk stats;

    /* cells: the refined colours in ascending order, layer by layer (an invariant order; a
     * hash collision only merges cells) */
    refine_colours(col, srt, mt, cls);
    for (i = 0; i < n; i++)
    {
        for (j = i; j > 0 && col[c->lab[j - 1]] > col[i]; j--)
            c->lab[j] = c->lab[j - 1];
        c->lab[j] = i;
    }
    /* all colours distinct: their order is already a canonical labelling, no search needed;
     * the code is then the matrix in that order (marked, so the two kinds never meet) */
    for (i = 1; i < n && col[c->lab[i]] != col[c->lab[i - 1]]; i++)
        ;
    if (i == n && (size_t) n * (size_t) (n - 1) / 2 <= (size_t) N * (size_t) m * sizeof(setword))
    {
        size_t q = 2 * (size_t) n;
        memset(out, 0, c->len);
        for (i = 0; i < n; i++)
        {
            out[2 * i] = (unsigned char) (cls[c->lab[i]] + 64);
            out[2 * i + 1] = (unsigned char) mt->a[c->lab[i]][c->lab[i]];
            for (j = i + 1; j < n; j++)
                out[q++] = (unsigned char) mt->a[c->lab[i]][c->lab[j]];
        }
        out[c->len - 1] = 1;
        return;
    }
    EMPTYGRAPH(c->g, m, N);
    for (b = 0; b < c->layers; b++)
        for (i = 0; i < n; i++)
        {
            if (b + 1 < c->layers)
                ADDONEEDGE(c->g, b * n + i, (b + 1) * n + i, m);
            for (j = i + 1; j < n; j++)
                if (mt->a[i][j] >> b & 1)
                    ADDONEEDGE(c->g, b * n + i, b * n + j, m);
        }
    for (b = 1; b < c->layers; b++)
        for (i = 0; i < n; i++)
            c->lab[b * n + i] = b * n + c->lab[i];
    for (b = 0; b < c->layers; b++)
        for (i = 0; i < n; i++)
            c->ptn[b * n + i] = i + 1 < n && col[c->lab[i + 1]] == col[c->lab[i]] ? 1 : 0;
    options.getcanon = TRUE;
    options.defaultptn = FALSE;
    densenauty(c->g, c->lab, c->ptn, c->orbits, &options, &stats, m, N, c->cg);
    for (i = 0; i < n; i++) /* class and self-loops at each canonical position */
    {
        out[2 * i] = (unsigned char) (cls[c->lab[i]] + 64);
        out[2 * i + 1] = (unsigned char) mt->a[c->lab[i]][c->lab[i]];
    }
    memcpy(out + 2 * n, c->cg, (size_t) N * (size_t) m * sizeof(setword));
    out[c->len - 1] = 0;
}
#endif

/* ---------------------------------------------------------------- generator */

typedef struct
{
    const fy_feynman_spec_struct *spec;
    fy_feynman_callback_t f;
    void *ctx;
    fy_error_struct *err;
    int status;
    mat_t m;
    int deg[FY_FEYNMAN_MAX_VERTICES], cls[FY_FEYNMAN_MAX_VERTICES];
    int res[FY_FEYNMAN_MAX_VERTICES];   /* line ends of each vertex not yet placed */
    int free0[FY_FEYNMAN_MAX_VERTICES]; /* the same after the self-loops */
    int bend[FY_FEYNMAN_MAX_VERTICES];  /* end of the (class, self-loops) block of each vertex */
    /* tw[i][j]: before row i, column j is a twin of column j-1 */
    unsigned char tw[FY_FEYNMAN_MAX_VERTICES + 1][FY_FEYNMAN_MAX_VERTICES];
    /* suffix[i][j]: line ends still free at columns j.. when row i starts */
    int suffix[FY_FEYNMAN_MAX_VERTICES + 1][FY_FEYNMAN_MAX_VERTICES + 1];
    fmpz_t P;
    fy_diagram_t d;
    strset_t seen;      /* canonical strings of the graphs without a certificate */
    codeset_t seen_cert; /* certificates of the others */
    cert_t cert;
    unsigned char code[CERT_SEG(CERT_MAX_VERTICES)];
    int use_ncert;       /* the others by nauty's certificate (ncert) */
    codeset_t seen_ncert;
    ncert_t nc;
    unsigned char ncode[2 * FY_FEYNMAN_MAX_VERTICES + NCERT_MAX_NODES * NCERT_MAX_NODES / 8 + 64];
    fmpz_t q, r;
    double done; /* contractions of the graphs found so far (spec->progress) */
} gen_t;

static int leaf(gen_t *g)
{
    const fy_feynman_spec_struct *s = g->spec;
    const mat_t *m = &g->m;
    fy_diagram_struct *d = g->d;
    int i, j, k, comp[FY_FEYNMAN_MAX_VERTICES], status, ins, ncomp = -1, by_cert = 0;

    if (s->filters & FY_FEYNMAN_CONNECTED && (ncomp = components(m, -1, -1, 0, comp)) != 1)
        return FY_OK;
    if (s->filters & FY_FEYNMAN_NO_VACUUM && !every_component_has_point(m))
        return FY_OK;
    if (s->filters & FY_FEYNMAN_1PI && !is_1pi(m))
        return FY_OK;
    if (s->filters & FY_FEYNMAN_NO_TADPOLES && has_tadpole(m))
        return FY_OK;
    if (s->loops >= 0 || (ncomp < 0 && m->nv <= CERT_MAX_VERTICES))
        ncomp = components(m, -1, -1, 0, comp);
    if (s->loops >= 0)
    {
        int nl = 0;
        for (i = 0; i < m->nv; i++)
            for (j = i; j < m->nv; j++)
                nl += m->a[i][j];
        if (nl - m->nv + ncomp != s->loops)
            return FY_OK;
    }
    /* Relabelled copies: connected small graphs by certificate, before any canonical form
     * is computed; the path depends only on invariants (connected, vertex count), so
     * isomorphic graphs always meet in the same set. */
    if (ncomp == 1 && m->nv <= CERT_MAX_VERTICES)
    {
        certificate(g->code, &g->cert, m, g->cls);
        ins = codeset_insert(&g->seen_cert, g->code, g->err);
        if (ins < 0)
            return FY_ENOMEM;
        if (ins == 0)
            return FY_OK;
        by_cert = 1; /* new: no string set needed */
    }
#ifdef FY_HAVE_NAUTY
    else if (g->use_ncert)
    {
        ncert(g->ncode, &g->nc, m, g->cls);
        ins = codeset_insert(&g->seen_ncert, g->ncode, g->err);
        if (ins < 0)
            return FY_ENOMEM;
        if (ins == 0)
            return FY_OK;
        by_cert = 1;
    }
#endif

    fy_diagram_reset(d);
    d->family = &fy_feynman_family;
    for (i = 0; i < m->nv; i++)
        if (fy_diagram_add_vertex(d, i < m->npoints ? FY_FEYNMAN_POINT : g->deg[i], -1,
                                  g->err) < 0)
            return FY_ENOMEM;
    for (i = 0; i < m->npoints; i++)
        if (fy_diagram_add_leg(d, i, s->labelled ? i + 1 : FY_LEG_UNLABELLED,
                               FY_FEYNMAN_LEG_POINT, g->err) < 0)
            return FY_ENOMEM;
    for (i = 0; i < m->nv; i++)
        for (j = i; j < m->nv; j++)
            for (k = 0; k < m->a[i][j]; k++)
                if (fy_diagram_add_line(d, i, j, FY_FEYNMAN_PROPAGATOR, g->err) < 0)
                    return FY_ENOMEM;

    status = _fy_canon_graph(d, g->err);
    if (status != FY_OK)
        return status;
    if (!by_cert)
    {
        ins = strset_insert(&g->seen, d->canon, g->err);
        if (ins < 0)
            return FY_ENOMEM;
        if (ins == 0)
            return FY_OK;
    }
    fmpz_one(fmpq_numref(d->sym)); /* 1/|Aut|, already in lowest terms */
    fmpz_set(fmpq_denref(d->sym), d->aut);
    fmpz_fdiv_qr(g->q, g->r, g->P, d->aut);
    if (!fmpz_is_zero(g->r))
        return fy_error_set(g->err, FY_EINTERNAL, "|Aut| does not divide the number of "
                            "relabellings (canonical form %s)", d->canon);
    fmpz_set(fmpq_numref(d->mult), g->q);
    fmpz_one(fmpq_denref(d->mult));
    if (s->progress != NULL)
    {
        g->done += fmpz_get_d(g->q);
        fy_progress_update(s->progress, g->done);
    }
    return g->f(d, g->ctx, g->err);
}

static int fill_row(gen_t *g, int i);

/* 1 when vertex v (complete row, same class and self-loops as vertex 0) would give a greater
 * row 0 than vertex 0 does: placed first, v's best row 0 lists its multiplicities to each
 * (class, self-loops) block in non-increasing order, itself left out.  The greatest labelling
 * (see the top of this file) has no such v, so such labellings are cut as soon as v's row is
 * complete. */
static int row0_beaten(const gen_t *g, int v)
{
    const mat_t *m = &g->m;
    int s = 1, p = 1, j, k, x[FY_FEYNMAN_MAX_VERTICES];
    while (s < m->nv)
    {
        int e = g->bend[s], len = 0;
        if (s == 1) /* the first block, from position 1: vertex 0 stands in for v */
            x[len++] = m->a[v][0];
        for (j = s; j < e; j++)
            if (j != v)
            {
                int y = m->a[v][j];
                for (k = len++; k > 0 && x[k - 1] < y; k--)
                    x[k] = x[k - 1];
                x[k] = y;
            }
        for (k = 0; k < len; k++, p++)
            if (x[k] != m->a[0][p])
                return x[k] > m->a[0][p];
        s = e;
    }
    return 0;
}

/* Fills row i from column j on, with rem line ends of vertex i still to place; eq: vertex
 * i-1 is a twin of i and row i equals row i-1 on the columns before j. */
static int fill_col(gen_t *g, int i, int j, int rem, int eq)
{
    int x, hi, status;
    if (j == g->m.nv)
        return rem == 0 ? fill_row(g, i + 1) : FY_OK;
    if (rem > g->suffix[i][j])
        return FY_OK;
    hi = rem < g->res[j] ? rem : g->res[j];
    if (j > i + 1 && g->tw[i][j] && g->m.a[i][j - 1] < hi)
        hi = g->m.a[i][j - 1];
    if (eq && g->m.a[i - 1][j] < hi)
        hi = g->m.a[i - 1][j];
    for (x = hi; x >= 0; x--)
    {
        if (rem - x > g->suffix[i][j + 1])
            break;
        g->m.a[i][j] = g->m.a[j][i] = x;
        g->res[j] -= x;
        status = fill_col(g, i, j + 1, rem - x, eq && x == g->m.a[i - 1][j]);
        g->res[j] += x;
        if (status != FY_OK)
            return status;
    }
    g->m.a[i][j] = g->m.a[j][i] = 0;
    return FY_OK;
}

static int fill_row(gen_t *g, int i)
{
    int n = g->m.nv, j, status;
    if (i > 0 && i < n)
    {
        /* twins after row i-1 */
        for (j = i + 1; j < n; j++)
            g->tw[i][j] = g->tw[i - 1][j] && g->m.a[i - 1][j] == g->m.a[i - 1][j - 1];
        /* a filled prefix with no line to the rest is a union of components */
        if (g->spec->filters & FY_FEYNMAN_CONNECTED)
        {
            int cross = 0;
            for (j = i; j < n; j++)
                cross += g->free0[j] - g->res[j];
            if (cross == 0)
                return FY_OK;
        }
    }
    if (i >= 2 && i - 1 < g->bend[0] && g->m.a[i - 1][i - 1] == g->m.a[0][0] &&
        row0_beaten(g, i - 1))
        return FY_OK;
    if (i == n)
        return leaf(g);
    g->suffix[i][n] = 0;
    for (j = n - 1; j > i; j--)
        g->suffix[i][j] = g->suffix[i][j + 1] + g->res[j];
    {
        int r = g->res[i]; /* self-loops were placed by assign_loops */
        if (r > g->suffix[i][i + 1])
            return FY_OK;
        g->res[i] = 0;
        status = fill_col(g, i, i + 1, r, i > 0 && g->tw[i - 1][i]);
        g->res[i] = r;
    }
    return status;
}

/* Places the self-loops first, non-increasing within each class: vertices of a class are
 * interchangeable before any line is placed, so sorting them by their number of self-loops
 * loses no graph, and vertices with different numbers become different classes for the twin
 * rule. */
static int assign_loops(gen_t *g, int v)
{
    int n = g->m.nv, j, l, maxl, status = FY_OK;
    if (v == n)
    {
        for (j = 0; j < n; j++)
        {
            g->res[j] = g->deg[j] - 2 * g->m.a[j][j];
            g->free0[j] = g->res[j];
            /* a vertex whose every end is on its own loops is a component by itself */
            if (g->res[j] == 0 && n > 1 && (g->spec->filters & FY_FEYNMAN_CONNECTED))
                return FY_OK;
        }
        for (j = 1; j < n; j++)
            g->tw[0][j] = g->cls[j] == g->cls[j - 1] && g->m.a[j][j] == g->m.a[j - 1][j - 1];
        for (j = n - 1; j >= 0; j--)
            g->bend[j] = j + 1 < n && g->tw[0][j + 1] ? g->bend[j + 1] : j + 1;
        return fill_row(g, 0);
    }
    maxl = (g->spec->filters & FY_FEYNMAN_NO_SELF_LOOPS) ? 0 : g->deg[v] / 2;
    if (v > 0 && g->cls[v] == g->cls[v - 1] && g->m.a[v - 1][v - 1] < maxl)
        maxl = g->m.a[v - 1][v - 1];
    for (l = maxl; l >= 0; l--)
    {
        g->m.a[v][v] = l;
        status = assign_loops(g, v + 1);
        if (status != FY_OK)
            break;
    }
    g->m.a[v][v] = 0;
    return status;
}

/* A bound on the multiplicity of a line between two distinct vertices: the second largest
 * degree d2; when the graphs are connected with more than two vertices and the two largest
 * degrees agree, d2 - 1 (d2 lines would leave both vertices a component of their own). */
static int max_multiplicity(const int *deg, int n, unsigned filters)
{
    int i, d1 = 0, d2 = 0;
    for (i = 0; i < n; i++)
        if (deg[i] > d1)
        {
            d2 = d1;
            d1 = deg[i];
        }
        else if (deg[i] > d2)
            d2 = deg[i];
    if ((filters & FY_FEYNMAN_CONNECTED) && n > 2 && d1 == d2 && d2 > 0)
        d2--;
    return d2;
}

int fy_feynman_foreach(const fy_feynman_spec_t spec, fy_feynman_callback_t f, void *ctx,
                       fy_error_t err)
{
    gen_t *g;
    int status, i, t, v;
    fmpz_t x;

    status = fy_feynman_spec_validate(spec, err);
    if (status != FY_OK)
        return status;
    if (fy_feynman_spec_half_edges(spec) % 2 != 0)
        return FY_OK; /* no pairing of an odd number of half-edges */
    g = fy_calloc(1, sizeof *g, err);
    if (g == NULL)
        return FY_ENOMEM;
    g->spec = spec;
    g->f = f;
    g->ctx = ctx;
    g->err = err;
    fmpz_init_set_ui(g->P, 1);
    fmpz_init(g->q);
    fmpz_init(g->r);
    fmpz_init(x);
    fy_diagram_init(g->d, &fy_feynman_family);

    v = 0;
    for (i = 0; i < spec->n_points; i++, v++)
    {
        g->deg[v] = 1;
        g->cls[v] = spec->labelled ? -1 - i : 0;
    }
    for (t = 0; t < spec->n_types; t++)
    {
        for (i = 0; i < spec->type[t].count; i++, v++)
        {
            g->deg[v] = spec->type[t].valence;
            g->cls[v] = 1 + t;
        }
        fmpz_fac_ui(x, (ulong) spec->type[t].valence);
        fmpz_pow_ui(x, x, (ulong) spec->type[t].count);
        fmpz_mul(g->P, g->P, x);
        fmpz_fac_ui(x, (ulong) spec->type[t].count);
        fmpz_mul(g->P, g->P, x);
    }
    if (!spec->labelled)
    {
        fmpz_fac_ui(x, (ulong) spec->n_points);
        fmpz_mul(g->P, g->P, x);
    }
    g->m.nv = v;
    g->m.npoints = spec->n_points;
    g->seen_cert.len = (size_t) CERT_SEG(v < CERT_MAX_VERTICES ? v : CERT_MAX_VERTICES);
    g->use_ncert = ncert_setup(&g->nc, v, max_multiplicity(g->deg, v, spec->filters));
    g->seen_ncert.len = g->nc.len;
    status = assign_loops(g, 0);

    strset_clear(&g->seen);
    codeset_clear(&g->seen_cert);
    codeset_clear(&g->seen_ncert);
    fy_diagram_clear(g->d);
    fmpz_clear(g->P);
    fmpz_clear(g->q);
    fmpz_clear(g->r);
    fmpz_clear(x);
    free(g);
    return status;
}

/* ---------------------------------------------------------------- wrappers */

static int push_cb(const fy_diagram_t d, void *ctx, fy_error_t err)
{
    return fy_diagram_list_push((fy_diagram_list_struct *) ctx, d, err);
}

int fy_feynman_generate(fy_diagram_list_t list, const fy_feynman_spec_t spec, fy_error_t err)
{
    int status = fy_feynman_foreach(spec, push_cb, list, err);
    if (status == FY_OK)
        fy_diagram_list_sort(list);
    return status;
}

typedef struct
{
    long n;
    fmpq_t w;
    fmpz_t c;
} count_t;

static int count_cb(const fy_diagram_t d, void *ctx, fy_error_t err)
{
    count_t *c = ctx;
    (void) err;
    c->n++;
    fmpq_add(c->w, c->w, d->sym);
    fmpz_add(c->c, c->c, fmpq_numref(d->mult));
    return FY_OK;
}

int fy_feynman_count(long *n, fmpq_t weighted_sum, fmpz_t contractions,
                     const fy_feynman_spec_t spec, fy_error_t err)
{
    count_t c;
    int status;
    c.n = 0;
    fmpq_init(c.w);
    fmpz_init(c.c);
    status = fy_feynman_foreach(spec, count_cb, &c, err);
    if (status == FY_OK)
    {
        if (n != NULL)
            *n = c.n;
        if (weighted_sum != NULL)
            fmpq_set(weighted_sum, c.w);
        if (contractions != NULL)
            fmpz_set(contractions, c.c);
    }
    fmpq_clear(c.w);
    fmpz_clear(c.c);
    return status;
}

void fy_feynman_list_sums(fmpq_t weighted_sum, fmpz_t contractions, const fy_diagram_list_t list)
{
    long i;
    fmpq_zero(weighted_sum);
    fmpz_zero(contractions);
    for (i = 0; i < list->n; i++)
    {
        fmpq_add(weighted_sum, weighted_sum, list->d[i].sym);
        fmpz_add(contractions, contractions, fmpq_numref(list->d[i].mult));
    }
}
