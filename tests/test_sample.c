/* test_sample: lattice theories, Hamiltonian Monte Carlo and chain statistics (src/sample).
 *
 * Checks: the exact derivative tensors of S = -E at 0 against couplings worked out by hand
 * (ring, torus, weighted graph, general terms, constant term); E at a point computed by hand
 * and grad E against central differences; parse errors carry file:line:column; the
 * autocorrelation time of an AR(1) chain against (1 + rho) / (1 - rho) and split R-hat of
 * independent chains near 1; HMC draws bit-identical for 1 and 2 threads (and the safetensors
 * file holds them exactly); rigorous moments (Arb quadrature with proven tails) containing the
 * Gaussian's closed-form moments and agreeing with an independent trapezoid rule; for d = 1,
 * HMC moments <phi^k>, k = 1..4, within 4 batch-means standard errors of the moments by
 * quadrature of exp(-E) (a double well with a cubic term, so the Z2 move is a real Metropolis
 * step, and an even one where it is always accepted); a Gaussian ring against the closed-form
 * covariance (the inverse of the quadratic form, by Fourier modes) and vanishing kappa_3,
 * kappa_4; joint cumulants of a two-site theory against 2-d quadrature through central moments;
 * chain c keyed by c alone (the first chains of a longer run, bit for bit).
 * Fixed seeds, printed. */
#include <math.h>
#include <string.h>

#include "feynn/io.h"
#include "feynn/rng.h"
#include "feynn/sample.h"
#include "nnftutil.h"
#include "testutil.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void check_entry(const fy_symtensor_t S, const int *idx, slong num, ulong den)
{
    fmpq *e = fy_symtensor_entry_fmpq(S, idx);
    fmpq_t q;
    assert_non_null(e);
    fmpq_init(q);
    fmpq_set_si(q, num, den);
    if (!fmpq_equal(e, q))
    {
        char *s = fmpq_get_str(NULL, 10, e);
        print_error("order %d entry (%d %d %d %d): got %s, want %ld/%lu\n", S->order,
                    S->order > 0 ? idx[0] : -1, S->order > 1 ? idx[1] : -1,
                    S->order > 2 ? idx[2] : -1, S->order > 3 ? idx[3] : -1, s, (long) num, den);
        flint_free(s);
        fmpq_clear(q);
        fail();
    }
    fmpq_clear(q);
}

/* ring 3: links (0,1) (1,2) (2,0), K = 1, m2 = 1/2, g3 = 1, lam = 1, terms 1/3 phi0 phi1 and 2 */
static const char *ring3 = "# a small ring\n"
                           "lattice ring 3\n"
                           "kinetic 1\n"
                           "m2 1/2   # mass\n"
                           "g3 1\n"
                           "lam 1.0\n"
                           "term 1/3 1 0\n"
                           "term 2\n";

static void test_tensors_ring(void **state)
{
    fy_ltheory_t T;
    fy_symtensor_t S;
    fy_error_t err;
    int idx[4], n, i, j, k, l;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, ring3);
    assert_int_equal(T->nsites, 3);
    assert_int_equal(T->nlinks, 3);
    assert_int_equal(T->max_degree, 4);
    assert_false(T->even);
    fy_symtensor_init_empty(S);
    /* order 0: -E(0) = -2 (a constant term; no normalisation) */
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 0, err), FY_OK);
    check_entry(S, idx, -2, 1);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 1, err), FY_OK);
    for (i = 0; i < 3; i++)
    {
        idx[0] = i;
        check_entry(S, idx, 0, 1);
    }
    /* order 2: diagonal -(m2 + 2 K), links +K, plus -1/3 on (0,1) */
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 2, err), FY_OK);
    for (i = 0; i < 3; i++)
        for (j = i; j < 3; j++)
        {
            idx[0] = i;
            idx[1] = j;
            if (i == j)
                check_entry(S, idx, -5, 2);
            else if (i == 0 && j == 1)
                check_entry(S, idx, 2, 3);
            else
                check_entry(S, idx, 1, 1);
        }
    /* orders 3, 4: -g3 and -lam on the diagonal only */
    for (n = 3; n <= 4; n++)
    {
        assert_int_equal(fy_ltheory_log_density_tensor(S, T, n, err), FY_OK);
        for (i = 0; i < 3; i++)
            for (j = i; j < 3; j++)
                for (k = j; k < 3; k++)
                    for (l = k; l < (n == 4 ? 3 : k + 1); l++)
                    {
                        int diag = i == j && j == k && (n == 3 || k == l);
                        idx[0] = i;
                        idx[1] = j;
                        idx[2] = k;
                        idx[3] = l;
                        check_entry(S, idx, diag ? -1 : 0, 1);
                    }
    }
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 5, err), FY_OK);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 9, err), FY_EUSAGE);
    fy_symtensor_clear(S);
    fy_ltheory_clear(T);
}

