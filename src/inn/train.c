/* Maximum-likelihood training of invertible networks (inn.h, section "training"; issue 12).
 *
 * The flow: a list of layers acting on rows x of the data, layer 0 first, with the parameter
 * layout of inn.h.  The NLL of one row is |z|^2 / 2 + (d/2) ln 2 pi - sum_l ln|det J_l|; its
 * gradient is one backward sweep through the stored layer inputs.  An affine layer's gradient
 * is first accumulated for the explicit matrix W (dW += delta u^T) and converted to the
 * factors L, s, U once per evaluation; its log-det sum_i s_i is a constant of the rows.
 *
 * Determinism: the rows of an evaluation are cut into nc = min(ceil(n / chunk), 64) chunks at
 * fixed boundaries; each chunk sums its rows' losses and gradients in row order into its own
 * slot (whichever thread runs it), and the slots are added in chunk order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/inn.h"
#include "feynn/num.h"
#include "feynn/rng.h"
#include "feynn/util.h"
#include "train/optim.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define FY_INN_TRAIN_CHUNKS 64
#define LN_2PI 1.8378770664093454836

/* ------------------------------------------------------------------ the flow's layout */

void fy_inn_flow_init(fy_inn_flow_t F)
{
    memset(F, 0, sizeof *F);
}

void fy_inn_flow_clear(fy_inn_flow_t F)
{
    int l;
    for (l = 0; l < F->nlayers; l++)
    {
        if (F->A)
            free(F->A[l]);
        if (F->B)
            free(F->B[l]);
    }
    free(F->A);
    free(F->B);
    free(F->nA);
    free(F->kind);
    free(F->off);
    memset(F, 0, sizeof *F);
}

static size_t tri(int n)
{
    return (size_t) n * (size_t) (n + 1) / 2;
}

int fy_inn_flow_setup(fy_inn_flow_t F, int d, const char *plan, int couplings, fy_error_t err)
{
    char *def = NULL;
    const char *p;
    int L, l, nc = 0;
    size_t off = 0;

    fy_inn_flow_clear(F);
    if (d < 1 || d > 4096)
        return fy_error_set(err, FY_EUSAGE, "the dimension must lie in 1..4096, not %d", d);
    if (plan == NULL)
    {
        if (couplings < 0 || couplings > 1000)
            return fy_error_set(err, FY_EUSAGE,
                                "the number of couplings must lie in 0..1000, not %d", couplings);
        def = malloc((size_t) 2 * couplings + 2);
        if (def == NULL)
            return fy_error_set(err, FY_ENOMEM, "out of memory");
        def[0] = 'a';
        for (l = 0; l < couplings; l++)
        {
            def[1 + 2 * l] = 'c';
            def[2 + 2 * l] = 'a';
        }
        def[1 + 2 * couplings] = '\0';
        plan = def;
    }
    L = (int) strlen(plan);
    if (L < 1 || L > 10000)
    {
        free(def);
        return fy_error_set(err, FY_EUSAGE,
                            "a layer plan needs 1..10000 letters (a affine, c or i coupling, "
                            "e elementwise, k cubic), not %d", L);
    }
    for (p = plan; *p; p++)
        if (*p != 'a' && *p != 'c' && *p != 'i' && *p != 'e' && *p != 'k')
        {
            int pos = (int) (p - plan);
            free(def);
            return fy_error_set(err, FY_EUSAGE,
                                "layer plan '%.40s': letter %d is '%c'; use a (affine), "
                                "c or i (coupling: halves or interleaved split), "
                                "e (elementwise) or k (cubic)", plan, pos + 1, *p);
        }
    F->kind = calloc((size_t) L, sizeof *F->kind);
    F->nA = calloc((size_t) L, sizeof *F->nA);
    F->A = calloc((size_t) L, sizeof *F->A);
    F->B = calloc((size_t) L, sizeof *F->B);
    F->off = calloc((size_t) L + 1, sizeof *F->off);
    F->nlayers = L;
    F->d = d;
    if (!F->kind || !F->nA || !F->A || !F->B || !F->off)
        goto oom;
    for (l = 0; l < L; l++)
    {
        F->off[l] = off;
        if (plan[l] == 'a')
        {
            F->kind[l] = FY_INN_LAYER_AFFINE;
            off += (size_t) d * d + (size_t) d;
        }
        else if (plan[l] == 'e' || plan[l] == 'k')
        {
            F->kind[l] = plan[l] == 'e' ? FY_INN_LAYER_ELEMENTWISE : FY_INN_LAYER_CUBIC;
            off += (size_t) d;
        }
        else if (plan[l] == 'i')
        {
            /* interleaved splits alternate: (even, odd), then (odd, even) */
            int i, par = nc % 2, nA = par ? d / 2 : (d + 1) / 2, nB = d - nA, ia = 0, ib = 0;
            F->kind[l] = FY_INN_LAYER_COUPLING;
            F->nA[l] = nA;
            F->A[l] = malloc((size_t) (nA > 0 ? nA : 1) * sizeof(int));
            F->B[l] = malloc((size_t) (nB > 0 ? nB : 1) * sizeof(int));
            if (!F->A[l] || !F->B[l])
                goto oom;
            for (i = 0; i < d; i++)
            {
                if (i % 2 == par)
                    F->A[l][ia++] = i;
                else
                    F->B[l][ib++] = i;
            }
            off += (size_t) nB * tri(nA);
            nc++;
        }
        else
        {
            /* splits alternate: (first half, second half), then the reverse */
            int h = d / 2, i, nA = (nc % 2 == 0) ? h : d - h, nB = d - nA;
            F->kind[l] = FY_INN_LAYER_COUPLING;
            F->nA[l] = nA;
            F->A[l] = malloc((size_t) (nA > 0 ? nA : 1) * sizeof(int));
            F->B[l] = malloc((size_t) (nB > 0 ? nB : 1) * sizeof(int));
            if (!F->A[l] || !F->B[l])
                goto oom;
            for (i = 0; i < nA; i++)
                F->A[l][i] = (nc % 2 == 0) ? i : d - nA + i;
            for (i = 0; i < nB; i++)
                F->B[l][i] = (nc % 2 == 0) ? nA + i : i;
            off += (size_t) nB * tri(nA);
            nc++;
        }
    }
    F->off[L] = off;
    F->np = off;
    free(def);
    return FY_OK;
oom:
    free(def);
    fy_inn_flow_clear(F);
    return fy_error_set(err, FY_ENOMEM, "out of memory laying out the flow");
}

void fy_inn_flow_identity(double *P, const fy_inn_flow_t F)
{
    memset(P, 0, F->np * sizeof(double));
}

/* ------------------------------------------------------------------ per-evaluation data */

/* What the rows need of the parameters: explicit W (and M = D U) of the affine layers, full G
 * of the couplings, the sum of the affine log-dets. */
typedef struct
{
    double **W, **M; /* per layer (affine only), d x d row-major */
    double **G;      /* per layer (couplings only), nB x nA x nA */
    double logdet;   /* sum over affine layers of sum_i s_i */
} prep_struct;

static void prep_free(prep_struct *pr, const fy_inn_flow_t F)
{
    int l;
    if (pr->W)
        for (l = 0; l < F->nlayers; l++)
        {
            free(pr->W[l]);
            free(pr->M[l]);
            free(pr->G[l]);
        }
    free(pr->W);
    free(pr->M);
    free(pr->G);
    memset(pr, 0, sizeof *pr);
}

static int prep_alloc(prep_struct *pr, const fy_inn_flow_t F, fy_error_t err)
{
    int l, d = F->d;
    memset(pr, 0, sizeof *pr);
    pr->W = calloc((size_t) F->nlayers, sizeof(double *));
    pr->M = calloc((size_t) F->nlayers, sizeof(double *));
    pr->G = calloc((size_t) F->nlayers, sizeof(double *));
    if (!pr->W || !pr->M || !pr->G)
        goto oom;
    for (l = 0; l < F->nlayers; l++)
    {
        if (F->kind[l] == FY_INN_LAYER_AFFINE)
        {
            pr->W[l] = malloc((size_t) d * d * sizeof(double));
            pr->M[l] = malloc((size_t) d * d * sizeof(double));
            if (!pr->W[l] || !pr->M[l])
                goto oom;
        }
        else if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            size_t nA = (size_t) F->nA[l], nB = (size_t) (d - F->nA[l]);
            pr->G[l] = malloc((nB * nA * nA > 0 ? nB * nA * nA : 1) * sizeof(double));
            if (!pr->G[l])
                goto oom;
        }
    }
    return FY_OK;
