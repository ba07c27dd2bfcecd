/*
 * har_internal.h — (internal to the HAR reader) the pieces har.c drives: a byte filter that caps
 * the length of JSON strings before yajl sees them (so a huge body cannot grow memory), and the
 * table of pages that resolves each entry's pageref to the URL of its top-level document.
 */
#ifndef PHIWALL_CAPTURE_HAR_INTERNAL_H
#define PHIWALL_CAPTURE_HAR_INTERNAL_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/json_reserve.h"
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
    size_t num_run; /* digits (outside strings) that ended the previous chunk, at most 64 */
    size_t n_truncated, first_truncation;
} har_limiter;

void har_limiter_init(har_limiter *l, size_t max);
/* Push one chunk; stops and returns 0 as soon as feed returns 0. */
int har_limiter_push(har_limiter *l, const unsigned char *in, size_t n, har_feed_fn feed,
                     void *ctx);

/* The scanners the limiter's skipping uses (har_limit.c), shared with the tokenizer: the first
 * of '"', '\\' or a control character in [p, end); the closing quote of a string whose content
 * starts at p, well-formed by yajl's rules, at most max bytes (NULL if none before end); the end
 * of a JSON number at p (NULL if malformed); the closing bracket of the container at p, nested
 * at most room levels (NULL if not wholly in [p, end) or malformed). */
const unsigned char *har_next_special(const unsigned char *p, const unsigned char *end);
const unsigned char *har_string_end(const unsigned char *p, const unsigned char *end, size_t max);
const unsigned char *har_number_end(const unsigned char *p, const unsigned char *end);
const unsigned char *har_container_end(const unsigned char *p, const unsigned char *end,
                                       size_t room, size_t max);

/* ---- tokenizer (har_tok.c): the fast path in front of yajl ----
 * Reads well-formed JSON straight from the 64 KiB chunk and calls the reader as yajl would (same
 * events, same values, the byte after each token as its offset). Any token it is not sure of
 * (one that runs past the chunk, a string over the limit, a key with an escape, anything yajl
 * might refuse, unusual whitespace) is handed to yajl: har_tok_prefix writes the JSON text that
 * puts a fresh yajl parser in the tokenizer's state, the reader feeds yajl from that token on,
 * tells the tokenizer of each of yajl's events (har_tok_follow) and takes over again after the
 * first. Errors and their offsets are therefore always yajl's. */
enum { HAR_TOK_MORE = 0, HAR_TOK_STOP = 1, HAR_TOK_HANDOFF = 2 };
typedef struct har_tok_ops {
    /* 'o' object and 'a' array start, 's' string, 'n' number (its text), 'b' boolean
     * ("true"/"false"), 'z' null */
    int (*value)(void *ctx, char type, const unsigned char *s, size_t n, size_t end);
    int (*key)(void *ctx, const unsigned char *s, size_t n, size_t end);
    int (*end)(void *ctx, size_t end);
    /* after a key and its colon: nonzero (the nesting the value may have) when the reader never
     * reads the value, which is then skipped without events if well-formed and in the chunk */
    size_t (*skip_room)(void *ctx);
} har_tok_ops;

#define HAR_TOK_DEPTH 1100 /* above the reader's 1024: it refuses deeper nesting itself */
typedef struct har_tok {
    int st;
    size_t d;
    size_t max; /* string content bytes (as the limiter's) */
    unsigned char is_arr[HAR_TOK_DEPTH];
    unsigned char *scratch; /* unescaped strings: at most the chunk's size */
    size_t scratch_cap;
    pw_json_probe *probe; /* may refuse the scratch's allocation (tests) */
} har_tok;

void har_tok_init(har_tok *t, size_t max);
void har_tok_free(har_tok *t);
/* Tokens of b[*i, n) (input offset of b[0]: off). HAR_TOK_MORE: all read, *i == n;
 * HAR_TOK_STOP: a callback returned 0; HAR_TOK_HANDOFF: the token at *i is yajl's. -1 without
 * memory for an unescaped string. */
