/*
 * har.c — the HAR 1.2 capture source. The file is streamed through yajl's event parser in 64 KiB
 * chunks; a small path stack knows where each event sits (log.pages[i], log.entries[i].request…),
 * only the fields phiwall needs are copied into a per-entry arena, and each finished entry is
 * delivered as a pw_request (its page as a pw_page first) and then forgotten. Memory is bounded by
 * the largest single entry, whose strings the limiter (har_limit.c) caps. har_input.c hands it
 * the text: gzip-compressed files inflated on the fly, a UTF-8 byte-order mark skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

#include "capture/har_internal.h"
#include "phiwall/har.h"
#include "phiwall/json_reserve.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

#define CHUNK       65536
#define MAX_DEPTH   1024
#define MAX_HEADERS 4096

typedef enum node {
    N_SKIP = 0,
    N_ROOT,
    N_LOG,
    N_PAGES,
    N_PAGE,
    N_ENTRIES,
    N_ENTRY,
    N_REQ,
    N_HEADERS,
    N_HEADER,
    N_POST,
    N_PARAMS,
    N_PARAM,
    N_RESP,
    N_CONTENT,
    N_INIT,
    N_STACK,
    N_FRAMES,
    N_FRAME,
    N_PHIWALL, /* log._phiwall (phiwall's --har-out) */
    N_GAPS,
    N_GAP,
    N_GAP_PAGES, /* a gap's pageUrls */
    N__COUNT
} node;

typedef enum key {
    K_OTHER = 0,
    K_LOG,
    K_PAGES,
    K_ENTRIES,
    K_ID,
    K_TITLE,
    K_STARTED,
    K_PAGEREF,
    K_REQUEST,
    K_RESPONSE,
    K_METHOD,
    K_URL,
    K_HEADERS,
    K_NAME,
    K_VALUE,
    K_POSTDATA,
    K_MIMETYPE,
    K_TEXT,
    K_ENCODING,
    K_PARAMS,
    K_STATUS,
    K_CONTENT,
    K_RESOURCETYPE,
    K_INITIATOR,
    K_TYPE,
    K_STACK,
    K_CALLFRAMES,
    K_STEP,
    K_CONSENT,
    K_INITIATOR_TYPE,
    K_BEFORE_CONSENT,
    K_AFTER_REJECT,
    K_VISIT_RETRIED,
    K_FRAME_URL,
    K_PAGE_URL,
    K_HAS_LOGIN_FORM,
    K_AFTER_LOGIN,
    K_HAS_SESSION_COOKIE,
    K_ERROR,
    K_PHIWALL,
    K_GAPS,
    K_KIND,
    K_GAP_PAGE_URL,
    K_GAP_ERROR,
    K_TRACKER_ID,
    K_TRACKER,
    K_COUNT,
    K_REDIRECT_URL,
    K_PAGE_URLS,
    K_MORE_PAGES,
    K_MORE_PAGE_COUNT,
    K__COUNT
} key;

static const char *const key_names[K__COUNT] = {
    "?",
    "log",
    "pages",
    "entries",
    "id",
    "title",
    "startedDateTime",
    "pageref",
    "request",
    "response",
    "method",
    "url",
    "headers",
    "name",
    "value",
    "postData",
    "mimeType",
    "text",
    "encoding",
    "params",
    "status",
    "content",
    "_resourceType",
    "_initiator",
    "type",
    "stack",
    "callFrames",
    "_step",
    "_consent",
    "_initiator_type",
    "_beforeConsent",
    "_afterReject",
    "_visitRetried",
    "_frameUrl",
    "_url",
    "_hasLoginForm",
    "_afterLogin",
    "_hasSessionCookie",
    "_error",
    "_phiwall",
    "gaps",
    "kind",
    "pageUrl",
    "error",
    "trackerId",
    "tracker",
    "count",
    "redirectURL",
    "pageUrls",
    "morePages",
    "morePageCount",
};

/* What a (container, key) slot must hold. 'o' object, 'a' array, 's' string, 'n' number or
 * string, 'i' object or string, 'b' boolean. Strict slots make a type mismatch an error; others are
 * skipped. */
typedef struct slot {
    node parent;
    key k;
    char expect;
    node child;
    int strict;
} slot;

static const slot slots[] = {
    {N_ROOT, K_LOG, 'o', N_LOG, 1},
    {N_LOG, K_PAGES, 'a', N_PAGES, 1},
    {N_LOG, K_ENTRIES, 'a', N_ENTRIES, 1},
    {N_PAGE, K_ID, 's', N_SKIP, 1},
    {N_PAGE, K_TITLE, 's', N_SKIP, 0},
    {N_PAGE, K_STARTED, 's', N_SKIP, 0},
    {N_ENTRY, K_PAGEREF, 's', N_SKIP, 0},
    {N_ENTRY, K_STARTED, 's', N_SKIP, 0},
    {N_ENTRY, K_REQUEST, 'o', N_REQ, 1},
    {N_ENTRY, K_RESPONSE, 'o', N_RESP, 0},
    {N_ENTRY, K_RESOURCETYPE, 's', N_SKIP, 0},
    {N_ENTRY, K_INITIATOR, 'i', N_INIT, 0},
    {N_REQ, K_METHOD, 's', N_SKIP, 1},
    {N_REQ, K_URL, 's', N_SKIP, 1},
    {N_REQ, K_HEADERS, 'a', N_HEADERS, 1},
    {N_REQ, K_POSTDATA, 'o', N_POST, 1},
    {N_HEADER, K_NAME, 's', N_SKIP, 1},
    {N_HEADER, K_VALUE, 's', N_SKIP, 1},
    {N_POST, K_MIMETYPE, 's', N_SKIP, 0},
    {N_POST, K_TEXT, 's', N_SKIP, 1},
    {N_POST, K_ENCODING, 's', N_SKIP, 0},
    {N_POST, K_PARAMS, 'a', N_PARAMS, 1},
    {N_PARAM, K_NAME, 's', N_SKIP, 0},
    {N_PARAM, K_VALUE, 's', N_SKIP, 0},
    {N_RESP, K_STATUS, 'n', N_SKIP, 0},
    {N_RESP, K_ERROR, 's', N_SKIP, 0}, /* Chrome: why the request failed (status 0) */
    {N_RESP, K_REDIRECT_URL, 's', N_SKIP, 0},
    {N_RESP, K_CONTENT, 'o', N_CONTENT, 0},
    {N_CONTENT, K_MIMETYPE, 's', N_SKIP, 0},
    {N_INIT, K_TYPE, 's', N_SKIP, 0},
    {N_INIT, K_URL, 's', N_SKIP, 0},
    {N_INIT, K_STACK, 'o', N_STACK, 0},
    {N_STACK, K_CALLFRAMES, 'a', N_FRAMES, 0},
    /* recorder extensions (demo/record-har.mjs, phiwall's own recordings) */
    {N_ENTRY, K_STEP, 's', N_SKIP, 0},
    {N_ENTRY, K_CONSENT, 's', N_SKIP, 0},
    {N_ENTRY, K_INITIATOR_TYPE, 's', N_SKIP, 0}, /* puppeteer-har (Blacklight) */
    {N_ENTRY, K_BEFORE_CONSENT, 'b', N_SKIP, 0}, /* phiwall --har-out (har_write.c) */
    {N_ENTRY, K_AFTER_REJECT, 'b', N_SKIP, 0},
    {N_ENTRY, K_VISIT_RETRIED, 'b', N_SKIP, 0},
    {N_ENTRY, K_FRAME_URL, 's', N_SKIP, 0},
    {N_PAGE, K_PAGE_URL, 's', N_SKIP, 0},
    {N_PAGE, K_HAS_LOGIN_FORM, 'b', N_SKIP, 0},
    {N_PAGE, K_AFTER_LOGIN, 'b', N_SKIP, 0},
    {N_PAGE, K_HAS_SESSION_COOKIE, 'b', N_SKIP, 0},
    {N_FRAME, K_URL, 's', N_SKIP, 0},
    /* phiwall --har-out: what the capture could not observe (har_write.c) */
    {N_LOG, K_PHIWALL, 'o', N_PHIWALL, 1},
    {N_PHIWALL, K_GAPS, 'a', N_GAPS, 1},
    {N_GAP, K_KIND, 's', N_SKIP, 1},
    {N_GAP, K_URL, 's', N_SKIP, 1},
    {N_GAP, K_GAP_PAGE_URL, 's', N_SKIP, 1},
    {N_GAP, K_GAP_ERROR, 's', N_SKIP, 1},
    {N_GAP, K_TRACKER_ID, 's', N_SKIP, 1},
    {N_GAP, K_TRACKER, 's', N_SKIP, 1},
    {N_GAP, K_COUNT, 'n', N_SKIP, 1},
    {N_GAP, K_PAGE_URLS, 'a', N_GAP_PAGES, 1},
    {N_GAP, K_MORE_PAGES, 'b', N_SKIP, 1},
    {N_GAP, K_MORE_PAGE_COUNT, 'n', N_SKIP, 1},
};

