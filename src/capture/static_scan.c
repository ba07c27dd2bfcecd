/*
 * static_scan.c — pw_static_scan: the browserless capture source. Fetches the start page and
 * same-site pages (care-intent links first, robots.txt respected, at most max_pages) with
 * libcurl and hands each HTML document to pw_static_extract. Everything it delivers is marked
 * PW_SOURCE_STATIC: inferred from HTML, not observed traffic. A page is read where it landed, as a
 * browser shows it: after its HTTP redirects and a short same-site <meta> refresh (at most 20 in
 * all, Chromium's limit), decoded from its character encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "capture/static_int.h"
#include "phiwall/static_scan.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

/* A <meta> refresh this soon is where the page sends its visitor (a splash page, "moved"): a
 * browser audit, which waits at least 5 s on a page, is there when it fires. A slower one (a
 * page reloading itself every few minutes, a session timeout) is an ordinary link. */
#define ST_REFRESH_FOLLOW_S 5

typedef struct st_crawl {
    bx_browser b; /* reuses the browser crawl's queue, robots and same-site rules */
    pw_browser_opts bo;
    int depth;       /* of the page being read */
    bx_keyset read;  /* the URLs of the documents read (where each landed), so a redirect or a
                      * link to a page read before does not read it again */
    pw_sx_auth auth; /* the start URL's user:password@, for its origin (none: origin NULL) */
} st_crawl;

/* The start URL's user:password@ (a staging site behind HTTP authentication) becomes the crawl's
 * credentials for that origin, and the URL the crawl starts from, delivers and names is the one
 * without them: as in the browser scan, no report or HAR shows them. Returns the start URL to
 * crawl (in the scan arena; url itself when it has no userinfo), NULL when out of memory. */
static const char *take_credentials(st_crawl *c, const char *url)
{
    const char *pub = pw_url_public(&c->b.scan_arena, url);
    if (!pub || pub == url)
        return pub;
    const char *auth_start = strstr(url, "://") + 3; /* pw_url_public found it */
    const char *at = pub + (auth_start - url);       /* the host, in pub */
    size_t userinfo = strlen(url) - strlen(pub);     /* "user:password@" */
    size_t user_n = strcspn(auth_start, ":@");
    size_t pass_n = user_n + 1 < userinfo ? userinfo - user_n - 2 : 0;
    pw_arena *a = &c->b.scan_arena;
    c->auth.user = pw_pct_decode(a, auth_start, user_n, 0, NULL);
    c->auth.password = pw_pct_decode(a, auth_start + user_n + 1, pass_n, 0, NULL);
    c->auth.origin = pw_arena_strndup(a, pub, (size_t)(at - pub) + strcspn(at, "/?#"));
    if (!c->auth.user || !c->auth.password || !c->auth.origin)
        return NULL;
    return pub;
}

/* 1 if url (its fragment ignored) was read; with add, it is added when not (-1: no memory). */
static int seen(bx_keyset *s, const char *url, int add)
{
    size_t n = strcspn(url, "#");
    int fresh = 0;
    if (!add)
        return bx_keyset_has(s, url, n);
    return bx_keyset_get(s, url, n, &fresh) ? !fresh : -1;
}

static void on_link(void *ctx, const char *url, const char *text)
{
    st_crawl *c = ctx;
    int next = c->depth + 1;
    if (c->bo.max_depth >= 0 && next > c->bo.max_depth)
        return;
    if (bx_crawlable(&c->b, url))
        bx_queue_push(&c->b.queue, url, text, next);
}

static void report_gap(const pw_capture_sink *sink, pw_gap_kind kind, const char *url,
                       const char *why)
{
    size_t n = strlen(url); /* "URL: Couldn't connect to server": the gap names the URL */
    if (strncmp(why, url, n) == 0 && why[n] == ':')
        why += n + 1 + (why[n + 1] == ' ');
    pw_capture_gap g = {.kind = kind, .url = url, .error = why, .pages = 1};
    if (sink->on_gap)
        sink->on_gap(sink->ctx, &g);
}

typedef struct st_limits {
    long timeout;
    size_t max_bytes;
} st_limits;

/* One page of the crawl, url taken from the queue at depth: fetched, followed through its
 * redirects and a short same-site <meta> refresh, and read where it landed (the splash page on
 * the way is read too: a browser runs its tags). The start page (start) failing is the scan's
 * error; any other page's failure is a gap. */
