/* Precision raising for ball computations: re-run at doubled precision until the outputs are
 * as accurate as asked, and say what was reached (DESIGN.md, Numbers). */
#include "feynn/num.h"

/* Smallest relative accuracy over the outputs; an exact zero is as accurate as can be. */
static slong min_rel_bits(arb_srcptr out, slong nout)
{
    slong i, r, best = ARF_PREC_EXACT;
    for (i = 0; i < nout; i++)
    {
        if (arb_is_zero(out + i))
            continue;
        r = arb_rel_accuracy_bits(out + i);
        if (r < best)
            best = r;
    }
    return best;
}

int fy_ball_refine(arb_ptr out, slong nout, fy_ball_eval_fn f, void *data, slong prec0,
                   slong max_prec, slong want_rel_bits, slong *prec_used,
                   slong *rel_bits_reached, fy_error_t err)
{
    slong prec, reached = 0;
    int rc;

    if (prec_used != NULL)
        *prec_used = 0;
    if (rel_bits_reached != NULL)
        *rel_bits_reached = 0;
    if (f == NULL || nout < 0 || prec0 < 2 || max_prec < prec0)
        return fy_error_set(err, FY_EINPUT, "fy_ball_refine: need a function, nout >= 0 and "
                            "2 <= prec0 <= max_prec (got nout %ld, prec0 %ld, max_prec %ld)",
                            (long) nout, (long) prec0, (long) max_prec);
    for (prec = prec0;; prec = (prec > max_prec / 2 ? max_prec : 2 * prec))
    {
        rc = f(out, nout, prec, data, err);
        if (rc != FY_OK)
        {
            if (prec_used != NULL)
                *prec_used = prec;
            return rc;
        }
        reached = min_rel_bits(out, nout);
        if (prec_used != NULL)
            *prec_used = prec;
        if (rel_bits_reached != NULL)
            *rel_bits_reached = reached;
        if (reached >= want_rel_bits)
            return FY_OK;
        if (prec >= max_prec)
            break;
    }
    return fy_error_set(err, FY_ECHECK, "requested %ld bits of relative accuracy, reached %ld "
                        "bits at the maximum precision %ld bits%s; raise the maximum precision or "
                        "ask for less", (long) want_rel_bits, (long) reached, (long) max_prec,
                        reached < 0 ? " (some result is not yet distinguished from zero)" : "");
}