/* Elements of the arrays we read. */
static const slot elements[] = {
    {N_PAGES, K_OTHER, 'o', N_PAGE, 1},     {N_ENTRIES, K_OTHER, 'o', N_ENTRY, 1},
    {N_HEADERS, K_OTHER, 'o', N_HEADER, 1}, {N_PARAMS, K_OTHER, 'o', N_PARAM, 1},
    {N_FRAMES, K_OTHER, 'o', N_FRAME, 0},   {N_GAPS, K_OTHER, 'o', N_GAP, 1},
    {N_GAP_PAGES, K_OTHER, 's', N_SKIP, 1},
};

/* Index + 1 into slots[] for each (container node, key): built from slots[] once per read. */
typedef struct slot_table {
    unsigned char at[N__COUNT][K__COUNT];
} slot_table;

static void slot_table_init(slot_table *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        t->at[slots[i].parent][slots[i].k] = (unsigned char)(i + 1);
}

typedef struct frame {
    node n;
    key k; /* current key when the frame is an object */
    int is_array;
    size_t idx; /* elements seen when the frame is an array */
} frame;

/* The entry being read; its strings live in the entry arena. */
typedef struct entry {
    char *pageref, *started, *rtype, *initiator, *init_type, *method, *url, *step, *consent;
    char *frame_url, *error, *redirect_url;
    char *ptext, *pmime, *penc, *content_mime, *hname, *hvalue;
    size_t ptext_len;
    int status;
    int status_seen; /* response.status was there (0 then means no response: failed) */
    int before_consent, after_reject; /* "_beforeConsent": true, "_afterReject": true */
    int visit_retried;                /* "_visitRetried": true */
    pw_header *headers, *params;
    size_t n_headers, cap_headers, n_params, cap_params;
} entry;

typedef struct page_rec {
    char *id, *title, *started, *url;
    int has_login_form, after_login, has_session_cookie; /* phiwall's page facts */
} page_rec;

/* A gap of log._phiwall.gaps being read (strings in the entry arena: no entry is open). */
typedef struct gap_rec {
    char *kind, *url, *page_url, *error, *tracker_id, *tracker;
    size_t count;
    char **page_urls; /* pageUrls: every page it happened on, as far as listed */
    size_t n_page_urls, cap_page_urls;
    int more_pages;      /* morePages: it happened on pages not listed */
    size_t n_more_pages; /* morePageCount: on how many, 0 when unknown */
} gap_rec;

typedef struct har {
    const char *name;
    const pw_capture_sink *sink;
    pw_err *err;
    pw_status status;
    yajl_handle yh;      /* while yajl has the text (from a token the tokenizer handed it) */
    yajl_alloc_funcs af; /* pw_json_spare's */
    pw_json_spare spare; /* yajl allocates through it: a failed malloc is an error, not a crash */
    har_limiter lim;
    har_tok tok;
    size_t tok_end;                 /* input offset after the tokenizer's current token */
    int priming, finishing, resume; /* see yajl_take, yajl_event */
    size_t resume_off;              /* where the tokenizer takes over again */
    size_t run_off;                 /* input offset of the run being parsed */
    int truncated_run;
    frame stack[MAX_DEPTH];
    size_t depth;
    int seen_log, seen_entries;
    pw_arena ea; /* per entry */
    entry e;
    page_rec pr;
    gap_rec gr;
    har_pages pages;
    int page_new;   /* the entry being placed started its page or named it (entry_page) */
    har_window win; /* finished entries waiting to be placed, earliest first */
    pw_har_stats *stats;
    slot_table slots;
    har_site_fn site_of; /* pw_har_opts.site_of */
    void *site_ctx;
} har;

/* A key's slot in key_by_hash: its length and its first, middle and last bytes, a perfect hash
 * of key_names (no two share a slot; test_har's key test reads every one). One slot and one
 * compare per key, where a lookup by length compared up to 7 names (~80 instructions a key). */
static unsigned key_hash(const unsigned char *s, size_t n)
{
    return ((unsigned)s[0] * 19u + (unsigned)s[n - 1] * 14u + (unsigned)s[n / 2] * 8u +
            (unsigned)n) &
           127u;
}

static key key_lookup(const unsigned char *s, size_t n)
{
    static const unsigned char key_by_hash[128] = {
        [1] = K_AFTER_REJECT,
        [5] = K_CONSENT,
        [9] = K_PAGE_URL,
        [11] = K_BEFORE_CONSENT,
        [19] = K_PAGEREF,
        [27] = K_INITIATOR,
        [28] = K_NAME,
        [33] = K_LOG,
        [34] = K_VISIT_RETRIED,
        [38] = K_TYPE,
        [40] = K_PARAMS,
        [41] = K_HEADERS,
        [42] = K_URL,
        [44] = K_AFTER_LOGIN,
        [45] = K_VALUE,
        [48] = K_RESOURCETYPE,
        [52] = K_MORE_PAGE_COUNT,
        [53] = K_PHIWALL,
        [56] = K_TEXT,
        [61] = K_CALLFRAMES,
        [62] = K_STARTED,
        [66] = K_INITIATOR_TYPE,
        [69] = K_MIMETYPE,
        [70] = K_POSTDATA,
        [71] = K_TITLE,
        [72] = K_HAS_LOGIN_FORM,
        [73] = K_ENCODING,
        [74] = K_PAGE_URLS,
        [80] = K_GAP_ERROR,
        [81] = K_REDIRECT_URL,
        [82] = K_STEP,
        [85] = K_METHOD,
        [87] = K_PAGES,
        [88] = K_CONTENT,
        [93] = K_KIND,
        [94] = K_COUNT,
        [95] = K_ERROR,
        [96] = K_ENTRIES,
        [101] = K_ID,
        [102] = K_FRAME_URL,
        [103] = K_GAP_PAGE_URL,
        [106] = K_MORE_PAGES,
        [108] = K_HAS_SESSION_COOKIE,
        [112] = K_STACK,
        [115] = K_GAPS,
        [117] = K_TRACKER_ID,
        [119] = K_TRACKER,
        [121] = K_STATUS,
        [124] = K_RESPONSE,
        [125] = K_REQUEST,
    };
    static const unsigned char len_by_hash[128] = {
        [1] = 12,  [5] = 8,   [9] = 4,    [11] = 14, [19] = 7,  [27] = 10, [28] = 4,  [33] = 3,
        [34] = 13, [38] = 4,  [40] = 6,   [41] = 7,  [42] = 3,  [44] = 11, [45] = 5,  [48] = 13,
        [52] = 13, [53] = 8,  [56] = 4,   [61] = 10, [62] = 15, [66] = 15, [69] = 8,  [70] = 8,
        [71] = 5,  [72] = 13, [73] = 8,   [74] = 8,  [80] = 5,  [81] = 11, [82] = 5,  [85] = 6,
        [87] = 5,  [88] = 7,  [93] = 4,   [94] = 5,  [95] = 6,  [96] = 7,  [101] = 2, [102] = 9,
        [103] = 7, [106] = 9, [108] = 17, [112] = 5, [115] = 4, [117] = 9, [119] = 7, [121] = 6,
        [124] = 8, [125] = 7};
    if (n == 0 || n > 17)
        return K_OTHER;
    unsigned h = key_hash(s, n);
    key k = (key)key_by_hash[h];
    if (len_by_hash[h] != n || memcmp(key_names[k], s, n) != 0)
        return K_OTHER;
    return k;
}

