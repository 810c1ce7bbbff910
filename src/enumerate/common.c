/* Family descriptors, list sums, the memory guard and the generic dispatch of the generators;
 * see feynn/enumerate.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enumerate/enum_internal.h"

static const char *const mlp_vertex_kinds[] = {"input", "vertex", "output"};
static const char *const mlp_line_kinds[] = {"propagator"};
static const char *const mlp_leg_kinds[] = {"slot"};
const fy_family_struct fy_family_mlp = {"mlp", mlp_vertex_kinds, 3, mlp_line_kinds, 1,
                                        mlp_leg_kinds, 1, 1};

static const char *const inn_vertex_kinds[] = {"action", "split", "logdet"};
static const char *const inn_line_kinds[] = {"contraction"};
static const char *const inn_leg_kinds[] = {"index"};
const fy_family_struct fy_family_inn = {"inn", inn_vertex_kinds, 3, inn_line_kinds, 1,
                                        inn_leg_kinds, 1, 1};

static const char *const born_vertex_kinds[] = {"insertion"};
static const char *const born_line_kinds[] = {"static"};
static const char *const born_leg_kinds[] = {"end"};
const fy_family_struct fy_family_born = {"born", born_vertex_kinds, 1, born_line_kinds, 1,
                                         born_leg_kinds, 1, 0};

double _fy_enum_diagram_bytes(int nv, int nl, int nlegs, size_t canon_len)
{
    /* Arrays grow from 8 by doubling, so up to twice the need; 32 bytes of allocator overhead
     * per block; the diagram struct itself (with its fmpz/fmpq, possibly big) and the list
     * slot. */
    double b = 2.0 * sizeof(fy_diagram_struct) + 4 * 32.0;
    b += 2.0 * ((nv > 8 ? nv : 8) * (double) sizeof(fy_vertex_struct));
    b += 2.0 * ((nl > 8 ? nl : 8) * (double) sizeof(fy_line_struct));
    b += 2.0 * ((nlegs > 8 ? nlegs : 8) * (double) sizeof(fy_leg_struct));
    b += (double) canon_len + 1;
    return b;
}

int _fy_enum_guard(double count, double bytes_each, double extra, size_t max_bytes,
                   const char *what, fy_error_t err)
{
    double est = count * bytes_each + extra;
    if (max_bytes == 0)
        max_bytes = FY_ENUM_DEFAULT_MAX_BYTES;
    if (!(est <= (double) max_bytes)) /* also catches inf and nan */
    {
        if (count >= 1e300)
            return fy_error_set(err, FY_ENOMEM,
                                "%s: more than 1e300 diagrams; lower the order or the number "
                                "of layers", what);
        return fy_error_set(err, FY_ENOMEM,
                            "%s: %.3g diagrams or more, needing %.3g MiB or more, above the "
                            "limit of %.3g MiB; lower the order or the number of layers, or "
                            FY_MEMORY_LIMIT_HINT,
                            what, count, est / 1048576.0, (double) max_bytes / 1048576.0);
    }
    return FY_OK;
}

/* Saturating value: estimates stay finite (no inf * 0 = nan). */
static double sat(double x)
{
    return x < 1e300 ? x : 1e300;
}

/* exp of a power series with zero constant term, in doubles: e_k = (1/k) sum j s_j e_{k-j}. */
static void exp_d(double *e, const double *s, int n)
{
    int k, j;
    e[0] = 1;
    for (k = 1; k <= n; k++)
    {
        double t = 0;
        for (j = 1; j <= k; j++)
            t = sat(t + j * s[j] * e[k - j]);
        e[k] = t / k;
    }
}

