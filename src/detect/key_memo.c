/*
 * key_memo.c — (internal to detect) pw_ctx_from_key remembered per key in the per-thread scratch.
 * Keys repeat from field to field and event to event ("dl", "ud[em]", "cd[buttonText]", "q"),
 * and classifying one (compaction, table search, substring rules) costs more than a hash and a
 * compare. The table is direct-mapped: a colliding key simply replaces the slot. pw_ctx_from_key
 * depends on the key's bytes alone, so a remembered answer is always the answer.
 */
#include <string.h>

#include "detect/internal.h"

static uint32_t key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u ^ (uint32_t)n;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h ^ (h >> 15);
}

pw_ctx pw_ctx_from_key_memo(pw_detect_scratch *s, const char *key, size_t n)
{
    if (n == 0 || n > PW_KEY_MEMO_LEN)
        return pw_ctx_from_key(key, n);
    uint32_t h = key_hash(key, n);
    pw_key_memo *m = &s->key_memo[h % PW_KEY_MEMO_SLOTS];
    if (m->len == n && m->hash == h && memcmp(m->key, key, n) == 0)
        return (pw_ctx)m->ctx;
    pw_ctx c = pw_ctx_from_key(key, n);
    m->hash = h;
    m->len = (unsigned char)n;
    m->ctx = (unsigned char)c;
    memcpy(m->key, key, n);
    return c;
}