int har_key_id(const unsigned char *s, size_t n)
{
    return (int)key_lookup(s, n);
}

const char *har_key_name(int id)
{
    return id > 0 && id < K__COUNT ? key_names[id] : NULL;
}

static size_t offset_now(const har *h)
{
    return h->yh ? h->run_off + yajl_get_bytes_consumed(h->yh) : h->tok_end;
}

/* "log.entries[3].request.url" for the value about to be stored at the top of the stack. */
static void path_of(const har *h, int with_current, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 1; i <= h->depth; i++) {
        const frame *p = &h->stack[i - 1];
        if (i == h->depth && !with_current)
            break;
        int w;
        if (p->is_array)
            w = snprintf(out + len, cap - len, "[%zu]", p->idx ? p->idx - 1 : 0);
        else
            w = snprintf(out + len, cap - len, "%s%s", len ? "." : "", key_names[p->k]);
        if (w < 0 || (size_t)w >= cap - len)
            return;
        len += (size_t)w;
    }
}

/* "FILE: byte N: expected WHAT PREP PATH"; with_key names the value at the top of the stack,
 * otherwise the container itself ("in log.entries[3]"). */
static int fail(har *h, pw_status code, const char *what, const char *prep, int with_key,
                const char *suffix)
{
    char path[256];
    path_of(h, with_key, path, sizeof path);
    h->status =
        pw_err_set(h->err, code, "%s: byte %zu: expected %s %s %s%s", h->name, offset_now(h), what,
                   prep, path[0] ? path : "the top level", suffix ? suffix : "");
    return 0;
}

static int sink_failed(har *h, pw_status st)
{
    h->status = st;
    return 0;
}

static const slot *find_slot(const slot_table *t, const frame *top)
{
    if (top->is_array) {
        for (size_t i = 0; i < sizeof elements / sizeof elements[0]; i++)
            if (elements[i].parent == top->n)
                return &elements[i];
        return NULL;
    }
    unsigned char i = t->at[top->n][top->k];
    return i ? &slots[i - 1] : NULL;
}

static const char *type_name(char t)
{
    switch (t) {
    case 'o': return "an object";
    case 'a': return "an array";
    case 's': return "a string";
    case 'n': return "a number";
    case 'b': return "a boolean";
    default: return "an object or a string";
    }
}

static int fits(char expect, char got)
{
    if (expect == got)
        return 1;
    if (expect == 'n')
        return got == 's';
    if (expect == 'i')
        return got == 'o' || got == 's';
    return 0;
}

static int push(har *h, node n, int is_array)
{
    if (h->depth == MAX_DEPTH)
        return fail(h, PW_ERR_LIMIT, "at most 1024 levels of nesting", "at", 1, NULL);
    h->stack[h->depth++] = (frame){.n = n, .is_array = is_array};
    return 1;
}

/* ---- storing scalars ---- */