oom:
    prep_free(pr, F);
    return fy_error_set(err, FY_ENOMEM, "out of memory");
}

/* Index of L_ij (i > j) and U_ij (i < j) within their strict parts. */
static size_t lidx(int i, int j)
{
    return (size_t) i * (size_t) (i - 1) / 2 + (size_t) j;
}

static size_t uidx(int i, int j, int d)
{
    return (size_t) i * (size_t) d - (size_t) i * (size_t) (i + 1) / 2 + (size_t) (j - i - 1);
}

static void prep_fill(prep_struct *pr, const fy_inn_flow_t F, const double *P)
{
    int l, d = F->d;
    size_t nt = tri(d - 1);
    pr->logdet = 0.0;
    for (l = 0; l < F->nlayers; l++)
    {
        const double *q = P + F->off[l];
        if (F->kind[l] == FY_INN_LAYER_AFFINE)
        {
            const double *Ls = q, *s = q + nt, *Us = q + nt + d;
            double *W = pr->W[l], *M = pr->M[l];
            int i, j, k;
            for (i = 0; i < d; i++)
            {
                double e = exp(s[i]);
                pr->logdet += s[i];
                for (j = 0; j < d; j++)
                    M[i * d + j] = j < i ? 0.0 : (j == i ? e : e * Us[uidx(i, j, d)]);
            }
            /* W = L M, L unit lower */
            for (i = 0; i < d; i++)
                for (j = 0; j < d; j++)
                {
                    double t = M[i * d + j];
                    for (k = 0; k < i; k++)
                        t += Ls[lidx(i, k)] * M[k * d + j];
                    W[i * d + j] = t;
                }
        }
        else if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            int nA = F->nA[l], nB = d - nA, t, r, s;
            size_t m = 0;
            for (t = 0; t < nB; t++)
                for (r = 0; r < nA; r++)
                    for (s = r; s < nA; s++, m++)
                    {
                        pr->G[l][((size_t) t * nA + r) * nA + s] = q[m];
                        pr->G[l][((size_t) t * nA + s) * nA + r] = q[m];
                    }
        }
    }
}

/* ------------------------------------------------------------------ one row */

/* Forward through every layer: U holds nlayers + 1 rows of d (U[0] = x).  Returns the row's
 * NLL without the affine log-dets and the constant, +inf when an elementwise Jacobian is not
 * positive. */
static double row_forward(double *U, const fy_inn_flow_t F, const prep_struct *pr,
                          const double *P)
{
    int l, i, j, d = F->d;
    double nll = 0.0;
    for (l = 0; l < F->nlayers; l++)
    {
        const double *u = U + (size_t) l * d;
        double *y = U + (size_t) (l + 1) * d;
        const double *q = P + F->off[l];
        if (F->kind[l] == FY_INN_LAYER_AFFINE)
        {
            const double *W = pr->W[l], *b = q + (size_t) d * d;
            for (i = 0; i < d; i++)
            {
                double t = b[i];
                for (j = 0; j < d; j++)
                    t += W[i * d + j] * u[j];
                y[i] = t;
            }
        }
        else if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            int nA = F->nA[l], nB = d - nA, t, r, s;
            const int *A = F->A[l], *B = F->B[l];
            size_t m = 0;
            for (i = 0; i < nA; i++)
                y[A[i]] = u[A[i]];
            for (t = 0; t < nB; t++)
            {
                double g = 0.0;
                for (r = 0; r < nA; r++)
                {
                    double ur = u[A[r]];
                    g += q[m++] * ur * ur;
                    for (s = r + 1; s < nA; s++)
                        g += 2.0 * q[m++] * ur * u[A[s]];
                }
                y[B[t]] = u[B[t]] + g;
            }
        }
        else if (F->kind[l] == FY_INN_LAYER_CUBIC)
        {
            for (i = 0; i < d; i++)
            {
                double u2 = u[i] * u[i], j1 = 1.0 + 3.0 * q[i] * u2;
                if (!(j1 > 0.0))
                    return INFINITY;
                y[i] = u[i] + q[i] * u2 * u[i];
                nll -= log(j1);
            }
        }
        else
        {
            for (i = 0; i < d; i++)
            {
                double j1 = 1.0 + 2.0 * q[i] * u[i];
                if (!(j1 > 0.0))
                    return INFINITY;
                y[i] = u[i] + q[i] * u[i] * u[i];
                nll -= log(j1);
            }
        }
    }
    {
        const double *z = U + (size_t) F->nlayers * d;
        for (i = 0; i < d; i++)
            nll += 0.5 * z[i] * z[i];
    }
    return nll;
}

/* Backward sweep: adds the row's gradient to g (raw layout: affine layers get dW (d x d) and
 * db in their slots).  D1, D2: d doubles of scratch. */
static void row_backward(double *g, const double *U, const fy_inn_flow_t F, const prep_struct *pr,
                         const double *P, double *D1, double *D2)
{
    int l, i, j, d = F->d;
    double *dl = D1, *dn = D2;
    memcpy(dl, U + (size_t) F->nlayers * d, (size_t) d * sizeof(double)); /* dNLL/dz = z */
    for (l = F->nlayers - 1; l >= 0; l--)
    {
        const double *u = U + (size_t) l * d;
        const double *q = P + F->off[l];
        double *gl = g + F->off[l];
        if (F->kind[l] == FY_INN_LAYER_AFFINE)
        {
            const double *W = pr->W[l];
            double *gW = gl, *gb = gl + (size_t) d * d;
            for (i = 0; i < d; i++)
            {
                double di = dl[i];
                gb[i] += di;
                for (j = 0; j < d; j++)
                    gW[i * d + j] += di * u[j];
            }
            for (j = 0; j < d; j++)
            {
                double t = 0.0;
                for (i = 0; i < d; i++)
                    t += W[i * d + j] * dl[i];
                dn[j] = t;
            }
        }
        else if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            int nA = F->nA[l], nB = d - nA, t, r, s;
            const int *A = F->A[l], *B = F->B[l];
            const double *G = pr->G[l];
            size_t m = 0;
            for (i = 0; i < d; i++)
                dn[i] = dl[i];
            for (t = 0; t < nB; t++)
            {
                double dt = dl[B[t]];
                if (dt == 0.0)
                {
                    m += tri(nA);
                    continue;
                }
                for (r = 0; r < nA; r++)
                {
                    double ur = u[A[r]], acc = 0.0;
                    const double *Gr = G + ((size_t) t * nA + r) * nA;
                    gl[m++] += dt * ur * ur;
                    for (s = r + 1; s < nA; s++)
                        gl[m++] += 2.0 * dt * ur * u[A[s]];
                    for (s = 0; s < nA; s++)
                        acc += Gr[s] * u[A[s]];
                    dn[A[r]] += 2.0 * dt * acc;
                }
            }
        }
        else if (F->kind[l] == FY_INN_LAYER_CUBIC)
        {
            /* d/dgamma: dl u^3 - 3 u^2 / j1; d/du: dl j1 - 6 gamma u / j1 */
            for (i = 0; i < d; i++)
            {
                double u2 = u[i] * u[i], j1 = 1.0 + 3.0 * q[i] * u2;
                gl[i] += dl[i] * u2 * u[i] - 3.0 * u2 / j1;
                dn[i] = dl[i] * j1 - 6.0 * q[i] * u[i] / j1;
            }
        }
        else
        {
            for (i = 0; i < d; i++)
            {
                double j1 = 1.0 + 2.0 * q[i] * u[i];
                gl[i] += dl[i] * u[i] * u[i] - 2.0 * u[i] / j1;
                dn[i] = dl[i] * j1 - 2.0 * q[i] / j1;
            }
        }
        {
            double *t = dl;
            dl = dn;
            dn = t;
        }
    }
}

/* ------------------------------------------------------------------ evaluation context */

typedef struct
{
    const fy_inn_flow_struct *F;
    prep_struct pr;
    long chunk;
    int nthreads;
    double *cg;                       /* FY_INN_TRAIN_CHUNKS x np chunk gradients */
    double cl[FY_INN_TRAIN_CHUNKS];   /* chunk losses */
    double *scratch;                  /* per chunk: (nlayers + 1) d + 2 d */
    size_t sstride;
    double *tmp;                      /* 2 d^2 for raw_to_params */
} ectx;

