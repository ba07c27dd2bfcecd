/*
 * internal.h — (internal to detect) shared types of the PHI engine: the compiled detector, the
 * per-thread scratch, a "segment" (a piece of text to scan, possibly decoded from the original
 * string, with a map back to original byte offsets), the hit collector, and the entry points
 * of each identifier detector. detector.c drives them; redact.c reuses the URL splitter.
 */
#ifndef PHIWALL_DETECT_INTERNAL_H
#define PHIWALL_DETECT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "detect/context_cache.h"
#include "detect/vocab.h"
#include "phiwall/detect.h"
#include "phiwall/text.h"

/* Maximum percent-decoding layers and nested URLs followed. */
#define PW_DETECT_MAX_LAYERS    3
#define PW_DETECT_MAX_URL_DEPTH 3

/* What the field name (or a word just before a value) says the value is. */
typedef enum pw_ctx {
    PW_CTX_NONE = 0,
    PW_CTX_EMAIL,
    PW_CTX_PHONE,
    PW_CTX_FAX,
    PW_CTX_SSN,
    PW_CTX_DOB,
    PW_CTX_APPT,
    PW_CTX_DATE,
    PW_CTX_ZIP,
    PW_CTX_ADDRESS,
    PW_CTX_CITY,
    PW_CTX_FIRST_NAME,
    PW_CTX_LAST_NAME,
    PW_CTX_NAME,
    PW_CTX_PROVIDER,
    PW_CTX_MRN,
    PW_CTX_MEMBER,
    PW_CTX_ACCOUNT,
    PW_CTX_POLICY,
    PW_CTX_PATIENT_ID,
    PW_CTX_NPI,
    PW_CTX_DEA,
    PW_CTX_MBI,
    PW_CTX_IP,
    PW_CTX_GENDER,
    PW_CTX_SEARCH,
    PW_CTX_CARD,
    PW_CTX_TIME,      /* ts, timestamp, cachebuster: numbers here are never identifiers */
    PW_CTX_ORG_PHONE, /* "call us", "toll-free": an organisation's number, not a person's */
    PW_CTX_NEGATIVE,  /* order, invoice, tracking, sku: numbers here are not SSNs/IDs */
    PW_CTX_HEALTH     /* diagnosis, condition, reason_for_visit: the value is health information */
} pw_ctx;

/* A canary's searchable forms. */
typedef struct pw_canary_form {
    const char *text; /* lower-case form to find */
    size_t len;
    const char *encoding; /* "plain", "urlencoded", "base64", "md5", "sha1", "sha256" */
    uint32_t canary;      /* index into pw_detector.canaries */
    uint8_t is_hash;      /* hex digest: matched as a whole hex token */
    const char *value;    /* the normalised value this form encodes */
} pw_canary_form;

struct pw_detector {
    pw_vocab *vocab;
    pw_arena arena; /* canary forms and labels */
    pw_canary *canaries;
    size_t n_canaries;
    pw_canary_form *forms;
    size_t n_forms;
    /* normalised canary values compared with identifier hits ("5551234567", "19850314") */
    const char **norm_values;
    const char **norm_labels;
    size_t n_norm_values;
    /* The text forms (not hashes) by their first byte, either case: bit b of text_first[c] is
     * text_forms[b]. One pass over a segment finds every form's candidates (canary.c); with more
     * than 64 text forms (n_text_forms 0) each form is searched on its own. */
    uint64_t text_first[256];
    uint16_t text_forms[64];
    size_t n_text_forms;
};

/* One remembered pw_ctx_before answer: several detectors ask about the same number. */
typedef struct pw_ctx_memo {
    const char *seg; /* segment start (the look-back stops there) */
    const char *at;  /* the position asked about */
    pw_ctx ctx;
} pw_ctx_memo;

#define PW_CTX_MEMO_SLOTS 8

/* One remembered key classification (key_memo.c); len 0 = empty. */
#define PW_KEY_MEMO_SLOTS 1024
#define PW_KEY_MEMO_LEN   30
typedef struct pw_key_memo {
    uint32_t hash;
    unsigned char len, ctx;
    char key[PW_KEY_MEMO_LEN];
} pw_key_memo;

/* One URL parameter name of 1..16 bytes and its classification (key_memo.c, engine-url7): its
 * first and last eight bytes (zero above a shorter name) and its length; len 0 = empty. */
#define PW_PARAM_MEMO_LOG   8
#define PW_PARAM_MEMO_SLOTS (1u << PW_PARAM_MEMO_LOG)
typedef struct pw_param_memo {
    uint64_t head, tail;
    unsigned char len, ctx;
} pw_param_memo;

/* A URL's scheme and authority ("https://www.facebook.com") and whether its host names a
 * general page (page_context.c, engine-url7); n 0 = empty. */
#define PW_HOST_MEMO_SLOTS 64 /* a power of two */
#define PW_HOST_MEMO_LEN   64
typedef struct pw_host_memo {
    uint64_t hash;
    uint32_t n;
    unsigned char general;
    char bytes[PW_HOST_MEMO_LEN];
} pw_host_memo;

/* engine-url9: where a URL's quiet part starts (pw_page_quiet_from), remembered by the URL's
 * bytes up to the end of its last path slug, which decide its host, its slugs and their places
 * (page_context.c); n 0 = empty. */
#define PW_QUIET_MEMO_SLOTS 64 /* a power of two */
#define PW_QUIET_MEMO_LEN   128
typedef struct pw_quiet_memo {
    uint64_t hash;
    uint32_t n;
    uint32_t at; /* the part the quiet part starts at; PW_QUIET_NONE: none */
    /* pw_scan_path_phrases found no phrase across these slugs for a URL segment of this tag
     * (pw_quiet_phrase_tag); 0: not known */
    uint32_t phrases_quiet;
    char bytes[PW_QUIET_MEMO_LEN];
} pw_quiet_memo;
#define PW_QUIET_NONE UINT32_MAX

