/*
 * detector.c — the public face of the PHI engine: category and reason names, building and
 * freeing a detector and its per-thread scratch, and pw_detect_scan, which routes a field to the
 * URL or segment scanner, then resolves overlapping hits and sorts them into the caller's arena.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

#define MAX_HITS PW_DETECT_MAX_HITS

const char *pw_phi_category_name(pw_phi_category c)
{
    static const char *const names[PW_PHI__COUNT] = {
        "email", "phone", "ssn", "date", "zip",  "address", "ip",     "record-id",
        "npi",   "dea",   "mbi", "card", "name", "canary",  "health", "care-intent"};
    return (unsigned)c < PW_PHI__COUNT ? names[c] : "unknown";
}

int pw_phi_is_identifier(pw_phi_category c)
{
    return c != PW_PHI_HEALTH && c != PW_PHI_CARE_INTENT && (unsigned)c < PW_PHI__COUNT;
}

const char *pw_reason_name(pw_reason r)
{
    static const char *const names[] = {"pattern", "checksum", "context", "vocabulary", "canary"};
    return (unsigned)r <= PW_REASON_CANARY ? names[r] : "unknown";
}

pw_status pw_detector_new(const pw_detector_opts *opts, pw_detector **out, pw_err *err)
{
    *out = NULL;
    pw_detector *d = calloc(1, sizeof *d);
    if (!d)
        return pw_err_set(err, PW_ERR_NOMEM, "detector: out of memory");
    pw_arena_init(&d->arena, 0);
    pw_status st = pw_vocab_new(opts ? opts->vocab_file : NULL, &d->vocab, err);
    if (st == PW_OK && opts && opts->n_canaries)
        st = pw_canary_build(d, opts->canaries, opts->n_canaries, err);
    if (st != PW_OK) {
        pw_detector_free(d);
        return st;
    }
    *out = d;
    return PW_OK;
}

void pw_detector_free(pw_detector *d)
{
    if (!d)
        return;
    pw_vocab_free(d->vocab);
    pw_arena_free(&d->arena);
    free(d);
}

size_t pw_detector_vocab_size(const pw_detector *d)
{
    return d && d->vocab ? pw_vocab_size(d->vocab) : 0;
}

pw_status pw_detect_scratch_new(const pw_detector *d, pw_detect_scratch **out, pw_err *err)
{
    *out = NULL;
    pw_detect_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return pw_err_set(err, PW_ERR_NOMEM, "detect scratch: out of memory");
    pw_status st = pw_vocab_scratch_new(d->vocab, &s->vocab, err);
    if (st != PW_OK) {
        free(s);
        return st;
    }
    s->seg_memo = pw_seg_memo_new(); /* NULL: nothing remembered, the same hits */
    *out = s;
    return PW_OK;
}

void pw_detect_scratch_free(pw_detect_scratch *s)
{
    if (!s)
        return;
    pw_vocab_scratch_free(s->vocab);
    pw_seg_memo_free(s->seg_memo);
    free(s->norm);
    free(s->norm_map);
    free(s->words);
    free(s->hits);
    free(s->kept_by_start);
    free(s->sort_keys);
    free(s->sort_hits);
    free(s);
}

void pw_seg_span(const pw_seg *g, size_t i, size_t j, size_t *start, size_t *end)
{
    if (!g->ostart) {
        *start = g->base + i;
        *end = g->base + j;
        return;
    }
    /* Every layer keeps its bytes in order (a percent layer decodes left to right,
     * a folded layer copies or drops bytes in order), so ostart and oend never decrease: the
     * span's first byte starts it, its last byte ends it */
    *start = g->ostart[i];
    *end = g->oend[j - 1];
}

static int grow_hits(pw_detect_scratch *s)
{
    size_t cap = s->cap_hits ? s->cap_hits * 2 : 32;
    pw_hit *h = realloc(s->hits, cap * sizeof *h);
    if (!h)
        return 0;
    s->hits = h;
    s->cap_hits = cap;
    return 1;
}

