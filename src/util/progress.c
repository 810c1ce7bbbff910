/* Progress bar on stderr; see feynn/util.h. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "feynn/util.h"

double fy_wall_time(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

void fy_progress_init(fy_progress_t p, const char *label, double total, int enable)
{
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->start = fy_wall_time();
    p->last_draw = 0;
    p->enabled = enable < 0 ? isatty(fileno(stderr)) : enable;
    p->drawn = 0;
}

void fy_progress_update(fy_progress_t p, double done)
{
    double now, frac;
    int i, fill;

    if (!p->enabled)
        return;
    now = fy_wall_time();
    if (p->drawn && now - p->last_draw < 0.2 && done < p->total)
        return;
    p->last_draw = now;
    p->drawn = 1;
    frac = done / p->total;
    frac = frac < 0 ? 0 : (frac > 1 ? 1 : frac);
    fill = (int) (frac * 30);
    fprintf(stderr, "\r%-16s [", p->label);
    for (i = 0; i < 30; i++)
        fputc(i < fill ? '#' : '.', stderr);
    fprintf(stderr, "] %5.1f%%  %6.1fs", 100 * frac, now - p->start);
    fflush(stderr);
}

void fy_progress_clear(fy_progress_t p)
{
    if (p->enabled && p->drawn)
    {
        fprintf(stderr, "\r%*s\r", 70, "");
        fflush(stderr);
    }
    p->drawn = 0;
}
