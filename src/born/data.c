/* Data sets of random shallow attractive step potentials and their exact scattering lengths,
 * for training networks on the Born-Taylor correspondence (MATH.md 2.3-2.4).  The distribution
 * is stated in the description stored with the data. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <jansson.h>

#include "born/born_internal.h"
#include "feynn/io.h"
#include "feynn/rng.h"
#include "feynn/util.h"

#define LAMBDA_RTOL 1e-6
#define MAX_TRIES 1000

void fy_born_data_init(fy_born_data_t data)
{
    memset(data, 0, sizeof *data);
}

void fy_born_data_clear(fy_born_data_t data)
{
    free(data->U);
    free(data->a0);
    free(data->description);
    memset(data, 0, sizeof *data);
}

static char *describe(slong d, double R, double margin, uint64_t seed)
{
    char *s = malloc(1024);
    if (s == NULL)
        return NULL;
    snprintf(s, 1024,
             "random shallow attractive step potentials: d = %ld equal steps on (0, R], "
             "R = %.17g; "
             "U_j = -s w_j with w_j ~ Uniform(0,1) i.i.d. and s = v lambda_1(w) / (1 + margin), "
             "v ~ Uniform(0,1), margin = %.17g, where lambda_1(w) is the smallest coupling at "
             "which -lambda w has a zero-energy bound state (lower end of a bisection bracket "
             "of relative width 1e-6); U rounded to double, and a sample whose rounded U has a "
             "bound state at coupling 1 + margin is redrawn, so lambda_1(U) >= 1 + margin for "
             "every sample; a0 = R - u(R)/u'(R) computed in ball arithmetic from the stored "
             "doubles (exact dyadic rationals) and rounded to the nearest double; units "
             "hbar = 2 mu = 1; generator Philox 4x32-10 (feynn rng, purpose %d, stream = sample, "
             "index = draw within the sample, 53-bit uniforms), seed %llu",
             (long) d, R, margin, (int) FY_RNG_PURPOSE_BORN_DATA, (unsigned long long) seed);
    return s;
}

int fy_born_data_generate(fy_born_data_t data, slong n, slong d, double R, double margin,
                          uint64_t seed, int progress, fy_error_t err)
{
    fy_born_potential_t w, pot;
    fy_born_a0_t res;
    fy_progress_t bar;
    fmpq_t Rq, lo, onem;
    fy_rng_t rng;
    slong i, j, tries;
    double *Urow, lod, s;
    int rc = FY_OK;

    fy_born_data_clear(data);
    if (n < 1 || n > 100000000)
        return fy_error_set(err, FY_EINPUT, "the number of samples must be in 1..10^8, not %ld",
                            (long) n);
    if (d < 1 || d > 100000)
        return fy_error_set(err, FY_EINPUT, "the number of steps must be in 1..100000, not %ld",
                            (long) d);
    if (!(R > 0) || !isfinite(R))
        return fy_error_set(err, FY_EINPUT, "the range R must be positive and finite");
    if (!(margin >= 0) || !isfinite(margin))
        return fy_error_set(err, FY_EINPUT, "the margin must be >= 0 and finite");
    data->U = fy_malloc((size_t) n, (size_t) d * sizeof(double), err);
    data->a0 = fy_malloc((size_t) n, sizeof(double), err);
    data->description = describe(d, R, margin, seed);
    if (data->U == NULL || data->a0 == NULL || data->description == NULL)
    {
        fy_born_data_clear(data);
        return fy_error_set(err, FY_ENOMEM, "out of memory for %ld samples of %ld steps",
                            (long) n, (long) d);
    }
    data->n = n;
    data->d = d;
    data->R = R;
    data->margin = margin;
    data->seed = seed;

    fmpq_init(Rq);
    fmpq_init(lo);
    fmpq_init(onem);
    fy_fmpq_set_d(Rq, R, NULL);
    fy_fmpq_set_d(onem, margin, NULL);
    fmpq_add_si(onem, onem, 1);
    fy_born_potential_init(w);
    fy_born_potential_init(pot);
    fy_born_a0_init(res);
    fy_born_potential_set_steps(w, d, Rq, NULL, NULL);
    fy_born_potential_set_steps(pot, d, Rq, NULL, NULL);
    fy_progress_init(bar, "born data", (double) n, progress);
    fy_rng_init(rng, seed, FY_RNG_PURPOSE_BORN_DATA);

    for (i = 0; i < n && rc == FY_OK; i++)
    {
        Urow = data->U + i * d;
        for (tries = 0; tries < MAX_TRIES; tries++)
        {
            slong k;
            int sh;
            /* try t of sample i draws the uniforms t (d + 1) + 0..d of stream i */
            uint64_t k0 = (uint64_t) tries * (uint64_t) (d + 1);
            for (j = 0; j < d; j++)
                fy_fmpq_set_d(w->U + j, -fy_rng_uniform(rng, (uint64_t) i, k0 + j), NULL);
            s = fy_rng_uniform(rng, (uint64_t) i, k0 + (uint64_t) d);
            if ((rc = fy_born_lambda1(NULL, lo, w, 1, LAMBDA_RTOL, err)) != FY_OK)
                break;
            lod = fy_fmpq_get_d(lo);
            s = s * lod / (1.0 + margin);
            for (j = 0; j < d; j++)
            {
                Urow[j] = s * fy_fmpq_get_d(w->U + j); /* <= 0 */
                fy_fmpq_set_d(pot->U + j, Urow[j], NULL);
            }
            /* exact check at coupling 1 + margin */
            if ((rc = fy_born_bound_states(&k, &sh, pot, onem, err)) != FY_OK)
                break;
            if (k == 0 && sh)
                break;
        }
        if (rc != FY_OK)
            break;
        if (tries == MAX_TRIES)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "sample %ld: no shallow potential in %d draws",
                              (long) i, MAX_TRIES);
            break;
        }
        if ((rc = fy_born_a0(res, pot, 17, err)) != FY_OK)
            break;
        if (!res->shallow)
        {
            rc = fy_error_set(err, FY_EINTERNAL, "sample %ld is not shallow", (long) i);
            break;
        }
        data->a0[i] = arf_get_d(arb_midref(&res->a0), ARF_RND_NEAR);
        fy_progress_update(bar, (double) (i + 1));
    }
    fy_progress_clear(bar);
    if (rc != FY_OK)
    {
        fy_error_prefix(err, "born data: ");
        fy_born_data_clear(data);
    }
    fy_born_a0_clear(res);
    fy_born_potential_clear(w);
    fy_born_potential_clear(pot);
    fmpq_clear(Rq);
    fmpq_clear(lo);
    fmpq_clear(onem);
    return rc;
}