int pw_scan_room(pw_scan *sc, size_t k)
{
    pw_detect_scratch *s = sc->s;
    if (s->n_hits + k > MAX_HITS) /* a scan would stop at the limit (capped): let it */
        return 0;
    while (s->n_hits + k > s->cap_hits)
        if (!grow_hits(s))
            return 0;
    return 1;
}

void pw_scan_add(pw_scan *sc, const pw_seg *g, size_t i, size_t j, pw_phi_category cat,
                 const char *subtype, const char *normalized, float confidence, pw_reason reason,
                 const char *detail)
{
    pw_detect_scratch *s = sc->s;
    if (sc->st != PW_OK || j <= i)
        return;
    if (s->n_hits >= MAX_HITS) {
        sc->capped = 1;
        return;
    }
    if (s->n_hits == s->cap_hits && !grow_hits(s)) {
        sc->st = pw_err_set(sc->err, PW_ERR_NOMEM, "detect: out of memory for hits");
        return;
    }
    pw_hit *h = &s->hits[s->n_hits];
    memset(h, 0, sizeof *h);
    h->category = cat;
    h->subtype = subtype;
    pw_seg_span(g, i, j, &h->start, &h->end);
    h->normalized = normalized ? normalized : pw_arena_strndup(sc->a, g->s + i, j - i);
    h->confidence = confidence;
    h->reason = reason;
    h->reason_detail = detail;
    h->sensitivity = PW_SENS_NORMAL;
    if (!h->normalized) {
        sc->st = pw_err_set(sc->err, PW_ERR_NOMEM, "detect: out of memory");
        return;
    }
    s->n_hits++;
    if (sc->d->n_norm_values && cat != PW_PHI_CANARY && pw_phi_is_identifier(cat)) {
        const char *label = pw_canary_label_for(sc->d, h->normalized);
        if (label)
            pw_scan_add(sc, g, i, j, PW_PHI_CANARY, "plain", h->normalized, 0.97f, PW_REASON_CANARY,
                        label);
    }
}

/* How specific a hit is: the more specific wins an overlap. */
static int hit_rank(const pw_hit *h)
{
    switch (h->category) {
    case PW_PHI_CANARY: return 100;
    case PW_PHI_CARD:
    case PW_PHI_NPI:
    case PW_PHI_DEA:
    case PW_PHI_MBI: return 90;
    case PW_PHI_EMAIL:
    case PW_PHI_SSN: return 85;
    case PW_PHI_IP: return 80;
    case PW_PHI_PHONE: return 75;
    case PW_PHI_DATE: return 70;
    case PW_PHI_RECORD_ID: return 65;
    case PW_PHI_ADDRESS: return 60;
    case PW_PHI_NAME: return 55;
    case PW_PHI_ZIP: return 50;
    case PW_PHI_HEALTH: return 20;
    default: return 10;
    }
}

static int is_search(const pw_hit *h)
{
    return h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0;
}

static int overlaps(const pw_hit *a, const pw_hit *b)
{
    return a->start < b->end && b->start < a->end;
}

/* A care-intent phrase may name the health term it is about ("schedule mammogram" holds
 * "mammogram", "virtual urgent care" holds "urgent care"): the health hit outranks the phrase,
 * and without this the intent would be lost to it. Strictly inside only. */
static int care_holds_health(const pw_hit *outer, const pw_hit *inner)
{
    return outer->category == PW_PHI_CARE_INTENT && inner->category == PW_PHI_HEALTH &&
           inner->start >= outer->start && inner->end <= outer->end &&
           inner->end - inner->start < outer->end - outer->start;
}

/* A search-query hit may contain the hits found inside the query; a care-intent phrase the
 * health term inside it. */
static int may_nest(const pw_hit *a, const pw_hit *b)
{
    if (is_search(a))
        return b->start >= a->start && b->end <= a->end && !is_search(b);
    if (is_search(b))
        return a->start >= b->start && a->end <= b->end;
    return care_holds_health(a, b) || care_holds_health(b, a);
}

