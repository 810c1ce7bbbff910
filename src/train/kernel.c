/* Kernels of the trainer: random indices and shuffles (on the generator of rng.h), activations
 * with their first derivatives (the rules' definitions, with closed forms as fast paths where
 * they agree), the gemm wrapper (CBLAS or plain loops) and the forward/backward pass of one
 * chunk of rows (tanh layers through the vectorised fy_train_tanh, tanh_fast.c;
 * _fy_act_forward keeps libm's functions for fy_net_eval). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "train/train_internal.h"

#ifdef FY_HAVE_CBLAS
#include <cblas.h>
#endif

/* ------------------------------------------------------------------ random numbers */

long _fy_rng_index(const fy_rng_t r, uint64_t stream, uint64_t k, long n)
{
    /* u < 1, so u (n + 1) < n + 1; the clamp only guards the rounding of the product */
    long i = (long) (fy_rng_uniform(r, stream, k) * (double) (n + 1));
    return i > n ? n : i;
}

void _fy_rng_shuffle(long *a, long n, const fy_rng_t r, uint64_t stream)
{
    long i;
    for (i = n - 1; i > 0; i--)
    {
        long k = _fy_rng_index(r, stream, (uint64_t) i, i), t = a[i];
        a[i] = a[k];
        a[k] = t;
    }
}

/* ------------------------------------------------------------------ activations */

/* The closed forms kept as fast paths, used for a rules definition of the same name that
 * agrees with them (closed_agrees); every other activation the rules define is evaluated from
 * its definition (fy_activation_eval_d). */
static const char *closed_names[] = {"tanh", "sigmoid", "sin", "softplus", "identity"};
#define NCLOSED 5

static inline double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    else
    {
        double e = exp(z);
        return e / (1.0 + e);
    }
}

/* sigma(z) (k = 0) or sigma'(z) (k = 1) of the closed form c. */
static double closed_eval(int c, int k, double z)
{
    double s;
    switch (c)
    {
    case FY_ACT_TANH:
        s = tanh(z);
        return k == 0 ? s : 1.0 - s * s;
    case FY_ACT_SIGMOID:
        s = sigmoid(z);
        return k == 0 ? s : s * (1.0 - s);
    case FY_ACT_SIN:
        return k == 0 ? sin(z) : cos(z);
    case FY_ACT_SOFTPLUS:
        return k == 0 ? (z > 0 ? z : 0.0) + log1p(exp(-fabs(z))) : sigmoid(z);
    default:
        return k == 0 ? z : 1.0;
    }
}

/* 1 when the rules' definition a has the values and first derivatives of the closed form c at
 * points across the range the trainer sees (to 1e-12, relative): then the closed form stands
 * for it.  A definition of the same name that differs (a file of one's own shadowing tanh, say)
 * is evaluated from the rules instead. */
static int closed_agrees(int c, const fy_activation_struct *a)
{
    static const double zs[] = {-6.5, -3.25, -1.0, -0.375, 0.0, 0.25, 0.875, 2.5, 5.75};
    size_t i;
    int k;
    for (i = 0; i < sizeof zs / sizeof zs[0]; i++)
        for (k = 0; k <= 1; k++)
        {
            double want = closed_eval(c, k, zs[i]), got;
            if (fy_activation_eval_d(&got, a, (ulong) k, zs[i], NULL) != FY_OK ||
                !(fabs(got - want) <= 1e-12 * (1.0 + fabs(want))))
                return 0;
        }
    return 1;
}

/* "a.rules, b.rules, ..." (the files r was loaded from, as many as fit in about 500
 * characters, then "and N more"), for messages. */
static void rules_files(char *buf, size_t n, const fy_rules_struct *r)
{
    int i;
    buf[0] = '\0';
    if (r->nfiles == 0)
    {
        snprintf(buf, n, "the rules given, loaded from no file");
        return;
    }
    for (i = 0; i < r->nfiles && strlen(buf) + strlen(r->files[i]) < 500; i++)
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? ", " : "", r->files[i]);
    if (i < r->nfiles)
        snprintf(buf + strlen(buf), n - strlen(buf), " and %d more", r->nfiles - i);
}

