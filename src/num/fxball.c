/* Block floating-point ball rows: conversions, the exact sliced product and the sum of
 * elementwise products (see fxball.h for the representation and the contract).
 *
 * Units.  A row with exponent e holds mantissas m, |m| < 2^126, worth m 2^(e - 126); its
 * radius is R 2^e.  Every bound below is derived in these units and rounded up at the end by
 * a factor 1 + 2^-40 (a few hundred double operations, each off by at most 2^-53 relatively),
 * plus 2^-1074 per term for underflow. */
#include <math.h>
#include <string.h>

#include "config.h"
#include "num/fxball.h"

#ifdef FY_HAVE_FX

#ifdef FY_HAVE_CBLAS
#include <cblas.h>
#endif

typedef unsigned __int128 u128;

#define BITS FY_FX_BITS /* 126 */
#define XDIG 6           /* digits of a row mantissa (6 x 21 = 126 bits) */
#define WDIG 5           /* digits of a weight (5 x 21 = 105 bits below 2^gW) */
#define WBITS 105
#define DBITS 21
#define DMASK ((UINT64_C(1) << DBITS) - 1)
#define EMAX ((slong) 1 << 40)
#define RMAX 0x1p400
#define ROUNDUP (1 + 0x1p-40)
#define TINY 0x1p-1074

/* |x|, without a branch (signs follow the data) */
static inline u128 u128_abs(fy_fx_m x)
{
    u128 ms = (u128) (x >> 127); /* >> of a negative: all ones (gcc, clang) */
    return ((u128) x ^ ms) - ms;
}

/* Bit length of x (0 for 0). */
static inline int u128_bits(u128 x)
{
    uint64_t hi = (uint64_t) (x >> 64), lo = (uint64_t) x;
    if (hi != 0)
        return 128 - __builtin_clzll(hi);
    return lo != 0 ? 64 - __builtin_clzll(lo) : 0;
}

/* x 2^s for 0 <= s < 128 and |x| 2^s < 2^127 (through unsigned: no undefined shift) */
static inline fy_fx_m shl(fy_fx_m x, int s)
{
    return (fy_fx_m) ((u128) x << s);
}

int fy_fxtab_init(fy_fxtab_struct *t, slong rows, slong ld, fy_error_t err)
{
    slong r;
    memset(t, 0, sizeof *t);
    if (rows < 0 || ld < 1)
        return fy_error_set(err, FY_EINTERNAL, "fxball: table of %ld x %ld", (long) rows,
                            (long) ld);
    t->m = fy_malloc((size_t) (rows > 0 ? rows : 1) * (size_t) ld, sizeof(fy_fx_m), err);
    t->e = fy_malloc((size_t) (rows > 0 ? rows : 1), sizeof(slong), err);
    t->R = fy_malloc((size_t) (rows > 0 ? rows : 1), sizeof(double), err);
    if (t->m == NULL || t->e == NULL || t->R == NULL)
    {
        fy_fxtab_clear(t);
        return FY_ENOMEM;
    }
    t->rows = rows;
    t->ld = ld;
    for (r = 0; r < rows; r++)
        fy_fxtab_zero_row(t, r);
    return FY_OK;
}

void fy_fxtab_clear(fy_fxtab_struct *t)
{
    free(t->m);
    free(t->e);
    free(t->R);
    memset(t, 0, sizeof *t);
}

void fy_fxtab_copy_rows(fy_fxtab_struct *dst, slong rd, const fy_fxtab_struct *src, slong rs,
                        slong nrows, slong w)
{
    slong i;
    for (i = 0; i < nrows; i++)
    {
        memcpy(dst->m + (rd + i) * dst->ld, src->m + (rs + i) * src->ld,
               sizeof(fy_fx_m) * (size_t) w);
        dst->e[rd + i] = src->e[rs + i];
        dst->R[rd + i] = src->R[rs + i];
    }
}

/* Checks e, R of a finished row; 0 if they fit. */
static inline int row_ok(slong e, double R)
{
    return e > -EMAX && e < EMAX && R <= RMAX; /* R <= RMAX is false for NaN */
}

