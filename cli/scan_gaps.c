/*
 * scan_gaps.c — collects what a scan could not observe (scan_gaps.h): each captured request that
 * failed is checked against the tracker catalog, and a tracker's script or frame that did not
 * load becomes a gap (what it would have sent was never seen); the capture's own gaps (pages,
 * login, browser) are added as they come. Gaps are merged by kind, URL and error; a merged script
 * or frame gap keeps every page it happened on (bounded), since comparing with a baseline must
 * know each page where a tag manager's failure hid the tags it loads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/url.h"
#include "scan_gaps.h"

void pw_cli_gaps_init(pw_cli_gaps *g, const pw_catalog *catalog)
{
    memset(g, 0, sizeof *g);
    pw_arena_init(&g->arena, 0);
    g->catalog = catalog;
}

void pw_cli_gaps_free(pw_cli_gaps *g)
{
    pw_arena_free(&g->arena);
    memset(g, 0, sizeof *g);
}

static int same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *dup_or_null(pw_arena *a, const char *s)
{
    return s ? pw_arena_strdup(a, s) : NULL;
}

static char *page_key_of(const char *url)
{
    size_t n = pw_url_page_key(url, NULL, 0);
    char *k = malloc(n + 1);
    if (k)
        pw_url_page_key(url, k, n + 1);
    return k;
}

/* 1 when x already lists the page of key, or cannot tell (out of memory: *unsure). */
static int lists_page(const pw_capture_gap *x, const char *key, int *unsure)
{
    int found = 0;
    const char *first = x->page_url;
    for (size_t i = 0; !found && i < (x->n_page_urls ? x->n_page_urls : 1); i++) {
        char *k = page_key_of(x->n_page_urls ? x->page_urls[i] : first);
        found = !k || strcmp(k, key) == 0;
        *unsure = !k;
        free(k);
    }
    return found;
}

/* FNV-1a: a page past a gap's list is remembered by its key's hash alone. */
static unsigned long long key_hash(const char *key)
{
    unsigned long long h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

/* Gap i's count of pages past its list, once they are all known. */
static void count_more(pw_cli_gaps *g, size_t i)
{
    struct pw_cli_more *m = &g->more[i];
    g->v[i].n_more_pages = m->unknown ? 0 : m->recorded + m->n;
}

/* Pages past gap i's list that are not known one by one (no memory, a recorded gap's count). */
static void more_unknown(pw_cli_gaps *g, size_t i)
{
    g->v[i].more_pages = 1;
    g->more[i].unknown = 1;
    count_more(g, i);
}

/* A page past gap i's full list: counted once (by the hash of its page key). */
static void note_more(pw_cli_gaps *g, size_t i, const char *key)
{
    struct pw_cli_more *m = &g->more[i];
    if (m->recorded) { /* the recorded ones are not named: this one may be among them */
        more_unknown(g, i);
        return;
    }
    unsigned long long h = key_hash(key);
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->hash[mid] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    g->v[i].more_pages = 1;
    if (lo < m->n && m->hash[lo] == h)
        return;
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        unsigned long long *v = pw_arena_alloc(&g->arena, cap * sizeof *v);
        if (!v) {
            m->unknown = 1;
            count_more(g, i);
            return;
        }
        if (m->n)
            memcpy(v, m->hash, m->n * sizeof *v);
        m->hash = v;
        m->cap = cap;
    }
    memmove(m->hash + lo + 1, m->hash + lo, (m->n - lo) * sizeof *m->hash);
    m->hash[lo] = h;
    m->n++;
    count_more(g, i);
}

/* Append url to x's page list (which starts with page_url); 0 without memory. */
static int list_append(pw_cli_gaps *g, pw_capture_gap *x, const char *url)
{
    size_t n = x->n_page_urls ? x->n_page_urls : 1;
    const char **v = pw_arena_calloc(&g->arena, n + 1, sizeof *v);
    const char *copy = pw_arena_strdup(&g->arena, url);
    if (!v || !copy)
        return 0;
    if (x->n_page_urls)
        memcpy(v, x->page_urls, n * sizeof *v);
    else
        v[0] = x->page_url;
    v[n] = copy;
    x->page_urls = v;
    x->n_page_urls = n + 1;
    return 1;
}

/* Add the page url to gap i's pages. A full list counts it past the list (n_more_pages); no
 * memory leaves it unknown — never left out silently. */
static void add_page(pw_cli_gaps *g, size_t i, const char *url)
{
    pw_capture_gap *x = &g->v[i];
    if (!url || !x->page_url)
        return;
    char *key = page_key_of(url);
    int unsure = !key;
    if (!key || lists_page(x, key, &unsure)) {
        if (unsure)
            more_unknown(g, i);
    } else if ((x->n_page_urls ? x->n_page_urls : 1) == PW_CLI_GAP_PAGES) {
        note_more(g, i, key);
    } else if (!list_append(g, x, url)) {
        more_unknown(g, i);
    }
    free(key);
}

