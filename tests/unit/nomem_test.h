/*
 * nomem_test.h — TEST-ONLY: what the out-of-memory tests share: a probe callback that refuses the
 * k-th allocation it is asked about (phiwall/json_reserve.h's pw_json_probe, the gateway's
 * pw_gw_jt_probe), and texts made by repeating a unit.
 */
#ifndef PW_NOMEM_TEST_H
#define PW_NOMEM_TEST_H

#include <stdlib.h>
#include <string.h>

/* Fails the allocation numbered fail_at (1-based; 0: none); counts them all. */
typedef struct countdown {
    long calls, fail_at;
} countdown;

static inline int fail_kth(void *ctx)
{
    countdown *c = ctx;
    return ++c->calls == c->fail_at;
}

/* head, unit `times` times, tail (malloc'd; NULL when out of memory). */
static inline char *repeat(const char *head, const char *unit, size_t times, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1);
    if (!s)
        return NULL;
    memcpy(s, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * times, tail, tl + 1);
    return s;
}

#endif
