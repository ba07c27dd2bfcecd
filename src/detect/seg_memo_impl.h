/*
 * seg_memo_impl.h — (internal to detect) the segment memo's tables and the look-up of a
 * segment's key, shared by seg_memo.c and segment.c (engine-url8): pw_scan_segment looks every
 * segment up (26,000 times on the generated corpus's URL rows, most of them found), and the call
 * into seg_memo.c with its argument spills cost as much as the compare; inline here, the look-up
 * and the probe of the hit table need no call. seg_memo.c's comment says what is remembered.
 */
#ifndef PW_DETECT_SEG_MEMO_IMPL_H
#define PW_DETECT_SEG_MEMO_IMPL_H

#include <string.h>

#include "detect/internal.h"

typedef struct seg_memo_entry {
    uint64_t hash;
    uint32_t tag; /* 0: empty */
    uint32_t n;
    char bytes[PW_SEG_MEMO_LEN];
} seg_memo_entry;

/* A remembered hit: its span relative to the segment, its strings as offsets into the entry's
 * text (HIT_NO_TEXT: NULL). */
#define HIT_NO_TEXT 0xffffu
typedef struct hit_memo_hit {
    pw_hit h;
    uint16_t norm, detail;
} hit_memo_hit;

typedef struct hit_memo_entry {
    uint64_t hash;
    uint32_t tag; /* 0: empty */
    uint32_t n;
    uint32_t nh, text_n;
    char bytes[PW_HIT_MEMO_LEN];
    hit_memo_hit hits[PW_HIT_MEMO_HITS];
    char text[PW_HIT_MEMO_TEXT];
} hit_memo_entry;

/* A run of path slugs that no phrase crosses (engine-url7); n 0 = empty. */
typedef struct run_memo_entry {
    uint64_t hash;
    uint32_t n;
    char bytes[PW_RUN_MEMO_LEN];
} run_memo_entry;

/* engine-real10: a run-together word's split (pw_vocab_segment of its bytes: health.c); n 0 =
 * empty. */
typedef struct split_memo_entry {
    uint64_t hash;
    uint8_t n, k;                      /* the run's length, its words (0: it does not split) */
    uint8_t ends[PW_SPLIT_MEMO_WORDS]; /* each word's end */
    char bytes[PW_VOCAB_SEG_MAX];
} split_memo_entry;

struct pw_seg_memo {
    seg_memo_entry e[PW_SEG_MEMO_SETS * PW_SEG_MEMO_WAYS];
    split_memo_entry split[PW_SPLIT_MEMO_SLOTS];
    run_memo_entry runs[PW_RUN_MEMO_SLOTS];
    hit_memo_entry h[PW_HIT_MEMO_SETS * PW_HIT_MEMO_WAYS];
    unsigned char newest[PW_HIT_MEMO_SETS]; /* the way of each set written last */
    uint64_t seen[PW_HIT_MEMO_SEEN];        /* keys of segments with hits met once */
};

static inline uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* the hash only needs the same number for the same bytes */
    return v;
}

/* The n (1..7) bytes at p as a number, from loads inside p[0..n): every byte is in it, so two
 * strings of the same length are equal exactly when their numbers are. */
static inline uint64_t load_short(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        return (uint64_t)x | (uint64_t)y << 32;
    }
    return (uint64_t)u[0] | (uint64_t)u[n >> 1] << 8 | (uint64_t)u[n - 1] << 16;
}

/* One step of the hash: the top bits of the product, which pick the set, depend on every bit of
 * the bytes so far (the bytes themselves are compared on a match). */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0xff51afd7ed558ccdull;
}

/* What besides its bytes decides a segment's hits; never 0. */
static inline uint32_t tag_of(const pw_seg *g, int depth)
{
    return 0x80000000u | (uint32_t)g->ctx | (uint32_t)g->type << 6 | (uint32_t) !!g->in_url << 10 |
           (uint32_t) !!g->in_query << 11 | (uint32_t) !!g->page_quiet << 12 |
           (uint32_t)depth << 16;
}