static char *copy(har *h, const unsigned char *s, size_t n)
{
    char *p = pw_arena_alloc(&h->ea, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int add_pair(har *h, pw_header **v, size_t *n, size_t *cap, char *name, char *value)
{
    if (*n == MAX_HEADERS)
        return 1; /* beyond any real request: ignore the rest */
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        pw_header *nv = pw_arena_alloc(&h->ea, nc * sizeof *nv);
        if (!nv)
            return 0;
        if (*n)
            memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (pw_header){.name = name, .value = value ? value : ""};
    return 1;
}

static int store_gap_string(har *h, key k, const unsigned char *s, size_t len)
{
    gap_rec *g = &h->gr;
    char *v = copy(h, s, len);
    if (!v)
        return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
    switch (k) {
    case K_KIND: g->kind = v; break;
    case K_URL: g->url = v; break;
    case K_GAP_PAGE_URL: g->page_url = v; break;
    case K_GAP_ERROR: g->error = v; break;
    case K_TRACKER_ID: g->tracker_id = v; break;
    case K_TRACKER: g->tracker = v; break;
    case K_COUNT: g->count = (size_t)strtoull(v, NULL, 10); break;
    case K_MORE_PAGE_COUNT: g->n_more_pages = (size_t)strtoull(v, NULL, 10); break;
    default: break;
    }
    return 1;
}

/* One of a gap's pageUrls (in the entry arena, like the gap's other strings). */
static int store_gap_page(har *h, const unsigned char *s, size_t len)
{
    gap_rec *g = &h->gr;
    if (g->n_page_urls == MAX_HEADERS)
        return 1; /* beyond any gap phiwall writes (it lists a bounded number) */
    if (g->n_page_urls == g->cap_page_urls) {
        size_t nc = g->cap_page_urls ? g->cap_page_urls * 2 : 8;
        char **nv = pw_arena_alloc(&h->ea, nc * sizeof *nv);
        if (!nv)
            return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
        if (g->n_page_urls)
            memcpy(nv, g->page_urls, g->n_page_urls * sizeof *nv);
        g->page_urls = nv;
        g->cap_page_urls = nc;
    }
    if (!(g->page_urls[g->n_page_urls] = copy(h, s, len)))
        return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
    g->n_page_urls++;
    return 1;
}

static int store_string(har *h, node n, key k, const unsigned char *s, size_t len)
{
    entry *e = &h->e;
    char **dst = NULL;
    switch (n) {
    case N_PAGE:
        dst = k == K_ID ? &h->pr.id : k == K_TITLE ? &h->pr.title : &h->pr.started;
        if (k == K_PAGE_URL)
            dst = &h->pr.url;
        break;
    case N_ENTRY:
        dst = k == K_PAGEREF ? &e->pageref : k == K_STARTED ? &e->started : &e->rtype;
        if (k == K_INITIATOR)
            dst = &e->initiator;
        else if (k == K_STEP)
            dst = &e->step;
        else if (k == K_CONSENT)
            dst = &e->consent;
        else if (k == K_INITIATOR_TYPE)
            dst = &e->init_type;
        else if (k == K_FRAME_URL)
            dst = &e->frame_url;
        break;
    case N_REQ: dst = k == K_METHOD ? &e->method : &e->url; break;
    case N_HEADER:
    case N_PARAM: dst = k == K_NAME ? &e->hname : &e->hvalue; break;
    case N_POST:
        dst = k == K_MIMETYPE ? &e->pmime : k == K_TEXT ? &e->ptext : &e->penc;
        if (k == K_TEXT)
            e->ptext_len = len;
        break;
    case N_RESP: {
        if (k == K_ERROR || k == K_REDIRECT_URL) {
            dst = k == K_ERROR ? &e->error : &e->redirect_url;
            break;
        }
        char digits[12];
        size_t nd = len < sizeof digits - 1 ? len : sizeof digits - 1;
        memcpy(digits, s, nd);
        digits[nd] = '\0';
        e->status = atoi(digits);
        e->status_seen = 1;
        return 1;
    }
    case N_CONTENT: dst = &e->content_mime; break;
    case N_GAP: return store_gap_string(h, k, s, len);
    case N_INIT: dst = k == K_TYPE ? &e->init_type : &e->initiator; break;
    case N_FRAME: dst = e->initiator ? NULL : &e->initiator; break;
    default: return 1;
    }
    if (!dst)
        return 1;
    /* page records live until the page is stored; copy them like entry strings */
    if (!(*dst = copy(h, s, len)))
        return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
    return 1;
}

/* A boolean of an entry or a page (s is "true" or "false"). */
static int store_bool(har *h, node n, key k, const unsigned char *s)
{
    int v = s[0] == 't';
    if (n == N_ENTRY && k == K_BEFORE_CONSENT)
        h->e.before_consent = v;
    else if (n == N_ENTRY && k == K_AFTER_REJECT)
        h->e.after_reject = v;
    else if (n == N_ENTRY && k == K_VISIT_RETRIED)
        h->e.visit_retried = v;
    else if (n == N_PAGE && k == K_HAS_LOGIN_FORM)
        h->pr.has_login_form = v;
    else if (n == N_PAGE && k == K_AFTER_LOGIN)
        h->pr.after_login = v;
    else if (n == N_PAGE && k == K_HAS_SESSION_COOKIE)
        h->pr.has_session_cookie = v;
    else if (n == N_GAP && k == K_MORE_PAGES)
        h->gr.more_pages = v;
    return 1;
}

/* ---- one value event (object start, array start or scalar) ---- */

static int on_value(har *h, char type, const unsigned char *s, size_t len)
{
    if (h->spare.nomem) /* yajl was served from the spare: stop at once (pw_json_spare) */
        return 0;
    if (h->depth == 0) {
        if (type != 'o')
            return fail(h, PW_ERR_PARSE, "an object (HAR 1.2)", "at", 1, NULL);
        return push(h, N_ROOT, 0);
    }
    frame *top = &h->stack[h->depth - 1];
    if (top->is_array)
        top->idx++;
    const slot *sl = top->n == N_SKIP ? NULL : find_slot(&h->slots, top);
    int container = type == 'o' || type == 'a';
    if (!sl || type == 'z')
        return container ? push(h, N_SKIP, type == 'a') : 1;
    if (!fits(sl->expect, type)) {
        if (sl->strict)
            return fail(h, PW_ERR_PARSE, type_name(sl->expect), "for", 1, NULL);
        return container ? push(h, N_SKIP, type == 'a') : 1;
    }
    if (container) {
        if (sl->child == N_LOG)
            h->seen_log = 1;
        if (sl->child == N_ENTRIES)
            h->seen_entries = 1;
        return push(h, sl->child, type == 'a');
    }
    if (top->is_array && top->n == N_GAP_PAGES)
        return store_gap_page(h, s, len);
    node where = top->is_array ? N_SKIP : top->n;
    if (type == 'b')
        return store_bool(h, where, top->k, s);
    return store_string(h, where, top->k, s, len);
}

/* ---- finishing records ---- */

static int finish_page(har *h)
{
    page_rec *r = &h->pr;
    if (!r->id)
        return fail(h, PW_ERR_PARSE, "\"id\"", "in", 0, NULL);
    har_page *p = har_pages_get(&h->pages, r->id, 1);
    if (!p && h->pages.io_errno)
        return sink_failed(h, har_pages_error(&h->pages, h->name, h->err));
    if (!p)
        return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
    if (r->url) {
        /* stated by the recorder (phiwall's --har-out): the pageref is exact */
        if (!p->url && !har_page_set_url(p, r->url))
            return fail(h, PW_ERR_NOMEM, "memory", "for", 1, NULL);
        p->fixed_url = 1;
    }
    if (har_looks_like_url(r->title)) {
        if (!p->url && har_page_set_url(p, r->title))
            p->title_url = !p->fixed_url && p->n_entries == 0;
    } else if (r->title && !p->title) {
        har_page_set_title(p, r->title);
    }
    if (r->started && !p->ts)
        p->ts = har_parse_time(r->started);
    p->has_login_form |= r->has_login_form;
    p->after_login |= r->after_login;
    p->has_session_cookie |= r->has_session_cookie;
    memset(r, 0, sizeof *r);
    pw_arena_reset(&h->ea);
    if (p->title_url && p->n_entries == 0)
        return 1; /* delivered with its first entry (or at the end of the log) */
    pw_status st = har_page_emit(p, h->sink, &h->stats->n_pages, h->err);
    return st == PW_OK ? 1 : sink_failed(h, st);
}

/* One of log._phiwall.gaps: handed to the sink like the capture that wrote it did. */
static int finish_gap(har *h)
{
    gap_rec *r = &h->gr;
    pw_capture_gap g = {.url = r->url,
                        .page_url = r->page_url,
                        .error = r->error,
                        .tracker_id = r->tracker_id,
                        .tracker = r->tracker,
                        .pages = r->count,
                        .page_urls = (const char *const *)r->page_urls,
                        .n_page_urls = r->n_page_urls,
                        .more_pages = r->more_pages,
                        .n_more_pages = r->n_more_pages};
    if (!r->kind)
        return fail(h, PW_ERR_PARSE, "\"kind\"", "in", 0, NULL);
    if (pw_gap_kind_parse(r->kind, &g.kind) != 0)
        return fail(h, PW_ERR_PARSE, "script, frame, page, login, browser or error-page", "for", 0,
                    ".kind");
    if (h->sink->on_gap)
        h->sink->on_gap(h->sink->ctx, &g);
    memset(r, 0, sizeof *r);
    pw_arena_reset(&h->ea);
    return 1;
}

/* ---- placing entries on pages (in the order they were sent: har_window) ---- */

static const char *header_of(const pw_header *hd, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(hd[i].name, name) == 0)
            return hd[i].value;
    return NULL;
}

static const char *header(const har_held *x, const char *name)
{
    return header_of(x->r.headers, x->r.n_headers, name);
}

/* A document (top-level or a frame's): Chrome's `_resourceType` says so; else an HTML response
 * — unless the request shows a script asked for it (a proxy's or an old browser's capture has
 * no Sec-Fetch-Dest): jQuery's `X-Requested-With: XMLHttpRequest`, or an Accept without
 * text/html (fetch's default of any type, an image's, a JSON API's) where every browser's
 * navigation and frame list text/html first. Such an HTML fragment (a search widget's results, a
 * same-site `…/processExternalAppsWS.asp`) started a page of its own in a HAR without pages. */
static int is_document(const har_held *x)
{
    if (x->r.resource_type)
        return strcasecmp(x->r.resource_type, "document") == 0;
    if (!x->content_mime || strncasecmp(x->content_mime, "text/html", 9) != 0)
        return 0;
    if (header(x, "sec-fetch-dest"))
        return 1;
    const char *xrw = header(x, "x-requested-with"), *accept = header(x, "accept");
    if (xrw && strcasecmp(xrw, "XMLHttpRequest") == 0)
        return 0;
    return !accept || strcasestr(accept, "text/html") != NULL;
}

/* A top-level navigation (not an iframe): the browser says so (Sec-Fetch-Dest: document) or,
 * without that header, the navigation was not started by a script or the parser. */
static int is_navigation(const har_held *x)
{
    if (!is_document(x))
        return 0;
    const char *dest = header(x, "sec-fetch-dest");
    if (dest)
        return strcasecmp(dest, "document") == 0;
    return x->init_type && strcmp(x->init_type, "other") == 0;
}

/* One pageref can span several navigations (puppeteer-har, Blacklight): a later top-level
 * document under it starts a new page unless it is a redirect hop or an iframe. Without
 * Sec-Fetch-Dest to say so, a document of another site counts as an iframe (Meta's hidden-iframe
 * form POST, a cookie-sync bounce): it belongs to the page that embedded it. A page whose URL
 * the recorder stated (`_url`) is never split: its entries are exactly its own. */
static int starts_page(har *h, const har_page *p, const har_held *x)
{
    if (!p->url || p->fixed_url || p->n_entries == 0 || (x->r.status >= 300 && x->r.status <= 399))
        return 0;
    if (!is_navigation(x) || strcmp(p->url, x->r.url) == 0)
        return 0;
    return header(x, "sec-fetch-dest") ||
           har_same_site(&h->ea, p->url, x->r.url, h->site_of, h->site_ctx);
}

/* The page a page's first entry stands for: the entry itself when it is the document; else
 * (a recording that starts after the document, a title that is no URL) the page that made the
 * request, as its Referer names it — the request's own URL (a tracker's endpoint) would make
 * the tracker the site and every finding about its own host. */
static const char *first_url(const har_held *x)
{
    const char *ref = header(x, "referer");
    if (is_document(x) || !ref ||
        (strncmp(ref, "https://", 8) != 0 && strncmp(ref, "http://", 7) != 0))
        return x->r.url;
    return ref;
}

/* A redirect of the page's own document (/x → 301 → /x/) never became a page: the page is where
 * the chain leads, as the browser scan names it, rather than the URL asked for (listed beside it
 * without a title). Only a page not delivered yet, whose URL no recorder stated (a title that is
 * a URL, phiwall's `_url`), is renamed; the hops stay requests of the page, held until the
 * chain ends (har_page_hold) so that each is delivered on the page it led to. */
/* A redirect of the page's own URL is its document's first hop when it is a document or nothing
 * says otherwise: puppeteer-har (Blacklight) writes the first hop without a MIME type, resource
 * type or Sec-Fetch-Dest, its initiator "other" (a navigation). */
static int is_document_hop(const har_held *x)
{
    if (is_document(x))
        return 1;
    if (x->r.resource_type)
        return 0;
    const char *dest = header(x, "sec-fetch-dest");
    if (dest)
        return strcasecmp(dest, "document") == 0;
    return !x->init_type || strcmp(x->init_type, "other") == 0;
}

static void follow_redirect(har *h, har_page *p, const har_held *x)
{
    const char *to = is_document_hop(x) ? x->r.redirect_url : NULL;
    p->hop_pending = 0;
    if (!to || p->emitted || p->fixed_url || !p->url || strcmp(p->url, x->r.url) != 0)
        return;
    if (!har_page_set_url(p, to))
        return;
    p->hop_pending = 1;
}

/* Without pages: a document starts a page when it is a top-level navigation. Sec-Fetch-Dest says
 * so when the recorder kept it; else an initiator other than "other" (the parser, a script)
 * makes it an iframe, and a document of another site than the current page's is a vendor's
 * iframe or bounce. */
static int starts_anonymous(har *h, const har_held *x)
{
    if (!is_document(x))
        return 0;
    const char *dest = header(x, "sec-fetch-dest");
    if (dest)
        return strcasecmp(dest, "document") == 0;
    const har_page *anon = h->pages.anon;
    if (x->init_type && strcmp(x->init_type, "other") != 0 && anon)
        return 0;
    return !anon || har_same_site(&h->ea, anon->url, x->r.url, h->site_of, h->site_ctx);
}

/* The page this entry belongs to, learning the page's URL from its first document. Entries come
 * here earliest first (har_window), so the page is the one whose document started last before. */
static har_page *entry_page(har *h, const har_held *x)
{
    if (x->pageref) {
        har_page *p = har_pages_get(&h->pages, x->pageref, 1);
        if (!p)
            return NULL;
        if (!p->url && (is_document(x) || p->n_entries == 0)) {
            har_page_set_url(p, first_url(x));
            h->page_new = 1;
        } else if (starts_page(h, p, x)) {
            har_page_set_url(p, x->r.url);
            p->split = h->page_new = 1;
            har_page_set_title(p, NULL);
            p->has_login_form = p->after_login = p->has_session_cookie = 0;
            p->emitted = 0;
            p->ts = x->r.timestamp;
        }
        if (!p->ts)
            p->ts = x->r.timestamp;
        follow_redirect(h, p, x);
        if (p->url) /* an entry without pageref (a preflight, a worker's fetch) is of this page */
            h->pages.anon = p;
        return p;
    }
    /* no pageref: each top-level document starts a page; anything else belongs to the page of
     * the document that started last before it */
    har_page *anon = h->pages.anon;
    int hop_target = anon && anon->hop_pending && strcmp(anon->url, x->r.url) == 0;
    if (!hop_target && starts_anonymous(h, x)) {
        anon = h->pages.anon = har_pages_add_anonymous(&h->pages, x->r.url, x->r.timestamp);
        h->page_new = 1;
    }
    if (anon)
        follow_redirect(h, anon, x);
    return anon;
}

/* Which page's document made the request, as the request itself says — consulted only where
 * the time order is a guess: a HAR without pageref (a proxy sees every tab, their documents
 * interleaved, so a beacon of tab A sent after tab B's document started would land on B) or a
 * pageref over several navigations (a beacon of the page being left, sent after the next
 * document started). NULL keeps the page the time order gave (cur).
 *   - The initiator URL (Chrome's `_initiator.url` or its first stack frame's, puppeteer-har's
 *     `_initiator`) is what the browser recorded as the document or script that asked: when it
 *     is exactly a page's URL, that page made it (a script's URL never is).
 *   - The Referer is set by the browser from the document that sent the request. A full one
 *     (a path or query) that is exactly an earlier page's URL names it. Since Chrome 85 a
 *     request to another origin carries only the origin (strict-origin-when-cross-origin: a
 *     tracker's beacon from any page of www.h.org says `https://www.h.org/`): it tells the site,
 *     not the page — so it moves a request only when the time order's page is of another origin,
 *     to the latest page of that origin. A Referer of another document (a frame's, a
 *     stylesheet's) names no page and changes nothing.
 *   - Not the beacon's own page parameter (`dl=`, `url=`, Meta's `dl`, TikTok's `url`): the page
 *     script writes it, and it is often not the document's URL — a single-page app's virtual
 *     page, a canonical or cleaned URL, GTM's page_location override, a consent tool's rewrite,
 *     a value passed to a vendor's iframe — so it is evidence of what the tracker was told, not
 *     of which document sent it (the assessor reads it as such). */
static const har_recent *evidence_page(har *h, const har_held *x, const har_page *cur)
{
    const har_page *only = x->pageref ? cur : NULL; /* a pageref keeps it on its own navigations */
    const char *init = x->r.initiator;
    if (har_looks_like_url(init)) {
        if (strcmp(init, cur->url) == 0)
            return NULL;
        const har_recent *r = har_pages_find(&h->pages, only, init, 0);
        if (r)
            return r;
    }
    const char *ref = header(x, "referer");
    if (!har_looks_like_url(ref) || strcmp(ref, cur->url) == 0)
        return NULL;
    size_t o = har_origin_len(ref);
    if (ref[o] && !(ref[o] == '/' && !ref[o + 1]))
        return har_pages_find(&h->pages, only, ref, 0);
    if (har_origin_len(cur->url) == o && strncmp(cur->url, ref, o) == 0)
        return NULL;
    return har_pages_find(&h->pages, only, ref, o);
}

/* Place one entry: its page (delivered first, once its URL is known), then the request, held
 * with its page while a redirect of the page's document has not led anywhere yet. */
static pw_status deliver(har *h, har_held *x)
{
    h->page_new = 0;
    har_page *p = entry_page(h, x);
    if (!p && h->pages.io_errno)
        return har_pages_error(&h->pages, h->name, h->err);
    x->r.page_url = p ? p->url : NULL;
    if (!p)
        return h->sink->on_request ? h->sink->on_request(h->sink->ctx, &x->r, h->err) : PW_OK;
    p->n_entries++;
    if (p->hop_pending)
        return har_page_hold(p, &x->r)
                   ? PW_OK
                   : pw_err_set(h->err, PW_ERR_NOMEM, "%s: out of memory placing %s", h->name,
                                x->r.url);
    pw_status st = har_page_emit(p, h->sink, &h->stats->n_pages, h->err);
    if (st != PW_OK)
        return st;
    if (p->emitted && !h->page_new && !p->fixed_url && (!x->pageref || p->split)) {
        const har_recent *r = evidence_page(h, x, p);
        if (r)
            x->r.page_url = r->url;
    }
    if (p->emitted && !har_pages_note(&h->pages, p))
        return pw_err_set(h->err, PW_ERR_NOMEM, "%s: out of memory placing %s", h->name, x->r.url);
    if (h->sink->on_request)
        st = h->sink->on_request(h->sink->ctx, &x->r, h->err);
    return st;
}

static int place(har *h, har_held *x)
{
    pw_status st = deliver(h, x);
    free(x);
    pw_arena_reset(&h->ea);
    return st == PW_OK ? 1 : sink_failed(h, st);
}

/* Place the earliest entries while the window is past its bounds, or all of them (`all`). */
static int place_window(har *h, int all)
{
    while (h->win.n && (all || har_window_full(&h->win)))
        if (!place(h, har_window_pop(&h->win)))
            return 0;
    return 1;
}

/* Form params without text (Firefox): rebuild an urlencoded body. */
static void params_body(har *h, entry *e)
{
    size_t cap = 1;
    char **enc = pw_arena_calloc(&h->ea, e->n_params * 2 + 1, sizeof *enc);
    if (!enc)
        return;
    for (size_t i = 0; i < e->n_params; i++) {
        enc[2 * i] = pw_pct_encode(&h->ea, e->params[i].name, strlen(e->params[i].name));
        enc[2 * i + 1] = pw_pct_encode(&h->ea, e->params[i].value, strlen(e->params[i].value));
        if (!enc[2 * i] || !enc[2 * i + 1])
            return;
        cap += strlen(enc[2 * i]) + strlen(enc[2 * i + 1]) + 2;
    }
    char *body = pw_arena_alloc(&h->ea, cap), *w = body;
    if (!body)
        return;
    for (size_t i = 0; i < e->n_params; i++)
        w += sprintf(w, "%s%s=%s", i ? "&" : "", enc[2 * i], enc[2 * i + 1]);
    e->ptext = body;
    e->ptext_len = (size_t)(w - body);
    if (!e->pmime)
        e->pmime = "application/x-www-form-urlencoded";
}

/* Why the entry failed: Chrome's `_error`, or a stated status 0 (Chrome, Firefox: blocked,
 * failed or cancelled, no response); NULL when it got a response or the HAR does not say. */
static const char *failure(const entry *e)
{
    if (e->error && e->error[0])
        return e->error;
    if (e->status_seen && e->status == 0)
        return "no response (status 0: blocked, failed or cancelled)";
    return NULL;
}

/* "_step": what a recorder was doing ("load", "click", …). */
static pw_step parse_step(const char *s)
{
    for (int i = 0; s && i < PW_STEP__COUNT; i++)
        if (strcmp(s, pw_step_name((pw_step)i)) == 0)
            return (pw_step)i;
    return PW_STEP_UNKNOWN;
}

/* Where a redirect sent the browser (response.redirectURL, resolved against the request's URL:
 * a recorder may copy a relative Location); NULL when the entry is no redirect. */
static const char *redirect_of(har *h, const entry *e)
{
    if (e->status < 300 || e->status > 399 || !e->redirect_url || !e->redirect_url[0])
        return NULL;
    const char *to = pw_url_resolve(&h->ea, e->url, e->redirect_url);
    return to ? to : e->redirect_url;
}

static int finish_entry(har *h)
{
    entry *e = &h->e;
    if (!e->url)
        return fail(h, PW_ERR_PARSE, "\"url\"", "in", 0, ".request");
    if (!e->ptext && e->n_params)
        params_body(h, e);
    const unsigned char *body = (const unsigned char *)e->ptext;
    size_t body_len = e->ptext_len;
    if (body && e->penc && strcasecmp(e->penc, "base64") == 0) {
        size_t n = 0;
        unsigned char *dec = pw_base64_decode(&h->ea, e->ptext, e->ptext_len, &n);
        if (dec) {
            body = dec;
            body_len = n;
        }
    }
    pw_request req = {
        .method = e->method ? e->method : "GET",
        .url = e->url,
        .headers = e->headers,
        .n_headers = e->n_headers,
        .body = body,
        .body_len = body ? body_len : 0,
        .content_type =
            e->pmime && *e->pmime ? e->pmime : header_of(e->headers, e->n_headers, "content-type"),
        .frame_url = e->frame_url,
        .resource_type = e->rtype,
        .initiator = e->initiator ? e->initiator : e->init_type,
        .timestamp = har_parse_time(e->started),
        .status = e->status,
        .step = parse_step(e->step),
        .source = PW_SOURCE_HAR,
        .before_consent = e->before_consent || (e->consent && strcmp(e->consent, "none") == 0),
        .after_reject = e->after_reject || (e->consent && strncmp(e->consent, "reject", 6) == 0),
        .error = failure(e),
        .visit_retried = e->visit_retried,
        .redirect_url = redirect_of(h, e),
    };
    h->stats->n_entries++;
    har_held *x = har_held_copy(&req, e->pageref, e->content_mime, e->init_type);
    memset(e, 0, sizeof *e);
    pw_arena_reset(&h->ea);
    if (!x || !har_window_push(&h->win, x))
        return fail(h, PW_ERR_NOMEM, "memory", "for", 0, NULL);
    return place_window(h, 0);
}

static int finish_pair(har *h, node n)
{
    entry *e = &h->e;
    int ok = 1;
    if (n == N_HEADER && !e->hname)
        return fail(h, PW_ERR_PARSE, "\"name\"", "in", 0, NULL);
    if (n == N_HEADER)
        ok = add_pair(h, &e->headers, &e->n_headers, &e->cap_headers, e->hname, e->hvalue);
    else if (e->hname)
        ok = add_pair(h, &e->params, &e->n_params, &e->cap_params, e->hname, e->hvalue);
    e->hname = e->hvalue = NULL;
    return ok ? 1 : fail(h, PW_ERR_NOMEM, "memory", "for", 0, NULL);
}

/* The end of log: a HAR without log.entries is no recording (an empty one has "entries": []). */
static int finish_log(har *h)
{
    if (h->seen_entries) { /* every page record is read: the entries waiting go to their pages */
        if (!place_window(h, 1))
            return 0;
        /* then the pages no entry named, as their records were read */
        for (size_t i = 0; i < h->pages.n; i++) {
            if (har_pages_settled(&h->pages, i))
                continue;
            har_page *p = har_pages_at(&h->pages, i);
            if (!p && h->pages.io_errno)
                return sink_failed(h, har_pages_error(&h->pages, h->name, h->err));
            if (!p)
                return fail(h, PW_ERR_NOMEM, "memory", "for", 0, NULL);
            pw_status st =
                p->hop_pending ? PW_OK : har_page_emit(p, h->sink, &h->stats->n_pages, h->err);
            if (st != PW_OK)
                return sink_failed(h, st);
        }
        return 1;
    }
    h->status = pw_err_set(h->err, PW_ERR_PARSE,
                           "%s: byte %zu: expected log.entries (an array), found none", h->name,
                           offset_now(h));
    return 0;
}

static int on_end(har *h)
{
    if (h->spare.nomem)
        return 0;
    node n = h->stack[h->depth - 1].n;
    int ok = 1;
    switch (n) {
    case N_LOG: ok = finish_log(h); break;
    case N_PAGE: ok = finish_page(h); break;
    case N_ENTRY: ok = finish_entry(h); break;
    case N_GAP: ok = finish_gap(h); break;
    case N_HEADER:
    case N_PARAM: ok = finish_pair(h, n); break;
    default: break;
    }
    h->depth--;
    return ok;
}

/* ---- yajl callbacks ---- */

/* After each of yajl's events the tokenizer follows, and after the first it takes over again:
 * yajl stops there (its handle is then done with). Not while yajl primes (those events are
 * the prefix's, har_tok_prefix: ignored, but they stop yajl after a malloc that failed, as any
 * event does) nor at the end of the text. */
static int yajl_event(har *h, int ok, char type)
{
    if (!ok)
        return 0;
    har_tok_follow(&h->tok, type);
    if (h->finishing)
        return 1;
    h->resume = 1;
    h->resume_off = offset_now(h);
    return 0;
}

static int cb_null(void *ctx)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_value(h, 'z', NULL, 0), 'z');
}
static int cb_bool(void *ctx, int b)
{
    har *h = ctx;
    return h->priming
               ? !h->spare.nomem
               : yajl_event(
                     h, on_value(h, 'b', (const unsigned char *)(b ? "true" : "false"), b ? 4 : 5),
                     'b');
}
static int cb_number(void *ctx, const char *s, size_t n)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem
                      : yajl_event(h, on_value(h, 'n', (const unsigned char *)s, n), 'n');
}
static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_value(h, 's', s, n), 's');
}
static int cb_start_map(void *ctx)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_value(h, 'o', NULL, 0), 'o');
}
static int cb_start_array(void *ctx)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_value(h, 'a', NULL, 0), 'a');
}
static int on_key(har *h, const unsigned char *s, size_t n)
{
    frame *top = &h->stack[h->depth - 1];
    top->k = top->n == N_SKIP ? K_OTHER : key_lookup(s, n);
    return !h->spare.nomem;
}
static int cb_key(void *ctx, const unsigned char *s, size_t n)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_key(h, s, n), 'k');
}
/* ---- what the limiter may skip (har_limit.c) ---- */