double _fy_enum_mlp_estimate(int n, int H, int labelled, double stop)
{
    double *A = calloc((size_t) n + 1, sizeof *A), *S = calloc((size_t) n + 1, sizeof *S);
    double *M = calloc((size_t) n + 1, sizeof *M), total = (n == 1);
    int l, k, j;
    if (A == NULL || S == NULL || M == NULL)
        total = HUGE_VAL;
    else if (labelled)
    {
        /* N_{l+1}(m) = sum_j C(m-1, j-1) N_l(j) E(m-j): set partitions, block of 1 first */
        double *N = A, *E = M, *C = S;
        N[1] = 1;
        for (l = 1; l <= H && total < stop; l++)
        {
            E[0] = 1;
            for (k = 1; k <= n; k++)
            {
                double t = 0, c = 1; /* C(k-1, j-1) */
                for (j = 1; j <= k; j++)
                {
                    t = sat(t + c * N[j] * E[k - j]);
                    c = sat(c * (k - j) / j);
                }
                E[k] = t;
            }
            for (k = 1; k <= n; k++)
                C[k] = E[k];
            for (k = 1; k <= n; k++)
                N[k] = C[k];
            total = N[n];
        }
    }
    else
    {
        /* u_l = MSET(A_l) - 1 - A_l with A_l = sum_{l' < l} u_l', u_0 = x */
        A[1] = 1;
        for (l = 1; l <= H && total < stop; l++)
        {
            for (k = 0; k <= n; k++)
                S[k] = 0;
            for (k = 1; k <= n; k++)
                for (j = 1; j * k <= n; j++)
                    S[j * k] = sat(S[j * k] + A[j] / k);
            exp_d(M, S, n);
            for (k = 2; k <= n; k++)
                A[k] += M[k] - A[k] > 0 ? M[k] - A[k] : 0;
            /* A[n] now counts the trees with n leaves and top layer <= l */
            total = A[n];
        }
    }
    free(A);
    free(S);
    free(M);
    return total; /* when above stop: a lower bound (the count for fewer layers) */
}

double _fy_enum_inn_estimate(int m, int c, int kmin, int kmax, double stop)
{
    /* q[s]: classes of items (bare leg, split vertices of levels >= j) with s leaves, level
     * by level: the split vertices of level j are the unordered pairs of items below,
     * (Q(x)^2 + Q(x^2)) / 2.  Then the k-multisets of items with m leaves, k in kmin..kmax:
     * the coefficient of y^k x^m in prod_s (1 - y x^s)^(-q_s). */
    int K = kmax < m ? kmax : m, j, s, t, k, i;
    double *q = calloc((size_t) m + 1, sizeof *q), *g = calloc((size_t) m + 1, sizeof *g);
    double *W = calloc((size_t) (K + 1) * (size_t) (m + 1), sizeof *W);
    double *V = calloc((size_t) (K + 1) * (size_t) (m + 1), sizeof *V), total = 0;
    if (q == NULL || g == NULL || W == NULL || V == NULL)
        total = HUGE_VAL;
    else
    {
        q[1] = 1;
        for (j = c; j >= 1; j--)
        {
            for (s = 0; s <= m; s++)
                g[s] = 0;
            for (s = 1; s <= m; s++)
                for (t = 1; s + t <= m; t++)
                    g[s + t] += q[s] * q[t];
            for (s = 1; 2 * s <= m; s++)
                g[2 * s] += q[s];
            for (s = 2; s <= m; s++)
                q[s] = sat(q[s] + g[s] / 2);
        }
        W[0] = 1; /* W[k * (m+1) + t] */
        for (s = 1; s <= m; s++)
        {
            if (q[s] == 0)
                continue;
            memcpy(V, W, (size_t) (K + 1) * (size_t) (m + 1) * sizeof *V);
            for (k = 0; k < K; k++)
                for (t = 0; t + s <= m; t++)
                {
                    double base = W[k * (m + 1) + t], binom = 1; /* C(q + i - 1, i) */
                    if (base == 0)
                        continue;
                    for (i = 1; k + i <= K && t + i * s <= m; i++)
                    {
                        binom = sat(binom * (q[s] + i - 1) / i);
                        V[(k + i) * (m + 1) + t + i * s] =
                            sat(V[(k + i) * (m + 1) + t + i * s] + base * binom);
                    }
                }
            memcpy(W, V, (size_t) (K + 1) * (size_t) (m + 1) * sizeof *V);
        }
        for (k = kmin; k <= K; k++)
            total = sat(total + W[k * (m + 1) + m]);
    }
    free(q);
    free(g);
    free(W);
    free(V);
    (void) stop;
    return total;
}