/* k->hits_ok when g's ends say a decoded part may read as the field's bytes (seg_memo.c's
 * plain_in_field is asked when an entry matches or the segment is to be remembered). */
#define HITS_MAYBE 2

/* The first look of plain_in_field, at g's ends only (n >= 1). */
static inline int plain_ends(const pw_seg *g)
{
    size_t n = g->n, b = g->ostart[0];
    return g->ostart[n - 1] == b + n - 1 && g->oend[n - 1] == b + n && g->oend[0] == b + 1;
}

/* The slot of hash h in a table of slots entries (a power of two), from h's top bits
 * (engine-url8): a product's top bits depend on every bit of what was multiplied, its middle bits
 * only on the bits below them. Slots were taken from bits 40..48, which no byte of a word's top
 * lies under: "utm_campaign=spring2020" … "spring2025", differing in their last byte only, shared
 * one set of two and pushed each other out (662 scans of six values on the corpus's URL rows). */
static inline size_t memo_slot(uint64_t h, size_t slots)
{
    return (size_t)((h >> 32) * (uint64_t)slots >> 32);
}

/* h mixed with the n bytes at s, eight at a time (the last eight overlap when n is not a
 * multiple). engine-url9: up to sixteen bytes (most names, values and spans) without the loop;
 * for n == 8 that mixes the word twice where the loop mixes it once — a different number, which
 * is fine: these hashes are only ever compared with hashes made by this same function. */
static inline uint64_t mix_bytes(uint64_t h, const char *s, size_t n)
{
    if (n <= 16) {
        if (n >= 8)
            return mix(mix(h, load8(s)), load8(s + n - 8));
        return n ? mix(h, load_short(s, n)) : h;
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h, load8(s + i));
    if (i < n)
        h = mix(h, load8(s + n - 8));
    return h;
}

/* g (at this depth) as a memo key; k->ok = 0 when it cannot be remembered. */
static inline void key_of(const pw_scan *sc, const pw_seg *g, int depth, pw_seg_memo_key *k)
{
    k->ok = k->hits_ok = 0;
    if (!sc->memo || g->n == 0 || (unsigned)depth >= 256)
        return;
    k->ok = g->n <= PW_SEG_MEMO_LEN;
    if (g->n <= PW_HIT_MEMO_LEN) /* a decoded part's whole look waits (hits_ok) */
        k->hits_ok = !g->ostart ? 1 : plain_ends(g) ? HITS_MAYBE : 0;
    if (!k->ok && !k->hits_ok)
        return;
    k->tag = tag_of(g, depth);
    uint64_t h = mix_bytes(0x9e3779b97f4a7c15ull ^ g->n ^ (uint64_t)k->tag << 32, g->s, g->n);
    /* The key's text too, not only its context: detectors read it (a "cita" or "fecha" key
     * reads a date day-first, ident_date.c; a bare "name" or "provider" key decides a name,
     * ident_name.c), so the same bytes under another key may give other hits. The bytes are
     * compared on a match; the key only through the 64-bit hash. */
    if (g->key_n)
        h = mix_bytes(mix(h, 0x6b6579u ^ (uint64_t)g->key_n << 24), g->key, g->key_n);
    k->hash = h;
}

static inline seg_memo_entry *set_of(const pw_scan *sc, const pw_seg_memo_key *k)
{
    size_t set = memo_slot(k->hash, PW_SEG_MEMO_SETS);
    return &sc->memo->e[set * PW_SEG_MEMO_WAYS];
}

/* b holds the n bytes at s. engine-url9: sixteen bytes a compare with SSE2 (the last
 * sixteen overlap), 8..16 bytes in two overlapping loads, fewer in one (every byte of 1..7 is
 * in load_short), without a loop for the short ones. */