static int skip_key_class(void *ctx, const unsigned char *s, size_t n)
{
    (void)ctx;
    /* no slot holds K_OTHER: the value of an unknown key is skipped in every object */
    return key_lookup(s, n) == K_OTHER ? HAR_KEY_UNREAD : HAR_KEY_ASK;
}

static size_t skip_value_room(void *ctx)
{
    har *h = ctx;
    if (h->status != PW_OK || h->spare.nomem || h->depth == 0)
        return 0;
    const frame *top = &h->stack[h->depth - 1];
    if (top->is_array || (top->n != N_SKIP && find_slot(&h->slots, top)))
        return 0;
    return MAX_DEPTH - h->depth;
}

static const har_skip_hooks skip_hooks = {skip_key_class, skip_value_room};

static int cb_end(void *ctx)
{
    har *h = ctx;
    return h->priming ? !h->spare.nomem : yajl_event(h, on_end(h), 'e');
}

/* ---- the tokenizer's events (har_tok.c) ---- */

static int tk_value(void *ctx, char type, const unsigned char *s, size_t n, size_t end)
{
    har *h = ctx;
    h->tok_end = end;
    return on_value(h, type, s, n);
}
static int tk_key(void *ctx, const unsigned char *s, size_t n, size_t end)
{
    har *h = ctx;
    h->tok_end = end;
    return on_key(h, s, n);
}
static int tk_end(void *ctx, size_t end)
{
    har *h = ctx;
    h->tok_end = end;
    return on_end(h);
}