static void ectx_free(ectx *C)
{
    if (C->F)
        prep_free(&C->pr, C->F);
    free(C->cg);
    free(C->scratch);
    free(C->tmp);
    memset(C, 0, sizeof *C);
}

static int ectx_alloc(ectx *C, const fy_inn_flow_t F, long chunk, int threads, fy_error_t err)
{
    int rc;
    memset(C, 0, sizeof *C);
    C->F = F;
    C->chunk = chunk > 0 ? chunk : 256;
#ifdef _OPENMP
    C->nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
    (void) threads;
    C->nthreads = 1;
#endif
    if ((rc = prep_alloc(&C->pr, F, err)))
    {
        C->F = NULL;
        return rc;
    }
    C->sstride = (size_t) (F->nlayers + 3) * (size_t) F->d;
    C->cg = fy_malloc((size_t) FY_INN_TRAIN_CHUNKS * (F->np > 0 ? F->np : 1), sizeof(double),
                      err);
    C->scratch = fy_malloc((size_t) FY_INN_TRAIN_CHUNKS * C->sstride, sizeof(double), err);
    C->tmp = fy_malloc((size_t) 2 * F->d * F->d, sizeof(double), err);
    if (!C->cg || !C->scratch || !C->tmp)
    {
        ectx_free(C);
        return FY_ENOMEM;
    }
    return FY_OK;
}

/* Converts the raw gradient (dW per affine layer) to the parameter gradient, in place, and
 * adds the affine log-det terms (the NLL has -sum s_i). */
static void raw_to_params(double *g, const fy_inn_flow_t F, const prep_struct *pr,
                          const double *P, double *tmp)
{
    int l, i, j, k, d = F->d;
    size_t nt = tri(d - 1);
    for (l = 0; l < F->nlayers; l++)
    {
        const double *q = P + F->off[l], *Ls = q, *M = pr->M[l];
        double *gl = g + F->off[l], *gW = tmp, *gM = tmp + (size_t) d * d;
        if (F->kind[l] != FY_INN_LAYER_AFFINE)
            continue;
        memcpy(gW, gl, (size_t) d * d * sizeof(double));
        /* gM = L^T gW */
        for (k = 0; k < d; k++)
            for (j = 0; j < d; j++)
            {
                double t = gW[k * d + j];
                for (i = k + 1; i < d; i++)
                    t += Ls[lidx(i, k)] * gW[i * d + j];
                gM[k * d + j] = t;
            }
        /* gL_ik = sum_j gW_ij M_kj (i > k) */
        for (i = 1; i < d; i++)
            for (k = 0; k < i; k++)
            {
                double t = 0.0;
                for (j = k; j < d; j++)
                    t += gW[i * d + j] * M[k * d + j];
                gl[lidx(i, k)] = t;
            }
        /* s_k and U_kj (k < j) */
        for (k = 0; k < d; k++)
        {
            double t = 0.0, e = M[k * d + k];
            for (j = k; j < d; j++)
                t += gM[k * d + j] * M[k * d + j];
            gl[nt + k] = t - 1.0;
            for (j = k + 1; j < d; j++)
                gl[nt + d + uidx(k, j, d)] = gM[k * d + j] * e;
        }
        /* the bias gradient is already in place, after the d^2 slots */
    }
}

static long num_chunks(const ectx *C, long n)
{
    long nc = (n + C->chunk - 1) / C->chunk;
    return nc < 1 ? 1 : (nc > FY_INN_TRAIN_CHUNKS ? FY_INN_TRAIN_CHUNKS : nc);
}

/* Mean NLL over rows (idx or 0..n-1) of X; gradient into grad when not NULL.  P must have
 * been prepared (prep_fill) by the caller. */
static double eval_rows(ectx *C, const double *P, const double *X, const long *idx, long n,
                        double *grad)
{
    const fy_inn_flow_struct *F = C->F;
    const size_t np = F->np;
    const int d = F->d;
    long nc = num_chunks(C, n), c;
    double loss = 0.0;
    size_t j;
    /* threads only where the rows are many: a minibatch is done faster by one thread than
     * by waking several (on a loaded machine by far); the chunks, and so the sums, are the
     * same either way */
    int par = nc > 1 && C->nthreads > 1 && (double) n * (double) (F->np + F->d) >= 4e5;

    prep_fill(&C->pr, F, P);
#pragma omp parallel for schedule(dynamic, 1) num_threads(C->nthreads) if (par)
    for (c = 0; c < nc; c++)
    {
        long r0 = n * c / nc, r1 = n * (c + 1) / nc, r;
        double *g = grad ? C->cg + (size_t) c * np : NULL;
        double *U = C->scratch + (size_t) c * C->sstride;
        double *D1 = U + (size_t) (F->nlayers + 1) * d, *D2 = D1 + d, s = 0.0;
        if (g)
            memset(g, 0, np * sizeof(double));
        for (r = r0; r < r1; r++)
        {
            const double *x = X + (size_t) (idx ? idx[r] : r) * d;
            double v;
            memcpy(U, x, (size_t) d * sizeof(double));
            v = row_forward(U, F, &C->pr, P);
            s += v;
            if (g && isfinite(v))
                row_backward(g, U, F, &C->pr, P, D1, D2);
        }
        C->cl[c] = s;
    }
    for (c = 0; c < nc; c++)
        loss += C->cl[c];
    loss = loss / (double) n + 0.5 * d * LN_2PI - C->pr.logdet;
    if (grad)
    {
        memcpy(grad, C->cg, np * sizeof(double));
        for (c = 1; c < nc; c++)
        {
            const double *g = C->cg + (size_t) c * np;
            for (j = 0; j < np; j++)
                grad[j] += g[j];
        }
        for (j = 0; j < np; j++)
            grad[j] /= (double) n;
        raw_to_params(grad, F, &C->pr, P, C->tmp);
    }
    return loss;
}

int fy_inn_flow_nll(double *nll, double *grad, const fy_inn_flow_t F, const double *P,
                    const double *X, const long *idx, long n, long chunk, int threads,
                    fy_error_t err)
{
    ectx C;
    int rc;
    if (n < 1)
        return fy_error_set(err, FY_EUSAGE, "the NLL needs at least one row");
    if ((rc = ectx_alloc(&C, F, chunk, threads, err)))
        return rc;
    *nll = eval_rows(&C, P, X, idx, n, grad);
    ectx_free(&C);
    return FY_OK;
}

int fy_inn_flow_logp(double *lp, const fy_inn_flow_t F, const double *P, const double *X,
                     long n, fy_error_t err)
{
    prep_struct pr;
    double *U;
    long r;
    int rc, d = F->d;
    if ((rc = prep_alloc(&pr, F, err)))
        return rc;
    U = fy_malloc((size_t) (F->nlayers + 1) * d, sizeof(double), err);
    if (U == NULL)
    {
        prep_free(&pr, F);
        return FY_ENOMEM;
    }
    prep_fill(&pr, F, P);
    for (r = 0; r < n; r++)
    {
        memcpy(U, X + (size_t) r * d, (size_t) d * sizeof(double));
        lp[r] = -(row_forward(U, F, &pr, P) + 0.5 * d * LN_2PI - pr.logdet);
    }
    free(U);
    prep_free(&pr, F);
    return FY_OK;
}

/* ------------------------------------------------------------------ to an fy_inn_t */