static int by_score_desc(const void *pa, const void *pb)
{
    const pw_hit *a = pa, *b = pb;
    int ra = hit_rank(a), rb = hit_rank(b);
    if (ra != rb)
        return rb - ra;
    size_t la = a->end - a->start, lb = b->end - b->start;
    if (la != lb) /* the longer match is the more specific ("colonoscopy prep" over "prep") */
        return la < lb ? 1 : -1;
    if (a->confidence != b->confidence)
        return a->confidence < b->confidence ? 1 : -1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int by_start(const void *pa, const void *pb)
{
    const pw_hit *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end > b->end ? -1 : 1;
    return hit_rank(b) - hit_rank(a);
}

/* A hit's place in one of the two orders as two numbers, compared as (k1, k2): the
 * comparators above without their branches and rank look-ups, for long fields (hundreds or
 * thousands of hits). Spans fit 32 bits (pw_detect_check_field); confidences are positive, so
 * their IEEE bits order as the floats do. */
typedef struct hit_key {
    uint64_t k1, k2;
    uint32_t at; /* index of the hit */
} hit_key;

static uint32_t conf_bits(float c)
{
    uint32_t b;
    memcpy(&b, &c, sizeof b);
    return b;
}

static hit_key key_of(const pw_hit *h, int (*cmp)(const void *, const void *), size_t at)
{
    uint64_t rank_desc = (uint64_t)(255 - hit_rank(h)), start = h->start, end = h->end;
    if (cmp == by_start) /* start, then the longer, then the more specific */
        return (hit_key){start << 32 | (UINT32_MAX - end), rank_desc, (uint32_t)at};
    /* by_score_desc: the more specific, the longer, the surer, then by start */
    return (hit_key){rank_desc << 32 | (UINT32_MAX - (end - start)),
                     (uint64_t)(UINT32_MAX - conf_bits(h->confidence)) << 32 | start, (uint32_t)at};
}

static int key_after(const hit_key *a, const hit_key *b)
{
    return a->k1 > b->k1 || (a->k1 == b->k1 && a->k2 > b->k2);
}

/* Stable merge sort of k[0..n) (tmp: n more), bottom up from runs of 16 put in order by
 * insertion; where the result ends up (k or tmp). */
static hit_key *merge_sort(hit_key *k, hit_key *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += 16) {
        size_t hi = lo + 16 < n ? lo + 16 : n;
        for (size_t i = lo + 1; i < hi; i++) {
            hit_key x = k[i];
            size_t j = i;
            for (; j > lo && key_after(&k[j - 1], &x); j--)
                k[j] = k[j - 1];
            k[j] = x;
        }
    }
    for (size_t width = 16; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n,
                   hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi) /* equal keys: the left run's first (stable) */
                tmp[o++] = key_after(&k[a], &k[b]) ? k[b++] : k[a++];
            while (a < mid)
                tmp[o++] = k[a++];
            while (b < hi)
                tmp[o++] = k[b++];
        }
        hit_key *t = k;
        k = tmp;
        tmp = t;
    }
    return k;
}

/* Room for a field of n hits in the scratch's long-field buffers (the keyed sort's keys and
 * hits, resolve_overlaps' index); 0 when out of memory. */
static int many_hits_room(pw_detect_scratch *s, size_t n)
{
    if (n <= s->many_cap)
        return 1;
    hit_key *k = realloc(s->sort_keys, 2 * n * sizeof *k);
    if (k)
        s->sort_keys = k;
    pw_hit *h = k ? realloc(s->sort_hits, n * sizeof *h) : NULL;
    if (h)
        s->sort_hits = h;
    uint32_t *by = h ? realloc(s->kept_by_start, n * sizeof *by) : NULL;
    if (!by)
        return 0;
    s->kept_by_start = by;
    s->many_cap = n;
    return 1;
}

/* More than 16 hits: a stable merge sort of keys (the order glibc's qsort, a stable merge sort,
 * gave with cmp), or qsort itself when the scratch has no room for the keys. */
static void sort_many(pw_detect_scratch *s, pw_hit *h, size_t n,
                      int (*cmp)(const void *, const void *))
{
    if (!many_hits_room(s, n)) {
        qsort(h, n, sizeof *h, cmp);
        return;
    }
    hit_key *k = s->sort_keys;
    for (size_t i = 0; i < n; i++)
        k[i] = key_of(&h[i], cmp, i);
    k = merge_sort(k, k + n, n);
    for (size_t i = 0; i < n; i++)
        s->sort_hits[i] = h[k[i].at];
    memcpy(h, s->sort_hits, n * sizeof *h);
}