static void test_tensors_torus_graph(void **state)
{
    fy_ltheory_t T;
    fy_symtensor_t S;
    fy_error_t err;
    int idx[4] = {0, 0, 0, 0};
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    fy_symtensor_init_empty(S);
    /* torus 3: 9 sites, 18 links, 4 neighbours each */
    ltheory_parse_ok(T, "lattice torus 3\nkinetic 1/2\nm2 1\nlam 3\n");
    assert_int_equal(T->nsites, 9);
    assert_int_equal(T->nlinks, 18);
    assert_true(T->even);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 2, err), FY_OK);
    idx[0] = idx[1] = 4;
    check_entry(S, idx, -3, 1); /* -(m2 + 4 K) */
    idx[1] = 5;                 /* (1,1) - (2,1): neighbours */
    check_entry(S, idx, 1, 2);
    idx[1] = 7;
    check_entry(S, idx, 1, 2);
    idx[1] = 8; /* (1,1) - (2,2): not a link */
    check_entry(S, idx, 0, 1);
    idx[0] = 0;
    idx[1] = 6; /* (0,0) - (0,2): a link across the boundary */
    check_entry(S, idx, 1, 2);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 4, err), FY_OK);
    idx[0] = idx[1] = idx[2] = idx[3] = 3;
    check_entry(S, idx, -3, 1);
    /* graph with a weighted edge and a general quartic term */
    ltheory_parse_ok(T, "lattice graph 3\nedge 0 1 1/2\nedge 1 2\nkinetic 2\nterm -1/4 0 0 1 2\n");
    assert_int_equal(T->nlinks, 2);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 2, err), FY_OK);
    idx[0] = idx[1] = 0;
    check_entry(S, idx, -1, 1); /* -K w */
    idx[1] = 1;
    check_entry(S, idx, 1, 1);
    idx[0] = idx[1] = 1;
    check_entry(S, idx, -3, 1); /* -(K/2 + K) */
    idx[0] = 0;
    idx[1] = 2;
    check_entry(S, idx, 0, 1);
    assert_int_equal(fy_ltheory_log_density_tensor(S, T, 4, err), FY_OK);
    idx[0] = 0;
    idx[1] = 0;
    idx[2] = 1;
    idx[3] = 2;
    check_entry(S, idx, 1, 2); /* -(-1/4) * 2! */
    /* terms that cancel leave no monomial */
    ltheory_parse_ok(T, "lattice ring 1\nterm 1 0 0 0\nterm -1 0 0 0\nm2 0\n");
    assert_int_equal(T->nmono, 0);
    assert_int_equal(T->max_degree, 0);
    fy_symtensor_clear(S);
    fy_ltheory_clear(T);
}

static void test_energy(void **state)
{
    fy_ltheory_t T;
    double phi[3] = {1.0, 2.0, -1.0}, g[3], E, h = 1e-5;
    int i;
    (void) state;
    fy_ltheory_init(T);
    ltheory_parse_ok(T, ring3);
    /* links 1/2 + 9/2 + 2, mass 6/4, cubic 8/6, quartic 18/24, term 2/3, constant 2 */
    assert_close(fy_ltheory_energy(T, phi), 13.25, 1e-12);
    E = fy_ltheory_energy_grad(T, g, phi);
    assert_close(E, 13.25, 1e-12);
    for (i = 0; i < 3; i++)
    {
        double p[3], em, ep;
        memcpy(p, phi, sizeof p);
        p[i] += h;
        ep = fy_ltheory_energy(T, p);
        p[i] -= 2 * h;
        em = fy_ltheory_energy(T, p);
        assert_close(g[i], (ep - em) / (2 * h), 1e-6);
    }
    fy_ltheory_clear(T);
}

