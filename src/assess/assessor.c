/*
 * assessor.c — the assess stage's driver (pw_assessor): keeps the pages and their HHS context,
 * decodes each request into beacons (decode), scans each field for PHI (detect), runs the rule
 * table (rules.c) and aggregates one finding per (rule, vendor, account, page) with an
 * occurrence count. Per-request work happens in an arena reset after each request; only pages
 * and findings (with their first evidence) are kept, so memory follows the number of findings,
 * not the number of requests.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assess/assess_internal.h"
#include "assess/findings.h"
#include "assess/inventory.h"
#include "assess/spill.h"
#include "phiwall/url.h"

#define EVIDENCE_VALUE_MAX 4096  /* bytes of a field kept as evidence */
#define EVIDENCE_BODY_MAX  65536 /* bytes of a request body kept as evidence */
#define NO_PAGE            "(unknown page)"
#ifndef MEMORY_BUDGET /* pw_assess_opts.memory_budget's default (a test build may set it) */
#define MEMORY_BUDGET (2u * 1024 * 1024)
#endif

/* ---- a small string-keyed index (open addressing over positions in a key array) ---- */

typedef struct index_map {
    uint32_t *slot; /* position + 1; 0 is empty (4 bytes a slot: a long scan has millions) */
    size_t cap, n;
} index_map;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t map_find(const index_map *m, char *const *keys, const char *key)
{
    if (!m->cap)
        return SIZE_MAX;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slot[i])
            return SIZE_MAX;
        if (strcmp(keys[m->slot[i] - 1], key) == 0)
            return m->slot[i] - 1;
    }
}

/* Index pos under hash_of(ctx, pos), growing the table (rehashing by the same function) when 70%
 * full; 0 when out of memory. */
static int map_insert(index_map *m, size_t pos, uint64_t (*hash_of)(const void *, size_t),
                      const void *ctx)
{
    if (pos >= UINT32_MAX)
        return 0;
    if ((m->n + 1) * 10 > m->cap * 7) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        uint32_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return 0;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slot[i])
                continue;
            size_t j = hash_of(ctx, m->slot[i] - 1) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = m->slot[i];
        }
        free(m->slot);
        m->slot = slot;
        m->cap = cap;
    }
    size_t j = hash_of(ctx, pos) & (m->cap - 1);
    while (m->slot[j])
        j = (j + 1) & (m->cap - 1);
    m->slot[j] = (uint32_t)pos + 1;
    m->n++;
    return 1;
}

static uint64_t key_hash(const void *keys, size_t pos)
{
    return hash_str(((char *const *)keys)[pos]);
}

static int map_put(index_map *m, char *const *keys, size_t pos)
{
    return map_insert(m, pos, key_hash, keys);
}

/* Grow a heap array of `size`-byte items to hold one more. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 1;
    size_t nc = *cap ? *cap * 2 : 32;
    void *p = realloc(*v, nc * size);
    if (!p)
        return 0;
    *v = p;
    *cap = nc;
    return 1;
}

/* Findings held in memory before they go to a run: the budget / HOLD_DIVISOR (2 MiB: 16,384,
 * ~2.5 MiB with their index and page-URL sets), at least HOLD_MIN. */
#define HOLD_DIVISOR 128
#define HOLD_MIN     16
#define URL_RING     64 /* page_urls arrays of findings read without an arena */

/* ---- the assessor ---- */

typedef struct party_cache {
    size_t page; /* page index + 1; 0 = empty */
    char host[96];
    int third;
} party_cache;

/* 80 bytes a page (a long scan has tens of thousands): flags and counts as bits. */
typedef struct apage {
    pw_page page;
    const char *why; /* what decided the context */
    /* pw_url_page_key: what its findings are keyed by (page.url itself when the URL is its own
     * key, as most are: no copy) */
    const char *key;
    const char *brand; /* interned: a site's pages share it */
    /* awaiting_title's requests (at most TITLE_WAIT_REQUESTS, saturating) and their approximate
     * size (at most TITLE_WAIT_BYTES) */
    unsigned held : 8;
    unsigned held_bytes : 22;
    unsigned added : 1;       /* pw_assessor_add_page has been called for it */
    unsigned ctx : 3;         /* pw_hhs_context */
    unsigned login_url : 1;   /* pw_assess_login_url of its URL: asked once, not at every request */
    unsigned brand_known : 1; /* brand is computed (a libpsl lookup: once per page, not beacon) */
    /* Added without a title (a HAR's pages[].title missing or the URL, as Chrome writes it):
     * its requests wait for a Meta/GA beacon whose dt names it, so that its findings are judged
     * with the title, at most TITLE_WAIT_REQUESTS requests / TITLE_WAIT_BYTES. */
    unsigned awaiting_title : 1;
} apage;

/* A Google tag loader seen on a page (gtag/js?id=G-…, gtm.js?id=GTM-…), for GA4's fixes: with
 * server-side tagging the loader is not www.googletagmanager.com's, and a fix that says to remove
 * it names the one the capture shows (rules.c, ga4_loader). The last LOADERS_SEEN are kept: a
 * page's loader is requested before the hits it sends (requests are judged in time order). */
#define LOADERS_SEEN 32
typedef struct seen_loader {
    size_t page; /* the page index of its request + 1; 0: an empty slot */
    char id[48];
    char host[128];
    char url[384]; /* host, path and "?id=<id>" */
} seen_loader;

/* A request waiting for its page (pw_assessor_add_request before pw_assessor_add_page). */
typedef struct pending_req {
    size_t page;
    const pw_request *req; /* a copy in the assessor's pend arena */
} pending_req;

/* A HAR request in the reorder window: judged in the order of t (its startedDateTime), then of
 * serial (the order the file listed it in). */
typedef struct timed_req {
    double t;
    size_t serial;
    const pw_request *req; /* a copy in the assessor's win arena */
} timed_req;

/* A HAR's entries are judged in the order they were sent, not the order the file lists them:
 * the login state, a page's authentication cues and every first-seen choice follow what
 * happened before. A merged or hand-edited HAR need not be sorted; up to REORDER_MAX requests /
 * REORDER_BYTES_MAX wait in a window and the earliest goes first (docs/scan-har.md, "Entry
 * order"). A time-ordered HAR is judged exactly as listed. */
#define REORDER_MAX       16384
#define REORDER_BYTES_MAX (6u * 1024 * 1024)

#define PENDING_MAX         4096               /* requests waiting for their pages, at most */
#define TITLE_WAIT_REQUESTS 64                 /* a page's requests waiting for its title */
#define TITLE_WAIT_BYTES    (2u * 1024 * 1024) /* and their approximate size */
_Static_assert(TITLE_WAIT_REQUESTS < 255 && TITLE_WAIT_BYTES < (1u << 22),
               "apage's held and held_bytes bits");
#define PENDING_BYTES_MAX   (32u * 1024 * 1024) /* and their approximate size */
#define PENDING_COMPACT_MIN (1u * 1024 * 1024)  /* pend's size worth compacting */

struct pw_assessor {
    const pw_catalog *cat;
    const pw_detector *det;
    pw_detect_scratch *scratch;
    pw_arena arena; /* pages, findings, evidence: the whole scan */
    pw_arena req;   /* one request at a time */
    pw_arena pend;  /* requests waiting for their page */
    pending_req *pending;
    size_t n_pending, cap_pending, pending_bytes;
    size_t pend_compact_at; /* pend's size that makes a partial flush compact it */
    apage *pages;
    char **page_keys;
    size_t n_pages, cap_pages, cap_page_keys;
    index_map page_index;
    cfind *findings;
    /* Each finding's key hashed (finding_key_of: its rule, tracker, account, company, page key
     * and variant, rebuilt from the finding when a hash matches): no key string per finding. */
    uint64_t *finding_hash;
    uint32_t *finding_req; /* the request that last counted for each finding (until finish) */
    size_t n_findings, cap_findings, cap_finding_hash, cap_finding_req;
    size_t req_serial; /* the request being assessed: a batch's events count once */
    index_map finding_index;
    /* Parallel to findings until the folds at finish: the hashes of each finding's distinct
     * page URLs, so page_variants stays exact when findings fold (page_urls keeps 10). */
    hash_set *finding_urls;
    size_t cap_finding_urls;
    /* Findings' strings kept once (header names and values, methods, page URLs, fixes): a
     * report's findings repeat the same few thousand, page after page. */
    index_map str_index;
    char **strs;
    size_t n_strs, cap_strs;
    /* The evidence copy of the request being assessed: the findings one request gives (several
     * rules, GA4's batched events) share it. */
    size_t evidence_serial;
    const pw_request *evidence_req;
    /* Past the memory budget: findings' details go to the spill file (spill.h), and the
     * evidence request of the request being assessed is written there once (evidence_req_at). */
    size_t budget;
    const char *spill_dir;
    pw_spill *spill;
    uint64_t evidence_req_at;
    pw_buf enc;     /* a record being encoded */
    pw_arena sortv; /* the sort's request URLs read back */
    /* Past `hold` findings in memory, they are written to the runs file as one run (sorted by
     * page key) and the scan goes on with none held (findings.h). */
    size_t hold;
    uint32_t n_made; /* findings made: the next one's seq */
    pw_spill *runs;
    uint64_t *run_at; /* each run's first byte */
    size_t *run_n;    /* and its records */
    size_t n_runs, cap_run_at, cap_run_n;
    pw_arena fold; /* a page key's findings' keys while they are folded */
    /* The result when runs were written: its findings in one file a severity (sev_files) */
    int in_files;
    pw_sev_files sev_files;
    const char *(*url_ring)[PW_FINDING_PAGE_URLS]; /* findings read without an arena (URL_RING) */
    size_t url_ring_next;
    size_t n_requests, n_third, n_beacons, n_tracker_beacons, n_decode_errors;
    double first_ts, last_ts; /* request times seen (0: none yet) */
    /* HAR requests waiting to be judged in the order they were sent (reorder window below) */
    timed_req *window;
    size_t n_window, cap_window, window_bytes, window_serial;
    pw_arena win;          /* their copies */
    size_t win_compact_at; /* win's size that makes a release compact it */
    double window_ts;      /* the latest valid request time seen (0: none yet) */
    pw_inventory *inventory;
    party_cache party[256]; /* (page, host) → third party?, libpsl lookups are not free */
    seen_loader loaders[LOADERS_SEEN]; /* a ring, the next slot n_loaders_seen % LOADERS_SEEN */
    size_t n_loaders_seen;
    char *login_area; /* "host/portal": pages there are authenticated after a login POST */
    const char *target;
    pw_source source;
    const pw_tracker **baa; /* trackers the site declared a BAA with (opts.baa_ids) */
    size_t n_baa;
    pw_scan_result result;
    pw_page *out_pages;
    pw_hhs_context *out_ctx;
    const char **out_why;
    int finished;
};

/* One --baa id: a catalogued tracker whose vendor can sign a BAA. */
static pw_status declared_tracker(const pw_catalog *c, const char *id, const pw_tracker **out,
                                  pw_err *err)
{
    const pw_tracker *t = id ? pw_catalog_find(c, id) : NULL;
    if (!t || pw_tracker_is_unknown(t))
        return pw_err_set(err, PW_ERR_INVALID,
                          "--baa %s: no tracker has this id (`phiwall trackers` lists them)",
                          id ? id : "(null)");
    if (pw_tracker_is_filter_list(t))
        return pw_err_set(err, PW_ERR_INVALID,
                          "--baa %s: a filter list stands for many companies; a BAA is signed "
                          "with one vendor (add it to the catalog with --trackers FILE)",
                          id);
    if (t->baa == PW_BAA_NO)
        return pw_err_set(err, PW_ERR_INVALID,
                          "--baa %s: the tracker catalog records that %s signs no BAA (%s), so "
                          "its findings stay as they are. If your organisation holds one, "
                          "describe the tracker in a --trackers FILE with baa 'yes' and the "
                          "agreement as its note",
                          id, t->vendor, t->baa_note ? t->baa_note : "no source");
    *out = t;
    return PW_OK;
}

pw_status pw_assess_check_baa(const pw_catalog *c, const char *id, pw_err *err)
{
    const pw_tracker *t = NULL;
    return declared_tracker(c, id, &t, err);
}

static pw_status declare_baas(pw_assessor *as, const pw_assess_opts *opts, pw_err *err)
{
    if (!opts->n_baa_ids)
        return PW_OK;
    as->baa = pw_arena_calloc(&as->arena, opts->n_baa_ids, sizeof *as->baa);
    if (!as->baa)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    for (size_t i = 0; i < opts->n_baa_ids; i++) {
        const pw_tracker *t = NULL;
        pw_status st = declared_tracker(as->cat, opts->baa_ids[i], &t, err);
        if (st != PW_OK)
            return st;
        size_t j = 0;
        while (j < as->n_baa && as->baa[j] != t)
            j++;
        if (j == as->n_baa) /* the same id twice is one declaration */
            as->baa[as->n_baa++] = t;
    }
    return PW_OK;
}

static int baa_declared(const pw_assessor *as, const pw_tracker *t)
{
    for (size_t i = 0; i < as->n_baa; i++)
        if (as->baa[i] == t)
            return 1;
    return 0;
}