void _fy_tact_init(fy_tact_struct *A)
{
    A->kind = FY_ACT_RULES;
    fy_activation_init(A->def);
}

void _fy_tact_clear(fy_tact_struct *A)
{
    fy_activation_clear(A->def);
    A->kind = FY_ACT_RULES;
}

int _fy_tact_set(fy_tact_struct *A, const char *name, const fy_rules_struct *rules,
                 fy_error_t err)
{
    const fy_activation_struct *a;
    char files[560], names[256] = "";
    double v;
    int i, rc;

    a = name != NULL ? fy_rules_activation(rules, name) : NULL;
    if (a == NULL)
    {
        rules_files(files, sizeof files, rules);
        for (i = 0; i < rules->nacts && strlen(names) < 200; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                     rules->acts[i].name);
        return fy_error_set(err, FY_EINPUT,
                            "activation \"%s\" is not defined by the rules (%s; they define %s); "
                            "define it in a rules file (doc/rules-format.md) on the rules "
                            "search path (FEYNN_RULES_PATH)", name ? name : "(none)", files,
                            names[0] ? names : "none");
    }
    if ((rc = fy_activation_set(A->def, a, err)) != FY_OK)
        return rc;
    /* the trainer needs sigma and sigma' in double anywhere */
    for (i = 0; i <= 1; i++)
        if ((rc = fy_activation_eval_d(&v, A->def, (ulong) i, 0.5, err)) != FY_OK)
        {
            fy_error_prefix(err, "activation \"%s\" (%s:%d) cannot be trained: ", name,
                            a->file ? a->file : "rules", a->line);
            return rc;
        }
    A->kind = FY_ACT_RULES;
    for (i = 0; i < NCLOSED; i++)
        if (strcmp(name, closed_names[i]) == 0 && closed_agrees(i, A->def))
            A->kind = i;
    return FY_OK;
}

int _fy_train_rules(fy_rules_t own, const fy_rules_struct **use, const fy_rules_struct *given,
                    fy_error_t err)
{
    int rc;
    *use = given;
    if (given != NULL)
        return FY_OK;
    if ((rc = fy_rules_load_default(own, err)) != FY_OK)
    {
        fy_error_prefix(err, "the default rules (for the activations): ");
        return rc;
    }
    *use = own;
    return FY_OK;
}

const char *_fy_tact_name(const fy_tact_struct *A)
{
    return A->def->name != NULL ? A->def->name : "?";
}

void _fy_act_forward(double *a, const double *z, size_t n, const fy_tact_struct *A)
{
    size_t i;
    switch (A->kind)
    {
    case FY_ACT_TANH:
        for (i = 0; i < n; i++)
            a[i] = tanh(z[i]);
        break;
    case FY_ACT_SIGMOID:
        for (i = 0; i < n; i++)
            a[i] = sigmoid(z[i]);
        break;
    case FY_ACT_SIN:
        for (i = 0; i < n; i++)
            a[i] = sin(z[i]);
        break;
    case FY_ACT_SOFTPLUS:
        /* log(1 + e^z) = max(z, 0) + log1p(e^-|z|), without overflow */
        for (i = 0; i < n; i++)
            a[i] = (z[i] > 0 ? z[i] : 0.0) + log1p(exp(-fabs(z[i])));
        break;
    case FY_ACT_IDENTITY:
        if (a != z)
            memcpy(a, z, n * sizeof(double));
        break;
    default:
        /* the rules' definition (checked to evaluate in _fy_tact_set) */
        for (i = 0; i < n; i++)
            fy_activation_eval_d(a + i, A->def, 0, z[i], NULL);
        break;
    }
}

