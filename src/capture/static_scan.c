/*
 * static_scan.c — pw_static_scan: the browserless capture source. Fetches the start page and
 * same-site pages (care-intent links first, robots.txt respected, at most max_pages) with
 * libcurl and hands each HTML document to pw_static_extract. Everything it delivers is marked
 * PW_SOURCE_STATIC: inferred from HTML, not observed traffic.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "phiwall/static_scan.h"
#include "phiwall/url.h"

typedef struct st_crawl {
    bx_browser b; /* reuses the browser crawl's queue, robots and same-site rules */
    pw_browser_opts bo;
    int depth; /* of the page being read */
} st_crawl;

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

static int is_html(const bx_http_result *r)
{
    if (!r->content_type)
        return 1;
    return strstr(r->content_type, "html") != NULL;
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
    long timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 15000;
    size_t max_bytes = opts->max_bytes ? opts->max_bytes : (8u << 20);
    pw_status st = PW_OK;
    bx_read_robots(&c->b);
    bx_queue_push(&c->b.queue, start_url, "home", 0);
    bx_queue_item it;
    while (st == PW_OK && stats->pages < max_pages && c->b.queue.n) {
        if (opts->stop && *opts->stop) { /* the caller's stop (a signal): the pages read so far */
            stats->interrupted = 1;
            break;
        }
        if (!bx_queue_pop(&c->b.queue, &it))
            break;
        bx_http_result r;
        stats->pages++;
        pw_err e;
        if (bx_http_get(it.url, timeout, max_bytes, &r, &e) != PW_OK) {
            stats->pages_failed++;
            if (stats->pages == 1) /* the start page itself: the user must know */
                st = pw_err_set(err, e.code, "%s", e.msg);
            else /* what its tags would have shown was not seen: the result is incomplete */
                report_gap(sink, PW_GAP_PAGE, it.url, e.msg);
            free(it.url);
            continue;
        }
        int ok = r.status >= 200 && r.status < 300;
        char why[64];
        if (!ok && stats->pages == 1) {
            /* the start page answered an error: nothing of the site was read, as in the browser
             * scan (browser_scan.c) — an error, never a clean result */
            st = pw_err_set(err, PW_ERR_IO, "%s: %s (no page of the site could be scanned)", it.url,
                            pw_gap_page_status((int)r.status, why, sizeof why));
        } else if (!ok) {
            /* the page the site meant was not seen: an error-page gap named like the browser's,
             * so a baseline finding there is unchecked rather than gone (a broken link does not
             * make the scan incomplete, as in the browser scan). The error page's own tags are
             * still read below, like the beacons a browser sees an error page send. */
            stats->pages_failed++;
            report_gap(sink, r.status >= 400 ? PW_GAP_ERROR_PAGE : PW_GAP_PAGE, it.url,
                       pw_gap_page_status((int)r.status, why, sizeof why));
        }
        /* a non-HTML answer (an image, a file) has no tags to read: not a gap, as in a browser */
        if (st == PW_OK && is_html(&r)) {
            c->depth = it.depth;
            st = pw_static_extract(it.url, r.body, r.len, sink, on_link, c, err);
        }
        bx_http_result_free(&r);
        free(it.url);
    }
    for (size_t i = 0; i < c->b.n_robots; i++)
        free(c->b.robots_disallow[i]);
    free(c->b.robots_disallow);
    bx_queue_free(&c->b.queue);
    free(c->b.start_url);
    pw_arena_free(&c->b.scan_arena);
    free(c);
    return st;
}