int har_tok_run(har_tok *t, const unsigned char *b, size_t n, size_t *i, size_t off,
                const har_tok_ops *ops, void *ctx);
/* Text that brings a fresh yajl parser to the tokenizer's state; its length. out holds at least
 * HAR_TOK_PREFIX_MAX bytes. */
#define HAR_TOK_PREFIX_MAX (HAR_TOK_DEPTH * 4 + 16)
size_t har_tok_prefix(const har_tok *t, char *out);
/* One of yajl's events, as above ('k' a key, 'e' an end): the tokenizer's state follows it. */
void har_tok_follow(har_tok *t, char type);
/* 1 when the tokenizer is after the top-level value (the text is complete). */
int har_tok_complete(const har_tok *t);
/* yajl_string_decode's result for the n content bytes of a well-formed string (s[n] readable):
 * into out (n bytes suffice); its length. */
size_t har_unescape(const unsigned char *s, size_t n, unsigned char *out);

/* The reader's number for a key it knows (its raw bytes, n of them), 0 for any other (har.c). */
int har_key_id(const unsigned char *s, size_t n);
/* The name of key id (1 up), NULL past the last: the table har_key_id looks up. */
const char *har_key_name(int id);

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
    char *id;    /* strings malloc'd while the record is live (har_pages: "packed" below) */
    char *title; /* set them with har_page_set_url / har_page_set_title */
    char *url;
    double ts;
    size_t n_entries; /* only ever compared with 0 (packed as one bit) */
    size_t index;     /* its place in the table */
    /* where its record was in the page file, + 1 (0: never there), and that record's room: a
     * page made live from the file is packed back there when it fits, not appended again */
    uint64_t disk_at;
    uint32_t disk_room;
    unsigned url_gen; /* bumped at each new URL: a remembered URL is of this very naming */
    int emitted;
    int fixed_url; /* the recorder stated the URL (`_url`): never split by navigations */
    /* its URL is its title's (Chrome, puppeteer-har): delivered with its first entry, not when
     * its record is read, so that a redirect of that very URL names it where it landed */
    int title_url;
    /* its URL is where a redirect of its own document leads, whose document has not come yet:
     * not delivered before it (a chain's next hop may move it on again) */
    int hop_pending;
    struct har_held *hops, **hops_tail; /* its redirect hops, held while hop_pending (malloc'd:
                                         * freed once delivered, not kept for the whole read) */
    int has_login_form, after_login, has_session_cookie; /* stated by phiwall's recorder */
    int split; /* its pageref covers more than one navigation (puppeteer-har, Playwright) */
} har_page;

/* Replace p's URL or title with a copy of s (NULL: none); 0 without memory. */
int har_page_set_url(har_page *p, const char *s);
int har_page_set_title(har_page *p, const char *s);

/* A page as it was delivered: its record and the URL it had then (a pageref that covers several
 * navigations is one record with one URL after another). The reader remembers the last
 * HAR_RECENT, so that a request can go back to the page its own Referer or initiator names
 * (har.c, "evidence_page") with a fixed cost per entry. */
#define HAR_RECENT 16
typedef struct har_recent {
    har_page *p; /* kept live while remembered */
    char *url;   /* a copy (malloc'd) */
    unsigned url_gen;
} har_recent;

/* The page table. A HAR of 100,000 pages lists 100,000 page records, any of which a later entry
 * may name, so every page is kept — but as a packed record (flags, time, id, URL, title: ~60
 * bytes for a crawler's page) in one buffer, not as a har_page with its strings (~250 bytes).
 * A page is live (a har_page) only while it is in use: the one looked up last, the current page
 * of a HAR without pageref (anon), the remembered ones (recent), one holding redirect hops, and
 * up to HAR_LIVE_MAX more; the others are packed again when more are needed. A pointer from
 * har_pages_get / har_pages_add_anonymous / har_pages_at is valid until the next such call,
 * unless it is one of those kept live. */