/* metadata as (key, value) pairs; values malloc'd */
#define NMETA 9
static int meta_pairs(const char *keys[NMETA], char *vals[NMETA], const fy_born_data_t data)
{
    char buf[64];
    int i, ok = 1;
    keys[0] = "feynn.kind";
    vals[0] = strdup("born-data");
    keys[1] = "description";
    vals[1] = strdup(data->description ? data->description : "");
    snprintf(buf, sizeof buf, "%llu", (unsigned long long) data->seed);
    keys[2] = "seed";
    vals[2] = strdup(buf);
    snprintf(buf, sizeof buf, "%ld", (long) data->d);
    keys[3] = "d";
    vals[3] = strdup(buf);
    snprintf(buf, sizeof buf, "%.17g", data->R);
    keys[4] = "R";
    vals[4] = strdup(buf);
    snprintf(buf, sizeof buf, "%.17g", data->margin);
    keys[5] = "margin";
    vals[5] = strdup(buf);
    snprintf(buf, sizeof buf, "%ld", (long) data->n);
    keys[6] = "n";
    vals[6] = strdup(buf);
    keys[7] = "convention";
    vals[7] = strdup(FY_BORN_CONVENTION);
    keys[8] = "columns";
    vals[8] = strdup("U: (n, d) step heights U_1..U_d on equal steps of (0, R]; a0: (n) "
                     "scattering length");
    for (i = 0; i < NMETA; i++)
        ok &= vals[i] != NULL;
    return ok;
}

