/* Data sets of random shallow attractive step potentials and their exact scattering lengths,
 * for training networks on the Born-Taylor correspondence (MATH.md 2.3-2.4).  The distribution
 * is stated in the description stored with the data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "born/born_internal.h"
#include "feynn/io.h"
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

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* uniform on (0, 1]: (top 53 bits + 1) / 2^53 */
static double uniform01(uint64_t *state)
{
    return (double) ((splitmix64(state) >> 11) + 1) * 0x1.0p-53;
}

static char *describe(slong d, double R, double margin, uint64_t seed)
{
    char *s = malloc(1024);
    if (s == NULL)
        return NULL;
    snprintf(s, 1024,
             "random shallow attractive step potentials: d = %ld equal steps on (0, R], R = %.17g; "
             "U_j = -s w_j with w_j ~ Uniform(0,1] i.i.d. and s = v lambda_1(w) / (1 + margin), "
             "v ~ Uniform(0,1], margin = %.17g, where lambda_1(w) is the smallest coupling at "
             "which -lambda w has a zero-energy bound state (lower end of a bisection bracket "
             "of relative width 1e-6); U rounded to double, and a sample whose rounded U has a "
             "bound state at coupling 1 + margin is redrawn, so lambda_1(U) >= 1 + margin for "
             "every sample; a0 = R - u(R)/u'(R) computed in ball arithmetic from the stored "
             "doubles (exact dyadic rationals) and rounded to the nearest double; units "
             "hbar = 2 mu = 1; generator splitmix64, seed %llu",
             (long) d, R, margin, (unsigned long long) seed);
    return s;
}

int fy_born_data_generate(fy_born_data_t data, slong n, slong d, double R, double margin,
                          uint64_t seed, int progress, fy_error_t err)
{
    fy_born_potential_t w, pot;
    fy_born_a0_t res;
    fy_progress_t bar;
    fmpq_t Rq, lo, onem;
    uint64_t state = seed;
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

    for (i = 0; i < n && rc == FY_OK; i++)
    {
        Urow = data->U + i * d;
        for (tries = 0; tries < MAX_TRIES; tries++)
        {
            slong k;
            int sh;
            for (j = 0; j < d; j++)
                fy_fmpq_set_d(w->U + j, -uniform01(&state), NULL);
            s = uniform01(&state);
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

int fy_born_data_read_safetensors(fy_born_data_t data, const char *path, fy_error_t err)
{
    fy_safetensors_t st;
    const fy_tensor_struct *tu, *ta;
    const char *r;
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
                                  "as written by 'feynn born data'", path);
    }
    if (status == FY_OK)
    {
        data->n = (slong) tu->shape[0];
        data->d = (slong) tu->shape[1];
        data->U = malloc(sizeof(double) * tu->numel);
        data->a0 = malloc(sizeof(double) * ta->numel);
        if (data->U == NULL || data->a0 == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory reading %s", path);
    }
    if (status == FY_OK)
    {
        memcpy(data->U, tu->data, sizeof(double) * tu->numel);
        memcpy(data->a0, ta->data, sizeof(double) * ta->numel);
        r = fy_safetensors_meta(st, "R");
        data->R = r ? strtod(r, NULL) : 1.0;
        if (!(data->R > 0) || !isfinite(data->R))
            data->R = 1.0;
        r = fy_safetensors_meta(st, "margin");
        data->margin = r ? strtod(r, NULL) : NAN;
        r = fy_safetensors_meta(st, "seed");
        data->seed = r ? strtoull(r, NULL, 10) : 0;
        r = fy_safetensors_meta(st, "description");
        if (r != NULL && (data->description = strdup(r)) == NULL)
            status = fy_error_set(err, FY_ENOMEM, "out of memory reading %s", path);
    }
    fy_safetensors_clear(st);
    if (status != FY_OK)
        fy_born_data_clear(data);
    return status;
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

int fy_born_data_write_npy(const char *dir, const fy_born_data_t data, fy_error_t err)
{
    const char *keys[NMETA];
    char *vals[NMETA], *js = NULL, *path = NULL;
    size_t shape[2], len;
    json_t *root;
    int i, rc;
    if (data->n < 1 || data->U == NULL)
        return fy_error_set(err, FY_EINPUT, "no data to write");
    if ((rc = fy_mkdir_p(dir, err)) != FY_OK)
        return rc;
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