int fy_inn_flow_to_inn(fy_inn_t out, const fy_inn_flow_t F, const double *P, fy_error_t err)
{
    prep_struct pr;
    fmpq *W = NULL, *b = NULL, *G = NULL;
    int rc, l, d = F->d;
    size_t i, nmax = (size_t) d * d;
    char name[32];

    for (l = 0; l < F->nlayers; l++)
        if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            size_t nA = (size_t) F->nA[l], m = (size_t) (d - F->nA[l]) * nA * nA;
            nmax = m > nmax ? m : nmax;
        }
    if ((rc = prep_alloc(&pr, F, err)))
        return rc;
    prep_fill(&pr, F, P);
    W = _fmpq_vec_init((slong) nmax);
    b = _fmpq_vec_init(d);
    G = W;
    fy_inn_clear(out);
    fy_inn_init(out);
    if ((rc = fy_inn_set_dim(out, d, err)))
        goto done;
    for (l = 0; l < F->nlayers && rc == FY_OK; l++)
    {
        const double *q = P + F->off[l];
        snprintf(name, sizeof name, "layers.%d", l);
        if (F->kind[l] == FY_INN_LAYER_AFFINE)
        {
            for (i = 0; i < (size_t) d * d && rc == FY_OK; i++)
                rc = fy_fmpq_set_d(W + i, pr.W[l][i], err);
            for (i = 0; i < (size_t) d && rc == FY_OK; i++)
                rc = fy_fmpq_set_d(b + i, q[(size_t) d * d + i], err);
            if (rc == FY_OK)
                rc = fy_inn_push_affine(out, name, W, b, err);
        }
        else if (F->kind[l] == FY_INN_LAYER_COUPLING)
        {
            size_t m = (size_t) (d - F->nA[l]) * F->nA[l] * F->nA[l];
            for (i = 0; i < m && rc == FY_OK; i++)
                rc = fy_fmpq_set_d(G + i, pr.G[l][i], err);
            if (rc == FY_OK)
                rc = fy_inn_push_coupling(out, name, F->A[l], F->nA[l], F->B[l], d - F->nA[l],
                                          G, err);
        }
        else
        {
            for (i = 0; i < (size_t) d && rc == FY_OK; i++)
                rc = fy_fmpq_set_d(b + i, q[i], err);
            if (rc == FY_OK)
                rc = F->kind[l] == FY_INN_LAYER_CUBIC ? fy_inn_push_cubic(out, name, b, err)
                                                      : fy_inn_push_elementwise(out, name, b, err);
        }
    }
done:
    _fmpq_vec_clear(W, (slong) nmax);
    _fmpq_vec_clear(b, d);
    prep_free(&pr, F);
    return rc;
}

/* ------------------------------------------------------------------ options and report */

void fy_inn_train_opts_init(fy_inn_train_opts_t o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->couplings = 3;
    o->plan = NULL;
    o->whiten = 1;
    o->init_scale = 1e-2;
    o->epochs = 20;
    o->batch = 512;
    o->lr = 2e-3;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->clip = 10.0;
    o->lbfgs_iters = 300;
    o->lbfgs_m = 20;
    o->lbfgs_gtol = 1e-9;
    o->val_fraction = 0.1;
    o->patience = 20;
    o->lbfgs_patience = 100;
    o->threads = 0;
    o->chunk = 256;
    o->progress_bar = 0;
}

void fy_inn_train_report_init(fy_inn_train_report_t r)
{
    memset(r, 0, sizeof *r);
    r->initial_train_nll = r->initial_val_nll = r->best_val_nll = r->final_train_nll = NAN;
}

void fy_inn_train_report_clear(fy_inn_train_report_t r)
{
    free(r->curve_phase);
    free(r->curve_train);
    free(r->curve_val);
    fy_inn_train_report_init(r);
}

/* ------------------------------------------------------------------ initialisation */

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* Layer 0 (affine) := the whitening map of the rows tr of X: W = R^-1 (C = R R^T) as L D with
 * L unit lower, U = I, b = -W mean. */
static int whiten(double *P, const fy_inn_flow_t F, const double *X, const long *tr, long n,
                  fy_error_t err)
{
    int d = F->d, i, j, k, rc = FY_OK;
    size_t nt = tri(d - 1);
    double *mu = calloc((size_t) d, sizeof(double));
    double *C = calloc((size_t) d * d, sizeof(double));
    double *Wi = calloc((size_t) d * d, sizeof(double));
    double *q = P + F->off[0];
    long r;
    if (!mu || !C || !Wi)
    {
        rc = fy_error_set(err, FY_ENOMEM, "out of memory");
        goto out;
    }
    for (r = 0; r < n; r++)
        for (i = 0; i < d; i++)
            mu[i] += X[(size_t) tr[r] * d + i];
    for (i = 0; i < d; i++)
        mu[i] /= (double) n;
    for (r = 0; r < n; r++)
    {
        const double *x = X + (size_t) tr[r] * d;
        for (i = 0; i < d; i++)
            for (j = 0; j <= i; j++)
                C[i * d + j] += (x[i] - mu[i]) * (x[j] - mu[j]);
    }
    for (i = 0; i < d; i++)
        for (j = 0; j <= i; j++)
            C[i * d + j] /= (double) (n - 1);
    /* Cholesky in place (lower) */
    for (j = 0; j < d; j++)
    {
        double s = C[j * d + j];
        for (k = 0; k < j; k++)
            s -= C[j * d + k] * C[j * d + k];
        if (!(s > 1e-14 * (C[j * d + j] > 0 ? C[j * d + j] : 1.0)) || !(s > 0))
        {
            rc = fy_error_set(err, FY_EINPUT,
                              "the covariance of the training data is singular (column %d is "
                              "constant or a linear combination of the columns before it); "
                              "remove that column or add independent data", j);
            goto out;
        }
        C[j * d + j] = sqrt(s);
        for (i = j + 1; i < d; i++)
        {
            double t = C[i * d + j];
            for (k = 0; k < j; k++)
                t -= C[i * d + k] * C[j * d + k];
            C[i * d + j] = t / C[j * d + j];
        }
    }
    /* Wi = R^-1, lower triangular, by forward substitution column by column */
    for (j = 0; j < d; j++)
        for (i = j; i < d; i++)
        {
            double t = (i == j) ? 1.0 : 0.0;
            for (k = j; k < i; k++)
                t -= C[i * d + k] * Wi[k * d + j];
            Wi[i * d + j] = t / C[i * d + i];
        }
    memset(q, 0, (F->off[1] - F->off[0]) * sizeof(double));
    for (i = 1; i < d; i++)
        for (j = 0; j < i; j++)
            q[lidx(i, j)] = Wi[i * d + j] / Wi[j * d + j];
    for (j = 0; j < d; j++)
        q[nt + j] = log(Wi[j * d + j]);
    for (i = 0; i < d; i++)
    {
        double t = 0.0;
        for (j = 0; j <= i; j++)
            t += Wi[i * d + j] * mu[j];
        q[(size_t) d * d + i] = -t;
    }
out:
    free(mu);
    free(C);
    free(Wi);
    return rc;
}

/* ------------------------------------------------------------------ the moment trick
 * (inn-diag, issue 12).  Without elementwise and cubic layers and with c couplings, z(x) is a
 * polynomial of degree 2^c, so the row's NLL and its gradient are polynomials of degree
 * D = 2^(c+1) in x: their means over the data depend on the data only through the moments of
 * orders <= D.  Any weighted points whose weighted moments equal the data's give the same
 * mean loss and gradient; fy_inn_moments_fit finds weights for N' = 2 N rows of the data (N
 * the number of monomials of degree <= D) by the least-norm solution of the moment equations
 * (Householder QR of the N' x N monomial matrix, in standardised coordinates), and the
 * evaluation runs the row code over those points, each weighted (the backward sweep is
 * linear in dNLL/dz for affine and coupling layers, so the weight scales z). */

int fy_inn_flow_moment_degree(const fy_inn_flow_t F)
{
    int l, c = 0;
    for (l = 0; l < F->nlayers; l++)
    {
        if (F->kind[l] == FY_INN_LAYER_ELEMENTWISE || F->kind[l] == FY_INN_LAYER_CUBIC)
            return -1;
        c += F->kind[l] == FY_INN_LAYER_COUPLING;
    }
    return c > 4 ? -1 : 1 << (c + 1);
}

void fy_inn_moments_init(fy_inn_moments_t M)
{
    memset(M, 0, sizeof *M);
    M->resid = NAN;
}

void fy_inn_moments_clear(fy_inn_moments_t M)
{
    free(M->X);
    free(M->w);
    fy_inn_moments_init(M);
}

/* The exponent vectors of the monomials of degree <= D in d variables (N x d, malloc'd). */
static int *monomials(long *N, int d, int D)
{
    long cnt = 1, k, cap;
    int *E, *e, i;
    for (i = 1; i <= d; i++)
        cnt = cnt * (D + i) / i; /* C(d + D, d), exact at each step */
    cap = cnt;
    if ((E = calloc((size_t) cap * (size_t) d, sizeof(int))) == NULL)
        return NULL;
    e = calloc((size_t) d, sizeof(int));
    for (k = 0; e != NULL && k < cap; k++)
    {
        int tot = 0;
        memcpy(E + (size_t) k * d, e, (size_t) d * sizeof(int));
        /* next exponent vector with total <= D */
        for (i = 0; i < d; i++)
            tot += e[i];
        for (i = 0; i < d; i++)
        {
            if (tot < D)
            {
                e[i]++;
                break;
            }
            tot -= e[i];
            e[i] = 0;
        }
    }
    free(e);
    *N = cap;
    return E;
}

