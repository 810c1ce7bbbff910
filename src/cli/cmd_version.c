/* feynn version: the version and what the build found. */
#include <stdio.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "config.h"
#include "cli/cli.h"
#include "cli/opt.h"
#include "feynn/num.h"

const fy_opt_cmd_t fy_opt_version = {
    .name = "version",
    .usage = "",
    .intro = "Prints the version of feynn and of the libraries it was built with (the same as\n"
             "feynn --version).",
    .common = FY_OPT_QUIET, /* accepted as by every command (issue 10 item 18); no bar */
    .max_operands = 0,
};

int fy_cmd_version(int argc, char **argv)
{
    fy_opt_state_t st;
    int rc;
    fy_opt_state_init(st);
    rc = fy_opt_parse(st, NULL, &fy_opt_version, argc, argv, NULL, 0);
    fy_opt_state_clear(st);
    if (rc != 0)
        return rc;
    if (st->help)
    {
        fy_opt_help(stdout, &fy_opt_version, 0);
        return 0;
    }
    printf("feynn %s\n", PACKAGE_VERSION);
#ifdef ARB_VERSION
    printf("FLINT %s, Arb %s, GMP %s, MPFR %s\n", FLINT_VERSION, ARB_VERSION, gmp_version,
           mpfr_get_version());
#else
    printf("FLINT %s (Arb inside), GMP %s, MPFR %s\n", FLINT_VERSION, gmp_version,
           mpfr_get_version());
#endif
    printf("nauty %s, CBLAS %s, OpenMP %s, MPI %s, PLplot %s\n",
#ifdef FY_HAVE_NAUTY
           "yes",
#else
           "no",
#endif
#ifdef FY_HAVE_CBLAS
           "yes",
#else
           "no",
#endif
#ifdef _OPENMP
           "yes",
#else
           "no",
#endif
#ifdef FY_HAVE_MPI
           "yes",
#else
           "no",
#endif
#ifdef FY_HAVE_PLPLOT
           "yes"
#else
           "no"
#endif
    );
    return 0;
}