static void meta_free(char *vals[NMETA])
{
    int i;
    for (i = 0; i < NMETA; i++)
        free(vals[i]);
}

int fy_born_data_write_safetensors(const char *path, const fy_born_data_t data,
                                   fy_error_t err)
{
    fy_safetensors_t st;
    const char *keys[NMETA];
    char *vals[NMETA];
    size_t shape[2];
    int i, rc = FY_OK;
    if (data->n < 1 || data->U == NULL)
        return fy_error_set(err, FY_EINPUT, "no data to write");
    if (!meta_pairs(keys, vals, data))
    {
        meta_free(vals);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    fy_safetensors_init(st);
    shape[0] = (size_t) data->n;
    shape[1] = (size_t) data->d;
    rc = fy_safetensors_add(st, "U", FY_DTYPE_F64, 2, shape, data->U, err);
    if (rc == FY_OK)
        rc = fy_safetensors_add(st, "a0", FY_DTYPE_F64, 1, shape, data->a0, err);
    for (i = 0; i < NMETA && rc == FY_OK; i++)
        rc = fy_safetensors_set_meta(st, keys[i], vals[i], err);
    if (rc == FY_OK)
        rc = fy_safetensors_write(path, st, err);
    fy_safetensors_clear(st);
    meta_free(vals);
    return rc;
}

/* ------------------------------------------------------------------ reading */

/* A metadata lookup: the value of key as a string, or NULL when absent. */
typedef const char *(*meta_get_fn)(void *ctx, const char *key);

static const char *meta_st(void *ctx, const char *key)
{
    return fy_safetensors_meta((fy_safetensors_struct *) ctx, key);
}

/* data->n, data->d and arrays of that size, the rest cleared. */
static int data_alloc(fy_born_data_t data, slong n, slong d, const char *path, fy_error_t err)
{
    fy_born_data_clear(data);
    if (n < 1 || n > 100000000 || d < 1 || d > 100000)
        return fy_error_set(err, FY_EINPUT, "%s: %ld samples of %ld steps; a data set has "
                            "1..10^8 samples of 1..100000 steps", path, (long) n, (long) d);
    data->U = malloc(sizeof(double) * (size_t) n * (size_t) d);
    data->a0 = malloc(sizeof(double) * (size_t) n);
    if (data->U == NULL || data->a0 == NULL)
    {
        fy_born_data_clear(data);
        return fy_error_set(err, FY_ENOMEM, "out of memory reading %s (%ld samples of %ld "
                            "steps)", path, (long) n, (long) d);
    }
    data->n = n;
    data->d = d;
    data->R = 1.0;
    data->margin = NAN;
    return FY_OK;
}

/* Every value finite (the text reader checks its own, with the place). */
static int check_finite(const fy_born_data_t data, const char *path, fy_error_t err)
{
    slong i, j;
    for (i = 0; i < data->n; i++)
    {
        for (j = 0; j < data->d; j++)
            if (!isfinite(data->U[i * data->d + j]))
                return fy_error_set(err, FY_EINPUT, "%s: U[%ld, %ld] is %g; a data set holds "
                                    "finite step heights", path, (long) i, (long) j,
                                    data->U[i * data->d + j]);
        if (!isfinite(data->a0[i]))
            return fy_error_set(err, FY_EINPUT, "%s: a0[%ld] is %g; a data set holds finite "
                                "scattering lengths", path, (long) i, data->a0[i]);
    }
    return FY_OK;
}

/* Reads a whole metadata number; 0 when s is not one. */
static int meta_number(double *x, const char *s)
{
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    while (*end == ' ')
        end++;
    return end != s && *end == '\0' && errno == 0;
}

/* The metadata the writers store (all optional), checked against the arrays. */
static int apply_meta(fy_born_data_t data, meta_get_fn get, void *ctx, const char *path,
                      fy_error_t err)
{
    static const char *const counts[2] = {"n", "d"};
    const char *r;
    double x;
    int k;
    for (k = 0; k < 2; k++)
    {
        slong have = k == 0 ? data->n : data->d;
        if ((r = get(ctx, counts[k])) != NULL && (!meta_number(&x, r) || x != (double) have))
            return fy_error_set(err, FY_EINPUT, "%s: the metadata give %s = '%s' but the arrays "
                                "hold %ld %s (files of different data sets mixed?); write the "
                                "data set again (fy_born_data_write)", path, counts[k], r,
                                (long) have, k == 0 ? "samples" : "steps");
    }
    if ((r = get(ctx, "R")) != NULL)
    {
        if (!meta_number(&data->R, r) || !(data->R > 0) || !isfinite(data->R))
            return fy_error_set(err, FY_EINPUT, "%s: the metadata give the range R = '%s'; "
                                "expected a positive number", path, r);
    }
    if ((r = get(ctx, "margin")) != NULL && !meta_number(&data->margin, r))
        return fy_error_set(err, FY_EINPUT, "%s: the metadata give margin = '%s'; expected a "
                            "number", path, r);
    if ((r = get(ctx, "seed")) != NULL)
        data->seed = strtoull(r, NULL, 10);
    if ((r = get(ctx, "description")) != NULL && (data->description = strdup(r)) == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory reading %s", path);
    return FY_OK;
}

int fy_born_data_read_safetensors(fy_born_data_t data, const char *path, fy_error_t err)
{
    fy_safetensors_t st;
    const fy_tensor_struct *tu = NULL, *ta = NULL;
    int status;
    fy_born_data_clear(data);
    fy_safetensors_init(st);
    status = fy_safetensors_read(st, path, err);
    if (status == FY_OK)
    {
        tu = fy_safetensors_find(st, "U");
        ta = fy_safetensors_find(st, "a0");
        if (tu == NULL || ta == NULL || tu->ndim != 2 || ta->ndim != 1 || tu->data == NULL ||
            ta->data == NULL || tu->shape[0] != ta->shape[0] || tu->shape[0] < 1 ||
            tu->shape[1] < 1 || tu->shape[1] > 100000)
            status = fy_error_set(err, FY_EINPUT, "%s: expected tensors U (N x d) and a0 (N) "
                                  "as fy_born_data_write_safetensors writes them", path);
    }
    if (status == FY_OK)
        status = data_alloc(data, (slong) tu->shape[0], (slong) tu->shape[1], path, err);
    if (status == FY_OK)
    {
        memcpy(data->U, tu->data, sizeof(double) * tu->numel);
        memcpy(data->a0, ta->data, sizeof(double) * ta->numel);
        status = check_finite(data, path, err);
    }
    if (status == FY_OK)
        status = apply_meta(data, meta_st, st, path, err);
    fy_safetensors_clear(st);
    if (status != FY_OK)
        fy_born_data_clear(data);
    return status;
}

/* metadata.json of an npy folder: string values (as written), numbers accepted too */
typedef struct
{
    json_t *root;
    char buf[64];
} meta_json_t;

static const char *meta_js(void *ctx, const char *key)
{
    meta_json_t *m = ctx;
    json_t *v = m->root ? json_object_get(m->root, key) : NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_number(v))
    {
        snprintf(m->buf, sizeof m->buf, "%.17g", json_number_value(v));
        return m->buf;
    }
    return NULL;
}

static char *join_path(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p != NULL)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* One array of the folder: FY_EINPUT naming the folder when it is missing. */
static int read_member(fy_npy_t a, const char *dir, const char *name, fy_error_t err)
{
    char *p = join_path(dir, name);
    struct stat sb;
    int rc;
    if (p == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    if (stat(p, &sb) != 0)
        rc = fy_error_set(err, FY_EINPUT, "%s: no %s; a data set in npy format is a folder "
                          "with U.npy, a0.npy and metadata.json, as fy_born_data_write_npy "
                          "writes it", dir, name);
    else
        rc = fy_npy_read(a, p, err);
    free(p);
    return rc;
}

/* metadata.json when present (m->root NULL when absent). */
static int read_meta_json(meta_json_t *m, const char *dir, fy_error_t err)
{
    char *p = join_path(dir, "metadata.json");
    json_error_t je;
    struct stat sb;
    int rc = FY_OK;
    m->root = NULL;
    if (p == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    if (stat(p, &sb) == 0)
    {
        m->root = json_load_file(p, 0, &je);
        if (m->root == NULL)
            rc = fy_error_set(err, FY_EINPUT, "%s:%d:%d: %s", p, je.line, je.column, je.text);
        else if (!json_is_object(m->root))
            rc = fy_error_set(err, FY_EINPUT, "%s: expected a JSON object of metadata", p);
    }
    free(p);
    return rc;
}

/* "(3, 4)" */
static void shape_str(char *buf, size_t size, const fy_npy_t a)
{
    size_t used;
    int k;
    snprintf(buf, size, "(");
    for (k = 0; k < a->ndim; k++)
    {
        used = strlen(buf);
        snprintf(buf + used, size - used, "%s%zu", k ? ", " : "", a->shape[k]);
    }
    used = strlen(buf);
    snprintf(buf + used, size - used, a->ndim == 1 ? ",)" : ")");
}

int fy_born_data_read_npy(fy_born_data_t data, const char *dir, fy_error_t err)
{
    fy_npy_t u, a;
    meta_json_t m;
    int rc;
    fy_born_data_clear(data);
    fy_npy_init(u);
    fy_npy_init(a);
    m.root = NULL;
    rc = read_member(u, dir, "U.npy", err);
    if (rc == FY_OK)
        rc = read_member(a, dir, "a0.npy", err);
    if (rc == FY_OK && (u->ndim != 2 || a->ndim != 1 || u->shape[0] != a->shape[0]))
    {
        char su[96], sa[96];
        shape_str(su, sizeof su, u);
        shape_str(sa, sizeof sa, a);
        rc = fy_error_set(err, FY_EINPUT, "%s: U.npy has shape %s and a0.npy %s; expected U "
                          "(N, d) and a0 (N), as fy_born_data_write_npy writes them", dir, su,
                          sa);
    }
    if (rc == FY_OK)
        rc = data_alloc(data, (slong) u->shape[0], (slong) u->shape[1], dir, err);
    if (rc == FY_OK)
    {
        memcpy(data->U, u->data, sizeof(double) * u->numel);
        memcpy(data->a0, a->data, sizeof(double) * a->numel);
        rc = check_finite(data, dir, err);
    }
    if (rc == FY_OK)
        rc = read_meta_json(&m, dir, err);
    if (rc == FY_OK && m.root != NULL)
        rc = apply_meta(data, meta_js, &m, dir, err);
    json_decref(m.root);
    fy_npy_clear(u);
    fy_npy_clear(a);
    if (rc != FY_OK)
        fy_born_data_clear(data);
    return rc;
}

static int write_npy(const char *dir, const char *name, int ndim, const size_t *shape,
                     const double *v, fy_error_t err)
{
    fy_npy_t a;
    char *path;
    size_t len = strlen(dir) + strlen(name) + 2;
    int rc;
    path = fy_malloc(len, 1, err);
    if (path == NULL)
        return FY_ENOMEM;
    snprintf(path, len, "%s/%s", dir, name);
    fy_npy_init(a);
    rc = fy_npy_set_shape(a, ndim, shape, err);
    if (rc == FY_OK)
    {
        memcpy(a->data, v, a->numel * sizeof(double));
        rc = fy_npy_write(path, a, err);
    }
    fy_npy_clear(a);
    free(path);
    return rc;
}

/* The three files of the npy format into the existing folder dir. */
static int write_npy_files(const char *dir, const fy_born_data_t data, fy_error_t err)
{
    const char *keys[NMETA];
    char *vals[NMETA], *js = NULL, *path = NULL;
    size_t shape[2], len;
    json_t *root;
    int i, rc;
    shape[0] = (size_t) data->n;
    shape[1] = (size_t) data->d;
    if ((rc = write_npy(dir, "U.npy", 2, shape, data->U, err)) != FY_OK ||
        (rc = write_npy(dir, "a0.npy", 1, shape, data->a0, err)) != FY_OK)
        return rc;
    if (!meta_pairs(keys, vals, data))
    {
        meta_free(vals);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    root = json_object();
    for (i = 0; i < NMETA && root; i++)
        json_object_set_new(root, keys[i], json_string(vals[i]));
    meta_free(vals);
    if (root)
        js = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    len = strlen(dir) + 16;
    path = js ? fy_malloc(len, 1, err) : NULL;
    if (js == NULL || path == NULL)
    {
        free(js);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    snprintf(path, len, "%s/metadata.json", dir);
    len = strlen(js);
    js[len] = '\n'; /* json_dumps leaves no newline; the NUL is replaced, length kept */
    rc = fy_file_write_atomic(path, js, len + 1, err);
    free(js);
    free(path);
    return rc;
}

int fy_born_data_write_npy(const char *dir, const fy_born_data_t data, int force,
                           fy_error_t err)
{
    fy_outdir_t od;
    int rc;
    if (data->n < 1 || data->U == NULL)
        return fy_error_set(err, FY_EINPUT, "no data to write");
    /* the folder as a whole (util/outdir.c): never a mix of this run's arrays and another's */
    fy_outdir_init(od);
    rc = fy_outdir_open(od, dir, force, err);
    if (rc == FY_OK)
        rc = write_npy_files(fy_outdir_tmp(od), data, err);
    if (rc == FY_OK)
        rc = fy_outdir_commit(od, NULL, 0, err);
    else
        fy_outdir_abort(od);
    fy_outdir_clear(od);
    return rc;
}

/* ------------------------------------------------------------------ the text format */

int fy_born_data_write_text(const char *path, const fy_born_data_t data, fy_error_t err)
{
    const char *keys[NMETA];
    char *vals[NMETA], *c;
    fy_ofile_t of;
    slong i, j;
    int k, rc;
    if (data->n < 1 || data->U == NULL)
        return fy_error_set(err, FY_EINPUT, "no data to write");
    if (!meta_pairs(keys, vals, data))
    {
        meta_free(vals);
        return fy_error_set(err, FY_ENOMEM, "out of memory");
    }
    if ((rc = fy_ofile_open(of, path, err)) != FY_OK)
    {
        meta_free(vals);
        return rc;
    }
    fprintf(of->fp, "# feynn born-data 1\n");
    for (k = 1; k < NMETA; k++)
    {
        for (c = vals[k]; *c; c++) /* one line each */
            if (*c == '\n' || *c == '\r')
                *c = ' ';
        if (strcmp(keys[k], "columns") == 0)
            fprintf(of->fp, "# columns: U_1 .. U_%ld a0 (one potential per row: the heights "
                    "of the equal steps of (0, R], then its scattering length)\n",
                    (long) data->d);
        else
            fprintf(of->fp, "# %s: %s\n", keys[k], vals[k]);
    }
    meta_free(vals);
    for (i = 0; i < data->n; i++)
    {
        for (j = 0; j < data->d; j++)
            fprintf(of->fp, "%.17g ", data->U[i * data->d + j]);
        fprintf(of->fp, "%.17g\n", data->a0[i]);
    }
    return fy_ofile_commit(of, err);
}

/* The header line "# key: value" as key and value in place (NULL when not of that form). */
static char *header_value(char *line, char **key)
{
    char *p = line + 1, *colon;
    while (*p == ' ')
        p++;
    colon = strstr(p, ": ");
    if (colon == NULL || colon == p || strchr(p, ' ') < colon)
        return NULL;
    *colon = '\0';
    *key = p;
    return colon + 2;
}

typedef struct
{
    int n;
    char *key[NMETA + 8];
    char *val[NMETA + 8];
} meta_text_t;

static const char *meta_tx(void *ctx, const char *key)
{
    meta_text_t *m = ctx;
    int k;
    for (k = 0; k < m->n; k++)
        if (strcmp(m->key[k], key) == 0)
            return m->val[k];
    return NULL;
}

/* One row of numbers: *ncols on the first row, else exactly *ncols of them. */
static int text_row(double *row, slong *ncols, const char *line, const char *path, long lineno,
                    slong cap, fy_error_t err)
{
    const char *p = line;
    slong k = 0;
    while (1)
    {
        char *end;
        double x;
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        x = strtod(p, &end);
        if (end == p || (*end && *end != ' ' && *end != '\t' && *end != '\r') || !isfinite(x))
        {
            size_t len = strcspn(p, " \t\r");
            return fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected a finite number, found "
                                "'%.*s'", path, lineno, (long) (p - line) + 1,
                                (int) (len > 40 ? 40 : len), p);
        }
        if (k == cap)
            return fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected %ld numbers per row (the "
                                "%ld step heights and a0), found more", path, lineno,
                                (long) (p - line) + 1, (long) cap, (long) cap - 1);
        row[k++] = x;
        p = end;
    }
    if (*ncols > 0 && k != *ncols)
        return fy_error_set(err, FY_EINPUT, "%s:%ld:%ld: expected %ld numbers per row (the %ld "
                            "step heights and a0), found %ld", path, lineno,
                            (long) (p - line) + 1, (long) *ncols, (long) *ncols - 1, (long) k);
    if (k < 2)
        return fy_error_set(err, FY_EINPUT, "%s:%ld:1: expected a row U_1 .. U_d a0 of at least "
                            "two numbers, found %ld", path, lineno, (long) k);
    *ncols = k;
    return FY_OK;
}

/* The rows of text (modified in place); the metadata lines collected in m. */
static int text_parse(fy_born_data_t data, meta_text_t *m, char *text, const char *path,
                      fy_error_t err)
{
    slong nmax = 1, ncols = 0, cap, n = 0;
    double *row = NULL;
    long lineno = 0;
    char *line = text, *next, *c;
    int rc = FY_OK;
    for (c = text; *c; c++)
        nmax += *c == '\n';
    cap = 100001;
    row = malloc(sizeof(double) * (size_t) cap);
    if (row == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory reading %s", path);
    for (; line != NULL && rc == FY_OK; line = next)
    {
        char *key, *val;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        if (line[0] == '#')
        {
            if (n == 0 && m->n < NMETA + 8 && (val = header_value(line, &key)) != NULL)
            {
                m->key[m->n] = key;
                m->val[m->n++] = val;
            }
            continue;
        }
        if (line[strspn(line, " \t\r")] == '\0')
            continue;
        rc = text_row(row, &ncols, line, path, lineno, cap, err);
        if (rc == FY_OK && n == 0)
            rc = data_alloc(data, nmax, ncols - 1, path, err);
        if (rc == FY_OK)
        {
            memcpy(data->U + n * (ncols - 1), row, sizeof(double) * (size_t) (ncols - 1));
            data->a0[n++] = row[ncols - 1];
        }
    }
    free(row);
    if (rc == FY_OK && n == 0)
        rc = fy_error_set(err, FY_EINPUT, "%s: no samples (expected rows U_1 .. U_d a0 after "
                          "the '#' lines, as fy_born_data_write_text writes)", path);
    if (rc == FY_OK)
        data->n = n;
    return rc;
}

int fy_born_data_read_text(fy_born_data_t data, const char *path, fy_error_t err)
{
    meta_text_t m;
    char *text = NULL;
    size_t len;
    int rc;
    fy_born_data_clear(data);
    m.n = 0;
    rc = fy_file_read_text(&text, &len, path, FY_IO_MAX_TEXT_BYTES, err);
    if (rc == FY_OK)
        rc = text_parse(data, &m, text, path, err);
    if (rc == FY_OK)
        rc = apply_meta(data, meta_tx, &m, path, err);
    free(text);
    if (rc != FY_OK)
        fy_born_data_clear(data);
    return rc;
}

/* ------------------------------------------------------------------ any format */

const char *fy_born_data_format_name(int format)
{
    switch (format)
    {
    case FY_BORN_DATA_SAFETENSORS:
        return "safetensors";
    case FY_BORN_DATA_NPY:
        return "npy";
    case FY_BORN_DATA_TEXT:
        return "text";
    default:
        return NULL;
    }
}

int fy_born_data_detect(int *format, const char *path, fy_error_t err)
{
    unsigned char b[16];
    struct stat sb;
    uint64_t hlen = 0;
    size_t got;
    FILE *fp;
    int k;
    if (stat(path, &sb) != 0)
        return fy_error_set(err, FY_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(sb.st_mode))
    {
        *format = FY_BORN_DATA_NPY;
        return FY_OK;
    }
    if ((fp = fopen(path, "rb")) == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot open: %s", path, strerror(errno));
    got = fread(b, 1, sizeof b, fp);
    fclose(fp);
    if (got >= 6 && memcmp(b, "\x93NUMPY", 6) == 0)
        return fy_error_set(err, FY_EINPUT, "%s: a single .npy array; a data set in npy format "
                            "is the folder holding U.npy, a0.npy and metadata.json: give the "
                            "folder", path);
    for (k = 7; k >= 0 && got >= 9; k--)
        hlen = (hlen << 8) | b[k];
    *format = got >= 9 && b[8] == '{' && hlen >= 2 && hlen <= (uint64_t) sb.st_size - 8
                  ? FY_BORN_DATA_SAFETENSORS
                  : FY_BORN_DATA_TEXT;
    for (k = 0; *format == FY_BORN_DATA_TEXT && k < (int) got; k++)
        if (b[k] < 0x20 && b[k] != '\n' && b[k] != '\r' && b[k] != '\t')
            return fy_error_set(err, FY_EINPUT, "%s: not a data set (fy_born_data_write): "
                                "binary, but not safetensors (a truncated file?), and not text",
                                path);
    return FY_OK;
}

int fy_born_data_write(const char *path, const fy_born_data_t data, int format,
                       fy_error_t err)
{
    switch (format)
    {
    case FY_BORN_DATA_SAFETENSORS:
        return fy_born_data_write_safetensors(path, data, err);
    case FY_BORN_DATA_NPY:
        return fy_born_data_write_npy(path, data, 0, err);
    case FY_BORN_DATA_TEXT:
        return fy_born_data_write_text(path, data, err);
    default:
        return fy_error_set(err, FY_EUSAGE, "unknown data format %d", format);
    }
}

int fy_born_data_read(fy_born_data_t data, const char *path, fy_error_t err)
{
    int format, rc;
    fy_born_data_clear(data);
    if ((rc = fy_born_data_detect(&format, path, err)) != FY_OK)
        return rc;
    if (format == FY_BORN_DATA_NPY)
        return fy_born_data_read_npy(data, path, err);
    if (format == FY_BORN_DATA_SAFETENSORS)
        return fy_born_data_read_safetensors(data, path, err);
    return fy_born_data_read_text(data, path, err);
}
