/* feynn version: the version and what the build found. */
#include <stdio.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "config.h"
#include "cli/cli.h"
#include "feynn/num.h"

int fy_cmd_version(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
    {
        printf("Usage: feynn version\n       feynn --version\n\n"
               "Prints the version of feynn and of the libraries it was built with.\n");
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