int fy_fxtab_set_row_arb(fy_fxtab_struct *t, slong r, arb_srcptr v, slong stride, slong w)
{
    slong a, e = WORD_MIN;
    fy_fx_m *m = t->m + r * t->ld;
    double R = 0;
    int inexact = 0;
    mag_t rel;

    for (a = 0; a < w; a++)
    {
        arb_srcptr x = v + a * stride;
        if (!arf_is_finite(arb_midref(x)) || mag_is_inf(arb_radref(x)))
            return 1;
        if (!arf_is_zero(arb_midref(x)))
        {
            if (COEFF_IS_MPZ(*ARF_EXPREF(arb_midref(x))))
                return 1;
            if (*ARF_EXPREF(arb_midref(x)) > e)
                e = *ARF_EXPREF(arb_midref(x)); /* |mid| < 2^exp */
        }
        if (!mag_is_zero(arb_radref(x)))
        {
            if (COEFF_IS_MPZ(MAG_EXP(arb_radref(x))))
                return 1;
            if (MAG_EXP(arb_radref(x)) > e)
                e = MAG_EXP(arb_radref(x)); /* rad < 2^exp */
        }
    }
    if (e == WORD_MIN)
    {
        fy_fxtab_zero_row(t, r);
        return 0;
    }
    if (e <= -EMAX || e >= EMAX)
        return 1;
    mag_init(rel);
    for (a = 0; a < w; a++)
    {
        arb_srcptr x = v + a * stride;
        const arf_struct *mid = arb_midref(x);
        m[a] = 0;
        if (!arf_is_zero(mid))
        {
            mp_srcptr xp;
            mp_size_t xn;
            u128 T;
            slong sh;
            int lost = 0;
            ARF_GET_MPN_READONLY(xp, xn, mid);
            /* |mid| = xp 2^(exp - 64 xn); keep the top two limbs */
            if (xn >= 2)
            {
                mp_size_t j;
                T = (u128) xp[xn - 1] << 64 | xp[xn - 2];
                for (j = 0; j < xn - 2; j++)
                    lost |= xp[j] != 0;
                sh = *ARF_EXPREF(mid) - 128 + BITS - e;
            }
            else
            {
                T = xp[0];
                sh = *ARF_EXPREF(mid) - 64 + BITS - e;
            }
            /* m = floor(T 2^sh) < 2^126 (a left shift only for one limb: sh <= 62) */
            if (sh >= 0)
                T <<= sh;
            else if (sh <= -128)
            {
                lost |= T != 0;
                T = 0;
            }
            else
            {
                lost |= (T & (((u128) 1 << -sh) - 1)) != 0;
                T >>= -sh;
            }
            inexact |= lost;
            m[a] = arf_sgn(mid) < 0 ? -(fy_fx_m) T : (fy_fx_m) T;
        }
        if (!mag_is_zero(arb_radref(x)))
        {
            double d;
            mag_mul_2exp_si(rel, arb_radref(x), -e);
            d = mag_get_d(rel); /* an upper bound */
            if (d > R)
                R = d;
        }
    }
    mag_clear(rel);
    if (inexact)
        R += 0x1p-126;
    t->e[r] = e;
    t->R[r] = R * ROUNDUP;
    return row_ok(e, t->R[r]) ? 0 : 1;
}

int fy_fxtab_set_row_d(fy_fxtab_struct *t, slong r, const double *v, slong stride, slong w)
{
    slong a;
    int e = INT32_MIN, inexact = 0;
    fy_fx_m *m = t->m + r * t->ld;

    for (a = 0; a < w; a++)
    {
        int ex;
        double x = v[a * stride];
        if (!isfinite(x))
            return 1;
        if (x != 0)
        {
            frexp(x, &ex);
            if (ex > e)
                e = ex;
        }
    }
    if (e == INT32_MIN)
    {
        fy_fxtab_zero_row(t, r);
        return 0;
    }
    for (a = 0; a < w; a++)
    {
        int ex, sh;
        double x = v[a * stride];
        uint64_t m53;
        u128 T;
        m[a] = 0;
        if (x == 0)
            continue;
        m53 = (uint64_t) ldexp(fabs(frexp(x, &ex)), 53); /* |x| = m53 2^(ex - 53) */
        sh = ex - 53 + BITS - e;                          /* <= 73 */
        if (sh >= 0)
            T = (u128) m53 << sh;
        else if (sh <= -64)
        {
            T = 0;
            inexact = 1;
        }
        else
        {
            T = m53 >> -sh;
            inexact |= (m53 & ((UINT64_C(1) << -sh) - 1)) != 0;
        }
        m[a] = x < 0 ? -(fy_fx_m) T : (fy_fx_m) T;
    }
    t->e[r] = e;
    t->R[r] = inexact ? 0x1p-126 * ROUNDUP : 0;
    return 0;
}

