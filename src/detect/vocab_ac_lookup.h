/*
 * vocab_ac_lookup.h — (internal to the vocabulary) the word lookups and the goto step of the
 * word-level Aho-Corasick automaton, inline, shared by its builder and normalised-text scan
 * (vocab_ac.c) and the raw-text scan (vocab_ac_raw.c).
 *
 * A word of up to 8 bytes is its own key: its lower-cased bytes as one number (byte k at bits
 * 8k, zero above), which no other word shares since word bytes are never zero. Such a word is
 * looked up with one multiply: a filter bit (a table that stays in the first-level cache rejects
 * most words of ordinary text) and, when that is set, a probe of the short-word table. Longer
 * words are hashed 8 bytes at a time and found in the general word table behind a second filter.
 */
#ifndef PHIWALL_DETECT_VOCAB_AC_LOOKUP_H
#define PHIWALL_DETECT_VOCAB_AC_LOOKUP_H

#include <string.h>

#include "detect/vocab_ac.h"

#define PW_AC_LOWER_BITS 0x2020202020202020ull
#define PW_AC_KEY_MUL    0x9e3779b97f4a7c15ull

/* Bytes s[0..n), n <= 8, as a number (byte k at bits 8k): the same value on any byte order. */
static inline uint64_t pw_ac_load_tail(const unsigned char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint64_t)s[k] << (8 * k);
    return v;
}

/* Eight bytes as a number, byte k at bits 8k. */
static inline uint64_t pw_ac_load8(const unsigned char *s)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
#else
    return pw_ac_load_tail(s, 8);
#endif
}

/* Mask of the low `len` bytes (1..8). */
static inline uint64_t pw_ac_keep(size_t len)
{
    return ~0ull >> (8 * (8 - len));
}

/* The `len` (1..8) bytes at s as pw_ac_load_tail(s, len) gives them, reading only inside the
 * buffer: `avail` bytes are readable from s and `before` bytes before it. */
static inline uint64_t pw_ac_load_word(const unsigned char *s, size_t len, size_t avail,
                                       size_t before)
{
    if (avail >= 8)
        return pw_ac_load8(s) & pw_ac_keep(len);
    if (before + len >= 8)
        return pw_ac_load8(s + len - 8) >> (8 * (8 - len));
    return pw_ac_load_tail(s, len);
}

/* ---- words of up to 8 bytes ---- */

/* The key of a short word from its bytes as loaded (any case; letters and digits only). */
static inline uint64_t pw_ac_short_key(uint64_t bytes, size_t len)
{
    return bytes | (PW_AC_LOWER_BITS & pw_ac_keep(len));
}

static inline uint64_t pw_ac_short_hash(uint64_t key)
{
    return key * PW_AC_KEY_MUL;
}

/* Filter bit of a short key: the top PW_AC_SHORT_FILTER_LOG bits of its hash. */
static inline uint32_t pw_ac_short_bit(uint64_t h)
{
    return (uint32_t)(h >> (64 - PW_AC_SHORT_FILTER_LOG));
}

/* Word id of a short key, 0 when no term holds the word. */
static inline uint32_t pw_ac_short_lookup(const pw_vocab_ac *ac, uint64_t key)
{
    uint64_t h = pw_ac_short_hash(key);
    uint32_t bit = pw_ac_short_bit(h);
    if (!(ac->short_filter[bit >> 6] >> (bit & 63) & 1))
        return 0;
    for (uint32_t i = (uint32_t)(h >> ac->short_shift);; i = (i + 1) & ac->short_mask) {
        uint64_t k = ac->short_keys[i];
        if (k == key)
            return ac->short_ids[i];
        if (k == 0)
            return 0;
    }
}

/* ---- longer words ---- */

static inline uint64_t pw_ac_hash_mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xff51afd7ed558ccdull;
    return h ^ (h >> 29);
}

/* Hash of a word s[0..n) (ASCII letters and digits, either case); `avail` bytes are readable
 * from s (avail >= n) and `before` bytes before it. OR-ing 0x20 into every byte lower-cases
 * letters and leaves digits, so a word hashes the same in the text and in the vocabulary. */