static void expect_error(const char *text, const char *where)
{
    fy_ltheory_t T;
    fy_error_t err;
    fy_error_init(err);
    fy_ltheory_init(T);
    assert_int_equal(fy_ltheory_parse(T, text, "bad.theory", err), FY_EINPUT);
    if (strstr(err->msg, where) == NULL)
        fail_msg("message '%s' lacks '%s'", err->msg, where);
    assert_int_equal(T->nsites, 0);
    fy_ltheory_clear(T);
}

static void test_errors(void **state)
{
    fy_ltheory_t T;
    fy_error_t err;
    (void) state;
    expect_error("lattice ring 3\nmass 1\n", "bad.theory:2:1: unknown key 'mass'");
    expect_error("lattice ring 3\nm2 1/0\n", "bad.theory:2:4: bad number");
    expect_error("lattice ring 3\nterm 1 0 3\n", "bad.theory:2:10: a site must be");
    expect_error("term 1 0\nlattice ring 3\n", "bad.theory:1:1:");
    expect_error("lattice ring 3\nedge 0 1\n", "bad.theory:2:1: 'edge' lines need");
    expect_error("lattice graph 2\nedge 1 1\n", "bad.theory:2:8: an edge must join");
    expect_error("lattice ring 3\nlam 1\nlam 2\n", "bad.theory:3:1: 'lam' given twice");
    expect_error("lattice ring 3 4\n", "bad.theory:1:16: unexpected '4'");
    expect_error("lattice cube 3\n", "bad.theory:1:9: unknown lattice 'cube'");
    expect_error("lattice ring 0\n", "bad.theory:1:14: the lattice size");
    expect_error("m2 1\n", "bad.theory: no 'lattice' line");
    expect_error("lattice ring 2\nterm 1 0 0 0 0 0 0 0 0 0\n",
                 "bad.theory:2:24: a term has at most 8");
    fy_error_init(err);
    fy_ltheory_init(T);
    assert_int_equal(fy_ltheory_load(T, "/nonexistent/x.theory", err), FY_EIO);
    fy_ltheory_clear(T);
}

static void test_stats(void **state)
{
    const slong C = 4, n = 20000;
    const double rho = 0.5;
    double *x = malloc((size_t) (C * n) * sizeof(double));
    double *z = malloc((size_t) n * sizeof(double));
    double tau, rh;
    fy_rng_t r;
    slong c, t;
    (void) state;
    printf("# stats: fixed seed 7\n");
    fy_rng_init(r, 7, FY_RNG_PURPOSE_TEST);
    for (c = 0; c < C; c++)
    {
        fy_rng_normals(z, (uint64_t) n, r, (uint64_t) c, 0);
        x[c * n] = z[0];
        for (t = 1; t < n; t++)
            x[c * n + t] = rho * x[c * n + t - 1] + sqrt(1 - rho * rho) * z[t];
    }
    tau = fy_sample_tau_int(x, C, n);
    printf("# AR(1) rho 0.5: tau %.4f (exact 3)\n", tau);
    assert_true(fabs(tau - 3.0) < 0.3);
    for (c = 0; c < C; c++)
        fy_rng_normals(x + c * n, (uint64_t) n, r, (uint64_t) (c + 100), 0);
    tau = fy_sample_tau_int(x, C, n);
    rh = fy_sample_split_rhat(x, C, n);
    printf("# iid: tau %.4f, rhat %.5f\n", tau, rh);
    assert_true(fabs(tau - 1.0) < 0.1);
    assert_true(fabs(rh - 1.0) < 0.01);
    /* a chain shifted by 1 is detected */
    for (t = 0; t < n; t++)
        x[t] += 1.0;
    assert_true(fy_sample_split_rhat(x, C, n) > 1.1);
    free(x);
    free(z);
}

static void run_ok(fy_hmc_result_t R, const fy_ltheory_t T, const fy_hmc_opts_struct *o)
{
    fy_error_t err;
    fy_error_init(err);
    if (fy_hmc_run(R, T, o, err) != FY_OK)
        fail_msg("%s", err->msg);
}