struct pw_detect_scratch {
    pw_ctx_memo ctx_memo[PW_CTX_MEMO_SLOTS]; /* cleared by every pw_detect_scan */
    pw_ctx_cache ctx_cache; /* look-back answers by their text, kept across scans (context.c) */
    pw_key_memo key_memo[PW_KEY_MEMO_SLOTS];       /* kept across scans: keys repeat */
    pw_param_memo param_memo[PW_PARAM_MEMO_SLOTS]; /* in front of key_memo for URL names */
    pw_host_memo host_memo[PW_HOST_MEMO_SLOTS];    /* hosts of general pages, and not */
    pw_quiet_memo quiet_memo[PW_QUIET_MEMO_SLOTS]; /* quiet parts of URLs by their paths */
    pw_vocab_scratch *vocab;
    char *norm;         /* normalised text for the vocabulary */
    uint32_t *norm_map; /* norm byte -> segment byte */
    size_t norm_cap;
    pw_vocab_word *words; /* the words of a segment for the vocabulary (health.c) */
    size_t words_cap;
    pw_hit *hits; /* collected hits before they are copied into the caller's arena */
    size_t n_hits, cap_hits;
    /* fields of more than 16 hits (detector.c): the keyed sort's 2 * many_cap keys and many_cap
     * hits, resolve_overlaps' index of the kept hits by start */
    struct hit_key *sort_keys;
    pw_hit *sort_hits;
    uint32_t *kept_by_start;
    size_t many_cap;
    int oom;
    int capped; /* the last scan dropped hits at its per-field limit (pw_redact splits then) */
    struct pw_seg_memo *seg_memo; /* segments known to give no hit (seg_memo.c); NULL: none */
};

/* What a segment holds (summary.c): one pass, read by the gates in segment.c and the detectors. */
enum {
    PW_SUM_DIGIT = 1,
    PW_SUM_ALPHA = 2,
    PW_SUM_AT = 4,
    PW_SUM_PCT = 8,
    PW_SUM_PLUS = 16,
    PW_SUM_UPPER = 32,
    PW_SUM_DOT = 64,
    PW_SUM_COLON = 128,
    PW_SUM_SPACE = 256,
    PW_SUM_HIGH = 512, /* a byte >= 0x80: the one check a pure-ASCII segment pays for folding */
    /* bytes a detector used to look for with a memchr of its own in every segment (a reader
     * with no summary still searches) */
    PW_SUM_EQ = 1024,    /* '=': a name key written inside text ("name=John+Smith") */
    PW_SUM_COMMA = 2048, /* ',': a name before credentials ("Jane Roe, MD") */
    PW_SUM_HASH = 4096   /* '#': a hashtag's run-together words */
};

struct pw_seg_masks;

typedef struct pw_seg_summary {
    unsigned cls;  /* PW_SUM_* bits of the bytes present */
    size_t digits; /* ASCII digits */
    uint64_t runs; /* bit k: a maximal digit run of k digits (63 and longer: bit 63); without
                      masks only filled when digits >= 5 (see pw_sum_runs_known) */
    size_t colons; /* ':' bytes, counted with the masks only (0 without) */
    /* per-byte class masks (det-ident block below); NULL: walk every byte */
    const struct pw_seg_masks *masks;
} pw_seg_summary;

/* The summary without masks (summary.masks = NULL: detectors walk every byte). */
void pw_seg_summarize(const char *s, size_t n, pw_seg_summary *out);

/* pw_seg_summary.runs is filled (a reader may rely on a missing run length). */
static inline int pw_sum_runs_known(const pw_seg_summary *m)
{
    return m->masks != NULL || m->digits >= 5;
}

/* Bit of pw_seg_summary.runs for a run of k digits (k < 63). */
#define PW_RUN(k) ((uint64_t)1 << (k))

/* A piece of text to scan: either a slice of the original (map == NULL: original offset = base +
 * i) or a decoded layer (ostart[i]/oend[i] = smallest original span of byte i). */
typedef struct pw_seg {
    const char *s;
    size_t n;
    size_t base;
    const uint32_t *ostart, *oend;
    pw_ctx ctx;      /* from the key */
    const char *key; /* the key's text (may be NULL) */
    size_t key_n;
    pw_field_type type;
    bool in_url;       /* a path slug or query value (bool: 0 or 1, as the memo's tag reads) */
    bool in_query;     /* a query (or fragment) parameter value */
    pw_ctx_memo *memo; /* the scratch's context memo, or NULL (no memo) */
    pw_ctx_cache *ctx_cache; /* the scratch's look-back answers (set with memo) */
    /* What s holds, set by pw_scan_segment before it runs detectors (NULL: unknown, scan all).
     * Copies of a segment (sub-segments, decoded layers) get their own before use. */
    const pw_seg_summary *sum;
    bool page_quiet; /* det-quality: part of a general page (careers, news): no health context */
} pw_seg;

/* ==== det-ident: byte masks and candidate positions (summary.c) ===========================
 * pw_scan_segment classifies every byte of a segment once (SSE2 when available) into bit masks,
 * one bit per byte. Each identifier detector asks pw_cand_next for the next position where its
 * pattern can start (a digit run, a word, '+', '(' …) instead of testing every byte; with no
 * masks (g->sum or g->sum->masks NULL) pw_cand_next returns every position, the full walk. */
enum {
    PW_MK_DIGIT = 0, /* 0-9 */
    PW_MK_ALPHA,     /* A-Z a-z */
    PW_MK_UPPER,     /* A-Z */
    PW_MK_HEX,       /* A-F a-f */
    PW_MK_OPEN,      /* '+' '(' : where a phone number may start */
    PW_MK_DOT,       /* '.' */
    PW_MK_COLON,     /* ':' */
    PW_MK_DASH,      /* '-' */
    PW_MK__COUNT
};

#define PW_MASK_INLINE_WORDS 16 /* segments up to 1024 bytes keep their masks inline */