/* The N monomials at the standardised row t (pw: (D + 1) d scratch). */
static void mono_row(double *out, const double *t, const int *E, long N, int d, int D,
                     double *pw)
{
    long a;
    int i, k;
    for (i = 0; i < d; i++)
    {
        pw[i * (D + 1)] = 1.0;
        for (k = 1; k <= D; k++)
            pw[i * (D + 1) + k] = pw[i * (D + 1) + k - 1] * t[i];
    }
    for (a = 0; a < N; a++)
    {
        double v = 1.0;
        for (i = 0; i < d; i++)
            v *= pw[i * (D + 1) + E[(size_t) a * d + i]];
        out[a] = v;
    }
}

/* Least-norm w with A^T w = m, A (r x N, row-major, r >= N) destroyed: Householder QR. */
static int least_norm(double *w, double *A, long r, long N, const double *m)
{
    double *beta = calloc((size_t) N, sizeof(double)), *y = calloc((size_t) N, sizeof(double));
    long k, i, j;
    if (!beta || !y)
    {
        free(beta);
        free(y);
        return FY_ENOMEM;
    }
    for (k = 0; k < N; k++)
    {
        double nrm = 0.0, alpha, v0, vv;
        for (i = k; i < r; i++)
            nrm += A[i * N + k] * A[i * N + k];
        nrm = sqrt(nrm);
        alpha = A[k * N + k] > 0 ? -nrm : nrm;
        v0 = A[k * N + k] - alpha;
        A[k * N + k] = v0; /* v = (v0, A[k+1.., k]) */
        vv = v0 * v0;
        for (i = k + 1; i < r; i++)
            vv += A[i * N + k] * A[i * N + k];
        beta[k] = vv > 0 ? 2.0 / vv : 0.0;
        for (j = k + 1; j < N; j++)
        {
            double sdot = 0.0;
            for (i = k; i < r; i++)
                sdot += A[i * N + k] * A[i * N + j];
            sdot *= beta[k];
            for (i = k; i < r; i++)
                A[i * N + j] -= sdot * A[i * N + k];
        }
        y[k] = alpha; /* R_kk, kept apart (the column holds v) */
    }
    /* R^T u = m: R_kj (j > k) in A[k, j], R_kk in y[k]; u overwrites y */
    for (k = 0; k < N; k++)
    {
        double t = m[k], rkk = y[k];
        for (j = 0; j < k; j++)
            t -= A[j * N + k] * y[j];
        if (rkk == 0.0)
        {
            free(beta);
            free(y);
            return FY_ECHECK;
        }
        y[k] = t / rkk;
    }
    /* w = Q (u, 0) = H_0 ... H_{N-1} (u, 0) */
    for (i = 0; i < r; i++)
        w[i] = i < N ? y[i] : 0.0;
    for (k = N - 1; k >= 0; k--)
    {
        double sdot = 0.0;
        for (i = k; i < r; i++)
            sdot += A[i * N + k] * w[i];
        sdot *= beta[k];
        for (i = k; i < r; i++)
            w[i] -= sdot * A[i * N + k];
    }
    free(beta);
    free(y);
    return FY_OK;
}

int fy_inn_moments_fit(fy_inn_moments_t M, const double *X, const long *idx, long n, int d,
                       int degree, fy_error_t err)
{
    long N = 0, r, a, p, i;
    int *E = NULL, rc = FY_OK, j;
    double *mu = NULL, *sd = NULL, *m = NULL, *A = NULL, *row = NULL, *pw = NULL, *t = NULL;
    fy_inn_moments_clear(M);
    if (degree < 1 || d < 1)
        return fy_error_set(err, FY_EUSAGE, "moments: degree %d, dimension %d", degree, d);
    if (!(E = monomials(&N, d, degree)))
        return fy_error_set(err, FY_ENOMEM, "moments: out of memory");
    r = 2 * N;
    if (N > 2000 || r > n)
    {
        free(E);
        return fy_error_set(err, FY_EINPUT, "moments: %ld monomials of degree <= %d in %d "
                            "variables need %ld points; %ld rows given (at most 2000 monomials "
                            "and twice as many rows; use the rows themselves)", N, degree, d,
                            r, n);
    }
    mu = calloc((size_t) d, sizeof(double));
    sd = calloc((size_t) d, sizeof(double));
    m = calloc((size_t) N, sizeof(double));
    row = calloc((size_t) N, sizeof(double));
    pw = calloc((size_t) (degree + 1) * (size_t) d, sizeof(double));
    t = calloc((size_t) d, sizeof(double));
    A = malloc((size_t) r * (size_t) N * sizeof(double));
    M->X = malloc((size_t) r * (size_t) d * sizeof(double));
    M->w = malloc((size_t) r * sizeof(double));
    if (!mu || !sd || !m || !row || !pw || !t || !A || !M->X || !M->w)
    {
        rc = fy_error_set(err, FY_ENOMEM, "moments: out of memory");
        goto done;
    }
    /* standardised coordinates t = (x - mean) / sd: the same polynomial space */
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            mu[j] += X[(size_t) (idx ? idx[i] : i) * d + j] / (double) n;
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
        {
            double e = X[(size_t) (idx ? idx[i] : i) * d + j] - mu[j];
            sd[j] += e * e / (double) n;
        }
    for (j = 0; j < d; j++)
        sd[j] = sd[j] > 0 ? sqrt(sd[j]) : 1.0;
    for (i = 0; i < n; i++)
    {
        const double *x = X + (size_t) (idx ? idx[i] : i) * d;
        for (j = 0; j < d; j++)
            t[j] = (x[j] - mu[j]) / sd[j];
        mono_row(row, t, E, N, d, degree, pw);
        for (a = 0; a < N; a++)
            m[a] += row[a];
    }
    for (a = 0; a < N; a++)
        m[a] /= (double) n;
    /* the points: r rows spread evenly through the data */
    for (p = 0; p < r; p++)
    {
        const double *x = X + (size_t) (idx ? idx[p * n / r] : p * n / r) * d;
        memcpy(M->X + (size_t) p * d, x, (size_t) d * sizeof(double));
        for (j = 0; j < d; j++)
            t[j] = (x[j] - mu[j]) / sd[j];
        mono_row(A + (size_t) p * N, t, E, N, d, degree, pw);
    }
    if ((rc = least_norm(M->w, A, r, N, m)) != FY_OK)
    {
        rc = rc == FY_ENOMEM ? fy_error_set(err, rc, "moments: out of memory")
                             : fy_error_set(err, rc, "moments: the points do not determine "
                                            "the moments (a rank-deficient monomial matrix)");
        goto done;
    }
    /* the residual of the moment equations, relative to the largest moment */
    {
        double worst = 0.0, scale = 1.0;
        for (a = 0; a < N; a++)
            row[a] = 0.0;
        for (p = 0; p < r; p++)
        {
            const double *x = M->X + (size_t) p * d;
            for (j = 0; j < d; j++)
                t[j] = (x[j] - mu[j]) / sd[j];
            mono_row(A, t, E, N, d, degree, pw);
            for (a = 0; a < N; a++)
                row[a] += M->w[p] * A[a];
        }
        for (a = 0; a < N; a++)
        {
            worst = fmax(worst, fabs(row[a] - m[a]));
            scale = fmax(scale, fabs(m[a]));
        }
        M->resid = worst / scale;
    }
    M->d = d;
    M->degree = degree;
    M->nmono = N;
    M->npts = r;
    M->n = n;
done:
    if (rc != FY_OK)
        fy_inn_moments_clear(M);
    free(E);
    free(mu);
    free(sd);
    free(m);
    free(row);
    free(pw);
    free(t);
    free(A);
    return rc;
}

/* The weighted loss over the moment points (prepared P as in eval_rows). */
static double eval_moments(ectx *C, const double *P, const fy_inn_moments_struct *M,
                           double *grad)
{
    const fy_inn_flow_struct *F = C->F;
    const int d = F->d;
    double *U = C->scratch, *D1 = U + (size_t) (F->nlayers + 1) * d, *D2 = D1 + d, loss = 0.0;
    long p;
    int i;
    prep_fill(&C->pr, F, P);
    if (grad)
        memset(grad, 0, F->np * sizeof(double));
    for (p = 0; p < M->npts; p++)
    {
        double *z = U + (size_t) F->nlayers * d;
        memcpy(U, M->X + (size_t) p * d, (size_t) d * sizeof(double));
        loss += M->w[p] * row_forward(U, F, &C->pr, P);
        if (grad)
        {
            for (i = 0; i < d; i++)
                z[i] *= M->w[p];
            row_backward(grad, U, F, &C->pr, P, D1, D2);
        }
    }
    loss += 0.5 * d * LN_2PI - C->pr.logdet;
    if (grad)
        raw_to_params(grad, F, &C->pr, P, C->tmp);
    return loss;
}

