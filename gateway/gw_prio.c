/* gw_prio.c — per-thread nice values for the delivery threads (see gw_prio.h). */
#include "gw_prio.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int set_nice(pw_gw_prio *p, int nice)
{
    if (nice == p->now)
        return 0;
    if (setpriority(PRIO_PROCESS, (id_t)p->tid, nice) != 0)
        return -1;
    p->now = nice;
    return 0;
}

int pw_gw_prio_init(pw_gw_prio *p, int nice)
{
    p->tid = (int)syscall(SYS_gettid);
    errno = 0;
    int cur = getpriority(PRIO_PROCESS, (id_t)p->tid);
    if (errno != 0)
        cur = 0;
    p->base = p->lowered = p->now = cur;
    p->boosted = 0;
    return pw_gw_prio_set(p, nice);
}

int pw_gw_prio_set(pw_gw_prio *p, int nice)
{
    if (nice < 0)
        nice = 0;
    int want = p->base + nice > PW_GW_NICE_MAX ? PW_GW_NICE_MAX : p->base + nice;
    if (want < p->base)
        want = p->base; /* a process already above 19 - nice */
    if (set_nice(p, want) != 0)
        return -1;
    p->lowered = want;
    p->boosted = 0;
    return 0;
}

int pw_gw_prio_boost(pw_gw_prio *p, int boost)
{
    if (p->lowered == p->base || p->boosted == !!boost)
        return 0;
    if (set_nice(p, boost ? p->base : p->lowered) != 0)
        return -1;
    p->boosted = !!boost;
    return 0;
}

int pw_gw_prio_of(int tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -100;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "tid (comm) state ppid …": field 19 is nice; comm may hold spaces and ')', so fields are
     * counted from the last ')'. */
    char *s = NULL;
    for (char *q = buf; *q; q++)
        if (*q == ')')
            s = q;
    if (!s)
        return -100;
    int field = 2, nice = -100;
    for (char *tok = s + 1; *tok; tok++) {
        if (*tok != ' ')
            continue;
        if (++field == 19) {
            if (sscanf(tok + 1, "%d", &nice) != 1)
                return -100;
            break;
        }
    }
    return nice;
}