typedef struct pw_seg_masks {
    size_t n, words; /* bytes, 64-bit words per mask */
    uint64_t *bits;  /* mask k, word w: bits[k * stride + w]; bit b of word w is byte 64 w + b */
    size_t stride;   /* words from one mask to the next (= words) */
    uint64_t inline_store[PW_MK__COUNT * PW_MASK_INLINE_WORDS]; /* when the words fit */
} pw_seg_masks;

/* Word w of mask k. */
static inline uint64_t pw_mask(const pw_seg_masks *m, int k, size_t w)
{
    return m->bits[(size_t)k * m->stride + w];
}

/* Bits of mask k for bytes [i, i + 64) (past the end: 0), byte i at bit 0. */
static inline uint64_t pw_mask_at(const pw_seg_masks *m, int k, size_t i)
{
    size_t w = i >> 6;
    unsigned sh = (unsigned)(i & 63);
    if (w >= m->words)
        return 0;
    uint64_t lo = pw_mask(m, k, w) >> sh;
    return sh && w + 1 < m->words ? lo | pw_mask(m, k, w + 1) << (64 - sh) : lo;
}

/* Summary and masks of s in one pass. Segments under 16 bytes get no masks (out->masks = NULL:
 * walking them costs less); masks longer than the inline store come from a (or, when that
 * fails, are left out too). */
void pw_seg_summarize_masks(pw_arena *a, const char *s, size_t n, pw_seg_summary *out,
                            pw_seg_masks *m);
/* The portable byte-at-a-time classifier behind pw_seg_summarize_masks (the SSE2 path must give
 * the same masks; exposed for the unit test). m->bits must hold PW_MK__COUNT * m->words words. */
void pw_seg_masks_scalar(const char *s, size_t n, pw_seg_masks *m);

/* Candidate kinds: which positions a detector's loop looks at. */
typedef enum pw_cand_kind {
    PW_CAND_RUN = 0, /* first digit of a digit run */
    PW_CAND_PHONE,   /* RUN, '+', '(' */
    PW_CAND_WORD,    /* first byte of a letter/digit run */
    PW_CAND_ALPHA,   /* first letter of a letter run (the byte before is no letter) */
    PW_CAND_IP4,     /* digit whose previous byte is no letter, digit, '.' or ':' */
    PW_CAND_IP6,     /* the same for a digit, hex letter or ':' */
    PW_CAND_IDWORD,  /* WORD of an upper-case letter or digit, followed by one (DEA, MBI) */
    PW_CAND__COUNT
} pw_cand_kind;

/* Word w of mask k shifted so that bit i says what byte i - 1 is (byte -1: in no class). */
static inline uint64_t pw_mask_prev(const pw_seg_masks *m, int k, size_t w)
{
    return (pw_mask(m, k, w) << 1) | (w ? pw_mask(m, k, w - 1) >> 63 : 0);
}

/* Word w of mask k shifted so that bit i says what byte i + 1 is (byte n: in no class). */
static inline uint64_t pw_mask_next(const pw_seg_masks *m, int k, size_t w)
{
    return (pw_mask(m, k, w) >> 1) | (w + 1 < m->words ? pw_mask(m, k, w + 1) << 63 : 0);
}

/* Candidate bits of word w of the masks. */
static inline uint64_t pw_cand_word(const pw_seg_masks *m, pw_cand_kind k, size_t w)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, w), a = pw_mask(m, PW_MK_ALPHA, w);
    switch (k) {
    case PW_CAND_RUN: return d & ~pw_mask_prev(m, PW_MK_DIGIT, w);
    case PW_CAND_PHONE: return (d & ~pw_mask_prev(m, PW_MK_DIGIT, w)) | pw_mask(m, PW_MK_OPEN, w);
    case PW_CAND_WORD:
        return (d | a) & ~(pw_mask_prev(m, PW_MK_DIGIT, w) | pw_mask_prev(m, PW_MK_ALPHA, w));
    case PW_CAND_ALPHA: return a & ~pw_mask_prev(m, PW_MK_ALPHA, w);
    case PW_CAND_IP4:
    case PW_CAND_IP6: {
        uint64_t before = pw_mask_prev(m, PW_MK_DIGIT, w) | pw_mask_prev(m, PW_MK_ALPHA, w) |
                          pw_mask_prev(m, PW_MK_DOT, w) | pw_mask_prev(m, PW_MK_COLON, w);
        uint64_t at =
            k == PW_CAND_IP4 ? d : d | pw_mask(m, PW_MK_HEX, w) | pw_mask(m, PW_MK_COLON, w);
        return at & ~before;
    }
    case PW_CAND_IDWORD: {
        uint64_t ud = d | pw_mask(m, PW_MK_UPPER, w);
        uint64_t ud_next = pw_mask_next(m, PW_MK_DIGIT, w) | pw_mask_next(m, PW_MK_UPPER, w);
        uint64_t word =
            (d | a) & ~(pw_mask_prev(m, PW_MK_DIGIT, w) | pw_mask_prev(m, PW_MK_ALPHA, w));
        return word & ud & ud_next;
    }
    default: return ~(uint64_t)0;
    }
}

/* The first candidate position >= i of kind k, or >= g->n when none; i itself when g has no
 * masks (every byte is a candidate). */
static inline __attribute__((always_inline)) size_t pw_cand_next(const pw_seg *g, pw_cand_kind k,
                                                                 size_t i)
{
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (!m)
        return i;
    size_t w = i >> 6;
    if (w >= m->words)
        return g->n;
    uint64_t bits = pw_cand_word(m, k, w) & (~(uint64_t)0 << (i & 63));
    while (!bits) {
        if (++w >= m->words)
            return g->n;
        bits = pw_cand_word(m, k, w);
    }
    return (w << 6) + (size_t)__builtin_ctzll(bits);
}
/* det-event: pw_cand_next for a detector's loop, remembering the candidate bits of the word it is
 * in (a loop visits its candidates in order: each 64-bit word is computed once, not once per
 * candidate). Same positions as pw_cand_next. */