static void test_threads(void **state)
{
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t A, B;
    (void) state;
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice ring 5\nm2 1/2\ng3 1/3\nlam 1\n");
    fy_hmc_opts_default(&o);
    o.chains = 5;
    o.samples = 50;
    o.warmup = 50;
    o.seed = 11;
    printf("# threads: fixed seed 11\n");
    fy_hmc_result_init(A);
    fy_hmc_result_init(B);
    o.threads = 1;
    run_ok(A, T, &o);
    o.threads = 2;
    run_ok(B, T, &o);
    assert_int_equal(A->thin, B->thin);
    assert_memory_equal(A->draws, B->draws, sizeof(double) * 5 * 50 * 5);
    assert_memory_equal(A->step, B->step, sizeof(double) * 5);
    assert_memory_equal(A->diag, B->diag, sizeof A->diag);
    /* the safetensors file holds the draws exactly */
    {
        fy_safetensors_t st;
        fy_error_t err;
        const fy_tensor_struct *x;
        const char *path = "test_sample_draws.safetensors";
        fy_error_init(err);
        fy_safetensors_init(st);
        if (fy_hmc_save(path, A, T, &o, "t.theory", err) != FY_OK ||
            fy_safetensors_read(st, path, err) != FY_OK)
            fail_msg("%s", err->msg);
        x = fy_safetensors_find(st, "samples");
        assert_non_null(x);
        assert_int_equal(x->ndim, 3);
        assert_int_equal(x->shape[0], 5);
        assert_int_equal(x->shape[1], 50);
        assert_int_equal(x->shape[2], 5);
        assert_memory_equal(x->data, A->draws, sizeof(double) * 5 * 50 * 5);
        assert_string_equal(fy_safetensors_meta(st, "lattice"), "ring 5");
        assert_non_null(fy_safetensors_meta(st, "description"));
        fy_safetensors_clear(st);
        remove(path);
    }
    /* another seed gives other draws */
    o.seed = 12;
    run_ok(B, T, &o);
    assert_true(memcmp(A->draws, B->draws, sizeof(double) * 5 * 50 * 5) != 0);
    fy_hmc_result_clear(A);
    fy_hmc_result_clear(B);
    fy_ltheory_clear(T);
}

/* <x^k>, k = 1..4, of exp(-E(x)) for a one-site theory by the trapezoid rule on [-R, R]
 * (exponentially accurate for this smooth, fast-decaying integrand); err: the change from step
 * 2h to h. */
static void quad_moments(double m[4], double *errest, const fy_ltheory_t T, double R)
{
    double res[2][4];
    int pass, k;
    for (pass = 0; pass < 2; pass++)
    {
        double h = pass ? 1e-3 : 2e-3, z = 0.0, s[4] = {0, 0, 0, 0};
        long i, n = (long) (R / h);
        for (i = -n; i <= n; i++)
        {
            double x = (double) i * h, w = exp(-fy_ltheory_energy(T, &x)), p = 1.0;
            z += w;
            for (k = 0; k < 4; k++)
            {
                p *= x;
                s[k] += w * p;
            }
        }
        for (k = 0; k < 4; k++)
            res[pass][k] = s[k] / z;
    }
    *errest = 0.0;
    for (k = 0; k < 4; k++)
    {
        m[k] = res[1][k];
        if (fabs(res[1][k] - res[0][k]) > *errest)
            *errest = fabs(res[1][k] - res[0][k]);
    }
}