static inline int same_bytes(const char *b, const char *s, size_t n)
{
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    if (n > 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            if (_mm_movemask_epi8(_mm_cmpeq_epi8(
                    _mm_loadu_si128((const __m128i *)(const void *)(b + i)),
                    _mm_loadu_si128((const __m128i *)(const void *)(s + i)))) != 0xffff)
                return 0;
        return _mm_movemask_epi8(_mm_cmpeq_epi8(
                   _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16)),
                   _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)))) == 0xffff;
    }
#else
    if (n > 16) {
        size_t i = 0;
        for (; i + 8 < n; i += 8)
            if (load8(b + i) != load8(s + i))
                return 0;
        return load8(b + n - 8) == load8(s + n - 8);
    }
#endif
    if (n >= 8)
        return load8(b) == load8(s) && load8(b + n - 8) == load8(s + n - 8);
    return n == 0 || load_short(b, n) == load_short(s, n);
}

/* 1 if g (at this depth) was remembered to give no hit; *k: its key (pw_seg_memo_lookup). */
static inline int pw_seg_memo_lookup_inline(const pw_scan *sc, const pw_seg *g, int depth,
                                            pw_seg_memo_key *k)
{
    key_of(sc, g, depth, k);
    if (!k->ok)
        return 0;
    const seg_memo_entry *set = set_of(sc, k);
    for (size_t w = 0; w < PW_SEG_MEMO_WAYS; w++)
        if (set[w].hash == k->hash && set[w].tag == k->tag && set[w].n == g->n)
            return same_bytes(set[w].bytes, g->s, g->n);
    return 0;
}

/* The hit table has an entry of k's hash, tag and length: pw_seg_memo_replay may give its hits
 * (it compares the bytes). Most segments that are not in the no-hit table are in none. */
static inline int pw_seg_memo_hit_may(const pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k)
{
    if (!k->hits_ok)
        return 0;
    size_t set = memo_slot(k->hash, PW_HIT_MEMO_SETS);
    const hit_memo_entry *e = &sc->memo->h[set * PW_HIT_MEMO_WAYS];
    for (size_t w = 0; w < PW_HIT_MEMO_WAYS; w++)
        if (e[w].hash == k->hash && e[w].tag == k->tag && e[w].n == g->n)
            return 1;
    return 0;
}

/* A byte of v is '%' or '+' (exact: the zero-byte test answers "any" without error). */
static inline int word_may_decode(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    uint64_t pct = v ^ (ones * '%'), plus = v ^ (ones * '+');
    return ((((pct - ones) & ~pct) | ((plus - ones) & ~plus)) & highs) != 0;
}

/* s[0..n) holds a byte that decoding may change ('%' or '+'), eight bytes at a time; the rest
 * of a value of 8 or more bytes is its last eight (engine-url7: "ts=1700000000123" had five
 * bytes looked at one by one), a shorter one is read in one or two loads (zeros above: no zero
 * byte is '%' or '+'). */
static inline int may_decode(const char *s, size_t n)
{
    size_t i = 0;
    uint64_t v;
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    if (n >= 16) { /* engine-url8: sixteen bytes a compare ("cid=0367363730.0443833642") */
        const __m128i pct = _mm_set1_epi8('%'), plus = _mm_set1_epi8('+');
        for (;; i += 16) {
            if (i + 16 > n)
                i = n - 16; /* the last sixteen bytes cover the rest */
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, pct), _mm_cmpeq_epi8(x, plus))))
                return 1;
            if (i + 16 == n)
                return 0;
        }
    }
#endif
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, s + i, 8);
        if (word_may_decode(v))
            return 1;
    }
    if (i == n)
        return 0;
    if (n >= 8) {
        memcpy(&v, s + n - 8, 8);
        return word_may_decode(v);
    }
    if (n >= 4) { /* two overlapping loads hold every byte */
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        return word_may_decode((uint64_t)x | (uint64_t)y << 32);
    }
    const unsigned char *u = (const unsigned char *)s; /* 1..3: first, middle, last */
    return word_may_decode((uint64_t)u[0] | (uint64_t)u[n >> 1] << 8 | (uint64_t)u[n - 1] << 16);
}