typedef struct pw_cand_iter {
    const pw_seg_masks *m; /* NULL: every position */
    size_t n, w;           /* segment bytes; the word whose bits are cached (SIZE_MAX: none) */
    uint64_t bits;
    pw_cand_kind k;
} pw_cand_iter;

/* The first candidate position >= i (>= n when none). */
static inline __attribute__((always_inline)) size_t pw_cand_from(pw_cand_iter *it, size_t i)
{
    const pw_seg_masks *m = it->m;
    if (!m)
        return i;
    size_t w = i >> 6;
    if (w >= m->words)
        return it->n;
    if (w != it->w)
        it->w = w, it->bits = pw_cand_word(m, it->k, w);
    uint64_t bits = it->bits & (~(uint64_t)0 << (i & 63));
    while (!bits) {
        if (++w >= m->words)
            return it->n;
        it->w = w;
        bits = it->bits = pw_cand_word(m, it->k, w);
    }
    return (w << 6) + (size_t)__builtin_ctzll(bits);
}

/* Bits set in x (no popcnt instruction in the baseline x86-64 target). */
static inline size_t pw_popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (size_t)((x * 0x0101010101010101ull) >> 56);
}

/* A segment of at most 64 bytes has one word per mask. Of its digit word d: bit i of
 * pw_run_starts(d) marks the first digit of a run, pw_run_len(d, i) is that run's length. */
static inline uint64_t pw_run_starts(uint64_t d)
{
    return d & ~(d << 1);
}

static inline size_t pw_run_len(uint64_t d, size_t i)
{
    uint64_t rest = ~(d >> i);
    return rest ? (size_t)__builtin_ctzll(rest) : 64;
}

/* Start iterating g's candidates of kind k: the first one. */
static inline __attribute__((always_inline)) size_t pw_cand_first(pw_cand_iter *it, const pw_seg *g,
                                                                  pw_cand_kind k)
{
    it->m = g->sum ? g->sum->masks : NULL;
    it->n = g->n;
    it->w = SIZE_MAX;
    it->bits = 0;
    it->k = k;
    return pw_cand_from(it, 0);
}
/* ==== end det-ident ========================================================================= */

/* Scan state for one pw_detect_scan call. */
typedef struct pw_scan {
    const pw_detector *d;
    pw_detect_scratch *s;
    pw_arena *a;
    const char *orig;
    size_t orig_n;
    pw_status st;
    pw_err *err;
    int degraded; /* a layer could not be made (out of memory): what is found is not remembered */
    int capped;   /* a hit was dropped at the per-field limit: likewise */
    struct pw_seg_memo *memo; /* the scratch's segment memo; NULL: none (canaries, no memory) */
} pw_scan;

/* Forget every remembered context (pw_ctx_before_seg's memo): before a scan of new buffers.
 * Inline, as pw_detect_scan and pw_detect_scan_event pay it per call. */
static inline void pw_ctx_memo_clear(pw_detect_scratch *s)
{
    for (size_t k = 0; k < PW_CTX_MEMO_SLOTS; k++)
        s->ctx_memo[k].at = NULL; /* no position matches it (a lookup compares at first) */
}

/* pw_detect_scan's argument checks (PW_OK or the error it returns); inline like the above. */
static inline pw_status pw_detect_check_field(const pw_detector *d, const pw_detect_scratch *s,
                                              const pw_arena *a, const char *str, size_t n,
                                              pw_err *err)
{
    if (!d || !s || !a || (!str && n))
        return pw_err_set(err, PW_ERR_INVALID, "detect: missing detector, scratch or arena");
    if (n > UINT32_MAX)
        return pw_err_set(err, PW_ERR_LIMIT, "detect: field of %zu bytes is too large", n);
    return PW_OK;
}
/* pw_detect_scan after those checks, without clearing the context memo (the caller does, once
 * per set of buffers that stay unchanged). */
pw_status pw_detect_scan_checked(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                 const char *key, pw_detect_object object, const char *str,
                                 size_t n, pw_field_type type, pw_hit **hits, size_t *n_hits,
                                 pw_err *err);

/* Keep the most specific hit of each overlapping group of h[0..n) and put the kept ones in
 * start order (what pw_detect_scan does before copying hits out); the count kept. fast 0: without
 * engine-url9's path for hits that overlap none (for tests: the reference). */
size_t pw_detect_resolve_hits(pw_detect_scratch *s, pw_hit *h, size_t n, int fast);

/* Original byte span of seg bytes [i, j). */
void pw_seg_span(const pw_seg *g, size_t i, size_t j, size_t *start, size_t *end);

/* Record a hit on seg bytes [i, j); normalized may be NULL (the text itself, copied). */
void pw_scan_add(pw_scan *sc, const pw_seg *g, size_t i, size_t j, pw_phi_category cat,
                 const char *subtype, const char *normalized, float confidence, pw_reason reason,
                 const char *detail);

/* Scan one segment with everything (decoding layers, identifiers, vocabulary, canaries). */
void pw_scan_segment(pw_scan *sc, pw_seg *g, int depth); /* sets g->sum for the call's length */
/* URL mode: split into path slugs and query params and scan each. */
void pw_scan_url(pw_scan *sc, const pw_seg *g, int depth);
/* Bytes [a, b) of g as a segment of their own (same maps, key and context). */
pw_seg pw_seg_sub(const pw_seg *g, size_t a, size_t b);

/* URL mode: the parts of a URL that are scanned, as spans of the string. */
typedef enum pw_upart_kind {
    PW_UPART_PATH = 0, /* a path segment; key = the segment before it */
    PW_UPART_PARAM,    /* a query or fragment parameter value; key = its name */
    PW_UPART_TEXT      /* a fragment that is neither (scanned as text) */
} pw_upart_kind;

