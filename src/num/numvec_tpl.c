/* Template (included by numvec_{d,arb,fmpq}.c): entrywise vector kernels. */

void FY_FN(_fy_vec_add)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y, slong n, slong prec)
{
    slong i;
    for (i = 0; i < n; i++)
        FY_EL_ADD(z + i, x + i, y + i);
}

void FY_FN(_fy_vec_sub)(fy_el_ptr z, fy_el_srcptr x, fy_el_srcptr y, slong n, slong prec)
{
    slong i;
    for (i = 0; i < n; i++)
        FY_EL_SUB(z + i, x + i, y + i);
}

void FY_FN(_fy_vec_neg)(fy_el_ptr z, fy_el_srcptr x, slong n, slong prec)
{
    slong i;
    (void) prec;
    for (i = 0; i < n; i++)
        FY_EL_NEG(z + i, x + i);
}

void FY_FN(_fy_vec_scale_fmpq)(fy_el_ptr z, fy_el_srcptr x, const fmpq_t c, slong n, slong prec)
{
    slong i;
    fy_el_t t;
    FY_EL_INIT(t);
    FY_EL_SET_FMPQ(t, c);
    for (i = 0; i < n; i++)
        FY_EL_MUL(z + i, x + i, t);
    FY_EL_CLEAR(t);
}