void fy_fxtab_get_arb(arb_t z, const fy_fxtab_struct *t, slong r, slong a, slong prec)
{
    fy_fx_m x;
    u128 u;
    mp_limb_t lim[2];
    if (t->e[r] == FY_FX_EZERO)
    {
        arb_zero(z);
        return;
    }
    x = t->m[r * t->ld + a];
    u = u128_abs(x);
    lim[0] = (mp_limb_t) u;
    lim[1] = (mp_limb_t) (u >> 64);
    if (u == 0)
        arf_zero(arb_midref(z));
    else
    {
        arf_set_mpn(arb_midref(z), lim, lim[1] != 0 ? 2 : 1, x < 0);
        arf_mul_2exp_si(arb_midref(z), arb_midref(z), t->e[r] - BITS);
    }
    mag_set_d(arb_radref(z), t->R[r]); /* an upper bound */
    mag_mul_2exp_si(arb_radref(z), arb_radref(z), t->e[r]);
    arb_set_round(z, z, prec);
}

/* ------------------------------------------------------------------ weights */

int fy_fxmat_init_arb(fy_fxmat_struct *M, arb_srcptr W, slong wn, slong wp)
{
    slong a, b, n = wn * wp, nsmall = 0;
    int g = INT32_MIN, t;
    double *Wv;

    memset(M, 0, sizeof *M);
    if (wn < 1 || wp < 1 || wp > FY_FX_MAXK)
        return 1;
    Wv = malloc(sizeof(double) * (size_t) n);
    if (Wv == NULL)
        return 1;
    for (a = 0; a < n; a++)
    {
        const arf_struct *x = arb_midref(W + a);
        int ex;
        if (!mag_is_zero(arb_radref(W + a)) || !arf_is_finite(x) ||
            (!arf_is_zero(x) && (arf_bits(x) > 53 || COEFF_IS_MPZ(*ARF_EXPREF(x)) ||
                                 *ARF_EXPREF(x) < -1021 || *ARF_EXPREF(x) > 1024)))
        {
            free(Wv);
            return 1;
        }
        /* normal range and <= 53 bits (the bound -1021 keeps clear of subnormals): exact */
        Wv[a] = arf_get_d(x, ARF_RND_DOWN);
        if (Wv[a] != 0)
        {
            frexp(Wv[a], &ex);
            if (ex > g)
                g = ex;
        }
    }
    M->wn = wn;
    M->wp = wp;
    M->gW = g == INT32_MIN ? 0 : g;
    for (a = 0; a < n; a++)
        if (Wv[a] != 0)
        {
            int ex;
            frexp(Wv[a], &ex);
            nsmall += M->gW - ex > 10;
        }
    /* the sparse list costs about 10 integer operations an entry and a row, the two digits it
     * saves 2 wn wp multiply-adds of dgemm a row */
    M->nd = nsmall <= n / 16 ? 3 : 5;
    M->Wd = calloc((size_t) (M->nd * n), sizeof(double));
    M->sp = M->nd == 3 ? malloc(sizeof(fy_fxsparse_struct) * (size_t) (nsmall + 1)) : NULL;
    if (M->Wd == NULL || (M->nd == 3 && M->sp == NULL))
    {
        free(Wv);
        fy_fxmat_clear(M);
        return 1;
    }
    for (a = 0; a < wn; a++)
    {
        double s = 0, tr = 0;
        slong ns0 = M->ns;
        for (b = 0; b < wp; b++)
        {
            double w = Wv[a * wp + b];
            int ex, sh;
            uint64_t m53;
            u128 F;
            s += fabs(w);
            if (w == 0)
                continue;
            m53 = (uint64_t) ldexp(fabs(frexp(w, &ex)), 53); /* |w| = m53 2^(ex - 53) */
            if (M->nd == 3 && M->gW - ex > 10)
            {
                fy_fxsparse_struct *e = M->sp + M->ns++;
                e->a = (int32_t) a;
                e->b = (int32_t) b;
                e->d = (int32_t) (M->gW - ex);
                e->neg = w < 0;
                e->m53 = m53;
                continue;
            }
            sh = ex - 53 + WBITS - (int) M->gW; /* <= 52 */
            if (sh >= 0)
                F = (u128) m53 << sh;
            else if (sh <= -64)
            {
                F = 0;
                tr += fabs(w);
            }
            else
            {
                F = m53 >> -sh;
                /* the bits dropped, exactly: (m53 mod 2^-sh) 2^(ex - 53) */
                tr += ldexp((double) (m53 & ((UINT64_C(1) << -sh) - 1)), ex - 53);
            }
            for (t = 0; t < M->nd; t++)
            {
                double d = (double) (uint64_t) ((F >> (DBITS * (WDIG - 1 - t))) & DMASK);
                M->Wd[((slong) t * wn + a) * wp + b] = w < 0 ? -d : d;
            }
        }
        if (M->ns - ns0 > M->smax)
            M->smax = M->ns - ns0;
        /* exact scalings (gW is the exponent of the largest |w|, so no overflow) */
        s = ldexp(s, (int) -M->gW);
        tr = ldexp(tr, (int) -M->gW);
        if (s > M->Winf)
            M->Winf = s;
        if (tr > M->Wtr)
            M->Wtr = tr;
    }
    /* sums of at most 65536 terms are off by less than 2^-37 relatively */
    M->Winf = M->Winf * (1 + 0x1p-36) + TINY;
    M->Wtr = M->Wtr > 0 ? M->Wtr * (1 + 0x1p-36) + TINY : 0;
    free(Wv);
    return 0;
}

