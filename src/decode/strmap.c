/*
 * strmap.c — a fixed-capacity open-addressing map from byte strings to an int32 chain head.
 * Built once (catalog host index, EasyPrivacy token index), then only read: thread-safe reads.
 */
#include <string.h>

#include "decode_internal.h"

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

pw_status dk_strmap_init(pw_arena *a, dk_strmap *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 1)
        cap *= 2;
    m->keys = pw_arena_calloc(a, cap, sizeof *m->keys);
    m->lens = pw_arena_calloc(a, cap, sizeof *m->lens);
    m->heads = pw_arena_calloc(a, cap, sizeof *m->heads);
    m->cap = cap;
    if (!m->keys || !m->lens || !m->heads)
        return PW_ERR_NOMEM;
    return PW_OK;
}

static size_t slot_of(const dk_strmap *m, const char *k, size_t n)
{
    size_t i = (size_t)hash_bytes(k, n) & (m->cap - 1);
    while (m->keys[i] && !(m->lens[i] == n && memcmp(m->keys[i], k, n) == 0))
        i = (i + 1) & (m->cap - 1);
    return i;
}

int32_t dk_strmap_get(const dk_strmap *m, const char *k, size_t n)
{
    if (!m->cap)
        return -1;
    size_t i = slot_of(m, k, n);
    return m->keys[i] ? m->heads[i] : -1;
}

int32_t dk_strmap_put(dk_strmap *m, const char *k, size_t n, int32_t value)
{
    size_t i = slot_of(m, k, n);
    int32_t old = m->keys[i] ? m->heads[i] : -1;
    m->keys[i] = k;
    m->lens[i] = (uint32_t)n;
    m->heads[i] = value;
    return old;
}