typedef struct pw_url_part {
    pw_upart_kind kind;
    size_t key_start, key_end; /* empty when there is no key */
    size_t val_start, val_end;
} pw_url_part;

#define PW_URL_MAX_PARTS 256

/* Split s into parts (at most max; the rest becomes one TEXT part). *authority_end is the
 * offset just after "scheme://host:port" (0 for a relative URL). Returns the count. */
size_t pw_url_parts(const char *s, size_t n, pw_url_part *parts, size_t max, size_t *authority_end);
/* pw_url_parts, and *path_end: one past the last PW_UPART_PATH part (0 when none). */
size_t pw_url_parts_paths(const char *s, size_t n, pw_url_part *parts, size_t max,
                          size_t *authority_end, size_t *path_end);

/* URL mode: vocabulary phrases across adjacent path parts of g ("/pharmacy/refill"); only the
 * matches that cross a '/' are added (each part alone is scanned by pw_scan_url). */
void pw_scan_path_phrases(pw_scan *sc, const pw_seg *g, const pw_url_part *parts, size_t np);

/* Percent-decode one layer of g into out (maps in the arena). 0 if nothing to decode, or out of
 * memory when s holds an escape (pw_has_pct_escape). */
int pw_seg_pct_decode(pw_arena *a, const pw_seg *g, int plus_is_space, pw_seg *out);

/* Whether s[0..n) holds a %XX escape (pw_seg_pct_decode would change it). */
static inline __attribute__((always_inline)) int pw_has_pct_escape(const char *s, size_t n)
{
    const char *p = memchr(s, '%', n);
    while (p) {
        size_t i = (size_t)(p - s);
        if (i + 2 < n && pw_hex_value(s[i + 1]) >= 0 && pw_hex_value(s[i + 2]) >= 0)
            return 1;
        p = memchr(p + 1, '%', n - i - 1);
    }
    return 0;
}

/* Key classification ("ud[em]" -> EMAIL, "patient_id" -> PATIENT_ID). */
pw_ctx pw_ctx_from_key(const char *key, size_t n);
/* The same, remembered in the scratch (key_memo.c). */
pw_ctx pw_ctx_from_key_memo(pw_detect_scratch *s, const char *key, size_t n);
/* 1 when the key's last component, compacted as pw_ctx_from_key reads it, is exactly word (lower
 * case): "name" for "name", "contact[name]", "user.name". A bare "name" or "provider" says a
 * person only loosely (a button, an event or a login service has one too), so ident_name.c asks
 * more of its value. NULL key: 0. */
int pw_ctx_key_last_is(const char *key, size_t n, const char *word);
/* 1 when key[0..n) names a list or an object of places or organisations ("locations",
 * "clinics", "offices", "facilities", "locations.0"; the last component, or its parent): the
 * "name" of an object under it is a place's, whatever members sit beside it. NULL key: 0. */
int pw_ctx_key_is_place_list(const char *key, size_t n);
/* The context c of key[0..n) for a member of an object of the given kind
 * (pw_detect_object_kind): a top-level bare "name" of an object about a thing is no name key; a
 * "name" of a person's record is one whatever its parent ("data.name" beside "data.email"). */
pw_ctx pw_ctx_in_object(pw_ctx c, const char *key, size_t n, pw_detect_object object);
/* The context word ending just before position i in s (looks back a few words), or NONE. */
pw_ctx pw_ctx_before(const char *s, size_t i);
/* 1 when pw_ctx_from_key's first- and last-letter tables match its table of contained words
 * (unit test). pw_ctx_key_tables_build computes them from the word table (0: over 64 words);
 * the unit test prints them as initializers when they no longer match. */
int pw_ctx_key_tables_ok(void);
/* 1 when each of ident_date.c's sentence words has the letter mask written beside it. */
int pw_date_words_ok(void);
int pw_ctx_key_tables_build(uint64_t first[32], uint64_t last[32]);

/* Identifier detectors: each scans the whole segment. */
void pw_ident_email(pw_scan *sc, const pw_seg *g);
void pw_ident_numeric(pw_scan *sc, const pw_seg *g); /* phone, ssn, card, npi, zip, ids… */
void pw_ident_date(pw_scan *sc, const pw_seg *g);
void pw_ident_ip(pw_scan *sc, const pw_seg *g);
void pw_ident_ids(pw_scan *sc, const pw_seg *g);     /* MRN/member/…, DEA, MBI */
void pw_ident_address(pw_scan *sc, const pw_seg *g); /* street addresses, ZIP */
void pw_ident_name(pw_scan *sc, const pw_seg *g);
/* A name alone on the line before the address that starts at s[a] (ident_name.c). */
void pw_name_line_before(pw_scan *sc, const pw_seg *g, size_t a);
/* The name before "lives at" / "resides at" at s[p] when an address follows (ident_name.c). */
void pw_name_before_lives(pw_scan *sc, const pw_seg *g, size_t p);
/* c is a name key's context (first, last or full name, provider): its whole value is a name. */
static inline int pw_ctx_is_name(pw_ctx c)
{
    return c == PW_CTX_FIRST_NAME || c == PW_CTX_LAST_NAME || c == PW_CTX_NAME ||
           c == PW_CTX_PROVIDER;
}
void pw_ident_phone(pw_scan *sc, const pw_seg *g);
void pw_ident_ssn(pw_scan *sc, const pw_seg *g);
void pw_ident_card(pw_scan *sc, const pw_seg *g);
void pw_canary_scan(pw_scan *sc, const pw_seg *g);
/* A 32/40/64-hex value under an identifier key ("ud[em]"); 1 if it was one. */
int pw_ident_hashed(pw_scan *sc, const pw_seg *g);
void pw_health_scan(pw_scan *sc, const pw_seg *g);
/* The vocabulary only, keeping the matches whose original span covers one of the original byte
 * offsets cuts[0..n_cuts) (the '/' between path segments). */
void pw_health_scan_across(pw_scan *sc, const pw_seg *g, const size_t *cuts, size_t n_cuts);