/* What a gap given whole (a HAR's log._phiwall.gaps, a capture's own) says of its pages: more
 * times than pages named leaves the others unknown. */
static int pages_unknown(const pw_capture_gap *gap)
{
    size_t named = gap->n_page_urls ? gap->n_page_urls : gap->page_url != NULL;
    return gap->more_pages || (gap->page_url && gap->pages > named);
}

/* Room for one more gap (v and more grown together); 0 when there is none. */
static int grow(pw_cli_gaps *g)
{
    if (g->n < g->cap)
        return 1;
    size_t cap = g->cap ? g->cap * 2 : 8;
    pw_capture_gap *v = pw_arena_calloc(&g->arena, cap, sizeof *v);
    struct pw_cli_more *more = pw_arena_calloc(&g->arena, cap, sizeof *more);
    if (!v || !more)
        return 0;
    if (g->n) {
        memcpy(v, g->v, g->n * sizeof *v);
        memcpy(more, g->more, g->n * sizeof *more);
    }
    g->v = v;
    g->more = more;
    g->cap = cap;
    return 1;
}

void pw_cli_gaps_add(pw_cli_gaps *g, const pw_capture_gap *gap)
{
    size_t pages = gap->pages ? gap->pages : 1;
    for (size_t i = 0; i < g->n; i++) {
        pw_capture_gap *x = &g->v[i];
        if (x->kind == gap->kind && same(x->url, gap->url) && same(x->error, gap->error)) {
            x->pages += pages;
            for (size_t k = 0; k < (gap->n_page_urls ? gap->n_page_urls : 1); k++)
                add_page(g, i, gap->n_page_urls ? gap->page_urls[k] : gap->page_url);
            if (pages_unknown(gap) || (gap->page_url && !x->page_url))
                more_unknown(g, i);
            return;
        }
    }
    if (g->n == PW_CLI_GAPS_MAX || !grow(g)) {
        g->dropped++;
        return;
    }
    pw_arena *a = &g->arena;
    size_t i = g->n++;
    g->v[i] = (pw_capture_gap){
        .kind = gap->kind,
        .url = dup_or_null(a, gap->url),
        .page_url = dup_or_null(a, gap->page_url),
        .error = dup_or_null(a, gap->error),
        .tracker_id = dup_or_null(a, gap->tracker_id),
        .tracker = dup_or_null(a, gap->tracker),
        .pages = pages,
    };
    g->more[i] = (struct pw_cli_more){0};
    size_t named = gap->n_page_urls ? gap->n_page_urls : gap->page_url != NULL;
    if (gap->more_pages && gap->n_more_pages && pages <= named + gap->n_more_pages) {
        /* a recorded gap (--har-out) that knew how many pages were past its list */
        g->v[i].more_pages = 1;
        g->more[i].recorded = gap->n_more_pages;
        count_more(g, i);
    } else if (pages_unknown(gap)) {
        more_unknown(g, i);
    }
    for (size_t k = 1; k < gap->n_page_urls; k++)
        add_page(g, i, gap->page_urls[k]);
}

static int type_is(const pw_request *r, const char *t)
{
    return r->resource_type && strcmp(r->resource_type, t) == 0;
}

/* Why r failed, in buf or as a static string; NULL if it did not. */
static const char *failure_of(const pw_request *r, char *buf, size_t cap)
{
    if (r->status >= 400) { /* Chrome adds net::ERR_ABORTED for a script it did not run */
        snprintf(buf, cap, "HTTP %d%s%.100s%s", r->status, r->error ? " (" : "",
                 r->error ? r->error : "", r->error ? ")" : "");
        return buf;
    }
    if (r->error && r->status > 0 && strstr(r->error, "ERR_ABORTED") &&
        !strstr(r->error, "still loading"))
        return NULL; /* answered, then dropped by the browser: a 204 frame (containment) */
    if (r->error)
        return r->error;
    if (r->source == PW_SOURCE_BROWSER && r->status == 0)
        return "no response before the scan left the page";
    return NULL;
}

/* 1 if the request loads a tracker's code: a script, or without a resource type (Firefox HARs)
 * what the decoder reads as a script load (fbevents.js, gtm.js, gtag/js …). */
static int loads_code(const pw_catalog *c, const pw_request *r)
{
    if (r->resource_type)
        return type_is(r, "script");
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_beacon *b = NULL;
    size_t n = 0;
    pw_decode(c, &a, r, &b, &n, NULL);
    int script = 0;
    for (size_t i = 0; i < n; i++)
        script |= b[i].kind == PW_BEACON_SCRIPT;
    pw_arena_free(&a);
    return script;
}

static int is_frame(const pw_request *r)
{
    return type_is(r, "document") || type_is(r, "subdocument") || type_is(r, "iframe");
}