void fy_fxmat_clear(fy_fxmat_struct *M)
{
    free(M->Wd);
    free(M->sp);
    memset(M, 0, sizeof *M);
}

/* ------------------------------------------------------------------ scratch */

void fy_fxwork_init(fy_fxwork_struct *w)
{
    memset(w, 0, sizeof *w);
}

void fy_fxwork_clear(fy_fxwork_struct *w)
{
    free(w->Xd);
    free(w->L);
    free(w->acc);
    free(w->A);
    free(w->neg);
    free(w->eq);
    free(w->sum);
    memset(w, 0, sizeof *w);
}

/* Grows *p to n elements of size sz; 0 on failure. */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
    void *q;
    if (n <= *cap)
        return 1;
    q = realloc(*p, n * sz);
    if (q == NULL)
        return 0;
    *p = q;
    *cap = n;
    return 1;
}

/* ------------------------------------------------------------------ the sliced product
 *
 * The mantissas of a row are cut into six 21-bit digits x_s (s = 0 most significant),
 * m = sum_s x_s 2^(21 (5 - s)), the dense part of W, scaled to 2^(gW - 105), into nd = 3 or 5,
 * mW = sum_t w_t 2^(21 (4 - t)); so sum_b m_b mW_b = sum_{s,t} D_st 2^(21 (9 - s - t)) with
 * D_st = sum_b x_s,b w_t,b.  For a block of k <= 256 terms |D_st| < k 2^42, and a level
 * L_l = sum_{s+t=l} D_st (at most five pairs) stays below 5 k 2^42 < 2^53: every partial sum
 * is an integer that double holds exactly, in any order of summation (FMA or not).  The pairs
 * with s + t <= 5 are kept (20 of 30 with five digits, 15 of 18 with three), as six dgemm
 * calls (one per s, against the stacked digit blocks t of W); the others weigh less than
 * k 2^42 sum over them of 2^(21 (9 - s - t)) (drop_weight).  With S0 = 105 + bits(wp) the
 * levels go into a 128-bit accumulator as acc = sum_l floor(L_l 2^(21 (9 - l) - S0)) (floors
 * for l = 4, 5 only, each off by less than 1), so |acc| < wp 2^(231 - S0) <= 2^126.  The
 * entries kept apart add floor(|m_b| m53 / 2^(S0 + d - 52)) each, in two halves (off by less
 * than 2).  So acc 2^S0 is the exact product up to
 * (2 (blocks) + k 2^(42 - S0) drop_weight + 2 smax) 2^S0.  Entry (r, a) is worth
 * acc 2^(e_r + gW + S0 - 231); the row is then normalised to 126 bits (left shifts only). */