pw_status pw_assessor_new(const pw_assess_opts *opts, pw_assessor **out, pw_err *err)
{
    if (!opts || !opts->catalog || !opts->detector)
        return pw_err_set(err, PW_ERR_INVALID, "assessor: a catalog and a detector are required");
    pw_assessor *as = calloc(1, sizeof *as);
    if (!as)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    as->cat = opts->catalog;
    as->det = opts->detector;
    pw_arena_init(&as->arena, 0);
    pw_arena_init(&as->req, 0);
    pw_arena_init(&as->pend, 0);
    pw_arena_init(&as->win, 0);
    pw_arena_init(&as->sortv, 0);
    pw_arena_init(&as->fold, 0);
    pw_buf_init(&as->enc);
    as->budget = opts->memory_budget ? opts->memory_budget : MEMORY_BUDGET;
    as->hold = as->budget / HOLD_DIVISOR > HOLD_MIN ? as->budget / HOLD_DIVISOR : HOLD_MIN;
    as->inventory = pw_inventory_new(&as->arena);
    if (!as->inventory) {
        pw_assessor_free(as);
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    pw_status st = declare_baas(as, opts, err);
    if (st == PW_OK && opts->spill_dir &&
        !(as->spill_dir = pw_arena_strdup(&as->arena, opts->spill_dir)))
        st = pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if (st == PW_OK)
        st = pw_detect_scratch_new(as->det, &as->scratch, err);
    if (st != PW_OK) {
        pw_assessor_free(as);
        return st;
    }
    *out = as;
    return PW_OK;
}

static void free_url_sets(pw_assessor *as)
{
    for (size_t i = 0; as->finding_urls && i < as->n_findings; i++)
        pw_hash_set_free(&as->finding_urls[i]);
    free(as->finding_urls);
    as->finding_urls = NULL;
    as->cap_finding_urls = 0;
}

void pw_assessor_free(pw_assessor *as)
{
    if (!as)
        return;
    pw_detect_scratch_free(as->scratch);
    pw_inventory_free(as->inventory);
    free(as->pages);
    free(as->page_keys);
    free(as->page_index.slot);
    free(as->findings);
    free(as->finding_hash);
    free(as->finding_req);
    free(as->finding_index.slot);
    free(as->str_index.slot);
    free(as->strs);
    free_url_sets(as);
    free(as->out_pages);
    free(as->out_ctx);
    free(as->out_why);
    free(as->pending);
    pw_arena_free(&as->pend);
    free(as->window);
    pw_arena_free(&as->win);
    pw_arena_free(&as->sortv);
    pw_buf_free(&as->enc);
    pw_spill_free(as->spill);
    pw_spill_free(as->runs);
    free(as->run_at);
    free(as->run_n);
    pw_arena_free(&as->fold);
    pw_sev_free(&as->sev_files);
    free((void *)as->url_ring);
    pw_arena_free(&as->req);
    pw_arena_free(&as->arena);
    free(as);
}

pw_status pw_assessor_set_target(pw_assessor *as, const char *target, pw_source source, pw_err *err)
{
    as->target = target ? pw_arena_strdup(&as->arena, target) : NULL;
    as->source = source;
    if (target && !as->target)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    return PW_OK;
}

static void raise_context(apage *p, pw_hhs_context ctx, const char *why)
{
    if (ctx > p->ctx) {
        p->ctx = ctx;
        p->why = why;
    }
}

/* "host/first-segment" of a URL whose path has at least two segments ("/portal/login"), else
 * NULL: a bare "/login" does not tell which pages are behind it. */
static char *area_of(pw_arena *a, const char *url)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || u.path.n < 2)
        return NULL;
    const char *slash = memchr(u.path.p + 1, '/', u.path.n - 1);
    if (!slash || slash + 1 == u.path.p + u.path.n)
        return NULL;
    return pw_arena_sprintf(a, "%.*s%.*s/", (int)u.host.n, u.host.p, (int)(slash - u.path.p),
                            u.path.p);
}

static int in_login_area(const char *url, const char *area)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return 0;
    size_t n = strlen(area);
    char here[1024];
    int w =
        snprintf(here, sizeof here, "%.*s%.*s", (int)u.host.n, u.host.p, (int)u.path.n, u.path.p);
    return w > 0 && (size_t)w >= n && strncmp(here, area, n) == 0;
}

/* Context from the page's own flags (set by browser capture) and the scan's login state. */
static void flag_context(pw_assessor *as, apage *p)
{
    /* A login page stays unauthenticated whatever the session state (HHS lists portal login
     * pages among unauthenticated pages); what a visitor types there is still care intent. */
    if (p->login_url || (p->page.has_login_form && !p->page.after_login)) {
        raise_context(p, PW_CTX_CARE_INTENT, "a login page: credentials are typed here");
        return;
    }
    if (p->page.after_login)
        raise_context(p, PW_CTX_AUTHENTICATED, "reached after a login in this session");
    if (as->login_area && in_login_area(p->page.url, as->login_area))
        raise_context(p, PW_CTX_AUTHENTICATED, "in the logged-in area after a login POST");
    if (p->page.has_session_cookie)
        raise_context(p, PW_CTX_AUTHENTICATED, "a session cookie was set when it loaded");
}

static char *dup_or_null(pw_arena *a, const char *s)
{
    return s ? pw_arena_strdup(a, s) : NULL;
}

/* s kept once in the assessor's arena: its position in as->strs, SIZE_MAX when out of memory. */
static size_t intern_index(pw_assessor *as, const char *s)
{
    size_t i = map_find(&as->str_index, as->strs, s);
    if (i != SIZE_MAX)
        return i;
    char *c = pw_arena_strdup(&as->arena, s);
    if (!c || !grow((void **)&as->strs, &as->cap_strs, as->n_strs, sizeof *as->strs))
        return SIZE_MAX;
    as->strs[as->n_strs] = c;
    if (!map_put(&as->str_index, as->strs, as->n_strs))
        return SIZE_MAX;
    return as->n_strs++;
}

/* s kept once in the assessor's arena: the same string interned twice is one copy. NULL for
 * NULL or when out of memory. */
static const char *intern(pw_assessor *as, const char *s)
{
    size_t i = s ? intern_index(as, s) : SIZE_MAX;
    return i == SIZE_MAX ? NULL : as->strs[i];
}

/* s interned (intern) as its number + 1 in *id (0 for NULL); 0 when out of memory. */
static int intern_id(pw_assessor *as, const char *s, uint32_t *id)
{
    *id = 0;
    if (!s)
        return 1;
    size_t i = intern_index(as, s);
    if (i == SIZE_MAX || i >= UINT32_MAX)
        return 0;
    *id = (uint32_t)i + 1;
    return 1;
}

static const char *str_of(const pw_assessor *as, uint32_t id)
{
    return id ? as->strs[id - 1] : NULL;
}

/* The page with this URL, created (and classified) when new; SIZE_MAX on allocation failure. */
static size_t ensure_page(pw_assessor *as, const pw_page *in)
{
    size_t i = map_find(&as->page_index, as->page_keys, in->url);
    if (i != SIZE_MAX) {
        apage *p = &as->pages[i];
        if (!p->page.title && in->title) {
            p->page.title = dup_or_null(&as->arena, in->title);
            const char *why;
            pw_hhs_context c = pw_assess_page_context(as->det, as->scratch, &as->req, p->page.url,
                                                      p->page.title, &why);
            raise_context(p, c, intern(as, why));
        }
        if (!p->page.screenshot_png && in->screenshot_png)
            p->page.screenshot_png = dup_or_null(&as->arena, in->screenshot_png);
        p->page.has_session_cookie |= in->has_session_cookie;
        p->page.has_login_form |= in->has_login_form;
        p->page.after_login |= in->after_login;
        flag_context(as, p);
        return i;
    }
    if (!grow((void **)&as->pages, &as->cap_pages, as->n_pages, sizeof *as->pages) ||
        !grow((void **)&as->page_keys, &as->cap_page_keys, as->n_pages, sizeof *as->page_keys))
        return SIZE_MAX;
    apage *p = &as->pages[as->n_pages];
    memset(p, 0, sizeof *p);
    p->page = *in;
    p->page.url = pw_arena_strdup(&as->arena, in->url);
    p->page.title = dup_or_null(&as->arena, in->title);
    p->page.screenshot_png = dup_or_null(&as->arena, in->screenshot_png);
    if (!p->page.url)
        return SIZE_MAX;
    p->login_url = pw_assess_login_url(p->page.url) != 0;
    char key[1024];
    size_t kn = pw_url_page_key(p->page.url, key, sizeof key), un = strlen(p->page.url);
    /* the key is most often the URL's own end (host and path of a URL without query: a
     * crawler's pages): pointed into the URL, not copied (~46 bytes a page) */
    p->key = kn < sizeof key && kn <= un && memcmp(p->page.url + un - kn, key, kn) == 0
                 ? p->page.url + un - kn
                 : pw_arena_strdup(&as->arena, key);
    if (!p->key)
        return SIZE_MAX;
    const char *why;
    p->ctx =
        pw_assess_page_context(as->det, as->scratch, &as->req, p->page.url, p->page.title, &why);
    p->why = intern(as, why); /* kept once: most pages give one of a few reasons */
    flag_context(as, p);
    as->page_keys[as->n_pages] = (char *)p->page.url;
    if (!map_put(&as->page_index, as->page_keys, as->n_pages))
        return SIZE_MAX;
    return as->n_pages++;
}

static pw_status flush_pending(pw_assessor *as, size_t page_i, pw_err *err);
static pw_status write_run(pw_assessor *as, pw_err *err);
static pw_status drain_window(pw_assessor *as, pw_err *err);

pw_status pw_assessor_add_page(pw_assessor *as, const pw_page *page, pw_err *err)
{
    if (!page || !page->url)
        return pw_err_set(err, PW_ERR_INVALID, "assessor: page without a URL");
    if (as->finished)
        return pw_err_set(err, PW_ERR_STATE, "assessor: page added after finish");
    /* the requests so far go to their pages first, earliest first, as when the page came
     * before them: a HAR that lists its pages after its entries is judged page by page */
    pw_status dst = drain_window(as, err);
    if (dst != PW_OK)
        return dst;
    size_t i = ensure_page(as, page);
    pw_arena_reset(&as->req);
    if (i == SIZE_MAX)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    apage *p = &as->pages[i];
    if (!p->page.title && !p->added) {
        p->awaiting_title = 1; /* its requests wait for a tag's dt (await_title) */
        return PW_OK;
    }
    p->awaiting_title = 0;
    p->added = 1;
    return flush_pending(as, i, err);
}

/* ---- evidence ---- */

static pw_field_type scan_type(pw_field_kind k)
{
    switch (k) {
    case PW_FIELD_PAGE_URL:
    case PW_FIELD_REFERRER: return PW_FT_URL;
    case PW_FIELD_FORM_META: return PW_FT_FORM_NAME;
    case PW_FIELD_FORM_VALUE:
    case PW_FIELD_USER_DATA: return PW_FT_FORM_VALUE;
    default: return PW_FT_TEXT;
    }
}

/* The search parameters among the pairs of `p` (the query of a page whose path is `path`) as
 * SEARCH_TERM fields named <key><sep><param>. */
static size_t search_pairs(pw_arena *a, const pw_field *f, char sep, pw_slice path, const char *p,
                           size_t pn, pw_field *out, size_t room)
{
    pw_kv *kv = NULL;
    size_t n = 0, got = 0;
    if (!pn || pw_form_parse(a, p, pn, 64, &kv, &n, NULL) != PW_OK)
        return 0;
    for (size_t i = 0; i < n && got < room; i++) {
        if (!kv[i].value_len || !pw_search_param(kv[i].key, path.p, path.n))
            continue;
        out[got++] = (pw_field){.key = pw_arena_sprintf(a, "%s%c%s", f->key, sep, kv[i].key),
                                .value = kv[i].value,
                                .value_len = kv[i].value_len,
                                .kind = PW_FIELD_SEARCH_TERM};
    }
    return got;
}

/* Site-search terms inside a page URL field become SEARCH_TERM fields: from the query
 * (…/search?q=knee+pain, "dl?q") and from the fragment, where client-side search keeps them
 * (…/search#q=herpes, …/#/results?q=…: "dl#q"). */
static size_t search_fields(pw_arena *a, const pw_field *f, pw_field *out, size_t room)
{
    pw_url u;
    if (room == 0 || pw_url_parse(f->value, f->value_len, &u, NULL) != PW_OK)
        return 0;
    size_t got = search_pairs(a, f, '?', u.path, u.query.p, u.query.n, out, room);
    const char *fp = u.fragment.p;
    size_t fn = u.fragment.n;
    pw_slice route = u.path;
    const char *qm = fn ? memchr(fp, '?', fn) : NULL; /* a hash route's own query */
    if (qm) {
        route = (pw_slice){fp, (size_t)(qm - fp)}; /* "#/find-a-doctor?condition=…" */
        fn -= (size_t)(qm + 1 - fp);
        fp = qm + 1;
    }
    if (fn && memchr(fp, '=', fn))
        got += search_pairs(a, f, '#', route, fp, fn, out + got, room - got);
    return got;
}

/* 1 if the Referer header holds the page's own URL (host and path): the request then carries
 * the page address itself, not just the site's origin or an ad frame's URL. */
static int referer_names_page(const char *referer, const char *page_url)
{
    pw_url r, p;
    if (!referer || !page_url || pw_url_parse(referer, strlen(referer), &r, NULL) != PW_OK ||
        pw_url_parse(page_url, strlen(page_url), &p, NULL) != PW_OK)
        return 0;
    return r.host.n == p.host.n && strncasecmp(r.host.p, p.host.p, r.host.n) == 0 &&
           r.path.n == p.path.n && memcmp(r.path.p, p.path.p, r.path.n) == 0;
}

/* The Referer header as a referrer field when it names the page, else NULL: the address a pixel
 * request carries without any field of its own (Meta's noscript image, Floodlight): what a GET
 * form or a site search put in the page's query reaches the tracker there. */
static pw_field *referer_field(pw_arena *a, const pw_request *req, const char *page_url)
{
    const char *ref = pw_request_header(req, "referer");
    if (!referer_names_page(ref, page_url))
        return NULL;
    pw_field *f = pw_arena_calloc(a, 1, sizeof *f);
    if (f)
        *f = (pw_field){.key = PW_REFERER_HEADER_KEY,
                        .value = ref,
                        .value_len = strlen(ref),
                        .kind = PW_FIELD_REFERRER};
    return f;
}

/* Form metadata (pw_field_form_meta): a placeholder like "(555) 555-0100" is no one's phone, a
 * form id "portal-login" no care the visitor seeks: only canaries count there. */
static int form_metadata(const pw_field *f)
{
    return pw_field_form_meta(f);
}

/* Keep only the canary hits of a form-metadata field. */
static size_t keep_canaries(pw_hit *hits, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[i].category == PW_PHI_CANARY)
            hits[w++] = hits[i];
    return w;
}

/* The site's name as its domain spells it: the first label of the page host's registrable
 * domain, letters and digits only, lower case ("plannedparenthood" for
 * www.plannedparenthood.org), in the request arena; NULL if unknown. */
