/*
 * har_internal.h — (internal to the HAR reader) the pieces har.c drives: a byte filter that caps
 * the length of JSON strings before yajl sees them (so a huge body cannot grow memory), and the
 * table of pages that resolves each entry's pageref to the URL of its top-level document.
 */
#ifndef PHIWALL_CAPTURE_HAR_INTERNAL_H
#define PHIWALL_CAPTURE_HAR_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

/* ---- string limiter: forwards the input in runs, dropping the tail of over-long strings ---- */

/* Called with each run of bytes to parse; `off` is the run's offset in the input.
 * `closes_truncated` is 1 for the one-byte run that closes a truncated string. */
typedef int (*har_feed_fn)(void *ctx, const unsigned char *p, size_t n, size_t off,
                           int closes_truncated);

/* The reader's answers that let the limiter skip values it never reads (har_limit.c, "Skipping
 * unread values"): key_class says of a key (its raw bytes, no escapes) HAR_KEY_UNREAD (its value
 * is never read, whatever the object), HAR_KEY_ASK (read in some objects) or HAR_KEY_READ;
 * value_room, called once the parser has taken the key and its colon, says how many levels of
 * nesting the value may have before the reader would refuse it, 0 if the value is read. */
enum { HAR_KEY_READ = 0, HAR_KEY_UNREAD = 1, HAR_KEY_ASK = 2 };
typedef struct har_skip_hooks {
    int (*key_class)(void *ctx, const unsigned char *key, size_t n);
    size_t (*value_room)(void *ctx);
} har_skip_hooks;

typedef struct har_limiter {
    const har_skip_hooks *skip; /* NULL: every value goes to the parser */
    size_t max;                 /* content bytes kept per string */
    size_t in_off;              /* input bytes seen before the current chunk */
    size_t str_len;             /* content bytes of the current string so far */
    size_t str_start;           /* input offset of the current string's opening quote */
    int in_str, esc, hex_left, dropping;
    size_t n_truncated, first_truncation;
} har_limiter;

void har_limiter_init(har_limiter *l, size_t max);
/* Push one chunk; stops and returns 0 as soon as feed returns 0. */
int har_limiter_push(har_limiter *l, const unsigned char *in, size_t n, har_feed_fn feed,
                     void *ctx);

/* ---- input: plain or gzip-compressed bytes, without a UTF-8 byte-order mark (har_input.c) ---- */

typedef struct har_input {
    FILE *f;
    unsigned char *raw; /* bytes read from f, not yet used */
    size_t raw_n, raw_pos;
    size_t raw_total; /* bytes read from f */
    int started, gzip, gz_done, member_open, bom_checked;
    size_t bom;       /* 3 when a byte-order mark was skipped */
    size_t in_before; /* compressed bytes of the gzip members already finished */
    void *z;          /* z_stream when gzip */
} har_input;

pw_status har_input_init(har_input *in, FILE *f);
void har_input_free(har_input *in);
/* Up to cap bytes of HAR text into buf: > 0 bytes, 0 at the end, -1 on an error described in
 * why ("read error: …", "gzip: compressed byte N: …", or, built without zlib, how to decompress).
 */
long har_input_read(har_input *in, unsigned char *buf, size_t cap, char *why, size_t why_n);

/* ---- pages ---- */

typedef struct har_page {
    char *id;
    char *title;
    char *url;
    double ts;
    size_t n_entries;
    int emitted;
    int fixed_url; /* the recorder stated the URL (`_url`): never split by navigations */
    /* its URL is where a redirect of its own document leads, whose document has not come yet:
     * not delivered before it (a chain's next hop may move it on again) */
    int hop_pending;
    struct har_hop *hops, **hops_tail; /* its redirect hops, held while hop_pending */
    int has_login_form, after_login, has_session_cookie; /* stated by phiwall's recorder */
} har_page;

typedef struct har_pages {
    pw_arena arena;
    har_page **v;
    size_t n, cap;
    size_t last; /* index of the last page looked up: entries come grouped by page */
} har_pages;

void har_pages_init(har_pages *t);
void har_pages_free(har_pages *t);
/* Find the page with this id, creating it when `create`; NULL on allocation failure or absent. */
har_page *har_pages_get(har_pages *t, const char *id, int create);
/* A page with no id (HARs without pages[]: one per top-level document). */
har_page *har_pages_add_anonymous(har_pages *t, const char *url, double ts);
/* Deliver the page to the sink once its URL is known, then the hops it held (har_page_hold). */
pw_status har_page_emit(har_page *p, const pw_capture_sink *sink, size_t *n_emitted, pw_err *err);
/* Keep a copy of r, a redirect hop of p's own document, until p is delivered: it goes to the
 * sink then, on the page the redirects led to. 0 without memory. */
int har_page_hold(har_pages *t, har_page *p, const pw_request *r);
/* 1 if s starts with http:// or https:// (Chrome writes the page URL in pages[].title). */
int har_looks_like_url(const char *s);

/* Site key of a host (pw_har_opts.site_of). */
typedef char *(*har_site_fn)(void *ctx, pw_arena *a, const char *host);
/* 1 if both URLs are on one site: same site_of key, or without one the same last two host labels
 * (three under a two-letter country code with a short second level: example.co.uk); IP hosts
 * compare whole. 1 also when either URL cannot be parsed (nothing to say they differ). */
int har_same_site(pw_arena *a, const char *url_a, const char *url_b, har_site_fn site_of,
                  void *ctx);

/* "2024-05-01T12:00:00.123Z" or with "+02:00" → seconds since the epoch; 0 if unparsable. */
double har_parse_time(const char *s);

#endif
