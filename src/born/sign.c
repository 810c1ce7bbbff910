/* sign.c - the sign convention of reported scattering lengths (see born.h). */
#include "born/born_internal.h"

const char *fy_born_convention(int sign)
{
    return sign == FY_BORN_SIGN_OPPOSITE ? FY_BORN_CONVENTION_OPPOSITE : FY_BORN_CONVENTION;
}

const char *fy_born_sign_name(int sign)
{
    return sign == FY_BORN_SIGN_OPPOSITE ? "opposite" : "standard";
}

void fy_born_apply_sign(fmpq *terms, slong n, fy_symtensor_struct *T, slong nT, arb_t a0,
                        int sign)
{
    slong k;
    if (sign != FY_BORN_SIGN_OPPOSITE)
        return;
    for (k = 0; terms != NULL && k < n; k++)
        fmpq_neg(terms + k, terms + k);
    for (k = 0; T != NULL && k < nT; k++)
        fy_numvec_neg(&T[k].e, &T[k].e, NULL); /* in place: cannot fail */
    if (a0 != NULL)
        arb_neg(a0, a0);
}
