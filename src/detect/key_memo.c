/*
 * key_memo.c — (internal to detect) pw_ctx_from_key remembered per key in the per-thread scratch.
 * Keys repeat from field to field and event to event ("dl", "ud[em]", "cd[buttonText]", "q"),
 * and classifying one (compaction, table search, substring rules) costs more than a hash and a
 * compare. The table is direct-mapped: a colliding key simply replaces the slot. pw_ctx_from_key
 * depends on the key's bytes alone, so a remembered answer is always the answer. URL parameter
 * names are hashed and checked for escapes ('%', '+') in the same pass, eight bytes at a time
 * (most keys are one load: "v", "dl", "tid", "ud[em]").
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

#define KEY_HASH_SEED 0x9e3779b97f4a7c15ull
#define KEY_HASH_MUL  0xff51afd7ed558ccdull
#define ONES          0x0101010101010101ull
#define HIGHS         0x8080808080808080ull

/* Eight bytes as a number, byte k at bits 8k. */
static uint64_t load8(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
#else
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)(unsigned char)p[k] << (8 * k);
    return v;
#endif
}

/* The last r (1..7) of the n >= 8 bytes at p, as a number (zero above): one load. */
static uint64_t load_last(const char *p, size_t n, size_t r)
{
    return load8(p + n - 8) >> (8 * (8 - r));
}

/* The n (1..8) bytes at p as a number (zero above), from loads inside p[0..n). */
static inline __attribute__((always_inline)) uint64_t load_upto8(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    if (n == 8)
        return load8(p);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        return (uint64_t)x | (uint64_t)y << (8 * (n - 4));
    }
    /* 1..3 bytes: first, middle and last cover them all */
    return (uint64_t)u[0] | (uint64_t)u[n >> 1] << (8 * (n >> 1)) |
           (uint64_t)u[n - 1] << (8 * (n - 1));
#else
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint64_t)u[k] << (8 * k);
    return v;
#endif
}

/* A byte of v is '%' or '+' (exact: the zero-byte test answers "any" without error). */
static int has_escape(uint64_t v)
{
    uint64_t pct = v ^ (ONES * '%'), plus = v ^ (ONES * '+');
    return (((pct - ONES) & ~pct) | ((plus - ONES) & ~plus)) & HIGHS ? 1 : 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * KEY_HASH_MUL;
    return h ^ (h >> 32);
}