/* A bookkeeping parameter (ts=, v=, id=, fbp=) is scanned for canaries and decoded layers only
 * (a layer may be a URL, scanned as one): without canaries and without a byte to decode, its
 * scan finds nothing, and is skipped before the summary. */
static inline int nothing_to_find(const pw_scan *sc, const pw_seg *g)
{
    return g->in_query && (g->ctx == PW_CTX_TIME || g->ctx == PW_CTX_NEGATIVE) && !sc->d->n_forms &&
           !may_decode(g->s, g->n);
}

/* pw_scan_segment with its first steps inline (engine-url8): a bookkeeping value skipped, a
 * segment remembered to give no hit found, without a call; the rest (the hit table, the scan and
 * remembering it) in pw_scan_segment_keyed. pw_scan_url calls it for every part. */
static inline void pw_scan_segment_inline(pw_scan *sc, pw_seg *in, int depth)
{
    if (nothing_to_find(sc, in))
        return;
    pw_seg_memo_key k;
    if (pw_seg_memo_lookup_inline(sc, in, depth, &k))
        return; /* det-speed: the same bytes in the same place gave no hit before */
    pw_scan_segment_keyed(sc, in, depth, &k);
}

/* engine-url9: key_of for a part of a URL (pw_scan_url), whose key (its parameter name, or the
 * slug before it) lies in the same buffer before its value ("tid=G-123", "patients/12345"): the
 * key, the bytes between ('=' or '/') and the value are hashed in one pass, with the key's and
 * the value's lengths in the seed (together with the span's bytes they give the key and the
 * value), instead of the value, a separator word and the key in three. tag: tag_of(g, depth),
 * put together by the caller from what it knows of the URL and the part. Another seed than
 * key_of's: an entry made here is found only here (the hashes differ, the answers would not). */
static inline void key_of_part(const pw_scan *sc, const pw_seg *g, int depth, uint32_t tag,
                               pw_seg_memo_key *k)
{
    k->ok = k->hits_ok = 0;
    if (!sc->memo || g->n == 0 || (unsigned)depth >= 256)
        return;
    k->ok = g->n <= PW_SEG_MEMO_LEN;
    if (g->n <= PW_HIT_MEMO_LEN)
        k->hits_ok = !g->ostart ? 1 : plain_ends(g) ? HITS_MAYBE : 0;
    if (!k->ok && !k->hits_ok)
        return;
    k->tag = tag;
    _Static_assert(PW_HIT_MEMO_LEN < 1024 && PW_SEG_MEMO_LEN < 1024, "n fits the seed's 10 bits");
    uint64_t seed = 0x3c6ef372fe94f82bull ^ g->n ^ (uint64_t)tag << 32;
    if (g->key_n)
        k->hash =
            mix_bytes(seed ^ (uint64_t)g->key_n << 10, g->key, (size_t)(g->s + g->n - g->key));
    else
        k->hash = mix_bytes(seed, g->s, g->n);
}

/* pw_scan_segment_inline for a URL part (pw_scan_url): g->key, when set, ends at or before
 * g->s in the same buffer; tag is tag_of(g, depth). */
static inline void pw_scan_part_inline(pw_scan *sc, pw_seg *in, int depth, uint32_t tag)
{
    if (nothing_to_find(sc, in))
        return;
    pw_seg_memo_key k;
    key_of_part(sc, in, depth, tag, &k);
    if (k.ok) {
        const seg_memo_entry *set = set_of(sc, &k);
        for (size_t w = 0; w < PW_SEG_MEMO_WAYS; w++)
            if (set[w].hash == k.hash && set[w].tag == k.tag && set[w].n == in->n) {
                if (same_bytes(set[w].bytes, in->s, in->n))
                    return; /* the same bytes under the same key gave no hit before */
                break;
            }
    }
    pw_scan_segment_keyed(sc, in, depth, &k);
}

#endif
