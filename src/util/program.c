/* program.c - helper programs on PATH (util.h): Graphviz's dot for the demos' diagrams. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feynn/util.h"

extern char **environ;

int fy_program_available(const char *prog)
{
    const char *p = getenv("PATH");
    char buf[4096];
    while (p != NULL && *p)
    {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t) (e - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int) n, p, prog);
        if (access(buf, X_OK) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int fy_program_run(char *const argv[])
{
    pid_t pid;
    int st;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
