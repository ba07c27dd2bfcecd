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
 *
 * Segments that gave hits are remembered too (engine-speed), in a second table: the page URL in
 * the dl= of every tracker request, a button text sent with every click. Only a segment that is a
 * slice of the field (no decoded or folded layer), or a part of a decoded layer that reads exactly
 * as the field's bytes where it came from (engine-url7: the slugs of the page URL in dl=,
 * plain_in_field), so that each hit's span is the slice's offset plus a span inside it; up to
 * PW_HIT_MEMO_LEN bytes, PW_HIT_MEMO_HITS hits whose strings fit in PW_HIT_MEMO_TEXT bytes. Given
 * again, the hits are appended as the scan would have appended them (same order, spans moved,
 * strings copied into the caller's arena), unless they would pass the per-field limit (the scan
 * then runs and stops there). A segment of up to 128 bytes is remembered the second time it comes
 * (most such segments with hits come once, and copying their hits costs more than it saves), a
 * longer one (a nested URL) the first time. A segment too long for the first table that gave no hit
 * goes in the second with no hits.
 *
 * engine-url7: runs of path slugs that no vocabulary phrase crosses are remembered too, in a
 * third table of their own (path_phrase.c asks), so that they push no segment out.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"

struct pw_seg_memo *pw_seg_memo_new(void)
{
    return calloc(1, sizeof(struct pw_seg_memo));
}

void pw_seg_memo_free(struct pw_seg_memo *m)
{
    free(m);
}

/* engine-url7: g, a part of a decoded layer (a slug or value of the page URL in dl=), reads
 * exactly as the field's bytes at g->ostart[0]: each byte came unchanged from one byte of the
 * field, in a row, and none is '%'. Its hits are then those of the same bytes as a slice of the
 * field (the spans are the same; ident_name.c's written_high reads the field under a span only
 * for a '%' or a byte past 0x7F, which such bytes do not hold or has_high saw first), so the hit
 * memo may keep them, at the offset g->ostart[0]. The ends are checked first: most decoded parts
 * with an escape fail there. */