static char *site_brand(pw_arena *a, const char *page_url)
{
    pw_url u;
    if (!page_url || pw_url_parse(page_url, strlen(page_url), &u, NULL) != PW_OK || !u.host.n)
        return NULL;
    char *host = pw_arena_strndup(a, u.host.p, u.host.n);
    char *dom = host ? pw_registrable_domain(a, host) : NULL;
    if (!dom)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; dom[i] && dom[i] != '.'; i++)
        if ((dom[i] >= 'a' && dom[i] <= 'z') || (dom[i] >= '0' && dom[i] <= '9'))
            dom[w++] = dom[i];
    dom[w] = '\0';
    return w ? dom : NULL;
}

/* 1 if a health hit is the site's own name ("Planned Parenthood" on plannedparenthood.org,
 * "Cancer Center" on cancercenter.com): the organisation, not what the visitor seeks. Only
 * terms of 8 letters or more, so "cancer" on a cancer-something domain still counts. */
static int brand_hit(const pw_hit *h, const char *brand)
{
    if (!brand || !h->normalized || !pw_hit_is_health(h))
        return 0;
    char squashed[64];
    size_t w = 0;
    for (const char *p = h->normalized; *p; p++) {
        char c = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            continue;
        if (w + 1 >= sizeof squashed)
            return 0;
        squashed[w++] = c;
    }
    squashed[w] = '\0';
    return w >= 8 && strstr(brand, squashed) != NULL;
}

/* Drop the hits that are the site's own name. */
static size_t drop_brand(pw_hit *hits, size_t n, const char *brand)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!brand_hit(&hits[i], brand))
            hits[w++] = hits[i];
    return w;
}

static int same_page(const char *a, const char *b);

/* The byte span of a flattened key's last name: "cd[hiv_positive]" → "hiv_positive",
 * "ep.depression_screening_positive" → "depression_screening_positive"; empty for an index. */
static pw_slice key_name(const char *key)
{
    size_t n = strlen(key);
    while (n && key[n - 1] == ']')
        n--;
    size_t b = n;
    while (b && key[b - 1] != '[' && key[b - 1] != '.')
        b--;
    if (b == n || (key[b] >= '0' && key[b] <= '9'))
        return (pw_slice){key + n, 0};
    return (pw_slice){key + b, n - b};
}

/* Health terms (conditions, procedures, medications: not care steps such as an
 * "appointment_type", which name the form) in the name of a custom-data or user-data field,
 * as spans in its key. */
static void scan_key_name(pw_assessor *as, rule_field *r)
{
    const pw_field *f = r->f;
    if ((f->kind != PW_FIELD_CUSTOM_DATA && f->kind != PW_FIELD_USER_DATA) || !f->key ||
        !f->value_len || pw_field_form_meta(f))
        return;
    pw_slice name = key_name(f->key);
    pw_hit *hits = NULL;
    size_t nh = 0, w = 0;
    if (name.n < 3 || pw_detect_scan(as->det, as->scratch, &as->req, NULL, name.p, name.n,
                                     PW_FT_FORM_NAME, &hits, &nh, NULL) != PW_OK)
        return;
    for (size_t i = 0; i < nh; i++) {
        if (hits[i].category != PW_PHI_HEALTH)
            continue;
        hits[w] = hits[i];
        hits[w].start += (size_t)(name.p - f->key);
        hits[w++].end += (size_t)(name.p - f->key);
    }
    r->key_hits = w ? hits : NULL;
    r->n_key_hits = w;
}

/* Scan one field's value (and its name) with the PHI engine into r. */
static void scan_field(pw_assessor *as, rule_field *r, const pw_field *f, const char *brand)
{
    r->f = f;
    if (!f->value || !f->value_len || f->kind == PW_FIELD_ACCOUNT || f->kind == PW_FIELD_DEVICE_ID)
        return;
    pw_hit *hits = NULL;
    size_t nh = 0;
    /* a member of a JSON object is judged with its object, as phiwall redact and the
     * gateway judge it: {"name":"Knee Brace","price":…} names a product */
    if (pw_detect_scan_member(as->det, as->scratch, &as->req, f->key, f->object, f->value,
                              f->value_len, scan_type(f->kind), &hits, &nh, NULL) == PW_OK) {
        r->hits = hits;
        r->n_hits = form_metadata(f) ? keep_canaries(hits, nh) : drop_brand(hits, nh, brand);
    }
    scan_key_name(as, r);
}

/* 1 if a field of the beacon already carries the page address url (Meta's and GA4's dl): the
 * Referer header then repeats it and is not scanned twice. */
static int beacon_carries(const pw_beacon *b, const char *url)
{
    for (size_t i = 0; i < b->n_fields; i++) {
        const pw_field *f = &b->fields[i];
        if ((f->kind == PW_FIELD_PAGE_URL || f->kind == PW_FIELD_REFERRER) && f->value &&
            f->value_len && same_page(f->value, url))
            return 1;
    }
    return 0;
}

/* site_brand of a page, computed once per page and kept in the assessor's arena; of any other
 * URL (none such today), in the request arena. */
static const char *page_brand(pw_assessor *as, const char *page_url)
{
    size_t i = page_url ? map_find(&as->page_index, as->page_keys, page_url) : SIZE_MAX;
    if (i == SIZE_MAX)
        return site_brand(&as->req, page_url);
    apage *p = &as->pages[i];
    if (!p->brand_known) {
        p->brand = intern(as, site_brand(&as->req, page_url));
        p->brand_known = 1;
    }
    return p->brand;
}

/* The beacon's fields plus derived search terms, each scanned by the PHI engine, and the
 * Referer header when it names the page: scanned (with its search terms) when no field of the
 * beacon carries the page address already, so a beacon's dl and its Referer are not reported
 * twice. */
static rule_field *scan_fields(pw_assessor *as, const pw_beacon *b, const pw_request *req,
                               const char *page_url, size_t *n_out)
{
    size_t extra_room = 8, n_extra = 0;
    pw_field *extra = pw_arena_calloc(&as->req, extra_room, sizeof *extra);
    rule_field *rf = pw_arena_calloc(&as->req, b->n_fields + extra_room + 1, sizeof *rf);
    if (!extra || !rf)
        return NULL;
    size_t n = 0;
    const char *brand = page_brand(as, page_url);
    int has_search = 0; /* decode may already split search terms out of page URLs */
    for (size_t i = 0; i < b->n_fields; i++)
        has_search |= b->fields[i].kind == PW_FIELD_SEARCH_TERM;
    for (size_t i = 0; i < b->n_fields + n_extra; i++) {
        const pw_field *f = i < b->n_fields ? &b->fields[i] : &extra[i - b->n_fields];
        if (i < b->n_fields && f->kind == PW_FIELD_PAGE_URL && !has_search)
            n_extra += search_fields(&as->req, f, extra + n_extra, extra_room - n_extra);
        scan_field(as, &rf[n++], f, brand);
    }
    pw_field *ref = referer_field(&as->req, req, page_url);
    if (!ref) {
        *n_out = n;
        return rf;
    }
    /* evidence of the page only (PW-CONDITION-URL) when a field carries it already; a script
     * load's Referer is the tag's download, not a transmission the tag made (its beacons are
     * judged on their own) */
    if (b->kind == PW_BEACON_SCRIPT || beacon_carries(b, ref->value)) {
        rf[n++] = (rule_field){.f = ref};
        *n_out = n;
        return rf;
    }
    size_t first = n_extra;
    n_extra += search_fields(&as->req, ref, extra + n_extra, extra_room - n_extra);
    scan_field(as, &rf[n++], ref, brand);
    for (size_t i = first; i < n_extra; i++)
        scan_field(as, &rf[n++], &extra[i], brand);
    *n_out = n;
    return rf;
}

/* 1 when a click or device ID field holds a tag's "no value": UET sends msclkid=N without a
 * click ID, the X pixel p_user_id=0 without a user, a tag reading an unset variable "undefined"
 * or "null". Such a value joins nothing to the visit: it is no evidence. */
static int no_id_value(const pw_field *f)
{
    static const char *const none[] = {"N", "0", "null", "undefined"};
    if (f->kind != PW_FIELD_DEVICE_ID || !f->value || !f->value_len)
        return f->kind == PW_FIELD_DEVICE_ID;
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        if (f->value_len == strlen(none[i]) && strncmp(f->value, none[i], f->value_len) == 0)
            return 1;
    return 0;
}

/* A field's name as evidence of its own: key "<key> (name)", value the key, hits the health
 * terms in it (cd[hiv_positive] (name) = "cd[hiv_positive]", condition "hiv"). */
static pw_evidence key_name_evidence(pw_arena *a, const rule_field *rf)
{
    const pw_field *f = rf->f;
    pw_hit *hits = pw_arena_calloc(a, rf->n_key_hits ? rf->n_key_hits : 1, sizeof *hits);
    for (size_t j = 0; hits && j < rf->n_key_hits; j++) {
        hits[j] = rf->key_hits[j];
        hits[j].normalized = dup_or_null(a, rf->key_hits[j].normalized);
        hits[j].reason_detail = dup_or_null(a, rf->key_hits[j].reason_detail);
    }
    char *value = pw_arena_strdup(a, f->key);
    return (pw_evidence){.key = pw_arena_sprintf(a, "%s (name)", f->key),
                         .value = value,
                         .value_len = value ? strlen(value) : 0,
                         .kind = f->kind,
                         .hits = hits,
                         .n_hits = hits && value ? rf->n_key_hits : 0};
}

static pw_evidence *copy_evidence(pw_arena *a, const rule_field *rf, size_t n,
                                  const unsigned char *use, size_t *n_out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (use[i] != 0) + ((use[i] & PW_USE_KEY_NAME) != 0);
    pw_evidence *ev = pw_arena_calloc(a, k ? k : 1, sizeof *ev);
    if (!ev)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (!use[i] || no_id_value(rf[i].f))
            continue;
        const pw_field *f = rf[i].f;
        size_t len = f->value_len < EVIDENCE_VALUE_MAX ? f->value_len : EVIDENCE_VALUE_MAX;
        pw_hit *hits = pw_arena_calloc(a, rf[i].n_hits ? rf[i].n_hits : 1, sizeof *hits);
        size_t nh = 0;
        for (size_t j = 0; hits && j < rf[i].n_hits; j++) {
            if (rf[i].hits[j].end > len ||
                (use[i] == PW_USE_IDENTIFIERS && !pw_hit_typed(&rf[i], &rf[i].hits[j])))
                continue;
            hits[nh] = rf[i].hits[j];
            hits[nh].normalized = dup_or_null(a, rf[i].hits[j].normalized);
            hits[nh].reason_detail = dup_or_null(a, rf[i].hits[j].reason_detail);
            nh++;
        }
        if (f->key &&
            strncmp(f->key, "cookie:", 7) == 0) { /* cookie name is the evidence; value stays out */
            char *v = pw_arena_sprintf(a, "[%zu-byte value withheld]", f->value_len);
            ev[w++] = (pw_evidence){.key = dup_or_null(a, f->key),
                                    .value = v,
                                    .value_len = v ? strlen(v) : 0,
                                    .kind = f->kind};
            continue;
        }
        /* the value as sent, NUL bytes and all: value_len bytes are what renderers read (a
         * copy up to the first NUL left them reading past it) */
        char *value = pw_arena_alloc(a, len + 1);
        if (value) {
            if (len)
                memcpy(value, f->value, len);
            value[len] = '\0';
        }
        ev[w++] = (pw_evidence){.key = dup_or_null(a, f->key),
                                .value = value,
                                .value_len = value ? len : 0,
                                .kind = f->kind,
                                .hits = hits,
                                .n_hits = nh};
        if (use[i] & PW_USE_KEY_NAME)
            ev[w++] = key_name_evidence(a, &rf[i]);
    }
    *n_out = w;
    return ev;
}

/* Reports get forwarded: keep which cookies a tracker received (c_user, _fbp…: proof of the
 * identity join) but not their values, and never an Authorization header's value. */
static char *scrub_header(pw_arena *a, const char *name, const char *value)
{
    if (!name || !value)
        return dup_or_null(a, value);
    if (strcasecmp(name, "authorization") == 0 || strcasecmp(name, "proxy-authorization") == 0)
        return pw_arena_strdup(a, "[removed by phiwall]");
    if (strcasecmp(name, "cookie") != 0)
        return pw_arena_strdup(a, value);
    pw_buf b;
    pw_buf_init(&b);
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';'), *eq = strchr(p, '=');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t name_len = eq && (size_t)(eq - p) < n ? (size_t)(eq - p) : n;
        if (name_len)
            pw_buf_printf(&b, "%s%.*s=…", b.len ? "; " : "", (int)name_len, p);
        p += n;
    }
    char *out = pw_arena_strndup(a, b.data ? b.data : "", b.len);
    pw_buf_free(&b);
    return out;
}

/* A string of a request copy: interned for evidence kept in memory (kept for the scan, shared),
 * else a copy in a. */
static const char *req_str(pw_assessor *as, pw_arena *a, const char *s, int evidence)
{
    return evidence == 1 ? intern(as, s) : dup_or_null(a, s);
}

/* A copy of r: for evidence (evidence = 1, in the assessor's arena, strings interned; 2, in a,
 * to be spilled) with cookie values and credentials scrubbed and the body cut to
 * EVIDENCE_BODY_MAX, else exact in a (a request waiting for its page). */
static pw_request *copy_request_as(pw_assessor *as, pw_arena *a, const pw_request *r, int evidence)
{
    pw_request *c = pw_arena_alloc(a, sizeof *c);
    pw_header *h = pw_arena_calloc(a, r->n_headers ? r->n_headers : 1, sizeof *h);
    if (!c || !h)
        return NULL;
    *c = *r;
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *name = r->headers[i].name, *value = r->headers[i].value;
        const char *v = evidence ? scrub_header(&as->req, name, value) : value;
        h[i] = (pw_header){req_str(as, a, name, evidence), req_str(as, a, v, evidence)};
    }
    c->headers = h;
    c->method = req_str(as, a, r->method, evidence);
    c->url = req_str(as, a, r->url, evidence);
    c->content_type = req_str(as, a, r->content_type, evidence);
    c->page_url = req_str(as, a, r->page_url, evidence);
    c->frame_url = req_str(as, a, r->frame_url, evidence);
    c->resource_type = req_str(as, a, r->resource_type, evidence);
    c->initiator = req_str(as, a, r->initiator, evidence);
    c->error = req_str(as, a, r->error, evidence); /* the source's copy is gone after the call */
    c->redirect_url = req_str(as, a, r->redirect_url, evidence);
    c->body_len = !evidence || r->body_len < EVIDENCE_BODY_MAX ? r->body_len : EVIDENCE_BODY_MAX;
    c->body = r->body ? pw_arena_memdup(a, r->body, c->body_len) : NULL;
    return c;
}