static void check_1d(const char *text, uint64_t seed, int even)
{
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t R;
    fy_error_t err;
    double q[4], qerr, m[4], se[4];
    int k, c;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, text);
    assert_int_equal(T->even, even);
    quad_moments(q, &qerr, T, 14.0);
    assert_true(qerr < 1e-9);
    /* the rigorous moments (Arb) agree with the trapezoid rule */
    {
        arb_ptr mb = _arb_vec_init(5);
        assert_int_equal(fy_ltheory_moments_1d(mb, 4, T, 80, err), FY_OK);
        for (k = 0; k < 4; k++)
        {
            assert_true(mag_cmp_2exp_si(arb_radref(mb + k + 1), -40) < 0);
            assert_close(arf_get_d(arb_midref(mb + k + 1), ARF_RND_NEAR), q[k], 1e-9);
        }
        _arb_vec_clear(mb, 5);
    }
    fy_hmc_opts_default(&o);
    o.chains = 8;
    o.samples = 1500;
    o.warmup = 300;
    o.seed = seed;
    printf("# 1d: fixed seed %llu\n", (unsigned long long) seed);
    fy_hmc_result_init(R);
    run_ok(R, T, &o);
    assert_int_equal(fy_sample_moments(m, se, R->draws, R->chains, R->samples, 1, err), FY_OK);
    for (k = 0; k < 4; k++)
    {
        printf("# <phi^%d>: hmc %.5f +- %.5f, quadrature %.8f\n", k + 1, m[k], se[k], q[k]);
        assert_true(se[k] > 0);
        assert_true(fabs(m[k] - q[k]) < 4 * se[k]);
    }
    for (c = 0; c < o.chains; c++)
    {
        assert_true(R->accept[c] > 0.5);
        if (even)
            assert_true(R->flip_accept[c] == 1.0);
        else
            assert_true(R->flip_accept[c] > 0.0 && R->flip_accept[c] < 1.0);
    }
    printf("# thin %ld, tau_raw %.3f; kept: tau %.3f %.3f %.3f, rhat %.4f %.4f %.4f\n",
           (long) R->thin, R->tau_raw, R->diag[0].tau, R->diag[1].tau, R->diag[2].tau,
           R->diag[0].rhat, R->diag[1].rhat, R->diag[2].rhat);
    for (k = 0; k < FY_HMC_NOBS; k++)
    {
        /* thinned by the pilot's tau: the kept draws are close to independent */
        assert_true(R->diag[k].rhat < 1.05);
        assert_true(R->diag[k].tau < 2.0);
    }
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
}

static void test_hmc_1d(void **state)
{
    (void) state;
    /* asymmetric double well: the Z2 move is a real Metropolis step */
    check_1d("lattice ring 1\nm2 -1\ng3 1/2\nlam 1\n", 3, 0);
    /* even double well with a sextic term: flips always accepted */
    check_1d("lattice ring 1\nm2 -2\nlam 1\nterm 1/100 0 0 0 0 0 0\n", 4, 1);
}

/* Rigorous moments: a Gaussian (m2 = 1/4: <x^2> = 4, <x^4> = 3 * 16, <x^6> = 15 * 64, odd
 * ones 0) contained in the balls; refusals. */
static void test_moments_1d(void **state)
{
    fy_ltheory_t T;
    fy_error_t err;
    arb_ptr m = _arb_vec_init(7);
    static const slong want[7] = {1, 0, 4, 0, 48, 0, 960};
    int k;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice ring 1\nm2 1/4\n");
    assert_int_equal(fy_ltheory_moments_1d(m, 6, T, 128, err), FY_OK);
    for (k = 0; k <= 6; k++)
    {
        assert_true(arb_contains_si(m + k, want[k]));
        assert_true(mag_cmp_2exp_si(arb_radref(m + k), -80) < 0);
    }
    ltheory_parse_ok(T, "lattice ring 1\nlam -1\nm2 1\n");
    assert_int_equal(fy_ltheory_moments_1d(m, 4, T, 64, err), FY_EINPUT);
    ltheory_parse_ok(T, "lattice ring 1\ng3 1\nm2 1\n");
    assert_int_equal(fy_ltheory_moments_1d(m, 4, T, 64, err), FY_EINPUT);
    ltheory_parse_ok(T, "lattice ring 2\nm2 1\n");
    assert_int_equal(fy_ltheory_moments_1d(m, 4, T, 64, err), FY_EUSAGE);
    _arb_vec_clear(m, 7);
    fy_ltheory_clear(T);
}