static inline __attribute__((always_inline)) uint32_t
pw_ac_hash_word(const unsigned char *s, size_t n, size_t avail, size_t before)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = pw_ac_hash_mix(h, pw_ac_load8(s + i) | PW_AC_LOWER_BITS);
    size_t rest = n - i;
    if (rest) {
        uint64_t v = pw_ac_load_word(s + i, rest, avail - i, before + i);
        h = pw_ac_hash_mix(h, v | (PW_AC_LOWER_BITS & pw_ac_keep(rest)));
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* Filter bit of a word hash: the high bits, independent of the table slot (low bits). */
static inline uint32_t pw_ac_filter_bit(uint32_t h)
{
    return (h >> 14) & (PW_AC_FILTER_BITS - 1);
}

/* Word id of s[0..n) (any case, hash h), 0 when the word is in no term; compared 8 bytes at a
 * time like pw_ac_hash_word reads them. */
static inline uint32_t pw_ac_long_lookup(const pw_vocab_ac *ac, uint32_t h, const unsigned char *s,
                                         size_t n, size_t avail, size_t before)
{
    uint32_t bit = pw_ac_filter_bit(h);
    if (!(ac->filter[bit / 64] >> (bit % 64) & 1))
        return 0;
    for (uint32_t i = h & ac->word_mask;; i = (i + 1) & ac->word_mask) {
        const pw_ac_word_slot *w = &ac->words[i];
        if (w->len == 0)
            return 0;
        if (w->hash != h || w->len != n)
            continue;
        const unsigned char *k = (const unsigned char *)ac->pool + w->off;
        size_t k_avail = ac->pool_len - w->off, j = 0;
        for (; j + 8 <= n; j += 8)
            if ((pw_ac_load8(s + j) | PW_AC_LOWER_BITS) != pw_ac_load8(k + j))
                break;
        if (j + 8 <= n)
            continue;
        if (j < n && pw_ac_short_key(pw_ac_load_word(s + j, n - j, avail - j, before + j), n - j) !=
                         pw_ac_load_word(k + j, n - j, k_avail - j, w->off + j))
            continue;
        return w->id;
    }
}

/* Word id of s[0..n) (ASCII letters and digits, any case), 0 when the word is in no term;
 * `avail` bytes are readable from s, `before` bytes before it. */
static inline __attribute__((always_inline)) uint32_t
pw_ac_word_id(const pw_vocab_ac *ac, const unsigned char *s, size_t n, size_t avail, size_t before)
{
    if (n - 1 < PW_AC_SHORT_MAX) /* 1..8 bytes (n == 0 wraps around and finds nothing) */
        return pw_ac_short_lookup(ac, pw_ac_short_key(pw_ac_load_word(s, n, avail, before), n));
    if (n > ac->max_word_len)
        return 0;
    return pw_ac_long_lookup(ac, pw_ac_hash_word(s, n, avail, before), s, n, avail, before);
}

/* ---- pairs of words ---- */

/* Filter bit of the word pair (a, b). */
static inline uint32_t pw_ac_pair_bit(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a << 32 | b) * PW_AC_KEY_MUL >> (64 - PW_AC_PAIR_LOG));
}

/* 0 when no term holds word a directly followed by word b (ids), 1 when one may. */
static inline int pw_ac_pair_may(const pw_vocab_ac *ac, uint32_t a, uint32_t b)
{
    uint32_t bit = pw_ac_pair_bit(a, b);
    return (int)(ac->pair_filter[bit >> 6] >> (bit & 63) & 1);
}

/* ---- the automaton ---- */

static inline uint64_t pw_ac_mix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static inline uint32_t pw_ac_edge_get(const pw_vocab_ac *ac, uint32_t node, uint32_t word)
{
    uint64_t key = (uint64_t)node << 32 | word;
    for (uint32_t i = (uint32_t)pw_ac_mix64(key) & ac->edge_mask;; i = (i + 1) & ac->edge_mask) {
        if (ac->edges[i].key == key)
            return ac->edges[i].child;
        if (ac->edges[i].key == UINT64_MAX)
            return 0;
    }
}

/* The state after word w (an id, not 0) from `state`: goto edge, else failure links. */
static inline uint32_t pw_ac_step(const pw_vocab_ac *ac, uint32_t state, uint32_t w)
{
    for (;;) {
        if (state == 0)
            return ac->root_next[w];
        if (ac->node_flags[state] & PW_AC_HAS_CHILD) {
            uint32_t c = pw_ac_edge_get(ac, state, w);
            if (c)
                return c;
        }
        state = ac->fail[state];
    }
}

#endif