int fy_inn_flow_nll_moments(double *nll, double *grad, const fy_inn_flow_t F, const double *P,
                            const fy_inn_moments_t M, fy_error_t err)
{
    ectx C;
    int rc;
    if (fy_inn_flow_moment_degree(F) < 0 || fy_inn_flow_moment_degree(F) > M->degree ||
        M->d != F->d)
        return fy_error_set(err, FY_EUSAGE, "moments: the flow needs moments of degree %d in "
                            "%d variables; these are of degree %d in %d (elementwise and "
                            "cubic layers have none)", fy_inn_flow_moment_degree(F), F->d,
                            M->degree, M->d);
    if ((rc = ectx_alloc(&C, F, 256, 1, err)))
        return rc;
    *nll = eval_moments(&C, P, M, grad);
    ectx_free(&C);
    return FY_OK;
}

/* ------------------------------------------------------------------ the trainer */

typedef struct
{
    ectx *C;
    const fy_inn_train_opts_struct *o;
    const double *X;
    const long *tr, *va;
    long ntr, nva;
    fy_inn_train_report_struct *R;
    double best;
    double *Pbest;
    double *gtmp;
    int wait, stopped;
    fy_progress_struct *bar;
    const fy_inn_moments_struct *Mtr, *Mva; /* the moment trick (NULL: the rows) */
} lwatch;

static double lbfgs_fg(void *ctx, const double *P, double *g)
{
    lwatch *w = ctx;
    if (w->Mtr)
        return eval_moments(w->C, P, w->Mtr, g);
    return eval_rows(w->C, P, w->X, w->tr, w->ntr, g);
}

static double norm2(const double *g, size_t n)
{
    double s = 0.0;
    size_t j;
    for (j = 0; j < n; j++)
        s += g[j] * g[j];
    return sqrt(s);
}

static int lbfgs_hook(void *ctx, int it, const double *P, double f, double t)
{
    lwatch *w = ctx;
    fy_inn_train_report_struct *R = w->R;
    double v = NAN;
    (void) t;
    if (w->nva > 0)
    {
        v = w->Mva ? eval_moments(w->C, P, w->Mva, NULL)
                   : eval_rows(w->C, P, w->X, w->va, w->nva, NULL);
        if (v < w->best)
        {
            w->best = v;
            memcpy(w->Pbest, P, w->C->F->np * sizeof(double));
            R->best_phase = 2;
            R->best_step = it;
            w->wait = 0;
        }
        else
            w->wait++;
    }
    else
    {
        memcpy(w->Pbest, P, w->C->F->np * sizeof(double));
        R->best_phase = 2;
        R->best_step = it;
    }
    R->curve_phase[R->ncurve] = 2;
    R->curve_train[R->ncurve] = f;
    R->curve_val[R->ncurve] = v;
    R->ncurve++;
    R->lbfgs_iters_run = it;
    fy_progress_update(w->bar, (double) R->epochs_run + it);
    if (w->o->progress)
    {
        fy_inn_train_progress_struct pr;
        pr.phase = "lbfgs";
        pr.step = it;
        pr.total = w->o->lbfgs_iters;
        pr.train_nll = f;
        pr.val_nll = v;
        pr.grad_norm = NAN;
        if (w->o->progress(w->o->progress_ctx, &pr))
        {
            w->stopped = 2;
            return 1;
        }
    }
    if (w->nva > 0 && w->o->lbfgs_patience > 0 && w->wait >= w->o->lbfgs_patience)
    {
        w->stopped = 1;
        return 1;
    }
    return 0;
}

/* The state of one training round, shared by its steps (train_round below). */
typedef struct
{
    const fy_inn_train_opts_struct *o;
    const double *X;
    long n, ntr, nva;
    int d;
    fy_inn_train_report_struct *R;
    fy_inn_flow_t F;
    ectx C;
    int ctx_ok;
    long *perm, *tr, *va, *bidx;
    double *P, *Pbest, *G, *M1, *M2, best;
    double *Xaug; /* innseed: the images of the rows (NULL: no augmentation) */
    size_t np;
    fy_progress_t bar;
} tround;

/* The options and the data a round needs, checked before anything is allocated. */
static int round_check(const fy_inn_train_opts_struct *o, const double *X, long n, int d,
                       fy_error_t err)
{
    long i;
    int l;
    if (o->epochs < 0 || o->lbfgs_iters < 0 || o->batch < 1 || !(o->lr > 0) ||
        !(o->val_fraction >= 0 && o->val_fraction < 1) || !(o->beta1 >= 0 && o->beta1 < 1) ||
        !(o->beta2 >= 0 && o->beta2 < 1) || !(o->eps > 0) || o->patience < 0 ||
        o->lbfgs_patience < 0 || o->chunk < 1 || (o->lbfgs_iters > 0 && o->lbfgs_m < 1) ||
        !(o->init_scale >= 0) || o->threads < 0 || o->epochs > 100000000 ||
        o->lbfgs_iters > 100000000 || o->naugment < 0 || o->naugment > 1000 ||
        (o->naugment > 0 && o->augment == NULL))
        return fy_error_set(err, FY_EUSAGE,
                            "training options out of range (need epochs, lbfgs_iters >= 0, "
                            "batch >= 1, lr > 0, 0 <= val_fraction < 1, 0 <= beta < 1, eps > 0, "
                            "patience >= 0, chunk >= 1, lbfgs_m >= 1, init_scale >= 0, "
                            "0 <= naugment <= 1000 with its permutations)");
    if (d < 1)
        return fy_error_set(err, FY_EINPUT, "the data have %d columns; need at least one", d);
    /* innseed: each image a permutation of the d columns */
    for (l = 0; l < o->naugment; l++)
    {
        int i2, j2;
        for (i2 = 0; i2 < d; i2++)
        {
            int c = o->augment[(size_t) l * d + i2];
            for (j2 = 0; j2 < i2 && o->augment[(size_t) l * d + j2] != c; j2++)
                ;
            if (c < 0 || c >= d || j2 < i2)
                return fy_error_set(err, FY_EUSAGE,
                                    "augmentation %d is no permutation of the %d columns "
                                    "(entry %d is %d); give each column once", l, d, i2, c);
        }
    }
    for (i = 0; i < n; i++)
        for (l = 0; l < d; l++)
            if (!isfinite(X[(size_t) i * d + l]))
                return fy_error_set(err, FY_EINPUT,
                                    "the data hold %g at row %ld, column %d; remove the "
                                    "non-finite rows", X[(size_t) i * d + l], i, l);
    return FY_OK;
}

/* The parameter vectors, the row indices and the report's curves. */
static int round_alloc(tround *S, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = S->o;
    fy_inn_train_report_struct *R = S->R;
    size_t np = S->np ? S->np : 1, nc = (size_t) o->epochs + o->lbfgs_iters + 1;
    S->perm = fy_malloc((size_t) S->n, sizeof(long), err);
    S->bidx = fy_malloc((size_t) S->ntr, sizeof(long), err);
    S->P = fy_malloc(np, sizeof(double), err);
    S->Pbest = fy_malloc(np, sizeof(double), err);
    S->G = fy_malloc(np, sizeof(double), err);
    S->M1 = calloc(np, sizeof(double));
    S->M2 = calloc(np, sizeof(double));
    R->curve_phase = calloc(nc, sizeof(int));
    R->curve_train = calloc(nc, sizeof(double));
    R->curve_val = calloc(nc, sizeof(double));
    if (!S->perm || !S->bidx || !S->P || !S->Pbest || !S->G || !S->M1 || !S->M2 ||
        !R->curve_phase || !R->curve_train || !R->curve_val)
        return fy_error_set(err, FY_ENOMEM, "out of memory for %ld rows and %zu parameters",
                            S->n, S->np);
    return FY_OK;
}