static void test_gaussian(void **state)
{
    const int d = 4;
    const double K = 1.0, m2 = 0.5;
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t R;
    fy_cumulants_struct Q;
    fy_error_t err;
    double c00 = 0.0, c01 = 0.0;
    int k;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice ring 4\nkinetic 1\nm2 0.5\n");
    /* covariance = inverse of m2 + K * (ring Laplacian), diagonal in Fourier modes */
    for (k = 0; k < d; k++)
    {
        double th = 2 * M_PI * k / d, lam = m2 + 2 * K * (1 - cos(th));
        c00 += 1.0 / lam / d;
        c01 += cos(th) / lam / d;
    }
    fy_hmc_opts_default(&o);
    o.chains = 8;
    o.samples = 1000;
    o.warmup = 300;
    o.seed = 5;
    printf("# gaussian: fixed seed 5\n");
    fy_hmc_result_init(R);
    run_ok(R, T, &o);
    assert_int_equal(fy_sample_cumulants(&Q, R->draws, R->chains, R->samples, T, err), FY_OK);
    printf("# kappa site: %.5f(%.5f) %.5f(%.5f) %.5f(%.5f) %.5f(%.5f); exact var %.6f\n",
           Q.site[0], Q.site_se[0], Q.site[1], Q.site_se[1], Q.site[2], Q.site_se[2], Q.site[3],
           Q.site_se[3], c00);
    printf("# kappa nn: %.5f(%.5f) %.5f(%.5f) %.5f(%.5f) %.5f(%.5f); exact cov %.6f\n", Q.nn[0],
           Q.nn_se[0], Q.nn[1], Q.nn_se[1], Q.nn[2], Q.nn_se[2], Q.nn[3], Q.nn_se[3], c01);
    assert_true(fabs(Q.site[0]) < 4 * Q.site_se[0]);
    assert_true(fabs(Q.site[1] - c00) < 4 * Q.site_se[1]);
    assert_true(fabs(Q.site[2]) < 4 * Q.site_se[2]);
    assert_true(fabs(Q.site[3]) < 4 * Q.site_se[3]);
    assert_true(fabs(Q.nn[0] - c01) < 4 * Q.nn_se[0]);
    for (k = 1; k < 4; k++)
        assert_true(fabs(Q.nn[k]) < 4 * Q.nn_se[k]);
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
}

/* Two sites joined by one edge (the same marginal at both): joint cumulants by 2-d quadrature
 * through central moments (kappa_11 = mu_11, kappa_21 = mu_21, kappa_22 = mu_22 - mu_20 mu_02
 * - 2 mu_11^2, kappa_31 = mu_31 - 3 mu_20 mu_11; on-site kappa_3 = mu_3, kappa_4 = mu_4 -
 * 3 mu_2^2), a route independent of the raw-moment formulas of fy_sample_cumulants. */
static void test_cumulants_2site(void **state)
{
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t R;
    fy_cumulants_struct Q;
    fy_error_t err;
    const double h = 0.02, L = 9.0;
    long n = (long) (L / h), a, b;
    double z = 0, m1 = 0, mu[5][5], exact_site[4], exact_nn[4];
    int p, q, k;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice graph 2\nedge 0 1\nkinetic 1/2\nm2 1\ng3 1\nlam 2\n");
    /* mean, then central moments mu[p][q] = <(x - m)^p (y - m)^q> */
    for (a = -n; a <= n; a++)
        for (b = -n; b <= n; b++)
        {
            double ph[2] = {a * h, b * h}, w = exp(-fy_ltheory_energy(T, ph));
            z += w;
            m1 += w * ph[0];
        }
    m1 /= z;
    memset(mu, 0, sizeof mu);
    for (a = -n; a <= n; a++)
        for (b = -n; b <= n; b++)
        {
            double ph[2] = {a * h, b * h}, w = exp(-fy_ltheory_energy(T, ph)) / z;
            double x = ph[0] - m1, y = ph[1] - m1, xp = 1;
            for (p = 0; p <= 4; p++)
            {
                double yq = 1;
                for (q = 0; p + q <= 4; q++)
                {
                    mu[p][q] += w * xp * yq;
                    yq *= y;
                }
                xp *= x;
            }
        }
    exact_site[0] = m1;
    exact_site[1] = mu[2][0];
    exact_site[2] = mu[3][0];
    exact_site[3] = mu[4][0] - 3 * mu[2][0] * mu[2][0];
    exact_nn[0] = mu[1][1];
    exact_nn[1] = mu[2][1];
    exact_nn[2] = mu[2][2] - mu[2][0] * mu[0][2] - 2 * mu[1][1] * mu[1][1];
    exact_nn[3] = mu[3][1] - 3 * mu[2][0] * mu[1][1];
    fy_hmc_opts_default(&o);
    o.chains = 8;
    o.samples = 2000;
    o.warmup = 300;
    o.seed = 9;
    printf("# cumulants 2 sites: fixed seed 9\n");
    fy_hmc_result_init(R);
    run_ok(R, T, &o);
    assert_int_equal(fy_sample_cumulants(&Q, R->draws, R->chains, R->samples, T, err), FY_OK);
    for (k = 0; k < 4; k++)
    {
        printf("# site kappa_%d %.5f +- %.5f (quadrature %.6f); nn %.5f +- %.5f (%.6f)\n", k + 1,
               Q.site[k], Q.site_se[k], exact_site[k], Q.nn[k], Q.nn_se[k], exact_nn[k]);
        assert_true(fabs(Q.site[k] - exact_site[k]) < 4 * Q.site_se[k]);
        assert_true(fabs(Q.nn[k] - exact_nn[k]) < 4 * Q.nn_se[k]);
    }
    /* the odd cumulants are not zero here: the test has teeth */
    assert_true(fabs(exact_site[2]) > 0.05 && fabs(exact_nn[1]) > 0.01);
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
}