/* Few hits per field is the rule: insertion sort then, sort_many beyond. */
static inline void sort_hits(pw_detect_scratch *s, pw_hit *h, size_t n,
                             int (*cmp)(const void *, const void *))
{
    if (n > 16) {
        sort_many(s, h, n, cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        if (cmp(&h[i - 1], &h[i]) <= 0)
            continue; /* in place already (the rule): no copy */
        pw_hit x = h[i];
        size_t j = i;
        for (; j > 0 && cmp(&h[j - 1], &x) > 0; j--)
            h[j] = h[j - 1];
        h[j] = x;
    }
}

/* h[i] conflicts with none of the kept hits h[0..kept): every one it overlaps may nest with it. */
static int fits_all(const pw_hit *h, size_t kept, size_t i)
{
    for (size_t k = 0; k < kept; k++)
        if (overlaps(&h[k], &h[i]) && !may_nest(&h[k], &h[i]))
            return 0;
    return 1;
}

/* fits_all for many hits (a long field): by[0..kept) are the kept hits' indices sorted by start,
 * and none is longer than longest, so a kept hit that overlaps h[i] starts in
 * (h[i].start - longest, h[i].end): only those are looked at. */
static int fits_near(const pw_hit *h, const uint32_t *by, size_t kept, size_t longest, size_t i)
{
    size_t from = h[i].start > longest ? h[i].start - longest : 0, lo = 0, hi = kept;
    while (lo < hi) { /* the first kept hit starting at or after from */
        size_t mid = lo + (hi - lo) / 2;
        if (h[by[mid]].start < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k < kept && h[by[k]].start < h[i].end; k++)
        if (overlaps(&h[by[k]], &h[i]) && !may_nest(&h[by[k]], &h[i]))
            return 0;
    return 1;
}

/* Insert kept hit k into by[0..kept) (sorted by start). */
static void insert_by_start(const pw_hit *h, uint32_t *by, size_t kept, size_t k)
{
    size_t lo = 0, hi = kept;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[by[mid]].start <= h[k].start)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(by + lo + 1, by + lo, (kept - lo) * sizeof *by);
    by[lo] = (uint32_t)k;
}

/* Keep the most specific hit of each overlapping group; returns the new count. Hits are taken in
 * order of specificity, each kept when it conflicts with no hit kept before it. In fields
 * with more than 16 hits (long fields: up to MAX_HITS) a hit is compared only with the kept hits
 * near it (fits_near) instead of all of them, the same answer without the quadratic cost (the
 * stress corpus spent 13% of its instructions here); without memory for the index, all of them. */
static inline __attribute__((always_inline)) size_t resolve_overlaps(pw_detect_scratch *s,
                                                                     pw_hit *h, size_t n, int fast)
{
    if (n == 1) /* engine-url9: one hit (the rule in a field with any) is kept as it is */
        return 1;
    if (fast && n <= 16) {
        /* engine-url9: hits that overlap none are all kept, in start order: put in that order
         * (the detectors add them mostly so: a look per hit), a walk finds whether any overlaps
         * one before it, and only then are they taken by specificity. The start order keeps
         * the order of hits equal in both (same span and rank), so the stable sort by
         * specificity below orders them as from the order they were added in. */
        sort_hits(s, h, n, by_start);
        size_t i = 1; /* while none overlaps, the one before ends last */
        while (i < n && h[i].start >= h[i - 1].end)
            i++;
        if (i == n)
            return n;
    }
    sort_hits(s, h, n, by_score_desc);
    int near = n > 16 && many_hits_room(s, n);
    size_t kept = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(near ? fits_near(h, s->kept_by_start, kept, longest, i) : fits_all(h, kept, i)))
            continue;
        if (kept != i) /* no 64-byte copy of a hit onto itself */
            h[kept] = h[i];
        if (near) {
            insert_by_start(h, s->kept_by_start, kept, kept);
            if (h[kept].end - h[kept].start > longest)
                longest = h[kept].end - h[kept].start;
        }
        kept++;
    }
    sort_hits(s, h, kept, by_start);
    return kept;
}