/* Canary forms built at pw_detector_new. */
pw_status pw_canary_build(pw_detector *d, const pw_canary *c, size_t n, pw_err *err);
/* 1 if a normalised identifier value equals a canary's normalised value. */
int pw_canary_is_value(const pw_detector *d, const char *norm);

/* Checksums (exposed for tests). */
int pw_luhn_ok(const char *digits, size_t n);
int pw_npi_ok(const char *digits, size_t n);
int pw_dea_ok(const char *s, size_t n);

/* Character classes (ASCII only; a table lookup, see charclass.c). */
enum { PW_CC_DIGIT = 1, PW_CC_UPPER = 2, PW_CC_LOWER = 4 };
extern const unsigned char pw_char_class[256];

static inline int pw_cc_has(int c, unsigned bits)
{
    return (unsigned)c < 256 && (pw_char_class[c] & bits) != 0;
}
static inline int pw_isdigit(int c)
{
    return pw_cc_has(c, PW_CC_DIGIT);
}
static inline int pw_isalpha(int c)
{
    return pw_cc_has(c, PW_CC_UPPER | PW_CC_LOWER);
}
static inline int pw_isalnum(int c)
{
    return pw_cc_has(c, PW_CC_DIGIT | PW_CC_UPPER | PW_CC_LOWER);
}
static inline int pw_isupper(int c)
{
    return pw_cc_has(c, PW_CC_UPPER);
}
static inline int pw_islower(int c)
{
    return pw_cc_has(c, PW_CC_LOWER);
}
static inline int pw_tolower(int c)
{
    return pw_isupper(c) ? c + 32 : c;
}

/* A number may start at s[i]: no letter/digit before it, and no "ABC-" or "1." glued to it. */
static inline int pw_num_left_ok(const char *s, size_t i)
{
    if (i == 0)
        return 1;
    int c = (unsigned char)s[i - 1];
    if (pw_isalnum(c))
        return 0;
    if ((c == '-' || c == '.' || c == '/' || c == '_') && i >= 2 &&
        pw_isalnum((unsigned char)s[i - 2]))
        return 0;
    return 1;
}

/* A number may end before s[j]: no letter/digit after it, and no "-1" or ".5" glued to it. */
static inline int pw_num_right_ok(const char *s, size_t n, size_t j)
{
    if (j >= n)
        return 1;
    int c = (unsigned char)s[j];
    if (pw_isalnum(c))
        return 0;
    if ((c == '-' || c == '.' || c == '/' || c == '_') && j + 1 < n &&
        pw_isalnum((unsigned char)s[j + 1]))
        return 0;
    return 1;
}

/* s[0..len) equals the lower-case word w, ignoring ASCII case. */
static inline int word_eq(const char *s, size_t len, const char *w)
{
    for (size_t k = 0; k < len; k++)
        if (w[k] == '\0' || pw_tolower((unsigned char)s[k]) != w[k])
            return 0;
    return w[len] == '\0';
}

/* The first c in s[i..n) (n when none). URL parts, hosts and slugs are short: SSE2 looks at 16
 * bytes at a time inline (the last, partial block is the 16 bytes ending at n, read again),
 * where a memchr call would cost more than the search; every load lies inside s[0..n). */
static inline size_t pw_find_char(const char *s, size_t i, size_t n, char c)
{
    if (i >= n)
        return n;
#if defined(__SSE2__) && defined(__x86_64__) && !defined(PW_NO_SSE2)
    if (n >= 16) {
        const __m128i cv = _mm_set1_epi8(c);
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv));
            if (bits)
                return i + (size_t)__builtin_ctz(bits);
        }
        if (i == n)
            return n;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cv)) >> (i - (n - 16));
        return bits ? i + (size_t)__builtin_ctz(bits) : n;
    }
#endif
    while (i < n && s[i] != c)
        i++;
    return i;
}

/* Count of consecutive digits at s[i]. */
static inline size_t pw_digits_at(const char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && pw_isdigit((unsigned char)s[k]))
        k++;
    return k - i;
}

/* Lower-case copy in the arena. */
char *pw_lower_ascii_dup(pw_arena *a, const char *s, size_t n);

/* An upper-case US state code ("MA 02115") just before s[i]. */
int pw_state_before(const char *s, size_t i);

/* Sets of contexts (bit 1 << pw_ctx) a detector waits for, and the last-two-letter tables
 * pw_ctx_before_may reads for them (context.c; pw_ctx_pairs_ok checks them: unit test). */
#define PW_CTX_WANT_PHONE ((uint64_t)1 << PW_CTX_PHONE)
#define PW_CTX_WANT_ID                                                                          \
    ((uint64_t)1 << PW_CTX_MRN | (uint64_t)1 << PW_CTX_MEMBER | (uint64_t)1 << PW_CTX_ACCOUNT | \
     (uint64_t)1 << PW_CTX_POLICY | (uint64_t)1 << PW_CTX_PATIENT_ID)
extern const uint32_t pw_ctx_pairs_phone[26];
extern const uint32_t pw_ctx_pairs_id[26];
int pw_ctx_pairs_ok(void);
/* The tables as the word tables give them (the unit test prints them when they differ). */
void pw_ctx_pairs_build(uint32_t phone[26], uint32_t id[26]);

/* 0 when pw_ctx_before_seg(g, i) is surely no context in `want` (`pairs`: its table above), from
 * the last two letters before s[i] alone; 1 when it may be (the caller asks it then). A detector
 * that only waits for a few contexts skips the look-back for the other numbers. */
int pw_ctx_before_may(const pw_seg *g, size_t i, const uint32_t *pairs, uint64_t want);

/* pw_ctx_before(g->s, i), remembered in g->memo for the rest of the scan. */
pw_ctx pw_ctx_before_seg(const pw_seg *g, size_t i);

/* The context for a value at s[i]: the key's, else the words before it. */
pw_ctx pw_ctx_at(const pw_seg *g, size_t i);