static const har_tok_ops tok_ops = {tk_value, tk_key, tk_end, skip_value_room};

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_bool,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* ---- driving the parser ---- */

static void syntax_error(har *h, const unsigned char *p, size_t n)
{
    unsigned char *msg = yajl_get_error(h->yh, 0, p, n);
    char text[200];
    snprintf(text, sizeof text, "%s", msg ? (const char *)msg : "syntax error");
    yajl_free_error(h->yh, msg);
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    const char *what = text;
    if (strncmp(what, "parse error: ", 13) == 0)
        what += 13;
    else if (strncmp(what, "lexical error: ", 15) == 0)
        what += 15;
    h->status = pw_err_set(h->err, PW_ERR_PARSE, "%s: byte %zu: expected JSON: %s", h->name,
                           h->run_off + yajl_get_bytes_consumed(h->yh), what);
}

/* yajl's allocations failed, or its spare could not be refilled: the read stops here. */
static int out_of_memory(har *h, size_t at)
{
    h->status = pw_err_set(h->err, PW_ERR_NOMEM, "%s: byte %zu: out of memory parsing the HAR",
                           h->name, at);
    return 0;
}

static int feed(void *ctx, const unsigned char *p, size_t n, size_t off, int closes_truncated)
{
    har *h = ctx;
    h->run_off = off;
    h->truncated_run = closes_truncated;
    if (pw_json_spare_refill(&h->spare, n) != PW_OK)
        return out_of_memory(h, off);
    yajl_status ys = yajl_parse(h->yh, p, n);
    if (h->spare.nomem)
        return out_of_memory(h, off + yajl_get_bytes_consumed(h->yh));
    if (ys == yajl_status_ok)
        return 1;
    if (ys == yajl_status_error)
        syntax_error(h, p, n);
    return 0;
}