size_t pw_detect_resolve_hits(pw_detect_scratch *s, pw_hit *h, size_t n, int fast)
{
    return n ? resolve_overlaps(s, h, n, fast) : 0;
}

static inline __attribute__((always_inline)) int looks_like_url(const char *s, size_t n)
{
    /* det-health: most fields do not start with 'h': no case-insensitive compares for them */
    if (n < 7 || (s[0] | 0x20) != 'h')
        return 0;
    if (n >= 8 && pw_strncaseeq(s, "https://", 8))
        return memchr(s, ' ', n) == NULL;
    if (n >= 7 && pw_strncaseeq(s, "http://", 7))
        return memchr(s, ' ', n) == NULL;
    return 0;
}

/* pw_detect_scan and pw_detect_scan_member: one body, inlined in both (a call from one to the
 * other passes eleven arguments again, ≈ 12 instructions per field). */
static inline __attribute__((always_inline)) pw_status
scan_member(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
            pw_detect_object object, const char *str, size_t n, pw_field_type type, pw_hit **hits,
            size_t *n_hits, pw_err *err)
{
    *hits = NULL;
    *n_hits = 0;
    pw_status st = pw_detect_check_field(d, s, a, str, n, err);
    if (st != PW_OK)
        return st;
    /* The memo is keyed by addresses: the caller may reuse a buffer for other text next time. */
    pw_ctx_memo_clear(s);
    return pw_detect_scan_checked(d, s, a, key, object, str, n, type, hits, n_hits, err);
}

pw_status pw_detect_scan(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                         const char *str, size_t n, pw_field_type type, pw_hit **hits,
                         size_t *n_hits, pw_err *err)
{
    return scan_member(d, s, a, key, PW_OBJECT_UNKNOWN, str, n, type, hits, n_hits, err);
}

pw_status pw_detect_scan_member(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                const char *key, pw_detect_object object, const char *str, size_t n,
                                pw_field_type type, pw_hit **hits, size_t *n_hits, pw_err *err)
{
    return scan_member(d, s, a, key, object, str, n, type, hits, n_hits, err);
}

pw_status pw_detect_scan_checked(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                 const char *key, pw_detect_object object, const char *str,
                                 size_t n, pw_field_type type, pw_hit **hits, size_t *n_hits,
                                 pw_err *err)
{
    *hits = NULL;
    *n_hits = 0;
    s->n_hits = 0;
    pw_scan sc = {.d = d, .s = s, .a = a, .orig = str, .orig_n = n, .st = PW_OK, .err = err};
    if (!d->n_forms && !d->n_norm_values) /* a canary is looked for in every segment */
        sc.memo = s->seg_memo;
    pw_seg g = {.s = str,
                .n = n,
                .type = type,
                .key = key,
                .key_n = key ? strlen(key) : 0,
                .memo = s->ctx_memo,
                .ctx_cache = &s->ctx_cache};
    g.ctx = key ? pw_ctx_from_key_memo(s, key, g.key_n) : PW_CTX_NONE;
    if (object != PW_OBJECT_UNKNOWN && key) /* the memo stays per key: the object changes it */
        g.ctx = pw_ctx_in_object(g.ctx, key, g.key_n, object);
    if (type == PW_FT_URL || looks_like_url(str, n))
        pw_scan_url(&sc, &g, 0);
    else
        pw_scan_segment(&sc, &g, 0);
    s->capped = sc.capped;
    if (sc.st != PW_OK)
        return sc.st;
    if (s->n_hits == 0)
        return PW_OK;
    size_t kept = resolve_overlaps(s, s->hits, s->n_hits, 1);
    pw_hit *out = pw_arena_memdup(a, s->hits, kept * sizeof *out);
    if (!out)
        return pw_err_set(err, PW_ERR_NOMEM, "detect: out of memory");
    *hits = out;
    *n_hits = kept;
    return PW_OK;
}