#ifndef HAR_LIVE_MAX /* (a test build may pack at every chance: -DHAR_LIVE_MAX=1) */
#define HAR_LIVE_MAX 64
#endif
/* Dead packed bytes tolerated before the buffer is compacted (and at most an eighth of it). */
#ifndef HAR_PACK_SLACK
#define HAR_PACK_SLACK (64 * 1024)
#endif
/* Bytes of packed records kept in memory. Past them the older half goes to the page file, an
 * unlinked temporary file in $TMPDIR (else /tmp), and is read back (pread) when an entry names
 * one of those pages again: the table then holds ~25 bytes a page (its slot, its index entry)
 * whatever the number of pages, instead of ~130. A HAR of fewer than ~15,000 pages never makes
 * the file. (A test build may spill at every chance: -DHAR_PACK_MEM=0.) */
#ifndef HAR_PACK_MEM
#define HAR_PACK_MEM (1024u * 1024u)
#endif
/* An index entry: the page's index + 1 (0: empty) and its id's hash, compared before the id (the
 * id of a page in the file is read only when the hashes match) and used to rebuild the index. */
typedef struct har_id_slot {
    uint32_t idx1, h32;
} har_id_slot;
typedef struct har_pages {
    /* page i: its live har_page, (offset in packed << 2) | 1, or (offset in the page file << 3)
     * | (settled << 2) | 3 */
    uintptr_t *v;
    size_t n, cap;
    size_t last; /* index of the last page looked up: entries come grouped by page */
    /* pageref -> index + 1 (0: empty), open addressing, at most half full: a new page's id was
     * compared with every earlier one (40,000 pages: 10.7 s of a 26 MB HAR's scan) */
    har_id_slot *by_id;
    size_t by_id_cap, n_ids;       /* a power of two, or 0; the ids it holds */
    har_recent recent[HAR_RECENT]; /* a ring: recent[(next - 1) % HAR_RECENT] the latest */
    size_t n_recent, next;
    har_page *anon; /* the current page when the HAR has no pageref (har.c) */
    unsigned char *packed;
    size_t packed_len, packed_cap, packed_dead; /* dead: bytes of records unpacked since */
    size_t *live;                               /* the live pages' indexes */
    size_t n_live, cap_live;
    int fd;              /* the page file (-1: not made yet) */
    uint64_t disk_len;   /* its bytes */
    int io_errno;        /* a failure to make, write or read it (sticky: the read stops) */
    const char *io_what; /* "create", "write", "read" */
    uint64_t io_at;      /* the byte it failed at */
    unsigned char *rd;   /* the record read last (its size, then it) */
    size_t rd_cap;
    uint64_t rd_at; /* its offset + 1 (0: none) */
    uint32_t rd_n;
    char dir[512]; /* where it is */
} har_pages;

void har_pages_init(har_pages *t);
void har_pages_free(har_pages *t);
/* Find the page with this id, creating it when `create`; NULL on allocation failure or absent. */
har_page *har_pages_get(har_pages *t, const char *id, int create);
/* A page with no id (HARs without pages[]: one per top-level document). */
har_page *har_pages_add_anonymous(har_pages *t, const char *url, double ts);
/* Page i, live (NULL without memory). */
har_page *har_pages_at(har_pages *t, size_t i);
/* 1 if page i is packed, delivered or without a URL, and holds no hops: nothing left to deliver
 * (read without making it live). */
int har_pages_settled(const har_pages *t, size_t i);
/* Bytes the table holds for its pages (records, strings, index): what test_har_mem bounds. */
size_t har_pages_bytes(const har_pages *t);
/* The page file's failure as a PW_ERR_IO naming its directory (name: the HAR), or PW_OK when
 * none. After one, har_pages_get/_at/_add_anonymous give NULL. */