#define KC 256
#define NB 256

/* C = beta C + A B^T (beta 0 or 1) */
static void dgemm_nt(slong m, slong n, slong k, const double *A, slong lda, const double *B,
                     slong ldb, double beta, double *C, slong ldc)
{
#ifdef FY_HAVE_CBLAS
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int) m, (int) n, (int) k, 1.0, A,
                (int) lda, B, (int) ldb, beta, C, (int) ldc);
#else
    slong i, j, p;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++)
        {
            double s = beta == 0 ? 0 : C[i * ldc + j];
            for (p = 0; p < k; p++)
                s += A[i * lda + p] * B[j * ldb + p];
            C[i * ldc + j] = s;
        }
#endif
}

/* The level L (an integer below 2^53 held in a double) times 2^sh as two 64-bit halves, for
 * 0 < sh < 64 (levels 1..3: with 106 <= S0 <= 122 their shifts are 4..62), for sh >= 64
 * (level 0: 67..83) and, as a floor, for -64 < sh < 0 (levels 4, 5: -38..-1). */
static inline u128 level_mid(double L, int sh)
{
    int64_t v = (int64_t) L;
    return (u128) ((uint64_t) (v >> (64 - sh))) << 64 | (uint64_t) v << sh;
}
static inline u128 level_top(double L, int sh)
{
    return (u128) ((uint64_t) (int64_t) L << (sh - 64)) << 64;
}
static inline u128 level_low(double L, int sh)
{
    int64_t v = (int64_t) L >> -sh; /* floor */
    return (u128) (uint64_t) (v >> 63) << 64 | (uint64_t) v;
}

/* sum over the pairs (s < 6, t < nd) with s + t >= 6 of 2^(21 (9 - s - t)) 2^-63, rounded up */
static double drop_weight(int nd)
{
    double w = 0;
    int s, t;
    for (s = 0; s < XDIG; s++)
        for (t = 0; t < nd; t++)
            if (s + t >= XDIG)
                w += ldexp(1.0, DBITS * (9 - s - t) - 63);
    return w * ROUNDUP;
}