/* The label of the canary whose normalised value is norm, or NULL. */
const char *pw_canary_label_for(const pw_detector *d, const char *norm);

/* ---- det-health additions (owned by the health/context helper) ---- */

/* The context of a URL parameter or path key: a name holding '%' or '+' is classified decoded
 * (the copy in a, not remembered), any other through pw_ctx_from_key_memo; NONE when n == 0. */
pw_ctx pw_ctx_from_param_key(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n);

/* engine-url7: the n (1..16) bytes of a parameter name as two numbers, its first and its last
 * eight (zero above a name of up to 8 bytes): with n, every byte of the name is in them, read
 * from loads inside key[0..n). */
static inline void pw_param_key_words(const char *key, size_t n, uint64_t *head, uint64_t *tail)
{
    const unsigned char *u = (const unsigned char *)key;
    uint64_t v = 0;
    *tail = 0;
    if (n > 8) {
        memcpy(&v, key, 8);
        memcpy(tail, key + n - 8, 8);
    } else if (n == 8) {
        memcpy(&v, key, 8);
    } else if (n >= 4) { /* two overlapping 4-byte loads, placed as their bytes are */
        uint32_t x, y;
        memcpy(&x, key, 4);
        memcpy(&y, key + n - 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        v = (uint64_t)x | (uint64_t)y << (8 * (n - 4));
#else
        v = (uint64_t)x << 32 | y; /* the two loads side by side: with n, still every byte */
#endif
    } else { /* 1..3 bytes: first, middle and last cover them all */
        v = (uint64_t)u[0] | (uint64_t)u[n >> 1] << 8 | (uint64_t)u[n - 1] << 16;
    }
    *head = v;
}

/* The parameter-name table's slot of a name (pw_param_key_words). */
static inline size_t pw_param_memo_slot(uint64_t head, uint64_t tail, size_t n)
{
    return (size_t)(((head ^ (tail * 0x9e3779b97f4a7c15ull) ^ n) * 0xff51afd7ed558ccdull) >>
                    (64 - PW_PARAM_MEMO_LOG));
}

/* engine-url8: the table is 2-way set associative, a slot's set being the slot and its pair
 * (slot & ~1): direct-mapped, "ts" and "dl" shared a slot and took it from each other in every
 * Facebook request (4,795 misses on the corpus's URL rows, 3,073 of them theirs). */
#define PW_PARAM_MEMO_WAYS 2

/* A name of 1..16 bytes not in the parameter-name table (e, its set; head and tail, its words):
 * classified through the memo, and put in front of e (the other way goes). */
pw_ctx pw_ctx_param_key_miss(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n,
                             pw_param_memo *e, uint64_t head, uint64_t tail);

/* pw_ctx_from_param_key with the table's lookup inline: a parameter name of 1..16 bytes met
 * before costs two loads, a multiply and a compare, no call (URL names repeat in every request:
 * "v", "tid", "dl", "ev", "utm_source"). */
static inline pw_ctx pw_ctx_param_key(pw_detect_scratch *s, pw_arena *a, const char *key, size_t n)
{
    if (n - 1 < 16) { /* n == 0 wraps around */
        uint64_t head, tail;
        pw_param_key_words(key, n, &head, &tail);
        pw_param_memo *e =
            &s->param_memo[pw_param_memo_slot(head, tail, n) & ~(size_t)(PW_PARAM_MEMO_WAYS - 1)];
        if (e[0].len == n && e[0].head == head && e[0].tail == tail)
            return (pw_ctx)e[0].ctx;
        if (e[1].len == n && e[1].head == head && e[1].tail == tail)
            return (pw_ctx)e[1].ctx;
        return pw_ctx_param_key_miss(s, a, key, n, e, head, tail);
    }
    return pw_ctx_from_param_key(s, a, key, n);
}

/* ---- det-speed: segments remembered to give no hit (seg_memo.c) ----
 * A segment's hits depend only on its bytes, its context, field type, place in a URL (path slug,
 * query value, quiet page part) and decoding depth. Values repeat from event to event ("ev=
 * PageView", "v=2.9.47", "if=false", button texts), and most give no hit: such a segment is
 * remembered per thread and skipped when it comes again. Only without canaries (a canary's hit
 * would be checked against every identifier hit). */
#define PW_SEG_MEMO_SETS 512 /* a power of two */
#define PW_SEG_MEMO_WAYS 2
#define PW_SEG_MEMO_LEN  64 /* longer segments are not remembered */

/* engine-speed: segments that gave hits are remembered too, with their hits (spans relative to
 * the segment; seg_memo.c says which and when). */
#define PW_HIT_MEMO_SETS  64 /* a power of two */
#define PW_HIT_MEMO_WAYS  2
#define PW_HIT_MEMO_LEN   512
#define PW_HIT_MEMO_HITS  8
#define PW_HIT_MEMO_TEXT  384
#define PW_HIT_MEMO_SEEN  1024 /* a power of two */
#define PW_HIT_MEMO_SHORT 128  /* remembered only the second time they come */

typedef struct pw_seg_memo_key {
    uint64_t hash;
    uint32_t tag; /* context, type, place and depth */
    int ok;       /* the segment may be remembered as giving no hit */
    int hits_ok;  /* the segment may be remembered with its hits (2: its ends say it may, a
                   * decoded part's bytes are looked at when needed: seg_memo.c) */
} pw_seg_memo_key;

/* The memos' byte hash and compare (seg_memo.c; also the host memo, page_context.c): h mixed
 * with the n bytes at s, eight at a time; 1 when b and s hold the same n bytes. */
uint64_t pw_memo_hash_bytes(uint64_t h, const char *s, size_t n);
int pw_memo_same_bytes(const char *b, const char *s, size_t n);
/* The scratch's memo (NULL when out of memory: nothing is remembered). */
struct pw_seg_memo *pw_seg_memo_new(void);
void pw_seg_memo_free(struct pw_seg_memo *m);
/* 1 if g (at this depth) was remembered to give no hit; *k: its key for pw_seg_memo_put. */
int pw_seg_memo_lookup(const pw_scan *sc, const pw_seg *g, int depth, pw_seg_memo_key *k);
/* Remember that g gives no hit. */
void pw_seg_memo_put(const pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k);
/* 1 if g was remembered with its hits and they were added again (spans moved to g's place, their
 * strings copied into the arena); 0: scan it (not remembered, or no room for the hits). */
int pw_seg_memo_replay(pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k);
/* engine-url7: runs of path slugs ("/conditions/breast-cancer") that no vocabulary phrase can
 * cross (path_phrase.c), remembered by their bytes (up to PW_RUN_MEMO_LEN) in a table of their
 * own. 1 if run s[0..n) is one; *hash: its key for pw_seg_memo_run_put (0: not remembered). */
#define PW_RUN_MEMO_SLOTS 256 /* a power of two */
#define PW_RUN_MEMO_LEN   64
/* engine-real10: the splits of run-together words (health.c's seg_scan_run: "cityofhope",
 * "homepage", "plannedparenthood" in value after value of a site's tracker URLs), remembered by
 * the run's bytes; a split of more than PW_SPLIT_MEMO_WORDS words is not. */
#define PW_SPLIT_MEMO_SLOTS 256 /* a power of two */
#define PW_SPLIT_MEMO_WORDS 14
int pw_seg_memo_run_quiet(const pw_scan *sc, const char *s, size_t n, uint64_t *hash);
void pw_seg_memo_run_put(const pw_scan *sc, const char *s, size_t n, uint64_t hash);
/* Remember g with the hits it gave, sc->s->hits[from, n_hits), when they can be. */
/* pw_scan_segment after its memo key k was computed and not found in the no-hit table
 * (segment.c; seg_memo_impl.h's pw_scan_segment_inline calls it). */
void pw_scan_segment_keyed(pw_scan *sc, pw_seg *in, int depth, const pw_seg_memo_key *k);
void pw_seg_memo_put_hits(const pw_scan *sc, const pw_seg *g, const pw_seg_memo_key *k,
                          size_t from);
/* Room for k more hits in the scratch within the per-field limit; 0 if there is none. */
int pw_scan_room(pw_scan *sc, size_t k);

/* ---- end of det-health additions ---- */

/* ---- det-quality: general hospital pages (page_context.c) ---- */

/* The first of parts[0..np) whose health context does not count: 0 when the host is a careers,
 * giving … host, i + 1 when path slug i is a page word ("/careers/"), np when the URL is no
 * general page. auth: the authority's end as pw_url_parts gives it. The host's answer is
 * remembered in scr's host memo (engine-url7; scr NULL: not). path_end: no part from it on is a
 * path slug (engine-url8: only parts [0, path_end) are looked at). */
size_t pw_page_quiet_from(pw_detect_scratch *scr, const char *s, size_t auth,
                          const pw_url_part *parts, size_t np, size_t path_end);

/* engine-url9: a URL remembered in the quiet memo (pw_quiet_memo) and what its entry says of the
 * phrases across its slugs. */
typedef struct pw_quiet_ref {
    uint64_t hash;
    size_t e;             /* the remembered bytes' length; 0: not in the memo */
    uint32_t phrases_tag; /* what the entry's phrases_quiet said when looked up */
} pw_quiet_ref;
/* The tag of URL segment g that pw_scan_path_phrases' answer depends on besides the slugs' bytes
 * (the run segments it scans copy g's type and page_quiet); never 0. */
static inline uint32_t pw_quiet_phrase_tag(const pw_seg *g)
{
    return 0x80000000u | (uint32_t)g->type << 6 | (uint32_t) !!g->page_quiet << 12;
}
/* pw_page_quiet_from, and in *ref the URL's quiet-memo entry (ref->e 0: none). */
size_t pw_page_quiet_from_ref(pw_detect_scratch *scr, const char *s, size_t auth,
                              const pw_url_part *parts, size_t np, size_t path_end,
                              pw_quiet_ref *ref);
/* Remember that pw_scan_path_phrases found nothing across the slugs of the URL s looked up as
 * ref, for URL segments of phrase tag `tag` (the entry may have gone since: then nothing). */
void pw_page_phrases_quiet(pw_detect_scratch *scr, const char *s, const pw_quiet_ref *ref,
                           uint32_t tag);
/* Drop the health and care-intent hits among hits [mark, n) that segment g added when g's text is
 * a general page's ("Oncology Nurse - Careers"); URL path slugs are left alone. */
void pw_page_text_filter(pw_scan *sc, const pw_seg *g, size_t mark);

/* ---- end of det-quality additions ---- */

/* ---- det-norm: the folding layer (fold.c) ---- */

/* 1 if g holds a dotted acronym ("h.i.v", "H.I.V.": 3-6 single letters joined by single dots,
 * not glued to a word, digit or dot) whose letters are a vocabulary term. With g's masks
 * (g->sum) a letter-dot-letter-dot-letter pattern is looked for on them first. */
int pw_fold_dotted_term(pw_scan *sc, const pw_seg *g);

/* The folded layer of g into out (text and maps in the arena; every byte maps to the original
 * bytes it came from): when high (g holds a byte >= 0x80), fullwidth ASCII (U+FF01-U+FF5E)
 * becomes ASCII, Unicode spaces a space, format characters (soft hyphen, zero-width space and
 * joiners, bidi marks, BOM) are dropped, and Cyrillic/Greek letters that look like Latin ones
 * become Latin inside words that also hold Latin letters (or when the whole word then is a
 * vocabulary term); then the dots of dotted acronyms of vocabulary terms are dropped. 0 when
 * that changes nothing (out untouched). */
int pw_seg_fold(pw_scan *sc, const pw_seg *g, int high, pw_seg *out);

/* ---- end of det-norm additions ---- */

#endif
