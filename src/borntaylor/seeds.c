/* seeds.c - the Born demo over a list of seeds, the seeds spread over MPI ranks as the jobs of
 * fy_par_scan, and the summary (text, and JSON: doc/schema/demo-seeds.schema.json); see
 * borntaylor.h (seeds, issue 15). */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "feynn/borntaylor.h"
#include "feynn/par.h"
#include "feynn/util.h"
#include "io/json_num.h"

#define SEEDS_MAX 1024

void fy_borntaylor_seeds_init(fy_borntaylor_seeds_t S)
{
    memset(S, 0, sizeof *S);
}

void fy_borntaylor_seeds_clear(fy_borntaylor_seeds_t S)
{
    free(S->row);
    fy_borntaylor_seeds_init(S);
}

typedef struct
{
    const fy_borntaylor_demo_opts_struct *o;
    const uint64_t *seeds;
    const char *dir;
    const fy_rules_struct *rules;
} seeds_ctx_t;

/* The folder of one seed: dir/seed-S kept, or a temporary one in od removed by the caller. */
static int seed_folder(char **path, fy_outdir_t od, const char *dir, uint64_t seed,
                       fy_error_t err)
{
    char buf[4096];
    const char *tmp = getenv("TMPDIR");
    int w;
    *path = NULL;
    if (dir != NULL)
        w = snprintf(buf, sizeof buf, "%s/seed-%llu", dir, (unsigned long long) seed);
    else
        w = snprintf(buf, sizeof buf, "%s/feynn-demo-seed-%llu",
                     tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", (unsigned long long) seed);
    if (w < 0 || (size_t) w >= sizeof buf - 16)
        return fy_error_set(err, FY_EUSAGE, "demo seeds: the folder name of seed %llu is too "
                            "long; choose a shorter output folder (or TMPDIR)",
                            (unsigned long long) seed);
    if (dir == NULL)
    {
        int rc;
        if ((rc = fy_outdir_open(od, buf, 1, err)) != FY_OK)
            return rc;
        snprintf(buf, sizeof buf, "%s", fy_outdir_tmp(od));
    }
    *path = fy_malloc(strlen(buf) + 1, 1, err);
    if (*path == NULL)
        return FY_ENOMEM;
    strcpy(*path, buf);
    return FY_OK;
}

/* ---- resume (issue 15): a seed's result is its row and, when the folders are kept, the
 * files of its folder, so that a seed read back from a store gives DIR/seed-S too:
 *   row | u64 nfiles | nfiles x (u64 name_len | name | u64 size | bytes), names sorted. */
#define FILE_MAX ((size_t) 1 << 31)

static int put_bytes(fy_strbuf_t b, const void *p, size_t n)
{
    return fy_strbuf_putn(b, p, n);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The regular files of the folder path, sorted (malloc'ed array of malloc'ed names). */
static int list_files(char ***names, size_t *n, const char *path, fy_error_t err)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    if (d == NULL)
        return fy_error_set(err, FY_EIO, "%s: cannot list the seed's folder", path);
    while ((e = readdir(d)) != NULL)
    {
        char full[4352];
        struct stat sb;
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (*n == cap)
        {
            char **m = realloc(*names, (cap = 2 * cap + 16) * sizeof(char *));
            if (m == NULL)
                break;
            *names = m;
        }
        if (((*names)[*n] = malloc(strlen(e->d_name) + 1)) == NULL)
            break;
        strcpy((*names)[(*n)++], e->d_name);
    }
    closedir(d);
    if (e != NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory listing %s", path);
    if (*n > 1)
        qsort(*names, *n, sizeof(char *), cmp_names);
    return FY_OK;
}

/* The result of a seed: the row, then (folder not NULL) the folder's files. */
static int pack_seed(void **out, size_t *len, const fy_borntaylor_seed_row_struct *r,
                     const char *folder, fy_error_t err)
{
    fy_strbuf_t b;
    char **names = NULL;
    size_t n = 0, i;
    uint64_t u;
    int rc = FY_OK;
    fy_strbuf_init(b);
    put_bytes(b, r, sizeof *r);
    if (folder != NULL)
        rc = list_files(&names, &n, folder, err);
    u = n;
    put_bytes(b, &u, 8);
    for (i = 0; i < n && rc == FY_OK; i++)
    {
        char full[4352], *data = NULL;
        size_t size = 0;
        snprintf(full, sizeof full, "%s/%s", folder, names[i]);
        if ((rc = fy_file_read(&data, &size, full, FILE_MAX, err)) != FY_OK)
            break;
        u = strlen(names[i]);
        put_bytes(b, &u, 8);
        put_bytes(b, names[i], (size_t) u);
        u = size;
        put_bytes(b, &u, 8);
        put_bytes(b, data, size);
        free(data);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    *len = b->n;
    if (rc == FY_OK)
        rc = fy_strbuf_take((char **) out, b, err);
    else
        fy_strbuf_clear(b);
    return rc;
}

/* Reads a seed's result back: the row, and (dir not NULL and dir/seed-S absent: a seed read
 * back from a store) its files into dir/seed-S. */
static int unpack_seed(fy_borntaylor_seed_row_struct *r, const unsigned char *p, size_t len,
                       const char *dir, fy_error_t err)
{
    char folder[4096];
    struct stat sb;
    uint64_t nf, k, a, z;
    size_t at = sizeof *r + 8;
    int rc = FY_OK;
    if (len < at)
        return fy_error_set(err, FY_EINTERNAL, "demo seeds: a seed's result of %zu bytes",
                            len);
    memcpy(r, p, sizeof *r);
    memcpy(&nf, p + sizeof *r, 8);
    snprintf(folder, sizeof folder, "%s/seed-%llu", dir ? dir : ".",
             (unsigned long long) r->seed);
    if (dir == NULL || stat(folder, &sb) == 0)
        return FY_OK;
    if ((rc = fy_mkdir_p(folder, err)) != FY_OK)
        return rc;
    for (k = 0; k < nf && rc == FY_OK; k++)
    {
        char name[256], full[4352];
        if (len - at < 8)
            break;
        memcpy(&a, p + at, 8);
        if (a == 0 || a >= sizeof name || len - at - 8 < a + 8)
            break;
        memcpy(name, p + at + 8, (size_t) a);
        name[a] = '\0';
        memcpy(&z, p + at + 8 + a, 8);
        at += 16 + (size_t) a;
        if (z > len - at || strchr(name, '/') != NULL || name[0] == '.')
            break;
        snprintf(full, sizeof full, "%s/%s", folder, name);
        rc = fy_file_write_atomic(full, p + at, (size_t) z, err);
        at += (size_t) z;
    }
    if (rc == FY_OK && (k < nf || at != len))
        rc = fy_error_set(err, FY_EINTERNAL, "demo seeds: the stored folder of seed %llu is "
                          "malformed", (unsigned long long) r->seed);
    return rc;
}

/* Job j: the demo with seed seeds[j]; the result is its row (and its folder's files). */
static int seed_job(void **out, size_t *len, uint64_t job, void *ctx, fy_error_t err)
{
    const seeds_ctx_t *x = ctx;
    fy_borntaylor_demo_opts_t o;
    fy_borntaylor_demo_t demo;
    fy_borntaylor_seed_row_struct *r;
    fy_outdir_t od;
    char *path = NULL;
    int rc;
    *out = NULL;
    *len = 0;
    r = fy_malloc(1, sizeof *r, err);
    if (r == NULL)
        return FY_ENOMEM;
    memset(r, 0, sizeof *r);
    fy_outdir_init(od);
    fy_borntaylor_demo_init(demo);
    *o = *x->o;
    o->seed = x->seeds[job];
    o->log = NULL; /* one line per seed instead */
    rc = seed_folder(&path, od, x->dir, o->seed, err);
    if (rc == FY_OK)
    {
        o->dir = path;
        rc = fy_borntaylor_demo_run(demo, o, x->rules, err);
    }
    if (rc == FY_OK)
    {
        r->seed = o->seed;
        r->first = demo->bv1->ord[0].rel_frobenius;
        r->second = demo->bv2->ord[1].rel_heldout;
        r->f1_own = demo->f1_rel_a0_own;
        r->f1_phys = demo->f1_rel_a0;
        r->first_met = demo->first_met;
        r->second_met = demo->second_met;
        if (x->o->log != NULL)
        {
            fprintf(x->o->log, "demo seed %llu: first order %.4f, second order %.4f (%s)\n",
                    (unsigned long long) r->seed, r->first, r->second,
                    r->first_met && r->second_met ? "targets met" : "TARGETS NOT MET");
            fflush(x->o->log);
        }
        rc = pack_seed(out, len, r, x->dir != NULL ? path : NULL, err);
    }
    else
        fy_error_prefix(err, "seed %llu: ", (unsigned long long) x->seeds[job]);
    free(r);
    fy_borntaylor_demo_clear(demo);
    fy_outdir_clear(od); /* removes a temporary folder */
    free(path);
    return rc;
}

/* Mean, spread (n - 1 denominator) and largest of v[i * stride], i < n, as the rows give them. */
static void moments(double *mean, double *sd, double *mx, const fy_borntaylor_seed_row_struct *r,
                    long n, int second)
{
    double s = 0, q = 0, m = -INFINITY;
    long i;
    for (i = 0; i < n; i++)
    {
        double v = second ? r[i].second : r[i].first;
        s += v;
        m = v > m ? v : m;
    }
    *mean = s / (double) n;
    for (i = 0; i < n; i++)
    {
        double v = (second ? r[i].second : r[i].first) - *mean;
        q += v * v;
    }
    *sd = n > 1 ? sqrt(q / (double) (n - 1)) : 0.0;
    *mx = m;
}

static void summarise(fy_borntaylor_seeds_t S)
{
    long i;
    moments(&S->mean_first, &S->sd_first, &S->max_first, S->row, S->n, 0);
    moments(&S->mean_second, &S->sd_second, &S->max_second, S->row, S->n, 1);
    for (i = 0; i < S->n; i++)
    {
        S->n_first_met += S->row[i].first_met != 0;
        S->n_second_met += S->row[i].second_met != 0;
        S->n_met += S->row[i].first_met && S->row[i].second_met;
    }
}

static int check_seeds(const uint64_t *seeds, long nseeds, fy_error_t err)
{
    long i, k;
    if (seeds == NULL || nseeds < 1 || nseeds > SEEDS_MAX)
        return fy_error_set(err, FY_EUSAGE, "demo seeds: 1..%d seeds are needed, not %ld",
                            SEEDS_MAX, nseeds);
    for (i = 0; i < nseeds; i++)
        for (k = 0; k < i; k++)
            if (seeds[i] == seeds[k])
                return fy_error_set(err, FY_EUSAGE, "demo seeds: seed %llu is given twice; "
                                    "give each seed once", (unsigned long long) seeds[i]);
    return FY_OK;
}

/* resume (issue 15): the text naming the seeds of a store: every setting of o a seed's figures
 * depend on (all but seed, dir, log: a field added to fy_borntaylor_demo_opts_struct belongs
 * here too), the seeds, the rules' files (their contents, through a hash) and whether the
 * results carry the seeds' folders. */
static int seeds_key(fy_par_store_t store, const fy_borntaylor_demo_opts_t o,
                     const uint64_t *seeds, long nseeds, int folders, const fy_rules_t rules,
                     fy_error_t err)
{
    uint64_t h = FY_PAR_FNV_INIT;
    fy_strbuf_t b;
    char *t;
    long i;
    int rc = FY_OK;
    for (i = 0; i < rules->nfiles && rc == FY_OK; i++)
    {
        size_t n = 0;
        if ((rc = fy_file_read(&t, &n, rules->files[i], FILE_MAX, err)) == FY_OK)
            h = fy_par_fnv1a(h, t, n + 1);
        free(t);
    }
    if (rc != FY_OK)
        return rc;
    fy_strbuf_init(b);
    fy_strbuf_printf(b, "demo seeds (born-taylor 1): chunk j = seed j's row (%zu bytes)%s\n"
                     "quick %d box %d box_a %a d %d R %a margin %a n1 %ld nheld %ld\n"
                     "n_dirs %ld n_per %ld s_min %a s_max %a emphasis %a mirror %d\n"
                     "first_exact %d hidden1 %s hidden2 %s epochs %d %d lbfgs %d %d\n"
                     "ensemble %d identity_K %d wpower %a wpower1 %a\n"
                     "rules files %d fnv1a %016llx\nseeds",
                     sizeof(fy_borntaylor_seed_row_struct),
                     folders ? " and its folder's files" : "", o->quick, o->box, o->box_a,
                     o->d, o->R, o->margin, o->n1, o->nheld, o->n_dirs, o->n_per, o->s_min,
                     o->s_max, o->emphasis, o->mirror, o->first_exact,
                     o->hidden1 ? o->hidden1 : "-", o->hidden2 ? o->hidden2 : "-", o->epochs1,
                     o->epochs2, o->lbfgs1, o->lbfgs2, o->ensemble, o->identity_K, o->wpower,
                     o->wpower1, rules->nfiles, (unsigned long long) h);
    for (i = 0; i < nseeds; i++)
        fy_strbuf_printf(b, "%s%llu", i ? "," : " ", (unsigned long long) seeds[i]);
    fy_strbuf_putc(b, '\n');
    if ((rc = fy_strbuf_take(&t, b, err)) != FY_OK)
        return rc;
    rc = fy_par_store_extend(store, t, err);
    free(t);
    return rc;
}

int fy_borntaylor_demo_seeds(fy_borntaylor_seeds_t S, const fy_borntaylor_demo_opts_t o,
                             const uint64_t *seeds, long nseeds, const char *dir,
                             const fy_rules_t rules, fy_par_store_t store, const fy_par_t p,
                             fy_error_t err)
{
    seeds_ctx_t x;
    void **res = NULL;
    size_t *len = NULL;
    long j;
    int rc;
    double t0 = fy_wall_time();
    fy_borntaylor_seeds_clear(S);
    if ((rc = check_seeds(seeds, nseeds, err)) != FY_OK)
        return rc;
    S->n = nseeds;
    S->quick = o->quick;
    S->box = o->box;
    S->ranks = p->size;
    S->kept = dir != NULL;
    res = calloc((size_t) nseeds, sizeof *res);
    len = calloc((size_t) nseeds, sizeof *len);
    S->row = calloc((size_t) nseeds, sizeof *S->row);
    if (res == NULL || len == NULL || S->row == NULL)
        rc = fy_error_set(err, FY_ENOMEM, "demo seeds: out of memory");
    x.o = o;
    x.seeds = seeds;
    x.dir = dir;
    x.rules = rules;
    if (rc == FY_OK && p->rank == 0 && fy_par_store_is_open(store))
        rc = seeds_key(store, o, seeds, nseeds, dir != NULL, rules, err);
    rc = fy_par_agree(rc, p, err);
    if (rc == FY_OK)
        rc = fy_par_scan(res, len, (uint64_t) nseeds, seed_job, &x, p->rank == 0 ? store : NULL,
                         NULL, NULL, p, err);
    for (j = 0; j < nseeds && rc == FY_OK && p->rank == 0; j++)
    {
        if (res[j] == NULL)
            rc = fy_error_set(err, FY_EINTERNAL, "demo seeds: seed %llu came back empty",
                              (unsigned long long) seeds[j]);
        else
            rc = unpack_seed(S->row + j, res[j], len[j], dir, err);
        if (rc == FY_OK && S->row[j].seed != seeds[j])
            rc = fy_error_set(err, FY_EINTERNAL, "demo seeds: the result of seed %llu is "
                              "seed %llu's", (unsigned long long) seeds[j],
                              (unsigned long long) S->row[j].seed);
    }
    if (rc == FY_OK && p->rank == 0)
        summarise(S);
    for (j = 0; res != NULL && j < nseeds; j++)
        free(res[j]);
    free(res);
    free(len);
    S->time_s = fy_wall_time() - t0;
    return rc;
}

static const char *data_kind(int box)
{
    return box == FY_BORNTAYLOR_DATA_BOX ? "box"
           : box == FY_BORNTAYLOR_DATA_ATTRACTIVE ? "attractive" : "rays";
}

static json_t *figure_json(double mean, double sd, double mx, double target, long met)
{
    json_t *f = json_object();
    json_object_set_new(f, "mean", fy_json_number(mean));
    json_object_set_new(f, "sd", fy_json_number(sd));
    json_object_set_new(f, "max", fy_json_number(mx));
    json_object_set_new(f, "target", fy_json_number(target));
    json_object_set_new(f, "seeds_met", json_integer(met));
    return f;
}

int fy_borntaylor_seeds_write_json(FILE *fp, const fy_borntaylor_seeds_t S, fy_error_t err)
{
    json_t *j = json_object(), *rows = json_array();
    char *txt;
    long i;
    int status = FY_OK;
    for (i = 0; i < S->n && S->row != NULL; i++)
    {
        const fy_borntaylor_seed_row_struct *r = S->row + i;
        json_t *o = json_object();
        json_object_set_new(o, "seed", json_integer((json_int_t) r->seed));
        json_object_set_new(o, "first_order_rel_frobenius", fy_json_number(r->first));
        json_object_set_new(o, "second_order_rel_heldout", fy_json_number(r->second));
        json_object_set_new(o, "F1_rel_rms_vs_a0_own", fy_json_number(r->f1_own));
        json_object_set_new(o, "F1_rel_rms_vs_a0_physical", fy_json_number(r->f1_phys));
        json_object_set_new(o, "first_met", json_boolean(r->first_met));
        json_object_set_new(o, "second_met", json_boolean(r->second_met));
        json_object_set_new(o, "targets_met", json_boolean(r->first_met && r->second_met));
        json_array_append_new(rows, o);
    }
    json_object_set_new(j, "demo", json_string("born-taylor seeds"));
    json_object_set_new(j, "quick", json_boolean(S->quick));
    json_object_set_new(j, "data", json_string(data_kind(S->box)));
    json_object_set_new(j, "n_seeds", json_integer(S->n));
    json_object_set_new(j, "seeds", rows);
    json_object_set_new(j, "first_order", figure_json(S->mean_first, S->sd_first, S->max_first,
                                                      FY_BORNTAYLOR_TARGET_FIRST,
                                                      S->n_first_met));
    json_object_set_new(j, "second_order",
                        figure_json(S->mean_second, S->sd_second, S->max_second,
                                    FY_BORNTAYLOR_TARGET_SECOND, S->n_second_met));
    json_object_set_new(j, "seeds_met", json_integer(S->n_met));
    json_object_set_new(j, "targets_met", json_boolean(S->n > 0 && S->n_met == S->n));
    json_object_set_new(j, "seed_folders", json_boolean(S->kept));
    json_object_set_new(j, "ranks", json_integer(S->ranks));
    json_object_set_new(j, "time_s", json_real(S->time_s));
    txt = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    if (txt == NULL)
        return fy_error_set(err, FY_ENOMEM, "out of memory (seeds summary)");
    if (fputs(txt, fp) == EOF || fputc('\n', fp) == EOF)
        status = fy_error_set(err, FY_EIO, "cannot write the seeds summary");
    free(txt);
    return status;
}

int fy_borntaylor_seeds_write_text(FILE *fp, const fy_borntaylor_seeds_t S, fy_error_t err)
{
    long i;
    fprintf(fp, "feynn demo over %ld seeds: the Born-Taylor correspondence (doc/math.md 2.4)%s, "
            "data %s\n", S->n, S->quick ? " [quick]" : "", data_kind(S->box));
    fprintf(fp, "%10s %12s %12s %12s %12s  %s\n", "seed", "first", "second", "F1 own",
            "F1 phys", "targets");
    for (i = 0; i < S->n && S->row != NULL; i++)
    {
        const fy_borntaylor_seed_row_struct *r = S->row + i;
        fprintf(fp, "%10llu %12.6e %12.6e %12.6e %12.6e  %s\n", (unsigned long long) r->seed,
                r->first, r->second, r->f1_own, r->f1_phys,
                r->first_met && r->second_met ? "met" : r->first_met ? "second NOT met"
                : r->second_met ? "first NOT met" : "NOT met");
    }
    fprintf(fp, "(first: rel. Frobenius error of grad F_1(0) against c3; second: rel. RMS of "
            "T_2[F_2](U) against a_0^(2)(U), physical held-out; F1 own/phys: rel. RMS of F_1 "
            "against a_0 on the two held-out sets)\n");
    fprintf(fp, "first order:  mean %.4g, sd %.2g, largest %.4g (target <= %g): %ld of %ld "
            "seeds met\n", S->mean_first, S->sd_first, S->max_first, FY_BORNTAYLOR_TARGET_FIRST,
            S->n_first_met, S->n);
    fprintf(fp, "second order: mean %.4g, sd %.2g, largest %.4g (target <= %g): %ld of %ld "
            "seeds met\n", S->mean_second, S->sd_second, S->max_second,
            FY_BORNTAYLOR_TARGET_SECOND, S->n_second_met, S->n);
    fprintf(fp, "TARGETS %s for %ld of %ld seeds\n", S->n_met == S->n ? "MET" : "NOT MET",
            S->n_met, S->n);
    fprintf(fp, "time: %.1f s on %d rank(s)\n", S->time_s, S->ranks);
    if (ferror(fp))
        return fy_error_set(err, FY_EIO, "cannot write the seeds summary");
    return FY_OK;
}