void _fy_enum_finish(fy_diagram_t d, char *s, const fmpz_t aut, const fmpq_t mult)
{
    fmpz_t one;
    free(d->canon);
    d->canon = s;
    fmpz_set(d->aut, aut);
    fmpz_init_set_ui(one, 1);
    fmpq_set_fmpz_frac(d->sym, one, aut);
    fmpz_clear(one);
    fmpq_set(d->mult, mult);
}

int _fy_enum_list_take(fy_diagram_list_t list, fy_diagram_t d, fy_error_t err)
{
    if (list->n == list->alloc)
    {
        long cap = list->alloc ? 2 * list->alloc : 16;
        fy_diagram_struct *p = fy_realloc(list->d, (size_t) cap, sizeof *p, err);
        if (p == NULL)
            return FY_ENOMEM;
        list->d = p;
        list->alloc = cap;
    }
    /* The fmpz/fmpq members are moved with the struct: an fmpz is a value or a pointer owned
     * by whoever holds the struct, so a bitwise move is the FLINT idiom (fmpz_swap does it). */
    list->d[list->n++] = *d;
    fy_diagram_init(d, list->d[list->n - 1].family);
    return FY_OK;
}


void fy_diagram_list_weight(fmpq_t sum, const fy_diagram_list_t list)
{
    long i;
    fmpq_zero(sum);
    for (i = 0; i < list->n; i++)
        fmpq_add(sum, sum, list->d[i].mult);
}

void fy_diagram_list_sym_sum(fmpq_t sum, const fy_diagram_list_t list)
{
    long i;
    fmpq_zero(sum);
    for (i = 0; i < list->n; i++)
        fmpq_add(sum, sum, list->d[i].sym);
}

int fy_enum_mlp_trees(fy_diagram_list_t out, int n, int H, fy_error_t err)
{
    return _fy_enum_mlp_trees(out, n, H, 0, err);
}

int fy_enum_mlp_labelled(fy_diagram_list_t out, int n, int H, fy_error_t err)
{
    return _fy_enum_mlp_labelled(out, n, H, 0, err);
}

int fy_enum_inn_chain(fy_diagram_list_t out, int m, int c, int kmin, int kmax, fy_error_t err)
{
    return _fy_enum_inn_chain(out, m, c, kmin, kmax, 0, err);
}

int fy_enum_inn_split(fy_diagram_list_t out, int m, fy_error_t err)
{
    return _fy_enum_inn_chain(out, m, 1, (m + 1) / 2 > 0 ? (m + 1) / 2 : 1, m, 0, err);
}

int fy_enum_inn_logdet(fy_diagram_list_t out, int K, fy_error_t err)
{
    return _fy_enum_inn_logdet(out, K, 0, err);
}

int fy_enum_born_ladder(fy_diagram_list_t out, int n, fy_error_t err)
{
    return _fy_enum_born_ladder(out, n, 0, err);
}

/* ---- generic dispatch ---- */

static const char *const family_names[] = {"mlp",       "mlp-labelled", "inn-chain",
                                           "inn-split", "inn-logdet",   "born"};
#define N_FAMILIES ((int) (sizeof family_names / sizeof family_names[0]))

void fy_enum_params_init(fy_enum_params_t p)
{
    p->family = FY_ENUM_MLP;
    p->order = 1;
    p->layers = 1;
    p->kmin = 1;
    p->kmax = -1;
    p->max_bytes = 0;
}

const char *fy_enum_family_name(fy_enum_family_t f)
{
    if ((int) f < 0 || (int) f >= N_FAMILIES)
        return "unknown";
    return family_names[f];
}

int fy_enum_family_from_name(const char *name)
{
    int i;
    for (i = 0; name != NULL && i < N_FAMILIES; i++)
        if (strcmp(name, family_names[i]) == 0)
            return i;
    return -1;
}

const fy_family_struct *fy_enum_family_descriptor(fy_enum_family_t f)
{
    switch (f)
    {
    case FY_ENUM_MLP:
    case FY_ENUM_MLP_LABELLED:
        return &fy_family_mlp;
    case FY_ENUM_INN_CHAIN:
    case FY_ENUM_INN_SPLIT:
    case FY_ENUM_INN_LOGDET:
        return &fy_family_inn;
    case FY_ENUM_BORN:
        return &fy_family_born;
    }
    return NULL;
}