int fy_fx_gemm(fy_fxtab_struct *dst, slong rd, const fy_fxtab_struct *src, slong rs, slong nr,
               const fy_fxmat_struct *M, fy_fxwork_struct *wk)
{
    const slong wn = M->wn, wp = M->wp, lds = src->ld, ldd = dst->ld;
    const int S0 = WBITS + u128_bits((u128) wp);
    const double acc_err = 2.0 * (double) ((wp + KC - 1) / KC) + 2.0 * (double) M->smax +
                           ldexp((double) wp * drop_weight(M->nd), 42 + 63 - S0);
    slong r0, i, a, b, e;
    int s, l, sh[XDIG];

    for (l = 0; l < XDIG; l++)
        sh[l] = DBITS * (9 - l) - S0; /* 67..83, 46..62, 25..41, 4..20, -17..-1, -38..-22 */

    if (!grow((void **) &wk->Xd, &wk->nXd, (size_t) (XDIG * NB * wp), sizeof(double)) ||
        !grow((void **) &wk->L, &wk->nL, (size_t) (XDIG * NB * wn), sizeof(int64_t)) ||
        !grow((void **) &wk->acc, &wk->nacc, (size_t) (NB * wn), sizeof(fy_fx_m)))
        return 1;
    for (r0 = 0; r0 < nr; r0 += NB)
    {
        const slong nb = nr - r0 < NB ? nr - r0 : NB;
        double *Xd = wk->Xd, *Lv = wk->L;
        fy_fx_m *acc = wk->acc;
        slong b0;

        /* digits of the rows */
        for (i = 0; i < nb; i++)
        {
            const fy_fx_m *m = src->m + (rs + r0 + i) * lds;
            if (src->e[rs + r0 + i] == FY_FX_EZERO)
            {
                for (s = 0; s < XDIG; s++)
                    memset(Xd + ((slong) s * nb + i) * wp, 0, sizeof(double) * (size_t) wp);
                continue;
            }
            for (b = 0; b < wp; b++)
            {
                u128 u = u128_abs(m[b]);
                uint64_t hi = (uint64_t) (u >> 63), lo = (uint64_t) u & ((UINT64_C(1) << 63) - 1);
                const double sg = (double) (1 - 2 * (int) ((u128) m[b] >> 127));
                /* 126 bits = hi (63) . lo (63): three digits in each */
                Xd[(0 * nb + i) * wp + b] = sg * (double) (hi >> 42);
                Xd[(1 * nb + i) * wp + b] = sg * (double) ((hi >> 21) & DMASK);
                Xd[(2 * nb + i) * wp + b] = sg * (double) (hi & DMASK);
                Xd[(3 * nb + i) * wp + b] = sg * (double) (lo >> 42);
                Xd[(4 * nb + i) * wp + b] = sg * (double) ((lo >> 21) & DMASK);
                Xd[(5 * nb + i) * wp + b] = sg * (double) (lo & DMASK);
            }
        }
        memset(acc, 0, sizeof(fy_fx_m) * (size_t) (nb * wn));
        for (b0 = 0; b0 < wp; b0 += KC)
        {
            /* Lv row i: the levels 0..5 side by side (wn each); the dgemm for digit s adds
             * its blocks t into levels s + t (beta = 1: integer sums, exact) */
            const slong kk = wp - b0 < KC ? wp - b0 : KC, ldl = XDIG * wn;
            memset(Lv, 0, sizeof(double) * (size_t) (nb * ldl));
            for (s = 0; s < XDIG; s++)
            {
                const int nt = M->nd < XDIG - s ? M->nd : XDIG - s; /* t <= 5 - s */
                dgemm_nt(nb, nt * wn, kk, Xd + (slong) s * nb * wp + b0, wp, M->Wd + b0, wp, 1.0,
                         Lv + (slong) s * wn, ldl);
            }
            for (i = 0; i < nb; i++)
            {
                const double *L0 = Lv + i * ldl, *L1 = L0 + wn, *L2 = L1 + wn, *L3 = L2 + wn,
                             *L4 = L3 + wn, *L5 = L4 + wn;
                fy_fx_m *ac = acc + i * wn;
                for (a = 0; a < wn; a++)
                    ac[a] += (fy_fx_m) (level_top(L0[a], sh[0]) + level_mid(L1[a], sh[1]) +
                                        level_mid(L2[a], sh[2]) + level_mid(L3[a], sh[3]) +
                                        level_low(L4[a], sh[4]) + level_low(L5[a], sh[5]));
            }
        }
        /* the entries kept apart: |m| m53 / 2^k, k = S0 + d - 52 >= 65 */
        for (e = 0; e < M->ns; e++)
        {
            const fy_fxsparse_struct *sp = M->sp + e;
            const int k = S0 + sp->d - 52;
            if (k >= 192)
                continue; /* below one unit: in the error bound */
            for (i = 0; i < nb; i++)
            {
                fy_fx_m x = src->m[(rs + r0 + i) * lds + sp->b];
                u128 u = u128_abs(x), t, mk;
                u128 hi = (u128) (uint64_t) (u >> 64) * sp->m53, lo = (u128) (uint64_t) u * sp->m53;
                t = (k - 64 < 128 ? hi >> (k - 64) : 0) + (k < 128 ? lo >> k : 0);
                mk = (u128) (x >> 127) ^ ((u128) 0 - (u128) sp->neg);
                acc[i * wn + sp->a] += (fy_fx_m) ((t ^ mk) - mk);
            }
        }
        /* normalise the rows; the radius in units of 2^e_P */
        for (i = 0; i < nb; i++)
        {
            const slong sr = rs + r0 + i, dr = rd + r0 + i;
            const fy_fx_m *ac = acc + i * wn;
            fy_fx_m *out = dst->m + dr * ldd;
            u128 any = 0;
            int B, ls;
            slong eP;
            double R;
            if (src->e[sr] == FY_FX_EZERO)
            {
                fy_fxtab_zero_row(dst, dr);
                continue;
            }
            for (a = 0; a < wn; a++)
                any |= u128_abs(ac[a]);
            B = u128_bits(any);             /* <= 126 */
            ls = B == 0 ? 0 : BITS - B;     /* left shift */
            eP = src->e[sr] + M->gW + S0 - WBITS - ls;
            /* through |W| and W's truncation (each |x| < 2^e_r), and the accumulator's errors:
             * 2^(e_r + gW - e_P) = 2^(105 - S0 + ls), its unit 2^(-126 + ls) */
            R = ldexp((M->Winf * src->R[sr] + M->Wtr), WBITS - S0 + ls) +
                ldexp(acc_err, ls - BITS) + 2 * TINY;
            R *= ROUNDUP;
            if (!row_ok(eP, R))
                return 1;
            for (a = 0; a < wn; a++)
                out[a] = shl(ac[a], ls);
            dst->e[dr] = eP;
            dst->R[dr] = R;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ sums of products
 *
 * floor(u v / 2^126) for u, v < 2^126, from below with an error under 2: with
 * u = uH 2^64 + uL, v = vH 2^64 + vL (uH, vH < 2^62),
 * u v / 2^126 = uH vH 2^2 + (uH vL + uL vH + uL vL 2^-64) 2^-62; the low word of uL vL and
 * the floor of the second part lose less than 1 + 2^-62.  (uH vL + uL vH + hi < 2^127.) */
static inline u128 prodtop(u128 u, u128 v)
{
    uint64_t uH = (uint64_t) (u >> 64), uL = (uint64_t) u, vH = (uint64_t) (v >> 64),
             vL = (uint64_t) v;
    u128 hh = (u128) uH * vH;
    u128 mid = (u128) uH * vL + (u128) uL * vH + (uint64_t) (((u128) uL * vL) >> 64);
    return (hh << 2) + (mid >> 62);
}

/* The term q of entry (xi, a) is c_q mA mB 2^(eA + eB - 252) with |mA mB| < 2^252: in units
 * u = 2^(E - 126), E = max_q (eA + eB) + h and 2^h > sum c_q, it is below c_q 2^(126 - h),
 * so the sum stays below 2^126.  prodtop gives mA mB 2^(e_q - 252) in units 2^(e_q - 126)
 * less at most 2, the shift by E - e_q >= h to units u loses less than 1 more, and the
 * factor c_q multiplies both: 3 c_q units per term.  The radius:
 * |ab - a'b'| <= |a'| rB + |b'| rA + rA rB <= 2^(eA + eB) (RA + RB + RA RB). */
int fy_fx_mulsum(fy_fxtab_struct *dst, slong rd, slong nx, int nK,
                 const fy_fxtab_struct *const *A, const slong *ra,
                 const fy_fxtab_struct *const *B, const slong *rb, const slong *c, slong w,
                 fy_fxwork_struct *wk)
{
    slong xi, a;
    int q;
    u128 *As;
    unsigned char *negA;

    if (!grow((void **) &wk->A, &wk->nA, (size_t) (nK * w), sizeof(fy_fx_m)) ||
        !grow((void **) &wk->neg, &wk->nneg, (size_t) (nK * w), 1) ||
        !grow((void **) &wk->eq, &wk->neq, (size_t) nK, sizeof(slong)) ||
        !grow((void **) &wk->sum, &wk->nsum, (size_t) w, sizeof(fy_fx_m)))
        return 1;
    As = (u128 *) wk->A;
    negA = wk->neg;
    for (q = 0; q < nK; q++)
    {
        const fy_fxtab_struct *T = A[q];
        const fy_fx_m *m = T->m + ra[q] * T->ld;
        if (T->e[ra[q]] == FY_FX_EZERO)
            continue;
        for (a = 0; a < w; a++)
        {
            As[(slong) q * w + a] = u128_abs(m[a]);
            negA[(slong) q * w + a] = m[a] < 0;
        }
    }
    for (xi = 0; xi < nx; xi++)
    {
        slong E = WORD_MIN, *e_q = wk->eq, dr = rd + xi, sumc = 0;
        int h, live = 0, Bn;
        fy_fx_m *acc = wk->sum;
        double Rs = 0, R;
        u128 any = 0;

        for (q = 0; q < nK; q++)
        {
            slong eA = A[q]->e[ra[q]], eB = B[q]->e[rb[q] + xi];
            e_q[q] = WORD_MIN;
            if (eA == FY_FX_EZERO || eB == FY_FX_EZERO)
                continue;
            e_q[q] = eA + eB;
            if (e_q[q] > E)
                E = e_q[q];
            sumc += c[q];
            live++;
        }
        if (live == 0)
        {
            fy_fxtab_zero_row(dst, dr);
            continue;
        }
        h = u128_bits((u128) sumc); /* 2^h > sumc */
        E += h;
        memset(acc, 0, sizeof(fy_fx_m) * (size_t) w);
        for (q = 0; q < nK; q++)
        {
            const fy_fxtab_struct *T = B[q];
            const fy_fx_m *mB = T->m + (rb[q] + xi) * T->ld;
            const u128 *u = As + (slong) q * w;
            const unsigned char *ng = negA + (slong) q * w;
            const slong cq = c[q];
            slong sh;
            double RA, RB;
            if (e_q[q] == WORD_MIN)
                continue;
            sh = E - e_q[q];
            RA = A[q]->R[ra[q]];
            RB = T->R[rb[q] + xi];
            /* 2^(e_q - E) (an exponent below -2000 only makes the bound larger) */
            Rs += ldexp((double) cq * (RA + RB + RA * RB),
                        (int) (e_q[q] - E < -2000 ? -2000 : e_q[q] - E)) +
                  TINY;
            if (sh >= 128)
                continue;
            /* the signs by masks, not branches (they follow the data: unpredictable) */
            if (cq == 1)
                for (a = 0; a < w; a++)
                {
                    fy_fx_m y = mB[a];
                    u128 ms = (u128) (fy_fx_m) (y >> 127), p;
                    u128 mk = ms ^ ((u128) 0 - (u128) ng[a]);
                    p = prodtop(u[a], ((u128) y ^ ms) - ms) >> sh;
                    acc[a] += (fy_fx_m) ((p ^ mk) - mk);
                }
            else
                for (a = 0; a < w; a++)
                {
                    fy_fx_m y = mB[a];
                    u128 ms = (u128) (fy_fx_m) (y >> 127), p;
                    u128 mk = ms ^ ((u128) 0 - (u128) ng[a]);
                    p = (prodtop(u[a], ((u128) y ^ ms) - ms) >> sh) * (u128) cq;
                    acc[a] += (fy_fx_m) ((p ^ mk) - mk);
                }
        }
        Rs += 3.0 * (double) sumc * 0x1p-126;
        for (a = 0; a < w; a++)
            any |= u128_abs(acc[a]);
        Bn = u128_bits(any);
        if (Bn == 0)
        {
            if (Rs == 0)
            {
                fy_fxtab_zero_row(dst, dr);
                continue;
            }
            R = Rs * ROUNDUP;
            if (!row_ok(E, R))
                return 1;
            memset(dst->m + dr * dst->ld, 0, sizeof(fy_fx_m) * (size_t) w);
            dst->e[dr] = E;
            dst->R[dr] = R;
            continue;
        }
        /* |acc| < 2^126: shift left to 126 bits, exactly */
        {
            int s = BITS - Bn;
            fy_fx_m *out = dst->m + dr * dst->ld;
            R = ldexp(Rs, s) * ROUNDUP;
            if (!row_ok(E - s, R))
                return 1;
            for (a = 0; a < w; a++)
                out[a] = shl(acc[a], s);
            dst->e[dr] = E - s;
            dst->R[dr] = R;
        }
    }
    return 0;
}

#endif /* FY_HAVE_FX */