static pw_status visit(st_crawl *c, const char *url, int depth, int start, const st_limits *lim,
                       const pw_capture_sink *sink, pw_static_stats *stats, pw_err *err)
{
    long redirects_left = PW_SX_MAX_REDIRECTS;
    char *next = NULL;
    pw_status st = PW_OK;
    const char *cur = url;
    while (st == PW_OK && cur) {
        pw_sx_fetch r;
        pw_err e;
        if (pw_sx_fetch_page(cur, &c->auth, lim->timeout, lim->max_bytes, redirects_left, &r, &e) !=
            PW_OK) {
            stats->pages_failed++;
            if (start) /* the start page itself: the user must know */
                st = pw_err_set(err, e.code, "%s", e.msg);
            else /* what its tags would have shown was not seen: the result is incomplete */
                report_gap(sink, PW_GAP_PAGE, cur, e.msg);
            break;
        }
        redirects_left -= r.redirects;
        if (start && !c->b.start_landed) /* where the site sent its visitor: another site? */
            c->b.start_landed = strdup(r.url);
        /* the URL asked for is read too when it redirected: a link to it is not fetched again */
        int again = strcmp(cur, r.url) != 0 && seen(&c->read, cur, 1) < 0 ? -1 : 0;
        if (again == 0)
            again = seen(&c->read, r.url, 1);
        if (again != 0) { /* landed on a page read before (or no memory to tell) */
            if (again < 0)
                st = pw_err_set(err, PW_ERR_NOMEM, "static scan: out of memory");
            pw_sx_fetch_free(&r);
            break;
        }
        int ok = r.status >= 200 && r.status < 300;
        char why[64];
        if (!ok && start) {
            /* the start page answered an error: nothing of the site was read, as in the browser
             * scan (browser_scan.c) — an error, never a clean result */
            st = pw_err_set(err, PW_ERR_IO, "%s: %s (no page of the site could be scanned)", r.url,
                            pw_gap_page_status((int)r.status, why, sizeof why));
        } else if (!ok) {
            /* the page the site meant was not seen: an error-page gap named like the browser's
             * (where it landed), so a baseline finding there is unchecked rather than gone (a
             * broken link does not make the scan incomplete, as in the browser scan). The error
             * page's own tags are still read below, like the beacons a browser sees it send. */
            stats->pages_failed++;
            report_gap(sink, r.status >= 400 ? PW_GAP_ERROR_PAGE : PW_GAP_PAGE, r.url,
                       pw_gap_page_status((int)r.status, why, sizeof why));
        }
        /* a non-HTML answer (an image, a file) has no tags to read: not a gap, as in a browser */
        pw_sx_result res = {0};
        if (st == PW_OK && r.html) {
            c->depth = depth;
            pw_sx_doc d = {r.url, r.content_type, r.body, r.len};
            st = pw_sx_extract(&d, sink, on_link, c, &res, err);
        }
        pw_sx_fetch_free(&r);
        free(next);
        next = NULL;
        cur = NULL;
        if (st == PW_OK && res.refresh && bx_crawlable(&c->b, res.refresh)) {
            int was_read = seen(&c->read, res.refresh, 0);
            if (res.refresh_delay <= ST_REFRESH_FOLLOW_S && redirects_left > 0 && !was_read) {
                redirects_left--; /* the browser goes there: so does the crawl, now */
                cur = next = res.refresh;
                res.refresh = NULL;
            } else if (!was_read) {
                on_link(c, res.refresh, "");
            }
        }
        free(res.refresh);
        start = 0; /* a refresh's target: the site answered, its splash page was read */
    }
    free(next);
    return st;
}

pw_status pw_static_scan(const char *start_url, const pw_static_opts *opts,
                         const pw_capture_sink *sink, pw_static_stats *stats, pw_err *err)
{
    pw_static_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    pw_url u;
    if (pw_url_parse(start_url, strlen(start_url), &u, err) != PW_OK)
        return pw_err_prefix(err, "start URL: ");
    st_crawl *c = calloc(1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "static scan: out of memory");
    pw_browser_opts_init(&c->bo);
    c->bo.ignore_robots = opts->ignore_robots;
    c->bo.max_depth = opts->max_depth;
    c->bo.hooks.site_of = opts->site_of;
    c->bo.hooks.ctx = opts->ctx;
    c->b.o = &c->bo;
    pw_arena_init(&c->b.scan_arena, 0);
    bx_queue_init(&c->b.queue);
    c->b.start_url = strdup(start_url);
    char *host = pw_url_host_dup(&c->b.scan_arena, &u);
    c->b.site = host && opts->site_of ? opts->site_of(opts->ctx, &c->b.scan_arena, host) : NULL;
    if (!c->b.site)
        c->b.site = host;
    size_t max_pages = opts->max_pages ? opts->max_pages : 20;
    st_limits lim = {opts->timeout_ms > 0 ? opts->timeout_ms : 15000,
                     opts->max_bytes ? opts->max_bytes : (8u << 20)};
    pw_status st = PW_OK;
    bx_read_robots(&c->b); /* with the credentials in the URL: robots.txt may be behind them */
    const char *start = take_credentials(c, start_url);
    if (!start || bx_queue_push(&c->b.queue, start, "home", 0) < 0)
        st = pw_err_set(err, PW_ERR_NOMEM, "static scan: out of memory");
    bx_queue_item it;
    while (st == PW_OK && stats->pages < max_pages && c->b.queue.n) {
        if (opts->stop && *opts->stop) { /* the caller's stop (a signal): the pages read so far */
            stats->interrupted = 1;
            break;
        }
        if (!bx_queue_pop(&c->b.queue, &it))
            break;
        if (seen(&c->read, it.url, 0) == 1) { /* a redirect landed there before: read already */
            free(it.url);
            continue;
        }
        stats->pages++;
        st = visit(c, it.url, it.depth, stats->pages == 1, &lim, sink, stats, err);
        free(it.url);
    }
    if (st == PW_OK && !stats->interrupted && stats->pages >= max_pages)
        stats->unvisited = c->b.queue.n + c->b.queue.dropped;
    char why[512];
    if (st == PW_OK && !stats->interrupted && !stats->pages_failed &&
        bx_coverage_gap(&c->b, stats->pages, why, sizeof why))
        report_gap(sink, PW_GAP_COVERAGE, start, why);
    for (size_t i = 0; i < c->b.n_robots; i++)
        free(c->b.robots_disallow[i]);
    free(c->b.robots_disallow);
    bx_queue_free(&c->b.queue);
    bx_keyset_free(&c->read);
    free(c->b.start_url);
    free(c->b.start_landed);
    pw_arena_free(&c->b.scan_arena);
    free(c);
    return st;
}
