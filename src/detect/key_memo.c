/*
 * key_memo.c — (internal to detect) pw_ctx_from_key remembered per key in the per-thread scratch.
 * Keys repeat from field to field and event to event ("dl", "ud[em]", "cd[buttonText]", "q"),
 * and classifying one (compaction, table search, substring rules) costs more than a hash and a
 * compare. The table is direct-mapped: a colliding key simply replaces the slot. pw_ctx_from_key
 * depends on the key's bytes alone, so a remembered answer is always the answer. URL parameter
 * names are hashed and checked for escapes ('%', '+') in the same pass.
 */
#include "detect/internal.h"
#include "phiwall/text.h"

#define KEY_HASH_SEED 2166136261u
#define KEY_HASH_MUL  16777619u

/* FNV-1a of key[0..n) (seeded with the length); *escaped tells whether the key holds '%' or '+'
 * (found in the same pass). */
static uint32_t key_hash(const char *k, size_t n, int *escaped)
{
    uint32_t h = KEY_HASH_SEED ^ (uint32_t)n;
    int esc = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k[i];
        esc |= (c == '%') | (c == '+');
        h = (h ^ c) * KEY_HASH_MUL;
    }
    *escaped = esc;
    return h ^ (h >> 15);
}

/* The remembered answer for key[0..n) with hash h, classified and remembered on a miss. */
static pw_ctx memo_lookup(pw_detect_scratch *s, const char *key, size_t n, uint32_t h)
{
    pw_key_memo *m = &s->key_memo[h % PW_KEY_MEMO_SLOTS];
    if (m->len == n && m->hash == h) {
        size_t i = 0;
        while (i < n && m->key[i] == key[i])
            i++;
        if (i == n)
            return (pw_ctx)m->ctx;
    }
    pw_ctx c = pw_ctx_from_key(key, n);
    m->hash = h;
    m->len = (unsigned char)n;
    m->ctx = (unsigned char)c;
    for (size_t i = 0; i < n; i++)
        m->key[i] = key[i];
    return c;
}

pw_ctx pw_ctx_from_key_memo(pw_detect_scratch *s, const char *key, size_t n)
{
    if (n == 0 || n > PW_KEY_MEMO_LEN)
        return pw_ctx_from_key(key, n);
    int escaped;
    return memo_lookup(s, key, n, key_hash(key, n, &escaped));
}

pw_ctx pw_ctx_from_param_key(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n)
{
    if (n == 0)
        return PW_CTX_NONE;
    int escaped;
    uint32_t h = key_hash(key, n, &escaped);
    if (escaped) {
        size_t dn = 0;
        char *dec = pw_pct_decode(a, key, n, 1, &dn);
        if (dec)
            return pw_ctx_from_key(dec, dn);
    }
    if (n > PW_KEY_MEMO_LEN)
        return pw_ctx_from_key(key, n);
    return memo_lookup(s, key, n, h);
}
