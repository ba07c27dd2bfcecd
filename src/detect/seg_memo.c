/*
 * seg_memo.c — (internal to detect) segments remembered to give no hit, per thread. A segment's
 * scan is a function of its bytes, its context (from the key), the field type, its place (path
 * slug, query value, quiet page part) and its decoding depth; nothing else it reads. Tracker
 * values repeat from event to event ("ev=PageView", "v=2.9.47", "if=false", the same button
 * text), and nearly all of them give no hit: remembered, each comes back for a hash and a compare
 * instead of its summary, decoding, identifier detectors and vocabulary. Only "no hit" is
 * remembered (a hit's spans and strings belong to one field), only segments of up to
 * PW_SEG_MEMO_LEN bytes, compared byte for byte, and only without canaries. A scan that lost a
 * layer to memory or a hit to the per-field limit is not remembered (pw_scan.degraded, .capped).
 * The memo is 2-way set associative: a new entry enters in front and the other of its set goes.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"

typedef struct seg_memo_entry {
    uint64_t hash;
    uint32_t tag; /* 0: empty */
    uint32_t n;
    char bytes[PW_SEG_MEMO_LEN];
} seg_memo_entry;

struct pw_seg_memo {
    seg_memo_entry e[PW_SEG_MEMO_SETS * PW_SEG_MEMO_WAYS];
};

struct pw_seg_memo *pw_seg_memo_new(void)
{
    return calloc(1, sizeof(struct pw_seg_memo));
}

void pw_seg_memo_free(struct pw_seg_memo *m)
{
    free(m);
}

static uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8); /* the hash only needs the same number for the same bytes */
    return v;
}

/* The n (1..7) bytes at p as a number, from loads inside p[0..n): every byte is in it, so two
 * strings of the same length are equal exactly when their numbers are. */
static uint64_t load_short(const char *p, size_t n)
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
static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0xff51afd7ed558ccdull;
}

/* What besides its bytes decides a segment's hits; never 0. */
static uint32_t tag_of(const pw_seg *g, int depth)
{
    return 0x80000000u | (uint32_t)g->ctx | (uint32_t)g->type << 6 | (uint32_t) !!g->in_url << 10 |
           (uint32_t) !!g->in_query << 11 | (uint32_t) !!g->page_quiet << 12 |
           (uint32_t)depth << 16;
}

/* g (at this depth) as a memo key; k->ok = 0 when it cannot be remembered. */
static void key_of(const pw_scan *sc, const pw_seg *g, int depth, pw_seg_memo_key *k)
{
    k->ok = sc->memo && g->n - 1 < PW_SEG_MEMO_LEN && (unsigned)depth < 256;
    if (!k->ok)
        return;
    k->tag = tag_of(g, depth);
    uint64_t h = 0x9e3779b97f4a7c15ull ^ g->n ^ (uint64_t)k->tag << 32;
    size_t i = 0;
    for (; i + 8 <= g->n; i += 8)
        h = mix(h, load8(g->s + i));
    if (i < g->n)
        h = mix(h, g->n >= 8 ? load8(g->s + g->n - 8) : load_short(g->s, g->n));
    k->hash = h;
}

static seg_memo_entry *set_of(const pw_scan *sc, const pw_seg_memo_key *k)
{
    size_t set = (size_t)(k->hash >> 40) & (PW_SEG_MEMO_SETS - 1);
    return &sc->memo->e[set * PW_SEG_MEMO_WAYS];
}

/* e holds the n bytes at s (n >= 1), compared eight bytes at a time (both hold n bytes). */
static int same_bytes(const seg_memo_entry *e, const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        if (load8(e->bytes + i) != load8(s + i))
            return 0;
    if (i == n)
        return 1;
    if (n >= 8) /* the last eight bytes cover the rest */
        return load8(e->bytes + n - 8) == load8(s + n - 8);
    return load_short(e->bytes, n) == load_short(s, n); /* every byte of 1..7 is in it */
}

int pw_seg_memo_lookup(const pw_scan *sc, const pw_seg *g, int depth, pw_seg_memo_key *k)
{
    key_of(sc, g, depth, k);
    if (!k->ok)
        return 0;
    const seg_memo_entry *set = set_of(sc, k);
    for (size_t w = 0; w < PW_SEG_MEMO_WAYS; w++)
        if (set[w].hash == k->hash && set[w].tag == k->tag && set[w].n == g->n)
            return same_bytes(&set[w], g->s, g->n);
    return 0;
}

void pw_seg_memo_put(const pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k)
{
    if (!k->ok || sc->st != PW_OK || sc->degraded || sc->capped)
        return;
    seg_memo_entry *set = set_of(sc, k);
    for (size_t w = PW_SEG_MEMO_WAYS - 1; w > 0; w--) /* the last one goes */
        set[w] = set[w - 1];
    set[0].hash = k->hash;
    set[0].tag = k->tag;
    set[0].n = (uint32_t)g->n;
    memcpy(set[0].bytes, g->s, g->n);
}