void _fy_act_backward(double *g, const double *z, const double *a, size_t n,
                      const fy_tact_struct *A)
{
    size_t i;
    double s;
    switch (A->kind)
    {
    case FY_ACT_TANH:
        for (i = 0; i < n; i++)
            g[i] *= 1.0 - a[i] * a[i];
        break;
    case FY_ACT_SIGMOID:
        for (i = 0; i < n; i++)
            g[i] *= a[i] * (1.0 - a[i]);
        break;
    case FY_ACT_SIN:
        for (i = 0; i < n; i++)
            g[i] *= cos(z[i]);
        break;
    case FY_ACT_SOFTPLUS:
        for (i = 0; i < n; i++)
            g[i] *= sigmoid(z[i]);
        break;
    case FY_ACT_IDENTITY:
        break;
    default:
        for (i = 0; i < n; i++)
        {
            fy_activation_eval_d(&s, A->def, 1, z[i], NULL);
            g[i] *= s;
        }
        break;
    }
}

/* ------------------------------------------------------------------ gemm */

static void gemm_loops(int ta, int tb, int M, int N, int K, double alpha, const double *A,
                       int lda, const double *B, int ldb, double beta, double *C, int ldc)
{
    int i, j, k;
    for (i = 0; i < M; i++)
    {
        double *c = C + (size_t) i * ldc;
        if (beta == 0.0)
            for (j = 0; j < N; j++)
                c[j] = 0.0;
        else if (beta != 1.0)
            for (j = 0; j < N; j++)
                c[j] *= beta;
    }
    if (!ta && !tb)
    {
        /* C[i,:] += A[i,k] B[k,:]: unit stride on B and C */
        for (i = 0; i < M; i++)
        {
            double *c = C + (size_t) i * ldc;
            for (k = 0; k < K; k++)
            {
                double a = alpha * A[(size_t) i * lda + k];
                const double *b = B + (size_t) k * ldb;
                for (j = 0; j < N; j++)
                    c[j] += a * b[j];
            }
        }
    }
    else if (!ta && tb)
    {
        /* C[i,j] += A[i,:] . B[j,:] */
        for (i = 0; i < M; i++)
        {
            const double *a = A + (size_t) i * lda;
            for (j = 0; j < N; j++)
            {
                const double *b = B + (size_t) j * ldb;
                double s = 0.0;
                for (k = 0; k < K; k++)
                    s += a[k] * b[k];
                C[(size_t) i * ldc + j] += alpha * s;
            }
        }
    }
    else if (ta && !tb)
    {
        /* C[i,:] += A[k,i] B[k,:], A is K x M */
        for (k = 0; k < K; k++)
        {
            const double *b = B + (size_t) k * ldb;
            for (i = 0; i < M; i++)
            {
                double a = alpha * A[(size_t) k * lda + i];
                double *c = C + (size_t) i * ldc;
                for (j = 0; j < N; j++)
                    c[j] += a * b[j];
            }
        }
    }
    else
    {
        for (i = 0; i < M; i++)
            for (j = 0; j < N; j++)
            {
                double s = 0.0;
                for (k = 0; k < K; k++)
                    s += A[(size_t) k * lda + i] * B[(size_t) j * ldb + k];
                C[(size_t) i * ldc + j] += alpha * s;
            }
    }
}