/* Chain c draws from stream c alone (what lets the chains be split over MPI ranks): with a
 * fixed thinning factor the first 3 chains of a 7-chain run are, bit for bit, the chains of a
 * 3-chain run; and fy_hmc_run_par on this process alone is fy_hmc_run. */
static void test_chain_keys(void **state)
{
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t A, B, C;
    fy_error_t err;
    fy_par_t self;
    size_t per;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice ring 3\nkinetic 1\nm2 1\ng3 1/2\nlam 1\n");
    fy_hmc_result_init(A);
    fy_hmc_result_init(B);
    fy_hmc_result_init(C);
    fy_hmc_opts_default(&o);
    o.samples = 30;
    o.warmup = 40;
    o.thin = 2;
    o.seed = 11;
    o.chains = 7;
    assert_int_equal(fy_hmc_run(A, T, &o, err), FY_OK);
    o.chains = 3;
    assert_int_equal(fy_hmc_run(B, T, &o, err), FY_OK);
    per = (size_t) o.samples * (size_t) T->nsites;
    assert_memory_equal(A->draws, B->draws, 3 * per * sizeof(double));
    assert_memory_equal(A->step, B->step, 3 * sizeof(double));
    assert_memory_equal(A->accept, B->accept, 3 * sizeof(double));
    /* and the chains differ from each other (the comparison above has teeth) */
    assert_true(memcmp(A->draws, A->draws + per, per * sizeof(double)) != 0);
    fy_par_self(self);
    assert_int_equal(fy_hmc_run_par(C, T, &o, self, err), FY_OK);
    assert_memory_equal(B->draws, C->draws, 3 * per * sizeof(double));
    assert_memory_equal(B->diag, C->diag, sizeof B->diag);
    fy_hmc_result_clear(A);
    fy_hmc_result_clear(B);
    fy_hmc_result_clear(C);
    fy_ltheory_clear(T);
}

static void test_refusals(void **state)
{
    fy_ltheory_t T;
    fy_hmc_opts_struct o;
    fy_hmc_result_t R;
    fy_error_t err;
    (void) state;
    fy_error_init(err);
    fy_ltheory_init(T);
    ltheory_parse_ok(T, "lattice ring 2\nm2 1\n");
    fy_hmc_result_init(R);
    fy_hmc_opts_default(&o);
    o.samples = 3;
    assert_int_equal(fy_hmc_run(R, T, &o, err), FY_EUSAGE);
    fy_hmc_opts_default(&o);
    o.chains = 0;
    assert_int_equal(fy_hmc_run(R, T, &o, err), FY_EUSAGE);
    fy_hmc_opts_default(&o);
    o.target_accept = 1.0;
    assert_int_equal(fy_hmc_run(R, T, &o, err), FY_EUSAGE);
    assert_null(R->draws);
    fy_hmc_result_clear(R);
    fy_ltheory_clear(T);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensors_ring),
        cmocka_unit_test(test_tensors_torus_graph),
        cmocka_unit_test(test_energy),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_moments_1d),
        cmocka_unit_test(test_hmc_1d),
        cmocka_unit_test(test_gaussian),
        cmocka_unit_test(test_cumulants_2site),
        cmocka_unit_test(test_chain_keys),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests_name("sample", tests, NULL, NULL) ? 1 : 0;
}