/* yajl takes the text from b[i] (input offset off + i), the first token the tokenizer is not
 * sure of: a fresh parser, brought to the tokenizer's state by a prefix whose events the reader
 * ignores, then fed through the limiter as the whole text once was. 0 on an error (set). */
static int yajl_take(har *h, size_t at)
{
    if (pw_json_spare_refill(&h->spare, 0) != PW_OK)
        return out_of_memory(h, at);
    h->yh = yajl_alloc(&callbacks, &h->af, h);
    if (!h->yh || h->spare.nomem)
        return out_of_memory(h, at);
    yajl_config(h->yh, yajl_dont_validate_strings, 1);
    char prefix[HAR_TOK_PREFIX_MAX];
    size_t n = har_tok_prefix(&h->tok, prefix);
    if (pw_json_spare_refill(&h->spare, n) != PW_OK)
        return out_of_memory(h, at);
    h->priming = 1;
    yajl_status ys = yajl_parse(h->yh, (const unsigned char *)prefix, n);
    h->priming = 0;
    if (h->spare.nomem || ys != yajl_status_ok)
        return out_of_memory(h, at);
    har_limiter *l = &h->lim;
    l->in_str = l->esc = l->hex_left = l->dropping = 0;
    l->str_len = l->num_run = 0;
    return 1;
}

static void yajl_drop(har *h)
{
    if (h->yh)
        yajl_free(h->yh);
    h->yh = NULL;
}