void _fy_gemm(int blas, int ta, int tb, int M, int N, int K, double alpha, const double *A,
              int lda, const double *B, int ldb, double beta, double *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
#ifdef FY_HAVE_CBLAS
    if (blas && K > 0)
    {
        cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return;
    }
#else
    (void) blas;
#endif
    gemm_loops(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

/* ------------------------------------------------------------------ chunk pass */

int _fy_twork_alloc(fy_twork_struct *ws, const fy_tmodel_struct *m, long rows, fy_error_t err)
{
    memset(ws, 0, sizeof *ws);
    ws->rows = rows;
    ws->X = fy_malloc((size_t) rows * (size_t) m->w[0], sizeof(double), err);
    ws->ZA = fy_malloc((size_t) rows * 2 * (size_t) m->sumw, sizeof(double), err);
    ws->g1 = fy_malloc((size_t) rows * (size_t) m->maxw, sizeof(double), err);
    ws->g2 = fy_malloc((size_t) rows * (size_t) m->maxw, sizeof(double), err);
    if (!ws->X || !ws->ZA || !ws->g1 || !ws->g2)
    {
        _fy_twork_free(ws);
        return FY_ENOMEM;
    }
    return FY_OK;
}

void _fy_twork_free(fy_twork_struct *ws)
{
    free(ws->X);
    free(ws->ZA);
    free(ws->g1);
    free(ws->g2);
    memset(ws, 0, sizeof *ws);
}

double _fy_chunk_loss_grad(double *grad, double *pred, const fy_tmodel_struct *m,
                           const double *P, const double *Xs, const double *ys,
                           const double *wt, const long *idx, long c, fy_twork_struct *ws)
{
    const int L = m->L, d = m->w[0], nout = m->w[L];
    double *Z[FY_TRAIN_MAX_HIDDEN + 2], *A[FY_TRAIN_MAX_HIDDEN + 2];
    double loss = 0.0, *dz, *da;
    size_t off = 0;
    long i;
    int l, o;

    /* gather the rows */
    for (i = 0; i < c; i++)
        memcpy(ws->X + (size_t) i * d, Xs + (size_t) idx[i] * d, (size_t) d * sizeof(double));
    A[0] = ws->X;
    Z[0] = NULL;
    for (l = 1; l <= L; l++)
    {
        Z[l] = ws->ZA + off;
        off += (size_t) c * m->w[l];
        A[l] = ws->ZA + off;
        off += (size_t) c * m->w[l];
    }
    /* forward: Z_l = b_l + A_{l-1} W_l^T (the rows start as b_l, one product adds to them) */
    for (l = 1; l <= L; l++)
    {
        const double *W = P + m->woff[l], *b = P + m->boff[l];
        int n = m->w[l], k = m->w[l - 1];
        for (i = 0; i < c; i++)
            memcpy(Z[l] + (size_t) i * n, b, (size_t) n * sizeof(double));
        _fy_gemm(m->blas, 0, 1, (int) c, n, k, 1.0, A[l - 1], k, W, k, 1.0, Z[l], n);
        if (l < L && m->act->kind == FY_ACT_TANH)
            fy_train_tanh(A[l], Z[l], (size_t) c * n); /* the vectorised tanh (tanh_fast.c) */
        else if (l < L)
            _fy_act_forward(A[l], Z[l], (size_t) c * n, m->act);
    }
    /* loss and output gradient 2 w (F - y) */
    dz = ws->g1;
    for (i = 0; i < c; i++)
        for (o = 0; o < nout; o++)
        {
            double r = Z[L][(size_t) i * nout + o] - ys[(size_t) idx[i] * nout + o];
            double wi = wt ? wt[idx[i]] : 1.0;
            loss += wi * r * r;
            dz[(size_t) i * nout + o] = 2.0 * wi * r;
            if (pred)
                pred[(size_t) i * nout + o] = Z[L][(size_t) i * nout + o];
        }
    if (grad == NULL)
        return loss;
    da = ws->g2;
    for (l = L; l >= 1; l--)
    {
        int n = m->w[l], k = m->w[l - 1], a;
        double *gW = grad + m->woff[l], *gb = grad + m->boff[l], *t;
        /* gW = dZ^T A_{l-1}; gb = column sums of dZ */
        _fy_gemm(m->blas, 1, 0, n, k, (int) c, 1.0, dz, n, A[l - 1], k, 0.0, gW, k);
        for (a = 0; a < n; a++)
            gb[a] = 0.0;
        for (i = 0; i < c; i++)
            for (a = 0; a < n; a++)
                gb[a] += dz[(size_t) i * n + a];
        if (l > 1)
        {
            /* dA_{l-1} = dZ W_l, then times sigma'(Z_{l-1}) */
            _fy_gemm(m->blas, 0, 0, (int) c, k, n, 1.0, dz, n, P + m->woff[l], k, 0.0, da, k);
            _fy_act_backward(da, Z[l - 1], A[l - 1], (size_t) c * k, m->act);
            t = dz;
            dz = da;
            da = t;
        }
    }
    return loss;
}