/* The validation split: a seeded permutation, each part in row order. */
static void round_split(tround *S)
{
    fy_rng_t rng;
    long i, n = S->n;
    fy_rng_init(rng, S->o->seed, FY_RNG_PURPOSE_INN_TRAIN_SPLIT);
    for (i = 0; i < n; i++)
        S->perm[i] = i;
    for (i = n - 1; i > 0; i--)
    {
        long k = (long) (fy_rng_uniform(rng, 0, (uint64_t) i) * (double) (i + 1)), t;
        k = k > i ? i : k;
        t = S->perm[i];
        S->perm[i] = S->perm[k];
        S->perm[k] = t;
    }
    S->tr = S->perm;
    S->va = S->perm + S->ntr;
    qsort(S->tr, (size_t) S->ntr, sizeof(long), cmp_long);
    qsort(S->va, (size_t) S->nva, sizeof(long), cmp_long);
}

/* innseed: the augmentation.  Row r's image g becomes row r G + g of S->Xaug (G images a
 * row), and the two sides list the images of their rows, so a row's images stay on its side. */
static int round_augment(tround *S, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = S->o;
    long G = o->naugment, r, t, *perm, *bidx;
    int d = S->d, g, i;
    if (G < 1)
        return FY_OK;
    S->Xaug = fy_malloc((size_t) S->n * (size_t) G * (size_t) d, sizeof(double), err);
    perm = fy_malloc((size_t) S->n * (size_t) G, sizeof(long), err);
    bidx = fy_malloc((size_t) S->ntr * (size_t) G, sizeof(long), err);
    if (S->Xaug == NULL || perm == NULL || bidx == NULL)
    {
        free(perm);
        free(bidx);
        return fy_error_set(err, FY_ENOMEM, "out of memory for %ld images of %ld rows", G,
                            S->n);
    }
    for (r = 0; r < S->n; r++)
        for (g = 0; g < G; g++)
            for (i = 0; i < d; i++)
                S->Xaug[((size_t) r * G + g) * d + i] =
                    S->X[(size_t) r * d + o->augment[(size_t) g * d + i]];
    for (t = 0; t < S->n; t++)
        for (g = 0; g < G; g++)
            perm[t * G + g] = S->perm[t] * G + g;
    free(S->perm);
    free(S->bidx);
    S->perm = perm;
    S->bidx = bidx;
    S->X = S->Xaug;
    S->n *= G;
    S->ntr *= G;
    S->nva *= G;
    S->tr = S->perm;
    S->va = S->perm + S->ntr;
    return FY_OK;
}

/* The initial parameters: identity, the whitening first layer, and the random entries of the
 * coupling/elementwise/cubic layers from streams l + round 2^32. */
static int round_init_params(tround *S, uint64_t round, fy_error_t err)
{
    const fy_inn_flow_struct *F = S->F;
    const fy_inn_train_opts_struct *o = S->o;
    fy_rng_t rng;
    size_t j;
    int l, rc;
    fy_inn_flow_identity(S->P, S->F);
    if (o->whiten && F->kind[0] == FY_INN_LAYER_AFFINE &&
        (rc = whiten(S->P, S->F, S->X, S->tr, S->ntr, err)))
        return rc;
    fy_rng_init(rng, o->seed, FY_RNG_PURPOSE_INN_TRAIN_INIT);
    for (l = 0; l < F->nlayers; l++)
        if (F->kind[l] != FY_INN_LAYER_AFFINE)
            for (j = F->off[l]; j < F->off[l + 1]; j++)
            {
                S->P[j] = o->init_scale *
                          fy_rng_normal(rng, (uint64_t) l + (round << 32), j - F->off[l]);
                /* a cubic layer starts monotone on all of R (gamma >= 0) */
                if (F->kind[l] == FY_INN_LAYER_CUBIC)
                    S->P[j] = fabs(S->P[j]);
            }
    return FY_OK;
}

/* The evaluation context, the report's sizes and initial NLLs, the progress bar. */
static int round_start(tround *S, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = S->o;
    fy_inn_train_report_struct *R = S->R;
    int rc;
    if ((rc = ectx_alloc(&S->C, S->F, o->chunk, o->threads, err)))
        return rc;
    S->ctx_ok = 1;
    R->d = S->d;
    R->nlayers = S->F->nlayers;
    R->nparams = S->np;
    R->n_train = S->ntr;
    R->n_val = S->nva;
    R->threads = S->C.nthreads;
    R->initial_train_nll = eval_rows(&S->C, S->P, S->X, S->tr, S->ntr, NULL);
    R->initial_val_nll = S->nva > 0 ? eval_rows(&S->C, S->P, S->X, S->va, S->nva, NULL) : NAN;
    S->best = S->nva > 0 ? R->initial_val_nll : INFINITY;
    if (!isfinite(R->initial_train_nll))
        return fy_error_set(err, FY_EINPUT,
                            "the initial network has an infinite NLL on the data (an "
                            "elementwise layer's Jacobian vanishes at a sample); lower the "
                            "initial scale");
    memcpy(S->Pbest, S->P, S->np * sizeof(double));
    R->best_phase = 0;
    R->best_step = 0;
    fy_progress_clear(S->bar);
    fy_progress_init(S->bar, "inn train", (double) o->epochs + o->lbfgs_iters, o->progress_bar);
    return FY_OK;
}

/* One Adam epoch over the shuffled training rows; returns the mean training NLL of the
 * accepted minibatches (NaN if none) and the last gradient norm in *gn. */
static double adam_epoch(tround *S, fy_rng_t rng, int ep, long *step, double *b1t, double *b2t,
                         double *gn)
{
    const fy_inn_train_opts_struct *o = S->o;
    long bs = o->batch < S->ntr ? o->batch : S->ntr, i, s0, nsum = 0, ntr = S->ntr;
    double sum = 0.0;
    size_t j;
    for (i = ntr - 1; i > 0; i--)
    {
        long k = (long) (fy_rng_uniform(rng, (uint64_t) ep, (uint64_t) i) * (double) (i + 1)),
             t;
        k = k > i ? i : k;
        t = S->bidx[i];
        S->bidx[i] = S->bidx[k];
        S->bidx[k] = t;
    }
    for (s0 = 0; s0 < ntr; s0 += bs)
    {
        long B = ntr - s0 < bs ? ntr - s0 : bs;
        double f = eval_rows(&S->C, S->P, S->X, S->bidx + s0, B, S->G), sc = 1.0;
        if (!isfinite(f))
            continue; /* a rejected step (elementwise Jacobian <= 0 at a row) */
        sum += f * (double) B;
        nsum += B;
        *gn = norm2(S->G, S->np);
        if (o->clip > 0 && *gn > o->clip)
            sc = o->clip / *gn;
        if (sc != 1.0)
            for (j = 0; j < S->np; j++)
                S->G[j] *= sc;
        (*step)++;
        *b1t *= o->beta1;
        *b2t *= o->beta2;
        _fy_adam_update(S->P, S->G, S->M1, S->M2, S->np, o->lr, o->beta1, o->beta2, o->eps,
                        1.0 / (1.0 - *b1t), 1.0 / (1.0 - *b2t), 0.0);
    }
    return nsum > 0 ? sum / (double) nsum : NAN;
}

/* Minibatch Adam with clipping and early stopping; the best state stays in Pbest. */
static int round_adam(tround *S, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = S->o;
    fy_inn_train_report_struct *R = S->R;
    fy_rng_t rng;
    long step = 0;
    double b1t = 1.0, b2t = 1.0, ta = fy_wall_time();
    int wait = 0, ep;
    fy_rng_init(rng, o->seed, FY_RNG_PURPOSE_INN_TRAIN_SHUFFLE);
    memcpy(S->bidx, S->tr, (size_t) S->ntr * sizeof(long));
    for (ep = 0; ep < o->epochs; ep++)
    {
        double v = NAN, gn = NAN;
        R->curve_phase[R->ncurve] = 1;
        R->curve_train[R->ncurve] = adam_epoch(S, rng, ep, &step, &b1t, &b2t, &gn);
        if (S->nva > 0)
        {
            v = eval_rows(&S->C, S->P, S->X, S->va, S->nva, NULL);
            if (v < S->best)
            {
                S->best = v;
                memcpy(S->Pbest, S->P, S->np * sizeof(double));
                R->best_phase = 1;
                R->best_step = ep + 1;
                wait = 0;
            }
            else
                wait++;
        }
        else
        {
            memcpy(S->Pbest, S->P, S->np * sizeof(double));
            R->best_phase = 1;
            R->best_step = ep + 1;
        }
        R->curve_val[R->ncurve] = v;
        R->ncurve++;
        R->epochs_run = ep + 1;
        fy_progress_update(S->bar, ep + 1);
        if (!isfinite(R->curve_train[R->ncurve - 1]) || norm2(S->P, S->np) != norm2(S->P, S->np))
            return fy_error_set(err, FY_ECHECK,
                                "training diverged in Adam epoch %d (NLL %g); lower the "
                                "learning rate (now %g) or the clipping norm (now %g)",
                                ep + 1, R->curve_train[R->ncurve - 1], o->lr, o->clip);
        if (o->progress)
        {
            fy_inn_train_progress_struct pr;
            pr.phase = "adam";
            pr.step = ep + 1;
            pr.total = o->epochs;
            pr.train_nll = R->curve_train[R->ncurve - 1];
            pr.val_nll = v;
            pr.grad_norm = gn;
            if (o->progress(o->progress_ctx, &pr))
            {
                R->stopped_early = 2;
                break;
            }
        }
        if (S->nva > 0 && o->patience > 0 && wait >= o->patience)
        {
            R->stopped_early = 1;
            break;
        }
    }
    R->adam_time_s = fy_wall_time() - ta;
    return FY_OK;
}