static pw_status finish_parse(har *h)
{
    h->run_off = h->lim.in_off;
    h->finishing = 1;
    yajl_status ys = yajl_status_ok;
    if (h->yh)
        ys = pw_json_spare_refill(&h->spare, 0) == PW_OK ? yajl_complete_parse(h->yh)
                                                         : yajl_status_client_canceled;
    else if (!har_tok_complete(&h->tok))
        ys = yajl_status_error;
    if (h->spare.nomem || (ys == yajl_status_client_canceled && h->status == PW_OK)) {
        out_of_memory(h, h->lim.in_off);
        return h->status;
    }
    if (ys == yajl_status_client_canceled)
        return h->status;
    if (ys != yajl_status_ok && h->lim.in_off == 0) /* a failed export, a truncated copy */
        return pw_err_set(h->err, PW_ERR_PARSE, "%s: the file is empty (0 bytes): no HAR in it",
                          h->name);
    if (ys != yajl_status_ok || h->depth > 0) {
        char path[256];
        path_of(h, 0, path, sizeof path);
        return pw_err_set(h->err, PW_ERR_PARSE,
                          "%s: byte %zu: expected more JSON: the file ends inside %s", h->name,
                          h->lim.in_off,
                          h->depth ? (path[0] ? path : "the top-level object") : "a value");
    }
    if (!h->seen_log)
        return pw_err_set(h->err, PW_ERR_PARSE,
                          "%s: byte %zu: expected a \"log\" object (HAR 1.2), found none", h->name,
                          h->lim.in_off);
    /* a redirect the recording ends on (its document never came): the page is still delivered,
     * named where the redirect led, with its hops */
    pw_status st = PW_OK;
    for (size_t i = 0; i < h->pages.n && st == PW_OK; i++) {
        if (har_pages_settled(&h->pages, i)) /* a page holding hops is never packed */
            continue;
        har_page *p = har_pages_at(&h->pages, i);
        if (!p && h->pages.io_errno)
            return har_pages_error(&h->pages, h->name, h->err);
        if (!p)
            return pw_err_set(h->err, PW_ERR_NOMEM, "%s: out of memory", h->name);
        if (p->hop_pending)
            st = har_page_emit(p, h->sink, &h->stats->n_pages, h->err);
    }
    return st;
}

/* The most bytes of a token the tokenizer could not finish at the end of a chunk that are carried
 * to the start of the next one (read after them), to be read there by the tokenizer whole: ~460
 * times in 30 MB, a fresh yajl parser took the token, ~65,000 instructions each. */
#define CARRY_MAX 4096

/* One chunk (input offset off): the tokenizer's, and yajl's from where the tokenizer hands it a
 * token until yajl's next event. Unless `last`, a token the tokenizer hands over in the chunk's
 * last CARRY_MAX bytes (it may go on in the next chunk) is left: *keep says how many bytes, at the
 * chunk's end, the next chunk must start with. 0 on an error (h->status, or a parse error when
 * unset). */
static int parse_chunk(har *h, const unsigned char *b, size_t n, size_t off, int last, size_t *keep)
{
    size_t i = 0;
    *keep = 0;
    while (i < n) {
        if (!h->yh) {
            int r = har_tok_run(&h->tok, b, n, &i, off, &tok_ops, h);
            if (r == HAR_TOK_MORE)
                break;
            if (r == HAR_TOK_STOP)
                return 0;
            if (r < 0)
                return out_of_memory(h, off + i);
            /* a chunk that is not full (a gzip member's end) is kept whole: what follows is
             * read after it; a token that still does not end goes to yajl once the chunk has
             * more than CARRY_MAX bytes from its start */
            if (!last && n - i <= CARRY_MAX && (i > 0 || n < CHUNK) && !har_tok_complete(&h->tok)) {
                *keep = n - i;
                h->lim.in_off = off + i;
                return 1;
            }
            if (!yajl_take(h, off + i))
                return 0;
        }
        h->lim.in_off = off + i;
        h->resume = 0;
        if (har_limiter_push(&h->lim, b + i, n - i, feed, h))
            break;
        if (!h->resume)
            return 0;
        yajl_drop(h);
        i = h->resume_off > off ? h->resume_off - off : 0;
    }
    h->lim.in_off = off + n;
    return 1;
}

static pw_status read_stream(har *h, FILE *f)
{
    har_input in;
    unsigned char *buf = malloc(CHUNK);
    if (!buf || har_input_init(&in, f) != PW_OK) {
        free(buf);
        return pw_err_set(h->err, PW_ERR_NOMEM, "%s: out of memory", h->name);
    }
    pw_status st = PW_OK;
    char why[256];
    size_t keep = 0; /* bytes carried at buf's start: input offset h->lim.in_off */
    for (;;) {
        long n = har_input_read(&in, buf + keep, CHUNK - keep, why, sizeof why);
        h->stats->bytes = in.raw_total;
        if (n < 0) {
            st = pw_err_set(h->err, in.gzip ? PW_ERR_PARSE : PW_ERR_IO, "%s: byte %zu: %s", h->name,
                            h->lim.in_off + keep, why);
            break;
        }
        if (n == 0 && keep) { /* the text ends in the carried token: it is yajl's */
            size_t k;
            if (!parse_chunk(h, buf, keep, h->lim.in_off, 1, &k)) {
                st = h->status != PW_OK ? h->status : PW_ERR_PARSE;
                break;
            }
            keep = 0;
        }
        if (n == 0) {
            st = finish_parse(h);
            break;
        }
        if (h->lim.in_off == 0 &&
            !keep) /* offsets count the skipped byte-order mark, gzip or not */
            h->lim.in_off = in.bom;
        size_t total = keep + (size_t)n;
        if (!parse_chunk(h, buf, total, h->lim.in_off, 0, &keep)) {
            st = h->status != PW_OK ? h->status : PW_ERR_PARSE;
            break;
        }
        if (keep)
            memmove(buf, buf + total - keep, keep);
    }
    har_input_free(&in);
    free(buf);
    /* malformed text stops the read, but what came before it is delivered, as it was before the
     * entries waited in the window; the error stays the one the read stopped on */
    if ((st == PW_ERR_PARSE || st == PW_ERR_LIMIT || st == PW_ERR_IO) && h->win.n) {
        pw_err saved = {0};
        if (h->err)
            saved = *h->err;
        h->status = PW_OK;
        place_window(h, 1);
        if (h->err)
            *h->err = saved;
    }
    return st;
}

pw_status pw_har_read_ex(FILE *f, const char *name, const pw_capture_sink *sink,
                         const pw_har_opts *opts, pw_har_stats *stats, pw_err *err)
{
    pw_har_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    har *h = calloc(1, sizeof *h);
    if (!h)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name ? name : "<stdin>");
    static const pw_capture_sink no_sink = {0};
    h->name = name ? name : "<stdin>";
    h->sink = sink ? sink : &no_sink;
    h->err = err;
    h->stats = stats;
    slot_table_init(&h->slots);
    size_t max = opts && opts->max_string ? opts->max_string : PW_HAR_MAX_STRING;
    har_limiter_init(&h->lim, max);
    har_tok_init(&h->tok, max);
    h->tok.probe = opts ? opts->alloc_probe : NULL;
    h->lim.skip = &skip_hooks;
    h->site_of = opts ? opts->site_of : NULL;
    h->site_ctx = opts ? opts->site_ctx : NULL;
    pw_arena_init(&h->ea, 0);
    har_pages_init(&h->pages);
    pw_json_spare_init(&h->spare, opts ? opts->alloc_probe : NULL);
    h->af = pw_json_spare_funcs(&h->spare);
    pw_status st = read_stream(h, f);
    if (st == PW_OK && h->pages.io_errno) /* a page file failure nothing asked about since */
        st = har_pages_error(&h->pages, h->name, err);
    yajl_drop(h);
    har_tok_free(&h->tok);
    pw_json_spare_free(&h->spare);
    stats->n_truncated = h->lim.n_truncated;
    stats->first_truncation = h->lim.first_truncation;
    har_window_free(&h->win);
    har_pages_free(&h->pages);
    pw_arena_free(&h->ea);
    free(h);
    return st;
}

pw_status pw_har_read(FILE *f, const char *name, const pw_capture_sink *sink, pw_err *err)
{
    return pw_har_read_ex(f, name, sink, NULL, NULL, err);
}

pw_status pw_har_read_file(const char *path, const pw_capture_sink *sink, pw_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    pw_status st = pw_har_read(f, path, sink, err);
    if (f != stdin)
        fclose(f);
    return st;
}