/* The evidence copy of the request being assessed, made once for all its findings. */
static const pw_request *evidence_request(pw_assessor *as, const pw_request *r)
{
    if (as->evidence_req && as->evidence_serial == as->req_serial)
        return as->evidence_req;
    as->evidence_req = copy_request_as(as, &as->arena, r, 1);
    as->evidence_serial = as->req_serial;
    return as->evidence_req;
}

/* ---- aggregation ---- */

/* 1 once findings' details go to the spill file: the memory budget is spent. The file is
 * made then (an error naming its directory when it cannot be). */
static pw_status spilling(pw_assessor *as, int *on, pw_err *err)
{
    *on = as->spill != NULL;
    if (*on || as->arena.total < as->budget)
        return PW_OK;
    pw_status st = pw_spill_open(as->spill_dir, &as->spill, err);
    *on = st == PW_OK;
    return st;
}

/* Append the record being encoded (as->enc) to the spill file. */
static pw_status spill_enc(pw_assessor *as, uint64_t *at, pw_err *err)
{
    if (as->enc.failed)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    return pw_spill_put(as->spill, as->enc.data, as->enc.len, at, err);
}

/* The spilled evidence copy of the request being assessed, written once for all its findings. */
static pw_status spilled_request(pw_assessor *as, const pw_request *r, uint64_t *at, pw_err *err)
{
    if (as->evidence_req_at && as->evidence_serial == as->req_serial) {
        *at = as->evidence_req_at;
        return PW_OK;
    }
    const pw_request *c = copy_request_as(as, &as->req, r, 2);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    pw_buf_clear(&as->enc);
    pw_spill_enc_request(&as->enc, c);
    pw_status st = spill_enc(as, at, err);
    if (st != PW_OK)
        return st;
    as->evidence_req = NULL;
    as->evidence_req_at = *at;
    as->evidence_serial = as->req_serial;
    return PW_OK;
}

/* The finding's legal reasoning, evidence, request, event, step and consent flags, all from one
 * transmission: in memory, or past the budget in the spill file (f->detail.at). */
static pw_status set_evidence(pw_assessor *as, cfind *f, const rule_input *in,
                              const unsigned char *use, const char *legal, pw_err *err)
{
    size_t n = 0;
    int spill = 0;
    pw_status st = spilling(as, &spill, err);
    if (st != PW_OK)
        return st;
    if (!intern_id(as, in->b->event_name, &f->event))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    f->step = (uint8_t)in->req->step;
    f->flags &= (uint8_t) ~(CF_BEFORE_CONSENT | CF_AFTER_REJECT | CF_DETAIL_MEM);
    f->flags |= (uint8_t)((in->req->before_consent ? CF_BEFORE_CONSENT : 0) |
                          (in->req->after_reject ? CF_AFTER_REJECT : 0));
    if (!spill) {
        mem_detail *d = pw_arena_calloc(&as->arena, 1, sizeof *d);
        if (!d)
            return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
        pw_evidence *ev = copy_evidence(&as->arena, in->fields, in->n_fields, use, &n);
        d->legal = intern(as, legal);
        d->ev = ev;
        d->n_ev = ev ? n : 0;
        d->req = evidence_request(as, in->req);
        f->detail.mem = d;
        f->flags |= CF_DETAIL_MEM;
        return PW_OK;
    }
    uint64_t req_at = 0, at = 0;
    pw_evidence *ev = copy_evidence(&as->req, in->fields, in->n_fields, use, &n);
    if (!ev)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if ((st = spilled_request(as, in->req, &req_at, err)) != PW_OK)
        return st;
    pw_buf_clear(&as->enc);
    pw_spill_enc_detail(&as->enc, legal, ev, n, req_at);
    if ((st = spill_enc(as, &at, err)) != PW_OK)
        return st;
    f->detail.at = at;
    return PW_OK;
}

/* The finding's fix: in memory (kept once), or past the budget in the spill file. */
static pw_status set_remedy(pw_assessor *as, cfind *f, const char *remedy, pw_err *err)
{
    int spill = 0;
    pw_status st = spilling(as, &spill, err);
    if (st != PW_OK)
        return st;
    if (!spill) {
        f->remedy.mem = intern(as, remedy);
        f->flags |= CF_REMEDY_MEM;
        return remedy && !f->remedy.mem ? pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory")
                                        : PW_OK;
    }
    pw_buf_clear(&as->enc);
    pw_spill_enc_str(&as->enc, remedy);
    f->flags &= (uint8_t)~CF_REMEDY_MEM;
    uint64_t at = 0;
    st = spill_enc(as, &at, err);
    f->remedy.at = at;
    return st;
}

/* What tells findings of a rule apart beyond tracker, account and page: for PW-CONSENT the
 * consent state, so a request before the banner and one after a reject are two findings. */
static const char *finding_variant(const pw_rule *rule, const pw_request *req)
{
    if (strcmp(rule->info.id, "PW-CONSENT") != 0)
        return "";
    return req->after_reject ? "after-reject" : req->before_consent ? "before-consent" : "";
}

/* A rule's legal reasoning for a finding of severity sev on a page of context ctx: a general
 * section's page has its own where the rule gives it a lower severity there. */
static const char *legal_for(pw_arena *a, const pw_rule *rule, int sev, const apage *page)
{
    if (page->ctx == PW_CTX_GENERAL && rule->legal_general &&
        (pw_severity)sev < rule->info.severity)
        return pw_rules_legal_general(a, rule, page->page.url);
    return rule->info.legal;
}

/* The page of the evidence: the finding shows the page its evidence was sent from. */
static void set_page(pw_assessor *as, cfind *f, const apage *page)
{
    f->context = (uint8_t)page->ctx;
    f->page = (uint32_t)(page - as->pages);
    f->flags &= (uint8_t) ~(CF_TITLE | CF_SHOT);
    f->flags |=
        (uint8_t)((page->page.title ? CF_TITLE : 0) | (page->page.screenshot_png ? CF_SHOT : 0));
}

static const char *page_url_of(const pw_assessor *as, const cfind *f)
{
    return as->pages[f->page].page.url;
}

/* Count page `page` (as->pages) as one more occurrence's page of finding f (its set `seen`)
 * if it is a new one for it: the first PW_FINDING_PAGE_URLS are listed, all counted. */
static pw_status note_url(pw_assessor *as, cfind *f, hash_set *seen, uint32_t page, pw_err *err)
{
    int added = pw_hash_set_add(seen, hash_str(as->pages[page].page.url));
    if (added < 0)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if (!added)
        return PW_OK;
    f->page_variants = seen->n;
    if (f->n_page_urls < PW_FINDING_PAGE_URLS)
        f->urls[f->n_page_urls++] = page;
    return PW_OK;
}

static pw_status note_page_url(pw_assessor *as, size_t i, const apage *page, pw_err *err)
{
    return note_url(as, &as->findings[i], &as->finding_urls[i], (uint32_t)(page - as->pages), err);
}

/* A finding of a tracker the site holds a BAA with: low at most, and the BAA's reasoning. */
static int baa_covered(const pw_rule *rule, const rule_input *in)
{
    return in->baa_declared && pw_rule_baa_covers(rule);
}

/* In the request arena: set_evidence keeps it (once) or spills it. */
static const char *finding_legal(pw_assessor *as, const pw_rule *rule, int sev,
                                 const rule_input *in, const apage *page)
{
    return baa_covered(rule, in) ? pw_rules_baa_legal : legal_for(&as->req, rule, sev, page);
}

/* A finding's key as record makes it ("rule\x1ftracker\x1faccount\x1flist domain\x1fpage
 * key\x1fvariant"), rebuilt from the finding (every finding of a key has the same of each), in
 * the arena; account may stand in for the finding's own. */
static char *finding_key_of(const pw_assessor *as, pw_arena *a, const cfind *f, const char *account)
{
    char page[1024];
    pw_url_page_key(page_url_of(as, f), page, sizeof page);
    const char *rule_id = pw_rules_at(f->rule)->info.id;
    const char *variant = strcmp(rule_id, "PW-CONSENT") != 0 ? ""
                          : f->flags & CF_AFTER_REJECT       ? "after-reject"
                          : f->flags & CF_BEFORE_CONSENT     ? "before-consent"
                                                             : "";
    if (!account)
        account = f->account ? str_of(as, f->account) : "";
    const char *company = str_of(as, f->company);
    return pw_arena_sprintf(a, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", rule_id, f->tracker->id, account,
                            company ? company : "", page, variant);
}

/* The finding with this key (hash h), or SIZE_MAX. A folded finding is none. */
static size_t finding_find(pw_assessor *as, const char *key, uint64_t h)
{
    const index_map *m = &as->finding_index;
    if (!m->cap)
        return SIZE_MAX;
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slot[i])
            return SIZE_MAX;
        size_t pos = m->slot[i] - 1;
        if (as->finding_hash[pos] != h || as->findings[pos].flags & CF_FOLDED)
            continue;
        char *k = finding_key_of(as, &as->sortv, &as->findings[pos], NULL);
        int eq = k && strcmp(k, key) == 0;
        pw_arena_reset(&as->sortv);
        if (eq)
            return pos;
    }
}

static uint64_t stored_hash(const void *hashes, size_t pos)
{
    return ((const uint64_t *)hashes)[pos];
}

/* Index finding pos under as->finding_hash[pos]; 0 when out of memory. */
static int finding_put(pw_assessor *as, size_t pos)
{
    return map_insert(&as->finding_index, pos, stored_hash, as->finding_hash);
}

static pw_status record(pw_assessor *as, const pw_rule *rule, int sev, const rule_input *in,
                        const apage *page, const unsigned char *use, pw_err *err)
{
    const pw_beacon *b = in->b;
    if (baa_covered(rule, in) && sev > PW_SEV_LOW)
        sev = PW_SEV_LOW;
    char *key = pw_arena_sprintf(&as->req, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", rule->info.id,
                                 b->tracker->id, b->account_id ? b->account_id : "",
                                 in->list_domain ? in->list_domain : "", page->key,
                                 finding_variant(rule, in->req));
    if (!key)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    uint64_t key_hash = hash_str(key);
    size_t i = finding_find(as, key, key_hash);
    if (i != SIZE_MAX) {
        cfind *f = &as->findings[i];
        if (as->finding_req[i] != (uint32_t)as->req_serial) /* GA4's batched events: one request */
            f->occurrences += f->occurrences < UINT32_MAX;
        as->finding_req[i] = (uint32_t)as->req_serial;
        /* a higher severity, or at the same one an event rather than a script load, replaces
         * the evidence with everything else that describes the transmission, its page too */
        int named = !f->event && b->event_name && sev == f->severity;
        if (sev > f->severity || named) {
            f->severity = (uint8_t)sev;
            pw_status st =
                set_evidence(as, f, in, use, finding_legal(as, rule, sev, in, page), err);
            if (st != PW_OK)
                return st;
            set_page(as, f, page);
        }
        return note_page_url(as, i, page, err);
    }
    if (!grow((void **)&as->findings, &as->cap_findings, as->n_findings, sizeof *as->findings) ||
        !grow((void **)&as->finding_hash, &as->cap_finding_hash, as->n_findings,
              sizeof *as->finding_hash) ||
        !grow((void **)&as->finding_req, &as->cap_finding_req, as->n_findings,
              sizeof *as->finding_req) ||
        !grow((void **)&as->finding_urls, &as->cap_finding_urls, as->n_findings,
              sizeof *as->finding_urls))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    as->finding_urls[as->n_findings] = (hash_set){.cap = 0, .n = 0};
    as->finding_req[as->n_findings] = (uint32_t)as->req_serial;
    cfind *f = &as->findings[as->n_findings];
    *f = (cfind){
        .rule = (uint8_t)(rule - pw_rules_at(0)),
        .severity = (uint8_t)sev,
        .flags = baa_covered(rule, in) ? CF_BAA : 0,
        .tracker = b->tracker,
        .occurrences = 1,
        .seq = as->n_made,
    };
    int interned =
        intern_id(as, b->account_id, &f->account) && intern_id(as, in->list_domain, &f->company);
    set_page(as, f, page);
    pw_status st = set_remedy(as, f,
                              baa_covered(rule, in) ? pw_rules_baa_remedy(&as->req, in, rule)
                                                    : rule->remedy(&as->req, in),
                              err);
    if (st == PW_OK)
        st = set_evidence(as, f, in, use, finding_legal(as, rule, sev, in, page), err);
    if (st != PW_OK)
        return st;
    as->finding_hash[as->n_findings] = key_hash;
    if (!interned || as->n_made == UINT32_MAX || !finding_put(as, as->n_findings))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    as->n_findings++;
    as->n_made++;
    return note_page_url(as, as->n_findings - 1, page, err);
}

/* A filter-list beacon stands for one company among many: its request host and registrable
 * domain (findings and inventory rows are kept apart per domain), in the request arena; both
 * NULL for any other beacon. */
typedef struct list_name {
    const char *host, *domain;
} list_name;

static list_name list_name_of(pw_assessor *as, const pw_beacon *b)
{
    list_name ln = {NULL, NULL};
    pw_url u;
    if (!b->matched_rule || !b->request || !b->request->url ||
        pw_url_parse(b->request->url, strlen(b->request->url), &u, NULL) != PW_OK || !u.host.n)
        return ln;
    ln.host = pw_arena_strndup(&as->req, u.host.p, u.host.n);
    ln.domain = ln.host ? pw_registrable_domain(&as->req, ln.host) : NULL;
    if (!ln.domain)
        ln.domain = ln.host;
    return ln;
}

/* 1 if s starts with prefix and goes on past it. */
static int id_prefixed(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 && s[n];
}