/* Full-batch L-BFGS on the training split (by the moment trick where the options ask for it
 * and it applies); the best state stays in Pbest. */
static int round_lbfgs(tround *S, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = S->o;
    fy_inn_train_report_struct *R = S->R;
    lwatch w;
    fy_inn_moments_t Mtr, Mva;
    int lrc;
    long nva = S->nva;
    double tl = fy_wall_time();
    memset(&w, 0, sizeof w);
    w.C = &S->C;
    w.o = o;
    w.X = S->X;
    w.tr = S->tr;
    w.va = S->va;
    w.ntr = S->ntr;
    w.nva = nva;
    w.R = R;
    w.best = S->best;
    w.Pbest = S->Pbest;
    w.bar = S->bar;
    fy_inn_moments_init(Mtr);
    fy_inn_moments_init(Mva);
    if (o->moments && fy_inn_flow_moment_degree(S->F) > 0)
    {
        /* the moment trick where it applies and the points are fewer than the rows */
        fy_error_t merr;
        int D = fy_inn_flow_moment_degree(S->F), d = S->d;
        fy_error_init(merr);
        if (fy_inn_moments_fit(Mtr, S->X, S->tr, S->ntr, d, D, merr) == FY_OK &&
            (nva == 0 || fy_inn_moments_fit(Mva, S->X, S->va, nva, d, D, merr) == FY_OK) &&
            Mtr->resid < 1e-9 && (nva == 0 || Mva->resid < 1e-9))
        {
            w.Mtr = Mtr;
            w.Mva = nva > 0 ? Mva : NULL;
            R->moments_used = 1;
        }
    }
    _fy_lbfgs_minimize(S->P, S->np, o->lbfgs_iters, o->lbfgs_m, o->lbfgs_gtol, lbfgs_fg, &w,
                       lbfgs_hook, &w, err, &lrc);
    fy_inn_moments_clear(Mtr);
    fy_inn_moments_clear(Mva);
    if (lrc)
        return lrc;
    S->best = w.best;
    if (w.stopped)
        R->stopped_early = w.stopped;
    memcpy(S->P, S->Pbest, S->np * sizeof(double));
    R->lbfgs_time_s = fy_wall_time() - tl;
    return FY_OK;
}

static void round_free(tround *S)
{
    fy_progress_clear(S->bar);
    if (S->ctx_ok)
        ectx_free(&S->C);
    fy_inn_flow_clear(S->F);
    free(S->perm);
    free(S->bidx);
    free(S->P);
    free(S->Pbest);
    free(S->G);
    free(S->M1);
    free(S->M2);
    free(S->Xaug);
}

/* One training from the initial state of round `round` (restarts: round 0 is the plain
 * initialisation; round r > 0 draws the random coupling/elementwise/cubic parameters from
 * streams l + r 2^32 of the same purpose; the split, whitening and schedule are the same). */
static int train_round(fy_inn_t out, const double *X, long n, int d,
                       const fy_inn_train_opts_struct *o, uint64_t round,
                       fy_inn_train_report_struct *R, fy_error_t err)
{
    tround S;
    double t0;
    int rc;

    memset(&S, 0, sizeof S);
    S.o = o;
    S.X = X;
    S.n = n;
    S.d = d;
    S.R = R;
    fy_inn_flow_init(S.F);
    fy_inn_train_report_init(R);
    fy_progress_init(S.bar, "inn train", 1.0, 0);
    t0 = fy_wall_time();

    if ((rc = round_check(o, X, n, d, err)))
        return rc;
    S.nva = (long) floor(o->val_fraction * (double) n);
    S.ntr = n - S.nva;
    if (S.ntr < d + 1 || S.ntr < 2)
        return fy_error_set(err, FY_EINPUT,
                            "%ld rows leave %ld for training; the covariance of %d columns "
                            "needs at least %d (more data, or a smaller validation fraction)",
                            n, S.ntr, d, d + 1);
    if ((rc = fy_inn_flow_setup(S.F, d, o->plan, o->couplings, err)))
        return rc;
    S.np = S.F->np;

    if ((rc = round_alloc(&S, err)))
        goto finish;
    round_split(&S);
    if ((rc = round_augment(&S, err)))
        goto finish;
    if ((rc = round_init_params(&S, round, err)) || (rc = round_start(&S, err)))
        goto finish;
    if ((rc = round_adam(&S, err)))
        goto finish;
    memcpy(S.P, S.Pbest, S.np * sizeof(double));
    if (o->lbfgs_iters > 0 && R->stopped_early != 2 && (rc = round_lbfgs(&S, err)))
        goto finish;
    R->best_val_nll = S.nva > 0 ? S.best : NAN;
    R->final_train_nll = eval_rows(&S.C, S.P, S.X, S.tr, S.ntr, NULL);
    rc = fy_inn_flow_to_inn(out, S.F, S.P, err);

finish:
    R->time_s = fy_wall_time() - t0;
    round_free(&S);
    return rc;
}

/* inn12 (issue 12): restarts.  The rounds share the split, so their validation NLLs compare;
 * the kept network is the round with the lowest (the training NLL without a validation
 * split).  Never the truth: the trainer does not see it. */
static double round_score(const fy_inn_train_report_struct *R)
{
    return R->n_val > 0 ? R->best_val_nll : R->final_train_nll;
}

int fy_inn_train(fy_inn_t out, const double *X, long n, int d, const fy_inn_train_opts_t opts,
                 fy_inn_train_report_t report, fy_error_t err)
{
    const fy_inn_train_opts_struct *o = opts;
    fy_inn_train_report_t Rloc, Rc;
    fy_inn_train_report_struct *R = report ? report : Rloc;
    double score, t0 = fy_wall_time();
    int r, rounds = o->restarts > 1 ? o->restarts : 1, rc;
    if (o->restarts < 0 || o->restarts > 1000)
    {
        fy_inn_train_report_init(R);
        rc = fy_error_set(err, FY_EUSAGE, "restarts %d out of range (0 to 1000)", o->restarts);
        goto done;
    }
    rc = train_round(out, X, n, d, o, 0, R, err);
    R->restarts_run = 1;
    R->best_restart = 0;
    R->restart_score[0] = round_score(R);
    score = R->restart_score[0];
    for (r = 1; r < rounds && rc == FY_OK; r++)
    {
        fy_inn_t cand;
        fy_inn_init(cand);
        rc = train_round(cand, X, n, d, o, (uint64_t) r, Rc, err);
        if (rc == FY_OK)
        {
            double s = round_score(Rc);
            if (r < FY_INN_TRAIN_MAX_SCORES)
                R->restart_score[r] = s;
            R->restarts_run = r + 1;
            if (s < score)
            {
                /* the candidate becomes the result; the report follows it, keeping the
                 * restarts' record */
                fy_inn_train_report_struct keep = *R, t;
                fy_inn_struct tn = *out;
                *out = *cand;
                *cand = tn;
                t = *R;
                *R = *Rc;
                *Rc = t;
                R->restarts_run = keep.restarts_run;
                memcpy(R->restart_score, keep.restart_score, sizeof R->restart_score);
                R->best_restart = r;
                score = s;
            }
        }
        fy_inn_train_report_clear(Rc);
        fy_inn_clear(cand);
    }
done:
    R->time_s = fy_wall_time() - t0;
    if (R == Rloc)
        fy_inn_train_report_clear(Rloc);
    return rc;
}