pw_status har_pages_error(const har_pages *t, const char *name, pw_err *err);
/* Deliver the page to the sink once its URL is known, then the hops it held (har_page_hold). */
pw_status har_page_emit(har_page *p, const pw_capture_sink *sink, size_t *n_emitted, pw_err *err);
/* Keep a copy of r, a redirect hop of p's own document, until p is delivered: it goes to the
 * sink then, on the page the redirects led to, and the copy is freed. 0 without memory. */
int har_page_hold(har_page *p, const pw_request *r);
/* p has been delivered under its current URL: remember it (har_recent). 0 without memory. */
int har_pages_note(har_pages *t, har_page *p);
/* The latest remembered page (of record `only` when not NULL; never one whose URL the recorder
 * stated) whose URL is url (origin_len 0) or whose origin is url's first origin_len bytes. */
const har_recent *har_pages_find(const har_pages *t, const har_page *only, const char *url,
                                 size_t origin_len);
/* Length of the origin ("https://host:port") that starts URL u; 0 when u is no http(s) URL. */
size_t har_origin_len(const char *u);
/* 1 if s starts with http:// or https:// (Chrome writes the page URL in pages[].title). */
int har_looks_like_url(const char *s);

/* ---- the time-order window: entries are given their page in the order they were sent ----
 * A request belongs to the page whose document started last before it (by startedDateTime), not
 * the one listed last before it: a merged, hand-edited or shuffled HAR, or puppeteer-har's
 * (Blacklight's) order of finished responses, lists them otherwise. Each finished entry waits
 * here, copied, until HAR_WINDOW_MAX entries or HAR_WINDOW_BYTES of copies are waiting (the
 * earliest is then placed) or the log ends (all are placed, earliest first), so pages listed after
 * the entries are known before their entries are placed. */
#define HAR_WINDOW_MAX   4096
#define HAR_WINDOW_BYTES (4u * 1024 * 1024)

typedef struct har_held {
    pw_request r;          /* page_url unset: placing the entry decides it */
    struct har_held *next; /* the next hop its page holds (har_page_hold) */
    const char *pageref, *content_mime, *init_type;
    double t;      /* its start time, or the latest one before it when it has none */
    size_t serial; /* its place in the file: equal times keep the file's order */
    size_t cost;   /* bytes of its copy */
} har_held;

typedef struct har_window {
    har_held **v; /* a binary min-heap on (t, serial) */
    size_t n, cap, bytes, serial;
    double latest; /* the latest valid start time seen */
} har_window;

/* A copy of r and the entry's page evidence in one allocation (free() it); NULL without memory. */
har_held *har_held_copy(const pw_request *r, const char *pageref, const char *content_mime,
                        const char *init_type);
/* x joins the window (taking it); 0 without memory (x is freed). */
int har_window_push(har_window *w, har_held *x);
/* 1 when the window is past its bounds: its earliest entry must be placed. */
int har_window_full(const har_window *w);
/* The earliest entry (the caller frees it), NULL when empty. */
har_held *har_window_pop(har_window *w);
void har_window_free(har_window *w);

/* Site key of a host (pw_har_opts.site_of). */
typedef char *(*har_site_fn)(void *ctx, pw_arena *a, const char *host);
/* 1 if both URLs are on one site: same site_of key, or without one the same last two host labels
 * (three under a two-letter country code with a short second level: example.co.uk); IP hosts
 * compare whole. 1 also when either URL cannot be parsed (nothing to say they differ). */
int har_same_site(pw_arena *a, const char *url_a, const char *url_b, har_site_fn site_of,
                  void *ctx);

/* "2024-05-01T12:00:00.123Z", with any number of fractional digits, with an offset "+02:00",
 * "-0500" or "+02" → seconds since the epoch; 0 if unparsable. */
double har_parse_time(const char *s);

#endif