/* Remember a Google tag loader (a tag manager's script naming G-…, GT-… or GTM-…) seen on the
 * page of its request (page_i: the document's, not a route's), for GA4's fixes. */
static void note_loader(pw_assessor *as, const pw_beacon *b, const pw_request *req, size_t page_i)
{
    const char *id = b->account_id;
    pw_url u;
    if (b->tracker->category != PW_CATEGORY_TAG_MANAGER || !b->tracker->decoder ||
        strcmp(b->tracker->decoder, "script") != 0 || !id ||
        !(id_prefixed(id, "G-") || id_prefixed(id, "GT-") || id_prefixed(id, "GTM-")) ||
        !req->url || pw_url_parse(req->url, strlen(req->url), &u, NULL) != PW_OK || !u.host.n)
        return;
    seen_loader *l = &as->loaders[as->n_loaders_seen % LOADERS_SEEN];
    int n = snprintf(l->url, sizeof l->url, "%.*s%.*s?id=%s", (int)u.host.n, u.host.p,
                     (int)u.path.n, u.path.p, id);
    if (strlen(id) >= sizeof l->id || u.host.n >= sizeof l->host || n < 0 ||
        (size_t)n >= sizeof l->url)
        return; /* not a loader a fix could name whole */
    l->page = page_i + 1;
    memcpy(l->id, id, strlen(id) + 1);
    memcpy(l->host, u.host.p, u.host.n);
    l->host[u.host.n] = '\0';
    as->n_loaders_seen++;
}

/* The loader of GA4's stream `id` (whose hit went to `host`) seen on page_i, the latest first:
 * the one naming the same ID, else one served from the collector's own host (a server-side
 * tagging host serves the tag manager or gtag.js that sends to it); NULL when none was seen. */
static const char *find_loader(const pw_assessor *as, const char *id, const char *host,
                               size_t page_i)
{
    size_t n = as->n_loaders_seen < LOADERS_SEEN ? as->n_loaders_seen : LOADERS_SEEN;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 1; k <= n; k++) {
            const seen_loader *l = &as->loaders[(as->n_loaders_seen - k) % LOADERS_SEEN];
            if (l->page == page_i + 1 &&
                (pass == 0 ? strcmp(l->id, id) == 0 : strcasecmp(l->host, host) == 0))
                return l->url;
        }
    return NULL;
}

/* 1 for a host of Google Tag Manager's own (www.googletagmanager.com). */
static int gtm_google_host(const char *url)
{
    const char *p = strstr(url, "googletagmanager.com");
    return p && (p == url || p[-1] == '.') && (p[20] == '/' || p[20] == '\0');
}

/* GA4's fixes name its loader as the capture shows it, and say when GA4 goes through server-side
 * tagging: its collector on a first-party host (catalog entry ga4-server-side), or its loader
 * served from elsewhere than Google Tag Manager's host. */
static void ga4_loader(const pw_assessor *as, const pw_beacon *b, const pw_request *req,
                       size_t req_page, rule_input *in)
{
    pw_url u;
    if (!pw_rules_ga4_stream(b->tracker, b->account_id) || !req->url ||
        pw_url_parse(req->url, strlen(req->url), &u, NULL) != PW_OK)
        return;
    char host[256];
    if (u.host.n >= sizeof host)
        return;
    memcpy(host, u.host.p, u.host.n);
    host[u.host.n] = '\0';
    in->ga4_loader = find_loader(as, b->account_id, host, req_page);
    in->ga4_server_side = strcmp(b->tracker->id, "ga4-server-side") == 0 ||
                          (in->ga4_loader && !gtm_google_host(in->ga4_loader));
}