static int has_page_gap(const pw_cli_gaps *g, const char *url)
{
    for (size_t i = 0; i < g->n; i++)
        if ((g->v[i].kind == PW_GAP_PAGE || g->v[i].kind == PW_GAP_ERROR_PAGE) &&
            same(g->v[i].url, url))
            return 1;
    return 0;
}

/* The hop of a redirect chain that r's page's own document started, or NULL. */
static struct pw_cli_hop *hop_to(pw_cli_gaps *g, const pw_request *r)
{
    size_t n = sizeof g->hops / sizeof g->hops[0];
    for (size_t i = 0; i < n; i++)
        if (g->hops[i].to && same(g->hops[i].page_url, r->page_url) &&
            strcmp(g->hops[i].to, r->url) == 0)
            return &g->hops[i];
    return NULL;
}

/* A page's own document (its URL, or a hop of the redirects it started) that redirected:
 * remember where to, so that the document it leads to is known for the page's own. Only the
 * last few chains are kept: a redirect's next hop follows it at once. */
static void note_redirect(pw_cli_gaps *g, const pw_request *r, int own)
{
    if (!r->redirect_url || !r->page_url || !is_frame(r) || !own)
        return;
    struct pw_cli_hop *h = hop_to(g, r);
    if (!h) {
        h = &g->hops[g->next_hop];
        g->next_hop = (g->next_hop + 1) % (sizeof g->hops / sizeof g->hops[0]);
        h->page_url = pw_arena_strdup(&g->arena, r->page_url);
    }
    h->to = pw_arena_strdup(&g->arena, r->redirect_url);
    if (!h->to || !h->page_url)
        h->to = h->page_url = NULL;
}

void pw_cli_gaps_check_request(pw_cli_gaps *g, const pw_request *r)
{
    if (!r->url || (r->source != PW_SOURCE_BROWSER && r->source != PW_SOURCE_HAR))
        return;
    /* The page's document: its own URL, or where its redirects led (a HAR's page named by the
     * URL asked for, /x, whose document /x/ failed after a 301) — never an iframe or a
     * subresource, whose URL no redirect of the page's document names. */
    int top_document =
        is_frame(r) && r->page_url &&
        (strcmp(r->page_url, r->url) == 0 || (r->source == PW_SOURCE_HAR && hop_to(g, r)));
    note_redirect(g, r, top_document);
    char buf[160];
    const char *why = r->visit_retried ? NULL : failure_of(r, buf, sizeof buf);
    if (!why)
        return;
    if (top_document) {
        /* A HAR's page that did not load, or whose document answered an HTTP error (its error
         * page loaded, and what its trackers sent is assessed, but the page the site meant was
         * not seen: a baseline's finding there is not rechecked, never gone) — the browser scan
         * reports its own, and a HAR's recorder may have stated it already (--har-out's
         * log._phiwall.gaps come before the entries). The gap names the page as the HAR's page
         * and its findings do. */
        pw_gap_kind kind = r->status >= 400 ? PW_GAP_ERROR_PAGE : PW_GAP_PAGE;
        if (r->status >= 400)
            why = pw_gap_page_status(r->status, buf, sizeof buf);
        if (r->source == PW_SOURCE_HAR && !has_page_gap(g, r->page_url))
            pw_cli_gaps_add(g, &(pw_capture_gap){.kind = kind, .url = r->page_url, .error = why});
        return;
    }
    if (!g->catalog)
        return;
    const pw_tracker *t = pw_catalog_classify(g->catalog, r->url, r->page_url, NULL);
    if (!t || t->category == PW_CATEGORY_CONSENT || t->category == PW_CATEGORY_EMBED)
        return;
    /* a data file the tracker's code fetches (Optimera's per-page score file, a <script> that
     * only sets variables, 403 for a page it has not scored): the code that sends was loaded or
     * is a gap of its own; this one's failure hides no tag */
    if (pw_catalog_is_data_file(g->catalog, t, r->url))
        return;
    pw_gap_kind kind;
    if (is_frame(r))
        kind = PW_GAP_FRAME;
    else if (loads_code(g->catalog, r))
        kind = PW_GAP_SCRIPT;
    else
        return; /* a beacon: its data was captured even though it failed */
    pw_capture_gap gap = {
        .kind = kind,
        .url = r->url,
        .page_url = r->page_url,
        .error = why,
        .tracker_id = t->id,
        .tracker = t->product ? t->product : t->vendor,
    };
    pw_cli_gaps_add(g, &gap);
}

pw_scan_result pw_cli_gaps_attach(const pw_scan_result *r, const pw_cli_gaps *g)
{
    pw_scan_result full = *r;
    full.gaps = g->v;
    full.n_gaps = g->n;
    full.n_gaps_dropped = g->dropped;
    return full;
}
