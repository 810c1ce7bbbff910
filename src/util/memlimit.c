/* The process-wide memory limit: see feynn/util.h (fy_memory_limit). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feynn/util.h"

static size_t limit_set;    /* 0: not set by fy_memory_limit_set */
static int env_read;        /* FEYNN_MEMORY_LIMIT looked at */
static size_t limit_env;    /* 0: unset or unparseable */

int fy_memory_limit_parse(size_t *bytes, const char *text, fy_error_t err)
{
    const char *p = text;
    char *end;
    double x, mult = 1;

    if (text == NULL || *text == '\0')
        return fy_error_set(err, FY_EUSAGE, "memory limit: empty value; write e.g. 8G, 512M "
                            "or a number of bytes");
    while (isspace((unsigned char) *p))
        p++;
    if (!isdigit((unsigned char) *p) && *p != '.')
        return fy_error_set(err, FY_EUSAGE, "memory limit '%s': expected a positive size such "
                            "as 8G, 512M, 1.5GiB or a number of bytes", text);
    errno = 0;
    x = strtod(p, &end);
    if (errno != 0 || end == p)
        return fy_error_set(err, FY_EUSAGE, "memory limit '%s': not a number", text);
    while (isspace((unsigned char) *end))
        end++;
    switch (toupper((unsigned char) *end))
    {
    case '\0': mult = 1; break;
    case 'K': mult = 1024.0; end++; break;
    case 'M': mult = 1048576.0; end++; break;
    case 'G': mult = 1073741824.0; end++; break;
    case 'T': mult = 1099511627776.0; end++; break;
    case 'B': break;
    default:
        return fy_error_set(err, FY_EUSAGE, "memory limit '%s': unknown unit '%s' (use K, M, "
                            "G or T, powers of 1024)", text, end);
    }
    if (mult > 1 && (end[0] == 'i' || end[0] == 'I') && (end[1] == 'B' || end[1] == 'b'))
        end += 2;
    else if (end[0] == 'B' || end[0] == 'b')
        end++;
    if (*end != '\0')
        return fy_error_set(err, FY_EUSAGE, "memory limit '%s': unexpected '%s' after the "
                            "size", text, end);
    x *= mult;
    if (!(x >= 1))
        return fy_error_set(err, FY_EUSAGE, "memory limit '%s': must be at least 1 byte", text);
    *bytes = x >= (double) SIZE_MAX ? SIZE_MAX : (size_t) x;
    return FY_OK;
}

size_t fy_memory_limit_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double phys;
    if (pages <= 0 || page <= 0)
        return (size_t) 1 << 34; /* 16 GiB when the system does not say */
    phys = (double) pages * (double) page * 0.75;
    return phys >= (double) SIZE_MAX ? SIZE_MAX : (size_t) phys;
}

size_t fy_memory_limit(void)
{
    if (limit_set)
        return limit_set;
    if (!env_read)
    {
        const char *v = getenv("FEYNN_MEMORY_LIMIT");
        size_t b;
        env_read = 1;
        if (v != NULL && *v != '\0' && fy_memory_limit_parse(&b, v, NULL) == FY_OK)
            limit_env = b;
    }
    return limit_env ? limit_env : fy_memory_limit_default();
}

void fy_memory_limit_set(size_t bytes)
{
    limit_set = bytes;
}

int fy_memory_limit_from_env(fy_error_t err)
{
    const char *v = getenv("FEYNN_MEMORY_LIMIT");
    size_t b;
    int rc;
    env_read = 1;
    limit_env = 0;
    if (v == NULL || *v == '\0')
        return FY_OK;
    if ((rc = fy_memory_limit_parse(&b, v, err)) != FY_OK)
        return fy_error_prefix(err, "FEYNN_MEMORY_LIMIT");
    limit_env = b;
    return FY_OK;
}
