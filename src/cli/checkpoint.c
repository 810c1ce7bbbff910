/* checkpoint.c - the notes of a resumed run on standard error (resume, issue 15), the same for
 * every command that takes --checkpoint DIR: what the store held that was not used, and what
 * was read back.  They differ between a first and a resumed run; the output does not. */
#include <stdio.h>

#include "cli/cli.h"

void fy_cli_checkpoint_note(const char *cmd, const fy_par_store_t st, uint64_t total,
                            const char *what)
{
    if (!fy_par_store_is_open(st))
        return;
    if (st->refused)
        fprintf(stderr, "feynn %s: %s: %llu unusable chunk(s) (another run's, damaged or "
                        "truncated) ignored and recomputed\n",
                cmd, st->dir, (unsigned long long) st->refused);
    if (st->resumed)
        fprintf(stderr, "feynn %s: %s: resumed: %llu of %llu %s read back\n", cmd, st->dir,
                (unsigned long long) st->resumed, (unsigned long long) total, what);
}