static int kmax_of(const fy_enum_params_t p)
{
    return p->kmax < 0 ? p->order : p->kmax;
}

int fy_enum_run(fy_diagram_list_t out, const fy_enum_params_t p, fy_error_t err)
{
    switch (p->family)
    {
    case FY_ENUM_MLP:
        return _fy_enum_mlp_trees(out, p->order, p->layers, p->max_bytes, err);
    case FY_ENUM_MLP_LABELLED:
        return _fy_enum_mlp_labelled(out, p->order, p->layers, p->max_bytes, err);
    case FY_ENUM_INN_CHAIN:
        return _fy_enum_inn_chain(out, p->order, p->layers, p->kmin, kmax_of(p), p->max_bytes,
                                  err);
    case FY_ENUM_INN_SPLIT:
        return _fy_enum_inn_chain(out, p->order, 1, (p->order + 1) / 2 > 0 ? (p->order + 1) / 2 : 1,
                                  p->order, p->max_bytes, err);
    case FY_ENUM_INN_LOGDET:
        return _fy_enum_inn_logdet(out, p->order, p->max_bytes, err);
    case FY_ENUM_BORN:
        return _fy_enum_born_ladder(out, p->order, p->max_bytes, err);
    }
    return fy_error_set(err, FY_EINPUT, "unknown diagram family %d", (int) p->family);
}

int fy_enum_oracle(fmpq_t expected, const fy_enum_params_t p, fy_error_t err)
{
    switch (p->family)
    {
    case FY_ENUM_MLP:
    case FY_ENUM_MLP_LABELLED:
        return fy_enum_mlp_oracle(expected, p->order, p->layers, err);
    case FY_ENUM_INN_CHAIN:
        return fy_enum_inn_chain_oracle(expected, p->order, p->layers, p->kmin, kmax_of(p), err);
    case FY_ENUM_INN_SPLIT:
        return fy_enum_inn_chain_oracle(expected, p->order, 1, 1, p->order, err);
    case FY_ENUM_INN_LOGDET:
        return fy_enum_inn_logdet_oracle(expected, p->order, err);
    case FY_ENUM_BORN:
        return fy_enum_born_oracle(expected, p->order, err);
    }
    return fy_error_set(err, FY_EINPUT, "unknown diagram family %d", (int) p->family);
}

int fy_enum_weight(fmpq_t got, const fy_diagram_list_t list, const fy_enum_params_t p,
                   fy_error_t err)
{
    if (p->family == FY_ENUM_BORN)
    {
        long i;
        fmpq_t v;
        fmpq_init(v);
        fmpq_zero(got);
        for (i = 0; i < list->n; i++)
        {
            int status = fy_enum_born_unit_value(v, list->d + i, err);
            if (status != FY_OK)
            {
                fmpq_clear(v);
                return status;
            }
            fmpq_addmul(got, list->d[i].mult, v);
        }
        fmpq_clear(v);
        return FY_OK;
    }
    fy_diagram_list_weight(got, list);
    return FY_OK;
}

int fy_enum_check(fmpq_t expected, fmpq_t got, const fy_diagram_list_t list,
                  const fy_enum_params_t p, fy_error_t err)
{
    int status = fy_enum_oracle(expected, p, err);
    if (status != FY_OK)
        return status;
    status = fy_enum_weight(got, list, p, err);
    if (status != FY_OK)
        return status;
    if (!fmpq_equal(expected, got))
    {
        char *a = fmpq_get_str(NULL, 10, expected), *b = fmpq_get_str(NULL, 10, got);
        status = fy_error_set(err, FY_ECHECK,
                              "%s order %d: the diagrams' weighted sum is %s but the oracle "
                              "says %s",
                              fy_enum_family_name(p->family), p->order, b ? b : "?",
                              a ? a : "?");
        flint_free(a);
        flint_free(b);
        return status;
    }
    return FY_OK;
}
