/* Fuzz target: rule files.  Any input either parses, or is refused with FY_EINPUT (or
 * FY_ENOMEM) and a message that starts with "fuzz:LINE:COLUMN: ".  What parses is exercised:
 * vertex polynomials of low order, exact values at 0 (which must lie in the ball values at 0),
 * values at a point in ball and double arithmetic, kind lookups and label expansion. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int has_position(const char *msg)
{
    const char *p = msg;
    int digits;
    if (strncmp(p, "fuzz:", 5) != 0)
        return 0;
    p += 5;
    for (digits = 0; *p >= '0' && *p <= '9'; p++)
        digits++;
    if (digits == 0 || *p++ != ':')
        return 0;
    for (digits = 0; *p >= '0' && *p <= '9'; p++)
        digits++;
    return digits > 0 && p[0] == ':' && p[1] == ' ';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_rules_t r;
    fy_error_t err;
    fmpq_poly_t P;
    fmpq_t v, zero;
    arb_t z, b;
    int i, j;
    ulong k;

    if (size > 65536)
        return 0;
    fy_error_init(err);
    fy_rules_init(r);
    if (fy_rules_parse(r, (const char *) data, size, "fuzz", err) != FY_OK)
    {
        if (err->code == FY_ENOMEM)
            ;
        else if (err->code != FY_EINPUT || !has_position(err->msg))
            abort();
        if (r->ntheories != 0 || r->nacts != 0)
            abort();
        fy_rules_clear(r);
        return 0;
    }
    fmpq_poly_init(P);
    fmpq_init(v);
    fmpq_init(zero);
    arb_init(z);
    arb_init(b);
    for (i = 0; i < r->nacts; i++)
    {
        const fy_activation_struct *a = r->acts + i;
        fy_activation_t c;
        double d;
        for (k = 0; k <= 5; k++)
        {
            fy_activation_poly(P, a, k, NULL);
            if (fy_activation_eval_fmpq(v, a, k, zero, NULL) == FY_OK)
            {
                arb_zero(z);
                if (fy_activation_eval_arb(b, a, k, z, 64, NULL) == FY_OK && arb_is_finite(b) &&
                    !arb_contains_fmpq(b, v))
                    abort();
            }
            arb_set_d(z, 0.375);
            fy_activation_eval_arb(b, a, k, z, 64, NULL);
            fy_activation_eval_d(&d, a, k, -0.625, NULL);
        }
        fy_activation_last_nonzero(a);
        fy_activation_init(c);
        if (fy_activation_set(c, a, NULL) == FY_OK && c->nparams > 0)
        {
            fmpq_set_si(v, -3, 7);
            if (fy_activation_set_param(c, c->param_names[0], v, NULL) == FY_OK)
                fy_activation_poly(P, c, 3, NULL);
        }
        fy_activation_clear(c);
    }
    for (i = 0; i < r->ntheories; i++)
    {
        const fy_theory_struct *th = r->theories + i;
        for (j = 0; j < th->nkinds; j++)
        {
            const fy_kind_struct *kd = th->kinds + j;
            fy_label_vars_struct lv = {2, 1, 0, 3};
            char buf[64];
            const char *names[1];
            long vals[1] = {3};
            if (fy_theory_kind(th, kd->cls, kd->name) == NULL)
                abort();
            fy_rules_format_label(buf, sizeof buf, kd->label, &lv);
            names[0] = th->nsymbols > 0 ? th->symbols[0] : "H";
            fy_kind_level_ok(kd, 1, names, vals, 1);
            fy_kind_valence_ok(kd, 3);
        }
    }
    fmpq_poly_clear(P);
    fmpq_clear(v);
    fmpq_clear(zero);
    arb_clear(z);
    arb_clear(b);
    fy_rules_clear(r);
    return 0;
}