static int plain_in_field(const pw_scan *sc, const pw_seg *g)
{
    size_t n = g->n, b = g->ostart[0];
    if (!sc->orig || b + n > sc->orig_n || memcmp(sc->orig + b, g->s, n) != 0 ||
        memchr(g->s, '%', n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (g->ostart[i] != b + i || g->oend[i] != b + i + 1)
            return 0;
    return 1;
}

/* k->hits_ok after its last look (HITS_MAYBE: plain_ends passed, plain_in_field not asked: it is
 * asked when an entry matches or the segment is to be remembered, not on every miss). */
static int hits_ok(const pw_scan *sc, const pw_seg *g, int ok)
{
    return ok == HITS_MAYBE ? plain_in_field(sc, g) : ok;
}

/* Where g's byte 0 is in the field, for a segment the hit memo keeps (a slice, or
 * plain_in_field). */
static size_t field_base(const pw_seg *g)
{
    return g->ostart ? g->ostart[0] : g->base;
}

uint64_t pw_memo_hash_bytes(uint64_t h, const char *s, size_t n)
{
    return mix_bytes(h, s, n);
}

int pw_memo_same_bytes(const char *b, const char *s, size_t n)
{
    return same_bytes(b, s, n);
}

int pw_seg_memo_lookup(const pw_scan *sc, const pw_seg *g, int depth, pw_seg_memo_key *k)
{
    return pw_seg_memo_lookup_inline(sc, g, depth, k);
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

/* ---- engine-url7: path runs no phrase crosses ---- */

/* The run's hash: its bytes and length (never 0). */
static uint64_t run_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        h = mix(h, load8(s + i));
    if (i < n)
        h = mix(h, n >= 8 ? load8(s + n - 8) : load_short(s, n));
    return h | 1;
}

static run_memo_entry *run_slot(const pw_scan *sc, uint64_t hash)
{
    return &sc->memo->runs[memo_slot(hash, PW_RUN_MEMO_SLOTS)];
}

int pw_seg_memo_run_quiet(const pw_scan *sc, const char *s, size_t n, uint64_t *hash)
{
    *hash = 0;
    if (!sc->memo || n == 0 || n > PW_RUN_MEMO_LEN)
        return 0;
    *hash = run_hash(s, n);
    const run_memo_entry *e = run_slot(sc, *hash);
    return e->hash == *hash && e->n == n && same_bytes(e->bytes, s, n);
}

void pw_seg_memo_run_put(const pw_scan *sc, const char *s, size_t n, uint64_t hash)
{
    if (!hash || !sc->memo || n == 0 || n > PW_RUN_MEMO_LEN)
        return;
    run_memo_entry *e = run_slot(sc, hash);
    e->hash = hash;
    e->n = (uint32_t)n;
    memcpy(e->bytes, s, n);
}

/* ---- engine-speed: segments remembered with their hits ---- */

static size_t hit_set(const pw_seg_memo_key *k)
{
    return memo_slot(k->hash, PW_HIT_MEMO_SETS);
}

static hit_memo_entry *hit_set_of(const pw_scan *sc, const pw_seg_memo_key *k)
{
    return &sc->memo->h[hit_set(k) * PW_HIT_MEMO_WAYS];
}

/* Add e's hits again for g: spans moved to g's place, strings copied into the arena. */
static int replay(pw_scan *sc, const pw_seg *g, const hit_memo_entry *e)
{
    if (sc->st != PW_OK || !pw_scan_room(sc, e->nh))
        return 0;
    if (e->nh == 0)
        return 1;
    char *text = pw_arena_alloc(sc->a, e->text_n);
    if (!text)
        return 0; /* the scan will say so */
    memcpy(text, e->text, e->text_n);
    size_t base = field_base(g);
    pw_hit *out = &sc->s->hits[sc->s->n_hits];
    for (size_t i = 0; i < e->nh; i++) {
        const hit_memo_hit *m = &e->hits[i];
        out[i] = m->h;
        out[i].start += base;
        out[i].end += base;
        out[i].normalized = text + m->norm;
        out[i].reason_detail = m->detail == HIT_NO_TEXT ? NULL : text + m->detail;
    }
    sc->s->n_hits += e->nh;
    return 1;
}

int pw_seg_memo_replay(pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k)
{
    if (!k->hits_ok)
        return 0;
    const hit_memo_entry *set = hit_set_of(sc, k);
    for (size_t w = 0; w < PW_HIT_MEMO_WAYS; w++) /* a decoded part is looked at on a match */
        if (set[w].hash == k->hash && set[w].tag == k->tag && set[w].n == g->n)
            return same_bytes(set[w].bytes, g->s, g->n) && hits_ok(sc, g, k->hits_ok) &&
                   replay(sc, g, &set[w]);
    return 0;
}

/* Append the string s (with its NUL) to e's text; its offset, HIT_NO_TEXT for NULL, or -1 when
 * it does not fit. */
static long put_text(hit_memo_entry *e, const char *s)
{
    if (!s)
        return HIT_NO_TEXT;
    size_t len = strlen(s) + 1;
    if (len > PW_HIT_MEMO_TEXT - e->text_n)
        return -1;
    memcpy(e->text + e->text_n, s, len);
    e->text_n += (uint32_t)len;
    return (long)(e->text_n - len);
}

/* Fill e with g's hits h[0..nh); 0 when they cannot be remembered (a span outside g, strings
 * too long). */
static int fill_entry(hit_memo_entry *e, const pw_seg *g, const pw_hit *h, size_t nh)
{
    size_t base = field_base(g);
    e->nh = (uint32_t)nh;
    e->text_n = 0;
    for (size_t i = 0; i < nh; i++) {
        if (h[i].start < base || h[i].end > base + g->n || h[i].start > h[i].end)
            return 0;
        long norm = put_text(e, h[i].normalized), detail = put_text(e, h[i].reason_detail);
        if (norm < 0 || detail < 0)
            return 0;
        e->hits[i].h = h[i];
        e->hits[i].h.start -= base;
        e->hits[i].h.end -= base;
        e->hits[i].h.normalized = e->hits[i].h.reason_detail = NULL;
        e->hits[i].norm = (uint16_t)norm;
        e->hits[i].detail = (uint16_t)detail;
    }
    return 1;
}

void pw_seg_memo_put_hits(const pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k, size_t from)
{
    size_t nh = sc->s->n_hits - from;
    if (!k->hits_ok || sc->st != PW_OK || sc->degraded || sc->capped || nh > PW_HIT_MEMO_HITS ||
        !hits_ok(sc, g, k->hits_ok))
        return;
    /* a short segment is remembered when it comes a second time: most segments with hits come
     * once (a visitor's own text), and copying their hits would cost more than it ever saves */
    uint64_t *seen = &sc->memo->seen[memo_slot(k->hash, PW_HIT_MEMO_SEEN)];
    uint64_t mark = k->hash ^ k->tag;
    if (g->n <= PW_HIT_MEMO_SHORT && *seen != mark) {
        *seen = mark;
        return;
    }
    /* the way written longest ago goes (entries are large: none is moved) */
    size_t set = hit_set(k), w = (sc->memo->newest[set] + 1u) % PW_HIT_MEMO_WAYS;
    hit_memo_entry *e = &sc->memo->h[set * PW_HIT_MEMO_WAYS + w];
    /* no hits yet in this scratch: hits is NULL, and NULL + 0 is undefined behaviour */
    if (!fill_entry(e, g, nh ? sc->s->hits + from : NULL, nh)) {
        e->tag = 0;
        return;
    }
    e->hash = k->hash;
    e->tag = k->tag;
    e->n = (uint32_t)g->n;
    memcpy(e->bytes, g->s, g->n);
    sc->memo->newest[set] = (unsigned char)w;
}