/* Every bit of h into the low 32 (the memo set is taken from the low bits). */
static uint32_t finish(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* A key being looked up: its hash and its first eight bytes. */
typedef struct key_sum {
    uint32_t hash;
    uint64_t head; /* bytes 0..min(n, 8) as a number, zero above */
} key_sum;

/* Hash of key[0..n) (n >= 1), eight bytes at a time (most keys are one load). */
static inline __attribute__((always_inline)) key_sum key_hash(const char *k, size_t n)
{
    uint64_t h = KEY_HASH_SEED ^ n;
    if (n <= 8) {
        uint64_t v = load_upto8(k, n);
        return (key_sum){finish(mix(h, v)), v};
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h, load8(k + i));
    if (i < n)
        h = mix(h, load_last(k, n, n - i));
    return (key_sum){finish(h), load8(k)};
}

/* key[0..n) holds '%' or '+'. */
static int key_escaped(const char *k, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (has_escape(load8(k + i)))
            return 1;
    return i < n && has_escape(n >= 8 ? load_last(k, n, n - i) : load_upto8(k, n));
}

/* The remembered key m->key (m->len == n) equals key[0..n) (first eight bytes: ks->head). The
 * remembered key is read eight bytes at a time inside its PW_KEY_MEMO_LEN bytes. */
static inline __attribute__((always_inline)) int memo_equal(const pw_key_memo *m, const char *key,
                                                            size_t n, const key_sum *ks)
{
    if (n <= 8)
        return (load8(m->key) & (~0ull >> (8 * (8 - n)))) == ks->head;
    size_t i = 8;
    if (load8(m->key) != ks->head)
        return 0;
    for (; i + 8 <= n; i += 8)
        if (load8(m->key + i) != load8(key + i))
            return 0;
    return i == n || load_last(m->key, n, n - i) == load_last(key, n, n - i);
}

/* The memo is 4-way set associative: a key found moves one place forward in its set, a new one
 * enters in front and the last goes, so keys that keep coming are not evicted by one that shares
 * their set, nor by one-off names (a path segment "MR40762738" is the key of the one after it). */
#define KEY_MEMO_WAYS 4
#define KEY_MEMO_SETS (PW_KEY_MEMO_SLOTS / KEY_MEMO_WAYS)

/* pw_key_memo.ctx holds the answer (a pw_ctx, under 64) and these flags: the key holds '%' or
 * '+'; and then, whether the answer is the one for its decoded form (a URL parameter name). A
 * field key and a parameter name with the same bytes share an entry unless the key is escaped. */
#define MEMO_ESCAPED 0x40u
#define MEMO_DECODED 0x80u

/* The remembered entry of key[0..n) that answers a lookup of this kind (decoded: a URL
 * parameter name), moved one place forward in its set; NULL when there is none (*set_out: the
 * set). */
static inline __attribute__((always_inline)) pw_key_memo *memo_find(pw_detect_scratch *s,
                                                                    const char *key, size_t n,
                                                                    const key_sum *ks, int decoded,
                                                                    pw_key_memo **set_out)
{
    pw_key_memo *set = &s->key_memo[(ks->hash % KEY_MEMO_SETS) * KEY_MEMO_WAYS];
    unsigned reject = decoded ? MEMO_ESCAPED : MEMO_DECODED;
    *set_out = set;
    for (size_t w = 0; w < KEY_MEMO_WAYS; w++) {
        pw_key_memo *m = &set[w];
        if (m->len != n || m->hash != ks->hash || !memo_equal(m, key, n, ks))
            continue;
        if ((m->ctx & reject) && !(decoded && (m->ctx & MEMO_DECODED)))
            continue; /* the same bytes, remembered for the other kind of lookup */
        if (w > 0) {  /* one place forward: the keys used most end up in front */
            pw_key_memo found = *m;
            *m = set[w - 1];
            set[w - 1] = found;
            return &set[w - 1];
        }
        return m;
    }
    return NULL;
}

/* Remember an answer in front of the set (the least recently used entry goes). */
static void memo_put(pw_key_memo *set, const char *key, size_t n, const key_sum *ks, unsigned ctx)
{
    memmove(&set[1], &set[0], (KEY_MEMO_WAYS - 1) * sizeof *set);
    set[0].hash = ks->hash;
    set[0].len = (unsigned char)n;
    set[0].ctx = (unsigned char)ctx;
    memcpy(set[0].key, key, n);
}

pw_ctx pw_ctx_from_key_memo(pw_detect_scratch *s, const char *key, size_t n)
{
    if (n == 0 || n > PW_KEY_MEMO_LEN)
        return pw_ctx_from_key(key, n);
    key_sum ks = key_hash(key, n);
    pw_key_memo *set, *m = memo_find(s, key, n, &ks, 0, &set);
    if (m)
        return (pw_ctx)(m->ctx & ~(MEMO_ESCAPED | MEMO_DECODED));
    pw_ctx c = pw_ctx_from_key(key, n);
    memo_put(set, key, n, &ks, (unsigned)c | (key_escaped(key, n) ? MEMO_ESCAPED : 0));
    return c;
}

/* A parameter name holding '%' or '+' is classified decoded (the copy in a); *ok = 0 when that
 * copy could not be made (the name is then classified as it is, and not remembered). */
static pw_ctx classify_param(pw_arena *a, const char *key, size_t n, int escaped, int *ok)
{
    *ok = 1;
    if (escaped) {
        size_t dn = 0;
        char *dec = pw_pct_decode(a, key, n, 1, &dn);
        if (dec)
            return pw_ctx_from_key(dec, dn);
        *ok = 0;
    }
    return pw_ctx_from_key(key, n);
}

/* The classification of a parameter name through the set-associative memo; *ok = 0 when it is
 * not the name's own answer (the decoded copy could not be made). Not inlined: the lookup below
 * stays a leaf without it. */
static __attribute__((noinline)) pw_ctx param_key_memo(pw_detect_scratch *s, pw_arena *a,
                                                       const char *key, size_t n, int *ok)
{
    *ok = 1;
    if (n > PW_KEY_MEMO_LEN)
        return classify_param(a, key, n, key_escaped(key, n), ok);
    key_sum ks = key_hash(key, n);
    pw_key_memo *set, *m = memo_find(s, key, n, &ks, 1, &set);
    if (m)
        return (pw_ctx)(m->ctx & ~(MEMO_ESCAPED | MEMO_DECODED));
    int escaped = key_escaped(key, n);
    pw_ctx c = classify_param(a, key, n, escaped, ok);
    if (*ok)
        memo_put(set, key, n, &ks, (unsigned)c | (escaped ? MEMO_ESCAPED | MEMO_DECODED : 0));
    return c;
}

/* engine-url7: a URL's parameter names ("v", "tid", "dl", "ev", "utm_source") come back in every
 * request, each costing a hash, a set walk and a move forward in the memo above (≈ 96
 * instructions). A name of up to 16 bytes is first looked up in a direct-mapped table keyed by
 * its first and last eight bytes and its length (together they hold every byte of it:
 * pw_param_key_words), inline in the caller (pw_ctx_param_key); a miss comes here and fills the
 * slot. The table holds answers of the memo (a function of the name's bytes), so it only saves
 * their cost. */
pw_ctx pw_ctx_param_key_miss(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n,
                             pw_param_memo *e, uint64_t head, uint64_t tail)
{
    int ok;
    pw_ctx c = param_key_memo(s, a, key, n, &ok);
    if (ok) {
        e[1] = e[0];
        e[0] = (pw_param_memo){head, tail, (unsigned char)n, (unsigned char)c};
    }
    return c;
}

pw_ctx pw_ctx_from_param_key(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n)
{
    int ok;
    if (n == 0)
        return PW_CTX_NONE;
    if (n > 16)
        return param_key_memo(s, a, key, n, &ok);
    return pw_ctx_param_key(s, a, key, n); /* the table, inline (1..16 bytes) */
}