static pw_status assess_beacon(pw_assessor *as, const pw_beacon *b, const pw_request *req,
                               size_t page_i, size_t req_page, const list_name *ln, pw_err *err)
{
    size_t n = 0;
    const apage *page = &as->pages[page_i];
    rule_field *rf = scan_fields(as, b, req, page->page.url, &n);
    unsigned char *use = pw_arena_alloc(&as->req, n + 1);
    if (!rf || !use)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    rule_input in = {.ctx = page->ctx,
                     .b = b,
                     .fields = rf,
                     .n_fields = n,
                     .req = req,
                     .page_url = page->page.url,
                     .unknown =
                         pw_tracker_is_unknown(b->tracker) || pw_tracker_content_only(b->tracker)};
    in.list_host = ln->host;
    in.list_domain = ln->domain;
    in.baa_declared = baa_declared(as, b->tracker);
    ga4_loader(as, b, req, req_page, &in);
    for (size_t r = 0; r < pw_rules_n(); r++) {
        const pw_rule *rule = pw_rules_at(r);
        if (in.unknown && !rule->content_only)
            continue;
        memset(use, 0, n + 1);
        int sev = rule->match(&in, use);
        if (sev < 0)
            continue;
        for (size_t i = 0; i < n; i++)
            if (!rf[i].f->value_len) /* an empty field proves nothing */
                use[i] = 0;
        pw_status st = record(as, rule, sev, &in, page, use, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* First-party requests tell us about login state and authentication cookies. */
static void first_party_cues(pw_assessor *as, const pw_request *req, size_t page_i)
{
    if (pw_assess_auth_cookie(pw_request_header(req, "cookie")))
        raise_context(&as->pages[page_i], PW_CTX_AUTHENTICATED,
                      "an authentication cookie was sent with the page's own requests");
    if (!as->login_area && req->method && strcasecmp(req->method, "POST") == 0 &&
        pw_assess_login_url(req->url))
        as->login_area = area_of(&as->arena, req->url);
}

/* pw_is_third_party, remembered per (page, request host): a page's requests repeat hosts. */
static int third_party(pw_assessor *as, size_t page_i, const char *page_url, const char *url)
{
    pw_url u;
    if (pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || u.host.n >= sizeof as->party[0].host)
        return pw_is_third_party(page_url, url);
    uint64_t h = 1469598103934665603ull ^ page_i;
    for (size_t i = 0; i < u.host.n; i++)
        h = (h ^ (unsigned char)u.host.p[i]) * 1099511628211ull;
    party_cache *c = &as->party[h & 255];
    if (c->page == page_i + 1 && strlen(c->host) == u.host.n &&
        memcmp(c->host, u.host.p, u.host.n) == 0)
        return c->third;
    c->page = page_i + 1;
    memcpy(c->host, u.host.p, u.host.n);
    c->host[u.host.n] = '\0';
    c->third = pw_is_third_party(page_url, url);
    return c->third;
}

/* ---- single-page apps: the route a beacon names ---- */

/* The value of the beacon's first field with this key and kind, NUL-terminated in the request
 * arena, or NULL. */
static const char *beacon_value(pw_assessor *as, const pw_beacon *b, const char *key,
                                pw_field_kind kind)
{
    for (size_t i = 0; i < b->n_fields; i++) {
        const pw_field *f = &b->fields[i];
        if (f->kind == kind && f->key && strcmp(f->key, key) == 0 && f->value_len)
            return pw_arena_strndup(&as->req, f->value, f->value_len);
    }
    return NULL;
}

/* 1 if a fragment is a hash route ("#/find-a-doctor", "#!/results"), not an anchor, as the
 * browser scan reads it (bx_hash_route): "#/" and "#!/" alone are the router's home route, the
 * document itself, as is "#section". */
static int route_fragment(const pw_slice *frag)
{
    size_t bang = frag->n && frag->p[0] == '!';
    return frag->n > bang + 1 && frag->p[bang] == '/';
}

/* The page a route URL names, in the request arena: without its fragment when that is no hash
 * route ("…/app/#/" is "…/app/", as the browser scan names it), else the URL as it is. */
static const char *route_page_url(pw_assessor *as, const char *url)
{
    pw_url u;
    const char *hash = strchr(url, '#');
    if (!hash || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || route_fragment(&u.fragment))
        return url;
    return pw_arena_strndup(&as->req, url, (size_t)(hash - url));
}

/* 1 if two slices hold the same bytes (an empty slice may have no pointer). */
static int slice_eq(pw_slice a, pw_slice b)
{
    return a.n == b.n && (!a.n || memcmp(a.p, b.p, a.n) == 0);
}

/* 1 if two URLs name the same page: host (any case), path ("" is "/"), query, and the fragment
 * only when it is a hash route (an anchor "#section-2" is the same page). */
static int same_page(const char *a, const char *b)
{
    pw_url u, v;
    if (pw_url_parse(a, strlen(a), &u, NULL) != PW_OK ||
        pw_url_parse(b, strlen(b), &v, NULL) != PW_OK)
        return strcmp(a, b) == 0;
    pw_slice up = u.path.n ? u.path : (pw_slice){"/", 1};
    pw_slice vp = v.path.n ? v.path : (pw_slice){"/", 1};
    pw_slice uf = route_fragment(&u.fragment) ? u.fragment : (pw_slice){"", 0};
    pw_slice vf = route_fragment(&v.fragment) ? v.fragment : (pw_slice){"", 0};
    return u.host.n == v.host.n && (!u.host.n || strncasecmp(u.host.p, v.host.p, u.host.n) == 0) &&
           slice_eq(up, vp) && slice_eq(u.query, v.query) && slice_eq(uf, vf);
}

/* 1 if the beacon's tag reports the page it runs on in dl (and GA its title in dt), updated on
 * each route change of a single-page app: Meta Pixel, GA4 and Universal Analytics. */
static int names_its_route(const pw_beacon *b)
{
    const char *d = b->tracker ? b->tracker->decoder : NULL;
    return d && (strcmp(d, "meta") == 0 || strcmp(d, "ga4") == 0);
}

/* 1 if a URL is a bare origin ("https://www.example.org", with or without "/"): a widget's
 * origin= or Amazon's ex-src= names the site, not the route the visitor is on. */
static int origin_only(const char *v, size_t n)
{
    pw_url u;
    if (pw_url_parse(v, n, &u, NULL) != PW_OK)
        return 1;
    return u.path.n <= 1 && !u.query.n && !route_fragment(&u.fragment);
}

/* The page address a beacon reports, NUL-terminated in the request arena, or NULL: Meta's and
 * GA's dl; for another catalogued tracker its first page-URL field holding an absolute URL
 * (TikTok's context.page.url, LinkedIn's and Google Ads' url, Snap's pl, UET's p, Pinterest's
 * ad.loc), which its tag also reads on each route change. Not a clicked element's destination
 * (cd[buttonFeatures].destination), nor a filter-list or unknown third party's guess. */
static const char *route_url(pw_assessor *as, const pw_beacon *b)
{
    if (names_its_route(b))
        return beacon_value(as, b, "dl", PW_FIELD_PAGE_URL);
    if (pw_tracker_is_unknown(b->tracker) || b->matched_rule)
        return NULL;
    for (size_t i = 0; i < b->n_fields; i++) {
        const pw_field *f = &b->fields[i];
        if (f->kind != PW_FIELD_PAGE_URL || !f->key || !f->value_len || strchr(f->key, '[') ||
            strcasestr(f->key, "destination") || strcasestr(f->key, "link"))
            continue;
        if (f->value_len > 8 &&
            (strncasecmp(f->value, "http://", 7) == 0 ||
             strncasecmp(f->value, "https://", 8) == 0) &&
            !origin_only(f->value, f->value_len))
            return pw_arena_strndup(&as->req, f->value, f->value_len);
    }
    return NULL;
}

/* The page a beacon is judged on: the route its dl names when that is another page of the same
 * site than the one it was recorded on (a single-page app changed route without loading a
 * document, or a beacon sent on leaving a page was recorded under the next), or any page when
 * none was recorded; its dt is that route's title. The route inherits the recorded page's login
 * state: a route change keeps the session. page_i when the beacon names no other page;
 * SIZE_MAX on allocation failure. */
static size_t route_page(pw_assessor *as, const pw_beacon *b, size_t page_i)
{
    const char *dl = route_url(as, b);
    const apage *rec = &as->pages[page_i];
    int no_page = strcmp(rec->page.url, NO_PAGE) == 0;
    if (!dl || (strncasecmp(dl, "http://", 7) != 0 && strncasecmp(dl, "https://", 8) != 0))
        return page_i;
    if (!no_page && (same_page(dl, rec->page.url) || pw_is_third_party(rec->page.url, dl)))
        return page_i;
    if (!(dl = route_page_url(as, dl)))
        return SIZE_MAX;
    pw_page route = {.url = dl,
                     .title =
                         names_its_route(b) ? beacon_value(as, b, "dt", PW_FIELD_PAGE_TITLE) : NULL,
                     .has_session_cookie = rec->page.has_session_cookie,
                     .after_login = rec->page.after_login};
    int authenticated = !no_page && rec->ctx == PW_CTX_AUTHENTICATED;
    size_t i = ensure_page(as, &route);
    if (i != SIZE_MAX && authenticated)
        raise_context(&as->pages[i], PW_CTX_AUTHENTICATED,
                      "a route of an authenticated page (single-page app)");
    return i;
}

/* Decode, scan and judge one request on its page (whose context is now known). */
static pw_status assess_request(pw_assessor *as, const pw_request *req, size_t page_i, pw_err *err)
{
    if (as->n_findings >= as->hold) { /* between requests: a request's findings stay together */
        pw_status st = write_run(as, err);
        if (st != PW_OK)
            return st;
    }
    const char *page_url = as->pages[page_i].page.url;
    as->req_serial++;
    int third = strcmp(page_url, NO_PAGE) != 0 && third_party(as, page_i, page_url, req->url);
    if (third)
        as->n_third++;
    else
        first_party_cues(as, req, page_i);
    pw_beacon *beacons = NULL;
    size_t nb = 0;
    pw_err derr;
    if (pw_decode(as->cat, &as->req, req, &beacons, &nb, &derr) != PW_OK)
        as->n_decode_errors++;
    pw_status st = PW_OK;
    for (size_t i = 0; i < nb && st == PW_OK; i++) {
        as->n_beacons++;
        size_t on = route_page(as, &beacons[i], page_i);
        if (on == SIZE_MAX) {
            st = pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
            break;
        }
        list_name ln = list_name_of(as, &beacons[i]);
        /* a filter-list company is named by its host in reports, not by an ID the generic
         * decoder guessed ("tracker (EasyPrivacy) 420" named no one): its row is the company */
        if (ln.domain)
            beacons[i].account_id = NULL;
        if (!pw_tracker_is_unknown(beacons[i].tracker)) {
            as->n_tracker_beacons++;
            st = pw_inventory_add(as->inventory, &beacons[i], ln.domain, as->pages[on].page.url,
                                  err);
        }
        note_loader(as, &beacons[i], req, page_i);
        if (st == PW_OK)
            st = assess_beacon(as, &beacons[i], req, on, page_i, &ln, err);
    }
    pw_arena_reset(&as->req);
    return st;
}

/* Copy the requests still waiting into a fresh arena and free the old one. A partial flush
 * (one page got its title) leaves its requests' copies in pend, which is reset only when no
 * request waits: a page that never gets its document or title (a redirect's first hop) kept
 * every copy since, and memory grew with the pages. Run when pend doubled since the last
 * compaction, so the copying stays linear. */
static pw_status compact_pending(pw_assessor *as, pw_err *err)
{
    if (as->pend.total < as->pend_compact_at || as->pend.total < PENDING_COMPACT_MIN)
        return PW_OK;
    pw_arena fresh;
    pw_arena_init(&fresh, 0);
    const pw_request **moved = malloc(as->n_pending * sizeof *moved);
    for (size_t i = 0; moved && i < as->n_pending; i++)
        if (!(moved[i] = copy_request_as(as, &fresh, as->pending[i].req, 0))) {
            free(moved);
            moved = NULL;
        }
    if (!moved) {
        pw_arena_free(&fresh);
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    for (size_t i = 0; i < as->n_pending; i++)
        as->pending[i].req = moved[i];
    free(moved);
    pw_arena_free(&as->pend);
    as->pend = fresh;
    as->pend_compact_at = 2 * as->pend.total;
    return PW_OK;
}

/* Assess the waiting requests of page page_i (SIZE_MAX: all), in the order they came. */
static pw_status flush_pending(pw_assessor *as, size_t page_i, pw_err *err)
{
    pw_status st = PW_OK;
    size_t w = 0;
    for (size_t i = 0; i < as->n_pending; i++) {
        pending_req p = as->pending[i];
        if (st != PW_OK || (page_i != SIZE_MAX && p.page != page_i))
            as->pending[w++] = p;
        else
            st = assess_request(as, p.req, p.page, err);
    }
    int flushed = w < as->n_pending;
    as->n_pending = w;
    if (w == 0) {
        pw_arena_reset(&as->pend);
        as->pending_bytes = 0;
    } else if (st == PW_OK && flushed) {
        st = compact_pending(as, err);
    }
    return st;
}

/* Keep a copy of a request until its page is added: a source that sends a page's requests
 * before the page (the static scan learns the title at the end of the HTML) must not have them
 * judged in a context the title would change. Bounded: past the limits all are judged. */
static pw_status hold_request(pw_assessor *as, const pw_request *req, size_t page_i, pw_err *err)
{
    if (as->n_pending >= PENDING_MAX || as->pending_bytes >= PENDING_BYTES_MAX) {
        pw_status st = flush_pending(as, SIZE_MAX, err);
        if (st != PW_OK)
            return st;
    }
    pw_request *c = copy_request_as(as, &as->pend, req, 0);
    if (!c || !grow((void **)&as->pending, &as->cap_pending, as->n_pending, sizeof *as->pending))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    as->pending[as->n_pending++] = (pending_req){page_i, c};
    as->pending_bytes += req->body_len + strlen(req->url) + 256;
    return PW_OK;
}

/* The title a Meta or GA beacon gives (dt) for page page_i, when its dl is that page; in the
 * request arena. Decoding only requests to those trackers keeps the wait cheap. */
static const char *title_from_beacon(pw_assessor *as, const pw_request *req, size_t page_i)
{
    const pw_tracker *t = pw_catalog_match(as->cat, req->url);
    if (!t || !t->decoder || (strcmp(t->decoder, "meta") != 0 && strcmp(t->decoder, "ga4") != 0))
        return NULL;
    pw_beacon *b = NULL;
    size_t nb = 0;
    if (pw_decode(as->cat, &as->req, req, &b, &nb, NULL) != PW_OK)
        return NULL;
    const char *url = as->pages[page_i].page.url;
    for (size_t i = 0; i < nb; i++) {
        if (!names_its_route(&b[i]))
            continue;
        const char *dl = beacon_value(as, &b[i], "dl", PW_FIELD_PAGE_URL);
        const char *dt = beacon_value(as, &b[i], "dt", PW_FIELD_PAGE_TITLE);
        if (dl && dt && same_page(dl, url) && strcmp(dt, url) != 0 && strcmp(dt, dl) != 0)
            return dt;
    }
    return NULL;
}

/* A held request of a page awaiting its title: the page is added (its requests judged) once a
 * beacon names its title, or without one when it has held enough (memory stays bounded). */
static pw_status await_title(pw_assessor *as, const pw_request *req, size_t page_i, pw_err *err)
{
    apage *p = &as->pages[page_i];
    if (p->held < 255)
        p->held++;
    size_t bytes = p->held_bytes + req->body_len + strlen(req->url) + 256;
    p->held_bytes = bytes < TITLE_WAIT_BYTES ? (unsigned)bytes : TITLE_WAIT_BYTES;
    const char *title = title_from_beacon(as, req, page_i);
    if (title)
        ensure_page(as, &(pw_page){.url = p->page.url, .title = title}); /* the title, and the
                                                                            context it gives */
    pw_arena_reset(&as->req);
    p = &as->pages[page_i];
    if (!title && p->held < TITLE_WAIT_REQUESTS && p->held_bytes < TITLE_WAIT_BYTES)
        return PW_OK;
    p->awaiting_title = 0;
    p->added = 1;
    return flush_pending(as, page_i, err);
}

/* The capture period. A time outside 1990..2200 is a source's placeholder or garbage (a HAR
 * writer's 0001-01-01), not when the request was sent. */
static void note_time(pw_assessor *as, double t)
{
    if (!(t >= 631152000.0 && t < 7258118400.0))
        return;
    if (as->first_ts == 0 || t < as->first_ts)
        as->first_ts = t;
    if (t > as->last_ts)
        as->last_ts = t;
}

/* Judge one request now (or hold it for its page, as above). */
static pw_status admit_request(pw_assessor *as, const pw_request *req, pw_err *err)
{
    const char *page_url = req->page_url;
    if (!page_url)
        page_url = req->resource_type && strcasecmp(req->resource_type, "document") == 0 ? req->url
                                                                                         : NO_PAGE;
    pw_page blank = {.url = page_url};
    size_t page_i = ensure_page(as, &blank);
    pw_arena_reset(&as->req);
    if (page_i == SIZE_MAX)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if (!as->pages[page_i].added && strcmp(page_url, NO_PAGE) != 0) {
        pw_status st = hold_request(as, req, page_i, err);
        if (st == PW_OK && as->pages[page_i].awaiting_title)
            st = await_title(as, req, page_i, err);
        return st;
    }
    return assess_request(as, req, page_i, err);
}

/* ---- the reorder window: a binary min-heap on (t, serial) ---- */

static int timed_before(const timed_req *a, const timed_req *b)
{
    return a->t < b->t || (a->t == b->t && a->serial < b->serial);
}

static void window_sift_down(timed_req *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && timed_before(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && timed_before(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        timed_req tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

/* What a request's copy in the window takes (its arena's alignment and block ends aside). */
static size_t window_cost(const pw_request *req)
{
    size_t n = sizeof *req + req->body_len + strlen(req->url) + 1;
    for (size_t i = 0; i < req->n_headers; i++)
        n += sizeof(pw_header) + (req->headers[i].name ? strlen(req->headers[i].name) + 1 : 0) +
             (req->headers[i].value ? strlen(req->headers[i].value) + 1 : 0);
    const char *s[] = {req->method,        req->content_type, req->page_url, req->frame_url,
                       req->resource_type, req->initiator,    req->error,    req->redirect_url};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++)
        n += s[i] ? strlen(s[i]) + 1 : 0;
    return n;
}

/* Copy the requests still in the window into a fresh arena (as compact_pending does): in a HAR
 * longer than the window it never empties, and released copies would pile up. */
static pw_status compact_window(pw_assessor *as, pw_err *err)
{
    if (as->win.total < as->win_compact_at || as->win.total < PENDING_COMPACT_MIN)
        return PW_OK;
    pw_arena fresh;
    pw_arena_init(&fresh, 0);
    for (size_t i = 0; i < as->n_window; i++) {
        const pw_request *c = copy_request_as(as, &fresh, as->window[i].req, 0);
        if (!c) {
            pw_arena_free(&fresh);
            return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
        }
        as->window[i].req = c;
    }
    pw_arena_free(&as->win);
    as->win = fresh;
    as->win_compact_at = as->win.total + as->win.total / 2; /* the window's memory stays ~1.5x */
    return PW_OK;
}

/* Judge the earliest request of the window. */
static pw_status release_earliest(pw_assessor *as, pw_err *err)
{
    timed_req top = as->window[0];
    as->window[0] = as->window[--as->n_window];
    window_sift_down(as->window, as->n_window, 0);
    as->window_bytes -= window_cost(top.req);
    return admit_request(as, top.req, err);
}

/* Judge every request of the window, earliest first. */
static pw_status drain_window(pw_assessor *as, pw_err *err)
{
    pw_status st = PW_OK;
    while (as->n_window && st == PW_OK)
        st = release_earliest(as, err);
    if (!as->n_window) {
        pw_arena_reset(&as->win);
        as->window_bytes = 0;
        as->win_compact_at = 0;
    }
    return st;
}

/* A HAR request joins the window; past its limits the earliest ones are judged. A time the
 * source does not give (0, a placeholder) sorts as the latest time seen before it: such an
 * entry keeps its place among its neighbours. */
static pw_status window_add(pw_assessor *as, const pw_request *req, pw_err *err)
{
    double t = req->timestamp;
    if (!(t >= 631152000.0 && t < 7258118400.0))
        t = as->window_ts;
    else if (t > as->window_ts)
        as->window_ts = t;
    pw_request *c = copy_request_as(as, &as->win, req, 0);
    if (!c || !grow((void **)&as->window, &as->cap_window, as->n_window, sizeof *as->window))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    timed_req e = {t, as->window_serial++, c};
    size_t i = as->n_window++;
    for (; i > 0 && timed_before(&e, &as->window[(i - 1) / 2]); i = (i - 1) / 2)
        as->window[i] = as->window[(i - 1) / 2];
    as->window[i] = e;
    as->window_bytes += window_cost(c);
    int released = 0;
    while (as->n_window > REORDER_MAX || as->window_bytes > REORDER_BYTES_MAX) {
        pw_status st = release_earliest(as, err);
        if (st != PW_OK)
            return st;
        released = 1;
    }
    return released ? compact_window(as, err) : PW_OK;
}

pw_status pw_assessor_add_request(pw_assessor *as, const pw_request *req, pw_err *err)
{
    if (!req || !req->url)
        return pw_err_set(err, PW_ERR_INVALID, "assessor: request without a URL");
    if (as->finished)
        return pw_err_set(err, PW_ERR_STATE, "assessor: request added after finish");
    as->n_requests++;
    note_time(as, req->timestamp);
    if (req->source == PW_SOURCE_HAR)
        return window_add(as, req, err);
    /* a live capture sends requests as they happen (and a static scan before their page) */
    pw_status st = drain_window(as, err);
    return st == PW_OK ? admit_request(as, req, err) : st;
}

/* ---- result ---- */

/* Severity, page (its key: the URLs of one page that differ in their query stay together),
 * vendor, product, rule, account, then the request URL: a filter-list entry's findings (one
 * entry, many companies, no account) in the order of their hosts, and no two findings tie, so
 * the order never depends on the order the capture listed them in. */
/* The request URL the sort compares last: a spilled finding's is read back (into as->sortv,
 * reset after each comparison). */
static const char *sort_url(pw_assessor *as, const cfind *f)
{
    if (f->flags & CF_DETAIL_MEM)
        return f->detail.mem->req && f->detail.mem->req->url ? f->detail.mem->req->url : "";
    const char *u = f->detail.at && as->spill
                        ? pw_spill_request_url(as->spill, f->detail.at, &as->sortv)
                        : NULL;
    return u ? u : "";
}

static const char *vendor_of(const pw_tracker *t)
{
    return t->vendor ? t->vendor : t->id;
}

static int cmp_findings(const cfind *a, const cfind *b, pw_assessor *as)
{
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    char ka[1024], kb[1024];
    pw_url_page_key(page_url_of(as, a), ka, sizeof ka);
    pw_url_page_key(page_url_of(as, b), kb, sizeof kb);
    int c = strcmp(ka, kb);
    if (!c)
        c = strcmp(vendor_of(a->tracker), vendor_of(b->tracker));
    if (!c)
        c = strcmp(a->tracker->id, b->tracker->id);
    if (!c)
        c = strcmp(pw_rules_at(a->rule)->info.id, pw_rules_at(b->rule)->info.id);
    if (!c)
        c = strcmp(a->account ? str_of(as, a->account) : "",
                   b->account ? str_of(as, b->account) : "");
    if (!c) {
        c = strcmp(sort_url(as, a), sort_url(as, b));
        pw_arena_reset(&as->sortv);
    }
    if (!c)
        c = strcmp(page_url_of(as, a), page_url_of(as, b));
    /* the order they were made in (what a stable sort of them in that order gives): a run's
     * findings are sorted apart from the others' */
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_finding_at(const void *pa, const void *pb, void *ctx)
{
    pw_assessor *as = ctx;
    return cmp_findings(&as->findings[*(const uint32_t *)pa], &as->findings[*(const uint32_t *)pb],
                        as);
}

static int cmp_finding_rec(const void *pa, const void *pb, void *ctx)
{
    return cmp_findings(pa, pb, ctx);
}

/* Sort the findings (cmp_findings) through an array of their positions, then move each once:
 * qsort on the records themselves would take a copy of them all (glibc's merge sort), a peak of
 * the whole array again at the end of a long scan. */
static void sort_findings(pw_assessor *as)
{
    size_t n = as->n_findings;
    uint32_t *from = n > 1 && n <= UINT32_MAX ? malloc(n * sizeof *from) : NULL;
    if (!from) {
        if (n > 1) /* no memory for the positions: sort in place */
            qsort_r(as->findings, n, sizeof *as->findings, cmp_finding_rec, as);
        return;
    }
    for (size_t i = 0; i < n; i++)
        from[i] = (uint32_t)i;
    qsort_r(from, n, sizeof *from, cmp_finding_at, as); /* from[k]: where k's finding is now */
    for (size_t k = 0; k < n; k++) { /* follow each cycle; a placed position gets from[j] = j */
        if (from[k] == k)
            continue;
        cfind first = as->findings[k];
        size_t j = k;
        while (from[j] != k) {
            size_t next = from[j];
            as->findings[j] = as->findings[next];
            from[j] = (uint32_t)j;
            j = next;
        }
        as->findings[j] = first;
        from[j] = (uint32_t)j;
    }
    free(from);
}

/* ---- the folds at finish: one page key's findings at a time ---- */

/* Findings and their page-URL sets: one page key's (runs merged), or all of a scan whose
 * findings stayed in memory (every fold is between findings of one page key). */
typedef struct fgroup {
    cfind *v;
    hash_set *u;
    size_t n;
} fgroup;

/* Fold finding `from` into `to` (same rule, tracker, account and page key): occurrences add up,
 * the page URLs join to's (counted exactly: every distinct URL's hash, not only the 10 listed),
 * and the evidence is the one aggregation would have kept (the higher severity, or at the same
 * one the one naming an event). */
static void fold_finding(pw_assessor *as, cfind *to, hash_set *seen, const cfind *from,
                         const hash_set *more)
{
    uint64_t occurrences = (uint64_t)to->occurrences + from->occurrences;
    int named = !to->event && from->event && from->severity == to->severity;
    if (from->severity > to->severity || named) {
        cfind keep = *to;
        *to = *from;
        to->seq = keep.seq; /* it keeps its place */
        to->account = keep.account;
        to->remedy = keep.remedy; /* the one that names the account */
        to->flags = (uint8_t)((from->flags & ~CF_REMEDY_MEM) | (keep.flags & CF_REMEDY_MEM));
        memcpy(to->urls, keep.urls, sizeof to->urls);
        to->n_page_urls = keep.n_page_urls;
        to->page_variants = keep.page_variants;
    }
    to->occurrences = occurrences < UINT32_MAX ? (uint32_t)occurrences : UINT32_MAX;
    pw_err err;
    for (size_t k = 0; k < from->n_page_urls; k++) /* the listed ones first: they are shown */
        if (note_url(as, to, seen, from->urls[k], &err) != PW_OK)
            return; /* out of memory: the count stays a lower bound */
    if (!more->cap && more->n)
        pw_hash_set_add(seen, more->u.one); /* out of memory: the count stays a lower bound */
    for (size_t k = 0; k < more->cap; k++)
        if (more->u.slot[k] && pw_hash_set_add(seen, more->u.slot[k]) < 0)
            break;
    to->page_variants = seen->n;
}

/* "tracker\x1flist domain\x1fpage key" of a finding: the (tracker, page) it is about, whatever
 * the account, in the arena. */
static char *tracker_page_of(const pw_assessor *as, pw_arena *a, const cfind *f)
{
    char page[1024];
    pw_url_page_key(page_url_of(as, f), page, sizeof page);
    const char *company = str_of(as, f->company);
    return pw_arena_sprintf(a, "%s\x1f%s\x1f%s", f->tracker->id, company ? company : "", page);
}

static int is_no_baa(const cfind *f)
{
    return strcmp(pw_rules_at(f->rule)->info.id, "PW-NO-BAA") == 0;
}

/* The records of one finding written in several runs (a page met again after its findings went
 * to a run) fold into the first, in the order they were made: as aggregation would have. */
static pw_status fold_records(pw_assessor *as, fgroup *g, char **keys, index_map *m)
{
    for (size_t i = 0; i < g->n; i++) {
        keys[i] = finding_key_of(as, &as->fold, &g->v[i], NULL);
        if (!keys[i])
            return PW_ERR_NOMEM;
        size_t j = map_find(m, keys, keys[i]);
        if (j != SIZE_MAX) {
            fold_finding(as, &g->v[j], &g->u[j], &g->v[i], &g->u[i]);
            g->v[i].flags |= CF_FOLDED;
        } else if (!map_put(m, keys, i)) {
            return PW_ERR_NOMEM;
        }
    }
    return PW_OK;
}

/* A tracker's requests that name no account (a script load, a replay request, the pixel's
 * script) belong to its account when the scan saw exactly one: their findings join that
 * account's (or take its ID), so one vendor with one known account is one row, not "-" beside
 * it. With several accounts they stay apart (which one loaded the script is unknown). */
static pw_status fold_accountless(pw_assessor *as, fgroup *g, char **keys, index_map *m)
{
    for (size_t i = 0; i < g->n; i++) {
        cfind *f = &g->v[i];
        if (f->account || f->flags & CF_FOLDED)
            continue;
        const char *sole = pw_inventory_sole_account(as->inventory, f->tracker);
        char *key = sole ? finding_key_of(as, &as->fold, f, sole) : NULL;
        if (!key)
            continue;
        size_t j = map_find(m, keys, key);
        if (j != SIZE_MAX && j != i) {
            fold_finding(as, &g->v[j], &g->u[j], f, &g->u[i]);
            f->flags |= CF_FOLDED; /* dropped below */
            continue;
        }
        uint32_t id = 0;
        if (!intern_id(as, sole, &id)) /* out of memory: it stays without the account */
            continue;
        f->account = id;
        keys[i] = key; /* findable under its new key */
        if (!map_put(m, keys, i))
            return PW_ERR_NOMEM;
    }
    return PW_OK;
}

/* PW-NO-BAA only for a (tracker, page) no other rule reported, whatever the account (a script
 * load names none, its beacons do): the other findings carry the BAA point in their fix
 * (docs/rules.md). */
static pw_status drop_repeated_no_baa(pw_assessor *as, fgroup *g, char **keys, index_map *m)
{
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i].flags & CF_FOLDED || is_no_baa(&g->v[i]))
            continue;
        if (!(keys[i] = tracker_page_of(as, &as->fold, &g->v[i])) || !map_put(m, keys, i))
            return PW_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i].flags & CF_FOLDED || !is_no_baa(&g->v[i]))
            continue;
        char *tp = tracker_page_of(as, &as->fold, &g->v[i]);
        if (tp && map_find(m, keys, tp) != SIZE_MAX)
            g->v[i].flags |= CF_FOLDED;
    }
    return PW_OK;
}

/* "rule\x1ftracker\x1faccount\x1fpage key\x1fconsent state" of a finding under a collector's
 * catalog id and account (rule "*": any rule): what a gtag.js loader's finding and its
 * collector's share, in the arena. */
static char *gtag_fold_key(const pw_assessor *as, pw_arena *a, const cfind *f, const char *rule,
                           const char *tracker, const char *account)
{
    char page[1024];
    pw_url_page_key(page_url_of(as, f), page, sizeof page);
    return pw_arena_sprintf(a, "%s\x1f%s\x1f%s\x1f%s\x1f%d",
                            rule ? rule : pw_rules_at(f->rule)->info.id, tracker, account, page,
                            rule ? 0 : f->flags & (CF_BEFORE_CONSENT | CF_AFTER_REJECT));
}

/* The collector's fix names the loader folded into it: "… The gtag.js tag that loads it
 * (gtag/js?id=AW-…) goes with it." Once per ID. */
static pw_status name_loader(pw_assessor *as, cfind *to, const char *id, pw_err *err)
{
    const char *fix = NULL;
    pw_status st = PW_OK;
    if (to->flags & CF_REMEDY_MEM)
        fix = to->remedy.mem;
    else if (to->remedy.at)
        st = pw_spill_read_str(as->spill, to->remedy.at, &as->fold, &fix, err);
    if (st != PW_OK)
        return st;
    char *needle = pw_arena_sprintf(&as->fold, "gtag/js?id=%s)", id); /* the ID whole */
    if (!needle)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if (fix && strstr(fix, needle))
        return PW_OK;
    char *named = pw_arena_sprintf(&as->fold, "%s%sThe gtag.js tag that loads it (%s goes with it.",
                                   fix ? fix : "", fix && *fix ? " " : "", needle);
    if (!named)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    return set_remedy(as, to, named, err);
}

/* The collector name a finding is keyed under: GA4's and Universal Analytics' on any host (a
 * server-side tagging host's too, decoder "ga4") by the kind of their ID, else the catalog id. */
static const char *collector_of(const cfind *f, const char *account)
{
    const pw_tracker *t = f->tracker;
    if (t->decoder && strcmp(t->decoder, "ga4") == 0) {
        if (pw_rules_ga4_stream(t, account))
            return "ga4";
        if (strncmp(account, "UA-", 3) == 0)
            return "universal-analytics";
    }
    return t->id ? t->id : "";
}

/* gtag.js loading a collector's ID (G-…, UA-…, AW-<N>, DC-<N>) and that collector reporting the
 * ID on one page are one disclosure: the loader's finding of a rule the collector's also made
 * there is dropped (the collector's fix names the loader), and so is its PW-NO-BAA beside any
 * finding of the collector's there (each carries the BAA point). Page by page: where the
 * collector never fired, which collector the loader served is not certain, and the loader's
 * findings stay. */
static pw_status fold_gtag_loaders(pw_assessor *as, fgroup *g, char **keys, index_map *m,
                                   pw_err *err)
{
    char **any = pw_arena_calloc(&as->fold, g->n ? g->n : 1, sizeof *any);
    index_map m_any = {0};
    pw_status st = any ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    for (size_t i = 0; st == PW_OK && i < g->n; i++) {
        const cfind *f = &g->v[i];
        const char *acct = str_of(as, f->account);
        if (f->flags & CF_FOLDED || !acct || f->tracker->category == PW_CATEGORY_TAG_MANAGER)
            continue;
        const char *collector = collector_of(f, acct);
        keys[i] = gtag_fold_key(as, &as->fold, f, NULL, collector, acct);
        any[i] = gtag_fold_key(as, &as->fold, f, "*", collector, acct);
        if (!keys[i] || !any[i] || !map_put(m, keys, i) ||
            (map_find(&m_any, any, any[i]) == SIZE_MAX && !map_put(&m_any, any, i)))
            st = pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    for (size_t i = 0; st == PW_OK && i < g->n; i++) {
        cfind *f = &g->v[i];
        const char *id = str_of(as, f->account), *acct = NULL;
        const char *collector = pw_rules_gtag_collector(f->tracker, id, &acct);
        if (f->flags & CF_FOLDED || !collector)
            continue;
        int no_baa = is_no_baa(f);
        char *key = gtag_fold_key(as, &as->fold, f, no_baa ? "*" : NULL, collector, acct);
        size_t j = key ? map_find(no_baa ? &m_any : m, no_baa ? any : keys, key) : SIZE_MAX;
        if (j == SIZE_MAX)
            continue;
        f->flags |= CF_FOLDED;
        if (strcmp(collector, "ga4") != 0) /* GA4's fixes name their loader (rules.c) */
            st = name_loader(as, &g->v[j], id, err);
    }
    free(m_any.slot);
    return st;
}

/* The folds of a group's findings, the folded and dropped ones removed; their page-URL sets are
 * done with (the counts are final) and freed. */
static pw_status fold_group(pw_assessor *as, fgroup *g, pw_err *err)
{
    pw_arena_reset(&as->fold);
    char **keys = pw_arena_calloc(&as->fold, g->n ? g->n : 1, sizeof *keys);
    index_map m = {0}, tp = {0}, ga = {0};
    pw_status st = keys ? fold_records(as, g, keys, &m) : PW_ERR_NOMEM, gst = PW_OK;
    if (st == PW_OK)
        st = fold_accountless(as, g, keys, &m);
    if (st == PW_OK) {
        memset(keys, 0, g->n * sizeof *keys);
        st = drop_repeated_no_baa(as, g, keys, &tp);
    }
    if (st == PW_OK) {
        memset(keys, 0, g->n * sizeof *keys);
        st = gst = fold_gtag_loaders(as, g, keys, &ga, err);
    }
    free(m.slot);
    free(tp.slot);
    free(ga.slot);
    size_t w = 0;
    for (size_t i = 0; i < g->n; i++) {
        pw_hash_set_free(&g->u[i]);
        if (!(g->v[i].flags & CF_FOLDED))
            g->v[w++] = g->v[i];
    }
    g->n = w;
    pw_arena_reset(&as->fold);
    pw_arena_reset(&as->req);
    if (st == PW_OK || st == gst) /* the gtag fold says what failed itself */
        return st;
    return pw_err_set(err, st, "assessor: out of memory");
}

/* ---- runs: findings out of memory (findings.h) ---- */

static int cmp_run_order(const void *pa, const void *pb, void *ctx)
{
    const pw_assessor *as = ctx;
    const cfind *a = &as->findings[*(const uint32_t *)pa];
    const cfind *b = &as->findings[*(const uint32_t *)pb];
    int c = strcmp(as->pages[a->page].key, as->pages[b->page].key);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* The findings held go to the runs file, by page key, and the scan goes on with none. */
static pw_status write_run(pw_assessor *as, pw_err *err)
{
    size_t n = as->n_findings;
    if (!n)
        return PW_OK;
    uint32_t *order = malloc(n * sizeof *order);
    if (!order || !grow((void **)&as->run_at, &as->cap_run_at, as->n_runs, sizeof *as->run_at) ||
        !grow((void **)&as->run_n, &as->cap_run_n, as->n_runs, sizeof *as->run_n)) {
        free(order);
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, n, sizeof *order, cmp_run_order, as);
    uint64_t at = pw_spill_size(as->runs);
    pw_status st = PW_OK;
    for (size_t k = 0; k < n && st == PW_OK; k++)
        st = pw_run_put(&as->runs, as->spill_dir, &as->findings[order[k]],
                        &as->finding_urls[order[k]], &as->enc, err);
    free(order);
    if (st != PW_OK)
        return st;
    as->run_at[as->n_runs] = at;
    as->run_n[as->n_runs++] = n;
    for (size_t i = 0; i < n; i++)
        pw_hash_set_free(&as->finding_urls[i]);
    as->n_findings = 0;
    if (as->finding_index.slot)
        memset(as->finding_index.slot, 0, as->finding_index.cap * sizeof *as->finding_index.slot);
    as->finding_index.n = 0;
    return PW_OK;
}

/* The next run (from `from` on) whose head has the least page key, SIZE_MAX when every run is
 * read: an earlier run first among equals (its findings were made first). */
static size_t least_head(const pw_assessor *as, const cfind *head, const size_t *left, size_t from)
{
    size_t best = SIZE_MAX;
    for (size_t r = from; r < as->n_runs; r++)
        if (left[r] && (best == SIZE_MAX ||
                        strcmp(as->pages[head[r].page].key, as->pages[head[best].page].key) < 0))
            best = r;
    return best;
}

/* One page key's findings, from every run, folded, sorted and written to the result's files. */
static pw_status merge_group(pw_assessor *as, fgroup *g, size_t *cap_v, size_t *cap_u,
                             pw_spill_cursor *cur, cfind *head, hash_set *hu, size_t *left,
                             size_t best, pw_err *err)
{
    const char *key = as->pages[head[best].page].key;
    pw_status st = PW_OK;
    g->n = 0;
    for (size_t r = best; r < as->n_runs && st == PW_OK; r++) {
        while (st == PW_OK && left[r] && strcmp(as->pages[head[r].page].key, key) == 0) {
            if (!grow((void **)&g->v, cap_v, g->n, sizeof *g->v) ||
                !grow((void **)&g->u, cap_u, g->n, sizeof *g->u))
                return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
            g->v[g->n] = head[r];
            g->u[g->n++] = hu[r];
            hu[r] = (hash_set){.cap = 0, .n = 0};
            if (--left[r])
                st = pw_run_next(&cur[r], &head[r], &hu[r], err);
        }
    }
    if (st == PW_OK)
        st = fold_group(as, g, err);
    for (size_t i = 0; i < g->n; i++)
        pw_hash_set_free(&g->u[i]);
    if (st != PW_OK)
        return st;
    qsort_r(g->v, g->n, sizeof *g->v, cmp_finding_rec, as);
    for (size_t i = 0; i < g->n && st == PW_OK; i++)
        st = pw_sev_put(&as->sev_files, &g->v[i], err);
    return st;
}

/* Every run merged by page key (the findings of one page key together, in the order made):
 * the result's findings in one file a severity, each severity's in the sort's order (page key
 * comes right after severity). The runs file is closed after: its disk is freed. */
static pw_status merge_runs(pw_assessor *as, pw_err *err)
{
    pw_status st = write_run(as, err); /* the findings still held */
    if (st == PW_OK)
        st = pw_spill_flush(as->runs, err);
    if (st != PW_OK)
        return st;
    size_t k = as->n_runs;
    pw_spill_cursor *cur = calloc(k, sizeof *cur);
    cfind *head = calloc(k, sizeof *head);
    hash_set *hu = calloc(k, sizeof *hu);
    size_t *left = calloc(k, sizeof *left);
    fgroup g = {0};
    size_t cap_v = 0, cap_u = 0;
    if (!cur || !head || !hu || !left)
        st = pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    for (size_t r = 0; r < k && st == PW_OK; r++) {
        pw_spill_cursor_init(&cur[r], as->runs, as->run_at[r]);
        left[r] = as->run_n[r];
        if (left[r])
            st = pw_run_next(&cur[r], &head[r], &hu[r], err);
    }
    as->sev_files.dir = as->spill_dir;
    for (size_t best; st == PW_OK && (best = least_head(as, head, left, 0)) != SIZE_MAX;)
        st = merge_group(as, &g, &cap_v, &cap_u, cur, head, hu, left, best, err);
    for (size_t r = 0; cur && hu && r < k; r++) {
        pw_spill_cursor_free(&cur[r]);
        pw_hash_set_free(&hu[r]);
    }
    free(cur);
    free(head);
    free(hu);
    free(left);
    free(g.v);
    free(g.u);
    pw_spill_free(as->runs);
    as->runs = NULL;
    if (st == PW_OK)
        st = pw_sev_flush(&as->sev_files, err);
    for (int s = PW_SEV__COUNT - 1; st == PW_OK && s >= 0; s--) { /* one read back: a summary */
        cfind first;                                              /* never fails after it */
        if (as->sev_files.n[s]) {
            st = pw_sev_get(&as->sev_files, s, 0, &first, err);
            break;
        }
    }
    return st;
}

/* The findings all held in memory: folded as one group, then sorted. */
static pw_status fold_in_memory(pw_assessor *as, pw_err *err)
{
    fgroup g = {as->findings, as->finding_urls, as->n_findings};
    pw_status st = fold_group(as, &g, err);
    as->n_findings = g.n;
    free_url_sets(as);
    return st;
}
/* The page records become the result's pages in place (a pw_page is the first member of each:
 * moved down, the array shrunk), their contexts and reasons in arrays of their own: the pages
 * are not held twice at the end of a long scan (~60 bytes a page), and their index and the
 * assessor's own members are freed (~48 more). */
static pw_status result_pages(pw_assessor *as, pw_err *err)
{
    size_t np = as->n_pages ? as->n_pages : 1;
    as->out_ctx = calloc(np, sizeof *as->out_ctx);
    as->out_why = calloc(np, sizeof *as->out_why);
    as->url_ring = calloc(URL_RING, sizeof *as->url_ring);
    if (!as->out_ctx || !as->out_why || !as->url_ring)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if (!as->pages && !(as->pages = calloc(1, sizeof *as->pages)))
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    for (size_t i = 0; i < as->n_pages; i++) {
        as->out_ctx[i] = as->pages[i].ctx;
        as->out_why[i] = as->pages[i].why;
    }
    pw_page *v = (pw_page *)(void *)as->pages;
    for (size_t i = 0; i < as->n_pages; i++) /* page i lands below page i + 1's record */
        memmove(&v[i], &as->pages[i].page, sizeof *v);
    pw_page *shrunk = realloc(v, np * sizeof *v);
    as->out_pages = shrunk ? shrunk : v;
    as->pages = NULL;
    as->cap_pages = 0;
    free(as->page_keys);
    as->page_keys = NULL;
    as->cap_page_keys = 0;
    return PW_OK;
}

pw_status pw_assessor_finish(pw_assessor *as, const pw_scan_result **out, pw_err *err)
{
    if (!as->finished) {
        pw_status st = drain_window(as, err);
        if (st == PW_OK)
            st = flush_pending(as, SIZE_MAX, err);
        if (st == PW_OK && as->n_runs)
            st = merge_runs(as, err);
        else if (st == PW_OK)
            st = fold_in_memory(as, err);
        if (st != PW_OK)
            return st;
        as->in_files = as->n_runs != 0;
        pw_inventory_fold_accountless(as->inventory);
        pw_inventory_fold_loaders(as->inventory, pw_rules_gtag_collector);
    }
    pw_status fst = pw_spill_flush(as->spill, err); /* reports read it with pread */
    if (fst != PW_OK)
        return fst;
    /* The aggregation's state is done with after the folds (no request comes after finish):
     * freed before the sort's positions are allocated, not after the reports (~24 bytes a
     * finding at the scan's peak). The index would be wrong after the sort anyway. */
    free(as->finding_index.slot);
    memset(&as->finding_index, 0, sizeof as->finding_index);
    free(as->finding_hash);
    free(as->finding_req);
    as->finding_hash = NULL;
    as->finding_req = NULL;
    as->cap_finding_hash = as->cap_finding_req = 0;
    free_url_sets(as);
    free(as->str_index.slot); /* strings are interned only while requests come */
    memset(&as->str_index, 0, sizeof as->str_index);
    free(as->page_index.slot);
    memset(&as->page_index, 0, sizeof as->page_index);
    size_t n_findings = as->n_findings;
    pw_status st_pages;
    if (as->in_files) { /* the findings are in the result's files */
        free(as->findings);
        as->findings = NULL;
        as->cap_findings = as->n_findings = 0;
        n_findings = 0;
        for (int s = 0; s < PW_SEV__COUNT; s++)
            n_findings += as->sev_files.n[s];
    }
    if (!as->finished)
        sort_findings(as);
    as->finished = 1;
    if (!as->out_pages && (st_pages = result_pages(as, err)) != PW_OK)
        return st_pages;
    as->result = (pw_scan_result){.store = as,
                                  .n_findings = n_findings,
                                  .pages = as->out_pages,
                                  .n_pages = as->n_pages,
                                  .page_contexts = as->out_ctx,
                                  .n_requests = as->n_requests,
                                  .n_third_party = as->n_third,
                                  .n_beacons = as->n_beacons,
                                  .n_decode_errors = as->n_decode_errors,
                                  .target = as->target,
                                  .source = as->source,
                                  .page_reasons = as->out_why,
                                  .n_tracker_beacons = as->n_tracker_beacons,
                                  .captured_first = as->first_ts,
                                  .captured_last = as->last_ts,
                                  .baa_declared = as->baa,
                                  .n_baa_declared = as->n_baa,
                                  .catalog_entries = pw_catalog_count(as->cat),
                                  .spill = as->spill};
    /* copied: a report may outlive the catalog the scan used */
    pw_catalog_lists(as->cat, as->result.lists);
    for (size_t i = 0; i < PW_CATALOG_LISTS; i++) {
        as->result.lists[i].path = dup_or_null(&as->arena, as->result.lists[i].path);
        as->result.lists[i].version = dup_or_null(&as->arena, as->result.lists[i].version);
    }
    as->result.trackers = pw_inventory_result(as->inventory, &as->result.n_trackers);
    *out = &as->result;
    return PW_OK;
}
int pw_scan_result_max_severity(const pw_scan_result *r)
{
    int max = -1;
    for (size_t i = 0; r && i < r->n_findings; i++)
        if ((int)pw_scan_result_severity(r, i) > max)
            max = (int)pw_scan_result_severity(r, i);
    return max;
}

/* Finding i's severity, and its place among that severity's findings, in the result's files
 * (highest severity first). */
static int file_severity(const pw_assessor *as, size_t i, size_t *k)
{
    for (int s = PW_SEV__COUNT - 1; s > 0; s--) {
        if (i < as->sev_files.n[s]) {
            *k = i;
            return s;
        }
        i -= as->sev_files.n[s];
    }
    *k = i;
    return 0;
}

pw_severity pw_scan_result_severity(const pw_scan_result *r, size_t i)
{
    if (!r->store)
        return r->findings[i].severity;
    size_t k;
    return r->store->in_files ? (pw_severity)file_severity(r->store, i, &k)
                              : (pw_severity)r->store->findings[i].severity;
}

/* The page URLs of a finding as an array: its page's own URL member when it has one (most),
 * else in the arena, or without one in a ring of URL_RING arrays (a brief is used at once). */
static const char *const *finding_urls(pw_assessor *as, const cfind *c, pw_arena *a)
{
    if (c->n_page_urls == 1)
        return &as->out_pages[c->urls[0]].url;
    if (!c->n_page_urls)
        return NULL;
    const char **v = a ? pw_arena_alloc(a, c->n_page_urls * sizeof *v) : NULL;
    if (!v) {
        v = (const char **)as->url_ring[as->url_ring_next++ % URL_RING];
    }
    for (size_t k = 0; k < c->n_page_urls; k++)
        v[k] = as->out_pages[c->urls[k]].url;
    return v;
}

const pw_finding *pw_scan_result_finding(const pw_scan_result *r, size_t i, pw_finding *tmp,
                                         pw_arena *a, pw_err *err)
{
    if (!r->store)
        return &r->findings[i];
    /* the result's own reading state (a block of records, the ring): the assessor is not const,
     * only the result's view of it */
    pw_assessor *as = (pw_assessor *)r->store;
    const cfind *c = as->in_files ? NULL : &as->findings[i];
    cfind rec;
    if (as->in_files) {
        size_t k;
        int sev = file_severity(as, i, &k);
        pw_err e;
        if (pw_sev_get(&as->sev_files, sev, k, &rec, err ? err : &e) != PW_OK) {
            if (a || !as->sev_files.have_last) /* merge_runs read one: never for a summary */
                return NULL;
            rec = as->sev_files.last;
        }
        c = &rec;
    }
    const pw_rule *rule = pw_rules_at(c->rule);
    const pw_page *p = &as->out_pages[c->page];
    *tmp = (pw_finding){
        .rule_id = rule->info.id,
        .title = rule->info.title,
        .severity = (pw_severity)c->severity,
        .context = (pw_hhs_context)c->context,
        .tracker = c->tracker,
        .account_id = str_of(as, c->account),
        .company = str_of(as, c->company),
        .event_name = str_of(as, c->event),
        .page_url = p->url,
        .page_title = c->flags & CF_TITLE ? p->title : NULL,
        .screenshot_png = c->flags & CF_SHOT ? p->screenshot_png : NULL,
        .step = (pw_step)c->step,
        .before_consent = !!(c->flags & CF_BEFORE_CONSENT),
        .after_reject = !!(c->flags & CF_AFTER_REJECT),
        .occurrences = c->occurrences,
        .page_variants = c->page_variants,
        .page_urls = finding_urls(as, c, a),
        .n_page_urls = c->n_page_urls,
        .baa_declared = !!(c->flags & CF_BAA),
    };
    if (c->flags & CF_REMEDY_MEM)
        tmp->remediation = c->remedy.mem;
    if (c->flags & CF_DETAIL_MEM) {
        tmp->legal = c->detail.mem->legal;
        tmp->evidence = c->detail.mem->ev;
        tmp->n_evidence = c->detail.mem->n_ev;
        tmp->request = c->detail.mem->req;
    }
    if (!a)
        return tmp;
    if (!(c->flags & CF_REMEDY_MEM) && c->remedy.at &&
        pw_spill_read_str(as->spill, c->remedy.at, a, &tmp->remediation, err) != PW_OK)
        return NULL;
    if (!(c->flags & CF_DETAIL_MEM) && c->detail.at &&
        pw_spill_read_detail(as->spill, c->detail.at, a, &tmp->legal, &tmp->evidence,
                             &tmp->n_evidence, &tmp->request, err) != PW_OK)
        return NULL;
    return tmp;
}
