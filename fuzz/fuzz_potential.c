/* Fuzz target: the potential format of doc/potential-format.md.  Bad input must be refused
 * with FY_EINPUT (or FY_ENOMEM) and a message; a potential that reads must write back exactly
 * and read again to the same breakpoints and heights. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feynn/born.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fy_born_potential_t pot, back;
    fy_error_t err;
    char *text;
    slong j;

    fy_error_init(err);
    fy_born_potential_init(pot);
    fy_born_potential_init(back);
    if (fy_born_potential_parse(pot, (const char *) data, size, "fuzz", NULL, err) != FY_OK)
    {
        if ((err->code != FY_EINPUT && err->code != FY_ENOMEM) || err->msg[0] == '\0' ||
            strncmp(err->msg, "fuzz:", 5) != 0)
            abort();
        goto done;
    }
    if (pot->d < 1 || !fmpq_is_zero(pot->r))
        abort();
    for (j = 1; j <= pot->d; j++)
        if (fmpq_cmp(pot->r + j, pot->r + j - 1) <= 0)
            abort();
    if (fy_born_potential_write(&text, pot, err) != FY_OK)
        abort();
    if (fy_born_potential_parse(back, text, strlen(text), "fuzz-back", NULL, err) != FY_OK ||
        back->d != pot->d)
        abort();
    for (j = 0; j <= pot->d; j++)
        if (!fmpq_equal(pot->r + j, back->r + j))
            abort();
    for (j = 0; j < pot->d; j++)
        if (!fmpq_equal(pot->U + j, back->U + j))
            abort();
    free(text);
done:
    fy_born_potential_clear(pot);
    fy_born_potential_clear(back);
    return 0;
}
